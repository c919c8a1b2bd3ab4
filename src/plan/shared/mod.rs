//! Files several managers read (`.npmrc`: npm, Yarn 1, pnpm, Bun, Deno). Each file a run writes is
//! planned once, for every reader in play: the targets' wishes are merged (a key two targets
//! want with different values is refused); a file the source reads keeps, byte for byte,
//! every line the source takes a value from, and a key a target adds that would change what
//! the source does is refused. Afterwards every target is resolved against the final files
//! (what a shared file makes it do is reported), and a manager pmrc.toml names that is
//! neither source nor target must do what it did.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;

use super::{FileChange, Request, change_for, final_checks};
use crate::diagnostics::Code;
use crate::discover::{self, ConfigFile};
use crate::error::{Error, Result};
use crate::formats::{Setting, SettingPath, SettingValue, Wanted};
use crate::managers::Manager;
use crate::model::{AuthKey, Level, Model};
use crate::resolve::{self, Route};
use crate::warning::Warning;

mod target_checks;
mod unrouted;
mod user_lines;

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
    user_lines::keep_user_lines(req, &drafts, &mut composed, warnings)?;
    unrouted::keep_unrouted_credentials(&drafts, &mut composed)?;
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
        target_checks::check_targets(req, sources, source_model, &drafts, &changes, warnings)?;
    warnings.extend(moved);
    final_checks::refuse_user_files_behind_links(req, &changes)?;
    final_checks::keep_bystanders(req, &changes)?;
    warnings.extend(final_checks::yarn_classic_stops(req, &changes)?);
    warnings.extend(final_checks::files_dropped_while_unset(req, &changes)?);
    warnings.extend(final_checks::secrets_into_readable_files(&changes));
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
        // In play without a file of its own: package.json's `packageManager` names it, or
        // its lockfile is here.
        let named = crate::managers::named_for(req.dir)
            .ok()
            .flatten()
            .filter(|(arg, _, _)| arg.settle(req.dir).is_ok_and(|(m, _)| m == other));
        let locked = || {
            crate::managers::locked_in(req.dir)
                .into_iter()
                .find(|(arg, _)| arg.settle(req.dir).is_ok_and(|(m, _)| m == other))
        };
        let (why, used) = match (marker, named) {
            (Some(marker), _) => (format!("whose {marker} is here"), "if {other} is used here"),
            (None, Some((_, spec, file))) => (
                format!("which {file}'s packageManager \"{spec}\" names"),
                "as Corepack runs {other} here",
            ),
            (None, None) => match locked() {
                Some((_, lockfile)) => (
                    format!("whose {lockfile} is here"),
                    "as its lockfile says {other} installs this project",
                ),
                None => (
                    format!("whose {} is here", other.marker_file()),
                    "if {other} is used here",
                ),
            },
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
