//! Whether the targets already do what the source does, reading the files as they are: then
//! a conversion writes nothing. From trial #7: npm -> pnpm 12 `--user` copied `~/.npmrc`'s
//! token into pnpm's `auth.ini`, which real pnpm 12.21.0 reads above `~/.npmrc`, so the
//! copy sent the same token and then hid the next one the user renewed in `~/.npmrc`; a
//! project `.npmrc`'s `@acme:registry`, which pnpm 12 reads too, was copied into
//! `pnpm-workspace.yaml`; and `--check` failed on both.

use std::collections::BTreeMap;

use crate::diagnostics::Code;
use crate::discover::{self, ConfigFile};
use crate::error::Result;
use crate::managers::Manager;
use crate::model::{AuthKey, Credentials, Model, Origin};
use crate::resolve::Packages;
use crate::warning::{Severity, Warning};

use super::Request;

/// Whether every target, one whose own config is `.npmrc` (not Bun, whose conversion moves
/// the config into `bunfig.toml`), reading every file it reads (user files included, as the
/// manager itself reads them), requests every group of packages at the source's registry with the
/// source's credentials and the same network settings, and reads no line of them otherwise
/// than npm or drops one: then nothing needs writing for any of them. Without `--user`
/// the user files are read for this question only (nothing of them is written); where
/// `NPM_CONFIG_USERCONFIG` moves the user `.npmrc` unapplied, what the managers read is
/// not known, so no.
///
/// Alike, the notes each target's own checks give on the files as they are (pnpm: an npm
/// setting in `.npmrc` it ignores); a finding above a note (a member's `.npmrc` read apart,
/// which routes read at the root do not show) keeps the conversion as it was.
pub(super) fn targets_send_alike(req: &Request, source: &Model) -> Result<Option<Vec<Warning>>> {
    if !req.user && req.env.process_npm_userconfig.is_some()
        || req
            .to
            .iter()
            .any(|to| !to.rules().npmrc_is_its_own_config())
    {
        return Ok(None);
    }
    // A target that does not read every file the source reads cannot take the source's
    // lines as they are (Yarn's `.yarnrc.yml` for npm): said from where the files are,
    // before anything is parsed or routed (this runs on every plan that writes; yarn -> npm
    // read and routed both 5,000-line configs again for it, issue 20).
    let source_files = every_file(req, req.from)?;
    let mut target_files = Vec::with_capacity(req.to.len());
    for &to in req.to {
        let files = every_file(req, to)?;
        let reads_all = source_files
            .iter()
            .filter(|f| f.text.is_some())
            .all(|f| files.iter().any(|t| t.path == f.path));
        if !reads_all {
            return Ok(None);
        }
        target_files.push(files);
    }
    let mut notes = Vec::new();
    let read_all;
    let source = if req.user {
        source
    } else {
        read_all = discover::read_merged(req.from, &source_files)?.0;
        &read_all
    };
    let source = as_sent(req.from, source);
    let source = &*source;
    let source_routes = std::cell::OnceCell::new();
    for (&to, files) in req.to.iter().zip(&target_files) {
        let (target, warnings) = discover::read_merged(to, files)?;
        let target = as_sent(to, &target);
        let target = &*target;
        if warnings.iter().any(reads_apart)
            || holds_network_settings(source)
            || holds_network_settings(target)
            || stops(to, target)
            || lists_projects(req, to)?
        {
            return Ok(None);
        }
        let findings = to.rules().target_warnings(req.dir, req.from, target)?;
        if findings.iter().any(|w| w.severity != Severity::Note) {
            return Ok(None);
        }
        notes.extend(findings);
        if !super::act_alike(req.from, source, to, target)
            || !takes_the_same_lines((req.from, source), (to, target))
            || !same_credential_lines(source, target)
        {
            return Ok(None);
        }
        // The check a plan's final files pass: each group's credentials as sent.
        let source_routes = source_routes.get_or_init(|| crate::resolve::routes(source, req.from));
        let differences =
            crate::translate::route_differences((req.from, source), to, source_routes, target);
        if !differences.is_empty() {
            return Ok(None);
        }
    }
    Ok(Some(notes))
}

/// Whether `b` takes each group's registry, publish registry and credentials from the
/// very lines `a` takes them from: the file read as it is, not another file that happens to
/// say the same (Yarn's `.yarnrc.yml` beside npm's `.npmrc`, Dependabot's own entry), whose
/// translation says more than the routes compared here (a scope's publish registry, what
/// an entry makes Dependabot stop reading).
fn takes_the_same_lines((a, a_model): (Manager, &Model), (b, b_model): (Manager, &Model)) -> bool {
    let groups = crate::resolve::groups_of(a_model, b_model);
    let a_routes = crate::resolve::routes_for(a_model, a, groups.clone());
    let b_routes = crate::resolve::routes_for(b_model, b, groups);
    a_routes.iter().zip(&b_routes).all(|(a_route, b_route)| {
        same_line(
            a_route.credential_origin.as_ref(),
            b_route.credential_origin.as_ref(),
        ) && lines_of(a_model, &a_route.packages)
            .iter()
            .zip(lines_of(b_model, &b_route.packages).iter())
            .all(|(x, y)| same_line(*x, *y))
    })
}

