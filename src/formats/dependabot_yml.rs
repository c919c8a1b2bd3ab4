//! `.github/dependabot.yml` (spec/ci-env.md §2.6): the `type: npm-registry` entries of
//! `registries` (`url`, `scope` as a string or a list, `token` or `username`/`password` as
//! `${{secrets.NAME}}`, `replaces-base`) and the `registries` lists of the `npm` and `bun`
//! `updates`. Entries of other types, other keys and comments are never touched.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

use serde::Deserialize;
use serde_saphyr::Spanned;
use yaml_edit::YamlFile;

use crate::error::SyntaxError;
use crate::formats::{Setting, SettingPath, SettingValue, Wanted, dominant_line_ending, yaml};
use crate::managers::Manager;
use crate::model::{AuthKey, Credentials, Level, Model, Origin, PasswordEncoding, Scope, Value};
use crate::registry_url::RegistryUrl;
use crate::template::{Dialect, Template};
use crate::warning::Warning;

type Text = Option<Spanned<String>>;

const NPM_REGISTRY: &str = "npm-registry";
/// The `updates` ecosystems that look packages up through npm registries.
const ECOSYSTEMS: [&str; 2] = ["npm", "bun"];

#[derive(Deserialize, Default)]
struct Config {
    #[serde(default)]
    registries: BTreeMap<String, Entry>,
    #[serde(default)]
    updates: Vec<Update>,
}

#[derive(Deserialize, Default)]
struct Entry {
    #[serde(rename = "type")]
    kind: Text,
    url: Text,
    token: Text,
    username: Text,
    password: Text,
    #[serde(rename = "replaces-base")]
    replaces_base: Text,
    #[serde(default)]
    scope: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct Update {
    #[serde(rename = "package-ecosystem")]
    ecosystem: Option<String>,
    directory: Option<String>,
    #[serde(default)]
    directories: Vec<String>,
    #[serde(default)]
    registries: Option<serde_json::Value>,
}

impl Entry {
    fn is_npm(&self) -> bool {
        self.kind.as_ref().is_some_and(|k| k.value == NPM_REGISTRY)
    }

    fn scalars(&self) -> [(&'static str, &Text); 6] {
        [
            ("type", &self.kind),
            ("url", &self.url),
            ("username", &self.username),
            ("password", &self.password),
            ("token", &self.token),
            ("replaces-base", &self.replaces_base),
        ]
    }

    fn scopes(&self) -> Option<SettingValue> {
        match &self.scope {
            Some(serde_json::Value::String(s)) => Some(SettingValue::Scalar(s.clone())),
            Some(serde_json::Value::Array(items)) => Some(SettingValue::List(
                items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect(),
            )),
            _ => None,
        }
    }
}

impl Update {
    /// How an update is named in a setting's path: its ecosystem and directories.
    fn label(&self) -> Option<String> {
        let eco = self.ecosystem.as_deref()?;
        ECOSYSTEMS.contains(&eco).then(|| {
            let dirs: Vec<&str> = self.folders().collect();
            format!("{eco} {}", dirs.join(","))
        })
    }

    /// Its `directory` and each of its `directories`, as written.
    fn folders(&self) -> impl Iterator<Item = &str> {
        self.directory
            .iter()
            .chain(&self.directories)
            .map(String::as_str)
    }

