//! Issue 16: one manager, another major. npm 11 and npm 12 read the same registry and auth
//! settings, but npm 12 refuses a file with top-level `email`, `certfile` or `keyfile`
//! (ERR_INVALID_AUTH) that npm 11 only warned about: `pmrc convert --from npm@11 --to
//! npm@12` keys them (or drops a lone cert/key), and the way back changes nothing. pnpm
//! 11.23+'s URL-keyed `registries` stay as they are for pnpm 12 and leave the yaml for
//! pnpm 10, which cannot read them.

use super::check::Case;
use super::sandbox::Pm::{Npm, Npm12, Pnpm10, Pnpm11, Pnpm12};

const BEARER_NPM: &str = "Bearer {NPM_TOKEN}";
const NONE: &str = "";

/// A top-level `email` (what `npm login` wrote before npm 12): keyed to the registry.
pub fn npm11_to_npm12_email_keyed() -> Case {
    Case::new("npm11_to_npm12_email_keyed", Npm, Npm12)
        .mount_auth(1, "/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\nemail=ci@example.com\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n//{H1}/:email=ci@example.com\n",
        )
}

/// A lone top-level `certfile`: npm 11 ignores it, npm 12 refuses the file; `npm config
/// fix` deletes it, and so does the migration.
pub fn npm11_to_npm12_lone_certfile() -> Case {
    Case::new("npm11_to_npm12_lone_certfile", Npm, Npm12)
        .mount_auth(1, "/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/\ncertfile=/nonexistent/client.pem\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/\n//{H1}/:_authToken=${NPM_TOKEN}\n",
        )
}

/// npm 12's keyed `email` back to npm 11, which reads it as it is: nothing to rewrite (the
/// migration only says what npm 11 does differently).
pub fn npm12_to_npm11_keyed_email() -> Case {
    Case::new("npm12_to_npm11_keyed_email", Npm12, Npm)
        .mount_auth(1, "/npm/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/npm/\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n//{H1}/npm/:email=ci@example.com\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
        .reference(
            ".npmrc",
            "registry={R1}/npm/\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n//{H1}/npm/:email=ci@example.com\n",
        )
}

const PNPM_LITERAL: &str = "Bearer fake-literal-acme-token";
const URL_KEYED: &str = "registries:\n  \"{R1}/\":\n    scopes: [\"@\"]\n  \"{R2}/npm/\":\n    scopes: [\"@acme\"]\n    prefix: work\n";

/// pnpm 11.23+'s URL-keyed `registries` (with a `prefix`) to pnpm 12, which reads them the
/// same: pmrc keeps the yaml as it is, in the user's shape.
pub fn pnpm11_to_pnpm12_url_keyed_registries() -> Case {
    Case::new("pnpm11_to_pnpm12_url_keyed_registries", Pnpm11, Pnpm12)
        .mount(1, "/")
        .mount_auth(2, "/npm/", PNPM_LITERAL)
        .file("pnpm-workspace.yaml", URL_KEYED)
        .file(".npmrc", "//{H2}/npm/:_authToken=fake-literal-acme-token\n")
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("leftpad-fake", 1, NONE)
        .reference("pnpm-workspace.yaml", URL_KEYED)
        .reference(".npmrc", "//{H2}/npm/:_authToken=fake-literal-acme-token\n")
}

/// The downgrade: pnpm 10 stops on URL-keyed `registries` ("`registry` should be a
/// string"), so the routing moves to `.npmrc` and the block leaves the yaml.
pub fn pnpm11_to_pnpm10_url_keyed_registries() -> Case {
    Case::new("pnpm11_to_pnpm10_url_keyed_registries", Pnpm11, Pnpm10)
        .mount(1, "/")
        .mount_auth(2, "/npm/", PNPM_LITERAL)
        .file("pnpm-workspace.yaml", URL_KEYED)
        .file(".npmrc", "//{H2}/npm/:_authToken=fake-literal-acme-token\n")
        .dep("@acme/widget", 2, PNPM_LITERAL)
        .dep("leftpad-fake", 1, NONE)
        .reference(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/npm/\n//{H2}/npm/:_authToken=fake-literal-acme-token\n",
        )
}
