//! `pmrc show`: each manager's merged config, the files it came from, and its routes.

use std::path::PathBuf;

use crate::discover::{self, ConfigFile, Environment};
use crate::error::Result;
use crate::managers::{Manager, ManagerArg};
use crate::model::Model;
use crate::resolve::{self, Route};
use crate::warning::Warning;

pub struct Request {
    pub dir: PathBuf,
    /// Empty: every manager whose project file exists.
    pub managers: Vec<ManagerArg>,
    pub user: bool,
    /// Variables applied over the files (`--env`, `--env-file`).
    pub env_vars: Vec<crate::env_layer::Variable>,
    /// `--env` or `--env-file` was given: a file a manager ignores as a whole in that
    /// environment (pnpm 10 and an unset variable) is left out, as `explain` leaves it.
    pub environment_asked: bool,
}

/// What one manager reads and does.
pub struct Shown {
    pub manager: Manager,
    /// Whose rules were applied (`npm 12` where package.json pins the major, `npm 11/12`
    /// where it is open).
    pub rules: &'static str,
    pub files: Vec<ConfigFile>,
    pub model: Model,
    pub routes: Vec<Route>,
    pub warnings: Vec<Warning>,
}

/// Each manager's `Shown`, handed to `keep` as soon as it is read: a caller that keeps only
/// what it prints holds one manager's model at a time (issue 20). Nothing is kept if any
/// manager's files cannot be read.
pub fn run<T>(
    req: &Request,
    env: &Environment,
    mut keep: impl FnMut(Shown) -> T,
) -> Result<Vec<T>> {
    let mut shown = Vec::new();
    for asked in super::managers_in(&req.dir, &req.managers)? {
        let (manager, note) = asked.settle(&req.dir)?;
        let (dir, mut env, member_note) = super::workspace_root(manager, &req.dir, env);
        env.npm_userconfig = crate::env_layer::userconfig(manager, &req.env_vars);
        let files = discover::locate(manager, &dir, req.user, &env)?;
        let vars = crate::env_layer::VariablesHere::new(&req.env_vars);
        let (files, left_out) = if req.environment_asked {
            crate::explain::files_read_here(manager, files, vars)
        } else {
            (files, Vec::new())
        };
        let (mut model, mut warnings) = discover::read_merged(manager, &files)?;
        warnings.extend(left_out);
        // What one major refuses that the rules the majors share accept (from a trial: npm
        // 12 and a top-level `email`, which show printed a route for and no warning).
        let majors = asked.majors_in_play();
        warnings.extend(crate::managers::refused_at_majors(
            manager,
            &majors,
            &files,
            &req.env_vars,
        ));
        // From a trial: with `packageManager: npm@12.2.2`, show said "npm 11/12 rules" where
        // explain said "npm 12 rules".
        let rules = match majors[..] {
            [(major, true)] => manager.rules().label_at_major(major),
            _ => manager.label(),
        };
        warnings.extend(crate::env_layer::apply(&mut model, manager, &req.env_vars));
        warnings.splice(0..0, note.into_iter().chain(member_note));
        warnings.extend(crate::env_layer::userconfig_not_applied(manager, &env));
        if !req.user {
            warnings.extend(discover::unread_user_files(manager, &dir, &env));
        } else {
            warnings.extend(discover::passed_over_user_files(manager, &env));
        }
        shown.push(keep(Shown {
            manager,
            rules,
            files,
            routes: if req.environment_asked {
                crate::explain::routes_here(&model, manager, vars)
            } else {
                resolve::routes(&model, manager)
            },
            model,
            warnings,
        }));
    }
    Ok(shown)
}
