//! The format-neutral model of registry, auth and network settings. Every value keeps
//! where it came from; environment references stay references. No format knowledge here.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::rc::Rc;

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
    /// Shared by every value read from one file: a large config has thousands (issue 20).
    pub file: Rc<PathBuf>,
    pub line: usize,
    pub level: Level,
}

impl Origin {
    /// Whether the value was read in a folder above the project: such files alone are named
    /// from the project starting `../` ([`crate::discover::ConfigFile::parent_folder`]).
    pub fn in_a_parent_folder(&self) -> bool {
        self.level == Level::Project && self.file.starts_with("..")
    }

    /// A file name to share between origins (`Origin::shared(path)` once per file read).
    pub fn shared(file: impl AsRef<Path>) -> Rc<PathBuf> {
        Rc::new(file.as_ref().to_path_buf())
    }

    /// The line to print after the file, if any. A value from an environment variable has
    /// no line of its own: its "file" names the variable and where it was set
    /// (`NPM_TOKEN (.env.ci:3)`, `... (environment)`).
    fn shown_line(&self) -> Option<usize> {
        (self.line != 0 || self.file.as_os_str().is_empty()).then_some(self.line)
    }

    /// Appends what `Display` prints. `show` prints one origin per row, thousands in a large
    /// config, and the formatting machinery cost more than the rest of the row (issue 20).
    pub fn push_to(&self, out: &mut String) {
        match self.file.to_str() {
            Some(file) => out.push_str(file),
            None => out.push_str(&self.file.to_string_lossy()),
        }
        if let Some(line) = self.shown_line() {
            out.push(':');
            out.push_str(itoa::Buffer::new().format(line));
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match self.shown_line() {
            Some(line) => write!(f, ":{line}"),
            None => Ok(()),
        }
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
    // Not `format!`: its machinery was most of this, once per scope a `show` prints.
    let prefix = scope_label_prefix(name);
    let mut label = String::with_capacity(prefix.len() + name.len());
    label.push_str(prefix);
    label.push_str(name);
    label
}

/// What [`scope_label`] puts before `name`, for callers that write the label in pieces.
pub fn scope_label_prefix(name: &str) -> &'static str {
    if name.starts_with('@') { "" } else { "@" }
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

impl AuthKey {
    /// A `.npmrc` or `npmRegistries` key naming its registry through a variable
    /// (`//${HOST}/npm/`): only the managers that put the value in ever match it
    /// (`Rules::expands_variables_in_keys`).
    pub fn is_by_reference(&self) -> bool {
        matches!(self, AuthKey::Url(l) if crate::template::holds_reference(l))
    }
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

    /// Every value here, in the order of [`Self::values_mut`].
    pub fn values(&self) -> impl Iterator<Item = &Value> {
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
    }

    /// Every value here, to move or rewrite them alike.
    pub fn values_mut(&mut self) -> Vec<&mut Value> {
        self.slots_mut().into_iter().flatten().collect()
    }

    /// Every field that holds a value, set or not, in the order of [`Self::values`].
    pub fn slots_mut(&mut self) -> [&mut Option<Value>; 7] {
        [
            &mut self.token,
            &mut self.ident,
            &mut self.username,
            &mut self.password,
            &mut self.certfile,
            &mut self.keyfile,
            &mut self.always_auth,
        ]
    }

    /// Any origin, for messages about the entry as a whole.
    pub fn origin(&self) -> Option<&Origin> {
        self.values().find_map(|v| v.origin.as_ref())
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

impl Proxy {
    /// Takes out each setting `picked` chooses (a `${VAR}` that a manager will not expand
    /// where it was written), leaving the others.
    pub fn take_where(&mut self, mut picked: impl FnMut(&Value) -> bool) -> Vec<Value> {
        [&mut self.http, &mut self.https, &mut self.noproxy]
            .into_iter()
            .filter_map(|slot| slot.take_if(|v| picked(v)))
            .collect()
    }
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

/// A model's map, shared by its copies until one of them changes it (copied then, as a
/// whole). Every reader of a file and every check starts from a copy of the same read: a
/// large config's maps are thousands of entries, and most copies are only looked at
/// (issue 20).
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Shared<T: Clone>(Rc<T>);

impl<T: Clone> Shared<T> {
    /// The map itself, copied only if another model still shares it.
    pub fn into_inner(self) -> T {
        Rc::unwrap_or_clone(self.0)
    }

    /// Whether `other` is this same map, not a copy (what a test of sharing asks).
    #[cfg(test)]
    pub fn is_shared_with(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<K, V: Clone> Shared<BTreeMap<K, V>>
where
    K: Clone,
{
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each entry, moved out of a map no other model shares, else copied one at a time: not
    /// the whole map copied first and then taken apart, two large maps at once where a merge
    /// needs one (issue 20).
    fn for_each_entry(self, mut f: impl FnMut(K, V)) {
        match Rc::try_unwrap(self.0) {
            Ok(map) => map.into_iter().for_each(|(k, v)| f(k, v)),
            Err(shared) => shared.iter().for_each(|(k, v)| f(k.clone(), v.clone())),
        }
    }
}

impl<T: Clone> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<T: Clone> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared(Rc::new(value))
    }
}

impl<T: Clone> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        Rc::make_mut(&mut self.0)
    }
}

impl<'a, T: Clone> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&*self.0).into_iter()
    }
}

impl<'a, T: Clone> IntoIterator for &'a mut Shared<T>
where
    &'a mut T: IntoIterator,
{
    type Item = <&'a mut T as IntoIterator>::Item;
    type IntoIter = <&'a mut T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        Rc::make_mut(&mut self.0).into_iter()
    }
}

