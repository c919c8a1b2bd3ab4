//! Issue 17: pmrc's npm packages, built by `npm/build.mjs` from the host's binary and laid out
//! as a package manager installs them: the launcher finds the platform package, runs pmrc,
//! passes the exit code through, and says what to do when the platform package is missing.

mod common;

use std::path::Path;
use std::process::Command;

use assert_fs::TempDir;
use common::host_platform;

fn node(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new("node")
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("node is on PATH (the CI machine has it)")
}

/// The packages as `node_modules` holds them after `npm install pmrc`.
fn installed() -> TempDir {
    let out = TempDir::new().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let built = node(
        &[
            root.join("npm/build.mjs").to_str().unwrap(),
            "--out",
            out.path().join("node_modules").to_str().unwrap(),
            "--binary",
            env!("CARGO_BIN_EXE_pmrc"),
            "--platform",
            host_platform(),
        ],
        out.path(),
    );
    assert!(built.status.success(), "{built:?}");
    out
}

#[test]
fn issue_17_the_launcher_runs_pmrc_and_passes_its_exit_code() {
    let project = installed();
    let launcher = project.path().join("node_modules/pmrc/bin/pmrc.js");
    let out = node(&[launcher.to_str().unwrap(), "--version"], project.path());
    assert!(out.status.success(), "{out:?}");
    let cargo =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let version = cargo
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .unwrap()
        .trim_end_matches('"');
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("pmrc {version}")
    );

    // `--check` on a drifted project exits 1, through the launcher.
    let drift = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check-drift/in");
    let out = node(
        &[
            launcher.to_str().unwrap(),
            "convert",
            "--from",
            "npm",
            "--to",
            "yarn",
            "--check",
            "--dir",
            drift.to_str().unwrap(),
        ],
        project.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");

    // Every package carries Cargo.toml's version; the launcher depends on each platform's.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.path().join("node_modules/pmrc/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["version"], version);
    assert_eq!(manifest["bin"]["pmrc"], "bin/pmrc.js");
    assert!(manifest.get("scripts").is_none(), "no install scripts");
    let optional = manifest["optionalDependencies"].as_object().unwrap();
    assert_eq!(optional.len(), 5);
    assert!(optional.values().all(|v| v == version));
    let platform: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.path().join(format!(
            "node_modules/pmrc-{}/package.json",
            host_platform()
        )))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(platform["version"], version);
    assert_eq!(platform["preferUnplugged"], true);
}

#[test]
fn issue_17_a_missing_platform_package_is_explained() {
    let project = installed();
    std::fs::remove_dir_all(
        project
            .path()
            .join(format!("node_modules/pmrc-{}", host_platform())),
    )
    .unwrap();
    let launcher = project.path().join("node_modules/pmrc/bin/pmrc.js");
    let out = node(&[launcher.to_str().unwrap(), "--version"], project.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!("pmrc-{}", host_platform())) && said.contains("--include=optional"),
        "{said}"
    );
}
