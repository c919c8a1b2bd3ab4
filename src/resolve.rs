//! What a manager will actually do with a model: for the default registry and each scope,
//! which registry it requests and which `Authorization` it sends. The matching rules are
//! each manager's own (`managers`); this module holds the route as data and the ways of
//! sending credentials that several managers share.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;

use crate::managers::Manager;
use crate::model::{AuthKey, Credentials, Model, Origin, PasswordEncoding, Value};
use crate::template::{Dialect, Template};

/// A model as routes read it: its credentials looked up by key, hashed when many routes are
/// resolved at once (a large config's thousands of routes each probe the ordered map several
/// times otherwise, issue 20). Derefs to the model.
pub struct Lookup<'a> {
    model: &'a Model,
    hashed: Option<Hashed<'a>>,
}

/// The URL and scope keys of a model's credentials, by their text.
#[derive(Default)]
struct Hashed<'a> {
    urls: rustc_hash::FxHashMap<&'a str, (&'a AuthKey, &'a Credentials)>,
    scopes: rustc_hash::FxHashMap<&'a str, (&'a AuthKey, &'a Credentials)>,
    /// Some URL key ends in an `@scope/` segment ([`Lookup::holds_scope_path_keys`]).
    scope_paths: bool,
}

/// A URL key whose last path segment names a scope: `//host/path/@scope/`.
fn is_scope_path_key(url: &str) -> bool {
    memchr::memchr(b'@', url.as_bytes()).is_some()
        && url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .is_some_and(|last| last.starts_with('@'))
}

impl<'a> Lookup<'a> {
    /// For one route: the ordered map as it is, nothing built.
    pub fn one(model: &'a Model) -> Self {
        Lookup {
            model,
            hashed: None,
        }
    }

    /// For many routes of one model: the keys hashed once.
    pub fn many(model: &'a Model) -> Self {
        let mut hashed = Hashed::default();
        for (key, creds) in &model.auth {
            match key {
                AuthKey::Url(url) => {
                    hashed.scope_paths |= is_scope_path_key(url);
                    hashed.urls.insert(url, (key, creds))
                }
                AuthKey::Scope(scope) => hashed.scopes.insert(scope, (key, creds)),
                AuthKey::DefaultRegistry | AuthKey::Fallback => None,
            };
        }
        Lookup {
            model,
            hashed: Some(hashed),
        }
    }

    /// The credentials held under `key`, with the key as the model holds it.
    pub fn credential(&self, key: &AuthKey) -> Option<(&'a AuthKey, &'a Credentials)> {
        match (&self.hashed, key) {
            (Some(hashed), AuthKey::Url(url)) => hashed.urls.get(url.as_str()).copied(),
            (Some(hashed), AuthKey::Scope(scope)) => hashed.scopes.get(scope.as_str()).copied(),
            _ => self.model.auth.get_key_value(key),
        }
    }

    /// Whether some URL key ends in an `@scope/` segment, which pnpm 11/12 read as a scope
    /// token: most models hold none, and their routes need not look for one.
    pub fn holds_scope_path_keys(&self) -> bool {
        match &self.hashed {
            Some(hashed) => hashed.scope_paths,
            None => self
                .model
                .auth
                .keys()
                .any(|k| matches!(k, AuthKey::Url(url) if is_scope_path_key(url))),
        }
    }

    /// The credentials keyed by `scope` (Yarn Berry's `npmScopes`, pnpm's
    /// `//host/:@scope:_authToken`), without building a key to look them up.
    pub fn scope_credential(&self, scope: &str) -> Option<(&'a AuthKey, &'a Credentials)> {
        match &self.hashed {
            Some(hashed) => hashed.scopes.get(scope).copied(),
            None => self.credential(&AuthKey::Scope(scope.to_string())),
        }
    }
}

impl std::ops::Deref for Lookup<'_> {
    type Target = Model;
    fn deref(&self) -> &Model {
        self.model
    }
}

