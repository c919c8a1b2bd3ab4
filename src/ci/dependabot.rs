//! `.github/dependabot.yml` for `doctor --ci`: `npm-registry` entries whose URL is not a
//! registry the project's config routes to, or whose `scope` goes elsewhere in the project.
//! With `scope` set, Dependabot writes its own `.npmrc` from this file and ignores the
//! committed one (spec/ci-env.md §2.6), so drift here changes what the bot resolves. And a
//! `${VAR}` the project's manager stops on while unset, which Dependabot never sets.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{CiFinding, origin};
use crate::diagnostics::Code;
use crate::error::SyntaxError;
use crate::managers::Manager;
use crate::model::Model;
use crate::registry_url::RegistryUrl;
use crate::resolve::{self, Packages};
use crate::warning::Warning;

/// Where Dependabot's config lives, from the repository root.
pub const FILE: &str = crate::managers::DEPENDABOT_FILE;

#[derive(Deserialize, Default)]
struct RawConfig {
    #[serde(default)]
    registries: BTreeMap<String, RawRegistry>,
    #[serde(default)]
    updates: Vec<RawUpdate>,
}

/// An `updates` entry: its ecosystem and the registries it may use (a list, or `"*"`).
#[derive(Deserialize)]
struct RawUpdate {
    #[serde(default, rename = "package-ecosystem")]
    ecosystem: Option<String>,
    #[serde(default)]
    registries: Option<serde_json::Value>,
}

/// The ecosystems whose updates look packages up in npm registries.
const NPM_ECOSYSTEMS: [&str; 2] = ["npm", "bun"];

/// A registry entry; its `token`/`password` are not fields here, so they are never read.
#[derive(Deserialize)]
struct RawRegistry {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    scope: Option<serde_json::Value>,
}

/// A registry as shown: scheme, host and path, never a user:password in it.
fn shown(url: &RegistryUrl) -> String {
    format!("{}://{}{}", url.scheme, url.host(), url.path())
}

/// Whether two registry URLs name the same registry. GitHub Packages is one registry per
/// host whatever the path: Dependabot's guidance asks for the bare host and, for org scopes,
/// the org in the path (spec/ci-env.md §2.6), and both reach the same packages.
fn same_registry(a: &RegistryUrl, b: &RegistryUrl) -> bool {
    a.host() == b.host()
        && (a.path().trim_end_matches('/') == b.path().trim_end_matches('/')
            || a.hostname() == "npm.pkg.github.com")
}

/// `models`: each manager in use with the project config it reads.
pub fn check(
    text: &str,
    display: &Path,
    models: &[(Manager, &Model)],
) -> Result<Vec<CiFinding>, SyntaxError> {
    let config: std::rc::Rc<RawConfig> = crate::formats::yaml::parse(text)?;
    // Every registry each manager routes a group of packages to, with the group.
    let mut routed: Vec<(Manager, Packages, RegistryUrl)> = Vec::new();
    for (m, model) in models {
        for route in resolve::routes(model, *m) {
            if let Some(url) = RegistryUrl::parse(route.requested_registry(*m)) {
                routed.push((*m, route.packages, url));
            }
        }
    }
    let mut out = Vec::new();
    for (name, registry) in &config.registries {
        if registry.kind.as_deref() != Some("npm-registry") {
            continue;
        }
        let Some(url) = &registry.url else { continue };
        let line = usize::try_from(url.referenced.line()).unwrap_or(1).max(1);
        // An entry no npm/bun update lists is never used: Dependabot needs it named there.
        let npm_updates: Vec<&RawUpdate> = config
            .updates
            .iter()
            .filter(|u| {
                u.ecosystem
                    .as_deref()
                    .is_some_and(|e| NPM_ECOSYSTEMS.contains(&e))
            })
            .collect();
        let listed = npm_updates.iter().any(|u| match &u.registries {
            Some(serde_json::Value::String(s)) => s == "*" || s == name,
            Some(serde_json::Value::Array(items)) => {
                items.iter().any(|i| i.as_str() == Some(name.as_str()))
            }
            _ => false,
        });
        if !npm_updates.is_empty() && !listed {
            out.push(CiFinding {
                warning: Warning::new(
                    Code::CiDependabotRegistryUnlinked,
                    format!(
                        "Dependabot registry `{name}` is listed in no `npm` or `bun` update's `registries`, so Dependabot never uses it"
                    ),
                    origin(display, line),
                ),
                manager: None,
                fix: format!(
                    "add `{name}` to the `registries:` of the npm updates, or remove the entry (`pmrc convert --to dependabot` keeps the entries the project's routes use, linked)"
                ),
            });
        }
        let Some(parsed) = RegistryUrl::parse(url.value.trim()) else {
            continue;
        };
        let scopes: Vec<String> = match &registry.scope {
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        let mut say = |message: String, fix: String| {
            out.push(CiFinding {
                warning: Warning::new(
                    Code::CiDependabotRegistryDiffers,
                    message,
                    origin(display, line),
                ),
                manager: None,
                fix,
            })
        };
        if scopes.is_empty() {
            if !routed.iter().any(|(_, _, r)| same_registry(r, &parsed)) {
                let known: Vec<String> = routed
                    .iter()
                    .filter(|(_, p, _)| *p != Packages::Unscoped)
                    .map(|(m, p, r)| format!("{m}: {p} → {}", shown(r)))
                    .collect();
                say(
                    format!(
                        "Dependabot registry `{name}` is {}, which the project's config routes nothing to{}",
                        shown(&parsed),
                        if known.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", known.join(", "))
                        }
                    ),
                    "set its `url:` to a registry the project's config uses, or route packages to it in the config (`pmrc show` lists the routes)".to_string(),
                );
            }
            continue;
        }
        for scope in scopes {
            let group = Packages::Scope(scope.trim_start_matches('@').to_ascii_lowercase());
            for (m, model) in models {
                let route = crate::resolve::route(model, *m, group.clone());
                let Some(r) = RegistryUrl::parse(route.requested_registry(*m)) else {
                    continue;
                };
                if same_registry(&r, &parsed) {
                    continue;
                }
                say(
                    format!(
                        "Dependabot registry `{name}` sends {group} to {}, but {m} sends them to {} (with `scope`, Dependabot ignores the committed config)",
                        shown(&parsed),
                        shown(&r)
                    ),
                    format!(
                        "set `url: {}` in registry `{name}`, or route {group} to {} in the project's config",
                        shown(&r),
                        shown(&parsed)
                    ),
                );
            }
        }
    }
    Ok(out)
}

