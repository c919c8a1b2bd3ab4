//! `pmrc doctor --ci`: the project's GitHub Actions workflows read next to its config, job by
//! job: which manager each job runs and what the job gives it (variables, setup-node's
//! `.npmrc`; a variable its step's `sh` drops), reported at the workflow's file:line; what
//! its steps write (setup-bun's `registries`, `run:` lines); `.gitlab-ci.yml` variable names;
//! `.github/dependabot.yml` registries and Renovate's `hostRules` against the project's
//! routes. Names only: no value a workflow sets is kept, so none can be printed.

mod checks;
pub(crate) mod dependabot;
pub(crate) mod gitlab;
mod jobs;
mod renovate;
mod shell_names;
mod steps;
pub mod workflows;

use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Code;
use crate::discover::{self, Environment};
use crate::error::{Result, SyntaxError};
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
    /// The local composite actions whose steps were read into its jobs, as shown; the n-th
    /// one's lines are numbered from `ACTION_LINES * n`.
    actions: Vec<PathBuf>,
}

/// A composite action's steps keep the line numbers of their own file moved past any
/// workflow's, by this much per action: every line a job holds then names one place, the
/// workflow's or an action's, without each finding carrying a file of its own.
const ACTION_LINES: usize = 1 << 24;

/// How deep composite actions that use other local actions are followed.
const ACTION_DEPTH: usize = 8;

impl File {
    /// The file and line a line of a job is at.
    fn place(&self, line: usize) -> (&Path, usize) {
        match line / ACTION_LINES {
            0 => (&self.display, line),
            n => (&self.actions[n - 1], line % ACTION_LINES),
        }
    }

    fn origin(&self, line: usize) -> Option<Origin> {
        let (file, line) = self.place(line);
        origin(file, line)
    }

    /// A line as a message names it: `line 12` in a workflow whose jobs are all its own;
    /// with the file's path where a finding may sit in an action's file
    /// (`.github/workflows/ci.yml:12`, `.github/actions/setup/action.yml:7`).
    fn line_name(&self, line: usize) -> String {
        match self.place(line) {
            (_, n) if self.actions.is_empty() => format!("line {n}"),
            (file, n) => format!("{}:{n}", file.display()),
        }
    }

    fn unclear(&self, line: usize, message: String) -> CiFinding {
        let (file, line) = self.place(line);
        unclear(file, line, message)
    }

    /// Each step that uses a local composite action (`uses: ./.github/actions/setup`)
    /// replaced by the action's steps, as GitHub runs them: in the job, with the calling
    /// step's `env:` (the action's `inputs` are not followed). `root`: the repository; shown
    /// with `shown_root` before it.
    fn read_local_actions(&mut self, root: &Path, shown_root: &Path) -> Result<Vec<CiFinding>> {
        let mut said = Vec::new();
        let mut jobs = std::mem::take(&mut self.workflow.jobs);
        for job in &mut jobs {
            let steps = std::mem::take(&mut job.steps);
            job.steps = self.with_action_steps(steps, root, shown_root, 0, &mut said)?;
        }
        self.workflow.jobs = jobs;
        Ok(said)
    }

    fn with_action_steps(
        &mut self,
        steps: Vec<workflows::Step>,
        root: &Path,
        shown_root: &Path,
        depth: usize,
        said: &mut Vec<CiFinding>,
    ) -> Result<Vec<workflows::Step>> {
        let mut out = Vec::new();
        for step in steps {
            let Some(folder) = workflows::local_action(&step).map(workflows::normal_dir) else {
                out.push(step);
                continue;
            };
            let found = ["action.yml", "action.yaml"]
                .iter()
                .map(|name| Path::new(&folder).join(name))
                .find(|path| root.join(path).is_file());
            let Some(path) = found else {
                said.push(self.unclear(
                    step.line,
                    format!(
                        "this step uses the local action ./{folder}, which has no action.yml in the repository (a step may check it out), so its steps were not checked"
                    ),
                ));
                out.push(step);
                continue;
            };
            let shown = shown_root.join(&path);
            if depth >= ACTION_DEPTH {
                said.push(self.unclear(
                    step.line,
                    format!(
                        "local actions use each other more than {ACTION_DEPTH} deep here, so the steps of {} were not checked",
                        shown.display()
                    ),
                ));
                out.push(step);
                continue;
            }
            let text = match std::fs::read_to_string(root.join(&path)) {
                Ok(text) => text,
                Err(e) => {
                    said.push(self.unclear(
                        step.line,
                        format!(
                            "pmrc could not read the local action {} ({e}), so its steps were not checked",
                            shown.display()
                        ),
                    ));
                    out.push(step);
                    continue;
                }
            };
            match workflows::parse_composite_action(&text) {
                Ok(Some(action)) => {
                    let n = match self.actions.iter().position(|a| *a == shown) {
                        Some(i) => i + 1,
                        None => {
                            self.actions.push(shown);
                            self.actions.len()
                        }
                    };
                    let inner: Vec<workflows::Step> = action
                        .steps
                        .into_iter()
                        .map(|s| {
                            let mut s = s.renumbered(ACTION_LINES * n);
                            s.env.vars.extend(step.env.vars.iter().cloned());
                            s.env.expression = s.env.expression.or(step.env.expression);
                            with_inputs(&mut s, &step.action_inputs, &action.input_defaults);
                            s
                        })
                        .collect();
                    out.extend(self.with_action_steps(inner, root, shown_root, depth + 1, said)?);
                }
                // A JavaScript or Docker action: its code is not read, as a published
                // action's is not.
                Ok(None) => out.push(step),
                Err(e) => return Err(unreadable(e, &root.join(&path))),
            }
        }
        Ok(out)
    }
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

