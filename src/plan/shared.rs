//! Files several managers read (`.npmrc`: npm, Yarn 1, pnpm, Bun, Deno). Each file a run writes is
//! planned once, for every reader in play: the targets' wishes are merged (a key two targets
//! want with different values is refused); a file the source reads keeps, byte for byte,
//! every line the source takes a value from, and a key a target adds that would change what
//! the source does is refused. Afterwards every target is resolved against the final files
//! (what a shared file makes it do is reported), and a manager pmrc.toml names that is
//! neither source nor target must do what it did.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;

use super::{FileChange, Request, change_for};
use crate::diagnostics::Code;
use crate::discover::{self, ConfigFile};
use crate::error::{Error, Result};
use crate::formats::{Setting, SettingPath, SettingValue, Wanted};
use crate::managers::Manager;
use crate::model::{AuthKey, Level, Model};
use crate::resolve::{self, Route};
use crate::warning::Warning;

/// One file a run writes, with what each target wants in it.
pub(super) struct Draft {
    pub file: ConfigFile,
    pub writers: Vec<(Manager, Wanted)>,
}

/// Whose a planned setting is.
#[derive(Clone, Copy, PartialEq)]
enum Owner {
    /// The file holds it and the source reads the file; `used` says whether the source
    /// takes a value from it or a target wants it as it is. One neither uses is removed.
    Held { used: bool, wanted: bool },
    /// A target wants it and the file does not hold it yet.
    Added(Manager),
}

/// One planned setting of a file.
#[derive(Clone)]
struct Entry {
    path: SettingPath,
    value: SettingValue,
    owner: Owner,
    keep: bool,
}

/// A file's planned settings.
#[derive(Clone)]
struct Composed {
    entries: Vec<Entry>,
}

impl Composed {
    fn wanted(&self) -> Wanted {
        self.entries
            .iter()
            .filter(|e| e.keep)
            .map(|e| (e.path.clone(), e.value.clone()))
            .collect()
    }
}

/// What [`plan_files`] found.
pub(super) struct Planned {
    pub changes: Vec<FileChange>,
    /// A target reads a line apart from npm where the source does not (or otherwise).
    pub read_apart: bool,
    pub pins: super::pins::Wanted,
}

/// The changes of every drafted file, each checked against every reader in play.
pub(super) fn plan_files(
    req: &Request,
    sources: &[ConfigFile],
    (source_model, source_routes): (&Model, &[Route]),
    mut drafts: Vec<Draft>,
    warnings: &mut Vec<Warning>,
) -> Result<Planned> {
    keep_credentials_out_of_committed_files(&mut drafts, warnings);
    drop_lines_writers_refuse(&mut drafts);
    // Needed only for a file the source reads too (a shared `.npmrc`); a conversion to
    // another file does not resolve the source's routes again for nothing (issue 20).
    let source_line_sets = std::cell::OnceCell::new();
    let mut composed = Vec::new();
    for draft in &drafts {
        let read_by_source = sources
            .iter()
            .any(|f| f.path == draft.file.path && f.text.is_some());
        let no_lines = HashSet::default();
        let lines = read_by_source.then(|| {
            let (used, relied_on) = source_line_sets.get_or_init(|| {
                (
                    source_lines(source_model, None),
                    source_lines(source_model, Some(source_routes)),
                )
            });
            SourceLines {
                used: used.get(&draft.file.display).unwrap_or(&no_lines),
                relied_on: relied_on.get(&draft.file.display).unwrap_or(&no_lines),
            }
        });
        let mut c = compose(draft, lines.map(|l| (l, req.from)))?;
        for e in &mut c.entries {
            if matches!(e.owner, Owner::Held { used: false, .. }) {
                e.keep = false;
            }
        }
        composed.push(c);
    }
    keep_user_lines(req, &drafts, &mut composed, warnings)?;
    keep_unrouted_credentials(&drafts, &mut composed)?;
    fit_source(req, sources, source_model, &drafts, &mut composed)?;
    let mut changes = Vec::new();
    for (draft, c) in drafts.iter().zip(&composed) {
        if let Some(change) = change_for(draft.writers[0].0, &draft.file, &c.wanted())? {
            changes.push(mend_for_target_readers(req, draft, change)?);
        }
    }
    list_workspace_projects(req, &drafts, &mut changes, warnings);
    // Before the targets' findings join the source's.
    let moved = super::readers_moved::readers_moved(req, &changes, warnings)?;
    let (read_apart, pins) =
        check_targets(req, sources, source_model, &drafts, &changes, warnings)?;
    warnings.extend(moved);
    refuse_user_files_behind_links(req, &changes)?;
    keep_bystanders(req, &changes)?;
    warnings.extend(yarn_classic_stops(req, &changes)?);
    warnings.extend(files_dropped_while_unset(req, &changes)?);
    warnings.extend(secrets_into_readable_files(&changes));
    Ok(Planned {
        changes,
        read_apart,
        pins,
    })
}

/// A workspace file a target reads, which must list the workspace's projects for the target
/// run in a member to work from this root as the other managers do (pnpm and package.json's
/// `workspaces`, `Rules::projects_to_list`): the list written at the file's top and said in a
/// note; where pmrc cannot add it, a warning names the lines to add. From a trial: npm -> pnpm
/// 12 in an npm workspace wrote a pnpm-workspace.yaml with `registries` alone, and real pnpm
/// 12.21.0 in the member then read none of the root's config.
fn list_workspace_projects(
    req: &Request,
    drafts: &[Draft],
    changes: &mut Vec<FileChange>,
    warnings: &mut Vec<Warning>,
) {
    for draft in drafts {
        let at = changes.iter().position(|c| c.path == draft.file.path);
        let text = match at {
            Some(i) => Some(changes[i].after.as_str()),
            None => draft.file.text.as_deref(),
        };
        let needing: Vec<(Manager, Vec<String>)> = draft
            .writers
            .iter()
            .filter_map(|(m, _)| {
                Some((*m, m.rules().projects_to_list(req.dir, &draft.file, text)?))
            })
            .collect();
        let Some((manager, patterns)) = needing.first() else {
            continue;
        };
        let managers: Vec<Manager> = needing.iter().map(|(m, _)| *m).collect();
        let who = super::listed(&managers);
        let quoted: Vec<String> = patterns
            .iter()
            .map(|p| serde_json::to_string(p).unwrap_or_else(|_| p.clone()))
            .collect();
        let why = format!(
            "{who}, run in a member of this workspace, {} its config from this root only where {} lists the member in `packages` ({} package.json's `workspaces`); without it, the member is a project of its own and reads none of this root's config",
            if managers.len() == 1 { "reads" } else { "read" },
            draft.file.display,
            if managers.len() == 1 {
                "it ignores"
            } else {
                "they ignore"
            },
        );
        let origin = Some(crate::model::Origin {
            file: crate::model::Origin::shared(&draft.file.display),
            line: 1,
            level: draft.file.level,
        });
        match crate::formats::pnpm_workspace::with_packages(text.unwrap_or_default(), patterns) {
            Some(after) => {
                match at {
                    Some(i) => changes[i].after = after,
                    None => changes.push(FileChange {
                        path: draft.file.path.clone(),
                        display: draft.file.display.clone(),
                        manager: *manager,
                        format: draft.file.format,
                        level: draft.file.level,
                        before: draft.file.text.clone(),
                        after,
                        masked_after: Vec::new(),
                    }),
                }
                warnings.push(Warning::note(
                    Code::WorkspaceProjectsListed,
                    format!(
                        "{why}: `packages` is written from package.json's `workspaces` ({})",
                        quoted.join(", ")
                    ),
                    origin,
                ));
            }
            None => warnings.push(Warning::new(
                Code::WorkspaceProjectsListed,
                format!(
                    "{why}, and pmrc cannot add the list to this file as it is written: add `packages:` with {} at its top level",
                    quoted.join(", ")
                ),
                origin,
            )),
        }
    }
}

