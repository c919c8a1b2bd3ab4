//! `pmrc doctor`: every config file that applies, checked against each manager's own rules
//! for settings that silently do nothing, credentials that leak, and managers that
//! disagree. Findings are data (rule id, severity, file:line, message, fix).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::discover::{self, ConfigFile, Environment};
use crate::error::Result;
use crate::manager::Manager;
use crate::model::{AuthKey, Level, Model, Origin};
use crate::registry_url::{RegistryUrl, normalize_yarn_key, yarn_lookup_keys};
use crate::resolve::{self, Route};
use crate::template::Piece;
use crate::warning::{Severity, Warning};

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub manager: Option<Manager>,
    pub message: String,
    pub fix: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A rule: its id, what it finds, and the fix it proposes (also the README's table).
pub struct Rule {
    pub id: &'static str,
    pub what: &'static str,
    pub fix: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "yarn-ignores-npmrc",
        what: "registry or auth settings in .npmrc of a Yarn Berry project: Yarn Berry never reads .npmrc",
        fix: "run `pmrc convert --from npm --to yarn --write`",
    },
    Rule {
        id: "pnpm-project-env-credential-ignored",
        what: "a ${VAR} credential in the project .npmrc: pnpm 10.34+, 11 and 12 send nothing",
        fix: "run `pmrc convert --from npm --to pnpm --user --write` (writes it to pnpm's auth.ini), or set pnpm_config_//host/:_authToken in CI",
    },
    Rule {
        id: "pnpm-npmrc-setting-ignored",
        what: "a setting in .npmrc that pnpm 11/12 ignore",
        fix: "move it to pnpm-workspace.yaml under its camelCase name",
    },
    Rule {
        id: "bun-braced-env-reference",
        what: "${VAR} in bunfig.toml, which Bun sends as literal text",
        fix: "write the whole value as \"$VAR\"",
    },
    Rule {
        id: "yarn-scope-with-at",
        what: "an npmScopes key written with @, which Yarn never matches",
        fix: "drop the @ from the key",
    },
    Rule {
        id: "yarn-registry-key-unmatched",
        what: "an npmRegistries key that no registry in use matches (Yarn compares keys exactly: path and port count)",
        fix: "spell the key like the registry URL, e.g. \"//host/path\"",
    },
    Rule {
        id: "yarn-scope-without-registry",
        what: "a Yarn scope without npmRegistryServer, which goes to registry.yarnpkg.com, not the top-level registry",
        fix: "set npmScopes.<scope>.npmRegistryServer",
    },
    Rule {
        id: "npm-legacy-top-level-auth",
        what: "top-level _auth/_authToken: npm 9+ refuses the whole file",
        fix: "run `npm config fix`, or key it: //host/path/:_authToken",
    },
    Rule {
        id: "npm-always-auth-ignored",
        what: "always-auth, which npm 7+ ignores",
        fix: "remove it unless Yarn 1 reads this .npmrc",
    },
    Rule {
        id: "yarnrc-unquoted-url",
        what: "an unquoted URL in .yarnrc: Yarn 1 silently drops the whole file",
        fix: "double-quote the value",
    },
    Rule {
        id: "yarnrc-auth-ignored",
        what: "auth keys in .yarnrc, which Yarn 1 never sends",
        fix: "move them to .npmrc",
    },
    Rule {
        id: "npmrc-key-in-section",
        what: "a key after a [section] line in .npmrc, which npm never reads",
        fix: "move it above the first section",
    },
    Rule {
        id: "literal-secret-tracked",
        what: "a literal secret in a file tracked by git",
        fix: "replace it with an environment reference (${NPM_TOKEN} in .npmrc/.yarnrc.yml, $NPM_TOKEN in bunfig.toml) and rotate the token",
    },
    Rule {
        id: "secret-file-permissions",
        what: "a file holding a literal secret that group or others can read",
        fix: "chmod 600 the file",
    },
    Rule {
        id: "credentials-over-http",
        what: "credentials sent to a registry over plain http",
        fix: "use https for that registry",
    },
    Rule {
        id: "yarn-top-level-token-spreads",
        what: "Yarn's top-level token reaching a registry on another host (no npmRegistries entry of its own)",
        fix: "give that registry its own npmRegistries entry, and key the token to the registry it is for",
    },
    Rule {
        id: "config-drift",
        what: "two managers' configs route or authenticate packages differently",
        fix: "run `pmrc convert --from <source> --to <other>` and review the diff",
    },
    Rule {
        id: "env-unset",
        what: "an environment variable a config references is unset (Yarn Berry then fails every command)",
        fix: "set it, or use the optional form (${VAR:-} in Yarn, ${VAR?} in npm)",
    },
];

fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).unwrap_or(&Rule {
        id: "other",
        what: "",
        fix: "see the message",
    })
}

