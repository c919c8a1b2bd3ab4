//! pnpm's `pnpm-workspace.yaml` (and its global `config.yaml`, same keys), for the keys
//! pmrc owns: `registry`, `registries` (the scope → URL map, and reading the URL-keyed
//! declarations of pnpm 11/12) and the network settings; from `config.yaml` also the
//! structured `_auth` and `cafile` (read only). Everything else (packages, catalogs...)
//! stays as it is.

use crate::diagnostics::Code;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::error::SyntaxError;
use crate::formats::{Setting, SettingValue, Wanted, yaml};
use crate::model::{Level, Model, Origin, Value};
use crate::redact;
use crate::template::{Dialect, Template};
use crate::warning::Warning;

type Text = Option<Spanned<String>>;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Workspace {
    registry: Text,
    registries: Option<BTreeMap<String, Registries>>,
    strict_ssl: Text,
    https_proxy: Text,
    http_proxy: Text,
    no_proxy: Text,
    /// Read, not written: pnpm 11 alone takes it from here (the pnpm rules decide).
    cafile: Text,
    /// `config.yaml` only: `{ "<url>": { "@": { authToken }, "@org": { authToken } } }`.
    #[serde(rename = "_auth")]
    structured_auth: Option<BTreeMap<String, BTreeMap<String, StructuredAuth>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StructuredAuth {
    #[serde(rename = "authToken")]
    auth_token: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Registries {
    /// `"@scope": <url>` or `default: <url>`.
    Url(String),
    /// `"<url>": { scopes: ["@", "@scope"], ... }` (pnpm 11/12).
    Declaration(Declaration),
}

#[derive(Deserialize)]
struct Declaration {
    #[serde(default)]
    scopes: Vec<String>,
    /// Credential fields pnpm refuses here (`INVALID_SETTING`).
    #[serde(flatten)]
    rest: BTreeMap<String, serde_json::Value>,
}

const NETWORK: [&str; 4] = ["strictSsl", "httpsProxy", "httpProxy", "noProxy"];
const FORBIDDEN: [&str; 11] = [
    "_authToken",
    "_auth",
    "_password",
    "username",
    "tokenHelper",
    "ca",
    "cafile",
    "cert",
    "certfile",
    "key",
    "keyfile",
];

/// The settings pmrc owns in this file.
pub fn settings(text: &str) -> Result<Vec<Setting>, SyntaxError> {
    yaml::refuse_repeated_keys(text, "pnpm")?;
    let ws = yaml::parse::<Workspace>(text)?;
    let mut out = Vec::new();
    let scalar = |key: &str, v: &Text, out: &mut Vec<Setting>| {
        if let Some(v) = v {
            out.push(Setting {
                path: [key.to_string()].into(),
                value: SettingValue::Scalar(v.value.clone()),
                line: v.defined.line() as usize,
            });
        }
    };
    scalar("registry", &ws.registry, &mut out);
    for (key, v) in NETWORK.iter().zip([
        &ws.strict_ssl,
        &ws.https_proxy,
        &ws.http_proxy,
        &ws.no_proxy,
    ]) {
        scalar(key, v, &mut out);
    }
    let key_lines = yaml::KeyLines::new(text);
    for (key, entry) in ws.registries.iter().flatten() {
        let line = key_lines.line(key);
        match entry {
            Registries::Url(url) => out.push(Setting {
                path: ["registries".into(), key.clone()].into(),
                value: SettingValue::Scalar(url.clone()),
                line,
            }),
            Registries::Declaration(d) => {
                if let Some(field) = d.rest.keys().find(|k| FORBIDDEN.contains(&k.as_str())) {
                    return Err(SyntaxError::new(
                        key_lines.line(field),
                        1,
                        format!(
                            "`{field}` inside a `registries` entry is an error for pnpm (INVALID_SETTING): credentials belong in .npmrc or auth.ini"
                        ),
                    ));
                }
                out.push(Setting {
                    path: ["registries".into(), key.clone(), "scopes".into()].into(),
                    value: SettingValue::List(d.scopes.clone()),
                    line,
                });
            }
        }
    }
    Ok(out)
}

/// Only proxy URLs can hold a secret here (credentials are not allowed in this file).
pub fn secret_spans(text: &str) -> Vec<Range<usize>> {
    let Ok(ws) = yaml::parse::<Workspace>(text) else {
        return Vec::new();
    };
    let span_of = |v: &Spanned<String>| {
        let span = v.defined.span();
        let start = span.byte_offset()? as usize;
        Some(start..start + span.byte_len()? as usize)
    };
    let mut spans: Vec<Range<usize>> = [&ws.https_proxy, &ws.http_proxy]
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let range = span_of(v)?;
            Some(redact::url_secret_spans_at(
                text.get(range.clone())?,
                range.start,
            ))
        })
        .flatten()
        .collect();
    for entries in ws.structured_auth.iter().flat_map(|a| a.values()) {
        for entry in entries.values() {
            if Template::parse(&entry.auth_token.value, Dialect::Npm)
                .has_literal_secret_in(Dialect::Npm)
            {
                spans.extend(span_of(&entry.auth_token));
            }
        }
    }
    spans
}

