//! Every diagnostic pmrc can report, as a typed [`Code`] with one table: its stable id,
//! what it means and what to do. Doctor's rules, SARIF's rule list and
//! `docs/diagnostics.md` all derive from this table; nothing here prints.

use std::fmt;

use serde::Serialize;

/// One row of the table.
#[derive(Debug)]
pub struct Diagnostic {
    pub code: Code,
    /// Stable identifier, e.g. `lossy-env-reference`; scripts and tests match on it.
    pub id: &'static str,
    /// What it finds, in one line.
    pub what: &'static str,
    /// What to do about it.
    pub fix: &'static str,
}

macro_rules! diagnostics {
    (
        doctor { $( $dv:ident $did:literal what: $dwhat:literal fix: $dfix:literal; )* }
        translation { $( $tv:ident $tid:literal what: $twhat:literal fix: $tfix:literal; )* }
    ) => {
        /// A diagnostic's code. Every variant has its row in [`DOCTOR_RULES`] or
        /// [`TRANSLATION_NOTES`] by construction.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $dv, )*
            $( $tv, )*
        }

        /// Problems `pmrc doctor` looks for in the files as they are (also its SARIF rules).
        pub const DOCTOR_RULES: &[Diagnostic] = &[
            $( Diagnostic { code: Code::$dv, id: $did, what: $dwhat, fix: $dfix }, )*
        ];

        /// What reading a file or translating it reports along the way.
        pub const TRANSLATION_NOTES: &[Diagnostic] = &[
            $( Diagnostic { code: Code::$tv, id: $tid, what: $twhat, fix: $tfix }, )*
        ];

        impl Code {
            /// Every code, doctor's rules first.
            pub const ALL: &[Code] = &[ $( Code::$dv, )* $( Code::$tv, )* ];

            /// Whether the finding makes `convert --write` write nothing: the plan would
            /// send a credential where the source did not. (A broken source, such as npm's
            /// empty `cafile=`, is reported but does not stop a migration away from it.)
            pub fn blocks_write(self) -> bool {
                matches!(self, Code::CredentialSentElsewhere | Code::Npm12StrictUnknownKey)
            }

            /// Whether the finding, as a warning, says a target reading the files as planned
            /// still does otherwise than the source, in a way no file pmrc writes mends: the
            /// source holds what the target cannot express. A note of the same code says the
            /// target is served another way. `route-differs` and `credentials-differ` are not
            /// ones: they come from comparing the routes, and pmrc may not yet write what mends
            /// them (or the user keeps them so, as a Dependabot secret of another name).
            pub fn target_falls_short(self) -> bool {
                self.source_must_change()
                    || matches!(
                        self,
                        Code::LossyPublishRegistry
                            | Code::LossyProxy
                            | Code::LossyNoproxy
                            | Code::LossyInlineCa
                            | Code::LossyClientCertificate
                            | Code::LossyNetworkSettings
                    )
            }

            /// Of [`Self::target_falls_short`], the ones a change to the source mends (its
            /// `fix` says how): a reference the target cannot take, credentials it cannot
            /// rebuild or tell apart. `--check` fails on them. The others (a proxy, a CA,
            /// `noproxy` the target has no place for) are said but not failed on: no source
            /// the source manager needs could clear them.
            pub fn source_must_change(self) -> bool {
                matches!(
                    self,
                    Code::LossyEnvReference
                        | Code::LossySharedRegistryCredentials
                        | Code::LossyBasicAuth
                )
            }

            /// Whether the finding says a manager ignores a whole file, so that nothing
            /// written to that file reaches it.
            pub fn ignores_whole_file(self) -> bool {
                matches!(self, Code::Pnpm10DropsFile)
            }

            /// This code's row.
            pub fn diagnostic(self) -> &'static Diagnostic {
                let index = self as usize;
                DOCTOR_RULES
                    .get(index)
                    .unwrap_or_else(|| &TRANSLATION_NOTES[index - DOCTOR_RULES.len()])
            }
        }
    };
}