    /// Whether this is an `npm` or `bun` update of `directory` (`/frontend`). A glob in
    /// `directories` is not matched: pmrc does not guess.
    fn serves(&self, directory: &str) -> bool {
        self.label().is_some() && self.folders().any(|d| normal(d) == normal(directory))
    }
}

/// A directory as Dependabot names it from the repository's root: `/`, `/frontend`.
fn normal(directory: &str) -> String {
    format!("/{}", directory.trim_matches('/'))
}

fn parse(text: &str) -> Result<std::rc::Rc<Config>, SyntaxError> {
    yaml::parse(text)
}

fn line_of(t: &Spanned<String>) -> usize {
    (t.defined.line() as usize).max(1)
}

/// Whether the file has an `npm` or `bun` update for `directory` (`/`, `/frontend`):
/// Dependabot then looks up that folder's JavaScript packages, through the registries the
/// file gives it. A glob in `directories` is not matched: pmrc does not guess.
pub fn updates_javascript(text: &str, directory: &str) -> Result<bool, SyntaxError> {
    Ok(parse(text)?.updates.iter().any(|u| u.serves(directory)))
}

/// The settings pmrc owns in this file.
pub fn settings(text: &str) -> Result<Vec<Setting>, SyntaxError> {
    let config = parse(text)?;
    let mut out = Vec::new();
    for (name, entry) in config.registries.iter().filter(|(_, e)| e.is_npm()) {
        let line = entry.kind.as_ref().map_or(1, line_of);
        let path = |field: &str| vec!["registries".to_string(), name.clone(), field.to_string()];
        for (field, value) in entry.scalars() {
            if let Some(v) = value {
                out.push(Setting {
                    path: path(field).into(),
                    value: SettingValue::Scalar(v.value.clone()),
                    line: line_of(v),
                });
            }
        }
        if let Some(scopes) = entry.scopes() {
            out.push(Setting {
                path: path("scope").into(),
                value: scopes,
                line,
            });
        }
    }
    let lines = yaml::KeyLines::new(text);
    for update in &config.updates {
        let (Some(label), Some(registries)) = (update.label(), &update.registries) else {
            continue;
        };
        out.push(Setting {
            path: ["updates".into(), label, "registries".into()].into(),
            value: links(registries),
            line: lines.line("updates"),
        });
    }
    Ok(out)
}

/// An update's `registries` as a setting: a list of names, or a scalar (`"*"`).
fn links(registries: &serde_json::Value) -> SettingValue {
    match registries {
        serde_json::Value::Array(items) => SettingValue::List(
            items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect(),
        ),
        serde_json::Value::String(s) => SettingValue::Scalar(s.clone()),
        other => SettingValue::Scalar(other.to_string()),
    }
}

/// Byte spans of literal secrets (a `token` or `password` that is not `${{secrets.X}}`).
pub fn secret_spans(text: &str) -> Vec<Range<usize>> {
    let Ok(config) = parse(text) else {
        return Vec::new();
    };
    let mut spans = Vec::new();
    for entry in config.registries.values() {
        for v in [&entry.token, &entry.password].into_iter().flatten() {
            if !Template::parse(&v.value, Dialect::Dependabot).has_literal_secret() {
                continue;
            }
            let span = v.defined.span();
            if let Some(r) = span
                .byte_offset()
                .zip(span.byte_len())
                .map(|(o, l)| o as usize..(o + l) as usize)
                .filter(|r| r.end <= text.len())
            {
                spans.push(r);
            }
        }
    }
    spans
}

/// Reads the `npm-registry` entries into the model Dependabot's rules route with: each
/// scope to its entry, `replaces-base` as the default registry, each entry's credentials
/// keyed by its URL.
pub fn read(text: &str, file: &Path, level: Level) -> Result<(Model, Vec<Warning>), SyntaxError> {
    let config = parse(text)?;
    let mut model = Model::default();
    let file = Origin::shared(file);
    let origin = |line| Origin {
        file: std::rc::Rc::clone(&file),
        line,
        level,
    };
    let value = |t: &Spanned<String>| {
        Value::new(
            Template::parse(t.value.trim(), Dialect::Dependabot),
            Some(origin(line_of(t))),
        )
    };
    for entry in config.registries.values().filter(|e| e.is_npm()) {
        let Some(url) = &entry.url else { continue };
        let registry = value(url);
        if entry
            .replaces_base
            .as_ref()
            .is_some_and(|r| r.value.trim() == "true")
        {
            model.registry = Some(registry.clone());
        }
        for scope in scope_names(entry) {
            model.scopes.insert(
                scope,
                Scope {
                    registry: Some(registry.clone()),
                    publish_registry: None,
                },
            );
        }
        let Some(parsed) = RegistryUrl::parse(url.value.trim()) else {
            continue;
        };
        let creds = Credentials {
            token: entry.token.as_ref().map(value),
            username: entry.username.as_ref().map(value),
            password: entry.password.as_ref().map(value),
            password_encoding: entry.password.as_ref().map(|_| PasswordEncoding::Plain),
            ..Default::default()
        };
        if !creds.is_empty() {
            model
                .auth
                .insert(AuthKey::Url(parsed.registry_nerf_dart()), creds);
        }
    }
    Ok((model, Vec::new()))
}

fn scope_names(entry: &Entry) -> Vec<String> {
    match entry.scopes() {
        Some(SettingValue::Scalar(s)) => vec![s],
        Some(SettingValue::List(items)) => items,
        None => Vec::new(),
    }
    .into_iter()
    .map(|s| s.trim().trim_start_matches('@').to_ascii_lowercase())
    .filter(|s| !s.is_empty())
    .collect()
}

/// One entry to write: its URL, the scopes routed to it, whether it is the default.
struct Planned {
    url: String,
    scopes: Vec<String>,
    replaces_base: bool,
}

/// The entries `model` (a translation in npm's terms, fitted by Dependabot's rules) means:
/// one per registry a scope or the default goes to, or that holds credentials.
pub fn wanted(model: &Model, manager: Manager) -> Wanted {
    let render = |v: &Value| v.value.render(Dialect::Npm).0;
    let public = RegistryUrl::parse(manager.public_registry());
    let mut planned: Vec<Planned> = Vec::new();
    let mut add = |url: String, scope: Option<&str>, default: bool| {
        let key = RegistryUrl::parse(&url).map(|u| u.registry_nerf_dart());
        let at = planned
            .iter()
            .position(|p| RegistryUrl::parse(&p.url).map(|u| u.registry_nerf_dart()) == key);
        let at = at.unwrap_or_else(|| {
            planned.push(Planned {
                url,
                scopes: Vec::new(),
                replaces_base: false,
            });
            planned.len() - 1
        });
        if let Some(s) = scope {
            planned[at].scopes.push(format!("@{s}"));
        }
        planned[at].replaces_base |= default;
    };
    let default = model.registry.as_ref().map(render);
    let default_is_public = default.as_deref().is_none_or(|d| {
        RegistryUrl::parse(d).map(|u| u.registry_nerf_dart())
            == public.as_ref().map(|u| u.registry_nerf_dart())
    });
    if let Some(d) = &default
        && !default_is_public
    {
        add(d.clone(), None, true);
    }
    for (name, scope) in &model.scopes {
        if let Some(r) = &scope.registry {
            add(render(r), Some(name), false);
        }
    }
    if let Some(p) = &public
        && crate::resolve::credentials_under(&crate::resolve::Lookup::one(model), p).is_some()
    {
        add(
            default
                .clone()
                .unwrap_or_else(|| manager.public_registry().to_string()),
            None,
            false,
        );
    }
    let mut out = Wanted::new();
    let mut names = BTreeSet::new();
    for p in planned {
        let Some(url) = RegistryUrl::parse(&p.url) else {
            continue;
        };
        let name = unique(entry_name(&url), &mut names);
        let path = |field: &str| vec!["registries".to_string(), name.clone(), field.to_string()];
        out.push((
            path("type").into(),
            SettingValue::Scalar(NPM_REGISTRY.into()),
        ));
        out.push((path("url").into(), SettingValue::Scalar(p.url.clone())));
        match p.scopes.as_slice() {
            [] => {}
            [one] => out.push((path("scope").into(), SettingValue::Scalar(one.clone()))),
            many => out.push((path("scope").into(), SettingValue::List(many.to_vec()))),
        }
        if let Some((_, creds)) =
            crate::resolve::credentials_under(&crate::resolve::Lookup::one(model), &url)
        {
            let secret = |v: &Option<Value>| {
                v.as_ref()
                    .filter(|v| !v.value.has_literal_text() || v.value.has_env())
                    .map(|v| v.value.render(Dialect::Dependabot).0)
            };
            if let (Some(user), Some(password)) = (&creds.username, secret(&creds.password)) {
                out.push((
                    path("username").into(),
                    SettingValue::Scalar(user.value.render(Dialect::Dependabot).0),
                ));
                out.push((path("password").into(), SettingValue::Scalar(password)));
            } else if let Some(token) = secret(&creds.token) {
                out.push((path("token").into(), SettingValue::Scalar(token)));
            }
        }
        if p.replaces_base {
            out.push((
                path("replaces-base").into(),
                SettingValue::Scalar("true".into()),
            ));
        }
    }
    out
}

/// A name for a new entry: `npm-` and the registry's host and path.
fn entry_name(url: &RegistryUrl) -> String {
    let raw = format!("{}{}", url.hostname(), url.path());
    let mut name = String::from("npm");
    for part in raw
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        if name == "npm" && part.eq_ignore_ascii_case("npm") {
            continue;
        }
        name.push('-');
        name.push_str(&part.to_ascii_lowercase());
    }
    name
}

fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name}-{n}");
        n += 1;
    }
    candidate
}

