//! Yarn Berry 4 (spec/yarn.md part A): `.yarnrc.yml` files, scopes and registries matched by
//! exact keys, credentials for unscoped packages only with `npmAlwaysAuth`, and its own doctor
//! checks (it never reads `.npmrc`).

use crate::diagnostics::Code;
use crate::env_config::{self, EnvRead, EnvVar, RcFile};
use rustc_hash::FxHashSet as HashSet;
use std::path::Path;

use super::{FileSpec, Manager, Place, Rules, TarballRequest, WrittenAs, spec};
use crate::error::Result;
use crate::formats::Format;
use crate::model::{AuthKey, Credentials, Level, Model, Origin};
use crate::registry_url::{RegistryUrl, normalize_yarn_key, yarn_lookup_keys};
use crate::resolve::{Authorization, Lookup, Packages, Route, UrlUserinfo, ident_authorization};
use crate::template::Dialect;
use crate::warning::Warning;

pub struct Yarn;

const PUBLIC_REGISTRY: &str = "https://registry.yarnpkg.com";

impl Rules for Yarn {
    fn reads_variable(&self, name: &str) -> Option<EnvRead> {
        let rest = env_config::strip_prefix_ignore_case(name, "yarn_")?;
        let key = env_config::yarn_berry_env_key(rest);
        Some(if IGNORED_ENV_NAMES.contains(&key.as_str()) {
            EnvRead::Ignored(format!("`{key}` is a Yarn 1 name Yarn Berry skips"))
        } else if MAP_SETTINGS.contains(&key.as_str()) {
            EnvRead::Fatal(format!(
                "`{key}` is a map, which no variable can set: every command stops (\"must be an object in <environment>\")"
            ))
        } else if SETTINGS.contains(&key.as_str()) {
            EnvRead::Setting(key)
        } else {
            EnvRead::Fatal(format!(
                "`{key}` is no Yarn 4 setting: every command stops (\"Unrecognized or legacy configuration settings found\")"
            ))
        })
    }
    fn env_form(
        &self,
        routes: &[Route],
    ) -> std::result::Result<crate::env_config::EnvForm, String> {
        let set = env_config::RouteSet::of(routes);
        if let Some((scope, _)) = set.scopes.first() {
            return Err(format!(
                "Yarn Berry takes a scope's registry and token ({}) only from npmScopes or npmRegistries, maps that no YARN_* variable can set",
                env_config::scope_key(scope)
            ));
        }
        let mut form = crate::env_config::EnvForm::default();
        if let Some(registry) = set.custom_default_registry() {
            form.variables.push(EnvVar::registry(
                "YARN_NPM_REGISTRY_SERVER",
                &crate::registry_url::registry_without_slash(registry),
            ));
            // Yarn refuses plain http unless the host is allowed (a list: the variable
            // replaces the files' list).
            if let Some(url) = RegistryUrl::parse(registry).filter(|u| u.is_http()) {
                form.variables.push(EnvVar::literal(
                    "YARN_UNSAFE_HTTP_WHITELIST",
                    url.hostname(),
                ));
            }
        }
        let name = match set.unscoped.and_then(|r| r.authorization.as_ref()) {
            None => return Ok(form),
            Some(Authorization::Bearer(t)) => {
                form.variables
                    .push(EnvVar::text("YARN_NPM_AUTH_TOKEN", t.when_set()));
                "YARN_NPM_AUTH_TOKEN"
            }
            Some(Authorization::Basic(t)) => {
                form.variables
                    .push(EnvVar::text("YARN_NPM_AUTH_IDENT", t.when_set()));
                "YARN_NPM_AUTH_IDENT"
            }
            Some(_) => {
                return Err(
                    "Yarn Berry builds basic auth from npmAuthIdent only; the source's credential is not one".into(),
                );
            }
        };
        // Without it Yarn sends the top-level credential with scoped packages only
        // (seen in the conformance run: unscoped packages got a 401).
        form.variables
            .push(EnvVar::literal("YARN_NPM_ALWAYS_AUTH", "true"));
        form.warnings.push(Warning::new(
            Code::EnvTokenSpreads,
            format!(
                "{name} is Yarn Berry's top-level credential: Yarn also sends it to every registry without an npmRegistries entry of its own (a scope's registry, tarballs on another host)"
            ),
            None,
        ));
        Ok(form)
    }
    fn env_rc_file(&self) -> Option<RcFile> {
        // Yarn reads `~/.yarnrc.yml` below the project's files whatever the job does;
        // `YARN_RC_FILENAME` would rename the project's own file too, losing its settings.
        Some(RcFile {
            home_path: ".yarnrc.yml",
            pointer: None,
            written_as: WrittenAs::YarnrcYml,
            written_for: super::Manager::Yarn,
        })
    }
    fn programs(&self) -> &'static [&'static str] {
        &["yarn"]
    }

    /// `yarn config set` writes the project's `.yarnrc.yml` unless `-H` (the setup-node
    /// docs' Yarn 2 recipe, spec/ci-env.md §2.1): a token set so sits in the checkout.
    fn config_set_writes_project_secret(&self, key: &str, user_level: bool) -> bool {
        !user_level
            && key
                .rsplit('.')
                .next()
                .is_some_and(|k| k == "npmAuthToken" || k == "npmAuthIdent")
    }

    /// The runner's global Yarn 1.22 hands a project over to the release its `.yarnrc.yml`
    /// names in `yarnPath`; without one it stops on a `packageManager` naming Yarn 2+ ("the
    /// current global version of Yarn is 1.22", yarnpkg/yarn#9015) or runs as Yarn 1, and
    /// this manager does not run.
    fn runner_program_runs_it(&self, dir: &Path) -> bool {
        let Ok(text) = std::fs::read_to_string(dir.join(".yarnrc.yml")) else {
            return false;
        };
        let mut named = false;
        let _ = crate::formats::yarnrc_yml::each_scalar(&text, &mut |path, value, _| {
            named |= path == ["yarnPath"] && !value.trim().is_empty();
        });
        named
    }

    /// Yarn Berry reads only `.yarnrc.yml` ("Yarn2 ignores both .npmrc and .yarnrc files
    /// created by the action", setup-node's advanced-usage.md; spec/ci-env.md §2.1).
    fn reads_setup_node_npmrc(&self) -> bool {
        false
    }

    /// Berry's `yarn.lock` is YAML with a `__metadata:` block at the top.
    fn lockfile_mark(&self) -> Option<(&'static str, &'static str)> {
        Some(("yarn.lock", "__metadata:"))
    }

    fn name(&self) -> &'static str {
        "yarn"
    }

    fn label(&self) -> &'static str {
        "Yarn 4"
    }

    /// `~/.yarnrc.yml`, then every parent folder's (a nearer one over a farther), then the
    /// project's (spec yarn.md A1, P1; real Yarn 4.18.1 took a scope's registry and token
    /// from a grandparent folder's file).
    fn sources(&self) -> Vec<FileSpec> {
        vec![
            spec(".yarnrc.yml", Format::YarnrcYml, Place::Home),
            spec(".yarnrc.yml", Format::YarnrcYml, Place::Parents),
            spec(".yarnrc.yml", Format::YarnrcYml, Place::Project),
        ]
    }

    fn targets(&self) -> Vec<FileSpec> {
        vec![
            spec(".yarnrc.yml", Format::YarnrcYml, Place::Project),
            spec(".yarnrc.yml", Format::YarnrcYml, Place::Home),
        ]
    }

    /// Basic of the decoded userinfo, over a matching `npmRegistries` entry (conformance
    /// `npm_registry_userinfo_*_to_yarn`).
    fn url_userinfo(&self) -> UrlUserinfo {
        UrlUserinfo::Basic {
            decoded: true,
            over_keys: true,
            empty_user_is_bearer: false,
            to_tarballs: false,
        }
    }
    fn dialect(&self) -> Dialect {
        Dialect::Yarn
    }

    fn marker_file(&self) -> &'static str {
        ".yarnrc.yml"
    }

    /// Every `.yarnrc.yml` from the folder Yarn runs in up is read (real Yarn 4.18.1 run in a
    /// folder without a `package.json` asked that folder's scope registry).
    fn reads_marker_where_it_runs(&self) -> bool {
        true
    }

    fn public_registry(&self) -> &'static str {
        PUBLIC_REGISTRY
    }

    fn written_as(&self) -> WrittenAs {
        WrittenAs::YarnrcYml
    }

    /// Yarn's `Environment variable not found`, for `${VAR}` without a default alone.
    fn stops_on_reference(
        &self,
        name: &str,
        form: &crate::template::Unset,
        set: bool,
    ) -> Option<String> {
        (*form == crate::template::Unset::Strict && !set)
            .then(|| format!("Environment variable not found ({name})"))
    }

    fn route(&self, model: &Lookup<'_>, packages: Packages) -> Route {
        let scope_entry = match &packages {
            Packages::Scope(s) if self.routes_scope_key(s) => model.scopes.get(s),
            _ => None,
        };
        let rendered = |v: &crate::model::Value| v.value.render(Dialect::Yarn).0;
        // A declared scope without npmRegistryServer goes to Yarn's default, not the top level.
        let (registry, registry_read) = match (&packages, scope_entry) {
            (Packages::Scope(_), Some(scope)) => (
                Some(
                    scope
                        .registry
                        .as_ref()
                        .map_or(PUBLIC_REGISTRY.to_string(), rendered),
                ),
                scope.registry.as_ref(),
            ),
            _ => (
                model.registry.as_ref().map(rendered),
                model.registry.as_ref(),
            ),
        };
        let effective = registry.as_deref().unwrap_or(PUBLIC_REGISTRY);
        let scope_creds = match &packages {
            Packages::Scope(s) if self.routes_scope_key(s) => {
                model.scope_credential(s).filter(|(_, c)| truthy(c))
            }
            _ => None,
        };
        let chosen = scope_creds
            .or_else(|| {
                // Keys match after one trailing `/` is stripped: `want` or `want/`, the
                // first in key order, looked up rather than scanned for.
                yarn_lookup_keys(effective).into_iter().find_map(|want| {
                    // `want` itself, unless it still ends in `/` (its normal form is then
                    // shorter), then `want/`: one probe key, grown in place.
                    let held_as_is = !want.ends_with('/');
                    let mut probe = AuthKey::Url(want);
                    if held_as_is && let Some(found) = model.credential(&probe) {
                        return Some(found);
                    }
                    if let AuthKey::Url(key) = &mut probe {
                        key.push('/');
                    }
                    model.credential(&probe)
                })
            })
            .or_else(|| model.credential(&AuthKey::Fallback));
        let (credential_key, authorization, origin) = match chosen {
            Some((key, creds)) => {
                // Unscoped requests carry credentials only with npmAlwaysAuth.
                let sends = matches!(packages, Packages::Scope(_)) || creds.always_auth();
                let auth = if sends {
                    yarn_authorization(creds)
                } else {
                    None
                };
                (Some(key.clone()), auth, creds.origin().cloned())
            }
            None => (None, None, None),
        };
        let authorization = authorization.or_else(|| client_certificate(model, effective));
        Route {
            packages,
            registry,
            authorization,
            credential_key,
            credential_origin: origin,
            credential_in_url: false,
            registry_read: None,
        }
        .read_from(registry_read)
    }

    fn scope_without_registry_uses_public(&self) -> bool {
        true
    }

    /// An `npmScopes` key written with `@` names no package's scope: Yarn never matches it
    /// (spec/yarn.md, observation 6), so its packages go where any other scope's go.
    fn routes_scope_key(&self, name: &str) -> bool {
        !name.starts_with('@')
    }

    fn unscoped_credentials_need_always_auth(&self) -> bool {
        true
    }

    /// An unscoped request whose entry sets `npmAlwaysAuth` but holds no token or ident (the
    /// top-level token does not reach a registry with an entry of its own): Yarn stops it
    /// (spec/yarn.md A5, observation 5).
    /// A parent folder's relative file paths (`httpsCaFilePath: ./ca.pem`) are relative to
    /// that folder, where Yarn resolves them: named from the project here, so that `show`
    /// and a translation point at the file (a review saw `cafile=./ca.pem` written for npm,
    /// which then went on without the CA).
    fn adjust_file(
        &self,
        file: &crate::discover::ConfigFile,
        _merged: &mut Model,
        read: &mut Model,
        _warnings: &mut Vec<Warning>,
    ) -> Result<()> {
        let Some(folder) = file.parent_folder() else {
            return Ok(());
        };
        let rebase = |v: &mut Option<crate::model::Value>| {
            let Some(v) = v.as_mut() else { return };
            let Some(path) = v
                .value
                .as_literal()
                .filter(|p| !p.is_empty() && !p.starts_with('/'))
            else {
                return;
            };
            let path = path.strip_prefix("./").unwrap_or(&path);
            v.value = crate::template::Template::literal(format!("{folder}/{path}"));
        };
        rebase(&mut read.tls.cafile);
        rebase(&mut read.tls.cert);
        rebase(&mut read.tls.key);
        for host in read.hosts.values_mut() {
            rebase(&mut host.ca_file);
            rebase(&mut host.cert_file);
            rebase(&mut host.key_file);
        }
        Ok(())
    }

    fn may_stop_requests(&self, model: &Model) -> bool {
        model.auth.values().any(|creds| creds.always_auth())
    }

    /// From a trial: with `npmAuthToken: "${NPM_TOKEN:-}"`, npmAlwaysAuth and the variable
    /// unset, real Yarn 4.18.1 made no request and stopped with YN0033.
    fn empty_credential_is_none(&self) -> bool {
        true
    }

    fn request_fails(&self, model: &Model, route: &Route) -> Option<String> {
        let key = route.credential_key.as_ref()?;
        let creds = model.auth.get(key)?;
        (route.packages == Packages::Unscoped
            && route.authorization.is_none()
            && creds.always_auth())
        .then(|| {
            "Yarn stops with YN0033 \"No authentication configured for request\": npmAlwaysAuth is true for this registry, but its entry holds no npmAuthToken or npmAuthIdent, or an empty one here"
                .to_string()
        })
    }

    /// `npmRegistries` entries match the registry's URL exactly (from a trial: real Yarn
    /// 4.18.1 sent nothing for a GitLab project registry whose entry was keyed
    /// `//host/api/v4/`, and the entry's token once keyed at the registry's URL).
    fn parent_key_not_walked(&self) -> Option<&'static str> {
        Some("Yarn 4 does not walk up: npmRegistries keys match the registry's URL exactly")
    }

    fn credential_reason(&self, route: &Route) -> String {
        let sent = route.authorization.is_some();
        match (&route.credential_key, sent) {
            (None, _) => {
                "no credentials: no npmScopes or npmRegistries entry for this registry holds any, and no top-level npmAuthToken/npmAuthIdent".into()
            }
            // An entry whose only token is empty here (`${NPM_TOKEN:-}`, unset) sends nothing.
            (Some(_), false) if matches!(route.packages, Packages::Scope(_)) => {
                "credentials exist, but their token or ident is empty here".into()
            }
            (Some(_), false) => {
                "credentials exist, but unscoped packages get them only with npmAlwaysAuth: true"
                    .into()
            }
            (Some(AuthKey::Url(k)), _) => {
                format!("npmRegistries[\"{k}\"] matches the registry URL exactly")
            }
            (Some(AuthKey::Scope(s)), _) => format!("npmScopes.{s} has credentials"),
            (Some(AuthKey::Fallback), _) => {
                "the top-level npmAuthToken/npmAuthIdent: no npmRegistries entry matches this registry exactly".into()
            }
            (Some(k), _) => format!("credentials at {k}"),
        }
    }

    fn tarball_credentials(&self, req: &TarballRequest) -> (Option<Authorization>, String) {
        (
            req.route.authorization.clone(),
            "Yarn sends the package's registry credentials wherever the tarball lives".into(),
        )
    }

    fn publishes_scope_to_its_registry(&self) -> bool {
        false
    }

    fn encodes_idents_itself(&self) -> bool {
        true
    }

    fn proxy_per_scheme(&self) -> bool {
        true
    }

    fn noproxy_unsupported(&self) -> Option<&'static str> {
        Some(
            "Yarn Berry has no no-proxy setting; `noproxy` is not carried over (networkSettings can give hosts their own httpProxy/httpsProxy)",
        )
    }

    fn fix_file(&self, format: Format, text: &str) -> Option<String> {
        (format == Format::YarnrcYml)
            .then(|| crate::formats::yarnrc_yml::fix_scope_keys(text))
            .flatten()
    }

    fn fix_command(&self, code: Code, dir: &Path, dir_arg: &str) -> Option<String> {
        if code == Code::YarnScopeWithAt {
            // `doctor --fix` mends it; the table's prose would not run as printed.
            return Some(format!(
                "run `pmrc doctor --fix --write{dir_arg}` (drops the @ from the key)"
            ));
        }
        if code != Code::YarnIgnoresNpmrc {
            return None;
        }
        // Yarn 1's .yarnrc still routes where it exists: Yarn 1 reads both files.
        let from = if dir.join(".yarnrc").is_file() {
            "yarn-classic"
        } else {
            "npm"
        };
        let own = crate::discover::read_text(&dir.join(".yarnrc.yml"))
            .ok()
            .flatten()
            .and_then(|t| Format::YarnrcYml.settings(&t).ok())
            .is_some_and(|held| !held.is_empty());
        Some(if own {
            // Writing would replace the registry settings .yarnrc.yml holds itself.
            format!(
                "copy the missing settings into .yarnrc.yml by hand: `pmrc convert --from {from} --to yarn{dir_arg}` shows them as a diff, but writing it would also replace what .yarnrc.yml says itself"
            )
        } else {
            format!("run `pmrc convert --from {from} --to yarn --write{dir_arg}`")
        })
    }

    fn source_warnings(&self, dir: &Path) -> Result<Vec<Warning>> {
        member_yarnrcs(dir)
    }

    fn target_warnings(
        &self,
        dir: &Path,
        _from: Manager,
        _written: &Model,
    ) -> Result<Vec<Warning>> {
        member_yarnrcs(dir)
    }

    fn lint(&self, dir: &Path, model: &Model, routes: &[Route]) -> Result<Vec<Warning>> {
        let mut out = Vec::new();
        let npmrc = dir.join(".npmrc");
        if let Ok(Some(text)) = crate::discover::read_text(&npmrc) {
            let owned = crate::formats::npmrc::Document::parse(&text)
                .settings()
                .unwrap_or_default();
            // A .npmrc kept in sync for npm (pmrc sync) is fine: it is a finding only when
            // the project .yarnrc.yml does not already hold what converting it would write.
            if let Some(first) = owned.first().filter(|_| {
                !yarnrc_holds_npmrc(&text, dir) && !yarn_acts_as_npmrc_says(&text, model)
            }) {
                out.push(Warning::new(
                    Code::YarnIgnoresNpmrc,
                    format!(
                        "Yarn Berry never reads .npmrc, so its {} registry/auth setting(s) do nothing for yarn",
                        owned.len()
                    ),
                    Some(Origin {
                        file: Origin::shared(".npmrc"),
                        line: first.line,
                        level: Level::Project,
                    }),
                ));
            }
        }
        // Registries in use: every route's, and every publish registry (Yarn looks up
        // npmRegistries for `npm publish` too).
        let publishing = model
            .scopes
            .values()
            .filter_map(|s| s.publish_registry.as_ref())
            .chain(model.publish_registry.as_ref())
            .map(|v| v.value.render(Dialect::Yarn).0);
        let in_use: Vec<String> = routes
            .iter()
            .map(|r| r.registry.clone().unwrap_or(PUBLIC_REGISTRY.to_string()))
            .chain(publishing)
            .collect();
        let lookups: HashSet<String> = in_use
            .iter()
            .flat_map(|registry| yarn_lookup_keys(registry))
            .collect();
        let hostname =
            |url: &str| RegistryUrl::of_key(url, "https").map(|u| u.hostname().to_string());
        for (key, creds) in &model.auth {
            if let AuthKey::Url(k) = key
                && !lookups.contains(&normalize_yarn_key(k))
            {
                // The key the registry on the same host would match, spelled as pmrc writes
                // keys (without the scheme): the rename the entry needs.
                let on_host: std::collections::BTreeMap<String, &String> = in_use
                    .iter()
                    .filter(|r| hostname(r).is_some() && hostname(r) == hostname(k))
                    .filter_map(|r| Some((yarn_lookup_keys(r).pop()?, r)))
                    .collect();
                let rename = match on_host.iter().collect::<Vec<_>>()[..] {
                    [] => String::new(),
                    [(wanted, registry)] => format!(
                        "; the registry on that host is {registry}: key the entry \"{wanted}\""
                    ),
                    ref many => format!(
                        "; the registries on that host are keyed {}",
                        many.iter()
                            .map(|(wanted, _)| format!("\"{wanted}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                out.push(Warning::new(
                    Code::YarnRegistryKeyUnmatched,
                    format!(
                        "npmRegistries[\"{k}\"] matches no registry in use (Yarn compares the key with the registry URL exactly){rename}"
                    ),
                    creds.origin().cloned(),
                ));
            }
        }
        for (name, scope) in &model.scopes {
            if scope.registry.is_none() {
                let origin = model
                    .auth
                    .get(&AuthKey::Scope(name.clone()))
                    .and_then(|c| c.origin().cloned());
                out.push(Warning::new(
                    Code::YarnScopeWithoutRegistry,
                    format!(
                        "npmScopes.{name} has no npmRegistryServer, so @{name}/* goes to https://registry.yarnpkg.com"
                    ),
                    origin,
                ));
            }
        }
        let default_host = model
            .registry
            .as_ref()
            .and_then(|v| RegistryUrl::parse(&v.value.render(Dialect::Yarn).0))
            .map(|u| u.host().to_string());
        for route in routes {
            if let Some(error) = self.request_fails(model, route) {
                let key = route.credential_key.as_ref();
                out.push(Warning::error(
                    Code::YarnAlwaysAuthWithoutCredentials,
                    format!(
                        "{} from {}: {error}",
                        route.packages,
                        route.registry.as_deref().unwrap_or(PUBLIC_REGISTRY)
                    ),
                    key.and_then(|k| model.auth.get(k))
                        .and_then(|c| c.always_auth.as_ref())
                        .and_then(|v| v.origin.clone()),
                ));
            }
            // The usual "Yarn gets a 401 where npm does not": a private registry's token
            // that Yarn keeps to itself on unscoped requests (spec/yarn.md A5; real Yarn
            // 4.18.1 asked such a registry without credentials).
            if route.packages == Packages::Unscoped
                && route.authorization.is_none()
                && let Some(registry) = route
                    .registry
                    .as_deref()
                    .filter(|r| !crate::resolve::is_public_registry(r))
                && let Some(creds) = route
                    .credential_key
                    .as_ref()
                    .and_then(|k| model.auth.get(k))
                && yarn_authorization(creds).is_some()
            {
                let entry = match route.credential_key.as_ref() {
                    Some(AuthKey::Url(key)) => format!("npmRegistries[\"{key}\"]"),
                    _ => "the top level".to_string(),
                };
                out.push(Warning::new(
                    Code::YarnUnscopedTokenNotSent,
                    format!(
                        "unscoped packages from {registry}: Yarn sends the credentials at {entry} with them only when npmAlwaysAuth is true there, and it is not, so they are requested without credentials (a registry that needs them answers 401)"
                    ),
                    creds.origin().cloned(),
                ));
            }
            let host = route
                .registry
                .as_deref()
                .and_then(RegistryUrl::parse)
                .map(|u| u.host().to_string());
            if route.credential_key == Some(AuthKey::Fallback)
                && route.authorization.is_some()
                && host != default_host
            {
                out.push(Warning::new(
                    Code::YarnTopLevelTokenSpreads,
                    format!(
                        "Yarn sends the top-level token to {} for {} (no npmRegistries entry matches it)",
                        route.registry.as_deref().unwrap_or(PUBLIC_REGISTRY),
                        route.packages
                    ),
                    route.credential_origin.clone(),
                ));
            }
        }
        Ok(out)
    }
}

/// Yarn skips a scope entry whose token and ident are empty.
fn truthy(c: &Credentials) -> bool {
    [&c.token, &c.ident]
        .into_iter()
        .flatten()
        .any(|v| !v.value.is_empty())
}

/// A client certificate Yarn presents to `registry`'s host: `networkSettings` of its hostname,
/// else the top-level `httpsCertFilePath`/`httpsKeyFilePath`. It goes with every request
/// there, npmAlwaysAuth or not (from a trial: real Yarn 4.18.1 sent it for unscoped packages
/// without one, and stopped them with an `npmAlwaysAuth` entry holding no token).
fn client_certificate(model: &Model, registry: &str) -> Option<Authorization> {
    let host = RegistryUrl::parse(registry)?;
    let by_host = model
        .hosts
        .get(host.hostname())
        .filter(|h| h.cert_file.is_some() && h.key_file.is_some());
    (by_host.is_some() || (model.tls.cert.is_some() && model.tls.key.is_some()))
        .then_some(Authorization::ClientCertificate)
}

fn yarn_authorization(c: &Credentials) -> Option<Authorization> {
    if let Some(t) = c.token.as_ref().filter(|t| !t.value.is_empty()) {
        return Some(Authorization::Bearer(t.value.clone()));
    }
    let ident = c.ident.as_ref().filter(|v| !v.value.is_empty())?;
    Some(ident_authorization(&ident.value))
}

/// Whether the project `.yarnrc.yml` holds every setting a conversion of `.npmrc` would
/// write there (routing, credentials, TLS, proxies).
fn yarnrc_holds_npmrc(npmrc: &str, dir: &Path) -> bool {
    let Ok((npm, _)) = crate::formats::npmrc::read(npmrc, Path::new(".npmrc"), Level::Project)
    else {
        return false;
    };
    let translation = crate::translate::translate(&npm, Manager::Npm, Manager::Yarn, false);
    let wanted =
        Format::YarnrcYml.wanted(&translation.model.at_level(Level::Project), Manager::Yarn);
    let held = crate::discover::read_text(&dir.join(".yarnrc.yml"))
        .ok()
        .flatten()
        .and_then(|t| Format::YarnrcYml.settings(&t).ok())
        .unwrap_or_default();
    let held: HashSet<_> = held.iter().map(|s| (&s.path, &s.value)).collect();
    wanted.iter().all(|(p, v)| held.contains(&(p, v)))
}

/// At a workspace root: each member's own `.yarnrc.yml` with registry or auth settings,
/// which Yarn run in the member reads over the root's. From a trial: `convert --from yarn
/// --to npm` and `--check` at the root passed while real Yarn 4.18 run in the member went to
/// the member's registry and npm to the root's.
fn member_yarnrcs(dir: &Path) -> Result<Vec<Warning>> {
    let mut out = Vec::new();
    for member in super::workspace_members(dir) {
        let path = member.join(".yarnrc.yml");
        let Some(text) = crate::discover::read_text(&path)? else {
            continue;
        };
        let settings = Format::YarnrcYml
            .settings(&text)
            .map_err(|e| e.in_file(&path))?;
        let (Some(first), Ok(shown)) = (settings.first(), path.strip_prefix(dir)) else {
            continue;
        };
        out.push(Warning::new(
            Code::YarnMemberYarnrc,
            format!(
                "Yarn run in {} reads {} over the root's .yarnrc.yml; pmrc at the root neither converts nor checks its {} registry/auth setting(s)",
                shown.parent().unwrap_or(Path::new("")).display(),
                shown.display(),
                settings.len()
            ),
            Some(Origin {
                file: Origin::shared(shown),
                line: first.line,
                level: Level::Project,
            }),
        ));
    }
    Ok(out)
}

/// Whether Yarn, as `model` has it, requests every group of packages where npm reading this
/// `.npmrc` alone does and sends the same credentials: a `.npmrc` kept in sync for npm in
/// another shape (a scope's token as `npmScopes.<scope>.npmAuthToken` where npm keys it by
/// host) is no finding; one with a setting Yarn lacks (a proxy) is. From a trial: `pmrc
/// sync` left such a pair, and doctor failed it.
fn yarn_acts_as_npmrc_says(npmrc: &str, model: &Model) -> bool {
    let Ok((mut npm, _)) = crate::formats::npmrc::read(npmrc, Path::new(".npmrc"), Level::Project)
    else {
        return false;
    };
    // npm requests plain http anywhere; Yarn where unsafeHttpWhitelist lists the host. Where
    // it lists every http host npm requests, the two do alike (from a trial: an http
    // registry made this a finding on a project in sync, and its fix changed nothing).
    let whitelisted = |host: &str| {
        model
            .http_allowed
            .iter()
            .any(|v| v.value.as_literal().as_deref() == Some(host))
    };
    let every_http_host_listed = crate::resolve::routes(&npm, Manager::Npm)
        .iter()
        .filter_map(|r| r.registry.as_deref().and_then(RegistryUrl::parse))
        .filter(|url| url.is_http())
        .all(|url| whitelisted(url.hostname()));
    if every_http_host_listed {
        npm.http_allowed = model.http_allowed.clone();
    }
    crate::plan::act_alike(Manager::Npm, &npm, Manager::Yarn, model)
}

/// Yarn 4's settings that a `YARN_*` variable can set (scalars and lists).
const SETTINGS: &[&str] = &[
    "approvedGitRepositories",
    "cacheFolder",
    "cacheMigrationMode",
    "changesetBaseRefs",
    "changesetIgnorePatterns",
    "checksumBehavior",
    "cloneConcurrency",
    "compressionLevel",
    "constraintsPath",
    "defaultLanguageName",
    "defaultProtocol",
    "defaultSemverRangePrefix",
    "deferredVersionFolder",
    "enableCacheClean",
    "enableColors",
    "enableConstraintsChecks",
    "enableGlobalCache",
    "enableHardenedMode",
    "enableHyperlinks",
    "enableImmutableCache",
    "enableImmutableInstalls",
    "enableInlineBuilds",
    "enableInlineHunks",
    "enableMessageNames",
    "enableMirror",
    "enableNetwork",
    "enableOfflineMode",
    "enableProgressBars",
    "enableScripts",
    "enableStrictSsl",
    "enableTelemetry",
    "enableTimers",
    "enableTransparentWorkspaces",
    "globalFolder",
    "httpProxy",
    "httpRetry",
    "httpTimeout",
    "httpsCaFilePath",
    "httpsCertFilePath",
    "httpsKeyFilePath",
    "httpsProxy",
    "ignorePath",
    "immutablePatterns",
    "initScope",
    "injectEnvironmentFiles",
    "installStatePath",
    "lockfileFilename",
    "networkConcurrency",
    "nmHoistingLimits",
    "nmMode",
    "nmSelfReferences",
    "nodeLinker",
    "npmAlwaysAuth",
    "npmAuditExcludePackages",
    "npmAuditIgnoreAdvisories",
    "npmAuditRegistry",
    "npmAuthIdent",
    "npmAuthToken",
    "npmMinimalAgeGate",
    "npmPreapprovedPackages",
    "npmPublishAccess",
    "npmPublishProvenance",
    "npmPublishRegistry",
    "npmRegistryServer",
    "patchFolder",
    "pnpDataPath",
    "pnpEnableEsmLoader",
    "pnpEnableInlining",
    "pnpFallbackMode",
    "pnpIgnorePatterns",
    "pnpMode",
    "pnpShebang",
    "pnpUnpluggedFolder",
    "preferDeferredVersions",
    "preferInteractive",
    "preferReuse",
    "preferTruncatedLines",
    "progressBarStyle",
    "rcFilename",
    "taskPoolConcurrency",
    "taskPoolMode",
    "telemetryInterval",
    "telemetryUserId",
    "tsEnableAutoTypes",
    "unsafeHttpWhitelist",
    "virtualFolder",
    "winLinkType",
    "workerPoolMode",
    "yarnPath",
];

/// Yarn 4's map settings: a variable naming one stops every command.
const MAP_SETTINGS: &[&str] = &[
    "npmScopes",
    "npmRegistries",
    "networkSettings",
    "packageExtensions",
    "logFilters",
    "supportedArchitectures",
    "initFields",
    "catalog",
    "catalogs",
];

/// Yarn 1 names Yarn 4 skips silently (spec/yarn.md: `YARN_REGISTRY` and friends).
const IGNORED_ENV_NAMES: &[&str] = &[
    "registry",
    "version",
    "flags",
    "profile",
    "gpg",
    "ignoreNode",
    "wrapOutput",
    "binFolder",
    "home",
    "confDir",
    "ignoreScripts",
    "ignoreCwd",
];

#[cfg(test)]
mod env_tests {
    use super::*;
    use crate::env_config::{EnvRead, names, test_route};

    #[test]
    fn yarn_camel_cases_and_stops_on_unknown_names() {
        assert_eq!(
            Yarn.reads_variable("YARN_NPM_AUTH_TOKEN"),
            Some(EnvRead::Setting("npmAuthToken".into()))
        );
        assert!(matches!(
            Yarn.reads_variable("YARN_NETWORK_TIMEOUT"),
            Some(EnvRead::Fatal(_))
        ));
        assert!(matches!(
            Yarn.reads_variable("YARN_NPM_SCOPES"),
            Some(EnvRead::Fatal(_))
        ));
        assert!(matches!(
            Yarn.reads_variable("YARN_REGISTRY"),
            Some(EnvRead::Ignored(_))
        ));
        assert_eq!(Yarn.reads_variable("NPM_CONFIG_REGISTRY"), None);
    }

    #[test]
    fn yarn_scopes_need_a_file_and_the_top_token_spreads() {
        let scoped = [
            test_route(None, "https://r.example/", None),
            test_route(Some("acme"), "https://npm.pkg.github.com/", Some("T")),
        ];
        assert!(Yarn.env_form(&scoped).unwrap_err().contains("npmScopes"));
        let one = [test_route(None, "http://127.0.0.1:4873/", Some("T"))];
        let form = Yarn.env_form(&one).unwrap();
        assert_eq!(
            names(&form),
            [
                "YARN_NPM_REGISTRY_SERVER",
                "YARN_UNSAFE_HTTP_WHITELIST",
                "YARN_NPM_AUTH_TOKEN",
                "YARN_NPM_ALWAYS_AUTH"
            ]
        );
        assert_eq!(form.warnings[0].code, Code::EnvTokenSpreads);
    }
}
