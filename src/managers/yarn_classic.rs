//! Yarn 1.22 (spec/yarn.md part B): routing and all auth from `.npmrc`, TLS and proxies from
//! `.yarnrc`; credentials only at the registry's exact URL (port as written), or npm's
//! registry's for Yarn's own default registry, `always-auth` honoured.

use super::{FileSpec, Place, Rules, TarballRequest, WrittenAs, configured_registry, spec};
use crate::diagnostics::Code;
use crate::env_config::{self, EnvRead, EnvVar, RcFile};
use crate::error::Result;
use crate::formats::Format;
use crate::model::{AuthKey, Credentials, Model, PasswordEncoding};
use crate::registry_url::RegistryUrl;
use crate::resolve::{Authorization, Lookup, Packages, Route, UrlUserinfo, npm_authorization};
use crate::template::Dialect;
use crate::warning::Warning;

pub struct YarnClassic;

const PUBLIC_REGISTRY: &str = "https://registry.yarnpkg.com/";
/// Yarn 1's default registry as it compares it with the one a request goes to: a configured
/// registry takes npm's credentials only when spelled exactly so.
const YARN_REGISTRY_AS_DEFAULT: &str = "https://registry.yarnpkg.com";
/// Where npm's own registry keeps its credentials.
const NPM_REGISTRY_KEY: &str = "//registry.npmjs.org/";

impl Rules for YarnClassic {
    fn npmrc_is_its_own_config(&self) -> bool {
        true
    }

