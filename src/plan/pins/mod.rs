//! The source's registry written out for a group of a target's packages where a file pmrc
//! does not write would send them elsewhere (Yarn 1's `.yarnrc`, a parent folder's
//! `.yarnrc.yml`): each is tried in a plan of its own and kept only where it mends that group
//! and changes nothing else any manager does; each refused is said with why.

mod checks;
mod refusal;

use rustc_hash::FxHashMap as HashMap;

use super::{FileChange, Request};
use crate::diagnostics::Code;
use crate::error::Result;
use crate::managers::Manager;
use crate::model::{Model, Origin};
use crate::resolve::Packages;
use crate::warning::Warning;
use refusal::Refusal;

/// The source's registry, `url`, written out for `group` in `target`'s translation
/// ([`crate::translate::pin_registry`]).
#[derive(Debug, Clone)]
pub struct Pin {
    pub target: Manager,
    /// As the target names it (a scope without its `@`).
    pub group: Packages,
    /// Empty for a registry pmrc does not copy ([`Wanted::withheld`]).
    pub url: String,
    /// The line the target would otherwise take its registry for the group from, and that
    /// registry (`None`: the public registry): what the note says.
    pub overridden: Origin,
    pub requested: Option<String>,
    /// The files the line went into, as shown, once its trial kept it.
    pub written_to: Vec<String>,
    /// User-level files pmrc did not read that hold credentials for its registry: what the
    /// target sends there pmrc could not compare.
    pub unread_credentials: Vec<String>,
}

/// One pin is one line: the same target, group and registry, whatever a plan says of it.
impl PartialEq for Pin {
    fn eq(&self, other: &Self) -> bool {
        (self.target, &self.group, &self.url) == (other.target, &other.group, &other.url)
    }
}

/// A group a target would not request or authenticate as the source does.
#[derive(Debug, Clone, PartialEq)]
pub struct Open {
    pub target: Manager,
    pub group: Packages,
    /// It would request the source's registry: only the credentials differ.
    pub requests_alike: bool,
}

/// What one plan says about pins.
#[derive(Default)]
pub struct Wanted {
    /// A group a target would request elsewhere than the source by a line in a file pmrc
    /// does not write.
    pub pins: Vec<Pin>,
    /// Such a group whose source registry pmrc does not copy into another file (credentials,
    /// a query or a reference in its URL).
    pub withheld: Vec<Pin>,
    pub unsettled: Vec<Open>,
}

/// A refused batch larger than this is not tried pin by pin: each try plans the whole
/// conversion again (a `.yarnrc` of hundreds of scopes took minutes).
const ONE_BY_ONE_AT_MOST: usize = 8;

/// What a trial's plan says of the pins on trial.
enum Verdict {
    Kept,
    /// Each of these is refused for its own reason, whatever the others do.
    EachRefused(Vec<(Pin, Refusal)>),
    /// Together these move something else; one of them alone may not.
    RefusedTogether(Vec<Pin>, Refusal),
}

/// The pins of one conversion, and the plan each trial is judged against.
#[derive(Default)]
pub struct Pins {
    /// Kept, and on trial: what the translations write out.
    written: Vec<Pin>,
    on_trial: Vec<Pin>,
    /// Refused together, to be tried one at a time, in the order they came.
    queued: Vec<Pin>,
    refused: Vec<(Pin, Refusal)>,
    /// The groups the last plan judged left unsettled: a refused pin is said only where its
    /// group still is (a later round may have settled it otherwise).
    unsettled: Vec<Open>,
    /// The plan without the pins on trial.
    baseline: Option<Vec<FileChange>>,
    /// Each manager's user-level files pmrc did not read that set a registry, once asked.
    unread_routing: HashMap<Manager, Vec<checks::RoutingFile>>,
}

