//! A conversion as data: for each file it writes, its text before and after, plus warnings.
//! A file is planned once for every manager in play that reads it ([`shared`]). Every
//! `after` is read back and must hold exactly the intended settings before it may be
//! written: an editor bug becomes a refusal, never a damaged file.

mod alike;
mod final_checks;
mod pins;
mod planned_lines;
mod readers_moved;
pub use readers_moved::{listed, moved_by_changes};
mod shared;
mod target_only;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::Serialize;

use crate::diagnostics::Code;
use crate::discover::{self, ConfigFile, Environment};
use crate::error::{Error, Result};
use crate::formats::{self, Format};
use crate::managers::Manager;
use crate::model::{AuthKey, Credentials, Level, Model};
use crate::translate::translate_beside;
use crate::warning::{Severity, Warning};

/// How a conversion ends: a preview, a write, or a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Diff,
    Write,
    Check,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Create,
    Modify,
    Unchanged,
}

#[derive(Debug, Clone)]
pub struct FileChange {
    pub path: PathBuf,
    pub display: String,
    pub manager: Manager,
    pub format: Format,
    pub level: Level,
    pub before: Option<Rc<str>>,
    pub after: String,
    /// Spans of `after` to mask besides the format's secrets (a comment pmrc moved out of a
    /// secret's value).
    pub masked_after: Vec<Range<usize>>,
}

impl FileChange {
    pub fn status(&self) -> Status {
        match &self.before {
            None => Status::Create,
            Some(b) if **b == *self.after => Status::Unchanged,
            Some(_) => Status::Modify,
        }
    }

    pub fn secret_spans_before(&self) -> Vec<Range<usize>> {
        self.before
            .as_deref()
            .map_or_else(Vec::new, |t| self.format.secret_spans(t))
    }

    pub fn secret_spans_after(&self) -> Vec<Range<usize>> {
        let mut spans = self.format.secret_spans(&self.after);
        spans.extend(self.masked_after.iter().cloned());
        spans
    }

    /// Whether the new text holds a literal secret (new files are then created 0600).
    pub fn holds_secret(&self) -> bool {
        !self.secret_spans_after().is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub from: Manager,
    pub to: Vec<Manager>,
    pub sources: Vec<ConfigFile>,
    pub changes: Vec<FileChange>,
    pub warnings: Vec<Warning>,
    /// A target reads a line of its files otherwise than the source (a key after a section
    /// line, an inline comment: `npmrc-*-read-apart`), which pmrc leaves as the user wrote
    /// it: the files do not act alike, whatever the diff says.
    pub read_apart: bool,
    /// The names of the source's and the targets' rules where the managers' own names for
    /// them are alike: an npm 11 → 12 migration is npm's rules both ways (`npm 11/12`), and
    /// its headline would not say which way it goes.
    pub rules: Option<(String, String)>,
}

impl Plan {
    /// The source's rules and each target's, as headlines and JSON name them.
    pub fn rule_names(&self) -> (&str, Vec<&str>) {
        match &self.rules {
            Some((from, to)) => (from, vec![to.as_str(); self.to.len()]),
            None => (
                self.from.label(),
                self.to.iter().map(|m| m.label()).collect(),
            ),
        }
    }

    pub fn pending(&self) -> impl Iterator<Item = &FileChange> {
        self.changes
            .iter()
            .filter(|c| c.status() != Status::Unchanged)
    }

    /// Whether a finding makes `--write` write nothing (a credential sent where the source
    /// sent none): the preview still shows the plan.
    pub fn refuses_write(&self) -> bool {
        self.warnings.iter().any(|w| w.code.blocks_write())
    }

    /// Whether the plan says `code`.
    pub fn has(&self, code: crate::diagnostics::Code) -> bool {
        self.warnings.iter().any(|w| w.code == code)
    }

    /// Whether a target, with the planned files, would still request other registries than
    /// the source (`route-differs`): not in sync, whatever the files hold.
    pub fn routes_differ(&self) -> bool {
        self.has(crate::diagnostics::Code::RouteDiffers)
    }

