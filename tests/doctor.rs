//! `pmrc doctor`: every rule has a project that triggers it and one that does not.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use assert_fs::TempDir;

struct Case {
    rule: &'static str,
    trigger: &'static [(&'static str, &'static str)],
    clean: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        rule: "yarn-ignores-npmrc",
        trigger: &[
            (".yarnrc.yml", "nodeLinker: node-modules\n"),
            (".npmrc", "registry=https://r.example/\n"),
        ],
        clean: &[
            (".yarnrc.yml", "nodeLinker: node-modules\n"),
            (".npmrc", "save-exact=true\n"),
        ],
        args: &[],
    },
    // A .npmrc kept in sync for npm users (pmrc sync) is not a finding; one that says more
    // than the .yarnrc.yml is.
    Case {
        rule: "yarn-ignores-npmrc",
        trigger: &[
            (
                ".yarnrc.yml",
                "npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.pkg.example\"\n    npmPublishRegistry: \"https://npm.pkg.example\"\nnpmRegistries:\n  \"//npm.pkg.example\":\n    npmAuthToken: \"${T}\"\n",
            ),
            (
                ".npmrc",
                "@acme:registry=https://npm.pkg.example/\n//npm.pkg.example/:_authToken=${T}\nhttps-proxy=http://proxy.example:3128/\n",
            ),
        ],
        clean: &[
            (
                ".yarnrc.yml",
                "npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.pkg.example\"\n    npmPublishRegistry: \"https://npm.pkg.example\"\nnpmRegistries:\n  \"//npm.pkg.example\":\n    npmAuthToken: \"${T}\"\n",
            ),
            (
                ".npmrc",
                "@acme:registry=https://npm.pkg.example/\n//npm.pkg.example/:_authToken=${T}\n",
            ),
        ],
        args: &["--manager", "yarn"],
    },
    Case {
        rule: "pnpm-project-env-credential-ignored",
        trigger: &[
            ("pnpm-workspace.yaml", "packages: []\n"),
            (".npmrc", "//r.example/:_authToken=${T}\n"),
        ],
        clean: &[
            ("pnpm-workspace.yaml", "packages: []\n"),
            (".npmrc", "//r.example/:_authToken=fake-literal\n"),
        ],
        args: &["--manager", "pnpm@12"],
    },
    Case {
        rule: "pnpm-env-registry-ignored",
        trigger: &[(".npmrc", "registry=${REG}\n")],
        clean: &[(".npmrc", "registry=https://r.example/\n")],
        args: &["--manager", "pnpm@11"],
    },
    Case {
        rule: "pnpm-env-registry-stops",
        trigger: &[(".npmrc", "@acme:registry=${ACME_REGISTRY}\n")],
        clean: &[(".npmrc", "@acme:registry=https://r.example/\n")],
        args: &["--manager", "pnpm@12"],
    },
    Case {
        rule: "pnpm-npmrc-setting-ignored",
        trigger: &[
            ("pnpm-workspace.yaml", "packages: []\n"),
            (".npmrc", "node-linker=hoisted\n"),
        ],
        clean: &[
            ("pnpm-workspace.yaml", "packages: []\n"),
            (".npmrc", "node-linker=hoisted\n"),
        ],
        args: &[],
    },
    Case {
        rule: "bun-braced-env-reference",
        trigger: &[(
            "bunfig.toml",
            "[install]\nregistry = { url = \"https://r.example/\", token = \"${T}\" }\n",
        )],
        clean: &[(
            "bunfig.toml",
            "[install]\nregistry = { url = \"https://r.example/\", token = \"$T\" }\n",
        )],
        args: &[],
    },
    Case {
        rule: "yarn-scope-with-at",
        trigger: &[(
            ".yarnrc.yml",
            "npmScopes:\n  \"@acme\":\n    npmRegistryServer: \"https://a.example\"\n",
        )],
        clean: &[(
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://a.example\"\n",
        )],
        args: &[],
    },
    Case {
        rule: "pnpm12-slash-twins",
        trigger: &[(
            ".npmrc",
            "@acme:registry=https://r.example/reg/\n//r.example/reg:_authToken=fake-a\n//r.example/reg/:_authToken=fake-b\n",
        )],
        clean: &[(
            ".npmrc",
            "@acme:registry=https://r.example/reg/\n//r.example/reg:_authToken=fake-a\n//r.example/reg/:_authToken=fake-a\n",
        )],
        args: &["--manager", "pnpm@12"],
    },
    Case {
        rule: "yarn-registry-key-unmatched",
        trigger: &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example/npm\"\nnpmRegistries:\n  \"//r.example\":\n    npmAuthToken: \"${T:-}\"\n",
        )],
        clean: &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example/npm\"\nnpmRegistries:\n  \"//r.example/npm/\":\n    npmAuthToken: \"${T:-}\"\n",
        )],
        args: &[],
    },
    Case {
        rule: "yarn-scope-without-registry",
        trigger: &[(
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmAuthToken: \"${T:-}\"\n",
        )],
        clean: &[(
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://a.example\"\n    npmAuthToken: \"${T:-}\"\n",
        )],
        args: &[],
    },
    Case {
        rule: "npm-legacy-top-level-auth",
        trigger: &[(".npmrc", "registry=https://r.example/\n_authToken=${T}\n")],
        clean: &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=${T}\n",
        )],
        args: &[],
    },
    // From a helper's review: keying npm's top-level token made Bun and Deno send it, and
    // the fix's preview said nothing of them.
    Case {
        rule: "doctor-fix-moves-readers",
        trigger: &[(".npmrc", "registry=https://r.example/\n_authToken=${T}\n")],
        clean: &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=${T}\n",
        )],
        args: &["--fix", "--manager", "npm"],
    },
    // From a helper's review: npm 12 refuses the file; doctor said "No findings".
    Case {
        rule: "npm12-refused-key",
        trigger: &[(".npmrc", "registry=https://r.example/\nemail=a@b.example\n")],
        clean: &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:email=a@b.example\n",
        )],
        args: &["--manager", "npm@12"],
    },
    // From a trial: a lockfile resolved on registry.npmjs.org, a scope on another path of
    // the mirror: real npm 12.2.2 stopped `npm ci` (EALLOWREMOTE).
    Case {
        rule: "npm12-lockfile-tarball-refused",
        trigger: &[
            (
                ".npmrc",
                "registry=https://r.example/npm/\n@acme:registry=https://r.example/acme/\n",
            ),
            (
                "package-lock.json",
                "{\"packages\": {\"node_modules/@acme/w\": {\"resolved\": \"https://registry.npmjs.org/@acme/w/-/w-1.0.0.tgz\"}}}\n",
            ),
        ],
        clean: &[
            (
                ".npmrc",
                "registry=https://r.example/npm/\n@acme:registry=https://r.example/acme/\nallow-remote=all\n",
            ),
            (
                "package-lock.json",
                "{\"packages\": {\"node_modules/@acme/w\": {\"resolved\": \"https://registry.npmjs.org/@acme/w/-/w-1.0.0.tgz\"}}}\n",
            ),
        ],
        args: &["--manager", "npm@12"],
    },
    // From a trial: convert's advice to add strict-npmrc=true made real npm 12.2.2 stop
    // (EUNKNOWNCONFIG) on `always-auth`, top-level or keyed, and doctor only said the key
    // "has no effect".
    Case {
        rule: "npm12-strict-unknown-key",
        trigger: &[(
            ".npmrc",
            "registry=https://r.example/
//r.example/:always-auth=true
strict-npmrc=true
",
        )],
        clean: &[(
            ".npmrc",
            "registry=https://r.example/
//r.example/:always-auth=true
strict-npmrc=false
",
        )],
        args: &["--manager", "npm@12"],
    },
    Case {
        rule: "npm12-strict-unknown-key",
        trigger: &[(
            ".npmrc",
            "strict-npmrc=true
registry=https://r.example/
always-auth=true
",
        )],
        clean: &[(
            ".npmrc",
            "strict-npmrc=true
registry=https://r.example/
save-exact=true
",
        )],
        args: &["--manager", "npm@12"],
    },
    // From a review: strict-npmrc stops npm 12 on every key it does not know, and a shared
    // .npmrc often holds pnpm's (real npm 12.2.2 stopped on `auto-install-peers`,
    // `node-linker`, `@acme:foo` and a `[section]`); doctor looked only for always-auth.
    Case {
        rule: "npm12-strict-unknown-key",
        trigger: &[(
            ".npmrc",
            "strict-npmrc=true
registry=https://r.example/
auto-install-peers=true
",
        )],
        clean: &[(
            ".npmrc",
            "strict-npmrc=true
registry=https://r.example/
@acme:registry=https://r.example/
//r.example/:save-exact=true
",
        )],
        args: &["--manager", "npm@12"],
    },
    Case {
        rule: "npm12-strict-unknown-key",
        trigger: &[(
            ".npmrc",
            "strict-npmrc=true
registry=https://r.example/
[pnpm]
x=1
",
        )],
        clean: &[(
            ".npmrc",
            "strict-npmrc=true
registry=https://r.example/
",
        )],
        args: &["--manager", "npm@12"],
    },
    Case {
        rule: "yarnrc-key-value-line",
        trigger: &[(".yarnrc", "registry \"https://r.example/\"\nfoo=bar\n")],
        clean: &[(".yarnrc", "registry \"https://r.example/\"\nfoo \"bar\"\n")],
        args: &[],
    },
    Case {
        rule: "npm-empty-cafile",
        trigger: &[(".npmrc", "registry=https://r.example/\ncafile=\n")],
        clean: &[(".npmrc", "registry=https://r.example/\ncafile=null\n")],
        args: &[],
    },
    Case {
        rule: "npm-always-auth-ignored",
        trigger: &[(".npmrc", "always-auth=true\n")],
        clean: &[(".npmrc", "registry=https://r.example/\n")],
        args: &[],
    },
    Case {
        rule: "yarnrc-unquoted-url",
        trigger: &[(".yarnrc", "registry http://127.0.0.1:4873\n")],
        clean: &[(".yarnrc", "registry \"http://127.0.0.1:4873\"\n")],
        args: &[],
    },
    Case {
        rule: "yarnrc-auth-ignored",
        trigger: &[(".yarnrc", "\"//r.example/:_authToken\" \"${T}\"\n")],
        clean: &[(".yarnrc", "registry \"https://r.example/\"\n")],
        args: &[],
    },
    Case {
        rule: "npmrc-key-in-section",
        trigger: &[(".npmrc", "[corp]\nregistry=https://r.example/\n")],
        clean: &[(
            ".npmrc",
            "registry=https://r.example/\n[corp]\nother=value\n",
        )],
        args: &[],
    },
    Case {
        rule: "npmrc-section-read-apart",
        trigger: &[(".npmrc", "[corp] \nregistry=https://r.example/\n")],
        clean: &[(".npmrc", "registry=https://r.example/\n[corp]\n")],
        args: &["--manager", "npm,yarn@1"],
    },
    Case {
        rule: "pnpm-auth-stops",
        trigger: &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_auth=notbase64\n",
        )],
        clean: &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_auth=dTpw\n",
        )],
        args: &["--manager", "pnpm@12"],
    },
    Case {
        rule: "npmrc-value-read-apart",
        trigger: &[(".npmrc", "registry=https://r.example/ # the company's\n")],
        clean: &[(".npmrc", "# the company's\nregistry=https://r.example/\n")],
        args: &["--manager", "npm,pnpm@12"],
    },
    Case {
        rule: "npmrc-quoted-value-kept",
        trigger: &[(".npmrc", "cafile=\"C:\\certs\\ca.pem\"\n")],
        clean: &[(".npmrc", "cafile=\"C:\\\\certs\\\\ca.pem\"\n")],
        args: &["--manager", "npm"],
    },
    Case {
        rule: "literal-secret-tracked",
        trigger: &[(".npmrc", "//r.example/:_authToken=fake-literal-tracked\n")],
        clean: &[(".npmrc", "//r.example/:_authToken=${NPM_TOKEN}\n")],
        args: &[],
    },
    Case {
        rule: "secret-file-permissions",
        trigger: &[(".npmrc", "//r.example/:_authToken=fake-literal-loose\n")],
        clean: &[(".npmrc", "//r.example/:_authToken=fake-literal-loose\n")],
        args: &[],
    },
    Case {
        rule: "credentials-over-http",
        trigger: &[(
            ".npmrc",
            "registry=http://r.example/\n//r.example/:_authToken=${T}\n",
        )],
        clean: &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=${T}\n",
        )],
        args: &[],
    },
    // Spec yarn.md A5 and observation 5: the entry shadows the top-level token, and its
    // npmAlwaysAuth demands credentials it does not hold.
    Case {
        rule: "yarn-always-auth-without-credentials",
        trigger: &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAuthToken: \"${T:-}\"\nnpmRegistries:\n  \"//r.example\":\n    npmAlwaysAuth: true\n",
        )],
        clean: &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmRegistries:\n  \"//r.example\":\n    npmAlwaysAuth: true\n    npmAuthToken: \"${T:-}\"\n",
        )],
        args: &[],
    },
    // From a review: the usual "Yarn gets a 401 where npm does not" (real Yarn 4.18.1 asked
    // such a registry without credentials, npm with the token).
    Case {
        rule: "yarn-unscoped-token-not-sent",
        trigger: &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmRegistries:\n  \"//r.example\":\n    npmAuthToken: \"${T:-}\"\n",
        )],
        clean: &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmRegistries:\n  \"//r.example\":\n    npmAuthToken: \"${T:-}\"\n    npmAlwaysAuth: true\n",
        )],
        args: &[],
    },
    // From a trial: real Yarn 1.22.22 sent no token for `left-pad` with its registry's
    // exact key in .npmrc, npm 11 the Bearer; with `//host/path/:always-auth=true` added,
    // Yarn 1 sent it too.
    Case {
        rule: "yarn-classic-unscoped-token-not-sent",
        trigger: &[(
            ".npmrc",
            "registry=https://r.example/npm/\n//r.example/npm/:_authToken=${T}\n",
        )],
        clean: &[(
            ".npmrc",
            "registry=https://r.example/npm/\n//r.example/npm/:_authToken=${T}\n//r.example/npm/:always-auth=true\n",
        )],
        args: &["--manager", "yarn@1"],
    },
    Case {
        rule: "yarn-top-level-token-spreads",
        trigger: &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAuthToken: \"${T:-}\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://other.example\"\n",
        )],
        clean: &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAuthToken: \"${T:-}\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://other.example\"\nnpmRegistries:\n  \"//other.example\":\n    npmAuthToken: \"${O:-}\"\n",
        )],
        args: &[],
    },
    Case {
        rule: "config-drift",
        trigger: &[
            (".npmrc", "@acme:registry=https://a.example/\n"),
            (".yarnrc.yml", "nodeLinker: pnp\n"),
        ],
        clean: &[
            (".npmrc", "@acme:registry=https://a.example/\n"),
            (
                ".yarnrc.yml",
                "npmScopes:\n  acme:\n    npmRegistryServer: \"https://a.example\"\n",
            ),
        ],
        args: &["--manager", "npm,yarn"],
    },
    Case {
        rule: "env-unset",
        trigger: &[(
            ".npmrc",
            "//r.example/:_authToken=${PMRC_TEST_UNSET_TOKEN}\n",
        )],
        clean: &[(".npmrc", "//r.example/:_authToken=${PMRC_TEST_SET_TOKEN}\n")],
        args: &["--env"],
    },
    Case {
        rule: "pnpm-env-proxy-ignored",
        trigger: &[(".npmrc", "https-proxy=${PROXY_URL}\n")],
        clean: &[(".npmrc", "https-proxy=http://proxy.example:8080/\n")],
        args: &["--manager", "pnpm@11"],
    },
    Case {
        rule: "registry-url-without-scheme",
        trigger: &[(".npmrc", "@acme:registry=registry.example:4873/npm/\n")],
        clean: &[(
            ".npmrc",
            "@acme:registry=https://registry.example:4873/npm/\n",
        )],
        args: &["--manager", "npm"],
    },
    Case {
        rule: "pnpm-yaml-cafile-ignored",
        trigger: &[("pnpm-workspace.yaml", "cafile: /etc/corp/ca.pem\n")],
        clean: &[(".npmrc", "cafile=/etc/corp/ca.pem\n")],
        args: &["--manager", "pnpm@12"],
    },
    Case {
        rule: "yarnrc-read-as-yaml",
        trigger: &[(
            ".yarnrc",
            "registry \"https://r.example/\"\n@acme:registry \"https://a.example/\"\n",
        )],
        clean: &[(
            ".yarnrc",
            "registry \"https://r.example/\"\n\"@acme:registry\" \"https://a.example/\"\n",
        )],
        args: &["--manager", "yarn-classic"],
    },
    Case {
        rule: "yarn-classic-npmrc-setting-ignored",
        trigger: &[(".npmrc", "strict-ssl=false\n")],
        clean: &[(".yarnrc", "strict-ssl false\n")],
        args: &["--manager", "yarn-classic"],
    },
    Case {
        rule: "yarn-classic-optional-reference",
        trigger: &[(
            ".npmrc",
            "//r.example/:_authToken=${PMRC_TEST_SET_TOKEN?}\n",
        )],
        clean: &[(".npmrc", "//r.example/:_authToken=${PMRC_TEST_SET_TOKEN}\n")],
        args: &["--manager", "yarn-classic"],
    },
    // A default (Yarn Berry's and pnpm's form) stops Yarn 1 too (spec/yarn.md Y37); escaped,
    // or in `.yarnrc` (which Yarn 1 never expands), it is text Yarn 1 sends as written.
    Case {
        rule: "yarn-classic-optional-reference",
        trigger: &[(
            ".npmrc",
            "//r.example/:_authToken=${PMRC_TEST_SET_TOKEN:-none}\n",
        )],
        clean: &[
            (
                ".npmrc",
                "//r.example/:_authToken=\\${PMRC_TEST_SET_TOKEN:-none}\n",
            ),
            (
                ".yarnrc",
                "https-proxy \"http://${PROXY_HOST:-proxy}.example\"\n",
            ),
        ],
        args: &["--manager", "yarn-classic"],
    },
    Case {
        rule: "other-managers-not-checked",
        trigger: &[
            ("package.json", "{\"packageManager\": \"yarn@4.5.0\"}\n"),
            (".yarnrc.yml", "npmRegistryServer: \"https://r.example\"\n"),
            ("pnpm-workspace.yaml", "packages: []\n"),
        ],
        clean: &[
            ("package.json", "{\"packageManager\": \"yarn@4.5.0\"}\n"),
            (".yarnrc.yml", "npmRegistryServer: \"https://r.example\"\n"),
        ],
        args: &[],
    },
    Case {
        rule: "pnpm10-url-keyed-registries",
        trigger: &[(
            "pnpm-workspace.yaml",
            "registries:\n  https://r.example/:\n    scopes: ['@']\n",
        )],
        clean: &[(
            "pnpm-workspace.yaml",
            "registries:\n  default: https://r.example/\n",
        )],
        args: &["--manager", "pnpm@10"],
    },
    Case {
        rule: "pnpm-mixed-registries",
        trigger: &[(
            "pnpm-workspace.yaml",
            "registries:\n  default: https://r.example/\n  https://s.example/:\n    scopes: ['@acme']\n",
        )],
        clean: &[(
            "pnpm-workspace.yaml",
            "registries:\n  https://r.example/:\n    scopes: ['@']\n  https://s.example/:\n    scopes: ['@acme']\n",
        )],
        args: &["--manager", "pnpm@11"],
    },
    // Issue 16: what Deno ignores or fails on in an `.npmrc` npm reads. Doctor runs in
    // `app/` (see `prepare`): npm's project root is the folder with package.json.
    Case {
        rule: "deno-parent-npmrc-ignored",
        trigger: &[
            ("package.json", "{}\n"),
            (".npmrc", "registry=https://r.example/\n"),
            ("app/deno.json", "{}\n"),
        ],
        clean: &[
            ("package.json", "{}\n"),
            (".npmrc", "registry=https://r.example/\n"),
            ("app/deno.json", "{}\n"),
            ("app/package.json", "{}\n"),
        ],
        args: &[],
    },
    Case {
        rule: "deno-optional-env-reference",
        trigger: &[
            ("deno.json", "{}\n"),
            (".npmrc", "//r.example/:_authToken=${T?}\n"),
        ],
        clean: &[
            ("deno.json", "{}\n"),
            (".npmrc", "//r.example/:_authToken=${T}\n"),
        ],
        args: &[],
    },
    Case {
        rule: "deno-basic-auth-incomplete",
        trigger: &[(".npmrc", "//r.example/:username=u\n")],
        clean: &[(
            ".npmrc",
            "//r.example/:username=u\n//r.example/:_password=cA==\n",
        )],
        args: &["--manager", "deno"],
    },
    Case {
        rule: "deno-npmrc-bom",
        trigger: &[(".npmrc", "\u{feff}registry=https://r.example/\n")],
        clean: &[(".npmrc", "registry=https://r.example/\n")],
        args: &["--manager", "deno"],
    },
    // Issue 18: `doctor --ci` (more shapes in tests/doctor_ci.rs).
    Case {
        rule: "ci-variable-not-provided",
        trigger: &[
            (".yarnrc.yml", "npmAuthToken: \"${NPM_TOKEN}\"\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n    steps:\n      - run: yarn install\n",
            ),
        ],
        clean: &[
            (".yarnrc.yml", "npmAuthToken: \"${NPM_TOKEN}\"\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n    steps:\n      - run: yarn install\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-setup-node-npmrc-ignored",
        trigger: &[
            (".yarnrc.yml", "nodeLinker: pnp\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          registry-url: https://r.example/\n      - run: yarn install\n",
            ),
        ],
        clean: &[
            (".yarnrc.yml", "nodeLinker: pnp\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 22\n      - run: yarn install\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-yarn-classic-token-unset",
        trigger: &[
            (".yarnrc", "network-timeout 600000\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://registry.npmjs.org\n      - run: yarn install\n",
            ),
        ],
        clean: &[
            (".yarnrc", "network-timeout 600000\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      NODE_AUTH_TOKEN: ''\n    steps:\n      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://registry.npmjs.org\n      - run: yarn install\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-registry-token-unset",
        trigger: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          registry-url: https://npm.pkg.github.com\n      - run: npm ci\n",
        )],
        clean: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      NODE_AUTH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          registry-url: https://npm.pkg.github.com\n      - run: npm ci\n",
        )],
        args: &["--ci"],
    },
    Case {
        rule: "ci-pnpm-project-token",
        trigger: &[
            ("pnpm-workspace.yaml", "packages: []\n"),
            (".npmrc", "//r.example/:_authToken=${T}\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pnpm/action-setup@v4\n        with:\n          version: 12\n      - run: pnpm install\n        env:\n          T: ${{ secrets.T }}\n",
            ),
        ],
        clean: &[
            ("pnpm-workspace.yaml", "packages: []\n"),
            (".npmrc", "//r.example/:_authToken=${T}\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pnpm/action-setup@v4\n        with:\n          version: 12\n      - run: pnpm install\n        env:\n          \"pnpm_config_//r.example/:_authToken\": ${{ secrets.T }}\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-gitlab-variable-name",
        trigger: &[
            (
                ".npmrc",
                "registry=https://gitlab.example/api/v4/packages/npm/\n",
            ),
            (
                ".gitlab-ci.yml",
                "variables:\n  \"npm_config_//gitlab.example/api/v4/packages/npm/:_authToken\": $CI_JOB_TOKEN\ntest:\n  script: npm ci\n",
            ),
        ],
        clean: &[
            (
                ".npmrc",
                "registry=https://gitlab.example/api/v4/packages/npm/\n",
            ),
            (
                ".gitlab-ci.yml",
                "variables:\n  NPM_CONFIG_REGISTRY: https://gitlab.example/api/v4/packages/npm/\ntest:\n  script: npm ci\n",
            ),
        ],
        args: &["--ci"],
    },
    // A name dash drops from the environment, given to npm's step that runs under sh.
    Case {
        rule: "ci-variable-dropped-by-sh",
        trigger: &[
            (".npmrc", "@acme:registry=https://npm.pkg.github.com/\n"),
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      \"npm_config_//npm.pkg.github.com/:_authToken\": ${{ secrets.GH_PACKAGES_TOKEN }}\n    steps:\n      - run: npm ci\n        shell: sh\n",
            ),
        ],
        clean: &[
            (".npmrc", "@acme:registry=https://npm.pkg.github.com/\n"),
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      \"npm_config_//npm.pkg.github.com/:_authToken\": ${{ secrets.GH_PACKAGES_TOKEN }}\n    steps:\n      - run: npm ci\n        shell: bash\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-dependabot-registry-differs",
        trigger: &[
            (".npmrc", "@acme:registry=https://r.example/npm/\n"),
            (
                ".github/dependabot.yml",
                "version: 2\nregistries:\n  acme:\n    type: npm-registry\n    url: https://r.example/other\n    scope: \"@acme\"\n",
            ),
        ],
        clean: &[
            (".npmrc", "@acme:registry=https://r.example/npm/\n"),
            (
                ".github/dependabot.yml",
                "version: 2\nregistries:\n  acme:\n    type: npm-registry\n    url: https://r.example/npm\n    scope: \"@acme\"\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-secret-written-to-checkout",
        trigger: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"//r.example/:_authToken=${{ secrets.T }}\" > .npmrc\n",
        )],
        clean: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"//r.example/:_authToken=${{ secrets.T }}\" > ~/.npmrc\n",
        )],
        args: &["--ci"],
    },
    Case {
        rule: "ci-user-npmrc-ignored",
        trigger: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://r.example/\n      - run: echo \"//r.example/:_authToken=\\${T}\" >> ~/.npmrc\n",
        )],
        clean: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://r.example/\n      - run: echo \"//r.example/:_authToken=\\${T}\" >> \"$NPM_CONFIG_USERCONFIG\"\n",
        )],
        args: &["--ci"],
    },
    Case {
        rule: "ci-setup-bun-rewrites-bunfig",
        trigger: &[
            ("bunfig.toml", "# ours\n[install]\nexact = true\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: oven-sh/setup-bun@v2\n        with:\n          registries: |\n            @acme:https://r.example/|$T\n",
            ),
        ],
        clean: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: oven-sh/setup-bun@v2\n        with:\n          registries: |\n            @acme:https://r.example/|$T\n",
        )],
        args: &["--ci"],
    },
    Case {
        rule: "ci-setup-bun-registry-differs",
        trigger: &[
            (".npmrc", "@acme:registry=https://r.example/npm/\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: oven-sh/setup-bun@v2\n        with:\n          registries: |\n            @acme:https://r.example/other/|$T\n",
            ),
        ],
        clean: &[
            (".npmrc", "@acme:registry=https://r.example/npm/\n"),
            (
                ".github/workflows/ci.yml",
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: oven-sh/setup-bun@v2\n        with:\n          registries: |\n            @acme:https://r.example/npm|$T\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-setup-bun-deprecated-input",
        trigger: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: oven-sh/setup-bun@v2\n        with:\n          registry-url: https://r.example/\n",
        )],
        clean: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: oven-sh/setup-bun@v2\n        with:\n          registries: https://r.example/\n",
        )],
        args: &["--ci"],
    },
    Case {
        rule: "ci-renovate-host-differs",
        trigger: &[
            (
                ".npmrc",
                "@acme:registry=https://r.example/npm/\n//r.example/npm/:_authToken=${T}\n",
            ),
            (
                "renovate.json",
                "{\"hostRules\": [{\"matchHost\": \"https://r.example/api/\"}]}\n",
            ),
        ],
        clean: &[
            (
                ".npmrc",
                "@acme:registry=https://r.example/npm/\n//r.example/npm/:_authToken=${T}\n",
            ),
            (
                "renovate.json",
                "{\"hostRules\": [{\"matchHost\": \"https://r.example/npm/\"}]}\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-renovate-npmrc-replaces",
        trigger: &[
            (".npmrc", "@acme:registry=https://r.example/npm/\n"),
            (
                "package.json",
                "{\"name\": \"a\", \"renovate\": {\"npmrc\": \"@b:registry=https://b.example/\"}}\n",
            ),
        ],
        clean: &[
            (".npmrc", "@acme:registry=https://r.example/npm/\n"),
            (
                "package.json",
                "{\"name\": \"a\", \"renovate\": {\"npmrc\": \"@b:registry=https://b.example/\", \"npmrcMerge\": true}}\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-dependabot-variable-unset",
        trigger: &[
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
        clean: &[
            (
                "package.json",
                "{\"name\": \"a\", \"packageManager\": \"yarn@4.18.1\"}\n",
            ),
            (".yarnrc.yml", "npmAuthToken: \"${NPM_TOKEN:-}\"\n"),
            (
                ".github/dependabot.yml",
                "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: daily\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-dependabot-registry-unlinked",
        trigger: &[
            (".npmrc", "@acme:registry=https://r.example/npm/\n"),
            (
                ".github/dependabot.yml",
                "version: 2\nregistries:\n  acme:\n    type: npm-registry\n    url: https://r.example/npm\n    scope: \"@acme\"\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: daily\n",
            ),
        ],
        clean: &[
            (".npmrc", "@acme:registry=https://r.example/npm/\n"),
            (
                ".github/dependabot.yml",
                "version: 2\nregistries:\n  acme:\n    type: npm-registry\n    url: https://r.example/npm\n    scope: \"@acme\"\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: daily\n    registries:\n      - acme\n",
            ),
        ],
        args: &["--ci"],
    },
    Case {
        rule: "ci-job-unclear",
        trigger: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pnpm install\n",
        )],
        clean: &[(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pnpm/action-setup@v4\n        with:\n          version: 11\n      - run: pnpm install\n",
        )],
        args: &["--ci"],
    },
];

fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// The folder doctor runs in: the project's `app/` when it has one.
fn run_dir(dir: &TempDir) -> std::path::PathBuf {
    let app = dir.path().join("app");
    if app.is_dir() {
        app
    } else {
        dir.path().to_path_buf()
    }
}

fn rules_found(dir: &TempDir, args: &[&str]) -> (Vec<String>, Option<i32>) {
    let out = common::pmrc()
        .args(["doctor", "--format", "json", "--fail-on", "note", "--dir"])
        .arg(run_dir(dir))
        .args(args)
        .env("HOME", dir.path().join("no-home"))
        .env("PMRC_TEST_SET_TOKEN", "fake")
        .env_remove("PMRC_TEST_UNSET_TOKEN")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let rules = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    (rules, out.status.code())
}

/// Per-rule setup the files alone cannot express.
fn prepare(rule: &str, dir: &TempDir, triggering: bool) {
    let chmod = |mode| {
        std::fs::set_permissions(
            dir.path().join(".npmrc"),
            std::fs::Permissions::from_mode(mode),
        )
        .unwrap()
    };
    match rule {
        "literal-secret-tracked" => {
            chmod(0o600);
            let git = |args: &[&str]| {
                assert!(
                    Command::new("git")
                        .arg("-C")
                        .arg(dir.path())
                        .args(args)
                        .output()
                        .unwrap()
                        .status
                        .success()
                );
            };
            git(&["init", "-q"]);
            git(&["add", ".npmrc"]);
        }
        "secret-file-permissions" => chmod(if triggering { 0o644 } else { 0o600 }),
        "pnpm-npmrc-setting-ignored" => {
            let pm = if triggering {
                "pnpm@12.21.0"
            } else {
                "pnpm@10.34.9"
            };
            std::fs::write(
                dir.path().join("package.json"),
                format!("{{\"packageManager\": \"{pm}\"}}"),
            )
            .unwrap();
        }
        _ => {}
    }
}

#[test]
fn every_rule_triggers_and_stays_quiet() {
    for case in CASES {
        let dir = project(case.trigger);
        prepare(case.rule, &dir, true);
        let (found, code) = rules_found(&dir, case.args);
        assert!(
            found.iter().any(|r| r == case.rule),
            "{}: not triggered; found {found:?}",
            case.rule
        );
        assert_eq!(code, Some(1), "{}: findings must exit 1", case.rule);

        let dir = project(case.clean);
        prepare(case.rule, &dir, false);
        let (found, _) = rules_found(&dir, case.args);
        assert!(
            !found.iter().any(|r| r == case.rule),
            "{}: triggered on the clean project; found {found:?}",
            case.rule
        );
    }
}

#[test]
fn every_rule_is_tested_and_documented() {
    let reference =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md"))
            .unwrap();
    for rule in pmrc::doctor::RULES {
        assert!(
            CASES.iter().any(|c| c.rule == rule.id),
            "{} has no test case",
            rule.id
        );
        assert!(
            reference.contains(&format!("`{}`", rule.id)),
            "{} is not in docs/diagnostics.md",
            rule.id
        );
    }
}

#[test]
fn sarif_output_is_valid_shape() {
    let dir = project(&[(
        ".npmrc",
        "registry=http://r.example/\n//r.example/:_authToken=${T}\n",
    )]);
    let out = common::pmrc()
        .args(["doctor", "--sarif"])
        .current_dir(dir.path())
        .env_remove("GITHUB_WORKSPACE")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "credentials-over-http");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ".npmrc"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    let rules: Vec<&str> = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // Doctor's rules first, then any other code a result names (a translation note).
    let doctor_rules: Vec<&str> = pmrc::doctor::RULES.iter().map(|r| r.id).collect();
    assert_eq!(rules[..doctor_rules.len()], doctor_rules[..]);
    for result in v["runs"][0]["results"].as_array().unwrap() {
        assert!(
            rules.contains(&result["ruleId"].as_str().unwrap()),
            "{result}"
        );
    }
}

#[test]
fn fail_on_threshold() {
    let dir = project(&[(".npmrc", "always-auth=true\n")]);
    let code = |fail_on: &str| {
        common::pmrc()
            .args(["doctor", "--fail-on", fail_on, "--dir"])
            .arg(dir.path())
            .status()
            .unwrap()
            .code()
    };
    // always-auth is a note: it fails only with --fail-on note.
    assert_eq!(code("warning"), Some(0));
    assert_eq!(code("note"), Some(1));
    assert_eq!(code("never"), Some(0));
}

/// `--fix` previews the safe repairs as a diff, `--fix --write` applies them, and the
/// findings they repair are gone afterwards.
#[test]
fn fix_previews_then_writes() {
    let dir = project(&[
        (
            "bunfig.toml",
            "# bun\n[install]\nregistry = { url = \"https://r.example/\", token = \"${NPM_TOKEN}\" }\n",
        ),
        (
            ".yarnrc.yml",
            "npmScopes:\n  \"@acme\":\n    npmRegistryServer: \"https://a.example\"\n",
        ),
        (".yarnrc", "registry http://127.0.0.1:4873\n"),
    ]);
    let run = |args: &[&str]| {
        common::pmrc()
            .args(["doctor", "--fix", "--dir"])
            .arg(dir.path())
            .args(args)
            .env("HOME", dir.path().join("no-home"))
            .output()
            .unwrap()
    };
    let preview = run(&[]);
    let stdout = String::from_utf8_lossy(&preview.stdout);
    assert!(
        stdout.contains("+registry = { url = \"https://r.example/\", token = \"$NPM_TOKEN\" }"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+registry \"http://127.0.0.1:4873\""),
        "{stdout}"
    );
    assert!(stdout.contains("+  acme:"), "{stdout}");
    assert!(
        std::fs::read_to_string(dir.path().join("bunfig.toml"))
            .unwrap()
            .contains("${NPM_TOKEN}")
    );

    let written = run(&["--write", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&written.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for fixed in [
        "bun-braced-env-reference",
        "yarn-scope-with-at",
        "yarnrc-unquoted-url",
    ] {
        assert!(
            !rules.contains(&fixed),
            "{fixed} still found after --fix --write: {rules:?}"
        );
    }
    assert!(
        std::fs::read_to_string(dir.path().join("bunfig.toml"))
            .unwrap()
            .starts_with("# bun\n")
    );
    let again = run(&[]);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("no line here that --fix mends by itself")
    );
}

/// Issue 12: `--env` checks every setting of the model (it once skipped strict-ssl,
/// noproxy, ca, cert/key, always-auth and Yarn's per-host settings), in every manager.
#[test]
fn issue_12_env_unset_covers_every_setting() {
    let npmrc = "\
strict-ssl=${PMRC_UNSET_STRICT}
noproxy=${PMRC_UNSET_NOPROXY}
ca=${PMRC_UNSET_CA}
cert=${PMRC_UNSET_CERT}
key=${PMRC_UNSET_KEY}
always-auth=${PMRC_UNSET_ALWAYS}
//r.example/:always-auth=${PMRC_UNSET_KEYED_ALWAYS}
";
    let yarnrc = "\
networkSettings:
  \"r.example\":
    httpsCaFilePath: \"${PMRC_UNSET_HOST_CA}\"
unsafeHttpWhitelist:
  - \"${PMRC_UNSET_HTTP_HOST}\"
";
    let dir = project(&[(".npmrc", npmrc), (".yarnrc.yml", yarnrc)]);
    let out = common::pmrc()
        .args(["doctor", "--env", "--format", "json", "--dir"])
        .arg(dir.path())
        .args(["--manager", "npm,yarn"])
        .env("HOME", dir.path().join("no-home"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let messages: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "env-unset")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    for name in [
        "PMRC_UNSET_STRICT",
        "PMRC_UNSET_NOPROXY",
        "PMRC_UNSET_CA",
        "PMRC_UNSET_CERT",
        "PMRC_UNSET_KEY",
        "PMRC_UNSET_ALWAYS",
        "PMRC_UNSET_KEYED_ALWAYS",
        "PMRC_UNSET_HOST_CA",
        "PMRC_UNSET_HTTP_HOST",
    ] {
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with(&format!("{name} is unset"))),
            "no env-unset for {name}: {messages:#?}"
        );
    }
}

/// From a trial: pnpm 10 sends a port-less key's token to a registry on a port
/// (`//127.0.0.1/reg/` for `127.0.0.1:4928`), and the drift fix named the conversion from
/// pnpm 10, which wrote that token for the other registry: real npm, Yarn 1, Bun and Deno
/// then sent it there. No fix names a source whose credential its key does not aim there.
#[test]
fn a_drift_fix_never_spreads_a_credential_keyed_for_another_registry() {
    let dir = project(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (
            ".npmrc",
            "@a:registry=http://127.0.0.1:4926/reg/\n//127.0.0.1/reg/:_authToken=fake-a-noport\n@c:registry=http://127.0.0.1:4928/reg/\n//127.0.0.1:4928/reg:_authToken=fake-c-noslash\n",
        ),
    ]);
    let home = TempDir::new().unwrap();
    let doctor = doctor_json(
        &dir,
        &["--manager", "npm,yarn-classic,pnpm@10,pnpm@12,bun,deno"],
        home.path(),
    );
    let fixes = fixes_of(&doctor, "config-drift");
    assert!(!fixes.is_empty(), "{doctor:#}");
    for fix in &fixes {
        assert!(!fix.contains("--from pnpm@10"), "{fix}");
    }
}

/// From a trial: Yarn 1 alone sent no token for `@b` (its key is the host's, Yarn 1 wants
/// the registry's URL), and the drift fix said no conversion would do, while
/// `convert --from npm --to yarn-classic` added the line Yarn 1 needed (real Yarn 1.22 then
/// sent it). Where no conversion mends every difference, the fix names one that makes a side
/// do as another and sets no manager apart where it was not; run as printed, that side's
/// drift is gone and no new one appears.
#[test]
fn a_drift_fix_names_a_conversion_that_mends_one_side_where_none_mends_all() {
    let dir = project(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (
            ".npmrc",
            "@a:registry=http://127.0.0.1:4926/reg/\n//127.0.0.1/reg/:_authToken=fake-a-noport\n@b:registry=http://127.0.0.1:4927/reg/\n//127.0.0.1:4927/:_authToken=fake-b-host\n",
        ),
    ]);
    let home = TempDir::new().unwrap();
    let managers = ["--manager", "npm,yarn-classic,pnpm@10,bun"];
    let doctor = doctor_json(&dir, &managers, home.path());
    let before = messages_of(&doctor, "config-drift");
    assert!(before.iter().any(|m| m.contains("@b/*")), "{before:?}");
    let commands = run_fix_commands(&doctor, "config-drift", home.path());
    assert_eq!(
        commands
            .iter()
            .map(|c| c.join(" "))
            .filter(|c| c.contains("--to yarn-classic --write"))
            .count(),
        1,
        "{commands:?}"
    );
    let after = messages_of(&doctor_json(&dir, &managers, home.path()), "config-drift");
    assert!(!after.iter().any(|m| m.contains("@b/*")), "{after:?}");
    for message in &after {
        assert!(before.contains(message), "new drift: {message}");
    }
}

/// `yarn-registry-key-unmatched` names the key the registry on the same host is looked up
/// under; renamed as it says, the entry is in use (real Yarn 4.18.1 sent no token for a
/// host-only key and sent it for the renamed one, against a loopback registry).
#[test]
fn an_unmatched_yarn_key_is_told_the_key_its_host_s_registry_needs() {
    let yarnrc = |key: &str| {
        format!(
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.acme.test/api/npm\"\nnpmRegistries:\n  \"{key}\":\n    npmAuthToken: \"${{T:-}}\"\n"
        )
    };
    let messages = |key: &str| {
        let dir = project(&[(".yarnrc.yml", &yarnrc(key))]);
        let home = TempDir::new().unwrap();
        let doctor = doctor_json(&dir, &["--manager", "yarn"], home.path());
        messages_of(&doctor, "yarn-registry-key-unmatched")
    };
    let said = messages("//npm.acme.test");
    assert_eq!(said.len(), 1, "{said:?}");
    let wanted = said[0]
        .split("key the entry \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no key named: {}", said[0]));
    assert_eq!(wanted, "//npm.acme.test/api/npm");
    assert_eq!(messages(wanted), Vec::<String>::new());
}

