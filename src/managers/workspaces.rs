//! Which folder declares a package as one of its workspaces: a `package.json` `workspaces`
//! list as npm's map-workspaces matches it (real Bun 1.4 agrees on the pattern forms tried;
//! Deno 2.9 on the common ones, not on `{a,b}` or `[ab]`), and Deno's `deno.json`
//! `workspace`. npm, Bun and Deno run from such a member read the root's config, never the
//! member's.

use std::path::{Path, PathBuf};

use globset::GlobBuilder;

use crate::diagnostics::Code;
use crate::model::{Level, Origin};
use crate::warning::Warning;

/// The files a manager looks for to find its package folder, nearest first.
pub struct PackageMarkers {
    /// Files any one of which makes a folder a package (`package.json`; Deno's `deno.json`).
    pub files: &'static [&'static str],
    /// npm's local prefix is also the nearest folder with `node_modules`.
    pub node_modules: bool,
    /// Deno also takes a `deno.json` `workspace` list.
    pub deno_workspace: bool,
    /// Bun and Deno stop at the first folder above that declares workspaces, listing the
    /// package or not; npm goes on up to one that lists it (a review's real runs).
    pub first_declaration_decides: bool,
}

/// The workspace root above `dir`'s package folder that lists it among its workspaces, if
/// any: where npm, Bun or Deno (per `markers`) works from when run in `dir`. The package
/// folder is the nearest folder from `dir` up with one of `markers`' files.
pub fn root_declaring(dir: &Path, markers: &PackageMarkers) -> Option<(PathBuf, PathBuf)> {
    let dir = std::path::absolute(dir).ok()?;
    let package = dir.ancestors().find(|d| {
        markers.files.iter().any(|f| d.join(f).is_file())
            || (markers.node_modules && d.join("node_modules").is_dir())
    })?;
    // map-workspaces lists only folders with a package.json (Deno's members may have a
    // deno.json instead).
    let is_member_folder = markers.files.iter().any(|f| package.join(f).is_file());
    if !is_member_folder {
        return None;
    }
    for above in package.ancestors().skip(1) {
        let Ok(relative) = package.strip_prefix(above) else {
            continue;
        };
        let mut listed = declared_in(above);
        if markers.deno_workspace {
            listed.extend(
                ["deno.json", "deno.jsonc"]
                    .iter()
                    .flat_map(|f| patterns_in(&above.join(f), "workspace", "members")),
            );
        }
        if lists(&listed, relative) {
            return Some((above.to_path_buf(), package.to_path_buf()));
        }
        if markers.first_declaration_decides && !listed.is_empty() {
            return None;
        }
    }
    None
}

/// The `workspaces` patterns of `dir`'s package.json (empty without any).
pub fn declared_in(dir: &Path) -> Vec<String> {
    patterns_in(&dir.join("package.json"), "workspaces", "packages")
}

/// Whether `dir`'s package.json declares workspaces of its own: for the packages below it,
/// it is their root.
pub fn declares_workspaces(dir: &Path) -> bool {
    !declared_in(dir).is_empty()
}

/// How deep a `**` in a workspace pattern is followed when listing the members.
const GLOBSTAR_DEPTH: usize = 6;

/// The workspace members `root`'s package.json lists: each folder with a package.json that
/// its patterns match, outside `node_modules`.
pub fn members(root: &Path) -> Vec<PathBuf> {
    members_matching(root, &declared_in(root))
}

/// The folders below `root` with a package.json that `patterns` (workspace globs, `!` to
/// leave out) list, outside `node_modules`.
pub(super) fn members_matching(root: &Path, patterns: &[String]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = patterns
        .iter()
        .filter(|p| !p.starts_with('!'))
        .flat_map(|p| folders_for(root, strip_leading_slashes(p)))
        .filter(|d| d.join("package.json").is_file())
        .filter(|d| d.strip_prefix(root).is_ok_and(|rel| lists(patterns, rel)))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The folders under `root` a pattern could match, segment by segment: a literal name is
/// joined, a glob lists the subfolders, `**` every folder below (to [`GLOBSTAR_DEPTH`]).
/// [`lists`] then decides.
fn folders_for(root: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut folders = vec![root.to_path_buf()];
    for segment in pattern.split('/').filter(|s| !s.is_empty() && *s != ".") {
        folders = if segment == "**" {
            let mut all = folders.clone();
            for d in &folders {
                below(d, GLOBSTAR_DEPTH, &mut all);
            }
            all
        } else if segment.contains(['*', '?', '[', '{']) {
            folders.iter().flat_map(|d| subfolders(d)).collect()
        } else {
            folders
                .into_iter()
                .map(|d| d.join(segment))
                .filter(|d| d.is_dir())
                .collect()
        };
    }
    folders
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| e.file_name() != "node_modules")
        .map(|e| e.path())
        .collect()
}

