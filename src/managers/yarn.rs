//! Yarn Berry 4 (spec/yarn.md part A): `.yarnrc.yml` files, scopes and registries matched by
//! exact keys, credentials for unscoped packages only with `npmAlwaysAuth`, and its own doctor
//! checks (it never reads `.npmrc`).

use crate::diagnostics::Code;
use std::collections::HashSet;
use std::path::Path;

use super::{FileSpec, Manager, Place, Rules, TarballRequest, WrittenAs, spec};
use crate::error::Result;
use crate::formats::Format;
use crate::model::{AuthKey, Credentials, Level, Model, Origin};
use crate::registry_url::{RegistryUrl, normalize_yarn_key, yarn_lookup_keys};
use crate::resolve::{Authorization, Packages, Route, ident_authorization};
use crate::template::Dialect;
use crate::warning::Warning;

pub struct Yarn;

const PUBLIC_REGISTRY: &str = "https://registry.yarnpkg.com";

impl Rules for Yarn {
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

    fn sources(&self) -> Vec<FileSpec> {
        vec![
            spec(".yarnrc.yml", Format::YarnrcYml, Place::Home),
            spec(".yarnrc.yml", Format::YarnrcYml, Place::Project),
        ]
    }

    fn targets(&self) -> Vec<FileSpec> {
        vec![
            spec(".yarnrc.yml", Format::YarnrcYml, Place::Project),
            spec(".yarnrc.yml", Format::YarnrcYml, Place::Home),
        ]
    }

    fn dialect(&self) -> Dialect {
        Dialect::Yarn
    }

    fn marker_file(&self) -> &'static str {
        ".yarnrc.yml"
    }

    fn public_registry(&self) -> &'static str {
        PUBLIC_REGISTRY
    }

    fn written_as(&self) -> WrittenAs {
        WrittenAs::YarnrcYml
    }

    fn fails_on_unset_variable(&self) -> bool {
        true
    }

    fn route(&self, model: &Model, packages: Packages) -> Route {
        let scope_entry = match &packages {
            Packages::Scope(s) => model.scopes.get(s),
            Packages::Unscoped => None,
        };
        let rendered = |v: &crate::model::Value| v.value.render(Dialect::Yarn).0;
        // A declared scope without npmRegistryServer goes to Yarn's default, not the top level.
        let registry = match (&packages, scope_entry) {
            (Packages::Scope(_), Some(scope)) => Some(
                scope
                    .registry
                    .as_ref()
                    .map_or(PUBLIC_REGISTRY.to_string(), rendered),
            ),
            _ => model.registry.as_ref().map(rendered),
        };
        let effective = registry.clone().unwrap_or(PUBLIC_REGISTRY.into());
        let scope_creds = match &packages {
            Packages::Scope(s) => model
                .auth
                .get_key_value(&AuthKey::Scope(s.clone()))
                .filter(|(_, c)| truthy(c)),
            Packages::Unscoped => None,
        };
        let chosen = scope_creds
            .or_else(|| {
                // Keys match after one trailing `/` is stripped: `want` or `want/`, the
                // first in key order, looked up rather than scanned for.
                yarn_lookup_keys(&effective).into_iter().find_map(|want| {
                    [want.clone(), format!("{want}/")]
                        .into_iter()
                        .map(AuthKey::Url)
                        .filter(|k| matches!(k, AuthKey::Url(u) if normalize_yarn_key(u) == want))
                        .find_map(|k| model.auth.get_key_value(&k))
                })
            })
            .or_else(|| model.auth.get_key_value(&AuthKey::Fallback));
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
        Route {
            packages,
            registry,
            authorization,
            credential_key,
            credential_origin: origin,
        }
    }

    fn scope_without_registry_uses_public(&self) -> bool {
        true
    }

    fn unscoped_credentials_need_always_auth(&self) -> bool {
        true
    }

    fn credential_reason(&self, route: &Route) -> String {
        let sent = route.authorization.is_some();
        match (&route.credential_key, sent) {
            (None, _) => {
                "no credentials: no npmScopes or npmRegistries entry, and no top-level npmAuthToken/npmAuthIdent".into()
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

    fn writes_noproxy(&self) -> bool {
        false
    }

    fn fix_command(&self, code: Code, dir: &Path, dir_arg: &str) -> Option<String> {
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

    fn lint(&self, dir: &Path, model: &Model, routes: &[Route]) -> Result<Vec<Warning>> {
        let mut out = Vec::new();
        let npmrc = dir.join(".npmrc");
        if let Ok(Some(text)) = crate::discover::read_text(&npmrc) {
            let owned = crate::formats::npmrc::Document::parse(&text)
                .settings()
                .unwrap_or_default();
            // A .npmrc kept in sync for npm (pmrc sync) is fine: it is a finding only when
            // the project .yarnrc.yml does not already hold what converting it would write.
            if let Some(first) = owned.first().filter(|_| !yarnrc_holds_npmrc(&text, dir)) {
                out.push(Warning::new(
                    Code::YarnIgnoresNpmrc,
                    format!(
                        "Yarn Berry never reads .npmrc, so its {} registry/auth setting(s) do nothing for yarn",
                        owned.len()
                    ),
                    Some(Origin {
                        file: ".npmrc".into(),
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
        let lookups: HashSet<String> = routes
            .iter()
            .map(|r| r.registry.clone().unwrap_or(PUBLIC_REGISTRY.to_string()))
            .chain(publishing)
            .flat_map(|registry| yarn_lookup_keys(&registry))
            .collect();
        for (key, creds) in &model.auth {
            if let AuthKey::Url(k) = key
                && !lookups.contains(&normalize_yarn_key(k))
            {
                out.push(Warning::new(
                    Code::YarnRegistryKeyUnmatched,
                    format!(
                        "npmRegistries[\"{k}\"] matches no registry in use (Yarn compares the key with the registry URL exactly)"
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
            .map(|u| u.host);
        for route in routes {
            let host = route
                .registry
                .as_deref()
                .and_then(RegistryUrl::parse)
                .map(|u| u.host);
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
