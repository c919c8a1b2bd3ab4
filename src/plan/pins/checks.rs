//! What a registry written out would change besides its own group: another group of its
//! target, another manager reading the files, a file the source reads, a user file pmrc did
//! not read. Each compares the plan with the line (`pinned`) and without it (`baseline`).

use std::path::Path;

use rustc_hash::FxHashMap as HashMap;

use super::super::shared::{Difference, difference, planned_changes, read_with};
use super::super::{FileChange, Request};
use crate::discover::{self, ConfigFile};
use crate::error::Result;
use crate::formats::Format;
use crate::managers::Manager;
use crate::model::{Level, Model};
use crate::resolve::{self, Packages};
use crate::translate::target_group;

/// The planned files whose text differs between the two plans.
pub(super) fn files_changed<'c>(
    baseline: &[FileChange],
    pinned: &'c [FileChange],
) -> Vec<&'c FileChange> {
    pinned
        .iter()
        .filter(|c| {
            baseline
                .iter()
                .find(|b| b.path == c.path)
                .is_none_or(|b| b.after != c.after)
        })
        .collect()
}

/// Whether the pins make the plan write a file the source reads otherwise.
pub(super) fn writes_a_source_file(
    req: &Request,
    (baseline, pinned): (&[FileChange], &[FileChange]),
) -> Result<bool> {
    let sources = discover::locate(req.from, req.dir, req.user, req.env)?;
    let after = |changes: &[FileChange], path: &Path| {
        changes
            .iter()
            .find(|c| c.path == path)
            .map(|c| c.after.clone())
    };
    Ok(sources
        .iter()
        .any(|f| after(baseline, &f.path) != after(pinned, &f.path)))
}

/// The other group of packages, if any, that `to`, reading the files of `pinned` (a plan
/// with the source's registry written out for it for `groups`), requests or authenticates
/// otherwise than on those of `baseline`, where it does not then do as the source does: its
/// groups, the source's, and a scope none names, which Yarn sends a parent folder's
/// top-level token with. With it, whether the target then requests the source's registry
/// for it, and only the credentials differ.
pub(super) fn moves_other_groups(
    req: &Request,
    source: &Model,
    (baseline, pinned): (&[FileChange], &[FileChange]),
    (to, groups): (Manager, &[Packages]),
) -> Result<Option<(Packages, bool)>> {
    let (baseline, pinned) = (planned_changes(baseline), planned_changes(pinned));
    let files = discover::locate(to, req.dir, req.user, req.env)?;
    let before = read_with(to, &files, &baseline)?;
    let after = read_with(to, &files, &pinned)?;
    let mut others = resolve::groups_of(source, &Model::default());
    for name in before.scopes.keys().chain(after.scopes.keys()) {
        let scope = Packages::Scope(name.clone());
        if !others
            .iter()
            .any(|g| target_group(g) == target_group(&scope))
        {
            others.push(scope);
        }
    }
    others.push(Packages::Scope(resolve::UNNAMED_SCOPE.into()));
    others.retain(|g| !groups.contains(&target_group(g)));
    let as_target: Vec<Packages> = others.iter().map(target_group).collect();
    let source_routes = resolve::routes_for(source, req.from, others);
    let unlike_source: HashMap<Packages, bool> =
        crate::translate::unsettled_routes(to, &source_routes, &after)
            .into_iter()
            .map(|u| (u.group, u.requests_alike))
            .collect();
    let was = resolve::routes_for(&before, to, as_target.clone());
    let now = resolve::routes_for(&after, to, as_target);
    Ok(was.iter().zip(&now).find_map(|(w, n)| {
        let credentials_only = unlike_source.get(&n.packages)?;
        (w.observable() != n.observable()).then(|| (n.packages.clone(), *credentials_only))
    }))
}

