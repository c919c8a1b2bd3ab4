//! Which config files apply, for which manager and level, and reading them from disk. The
//! only module besides `apply` that touches the filesystem, and it only reads.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::diagnostics::Code;
use crate::error::{Error, Result};
use crate::formats::{Format, line_col, npmrc};
use crate::managers::{FileSpec, Manager, ManagerArg, Place};
use crate::model::{AuthKey, Level, Model};
use crate::warning::Warning;

/// The parts of the process environment pmrc looks at, passed in so tests can fake them.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub home: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    /// Set when `--dir` is a member of a workspace whose root is further up.
    pub member: Option<PathBuf>,
    /// The package pmrc was pointed at when it has no config of its own and the project is
    /// the workspace root above it: each manager's own root is found from the package, as
    /// the managers run there find theirs (pnpm without a `pnpm-workspace.yaml` reads the
    /// package's files alone, not the root's).
    pub member_package: Option<PathBuf>,
    /// The user `.npmrc` an environment variable moved (`NPM_CONFIG_USERCONFIG` from
    /// `--env` / `--env-file`, for a manager that honours it), and how to name it.
    pub npm_userconfig: Option<(PathBuf, String)>,
    /// `NPM_CONFIG_USERCONFIG` as the process has it: not read as config (that is `--env`'s
    /// layer), but a registry written out must not win over what it sets.
    pub process_npm_userconfig: Option<PathBuf>,
}

impl Environment {
    pub fn from_process() -> Environment {
        let var = |name| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Environment {
            home: var("HOME").or_else(std::env::home_dir),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            member: None,
            member_package: None,
            npm_userconfig: None,
            process_npm_userconfig: var("NPM_CONFIG_USERCONFIG")
                .or_else(|| var("npm_config_userconfig")),
        }
    }
}

/// One config file: where it is, its format and level, and its text if it exists.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// How the file is named to the user: relative to the project, or `~/...`.
    pub display: String,
    pub level: Level,
    pub format: Format,
    /// Shared with every other reading of the same text in the run (each reader of a file
    /// locates it, and a large config is megabytes, issue 20).
    pub text: Option<Rc<str>>,
}

impl ConfigFile {
    /// For a file in a folder above the project ([`Place::Parents`]), that folder as it is
    /// named from the project (`../..`): those files alone are shown starting `../`.
    pub fn parent_folder(&self) -> Option<&str> {
        if self.level != Level::Project || !self.display.starts_with("../") {
            return None;
        }
        self.display.rsplit_once('/').map(|(folder, _)| folder)
    }
}

