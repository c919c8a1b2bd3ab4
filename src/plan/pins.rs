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
use crate::model::{Model, Origin};
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
    /// Each of these leaves its own group unsettled.
    EachRefused(Vec<Pin>),
    /// Together these move something else; one of them alone may not.
    RefusedTogether(Vec<Pin>),
}

/// The pins of one conversion, and the plan each trial is judged against.
pub struct Pins {
    /// A user-level file pmrc did not read (no `--user`) may route the group for any
    /// manager reading the files (npm's `~/.npmrc`, Bun's `~/.bunfig.toml`): what pmrc sees
    /// of them is then no ground for a line. Looked for once a plan wants a pin: most
    /// conversions want none, and pay nothing for it.
    allowed: Option<bool>,
    /// Kept, and on trial: what the translations write out.
    written: Vec<Pin>,
    on_trial: Vec<Pin>,
    /// Refused together, to be tried one at a time, in the order they came.
    queued: Vec<Pin>,
    refused: Vec<Pin>,
    /// The plan without the pins on trial.
    baseline: Option<Vec<FileChange>>,
}

impl Pins {
    pub fn new() -> Pins {
        Pins {
            allowed: None,
            written: Vec::new(),
            on_trial: Vec::new(),
            queued: Vec::new(),
            refused: Vec::new(),
            baseline: None,
        }
    }

    /// The pins the translations write out.
    pub fn written(&self) -> &[Pin] {
        &self.written
    }

    /// A note for each pin written out, at the line it wins over: the line is not the
    /// source's, and nothing else in the plan says why it is there.
    pub fn notes(&self, from: Manager) -> Vec<Warning> {
        self.written
            .iter()
            .map(|p| {
                Warning::note(
                    Code::RegistryWrittenOut,
                    format!(
                        "{}: {to} would request {} by this line; pmrc writes {from}'s registry {} out for them in the file it writes for {to}, which {to} takes over it",
                        p.group,
                        p.requested.as_deref().unwrap_or("the public registry"),
                        p.url,
                        to = p.target,
                    ),
                    Some(p.overridden.clone()),
                )
            })
            .collect()
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
            self.settle(Verdict::RefusedTogether(refused), baseline);
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
        if wanted.pins.is_empty() && self.baseline.is_none() && self.queued.is_empty() {
            return Ok(false);
        }
        let allowed = *self.allowed.get_or_insert_with(|| {
            req.user
                || !crate::managers::SETTLED
                    .into_iter()
                    .chain([req.from])
                    .chain(req.to.iter().copied())
                    .any(|m| discover::unread_user_files(m, req.dir, req.env).is_some())
        });
        if !allowed {
            return Ok(false);
        }
        let Some(baseline) = self.baseline.take() else {
            return Ok(self.begin_trial(changes, wanted));
        };
        match self.judge(req, source, (&baseline, changes), &wanted)? {
            Verdict::Kept => {
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
        let (refused, one_by_one) = match verdict {
            Verdict::Kept => return,
            Verdict::EachRefused(pins) => (pins, false),
            Verdict::RefusedTogether(pins) => (pins, true),
        };
        self.written.retain(|p| !refused.contains(p));
        self.on_trial.retain(|p| !refused.contains(p));
        if one_by_one && (2..=ONE_BY_ONE_AT_MOST).contains(&refused.len()) {
            self.queued.extend(refused);
        } else {
            self.refused.extend(refused);
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
            self.written.contains(p) || self.queued.contains(p) || self.refused.contains(p)
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
            return Ok(Verdict::EachRefused(unsettled));
        }
        if req.to.len() > 1 && writes_a_source_file(req, (baseline, pinned))? {
            return Ok(Verdict::EachRefused(self.on_trial.clone()));
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
            if moves_other_groups(req, source, (baseline, pinned), (to, &groups))? {
                return Ok(Verdict::RefusedTogether(of_target));
            }
        }
        if moves_other_managers(req, (baseline, pinned), &targets)? {
            return Ok(Verdict::RefusedTogether(self.on_trial.clone()));
        }
        Ok(Verdict::Kept)
    }
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

/// Whether `to`, reading the files of `pinned` (a plan with the source's registry written
/// out for it for `groups`), requests or authenticates another group of packages otherwise
/// than on those of `baseline`, where it does not then do as the source does: its groups, the
/// source's, and a scope none names, which Yarn sends a parent folder's top-level token with.
fn moves_other_groups(
    req: &Request,
    source: &Model,
    (baseline, pinned): (&[FileChange], &[FileChange]),
    (to, groups): (Manager, &[Packages]),
) -> Result<bool> {
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
        .any(|(w, n)| w.observable() != n.observable() && unlike_source.contains(&n.packages)))
}

/// Whether a manager other than `targets` reads the files of `pinned` otherwise than those of
/// `baseline`: every other reader of a file stays as the plan left it (pnpm 11/12 and Bun take
/// `pnpm-workspace.yaml`'s or `bunfig.toml`'s `registry` over `.npmrc`'s, so a scope written
/// out in `.npmrc` no longer follows it there).
fn moves_other_managers(
    req: &Request,
    (baseline, pinned): (&[FileChange], &[FileChange]),
    targets: &[Manager],
) -> Result<bool> {
    let (baseline, pinned) = (planned_changes(baseline), planned_changes(pinned));
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
            return Ok(true);
        }
    }
    Ok(false)
}
