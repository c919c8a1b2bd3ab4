//! The package managers pmrc knows. [`ManagerArg`] is a manager as named on the command line
//! or in pmrc.toml (`pnpm` may still lack its major); [`Manager`] is one whose version is
//! settled; [`Rules`] is the one interface through which the rest of pmrc asks a manager
//! what it reads, how it routes requests and what it writes. Each manager's knowledge lives
//! in its own file here, and [`Manager::rules`] is the only `match` that names them all.

mod bun;
mod deno;
mod dependabot;
mod npm;
mod pnpm;
mod workspaces;
mod yarn;
mod yarn_classic;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

use crate::diagnostics::Code;
use crate::discover::ConfigFile;
use crate::env_config::{EnvForm, EnvRead, RcFile};
use crate::error::Result;
use crate::formats::Format;
use crate::model::{AuthKey, Credentials, Level, Model, Value};
use crate::registry_url::{RegistryUrl, npm_walk_up};
use crate::resolve::{self, Authorization, Lookup, Packages, Route, UrlUserinfo};
use crate::template::Dialect;
use crate::warning::Warning;

pub use dependabot::FILE as DEPENDABOT_FILE;
pub use npm::Migration;
pub use pnpm::PnpmMajor;
pub use workspaces::{declares_workspaces, members as workspace_members};

/// The workspace root whose package.json `workspaces` list the package in `dir` (as npm and
/// Yarn find it), if any.
pub fn package_json_workspace_root(dir: &Path) -> Option<PathBuf> {
    let markers = workspaces::PackageMarkers {
        files: &["package.json"],
        node_modules: false,
        deno_workspace: false,
        first_declaration_decides: false,
    };
    workspaces::root_declaring(dir, &markers).map(|(root, _)| root)
}

/// A file a manager ignores as a whole in this environment: the variable that makes it, the
/// manager's own error, and the line (1-based) that holds the reference.
#[derive(Debug, Clone)]
pub struct DroppedFile {
    pub variable: String,
    pub error: String,
    pub line: usize,
}

impl DroppedFile {
    /// Where the reference is, in `file` as shown to the user.
    pub fn origin(&self, display: &str, level: Level) -> crate::model::Origin {
        crate::model::Origin {
            file: crate::model::Origin::shared(display),
            line: self.line,
            level,
        }
    }
}

/// A manager whose version is settled: what every rule is asked of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Manager {
    /// npm 11 and 12 read registry and auth settings identically (spec/npm.md §8).
    Npm,
    /// Yarn Berry (4.x).
    Yarn,
    /// Yarn 1.22: `.yarnrc` plus the `.npmrc` it takes all auth from.
    YarnClassic,
    /// Bun 1.x: `bunfig.toml` plus the `.npmrc` keys it honours.
    Bun,
    /// pnpm of a known major.
    Pnpm(PnpmMajor),
    /// Deno 2: only `.npmrc` (project and home), and only its registry and credential keys.
    Deno,
    /// Not a package manager: Dependabot's `npm-registry` entries in `.github/dependabot.yml`,
    /// a target of `convert` (never found in a project by itself).
    Dependabot,
}

impl Manager {
    /// The manager as `--manager` names it, npm with the major checked (`npm@12`).
    pub fn as_named(self, npm_major: Option<u8>) -> String {
        match (self, npm_major) {
            (Manager::Npm, Some(major)) => format!("npm@{major}"),
            _ => self.to_string(),
        }
    }

    /// This manager's rules: the one place that maps a manager to its knowledge.
    pub fn rules(self) -> &'static dyn Rules {
        static NPM: npm::Npm = npm::Npm;
        static YARN: yarn::Yarn = yarn::Yarn;
        static YARN_CLASSIC: yarn_classic::YarnClassic = yarn_classic::YarnClassic;
        static BUN: bun::Bun = bun::Bun;
        static DENO: deno::Deno = deno::Deno;
        static DEPENDABOT: dependabot::Dependabot = dependabot::Dependabot;
        static PNPM_10: pnpm::Pnpm = pnpm::Pnpm(PnpmMajor::V10);
        static PNPM_11: pnpm::Pnpm = pnpm::Pnpm(PnpmMajor::V11);
        static PNPM_12: pnpm::Pnpm = pnpm::Pnpm(PnpmMajor::V12);
        match self {
            Manager::Npm => &NPM,
            Manager::Yarn => &YARN,
            Manager::YarnClassic => &YARN_CLASSIC,
            Manager::Bun => &BUN,
            Manager::Pnpm(PnpmMajor::V10) => &PNPM_10,
            Manager::Pnpm(PnpmMajor::V11) => &PNPM_11,
            Manager::Pnpm(PnpmMajor::V12) => &PNPM_12,
            Manager::Deno => &DENO,
            Manager::Dependabot => &DEPENDABOT,
        }
    }

    /// The files this manager reads, lowest priority first (user files only with `--user`).
    pub fn sources(self) -> Vec<FileSpec> {
        self.rules().sources()
    }

    /// The files a translation into this manager writes.
    pub fn targets(self) -> Vec<FileSpec> {
        self.rules().targets()
    }

    /// How values written for this manager spell environment references.
    pub fn dialect(self) -> Dialect {
        self.rules().dialect()
    }

    /// The file whose presence says a project uses this manager.
    pub fn marker_file(self) -> &'static str {
        self.rules().marker_file()
    }

    /// The registry used when none is configured.
    pub fn public_registry(self) -> &'static str {
        self.rules().public_registry()
    }

    /// Whose rules pmrc applies, for headers and messages (`npm 11/12`, `pnpm 10`).
    pub fn label(self) -> &'static str {
        self.rules().label()
    }
}

impl fmt::Display for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rules().name())
    }
}

impl Serialize for Manager {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.rules().name())
    }
}

/// A manager as the user named it. Only pnpm's major may be left open: it is then taken
/// from the project by [`ManagerArg::settle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerArg {
    Exact(Manager),
    /// `pnpm` without a major.
    PnpmOfProject,
    /// `npm@11` or `npm@12`: npm's rules, with the major kept for a migration between them.
    NpmMajor(u8),
}

/// Every manager under every set of rules pmrc knows.
pub const SETTLED: [Manager; 8] = [
    Manager::Npm,
    Manager::Yarn,
    Manager::YarnClassic,
    Manager::Bun,
    Manager::Pnpm(PnpmMajor::V10),
    Manager::Pnpm(PnpmMajor::V11),
    Manager::Pnpm(PnpmMajor::V12),
    Manager::Deno,
];

/// Every manager pmrc looks for in a project, in the order it reports them.
pub const ALL: [ManagerArg; 6] = [
    ManagerArg::Exact(Manager::Npm),
    ManagerArg::Exact(Manager::Yarn),
    ManagerArg::Exact(Manager::YarnClassic),
    ManagerArg::Exact(Manager::Bun),
    ManagerArg::PnpmOfProject,
    ManagerArg::Exact(Manager::Deno),
];