pub fn read(text: &str, file: &Path, level: Level) -> Result<(Model, Vec<Warning>), SyntaxError> {
    let mut model = Model::default();
    let mut warnings = Vec::new();
    let shared = Origin::shared(file);
    for s in settings(text)? {
        let origin = Some(Origin {
            file: std::rc::Rc::clone(&shared),
            line: s.line,
            level,
        });
        let value = |raw: &str| Value::new(Template::parse(raw, Dialect::Npm), origin.clone());
        // pnpm's global config.yaml is expanded (spec/pnpm-bun-deno.md §1.7); only the
        // project's pnpm-workspace.yaml is not.
        if level == Level::Project
            && let SettingValue::Scalar(raw) = &s.value
            && Template::parse(raw, Dialect::Npm).has_env()
        {
            warnings.push(Warning::new(
                    Code::PnpmYamlEnvReference,
                    format!(
                        "`{}` holds an environment reference: pnpm 11 drops such a value and pnpm 12 stops with an error",
                        s.path.join(".")
                    ),
                    origin.clone(),
                ));
        }
        let path: Vec<&str> = s.path.iter().map(String::as_str).collect();
        match (path.as_slice(), &s.value) {
            (["registry"], SettingValue::Scalar(v)) => model.registry = Some(value(v)),
            (["strictSsl"], SettingValue::Scalar(v)) => model.tls.strict_ssl = Some(value(v)),
            (["httpsProxy"], SettingValue::Scalar(v)) => model.proxy.https = Some(value(v)),
            (["httpProxy"], SettingValue::Scalar(v)) => model.proxy.http = Some(value(v)),
            (["noProxy"], SettingValue::Scalar(v)) => model.proxy.noproxy = Some(value(v)),
            (["registries", "default"], SettingValue::Scalar(v)) => model.registry = Some(value(v)),
            (["registries", scope], SettingValue::Scalar(v)) => match scope.strip_prefix('@') {
                Some(name) if !name.is_empty() => {
                    model.scopes.entry(name.to_string()).or_default().registry = Some(value(v))
                }
                _ => warnings.push(Warning::new(
                    Code::PnpmRegistriesKey,
                    format!("`registries` key `{scope}` is neither `default` nor `@scope`; pnpm ignores it"),
                    origin.clone(),
                )),
            },
            (["registries", url, "scopes"], SettingValue::List(scopes)) => {
                for scope in scopes {
                    match scope.strip_prefix('@') {
                        Some("") => model.registry = Some(value(url)),
                        Some(name) => {
                            model.scopes.entry(name.to_string()).or_default().registry = Some(value(url))
                        }
                        None => {}
                    }
                }
            }
            _ => {}
        }
    }
    let ws = yaml::parse::<Workspace>(text)?;
    if let Some(cafile) = &ws.cafile {
        let line = cafile.defined.line() as usize;
        model.tls.cafile = Some(Value::new(
            Template::parse(&cafile.value, Dialect::Npm),
            Some(Origin {
                file: std::rc::Rc::clone(&shared),
                line,
                level,
            }),
        ));
    }
    read_structured_auth(&ws, text, file, level, &mut model, &mut warnings);
    Ok((model, warnings))
}