impl<A, T: Clone + FromIterator<A>> FromIterator<A> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = A>>(iter: I) -> Self {
        Shared::from(T::from_iter(iter))
    }
}

impl<T: Clone + IntoIterator> IntoIterator for Shared<T> {
    type Item = T::Item;
    type IntoIter = T::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        self.into_inner().into_iter()
    }
}

impl<T: Clone + Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Everything pmrc understands of one manager's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Model {
    /// The default registry; `None` means the manager's built-in public registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish_registry: Option<Value>,
    #[serde(skip_serializing_if = "Shared::is_empty")]
    pub scopes: Shared<BTreeMap<String, Scope>>,
    #[serde(
        skip_serializing_if = "Shared::is_empty",
        serialize_with = "auth_as_list"
    )]
    pub auth: Shared<BTreeMap<AuthKey, Credentials>>,
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
        // Destructured in full, so that a new field cannot be forgotten here.
        let Model {
            registry,
            publish_registry,
            scopes,
            auth,
            always_auth,
            tls,
            proxy,
            hosts,
            http_allowed,
        } = higher;
        let higher_tls = tls;
        let higher_proxy = proxy;
        overlay(&mut self.registry, registry);
        overlay(&mut self.publish_registry, publish_registry);
        // Over nothing, a map is taken as it is (the first file read, thousands of entries
        // in a large config), as the loops below would leave it.
        if self.scopes.is_empty() {
            self.scopes = scopes;
        } else {
            scopes.for_each_entry(|name, scope| {
                let low = self.scopes.entry(name).or_default();
                overlay(&mut low.registry, scope.registry);
                overlay(&mut low.publish_registry, scope.publish_registry);
            });
        }
        if self.auth.is_empty() {
            self.auth = auth;
            // Each entry as `Credentials::overlay` takes it over nothing: a password's
            // encoding without the password goes. Looked for first, so that a map shared with
            // other copies is not copied to change nothing.
            let orphan_encoding =
                |c: &Credentials| c.password.is_none() && c.password_encoding.is_some();
            if self.auth.values().any(orphan_encoding) {
                for creds in self.auth.values_mut() {
                    let mut taken = Credentials::default();
                    taken.overlay(std::mem::take(creds));
                    *creds = taken;
                }
            }
        } else {
            auth.for_each_entry(|key, creds| self.auth.entry(key).or_default().overlay(creds));
        }
        overlay(&mut self.always_auth, always_auth);
        let Tls {
            ca,
            cafile,
            strict_ssl,
            cert,
            key,
        } = higher_tls;
        if !ca.is_empty() {
            self.tls.ca = ca;
        }
        overlay(&mut self.tls.cafile, cafile);
        overlay(&mut self.tls.strict_ssl, strict_ssl);
        overlay(&mut self.tls.cert, cert);
        overlay(&mut self.tls.key, key);
        let Proxy {
            http,
            https,
            noproxy,
        } = higher_proxy;
        overlay(&mut self.proxy.http, http);
        overlay(&mut self.proxy.https, https);
        overlay(&mut self.proxy.noproxy, noproxy);
        for (host, h) in hosts {
            let low = self.hosts.entry(host).or_default();
            let HostNetwork {
                ca_file,
                cert_file,
                key_file,
                http_proxy,
                https_proxy,
            } = h;
            overlay(&mut low.ca_file, ca_file);
            overlay(&mut low.cert_file, cert_file);
            overlay(&mut low.key_file, key_file);
            overlay(&mut low.http_proxy, http_proxy);
            overlay(&mut low.https_proxy, https_proxy);
        }
        // Yarn concatenates arrays across files, farthest first.
        self.http_allowed.extend(http_allowed);
    }

    /// Every value in the model, for checks that look at all of them alike.
    pub fn values_mut(&mut self) -> Vec<&mut Value> {
        self.fields_mut().into_iter().map(|(_, v)| v).collect()
    }

    /// Equal down to where each value was read (file, line, level). A manager's rules may
    /// look at that (Bun's bunfig or `.npmrc`, pnpm's project files), so only two such
    /// readings are sure to route alike without working the routes out (issue 20).
    pub fn same_reading(&self, other: &Model) -> bool {
        self == other
            && self
                .fields()
                .iter()
                .zip(other.fields())
                .all(|((field, a), (other_field, b))| field == &other_field && a.origin == b.origin)
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
    /// Each secret is masked as printed in the notation of the file it was read from
    /// (`dialect_at` its origin): an escaped `\${X}` of an `.npmrc` is a literal secret there
    /// ([`Template::redacted_in`]).
    pub fn redacted_in(
        &self,
        dialect_at: impl Fn(Option<&Origin>) -> crate::template::Dialect,
    ) -> Model {
        let mut m = self.clone();
        for (field, v) in m.fields_mut() {
            if field.is_secret() {
                v.value = v.value.redacted_in(dialect_at(v.origin.as_ref()));
            } else if field.is_url() {
                v.value = v.value.url_redacted();
            }
        }
        m
    }
}

