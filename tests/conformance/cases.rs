//! The conformance cases: npm 11/12 ↔ Yarn 4 both directions, and Yarn 1, Bun and pnpm
//! 10/11/12 both as sources and as targets.
//!
//! Each function is one case. `{R1}` is `http://127.0.0.1:<port of R1>`, `{H1}` is
//! `127.0.0.1:<port>`; `.dep(name, listener, auth)` is what the source manager must be seen
//! doing (auth templates: `{VAR}` is the round's env value, `{b64:…}` base64). Add a case by
//! writing a function here and naming it in the `cases!` list in `tests/conformance.rs`.
//! Tokens are obvious fakes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::check::Case;
use super::sandbox::Pm::{Bun, Deno, Npm, Npm12, Pnpm10, Pnpm11, Pnpm12, Yarn, Yarn1};

const BEARER_NPM: &str = "Bearer {NPM_TOKEN}";
const BEARER_GH: &str = "Bearer {NODE_AUTH_TOKEN}";
const NONE: &str = "";

fn b64(s: &str) -> String {
    B64.encode(s)
}

// ---- default registry with a token ----

/// Plain private registry: every package from R1 with the token.
pub fn npm_default_registry_token() -> Case {
    Case::new("npm_default_registry_token", Npm, Yarn)
        .mount_auth(1, "/", BEARER_NPM)
        .file(".npmrc", "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n",
        )
}

/// Yarn's top-level token with `npmAlwaysAuth` (needed for unscoped packages).
pub fn yarn_default_registry_token() -> Case {
    Case::new("yarn_default_registry_token", Yarn, Npm)
        .mount_auth(1, "/", BEARER_NPM)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nnpmAuthToken: \"${NPM_TOKEN}\"\nnpmAlwaysAuth: true\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(".npmrc", "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n")
}

/// An http registry and no credentials at all: Yarn still needs `unsafeHttpWhitelist`.
pub fn npm_http_registry_no_auth() -> Case {
    Case::new("npm_http_registry_no_auth", Npm, Yarn)
        .mount(1, "/")
        .file(".npmrc", "registry={R1}/\n")
        .dep("leftpad-fake", 1, NONE)
        .dep("@acme/widget", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        )
}

/// npm 11 ignores `always-auth` (unknown key, a warning) and always sends a matching token;
/// Yarn needs `npmAlwaysAuth: true` to do the same for unscoped packages.
pub fn npm_always_auth_legacy() -> Case {
    Case::new("npm_always_auth_legacy", Npm, Yarn)
        .mount_auth(1, "/npm/", BEARER_NPM)
        .file(".npmrc", "registry={R1}/npm/\nalways-auth=true\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/npm\"\nunsafeHttpWhitelist: [\"127.0.0.1\"]\nnpmRegistries:\n  \"//{H1}/npm\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n",
        )
}

// ---- scopes on other hosts ----

/// GitHub Packages shape: the scope on another host with `${NODE_AUTH_TOKEN}`; the public
/// registry gets nothing.
pub fn npm_scope_other_host() -> Case {
    Case::new("npm_scope_other_host", Npm, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(".npmrc", "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n")
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n    npmAlwaysAuth: true\n",
        )
}

pub fn yarn_scope_other_host() -> Case {
    Case::new("yarn_scope_other_host", Yarn, Npm)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(".npmrc", "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n")
}

/// Two scopes on two hosts with two tokens; unscoped packages public.
pub fn npm_two_scopes_two_hosts() -> Case {
    Case::new("npm_two_scopes_two_hosts", Npm, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/", "Bearer {ACME_TOKEN}")
        .mount_auth(3, "/npm/", "Bearer {BETA_TOKEN}")
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n@beta:registry={R3}/npm/\n//{H2}/:_authToken=${ACME_TOKEN}\n//{H3}/npm/:_authToken=${BETA_TOKEN}\n",
        )
        .env("ACME_TOKEN", "fake-acme-token-1", "fake-acme-token-2")
        .env("BETA_TOKEN", "fake-beta-token-1", "fake-beta-token-2")
        .dep("@acme/widget", 2, "Bearer {ACME_TOKEN}")
        .dep("@beta/gadget", 3, "Bearer {BETA_TOKEN}")
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${ACME_TOKEN}\"\n  beta:\n    npmRegistryServer: \"{R3}/npm\"\n    npmAuthToken: \"${BETA_TOKEN}\"\n",
        )
}

pub fn yarn_two_scopes_two_hosts() -> Case {
    Case::new("yarn_two_scopes_two_hosts", Yarn, Npm)
        .mount(1, "/")
        .mount_auth(2, "/", "Bearer {ACME_TOKEN}")
        .mount_auth(3, "/npm/", "Bearer {BETA_TOKEN}")
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${ACME_TOKEN}\"\n  beta:\n    npmRegistryServer: \"{R3}/npm\"\n    npmAuthToken: \"${BETA_TOKEN}\"\n",
        )
        .env("ACME_TOKEN", "fake-acme-token-1", "fake-acme-token-2")
        .env("BETA_TOKEN", "fake-beta-token-1", "fake-beta-token-2")
        .dep("@acme/widget", 2, "Bearer {ACME_TOKEN}")
        .dep("@beta/gadget", 3, "Bearer {BETA_TOKEN}")
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n@beta:registry={R3}/npm/\n//{H2}/:_authToken=${ACME_TOKEN}\n//{H3}/npm/:_authToken=${BETA_TOKEN}\n",
        )
}

// ---- path-prefixed registries ----

/// npm walks up from the registry path to a host-level token; Yarn matches the exact
/// registry URL only, so the translation must key the token at the path.
pub fn npm_path_registry_host_token() -> Case {
    Case::new("npm_path_registry_host_token", Npm, Yarn)
        .mount_auth(1, "/npm/private/", BEARER_NPM)
        .file(".npmrc", "registry={R1}/npm/private/\n//{H1}/:_authToken=${NPM_TOKEN}\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/npm/private\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}/npm/private\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n",
        )
}

pub fn npm_path_registry_path_token() -> Case {
    Case::new("npm_path_registry_path_token", Npm, Yarn)
        .mount_auth(1, "/npm/private/", BEARER_NPM)
        .file(".npmrc", "registry={R1}/npm/private/\n//{H1}/npm/private/:_authToken=${NPM_TOKEN}\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/npm/private\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}/npm/private\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n",
        )
}

/// A scope on a path registry, keyed in Yarn's `npmRegistries` (scheme-less form).
pub fn yarn_path_registry_token() -> Case {
    Case::new("yarn_path_registry_token", Yarn, Npm)
        .mount(1, "/")
        .mount_auth(1, "/npm/private/", BEARER_NPM)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R1}/npm/private\"\nnpmRegistries:\n  \"//{H1}/npm/private\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 1, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R1}/npm/private/\n//{H1}/npm/private/:_authToken=${NPM_TOKEN}\n",
        )
}

// ---- basic auth ----

/// `_auth` is sent verbatim; Yarn's `npmAuthIdent` without `:` is too.
pub fn npm_auth_basic() -> Case {
    Case::new("npm_auth_basic", Npm, Yarn)
        .mount_auth(1, "/", "Basic {NPM_AUTH}")
        .file(".npmrc", "registry={R1}/\n//{H1}/:_auth=${NPM_AUTH}\n")
        .env("NPM_AUTH", &b64("alice:fake-pass-1"), &b64("bob:fake-pass-2"))
        .dep("leftpad-fake", 1, "Basic {NPM_AUTH}")
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}\":\n    npmAuthIdent: \"${NPM_AUTH}\"\n    npmAlwaysAuth: true\n",
        )
}

pub fn yarn_auth_ident() -> Case {
    Case::new("yarn_auth_ident", Yarn, Npm)
        .mount_auth(1, "/", "Basic {NPM_AUTH}")
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmAuthIdent: \"${NPM_AUTH}\"\nnpmAlwaysAuth: true\n",
        )
        .env("NPM_AUTH", &b64("alice:fake-pass-1"), &b64("bob:fake-pass-2"))
        .dep("leftpad-fake", 1, "Basic {NPM_AUTH}")
        .reference(".npmrc", "registry={R1}/\n//{H1}/:_auth=${NPM_AUTH}\n")
}

/// `username` + base64 `_password` written literally (Azure Artifacts shape); Yarn's
/// `npmAuthIdent: "user:password"` is base64-encoded by Yarn.
pub fn npm_username_password() -> Case {
    let password_b64 = b64("fake-pass-1");
    Case::new("npm_username_password", Npm, Yarn)
        .mount_auth(1, "/npm/", "Basic {b64:alice:fake-pass-1}")
        .file(
            ".npmrc",
            &format!("registry={{R1}}/npm/\n//{{H1}}/npm/:username=alice\n//{{H1}}/npm/:_password={password_b64}\n"),
        )
        .dep("leftpad-fake", 1, "Basic {b64:alice:fake-pass-1}")
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/npm\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}/npm\":\n    npmAuthIdent: \"alice:fake-pass-1\"\n    npmAlwaysAuth: true\n",
        )
}

/// `alice` and `_password=${NPM_PASS_B64}`, base64 of the password in an env var, sent to R1.
fn npm_password_env(name: &'static str, target: super::sandbox::Pm) -> Case {
    Case::new(name, Npm, target)
        .mount_auth(1, "/", "Basic {b64:alice:{NPM_PASS}}")
        .file(".npmrc", NPMRC_PASSWORD_ENV)
        .env("NPM_PASS_B64", &b64("fake-pass-1"), &b64("fake-pass-2"))
        .env("NPM_PASS", "fake-pass-1", "fake-pass-2")
        .dep("leftpad-fake", 1, "Basic {b64:alice:{NPM_PASS}}")
}

const NPMRC_PASSWORD_ENV: &str =
    "registry={R1}/\n//{H1}/:username=alice\n//{H1}/:_password=${NPM_PASS_B64}\n";

/// Yarn would need the plain password (or base64 of the pair), which no `${…}` of that
/// variable gives. pmrc must say so.
pub fn npm_password_env_inexpressible() -> Case {
    npm_password_env("npm_password_env_inexpressible", Yarn).expect_warning("lossy-basic-auth")
}

/// The same `.npmrc` to Bun, which reads the `.npmrc` too: the lines stay there, and real Bun
/// 1.4.5 decoded the variable's base64 and sent the basic auth (a trial). pmrc had said Bun
/// would send nothing.
pub fn npm_password_env_kept_for_bun() -> Case {
    npm_password_env("npm_password_env_kept_for_bun", Bun).reference(".npmrc", NPMRC_PASSWORD_ENV)
}

// ---- tarballs on another host ----

/// npm sends a token to the tarball host only when a key matches it; Yarn sends the scope's
/// token wherever the tarball lives. With both hosts keyed to the same token they agree.
pub fn npm_scope_tarballs_other_host() -> Case {
    Case::new("npm_scope_tarballs_other_host", Npm, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_GH)
        .tarballs_at(3, "/files/")
        .mount_auth(3, "/files/", BEARER_GH)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN}\n//{H3}/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep_split("@acme/widget", (2, BEARER_GH), (3, BEARER_GH))
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}/npm\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        )
}

