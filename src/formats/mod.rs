//! One module per config file format. Each turns text into the settings pmrc owns (and from
//! them a [`Model`]), edits text toward wanted settings without touching anything else, and
//! reports the spans of secret values. Formats never touch the filesystem.

pub mod npmrc;
pub mod yarnrc_yml;

use std::ops::Range;

/// A setting's value as the manager reads it, before environment interpolation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    Scalar(String),
    List(Vec<String>),
}

/// One setting pmrc owns, addressed by its key path (one element for `.npmrc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub path: Vec<String>,
    pub value: SettingValue,
    /// 1-based line of the key.
    pub line: usize,
}

/// Settings a file should end up with, in the order new ones are written.
pub type Wanted = Vec<(Vec<String>, SettingValue)>;

/// Compares what a file holds with what was wanted, ignoring order and lines.
pub fn same_settings(held: &[Setting], wanted: &Wanted) -> bool {
    let mut held: Vec<(&Vec<String>, &SettingValue)> =
        held.iter().map(|s| (&s.path, &s.value)).collect();
    let mut wanted: Vec<(&Vec<String>, &SettingValue)> =
        wanted.iter().map(|(p, v)| (p, v)).collect();
    held.sort_by(|a, b| a.0.cmp(b.0));
    wanted.sort_by(|a, b| a.0.cmp(b.0));
    held == wanted
}

/// Byte spans of secrets, for [`crate::redact::mask`].
pub type SecretSpans = Vec<Range<usize>>;

/// The line ending a file mostly uses, so added lines match it.
pub fn dominant_line_ending(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count() - crlf;
    if crlf > lf { "\r\n" } else { "\n" }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
