//! Bun's `bunfig.toml`: `[install] registry` (a URL string, possibly with `user:pass@` or
//! `:token@`, or a `{ url, token }` / `{ url, username, password }` table),
//! `[install.scopes]` (keys with or without `@`), `cafile` and `ca`. Edited with
//! `toml_edit`, so comments, decor and unrelated sections (`[test]`, `[run]`) stay.

use crate::diagnostics::Code;
use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;
use std::path::Path;

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value as TomlValue};

use crate::error::SyntaxError;
use crate::formats::{Setting, SettingPath, SettingValue, Wanted, line_col};
use crate::model::{AuthKey, Credentials, Level, Model, Origin, PasswordEncoding, Value};
use crate::redact;
use crate::template::{Dialect, Template};
use crate::warning::Warning;

const FIELDS: [&str; 4] = ["url", "token", "username", "password"];

struct Found {
    path: Vec<String>,
    value: SettingValue,
    span: Option<Range<usize>>,
    /// A key Bun does not read in a registry table (errata: ignored, no error).
    ignored: bool,
}

fn syntax(text: &str, span: Option<Range<usize>>, message: impl Into<String>) -> SyntaxError {
    let (line, column) = line_col(text, span.map_or(0, |s| s.start));
    SyntaxError::new(line, column, message)
}

fn parse(text: &str) -> Result<toml_edit::Document<&str>, SyntaxError> {
    toml_edit::Document::parse(text).map_err(|e| {
        syntax(
            text,
            e.span(),
            format!("invalid TOML: {}", e.message().trim_end_matches('\n')),
        )
    })
}

fn string_of(text: &str, path: &str, v: &TomlValue) -> Result<String, SyntaxError> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| syntax(text, v.span(), format!("`{path}` must be a string")))
}

/// A registry given as a table or a URL string; the string form's userinfo is credentials.
fn registry_entry(
    text: &str,
    base: &[&str],
    item: &Item,
    out: &mut Vec<Found>,
) -> Result<(), SyntaxError> {
    let path = |field: &str| {
        let mut p: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        p.push(field.to_string());
        p
    };
    let dotted = base.join(".");
    if let Some(table) = item.as_table_like() {
        for (key, value) in table.iter() {
            if !FIELDS.contains(&key) {
                out.push(Found {
                    path: path(key),
                    value: SettingValue::Scalar(String::new()),
                    span: value.span(),
                    ignored: true,
                });
                continue;
            }
            let v = value.as_value().ok_or_else(|| {
                syntax(
                    text,
                    value.span(),
                    format!("`{dotted}.{key}` must be a string"),
                )
            })?;
            out.push(Found {
                path: path(key),
                value: SettingValue::Scalar(string_of(text, &format!("{dotted}.{key}"), v)?),
                span: v.span(),
                ignored: false,
            });
        }
        return Ok(());
    }
    let v = item.as_value().ok_or_else(|| {
        syntax(
            text,
            item.span(),
            format!("`{dotted}` must be a URL or a table"),
        )
    })?;
    let url = string_of(text, &dotted, v)?;
    let (url, user, password) = split_userinfo(&url);
    out.push(Found {
        path: path("url"),
        value: SettingValue::Scalar(url),
        span: v.span(),
        ignored: false,
    });
    match (user.as_deref(), password) {
        // `http://:TOKEN@host/` is a bearer token in Bun.
        (Some(""), Some(token)) => out.push(Found {
            path: path("token"),
            value: SettingValue::Scalar(token),
            span: v.span(),
            ignored: false,
        }),
        (Some(user), password) => {
            out.push(Found {
                path: path("username"),
                value: SettingValue::Scalar(user.to_string()),
                span: v.span(),
                ignored: false,
            });
            out.push(Found {
                path: path("password"),
                value: SettingValue::Scalar(password.unwrap_or_default()),
                span: v.span(),
                ignored: false,
            });
        }
        (None, _) => {}
    }
    Ok(())
}

/// `scheme://user:pass@host/...` → (URL without userinfo, user, password), the parts with
/// their percent escapes decoded, as Bun sends them (conformance
/// `bun_registry_userinfo_escapes_to_npm`). A user alone (`https://TOKEN@host/` or
/// `https://TOKEN:@host/`, often a token) stays in the URL, where it is masked as one, and so
/// does a userinfo whose escapes are not UTF-8 (`%FF`): Bun sends those bytes, which no
/// field of text can hold.
fn split_userinfo(url: &str) -> (String, Option<String>, Option<String>) {
    let decoded = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .ok()
            .map(std::borrow::Cow::into_owned)
    };
    let whole = || (url.to_string(), None, None);
    match split_userinfo_as_written(url) {
        (bare, Some(user), Some(password)) if !password.is_empty() => {
            match (decoded(&user), decoded(&password)) {
                (Some(user), Some(password)) => (bare, Some(user), Some(password)),
                _ => whole(),
            }
        }
        (_, Some(_), _) => whole(),
        (bare, None, _) => (bare, None, None),
    }
}