/// Tarballs on the scope registry's host but outside its path: Yarn sends the scope token,
/// npm's same-host fallback sends the registry's credentials.
pub fn yarn_scope_tarballs_same_host() -> Case {
    Case::new("yarn_scope_tarballs_same_host", Yarn, Npm)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_GH)
        .tarballs_at(2, "/files/")
        .mount_auth(2, "/files/", BEARER_GH)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}/npm\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(".npmrc", "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN}\n")
}

// ---- npm 12 as the source (same `.npmrc` rules; `allow-remote=none` by default) ----

pub fn npm12_scope_other_host() -> Case {
    Case::new("npm12_scope_other_host", Npm12, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_GH)
        .file(".npmrc", "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN}\n")
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}/npm\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        )
}

/// npm 12 refuses tarballs outside the registry's origin and path unless `allow-remote=all`;
/// with it, a token keyed to the tarball host goes there, as Yarn's scope token does.
pub fn npm12_allow_remote_tarballs_other_host() -> Case {
    Case::new("npm12_allow_remote_tarballs_other_host", Npm12, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_GH)
        .tarballs_at(3, "/files/")
        .mount_auth(3, "/files/", BEARER_GH)
        .file(
            ".npmrc",
            "registry={R1}/\nallow-remote=all\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN}\n//{H3}/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep_split("@acme/widget", (2, BEARER_GH), (3, BEARER_GH))
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}/npm\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        )
}

// ---- Yarn 1 as the source: `.yarnrc` routes, `.npmrc` holds every credential ----

/// Quoted `"@acme:registry"` key in `.yarnrc`; the token can only live in `.npmrc`.
pub fn yarn1_scope_quoted_key() -> Case {
    Case::new("yarn1_scope_quoted_key", Yarn1, Npm)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_GH)
        .file(
            ".yarnrc",
            "registry \"{R1}/\"\n\"@acme:registry\" \"{R2}/npm/\"\n",
        )
        .file(".npmrc", "//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN}\n")
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
}

/// Yarn 1 sends a token on unscoped requests only with `always-auth=true` in `.npmrc`.
pub fn yarn1_always_auth() -> Case {
    Case::new("yarn1_always_auth", Yarn1, Npm)
        .mount_auth(1, "/npm/", BEARER_NPM)
        .file(".yarnrc", "registry \"{R1}/npm/\"\n")
        .file(
            ".npmrc",
            "always-auth=true\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/npm/\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n",
        )
}

/// Yarn 1's top-level `_auth` goes to every registry without its own credential (errata):
/// npm needs it once per registry.
pub fn yarn1_top_level_auth_spreads() -> Case {
    Case::new("yarn1_top_level_auth_spreads", Yarn1, Npm)
        .mount_auth(1, "/", "Basic {NPM_AUTH}")
        .mount_auth(2, "/", "Basic {NPM_AUTH}")
        .file(".yarnrc", "registry \"{R1}/\"\n\"@acme:registry\" \"{R2}/\"\n")
        .file(".npmrc", "_auth=${NPM_AUTH}\nalways-auth=true\n")
        .env("NPM_AUTH", &b64("alice:fake-pass-1"), &b64("bob:fake-pass-2"))
        .dep("leftpad-fake", 1, "Basic {NPM_AUTH}")
        .dep("@acme/widget", 2, "Basic {NPM_AUTH}")
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H1}/:_auth=${NPM_AUTH}\n//{H2}/:_auth=${NPM_AUTH}\n",
        )
}

/// A `--registry` flag line in `.yarnrc` is a command-line flag to Yarn 1: the default
/// registry over `.yarnrc`'s and `.npmrc`'s `registry` (R3 must see nothing), while a scope
/// with a registry of its own keeps it (spec Y11; `registry.init` in Yarn 1's config.js).
pub fn yarn1_registry_flag_line() -> Case {
    Case::new("yarn1_registry_flag_line", Yarn1, Npm)
        .mount_auth(1, "/flag/", BEARER_NPM)
        .mount(2, "/")
        .mount(3, "/")
        .file(
            ".yarnrc",
            "registry \"{R3}/\"\n--registry \"{R1}/flag/\"\n\"@acme:registry\" \"{R2}/\"\n",
        )
        .file(
            ".npmrc",
            "registry={R3}/\nalways-auth=true\n//{H1}/flag/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 2, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/flag/\n@acme:registry={R2}/\n//{H1}/flag/:_authToken=${NPM_TOKEN}\n",
        )
}

/// Yarn 1 gathers `--flag` lines with the home `.yarnrc` after the project's (`getRcPaths` in
/// its util/rc.js): the home file's `--registry` wins over the project's (from a helper's
/// review, where pmrc named the project's).
pub fn yarn1_registry_flag_line_home_wins() -> Case {
    Case::new("yarn1_registry_flag_line_home_wins", Yarn1, Npm)
        .user()
        .mount_auth(1, "/home/", BEARER_NPM)
        .mount(2, "/")
        .file("~/.yarnrc", "--registry \"{R1}/home/\"\n")
        .file(".yarnrc", "--registry \"{R2}/proj/\"\n")
        .file(
            ".npmrc",
            "always-auth=true\n//{H1}/home/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/home/\n//{H1}/home/:_authToken=${NPM_TOKEN}\n",
        )
}

// ---- files in the folders above the project ----

/// Yarn reads `.yarnrc.yml` in every folder above the project (spec yarn.md P1): a scope
/// and its token declared one folder up route `@acme/*`, while the project's own file sets
/// the default registry. pmrc once read the project's file alone and said `@acme/*` went to
/// Yarn's default registry without credentials.
pub fn yarn_parent_folder_scope() -> Case {
    Case::new("yarn_parent_folder_scope", Yarn, Npm)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_NPM)
        .file(
            "../.yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NPM_TOKEN}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        )
        .file(".yarnrc.yml", "npmRegistryServer: \"{R1}\"\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, NONE)
        .dep("@acme/widget", 2, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NPM_TOKEN}\n",
        )
}

/// Yarn 1 reads `.npmrc` and `.yarnrc` in every folder above the project, below the home
/// and project files (spec yarn.md B1): the parent's scope and token count, its `registry`
/// gives way to the project's, and of two `--registry` flag lines the project's wins over
/// the parent's (real Yarn 1.22.22).
pub fn yarn1_parent_folder_files() -> Case {
    Case::new("yarn1_parent_folder_files", Yarn1, Npm)
        .mount(1, "/flag/")
        .mount_auth(2, "/", BEARER_NPM)
        .mount(3, "/")
        .file(
            "../.npmrc",
            "registry={R3}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NPM_TOKEN}\n",
        )
        .file("../.yarnrc", "--registry \"{R3}/\"\n")
        .file(".yarnrc", "--registry \"{R1}/flag/\"\n")
        .file(".npmrc", "registry={R3}/\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, NONE)
        .dep("@acme/widget", 2, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/flag/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NPM_TOKEN}\n",
        )
}

// ---- run in a workspace member ----

/// Run in a workspace member, npm reads the workspace root's `.npmrc` and ignores the
/// member's own ("ignoring workspace config", spec/npm.md §1.3). pmrc once said npm sent the
/// member's registry; the conversion writes the root's `.yarnrc.yml`, which Yarn reads in the
/// member from the folder above.
pub fn npm_workspace_member_npmrc_ignored() -> Case {
    Case::new("npm_workspace_member_npmrc_ignored", Npm, Yarn)
        .member("packages/a")
        .mount_auth(1, "/", BEARER_NPM)
        .mount(2, "/")
        .file(".npmrc", "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n")
        .file("packages/a/.npmrc", "registry={R2}/\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n",
        )
}

/// Run in a workspace member, Bun reads the root's config and ignores the member's
/// `bunfig.toml` and `.npmrc` (spec/pnpm-bun-deno.md w01; real Bun 1.4.5).
pub fn bun_workspace_member_config_ignored() -> Case {
    Case::new("bun_workspace_member_config_ignored", Bun, Npm)
        .member("packages/a")
        .mount_auth(1, "/", BEARER_NPM)
        .mount(2, "/")
        .file(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
        .file(
            "packages/a/bunfig.toml",
            "[install]\nregistry = \"{R2}/\"\n",
        )
        .file("packages/a/.npmrc", "registry={R2}/\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
}

/// Run in a workspace member, Deno reads the root's `.npmrc` and not the member's (spec
/// pnpm-bun-deno.md §4 w01; real Deno 2.9.6).
pub fn deno_workspace_member_npmrc_ignored() -> Case {
    Case::new("deno_workspace_member_npmrc_ignored", Deno, Npm)
        .member("packages/a")
        .mount_auth(1, "/", BEARER_NPM)
        .mount(2, "/")
        .file(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
        .file("packages/a/.npmrc", "registry={R2}/\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
}

// ---- Bun as the source: `bunfig.toml`, whole-value `$VAR` only ----

pub fn bun_scope_token_env() -> Case {
    Case::new("bun_scope_token_env", Bun, Npm)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(
            "bunfig.toml",
            "[install]\nregistry = \"{R1}/\"\n\n[install.scopes]\nacme = { url = \"{R2}/\", token = \"$NODE_AUTH_TOKEN\" }\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(".npmrc", "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n")
}

/// A default registry under a path with a token, and a credential-less `"@beta"` scope key.
pub fn bun_default_registry_path_token() -> Case {
    Case::new("bun_default_registry_path_token", Bun, Npm)
        .mount_auth(1, "/npm/private/", BEARER_NPM)
        .mount(2, "/")
        .file(
            "bunfig.toml",
            "[install.registry]\nurl = \"{R1}/npm/private/\"\ntoken = \"$NPM_TOKEN\"\n\n[install.scopes]\n\"@beta\" = \"{R2}/\"\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@beta/gadget", 2, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/npm/private/\n@beta:registry={R2}/\n//{H1}/npm/private/:_authToken=${NPM_TOKEN}\n",
        )
}

/// pnpm's scope token (`//host/:@acme:_authToken`) beside the host's own token in one
/// `.npmrc`: Bun keys `.npmrc` credentials by host and path only, so it sends the host token
/// for `@acme` (spec/pnpm-bun-deno.md §6 item 12). pmrc took the scope token for Bun's own
/// (bunfig's `[install.scopes]`), predicted it, and wrote it over the host token for npm.
/// npm ignores the scope token too, so the translation drops it from the file it rewrites.
pub fn bun_ignores_pnpm_scope_token() -> Case {
    Case::new("bun_ignores_pnpm_scope_token", Bun, Npm)
        .mount(1, "/")
        .mount_auth(2, "/", "Bearer fake-host-token")
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:@acme:_authToken=fake-scope-token\n//{H2}/:_authToken=fake-host-token\n",
        )
        .dep("@acme/widget", 2, "Bearer fake-host-token")
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-host-token\n",
        )
}

/// GitLab's documented template: the credential key names its registry through a variable
/// (`//${CI_SERVER_HOST}/…/:_authToken`). npm puts the value in the key before matching, so it
/// sends the token; Yarn 4 expands values only, so the token goes with the scope.
pub fn npm_variable_in_credential_key() -> Case {
    Case::new("npm_variable_in_credential_key", Npm, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry=http://${REG_HOST}/npm/\n//${REG_HOST}/npm/:_authToken=${NPM_TOKEN}\n",
        )
        .env("REG_HOST", "{H2}", "{H2}")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"http://${REG_HOST}/npm\"\n    npmAuthToken: \"${NPM_TOKEN}\"\n",
        )
}

/// The registry written out, its key through a variable: npm puts the value in the key and
/// sends the token (`pmrc explain` with the variable set says so). A conversion, which reads
/// files only, cannot tell that the key names this registry: Yarn would need the token keyed
/// by the host written out, and pmrc says so rather than guess.
pub fn npm_variable_key_literal_registry_to_yarn() -> Case {
    Case::new("npm_variable_key_literal_registry_to_yarn", Npm, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//${REG_HOST}/npm/:_authToken=${NPM_TOKEN}\n",
        )
        .env("REG_HOST", "{H2}", "{H2}")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
        .expect_warning("lossy-env-reference")
}

/// The other way round: a registry written through a variable and its key written out. npm
/// puts the variable into the registry before matching, so the key matches once it is set
/// (explain predicts it with the variable set); Yarn 1, reading the same file, does the same.
pub fn npm_variable_registry_literal_key_to_yarn1() -> Case {
    const NPMRC: &str = "registry={R1}/\n@acme:registry=http://${REG_HOST}/npm/\n//{H2}/npm/:_authToken=${NPM_TOKEN}\n";
    Case::new("npm_variable_registry_literal_key_to_yarn1", Npm, Yarn1)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_NPM)
        .file(".npmrc", NPMRC)
        .env("REG_HOST", "{H2}", "{H2}")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
        .reference(".npmrc", NPMRC)
}

/// pnpm expands a variable in a credential key in its user file (not in a project file,
/// where it ignores the key): pnpm 11 sends the token; npm, the target, reads the same line.
pub fn pnpm11_variable_in_user_credential_key() -> Case {
    Case::new("pnpm11_variable_in_user_credential_key", Pnpm11, Npm)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_NPM)
        .file(".npmrc", "registry={R1}/\n")
        .file(
            "~/.npmrc",
            "@acme:registry=http://${REG_HOST}/npm/\n//${REG_HOST}/npm/:_authToken=${NPM_TOKEN}\n",
        )
        .env("REG_HOST", "{H2}", "{H2}")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
        .reference(".npmrc", "registry={R1}/\n")
        .reference(
            "~/.npmrc",
            "@acme:registry=http://${REG_HOST}/npm/\n//${REG_HOST}/npm/:_authToken=${NPM_TOKEN}\n",
        )
        .user()
}

