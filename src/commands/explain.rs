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
    for asked in super::managers_in(&req.dir, &req.managers)? {
        let (manager, note) = asked.settle(&req.dir)?;
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
        let explain = |major| {
            let at = crate::explain::Major {
                major,
                files: &files,
            };
            crate::explain::explain(
                &model,
                manager,
                at,
                &req.package,
                req.tarball.as_deref(),
                vars,
            )
        };
        answers.extend(per_major(asked, explain));
    }
    // Two majors of one manager read the same files and say the same of them once (from a
    // trial: `--manager npm@11,npm@12` printed each note twice).
    let mut said: Vec<Warning> = Vec::with_capacity(warnings.len());
    for w in warnings {
        if !said.contains(&w) {
            said.push(w);
        }
    }
    Ok(Explained {
        answers,
        warnings: said,
    })
}

/// The answers of `asked` at each major its rules stand for where it is not settled: one,
/// under the rules' shared label, where the majors answer alike, else one per major, each
/// with its own stop and tarball rule (from a trial: `--manager npm@11,npm@12` printed two
/// identical npm 11/12 answers, and an unpinned npm none of npm 12's refusals).
fn per_major(asked: ManagerArg, explain: impl Fn(Option<u8>) -> Explanation) -> Vec<Explanation> {
    let majors = asked.majors_in_play();
    if let [(major, true)] = majors[..] {
        return vec![explain(Some(major))];
    }
    let each: Vec<Explanation> = majors.iter().map(|&(m, _)| explain(Some(m))).collect();
    let alike = |a: &Explanation, b: &Explanation| {
        let without_label = |e: &Explanation| {
            let mut v = serde_json::to_value(e).expect("serialisable");
            v["rules"] = serde_json::Value::Null;
            v
        };
        without_label(a) == without_label(b)
    };
    match &each[..] {
        [first, rest @ ..] if rest.iter().any(|e| !alike(first, e)) => each,
        _ => vec![explain(None)],
    }
}