fn split_userinfo_as_written(url: &str) -> (String, Option<String>, Option<String>) {
    match crate::registry_url::url_userinfo(url) {
        Some((user, password)) => (
            crate::registry_url::without_userinfo(url).into_owned(),
            Some(user.to_string()),
            password.map(str::to_string),
        ),
        None => (url.to_string(), None, None),
    }
}

/// What `text` holds, read once per run for each text ([`super::kept`]): reading, the
/// settings and the secret spans of one file all start here.
fn collect(text: &str) -> Result<std::rc::Rc<Vec<Found>>, SyntaxError> {
    super::kept::parsed(text, collect_uncached)
}

fn collect_uncached(text: &str) -> Result<Vec<Found>, SyntaxError> {
    let doc = parse(text)?;
    let mut out = Vec::new();
    let Some(install) = doc.get("install") else {
        return Ok(out);
    };
    let install = install
        .as_table_like()
        .ok_or_else(|| syntax(text, install.span(), "`install` must be a table"))?;
    if let Some(item) = install.get("registry") {
        registry_entry(text, &["install", "registry"], item, &mut out)?;
    }
    if let Some(scopes) = install.get("scopes") {
        let table = scopes
            .as_table_like()
            .ok_or_else(|| syntax(text, scopes.span(), "`install.scopes` must be a table"))?;
        for (key, item) in table.iter() {
            let name = key.strip_prefix('@').unwrap_or(key);
            registry_entry(text, &["install", "scopes", name], item, &mut out)?;
        }
    }
    if let Some(item) = install.get("cafile") {
        let v = item
            .as_value()
            .ok_or_else(|| syntax(text, item.span(), "`install.cafile` must be a string"))?;
        out.push(Found {
            path: vec!["install".into(), "cafile".into()],
            value: SettingValue::Scalar(string_of(text, "install.cafile", v)?),
            span: v.span(),
            ignored: false,
        });
    }
    if let Some(item) = install.get("ca") {
        let value = match item.as_value() {
            Some(TomlValue::Array(items)) => SettingValue::List(
                items
                    .iter()
                    .map(|v| string_of(text, "install.ca", v))
                    .collect::<Result<_, _>>()?,
            ),
            Some(v) => SettingValue::List(vec![string_of(text, "install.ca", v)?]),
            None => {
                return Err(syntax(
                    text,
                    item.span(),
                    "`install.ca` must be a string or a list",
                ));
            }
        };
        out.push(Found {
            path: vec!["install".into(), "ca".into()],
            value,
            span: item.span(),
            ignored: false,
        });
    }
    Ok(out)
}

/// The settings pmrc owns in this file.
pub fn settings(text: &str) -> Result<Vec<Setting>, SyntaxError> {
    let lines = crate::formats::LineIndex::new(text);
    Ok(collect(text)?
        .iter()
        .filter(|f| !f.ignored)
        .map(|f| Setting {
            line: f.span.as_ref().map_or(1, |s| lines.line_col(s.start).0),
            path: f.path.clone().into(),
            value: f.value.clone(),
        })
        .collect())
}

/// [`crate::formats::Format::holds`] from the kept read, nothing copied.
pub fn holds(text: &str, wanted: &Wanted) -> bool {
    let Ok(found) = collect(text) else {
        return false;
    };
    let held = || found.iter().filter(|f| !f.ignored);
    crate::formats::same_as_wanted(
        held().count(),
        held().map(|f| (&f.path[..], &f.value)),
        wanted,
    )
}

/// Whether a registry URL has references and every one survives being written to
/// `bunfig.toml`: none outside the URL's `user:password@`, whose parts [`wanted`] writes as
/// fields of their own, where Bun expands a whole `$VAR`.
pub fn keeps_url_references(url: &Template) -> bool {
    if !url.has_env() {
        return false;
    }
    let (bare, user, password) = split_userinfo(&url.render(Dialect::Yarn).0);
    let kept = |part: &str| {
        Template::parse(part, Dialect::Yarn)
            .render(Dialect::Bun)
            .1
            .is_empty()
    };
    match (user, password) {
        (Some(user), Some(password)) => {
            !Template::parse(&bare, Dialect::Yarn).has_env() && kept(&user) && kept(&password)
        }
        _ => false,
    }
}