/// pnpm's own `${VAR:-default}` in `~/.npmrc` (errata: pnpm 10 to 12 expand it), read by
/// pmrc as text until pnpm's reading was taught: with ACME_REG unset, pnpm 11 sends @acme to
/// the default's registry, and Yarn, which has the same form, is written it.
pub fn pnpm11_user_registry_default_to_yarn() -> Case {
    Case::new("pnpm11_user_registry_default_to_yarn", Pnpm11, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_NPM)
        .file(".npmrc", "registry={R1}/\n")
        .file(
            "~/.npmrc",
            "@acme:registry=${ACME_REG:-{R2}/npm/}\n//{H2}/npm/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        )
        .reference(
            "~/.yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"${ACME_REG:-{R2}/npm}\"\nnpmRegistries:\n  \"//{H2}/npm\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n",
        )
        .user()
}

// ---- pnpm 10/11/12 as the source ----

const PNPM_LITERAL: &str = "Bearer fake-literal-acme-token";

/// pnpm 10: scope and token in `.npmrc`. The token is literal: pnpm 10.34+ ignores `${VAR}`
/// credentials in a project `.npmrc` (next case).
pub fn pnpm10_npmrc_scope_token() -> Case {
    Case::new("pnpm10_npmrc_scope_token", Pnpm10, Npm)
        .mount(1, "/")
        .mount_auth(2, "/npm/", PNPM_LITERAL)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=fake-literal-acme-token\n",
        )
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=fake-literal-acme-token\n",
        )
}

/// A top-level `_authToken` is pinned by pnpm to the same file's `registry=` (spec pnpm §2.2,
/// `rescopeUnscopedCreds`): real pnpm sent it, where pmrc had said pnpm sends nothing (from a
/// helper's review). npm refuses the line, so its translation keys the token.
pub fn pnpm12_top_level_token_pinned() -> Case {
    Case::new("pnpm12_top_level_token_pinned", Pnpm12, Npm)
        .mount_auth(1, "/npm/", PNPM_LITERAL)
        .file(
            ".npmrc",
            "registry={R1}/npm/\n_authToken=fake-literal-acme-token\n",
        )
        .dep("leftpad-fake", 1, PNPM_LITERAL)
        .reference(
            ".npmrc",
            "registry={R1}/npm/\n//{H1}/npm/:_authToken=fake-literal-acme-token\n",
        )
}

/// pnpm 10.34+/11/12 ignore a `${VAR}` credential in a project `.npmrc` (errata): the source
/// sends nothing. npm reads the same `.npmrc` and would send the token, so pmrc must say so.
fn pnpm_env_token_ignored(name: &'static str, pnpm: super::sandbox::Pm) -> Case {
    Case::new(name, pnpm, Npm)
        .mount(1, "/")
        .file(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, NONE)
        .dep("@acme/widget", 1, NONE)
        .expect_warning("credentials-differ")
}

pub fn pnpm10_env_token_ignored() -> Case {
    pnpm_env_token_ignored("pnpm10_env_token_ignored", Pnpm10)
}

pub fn pnpm11_env_token_ignored() -> Case {
    pnpm_env_token_ignored("pnpm11_env_token_ignored", Pnpm11)
}

pub fn pnpm12_env_token_ignored() -> Case {
    pnpm_env_token_ignored("pnpm12_env_token_ignored", Pnpm12)
}

/// pnpm 12 keeps an inline comment as part of a value (spec obs e03): it sends the token
/// with ` # rotated in May` on it, where npm would cut it. pmrc gives npm that value in
/// double quotes, which both decode alike.
pub fn pnpm12_inline_comment_in_token() -> Case {
    const SENT: &str = "Bearer fake-literal-acme-token # rotated in May";
    Case::new("pnpm12_inline_comment_in_token", Pnpm12, Npm)
        .mount_auth(1, "/", SENT)
        .file(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=fake-literal-acme-token # rotated in May\n",
        )
        .dep("leftpad-fake", 1, SENT)
        .reference(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=\"fake-literal-acme-token # rotated in May\"\n",
        )
}

/// Two keys for one registry path that differ only by the trailing slash: pnpm 11 takes the
/// one the file writes last (a trial's real 11.28.11, both orders), here the slash-less one,
/// where npm takes the slashed one. pmrc gives npm the token pnpm 11 sends. (pnpm 12 sends
/// one or the other from run to run: `pnpm12-slash-twins`.)
pub fn pnpm11_last_of_slash_twins() -> Case {
    const SENT: &str = "Bearer fake-noslash-token";
    Case::new("pnpm11_last_of_slash_twins", Pnpm11, Npm)
        .mount(1, "/reg/")
        .file(
            ".npmrc",
            "@acme:registry={R1}/reg/\n//{H1}/reg/:_authToken=fake-slash-token\n//{H1}/reg:_authToken=fake-noslash-token\n",
        )
        .dep("@acme/widget", 1, SENT)
        .reference(
            ".npmrc",
            "@acme:registry={R1}/reg/\n//{H1}/reg/:_authToken=fake-noslash-token\n//{H1}/reg:_authToken=fake-noslash-token\n",
        )
}

/// The other way: npm sends the token without its inline comment, and pnpm 12, given the
/// file as it is, would send it with the comment. pmrc puts the comment on a line of its own,
/// above the token, which every reader reads as npm did.
pub fn npm_to_pnpm12_inline_comment_moved() -> Case {
    Case::new("npm_to_pnpm12_inline_comment_moved", Npm, Pnpm12)
        .mount_auth(1, "/", PNPM_LITERAL)
        .file(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=fake-literal-acme-token # rotated in May\n",
        )
        .dep("leftpad-fake", 1, PNPM_LITERAL)
        .reference(
            ".npmrc",
            "registry={R1}/\n# rotated in May\n//{H1}/:_authToken=fake-literal-acme-token\n",
        )
}

/// pnpm 12 skips a `[section]` line and reads the keys after it (spec obs e07), where npm
/// nests them and reads none: pmrc gives npm the scope above the section.
pub fn pnpm12_scope_after_section_line() -> Case {
    Case::new("pnpm12_scope_after_section_line", Pnpm12, Npm)
        .mount(1, "/")
        .mount_auth(2, "/", PNPM_LITERAL)
        .file(
            ".npmrc",
            "registry={R1}/\n[corp]\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n",
        )
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n[corp]\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n",
        )
}

/// pnpm 11 reads `//host/npm/@acme/:_authToken` as the @acme scope token on the registry at
/// `/npm/` (spec obs p17); npm would use it for tarballs under `/npm/@acme/` only, so pmrc
/// gives npm the token keyed by the registry.
pub fn pnpm11_path_form_scope_token() -> Case {
    Case::new("pnpm11_path_form_scope_token", Pnpm11, Npm)
        .mount(1, "/")
        .mount_auth(2, "/npm/", PNPM_LITERAL)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/@acme/:_authToken=fake-literal-acme-token\n",
        )
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=fake-literal-acme-token\n",
        )
}

/// Yarn 1 and pnpm 10 read `.npmrc` with ini 1.3.8, where `[corp] ` (a blank after the `]`)
/// is a key, not a section: the scope after it counts, where npm nests it and reads none.
fn scope_after_blank_section_line(name: &'static str, source: super::sandbox::Pm) -> Case {
    Case::new(name, source, Npm)
        .mount(1, "/")
        .mount_auth(2, "/", PNPM_LITERAL)
        .file(
            ".npmrc",
            "registry={R1}/\n[corp] \n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n",
        )
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n[corp] \n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n",
        )
}

pub fn yarn1_scope_after_blank_section_line() -> Case {
    scope_after_blank_section_line("yarn1_scope_after_blank_section_line", Yarn1)
}

pub fn pnpm10_scope_after_blank_section_line() -> Case {
    scope_after_blank_section_line("pnpm10_scope_after_blank_section_line", Pnpm10)
}