    fn reads_variable(&self, name: &str) -> Option<EnvRead> {
        let rest = env_config::strip_prefix_ignore_case(name, "npm_config_")
            .or_else(|| env_config::strip_prefix_ignore_case(name, "yarn_"))?;
        let key = env_config::yarn_classic_env_key(rest);
        Some(if key.starts_with("//") || key.contains('.') {
            EnvRead::Ignored(format!(
                "Yarn 1 lower-cases the name and nests at every `.` (`{key}`), so a registry's credential cannot come from a variable"
            ))
        } else if key == "_authtoken" {
            EnvRead::Ignored(
                "Yarn 1 reads an unkeyed `_authToken` from no variable; only `_auth` works".into(),
            )
        } else {
            EnvRead::Setting(key)
        })
    }
    fn env_form(
        &self,
        routes: &[Route],
    ) -> std::result::Result<crate::env_config::EnvForm, String> {
        let set = env_config::RouteSet::of(routes);
        let mut form = crate::env_config::EnvForm::default();
        if let Some(registry) = set.custom_default_registry() {
            form.variables.push(EnvVar::registry(
                "npm_config_registry",
                &env_config::registry_url(Some(registry), PUBLIC_REGISTRY),
            ));
        }
        for (scope, route) in &set.scopes {
            form.variables.push(EnvVar::registry(
                format!("npm_config_{}:registry", env_config::scope_key(scope)),
                &env_config::registry_url(route.registry.as_deref(), PUBLIC_REGISTRY),
            ));
        }
        let all: Vec<&Route> = set
            .unscoped
            .into_iter()
            .chain(set.scopes.iter().map(|(_, r)| *r))
            .collect();
        let credentials: Vec<&Authorization> = all
            .iter()
            .filter_map(|r| r.authorization.as_ref())
            .collect();
        let Some(first) = credentials.first() else {
            return Ok(form);
        };
        let Authorization::Basic(ident) = first else {
            return Err("Yarn 1 lower-cases variable names and nests them at every `.`, so `npm_config_//host/:_authToken` is lost; it takes only a top-level `_auth` from a variable".into());
        };
        if credentials.len() != all.len() || credentials.iter().any(|c| c != first) {
            return Err("Yarn 1 takes only one top-level `_auth` from a variable, which it sends to every registry; here the registries need different credentials".into());
        }
        form.variables
            .push(EnvVar::text("NPM_CONFIG__AUTH", ident.when_set()));
        form.variables
            .push(EnvVar::literal("NPM_CONFIG_ALWAYS_AUTH", "true"));
        form.warnings.push(Warning::new(
            Code::EnvTokenSpreads,
            "NPM_CONFIG__AUTH is Yarn 1's top-level `_auth`: with always-auth it goes to every registry without a credential of its own, tarball hosts included",
            None,
        ));
        Ok(form)
    }
    fn env_rc_file(&self) -> Option<RcFile> {
        Some(RcFile::user_npmrc(super::Manager::YarnClassic))
    }
    fn programs(&self) -> &'static [&'static str] {
        &["yarn"]
    }

    /// The runner's global Yarn is 1.22.
    fn runner_program_runs_it(&self, _dir: &std::path::Path) -> bool {
        true
    }

    /// Yarn 1's `envReplace` throws "Failed to replace env in config" for an unset
    /// variable in the `.npmrc` it reads, in every command (yarnpkg/yarn#6130; spec/ci-env.md
    /// §1.3; its `.yarnrc` has no references).
    /// Npm's optional `${VAR?}` is no form of Yarn 1's: it looks up a variable named `VAR?`,
    /// which is never set, whether VAR is or not (conformance: yarn1_stops_on_an_optional_reference).
    fn stops_on_reference(
        &self,
        name: &str,
        form: &crate::template::Unset,
        set: bool,
    ) -> Option<String> {
        use crate::template::Unset;
        match form {
            Unset::Empty => Some(format!("Failed to replace env in config: ${{{name}?}}")),
            Unset::Strict if !set => Some(format!("Failed to replace env in config: ${{{name}}}")),
            _ => None,
        }
    }

    /// A default form (`${VAR:-d}`, `${VAR-d}`, Yarn Berry's and pnpm's) is none of Yarn 1's
    /// either: it looks up a variable named `VAR:-d` and stops (spec/yarn.md B3, Y37). npm
    /// reads such a name as text, so it is in a value's text, not its references. Only
    /// `.npmrc` lines are expanded: `.yarnrc` has no references, and a value from the
    /// environment (an origin at line 0) is taken as it is.
    fn stops_on_value(
        &self,
        value: &crate::template::Template,
        origin: Option<&crate::model::Origin>,
        secret: bool,
    ) -> Option<String> {
        let expanded =
            origin.is_some_and(|o| o.line > 0 && o.file.file_name().is_none_or(|n| n != ".yarnrc"));
        if !expanded || !value.has_literal_text() {
            return None;
        }
        // The value as Yarn 1's `envReplace` meets it, references written back in: the
        // `${B}` of `${A:-${B}}` is npm's reference but part of the name Yarn 1 looks up.
        let as_read = value.render(Dialect::Npm).0;
        references_it_lacks(&as_read)
            .next()
            .map(|(escapes, inner)| {
                let quoted = if secret {
                    default_masked(inner)
                } else {
                    inner.into()
                };
                format!("Failed to replace env in config: {escapes}${{{quoted}}}")
            })
    }

    /// Yarn 1's `yarn.lock` opens with this comment.
    fn lockfile_mark(&self) -> Option<(&'static str, &'static str)> {
        Some(("yarn.lock", "# yarn lockfile v1"))
    }

    fn name(&self) -> &'static str {
        "yarn-classic"
    }

    fn label(&self) -> &'static str {
        "Yarn 1.22"
    }

    /// ini 1.3.8: `[s] ` (a blank after the `]`) is a key, and the settings after it are
    /// read (real Yarn 1.22.22 against a loopback registry).
    fn npmrc_dialect(&self) -> crate::formats::npmrc::IniDialect {
        crate::formats::npmrc::IniDialect::Ini138
    }

    /// Each store's parent folders lowest (a nearer one over a farther), the home file over
    /// them and the project's over all (spec yarn.md B1; real Yarn 1.22.22 took `registry`
    /// from `../.npmrc` and `../.yarnrc`, and `~/.npmrc` over `../.npmrc`). Its walk stops
    /// below `/` (`while (foldersFromRootToCwd.length > 1)` in its cli.js; from a review).
    fn sources(&self) -> Vec<FileSpec> {
        vec![
            spec(".yarnrc", Format::Yarnrc, Place::ParentsBelowRoot),
            spec(".yarnrc", Format::Yarnrc, Place::Home),
            spec(".yarnrc", Format::Yarnrc, Place::Project),
            spec(".npmrc", Format::Npmrc, Place::ParentsBelowRoot),
            spec(".npmrc", Format::Npmrc, Place::Home),
            spec(".npmrc", Format::Npmrc, Place::Project),
        ]
    }

    /// A workspace member's own `.npmrc`, which Yarn 1 run in the member reads over the
    /// root's, where the source does not (from a trial: npm → Yarn 1 at the root said
    /// nothing, and real Yarn 1 in `packages/a` sent `@corp` to the member's registry with
    /// its token, npm to the root's).
    fn target_warnings(
        &self,
        dir: &std::path::Path,
        from: super::Manager,
        written: &Model,
    ) -> Result<Vec<Warning>> {
        let mut warnings = super::workspaces::member_npmrcs_read_apart(
            super::Manager::YarnClassic,
            dir,
            super::workspaces::members(dir),
            from,
        );
        warnings.extend(always_auth_under_strict_npmrc(dir, written));
        Ok(warnings)
    }

    /// Yarn 1 takes auth only from `.npmrc`, and `.npmrc` routing beats `.yarnrc`.
    fn targets(&self) -> Vec<FileSpec> {
        vec![
            spec(".npmrc", Format::Npmrc, Place::Project),
            spec(".npmrc", Format::Npmrc, Place::Home),
        ]
    }

    /// Yarn 1 resolves the package against the registry URL, which leaves its query out:
    /// `/npm/left-pad` under `https://h/npm/?channel=beta` (from a real run: Yarn 1.22.22).
    fn keeps_registry_query(&self) -> bool {
        false
    }

    /// Basic of the userinfo as written, over a matching key (conformance
    /// `npm_registry_userinfo_*_to_yarn1`).
    fn url_userinfo(&self) -> UrlUserinfo {
        UrlUserinfo::Basic {
            decoded: false,
            over_keys: true,
            empty_user_is_bearer: false,
            to_tarballs: false,
        }
    }
    fn dialect(&self) -> Dialect {
        Dialect::YarnClassic
    }

    fn marker_file(&self) -> &'static str {
        ".yarnrc"
    }

    fn public_registry(&self) -> &'static str {
        PUBLIC_REGISTRY
    }
    /// Its routing goes into `.npmrc`, where npm, pnpm, Bun and Deno use npm's by default.
    fn public_registry_written(&self) -> &'static str {
        super::npm::PUBLIC_REGISTRY
    }

    /// `doctor --fix` mends it; the table's prose would not run as printed.
    fn fix_command(&self, code: Code, _dir: &std::path::Path, dir_arg: &str) -> Option<String> {
        match code {
            Code::YarnrcUnquotedUrl => Some(format!(
                "run `pmrc doctor --fix --write{dir_arg}` (double-quotes the value)"
            )),
            Code::YarnrcReadAsYaml => Some(format!(
                "run `pmrc doctor --fix --write{dir_arg}` (double-quotes the key; Yarn 1 then reads the whole file, so review the diff it shows first)"
            )),
            Code::YarnrcKeyValueLine => Some(format!(
                "run `pmrc doctor --fix --write{dir_arg}` (writes it `key \"value\"`; Yarn 1 then reads the whole file, so review the diff it shows first)"
            )),
            _ => None,
        }
    }

    fn fix_file(&self, format: Format, text: &str) -> Option<String> {
        (format == Format::Yarnrc)
            .then(|| crate::formats::yarnrc::fix_ignored_file(text))
            .flatten()
    }

    fn written_as(&self) -> WrittenAs {
        WrittenAs::Npmrc
    }

    /// `npm-registry.js`: credentials only at the registry's exact nerf dart (with a
    /// trailing slash; also without a final `registry/` segment), else the unscoped ones;
    /// sent for scoped packages, and for unscoped ones only with always-auth.
    fn route(&self, model: &Lookup<'_>, packages: Packages) -> Route {
        let configured = configured_registry(model, &packages);
        let registry = configured.map(|v| v.value.render(Dialect::Npm).0);
        let effective = registry
            .clone()
            .unwrap_or_else(|| PUBLIC_REGISTRY.to_string());
        let mut keys = Vec::new();
        if let Some(url) = RegistryUrl::parse(&effective) {
            let key = url
                .with_host_case_of(&effective)
                .registry_nerf_dart_as_written();
            if let Some(shorter) = key.strip_suffix("registry/") {
                keys.push(shorter.to_string());
            }
            keys.insert(0, key);
        }
        let mut exact = keys
            .iter()
            .find_map(|k| model.credential(&AuthKey::Url(k.clone())));
        let global = model.auth.get(&AuthKey::Fallback);
        // Each credential name is looked up per registry first, then globally.
        let merged_with = |exact: Option<(&AuthKey, &Credentials)>| {
            let pick = |f: fn(&Credentials) -> &Option<crate::model::Value>| {
                exact
                    .and_then(|(_, c)| f(c).clone())
                    .or_else(|| global.and_then(|g| f(g).clone()))
            };
            Credentials {
                token: pick(|c| &c.token),
                ident: pick(|c| &c.ident),
                username: pick(|c| &c.username),
                password: pick(|c| &c.password),
                password_encoding: Some(PasswordEncoding::Base64),
                always_auth: pick(|c| &c.always_auth).or_else(|| model.always_auth.clone()),
                ..Credentials::default()
            }
        };
        let merged = merged_with(exact);
        // Whether to send is the requested registry's `always-auth`, even where the
        // credentials come from npm's registry below.
        let sends = (matches!(packages, Packages::Scope(_)) || merged.always_auth())
            && !has_query(registry.as_deref());
        let mut authorization = if sends {
            npm_authorization(&merged)
        } else {
            None
        };
        // Yarn's registry, spelled as Yarn 1's default is (no trailing slash), also takes the
        // credentials written for npm's (`getAuth`: "we must also send it the auth token for
        // the npm registry"), so `npm login`'s token is sent there (spec/yarn.md, B).
        if sends
            && authorization.is_none()
            && registry
                .as_deref()
                .is_none_or(|r| r == YARN_REGISTRY_AS_DEFAULT)
        {
            let npm_key = AuthKey::Url(NPM_REGISTRY_KEY.to_string());
            let npm_exact = model.credential(&npm_key);
            if let Some(npm) = npm_authorization(&merged_with(npm_exact)) {
                authorization = Some(npm);
                exact = npm_exact;
            }
        }
        // Credentials an unscoped request leaves behind for want of always-auth keep their
        // key, as Yarn 4's route does: explain then names always-auth as the reason, and
        // doctor warns (from a trial: real Yarn 1.22.22 sent no token for `left-pad` with
        // its registry's exact key in `.npmrc`; "Yarn 1 looks only at the registry's exact
        // URL" blamed the key).
        let held_back = authorization.is_none()
            && !sends
            && !has_query(registry.as_deref())
            && npm_authorization(&merged).is_some();
        let (credential_key, origin) = match (&authorization, exact) {
            (None, _) if !held_back => (None, None),
            (_, Some((k, c))) if c.authenticates() => (Some(k.clone()), c.origin().cloned()),
            (_, _) => (
                Some(AuthKey::Fallback),
                global.and_then(|g| g.origin().cloned()),
            ),
        };
        Route {
            packages,
            registry,
            authorization,
            credential_key,
            credential_origin: origin,
            credential_in_url: false,
            registry_read: None,
        }
        // Yarn 1 keeps an odd run of backslashes before `${`, which pmrc reads as npm does:
        // such a route claims no reading, and is compared by its spelling.
        .read_from(configured.filter(|v| !v.value.holds_escaped_reference()))
    }

    fn unscoped_credentials_need_always_auth(&self) -> bool {
        true
    }

    fn sends_credentials_keyed_elsewhere(&self) -> bool {
        true
    }

    /// `getRegistryOption` tries the registry's own URL (and without a final `registry/`),
    /// no parent (from a trial: real Yarn 1.22.22 sent nothing for a GitLab project registry
    /// with a token at `//host/api/v4/`, which npm, pnpm, Bun and Deno sent).
    fn parent_key_not_walked(&self) -> Option<&'static str> {
        Some("Yarn 1 does not walk up")
    }

    /// Any `.npmrc` `registry` or `@scope:registry` beats `.yarnrc`'s (spec Y5, Y5c); a flag
    /// line beats `.npmrc` (Y11).
    fn line_beats_user_file(&self, changed: Format, user: &crate::discover::ConfigFile) -> bool {
        changed == Format::Npmrc
            && user.format == Format::Yarnrc
            && user
                .text
                .as_deref()
                .is_some_and(|text| !crate::formats::yarnrc::has_registry_flag_lines(text))
    }

    /// `npm-registry.js` builds the key from the registry URL as written: `http://h:80/`
    /// looks for `//h:80/` (errata: default ports).
    fn npmrc_key_for(&self, registry: &str) -> Option<String> {
        RegistryUrl::parse(registry).map(|url| {
            url.with_host_case_of(registry)
                .registry_nerf_dart_as_written()
        })
    }

    fn credential_reason(&self, route: &Route) -> String {
        let sent = route.authorization.is_some();
        match (&route.credential_key, sent) {
            (None, _) if has_query(route.registry.as_deref()) => {
                "no credentials: Yarn 1 sends them only with a request whose URL starts with the registry's, query and all".into()
            }
            (None, _) => {
                "no credentials: Yarn 1 looks only at the registry's exact URL and the unscoped keys".into()
            }
            (Some(AuthKey::Url(k)), false) => format!(
                "`{k}` is the registry's exact URL, but Yarn 1 sends credentials with unscoped packages only with always-auth=true, which is set neither for this registry (`{k}:always-auth=true`) nor at the top level"
            ),
            (Some(_), false) => {
                "the unscoped credentials exist, but Yarn 1 sends credentials with unscoped packages only with always-auth=true, which is set neither for this registry nor at the top level".into()
            }
            (Some(AuthKey::Url(k)), _)
                if k == NPM_REGISTRY_KEY
                    && route.registry.as_deref().is_none_or(|r| r == YARN_REGISTRY_AS_DEFAULT) =>
            {
                format!(
                    "`{k}` is npm's registry, whose credentials Yarn 1 also sends to its own default registry"
                )
            }
            (Some(AuthKey::Url(k)), _) => {
                format!("`{k}` is the registry's exact URL (Yarn 1 does not walk up the path)")
            }
            (Some(AuthKey::Fallback), _) => {
                "the unscoped credentials, which Yarn 1 uses for a registry without its own".into()
            }
            (Some(k), _) => format!("credentials at {k}"),
        }
    }

    fn tarball_credentials(&self, req: &TarballRequest) -> (Option<Authorization>, String) {
        if req.under_registry() {
            (
                req.route.authorization.clone(),
                "the tarball is under the registry's URL, so Yarn 1 treats it like the packument"
                    .into(),
            )
        } else {
            (
                None,
                "outside the registry's URL: Yarn 1 sends nothing".into(),
            )
        }
    }

    /// npm-resolver.js's `cleanRegistry`: while Yarn's own `registry` (`.yarnrc`, a
    /// `YARN_REGISTRY` variable) is its default, a tarball on registry.npmjs.org is asked of
    /// https://registry.yarnpkg.com instead (from a trial: real Yarn 1.22.22, the registry
    /// set in `.npmrc` only, went to registry.yarnpkg.com for such a tarball, and to
    /// registry.npmjs.org once `.yarnrc` named a registry).
    fn tarball_fetched_at(
        &self,
        _model: &Model,
        tarball: &RegistryUrl,
        _major: Option<u8>,
        files: &[crate::discover::ConfigFile],
        env_vars: &[crate::env_layer::Variable],
    ) -> Option<(String, String)> {
        if tarball.hostname() != "registry.npmjs.org" || tarball.host() != tarball.hostname() {
            return None;
        }
        let from_env = env_vars.iter().rev().find_map(|v| {
            (v.name.to_ascii_lowercase().starts_with("yarn_")
                && self.reads_variable(&v.name) == Some(EnvRead::Setting("registry".into())))
            .then(|| v.value.clone())
        });
        let from_files = || {
            files
                .iter()
                .filter(|f| f.format == Format::Yarnrc)
                .filter_map(|f| Format::Yarnrc.settings(f.text.as_deref()?).ok())
                .filter_map(|settings| {
                    settings
                        .into_iter()
                        .rev()
                        .find(|s| *s.path == ["registry".to_string()])
                })
                // Files come lowest priority first.
                .next_back()
                .and_then(|s| match s.value {
                    crate::formats::SettingValue::Scalar(v) => Some(v),
                    crate::formats::SettingValue::List(_) => None,
                })
        };
        let own = from_env.or_else(from_files);
        if own.is_some_and(|r| r.trim_end_matches('/') != YARN_REGISTRY_AS_DEFAULT) {
            return None;
        }
        let fetched = format!("{YARN_REGISTRY_AS_DEFAULT}{}", tarball.path());
        let why = format!(
            "Yarn 1 asks for {fetched} instead (while Yarn's own registry, .yarnrc's `registry`, is its default, it puts registry.yarnpkg.com in place of registry.npmjs.org)"
        );
        Some((fetched, why))
    }

    /// `proxy` for http, `https-proxy` else `proxy` for https (its request manager; from a
    /// trial: real Yarn 1.22.22 sent an http registry's requests through `proxy` where npm
    /// and pnpm used `https-proxy`).
    fn proxy_per_scheme(&self) -> bool {
        true
    }

    fn https_proxy_falls_back_to_proxy(&self) -> bool {
        true
    }

    /// Its request library reads NO_PROXY from the environment only, and not at all once a
    /// proxy is configured (from a trial: real Yarn 1.22.22 sent a token through the proxy
    /// to a host `noproxy` named).
    fn noproxy_unsupported(&self) -> Option<&'static str> {
        Some(
            "yarn-classic reads no `noproxy` (its request library takes NO_PROXY from the environment, and not while a proxy is configured), so it sends requests to those hosts through the proxy set for their scheme, if any",
        )
    }

    /// Its config starts from defaults that include `strict-ssl: true`, and `.npmrc` is asked
    /// only for what that config lacks (`YarnRegistry.getOption`; from a trial: real Yarn
    /// 1.22.22 refused an untrusted certificate with `strict-ssl=false` in `.npmrc`, and took
    /// it with `strict-ssl false` in `.yarnrc`).
    fn npmrc_strict_ssl_ignored(&self) -> Option<&'static str> {
        Some(
            "takes `strict-ssl` only from .yarnrc, which pmrc does not write: add `strict-ssl false` there",
        )
    }

    fn adjust_file(
        &self,
        file: &crate::discover::ConfigFile,
        _merged: &mut Model,
        read: &mut Model,
        warnings: &mut Vec<Warning>,
    ) -> Result<()> {
        if file.format != Format::Npmrc {
            return Ok(());
        }
        if let Some(v) = read.tls.strict_ssl.take()
            && v.value.as_literal().as_deref() != Some("true")
        {
            warnings.push(Warning::new(
                Code::YarnClassicNpmrcSettingIgnored,
                "Yarn 1 ignores `strict-ssl` in .npmrc: its own default (true) wins; put `strict-ssl false` in .yarnrc",
                v.origin.clone(),
            ));
        }
        if let Some(v) = read.proxy.noproxy.take() {
            warnings.push(Warning::new(
                Code::YarnClassicNpmrcSettingIgnored,
                "Yarn 1 ignores `noproxy` in .npmrc: its request library takes NO_PROXY from the environment only, and not while a proxy is configured",
                v.origin.clone(),
            ));
        }
        // npm's reading halved the backslashes before a `${…}`; Yarn 1's envReplace keeps an
        // odd run with its text (`\${X}` is sent as `\${X}`, where npm sends `${X}`). Only a
        // value npm read a backslash or an escaped reference in needs reading again.
        for (_, v) in read.fields_mut() {
            let escaped = v.value.pieces.iter().any(|p| {
                matches!(p, crate::template::Piece::Text { text } if text.contains(['\\', '$']))
            });
            if escaped {
                v.value = crate::template::Template::parse(
                    &v.value.render(Dialect::Npm).0,
                    Dialect::YarnClassic,
                );
            }
        }
        Ok(())
    }

    fn reads_npmrc_always_auth(&self) -> bool {
        true
    }

    /// Credentials for a private registry that unscoped packages come from, held back for
    /// want of always-auth (from a trial: real Yarn 1.22.22 sent no token for `left-pad`
    /// where npm 11 sent it, and doctor said nothing; with `//host/path/:always-auth=true`
    /// added, Yarn 1 sent it).
    fn lint(
        &self,
        dir: &std::path::Path,
        _model: &Model,
        routes: &[Route],
    ) -> Result<Vec<Warning>> {
        let mut out = Vec::new();
        // Read once, and only where a route needs the line.
        let strict = std::cell::OnceCell::new();
        let strict = || {
            strict.get_or_init(|| {
                project_strict_npmrc(dir).map_or_else(String::new, |line| {
                    format!(
                        "; .npmrc:{line} sets `strict-npmrc=true`, under which npm 12 stops every command on that line (EUNKNOWNCONFIG): remove it first where npm 12 reads this .npmrc"
                    )
                })
            })
        };
        for route in routes {
            let Some(registry) = route
                .registry
                .as_deref()
                .filter(|r| !crate::resolve::is_public_registry(r))
            else {
                continue;
            };
            if route.packages != Packages::Unscoped
                || route.authorization.is_some()
                || route.credential_key.is_none()
            {
                continue;
            }
            let Some(key) = self.npmrc_key_for(registry) else {
                continue;
            };
            let file = route
                .credential_origin
                .as_ref()
                .map_or_else(|| ".npmrc".to_string(), |o| o.file.display().to_string());
            out.push(Warning::new(
                Code::YarnClassicUnscopedTokenNotSent,
                format!(
                    "unscoped packages from {registry}: Yarn 1 sends the credentials {} with them only where always-auth is true, and it is not, so they are requested without credentials (a registry that needs them answers 401); add `{key}:always-auth=true` to {file}{strict}",
                    match &route.credential_key {
                        Some(AuthKey::Url(k)) => format!("at `{k}`"),
                        _ => "of the top level".to_string(),
                    },
                    strict = strict(),
                ),
                route.credential_origin.clone(),
            ));
        }
        Ok(out)
    }

    /// Yarn 1 reads top-level `_auth` from the same `.npmrc` on purpose.
    fn honours_legacy_top_level_auth(&self) -> bool {
        true
    }
}

