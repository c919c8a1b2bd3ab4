//! `pmrc doctor`: every config file that applies, checked against each manager's own rules
//! for settings that silently do nothing, credentials that leak, and managers that
//! disagree. Findings are data (rule id, severity, file:line, message, fix).

use crate::diagnostics::{Code, Diagnostic};
use std::path::Path;

use serde::Serialize;

use crate::discover::{self, ConfigFile, Environment};
use crate::error::Result;
use crate::managers::{Manager, ManagerArg};
use crate::model::{Level, Model, Origin};
use crate::registry_url::RegistryUrl;
use crate::resolve::{self, Packages, Route};
use crate::template::Piece;
use crate::warning::{Severity, Warning};

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: Code,
    pub severity: Severity,
    pub manager: Option<Manager>,
    /// Every manager the finding is about, when it is more than one (the same problem seen
    /// by several managers reading one file is one finding).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managers: Vec<Manager>,
    pub message: String,
    /// What to do; a command, where there is one, written for this project.
    pub fix: String,
    /// For `config-drift`: the managers that disagree, those that do the same together.
    #[serde(skip)]
    pub drift: Option<Vec<Vec<Manager>>>,
    /// For `config-drift`: the packages that managers route or authenticate apart.
    #[serde(skip)]
    pub drift_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// Doctor's rules: the part of the diagnostics table about files as they are.
pub const RULES: &[Diagnostic] = crate::diagnostics::DOCTOR_RULES;

pub fn finding(w: Warning, manager: Option<Manager>) -> Finding {
    Finding {
        rule: w.code,
        severity: w.severity,
        manager,
        managers: Vec::new(),
        message: w.message,
        fix: w.code.diagnostic().fix.to_string(),
        drift: None,
        drift_group: None,
        origin: w.origin,
    }
}

pub struct Request<'a> {
    pub dir: &'a Path,
    pub managers: Vec<Manager>,
    pub user: bool,
    pub env: &'a Environment,
    /// Check that referenced environment variables are set.
    pub check_env: bool,
    /// `--dir` as the user gave it, for the commands fixes suggest.
    pub dir_flag: Option<&'a Path>,
    /// Also read the GitHub Actions workflows (`--ci`).
    pub ci: bool,
    /// Without `--manager`, when package.json's `packageManager` named the one manager to
    /// check: its spelling there, and the managers whose files are here too, unchecked.
    pub unchecked: Option<(String, Vec<ManagerArg>)>,
    /// Variables applied over the files (`--env`: the process's; `--env-file`).
    pub env_vars: &'a [crate::env_layer::Variable],
    /// The majors whose own refusals are checked beyond the rules pmrc shares between them
    /// (`ManagerArg::majors_in_play`), and whether each was named (`--manager npm@12`,
    /// packageManager `npm@12.…`) rather than left open (`npm`: every major, since any may
    /// run; from a trial, plain doctor missed npm 12's refusal of a top-level `email`).
    pub majors: Vec<(u8, bool)>,
}

struct Read {
    manager: Manager,
    files: Vec<ConfigFile>,
    model: Model,
    routes: Vec<Route>,
}

/// A workspace file that does not list the members a manager run in them needs listed to
/// work from this root (pnpm and package.json's `workspaces`, `Rules::projects_to_list`):
/// run in a member, it reads none of this root's config. From a trial: after a conversion
/// wrote a pnpm-workspace.yaml without `packages`, doctor said nothing, and real pnpm 12.21.0
/// in the member requested registry.npmjs.org.
fn projects_unlisted<'a>(
    dir: &'a Path,
    manager: Manager,
    files: &'a [ConfigFile],
) -> impl Iterator<Item = Warning> + 'a {
    files.iter().filter_map(move |file| {
        let patterns = manager
            .rules()
            .projects_to_list(dir, file, file.text.as_deref())?;
        let quoted: Vec<String> = patterns
            .iter()
            .map(|p| serde_json::to_string(p).unwrap_or_else(|_| p.clone()))
            .collect();
        Some(Warning::new(
            Code::WorkspaceProjectsListed,
            format!(
                "{manager}, run in a member of this workspace, reads none of this root's config: {} {} the members in `packages` ({manager} ignores package.json's `workspaces`), so each member is a project of its own; add `packages:` with {} at its top level",
                file.display,
                if file.text.is_some() { "does not list" } else { "does not exist to list" },
                quoted.join(", ")
            ),
            Some(crate::model::Origin {
                file: crate::model::Origin::shared(&file.display),
                line: if file.text.is_some() { 1 } else { 0 },
                level: file.level,
            }),
        ))
    })
}

