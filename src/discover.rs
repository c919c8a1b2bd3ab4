//! Which config files apply, for which manager and level, and reading them from disk. The
//! only module besides `apply` that touches the filesystem, and it only reads.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::{Format, line_col};
use crate::manager::Manager;
use crate::model::{Level, Model};
use crate::warning::Warning;

/// The parts of the process environment pmrc looks at, passed in so tests can fake them.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub home: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
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

/// Where a manager looks for `name` at user level (Bun honours `XDG_CONFIG_HOME`).
fn user_place(manager: Manager, name: &str, env: &Environment) -> Result<(PathBuf, String)> {
    let home = env
        .home
        .as_ref()
        .ok_or_else(|| Error::Usage("--user needs a home directory, and HOME is not set".into()))?;
    if manager == Manager::Bun {
        if let Some(xdg) = &env.xdg_config_home {
            let file = if name == "bunfig.toml" {
                ".bunfig.toml"
            } else {
                name
            };
            let path = xdg.join(file);
            // Bun reads `$XDG_CONFIG_HOME/.npmrc` only when it exists, the bunfig always.
            if name == "bunfig.toml" || path.exists() {
                return Ok((path, format!("$XDG_CONFIG_HOME/{file}")));
            }
        }
        if name == "bunfig.toml" {
            return Ok((home.join(".bunfig.toml"), "~/.bunfig.toml".into()));
        }
    }
    Ok((home.join(name), format!("~/{name}")))
}

fn config_file(path: PathBuf, display: String, level: Level, format: Format) -> Result<ConfigFile> {
    Ok(ConfigFile {
        text: read_text(&path)?,
        path,
        display,
        level,
        format,
    })
}

/// The files `manager` reads, at each level asked for (user level only with `user`).
pub fn locate(
    manager: Manager,
    dir: &Path,
    user: bool,
    env: &Environment,
) -> Result<Vec<ConfigFile>> {
    let mut files = Vec::new();
    for &(name, format) in manager.files() {
        files.push(config_file(
            dir.join(name),
            name.to_string(),
            Level::Project,
            format,
        )?);
        if user {
            let (path, display) = user_place(manager, name, env)?;
            files.push(config_file(path, display, Level::User, format)?);
        }
    }
    Ok(files)
}

/// The files a translation into `manager` writes, per level.
pub fn locate_targets(
    manager: Manager,
    dir: &Path,
    user: bool,
    env: &Environment,
) -> Result<Vec<ConfigFile>> {
    let (name, format) = manager.target_file();
    let mut files = vec![config_file(
        dir.join(name),
        name.to_string(),
        Level::Project,
        format,
    )?];
    if user {
        let (path, display) = user_place(manager, name, env)?;
        files.push(config_file(path, display, Level::User, format)?);
    }
    Ok(files)
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

/// The merged model of a manager over its files, by that manager's precedence.
pub fn read_merged(manager: Manager, files: &[ConfigFile]) -> Result<(Model, Vec<Warning>)> {
    let rank = |f: &ConfigFile| {
        let format_rank = manager.files().iter().position(|(_, fmt)| *fmt == f.format);
        // Later formats in `files()` win; within a format the project beats the user.
        (format_rank, std::cmp::Reverse(f.level))
    };
    let mut ordered: Vec<&ConfigFile> = files.iter().collect();
    ordered.sort_by_key(|f| rank(f));
    let mut model = Model::default();
    let mut yarnrc_network = Model::default();
    let mut warnings = Vec::new();
    for file in ordered {
        let (m, w) = read_model(file)?;
        if file.format == Format::Yarnrc {
            yarnrc_network.overlay(Model {
                tls: m.tls.clone(),
                proxy: m.proxy.clone(),
                ..Model::default()
            });
        }
        model.overlay(m);
        // The `.npmrc` reader's findings about npm itself do not hold for Yarn 1 or Bun
        // (Yarn 1 honours always-auth and top-level `_auth`).
        warnings.extend(
            w.into_iter()
                .filter(|w| manager == Manager::Npm || !w.code.starts_with("npm-")),
        );
    }
    // Yarn 1 takes routing and auth from `.npmrc` first, but TLS and proxy from `.yarnrc`.
    model.overlay(yarnrc_network);
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
            "no package manager config found in {} (looked for .npmrc, .yarnrc.yml, .yarnrc and bunfig.toml); pass --from",
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