/// A scope no config names: it goes where any such scope goes (Yarn 1 sends a token with
/// scoped packages only, Yarn a parent folder's top-level token with them), so comparing two
/// readings compares it too.
pub const UNNAMED_SCOPE: &str = "@pmrc-unnamed-scope";

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
            Packages::Scope(s) => {
                f.write_str(crate::model::scope_label_prefix(s))?;
                f.write_str(s)?;
                f.write_str("/*")
            }
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
    /// The credentials are the registry URL's own userinfo (`https://user:pass@host/`), or
    /// the manager refuses a URL that has one ([`UrlUserinfo`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub credential_in_url: bool,
    /// The value `registry` was rendered from, as the manager reads it. Notations escape
    /// the same text differently (npm `\${`, Yarn's quoted `\\${`, Bun none), so routes
    /// are compared by this, not by their spellings; `None` where pmrc's reading is not
    /// the manager's own (see [`Template::holds_escaped_reference`]).
    #[serde(skip)]
    pub registry_read: Option<Template>,
}

/// What a manager does with credentials written into a registry URL
/// (`https://user:pass@host/`) on that registry's own requests. Measured with the real
/// managers (conformance cases `*_registry_userinfo*`; docs/conformance.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlUserinfo {
    /// Not sent (Deno).
    Ignored,
    /// Sent as `Basic base64(user:password)` (a user alone as `user:`).
    Basic {
        /// Percent escapes decoded before encoding (Yarn 4, pnpm 12, Bun), or sent as
        /// written (npm, Yarn 1, pnpm 10).
        decoded: bool,
        /// Sent even when a configured key matches the request (Yarn 1 and 4, pnpm 10 and
        /// 12); npm and Bun send the key's credentials instead.
        over_keys: bool,
        /// An empty user with a password is `Bearer <password>` instead (Bun).
        empty_user_is_bearer: bool,
        /// Also sent with the registry's tarballs (Bun); the others send them only with the
        /// packument, whose tarball URLs carry no userinfo.
        to_tarballs: bool,
    },
    /// Every request to the registry fails: pnpm 11's HTTP client refuses a URL with
    /// credentials ("Request cannot be constructed from a URL that includes credentials").
    Fails,
}

impl UrlUserinfo {
    /// Why a route's credentials are its URL's userinfo (or why it fails), for explain.
    pub fn reason(self, manager: Manager) -> String {
        match self {
            UrlUserinfo::Ignored => {
                format!("{manager} ignores credentials written into a registry URL")
            }
            UrlUserinfo::Fails => format!(
                "the registry URL has credentials in it (`user:password@`), and {manager} refuses such a URL: every request to this registry fails"
            ),
            UrlUserinfo::Basic {
                decoded,
                over_keys,
                empty_user_is_bearer,
                ..
            } => format!(
                "the registry URL's userinfo (`user:password@`), sent as Basic{} with its percent escapes {}{}",
                if empty_user_is_bearer {
                    " (`:token@` as Bearer)"
                } else {
                    ""
                },
                if decoded { "decoded" } else { "as written" },
                if over_keys {
                    "; it beats any configured key"
                } else {
                    "; no configured key matches the request URL"
                }
            ),
        }
    }
}

/// The registry URL `manager` sends its requests under: `registry` without its query where
/// the manager leaves a registry URL's query out (`Rules::keeps_registry_query`).
pub fn sent_under(manager: Manager, registry: &str) -> &str {
    match crate::registry_url::without_query(registry) {
        Some(cut) if !manager.rules().keeps_registry_query() => cut,
        _ => registry,
    }
}

impl Route {
    /// The registry requested: the one configured, else the manager's public registry.
    pub fn requested_registry(&self, manager: Manager) -> &str {
        self.registry
            .as_deref()
            .unwrap_or_else(|| manager.public_registry())
    }