impl ManagerArg {
    /// The file whose presence says a project uses this manager.
    pub fn marker_file(self) -> &'static str {
        match self {
            ManagerArg::Exact(m) => m.marker_file(),
            ManagerArg::PnpmOfProject => pnpm::MARKER_FILE,
            ManagerArg::NpmMajor(_) => Manager::Npm.marker_file(),
        }
    }

    /// The manager's mark in `dir`, if there is one: the path of its marker file, or of the
    /// other spelling the manager accepts (Deno's `deno.jsonc`).
    pub fn marker_in(self, dir: &Path) -> Option<PathBuf> {
        let names = match self {
            ManagerArg::Exact(m) => m.rules().marker_files(),
            _ => vec![self.marker_file()],
        };
        names
            .into_iter()
            .map(|name| dir.join(name))
            // Any kind of file: reading it then says what is wrong with one that is not
            // regular (a FIFO, a device).
            .find(|path| path.exists())
    }

    /// Whether its marker file makes its folder a project ([`Rules::marker_roots_its_folder`]).
    pub fn marker_roots_its_folder(self) -> bool {
        match self {
            ManagerArg::Exact(m) => m.rules().marker_roots_its_folder(),
            ManagerArg::PnpmOfProject => Manager::Pnpm(PnpmMajor::V12)
                .rules()
                .marker_roots_its_folder(),
            ManagerArg::NpmMajor(_) => Manager::Npm.rules().marker_roots_its_folder(),
        }
    }

    /// Whether it reads its marker file where it runs ([`Rules::reads_marker_where_it_runs`]).
    pub fn reads_marker_where_it_runs(self) -> bool {
        matches!(self, ManagerArg::Exact(m) if m.rules().reads_marker_where_it_runs())
    }

    /// The format of the file whose presence says a project uses this manager.
    pub fn marker_format(self) -> Format {
        match self {
            ManagerArg::Exact(m) => m.rules().marker_format(),
            ManagerArg::PnpmOfProject => Format::PnpmWorkspace,
            ManagerArg::NpmMajor(_) => Manager::Npm.rules().marker_format(),
        }
    }

    /// The majors whose own refusals apply (`Rules::refused_at_major`, the stops explain
    /// prints), and whether the major is settled: `npm@12` gives 12, settled; `npm` gives
    /// every major its rules stand for, none settled.
    pub fn majors_in_play(self) -> Vec<(u8, bool)> {
        match self {
            ManagerArg::NpmMajor(n) => vec![(n, true)],
            ManagerArg::Exact(m) => m.rules().majors().iter().map(|&n| (n, false)).collect(),
            ManagerArg::PnpmOfProject => Vec::new(),
        }
    }

    /// The manager with its version settled: pnpm's major from the command line, else the
    /// project's package.json, else the newest; the note says which and why.
    pub fn settle(self, dir: &Path) -> Result<(Manager, Option<Warning>)> {
        match self {
            ManagerArg::Exact(m) => Ok((m, None)),
            ManagerArg::PnpmOfProject => pnpm::settle(dir),
            ManagerArg::NpmMajor(_) => Ok((Manager::Npm, None)),
        }
    }

    /// Whether which major runs is left to pmrc here: pnpm's where neither the project's
    /// package.json nor its workspace root's names one (pmrc then takes the newest).
    pub fn major_guessed(self, dir: &Path) -> bool {
        self == ManagerArg::PnpmOfProject && pnpm::major_named_for(dir).is_none()
    }

    /// Whether the marker file holds registry or auth settings at all (Deno's `deno.json`
    /// does not: its `.npmrc` is found as npm's).
    pub fn marker_holds_config(self) -> bool {
        match self {
            ManagerArg::Exact(m) => m.rules().marker_holds_config(),
            ManagerArg::PnpmOfProject | ManagerArg::NpmMajor(_) => true,
        }
    }

    /// Whether this names a manager that reads `marker_file` with others (npm's `.npmrc`
    /// sits beside `.yarnrc` and `bunfig.toml` too).
    pub fn marker_is_shared(self) -> bool {
        match self {
            ManagerArg::Exact(m) => m.rules().marker_is_shared(),
            ManagerArg::NpmMajor(_) => Manager::Npm.rules().marker_is_shared(),
            ManagerArg::PnpmOfProject => false,
        }
    }

    /// A change of major within npm (`npm@11` to `npm@12` or back), which reads the same
    /// settings but refuses different files; `Err` when only one side names a major, which
    /// pmrc must not guess.
    pub fn migration(
        from: ManagerArg,
        to: ManagerArg,
    ) -> std::result::Result<Option<Migration>, String> {
        match (from, to) {
            (ManagerArg::NpmMajor(a), ManagerArg::NpmMajor(b)) if a != b => {
                Ok(Some(Migration { from: a, to: b }))
            }
            (ManagerArg::NpmMajor(n), ManagerArg::Exact(Manager::Npm))
            | (ManagerArg::Exact(Manager::Npm), ManagerArg::NpmMajor(n)) => Err(format!(
                "one side names npm {n} and the other npm without a major; npm 11 and 12 refuse different files, so pass both (--from npm@11 --to npm@12, or the other way)"
            )),
            _ => Ok(None),
        }
    }
}

/// The workspace root above `dir` that a manager in play works from, run in `dir`, and every
/// such manager. pnpm's majors disagree on what a member is (pnpm 10 works from any
/// `pnpm-workspace.yaml` above, 11 and 12 only from one that lists the package): the majors
/// package.json names, in `dir` and at that root, must all agree (pnpm 10 run in a package
/// switches to the root's), and without one named all three must (a package the yaml does
/// not list is its own project for the pnpm it asks for, from two reviews).
pub fn workspace_root_above(dir: &Path) -> Option<(Vec<Manager>, PathBuf)> {
    use crate::discover::same_folder;
    let above = |m: Manager| {
        let (root, _) = m.rules().workspace_root(dir)?;
        (!same_folder(&root, dir)).then_some(root)
    };
    // The majors that may run there: the ones package.json names, in `dir` or at the root
    // (pnpm 10 run in `dir` switches to the root's), or any of the three.
    let pnpm_majors = |root: &Path| -> Vec<Manager> {
        let mut named: Vec<Manager> = [pnpm::named_major(dir), pnpm::named_major(root)]
            .into_iter()
            .flatten()
            .map(Manager::Pnpm)
            .collect();
        named.dedup();
        match named.is_empty() {
            true => PnpmMajor::ALL.map(Manager::Pnpm).to_vec(),
            false => named,
        }
    };
    let mut found: Option<(Vec<Manager>, PathBuf)> = None;
    for m in SETTLED {
        let Some(root) = above(m) else {
            continue;
        };
        if found
            .as_ref()
            .is_some_and(|(_, first)| !same_folder(first, &root))
        {
            continue;
        }
        if let Manager::Pnpm(_) = m {
            let majors = pnpm_majors(&root);
            let all_agree = majors
                .iter()
                .all(|&p| above(p).is_some_and(|r| same_folder(&r, &root)));
            if !majors.contains(&m) || !all_agree {
                continue;
            }
        }
        found.get_or_insert_with(|| (Vec::new(), root)).0.push(m);
    }
    found
}

/// The manager package.json's `packageManager` field names (`"yarn@4.5.0"`, corepack's
/// spelling), as pmrc.toml should name it: pnpm without its major, which every run reads
/// from the same field. `Ok(None)` without package.json or the field; an error (for the
/// user) when package.json does not parse or names a manager or version pmrc does not know.
pub fn named_by_package_json(
    dir: &Path,
) -> std::result::Result<Option<(ManagerArg, String)>, String> {
    // Bytes, not text: a package.json that is not UTF-8 does not parse, which is said (from
    // a trial, it was taken for one naming no manager).
    let Ok(bytes) = std::fs::read(dir.join("package.json")) else {
        return Ok(None);
    };
    let json: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("package.json does not parse ({e})"))?;
    let Some(spec) = json["packageManager"].as_str() else {
        return Ok(None);
    };
    // `pnpm@10.1.0+sha512.…`: the hash is corepack's, the major is what pmrc needs.
    let named = spec.split('+').next().unwrap_or(spec);
    let manager = named
        .parse::<ManagerArg>()
        .map_err(|e| format!("package.json packageManager \"{spec}\": {e}"))?;
    let manager = match manager {
        ManagerArg::Exact(Manager::Pnpm(_)) => ManagerArg::PnpmOfProject,
        other => other,
    };
    Ok(Some((manager, spec.to_string())))
}

/// The folder whose package.json names the manager run in `dir`, as Corepack finds it: the
/// nearest package.json with a `packageManager` field, walking up from `dir` (corepack's
/// `loadSpec` in sources/specUtils.ts passes over a package.json without the field). pmrc
/// walks no higher than the workspace root that takes the package at `dir`, where a
/// workspace keeps its `packageManager` (from a trial: `pnpm@10.34.9` at a pnpm workspace's
/// root, pmrc run in a member took pnpm 12's rules and left pnpm out, where Corepack ran
/// pnpm 10.34.9, which read the member's `.npmrc`). `dir` itself when its package.json has
/// the field or does not parse (which is said where it is read); `None` where `dir` has no
/// package.json.
pub fn package_manager_folder(dir: &Path) -> Option<PathBuf> {
    let names = |d: &Path| -> Option<bool> {
        let bytes = std::fs::read(d.join("package.json")).ok()?;
        Some(
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .map_or(true, |json| json.get("packageManager").is_some()),
        )
    };
    if names(dir)? {
        return Some(dir.to_path_buf());
    }
    // The nearest package.json above that names one first: most projects have none, and
    // only then is the workspace root worked out, which asks every manager (issue 20: the
    // small project's `show` went from 728,122 to 844,230 instructions with it first).
    let absolute = std::path::absolute(dir).ok()?;
    let named = absolute
        .ancestors()
        .skip(1)
        .find(|above| names(above) == Some(true))?;
    let (_, root) = workspace_root_above(dir)?;
    absolute
        .ancestors()
        .skip(1)
        .take_while(|above| !crate::discover::same_folder(above, &root))
        .chain(std::iter::once(root.as_path()))
        .any(|above| crate::discover::same_folder(above, named))
        .then(|| named.to_path_buf())
}