/// A user-level file serves every project of its user (`--user`): a line of it the
/// translation has no need to remove stays, such as a `registry=` this project's own file
/// overrides or a token for a registry this project never uses. A line a target must not read
/// for this project to do what the source does is removed, and said: the user's other
/// projects lose it too. The lines of one entry (a scope's `url` and `token`, a registry's
/// `username` and `_password`) stay or go together: half an entry is another entry.
fn keep_user_lines(
    req: &Request,
    drafts: &[Draft],
    composed: &mut [Composed],
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    for d in 0..drafts.len() {
        let file = &drafts[d].file;
        let Some(text) = file.text.as_deref().filter(|_| file.level == Level::User) else {
            continue;
        };
        let held = file
            .format
            .settings(text)
            .map_err(|e| e.in_file(&file.path))?;
        let targets: Vec<Manager> = drafts[d].writers.iter().map(|(m, _)| *m).collect();
        let removed = |path: &SettingPath, line: usize, why: String| {
            Warning::new(
                Code::UserFileLineRemoved,
                format!(
                    "`{}` is removed: {why}, and every other project of this user that reads this file loses it too",
                    path.join("."),
                ),
                Some(crate::model::Origin {
                    file: crate::model::Origin::shared(&file.display),
                    line,
                    level: Level::User,
                }),
            )
        };
        // Candidates by entry, in the file's order.
        let mut groups: Vec<(Vec<String>, Vec<HeldAt>)> = Vec::new();
        for setting in held {
            let entries = &mut composed[d].entries;
            let at = entries.iter().position(|e| e.path == setting.path);
            let taken = |i: usize| groups.iter().flat_map(|(_, g)| g).any(|&(j, _)| j == i);
            if at.is_some_and(|i| entries[i].keep || taken(i)) || !file.format.edits(&setting.path)
            {
                continue;
            }
            if let Some(refusing) = targets.iter().find(|m| {
                m.rules()
                    .refuses_setting(file, &setting.path, &setting.value)
                    .is_some()
            }) {
                warnings.push(removed(
                    &setting.path,
                    setting.line,
                    format!("{refusing} refuses a file holding it"),
                ));
                continue;
            }
            let i = at.unwrap_or_else(|| {
                entries.push(Entry {
                    path: setting.path.clone(),
                    value: setting.value.clone(),
                    owner: Owner::Held {
                        used: false,
                        wanted: false,
                    },
                    keep: false,
                });
                entries.len() - 1
            });
            let entry = entry_of(file.format, &setting.path);
            match groups.iter_mut().find(|(e, _)| *e == entry) {
                Some((_, members)) => members.push((i, setting.line)),
                None => groups.push((entry, vec![(i, setting.line)])),
            }
        }
        if groups.is_empty() {
            continue;
        }
        let mut readers = Vec::new();
        for &to in req.to {
            let files = discover::locate(to, req.dir, req.user, req.env)?;
            if files.iter().any(|f| f.path == file.path) {
                readers.push((to, files));
            }
        }
        let read = |composed: &[Composed]| -> Result<Vec<Model>> {
            let texts = planned_texts_where(drafts, composed, |_| true)?;
            readers
                .iter()
                .map(|(to, files)| read_with(*to, files, &texts))
                .collect()
        };
        let alike = |a: &[Model], b: &[Model]| {
            readers
                .iter()
                .zip(a.iter().zip(b))
                .all(|((to, _), (a, b))| difference(*to, a, b) == Difference::None)
        };
        let without = read(composed)?;
        let keep = |composed: &mut [Composed], members: &[HeldAt], keep: bool| {
            for &(i, _) in members {
                composed[d].entries[i].keep = keep;
            }
        };
        for (_, members) in &groups {
            keep(composed, members, true);
        }
        if alike(&without, &read(composed)?) {
            continue;
        }
        // Entry by entry, each beside those kept before it: what stays, stays together.
        for (_, members) in &groups {
            keep(composed, members, false);
        }
        let readers_named =
            super::readers_moved::listed(&readers.iter().map(|r| r.0).collect::<Vec<_>>());
        for (_, members) in &groups {
            keep(composed, members, true);
            if alike(&without, &read(composed)?) {
                continue;
            }
            keep(composed, members, false);
            for &(i, line) in members {
                warnings.push(removed(
                    &composed[d].entries[i].path,
                    line,
                    format!(
                        "{readers_named} must not read it for this project to do what {} does",
                        req.from
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A project file's credentials keyed to the location of a host no registry of the files
/// the run writes is on, before the change or after it, stay: a token for the host a
/// registry serves its tarballs from, or for a publish registry. The source may have no way
/// to say it (Yarn sends a registry's token to its tarballs' host), and a review saw one
/// removed (real npm 11.21 then sent no token there). One on a host a registry uses, with
/// or without its port (pnpm also tries a key without the port), goes or stays with the
/// translation: it may be a replaced registry's, whichever file named that registry (pnpm's
/// workspace file). Decided from the texts, without reading the targets again (a large
/// config's file has thousands of such keys, issue 20).
fn keep_unrouted_credentials(drafts: &[Draft], composed: &mut [Composed]) -> Result<()> {
    // The hosts of each project file's location keys; then every host a registry is on, in
    // any file the run writes or in what it writes, takes its keys out. Lookups only: a
    // large config's thousands of values are not copied into a set (issue 20).
    let mut keyed: Vec<HashSet<String>> = vec![HashSet::default(); drafts.len()];
    for (draft, candidates) in drafts.iter().zip(keyed.iter_mut()) {
        let file = &draft.file;
        let Some(text) = file.text.as_deref().filter(|_| file.level != Level::User) else {
            continue;
        };
        let read = file.format.each_scalar(text, &mut |path, _, _| {
            if let Some(host) = location_host(file.format, path) {
                insert_host(candidates, &host);
            }
        });
        if let Some(read) = read {
            read.map_err(|e| e.in_file(&file.path))?;
        }
    }
    // Usually every key is on a registry's host, which the first values show: the rest of
    // the values are then not looked at.
    let left = std::cell::Cell::new(keyed.iter().map(HashSet::len).sum::<usize>());
    let mut routed = |host: &str| {
        for candidates in keyed.iter_mut() {
            if candidates.remove(host) {
                left.set(left.get() - 1);
            }
        }
    };
    for (draft, planned) in drafts.iter().zip(composed.iter()) {
        let format = draft.file.format;
        for entry in planned.entries.iter().filter(|e| e.keep && left.get() > 0) {
            if let Some(host) = location_host(format, &entry.path) {
                routed(&host);
            }
            if let SettingValue::Scalar(v) = &entry.value {
                url_hosts(v, &mut routed);
            }
        }
        let Some(text) = draft.file.text.as_deref().filter(|_| left.get() > 0) else {
            continue;
        };
        let each = &mut |_: &[&str], value: &str, _| {
            if left.get() > 0 {
                url_hosts(value, &mut routed);
            }
        };
        match format.each_scalar(text, each) {
            Some(read) => read.map_err(|e| e.in_file(&draft.file.path))?,
            None => {
                let held = format
                    .settings(text)
                    .map_err(|e| e.in_file(&draft.file.path))?;
                for s in held {
                    if let SettingValue::Scalar(v) = &s.value {
                        url_hosts(v, &mut routed);
                    }
                }
            }
        }
    }
    for ((draft, planned), keyed) in drafts.iter().zip(composed.iter_mut()).zip(keyed) {
        let file = &draft.file;
        let Some(text) = file.text.as_deref().filter(|_| !keyed.is_empty()) else {
            continue;
        };
        let format = file.format;
        // Only now, for the few keys on a host nothing routes to, the settings themselves.
        let mut unrouted: Vec<Setting> = Vec::new();
        let read = format.each_scalar(text, &mut |path, value, line| {
            if location_host(format, path).is_some_and(|host| keyed.contains(&*host)) {
                unrouted.push(Setting {
                    path: path.iter().map(|k| k.to_string()).collect(),
                    value: SettingValue::Scalar(value.to_string()),
                    line,
                });
            }
        });
        if let Some(read) = read {
            read.map_err(|e| e.in_file(&file.path))?;
        }
        let index: HashMap<SettingPath, usize> = planned
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.clone(), i))
            .collect();
        for setting in unrouted {
            let refused = draft.writers.iter().any(|(m, _)| {
                m.rules()
                    .refuses_setting(file, &setting.path, &setting.value)
                    .is_some()
            });
            if refused || !format.edits(&setting.path) {
                continue;
            }
            match index.get(&setting.path) {
                Some(&i) => planned.entries[i].keep = true,
                None => planned.entries.push(Entry {
                    path: setting.path,
                    value: setting.value,
                    owner: Owner::Held {
                        used: false,
                        wanted: false,
                    },
                    keep: true,
                }),
            }
        }
    }
    Ok(())
}

/// The host of an `http(s)://` URL value to `each`, with its port and without it.
fn url_hosts(value: &str, each: &mut impl FnMut(&str)) {
    let Some(host) = url_host(value) else {
        return;
    };
    if let Some((name, port)) = host.rsplit_once(':')
        && !host.ends_with(']')
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        each(name);
    }
    each(&host);
}

/// The host (and port) of a setting keyed to a registry's location: an `.npmrc`
/// `//host/path/:` key, a `.yarnrc.yml` `npmRegistries` entry's field.
fn location_host<S: AsRef<str>>(
    format: crate::formats::Format,
    path: &[S],
) -> Option<std::borrow::Cow<'_, str>> {
    let location = match (format, path) {
        (crate::formats::Format::Npmrc, [key]) => key.as_ref().strip_prefix("//")?,
        (crate::formats::Format::YarnrcYml, [map, key, _]) if map.as_ref() == "npmRegistries" => {
            let key = key.as_ref();
            let key = key.split_once("://").map_or(key, |(_, rest)| rest);
            key.strip_prefix("//").unwrap_or(key)
        }
        _ => return None,
    };
    let host = location.split('/').next()?;
    // `//host:_authToken`, with no path: the last `:` starts the field.
    let host = match (format, location.contains('/')) {
        (crate::formats::Format::Npmrc, false) => host.rsplit_once(':').map_or(host, |(h, _)| h),
        _ => host,
    };
    Some(lowercase(host))
}

/// The host (and port) of an `http(s)://` URL value.
fn url_host(value: &str) -> Option<std::borrow::Cow<'_, str>> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))?;
    let authority = rest.split('/').next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(lowercase(host))
}

/// A host in lower case, borrowed where it is already: thousands per large file (issue 20).
fn lowercase(host: &str) -> std::borrow::Cow<'_, str> {
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(host.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(host)
    }
}

/// `host` into `set`, copied only when it is not there yet.
fn insert_host(set: &mut HashSet<String>, host: &str) {
    if !set.contains(host) {
        set.insert(host.to_string());
    }
}

/// A held setting's place in its file's planned entries, and its line.
type HeldAt = (usize, usize);

/// The entry a setting belongs to, whose settings stay or go together: a `.npmrc` key's
/// registry location (`//host/path/:`), or a structured file's map holding the field
/// (`install.scopes.acme`, `npmRegistries."//host"`).
fn entry_of(format: crate::formats::Format, path: &[String]) -> Vec<String> {
    match (format, path) {
        (crate::formats::Format::Npmrc, [key]) if key.starts_with("//") => {
            vec![
                key.rsplit_once(':')
                    .map_or(key.as_str(), |(at, _)| at)
                    .to_string(),
            ]
        }
        (crate::formats::Format::Npmrc, _) => path.to_vec(),
        _ if path.len() >= 3 => path[..path.len() - 1].to_vec(),
        _ => path.to_vec(),
    }
}

/// An `.npmrc` written for the run that a target reads with an ini that reads some values
/// otherwise than npm (pnpm 12 keeps an inline comment in a value), whether that target
/// writes the file or another does (`~/.npmrc` written for npm, read by pnpm 12 beside its
/// `auth.ini`): those lines are written so that every reader reads npm's value, which is
/// the one the plan means. Kept as planned where the source or npm would then read the
/// file otherwise (which the mend is built not to do).
fn mend_for_target_readers(req: &Request, draft: &Draft, change: FileChange) -> Result<FileChange> {
    use crate::formats::{Format, npmrc};
    if change.format != Format::Npmrc {
        return Ok(change);
    }
    let mut dialect = None;
    for &to in req.to {
        let d = to.rules().npmrc_dialect();
        if d != npmrc::IniDialect::Pnpm12 {
            continue;
        }
        let reads = draft.writers.iter().any(|(m, _)| *m == to)
            || discover::locate(to, req.dir, req.user, req.env)?
                .iter()
                .any(|f| f.path == change.path);
        if reads {
            dialect = Some(d);
            break;
        }
    }
    let Some(dialect) = dialect else {
        return Ok(change);
    };
    let Some(mended) = npmrc::mend_values_read_apart(&change.after, dialect) else {
        return Ok(change);
    };
    // Lines move (a comment goes above its value); the settings, in order, must not, as
    // npm reads them (`settings`) and as the source does.
    let pairs = |read: std::result::Result<Vec<crate::formats::Setting>, _>| {
        read.ok().map(|held| {
            held.into_iter()
                .map(|s| (s.path, s.value))
                .collect::<Vec<_>>()
        })
    };
    let unchanged = |read: &dyn Fn(&str) -> Option<Vec<_>>| {
        let planned = read(&change.after);
        planned.is_some() && planned == read(&mended.text)
    };
    let by_npm = |text: &str| pairs(Format::Npmrc.settings(text));
    let by_source = |text: &str| pairs(Format::Npmrc.settings_read_by(text, req.from));
    if !(unchanged(&by_npm) && unchanged(&by_source)) {
        return Ok(change);
    }
    Ok(FileChange {
        after: mended.text,
        masked_after: mended.secret_comments,
        ..change
    })
}

/// A file written for the run that a manager in play ignores as a whole while a variable it
/// references is unset, as it is here (pnpm 10, any `.npmrc`): routes, read from the
/// model, cannot show that. A target is told whenever it would read nothing of the file; the
/// source and bystanders only when the change makes them drop a file they read before.
fn files_dropped_while_unset(req: &Request, changes: &[FileChange]) -> Result<Vec<Warning>> {
    let is_set = |name: &str| std::env::var_os(name).is_some();
    let readers = req
        .to
        .iter()
        .chain([&req.from])
        .chain(req.bystanders)
        .copied();
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for reader in readers {
        if seen.contains(&reader) {
            continue;
        }
        seen.push(reader);
        // Located only when a change would be dropped: most readers drop nothing.
        let mut read = None;
        for c in changes {
            let rules = reader.rules();
            // A user file serves every project of its user, wherever the variable is unset
            // (from a review: pnpm 10 lost another project's token over a line pmrc wrote).
            let never_set = |_: &str| false;
            let (dropped, set_here) =
                match rules.drops_file_here(c.format, c.level, &c.after, &is_set) {
                    Some(dropped) => (dropped, false),
                    None if c.level == crate::model::Level::User => {
                        let Some(dropped) =
                            rules.drops_file_here(c.format, c.level, &c.after, &never_set)
                        else {
                            continue;
                        };
                        let before_too = c.before.as_deref().is_some_and(|before| {
                            rules
                                .drops_file_here(c.format, c.level, before, &never_set)
                                .is_some()
                        });
                        if before_too {
                            continue;
                        }
                        (dropped, true)
                    }
                    None => continue,
                };
            if read.is_none() {
                read = Some(discover::locate(reader, req.dir, req.user, req.env)?);
            }
            if !read.iter().flatten().any(|f| f.path == c.path) {
                continue;
            }
            let dropped_before = c.before.as_deref().is_some_and(|before| {
                rules
                    .drops_file_here(c.format, c.level, before, &is_set)
                    .is_some()
            });
            if dropped_before && !req.to.contains(&reader) {
                continue;
            }
            // A note, as for a target that stops: the variable may be set where it runs.
            let message = if set_here {
                format!(
                    "{} ignores the whole of {} wherever {} is unset (it is set here; \"{}\"): every project of this user then loses the registries and credentials in it; set {} wherever {} runs",
                    reader.label(),
                    c.display,
                    dropped.variable,
                    dropped.error,
                    dropped.variable,
                    reader.label()
                )
            } else {
                format!(
                    "{} ignores the whole of {} while {} is unset, as it is here (\"{}\"): none of its registries or credentials reach it; set {} wherever it runs",
                    reader.label(),
                    c.display,
                    dropped.variable,
                    dropped.error,
                    dropped.variable
                )
            };
            out.push(Warning::note(
                Code::ReaderDropsFileWhileUnset,
                message,
                Some(dropped.origin(&c.display, c.level)),
            ));
        }
    }
    Ok(out)
}

/// `pnpm-workspace.yaml` is meant to be committed: a URL with credentials in it
/// (`user:password@`, a token as user, `?token=`) is not written there. pnpm 11/12 read the
/// same routing and proxy lines from `.npmrc`, which gets them.
fn keep_credentials_out_of_committed_files(drafts: &mut [Draft], warnings: &mut Vec<Warning>) {
    for draft in drafts {
        if draft.file.format != crate::formats::Format::PnpmWorkspace {
            continue;
        }
        for (_, wanted) in &mut draft.writers {
            wanted.retain(|(path, value)| {
                let SettingValue::Scalar(v) = value else {
                    return true;
                };
                if crate::redact::url_secret_spans(v).is_empty() {
                    return true;
                }
                warnings.push(Warning::note(
                    Code::PnpmCredentialsKeptInNpmrc,
                    format!(
                        "`{}` has credentials in its URL, so it is written to .npmrc only (pnpm reads it there too), not to pnpm-workspace.yaml, which is meant to be committed",
                        path.join(".")
                    ),
                    None,
                ));
                false
            });
        }
    }
}

/// A target never writes a line it refuses the whole file for (pnpm 12 and a `${VAR}`
/// registry in a project file): what it loses is reported by the route check.
fn drop_lines_writers_refuse(drafts: &mut [Draft]) {
    for draft in drafts {
        let file = &draft.file;
        for (manager, wanted) in &mut draft.writers {
            wanted.retain(|(path, value)| {
                manager.rules().refuses_setting(file, path, value).is_none()
            });
        }
    }
}

/// The lines of one file the source takes values from.
struct SourceLines<'a> {
    used: &'a HashSet<usize>,
    /// Those that decide what it does: not a credential that no request of it carries.
    relied_on: &'a HashSet<usize>,
}

