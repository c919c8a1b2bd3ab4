//! The format-neutral model of registry, auth and network settings. Every value keeps
//! where it came from; environment references stay references. No format knowledge here.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::template::Template;

/// Which configuration level a setting belongs to; levels map to levels in a translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Project,
    User,
}

/// Where a value was read: file and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
    pub level: Level,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A setting's value and its origin. Equality ignores the origin: two files that say the
/// same thing are equal even though they say it on different lines.
#[derive(Debug, Clone, Serialize)]
pub struct Value {
    pub value: Template,
    pub origin: Option<Origin>,
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl Eq for Value {}

impl Value {
    pub fn new(value: Template, origin: Option<Origin>) -> Self {
        Value { value, origin }
    }

    pub fn level(&self) -> Level {
        self.origin.as_ref().map_or(Level::Project, |o| o.level)
    }
}

/// A scope as users write it, `@name` (Yarn keys written with `@` already have one).
pub fn scope_label(name: &str) -> String {
    if name.starts_with('@') {
        name.to_string()
    } else {
        format!("@{name}")
    }
}

/// What a credential is keyed by, in the terms of the manager that read it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "key", rename_all = "kebab-case")]
pub enum AuthKey {
    /// A registry URL location, as written: `//host[:port]/path[/]` or with a scheme.
    /// npm walks up its path; Yarn Berry matches it exactly.
    Url(String),
    /// Yarn Berry `npmScopes.<scope>` credentials (scope without `@`).
    Scope(String),
    /// Bun's credentials written with the default registry (`[install] registry = { url,
    /// token }`): they go with that registry and beat any `.npmrc` credential.
    DefaultRegistry,
    /// Unkeyed credentials: Yarn Berry's top-level `npmAuthToken`/`npmAuthIdent`, which reach
    /// every registry without an entry of its own; npm's legacy top-level `_auth*`.
    Fallback,
}

impl fmt::Display for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthKey::Url(url) => f.write_str(url),
            AuthKey::Scope(scope) => write!(f, "scope {}", scope_label(scope)),
            AuthKey::DefaultRegistry => f.write_str("the default registry"),
            AuthKey::Fallback => f.write_str("top level"),
        }
    }
}

/// How a password is stored: npm's `_password` holds base64 of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PasswordEncoding {
    Base64,
    Plain,
}

/// The credentials that apply at one key. Several kinds may sit side by side; each manager
/// has its own order of preference among them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Credentials {
    /// Bearer token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<Value>,
    /// Pre-encoded `base64(user:password)` (npm `_auth`, Yarn `npmAuthIdent` without `:`),
    /// or Yarn's `user:password` form (an ident holding `:`), which Yarn encodes itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ident: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_encoding: Option<PasswordEncoding>,
    /// Client certificate and key files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certfile: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyfile: Option<Value>,
    /// `always-auth` / `npmAlwaysAuth` ("true"/"false" as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub always_auth: Option<Value>,
}

impl Credentials {
    /// Whether anything here authenticates a request.
    pub fn authenticates(&self) -> bool {
        self.token.is_some()
            || self.ident.is_some()
            || (self.username.is_some() && self.password.is_some())
            || (self.certfile.is_some() && self.keyfile.is_some())
    }

    pub fn is_empty(&self) -> bool {
        *self == Credentials::default()
    }

    pub fn always_auth(&self) -> bool {
        self.always_auth
            .as_ref()
            .and_then(|v| v.value.as_literal())
            .is_some_and(|v| v == "true" || v == "1")
    }

    /// The values in here that are secrets.
    pub fn secrets(&self) -> impl Iterator<Item = &Value> {
        [&self.token, &self.ident, &self.password]
            .into_iter()
            .flatten()
    }

    /// Every value here, to move or rewrite them alike.
    pub fn values_mut(&mut self) -> Vec<&mut Value> {
        [
            &mut self.token,
            &mut self.ident,
            &mut self.username,
            &mut self.password,
            &mut self.certfile,
            &mut self.keyfile,
            &mut self.always_auth,
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Any origin, for messages about the entry as a whole.
    pub fn origin(&self) -> Option<&Origin> {
        [
            &self.token,
            &self.ident,
            &self.username,
            &self.password,
            &self.certfile,
            &self.keyfile,
            &self.always_auth,
        ]
        .into_iter()
        .flatten()
        .find_map(|v| v.origin.as_ref())
    }
}

/// A scope's routing. The scope name is stored without `@`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Scope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish_registry: Option<Value>,
}

/// TLS settings (global in every manager).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Tls {
    /// Inline PEM certificates (npm `ca`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ca: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cafile: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict_ssl: Option<Value>,
    /// Global client certificate and key: npm's deprecated inline `cert`/`key`, or Yarn's
    /// `httpsCertFilePath`/`httpsKeyFilePath` (files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<Value>,
}