fn finding(w: Warning, manager: Option<Manager>) -> Finding {
    let r = rule(w.code);
    Finding {
        rule: w.code,
        severity: w.severity,
        manager,
        message: w.message,
        fix: r.fix,
        origin: w.origin,
    }
}

pub struct Request<'a> {
    pub dir: &'a Path,
    pub managers: Vec<Manager>,
    pub user: bool,
    pub env: &'a Environment,
    /// Check that referenced environment variables are set.
    pub check_env: bool,
}

struct Read {
    manager: Manager,
    files: Vec<ConfigFile>,
    model: Model,
    routes: Vec<Route>,
}

pub fn run(req: &Request) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let mut reads = Vec::new();
    for &manager in &req.managers {
        let (manager, _) = discover::settle_version(manager, req.dir)?;
        let files = discover::locate(manager, req.dir, req.user, req.env)?;
        let (model, warnings) = discover::read_merged(manager, &files)?;
        findings.extend(warnings.into_iter().map(|w| finding(w, Some(manager))));
        if matches!(manager, Manager::Pnpm(11..)) {
            // In a pnpm project these settings are surely meant for pnpm: a warning.
            let ignored = crate::plan::npmrc_settings_pnpm_ignores(req.dir, manager, manager)?;
            findings.extend(ignored.into_iter().map(|w| Finding {
                severity: Severity::Warning,
                ..finding(w, Some(manager))
            }));
        }
        let routes = resolve::routes(&model, manager);
        reads.push(Read {
            manager,
            files,
            model,
            routes,
        });
    }
    for read in &reads {
        findings.extend(manager_rules(req, read));
    }
    findings.extend(file_rules(req.dir, &reads));
    findings.extend(drift(&reads));
    if req.check_env {
        findings.extend(unset_env(&reads));
    }
    // Translation-time notes about loss are not doctor's business.
    findings.retain(|f| !matches!(f.rule, "pnpm-version" | "unused-credential"));
    dedup(&mut findings);
    Ok(findings)
}

fn dedup(findings: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| {
        seen.insert((
            f.rule,
            f.message.clone(),
            f.origin.as_ref().map(|o| o.to_string()),
        ))
    });
}

fn origin_at(file: &ConfigFile, line: usize) -> Option<Origin> {
    Some(Origin {
        file: PathBuf::from(&file.display),
        line,
        level: file.level,
    })
}

fn manager_rules(req: &Request, read: &Read) -> Vec<Finding> {
    let mut out = Vec::new();
    let m = read.manager;
    let push = |out: &mut Vec<Finding>, w: Warning| out.push(finding(w, Some(m)));
    if m == Manager::Yarn {
        let npmrc = req.dir.join(".npmrc");
        if let Ok(Some(text)) = discover::read_text(&npmrc) {
            let owned = crate::formats::npmrc::Document::parse(&text)
                .settings()
                .unwrap_or_default();
            // A .npmrc kept in sync for npm (pmrc sync) is fine: it is a finding only when
            // the project .yarnrc.yml does not already hold what converting it would write.
            if let Some(first) = owned
                .first()
                .filter(|_| !yarnrc_holds_npmrc(&text, req.dir))
            {
                push(
                    &mut out,
                    Warning::new(
                        "yarn-ignores-npmrc",
                        format!(
                            "Yarn Berry never reads .npmrc, so its {} registry/auth setting(s) do nothing for yarn",
                            owned.len()
                        ),
                        Some(Origin {
                            file: ".npmrc".into(),
                            line: first.line,
                            level: Level::Project,
                        }),
                    ),
                );
            }
        }
        let lookups: std::collections::HashSet<String> = read
            .routes
            .iter()
            .flat_map(|r| yarn_lookup_keys(r.registry.as_deref().unwrap_or(m.public_registry())))
            .collect();
        for (key, creds) in &read.model.auth {
            if let AuthKey::Url(k) = key
                && !lookups.contains(&normalize_yarn_key(k))
            {
                push(
                    &mut out,
                    Warning::new(
                        "yarn-registry-key-unmatched",
                        format!(
                            "npmRegistries[\"{k}\"] matches no registry in use (Yarn compares the key with the registry URL exactly)"
                        ),
                        creds.origin().cloned(),
                    ),
                );
            }
        }
        for (name, scope) in &read.model.scopes {
            if scope.registry.is_none() {
                let origin = read
                    .model
                    .auth
                    .get(&AuthKey::Scope(name.clone()))
                    .and_then(|c| c.origin().cloned());
                push(
                    &mut out,
                    Warning::new(
                        "yarn-scope-without-registry",
                        format!(
                            "npmScopes.{name} has no npmRegistryServer, so @{name}/* goes to https://registry.yarnpkg.com"
                        ),
                        origin,
                    ),
                );
            }
        }
        let default_host = read
            .model
            .registry
            .as_ref()
            .and_then(|v| RegistryUrl::parse(&v.value.render(m.dialect()).0))
            .map(|u| u.host);
        for route in &read.routes {
            let host = route
                .registry
                .as_deref()
                .and_then(RegistryUrl::parse)
                .map(|u| u.host);
            if route.credential_key == Some(AuthKey::Fallback)
                && route.authorization.is_some()
                && host != default_host
            {
                push(
                    &mut out,
                    Warning::new(
                        "yarn-top-level-token-spreads",
                        format!(
                            "Yarn sends the top-level token to {} for {} (no npmRegistries entry matches it)",
                            route.registry.as_deref().unwrap_or(m.public_registry()),
                            route.packages
                        ),
                        route.credential_origin.clone(),
                    ),
                );
            }
        }
    }
    for route in &read.routes {
        let http = route
            .registry
            .as_deref()
            .and_then(RegistryUrl::parse)
            .is_some_and(|u| u.is_http());
        if http && route.authorization.is_some() {
            push(
                &mut out,
                Warning::new(
                    "credentials-over-http",
                    format!(
                        "{} sends credentials for {} over plain http to {}",
                        m,
                        route.packages,
                        route.registry.as_deref().unwrap_or_default()
                    ),
                    route.credential_origin.clone(),
                ),
            );
        }
    }
    out
}