/// Issue 13: a key that matches a publish registry (with Yarn's trailing-slash rule) is in
/// use; the GitLab layout was reported as never matching.
#[test]
fn issue_13_yarn_publish_registry_keys_are_in_use() {
    let dir = project(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://gitlab.example/api/v4/packages/npm\"\n    npmPublishRegistry: \"https://gitlab.example/api/v4/projects/42/packages/npm/\"\nnpmRegistries:\n  \"//gitlab.example/api/v4/packages/npm\":\n    npmAuthToken: \"${T}\"\n  \"//gitlab.example/api/v4/projects/42/packages/npm/\":\n    npmAuthToken: \"${T}\"\n",
    )]);
    let (found, _) = rules_found(&dir, &["--manager", "yarn"]);
    assert!(
        !found.iter().any(|r| r == "yarn-registry-key-unmatched"),
        "{found:?}"
    );
}

fn doctor_json(dir: &TempDir, args: &[&str], home: &std::path::Path) -> serde_json::Value {
    let out = common::pmrc()
        .args(["doctor", "--format", "json", "--fail-on", "note", "--dir"])
        .arg(dir.path())
        .args(args)
        .env("HOME", home)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// The fix of each finding of `rule` in doctor's JSON.
/// The message of each finding of `rule` in doctor's JSON.
fn messages_of(doctor: &serde_json::Value, rule: &str) -> Vec<String> {
    doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

fn fixes_of(doctor: &serde_json::Value, rule: &str) -> Vec<String> {
    doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["fix"].as_str().unwrap().to_string())
        .collect()
}

/// The `pmrc ...` commands in backticks of a fix that says to run something.
fn suggested_commands(fix: &str) -> Vec<Vec<String>> {
    if !fix.starts_with("run `") {
        return Vec::new();
    }
    fix.split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| c.starts_with("pmrc "))
        .map(|c| c.split_whitespace().skip(1).map(str::to_string).collect())
        .collect()
}

