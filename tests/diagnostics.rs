//! Issue 12: every diagnostic code has a row in the table (by construction), a project that
//! triggers it, and a line in `docs/diagnostics.md`. Doctor's rules are triggered by
//! `tests/doctor.rs`; this file triggers every other code through the real binary.

mod common;

use std::collections::BTreeSet;

use assert_fs::TempDir;
use pmrc::diagnostics::{Code, DOCTOR_RULES, TRANSLATION_NOTES};

struct Trigger {
    code: &'static str,
    /// Project files (paths may have folders).
    files: &'static [(&'static str, &'static str)],
    /// Files in the home directory.
    home: &'static [(&'static str, &'static str)],
    /// Where to run, relative to the project.
    dir: &'static str,
    args: &'static [&'static str],
    /// Variables set for the run (for `--env`).
    vars: &'static [(&'static str, &'static str)],
}

const fn t(
    code: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
) -> Trigger {
    Trigger {
        vars: &[],
        code,
        files,
        home: &[],
        dir: "",
        args,
    }
}

const TO_NPM: &[&str] = &["convert", "--from", "yarn", "--to", "npm"];
const NPM_TO_YARN: &[&str] = &["convert", "--from", "npm", "--to", "yarn"];
const TO_DEPENDABOT: &[&str] = &["convert", "--from", "npm", "--to", "dependabot"];

/// Codes that report a bug in pmrc's own translation, which no correct run triggers; each is
/// driven by the unit test named here.
const SELF_CHECKS: &[&str] = &[
    // src/translate/mod.rs: verify_reports_a_route_that_moved
    "route-differs",
];