/// [`named_by_package_json`] for the package.json that names the manager run in `dir`
/// ([`package_manager_folder`]), with that package.json as named from `dir`
/// (`package.json`, `../../package.json`).
pub fn named_for(dir: &Path) -> std::result::Result<Option<(ManagerArg, String, String)>, String> {
    let Some(folder) = package_manager_folder(dir) else {
        return Ok(None);
    };
    let file = package_json_named_from(dir, &folder);
    Ok(named_by_package_json(&folder)?.map(|(m, spec)| (m, spec, file)))
}

/// `folder`'s package.json as named from `dir`, a folder at or below it.
pub(crate) fn package_json_named_from(dir: &Path, folder: &Path) -> String {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let up = absolute
        .ancestors()
        .position(|a| crate::discover::same_folder(a, folder))
        .unwrap_or(0);
    format!("{}package.json", "../".repeat(up))
}

impl fmt::Display for ManagerArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManagerArg::Exact(m) => m.fmt(f),
            ManagerArg::PnpmOfProject => f.write_str("pnpm"),
            ManagerArg::NpmMajor(n) => write!(f, "npm@{n}"),
        }
    }
}

impl FromStr for ManagerArg {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let (name, version) = match s.split_once('@') {
            Some((n, v)) => (n, Some(v)),
            None => (s, None),
        };
        let major = version.map(|v| v.split('.').next().unwrap_or(v));
        let exact = |m| Ok(ManagerArg::Exact(m));
        match (name, major) {
            ("npm", None) => exact(Manager::Npm),
            ("npm", Some(v @ ("11" | "12"))) => {
                Ok(ManagerArg::NpmMajor(v.parse().expect("digits")))
            }
            ("yarn" | "yarn-berry", None | Some("4")) => exact(Manager::Yarn),
            ("yarn", Some("1")) | ("yarn-classic", None | Some("1")) => exact(Manager::YarnClassic),
            ("bun", None | Some("1")) => exact(Manager::Bun),
            ("deno", None | Some("2")) => exact(Manager::Deno),
            ("dependabot", None) => exact(Manager::Dependabot),
            ("pnpm", None) => Ok(ManagerArg::PnpmOfProject),
            ("pnpm", Some(v)) if PnpmMajor::from_major(v).is_some() => {
                exact(Manager::Pnpm(PnpmMajor::from_major(v).expect("checked")))
            }
            ("npm" | "yarn" | "yarn-berry" | "yarn-classic" | "bun" | "pnpm" | "deno", Some(v)) => {
                Err(format!(
                    "`{s}`: pmrc knows the rules of npm 11/12, Yarn 4, Yarn 1.22, Bun 1.x, pnpm 10/11/12 and Deno 2, not version {v}"
                ))
            }
            _ => Err(format!(
                "unknown package manager `{s}` (expected npm, yarn, yarn-classic, pnpm, bun or deno; or dependabot as a target)"
            )),
        }
    }
}

/// Where a file lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Project,
    /// The same name in every folder above the project up to the filesystem's root, each
    /// that exists, farthest first (Yarn's walk from its cwd). The home folder's is left out:
    /// it is the user's file, read at its own place and only with `--user`. It applies to the
    /// project without a flag, so it is read at the project level; `convert` never writes it
    /// (it serves every project below it), while `doctor --fix` mends a key its manager
    /// never matches there as in the project's own file.
    Parents,
    /// [`Place::Parents`] without the filesystem root's own folder (Yarn 1's walk for its
    /// `.npmrc` and `.yarnrc` settings stops below `/`).
    ParentsBelowRoot,
    /// The directory pmrc was pointed at, when it is a member of a pnpm workspace whose
    /// root (with `pnpm-workspace.yaml`) is further up.
    WorkspaceMember,
    /// The root of the repository the project is in (`discover::repository_root`), for a
    /// file a service reads there only (`.github/dependabot.yml`), whichever folder of the
    /// repository the project is.
    Repository,
    Home,
    /// Bun's user bunfig: `$XDG_CONFIG_HOME/.bunfig.toml`, else `~/.bunfig.toml`.
    BunUser,
    /// pnpm's config dir: `$XDG_CONFIG_HOME/pnpm`, else `~/.config/pnpm`.
    PnpmConfig,
}

impl Place {
    /// Whether this is the folders above the project rather than one place.
    pub fn is_parents(self) -> bool {
        matches!(self, Place::Parents | Place::ParentsBelowRoot)
    }
}

/// One file a manager reads or pmrc writes for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpec {
    pub name: &'static str,
    pub format: Format,
    pub place: Place,
    /// A user file taken from `$XDG_CONFIG_HOME` instead where one of that name is there
    /// (Bun's `.npmrc`).
    pub xdg_first: bool,
}

pub(crate) const fn spec(name: &'static str, format: Format, place: Place) -> FileSpec {
    FileSpec {
        name,
        format,
        place,
        xdg_first: false,
    }
}

/// [`spec`] for a user file `$XDG_CONFIG_HOME/<name>` replaces when it exists.
pub(crate) const fn spec_xdg_first(name: &'static str, format: Format, place: Place) -> FileSpec {
    FileSpec {
        xdg_first: true,
        ..spec(name, format, place)
    }
}

/// How a translation into a manager spells its settings: in `.npmrc` (npm, pnpm, Deno, and
/// Yarn 1, which takes auth from it), in `.yarnrc.yml`, or in `bunfig.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenAs {
    Npmrc,
    YarnrcYml,
    Bunfig,
}

/// A tarball request `pmrc explain --tarball` asks about, with what every manager's rule
/// looks at.
pub struct TarballRequest<'a> {
    pub model: &'a Model,
    /// The package's own route (its registry and credentials).
    pub route: &'a Route,
    pub tarball: RegistryUrl,
    pub registry: RegistryUrl,
    /// One of the rules' [`Rules::majors`] where it is settled; `None` for what every major
    /// does.
    pub major: Option<u8>,
    /// The files the model was read from, and the variables applied over them: settings the
    /// model does not hold (npm 12's `allow-remote`).
    pub files: &'a [ConfigFile],
    pub env_vars: &'a [crate::env_layer::Variable],
}

impl TarballRequest<'_> {
    /// Same scheme and host (with port) as the package's registry.
    pub fn same_origin(&self) -> bool {
        self.tarball.scheme == self.registry.scheme && self.tarball.host() == self.registry.host()
    }

    /// Same origin and under the registry's path.
    pub fn under_registry(&self) -> bool {
        self.same_origin()
            && self
                .tarball
                .path()
                .starts_with(&crate::registry_url::with_trailing_slash(
                    self.registry.path(),
                ))
    }

    /// The deepest `.npmrc` key on the tarball's path with usable credentials (also tried
    /// without the port when `portless`), and the header they make.
    pub fn credentials_by_key(
        &self,
        portless: bool,
        usable: impl Fn(&Credentials) -> bool,
    ) -> Option<(String, Option<Authorization>)> {
        let t = &self.tarball;
        let mut keys = npm_walk_up(t);
        if portless && t.hostname() != t.host() {
            keys.extend(npm_walk_up(&t.without_port()));
        }
        keys.into_iter().find_map(|k| {
            let creds = self.model.auth.get(&AuthKey::Url(k.clone()))?;
            (creds.authenticates() && usable(creds)).then(|| (k, resolve::npm_authorization(creds)))
        })
    }
}

/// The proxies `manager` sends http and https requests through: npm's one proxy
/// (`https-proxy`, else `proxy`) for both, Yarn 1's `https-proxy` else `proxy` for https, or
/// one per scheme as written.
pub fn proxies_by_scheme(
    manager: Manager,
    proxy: &crate::model::Proxy,
) -> (Option<&Value>, Option<&Value>) {
    let rules = manager.rules();
    if rules.one_proxy_for_both_schemes() {
        let one = proxy.https.as_ref().or(proxy.http.as_ref());
        (one, one)
    } else if rules.https_proxy_falls_back_to_proxy() {
        (
            proxy.http.as_ref(),
            proxy.https.as_ref().or(proxy.http.as_ref()),
        )
    } else {
        (proxy.http.as_ref(), proxy.https.as_ref())
    }
}