/// Rules about the files themselves: secrets in git, loose permissions.
fn file_rules(dir: &Path, reads: &[Read]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for read in reads {
        for file in &read.files {
            let Some(text) = &file.text else { continue };
            if !seen.insert(file.path.clone()) {
                continue;
            }
            let spans = file.format.secret_spans(text);
            let Some(first) = spans.first() else { continue };
            let line = crate::formats::line_col(text, first.start).0;
            if is_tracked_by_git(dir, &file.path) {
                out.push(finding(
                    Warning::new(
                        "literal-secret-tracked",
                        format!("{} literal secret(s) in a file tracked by git", spans.len()),
                        origin_at(file, line),
                    ),
                    None,
                ));
            }
            if let Some(mode) = mode_of(&file.path)
                && mode & 0o077 != 0
            {
                out.push(finding(
                        Warning::new(
                            "secret-file-permissions",
                            format!("the file holds a literal secret and its mode is {mode:o}: group or others can read it"),
                            origin_at(file, line),
                        ),
                        None,
                    ));
            }
        }
    }
    out
}

fn is_tracked_by_git(dir: &Path, path: &Path) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-files", "--error-unmatch", "--"])
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode_of(_path: &Path) -> Option<u32> {
    None
}

/// Managers that disagree about a group of packages: every scope either of them knows.
/// Whether the project `.yarnrc.yml` holds every setting a conversion of `.npmrc` would
/// write there (routing, credentials, TLS, proxies).
fn yarnrc_holds_npmrc(npmrc: &str, dir: &Path) -> bool {
    use crate::formats::Format;
    let Ok((npm, _)) = crate::formats::npmrc::read(npmrc, Path::new(".npmrc"), Level::Project)
    else {
        return false;
    };
    let translation = crate::translate::translate(&npm, Manager::Npm, Manager::Yarn, false);
    let wanted =
        Format::YarnrcYml.wanted(&translation.model.at_level(Level::Project), Manager::Yarn);
    let held = discover::read_text(&dir.join(".yarnrc.yml"))
        .ok()
        .flatten()
        .and_then(|t| Format::YarnrcYml.settings(&t).ok())
        .unwrap_or_default();
    let held: std::collections::HashSet<_> = held.iter().map(|s| (&s.path, &s.value)).collect();
    wanted.iter().all(|(p, v)| held.contains(&(p, v)))
}

/// Unscoped packages and every scope either model names, once each, in order.
fn groups_of(a: &Model, b: &Model) -> Vec<resolve::Packages> {
    let scopes: std::collections::BTreeSet<&String> =
        a.scopes.keys().chain(b.scopes.keys()).collect();
    std::iter::once(resolve::Packages::Unscoped)
        .chain(
            scopes
                .into_iter()
                .map(|s| resolve::Packages::Scope(s.clone())),
        )
        .collect()
}