diagnostics! {
    doctor {
        YarnIgnoresNpmrc "yarn-ignores-npmrc"
            what: "registry or auth settings in .npmrc of a Yarn Berry project: Yarn Berry never reads .npmrc"
            fix: "run `pmrc convert --from npm --to yarn --write`";
        PnpmProjectEnvCredentialIgnored "pnpm-project-env-credential-ignored"
            what: "a ${VAR} credential in the project .npmrc: pnpm 10.34+, 11 and 12 send nothing"
            fix: "run `pmrc convert --from npm --to pnpm --user --write` (writes it to pnpm's auth.ini), or in CI give the job the variables `pmrc env --from npm --to pnpm --format github` prints";
        Pnpm12SlashTwins "pnpm12-slash-twins"
            what: "two registry keys that differ only by the trailing slash (`//host/path/` and `//host/path`) hold different credentials: pnpm 12 sends one or the other from run to run"
            fix: "keep one of the two keys (npm, Bun and pnpm 11 each take one of them too, by their own rule)";
        PnpmEnvRegistryIgnored "pnpm-env-registry-ignored"
            what: "a ${VAR} registry URL in the project .npmrc: pnpm 10 and 11 ignore it and use the default registry"
            fix: "write the URL itself, or put `registry=${VAR}` in ~/.npmrc (pnpm 11: or in pnpm's auth.ini)";
        PnpmAuthStops "pnpm-auth-stops"
            what: "an `_auth` or `_password` in .npmrc that pnpm 11/12 cannot decode (not base64, or an `_auth` with no `:` once decoded): they stop every command (ERR_PNPM_AUTH_INVALID_BASE64, ERR_PNPM_AUTH_MISSING_SEPARATOR), where npm and pnpm 10 send it as written"
            fix: "set `_auth` to base64 of `user:password`, or `_password` to base64 of the password";
        PnpmEnvRegistryStops "pnpm-env-registry-stops"
            what: "a ${VAR} registry URL in the project .npmrc: pnpm 12 stops every command (ERR_PNPM_REGISTRY_ENV_NOT_EXPANDED)"
            fix: "write the URL itself, or put it in pnpm's global config.yaml (`registry: ${VAR}`) or ~/.npmrc (`registry=${VAR}`)";
        YarnClassicNpmrcSettingIgnored "yarn-classic-npmrc-setting-ignored"
            what: "`strict-ssl` (other than true) or `noproxy` in an .npmrc Yarn 1 reads: Yarn 1 ignores both there"
            fix: "put `strict-ssl false` in .yarnrc; for hosts that must skip the proxy, set NO_PROXY and no proxy in the config";
        PnpmEnvProxyIgnored "pnpm-env-proxy-ignored"
            what: "a proxy setting holding a ${VAR} in the project's .npmrc or pnpm-workspace.yaml: pnpm ignores it and goes without the proxy"
            fix: "put it in ~/.npmrc (`https-proxy=${VAR}`) or pnpm's global config.yaml (`httpsProxy: ${VAR}`), or set HTTPS_PROXY/HTTP_PROXY where pnpm runs";
        PnpmYamlCafileIgnored "pnpm-yaml-cafile-ignored"
            what: "`cafile` in pnpm-workspace.yaml or pnpm's config.yaml: pnpm 10 and 12 ignore it there, and pnpm 11 uses it only where no .npmrc sets `cafile` or `ca`"
            fix: "where no .npmrc sets a CA, write the same path as `cafile=` in the project's .npmrc (every pnpm major, and npm, reads it there); where one does, remove the yaml's line, or move its path into that .npmrc's `cafile` if it is the CA to trust";
        PnpmNpmrcSettingIgnored "pnpm-npmrc-setting-ignored"
            what: "a setting in .npmrc that pnpm 11/12 ignore"
            fix: "move it to pnpm-workspace.yaml under its camelCase name";
        BunBracedEnvReference "bun-braced-env-reference"
            what: "${VAR} in bunfig.toml, which Bun sends as literal text"
            fix: "write the whole value as \"$VAR\"";
        YarnScopeWithAt "yarn-scope-with-at"
            what: "an npmScopes key written with @, which Yarn never matches"
            fix: "drop the @ from the key";
        YarnRegistryKeyUnmatched "yarn-registry-key-unmatched"
            what: "an npmRegistries key that no registry in use matches (Yarn compares keys exactly: path and port count)"
            fix: "spell the key like the registry URL, e.g. \"//host/path\"";
        YarnAlwaysAuthWithoutCredentials "yarn-always-auth-without-credentials"
            what: "Yarn Berry: npmAlwaysAuth is true for a registry whose entry holds no token or ident, so every unscoped install from it stops with YN0033 (the top-level token does not reach a registry with an entry of its own)"
            fix: "add npmAuthToken (or npmAuthIdent) to that entry, or remove its npmAlwaysAuth";
        YarnScopeWithoutRegistry "yarn-scope-without-registry"
            what: "a Yarn scope without npmRegistryServer, which goes to registry.yarnpkg.com, not the top-level registry"
            fix: "set npmRegistryServer in that npmScopes entry";
        NpmLegacyTopLevelAuth "npm-legacy-top-level-auth"
            what: "top-level _auth/_authToken: npm 9+ refuses the whole file"
            fix: "run `npm config fix`, or key it: //host/path/:_authToken";
        DoctorFixMovesReaders "doctor-fix-moves-readers"
            what: "`doctor --fix` changing what a manager not checked does with a file it reads too (npm's top-level token keyed to its registry: Bun and Deno, which ignored it, then send it)"
            fix: "check that they should; the diff shows the change (`--manager` names the managers to check)";
        Npm12RefusedKey "npm12-refused-key"
            what: "a top-level `email`, `certfile` or `keyfile` where npm 12 is in use: npm 12 refuses the whole file (ERR_INVALID_AUTH), which npm 11 only warned about"
            fix: "run `pmrc convert --from npm@11 --to npm@12 --write` (keys them to the registry, as `npm config fix` does)";
        Npm12LockfileTarballRefused "npm12-lockfile-tarball-refused"
            what: "package-lock.json's `resolved` tarballs that npm 12 refuses (EALLOWREMOTE): outside the origin and path of their package's registry once replace-registry-host has rewritten them, with allow-remote not `all`, where npm 11 fetched them"
            fix: "add `allow-remote=all` to .npmrc (npm 12 then fetches them as npm 11 did, from the URL replace-registry-host gives)";
        Npm12StrictUnknownKey "npm12-strict-unknown-key"
            what: "a key npm 12 does not know (not in its own list of settings: `always-auth`, top-level or keyed to a registry; pnpm's or Yarn's keys such as `auto-install-peers`, `shamefully-hoist`, `node-linker`; a `[section]`) in an .npmrc npm 12 reads while `strict-npmrc=true` (in an .npmrc or npm_config_strict_npmrc): strict-npmrc turns npm 12's warning into EUNKNOWNCONFIG, which stops every command but config, help, doctor and version"
            fix: "remove the line where only npm reads the file (for a pnpm setting, move it to pnpm-workspace.yaml under its camelCase name, where pnpm 11/12 read it), or remove `strict-npmrc=true` where another manager needs the key in .npmrc (Yarn 1 honours always-auth, pnpm 10 its own settings)";
        NpmEmptyCafile "npm-empty-cafile"
            what: "`cafile=` with no value in .npmrc: every npm command in that folder exits 235 with no message"
            fix: "remove the line, or give it the path of a CA file";
        NpmAlwaysAuthIgnored "npm-always-auth-ignored"
            what: "always-auth, which npm 7+ ignores"
            fix: "remove it unless Yarn 1 reads this .npmrc";
        YarnrcReadAsYaml "yarnrc-read-as-yaml"
            what: "a `.yarnrc` key Yarn 1's reader cannot take bare (one starting with @, _ or a digit): Yarn 1 then reads the file as YAML, which gives it no settings, so it ignores the whole file (where YAML cannot read the file either, Yarn 1 stops)"
            fix: "double-quote the key, as in \"@scope:registry\" \"https://registry.example/\"";
        YarnrcUnquotedUrl "yarnrc-unquoted-url"
            what: "an unquoted URL in .yarnrc: Yarn 1 silently drops the whole file"
            fix: "double-quote the value";
        YarnrcKeyValueLine "yarnrc-key-value-line"
            what: "a `key=value` line in .yarnrc: Yarn 1 then ignores the whole file and uses its default registry"
            fix: "write it as `key \"value\"`, or remove it";
        YarnrcAuthIgnored "yarnrc-auth-ignored"
            what: "auth keys in .yarnrc, which Yarn 1 never sends"
            fix: "move them to .npmrc";
        NpmrcKeyInSection "npmrc-key-in-section"
            what: "a key after a [section] line in .npmrc, which npm never reads (Deno also takes an indented ` [s]` for a section; npm, pnpm, Yarn 1 and Bun read it as a key; for pnpm 12 and a `[s] ` line, see npmrc-section-read-apart)"
            fix: "move it above the first section";
        NpmrcSectionReadApart "npmrc-section-read-apart"
            what: "a key after a line npm reads as a [section] in .npmrc that another reader does not: pnpm 12 skips every section line, Yarn 1 and pnpm 10 read `[s] ` (a blank after the `]`) as a key; that reader reads the key, npm never does"
            fix: "move the key above the section line for every reader to read it, or remove it for none to";
        NpmrcValueReadApart "npmrc-value-read-apart"
            what: "a value in .npmrc pnpm 12 reads otherwise than npm: pnpm 12 keeps an inline `# comment` or `; comment` and backslashes as part of the value, which npm's ini cuts and unescapes (real pnpm 12.21 sent `Bearer TOKEN # comment`)"
            fix: "put the comment on a line of its own; write a value that needs `#`, `;` or `\\` in double quotes, as JSON";
        NpmrcQuotedValueKept "npmrc-quoted-value-kept"
            what: "a value in .npmrc that opens a quote npm cannot close: double-quoted but not a valid JSON string (`\"C:\\Users\\me\"`, a backslash before a letter), or a quote never closed: npm keeps the quotes as part of the value (it sends the token with the quote characters, looks for a CA file whose name has them, requests a URL that starts with one); so do Yarn 1, pnpm 11/12 and Bun; of a closed pair, Deno drops the quotes and pnpm 10 ignores the whole file"
            fix: "inside double quotes write each backslash as `\\\\` (the value is JSON), or drop the quotes; close a quote left open";
        LiteralSecretTracked "literal-secret-tracked"
            what: "a literal secret in a file tracked by git"
            fix: "replace it with an environment reference (${NPM_TOKEN} in .npmrc/.yarnrc.yml, $NPM_TOKEN in bunfig.toml) and rotate the token";
        SecretFilePermissions "secret-file-permissions"
            what: "a file holding a literal secret that group or others can read"
            fix: "run `chmod 600` on the file (doctor prints the command with its path)";
        RegistryUrlWithoutScheme "registry-url-without-scheme"
            what: "a registry URL with no https:// or http:// (`registry.example/npm/`): npm waits until it times out, pnpm 12 stops after a minute, and Yarn, pnpm 10/11, Bun and Deno stop at once"
            fix: "write the URL with https:// (or http:// where the registry serves plain http); doctor gives the URL";
        CredentialsOverHttp "credentials-over-http"
            what: "credentials sent to a registry over plain http"
            fix: "use https for that registry";
        YarnUnscopedTokenNotSent "yarn-unscoped-token-not-sent"
            what: "Yarn Berry: a token or ident configured for a private registry that unscoped packages come from, without npmAlwaysAuth: Yarn sends credentials on unscoped requests only with it, so they go without (a 401 from a registry that needs them, where npm sends the token)"
            fix: "add `npmAlwaysAuth: true` beside the npmAuthToken the finding names (at the top level, or in its npmRegistries entry)";
        YarnClassicUnscopedTokenNotSent "yarn-classic-unscoped-token-not-sent"
            what: "Yarn 1: credentials in .npmrc for a private registry that unscoped packages come from, without always-auth=true for it: Yarn 1 sends credentials with unscoped packages only then, so they go without (a 401 from a registry that needs them, where npm, pnpm, Bun and Deno send the token)"
            fix: "add the `//host/path/:always-auth=true` line the finding gives to that .npmrc (npm, pnpm, Bun and Deno ignore it; npm 12 stops on it only under strict-npmrc=true)";
        YarnTopLevelTokenSpreads "yarn-top-level-token-spreads"
            what: "Yarn's top-level token reaching a registry on another host (no npmRegistries entry of its own)"
            fix: "give that registry its own npmRegistries entry, and key the token to the registry it is for";
        ConfigDrift "config-drift"
            what: "two managers' configs route or authenticate packages differently"
            fix: "run `pmrc convert --from <source> --to <other>` and review the diff";
        EnvUnset "env-unset"
            what: "an environment variable a config references is unset (Yarn Berry, and Yarn 1 for its .npmrc, then fail every command; pnpm 10 ignores the whole .npmrc that holds it)"
            fix: "set it, or use the optional form where the manager has one (${VAR:-} in Yarn 4, ${VAR?} in npm and pnpm 11/12; Yarn 1 has none, and pnpm 10 takes only a non-empty default, ${VAR:-default})";
        YarnClassicOptionalReference "yarn-classic-optional-reference"
            what: "an .npmrc value Yarn 1 reads holds npm's optional `${VAR?}`, or a default `${VAR:-default}` (Yarn Berry's and pnpm's form), which Yarn 1 does not have: it looks up a variable named `VAR?` or `VAR:-default` and stops every command (\"Failed to replace env in config\"), whether VAR is set or not"
            fix: "write `${VAR}` and set VAR wherever Yarn 1 runs (Yarn 1 has no optional form)";
        OtherManagersNotChecked "other-managers-not-checked"
            what: "package.json's packageManager names one manager, and other managers' files are here too: doctor checks the named one (the others may be leftovers)"
            fix: "run `pmrc doctor --manager <named>,<others>` to check them too, or delete the files if they are leftovers";
        PnpmMixedRegistries "pnpm-mixed-registries"
            what: "a `registries` map in pnpm-workspace.yaml with both `default:`/`\"@scope\":` entries and URL-keyed declarations: pnpm 11 and 12 stop every command (ERR_PNPM_INVALID_SETTING)"
            fix: "write the map in one shape: key every entry by registry URL with its `scopes` (`\"@\"` for the default), or use only `default:` and `\"@scope\":` entries";
        Pnpm10UrlKeyedRegistries "pnpm10-url-keyed-registries"
            what: "URL-keyed `registries` (pnpm 11.23+) in pnpm-workspace.yaml: pnpm 10 stops every command with \"`registry` should be a string\""
            fix: "run `pmrc convert --from pnpm@11 --to pnpm@10 --write` (routing to .npmrc, the block out of the yaml), or write `registries` as the scope map (`default:` and `\"@scope\":` keys)";
        DenoParentNpmrcIgnored "deno-parent-npmrc-ignored"
            what: "an .npmrc in a folder above the project that npm reads (its project root has the package.json), but Deno never reads"
            fix: "put the registry and credential lines Deno needs in the project's own .npmrc or in ~/.npmrc";
        DenoOptionalEnvReference "deno-optional-env-reference"
            what: "${VAR?} in an .npmrc Deno reads: Deno does not expand it and sends the text as written"
            fix: "write ${VAR}";
        DenoBasicAuthIncomplete "deno-basic-auth-incomplete"
            what: "username without _password (or _password without username) and no token or _auth: Deno stops the install"
            fix: "add the missing half, or remove the line";
        DenoNpmrcBom "deno-npmrc-bom"
            what: "an .npmrc starting with a UTF-8 byte-order mark: Deno ignores its first line"
            fix: "save the file without the byte-order mark";
        CiVariableNotProvided "ci-variable-not-provided"
            what: "`doctor --ci`: a variable the config references (`${NPM_TOKEN}`) that a CI job running the manager does not set (in workflow, job or step `env:`, or `$GITHUB_ENV`)"
            fix: "add the variable to the job's `env:`, from the secret that holds it (the finding gives the line)";
        CiSetupNodeNpmrcIgnored "ci-setup-node-npmrc-ignored"
            what: "`doctor --ci`: actions/setup-node `registry-url` in a job whose manager never reads the .npmrc it writes (Yarn Berry, Deno), so that registry and token are lost"
            fix: "put the registry and `${NODE_AUTH_TOKEN}` in the manager's own file (the finding gives the lines), or remove `registry-url`";
        CiYarnClassicTokenUnset "ci-yarn-classic-token-unset"
            what: "`doctor --ci`: a Yarn 1 job after actions/setup-node v7+ `registry-url` with no NODE_AUTH_TOKEN set: every yarn command stops (\"Failed to replace env in config\")"
            fix: "add `NODE_AUTH_TOKEN: ''` (or the token's secret) to the job's `env:`, or give `registry-url` only to a job that does not run yarn";
        CiRegistryTokenUnset "ci-registry-token-unset"
            what: "`doctor --ci`: actions/setup-node `registry-url` names a private registry (not npm's or Yarn's public one; with `scope`, one package.json depends on), and a later npm, pnpm or Bun step that fetches packages gets no NODE_AUTH_TOKEN and no credential for it from the project's own config (whose key beats setup-node's user-level file): the `.npmrc` setup-node writes then gives it setup-node's placeholder token (before v7) or none, and a registry that needs one answers 401"
            fix: "add `NODE_AUTH_TOKEN` with the registry's token secret to the `env:` of that step or job (for GitHub Packages, `${{ secrets.GITHUB_TOKEN }}` with `packages: read`)";
        CiPnpmProjectToken "ci-pnpm-project-token"
            what: "`doctor --ci`: a pnpm 11/12 job whose token is a `${VAR}` in the project .npmrc, which pnpm ignores"
            fix: "add `\"pnpm_config_//host/:_authToken\": ${{ secrets.NAME }}` to the job's `env:` (the finding gives the line)";
        CiVariableDroppedBySh "ci-variable-dropped-by-sh"
            what: "`doctor --ci`: a GitHub step runs a manager under `sh` (`shell: sh`, `defaults.run.shell: sh`, or a `container:` job, whose `run:` steps use `sh` unless told otherwise) and the job gives it a variable whose name is not a shell identifier (`npm_config_//host/:_authToken`, `npm_config_@scope:registry`, `pnpm_config_//…`): dash, `sh` on Ubuntu runners and Debian-based images, drops it before the manager starts, which then sends no credentials"
            fix: "add `shell: bash` to the step (in a container, where the image has bash), or move the value to a variable with a plain name and write the .npmrc line from the step (`echo '//host/:_authToken=${NPM_TOKEN}' >> ~/.npmrc`; the finding gives both)";
        CiGitlabVariableName "ci-gitlab-variable-name"
            what: "`doctor --ci`: a `.gitlab-ci.yml` variable whose name GitLab cannot hold (only letters, digits and _), such as `npm_config_//host/:_authToken`"
            fix: "write the .npmrc line from the job's script instead (`echo '//host/:_authToken=${TOKEN}' >> ~/.npmrc`; the finding gives it)";
        CiDependabotRegistryDiffers "ci-dependabot-registry-differs"
            what: "`doctor --ci`: a `.github/dependabot.yml` npm registry whose URL no route of the project's config uses, or whose `scope` the project sends to another registry"
            fix: "set the registry's `url:` to the one the project routes to (the finding gives it), or change the project's route";
        CiSecretWrittenToCheckout "ci-secret-written-to-checkout"
            what: "`doctor --ci`: a step that writes a secret's value into a config file in the checkout: setup-bun `registries` ending in `|${{ secrets.X }}` or a literal token, `yarn config set npmAuthToken` without `-H`, or a `run:` line writing `${{ secrets.X }}` into a project .npmrc/.yarnrc.yml/bunfig.toml"
            fix: "write a `$NAME` / `${NAME}` reference instead and give the step the variable in `env:` (the finding gives the line)";
        CiUserNpmrcIgnored "ci-user-npmrc-ignored"
            what: "`doctor --ci`: a `run:` line writes ~/.npmrc after NPM_CONFIG_USERCONFIG points elsewhere (setup-node `registry-url`, or `env:`), so the managers that read .npmrc never read it"
            fix: "append to \"$NPM_CONFIG_USERCONFIG\" instead, or remove setup-node's `registry-url`";
        CiSetupBunRewritesBunfig "ci-setup-bun-rewrites-bunfig"
            what: "`doctor --ci`: oven-sh/setup-bun given registries in a repository with a committed bunfig.toml, which it re-serialises as a whole (comments lost, an unparsable file replaced)"
            fix: "keep the registries in the committed bunfig.toml and drop the action's `registries`, or accept that the job's file differs";
        CiSetupBunRegistryDiffers "ci-setup-bun-registry-differs"
            what: "`doctor --ci`: a setup-bun `registries` line sends a group of packages the project's config routes (a scope, or the default) to another registry, so Bun in CI resolves differently from a local install"
            fix: "make the line's URL the project's registry (the finding gives it), or change the project's config";
        CiSetupBunDeprecatedInput "ci-setup-bun-deprecated-input"
            what: "`doctor --ci`: oven-sh/setup-bun's deprecated `registry-url`/`scope`, whose token is `$BUN_AUTH_TOKEN`"
            fix: "use `registries:` (`@scope:URL|$NPM_TOKEN` per line) and give later steps the variable";
        CiRenovateHostDiffers "ci-renovate-host-differs"
            what: "`doctor --ci`: a Renovate `hostRules` `matchHost` that matches no registry the project routes to (host, path or trailing slash), or that is not the `.yarnrc.yml` `npmRegistries` key Yarn matches exactly; or a registry with credentials that no hostRule matches"
            fix: "set `matchHost` to the registry URL the project's config uses, with its path and trailing slash (the finding gives it)";
        CiRenovateNpmrcReplaces "ci-renovate-npmrc-replaces"
            what: "`doctor --ci`: Renovate's `npmrc` without `npmrcMerge: true` in a project with a committed .npmrc, which Renovate then ignores"
            fix: "add `\"npmrcMerge\": true` next to `npmrc`, or move the committed .npmrc's lines into it";
        CiDependabotVariableUnset "ci-dependabot-variable-unset"
            what: "`doctor --ci`: `.github/dependabot.yml` updates the project's npm packages, and a file its manager reads there references `${VAR}` without a fallback (`.yarnrc.yml`'s `npmAuthToken: \"${NPM_TOKEN}\"`): Dependabot sets no variables, so Yarn 2+ stops (\"Environment variable not found\") and the update fails (Dependabot deletes such lines of a committed .npmrc itself)"
            fix: "write the reference with a fallback, `${VAR:-}` (the finding gives the line to write); Yarn then reads it as empty where the variable is unset";
        CiDependabotRegistryUnlinked "ci-dependabot-registry-unlinked"
            what: "`doctor --ci`: a `.github/dependabot.yml` npm registry that no `npm` or `bun` update lists in its `registries`, so Dependabot never uses it"
            fix: "add the registry's name to the npm updates' `registries:`, or remove the entry (`pmrc convert --to dependabot` keeps the entries the project's routes use, linked)";
        CiJobUnclear "ci-job-unclear"
            what: "`doctor --ci`: something about a CI job pmrc cannot tell (which manager or major it runs, variables set by an expression or an unreadable `$GITHUB_ENV` write, a local action it cannot open), so it was not checked"
            fix: "nothing, or make it explicit (packageManager in package.json, a version on the setup action, `env:` entries) so pmrc can check it";
    }
    translation {
        NpmrcRewriteMovesReaders "npmrc-rewrite-moves-readers"
            what: "a conversion writes an .npmrc that the source reads otherwise than npm (pnpm 12's inline comment in a value, a key after a section line) so that the target reads it as the source does; the file's other readers, which read it as npm does, then do otherwise too"
            fix: "check that those managers should send what the source sent; if one must not, name it in pmrc.toml, and pmrc refuses a change that moves it";
        PresentReaderMoved "present-reader-moved"
            what: "a conversion changes a file that another manager whose own file is in the project reads too (npm and the .npmrc, Yarn 1 and its .yarnrc), neither source nor target, so that it requests packages or sends credentials otherwise than now"
            fix: "if that manager is used here, add it to --to so the files are written for it as well; naming the managers in pmrc.toml makes pmrc refuse such a change";
        UserFileLineRemoved "user-file-line-removed"
            what: "`--user`: a line of a user-level file is removed because this project's target must not read it, and every other project of the user that reads the file loses it too (a line nothing here needs gone is kept)"
            fix: "run the same pmrc command without --user to leave the user files as they are, or give the other projects the line in their own files first";
        TargetStopsWhileUnset "target-stops-while-unset"
            what: "the target (Yarn Berry, or Yarn 1 reading its .npmrc) stops every command while a variable its new config references is unset, and it is unset here"
            fix: "set it wherever the manager runs (your shell, the CI job's env), or, if Yarn Berry can work without it, write its optional form ${VAR:-} (Yarn 1 has none)";
        ReaderDropsFileWhileUnset "reader-drops-file-while-unset"
            what: "a manager reading a written file (pnpm 10, any .npmrc) ignores the whole file while a variable it references is unset, and it is unset here (or the file is a user file, which serves every project of the user)"
            fix: "set it wherever the manager runs (your shell, the CI job's env); pnpm 10 has no optional form";
        PlainTextSecret "plain-text-secret"
            what: "a literal secret is written into the target file (it was literal in the source too)"
            fix: "use an environment reference such as ${NPM_TOKEN} in the source, convert again, and rotate the token";
        LossyEnvReference "lossy-env-reference"
            what: "an environment reference the target cannot express (a default, or text around a variable for Bun)"
            fix: "let the variable hold the whole value, without a default";
        LossySharedRegistryCredentials "lossy-shared-registry-credentials"
            what: "groups of packages with different credentials on one registry, where the target keys credentials by registry only"
            fix: "use one credential for that registry, or give each scope a registry URL of its own";
        LossyPublishRegistry "lossy-publish-registry"
            what: "a publish registry the target cannot take from its config file"
            fix: "set publishConfig.registry in package.json";
        LossyBasicAuth "lossy-basic-auth"
            what: "basic auth the target cannot rebuild (from environment references, or a pre-encoded value it must split)"
            fix: "set `_auth` to base64(user:password) yourself, or give the target the user and plain password in variables of their own";
        LossyProxy "lossy-proxy"
            what: "proxies the target cannot express (npm has one proxy for http and https)"
            fix: "use one proxy for both schemes, or set the target's proxy by hand";
        LossyNoproxy "lossy-noproxy"
            what: "noproxy, which Yarn Berry has no setting for"
            fix: "give the hosts that skip the proxy their own networkSettings entries";
        LossyInlineCa "lossy-inline-ca"
            what: "an inline `ca` where the target reads CA certificates only from a file"
            fix: "put the certificate in a file and set cafile";
        LossyClientCertificate "lossy-client-certificate"
            what: "a client certificate in a form the target cannot take (inline PEM, file paths, or per registry)"
            fix: "give the target the certificate and key in the form it reads, by hand";
        DependabotLiteralSecret "dependabot-literal-secret"
            what: "`convert --to dependabot`: a token or password that is literal in the source, or credentials in a registry URL; pmrc writes only `${{secrets.NAME}}` references into dependabot.yml, so it is left out (a reference the entry already holds stays, said as a note)"
            fix: "create the Dependabot secret the message names (Settings → Secrets and variables → Dependabot), reference it from the source as `${NAME}`, and convert again";
        DependabotSecretKept "dependabot-secret-kept"
            what: "`convert --to dependabot`: the source's token or password is `${NAME}`, and the dependabot.yml entry for that registry already takes a Dependabot secret of another name (`${{ secrets.OTHER }}`); Dependabot secrets are a store of their own, so the entry keeps its reference rather than name a secret that may not exist there"
            fix: "make sure the Dependabot secret the entry names holds the same token as the source's variable; to use the source's name instead, create that Dependabot secret and change the entry by hand";
        DependabotScopeIgnoresNpmrc "dependabot-scope-ignores-npmrc"
            what: "`convert --to dependabot`: the conversion writes dependabot.yml's first `scope`, and the committed .npmrc holds settings besides registries and credentials (`legacy-peer-deps`); with a scope Dependabot writes its own .npmrc and ignores the committed one, so those settings stop applying to its updates"
            fix: "if Dependabot's updates need those settings, remove `scope` from dependabot.yml's entries by hand (the committed .npmrc then routes the scopes, and its other settings apply); else nothing";
        DependabotFileNotAtRoot "dependabot-file-not-at-root"
            what: "a .github/dependabot.yml in the project's folder below the repository's root (an earlier pmrc wrote it there): GitHub reads only the root's, so it configures nothing"
            fix: "move its registries and updates into the repository root's .github/dependabot.yml, then delete it";
        DependabotNoUpdate "dependabot-no-update"
            what: "`convert --to dependabot`: the repository's `.github/dependabot.yml` has updates, but no `npm` or `bun` update for the project's folder; its updates are other projects' (a monorepo's), so pmrc links this project's registries to none of them and leaves the file as it is"
            fix: "add an update with `package-ecosystem: \"npm\"` and the `directory` the message names under `updates:`, then convert again";
        DependabotEncodedPassword "dependabot-encoded-password"
            what: "`convert --to dependabot`: the source's password is npm's base64 `_password`, and Dependabot wants the plain password, so it is left out"
            fix: "create a Dependabot secret holding the decoded password and add `username` and `password: ${{secrets.NAME}}` to the entry (the message names it)";
        DependabotCannotHold "dependabot-cannot-hold"
            what: "`convert --to dependabot`: a setting dependabot.yml has no place for (TLS, proxies, always-auth, a publish registry, credentials keyed by a path below a registry, a pre-encoded `_auth`)"
            fix: "nothing for Dependabot to do; keep the setting in the managers' own files, or give the registry an entry by hand";
        LossyNetworkSettings "lossy-network-settings"
            what: "TLS, proxy or per-host network settings the target's file cannot hold"
            fix: "set them in the target's environment (HTTPS_PROXY, NO_PROXY) or by hand";
        CredentialsDiffer "credentials-differ"
            what: "after translation the target would send other credentials for a group of packages"
            fix: "read the warnings before it: they say what the target cannot express; change the source so both can";
        DefaultAsParentKey "default-as-parent-key"
            what: "a token's default (`${VAR:-default}`) written for npm as `${VAR?}` plus the default at the parent key, which npm uses when the variable is unset or empty"
            fix: "nothing; if the default is a literal secret, it was one in the source too (see plain-text-secret)";
        CredentialSentElsewhere "credential-sent-elsewhere"
            what: "after translation the target would send a credential to a registry whose host and port its key does not name, where the source sends none (pmrc writes nothing)"
            fix: "key the credential to the registry it is for (`//host:port/path/:_authToken`), or delete it if nothing uses it, then convert again";
        RouteDiffers "route-differs"
            what: "after translation the target would request another registry for a group of packages"
            fix: "read the warnings before it: they say what the target cannot express; change the source so both can";
        RegistryWrittenOut "registry-written-out"
            what: "a conversion writes the source's registry out for a group of packages, because a file pmrc does not write would otherwise give the target another (Yarn 1's `.yarnrc` `registry`, a parent folder's `.yarnrc.yml` scope); the line written wins over it"
            fix: "nothing; to leave the registry to the default instead, remove the line the finding points at and convert again";
        RegistryNotWrittenOut "registry-not-written-out"
            what: "a conversion did not write the source's registry out for a group of packages that a file pmrc does not write sends elsewhere for the target (see registry-written-out): the line would not have mended the group, or would have moved another group or another manager, or a user-level file pmrc did not read sets a registry, or with several targets it would have gone into a file the source reads, or the source's URL holds credentials, a query or a variable that pmrc does not copy; the finding says which"
            fix: "as the finding says: pass --user to have the user files read, or convert to that target alone; else point the target at the registry by hand where route-differs shows";
        TargetStopsRequest "target-stops-request"
            what: "after translation the target would stop a request the source sends, because of a file it reads that pmrc does not write (a parent folder's) or a line another manager keeps: Yarn's YN0033 for npmAlwaysAuth without credentials"
            fix: "give that registry's entry its credentials, or set npmAlwaysAuth: false where it is set, then convert again";
        PackageJsonUnreadable "package-json-unreadable"
            what: "package.json does not parse, so the pnpm version it may name is unknown and the newest rules are used"
            fix: "fix package.json, or name the version on the command line (pnpm@10, pnpm@11, pnpm@12)";
        ProjectRoot "project-root"
            what: "pmrc was pointed at a folder without config (a workspace member) and works in the nearest folder above it that has some"
            fix: "nothing; pass --dir to work somewhere else";
        SameRules "same-rules"
            what: "the target reads the source's files and does the same with them (the same manager and major, or pnpm 11 and 12 on these files): nothing to change"
            fix: "nothing";
        TargetOnlySettingRemoved "target-only-setting-removed"
            what: "with --check, a scope or a host's credentials that a target's own file holds and the source does not (added to the target by hand), which the change removes: --write would remove it"
            fix: "add it to the source's config and run the same command again; or, if it should go, run it with --write instead of --check";
        TargetAlreadyAlike "target-already-alike"
            what: "every target, each one whose own config is .npmrc (pnpm, Deno, Yarn 1; not Bun, whose conversion writes bunfig.toml), already sends what the source sends, to the same registries, reading the files as they are (user files included): nothing is written, since a copy of a line it reads would only hide later edits of that line (a token renewed in ~/.npmrc under a copy in pnpm's auth.ini)"
            fix: "nothing";
        UserconfigNotApplied "userconfig-not-applied"
            what: "NPM_CONFIG_USERCONFIG is set in the environment pmrc runs in (actions/setup-node sets it), so npm and the managers that honour it read that file instead of ~/.npmrc, but without --env pmrc reads the home folder's"
            fix: "run the same command again with --env (and --user) to read the file the variable names";
        UserFilePassedOver "user-file-passed-over"
            what: "a user-level file the manager does not read here though it is where the manager reads one elsewhere (Bun's ~/.bunfig.toml while XDG_CONFIG_HOME is set: Bun reads $XDG_CONFIG_HOME/.bunfig.toml instead)"
            fix: "move its settings to the file the manager reads here ($XDG_CONFIG_HOME/.bunfig.toml), or unset XDG_CONFIG_HOME where the manager runs";
        UserFilesNotRead "user-files-not-read"
            what: "user-level files the manager reads exist but were not read (no --user): what it sends may differ from what pmrc says"
            fix: "run the same command again with --user";
        PnpmVersion "pnpm-version"
            what: "which pnpm major's rules were used, and why"
            fix: "name the major when it is not the one the project uses: pnpm@10, pnpm@11 or pnpm@12, or packageManager in package.json";
        PnpmEnvCredentialNeedsUserFile "pnpm-env-credential-needs-user-file"
            what: "a ${VAR} credential pnpm ignores in the project .npmrc, with the line the user file needs"
            fix: "run the same pmrc command again with --user, or add the printed line to the user file";
        PnpmEnvRegistryNeedsUserFile "pnpm-env-registry-needs-user-file"
            what: "a ${VAR} registry URL pnpm does not expand in a project file, with the line the user file needs"
            fix: "run the same pmrc command again with --user, or add the printed line to the user file";
        PnpmYamlEnvReference "pnpm-yaml-env-reference"
            what: "an environment reference in pnpm-workspace.yaml routing: pnpm 11 drops the value and pnpm 12 stops"
            fix: "write the URL literally, or move it to .npmrc";
        Pnpm10DropsFile "pnpm10-drops-file"
            what: "an .npmrc pnpm 10 can never load, with the error pnpm 10 throws: a top-level key or value holds `${VAR?}`, `${VAR:?message}`, `${VAR:-}` or `${VAR-}` (pnpm 10 looks up a variable so named), `tokenHelper` holds a variable, a value in double quotes is not JSON, or a `[name]` section follows a `name` setting; pnpm 10 ignores the whole file, its registries included"
            fix: "change the line the message names as it says: for a variable, write `${VAR}` (set in every run) or `${VAR:-default}`, or keep the optional credential in a file pnpm 10 does not read";
        Pnpm10IgnoresYamlRegistry "pnpm10-ignores-yaml-registry"
            what: "`registry:` in pnpm-workspace.yaml, which pnpm 10 ignores"
            fix: "use `registries: { default: ... }` or `registry=` in .npmrc";
        PnpmRegistriesKey "pnpm-registries-key"
            what: "a `registries` key that is neither `default` nor `@scope`, which pnpm ignores"
            fix: "key it `default` or `@scope`";
        Pnpm10YamlRegistriesReplaceScopes "pnpm10-yaml-registries-replace-scopes"
            what: "pnpm 10 takes the yaml `registries` map instead of every `@scope:registry` in .npmrc, and the map leaves out (or routes elsewhere) a scope .npmrc names"
            fix: "add the scope to the yaml `registries` with the .npmrc's URL (keep .npmrc's line: npm, Yarn 1, Bun and Deno read it)";
        PnpmMemberNpmrc "pnpm-member-npmrc"
            what: "a workspace member's .npmrc: pnpm 10 reads it over the root's, 11/12 ignore it"
            fix: "move its settings to the workspace root's .npmrc";
        YarnMemberYarnrc "yarn-member-yarnrc"
            what: "a workspace member's own .yarnrc.yml with registry or auth settings, which Yarn run in the member reads over the root's: what pmrc converts or checks at the root does not cover it"
            fix: "move its settings into the workspace root's .yarnrc.yml, which pmrc converts and checks";
        MemberConfigIgnored "member-config-ignored"
            what: "a workspace member's own .npmrc or bunfig.toml, which npm, Bun and Deno ignore when run in the member: they read the workspace root's"
            fix: "move its settings to the workspace root's file (Yarn 1 and pnpm 10 run in the member read its .npmrc: keep it where they need it)";
        WorkspaceProjectsListed "workspace-projects-listed"
            what: "pnpm run in a member of a package.json `workspaces` root works from that root (reads its config) only where the root's pnpm-workspace.yaml lists the member in `packages`; without it the member is a project of its own and reads none of the root's config. pmrc writes `packages` from package.json's `workspaces`, or says what to add where it cannot"
            fix: "list the members in pnpm-workspace.yaml's `packages` as package.json's `workspaces` does (a conversion to pnpm writes it), and keep the two alike";
        MemberReadApart "member-read-apart"
            what: "run in a workspace member, a manager that reads other settings there (Yarn 1 the member's .npmrc, npm none of a root that only a pnpm-workspace.yaml makes one) than at the workspace root another manager of the run works from, where doctor checked them all"
            fix: "check that manager on its own, as run in the member: `pmrc doctor --manager <it>` there";
        PnpmScopeToken "pnpm-scope-token"
            what: "a pnpm 11/12 scope token (`//host/:@scope:_authToken`), which npm, Yarn 1, Bun and Deno ignore"
            fix: "key the token by the scope's registry URL for the other managers";
        CredentialKeyReference "credential-key-reference"
            what: "a credential key that names its registry through `${VAR}` (`//${HOST}/npm/:_authToken`), which this manager reads as written and never matches: only npm, and pnpm in its user file, expand it"
            fix: "for this manager, key the credentials by the registry's host and path written out, not through the variable (for Yarn 4, give a scope's token under npmScopes.<scope>.npmAuthToken instead)";
        PnpmTokenHelper "pnpm-token-helper"
            what: "a tokenHelper, which only pnpm runs; pmrc cannot translate it"
            fix: "give the other managers the token through an environment variable";
        PnpmAuthInWorkspaceYaml "pnpm-auth-in-workspace-yaml"
            what: "structured `_auth` in pnpm-workspace.yaml, which pnpm reads only from its global config.yaml"
            fix: "move it to pnpm's config.yaml, or to auth.ini as `//host/:_authToken`";
        YarnLegacyCaFilePath "yarn-legacy-ca-file-path"
            what: "`caFilePath`, which Yarn 4 rejects; pmrc reads and writes it as `httpsCaFilePath`"
            fix: "rename it to httpsCaFilePath";
        YarnrcFlagLine "yarnrc-flag-line"
            what: "a command-line flag line in .yarnrc, which pmrc does not translate; but `--registry`, which Yarn 1 applies over every file's `registry` and pmrc reads as Yarn 1's default registry, while a conversion to Yarn 1 writes `.npmrc`, whose `registry` the line still overrides; a warning for a command's own registry (`--install.registry`), which pmrc does not read"
            fix: "carry a flag over by hand if the target has such a setting";
        YarnrcKeyNotTranslated "yarnrc-key-not-translated"
            what: "a Yarn 1 setting pmrc does not translate: not about registries, auth or the network, or a network setting (`network-timeout`) its model has no place for"
            fix: "carry it over by hand if the target has such a setting";
        EnvIdentAssumedBase64 "env-ident-assumed-base64"
            what: "an npmAuthIdent from a variable becomes `_auth`, which is sent as it is"
            fix: "make sure the variable holds base64(user:password), not user:password";
        InvalidPasswordBase64 "invalid-password-base64"
            what: "a `_password` that is not base64 of a text password (npm sends garbage for it)"
            fix: "set `_password` to base64 of the password";
        ClientCertificatePerHost "client-certificate-per-host"
            what: "Yarn picks client certificates by hostname, so a registry's certificate applies to the whole host"
            fix: "nothing, unless other registries on that host need another certificate";
        UnusedCredential "unused-credential"
            what: "credentials no registry in use needs, which pmrc does not carry over"
            fix: "nothing, unless a registry that is not configured needs them: configure it";
        BunEntryCredentialsMoved "bun-entry-credentials-moved"
            what: "Bun keeps a registry's credentials with its URL, so they are written at the URL's level"
            fix: "nothing: they hold only environment references, safe at either level";
        BunIgnoredKey "bun-ignored-key"
            what: "a key Bun does not read in a registry table of bunfig.toml (a scope without `url` goes to the default registry)"
            fix: "write the registry as `url`, e.g. `acme = { url = \"https://...\" }`";
        PnpmCredentialsKeptInNpmrc "pnpm-credentials-kept-in-npmrc"
            what: "a registry or proxy URL with credentials in it is written to .npmrc only, not to pnpm-workspace.yaml (meant to be committed); pnpm reads .npmrc too"
            fix: "nothing, or move the credentials out of the URL into `//host/:_auth` in .npmrc or pnpm's auth.ini";
        BunScopeLeftInNpmrc "bun-scope-left-in-npmrc"
            what: "a scope's registry URL holds a `${VAR}`, which Bun expands in .npmrc but not inside a URL in bunfig.toml: the scope stays in .npmrc, which Bun reads, and is not written to bunfig.toml, whose entry would win"
            fix: "nothing; to keep the scope in bunfig.toml, hold the whole URL in one variable (`acme = \"$ACME_REGISTRY\"`)";
        BunEntryMovedToUser "bun-entry-moved-to-user"
            what: "a registry entry moves to the user bunfig.toml with its literal secret, so the project no longer routes it"
            fix: "use an environment reference for the secret to keep the entry in the project";
        NpmMajorMigration "npm-major-migration"
            what: "a line rewritten for another npm major: npm 12 refuses top-level email, certfile and keyfile (ERR_INVALID_AUTH), which npm 11 only warned about"
            fix: "nothing; review the diff";
        NpmMajorNeedsDecision "npm-major-needs-decision"
            what: "what the other npm major does differently and only a person can decide (allow-remote, strict-npmrc), with the exact line to add"
            fix: "add the line the message gives if it applies to this project";
        DenoIgnoresNetworkSettings "deno-ignores-network-settings"
            what: "TLS or proxy settings a Deno target cannot take from .npmrc (Deno reads DENO_CERT, HTTP_PROXY/HTTPS_PROXY/NO_PROXY and its flags)"
            fix: "set the environment variable Deno reads where Deno runs (the message names it)";
        EnvRcFile "env-rc-file"
            what: "`pmrc env`: variables cannot give the target what the source says (a scope for Yarn Berry, Bun or Deno, a registry's token for Yarn 1 or pnpm 10, a name the output format cannot hold), so the job writes the user-level rc file printed with them"
            fix: "write the printed file in the job before the install, with the variable that points the manager at it (both are in the output)";
        EnvLiteralSecret "env-literal-secret"
            what: "`pmrc env`: the source holds a literal credential, which pmrc never prints; the output references a CI secret variable (named in the message) instead"
            fix: "create that CI secret holding the credential, replace the literal in the source with ${NAME}, and rotate the credential";
        EnvVariableIgnored "env-variable-ignored"
            what: "`--env` / `--env-file`: a variable in a manager's space that it does not use (npm_config_registry for pnpm 11+, `npm_config_//…` for pnpm 10 and Yarn 1, a misspelt case for Bun or Deno)"
            fix: "set the variable the manager reads instead (the message says which), or remove it";
        EnvVariableFatal "env-variable-fatal"
            what: "`--env` / `--env-file`: a variable that stops every command of the manager (Yarn Berry's unknown or map `YARN_*` names, such as Yarn 1's YARN_NETWORK_TIMEOUT)"
            fix: "remove the variable from the job or the environment, or give it the name of a setting Yarn 4 has (`yarn config` lists them; Yarn 1's network timeout is YARN_HTTP_TIMEOUT): the same unknown name in .yarnrc.yml stops Yarn too";
        EnvTokenSpreads "env-token-spreads"
            what: "`pmrc env`: the variable sets a top-level credential that the manager also sends to every registry without one of its own (Yarn Berry's `YARN_NPM_AUTH_TOKEN`, Yarn 1's `_auth`)"
            fix: "use it only where every registry the job reaches should get that credential; otherwise give the others their own in the rc file";
    }
}