/// What pmrc asks of a manager. A new manager is a new implementation of this trait and one
/// arm in [`Manager::rules`]; defaults are the behaviour most managers share.
pub trait Rules: Sync {
    // ---- identity and files ----

    /// As named on the command line and in output: `npm`, `yarn-classic`, `pnpm@12`.
    fn name(&self) -> &'static str;
    /// The manager without its major (`pnpm` for `pnpm@11`): majors of one family may read
    /// the same files alike.
    fn family(&self) -> &'static str {
        self.name()
    }
    /// Whose rules pmrc applies, for headers and messages: `npm 11/12`, `pnpm 10`.
    fn label(&self) -> &'static str;
    /// The majors one set of rules stands for where they act apart in places ([`Rules::label`]
    /// names them all: npm 11 and 12, which refuse different files and tarballs); empty where
    /// the rules are one major's.
    fn majors(&self) -> &'static [u8] {
        &[]
    }
    /// [`Rules::label`] for one of [`Rules::majors`] (`npm 12`).
    fn label_at_major(&self, _major: u8) -> &'static str {
        self.label()
    }
    /// The files this manager reads, lowest priority first.
    fn sources(&self) -> Vec<FileSpec>;
    /// The files a translation into this manager writes.
    fn targets(&self) -> Vec<FileSpec>;
    /// How values written for this manager spell environment references.
    fn dialect(&self) -> Dialect;
    /// The file whose presence says a project uses this manager.
    fn marker_file(&self) -> &'static str;
    /// Every name the marker file may have, the usual one first.
    fn marker_files(&self) -> Vec<&'static str> {
        vec![self.marker_file()]
    }
    /// Whether the marker file makes the folder it is in a project of the manager's own, a
    /// `package.json` beside it or not (pnpm's workspace file, Deno's `deno.json`). Other
    /// config files do not: run in a folder without a `package.json`, the managers work from
    /// the nearest folder above that has one.
    fn marker_roots_its_folder(&self) -> bool {
        false
    }
    /// Whether, run in a folder below its project's, the manager reads its marker file there
    /// too (Yarn's walk for `.yarnrc.yml` starts where it runs, spec yarn.md A1).
    fn reads_marker_where_it_runs(&self) -> bool {
        false
    }
    /// That file's format.
    fn marker_format(&self) -> Format {
        let marker = self.marker_file();
        self.sources()
            .into_iter()
            .find(|f| f.name == marker)
            .map_or(Format::Npmrc, |f| f.format)
    }
    /// Whether the marker file holds registry or auth settings (not Deno's `deno.json`).
    fn marker_holds_config(&self) -> bool {
        true
    }
    /// Whether other managers read this manager's marker file too, so that its presence
    /// says less than theirs.
    fn marker_is_shared(&self) -> bool {
        false
    }
    /// The registry used when none is configured.
    fn public_registry(&self) -> &'static str;
    /// The public registry as a translation into this manager writes it out: in a file other
    /// managers read too, the one they all use by default.
    fn public_registry_written(&self) -> &'static str {
        self.public_registry()
    }
    /// Which format a translation into this manager writes its routes and credentials in.
    fn written_as(&self) -> WrittenAs;
    /// The files of its own in a workspace member (a package a `package.json` above lists in
    /// its `workspaces`) that this manager never reads: it reads the workspace root's, run
    /// in the member or at the root.
    fn member_files_ignored(&self) -> &'static [&'static str] {
        &[]
    }
    /// For a manager that works from a workspace root above `dir`: that root (`dir` itself
    /// when there is none above) and a note about the member's own files.
    fn workspace_root(&self, _dir: &Path) -> Option<(PathBuf, Option<Warning>)> {
        None
    }

    // ---- reading ----

    /// Whether the `.npmrc` reader's `npm-*` findings (about npm itself) hold for this
    /// manager.
    fn owns_npm_findings(&self) -> bool {
        false
    }
    /// Of the credentials written for one key, only those this manager sends, where it
    /// picks among them otherwise than npm (pnpm 10: the last written); `None` where it
    /// sends as npm does. What a translation carries; a shared file keeps every line, for
    /// the other readers that pick as npm does.
    fn credentials_sent(&self, _written: &Credentials) -> Option<Credentials> {
        None
    }
    /// How this manager's ini reads an `.npmrc` where readers part (section lines, inline
    /// comments); npm's by default (Deno's indented section lines are in its `adjust_file`).
    fn npmrc_dialect(&self) -> crate::formats::npmrc::IniDialect {
        crate::formats::npmrc::IniDialect::Npm
    }
    /// Adjusts what one file says before it is merged over `merged` (the files read so far).
    fn adjust_file(
        &self,
        _file: &ConfigFile,
        _merged: &mut Model,
        _read: &mut Model,
        _warnings: &mut Vec<Warning>,
    ) -> Result<()> {
        Ok(())
    }
    /// Whether this manager puts a variable's value into an `.npmrc` credential key at
    /// `level` (`//${HOST}/npm/:_authToken`). Those that do not read the key as written, and
    /// a registry URL never holds `${`, so such a key never matches for them.
    fn expands_variables_in_keys(&self, _level: Level) -> bool {
        false
    }
    /// Findings about the merged model of all files.
    fn after_merge(&self, _model: &Model, _warnings: &mut Vec<Warning>) {}
    /// Whether this manager uses these credentials at all where they were written.
    fn uses_credentials(&self, _credentials: &Credentials) -> bool {
        true
    }
    /// The notation values are printed in (`show`, `explain`): the one files are written in,
    /// unless the manager reads more than it is written (pnpm's defaults).
    fn shown_dialect(&self) -> Dialect {
        self.shown_dialect_at(None)
    }
    /// The notation a value read at `origin` is printed in: the file's own, where the
    /// manager reads files of more than one notation (Bun: `.npmrc` and `bunfig.toml`).
    fn shown_dialect_at(&self, _origin: Option<&crate::model::Origin>) -> Dialect {
        self.dialect()
    }

    // ---- routing ----

    /// Which registry this manager requests for `packages` and what it sends.
    fn route(&self, model: &Lookup<'_>, packages: Packages) -> Route;
    /// The routes of many groups, with lookups built once where that matters.
    fn routes(&self, model: &Model, groups: Vec<Packages>) -> Vec<Route> {
        let model = Lookup::many(model);
        groups.into_iter().map(|p| self.route(&model, p)).collect()
    }
    /// What this manager does with credentials in a registry URL's userinfo.
    fn url_userinfo(&self) -> UrlUserinfo;
    /// Whether a registry URL's query (`https://h/npm/?channel=beta`) stays in the requests
    /// to it. npm, Yarn 4 and pnpm 12 keep it, and append the package after it
    /// (`/npm/?channel=beta/left-pad`); the others request `/npm/left-pad` (from a real
    /// run: npm 11.21.2 and 12.2.2, Yarn 4.18.1, pnpm 12.21.0 keep it).
    fn keeps_registry_query(&self) -> bool {
        true
    }
    /// Whether a scope without a registry of its own goes to the public registry instead of
    /// the configured default one (Yarn Berry).
    fn scope_without_registry_uses_public(&self) -> bool {
        false
    }
    /// Whether a scope's key, as read from the config, routes any package (Yarn Berry never
    /// matches an `npmScopes` key written with `@`).
    fn routes_scope_key(&self, _name: &str) -> bool {
        true
    }
    /// Whether credentials reach unscoped packages only with always-auth.
    fn unscoped_credentials_need_always_auth(&self) -> bool {
        false
    }
    /// Whether a registry line written in a file of `changed`'s format wins, for this manager,
    /// over every registry the user-level `user` sets, so that file, unread, cannot hold the
    /// line back (Yarn 1: `.npmrc` over `.yarnrc`, but not over a flag line).
    fn line_beats_user_file(&self, _changed: Format, _user: &crate::discover::ConfigFile) -> bool {
        false
    }
    /// Whether the manager sends credentials keyed to one registry to another as well (Yarn 1:
    /// npm's registry's to its own), reading every `.npmrc` npm reads: a translation then
    /// leaves them where the source keeps them rather than copying a secret.
    fn sends_credentials_keyed_elsewhere(&self) -> bool {
        false
    }
    /// Where the manager takes a registry's credentials only from its exact key, never a key
    /// for a parent of its path (npm, pnpm, Bun and Deno walk up): how `explain` says so of
    /// a parent key that misses a request.
    fn parent_key_not_walked(&self) -> Option<&'static str> {
        None
    }
    /// Whether an empty credential (`${VAR?}` unset) makes the manager go on up the request
    /// URL's path to the next key (npm), so a parent key can hold a default.
    fn empty_credential_walks_up(&self) -> bool {
        false
    }
    /// Whether an empty credential is no credential at all, where the manager does not walk
    /// up past it (Yarn 4 takes an empty `npmAuthToken` for none: with npmAlwaysAuth it
    /// stops with YN0033, from a trial).
    fn empty_credential_is_none(&self) -> bool {
        self.empty_credential_walks_up()
    }
    /// Whether credentials can be keyed by scope in `.npmrc` (`//host/:@scope:_authToken`).
    fn reads_scope_tokens(&self) -> bool {
        false
    }

    // ---- explain ----

    /// Why a route carries the credentials it does (or none).
    fn credential_reason(&self, route: &Route) -> String;
    /// The error the manager stops a request of `route` with, where its config makes that
    /// request fail before it is sent (Yarn Berry's YN0033: `npmAlwaysAuth` with no
    /// credentials in the entry).
    fn request_fails(&self, _model: &Model, _route: &Route) -> Option<String> {
        None
    }
    /// Whether [`Rules::request_fails`] can stop any request of `model`: asked first, so
    /// that a large config's routes are not worked out again for nothing (issue 20).
    fn may_stop_requests(&self, _model: &Model) -> bool {
        false
    }
    /// Which credentials go with a tarball request, and why.
    fn tarball_credentials(&self, request: &TarballRequest) -> (Option<Authorization>, String);
    /// The URL the manager fetches in place of `tarball`, and a sentence saying so and why
    /// (npm's `replace-registry-host`); `None` where it fetches the URL as given. `major`, `files`
    /// and `env_vars` as in [`TarballRequest`].
    fn tarball_fetched_at(
        &self,
        _model: &Model,
        _tarball: &RegistryUrl,
        _major: Option<u8>,
        _files: &[ConfigFile],
        _env_vars: &[crate::env_layer::Variable],
    ) -> Option<(String, String)> {
        None
    }

    // ---- as the source of a translation ----

    /// Whether a scope is published to its own registry (Yarn Berry needs
    /// `npmPublishRegistry` for that).
    fn publishes_scope_to_its_registry(&self) -> bool {
        true
    }
    /// Whether an unsplittable ident may hold `user:password` that the manager encodes itself
    /// (Yarn Berry's `npmAuthIdent`), so a variable moved to `_auth` must hold base64.
    fn encodes_idents_itself(&self) -> bool {
        false
    }
    /// Whether this manager reads `always-auth` from `.npmrc` (so a translation from it keeps
    /// those lines for it).
    fn reads_npmrc_always_auth(&self) -> bool {
        false
    }
    /// Whether one proxy serves both schemes (`https-proxy`, else `proxy`).
    fn one_proxy_for_both_schemes(&self) -> bool {
        false
    }
    /// Whether scope tokens this manager reads but no route uses are kept in `.npmrc`.
    fn keeps_unused_scope_tokens(&self) -> bool {
        false
    }

    // ---- as the target of a translation ----

    /// Whether `.npmrc` is this manager's own config (npm, Yarn 1 for credentials, pnpm,
    /// Deno), so that a translation into it that already does what the source does writes
    /// nothing ([`crate::plan`]'s `alike`): a copy into its other files (pnpm's `auth.ini`)
    /// would only hide the next edit of the line it copies. Bun reads `.npmrc` too, but a
    /// conversion to Bun moves the config into `bunfig.toml`, its own file, so that the
    /// project can drop npm's (the conformance cases delete `.npmrc` after converting).
    fn npmrc_is_its_own_config(&self) -> bool {
        false
    }

    /// Whether a global `always-auth` is kept for Yarn 1 when it shares the written file.
    fn keeps_global_always_auth_for_yarn_classic(&self) -> bool {
        false
    }
    /// Whether a translation into this manager writes routing into `pnpm-workspace.yaml`
    /// (pnpm 11/12); pnpm 10 gets it in `.npmrc`, and the yaml only loses what it refuses.
    fn reads_workspace_yaml_routing(&self) -> bool {
        true
    }
    /// Whether a translation into this manager carries a source's `always-auth` (Deno's
    /// reader drops it, so writing it would say something Deno does not do).
    fn keeps_always_auth(&self) -> bool {
        true
    }
    /// Whether the manager reads TLS and proxy settings from `.npmrc` (Deno does not: it
    /// takes them from the environment and its flags).
    fn reads_npmrc_network_settings(&self) -> bool {
        true
    }
    /// Whether http and https requests have proxies of their own.
    fn proxy_per_scheme(&self) -> bool {
        false
    }
    /// Why the written config cannot say which hosts skip the proxy, where it cannot.
    fn noproxy_unsupported(&self) -> Option<&'static str> {
        None
    }
    /// Whether https requests go through `proxy` where there is no `https-proxy` (Yarn 1),
    /// for a manager with a proxy per scheme.
    fn https_proxy_falls_back_to_proxy(&self) -> bool {
        false
    }
    /// Where the manager takes `strict-ssl` from instead of `.npmrc`, where it ignores
    /// `.npmrc`'s (Yarn 1: its own default wins); said after the manager's name.
    fn npmrc_strict_ssl_ignored(&self) -> Option<&'static str> {
        None
    }
    /// The `.npmrc` key a registry's credentials go under, when this manager does not find
    /// them at npm's nerf dart (Deno matches the URL as written, port and case included).
    fn npmrc_key_for(&self, _registry: &str) -> Option<String> {
        None
    }
    /// Whether a `${VAR}` registry URL or proxy in a project file is expanded (pnpm: no,
    /// spec pnpm-bun-deno.md §1.7).
    fn expands_project_registry_references(&self) -> bool {
        true
    }
    /// Where a `${VAR}` proxy goes instead of the project's files, where the manager
    /// ignores it there (pnpm); said after why.
    fn project_proxy_reference_ignored(&self) -> Option<&'static str> {
        None
    }
    /// Where credentials this manager ignores in the project file must go instead, when
    /// there is such a place (pnpm and `${VAR}` tokens).
    fn user_credentials_file(&self) -> Option<&'static str> {
        None
    }
    /// The manager `fix_command`'s conversion for `code` converts from only to copy
    /// credentials into the user file (pnpm's ignored `${VAR}` tokens, from npm): a fix only
    /// where that leaves this manager's registries as they are.
    fn fix_copies_credentials_from(&self, _code: Code) -> Option<Manager> {
        None
    }
    /// The environment variable that can carry a `.npmrc` credential key in CI.
    fn ci_credential_variable(&self, _npmrc_key: &str) -> Option<String> {
        None
    }
    /// Takes out of a translated model what this target's file cannot hold, saying why
    /// (Dependabot: literal secrets, TLS, proxies); before the self-check, so it compares
    /// what is really written. `held` is what the target reads now, where
    /// [`Rules::keeps_held_secret_references`] asks for it.
    fn fit_translation(
        &self,
        _model: &mut Model,
        _held: Option<&Model>,
        _warnings: &mut Vec<Warning>,
    ) {
    }
    /// Whether a secret the target cannot be given from the source (Dependabot and a literal
    /// token) is left as the target's file has it, a reference the user wrote there.
    fn keeps_held_secret_references(&self) -> bool {
        false
    }
    /// The projects `file` (a workspace file of this manager's at `dir`, holding `text` as
    /// planned) must list for the manager, run in a member of the workspace `dir`'s
    /// package.json declares, to work from `dir` as the other managers do: the `workspaces`
    /// patterns, where it lists none.
    fn projects_to_list(
        &self,
        _dir: &Path,
        _file: &crate::discover::ConfigFile,
        _text: Option<&str>,
    ) -> Option<Vec<String>> {
        None
    }
    /// Warnings about the project when this manager is the source: files it reads that the
    /// conversion does not cover (a Yarn workspace member's own `.yarnrc.yml`).
    fn source_warnings(&self, _dir: &Path) -> Result<Vec<Warning>> {
        Ok(Vec::new())
    }
    /// Warnings about the project files when this manager is a target (settings it ignores),
    /// `written` being the model the conversion writes for it (the one read, in doctor).
    fn target_warnings(
        &self,
        _dir: &Path,
        _from: Manager,
        _written: &Model,
    ) -> Result<Vec<Warning>> {
        Ok(Vec::new())
    }

    // ---- environment variables (spec/ci-env.md §1) ----

    /// How this manager reads the environment variable `name`: the setting it sets, or that
    /// it ignores or refuses it; `None` for a name outside its variables.
    fn reads_variable(&self, name: &str) -> Option<EnvRead>;
    /// Where two variables set one setting, the higher rank wins (Bun: `BUN_CONFIG_*` over
    /// `NPM_CONFIG_*` over `npm_config_*`); equal ranks: the later one.
    fn variable_rank(&self, _name: &str) -> u8 {
        0
    }
    /// The variables that make this manager route and authenticate as `routes` say (with
    /// the traps they bring), or why variables alone cannot (§1.7's "no" cells).
    fn env_form(&self, routes: &[Route]) -> std::result::Result<EnvForm, String>;
    /// The user-level rc file a CI job writes where variables cannot carry the config;
    /// `None` for a target the job's environment never reaches (Dependabot).
    fn env_rc_file(&self) -> Option<RcFile>;

    // ---- doctor ----

    /// This manager's own doctor checks on its read config.
    fn lint(&self, _dir: &Path, _model: &Model, _routes: &[Route]) -> Result<Vec<Warning>> {
        Ok(Vec::new())
    }
    /// Whether this manager refuses a whole file holding `value` at `path` (npm and
    /// top-level `_auth`; pnpm 10 and URL-keyed `registries`; pnpm 12 and a `${VAR}` registry in a project file), so a file it
    /// shares must not keep it: `Some(what to do instead)`.
    fn refuses_setting(
        &self,
        _file: &ConfigFile,
        _path: &[String],
        _value: &crate::formats::SettingValue,
    ) -> Option<&'static str> {
        None
    }
    /// What this manager's `major` refuses in `files` (those it reads) that the rules pmrc
    /// shares between its majors accept (npm 12: top-level `email`, `certfile`, `keyfile`;
    /// any key it does not know under `strict-npmrc=true`, which `env_vars`, doctor's `--env`
    /// layer, may set too).
    fn refused_at_major(
        &self,
        _major: u8,
        _files: &[ConfigFile],
        _env_vars: &[crate::env_layer::Variable],
    ) -> Vec<Warning> {
        Vec::new()
    }
    /// What `major` ([`Rules::majors`]) refuses in the lockfile of the project at `dir`
    /// (npm 12 and tarballs outside their package's registry), with the model read from
    /// `files` and `env_vars` over them.
    fn lockfile_refused_at_major(
        &self,
        _major: u8,
        _dir: &Path,
        _model: &Model,
        _files: &[ConfigFile],
        _env_vars: &[crate::env_layer::Variable],
    ) -> Result<Vec<Warning>> {
        Ok(Vec::new())
    }
    /// The command (or, where no command is right, the steps) that repairs this manager's
    /// finding `code` in `dir`; `dir_arg` is ` --dir DIR` when the user gave one.
    fn fix_command(&self, _code: Code, _dir: &Path, _dir_arg: &str) -> Option<String> {
        None
    }
    /// `doctor --fix`: the mechanical repair of this manager's findings in a file of
    /// `format` it reads, keeping what the user meant and every other byte; `None` where
    /// there is nothing to mend.
    fn fix_file(&self, _format: Format, _text: &str) -> Option<String> {
        None
    }
    // ---- CI (`doctor --ci`) ----

    /// The programs a CI `run:` line calls this manager by (`npx` is npm's).
    fn programs(&self) -> &'static [&'static str];
    /// The GitHub action that installs this manager (`uses:` without `@ref`) and its input
    /// naming the version, when it has one.
    fn setup_action(&self) -> Option<SetupAction> {
        None
    }
    /// The project file this manager's setup action rewrites when given registries (setup-bun
    /// re-serialises `bunfig.toml` in the checkout), when it does.
    fn setup_action_rewrites(&self) -> Option<&'static str> {
        None
    }
    /// Whether `<program> config set <key>` (user-level when `user_level`) writes a credential
    /// into the project's own file in the checkout (Yarn Berry's default is the project's
    /// `.yarnrc.yml`).
    fn config_set_writes_project_secret(&self, _key: &str, _user_level: bool) -> bool {
        false
    }
    /// Whether the program a GitHub-hosted runner has before any step installs one (npm with
    /// Node, and a global Yarn 1.22 that runs without Corepack) runs this manager in `dir`:
    /// what setup-node's `cache:` runs where no earlier step enabled Corepack or installed the
    /// manager.
    fn runner_program_runs_it(&self, _dir: &Path) -> bool {
        false
    }
    /// Whether this manager reads the `.npmrc` actions/setup-node writes for `registry-url`
    /// (it points `NPM_CONFIG_USERCONFIG` at it); Yarn Berry and Deno never do.
    fn reads_setup_node_npmrc(&self) -> bool {
        true
    }
    /// The error this manager stops every command with for a reference to `name`, written
    /// in `form`, in a value it reads (`set`: whether the variable is set here); `None` when
    /// it goes on.
    fn stops_on_reference(
        &self,
        _name: &str,
        _form: &crate::template::Unset,
        _set: bool,
    ) -> Option<String> {
        None
    }
    /// Whether an unset `${VAR}` in an `.npmrc` it reads stays the text `${VAR}` and is sent
    /// as it is (npm, Bun and Deno: spec npm.md §1.6, pnpm-bun-deno.md a16).
    fn sends_unset_reference_as_text(&self) -> bool {
        false
    }
    /// Whether an unset `${VAR}` it reads stops every command (Yarn Berry, and Yarn 1 in
    /// its `.npmrc`): [`Rules::stops_on_reference`] asked once, for any name.
    fn stops_on_unset_variable(&self) -> bool {
        self.stops_on_reference("VAR", &crate::template::Unset::Strict, false)
            .is_some()
    }
    /// Whether it takes npm's optional `${VAR?}` for a variable named `VAR?` and stops, set
    /// or not (Yarn 1): [`Rules::stops_on_reference`] asked once, for any name.
    fn takes_optional_form_for_a_name(&self) -> bool {
        self.stops_on_reference("VAR", &crate::template::Unset::Empty, true)
            .is_some()
    }
    /// The unset reference for which this manager ignores the whole of a file in `format`
    /// it reads at `level` holding `text`, every other setting in it included (pnpm 10, each
    /// `.npmrc`); `is_set`: whether a variable is set where it runs.
    fn drops_file_here(
        &self,
        _format: Format,
        _level: Level,
        _text: &str,
        _is_set: &dyn Fn(&str) -> bool,
    ) -> Option<DroppedFile> {
        None
    }
    /// The error this manager stops every command with for a value it reads (origin: where
    /// it was read) that holds, as text, a form of another manager's it takes for a
    /// variable's name; `None` when it goes on. `secret`: the value is a credential, whose
    /// literal parts the error must not quote.
    fn stops_on_value(
        &self,
        _value: &crate::template::Template,
        _origin: Option<&crate::model::Origin>,
        _secret: bool,
    ) -> Option<String> {
        None
    }
    /// What the manager does with a registry URL that has no scheme (`registry.test:4873/`),
    /// from the trials: it never sends a request there.
    fn on_registry_url_without_scheme(&self) -> &'static str {
        "stops at once, sending nothing"
    }
    /// Why the manager stops before any request over what the model holds as a whole
    /// (npm 9+ and a top-level credential), with where: `None` when it goes on. `major`: one
    /// of [`Rules::majors`] where it is settled (npm 12 also stops on a top-level `email` in
    /// `files`, those the model was read from), `None` for what every major does.
    fn stops_on_model(
        &self,
        _model: &Model,
        _major: Option<u8>,
        _files: &[ConfigFile],
        _empty_here: &dyn Fn(&crate::template::Template) -> bool,
    ) -> Option<(String, Option<crate::model::Origin>)> {
        None
    }
    /// The lockfile this manager writes and a line only its format has near the top, to
    /// tell managers that share a program apart (Yarn 1 and Berry both write `yarn.lock`).
    fn lockfile_mark(&self) -> Option<(&'static str, &'static str)> {
        None
    }
    /// The lockfiles this manager writes at its project's root, where it alone writes them
    /// ([`Rules::lockfile_mark`] for one it shares): one there says the manager installs the
    /// project, config file of its own or not.
    fn lockfiles(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether `doctor --fix` may key `.npmrc`'s legacy top-level auth to its registry.
    fn fixes_legacy_top_level_auth(&self) -> bool {
        false
    }
    /// Whether this manager honours `.npmrc`'s legacy top-level auth, so that it must stay.
    fn honours_legacy_top_level_auth(&self) -> bool {
        false
    }
    /// What the manager does with the credentials its variables give without a registry's
    /// key (`NPM_CONFIG__AUTHTOKEN`), as one layer with the variables' own registry: pnpm
    /// pins them to that registry, as it does a file's.
    fn pin_variables_unkeyed_credentials(&self, _layer: &mut crate::model::Model) {}
}