/// The managers other than `targets` that read the files of `pinned` otherwise than those
/// of `baseline`, and which of their files differ: every other reader of a file stays as
/// the plan left it (pnpm 11/12 and Bun take `pnpm-workspace.yaml`'s or `bunfig.toml`'s
/// `registry` over `.npmrc`'s, so a scope written out in `.npmrc` no longer follows it
/// there). `None` where none does.
pub(super) fn moves_other_managers(
    req: &Request,
    (baseline_plan, pinned_plan): (&[FileChange], &[FileChange]),
    targets: &[Manager],
) -> Result<Option<(Vec<Manager>, Vec<String>)>> {
    let changed = files_changed(baseline_plan, pinned_plan);
    let (baseline, pinned) = (planned_changes(baseline_plan), planned_changes(pinned_plan));
    let touched = |path: &Path| baseline.contains_key(path) || pinned.contains_key(path);
    let mut moved = Vec::new();
    let mut read = Vec::new();
    for manager in crate::managers::SETTLED {
        if targets.contains(&manager) {
            continue;
        }
        let files = discover::locate(manager, req.dir, req.user, req.env)?;
        if !files.iter().any(|f| touched(&f.path)) {
            continue;
        }
        let before = read_with(manager, &files, &baseline)?;
        let after = read_with(manager, &files, &pinned)?;
        if difference(manager, &before, &after) != Difference::None {
            moved.push(manager);
            for f in files
                .iter()
                .filter(|f| changed.iter().any(|c| c.path == f.path))
            {
                if !read.contains(&f.display) {
                    read.push(f.display.clone());
                }
            }
        }
    }
    Ok((!moved.is_empty()).then_some((moved, read)))
}

/// The user-level files pmrc did not read (no `--user`) that set a registry, of the managers
/// in play that read one of `changed` (the files a line written out goes into), named as
/// shown: the line would win over them and move the manager reading both (npm's `~/.npmrc`
/// `registry=`, from a review). A user file of credentials only (`npm login`'s token)
/// routes nothing, nor does Yarn's `~/.yarnrc.yml` for a line in `.npmrc`, which Yarn does
/// not read. What each manager's user files set is read once (`known`).
pub(super) fn unread_user_files_that_route(
    req: &Request,
    changed: &[&FileChange],
    known: &mut HashMap<Manager, Vec<RoutingFile>>,
) -> Result<Vec<String>> {
    let mut routing: Vec<String> = Vec::new();
    if req.user {
        return Ok(routing);
    }
    for (m, read) in readers_of(req, changed)? {
        // A file the line goes into that this manager ranks above every registry of a user
        // file (Yarn 1's `.npmrc` over `~/.yarnrc`): the line wins whatever that file sets.
        let formats: Vec<Format> = changed
            .iter()
            .filter(|c| read.iter().any(|f| f.path == c.path))
            .map(|c| c.format)
            .collect();
        let files = known
            .entry(m)
            .or_insert_with(|| routing_user_files(req, m, &read));
        for file in files.iter() {
            let beaten = file.read.as_ref().is_some_and(|f| {
                !formats.is_empty()
                    && formats
                        .iter()
                        .all(|&format| m.rules().line_beats_user_file(format, f))
            });
            if !beaten && !routing.contains(&file.display) {
                routing.push(file.display.clone());
            }
        }
    }
    Ok(routing)
}

/// A user-level file that sets a registry, named as shown, with what pmrc found of it (none
/// where it could not even locate the manager's files).
pub(super) struct RoutingFile {
    display: String,
    read: Option<ConfigFile>,
}

/// `manager`'s user-level files pmrc did not read (`read` holds what it did) that set a
/// registry; one that does not read counts, as pmrc cannot tell.
fn routing_user_files(req: &Request, manager: Manager, read: &[ConfigFile]) -> Vec<RoutingFile> {
    // A `.yarnrc` flag line (`--registry`) is not in the file's model: it is applied over
    // every file when they are merged.
    let flags = |file: &ConfigFile| {
        file.format == Format::Yarnrc
            && file
                .text
                .as_deref()
                .is_some_and(crate::formats::yarnrc::has_registry_flag_lines)
    };
    let routes = |file: &ConfigFile| {
        flags(file)
            || discover::read_model(file).map_or(true, |(model, _)| {
                model.registry.is_some() || model.scopes.values().any(|s| s.registry.is_some())
            })
    };
    let located = discover::locate(manager, req.dir, true, req.env);
    let mut found: Vec<RoutingFile> = match &located {
        Ok(files) => not_read(files, read)
            .filter(|f| routes(f))
            .map(|f| RoutingFile {
                display: f.display.clone(),
                read: Some(f.clone()),
            })
            .collect(),
        Err(_) => discover::user_files_present(manager, req.dir, req.env)
            .into_iter()
            .map(|display| RoutingFile {
                display,
                read: None,
            })
            .collect(),
    };
    // The process's `NPM_CONFIG_USERCONFIG` moves the user `.npmrc`, whatever pmrc reads
    // (npm sets it for what `npx` runs, to `~/.npmrc` itself unless told otherwise).
    let same_file = |a: &Path, b: &Path| {
        a == b || std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
    };
    let known = |path: &Path| {
        read.iter().any(|r| same_file(&r.path, path))
            || located
                .as_ref()
                .is_ok_and(|files| files.iter().any(|f| same_file(&f.path, path)))
    };
    if let Some(path) = &req.env.process_npm_userconfig
        && req.env.npm_userconfig.is_none()
        && discover::reads_home_npmrc(manager)
        && !known(path)
    {
        let display = format!("$NPM_CONFIG_USERCONFIG ({})", path.display());
        let file = discover::read_text(path).map(|text| ConfigFile {
            text: text.map(|t| crate::formats::kept::shared_text(&t)),
            path: path.clone(),
            display: display.clone(),
            level: Level::User,
            format: Format::Npmrc,
        });
        match file {
            Ok(file) if file.text.is_none() || !routes(&file) => {}
            Ok(file) => found.push(RoutingFile {
                display,
                read: Some(file),
            }),
            Err(_) => found.push(RoutingFile {
                display,
                read: None,
            }),
        }
    }
    found
}

