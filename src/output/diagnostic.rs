//! One finding as text, in the style of rustc and uv: the severity label (coloured when
//! colour is on), the code, `file:line`, the message wrapped to the terminal's width with
//! its continuation lines indented, then a `fix:` line. A URL, a path or a `quoted command`
//! is never broken across lines, so what is printed can be copied and run as it is.

use std::io::IsTerminal as _;

use anstyle::{AnsiColor, Style};

use crate::model::Origin;
use crate::warning::Severity;

/// The width used when neither `COLUMNS` nor a terminal says one (a pipe, a CI log).
pub const DEFAULT_WIDTH: usize = 100;

/// Narrower than this, wrapping would leave a word or two per line; lines then run long.
const MIN_WIDTH: usize = 40;

/// Where a message's continuation lines start.
const MESSAGE_INDENT: &str = "    ";

/// The label of what to do, and where its continuation lines start (under its text).
const FIX_LABEL: &str = "  fix: ";

/// The width to wrap to: `COLUMNS` when it is a number (as shells export it and as tests
/// set it), else the width of the terminal pmrc prints to, else [`DEFAULT_WIDTH`].
pub fn terminal_width() -> usize {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    let from_tty = || {
        let stdout = std::io::stdout();
        let stderr = std::io::stderr();
        let size = if stdout.is_terminal() {
            terminal_size::terminal_size_of(&stdout)
        } else if stderr.is_terminal() {
            terminal_size::terminal_size_of(&stderr)
        } else {
            None
        };
        size.map(|(terminal_size::Width(w), _)| usize::from(w))
    };
    from_env.or_else(from_tty).unwrap_or(DEFAULT_WIDTH)
}

/// What one finding says, ready to lay out.
pub struct Diagnostic<'a> {
    pub severity: Severity,
    pub code: &'a str,
    pub origin: Option<&'a Origin>,
    pub message: &'a str,
    pub fix: Option<&'a str>,
}

/// How to lay findings out: the width to wrap to and whether to colour.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub width: usize,
    pub color: bool,
}

impl Diagnostic<'_> {
    /// The finding as lines ending in `\n`.
    pub fn render(&self, layout: Layout) -> String {
        let name = severity_name(self.severity);
        let at = self.origin.map(|o| format!("{o}: ")).unwrap_or_default();
        // The label is laid out as plain text and coloured afterwards, so that escape
        // sequences never count towards the width.
        let plain_head = format!("{name}[{}]: {at}", self.code);
        let mut text = wrap(&plain_head, self.message, MESSAGE_INDENT, layout.width);
        if layout.color {
            let style = severity_style(self.severity);
            let bold = Style::new().bold();
            text = format!(
                "{style}{name}{style:#}{bold}[{}]{bold:#}{}",
                self.code,
                &text[name.len() + self.code.len() + 2..]
            );
        }
        if let Some(fix) = self.fix {
            let indent = " ".repeat(FIX_LABEL.len());
            let fix_text = wrap(FIX_LABEL, fix, &indent, layout.width);
            if layout.color {
                let label = FIX_LABEL.trim_start().trim_end_matches(' ');
                let style = AnsiColor::Green.on_default().bold();
                text.push_str(&fix_text.replacen(label, &format!("{style}{label}{style:#}"), 1));
            } else {
                text.push_str(&fix_text);
            }
        }
        text
    }
}

/// `error`, `warning` or `note`.
pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The colour of a severity's label, bold as rustc and uv print it.
pub fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Error => AnsiColor::Red.on_default().bold(),
        Severity::Warning => AnsiColor::Yellow.on_default().bold(),
        Severity::Note => AnsiColor::Cyan.on_default().bold(),
    }
}

/// `head` then `body` filled to `width` columns, continuation lines starting with `indent`;
/// ends in `\n`. A word is never split: one longer than the line gets a line of its own.
/// A line break in `body` is kept (each of its lines is filled on its own), and a line after
/// one that starts with a blank is printed as it is: lines to paste (a YAML block) keep
/// their indentation, which is their meaning.
pub fn wrap(head: &str, body: &str, indent: &str, width: usize) -> String {
    // Thousands of findings are wrapped in a large config: one buffer each, no word list.
    let mut out = String::with_capacity(head.len() + body.len() + 2 * indent.len() + 8);
    for (i, line) in body.split('\n').enumerate() {
        if i > 0 && line.starts_with([' ', '\t']) {
            out.push_str(indent);
            out.push_str(line.trim_end());
            out.push('\n');
            continue;
        }
        fill(
            &mut out,
            if i == 0 { head } else { indent },
            line,
            indent,
            width,
        );
    }
    out
}

