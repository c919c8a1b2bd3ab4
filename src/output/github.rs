//! `--format github`: a plan's drift and warnings, or doctor's findings, as GitHub Actions
//! workflow commands (`::warning file=…,line=…,title=…::message`), which the runner turns
//! into annotations on the lines they name. Builds text only; secrets are masked before a
//! field is escaped, because escaping (`\n` → `%0A`) hides where a URL ends from the
//! printer's own URL mask.

use std::path::{Path, PathBuf};

use crate::doctor::Finding;
use crate::model::{Level, Origin};
use crate::output::diff;
use crate::plan::{FileChange, Mode, Plan, Status};
use crate::redact;
use crate::warning::Severity;

/// Where annotated files are: the project root pmrc worked in, and the folder GitHub names
/// files from. A file under `base` is named relative to it, as annotations need; any other
/// by its absolute path.
#[derive(Debug, Clone)]
pub struct Places {
    root: PathBuf,
    /// Found when a file is first named: most runs print no annotation (issue 20).
    base: std::cell::OnceCell<PathBuf>,
}

impl Places {
    /// Files named from `GITHUB_WORKSPACE`, where the runner checked the repository out;
    /// outside Actions from the git work tree `root` is in (from a trial: run in a subfolder,
    /// SARIF named `sub/.npmrc` as `.npmrc`), else from the current folder.
    pub fn new(root: &Path) -> Places {
        Places {
            root: root.to_path_buf(),
            base: std::cell::OnceCell::new(),
        }
    }

    /// Files named from `base`.
    #[cfg(test)]
    pub fn with_base(root: &Path, base: &Path) -> Places {
        Places {
            root: root.to_path_buf(),
            base: std::cell::OnceCell::from(base.to_path_buf()),
        }
    }

    fn base(&self) -> &Path {
        self.base.get_or_init(|| {
            std::env::var_os("GITHUB_WORKSPACE")
                .filter(|w| !w.is_empty())
                .map(PathBuf::from)
                .or_else(|| git_work_tree(&self.root))
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| self.root.clone())
        })
    }

    /// The annotation's `file` for a file pmrc names `display` at `level`: none for a
    /// user-level file (`~/.npmrc` is not in the repository; the message names it).
    pub(crate) fn file(&self, display: &str, level: Level) -> Option<String> {
        if level == Level::User {
            return None;
        }
        let full = crate::discover::lexical(&std::path::absolute(self.root.join(display)).ok()?);
        let base = crate::discover::lexical(&std::path::absolute(self.base()).ok()?);
        let shown = full.strip_prefix(&base).unwrap_or(&full);
        Some(slashes(shown))
    }
}

/// The nearest folder at or above `dir` holding `.git` (a folder, or a worktree's file).
fn git_work_tree(dir: &Path) -> Option<PathBuf> {
    let dir = crate::discover::lexical(&std::path::absolute(dir).ok()?);
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// GitHub's paths use `/` on every runner.
fn slashes(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    }
}

/// One workflow command before escaping.
struct Annotation {
    severity: Severity,
    file: Option<String>,
    line: Option<usize>,
    title: String,
    message: String,
}

impl Annotation {
    fn at(mut self, origin: Option<&Origin>, places: &Places) -> Self {
        if let Some(o) = origin {
            self.file = places.file(&o.file.display().to_string(), o.level);
            // Line 0 is "somewhere in the file" (a value pmrc derived): no line then.
            self.line = (o.line > 0 && self.file.is_some()).then_some(o.line);
            if self.file.is_none() {
                self.message = format!("{o}: {}", self.message);
            }
        }
        self
    }

    fn render(&self, show_secrets: bool) -> String {
        let mask = |s: &str| {
            if show_secrets {
                s.to_string()
            } else {
                redact::urls_in(s).into_owned()
            }
        };
        let command = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(f) = &self.file {
            props.push(format!("file={}", escape_property(&mask(f))));
        }
        if let Some(l) = self.line {
            props.push(format!("line={l}"));
        }
        props.push(format!("title={}", escape_property(&mask(&self.title))));
        format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&mask(&self.message))
        )
    }
}