    /// The first warning saying a target, with the files as planned, still does otherwise
    /// than the source because the source holds what the target cannot express
    /// ([`crate::diagnostics::Code::target_falls_short`]): no file pmrc writes mends it.
    pub fn falls_short(&self) -> Option<&Warning> {
        let short = |w: &&Warning| w.severity >= Severity::Warning && w.code.target_falls_short();
        let mut found = self.warnings.iter().filter(short);
        let first = found.clone().next();
        found.find(|w| w.code.source_must_change()).or(first)
    }

    /// Whether a target would send other credentials than the source until the source
    /// changes ([`crate::diagnostics::Code::source_must_change`]).
    pub fn source_must_change(&self) -> bool {
        self.falls_short()
            .is_some_and(|w| w.code.source_must_change())
    }

    /// Whether the files hold what the plan would write, every target reads their lines as
    /// the source does, and no credential differs that only the source can mend. A route
    /// that still differs ([`Self::routes_differ`]) is not counted: pmrc may not yet write
    /// what mends it.
    pub fn in_sync(&self) -> bool {
        self.pending().next().is_none() && !self.read_apart && !self.source_must_change()
    }
}

pub struct Request<'a> {
    pub dir: &'a Path,
    pub from: Manager,
    pub to: &'a [Manager],
    pub user: bool,
    pub env: &'a Environment,
    /// Managers that are neither source nor target but read the project's files too
    /// (named in pmrc.toml): what they do must not change.
    pub bystanders: &'a [Manager],
    /// The other managers whose own file is in the project: the final plan must not change
    /// what they do either (the pins, tried with every reader in mind, are settled by then).
    pub present: &'a [Manager],
}

/// Whether `to` already does what `from` does, reading the same files as they are now: two
/// majors of one manager that read the same files (pnpm 11 and 12) then need no change, and
/// rewriting them into another shape would only churn the user's files.
pub fn already_alike(
    from: Manager,
    to: Manager,
    dir: &Path,
    user: bool,
    env: &Environment,
) -> Result<bool> {
    // Two majors of one manager only: another manager reading the same files may still
    // refuse one of them as a whole (npm and an unscoped `_authToken`, which Deno ignores).
    if from.rules().family() != to.rules().family()
        || from.rules().sources() != to.rules().sources()
    {
        return Ok(false);
    }
    let files = discover::locate(from, dir, user, env)?;
    let (source, _) = discover::read_merged(from, &files)?;
    let (target, _) = discover::read_merged(to, &files)?;
    let groups = crate::resolve::groups_of(&source, &target);
    Ok(shared::behaviour(from, &source, &groups) == shared::behaviour(to, &target, &groups))
}

/// Whether `a` reading `a_model` and `b` reading `b_model` request every group of packages
/// at the same registry with the same credentials, over the same network settings.
pub fn act_alike(a: Manager, a_model: &Model, b: Manager, b_model: &Model) -> bool {
    let groups = crate::resolve::groups_of(a_model, b_model);
    shared::behaviour(a, a_model, &groups) == shared::behaviour(b, b_model, &groups)
}

/// `manager`'s files as they would read once `changes` are written, and what reading them
/// reported.
pub fn read_after(
    manager: Manager,
    files: &[ConfigFile],
    changes: &[FileChange],
) -> Result<(Model, Vec<Warning>)> {
    shared::read_after(manager, files, &shared::planned_changes(changes))
}

pub fn build(req: &Request) -> Result<Plan> {
    let sources = discover::locate(req.from, req.dir, req.user, req.env)?;
    let (plan, model) = build_from(req, sources)?;
    // Writes where every target already does what the source does, reading the files as
    // they are, would only churn them (trial #7): asked only of a plan that writes, as
    // it reads every target's files again.
    if plan.pending().next().is_some()
        && let Some(notes) = alike::targets_send_alike(req, &model)?
    {
        let (_, mut warnings) = discover::read_merged(req.from, &plan.sources)?;
        warnings.extend(req.from.rules().source_warnings(req.dir)?);
        warnings.extend(notes);
        warnings.push(alike::note(req));
        return Ok(Plan {
            changes: Vec::new(),
            warnings,
            read_apart: false,
            ..plan
        });
    }
    Ok(plan)
}

