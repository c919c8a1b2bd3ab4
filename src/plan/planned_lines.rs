//! Where a line of a planned source file was in the file as the user wrote it. A later round
//! of planning translates from the source's files with the targets' lines in them (Bun reads
//! the `.npmrc` written for npm); its findings must name the user's lines, and say nothing of
//! a line pmrc itself adds (from a trial: Bun's translation called npm's new line unused).

use std::cell::OnceCell;
use std::path::PathBuf;
use std::rc::Rc;

use crate::warning::Warning;

/// One source file as planned, beside its text as written.
pub(super) struct PlannedFile {
    display: PathBuf,
    written: Rc<str>,
    planned: Rc<str>,
    /// For each line of `planned` (from 1), its line in `written`; `None` where pmrc adds it.
    /// Worked out only for a file a finding names: a large file's diff is not free (issue 20).
    written_line: OnceCell<Vec<Option<usize>>>,
}

impl PlannedFile {
    pub fn new(display: &str, written: Rc<str>, planned: Rc<str>) -> Self {
        PlannedFile {
            display: PathBuf::from(display),
            written,
            planned,
            written_line: OnceCell::new(),
        }
    }

    fn written_line(&self, planned_line: usize) -> Option<usize> {
        let lines = self.written_line.get_or_init(|| {
            let diff = similar::TextDiff::from_lines(&*self.written, &*self.planned);
            let mut lines = vec![None; self.planned.lines().count() + 2];
            for op in diff.ops() {
                if let similar::DiffTag::Equal = op.tag() {
                    for (old, new) in op.old_range().zip(op.new_range()) {
                        lines[new + 1] = Some(old + 1);
                    }
                }
            }
            lines
        });
        lines.get(planned_line).copied().flatten()
    }
}

/// Moves `warning`'s line in a planned file to the line the user wrote; false for a finding
/// at a line pmrc adds, which speaks of pmrc's own line, not the user's: it is dropped.
pub(super) fn at_written_line(files: &[PlannedFile], warning: &mut Warning) -> bool {
    let Some(origin) = warning.origin.as_mut().filter(|o| o.line != 0) else {
        return true;
    };
    let Some(file) = files.iter().find(|f| *f.display == **origin.file) else {
        return true;
    };
    match file.written_line(origin.line) {
        Some(line) => {
            origin.line = line;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::model::{Level, Origin};

    fn at(line: usize) -> Warning {
        Warning::note(
            Code::UnusedCredential,
            "m".to_string(),
            Some(Origin {
                file: Origin::shared(".npmrc"),
                line,
                level: Level::Project,
            }),
        )
    }

    #[test]
    fn lines_move_back_past_an_inserted_line_and_an_added_line_goes() {
        let files = [PlannedFile::new(
            ".npmrc",
            Rc::from("a=1\nb=2\nc=3\n"),
            Rc::from("a=1\nnew=0\nb=2\nc=3\nlast=9\n"),
        )];
        let mut warnings = vec![at(1), at(2), at(3), at(4), at(5)];
        warnings.retain_mut(|w| at_written_line(&files, w));
        let lines: Vec<usize> = warnings
            .iter()
            .map(|w| w.origin.as_ref().unwrap().line)
            .collect();
        assert_eq!(lines, [1, 2, 3]);
    }
}
