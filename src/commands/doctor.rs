//! `pmrc doctor`: findings over every manager in play, and with `--fix` the mechanical
//! repairs, applied with `--write`.

use std::path::PathBuf;

use super::ExitStatus;
use crate::apply;
use crate::discover::Environment;
use crate::doctor::Finding;
use crate::error::Result;
use crate::managers::{Manager, ManagerArg};
use crate::plan::FileChange;
use crate::warning::Severity;

pub struct Request {
    pub dir: PathBuf,
    /// `--dir` as given, for the commands fixes suggest.
    pub dir_flag: Option<PathBuf>,
    /// Empty: every manager whose project file exists.
    pub managers: Vec<ManagerArg>,
    pub user: bool,
    pub check_env: bool,
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
    let managers = super::managers_in(&req.dir, &req.managers)?
        .into_iter()
        .map(|m| Ok(m.settle(&req.dir)?.0))
        .collect::<Result<Vec<Manager>>>()?;
    // A workspace (pnpm's) is checked from its root.
    let (dir, env, _) =
        super::shared_workspace_root(managers.iter().copied(), req.dir.clone(), env);
    let request = crate::doctor::Request {
        dir: &dir,
        managers,
        user: req.user,
        env: &env,
        check_env: req.check_env,
        dir_flag: req.dir_flag.as_deref(),
    };
    let mut findings = crate::doctor::run(&request)?;
    let mut fixes = Vec::new();
    let mut written = Vec::new();
    if req.fix {
        fixes = crate::doctor::fixes(&request)?;
        if req.write {
            written = apply::apply(&fixes)?;
            // The findings and the exit code speak of what is left.
            findings = crate::doctor::run(&request)?;
        }
    }
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
