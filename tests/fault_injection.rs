//! Issue 7: a write interrupted at any point leaves every file either old or new.
//!
//! `tests/fault/shim.c`, compiled here and loaded with `LD_PRELOAD`, counts the calls
//! through which `pmrc convert --write` reaches the disk (write, fsync, fchmod, rename, …)
//! and kills the process before the Nth one (a `kill -9` or power cut at that moment), or
//! makes the Nth write fail with ENOSPC (a full disk). Every point of a two-file apply is
//! tried in turn.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_fs::TempDir;

const NPMRC: &str = "@acme:registry=https://npm.pkg.github.com/\n\
                     //npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}\n";
const YARNRC: &str = "# team settings\nenableTelemetry: false\n";
const BUNFIG: &str = "# bun\n[install]\ncache = false\n";
/// The files a `--to yarn,bun` apply replaces, in the order it writes them.
const TARGETS: [&str; 2] = [".yarnrc.yml", "bunfig.toml"];
const ARGS: [&str; 6] = ["convert", "--from", "npm", "--to", "yarn,bun", "--write"];

struct Scene {
    dir: TempDir,
    home: TempDir,
}

impl Scene {
    fn new() -> Scene {
        let dir = TempDir::new().unwrap();
        std::fs::write(dir.path().join(".npmrc"), NPMRC).unwrap();
        std::fs::write(dir.path().join(TARGETS[0]), YARNRC).unwrap();
        std::fs::write(dir.path().join(TARGETS[1]), BUNFIG).unwrap();
        Scene {
            dir,
            home: TempDir::new().unwrap(),
        }
    }

    fn run(&self, args: &[&str], fault: &[(&str, String)]) -> Output {
        let mut cmd = common::pmrc();
        cmd.args(args)
            .arg("--dir")
            .arg(self.dir.path())
            .env("HOME", self.home.path());
        if !fault.is_empty() {
            cmd.env("LD_PRELOAD", shim());
        }
        for (key, value) in fault {
            cmd.env(key, value);
        }
        cmd.output().unwrap()
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap()
    }

    /// Names in the project besides the ones it started with.
    fn extra_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".npmrc" && !TARGETS.contains(&n.as_str()))
            .collect();
        names.sort();
        names
    }
}

/// The shim, built once per test binary with the machine's C compiler.
fn shim() -> &'static Path {
    static SHIM: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SHIM.get_or_init(|| {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fault/shim.c");
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("libpmrc_fault.so");
        let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
            .args(["-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o"])
            .arg(&out)
            .arg(&source)
            .arg("-ldl")
            .status()
            .expect("a C compiler (cc) is needed to build the fault-injection shim");
        assert!(status.success(), "compiling {}", source.display());
        out
    })
}