    /// The route as `how` says a manager takes its registry URL's userinfo, if it has one.
    pub fn with_url_userinfo(mut self, how: UrlUserinfo, dialect: Dialect, model: &Model) -> Route {
        let Some(registry) = self.registry.as_deref() else {
            return self;
        };
        if how == UrlUserinfo::Ignored || crate::registry_url::url_userinfo(registry).is_none() {
            return self;
        }
        // The userinfo is read from the value the URL came from, in a dialect that renders
        // every reference as one, so a `${VAR}` in it stays a reference whichever file and
        // manager it was written for.
        let value = self.registry_value(model, dialect);
        let (written, parsed_as) = match value {
            Some(v) => (v.value.render(Dialect::Yarn).0, Dialect::Yarn),
            None => (registry.to_string(), dialect),
        };
        let Some((user, password)) = crate::registry_url::url_userinfo(&written) else {
            return self;
        };
        // `https://@host/` and `https://:@host/` send nothing (npm 11).
        if user.is_empty() && password.is_none_or(str::is_empty) {
            return self;
        }
        let authorization = match how {
            UrlUserinfo::Ignored => return self,
            UrlUserinfo::Fails => None,
            UrlUserinfo::Basic {
                over_keys: false, ..
            } if self.authorization.is_some() => {
                return self;
            }
            UrlUserinfo::Basic {
                decoded,
                empty_user_is_bearer,
                ..
            } => {
                let part = |text: &str| {
                    let text = if decoded {
                        percent_encoding::percent_decode_str(text)
                            .decode_utf8_lossy()
                            .into_owned()
                    } else {
                        text.to_string()
                    };
                    Template::parse(&text, parsed_as)
                };
                let password = part(password.unwrap_or_default());
                Some(
                    if empty_user_is_bearer && user.is_empty() && !password.is_empty() {
                        Authorization::Bearer(password)
                    } else {
                        basic_from_parts(&part(user), &password, false)
                    },
                )
            }
        };
        self.credential_origin = value.and_then(|v| v.origin.clone());
        self.authorization = authorization;
        self.credential_key = None;
        self.credential_in_url = true;
        self
    }

    /// The value this route's registry URL is: its scope's entry or the default registry,
    /// whichever the manager rendered into it (a scope's entry can be passed over, e.g. a
    /// `${VAR}` URL pnpm 10 does not expand in a project file).
    fn registry_value<'m>(&self, model: &'m Model, dialect: Dialect) -> Option<&'m Value> {
        let scoped = match &self.packages {
            Packages::Scope(s) => model.scopes.get(s).and_then(|s| s.registry.as_ref()),
            Packages::Unscoped => None,
        };
        [scoped, model.registry.as_ref()]
            .into_iter()
            .flatten()
            .find(|v| self.registry.as_deref() == Some(v.value.render(dialect).0.as_str()))
    }
}

impl Route {
    /// Whether `other` requests the same registry with the same credentials, as far as
    /// [`Self::observable`] can tell (the groups of packages are not compared).
    pub fn acts_like(&self, other: &Route) -> bool {
        if self.resolved_alike(other) {
            return true;
        }
        let (_, registry, authorization) = self.observable();
        let (_, other_registry, other_authorization) = other.observable();
        authorization == other_authorization
            && self.requests_alike_as_spelled(other, (&registry, &other_registry))
    }

    /// Whether both request the same registry: their values as read when both claim one
    /// (a reference by its name and default, apart from any text: npm's `${Q}` and Bun's
    /// literal `${Q}` are spelled alike and differ), else their spellings, each as
    /// [`Route::observable`] compares them.
    pub fn requests_alike(&self, other: &Route) -> bool {
        let spelled = (
            &self.registry.as_deref().and_then(comparable_registry),
            &other.registry.as_deref().and_then(comparable_registry),
        );
        self.requests_alike_as_spelled(other, spelled)
    }

    /// [`Route::requests_alike`], given both registries as [`Route::observable`] has
    /// them. Plain text (most registries) is spelled alike in every notation, so its
    /// spelling decides, without spelling the values again (issue 20).
    pub fn requests_alike_as_spelled(
        &self,
        other: &Route,
        (mine, theirs): (&Option<String>, &Option<String>),
    ) -> bool {
        match self.reads_to_compare(other) {
            Some((a, b)) if !(is_plain(a) && is_plain(b)) => {
                a == b
                    || comparable_registry(&spelled_apart(a))
                        == comparable_registry(&spelled_apart(b))
            }
            _ => mine == theirs,
        }
    }