/// The message part of a workflow command: `%`, CR and LF are escaped (GitHub's
/// `escapeData`), so a multi-line message stays one command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file=`, `title=`): also `:` and `,`, which would end it
/// (GitHub's `escapeProperty`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `convert` / `sync`: one annotation per file that is (or was) not in sync, on its first
/// changed line, with the masked diff as the message; then one per warning.
/// `rerun` is the command that writes what `--check` found (`pmrc sync --write`): the
/// annotation names it, as the text summary does (`--check --write` is no command).
pub fn plan(
    plan: &Plan,
    (mode, rerun): (Mode, &str),
    written: &[PathBuf],
    places: &Places,
    show: bool,
) -> String {
    let mut out = String::new();
    for change in plan.pending() {
        let new = change.status() == Status::Create;
        let (severity, state, fix) = match (mode, new) {
            (Mode::Check, false) => (Severity::Error, "is out of sync", "update"),
            (Mode::Check, true) => (Severity::Error, "is missing", "create"),
            (Mode::Write, false) if written.contains(&change.path) => {
                (Severity::Note, "was updated", "")
            }
            (Mode::Write, true) if written.contains(&change.path) => {
                (Severity::Note, "was created", "")
            }
            (_, false) => (Severity::Note, "would change", ""),
            (_, true) => (Severity::Note, "would be created", ""),
        };
        let fix = if fix.is_empty() {
            String::new()
        } else {
            format!("; `{rerun}` {fix}s it")
        };
        // A file that does not exist yet has no line to annotate, and no place in the pull
        // request's files: the annotation goes on the run.
        let file = (change.status() == Status::Modify)
            .then(|| places.file(&change.display, change.level))
            .flatten();
        let annotation = Annotation {
            severity,
            line: file.as_ref().and(first_changed_line(change)),
            file,
            title: format!("pmrc: {} {}", change.display, state),
            message: format!(
                "{} {state}: {} needs it to match {}'s config{fix}.\n{}",
                change.display,
                change.manager,
                plan.from,
                diff::unified(change, show, false)
            ),
        };
        out.push_str(&annotation.render(show));
    }
    for w in &plan.warnings {
        let annotation = Annotation {
            severity: w.severity,
            file: None,
            line: None,
            title: format!("pmrc {}", w.code),
            message: w.message.clone(),
        }
        .at(w.origin.as_ref(), places);
        out.push_str(&annotation.render(show));
    }
    out
}

/// `doctor`: one annotation per finding, on its line where it has one, with the fix.
pub fn doctor(findings: &[Finding], places: &Places, show: bool) -> String {
    findings
        .iter()
        .map(|f| {
            Annotation {
                severity: f.severity,
                file: None,
                line: None,
                title: format!("pmrc doctor {}", f.rule),
                message: format!("{}\nFix: {}", f.message, f.fix),
            }
            .at(f.origin.as_ref(), places)
            .render(show)
        })
        .collect()
}

/// The 1-based line of the file as it is now where the first change starts (an addition at
/// the end is annotated on the last line): the line after the lines both sides begin with,
/// which is where any diff's first change starts. Counted, not diffed: a second whole-file
/// diff just for this line was 5% of a large conversion's annotations (issue 20).
fn first_changed_line(change: &FileChange) -> Option<usize> {
    let before = change.before.as_deref()?;
    let (old, new) = (diff::lines(before), diff::lines(&change.after));
    let same = old.iter().zip(&new).take_while(|(o, n)| o == n).count();
    if same == old.len() && same == new.len() {
        return None;
    }
    Some((same + 1).min(before.lines().count().max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parent_folders_file_is_named_from_the_workspace() {
        let places = |base: &str| Places::with_base(Path::new("/w/org/proj"), Path::new(base));
        let file = |base| places(base).file("../.yarnrc.yml", Level::Project);
        assert_eq!(file("/w/org").as_deref(), Some(".yarnrc.yml"));
        assert_eq!(file("/w/org/proj").as_deref(), Some("/w/org/.yarnrc.yml"));
        assert_eq!(
            places("/w/org/proj")
                .file(".npmrc", Level::Project)
                .as_deref(),
            Some(".npmrc")
        );
    }

    /// Where the first change starts, counted from the shared lines, is where a full diff
    /// puts its first change.
    #[test]
    fn first_changed_line_is_where_a_diff_starts() {
        use similar::{DiffTag, TextDiff};
        let texts = [
            "",
            "a",
            "a\n",
            "a\nb\n",
            "a\nb",
            "a\nc\n",
            "x\na\nb\n",
            "a\nb\nc\n",
            "a\r\nb\r\n",
            "a\rb\n",
            "a\n\n",
        ];
        for before in texts {
            for after in texts {
                let change = FileChange {
                    path: "/p/.npmrc".into(),
                    display: ".npmrc".into(),
                    manager: crate::managers::Manager::Npm,
                    format: crate::formats::Format::Npmrc,
                    level: Level::Project,
                    before: Some(before.into()),
                    after: after.into(),
                    masked_after: Vec::new(),
                };
                let diff = TextDiff::from_lines(before, after);
                let expected = diff
                    .ops()
                    .iter()
                    .find(|op| op.tag() != DiffTag::Equal)
                    .map(|op| (op.old_range().start + 1).min(before.lines().count().max(1)));
                assert_eq!(
                    first_changed_line(&change),
                    expected,
                    "{before:?} -> {after:?}"
                );
            }
        }
    }

    #[test]
    fn escapes_as_github_does() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(
            escape_property("100% a\r\nb: c, d"),
            "100%25 a%0D%0Ab%3A c%2C d"
        );
    }

    #[test]
    fn files_are_named_from_the_base() {
        let places = Places::with_base(Path::new("/repo/app"), Path::new("/repo"));
        assert_eq!(
            places.file(".npmrc", Level::Project).as_deref(),
            Some("app/.npmrc")
        );
        assert_eq!(places.file("~/.npmrc", Level::User), None);
        let elsewhere = Places::with_base(Path::new("/elsewhere"), Path::new("/repo"));
        assert_eq!(
            elsewhere.file(".npmrc", Level::Project).as_deref(),
            Some("/elsewhere/.npmrc")
        );
    }
}