/// [`build`]'s plan of the files, with the source's model as read.
fn build_from(req: &Request, sources: Vec<ConfigFile>) -> Result<(Plan, Model)> {
    if sources.iter().all(|f| f.text.is_none()) {
        return Err(Error::Usage(format!(
            "no {} config to convert: {} does not exist",
            req.from,
            sources[0].path.display()
        )));
    }
    if let Some(&to) = req.to.iter().find(|&&to| to == req.from) {
        return Err(Error::Usage(format!(
            "the source and a target are both {to}"
        )));
    }
    let (model, mut read_warnings) = discover::read_merged(req.from, &sources)?;
    // A value npm keeps a quote in (`"C:\Users"`, a quote never closed) is read apart by
    // Deno and drops the whole file for pnpm 10: `show`, `explain` and `doctor` say so, but
    // a conversion would carry npm's reading, quotes and all, into files other readers take
    // otherwise. It stops here, at the value's line and column, until the line is mended.
    // Looked for only where the read found one: a large `.npmrc` is not parsed twice
    // (issue 20).
    if read_warnings
        .iter()
        .any(|w| w.code == Code::NpmrcQuotedValueKept)
    {
        for file in sources
            .iter()
            .filter(|f| f.format == crate::formats::Format::Npmrc)
        {
            if let Some(kept) = file
                .text
                .as_deref()
                .and_then(crate::formats::npmrc::kept_quote_error)
            {
                return Err(kept.in_file(&file.path));
            }
        }
    }
    read_warnings.extend(req.from.rules().source_warnings(req.dir)?);
    // A registry URL the source reads with its inline comment in it (pnpm 12) reaches no
    // registry: there is nothing to translate, and guessing the URL meant is not pmrc's
    // (unless another file's registry wins over that line).
    let in_effect = |at: &crate::model::Origin| {
        let registries = model.registry.iter().chain(
            model
                .scopes
                .values()
                .filter_map(|scope| scope.registry.as_ref()),
        );
        registries
            .filter_map(|r| r.origin.as_ref())
            .any(|o| o.file == at.file && o.line == at.line)
    };
    if let Some(w) = read_warnings.iter().find(|w| {
        w.code == Code::NpmrcValueReadApart
            && w.severity == Severity::Error
            && w.origin.as_ref().is_some_and(in_effect)
    }) {
        let origin = w.origin.as_ref();
        return Err(Error::Refused {
            path: origin.map_or_else(Default::default, |o| o.file.to_path_buf()),
            reason: format!("line {}: {}", origin.map_or(0, |o| o.line), w.message),
        });
    }
    // A target's lines in a file the source reads become part of what the source holds
    // (Bun reads the `.npmrc` written for npm): translating again from that, until nothing
    // changes, makes the plan one that a second run finds in sync.
    // Borrowed until a round changes it: a large config's model is megabytes (issue 20).
    let mut translated_from = std::borrow::Cow::Borrowed(&model);
    // Worked out once for every target's translation and the shared files' plan: a large
    // config has thousands of routes (issue 20).
    let source_routes = crate::resolve::routes(&model, req.from);
    let mut rounds = 0;
    let mut pins = pins::Pins::new();
    // The source's files as a later round reads them, to name the user's lines.
    let mut planned_files = Vec::new();
    loop {
        let mut warnings = read_warnings.clone();
        let later_routes;
        let routes = match &translated_from {
            std::borrow::Cow::Borrowed(_) => &source_routes,
            std::borrow::Cow::Owned(later) => {
                later_routes = crate::resolve::routes(later, req.from);
                &later_routes
            }
        };
        let drafts = drafts(
            req,
            (&translated_from, routes),
            (pins.written(), &planned_files),
            &mut warnings,
        )?;
        let planned = shared::plan_files(
            req,
            &sources,
            (&model, &source_routes),
            drafts,
            &mut warnings,
        );
        let shared::Planned {
            changes,
            read_apart,
            pins: wanted,
        } = match planned {
            // A bystander pmrc.toml names would move: the pins on trial go, not the run.
            Err(Error::Refused { .. }) if pins.on_trial() => {
                pins.refuse_trial(req.bystanders);
                continue;
            }
            planned => planned?,
        };
        if pins.plan_again(req, &model, &changes, wanted)? {
            continue;
        }
        let touches_source = changes
            .iter()
            .any(|c| c.status() != Status::Unchanged && sources.iter().any(|f| f.path == c.path));
        rounds += 1;
        let next = if touches_source && rounds < 3 {
            let mut files = Vec::new();
            let planned: Vec<ConfigFile> = sources
                .iter()
                .map(|f| match changes.iter().find(|c| c.path == f.path) {
                    Some(c) => {
                        let planned = crate::formats::kept::shared_text(&c.after);
                        if let Some(written) = &f.text {
                            files.push(planned_lines::PlannedFile::new(
                                &f.display,
                                Rc::clone(written),
                                Rc::clone(&planned),
                            ));
                        }
                        ConfigFile {
                            text: Some(planned),
                            ..f.clone()
                        }
                    }
                    None => f.clone(),
                })
                .collect();
            planned_files = files;
            Some(discover::read_merged(req.from, &planned)?.0)
        } else {
            None
        };
        match next {
            Some(next) if next != *translated_from => {
                translated_from = std::borrow::Cow::Owned(next)
            }
            _ => {
                warnings.extend(shared::present_readers_moved(req, &changes)?);
                warnings.extend(pins.notes(req.from));
                let plan = Plan {
                    from: req.from,
                    to: req.to.to_vec(),
                    sources,
                    changes,
                    warnings,
                    read_apart,
                    rules: None,
                };
                return Ok((plan, model));
            }
        }
    }
}

