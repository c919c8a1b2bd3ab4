//! Issue 8: the pre-commit hooks (`.pre-commit-hooks.yaml`) and the GitHub Actions example
//! (`.ci/examples/github-actions.yml`) are real: their files parse, and every pmrc command
//! in them runs against fixture projects with the exit code and output CI relies on.
//! Issue 17: the same for pmrc's own action (`action.yml`), whose steps run here as the
//! runner runs them, with a fake `gh` that keeps the pull request's comments.

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
    assert_eq!(pmrc_lines, ["pmrc doctor --sarif > pmrc.sarif"]);

    // Issue 17: the check is pmrc's own action, at the release of this version (no
    // placeholder, no build from source on every run).
    let sync = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("pmrc-dev/pmrc@"))
        })
        .expect("a step that uses pmrc's action");
    assert_eq!(
        sync["uses"],
        format!("pmrc-dev/pmrc@v{}", env!("CARGO_PKG_VERSION"))
    );
    assert!(!yaml.contains("your-org"), "a placeholder is left");
    let command = sync["with"]["command"].as_str().unwrap();
    assert_eq!(command, "sync --check");
    assert!(
        sync["with"]["comment"]
            .as_str()
            .is_some_and(|c| c.contains("pull_request.head.repo.fork")),
        "forks' read-only tokens cannot comment"
    );

    // On a pull request that drifted: the action fails with annotations and comments the
    // plan (the `comment` expression is true on a pull request from the same repository).
    let drifted = Project::from_fixture(&fixtures().join("sync-check-drift"));
    let runner = Runner::new();
    let pmrc = env!("CARGO_BIN_EXE_pmrc");
    let out = runner.run(
        &drifted,
        &[("command", command), ("comment", "true")],
        &[("PMRC_BIN", pmrc)],
    );
    assert_eq!(out.code, Some(1), "{}", out.log);
    assert!(
        out.stdout
            .contains("::error title=pmrc%3A bunfig.toml is missing::"),
        "{}",
        out.log
    );
    let comment = &out.comments[0].1;
    assert!(comment.contains("### pmrc: npm"), "{comment}");
    assert!(
        comment.contains("```diff\n--- /dev/null\n+++ b/bunfig.toml"),
        "{comment}"
    );

    // Doctor's SARIF is what the upload step expects.
    let clean = in_sync();
    let out = shell(&clean, pmrc_lines[0]);
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

/// A stand-in for `gh` that records each call and keeps a pull request's comments as JSON
/// files, answering `--jq` with the real jq as gh's built-in one would.
const FAKE_GH: &str = r#"#!/bin/sh
set -e
state=$FAKE_GH
echo "$*" >>"$state/calls"
[ "$1" = api ] || { echo "fake gh: only api" >&2; exit 1; }
shift
method=GET; path=; expr=.; body=
while [ $# -gt 0 ]; do
  case "$1" in
    --method) method=$2; shift 2 ;;
    --paginate) shift ;;
    --jq) expr=$2; shift 2 ;;
    -F) case "$2" in body=@*) body=${2#body=@} ;; *) echo "fake gh: field $2" >&2; exit 1 ;; esac; shift 2 ;;
    -*) echo "fake gh: flag $1" >&2; exit 1 ;;
    *) path=$1; shift ;;
  esac
done
mkdir -p "$state/comments"
case "$method $path" in
  "GET repos/"*/issues/*/comments)
    cat "$state"/comments/*.json 2>/dev/null | jq -s . | jq -r "$expr" ;;
  "POST repos/"*/issues/*/comments)
    id=$(( $(ls "$state/comments" | wc -l) + 1001 ))
    jq -n --argjson id "$id" --rawfile b "$body" '{id: $id, body: $b}' >"$state/comments/$id.json" ;;
  "PATCH repos/"*/issues/comments/*)
    id=${path##*/}
    [ -f "$state/comments/$id.json" ] || { echo "fake gh: no comment $id" >&2; exit 1; }
    jq -n --argjson id "$id" --rawfile b "$body" '{id: $id, body: $b}' >"$state/comments/$id.json" ;;
  *) echo "fake gh: $method $path" >&2; exit 1 ;;
esac
"#;

/// What one run of the action did.
struct ActionRun {
    /// The exit code of the step that ended the run (the last one, or the first that failed).
    code: Option<i32>,
    stdout: String,
    log: String,
    /// The `gh` command lines, in order.
    gh_calls: Vec<String>,
    /// The comments on the pull request now, as (id, body).
    comments: Vec<(u64, String)>,
    outputs: String,
}

/// The GitHub side of a pull request's runs: a fake `gh` and its state, kept across runs.
struct Runner {
    dir: assert_fs::TempDir,
}

impl Runner {
    fn new() -> Runner {
        use std::os::unix::fs::PermissionsExt;
        let dir = assert_fs::TempDir::new().unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::create_dir_all(dir.path().join("gh")).unwrap();
        let gh = dir.path().join("bin/gh");
        std::fs::write(&gh, FAKE_GH).unwrap();
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
        Runner { dir }
    }

