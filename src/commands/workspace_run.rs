//! A command with several managers pointed at a workspace member: the one root it reads them
//! all from, what the managers that work from that root ignore of the member's files, and the
//! managers that, run in the member, would read other settings there than at that root (one
//! run cannot compare those: it would call them in sync where they are not).

use std::path::{Path, PathBuf};

use super::{at_root_of, same_folder};
use crate::discover::{self, ConfigFile, Environment};
use crate::error::Result;
use crate::managers::Manager;
use crate::model::{Level, Origin};
use crate::warning::{Warning, name_list};

/// Where a run with several managers reads them.
pub(super) struct SharedRoot {
    /// The workspace root the first of them that works from one moves to, else where pmrc was
    /// pointed.
    pub dir: PathBuf,
    /// Where pmrc was pointed: the member, when there is one.
    pub member: PathBuf,
    /// The environment for reading at `dir`, which remembers the member.
    pub env: Environment,
    /// Each manager that works from that root: what it ignores of the member's own files.
    pub notes: Vec<Warning>,
    /// The managers that, run in the member, read other settings than at that root.
    pub read_apart: Vec<ReadApart>,
    /// The managers that work from that root.
    pub at_root: Vec<Manager>,
    /// What the managers that work from that root read there, as a sentence says it (`pnpm
    /// 10 reads .npmrc over the workspace root's ../../.npmrc`); said only beside
    /// `read_apart`, and only then worked out.
    pub at_root_said: String,
}

/// A manager that, run in the member, reads other settings than the run reads for it at the
/// root: Yarn 1 the member's `.npmrc` where npm reads only the root's; npm nothing where only
/// a `pnpm-workspace.yaml` lists the member.
pub(super) struct ReadApart {
    pub manager: Manager,
    /// Its files that only a run in the member reads, named from the member.
    only_in_member: Vec<ConfigFile>,
    /// Its files that only a run at the root reads, named from the root.
    only_at_root: Vec<ConfigFile>,
}

impl ReadApart {
    /// What it reads apart, as a sentence says it (`Yarn 1.22 also reads .npmrc …`).
    pub fn said(&self) -> String {
        let names = |files: &[ConfigFile]| {
            name_list(&files.iter().map(|f| f.display.clone()).collect::<Vec<_>>())
        };
        let mut parts = Vec::new();
        if !self.only_in_member.is_empty() {
            parts.push(format!(
                "also reads {} (named from the member)",
                names(&self.only_in_member)
            ));
        }
        if !self.only_at_root.is_empty() {
            parts.push(format!(
                "does not read the root's {} (named from the member)",
                names(&self.only_at_root)
            ));
        }
        format!("{} {}", self.manager.label(), parts.join(" and "))
    }

    /// The file a finding about it points at: its first file the member's run alone reads,
    /// else the first the root's run alone reads.
    pub fn origin(&self) -> Option<Origin> {
        let file = self.only_in_member.first().or(self.only_at_root.first())?;
        Some(Origin {
            file: Origin::shared(&file.path),
            line: 0,
            level: Level::Project,
        })
    }
}