/// Runs a `pmrc …` command a fix printed, as printed, with `home` as HOME: it must succeed.
fn run_as_printed(command: &[String], home: &std::path::Path, context: &str) {
    let out = common::pmrc()
        .args(command)
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{context}: `pmrc {}` failed: {}",
        command.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 13: every command a fix tells the user to run, run as printed on the project that
/// triggered the finding, repairs it: doctor no longer reports it, and explain still works.
#[test]
fn issue_13_suggested_commands_repair_what_they_say() {
    let mut ran = Vec::new();
    for case in CASES {
        let dir = project(case.trigger);
        prepare(case.rule, &dir, true);
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let v = doctor_json(&dir, case.args, &home);
        let fixes = fixes_of(&v, case.rule);
        let mut user = false;
        let mut ran_here = false;
        for fix in &fixes {
            assert!(
                !fix.contains('<'),
                "{}: a placeholder in `{fix}`",
                case.rule
            );
            for command in suggested_commands(fix) {
                if command[0] == "doctor" && !command.contains(&"--fix".to_string()) {
                    user |= command.contains(&"--user".to_string());
                    continue;
                }
                user |= command.contains(&"--user".to_string());
                run_as_printed(&command, &home, case.rule);
                ran.push(case.rule);
                ran_here = true;
            }
        }
        if !ran_here {
            continue;
        }
        let mut args = case.args.to_vec();
        if user {
            args.push("--user");
        }
        let v = doctor_json(&dir, &args, &home);
        let left: Vec<&serde_json::Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == case.rule)
            .collect();
        assert!(
            left.is_empty(),
            "{}: the suggested fix left {left:#?}",
            case.rule
        );
        let out = common::pmrc()
            .args(["explain", "left-pad", "--dir"])
            .arg(dir.path())
            .env("HOME", &home)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: explain failed after the fix",
            case.rule
        );
    }
    for rule in [
        "config-drift",
        "yarn-ignores-npmrc",
        "pnpm-project-env-credential-ignored",
        "npm-legacy-top-level-auth",
        "bun-braced-env-reference",
        "yarn-scope-with-at",
        "yarnrc-unquoted-url",
        "yarnrc-key-value-line",
        "npm-empty-cafile",
        "deno-npmrc-bom",
    ] {
        assert!(ran.contains(&rule), "no command of `{rule}` ran: {ran:?}");
    }
}