/// Merges the targets' wishes for one file. A file the source reads keeps every setting
/// the source takes a value from, and the source's spelling wins where a target would write
/// the same key another way (unless the source's value there is a credential none of its
/// requests carries); elsewhere the file holds exactly what the targets want. The source's
/// lines (with `source_lines`) are taken as the source reads them (pnpm 12's ini).
fn compose(draft: &Draft, source_lines: Option<(SourceLines, Manager)>) -> Result<Composed> {
    let file = &draft.file;
    let mut entries: Vec<Entry> = Vec::new();
    let mut relied_on = HashSet::default();
    if let Some((lines, source)) = source_lines {
        let used = lines.used;
        let held = file
            .format
            .settings_read_by(file.text.as_deref().unwrap_or_default(), source)
            .map_err(|e| e.in_file(&file.path))?;
        entries = held
            .into_iter()
            .inspect(|s| {
                if lines.relied_on.contains(&s.line) {
                    relied_on.insert(s.path.clone());
                }
            })
            .map(|s| Entry {
                path: s.path,
                value: s.value,
                owner: Owner::Held {
                    used: used.contains(&s.line),
                    wanted: false,
                },
                keep: true,
            })
            .collect();
    }
    let mut index: HashMap<SettingPath, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path.clone(), i))
        .collect();
    for (manager, wishes) in &draft.writers {
        for (path, value) in wishes {
            let Some(&i) = index.get(path) else {
                index.insert(path.clone(), entries.len());
                entries.push(Entry {
                    path: path.clone(),
                    value: value.clone(),
                    owner: Owner::Added(*manager),
                    keep: true,
                });
                continue;
            };
            let entry = &mut entries[i];
            match entry.owner {
                Owner::Held { .. } if entry.value == *value => {
                    entry.owner = Owner::Held {
                        used: true,
                        wanted: true,
                    };
                }
                // A credential the source holds but never sends gives way.
                Owner::Held { .. } if !relied_on.contains(path) => {
                    entry.value = value.clone();
                    entry.owner = Owner::Held {
                        used: true,
                        wanted: true,
                    };
                }
                // The source's own line stays; whether the target still gets what it
                // needs is checked against the final files.
                Owner::Held { .. } => {}
                Owner::Added(_) if entry.value == *value => {}
                Owner::Added(other) => {
                    return Err(Error::Refused {
                        path: file.path.clone(),
                        reason: format!(
                            "{other} and {manager} both read this file and need different values for `{}`; convert to one of them at a time",
                            path.join(".")
                        ),
                    });
                }
            }
        }
    }
    Ok(Composed { entries })
}

