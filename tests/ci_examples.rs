//! Issue 8: the pre-commit hooks (`.pre-commit-hooks.yaml`) and the GitHub Actions example
//! (`.ci/examples/github-actions.yml`) are real: their files parse, and every pmrc command
//! in them runs against fixture projects with the exit code and output CI relies on.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Project, fixtures};
use serde::Deserialize;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[derive(Deserialize)]
struct Hook {
    id: String,
    name: String,
    entry: String,
    language: String,
    pass_filenames: bool,
    files: String,
}

/// Runs a shell line as a hook or a workflow step would, with this build's `pmrc` first on
/// PATH and the project as working directory.
fn shell(project: &Project, line: &str) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_pmrc")).parent().unwrap();
    Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(project.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", project.home.path())
        .env_remove("XDG_CONFIG_HOME")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A project whose targets are in sync with its pmrc.toml.
fn in_sync() -> Project {
    let project = Project::from_fixture(&fixtures().join("sync-write"));
    assert!(
        project
            .cmd(&["sync", "--write"])
            .output()
            .unwrap()
            .status
            .success()
    );
    project
}

#[test]
fn issue_8_pre_commit_hooks_run() {
    let yaml = std::fs::read_to_string(repo(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<Hook> = serde_saphyr::from_str(&yaml).unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["pmrc-sync", "pmrc-doctor"]);
    for hook in &hooks {
        assert_eq!(
            hook.language, "rust",
            "{}: pre-commit builds pmrc with cargo",
            hook.id
        );
        assert!(
            !hook.pass_filenames,
            "{}: pmrc reads the whole project",
            hook.id
        );
        assert!(!hook.name.is_empty());
        // pre-commit matches `files` (Python `re.search`) against repo-relative paths.
        let files = regex::Regex::new(&hook.files).unwrap();
        for path in [
            ".npmrc",
            "packages/app/.npmrc",
            ".yarnrc.yml",
            "bunfig.toml",
            "pnpm-workspace.yaml",
        ] {
            assert!(files.is_match(path), "{}: does not run for {path}", hook.id);
        }
        for path in ["src/index.js", "x.npmrc.bak", "README.md"] {
            assert!(!files.is_match(path), "{}: runs for {path}", hook.id);
        }
    }
    let sync = &hooks[0].entry;
    let out = shell(&in_sync(), sync);
    assert_eq!(out.status.code(), Some(0), "{sync} in sync: {}", text(&out));

    let drifted = Project::from_fixture(&fixtures().join("sync-check-drift"));
    let out = shell(&drifted, sync);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{sync} on drift: {}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("+++ b/bunfig.toml"),
        "{}",
        text(&out)
    );

    let doctor = &hooks[1].entry;
    let out = shell(&in_sync(), doctor);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{doctor} on a clean project: {}",
        text(&out)
    );
    let findings = Project::from_fixture(&fixtures().join("doctor-markdown"));
    let out = shell(&findings, doctor);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{doctor} with findings: {}",
        text(&out)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("bun-braced-env-reference"));
}

#[test]
fn issue_8_github_workflow_example_runs() {
    let yaml = std::fs::read_to_string(repo(".ci/examples/github-actions.yml")).unwrap();
    let workflow: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
    assert!(
        workflow["on"]["pull_request"]["paths"].is_array(),
        "{workflow:#}"
    );
    assert!(workflow["on"]["push"].is_object());
    assert_eq!(workflow["permissions"]["security-events"], "write");
    let steps = workflow["jobs"]["pmrc"]["steps"].as_array().unwrap();
    for step in steps {
        assert!(
            step.get("run").is_some() || step.get("uses").is_some(),
            "a step does nothing: {step}"
        );
        if let Some(action) = step["uses"].as_str() {
            assert!(
                action.contains("@v"),
                "{action}: pin the action's major version"
            );
        }
    }
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let pmrc_lines: Vec<&str> = runs
        .iter()
        .flat_map(|r| r.lines())
        .map(str::trim)
        .filter(|l| l.starts_with("pmrc "))
        .collect();
    assert_eq!(
        pmrc_lines,
        [
            "pmrc sync --check",
            "pmrc sync --check --format markdown > pmrc-plan.md || status=$?",
            "pmrc doctor --sarif > pmrc.sarif",
        ]
    );

    // On a pull request that drifted: the check fails, the comment body is the plan.
    let drifted = Project::from_fixture(&fixtures().join("sync-check-drift"));
    let out = shell(&drifted, pmrc_lines[0]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let out = shell(&drifted, pmrc_lines[1]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let comment = drifted.read("pmrc-plan.md").unwrap();
    assert!(comment.starts_with("### pmrc: npm"), "{comment}");
    assert!(
        comment.contains("```diff\n--- /dev/null\n+++ b/bunfig.toml"),
        "{comment}"
    );

    // Doctor's SARIF is what the upload step expects.
    let clean = in_sync();
    let out = shell(&clean, pmrc_lines[2]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let sarif: serde_json::Value =
        serde_json::from_str(&clean.read("pmrc.sarif").unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "pmrc");
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("upload-sarif"))
        })
        .expect("an upload-sarif step");
    assert_eq!(upload["with"]["sarif_file"], "pmrc.sarif");
}