pub fn run(req: &Request) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let mut reads = Vec::new();
    for &manager in &req.managers {
        let env = environment_of(req, manager);
        let files = discover::locate(manager, req.dir, req.user, &env)?;
        // With --env, what the manager reads here: a file it drops over an unset variable
        // (pnpm 10) gives no routes; `unset_env` says which and why.
        let (mut model, mut warnings) = if req.check_env {
            let vars = crate::env_layer::VariablesHere::new(req.env_vars);
            let (read_here, _) = crate::explain::files_read_here(manager, files.clone(), vars);
            discover::read_merged(manager, &read_here)?
        } else {
            discover::read_merged(manager, &files)?
        };
        warnings.extend(crate::env_layer::apply(&mut model, manager, req.env_vars));
        warnings.extend(crate::env_layer::userconfig_not_applied(manager, &env));
        findings.extend(warnings.into_iter().map(|w| finding(w, Some(manager))));
        // What the manager ignores, with the severity convert gives it for this project.
        let ignored = manager.rules().target_warnings(req.dir, manager, &model)?;
        findings.extend(ignored.into_iter().map(|w| finding(w, Some(manager))));
        findings
            .extend(projects_unlisted(req.dir, manager, &files).map(|w| finding(w, Some(manager))));
        let routes = resolve::routes(&model, manager);
        reads.push(Read {
            manager,
            files,
            model,
            routes,
        });
    }
    for read in &reads {
        findings.extend(manager_rules(req, read)?);
        let refused = crate::managers::refused_at_majors(
            read.manager,
            &req.majors,
            &read.files,
            req.env_vars,
        );
        findings.extend(refused.into_iter().map(|w| finding(w, Some(read.manager))));
        let locked = crate::managers::lockfile_refused_at_majors(
            read.manager,
            &req.majors,
            req.dir,
            &read.model,
            &read.files,
            req.env_vars,
        )?;
        findings.extend(locked.into_iter().map(|w| finding(w, Some(read.manager))));
    }
    if !req.user {
        // "pnpm ignores this credential" is not the last word when its auth.ini, which
        // `convert --user` wrote, is there unread.
        for &manager in &req.managers {
            findings.extend(
                discover::unread_user_files(manager, req.dir, req.env)
                    .map(|w| finding(w, Some(manager))),
            );
        }
    } else {
        for &manager in &req.managers {
            findings.extend(
                discover::passed_over_user_files(manager, req.env)
                    .map(|w| finding(w, Some(manager))),
            );
        }
    }
    findings.extend(file_rules(req.dir, &reads));
    findings.extend(drift(&reads));
    findings.extend(yarn_classic_optional_references(&reads));
    if req.check_env {
        findings.extend(unset_env(&reads, req.env_vars));
    }
    findings.extend(unchecked(req));
    // At a workspace root (not reached from a member, whose files were named already).
    if req.env.member.is_none() {
        findings.extend(unread_member_files(req));
    }
    if req.ci {
        findings.extend(
            crate::ci::check(req.dir, req.env, &req.managers)?
                .into_iter()
                .map(|f| Finding {
                    fix: f.fix,
                    ..finding(f.warning, f.manager)
                }),
        );
    }
    // Translation-time notes about loss are not doctor's business.
    findings.retain(|f| !matches!(f.rule, Code::PnpmVersion | Code::UnusedCredential));
    // "always-auth has no effect in npm 7+" is not a line to remove where a manager checked
    // here honours it from that file (from a trial: with the line removed, real Yarn 1.22.22
    // sent no token for unscoped packages).
    findings.retain(|f| {
        f.rule != Code::NpmAlwaysAuthIgnored
            || !f.origin.as_ref().is_some_and(|o| {
                reads.iter().any(|r| {
                    r.manager.rules().reads_npmrc_always_auth()
                        && r.files.iter().any(|file| {
                            file.text.is_some() && Path::new(&file.display) == o.file.as_path()
                        })
                })
            })
    });
    dedup(&mut findings);
    // A conversion leaves the lines readers part on as written: drift they cause is mended
    // by hand first.
    let read_apart: Vec<String> = findings
        .iter()
        .filter(|f| {
            matches!(
                f.rule,
                Code::NpmrcSectionReadApart | Code::NpmrcValueReadApart
            )
        })
        .filter_map(|f| f.origin.as_ref())
        .map(|o| (o.file.clone(), o.line))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|(file, line)| format!("{}:{line}", file.display()))
        .collect();
    // A drift's fix plans conversions to check them, once for each set of sides. Where
    // `doctor --fix` mends lines (a Bun `${VAR}` Bun sends as text, a top-level token), the
    // drift may be their doing, and a conversion from the manager that misreads them would
    // copy the mistake to the others (from a helper's review): those go first.
    let fix_first = findings.iter().any(|f| f.drift.is_some())
        && fixes(req).is_ok_and(|changes| {
            changes
                .iter()
                .any(|c| c.status() != crate::plan::Status::Unchanged)
        });
    let mut drift_fixes = std::collections::HashMap::new();
    for f in &mut findings {
        let fix = match &f.drift {
            Some(_) if fix_first => {
                // The managers checked, named: each mends its own lines, and one found only
                // by `--manager` (Deno's byte-order mark) would be left out otherwise.
                let names = named_managers(req);
                // And `--user`, where the user files were checked (from a review).
                let user = if req.user { " --user" } else { "" };
                let dir = format!("{} --manager {}{user}", dir_arg(req), names.join(","));
                Some(format!(
                    "run `pmrc doctor --fix --write{dir}` first (it mends the lines other findings name, which can cause this), then `pmrc doctor{dir}` again for what is left"
                ))
            }
            Some(sides) => drift_fixes
                .entry(sides.clone())
                .or_insert_with(|| drift_fix(req, &reads, sides, f.drift_group.as_deref()))
                .clone(),
            None => command_fix(req, &reads, f),
        };
        if let Some(fix) = fix {
            f.fix = match (&f.drift, read_apart.is_empty()) {
                (Some(_), false) => format!(
                    "first mend {} as the read-apart findings say (a conversion leaves such lines as written), then {fix}",
                    read_apart.join(", ")
                ),
                _ => fix,
            };
        }
    }
    Ok(merge_managers(findings))
}

/// One finding per problem: the same rule at the same place with the same fix, whose
/// messages differ only in the manager named (npm, pnpm, Bun and Deno all reading one
/// `.npmrc`), is one finding naming them all.
fn merge_managers(findings: Vec<Finding>) -> Vec<Finding> {
    let named: Vec<Manager> = findings.iter().filter_map(|f| f.manager).collect();
    let items = findings
        .into_iter()
        .map(|f| (f.manager.map(|m| m.to_string()), f))
        .collect();
    crate::warning::merge_by_manager(
        items,
        |f| {
            (
                f.rule,
                f.severity,
                f.origin.as_ref().map(ToString::to_string),
                f.fix.clone(),
            )
        },
        |f| &mut f.message,
    )
    .into_iter()
    .map(|(names, mut f)| {
        if names.len() > 1 {
            f.managers = names
                .iter()
                .filter_map(|n| named.iter().copied().find(|m| m.to_string() == *n))
                .collect();
            f.manager = None;
        }
        f
    })
    .collect()
}

/// `--dir DIR` when the user gave one, so a suggested command runs where doctor looked.
fn dir_arg(req: &Request) -> String {
    req.dir_flag
        .map(|d| format!(" --dir {}", shell_word(&d.display().to_string())))
        .unwrap_or_default()
}