/// What the files hold after an apply that nobody interrupts.
fn expected_after() -> [String; 2] {
    let scene = Scene::new();
    let out = scene.run(&ARGS, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let after = TARGETS.map(|t| scene.read(t));
    assert_ne!(after[0], YARNRC);
    assert_ne!(after[1], BUNFIG);
    after
}

/// The counted calls of one uninterrupted apply, e.g. `["fchmod", "write", "renameat", …]`.
fn fault_points() -> Vec<String> {
    let scene = Scene::new();
    let trace = scene.home.path().join("trace");
    let out = scene.run(&ARGS, &[("PMRC_FAULT_TRACE", trace.display().to_string())]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let points: Vec<String> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(|l| l.split_once(' ').unwrap().1.to_owned())
        .collect();
    // Issue 15: every file's bytes are written and synced before the first rename (so a
    // failure there changes nothing); then each rename, with the directory synced after it
    // so the rename itself survives.
    let renames: Vec<usize> = (0..points.len())
        .filter(|&i| points[i].starts_with("rename"))
        .collect();
    assert_eq!(renames.len(), 2, "{points:?}");
    let last_write = points.iter().rposition(|p| p == "write");
    assert!(
        last_write.is_some_and(|w| w < renames[0]),
        "a write after the first rename: {points:?}"
    );
    let syncs_before_renames = points[..renames[0]]
        .iter()
        .enumerate()
        .filter(|(i, p)| (*p == "fsync" || *p == "fdatasync") && Some(*i) > last_write)
        .count();
    assert!(
        syncs_before_renames >= 1
            && points[..renames[0]]
                .iter()
                .filter(|p| *p == "write")
                .count()
                == 2,
        "not every file is written and synced before the first rename: {points:?}"
    );
    for &r in &renames {
        assert!(
            matches!(points.get(r + 1).map(String::as_str), Some("fsync")),
            "the directory is not synced after the rename: {points:?}"
        );
    }
    points
}

/// Each target is byte for byte old or new, and no file is new after one that is old
/// (pmrc renames them in order), so "which were written" is a prefix.
fn assert_old_or_new(scene: &Scene, after: &[String; 2], when: &str) -> usize {
    let before = [YARNRC, BUNFIG];
    let mut new = 0;
    for (i, target) in TARGETS.iter().enumerate() {
        let now = scene.read(target);
        if now == after[i] {
            assert_eq!(new, i, "{when}: {target} is new but an earlier file is old");
            new += 1;
        } else {
            assert_eq!(now, before[i], "{when}: {target} is neither old nor new");
        }
    }
    assert_eq!(scene.read(".npmrc"), NPMRC, "{when}: the source changed");
    new
}

#[test]
fn issue_7_crash_at_any_point_leaves_each_file_old_or_new() {
    let after = expected_after();
    let points = fault_points();
    let mut outcomes = Vec::new();
    for (i, call) in points.iter().enumerate() {
        let at = i + 1;
        let when = format!("killed before call {at} ({call})");
        let scene = Scene::new();
        let out = scene.run(&ARGS, &[("PMRC_FAULT_CRASH_AT", at.to_string())]);
        assert_eq!(out.status.signal(), Some(9), "{when}: {out:?}");
        let new = assert_old_or_new(&scene, &after, &when);
        // A crash can leave the temp file that was not yet renamed; never anything else.
        for extra in scene.extra_files() {
            assert!(
                TARGETS.iter().any(|t| extra.starts_with(&format!(".{t}."))),
                "{when}: unexpected file {extra}"
            );
        }
        // Running pmrc again finishes the job, and then there is no drift.
        let again = scene.run(&ARGS, &[]);
        assert_eq!(again.status.code(), Some(0), "{when}: rerun {again:?}");
        assert_old_or_new(&scene, &after, &when);
        assert_eq!(TARGETS.map(|t| scene.read(t)), after, "{when}: rerun");
        let check = scene.run(
            &["convert", "--from", "npm", "--to", "yarn,bun", "--check"],
            &[],
        );
        assert_eq!(check.status.code(), Some(0), "{when}: check {check:?}");
        outcomes.push(new);
    }
    // The crash points cover every state: nothing written, the first file, both.
    for new in 0..=TARGETS.len() {
        assert!(
            outcomes.contains(&new),
            "no crash left {new} files new: {outcomes:?}"
        );
    }
}

#[test]
fn issue_7_full_disk_is_an_error_that_names_what_was_written() {
    let after = expected_after();
    let points = fault_points();
    let writes: Vec<usize> = (1..=points.len())
        .filter(|at| points[at - 1] == "write")
        .collect();
    for (nth, at) in writes.iter().enumerate() {
        let when = format!("ENOSPC at call {at} (write to file {})", nth + 1);
        let scene = Scene::new();
        let out = scene.run(&ARGS, &[("PMRC_FAULT_ENOSPC_AT", at.to_string())]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{when}: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{when}: {stderr}"
        );
        // Issue 15: every temporary is written before the first rename, so a full disk
        // changes nothing at all.
        let new = assert_old_or_new(&scene, &after, &when);
        assert_eq!(new, 0, "{when}: a file was written");
        assert!(
            stderr.contains(TARGETS[nth]),
            "{when}: names the failing file: {stderr}"
        );
        assert!(!stderr.contains("already written"), "{when}: {stderr}");
        // A failed write cleans up every temp file.
        assert_eq!(scene.extra_files(), Vec::<String>::new(), "{when}");
    }
}
