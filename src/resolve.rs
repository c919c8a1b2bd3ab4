//! What a manager will actually do with a model: for the default registry and each scope,
//! which registry it requests and which `Authorization` it sends, by that manager's own
//! matching rules (npm walks up the URL path, Yarn Berry matches keys exactly).

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;

use crate::manager::Manager;
use crate::model::{AuthKey, Credentials, Model, Origin, PasswordEncoding};
use crate::registry_url::{
    RegistryUrl, normalize_yarn_key, npm_walk_up, with_trailing_slash, yarn_lookup_keys,
};
use crate::template::{Dialect, Template};

/// Which packages a route serves.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "scope", rename_all = "kebab-case")]
pub enum Packages {
    Unscoped,
    Scope(String),
}

impl std::fmt::Display for Packages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Packages::Unscoped => f.write_str("unscoped packages"),
            Packages::Scope(s) => write!(f, "{}/*", crate::model::scope_label(s)),
        }
    }
}

/// The `Authorization` a request carries, in a form comparable across managers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "scheme", content = "value", rename_all = "kebab-case")]
pub enum Authorization {
    Bearer(Template),
    /// `Basic <value>`: the base64 text sent, symbolic when it comes from the environment.
    Basic(Template),
    /// Basic built by the manager from parts that are environment references.
    BasicParts {
        user: Template,
        password: Template,
        password_base64: bool,
    },
    /// A client certificate and no header.
    ClientCertificate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub packages: Packages,
    /// The registry URL requested; `None` is the manager's public registry.
    pub registry: Option<String>,
    pub authorization: Option<Authorization>,
    /// Which credentials entry decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_key: Option<AuthKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_origin: Option<Origin>,
}

impl Route {
    /// Comparable form: the public registries of all managers are one registry, a
    /// trailing slash does not change where a manager sends requests, and credentials are
    /// compared as sent with their variables set. (Unset, npm sends `${X}` as written, Bun
    /// an empty value, Yarn refuses to start: none of them authenticates; defaults, which
    /// would, are reported as `lossy-env-reference`.)
    pub fn observable(&self) -> (Packages, Option<String>, Option<Authorization>) {
        let registry = self
            .registry
            .as_ref()
            .map(|r| r.trim_end_matches('/').to_string())
            .filter(|r| !is_public_registry(r));
        let authorization = self.authorization.clone().map(|a| match a {
            Authorization::Bearer(t) => Authorization::Bearer(t.when_set()),
            Authorization::Basic(t) => Authorization::Basic(t.when_set()),
            Authorization::BasicParts {
                user,
                password,
                password_base64,
            } => Authorization::BasicParts {
                user: user.when_set(),
                password: password.when_set(),
                password_base64,
            },
            Authorization::ClientCertificate => Authorization::ClientCertificate,
        });
        (self.packages.clone(), registry, authorization)
    }
}

pub fn is_public_registry(url: &str) -> bool {
    matches!(
        url.trim_end_matches('/'),
        "https://registry.npmjs.org" | "https://registry.yarnpkg.com"
    )
}

/// Every route of a model under `manager`'s rules: the default registry, then each scope.
pub fn routes(model: &Model, manager: Manager) -> Vec<Route> {
    let mut packages = vec![Packages::Unscoped];
    packages.extend(model.scopes.keys().map(|s| Packages::Scope(s.clone())));
    routes_for(model, manager, packages)
}

/// The routes of the given groups of packages (a scope need not be configured), with the
/// lookups built once so that many groups stay linear in the size of the config.
pub fn routes_for(model: &Model, manager: Manager, groups: Vec<Packages>) -> Vec<Route> {
    let bun_keys = (manager == Manager::Bun).then(|| BunKeys::new(model));
    groups
        .into_iter()
        .map(|packages| match manager {
            Manager::Npm => npm_route(model, packages),
            Manager::Yarn => yarn_route(model, packages),
            Manager::YarnClassic => classic_route(model, packages),
            Manager::Bun => bun_route(model, packages, bun_keys.as_ref().expect("built for Bun")),
            Manager::Pnpm(major) => pnpm_route(model, packages, major),
        })
        .collect()
}

/// The route of one group of packages (a scope need not be configured).
pub fn route(model: &Model, manager: Manager, packages: Packages) -> Route {
    routes_for(model, manager, vec![packages])
        .pop()
        .expect("one route per group")
}

fn rendered(t: &Template, dialect: Dialect) -> String {
    t.render(dialect).0
}

