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

/// What a credential is keyed by, in the terms of the manager that read it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "key", rename_all = "kebab-case")]
pub enum AuthKey {
    /// A registry URL location, as written: `//host[:port]/path[/]` or with a scheme.
    /// npm walks up its path; Yarn Berry matches it exactly.
    Url(String),
    /// Yarn Berry `npmScopes.<scope>` credentials (scope without `@`).
    Scope(String),
    /// Unkeyed credentials: Yarn Berry's top-level `npmAuthToken`/`npmAuthIdent`, which reach
    /// every registry without an entry of its own; npm's legacy top-level `_auth*`.
    Fallback,
}

impl fmt::Display for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthKey::Url(url) => f.write_str(url),
            AuthKey::Scope(scope) => write!(f, "scope @{scope}"),
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
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
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
