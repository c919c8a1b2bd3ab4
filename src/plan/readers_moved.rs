//! The managers a change to a shared file moves without being asked about: a conversion
//! neither reads from nor writes for, where it writes an `.npmrc` the source reads otherwise
//! than npm (the readers that read the file as npm does take the source's reading with the
//! write), and those a doctor fix moves.

use std::path::Path;

use super::FileChange;
use super::shared::{moved_by, planned_changes};
use crate::diagnostics::Code;
use crate::error::Result;
use crate::formats::Format;
use crate::managers::Manager;
use crate::warning::Warning;

/// One finding, at the first line the source reads apart in a changed `.npmrc`, naming every
/// other reader the change makes do otherwise (whichever of the file's lines moves it).
/// pmrc.toml's bystanders are left out: a change that moves them is refused before this
/// (`keep_bystanders`).
pub(super) fn readers_moved(
    req: &super::Request,
    changes: &[FileChange],
    source_warnings: &[Warning],
) -> Result<Option<Warning>> {
    // A line of a changed file: the plan writes that file as the source reads it, which is
    // not how the others read it (a line of it rewritten, or a key added above a section).
    let in_changed_file = |w: &&Warning| {
        matches!(
            w.code,
            Code::NpmrcSectionReadApart | Code::NpmrcValueReadApart
        ) && w.origin.as_ref().is_some_and(|o| {
            changes.iter().any(|c| {
                c.format == Format::Npmrc
                    && c.status() != super::Status::Unchanged
                    && Path::new(&c.display) == o.file.as_path()
            })
        })
    };
    // Without such a line, the other readers change only with what the source meant, which
    // every reader of the file reads alike.
    let Some(apart) = source_warnings.iter().find(in_changed_file) else {
        return Ok(None);
    };
    let planned = planned_changes(changes);
    let mut moved: Vec<Manager> = Vec::new();
    for other in crate::managers::SETTLED {
        if other == req.from || req.to.contains(&other) || req.bystanders.contains(&other) {
            continue;
        }
        if moved_by(other, (req.dir, req.user, req.env), &planned)?.is_some() {
            moved.push(other);
        }
    }
    if moved.is_empty() {
        return Ok(None);
    }
    let read = if moved.len() == 1 { "reads" } else { "read" };
    let (they, targets, from) = (listed(&moved), listed(req.to), req.from.label());
    Ok(Some(Warning::new(
        Code::NpmrcRewriteMovesReaders,
        format!(
            "{from} reads this line otherwise than npm does, and the file is written for {targets} as {from} reads it; {they}, which {read} this file too, would then do otherwise than now: check that they should"
        ),
        apart.origin.clone(),
    )))
}

/// Every manager that `changes` make do otherwise than the files as they are, for a change
/// made outside a conversion (doctor's fixes), which has no source whose reading it keeps.
pub fn moved_by_changes(
    dir: &Path,
    user: bool,
    env: &crate::discover::Environment,
    changes: &[FileChange],
) -> Result<Vec<Manager>> {
    let planned = planned_changes(changes);
    let mut moved = Vec::new();
    for manager in crate::managers::SETTLED {
        if moved_by(manager, (dir, user, env), &planned)?.is_some() {
            moved.push(manager);
        }
    }
    Ok(moved)
}

/// `a`, `a and b`, `a, b and c`, by the managers' labels.
pub fn listed(managers: &[Manager]) -> String {
    let labels: Vec<&str> = managers.iter().map(|m| m.label()).collect();
    match labels.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => labels.concat(),
    }
}