/// From a fresh-clone review: for a line in `~/.npmrc` that npm 12 refuses, the fix named
/// `pmrc convert --from npm@11 --to npm@12 --write`, which without `--user` does not read the
/// user file and found nothing to change. A fix for a user-level line carries `--user`; run
/// as printed, the finding goes.
#[test]
fn a_user_file_findings_fix_carries_user() {
    let dir = project(&[(".npmrc", "registry=https://r.example/\n")]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".npmrc"),
        "email=me@example.com\n//r.example/:_authToken=${T}\n",
    )
    .unwrap();
    let args = ["--manager", "npm@12", "--user"];
    let fixes = fixes_of(&doctor_json(&dir, &args, &home), "npm12-refused-key");
    assert_eq!(fixes.len(), 1, "{fixes:?}");
    let commands = suggested_commands(&fixes[0]);
    assert_eq!(commands.len(), 1, "{fixes:?}");
    assert!(commands[0].contains(&"--user".to_string()), "{fixes:?}");
    run_as_printed(&commands[0], &home, &fixes[0]);
    let left = fixes_of(&doctor_json(&dir, &args, &home), "npm12-refused-key");
    assert!(left.is_empty(), "{left:?}");
}

/// From a helper's review: `secret-file-permissions` said `fix: chmod 600 the file`, which run
/// as printed looks for files named "the" and "file". It names the file; run through a shell
/// as printed, the finding goes.
#[test]
fn secret_file_permissions_fix_is_the_command_for_that_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[(
        "my app/.npmrc",
        "//r.example.test/:_authToken=FAKE-token-for-tests\n",
    )]);
    let npmrc = dir.path().join("my app/.npmrc");
    std::fs::set_permissions(&npmrc, std::fs::Permissions::from_mode(0o644)).unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let fixes = |v: serde_json::Value| fixes_of(&v, "secret-file-permissions");
    let run_doctor = || {
        let out = common::pmrc()
            .args(["doctor", "--format", "json", "--dir"])
            .arg(dir.path().join("my app"))
            .env("HOME", &home)
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let found = fixes(run_doctor());
    assert_eq!(found.len(), 1, "{found:?}");
    let command = found[0]
        .strip_prefix("run `")
        .and_then(|c| c.strip_suffix('`'))
        .unwrap_or_else(|| panic!("not a command: {}", found[0]));
    assert!(command.starts_with("chmod 600 "), "{command}");
    let status = std::process::Command::new("sh")
        .args(["-c", command])
        .status()
        .unwrap();
    assert!(status.success(), "{command}");
    let mode = std::fs::metadata(&npmrc).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(fixes(run_doctor()).is_empty());
}