/// What each of `majors` ([`ManagerArg::majors_in_play`]) that `manager`'s rules stand for
/// refuses in `files` beyond the rules they share ([`Rules::refused_at_major`]). Where the
/// major is left open, what only one major refuses is a warning that names the major: it
/// holds where that major runs (from a trial: with npm not pinned, a top-level `email` npm 12
/// stops on went unsaid).
pub fn refused_at_majors(
    manager: Manager,
    majors: &[(u8, bool)],
    files: &[ConfigFile],
    env_vars: &[crate::env_layer::Variable],
) -> Vec<Warning> {
    let rules = manager.rules();
    let mut out = Vec::new();
    for &(major, named) in majors {
        if !rules.majors().contains(&major) {
            continue;
        }
        out.extend(
            rules
                .refused_at_major(major, files, env_vars)
                .into_iter()
                .map(|w| as_major_in_play(w, manager, major, named)),
        );
    }
    out
}

/// [`refused_at_majors`] for the project's lockfile ([`Rules::lockfile_refused_at_major`]).
pub fn lockfile_refused_at_majors(
    manager: Manager,
    majors: &[(u8, bool)],
    dir: &Path,
    model: &Model,
    files: &[ConfigFile],
    env_vars: &[crate::env_layer::Variable],
) -> Result<Vec<Warning>> {
    let rules = manager.rules();
    let mut out = Vec::new();
    for &(major, named) in majors {
        if !rules.majors().contains(&major) {
            continue;
        }
        let found = rules.lockfile_refused_at_major(major, dir, model, files, env_vars)?;
        out.extend(
            found
                .into_iter()
                .map(|w| as_major_in_play(w, manager, major, named)),
        );
    }
    Ok(out)
}

