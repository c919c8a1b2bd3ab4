//! One workflow job as `doctor --ci` sees it: which manager each step runs (from its `run:`
//! lines, matrix values and setup actions, settled by the managers' own rules) and which
//! variables a step gets (workflow, job and step `env:`, `$GITHUB_ENV` writes of earlier
//! steps, what actions/setup-node exports). What cannot be told is said, not guessed.

use std::path::Path;

use super::workflows::{Job, Step, Workflow, matrix_key, normal_dir};
use crate::managers::{self, Manager};

/// The action that writes the `.npmrc` for `registry-url` (spec/ci-env.md §2.1).
pub const SETUP_NODE: &str = "actions/setup-node";
/// The first setup-node major that exports no placeholder `NODE_AUTH_TOKEN` (#1558).
pub const SETUP_NODE_NO_PLACEHOLDER: u32 = 7;
/// The variable setup-node's `.npmrc` takes the token from.
pub const NODE_AUTH_TOKEN: &str = "NODE_AUTH_TOKEN";

/// A step that runs a manager.
#[derive(Debug, Clone)]
pub struct Run {
    pub step: usize,
    pub line: usize,
    pub manager: Manager,
    /// Why pmrc says it is this manager under these rules.
    pub why: String,
    /// Variables set for that command alone (`NPM_TOKEN=x yarn install`) or exported
    /// before it in its step's script (`export NPM_TOKEN=x`).
    pub inline_env: Vec<String>,
    /// The word after the manager's name (`ci` in `npm ci`), where the command line gives
    /// it (not behind `corepack`).
    pub subcommand: Option<String>,
    /// A run a setup action makes in its own step, and what it is (setup-node's `cache:
    /// yarn`): it asks no registry, but the step fails where the manager stops.
    pub by_action: Option<String>,
}

/// Something about a job pmrc cannot tell, with its line.
#[derive(Debug, Clone)]
pub struct Unclear {
    pub line: usize,
    pub message: String,
}

/// Which managers the job's steps run in the project (at `project`, relative to the
/// repository: `""` for its root), and what about that could not be told.
pub fn runs(dir: &Path, project: &str, job: &Job) -> (Vec<Run>, Vec<Unclear>) {
    let mut runs = Vec::new();
    let mut unclear: Vec<Unclear> = Vec::new();
    let mut say = |u: Unclear| {
        if !unclear.iter().any(|seen| seen.message == u.message) {
            unclear.push(u);
        }
    };
    for (i, step) in job.steps.iter().enumerate() {
        match setup_node_cache(dir, project, job, i) {
            Some(Ok(run)) => runs.push(run),
            Some(Err(u)) => say(u),
            None => {}
        }
        match &step.dir {
            // A step in another folder works on another project (a member of this one is
            // this one's: the managers read the root's config from there too).
            Some(d) if !inside(d, project) => continue,
            Some(_) => {}
            None if step.commands.is_empty() => {}
            None => {
                say(Unclear {
                    line: step.line,
                    message: format!(
                        "job `{}` runs this step in a `working-directory` given as an expression, so whether it works on this project cannot be told",
                        job.id
                    ),
                });
                continue;
            }
        }
        let mut programs: Vec<(String, usize, Vec<String>, Option<String>)> = Vec::new();
        for c in &step.commands {
            // `corepack yarn install` runs the manager corepack provides.
            let (program, subcommand) = match (c.program.as_str(), c.first_arg.as_ref()) {
                ("corepack", Some(p)) => (p.clone(), None),
                _ => (c.program.clone(), c.first_arg.clone()),
            };
            match matrix_key(&program) {
                Some(key) => {
                    match job.matrix.get(key).filter(|v| !v.is_empty()) {
                        Some(values) => programs.extend(values.iter().map(|v| {
                            (v.clone(), c.line, c.inline_env.clone(), subcommand.clone())
                        })),
                        None => say(Unclear {
                            line: c.line,
                            message: format!(
                                "job `{}` runs `${{{{ matrix.{key} }}}}`, whose values are not listed in the workflow, so which manager it runs cannot be told",
                                job.id
                            ),
                        }),
                    }
                }
                None => programs.push((program, c.line, c.inline_env.clone(), subcommand)),
            }
        }
        // pnpm/action-setup's `run_install` runs `pnpm install` in the action's own step.
        if let Some(uses) = &step.uses
            && let Some((program, _)) = managers::installed_by_action(&uses.action)
            && step
                .inputs
                .get("run_install")
                .is_some_and(|v| !matches!(v.value.trim(), "" | "false" | "null"))
        {
            programs.push((
                program.to_string(),
                step.line,
                Vec::new(),
                Some("install".to_string()),
            ));
        }
        for (program, line, inline_env, subcommand) in programs {
            let pinned = pinned_version(job, i, &program);
            match managers::run_by_program(dir, &program, pinned.as_deref()) {
                Ok(Some((manager, why))) => runs.push(Run {
                    step: i,
                    line,
                    manager,
                    why,
                    inline_env,
                    subcommand,
                    by_action: None,
                }),
                Ok(None) => {}
                Err(why) => say(Unclear {
                    line,
                    message: format!("job `{}` runs {program} here, but {why}", job.id),
                }),
            }
        }
    }
    (runs, unclear)
}