/// `registries` in `pnpm-workspace.yaml` plus an `.npmrc` scope. pnpm 10 lets the yaml map
/// replace the `.npmrc` scopes (`@beta` falls back to the default registry); 11 merges them.
fn pnpm_workspace_registries(name: &'static str, pnpm: super::sandbox::Pm, merged: bool) -> Case {
    let beta = if merged { 3 } else { 1 };
    let reference = if merged {
        "registry={R1}/\n@acme:registry={R2}/\n@beta:registry={R3}/\n//{H2}/:_authToken=fake-literal-acme-token\n"
    } else {
        "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n"
    };
    Case::new(name, pnpm, Npm)
        .mount(1, "/")
        .mount_auth(2, "/", PNPM_LITERAL)
        .mount(3, "/")
        .file(
            "pnpm-workspace.yaml",
            "registries:\n  default: {R1}/\n  \"@acme\": {R2}/\n",
        )
        .file(
            ".npmrc",
            "@beta:registry={R3}/\n//{H2}/:_authToken=fake-literal-acme-token\n",
        )
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("@beta/gadget", beta, NONE)
        .dep("leftpad-fake", 1, NONE)
        .reference(".npmrc", reference)
}

pub fn pnpm10_workspace_registries_replace_npmrc_scopes() -> Case {
    pnpm_workspace_registries(
        "pnpm10_workspace_registries_replace_npmrc_scopes",
        Pnpm10,
        false,
    )
}

pub fn pnpm11_workspace_registries_merge_npmrc_scopes() -> Case {
    pnpm_workspace_registries(
        "pnpm11_workspace_registries_merge_npmrc_scopes",
        Pnpm11,
        true,
    )
}

/// pnpm 12's URL-keyed `registries` declarations (`scopes: ["@"]` is the default registry).
pub fn pnpm12_workspace_registries_url_keyed() -> Case {
    Case::new("pnpm12_workspace_registries_url_keyed", Pnpm12, Npm)
        .mount(1, "/")
        .mount_auth(2, "/npm/", PNPM_LITERAL)
        .file(
            "pnpm-workspace.yaml",
            "registries:\n  \"{R1}/\":\n    scopes: [\"@\"]\n  \"{R2}/npm/\":\n    scopes: [\"@acme\"]\n",
        )
        .file(".npmrc", "//{H2}/npm/:_authToken=fake-literal-acme-token\n")
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=fake-literal-acme-token\n",
        )
}

// ---- HTTPS with the suite's own CA (`{CA}` is the path of its PEM file) ----

/// `cafile` + token on an https registry: Yarn needs `httpsCaFilePath`.
pub fn npm_https_cafile_token() -> Case {
    Case::new("npm_https_cafile_token", Npm, Yarn)
        .tls(1)
        .mount_auth(1, "/", BEARER_NPM)
        .file(".npmrc", "registry={R1}/\ncafile={CA}\n//{H1}/:_authToken=${NPM_TOKEN}\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nhttpsCaFilePath: \"{CA}\"\nnpmRegistries:\n  \"//{H1}\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n",
        )
}

/// `strict-ssl=false`: both managers accept a certificate nobody vouches for.
pub fn npm_https_strict_ssl_false() -> Case {
    Case::new("npm_https_strict_ssl_false", Npm, Yarn)
        .tls(1)
        .tls(2)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(
            ".npmrc",
            "registry={R1}/\nstrict-ssl=false\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nenableStrictSsl: false\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        )
}

/// From a trial: Yarn 1 takes `strict-ssl` from `.yarnrc` only (its own default wins over
/// `.npmrc`), so npm's `strict-ssl=false` cannot reach it through the shared `.npmrc`: real
/// Yarn 1.22.22 refused the certificate npm accepted. pmrc must say so.
pub fn npm_strict_ssl_false_to_yarn1() -> Case {
    Case::new("npm_strict_ssl_false_to_yarn1", Npm, Yarn1)
        .tls(1)
        .mount_auth(1, "/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/\nstrict-ssl=false\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .expect_warning("lossy-network-settings")
}

/// Yarn → npm: an https default registry with the CA file, and a plain-http scope.
pub fn yarn_https_ca_file() -> Case {
    Case::new("yarn_https_ca_file", Yarn, Npm)
        .tls(1)
        .mount_auth(1, "/", BEARER_NPM)
        .mount(2, "/")
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nhttpsCaFilePath: \"{CA}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\nnpmScopes:\n  beta:\n    npmRegistryServer: \"{R2}\"\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@beta/gadget", 2, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\ncafile={CA}\n@beta:registry={R2}/\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
}

/// pnpm 11 takes `cafile` from pnpm-workspace.yaml (pnpm 10 and 12 do not): npm, the
/// target, needs it in `.npmrc` or fails the handshake.
pub fn pnpm11_yaml_cafile_to_npm() -> Case {
    Case::new("pnpm11_yaml_cafile_to_npm", Pnpm11, Npm)
        .tls(1)
        .mount_auth(1, "/", PNPM_LITERAL)
        .file(
            "pnpm-workspace.yaml",
            "registry: \"{R1}/\"\ncafile: \"{CA}\"\n",
        )
        .file(".npmrc", "//{H1}/:_authToken=fake-literal-acme-token\n")
        .dep("leftpad-fake", 1, PNPM_LITERAL)
        .reference(
            ".npmrc",
            "//{H1}/:_authToken=fake-literal-acme-token\nregistry={R1}/\ncafile={CA}\n",
        )
}

// ---- Yarn's credential spreading and `npmAlwaysAuth` ----

/// `npmAlwaysAuth: false` with a default-registry token: Yarn sends it for scoped packages
/// only. npm sends a matching token on every request, so it cannot say this: pmrc must warn.
pub fn yarn_always_auth_false_default_token() -> Case {
    Case::new("yarn_always_auth_false_default_token", Yarn, Npm)
        .mount(1, "/")
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nnpmAuthToken: \"${NPM_TOKEN}\"\nnpmAlwaysAuth: false\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, NONE)
        .dep("@acme/widget", 1, BEARER_NPM)
        .expect_warning("credentials-differ")
}

/// Yarn's top-level `npmAuthToken` also goes to a scope registry on another host that has no
/// credential of its own (errata): npm needs the token keyed at both hosts.
pub fn yarn_top_token_reaches_scope_host() -> Case {
    Case::new("yarn_top_token_reaches_scope_host", Yarn, Npm)
        .mount_auth(1, "/", BEARER_NPM)
        .mount_auth(2, "/", BEARER_NPM)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nnpmAuthToken: \"${NPM_TOKEN}\"\nnpmAlwaysAuth: true\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 2, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H1}/:_authToken=${NPM_TOKEN}\n//{H2}/:_authToken=${NPM_TOKEN}\n",
        )
}

// ---- optional tokens: set in round 1, unset in round 2 ----

/// npm `${VAR?}` is empty when unset (no credential, no error); Yarn's is `${VAR:-}`.
/// A bare `${VAR}` in Yarn would stop every command when the variable is unset.
pub fn npm_optional_token_scope() -> Case {
    Case::new("npm_optional_token_scope", Npm, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN?}\n",
        )
        .env_then_unset("NODE_AUTH_TOKEN", "fake-token-1")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN:-}\"\n",
        )
}

pub fn yarn_optional_token_scope() -> Case {
    Case::new("yarn_optional_token_scope", Yarn, Npm)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_GH)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}/npm\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN:-}\"\n",
        )
        .env_then_unset("NODE_AUTH_TOKEN", "fake-token-1")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN?}\n",
        )
}

// ---- path registries and a scope on the default registry's host ----

/// Default registry and a scope on two paths of one host, one host-level token: npm walks up
/// to it from both paths; Yarn needs it at each exact registry URL.
pub fn npm_path_scope_same_host_host_token() -> Case {
    Case::new("npm_path_scope_same_host_host_token", Npm, Yarn)
        .mount_auth(1, "/npm/public/", BEARER_NPM)
        .mount_auth(1, "/npm/private/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/npm/public/\n@acme:registry={R1}/npm/private/\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/npm/public\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R1}/npm/private\"\nnpmRegistries:\n  \"//{H1}/npm/public\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n  \"//{H1}/npm/private\":\n    npmAuthToken: \"${NPM_TOKEN}\"\n",
        )
}

/// Basic auth (`_auth`) on a scope registry under a path.
pub fn npm_scope_basic_auth() -> Case {
    Case::new("npm_scope_basic_auth", Npm, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/npm/", "Basic {ACME_AUTH}")
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_auth=${ACME_AUTH}\n",
        )
        .env("ACME_AUTH", &b64("ci:fake-pass-1"), &b64("ci:fake-pass-2"))
        .dep("@acme/widget", 2, "Basic {ACME_AUTH}")
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}/npm\"\n    npmAuthIdent: \"${ACME_AUTH}\"\n",
        )
}

// ---- vendor shapes (peers.md §6 cases 25 and 15-17) ----

/// Artifactory virtual repository: per-registry `_auth` plus the legacy `always-auth`.
pub fn npm_artifactory_auth_always_auth() -> Case {
    Case::new("npm_artifactory_auth_always_auth", Npm, Yarn)
        .mount_auth(1, "/artifactory/api/npm/npm-virtual/", "Basic {ARTIFACTORY_AUTH}")
        .file(
            ".npmrc",
            "registry={R1}/artifactory/api/npm/npm-virtual/\nalways-auth=true\n//{H1}/artifactory/api/npm/npm-virtual/:_auth=${ARTIFACTORY_AUTH}\n",
        )
        .env(
            "ARTIFACTORY_AUTH",
            &b64("deployer:fake-api-key-1"),
            &b64("deployer:fake-api-key-2"),
        )
        .dep("leftpad-fake", 1, "Basic {ARTIFACTORY_AUTH}")
        .dep("@acme/widget", 1, "Basic {ARTIFACTORY_AUTH}")
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/artifactory/api/npm/npm-virtual\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}/artifactory/api/npm/npm-virtual\":\n    npmAuthIdent: \"${ARTIFACTORY_AUTH}\"\n    npmAlwaysAuth: true\n",
        )
}

/// Azure Artifacts: `username` + base64 `_password` for both `/npm/registry/` and `/npm/`
/// (as Azure's setup page writes them), plus `email` and `always-auth`.
pub fn npm_azure_username_password() -> Case {
    let pat = b64("fake-azure-pat-1");
    let feed = "//{H1}/acme/_packaging/feed/npm";
    Case::new("npm_azure_username_password", Npm, Yarn)
        .mount_auth(
            1,
            "/acme/_packaging/feed/npm/registry/",
            "Basic {b64:acme:fake-azure-pat-1}",
        )
        .file(
            ".npmrc",
            &format!(
                "registry={{R1}}/acme/_packaging/feed/npm/registry/\nalways-auth=true\n; begin auth token\n{feed}/registry/:username=acme\n{feed}/registry/:_password={pat}\n{feed}/registry/:email=npm requires email to be set but doesn't use the value\n{feed}/:username=acme\n{feed}/:_password={pat}\n{feed}/:email=npm requires email to be set but doesn't use the value\n; end auth token\n"
            ),
        )
        .dep("leftpad-fake", 1, "Basic {b64:acme:fake-azure-pat-1}")
        .dep("@acme/widget", 1, "Basic {b64:acme:fake-azure-pat-1}")
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/acme/_packaging/feed/npm/registry\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}/acme/_packaging/feed/npm/registry\":\n    npmAuthIdent: \"acme:fake-azure-pat-1\"\n    npmAlwaysAuth: true\n",
        )
}

