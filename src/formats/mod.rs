//! One module per config file format. Each turns text into the settings pmrc owns (and from
//! them a [`Model`]), edits text toward wanted settings without touching anything else, and
//! reports the spans of secret values. Formats never touch the filesystem.

pub mod bunfig;
pub mod dependabot_yml;
pub(crate) mod kept;
pub mod npmrc;
pub mod pnpm_workspace;
pub mod yaml;
mod yaml_block;
mod yaml_block_de;
#[cfg(test)]
mod yaml_fast_tests;
mod yaml_maps;
mod yaml_pruned;
mod yaml_root;
pub mod yarnrc;
pub mod yarnrc_yml;

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;
use std::path::Path;

use crate::error::SyntaxError;
use crate::managers::Manager;
use crate::model::{Level, Model};
use crate::warning::Warning;

/// The file formats pmrc reads and edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Npmrc,
    YarnrcYml,
    /// Yarn 1's `.yarnrc` (read only: Yarn 1 takes auth from `.npmrc`, so pmrc writes there).
    Yarnrc,
    Bunfig,
    PnpmWorkspace,
    /// `.github/dependabot.yml`: its `npm-registry` entries and the npm/bun updates' links.
    DependabotYml,
    /// pmrc's own `pmrc.toml` (`[sync] from/to/user`, parsed by `sync_config`): written
    /// whole by `pmrc init`, it holds no registry, auth or network settings and no secrets.
    PmrcToml,
}

impl Format {
    pub fn read(
        self,
        text: &str,
        file: &Path,
        level: Level,
    ) -> Result<(Model, Vec<Warning>), SyntaxError> {
        match self {
            Format::Npmrc => npmrc::read(text, file, level),
            Format::YarnrcYml => yarnrc_yml::read(text, file, level),
            Format::Yarnrc => yarnrc::read(text, file, level),
            Format::Bunfig => bunfig::read(text, file, level),
            Format::PnpmWorkspace => pnpm_workspace::read(text, file, level),
            Format::DependabotYml => dependabot_yml::read(text, file, level),
            Format::PmrcToml => Ok((Model::default(), Vec::new())),
        }
    }

    pub fn settings(self, text: &str) -> Result<Vec<Setting>, SyntaxError> {
        match self {
            Format::Npmrc => npmrc::Document::parse(text).settings(),
            Format::YarnrcYml => yarnrc_yml::settings(text),
            Format::Yarnrc => yarnrc::settings(text),
            Format::Bunfig => bunfig::settings(text),
            Format::PnpmWorkspace => pnpm_workspace::settings(text),
            Format::DependabotYml => dependabot_yml::settings(text),
            Format::PmrcToml => Ok(Vec::new()),
        }
    }

    /// Each scalar value in `text` with its key path and line, owned by pmrc or not,
    /// borrowed from the kept parse rather than built (a large file's thousands, issue 20);
    /// `None` for the formats without such a reading.
    pub fn each_scalar(
        self,
        text: &str,
        each: &mut dyn FnMut(&[&str], &str, usize),
    ) -> Option<Result<(), SyntaxError>> {
        match self {
            Format::Npmrc => {
                npmrc::Document::parse(text).each_scalar(each);
                Some(Ok(()))
            }
            Format::YarnrcYml => Some(yarnrc_yml::each_scalar(text, each)),
            _ => None,
        }
    }

    /// [`Format::settings`] as `manager` reads them, where its ini reads an `.npmrc` otherwise
    /// than npm's (pnpm 12 keeps inline comments in values).
    pub fn settings_read_by(
        self,
        text: &str,
        manager: crate::managers::Manager,
    ) -> Result<Vec<Setting>, SyntaxError> {
        match self {
            Format::Npmrc => npmrc::settings_as(text, manager.rules().npmrc_dialect()),
            _ => self.settings(text),
        }
    }

