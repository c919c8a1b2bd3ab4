//! Issue 17: pmrc installed the way JavaScript teams install it. The npm packages are built
//! from the host's binary, served by a loopback registry, and run through each real package
//! manager the conformance suite pins: `npx`, `pnpm dlx`, `yarn dlx`, `bunx` and project
//! dependencies. Each must print pmrc's version, pass pmrc's exit code through, and give the
//! launcher's message when the platform package is missing.
//!
//! Needs the pinned managers (`cargo test --test conformance install_managers`); no network
//! beyond 127.0.0.1.

mod common;

// The conformance harness, shared: this file uses its registry, sandbox and pins, not all of it.
#[allow(dead_code)]
#[path = "conformance/managers.rs"]
mod managers;
#[allow(dead_code)]
#[path = "conformance/registry.rs"]
mod registry;
#[allow(dead_code)]
#[path = "conformance/sandbox.rs"]
mod sandbox;
#[allow(dead_code)]
#[path = "conformance/tarball.rs"]
mod tarball;
#[allow(dead_code)]
#[path = "conformance/tls.rs"]
mod tls;

#[path = "npm_install/packages.rs"]
mod packages;
#[path = "npm_install/project.rs"]
mod project;

use packages::{host_package, packages};
use project::{Machine, check_args};

/// pmrc's arguments for `convert --check` on the drifted fixture, as `&str`s.
fn check() -> Vec<&'static str> {
    static ARGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ARGS.get_or_init(check_args)
        .iter()
        .map(String::as_str)
        .collect()
}

