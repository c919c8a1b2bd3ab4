//! `doctor --ci`: variables a step's shell drops before the manager starts. A name such as
//! `npm_config_//host/:_authToken` is not a shell identifier, and dash (`/bin/sh` on Ubuntu
//! runners and Debian-based images) leaves such names out of the environment of every command
//! it starts: a `run:` step under `sh` (`shell: sh`, `defaults.run.shell`, or a `container:`
//! job, whose steps use `sh` unless told otherwise) gives the manager none of them (from a
//! trial: npm 11 under `sh -e` sent no Authorization header, under `bash -e` it did).

use rustc_hash::FxHashSet as HashSet;
use std::path::Path;

use super::jobs::{self, Provided, Run};
use super::workflows::{self, Job, ShellFrom, Step};
use super::{CiFinding, File};
use crate::diagnostics::Code;
use crate::env_config::EnvRead;
use crate::formats::Format;
use crate::managers::{Manager, Place};
use crate::warning::Warning;

/// Why a step's `run:` lines run in `sh`, with the line that says so.
enum ShCause {
    /// `shell: sh` (or `dash`), on the step or in `defaults.run`.
    Named(ShellFrom, usize),
    /// A `container:` job's step with no shell named.
    Container(usize),
}

/// `dir`: the project's folder; a key its `.npmrc` sets would beat the fix's user-file line.
pub(super) fn job(file: &File, job: &Job, runs: &[Run], dir: &Path) -> Vec<CiFinding> {
    let w = &file.workflow;
    let mut out = Vec::new();
    let mut said = HashSet::default();
    for run in runs.iter().filter(|r| r.by_action.is_none()) {
        let step = &job.steps[run.step];
        // An action's own run of the manager (pnpm/action-setup's `run_install`) is no shell's.
        if step.uses.is_some() {
            continue;
        }
        let Some(cause) = sh_cause(job, step) else {
            continue;
        };
        // The job writes the user's `.npmrc` itself before the manager runs (this finding's
        // fix, done): pmrc does not read what it writes, so it is taken to carry the lines.
        if writes_user_npmrc_before(job, run) {
            continue;
        }
        let rules = run.manager.rules();
        for (name, line) in jobs::set_for(w, job, run.step, (&[], run.line)) {
            if workflows::is_var_name(&name) {
                continue;
            }
            // A name the manager ignores anyway (pnpm 10's `npm_config_//…`) loses nothing.
            let key = match rules.reads_variable(&name) {
                Some(EnvRead::Setting(key) | EnvRead::Json(key)) => key,
                _ => continue,
            };
            // Once per variable and manager: at the variable's line, naming the first step.
            if !said.insert((line, run.manager)) {
                continue;
            }
            let in_project = project_npmrc_sets(dir, &key);
            out.push(finding(
                file,
                job,
                run,
                (&name, line, &key),
                (&cause, in_project),
            ));
        }
    }
    out
}

/// Why the step runs in `sh`, where it does on a Linux runner; `None` for bash, another
/// shell, one given as an expression, or a macOS or Windows runner (whose `sh` is bash).
fn sh_cause(job: &Job, step: &Step) -> Option<ShCause> {
    let not_linux = job.runs_on.iter().any(|label| {
        let label = label.to_ascii_lowercase();
        label.contains("macos") || label.contains("windows")
    });
    if not_linux {
        return None;
    }
    match &step.shell {
        Some(shell) => {
            let program = shell.command.split_whitespace().next().unwrap_or("");
            let program = program.rsplit('/').next().unwrap_or(program);
            ["sh", "dash"]
                .contains(&program)
                .then_some(ShCause::Named(shell.from, shell.line))
        }
        None => job.container.map(ShCause::Container),
    }
}

fn finding(
    file: &File,
    job: &Job,
    run: &Run,
    (name, line, key): (&str, usize, &str),
    (cause, in_project): (&ShCause, bool),
) -> CiFinding {
    let manager = run.manager;
    let program = manager.rules().programs()[0];
    let step = &job.steps[run.step];
    let under = match cause {
        ShCause::Named(ShellFrom::Step, at) => format!("`shell: sh` ({})", file.line_name(*at)),
        ShCause::Named(ShellFrom::JobDefaults, at) => format!(
            "the job's `defaults.run.shell: sh` ({})",
            file.line_name(*at)
        ),
        ShCause::Named(ShellFrom::WorkflowDefaults, at) => format!(
            "the workflow's `defaults.run.shell: sh` ({})",
            file.line_name(*at)
        ),
        ShCause::Container(at) => format!(
            "`sh`, as GitHub runs a `container:` job's steps ({}) where no shell is named",
            file.line_name(*at)
        ),
    };
    let consequence = if key.starts_with("//") {
        format!("{program} gets no `{key}` from it and sends no credentials there")
    } else {
        format!("{program} gets no `{key}` from it")
    };
    let message = format!(
        "job `{}` runs {program} at {} ({}) under {under}, and {name}, set at {}, is not a shell identifier: dash (`sh` on Ubuntu runners and Debian-based images) drops it from the environment before {program} starts, so {consequence}",
        job.id,
        file.line_name(run.line),
        if run.why.is_empty() {
            manager.label().to_string()
        } else {
            format!("{}: {}", manager.label(), run.why)
        },
        file.line_name(line),
    );
    CiFinding {
        warning: Warning::new(Code::CiVariableDroppedBySh, message, file.origin(line)),
        manager: Some(manager),
        fix: fix(file, job, run, (name, line, key), (cause, in_project), step),
    }
}

