//! Conformance suite: the real package managers decide whether a translation is right.
//!
//! For each case the source manager (npm 11/12, Yarn 4/1, Bun, pnpm 10/11/12, Deno 2) installs from a
//! loopback registry with the case's config, then the target manager installs with (a) a
//! hand-written reference translation and (b) `pmrc convert`'s output (only where pmrc supports
//! both managers); the registry must see the same packages fetched from the same places with
//! the same `Authorization`, in two rounds with different env values.
//!
//! Run: `cargo test --test conformance` (first run needs the npm registry to fetch the pinned
//! managers: `cargo test --test conformance install_managers`). Test names:
//! `reference::<case>` (harness and case self-check), `translate::<case>` (pmrc),
//! `negative::<name>` (a wrong translation must be caught), plus unit tests of the harness and
//! `readme_matrix` (the conformance matrix in `docs/conformance.md` lists exactly these tests;
//! the name and `PMRC_UPDATE_README` are kept from when it lived in the README).
//! `PMRC_CONFORMANCE_KEEP=1` keeps every scratch folder for inspection.

#[path = "conformance/cases.rs"]
mod cases;
#[path = "conformance/cases_deno.rs"]
mod cases_deno;
#[path = "conformance/cases_env.rs"]
mod cases_env;
#[path = "conformance/cases_migrations.rs"]
mod cases_migrations;
#[path = "conformance/check.rs"]
mod check;
#[path = "conformance/explain.rs"]
mod explain;
#[path = "conformance/managers.rs"]
mod managers;
#[path = "conformance/matrix.rs"]
mod matrix;
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
#[path = "conformance/tls.rs"]
mod tls;

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

/// Records a test's outcome for the matrix when the test ends, passed or panicked.
struct Outcome<'a> {
    kind: matrix::Kind,
    case: &'a Case,
}

impl Drop for Outcome<'_> {
    fn drop(&mut self) {
        matrix::record(
            self.kind,
            self.case,
            !std::thread::panicking(),
            &matrix_rows(),
        );
    }
}

/// The hand-written translation must behave like the source: proves the case and the harness.
fn reference(case: Case) {
    let _outcome = Outcome {
        kind: matrix::Kind::Reference,
        case: &case,
    };
    if let Expect::Warning(code) | Expect::Refusal(code) = case.expect {
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
    let _outcome = Outcome {
        kind: matrix::Kind::Translate,
        case: &case,
    };
    let converted = check::convert(&case).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    eprintln!(
        "[{}] pmrc wrote (warnings {:?}):\n{}",
        case.name,
        converted.warnings,
        check::show_files(&converted.files)
    );
    if !matches!(case.expect, Expect::Refusal(_)) {
        assert_eq!(
            converted.exit, 0,
            "{}: pmrc exited {} (warned {:?})\n{}",
            case.name, converted.exit, converted.warnings, converted.stdout
        );
    }
    match case.expect {
        Expect::Refusal(code) => {
            assert!(
                converted.warnings.iter().any(|(c, _)| c == code) && converted.exit == 1,
                "{}: pmrc must refuse with `{code}` and exit 1; it exited {} and warned {:?}\n{}",
                case.name,
                converted.exit,
                converted.warnings,
                converted.stdout
            );
            // pmrc's output is read back with `{R<n>}` spelled `http://{H<n>}`.
            let mut before: Vec<(String, String)> = case
                .files
                .iter()
                .map(|(path, text)| {
                    let text = (1..=case.listeners).fold(text.clone(), |t, n| {
                        t.replace(&format!("{{R{n}}}"), &format!("http://{{H{n}}}"))
                    });
                    (path.clone(), text)
                })
                .collect();
            before.sort();
            let mut after = converted.files.clone();
            after.sort();
            assert_eq!(
                after, before,
                "{}: pmrc refused but the files changed",
                case.name
            );
        }
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
            // A file the source reads too must still serve it (issue 13). Cases that delete a
            // source file after converting have nothing left to run it on.
            if case.remove_after_convert.is_empty() {
                let again =
                    check::source_again(&case, &converted.files).unwrap_or_else(|e| panic!("{e}"));
                assert!(
                    again.equal(),
                    "{}: after pmrc's translation ({:?} -> {:?}) the source manager no longer behaves as before:\n{}",
                    case.name,
                    case.source,
                    case.target,
                    again.report()
                );
            }
        }
    }
}