/// `path` with each `..` taking the folder before it away (`proj/../.yarnrc.yml` is
/// `.yarnrc.yml`), as a shell's `cd` names the folder: `std::path::absolute` keeps the `..`,
/// and a walk up from such a path goes through the wrong folders.
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir if out.parent().is_some() => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `path` as named from the folder `from` (`../../.npmrc`), both taken as absolute.
pub fn shown_from(from: &Path, path: &Path) -> Option<String> {
    let from = lexical(&std::path::absolute(from).ok()?);
    let path = lexical(&std::path::absolute(path).ok()?);
    let common = from
        .components()
        .zip(path.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from.components().count() - common;
    let shown: PathBuf = std::iter::repeat_n(std::path::Component::ParentDir, ups)
        .map(|c| c.as_os_str().to_owned())
        .chain(
            path.components()
                .skip(common)
                .map(|c| c.as_os_str().to_owned()),
        )
        .collect();
    Some(shown.display().to_string())
}

/// The root of the repository `dir` is in, where a file a service reads only there is kept
/// (`.github/dependabot.yml`: Dependabot reads no other, whichever folder its updates name):
/// the git work tree's root at or above `dir` (`.git`, a folder or a worktree's or
/// submodule's file); outside one, the nearest folder at or above `dir` holding `name`, else
/// `dir` itself where it holds `name`'s folder (`.github`, which GitHub reads at the root
/// only). None where nothing tells: a subfolder's own `.github/dependabot.yml` is a file no
/// one reads (from a CI trial), so pmrc does not guess.
pub fn repository_root(dir: &Path, name: &str) -> Option<PathBuf> {
    let dir = lexical(&std::path::absolute(dir).ok()?);
    if let Some(root) = dir.ancestors().find(|d| d.join(".git").exists()) {
        return Some(root.to_path_buf());
    }
    if let Some(found) = dir.ancestors().find(|d| d.join(name).is_file()) {
        return Some(found.to_path_buf());
    }
    let folder = Path::new(name)
        .parent()
        .filter(|f| !f.as_os_str().is_empty());
    folder.is_some_and(|f| dir.join(f).is_dir()).then_some(dir)
}

/// Why a file kept at the repository's root has no place, and what to do.
fn no_repository_root(dir: &Path, name: &str) -> String {
    format!(
        "{name} is read at the repository's root only, and pmrc cannot tell where that is: {} is in no git work tree (no .git at or above it), and neither it nor a folder above it has {name}; create an empty {name} in the repository's root folder (`mkdir -p .github && touch {name}` there) and run again",
        dir.display()
    )
}

/// Why a file kept at the repository's root is not taken from a home folder that is a git
/// work tree (a dotfiles repository) or inside one: the project is not in a repository of
/// its own, and `~/.github/dependabot.yml` with `directory: /code/app` is a guess no one
/// reads (from a review).
fn home_is_repository_root(dir: &Path, name: &str, root: &Path) -> String {
    format!(
        "{name} is read at the repository's root only, and pmrc will not guess where that is: the nearest git work tree (or {name}) at or above {} is {}, which is the home folder or above it (a dotfiles repository?), not the project's repository; run pmrc in the project's own git work tree (`git init` in the repository's root folder, or clone it), then run again",
        dir.display(),
        root.display()
    )
}

/// The path of a file spec and how it is shown to the user.
fn place(file: &FileSpec, dir: &Path, env: &Environment) -> Result<(PathBuf, String)> {
    let name = file.name;
    if file.place == Place::Project {
        let path = dir.join(name);
        // Run from a workspace member, a file of the root is named from the member, where
        // the user is: from a trial, the root's `.npmrc` was shown as `.npmrc` beside the
        // member's own, and a GitHub annotation put its lines on the member's file.
        let display = match &env.member {
            Some(member) => shown_from(member, &path).unwrap_or_else(|| name.to_string()),
            None => name.to_string(),
        };
        return Ok((path, display));
    }
    if file.place == Place::Repository {
        let Some(root) = repository_root(dir, name) else {
            return Err(Error::Usage(no_repository_root(dir, name)));
        };
        if let Some(home) = env
            .home
            .as_deref()
            .and_then(|h| std::path::absolute(h).ok())
            && lexical(&home).starts_with(&root)
        {
            return Err(Error::Usage(home_is_repository_root(dir, name, &root)));
        }
        let path = root.join(name);
        let display = shown_from(env.member.as_deref().unwrap_or(dir), &path)
            .unwrap_or_else(|| name.to_string());
        return Ok((path, display));
    }
    if file.place == Place::WorkspaceMember {
        let path = env.member.as_ref().unwrap_or(&dir.to_path_buf()).join(name);
        let display = name.to_string();
        return Ok((path, display));
    }
    if let (Place::Home, ".npmrc", Some((path, display))) = (file.place, name, &env.npm_userconfig)
    {
        return Ok((path.clone(), display.clone()));
    }
    if file.xdg_first
        && let Some(xdg) = &env.xdg_config_home
        && xdg.join(name).is_file()
    {
        return Ok((xdg.join(name), format!("$XDG_CONFIG_HOME/{name}")));
    }
    let home = env
        .home
        .as_ref()
        .ok_or_else(|| Error::Usage("--user needs a home directory, and HOME is not set".into()))?;
    Ok(match (file.place, &env.xdg_config_home) {
        (Place::BunUser, Some(xdg)) => (
            xdg.join(".bunfig.toml"),
            "$XDG_CONFIG_HOME/.bunfig.toml".into(),
        ),
        (Place::BunUser, None) => (home.join(".bunfig.toml"), "~/.bunfig.toml".into()),
        (Place::PnpmConfig, Some(xdg)) => (
            xdg.join("pnpm").join(name),
            format!("$XDG_CONFIG_HOME/pnpm/{name}"),
        ),
        (Place::PnpmConfig, None) => (
            home.join(".config/pnpm").join(name),
            format!("~/.config/pnpm/{name}"),
        ),
        _ => (home.join(name), format!("~/{name}")),
    })
}

fn level_of(place: Place) -> Level {
    match place {
        Place::Project
        | Place::WorkspaceMember
        | Place::Parents
        | Place::ParentsBelowRoot
        | Place::Repository => Level::Project,
        Place::Home | Place::BunUser | Place::PnpmConfig => Level::User,
    }
}

/// Whether `NPM_CONFIG_USERCONFIG` names the project's own `.npmrc`. The managers that
/// honour it then read that file once, as their user config: npm skips its project file
/// ("same as user config, ignored"), and real pnpm 10, 11 and 12 send the file's `${VAR}`
/// credentials, which they ignore in a project file.
fn project_npmrc_is_user_config(dir: &Path, env: &Environment) -> bool {
    let Some((user, _)) = &env.npm_userconfig else {
        return false;
    };
    match (
        std::fs::canonicalize(user),
        std::fs::canonicalize(dir.join(".npmrc")),
    ) {
        (Ok(user), Ok(project)) => user == project,
        _ => false,
    }
}

/// Whether `manager` reads a user `.npmrc` in the home folder (which `NPM_CONFIG_USERCONFIG`
/// may move).
pub fn reads_home_npmrc(manager: Manager) -> bool {
    manager.sources().iter().any(|f| is_npmrc(f, Place::Home))
}

/// Whether `f` is the `.npmrc` at `place`.
fn is_npmrc(f: &FileSpec, place: Place) -> bool {
    f.place == place && f.name == ".npmrc"
}

fn config_files(
    specs: Vec<FileSpec>,
    dir: &Path,
    user: bool,
    env: &Environment,
) -> Result<Vec<ConfigFile>> {
    let project_is_user = project_npmrc_is_user_config(dir, env);
    specs
        .iter()
        .filter(|f| !(project_is_user && is_npmrc(f, Place::Project)))
        // Read without `--user` too: it is the project's file, read at the user level.
        .filter(|f| {
            user || level_of(f.place) == Level::Project
                || (project_is_user && is_npmrc(f, Place::Home))
        })
        // A member's own file only exists apart from the root's when pmrc was pointed at one.
        .filter(|f| f.place != Place::WorkspaceMember || env.member.is_some())
        .map(|f| {
            let places = match f.place {
                Place::Parents => parents(f.name, dir, env, true),
                Place::ParentsBelowRoot => parents(f.name, dir, env, false),
                _ => vec![place(f, dir, env)?],
            };
            let read = |(path, display): (PathBuf, String)| {
                Ok(ConfigFile {
                    text: read_text(&path)?.map(|t| crate::formats::kept::shared_text(&t)),
                    path,
                    display,
                    level: level_of(f.place),
                    format: f.format,
                })
            };
            places.into_iter().map(read).collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()
        .map(|files| {
            let mut files = files.into_iter().flatten().collect();
            home_file_in_the_walk(&mut files, dir, env);
            files
        })
}

/// Yarn 4 reads `~/.yarnrc.yml` below every other file unless its walk up from the project
/// passed the home folder (spec yarn.md A1): then the file keeps its place in the walk, over
/// the folders above home (real Yarn 4.18.1 took `~/.yarnrc.yml`'s registry over one in the
/// folder above home; from a review). A home file listed below the parent folders' moves up
/// past those above home; one listed over them (Yarn 1's) stays.
fn home_file_in_the_walk(files: &mut Vec<ConfigFile>, dir: &Path, env: &Environment) {
    // Asked for every reader's files, many times a run: without a parent folder's file
    // there is nothing to move, and no path to resolve.
    if !files.iter().any(|f| f.parent_folder().is_some()) {
        return;
    }
    let Some(home) = env.home.as_deref().map(real_path) else {
        return;
    };
    if !real_path(dir).starts_with(&home) {
        return;
    }
    // By real paths: a HOME given through a symlink names the same folder (from a review).
    let in_home = |f: &ConfigFile| {
        f.level == Level::User && f.path.parent().map(real_path).as_deref() == Some(&*home)
    };
    let Some(at) = files.iter().position(in_home) else {
        return;
    };
    let name = files[at].path.file_name().map(ToOwned::to_owned);
    let above_home = |f: &ConfigFile| {
        f.parent_folder().is_some()
            && f.path.file_name().map(ToOwned::to_owned) == name
            && f.path
                .parent()
                .is_some_and(|folder| home.starts_with(folder) && folder != home)
    };
    if let Some(last) = files.iter().rposition(above_home).filter(|&last| last > at) {
        let file = files.remove(at);
        files.insert(last, file);
    }
}

/// The folder as the managers see it from their cwd: symlinks resolved.
fn real_path(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir)
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf())
}

/// The folders above `start`, nearest first, each with how many levels up it is; the
/// filesystem root's only `with_root`.
fn folders_above(start: &Path, with_root: bool) -> impl Iterator<Item = (usize, &Path)> {
    start
        .ancestors()
        .enumerate()
        .skip(1)
        .filter(move |(_, folder)| with_root || folder.parent().is_some())
}

/// `name` in each folder above `dir` where it exists, farthest first, named from the project
/// (`../.yarnrc.yml`). The walk starts from the real path, as the managers' from their cwd;
/// the home folder's file is the user's ([`Place::Parents`]).
fn parents(name: &str, dir: &Path, env: &Environment, with_root: bool) -> Vec<(PathBuf, String)> {
    let start = real_path(dir);
    let home = env.home.as_deref().map(real_path);
    let mut found: Vec<(PathBuf, String)> = folders_above(&start, with_root)
        .filter(|(_, folder)| Some(*folder) != home.as_deref())
        .map(|(up, folder)| (up, folder.join(name)))
        .filter(|(_, path)| path.exists())
        .map(|(up, path)| (path, format!("{}{name}", "../".repeat(up))))
        .collect();
    found.reverse();
    found
}

/// Without `--user`: a note naming the user-level files `manager` reads that exist and were
/// not read (pnpm's auth.ini after `convert --user`), so "sends no credentials" is not the
/// last word.
pub fn unread_user_files(manager: Manager, dir: &Path, env: &Environment) -> Option<Warning> {
    let present = user_files_present(manager, dir, env);
    (!present.is_empty()).then(|| {
        Warning::note(
            crate::diagnostics::Code::UserFilesNotRead,
            format!(
                "{} also reads {}, which {}; pass --user to read {} too",
                manager,
                present.join(" and "),
                if present.len() == 1 {
                    "exists"
                } else {
                    "exist"
                },
                if present.len() == 1 { "it" } else { "them" }
            ),
            None,
        )
    })
}

/// A user file `manager` passes over here for another (Bun's `~/.bunfig.toml` while
/// `XDG_CONFIG_HOME` is set, real Bun 1.4.5 in a trial): said where the user files are read,
/// since `show` lists only the file read, as missing.
pub fn passed_over_user_files(manager: Manager, env: &Environment) -> Option<Warning> {
    let (home, xdg) = (env.home.as_ref()?, env.xdg_config_home.as_ref()?);
    let reads_bunfig = manager.sources().iter().any(|f| f.place == Place::BunUser);
    let home_file = home.join(".bunfig.toml");
    (reads_bunfig && home_file.is_file() && !same_folder(home, xdg)).then(|| {
        Warning::note(
            crate::diagnostics::Code::UserFilePassedOver,
            format!(
                "{manager} does not read ~/.bunfig.toml here: XDG_CONFIG_HOME is set ({}), so it reads $XDG_CONFIG_HOME/.bunfig.toml instead",
                xdg.display()
            ),
            Some(crate::model::Origin {
                file: crate::model::Origin::shared("~/.bunfig.toml"),
                line: 0,
                level: Level::User,
            }),
        )
    })
}

/// Whether two names of folders name the same one (a root found from an absolute path
/// against the `--dir` given).
pub fn same_folder(a: &Path, b: &Path) -> bool {
    a == b || std::path::absolute(a).ok() == std::path::absolute(b).ok()
}

/// The user-level file of any manager, as shown (`~/.npmrc`), that `path` is in truth (a
/// project `.npmrc` that is a symlink to `~/.npmrc`): a write there changes every project of
/// the user.
pub fn user_file_behind(path: &Path, dir: &Path, env: &Environment) -> Option<String> {
    let real = std::fs::canonicalize(path).ok()?;
    crate::managers::SETTLED
        .iter()
        .flat_map(|m| m.sources())
        .filter(|f| level_of(f.place) == Level::User)
        .filter_map(|f| place(&f, dir, env).ok())
        .find(|(user, _)| std::fs::canonicalize(user).is_ok_and(|u| u == real))
        .map(|(_, display)| display)
}

/// The user-level files `manager` reads that exist, named as shown (`~/.npmrc`).
pub fn user_files_present(manager: Manager, dir: &Path, env: &Environment) -> Vec<String> {
    manager
        .sources()
        .iter()
        .filter(|f| level_of(f.place) == Level::User)
        .filter(|f| !(is_npmrc(f, Place::Home) && project_npmrc_is_user_config(dir, env)))
        .filter_map(|f| place(f, dir, env).ok())
        .filter(|(path, _)| path.is_file())
        .map(|(_, display)| display)
        .collect()
}

/// The files `manager` reads, lowest priority first (user files only with `user`).
pub fn locate(
    manager: Manager,
    dir: &Path,
    user: bool,
    env: &Environment,
) -> Result<Vec<ConfigFile>> {
    config_files(manager.sources(), dir, user, env)
}

/// The files a translation into `manager` writes (user files only with `user`).
pub fn locate_targets(
    manager: Manager,
    dir: &Path,
    user: bool,
    env: &Environment,
) -> Result<Vec<ConfigFile>> {
    config_files(manager.targets(), dir, user, env)
}

/// The largest config file pmrc reads: far above any real one, far below what would
/// exhaust memory (a symlink to `/dev/zero` is refused before it is read anyway).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// What a file system entry is, for a message.
pub fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else if meta.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// The text of a file, `None` when it does not exist. Only a regular file is read (after
/// following symlinks): a FIFO would block and a device never end. Invalid UTF-8 is an
/// error with its position: every manager would read it differently, and pmrc must not
/// guess.
pub fn read_text(path: &Path) -> Result<Option<String>> {
    use std::io::Read as _;
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(read_error(source)),
    };
    let too_big = || Error::Refused {
        path: path.to_path_buf(),
        reason: format!(
            "is larger than {} MiB; pmrc reads config files up to that size",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    };
    if !meta.is_file() {
        return Err(Error::Refused {
            path: path.to_path_buf(),
            reason: format!(
                "is {}, not a regular file; pmrc reads and writes only regular files",
                file_kind(&meta)
            ),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let text = String::from_utf8_lossy(valid);
            let (line, column) = line_col(&text, text.len());
            Err(Error::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: "the file is not valid UTF-8".into(),
            })
        }
    }
}

/// Reads one file into a model (an empty one when the file is missing).
pub fn read_model(file: &ConfigFile) -> Result<(Model, Vec<Warning>)> {
    let Some(text) = &file.text else {
        return Ok((Model::default(), Vec::new()));
    };
    crate::formats::kept::read(file.format, text, &file.display, file.level, || {
        file.format.read(text, Path::new(&file.display), file.level)
    })
    .map_err(|e| e.in_file(&file.path))
}

/// The merged model of a manager over its files (given lowest priority first).
pub fn read_merged(manager: Manager, files: &[ConfigFile]) -> Result<(Model, Vec<Warning>)> {
    read_merged_in(manager, files, manager.rules().npmrc_dialect())
}

/// [`read_merged`] with `.npmrc` files read in `dialect` rather than the manager's own: what
/// the manager would do if it read those lines as npm does.
pub fn read_merged_in(
    manager: Manager,
    files: &[ConfigFile],
    dialect: npmrc::IniDialect,
) -> Result<(Model, Vec<Warning>)> {
    let rules = manager.rules();
    let mut model = Model::default();
    let mut yarnrc_network = Model::default();
    let mut registry_flag = None;
    let mut warnings = Vec::new();
    for file in files {
        let (mut m, w) = match (&file.text, file.format) {
            (Some(text), Format::Npmrc) if npmrc::read_apart(text, dialect) => npmrc::read_as(
                text,
                Path::new(&file.display),
                file.level,
                dialect,
                rules.label(),
            )
            .map_err(|e| e.in_file(&file.path))?,
            _ => read_model(file)?,
        };
        if file.format == Format::Yarnrc {
            let flag = file.text.as_deref().and_then(|text| {
                crate::formats::yarnrc::registry_flag(text, Path::new(&file.display), file.level)
            });
            // Yarn 1 gathers flag lines with the home `.yarnrc` after the project's
            // (`getRcPaths` in its util/rc.js): the home file's flag wins. Of the others, the
            // nearest folder's does (the project's over a parent's, real Yarn 1.22.22).
            let held_by_user = |f: &Option<crate::model::Value>| {
                f.as_ref().is_some_and(|f| f.level() == Level::User)
            };
            if flag.is_some() && (file.level == Level::User || !held_by_user(&registry_flag)) {
                registry_flag = flag;
            }
            yarnrc_network.overlay(Model {
                tls: m.tls.clone(),
                proxy: m.proxy.clone(),
                ..Model::default()
            });
        }
        rules.adjust_file(file, &mut model, &mut m, &mut warnings)?;
        if !rules.expands_variables_in_keys(file.level) {
            warnings.extend(drop_reference_keyed_credentials(manager, &mut m));
        }
        model.overlay(m);
        // The `.npmrc` reader's findings about npm itself do not hold for other managers
        // (Yarn 1 honours always-auth and top-level `_auth`).
        warnings.extend(
            w.into_iter()
                .filter(|w| rules.owns_npm_findings() || !w.code.is_about_npm_itself()),
        );
    }
    // Yarn 1 takes routing and auth from `.npmrc` first, but TLS and proxy from `.yarnrc`.
    model.overlay(yarnrc_network);
    // A `--registry` flag line is a command-line flag to Yarn 1, applied after every file:
    // it is the default registry over `.npmrc`'s and `.yarnrc`'s `registry` (a scope with a
    // registry of its own keeps it).
    if let Some(flag) = registry_flag {
        model.registry = Some(flag);
    }
    rules.after_merge(&model, &mut warnings);
    Ok((model, warnings))
}

/// Drops the credentials keyed `//${HOST}/…/` for a manager that reads such a key as written
/// (every one but npm, and pnpm in its user file): it never matches a registry, and the
/// finding says why this manager sends them nowhere where npm would.
fn drop_reference_keyed_credentials(manager: Manager, model: &mut Model) -> Vec<Warning> {
    // Checked first: the read's map is shared with the file's other readers, and changing it
    // copies it.
    if !model.auth.keys().any(AuthKey::is_by_reference) {
        return Vec::new();
    }
    let mut warnings = Vec::new();
    model.auth.retain(|key, creds| {
        if !key.is_by_reference() {
            return true;
        }
        warnings.push(Warning::new(
            Code::CredentialKeyReference,
            format!(
                "`{key}` names its registry through an environment variable, which {} does not expand in a credential key (only npm, and pnpm in its user file, do): the key never matches, so {} sends these credentials nowhere",
                manager.label(),
                manager.label()
            ),
            creds.origin().cloned(),
        ));
        false
    });
    warnings
}

/// A manager whose own file is in the project, and how many registry, auth or network
/// settings that file holds.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub manager: ManagerArg,
    pub settings: usize,
}

