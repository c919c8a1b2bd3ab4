//! Shared test helpers: fixture projects in temp dirs, the pmrc command with a clean
//! environment, and insta settings (snapshots in the top-level `snapshots/`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_fs::TempDir;
use assert_fs::prelude::*;

pub fn pmrc() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pmrc"));
    cmd.env_remove("CLICOLOR_FORCE")
        .env_remove("XDG_CONFIG_HOME")
        // The fixtures' credentials come from it; unset, `explain` says so, the same everywhere.
        .env_remove("NODE_AUTH_TOKEN")
        // `--format github` names files from it when set (in GitHub Actions).
        .env_remove("GITHUB_WORKSPACE")
        // Findings are wrapped to COLUMNS when set; unset and not on a terminal, to 100.
        .env_remove("COLUMNS")
        // npm sets it for what it runs (and setup-node in CI): pmrc looks at it.
        .env_remove("NPM_CONFIG_USERCONFIG")
        .env_remove("npm_config_userconfig")
        .env("NO_COLOR", "1");
    cmd
}

/// A temp project holding a copy of `fixtures/<case>/in`, and an empty home directory.
pub struct Project {
    pub dir: TempDir,
    pub home: TempDir,
}

impl Project {
    pub fn from_fixture(case: &Path) -> Project {
        let dir = TempDir::new().unwrap();
        dir.copy_from(case.join("in"), &["**/*", "**/.*"]).unwrap();
        Project {
            dir,
            home: TempDir::new().unwrap(),
        }
    }

    /// A project of the given files (paths relative to its folder).
    pub fn with_files(files: &[(&str, &str)]) -> Project {
        let dir = TempDir::new().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Project {
            dir,
            home: TempDir::new().unwrap(),
        }
    }

    /// A temp copy of `examples/github-packages`, the example the README runs.
    pub fn copy_of_example() -> Project {
        let dir = TempDir::new().unwrap();
        dir.copy_from(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github-packages"),
            &["**/*", "**/.*"],
        )
        .unwrap();
        Project {
            dir,
            home: TempDir::new().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = pmrc();
        cmd.args(args)
            .arg("--dir")
            .arg(self.path())
            .env("HOME", self.home.path());
        cmd
    }

    pub fn read(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.path().join(name)).ok()
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// insta settings: top-level `snapshots/`, temp paths replaced by `[DIR]` / `[HOME]`.
pub fn settings(project: &Project) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    for (path, name) in [(project.path(), "[DIR]"), (project.home.path(), "[HOME]")] {
        let text = path.display().to_string();
        s.add_filter(&regex_escape(&text), name);
        if let Ok(real) = path.canonicalize() {
            s.add_filter(&regex_escape(&real.display().to_string()), name);
        }
    }
    s
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Literal secrets written in a fixture's input files, found without pmrc's own code.
pub fn literal_secrets(case: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(case.join("in")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        for line in text.lines() {
            for marker in [
                "_authToken",
                "_auth",
                "_password",
                "npmAuthToken",
                "npmAuthIdent",
            ] {
                let Some(at) = line.find(marker) else {
                    continue;
                };
                let rest = &line[at + marker.len()..];
                let value = rest
                    .trim_start_matches([' ', '=', ':', '"'])
                    .split(['"', ' ', ';'])
                    .next()
                    .unwrap_or("");
                if value.len() > 6 && !value.contains("${") {
                    out.push(value.to_string());
                }
            }
            if let Some(i) = line.find("FAKESECRET") {
                let token: String = line[i..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                out.push(token);
            }
        }
    }
    out
}

/// This machine's `process.platform`-`process.arch`, as pmrc's npm launcher names it.
pub fn host_platform() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "linux-x64",
        ("linux", "aarch64") => "linux-arm64",
        ("macos", "x86_64") => "darwin-x64",
        ("macos", "aarch64") => "darwin-arm64",
        ("windows", "x86_64") => "win32-x64",
        other => panic!("no npm package for {other:?}"),
    }
}

/// pmrc's text output with its wrapped lines joined again: a finding, a `fix:` or a summary
/// continued on an indented line reads as one line, for asserting on a phrase in it.
pub fn unwrapped(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let continued = line.starts_with("    ") && !out.is_empty() && !out.ends_with("\n\n");
        if continued {
            out.pop();
            out.push(' ');
            out.push_str(line.trim_start());
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.pop();
    out
}
