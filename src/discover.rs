//! Which config files apply, for which manager and level, and reading them from disk. The
//! only module besides `apply` that touches the filesystem, and it only reads.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::{self, line_col};
use crate::manager::Manager;
use crate::model::{Level, Model};
use crate::warning::Warning;

/// The parts of the process environment pmrc looks at, passed in so tests can fake them.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub home: Option<PathBuf>,
}

impl Environment {
    pub fn from_process() -> Environment {
        Environment {
            home: std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from)
                .or_else(std::env::home_dir),
        }
    }
}

/// One config file: where it is, its level, and its text if it exists.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// How the file is named to the user: relative to the project, or `~/...`.
    pub display: String,
    pub level: Level,
    pub manager: Manager,
    pub text: Option<String>,
}

/// The files of `manager` at each level asked for (user level only with `user`).
pub fn locate(
    manager: Manager,
    dir: &Path,
    user: bool,
    env: &Environment,
) -> Result<Vec<ConfigFile>> {
    let name = manager.project_file();
    let mut places = vec![(dir.join(name), name.to_string(), Level::Project)];
    if user {
        let home = env.home.as_ref().ok_or_else(|| {
            Error::Usage("--user needs a home directory, and HOME is not set".into())
        })?;
        places.push((home.join(name), format!("~/{name}"), Level::User));
    }
    places
        .into_iter()
        .map(|(path, display, level)| {
            Ok(ConfigFile {
                text: read_text(&path)?,
                path,
                display,
                level,
                manager,
            })
        })
        .collect()
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
    let shown = PathBuf::from(&file.display);
    let read = match file.manager {
        Manager::Npm => formats::npmrc::read(text, &shown, file.level),
        Manager::Yarn => formats::yarnrc_yml::read(text, &shown, file.level),
    };
    read.map_err(|e| e.in_file(&file.path))
}

/// The merged model of a manager over its files, lower levels first.
pub fn read_merged(files: &[ConfigFile]) -> Result<(Model, Vec<Warning>)> {
    let mut model = Model::default();
    let mut warnings = Vec::new();
    let mut ordered: Vec<&ConfigFile> = files.iter().collect();
    // User files are the lower layer in every manager pmrc supports.
    ordered.sort_by_key(|f| std::cmp::Reverse(f.level));
    for file in ordered {
        let (m, w) = read_model(file)?;
        model.overlay(m);
        warnings.extend(w);
    }
    Ok((model, warnings))
}

/// The one manager whose project file exists, for `convert` without `--from`.
pub fn detect_source(dir: &Path, candidates: &[Manager]) -> Result<Manager> {
    let present: Vec<Manager> = candidates
        .iter()
        .copied()
        .filter(|m| dir.join(m.project_file()).exists())
        .collect();
    match present.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::Usage(format!(
            "no package manager config found in {} (looked for .npmrc and .yarnrc.yml); pass --from",
            dir.display()
        ))),
        many => Err(Error::Usage(format!(
            "several configs found in {} ({}); pass --from to say which one is the source",
            dir.display(),
            many.iter()
                .map(|m| m.project_file())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