/// The insides of the `${…}` in `text` that Yarn 1's `envReplace` takes for a variable no
/// one sets: every `${…}` not after an odd run of backslashes (which Yarn 1 leaves as
/// written) whose inside is not a plain name. A plain name here is text only because npm's
/// reader took its backslash escape, and `${NAME?}` is a reference the caller sees already.
/// Each comes with the run of backslashes before it, which Yarn 1's error quotes too.
fn references_it_lacks(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.match_indices("${").filter_map(move |(at, _)| {
        let slashes = text[..at].bytes().rev().take_while(|&b| b == b'\\').count();
        let inner = &text[at + 2..];
        let inner = &inner[..inner.find('}')?];
        let name = inner.strip_suffix('?').unwrap_or(inner);
        let plain = crate::template::is_portable_env_name(name);
        (slashes % 2 == 0 && !inner.is_empty() && !plain)
            .then_some((&text[at - slashes..at], inner))
    })
}

/// The inside of a `${NAME:-default}` (or `${NAME-default}`) with a literal default masked:
/// a default is sent when the variable is unset, so in a credential it is the secret itself,
/// and the error quoting it is printed.
fn default_masked(inner: &str) -> std::borrow::Cow<'_, str> {
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_len);
    let Some(default) = rest.strip_prefix(":-").or_else(|| rest.strip_prefix('-')) else {
        return inner.into();
    };
    // Yarn 1's name ends at the first `}`: a reference in the default is cut before its own.
    let reference = crate::redact::only_references(default)
        || crate::redact::only_references(&format!("{default}}}"));
    if name.is_empty() || default.is_empty() || reference {
        return inner.into();
    }
    let separator = &rest[..rest.len() - default.len()];
    format!("{name}{separator}{}", crate::redact::MASK).into()
}

