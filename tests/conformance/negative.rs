//! Deliberately wrong translations: the differential check must report each one.
//!
//! These show the suite can fail. Each takes a case from `cases`, swaps in a plausible but
//! wrong target config, and asserts a mismatch (not a harness error) in the round it expects.

use super::cases;
use super::check::{self, Case, Files};
use super::sandbox::Pm;

fn files(path: &str, text: &str) -> Files {
    vec![(path.to_string(), text.to_string())]
}

/// Runs `wrong` as the target of `case`; returns the per-round mismatch reports.
fn mismatches(case: &Case, wrong: &Files) -> Vec<Option<String>> {
    let verdict = check::differential(case, wrong)
        .unwrap_or_else(|e| panic!("harness error, not a verdict: {e}"));
    verdict.rounds
}

fn assert_caught(case: Case, wrong: Files, must_mention: &str) {
    let rounds = mismatches(&case, &wrong);
    let report = rounds[0].as_deref().unwrap_or_else(|| {
        panic!(
            "{}: the wrong translation was not caught:\n{}",
            case.name,
            check::show_files(&wrong)
        )
    });
    assert!(
        report.contains(must_mention),
        "{}: the report should mention {must_mention:?}:\n{report}",
        case.name
    );
    eprintln!("caught as expected ({}):\n{report}", case.name);
}

#[test]
fn token_dropped() {
    // The registry entry lost its credential: Yarn sends nothing, the registry answers 401.
    assert_caught(
        cases::npm_default_registry_token(),
        files(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        ),
        "[no auth] -> 401",
    );
}

#[test]
fn path_prefix_lost() {
    // npm's host-level key copied verbatim: Yarn matches registry URLs exactly, never by prefix.
    assert_caught(
        cases::npm_path_registry_path_token(),
        files(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/npm/private\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n",
        ),
        "[no auth] -> 401",
    );
}

#[test]
fn at_sign_kept_in_yarn_scope() {
    // `"@acme":` is accepted by Yarn and never matches: the scope falls back to the default registry.
    assert_caught(
        cases::npm_scope_other_host(),
        files(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  \"@acme\":\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        ),
        "+ @acme/widget: packument R1",
    );
}

#[test]
fn missing_unsafe_http_whitelist() {
    // Yarn refuses plain http (YN0081) before any request is made.
    assert_caught(
        cases::npm_scope_other_host(),
        files(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        ),
        "the target install (Yarn) failed",
    );
}

#[test]
fn npm_token_on_wrong_path() {
    // Yarn → npm with the token keyed at the host's root but the scope registry under a path
    // on another host: npm finds no key for it.
    assert_caught(
        cases::yarn_scope_other_host(),
        files(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H1}/:_authToken=${NODE_AUTH_TOKEN}\n",
        ),
        "- @acme/widget: packument R2 /@acme/widget [Bearer fake-token-1] -> 200",
    );
}

#[test]
fn inlined_secret_fails_the_second_round() {
    // The token's value written instead of `${NODE_AUTH_TOKEN}`: right in round 1 by luck,
    // wrong as soon as the variable changes.
    let case = cases::npm_scope_other_host();
    let wrong = files(
        ".yarnrc.yml",
        "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"fake-token-1\"\n",
    );
    let rounds = mismatches(&case, &wrong);
    assert!(
        rounds[0].is_none(),
        "round 1 should agree by construction:\n{:?}",
        rounds[0]
    );
    let report = rounds[1]
        .as_deref()
        .expect("round 2 must catch the inlined secret");
    assert!(report.contains("[Bearer fake-token-1]"), "{report}");
}

#[test]
fn registry_lost_goes_to_the_guard_not_the_internet_yarn() {
    // Without `npmRegistryServer` Yarn asks https://registry.yarnpkg.com; the guard proxy
    // (YARN_HTTPS_PROXY) must refuse and record it.
    assert_caught(
        cases::npm_http_registry_no_auth(),
        files(".yarnrc.yml", "unsafeHttpWhitelist:\n  - \"127.0.0.1\"\n"),
        "+ ESCAPE CONNECT registry.yarnpkg.com:443",
    );
}

#[test]
fn registry_lost_goes_to_the_guard_not_the_internet_npm() {
    // Without `registry=` npm asks https://registry.npmjs.org through HTTPS_PROXY = the guard.
    assert_caught(
        cases::yarn_default_registry_token(),
        files(".npmrc", "//{H1}/:_authToken=${NPM_TOKEN}\n"),
        "+ ESCAPE CONNECT registry.npmjs.org:443",
    );
}

#[test]
fn ca_file_dropped() {
    // The https registry's CA left out: Yarn does not trust the certificate and fails.
    assert_caught(
        cases::npm_https_cafile_token(),
        files(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nnpmRegistries:\n  \"//{H1}\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n",
        ),
        "the target install (Yarn) failed",
    );
}

