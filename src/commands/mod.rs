//! One module per command: each takes a request built by `cli`, does the work, and returns
//! its result as data with an exit status. Commands print nothing (`output` does) and know
//! nothing of clap.

pub mod convert;
pub mod doctor;
pub mod env;
pub mod explain;
pub mod init;
pub mod show;
mod workspace_run;

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
pub fn project_root(dir: PathBuf, home: Option<&Path>) -> Result<ProjectRoot> {
    let marker = |d: &Path| {
        ALL.iter()
            .find_map(|m| m.marker_in(d))
            .or_else(|| Some(d.join(crate::sync_config::FILE_NAME)).filter(|p| p.is_file()))
            .and_then(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
    };
    if marker(&dir).is_some() {
        if let Some(refusal) = config_outside_its_package(&dir, home) {
            return Err(refusal);
        }
        return Ok(ProjectRoot::at(dir, None));
    }
    let absolute = std::path::absolute(&dir).unwrap_or_else(|_| dir.clone());
    let is_package = |d: &Path| d.join("package.json").is_file();
    let mut package = is_package(&absolute).then(|| absolute.clone());
    for above in folders_below_home_above(&absolute, home) {
        if let Some(found) = marker(above) {
            if let Some(package) = package.as_ref().filter(|p| !is_workspace_root(above, p)) {
                // A folder Yarn reads from below it (`.npmrc`, `.yarnrc.yml`) without a
                // package of its own: such a parent folder, where npm reads nothing (a review
                // converted such a project into the folder above it).
                if !is_package(above) && only_parent_read_config(above) {
                    continue;
                }
                return Ok(ProjectRoot::at(
                    package.clone(),
                    Some(another_project(above, &found, package)),
                ));
            }
            let note = Warning::note(
                crate::diagnostics::Code::ProjectRoot,
                match &package {
                    // A member: not every manager works from the root (from a review).
                    Some(_) => format!(
                        "no package manager config in {}; using the workspace root {} (it has {found}), and for each manager the folder it works from when run in {}: that root, or the member itself",
                        dir.display(),
                        above.display(),
                        dir.display()
                    ),
                    None => format!(
                        "no package manager config in {}; using the project root {} (it has {found})",
                        dir.display(),
                        above.display()
                    ),
                },
                None,
            );
            return Ok(ProjectRoot {
                dir: above.to_path_buf(),
                note: Some(note),
                member_package: package,
            });
        }
        if package.is_none() && is_package(above) {
            package = Some(above.to_path_buf());
        }
    }
    Ok(ProjectRoot::at(package.unwrap_or(dir), None))
}

/// For a folder with config files but no `package.json`, inside a package (below the home
/// folder): the refusal. The managers run there work from that package and do not read the
/// folder's files (real npm 11.21, Yarn 1.22, pnpm 10.34 and Bun 1.4.5 run in such a folder
/// asked the package's registry), but Yarn's `.yarnrc.yml` there is read, so which config the
/// user means is theirs to say. A folder that a manager's own file makes a project (pnpm's
/// workspace file, `deno.json`) is not refused.
fn config_outside_its_package(dir: &Path, home: Option<&Path>) -> Option<Error> {
    // The folders above it as a manager run there sees them: `cd` through a symlink leaves
    // the process in the real folder (from a review: `-C` through a link was refused where
    // npm read the linked folder's file).
    let absolute = std::fs::canonicalize(dir).ok()?;
    let found: Vec<(ManagerArg, PathBuf)> = ALL
        .iter()
        .filter_map(|m| Some((*m, m.marker_in(&absolute)?)))
        .collect();
    if found.is_empty()
        || absolute.join("package.json").is_file()
        || found.iter().any(|(m, _)| m.marker_roots_its_folder())
    {
        return None;
    }
    let package =
        folders_below_home_above(&absolute, home).find(|d| d.join("package.json").is_file())?;
    let name = |path: &Path| path.file_name().map(|n| n.to_string_lossy().into_owned());
    let (read_there, ignored): (Vec<_>, Vec<_>) = found
        .iter()
        .partition(|(m, _)| m.reads_marker_where_it_runs());
    let ignored: Vec<String> = ignored.iter().filter_map(|(_, p)| name(p)).collect();
    let mut why = format!(
        "{} has {} but no package.json: the package managers run there work from the package at {}",
        absolute.display(),
        found
            .iter()
            .filter_map(|(_, p)| name(p))
            .collect::<Vec<_>>()
            .join(" and "),
        package.display()
    );
    if !ignored.is_empty() {
        why.push_str(&format!(" and do not read its {}", ignored.join(" or ")));
    }
    // npm stops its walk up at a `node_modules` folder too (spec npm.md §1.3).
    if absolute.join("node_modules").is_dir() {
        why.push_str(", but npm, which stops at a folder with node_modules, works from this one");
    }
    for (manager, path) in &read_there {
        if let Some(file) = name(path) {
            why.push_str(&format!(
                " ({manager} reads its {file} too, with the package's config)"
            ));
        }
    }
    // The command on a line of its own, which is printed unwrapped: it runs as printed. A
    // package without config of its own needs the managers named, or `show` finds none.
    let managers = if ALL.iter().any(|m| m.marker_in(package).is_some()) {
        String::new()
    } else {
        let names: Vec<String> = ALL.iter().map(ToString::to_string).collect();
        format!(" --manager {}", names.join(","))
    };
    Some(Error::Usage(format!(
        "{why}, and pmrc will not guess which config is meant. To see what the managers read for that package:\n  pmrc -C {} show{managers}\nIf {} is a package of its own, give it a package.json.",
        crate::doctor::shell_word(&package.display().to_string()),
        absolute.display()
    )))
}

/// The folders above `dir`, nearest first, up to the home folder (as given or as its real
/// path: HOME through a symlink names the same folder, from a review) and the filesystem
/// root, neither included: where the project walks stop.
fn folders_below_home_above<'a>(
    dir: &'a Path,
    home: Option<&Path>,
) -> impl Iterator<Item = &'a Path> {
    let home = home.map(Path::to_path_buf);
    let home_real = home.as_deref().and_then(|h| std::fs::canonicalize(h).ok());
    dir.ancestors().skip(1).take_while(move |d| {
        home.as_deref() != Some(*d) && home_real.as_deref() != Some(*d) && d.parent().is_some()
    })
}