/// The lines of each file (by its displayed name) that `model` takes a value from: what
/// the source uses. (pnpm 10 takes no scope from `.npmrc` when its yaml has `registries`.)
/// With `sending` (the source's routes), credentials only where its requests carry them.
fn source_lines(model: &Model, sending: Option<&[Route]>) -> HashMap<String, HashSet<usize>> {
    // With `sending`, only the credentials its requests carry count.
    let sent: Option<HashSet<&AuthKey>> = sending.map(|routes| {
        routes
            .iter()
            .filter_map(|r| r.credential_key.as_ref())
            .collect()
    });
    let values = model
        .fields()
        .into_iter()
        .filter(|(field, _)| sent.is_none() || !field.is_credential_part())
        .map(|(_, v)| v)
        .chain(sent.iter().flat_map(|sent| {
            model
                .auth
                .iter()
                .filter(|(key, _)| sent.contains(*key))
                .flat_map(|(_, creds)| creds.values())
        }));
    // Grouped by path first: a large config has a few files and thousands of values.
    let mut by_file: HashMap<&Path, HashSet<usize>> = HashMap::default();
    for v in values {
        if let Some(o) = &v.origin {
            by_file.entry(&*o.file).or_default().insert(o.line);
        }
    }
    let mut out: HashMap<String, HashSet<usize>> = HashMap::default();
    for (file, lines) in by_file {
        out.entry(file.display().to_string())
            .or_default()
            .extend(lines);
    }
    out
}