/// From a helper's review: npm and Bun drifted because Bun sends a braced `${ACME_TOKEN}` as
/// text and a top-level token was not keyed; the drift's fix named `convert --from bun --to
/// npm --write`, which copied Bun's mistake into `.npmrc` (Deno and npm then sent the literal
/// text). Where `doctor --fix` mends lines, the drift's fix runs it first; run as printed,
/// the drift goes.
#[test]
fn config_drift_fix_runs_doctor_fix_first_when_it_mends_lines() {
    let dir = project(&[
        (
            ".npmrc",
            "registry=https://r.example.test/\n@acme:registry=https://acme.example.test/\n//acme.example.test/:_authToken=${ACME_TOKEN}\n_authToken=${NPM_TOKEN}\n",
        ),
        (
            "bunfig.toml",
            "[install.scopes]\nacme = { url = \"https://acme.example.test/\", token = \"${ACME_TOKEN}\" }\n",
        ),
        ("package.json", "{}\n"),
    ]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let drift = || fixes_of(&doctor_json(&dir, &[], &home), "config-drift");
    let fixes = drift();
    assert!(!fixes.is_empty(), "no drift to mend");
    let commands = suggested_commands(&fixes[0]);
    assert_eq!(
        commands[0][..3],
        ["doctor", "--fix", "--write"],
        "{fixes:?}"
    );
    run_as_printed(&commands[0], &home, &fixes[0]);
    assert!(drift().is_empty(), "the drift is still there");
}

/// From a helper's review: after `convert --from npm --to pnpm@12` without `--user`, the
/// `${VAR}` tokens pnpm 12 ignores in the project `.npmrc` made a `config-drift` whose fix,
/// `pmrc convert --from pnpm@12 --to npm --write`, changed nothing when run. The fix names a
/// conversion that changes files (here the user-level one), and run as printed it mends the
/// drift.
#[test]
fn config_drift_fix_names_a_conversion_that_changes_something() {
    let dir = project(&[
        (
            ".npmrc",
            "registry=https://r.example.test/private/\n@acme:registry=https://npm.pkg.example.test/\n//npm.pkg.example.test/:_authToken=${GH_TOKEN}\n//r.example.test/private/:_authToken=${PRIV_TOKEN}\n",
        ),
        (
            "package.json",
            "{\"name\":\"app\",\"packageManager\":\"pnpm@12.21.0\"}\n",
        ),
        (
            "pnpm-workspace.yaml",
            "registries:\n  default: \"https://r.example.test/private/\"\n  \"@acme\": \"https://npm.pkg.example.test/\"\n",
        ),
    ]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let drift_fixes = |args: &[&str]| fixes_of(&doctor_json(&dir, args, &home), "config-drift");
    let fixes = drift_fixes(&["--manager", "npm", "--manager", "pnpm"]);
    assert!(!fixes.is_empty(), "no drift to mend");
    for fix in &fixes {
        let commands = suggested_commands(fix);
        assert_eq!(commands.len(), 1, "{fix}");
        let command = &commands[0];
        assert_eq!(command[..4], ["convert", "--from", "npm", "--to"], "{fix}");
        assert!(command.contains(&"--user".to_string()), "{fix}");
        run_as_printed(command, &home, fix);
    }
    let left = drift_fixes(&["--manager", "npm", "--manager", "pnpm", "--user"]);
    assert!(left.is_empty(), "the drift is still there: {left:?}");
}

/// Issue 19: doctor checks the manager package.json's `packageManager` names; the other
/// managers' files here are one note, with a command that checks them too (and that command
/// runs: it finds what the note held back). pnpm's own `.npmrc` is not another manager's.
#[test]
fn issue_19_doctor_checks_the_package_manager_and_notes_the_rest() {
    let dir = project(&[
        ("package.json", "{\"packageManager\": \"yarn@4.5.0\"}\n"),
        (".yarnrc.yml", "npmRegistryServer: \"https://r.example\"\n"),
        ("pnpm-workspace.yaml", "packages: []\n"),
        (".npmrc", "node-linker=hoisted\nengine-strict=true\n"),
    ]);
    let doctor = |args: &[&str]| {
        common::pmrc()
            .args(["doctor", "--format", "json", "--dir"])
            .arg(dir.path())
            .args(args)
            .env("HOME", dir.path().join("no-home"))
            .output()
            .unwrap()
    };
    let out = doctor(&[]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let notes: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["rule"] == "other-managers-not-checked")
        .collect();
    assert_eq!(notes.len(), 1, "{findings:#?}");
    assert_eq!(notes[0]["severity"], "note");
    let message = notes[0]["message"].as_str().unwrap();
    assert!(
        message.contains("pnpm-workspace.yaml (pnpm)") && message.contains(".npmrc (npm)"),
        "{message}"
    );
    // Nothing of pnpm's rules: its file may be a leftover.
    assert!(
        findings
            .iter()
            .all(|f| f["rule"] != "pnpm-npmrc-setting-ignored"),
        "{findings:#?}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "a note does not fail --fail-on warning"
    );

    // The fix is a command, and it checks what the note held back.
    let fix = notes[0]["fix"].as_str().unwrap();
    let command = fix.split('`').nth(1).unwrap();
    let args: Vec<&str> = command.split_whitespace().skip(2).collect();
    assert!(command.starts_with("pmrc doctor --manager yarn,"), "{fix}");
    let out = doctor(&args[..args.len() - 2]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "pnpm-npmrc-setting-ignored"),
        "{v:#}"
    );

    // In a pnpm project, .npmrc is pnpm's own file, not a leftover.
    let dir = project(&[
        ("package.json", "{\"packageManager\": \"pnpm@12.1.0\"}\n"),
        ("pnpm-workspace.yaml", "packages: []\n"),
        (".npmrc", "@acme:registry=https://r.example/\n"),
    ]);
    let out = common::pmrc()
        .args(["doctor", "--format", "json", "--fail-on", "note", "--dir"])
        .arg(dir.path())
        .env("HOME", dir.path().join("no-home"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "other-managers-not-checked"),
        "{v:#}"
    );
}

/// A drift that `doctor --fix` may be the cause of says to run it first: the command named
/// no managers, so where Deno was checked only through `--manager` (its byte-order mark,
/// which npm skips and Deno reads into the first key), the fix run as printed left the mark
/// and the drift. It names the managers checked; run as printed, both findings go.
#[test]
fn a_drift_s_fix_first_names_the_managers_checked() {
    let dir = project(&[(".npmrc", "\u{feff}registry=https://r.example/\n")]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let args = ["--manager", "npm,deno"];
    let v = doctor_json(&dir, &args, &home);
    let commands = run_fix_commands(&v, "config-drift", &home);
    assert!(
        commands
            .iter()
            .any(|c| c.contains(&"--fix".to_string()) && c.contains(&"npm,deno".to_string())),
        "{commands:?}"
    );
    assert_gone(
        &doctor_json(&dir, &args, &home),
        &["deno-npmrc-bom", "config-drift"],
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".npmrc")).unwrap(),
        "registry=https://r.example/\n"
    );
}

