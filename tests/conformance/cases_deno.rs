//! Issue 16: the conformance cases with the real Deno 2, as a target and as a source. Deno
//! reads only `.npmrc` (project and home): its registries and `//host/path/:` credentials,
//! `${VAR}` only, an unset variable sent as written. Each case runs the source, pmrc's
//! translation, the target, and the source again on the translated project.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::check::Case;
use super::sandbox::Pm::{Bun, Deno, Npm, Npm12, Pnpm11, Yarn};

const BEARER_GH: &str = "Bearer {NODE_AUTH_TOKEN}";
const BEARER_NPM: &str = "Bearer {NPM_TOKEN}";
const NONE: &str = "";

// ---- Deno as the target ----

/// The GitHub Packages shape from Yarn: a scope on another host with a token, unscoped
/// packages without credentials.
pub fn yarn_to_deno_scope_token() -> Case {
    Case::new("yarn_to_deno_scope_token", Yarn, Deno)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_GH)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}/npm\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
}

/// A private default registry under a path with a token for every package.
pub fn yarn_to_deno_default_token() -> Case {
    Case::new("yarn_to_deno_default_token", Yarn, Deno)
        .mount_auth(1, "/npm/", BEARER_NPM)
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/npm\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmAuthToken: \"${NPM_TOKEN}\"\nnpmAlwaysAuth: true\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/npm/\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n",
        )
}

/// Basic auth from Yarn's `npmAuthIdent: "user:password"` (which Yarn encodes itself): Deno
/// needs `username` and base64 `_password`, or `_auth`.
pub fn yarn_to_deno_basic_auth() -> Case {
    Case::new("yarn_to_deno_basic_auth", Yarn, Deno)
        .mount_auth(1, "/", "Basic {b64:alice:fake-pass-1}")
        .file(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmAuthIdent: \"alice:fake-pass-1\"\nnpmAlwaysAuth: true\n",
        )
        .dep("leftpad-fake", 1, "Basic {b64:alice:fake-pass-1}")
        .reference(
            ".npmrc",
            &format!(
                "registry={{R1}}/\n//{{H1}}/:username=alice\n//{{H1}}/:_password={}\n",
                B64.encode("fake-pass-1")
            ),
        )
}

/// Bun's bunfig scope table into Deno's `.npmrc`. Bun reads `.npmrc` too, and its bunfig
/// credentials shadow it, so the source run on the translated project is unchanged.
pub fn bun_to_deno_scope_token() -> Case {
    Case::new("bun_to_deno_scope_token", Bun, Deno)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_GH)
        .file(
            "bunfig.toml",
            "[install]\nregistry = \"{R1}/\"\n\n[install.scopes]\nacme = { url = \"{R2}/\", token = \"$NODE_AUTH_TOKEN\" }\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
}

/// pnpm 11's `registries` map in pnpm-workspace.yaml with a literal token in `.npmrc`:
/// Deno needs the scope in `.npmrc`, which pnpm 11 merges with its yaml.
pub fn pnpm11_to_deno_workspace_scope() -> Case {
    Case::new("pnpm11_to_deno_workspace_scope", Pnpm11, Deno)
        .mount(1, "/")
        .mount_auth(2, "/", "Bearer fake-literal-acme-token")
        .file(
            "pnpm-workspace.yaml",
            "registries:\n  default: \"{R1}/\"\n  \"@acme\": \"{R2}/\"\n",
        )
        .file(".npmrc", "//{H2}/:_authToken=fake-literal-acme-token\n")
        .dep("@acme/widget", 2, "Bearer fake-literal-acme-token")
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n",
        )
}

// ---- Deno as the source ----

/// Deno's scope and token into Yarn; Deno reads the `.npmrc` still there unchanged.
pub fn deno_to_yarn_scope_token() -> Case {
    Case::new("deno_to_yarn_scope_token", Deno, Yarn)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_GH)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"{R2}/npm\"\n    npmAuthToken: \"${NODE_AUTH_TOKEN}\"\n",
        )
}