/// A scope's registry URL that Bun would take as text in `bunfig.toml` (a `${VAR}` inside a
/// URL: Bun expands only a whole `$VAR` there) but expands where it was read, the project
/// `.npmrc`, which Bun reads too: it stays there, where it works, rather than be written
/// over it in `bunfig.toml` (whose entry would win). Only plain `${VAR}` references, the
/// forms Bun expands in `.npmrc` (`${VAR?}` to empty when unset, spec pnpm-bun-deno.md
/// b25), and only without credentials of its own to write.
pub fn left_in_npmrc(url: &Value, creds: Option<&Credentials>) -> bool {
    use crate::template::{Piece, Unset};
    let plain_references = url.value.pieces.iter().all(|p| match p {
        Piece::Env { unset, .. } => matches!(unset, Unset::Strict | Unset::Empty),
        Piece::Text { .. } | Piece::FromVariable { .. } => true,
    });
    creds.is_none()
        && plain_references
        && !url.value.render(Dialect::Bun).1.is_empty()
        && !keeps_url_references(&url.value)
        && url.origin.as_ref().is_some_and(|o| {
            o.level == Level::Project && o.file.file_name() == Some(std::ffi::OsStr::new(".npmrc"))
        })
}

/// Spans of literal tokens and passwords, and of passwords inside registry URLs.
pub fn secret_spans(text: &str) -> Vec<Range<usize>> {
    let Ok(found) = collect(text) else {
        return Vec::new();
    };
    // A user with an empty password is the credential itself, as in a URL's
    // `https://TOKEN@host/` (written here as `username`).
    fn entry_of(f: &Found) -> &[String] {
        &f.path[..f.path.len().saturating_sub(1)]
    }
    let has_password: std::collections::HashSet<&[String]> = found
        .iter()
        .filter(|f| f.path.last().is_some_and(|l| l == "password"))
        .filter(|f| !matches!(&f.value, SettingValue::Scalar(v) if v.is_empty()))
        .map(entry_of)
        .collect();
    let mut spans = Vec::new();
    for f in found.iter() {
        let (Some(span), SettingValue::Scalar(value)) = (f.span.clone(), &f.value) else {
            continue;
        };
        let field = f.path.last().map(String::as_str).unwrap_or_default();
        let secret_field = match field {
            "token" | "password" => true,
            "username" => !has_password.contains(entry_of(f)),
            _ => false,
        };
        let in_url: Vec<_> = redact::url_secret_spans_at(&text[span.clone()], span.start).collect();
        if !in_url.is_empty() {
            spans.extend(in_url);
        } else if secret_field
            && Template::parse(value, Dialect::Bun).has_literal_secret_in(Dialect::Bun)
        {
            spans.push(span);
        }
    }
    // A URL's username and password are read from the one URL: its spans once.
    spans.sort_by_key(|s| (s.start, s.end));
    spans.dedup();
    spans
}