    /// Both registries' values as read, when both routes claim one.
    fn reads_to_compare<'r>(&'r self, other: &'r Route) -> Option<(&'r Template, &'r Template)> {
        let a = self.registry.as_ref().and(self.registry_read.as_ref())?;
        let b = other.registry.as_ref().and(other.registry_read.as_ref())?;
        Some((a, b))
    }

    /// The route with the value its registry was rendered from.
    pub fn read_from(mut self, value: Option<&Value>) -> Route {
        self.registry_read = value.map(|v| v.value.clone());
        self
    }

    /// The same registry and credentials as resolved, so the same observable form: checked
    /// before rendering that form, since most of a large config's routes are (issue 20).
    pub fn resolved_alike(&self, other: &Route) -> bool {
        let same_registry = match self.reads_to_compare(other) {
            Some((a, b)) => a == b,
            None => self.registry == other.registry,
        };
        same_registry && self.authorization == other.authorization
    }

    /// Comparable form: the public registries of all managers are one registry, a
    /// trailing slash or a scheme's default port does not change where a manager sends
    /// requests, and credentials are
    /// compared as sent with their variables set. (Unset, npm sends `${X}` as written, Bun
    /// an empty value, Yarn refuses to start: none of them authenticates; defaults, which
    /// would, are reported as `lossy-env-reference`.)
    pub fn observable(&self) -> (Packages, Option<String>, Option<Authorization>) {
        // The userinfo is not part of the request on the wire; what it sends is compared
        // as the authorization.
        let registry = self.registry.as_deref().and_then(comparable_registry);
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

/// A registry URL as requests see it: no userinfo, trailing slash or default port; `None`
/// for a public registry (all managers' public registries are one).
fn comparable_registry(url: &str) -> Option<String> {
    let url = crate::registry_url::without_userinfo(url);
    let url = crate::registry_url::without_default_port(url.trim_end_matches('/'));
    (!is_public_registry(&url)).then_some(url)
}

/// Text only, with nothing any notation escapes: spelled as itself everywhere.
fn is_plain(value: &Template) -> bool {
    value.pieces.iter().all(|p| match p {
        crate::template::Piece::Text { text } => !text
            .bytes()
            .any(|b| matches!(b, b'$' | b'\\' | b'{' | b'}')),
        crate::template::Piece::Env { .. } | crate::template::Piece::FromVariable { .. } => false,
    })
}

/// A value in one spelling whatever the notation it was read from: its text as it is,
/// each reference as its name and default between NULs, which no URL holds, so a literal
/// `${X}` and a reference to X stay apart, and so do two defaults. Routes are compared
/// with their variables set, as credentials are: npm's `${X}` and Bun's `$X` (empty when
/// unset) are one registry.
fn spelled_apart(value: &Template) -> String {
    use crate::template::{Piece, Unset};
    let mut out = String::new();
    for piece in value.pieces.iter() {
        match piece {
            // The bytes sent: a token a variable gives is the same credential as that text.
            Piece::Text { text } | Piece::FromVariable { text, .. } => out.push_str(text),
            Piece::Env { name, unset } => {
                out.push('\0');
                out.push_str(name);
                match unset {
                    Unset::Strict | Unset::Empty => {}
                    Unset::Default(d) => {
                        out.push_str("\0default\0");
                        out.push_str(d);
                    }
                    Unset::DefaultIfUnset(d) => {
                        out.push_str("\0if-unset\0");
                        out.push_str(d);
                    }
                }
                out.push('\0');
            }
        }
    }
    out
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
    let rules = manager.rules();
    let (how, dialect) = (rules.url_userinfo(), rules.dialect());
    rules
        .routes(model, groups)
        .into_iter()
        .map(|r| r.with_url_userinfo(how, dialect, model))
        .collect()
}

/// Unscoped packages and every scope either model names, once each, in order.
pub fn groups_of(a: &Model, b: &Model) -> Vec<Packages> {
    // Yarn's `npmScopes` key `"@acme"` names a scope no package is in (`@@acme/*`): as a
    // group it was printed as `@acme/*` with npm's unscoped route (from a trial).
    let scopes: std::collections::BTreeSet<&String> = a
        .scopes
        .keys()
        .chain(b.scopes.keys())
        .filter(|s| !s.starts_with('@'))
        .collect();
    std::iter::once(Packages::Unscoped)
        .chain(scopes.into_iter().map(|s| Packages::Scope(s.clone())))
        .collect()
}

/// The route of one group of packages (a scope need not be configured).
pub fn route(model: &Model, manager: Manager, packages: Packages) -> Route {
    let rules = manager.rules();
    rules
        .route(&Lookup::one(model), packages)
        .with_url_userinfo(rules.url_userinfo(), rules.dialect(), model)
}

/// The route as the configured keys alone decide it, the registry URL's userinfo aside:
/// what a manager that sends userinfo only with the packument sends with its tarballs.
pub fn route_from_keys(model: &Model, manager: Manager, packages: Packages) -> Route {
    manager.rules().route(&Lookup::one(model), packages)
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

/// The credentials a registry at `url` gets by npm's walk up the packument request's path:
/// the deepest URL key with credentials that authenticate.
pub fn credentials_under<'a>(
    model: &Lookup<'a>,
    url: &crate::registry_url::RegistryUrl,
) -> Option<(AuthKey, &'a crate::model::Credentials)> {
    packument_walk_up(model, url.host(), url.path(), |c| c.authenticates())
}

/// npm's walk up the path of a packument request (`<registry path>/<name>`) on `host`,
/// deepest key first: the first URL key whose credentials `accept` takes. The candidate keys
/// are probed in one buffer: a route is resolved thousands of times in a large config.
pub fn packument_walk_up<'a>(
    model: &Lookup<'a>,
    host: &str,
    registry_path: &str,
    accept: impl Fn(&crate::model::Credentials) -> bool,
) -> Option<(AuthKey, &'a crate::model::Credentials)> {
    packument_walk_up_keys(model, (host, registry_path), accept, |_| true)
}