#[cfg(test)]
mod env_tests {
    use super::*;
    use crate::env_config::{names, test_route};
    use crate::template::{Template, Unset};

    #[test]
    fn yarn_classic_loses_url_keys_and_keeps_auth() {
        assert!(matches!(
            YarnClassic.reads_variable("npm_config_//npm.pkg.github.com/:_authToken"),
            Some(EnvRead::Ignored(_))
        ));
        assert_eq!(
            YarnClassic.reads_variable("NPM_CONFIG__AUTH"),
            Some(EnvRead::Setting("_auth".into()))
        );
        assert_eq!(
            YarnClassic.reads_variable("YARN_REGISTRY"),
            Some(EnvRead::Setting("registry".into()))
        );
    }

    #[test]
    fn yarn_classic_takes_one_basic_credential_for_all() {
        let token = [test_route(None, "https://r.example/", Some("T"))];
        assert!(YarnClassic.env_form(&token).is_err());
        let mut basic = test_route(None, "https://r.example/", None);
        basic.authorization = Some(Authorization::Basic(Template::env("A", Unset::Strict)));
        let form = YarnClassic.env_form(std::slice::from_ref(&basic)).unwrap();
        assert_eq!(
            names(&form),
            [
                "npm_config_registry",
                "NPM_CONFIG__AUTH",
                "NPM_CONFIG_ALWAYS_AUTH"
            ]
        );
        assert_eq!(form.warnings[0].code, Code::EnvTokenSpreads);
        // A second registry without credentials would get the top-level `_auth` too.
        let other = test_route(Some("acme"), "https://other.example/", None);
        assert!(YarnClassic.env_form(&[basic, other]).is_err());
    }

