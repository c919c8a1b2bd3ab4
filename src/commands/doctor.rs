//! `pmrc doctor`: findings over every manager in play, and with `--fix` the mechanical
//! repairs, applied with `--write`.

use std::path::PathBuf;

use super::ExitStatus;
use crate::apply;
use crate::diagnostics::Code;
use crate::discover::Environment;
use crate::doctor::Finding;
use crate::error::Result;
use crate::managers::{Manager, ManagerArg};
use crate::plan::FileChange;
use crate::warning::{Severity, Warning};

pub struct Request {
    pub dir: PathBuf,
    /// `--dir` as given, for the commands fixes suggest.
    pub dir_flag: Option<PathBuf>,
    /// Empty: every manager whose project file exists.
    pub managers: Vec<ManagerArg>,
    pub user: bool,
    pub check_env: bool,
    /// Variables applied over the files (`--env`: the process's; `--env-file`).
    pub env_vars: Vec<crate::env_layer::Variable>,
    /// Also read the CI workflows.
    pub ci: bool,
    /// Fail (exit 1) when a finding of this severity or worse exists; `None`: never.
    pub fail_on: Option<Severity>,
    pub fix: bool,
    pub write: bool,
}

pub struct Diagnosed {
    pub findings: Vec<Finding>,
    pub fixes: Vec<FileChange>,
    pub written: Vec<PathBuf>,
    pub status: ExitStatus,
}