/// JSON objects need string keys, so credentials are listed with their key inside.
fn auth_as_list<S: serde::Serializer>(
    auth: &Shared<BTreeMap<AuthKey, Credentials>>,
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

/// Which setting a value is, so that walkers over every value can treat kinds alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Registry,
    PublishRegistry,
    ScopeRegistry,
    ScopePublishRegistry,
    Token,
    Ident,
    Username,
    Password,
    Certfile,
    Keyfile,
    CredentialAlwaysAuth,
    AlwaysAuth,
    Ca,
    Cafile,
    StrictSsl,
    Cert,
    Key,
    HttpProxy,
    HttpsProxy,
    Noproxy,
    HostCaFile,
    HostCertFile,
    HostKeyFile,
    HostHttpProxy,
    HostHttpsProxy,
    HttpAllowed,
}

impl Field {
    /// The parts of one credentials entry (`Credentials`, a value of `Model::auth`). Every
    /// variant is named: a new one must say whether it is a credential's.
    pub fn is_credential_part(self) -> bool {
        match self {
            Field::Token
            | Field::Ident
            | Field::Username
            | Field::Password
            | Field::Certfile
            | Field::Keyfile
            | Field::CredentialAlwaysAuth => true,
            Field::Registry
            | Field::PublishRegistry
            | Field::ScopeRegistry
            | Field::ScopePublishRegistry
            | Field::AlwaysAuth
            | Field::Ca
            | Field::Cafile
            | Field::StrictSsl
            | Field::Cert
            | Field::Key
            | Field::HttpProxy
            | Field::HttpsProxy
            | Field::Noproxy
            | Field::HostCaFile
            | Field::HostCertFile
            | Field::HostKeyFile
            | Field::HostHttpProxy
            | Field::HostHttpsProxy
            | Field::HttpAllowed => false,
        }
    }