// ---- npm 12 as the target of Yarn sources ----

pub fn yarn_default_registry_token_npm12() -> Case {
    yarn_default_registry_token().variant("yarn_default_registry_token_npm12", Npm12)
}

pub fn yarn_two_scopes_two_hosts_npm12() -> Case {
    yarn_two_scopes_two_hosts().variant("yarn_two_scopes_two_hosts_npm12", Npm12)
}

pub fn yarn_top_token_reaches_scope_host_npm12() -> Case {
    yarn_top_token_reaches_scope_host().variant("yarn_top_token_reaches_scope_host_npm12", Npm12)
}

// ---- Yarn 1, Bun and pnpm as targets ----

const NPMRC_SCOPE_ENV: &str =
    "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n";
const YARNRC_SCOPE_LITERAL: &str = "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: fake-literal-acme-token\n";
const BASIC_ALICE: &str = "Basic {b64:alice:fake-pass-1}";

/// The GitHub Packages shape into Yarn 1: scoped requests carry the token without
/// always-auth, from `.npmrc` only.
pub fn npm_to_yarn1_scope_env_token() -> Case {
    Case::new("npm_to_yarn1_scope_env_token", Npm, Yarn1)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(".npmrc", NPMRC_SCOPE_ENV)
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(".npmrc", NPMRC_SCOPE_ENV)
}

/// npm sends @acme/* to its default registry; the project's `.yarnrc`, which pmrc does not
/// write, gives Yarn 1 another for the scope. Any `.npmrc` registry beats `.yarnrc`'s (spec
/// Y5c), so pmrc writes npm's out for the scope in `.npmrc` (it said `route-differs` and left
/// Yarn 1 asking R2).
pub fn npm_to_yarn1_scope_pinned_over_yarnrc() -> Case {
    Case::new("npm_to_yarn1_scope_pinned_over_yarnrc", Npm, Yarn1)
        .mount_auth(1, "/", BEARER_NPM)
        .mount(2, "/")
        .file(".npmrc", "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n")
        .file(".yarnrc", "\"@acme:registry\" \"{R2}/\"\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 1, BEARER_NPM)
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n//{H1}/:always-auth=true\n",
        )
}

/// The same beside a `~/.npmrc` of credentials only (`npm login`'s token), which pmrc does
/// not read without `--user`: it routes nothing, so the scope is still written out, and
/// both managers send the user file's token with @acme/* (Yarn 1 sends one with scoped
/// packages without always-auth). It was held back for any unread user file.
pub fn npm_to_yarn1_scope_pinned_beside_a_user_token() -> Case {
    Case::new("npm_to_yarn1_scope_pinned_beside_a_user_token", Npm, Yarn1)
        .mount_auth(1, "/", BEARER_NPM)
        .mount(2, "/")
        .file(".npmrc", "registry={R1}/\n")
        .file("~/.npmrc", "//{H1}/:_authToken=${NPM_TOKEN}\n")
        .file(".yarnrc", "\"@acme:registry\" \"{R2}/\"\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(".npmrc", "registry={R1}/\n@acme:registry={R1}/\n")
        .reference("~/.npmrc", "//{H1}/:_authToken=${NPM_TOKEN}\n")
}

/// A default registry under a path with a host-level token: Yarn 1 matches only the exact
/// registry URL and needs always-auth for unscoped packages.
pub fn npm_to_yarn1_default_token_always_auth() -> Case {
    Case::new("npm_to_yarn1_default_token_always_auth", Npm, Yarn1)
        .mount_auth(1, "/npm/", BEARER_NPM)
        .file(".npmrc", "registry={R1}/npm/\n//{H1}/:_authToken=${NPM_TOKEN}\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/npm/\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n//{H1}/npm/:always-auth=true\n",
        )
}

/// Basic auth (`_auth` from the environment) for the default registry, into Yarn 1.
pub fn npm_to_yarn1_auth_basic() -> Case {
    Case::new("npm_to_yarn1_auth_basic", Npm, Yarn1)
        .mount_auth(1, "/", "Basic {NPM_AUTH}")
        .file(".npmrc", "registry={R1}/\n//{H1}/:_auth=${NPM_AUTH}\n")
        .env(
            "NPM_AUTH",
            &b64("alice:fake-pass-1"),
            &b64("alice:fake-pass-2"),
        )
        .dep("leftpad-fake", 1, "Basic {NPM_AUTH}")
        .reference(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_auth=${NPM_AUTH}\n//{H1}/:always-auth=true\n",
        )
}

/// Yarn Berry's scope into Yarn 1 (the way back from a failed migration).
pub fn yarn_to_yarn1_scope_token() -> Case {
    Case::new("yarn_to_yarn1_scope_token", Yarn, Yarn1)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(".npmrc", NPMRC_SCOPE_ENV)
}

/// The GitHub Packages shape into bunfig: `${NODE_AUTH_TOKEN}` must become `$NODE_AUTH_TOKEN`.
pub fn npm_to_bun_scope_env_token() -> Case {
    Case::new("npm_to_bun_scope_env_token", Npm, Bun)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(".npmrc", NPMRC_SCOPE_ENV)
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            "bunfig.toml",
            "[install]\nregistry = \"{R1}/\"\n\n[install.scopes]\nacme = { url = \"{R2}/\", token = \"$NODE_AUTH_TOKEN\" }\n",
        )
        .remove_after_convert(".npmrc")
}

/// A scope's registry written through a variable in `.npmrc`: Bun expands it there but not
/// inside a URL in bunfig.toml, so the scope stays in `.npmrc` (which Bun reads, with the
/// token keyed by the host and path written out) and bunfig.toml gets the rest.
pub fn npm_to_bun_variable_scope_registry_stays_in_npmrc() -> Case {
    npm_to_bun_scope_left_in_npmrc(
        "npm_to_bun_variable_scope_registry_stays_in_npmrc",
        "registry={R1}/\n@acme:registry=http://${REG_HOST}/npm/\n//{H2}/npm/:_authToken=${NPM_TOKEN}\n",
        "/npm/",
        ("REG_HOST", "{H2}"),
    )
}

/// The same with the variable in the path and a host-level token beside it (second review):
/// both stay in `.npmrc`, where Bun expands the registry and matches the token by host and
/// path; written to bunfig.toml, the URL would be sent as text.
pub fn npm_to_bun_variable_path_scope_token_stays_in_npmrc() -> Case {
    npm_to_bun_scope_left_in_npmrc(
        "npm_to_bun_variable_path_scope_token_stays_in_npmrc",
        "registry={R1}/\n@acme:registry={R2}/${ORG}/\n//{H2}/:_authToken=${NPM_TOKEN}\n",
        "/team/",
        ("ORG", "team"),
    )
}

/// npm's optional `${ORG?}`, which Bun expands in `.npmrc` too (and wrote as the text
/// `${ORG:-}` into bunfig.toml): the scope stays in `.npmrc`.
pub fn npm_to_bun_optional_variable_scope_registry_stays_in_npmrc() -> Case {
    npm_to_bun_scope_left_in_npmrc(
        "npm_to_bun_optional_variable_scope_registry_stays_in_npmrc",
        "registry={R1}/\n@acme:registry={R2}/${ORG?}/\n//{H2}/:_authToken=${NPM_TOKEN}\n",
        "/team/",
        ("ORG", "team"),
    )
}

/// npm -> Bun for an `.npmrc` whose @acme registry (served at `path` on registry 2) holds the
/// variable `name`, set to `value`: the `.npmrc` stays as it is, bunfig.toml gets the
/// default registry alone.
fn npm_to_bun_scope_left_in_npmrc(
    case: &'static str,
    npmrc: &'static str,
    path: &'static str,
    (name, value): (&'static str, &'static str),
) -> Case {
    Case::new(case, Npm, Bun)
        .mount(1, "/")
        .mount_auth(2, path, BEARER_NPM)
        .file(".npmrc", npmrc)
        .env(name, value, value)
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
        .reference(".npmrc", npmrc)
        .reference("bunfig.toml", "[install]\nregistry = \"{R1}/\"\n")
}

/// Issue 7 (found by `tests/model_props.rs`): a project scope whose token sits in
/// `~/.npmrc`. Bun keeps a token inside its scope's entry and the project entry hides the
/// user one, so the env reference joins the project entry (it used to be dropped).
pub fn npm_to_bun_user_env_token() -> Case {
    Case::new("npm_to_bun_user_env_token", Npm, Bun)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(".npmrc", "registry={R1}/\n@acme:registry={R2}/\n")
        .file("~/.npmrc", "//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n")
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .user()
        .reference(
            "bunfig.toml",
            "[install]\nregistry = \"{R1}/\"\n\n[install.scopes]\nacme = { url = \"{R2}/\", token = \"$NODE_AUTH_TOKEN\" }\n",
        )
        .remove_after_convert(".npmrc")
        .remove_after_convert("~/.npmrc")
}

/// The same with a literal token in `~/.npmrc`: the secret stays in the user bunfig, and
/// the scope's URL goes there with it.
pub fn npm_to_bun_user_literal_token() -> Case {
    Case::new("npm_to_bun_user_literal_token", Npm, Bun)
        .mount(1, "/")
        .mount_auth(2, "/", "Bearer fake-token-literal")
        .file(".npmrc", "registry={R1}/\n@acme:registry={R2}/\n")
        .file("~/.npmrc", "//{H2}/:_authToken=fake-token-literal\n")
        .dep("@acme/widget", 2, "Bearer fake-token-literal")
        .dep("leftpad-fake", 1, NONE)
        .user()
        .reference("bunfig.toml", "[install]\nregistry = \"{R1}/\"\n")
        .reference(
            "$XDG_CONFIG_HOME/.bunfig.toml",
            "[install.scopes]\nacme = { url = \"{R2}/\", token = \"fake-token-literal\" }\n",
        )
        .remove_after_convert(".npmrc")
        .remove_after_convert("~/.npmrc")
}

/// `username` + base64 `_password` into bunfig's plain `username`/`password`.
pub fn npm_to_bun_basic_auth() -> Case {
    Case::new("npm_to_bun_basic_auth", Npm, Bun)
        .mount_auth(1, "/npm/", BASIC_ALICE)
        .file(
            ".npmrc",
            &format!(
                "registry={{R1}}/npm/\n//{{H1}}/npm/:username=alice\n//{{H1}}/npm/:_password={}\n",
                b64("fake-pass-1")
            ),
        )
        .dep("leftpad-fake", 1, BASIC_ALICE)
        .reference(
            "bunfig.toml",
            "[install]\nregistry = { url = \"{R1}/npm/\", username = \"alice\", password = \"fake-pass-1\" }\n",
        )
        .remove_after_convert(".npmrc")
}