/// What a manager does with its config, as far as a shared file can change it.
pub(super) struct Behaviour {
    routes: Vec<Route>,
    /// Which routes the manager stops before sending (`Rules::request_fails`).
    fails: Vec<bool>,
    network: Model,
}

/// Alike when every group of packages is routed alike ([`Route::acts_like`]) and the
/// network settings are equal.
impl PartialEq for Behaviour {
    fn eq(&self, other: &Self) -> bool {
        self.routes.len() == other.routes.len()
            && self
                .routes
                .iter()
                .zip(&other.routes)
                .all(|(a, b)| a.packages == b.packages && a.acts_like(b))
            && self.fails == other.fails
            && self.network == other.network
    }
}

pub(super) fn behaviour(
    manager: Manager,
    model: &Model,
    groups: &[resolve::Packages],
) -> Behaviour {
    let routes = resolve::routes_for(model, manager, groups.to_vec());
    let (http, https) = crate::managers::proxies_by_scheme(manager, &model.proxy);
    let proxy = crate::model::Proxy {
        http: http.cloned(),
        https: https.cloned(),
        noproxy: model.proxy.noproxy.clone(),
    };
    let network = Model {
        tls: model.tls.clone(),
        proxy,
        hosts: model.hosts.clone(),
        http_allowed: model.http_allowed.clone(),
        publish_registry: model.publish_registry.clone(),
        ..Model::default()
    };
    let fails = routes
        .iter()
        .map(|r| manager.rules().request_fails(model, r).is_some())
        .collect();
    Behaviour {
        routes,
        fails,
        network,
    }
}

/// `manager`'s merged model over its files, with planned texts in place of the current ones.
pub(super) fn read_with(
    manager: Manager,
    files: &[ConfigFile],
    planned: &HashMap<&Path, String>,
) -> Result<Model> {
    Ok(read_with_warnings(manager, files, planned)?.0)
}

/// [`read_with`], with what reading the files reported.
fn read_with_warnings(
    manager: Manager,
    files: &[ConfigFile],
    planned: &HashMap<&Path, String>,
) -> Result<(Model, Vec<Warning>)> {
    discover::read_merged(manager, &with_planned(files, planned))
}

/// [`read_with_warnings`], for the plan's callers.
pub(super) fn read_after(
    manager: Manager,
    files: &[ConfigFile],
    planned: &HashMap<&Path, String>,
) -> Result<(Model, Vec<Warning>)> {
    read_with_warnings(manager, files, planned)
}

/// `files` with the planned texts in place of their own.
fn with_planned(files: &[ConfigFile], planned: &HashMap<&Path, String>) -> Vec<ConfigFile> {
    files
        .iter()
        .map(|f| match planned.get(f.path.as_path()) {
            Some(text) => ConfigFile {
                text: Some(crate::formats::kept::shared_text(text)),
                ..f.clone()
            },
            None => f.clone(),
        })
        .collect()
}

/// The texts the composed settings make, for the files the source reads.
fn planned_texts<'a>(
    drafts: &'a [Draft],
    composed: &[Composed],
    sources: &[ConfigFile],
) -> Result<HashMap<&'a Path, String>> {
    planned_texts_where(drafts, composed, |file| {
        sources.iter().any(|s| s.path == file.path)
    })
}

/// The planned text of each drafted file `include` takes.
fn planned_texts_where<'a>(
    drafts: &'a [Draft],
    composed: &[Composed],
    include: impl Fn(&ConfigFile) -> bool,
) -> Result<HashMap<&'a Path, String>> {
    let mut out = HashMap::default();
    for (draft, c) in drafts.iter().zip(composed) {
        let file = &draft.file;
        if !include(file) {
            continue;
        }
        let before = file.text.as_deref().unwrap_or_default();
        let after = file
            .format
            .edit(before, &c.wanted())
            .map_err(|message| Error::Edit {
                path: file.path.clone(),
                message,
            })?;
        out.insert(file.path.as_path(), after);
    }
    Ok(out)
}

/// Whether two readings of the same manager make it behave alike.
#[derive(PartialEq)]
pub(super) enum Difference {
    None,
    Some,
}

pub(super) fn difference(manager: Manager, a: &Model, b: &Model) -> Difference {
    if a.same_reading(b) {
        return Difference::None;
    }
    let mut groups = resolve::groups_of(a, b);
    // And a scope neither names, which goes where any such scope goes: Yarn 1 sends a token
    // with scoped packages only, unless `always-auth` is set.
    groups.push(resolve::Packages::Scope(resolve::UNNAMED_SCOPE.into()));
    if behaviour(manager, a, &groups) == behaviour(manager, b, &groups) {
        Difference::None
    } else {
        Difference::Some
    }
}