/// Where the major is left open, what only it refuses is a warning that names it.
fn as_major_in_play(mut w: Warning, manager: Manager, major: u8, named: bool) -> Warning {
    if !named {
        w.severity = w.severity.min(crate::warning::Severity::Warning);
        w.message = format!(
            "{} (which major runs here is not pinned: package.json's packageManager, or --manager {}, says)",
            w.message,
            manager.as_named(Some(major))
        );
    }
    w
}

/// The bots whose config looks up the JavaScript packages of `dir` and so belongs among
/// `pmrc init`'s targets (Dependabot with an `npm` or `bun` update for `dir` in the
/// repository root's `.github/dependabot.yml`, the file `convert --to dependabot` edits),
/// each with why.
pub fn bots_in(dir: &Path) -> Result<Vec<(ManagerArg, String)>> {
    let Some(root) = crate::discover::repository_root(dir, dependabot::FILE) else {
        return Ok(Vec::new());
    };
    let path = root.join(dependabot::FILE);
    let Some(text) = crate::discover::read_text(&path)? else {
        return Ok(Vec::new());
    };
    let project = crate::discover::lexical(&std::path::absolute(dir).unwrap_or(dir.into()));
    let directory = crate::formats::dependabot_yml::update_directory(&project, &path);
    let updates = crate::formats::dependabot_yml::updates_javascript(&text, &directory)
        .map_err(|e| e.in_file(&path))?;
    let shown = crate::discover::shown_from(dir, &path).unwrap_or(dependabot::FILE.into());
    Ok(updates
        .then(|| {
            (
                ManagerArg::Exact(Manager::Dependabot),
                match directory.as_str() {
                    "/" => format!("dependabot: {shown} updates npm packages here"),
                    _ => format!("dependabot: {shown} updates npm packages in {directory}"),
                },
            )
        })
        .into_iter()
        .collect())
}

