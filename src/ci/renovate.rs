//! Renovate's config for `doctor --ci` (spec/ci-env.md §2.7): `hostRules` whose `matchHost`
//! misses the registries the project routes to (host, path), Yarn `npmRegistries` keys that
//! are not `matchHost` minus its protocol (Renovate then does not overwrite their token),
//! registries with credentials no rule covers, and an `npmrc` that replaces the committed
//! `.npmrc` without `npmrcMerge`. Token values are never read into anything kept.

use std::path::Path;

use super::{CiFinding, origin};
use crate::diagnostics::Code;
use crate::error::SyntaxError;
use crate::managers::{Manager, WrittenAs};
use crate::model::{AuthKey, Model};
use crate::registry_url::RegistryUrl;
use crate::resolve;
use crate::warning::Warning;

/// Where Renovate looks for its config, in its own order; `package.json` last (`renovate`).
pub const FILES: [&str; 10] = [
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    "package.json",
];

/// GitHub Packages: Renovate provisions its host rule from the platform token.
const AUTO_PROVISIONED: &str = "npm.pkg.github.com";

/// One registry the project's config routes a group of packages to.
struct Routed {
    manager: Manager,
    url: RegistryUrl,
    with_credentials: bool,
}

/// `text` is the file at `display`; `None` when it holds no Renovate config (a package.json
/// without `renovate`).
pub fn check(
    text: &str,
    display: &Path,
    models: &[(Manager, &Model)],
    committed_npmrc: bool,
) -> Result<Option<Vec<CiFinding>>, SyntaxError> {
    let is_package_json = display.file_name().is_some_and(|n| n == "package.json");
    // Renovate reads its own files as JSON5 (comments, trailing commas, unquoted keys).
    let parsed: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) if is_package_json => return Ok(None),
        Err(_) => json5::from_str(text).map_err(|e| {
            let json5::Error::Message { msg, location } = e;
            let (line, column) = location.map_or((1, 1), |at| (at.line, at.column));
            // The parser's message quotes the whole line, which may hold a token: only its
            // verdict (`= expected identifier or string`) is kept.
            let verdict = msg
                .lines()
                .rev()
                .find_map(|l| l.trim().strip_prefix("= "))
                .unwrap_or("not JSON5 here");
            SyntaxError::new(
                line.max(1),
                column.max(1),
                format!("Renovate's config does not parse as JSON5: {verdict}"),
            )
        })?,
    };
    let config = if is_package_json {
        match parsed.get("renovate") {
            Some(config) => config.clone(),
            None => return Ok(None),
        }
    } else {
        parsed
    };
    // A key or string as JSON writes it, else as JSON5 may (single quotes, a bare key).
    let line_of = |needle: &str| {
        let bare = needle.trim_matches('"');
        [needle.to_string(), format!("'{bare}'"), format!("{bare}:")]
            .iter()
            .find_map(|n| text.find(n.as_str()))
            .map_or(1, |i| text[..i].matches('\n').count() + 1)
    };
    let mut routed: Vec<Routed> = Vec::new();
    for (m, model) in models {
        for route in resolve::routes(model, *m) {
            let written = route.requested_registry(*m);
            if let Some(url) = RegistryUrl::parse(written) {
                routed.push(Routed {
                    manager: *m,
                    url,
                    with_credentials: route.authorization.is_some(),
                });
            }
        }
    }
    let mut out = Vec::new();
    let say = |out: &mut Vec<CiFinding>, code: Code, line: usize, message: String, fix: String| {
        out.push(CiFinding {
            warning: Warning::new(code, message, origin(display, line)),
            manager: None,
            fix,
        })
    };
    let rules: Vec<String> = config["hostRules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["hostType"].as_str().is_none_or(|t| t == "npm"))
        .filter_map(|r| {
            ["matchHost", "hostName", "domainName", "baseUrl"]
                .iter()
                .find_map(|k| r[*k].as_str())
                .map(str::to_string)
        })
        .collect();
    for host in &rules {
        let line = line_of(&format!("\"{host}\""));
        let same_host: Vec<&Routed> = routed
            .iter()
            .filter(|r| Some(r.url.hostname()) == hostname_of(host).as_deref())
            .collect();
        if same_host.is_empty() {
            continue;
        }
        if !same_host.iter().any(|r| matches(host, &r.url)) {
            // The registry the rule was meant for: on its port, and sent credentials (from a
            // trial: a rule for `host:8443` was pointed at the default registry on 443,
            // which takes none).
            let port = port_of(host);
            let r = same_host
                .iter()
                .max_by_key(|r| {
                    (
                        port.is_some() && port == port_of(r.url.host()),
                        r.with_credentials,
                    )
                })
                .expect("same_host is not empty");
            let registry_scheme = if r.url.is_http() { "http" } else { "https" };
            let rule_scheme = host.split_once("://").map(|(scheme, _)| scheme);
            let differs = if port.is_some() && !host.contains("://") {
                "Renovate compares a matchHost without a scheme with the request's host name, which has no port"
            } else if rule_scheme.is_some_and(|s| !s.eq_ignore_ascii_case(registry_scheme)) {
                // From the last session's gaps: `http://` against an https registry was said to
                // be a path difference.
                "its scheme differs: Renovate compares a matchHost URL with the request's URL from its start"
            } else if port != port_of(r.url.host()) {
                "its port differs"
            } else {
                "its path, or its trailing slash, differs"
            };
            let requesting = managers_requesting(&same_host, &r.url, |_| true);
            say(
                &mut out,
                Code::CiRenovateHostDiffers,
                line,
                format!(
                    "Renovate hostRule `{host}` covers no registry the project uses on that host: {} {} {} ({differs})",
                    crate::warning::name_list(&requesting),
                    if requesting.len() == 1 {
                        "requests"
                    } else {
                        "request"
                    },
                    shown(&r.url)
                ),
                format!("set `\"matchHost\": \"{}\"`", shown(&r.url)),
            );
            continue;
        }
        // Renovate writes its token into the `.yarnrc.yml` `npmRegistries` entry keyed exactly
        // `matchHost` without `http:`/`https:` and with a trailing slash (its docs' example:
        // `//npm.pkg.github.com/` is overwritten, `//npm.pkg.github.com` and
        // `https://npm.pkg.github.com/` are not).
        let Some(wanted_key) = host
            .split_once("://")
            .map(|(_, rest)| crate::registry_url::with_trailing_slash(&format!("//{rest}")))
        else {
            continue;
        };
        for (m, model) in models {
            if m.rules().written_as() != WrittenAs::YarnrcYml {
                continue;
            }
            for (key, creds) in &model.auth {
                let AuthKey::Url(k) = key else { continue };
                let on_host = hostname_of(k).as_deref() == hostname_of(host).as_deref();
                if on_host && *k != wanted_key && creds.authenticates() {
                    say(
                        &mut out,
                        Code::CiRenovateHostDiffers,
                        line,
                        format!(
                            "Renovate hostRule `{host}` does not name {}'s npmRegistries key `{k}`: Renovate writes its token under `{wanted_key}` only, so Yarn keeps using the committed entry",
                            m.label()
                        ),
                        format!("key the .yarnrc.yml npmRegistries entry `{wanted_key}`"),
                    );
                }
            }
        }
    }
    let has_npm_auth = config.get("npmrc").is_some() || config.get("npmToken").is_some();
    let mut told = std::collections::BTreeSet::new();
    let all: Vec<&Routed> = routed.iter().collect();
    for r in routed.iter().filter(|r| r.with_credentials) {
        // One finding for a registry, however each manager spells its URL.
        if r.url.hostname() == AUTO_PROVISIONED
            || has_npm_auth
            || rules.iter().any(|h| matches(h, &r.url))
            || !told.insert(shown(&r.url))
        {
            continue;
        }
        let sending = managers_requesting(&all, &r.url, |r| r.with_credentials);
        say(
            &mut out,
            Code::CiRenovateHostDiffers,
            line_of("\"hostRules\"").max(1),
            format!(
                "{} {} credentials to {}, and no Renovate hostRule (nor `npmrc`/`npmToken`) gives Renovate any for it",
                crate::warning::name_list(&sending),
                if sending.len() == 1 { "sends" } else { "send" },
                shown(&r.url)
            ),
            format!(
                "add `{{\"matchHost\": \"{}\", \"token\": \"{{{{ secrets.NPM_TOKEN }}}}\"}}` to `hostRules`",
                shown(&r.url)
            ),
        );
    }
    if config.get("npmrc").is_some()
        && config["npmrcMerge"].as_bool() != Some(true)
        && committed_npmrc
    {
        say(
            &mut out,
            Code::CiRenovateNpmrcReplaces,
            line_of("\"npmrc\""),
            "Renovate's `npmrc` replaces the committed .npmrc (no `npmrcMerge: true`), so its routes and scopes are not what Renovate uses".to_string(),
            "add `\"npmrcMerge\": true` next to `npmrc`, or move the committed .npmrc's lines into it".to_string(),
        );
    }
    Ok(Some(out))
}