/// The workspace root above the member of the first of `managers` that works from one, the
/// notes of each that works from that root about the member's own files, and the others
/// that read other settings in the member than at the root.
pub(super) fn shared_workspace_root(
    managers: &[Manager],
    project: PathBuf,
    env: &Environment,
) -> Result<SharedRoot> {
    // Where pmrc was pointed: the member, also when the project is already its root.
    let dir = env.member_package.clone().unwrap_or(project);
    let moved: Vec<(Manager, PathBuf, Option<Warning>)> = managers
        .iter()
        .filter_map(|&m| {
            m.rules()
                .workspace_root(&dir)
                .map(|(root, note)| (m, root, note))
        })
        .filter(|(_, root, _)| !same_folder(root, &dir))
        .collect();
    // None of them works from a root above: each works from the member itself (npm where only
    // a pnpm-workspace.yaml lists it, pnpm without one, Yarn walking up from it), and so are
    // they read, not at the project root pmrc walked up to (from a review).
    let Some(root) = moved.first().map(|(_, root, _)| root.clone()) else {
        return Ok(SharedRoot {
            dir: dir.clone(),
            member: dir,
            env: env.clone(),
            notes: Vec::new(),
            read_apart: Vec::new(),
            at_root: Vec::new(),
            at_root_said: String::new(),
        });
    };
    let (at_root, notes): (Vec<Manager>, Vec<Option<Warning>>) = moved
        .into_iter()
        .filter(|(_, r, _)| same_folder(r, &root))
        .map(|(m, _, note)| (m, note))
        .unzip();
    let (root, root_env, _) = at_root_of(Some((root, None)), dir.clone(), env);
    let mut read_apart = Vec::new();
    for &manager in managers.iter().filter(|m| !at_root.contains(m)) {
        // Where it works from run in the member: the member, or a root of its own.
        let (own_dir, own_env, _) =
            at_root_of(manager.rules().workspace_root(&dir), dir.clone(), env);
        if let Some(apart) = read_apart_of(manager, (&own_dir, &own_env), (&root, &root_env))? {
            read_apart.push(apart);
        }
    }
    let at_root_said = if read_apart.is_empty() {
        String::new()
    } else {
        at_root_said(&at_root, &dir, (&root, &root_env))?
    };
    Ok(SharedRoot {
        dir: root,
        member: dir,
        env: root_env,
        notes: notes.into_iter().flatten().collect(),
        read_apart,
        at_root,
        at_root_said,
    })
}

/// What the managers that work from the workspace root read there for the member: the
/// root's config, or (pnpm 10) the member's own files over the root's. From a trial: the
/// refusal said "pnpm 10 reads the config of the workspace root" where real pnpm 10.34.9,
/// run in the member, requested the member's `.npmrc` scope registry with its token.
fn at_root_said(
    at_root: &[Manager],
    member: &Path,
    (root, root_env): (&Path, &Environment),
) -> Result<String> {
    let member = real(member);
    let mut reading_root: Vec<Manager> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    for &manager in at_root {
        let files: Vec<ConfigFile> = discover::locate(manager, root, false, root_env)?
            .into_iter()
            .filter(|f| f.text.is_some() && f.level == Level::Project)
            .collect();
        let (in_member, at_root): (Vec<&ConfigFile>, Vec<&ConfigFile>) = files
            .iter()
            .partition(|f| real(&f.path).starts_with(&member));
        if in_member.is_empty() {
            reading_root.push(manager);
            continue;
        }
        let names = |files: &[&ConfigFile]| {
            name_list(&files.iter().map(|f| f.display.clone()).collect::<Vec<_>>())
        };
        // The member's files are read over the root's of the same name (real pnpm 10.34.9
        // took the member's `.npmrc` scope registry over the root's one).
        let file_name = |f: &ConfigFile| f.path.file_name().map(|n| n.to_os_string());
        let at_root: Vec<&ConfigFile> = at_root
            .into_iter()
            .filter(|r| in_member.iter().any(|m| file_name(m) == file_name(r)))
            .collect();
        parts.push(if at_root.is_empty() {
            format!(
                "{} works from the workspace root {} and reads {} (named from the member)",
                manager.label(),
                root.display(),
                names(&in_member)
            )
        } else {
            format!(
                "{} works from the workspace root {} and reads {} over the root's {} (named from the member)",
                manager.label(),
                root.display(),
                names(&in_member),
                names(&at_root)
            )
        });
    }
    if !reading_root.is_empty() {
        parts.insert(
            0,
            format!(
                "{} {} the config of the workspace root {}",
                crate::plan::listed(&reading_root),
                if reading_root.len() == 1 {
                    "reads"
                } else {
                    "read"
                },
                root.display()
            ),
        );
    }
    Ok(name_list(&parts))
}

