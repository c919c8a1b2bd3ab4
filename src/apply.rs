//! Writes a plan: every file is first checked to be unchanged since it was read, then
//! replaced atomically (same-directory temp file, fsync, rename), keeping its mode and
//! writing through symlinks. New files that hold a literal secret are created 0600.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use atomic_write_file::AtomicWriteFile;

use crate::discover::read_text;
use crate::error::{Error, Result};
use crate::plan::{FileChange, Status};

/// Applies every pending change; returns the paths written. On a failure part-way, the
/// error says which files were already written.
pub fn apply(changes: &[FileChange]) -> Result<Vec<PathBuf>> {
    let pending: Vec<&FileChange> = changes
        .iter()
        .filter(|c| c.status() != Status::Unchanged)
        .collect();
    // Refuse before writing anything: a file that moved under us, or one pmrc must not
    // replace (read-only, a directory, a symlink that leads nowhere).
    for change in &pending {
        check_writable(&change.path)?;
        if read_text(&change.path)? != change.before {
            return Err(Error::ChangedOnDisk {
                path: change.path.clone(),
            });
        }
    }
    let mut written = Vec::new();
    for change in pending {
        if let Err(e) = write_one(change) {
            if written.is_empty() {
                return Err(e);
            }
            let done: Vec<String> = written
                .iter()
                .map(|p: &PathBuf| p.display().to_string())
                .collect();
            return Err(Error::Write {
                path: change.path.clone(),
                source: std::io::Error::other(format!("{e}; already written: {}", done.join(", "))),
            });
        }
        written.push(change.path.clone());
    }
    Ok(written)
}

fn check_writable(path: &Path) -> Result<()> {
    let refuse = |reason: String| {
        Err(Error::Refused {
            path: path.to_path_buf(),
            reason,
        })
    };
    let Ok(link) = std::fs::symlink_metadata(path) else {
        return Ok(()); // a new file
    };
    if link.file_type().is_symlink()
        && let Err(e) = std::fs::canonicalize(path)
    {
        let to = std::fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
        return refuse(format!(
            "is a symlink to {to}, which cannot be followed ({e})"
        ));
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => refuse("is a directory, not a config file".into()),
        Ok(meta) if meta.permissions().readonly() => refuse(
            "is read-only; pmrc does not replace read-only files (make it writable first)".into(),
        ),
        Ok(_) => Ok(()),
        Err(source) => Err(Error::Write {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn write_one(change: &FileChange) -> Result<()> {
    // Dotfiles are often symlinks into a dotfiles repo: replace the target, not the link.
    let target = match std::fs::canonicalize(&change.path) {
        Ok(real) => real,
        Err(_) if change.status() == Status::Create => change.path.clone(),
        Err(source) => {
            return Err(Error::Write {
                path: change.path.clone(),
                source,
            });
        }
    };
    let fail = |source| Error::Write {
        path: change.path.clone(),
        source,
    };
    // User-level files may live in a folder that does not exist yet (`~/.config/pnpm`).
    if change.status() == Status::Create
        && let Some(parent) = target.parent()
    {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut file = AtomicWriteFile::options().open(&target).map_err(fail)?;
    if change.status() == Status::Create && change.holds_secret() {
        restrict(&file, &target).map_err(fail)?;
    }
    file.write_all(change.after.as_bytes()).map_err(fail)?;
    file.commit().map_err(fail)
}

#[cfg(unix)]
fn restrict(file: &AtomicWriteFile, _target: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_file: &AtomicWriteFile, _target: &Path) -> std::io::Result<()> {
    Ok(())
}
