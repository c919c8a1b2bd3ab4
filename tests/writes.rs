//! Issue 15: reads and writes that cannot hurt. Only regular files, every permission proven
//! before the first write, every byte of the user's file kept.
//!
//! Permission cases run pmrc as the unprivileged user `nobody` (`setpriv`) when the suite
//! runs as root, as CI does; root ignores file permissions, so they would prove nothing.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use assert_fs::TempDir;

fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn pmrc_in(dir: &Path, home: &Path, args: &[&str]) -> Output {
    common::pmrc()
        .args(args)
        .arg("--dir")
        .arg(dir)
        .env("HOME", home)
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

/// A command that must finish quickly, killed after 20 s if it hangs.
fn bounded(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("pmrc hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn issue_15_only_regular_files_are_read() {
    let dir = project(&[]);
    let status = Command::new("mkfifo")
        .arg(dir.path().join(".npmrc"))
        .status()
        .unwrap();
    assert!(status.success());
    let mut cmd = common::pmrc();
    cmd.args(["convert", "--from", "npm", "--to", "yarn", "--dir"])
        .arg(dir.path());
    let out = bounded(cmd);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("a FIFO, not a regular file"),
        "{}",
        text(&out)
    );

    let dir = project(&[]);
    std::os::unix::fs::symlink("/dev/zero", dir.path().join(".npmrc")).unwrap();
    let mut cmd = common::pmrc();
    cmd.args(["show", "--dir"]).arg(dir.path());
    let out = bounded(cmd);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("a device, not a regular file"),
        "{}",
        text(&out)
    );
}

#[test]
fn issue_15_a_hard_linked_target_is_refused() {
    let dir = project(&[
        (".npmrc", "registry=https://r.example/\n"),
        (".yarnrc.yml", "nodeLinker: pnp\n"),
    ]);
    std::fs::hard_link(
        dir.path().join(".yarnrc.yml"),
        dir.path().join("linked.yml"),
    )
    .unwrap();
    let home = TempDir::new().unwrap();
    let out = pmrc_in(
        dir.path(),
        home.path(),
        &["convert", "--from", "npm", "--to", "yarn", "--write"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("hard links"), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("linked.yml")).unwrap(),
        "nodeLinker: pnp\n"
    );
}

