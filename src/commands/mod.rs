//! One module per command: each takes a request built by `cli`, does the work, and returns
//! its result as data with an exit status. Commands print nothing (`output` does) and know
//! nothing of clap.

pub mod convert;
pub mod doctor;
pub mod env;
pub mod explain;
pub mod init;
pub mod show;

use std::path::{Path, PathBuf};

use crate::discover::Environment;
use crate::error::{Error, Result};
use crate::managers::{ALL, Manager, ManagerArg};
use crate::warning::Warning;

/// How a command that did its work ends; errors (exit code 2) are `Err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    /// `--check` found drift, or doctor found what `--fail-on` fails on.
    Failure,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
        }
    }
}

/// The project directory: `--dir`, else the current directory.
pub fn project_dir(dir: Option<&Path>) -> Result<PathBuf> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::current_dir().map_err(|source| Error::Read {
            path: PathBuf::from("."),
            source,
        })?,
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    // `-C ../a`: the folder as the shell names it, so that the walks up from it (the project
    // root, a workspace that lists it) go through its real parents (from a review).
    if dir
        .components()
        .any(|c| c == std::path::Component::ParentDir)
        && let Ok(absolute) = std::path::absolute(&dir)
    {
        return Ok(crate::discover::lexical(&absolute));
    }
    Ok(dir)
}

/// The folder pmrc works in: `dir` itself when a manager's file or pmrc.toml is there, else
/// the nearest folder above it that has one (a workspace member run from its own folder, as
/// the managers walk up), never the home folder or above it; the note says which. Above a
/// folder with a `package.json` (a package), a folder counts only as its workspace root: a
/// manager works from it for that package (its `workspaces` list it, or a
/// `pnpm-workspace.yaml` is there), or pmrc.toml is there. A folder whose only config Yarn
/// reads from parent folders is passed over; any other is another project's, whose config
/// the managers do not read for this package: the package is then the project.
pub fn project_root(dir: PathBuf, home: Option<&Path>) -> ProjectRoot {
    let (root, note, member_package) = find_project_root(dir, home);
    ProjectRoot {
        dir: root,
        note,
        member_package,
    }
}

/// The folder pmrc works in, what it says about it, and the workspace member it was pointed
/// at when it walked up to that member's workspace root.
pub struct ProjectRoot {
    pub dir: PathBuf,
    pub note: Option<Warning>,
    pub member_package: Option<PathBuf>,
}