/// pnpm 11/12's `_auth` in `config.yaml`: each entry is a token for that URL (`"@"`) or for
/// a scope there, and also routes the scope to the URL (the default registry only when
/// nothing else sets it).
fn read_structured_auth(
    ws: &Workspace,
    text: &str,
    file: &Path,
    level: Level,
    model: &mut Model,
    warnings: &mut Vec<Warning>,
) {
    let Some(auth) = &ws.structured_auth else {
        return;
    };
    let file = Origin::shared(file);
    let origin = |line| {
        Some(Origin {
            file: std::rc::Rc::clone(&file),
            line,
            level,
        })
    };
    if file.file_name().is_some_and(|n| n != "config.yaml") {
        warnings.push(Warning::new(
            Code::PnpmAuthInWorkspaceYaml,
            "pnpm reads the structured `_auth` only from its global config.yaml, never from pnpm-workspace.yaml",
            origin(yaml::key_line(text, "_auth")),
        ));
        return;
    }
    for (url, entries) in auth {
        let Some(parsed) = crate::registry_url::RegistryUrl::parse(url) else {
            continue;
        };
        for (scope, entry) in entries {
            let line = entry.auth_token.defined.line() as usize;
            let token = Value::new(
                Template::parse(&entry.auth_token.value, Dialect::Npm),
                origin(line),
            );
            let route = Value::new(Template::literal(url.clone()), origin(line));
            match scope.strip_prefix('@') {
                Some("") => {
                    let key = crate::model::AuthKey::Url(parsed.registry_nerf_dart());
                    model.auth.entry(key).or_default().token = Some(token);
                    model.registry.get_or_insert(route);
                }
                Some(name) => {
                    let key = crate::model::AuthKey::Scope(name.to_string());
                    model.auth.entry(key).or_default().token = Some(token);
                    model.scopes.entry(name.to_string()).or_default().registry = Some(route);
                }
                None => {}
            }
        }
    }
}

/// Routing as the scope → URL map every pnpm major reads, and the network settings.
pub fn wanted(model: &Model) -> Wanted {
    let mut out: Wanted = Vec::new();
    let render = |v: &Value| SettingValue::Scalar(v.value.render(Dialect::Npm).0);
    // pnpm never expands a `${VAR}` registry here (11 drops it, 12 stops: spec
    // pnpm-bun-deno.md §1.7, obs r04); the route check reports the loss.
    let expanded = |v: &&Value| !v.value.has_env();
    if let Some(r) = model.registry.as_ref().filter(expanded) {
        out.push((["registries".into(), "default".into()].into(), render(r)));
    }
    for (name, scope) in &model.scopes {
        if let Some(r) = scope.registry.as_ref().filter(expanded) {
            out.push((["registries".into(), format!("@{name}")].into(), render(r)));
        }
    }
    let network = [
        ("strictSsl", &model.tls.strict_ssl),
        ("httpsProxy", &model.proxy.https),
        ("httpProxy", &model.proxy.http),
        ("noProxy", &model.proxy.noproxy),
    ];
    for (key, v) in network {
        if let Some(v) = v {
            out.push(([key.into()].into(), render(v)));
        }
    }
    out
}