    /// Yarn 1's error quotes the whole match of its `envReplace`, an even run of backslashes
    /// before the `${` included; an odd run leaves the text as written, so it goes on.
    #[test]
    fn yarn_classic_error_quotes_the_backslashes_before_a_default_form() {
        let origin = crate::model::Origin {
            file: crate::model::Origin::shared(".npmrc"),
            line: 1,
            level: crate::model::Level::Project,
        };
        let stops = |raw: &str| {
            YarnClassic.stops_on_value(
                &Template::parse(raw, crate::template::Dialect::Npm),
                Some(&origin),
                false,
            )
        };
        assert_eq!(
            stops("https://r.example/\\\\${A:-d}/").as_deref(),
            Some("Failed to replace env in config: \\\\${A:-d}")
        );
        assert_eq!(
            stops("https://r.example/${A:-d}/").as_deref(),
            Some("Failed to replace env in config: ${A:-d}")
        );
        assert_eq!(stops("https://r.example/\\${A:-d}/"), None);
    }
}

#[cfg(test)]
mod npm_registry_alias_tests {
    use crate::managers::Manager;
    use crate::model::Level;
    use crate::resolve::{Authorization, Packages, routes_for};
    use crate::template::Template;

    /// What real Yarn 1.22.22 sent, with registry.yarnpkg.com and registry.npmjs.org served
    /// on 127.0.0.1 and `npm login`'s token in `~/.npmrc` (`getAuth`'s npm registry fallback).
    fn sent(npmrc: &str, packages: Packages) -> Option<Authorization> {
        let (model, _) =
            crate::formats::npmrc::read(npmrc, std::path::Path::new(".npmrc"), Level::User)
                .unwrap();
        routes_for(&model, Manager::YarnClassic, vec![packages])
            .remove(0)
            .authorization
    }