impl Pins {
    pub fn new() -> Pins {
        Pins::default()
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
            let unread = match p.unread_credentials.as_slice() {
                [] => String::new(),
                files => format!(
                    "; {} {} credentials for it, which pmrc reads only with --user, so whether {to} sends them as {from} does is not checked: pass --user to check it (and have them sent alike)",
                    files.join(" and "),
                    if files.len() == 1 { "holds" } else { "hold" },
                    to = p.target,
                ),
            };
            Warning::note(
                Code::RegistryWrittenOut,
                format!(
                    "{}: {to} would request {} by this line; pmrc writes {from}'s registry {} out for them in {into}, which {to} takes over it{unread}",
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
                .any(|o| o.target == p.0.target && o.group == p.0.group)
        };
        let refused = self.refused.iter().filter(still_unsettled).map(|(p, why)| {
            let registry = match why.names_the_registry() {
                true => format!("{from}'s registry {}", p.url),
                false => format!("{from}'s registry"),
            };
            Warning::note(
                Code::RegistryNotWrittenOut,
                format!(
                    "{}: pmrc did not write {registry} out for {to} over this line: {}",
                    p.group,
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
    pub fn refuse_trial(&mut self, bystanders: &[Manager]) {
        if let Some(baseline) = self.baseline.take() {
            let refused = std::mem::take(&mut self.on_trial);
            let why = Refusal::MovesBystander(bystanders.to_vec());
            self.settle(Verdict::RefusedTogether(refused, why), baseline);
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
        for pin in &wanted.withheld {
            if !self.refused.iter().any(|(p, _)| p == pin) {
                self.refused.push((pin.clone(), Refusal::NotCopied));
            }
        }
        if wanted.pins.is_empty() && self.baseline.is_none() && self.queued.is_empty() {
            return Ok(false);
        }
        let Some(baseline) = self.baseline.take() else {
            return Ok(self.begin_trial(changes, wanted));
        };
        match self.judge(req, source, (&baseline, changes), &wanted)? {
            Verdict::Kept => {
                let changed = checks::files_changed(&baseline, changes);
                let into: Vec<String> = changed.iter().map(|c| c.display.clone()).collect();
                for pin in self
                    .written
                    .iter_mut()
                    .filter(|p| self.on_trial.contains(p))
                {
                    pin.written_to = into.clone();
                    pin.unread_credentials =
                        checks::unread_user_credentials_for(req, pin.target, &pin.url)?;
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
        let refused: Vec<(Pin, Refusal)> = match verdict {
            Verdict::Kept => return,
            Verdict::EachRefused(refused) => refused,
            Verdict::RefusedTogether(pins, _) if (2..=ONE_BY_ONE_AT_MOST).contains(&pins.len()) => {
                self.written.retain(|p| !pins.contains(p));
                self.on_trial.retain(|p| !pins.contains(p));
                self.queued.extend(pins);
                return self.after_refusal(baseline);
            }
            Verdict::RefusedTogether(pins, why) => {
                let why = why.of_batch(pins.len());
                pins.into_iter().map(|p| (p, why.clone())).collect()
            }
        };
        self.written
            .retain(|p| !refused.iter().any(|(r, _)| r == p));
        self.on_trial
            .retain(|p| !refused.iter().any(|(r, _)| r == p));
        self.refused.extend(refused);
        self.after_refusal(baseline);
    }

    /// With pins still on trial, the plan is judged again against the same baseline; with
    /// none, it is the baseline again, and the next queued pin goes on trial.
    fn after_refusal(&mut self, baseline: Vec<FileChange>) {
        if self.on_trial.is_empty() {
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
    /// the files does as it did without it; where no manager reading the file it goes into
    /// has a user file pmrc did not read that sets a registry; and, with several targets,
    /// where it is not written into a file the source reads, which would make it the
    /// source's for the other targets too, where no trial judged it. That one last: the
    /// reasons before it hold converting to the target alone too, and a note that says to
    /// do that must not send the user to another refusal.
    fn judge(
        &mut self,
        req: &Request,
        source: &Model,
        plans: (&[FileChange], &[FileChange]),
        wanted: &Wanted,
    ) -> Result<Verdict> {
        let unmended: Vec<(Pin, Refusal)> = self
            .on_trial
            .iter()
            .filter_map(|p| {
                let open = wanted
                    .unsettled
                    .iter()
                    .find(|o| o.target == p.target && o.group == p.group)?;
                let why = match open.requests_alike {
                    true => Refusal::OtherCredentials,
                    false => Refusal::StillElsewhere,
                };
                Some((p.clone(), why))
            })
            .collect();
        if !unmended.is_empty() {
            return Ok(Verdict::EachRefused(unmended));
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
            if let Some((group, credentials_only)) =
                checks::moves_other_groups(req, source, plans, (to, &groups))?
            {
                let why = Refusal::MovesGroup {
                    group,
                    credentials_only,
                };
                return Ok(Verdict::RefusedTogether(of_target, why));
            }
        }
        if let Some((moved, files)) = checks::moves_other_managers(req, plans, &targets)? {
            let why = Refusal::MovesManagers(moved, files);
            return Ok(Verdict::RefusedTogether(self.on_trial.clone(), why));
        }
        let changed = checks::files_changed(plans.0, plans.1);
        let unread = checks::unread_user_files_that_route(req, &changed, &mut self.unread_routing)?;
        if !unread.is_empty() {
            return Ok(self.refused_here(Refusal::UserFilesUnread(unread)));
        }
        if req.to.len() > 1 && checks::writes_a_source_file(req, plans)? {
            return Ok(self.refused_here(Refusal::SourceFile));
        }
        Ok(Verdict::Kept)
    }

    /// The pins on trial refused for `why`: a lone pin for good, several to be tried one at
    /// a time (the reason may be another pin's file).
    fn refused_here(&self, why: Refusal) -> Verdict {
        match self.on_trial.as_slice() {
            [one] => Verdict::EachRefused(vec![(one.clone(), why)]),
            all => Verdict::RefusedTogether(all.to_vec(), why),
        }
    }
}