/// The source manager must do exactly what it did before. A key a target gains in a file
/// the source reads, which would change where or how the source sends requests or reaches
/// the network, is refused: the two managers truly conflict there.
fn fit_source(
    req: &Request,
    sources: &[ConfigFile],
    source_model: &Model,
    drafts: &[Draft],
    composed: &mut [Composed],
) -> Result<()> {
    let from = req.from;
    let shared: Vec<usize> = (0..drafts.len())
        .filter(|&d| sources.iter().any(|s| s.path == drafts[d].file.path))
        .collect();
    if shared.is_empty() {
        return Ok(());
    }
    let read = |composed: &[Composed]| -> Result<Model> {
        read_with(from, sources, &planned_texts(drafts, composed, sources)?)
    };
    let unchanged = |model: &Model| difference(from, source_model, model) == Difference::None;
    if !unchanged(&read(composed)?) {
        // Which gained keys change it: each is taken out in turn.
        for &d in &shared {
            for e in 0..composed[d].entries.len() {
                let Owner::Added(target) = composed[d].entries[e].owner else {
                    continue;
                };
                let with = read(composed)?;
                composed[d].entries[e].keep = false;
                let without = read(composed)?;
                let file = &drafts[d].file;
                let key = composed[d].entries[e].path.join(".");
                if difference(from, &with, &without) == Difference::None {
                    composed[d].entries[e].keep = true;
                    continue;
                }
                return Err(Error::Refused {
                    path: file.path.clone(),
                    reason: format!(
                        "{target} needs `{key}` in this file, but {from} reads it too and would then do otherwise (send its requests, or reach the network, differently); leave {target} out of this conversion, or give {from} and {target} these settings in files only each of them reads"
                    ),
                });
            }
        }
        if !unchanged(&read(composed)?) {
            return Err(Error::Refused {
                path: drafts[shared[0]].file.path.clone(),
                reason: format!(
                    "the planned files would change what {from} does, and pmrc cannot tell which setting does it (a bug in pmrc; please report it)"
                ),
            });
        }
    }
    // A line the source uses but a target refuses the whole file for (npm and Yarn 1's
    // top-level `_auth`): gone when what the targets add serves the source as well.
    for &d in &shared {
        for e in 0..composed[d].entries.len() {
            let entry = &composed[d].entries[e];
            let refusing = drafts[d].writers.iter().find_map(|(m, _)| {
                let advice =
                    m.rules()
                        .refuses_setting(&drafts[d].file, &entry.path, &entry.value)?;
                Some((*m, advice))
            });
            let (Some((target, advice)), Owner::Held { wanted: false, .. }, true) =
                (refusing, entry.owner, entry.keep)
            else {
                continue;
            };
            composed[d].entries[e].keep = false;
            if !unchanged(&read(composed)?) {
                return Err(Error::Refused {
                    path: drafts[d].file.path.clone(),
                    reason: format!(
                        "{target} refuses this file while it holds `{}`, which {from} needs here; {advice}",
                        composed[d].entries[e].path.join(".")
                    ),
                });
            }
        }
    }
    Ok(())
}

/// A manager named in pmrc.toml that this run neither reads from nor writes for must do
/// what it did: a change to a file it reads that would make it do otherwise is refused.
/// An `.npmrc` written for another target that Yarn 1 reads too (the project has its
/// `.yarnrc`, or pmrc.toml names it), given npm's `${VAR?}` it did not hold before: Yarn 1
/// has no such form, looks up a variable named `VAR?` and stops every command (spec/yarn.md
/// B3; conformance `yarn1_stops_on_an_optional_reference`). Routes cannot show that, so it
/// is said here.
fn yarn_classic_stops(req: &Request, changes: &[FileChange]) -> Result<Vec<Warning>> {
    let mut out = Vec::new();
    // The managers that take `${VAR?}` for a variable named `VAR?` (Yarn 1).
    for &reader in crate::managers::SETTLED
        .iter()
        .filter(|m| m.rules().takes_optional_form_for_a_name())
    {
        let in_play = req.bystanders.contains(&reader)
            || req.present.contains(&reader)
            || reader
                .rules()
                .marker_files()
                .iter()
                .any(|m| req.dir.join(m).is_file());
        if req.from == reader || req.to.contains(&reader) || !in_play {
            continue;
        }
        let read = discover::locate(reader, req.dir, req.user, req.env)?;
        for c in changes {
            if c.format != crate::formats::Format::Npmrc || !read.iter().any(|f| f.path == c.path) {
                continue;
            }
            let before = optional_references(c.before.as_deref().unwrap_or_default());
            for (name, line) in optional_references(&c.after) {
                if before.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                out.push(Warning::new(
                    Code::YarnClassicOptionalReference,
                    format!(
                        "{} reads this file too, and `${{{name}?}}`, npm's optional form, is one it does not have: every command would stop with \"Failed to replace env in config: ${{{name}?}}\", whether {name} is set or not",
                        reader.label()
                    ),
                    Some(crate::model::Origin {
                        file: crate::model::Origin::shared(&c.display),
                        line,
                        level: c.level,
                    }),
                ));
            }
        }
    }
    Ok(out)
}

/// The names of npm's `${NAME?}` references in an `.npmrc` text, each with its first line.
fn optional_references(text: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with(['#', ';']) {
            continue;
        }
        for (at, _) in line.match_indices("${") {
            let inner = line[at + 2..].split('}').next().unwrap_or_default();
            if let Some(name) = inner.strip_suffix('?')
                && !name.is_empty()
                && !out.iter().any(|(n, _)| n == name)
            {
                out.push((name.to_string(), i + 1));
            }
        }
    }
    out
}

/// A literal secret written into a file that had none and that group or others can read:
/// the write keeps the file's mode, so it is said with the command that closes it (from a
/// trial: a 664 `.npmrc` got a token, and only `doctor` said so, later). A new file holding
/// one is created 0600.
fn secrets_into_readable_files(changes: &[FileChange]) -> Vec<Warning> {
    changes
        .iter()
        .filter(|c| c.status() == super::Status::Modify)
        .filter_map(|c| {
            // The mode first: a file only its owner reads needs no scan for secrets.
            let mode = crate::doctor::mode_of(&c.path).filter(|m| m & 0o077 != 0)?;
            if !c.secret_spans_before().is_empty() {
                return None;
            }
            let line = c
                .secret_spans_after()
                .iter()
                .map(|s| crate::formats::line_col(&c.after, s.start).0)
                .min()?;
            Some(Warning::new(
                Code::SecretFilePermissions,
                format!(
                    "the file will hold a literal secret and its mode is {mode:o}, which the write keeps: group or others can read it; run `chmod 600 {}`",
                    crate::doctor::shell_word(&c.path.display().to_string())
                ),
                Some(crate::model::Origin {
                    file: crate::model::Origin::shared(&c.display),
                    line,
                    level: c.level,
                }),
            ))
        })
        .collect()
}

/// No project file that is in truth a user-level file is written (from a trial: a project
/// `.npmrc` linked to `~/.npmrc` had a `registry=` added, which moved every other project of
/// the user, and nothing was said; with `--user` it was planned as the project's file and
/// lost the user's npmjs token). Removing the link loses nothing: the managers still read
/// the file as the user's, and pmrc then writes the project its own.
fn refuse_user_files_behind_links(req: &Request, changes: &[FileChange]) -> Result<()> {
    for change in changes.iter().filter(|c| c.level == Level::Project) {
        if change.status() == super::Status::Unchanged {
            continue;
        }
        if let Some(user_file) = discover::user_file_behind(&change.path, req.dir, req.env) {
            return Err(Error::Refused {
                path: change.path.clone(),
                reason: format!(
                    "is a link to {user_file}, a user-level file every project of this user reads, which pmrc does not write as a project's; remove the link (`rm {}`), which the managers then read as the user's file still, and run pmrc again",
                    crate::doctor::shell_word(&change.path.display().to_string())
                ),
            });
        }
    }
    Ok(())
}