/// Every manager whose own file is in `dir`, with what the file holds.
pub fn candidates(dir: &Path, managers: &[ManagerArg]) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for &manager in managers {
        let Some(path) = manager.marker_in(dir) else {
            continue;
        };
        let Some(text) = read_text(&path)? else {
            continue;
        };
        if !manager.marker_holds_config() {
            out.push(Candidate {
                manager,
                settings: 0,
            });
            continue;
        }
        let format = manager.marker_format();
        let settings = format.settings(&text).map_err(|e| e.in_file(&path))?;
        out.push(Candidate {
            manager,
            settings: settings.len(),
        });
    }
    Ok(out)
}

/// The source of a conversion without `--from`: the one manager whose own file holds
/// registry, auth or network settings. A file without such settings is never the source,
/// and neither is a target while another candidate holds settings; `.npmrc` (read by Yarn 1
/// and Bun too) gives way to the other manager's own file. Anything else is ambiguous.
pub fn detect_source(
    dir: &Path,
    managers: &[ManagerArg],
    targets: &[ManagerArg],
) -> Result<ManagerArg> {
    let found = candidates(dir, managers)?;
    let listing = || {
        found
            .iter()
            .map(|c| match c.settings {
                0 => format!("{} (no registry or auth settings)", c.manager.marker_file()),
                1 => format!("{} (1 setting)", c.manager.marker_file()),
                n => format!("{} ({n} settings)", c.manager.marker_file()),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut holding: Vec<ManagerArg> = found
        .iter()
        .filter(|c| c.settings > 0)
        .map(|c| c.manager)
        .collect();
    if holding.len() > 1 {
        holding.retain(|m| !targets.iter().any(|t| t.marker_file() == m.marker_file()));
    }
    if holding.len() > 1 {
        holding.retain(|m| !m.marker_is_shared());
    }
    match holding.as_slice() {
        [one] => Ok(*one),
        [] if found.is_empty() => Err(Error::Usage(format!(
            "no package manager config found in {} (looked for .npmrc, .yarnrc.yml, .yarnrc, bunfig.toml, pnpm-workspace.yaml and deno.json); pass --from",
            dir.display()
        ))),
        [] => Err(Error::Usage(format!(
            "no registry or auth settings to convert in {}: found {}; pass --from to name the source",
            dir.display(),
            listing()
        ))),
        many => Err(Error::Usage(format!(
            "several managers' files in {} hold registry or auth settings: {}; pass --from ({}) to say which one is the source",
            dir.display(),
            listing(),
            many.iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yarn_1s_walk_stops_below_the_filesystem_root_and_yarn_4s_does_not() {
        let start = Path::new("/srv/org/app");
        let walk = |with_root| -> Vec<(usize, &Path)> { folders_above(start, with_root).collect() };
        assert_eq!(
            walk(true),
            [
                (1, Path::new("/srv/org")),
                (2, Path::new("/srv")),
                (3, Path::new("/"))
            ]
        );
        assert_eq!(
            walk(false),
            [(1, Path::new("/srv/org")), (2, Path::new("/srv"))]
        );
    }
}
