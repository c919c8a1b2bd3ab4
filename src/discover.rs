//! Which config files apply, for which manager and level, and reading them from disk. The
//! only module besides `apply` that touches the filesystem, and it only reads.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::{Format, line_col};
use crate::manager::{FileSpec, Manager, Place};
use crate::model::{Level, Model};
use crate::warning::Warning;

/// The parts of the process environment pmrc looks at, passed in so tests can fake them.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub home: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    /// Set by [`pnpm_workspace_root`] when `--dir` is a member of a pnpm workspace.
    pub member: Option<PathBuf>,
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
    pub text: Option<String>,
}

/// The path of a file spec and how it is shown to the user.
fn place(file: &FileSpec, dir: &Path, env: &Environment) -> Result<(PathBuf, String)> {
    let name = file.name;
    if file.place == Place::Project {
        return Ok((dir.join(name), name.to_string()));
    }
    if file.place == Place::WorkspaceMember {
        let path = env.member.as_ref().unwrap_or(&dir.to_path_buf()).join(name);
        let display = path.display().to_string();
        return Ok((path, display));
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
        Place::Project | Place::WorkspaceMember => Level::Project,
        Place::Home | Place::BunUser | Place::PnpmConfig => Level::User,
    }
}

fn config_files(
    specs: Vec<FileSpec>,
    dir: &Path,
    user: bool,
    env: &Environment,
) -> Result<Vec<ConfigFile>> {
    specs
        .iter()
        .filter(|f| user || level_of(f.place) == Level::Project)
        // A member's own file only exists apart from the root's when pmrc was pointed at one.
        .filter(|f| f.place != Place::WorkspaceMember || env.member.is_some())
        .map(|f| {
            let (path, display) = place(f, dir, env)?;
            Ok(ConfigFile {
                text: read_text(&path)?,
                path,
                display,
                level: level_of(f.place),
                format: f.format,
            })
        })
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

/// pnpm works from the workspace root, the nearest ancestor with `pnpm-workspace.yaml`.
/// Returns that root and, when it is not `dir`, a finding about the member's own `.npmrc`
/// (pnpm 10 reads it and lets it win; 11/12 ignore it).
pub fn pnpm_workspace_root(dir: &Path, manager: Manager) -> (PathBuf, Option<Warning>) {
    let Some(root) = dir
        .ancestors()
        .find(|d| d.join("pnpm-workspace.yaml").is_file())
        .filter(|root| *root != dir)
    else {
        return (dir.to_path_buf(), None);
    };
    let member_npmrc = dir.join(".npmrc");
    let note = member_npmrc.is_file().then(|| {
        let message = if manager == Manager::Pnpm(10) {
            format!("pnpm 10 reads this workspace member's .npmrc over the root's ({})", root.display())
        } else {
            format!(
                "{} ignores a workspace member's .npmrc: only the root's ({}) counts, so its settings are not used",
                manager.rules(),
                root.display()
            )
        };
        Warning::new(
            "pnpm-member-npmrc",
            message,
            Some(crate::model::Origin {
                file: member_npmrc.clone(),
                line: 1,
                level: Level::Project,
            }),
        )
    });
    (root.to_path_buf(), note)
}

/// The pnpm major a project names in package.json (`packageManager`, or
/// `devEngines.packageManager`), with where it was found.
pub fn pnpm_major_of_project(dir: &Path) -> Option<(u8, String)> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let major = |spec: &str| -> Option<u8> {
        let digits: String = spec
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    if let Some(spec) = json["packageManager"]
        .as_str()
        .and_then(|s| s.strip_prefix("pnpm@"))
    {
        return major(spec).map(|m| (m, format!("package.json packageManager \"pnpm@{spec}\"")));
    }
    let dev = &json["devEngines"]["packageManager"];
    let entries: Vec<&serde_json::Value> = match dev {
        serde_json::Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    entries.into_iter().find_map(|e| {
        (e["name"].as_str() == Some("pnpm"))
            .then(|| e["version"].as_str())
            .flatten()
            .and_then(|v| {
                major(v).map(|m| {
                    (
                        m,
                        format!("package.json devEngines.packageManager version \"{v}\""),
                    )
                })
            })
    })
}

/// A manager with its version settled: pnpm's major from the command line, else the
/// project's package.json, else the newest; the note says which and why.
pub fn settle_version(manager: Manager, dir: &Path) -> Result<(Manager, Option<Warning>)> {
    if manager != Manager::Pnpm(0) {
        return Ok((manager, None));
    }
    let (major, why) = pnpm_major_of_project(dir).unwrap_or((
        crate::manager::NEWEST_PNPM,
        "no pnpm version in package.json, so the newest".to_string(),
    ));
    let settled = match major {
        10..=12 => Manager::Pnpm(major),
        other => {
            return Err(Error::Usage(format!(
                "{why} asks for pnpm {other}; pmrc knows pnpm 10, 11 and 12 (name one with pnpm@N)"
            )));
        }
    };
    let note = Warning::note(
        "pnpm-version",
        format!("using the rules of pnpm {major} ({why})"),
        None,
    );
    Ok((settled, Some(note)))
}

/// The text of a file, `None` when it does not exist. Invalid UTF-8 is an error with its
/// position: every manager would read it differently, and pmrc must not guess.
pub fn read_text(path: &Path) -> Result<Option<String>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
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
    file.format
        .read(text, Path::new(&file.display), file.level)
        .map_err(|e| e.in_file(&file.path))
}

/// The merged model of a manager over its files (given lowest priority first).
pub fn read_merged(manager: Manager, files: &[ConfigFile]) -> Result<(Model, Vec<Warning>)> {
    let mut model = Model::default();
    let mut yarnrc_network = Model::default();
    let mut warnings = Vec::new();
    for file in files {
        let (mut m, w) = read_model(file)?;
        match (file.format, manager) {
            (Format::Yarnrc, _) => yarnrc_network.overlay(Model {
                tls: m.tls.clone(),
                proxy: m.proxy.clone(),
                ..Model::default()
            }),
            // pnpm 10 ignores `registry:` in the yaml, and its `registries` map replaces
            // the scopes `.npmrc` declared.
            (Format::PnpmWorkspace, Manager::Pnpm(10)) => {
                let held = file
                    .text
                    .as_deref()
                    .map(|t| file.format.settings(t))
                    .transpose();
                let held = held.map_err(|e| e.in_file(&file.path))?.unwrap_or_default();
                let has = |path: &[&str]| held.iter().any(|s| s.path == path);
                if has(&["registry"]) {
                    warnings.push(Warning::new(
                        "pnpm10-ignores-yaml-registry",
                        "pnpm 10 ignores `registry:` in pnpm-workspace.yaml (use `registries: { default: ... }` or .npmrc)",
                        m.registry.as_ref().and_then(|r| r.origin.clone()),
                    ));
                    if !has(&["registries", "default"]) {
                        m.registry = None;
                    }
                }
                if held.iter().any(|s| s.path[0] == "registries") && !model.scopes.is_empty() {
                    warnings.push(Warning::new(
                        "pnpm10-yaml-registries-replace-scopes",
                        "pnpm 10 takes `registries` from pnpm-workspace.yaml instead of every `@scope:registry` in .npmrc, so those scopes are not used",
                        model.scopes.values().find_map(|s| s.registry.as_ref()?.origin.clone()),
                    ));
                    model.scopes.clear();
                }
            }
            // pnpm ignores `${VAR}` credentials in a project `.npmrc`; they must not hide
            // the same key's usable value from auth.ini or ~/.npmrc.
            (Format::Npmrc, Manager::Pnpm(_)) if file.level == Level::Project => {
                m.auth.retain(|key, creds| {
                    crate::resolve::pnpm_usable(creds)
                        || !model.auth.get(key).is_some_and(crate::resolve::pnpm_usable)
                });
            }
            _ => {}
        }
        model.overlay(m);
        // The `.npmrc` reader's findings about npm itself do not hold for other managers
        // (Yarn 1 honours always-auth and top-level `_auth`).
        warnings.extend(
            w.into_iter()
                .filter(|w| manager == Manager::Npm || !w.code.starts_with("npm-")),
        );
    }
    // Yarn 1 takes routing and auth from `.npmrc` first, but TLS and proxy from `.yarnrc`.
    model.overlay(yarnrc_network);
    if manager.is_pnpm() {
        for creds in model
            .auth
            .values()
            .filter(|c| !crate::resolve::pnpm_usable(c))
        {
            warnings.push(Warning::new(
                "pnpm-project-env-credential-ignored",
                format!(
                    "{} ignores this credential: it is an environment reference in a project .npmrc (put it in ~/.npmrc{} instead)",
                    manager.rules(),
                    if manager == Manager::Pnpm(10) { "" } else { " or the pnpm auth.ini" }
                ),
                creds.origin().cloned(),
            ));
        }
    }
    Ok((model, warnings))
}

/// The one manager whose marker file exists, for `convert` without `--from`.
pub fn detect_source(dir: &Path, candidates: &[Manager]) -> Result<Manager> {
    let present: Vec<Manager> = candidates
        .iter()
        .copied()
        .filter(|m| dir.join(m.marker_file()).exists())
        .collect();
    // `.npmrc` sits beside `.yarnrc` and `bunfig.toml` too; another manager's own file
    // says more about the project.
    let present: Vec<Manager> = if present.len() > 1 {
        present.into_iter().filter(|m| *m != Manager::Npm).collect()
    } else {
        present
    };
    match present.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::Usage(format!(
            "no package manager config found in {} (looked for .npmrc, .yarnrc.yml, .yarnrc, bunfig.toml and pnpm-workspace.yaml); pass --from",
            dir.display()
        ))),
        many => Err(Error::Usage(format!(
            "several configs found in {} ({}); pass --from to say which one is the source",
            dir.display(),
            many.iter()
                .map(|m| m.marker_file())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