    /// Whether the settings pmrc owns in `text` are exactly `wanted` (the read-back of an
    /// edit), as [`same_settings`] over [`Format::settings`] tells, without building them
    /// where a format can say so from what it keeps of the parse: a large file's thousands,
    /// each a path and value copied only to be compared and dropped (issue 20).
    pub fn holds(self, text: &str, wanted: &Wanted) -> bool {
        match self {
            Format::YarnrcYml => yarnrc_yml::holds(text, wanted),
            Format::Bunfig => bunfig::holds(text, wanted),
            _ => self
                .settings(text)
                .is_ok_and(|held| same_settings(&held, wanted)),
        }
    }

    /// Whether `text` reads in this format, as [`Format::settings`] would tell, without
    /// building the settings (a large file's thousands; the parsed YAML is kept for the run).
    pub fn check(self, text: &str) -> Result<(), SyntaxError> {
        match self {
            Format::YarnrcYml => yarnrc_yml::check(text),
            _ => self.settings(text).map(drop),
        }
    }

    /// The settings `model` means in this format, for `manager`.
    pub fn wanted(self, model: &Model, manager: Manager) -> Wanted {
        match self {
            Format::Npmrc => npmrc::wanted(model, manager),
            Format::YarnrcYml => yarnrc_yml::wanted(model),
            Format::Yarnrc => Vec::new(),
            Format::Bunfig => bunfig::wanted(model),
            // pnpm 10 takes its routing from `.npmrc` only (pmrc writes it there).
            Format::PnpmWorkspace if !manager.rules().reads_workspace_yaml_routing() => Vec::new(),
            Format::PnpmWorkspace => pnpm_workspace::wanted(model),
            Format::DependabotYml => dependabot_yml::wanted(model, manager),
            Format::PmrcToml => Vec::new(),
        }
    }

    /// `wanted` in the shape the file already uses where a format has two (pnpm's
    /// `registries`: the scope map, or URL-keyed declarations), so the user's shape stays.
    /// `project` and `file`: the project's folder and the file's path, both absolute (a
    /// dependabot.yml at the repository's root serves the project as an update's `directory`).
    pub fn in_shape_of(
        self,
        text: Option<&str>,
        wanted: Wanted,
        (project, file): (&Path, &Path),
    ) -> Wanted {
        match self {
            Format::PnpmWorkspace => pnpm_workspace::in_shape_of(text, wanted),
            Format::DependabotYml => dependabot_yml::in_shape_of(
                text,
                wanted,
                &dependabot_yml::update_directory(project, file),
            ),
            Format::YarnrcYml => yarnrc_yml::in_shape_of(text, wanted),
            _ => wanted,
        }
    }

    /// Whether pmrc writes this setting into a file it edits. A `.npmrc` credential keyed
    /// `//${HOST}/…/` is read but stays the user's line, as written (`npmrc::is_owned`); only
    /// a file pmrc writes whole (`pmrc env`'s rc file) gets it.
    pub fn edits(self, path: &[String]) -> bool {
        match self {
            Format::Npmrc => path.first().is_none_or(|key| npmrc::is_owned(key)),
            _ => true,
        }
    }

    /// Edits `text` toward `wanted`; an error says why pmrc will not edit this document.
    pub fn edit(self, text: &str, wanted: &Wanted) -> Result<String, String> {
        kept::edited(self, text, wanted, || self.edit_uncached(text, wanted))
    }

    fn edit_uncached(self, text: &str, wanted: &Wanted) -> Result<String, String> {
        match self {
            Format::Npmrc => Ok(npmrc::Document::parse(text).edit(wanted)),
            Format::YarnrcYml => yarnrc_yml::edit(text, wanted),
            Format::Yarnrc => {
                Err("pmrc does not write .yarnrc (Yarn 1 reads auth only from .npmrc)".into())
            }
            Format::Bunfig => bunfig::edit(text, wanted),
            Format::PnpmWorkspace => pnpm_workspace::edit(text, wanted),
            Format::DependabotYml => dependabot_yml::edit(text, wanted),
            Format::PmrcToml => {
                Err("pmrc edits no pmrc.toml; pmrc init writes a new one whole".into())
            }
        }
    }

