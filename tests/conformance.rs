//! Conformance suite: the real package managers decide whether a translation is right.
//!
//! For each case the source manager (npm 11 or Yarn 4) installs from a loopback registry with
//! the case's config, then the target manager installs with (a) a hand-written reference
//! translation and (b) `pmrc convert`'s output; the registry must see the same packages fetched
//! from the same places with the same `Authorization`, in two rounds with different env values.
//!
//! Run: `cargo test --test conformance` (first run needs the npm registry to fetch the pinned
//! managers: `cargo test --test conformance install_managers`). Test names:
//! `reference::<case>` (harness and case self-check), `translate::<case>` (pmrc),
//! `negative::<name>` (a wrong translation must be caught), plus unit tests of the harness.
//! `PMRC_CONFORMANCE_KEEP=1` keeps every scratch folder for inspection.

#[path = "conformance/cases.rs"]
mod cases;
#[path = "conformance/check.rs"]
mod check;
#[path = "conformance/managers.rs"]
mod managers;
#[path = "conformance/negative.rs"]
mod negative;
#[path = "conformance/observe.rs"]
mod observe;
#[path = "conformance/registry.rs"]
mod registry;
#[path = "conformance/sandbox.rs"]
mod sandbox;
#[path = "conformance/tarball.rs"]
mod tarball;
#[path = "conformance/template.rs"]
mod template;

use check::{Case, Expect};

/// Installs the pinned managers the cases use (the only step that needs the network).
#[test]
fn install_managers() {
    for pin in managers::REQUIRED {
        let dir = managers::ensure(pin).unwrap_or_else(|e| panic!("{e}"));
        let version = managers::reported_version(pin).unwrap_or_else(|e| panic!("{e}"));
        let expected = pin.version.trim_start_matches('v');
        assert_eq!(
            version.trim_start_matches('v'),
            expected,
            "{} reports version {version}, pinned {expected}",
            pin.id
        );
        eprintln!(
            "{} ({}@{}) ready in {}",
            pin.id,
            pin.package,
            pin.version,
            dir.display()
        );
    }
}

/// The hand-written translation must behave like the source: proves the case and the harness.
fn reference(case: Case) {
    if let Expect::Warning(code) = case.expect {
        // Nothing to replay; still prove the source behaves as the case says.
        for round in 0..2 {
            check::source_run(&case, round).unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(
            case.reference.is_empty(),
            "{}: a warning case ({code}) has no reference translation",
            case.name
        );
        return;
    }
    assert!(
        !case.reference.is_empty(),
        "{}: no reference translation",
        case.name
    );
    let verdict = check::differential(&case, &case.reference).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        verdict.equal(),
        "{}: the reference translation does not behave like the source:\n{}",
        case.name,
        verdict.report()
    );
}

/// pmrc's translation must behave like the source, or pmrc must warn where the case says so.
fn translate(case: Case) {
    let converted = check::convert(&case).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    eprintln!(
        "[{}] pmrc wrote (warnings {:?}):\n{}",
        case.name,
        converted.warnings,
        check::show_files(&converted.files)
    );
    match case.expect {
        Expect::Warning(code) => {
            assert!(
                converted.warnings.iter().any(|(c, _)| c == code),
                "{}: pmrc must warn `{code}`; it warned {:?}\n{}",
                case.name,
                converted.warnings,
                converted.stdout
            );
        }
        Expect::Same => {
            let verdict =
                check::differential(&case, &converted.files).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                verdict.equal(),
                "{}: pmrc's translation ({:?} -> {:?}) does not behave like the source (pmrc warned {:?}):\n{}",
                case.name,
                case.source,
                case.target,
                converted.warnings,
                verdict.report()
            );
        }
    }
}

/// One `reference::<case>` and one `translate::<case>` test per case function in `cases`.
macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        mod reference {
            $( #[test] fn $name() { super::reference(super::cases::$name()) } )*
        }
        mod translate {
            $( #[test] fn $name() { super::translate(super::cases::$name()) } )*
        }
    };
}

cases! {
    npm_default_registry_token,
    yarn_default_registry_token,
    npm_http_registry_no_auth,
    npm_always_auth_legacy,
    npm_scope_other_host,
    yarn_scope_other_host,
    npm_two_scopes_two_hosts,
    yarn_two_scopes_two_hosts,
    npm_path_registry_host_token,
    npm_path_registry_path_token,
    yarn_path_registry_token,
    npm_auth_basic,
    yarn_auth_ident,
    npm_username_password,
    npm_password_env_inexpressible,
    npm_scope_tarballs_other_host,
    yarn_scope_tarballs_same_host,
}
