//! Typed errors of the library: bad input (with file, line and column), edits pmrc refuses,
//! and failed writes. The binary maps every one of them to exit code 2.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}:{line}:{column}: {message}", shown(path))]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read {}: {source}", shown(path))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", shown(path))]
    Edit { path: PathBuf, message: String },
    #[error(
        "{} changed since it was read; nothing was written, run pmrc again",
        shown(path)
    )]
    ChangedOnDisk { path: PathBuf },
    #[error("{}: {reason}; nothing was written", shown(path))]
    Refused { path: PathBuf, reason: String },
    #[error("cannot write {}: {source}", shown(path))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    /// Printing the result failed (a full disk, a closed terminal); a closed pipe is not
    /// an error.
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

/// A path as an error names it: relative to the current directory when it is inside it
/// (`pmrc.toml:3:15`, as rustc and cargo print positions), else as given.
fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .filter(|relative| !relative.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A position-bearing parse problem before the file name is known (formats see only text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl SyntaxError {
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        SyntaxError {
            line,
            column,
            message: message.into(),
        }
    }

    pub fn in_file(self, path: impl Into<PathBuf>) -> Error {
        Error::Parse {
            path: path.into(),
            line: self.line,
            column: self.column,
            message: self.message,
        }
    }
}