/// Reads `bunfig.toml` into the model. Credentials written with a registry belong to that
/// registry entry (Bun prefers them over any `.npmrc` credential).
pub fn read(text: &str, file: &Path, level: Level) -> Result<(Model, Vec<Warning>), SyntaxError> {
    let mut model = Model::default();
    let mut warnings = Vec::new();
    let lines = crate::formats::LineIndex::new(text);
    for f in collect(text)?.iter().filter(|f| f.ignored) {
        warnings.push(Warning::new(
            Code::BunIgnoredKey,
            format!(
                "Bun ignores `{}` (it reads url, token, username and password there); pmrc ignores it too",
                f.path.join(".")
            ),
            Some(Origin {
                file: Origin::shared(file),
                line: f.span.as_ref().map_or(1, |s| lines.line_col(s.start).0),
                level,
            }),
        ));
    }
    let shared = Origin::shared(file);
    for setting in settings(text)? {
        let origin = Some(Origin {
            file: std::rc::Rc::clone(&shared),
            line: setting.line,
            level,
        });
        let value = |s: &str| Value::new(Template::parse(s, Dialect::Bun), origin.clone());
        let path: Vec<&str> = setting.path.iter().map(String::as_str).collect();
        let scalar = match &setting.value {
            SettingValue::Scalar(s) => s.clone(),
            SettingValue::List(items) => {
                model.tls.ca = items.iter().map(|i| value(i)).collect();
                continue;
            }
        };
        let v = value(&scalar);
        if scalar.contains("${") {
            warnings.push(Warning::new(
                Code::BunBracedEnvReference,
                format!(
                    "`{}` holds `${{...}}`, which Bun sends as literal text; Bun expands only a whole value `$VARIABLE`",
                    path.join(".")
                ),
                origin.clone(),
            ));
        }
        let (key, field) = match path.as_slice() {
            ["install", "cafile"] => {
                model.tls.cafile = Some(v);
                continue;
            }
            ["install", "registry", field] => (AuthKey::DefaultRegistry, *field),
            ["install", "scopes", name, field] => (AuthKey::Scope(name.to_string()), *field),
            _ => unreachable!("collect yields only these paths"),
        };
        if field == "url" {
            match &key {
                AuthKey::Scope(name) => {
                    model.scopes.entry(name.clone()).or_default().registry = Some(v)
                }
                _ => model.registry = Some(v),
            }
            continue;
        }
        let creds: &mut Credentials = model.auth.entry(key).or_default();
        match field {
            "token" => creds.token = Some(v),
            "username" => creds.username = Some(v),
            _ => {
                creds.password = Some(v);
                creds.password_encoding = Some(PasswordEncoding::Plain);
            }
        }
    }
    Ok((model, warnings))
}

/// The same text with every value that is exactly `${VAR}` (which Bun sends as text)
/// written `$VAR`, which Bun expands; `None` when there is none.
pub fn fix_braced_references(text: &str) -> Option<String> {
    let held = settings(text).ok()?;
    let mut changed = false;
    let wanted: Wanted = held
        .iter()
        .map(|s| {
            let value = match &s.value {
                SettingValue::Scalar(v) => match &Template::parse(v, Dialect::Npm).pieces[..] {
                    [crate::template::Piece::Env { name, .. }] => {
                        changed = true;
                        SettingValue::Scalar(format!("${name}"))
                    }
                    _ => s.value.clone(),
                },
                SettingValue::List(_) => s.value.clone(),
            };
            (s.path.clone(), value)
        })
        .collect();
    if !changed {
        return None;
    }
    edit(text, &wanted).ok()
}

/// The settings a model means in `bunfig.toml`; the model must be in Bun's terms (see
/// `translate`): credentials bound to the default registry or to a scope, plain passwords.
pub fn wanted(model: &Model) -> Wanted {
    let mut out: Wanted = Vec::new();
    let render = |v: &Value| SettingValue::Scalar(v.value.render(Dialect::Bun).0);
    let mut entry = |base: Vec<String>, url: Option<&Value>, creds: Option<&Credentials>| {
        let Some(url) = url else { return };
        let mut put = |name: &str, value: String| {
            let mut p = base.clone();
            p.push(name.to_string());
            out.push((p.into(), SettingValue::Scalar(value)));
        };
        let rendered = |v: &Value| v.value.render(Dialect::Bun).0;
        // A URL's userinfo is read back as the entry's credentials (`registry_entry`), so it
        // is written as them; a configured credential wins over it, as in Bun. The URL is
        // split as written in full (`${VAR}` kept), so that a part that is one reference
        // becomes a field Bun expands (`$VAR`), which it never does inside a URL.
        let in_bun = |part: String| Template::parse(&part, Dialect::Yarn).render(Dialect::Bun).0;
        let (bare, user, password) = split_userinfo(&url.value.render(Dialect::Yarn).0);
        let (bare, user, password) = (in_bun(bare), user.map(in_bun), password.map(in_bun));
        put("url", bare);
        match creds {
            Some(c) => {
                if let Some(t) = &c.token {
                    put("token", rendered(t));
                } else if let (Some(u), Some(p)) = (&c.username, &c.password) {
                    put("username", rendered(u));
                    put("password", rendered(p));
                }
            }
            None => match (user, password) {
                (Some(user), Some(token)) if user.is_empty() => put("token", token),
                (Some(user), password) => {
                    put("username", user);
                    put("password", password.unwrap_or_default());
                }
                (None, _) => {}
            },
        }
    };
    entry(
        vec!["install".into(), "registry".into()],
        model.registry.as_ref(),
        model.auth.get(&AuthKey::DefaultRegistry),
    );
    for (name, scope) in &model.scopes {
        let creds = model.auth.get(&AuthKey::Scope(name.clone()));
        let registry = scope.registry.as_ref().filter(|r| !left_in_npmrc(r, creds));
        entry(
            vec!["install".into(), "scopes".into(), name.clone()],
            registry,
            creds,
        );
    }
    if let Some(cafile) = &model.tls.cafile {
        out.push((["install".into(), "cafile".into()].into(), render(cafile)));
    }
    if !model.tls.ca.is_empty() {
        let items = model
            .tls
            .ca
            .iter()
            .map(|v| v.value.render(Dialect::Bun).0)
            .collect();
        out.push((
            ["install".into(), "ca".into()].into(),
            SettingValue::List(items),
        ));
    }
    out
}

