//! npm 12's refusal of the tarballs a `package-lock.json` pins (EALLOWREMOTE): arborist lets
//! a registry package's `resolved` URL through only on the origin of the package's registry
//! and under its path, once `replace-registry-host` has rewritten it; any other is left to
//! `allow-remote` (default `none`). A lockfile written against registry.npmjs.org, used with
//! a scope served from another path of the mirror, stops `npm ci` (from a trial: real npm
//! 12.2.2 refused `@acme/widgets` resolved on registry.npmjs.org, rewritten to the default
//! registry's path, where the scope's registry has another; npm 11.21.2 installed it).

use std::path::Path;

use crate::diagnostics::Code;
use crate::managers::Rules as _;
use crate::model::{Level, Model, Origin};
use crate::registry_url::{RegistryUrl, with_trailing_slash};
use crate::template::Dialect;
use crate::warning::Warning;

/// The lockfiles npm reads at a project's root, the first one found winning.
const LOCKFILES: [&str; 2] = ["npm-shrinkwrap.json", "package-lock.json"];

/// The package registry and the tarball origin a finding is about.
type Group = (String, String);
/// The first package refused in a group, its URL, whether replace-registry-host rewrote it,
/// and how many the group has.
type Refused = (String, String, bool, usize);

/// One finding per package registry and tarball origin that npm `major` refuses in the
/// project's lockfile, naming the first package, how many there are, and the line.
pub(super) fn refused(
    major: u8,
    dir: &Path,
    model: &Model,
    files: &[crate::discover::ConfigFile],
    env_vars: &[crate::env_layer::Variable],
) -> crate::error::Result<Vec<Warning>> {
    let allow = super::setting_in_effect("allow-remote", files, env_vars);
    if major < 12 || allow.as_ref().is_some_and(|(v, _)| v == "all") {
        return Ok(Vec::new());
    }
    let Some((name, text)) = LOCKFILES.iter().find_map(|name| {
        crate::discover::read_text(&dir.join(name))
            .ok()
            .flatten()
            .map(|text| (*name, text))
    }) else {
        return Ok(Vec::new());
    };
    // A lockfile that does not parse is npm's to report, not a registry setting's.
    let Ok(lock) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Ok(Vec::new());
    };
    let Some(packages) = lock["packages"].as_object() else {
        return Ok(Vec::new());
    };
    // With allow-remote=root, npm 12 fetches such a tarball for a dependency the root
    // package.json names, and refuses it for the rest.
    let root_only = allow.as_ref().is_some_and(|(v, _)| v == "root");
    let direct = |name: &str| {
        [
            "dependencies",
            "devDependencies",
            "optionalDependencies",
            "peerDependencies",
        ]
        .iter()
        .any(|field| packages[""][field].get(name).is_some())
    };
    let mut refused: Vec<(Group, Refused)> = Vec::new();
    for (key, entry) in packages {
        let Some(package) = key.rsplit_once("node_modules/").map(|(_, p)| p) else {
            continue;
        };
        let Some(resolved) = entry["resolved"].as_str() else {
            continue;
        };
        if entry["link"].as_bool() == Some(true) || (root_only && direct(package)) {
            continue;
        }
        let Some(tarball) = RegistryUrl::parse(resolved) else {
            continue;
        };
        let scope = package
            .strip_prefix('@')
            .and_then(|p| p.split_once('/'))
            .map(|(s, _)| s);
        let registry = scope
            .and_then(|s| model.scopes.get(s))
            .and_then(|s| s.registry.as_ref())
            .or(model.registry.as_ref())
            .map_or_else(
                || super::PUBLIC_REGISTRY.to_string(),
                |v| v.value.render(Dialect::Npm).0,
            );
        let Some(registry_url) = RegistryUrl::parse(&registry) else {
            continue;
        };
        let rewritten = super::Npm
            .tarball_fetched_at(model, &tarball, Some(major), files, env_vars)
            .and_then(|(url, _)| RegistryUrl::parse(&url));
        let was_rewritten = rewritten.is_some();
        let fetched = rewritten.unwrap_or(tarball);
        let prefix = with_trailing_slash(registry_url.path());
        let under = fetched.scheme == registry_url.scheme
            && fetched.host() == registry_url.host()
            && (prefix == "/" || fetched.path().starts_with(&prefix));
        if under {
            continue;
        }
        let group = (registry, format!("{}://{}", fetched.scheme, fetched.host()));
        match refused.iter_mut().find(|(g, _)| *g == group) {
            Some((_, (.., count))) => *count += 1,
            None => refused.push((
                group,
                (package.to_string(), resolved.to_string(), was_rewritten, 1),
            )),
        }
    }
    Ok(refused
        .into_iter()
        .map(|((registry, _), (package, resolved, was_rewritten, count))| {
            let line = text
                .find(&format!("\"{resolved}\""))
                .map_or(1, |at| text[..at].matches('\n').count() + 1);
            // Shown without a userinfo or query, which can hold a credential.
            let shown = |url: String| {
                RegistryUrl::parse(&url).map_or(url, |t| {
                    format!("{}://{}{}", t.scheme, t.host_as_written(), t.path())
                })
            };
            let (resolved, registry) = (shown(resolved), shown(registry));
            let others = match count {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            Warning::error(
                Code::Npm12LockfileTarballRefused,
                format!(
                    "npm {major} refuses the tarball of {package}{others} (EALLOWREMOTE, \"Refusing to fetch\"), which npm 11 fetched: {resolved} is outside the origin and path of its registry {registry}{}{}",
                    if was_rewritten {
                        " once replace-registry-host has put the default registry's host in place of its own"
                    } else {
                        ""
                    },
                    allow
                        .as_ref()
                        .map(|(v, at)| format!(", and allow-remote={v} ({at})"))
                        .unwrap_or_default()
                ),
                Some(Origin {
                    file: Origin::shared(name),
                    line,
                    level: Level::Project,
                }),
            )
        })
        .collect())
}