fn below(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth == 0 {
        return;
    }
    for sub in subfolders(dir) {
        below(&sub, depth - 1, out);
        out.push(sub);
    }
}

/// For a manager run in a workspace member: the root it works from instead, and the note
/// about the member's own files of `names` it ignores there. `None` outside a member.
pub fn member_root(
    label: &str,
    dir: &Path,
    markers: &PackageMarkers,
    names: &[&str],
) -> Option<(PathBuf, Option<Warning>)> {
    let (root, member) = root_declaring(dir, markers)?;
    let note = member_files_ignored(label, &root, &member, names);
    Some((root, note))
}

/// The note for a member's own files that the manager `label` ignores there, when it has any.
fn member_files_ignored(
    label: &str,
    root: &Path,
    member: &Path,
    names: &[&str],
) -> Option<Warning> {
    let names: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| member.join(name).is_file())
        .collect();
    let first = member.join(names.first()?);
    Some(Warning::new(
        Code::MemberConfigIgnored,
        format!(
            "{label} ignores a workspace member's {}: run in {} it reads the config of the workspace root {} instead, so the member's settings are not used",
            names.join(" and "),
            member.display(),
            root.display()
        ),
        Some(Origin {
            file: Origin::shared(&first),
            line: 1,
            level: Level::Project,
        }),
    ))
}

/// Each `.npmrc` of the `members` of the workspace at `dir`, which the target `to` run in
/// the member reads over the root's where `from` does not: the conversion at the root
/// cannot speak for that member's requests.
pub fn member_npmrcs_read_apart(
    to: super::Manager,
    dir: &Path,
    members: Vec<PathBuf>,
    from: super::Manager,
) -> Vec<Warning> {
    let from_reads_them = from == to
        || from.rules().sources().iter().any(|s| {
            s.name == ".npmrc"
                && matches!(
                    s.place,
                    super::Place::Parents
                        | super::Place::ParentsBelowRoot
                        | super::Place::WorkspaceMember
                )
        });
    if from_reads_them {
        return Vec::new();
    }
    member_npmrcs(dir, members)
        .map(|(_, shown)| {
            at_member_file(
                Code::MemberReadApart,
                format!(
                    "{to}, run in {}, reads {} over this root's .npmrc, where {from} ignores it: its settings, not the ones converted here, decide that member's requests; move them to the root's .npmrc or remove them",
                    shown.parent().unwrap_or(Path::new("")).display(),
                    shown.display(),
                ),
                &shown,
            )
        })
        .collect()
}

/// Each of `members` that has an `.npmrc` of its own: the member, and its file as named
/// from the workspace root `dir`.
pub fn member_npmrcs(
    dir: &Path,
    members: Vec<PathBuf>,
) -> impl Iterator<Item = (PathBuf, PathBuf)> {
    members
        .into_iter()
        .filter(|member| member.join(".npmrc").is_file())
        .filter_map(move |member| {
            let shown = member.strip_prefix(dir).ok()?.join(".npmrc");
            Some((member, shown))
        })
}

/// A finding about a member's whole file, at its first line.
pub fn at_member_file(code: Code, message: String, shown: &Path) -> Warning {
    Warning::new(
        code,
        message,
        Some(Origin {
            file: Origin::shared(shown),
            line: 1,
            level: Level::Project,
        }),
    )
}