/// setup-node's `cache: yarn` (or `pnpm`, `npm`) runs that manager in its own step, with the
/// step's variables, to find its cache folder (actions/setup-node src/cache-utils.ts:
/// `yarn --version` then `yarn config get cacheFolder` or `yarn cache dir`, `pnpm store
/// path`), and fails the step when it exits non-zero (spec ci-env.md §1.3). It runs in the
/// job's folder, not `defaults.run`'s: for yarn in the folder of a `cache-dependency-path`,
/// where given (setup-node has no input naming another folder; from a review, pmrc read a
/// `project-dir` that action.yml does not declare).
fn setup_node_cache(
    dir: &Path,
    project: &str,
    job: &Job,
    i: usize,
) -> Option<Result<Run, Unclear>> {
    let step = &job.steps[i];
    step.uses
        .as_ref()
        .filter(|u| u.action.eq_ignore_ascii_case(SETUP_NODE))?;
    let cache = step.inputs.get("cache")?;
    let program = cache.value.trim();
    if program.is_empty() {
        return None;
    }
    // The project's manager runs there only where it is the `program` on the PATH by then:
    // Corepack enabled, the manager's setup action, or the runner's own program running it
    // (from a CI trial: real Yarn 4 stopped in setup-node's step on an unset variable, after
    // `corepack enable`; the runner's Yarn 1.22 stops on package.json's `yarn@4` instead).
    let corepack = job.steps[..i].iter().any(|s| {
        s.commands
            .iter()
            .any(|c| c.program == "corepack" && c.first_arg.as_deref() == Some("enable"))
    });
    let set_up = job.steps[..i].iter().any(|s| {
        s.uses.as_ref().is_some_and(|u| {
            managers::installed_by_action(&u.action).is_some_and(|(p, _)| p == program)
        })
    });
    let pinned = pinned_version(job, i, program);
    let unclear = |message: String| {
        Some(Err(Unclear {
            line: cache.line,
            message,
        }))
    };
    let (manager, why) = match managers::run_by_program(dir, program, pinned.as_deref()) {
        Ok(Some((manager, _)))
            if !corepack && !set_up && !manager.rules().runner_program_runs_it(dir) =>
        {
            return None;
        }
        Ok(Some(found)) => found,
        Ok(None) => return None,
        // Nothing set up: the project's manager is not what runs.
        Err(_) if !corepack && !set_up => return None,
        Err(why) => {
            return unclear(format!(
                "job `{}`: setup-node's `cache: {program}` runs {program}, but {why}",
                job.id
            ));
        }
    };
    let dependency_path = step
        .inputs
        .get("cache-dependency-path")
        .map(|v| v.value.trim())
        .filter(|v| !v.is_empty() && program == "yarn");
    let folder = match dependency_path {
        Some(p) if p.contains(['*', '?', '[', '\n']) || p.contains("${{") => {
            return unclear(format!(
                "job `{}`: setup-node's `cache: {program}` runs {program} in the folders of the lock files `cache-dependency-path` matches, which pmrc does not follow, so that run was not checked",
                job.id
            ));
        }
        Some(p) => p.rsplit_once('/').map_or("", |(d, _)| d).to_string(),
        None => String::new(),
    };
    if folder.contains("${{") || !inside(&normal_dir(&folder), project) {
        return None;
    }
    Some(Ok(Run {
        step: i,
        line: cache.line,
        manager,
        why,
        inline_env: Vec::new(),
        subcommand: None,
        by_action: Some(format!("setup-node's `cache: {program}`")),
    }))
}