/// `word`, quoted for a POSIX shell when it needs to be.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+@%:=,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The command that repairs a finding, with this project's managers in it, where pmrc has
/// one that does the right thing; `None` keeps the table's advice.
fn command_fix(req: &Request, reads: &[Read], f: &Finding) -> Option<String> {
    // A line in a user-level file is mended there only with `--user` (a review ran the
    // command printed for npm 12's refused `~/.npmrc` key: it found nothing to change).
    let mut args = dir_arg(req);
    if f.origin.as_ref().is_some_and(|o| o.level == Level::User) {
        args.push_str(" --user");
    }
    let manager = f.manager?;
    let rules = manager.rules();
    let command = rules.fix_command(f.rule, req.dir, &args)?;
    match rules.fix_copies_credentials_from(f.rule) {
        Some(from) if !copy_keeps_routes(req, reads, from, manager) => Some(
            copy_by_hand(req, f, rules, from).unwrap_or_else(|| {
                format!(
                    "copy the credential line into {}'s user file by hand (a conversion from {from} would also move the registries {from}'s config does not name)",
                    manager.label()
                )
            }),
        ),
        _ => Some(command),
    }
}

/// Whether converting from `from` to `manager` with `--user` (to copy credentials into its
/// user file) leaves `manager` requesting every group of packages where it does now, and
/// every manager sending the credentials it sends now. From a review: the fix for pnpm's
/// ignored token converted from npm, whose config named none of the registries in
/// pnpm-workspace.yaml, and run as printed emptied that file.
fn copy_keeps_routes(req: &Request, reads: &[Read], from: Manager, manager: Manager) -> bool {
    let Ok(plan) = crate::plan::build(&crate::plan::Request {
        dir: req.dir,
        from,
        to: &[manager],
        user: true,
        env: req.env,
        bystanders: &[],
        present: &[],
    }) else {
        return false;
    };
    let Some(after) = reads_after(req, reads, &plan, true) else {
        return false;
    };
    let same_registries = reads.iter().zip(&after).all(|(b, a)| {
        b.manager != manager || {
            let groups: Vec<_> = b.routes.iter().map(|r| r.packages.clone()).collect();
            let now = resolve::routes_for(&a.model, a.manager, groups);
            b.routes
                .iter()
                .zip(&now)
                .all(|(b, a)| b.registry == a.registry)
        }
    });
    same_registries && keeps_credentials(reads, &after)
}

/// The credential line to copy by hand into the manager's user file, where no conversion
/// copies it alone.
fn copy_by_hand(
    req: &Request,
    f: &Finding,
    rules: &dyn crate::managers::Rules,
    from: Manager,
) -> Option<String> {
    let origin = f.origin.as_ref()?;
    // Named from the member pmrc was pointed at, where there is one (`../../.npmrc`).
    let from_folder = req.env.member.as_deref().unwrap_or(req.dir);
    let path = if origin.file.is_absolute() {
        origin.file.to_path_buf()
    } else {
        from_folder.join(origin.file.as_path())
    };
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().nth(origin.line.checked_sub(1)?)?.trim();
    // Printed as it is only where its value is one reference: no literal text of a secret.
    let value = line.split_once('=')?.1.trim();
    let one_reference =
        value.starts_with("${") && value.ends_with('}') && value.matches('$').count() == 1;
    if !one_reference {
        return None;
    }
    Some(format!(
        "add `{line}` to {}, where {} reads it (a conversion from {from} would also move the registries {from}'s config does not name)",
        rules.user_credentials_file()?,
        f.manager?.label()
    ))
}