const TRIGGERS: &[Trigger] = &[
    // A parent folder's `npmAlwaysAuth: true` with no credentials (Yarn's YN0033).
    Trigger {
        vars: &[],
        code: "target-stops-request",
        files: &[
            (".yarnrc.yml", "npmAlwaysAuth: true\n"),
            ("app/.npmrc", "registry=https://r.example/\n"),
            ("app/package.json", "{}\n"),
        ],
        home: &[],
        dir: "app",
        args: &["convert", "--from", "npm", "--to", "yarn"],
    },
    t(
        "registry-written-out",
        &[
            ("package.json", "{}\n"),
            (".yarnrc", "registry \"https://corp.example/\"\n"),
            (".npmrc", "//corp.example/:_authToken=${T}\n"),
        ],
        &["convert", "--from", "npm", "--to", "yarn-classic"],
    ),
    // A `~/.npmrc` pmrc does not read sets the registry npm uses.
    Trigger {
        vars: &[],
        code: "registry-not-written-out",
        files: &[
            ("package.json", "{}\n"),
            (".yarnrc", "registry \"https://corp.example/\"\n"),
            (".npmrc", "//corp.example/:_authToken=${T}\n"),
        ],
        home: &[(".npmrc", "registry=https://user.example/\n")],
        dir: "",
        args: &["convert", "--from", "npm", "--to", "yarn-classic"],
    },
    t(
        "npmrc-rewrite-moves-readers",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=fake-tok # note\n",
        )],
        &["convert", "--from", "pnpm@12", "--to", "npm"],
    ),
    t(
        "present-reader-moved",
        &[
            ("package.json", "{}\n"),
            (
                ".yarnrc.yml",
                "npmScopes:\n  acme:\n    npmRegistryServer: \"https://acme.example\"\n",
            ),
            (".npmrc", "@acme:registry=https://old.example/\n"),
        ],
        &["convert", "--from", "yarn", "--to", "pnpm@10"],
    ),
    t(
        "target-stops-while-unset",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=${PMRC_TEST_UNSET_TOKEN}\n",
        )],
        NPM_TO_YARN,
    ),
    Trigger {
        code: "user-file-line-removed",
        files: &[(".yarnrc.yml", "npmRegistryServer: \"https://r.example/\"\n")],
        home: &[(".npmrc", "@other:registry=https://other.example/\n")],
        dir: "",
        args: &["convert", "--from", "yarn", "--to", "npm", "--user"],
        vars: &[],
    },
    Trigger {
        code: "reader-drops-file-while-unset",
        files: &[
            ("pnpm-workspace.yaml", "packages: []\n"),
            (
                ".npmrc",
                "//r.example/:_authToken=${PMRC_TEST_UNSET_TOKEN}\n",
            ),
        ],
        home: &[(".npmrc", "registry=https://r.example/\n")],
        dir: "",
        args: &["convert", "--from", "npm", "--to", "pnpm@10", "--user"],
        vars: &[],
    },
    t(
        "plain-text-secret",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=fake-literal\n",
        )],
        NPM_TO_YARN,
    ),
    t(
        "lossy-env-reference",
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"${T:-fallback}\"\n",
        )],
        &["convert", "--from", "yarn", "--to", "bun"],
    ),
    t(
        "lossy-shared-registry-credentials",
        &[(
            ".yarnrc.yml",
            "npmScopes:\n  a:\n    npmRegistryServer: \"https://r.example\"\n    npmAuthToken: \"${A}\"\n  b:\n    npmRegistryServer: \"https://r.example\"\n    npmAuthToken: \"${B}\"\n",
        )],
        TO_NPM,
    ),
    t(
        "lossy-publish-registry",
        &[(
            ".yarnrc.yml",
            "npmPublishRegistry: \"https://publish.example\"\n",
        )],
        TO_NPM,
    ),
    t(
        "lossy-basic-auth",
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthIdent: \"user:${PASS}\"\n",
        )],
        TO_NPM,
    ),
    t(
        "lossy-proxy",
        &[(
            ".yarnrc.yml",
            "httpProxy: \"http://a.example:3128\"\nhttpsProxy: \"http://b.example:3128\"\n",
        )],
        TO_NPM,
    ),
    t(
        "lossy-noproxy",
        &[(".npmrc", "noproxy=localhost\n")],
        NPM_TO_YARN,
    ),
    t(
        "lossy-inline-ca",
        &[(".npmrc", "ca=FAKE-CA\n")],
        NPM_TO_YARN,
    ),
    t(
        "lossy-client-certificate",
        &[(".npmrc", "cert=FAKE-CERT\nkey=FAKE-KEY\n")],
        NPM_TO_YARN,
    ),
    // A doctor --ci rule, here too: the code a CI trial asked for (spec/ci-env.md C6).
    t(
        "ci-dependabot-variable-unset",
        &[
            (
                "package.json",
                "{\"name\": \"a\", \"packageManager\": \"yarn@4.18.1\"}\n",
            ),
            (".yarnrc.yml", "npmAuthToken: \"${NPM_TOKEN}\"\n"),
            (
                ".github/dependabot.yml",
                "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: daily\n",
            ),
        ],
        &["doctor", "--ci"],
    ),
    t(
        "dependabot-literal-secret",
        &[(".npmrc", "//registry.npmjs.org/:_authToken=FAKE-literal\n")],
        TO_DEPENDABOT,
    ),
    t(
        "dependabot-secret-kept",
        &[
            (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
            (
                ".github/dependabot.yml",
                "version: 2\nregistries:\n  npmjs:\n    type: npm-registry\n    url: https://registry.npmjs.org\n    token: ${{ secrets.CORP_TOKEN }}\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n    registries:\n      - npmjs\n",
            ),
        ],
        TO_DEPENDABOT,
    ),
    t(
        "dependabot-scope-ignores-npmrc",
        &[(
            ".npmrc",
            "@acme:registry=https://npm.acme.example/\nlegacy-peer-deps=true\n",
        )],
        TO_DEPENDABOT,
    ),
    t(
        "dependabot-no-update",
        &[
            (".npmrc", "@acme:registry=https://npm.acme.example/\n"),
            (
                ".github/dependabot.yml",
                "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /backend\n    schedule:\n      interval: weekly\n",
            ),
        ],
        TO_DEPENDABOT,
    ),
    // An earlier pmrc's file in the project's folder, below the repository's root.
    Trigger {
        vars: &[],
        code: "dependabot-file-not-at-root",
        files: &[
            ("web/.npmrc", "@acme:registry=https://npm.acme.example/\n"),
            (
                "web/.github/dependabot.yml",
                "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n",
            ),
        ],
        home: &[],
        dir: "web",
        args: TO_DEPENDABOT,
    },
    t(
        "dependabot-encoded-password",
        &[(
            ".npmrc",
            "@a:registry=https://r.example/\n//r.example/:username=ci\n//r.example/:_password=${PASSWORD_B64}\n",
        )],
        TO_DEPENDABOT,
    ),
    t(
        "dependabot-cannot-hold",
        &[(".npmrc", "strict-ssl=false\n")],
        TO_DEPENDABOT,
    ),
    t(
        "lossy-network-settings",
        &[(".npmrc", "strict-ssl=false\n")],
        &["convert", "--from", "npm", "--to", "bun"],
    ),
    t(
        "credentials-differ",
        &[(
            ".yarnrc.yml",
            "npmScopes:\n  a:\n    npmRegistryServer: \"https://r.example\"\n    npmAuthToken: \"${A}\"\n  b:\n    npmRegistryServer: \"https://r.example\"\n    npmAuthToken: \"${B}\"\n",
        )],
        TO_NPM,
    ),
    t(
        "credential-sent-elsewhere",
        &[(
            ".npmrc",
            "@acme:registry=https://r.example:8443/\n//r.example/:_authToken=fake-portless\n",
        )],
        &["convert", "--from", "npm", "--to", "pnpm@11"],
    ),
    t(
        "pnpm10-drops-file",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=${NPM_TOKEN?}\n",
        )],
        &["show", "--manager", "pnpm@10"],
    ),
    t(
        "pnpm-env-registry-ignored",
        &[(".npmrc", "registry=${REG}\n")],
        &["show", "--manager", "pnpm@11"],
    ),
    t(
        "pnpm-env-registry-stops",
        &[(".npmrc", "@acme:registry=${ACME_REGISTRY}\n")],
        &["show", "--manager", "pnpm@12"],
    ),
    t(
        "pnpm-env-registry-needs-user-file",
        &[(".npmrc", "registry=${REG}\n")],
        &["convert", "--from", "npm", "--to", "pnpm@11"],
    ),
    t(
        "default-as-parent-key",
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"${T:-fake-default}\"\n",
        )],
        TO_NPM,
    ),
    t(
        "bun-ignored-key",
        &[(
            "bunfig.toml",
            "[install.scopes]\nx = { registry = \"https://x.example/\" }\n",
        )],
        &["show", "--manager", "bun"],
    ),
    t(
        "pnpm-credentials-kept-in-npmrc",
        &[(".npmrc", "@acme:registry=https://u:FAKE-PASS@r.example/\n")],
        &["convert", "--from", "npm", "--to", "pnpm@12"],
    ),
    t(
        "package-json-unreadable",
        &[
            ("package.json", "{\"packageManager\": \"pnpm@10.0.0\",}\n"),
            ("pnpm-workspace.yaml", "registry: \"https://r.example/\"\n"),
        ],
        &["show", "--manager", "pnpm"],
    ),
    Trigger {
        vars: &[],
        code: "project-root",
        files: &[
            (".npmrc", "registry=https://r.example/\n"),
            ("package.json", "{\"workspaces\": [\"packages/*\"]}\n"),
            ("packages/a/package.json", "{}\n"),
        ],
        home: &[],
        dir: "packages/a",
        args: &["convert", "--from", "npm", "--to", "yarn"],
    },
    t(
        "same-rules",
        &[(".npmrc", "registry=https://r.example/\n")],
        &["convert", "--from", "npm@12", "--to", "npm@12"],
    ),
    // A scope added to the target's file by hand, which the source does not hold.
    t(
        "target-only-setting-removed",
        &[
            (".npmrc", "@acme:registry=https://r.example/\n"),
            (
                ".yarnrc.yml",
                "npmScopes:\n  beta:\n    npmRegistryServer: \"https://beta.example\"\n",
            ),
        ],
        &["convert", "--from", "npm", "--to", "yarn", "--check"],
    ),
    // pnpm 12 reads the project `.npmrc`'s scope and `~/.npmrc`'s token as they are.
    Trigger {
        vars: &[],
        code: "target-already-alike",
        files: &[
            ("package.json", "{}\n"),
            (".npmrc", "@acme:registry=https://r.example/\n"),
        ],
        home: &[(".npmrc", "//r.example/:_authToken=npm_FAKE_token\n")],
        dir: "",
        args: &["convert", "--from", "npm", "--to", "pnpm@12"],
    },
    Trigger {
        vars: &[("XDG_CONFIG_HOME", "/nonexistent-pmrc-xdg")],
        code: "user-file-passed-over",
        files: &[(
            "bunfig.toml",
            "[install]\nregistry = \"https://r.example/\"\n",
        )],
        home: &[(
            ".bunfig.toml",
            "[install]\nregistry = \"https://home.example/\"\n",
        )],
        dir: "",
        args: &["show", "--manager", "bun", "--user"],
    },
    Trigger {
        vars: &[],
        code: "user-files-not-read",
        files: &[("pnpm-workspace.yaml", "registry: \"https://r.example/\"\n")],
        home: &[(".config/pnpm/auth.ini", "//r.example/:_authToken=${T}\n")],
        dir: "",
        args: &["show", "--manager", "pnpm@12"],
    },
    t(
        "pnpm-version",
        &[(".npmrc", "registry=https://r.example/\n")],
        &["convert", "--from", "npm", "--to", "pnpm"],
    ),
    t(
        "pnpm12-slash-twins",
        &[(
            ".npmrc",
            "@acme:registry=https://r.example/reg/\n//r.example/reg:_authToken=fake-a\n//r.example/reg/:_authToken=fake-b\n",
        )],
        &["show", "--manager", "pnpm@12"],
    ),
    t(
        "pnpm-env-credential-needs-user-file",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=${T}\n",
        )],
        &["convert", "--from", "npm", "--to", "pnpm@12"],
    ),
    t(
        "pnpm-yaml-env-reference",
        &[("pnpm-workspace.yaml", "registry: \"${REGISTRY}\"\n")],
        &["show", "--manager", "pnpm@12"],
    ),
    t(
        "pnpm10-ignores-yaml-registry",
        &[("pnpm-workspace.yaml", "registry: \"https://r.example/\"\n")],
        &["show", "--manager", "pnpm@10"],
    ),
    t(
        "pnpm-registries-key",
        &[(
            "pnpm-workspace.yaml",
            "registries:\n  acme: \"https://r.example/\"\n",
        )],
        &["show", "--manager", "pnpm@12"],
    ),
    t(
        "pnpm10-yaml-registries-replace-scopes",
        &[
            (".npmrc", "@acme:registry=https://a.example/\n"),
            (
                "pnpm-workspace.yaml",
                "registries:\n  \"@beta\": \"https://b.example/\"\n",
            ),
        ],
        &["show", "--manager", "pnpm@10"],
    ),
    Trigger {
        vars: &[],
        code: "pnpm-member-npmrc",
        files: &[
            ("pnpm-workspace.yaml", "packages: [\"packages/*\"]\n"),
            ("packages/a/.npmrc", "registry=https://r.example/\n"),
        ],
        home: &[],
        dir: "packages/a",
        args: &["show", "--manager", "pnpm@12"],
    },
    t(
        "yarn-member-yarnrc",
        &[
            ("package.json", "{\"workspaces\": [\"packages/*\"]}\n"),
            (
                ".yarnrc.yml",
                "npmRegistryServer: \"https://root.example\"\n",
            ),
            ("packages/a/package.json", "{}\n"),
            (
                "packages/a/.yarnrc.yml",
                "npmRegistryServer: \"https://member.example\"\n",
            ),
        ],
        &["convert", "--from", "yarn", "--to", "npm"],
    ),
    Trigger {
        vars: &[],
        code: "member-config-ignored",
        files: &[
            ("package.json", "{\"workspaces\": [\"packages/*\"]}\n"),
            ("packages/a/package.json", "{}\n"),
            ("packages/a/.npmrc", "registry=https://r.example/\n"),
        ],
        home: &[],
        dir: "packages/a",
        args: &["show", "--manager", "npm"],
    },
    t(
        "workspace-projects-listed",
        &[
            ("package.json", "{\"workspaces\": [\"packages/*\"]}\n"),
            ("packages/a/package.json", "{}\n"),
            (".npmrc", "registry=https://r.example/\n"),
        ],
        &["convert", "--from", "npm", "--to", "pnpm@12"],
    ),
    Trigger {
        vars: &[],
        code: "member-read-apart",
        files: &[
            ("package.json", "{\"workspaces\": [\"packages/*\"]}\n"),
            ("packages/a/package.json", "{}\n"),
            ("packages/a/.npmrc", "registry=https://r.example/\n"),
        ],
        home: &[],
        dir: "packages/a",
        args: &["doctor", "--manager", "npm,yarn-classic"],
    },
    t(
        "pnpm-scope-token",
        &[(
            ".npmrc",
            "@acme:registry=https://r.example/\n//r.example/:@acme:_authToken=${T}\n",
        )],
        &["show", "--manager", "npm"],
    ),
    t(
        "credential-key-reference",
        &[(
            ".npmrc",
            "@acme:registry=https://${CI_SERVER_HOST}/api/v4/projects/${CI_PROJECT_ID}/packages/npm/\n//${CI_SERVER_HOST}/api/v4/projects/${CI_PROJECT_ID}/packages/npm/:_authToken=${CI_JOB_TOKEN}\n",
        )],
        &["show", "--manager", "yarn-classic"],
    ),
    t(
        "pnpm-token-helper",
        &[(".npmrc", "//r.example/:tokenHelper=/usr/local/bin/token\n")],
        &["show", "--manager", "npm"],
    ),
    t(
        "pnpm-auth-in-workspace-yaml",
        &[(
            "pnpm-workspace.yaml",
            "_auth:\n  https://r.example/:\n    \"@\": { authToken: \"${T}\" }\n",
        )],
        &["show", "--manager", "pnpm@12"],
    ),
    t(
        "yarn-legacy-ca-file-path",
        &[(".yarnrc.yml", "caFilePath: \"/etc/ssl/fake-ca.pem\"\n")],
        &["show", "--manager", "yarn"],
    ),
    t(
        "yarnrc-flag-line",
        &[(".yarnrc", "--install.frozen-lockfile true\n")],
        &["show", "--manager", "yarn-classic"],
    ),
    t(
        "yarnrc-key-not-translated",
        &[(".yarnrc", "network-timeout 600000\n")],
        &["show", "--manager", "yarn-classic"],
    ),
    t(
        "env-ident-assumed-base64",
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthIdent: \"${IDENT}\"\n",
        )],
        TO_NPM,
    ),
    t(
        "invalid-password-base64",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:username=u\n//r.example/:_password=/w==\n",
        )],
        NPM_TO_YARN,
    ),
    t(
        "client-certificate-per-host",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:certfile=/c.pem\n//r.example/:keyfile=/k.pem\n",
        )],
        NPM_TO_YARN,
    ),
    t(
        "unused-credential",
        &[(".npmrc", "//other.example/:_authToken=${T}\n")],
        &["convert", "--from", "npm", "--to", "bun"],
    ),
    Trigger {
        vars: &[],
        code: "bun-entry-credentials-moved",
        // `strict-ssl`, which Bun ignores: Bun does not already do what npm does.
        files: &[(
            ".npmrc",
            "@acme:registry=https://r.example/\nstrict-ssl=false\n",
        )],
        home: &[(".npmrc", "//r.example/:_authToken=${T}\n")],
        dir: "",
        args: &["convert", "--from", "npm", "--to", "bun", "--user"],
    },
    t(
        "bun-scope-left-in-npmrc",
        &[(".npmrc", "@acme:registry=https://${ACME_HOST}/npm/\n")],
        &["convert", "--from", "npm", "--to", "bun"],
    ),
    Trigger {
        vars: &[],
        code: "bun-entry-moved-to-user",
        // `strict-ssl`, which Bun ignores: Bun does not already do what npm does.
        files: &[(
            ".npmrc",
            "@acme:registry=https://r.example/\nstrict-ssl=false\n",
        )],
        home: &[(".npmrc", "//r.example/:_authToken=fake-literal\n")],
        dir: "",
        args: &["convert", "--from", "npm", "--to", "bun", "--user"],
    },
    t(
        "deno-ignores-network-settings",
        &[(
            ".npmrc",
            "registry=https://r.example/\ncafile=/etc/ssl/corp.pem\n",
        )],
        &["convert", "--from", "npm", "--to", "deno"],
    ),
    t(
        "npm-major-migration",
        &[(
            ".npmrc",
            "//r.example/:_authToken=${T}\nemail=ci@r.example\n",
        )],
        &["convert", "--from", "npm@11", "--to", "npm@12"],
    ),
    t(
        "npm-major-needs-decision",
        &[(".npmrc", "//r.example/:_authToken=${T}\n")],
        &["convert", "--from", "npm@12", "--to", "npm@11"],
    ),
    t(
        "env-rc-file",
        &[(
            ".npmrc",
            "@acme:registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken=${GH_TOKEN}\n",
        )],
        &["env", "--to", "yarn"],
    ),
    t(
        "env-literal-secret",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=fake-literal-token\n",
        )],
        &["env", "--to", "pnpm@12"],
    ),
    t(
        "env-token-spreads",
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAuthToken: \"${NPM_TOKEN}\"\nnpmAlwaysAuth: true\n",
        )],
        &["env", "--to", "yarn"],
    ),
    Trigger {
        vars: &[("YARN_NETWORK_TIMEOUT", "100000")],
        code: "env-variable-fatal",
        files: &[(".yarnrc.yml", "npmRegistryServer: \"https://r.example\"\n")],
        home: &[],
        dir: "",
        args: &["show", "--env"],
    },
    Trigger {
        vars: &[("NPM_CONFIG_USERCONFIG", "/ci/runner.npmrc")],
        code: "userconfig-not-applied",
        files: &[(".npmrc", "registry=https://r.example/\n")],
        home: &[],
        dir: "",
        args: &["show", "--manager", "npm"],
    },
    Trigger {
        vars: &[("NPM_CONFIG_REGISTRY", "https://r.example/")],
        code: "env-variable-ignored",
        files: &[(
            "pnpm-workspace.yaml",
            "packages: []\nregistry: https://w.example/\n",
        )],
        home: &[],
        dir: "",
        args: &["explain", "left-pad", "--env", "--manager", "pnpm@11"],
    },
];