/// The workspace patterns of a package.json's or deno.json's `field`: an array, or an
/// object's `inner` array (`packages` in package.json, `members` in deno.json). Empty where
/// the file is missing or does not parse: npm then goes on looking further up. package.json
/// is strict JSON (npm cannot read one with a comment or a trailing comma); deno.json may be
/// JSONC.
fn patterns_in(file: &Path, field: &str, inner: &str) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    // npm's parser takes a leading byte-order mark (a review's real run).
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let strict = file.file_name().is_some_and(|n| n == "package.json");
    let value = if strict {
        serde_json::from_str::<serde_json::Value>(text).ok()
    } else {
        json5::from_str::<serde_json::Value>(text).ok()
    };
    let Some(value) = value else {
        return Vec::new();
    };
    let declared = &value[field];
    let list = match declared {
        serde_json::Value::Array(_) => declared,
        serde_json::Value::Object(o) => o.get(inner).unwrap_or(&serde_json::Value::Null),
        _ => &serde_json::Value::Null,
    };
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `patterns`, in map-workspaces' order rules, list the folder at `relative`.
pub(crate) fn lists(patterns: &[String], relative: &Path) -> bool {
    let Some(relative) = relative.to_str() else {
        return false;
    };
    if relative.is_empty() || relative.split('/').any(|c| c == "node_modules") {
        return false;
    }
    let mut positive: Vec<String> = Vec::new();
    let mut negated: Vec<String> = Vec::new();
    for pattern in patterns {
        let bangs = pattern.len() - pattern.trim_start_matches('!').len();
        // map-workspaces writes `\` as `/` (a review: `packages\\*` took the member).
        let pattern = pattern[bangs..].replace('\\', "/");
        let pattern = strip_leading_slashes(&pattern)
            .trim_end_matches('/')
            .to_string();
        if bangs % 2 == 1 {
            negated.push(pattern);
        } else {
            // A later pattern brings back what an earlier negation took out.
            negated.retain(|n| !matches(n, &pattern));
            positive.push(pattern);
        }
    }
    positive.retain(|p| !negated.iter().any(|n| matches(n, p)));
    positive.iter().any(|p| matches(p, relative)) && !negated.iter().any(|n| matches(n, relative))
}

/// `./packages/*` and `/packages/*` are `packages/*` (map-workspaces strips them).
fn strip_leading_slashes(pattern: &str) -> &str {
    let without_dot = pattern
        .strip_prefix("./")
        .map(|rest| rest.trim_start_matches('/'))
        .unwrap_or(pattern);
    without_dot.trim_start_matches('/')
}

