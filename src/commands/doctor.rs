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
    let managers = found
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
        ci: req.ci,
        dir_flag: req.dir_flag.as_deref(),
        unchecked,
        env_vars: &req.env_vars,
        npm_major: asked.iter().find_map(|m| match m {
            ManagerArg::NpmMajor(major) => Some(*major),
            _ => None,
        }),
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

/// `packageManager` as written in package.json, and the other managers whose files are here.
type Unchecked = (String, Vec<ManagerArg>);

/// The managers doctor checks without `--manager`: the one package.json's `packageManager`
/// names, with the other managers whose own files are here (a file the named manager reads
/// itself, such as pnpm's `.npmrc`, is not another's); else every manager whose file is here.
/// A `packageManager` pmrc cannot read leaves the files to decide, as before there was one.
fn in_use(dir: &std::path::Path) -> Result<(Vec<ManagerArg>, Option<Unchecked>)> {
    let Ok(Some((named, spec))) = crate::managers::named_by_package_json(dir) else {
        return Ok((Vec::new(), None));
    };
    let reads_itself = named.settle(dir)?.0.sources();
    let others = crate::managers::ALL
        .into_iter()
        .filter(|m| *m != named && m.marker_in(dir).is_some())
        .filter(|m| !reads_itself.iter().any(|f| f.name == m.marker_file()))
        .collect();
    Ok((vec![named], Some((spec, others))))
}
