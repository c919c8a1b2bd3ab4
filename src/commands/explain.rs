//! `pmrc explain PACKAGE`: every manager's answer for one package.

use std::path::PathBuf;

use crate::discover::{self, Environment};
use crate::error::Result;
use crate::explain::Explanation;
use crate::managers::ManagerArg;
use crate::warning::Warning;

pub struct Request {
    pub dir: PathBuf,
    /// Empty: every manager whose project file exists.
    pub managers: Vec<ManagerArg>,
    pub user: bool,
    pub package: String,
    pub tarball: Option<String>,
    /// Variables applied over the files (`--env`, `--env-file`).
    pub env_vars: Vec<crate::env_layer::Variable>,
}

pub struct Explained {
    pub answers: Vec<Explanation>,
    pub warnings: Vec<Warning>,
}

pub fn run(req: &Request, env: &Environment) -> Result<Explained> {
    let mut answers = Vec::new();
    let mut warnings = Vec::new();
    for manager in super::managers_in(&req.dir, &req.managers)? {
        let (manager, note) = manager.settle(&req.dir)?;
        let (dir, mut env, member_note) = super::workspace_root(manager, &req.dir, env);
        env.npm_userconfig = crate::env_layer::userconfig(manager, &req.env_vars);
        let vars = crate::env_layer::VariablesHere::new(&req.env_vars);
        let files = discover::locate(manager, &dir, req.user, &env)?;
        let (files, left_out) = crate::explain::files_read_here(manager, files, vars);
        let (mut model, w) = discover::read_merged(manager, &files)?;
        warnings.extend(note.into_iter().chain(member_note).chain(w).chain(left_out));
        warnings.extend(crate::env_layer::apply(&mut model, manager, &req.env_vars));
        warnings.extend(crate::env_layer::userconfig_not_applied(manager, &env));
        if !req.user {
            warnings.extend(discover::unread_user_files(manager, &dir, &env));
        } else {
            warnings.extend(discover::passed_over_user_files(manager, &env));
        }
        answers.push(crate::explain::explain(
            &model,
            manager,
            &req.package,
            req.tarball.as_deref(),
            vars,
        ));
    }
    Ok(Explained { answers, warnings })
}
