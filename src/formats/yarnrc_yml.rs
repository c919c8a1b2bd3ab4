//! Yarn Berry's `.yarnrc.yml` as Yarn 4 reads it (every scalar a string, last duplicate key
//! wins, unknown keys inside `npmScopes`/`npmRegistries`/`networkSettings` fatal), and
//! lossless edits of the document: only the settings pmrc owns change, in Yarn's style.

use crate::diagnostics::Code;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::error::SyntaxError;
use crate::formats::{Setting, SettingValue, Wanted, yaml};
use crate::model::{AuthKey, Credentials, HostNetwork, Level, Model, Origin, Value};
use crate::redact;
use crate::template::{Dialect, Template};
use crate::warning::Warning;

type Text = Option<Located>;

/// A scalar and where it was written: what the reader keeps of serde-saphyr's `Spanned`,
/// whose two full locations take 80 bytes a value where this takes 32 (a large
/// `.yarnrc.yml` holds thousands of them for the whole run, issue 20).
struct Located {
    value: Box<str>,
    line: u32,
    /// Byte offset and length of the value as written, when the reader knows them.
    span: Option<(u32, u32)>,
}

/// A scalar pmrc does not translate: read as strictly as the others, then let go.
struct Unread;

impl<'de> Deserialize<'de> for Unread {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Located::deserialize(deserializer).map(|_| Unread)
    }
}