/// Whether the glob `pattern` matches `path` as minimatch does: `*` within one folder name,
/// a trailing `/**` the folder itself too, and never a name starting with `.` unless the
/// pattern writes one there (`.*`).
fn matches(pattern: &str, path: &str) -> bool {
    if let Some(folder) = pattern.strip_suffix("/**")
        && matches(folder, path)
    {
        return true;
    }
    let Ok(glob) = GlobBuilder::new(pattern).literal_separator(true).build() else {
        return false;
    };
    let dotted_written = path
        .split('/')
        .filter(|c| c.starts_with('.'))
        .all(|c| pattern.split('/').any(|p| p == c || p.starts_with('.')));
    dotted_written && glob.compile_matcher().is_match(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(patterns: &[&str], relative: &str) -> bool {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        lists(&patterns, Path::new(relative))
    }

    /// Each pattern form below was run with real npm 11.21, Bun 1.4.5 and Deno 2.9.6 from
    /// `packages/a`; all three read the root's `.npmrc` exactly where this says listed.
    #[test]
    fn pattern_forms_the_managers_were_run_with() {
        assert!(listed(&["packages/*"], "packages/a"));
        assert!(listed(&["./packages/*"], "packages/a"));
        assert!(listed(&["packages/**"], "packages/a"));
        assert!(listed(&["packages/a/"], "packages/a"));
        assert!(!listed(&["tools/*"], "packages/a"));
        assert!(!listed(&["packages/*", "!packages/a"], "packages/a"));
    }

    #[test]
    fn map_workspaces_order_rules() {
        assert!(listed(&["/packages/*"], "packages/a"));
        assert!(listed(&["!!packages/a"], "packages/a"));
        // A later pattern brings back what an earlier negation took out.
        assert!(listed(
            &["packages/*", "!packages/a", "packages/a"],
            "packages/a"
        ));
        assert!(!listed(&["packages/*"], "packages/a/b"));
        assert!(listed(&["packages/**"], "packages/a/b"));
        assert!(listed(&["packages/{a,b}"], "packages/b"));
        assert!(!listed(&["packages/*"], "packages/.hidden"));
        assert!(listed(&["packages/.hidden"], "packages/.hidden"));
        assert!(listed(&["packages/.*"], "packages/.hidden"));
        assert!(listed(&["packages\\*"], "packages/a"));
        // A trailing `/**` takes the folder itself, listing it and taking it out alike (a
        // review's real npm, Bun and Deno runs).
        assert!(listed(&["packages/a/**"], "packages/a"));
        assert!(!listed(&["packages/*", "!packages/a/**"], "packages/a"));
        assert!(!listed(&["**"], "node_modules/x"));
        assert!(!listed(&[], "packages/a"));
    }

    #[test]
    fn the_forms_a_declaration_takes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("package.json");
        std::fs::write(&file, r#"{"workspaces": {"packages": ["a/*"]}}"#).unwrap();
        assert_eq!(declared_in(dir.path()), ["a/*"]);
        std::fs::write(&file, r#"{"workspaces": ["a/*", 3]}"#).unwrap();
        assert_eq!(declared_in(dir.path()), ["a/*"]);
        std::fs::write(&file, r#"{"workspaces": "a/*"}"#).unwrap();
        assert!(declared_in(dir.path()).is_empty());
        // npm reads neither `members` nor JSON with a trailing comma in package.json.
        std::fs::write(&file, r#"{"workspaces": {"members": ["a/*"]}}"#).unwrap();
        assert!(declared_in(dir.path()).is_empty());
        std::fs::write(&file, r#"{"workspaces": ["a/*",]}"#).unwrap();
        assert!(declared_in(dir.path()).is_empty());
        std::fs::write(&file, "\u{feff}{\"workspaces\": [\"a/*\"]}").unwrap();
        assert_eq!(declared_in(dir.path()), ["a/*"]);
        let deno = dir.path().join("deno.jsonc");
        std::fs::write(&deno, "{ // members\n \"workspace\": [\"./a\"], }").unwrap();
        assert_eq!(patterns_in(&deno, "workspace", "members"), ["./a"]);
    }

    #[test]
    fn the_members_a_root_lists() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for member in [
            "packages/a",
            "packages/b",
            "packages/skip",
            "apps/web/ui",
            "packages/node_modules/x",
            "tools/no-package",
        ] {
            std::fs::create_dir_all(root.join(member)).unwrap();
            if member != "tools/no-package" {
                std::fs::write(root.join(member).join("package.json"), "{}").unwrap();
            }
        }
        std::fs::write(
            root.join("package.json"),
            r#"{"workspaces":["./packages/*","!packages/skip","apps/**","tools/*"]}"#,
        )
        .unwrap();
        let found: Vec<String> = members(root)
            .iter()
            .map(|m| m.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(found, ["apps/web/ui", "packages/a", "packages/b"]);
    }

    #[test]
    fn a_member_is_found_from_a_folder_inside_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("packages/a/src")).unwrap();
        std::fs::write(
            root.join("package.json"),
            r#"{"workspaces":["packages/*"]}"#,
        )
        .unwrap();
        std::fs::write(root.join("packages/a/package.json"), "{}").unwrap();
        let npm = PackageMarkers {
            files: &["package.json"],
            node_modules: true,
            deno_workspace: false,
            first_declaration_decides: false,
        };
        let (found, member) = root_declaring(&root.join("packages/a/src"), &npm).unwrap();
        assert_eq!(found, root);
        assert_eq!(member, root.join("packages/a"));
        assert!(root_declaring(root, &npm).is_none());
        // Without a package.json of its own, the folder is no member.
        std::fs::remove_file(root.join("packages/a/package.json")).unwrap();
        assert!(root_declaring(&root.join("packages/a"), &npm).is_none());
    }
}