/// The user-level files pmrc did not read (no `--user`) of the source and of `to` that hold
/// credentials for `url`'s host, named as shown: a line written out sends `to` there, and
/// whether it then sends them as the source does pmrc cannot judge without them (Yarn 1
/// sends `npm login`'s token with unscoped packages only with always-auth, from a review).
/// Other managers' files are not theirs to send (pnpm's `auth.ini`, Bun's XDG `.npmrc`).
pub(super) fn unread_user_credentials_for(
    req: &Request,
    to: Manager,
    url: &str,
) -> Result<Vec<String>> {
    let mut holding: Vec<String> = Vec::new();
    let Some(host) = crate::registry_url::RegistryUrl::parse(url).map(|u| u.hostname().to_string())
    else {
        return Ok(holding);
    };
    if req.user {
        return Ok(holding);
    }
    let for_host = |key: &crate::model::AuthKey| match key {
        crate::model::AuthKey::Url(location) => {
            let spelled = match location.starts_with("//") {
                true => format!("https:{location}"),
                false => location.clone(),
            };
            crate::registry_url::RegistryUrl::parse(&spelled).is_some_and(|u| u.hostname() == host)
        }
        _ => false,
    };
    let mut managers = vec![req.from];
    if to != req.from {
        managers.push(to);
    }
    for m in managers {
        let read = discover::locate(m, req.dir, false, req.env)?;
        let Ok(files) = discover::locate(m, req.dir, true, req.env) else {
            continue;
        };
        for f in not_read(&files, &read) {
            let holds =
                discover::read_model(f).is_ok_and(|(model, _)| model.auth.keys().any(for_host));
            if holds && !holding.contains(&f.display) {
                holding.push(f.display.clone());
            }
        }
    }
    Ok(holding)
}

/// Each manager in play (every settled one, the source, the targets) that reads one of
/// `changed`, with the files it reads without `--user`.
fn readers_of(req: &Request, changed: &[&FileChange]) -> Result<Vec<(Manager, Vec<ConfigFile>)>> {
    let managers = crate::managers::SETTLED
        .into_iter()
        .chain([req.from])
        .chain(req.to.iter().copied());
    let mut readers = Vec::new();
    for m in managers {
        if readers.iter().any(|(r, _)| *r == m) {
            continue;
        }
        let read = discover::locate(m, req.dir, false, req.env)?;
        if read
            .iter()
            .any(|f| changed.iter().any(|c| c.path == f.path))
        {
            readers.push((m, read));
        }
    }
    Ok(readers)
}

/// The user-level files among `located` that exist and are not among `read` (a user file
/// read without `--user`, `NPM_CONFIG_USERCONFIG` naming the project's `.npmrc` through
/// `--env`, is read).
fn not_read<'f>(
    located: &'f [ConfigFile],
    read: &'f [ConfigFile],
) -> impl Iterator<Item = &'f ConfigFile> {
    located.iter().filter(|f| {
        f.level == Level::User && f.text.is_some() && !read.iter().any(|r| r.path == f.path)
    })
}