/// `args` after `before`, for a manager's command line.
fn with<'a>(before: &[&'a str], args: &[&'a str]) -> Vec<&'a str> {
    before.iter().chain(args).copied().collect()
}
use sandbox::{Outcome, Pm};

fn describe(out: &Outcome) -> String {
    format!(
        "exit {:?} (binary {})\n{}",
        out.code,
        packages().binary.display(),
        out.output
    )
}

/// pmrc ran and printed its version: a line of its own, whatever the manager adds around it.
#[track_caller]
fn assert_version(out: &Outcome) {
    let want = format!("pmrc {}", env!("CARGO_PKG_VERSION"));
    assert!(
        out.success && out.output.lines().any(|l| l.trim() == want),
        "want `{want}`: {}",
        describe(out)
    );
}

/// `convert --check` on the drifted fixture: pmrc's finding, and its exit code 1 (not the 0 a
/// lost code would give, nor a manager's own failure).
#[track_caller]
fn assert_drift(out: &Outcome) {
    assert!(
        out.code == Some(1) && out.output.contains("1 file(s) out of sync: .yarnrc.yml"),
        "{}",
        describe(out)
    );
}

/// The launcher's own message for a missing platform package, and a failure.
#[track_caller]
fn assert_missing(out: &Outcome) {
    let said = format!("the package {}, which holds pmrc", host_package());
    assert!(
        !out.success && out.output.contains(&said) && out.output.contains("--include=optional"),
        "want the launcher's message: {}",
        describe(out)
    );
}

/// `npx pmrc` (npm's own `bin/npx-cli.js`) from a fresh cache; scripts off, as the launcher
/// must not need them.
fn npx(machine: &Machine, pmrc_args: &[&str]) -> Outcome {
    machine.run_entry("bin/npx-cli.js", &with(&["--yes", "pmrc"], pmrc_args))
}

fn npm(pm: Pm) {
    let packages = packages();
    let machine = Machine::new(pm, &packages.all);
    assert_version(&npx(&machine, &["--version"]));
    machine.assert_fetched(&host_package());
    assert_drift(&npx(&machine, &check()));

    // The platform package not published: npm skips a failed optional dependency.
    let machine = Machine::new(pm, &packages.without_host);
    assert_missing(&npx(&machine, &["--version"]));

    // A project dependency installed without optional dependencies.
    let machine = Machine::new(pm, &packages.all);
    let added = machine.run(&["install", "pmrc", "--omit=optional", "--ignore-scripts"]);
    assert!(added.success, "{}", describe(&added));
    assert_missing(&npx(&machine, &["--version"]));
}

#[test]
fn issue_17_npx_pmrc_with_npm_11() {
    npm(Pm::Npm);
}

#[test]
fn issue_17_npx_pmrc_with_npm_12() {
    npm(Pm::Npm12);
}

/// `pnpm dlx pmrc`, and pmrc as a project dependency run by `pnpm exec`. pnpm 10 runs no
/// dependency install scripts, so this also shows the launcher needs none.
fn pnpm(pm: Pm) {
    let packages = packages();
    let dlx = |m: &Machine, args: &[&str]| m.run(&with(&["dlx", "pmrc"], args));
    let machine = Machine::new(pm, &packages.all);
    assert_version(&dlx(&machine, &["--version"]));
    machine.assert_fetched(&host_package());
    assert_drift(&dlx(&machine, &check()));

    let exec = |m: &Machine, args: &[&str]| m.run(&with(&["exec", "pmrc"], args));
    let machine = Machine::new(pm, &packages.all);
    let added = machine.run(&["add", "pmrc", "--reporter=append-only"]);
    assert!(added.success, "{}", describe(&added));
    assert_version(&exec(&machine, &["--version"]));
    machine.assert_fetched(&host_package());
    assert_drift(&exec(&machine, &check()));

    // The platform package not published: pnpm skips the optional dependency it cannot get.
    let machine = Machine::new(pm, &packages.without_host);
    assert_missing(&dlx(&machine, &["--version"]));
    // A project dependency installed without optional dependencies.
    let machine = Machine::new(pm, &packages.all);
    let added = machine.run(&["add", "pmrc", "--no-optional", "--reporter=append-only"]);
    assert!(added.success, "{}", describe(&added));
    assert_missing(&exec(&machine, &["--version"]));
}

#[test]
fn issue_17_pnpm_dlx_and_dependency_with_pnpm_10() {
    pnpm(Pm::Pnpm10);
}

#[test]
fn issue_17_pnpm_dlx_and_dependency_with_pnpm_11() {
    pnpm(Pm::Pnpm11);
}

#[test]
fn issue_17_pnpm_dlx_and_dependency_with_pnpm_12() {
    pnpm(Pm::Pnpm12);
}

/// `yarn dlx pmrc`, and pmrc as a dependency under Plug'n'Play (Yarn 4's default linker):
/// the platform package's `preferUnplugged` puts the binary on disk for the launcher to run.
#[test]
fn issue_17_yarn_dlx_and_pnp_dependency_with_yarn_4() {
    let packages = packages();
    let dlx = |m: &Machine, args: &[&str]| m.run(&with(&["dlx", "pmrc"], args));
    let machine = Machine::new(Pm::Yarn, &packages.all);
    assert_version(&dlx(&machine, &["--version"]));
    machine.assert_fetched(&host_package());
    assert_drift(&dlx(&machine, &check()));

    let yarn_run = |m: &Machine, args: &[&str]| m.run(&with(&["run", "pmrc"], args));
    let machine = Machine::new(Pm::Yarn, &packages.all);
    let added = machine.run(&["add", "pmrc"]);
    assert!(added.success, "{}", describe(&added));
    assert!(
        machine.project.join(".pnp.cjs").is_file(),
        "not a Plug'n'Play install"
    );
    let unplugged = std::fs::read_dir(machine.project.join(".yarn/unplugged"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert!(
        unplugged.iter().any(|n| n
            .to_string_lossy()
            .starts_with(&format!("{}-npm-", host_package()))),
        "the platform package is not unplugged: {unplugged:?}"
    );
    assert_version(&yarn_run(&machine, &["--version"]));
    assert_drift(&yarn_run(&machine, &check()));

    // Yarn resolves every platform's optional dependency, for a lockfile that serves them all,
    // so a platform package the registry does not have fails the install itself (YN0035),
    // before the launcher could run: asserted as what Yarn does.
    let machine = Machine::new(Pm::Yarn, &packages.without_host);
    let out = dlx(&machine, &["--version"]);
    assert!(
        !out.success && out.output.contains(&format!("{}@npm:", host_package())),
        "{}",
        describe(&out)
    );
    assert!(out.output.contains("YN0035"), "{}", describe(&out));
    // Installed for other platforms only (a project whose `supportedArchitectures` leaves this
    // one out, as one made on a Mac for Macs): the launcher's message.
    let machine = Machine::new(Pm::Yarn, &packages.all);
    let rc = machine.project.join(".yarnrc.yml");
    let mut config = std::fs::read_to_string(&rc).unwrap();
    config.push_str("supportedArchitectures:\n  os: [darwin]\n  cpu: [arm64]\n");
    std::fs::write(&rc, config).unwrap();
    let added = machine.run(&["add", "pmrc"]);
    assert!(added.success, "{}", describe(&added));
    assert_missing(&yarn_run(&machine, &["--version"]));
}

/// Yarn 1: pmrc as a project dependency, run by `yarn run`.
#[test]
fn issue_17_dependency_with_yarn_1() {
    let packages = packages();
    let yarn_run = |m: &Machine, args: &[&str]| m.run(&with(&["run", "--silent", "pmrc"], args));
    let machine = Machine::new(Pm::Yarn1, &packages.all);
    let added = machine.run(&["add", "pmrc", "--non-interactive", "--no-progress"]);
    assert!(added.success, "{}", describe(&added));
    machine.assert_fetched(&host_package());
    assert_version(&yarn_run(&machine, &["--version"]));
    assert_drift(&yarn_run(&machine, &check()));

    let machine = Machine::new(Pm::Yarn1, &packages.all);
    let added = machine.run(&["add", "pmrc", "--ignore-optional", "--non-interactive"]);
    assert!(added.success, "{}", describe(&added));
    assert_missing(&yarn_run(&machine, &["--version"]));
}

/// `bunx pmrc` (`bun x`): Bun runs no dependency scripts either.
#[test]
fn issue_17_bunx_pmrc_with_bun() {
    let packages = packages();
    let bunx = |m: &Machine, args: &[&str]| m.run(&with(&["x", "pmrc"], args));
    let machine = Machine::new(Pm::Bun, &packages.all);
    assert_version(&bunx(&machine, &["--version"]));
    machine.assert_fetched(&host_package());
    assert_drift(&bunx(&machine, &check()));

    let machine = Machine::new(Pm::Bun, &packages.without_host);
    assert_missing(&bunx(&machine, &["--version"]));
}