/// `translated`: a `reference::<case>` and a `translate::<case>` test each. `pending`: source
/// or target pmrc does not support yet, so `reference::<case>` only; move a case up when pmrc
/// learns its managers (`pending_cases_wait_for_pmrc` fails as soon as pmrc stops refusing one).
macro_rules! cases {
    (translated: [$($t:ident),* $(,)?], pending: [$($p:ident),* $(,)?] $(,)?) => {
        mod reference {
            $( #[test] fn $t() { super::reference(super::cases::$t()) } )*
            $( #[test] fn $p() { super::reference(super::cases::$p()) } )*
        }
        mod translate {
            $( #[test] fn $t() { super::translate(super::cases::$t()) } )*
        }
        const TRANSLATED: &[(&str, fn() -> Case)] = &[$((stringify!($t), cases::$t)),*];
        const PENDING: &[(&str, fn() -> Case)] = &[$((stringify!($p), cases::$p)),*];
    };
}

cases! {
    translated: [
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
        npm_password_env_kept_for_bun,
        npm_scope_tarballs_other_host,
        yarn_scope_tarballs_same_host,
        npm12_scope_other_host,
        npm12_allow_remote_tarballs_other_host,
        npm_https_cafile_token,
        npm_https_strict_ssl_false,
        npm_strict_ssl_false_to_yarn1,
        yarn_https_ca_file,
        pnpm11_yaml_cafile_to_npm,
        yarn_always_auth_false_default_token,
        yarn_top_token_reaches_scope_host,
        npm_optional_token_scope,
        yarn_optional_token_scope,
        npm_path_scope_same_host_host_token,
        npm_scope_basic_auth,
        npm_artifactory_auth_always_auth,
        npm_azure_username_password,
        yarn_default_registry_token_npm12,
        yarn_two_scopes_two_hosts_npm12,
        yarn_top_token_reaches_scope_host_npm12,
        yarn1_scope_quoted_key,
        yarn1_always_auth,
        yarn1_top_level_auth_spreads,
        yarn1_registry_flag_line,
        yarn1_registry_flag_line_home_wins,
        yarn_parent_folder_scope,
        yarn1_parent_folder_files,
        npm_workspace_member_npmrc_ignored,
        bun_workspace_member_config_ignored,
        deno_workspace_member_npmrc_ignored,
        bun_scope_token_env,
        bun_default_registry_path_token,
        bun_ignores_pnpm_scope_token,
        npm_variable_in_credential_key,
        npm_variable_key_literal_registry_to_yarn,
        npm_registry_query_to_pnpm10,
        npm_registry_query_to_bun,
        npm_registry_query_to_yarn1,
        npm_variable_registry_literal_key_to_yarn1,
        npm_variable_key_and_written_key_later_line_wins,
        pnpm11_variable_in_user_credential_key,
        pnpm11_user_registry_default_to_yarn,
        pnpm10_npmrc_scope_token,
        pnpm12_top_level_token_pinned,
        pnpm10_env_token_ignored,
        pnpm11_env_token_ignored,
        pnpm12_env_token_ignored,
        pnpm10_workspace_registries_replace_npmrc_scopes,
        pnpm11_workspace_registries_merge_npmrc_scopes,
        pnpm12_workspace_registries_url_keyed,
        pnpm12_inline_comment_in_token,
        pnpm11_last_of_slash_twins,
        npm_to_pnpm12_inline_comment_moved,
        pnpm12_scope_after_section_line,
        yarn1_scope_after_blank_section_line,
        pnpm11_path_form_scope_token,
        pnpm10_scope_after_blank_section_line,
        npm_to_yarn1_scope_env_token,
        npm_to_yarn1_scope_pinned_over_yarnrc,
        npm_to_yarn1_scope_pinned_beside_a_user_token,
        npm_to_yarn1_default_token_always_auth,
        npm_to_yarn1_auth_basic,
        yarn_to_yarn1_scope_token,
        npm_to_bun_scope_env_token,
        npm_to_bun_variable_scope_registry_stays_in_npmrc,
        npm_to_bun_variable_path_scope_token_stays_in_npmrc,
        npm_to_bun_optional_variable_scope_registry_stays_in_npmrc,
        npm_to_bun_basic_auth,
        npm_to_bun_user_env_token,
        npm_to_bun_user_literal_token,
        yarn_to_bun_scope_token,
        npm_to_pnpm10_env_token_user,
        npm_to_pnpm11_env_token_user,
        npm_to_pnpm12_env_token_user,
        npm_to_pnpm12_env_token_needs_user,
        yarn_to_pnpm10_scope_literal,
        yarn_to_pnpm11_scope_literal,
        yarn_to_pnpm12_scope_literal,
        pnpm10_scope_literal_to_yarn,
        pnpm11_scope_literal_to_yarn,
        pnpm12_scope_literal_to_yarn,
        yarn_per_scope_tokens_to_pnpm12_user,
        npm_portless_key_to_pnpm10,
        npm_portless_key_to_pnpm11,
        npm_portless_key_to_pnpm12,
        yarn_token_default_to_npm,
        npm_optional_token_to_pnpm10,
        npm_env_registry_to_pnpm11,
        npm_optional_auth_walks_up,
        npm_optional_password_walks_up,
        npm_env_registry_to_pnpm11_user,
        npm_env_registry_to_pnpm10_user,
        yarn_env_registry_to_pnpm12_user,
        bun_scopes_token_basic_to_pnpm10_user,
        bun_bunfig_scope_npmrc_token_to_pnpm10_user,
        pnpm11_registries_map_to_pnpm10,
        yarn1_always_auth_to_pnpm10_user,
        yarn1_always_auth_to_pnpm11_user,
        yarn1_always_auth_to_pnpm12_user,
        yarn1_top_level_auth_to_pnpm10_user,
        yarn1_top_level_auth_to_pnpm11_user,
        yarn1_top_level_auth_to_pnpm12_user,
        // Issue 16: Deno 2 (tests/conformance/cases_deno.rs).
        yarn_to_deno_scope_token,
        yarn_to_deno_default_token,
        yarn_to_deno_basic_auth,
        bun_to_deno_scope_token,
        pnpm11_to_deno_workspace_scope,
        deno_to_yarn_scope_token,
        deno_to_yarn_basic_auth,
        deno_unscoped_token_ignored_to_npm12,
        deno_unset_env_token_to_npm12,
        deno_scope_tarballs_same_host_outside_path,
        deno_project_block_replaces_home_block,
        deno_ignores_pnpm_scope_token,
        // Issue 16: npm 11 <-> 12 (tests/conformance/cases_migrations.rs).
        npm11_to_npm12_email_keyed,
        npm11_to_npm12_lone_certfile,
        npm12_to_npm11_keyed_email,
        pnpm11_to_pnpm12_url_keyed_registries,
        pnpm11_to_pnpm10_url_keyed_registries,
        npm_registry_userinfo_to_yarn,
        yarn_registry_userinfo_escapes_to_pnpm12,
        npm_registry_userinfo_escapes_to_yarn,
        npm_registry_userinfo_to_pnpm11,
        pnpm10_registry_userinfo_over_token_to_npm,
        yarn1_registry_userinfo_over_token_to_npm,
        bun_registry_userinfo_token_to_npm,
        bun_registry_userinfo_escapes_to_npm,
        npm_registry_userinfo_env_to_bun,
        npm_registry_userinfo_tarballs_to_bun,
        npm12_registry_userinfo_to_yarn,
        npm12_registry_userinfo_under_token_to_yarn,
        deno_registry_userinfo_to_npm,
        deno_registry_userinfo_with_key_to_npm,
    ],
    pending: [],
}

/// Issue 18: the real manager with only `pmrc env`'s output (tests/conformance/cases_env.rs).
mod env {
    #[test]
    fn env_npm_scope_token_to_npm() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_npm())
    }
    #[test]
    fn env_npm_scope_token_to_pnpm10() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_pnpm10())
    }
    #[test]
    fn env_npm_scope_token_to_pnpm11() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_pnpm11())
    }
    #[test]
    fn env_npm_scope_token_to_pnpm12_github() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_pnpm12_github())
    }
    #[test]
    fn env_npm_scope_token_to_pnpm12_gitlab() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_pnpm12_gitlab())
    }
    #[test]
    fn env_npm_scope_token_to_yarn() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_yarn())
    }
    #[test]
    fn env_npm_scope_token_to_yarn1() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_yarn1())
    }
    #[test]
    fn env_npm_scope_token_to_bun() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_bun())
    }
    #[test]
    fn env_npm_variable_path_scope_host_token_to_bun() {
        super::cases_env::run(super::cases_env::env_npm_variable_path_scope_host_token_to_bun())
    }
    #[test]
    fn env_npm_scope_token_to_deno() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_deno())
    }
    #[test]
    fn env_npm_default_token_to_npm_github() {
        super::cases_env::run(super::cases_env::env_npm_default_token_to_npm_github())
    }
    #[test]
    fn env_npm_default_token_to_yarn() {
        super::cases_env::run(super::cases_env::env_npm_default_token_to_yarn())
    }
    #[test]
    fn env_npm_default_token_to_bun() {
        super::cases_env::run(super::cases_env::env_npm_default_token_to_bun())
    }
    #[test]
    fn env_npm_default_token_to_pnpm11_dotenv() {
        super::cases_env::run(super::cases_env::env_npm_default_token_to_pnpm11_dotenv())
    }
    #[test]
    fn env_npm_default_token_to_deno_gitlab() {
        super::cases_env::run(super::cases_env::env_npm_default_token_to_deno_gitlab())
    }
    #[test]
    fn env_npm_registry_only_to_deno() {
        super::cases_env::run(super::cases_env::env_npm_registry_only_to_deno())
    }
    #[test]
    fn env_npm_registry_only_to_pnpm10() {
        super::cases_env::run(super::cases_env::env_npm_registry_only_to_pnpm10())
    }
    #[test]
    fn env_npm_registry_only_to_yarn1() {
        super::cases_env::run(super::cases_env::env_npm_registry_only_to_yarn1())
    }
    #[test]
    fn env_npm_scope_no_token_to_pnpm11() {
        super::cases_env::run(super::cases_env::env_npm_scope_no_token_to_pnpm11())
    }
    #[test]
    fn env_npm_scope_no_token_to_yarn1_github() {
        super::cases_env::run(super::cases_env::env_npm_scope_no_token_to_yarn1_github())
    }
    #[test]
    fn env_npm_scope_no_token_to_pnpm10_github() {
        super::cases_env::run(super::cases_env::env_npm_scope_no_token_to_pnpm10_github())
    }
    #[test]
    fn env_npm_basic_to_pnpm11_github() {
        super::cases_env::run(super::cases_env::env_npm_basic_to_pnpm11_github())
    }
    #[test]
    fn env_npm_scope_token_to_bun_github() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_bun_github())
    }
    #[test]
    fn env_npm_scope_token_to_yarn1_gitlab() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_yarn1_gitlab())
    }
    #[test]
    fn env_npm_scope_token_to_yarn_github() {
        super::cases_env::run(super::cases_env::env_npm_scope_token_to_yarn_github())
    }
    #[test]
    fn env_beats_stale_npmrc_pnpm11() {
        super::cases_env::run(super::cases_env::env_beats_stale_npmrc_pnpm11())
    }
    #[test]
    fn env_beats_stale_yarnrc_yarn() {
        super::cases_env::run(super::cases_env::env_beats_stale_yarnrc_yarn())
    }
    #[test]
    fn env_beats_stale_npmrc_deno() {
        super::cases_env::run(super::cases_env::env_beats_stale_npmrc_deno())
    }
    #[test]
    fn env_beats_stale_bunfig_bun() {
        super::cases_env::run(super::cases_env::env_beats_stale_bunfig_bun())
    }
    #[test]
    fn env_npm_basic_to_yarn1() {
        super::cases_env::run(super::cases_env::env_npm_basic_to_yarn1())
    }
    #[test]
    fn env_npm_literal_token_to_pnpm12() {
        super::cases_env::run(super::cases_env::env_npm_literal_token_to_pnpm12())
    }
}

