//! `.github/dependabot.yml` for `doctor --ci`: `npm-registry` entries whose URL is not a
//! registry the project's config routes to, or whose `scope` goes elsewhere in the project.
//! With `scope` set, Dependabot writes its own `.npmrc` from this file and ignores the
//! committed one (spec/ci-env.md §2.6), so drift here changes what the bot resolves.

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