#[test]
fn optional_token_made_required() {
    // npm's `${VAR?}` written as Yarn's bare `${VAR}`: fine while the variable is set, fatal
    // ("Environment variable not found") for every yarn command once it is not (round 2).
    let case = cases::npm_optional_token_scope();
    let wrong = files(
        ".yarnrc.yml",
        "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
    );
    let rounds = mismatches(&case, &wrong);
    assert!(
        rounds[0].is_none(),
        "round 1 should agree:\n{:?}",
        rounds[0]
    );
    let report = rounds[1]
        .as_deref()
        .expect("round 2 (variable unset) must catch the required token");
    assert!(
        report.contains("the target install (Yarn) failed"),
        "{report}"
    );
}

#[test]
fn npm12_given_npm11_top_level_email() {
    // Issue 16: the npm 11 file unchanged fails under npm 12 (ERR_INVALID_AUTH), which is why
    // the migration keys `email`.
    let case = cases::npm11_to_npm12_email_keyed();
    let unchanged = case.files.clone();
    assert_caught(case, unchanged, "ERR_INVALID_AUTH");
}

#[test]
fn deno_given_a_lone_username() {
    // Issue 16: Deno stops on `username` without `_password` where npm sends nothing extra;
    // a translation into Deno that kept such a block would break the install.
    let case = cases::yarn_to_deno_default_token();
    assert_caught(
        case,
        files(".npmrc", "registry={R1}/npm/\n//{H1}/npm/:username=alice\n"),
        "Both the username / email and password must be provided for basic auth",
    );
}

#[test]
fn pnpm10_given_url_keyed_registries() {
    // Issue 16: left in the yaml, pnpm 11's URL-keyed `registries` stop pnpm 10 (errata).
    let case = cases::pnpm11_to_pnpm10_url_keyed_registries();
    let unchanged = case.files.clone();
    assert_caught(case, unchanged, "should be a string");
}

#[test]
fn pnpm11_ignores_env_registry_in_project_npmrc() {
    // npm's own `.npmrc` given to pnpm 11 unchanged: pnpm 11 does not expand the `${REG}`
    // registry and asks its default registry (the guard) instead (obs p15).
    assert_caught(
        cases::npm_env_registry_to_pnpm11(),
        files(".npmrc", "registry=${REG}\n"),
        "- leftpad-fake: packument R1",
    );
}

#[test]
fn pnpm12_stops_on_env_registry_in_project_npmrc() {
    // The same file stops pnpm 12 before any request (ERR_PNPM_REGISTRY_ENV_NOT_EXPANDED),
    // which is why pmrc refuses a conversion that would leave it there for pnpm 12.
    assert_caught(
        cases::npm_env_registry_to_pnpm11().variant("pnpm12_stops_on_env_registry", Pm::Pnpm12),
        files(".npmrc", "registry=${REG}\n"),
        "ERR_PNPM_REGISTRY_ENV_NOT_EXPANDED",
    );
}

#[test]
fn pnpm_stops_on_mixed_registries() {
    // A `registries` map with `default:` beside a URL-keyed declaration: pnpm 11 and 12
    // refuse the setting before any request, which pmrc reports (`pnpm-mixed-registries`).
    let mixed =
        "packages: []\nregistries:\n  default: {R1}/\n  \"{R1}/\":\n    scopes: [\"@acme\"]\n";
    for pm in [Pm::Pnpm11, Pm::Pnpm12] {
        assert_caught(
            cases::npm_env_registry_to_pnpm11().variant("pnpm_stops_on_mixed_registries", pm),
            files("pnpm-workspace.yaml", mixed),
            "mixes registry declarations",
        );
    }
}

#[test]
fn yarn1_stops_on_an_optional_reference() {
    // npm's optional `${VAR?}` with the variable set: Yarn 1 looks up a variable named
    // `VAR?` and stops before any request, which `pmrc doctor` reports as an error
    // (`yarn-classic-optional-reference`, spec/yarn.md B3).
    assert_caught(
        cases::npm_to_yarn1_scope_env_token(),
        files(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN?}\n",
        ),
        "Failed to replace env in config",
    );
}

#[test]
fn yarn1_stops_on_a_default_reference() {
    // Yarn Berry's and pnpm's `${VAR:-default}` with the variable set: Yarn 1 has no default
    // form, looks up a variable named `VAR:-default` and stops before any request, which
    // `pmrc doctor` reports as an error (`yarn-classic-optional-reference`, spec/yarn.md B3).
    assert_caught(
        cases::npm_to_yarn1_scope_env_token(),
        files(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN:-none}\n",
        ),
        "Failed to replace env in config: ${NODE_AUTH_TOKEN:-none}",
    );
}
