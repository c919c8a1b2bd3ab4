//! Runs the fuzz targets' checks (`tests/fuzz/checks.rs`) over every saved input: the seed
//! corpora in `tests/fuzz/corpus/<target>/` and the inputs that once broke a target in
//! `tests/fuzz/regressions/<target>/`. The fuzzers themselves need nightly and stay out of
//! CI; these keep their findings fixed under `cargo test`.

#[path = "fuzz/checks.rs"]
mod checks;

use std::path::Path;

use pmrc::formats::Format;

fn inputs(target: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut out = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            // The targets skip input that is not UTF-8; so does this.
            if let Ok(text) = String::from_utf8(bytes) {
                out.push((path.display().to_string(), text));
            }
        }
    }
    out
}

fn run(target: &str, check: impl Fn(&str)) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no saved inputs for {target}");
    for (path, text) in inputs {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&text)));
        assert!(result.is_ok(), "{target}: {path} fails its check again");
    }
}

#[test]
fn npmrc() {
    run("npmrc", |t| checks::format(Format::Npmrc, t));
}

#[test]
fn yarnrc_yml() {
    run("yarnrc_yml", |t| checks::format(Format::YarnrcYml, t));
}

#[test]
fn bunfig() {
    run("bunfig", |t| checks::format(Format::Bunfig, t));
}

#[test]
fn yarnrc() {
    run("yarnrc", |t| checks::format(Format::Yarnrc, t));
}

#[test]
fn pnpm_workspace() {
    run("pnpm_workspace", |t| {
        checks::format(Format::PnpmWorkspace, t)
    });
}

#[test]
fn dependabot_yml() {
    run("dependabot_yml", |t| {
        checks::format(Format::DependabotYml, t)
    });
}

#[test]
fn template() {
    run("template", checks::template);
}