/// The conversions that mend a `config-drift` between `sides` (the managers that do the same
/// together): from the project's source where it is one of them, else from each side. Only
/// a conversion after which, read from the files it writes, no manager doctor checked still
/// drifts from another here and none sends fewer credentials than now is named, with
/// `--user` where only the user files can carry it (a token pnpm 11/12 ignore in a project
/// `.npmrc`). From reviews: a command that changes nothing, or that leaves the drift (one
/// the environment makes), run as printed did nothing; one that took a token out of a user
/// file, or from a manager whose route pmrc cannot write (pnpm's config.yaml), left that
/// manager without credentials it sent.
fn drift_fix(
    req: &Request,
    reads: &[Read],
    sides: &[Vec<Manager>],
    group: Option<&str>,
) -> Option<String> {
    let dir = dir_arg(req);
    // Every manager on the other sides than `from`'s.
    let others = |from: Manager| -> Vec<Manager> {
        sides
            .iter()
            .filter(|side| !side.contains(&from))
            .flatten()
            .copied()
            .collect()
    };
    let in_sides: Vec<Manager> = sides.iter().flatten().copied().collect();
    // The reads after converting `from` to `to`, where the conversion is one a fix may name:
    // `convert` would write it as planned, and no manager sends fewer credentials than now.
    let converted = |from: Manager, to: &[Manager], user: bool| -> Option<Vec<Read>> {
        // A source that sends a credential keyed for another port or for no registry (pnpm's
        // port-less fallback) would have every manager send it there: followed, real npm,
        // Yarn 1, Bun and Deno sent one registry's token to another (from a trial).
        let strays = reads.iter().filter(|r| r.manager == from).any(|r| {
            r.routes.iter().any(|route| {
                route.authorization.is_some()
                    && !crate::translate::names_its_registry(route, r.manager)
            })
        });
        if strays {
            return None;
        }
        // As `convert` run in this shell takes the user `.npmrc` (NPM_CONFIG_USERCONFIG): a
        // command it refuses is no fix (from a review).
        let managers = std::iter::once(from).chain(to.iter().copied());
        let env = crate::commands::convert::user_config_moved(managers, user, req.env).ok()?;
        let plan = crate::plan::build(&crate::plan::Request {
            dir: req.dir,
            from,
            to,
            user,
            env: &env,
            bystanders: &[],
            present: &[],
        })
        .ok()?;
        if plan.pending().next().is_none()
            || plan.warnings.iter().any(|w| w.code.leaves_targets_apart())
        {
            return None;
        }
        let after = reads_after(req, reads, &plan, user)?;
        keeps_credentials(reads, &after).then_some(after)
    };
    // Whether the managers of `sides` still drift apart when read as `reads` are.
    let still_apart = |reads: &[Read]| {
        drift(reads).iter().any(|f| {
            f.drift.as_ref().is_some_and(|apart| {
                apart
                    .iter()
                    .flatten()
                    .filter(|m| in_sides.contains(m))
                    .count()
                    > 1
            })
        })
    };
    let mends = |from: Manager, user: bool| -> bool {
        converted(from, &others(from), user).is_some_and(|after| !still_apart(&after))
    };
    // A drift the user files this run did not read mend is no drift: naming a conversion
    // here would move a committed project token into this machine's user file (from a
    // trial: after `convert --to pnpm@12 --user --write`, doctor without --user named
    // `convert --from pnpm@12 --to npm --user --write`, which takes the token out of the
    // project `.npmrc` every teammate reads).
    if !req.user
        && in_sides
            .iter()
            .any(|&m| discover::unread_user_files(m, req.dir, req.env).is_some())
        && reads_with_user_files(req, reads).is_some_and(|with_user| !still_apart(&with_user))
    {
        return Some(
            "run the same command again with --user: with the user files it did not read, which these managers read too, they do the same here".to_string(),
        );
    }
    let convert_to = |from: Manager, to: &[Manager], user: bool| {
        let to: Vec<String> = to.iter().map(ToString::to_string).collect();
        let user = if user { " --user" } else { "" };
        format!(
            "`pmrc convert --from {from} --to {}{user} --write{dir}`",
            to.join(",")
        )
    };
    let convert = |from: Manager, user: bool| convert_to(from, &others(from), user);
    // From `from`: the user files as well only where the project's alone do not mend it.
    let ways: &[bool] = if req.user { &[true] } else { &[false, true] };
    let mending = |from: Manager| -> Option<String> {
        ways.iter()
            .find(|&&user| mends(from, user))
            .map(|&user| convert(from, user))
    };
    let source = discover::detect_source(req.dir, &crate::managers::ALL, &[])
        .ok()
        .and_then(|m| m.settle(req.dir).ok())
        .map(|(m, _)| m)
        .filter(|s| in_sides.contains(s));
    // The project's source, where converting from it mends the drift.
    if let Some(command) = source.and_then(mending) {
        return Some(format!("run {command} and review the diff"));
    }
    // Which side is right is the user's to say: each side's conversion that mends it.
    let choices: Vec<String> = sides.iter().filter_map(|side| mending(side[0])).collect();
    // Else a conversion that makes one side do here as another does and makes no other
    // difference anywhere (from a trial: Yarn 1 alone missed a token npm's file held, and
    // `convert --from npm --to yarn-classic` added it, where the fix said none would do).
    if choices.is_empty()
        && let Some(group) = group
    {
        let before = apart_pairs(reads);
        for from in sides {
            for to in sides.iter().filter(|to| *to != from) {
                let Some((user, after)) = ways
                    .iter()
                    .find_map(|&user| Some((user, converted(from[0], to, user)?)))
                else {
                    continue;
                };
                let after = apart_pairs(&after);
                let joined = !after.iter().any(|(g, a, b)| {
                    g == group
                        && ((from.contains(a) && to.contains(b))
                            || (to.contains(a) && from.contains(b)))
                });
                if !(joined && after.is_subset(&before)) {
                    continue;
                }
                // `npm and bun do`, `yarn-classic does`.
                let said = |ms: &[Manager], one: &str, many: &str| {
                    let names: Vec<String> = ms.iter().map(ToString::to_string).collect();
                    let verb = if names.len() == 1 { one } else { many };
                    format!("{} {verb}", crate::warning::name_list(&names))
                };
                // Still apart here from the side converted from, as the files read after.
                let rest: Vec<Manager> = in_sides
                    .iter()
                    .filter(|m| !from.contains(m) && !to.contains(m))
                    .filter(|m| {
                        after.iter().any(|(g, a, b)| {
                            g == group
                                && ((a == *m && from.contains(b)) || (b == *m && from.contains(a)))
                        })
                    })
                    .copied()
                    .collect();
                let then = format!(
                    "then {} here as {}",
                    said(to, "does", "do"),
                    said(from, "does", "do")
                );
                let rest = match rest.is_empty() {
                    true => String::new(),
                    false => format!(", and {}", said(&rest, "still differs", "still differ")),
                };
                return Some(format!(
                    "run {} and review the diff: {then}{rest} (it sets no manager apart where it was not, and no conversion mends every difference between their files)",
                    convert_to(from[0], to, user),
                ));
            }
        }
    }
    Some(match choices.as_slice() {
        [] => "decide which manager's config is right and mend the others' by hand: no conversion between their files makes them agree here without taking away credentials one of them sends now or sending a credential to a registry its key does not name (a difference that environment variables make, or files pmrc does not write such as pnpm's config.yaml, stays)".to_string(),
        [one] => format!("run {one} and review the diff"),
        _ => format!(
            "decide which config is right, then run {}",
            choices.join(" or ")
        ),
    })
}

/// The environment `manager`'s files are found in: the user `.npmrc` the variables move.
fn environment_of(req: &Request, manager: Manager) -> Environment {
    Environment {
        npm_userconfig: crate::env_layer::userconfig(manager, req.env_vars),
        ..req.env.clone()
    }
}

/// Doctor's reads with each manager's user files read too, as `--user` reads them.
fn reads_with_user_files(req: &Request, reads: &[Read]) -> Option<Vec<Read>> {
    reads
        .iter()
        .map(|read| {
            let env = environment_of(req, read.manager);
            let files = discover::locate(read.manager, req.dir, true, &env).ok()?;
            let (mut model, _) = discover::read_merged(read.manager, &files).ok()?;
            crate::env_layer::apply(&mut model, read.manager, req.env_vars);
            let routes = resolve::routes(&model, read.manager);
            Some(Read {
                manager: read.manager,
                files,
                model,
                routes,
            })
        })
        .collect()
}