/// A GitHub action that installs a manager: `uses: <action>@ref`, `with: <version_input>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupAction {
    pub action: &'static str,
    pub version_input: &'static str,
}

/// Which manager, under which rules, a CI job runs when a `run:` line calls `program`, and
/// why pmrc says so (empty when the program names one manager only); `Err` says why it
/// cannot be told (pmrc does not guess a major).
/// `pinned` is the version a setup action was given (`pnpm/action-setup` `version: 11`).
pub fn run_by_program(
    dir: &Path,
    program: &str,
    pinned: Option<&str>,
) -> std::result::Result<Option<(Manager, String)>, String> {
    let rules_of = |m: ManagerArg| match m {
        ManagerArg::Exact(m) => m.rules(),
        ManagerArg::PnpmOfProject => Manager::Pnpm(PnpmMajor::NEWEST).rules(),
        ManagerArg::NpmMajor(_) => Manager::Npm.rules(),
    };
    let candidates: Vec<ManagerArg> = ALL
        .into_iter()
        .filter(|m| rules_of(*m).programs().contains(&program))
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    // `latest`, `lts`: whatever is newest when the job runs, which pmrc cannot know.
    let pinned = pinned
        .map(|v| v.trim().trim_start_matches(['^', '~', 'v']))
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()));
    if let Some(version) = pinned {
        let arg = format!("{program}@{version}")
            .parse::<ManagerArg>()
            .map_err(|e| format!("the setup action pins {program} {version}: {e}"))?;
        let (m, _) = arg.settle(dir).map_err(|e| e.to_string())?;
        return Ok(Some((m, format!("version {version} on the setup action"))));
    }
    let named_in_package_json = named_by_package_json(dir).ok().flatten();
    // A packageManager for another manager tells nothing about this program's major.
    let package_json_says = match &named_in_package_json {
        Some((_, spec)) => format!("package.json's packageManager \"{spec}\" is another manager"),
        None => "no packageManager in package.json".to_string(),
    };
    if let Some((named, spec)) = named_in_package_json
        && candidates.contains(&named)
    {
        if named == ManagerArg::PnpmOfProject && pnpm::major_of_project(dir).is_none() {
            return Err(format!(
                "package.json packageManager \"{spec}\" names no pnpm major pmrc knows"
            ));
        }
        let (m, _) = named.settle(dir).map_err(|e| e.to_string())?;
        return Ok(Some((m, format!("package.json packageManager \"{spec}\""))));
    }
    if candidates == [ManagerArg::PnpmOfProject] {
        return match pnpm::major_of_project(dir) {
            Some((_, why)) => {
                let (m, _) = ManagerArg::PnpmOfProject
                    .settle(dir)
                    .map_err(|e| e.to_string())?;
                Ok(Some((m, why)))
            }
            None => Err(format!(
                "which pnpm major it runs cannot be told: no pnpm/action-setup step with a `version:` before it, and {package_json_says}"
            )),
        };
    }
    if let [only] = candidates[..] {
        let (m, _) = only.settle(dir).map_err(|e| e.to_string())?;
        // Nothing to say: the program names one manager under one set of rules.
        return Ok(Some((m, String::new())));
    }
    // Yarn: Berry and 1.x share the program; the project's own file tells them apart,
    // else the lockfile's format.
    let marked: Vec<ManagerArg> = candidates
        .iter()
        .copied()
        .filter(|m| m.marker_in(dir).is_some())
        .collect();
    if let [one] = marked[..] {
        let (m, _) = one.settle(dir).map_err(|e| e.to_string())?;
        return Ok(Some((m, format!("the project has {}", one.marker_file()))));
    }
    let by_lockfile: Vec<(Manager, &str)> = candidates
        .iter()
        .filter_map(|arg| arg.settle(dir).ok())
        .filter_map(|(m, _)| Some((m, marked_lockfile(m.rules(), dir)?)))
        .collect();
    if let [(m, file)] = by_lockfile[..] {
        return Ok(Some((m, format!("{file} is in {}'s format", m.label()))));
    }
    Err(format!(
        "which major of `{program}` it runs cannot be told: {package_json_says}, and {}",
        if marked.is_empty() {
            format!(
                "none of {} here, nor a lockfile that tells",
                candidates
                    .iter()
                    .map(|m| m.marker_file())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            "the files of more than one are here".to_string()
        }
    ))
}