/// The `directory` of an update for the project at `project`, with dependabot.yml at `file`
/// (`<root>/.github/dependabot.yml`): the project's folder from the repository's root
/// (`/frontend`), as Dependabot names it; `/` for the root itself.
pub fn update_directory(project: &Path, file: &Path) -> String {
    let root = file.parent().and_then(Path::parent);
    let below = root.and_then(|root| project.strip_prefix(root).ok());
    let parts: Vec<String> = below
        .into_iter()
        .flat_map(Path::components)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("/{}", parts.join("/"))
}

/// `wanted` in the file's own terms: an entry for a registry the file already has keeps its
/// name and its `scope` shape (a list stays a list); the `npm`/`bun` updates of `directory`
/// (the project's folder) list the entries (a new file gets one `npm` update for it).
///
/// The file at a repository's root serves every project in it (a monorepo's `/frontend` and
/// `/backend`), so only the project's own updates are linked and unlinked. An entry another
/// update lists is that project's: it stays as written, and is shared only where it already
/// says what this project wants (from a review: each sub-project's conversion relinked every
/// update and removed the other's entry). A file with no update for `directory` is left as
/// it is (`Rules::target_warnings` says what to add).
pub fn in_shape_of(text: Option<&str>, wanted: Wanted, directory: &str) -> Wanted {
    let held = text.and_then(|t| parse(t).ok());
    let empty = Config::default();
    let config = held.as_deref().unwrap_or(&empty);
    let held_settings = text.and_then(|t| settings(t).ok()).unwrap_or_default();
    let blank = text.is_none_or(|t| t.trim().is_empty());
    if !blank && !config.updates.iter().any(|u| u.serves(directory)) {
        return crate::formats::wanted_from(&held_settings);
    }
    // The entries the other updates list: `"*"` on an npm or bun update lists them all.
    let mut theirs: BTreeSet<String> = BTreeSet::new();
    let mut all_theirs = false;
    for update in config.updates.iter().filter(|u| !u.serves(directory)) {
        match &update.registries {
            Some(serde_json::Value::String(s)) if s.trim() == "*" => {
                all_theirs |= update.label().is_some();
            }
            Some(serde_json::Value::String(s)) => {
                theirs.insert(s.clone());
            }
            Some(serde_json::Value::Array(items)) => {
                theirs.extend(items.iter().filter_map(|i| i.as_str().map(str::to_string)));
            }
            _ => {}
        }
    }
    let is_theirs = |name: &str| all_theirs || theirs.contains(name);
    let held_entry = |name: &str| -> Vec<&Setting> {
        held_settings
            .iter()
            .filter(|s| s.path[0] == "registries" && s.path[1] == name)
            .collect()
    };
    // Each npm entry's name, the registry its URL names, and the URL as written.
    let existing: Vec<(&String, String, &String)> = config
        .registries
        .iter()
        .filter(|(_, e)| e.is_npm())
        .filter_map(|(name, e)| {
            let written = &e.url.as_ref()?.value;
            let url = RegistryUrl::parse(written.trim())?;
            Some((name, url.registry_nerf_dart(), written))
        })
        .collect();
    // Each wanted entry's name: the file's entry for the same registry, else the file's
    // npm entry for the same scope (its URL then changes), else a new one.
    let scope_of = |name: &str| {
        wanted
            .iter()
            .find(|(p, _)| p[1] == name && p[2] == "scope")
            .map(|(_, v)| match v {
                SettingValue::Scalar(s) => vec![s.clone()],
                SettingValue::List(items) => items.clone(),
            })
            .unwrap_or_default()
    };
    let same = |field: &str, a: &str, b: &str| match field {
        "url" => {
            RegistryUrl::parse(a.trim()).map(|u| u.registry_nerf_dart())
                == RegistryUrl::parse(b.trim()).map(|u| u.registry_nerf_dart())
        }
        _ => {
            Template::parse(a.trim(), Dialect::Dependabot)
                == Template::parse(b.trim(), Dialect::Dependabot)
        }
    };
    let scope_set = |v: &SettingValue| -> BTreeSet<String> {
        match v {
            SettingValue::Scalar(s) => vec![s.clone()],
            SettingValue::List(items) => items.clone(),
        }
        .iter()
        .map(|s| s.trim().trim_start_matches('@').to_ascii_lowercase())
        .collect()
    };
    // Whether another project's entry `held` already says all `name` wants, and no more.
    let agrees = |held: &str, name: &str| {
        let have = held_entry(held);
        let want: Vec<&(SettingPath, SettingValue)> =
            wanted.iter().filter(|(p, _)| p[1] == name).collect();
        have.len() == want.len()
            && want.iter().all(|(p, v)| {
                have.iter().any(|h| {
                    h.path[2] == p[2]
                        && match (&h.value, v) {
                            _ if p[2] == "scope" => scope_set(&h.value) == scope_set(v),
                            (SettingValue::Scalar(a), SettingValue::Scalar(b)) => same(&p[2], a, b),
                            _ => false,
                        }
                })
            })
    };
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = config.registries.keys().cloned().collect();
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    let urls: Vec<(String, Option<String>)> = wanted
        .iter()
        .filter(|(p, _)| p[2] == "url")
        .filter_map(|(p, v)| match v {
            SettingValue::Scalar(url) => Some((
                p[1].clone(),
                RegistryUrl::parse(url).map(|u| u.registry_nerf_dart()),
            )),
            SettingValue::List(_) => None,
        })
        .collect();
    for (name, nerf) in &urls {
        let for_registry = || {
            existing
                .iter()
                .filter(|(held, n, _)| Some(n) == nerf.as_ref() && !claimed.contains(*held))
        };
        let found = for_registry()
            .find(|(held, _, _)| !is_theirs(held))
            .or_else(|| for_registry().find(|(held, _, _)| agrees(held, name)));
        if let Some((held, _, _)) = found {
            let held = (*held).clone();
            claimed.insert(held.clone());
            renames.insert(name.clone(), held);
        }
    }
    for (name, _) in &urls {
        if renames.contains_key(name) {
            continue;
        }
        let scopes = scope_of(name);
        let by_scope = config.registries.iter().find(|(held, e)| {
            e.is_npm()
                && !claimed.contains(*held)
                && !is_theirs(held)
                && scope_names(e)
                    .iter()
                    .any(|s| scopes.iter().any(|w| w.trim_start_matches('@') == s))
        });
        let new_name = match by_scope {
            Some((held, _)) => {
                claimed.insert(held.clone());
                held.clone()
            }
            None => unique(name.clone(), &mut taken),
        };
        renames.insert(name.clone(), new_name);
    }
    let held_list_scope: BTreeSet<&String> = config
        .registries
        .iter()
        .filter(|(_, e)| matches!(e.scopes(), Some(SettingValue::List(_))))
        .map(|(n, _)| n)
        .collect();
    // A value the file already holds in another spelling of the same thing stays as written
    // (`${{ secrets.X }}`, a URL without its trailing slash).
    let written = |name: &str, field: &str| -> Option<String> {
        let e = config.registries.get(name)?;
        let v = match field {
            "url" => &e.url,
            "token" => &e.token,
            "username" => &e.username,
            "password" => &e.password,
            "replaces-base" => &e.replaces_base,
            _ => return None,
        };
        v.as_ref().map(|v| v.value.clone())
    };
    let mut out: Wanted = wanted
        .into_iter()
        .map(|(path, value)| {
            let mut path = path.to_vec();
            path[1] = renames[&path[1]].clone();
            let value = match value {
                SettingValue::Scalar(v) => match written(&path[1], &path[2]) {
                    Some(held) if same(&path[2], &held, &v) => SettingValue::Scalar(held),
                    _ if path[2] == "scope" && held_list_scope.contains(&path[1]) => {
                        SettingValue::List(vec![v])
                    }
                    _ => SettingValue::Scalar(v),
                },
                v => v,
            };
            (path.into(), value)
        })
        .filter(|(path, _): &(SettingPath, SettingValue)| !is_theirs(&path[1]))
        .collect();
    // Another project's entries, the ones shared with it included, stay byte for byte.
    out.extend(
        held_settings
            .iter()
            .filter(|s| s.path[0] == "registries" && is_theirs(&s.path[1]))
            .map(|s| (s.path.clone(), s.value.clone())),
    );
    let names: Vec<String> = renames.values().cloned().collect();
    let npm_names: BTreeSet<&String> = existing.iter().map(|(n, _, _)| *n).collect();
    for update in &config.updates {
        let Some(label) = update.label() else {
            continue;
        };
        let path: SettingPath = ["updates".into(), label, "registries".into()].into();
        let list = match &update.registries {
            // Another project's update keeps its list as it is.
            Some(held) if !update.serves(directory) => {
                out.push((path, links(held)));
                continue;
            }
            None if !update.serves(directory) => continue,
            Some(serde_json::Value::String(s)) => {
                out.push((path, SettingValue::Scalar(s.clone())));
                continue;
            }
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .filter(|n| !npm_names.contains(n) || names.contains(n))
                .collect(),
            _ => Vec::new(),
        };
        let mut list: Vec<String> = list;
        for n in &names {
            if !list.contains(n) {
                list.push(n.clone());
            }
        }
        if !list.is_empty() || update.registries.is_some() {
            out.push((path, SettingValue::List(list)));
        }
    }
    if config.updates.is_empty() && blank && !names.is_empty() {
        out.push((
            [
                "updates".into(),
                format!("npm {directory}"),
                "registries".into(),
            ]
            .into(),
            SettingValue::List(names),
        ));
    }
    out
}