/// Every case, in list order, with whether it has a `translate::` test.
fn matrix_rows() -> Vec<matrix::Row> {
    let rows = TRANSLATED.iter().map(|(_, f)| (f(), true));
    let pending = PENDING.iter().map(|(_, f)| (f(), false));
    rows.chain(pending)
        .map(|(case, translated)| matrix::Row { case, translated })
        .collect()
}

/// The lists agree with the case functions and with what pmrc supports.
#[test]
fn case_lists_are_consistent() {
    let mut names = std::collections::HashSet::new();
    for (list, entries) in [("translated", TRANSLATED), ("pending", PENDING)] {
        for (fn_name, make) in entries {
            let case = make();
            assert_eq!(case.name, *fn_name, "a case's name is its function's name");
            assert!(names.insert(case.name), "{} is listed twice", case.name);
            let supported = case.source.pmrc_supports() && case.target.pmrc_supports();
            assert_eq!(
                supported,
                list == "translated",
                "{}: {:?} -> {:?} belongs in the `{}` list",
                case.name,
                case.source,
                case.target,
                if supported { "translated" } else { "pending" }
            );
        }
    }
    assert!(names.len() >= 25, "the issue asks for at least 25 cases");
}

/// pmrc still refuses the managers of every pending case (exit 2). When this fails, pmrc has
/// learned a manager: move its cases to `translated` (and `Pm::pmrc_supports`).
#[test]
fn pending_cases_wait_for_pmrc() {
    for (_, make) in PENDING {
        let case = make();
        let code = check::convert_exit_code(&case).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            code,
            Some(2),
            "{}: `pmrc convert --from {} --to {}` no longer refuses; move the case to the \
             `translated` list so it gets a translate:: test",
            case.name,
            case.source.pmrc_name(),
            case.target.pmrc_name()
        );
    }
}