/// The `//${HOST}/…/` credentials `to` already reads from its files, which pmrc never writes
/// (`Format::edits`) but a user may have added as advised: the translation keeps them as they
/// are. Read only when a registry of the source holds a reference: only such a registry
/// can need one, and a large config's targets are not read twice for nothing (issue 20).
fn held_reference_keys(
    req: &Request,
    model: &Model,
    to: Manager,
) -> Result<std::collections::BTreeMap<String, Credentials>> {
    let registries = model
        .registry
        .iter()
        .chain(model.scopes.values().filter_map(|s| s.registry.as_ref()));
    if !registries.into_iter().any(|r| r.value.has_env()) {
        return Ok(Default::default());
    }
    let files = discover::locate(to, req.dir, req.user, req.env)?;
    let (held, _) = discover::read_merged(to, &files)?;
    Ok(held
        .auth
        .iter()
        .filter_map(|(key, creds)| match key {
            AuthKey::Url(location) if key.is_by_reference() => {
                Some((location.clone(), creds.clone()))
            }
            _ => None,
        })
        .collect())
}

/// What `to` reads now, where a translation needs it to spare a copy of a credential the
/// target already sends from the source's line (Yarn 1, npm's registry's token; a key above
/// the registry's own, `//host/` for `https://host/acme/`, which Deno and pnpm walk up to).
/// Read only then: a large config is read once more for it (issue 20).
fn target_reading(
    req: &Request,
    to: Manager,
    routes: &[crate::resolve::Route],
) -> Result<Option<crate::translate::TargetReading>> {
    let keyed_above_a_registry = || {
        routes.iter().any(|r| {
            let own_key = r
                .registry
                .as_deref()
                .and_then(crate::registry_url::RegistryUrl::parse)
                .map(|u| u.registry_nerf_dart());
            // Above, not beside: Yarn's `//host/npm` is the registry's own key, spelled
            // without the slash (issue 20: yarn -> npm read the target's files again for it).
            matches!((&r.credential_key, own_key), (Some(AuthKey::Url(k)), Some(own)) if {
                let k = crate::registry_url::with_trailing_slash(k);
                own.starts_with(&*k) && *k != own
            })
        })
    };
    if !to.rules().sends_credentials_keyed_elsewhere()
        && !to.rules().keeps_held_secret_references()
        && !keyed_above_a_registry()
    {
        return Ok(None);
    }
    // Without `--user`, a user file the target reads and this run does not (pnpm's
    // auth.ini) may hold a deeper key that wins over the source's line: no copy is spared
    // on this reading (from a review: pnpm 11 then sent auth.ini's stale token).
    let complete = req.user || discover::unread_user_files(to, req.dir, req.env).is_none();
    let files = discover::locate(to, req.dir, req.user, req.env)?;
    let written: Vec<PathBuf> = discover::locate_targets(to, req.dir, req.user, req.env)?
        .into_iter()
        .map(|f| f.path)
        .collect();
    let unwritten: Vec<ConfigFile> = files
        .iter()
        .filter(|f| !written.contains(&f.path))
        .cloned()
        .collect();
    Ok(Some(crate::translate::TargetReading {
        all: discover::read_merged(to, &files)?.0,
        unwritten: discover::read_merged(to, &unwritten)?.0,
        complete,
    }))
}