fn npm_route(model: &Model, packages: Packages) -> Route {
    let configured = match &packages {
        Packages::Scope(s) => model.scopes.get(s).and_then(|s| s.registry.as_ref()),
        Packages::Unscoped => None,
    }
    .or(model.registry.as_ref());
    let registry = configured.map(|v| rendered(&v.value, Dialect::Npm));
    let url = RegistryUrl::parse(
        registry
            .as_deref()
            .unwrap_or(Manager::Npm.public_registry()),
    );
    let mut found = None;
    if let Some(url) = &url {
        // The packument request: `<registry>/<name>`, whose walk-up starts below the registry.
        let mut request = url.clone();
        request.path = format!("{}/pkg", request.path.trim_end_matches('/'));
        found = npm_walk_up(&request).into_iter().find_map(|key| {
            let key = AuthKey::Url(key);
            let creds = model.auth.get(&key)?;
            creds.authenticates().then_some((key, creds))
        });
        // Legacy top-level auth: npm refuses the file; `npm config fix` would move it to the
        // default registry, which is what the user meant.
        if found.is_none() && configured == model.registry.as_ref() {
            found = model
                .auth
                .get_key_value(&AuthKey::Fallback)
                .filter(|(_, c)| c.authenticates())
                .map(|(k, c)| (k.clone(), c));
        }
    }
    npm_style_route(packages, registry, found)
}

/// npm's order within one level: token, `_auth`, username + `_password`, client cert.
pub fn npm_authorization(c: &Credentials) -> Option<Authorization> {
    if let Some(t) = &c.token {
        return Some(Authorization::Bearer(t.value.clone()));
    }
    if let Some(ident) = &c.ident {
        return Some(Authorization::Basic(ident.value.clone()));
    }
    if let (Some(u), Some(p)) = (&c.username, &c.password) {
        return Some(basic_from_parts(
            &u.value,
            &p.value,
            c.password_encoding == Some(PasswordEncoding::Base64),
        ));
    }
    (c.certfile.is_some() && c.keyfile.is_some()).then_some(Authorization::ClientCertificate)
}

/// `Basic base64(user:password)` when both parts are literal, else symbolic.
pub fn basic_from_parts(
    user: &Template,
    password: &Template,
    password_base64: bool,
) -> Authorization {
    if let (Some(u), Some(p)) = (user.as_literal(), password.as_literal()) {
        let p = if password_base64 {
            decode_base64_lossy(&p)
        } else {
            p.into_bytes()
        };
        let mut pair = format!("{u}:").into_bytes();
        pair.extend(p);
        return Authorization::Basic(Template::literal(BASE64.encode(pair)));
    }
    Authorization::BasicParts {
        user: user.clone(),
        password: password.clone(),
        password_base64,
    }
}

/// npm decodes `_password` with Node's lenient base64 decoder.
pub fn decode_base64_lossy(s: &str) -> Vec<u8> {
    let cleaned: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+/".contains(*c))
        .collect();
    let padded = format!("{cleaned}{}", "=".repeat((4 - cleaned.len() % 4) % 4));
    BASE64.decode(padded).unwrap_or_default()
}