/// The folder pmrc works in, what it says about it, and the workspace member it was pointed
/// at when it walked up to that member's workspace root.
pub struct ProjectRoot {
    pub dir: PathBuf,
    pub note: Option<Warning>,
    pub member_package: Option<PathBuf>,
}

impl ProjectRoot {
    fn at(dir: PathBuf, note: Option<Warning>) -> ProjectRoot {
        ProjectRoot {
            dir,
            note,
            member_package: None,
        }
    }
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
    let (above, found) = folders_below_home_above(&absolute, home.as_deref())
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
        let mut here: Vec<ManagerArg> = ALL
            .into_iter()
            .filter(|m| m.marker_in(dir).is_some())
            .collect();
        // Walked up to once: a 50-folder-deep benchmark's small `show` paid 5 % for a second
        // walk (issue 20).
        let listing = std::cell::OnceCell::new();
        let listing = || listing.get_or_init(|| workspace_listing(dir)).clone();
        // In a workspace member with a file of its own, the manager the workspace root's
        // package.json names still runs here on the root's file (from a trial, the member's
        // `.npmrc` hid the root's Yarn 4 from explain and doctor).
        if !here.is_empty()
            && let Some(root) = listing()
            && let Ok(Some((named, _))) = crate::managers::named_by_package_json(&root)
            && !here.contains(&named)
            && named.marker_in(&root).is_some()
        {
            here.push(named);
        }
        // The manager package.json names runs here whether or not it has a file of its own
        // (from a trial: with `"packageManager": "yarn@4…"` and an `.npmrc` alone, explain
        // and show gave npm only, where the question was why Yarn went to its public
        // registry).
        // So does the one a workspace root's package.json names, run in a member whose own
        // package.json names none (Corepack walks up to it; from a trial: pnpm@10.34.9 at a
        // pnpm workspace's root, explain in a member listed npm alone).
        if let Ok(Some((named, _, _))) = crate::managers::named_for(dir)
            && !here.contains(&named)
        {
            // The major package.json names stands for the manager found by its file (from a
            // trial: `packageManager: npm@12.2.2` beside an `.npmrc` gave two npm answers).
            if !named.majors_in_play().is_empty()
                && let Ok((settled, _)) = named.settle(dir)
            {
                here.retain(|m| *m != ManagerArg::Exact(settled));
            }
            here.push(named);
        }
        // So does the manager whose lockfile is here, or at the workspace root that lists
        // this package.
        let roots = std::iter::once(dir.to_path_buf()).chain(listing());
        for root in roots {
            for (locked, _) in crate::managers::locked_in(&root) {
                if !here.iter().any(|m| m.marker_file() == locked.marker_file()) {
                    here.push(locked);
                }
            }
        }
        here
    } else {
        asked.to_vec()
    };
    if managers.is_empty() {
        return Err(Error::Usage(format!(
            "no package manager config found in {} (looked for .npmrc, .yarnrc.yml, .yarnrc, bunfig.toml, pnpm-workspace.yaml and deno.json){}",
            dir.display(),
            another_projects_config(dir).unwrap_or_else(|| {
                // From a trial: with only `~/.npmrc`, `--user` alone found nothing to read.
                "; name the managers with --manager M[,M...] (npm, yarn, yarn-classic, pnpm, bun, deno) to see what they read here anyway, their user-level files with --user".to_string()
            })
        )));
    }
    Ok(managers)
}

/// The workspace root above `dir` whose package.json lists it, where `dir` is a package. One
/// walk up, where asking every manager for its workspace root walked once per manager (a
/// 50-folder-deep benchmark's `show` paid 2 % for it, issue 20).
fn workspace_listing(dir: &Path) -> Option<PathBuf> {
    if !dir.join("package.json").is_file() {
        return None;
    }
    crate::managers::package_json_workspace_root(dir)
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

pub(crate) use crate::discover::same_folder;

pub(crate) fn at_root_of(
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
