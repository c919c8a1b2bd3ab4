//! `pmrc explain`: for one package, what each manager will request and which credential it
//! sends, from which file and line, and the rule that decided it. Reads the routes that
//! `resolve` computes; adds the tarball rules, which differ per manager.

use serde::Serialize;

use crate::manager::Manager;
use crate::model::{AuthKey, Model, Origin};
use crate::registry_url::{RegistryUrl, npm_walk_up};
use crate::resolve::{self, Authorization, Packages, Route};

/// One manager's answer for one package.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub manager: Manager,
    pub rules: &'static str,
    /// The packument request.
    pub url: String,
    pub authorization: Option<Authorization>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Why: the registry's source, then the credential rule.
    pub why: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tarball: Option<TarballExplanation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TarballExplanation {
    pub url: String,
    pub authorization: Option<Authorization>,
    pub why: String,
}

/// `@scope/name` → the scope.
pub fn scope_of(package: &str) -> Option<&str> {
    package.strip_prefix('@')?.split_once('/').map(|(s, _)| s)
}

pub fn explain(
    model: &Model,
    manager: Manager,
    package: &str,
    tarball: Option<&str>,
) -> Explanation {
    let packages = match scope_of(package) {
        Some(s) => Packages::Scope(s.to_string()),
        None => Packages::Unscoped,
    };
    let route = resolve::route(model, manager, packages.clone());
    let registry = route
        .registry
        .clone()
        .unwrap_or_else(|| manager.public_registry().to_string());
    let url = format!(
        "{}/{}",
        registry.trim_end_matches('/'),
        package.replace('/', "%2f")
    );
    let why = vec![
        registry_reason(model, manager, &packages, &route),
        credential_reason(manager, &route),
    ];
    let tarball = tarball.map(|t| tarball_explanation(model, manager, &route, &registry, t));
    Explanation {
        manager,
        rules: manager.rules(),
        url,
        authorization: route.authorization.clone(),
        origin: route
            .authorization
            .as_ref()
            .and(route.credential_origin.clone()),
        why,
        tarball,
    }
}

fn registry_reason(model: &Model, manager: Manager, packages: &Packages, route: &Route) -> String {
    let scope = match packages {
        Packages::Scope(s) => model.scopes.get(s).map(|entry| (s, entry)),
        Packages::Unscoped => None,
    };
    let at = |o: Option<&Origin>| o.map(|o| format!(" ({o})")).unwrap_or_default();
    match (scope, manager) {
        (Some((s, entry)), _) if entry.registry.is_some() => format!(
            "registry of scope @{s}{}",
            at(entry.registry.as_ref().and_then(|v| v.origin.as_ref()))
        ),
        (Some((s, _)), Manager::Yarn) => format!(
            "npmScopes.{s} sets no npmRegistryServer, so Yarn uses its default registry for it, not the top-level one"
        ),
        _ => match (&model.registry, &route.registry) {
            (Some(v), Some(_)) => format!("the default registry{}", at(v.origin.as_ref())),
            _ => format!("no registry configured: {}'s public registry", manager),
        },
    }
}