fn yarn_route(model: &Model, packages: Packages) -> Route {
    let scope_entry = match &packages {
        Packages::Scope(s) => model.scopes.get(s),
        Packages::Unscoped => None,
    };
    // A declared scope without npmRegistryServer goes to Yarn's default, not the top level.
    let registry = match (&packages, scope_entry) {
        (Packages::Scope(_), Some(scope)) => Some(
            scope
                .registry
                .as_ref()
                .map_or(Manager::Yarn.public_registry().to_string(), |v| {
                    rendered(&v.value, Dialect::Yarn)
                }),
        ),
        _ => model
            .registry
            .as_ref()
            .map(|v| rendered(&v.value, Dialect::Yarn)),
    };
    let effective = registry
        .clone()
        .unwrap_or(Manager::Yarn.public_registry().into());
    let scope_creds = match &packages {
        Packages::Scope(s) => model
            .auth
            .get_key_value(&AuthKey::Scope(s.clone()))
            .filter(|(_, c)| truthy(c)),
        Packages::Unscoped => None,
    };
    let chosen = scope_creds
        .or_else(|| {
            // Keys match after one trailing `/` is stripped: `want` or `want/`, the first
            // in key order, looked up rather than scanned for.
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

/// Yarn base64-encodes an ident that contains `:` and sends any other one as it is.
pub fn ident_authorization(ident: &Template) -> Authorization {
    match split_ident(ident) {
        Some((user, password)) => basic_from_parts(&user, &password, false),
        None => Authorization::Basic(ident.clone()),
    }
}

/// `user:password` split at the first literal `:`, when the ident has one.
pub fn split_ident(ident: &Template) -> Option<(Template, Template)> {
    use crate::template::Piece;
    let at = ident
        .pieces
        .iter()
        .position(|p| matches!(p, Piece::Text { text } if text.contains(':')))?;
    let Piece::Text { text } = &ident.pieces[at] else {
        unreachable!()
    };
    let (before, after) = text.split_once(':').expect("contains a colon");
    let before = Piece::Text {
        text: before.into(),
    };
    let after = Piece::Text { text: after.into() };
    let user = Template::from_pieces(ident.pieces[..at].iter().cloned().chain([before]));
    let password = Template::from_pieces(
        [after]
            .into_iter()
            .chain(ident.pieces[at + 1..].iter().cloned()),
    );
    Some((user, password))
}

/// The registry a manager that reads `.npmrc`-style routing requests for `packages`.
fn configured_registry<'a>(
    model: &'a Model,
    packages: &Packages,
) -> Option<&'a crate::model::Value> {
    match packages {
        Packages::Scope(s) => model.scopes.get(s).and_then(|s| s.registry.as_ref()),
        Packages::Unscoped => None,
    }
    .or(model.registry.as_ref())
}

/// Yarn 1 (`npm-registry.js`): credentials only at the registry's exact nerf dart (with a
/// trailing slash; also without a final `registry/` segment), else the unscoped ones; sent
/// for scoped packages, and for unscoped ones only with always-auth.
fn classic_route(model: &Model, packages: Packages) -> Route {
    let registry = configured_registry(model, &packages).map(|v| rendered(&v.value, Dialect::Npm));
    let effective = registry
        .clone()
        .unwrap_or_else(|| Manager::YarnClassic.public_registry().to_string());
    let mut keys = Vec::new();
    if let Some(url) = RegistryUrl::parse(&effective) {
        let key = url.registry_nerf_dart();
        if let Some(shorter) = key.strip_suffix("registry/") {
            keys.push(shorter.to_string());
        }
        keys.insert(0, key);
    }
    let exact = keys
        .iter()
        .find_map(|k| model.auth.get_key_value(&AuthKey::Url(k.clone())));
    let global = model.auth.get(&AuthKey::Fallback);
    // Each credential name is looked up per registry first, then globally.
    let pick = |f: fn(&Credentials) -> &Option<crate::model::Value>| {
        exact
            .and_then(|(_, c)| f(c).clone())
            .or_else(|| global.and_then(|g| f(g).clone()))
    };
    let merged = Credentials {
        token: pick(|c| &c.token),
        ident: pick(|c| &c.ident),
        username: pick(|c| &c.username),
        password: pick(|c| &c.password),
        password_encoding: Some(PasswordEncoding::Base64),
        always_auth: pick(|c| &c.always_auth).or_else(|| model.always_auth.clone()),
        ..Credentials::default()
    };
    let sends = matches!(packages, Packages::Scope(_)) || merged.always_auth();
    let authorization = if sends {
        npm_authorization(&merged)
    } else {
        None
    };
    let (credential_key, origin) = match (&authorization, exact) {
        (None, _) => (None, None),
        (Some(_), Some((k, c))) if c.authenticates() => (Some(k.clone()), c.origin().cloned()),
        (Some(_), _) => (
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
    }
}

/// Bun's `.npmrc` credentials by lowercased host and path (with a trailing `/`), so that a
/// registry's longest matching key is a walk up its path. Each place keeps the entry Bun
/// would pick among keys that differ only in a trailing `/` or host case: the longer
/// spelling, else the last in key order.
struct BunKeys<'a>(HashMap<(String, String), (usize, &'a AuthKey, &'a Credentials)>);

impl<'a> BunKeys<'a> {
    fn new(model: &'a Model) -> Self {
        let mut keys: HashMap<_, (usize, &AuthKey, &Credentials)> = HashMap::new();
        for (k, c) in model.auth.iter().filter(|(_, c)| c.authenticates()) {
            let AuthKey::Url(key) = k else { continue };
            let Some(rest) = key.strip_prefix("//") else {
                continue;
            };
            let (host, path) = rest
                .split_once('/')
                .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
            let place = (host.to_ascii_lowercase(), with_trailing_slash(&path));
            match keys.get(&place) {
                Some((len, ..)) if *len > path.len() => {}
                _ => {
                    keys.insert(place, (path.len(), k, c));
                }
            }
        }
        BunKeys(keys)
    }

    /// The key on `url`'s host with the longest path that is a prefix of `url`'s path.
    fn longest(&self, url: &RegistryUrl) -> Option<(&'a AuthKey, &'a Credentials)> {
        let host = url.host.to_ascii_lowercase();
        let path = with_trailing_slash(&url.path);
        let ends = path
            .match_indices('/')
            .map(|(i, _)| i + 1)
            .collect::<Vec<_>>();
        ends.into_iter().rev().find_map(|end| {
            self.0
                .get(&(host.clone(), path[..end].to_string()))
                .map(|(_, k, c)| (*k, *c))
        })
    }
}

/// Bun: credentials written with the registry in bunfig win; otherwise an `.npmrc` key on
/// the same host whose path is a prefix of the registry's (the longest one).
fn bun_route(model: &Model, packages: Packages, npmrc_keys: &BunKeys) -> Route {
    let registry = configured_registry(model, &packages).map(|v| rendered(&v.value, Dialect::Bun));
    let effective = registry
        .clone()
        .unwrap_or_else(|| Manager::Bun.public_registry().to_string());
    let bound_key = match &packages {
        Packages::Scope(s) if model.scopes.get(s).is_some_and(|s| s.registry.is_some()) => {
            AuthKey::Scope(s.clone())
        }
        _ => AuthKey::DefaultRegistry,
    };
    let bound = model
        .auth
        .get_key_value(&bound_key)
        .filter(|(_, c)| c.authenticates());
    let from_npmrc = || npmrc_keys.longest(&RegistryUrl::parse(&effective)?);
    let chosen = bound.or_else(from_npmrc);
    npm_style_route(packages, registry, chosen.map(|(k, c)| (k.clone(), c)))
}

/// Whether pnpm (10.34+, 11, 12) uses a credential: not when it is an environment
/// reference in a project `.npmrc` (it warns and sends nothing).
pub fn pnpm_usable(c: &Credentials) -> bool {
    !c.secrets()
        .chain(c.username.iter())
        .any(|v| v.level() == crate::model::Level::Project && v.value.has_env())
}

/// pnpm: the longest configured `//host[:port]/path` prefix of the request, then the same
/// walk without the port; project `.npmrc` credentials that are `${VAR}` are skipped.
fn pnpm_route(model: &Model, packages: Packages, major: u8) -> Route {
    let registry = configured_registry(model, &packages).map(|v| rendered(&v.value, Dialect::Npm));
    let effective = registry
        .clone()
        .unwrap_or_else(|| Manager::Pnpm(0).public_registry().to_string());
    // pnpm 11/12 try a scope's own token (`//host/:@scope:_authToken`) first.
    let mut found = match &packages {
        Packages::Scope(s) if major != 10 => model
            .auth
            .get_key_value(&AuthKey::Scope(s.clone()))
            .filter(|(_, c)| c.authenticates() && pnpm_usable(c))
            .map(|(k, c)| (k.clone(), c)),
        _ => None,
    };
    if let (None, Some(url)) = (&found, RegistryUrl::parse(&effective)) {
        let mut request = url.clone();
        request.path = format!("{}/pkg", request.path.trim_end_matches('/'));
        let mut portless = request.clone();
        portless.host = request.hostname.clone();
        let mut keys = npm_walk_up(&request);
        if portless.host != request.host {
            keys.extend(npm_walk_up(&portless));
        }
        found = keys.into_iter().find_map(|key| {
            let key = AuthKey::Url(key);
            let creds = model.auth.get(&key)?;
            (creds.authenticates() && pnpm_usable(creds)).then_some((key, creds))
        });
    }
    npm_style_route(packages, registry, found)
}

/// A route whose credentials, once chosen, are sent the way npm sends them (npm, pnpm, Bun).
fn npm_style_route(
    packages: Packages,
    registry: Option<String>,
    found: Option<(AuthKey, &Credentials)>,
) -> Route {
    let (credential_key, authorization, credential_origin) = match found {
        Some((key, creds)) => (Some(key), npm_authorization(creds), creds.origin().cloned()),
        None => (None, None, None),
    };
    Route {
        packages,
        registry,
        authorization,
        credential_key,
        credential_origin,
    }
}