#[test]
fn issue_15_line_endings_and_byte_order_marks_are_kept() {
    // bunfig.toml with CRLF, a BOM and sections pmrc does not own.
    let bunfig = "\u{feff}# build settings\r\n[run]\r\nshell = \"bash\"\r\n\r\n[install]\r\nregistry = \"https://old.example/\"\r\n\r\n[test]\r\ncoverage = true\r\n";
    let dir = project(&[
        ("bunfig.toml", bunfig),
        (".npmrc", "registry=https://r.example/\n"),
    ]);
    let home = TempDir::new().unwrap();
    let out = pmrc_in(
        dir.path(),
        home.path(),
        &["convert", "--from", "npm", "--to", "bun", "--write"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let after = std::fs::read_to_string(dir.path().join("bunfig.toml")).unwrap();
    assert!(
        after.starts_with("\u{feff}# build settings\r\n[run]\r\nshell = \"bash\"\r\n"),
        "{after:?}"
    );
    assert!(
        after.contains("registry = \"https://r.example/\"\r\n"),
        "{after:?}"
    );
    assert!(
        after.ends_with("[test]\r\ncoverage = true\r\n"),
        "{after:?}"
    );
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "a bare LF: {after:?}"
    );

    // doctor --fix on the same kind of file.
    let dir = project(&[(
        "bunfig.toml",
        "\u{feff}[install]\r\nregistry = { url = \"https://r.example/\", token = \"${T}\" }\r\n[run]\r\nshell = \"bash\"\r\n",
    )]);
    let out = pmrc_in(dir.path(), home.path(), &["doctor", "--fix", "--write"]);
    let after = std::fs::read_to_string(dir.path().join("bunfig.toml")).unwrap();
    assert!(
        after.contains("token = \"$T\""),
        "{}\n{after:?}",
        text(&out)
    );
    assert!(
        after.starts_with('\u{feff}') && after.ends_with("shell = \"bash\"\r\n"),
        "{after:?}"
    );

    // A BOM before an owned first line that goes away stays.
    let dir = project(&[
        (".npmrc", "\u{feff}always-auth=true\nsave-exact=true\n"),
        (".yarnrc.yml", "npmRegistryServer: \"https://r.example\"\n"),
    ]);
    let out = pmrc_in(
        dir.path(),
        home.path(),
        &["convert", "--from", "yarn", "--to", "npm", "--write"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let after = std::fs::read_to_string(dir.path().join(".npmrc")).unwrap();
    assert!(
        after.starts_with('\u{feff}') && !after.contains("always-auth"),
        "{after:?}"
    );
}

#[test]
fn issue_15_an_edited_boolean_stays_a_boolean() {
    let dir = project(&[
        ("pnpm-workspace.yaml", "packages: []\nstrictSsl: true\n"),
        (".npmrc", "registry=https://r.example/\nstrict-ssl=false\n"),
    ]);
    let home = TempDir::new().unwrap();
    let out = pmrc_in(
        dir.path(),
        home.path(),
        &["convert", "--from", "npm", "--to", "pnpm@12", "--write"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let after = std::fs::read_to_string(dir.path().join("pnpm-workspace.yaml")).unwrap();
    assert!(after.contains("strictSsl: false\n"), "{after}");
}

#[test]
fn issue_15_positions_skip_the_bom_and_count_lone_cr_lines() {
    let dir = project(&[(
        ".yarnrc.yml",
        "nodeLinker: pnp\rnpmRegistryServer: \"https://r.example\"\rnpmScopes:\r  acme:\r    npmRegistryServr: \"x\"\r",
    )]);
    let home = TempDir::new().unwrap();
    let out = pmrc_in(dir.path(), home.path(), &["show"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(".yarnrc.yml:5:"), "{}", text(&out));
}

#[test]
fn issue_15_a_broken_package_json_is_said() {
    let dir = project(&[
        ("package.json", "{\"packageManager\": \"pnpm@10.0.0\",}\n"),
        ("pnpm-workspace.yaml", "registry: \"https://r.example/\"\n"),
    ]);
    let home = TempDir::new().unwrap();
    let out = pmrc_in(dir.path(), home.path(), &["show", "--manager", "pnpm"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("package-json-unreadable") && said.contains("pnpm 12"),
        "{said}"
    );
}

/// `setpriv` runs pmrc as `nobody`; `None` when this suite does not run as root.
fn as_nobody(dir: &Path, home: &Path, args: &[&str]) -> Option<Output> {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .is_some_and(|o| o.stdout == b"0\n");
    if !root {
        eprintln!("not root: the unprivileged cases run only where pmrc can drop privileges");
        return None;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_pmrc"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Some(out)
}

/// A folder `nobody` may enter and write (like a world-writable shared folder).
fn open_dir() -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

#[test]
fn issue_15_a_file_this_user_cannot_write_is_not_replaced() {
    let dir = open_dir();
    std::fs::write(
        dir.path().join(".yarnrc.yml"),
        "npmRegistryServer: \"https://r.example\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        "registry=https://other.example/\n",
    )
    .unwrap();
    for name in [".npmrc", ".yarnrc.yml"] {
        std::fs::set_permissions(
            dir.path().join(name),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    let home = open_dir();
    let Some(out) = as_nobody(
        dir.path(),
        home.path(),
        &["convert", "--from", "npm", "--to", "yarn", "--write"],
    ) else {
        return;
    };
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("cannot be written by this user"),
        "{}",
        text(&out)
    );
    let meta = std::fs::metadata(dir.path().join(".yarnrc.yml")).unwrap();
    assert_eq!(meta.uid(), 0, "the file changed hands");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".yarnrc.yml")).unwrap(),
        "npmRegistryServer: \"https://r.example\"\n"
    );
}

#[test]
fn issue_15_nothing_is_written_unless_everything_can_be() {
    // A read-only home: the user-level file cannot be created, so the project file that
    // could be written is not written either.
    let dir = open_dir();
    std::fs::write(dir.path().join(".npmrc"), "registry=https://r.example/\n").unwrap();
    std::fs::set_permissions(
        dir.path().join(".npmrc"),
        std::fs::Permissions::from_mode(0o666),
    )
    .unwrap();
    let home = TempDir::new().unwrap();
    std::fs::write(home.path().join(".npmrc"), "//r.example/:_authToken=${T}\n").unwrap();
    std::fs::set_permissions(
        home.path().join(".npmrc"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let Some(out) = as_nobody(
        dir.path(),
        home.path(),
        &[
            "convert", "--from", "npm", "--to", "yarn", "--user", "--write",
        ],
    ) else {
        return;
    };
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!text(&out).contains("already written"), "{}", text(&out));
    assert!(
        !dir.path().join(".yarnrc.yml").exists(),
        "the project file was written"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "temporaries left: {leftovers:?}");
}

/// From a trial: a project `.npmrc` that was a symlink to `~/.npmrc` had `registry=` added
/// by a conversion without `--user`, which moved every project of that user, unsaid. It is
/// refused (with `--user` too), nothing is written, and the command the refusal gives, run
/// as printed, makes the conversion write the project's own file, without the user's token.
#[test]
fn a_project_file_linked_to_a_user_file_is_not_written_without_user() {
    let dir = assert_fs::TempDir::new().unwrap();
    let (home, project) = (dir.path().join("home"), dir.path().join("p"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&project).unwrap();
    let user_text = "//registry.npmjs.org/:_authToken=FAKE-home-token\n";
    std::fs::write(home.join(".npmrc"), user_text).unwrap();
    std::os::unix::fs::symlink(home.join(".npmrc"), project.join(".npmrc")).unwrap();
    std::fs::write(project.join("package.json"), "{}\n").unwrap();
    std::fs::write(
        project.join(".yarnrc.yml"),
        "npmRegistryServer: \"https://registry.example.test\"\n",
    )
    .unwrap();
    let convert = || {
        common::pmrc()
            .args([
                "convert", "--from", "yarn", "--to", "npm", "--write", "--dir",
            ])
            .arg(&project)
            .env("HOME", &home)
            .output()
            .unwrap()
    };
    let out = convert();
    let said = String::from_utf8_lossy(&out.stderr).replace("\n    ", " ");
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("is a link to ~/.npmrc"), "{said}");
    assert_eq!(
        std::fs::read_to_string(home.join(".npmrc")).unwrap(),
        user_text
    );
    // With --user too: planned as the project's file, it lost the user's token (a review).
    let with_user = common::pmrc()
        .args([
            "convert", "--from", "yarn", "--to", "npm", "--write", "--user", "--dir",
        ])
        .arg(&project)
        .env("HOME", &home)
        .output()
        .unwrap();
    assert_eq!(with_user.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(home.join(".npmrc")).unwrap(),
        user_text
    );
    let command = said
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no command: {said}"));
    let ran = std::process::Command::new("sh")
        .args(["-c", command])
        .output()
        .unwrap();
    assert!(ran.status.success(), "{command}: {ran:?}");
    let out = convert();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(home.join(".npmrc")).unwrap(),
        user_text
    );
    // The project's own file holds what the conversion wrote, none of the user's secrets.
    let own = std::fs::read_to_string(project.join(".npmrc")).unwrap();
    assert!(
        own.contains("registry=https://registry.example.test/"),
        "{own}"
    );
    assert!(!own.contains("FAKE-home-token"), "{own}");
}

/// From a trial: a CRLF file's preview printed its lines with LF alone, so the diff did
/// not apply to the file (`patch`: "different line endings"), and the preview was not what
/// `--write` writes. It now applies (`git apply --check`), and `--write` writes its result.
#[test]
fn a_crlf_file_s_preview_applies_to_it() {
    let dir = assert_fs::TempDir::new().unwrap();
    let yarnrc = "npmRegistryServer: \"https://old.example.test\"\r\nenableTelemetry: false\r\n";
    std::fs::write(dir.path().join(".yarnrc.yml"), yarnrc).unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        "registry=https://registry.example.test/\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("package.json"), "{}\n").unwrap();
    let preview = common::pmrc()
        .args([
            "convert",
            "--from",
            "npm",
            "--to",
            "yarn",
            "--show-secrets",
            "--dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(preview.status.success());
    std::fs::write(dir.path().join("preview.diff"), &preview.stdout).unwrap();
    let check = std::process::Command::new("git")
        .args(["apply", "--check", "preview.diff"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&check.stderr),
        String::from_utf8_lossy(&preview.stdout)
    );
    let applied = std::process::Command::new("git")
        .args(["apply", "preview.diff"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(applied.status.success());
    let previewed = std::fs::read(dir.path().join(".yarnrc.yml")).unwrap();
    std::fs::write(dir.path().join(".yarnrc.yml"), yarnrc).unwrap();
    let write = common::pmrc()
        .args([
            "convert", "--from", "npm", "--to", "yarn", "--write", "--dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(write.status.success());
    assert_eq!(
        std::fs::read(dir.path().join(".yarnrc.yml")).unwrap(),
        previewed
    );
}

/// From a trial: a literal token written into an existing 664 `.npmrc` kept the mode (as
/// every write does) and the conversion said nothing of it; `doctor` said so only later.
/// The conversion now says so with the command, which run as printed closes the file.
#[test]
fn a_literal_secret_written_into_a_readable_file_is_said_with_chmod() {
    use std::os::unix::fs::PermissionsExt;
    let dir = assert_fs::TempDir::new().unwrap();
    std::fs::write(dir.path().join("package.json"), "{}\n").unwrap();
    std::fs::write(
        dir.path().join(".yarnrc.yml"),
        "npmRegistryServer: \"https://r.example.test\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"FAKE-literal-token\"\n",
    )
    .unwrap();
    let npmrc = dir.path().join(".npmrc");
    std::fs::write(&npmrc, "save-exact=true\n").unwrap();
    std::fs::set_permissions(&npmrc, std::fs::Permissions::from_mode(0o664)).unwrap();
    let out = common::pmrc()
        .args([
            "convert", "--from", "yarn", "--to", "npm", "--write", "--dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).replace("\n    ", " ");
    assert!(out.status.success(), "{said}");
    assert!(said.contains("warning[secret-file-permissions]"), "{said}");
    let command = said
        .split("run `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("no command: {said}"));
    let ran = std::process::Command::new("sh")
        .args(["-c", command])
        .output()
        .unwrap();
    assert!(ran.status.success(), "{command}");
    let mode = std::fs::metadata(&npmrc).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Written again with nothing new, or into a closed file, it is not said.
    let again = common::pmrc()
        .args(["convert", "--from", "yarn", "--to", "npm", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&again.stderr).contains("secret-file-permissions"));
}
