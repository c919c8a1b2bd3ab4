//! The source's registry written out for a group of a target's packages where a file pmrc
//! does not write would send them elsewhere (Yarn 1's `.yarnrc`, a parent folder's
//! `.yarnrc.yml`): each is tried in a plan of its own and kept only where it mends that group
//! and changes nothing else any manager does.

use std::path::Path;

use rustc_hash::FxHashSet as HashSet;

use super::shared::{Difference, difference, planned_changes, read_with};
use super::{FileChange, Request};
use crate::diagnostics::Code;
use crate::discover;
use crate::error::Result;
use crate::managers::Manager;
use crate::model::{Level, Model, Origin};
use crate::resolve::{self, Packages};
use crate::translate::target_group;
use crate::warning::Warning;

/// The source's registry, `url`, written out for `group` in `target`'s translation
/// ([`crate::translate::pin_registry`]).
#[derive(Debug, Clone)]
pub struct Pin {
    pub target: Manager,
    /// As the target names it (a scope without its `@`).
    pub group: Packages,
    pub url: String,
    /// The line the target would otherwise take its registry for the group from, and that
    /// registry (`None`: the public registry): what the note says.
    pub overridden: Origin,
    pub requested: Option<String>,
    /// The files the line went into, as shown, once its trial kept it.
    pub written_to: Vec<String>,
}

/// One pin is one line: the same target, group and registry, whatever a plan says of it.
impl PartialEq for Pin {
    fn eq(&self, other: &Self) -> bool {
        (self.target, &self.group, &self.url) == (other.target, &other.group, &other.url)
    }
}

/// What one plan says about pins.
#[derive(Default)]
pub struct Wanted {
    /// A group a target would request elsewhere than the source by a line in a file pmrc
    /// does not write.
    pub pins: Vec<Pin>,
    /// Every group a target would not request or authenticate as the source does.
    pub unsettled: Vec<(Manager, Packages)>,
}

/// A refused batch larger than this is not tried pin by pin: each try plans the whole
/// conversion again (a `.yarnrc` of hundreds of scopes took minutes).
const ONE_BY_ONE_AT_MOST: usize = 8;

/// What a trial's plan says of the pins on trial.
enum Verdict {
    Kept,
    /// Each of these is refused for the same reason, whatever the others do.
    EachRefused(Vec<Pin>, Refusal),
    /// Together these move something else; one of them alone may not.
    RefusedTogether(Vec<Pin>, Refusal),
}

/// Why a pin was not written: what its note says.
#[derive(Debug, Clone)]
enum Refusal {
    /// User-level files pmrc did not read (no `--user`) that set a registry, named as shown.
    UserFilesUnread(Vec<String>),
    /// Its group would still not be requested or authenticated as the source does.
    Unmended,
    /// The target would then request this other group otherwise, unlike the source.
    MovesGroup(Packages),
    /// This other manager, reading these files the line goes into, would then do otherwise.
    MovesManager(Manager, Vec<String>),
    /// With several targets, it would go into a file the source reads.
    SourceFile,
    /// A manager pmrc.toml names would then do otherwise.
    MovesBystander,
}

impl Refusal {
    fn sentence(&self, from: Manager, to: Manager) -> String {
        match self {
            Refusal::UserFilesUnread(files) => format!(
                "{} {} a registry, and pmrc reads user files only with --user: pass --user to read {}",
                files.join(" and "),
                if files.len() == 1 { "sets" } else { "set" },
                if files.len() == 1 { "it" } else { "them" },
            ),
            Refusal::Unmended => format!(
                "{to} would still not request or authenticate them as {from} does, so the line would mend nothing"
            ),
            Refusal::MovesGroup(group) => format!(
                "{to} would then request {} otherwise, and unlike {from}",
                group_label(group)
            ),
            Refusal::MovesManager(other, files) => format!(
                "{other}, which reads {} too, would then request packages otherwise",
                files.join(" and ")
            ),
            Refusal::SourceFile => format!(
                "it would go into a file {from} reads, which with several targets would change what the others are converted from; convert to {to} alone for it"
            ),
            Refusal::MovesBystander => {
                "a manager pmrc.toml names, which reads the file the line would go into, would then request packages otherwise".into()
            }
        }
    }
}

/// A group as a note names it: the marker for scopes no config names, in words.
fn group_label(group: &Packages) -> String {
    match group {
        Packages::Scope(s)
            if s.trim_start_matches('@') == resolve::UNNAMED_SCOPE.trim_start_matches('@') =>
        {
            "the packages of scopes no config names".into()
        }
        g => g.to_string(),
    }
}