fn credential_reason(manager: Manager, route: &Route) -> String {
    let sent = route.authorization.is_some();
    match (&route.credential_key, sent, manager) {
        (None, _, Manager::Npm | Manager::Pnpm(_)) => {
            "no credentials: no configured key matches the request URL or any parent path".into()
        }
        (None, _, Manager::Yarn) => {
            "no credentials: no npmScopes or npmRegistries entry, and no top-level npmAuthToken/npmAuthIdent".into()
        }
        (None, _, Manager::YarnClassic) => {
            "no credentials: Yarn 1 looks only at the registry's exact URL and the unscoped keys".into()
        }
        (None, _, Manager::Bun) => {
            "no credentials: none written with the registry in bunfig.toml, and no .npmrc key on its host".into()
        }
        (Some(_), false, Manager::Yarn) => {
            "credentials exist, but unscoped packages get them only with npmAlwaysAuth: true".into()
        }
        (Some(_), false, Manager::YarnClassic) => {
            "credentials exist, but Yarn 1 sends them for unscoped packages only with always-auth=true".into()
        }
        (Some(AuthKey::Url(k)), _, Manager::Npm) => format!(
            "`{k}` is the deepest configured key on the request path (npm walks up the path)"
        ),
        (Some(AuthKey::Url(k)), _, Manager::Pnpm(_)) => format!(
            "`{k}` is the longest configured key matching the request (pnpm also tries it without the port)"
        ),
        (Some(AuthKey::Scope(s)), _, Manager::Pnpm(_)) => {
            format!("pnpm's scope token for @{s} on this registry")
        }
        (Some(AuthKey::Fallback), _, Manager::Npm) => {
            "top-level credentials: npm 9+ refuses the file (ERR_INVALID_AUTH); `npm config fix` would move them to the default registry".into()
        }
        (Some(AuthKey::Url(k)), _, Manager::Yarn) => {
            format!("npmRegistries[\"{k}\"] matches the registry URL exactly")
        }
        (Some(AuthKey::Scope(s)), _, Manager::Yarn) => format!("npmScopes.{s} has credentials"),
        (Some(AuthKey::Fallback), _, Manager::Yarn) => {
            "the top-level npmAuthToken/npmAuthIdent: no npmRegistries entry matches this registry exactly".into()
        }
        (Some(AuthKey::Url(k)), _, Manager::YarnClassic) => {
            format!("`{k}` is the registry's exact URL (Yarn 1 does not walk up the path)")
        }
        (Some(AuthKey::Fallback), _, Manager::YarnClassic) => {
            "the unscoped credentials, which Yarn 1 uses for a registry without its own".into()
        }
        (Some(AuthKey::Url(k)), _, Manager::Bun) => {
            format!(".npmrc key `{k}` is on the registry's host and a prefix of its path")
        }
        (Some(_), _, Manager::Bun) => "credentials written with the registry in bunfig.toml".into(),
        (Some(k), _, _) => format!("credentials at {k}"),
    }
}

/// Which credential goes with the tarball request, by each manager's own rule.
fn tarball_explanation(
    model: &Model,
    manager: Manager,
    route: &Route,
    registry: &str,
    tarball: &str,
) -> TarballExplanation {
    let (Some(t), Some(r)) = (RegistryUrl::parse(tarball), RegistryUrl::parse(registry)) else {
        return TarballExplanation {
            url: tarball.into(),
            authorization: None,
            why: "not an http(s) URL".into(),
        };
    };
    let same_origin = t.scheme == r.scheme && t.host == r.host;
    let under_registry = same_origin
        && t.path
            .starts_with(&crate::registry_url::with_trailing_slash(&r.path));
    let by_key = |portless: bool| {
        let mut keys = npm_walk_up(&t);
        if portless && t.hostname != t.host {
            let mut p = t.clone();
            p.host = t.hostname.clone();
            keys.extend(npm_walk_up(&p));
        }
        keys.into_iter().find_map(|k| {
            let creds = model.auth.get(&AuthKey::Url(k.clone()))?;
            creds
                .authenticates()
                .then(|| (k, resolve::npm_authorization(creds)))
        })
    };
    let (authorization, why) = match manager {
        Manager::Npm => match by_key(false) {
            Some((k, a)) => (a, format!("`{k}` matches the tarball URL")),
            None if t.host == r.host => (
                route.authorization.clone(),
                "same host as the package's registry: npm falls back to the registry's credentials".into(),
            ),
            None => (None, "another host, and no key matches it: npm sends nothing; npm 12 refuses such tarballs unless allow-remote=all".into()),
        },
        Manager::Pnpm(_) => match by_key(true) {
            Some((k, a)) => (a, format!("`{k}` matches the tarball URL")),
            None => (None, "no configured key matches the tarball URL, so pnpm sends nothing".into()),
        },
        Manager::Yarn => (
            route.authorization.clone(),
            "Yarn sends the package's registry credentials wherever the tarball lives".into(),
        ),
        Manager::YarnClassic if under_registry => (
            route.authorization.clone(),
            "the tarball is under the registry's URL, so Yarn 1 treats it like the packument".into(),
        ),
        Manager::YarnClassic => (None, "outside the registry's URL: Yarn 1 sends nothing".into()),
        Manager::Bun if same_origin => (
            route.authorization.clone(),
            "same origin as the registry: Bun sends the registry's credentials".into(),
        ),
        Manager::Bun => (None, "another origin: Bun never sends credentials there".into()),
    };
    TarballExplanation {
        url: tarball.into(),
        authorization,
        why,
    }
}
