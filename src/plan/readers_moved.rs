//! The managers a conversion neither reads from nor writes for, where it rewrites a shared
//! `.npmrc` line the source reads otherwise than npm: the readers that read the line as npm
//! does take the source's reading with the write, and are told so.

use std::path::Path;

use rustc_hash::FxHashMap as HashMap;

use super::FileChange;
use super::shared::{Difference, difference, read_with};
use crate::diagnostics::Code;
use crate::discover;
use crate::error::Result;
use crate::formats::Format;
use crate::managers::Manager;
use crate::warning::Warning;

/// One finding, at the first line the source reads apart in a changed `.npmrc`, naming every
/// other reader the change makes do otherwise. pmrc.toml's bystanders are left out: a change
/// that moves them is refused before this (`keep_bystanders`).
pub(super) fn readers_moved(
    req: &super::Request,
    changes: &[FileChange],
    source_warnings: &[Warning],
) -> Result<Option<Warning>> {
    // A line rewritten: the change's text no longer holds it as written.
    let rewritten = |w: &&Warning| {
        matches!(
            w.code,
            Code::NpmrcSectionReadApart | Code::NpmrcValueReadApart
        ) && w.origin.as_ref().is_some_and(|o| {
            changes.iter().any(|c| {
                let before = c.before.as_deref().unwrap_or_default();
                c.format == Format::Npmrc
                    && Path::new(&c.display) == o.file.as_path()
                    && before
                        .lines()
                        .nth(o.line.wrapping_sub(1))
                        .is_some_and(|line| !c.after.lines().any(|l| l == line))
            })
        })
    };
    // Without such a line, the other readers change only with what the source meant, which
    // every reader of the file reads alike.
    let Some(apart) = source_warnings.iter().find(rewritten) else {
        return Ok(None);
    };
    let planned: HashMap<&Path, String> = changes
        .iter()
        .filter(|c| c.status() != super::Status::Unchanged)
        .map(|c| (c.path.as_path(), c.after.clone()))
        .collect();
    let mut moved: Vec<Manager> = Vec::new();
    for other in crate::managers::SETTLED {
        if other == req.from || req.to.contains(&other) || req.bystanders.contains(&other) {
            continue;
        }
        let files = discover::locate(other, req.dir, req.user, req.env)?;
        if !files.iter().any(|f| planned.contains_key(f.path.as_path())) {
            continue;
        }
        let before = discover::read_merged(other, &files)?.0;
        let after = read_with(other, &files, &planned)?;
        if difference(other, &before, &after) != Difference::None {
            moved.push(other);
        }
    }
    if moved.is_empty() {
        return Ok(None);
    }
    let labels: Vec<&str> = moved.iter().map(|m| m.label()).collect();
    let (they, read) = match labels.as_slice() {
        [one] => (one.to_string(), "reads"),
        [init @ .., last] => (format!("{} and {last}", init.join(", ")), "read"),
        [] => unreachable!("moved is not empty"),
    };
    let targets: Vec<String> = req.to.iter().map(|m| m.to_string()).collect();
    Ok(Some(Warning::new(
        Code::NpmrcRewriteMovesReaders,
        format!(
            "this line is written for {} as {} reads it, otherwise than npm; {they}, which {read} this file too and {read} the line as npm does, would then do otherwise: no one value serves both readings, so check that they should send what {} sent",
            targets.join(", "),
            req.from.label(),
            req.from.label(),
        ),
        apart.origin.clone(),
    )))
}