/// One line of text filled as [`wrap`] says, onto `out`.
fn fill(out: &mut String, head: &str, body: &str, indent: &str, width: usize) {
    let width = width.max(MIN_WIDTH);
    out.push_str(head);
    let mut column = columns(head);
    let mut line_has_word = false;
    for_each_word(body, |word| {
        let word_columns = columns(word);
        let needed = word_columns + usize::from(line_has_word);
        if line_has_word && column + needed > width {
            out.push('\n');
            out.push_str(indent);
            column = columns(indent);
            line_has_word = false;
        }
        if line_has_word {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += word_columns;
        line_has_word = true;
    });
    out.push('\n');
}

/// The message's words, in order: runs of non-spaces, except that a `quoted span` (a
/// command, a key, a line to add) is one word with its spaces, and so is never broken.
fn for_each_word<'t>(text: &'t str, mut word: impl FnMut(&'t str)) {
    let mut start = None;
    let mut in_quote = false;
    if text.is_ascii() {
        // Most messages: bytes are characters, and these are `char::is_whitespace`'s ASCII.
        for (i, b) in text.bytes().enumerate() {
            match b {
                b'`' => {
                    in_quote = !in_quote;
                    start.get_or_insert(i);
                }
                b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' if !in_quote => {
                    if let Some(s) = start.take() {
                        word(&text[s..i]);
                    }
                }
                _ => {
                    start.get_or_insert(i);
                }
            }
        }
        if let Some(s) = start {
            word(&text[s..]);
        }
        return;
    }
    for (i, c) in text.char_indices() {
        match c {
            '`' => {
                in_quote = !in_quote;
                start.get_or_insert(i);
            }
            c if c.is_whitespace() && !in_quote => {
                if let Some(s) = start.take() {
                    word(&text[s..i]);
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        word(&text[s..]);
    }
}

fn columns(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_text_splits_into_the_words_any_text_does() {
        let words = |text: &str| {
            let mut out = Vec::new();
            for_each_word(text, |w| out.push(w.to_string()));
            out
        };
        let ascii = "a `b c`\td\x0be\x0c\r\n f";
        assert_eq!(words(ascii), ["a", "`b c`", "d", "e", "f"]);
        // The same text with one non-ASCII word goes the general way.
        let general = words(&format!("{ascii} \u{e9}"));
        assert_eq!(general[..5], words(ascii)[..]);
        assert_eq!(general[5], "\u{e9}");
    }

    #[test]
    fn wraps_at_the_width_and_indents_continuations() {
        let text = wrap("note[x]: ", &"word ".repeat(20), "    ", 40);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 1, "{text}");
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{text}");
        assert!(
            lines[1..].iter().all(|l| l.starts_with("    word")),
            "{text}"
        );
        assert_eq!(text.matches("word").count(), 20);
    }

    #[test]
    fn never_breaks_a_quoted_command_or_a_url() {
        let command = "`pmrc convert --from npm --to pnpm@12 --user --write --dir packages/a`";
        let url = "https://registry.corp.example/some/long/path/npm/";
        let body = format!("run {command} and check {url} again");
        let text = wrap("warning[x]: ", &body, "    ", 40);
        assert!(text.lines().any(|l| l.trim_start() == command), "{text}");
        assert!(text.lines().any(|l| l.contains(url)), "{text}");
        assert_eq!(text.replace("\n    ", " "), format!("warning[x]: {body}\n"));
    }

    #[test]
    fn a_line_break_in_the_message_is_kept() {
        assert_eq!(
            wrap("error: ", "first line\nsecond line", "    ", 100),
            "error: first line\n    second line\n"
        );
    }

    /// From a helper's review: a YAML block in a `fix:` lost its indentation (every line
    /// was filled from the indent), and pasted as printed it was other YAML.
    #[test]
    fn lines_to_paste_keep_their_indentation() {
        let fix = "add to .yarnrc.yml:\n    npmScopes:\n      acme:\n        npmRegistryServer: \"https://npm.pkg.github.com\"";
        assert_eq!(
            wrap("  fix: ", fix, "       ", 40),
            "  fix: add to .yarnrc.yml:\n           npmScopes:\n             acme:\n               npmRegistryServer: \"https://npm.pkg.github.com\"\n"
        );
    }

    #[test]
    fn a_short_message_stays_on_one_line() {
        assert_eq!(wrap("a: ", "b c", "  ", 100), "a: b c\n");
    }

    #[test]
    fn colour_marks_only_the_labels() {
        let d = Diagnostic {
            severity: Severity::Warning,
            code: "config-drift",
            origin: None,
            message: "npm and yarn disagree",
            fix: Some("run `pmrc sync --write`"),
        };
        let plain = d.render(Layout {
            width: 100,
            color: false,
        });
        assert_eq!(
            plain,
            "warning[config-drift]: npm and yarn disagree\n  fix: run `pmrc sync --write`\n"
        );
        let coloured = d.render(Layout {
            width: 100,
            color: true,
        });
        assert_eq!(
            coloured,
            "\u{1b}[1m\u{1b}[33mwarning\u{1b}[0m\u{1b}[1m[config-drift]\u{1b}[0m: npm and yarn disagree\n  \u{1b}[1m\u{1b}[32mfix:\u{1b}[0m run `pmrc sync --write`\n"
        );
    }
}
