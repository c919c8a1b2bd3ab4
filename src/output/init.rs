//! `pmrc init`'s output: the new pmrc.toml as a diff (stdout), what happens next, and the
//! CI and pre-commit snippets that run `pmrc sync --check` (stderr), or all of it as JSON.

use std::io;

use serde_json::json;

use super::{JSON_VERSION, Output, diff, print_json, print_stderr, print_stdout, warning_text};
use crate::commands::init::Initialised;

/// The GitHub Actions step of `.ci/examples/github-actions.yml`: pmrc's own action, at the
/// tag of this version.
fn github_actions_step() -> String {
    format!(
        "      - name: Configs in sync\n        uses: pmrc-dev/pmrc@v{}\n        with:\n          command: sync --check\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// The `.pre-commit-config.yaml` entry for the hooks in `.pre-commit-hooks.yaml`, at the tag
/// of this version.
fn pre_commit() -> String {
    format!(
        "repos:\n  - repo: https://github.com/pmrc-dev/pmrc\n    rev: v{}\n    hooks:\n      - id: pmrc-sync\n      - id: pmrc-doctor\n",
        env!("CARGO_PKG_VERSION")
    )
}

pub fn print_init(init: &Initialised, out: &Output) -> io::Result<()> {
    let written = !init.written.is_empty();
    let to: Vec<String> = init.config.to.iter().map(ToString::to_string).collect();
    if out.json() {
        let doc = json!({
            "version": JSON_VERSION,
            "path": init.change.display,
            "status": init.change.status(),
            "written": written,
            "from": init.config.from.to_string(),
            "to": to,
            "user": init.config.user,
            "found": init.found,
            "warnings": init.warnings,
            "diff": diff::unified(&init.change, out.show_secrets, false),
            "snippets": { "github_actions": github_actions_step(), "pre_commit": pre_commit() },
        });
        return print_json(out, &doc);
    }
    if out.quiet() {
        return Ok(());
    }
    print_stdout(
        out,
        &diff::unified(&init.change, out.show_secrets, out.color),
    )?;
    let mut notes = String::new();
    for w in &init.warnings {
        notes.push_str(&warning_text(w, out));
    }
    let managers = format!("{} -> {}", init.config.from, to.join(", "));
    let summary = if written {
        format!("pmrc init: wrote pmrc.toml ({managers}); `pmrc sync --check` now checks it\n")
    } else {
        format!(
            "pmrc init: pmrc.toml would be created ({managers}); run again with --write to create it\n"
        )
    };
    print_stderr(
        out,
        &format!(
            "{notes}{summary}\nIn CI, a GitHub Actions step (a whole workflow is pmrc's .ci/examples/github-actions.yml):\n\n{}\nWith pre-commit, in .pre-commit-config.yaml:\n\n{}",
            github_actions_step(),
            pre_commit()
        ),
    )
}
