//! Writes a plan, and nothing else writes. First every target is proven replaceable (a
//! regular file with one link, writable by this user, unchanged since it was read); then
//! every new text is written and synced to a temporary file beside its target; only then is
//! each original checked once more and the temporary renamed over it. A failure before the
//! first rename removes every temporary and changes nothing; modes, ownership and symlinks
//! are kept, and new files that hold a literal secret are created 0600.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use atomic_write_file::AtomicWriteFile;

use crate::discover::read_text;
use crate::error::{Error, Result};
use crate::plan::{FileChange, Status};

/// What a file is, to tell at the rename whether it is still the file that was read.
#[derive(Debug, PartialEq, Eq)]
struct Identity {
    device: u64,
    inode: u64,
    len: u64,
}

#[cfg(unix)]
fn identity(path: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some(Identity {
        device: meta.dev(),
        inode: meta.ino(),
        len: meta.len(),
    })
}

#[cfg(not(unix))]
fn identity(path: &Path) -> Option<Identity> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Identity {
        device: 0,
        inode: 0,
        len: meta.len(),
    })
}

/// One change ready to be renamed into place.
struct Staged<'a> {
    change: &'a FileChange,
    target: PathBuf,
    original: Option<Identity>,
    file: AtomicWriteFile,
}

/// Applies every pending change; returns the paths written. Nothing is written unless every
/// file can be; a failure among the renames (the only window left) says which files were
/// already written.
pub fn apply(changes: &[FileChange]) -> Result<Vec<PathBuf>> {
    let pending: Vec<&FileChange> = changes
        .iter()
        .filter(|c| c.status() != Status::Unchanged)
        .collect();
    let mut targets = Vec::new();
    for change in &pending {
        let target = target_of(change)?;
        check_replaceable(&change.path, &target)?;
        if read_text(&change.path)?.as_deref() != change.before.as_deref() {
            return Err(Error::ChangedOnDisk {
                path: change.path.clone(),
            });
        }
        targets.push((target.clone(), identity(&target)));
    }
    let mut created_dirs = Vec::new();
    let mut staged = Vec::new();
    for (change, (target, original)) in pending.iter().zip(targets) {
        match stage(change, &target, &mut created_dirs) {
            Ok(file) => staged.push(Staged {
                change,
                target,
                original,
                file,
            }),
            Err(e) => {
                // Dropping a staged file removes its temporary.
                drop(staged);
                for dir in created_dirs.iter().rev() {
                    let _ = std::fs::remove_dir(dir);
                }
                return Err(e);
            }
        }
    }
    let mut written: Vec<PathBuf> = Vec::new();
    let mut staged = staged.into_iter();
    while let Some(s) = staged.next() {
        let unchanged = identity(&s.target) == s.original
            && read_text(&s.change.path).ok().flatten().as_deref() == s.change.before.as_deref();
        let result = if unchanged {
            s.file.commit().map_err(|source| Error::Write {
                path: s.change.path.clone(),
                source,
            })
        } else {
            Err(Error::ChangedOnDisk {
                path: s.change.path.clone(),
            })
        };
        if let Err(e) = result {
            staged.for_each(drop);
            return Err(partial(e, &written));
        }
        written.push(s.change.path.clone());
    }
    Ok(written)
}

/// An error after some files were renamed into place: it says which.
fn partial(e: Error, written: &[PathBuf]) -> Error {
    if written.is_empty() {
        return e;
    }
    let done: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    let path = match &e {
        Error::Write { path, .. } | Error::ChangedOnDisk { path } => path.clone(),
        _ => PathBuf::new(),
    };
    Error::Write {
        path,
        source: std::io::Error::other(format!("{e}; already written: {}", done.join(", "))),
    }
}

/// The file a change replaces: dotfiles are often symlinks into a dotfiles repo, and the
/// target is replaced, not the link.
fn target_of(change: &FileChange) -> Result<PathBuf> {
    match std::fs::canonicalize(&change.path) {
        Ok(real) => Ok(real),
        Err(_) if change.status() == Status::Create && !is_link(&change.path) => {
            Ok(change.path.clone())
        }
        Err(e) => {
            let to = std::fs::read_link(&change.path)
                .map_or_else(|_| "?".into(), |t| t.display().to_string());
            Err(Error::Refused {
                path: change.path.clone(),
                reason: format!("is a symlink to {to}, which cannot be followed ({e})"),
            })
        }
    }
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Refuses a target pmrc must not replace: anything but a regular file, a file with other
/// hard links (a rename would silently split them), a read-only file, or one this user
/// cannot write (replacing it through a writable folder would take it over).
fn check_replaceable(path: &Path, target: &Path) -> Result<()> {
    let refuse = |reason: String| {
        Err(Error::Refused {
            path: path.to_path_buf(),
            reason,
        })
    };
    let meta = match std::fs::metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Write {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !meta.is_file() {
        return refuse(format!(
            "is {}, not a regular file; pmrc writes only regular files",
            crate::discover::file_kind(&meta)
        ));
    }
    if links(&meta) > 1 {
        return refuse(format!(
            "has {} hard links; replacing it would leave the other names with the old text (edit it by hand, or make it a single file)",
            links(&meta)
        ));
    }
    if meta.permissions().readonly() {
        return refuse(
            "is read-only; pmrc does not replace read-only files (make it writable first)".into(),
        );
    }
    // Opening for writing, without truncating, asks the system whether this user may.
    if let Err(e) = std::fs::OpenOptions::new().write(true).open(target) {
        return refuse(format!(
            "cannot be written by this user ({e}); pmrc does not replace a file it could not edit in place"
        ));
    }
    Ok(())
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn links(_meta: &std::fs::Metadata) -> u64 {
    1
}

/// The new text in a synced temporary file beside `target`, not yet renamed.
fn stage(
    change: &FileChange,
    target: &Path,
    created_dirs: &mut Vec<PathBuf>,
) -> Result<AtomicWriteFile> {
    let fail = |source| Error::Write {
        path: change.path.clone(),
        source,
    };
    // User-level files may live in a folder that does not exist yet (`~/.config/pnpm`).
    if change.status() == Status::Create
        && let Some(parent) = target.parent()
    {
        let missing: Vec<PathBuf> = parent
            .ancestors()
            .take_while(|d| !d.exists())
            .map(Path::to_path_buf)
            .collect();
        std::fs::create_dir_all(parent).map_err(fail)?;
        created_dirs.extend(missing.into_iter().rev());
    }
    let mut file = AtomicWriteFile::options().open(target).map_err(fail)?;
    if change.status() == Status::Create && change.holds_secret() {
        restrict(&file).map_err(fail)?;
    }
    file.write_all(change.after.as_bytes()).map_err(fail)?;
    file.flush().map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    Ok(file)
}

#[cfg(unix)]
fn restrict(file: &AtomicWriteFile) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_file: &AtomicWriteFile) -> std::io::Result<()> {
    Ok(())
}