/// [`packument_walk_up`] over the keys `key_tried` lets through (pnpm 10 tries only those
/// that end in `/`).
pub fn packument_walk_up_keys<'a>(
    model: &Lookup<'a>,
    (host, registry_path): (&str, &str),
    accept: impl Fn(&crate::model::Credentials) -> bool,
    key_tried: impl Fn(&str) -> bool,
) -> Option<(AuthKey, &'a crate::model::Credentials)> {
    // `concat`, not `format!`: one allocation and no formatting machinery, per route.
    let mut probe =
        AuthKey::Url(["//", host, registry_path.trim_end_matches('/'), "/pkg"].concat());
    loop {
        let tried = matches!(&probe, AuthKey::Url(key) if key_tried(key));
        if tried
            && let Some((_, creds)) = model.credential(&probe)
            && accept(creds)
        {
            return Some((probe, creds));
        }
        let AuthKey::Url(key) = &mut probe else {
            unreachable!("the probe is a URL key")
        };
        if !crate::registry_url::npm_walk_up_step(key) {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Dialect;

    #[test]
    fn scope_path_keys_are_noticed_hashed_or_not() {
        for (key, held) in [
            ("//r.example/npm/@acme/", true),
            ("//r.example/@acme", true),
            ("//r.example/npm/", false),
            ("//r.example/a@b/", false),
        ] {
            let mut model = Model::default();
            model
                .auth
                .insert(AuthKey::Url(key.into()), Credentials::default());
            assert_eq!(Lookup::one(&model).holds_scope_path_keys(), held, "{key}");
            assert_eq!(Lookup::many(&model).holds_scope_path_keys(), held, "{key}");
        }
    }

    /// A hashed lookup finds exactly what the ordered map holds, for every kind of key and
    /// for keys it does not hold, and hands back the model's own key.
    #[test]
    fn a_hashed_lookup_finds_what_the_ordered_map_holds() {
        let mut model = Model::default();
        let held = [
            AuthKey::Url("//r.example/npm/".into()),
            AuthKey::Url("//r.example/".into()),
            AuthKey::Scope("acme".into()),
            AuthKey::DefaultRegistry,
            AuthKey::Fallback,
        ];
        for (i, key) in held.iter().enumerate() {
            let token = Template::literal(format!("fake-token-{i}"));
            model.auth.entry(key.clone()).or_default().token =
                Some(crate::model::Value::new(token, None));
        }
        let (one, many) = (Lookup::one(&model), Lookup::many(&model));
        let missing = [
            AuthKey::Url("//r.example/other/".into()),
            // The same text as a held URL key, as a scope: kinds are never mixed up.
            AuthKey::Scope("//r.example/".into()),
            AuthKey::Url("acme".into()),
        ];
        for key in held.iter().chain(&missing) {
            let found = many.credential(key);
            assert_eq!(found, one.credential(key), "{key:?}");
            assert_eq!(found.is_some(), held.contains(key), "{key:?}");
            if let Some((k, _)) = found {
                assert!(std::ptr::eq(k, model.auth.get_key_value(key).unwrap().0));
            }
        }
        for scope in ["acme", "other", "//r.example/"] {
            assert_eq!(
                many.scope_credential(scope),
                one.scope_credential(scope),
                "{scope}"
            );
        }
        assert!(many.scope_credential("acme").is_some());
    }

    fn route(registry: Option<&str>, token: Option<&str>) -> Route {
        Route {
            packages: Packages::Unscoped,
            registry: registry.map(str::to_string),
            authorization: token.map(|t| Authorization::Bearer(Template::parse(t, Dialect::Npm))),
            credential_key: None,
            credential_origin: None,
            credential_in_url: false,
            registry_read: None,
        }
    }

    /// Two notations' spellings of one value request alike; a literal `${X}` and a
    /// reference to X do not, nor do two references to different variables.
    #[test]
    fn routes_compare_registries_as_read_not_as_spelled() {
        let spelled = |text: &str, dialect: Dialect| Route {
            registry_read: Some(Template::parse(text, dialect)),
            ..route(Some(text), None)
        };
        let alike = [
            (
                spelled("https://s.example/${H:-d}/", Dialect::Npm),
                spelled("https://s.example/\\${H:-d}", Dialect::Yarn),
            ),
            (
                spelled("https://u.example/\\${Q}/", Dialect::Npm),
                spelled("https://u.example/${Q}/", Dialect::Bun),
            ),
        ];
        for (a, b) in &alike {
            assert!(a.acts_like(b) && b.acts_like(a), "{a:?} / {b:?}");
            // Spelled apart, they differ: what made them compare alike is the reading.
            assert_ne!(a.observable().1, b.observable().1);
        }
        let apart = [
            (
                spelled("https://u.example/\\${Q}/", Dialect::Npm),
                spelled("https://u.example/${Q}/", Dialect::Yarn),
            ),
            // Spelled alike: npm expands `${Q}`, Bun sends it as text.
            (
                spelled("https://u.example/${Q}/", Dialect::Npm),
                spelled("https://u.example/${Q}/", Dialect::Bun),
            ),
            // Defaults differ where the variable is unset.
            (
                spelled("https://${H:-a.example}/", Dialect::Yarn),
                spelled("https://${H:-b.example}/", Dialect::Yarn),
            ),
            (
                spelled("https://${H}/", Dialect::Npm),
                spelled("https://${H:-fallback.example}/", Dialect::Yarn),
            ),
            (
                spelled("https://${A}/", Dialect::Npm),
                spelled("https://${B}/", Dialect::Yarn),
            ),
        ];
        for (a, b) in &apart {
            assert!(!a.acts_like(b) && !b.acts_like(a), "{a:?} / {b:?}");
        }
    }

    /// `acts_like` is the observable forms' equality, with or without its shortcut.
    #[test]
    fn routes_act_alike_exactly_when_their_observable_forms_are_equal() {
        let cases = [
            (
                route(Some("https://r.example/"), Some("${T}")),
                route(Some("https://r.example/"), Some("${T}")),
            ),
            (
                route(Some("https://r.example/"), None),
                route(Some("https://r.example"), None),
            ),
            (
                route(Some("https://r.example:443/"), None),
                route(Some("https://r.example/"), None),
            ),
            (
                route(None, None),
                route(Some("https://registry.npmjs.org/"), None),
            ),
            (
                route(Some("https://r.example/"), Some("${T}")),
                route(Some("https://r.example/"), Some("${U}")),
            ),
            (
                route(Some("https://r.example/"), Some("${T}")),
                route(Some("https://r.example/"), None),
            ),
            (
                route(Some("https://r.example/"), None),
                route(Some("https://s.example/"), None),
            ),
        ];
        for (a, b) in &cases {
            let (_, ra, aa) = a.observable();
            let (_, rb, ab) = b.observable();
            let equal = ra == rb && aa == ab;
            assert_eq!(a.acts_like(b), equal, "{a:?} / {b:?}");
            assert_eq!(b.acts_like(a), equal, "{b:?} / {a:?}");
            // The shortcut never says alike where the forms differ.
            assert!(!a.resolved_alike(b) || equal, "{a:?} / {b:?}");
        }
        // Both answers occur above: the test would see a relation that is always one way.
        assert!(
            cases
                .iter()
                .any(|(a, b)| a.acts_like(b) && !a.resolved_alike(b))
        );
        assert!(cases.iter().any(|(a, b)| !a.acts_like(b)));
    }
}