/// `shell: bash` on the step, and where the manager reads a user `.npmrc` and the key is
/// one it reads there (a registry's credential, a scope's registry), the line written to that
/// file from the step instead, its value in a variable whose name `sh` keeps. Not where the
/// project's `.npmrc` sets the key (`in_project`): a variable beats that file, the user's
/// file does not.
fn fix(
    file: &File,
    job: &Job,
    run: &Run,
    (name, line, key): (&str, usize, &str),
    (cause, in_project): (&ShCause, bool),
    step: &Step,
) -> String {
    let step_line = file.line_name(step.line);
    let bash = match cause {
        ShCause::Named(ShellFrom::Step, at) => {
            format!("make the step's `shell:` ({}) `bash`", file.line_name(*at))
        }
        ShCause::Named(..) => format!(
            "add `shell: bash` to the step at {step_line} (it overrides `defaults.run.shell`)"
        ),
        ShCause::Container(_) => format!("add `shell: bash` to the step at {step_line}"),
    };
    let image = if job.container.is_some() {
        " where the job's image has bash (Debian-based ones such as node:22 do; Alpine-based ones do not)"
    } else {
        ""
    };
    let rc_line = key.starts_with("//") || (key.starts_with('@') && key.ends_with(":registry"));
    if !rc_line || in_project || !reads_user_npmrc(run.manager) {
        return format!("{bash}{image}");
    }
    let var = [&step.env, &job.env, &file.workflow.env]
        .into_iter()
        .flat_map(|e| e.vars.iter())
        .find(|v| v.name == name && v.line == line);
    // Added to the step's own `env:`, the variable as it is left for the other steps it
    // reaches (a bash step keeps it).
    let (plain, entry) = match var.and_then(|v| v.secret.as_deref()) {
        Some(secret) => (
            secret.to_string(),
            format!("`{secret}: ${{{{ secrets.{secret} }}}}`"),
        ),
        None => {
            let plain = plain_name(key);
            let entry = format!(
                "`{plain}`, with the value {name} has ({}),",
                file.line_name(line)
            );
            (plain, entry)
        }
    };
    // Where NPM_CONFIG_USERCONFIG names another file by then, `~/.npmrc` is never read.
    let userconfig = jobs::provided(
        &file.workflow,
        job,
        run.step,
        &run.inline_env,
        "NPM_CONFIG_USERCONFIG",
    ) == Provided::Yes
        || job.steps[..run.step]
            .iter()
            .any(|s| jobs::setup_node_registry(s).is_some());
    let target = if userconfig {
        "\"$NPM_CONFIG_USERCONFIG\""
    } else {
        "~/.npmrc"
    };
    format!(
        "{bash}{image}; or add {entry} to the step's `env:` and make `echo '{key}=${{{plain}}}' >> {target}` the first line of its `run:` ({} expands `${{{plain}}}` when it reads the file)",
        run.manager.rules().programs()[0]
    )
}

/// Whether a `run:` line of the job before the manager's writes the user's `.npmrc`
/// (`~/.npmrc`, or the file NPM_CONFIG_USERCONFIG names).
fn writes_user_npmrc_before(job: &Job, run: &Run) -> bool {
    let earlier = job.steps[..run.step].iter().flat_map(|s| s.commands.iter());
    let this_step = job.steps[run.step]
        .commands
        .iter()
        .filter(|c| c.line <= run.line);
    earlier
        .chain(this_step)
        .any(|c| c.writes.iter().any(|w| is_user_npmrc(w)))
}

fn is_user_npmrc(target: &str) -> bool {
    [
        "~/.npmrc",
        "$HOME/.npmrc",
        "${HOME}/.npmrc",
        "$NPM_CONFIG_USERCONFIG",
        "${NPM_CONFIG_USERCONFIG}",
    ]
    .contains(&target)
}

/// Whether the project's `.npmrc` has a line for `key`.
fn project_npmrc_sets(dir: &Path, key: &str) -> bool {
    std::fs::read_to_string(dir.join(".npmrc")).is_ok_and(|text| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .any(|(k, _)| k.trim() == key)
    })
}

/// Whether the manager reads the user's `.npmrc`, where the step can write what the variable
/// said.
fn reads_user_npmrc(manager: Manager) -> bool {
    manager
        .sources()
        .iter()
        .any(|s| s.name == ".npmrc" && s.format == Format::Npmrc && s.place == Place::Home)
}

/// A shell identifier for the value of `key`: `//npm.pkg.github.com/:_authToken` →
/// `NPM_PKG_GITHUB_COM_AUTHTOKEN`, `@acme:registry` → `ACME_REGISTRY`.
fn plain_name(key: &str) -> String {
    let upper = crate::env_config::upper_snake(key);
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    let name = words.join("_");
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("NPMRC_{name}")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_shell_identifiers() {
        assert_eq!(
            plain_name("//npm.pkg.github.com/:_authToken"),
            "NPM_PKG_GITHUB_COM_AUTHTOKEN"
        );
        assert_eq!(plain_name("@acme:registry"), "ACME_REGISTRY");
        assert_eq!(
            plain_name("//10.0.0.1:4873/:_authToken"),
            "NPMRC_10_0_0_1_4873_AUTHTOKEN"
        );
        for key in [
            "//npm.pkg.github.com/:_authToken",
            "//10.0.0.1/:_auth",
            "@acme:registry",
        ] {
            assert!(workflows::is_var_name(&plain_name(key)));
        }
    }
}