/// The wanted fields of one registry entry (`base` = its path), in write order.
fn group<'a>(wanted: &'a Wanted, base: &[String]) -> Vec<(&'a str, &'a str)> {
    wanted
        .iter()
        .filter(|(p, _)| p.len() == base.len() + 1 && p.starts_with(base))
        .filter_map(|(p, v)| match v {
            SettingValue::Scalar(s) => Some((p[base.len()].as_str(), s.as_str())),
            SettingValue::List(_) => None,
        })
        .collect()
}

fn held_group<'a>(held: &'a [Setting], base: &[String]) -> Vec<(&'a str, &'a str)> {
    held.iter()
        .filter(|s| s.path.len() == base.len() + 1 && s.path.starts_with(base))
        .filter_map(|s| match &s.value {
            SettingValue::Scalar(v) => Some((s.path[base.len()].as_str(), v.as_str())),
            SettingValue::List(_) => None,
        })
        .collect()
}

/// The scalar fields of each `install.scopes.<name>` entry, by scope name.
fn scope_fields<'a>(
    settings: impl Iterator<Item = (&'a SettingPath, &'a SettingValue)>,
) -> HashMap<&'a str, Vec<(&'a str, &'a str)>> {
    let mut out: HashMap<&str, Vec<(&str, &str)>> = HashMap::default();
    for (p, v) in settings {
        if let ([install, scopes, name, field], SettingValue::Scalar(v)) = (&p[..], v)
            && install == "install"
            && scopes == "scopes"
        {
            out.entry(name.as_str())
                .or_default()
                .push((field.as_str(), v.as_str()));
        }
    }
    out
}

/// A registry entry as Bun's docs write it: a plain URL, or an inline table with creds.
fn registry_value(fields: &[(&str, &str)]) -> TomlValue {
    if let [("url", url)] = fields {
        return TomlValue::from(*url);
    }
    let mut table = InlineTable::new();
    for (k, v) in fields {
        table.insert(*k, TomlValue::from(*v));
    }
    table.fmt();
    TomlValue::InlineTable(table)
}