/// The pins of one conversion, and the plan each trial is judged against.
pub struct Pins {
    /// The user-level files pmrc did not read (no `--user`) that set a registry for some
    /// manager (npm's `~/.npmrc`, Bun's `~/.bunfig.toml`): while there is one, what pmrc
    /// sees of the managers' routes is no ground for a line. Looked for once a plan wants a
    /// pin: most conversions want none, and pay nothing for it.
    unread: Option<Vec<String>>,
    /// Kept, and on trial: what the translations write out.
    written: Vec<Pin>,
    on_trial: Vec<Pin>,
    /// Refused together, to be tried one at a time, in the order they came.
    queued: Vec<Pin>,
    refused: Vec<(Pin, Refusal)>,
    /// The groups the last plan judged left unsettled: a refused pin is said only where its
    /// group still is (a later round may have settled it otherwise).
    unsettled: Vec<(Manager, Packages)>,
    /// The plan without the pins on trial.
    baseline: Option<Vec<FileChange>>,
}

impl Pins {
    pub fn new() -> Pins {
        Pins {
            unread: None,
            written: Vec::new(),
            on_trial: Vec::new(),
            queued: Vec::new(),
            refused: Vec::new(),
            unsettled: Vec::new(),
            baseline: None,
        }
    }

    /// The pins the translations write out.
    pub fn written(&self) -> &[Pin] {
        &self.written
    }

    /// A note for each pin written out, at the line it wins over: the line is not the
    /// source's, and nothing else in the plan says why it is there. And one for each pin
    /// refused, at the same line: `route-differs` says the target goes elsewhere, this says
    /// why pmrc did not write the line that would have mended it.
    pub fn notes(&self, from: Manager) -> Vec<Warning> {
        let written = self.written.iter().map(|p| {
            let into = match p.written_to.as_slice() {
                [] => format!("the file it writes for {}", p.target),
                files => files.join(" and "),
            };
            Warning::note(
                Code::RegistryWrittenOut,
                format!(
                    "{}: {to} would request {} by this line; pmrc writes {from}'s registry {} out for them in {into}, which {to} takes over it",
                    p.group,
                    p.requested.as_deref().unwrap_or("the public registry"),
                    p.url,
                    to = p.target,
                ),
                Some(p.overridden.clone()),
            )
        });
        let still_unsettled = |p: &&(Pin, Refusal)| {
            self.unsettled
                .iter()
                .any(|(to, group)| *to == p.0.target && *group == p.0.group)
        };
        let refused = self.refused.iter().filter(still_unsettled).map(|(p, why)| {
            Warning::note(
                Code::RegistryNotWrittenOut,
                format!(
                    "{}: pmrc did not write {from}'s registry {} out for {to} over this line: {}",
                    p.group,
                    p.url,
                    why.sentence(from, p.target),
                    to = p.target,
                ),
                Some(p.overridden.clone()),
            )
        });
        written.chain(refused).collect()
    }

    /// Whether the plan being made holds pins on trial.
    pub fn on_trial(&self) -> bool {
        self.baseline.is_some()
    }

    /// The plan with the pins on trial could not be made (a bystander pmrc.toml names would
    /// move): they are refused together, as if their plan had moved it.
    pub fn refuse_trial(&mut self) {
        if let Some(baseline) = self.baseline.take() {
            let refused = std::mem::take(&mut self.on_trial);
            self.settle(
                Verdict::RefusedTogether(refused, Refusal::MovesBystander),
                baseline,
            );
        }
    }

    /// Judges the plan `changes` (made with [`Self::written`]): true when the translations
    /// are to be planned again, with a trial settled or a new one begun.
    pub fn plan_again(
        &mut self,
        req: &Request,
        source: &Model,
        changes: &[FileChange],
        wanted: Wanted,
    ) -> Result<bool> {
        self.unsettled.clone_from(&wanted.unsettled);
        if wanted.pins.is_empty() && self.baseline.is_none() && self.queued.is_empty() {
            return Ok(false);
        }
        let unread = self
            .unread
            .get_or_insert_with(|| unread_user_files_that_route(req));
        if !unread.is_empty() {
            let why = Refusal::UserFilesUnread(unread.clone());
            for pin in wanted.pins {
                if !self.refused.iter().any(|(p, _)| *p == pin) {
                    self.refused.push((pin, why.clone()));
                }
            }
            return Ok(false);
        }
        let Some(baseline) = self.baseline.take() else {
            return Ok(self.begin_trial(changes, wanted));
        };
        match self.judge(req, source, (&baseline, changes), &wanted)? {
            Verdict::Kept => {
                let into = files_changed(&baseline, changes);
                for pin in self
                    .written
                    .iter_mut()
                    .filter(|p| self.on_trial.contains(p))
                {
                    pin.written_to = into.clone();
                }
                self.on_trial.clear();
                Ok(self.try_queued(changes) || self.begin_trial(changes, wanted))
            }
            refused => {
                self.settle(refused, baseline);
                Ok(true)
            }
        }
    }

