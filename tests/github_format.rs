//! Issue 17: `--format github` prints GitHub Actions workflow commands that the runner can
//! read back: each line parsed here as the runner parses it (properties and message
//! unescaped) names a file under the workspace, a line that exists in it, a severity, and a
//! message, and never a secret.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use assert_fs::TempDir;
use common::pmrc;

/// One workflow command, unescaped.
#[derive(Debug)]
struct Command {
    severity: String,
    props: BTreeMap<String, String>,
    message: String,
}

/// GitHub's `unescapeData` / `unescapeProperty` (the runner's `ActionCommand.Unescape`):
/// `%25` last, so an escaped `%0A` in the text stays as it was written.
fn unescape(text: &str, property: bool) -> String {
    let mut out = text.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        out = out.replace("%3A", ":").replace("%2C", ",");
    }
    out.replace("%25", "%")
}

/// Parses `::severity k=v,k=v::message` as the runner does; panics on anything else, so a
/// line that GitHub would show as plain log text fails the test.
fn parse(line: &str) -> Command {
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a workflow command: {line}"));
    let (head, message) = rest
        .split_once("::")
        .unwrap_or_else(|| panic!("no message: {line}"));
    let (severity, props) = head.split_once(' ').unwrap_or((head, ""));
    assert!(
        ["error", "warning", "notice"].contains(&severity),
        "{severity}: {line}"
    );
    assert!(!message.contains('\n') && !message.contains('\r'));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or_else(|| panic!("{p}: {line}"));
            assert!(!v.contains(':'), "unescaped `:` in {k}: {line}");
            (k.to_string(), unescape(v, true))
        })
        .collect();
    Command {
        severity: severity.to_string(),
        props,
        message: unescape(message, false),
    }
}

struct Run {
    code: Option<i32>,
    commands: Vec<Command>,
    raw: String,
}