    /// Values that are credentials themselves, masked wherever they are printed (an inline
    /// private key included).
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            Field::Token | Field::Ident | Field::Password | Field::Key
        )
    }

    /// URLs, which may carry a `user:password@` part.
    pub fn is_url(self) -> bool {
        matches!(
            self,
            Field::Registry
                | Field::PublishRegistry
                | Field::ScopeRegistry
                | Field::ScopePublishRegistry
                | Field::HttpProxy
                | Field::HttpsProxy
                | Field::HostHttpProxy
                | Field::HostHttpsProxy
        )
    }
}

/// The one walk over every value of a model, with which setting each is, for
/// [`Model::fields`] and [`Model::fields_mut`]. Every struct is destructured in full, so a new
/// field does not compile until it is listed here; then redaction, doctor's checks and every
/// other walker see it.
macro_rules! every_field {
    ($model:expr, $values:ident, $iter:ident, $one:ident, $out:ident) => {{
        let Model {
            registry,
            publish_registry,
            scopes,
            auth,
            always_auth,
            tls,
            proxy,
            hosts,
            http_allowed,
        } = $model;
        $one(&mut $out, Field::Registry, registry);
        $one(&mut $out, Field::PublishRegistry, publish_registry);
        for scope in scopes.$values() {
            let Scope {
                registry,
                publish_registry,
            } = scope;
            $one(&mut $out, Field::ScopeRegistry, registry);
            $one(&mut $out, Field::ScopePublishRegistry, publish_registry);
        }
        for creds in auth.$values() {
            let Credentials {
                token,
                ident,
                username,
                password,
                password_encoding: _,
                certfile,
                keyfile,
                always_auth,
            } = creds;
            $one(&mut $out, Field::Token, token);
            $one(&mut $out, Field::Ident, ident);
            $one(&mut $out, Field::Username, username);
            $one(&mut $out, Field::Password, password);
            $one(&mut $out, Field::Certfile, certfile);
            $one(&mut $out, Field::Keyfile, keyfile);
            $one(&mut $out, Field::CredentialAlwaysAuth, always_auth);
        }
        $one(&mut $out, Field::AlwaysAuth, always_auth);
        let Tls {
            ca,
            cafile,
            strict_ssl,
            cert,
            key,
        } = tls;
        $out.extend(ca.$iter().map(|v| (Field::Ca, v)));
        $one(&mut $out, Field::Cafile, cafile);
        $one(&mut $out, Field::StrictSsl, strict_ssl);
        $one(&mut $out, Field::Cert, cert);
        $one(&mut $out, Field::Key, key);
        let Proxy {
            http,
            https,
            noproxy,
        } = proxy;
        $one(&mut $out, Field::HttpProxy, http);
        $one(&mut $out, Field::HttpsProxy, https);
        $one(&mut $out, Field::Noproxy, noproxy);
        for host in hosts.$values() {
            let HostNetwork {
                ca_file,
                cert_file,
                key_file,
                http_proxy,
                https_proxy,
            } = host;
            $one(&mut $out, Field::HostCaFile, ca_file);
            $one(&mut $out, Field::HostCertFile, cert_file);
            $one(&mut $out, Field::HostKeyFile, key_file);
            $one(&mut $out, Field::HostHttpProxy, http_proxy);
            $one(&mut $out, Field::HostHttpsProxy, https_proxy);
        }
        $out.extend(http_allowed.$iter().map(|v| (Field::HttpAllowed, v)));
    }};
}