/// A Yarn scope with its token into bunfig.
pub fn yarn_to_bun_scope_token() -> Case {
    Case::new("yarn_to_bun_scope_token", Yarn, Bun)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN:-}\"\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            "bunfig.toml",
            "[install]\nregistry = \"{R1}/\"\n\n[install.scopes]\nacme = { url = \"{R2}/\", token = \"$NODE_AUTH_TOKEN\" }\n",
        )
}

/// The issue-4 case: a `${VAR}` scope token that pnpm ignores in a project `.npmrc`. With
/// `--user`, pmrc also writes it to pnpm's user-level file, where pnpm expands it.
fn npm_to_pnpm_env_token_user(name: &'static str, pnpm: super::sandbox::Pm) -> Case {
    let case = Case::new(name, Npm, pnpm)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(".npmrc", NPMRC_SCOPE_ENV)
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .user();
    let token = "//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n";
    if pnpm == Pnpm10 {
        case.reference(".npmrc", "registry={R1}/\n@acme:registry={R2}/\n")
            .reference("~/.npmrc", token)
    } else {
        case.reference(
            "pnpm-workspace.yaml",
            "registries:\n  default: {R1}/\n  \"@acme\": {R2}/\n",
        )
        .reference("$XDG_CONFIG_HOME/pnpm/auth.ini", token)
    }
}

pub fn npm_to_pnpm10_env_token_user() -> Case {
    npm_to_pnpm_env_token_user("npm_to_pnpm10_env_token_user", Pnpm10)
}

pub fn npm_to_pnpm11_env_token_user() -> Case {
    npm_to_pnpm_env_token_user("npm_to_pnpm11_env_token_user", Pnpm11)
}

pub fn npm_to_pnpm12_env_token_user() -> Case {
    npm_to_pnpm_env_token_user("npm_to_pnpm12_env_token_user", Pnpm12)
}

/// Without `--user` pmrc cannot make pnpm send that token; it must say what to do.
pub fn npm_to_pnpm12_env_token_needs_user() -> Case {
    Case::new("npm_to_pnpm12_env_token_needs_user", Npm, Pnpm12)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(".npmrc", NPMRC_SCOPE_ENV)
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .expect_warning("pnpm-env-credential-needs-user-file")
}

/// A Yarn scope with a literal token into pnpm: the token goes to the project `.npmrc`
/// (pnpm reads literal credentials there), routing to where that major reads it.
fn yarn_to_pnpm_scope_literal(name: &'static str, pnpm: super::sandbox::Pm) -> Case {
    Case::new(name, Yarn, pnpm)
        .mount(1, "/")
        .mount_auth(2, "/", PNPM_LITERAL)
        .file(".yarnrc.yml", YARNRC_SCOPE_LITERAL)
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n",
        )
        .remove_after_convert(".yarnrc.yml")
}

pub fn yarn_to_pnpm10_scope_literal() -> Case {
    yarn_to_pnpm_scope_literal("yarn_to_pnpm10_scope_literal", Pnpm10)
}

pub fn yarn_to_pnpm11_scope_literal() -> Case {
    yarn_to_pnpm_scope_literal("yarn_to_pnpm11_scope_literal", Pnpm11)
}

pub fn yarn_to_pnpm12_scope_literal() -> Case {
    yarn_to_pnpm_scope_literal("yarn_to_pnpm12_scope_literal", Pnpm12)
}

/// pnpm as the source, Yarn 4 as the target: a scope with a literal token in the root
/// `.npmrc`; the routing in `.npmrc` (pnpm 10) or in `pnpm-workspace.yaml` (11/12).
fn pnpm_scope_literal_to_yarn(name: &'static str, pnpm: super::sandbox::Pm) -> Case {
    let case = Case::new(name, pnpm, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/", PNPM_LITERAL)
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("leftpad-fake", 1, NONE)
        .reference(".yarnrc.yml", YARNRC_SCOPE_LITERAL);
    if pnpm == Pnpm10 {
        case.file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n",
        )
    } else {
        case.file(
            "pnpm-workspace.yaml",
            "registries:\n  default: {R1}/\n  \"@acme\": {R2}/\n",
        )
        .file(".npmrc", "//{H2}/:_authToken=fake-literal-acme-token\n")
    }
}

pub fn pnpm10_scope_literal_to_yarn() -> Case {
    pnpm_scope_literal_to_yarn("pnpm10_scope_literal_to_yarn", Pnpm10)
}

pub fn pnpm11_scope_literal_to_yarn() -> Case {
    pnpm_scope_literal_to_yarn("pnpm11_scope_literal_to_yarn", Pnpm11)
}

pub fn pnpm12_scope_literal_to_yarn() -> Case {
    pnpm_scope_literal_to_yarn("pnpm12_scope_literal_to_yarn", Pnpm12)
}

/// Two Yarn scopes on one registry with their own tokens: npm cannot express it, pnpm 12
/// can (`//host/:@scope:_authToken`), here from the user-level auth.ini.
pub fn yarn_per_scope_tokens_to_pnpm12_user() -> Case {
    Case::new("yarn_per_scope_tokens_to_pnpm12_user", Yarn, Pnpm12)
        .mount(1, "/")
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  a:\n    npmRegistryServer: \"{R1}\"\n    npmAuthToken: \"${TOKEN_A}\"\n  b:\n    npmRegistryServer: \"{R1}\"\n    npmAuthToken: \"${TOKEN_B}\"\n",
        )
        .env("TOKEN_A", "fake-token-a1", "fake-token-a2")
        .env("TOKEN_B", "fake-token-b1", "fake-token-b2")
        .dep("@a/widget", 1, "Bearer {TOKEN_A}")
        .dep("@b/widget", 1, "Bearer {TOKEN_B}")
        .dep("leftpad-fake", 1, NONE)
        .user()
        .reference(
            "pnpm-workspace.yaml",
            "registries:\n  default: {R1}/\n  \"@a\": {R1}/\n  \"@b\": {R1}/\n",
        )
        .reference(
            "$XDG_CONFIG_HOME/pnpm/auth.ini",
            "//{H1}/:@a:_authToken=${TOKEN_A}\n//{H1}/:@b:_authToken=${TOKEN_B}\n",
        )
        .remove_after_convert(".yarnrc.yml")
}

// ---- ports (issue 21) ----

/// A credential keyed without a port (`//127.0.0.1/`) while the scope's registry has one:
/// npm never sends it there, pnpm does (it retries the lookup without the port). pmrc must
/// refuse, exit 1 and write nothing, never make pnpm send a credential npm did not.
fn npm_portless_key_scope_port(name: &'static str, target: super::sandbox::Pm) -> Case {
    Case::new(name, Npm, target)
        .mount(1, "/")
        .mount(2, "/")
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//127.0.0.1/:_authToken=fake-portless-token\n",
        )
        .dep("leftpad-fake", 1, NONE)
        .dep("@acme/widget", 2, NONE)
        .expect_refusal("credential-sent-elsewhere")
}

pub fn npm_portless_key_to_pnpm10() -> Case {
    npm_portless_key_scope_port("npm_portless_key_to_pnpm10", Pnpm10)
}

pub fn npm_portless_key_to_pnpm11() -> Case {
    npm_portless_key_scope_port("npm_portless_key_to_pnpm11", Pnpm11)
}

pub fn npm_portless_key_to_pnpm12() -> Case {
    npm_portless_key_scope_port("npm_portless_key_to_pnpm12", Pnpm12)
}

// ---- Yarn's `${VAR:-default}` (issue 21) ----

const BEARER_NPM_OR_DEFAULT: &str = "Bearer {NPM_TOKEN:-fake-default-token}";

/// Yarn sends the default when the variable is unset. npm has no default syntax: pmrc writes
/// `${NPM_TOKEN?}` at the registry's key (empty when unset, so npm goes on up the path) and
/// the default one key up, where npm finds it. Round 2 leaves the variable unset.
pub fn yarn_token_default_to_npm() -> Case {
    Case::new("yarn_token_default_to_npm", Yarn, Npm)
        .mount_auth(1, "/npm/", BEARER_NPM_OR_DEFAULT)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/npm\"\nnpmAlwaysAuth: true\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}/npm\":\n    npmAuthToken: \"${NPM_TOKEN:-fake-default-token}\"\n    npmAlwaysAuth: true\n",
        )
        .env_then_unset("NPM_TOKEN", "fake-token-1")
        .dep("leftpad-fake", 1, BEARER_NPM_OR_DEFAULT)
        .dep("@acme/widget", 1, BEARER_NPM_OR_DEFAULT)
        .reference(
            ".npmrc",
            "registry={R1}/npm/\n//{H1}/npm/:_authToken=${NPM_TOKEN?}\n//{H1}/npm:_authToken=fake-default-token\n",
        )
}

// ---- pnpm 10 as a target (issue 21) ----

/// npm's optional `${VAR?}` credential: pnpm 10 ignores the whole `.npmrc` that holds it, its
/// registries included, and pmrc cannot take the line out (npm needs it). pmrc must say so.
pub fn npm_optional_token_to_pnpm10() -> Case {
    Case::new("npm_optional_token_to_pnpm10", Npm, Pnpm10)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN?}\n",
        )
        .env_then_unset("NODE_AUTH_TOKEN", "fake-token-1")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .expect_warning("pnpm10-drops-file")
}

/// Bun scopes with a literal token and with basic auth, converted for pnpm 10 with --user:
/// pnpm 10 must route both scopes and authenticate as Bun did.
pub fn bun_scopes_token_basic_to_pnpm10_user() -> Case {
    Case::new("bun_scopes_token_basic_to_pnpm10_user", Bun, Pnpm10)
        .user()
        .mount(1, "/")
        .mount_auth(2, "/npm/", "Bearer fake-literal-acme-token")
        .mount_auth(3, "/", "Basic {b64:fake-user:fake-pass}")
        .file(
            "bunfig.toml",
            "[install]\nregistry = \"{R1}/\"\n\n[install.scopes]\nacme = { url = \"{R2}/npm/\", token = \"fake-literal-acme-token\" }\nbeta = { url = \"{R3}/\", username = \"fake-user\", password = \"fake-pass\" }\n",
        )
        .dep("@acme/widget", 2, "Bearer fake-literal-acme-token")
        .dep("@beta/widget", 3, "Basic {b64:fake-user:fake-pass}")
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n@beta:registry={R3}/\n//{H2}/npm/:_authToken=fake-literal-acme-token\n//{H3}/:username=fake-user\n//{H3}/:_password=ZmFrZS1wYXNz\n",
        )
}

