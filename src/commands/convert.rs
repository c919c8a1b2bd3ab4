//! `pmrc convert` and `pmrc sync`: plan the edits from a source manager into targets, then
//! preview, check or write them.

use std::path::PathBuf;

use super::ExitStatus;
use crate::apply;
use crate::diagnostics::Code;
use crate::discover::{self, Environment};
use crate::error::{Error, Result};
use crate::managers::{ALL, Manager, ManagerArg};
use crate::plan::{self, Mode, Plan};
use crate::warning::Warning;

pub struct Request {
    pub dir: PathBuf,
    /// `None`: the one manager whose config exists.
    pub from: Option<ManagerArg>,
    pub to: Vec<ManagerArg>,
    pub user: bool,
    pub mode: Mode,
}

/// `pmrc sync`: the managers come from pmrc.toml.
pub struct SyncRequest {
    pub dir: PathBuf,
    /// pmrc.toml, when not the project's own.
    pub config: Option<PathBuf>,
    /// `--user`, which pmrc.toml's `user = true` also turns on.
    pub user: bool,
    pub mode: Mode,
}

pub struct Converted {
    pub plan: Plan,
    pub mode: Mode,
    pub written: Vec<PathBuf>,
    pub status: ExitStatus,
}

pub fn convert(req: Request, env: &Environment) -> Result<Converted> {
    let setting = project_setting(&req.dir)?;
    let (from, named) = match (req.from, &setting) {
        (Some(m), _) => (m, Named::Flag),
        (None, Some(config)) => (config.from, Named::ProjectSetting),
        (None, None) => (
            discover::detect_source(&req.dir, &ALL, &req.to)?,
            Named::Found,
        ),
    };
    // Every manager pmrc.toml names reads the project's files too.
    let named_in_setting: Vec<ManagerArg> = setting
        .map(|c| std::iter::once(c.from).chain(c.to).collect())
        .unwrap_or_default();
    run_plan(
        req.dir,
        (from, named),
        &req.to,
        &named_in_setting,
        req.user,
        req.mode,
        env,
    )
}

/// Where the source manager's name came from, to speak of it as the user gave it.
#[derive(Clone, Copy)]
enum Named {
    Flag,
    ProjectSetting,
    Found,
}

/// The project's pmrc.toml, when it has one.
pub(super) fn project_setting(
    dir: &std::path::Path,
) -> Result<Option<crate::sync_config::SyncConfig>> {
    let path = dir.join(crate::sync_config::FILE_NAME);
    let Some(text) = discover::read_text(&path)? else {
        return Ok(None);
    };
    crate::sync_config::parse(&text)
        .map(Some)
        .map_err(|e| e.in_file(&path))
}

pub fn sync(req: SyncRequest, env: &Environment) -> Result<Converted> {
    let path = req
        .config
        .clone()
        .unwrap_or_else(|| req.dir.join(crate::sync_config::FILE_NAME));
    let Some(text) = discover::read_text(&path)? else {
        // Run in a workspace member, the workspace's pmrc.toml is at its root (init puts it
        // there): from a trial, this said only that the member had none.
        let at_root = crate::managers::workspace_root_above(&req.dir)
            .map(|(_, root)| root)
            .filter(|root| req.config.is_none() && root.join(crate::sync_config::FILE_NAME).is_file())
            .map(|root| {
                format!(
                    "; this is a workspace member, and its workspace root has one: run `pmrc sync -C {}`",
                    crate::doctor::shell_word(&root.display().to_string())
                )
            });
        return Err(Error::Usage(format!(
            "{} does not exist; pmrc sync needs a [sync] section naming `from` and `to` (see pmrc sync --help){}",
            path.display(),
            at_root.unwrap_or_default()
        )));
    };
    let config = crate::sync_config::parse(&text).map_err(|e| e.in_file(&path))?;
    let user = req.user || config.user;
    run_plan(
        req.dir,
        (config.from, Named::ProjectSetting),
        &config.to,
        &[],
        user,
        req.mode,
        env,
    )
}