/// pmrc in `workspace/app` with GITHUB_WORKSPACE set to `workspace`, as in a checkout whose
/// project is in a subfolder.
fn run(workspace: &Path, args: &[&str]) -> Run {
    let home = TempDir::new().unwrap();
    let out = pmrc()
        .args(args)
        .current_dir(workspace.join("app"))
        .env("GITHUB_WORKSPACE", workspace)
        .env("HOME", home.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    Run {
        code: out.status.code(),
        commands: stdout.lines().map(parse).collect(),
        raw: format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
    }
}

const SECRET: &str = "FAKESECRET-github-0042";

fn workspace() -> TempDir {
    let ws = TempDir::new().unwrap();
    let app = ws.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join(".npmrc"),
        format!(
            "# team registry\n@acme:registry=https://ci:{SECRET}@npm.pkg.example/\n//npm.pkg.example/:_authToken={SECRET}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        app.join(".yarnrc.yml"),
        "enableTelemetry: false\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.pkg.example\"\n",
    )
    .unwrap();
    ws
}

fn assert_no_secret(run: &Run) {
    assert!(!run.raw.contains(SECRET), "{}", run.raw);
    for c in &run.commands {
        assert!(!c.message.contains(SECRET), "{c:?}");
        assert!(c.props.values().all(|v| !v.contains(SECRET)), "{c:?}");
    }
}

#[test]
fn issue_17_drift_is_an_error_on_the_changed_line() {
    let ws = workspace();
    let run = run(
        ws.path(),
        &[
            "convert", "--from", "npm", "--to", "yarn", "--check", "--format", "github",
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.raw);
    assert_no_secret(&run);
    let drift = run
        .commands
        .iter()
        .find(|c| {
            c.props
                .get("title")
                .is_some_and(|t| t.contains("out of sync"))
        })
        .unwrap_or_else(|| panic!("{}", run.raw));
    assert_eq!(drift.severity, "error");
    // Named from the workspace root, with `/`, on a line the file has.
    assert_eq!(drift.props["file"], "app/.yarnrc.yml");
    let line: usize = drift.props["line"].parse().unwrap();
    let lines = std::fs::read_to_string(ws.path().join("app/.yarnrc.yml"))
        .unwrap()
        .lines()
        .count();
    assert!((1..=lines).contains(&line), "line {line} of {lines}");
    if let Some(col) = drift.props.get("col") {
        assert!(col.parse::<usize>().unwrap() >= 1);
    }
    // The message is the masked diff, on several lines once unescaped.
    assert!(
        drift.message.contains("\n+++ b/.yarnrc.yml\n"),
        "{}",
        drift.message
    );
    assert!(
        drift.message.contains("npmAuthToken: ***"),
        "{}",
        drift.message
    );
    assert!(drift.message.contains("--write"), "{}", drift.message);
}

#[test]
fn issue_17_findings_keep_their_file_line_and_severity() {
    let ws = workspace();
    let run = run(ws.path(), &["doctor", "--format", "github"]);
    assert_eq!(run.code, Some(1), "{}", run.raw);
    assert_no_secret(&run);
    assert!(!run.commands.is_empty(), "{}", run.raw);
    let text = std::fs::read_to_string(ws.path().join("app/.npmrc")).unwrap();
    let npmrc: Vec<&str> = text.lines().collect();
    let literal = run
        .commands
        .iter()
        .find(|c| c.props["title"].contains("secret-file-permissions"))
        .unwrap_or_else(|| panic!("{}", run.raw));
    assert_eq!(literal.severity, "warning");
    assert_eq!(literal.props["file"], "app/.npmrc");
    let line: usize = literal.props["line"].parse().unwrap();
    // The line that holds the secret (pmrc's text never shows it; the file does).
    assert!(
        npmrc[line - 1].contains(SECRET),
        "line {line}: {}",
        npmrc[line - 1]
    );
    assert!(literal.message.contains("\nFix: "), "{}", literal.message);

    // `-q` prints nothing, as in every format; the exit code still tells.
    let quiet = self::run(ws.path(), &["doctor", "--format", "github", "-q"]);
    assert!(quiet.commands.is_empty(), "{}", quiet.raw);
    assert_eq!(quiet.code, Some(1));
}

#[test]
fn issue_17_severities_map_to_error_warning_and_notice() {
    let ws = workspace();
    // Without --check a change is a notice; a translation's loss is a warning.
    std::fs::write(
        ws.path().join("app/.npmrc"),
        "@a:registry=https://shared.example/\n@b:registry=https://shared.example/\n//shared.example/:_authToken=${A}\nproxy=http://ci:FAKESECRET-github-0042@proxy.example:3128\n",
    )
    .unwrap();
    std::fs::remove_file(ws.path().join("app/.yarnrc.yml")).unwrap();
    let run = run(
        ws.path(),
        &[
            "convert", "--from", "npm", "--to", "bun", "--format", "github",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.raw);
    assert_no_secret(&run);
    let severities: Vec<&str> = run.commands.iter().map(|c| c.severity.as_str()).collect();
    assert_eq!(severities[0], "notice", "{}", run.raw);
    // A file that does not exist yet is named in the message, not as the annotated file.
    assert!(!run.commands[0].props.contains_key("file"), "{}", run.raw);
    assert!(
        run.commands[0]
            .message
            .starts_with("bunfig.toml would be created")
    );
    assert!(severities[1..].contains(&"warning"), "{}", run.raw);
}

#[test]
fn issue_17_show_and_explain_refuse_github() {
    let ws = workspace();
    let run = run(ws.path(), &["show", "--format", "github"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.raw
            .contains("--format github is for convert, sync and doctor")
    );
}

#[test]
fn issue_17_the_parser_unescapes_as_the_runner_does() {
    // The parser above is only as good as its unescape (pmrc's escape has a unit test with
    // the same text).
    assert_eq!(
        unescape("100%25 a%0D%0Ab%3A c%2C d", true),
        "100% a\r\nb: c, d"
    );
    assert_eq!(
        unescape("100%25 a%0D%0Ab: c, d%250A", false),
        "100% a\r\nb: c, d%0A"
    );
}