    /// Runs action.yml's steps as the runner runs a composite action: each `run:` with
    /// `bash -eo pipefail`, its `env:` with `${{ inputs.* }}` filled from `with` and the
    /// defaults, GITHUB_ENV / GITHUB_PATH / GITHUB_OUTPUT files carried between steps.
    fn run(&self, project: &Project, with: &[(&str, &str)], env: &[(&str, &str)]) -> ActionRun {
        let action = action();
        let temp = assert_fs::TempDir::new().unwrap();
        let file = |name: &str| {
            let p = temp.path().join(name);
            std::fs::write(&p, "").unwrap();
            p
        };
        let (github_env, github_path, github_output) = (file("env"), file("path"), file("output"));
        let event = temp.path().join("event.json");
        std::fs::write(&event, r#"{"pull_request": {"number": 7}}"#).unwrap();
        let input = |name: &str| -> String {
            with.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
                .or_else(|| {
                    action["inputs"][name]["default"]
                        .as_str()
                        .map(str::to_string)
                })
                .unwrap_or_else(|| panic!("action.yml has no input {name}"))
        };
        let calls_before = self.gh_calls().len();
        let mut stdout = String::new();
        let mut log = String::new();
        let mut code = Some(0);
        for step in action["runs"]["steps"].as_array().unwrap() {
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
                .arg(step["run"].as_str().unwrap())
                .current_dir(project.path())
                .env_clear()
                .env("HOME", project.home.path())
                .env("NO_COLOR", "1")
                .env("GITHUB_ACTION_PATH", repo(""))
                .env("GITHUB_WORKSPACE", project.path())
                .env("GITHUB_REPOSITORY", "acme/app")
                .env("GITHUB_REF", "refs/pull/7/merge")
                .env("GITHUB_EVENT_NAME", "pull_request")
                .env("GITHUB_EVENT_PATH", &event)
                .env("GITHUB_ENV", &github_env)
                .env("GITHUB_PATH", &github_path)
                .env("GITHUB_OUTPUT", &github_output)
                .env("RUNNER_TEMP", temp.path())
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64")
                .env("FAKE_GH", self.dir.path().join("gh"));
            let mut path = vec![self.dir.path().join("bin").display().to_string()];
            path.extend(
                std::fs::read_to_string(&github_path)
                    .unwrap()
                    .lines()
                    .map(String::from),
            );
            path.extend(["/usr/bin".to_string(), "/bin".to_string()]);
            cmd.env("PATH", path.join(":"));
            for (k, v) in env {
                cmd.env(k, v);
            }
            for line in std::fs::read_to_string(&github_env).unwrap().lines() {
                let (k, v) = line.split_once('=').unwrap();
                cmd.env(k, v);
            }
            for (k, v) in step["env"].as_object().into_iter().flatten() {
                let v = v.as_str().unwrap();
                let value = match v
                    .strip_prefix("${{ inputs.")
                    .and_then(|r| r.strip_suffix(" }}"))
                {
                    Some(name) => input(name),
                    None => panic!("{k}: only `${{{{ inputs.* }}}}` is emulated, not {v}"),
                };
                cmd.env(k, value);
            }
            let out = cmd.output().unwrap();
            stdout.push_str(&String::from_utf8_lossy(&out.stdout));
            log.push_str(&text(&out));
            code = out.status.code();
            if !out.status.success() {
                break;
            }
        }
        let mut comments: Vec<(u64, String)> =
            std::fs::read_dir(self.dir.path().join("gh/comments"))
                .into_iter()
                .flatten()
                .map(|e| {
                    let c: serde_json::Value =
                        serde_json::from_str(&std::fs::read_to_string(e.unwrap().path()).unwrap())
                            .unwrap();
                    (
                        c["id"].as_u64().unwrap(),
                        c["body"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
        comments.sort();
        ActionRun {
            code,
            stdout,
            log,
            gh_calls: self.gh_calls()[calls_before..].to_vec(),
            comments,
            outputs: std::fs::read_to_string(&github_output).unwrap(),
        }
    }

    fn gh_calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("gh/calls"))
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }
}

fn action() -> serde_json::Value {
    serde_saphyr::from_str(&std::fs::read_to_string(repo("action.yml")).unwrap()).unwrap()
}

#[test]
fn issue_17_action_yml_declares_its_inputs_and_runs_the_script() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = &action["inputs"];
    assert_eq!(inputs["command"]["default"], "sync --check");
    assert_eq!(inputs["comment"]["default"], "false");
    // Empty: the action's own version (its Cargo.toml), so a pinned ref installs itself.
    assert_eq!(inputs["version"]["default"], "");
    let steps = action["runs"]["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    for step in steps {
        let run = step["run"].as_str().unwrap_or_else(|| panic!("{step}"));
        assert!(
            run.contains("$GITHUB_ACTION_PATH/.github/action/run.sh"),
            "{run}: the step's logic belongs in the script the tests run"
        );
        assert_eq!(step["shell"], "bash", "{step}");
    }
    assert!(repo(".github/action/run.sh").is_file());
}

#[test]
fn issue_17_action_annotates_passes_the_exit_code_and_keeps_one_comment() {
    let pmrc = env!("CARGO_BIN_EXE_pmrc");
    let runner = Runner::new();
    let drifted = Project::from_fixture(&fixtures().join("sync-check-drift"));
    let with = [("comment", "true")];
    let env = [("PMRC_BIN", pmrc)];

    // Drift: annotations on the drifted file's line, exit 1, one comment created.
    let first = runner.run(&drifted, &with, &env);
    assert_eq!(first.code, Some(1), "{}", first.log);
    assert!(
        first
            .stdout
            .contains("::error file=.yarnrc.yml,line=5,title=pmrc%3A .yarnrc.yml is out of sync::"),
        "{}",
        first.log
    );
    assert!(first.outputs.contains("exit-code=1"), "{}", first.outputs);
    assert_eq!(first.comments.len(), 1, "{:?}", first.gh_calls);
    let (id, body) = &first.comments[0];
    assert!(body.starts_with("<!-- pmrc -->\n### pmrc: npm"), "{body}");
    assert!(body.contains("+++ b/bunfig.toml"), "{body}");
    assert!(
        first.gh_calls[0]
            .starts_with("api --method GET --paginate repos/acme/app/issues/7/comments")
    );
    assert!(first.gh_calls[1].starts_with("api --method POST repos/acme/app/issues/7/comments"));

    // The next push, still drifted: the same comment is updated, not a second one added.
    let again = runner.run(&drifted, &with, &env);
    assert_eq!(again.code, Some(1), "{}", again.log);
    assert_eq!(again.comments.len(), 1, "{:?}", again.gh_calls);
    assert_eq!(again.comments[0].0, *id);
    assert!(
        again.gh_calls.iter().any(|c| c.starts_with(&format!(
            "api --method PATCH repos/acme/app/issues/comments/{id}"
        ))),
        "{:?}",
        again.gh_calls
    );
    assert!(
        !again.gh_calls.iter().any(|c| c.contains("POST")),
        "{:?}",
        again.gh_calls
    );

    // Fixed: exit 0, and the comment now says so.
    assert!(
        drifted
            .cmd(&["sync", "--write"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let fixed = runner.run(&drifted, &with, &env);
    assert_eq!(fixed.code, Some(0), "{}", fixed.log);
    assert_eq!(fixed.comments.len(), 1);
    assert!(
        fixed.comments[0].1.contains("Every target file is in sync"),
        "{}",
        fixed.comments[0].1
    );
    assert!(!fixed.stdout.contains("::error"), "{}", fixed.log);
}

#[test]
fn issue_17_action_comments_only_when_asked_and_only_on_something_to_say() {
    let pmrc = env!("CARGO_BIN_EXE_pmrc");
    let env = [("PMRC_BIN", pmrc)];

    // In sync, with comment: no comment to update, none created.
    let runner = Runner::new();
    let out = runner.run(&in_sync(), &[("comment", "true")], &env);
    assert_eq!(out.code, Some(0), "{}", out.log);
    assert!(out.comments.is_empty(), "{:?}", out.gh_calls);
    assert_eq!(
        out.gh_calls.len(),
        1,
        "only the look-up: {:?}",
        out.gh_calls
    );

    // Drifted, comment off (the default): annotations and exit 1, no call to GitHub at all.
    let runner = Runner::new();
    let drifted = Project::from_fixture(&fixtures().join("sync-check-drift"));
    let out = runner.run(&drifted, &[], &env);
    assert_eq!(out.code, Some(1), "{}", out.log);
    assert!(out.stdout.contains("::error "), "{}", out.log);
    assert!(out.gh_calls.is_empty(), "{:?}", out.gh_calls);

    // Another command: doctor's findings as warnings, its exit code passed through.
    let findings = Project::from_fixture(&fixtures().join("doctor-markdown"));
    let out = runner.run(
        &findings,
        &[("command", "doctor"), ("comment", "true")],
        &env,
    );
    assert_eq!(out.code, Some(1), "{}", out.log);
    assert!(
        out.stdout.contains(
            "::warning file=bunfig.toml,line=2,title=pmrc doctor bun-braced-env-reference::"
        ),
        "{}",
        out.log
    );
    assert_eq!(out.comments.len(), 1, "{:?}", out.gh_calls);
    assert!(
        out.comments[0]
            .1
            .starts_with("<!-- pmrc -->\n### pmrc doctor"),
        "{}",
        out.comments[0].1
    );

    // An error (exit 2) is passed through and comments nothing.
    let broken = Project::from_fixture(&fixtures().join("sync-bad-config"));
    let runner = Runner::new();
    let out = runner.run(&broken, &[("comment", "true")], &env);
    assert_eq!(out.code, Some(2), "{}", out.log);
    assert!(out.gh_calls.is_empty(), "{:?}", out.gh_calls);
}