fn find_project_root(
    dir: PathBuf,
    home: Option<&Path>,
) -> (PathBuf, Option<Warning>, Option<PathBuf>) {
    let marker = |d: &Path| {
        ALL.iter()
            .find_map(|m| m.marker_in(d))
            .or_else(|| Some(d.join(crate::sync_config::FILE_NAME)).filter(|p| p.is_file()))
            .and_then(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
    };
    if marker(&dir).is_some() {
        return (dir, None, None);
    }
    let absolute = std::path::absolute(&dir).unwrap_or_else(|_| dir.clone());
    let is_package = |d: &Path| d.join("package.json").is_file();
    let mut package = is_package(&absolute).then(|| absolute.clone());
    // HOME given through a symlink names the same folder (from a review).
    let home_real = home.and_then(|h| std::fs::canonicalize(h).ok());
    for above in absolute.ancestors().skip(1) {
        if Some(above) == home || Some(above) == home_real.as_deref() || above.parent().is_none() {
            break;
        }
        if let Some(found) = marker(above) {
            if let Some(package) = package.as_ref().filter(|p| !is_workspace_root(above, p)) {
                // A folder Yarn reads from below it (`.npmrc`, `.yarnrc.yml`) without a
                // package of its own: such a parent folder, where npm reads nothing (a review
                // converted such a project into the folder above it).
                if !is_package(above) && only_parent_read_config(above) {
                    continue;
                }
                return (
                    package.clone(),
                    Some(another_project(above, &found, package)),
                    None,
                );
            }
            let note = Warning::note(
                crate::diagnostics::Code::ProjectRoot,
                format!(
                    "no package manager config in {}; using the project root {} (it has {found})",
                    dir.display(),
                    above.display()
                ),
                None,
            );
            return (above.to_path_buf(), Some(note), package);
        }
        if package.is_none() && is_package(above) {
            package = Some(above.to_path_buf());
        }
    }
    (package.unwrap_or(dir), None, None)
}

/// Whether `above` is the workspace root of the package at `package`: pmrc.toml is there,
/// or a manager run in the package works from it.
fn is_workspace_root(above: &Path, package: &Path) -> bool {
    above.join(crate::sync_config::FILE_NAME).is_file()
        || crate::managers::SETTLED.iter().any(|m| {
            m.rules()
                .workspace_root(package)
                .is_some_and(|(root, _)| same_folder(&root, above))
        })
}

/// For a package without config inside another project that has some (below the home
/// folder): what the managers read here, and the command that shows it.
fn another_projects_config(dir: &Path) -> Option<String> {
    let absolute = std::path::absolute(dir).ok()?;
    if !absolute.join("package.json").is_file() {
        return None;
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let home_real = home.as_deref().and_then(|h| std::fs::canonicalize(h).ok());
    let (above, found) = absolute
        .ancestors()
        .skip(1)
        .take_while(|d| {
            Some(d.to_path_buf()) != home
                && Some(d.to_path_buf()) != home_real
                && d.parent().is_some()
        })
        .find_map(|d| Some((d, ALL.iter().find_map(|m| m.marker_in(d))?)))?;
    let whose = if above.join("package.json").is_file() {
        "it is another project's (it does not list this package among its workspaces)"
    } else {
        "it is not this package's project folder"
    };
    // The command on a line of its own, which is printed unwrapped: it runs as printed.
    Some(format!(
        "; {} has {}, but {whose}: npm, pnpm, Bun and Deno run here read no project config, Yarn reads .npmrc, .yarnrc and .yarnrc.yml from the folders above. To see what each reads here:\n  pmrc -C {} show --manager npm,yarn-classic,yarn",
        above.display(),
        found.file_name()?.to_string_lossy(),
        crate::doctor::shell_word(&dir.display().to_string())
    ))
}

/// The note for a package inside another project that does not list it as a workspace.
fn another_project(above: &Path, found: &str, package: &Path) -> Warning {
    Warning::note(
        crate::diagnostics::Code::ProjectRoot,
        format!(
            "{} has {found}, but it is another project's: it does not list {} among its workspaces, so npm, pnpm, Bun and Deno run in {} do not read its config (Yarn reads its .npmrc, .yarnrc and .yarnrc.yml from the folders above); using {} as the project",
            above.display(),
            package.display(),
            package.display(),
            package.display()
        ),
        None,
    )
}

/// Whether every config file in `dir` that marks a project is one a manager also reads from
/// the folders above its project ([`crate::managers::Place::Parents`]).
fn only_parent_read_config(dir: &Path) -> bool {
    let parent_read: Vec<&str> = crate::managers::SETTLED
        .iter()
        .flat_map(|m| m.sources())
        .filter(|f| f.place.is_parents())
        .map(|f| f.name)
        .collect();
    let marked = ALL
        .iter()
        .filter_map(|m| m.marker_in(dir))
        .chain(Some(dir.join(crate::sync_config::FILE_NAME)).filter(|p| p.is_file()));
    marked
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .all(|name| parent_read.contains(&name.as_str()))
}

/// The managers asked for, or those whose own file exists in `dir`.
fn managers_in(dir: &Path, asked: &[ManagerArg]) -> Result<Vec<ManagerArg>> {
    let managers: Vec<ManagerArg> = if asked.is_empty() {
        ALL.into_iter()
            .filter(|m| m.marker_in(dir).is_some())
            .collect()
    } else {
        asked.to_vec()
    };
    if managers.is_empty() {
        return Err(Error::Usage(format!(
            "no package manager config found in {} (looked for .npmrc, .yarnrc.yml, .yarnrc, bunfig.toml, pnpm-workspace.yaml and deno.json){}",
            dir.display(),
            another_projects_config(dir).unwrap_or_default()
        )));
    }
    Ok(managers)
}

/// For a manager that works from a workspace root (pnpm's; npm's, Bun's and Deno's from a
/// package a root lists), that root instead of a member directory (and the member
/// remembered).
fn workspace_root(
    manager: Manager,
    dir: &Path,
    env: &Environment,
) -> (PathBuf, Environment, Option<Warning>) {
    // Pointed at a member without config of its own: the manager's root as found from the
    // member, else the member itself, as the managers run there find theirs (pnpm without a
    // pnpm-workspace.yaml, npm where only a pnpm-workspace.yaml lists it, Yarn walking up
    // from it).
    let from = env.member_package.as_deref().unwrap_or(dir);
    at_root_of(
        manager.rules().workspace_root(from),
        from.to_path_buf(),
        env,
    )
}

/// Where a run with several managers reads them: the workspace root above `dir` of the first
/// of them that works from one (or `dir`), with the environment that remembers the member.
struct SharedRoot {
    dir: PathBuf,
    /// Where pmrc was pointed (the member, when there is one).
    member: PathBuf,
    env: Environment,
    /// Every manager that works from that root: what it ignores of the member's own files.
    notes: Vec<Warning>,
    /// The managers that work from that root.
    at_root: Vec<Manager>,
    /// The managers that, run in the member, read other project files than the run reads
    /// for them at the root.
    read_apart: Vec<ReadApart>,
}

/// A manager that, run in a workspace member, reads other project files than it would at
/// the root (Yarn 1 the member's `.npmrc`, where npm reads only the root's).
struct ReadApart {
    manager: Manager,
    /// The files it reads there, named from the member.
    files: Vec<String>,
}

impl ReadApart {
    /// The files, as a sentence names them.
    fn files_listed(&self) -> String {
        let files = match self.files.as_slice() {
            [] => return "no project file".to_string(),
            [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
            files => files.concat(),
        };
        format!("{files} (named from the member)")
    }
}

/// The workspace root above `dir` of the first of `managers` that works from one, for a run
/// with several, the notes of every one of them that works from that root about the
/// member's own files, and the others that read other files in the member than at the root.
fn shared_workspace_root(
    managers: &[Manager],
    project: PathBuf,
    env: &Environment,
) -> Result<SharedRoot> {
    // Where pmrc was pointed: the member, also when the project is already its root.
    let dir = env
        .member_package
        .clone()
        .unwrap_or_else(|| project.clone());
    let moved: Vec<(Manager, PathBuf, Option<Warning>)> = managers
        .iter()
        .filter_map(|&m| {
            m.rules()
                .workspace_root(&dir)
                .map(|(root, note)| (m, root, note))
        })
        .filter(|(_, root, _)| !same_folder(root, &dir))
        .collect();
    let Some(root) = moved.first().map(|(_, root, _)| root.clone()) else {
        return Ok(SharedRoot {
            dir: project,
            member: dir,
            env: env.clone(),
            notes: Vec::new(),
            at_root: Vec::new(),
            read_apart: Vec::new(),
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
        let here = project_files_read(manager, &own_dir, &own_env)?;
        let there = project_files_read(manager, &root, &root_env)?;
        let paths = |files: &[(PathBuf, String)]| {
            let mut paths: Vec<PathBuf> = files
                .iter()
                .map(|(p, _)| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
                .collect();
            paths.sort();
            paths
        };
        if paths(&here) != paths(&there) {
            read_apart.push(ReadApart {
                manager,
                files: here.into_iter().map(|(_, display)| display).collect(),
            });
        }
    }
    Ok(SharedRoot {
        dir: root,
        member: dir,
        env: root_env,
        notes: notes.into_iter().flatten().collect(),
        at_root,
        read_apart,
    })
}

/// The project-level files `manager` reads from `dir` that exist, with how they are named.
fn project_files_read(
    manager: Manager,
    dir: &Path,
    env: &Environment,
) -> Result<Vec<(PathBuf, String)>> {
    Ok(crate::discover::locate(manager, dir, false, env)?
        .into_iter()
        .filter(|f| f.text.is_some())
        .map(|f| (f.path, f.display))
        .collect())
}

/// What the managers of a run read apart in the member `dir` and from its workspace root,
/// and the command that shows what each sends from the member.
fn read_apart_explained(shared: &SharedRoot, managers: &[Manager]) -> String {
    let member = &shared.member;
    let apart: Vec<String> = shared
        .read_apart
        .iter()
        .map(|a| format!("{} reads {}", a.manager.label(), a.files_listed()))
        .collect();
    let names: Vec<String> = managers.iter().map(ToString::to_string).collect();
    // The command on a line of its own, which is printed unwrapped: it runs as printed.
    format!(
        "run in {}, {} {} the config of the workspace root {}, but {}: a conversion reads every manager from one folder, so here it would compare them on files one of them does not read. To see what each sends from the member:\n  pmrc -C {} show --manager {}",
        member.display(),
        crate::plan::listed(&shared.at_root),
        if shared.at_root.len() == 1 {
            "reads"
        } else {
            "read"
        },
        shared.dir.display(),
        apart.join("; "),
        crate::doctor::shell_word(&member.display().to_string()),
        names.join(",")
    )
}

/// Whether two names of folders name the same one (a root found from an absolute path
/// against the `--dir` given).
fn same_folder(a: &Path, b: &Path) -> bool {
    a == b || std::path::absolute(a).ok() == std::path::absolute(b).ok()
}

fn at_root_of(
    found: Option<(PathBuf, Option<Warning>)>,
    dir: PathBuf,
    env: &Environment,
) -> (PathBuf, Environment, Option<Warning>) {
    let mut env = env.clone();
    let Some((root, note)) = found else {
        return (dir, env, None);
    };
    if !same_folder(&root, &dir) {
        env.member = Some(dir);
    }
    (root, env, note)
}