pub fn run(req: &Request, env: &Environment) -> Result<Diagnosed> {
    let (asked, unchecked) = if req.managers.is_empty() {
        in_use(&req.dir)?
    } else {
        (req.managers.clone(), None)
    };
    let found = match super::managers_in(&req.dir, &asked) {
        // `--ci` still reads the workflows of a project without config files (an npm
        // project with only package.json, say): the jobs' managers read what is there.
        Err(_) if req.ci && asked.is_empty() => Vec::new(),
        found => found?,
    };
    let mut majors: Vec<(u8, bool)> = Vec::new();
    for m in &found {
        for major in m.majors_in_play() {
            if !majors.contains(&major) {
                majors.push(major);
            }
        }
    }
    // Which major's rules a manager is checked under, where pmrc took the newest, is said,
    // as explain and convert say it.
    let mut settled_notes = Vec::new();
    let mut managers = Vec::new();
    for m in found {
        let guessed = m.major_guessed(&req.dir);
        let (m, note) = m.settle(&req.dir)?;
        settled_notes.extend(note.filter(|n| guessed && !settled_notes.contains(n)));
        managers.push(m);
    }
    // A workspace is checked from its root; what the member's own files miss is said.
    let shared = super::workspace_run::shared_workspace_root(&managers, req.dir.clone(), env)?;
    let read_apart = read_apart_findings(&shared, req);
    let super::workspace_run::SharedRoot {
        dir,
        env,
        notes: member_notes,
        ..
    } = shared;
    let request = crate::doctor::Request {
        dir: &dir,
        managers,
        user: req.user,
        env: &env,
        check_env: req.check_env,
        ci: req.ci,
        dir_flag: req.dir_flag.as_deref(),
        unchecked,
        env_vars: &req.env_vars,
        majors,
    };
    let mut findings = crate::doctor::run(&request)?;
    let mut fixes = Vec::new();
    let mut written = Vec::new();
    if req.fix {
        fixes = crate::doctor::fixes(&request)?;
        let mut moved = readers_moved(&request, &fixes)?;
        if req.write {
            written = apply::apply(&fixes)?;
            // The findings and the exit code speak of what is left; the readers moved are
            // then what was done, said, not failed on.
            findings = crate::doctor::run(&request)?;
            for f in &mut moved {
                f.severity = Severity::Note;
            }
        }
        findings.extend(moved);
    }
    let settled_findings = settled_notes
        .into_iter()
        .map(|w| other_major_named(w, &request.managers));
    let member_findings = member_notes
        .into_iter()
        .map(|w| crate::doctor::finding(w, None))
        .chain(read_apart);
    findings.splice(0..0, settled_findings.chain(member_findings));
    let failing = req
        .fail_on
        .is_some_and(|t| findings.iter().any(|f| f.severity >= t));
    Ok(Diagnosed {
        findings,
        fixes,
        written,
        status: if failing {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    })
}

/// The note saying which major's rules a manager was checked under (pnpm's newest, where
/// package.json names none), its fix naming the `--manager` list that checks the same
/// managers under the family's other majors.
fn other_major_named(note: Warning, checked: &[Manager]) -> Finding {
    let mut finding = crate::doctor::finding(note, None);
    let family = |m: &Manager| m.rules().family();
    let Some(settled) = checked.iter().copied().find(|m| {
        crate::managers::SETTLED
            .iter()
            .any(|o| o != m && family(o) == family(m))
    }) else {
        return finding;
    };
    let with = |major: Manager| {
        checked
            .iter()
            .map(|&m| if m == settled { major } else { m }.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let others: Vec<String> = crate::managers::SETTLED
        .iter()
        .copied()
        .filter(|o| *o != settled && family(o) == family(&settled))
        .map(|o| format!("--manager {}", with(o)))
        .collect();
    finding.manager = Some(settled);
    finding.fix = format!(
        "where the project runs another major, run the same command again with {}; name the version in package.json's packageManager to settle it",
        others.join(" or ")
    );
    finding
}

/// Each manager checked at the workspace root that, run in the member, reads other settings:
/// its findings are those of the manager run at the root, and the command checks it alone
/// as run in the member.
fn read_apart_findings(shared: &super::workspace_run::SharedRoot, req: &Request) -> Vec<Finding> {
    // `--dir` as given, as doctor's other commands name it: run as printed, from where
    // doctor was, the command checks the member.
    let dir_arg = req
        .dir_flag
        .as_ref()
        .map(|d| {
            format!(
                " --dir {}",
                crate::doctor::shell_word(&d.display().to_string())
            )
        })
        .unwrap_or_default();
    shared
        .read_apart
        .iter()
        .map(|a| {
            let message = format!(
                "run in {}, {}, while {}, where this run checks every manager: the findings about {} are those of {} run at the root",
                shared.member.display(),
                a.said(),
                shared.at_root_said,
                a.manager.label(),
                a.manager.label(),
            );
            Finding {
                fix: format!(
                    "run `pmrc doctor --manager {}{}{dir_arg}` to check it on its own, as run in the member",
                    a.manager,
                    if req.user { " --user" } else { "" }
                ),
                ..crate::doctor::finding(
                    Warning::new(Code::MemberReadApart, message, a.origin()),
                    Some(a.manager),
                )
            }
        })
        .collect()
}

/// A fix made for the managers checked can change what another manager reading the same
/// file does (npm's top-level token keyed to its registry: Bun and Deno, which ignored it at
/// top level, then send it): said, with the file, before writing (a warning) and after (a
/// note).
fn readers_moved(req: &crate::doctor::Request, fixes: &[FileChange]) -> Result<Vec<Finding>> {
    // No fix, nothing moved: every manager's files need not be read again.
    if fixes.is_empty() {
        return Ok(Vec::new());
    }
    let moved: Vec<Manager> = crate::plan::moved_by_changes(req.dir, req.user, req.env, fixes)?
        .into_iter()
        .filter(|m| !req.managers.contains(m))
        .collect();
    let Some(first) = fixes.first().filter(|_| !moved.is_empty()) else {
        return Ok(Vec::new());
    };
    let files: Vec<&str> = fixes.iter().map(|c| c.display.as_str()).collect();
    let read = if moved.len() == 1 { "reads" } else { "read" };
    let w = crate::warning::Warning::new(
        crate::diagnostics::Code::DoctorFixMovesReaders,
        format!(
            "the fix of {} also changes what {}, which {read} it too, would do: check that {} should",
            files.join(", "),
            crate::plan::listed(&moved),
            if moved.len() == 1 { "it" } else { "they" }
        ),
        Some(crate::model::Origin {
            file: crate::model::Origin::shared(&first.display),
            line: 0,
            level: first.level,
        }),
    );
    Ok(vec![crate::doctor::finding(w, None)])
}

/// Where `packageManager` names the manager, as a message says it (`package.json
/// packageManager "pnpm@10.1.0"`, or a workspace root's `../../package.json`), and the other
/// managers whose files are here.
type Unchecked = (String, Vec<ManagerArg>);

/// The managers doctor checks without `--manager`: the one package.json's `packageManager`
/// names, with the other managers whose own files are here (a file the named manager reads
/// itself, such as pnpm's `.npmrc`, is not another's); else every manager whose file is here.
/// A `packageManager` pmrc cannot read leaves the files to decide, as before there was one.
fn in_use(dir: &std::path::Path) -> Result<(Vec<ManagerArg>, Option<Unchecked>)> {
    // Run in a workspace member, the root's packageManager when the member's package.json
    // has none (as Corepack finds it).
    let Ok(Some((named, spec, file))) = crate::managers::named_for(dir) else {
        return Ok((Vec::new(), None));
    };
    let reads_itself = named.settle(dir)?.0.sources();
    // The managers pmrc.toml keeps in sync are in use, not leftovers: checked too (from a
    // trial, doctor called a synced `.npmrc` npm's leftover and left it unchecked).
    let mut checked = vec![named];
    if let Some(setting) = super::convert::project_setting(dir)? {
        for m in std::iter::once(setting.from).chain(setting.to) {
            if !checked.contains(&m) {
                checked.push(m);
            }
        }
    }
    let others = crate::managers::ALL
        .into_iter()
        .filter(|m| !checked.contains(m) && m.marker_in(dir).is_some())
        .filter(|m| !reads_itself.iter().any(|f| f.name == m.marker_file()))
        .collect();
    Ok((
        checked,
        Some((format!("{file} packageManager \"{spec}\""), others)),
    ))
}