fn drift(reads: &[Read]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, a) in reads.iter().enumerate() {
        for b in &reads[i + 1..] {
            let groups = groups_of(&a.model, &b.model);
            let routes_a = resolve::routes_for(&a.model, a.manager, groups.clone());
            let routes_b = resolve::routes_for(&b.model, b.manager, groups.clone());
            for ((group, ra), rb) in groups.into_iter().zip(routes_a).zip(routes_b) {
                let (oa, ob) = (ra.observable(), rb.observable());
                if oa == ob {
                    continue;
                }
                let what = if oa.1 != ob.1 {
                    "route"
                } else {
                    "authenticate"
                };
                out.push(finding(
                    Warning::new(
                        "config-drift",
                        format!(
                            "{} and {} {what} {group} differently ({} vs {})",
                            a.manager,
                            b.manager,
                            describe(&ra, a.manager),
                            describe(&rb, b.manager)
                        ),
                        ra.credential_origin
                            .clone()
                            .or(rb.credential_origin.clone()),
                    ),
                    None,
                ));
            }
        }
    }
    out
}

fn describe(r: &Route, m: Manager) -> String {
    let registry = r
        .registry
        .clone()
        .unwrap_or_else(|| "the public registry".into());
    let auth = match &r.authorization {
        None => "no credentials".to_string(),
        Some(_) => "credentials".to_string(),
    };
    format!("{m}: {registry}, {auth}")
}

fn unset_env(reads: &[Read]) -> Vec<Finding> {
    let mut out = Vec::new();
    for read in reads {
        let mut values = Vec::new();
        collect_values(&read.model, &mut values);
        for v in values {
            for piece in &v.value.pieces {
                let Piece::Env { name, unset } = piece else {
                    continue;
                };
                if std::env::var_os(name).is_some() {
                    continue;
                }
                let fatal =
                    read.manager == Manager::Yarn && *unset == crate::template::Unset::Strict;
                let message = if fatal {
                    format!(
                        "{name} is unset: Yarn Berry stops every command with \"Environment variable not found ({name})\""
                    )
                } else {
                    format!("{name} is unset, so {} gets no value from it", read.manager)
                };
                let w = if fatal {
                    Warning::error("env-unset", message, v.origin.clone())
                } else {
                    Warning::new("env-unset", message, v.origin.clone())
                };
                out.push(finding(w, Some(read.manager)));
            }
        }
    }
    out
}

fn collect_values<'a>(m: &'a Model, out: &mut Vec<&'a crate::model::Value>) {
    out.extend(m.registry.iter().chain(m.publish_registry.iter()));
    for s in m.scopes.values() {
        out.extend(s.registry.iter().chain(s.publish_registry.iter()));
    }
    for c in m.auth.values() {
        out.extend(
            [
                &c.token,
                &c.ident,
                &c.username,
                &c.password,
                &c.certfile,
                &c.keyfile,
            ]
            .into_iter()
            .flatten(),
        );
    }
    out.extend(
        [&m.proxy.http, &m.proxy.https, &m.tls.cafile]
            .into_iter()
            .flatten(),
    );
}

/// `--fix`: the mechanical repairs of findings that keep what the user meant, one change
/// per file, for the same preview / `--write` flow as `convert`: `${VAR}` → `$VAR` in
/// bunfig.toml, `@` dropped from Yarn scope keys, bare URLs quoted in `.yarnrc`, and npm's
/// legacy top-level auth keyed to its registry (as `npm config fix`, comments kept).
pub fn fixes(req: &Request) -> Result<Vec<crate::plan::FileChange>> {
    use crate::formats::{Format, bunfig, npmrc, yarnrc, yarnrc_yml};
    let mut changes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Yarn 1 reads top-level `_auth` from the same `.npmrc` on purpose.
    let yarn_classic = req.managers.contains(&Manager::YarnClassic);
    for &manager in &req.managers {
        let (manager, _) = discover::settle_version(manager, req.dir)?;
        for file in discover::locate(manager, req.dir, req.user, req.env)? {
            let Some(text) = &file.text else { continue };
            if !seen.insert(file.path.clone()) {
                continue;
            }
            let after = match file.format {
                Format::Bunfig => bunfig::fix_braced_references(text),
                Format::YarnrcYml => yarnrc_yml::fix_scope_keys(text),
                Format::Yarnrc => yarnrc::quote_bare_urls(text),
                Format::Npmrc if manager == Manager::Npm && !yarn_classic => {
                    npmrc::fix_legacy_auth(text)
                }
                Format::Npmrc | Format::PnpmWorkspace => None,
            };
            let Some(after) = after.filter(|a| a != text) else {
                continue;
            };
            if let Err(e) = file.format.settings(&after) {
                return Err(crate::error::Error::Edit {
                    path: file.path.clone(),
                    message: format!(
                        "pmrc's fix did not read back ({}), so nothing was written (a bug in pmrc)",
                        e.message
                    ),
                });
            }
            changes.push(crate::plan::FileChange {
                path: file.path.clone(),
                display: file.display.clone(),
                manager,
                format: file.format,
                level: file.level,
                before: Some(text.clone()),
                after,
            });
        }
    }
    Ok(changes)
}