pub fn edit(text: &str, wanted: &Wanted) -> Result<String, String> {
    let mut held = settings(text).map_err(|e| e.message)?;
    // A URL-keyed declaration no longer wanted goes as a whole (its `prefix` too): an entry
    // left without `scopes` would still be one pnpm 10 cannot read.
    for s in &mut held {
        if let [r, url, f] = &s.path[..]
            && r == "registries"
            && f == "scopes"
            && !wanted.iter().any(|(p, _)| p.len() == 3 && p[1] == *url)
        {
            s.path = [r.clone(), url.clone()].into();
        }
    }
    // A `registry:` key routes too (pnpm 11/12); pmrc writes `registries.default`.
    yaml::edit(text, &held, wanted, &["registries"])
}

/// The `packages` list of a `pnpm-workspace.yaml`: `Ok(None)` where it has none.
pub fn packages(text: &str) -> Result<Option<Vec<String>>, SyntaxError> {
    #[derive(Deserialize, Default)]
    struct Projects {
        #[serde(default)]
        packages: Option<Vec<String>>,
    }
    Ok(yaml::parse::<Projects>(text)?.packages.clone())
}

/// `text` with a `packages` list of `patterns` at its top, as pnpm's docs write it, checked by
/// reading it back: the list is `patterns` and every setting pmrc owns is as it was. `None`
/// where the file has a `packages` key already, or its first line is not a plain block
/// mapping's (a `---` document, a directive, a flow mapping): the user then adds it.
pub fn with_packages(text: &str, patterns: &[String]) -> Option<String> {
    if packages(text).ok()?.is_some() {
        return None;
    }
    let first = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    if first.is_some_and(|l| {
        l.starts_with("---") || l.starts_with("...") || l.starts_with('%') || l.starts_with('{')
    }) {
        return None;
    }
    // In the file's line endings, after its header comment (which describes the file, not
    // the list; from a review: a CRLF file got LF lines, and the header moved under the list).
    let nl = crate::formats::dominant_line_ending(text);
    // A comment block is the file's header only where a blank line (or nothing) follows it;
    // one right above a key is that key's.
    let comments_end = text
        .split_inclusive('\n')
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(str::len)
        .sum::<usize>();
    let header_end = if text[comments_end..]
        .split_inclusive('\n')
        .next()
        .is_none_or(|l| l.trim().is_empty())
    {
        comments_end
    } else {
        0
    };
    let (header, rest) = text.split_at(header_end);
    let mut out = String::from(header);
    if !header.is_empty() && !header.ends_with('\n') {
        out.push_str(nl);
    }
    out.push_str("packages:");
    out.push_str(nl);
    for pattern in patterns {
        out.push_str(&format!("  - {}{nl}", serde_json::to_string(pattern).ok()?));
    }
    if !rest.trim().is_empty() {
        if !rest.starts_with(['\r', '\n']) {
            out.push_str(nl);
        }
        out.push_str(rest);
        if !rest.ends_with('\n') {
            out.push_str(nl);
        }
    }
    let pairs = |t: &str| -> Option<Vec<(crate::formats::SettingPath, SettingValue)>> {
        Some(
            settings(t)
                .ok()?
                .into_iter()
                .map(|s| (s.path, s.value))
                .collect(),
        )
    };
    let listed = packages(&out).ok()?;
    (listed.as_deref() == Some(patterns) && pairs(&out)? == pairs(text)?).then_some(out)
}