/// Bun routing in bunfig.toml and the token in `.npmrc` (which Bun reads too), for pnpm 10.
pub fn bun_bunfig_scope_npmrc_token_to_pnpm10_user() -> Case {
    Case::new("bun_bunfig_scope_npmrc_token_to_pnpm10_user", Bun, Pnpm10)
        .user()
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_NPM)
        .file(
            "bunfig.toml",
            "[install]\nregistry = \"{R1}/\"\n\n[install.scopes]\nacme = \"{R2}/\"\n",
        )
        .file(".npmrc", "//{H2}/:_authToken=${NPM_TOKEN}\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NPM_TOKEN}\n",
        )
        .reference("~/.npmrc", "//{H2}/:_authToken=${NPM_TOKEN}\n")
}

/// A pnpm 11 `registries` scope map in pnpm-workspace.yaml with the default registry's token
/// in `.npmrc`, downgraded to pnpm 10: @acme must still go to its own registry, without the
/// default registry's token.
pub fn pnpm11_registries_map_to_pnpm10() -> Case {
    Case::new("pnpm11_registries_map_to_pnpm10", Pnpm11, Pnpm10)
        .mount_auth(1, "/", PNPM_LITERAL)
        .mount(2, "/")
        .file(
            "pnpm-workspace.yaml",
            "registries:\n  default: \"{R1}/\"\n  \"@acme\": \"{R2}/\"\n",
        )
        .file(".npmrc", "//{H1}/:_authToken=fake-literal-acme-token\n")
        .dep("leftpad-fake", 1, PNPM_LITERAL)
        .dep("@acme/widget", 2, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H1}/:_authToken=fake-literal-acme-token\n",
        )
}

// ---- Yarn 1 sources into pnpm (issue 21): the `.npmrc` Yarn 1 reads must still serve it ----

/// Yarn 1 routing in `.yarnrc`, the token and `always-auth` in `.npmrc`, for pnpm with
/// --user: pnpm gets the token in its user file; Yarn 1 must still send it afterwards.
fn yarn1_always_auth_to_pnpm_user(name: &'static str, pnpm: super::sandbox::Pm) -> Case {
    let case = Case::new(name, Yarn1, pnpm)
        .user()
        .mount_auth(1, "/npm/", BEARER_NPM)
        .file(".yarnrc", "registry \"{R1}/npm/\"\n")
        .file(
            ".npmrc",
            "always-auth=true\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM);
    let token = "//{H1}/npm/:_authToken=${NPM_TOKEN}\n";
    let npmrc = "registry={R1}/npm/\nalways-auth=true\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n";
    if pnpm == Pnpm10 {
        case.reference(".npmrc", npmrc).reference("~/.npmrc", token)
    } else {
        case.reference(".npmrc", npmrc)
            .reference("pnpm-workspace.yaml", "registries:\n  default: {R1}/npm/\n")
            .reference("$XDG_CONFIG_HOME/pnpm/auth.ini", token)
    }
}

pub fn yarn1_always_auth_to_pnpm10_user() -> Case {
    yarn1_always_auth_to_pnpm_user("yarn1_always_auth_to_pnpm10_user", Pnpm10)
}

pub fn yarn1_always_auth_to_pnpm11_user() -> Case {
    yarn1_always_auth_to_pnpm_user("yarn1_always_auth_to_pnpm11_user", Pnpm11)
}

pub fn yarn1_always_auth_to_pnpm12_user() -> Case {
    yarn1_always_auth_to_pnpm_user("yarn1_always_auth_to_pnpm12_user", Pnpm12)
}

/// Yarn 1's top-level `_auth` (with always-auth) reaching two registries, for pnpm with
/// --user. npm and pnpm refuse or ignore a top-level `_auth`; Yarn 1 needs it where it is.
fn yarn1_top_level_auth_to_pnpm_user(name: &'static str, pnpm: super::sandbox::Pm) -> Case {
    let case = Case::new(name, Yarn1, pnpm)
        .user()
        .mount_auth(1, "/", "Basic {NPM_AUTH}")
        .mount_auth(2, "/", "Basic {NPM_AUTH}")
        .file(
            ".yarnrc",
            "registry \"{R1}/\"\n\"@acme:registry\" \"{R2}/\"\n",
        )
        .file(".npmrc", "_auth=${NPM_AUTH}\nalways-auth=true\n")
        .env(
            "NPM_AUTH",
            &b64("alice:fake-pass-1"),
            &b64("bob:fake-pass-2"),
        )
        .dep("leftpad-fake", 1, "Basic {NPM_AUTH}")
        .dep("@acme/widget", 2, "Basic {NPM_AUTH}");
    let auth = "//{H1}/:_auth=${NPM_AUTH}\n//{H2}/:_auth=${NPM_AUTH}\n";
    let npmrc = "registry={R1}/\n@acme:registry={R2}/\n_auth=${NPM_AUTH}\nalways-auth=true\n";
    if pnpm == Pnpm10 {
        case.reference(".npmrc", npmrc).reference("~/.npmrc", auth)
    } else {
        case.reference(".npmrc", npmrc)
            .reference(
                "pnpm-workspace.yaml",
                "registries:\n  default: {R1}/\n  \"@acme\": {R2}/\n",
            )
            .reference("$XDG_CONFIG_HOME/pnpm/auth.ini", auth)
    }
}

pub fn yarn1_top_level_auth_to_pnpm10_user() -> Case {
    yarn1_top_level_auth_to_pnpm_user("yarn1_top_level_auth_to_pnpm10_user", Pnpm10)
}

pub fn yarn1_top_level_auth_to_pnpm11_user() -> Case {
    yarn1_top_level_auth_to_pnpm_user("yarn1_top_level_auth_to_pnpm11_user", Pnpm11)
}

pub fn yarn1_top_level_auth_to_pnpm12_user() -> Case {
    yarn1_top_level_auth_to_pnpm_user("yarn1_top_level_auth_to_pnpm12_user", Pnpm12)
}

// Issue 16: the Deno cases live in their own file.
pub use super::cases_deno::*;
pub use super::cases_migrations::*;

// ---- `${VAR}` registry URLs and pnpm (issue 16; spec pnpm-bun-deno.md §1.7, obs p15) ----

/// npm expands `registry=${REG}`; pnpm 11 ignores a `${VAR}` registry in any project file
/// and asks its default registry, so no project file can carry it: pmrc must say so.
pub fn npm_env_registry_to_pnpm11() -> Case {
    Case::new("npm_env_registry_to_pnpm11", Npm, Pnpm11)
        .mount(1, "/")
        .file(".npmrc", "registry=${REG}\n")
        .env("REG", "{R1}/", "{R1}/")
        .dep("leftpad-fake", 1, NONE)
        .expect_warning("route-differs")
}

/// With `--user`, the `${REG}` registry goes to pnpm's user-level file, where pnpm expands
/// it; npm's `.npmrc` line stays, and pnpm 11 ignores it there.
pub fn npm_env_registry_to_pnpm11_user() -> Case {
    Case::new("npm_env_registry_to_pnpm11_user", Npm, Pnpm11)
        .mount(1, "/")
        .file(".npmrc", "registry=${REG}\n")
        .env("REG", "{R1}/", "{R1}/")
        .dep("leftpad-fake", 1, NONE)
        .user()
        .reference(".npmrc", "registry=${REG}\n")
        .reference("$XDG_CONFIG_HOME/pnpm/auth.ini", "registry=${REG}\n")
}

/// pnpm 10's user-level file is `~/.npmrc`, which npm reads too (below its project file).
pub fn npm_env_registry_to_pnpm10_user() -> Case {
    Case::new("npm_env_registry_to_pnpm10_user", Npm, Pnpm10)
        .mount(1, "/")
        .file(".npmrc", "registry=${REG}\n")
        .env("REG", "{R1}/", "{R1}/")
        .dep("leftpad-fake", 1, NONE)
        .user()
        .reference(".npmrc", "registry=${REG}\n")
        .reference("~/.npmrc", "registry=${REG}\n")
}

/// Yarn's `${REG}` registry into pnpm 12: no project line (pnpm 12 would stop on it), the
/// reference in auth.ini.
pub fn yarn_env_registry_to_pnpm12_user() -> Case {
    Case::new("yarn_env_registry_to_pnpm12_user", Yarn, Pnpm12)
        .mount(1, "/")
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"${REG}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        )
        .env("REG", "{R1}", "{R1}")
        .dep("leftpad-fake", 1, NONE)
        .dep("@acme/widget", 1, NONE)
        .user()
        .reference("$XDG_CONFIG_HOME/pnpm/auth.ini", "registry=${REG}\n")
}

/// A key written out and one that becomes the same key once its variable is put in: npm
/// keeps the later line (it puts variables into keys as it reads them, in file order), and
/// `pmrc explain` must predict that token, not the one first in its own key order.
pub fn npm_variable_key_and_written_key_later_line_wins() -> Case {
    const NPMRC: &str = "registry={R1}/npm/\n//{H1}/npm/:_authToken=${OTHER_TOKEN}\n//${REG_HOST}/npm/:_authToken=${NPM_TOKEN}\n";
    Case::new(
        "npm_variable_key_and_written_key_later_line_wins",
        Npm,
        Npm12,
    )
    .mount_auth(1, "/npm/", BEARER_NPM)
    .file(".npmrc", NPMRC)
    .env("REG_HOST", "{H1}", "{H1}")
    .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
    .env("OTHER_TOKEN", "fake-other-1", "fake-other-2")
    .dep("leftpad-fake", 1, BEARER_NPM)
    .reference(".npmrc", NPMRC)
}

/// npm goes on up the path past an `_auth` that is empty here (`${NPM_AUTH?}` unset), as it
/// does past an empty token: `pmrc explain` must predict the parent key's credential.
pub fn npm_optional_auth_walks_up() -> Case {
    let fallback = b64("guest:fake-guest-pass");
    Case::new("npm_optional_auth_walks_up", Npm, Npm12)
        .mount_auth(1, "/npm/", "Basic {NPM_AUTH:-Z3Vlc3Q6ZmFrZS1ndWVzdC1wYXNz}")
        .file(
            ".npmrc",
            &format!("registry={{R1}}/npm/\n//{{H1}}/npm/:_auth=${{NPM_AUTH?}}\n//{{H1}}/npm:_auth={fallback}\n"),
        )
        .env_then_unset("NPM_AUTH", &b64("alice:fake-pass-1"))
        .dep("leftpad-fake", 1, "Basic {NPM_AUTH:-Z3Vlc3Q6ZmFrZS1ndWVzdC1wYXNz}")
        .reference(
            ".npmrc",
            &format!("registry={{R1}}/npm/\n//{{H1}}/npm/:_auth=${{NPM_AUTH?}}\n//{{H1}}/npm:_auth={fallback}\n"),
        )
}

/// An empty `_password` (`${NPM_PASS?}` unset) beside its username: what npm sends then, and
/// `pmrc explain`'s prediction of it. `EXPECT` holds each round's header for the registry
/// (the managers never read it).
pub fn npm_optional_password_walks_up() -> Case {
    let fallback = b64("guest:fake-guest-pass");
    let file = format!(
        "registry={{R1}}/npm/\n//{{H1}}/npm/:username=fake-user\n//{{H1}}/npm/:_password=${{NPM_PASS?}}\n//{{H1}}/npm:_auth={fallback}\n"
    );
    Case::new("npm_optional_password_walks_up", Npm, Npm12)
        .mount_auth(1, "/npm/", "Basic {EXPECT}")
        .file(".npmrc", &file)
        .env_then_unset("NPM_PASS", &b64("fake-pass-1"))
        .env("EXPECT", &b64("fake-user:fake-pass-1"), &fallback)
        .dep("leftpad-fake", 1, "Basic {EXPECT}")
        .reference(".npmrc", &file)
}

// ---- credentials in the registry URL's userinfo (`http://user:pass@host/`) ----
// Sent as Basic on the packument request only (its tarball URLs carry no userinfo), except by
// Bun; percent escapes as written (npm, Yarn 1, pnpm 10) or decoded (Yarn 4, pnpm 12, Bun);
// a matching key wins in npm and Bun, the userinfo in Yarn 1/4 and pnpm 10/12; pnpm 11 fails.

/// npm's userinfo into Yarn 4's `npmRegistryServer`: the same URL, the same Basic.
pub fn npm_registry_userinfo_to_yarn() -> Case {
    Case::new("npm_registry_userinfo_to_yarn", Npm, Yarn)
        .mount(1, "/")
        .file(".npmrc", "registry=http://fake-user:fake-pass@{H1}/\n")
        .dep_split("leftpad-fake", (1, "Basic {b64:fake-user:fake-pass}"), (1, NONE))
        .dep_split("@acme/widget", (1, "Basic {b64:fake-user:fake-pass}"), (1, NONE))
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"http://fake-user:fake-pass@{H1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        )
}

/// Yarn 4 and pnpm 12 both decode the userinfo's percent escapes.
pub fn yarn_registry_userinfo_escapes_to_pnpm12() -> Case {
    Case::new("yarn_registry_userinfo_escapes_to_pnpm12", Yarn, Pnpm12)
        .mount(1, "/")
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"http://fake%40user:fake%3Apass@{H1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        )
        .dep_split("leftpad-fake", (1, "Basic {b64:fake@user:fake:pass}"), (1, NONE))
        .reference(".npmrc", "registry=http://fake%40user:fake%3Apass@{H1}/\n")
}

/// npm sends the escapes as written, Yarn 4 decodes them: a different Basic, reported.
pub fn npm_registry_userinfo_escapes_to_yarn() -> Case {
    Case::new("npm_registry_userinfo_escapes_to_yarn", Npm, Yarn)
        .mount(1, "/")
        .file(".npmrc", "registry=http://fake%40user:fake%3Apass@{H1}/\n")
        .dep_split(
            "leftpad-fake",
            (1, "Basic {b64:fake%40user:fake%3Apass}"),
            (1, NONE),
        )
        .expect_warning("credentials-differ")
}

/// pnpm 11 refuses a registry URL with credentials: every request fails, reported.
pub fn npm_registry_userinfo_to_pnpm11() -> Case {
    Case::new("npm_registry_userinfo_to_pnpm11", Npm, Pnpm11)
        .mount(1, "/")
        .file(".npmrc", "registry=http://fake-user:fake-pass@{H1}/\n")
        .dep_split(
            "leftpad-fake",
            (1, "Basic {b64:fake-user:fake-pass}"),
            (1, NONE),
        )
        .expect_warning("credentials-differ")
}

/// pnpm 10 sends the userinfo over a matching token (the tarball gets the token); npm
/// would send the token: reported.
pub fn pnpm10_registry_userinfo_over_token_to_npm() -> Case {
    Case::new("pnpm10_registry_userinfo_over_token_to_npm", Pnpm10, Npm)
        .mount(1, "/")
        .file(
            ".npmrc",
            "registry=http://fake-user:fake-pass@{H1}/\n//{H1}/:_authToken=fake-literal-token\n",
        )
        .dep_split(
            "leftpad-fake",
            (1, "Basic {b64:fake-user:fake-pass}"),
            (1, "Bearer fake-literal-token"),
        )
        .expect_warning("credentials-differ")
}

/// Yarn 1 sends the userinfo over a matching token too; npm sends the token: reported.
pub fn yarn1_registry_userinfo_over_token_to_npm() -> Case {
    Case::new("yarn1_registry_userinfo_over_token_to_npm", Yarn1, Npm)
        .mount(1, "/")
        .file(
            ".npmrc",
            "registry=http://fake-user:fake-pass@{H1}/\n//{H1}/:_authToken=fake-literal-token\n",
        )
        .dep_split(
            "leftpad-fake",
            (1, "Basic {b64:fake-user:fake-pass}"),
            (1, NONE),
        )
        .expect_warning("credentials-differ")
}

/// Bun reads `:token@` in an `.npmrc` registry URL as a bearer token, and sends it with
/// tarballs too; npm would send Basic `:token`: reported.
pub fn bun_registry_userinfo_token_to_npm() -> Case {
    Case::new("bun_registry_userinfo_token_to_npm", Bun, Npm)
        .mount(1, "/")
        .file(".npmrc", "registry=http://:fake-literal-token@{H1}/\n")
        .dep("leftpad-fake", 1, "Bearer fake-literal-token")
        .expect_warning("credentials-differ")
}

/// Bun decodes the escapes (and sends the result with tarballs); npm would not: reported.
pub fn bun_registry_userinfo_escapes_to_npm() -> Case {
    Case::new("bun_registry_userinfo_escapes_to_npm", Bun, Npm)
        .mount(1, "/")
        .file(".npmrc", "registry=http://fake%40user:fake%3Apass@{H1}/\n")
        .dep("leftpad-fake", 1, "Basic {b64:fake@user:fake:pass}")
        .expect_warning("credentials-differ")
}

/// npm 12 reads the userinfo as npm 11 does: Basic with the packument, nothing with tarballs.
pub fn npm12_registry_userinfo_to_yarn() -> Case {
    Case::new("npm12_registry_userinfo_to_yarn", Npm12, Yarn)
        .mount(1, "/")
        .file(".npmrc", "registry=http://fake-user:fake-pass@{H1}/\n")
        .dep_split("leftpad-fake", (1, "Basic {b64:fake-user:fake-pass}"), (1, NONE))
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"http://fake-user:fake-pass@{H1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
        )
}