impl Code {
    pub fn id(self) -> &'static str {
        self.diagnostic().id
    }

    /// A conversion's finding that a target would still not do what the source does.
    pub fn leaves_targets_apart(self) -> bool {
        matches!(
            self,
            Code::RouteDiffers
                | Code::TargetStopsRequest
                | Code::CredentialsDiffer
                | Code::CredentialSentElsewhere
                | Code::PnpmEnvCredentialNeedsUserFile
                | Code::PnpmEnvRegistryNeedsUserFile
        )
    }

    /// Findings the `.npmrc` reader makes about npm itself, which do not hold for the other
    /// managers reading the same file (Yarn 1 honours always-auth and top-level `_auth`).
    pub fn is_about_npm_itself(self) -> bool {
        matches!(
            self,
            Code::NpmLegacyTopLevelAuth | Code::NpmAlwaysAuthIgnored
        )
    }

    /// The row whose id this is.
    pub fn from_id(id: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.id() == id)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.id() == *other
    }
}

/// The table as Markdown: `docs/diagnostics.md`, which a test keeps up to date.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\nEvery finding pmrc prints has a stable code. This page is generated from \
         `src/diagnostics.rs` (`PMRC_BLESS=1 cargo test --test diagnostics` rewrites it).\n",
    );
    for (title, rows) in [
        ("## `pmrc doctor` rules", DOCTOR_RULES),
        ("## Reading and translating", TRANSLATION_NOTES),
    ] {
        out.push_str(&format!(
            "\n{title}\n\n| code | what it finds | what to do |\n|---|---|---|\n"
        ));
        for d in rows {
            let cell = |s: &str| s.replace('|', "\\|");
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                d.id,
                cell(d.what),
                cell(d.fix)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_row() {
        let mut ids = rustc_hash::FxHashSet::default();
        for &code in Code::ALL {
            let d = code.diagnostic();
            assert_eq!(d.code, code, "{} is in the wrong place in the table", d.id);
            assert!(ids.insert(d.id), "{} twice", d.id);
            assert!(!d.what.is_empty() && !d.fix.is_empty(), "{}", d.id);
            assert_eq!(Code::from_id(d.id), Some(code));
        }
    }
}
