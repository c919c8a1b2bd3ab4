//! Typed errors of the library: bad input (with file, line and column), edits pmrc refuses,
//! and failed writes. The binary maps every one of them to exit code 2.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Edit { path: PathBuf, message: String },
    #[error("{} changed since it was read; nothing was written, run pmrc again", path.display())]
    ChangedOnDisk { path: PathBuf },
    #[error("{}: {reason}; nothing was written", path.display())]
    Refused { path: PathBuf, reason: String },
    #[error("cannot write {}: {source}", path.display())]
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