fn write_all(root: &std::path::Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Every `code`/`rule` string anywhere in a JSON document.
fn codes_in(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("code" | "rule", serde_json::Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    _ => codes_in(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| codes_in(i, out)),
        _ => {}
    }
}

fn run(trigger: &Trigger) -> BTreeSet<String> {
    let project = TempDir::new().unwrap();
    let home = TempDir::new().unwrap();
    write_all(project.path(), trigger.files);
    write_all(home.path(), trigger.home);
    // A git work tree's root, as a checkout is: where `--to dependabot` writes.
    write_all(project.path(), &[(".git/HEAD", "ref: refs/heads/main\n")]);
    let out = common::pmrc()
        .args(trigger.args)
        .args(["--format", "json", "--dir"])
        .arg(project.path().join(trigger.dir))
        .env("HOME", home.path())
        .envs(trigger.vars.iter().copied())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\n{}",
            trigger.code,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut codes = BTreeSet::new();
    codes_in(&json, &mut codes);
    codes
}

#[test]
fn every_translation_code_has_a_triggering_project() {
    for trigger in TRIGGERS {
        let found = run(trigger);
        assert!(
            found.contains(trigger.code),
            "{} not reported by {:?}; found {found:?}",
            trigger.code,
            trigger.args
        );
    }
    for d in TRANSLATION_NOTES {
        assert!(
            TRIGGERS.iter().any(|t| t.code == d.id) || SELF_CHECKS.contains(&d.id),
            "{} has no triggering project here",
            d.id
        );
    }
    assert_eq!(
        DOCTOR_RULES.len() + TRANSLATION_NOTES.len(),
        Code::ALL.len(),
        "every code is a doctor rule or a translation note"
    );
}

/// `docs/diagnostics.md` is the table rendered; `PMRC_BLESS=1` rewrites it.
#[test]
fn every_code_is_documented() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md");
    let rendered = pmrc::diagnostics::markdown();
    if std::env::var_os("PMRC_BLESS").is_some() {
        std::fs::write(path, &rendered).unwrap();
    }
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    for &code in Code::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", code.id())),
            "{code} is not in docs/diagnostics.md (PMRC_BLESS=1 cargo test --test diagnostics)"
        );
    }
    assert_eq!(
        doc, rendered,
        "docs/diagnostics.md is out of date (PMRC_BLESS=1 cargo test --test diagnostics)"
    );
}