    /// What `m` reads in a job after setup-node wrote `npmrc` and pointed
    /// `NPM_CONFIG_USERCONFIG` at it: that file as `m`'s user `.npmrc`, ranked against the
    /// project's files as `m` ranks them (npm's project `.npmrc` wins key by key). A runner
    /// has no other user file, so any other the machine running pmrc has is left unread.
    fn with_setup_node_npmrc(&self, m: Manager, npmrc: &str) -> Result<Model> {
        const SHOWN: &str = "setup-node's .npmrc";
        let mut env = self.env.clone();
        env.npm_userconfig = Some((PathBuf::from("$RUNNER_TEMP/.npmrc"), SHOWN.to_string()));
        // Only to name the user files, which are not read: without a home, locating them
        // fails.
        env.home
            .get_or_insert_with(|| PathBuf::from("/nonexistent-home"));
        let mut files = discover::locate(m, self.dir, true, &env)?;
        for file in files.iter_mut().filter(|f| f.level == Level::User) {
            file.text = (file.display == SHOWN).then(|| std::rc::Rc::from(npmrc));
        }
        Ok(discover::read_merged(m, &files)?.0)
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
    let (project, repository, files) = workflow_files(dir);
    let mut read_any = !files.is_empty();
    for (path, display) in files {
        let Some(text) = discover::read_text(&path)? else {
            continue;
        };
        let workflow = workflows::parse(&text).map_err(|e| unreadable(e, &path))?;
        let mut file = File {
            display,
            project: project.clone(),
            workflow,
            actions: Vec::new(),
        };
        if let Some((root, shown_root)) = &repository {
            out.extend(file.read_local_actions(root, shown_root)?);
        }
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
        out.extend(
            gitlab::check(&text, &display.join(gitlab::FILE))
                .map_err(|e| unreadable(e, &root.join(gitlab::FILE)))?,
        );
        read_any = true;
    }
    // The file `convert --to dependabot` writes: the repository root's.
    let dependabot = discover::repository_root(dir, dependabot::FILE).map(|root| {
        let shown = discover::shown_from(dir, &root.join(dependabot::FILE));
        (root, shown)
    });
    if let Some((root, _)) = &dependabot
        && let Some(stray) = crate::managers::stray_dependabot_file(dir, root)
    {
        out.push(CiFinding {
            fix: stray.code.diagnostic().fix.to_string(),
            warning: stray,
            manager: None,
        });
    }
    if let Some((root, shown)) = dependabot
        && let Some(text) = discover::read_text(&root.join(dependabot::FILE))?
        && !managers.is_empty()
    {
        for &m in managers {
            configs.of(m)?;
        }
        let models: Vec<(Manager, &Model)> =
            managers.iter().map(|m| (*m, &configs.read[m])).collect();
        let display = shown.map_or_else(|| PathBuf::from(dependabot::FILE), PathBuf::from);
        out.extend(
            dependabot::check(&text, &display, &models)
                .map_err(|e| unreadable(e, &root.join(dependabot::FILE)))?,
        );
        let project = discover::lexical(&std::path::absolute(dir).unwrap_or(dir.into()));
        let directory = crate::formats::dependabot_yml::update_directory(
            &project,
            &root.join(dependabot::FILE),
        );
        if crate::formats::dependabot_yml::updates_javascript(&text, &directory)
            .map_err(|e| unreadable(e, &root.join(dependabot::FILE)))?
        {
            out.extend(dependabot::references_without_fallback(
                dir,
                (&display, &directory),
                &models,
            ));
        }
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
        )
        .map_err(|e| unreadable(e, &root.join(name)))?
        {
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

/// A composite action's step with each input that is one `${{ inputs.NAME }}` given the value
/// the calling step passes, else the input's default, else nothing, as GitHub does: an input
/// left empty (`registry-url: ''`) is no input. A local action a step of it uses gets them
/// passed on the same way.
fn with_inputs(
    step: &mut workflows::Step,
    given: &std::collections::BTreeMap<String, String>,
    defaults: &std::collections::BTreeMap<String, String>,
) {
    let value_of = |value: &str| {
        workflows::input_reference(value).map(|name| {
            given
                .get(&name)
                .or_else(|| defaults.get(&name))
                .cloned()
                .unwrap_or_default()
        })
    };
    for input in step.inputs.values_mut() {
        if let Some(value) = value_of(&input.value) {
            input.value = value;
        }
    }
    for value in step.action_inputs.values_mut() {
        if let Some(given) = value_of(value) {
            *value = given;
        }
    }
}

/// A repository's folder, and how it is shown from the project (`..` for each level up).
type Repository = (PathBuf, PathBuf);

/// `.github/workflows/*.yml` and `*.yaml` of the repository the project is in (the nearest
/// folder at or above it that has them), sorted, with the path to show; the project's
/// folder relative to that repository, and the repository.
fn workflow_files(dir: &Path) -> (String, Option<Repository>, Vec<(PathBuf, PathBuf)>) {
    let Some((ups, root)) = dir
        .ancestors()
        .enumerate()
        .find(|(_, d)| d.join(".github/workflows").is_dir())
    else {
        return (String::new(), None, Vec::new());
    };
    let project = dir
        .strip_prefix(root)
        .map(|p| workflows::normal_dir(&p.to_string_lossy()))
        .unwrap_or_default();
    let prefix: PathBuf = std::iter::repeat_n("..", ups).collect();
    let repository = Some((root.to_path_buf(), prefix.clone()));
    let Ok(entries) = std::fs::read_dir(root.join(".github/workflows")) else {
        return (project, repository, Vec::new());
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
    (project, repository, files)
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

/// A CI file that does not parse stops the check, as any config pmrc cannot read does: the
/// CI service would refuse it too, and a note would let `doctor --ci` pass on a repository
/// whose CI it did not read. The parser's quoted values are left out.
fn unreadable(e: SyntaxError, path: &Path) -> crate::error::Error {
    SyntaxError {
        message: without_quoted(&e.message),
        ..e
    }
    .in_file(path)
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

    /// A composite action that uses another is followed into it, each step's lines in its
    /// own file, the calling steps' `env:` given on; a JavaScript action stays a step.
    #[test]
    fn local_composite_actions_are_read_into_the_job() {
        let repo = assert_fs::TempDir::new().unwrap();
        let write = |path: &str, text: &str| {
            let path = repo.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            ".github/actions/outer/action.yml",
            "runs:\n  using: composite\n  steps:\n    - uses: ./.github/actions/inner\n      env:\n        FROM_OUTER: x\n    - run: npm ci\n      shell: bash\n",
        );
        write(
            ".github/actions/inner/action.yaml",
            "runs:\n  using: composite\n  steps:\n    - run: yarn install\n      shell: bash\n",
        );
        write(
            ".github/actions/js/action.yml",
            "runs:\n  using: node24\n  main: index.js\n",
        );
        let workflow = workflows::parse(
            "jobs:\n  build:\n    steps:\n      - uses: ./.github/actions/outer\n        env:\n          FROM_CALLER: y\n      - uses: ./.github/actions/js\n",
        )
        .unwrap();
        let mut file = File {
            display: PathBuf::from(".github/workflows/ci.yml"),
            project: String::new(),
            workflow,
            actions: Vec::new(),
        };
        let said = file.read_local_actions(repo.path(), Path::new("")).unwrap();
        assert!(said.is_empty(), "{said:?}");
        let steps = &file.workflow.jobs[0].steps;
        let programs: Vec<&str> = steps
            .iter()
            .flat_map(|s| s.commands.iter().map(|c| c.program.as_str()))
            .collect();
        assert_eq!(programs, ["yarn", "npm"]);
        let yarn = &steps[0];
        let names: Vec<&str> = yarn.env.vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["FROM_OUTER", "FROM_CALLER"]);
        assert_eq!(
            file.line_name(yarn.commands[0].line),
            ".github/actions/inner/action.yaml:4"
        );
        assert_eq!(
            file.line_name(steps[1].commands[0].line),
            ".github/actions/outer/action.yml:7"
        );
        let caller_var = yarn
            .env
            .vars
            .iter()
            .find(|v| v.name == "FROM_CALLER")
            .unwrap();
        assert_eq!(
            file.line_name(caller_var.line),
            ".github/workflows/ci.yml:6"
        );
        assert_eq!(
            steps[2].uses.as_ref().unwrap().action,
            "./.github/actions/js"
        );
        assert_eq!(steps.len(), 3);
    }

    #[test]
    fn parser_messages_lose_their_quoted_values() {
        assert_eq!(
            without_quoted("invalid type: string \"npm_FAKE\", expected a map"),
            "invalid type: string \"…\", expected a map"
        );
        assert_eq!(without_quoted("no quotes"), "no quotes");
    }
}