/// Whether a step's folder is the project's or inside it.
fn inside(step_dir: &str, project: &str) -> bool {
    project.is_empty()
        || step_dir == project
        || step_dir
            .strip_prefix(project)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The version a setup action earlier in the job installed `program` at.
fn pinned_version(job: &Job, before: usize, program: &str) -> Option<String> {
    job.steps[..=before].iter().rev().find_map(|s| {
        let (installs, action) = managers::installed_by_action(&s.uses.as_ref()?.action)?;
        (installs == program)
            .then(|| s.inputs.get(action.version_input).map(|v| v.value.clone()))
            .flatten()
    })
}

/// Whether a variable reaches a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provided {
    /// Set by the workflow (at this line) or by the runner.
    Yes,
    /// Only setup-node's placeholder (`XXXXX-XXXXX-XXXXX-XXXXX`, before v7).
    Placeholder,
    No,
    /// Something at this line pmrc cannot read may set it (the reason says what).
    Unknown(usize, &'static str),
}

/// Variables every GitHub-hosted job has (`GITHUB_TOKEN` is not one: it is a secret).
fn set_by_runner(name: &str) -> bool {
    (name.starts_with("GITHUB_") && name != "GITHUB_TOKEN")
        || name.starts_with("RUNNER_")
        || ["CI", "HOME", "PATH"].contains(&name)
}

/// Whether `name` reaches step `at` of `job` (with `inline` set for its command).
pub fn provided(w: &Workflow, job: &Job, at: usize, inline: &[String], name: &str) -> Provided {
    let step = &job.steps[at];
    let in_env = |e: &super::workflows::Env| e.vars.iter().any(|v| v.name == name);
    if set_by_runner(name)
        || inline.iter().any(|n| n == name)
        || in_env(&w.env)
        || in_env(&job.env)
        || in_env(&step.env)
    {
        return Provided::Yes;
    }
    let mut result = Provided::No;
    for (i, earlier) in job.steps[..at].iter().enumerate() {
        if earlier.github_env.iter().any(|(n, _)| n == name) {
            return Provided::Yes;
        }
        // setup-node with `registry-url` re-exports the token set for its step; before v7
        // it exported a placeholder when none was.
        if name == NODE_AUTH_TOKEN
            && let Some(line) = setup_node_registry(earlier)
        {
            match (provided(w, job, i, &[], name), setup_node_major(earlier)) {
                (Provided::Yes, _) => return Provided::Yes,
                (_, Some(m)) if m < SETUP_NODE_NO_PLACEHOLDER => result = Provided::Placeholder,
                (_, Some(_)) => {}
                (_, None) => {
                    result = Provided::Unknown(
                        line,
                        "setup-node's version cannot be told from its ref (v7 exports no placeholder NODE_AUTH_TOKEN)",
                    )
                }
            }
        }
        if let Some(line) = earlier.github_env_unread {
            result = Provided::Unknown(line, "a $GITHUB_ENV write pmrc cannot read");
        }
    }
    let expression = [&w.env, &job.env, &step.env]
        .into_iter()
        .find_map(|e| e.expression);
    match (result, expression) {
        (Provided::No, Some(line)) => Provided::Unknown(line, "an `env:` given as an expression"),
        (r, _) => r,
    }
}

/// The variables that reach step `at` of `job`, each once with the line that sets it, the
/// nearest first: `inline` (set for its command, at `line`), the `env:` of the step, the job
/// and the workflow, then earlier steps' `$GITHUB_ENV` writes.
pub fn set_for(
    w: &Workflow,
    job: &Job,
    at: usize,
    (inline, line): (&[String], usize),
) -> Vec<(String, usize)> {
    let env_vars = [&job.steps[at].env, &job.env, &w.env]
        .into_iter()
        .flat_map(|e| e.vars.iter().map(|v| (v.name.clone(), v.line)));
    let written = job.steps[..at]
        .iter()
        .flat_map(|s| s.github_env.iter().cloned());
    let mut out: Vec<(String, usize)> = Vec::new();
    for (name, line) in inline
        .iter()
        .map(|n| (n.clone(), line))
        .chain(env_vars)
        .chain(written)
    {
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, line));
        }
    }
    out
}

/// The setup-node major of a step that uses it.
pub fn setup_node_major(step: &Step) -> Option<u32> {
    step.uses
        .as_ref()
        .filter(|u| u.action.eq_ignore_ascii_case(SETUP_NODE))
        .and_then(|u| u.major)
}

/// A setup-node step with `registry-url`: the line of that input.
pub fn setup_node_registry(step: &Step) -> Option<usize> {
    step.uses
        .as_ref()
        .filter(|u| u.action.eq_ignore_ascii_case(SETUP_NODE))?;
    step.inputs
        .get("registry-url")
        .filter(|v| !v.value.trim().is_empty())
        .map(|v| v.line)
}