    #[test]
    fn yarn_classic_sends_npm_registry_token_to_its_own_default_registry() {
        let token = "//registry.npmjs.org/:_authToken=npm_FAKE_TOKEN_0000\n";
        let bearer = Some(Authorization::Bearer(Template::literal(
            "npm_FAKE_TOKEN_0000",
        )));
        let scoped = || Packages::Scope("types".into());
        assert_eq!(sent(token, scoped()), bearer);
        // Unscoped packages only with always-auth, looked up at Yarn's own registry.
        assert_eq!(sent(token, Packages::Unscoped), None);
        let always = format!("{token}//registry.yarnpkg.com/:always-auth=true\n");
        assert_eq!(sent(&always, Packages::Unscoped), bearer);
        let at_npm = format!("{token}//registry.npmjs.org/:always-auth=true\n");
        assert_eq!(sent(&at_npm, Packages::Unscoped), None);
        // Yarn's registry spelled as its default is; with a trailing slash it is another.
        let spelled = format!("{token}registry=https://registry.yarnpkg.com\n");
        assert_eq!(sent(&spelled, scoped()), bearer);
        let slash = format!("{token}registry=https://registry.yarnpkg.com/\n");
        assert_eq!(sent(&slash, scoped()), None);
        // Yarn's own registry's credentials come first.
        let own = format!("{token}//registry.yarnpkg.com/:_authToken=yarn_FAKE_TOKEN_1111\n");
        assert_eq!(
            sent(&own, scoped()),
            Some(Authorization::Bearer(Template::literal(
                "yarn_FAKE_TOKEN_1111"
            )))
        );
    }
}