fn keep_bystanders(req: &Request, changes: &[FileChange]) -> Result<()> {
    let planned = planned_changes(changes);
    for &other in req.bystanders {
        if let Some(path) = moved_by(other, (req.dir, req.user, req.env), &planned)? {
            return Err(Error::Refused {
                path,
                reason: format!(
                    "{other}, which pmrc.toml names, reads this file too and would then do otherwise; convert to it as well (add {other} to --to)"
                ),
            });
        }
    }
    Ok(())
}

/// The other managers whose own file is in the project, neither source nor target, that the
/// final plan makes do otherwise, each at the first line changed in the file it reads: said,
/// not refused, as nothing says the manager is used here (a pnpm project's `.npmrc` is npm's
/// marker too); pmrc.toml's bystanders are refused instead ([`keep_bystanders`]).
pub(super) fn present_readers_moved(req: &Request, changes: &[FileChange]) -> Result<Vec<Warning>> {
    let planned = planned_changes(changes);
    let mut out = Vec::new();
    for &other in req.present {
        let Some((path, how)) = moved_how(other, (req.dir, req.user, req.env), &planned)? else {
            continue;
        };
        let Some(change) = changes.iter().find(|c| c.path == path) else {
            continue;
        };
        let before = change.before.as_deref().unwrap_or_default();
        let line = before
            .lines()
            .zip(change.after.lines())
            .position(|(b, a)| b != a)
            .unwrap_or_else(|| before.lines().count().min(change.after.lines().count()))
            + 1;
        let marker = crate::managers::ManagerArg::Exact(other)
            .marker_in(req.dir)
            .and_then(|p| Some(p.file_name()?.to_string_lossy().into_owned()));
        // In play without a file of its own: package.json's `packageManager` names it.
        let (why, used) = match (marker, crate::managers::named_for(req.dir)) {
            (Some(marker), _) => (format!("whose {marker} is here"), "if {other} is used here"),
            (None, Ok(Some((_, spec, file)))) => (
                format!("which {file}'s packageManager \"{spec}\" names"),
                "as Corepack runs {other} here",
            ),
            (None, _) => (
                format!("whose {} is here", other.marker_file()),
                "if {other} is used here",
            ),
        };
        let used = used.replace("{other}", &other.to_string());
        out.push(Warning::new(
            Code::PresentReaderMoved,
            format!(
                "{other}, {why}, reads {} too, and the change makes it request packages or send credentials otherwise than now{}; {used}, convert to it as well (add {other} to --to), or name it in pmrc.toml's `to` so that pmrc refuses such a change",
                change.display,
                if how.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", how.join("; "))
                }
            ),
            Some(crate::model::Origin {
                file: crate::model::Origin::shared(&change.display),
                line,
                level: change.level,
            }),
        ));
    }
    Ok(out)
}

/// The new texts of the files the changes alter, by path.
pub(super) fn planned_changes(changes: &[FileChange]) -> HashMap<&Path, String> {
    changes
        .iter()
        .filter(|c| c.status() != super::Status::Unchanged)
        .map(|c| (c.path.as_path(), c.after.clone()))
        .collect()
}

/// The first of `manager`'s files that `planned` alters, where the new texts make it do
/// otherwise than the files as they are.
pub(super) fn moved_by(
    manager: Manager,
    at: (&Path, bool, &discover::Environment),
    planned: &HashMap<&Path, String>,
) -> Result<Option<std::path::PathBuf>> {
    Ok(moved_how(manager, at, planned)?.map(|(path, _)| path))
}

/// [`moved_by`], with the first group of packages the manager then requests or
/// authenticates otherwise (from a trial: a conversion to pnpm 10 replaced npm's publish
/// token with Yarn's, and the warning did not say which credential npm lost).
fn moved_how(
    manager: Manager,
    (dir, user, env): (&Path, bool, &discover::Environment),
    planned: &HashMap<&Path, String>,
) -> Result<Option<(std::path::PathBuf, Vec<String>)>> {
    let files = discover::locate(manager, dir, user, env)?;
    let Some(touched) = files
        .iter()
        .find(|f| planned.contains_key(f.path.as_path()))
    else {
        return Ok(None);
    };
    let before = discover::read_merged(manager, &files)?.0;
    let after = read_with(manager, &files, planned)?;
    Ok(
        (difference(manager, &before, &after) != Difference::None).then(|| {
            (
                touched.path.clone(),
                crate::translate::what_moved(manager, &before, &after),
            )
        }),
    )
}

/// A file and a line in it, as a finding's origin names them.
type LineAt = (std::rc::Rc<std::path::PathBuf>, usize);