/// Whether both hold the same credentials at the same keys, each value from the same line:
/// those no group's route uses (a tarball host's, a publish registry's) are compared too,
/// where the routes are silent.
fn same_credential_lines(a: &Model, b: &Model) -> bool {
    a.auth.len() == b.auth.len()
        && a.auth.iter().all(|(key, a_creds)| {
            b.auth.get(key).is_some_and(|b_creds| {
                a_creds == b_creds
                    && a_creds
                        .values()
                        .zip(b_creds.values())
                        .all(|(x, y)| same_line(x.origin.as_ref(), y.origin.as_ref()))
            })
        })
}

/// Where a group's registry and publish registry are read: its scope's lines, else the
/// default registry's.
fn lines_of<'m>(model: &'m Model, packages: &Packages) -> [Option<&'m Origin>; 2] {
    let default = [&model.registry, &model.publish_registry]
        .map(|v| v.as_ref().and_then(|v| v.origin.as_ref()));
    let Packages::Scope(name) = packages else {
        return default;
    };
    let Some(scope) = model.scopes.get(name) else {
        return default;
    };
    let line = |v: &'m Option<crate::model::Value>, fallback: Option<&'m Origin>| match v {
        Some(v) => v.origin.as_ref(),
        None => fallback,
    };
    [
        line(&scope.registry, default[0]),
        line(&scope.publish_registry, default[1]),
    ]
}

/// Two values read from one line of one file (or both not read from any).
fn same_line(a: Option<&Origin>, b: Option<&Origin>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.file == b.file && a.line == b.line,
        _ => false,
    }
}

/// The note that says so, naming the targets.
pub(super) fn note(req: &Request) -> Warning {
    let targets: Vec<String> = req.to.iter().map(ToString::to_string).collect();
    Warning::note(
        Code::TargetAlreadyAlike,
        format!(
            "{} already {} what {} sends, to the same registries, reading the files as they are (user files included): nothing to write (a copy would only hide later edits of the lines it reads)",
            targets.join(" and "),
            if targets.len() == 1 { "sends" } else { "send" },
            req.from
        ),
        None,
    )
}

/// `model` with each key's credentials as `manager` sends them where it picks among them
/// otherwise than the routes do (pnpm 10: the last written), as a translation takes them.
fn as_sent(manager: Manager, model: &Model) -> std::borrow::Cow<'_, Model> {
    let rules = manager.rules();
    let sent: Vec<(AuthKey, Credentials)> = model
        .auth
        .iter()
        .filter_map(|(key, written)| Some((key.clone(), rules.credentials_sent(written)?)))
        .collect();
    if sent.is_empty() {
        return std::borrow::Cow::Borrowed(model);
    }
    let mut auth: BTreeMap<AuthKey, Credentials> = (*model.auth).clone();
    auth.extend(sent);
    std::borrow::Cow::Owned(Model {
        auth: auth.into(),
        ..model.clone()
    })
}

/// Every file `manager` reads here, its user files included.
fn every_file(req: &Request, manager: Manager) -> Result<Vec<ConfigFile>> {
    discover::locate(manager, req.dir, true, req.env)
}

/// Whether a file `manager` is written must list the workspace's projects for it to work
/// from this root when run in a member (pnpm and package.json's `workspaces`): routes read
/// at the root alike do not say what the members read.
fn lists_projects(req: &Request, manager: Manager) -> Result<bool> {
    let files = discover::locate_targets(manager, req.dir, req.user, req.env)?;
    Ok(files.iter().any(|file| {
        manager
            .rules()
            .projects_to_list(req.dir, file, file.text.as_deref())
            .is_some()
    }))
}

/// A finding of reading the files that the routes may not show: a line read otherwise than
/// npm reads it, a file ignored as a whole, a credential that stops pnpm, or any warning (a
/// credential pnpm 11/12 ignore in a project `.npmrc` stays in the model it reads).
fn reads_apart(w: &Warning) -> bool {
    matches!(
        w.code,
        Code::NpmrcSectionReadApart | Code::NpmrcValueReadApart | Code::PnpmAuthStops
    ) || w.code.ignores_whole_file()
        || w.severity != Severity::Note
}

/// Whether `model` holds TLS, proxy, per-host or client certificate settings: a manager's
/// reading keeps such a line whether or not the manager uses it (Bun and `strict-ssl`, which
/// only the translation says it ignores), so routes and settings compared alike do not tell.
fn holds_network_settings(model: &Model) -> bool {
    model.tls != Default::default()
        || model.proxy != Default::default()
        || !model.hosts.is_empty()
        || !model.http_allowed.is_empty()
        || model
            .auth
            .values()
            .any(|c| c.certfile.is_some() || c.keyfile.is_some())
}

/// Whether the manager stops before any request over what it reads (npm and a top-level
/// credential) or over a value's form: routes compared alike would not show it.
fn stops(manager: Manager, model: &Model) -> bool {
    let rules = manager.rules();
    rules.stops_on_model(model, None, &[], &|_| false).is_some()
        || model.fields().into_iter().any(|(field, v)| {
            rules
                .stops_on_value(&v.value, v.origin.as_ref(), field.is_secret())
                .is_some()
        })
}
