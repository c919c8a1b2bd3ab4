//! Turns a model read with one manager's rules into a model that makes another manager
//! send the same credentials to the same registries, and reports what cannot be kept.
//! Works on routes (what the source manager actually does), not on keys as written.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::manager::Manager;
use crate::model::{AuthKey, Credentials, Level, Model, Origin, PasswordEncoding, Scope, Value};
use crate::registry_url::{RegistryUrl, normalize_yarn_key, with_trailing_slash};
use crate::resolve::{self, Authorization, Packages, Route, decode_base64_lossy, split_ident};
use crate::template::{Piece, Template};
use crate::warning::Warning;

pub struct Translation {
    pub model: Model,
    /// Credentials that must also be written at user level (pnpm reads `${VAR}`
    /// credentials only there); they stay in the project file for npm-run commands.
    pub user_credentials: Model,
    pub warnings: Vec<Warning>,
}

struct Translator<'a> {
    source: &'a Model,
    from: Manager,
    to: Manager,
    /// User-level files may be written (`--user`).
    user: bool,
    warnings: Vec<Warning>,
}

/// How a target file spells things: `.npmrc` (npm, and Yarn 1 which reads it for auth),
/// `.yarnrc.yml`, or `bunfig.toml`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Npmrc,
    Yarnrc,
    Bunfig,
}

impl Translator<'_> {
    fn target(&self) -> Target {
        match self.to {
            Manager::Npm | Manager::YarnClassic | Manager::Pnpm(_) => Target::Npmrc,
            Manager::Yarn => Target::Yarnrc,
            Manager::Bun => Target::Bunfig,
        }
    }
}

/// Moves a value to `level` (a value read without an origin takes `fallback`'s place).
fn move_to(v: &mut Value, level: Level, fallback: &Option<Origin>) {
    match (&mut v.origin, fallback) {
        (Some(o), _) => o.level = level,
        (None, Some(f)) => v.origin = Some(Origin { level, ..f.clone() }),
        (None, None) => {
            v.origin = Some(Origin {
                file: std::path::PathBuf::new(),
                line: 0,
                level,
            })
        }
    }
}

/// Translates `source` (read with `from`'s rules) for `to`; `user` allows moving
/// credentials to user-level files where the target cannot read them from the project.
pub fn translate(source: &Model, from: Manager, to: Manager, user: bool) -> Translation {
    let routes = resolve::routes(source, from);
    let mut tr = Translator {
        source,
        from,
        to,
        user,
        warnings: Vec::new(),
    };
    let mut model = Model {
        registry: source.registry.as_ref().map(|r| tr.registry_value(r)),
        ..Model::default()
    };
    tr.scopes(&routes, &mut model);
    tr.credentials(&routes, &mut model);
    if model.auth.contains_key(&AuthKey::DefaultRegistry) && model.registry.is_none() {
        // Bun keeps the default registry's credentials with its URL, so it must be written.
        let public = Value::new(Template::literal(to.public_registry()), None);
        model.registry = Some(public);
    }
    tr.network(&routes, &mut model);
    if tr.target() == Target::Bunfig {
        tr.bun_entries_at_one_level(&mut model);
    }
    let user_credentials = if to.is_pnpm() {
        tr.pnpm_env_credentials(&model)
    } else {
        Model::default()
    };
    let mut effective = model.clone();
    effective.overlay(user_credentials.clone());
    tr.verify(&routes, &effective);
    Translation {
        model,
        user_credentials,
        warnings: tr.warnings,
    }
}