/// The managers whose lockfile is in `dir`, each with the lockfile's name: the manager that
/// installs a project writes its lockfile there, with or without a config file of its own (a
/// pnpm project with `pnpm-lock.yaml` and an `.npmrc` got npm's answer alone). `yarn.lock`
/// names Yarn 1 or Berry by its format.
pub fn locked_in(dir: &Path) -> Vec<(ManagerArg, &'static str)> {
    ALL.into_iter()
        .filter_map(|arg| {
            let rules = match arg {
                ManagerArg::Exact(m) => m.rules(),
                ManagerArg::PnpmOfProject => Manager::Pnpm(PnpmMajor::NEWEST).rules(),
                ManagerArg::NpmMajor(_) => Manager::Npm.rules(),
            };
            let own = rules
                .lockfiles()
                .iter()
                .copied()
                .find(|name| dir.join(name).is_file());
            Some((arg, own.or_else(|| marked_lockfile(rules, dir))?))
        })
        .collect()
}

/// The lockfile `rules` share with another manager, where it is in `dir` in their format.
fn marked_lockfile(rules: &dyn Rules, dir: &Path) -> Option<&'static str> {
    let (file, mark) = rules.lockfile_mark()?;
    lockfile_head(&dir.join(file))?
        .lines()
        .any(|l| l.trim_end() == mark)
        .then_some(file)
}

/// The `.github/dependabot.yml` of the project's folder `dir` below the repository's root
/// `root`, which GitHub never reads, said where it is there.
pub fn stray_dependabot_file(dir: &Path, root: &Path) -> Option<Warning> {
    dependabot::stray_file(dir, root)
}

/// The first few kilobytes of a lockfile: its format shows at the top, and a lockfile can
/// be megabytes.
fn lockfile_head(path: &Path) -> Option<String> {
    use std::io::Read as _;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_end(&mut head)
        .ok()?;
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// The manager whose rules the `.npmrc` actions/setup-node writes is written for: npm's
/// (`[@scope:]registry=` and `//host/path/:_authToken=${NODE_AUTH_TOKEN}`).
pub fn setup_node_npmrc_reader() -> Manager {
    Manager::Npm
}

/// The manager a setup action (`uses: pnpm/action-setup@v4`) installs, if it is one.
pub fn installed_by_action(action: &str) -> Option<(&'static str, SetupAction)> {
    SETTLED.into_iter().find_map(|m| {
        let setup = m.rules().setup_action()?;
        (setup.action.eq_ignore_ascii_case(action)).then(|| (m.rules().programs()[0], setup))
    })
}

/// The registry a manager that reads `.npmrc`-style routing requests for `packages`.
pub(crate) fn configured_registry<'a>(
    model: &'a Model,
    packages: &Packages,
) -> Option<&'a crate::model::Value> {
    match packages {
        Packages::Scope(s) => model.scopes.get(s).and_then(|s| s.registry.as_ref()),
        Packages::Unscoped => None,
    }
    .or(model.registry.as_ref())
}

/// A route whose credentials, once chosen, are sent the way npm sends them (npm, pnpm, Bun).
pub(crate) fn npm_style_route(
    packages: Packages,
    registry: Option<String>,
    found: Option<(AuthKey, &Credentials)>,
) -> Route {
    let (credential_key, authorization, credential_origin) = match found {
        Some((key, creds)) => (
            Some(key),
            resolve::npm_authorization(creds),
            creds.origin().cloned(),
        ),
        None => (None, None, None),
    };
    Route {
        packages,
        registry,
        authorization,
        credential_key,
        credential_origin,
        credential_in_url: false,
        registry_read: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> std::result::Result<ManagerArg, String> {
        s.parse()
    }

    #[test]
    fn names_and_versions() {
        let exact = |m| Ok(ManagerArg::Exact(m));
        assert_eq!(parse("npm"), exact(Manager::Npm));
        assert_eq!(parse("npm@12"), Ok(ManagerArg::NpmMajor(12)));
        assert_eq!(parse("npm@11.21.2"), Ok(ManagerArg::NpmMajor(11)));
        assert_eq!(parse("yarn@4.18.1"), exact(Manager::Yarn));
        assert_eq!(parse("yarn@1"), exact(Manager::YarnClassic));
        assert_eq!(parse("yarn-classic"), exact(Manager::YarnClassic));
        assert_eq!(parse("bun"), exact(Manager::Bun));
        assert_eq!(parse("deno"), exact(Manager::Deno));
        assert_eq!(parse("deno@2.9.6"), exact(Manager::Deno));
        assert!(parse("deno@1").is_err());
        assert_eq!(parse("pnpm@10"), exact(Manager::Pnpm(PnpmMajor::V10)));
        assert_eq!(parse("pnpm"), Ok(ManagerArg::PnpmOfProject));
        assert!(parse("pnpm@9").is_err());
        assert!(parse("npm@9").is_err());
        assert!(parse("cargo").unwrap_err().contains("unknown"));
    }

    #[test]
    fn names_round_trip() {
        for m in SETTLED.into_iter().chain([Manager::Dependabot]) {
            assert_eq!(parse(&m.to_string()), Ok(ManagerArg::Exact(m)), "{m}");
        }
    }

    /// Yarn's major in CI: package.json first, then the project's own file, then the
    /// lockfile's format; with none of them it is not guessed.
    #[test]
    fn yarn_in_ci_by_package_json_file_or_lockfile() {
        let dir = assert_fs::TempDir::new().unwrap();
        let at = |f: &str| dir.path().join(f);
        let run = || run_by_program(dir.path(), "yarn", None).map(|r| r.map(|(m, _)| m));
        assert!(run().unwrap_err().contains("cannot be told"));
        std::fs::write(at("yarn.lock"), "# comment\n\n__metadata:\n  version: 8\n").unwrap();
        assert_eq!(run(), Ok(Some(Manager::Yarn)));
        std::fs::write(at("yarn.lock"), "# yarn lockfile v1\n").unwrap();
        assert_eq!(run(), Ok(Some(Manager::YarnClassic)));
        std::fs::write(at(".yarnrc.yml"), "nodeLinker: pnp\n").unwrap();
        assert_eq!(run(), Ok(Some(Manager::Yarn)));
        std::fs::write(at("package.json"), r#"{"packageManager": "yarn@1.22.22"}"#).unwrap();
        assert_eq!(run(), Ok(Some(Manager::YarnClassic)));
        assert_eq!(
            run_by_program(dir.path(), "pnpm", Some("11.2.0")).map(|r| r.map(|(m, _)| m)),
            Ok(Some(Manager::Pnpm(PnpmMajor::V11)))
        );
        assert!(run_by_program(dir.path(), "pnpm", Some("9")).is_err());
        assert_eq!(run_by_program(dir.path(), "node", None), Ok(None));
    }

    /// A packageManager that names another manager is not called missing: the refusal
    /// says what package.json does name.
    #[test]
    fn a_package_manager_for_another_manager_is_not_called_missing() {
        let dir = assert_fs::TempDir::new().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"packageManager": "npm@11.2.0"}"#,
        )
        .unwrap();
        for program in ["yarn", "pnpm"] {
            let why = run_by_program(dir.path(), program, None).unwrap_err();
            assert!(
                why.contains(r#"package.json's packageManager "npm@11.2.0" is another manager"#)
                    && !why.contains("no packageManager"),
                "{why}"
            );
        }
    }

    /// Knowledge of one manager lives in one place: outside this folder no source file
    /// names a manager's variant, so a new manager cannot be silently skipped there.
    #[test]
    fn only_the_managers_folder_names_a_manager() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let variants = [
            "Manager::Npm",
            "Manager::Yarn",
            "Manager::YarnClassic",
            "Manager::Bun",
            "Manager::Deno",
            "Manager::Pnpm",
            "PnpmMajor::",
            "Manager::Dependabot",
        ];
        let mut offenders = Vec::new();
        let mut stack = vec![src.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    if path != src.join("managers") {
                        stack.push(path);
                    }
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Unit tests may name managers to build their cases.
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for (n, line) in code.lines().enumerate() {
                    if variants.iter().any(|v| line.contains(v)) {
                        offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "ask the manager's rules instead:\n{}",
            offenders.join("\n")
        );
    }
}