/// Every file the run writes, once, with what each target wants in it.
fn drafts(
    req: &Request,
    (model, routes): (&Model, &[crate::resolve::Route]),
    (pins, planned_files): (&[pins::Pin], &[planned_lines::PlannedFile]),
    warnings: &mut Vec<Warning>,
) -> Result<Vec<shared::Draft>> {
    let mut drafts: Vec<shared::Draft> = Vec::new();
    let mut per_target = Vec::new();
    // Run from a workspace member: the root as the member names it.
    let root_shown = req
        .env
        .member
        .as_deref()
        .and_then(|member| discover::shown_from(member, req.dir));
    for &to in req.to {
        let held = held_reference_keys(req, model, to)?;
        let reading = target_reading(req, to, routes)?;
        let mut translation = translate_beside(
            (model, routes),
            (req.from, to),
            req.user,
            held,
            reading.as_ref(),
            root_shown.as_deref(),
        );
        for pin in pins.iter().filter(|p| p.target == to) {
            crate::translate::pin_registry(&mut translation.model, to, &pin.group, &pin.url);
        }
        let name = Some(to.to_string());
        per_target.extend(
            std::mem::take(&mut translation.warnings)
                .into_iter()
                .map(|w| (name.clone(), w)),
        );
        per_target.extend(
            stops_while_unset(&translation.model, to)
                .into_iter()
                .map(|w| (name.clone(), w)),
        );
        per_target.extend(
            to.rules()
                .target_warnings(req.dir, req.from, &translation.model)?
                .into_iter()
                .map(|w| (name.clone(), w)),
        );
        // A target's files at one level (pnpm's `.npmrc` and `pnpm-workspace.yaml`) want one
        // part of the model: it is split out once (a copy of a large model, issue 20).
        let mut parts: Vec<(Level, Model)> = Vec::new();
        let project = absolute(req.dir);
        for target in discover::locate_targets(to, req.dir, req.user, req.env)? {
            let part = match parts.iter().position(|(level, _)| *level == target.level) {
                Some(i) => &parts[i].1,
                None => {
                    let mut part = translation.model.at_level(target.level);
                    if target.level == Level::User {
                        part.overlay(translation.user_credentials.clone());
                    }
                    parts.push((target.level, part));
                    &parts[parts.len() - 1].1
                }
            };
            let mut wanted = target.format.wanted(part, to);
            if target.level == Level::User {
                let routing = routing_only_for_keys(&translation, target.format, to);
                wanted.retain(|setting| !routing.contains(setting));
            }
            let mut wanted = target.format.in_shape_of(
                target.text.as_deref(),
                wanted,
                (&project, &absolute(&target.path)),
            );
            wanted.retain(|(path, _)| target.format.edits(path));
            match drafts.iter_mut().find(|d| d.file.path == target.path) {
                Some(draft) => draft.writers.push((to, wanted)),
                None => drafts.push(shared::Draft {
                    file: target,
                    writers: vec![(to, wanted)],
                }),
            }
        }
    }
    per_target.retain_mut(|(_, w)| planned_lines::at_written_line(planned_files, w));
    // One warning per problem: a line of the source that several targets cannot keep the
    // same way is one warning naming them all.
    warnings.extend(
        crate::warning::merge_by_manager(
            per_target,
            |w| {
                (
                    w.code,
                    w.severity,
                    w.origin.as_ref().map(ToString::to_string),
                )
            },
            |w| &mut w.message,
        )
        .into_iter()
        .map(|(_, w)| w),
    );
    Ok(drafts)
}