/// Whether a registry URL has a query: Yarn 1 then sends no credentials at all, since it
/// sends them only where the request's URL starts with the registry's, query included
/// (`isRequestToRegistry` compares `url.parse` paths), and the request it builds leaves the
/// query out (from a real run: Yarn 1.22.22 sent no token to a scope whose registry had
/// one, with its key written with or without the query).
fn has_query(registry: Option<&str>) -> bool {
    registry.is_some_and(|r| crate::registry_url::without_query(r).is_some())
}

/// The line of the project `.npmrc` that turns npm 12's `strict-npmrc` on, if one does: where
/// Yarn 1 needs `always-auth`, npm 12 then stops on it.
fn project_strict_npmrc(dir: &std::path::Path) -> Option<usize> {
    let text = std::fs::read_to_string(dir.join(".npmrc")).ok()?;
    match crate::formats::npmrc::strict_npmrc(&text)? {
        (line, true) => Some(line),
        _ => None,
    }
}

/// Yarn 1 needs `always-auth` in the project `.npmrc`, where `strict-npmrc=true` makes npm 12
/// stop every command on it (EUNKNOWNCONFIG; from a review: real npm 12.2.2 stopped after a
/// conversion wrote it). No `.npmrc` serves both: the conversion is refused, naming the choice.
fn always_auth_under_strict_npmrc(dir: &std::path::Path, written: &Model) -> Option<Warning> {
    let wants_always_auth =
        written.always_auth.is_some() || written.auth.values().any(|c| c.always_auth.is_some());
    if !wants_always_auth {
        return None;
    }
    let line = project_strict_npmrc(dir)?;
    Some(Warning::error(
        Code::Npm12StrictUnknownKey,
        format!(
            "Yarn 1 sends these credentials only with `always-auth`, which this .npmrc's `strict-npmrc=true` (.npmrc:{line}) makes npm 12 stop every command on (EUNKNOWNCONFIG), so nothing is written: remove `strict-npmrc=true` if Yarn 1 is to read this file, then convert again"
        ),
        None,
    ))
}