/// Every target, resolved against the final files (its own and those it shares), must do
/// what its translation meant; where a shared file makes it do otherwise, the difference
/// from the source is reported like any other loss. True when a target reads a line apart
/// from npm where the source does not (or otherwise), which pmrc leaves as written.
fn check_targets(
    req: &Request,
    sources: &[ConfigFile],
    source_model: &Model,
    drafts: &[Draft],
    changes: &[FileChange],
    warnings: &mut Vec<Warning>,
) -> Result<(bool, super::pins::Wanted)> {
    let planned: HashMap<&Path, String> = changes
        .iter()
        .map(|c| (c.path.as_path(), c.after.clone()))
        .collect();
    let is_read_apart = |w: &Warning| {
        matches!(
            w.code,
            Code::NpmrcSectionReadApart | Code::NpmrcValueReadApart
        )
    };
    // Where the source itself parts from npm (a key Yarn 1 reads after `[s] `), a target that
    // parts alike reads the line as the source does.
    let at = |w: &Warning| w.origin.as_ref().map(|o| (o.file.clone(), o.line));
    let source_apart: HashSet<(Code, Option<LineAt>)> = warnings
        .iter()
        .filter(|w| is_read_apart(w))
        .map(|w| (w.code, at(w)))
        .collect();
    let mut read_apart = false;
    let mut pins = super::pins::Wanted::default();
    for &to in req.to {
        let files = discover::locate(to, req.dir, req.user, req.env)?;
        // Only a file the target shares (with the source's lines or another target's), or
        // one it reads but does not write, can make it do more than its translation says.
        let shared = drafts.iter().any(|d| {
            d.writers.iter().any(|(m, _)| *m == to)
                && (d.writers.len() > 1
                    || sources
                        .iter()
                        .any(|f| f.path == d.file.path && f.text.is_some()))
        });
        let unwritten = files.iter().any(|f| {
            f.text.is_some()
                && !drafts
                    .iter()
                    .any(|d| d.file.path == f.path && d.writers.iter().any(|(m, _)| *m == to))
        });
        if !shared && !unwritten {
            continue;
        }
        let (model, read_warnings) = read_with_warnings(to, &files, &planned)?;
        // A key the target reads after a section line npm takes as one is the user's line,
        // kept as written: the translation cannot speak for it, the finding does.
        let mut apart_here = false;
        for w in read_warnings
            .iter()
            .filter(|w| is_read_apart(w) || w.code == Code::PnpmAuthStops)
        {
            apart_here |= is_read_apart(w) && !source_apart.contains(&(w.code, at(w)));
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
        // Only where the lines change what the target does: not a registry the workspace
        // yaml overrides, nor a `${VAR}` credential pnpm ignores in a project file anyway.
        if apart_here {
            let as_npm = discover::read_merged_in(
                to,
                &with_planned(&files, &planned),
                crate::formats::npmrc::IniDialect::Npm,
            )?
            .0;
            let groups = resolve::groups_of(&model, &as_npm);
            let own = resolve::routes_for(&model, to, groups.clone());
            let npms = resolve::routes_for(&as_npm, to, groups);
            read_apart |= own.iter().zip(&npms).any(|(a, b)| !a.acts_like(b));
        }
        // A file the target ignores as a whole (pnpm 10 and `${VAR?}`) undoes all its
        // translation, which was worked out line by line: say so, and compare every group.
        let dropped: Vec<Warning> = read_warnings
            .into_iter()
            .filter(|w| w.code.ignores_whole_file())
            .collect();
        let whole_file_ignored = !dropped.is_empty();
        for w in dropped {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        // What the target would read from the files it writes, had it them to itself: what
        // the translation could express, losses included (they are reported already).
        let mut alone = HashMap::default();
        for draft in drafts {
            let Some((_, wanted)) = draft.writers.iter().find(|(m, _)| *m == to) else {
                continue;
            };
            let before = draft.file.text.as_deref().unwrap_or_default();
            if let Ok(text) = draft.file.format.edit(before, wanted) {
                alone.insert(draft.file.path.as_path(), text);
            }
        }
        // Files the target reads but does not write count as empty here: what they do to
        // it is the shared files' doing, and is reported below.
        let own: Vec<ConfigFile> = files
            .iter()
            .map(|f| ConfigFile {
                text: alone
                    .get(f.path.as_path())
                    .map(|t| crate::formats::kept::shared_text(t)),
                ..f.clone()
            })
            .collect();
        // Where the target's files alone are the final files, it reads what it read above.
        let same_texts = own
            .iter()
            .zip(with_planned(&files, &planned))
            .all(|(own, planned)| own.text.as_deref() == planned.text.as_deref());
        let meant_apart;
        let meant = if same_texts {
            &model
        } else {
            meant_apart = discover::read_merged(to, &own)?.0;
            &meant_apart
        };
        // The source's groups, and every scope the final files give the target besides.
        let covered: HashSet<&str> = source_model
            .scopes
            .keys()
            .map(|s| s.trim_start_matches('@'))
            .collect();
        let extra: Vec<resolve::Packages> = model
            .scopes
            .keys()
            .filter(|t| !covered.contains(&t.as_str()))
            .map(|t| resolve::Packages::Scope(t.clone()))
            .collect();
        let mut groups = resolve::groups_of(source_model, &Model::default());
        groups.extend(extra);
        let target_groups: Vec<resolve::Packages> = groups
            .iter()
            .map(|g| match g {
                resolve::Packages::Scope(s) => {
                    resolve::Packages::Scope(s.trim_start_matches('@').to_string())
                }
                resolve::Packages::Unscoped => resolve::Packages::Unscoped,
            })
            .collect();
        // A request the final files make the target stop (Yarn's YN0033), which its own files
        // alone would send: a file it reads but pmrc does not write (a parent folder's) does
        // it, and comparing where requests go would not show it (from a review).
        if to.rules().may_stop_requests(&model) {
            let rules = to.rules();
            let final_routes = resolve::routes_for(&model, to, target_groups.clone());
            let stopped: Vec<(&Route, String)> = final_routes
                .iter()
                .filter_map(|f| Some((f, rules.request_fails(&model, f)?)))
                .collect();
            let meant_routes = match stopped.is_empty() {
                true => Vec::new(),
                false => resolve::routes_for(
                    meant,
                    to,
                    stopped.iter().map(|(f, _)| f.packages.clone()).collect(),
                ),
            };
            for ((f, why), m) in stopped.iter().zip(&meant_routes) {
                if rules.request_fails(meant, m).is_some() {
                    continue;
                }
                let origin = f
                    .credential_key
                    .as_ref()
                    .and_then(|k| model.auth.get(k))
                    .and_then(|c| c.always_auth.as_ref())
                    .and_then(|v| v.origin.clone());
                let stop = Warning::new(
                    Code::TargetStopsRequest,
                    format!(
                        "{}: {} sends this request, but {to} would stop it: {why}",
                        f.packages, req.from
                    ),
                    origin,
                );
                if !warnings.contains(&stop) {
                    warnings.push(stop);
                }
            }
        }
        // The source's routes of the groups the shared files change, only: most do not, and
        // where the target reads the same values from the same lines none does.
        let changed: Vec<resolve::Packages> = if !whole_file_ignored && meant.same_reading(&model) {
            Vec::new()
        } else {
            let meant_routes = resolve::routes_for(meant, to, target_groups.clone());
            let final_routes = resolve::routes_for(&model, to, target_groups);
            groups
                .into_iter()
                .zip(meant_routes.iter().zip(&final_routes))
                .filter(|(_, (m, f))| whole_file_ignored || !m.acts_like(f))
                .map(|(g, _)| g)
                .collect()
        };
        let before: Vec<Route> = resolve::routes_for(source_model, req.from, changed);
        // A large config has thousands of findings: look them up, not along the list (and
        // borrow their messages rather than copy them).
        let differences =
            crate::translate::route_differences((req.from, source_model), to, &before, &model);
        // Where no route differs, no group is unsettled: a large config's routes are not
        // compared twice (issue 20).
        let any_differ = !differences.is_empty();
        let mut new = Vec::new();
        {
            let known: HashSet<(Code, &str)> = warnings
                .iter()
                .map(|k| (k.code, k.message.as_str()))
                .collect();
            let mut added: HashSet<(Code, String)> = HashSet::default();
            for w in differences {
                if !known.contains(&(w.code, w.message.as_str()))
                    && added.insert((w.code, w.message.clone()))
                {
                    new.push(w);
                }
            }
        }
        warnings.extend(new);
        // A group the target would request elsewhere by a line in a file pmrc does not write:
        // the source's registry written out in one it does may win over that line. (An
        // origin names its file as it is shown.)
        let written_here = |file: &Path| {
            drafts.iter().any(|d| {
                d.file.display.as_str() == file.as_os_str()
                    && d.writers.iter().any(|(m, _)| *m == to)
            })
        };
        let unsettled = match any_differ {
            true => crate::translate::unsettled_routes(to, &before, &model),
            false => Vec::new(),
        };
        for u in unsettled {
            if let Some(line) = &u.line
                && !written_here(&line.file)
                && (u.pin.is_some() || u.withheld)
            {
                let pin = super::pins::Pin {
                    target: to,
                    group: u.group.clone(),
                    url: u.pin.clone().unwrap_or_default(),
                    overridden: line.clone(),
                    requested: u.requested.clone(),
                    written_to: Vec::new(),
                    unread_credentials: Vec::new(),
                };
                match u.pin {
                    Some(_) => pins.pins.push(pin),
                    None => pins.withheld.push(pin),
                }
            }
            pins.unsettled.push(super::pins::Open {
                target: to,
                group: u.group,
                requests_alike: u.requests_alike,
            });
        }
    }
    Ok((read_apart, pins))
}