/// From a review of `doctor --fix` on `.yarnrc` lines written npm's way: an `.npmrc` line
/// copied there (`//host/:_authToken=…`) was shown with its token in the preview, before
/// and after; a value with spaces, `key = value` and lone-CR endings were mended so that Yarn
/// 1 still ignored the file. Each is now masked, or written so Yarn 1 reads it (real Yarn
/// 1.22.22 asked the written registry), and doctor finds nothing left.
#[test]
fn yarnrc_lines_written_npm_s_way_are_mended_whole_and_masked() {
    let token = "fake-yarnrc-token-1234";
    let dir = project(&[(
        ".yarnrc",
        &format!(
            "//r.example/:_authToken={token}\rregistry = http://127.0.0.1:4873/\nuser-agent=my agent 1.0 ; team\n"
        ),
    )]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    for format in ["text", "json", "markdown", "github"] {
        let out = common::pmrc()
            .args(["doctor", "--fix", "--format", format, "--dir"])
            .arg(dir.path())
            .env("HOME", &home)
            .output()
            .unwrap();
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!shown.contains(token), "{format}: {shown}");
    }
    // The token line stays a finding of its own (`yarnrc-auth-ignored`): mended apart.
    std::fs::write(
        dir.path().join(".yarnrc"),
        "registry = http://127.0.0.1:4873/\ruser-agent=my agent 1.0 ; team\n",
    )
    .unwrap();
    run_fix_commands(
        &doctor_json(&dir, &[], &home),
        "yarnrc-key-value-line",
        &home,
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".yarnrc")).unwrap(),
        "registry \"http://127.0.0.1:4873/\"\ruser-agent \"my agent 1.0\" # team\n"
    );
    assert_gone(
        &doctor_json(&dir, &[], &home),
        &["yarnrc-key-value-line", "yarnrc-unquoted-url"],
    );
}

/// From the same review: `cafile=` found with `--manager npm` where package.json names
/// pnpm printed `pmrc doctor --fix --write`, which, run as printed, checks pnpm only and
/// mended nothing; and the drift's fix-first command left `--user` out. Both name what was
/// checked; run as printed, the findings go. A byte-order mark before the removed line stays.
#[test]
fn fix_commands_name_the_manager_and_the_user_files_checked() {
    let dir = project(&[
        ("package.json", "{\"packageManager\": \"pnpm@10.0.0\"}\n"),
        (".npmrc", "\u{feff}cafile=\nregistry=https://r.example/\n"),
    ]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let args = ["--manager", "npm"];
    let commands = run_fix_commands(&doctor_json(&dir, &args, &home), "npm-empty-cafile", &home);
    assert!(!commands.is_empty());
    assert_gone(&doctor_json(&dir, &args, &home), &["npm-empty-cafile"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".npmrc")).unwrap(),
        "\u{feff}registry=https://r.example/\n"
    );
    std::fs::write(home.join(".npmrc"), "\u{feff}registry=https://u.example/\n").unwrap();
    let args = ["--manager", "npm,deno", "--user"];
    let commands = run_fix_commands(&doctor_json(&dir, &args, &home), "config-drift", &home);
    assert!(
        commands.iter().any(|c| c.contains(&"--user".to_string())),
        "{commands:?}"
    );
    assert_gone(
        &doctor_json(&dir, &args, &home),
        &["deno-npmrc-bom", "config-drift"],
    );
}

/// Runs, as printed, every `pmrc …` command the fixes of `rule` give; returns them.
fn run_fix_commands(
    doctor: &serde_json::Value,
    rule: &str,
    home: &std::path::Path,
) -> Vec<Vec<String>> {
    let commands: Vec<Vec<String>> = fixes_of(doctor, rule)
        .iter()
        .flat_map(|f| suggested_commands(f))
        .collect();
    for command in &commands {
        run_as_printed(command, home, rule);
    }
    commands
}

/// No finding of `rules` is left in `doctor`'s output.
fn assert_gone(doctor: &serde_json::Value, rules: &[&str]) {
    for rule in rules {
        assert!(fixes_of(doctor, rule).is_empty(), "{rule} left: {doctor:#}");
    }
}

/// `yarn-unscoped-token-not-sent` is about a private registry's token: a token for Yarn's or
/// npm's public registry (what `yarn npm login` writes) or a scope's own is not a finding.
#[test]
fn a_yarn_token_kept_from_unscoped_requests_is_found_only_for_a_private_registry() {
    let found = |yarnrc: &str| {
        let dir = project(&[("package.json", "{}\n"), (".yarnrc.yml", yarnrc)]);
        rules_found(&dir, &[]).0
    };
    let rule = "yarn-unscoped-token-not-sent".to_string();
    assert!(
        found("npmRegistryServer: \"https://npm.corp.example/\"\nnpmAuthToken: \"${T:-}\"\n")
            .contains(&rule)
    );
    for quiet in [
        "npmAuthToken: \"${T:-}\"\n",
        "npmRegistries:\n  \"https://registry.yarnpkg.com\":\n    npmAuthToken: \"${T:-}\"\n",
        "npmRegistryServer: \"https://npm.corp.example/\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.corp.example/\"\n    npmAuthToken: \"${T:-}\"\n",
    ] {
        assert!(!found(quiet).contains(&rule), "{quiet}");
    }
}

/// From a review: npm sends a token for @acme/*, Yarn's side of the drift has none, and Yarn's
/// `.yarnrc.yml` made it the project's source, so the drift's fix converted from Yarn and, run
/// as printed, removed npm's working token. The fix now converts from the side whose
/// credentials stay; run as printed, both managers send them.
#[test]
fn a_drift_s_fix_takes_no_credentials_away() {
    let dir = project(&[
        ("package.json", "{\"name\":\"p\"}\n"),
        (
            ".npmrc",
            "@acme:registry=https://acme.example.test/\n//acme.example.test/:_authToken=${NPM_TOKEN}\n",
        ),
        (
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://acme.example.test\"\n",
        ),
    ]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let fixes = fixes_of(&doctor_json(&dir, &[], &home), "config-drift");
    assert_eq!(fixes.len(), 1, "{fixes:?}");
    let commands = suggested_commands(&fixes[0]);
    assert_eq!(commands.len(), 1, "{fixes:?}");
    assert_eq!(
        commands[0][..5],
        ["convert", "--from", "npm", "--to", "yarn"],
        "{fixes:?}"
    );
    run_as_printed(&commands[0], &home, &fixes[0]);
    let npmrc = std::fs::read_to_string(dir.path().join(".npmrc")).unwrap();
    assert!(
        npmrc.contains("//acme.example.test/:_authToken=${NPM_TOKEN}"),
        "{npmrc}"
    );
    let left = fixes_of(&doctor_json(&dir, &[], &home), "config-drift");
    assert!(left.is_empty(), "the drift is still there: {left:?}");
}

/// Runs `pmrc explain PKG --user --manager M` with `home` as HOME and reports its `sends:`.
fn sends(dir: &TempDir, home: &std::path::Path, package: &str, manager: &str) -> String {
    let out = common::pmrc()
        .args(["explain", package, "--user", "--manager", manager, "--dir"])
        .arg(dir.path())
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.trim_start().starts_with("sends:"))
        .unwrap_or_else(|| panic!("no sends: line: {text}"))
        .trim()
        .to_string()
}