/// npm 12, like npm 11, sends a matching key's token over the userinfo; Yarn 4 would send
/// the userinfo: reported.
pub fn npm12_registry_userinfo_under_token_to_yarn() -> Case {
    Case::new("npm12_registry_userinfo_under_token_to_yarn", Npm12, Yarn)
        .mount(1, "/")
        .file(
            ".npmrc",
            "registry=http://fake-user:fake-pass@{H1}/\n//{H1}/:_authToken=fake-literal-token\n",
        )
        .dep("leftpad-fake", 1, "Bearer fake-literal-token")
        .expect_warning("credentials-differ")
}

/// Deno ignores a registry URL's userinfo; npm would send it: reported.
pub fn deno_registry_userinfo_to_npm() -> Case {
    Case::new("deno_registry_userinfo_to_npm", Deno, Npm)
        .mount(1, "/")
        .file(".npmrc", "registry=http://fake-user:fake-pass@{H1}/\n")
        .dep("leftpad-fake", 1, NONE)
        .expect_warning("credentials-differ")
}

/// Deno 2.9.6 with a key on the host of a registry URL that has userinfo: the packument
/// request gets nothing (the URL with its userinfo matches no key), the tarball, whose URL
/// has none, the key's token. npm sends the token with both: reported.
pub fn deno_registry_userinfo_with_key_to_npm() -> Case {
    Case::new("deno_registry_userinfo_with_key_to_npm", Deno, Npm)
        .mount(1, "/")
        .file(
            ".npmrc",
            "registry=http://fake-user:fake-pass@{H1}/\n//{H1}/:_authToken=fake-literal-token\n",
        )
        .dep_split("leftpad-fake", (1, NONE), (1, "Bearer fake-literal-token"))
        .expect_warning("credentials-differ")
}

/// npm sends the userinfo with the packument only, Bun with the registry's tarballs too: the
/// packuments alike, the tarballs not, reported.
pub fn npm_registry_userinfo_tarballs_to_bun() -> Case {
    Case::new("npm_registry_userinfo_tarballs_to_bun", Npm, Bun)
        .mount(1, "/")
        .file(".npmrc", "registry=http://fake-user:fake-pass@{H1}/\n")
        .dep_split(
            "leftpad-fake",
            (1, "Basic {b64:fake-user:fake-pass}"),
            (1, NONE),
        )
        .expect_warning("credentials-differ")
}

/// `${VAR}` parts of npm's userinfo into bunfig's own fields, which Bun expands (`$VAR`);
/// the tarballs live on another host, where neither sends anything.
pub fn npm_registry_userinfo_env_to_bun() -> Case {
    Case::new("npm_registry_userinfo_env_to_bun", Npm, Bun)
        .mount(1, "/")
        .tarballs_at(2, "/files/")
        .mount(2, "/files/")
        .file(".npmrc", "registry=http://${REG_USER}:${REG_PASS}@{H1}/\n")
        .env("REG_USER", "fake-user-1", "fake-user-2")
        .env("REG_PASS", "fake-pass-1", "fake-pass-2")
        .dep_split(
            "leftpad-fake",
            (1, "Basic {b64:{REG_USER}:{REG_PASS}}"),
            (2, NONE),
        )
        .reference(
            "bunfig.toml",
            "[install]\nregistry = { url = \"http://{H1}/\", username = \"$REG_USER\", password = \"$REG_PASS\" }\n",
        )
}

/// A registry URL with a query: npm keeps it in its requests and appends the package after
/// it (`/npm/?channel=beta/leftpad-fake`), matching the token by the path's key; pnpm 10,
/// Bun and Yarn 1 leave the query out (and Yarn 1 then sends no token), so pmrc must say so.
fn npm_registry_query(name: &'static str, target: super::sandbox::Pm) -> Case {
    Case::new(name, Npm, target)
        .mount(1, "/npm/")
        .mount_auth(2, "/acme/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/npm/?channel=beta\n@acme:registry={R2}/acme/?channel=beta\n//{H2}/acme/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
        .expect_warning("route-differs")
}

pub fn npm_registry_query_to_pnpm10() -> Case {
    npm_registry_query("npm_registry_query_to_pnpm10", Pnpm10)
}

pub fn npm_registry_query_to_bun() -> Case {
    npm_registry_query("npm_registry_query_to_bun", Bun)
}

pub fn npm_registry_query_to_yarn1() -> Case {
    npm_registry_query("npm_registry_query_to_yarn1", Yarn1)
}