/// `wanted` in the shape of `registries` the file already uses: when it holds pnpm 11/12's
/// URL-keyed declarations (`"<url>": { scopes: [...] }`, which cannot be mixed with the
/// scope map), the scope map entries become declarations, grouped by URL, in the file's
/// order of URLs and scopes; other fields of a declaration (`prefix`...) stay as they are.
pub fn in_shape_of(text: Option<&str>, wanted: Wanted) -> Wanted {
    let Some(held) = text.and_then(|t| settings(t).ok()) else {
        return wanted;
    };
    let declared: Vec<(&String, Vec<String>)> = held
        .iter()
        .filter_map(|s| match (&s.path[..], &s.value) {
            ([r, url, f], SettingValue::List(scopes)) if r == "registries" && f == "scopes" => {
                Some((url, scopes.clone()))
            }
            _ => None,
        })
        .collect();
    if declared.is_empty() {
        return wanted;
    }
    let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    let mut by_url: Vec<(String, Vec<String>)> = declared
        .iter()
        .map(|(url, _)| ((*url).clone(), Vec::new()))
        .collect();
    let mut out: Wanted = Vec::new();
    for (path, value) in wanted {
        match (&path[..], &value) {
            ([r, key], SettingValue::Scalar(url)) if r == "registries" => {
                let scope = if key == "default" { "@" } else { key.as_str() };
                let slot = match by_url.iter().position(|(u, _)| same(u, url)) {
                    Some(i) => i,
                    None => {
                        by_url.push((url.clone(), Vec::new()));
                        by_url.len() - 1
                    }
                };
                by_url[slot].1.push(scope.to_string());
            }
            _ => out.push((path, value)),
        }
    }
    for (url, scopes) in &mut by_url {
        let order = declared
            .iter()
            .find(|(u, _)| *u == url)
            .map(|(_, s)| s.clone())
            .unwrap_or_default();
        scopes.sort_by_key(|s| order.iter().position(|o| o == s).unwrap_or(usize::MAX));
    }
    out.extend(
        by_url
            .into_iter()
            .filter(|(_, scopes)| !scopes.is_empty())
            .map(|(url, scopes)| {
                (
                    ["registries".into(), url, "scopes".into()].into(),
                    SettingValue::List(scopes),
                )
            }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(text: &str) -> Model {
        read(text, Path::new("pnpm-workspace.yaml"), Level::Project)
            .unwrap()
            .0
    }

    #[test]
    fn both_registries_shapes() {
        let m = read_ok(
            "packages:\n  - 'packages/*'\nregistries:\n  default: https://r.example/\n  '@acme': https://npm.pkg.example/\n",
        );
        assert!(m.registry.is_some() && m.scopes.contains_key("acme"));
        let m = read_ok("registries:\n  https://npm.pkg.example/:\n    scopes: ['@', '@acme']\n");
        assert!(m.registry.is_some() && m.scopes.contains_key("acme"));
    }

    #[test]
    fn structured_auth_from_config_yaml() {
        let text = "_auth:\n  https://npm.pkg.example/:\n    \"@\": { authToken: \"${T}\" }\n    \"@org\": { authToken: FAKESECRET }\n";
        let (m, w) = read(text, Path::new("config.yaml"), Level::User).unwrap();
        assert!(w.is_empty());
        assert!(m.registry.is_some() && m.scopes.contains_key("org"));
        assert!(
            m.auth
                .contains_key(&crate::model::AuthKey::Url("//npm.pkg.example/".into()))
        );
        assert!(!redact::mask(text, &secret_spans(text)).contains("FAKESECRET"));
        let (_, w) = read(text, Path::new("pnpm-workspace.yaml"), Level::Project).unwrap();
        assert_eq!(w[0].code, "pnpm-auth-in-workspace-yaml");
    }

    #[test]
    fn credentials_in_registries_are_an_error() {
        let e =
            settings("registries:\n  https://r.example/:\n    scopes: ['@']\n    _authToken: x\n")
                .unwrap_err();
        assert_eq!(e.line, 4);
    }

    #[test]
    fn edit_keeps_packages_and_catalogs() {
        let text = "packages:\n  - 'packages/*' # all\n\ncatalog:\n  react: ^19.0.0\n";
        let wanted = vec![(
            ["registries".to_string(), "@acme".to_string()].into(),
            SettingValue::Scalar("https://npm.pkg.example/".into()),
        )];
        let out = edit(text, &wanted).unwrap();
        assert_eq!(
            out,
            "packages:\n  - 'packages/*' # all\n\ncatalog:\n  react: ^19.0.0\n\nregistries:\n  \"@acme\": \"https://npm.pkg.example/\"\n"
        );
        assert_eq!(edit(&out, &wanted).unwrap(), out);
    }

    /// Issue 16: a file with URL-keyed declarations gets the routing in that shape, other
    /// fields kept; a file with the scope map (or none) keeps the scope map.
    #[test]
    fn url_keyed_registries_keep_their_shape() {
        let text = "packages: []\nregistries:\n  https://a.example/:\n    scopes: ['@', '@x']\n    prefix: work\n";
        let wanted = |pairs: &[(&str, &str)]| -> Wanted {
            pairs
                .iter()
                .map(|(k, v)| {
                    (
                        ["registries".to_string(), k.to_string()].into(),
                        SettingValue::Scalar(v.to_string()),
                    )
                })
                .collect()
        };
        let same = in_shape_of(
            Some(text),
            wanted(&[
                ("@x", "https://a.example/"),
                ("default", "https://a.example/"),
            ]),
        );
        assert_eq!(edit(text, &same).unwrap(), text, "same meaning: no change");
        let moved = in_shape_of(
            Some(text),
            wanted(&[
                ("default", "https://a.example/"),
                ("@x", "https://b.example/"),
            ]),
        );
        let out = edit(text, &moved).unwrap();
        assert!(out.contains("prefix: work"), "{out}");
        let m = read_ok(&out);
        assert_eq!(
            m.scopes["x"]
                .registry
                .as_ref()
                .unwrap()
                .value
                .as_literal()
                .unwrap(),
            "https://b.example/"
        );
        assert!(m.registry.is_some());
        let plain = wanted(&[("@x", "https://b.example/")]);
        assert_eq!(in_shape_of(Some("packages: []\n"), plain.clone()), plain);
    }

    #[test]
    fn with_packages_adds_the_list_at_the_top_and_keeps_the_rest() {
        let globs = vec!["packages/*".to_string(), "!packages/old".to_string()];
        let text = "registries:\n  default: \"https://r.example/\"\n";
        assert_eq!(
            with_packages(text, &globs).as_deref(),
            Some(
                "packages:\n  - \"packages/*\"\n  - \"!packages/old\"\n\nregistries:\n  default: \"https://r.example/\"\n"
            )
        );
        assert_eq!(
            with_packages("", &globs[..1]).as_deref(),
            Some("packages:\n  - \"packages/*\"\n")
        );
        assert_eq!(with_packages("packages: []\n", &globs), None);
        assert_eq!(with_packages("---\nregistries: {}\n", &globs), None);
        assert_eq!(with_packages("{registries: {}}\n", &globs), None);
    }

    /// From a review: a CRLF file got LF lines, and a header comment ended up above the list
    /// it does not describe; a comment right above a key stays with its key.
    #[test]
    fn with_packages_keeps_line_endings_and_the_header() {
        let globs = vec!["packages/*".to_string()];
        assert_eq!(
            with_packages("onlyBuiltDependencies:\r\n  - esbuild\r\n", &globs).as_deref(),
            Some(
                "packages:\r\n  - \"packages/*\"\r\n\r\nonlyBuiltDependencies:\r\n  - esbuild\r\n"
            )
        );
        assert_eq!(
            with_packages("# Our workspace\n\nregistries: {}\n", &globs).as_deref(),
            Some("# Our workspace\npackages:\n  - \"packages/*\"\n\nregistries: {}\n")
        );
        assert_eq!(
            with_packages("# the CI registry\nregistries: {}\n", &globs).as_deref(),
            Some("packages:\n  - \"packages/*\"\n\n# the CI registry\nregistries: {}\n")
        );
    }
}
