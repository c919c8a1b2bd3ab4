//! Issue 17: `cargo install pmrc` needs a crate that packages: `cargo package` succeeds
//! offline, the `.crate` stays under 1 MB (the fuzz corpus alone is ~12,000 files), it holds
//! what a build and the licences need and none of the tests, and the README states its size.

use std::path::Path;
use std::process::{Command, Output};

use assert_fs::TempDir;

fn cargo_package(target: &Path, extra: &[&str]) -> Output {
    // Its own target dir: the package build must not wait on (or lock) the suite's.
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "package",
            "--offline",
            "--no-verify",
            "--allow-dirty",
            "--quiet",
        ])
        .args(extra)
        .env("CARGO_TARGET_DIR", target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn issue_17_the_crate_packages_small_and_without_the_tests() {
    let target = TempDir::new().unwrap();
    let listed = cargo_package(target.path(), &["--list"]);
    assert!(listed.status.success(), "{listed:?}");
    let files: Vec<String> = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "src/main.rs",
        "src/lib.rs",
        "src/output/github.rs",
    ] {
        assert!(
            files.iter().any(|f| f == needed),
            "{needed} missing: {files:?}"
        );
    }
    let stray: Vec<&String> = files
        .iter()
        .filter(|f| {
            f.starts_with("tests/") || f.starts_with("target/") || f.starts_with("snapshots/")
        })
        .collect();
    assert!(stray.is_empty(), "not for the crate: {stray:?}");
    assert!(!files.iter().any(|f| f.contains("tests/fuzz")));

    let built = cargo_package(target.path(), &[]);
    assert!(built.status.success(), "{built:?}");
    let version = env!("CARGO_PKG_VERSION");
    let crate_file = target
        .path()
        .join("package")
        .join(format!("pmrc-{version}.crate"));
    let size = std::fs::metadata(&crate_file).unwrap().len();
    assert!(size < 1_000_000, "{} is {size} bytes", crate_file.display());

    // The README's Install section says "(about N KB)": within a quarter of the real size.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let stated: u64 = readme
        .split("crate is about ")
        .nth(1)
        .and_then(|rest| rest.split(" KB").next())
        .and_then(|n| n.trim().parse().ok())
        .expect("the README states the crate's size as `crate is about N KB`");
    let actual = size / 1000;
    assert!(
        stated * 4 >= actual * 3 && stated * 4 <= actual * 5,
        "README says about {stated} KB; the crate is {actual} KB"
    );
}