/// How `manager` reads apart in the member and at the root, if it does: other files, with
/// other settings in them (a member's `.npmrc` with only `save-exact=true` changes nothing;
/// from a review).
fn read_apart_of(
    manager: Manager,
    (member, member_env): (&Path, &Environment),
    (root, root_env): (&Path, &Environment),
) -> Result<Option<ReadApart>> {
    let here = discover::locate(manager, member, false, member_env)?;
    let there = discover::locate(manager, root, false, root_env)?;
    let existing = |files: &[ConfigFile]| -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = files
            .iter()
            .filter(|f| f.text.is_some())
            .map(|f| real(&f.path))
            .collect();
        paths.sort();
        paths
    };
    let (here_paths, there_paths) = (existing(&here), existing(&there));
    if here_paths == there_paths
        || discover::read_merged(manager, &here)?.0 == discover::read_merged(manager, &there)?.0
    {
        return Ok(None);
    }
    let only = |files: Vec<ConfigFile>, other: &[PathBuf]| -> Vec<ConfigFile> {
        files
            .into_iter()
            .filter(|f| f.text.is_some() && !other.contains(&real(&f.path)))
            .collect()
    };
    Ok(Some(ReadApart {
        manager,
        only_in_member: only(here, &there_paths),
        only_at_root: only(there, &here_paths),
    }))
}