/// The matrix in `docs/conformance.md` lists exactly the tests that exist, with the pinned
/// versions, and claims what this suite enforces (every test passes). `PMRC_UPDATE_README=1` rewrites it
/// from the outcomes the suite recorded in `target/conformance/` (run the whole suite first).
#[test]
fn readme_matrix() {
    let rows = matrix_rows();
    let expected = matrix::render(&rows, matrix::cell);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/conformance.md");
    let readme = std::fs::read_to_string(&path).expect("read docs/conformance.md");
    if std::env::var_os("PMRC_UPDATE_README").is_some() {
        let mut missing = Vec::new();
        for row in &rows {
            let mut kinds = vec![matrix::Kind::Reference];
            if row.translated {
                kinds.push(matrix::Kind::Translate);
            }
            for kind in kinds {
                if matrix::recorded(kind, &row.case) != Some(true) {
                    missing.push(format!("{kind:?} {}", row.case.name));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "the suite has no passing outcome recorded for: {missing:?}\nRun \
             `cargo test --test conformance` until it passes, then update docs/conformance.md."
        );
        // Built from the recorded outcomes, like `target/conformance/matrix.md`.
        let from_results = matrix::render(&rows, |kind, case| match matrix::recorded(kind, case) {
            Some(true) => matrix::cell(kind, case),
            _ => unreachable!("checked above"),
        });
        std::fs::write(matrix::out_dir().join("matrix.md"), &from_results)
            .expect("write target/conformance/matrix.md");
        let updated = matrix::replace_section(&readme, &from_results).unwrap();
        std::fs::write(&path, updated).expect("write docs/conformance.md");
        return;
    }
    let section = matrix::readme_section(&readme).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        section.trim_end(),
        expected.trim_end(),
        "docs/conformance.md's matrix is out of date; run the suite, then \
         `PMRC_UPDATE_README=1 cargo test --test conformance readme_matrix`"
    );
}