    /// Byte spans of the secrets in `text`: the values the format's reader takes for
    /// secrets, and any value assigned to a secret name where no reader looks (comments,
    /// unknown keys), which the preview prints as context all the same.
    pub fn secret_spans(self, text: &str) -> SecretSpans {
        /// A format's spans of a text, kept for the run: the preview and the check on a
        /// readable file's mode each ask for both sides of a change (issue 20).
        struct Kept(Format, SecretSpans);
        let kept = kept::parsed(text, |t| {
            Ok::<_, std::convert::Infallible>(Kept(self, self.secret_spans_uncached(t)))
        });
        match kept {
            Ok(kept) if kept.0 == self => kept.1.clone(),
            _ => self.secret_spans_uncached(text),
        }
    }

    fn secret_spans_uncached(self, text: &str) -> SecretSpans {
        let mut spans = self.read_secret_spans(text);
        let notation = match self {
            Format::Npmrc | Format::Yarnrc => Some(crate::redact::Notation::Ini),
            Format::YarnrcYml | Format::Bunfig | Format::PnpmWorkspace | Format::DependabotYml => {
                Some(crate::redact::Notation::Hashed)
            }
            Format::PmrcToml => None,
        };
        if let Some(notation) = notation {
            spans.extend(crate::redact::assigned_secret_spans(text, notation));
        }
        spans
    }

    fn read_secret_spans(self, text: &str) -> SecretSpans {
        match self {
            Format::Npmrc => npmrc::Document::parse(text).secret_spans(),
            Format::YarnrcYml => yarnrc_yml::secret_spans(text),
            Format::Yarnrc => yarnrc::secret_spans(text),
            Format::Bunfig => bunfig::secret_spans(text),
            Format::PnpmWorkspace => pnpm_workspace::secret_spans(text),
            Format::DependabotYml => dependabot_yml::secret_spans(text),
            Format::PmrcToml => Vec::new(),
        }
    }
}

/// A setting's value as the manager reads it, before environment interpolation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SettingValue {
    Scalar(String),
    List(Vec<String>),
}

/// A setting's key path (one element for `.npmrc`). Shared, never edited in place: one
/// path is held, wanted, planned and kept by several passes over a large config (issue 20).
pub type SettingPath = std::rc::Rc<[String]>;

/// One setting pmrc owns, addressed by its key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub path: SettingPath,
    pub value: SettingValue,
    /// 1-based line of the key.
    pub line: usize,
}

/// Settings a file should end up with, in the order new ones are written.
pub type Wanted = Vec<(SettingPath, SettingValue)>;

/// What a file holds, as the settings to want: an edit toward it changes nothing.
pub fn wanted_from(held: &[Setting]) -> Wanted {
    held.iter()
        .map(|s| (s.path.clone(), s.value.clone()))
        .collect()
}

/// Compares what a file holds with what was wanted, ignoring order and lines.
pub fn same_settings(held: &[Setting], wanted: &Wanted) -> bool {
    same_as_wanted(
        held.len(),
        held.iter().map(|s| (&s.path[..], &s.value)),
        wanted,
    )
}

/// [`same_settings`] over the `len` settings `held` hands out, borrowed.
pub(crate) fn same_as_wanted<'a>(
    len: usize,
    held: impl Iterator<Item = (&'a [String], &'a SettingValue)>,
    wanted: &Wanted,
) -> bool {
    if len != wanted.len() {
        return false;
    }
    // Equal as multisets: counted, not sorted (sorting a large config's paths twice was a
    // few percent of a conversion, issue 20).
    let mut count: HashMap<(&[String], &SettingValue), isize> =
        HashMap::with_capacity_and_hasher(len, Default::default());
    for key in held {
        *count.entry(key).or_default() += 1;
    }
    for (path, value) in wanted {
        match count.get_mut(&(&path[..], value)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => return false,
        }
    }
    true
}