/// Edits `text` toward `wanted`: the registry entries as every YAML edit is made, then the
/// updates' `registries` lists in place. A new file is `version: 2`, the entries and one
/// weekly `npm` update that uses them, for the directory its wanted link names.
pub fn edit(text: &str, wanted: &Wanted) -> Result<String, String> {
    let held = settings(text).map_err(|e| e.message.clone())?;
    if crate::formats::same_settings(&held, wanted) {
        return Ok(text.to_string());
    }
    let is_registry = |p: &[String]| p[0] == "registries";
    let held_registries: Vec<Setting> = held
        .iter()
        .filter(|s| is_registry(&s.path))
        .cloned()
        .collect();
    let wanted_registries: Wanted = wanted
        .iter()
        .filter(|(p, _)| is_registry(p))
        .cloned()
        .collect();
    let links: Vec<(&str, &[String])> = wanted
        .iter()
        .filter(|(p, _)| p[0] == "updates")
        .filter_map(|(p, v)| match v {
            SettingValue::List(items) => Some((p[1].as_str(), items.as_slice())),
            SettingValue::Scalar(_) => None,
        })
        .collect();
    let blank = text.trim().is_empty();
    let nl = dominant_line_ending(text);
    let start = if blank {
        format!("version: 2{nl}")
    } else {
        text.to_string()
    };
    let mut out = yaml::edit(
        &start,
        &held_registries,
        &wanted_registries,
        &["registries"],
    )?;
    if blank {
        if let [(label, names)] = links.as_slice() {
            let directory = label.strip_prefix("npm ").unwrap_or("/");
            out.push_str(&format!(
                "updates:{nl}  - package-ecosystem: \"npm\"{nl}    directory: \"{directory}\"{nl}    schedule:{nl}      interval: \"weekly\"{nl}    registries:{nl}"
            ));
            for n in *names {
                out.push_str(&format!("      - {n}{nl}"));
            }
        }
        return Ok(out);
    }
    let held_links: BTreeMap<&str, &SettingValue> = held
        .iter()
        .filter(|s| s.path[0] == "updates")
        .map(|s| (s.path[1].as_str(), &s.value))
        .collect();
    let changed: Vec<&(&str, &[String])> = links
        .iter()
        .filter(|(label, names)| {
            held_links.get(label) != Some(&&SettingValue::List(names.to_vec()))
        })
        .collect();
    let wanted_labels: BTreeSet<&str> = wanted
        .iter()
        .filter(|(p, _)| p[0] == "updates")
        .map(|(p, _)| p[1].as_str())
        .collect();
    let unlinked: BTreeSet<&str> = held_links
        .keys()
        .copied()
        .filter(|l| !wanted_labels.contains(l))
        .collect();
    if changed.is_empty() && unlinked.is_empty() {
        return Ok(out);
    }
    let file = YamlFile::from_str(&out).map_err(|e| format!("cannot edit this YAML: {e}"))?;
    let root = file
        .document()
        .and_then(|d| d.as_mapping())
        .ok_or("the document is not a mapping")?;
    let updates = root
        .get_sequence("updates")
        .ok_or("`updates` is not a list, so pmrc cannot link the registries to it")?;
    for item in updates.values() {
        let Some(m) = item.as_mapping() else { continue };
        let text_of = |key: &str| {
            m.get(key)
                .and_then(|n| n.as_scalar().map(|s| s.as_string()))
        };
        let eco = text_of("package-ecosystem");
        let dirs: Vec<String> = text_of("directory")
            .into_iter()
            .chain(m.get_sequence("directories").into_iter().flat_map(|s| {
                s.values()
                    .filter_map(|n| n.as_scalar().map(|s| s.as_string()))
                    .collect::<Vec<_>>()
            }))
            .collect();
        let Some(eco) = eco else { continue };
        let label = format!("{eco} {}", dirs.join(","));
        if unlinked.contains(label.as_str()) {
            m.remove("registries");
            continue;
        }
        let Some((_, names)) = changed.iter().find(|(l, _)| *l == label) else {
            continue;
        };
        yaml::set_list(m, "registries", names);
    }
    Ok(file.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "version: 2\n# our bots\nregistries:\n  maven:\n    type: maven-repository\n    url: https://maven.example\n  npm-old:\n    type: npm-registry\n    url: https://npm.acme.example/ # the org's\n    scope: \"@acme\"\n    token: ${{secrets.ACME}}\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: daily\n    registries:\n      - maven\n      - npm-old\n";

    #[test]
    fn reads_entries_as_routes_and_secret_references() {
        let (model, _) = read(FILE, Path::new("d.yml"), Level::Project).unwrap();
        assert_eq!(
            model.scopes["acme"].registry.as_ref().unwrap().value,
            Template::literal("https://npm.acme.example/")
        );
        let creds = &model.auth[&AuthKey::Url("//npm.acme.example/".into())];
        assert_eq!(
            creds.token.as_ref().unwrap().value,
            Template::env("ACME", crate::template::Unset::Strict)
        );
        assert!(secret_spans(FILE).is_empty());
        let literal = FILE.replace("${{secrets.ACME}}", "npm_FAKE");
        let spans = secret_spans(&literal);
        assert_eq!(&literal[spans[0].clone()], "npm_FAKE");
    }

    #[test]
    fn an_edit_keeps_names_comments_and_other_entries() {
        let mut model = Model::default();
        let url = |u: &str| Some(Value::new(Template::literal(u), None));
        model.scopes.insert(
            "acme".into(),
            Scope {
                registry: url("https://npm.acme.example/"),
                publish_registry: None,
            },
        );
        model.scopes.insert(
            "beta".into(),
            Scope {
                registry: url("https://beta.example/npm/"),
                publish_registry: None,
            },
        );
        model.auth.insert(
            AuthKey::Url("//npm.acme.example/".into()),
            Credentials {
                token: Some(Value::new(
                    Template::env("ACME", crate::template::Unset::Strict),
                    None,
                )),
                ..Default::default()
            },
        );
        // The file's own indentation is kept, two spaces a level or four (from a trial: new
        // entries came two spaces in, in a file indented by four).
        let indented_by_four = "version: 2\n# our bots\nregistries:\n    maven:\n        type: maven-repository\n        url: https://maven.example\n    npm-old:\n        type: npm-registry\n        url: https://npm.acme.example/ # the org's\n        scope: \"@acme\"\n        token: ${{secrets.ACME}}\nupdates:\n    -   package-ecosystem: npm\n        directory: /\n        schedule:\n            interval: daily\n        registries:\n            - maven\n            - npm-old\n";
        for (file, step) in [(FILE, 2), (indented_by_four, 4)] {
            let pad = |level: usize| " ".repeat(level * step);
            let wanted = in_shape_of(Some(file), super::wanted(&model, Manager::Npm), "/");
            let out = edit(file, &wanted).unwrap();
            assert!(
                out.contains("# our bots\n") && out.contains("# the org's"),
                "{out}"
            );
            assert!(
                out.contains(&format!(
                    "{}maven:\n{}type: maven-repository\n",
                    pad(1),
                    pad(2)
                )),
                "{out}"
            );
            assert!(
                out.contains(&format!(
                    "{}npm-beta-example-npm:\n{}type: npm-registry\n{}url: \"https://beta.example/npm/\"\n{}scope: \"@beta\"\n",
                    pad(1),
                    pad(2),
                    pad(2),
                    pad(2)
                )),
                "{out}"
            );
            assert!(
                out.contains(&format!(
                    "{0}- maven\n{0}- npm-old\n{0}- npm-beta-example-npm\n",
                    pad(3)
                )),
                "{out}"
            );
            assert!(crate::formats::same_settings(
                &settings(&out).unwrap(),
                &wanted
            ));
            // Again: nothing changes.
            let again = in_shape_of(Some(&out), super::wanted(&model, Manager::Npm), "/");
            assert_eq!(edit(&out, &again).unwrap(), out);
        }
    }

    /// A list that pmrc empties and fills again keeps the file's indentation (from a trial:
    /// `- npm-old` at twelve spaces became `- npm-acme` at ten).
    #[test]
    fn a_replaced_update_list_keeps_its_indentation() {
        let file = "version: 2\nregistries:\n    npm-old:\n        type: npm-registry\n        url: \"https://old.example/\"\n        token: \"${{secrets.OLD}}\"\nupdates:\n    -   package-ecosystem: \"npm\"\n        directory: \"/\"\n        registries:\n            - npm-old\n";
        let mut model = Model::default();
        model.scopes.insert(
            "acme".into(),
            Scope {
                registry: Some(Value::new(Template::literal("https://acme.example/"), None)),
                publish_registry: None,
            },
        );
        let wanted = in_shape_of(Some(file), super::wanted(&model, Manager::Npm), "/");
        let out = edit(file, &wanted).unwrap();
        assert!(
            out.ends_with("        registries:\n            - npm-acme-example\n"),
            "{out}"
        );
        assert!(
            out.contains("    npm-acme-example:\n        type: npm-registry\n"),
            "{out}"
        );
    }

    #[test]
    fn a_new_file_links_an_npm_update() {
        let model = Model {
            registry: Some(Value::new(
                Template::literal("https://mirror.example/"),
                None,
            )),
            ..Model::default()
        };
        let wanted = in_shape_of(None, super::wanted(&model, Manager::Npm), "/");
        let out = edit("", &wanted).unwrap();
        assert_eq!(
            out,
            "version: 2\n\nregistries:\n  npm-mirror-example:\n    type: npm-registry\n    url: \"https://mirror.example/\"\n    replaces-base: true\nupdates:\n  - package-ecosystem: \"npm\"\n    directory: \"/\"\n    schedule:\n      interval: \"weekly\"\n    registries:\n      - npm-mirror-example\n"
        );
        assert!(crate::formats::same_settings(
            &settings(&out).unwrap(),
            &wanted
        ));
    }
}