fn run_plan(
    dir: PathBuf,
    (from, named): (ManagerArg, Named),
    to: &[ManagerArg],
    also_reading: &[ManagerArg],
    user: bool,
    mode: Mode,
    env: &Environment,
) -> Result<Converted> {
    if let [target] = to
        && let Some(migration) = ManagerArg::migration(from, *target).map_err(Error::Usage)?
    {
        return migrate(dir, migration, user, mode, env);
    }
    // A major migration among other targets would settle to the source's own manager and be
    // dropped without a word (from a helper's review): it runs on its own.
    for target in to {
        if let Some(migration) = ManagerArg::migration(from, *target).map_err(Error::Usage)? {
            let others: Vec<String> = to
                .iter()
                .filter(|t| *t != target)
                .map(ToString::to_string)
                .collect();
            return Err(Error::Usage(format!(
                "{} is a migration between two majors, which runs on its own: pass --to {target} alone, then --to {} in a second run",
                migration.label(),
                others.join(",")
            )));
        }
    }
    let mut notes = Vec::new();
    let (from, note) = from.settle(&dir)?;
    notes.extend(note);
    let mut targets = Vec::new();
    for m in to {
        let (m, note) = m.settle(&dir)?;
        notes.extend(note.filter(|n| !notes.contains(n)));
        if m != from && !targets.contains(&m) {
            targets.push(m);
        }
    }
    // Two majors that read the same files and do the same with them here (pnpm 11 and 12).
    let alike = match targets.as_slice() {
        [to] => plan::already_alike(from, *to, &dir, user, env)?,
        _ => false,
    };
    if (targets.is_empty() && matches!(named, Named::Flag)) || alike {
        let message = if alike {
            format!(
                "{} reads the same files as {from} and does the same with them here: nothing to change",
                targets[0]
            )
        } else {
            format!(
                "--from and --to both name {from} ({} rules): nothing to change",
                from.label()
            )
        };
        return Ok(Converted {
            plan: Plan {
                from,
                to: Vec::new(),
                sources: Vec::new(),
                changes: Vec::new(),
                warnings: notes
                    .into_iter()
                    .chain([Warning::note(Code::SameRules, message, None)])
                    .collect(),
                read_apart: false,
                rules: None,
            },
            mode,
            written: Vec::new(),
            status: ExitStatus::Success,
        });
    }
    if targets.is_empty() {
        return Err(Error::Usage(match named {
            Named::Flag => format!("--from and --to are both {from}"),
            Named::ProjectSetting => format!(
                "pmrc.toml names {from} as the source, which is also the only target; pass --from to convert from another manager"
            ),
            Named::Found => format!(
                "the only manager here whose files hold registry or auth settings is {from}, which is also the only target; pass --from to name the source"
            ),
        }));
    }
    // A workspace is read and written at its root. A manager that reads other settings in the
    // member (Yarn 1 its `.npmrc`, where npm reads only the root's) cannot be compared from
    // there: the run would call the two in sync where they are not.
    // The manager package.json's `packageManager` names, found from where pmrc was pointed
    // (a member's workspace root names it for the member, as Corepack finds it).
    let named_by_package_json = match crate::managers::named_for(&dir) {
        Ok(Some((named, _, _))) => named.settle(&dir).ok().map(|(m, _)| (named, m)),
        _ => None,
    };
    let compared: Vec<Manager> = std::iter::once(from)
        .chain(targets.iter().copied())
        .collect();
    let shared = super::workspace_run::shared_workspace_root(&compared, dir, env)?;
    if !shared.read_apart.is_empty() {
        let mut message = super::workspace_run::read_apart_explained(&shared, &compared, user);
        message.push_str(&super::workspace_run::convert_at_root_lists_members(
            &shared, from, &targets, user,
        )?);
        return Err(Error::Usage(message));
    }
    if let Some(refusal) =
        super::workspace_run::member_settings_into_root(&shared, from, &targets, user)?
    {
        return Err(Error::Usage(refusal));
    }
    let super::workspace_run::SharedRoot {
        dir,
        env,
        notes: member_notes,
        ..
    } = shared;
    notes.extend(member_notes);
    // What the source sends can come from its user files, which the translation then
    // leaves out (a token in ~/.npmrc for a registry the project names: the target would
    // get a 401).
    if !user {
        notes.extend(discover::unread_user_files(from, &dir, &env));
    }
    let mut bystanders = Vec::new();
    for m in also_reading {
        let (m, _) = m.settle(&dir)?;
        if m != from && !targets.contains(&m) && !bystanders.contains(&m) {
            bystanders.push(m);
        }
    }
    // Every other manager whose own file is here: a final plan that moves one is refused too
    // (a Yarn project's `.npmrc` kept for npm, which a conversion to pnpm 12 rewrote into
    // pnpm's scoped key: real npm 11.21 then sent no token). One of the run's own managers
    // under another major (pnpm 10's project converted to pnpm 11) is not another reader.
    let in_the_run = |m: &ManagerArg| {
        std::iter::once(from)
            .chain(targets.iter().copied())
            .any(|r| r.marker_file() == m.marker_file())
    };
    let mut present = Vec::new();
    for m in ALL
        .into_iter()
        .filter(|m| m.marker_in(&dir).is_some() && !in_the_run(m))
    {
        // A manager whose major cannot be settled here (a pnpm package.json names none pmrc
        // knows) is not in play for this run: its reading is not asked for.
        let Ok((m, _)) = m.settle(&dir) else {
            continue;
        };
        if !bystanders.contains(&m) && !present.contains(&m) {
            present.push(m);
        }
    }
    // The manager package.json's `packageManager` names is the one Corepack runs here, with
    // or without a file of its own (from a trial: `"packageManager": "yarn@1.22.22"` and a
    // bunfig.toml alone, a conversion to npm wrote an `.npmrc` with `${VAR?}`, on which real
    // Yarn 1.22.22 then stopped every command, and nothing was said).
    if let Some((named, m)) = named_by_package_json
        && !in_the_run(&named)
        && !bystanders.contains(&m)
        && !present.contains(&m)
    {
        present.push(m);
    }
    // So is the manager whose lockfile is here: it installs the project.
    for (locked, _) in crate::managers::locked_in(&dir) {
        if in_the_run(&locked) {
            continue;
        }
        let Ok((m, _)) = locked.settle(&dir) else {
            continue;
        };
        if !bystanders.contains(&m) && !present.contains(&m) {
            present.push(m);
        }
    }
    let env = user_config_moved(
        std::iter::once(from)
            .chain(targets.iter().copied())
            .chain(bystanders.iter().copied()),
        user,
        &env,
    )?;
    let mut plan = plan::build(&plan::Request {
        dir: &dir,
        from,
        to: &targets,
        user,
        env: &env,
        bystanders: &bystanders,
        present: &present,
    })?;
    // Alike, the targets were compared over every file, user files included: nothing the
    // translation would leave out of them is left out.
    if plan.has(Code::TargetAlreadyAlike) {
        notes.retain(|n| n.code != Code::UserFilesNotRead);
    }
    plan.warnings.splice(0..0, notes);
    // The files would send a credential where the source did not: the preview still
    // shows them, but nothing is written.
    let refused = plan.refuses_write();
    let written = if mode == Mode::Write && !refused {
        apply::apply(&plan.changes)?
    } else {
        Vec::new()
    };
    // Lines a target reads apart from the source are out of sync however the files diff. A
    // target that would still request other registries (`route-differs`) is said, not failed
    // on: pmrc cannot always write what would mend it (Yarn 1 taking `.yarnrc`'s registry
    // where `.npmrc` has none; from a review), and `--check` would stay red for good.
    let drift = !plan.in_sync();
    // The fix `--check` prints is `--write`, which would drop what only a target holds.
    if mode == Mode::Check && drift {
        let removed = plan.target_only_removed()?;
        plan.warnings.extend(removed);
    }
    Ok(Converted {
        plan,
        mode,
        written,
        status: if refused || (mode == Mode::Check && drift) {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    })
}

/// With `--user`, the user `.npmrc` that `NPM_CONFIG_USERCONFIG` (set for this run) moves,
/// taken as the managers in play read it (as `show --env` does). Where some of them read the
/// moved file and others `~/.npmrc`, one conversion cannot serve both: refused, rather than
/// write a file that some of them never read.
pub(crate) fn user_config_moved(
    managers: impl IntoIterator<Item = Manager>,
    user: bool,
    env: &Environment,
) -> Result<Environment> {
    if !user || env.npm_userconfig.is_some() {
        return Ok(env.clone());
    }
    let variables: Vec<crate::env_layer::Variable> = crate::env_layer::from_process()
        .into_iter()
        .filter(|v| v.name.to_ascii_lowercase().ends_with("userconfig"))
        .collect();
    if variables.is_empty() {
        return Ok(env.clone());
    }
    let home_npmrc = env.home.as_ref().map(|h| h.join(".npmrc"));
    let same_file = |a: &std::path::Path, b: &std::path::Path| {
        a == b
            || matches!(
                (std::fs::canonicalize(a), std::fs::canonicalize(b)),
                (Ok(a), Ok(b)) if a == b
            )
    };
    let mut moved: Vec<(Manager, Option<(PathBuf, String)>)> = Vec::new();
    for m in managers {
        if discover::reads_home_npmrc(m) && !moved.iter().any(|(seen, _)| *seen == m) {
            let to = crate::env_layer::userconfig(m, &variables).filter(|(path, _)| {
                !home_npmrc
                    .as_deref()
                    .is_some_and(|home| same_file(path, home))
            });
            moved.push((m, to));
        }
    }
    let Some((_, Some(first))) = moved.iter().find(|(_, to)| to.is_some()) else {
        return Ok(env.clone());
    };
    let apart: Vec<String> = moved
        .iter()
        .filter(|(_, to)| {
            to.as_ref()
                .is_none_or(|(path, _)| !same_file(path, &first.0))
        })
        .map(|(m, _)| m.to_string())
        .collect();
    if !apart.is_empty() {
        let names: Vec<&str> = variables.iter().map(|v| v.name.as_str()).collect();
        let readers: Vec<String> = moved
            .iter()
            .filter(|(_, to)| to.is_some())
            .map(|(m, _)| m.to_string())
            .collect();
        return Err(Error::Usage(format!(
            "the user .npmrc is {} here for {} ({} is set), but {} still {} ~/.npmrc: no one user file serves them all; run the same command with `env -u {}` in front to convert ~/.npmrc, or leave {} out of this run",
            first.0.display(),
            readers.join(", "),
            names.join(" and "),
            apart.join(", "),
            if apart.len() == 1 { "reads" } else { "read" },
            names.join(" -u "),
            apart.join(", "),
        )));
    }
    // Named by its path alone: the preview's file headers and findings name it.
    let path = first.0.clone();
    Ok(Environment {
        npm_userconfig: Some((path.clone(), path.display().to_string())),
        ..env.clone()
    })
}

/// `--from npm@11 --to npm@12` (or back): one manager's files rewritten where the other
/// major refuses them, and the decisions only a person can make, each with its line.
fn migrate(
    dir: PathBuf,
    migration: crate::managers::Migration,
    user: bool,
    mode: Mode,
    env: &Environment,
) -> Result<Converted> {
    let (npm, _) = ManagerArg::NpmMajor(migration.from).settle(&dir)?;
    let env = &user_config_moved([npm], user, env)?;
    let files = discover::locate(npm, &dir, user, env)?;
    let mut changes = Vec::new();
    // npm 11 and 12 share one set of rules in pmrc; the header would not say which way.
    let mut warnings = vec![Warning::note(
        Code::NpmMajorMigration,
        format!(
            "{}: the same registry and auth rules; only the lines the other major refuses change",
            migration.label()
        ),
        None,
    )];
    for file in &files {
        let Some(before) = &file.text else { continue };
        // A top-level credential makes both majors refuse the whole file: there is no
        // behaviour of npm's to keep, so nothing to migrate until it is keyed.
        let read = |text: &str| {
            file.format
                .read(text, std::path::Path::new(&file.display), file.level)
                .map_err(|e| e.in_file(&file.path))
        };
        let (model_before, read_warnings) = read(before)?;
        if let Some(legacy) = read_warnings
            .iter()
            .find(|w| w.code == Code::NpmLegacyTopLevelAuth)
        {
            let line = legacy.origin.as_ref().map_or(0, |o| o.line);
            return Err(Error::Refused {
                path: file.path.clone(),
                reason: format!(
                    "npm 11 and npm 12 both refuse this file over its top-level credential on line {line} (ERR_INVALID_AUTH); run `pmrc doctor --fix --write --dir {}` first (it keys the credential to the registry, as `npm config fix` does), then this command again",
                    crate::doctor::shell_word(&dir.display().to_string())
                ),
            });
        }
        let (after, notes) = migration.rewrite(before, &file.display, file.level);
        // What npm sends must not change, but for the client certificate a keyed
        // `certfile`/`keyfile` pair now presents (npm 11 ignored the pair at top level).
        let sends = |model: &crate::model::Model| -> Vec<_> {
            crate::resolve::routes(model, npm)
                .iter()
                .map(|r| {
                    let (packages, registry, auth) = r.observable();
                    let auth =
                        auth.filter(|a| *a != crate::resolve::Authorization::ClientCertificate);
                    (packages, registry, auth)
                })
                .collect()
        };
        if sends(&model_before) != sends(&read(&after)?.0) {
            return Err(Error::Refused {
                path: file.path.clone(),
                reason: format!(
                    "the {} rewrite would change where npm sends requests or what it sends (a bug in pmrc; please report it)",
                    migration.label()
                ),
            });
        }
        warnings.extend(notes);
        changes.push(plan::FileChange {
            path: file.path.clone(),
            display: file.display.clone(),
            manager: npm,
            format: file.format,
            level: file.level,
            before: Some(before.clone()),
            after,
            masked_after: Vec::new(),
        });
    }
    let texts: Vec<&str> = files.iter().filter_map(|f| f.text.as_deref()).collect();
    warnings.extend(migration.decisions(&texts));
    let plan = Plan {
        from: npm,
        to: vec![npm],
        sources: files,
        changes,
        warnings,
        read_apart: false,
        rules: Some(migration.rule_names()),
    };
    let written = if mode == Mode::Write {
        apply::apply(&plan.changes)?
    } else {
        Vec::new()
    };
    let drift = plan.pending().next().is_some();
    Ok(Converted {
        plan,
        mode,
        written,
        status: if mode == Mode::Check && drift {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    })
}