/// Proxy settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Proxy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub https: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noproxy: Option<Value>,
}

/// Per-host network settings (Yarn Berry `networkSettings`, keyed by hostname glob).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct HostNetwork {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_file: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_proxy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub https_proxy: Option<Value>,
}

/// Everything pmrc understands of one manager's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Model {
    /// The default registry; `None` means the manager's built-in public registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish_registry: Option<Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub scopes: BTreeMap<String, Scope>,
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "auth_as_list"
    )]
    pub auth: BTreeMap<AuthKey, Credentials>,
    /// Global always-auth (npm/Yarn 1 `always-auth`, Yarn Berry top-level `npmAlwaysAuth`
    /// lives in `auth[Fallback]` instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub always_auth: Option<Value>,
    pub tls: Tls,
    pub proxy: Proxy,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub hosts: BTreeMap<String, HostNetwork>,
    /// Hostnames allowed over plain http (Yarn Berry `unsafeHttpWhitelist`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http_allowed: Vec<Value>,
}

impl Credentials {
    fn overlay(&mut self, higher: Credentials) {
        let Credentials {
            token,
            ident,
            username,
            password,
            password_encoding,
            certfile,
            keyfile,
            always_auth,
        } = higher;
        overlay(&mut self.token, token);
        overlay(&mut self.ident, ident);
        overlay(&mut self.username, username);
        if password.is_some() {
            self.password = password;
            self.password_encoding = password_encoding;
        }
        overlay(&mut self.certfile, certfile);
        overlay(&mut self.keyfile, keyfile);
        overlay(&mut self.always_auth, always_auth);
    }

    fn at_level(&self, level: Level) -> Credentials {
        let keep = |v: &Option<Value>| v.clone().filter(|v| v.level() == level);
        let password = keep(&self.password);
        Credentials {
            token: keep(&self.token),
            ident: keep(&self.ident),
            username: keep(&self.username),
            password_encoding: password.as_ref().and(self.password_encoding),
            password,
            certfile: keep(&self.certfile),
            keyfile: keep(&self.keyfile),
            always_auth: keep(&self.always_auth),
        }
    }
}

fn overlay(low: &mut Option<Value>, high: Option<Value>) {
    if high.is_some() {
        *low = high;
    }
}

impl Model {
    /// Merges a higher-priority level over this one, setting by setting (how npm layers
    /// files and how Yarn deep-merges them, at the granularity pmrc models).
    pub fn overlay(&mut self, higher: Model) {
        overlay(&mut self.registry, higher.registry);
        overlay(&mut self.publish_registry, higher.publish_registry);
        for (name, scope) in higher.scopes {
            let low = self.scopes.entry(name).or_default();
            overlay(&mut low.registry, scope.registry);
            overlay(&mut low.publish_registry, scope.publish_registry);
        }
        for (key, creds) in higher.auth {
            self.auth.entry(key).or_default().overlay(creds);
        }
        overlay(&mut self.always_auth, higher.always_auth);
        if !higher.tls.ca.is_empty() {
            self.tls.ca = higher.tls.ca;
        }
        overlay(&mut self.tls.cafile, higher.tls.cafile);
        overlay(&mut self.tls.strict_ssl, higher.tls.strict_ssl);
        overlay(&mut self.tls.cert, higher.tls.cert);
        overlay(&mut self.tls.key, higher.tls.key);
        overlay(&mut self.proxy.http, higher.proxy.http);
        overlay(&mut self.proxy.https, higher.proxy.https);
        overlay(&mut self.proxy.noproxy, higher.proxy.noproxy);
        for (host, h) in higher.hosts {
            let low = self.hosts.entry(host).or_default();
            overlay(&mut low.ca_file, h.ca_file);
            overlay(&mut low.cert_file, h.cert_file);
            overlay(&mut low.key_file, h.key_file);
            overlay(&mut low.http_proxy, h.http_proxy);
            overlay(&mut low.https_proxy, h.https_proxy);
        }
        // Yarn concatenates arrays across files, farthest first.
        self.http_allowed.extend(higher.http_allowed);
    }