/// Doctor's reads as they would be once `plan` is written: each manager's files read with
/// the planned texts, and the same variables over them; with the user files too where the
/// plan writes them (`--user`) and doctor did not read them.
fn reads_after(
    req: &Request,
    reads: &[Read],
    plan: &crate::plan::Plan,
    user: bool,
) -> Option<Vec<Read>> {
    reads
        .iter()
        .map(|read| {
            let located;
            let files = if user && !req.user {
                located = discover::locate(
                    read.manager,
                    req.dir,
                    true,
                    &environment_of(req, read.manager),
                )
                .ok()?;
                &located
            } else {
                &read.files
            };
            let (mut model, _) =
                crate::plan::read_after(read.manager, files, &plan.changes).ok()?;
            crate::env_layer::apply(&mut model, read.manager, req.env_vars);
            let routes = resolve::routes(&model, read.manager);
            Some(Read {
                manager: read.manager,
                files: read.files.clone(),
                model,
                routes,
            })
        })
        .collect()
}

/// Whether every manager still sends credentials for each group of packages it sends them
/// for now.
/// Each group of packages two managers route or authenticate apart, with the two, as
/// [`drift`] finds them.
fn apart_pairs(reads: &[Read]) -> std::collections::HashSet<(String, Manager, Manager)> {
    let mut out = std::collections::HashSet::new();
    for f in drift(reads) {
        let (Some(group), Some(classes)) = (f.drift_group, f.drift) else {
            continue;
        };
        for (i, class) in classes.iter().enumerate() {
            for other in &classes[i + 1..] {
                for (&a, &b) in class.iter().flat_map(|a| other.iter().map(move |b| (a, b))) {
                    out.insert((group.clone(), a, b));
                    out.insert((group.clone(), b, a));
                }
            }
        }
    }
    out
}

fn keeps_credentials(before: &[Read], after: &[Read]) -> bool {
    before.iter().zip(after).all(|(b, a)| {
        let sending: Vec<_> = b
            .routes
            .iter()
            .filter(|r| r.authorization.is_some())
            .map(|r| r.packages.clone())
            .collect();
        resolve::routes_for(&a.model, a.manager, sending)
            .iter()
            .all(|r| r.authorization.is_some())
    })
}

/// One note for the managers package.json does not name, whose files are here: leftovers of
/// a migration, or managers the project still uses; only the user knows, so they are named
/// once with the command that checks them, not checked into a page of warnings.
fn unchecked(req: &Request) -> Option<Finding> {
    let (spec, others) = req.unchecked.as_ref().filter(|(_, o)| !o.is_empty())?;
    let files: Vec<String> = others
        .iter()
        .map(|m| format!("{} ({m})", m.marker_file()))
        .collect();
    let all: Vec<String> = req
        .managers
        .iter()
        .map(ToString::to_string)
        .chain(others.iter().map(ToString::to_string))
        .collect();
    Some(Finding {
        rule: Code::OtherManagersNotChecked,
        severity: Severity::Note,
        manager: None,
        message: format!(
            "{spec} names {}; {} {} here too and {} not checked (leftovers, or managers still in use?)",
            req.managers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            files.join(", "),
            if others.len() == 1 { "is" } else { "are" },
            if others.len() == 1 { "was" } else { "were" },
        ),
        fix: format!(
            "run `pmrc doctor --manager {}{}` to check them too, or delete the files if they are leftovers",
            all.join(","),
            dir_arg(req)
        ),
        drift: None,
        drift_group: None,
        origin: None,
        managers: Vec::new(),
    })
}

/// The workspace members' own files the managers checked never read: at the root they
/// read its config, and run in the member too (npm, Bun and Deno; the case behind "npm
/// gets a 401 where the token is in the member's .npmrc").
fn unread_member_files(req: &Request) -> Vec<Finding> {
    let ignoring: Vec<Manager> = req
        .managers
        .iter()
        .copied()
        .filter(|m| !m.rules().member_files_ignored().is_empty())
        .collect();
    // Without such a manager the members need not be listed (it walks folders).
    if ignoring.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for member in crate::managers::workspace_members(req.dir) {
        // A member that declares workspaces of its own is their root: its `.npmrc` is read
        // run in them (a review's real runs).
        if crate::managers::declares_workspaces(&member) {
            continue;
        }
        let Ok(folder) = member.strip_prefix(req.dir) else {
            continue;
        };
        for &m in &ignoring {
            for name in m.rules().member_files_ignored() {
                if !member.join(name).is_file() {
                    continue;
                }
                let shown = folder.join(name);
                let w = Warning::new(
                    Code::MemberConfigIgnored,
                    format!(
                        "{}, a workspace member's own file, is never read by {m}: at this root and run in {} alike, this root's config is read instead",
                        shown.display(),
                        folder.display()
                    ),
                    Some(Origin {
                        file: Origin::shared(&shown),
                        line: 1,
                        level: Level::Project,
                    }),
                );
                out.push(finding(w, Some(m)));
            }
        }
    }
    out
}

fn dedup(findings: &mut Vec<Finding>) {
    let mut seen = rustc_hash::FxHashSet::default();
    findings.retain(|f| {
        seen.insert((
            f.rule,
            f.message.clone(),
            f.origin.as_ref().map(|o| o.to_string()),
        ))
    });
}

fn origin_at(file: &ConfigFile, line: usize) -> Option<Origin> {
    Some(Origin {
        file: Origin::shared(&file.display),
        line,
        level: file.level,
    })
}

