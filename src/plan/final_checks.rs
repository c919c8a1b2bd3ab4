//! Checks of a run's planned changes as a whole, before anything is written: a bystander
//! pmrc.toml names must do what it did, a user file behind a link is not replaced, and what
//! routes cannot show is said (Yarn 1 stopping on `${VAR?}`, a file a reader drops while a
//! variable is unset, a secret written into a file others can read).

use super::shared::{moved_by, planned_changes};
use super::{FileChange, Request};
use crate::diagnostics::Code;
use crate::discover;
use crate::error::{Error, Result};
use crate::model::Level;
use crate::warning::Warning;

/// A file written for the run that a manager in play ignores as a whole while a variable it
/// references is unset, as it is here (pnpm 10, any `.npmrc`): routes, read from the
/// model, cannot show that. A target is told whenever it would read nothing of the file; the
/// source and bystanders only when the change makes them drop a file they read before.
pub(super) fn files_dropped_while_unset(
    req: &Request,
    changes: &[FileChange],
) -> Result<Vec<Warning>> {
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

/// An `.npmrc` written for another target that Yarn 1 reads too (the project has its
/// `.yarnrc`, or pmrc.toml names it), given npm's `${VAR?}` it did not hold before: Yarn 1
/// has no such form, looks up a variable named `VAR?` and stops every command (spec/yarn.md
/// B3; conformance `yarn1_stops_on_an_optional_reference`). Routes cannot show that, so it
/// is said here.
pub(super) fn yarn_classic_stops(req: &Request, changes: &[FileChange]) -> Result<Vec<Warning>> {
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
pub(super) fn secrets_into_readable_files(changes: &[FileChange]) -> Vec<Warning> {
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
pub(super) fn refuse_user_files_behind_links(req: &Request, changes: &[FileChange]) -> Result<()> {
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

/// A manager named in pmrc.toml that this run neither reads from nor writes for must do
/// what it did: a change to a file it reads that would make it do otherwise is refused.
pub(super) fn keep_bystanders(req: &Request, changes: &[FileChange]) -> Result<()> {
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