impl Translator<'_> {
    /// Bun keeps a registry's credentials inside its entry (`{ url, token }`), and the
    /// project bunfig's entry for a scope hides the user bunfig's whole entry for it. So the
    /// URL and the credentials of one entry must be written at one level: a literal secret
    /// stays in the user file (and its URL moves there with it); an environment reference,
    /// safe to commit, joins its URL.
    fn bun_entries_at_one_level(&mut self, model: &mut Model) {
        let keys: Vec<AuthKey> = model.auth.keys().cloned().collect();
        for key in keys {
            let url = match &key {
                AuthKey::DefaultRegistry => model.registry.as_mut(),
                AuthKey::Scope(s) => model.scopes.get_mut(s).and_then(|s| s.registry.as_mut()),
                _ => None,
            };
            let Some(url) = url else { continue };
            let creds = model.auth.get_mut(&key).expect("key from the map");
            let url_level = url.level();
            if creds.values_mut().iter().all(|v| v.level() == url_level) {
                continue;
            }
            let origin = creds.origin().cloned();
            let literal_user_secret = creds
                .secrets()
                .any(|v| v.level() == Level::User && v.value.has_literal_text());
            let entry = match &key {
                AuthKey::Scope(s) => format!("scope {}", crate::model::scope_label(s)),
                _ => "the default registry".to_string(),
            };
            if literal_user_secret {
                move_to(url, Level::User, &origin);
                for v in creds.values_mut() {
                    move_to(v, Level::User, &origin);
                }
                self.warnings.push(Warning::new(
                    "bun-entry-moved-to-user",
                    format!("Bun keeps a registry's token with its URL, and a project bunfig.toml entry would hide the user one: {entry} goes to the user bunfig.toml with its literal secret, so the project no longer routes it for others (an environment reference instead would keep it in the project)"),
                    origin,
                ));
            } else {
                for v in creds.values_mut() {
                    move_to(v, url_level, &origin);
                }
                self.warnings.push(Warning::note(
                    "bun-entry-credentials-moved",
                    format!("Bun keeps a registry's credentials with its URL: the credentials of {entry} are written in the {} bunfig.toml with it (they hold only environment references)", match url_level { Level::Project => "project", Level::User => "user" }),
                    origin,
                ));
            }
        }
    }

    /// A value for the target, with a warning for anything its interpolation cannot keep.
    fn carry(&mut self, v: &Value, what: &str) -> Value {
        for loss in v.value.render(self.to.dialect()).1 {
            self.warnings.push(Warning::new(
                "lossy-env-reference",
                format!("{what}: {} cannot keep {}", self.to, loss.what),
                v.origin.clone(),
            ));
        }
        v.clone()
    }

    /// Registry URLs: npm wants the trailing slash (its nerf dart drops the last segment
    /// otherwise); Yarn strips one itself, and writes them without.
    fn registry_value(&mut self, v: &Value) -> Value {
        let mut v = self.carry(v, "registry");
        if let Some(url) = v.value.as_literal() {
            let url = match self.target() {
                Target::Npmrc | Target::Bunfig => with_trailing_slash(&url),
                Target::Yarnrc => normalize_yarn_key(&url),
            };
            v.value = Template::literal(url);
        }
        v
    }

    fn scopes(&mut self, routes: &[Route], model: &mut Model) {
        let from = self.from;
        let by_scope: std::collections::HashMap<&str, &Route> = routes
            .iter()
            .filter_map(|r| match &r.packages {
                Packages::Scope(s) => Some((s.as_str(), r)),
                Packages::Unscoped => None,
            })
            .collect();
        for (name, scope) in &self.source.scopes {
            let route = by_scope[name.as_str()];
            let registry = match &scope.registry {
                Some(r) => Some(self.registry_value(r)),
                None => {
                    let url = route.registry.clone().unwrap_or_default();
                    if from == Manager::Yarn {
                        self.warnings.push(Warning::new(
                            "yarn-scope-without-registry",
                            format!(
                                "npmScopes.{name} has no npmRegistryServer, so Yarn sends @{name}/* to {url}, not to the top-level npmRegistryServer; pmrc keeps that"
                            ),
                            None,
                        ));
                    }
                    let value = Value::new(Template::literal(url), None);
                    Some(self.registry_value(&value))
                }
            };
            let publish_registry = match self.target() {
                // Other managers publish a scope to its registry; Yarn never consults the
                // scope's npmRegistryServer for publishing, so it needs npmPublishRegistry.
                Target::Yarnrc => match &scope.publish_registry {
                    Some(p) => Some(self.registry_value(p)),
                    None if from != Manager::Yarn => registry.clone(),
                    None => None,
                },
                Target::Npmrc | Target::Bunfig => {
                    if let Some(p) = &scope.publish_registry {
                        let same = scope
                            .registry
                            .as_ref()
                            .map(|r| normalize_yarn_key(&r.value.render(from.dialect()).0))
                            == Some(normalize_yarn_key(&p.value.render(from.dialect()).0));
                        if !same {
                            self.warnings.push(Warning::new(
                                "lossy-publish-registry",
                                format!(
                                    "{} cannot publish @{name} to a registry other than the scope's from its config; set publishConfig.registry in package.json",
                                    self.to
                                ),
                                p.origin.clone(),
                            ));
                        }
                    }
                    None
                }
            };
            model.scopes.insert(
                target_scope(name),
                Scope {
                    registry,
                    publish_registry,
                },
            );
        }
        if let Some(p) = &self.source.publish_registry {
            match self.target() {
                Target::Yarnrc => model.publish_registry = Some(self.registry_value(p)),
                Target::Npmrc | Target::Bunfig => self.warnings.push(Warning::new(
                    "lossy-publish-registry",
                    format!(
                        "{} has no config setting for a separate publish registry; set publishConfig.registry in package.json",
                        self.to
                    ),
                    p.origin.clone(),
                )),
            }
        }
    }

    /// Where a route's credentials go in the target: keyed by the registry the target
    /// will look up, so path walk-up and exact matching agree.
    fn target_key(&self, route: &Route, source_key: &AuthKey) -> AuthKey {
        match (self.target(), source_key, &route.packages) {
            (Target::Yarnrc, AuthKey::Scope(s), _) => return AuthKey::Scope(target_scope(s)),
            // pnpm 11/12 have per-scope tokens too (`//host/:@scope:_authToken`).
            (Target::Npmrc, AuthKey::Scope(s), _) if matches!(self.to, Manager::Pnpm(11..)) => {
                return AuthKey::Scope(target_scope(s));
            }
            // Bun binds credentials to the registry entry they are written with.
            (Target::Bunfig, _, Packages::Scope(s)) => return AuthKey::Scope(target_scope(s)),
            (Target::Bunfig, _, Packages::Unscoped) => return AuthKey::DefaultRegistry,
            _ => {}
        }
        let registry = route
            .registry
            .clone()
            .unwrap_or_else(|| self.to.public_registry().to_string());
        match RegistryUrl::parse(&registry) {
            Some(url) => AuthKey::Url(match self.target() {
                Target::Npmrc | Target::Bunfig => url.registry_nerf_dart(),
                Target::Yarnrc => url.yarn_key(),
            }),
            // A registry held in an environment variable: key by its text as written.
            None => AuthKey::Url(registry),
        }
    }

    fn credentials(&mut self, routes: &[Route], model: &mut Model) {
        let mut assigned: BTreeMap<AuthKey, (Credentials, Packages)> = BTreeMap::new();
        for route in routes {
            let Some(source_key) = &route.credential_key else {
                continue;
            };
            let creds = &self.source.auth[source_key];
            let key = self.target_key(route, source_key);
            let mut converted = self.convert(creds, &route.registry);
            if converted.is_empty() {
                continue;
            }
            if matches!(self.to, Manager::Yarn | Manager::YarnClassic)
                && route.packages == Packages::Unscoped
                && route.authorization.is_some()
            {
                converted.always_auth = Some(Value::new(
                    Template::literal("true"),
                    creds.origin().cloned(),
                ));
            }
            match assigned.get_mut(&key) {
                None => {
                    assigned.insert(key, (converted, route.packages.clone()));
                }
                Some((existing, first)) => {
                    let mut a = existing.clone();
                    let mut b = converted.clone();
                    a.always_auth = None;
                    b.always_auth = None;
                    if a != b {
                        self.warnings.push(Warning::new(
                            "lossy-shared-registry-credentials",
                            format!(
                                "{} and {} use different credentials for the same registry ({key}); {} keys credentials by registry only, so {} keeps those of {first}",
                                first, route.packages, self.to, self.to
                            ),
                            creds.origin().cloned(),
                        ));
                    } else if converted.always_auth.is_some() {
                        existing.always_auth = converted.always_auth;
                    }
                }
            }
        }
        // Credentials no route uses (tarball hosts, registries only used for publishing)
        // are carried over under the target's spelling of the same key.
        let used: std::collections::HashSet<&AuthKey> = routes
            .iter()
            .filter_map(|r| r.credential_key.as_ref())
            .collect();
        for (key, creds) in &self.source.auth {
            if used.contains(&key) {
                continue;
            }
            match key {
                AuthKey::Url(_) if self.target() == Target::Bunfig => {
                    self.warnings.push(Warning::note(
                        "unused-credential",
                        format!("the credentials at {key} are not used for any registry in use; bunfig.toml can only hold a registry's own credentials"),
                        creds.origin().cloned(),
                    ))
                }
                AuthKey::Url(location) => {
                    let target = AuthKey::Url(self.url_key(location));
                    if let std::collections::btree_map::Entry::Vacant(e) = assigned.entry(target) {
                        let converted = self.convert(creds, &None);
                        if !converted.is_empty() {
                            e.insert((converted, Packages::Unscoped));
                        }
                    }
                }
                // A pnpm scope token no other manager reads: kept in `.npmrc`, where it is
                // harmless to them and still serves pnpm.
                AuthKey::Scope(scope)
                    if self.target() == Target::Npmrc
                        && self.from.is_pnpm()
                        && self.source.scopes.contains_key(scope) =>
                {
                    let converted = self.convert(creds, &None);
                    if !converted.is_empty() {
                        assigned.insert(key.clone(), (converted, Packages::Scope(scope.clone())));
                    }
                }
                AuthKey::Scope(_) | AuthKey::Fallback | AuthKey::DefaultRegistry => self.warnings.push(Warning::note(
                    "unused-credential",
                    format!("the credentials at {key} are not used for any registry in use, so pmrc does not carry them over"),
                    creds.origin().cloned(),
                )),
            }
        }
        for (key, (creds, _)) in assigned {
            for secret in creds.secrets() {
                if secret.value.has_literal_text() {
                    self.warnings.push(Warning::new(
                        "plain-text-secret",
                        format!(
                            "a literal secret for {key} is written as plain text into the {} config; prefer an environment reference such as ${{NPM_TOKEN}}",
                            self.to
                        ),
                        secret.origin.clone(),
                    ));
                }
            }
            model.auth.insert(key, creds);
        }
    }

    /// A URL credential key as the target spells it.
    fn url_key(&self, location: &str) -> String {
        let without_scheme = match location.find("//") {
            Some(i) if i > 0 && location[..i].ends_with(':') => &location[i..],
            _ => location,
        };
        match self.target() {
            Target::Npmrc | Target::Bunfig => with_trailing_slash(without_scheme),
            Target::Yarnrc => normalize_yarn_key(location),
        }
    }

    /// One credentials entry in the kinds the target can express.
    fn convert(&mut self, c: &Credentials, registry: &Option<String>) -> Credentials {
        let mut out = Credentials {
            token: c.token.as_ref().map(|t| self.carry(t, "token")),
            ..Credentials::default()
        };
        match self.target() {
            Target::Npmrc => self.convert_to_npmrc(c, &mut out),
            Target::Yarnrc => {
                out.ident = c.ident.as_ref().map(|i| self.carry(i, "_auth"));
                if c.username.is_some()
                    && let Some((user, password)) = self.plain_basic(c)
                {
                    let colon = Piece::Text { text: ":".into() };
                    let ident = Template::from_pieces(
                        user.pieces
                            .into_iter()
                            .chain([colon])
                            .chain(password.pieces),
                    );
                    out.ident = Some(Value::new(
                        ident,
                        c.password.as_ref().and_then(|p| p.origin.clone()),
                    ));
                }
                if let (Some(cert), Some(key)) = (&c.certfile, &c.keyfile) {
                    let host = registry
                        .as_deref()
                        .and_then(RegistryUrl::parse)
                        .map(|u| u.hostname);
                    if let Some(host) = host {
                        self.warnings.push(Warning::note(
                            "client-certificate-per-host",
                            format!("Yarn picks client certificates by hostname, so this one applies to every registry on {host}"),
                            cert.origin.clone(),
                        ));
                    }
                    // Stored as host settings by `network`, which sees the route.
                    out.certfile = Some(cert.clone());
                    out.keyfile = Some(key.clone());
                }
            }
            Target::Bunfig => {
                if out.token.is_none()
                    && (c.ident.is_some() || c.username.is_some())
                    && let Some((user, password)) = self.plain_basic(c)
                {
                    let origin = c
                        .password
                        .as_ref()
                        .or(c.ident.as_ref())
                        .and_then(|v| v.origin.clone());
                    out.username = Some(self.carry(&Value::new(user, origin.clone()), "username"));
                    out.password = Some(self.carry(&Value::new(password, origin), "password"));
                    out.password_encoding = Some(PasswordEncoding::Plain);
                }
                if let Some(cert) = &c.certfile {
                    self.warnings.push(Warning::new(
                        "lossy-client-certificate",
                        "Bun does not support per-registry client certificates (certfile/keyfile)",
                        cert.origin.clone(),
                    ));
                }
            }
        }
        if out.certfile.is_none()
            && out.token.is_none()
            && out.ident.is_none()
            && out.username.is_none()
        {
            return Credentials::default();
        }
        out
    }

    /// `.npmrc` kinds: token, `_auth`, `username` + base64 `_password`, cert files.
    fn convert_to_npmrc(&mut self, c: &Credentials, out: &mut Credentials) {
        if let Some(ident) = &c.ident {
            match split_ident(&ident.value) {
                None => {
                    if ident.value.has_env() && self.from == Manager::Yarn {
                        self.warnings.push(Warning::note(
                            "env-ident-assumed-base64",
                            format!(
                                "npmAuthIdent {} becomes `_auth`, which {} sends as it is: the variable must hold base64(user:password), not user:password",
                                ident.value.render(self.to.dialect()).0,
                                self.to
                            ),
                            ident.origin.clone(),
                        ));
                    }
                    out.ident = Some(self.carry(ident, "_auth"));
                }
                Some((user, password)) => match password.as_literal() {
                    Some(p) => {
                        out.username = Some(Value::new(user, ident.origin.clone()));
                        out.password = Some(Value::new(Template::literal(BASE64.encode(p)), ident.origin.clone()));
                        out.password_encoding = Some(PasswordEncoding::Base64);
                    }
                    None => self.warnings.push(Warning::new(
                        "lossy-basic-auth",
                        "`.npmrc` needs `_password` as base64 of the password, which cannot be built from an environment reference; set `_auth` to base64(user:password) yourself",
                        ident.origin.clone(),
                    )),
                },
            }
        }
        if out.username.is_none()
            && let (Some(u), Some(p)) = (&c.username, &c.password)
        {
            match c.password_encoding {
                    Some(PasswordEncoding::Base64) => {
                        out.username = Some(u.clone());
                        out.password = Some(p.clone());
                        out.password_encoding = Some(PasswordEncoding::Base64);
                    }
                    _ => match p.value.as_literal() {
                        Some(plain) => {
                            out.username = Some(u.clone());
                            out.password = Some(Value::new(Template::literal(BASE64.encode(plain)), p.origin.clone()));
                            out.password_encoding = Some(PasswordEncoding::Base64);
                        }
                        None => self.warnings.push(Warning::new(
                            "lossy-basic-auth",
                            "`.npmrc` needs `_password` as base64 of the password, which cannot be built from an environment reference; set `_auth` to base64(user:password) yourself",
                            p.origin.clone(),
                        )),
                    },
                }
        }
        out.certfile = c.certfile.clone();
        out.keyfile = c.keyfile.clone();
        // npm ignores always-auth, but a `.npmrc` that Yarn 1 shares still needs it.
        if self.from == Manager::YarnClassic {
            out.always_auth = c.always_auth.clone();
        }
    }

    /// Basic credentials as user and plain password, decoding what `.npmrc` encodes.
    fn plain_basic(&mut self, c: &Credentials) -> Option<(Template, Template)> {
        if let (Some(u), Some(p)) = (&c.username, &c.password) {
            if c.password_encoding != Some(PasswordEncoding::Base64) {
                return Some((u.value.clone(), p.value.clone()));
            }
            let Some(encoded) = p.value.as_literal() else {
                self.warnings.push(Warning::new(
                    "lossy-basic-auth",
                    format!(
                        "`_password` comes from an environment variable holding base64, which {} cannot decode; give {} the plain password in its own variable",
                        self.to, self.to
                    ),
                    p.origin.clone(),
                ));
                return None;
            };
            return match String::from_utf8(decode_base64_lossy(&encoded)) {
                Ok(plain) => Some((u.value.clone(), Template::literal(plain))),
                Err(_) => {
                    self.warnings.push(Warning::new(
                        "invalid-password-base64",
                        "`_password` is not base64 of a text password (npm sends garbage for it); pmrc does not carry it over",
                        p.origin.clone(),
                    ));
                    None
                }
            };
        }
        let ident = c.ident.as_ref()?;
        if let Some(parts) = split_ident(&ident.value) {
            return Some(parts);
        }
        let decoded = ident
            .value
            .as_literal()
            .and_then(|b64| String::from_utf8(decode_base64_lossy(&b64)).ok())
            .and_then(|pair| {
                pair.split_once(':')
                    .map(|(u, p)| (Template::literal(u), Template::literal(p)))
            });
        if decoded.is_none() {
            self.warnings.push(Warning::new(
                "lossy-basic-auth",
                format!(
                    "{} needs basic auth as a username and password; this pre-encoded value (`_auth`/npmAuthIdent) cannot be split. Keep it in .npmrc as `//host/:_auth=...`, which {} also reads",
                    self.to, self.to
                ),
                ident.origin.clone(),
            ));
        }
        decoded
    }

    fn network(&mut self, routes: &[Route], model: &mut Model) {
        let src = self.source;
        model.tls.strict_ssl = src.tls.strict_ssl.as_ref().map(|v| {
            let mut v = self.carry(v, "strict-ssl");
            if let Some(lit) = v.value.as_literal() {
                v.value = Template::literal(
                    match lit.as_str() {
                        "1" => "true",
                        "0" => "false",
                        other => other,
                    }
                    .to_string(),
                );
            }
            v
        });
        model.tls.cafile = src.tls.cafile.as_ref().map(|v| self.carry(v, "cafile"));
        if self.from == Manager::YarnClassic && self.to == Manager::Npm {
            // Kept for Yarn 1, which shares the `.npmrc`; npm ignores it.
            model.always_auth = src.always_auth.clone();
        }
        match self.target() {
            Target::Bunfig => {
                model.tls.ca = src.tls.ca.clone();
                let unsupported = [
                    (
                        &src.tls.strict_ssl,
                        "strict-ssl (Bun has no setting for it)",
                    ),
                    (&src.tls.cert, "a client certificate"),
                    (
                        &src.proxy.http,
                        "a proxy (Bun takes HTTP_PROXY/HTTPS_PROXY from the environment)",
                    ),
                    (
                        &src.proxy.https,
                        "a proxy (Bun takes HTTP_PROXY/HTTPS_PROXY from the environment)",
                    ),
                    (
                        &src.proxy.noproxy,
                        "noproxy (Bun takes NO_PROXY from the environment)",
                    ),
                ];
                for (value, what) in unsupported {
                    if let Some(v) = value {
                        self.warnings.push(Warning::new(
                            "lossy-network-settings",
                            format!("bunfig.toml cannot hold {what}; it is not carried over"),
                            v.origin.clone(),
                        ));
                    }
                }
                model.tls.strict_ssl = None;
            }
            Target::Npmrc => {
                model.tls.ca = src.tls.ca.clone();
                if src.tls.cert.is_some() || src.tls.key.is_some() {
                    self.warnings.push(Warning::new(
                        "lossy-client-certificate",
                        "`.npmrc` takes a global client certificate only as inline PEM (`cert`/`key`), not as the file paths httpsCertFilePath/httpsKeyFilePath hold",
                        src.tls.cert.as_ref().or(src.tls.key.as_ref()).and_then(|v| v.origin.clone()),
                    ));
                }
                for (host, h) in &src.hosts {
                    let origin = [
                        &h.ca_file,
                        &h.cert_file,
                        &h.key_file,
                        &h.http_proxy,
                        &h.https_proxy,
                    ]
                    .into_iter()
                    .flatten()
                    .find_map(|v| v.origin.clone());
                    self.warnings.push(Warning::new(
                        "lossy-network-settings",
                        format!("{} has no per-host network settings; networkSettings[\"{host}\"] is not carried over", self.to),
                        origin,
                    ));
                }
                if self.to.is_pnpm() {
                    self.proxies_per_scheme(model);
                } else {
                    self.proxies_to_npm(model);
                }
            }
            Target::Yarnrc => {
                for ca in &src.tls.ca {
                    self.warnings.push(Warning::new(
                        "lossy-inline-ca",
                        "Yarn reads CA certificates only from a file (httpsCaFilePath); put this `ca` in a file and set cafile",
                        ca.origin.clone(),
                    ));
                }
                if let Some(v) = src.tls.cert.as_ref().or(src.tls.key.as_ref()) {
                    self.warnings.push(Warning::new(
                        "lossy-client-certificate",
                        "Yarn reads client certificates only from files (httpsCertFilePath/httpsKeyFilePath); npm's inline `cert`/`key` are not carried over",
                        v.origin.clone(),
                    ));
                }
                model.hosts = src.hosts.clone();
                // Per-registry client certificates become per-host settings.
                for route in routes {
                    let Some(source_key @ AuthKey::Url(_)) = &route.credential_key else {
                        continue;
                    };
                    let key = self.target_key(route, source_key);
                    let Some(creds) = model.auth.get_mut(&key) else {
                        continue;
                    };
                    let (Some(cert), Some(keyfile)) = (creds.certfile.take(), creds.keyfile.take())
                    else {
                        continue;
                    };
                    if let Some(url) = route.registry.as_deref().and_then(RegistryUrl::parse) {
                        let h = model.hosts.entry(url.hostname).or_default();
                        h.cert_file = Some(cert);
                        h.key_file = Some(keyfile);
                    }
                }
                model.auth.retain(|_, c| !c.is_empty());
                self.proxies_per_scheme(model);
                self.noproxy_unsupported();
                let mut allowed: Vec<Value> = src.http_allowed.clone();
                for route in routes {
                    let Some(url) = route.registry.as_deref().and_then(RegistryUrl::parse) else {
                        continue;
                    };
                    let known = allowed
                        .iter()
                        .any(|v| v.value.as_literal().as_deref() == Some(url.hostname.as_str()));
                    if url.is_http() && !known {
                        allowed.push(Value::new(
                            Template::literal(url.hostname.clone()),
                            self.registry_origin(route),
                        ));
                    }
                }
                model.http_allowed = allowed;
            }
        }
    }

    fn registry_origin(&self, route: &Route) -> Option<Origin> {
        let v = match &route.packages {
            Packages::Scope(s) => self.source.scopes.get(s).and_then(|s| s.registry.as_ref()),
            Packages::Unscoped => None,
        };
        v.or(self.source.registry.as_ref())
            .and_then(|v| v.origin.clone())
    }

    /// For targets with one proxy per scheme (Yarn, pnpm). npm sends every request through
    /// `https-proxy`, else `proxy`; Yarn and pnpm sources already say which scheme.
    fn proxies_per_scheme(&mut self, model: &mut Model) {
        let p = &self.source.proxy;
        let (http, https) = match self.from {
            Manager::Npm => {
                let one = p.https.as_ref().or(p.http.as_ref());
                (one, one)
            }
            _ => (p.http.as_ref(), p.https.as_ref()),
        };
        model.proxy.http = http.map(|v| self.carry(v, "proxy"));
        model.proxy.https = https.map(|v| self.carry(v, "https-proxy"));
        if self.to.is_pnpm() {
            model.proxy.noproxy = p.noproxy.clone();
        }
    }

    fn noproxy_unsupported(&mut self) {
        if let Some(np) = &self.source.proxy.noproxy {
            self.warnings.push(Warning::new(
                "lossy-noproxy",
                "Yarn Berry has no no-proxy setting; `noproxy` is not carried over (networkSettings can give hosts their own httpProxy/httpsProxy)",
                np.origin.clone(),
            ));
        }
    }

    /// Yarn proxies http and https targets separately; npm has one proxy for both.
    fn proxies_to_npm(&mut self, model: &mut Model) {
        let p = &self.source.proxy;
        match (&p.http, &p.https) {
            (Some(h), Some(s)) if h == s => model.proxy.http = Some(h.clone()),
            (Some(h), Some(s)) => {
                self.warnings.push(Warning::new(
                    "lossy-proxy",
                    format!(
                        "{} sends http and https requests through one proxy (`https-proxy`, else `proxy`); the http and https proxies differ, so it will use the https one for both",
                        self.to
                    ),
                    h.origin.clone(),
                ));
                model.proxy.http = Some(h.clone());
                model.proxy.https = Some(s.clone());
            }
            (Some(one), None) | (None, Some(one)) => {
                self.warnings.push(Warning::new(
                    "lossy-proxy",
                    format!(
                        "{} uses its one proxy for http and https requests alike, while {} proxied only one scheme",
                        self.to, self.from
                    ),
                    one.origin.clone(),
                ));
                model.proxy.http = Some(one.clone());
            }
            (None, None) => {}
        }
    }

    /// pnpm ignores `${VAR}` credentials in a project `.npmrc`, yet `pnpm publish` and
    /// `login` run npm, which reads them there: they stay, and a copy goes to the
    /// user-level file with `--user`; without it pmrc says exactly what to add where.
    fn pnpm_env_credentials(&mut self, model: &Model) -> Model {
        let user_file = match self.to {
            Manager::Pnpm(10) => "~/.npmrc",
            _ => {
                "~/.config/pnpm/auth.ini ($XDG_CONFIG_HOME/pnpm/auth.ini when XDG_CONFIG_HOME is set)"
            }
        };
        let to = self.to;
        let mut user = Model::default();
        for (key, creds) in &model.auth {
            if !matches!(key, AuthKey::Url(_) | AuthKey::Scope(_)) || resolve::pnpm_usable(creds) {
                continue;
            }
            if self.user {
                let mut copy = creds.clone();
                for v in [
                    &mut copy.token,
                    &mut copy.ident,
                    &mut copy.username,
                    &mut copy.password,
                    &mut copy.certfile,
                    &mut copy.keyfile,
                    &mut copy.always_auth,
                ]
                .into_iter()
                .flatten()
                {
                    let mut origin = v.origin.clone().unwrap_or(Origin {
                        file: ".npmrc".into(),
                        line: 0,
                        level: Level::User,
                    });
                    origin.level = Level::User;
                    v.origin = Some(origin);
                }
                // A scope token's key names the scope's registry; the user file gets the
                // `@scope:registry` line with it, as `pnpm login --scope` writes them.
                if let AuthKey::Scope(scope) = key
                    && let Some(mut registry) =
                        model.scopes.get(scope).and_then(|s| s.registry.clone())
                {
                    if let Some(origin) = registry.origin.as_mut() {
                        origin.level = Level::User;
                    }
                    user.scopes.entry(scope.clone()).or_default().registry = Some(registry);
                }
                user.auth.insert(key.clone(), copy);
                continue;
            }
            // Only the scope a scope token names: cloning every scope for every credential
            // made large configs quadratic.
            let scopes = match key {
                AuthKey::Scope(scope) => model
                    .scopes
                    .get_key_value(scope)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .into_iter()
                    .collect(),
                _ => Default::default(),
            };
            let settings = crate::formats::npmrc::wanted(
                &Model {
                    auth: [(key.clone(), creds.clone())].into(),
                    scopes,
                    ..Model::default()
                },
                to,
            );
            let lines: Vec<String> = settings
                .iter()
                .filter(|(path, _)| path[0].starts_with("//"))
                .filter_map(|(path, value)| match value {
                    crate::formats::SettingValue::Scalar(v) => Some(format!("{}={v}", path[0])),
                    crate::formats::SettingValue::List(_) => None,
                })
                .collect();
            let token_key = settings
                .iter()
                .map(|(path, _)| path[0].as_str())
                .find(|k| k.ends_with(":_authToken"));
            let ci = match (to, token_key) {
                (Manager::Pnpm(11..), Some(k)) => {
                    format!(
                        " In CI you can instead set the environment variable `pnpm_config_{k}`."
                    )
                }
                _ => String::new(),
            };
            self.warnings.push(Warning::new(
                "pnpm-env-credential-needs-user-file",
                format!(
                    "{} ignores credentials that are environment references in a project .npmrc (pmrc keeps them there for npm-run commands such as `pnpm publish`). Add to {user_file}: `{}`, or run pmrc again with --user to write it.{ci}",
                    to.rules(),
                    lines.join("` and `")
                ),
                creds.origin().cloned(),
            ));
        }
        user
    }

    /// Re-resolves the result with the target's rules; any route that now behaves
    /// differently is reported, so nothing lossy passes silently.
    fn verify(&mut self, before: &[Route], model: &Model) {
        let from = self.from;
        let after = resolve::routes(model, self.to);
        let after: std::collections::HashMap<&Packages, &Route> =
            after.iter().map(|a| (&a.packages, a)).collect();
        for b in before {
            let target = match &b.packages {
                Packages::Scope(s) => Packages::Scope(target_scope(s)),
                Packages::Unscoped => Packages::Unscoped,
            };
            let Some(a) = after.get(&target) else {
                continue;
            };
            let (bp, breg, bauth) = b.observable();
            let (_, areg, aauth) = a.observable();
            if breg != areg {
                self.warnings.push(Warning::new(
                    "route-differs",
                    format!(
                        "{bp}: {from} requests {} but {} would request {}",
                        breg.as_deref().unwrap_or("the public registry"),
                        self.to,
                        areg.as_deref().unwrap_or("the public registry")
                    ),
                    None,
                ));
            } else if bauth != aauth {
                self.warnings.push(Warning::new(
                    "credentials-differ",
                    format!(
                        "{bp}: {from} sends {} but {} would send {}",
                        describe(&bauth),
                        self.to,
                        describe(&aauth)
                    ),
                    b.credential_origin.clone().or(a.credential_origin.clone()),
                ));
            }
        }
    }
}

/// A scope's name in a target: a Yarn `npmScopes` key written with `@` (which Yarn never
/// matched, and was reported) becomes the scope it was meant to be.
fn target_scope(name: &str) -> String {
    name.trim_start_matches('@').to_string()
}

/// A header described without its value.
fn describe(a: &Option<Authorization>) -> String {
    let refs = |t: &Template| {
        let names: Vec<String> = t
            .pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Env { name, .. } => Some(format!("${name}")),
                Piece::Text { .. } => None,
            })
            .collect();
        if names.is_empty() {
            "a literal value".to_string()
        } else {
            format!("from {}", names.join(", "))
        }
    };
    match a {
        None => "no credentials".into(),
        Some(Authorization::Bearer(t)) => format!("a bearer token ({})", refs(t)),
        Some(Authorization::Basic(t)) => format!("basic auth ({})", refs(t)),
        Some(Authorization::BasicParts { user, password, .. }) => {
            format!(
                "basic auth (user {}, password {})",
                refs(user),
                refs(password)
            )
        }
        Some(Authorization::ClientCertificate) => "a client certificate".into(),
    }
}