fn real(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What the managers of a run read apart in the member and at its workspace root, and the
/// command that shows what each sends from the member.
pub(super) fn read_apart_explained(
    shared: &SharedRoot,
    managers: &[Manager],
    user: bool,
) -> String {
    let apart: Vec<String> = shared.read_apart.iter().map(ReadApart::said).collect();
    let names: Vec<String> = managers.iter().map(ToString::to_string).collect();
    // The command on a line of its own, which is printed unwrapped: it runs as printed.
    format!(
        "run in {}, {}, but {}: a conversion reads every manager from one folder, and from the root it would compare them on settings one of them does not read in the member. To see what each sends from the member:\n  pmrc -C {} show --manager {}{}",
        shared.member.display(),
        shared.at_root_said,
        name_list(&apart),
        crate::doctor::shell_word(&shared.member.display().to_string()),
        names.join(","),
        if user { " --user" } else { "" }
    )
}

/// Pointed at a member, where the source works from the workspace root but reads the
/// member's own files over the root's (pnpm 10 its `.npmrc`) and a target working from that
/// root reads only the root's: the target's files are the root's, which the root and every
/// other member read too, so the member's settings written there would move them all. The
/// refusal, with what was found and the commands to run instead. From a trial: pnpm 10 ->
/// 11 run in `packages/a` rewrote the root's `.npmrc` with that member's registry and token,
/// and real pnpm 10.34.9 and 11.28.11 at the root then sent `@acme` there.
pub(super) fn member_settings_into_root(
    shared: &SharedRoot,
    from: Manager,
    targets: &[Manager],
    user: bool,
) -> Result<Option<String>> {
    if !shared.at_root.contains(&from) || same_folder(&shared.dir, &shared.member) {
        return Ok(None);
    }
    // The root's files alone, as a run at the root reads them.
    let mut root_only = shared.env.clone();
    root_only.member = None;
    let with_member = discover::locate(from, &shared.dir, user, &shared.env)?;
    let without = discover::locate(from, &shared.dir, user, &root_only)?;
    let root_paths: Vec<PathBuf> = without
        .iter()
        .filter(|f| f.text.is_some())
        .map(|f| real(&f.path))
        .collect();
    let member_files: Vec<&ConfigFile> = with_member
        .iter()
        .filter(|f| f.text.is_some() && !root_paths.contains(&real(&f.path)))
        .collect();
    if member_files.is_empty()
        || discover::read_merged(from, &with_member)?.0 == discover::read_merged(from, &without)?.0
    {
        return Ok(None);
    }
    let member_paths: Vec<PathBuf> = member_files.iter().map(|f| real(&f.path)).collect();
    let mut ignoring = Vec::new();
    for &to in targets.iter().filter(|t| shared.at_root.contains(t)) {
        let reads = discover::locate(to, &shared.dir, user, &shared.env)?;
        if !member_paths
            .iter()
            .all(|p| reads.iter().any(|f| &real(&f.path) == p))
        {
            ignoring.push(to);
        }
    }
    if ignoring.is_empty() {
        return Ok(None);
    }
    let member = shared.member.display();
    let shown: Vec<String> = member_files
        .iter()
        .map(|f| shared.member.join(&f.display).display().to_string())
        .collect();
    let names: Vec<String> = std::iter::once(from)
        .chain(targets.iter().copied())
        .map(|m| m.to_string())
        .collect();
    let to_names: Vec<String> = targets.iter().map(ToString::to_string).collect();
    let user_flag = if user { " --user" } else { "" };
    // The commands on lines of their own, which are printed unwrapped: they run as printed.
    Ok(Some(format!(
        "run in {member}, {} reads {} over the config of the workspace root {}, but {} {} only the root's files, which the root and every other member read too: written there, {member}'s settings would move them all. To convert the workspace as its root reads it (pmrc then says what {} of {}):\n  pmrc -C {} convert --from {from} --to {}{user_flag}\nTo see what each sends from the member:\n  pmrc -C {} show --manager {}{user_flag}",
        from.label(),
        name_list(&shown),
        shared.dir.display(),
        crate::plan::listed(&ignoring),
        if ignoring.len() == 1 { "reads" } else { "read" },
        if ignoring.len() == 1 {
            "it ignores"
        } else {
            "they ignore"
        },
        name_list(&shown),
        crate::doctor::shell_word(&shared.dir.display().to_string()),
        to_names.join(","),
        crate::doctor::shell_word(&member.to_string()),
        names.join(","),
    )))
}

/// Where every manager that reads apart in the member is a target that a conversion at the
/// workspace root has work from that root (pnpm, once the root's pnpm-workspace.yaml lists the
/// members of package.json's `workspaces`: `Rules::projects_to_list`), the command that does
/// it, as a sentence to add to the refusal; else nothing. From a trial: `-C packages/a convert
/// --from npm --to pnpm@12` in an npm workspace refused without naming the run at the root.
pub(super) fn convert_at_root_lists_members(
    shared: &SharedRoot,
    from: Manager,
    targets: &[Manager],
    user: bool,
) -> Result<String> {
    if shared.read_apart.is_empty() || same_folder(&shared.dir, &shared.member) {
        return Ok(String::new());
    }
    let mut listing = Vec::new();
    for apart in &shared.read_apart {
        if !targets.contains(&apart.manager) {
            return Ok(String::new());
        }
        let files = discover::locate_targets(apart.manager, &shared.dir, user, &shared.env)?;
        let Some(file) = files.iter().find(|f| {
            apart
                .manager
                .rules()
                .projects_to_list(&shared.dir, f, f.text.as_deref())
                .is_some()
        }) else {
            return Ok(String::new());
        };
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !listing.contains(&name) {
            listing.push(name);
        }
    }
    let names: Vec<String> = targets.iter().map(ToString::to_string).collect();
    let who: Vec<Manager> = shared.read_apart.iter().map(|a| a.manager).collect();
    // The command on a line of its own, which is printed unwrapped: it runs as printed.
    Ok(format!(
        "\nA conversion at the workspace root lists the members in its {}, and {} run in {} then {} the root's config:\n  pmrc -C {} convert --from {from} --to {}{}",
        name_list(&listing),
        crate::plan::listed(&who),
        shared.member.display(),
        if who.len() == 1 { "reads" } else { "read" },
        crate::doctor::shell_word(&shared.dir.display().to_string()),
        names.join(","),
        if user { " --user" } else { "" }
    ))
}
