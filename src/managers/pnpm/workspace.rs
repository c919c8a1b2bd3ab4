//! Whether a `pnpm-workspace.yaml` takes a package among its projects. pnpm 11 and 12 run in
//! a package it does not list (or in one below a file without `packages`) work from the
//! package alone: its own `.npmrc`, none of the root's (real pnpm 11.28 and 12.21 against a
//! loopback registry; with no `.npmrc` of its own the package went to the public registry).
//! pnpm 10 reads the root's `.npmrc` there as in a member, the package's over it.

use std::path::Path;

use super::MARKER_FILE;

/// The part of `pnpm-workspace.yaml` that lists the projects.
#[derive(serde::Deserialize, Default)]
struct Projects {
    #[serde(default)]
    packages: Option<Vec<String>>,
}

/// Whether `root`'s `pnpm-workspace.yaml` takes the package pmrc was pointed at in `dir`
/// (the nearest folder from `dir` up to `root` with a package.json; the root's own project is
/// always taken). A file pmrc cannot read counts as taking it: reading it says what is wrong.
pub(super) fn takes_package(root: &Path, dir: &Path) -> bool {
    let Some(package) = dir
        .ancestors()
        .take_while(|d| *d != root)
        .find(|d| d.join("package.json").is_file())
    else {
        return true;
    };
    let Ok(relative) = package.strip_prefix(root) else {
        return true;
    };
    let Ok(text) = std::fs::read_to_string(root.join(MARKER_FILE)) else {
        return true;
    };
    match crate::formats::yaml::parse::<Projects>(&text) {
        Ok(projects) => crate::managers::workspaces::lists(
            projects.packages.as_deref().unwrap_or_default(),
            relative,
        ),
        Err(_) => true,
    }
}

/// The projects `root`'s `pnpm-workspace.yaml` lists (its root's own project aside).
pub(super) fn members(root: &Path) -> Vec<std::path::PathBuf> {
    let Ok(text) = std::fs::read_to_string(root.join(MARKER_FILE)) else {
        return Vec::new();
    };
    let patterns = crate::formats::yaml::parse::<Projects>(&text)
        .ok()
        .and_then(|p| p.packages.clone())
        .unwrap_or_default();
    crate::managers::workspaces::members_matching(root, &patterns)
        .into_iter()
        .filter(|d| d != root)
        .collect()
}