/// From a new user's trial: with npm's token in `~/.npmrc` and pnpm's own for `@acme`'s
/// registry in auth.ini (routed by config.yaml), the drift's fix converted from npm and,
/// run as printed, took the `@acme` token out of auth.ini: real pnpm 11 and 12 then sent
/// `@acme/widgets` no credentials. A fix is now checked on the files it writes: every
/// command printed, run as printed, leaves pnpm sending what it sends now.
#[test]
fn a_drift_s_fix_leaves_every_manager_its_user_file_credentials() {
    let dir = project(&[("package.json", "{}\n"), (".npmrc", "")]);
    let home = dir.path().join("home");
    let pnpm = home.join(".config/pnpm");
    std::fs::create_dir_all(&pnpm).unwrap();
    std::fs::write(
        home.join(".npmrc"),
        "registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_authToken=npm_FAKE_home\n",
    )
    .unwrap();
    std::fs::write(
        pnpm.join("auth.ini"),
        "//127.0.0.1:4873/:_authToken=npm_FAKE_ini\n//127.0.0.1:4874/:_authToken=npm_FAKE_ini4874\n",
    )
    .unwrap();
    std::fs::write(
        pnpm.join("config.yaml"),
        "registries:\n  \"@acme\": \"http://127.0.0.1:4874/\"\n",
    )
    .unwrap();
    let before = sends(&dir, &home, "@acme/widgets", "pnpm@11");
    assert!(before.starts_with("sends: Bearer"), "{before}");
    let args = [
        "--user",
        "--manager",
        "npm,yarn,yarn-classic,pnpm@10,pnpm@11,pnpm@12,bun,deno",
    ];
    let fixes = fixes_of(&doctor_json(&dir, &args, &home), "config-drift");
    assert!(!fixes.is_empty(), "no drift");
    for fix in &fixes {
        // Every command it names, "run …" or "decide …, then run … or …".
        let fix = common::unwrapped(fix);
        let commands = fix
            .split('`')
            .skip(1)
            .step_by(2)
            .filter_map(|c| c.strip_prefix("pmrc "))
            .map(|c| c.split_whitespace().map(str::to_string).collect::<Vec<_>>());
        for command in commands {
            assert!(!command.windows(2).any(|w| w == ["--from", "npm"]), "{fix}");
            run_as_printed(&command, &home, &fix);
        }
    }
    for pnpm in ["pnpm@11", "pnpm@12"] {
        let after = sends(&dir, &home, "@acme/widgets", pnpm);
        assert!(after.starts_with("sends: Bearer"), "{pnpm}: {after}");
    }
}

/// From a new user's trial: the fix for pnpm's ignored `${VAR}` token converted from npm,
/// whose config names none of the registries in pnpm-workspace.yaml; run as printed it
/// emptied that file and sent every scope to the public registry. Where that conversion
/// would move pnpm's registries, the fix names the line to copy instead.
#[test]
fn pnpm_s_ignored_token_fix_keeps_the_workspace_registries() {
    let dir = project(&[
        ("package.json", "{\"packageManager\":\"pnpm@11.28.11\"}\n"),
        (
            "pnpm-workspace.yaml",
            "registries:\n  default: \"https://registry.corp.example.test/\"\n  \"@gh\": \"https://npm.pkg.github.com/\"\n",
        ),
        (".npmrc", "//npm.pkg.github.com/:_authToken=${GH_TOKEN}\n"),
    ]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let fixes = fixes_of(
        &doctor_json(&dir, &[], &home),
        "pnpm-project-env-credential-ignored",
    );
    assert_eq!(fixes.len(), 1, "{fixes:?}");
    let fix = common::unwrapped(&fixes[0]);
    assert!(suggested_commands(&fix).is_empty(), "{fix}");
    assert!(
        fix.starts_with(
            "add `//npm.pkg.github.com/:_authToken=${GH_TOKEN}` to ~/.config/pnpm/auth.ini"
        ),
        "{fix}"
    );
    // Where npm's config routes as pnpm's does, the conversion is the fix, as before.
    std::fs::write(dir.path().join("pnpm-workspace.yaml"), "packages: []\n").unwrap();
    let fixes = fixes_of(
        &doctor_json(&dir, &[], &home),
        "pnpm-project-env-credential-ignored",
    );
    assert!(
        fixes[0].starts_with("run `pmrc convert --from npm --to pnpm@11 --user --write"),
        "{fixes:?}"
    );
}

/// A drift the environment makes is not mended by a conversion, which reads no variables:
/// from a trial, the printed `convert` wrote scope routing only and the drift stayed.
#[test]
fn a_drift_the_environment_makes_gets_no_conversion_as_its_fix() {
    let dir = project(&[
        ("package.json", "{}\n"),
        (".npmrc", "@acme:registry=http://127.0.0.1:4874/\n"),
    ]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let env_file = dir.path().join("ci.env");
    std::fs::write(
        &env_file,
        "NPM_CONFIG_REGISTRY=http://127.0.0.1:4873/\nnpm_config_//127.0.0.1:4873/:_authToken=npm_FAKE_env\n",
    )
    .unwrap();
    let doctor = doctor_json(
        &dir,
        &[
            "--manager",
            "npm,pnpm@11",
            "--env-file",
            env_file.to_str().unwrap(),
        ],
        &home,
    );
    let fixes = fixes_of(&doctor, "config-drift");
    assert!(!fixes.is_empty(), "no drift: {doctor}");
    for fix in &fixes {
        assert!(suggested_commands(fix).is_empty(), "{fix}");
        assert!(fix.contains("mend the others' by hand"), "{fix}");
    }
}

/// From a trial: `pmrc init --to npm` and `pmrc sync --write` in a Yarn 4 project left a
/// `.npmrc` that npm reads as Yarn reads `.yarnrc.yml` (the scope's token keyed by host
/// there, by scope here); `sync --check` passed, and doctor failed the pair, calling the
/// `.npmrc` ignored and npm a leftover. A `.npmrc` that acts as Yarn does is no finding, and
/// the managers pmrc.toml keeps in sync are checked.
#[test]
fn a_synced_npmrc_beside_yarn_is_no_finding() {
    let dir = project(&[
        (
            "package.json",
            "{\"name\":\"app\",\"packageManager\":\"yarn@4.18.1\"}\n",
        ),
        (
            ".yarnrc.yml",
            "npmScopes:\n  gh:\n    npmRegistryServer: \"https://npm.pkg.github.com\"\n    npmAuthToken: \"${GH_TOKEN}\"\n",
        ),
        ("pmrc.toml", "[sync]\nfrom = \"yarn\"\nto = [\"npm\"]\n"),
    ]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = common::pmrc()
        .args(["sync", "--write", "--dir"])
        .arg(dir.path())
        .env("HOME", &home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let npmrc = std::fs::read_to_string(dir.path().join(".npmrc")).unwrap();
    assert!(
        npmrc.contains("//npm.pkg.github.com/:_authToken=${GH_TOKEN}"),
        "{npmrc}"
    );
    let doctor = doctor_json(&dir, &[], &home);
    let rules: Vec<&str> = doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.is_empty(), "{doctor}");
    // npm is checked: a token npm alone would send differently is drift.
    std::fs::write(
        dir.path().join(".npmrc"),
        "@gh:registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken=${OTHER_TOKEN}\n",
    )
    .unwrap();
    let doctor = doctor_json(&dir, &[], &home);
    assert!(!fixes_of(&doctor, "config-drift").is_empty(), "{doctor}");
}

/// An unset `${VAR}` in an `.npmrc` is sent as the text `${VAR}` by npm, Bun and Deno (spec
/// a16; a trial saw real Bun send `Bearer ${GH_TOKEN}`), where doctor said they got no value;
/// pnpm 11 and 12 do get none. The verb agrees with the managers named.
#[test]
fn an_unset_reference_is_said_as_each_manager_takes_it() {
    let dir = project(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://r.example.test/\n//r.example.test/:_authToken=${PMRC_TEST_NEVER_SET}\n",
        ),
    ]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let doctor = doctor_json(
        &dir,
        &["--env", "--manager", "npm,bun,deno,pnpm@11,pnpm@12"],
        &home,
    );
    let messages: Vec<&str> = doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "env-unset")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"PMRC_TEST_NEVER_SET is unset, so npm, bun and deno send the text ${PMRC_TEST_NEVER_SET} as it is"),
        "{messages:?}"
    );
    assert!(
        messages
            .contains(&"PMRC_TEST_NEVER_SET is unset, so pnpm@11 and pnpm@12 get no value from it"),
        "{messages:?}"
    );
}

/// From a trial: with the project in a subfolder of the checkout (`-C frontend`), SARIF named
/// `.npmrc` from the project, so code scanning pinned the alert on a root `.npmrc` that does
/// not exist, where `--format github` said `frontend/.npmrc`. Both name it from the checkout.
#[test]
fn sarif_names_files_from_the_checkout_as_annotations_do() {
    let ws = TempDir::new().unwrap();
    std::fs::create_dir_all(ws.path().join("frontend")).unwrap();
    std::fs::write(
        ws.path().join("frontend/.npmrc"),
        "registry=http://r.example/\n//r.example/:_authToken=${T}\n",
    )
    .unwrap();
    let out = common::pmrc()
        .args(["doctor", "--sarif", "-C", "frontend"])
        .current_dir(ws.path())
        .env("GITHUB_WORKSPACE", ws.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &v["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "frontend/.npmrc",
        "{v}"
    );
}

/// From a second trial: run in the project's subfolder of a git checkout without
/// GITHUB_WORKSPACE (another CI, or locally), SARIF named `sub/.npmrc` as `.npmrc`. Files are
/// named from the work tree then.
#[test]
fn sarif_names_files_from_the_git_work_tree_outside_actions() {
    let ws = TempDir::new().unwrap();
    std::fs::create_dir_all(ws.path().join(".git")).unwrap();
    std::fs::create_dir_all(ws.path().join("sub")).unwrap();
    std::fs::write(
        ws.path().join("sub/.npmrc"),
        "registry=http://r.example/\n//r.example/:_authToken=${T}\n",
    )
    .unwrap();
    let out = common::pmrc()
        .args(["doctor", "--sarif"])
        .current_dir(ws.path().join("sub"))
        .env_remove("GITHUB_WORKSPACE")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "sub/.npmrc",
        "{v}"
    );
}