impl<'de> Deserialize<'de> for Located {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<String>::deserialize(deserializer)?;
        let span = spanned.defined.span();
        // Past 4 GiB, which no config file reaches, a span is left out and a line saturates.
        let narrow = |n: u64| u32::try_from(n).ok();
        Ok(Located {
            value: spanned.value.into_boxed_str(),
            line: narrow(spanned.defined.line()).unwrap_or(u32::MAX),
            span: span
                .byte_offset()
                .and_then(narrow)
                .zip(span.byte_len().and_then(narrow)),
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RcFile {
    npm_registry_server: Text,
    npm_publish_registry: Text,
    npm_auth_token: Text,
    npm_auth_ident: Text,
    npm_always_auth: Text,
    npm_scopes: Option<BTreeMap<String, ScopeEntry>>,
    npm_registries: Option<BTreeMap<String, RegistryEntry>>,
    http_proxy: Text,
    https_proxy: Text,
    https_ca_file_path: Text,
    https_cert_file_path: Text,
    https_key_file_path: Text,
    ca_file_path: Text,
    enable_strict_ssl: Text,
    network_settings: Option<BTreeMap<String, NetworkEntry>>,
    unsafe_http_whitelist: Option<OneOrMany>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScopeEntry {
    npm_registry_server: Text,
    npm_publish_registry: Text,
    npm_auth_token: Text,
    npm_auth_ident: Text,
    npm_always_auth: Text,
    // Settings pmrc does not translate, listed so that `deny_unknown_fields` accepts them.
    #[allow(dead_code)]
    npm_audit_registry: Option<Unread>,
    #[allow(dead_code)]
    npm_minimal_age_gate: Option<Unread>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RegistryEntry {
    npm_auth_token: Text,
    npm_auth_ident: Text,
    npm_always_auth: Text,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NetworkEntry {
    https_ca_file_path: Text,
    https_cert_file_path: Text,
    https_key_file_path: Text,
    http_proxy: Text,
    https_proxy: Text,
    #[allow(dead_code)]
    enable_network: Option<Unread>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

const TOP_SCALARS: [&str; 12] = [
    "npmRegistryServer",
    "npmPublishRegistry",
    "npmAuthToken",
    "npmAuthIdent",
    "npmAlwaysAuth",
    "httpProxy",
    "httpsProxy",
    "httpsCaFilePath",
    "httpsCertFilePath",
    "httpsKeyFilePath",
    "caFilePath",
    "enableStrictSsl",
];
const SCOPE_KEYS: [&str; 5] = [
    "npmRegistryServer",
    "npmPublishRegistry",
    "npmAuthToken",
    "npmAuthIdent",
    "npmAlwaysAuth",
];
const REGISTRY_KEYS: [&str; 3] = ["npmAuthToken", "npmAuthIdent", "npmAlwaysAuth"];
const NETWORK_KEYS: [&str; 5] = [
    "httpsCaFilePath",
    "httpsCertFilePath",
    "httpsKeyFilePath",
    "httpProxy",
    "httpsProxy",
];
const SECRET_KEYS: [&str; 2] = ["npmAuthToken", "npmAuthIdent"];
/// The maps whose entries pmrc owns some keys of.
const MAPS: [(&str, &[&str]); 3] = [
    ("npmScopes", &SCOPE_KEYS),
    ("npmRegistries", &REGISTRY_KEYS),
    ("networkSettings", &NETWORK_KEYS),
];

/// One owned scalar as found in the file, with where its value sits.
/// Borrowed from the parsed file: a large `.yarnrc.yml` has thousands (issue 20).
struct Found<'a> {
    /// The keys down to the value, at most three (`npmScopes.<name>.<key>`), kept in place.
    keys: [&'a str; 3],
    depth: usize,
    value: &'a str,
    line: usize,
    span: Option<Range<usize>>,
}

fn parse(text: &str) -> Result<std::rc::Rc<RcFile>, SyntaxError> {
    yaml::parse(text)
}

impl<'a> Found<'a> {
    fn path(&self) -> &[&'a str] {
        &self.keys[..self.depth]
    }
}

fn found<'a>(path: &[&'a str], text: &'a Text, source: &str) -> Option<Found<'a>> {
    let v = text.as_ref()?;
    let span = v
        .span
        .map(|(o, l)| o as usize..o as usize + l as usize)
        .filter(|r| r.end <= source.len());
    let mut keys = [""; 3];
    keys[..path.len()].copy_from_slice(path);
    Some(Found {
        keys,
        depth: path.len(),
        value: &v.value,
        line: v.line as usize,
        span,
    })
}

/// Each owned scalar of the file, in the file's order of settings, handed to `each` rather
/// than gathered: a large file has thousands (issue 20).
fn for_each_found<'a>(rc: &'a RcFile, source: &str, mut each: impl FnMut(Found<'a>)) {
    let mut out = |found: Option<Found<'a>>| found.into_iter().for_each(&mut each);
    let top = [
        &rc.npm_registry_server,
        &rc.npm_publish_registry,
        &rc.npm_auth_token,
        &rc.npm_auth_ident,
        &rc.npm_always_auth,
        &rc.http_proxy,
        &rc.https_proxy,
        &rc.https_ca_file_path,
        &rc.https_cert_file_path,
        &rc.https_key_file_path,
        &rc.ca_file_path,
        &rc.enable_strict_ssl,
    ];
    for (key, text) in TOP_SCALARS.iter().zip(top) {
        out(found(&[key], text, source));
    }
    for (name, s) in rc.npm_scopes.iter().flatten() {
        let fields = [
            &s.npm_registry_server,
            &s.npm_publish_registry,
            &s.npm_auth_token,
            &s.npm_auth_ident,
            &s.npm_always_auth,
        ];
        for (key, text) in SCOPE_KEYS.iter().zip(fields) {
            out(found(&["npmScopes", name, key], text, source));
        }
    }
    for (name, r) in rc.npm_registries.iter().flatten() {
        let fields = [&r.npm_auth_token, &r.npm_auth_ident, &r.npm_always_auth];
        for (key, text) in REGISTRY_KEYS.iter().zip(fields) {
            out(found(&["npmRegistries", name, key], text, source));
        }
    }
    for (name, n) in rc.network_settings.iter().flatten() {
        let fields = [
            &n.https_ca_file_path,
            &n.https_cert_file_path,
            &n.https_key_file_path,
            &n.http_proxy,
            &n.https_proxy,
        ];
        for (key, text) in NETWORK_KEYS.iter().zip(fields) {
            out(found(&["networkSettings", name, key], text, source));
        }
    }
}

fn whitelist(rc: &RcFile) -> Option<Vec<String>> {
    rc.unsafe_http_whitelist.as_ref().map(|w| match w {
        // Yarn splits a plain string on `,` for array settings.
        OneOrMany::One(s) => s.split(',').map(str::to_string).collect(),
        OneOrMany::Many(items) => items.clone(),
    })
}

/// Whether the file reads: [`settings`] fails exactly when it does not.
pub fn check(text: &str) -> Result<(), SyntaxError> {
    parse(text).map(drop)
}

/// The settings pmrc owns in this file.
pub fn settings(text: &str) -> Result<Vec<Setting>, SyntaxError> {
    let rc = parse(text)?;
    let mut out: Vec<Setting> = Vec::new();
    for_each_found(&rc, text, |f| {
        out.push(Setting {
            path: f.path().iter().map(|k| k.to_string()).collect(),
            value: SettingValue::Scalar(f.value.to_string()),
            line: f.line,
        })
    });
    if let Some(items) = whitelist(&rc) {
        out.push(Setting {
            path: ["unsafeHttpWhitelist".into()].into(),
            value: SettingValue::List(items),
            line: yaml::key_line(text, "unsafeHttpWhitelist"),
        });
    }
    Ok(out)
}

/// Each scalar down to three keys deep (`npmRegistries.<key>.<field>`), owned or not, as
/// path, value and line, from the kept tree the edits use ([`super::yaml_block`]); a file
/// of another shape, from the full read's owned scalars
/// ([`crate::formats::Format::each_scalar`]).
pub fn each_scalar(
    text: &str,
    each: &mut dyn FnMut(&[&str], &str, usize),
) -> Result<(), SyntaxError> {
    use super::yaml_block::Node;
    fn walk<'a>(
        node: &'a Node,
        path: &mut Vec<&'a str>,
        each: &mut dyn FnMut(&[&str], &str, usize),
    ) {
        match node {
            Node::Scalar(s) => each(path, &s.value, s.line as usize),
            Node::Map(entries) if path.len() < 3 => {
                for e in entries {
                    path.push(&e.key.value);
                    walk(&e.value, path, each);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let tree = super::yaml_block::parsed(text);
    match &*tree {
        Some(root) => walk(root, &mut Vec::new(), each),
        None => {
            let rc = parse(text)?;
            for_each_found(&rc, text, |f| each(f.path(), f.value, f.line));
        }
    }
    Ok(())
}

/// [`crate::formats::Format::holds`] from the kept parse: each owned scalar compared where
/// it sits, none copied into a [`Setting`].
pub fn holds(text: &str, wanted: &Wanted) -> bool {
    let Ok(rc) = parse(text) else {
        return false;
    };
    let whitelist_path = |p: &[String]| p.len() == 1 && p[0] == "unsafeHttpWhitelist";
    let mut lists = wanted.iter().filter(|(p, _)| whitelist_path(p));
    let (wanted_list, more) = (lists.next(), lists.next());
    if more.is_some() {
        return false;
    }
    match (wanted_list.map(|(_, v)| v), &whitelist(&rc)) {
        (None, None) => {}
        (Some(SettingValue::List(w)), Some(h)) if w == h => {}
        _ => return false,
    }
    // The wanted scalars by path and value, counted; each one found takes its own off.
    type Key<'a> = ([&'a str; 3], usize, &'a str);
    let mut count: rustc_hash::FxHashMap<Key, isize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(wanted.len(), Default::default());
    for (path, value) in wanted.iter().filter(|(p, _)| !whitelist_path(p)) {
        let SettingValue::Scalar(value) = value else {
            return false;
        };
        if path.len() > 3 {
            return false;
        }
        let mut keys = [""; 3];
        for (k, p) in keys.iter_mut().zip(path.iter()) {
            *k = p;
        }
        *count.entry((keys, path.len(), value)).or_default() += 1;
    }
    let mut matched = true;
    for_each_found(&rc, text, |f| {
        match count.get_mut(&(f.keys, f.depth, f.value)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => matched = false,
        }
    });
    matched && count.values().all(|&n| n == 0)
}

/// Byte spans of literal secrets (`npmAuthToken`, `npmAuthIdent`) and proxy passwords.
pub fn secret_spans(text: &str) -> Vec<Range<usize>> {
    let Ok(rc) = parse(text) else {
        return Vec::new();
    };
    let mut spans = Vec::new();
    for_each_found(&rc, text, |f| {
        let Some(span) = f.span.clone() else { return };
        let key = f.path().last().copied().unwrap_or_default();
        if SECRET_KEYS.contains(&key) {
            if Template::parse(f.value, Dialect::Yarn).has_literal_secret_in(Dialect::Yarn) {
                spans.push(span);
            }
        } else {
            spans.extend(redact::url_secret_spans_at(&text[span.clone()], span.start));
        }
    });
    spans
}

/// Reads a `.yarnrc.yml` into the model, with findings about settings Yarn rejects or
/// never matches.
pub fn read(text: &str, file: &Path, level: Level) -> Result<(Model, Vec<Warning>), SyntaxError> {
    let rc = parse(text)?;
    let mut model = Model::default();
    let mut warnings = Vec::new();
    let file = Origin::shared(file);
    let origin = |line| Origin {
        file: std::rc::Rc::clone(&file),
        line,
        level,
    };
    let mut key_lines: Option<super::yaml::KeyLines> = None;
    for_each_found(&rc, text, |f| {
        let v = Value::new(
            Template::parse(f.value, Dialect::Yarn),
            Some(origin(f.line)),
        );
        let path = f.path();
        match path {
            ["npmRegistryServer"] => model.registry = Some(v),
            ["npmPublishRegistry"] => model.publish_registry = Some(v),
            ["npmAuthToken" | "npmAuthIdent" | "npmAlwaysAuth", ..] => {
                set_credential(model.auth.entry(AuthKey::Fallback).or_default(), path[0], v)
            }
            ["httpProxy"] => model.proxy.http = Some(v),
            ["httpsProxy"] => model.proxy.https = Some(v),
            ["httpsCaFilePath"] => model.tls.cafile = Some(v),
            ["httpsCertFilePath"] => model.tls.cert = Some(v),
            ["httpsKeyFilePath"] => model.tls.key = Some(v),
            ["enableStrictSsl"] => model.tls.strict_ssl = Some(v),
            ["caFilePath"] => {
                warnings.push(Warning::new(
                    Code::YarnLegacyCaFilePath,
                    "`caFilePath` is rejected by Yarn 4 (\"Unrecognized or legacy configuration settings\"); pmrc reads it as `httpsCaFilePath`",
                    Some(origin(f.line)),
                ));
                model.tls.cafile.get_or_insert(v);
            }
            ["npmScopes", scope, key] => {
                // Kept as written: Yarn never matches a key with `@`, and neither does
                // pmrc's model of Yarn (`routes_scope_key`); translations leave it out.
                let name = *scope;
                if name.starts_with('@')
                    && !warnings
                        .iter()
                        .any(|w: &Warning| w.message.contains(&format!("\"{scope}\"")))
                {
                    warnings.push(Warning::new(
                        Code::YarnScopeWithAt,
                        format!(
                            "npmScopes key \"{scope}\" starts with `@`, so Yarn never matches it: {}/* packages go where any other scope's go, and a translation leaves the key out, as Yarn does (`pmrc doctor --fix --write` drops the @ where the scope was meant)",
                            scope
                        ),
                        // The finding is about the key, not the setting under it.
                        Some(origin(
                            key_lines
                                .get_or_insert_with(|| super::yaml::KeyLines::new(text))
                                .line(scope),
                        )),
                    ));
                }
                let scope_entry = model.scopes.entry(name.to_string()).or_default();
                match *key {
                    "npmRegistryServer" => scope_entry.registry = Some(v),
                    "npmPublishRegistry" => scope_entry.publish_registry = Some(v),
                    _ => set_credential(
                        model
                            .auth
                            .entry(AuthKey::Scope(name.to_string()))
                            .or_default(),
                        key,
                        v,
                    ),
                }
            }
            ["npmRegistries", key, name] => set_credential(
                model.auth.entry(AuthKey::Url(key.to_string())).or_default(),
                name,
                v,
            ),
            ["networkSettings", host, key] => {
                let h = model.hosts.entry(host.to_string()).or_default();
                let slot = match *key {
                    "httpsCaFilePath" => &mut h.ca_file,
                    "httpsCertFilePath" => &mut h.cert_file,
                    "httpsKeyFilePath" => &mut h.key_file,
                    "httpProxy" => &mut h.http_proxy,
                    _ => &mut h.https_proxy,
                };
                *slot = Some(v);
            }
            _ => unreachable!("for_each_found only hands over owned paths"),
        }
    });
    // Scopes declared with no owned keys still route (to Yarn's default registry).
    for name in rc.npm_scopes.iter().flatten().map(|(k, _)| k) {
        model.scopes.entry(name.to_string()).or_default();
    }
    if let Some(items) = whitelist(&rc) {
        let line = yaml::key_line(text, "unsafeHttpWhitelist");
        model.http_allowed = items
            .iter()
            .map(|i| Value::new(Template::parse(i, Dialect::Yarn), Some(origin(line))))
            .collect();
    }
    model.hosts.retain(|_, h| *h != HostNetwork::default());
    Ok((model, warnings))
}

fn set_credential(creds: &mut Credentials, key: &str, v: Value) {
    match key {
        "npmAuthToken" => creds.token = Some(v),
        "npmAuthIdent" => creds.ident = Some(v),
        "npmAlwaysAuth" => creds.always_auth = Some(v),
        _ => unreachable!("only credential keys reach here"),
    }
}

/// The settings a model means in `.yarnrc.yml`. The model must be in Yarn's terms (see
/// `translate`): scopes without `@`, idents instead of username/password.
pub fn wanted(model: &Model) -> Wanted {
    let mut out: Wanted = Vec::new();
    let render = |v: &Value| SettingValue::Scalar(v.value.render(Dialect::Yarn).0);
    let mut push = |path: &[&str], v: &Option<Value>| {
        if let Some(v) = v {
            out.push((path.iter().map(|s| s.to_string()).collect(), render(v)));
        }
    };
    push(&["npmRegistryServer"], &model.registry);
    push(&["npmPublishRegistry"], &model.publish_registry);
    if let Some(c) = model.auth.get(&AuthKey::Fallback) {
        push(&["npmAuthToken"], &c.token);
        push(&["npmAuthIdent"], &c.ident);
        push(&["npmAlwaysAuth"], &c.always_auth);
    }
    for (name, scope) in &model.scopes {
        push(&["npmScopes", name, "npmRegistryServer"], &scope.registry);
        push(
            &["npmScopes", name, "npmPublishRegistry"],
            &scope.publish_registry,
        );
        if let Some(c) = model.auth.get(&AuthKey::Scope(name.clone())) {
            push(&["npmScopes", name, "npmAuthToken"], &c.token);
            push(&["npmScopes", name, "npmAuthIdent"], &c.ident);
            push(&["npmScopes", name, "npmAlwaysAuth"], &c.always_auth);
        }
    }
    for (key, c) in &model.auth {
        // A scope's credentials without its registry here: a user file's part of a scope
        // whose registry the project's file holds (Yarn merges the two entries).
        if let AuthKey::Scope(name) = key
            && !model.scopes.contains_key(name)
        {
            push(&["npmScopes", name, "npmAuthToken"], &c.token);
            push(&["npmScopes", name, "npmAuthIdent"], &c.ident);
            push(&["npmScopes", name, "npmAlwaysAuth"], &c.always_auth);
        }
        if let AuthKey::Url(url) = key {
            push(&["npmRegistries", url, "npmAuthToken"], &c.token);
            push(&["npmRegistries", url, "npmAuthIdent"], &c.ident);
            push(&["npmRegistries", url, "npmAlwaysAuth"], &c.always_auth);
        }
    }
    push(&["httpProxy"], &model.proxy.http);
    push(&["httpsProxy"], &model.proxy.https);
    push(&["httpsCaFilePath"], &model.tls.cafile);
    push(&["httpsCertFilePath"], &model.tls.cert);
    push(&["httpsKeyFilePath"], &model.tls.key);
    push(&["enableStrictSsl"], &model.tls.strict_ssl);
    for (host, h) in &model.hosts {
        push(&["networkSettings", host, "httpsCaFilePath"], &h.ca_file);
        push(
            &["networkSettings", host, "httpsCertFilePath"],
            &h.cert_file,
        );
        push(&["networkSettings", host, "httpsKeyFilePath"], &h.key_file);
        push(&["networkSettings", host, "httpProxy"], &h.http_proxy);
        push(&["networkSettings", host, "httpsProxy"], &h.https_proxy);
    }
    if !model.http_allowed.is_empty() {
        let items = model
            .http_allowed
            .iter()
            .map(|v| v.value.render(Dialect::Yarn).0)
            .collect();
        out.push((
            ["unsafeHttpWhitelist".into()].into(),
            SettingValue::List(items),
        ));
    }
    out
}

/// Edits `text` so that the settings pmrc owns equal `wanted`; everything else stays as
/// written. Fails rather than guess when the document has a shape pmrc does not edit.
pub fn edit(text: &str, wanted: &Wanted) -> Result<String, String> {
    let held = settings(text).map_err(|e| e.message)?;
    let maps: Vec<&str> = MAPS.iter().map(|(m, _)| *m).collect();
    yaml::edit(text, &held, wanted, &maps)
}

/// The same text with each `npmScopes` key written with `@` renamed to the scope Yarn
/// matches; `None` when there is none (or the bare name is taken already).
pub fn fix_scope_keys(text: &str) -> Option<String> {
    use std::str::FromStr;
    let held = settings(text).ok()?;
    let at_keys: Vec<&str> = held
        .iter()
        .filter(|s| s.path.len() == 3 && s.path[0] == "npmScopes" && s.path[1].starts_with('@'))
        .map(|s| s.path[1].as_str())
        .collect();
    if at_keys.is_empty() {
        return None;
    }
    let file = yaml_edit::YamlFile::from_str(text).ok()?;
    let scopes = file.document()?.as_mapping()?.get_mapping("npmScopes")?;
    let mut changed = false;
    for key in at_keys {
        let bare = key.trim_start_matches('@');
        if !scopes.contains_key(bare) {
            changed |= scopes.rename_key(key, bare);
        }
    }
    changed.then(|| file.to_string())
}

/// `wanted` with each `npmRegistries` key spelled as the file already spells the same entry:
/// Yarn reads `//host/path` and `//host/path/` alike, and Renovate writes its token under the
/// one with the slash only (from a trial: `sync` renamed the key doctor had asked for, and
/// the two went round in a loop).
pub fn in_shape_of(text: Option<&str>, mut wanted: super::Wanted) -> super::Wanted {
    let Some(text) = text else {
        return wanted;
    };
    // The file's `//…` keys (block style, quoted or not: the only keys of a .yarnrc.yml that
    // start so are npmRegistries'), by their form without the trailing slash. A line scan,
    // not a parse: a large file's parse was 45 % of a conversion to Yarn (issue 20).
    let mut held: rustc_hash::FxHashMap<&str, &str> = rustc_hash::FxHashMap::default();
    for line in text.lines() {
        let line = line.trim_start();
        let key = line.trim_start_matches(['"', '\'']);
        if !key.starts_with("//") {
            continue;
        }
        // A quoted key ends at its quote, a plain one at the first `:` that ends the line or
        // has a space after it (a port's colon has neither).
        let end = if key.len() < line.len() {
            key.find(['"', '\''])
        } else {
            key.match_indices(':')
                .map(|(i, _)| i)
                .find(|&i| key[i + 1..].is_empty() || key[i + 1..].starts_with([' ', '\t']))
        };
        let Some(end) = end else {
            continue;
        };
        let key = &key[..end];
        held.insert(key.strip_suffix('/').unwrap_or(key), key);
    }
    if held.is_empty() {
        return wanted;
    }
    for (path, _) in &mut wanted {
        if path.len() < 2 || path[0] != "npmRegistries" {
            continue;
        }
        let key = &*path[1];
        let Some(&spelled) = held.get(key.strip_suffix('/').unwrap_or(key)) else {
            continue;
        };
        if spelled != path[1] {
            let mut renamed = path.to_vec();
            renamed[1] = spelled.to_string();
            *path = renamed.into();
        }
    }
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(path: &[&str], v: &str) -> (crate::formats::SettingPath, SettingValue) {
        (
            path.iter().map(|s| s.to_string()).collect(),
            SettingValue::Scalar(v.into()),
        )
    }

    #[test]
    fn registry_keys_keep_the_file_s_spelling_quoted_flow_or_with_a_port() {
        for (text, held) in [
            (
                "npmRegistries:\n  //h.example/npm/:\n    npmAuthToken: x\n",
                "//h.example/npm/",
            ),
            (
                "npmRegistries:\n  \"//h.example:8443/npm/\":\n    npmAuthToken: x\n",
                "//h.example:8443/npm/",
            ),
            (
                "npmRegistries:\n  //h.example:8443/npm/: {npmAuthToken: \"x\"}\n",
                "//h.example:8443/npm/",
            ),
        ] {
            let wanted_key = held.trim_end_matches('/');
            let shaped = in_shape_of(
                Some(text),
                vec![scalar(&["npmRegistries", wanted_key, "npmAuthToken"], "y")],
            );
            assert_eq!(&*shaped[0].0[1], held, "{text}");
        }
    }

    /// Found by the pnpm-workspace.yaml property test: removing a file's only key left `{}`,
    /// and a key appended after it made the file invalid YAML.
    #[test]
    fn replacing_the_only_key_leaves_valid_yaml() {
        for text in [
            "npmRegistryServer: \"https://a.example\"\n",
            "# mine\nnpmAlwaysAuth: true\n",
            "{}\n",
        ] {
            let wanted = vec![scalar(
                &["npmScopes", "acme", "npmRegistryServer"],
                "https://b.example",
            )];
            let after = edit(text, &wanted).unwrap();
            assert!(
                crate::formats::same_settings(&settings(&after).unwrap(), &wanted),
                "{after}"
            );
            assert!(!after.contains("{}"), "{after}");
            assert_eq!(
                text.starts_with('#'),
                after.starts_with("# mine\n"),
                "{after}"
            );
            // Removing every key empties the file (a file that held none stays as it is).
            let emptied = edit(text, &Vec::new()).unwrap();
            let expected = if text == "{}\n" { text } else { "" };
            assert_eq!(emptied.trim_start_matches("# mine\n"), expected);
        }
    }

    #[test]
    fn every_scalar_is_a_string_and_last_duplicate_wins() {
        let text = "npmAlwaysAuth: true\nnpmRegistryServer: \"https://a.example\"\nnpmRegistryServer: https://b.example\n";
        let s = settings(text).unwrap();
        assert!(
            s.iter().any(|s| s.path[..] == ["npmAlwaysAuth"]
                && s.value == SettingValue::Scalar("true".into()))
        );
        let reg = s
            .iter()
            .find(|s| s.path[..] == ["npmRegistryServer"])
            .unwrap();
        assert_eq!(reg.value, SettingValue::Scalar("https://b.example".into()));
        assert_eq!(reg.line, 3);
    }

    #[test]
    fn unknown_scope_key_is_an_error_with_position() {
        let err = settings("npmScopes:\n  acme:\n    registry: https://x.example\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("registry"), "{}", err.message);
    }

    #[test]
    fn broken_yaml_is_an_error_with_position() {
        let err = settings("npmScopes:\n  acme: [\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn scope_with_at_is_reported() {
        let (model, warnings) = read(
            "npmScopes:\n  \"@acme\":\n    npmRegistryServer: \"https://x.example\"\n",
            Path::new(".yarnrc.yml"),
            Level::Project,
        )
        .unwrap();
        assert!(model.scopes.contains_key("@acme"));
        assert_eq!(warnings[0].code, "yarn-scope-with-at");
    }

    #[test]
    fn scope_keys_with_at_are_renamed() {
        let text = "# ours\nnpmScopes:\n  \"@acme\":   # the scope\n    npmRegistryServer: \"https://x.example\"\n";
        let out = fix_scope_keys(text).unwrap();
        assert!(out.contains("  acme:"), "{out}");
        assert!(
            out.contains("# the scope") && out.starts_with("# ours\n"),
            "{out}"
        );
        assert!(
            settings(&out)
                .unwrap()
                .iter()
                .any(|s| s.path[..] == ["npmScopes", "acme", "npmRegistryServer"])
        );
        assert_eq!(fix_scope_keys(&out), None);
    }

    #[test]
    fn whitelist_as_string_is_split_on_commas() {
        let (model, _) = read(
            "unsafeHttpWhitelist: \"a.example,127.0.0.1\"\n",
            Path::new("x"),
            Level::Project,
        )
        .unwrap();
        assert_eq!(model.http_allowed.len(), 2);
    }

    #[test]
    fn secrets_masked_references_kept() {
        let text = "npmAuthToken: literal-fake\nnpmScopes:\n  a:\n    npmAuthToken: \"${T}\"\nhttpsProxy: \"http://u:pw@p.example\"\n";
        let masked = redact::mask(text, &secret_spans(text));
        assert_eq!(
            masked,
            "npmAuthToken: ***\nnpmScopes:\n  a:\n    npmAuthToken: \"${T}\"\nhttpsProxy: \"http://u:***@p.example\"\n"
        );
    }

    #[test]
    fn edit_changes_values_in_place_and_keeps_comments() {
        let text = "# top\nnodeLinker: node-modules # keep\n\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://old.example\" # why\n\nyarnPath: .yarn/releases/yarn.cjs\n";
        let out = edit(
            text,
            &vec![scalar(
                &["npmScopes", "acme", "npmRegistryServer"],
                "https://new.example",
            )],
        )
        .unwrap();
        assert_eq!(out, text.replace("old.example", "new.example"));
    }

    #[test]
    fn edit_appends_new_top_level_keys_in_yarn_style() {
        let text = "nodeLinker: node-modules\n";
        let wanted = vec![
            scalar(
                &["npmScopes", "acme", "npmRegistryServer"],
                "https://npm.pkg.example",
            ),
            scalar(&["npmScopes", "acme", "npmAuthToken"], "${T}"),
            scalar(
                &["npmRegistries", "//127.0.0.1:4873", "npmAlwaysAuth"],
                "true",
            ),
            (
                ["unsafeHttpWhitelist".into()].into(),
                SettingValue::List(vec!["127.0.0.1".into()]),
            ),
        ];
        let out = edit(text, &wanted).unwrap();
        assert_eq!(
            out,
            "nodeLinker: node-modules\n\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.pkg.example\"\n    npmAuthToken: \"${T}\"\n\nnpmRegistries:\n  \"//127.0.0.1:4873\":\n    npmAlwaysAuth: true\n\nunsafeHttpWhitelist:\n  - 127.0.0.1\n"
        );
        assert!(crate::formats::same_settings(
            &settings(&out).unwrap(),
            &wanted
        ));
    }

    #[test]
    fn edit_removes_unwanted_and_empty_maps() {
        let text = "npmScopes:\n  acme:\n    npmAuthToken: x\nnodeLinker: pnp\n";
        let out = edit(text, &vec![]).unwrap();
        assert_eq!(out, "nodeLinker: pnp\n");
    }

    #[test]
    fn edit_keeps_crlf_and_missing_final_newline() {
        let text = "nodeLinker: pnp\r\nnpmRegistryServer: \"https://a\"";
        let out = edit(
            text,
            &vec![
                scalar(&["npmRegistryServer"], "https://a"),
                scalar(&["npmAlwaysAuth"], "true"),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "nodeLinker: pnp\r\nnpmRegistryServer: \"https://a\"\r\n\r\nnpmAlwaysAuth: true"
        );
    }

    #[test]
    fn edit_refuses_a_duplicated_owned_key() {
        // Found by fuzzing: the edit changed the first `npmRegistries`, Yarn reads the last.
        let text = "npmRegistries:\n  //a:\n    npmAuthToken: x\nnpmRegistries:\n  //b:\n    npmAuthToken: y\n";
        let err = edit(text, &vec![]).unwrap_err();
        assert!(
            err.contains("`npmRegistries` appears more than once (at 1:1 and 4:1)"),
            "{err}"
        );
        // A tag on the key is the same key to the readers; an alias names the anchor's.
        let wanted = vec![scalar(
            &["npmScopes", "acme", "npmRegistryServer"],
            "https://n",
        )];
        let tagged = "npmScopes:\n  acme:\n    npmRegistryServer: a\n  !!str acme:\n    npmRegistryServer: b\n";
        let err = edit(tagged, &wanted).unwrap_err();
        assert!(
            err.contains("`npmScopes` holds `acme` more than once (at 2:3 and 4:3)"),
            "{err}"
        );
        let aliased =
            "npmScopes:\n  &x acme:\n    npmRegistryServer: a\n  *x :\n    npmRegistryServer: b\n";
        let err = edit(aliased, &wanted).unwrap_err();
        assert!(err.contains("a key at 4:3 is an alias (`*x`)"), "{err}");
    }

    #[test]
    fn edit_of_empty_file() {
        let out = edit(
            "",
            &vec![scalar(&["npmRegistryServer"], "https://a.example")],
        )
        .unwrap();
        assert_eq!(out, "npmRegistryServer: \"https://a.example\"\n");
    }
}