impl Model {
    /// Every value of the model, with which setting each is ([`every_field`]).
    pub fn fields_mut(&mut self) -> Vec<(Field, &mut Value)> {
        fn one<'a>(out: &mut Vec<(Field, &'a mut Value)>, field: Field, v: &'a mut Option<Value>) {
            if let Some(v) = v {
                out.push((field, v));
            }
        }
        let mut out: Vec<(Field, &mut Value)> = Vec::new();
        every_field!(self, values_mut, iter_mut, one, out);
        out
    }

    /// [`Self::fields_mut`] for readers: no clone of the model to walk.
    pub fn fields(&self) -> Vec<(Field, &Value)> {
        fn one<'a>(out: &mut Vec<(Field, &'a Value)>, field: Field, v: &'a Option<Value>) {
            if let Some(v) = v {
                out.push((field, v));
            }
        }
        let mut out: Vec<(Field, &Value)> = Vec::new();
        every_field!(self, values, iter, one, out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Model {
        /// This model with maps of its own.
        fn unshared(mut self) -> Model {
            self.auth = Shared::from((*self.auth).clone());
            self.scopes = Shared::from((*self.scopes).clone());
            self
        }
    }

    #[test]
    fn an_origin_appended_reads_as_it_displays() {
        let origin = |file: &str, line| Origin {
            file: Origin::shared(file),
            line,
            level: Level::Project,
        };
        let cases = [
            (origin(".npmrc", 12), ".npmrc:12"),
            (
                origin("NPM_TOKEN (environment)", 0),
                "NPM_TOKEN (environment)",
            ),
            (origin("", 0), ":0"),
        ];
        for (origin, printed) in cases {
            let mut appended = String::from("at ");
            origin.push_to(&mut appended);
            assert_eq!(appended, format!("at {printed}"));
            assert_eq!(origin.to_string(), printed);
        }
    }

    fn token(text: &str) -> Option<Value> {
        Some(Value::new(Template::literal(text), None))
    }

    #[test]
    fn copies_share_their_maps_until_one_changes() {
        let mut model = Model::default();
        model
            .auth
            .entry(AuthKey::Url("//r.example/".into()))
            .or_default()
            .token = token("one");
        model.scopes.entry("@a".into()).or_default().registry = token("https://r.example/");
        let copy = model.clone();
        assert!(model.auth.is_shared_with(&copy.auth));
        // Changed through one copy: the other keeps what it had.
        let mut changed = copy.clone();
        changed
            .auth
            .get_mut(&AuthKey::Url("//r.example/".into()))
            .unwrap()
            .token = token("two");
        assert!(!changed.auth.is_shared_with(&copy.auth));
        assert!(changed.scopes.is_shared_with(&copy.scopes));
        assert_eq!(copy, model);
        assert_ne!(changed, model);
        // Taken over nothing, a shared map stays shared; an orphan encoding still goes.
        let mut merged = Model::default();
        merged.overlay(copy.clone());
        assert!(merged.auth.is_shared_with(&copy.auth));
        let mut orphan = copy.clone();
        orphan.auth.values_mut().for_each(|c| {
            c.password_encoding = Some(PasswordEncoding::Base64);
        });
        let mut merged = Model::default();
        merged.overlay(orphan);
        assert!(merged.auth.values().all(|c| c.password_encoding.is_none()));
        // Over a model with entries of its own, a shared map's entries are merged in, setting
        // by setting, and the map they came from is left as it was.
        let key = AuthKey::Url("//r.example/".into());
        let mut lower = Model::default();
        lower.auth.entry(key.clone()).or_default().username = token("me");
        lower.scopes.entry("@b".into()).or_default().registry = token("https://b.example/");
        lower.overlay(copy.clone());
        assert_eq!(lower.auth[&key].token, token("one"));
        assert_eq!(lower.auth[&key].username, token("me"));
        assert_eq!(lower.scopes.len(), 2);
        assert_eq!(copy, model);
        // Not shared, the entries are moved in: the same merge.
        let mut moved = Model::default();
        moved.auth.entry(key.clone()).or_default().username = token("me");
        moved.scopes.entry("@b".into()).or_default().registry = token("https://b.example/");
        moved.overlay(model.clone().unshared());
        assert_eq!(moved, lower);
    }
}
