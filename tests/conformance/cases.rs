//! The conformance cases: npm 11 ↔ Yarn 4, both directions.
//!
//! Each function is one case. `{R1}` is `http://127.0.0.1:<port of R1>`, `{H1}` is
//! `127.0.0.1:<port>`; `.dep(name, listener, auth)` is what the source manager must be seen
//! doing (auth templates: `{VAR}` is the round's env value, `{b64:…}` base64). Add a case by
//! writing a function here and naming it in the `cases!` list in `tests/conformance.rs`.
//! Tokens are obvious fakes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::check::Case;
use super::sandbox::Pm::{Npm, Yarn};

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

/// `_password=${VAR}` holds base64 of the password in an env var: Yarn would need the plain
/// password (or base64 of the pair), which no `${…}` of that variable gives. pmrc must say so.
pub fn npm_password_env_inexpressible() -> Case {
    Case::new("npm_password_env_inexpressible", Npm, Yarn)
        .mount_auth(1, "/", "Basic {b64:alice:{NPM_PASS}}")
        .file(
            ".npmrc",
            "registry={R1}/\n//{H1}/:username=alice\n//{H1}/:_password=${NPM_PASS_B64}\n",
        )
        .env("NPM_PASS_B64", &b64("fake-pass-1"), &b64("fake-pass-2"))
        .env("NPM_PASS", "fake-pass-1", "fake-pass-2")
        .dep("leftpad-fake", 1, "Basic {b64:alice:{NPM_PASS}}")
        .expect_warning("lossy-basic-auth")
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