    /// Every value in the model, for checks that look at all of them alike.
    pub fn values_mut(&mut self) -> Vec<&mut Value> {
        let mut out: Vec<&mut Value> = Vec::new();
        out.extend(
            self.registry
                .iter_mut()
                .chain(self.publish_registry.iter_mut()),
        );
        for s in self.scopes.values_mut() {
            out.extend(s.registry.iter_mut().chain(s.publish_registry.iter_mut()));
        }
        for c in self.auth.values_mut() {
            out.extend(c.values_mut());
        }
        out.extend(self.always_auth.iter_mut());
        let Tls {
            ca,
            cafile,
            strict_ssl,
            cert,
            key,
        } = &mut self.tls;
        out.extend(ca.iter_mut());
        out.extend([cafile, strict_ssl, cert, key].into_iter().flatten());
        let Proxy {
            http,
            https,
            noproxy,
        } = &mut self.proxy;
        out.extend([http, https, noproxy].into_iter().flatten());
        for h in self.hosts.values_mut() {
            let HostNetwork {
                ca_file,
                cert_file,
                key_file,
                http_proxy,
                https_proxy,
            } = h;
            out.extend(
                [ca_file, cert_file, key_file, http_proxy, https_proxy]
                    .into_iter()
                    .flatten(),
            );
        }
        out.extend(self.http_allowed.iter_mut());
        out
    }

    /// The part of the model that belongs to one level, so each level's file gets its own.
    pub fn at_level(&self, level: Level) -> Model {
        let keep = |v: &Option<Value>| v.clone().filter(|v| v.level() == level);
        Model {
            registry: keep(&self.registry),
            publish_registry: keep(&self.publish_registry),
            scopes: self
                .scopes
                .iter()
                .map(|(n, s)| {
                    let s = Scope {
                        registry: keep(&s.registry),
                        publish_registry: keep(&s.publish_registry),
                    };
                    (n.clone(), s)
                })
                .filter(|(_, s)| *s != Scope::default())
                .collect(),
            auth: self
                .auth
                .iter()
                .map(|(k, c)| (k.clone(), c.at_level(level)))
                .filter(|(_, c)| !c.is_empty())
                .collect(),
            always_auth: keep(&self.always_auth),
            tls: Tls {
                ca: self
                    .tls
                    .ca
                    .iter()
                    .filter(|v| v.level() == level)
                    .cloned()
                    .collect(),
                cafile: keep(&self.tls.cafile),
                strict_ssl: keep(&self.tls.strict_ssl),
                cert: keep(&self.tls.cert),
                key: keep(&self.tls.key),
            },
            proxy: Proxy {
                http: keep(&self.proxy.http),
                https: keep(&self.proxy.https),
                noproxy: keep(&self.proxy.noproxy),
            },
            hosts: self
                .hosts
                .iter()
                .map(|(n, h)| {
                    let h = HostNetwork {
                        ca_file: keep(&h.ca_file),
                        cert_file: keep(&h.cert_file),
                        key_file: keep(&h.key_file),
                        http_proxy: keep(&h.http_proxy),
                        https_proxy: keep(&h.https_proxy),
                    };
                    (n.clone(), h)
                })
                .filter(|(_, h)| *h != HostNetwork::default())
                .collect(),
            http_allowed: self
                .http_allowed
                .iter()
                .filter(|v| v.level() == level)
                .cloned()
                .collect(),
        }
    }
}

impl Model {
    /// A copy safe to print: secret values masked, URL passwords masked.
    pub fn redacted(&self) -> Model {
        let mut m = self.clone();
        let url = |v: &mut Option<Value>| {
            if let Some(v) = v {
                v.value = v.value.url_redacted();
            }
        };
        url(&mut m.registry);
        url(&mut m.publish_registry);
        url(&mut m.proxy.http);
        url(&mut m.proxy.https);
        for s in m.scopes.values_mut() {
            url(&mut s.registry);
            url(&mut s.publish_registry);
        }
        for c in m.auth.values_mut() {
            for v in [&mut c.token, &mut c.ident, &mut c.password]
                .into_iter()
                .flatten()
            {
                v.value = v.value.redacted();
            }
        }
        m
    }
}

/// JSON objects need string keys, so credentials are listed with their key inside.
fn auth_as_list<S: serde::Serializer>(
    auth: &BTreeMap<AuthKey, Credentials>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Entry<'a> {
        applies_to: &'a AuthKey,
        #[serde(flatten)]
        credentials: &'a Credentials,
    }
    serializer.collect_seq(auth.iter().map(|(k, c)| Entry {
        applies_to: k,
        credentials: c,
    }))
}