    /// Takes the refused pins back; the plan is then made again without them, with the next
    /// queued pin on trial if there is one.
    fn settle(&mut self, verdict: Verdict, baseline: Vec<FileChange>) {
        let (refused, why, one_by_one) = match verdict {
            Verdict::Kept => return,
            Verdict::EachRefused(pins, why) => (pins, why, false),
            Verdict::RefusedTogether(pins, why) => (pins, why, true),
        };
        self.written.retain(|p| !refused.contains(p));
        self.on_trial.retain(|p| !refused.contains(p));
        if one_by_one && (2..=ONE_BY_ONE_AT_MOST).contains(&refused.len()) {
            self.queued.extend(refused);
        } else {
            self.refused
                .extend(refused.into_iter().map(|p| (p, why.clone())));
        }
        if self.on_trial.is_empty() {
            // Without the refused pins the plan is the baseline again.
            self.try_queued(&baseline);
        } else {
            self.baseline = Some(baseline);
        }
    }

    /// Puts the pins `wanted` asks for that are new on trial, against `changes`.
    fn begin_trial(&mut self, changes: &[FileChange], wanted: Wanted) -> bool {
        let known = |p: &Pin| {
            self.written.contains(p)
                || self.queued.contains(p)
                || self.refused.iter().any(|(r, _)| r == p)
        };
        let more: Vec<Pin> = wanted.pins.into_iter().filter(|p| !known(p)).collect();
        if more.is_empty() {
            return false;
        }
        self.written.extend(more.iter().cloned());
        self.on_trial = more;
        self.baseline = Some(changes.to_vec());
        true
    }

    /// Puts the next pin refused with others on trial alone, against `baseline`.
    fn try_queued(&mut self, baseline: &[FileChange]) -> bool {
        if self.queued.is_empty() {
            return false;
        }
        let next = self.queued.remove(0);
        self.written.push(next.clone());
        self.on_trial = vec![next];
        self.baseline = Some(baseline.to_vec());
        true
    }

    /// A pin stays where its group is then requested and authenticated as the source does
    /// (not under a Yarn 1 `--registry` flag line); where its target sends no other group
    /// elsewhere than before unless as the source does (a parent folder's top-level token
    /// would follow Yarn's packages to the new registry); where every other manager reading
    /// the files does as it did without it; and, with several targets, where it is not
    /// written into a file the source reads, which would make it the source's for the other
    /// targets too, where no trial judged it.
    fn judge(
        &self,
        req: &Request,
        source: &Model,
        (baseline, pinned): (&[FileChange], &[FileChange]),
        wanted: &Wanted,
    ) -> Result<Verdict> {
        let unsettled: Vec<Pin> = self
            .on_trial
            .iter()
            .filter(|p| wanted.unsettled.contains(&(p.target, p.group.clone())))
            .cloned()
            .collect();
        if !unsettled.is_empty() {
            return Ok(Verdict::EachRefused(unsettled, Refusal::Unmended));
        }
        if req.to.len() > 1 && writes_a_source_file(req, (baseline, pinned))? {
            return Ok(Verdict::EachRefused(
                self.on_trial.clone(),
                Refusal::SourceFile,
            ));
        }
        let mut targets: Vec<Manager> = Vec::new();
        for p in &self.on_trial {
            if !targets.contains(&p.target) {
                targets.push(p.target);
            }
        }
        for &to in &targets {
            let of_target: Vec<Pin> = self
                .on_trial
                .iter()
                .filter(|p| p.target == to)
                .cloned()
                .collect();
            let groups: Vec<Packages> = of_target.iter().map(|p| p.group.clone()).collect();
            if let Some(moved) = moves_other_groups(req, source, (baseline, pinned), (to, &groups))?
            {
                return Ok(Verdict::RefusedTogether(
                    of_target,
                    Refusal::MovesGroup(moved),
                ));
            }
        }
        if let Some((moved, files)) = moves_other_managers(req, (baseline, pinned), &targets)? {
            return Ok(Verdict::RefusedTogether(
                self.on_trial.clone(),
                Refusal::MovesManager(moved, files),
            ));
        }
        Ok(Verdict::Kept)
    }
}