/// `username` + base64 `_password` under a path registry into Yarn's `npmAuthIdent`.
pub fn deno_to_yarn_basic_auth() -> Case {
    Case::new("deno_to_yarn_basic_auth", Deno, Yarn)
        .mount_auth(1, "/npm/", "Basic {b64:alice:fake-pass-1}")
        .file(
            ".npmrc",
            &format!(
                "registry={{R1}}/npm/\n//{{H1}}/npm/:username=alice\n//{{H1}}/npm/:_password={}\n",
                B64.encode("fake-pass-1")
            ),
        )
        .dep("leftpad-fake", 1, "Basic {b64:alice:fake-pass-1}")
        .dep("@acme/widget", 1, "Basic {b64:alice:fake-pass-1}")
        .reference(
            ".yarnrc.yml",
            "npmRegistryServer: \"{R1}/npm\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\nnpmRegistries:\n  \"//{H1}/npm\":\n    npmAuthIdent: \"alice:fake-pass-1\"\n    npmAlwaysAuth: true\n",
        )
}

/// Deno ignores unscoped credentials (spec §4): a top-level `_authToken` beside a
/// registry with its own token. npm 12 refuses the whole file for it (ERR_INVALID_AUTH), so
/// the translation into npm 12, which must do what Deno does, drops the line.
pub fn deno_unscoped_token_ignored_to_npm12() -> Case {
    Case::new("deno_unscoped_token_ignored_to_npm12", Deno, Npm12)
        .mount_auth(1, "/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n_authToken=fake-unscoped-token\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
}

/// An unset `${VAR}` stays literal text in Deno (spec §4, a16) as in npm: both send
/// `Bearer ${NODE_AUTH_TOKEN}` as written. The registry serves only that header.
pub fn deno_unset_env_token_to_npm12() -> Case {
    let mut case = Case::new("deno_unset_env_token_to_npm12", Deno, Npm12)
        .mount(1, "/")
        .mount_auth(2, "/", "Bearer {AS_WRITTEN}")
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
        // The expectation's own variable holds the reference as written; the managers never
        // read it.
        .env("AS_WRITTEN", "${NODE_AUTH_TOKEN}", "${NODE_AUTH_TOKEN}")
        .dep("@acme/widget", 2, "Bearer {AS_WRITTEN}")
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NODE_AUTH_TOKEN}\n",
        );
    case.env.push(("NODE_AUTH_TOKEN", None, None));
    case
}

/// What the spec left in doubt (§4 t01, "tarballs on the registry's origin get the registry
/// creds even outside its path", against the stored deno_npmrc `tarball_config`, which looks
/// only for a configured key that is a prefix of the tarball URL): with the token keyed at
/// the registry's path and the tarballs elsewhere on the same origin, the real Deno 2.9.6
/// sends the registry's token to the tarball, as t01 says. npm 11's same-host fallback does
/// the same (npm 12 would refuse a tarball outside the registry's path).
pub fn deno_scope_tarballs_same_host_outside_path() -> Case {
    Case::new("deno_scope_tarballs_same_host_outside_path", Deno, Npm)
        .mount(1, "/")
        .mount_auth(2, "/npm/", BEARER_GH)
        .tarballs_at(2, "/files/")
        .mount_auth(2, "/files/", BEARER_GH)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
        .env("NODE_AUTH_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_GH)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=${NODE_AUTH_TOKEN}\n",
        )
}

/// Deno merges `~/.npmrc` and the project's by block: a project `//host/:` block replaces
/// the home block of the same key as a whole (deno's `merge_npm_rc`), where npm merges key by
/// key. With the home token and a project `_auth` for one host, Deno sends the `_auth`; npm,
/// seeing both, would send the token, so the translation (with `--user`) takes the home
/// token Deno never uses out of `~/.npmrc`.
pub fn deno_project_block_replaces_home_block() -> Case {
    Case::new("deno_project_block_replaces_home_block", Deno, Npm)
        .mount_auth(1, "/", "Basic {NPM_AUTH}")
        .file("~/.npmrc", "//{H1}/:_authToken=${NPM_TOKEN}\n")
        .file(".npmrc", "registry={R1}/\n//{H1}/:_auth=${NPM_AUTH}\n")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .env(
            "NPM_AUTH",
            &B64.encode("alice:fake-pass-1"),
            &B64.encode("bob:fake-pass-2"),
        )
        .dep("leftpad-fake", 1, "Basic {NPM_AUTH}")
        .user()
        .reference(".npmrc", "registry={R1}/\n//{H1}/:_auth=${NPM_AUTH}\n")
}

/// pnpm 11/12's scope token (`//host/:@scope:_authToken`) is not Deno's: Deno keys `.npmrc`
/// credentials by host and path only and sends the host's own token for the scope.
pub fn deno_ignores_pnpm_scope_token() -> Case {
    Case::new("deno_ignores_pnpm_scope_token", Deno, Npm)
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