/// Puts `value` at `key`, keeping the old value's surrounding whitespace and comment.
fn replace(table: &mut dyn TableLike, key: &str, mut value: TomlValue) {
    match table.get_mut(key) {
        // Assigning through the existing item keeps the key and the comments above it.
        Some(item) => {
            if let Some(old) = item.as_value() {
                *value.decor_mut() = old.decor().clone();
            }
            *item = Item::Value(value);
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

/// Edits `text` so the settings pmrc owns equal `wanted`; everything else stays.
pub fn edit(text: &str, wanted: &Wanted) -> Result<String, String> {
    // toml_edit writes LF and drops a byte-order mark: the file keeps its own.
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let crlf = crate::formats::dominant_line_ending(body) == "\r\n";
    let lf_body = if crlf {
        body.replace("\r\n", "\n")
    } else {
        body.to_string()
    };
    let mut edited = edit_lf(&lf_body, wanted)?;
    if edited == lf_body {
        return Ok(text.to_string());
    }
    // toml_edit ends the document with a line break; a file without a final one keeps
    // that habit, as the other formats do (from a trial: an edit elsewhere added one).
    if !lf_body.is_empty() && !lf_body.ends_with('\n') && edited.ends_with('\n') {
        edited.pop();
    }
    let edited = if crlf {
        edited.replace('\n', "\r\n")
    } else {
        edited
    };
    Ok(format!("{bom}{edited}"))
}

/// [`edit`] on a text whose lines end in LF, without a byte-order mark.
fn edit_lf(text: &str, wanted: &Wanted) -> Result<String, String> {
    let held = settings(text).map_err(|e| e.message)?;
    let mut doc: DocumentMut = parse(text).map_err(|e| e.message)?.into_mut();
    if crate::formats::same_settings(&held, wanted) {
        return Ok(text.to_string());
    }
    let install_key = "install";
    let created_install = !wanted.is_empty() && doc.get(install_key).is_none();
    if created_install {
        // Implicit: no `[install]` header of its own while it only holds `[install.scopes]`.
        let mut table = Table::new();
        table.set_implicit(true);
        doc.insert(install_key, Item::Table(table));
    }
    let Some(install) = doc.get_mut(install_key).and_then(Item::as_table_like_mut) else {
        return Ok(text.to_string());
    };
    let base = |rest: &[&str]| -> Vec<String> {
        std::iter::once("install")
            .chain(rest.iter().copied())
            .map(String::from)
            .collect()
    };
    // Default registry.
    let registry = base(&["registry"]);
    let (want, have) = (group(wanted, &registry), held_group(&held, &registry));
    if sorted(&want) != sorted(&have) {
        if want.is_empty() {
            install.remove("registry");
        } else {
            replace(install, "registry", registry_value(&want));
        }
    }
    // Scopes: every scope held or wanted.
    let mut names: Vec<String> = wanted
        .iter()
        .map(|(p, _)| p)
        .chain(held.iter().map(|s| &s.path))
        .filter(|p| p.len() == 4 && p[1] == "scopes")
        .map(|p| p[2].clone())
        .collect();
    names.sort();
    names.dedup();
    // Tables pmrc empties or made go again; one the user keeps empty stays.
    let created_scopes = !names.is_empty() && install.get("scopes").is_none();
    let held_scopes = held.iter().any(|s| s.path.len() == 4);
    if created_scopes {
        install.insert("scopes", Item::Table(Table::new()));
    }
    // Each scope's fields, grouped in one pass so that many scopes stay linear.
    let wanted_scopes = scope_fields(wanted.iter().map(|(p, v)| (p, v)));
    let held_scopes_by_name = scope_fields(held.iter().map(|s| (&s.path, &s.value)));
    if let Some(scopes) = install.get_mut("scopes").and_then(Item::as_table_like_mut) {
        for name in &names {
            let want = wanted_scopes
                .get(name.as_str())
                .cloned()
                .unwrap_or_default();
            let have = held_scopes_by_name
                .get(name.as_str())
                .cloned()
                .unwrap_or_default();
            if sorted(&want) == sorted(&have) {
                continue;
            }
            let at_key = format!("@{name}");
            let key = if scopes.contains_key(&at_key) {
                at_key
            } else {
                name.clone()
            };
            if want.is_empty() {
                scopes.remove(&key);
            } else if let Some(sub) = scopes.get_mut(&key).and_then(Item::as_table_mut) {
                // `[install.scopes.name]` sub-table: edit its keys in place.
                for field in FIELDS {
                    match want.iter().find(|(k, _)| *k == field) {
                        Some((_, v)) => replace(sub, field, TomlValue::from(*v)),
                        None => {
                            sub.remove(field);
                        }
                    }
                }
            } else {
                replace(scopes, &key, registry_value(&want));
            }
        }
        if scopes.is_empty() && (created_scopes || held_scopes) {
            install.remove("scopes");
        }
    }
    // TLS.
    for (key, path) in [("cafile", base(&["cafile"])), ("ca", base(&["ca"]))] {
        let want = wanted.iter().find(|(p, _)| p[..] == path).map(|(_, v)| v);
        let have = held.iter().find(|s| s.path[..] == path).map(|s| &s.value);
        if want == have {
            continue;
        }
        match want {
            None => {
                install.remove(key);
            }
            Some(SettingValue::Scalar(s)) => replace(install, key, TomlValue::from(s.as_str())),
            Some(SettingValue::List(items)) => {
                let value = match items.as_slice() {
                    [one] => TomlValue::from(one.as_str()),
                    many => TomlValue::Array(many.iter().map(String::as_str).collect()),
                };
                replace(install, key, value);
            }
        }
    }
    if install.is_empty() && created_install {
        doc.remove(install_key);
    }
    Ok(doc.to_string())
}

fn sorted<'a>(fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = fields.to_vec();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Model {
        read(text, Path::new("bunfig.toml"), Level::Project)
            .unwrap()
            .0
    }

    /// A reference that is a whole part of a URL's userinfo becomes a field Bun expands;
    /// one inside a part, or in the rest of the URL, does not survive.
    #[test]
    fn url_userinfo_references_become_fields() {
        let url = |text: &str| Value::new(Template::parse(text, Dialect::Npm), None);
        let with = |registry: &str| Model {
            registry: Some(url(registry)),
            ..Model::default()
        };
        let whole = with("https://${NPM_USER}:${NPM_PASS}@r.example/");
        assert!(keeps_url_references(
            &whole.registry.as_ref().unwrap().value
        ));
        let fields: Vec<(String, String)> = wanted(&whole)
            .into_iter()
            .map(|(p, v)| match v {
                SettingValue::Scalar(v) => (p.last().unwrap().clone(), v),
                SettingValue::List(_) => unreachable!(),
            })
            .collect();
        let expected = [
            ("url", "https://r.example/"),
            ("username", "$NPM_USER"),
            ("password", "$NPM_PASS"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        assert_eq!(fields, expected);
        for partial in [
            "https://u:${PW}x@r.example/",
            "https://${HOST}/",
            "https://${TOKEN}@r.example/",
            "https://u:p@r.example/",
        ] {
            assert!(
                !keeps_url_references(&with(partial).registry.unwrap().value),
                "{partial}"
            );
        }
    }

    /// Escapes are decoded into the fields, as Bun decodes them; escapes that are not UTF-8
    /// (bytes Bun sends as they are) keep the userinfo in the URL instead of a lossy `�`.
    #[test]
    fn url_userinfo_escapes() {
        assert_eq!(
            split_userinfo("https://fake%40user:fake%3Apass@r.example/"),
            (
                "https://r.example/".to_string(),
                Some("fake@user".to_string()),
                Some("fake:pass".to_string())
            )
        );
        for kept in [
            "https://fake-user:fake%FFpass@r.example/",
            "https://fake%FF:fake-pass@r.example/",
            "https://FAKETOKEN@r.example/",
            "https://FAKETOKEN:@r.example/",
        ] {
            assert_eq!(
                split_userinfo(kept),
                (kept.to_string(), None, None),
                "{kept}"
            );
        }
    }

    #[test]
    fn registry_forms() {
        // spec/pnpm-bun-deno.md §3.1 b01-b05, b18
        let m = model(
            "[install]\nregistry = { url = \"https://r.example/\", token = \"$NPM_TOKEN\" }\n",
        );
        assert!(
            m.auth[&AuthKey::DefaultRegistry]
                .token
                .as_ref()
                .unwrap()
                .value
                .has_env()
        );
        let m = model("[install]\nregistry = \"http://:FAKESECRET@r.example/\"\n");
        assert_eq!(
            m.registry.unwrap().value.as_literal().unwrap(),
            "http://r.example/"
        );
        assert!(m.auth[&AuthKey::DefaultRegistry].token.is_some());
        let m = model("[install]\nregistry = \"http://alice:pw@r.example/\"\n");
        let c = &m.auth[&AuthKey::DefaultRegistry];
        assert_eq!(
            c.username.as_ref().unwrap().value.as_literal().unwrap(),
            "alice"
        );
        assert_eq!(c.password_encoding, Some(PasswordEncoding::Plain));
    }

    #[test]
    fn scopes_with_and_without_at_and_sub_tables() {
        let m = model(
            "[install.scopes]\n\"@a\" = \"https://a.example/\"\nb = { url = \"https://b.example/\", token = \"$B\" }\n[install.scopes.c]\nurl = \"https://c.example/\"\n",
        );
        assert_eq!(m.scopes.len(), 3);
        assert!(m.auth.contains_key(&AuthKey::Scope("b".into())));
    }

    #[test]
    fn braced_references_are_reported() {
        let (_, w) = read(
            "[install]\nregistry = { url = \"https://r.example/\", token = \"${NPM_TOKEN}\" }\n",
            Path::new("bunfig.toml"),
            Level::Project,
        )
        .unwrap();
        assert_eq!(w[0].code, "bun-braced-env-reference");
    }

    #[test]
    fn braced_references_are_fixed() {
        let text = "# bun\n[install]\nregistry = { url = \"https://r.example/\", token = \"${NPM_TOKEN}\" } # ours\n";
        let out = fix_braced_references(text).unwrap();
        assert!(
            out.contains("token = \"$NPM_TOKEN\"")
                && out.contains("# ours")
                && out.starts_with("# bun\n"),
            "{out}"
        );
        assert_eq!(fix_braced_references(&out), None);
    }

    #[test]
    fn errors_have_positions() {
        let e = settings("[install]\nregistry = { url = 1 }\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = settings("[install\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    /// From a helper's review: a URL's username was shown at line 1 (the table's header),
    /// its password at the URL's line; both come from the URL, masked once.
    #[test]
    fn url_userinfo_fields_are_at_the_url_line() {
        let text = "[install.scopes]\ngamma = \"http://gus:FAKEPW@r.example/gamma/\"\n";
        let held = settings(text).unwrap();
        let lines: Vec<(String, usize)> = held
            .iter()
            .map(|s| (s.path.last().unwrap().clone(), s.line))
            .collect();
        assert_eq!(
            lines,
            [
                ("url".to_string(), 2),
                ("username".to_string(), 2),
                ("password".to_string(), 2)
            ]
        );
        let spans = secret_spans(text);
        assert_eq!(spans.len(), 1, "{spans:?}");
        assert_eq!(&text[spans[0].clone()], "FAKEPW");
    }

    /// Issue 13 / errata: Bun ignores keys it does not know in a registry table.
    #[test]
    fn unknown_keys_are_ignored_and_reported() {
        let text = "[install.scopes]\na = { url = \"https://a.example/\", registry = \"y\" }\n";
        let held = settings(text).unwrap();
        assert_eq!(held.len(), 1, "{held:?}");
        let (model, w) = read(text, Path::new("bunfig.toml"), Level::Project).unwrap();
        assert!(model.scopes.contains_key("a"));
        assert_eq!(w[0].code, "bun-ignored-key");
        assert_eq!(w[0].origin.as_ref().unwrap().line, 2);
    }

    #[test]
    fn secrets_masked() {
        let text = "[install]\nregistry = { url = \"https://r.example/\", token = \"FAKESECRET\" }\n[install.scopes]\na = \"https://u:FAKEPW@a.example/\"\nb = { url = \"https://b.example/\", token = \"$B\" }\n";
        let masked = redact::mask(text, &secret_spans(text));
        assert!(
            !masked.contains("FAKESECRET") && !masked.contains("FAKEPW"),
            "{masked}"
        );
        assert!(masked.contains("$B"));
    }

    fn w(path: &[&str], v: &str) -> (crate::formats::SettingPath, SettingValue) {
        (
            path.iter().map(|s| s.to_string()).collect(),
            SettingValue::Scalar(v.into()),
        )
    }

    #[test]
    fn edit_keeps_other_sections_and_comments() {
        let text = "# bun settings\n[test]\ncoverage = true # keep\n\n[install]\n# our registry\nregistry = \"https://old.example/\" # old\nexact = true\n";
        let out = edit(
            text,
            &vec![w(&["install", "registry", "url"], "https://new.example/")],
        )
        .unwrap();
        assert_eq!(out, text.replace("old.example", "new.example"));
    }

    /// From a trial: an edit of the registry gave a file without a final line break one.
    #[test]
    fn edit_keeps_a_missing_final_line_break() {
        let wanted = vec![w(&["install", "registry", "url"], "https://new.example/")];
        for text in [
            "[install]\nregistry = \"https://old.example/\"\n\n[run]\nbun = true",
            "[install]\r\nregistry = \"https://old.example/\"\r\n\r\n[run]\r\nbun = true",
        ] {
            let out = edit(text, &wanted).unwrap();
            assert_eq!(out, text.replace("old.example", "new.example"));
        }
    }

    #[test]
    fn edit_adds_scopes_and_credentials() {
        let wanted = vec![
            w(
                &["install", "scopes", "acme", "url"],
                "https://npm.pkg.example/",
            ),
            w(&["install", "scopes", "acme", "token"], "$NODE_AUTH_TOKEN"),
        ];
        let out = edit("[run]\nbun = true\n", &wanted).unwrap();
        assert_eq!(
            out,
            "[run]\nbun = true\n\n[install.scopes]\nacme = { url = \"https://npm.pkg.example/\", token = \"$NODE_AUTH_TOKEN\" }\n"
        );
        assert!(crate::formats::same_settings(
            &settings(&out).unwrap(),
            &wanted
        ));
        assert_eq!(edit(&out, &wanted).unwrap(), out);
    }

    #[test]
    fn edit_removes_unwanted() {
        let text = "[install]\nregistry = \"https://r.example/\"\n[install.scopes]\n\"@old\" = \"https://old.example/\"\n";
        let out = edit(
            text,
            &vec![w(&["install", "registry", "url"], "https://r.example/")],
        )
        .unwrap();
        assert_eq!(out, "[install]\nregistry = \"https://r.example/\"\n");
    }
}