/// The user-level files of any manager in play that pmrc did not read (no `--user`) and that
/// set a registry, named as shown: a line written out in a project file would win over them
/// and move the manager that reads them (npm's `~/.npmrc` `registry=`, from a review). A user
/// file that holds credentials only (`npm login`'s token) sends no group elsewhere; one that
/// does not read is counted as routing, as pmrc cannot tell.
fn unread_user_files_that_route(req: &Request) -> Vec<String> {
    let mut routing: Vec<String> = Vec::new();
    if req.user {
        return routing;
    }
    let managers = crate::managers::SETTLED
        .into_iter()
        .chain([req.from])
        .chain(req.to.iter().copied());
    for m in managers {
        let routes = |file: &discover::ConfigFile| {
            discover::read_model(file).map_or(true, |(model, _)| {
                model.registry.is_some() || model.scopes.values().any(|s| s.registry.is_some())
            })
        };
        // A user file read without `--user` (`NPM_CONFIG_USERCONFIG` naming the project's
        // `.npmrc`) is read.
        let read = discover::locate(m, req.dir, false, req.env);
        let unread = |f: &discover::ConfigFile| {
            f.level == Level::User
                && f.text.is_some()
                && read
                    .as_ref()
                    .map_or(true, |read| !read.iter().any(|r| r.path == f.path))
        };
        let found: Vec<String> = match discover::locate(m, req.dir, true, req.env) {
            Ok(files) => files
                .iter()
                .filter(|f| unread(f) && routes(f))
                .map(|f| f.display.clone())
                .collect(),
            Err(_) => discover::user_files_present(m, req.dir, req.env),
        };
        for file in found {
            if !routing.contains(&file) {
                routing.push(file);
            }
        }
    }
    routing
}

/// The files whose planned text differs between two plans, as shown.
fn files_changed(baseline: &[FileChange], changes: &[FileChange]) -> Vec<String> {
    changes
        .iter()
        .filter(|c| {
            baseline
                .iter()
                .find(|b| b.path == c.path)
                .is_none_or(|b| b.after != c.after)
        })
        .map(|c| c.display.clone())
        .collect()
}

/// Whether the pins make the plan write a file the source reads otherwise.
fn writes_a_source_file(
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
/// top-level token with.
fn moves_other_groups(
    req: &Request,
    source: &Model,
    (baseline, pinned): (&[FileChange], &[FileChange]),
    (to, groups): (Manager, &[Packages]),
) -> Result<Option<Packages>> {
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
    let unlike_source: HashSet<Packages> =
        crate::translate::unsettled_routes(to, &source_routes, &after)
            .into_iter()
            .map(|u| u.group)
            .collect();
    let was = resolve::routes_for(&before, to, as_target.clone());
    let now = resolve::routes_for(&after, to, as_target);
    Ok(was
        .iter()
        .zip(&now)
        .find(|(w, n)| w.observable() != n.observable() && unlike_source.contains(&n.packages))
        .map(|(_, n)| n.packages.clone()))
}

/// The first manager other than `targets`, if any, that reads the files of `pinned` otherwise
/// than those of `baseline`, and which of its files differ: every other reader of a file
/// stays as the plan left it (pnpm 11/12 and Bun take `pnpm-workspace.yaml`'s or
/// `bunfig.toml`'s `registry` over `.npmrc`'s, so a scope written out in `.npmrc` no longer
/// follows it there).
fn moves_other_managers(
    req: &Request,
    (baseline_plan, pinned_plan): (&[FileChange], &[FileChange]),
    targets: &[Manager],
) -> Result<Option<(Manager, Vec<String>)>> {
    let changed = files_changed(baseline_plan, pinned_plan);
    let (baseline, pinned) = (planned_changes(baseline_plan), planned_changes(pinned_plan));
    let touched = |path: &Path| baseline.contains_key(path) || pinned.contains_key(path);
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
            let read: Vec<String> = files
                .iter()
                .filter(|f| changed.contains(&f.display))
                .map(|f| f.display.clone())
                .collect();
            return Ok(Some((manager, read)));
        }
    }
    Ok(None)
}
