//! `pmrc doctor --ci`: the project's GitHub Actions workflows read next to its config, job by
//! job: which manager each job runs and what the job gives it (variables, setup-node's
//! `.npmrc`), reported at the workflow's file:line; what its steps write (setup-bun's
//! `registries`, `run:` lines); `.gitlab-ci.yml` variable names; `.github/dependabot.yml`
//! registries and Renovate's `hostRules` against the project's routes. Names only: no value
//! a workflow sets is kept, so none can be printed.

mod checks;
pub(crate) mod dependabot;
pub(crate) mod gitlab;
mod jobs;
mod renovate;
mod steps;
pub mod workflows;

use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Code;
use crate::discover::{self, Environment};
use crate::error::Result;
use crate::managers::Manager;
use crate::model::{Level, Model, Origin};
use crate::warning::Warning;

/// A CI finding with the fix written for its workflow and job.
#[derive(Debug)]
pub struct CiFinding {
    pub warning: Warning,
    pub manager: Option<Manager>,
    pub fix: String,
}

/// One workflow file as read, and where it is.
struct File {
    /// As shown: relative to the project folder.
    display: PathBuf,
    /// The project's folder relative to the repository (`""`: its root).
    project: String,
    workflow: workflows::Workflow,
}

/// The project files each manager a job runs reads (project level only: a CI runner starts
/// without the user's files), read once per manager.
struct Configs<'a> {
    dir: &'a Path,
    env: &'a Environment,
    read: HashMap<Manager, Model>,
}

impl Configs<'_> {
    fn of(&mut self, m: Manager) -> Result<&Model> {
        if !self.read.contains_key(&m) {
            let files = discover::locate(m, self.dir, false, self.env)?;
            let (model, _) = discover::read_merged(m, &files)?;
            self.read.insert(m, model);
        }
        Ok(&self.read[&m])
    }
}

/// `managers`: the ones doctor checks, whose routes Dependabot's registries are compared with.
pub fn check(dir: &Path, env: &Environment, managers: &[Manager]) -> Result<Vec<CiFinding>> {
    let mut out = Vec::new();
    let mut configs = Configs {
        dir,
        env,
        read: HashMap::default(),
    };
    let (project, files) = workflow_files(dir);
    let mut read_any = !files.is_empty();
    for (path, display) in files {
        let Some(text) = discover::read_text(&path)? else {
            continue;
        };
        let workflow = match workflows::parse(&text) {
            Ok(w) => w,
            Err(e) => {
                out.push(unclear(
                    &display,
                    e.line,
                    format!(
                        "pmrc could not read this workflow ({}), so its jobs were not checked",
                        without_quoted(&e.message)
                    ),
                ));
                continue;
            }
        };
        let file = File {
            display,
            project: project.clone(),
            workflow,
        };
        for job in &file.workflow.jobs {
            out.extend(checks::job(&file, job, &mut configs)?);
            out.extend(steps::job(&file, job, &mut configs));
        }
    }
    if let Some((ups, root)) = dir
        .ancestors()
        .enumerate()
        .find(|(_, d)| d.join(gitlab::FILE).is_file())
        && let Some(text) = discover::read_text(&root.join(gitlab::FILE))?
    {
        let display: PathBuf = std::iter::repeat_n("..", ups).collect();
        out.extend(gitlab::check(&text, &display.join(gitlab::FILE)));
        read_any = true;
    }
    let dependabot = dir
        .ancestors()
        .enumerate()
        .find(|(_, d)| d.join(dependabot::FILE).is_file());
    if let Some((ups, root)) = dependabot
        && let Some(text) = discover::read_text(&root.join(dependabot::FILE))?
        && !managers.is_empty()
    {
        for &m in managers {
            configs.of(m)?;
        }
        let models: Vec<(Manager, &Model)> =
            managers.iter().map(|m| (*m, &configs.read[m])).collect();
        let display: PathBuf = std::iter::repeat_n("..", ups).collect();
        out.extend(dependabot::check(
            &text,
            &display.join(dependabot::FILE),
            &models,
        ));
        read_any = true;
    }
    if let Some((ups, root, name)) = dir.ancestors().enumerate().find_map(|(ups, d)| {
        renovate::FILES
            .iter()
            .find(|f| {
                d.join(f).is_file()
                    && (**f != "package.json"
                        || std::fs::read_to_string(d.join(f))
                            .is_ok_and(|t| t.contains("\"renovate\"")))
            })
            .map(|f| (ups, d, *f))
    }) && let Some(text) = discover::read_text(&root.join(name))?
    {
        for &m in managers {
            configs.of(m)?;
        }
        let models: Vec<(Manager, &Model)> =
            managers.iter().map(|m| (*m, &configs.read[m])).collect();
        let display: PathBuf = std::iter::repeat_n("..", ups).collect();
        if let Some(found) = renovate::check(
            &text,
            &display.join(name),
            &models,
            dir.join(".npmrc").is_file(),
        ) {
            out.extend(found);
            read_any = true;
        }
    }
    if !read_any {
        // Said, so that "no findings" is not taken for CI that was checked.
        out.push(CiFinding {
            warning: Warning::note(
                Code::CiJobUnclear,
                format!(
                    "no .github/workflows or {} at or above the project, so no CI job was checked",
                    gitlab::FILE
                ),
                None,
            ),
            manager: None,
            fix: "run it in (or with -C) the project inside the repository that has the CI files"
                .to_string(),
        });
    }
    Ok(out)
}

/// `.github/workflows/*.yml` and `*.yaml` of the repository the project is in (the nearest
/// folder at or above it that has them), sorted, with the path to show; and the project's
/// folder relative to that repository.
fn workflow_files(dir: &Path) -> (String, Vec<(PathBuf, PathBuf)>) {
    let Some((ups, root)) = dir
        .ancestors()
        .enumerate()
        .find(|(_, d)| d.join(".github/workflows").is_dir())
    else {
        return (String::new(), Vec::new());
    };
    let project = dir
        .strip_prefix(root)
        .map(|p| workflows::normal_dir(&p.to_string_lossy()))
        .unwrap_or_default();
    let prefix: PathBuf = std::iter::repeat_n("..", ups).collect();
    let Ok(entries) = std::fs::read_dir(root.join(".github/workflows")) else {
        return (project, Vec::new());
    };
    let mut files: Vec<(PathBuf, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .map(|p| {
            let name = p.file_name().map(PathBuf::from).unwrap_or_default();
            let display = prefix.join(".github/workflows").join(name);
            (p, display)
        })
        .collect();
    files.sort();
    (project, files)
}

/// A parser's message with its quoted parts left out: serde quotes the value it could not
/// take (`invalid type: string "..."`), which may be one a CI file should not show.
fn without_quoted(message: &str) -> String {
    message
        .split('"')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { "…" } else { part })
        .collect::<Vec<_>>()
        .join("\"")
}

fn origin(file: &Path, line: usize) -> Option<Origin> {
    Some(Origin {
        file: Origin::shared(file),
        line,
        level: Level::Project,
    })
}

/// What pmrc cannot tell about a job, said once instead of guessed.
fn unclear(file: &Path, line: usize, message: String) -> CiFinding {
    CiFinding {
        warning: Warning::note(Code::CiJobUnclear, message, origin(file, line)),
        manager: None,
        fix: Code::CiJobUnclear.diagnostic().fix.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_messages_lose_their_quoted_values() {
        assert_eq!(
            without_quoted("invalid type: string \"npm_FAKE\", expected a map"),
            "invalid type: string \"…\", expected a map"
        );
        assert_eq!(without_quoted("no quotes"), "no quotes");
    }
}