fn manager_rules(req: &Request, read: &Read) -> Result<Vec<Finding>> {
    let m = read.manager;
    let mut out: Vec<Finding> = m
        .rules()
        .lint(req.dir, &read.model, &read.routes)?
        .into_iter()
        .map(|w| finding(w, Some(m)))
        .collect();
    let push = |out: &mut Vec<Finding>, w: Warning| out.push(finding(w, Some(m)));
    for route in &read.routes {
        // From a trial: every manager failed on `registry.test:4873/e/`, pmrc said nothing.
        if let Some(registry) = route.registry.as_deref()
            && crate::explain::lacks_a_scheme(m, registry)
        {
            let configured = match &route.packages {
                Packages::Scope(s) => read.model.scopes.get(s).and_then(|s| s.registry.as_ref()),
                Packages::Unscoped => read.model.registry.as_ref(),
            };
            // Another scheme, or a mistyped one (`ftp://`, `https:/`), is replaced, not kept.
            let bare = match registry.split_once(':') {
                Some((scheme, rest))
                    if !scheme.is_empty()
                        && scheme.chars().all(|c| c.is_ascii_alphabetic())
                        && rest.starts_with('/') =>
                {
                    rest
                }
                _ => registry,
            }
            .trim_start_matches('/');
            let mut f = finding(
                Warning::error(
                    Code::RegistryUrlWithoutScheme,
                    format!(
                        "{m} cannot request {} from `{registry}`, which is no https:// or http:// URL: {m} {}",
                        route.packages,
                        m.rules().on_registry_url_without_scheme()
                    ),
                    configured.and_then(|v| v.origin.clone()),
                ),
                Some(m),
            );
            // The URL itself, not the table's example; https or http is the user's to say.
            f.fix = format!(
                "write `https://{bare}` there (or `http://{bare}` where the registry serves plain http)"
            );
            out.push(f);
        }
        let http = route
            .registry
            .as_deref()
            .and_then(RegistryUrl::parse)
            .is_some_and(|u| u.is_http());
        if http && route.authorization.is_some() {
            push(
                &mut out,
                Warning::new(
                    Code::CredentialsOverHttp,
                    format!(
                        "{} sends credentials for {} over plain http to {}",
                        m,
                        route.packages,
                        route.registry.as_deref().unwrap_or_default()
                    ),
                    route.credential_origin.clone(),
                ),
            );
        }
    }
    Ok(out)
}

/// Rules about the files themselves: secrets in git, loose permissions.
fn file_rules(dir: &Path, reads: &[Read]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    for read in reads {
        for file in &read.files {
            let Some(text) = &file.text else { continue };
            if !seen.insert(file.path.clone()) {
                continue;
            }
            let spans = file.format.secret_spans(text);
            let Some(first) = spans.first() else { continue };
            let line = crate::formats::line_col(text, first.start).0;
            if is_tracked_by_git(dir, &file.path) {
                out.push(finding(
                    Warning::new(
                        Code::LiteralSecretTracked,
                        format!("{} literal secret(s) in a file tracked by git", spans.len()),
                        origin_at(file, line),
                    ),
                    None,
                ));
            }
            if let Some(mode) = mode_of(&file.path)
                && mode & 0o077 != 0
            {
                let mut f = finding(
                    Warning::new(
                        Code::SecretFilePermissions,
                        format!(
                            "the file holds a literal secret and its mode is {mode:o}: group or others can read it"
                        ),
                        origin_at(file, line),
                    ),
                    None,
                );
                // The command, not the table's "chmod 600 the file": run as printed, that
                // would look for files named "the" and "file" (from a helper's review).
                f.fix = format!(
                    "run `chmod 600 {}`",
                    shell_word(&file.path.display().to_string())
                );
                out.push(f);
            }
        }
    }
    out
}

fn is_tracked_by_git(dir: &Path, path: &Path) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-files", "--error-unmatch", "--"])
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
pub(crate) fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
pub(crate) fn mode_of(_path: &Path) -> Option<u32> {
    None
}