/// Where dependabot.yml updates the project's npm packages (`updates`: it has an npm or bun
/// update for the project's folder), each `${VAR}` a project file of a manager in `models`
/// references that the manager stops every command on while unset (Yarn 2+'s `${NPM_TOKEN}`
/// without a fallback): Dependabot runs the manager with no variables set (spec/ci-env.md
/// §1.2, §2.6 C6: "Yarn 2+ env refs need a fallback"), so the update fails. A committed
/// `.npmrc`'s are left out: Dependabot deletes its `${...}` lines itself. `dir`: the
/// project, whose files the origins name; `shown`: dependabot.yml as shown.
pub fn references_without_fallback(
    dir: &Path,
    (shown, directory): (&Path, &str),
    models: &[(Manager, &Model)],
) -> Vec<CiFinding> {
    use crate::template::Piece;
    let mut out = Vec::new();
    let mut said = std::collections::BTreeSet::new();
    for (m, model) in models {
        for (_, value) in model.fields() {
            let Some(o) = value.origin.as_ref() else {
                continue;
            };
            if o.level != crate::model::Level::Project
                || o.file.file_name() == Some(".npmrc".as_ref())
            {
                continue;
            }
            for piece in value.value.pieces.iter() {
                let Piece::Env { name, unset } = piece else {
                    continue;
                };
                let Some(error) = m.rules().stops_on_reference(name, unset, false) else {
                    continue;
                };
                if !said.insert((o.file.clone(), o.line, name.clone())) {
                    continue;
                }
                let strict = format!("${{{name}}}");
                let fallback = format!("${{{name}:-}}");
                let line = crate::discover::read_text(&dir.join(o.file.as_path()))
                    .ok()
                    .flatten()
                    .and_then(|text| {
                        text.lines()
                            .nth(o.line.saturating_sub(1))
                            .map(str::to_string)
                    })
                    .filter(|l| l.contains(&strict));
                let fix = match line {
                    Some(l) => format!(
                        "write line {} of {} as `{}`",
                        o.line,
                        o.file.display(),
                        l.trim().replace(&strict, &fallback)
                    ),
                    None => format!("write `{fallback}` for `{strict}` at {o}"),
                };
                out.push(CiFinding {
                    warning: Warning::error(
                        Code::CiDependabotVariableUnset,
                        format!(
                            "{} updates npm packages in {directory}, where Dependabot runs {} with no variables set, and this line references {strict} without a fallback: {} stops every command (\"{error}\") and the update fails",
                            shown.display(),
                            m.label(),
                            m.label()
                        ),
                        Some(o.clone()),
                    ),
                    manager: Some(*m),
                    fix,
                });
            }
        }
    }
    out
}
