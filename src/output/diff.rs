//! The preview: a unified diff per file with secrets masked on both sides (the diff is
//! computed on the real text, so a changed token still shows as a changed line).

use std::borrow::Cow;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use similar::{Algorithm, DiffOp, DiffTag};

use crate::plan::FileChange;
use crate::redact;

/// The masked unified diff of one change; `color` adds ANSI styles.
pub fn unified(change: &FileChange, show_secrets: bool, color: bool) -> String {
    let before = change.before.as_deref().unwrap_or_default();
    let (old_shown, new_shown) = if show_secrets {
        (Cow::Borrowed(before), Cow::Borrowed(change.after.as_str()))
    } else {
        (
            redact::mask(before, &change.secret_spans_before()),
            redact::mask(&change.after, &change.secret_spans_after()),
        )
    };
    // On the real texts: a changed token still shows as a changed line. Masking keeps the
    // line breaks, so the shown texts have the same lines, split again only where masked.
    let (old_real, new_real) = (lines(before), lines(&change.after));
    let ops = line_ops(&old_real, &new_real);
    let old_lines = match &old_shown {
        Cow::Borrowed(_) => old_real,
        Cow::Owned(masked) => lines(masked),
    };
    let new_lines = match &new_shown {
        Cow::Borrowed(_) => new_real,
        Cow::Owned(masked) => lines(masked),
    };
    let mut out = String::new();
    let style = |s: Style| if color { s } else { Style::new() };
    let (red, green) = (
        style(AnsiColor::Red.on_default()),
        style(AnsiColor::Green.on_default()),
    );
    let header = style(Style::new().bold());
    let old_name = if change.before.is_some() {
        format!("a/{}", change.display)
    } else {
        "/dev/null".to_string()
    };
    let _ = writeln!(out, "{header}--- {old_name}{header:#}");
    let _ = writeln!(out, "{header}+++ b/{}{header:#}", change.display);
    for group in similar::group_diff_ops(ops, 3) {
        let (first, last) = (&group[0], &group[group.len() - 1]);
        let old = first.old_range().start..last.old_range().end;
        let new = first.new_range().start..last.new_range().end;
        let hunk = style(AnsiColor::Cyan.on_default());
        let _ = writeln!(
            out,
            "{hunk}@@ -{} +{} @@{hunk:#}",
            range(old.start, old.len()),
            range(new.start, new.len())
        );
        for op in &group {
            // As `similar` orders a replacement: the removed lines, then the added ones.
            let (tag, old_range, new_range) = op.as_tag_tuple();
            let shown = match tag {
                DiffTag::Equal => vec![(' ', &old_lines[old_range], Style::new())],
                DiffTag::Delete => vec![('-', &old_lines[old_range], red)],
                DiffTag::Insert => vec![('+', &new_lines[new_range], green)],
                DiffTag::Replace => vec![
                    ('-', &old_lines[old_range], red),
                    ('+', &new_lines[new_range], green),
                ],
            };
            for (sign, texts, s) in shown {
                for text in texts {
                    // A CRLF line keeps its CR, so the preview applies to the file as it
                    // is (from a trial: `patch` refused a CRLF file's diff).
                    let (body, cr) = match text.strip_suffix("\r\n") {
                        Some(body) => (body, "\r"),
                        None => (text.trim_end_matches(['\n', '\r']), ""),
                    };
                    let _ = writeln!(out, "{s}{sign}{body}{s:#}{cr}");
                    if !text.ends_with(['\n', '\r']) {
                        let _ = writeln!(out, "\\ No newline at end of file");
                    }
                }
            }
        }
    }
    out
}

/// The edits from `before` to `after`, line by line. Patience anchors on lines found once on
/// each side (a key, a URL), so entries added around kept ones show as added. The default
/// Myers search gives up on exactness past a few hundred edits and then showed kept entries
/// as removed and added again: one hunk of 36,365 lines, where 2,284 changed, converting a
/// 50,000-line .npmrc (issue 20). Each distinct line is hashed once, into a number the diff
/// compares: the diff itself hashed and compared the lines' text, a sixth of a conversion
/// of a large `.yarnrc.yml` (issue 20).
fn line_ops<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<DiffOp> {
    let mut ids: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    ids.reserve(old.len());
    let mut id = |line: &'a str| -> u32 {
        let next = ids.len() as u32;
        *ids.entry(line).or_insert(next)
    };
    let old: Vec<u32> = old.iter().map(|l| id(l)).collect();
    let new: Vec<u32> = new.iter().map(|l| id(l)).collect();
    similar::capture_diff_slices(Algorithm::Patience, &old, &new)
}

/// Lines as `similar` counts them: each ends at `\r\n`, `\n` or a lone `\r` (old Mac files).
pub(super) fn lines(text: &str) -> Vec<&str> {
    // Without a carriage return, lines end at `\n` alone, found with memchr (this runs over
    // both whole files of every change shown).
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        let mut out = Vec::new();
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
            out.push(&text[start..=end]);
            start = end + 1;
        }
        if start < text.len() {
            out.push(&text[start..]);
        }
        return out;
    }
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let end = match bytes[i] {
            b'\n' => Some(i + 1),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => Some(i + 2),
            b'\r' => Some(i + 1),
            _ => None,
        };
        match end {
            Some(end) => {
                out.push(&text[start..end]);
                start = end;
                i = end;
            }
            None => i += 1,
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `start,len` in unified-diff notation (1-based; an empty range names the line before).
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use similar::TextDiff;

    /// The preview takes the shown text of line `i` from `lines`: it must split where
    /// `similar` does, with and without carriage returns.
    #[test]
    fn lines_split_where_similar_does() {
        for text in [
            "",
            "a",
            "a\nb\n",
            "a\nb",
            "\n\n",
            "a\r\nb\r\n",
            "a\rb\nc",
            "a\r\rb\r",
            "é\nü\r\n",
        ] {
            let diff = TextDiff::from_lines(text, text);
            let expected: Vec<&str> = diff.iter_old_slices().collect();
            assert_eq!(lines(text), expected, "{text:?}");
        }
    }

    /// Entries added before and after kept ones, each with one of a few token lines: the
    /// preview adds the new entries and removes nothing (issue 20: Myers' search showed the
    /// 50 kept entries removed and added again).
    #[test]
    fn issue_20_entries_added_around_kept_ones_show_as_added_only() {
        let entry = |i: usize| {
            format!(
                "  //reg{i}.example.test:\n    npmAuthToken: \"${{TOKEN_{}}}\"\n",
                i % 32
            )
        };
        let change = FileChange {
            path: "/p/.yarnrc.yml".into(),
            display: ".yarnrc.yml".into(),
            manager: crate::managers::Manager::Yarn,
            format: crate::formats::Format::YarnrcYml,
            level: crate::model::Level::Project,
            before: Some(
                format!(
                    "npmRegistries:\n{}",
                    (200..250).map(entry).collect::<String>()
                )
                .into(),
            ),
            after: format!(
                "npmRegistries:\n{}",
                (0..400).map(entry).collect::<String>()
            ),
            masked_after: Vec::new(),
        };
        let preview = unified(&change, true, false);
        let body = preview.lines().skip(2);
        let removed = body.clone().filter(|l| l.starts_with('-')).count();
        let added = body.filter(|l| l.starts_with('+')).count();
        assert_eq!((removed, added), (0, 2 * 350), "{preview}");
    }
}