/// Byte spans of secrets, for [`crate::redact::mask`].
pub type SecretSpans = Vec<Range<usize>>;

/// How many lines `text` has when its lines end in `\n` (the usual case): room for a
/// reader's table of lines in one allocation, rather than doubling past the file's size.
pub(crate) fn line_count_hint(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

/// The line ending a file mostly uses, so added lines match it.
pub fn dominant_line_ending(text: &str) -> &'static str {
    // Byte counts, which the compiler takes many bytes at a time: every edit of a large
    // file asks.
    let bytes = text.as_bytes();
    let returns = bytes.iter().filter(|&&b| b == b'\r').count();
    if returns == 0 {
        return "\n";
    }
    let crlf = bytes.windows(2).filter(|pair| pair == b"\r\n").count();
    let lf = bytes.iter().filter(|&&b| b == b'\n').count() - crlf;
    let cr = returns - crlf;
    if cr > lf.max(crlf) {
        "\r"
    } else if crlf > lf {
        "\r\n"
    } else {
        "\n"
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(offset)
}

/// Where each line starts, so that many offsets of one text turn into lines in linear time.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Lines end at LF, CRLF or a lone CR (as every manager's reader splits them).
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let starts = std::iter::once(0)
            .chain(bytes.iter().enumerate().filter_map(|(i, &b)| match b {
                b'\n' => Some(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => Some(i + 1),
                _ => None,
            }))
            .collect();
        LineIndex { text, starts }
    }

    /// 1-based line and column (in characters) of a byte offset; a byte-order mark is not
    /// a column.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let mut start = self.starts[line - 1];
        if start == 0 && self.text.starts_with('\u{feff}') {
            start = '\u{feff}'.len_utf8().min(offset);
        }
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dominant_line_ending_is_the_most_common_one() {
        for (text, expected) in [
            ("", "\n"),
            ("a", "\n"),
            ("a\nb\n", "\n"),
            ("a\r\nb\r\n", "\r\n"),
            ("a\rb\r", "\r"),
            ("a\r\nb\nc\n", "\n"),
            ("a\r\nb\r\nc\n", "\r\n"),
            ("a\rb\rc\r\nd\n", "\r"),
            // A tie between one `\r\n` and one lone `\r` goes to `\r\n`.
            ("\r\n\r", "\r\n"),
        ] {
            assert_eq!(dominant_line_ending(text), expected, "{text:?}");
        }
    }

    fn setting(path: &str, value: &str) -> Setting {
        Setting {
            path: path.split('.').map(str::to_string).collect(),
            value: SettingValue::Scalar(value.into()),
            line: 1,
        }
    }

    fn wanted(items: &[(&str, &str)]) -> Wanted {
        items
            .iter()
            .map(|(p, v)| {
                let s = setting(p, v);
                (s.path, s.value)
            })
            .collect()
    }

    #[test]
    fn same_settings_ignores_order_but_not_values_or_repeats() {
        let held = [setting("a.b", "1"), setting("c", "2"), setting("c", "2")];
        assert!(same_settings(
            &held,
            &wanted(&[("c", "2"), ("a.b", "1"), ("c", "2")])
        ));
        assert!(!same_settings(
            &held,
            &wanted(&[("c", "2"), ("a.b", "1"), ("a.b", "1")])
        ));
        assert!(!same_settings(
            &held,
            &wanted(&[("c", "2"), ("a.b", "9"), ("c", "2")])
        ));
        assert!(!same_settings(&held, &wanted(&[("c", "2"), ("a.b", "1")])));
        assert!(same_settings(&[], &Vec::new()));
    }
}