/// The managers among `routed` that request `url` (as shown), each once, in order.
fn managers_requesting(
    routed: &[&Routed],
    url: &RegistryUrl,
    also: impl Fn(&Routed) -> bool,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in routed {
        let name = r.manager.to_string();
        if shown(&r.url) == shown(url) && also(r) && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// A registry as shown: scheme, host and path, never a user:password in it.
fn shown(url: &RegistryUrl) -> String {
    format!(
        "{}://{}{}",
        url.scheme,
        url.host(),
        crate::registry_url::with_trailing_slash(url.path())
    )
}

fn hostname_of(host: &str) -> Option<String> {
    let rest = host
        .split_once("://")
        .map_or(host, |(_, r)| r)
        .trim_start_matches('/');
    let name = rest.split(['/', ':']).next()?;
    (!name.is_empty()).then(|| name.to_ascii_lowercase())
}

/// The port written in a matchHost or a URL's host (`npm.acme.example:8443`), if any.
fn port_of(host: &str) -> Option<&str> {
    let authority = host
        .split_once("://")
        .map_or(host, |(_, r)| r)
        .trim_start_matches('/');
    let authority = authority.split('/').next()?;
    authority.rsplit_once(':').map(|(_, port)| port)
}

/// Renovate's `matchHost`: a URL matches the requests under it; `https://host` that host; a
/// bare domain that host and its subdomains.
fn matches(host: &str, registry: &RegistryUrl) -> bool {
    let request = format!("{}pkg", shown(registry));
    if host.contains("://") {
        let h = host.trim_end_matches('/');
        let bare_origin = h.split_once("://").is_some_and(|(_, r)| !r.contains('/'));
        if bare_origin {
            return hostname_of(host).as_deref() == Some(registry.hostname());
        }
        return request.starts_with(host);
    }
    let h = host.trim_start_matches('.').to_ascii_lowercase();
    registry.hostname() == h || registry.hostname().ends_with(&format!(".{h}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_host_as_renovate_reads_it() {
        let url = RegistryUrl::parse("https://npm.acme.example/api/npm/").unwrap();
        assert!(matches("https://npm.acme.example/api/npm/", &url));
        assert!(matches("https://npm.acme.example", &url));
        assert!(matches("acme.example", &url));
        assert!(!matches("https://npm.acme.example/npm/", &url));
        assert!(!matches("other.example", &url));
    }
}