/// `path` from the filesystem's root, each `..` taken away.
fn absolute(path: &Path) -> PathBuf {
    discover::lexical(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// The settings that route a scope whose registry the user-level credentials hold only to
/// spell a scope token's key (`//host/path/:@scope:_authToken`): the project routes it, and
/// written into the user's file the line would route that scope in every project of the user
/// (from a trial: real pnpm 12 in another project sent `@acme` there).
fn routing_only_for_keys(
    translation: &crate::translate::Translation,
    format: crate::formats::Format,
    to: Manager,
) -> crate::formats::Wanted {
    let mut routing = Model::default();
    for (name, scope) in &translation.user_credentials.scopes {
        let routed_at_user_level = translation
            .model
            .scopes
            .get(name)
            .and_then(|s| s.registry.as_ref())
            .is_some_and(|v| v.level() == Level::User);
        if let Some(registry) = scope.registry.as_ref().filter(|_| !routed_at_user_level) {
            routing.scopes.entry(name.clone()).or_default().registry = Some(registry.clone());
        }
    }
    if routing.scopes.is_empty() {
        return Vec::new();
    }
    format.wanted(&routing, to)
}

/// A target that stops every command while a `${VAR}` it will read is unset (Yarn Berry,
/// and Yarn 1 in its `.npmrc`):
/// one note per such variable unset in this environment, at the line it came from, so the
/// preview says before the first `yarn install` fails. Names only, never values.
fn stops_while_unset(model: &Model, to: Manager) -> Vec<Warning> {
    use crate::template::{Piece, Unset};
    // Asked once: a large config has thousands of references, and most targets go on.
    if !to.rules().stops_on_unset_variable() {
        return Vec::new();
    }
    let mut named: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (_, v) in model.fields() {
        for piece in v.value.pieces.iter() {
            let Piece::Env {
                name,
                unset: Unset::Strict,
            } = piece
            else {
                continue;
            };
            if std::env::var_os(name).is_some() || named.contains(name) {
                continue;
            }
            let Some(error) = to.rules().stops_on_reference(name, &Unset::Strict, false) else {
                continue;
            };
            named.push(name.clone());
            out.push(Warning::note(
                crate::diagnostics::Code::TargetStopsWhileUnset,
                format!(
                    "{to} stops every command while {name} is unset, as it is here (\"{error}\"): set it wherever {to} runs"
                ),
                v.origin.clone(),
            ));
        }
    }
    out
}

/// The edit of one target file toward `wanted`, checked by reading it back.
fn change_for(
    manager: Manager,
    target: &ConfigFile,
    wanted: &formats::Wanted,
) -> Result<Option<FileChange>> {
    let format = target.format;
    if target.text.is_none() && wanted.is_empty() {
        return Ok(None);
    }
    let before = target.text.as_deref().unwrap_or_default();
    format.check(before).map_err(|e| e.in_file(&target.path))?;
    let after = format.edit(before, wanted).map_err(|message| Error::Edit {
        path: target.path.clone(),
        message,
    })?;
    if !format.holds(&after, wanted) {
        return Err(Error::Edit {
            path: target.path.clone(),
            message: "pmrc's edit did not read back as intended, so nothing was written (this is a bug in pmrc; please report it with the file)".into(),
        });
    }
    Ok(Some(FileChange {
        path: target.path.clone(),
        display: target.display.clone(),
        manager,
        format,
        level: target.level,
        before: target.text.clone(),
        after,
        masked_after: Vec::new(),
    }))
}