/// From a trial: where Yarn 1 is checked and reads the `.npmrc`, "remove it unless Yarn 1
/// reads this .npmrc" is no advice to give (with the line removed, real Yarn 1.22.22 sent no
/// token for unscoped packages); where only npm reads it, the note stays.
#[test]
fn always_auth_yarn_1_reads_is_not_called_ignored() {
    let files = [
        ("package.json", "{\"name\":\"t\"}\n"),
        (
            ".yarnrc",
            "registry \"https://r.example/npm/\"\n\"@acme:registry\" \"https://acme.example/\"\n",
        ),
        (
            ".npmrc",
            "always-auth=true\n//r.example/npm/:_authToken=${T}\n//acme.example/:_authToken=${A}\n",
        ),
    ];
    let dir = project(&files);
    let rule = "npm-always-auth-ignored".to_string();
    let (found, _) = rules_found(&dir, &["--manager", "npm,yarn@1"]);
    assert!(!found.contains(&rule), "{found:?}");
    let (found, _) = rules_found(&dir, &["--manager", "npm"]);
    assert!(found.contains(&rule), "{found:?}");
    // Kept, Yarn 1 sends the token with unscoped packages: no finding says otherwise.
    let (found, _) = rules_found(&dir, &["--manager", "yarn@1"]);
    assert!(
        !found.contains(&"yarn-classic-unscoped-token-not-sent".to_string()),
        "{found:?}"
    );
}

/// From the last note's gap: explain and convert said which pnpm major's rules they used
/// (the newest, where package.json names none) and doctor did not, though its findings differ
/// by major. The note is a finding now; run as printed, its `--manager` lists check the same
/// managers under the other majors, named.
#[test]
fn doctor_says_which_pnpm_major_it_checked_and_how_to_check_another() {
    let dir = project(&[
        ("package.json", "{\"name\":\"app\"}\n"),
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.test/\n//npm.acme.test/:_authToken=${NPM_TOKEN}\n",
        ),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
    ]);
    let home = dir.path().join("no-home");
    let doctor = doctor_json(&dir, &[], &home);
    let notes: Vec<&serde_json::Value> = doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "pnpm-version")
        .collect();
    assert_eq!(notes.len(), 1, "{doctor:#}");
    assert!(
        notes[0]["message"].as_str().unwrap().contains(
            "using the rules of pnpm 12 (no pnpm version in package.json, so the newest)"
        ),
        "{doctor:#}"
    );
    let fix = notes[0]["fix"].as_str().unwrap();
    let lists: Vec<&str> = fix
        .split("--manager ")
        .skip(1)
        .map(|l| l.split([';', ' ']).next().unwrap())
        .collect();
    assert_eq!(lists, ["npm,pnpm@10", "npm,pnpm@11"], "{fix}");
    for list in lists {
        let named = doctor_json(&dir, &["--manager", list], &home);
        let managers: Vec<&str> = named["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["manager"].as_str())
            .collect();
        assert!(
            !fixes_of(&named, "pnpm-version").iter().any(|_| true),
            "{named:#}"
        );
        let major = list.trim_start_matches("npm,");
        assert!(managers.contains(&major), "{list}: {named:#}");
    }
    // package.json names the major: nothing was left to pmrc, nothing is said.
    std::fs::write(
        dir.path().join("package.json"),
        "{\"name\":\"app\",\"packageManager\":\"pnpm@11.28.11\"}\n",
    )
    .unwrap();
    let pinned = doctor_json(&dir, &[], &home);
    assert!(fixes_of(&pinned, "pnpm-version").is_empty(), "{pinned:#}");
}

/// From a trial: after doctor's own fix for a pnpm project (`convert --from npm --to pnpm@12
/// --user --write`, which real pnpm 11/12 then sent the token by), doctor without --user
/// still saw npm and pnpm apart, as it read no user file, and named `convert --from pnpm@12
/// --to npm --user --write`, which takes the token out of the project `.npmrc` every
/// teammate reads. Where the user files mend the drift, the fix is to read them.
#[test]
fn a_drift_the_unread_user_files_mend_asks_for_them_not_a_conversion() {
    let dir = project(&[
        ("package.json", "{\"name\":\"app\"}\n"),
        (
            ".npmrc",
            "registry=https://npm.corp.example/api/npm/npm-virtual/\n//npm.corp.example/api/npm/npm-virtual/:_authToken=${CORP_TOKEN}\n",
        ),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
    ]);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = common::pmrc()
        .args([
            "convert", "--from", "npm", "--to", "pnpm@12", "--user", "--write", "--dir",
        ])
        .arg(dir.path())
        .env("HOME", &home)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fixes = fixes_of(&doctor_json(&dir, &[], &home), "config-drift");
    assert!(
        !fixes.is_empty(),
        "npm and pnpm 12 apart without the user files"
    );
    assert!(
        fixes.iter().all(|f| !f.contains("convert --from pnpm@12")),
        "{fixes:?}"
    );
    assert!(
        fixes
            .iter()
            .all(|f| f.starts_with("run the same command again with --user")),
        "{fixes:?}"
    );
    // Done as said: no drift.
    let with_user = doctor_json(&dir, &["--user"], &home);
    assert!(
        fixes_of(&with_user, "config-drift").is_empty(),
        "{with_user:#}"
    );
}

/// From a trial: a `package-lock.json` resolved on registry.npmjs.org, a scope served from
/// another path of the mirror, and npm 12: real npm 12.2.2 stopped `npm ci` (EALLOWREMOTE:
/// replace-registry-host put the default registry's host and path in place, outside the
/// scope's registry), and installed with `allow-remote=all` added; doctor said nothing.
#[test]
fn npm12_refusing_a_lockfile_s_tarballs_is_found() {
    let npmrc = "registry=http://127.0.0.1:4873/npm-virtual/\n//127.0.0.1:4873/npm-virtual/:_authToken=npm_FAKE_V\n@acme:registry=http://127.0.0.1:4873/acme-local/\n//127.0.0.1:4873/acme-local/:_authToken=npm_FAKE_A\n";
    let lock = "{\n  \"name\": \"app\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\"name\": \"app\", \"dependencies\": {\"@acme/widgets\": \"1.0.0\"}},\n    \"node_modules/@acme/widgets\": {\n      \"version\": \"1.0.0\",\n      \"resolved\": \"https://registry.npmjs.org/@acme/widgets/-/widgets-1.0.0.tgz\"\n    },\n    \"node_modules/@acme/gears\": {\n      \"version\": \"1.0.0\",\n      \"resolved\": \"https://registry.npmjs.org/@acme/gears/-/gears-1.0.0.tgz\"\n    },\n    \"node_modules/left-pad\": {\n      \"version\": \"1.0.0\",\n      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.0.0.tgz\"\n    }\n  }\n}\n";
    let found = |package_json: &str, extra: &str| {
        let dir = project(&[
            ("package.json", package_json),
            (".npmrc", &format!("{npmrc}{extra}")),
            ("package-lock.json", lock),
        ]);
        let doctor = doctor_json(&dir, &[], &dir.path().join("no-home"));
        doctor["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "npm12-lockfile-tarball-refused")
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                    f["origin"]["line"].as_u64(),
                )
            })
            .collect::<Vec<_>>()
    };
    let pinned = "{\"name\":\"app\",\"packageManager\":\"npm@12.2.2\"}\n";
    let refused = found(pinned, "");
    // The scope's two packages are one finding; left-pad, rewritten onto its own registry,
    // is fetched.
    assert_eq!(refused.len(), 1, "{refused:?}");
    let (severity, message, line) = &refused[0];
    assert_eq!(severity, "error");
    // Named by the first package in name order, at its line.
    assert_eq!(*line, Some(12));
    assert!(
        message.starts_with("npm 12 refuses the tarball of @acme/gears and 1 more (EALLOWREMOTE")
            && message.contains(
                "its registry http://127.0.0.1:4873/acme-local/ once replace-registry-host"
            ),
        "{message}"
    );
    // Done as the fix says: nothing left.
    assert!(found(pinned, "allow-remote=all\n").is_empty());
    // npm 11 fetches them; with npm's major open, a warning that says so.
    assert!(
        found(
            "{\"name\":\"app\",\"packageManager\":\"npm@11.21.2\"}\n",
            ""
        )
        .is_empty()
    );
    let open = found("{\"name\":\"app\"}\n", "");
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].0, "warning");
    // A credential in a resolved URL's userinfo or query is never printed.
    let dir = project(&[
        ("package.json", pinned),
        (".npmrc", npmrc),
        (
            "package-lock.json",
            &lock.replace(
                "https://registry.npmjs.org/@acme/widgets/-/widgets-1.0.0.tgz",
                "https://u:npm_FAKE_userinfo@registry.npmjs.org/@acme/widgets/-/widgets-1.0.0.tgz?t=npm_FAKE_query",
            ),
        ),
    ]);
    let doctor = doctor_json(&dir, &[], &dir.path().join("no-home"));
    assert!(!fixes_of(&doctor, "npm12-lockfile-tarball-refused").is_empty());
    assert!(!doctor.to_string().contains("npm_FAKE_"), "{doctor:#}");
}

/// From a trial: `doctor --fix` said "nothing pmrc can fix by itself" beside
/// `npm12-refused-key`, whose own fix (`pmrc convert --from npm@11 --to npm@12 --write`)
/// mends it; the summary points at the findings' fixes instead.
#[test]
fn doctor_fix_with_nothing_to_mend_points_at_the_findings_fixes() {
    let dir = project(&[
        (
            "package.json",
            "{\"name\":\"app\",\"packageManager\":\"npm@12.2.2\"}\n",
        ),
        (".npmrc", "registry=https://r.example/\nemail=a@b.example\n"),
    ]);
    let out = common::pmrc()
        .args(["doctor", "--fix", "--dir"])
        .arg(dir.path())
        .env("HOME", dir.path().join("no-home"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).replace("\n    ", " ");
    let stdout = String::from_utf8_lossy(&out.stdout).replace("\n    ", " ");
    assert!(
        said.contains("doctor --fix: no line here that --fix mends by itself; each finding's `fix:` says what does"),
        "{said}"
    );
    assert!(
        format!("{stdout}{said}").contains("pmrc convert --from npm@11 --to npm@12 --write"),
        "{stdout}{said}"
    );
    assert!(!said.contains("nothing pmrc can fix"));
}