/// Managers that disagree about a group of packages: every scope any two of them know.
/// Managers that do the same are one side, so three managers reading one `.npmrc` against
/// a fourth that ignores a line of it is one finding, not three; each group of packages
/// the managers disagree on is one finding, however many ways they differ.
fn drift(reads: &[Read]) -> Vec<Finding> {
    type Observed = (
        resolve::Packages,
        Option<String>,
        Option<resolve::Authorization>,
    );
    struct Disagreement {
        group: String,
        origin: Option<Origin>,
        /// Each manager with what it does and how that reads.
        sides: Vec<(Manager, Observed, Route)>,
    }
    let mut found: Vec<Disagreement> = Vec::new();
    for (i, a) in reads.iter().enumerate() {
        for b in &reads[i + 1..] {
            let groups = resolve::groups_of(&a.model, &b.model);
            let routes_a = resolve::routes_for(&a.model, a.manager, groups.clone());
            let routes_b = resolve::routes_for(&b.model, b.manager, groups.clone());
            for ((group, ra), rb) in groups.into_iter().zip(routes_a).zip(routes_b) {
                if ra.acts_like(&rb) {
                    continue;
                }
                let (oa, ob) = (ra.observable(), rb.observable());
                let group = group.to_string();
                let origin = ra
                    .credential_origin
                    .clone()
                    .or(rb.credential_origin.clone());
                let d = match found.iter().position(|d| d.group == group) {
                    Some(at) => &mut found[at],
                    None => {
                        found.push(Disagreement {
                            group,
                            origin: None,
                            sides: Vec::new(),
                        });
                        found.last_mut().expect("just pushed")
                    }
                };
                // The line that makes a difference: the first credential line seen.
                if d.origin.is_none() {
                    d.origin = origin;
                }
                for (m, o, r) in [(a.manager, oa, ra), (b.manager, ob, rb)] {
                    if !d.sides.iter().any(|(seen, _, _)| *seen == m) {
                        d.sides.push((m, o, r));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for d in found {
        // Managers that do the same thing, with the first one's route to describe them.
        let mut classes: Vec<(Vec<Manager>, &Observed, &Route)> = Vec::new();
        for (m, o, r) in &d.sides {
            match classes.iter_mut().find(|(_, _, seen)| seen.acts_like(r)) {
                Some((ms, _, _)) => ms.push(*m),
                None => classes.push((vec![*m], o, r)),
            }
        }
        let registries_differ = classes
            .iter()
            .any(|(_, _, r)| !r.requests_alike(classes[0].2));
        let what = if registries_differ {
            "route"
        } else {
            "authenticate"
        };
        let everyone: Vec<Manager> = classes.iter().flat_map(|(ms, _, _)| ms.clone()).collect();
        let names: Vec<String> = everyone.iter().map(ToString::to_string).collect();
        let mut described: Vec<String> = classes.iter().map(|(ms, _, r)| describe(r, ms)).collect();
        // Credentials are never shown: where two sides read alike, say where each comes from.
        let shown: Vec<String> = classes.iter().map(|(_, _, r)| describe(r, &[])).collect();
        let alike = shown
            .iter()
            .enumerate()
            .any(|(i, d)| shown[..i].contains(d));
        let origins: Vec<_> = classes
            .iter()
            .map(|(_, _, r)| r.credential_origin.as_ref().map(|o| (&o.file, o.line)))
            .collect();
        let mut one_line = String::new();
        match origins.first() {
            Some(Some((file, line))) if alike && origins.windows(2).all(|w| w[0] == w[1]) => {
                one_line = format!(
                    ": one line, {}:{line}, read otherwise by each",
                    file.display()
                );
            }
            _ if alike => {
                for (d, origin) in described.iter_mut().zip(&origins) {
                    if let Some((file, line)) = origin {
                        d.push_str(&format!(" from {}:{line}", file.display()));
                    }
                }
            }
            _ => {}
        }
        let read_apart = if registries_differ {
            spelled_alike_read_apart(
                &classes
                    .iter()
                    .map(|(ms, _, r)| (&ms[..], *r))
                    .collect::<Vec<_>>(),
            )
        } else {
            String::new()
        };
        out.push(Finding {
            drift: Some(classes.iter().map(|(ms, _, _)| ms.clone()).collect()),
            drift_group: Some(d.group.clone()),
            managers: if everyone.len() > 2 {
                everyone.clone()
            } else {
                Vec::new()
            },
            ..finding(
                Warning::new(
                    Code::ConfigDrift,
                    format!(
                        "{} {what} {} differently ({}){read_apart}{one_line}",
                        crate::warning::name_list(&names),
                        d.group,
                        described.join(" vs ")
                    ),
                    d.origin.clone(),
                ),
                None,
            )
        });
    }
    out
}

/// When two sides spell their registry alike yet request apart, which of them expand a
/// `${…}` in it and which send it as written: otherwise the message shows one URL twice.
fn spelled_alike_read_apart(classes: &[(&[Manager], &Route)]) -> String {
    let twinned = |r: &Route| {
        classes.iter().any(|(_, other)| {
            !std::ptr::eq(r, *other)
                && r.registry.is_some()
                && r.registry == other.registry
                && !r.requests_alike(other)
        })
    };
    let (mut expand, mut as_written) = (Vec::new(), Vec::new());
    for (managers, route) in classes.iter().filter(|(_, r)| twinned(r)) {
        let names = managers.iter().map(ToString::to_string);
        match &route.registry_read {
            Some(read) if read.has_env() => expand.extend(names),
            _ => as_written.extend(names),
        }
    }
    let verb = |names: &[String], one: &str, many: &str| {
        let verb = if names.len() == 1 { one } else { many };
        format!("{} {verb}", crate::warning::name_list(names))
    };
    match (expand.is_empty(), as_written.is_empty()) {
        (true, true) => String::new(),
        (false, false) => format!(
            ": the same text, which {} and {} as written",
            verb(&expand, "expands", "expand"),
            verb(&as_written, "sends", "send")
        ),
        _ => ": the same text, read apart".into(),
    }
}

fn describe(r: &Route, managers: &[Manager]) -> String {
    let registry = r
        .registry
        .clone()
        .unwrap_or_else(|| "the public registry".into());
    let auth = match &r.authorization {
        None => "no credentials".to_string(),
        Some(_) => "credentials".to_string(),
    };
    let names: Vec<String> = managers.iter().map(ToString::to_string).collect();
    format!("{}: {registry}, {auth}", names.join(", "))
}

/// npm's optional `${VAR?}`, or a default form (`${VAR:-d}`), in an `.npmrc` Yarn 1 reads:
/// Yarn 1 takes it for a variable named `VAR?` or `VAR:-d`, which no one sets (spec/yarn.md
/// B3), and stops whatever VAR holds.
fn yarn_classic_optional_references(reads: &[Read]) -> Vec<Finding> {
    let mut out = Vec::new();
    for read in reads {
        if !read.manager.rules().takes_optional_form_for_a_name() {
            continue;
        }
        for (field, v) in read.model.fields() {
            if let Some(error) =
                read.manager
                    .rules()
                    .stops_on_value(&v.value, v.origin.as_ref(), field.is_secret())
            {
                out.push(finding(
                    Warning::error(
                        Code::YarnClassicOptionalReference,
                        format!(
                            "{} takes all that is inside `${{…}}` for a variable's name (it has no default form, `${{VAR:-default}}`, as Yarn Berry and pnpm do): no one sets a variable named so, and it stops every command with \"{error}\"",
                            read.manager.label(),
                        ),
                        v.origin.clone(),
                    ),
                    Some(read.manager),
                ));
            }
            for piece in v.value.pieces.iter() {
                let Piece::Env {
                    name,
                    unset: crate::template::Unset::Empty,
                } = piece
                else {
                    continue;
                };
                out.push(finding(
                    Warning::error(
                        Code::YarnClassicOptionalReference,
                        format!(
                            "`${{{name}?}}` is npm's optional form, which {} does not have: it looks up a variable named `{name}?` and stops every command with \"{}\", whether {name} is set or not",
                            read.manager.label(),
                            read.manager.rules().stops_on_reference(name, &crate::template::Unset::Empty, true).unwrap_or_default()
                        ),
                        v.origin.clone(),
                    ),
                    Some(read.manager),
                ));
            }
        }
    }
    out
}

fn unset_env(reads: &[Read], env_vars: &[crate::env_layer::Variable]) -> Vec<Finding> {
    let vars = crate::env_layer::VariablesHere::new(env_vars);
    let mut out = Vec::new();
    for read in reads {
        let rules = read.manager.rules();
        // A file the manager ignores as a whole is said once, at its first unset reference;
        // nothing else in it is looked up.
        let mut dropped = Vec::new();
        for file in &read.files {
            let text = file.text.as_deref().unwrap_or_default();
            let Some(d) = rules.drops_file_here(file.format, file.level, text, &|n| vars.is_set(n))
            else {
                continue;
            };
            out.push(finding(
                Warning::new(
                    Code::EnvUnset,
                    format!(
                        "{} is unset: {} then ignores this whole file (\"{}\"), its registries and every other credential in it too",
                        d.variable,
                        read.manager.label(),
                        d.error
                    ),
                    Some(d.origin(&file.display, file.level)),
                ),
                Some(read.manager),
            ));
            dropped.push(file.display.as_str());
        }
        for (field, v) in read.model.fields() {
            if v.origin
                .as_ref()
                .is_some_and(|o| dropped.iter().any(|d| o.file.as_os_str() == *d))
            {
                continue;
            }
            // A value the manager stops on as a whole (Yarn 1 and a default form) is said by
            // yarn-classic-optional-reference; the references inside it are never looked up.
            if read
                .manager
                .rules()
                .stops_on_value(&v.value, v.origin.as_ref(), field.is_secret())
                .is_some()
            {
                continue;
            }
            for (name, unset) in v.value.references_met(&|n| vars.is_set(n)) {
                let (name, unset) = (&name, &unset);
                // Set in the process, or by the `--env-file` the run applies.
                if vars.is_set(name) {
                    continue;
                }
                // The manager takes the default (whose own references come next).
                if unset.default_value().is_some() {
                    continue;
                }
                let rules = read.manager.rules();
                let strict = *unset == crate::template::Unset::Strict;
                // Yarn 1's `${VAR?}` stops it whatever VAR holds: said on its own.
                if !strict && rules.stops_on_reference(name, unset, true).is_some() {
                    continue;
                }
                // Yarn Berry's own message, and Yarn 1's for the `.npmrc` it takes values from
                // (its `.yarnrc` has no references).
                let stops = rules.stops_on_reference(name, unset, false);
                let fatal = stops.is_some();
                let message = match stops {
                    Some(error) => format!(
                        "{name} is unset: {} stops every command with \"{error}\"",
                        read.manager.label()
                    ),
                    // From a trial: real Bun sent `Bearer ${GH_TOKEN}`, where this said it
                    // got no value.
                    None if strict
                        && rules.sends_unset_reference_as_text()
                        && v.origin.as_ref().is_some_and(|o| {
                            o.file
                                .file_name()
                                .is_some_and(|n| n.to_string_lossy().ends_with("npmrc"))
                        }) =>
                    {
                        format!(
                            "{name} is unset, so {} sends the text ${{{name}}} as it is",
                            read.manager
                        )
                    }
                    None => format!("{name} is unset, so {} gets no value from it", read.manager),
                };
                let w = if fatal {
                    Warning::error(Code::EnvUnset, message, v.origin.clone())
                } else {
                    Warning::new(Code::EnvUnset, message, v.origin.clone())
                };
                out.push(finding(w, Some(read.manager)));
            }
        }
    }
    out
}

/// The managers checked as `--manager` names them, each named major of one (`npm@11,npm@12`).
fn named_managers(req: &Request) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for m in &req.managers {
        let majors: Vec<u8> = req
            .majors
            .iter()
            .filter(|(major, named)| *named && m.rules().majors().contains(major))
            .map(|(major, _)| *major)
            .collect();
        let mine = if majors.is_empty() {
            vec![m.as_named(None)]
        } else {
            majors.into_iter().map(|n| m.as_named(Some(n))).collect()
        };
        for name in mine {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// `--fix`: the mechanical repairs of findings that keep what the user meant, one change
/// per file, for the same preview / `--write` flow as `convert`: each manager in play that
/// reads the file mends its own findings there ([`crate::managers::Rules::fix_file`]: `${VAR}`
/// → `$VAR` in bunfig.toml, `@` dropped from Yarn scope keys, `.yarnrc` lines Yarn 1 would
/// ignore the file over, an empty `cafile=`, Deno's byte-order mark), and npm's legacy
/// top-level auth is keyed to its registry (as `npm config fix`, comments kept) unless a
/// manager in play honours it.
pub fn fixes(req: &Request) -> Result<Vec<crate::plan::FileChange>> {
    use crate::formats::{Format, npmrc};
    // A manager that honours top-level `_auth` (Yarn 1) reads the same `.npmrc` on purpose.
    let legacy_auth_honoured = req
        .managers
        .iter()
        .any(|m| m.rules().honours_legacy_top_level_auth());
    // Each file once, with every manager in play that reads it.
    let mut files: Vec<(crate::discover::ConfigFile, Vec<Manager>)> = Vec::new();
    for &manager in &req.managers {
        for file in discover::locate(manager, req.dir, req.user, req.env)? {
            if file.text.is_none() {
                continue;
            }
            match files.iter_mut().find(|(f, _)| f.path == file.path) {
                Some((_, readers)) => readers.push(manager),
                None => files.push((file, vec![manager])),
            }
        }
    }
    let mut changes = Vec::new();
    for (file, readers) in files {
        let Some(text) = &file.text else { continue };
        let mut after: Option<String> = None;
        // The change is credited to the first manager whose repair made one.
        let mut by = None;
        for &manager in &readers {
            let current = after.as_deref().unwrap_or(text);
            let fixed = manager.rules().fix_file(file.format, current);
            let current = fixed.as_deref().unwrap_or(current);
            let fixed = match file.format == Format::Npmrc
                && manager.rules().fixes_legacy_top_level_auth()
                && !legacy_auth_honoured
            {
                true => npmrc::fix_legacy_auth(current).or(fixed),
                false => fixed,
            };
            if let Some(fixed) = fixed {
                by.get_or_insert(manager);
                after = Some(fixed);
            }
        }
        let Some(after) = after.filter(|a| **a != **text) else {
            continue;
        };
        if let Err(e) = file.format.settings(&after) {
            return Err(crate::error::Error::Edit {
                path: file.path.clone(),
                message: format!(
                    "pmrc's fix did not read back ({}), so nothing was written (a bug in pmrc)",
                    e.message
                ),
            });
        }
        changes.push(crate::plan::FileChange {
            path: file.path.clone(),
            display: file.display.clone(),
            manager: by.unwrap_or(readers[0]),
            format: file.format,
            level: file.level,
            before: Some(text.clone()),
            after,
            masked_after: Vec::new(),
        });
    }
    Ok(changes)
}
