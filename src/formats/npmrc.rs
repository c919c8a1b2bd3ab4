//! `.npmrc` as npm 11/12 read it (the `ini` package plus `@npmcli/config`): a lossless line
//! model, the registry/auth settings pmrc owns, and line-by-line edits that leave every
//! other byte alone. Also used for the `.npmrc` of pnpm and Yarn 1 in later adapters.

use crate::diagnostics::Code;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use crate::error::SyntaxError;
use crate::formats::{Setting, SettingValue, Wanted, dominant_line_ending};
use crate::managers::Manager;
use crate::model::{AuthKey, Credentials, Level, Model, Origin, PasswordEncoding, Scope, Value};
use crate::redact;
use crate::registry_url::RegistryUrl;
use crate::template::{Dialect, Template};
use crate::warning::Warning;
use std::collections::BTreeMap;

/// Per-registry credential names (after the last `:` of a `//host/path/:name` key).
const CREDENTIAL_NAMES: [&str; 7] = [
    "_authToken",
    "_auth",
    "username",
    "_password",
    "certfile",
    "keyfile",
    "always-auth",
];
const SECRET_NAMES: [&str; 3] = ["_authToken", "_auth", "_password"];

/// The per-registry credential name `field` is a miscased spelling of (`_authtoken` for
/// `_authToken`), if it is one: npm matches these names exactly.
pub fn miscased_credential_name(field: &str) -> Option<&'static str> {
    (!CREDENTIAL_NAMES.contains(&field))
        .then(|| {
            CREDENTIAL_NAMES
                .into_iter()
                .find(|name| name.eq_ignore_ascii_case(field))
        })
        .flatten()
}
const GLOBAL_KEYS: [&str; 9] = [
    "registry",
    "strict-ssl",
    "ca",
    "cafile",
    "cert",
    "key",
    "proxy",
    "https-proxy",
    "noproxy",
];
/// Top-level credentials npm 9+ refuses the whole file for (`ERR_INVALID_AUTH`; `npm config
/// fix` keys them), and the dead `always-auth`, which it only warns about.
pub const LEGACY_TOP_LEVEL: [&str; 5] = [
    "_authToken",
    "_auth",
    "username",
    "_password",
    "always-auth",
];

/// One physical line: its content and its terminator, as byte ranges of the text.
#[derive(Debug, Clone)]
struct Line {
    content: Range<usize>,
    end: Range<usize>,
    entry: Option<Entry>,
    /// True once a `[section]` line has been seen: npm nests everything after it.
    in_section: bool,
    is_section: bool,
}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    array: bool,
    /// Byte range of the value text after `=` (trimmed), `None` for a bare key.
    value_span: Option<Range<usize>>,
    value: String,
    /// Byte offset of a quote that npm will keep as part of the value.
    stray_quote: Option<usize>,
}

/// One owned setting of a document, borrowed from it ([`Document::settings`]).
struct SettingInPlace<'d> {
    key: &'d str,
    value: ValueInPlace<'d>,
    line: usize,
    /// [`is_owned`], worked out once per key (issue 20).
    owned: bool,
    /// Byte offset of a quote npm keeps in the value of the deciding line (or of a `ca` item).
    kept_quote: Option<usize>,
}

enum ValueInPlace<'d> {
    Scalar(&'d str),
    List(Vec<&'d str>),
}

impl ValueInPlace<'_> {
    fn to_owned_value(&self) -> SettingValue {
        match self {
            ValueInPlace::Scalar(v) => SettingValue::Scalar(v.to_string()),
            ValueInPlace::List(items) => {
                SettingValue::List(items.iter().map(|i| i.to_string()).collect())
            }
        }
    }
}

/// The value of a commented-out credential (`# //host/:_authToken=...`, a common way of
/// keeping an old token), which the preview shows as context.
fn commented_secret(text: &str, content: Range<usize>) -> Option<Range<usize>> {
    let line = &text[content.clone()];
    let body = line.trim_start();
    let body = body.strip_prefix(['#', ';'])?;
    let (key, value) = body.split_once('=')?;
    if !holds_secret(key.trim()) || value.trim().is_empty() {
        return None;
    }
    let value_start = content.start + (line.len() - body.len()) + key.len() + 1;
    let leading = value.len() - value.trim_start().len();
    Some(value_start + leading..content.end - (value.len() - value.trim_end().len()))
}

/// How a reader's ini reads an `.npmrc` where readers part: which lines open a
/// `[section]` (after which npm nests every key, where no setting is read), and how a value
/// is unquoted.
/// Whether a key's value is a secret: a token, `_auth`, a password, or an inline private
/// key (`key=`, `//host/:key=`), which is as secret as a token.
fn holds_secret(key: &str) -> bool {
    let name = key.rsplit(':').next().unwrap_or(key);
    SECRET_NAMES.contains(&name) || name == "key"
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IniDialect {
    /// npm's ini: a section line is `^\[…\]\s*$` (nothing before the `[`); a value is cut at
    /// an unescaped `;` or `#` and `\` escapes. Bun, Deno (which also takes any trimmed
    /// `[…]` line for a section, in managers/deno.rs) and pnpm 11 read so.
    Npm,
    /// ini 1.3.8 (Yarn 1, pnpm 10): only a line that is exactly `[name]` opens a section
    /// (`[s] ` is a key); values as npm's.
    Ini138,
    /// pnpm 12's own reader: no sections (the line is skipped, the keys after it read), and
    /// a value is the whole trimmed text after `=`, comments and backslashes included,
    /// unquoted only when quotes wrap all of it.
    Pnpm12,
}

/// The name of an ini section line, `^\[([^\]]*)\]$` in every version of the `ini`
/// package: `[a]b]` is a key. npm's allows blanks after it (`\s*$`), ini 1.3.8's does not.
pub(crate) fn ini_section_name(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    (!inner.contains(']')).then_some(inner)
}

impl IniDialect {
    /// Whether the line `raw` (without its line break) opens a section.
    pub fn opens_section(self, raw: &str) -> bool {
        match self {
            IniDialect::Npm => ini_section_name(
                raw.strip_prefix('\u{feff}')
                    .unwrap_or(raw)
                    .trim_end_matches(is_js_space),
            )
            .is_some(),
            IniDialect::Ini138 => ini_section_name(raw).is_some(),
            IniDialect::Pnpm12 => false,
        }
    }

    /// A value pnpm 12 reads otherwise than npm may (the bytes npm's `unsafe()` treats
    /// apart); `None` in another dialect, whose values are npm's.
    fn raw_value(self, trimmed: &str) -> Option<(String, usize)> {
        if self != IniDialect::Pnpm12 {
            return None;
        }
        let wrapped =
            |q: char| trimmed.len() >= 2 && trimmed.starts_with(q) && trimmed.ends_with(q);
        if wrapped('"')
            && let Ok(serde_json::Value::String(s)) = serde_json::from_str(trimmed)
        {
            return Some((s, trimmed.len()));
        }
        if wrapped('\'') {
            return Some((trimmed[1..trimmed.len() - 1].to_string(), trimmed.len()));
        }
        Some((trimmed.to_string(), trimmed.len()))
    }
}

/// Whether a reader with `dialect` reads some line of `text` otherwise than npm does: as a
/// section or not, or (pnpm 12) a value with a comment, a backslash or quotes in it. Most
/// files are read alike by every reader, once.
pub fn read_apart(text: &str, dialect: IniDialect) -> bool {
    if dialect == IniDialect::Npm {
        return false;
    }
    let bytes = text.as_bytes();
    // Only the lines holding one of the bytes that part the readers are looked at, found
    // many bytes at a time: a large file's other lines cost nothing here (issue 20).
    // A line ends at `\n` or `\r`, alone or paired, as the readers split it.
    let line_of = |at: usize| {
        let start = memchr::memrchr2(b'\n', b'\r', &bytes[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        (&text[start..end], start)
    };
    let section_apart = memchr::memchr_iter(b'[', bytes).any(|at| {
        let (line, _) = line_of(at);
        IniDialect::Npm.opens_section(line) != dialect.opens_section(line)
    });
    if section_apart || dialect != IniDialect::Pnpm12 {
        return section_apart;
    }
    // pnpm 12: a value (after the line's first `=`, on a line that is no comment) holding a
    // byte npm's ini cuts, unescapes or unquotes.
    let value_apart = |at: usize| {
        let (line, start) = line_of(at);
        !trim_js(line).starts_with(['#', ';'])
            && memchr::memchr(b'=', line.as_bytes()).is_some_and(|eq| start + eq < at)
    };
    memchr::memchr3_iter(b'#', b';', b'\\', bytes).any(value_apart)
        || memchr::memchr2_iter(b'"', b'\'', bytes).any(value_apart)
}

/// [`Document::settings`] as a reader with `dialect` reads `text`.
pub fn settings_as(text: &str, dialect: IniDialect) -> Result<Vec<Setting>, SyntaxError> {
    if read_apart(text, dialect) {
        Document::parse_with(text, dialect).settings()
    } else {
        Document::parse(text).settings()
    }
}

/// `text` with each owned line that a reader with `dialect` reads to another value than npm
/// (pnpm 12: an inline `# …` or `; …`, a backslash) written so that both read npm's value:
/// the comment on a line of its own above, the value in double quotes where it needs them
/// (as JSON, which all seven readers decode alike). `None` when no line needs it. Keys in a
/// section npm skips stay as written, as does a first line after a byte-order mark (Deno
/// drops that line, and would read the key once the comment took its place): the findings
/// about them say what to do.
pub fn mend_values_read_apart(text: &str, dialect: IniDialect) -> Option<Mended> {
    if !read_apart(text, dialect) {
        return None;
    }
    let npm = Document::parse(text);
    let other = Document::parse_with(text, dialect);
    let newline = dominant_line_ending(text);
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut secret_comments = Vec::new();
    for (here, there) in npm.lines.iter().zip(&other.lines) {
        let whole = &text[here.content.start..here.end.end];
        let (Some(entry), Some(theirs)) = (&here.entry, &there.entry) else {
            out.push_str(whole);
            continue;
        };
        let after_bom = here.content.start == 0 && text.starts_with('\u{feff}');
        let (Some(span), false) = (&entry.value_span, after_bom) else {
            out.push_str(whole);
            continue;
        };
        if here.in_section
            || !is_owned(&entry.key)
            || entry.value == theirs.value
            || entry.stray_quote.is_some()
        {
            out.push_str(whole);
            continue;
        }
        let comment = trim_js(&text[span.end..here.content.end]);
        if !comment.is_empty() {
            // pnpm 12 read it as part of the value: where that is a secret, so may it be.
            if holds_secret(&entry.key) {
                secret_comments.push(out.len()..out.len() + comment.len());
            }
            out.push_str(comment);
            let end = &text[here.end.clone()];
            out.push_str(if end.is_empty() { newline } else { end });
        }
        out.push_str(&text[here.content.start..span.start]);
        out.push_str(&encode_value(&entry.value));
        out.push_str(&text[here.end.clone()]);
    }
    (out != text).then_some(Mended {
        text: out,
        secret_comments,
    })
}

/// A text [`mend_values_read_apart`] wrote.
pub struct Mended {
    pub text: String,
    /// The comments moved out of a secret's line: pnpm 12 read them as part of the secret,
    /// and the preview masks them as it did there.
    pub secret_comments: Vec<Range<usize>>,
}

/// A parsed `.npmrc`.
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    lines: Vec<Line>,
}

impl Document {
    /// The document of `text`, parsed once per run ([`super::kept`]): a conversion reads one
    /// `.npmrc` for each reader, target and check.
    pub fn parse(text: &str) -> std::rc::Rc<Document> {
        match super::kept::parsed(text, |t| {
            Ok::<_, std::convert::Infallible>(Self::parse_uncached(t))
        }) {
            Ok(doc) => doc,
            Err(never) => match never {},
        }
    }

    fn parse_uncached(text: &str) -> Document {
        Self::parse_with(text, IniDialect::Npm)
    }

    /// `text` as a reader with the ini `dialect` reads it (not kept for the run: few files
    /// have a line readers take apart).
    fn parse_with(text: &str, dialect: IniDialect) -> Document {
        let mut lines = Vec::with_capacity(super::line_count_hint(text));
        let mut in_section = false;
        let mut at = 0;
        while at < text.len() || (at == 0 && !text.is_empty()) {
            let bytes = text.as_bytes();
            // memchr's search, many bytes at a time: `str::find` with a set of characters
            // tests them one by one, and this runs over every byte of the file (issue 20).
            let content_end =
                memchr::memchr2(b'\r', b'\n', &bytes[at..]).map_or(text.len(), |n| at + n);
            let mut end = content_end;
            if bytes.get(end) == Some(&b'\r') {
                end += 1;
            }
            if bytes.get(end) == Some(&b'\n') {
                end += 1;
            }
            let content = at..content_end;
            let raw = &text[content.clone()];
            let trimmed = trim_js(raw);
            // Real npm 11/12, pnpm, Yarn 1 and Bun read ` [s]` as a key and the settings
            // after it; Deno's own reading is in managers/deno.rs.
            let is_section = dialect.opens_section(raw);
            let skip = trimmed.is_empty() || trimmed.starts_with([';', '#']);
            let entry =
                if skip || is_section || raw.trim_start_matches(is_js_space).starts_with('=') {
                    None
                } else {
                    Some(parse_entry(text, content.clone(), dialect))
                };
            in_section |= is_section;
            lines.push(Line {
                content,
                end: content_end..end,
                entry: entry.filter(|e| e.key != "__proto__"),
                in_section: in_section && !is_section,
                is_section,
            });
            at = end;
            if end == content_end {
                break;
            }
        }
        Document {
            text: text.to_string(),
            lines,
        }
    }

    fn line_number(&self, index: usize) -> usize {
        index + 1
    }

    /// The registry/auth settings pmrc owns, in file order, last duplicate winning (npm's
    /// rule), `ca` collected as a list.
    pub fn settings(&self) -> Result<Vec<Setting>, SyntaxError> {
        Ok(self
            .settings_in_place()?
            .into_iter()
            // A key naming its registry through a variable is read, never written: its line
            // is the user's, as an unknown key's is.
            .filter(|s| s.owned)
            .map(|s| Setting {
                path: [s.key.to_string()].into(),
                value: s.value.to_owned_value(),
                line: s.line,
            })
            .collect())
    }

    /// Each top-level key's value and line, owned or not, duplicates included, borrowed from
    /// the document ([`super::Format::each_scalar`]).
    pub fn each_scalar(&self, each: &mut dyn FnMut(&[&str], &str, usize)) {
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(entry) = line.entry.as_ref().filter(|_| !line.in_section) {
                each(&[&entry.key], &entry.value, self.line_number(i));
            }
        }
    }

    /// [`Self::settings`], borrowing the keys and values from the document: the reader
    /// takes them from here without copying each twice.
    fn settings_in_place(&self) -> Result<Vec<SettingInPlace<'_>>, SyntaxError> {
        // Slots in order of each key's deciding line; a later duplicate empties the earlier
        // slot, so the result keeps npm's last-wins order in linear time.
        let mut slots: Vec<Option<SettingInPlace>> = Vec::with_capacity(self.lines.len());
        let mut slot_of: HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(self.lines.len(), Default::default());
        for (i, line) in self.lines.iter().enumerate() {
            let Some(entry) = &line.entry else { continue };
            if line.in_section {
                continue;
            }
            let owned = is_owned(&entry.key);
            if !(owned || is_reference_credential_key(&entry.key)) {
                continue;
            }
            if entry.array && entry.key != "ca" {
                let (l, c) = crate::formats::line_col(&self.text, line.content.start);
                return Err(SyntaxError::new(
                    l,
                    c,
                    format!(
                        "`{}[]` makes a list of a setting that takes one value",
                        entry.key
                    ),
                ));
            }
            let existing = slot_of.get(entry.key.as_str()).copied();
            let earlier = existing.and_then(|i| slots[i].take());
            let earlier_kept_quote = earlier.as_ref().and_then(|e| e.kept_quote);
            let value = match earlier {
                // `ca` lines merge into a list once one of them is `ca[]` (ini's rule).
                Some(SettingInPlace {
                    value: ValueInPlace::List(mut items),
                    ..
                }) if entry.key == "ca" => {
                    items.push(&entry.value);
                    ValueInPlace::List(items)
                }
                Some(SettingInPlace {
                    value: ValueInPlace::Scalar(first),
                    ..
                }) if entry.key == "ca" && entry.array => {
                    ValueInPlace::List(vec![first, &entry.value])
                }
                _ if entry.array => ValueInPlace::List(vec![&entry.value]),
                _ => ValueInPlace::Scalar(&entry.value),
            };
            // A list keeps every item, so a quote kept in an earlier one stays in the value.
            let kept_quote = match value {
                ValueInPlace::List(_) => entry.stray_quote.or(earlier_kept_quote),
                ValueInPlace::Scalar(_) => entry.stray_quote,
            };
            slot_of.insert(entry.key.as_str(), slots.len());
            slots.push(Some(SettingInPlace {
                key: &entry.key,
                value,
                line: self.line_number(i),
                owned,
                kept_quote,
            }));
        }
        Ok(slots.into_iter().flatten().collect())
    }

    /// Top-level keys pmrc does not own, with their lines (settings of other tools).
    pub fn other_keys(&self) -> Vec<(usize, String)> {
        self.lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let e = l.entry.as_ref()?;
                (!l.in_section
                    && !is_owned(&e.key)
                    && !e.key.starts_with("//")
                    && !e.key.starts_with('@'))
                .then(|| (self.line_number(i), e.key.clone()))
            })
            .collect()
    }

    /// Keys pmrc would own that sit after a `[section]`, where npm never finds them.
    fn owned_keys_in_sections(&self) -> Vec<(usize, String)> {
        self.lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let e = l.entry.as_ref()?;
                (l.in_section && is_owned(&e.key)).then(|| (self.line_number(i), e.key.clone()))
            })
            .collect()
    }

    /// Byte spans of secret values: credentials written literally, and URL passwords.
    pub fn secret_spans(&self) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        for line in &self.lines {
            let Some(entry) = &line.entry else {
                spans.extend(commented_secret(&self.text, line.content.clone()));
                continue;
            };
            let Some(span) = entry.value_span.clone() else {
                continue;
            };
            if holds_secret(&entry.key) {
                // pnpm 12 reads an inline comment as part of the value: it is masked too.
                let line_text = &self.text[line.content.clone()];
                let end = line.content.start + line_text.trim_end_matches(is_js_space).len();
                let tail = &self.text[span.end..end.max(span.end)];
                let tail_start = end - tail.trim_start_matches(is_js_space).len();
                if Template::parse(&entry.value, Dialect::Npm).has_literal_secret_in(Dialect::Npm) {
                    spans.push(span.start..end.max(span.end));
                } else if tail_start < end {
                    spans.push(tail_start..end);
                }
            } else {
                spans.extend(redact::url_secret_spans_at(
                    &self.text[span.clone()],
                    span.start,
                ));
            }
        }
        spans
    }

    /// Edits the text so the owned settings equal `wanted`: changed values are replaced in
    /// place, settings no longer wanted are removed, new ones are added after the last
    /// top-level entry. Comments, unknown keys, order, line endings stay as they were.
    pub fn edit(&self, wanted: &Wanted) -> String {
        let out = self.edit_lines(wanted);
        // The byte-order mark stays, even when the first line it began is removed.
        if self.text.starts_with('\u{feff}') && !out.starts_with('\u{feff}') {
            return format!("\u{feff}{out}");
        }
        out
    }

    fn edit_lines(&self, wanted: &Wanted) -> String {
        let newline = dominant_line_ending(&self.text);
        let wanted_by_key: HashMap<&str, &SettingValue> = wanted
            .iter()
            .filter(|(p, _)| p.len() == 1)
            .map(|(p, v)| (p[0].as_str(), v))
            .collect();
        let wanted_value = |key: &str| wanted_by_key.get(key).copied();
        // The line that decides each key now (last wins), to keep and possibly rewrite.
        let mut last_for_key: HashMap<&str, usize> = HashMap::default();
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(e) = &line.entry
                && !line.in_section
                && is_owned(&e.key)
            {
                last_for_key.insert(e.key.as_str(), i);
            }
        }
        let held_ca = self.settings_in_place().ok().and_then(|s| {
            s.into_iter()
                .find(|s| s.key == "ca")
                .map(|s| s.value.to_owned_value())
        });
        let ca_unchanged = held_ca.as_ref() == wanted_value("ca");
        // Lines kept as they are borrow the text: a large file is mostly those (issue 20).
        let mut out_lines: Vec<(Cow<str>, &str)> = Vec::new();
        let mut done: HashSet<&str> = HashSet::default();
        let mut insert_at = None;
        for (i, line) in self.lines.iter().enumerate() {
            let raw = Cow::Borrowed(&self.text[line.content.clone()]);
            let end = &self.text[line.end.clone()];
            let Some(entry) = line
                .entry
                .as_ref()
                .filter(|e| !line.in_section && is_owned(&e.key))
            else {
                // New keys go above the first line any reader takes for a section: Deno
                // takes an indented ` [s]` for one, which npm reads as a key.
                let trimmed = trim_js(&raw);
                let a_section_to_some = trimmed.starts_with('[') && trimmed.ends_with(']');
                if (line.is_section || a_section_to_some) && insert_at.is_none() {
                    insert_at = Some(out_lines.len());
                }
                out_lines.push((raw, end));
                continue;
            };
            let key = entry.key.as_str();
            match wanted_value(key) {
                Some(SettingValue::List(_)) if key == "ca" && ca_unchanged => {
                    done.insert(key);
                    out_lines.push((raw, end));
                }
                // A changed list is rewritten as a block where its first line was.
                Some(SettingValue::List(items)) if key == "ca" && !done.contains(&key) => {
                    done.insert(key);
                    for item in items {
                        out_lines.push((["ca[]=", &encode_value(item)].concat().into(), newline));
                    }
                }
                Some(SettingValue::Scalar(value)) if last_for_key.get(key) == Some(&i) => {
                    done.insert(key);
                    if entry.value == *value && !entry.array {
                        out_lines.push((raw, end));
                    } else {
                        let encoded = encode_value(value);
                        let line_text = match &entry.value_span {
                            Some(span) if !entry.array => {
                                let comment = trim_js(&self.text[span.end..line.content.end]);
                                if encoded.starts_with('"') && !comment.is_empty() {
                                    // npm decodes quotes only where they end the line: the
                                    // inline comment goes on a line of its own, above, unless
                                    // it is the end of the value written (pnpm 12 read it so),
                                    // where its bytes already are.
                                    if !value.ends_with(comment) {
                                        out_lines.push((comment.into(), newline));
                                    }
                                    [&self.text[line.content.start..span.start], &encoded].concat()
                                } else {
                                    [
                                        &self.text[line.content.start..span.start],
                                        &encoded,
                                        &self.text[span.end..line.content.end],
                                    ]
                                    .concat()
                                }
                            }
                            _ => [key, "=", &encoded].concat(),
                        };
                        out_lines.push((line_text.into(), end));
                    }
                }
                // An earlier duplicate of a key still wanted: npm ignores it, and a file
                // pmrc does not need to change must come back byte for byte.
                Some(SettingValue::Scalar(_)) => out_lines.push((raw, end)),
                _ => {} // not wanted any more: every line of the key goes
            }
        }
        let mut new_lines: Vec<(Cow<str>, &str)> = Vec::new();
        for (path, value) in wanted {
            let key = path[0].as_str();
            if done.contains(&key) {
                continue;
            }
            match value {
                SettingValue::Scalar(v) => {
                    new_lines.push(([key, "=", &encode_value(v)].concat().into(), newline))
                }
                SettingValue::List(items) => {
                    for item in items {
                        new_lines.push(([key, "[]=", &encode_value(item)].concat().into(), newline))
                    }
                }
            }
        }
        let at = insert_at.unwrap_or(out_lines.len());
        // Add after the last entry before `at`, not after trailing blank lines or comments
        // that introduce a section.
        let at = out_lines[..at]
            .iter()
            .rposition(|(raw, _)| {
                let t = trim_js(raw);
                !t.is_empty() && !t.starts_with([';', '#'])
            })
            .map_or(at, |i| i + 1);
        let had_final_newline = self.text.is_empty() || self.text.ends_with(['\n', '\r']);
        out_lines.splice(at..at, new_lines);
        // Every line but the last needs a terminator; the file keeps its final-newline habit.
        let count = out_lines.len();
        for (i, (_, end)) in out_lines.iter_mut().enumerate() {
            if i + 1 < count && end.is_empty() {
                *end = newline;
            }
            if i + 1 == count {
                *end = match (had_final_newline, end.is_empty()) {
                    (true, true) => newline,
                    (true, false) => *end,
                    (false, _) => "",
                };
            }
        }
        let mut out = String::with_capacity(self.text.len() + self.text.len() / 8);
        for (raw, end) in &out_lines {
            out.push_str(raw);
            out.push_str(end);
        }
        out
    }
}

fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn trim_js(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

fn parse_entry(text: &str, content: Range<usize>, dialect: IniDialect) -> Entry {
    let raw = &text[content.clone()];
    let (key_raw, value_part) = match raw.find('=') {
        Some(eq) => (&raw[..eq], Some(content.start + eq + 1..content.end)),
        None => (raw, None),
    };
    let key_raw = unsafe_value(key_raw).0;
    let (key, array) = match key_raw.strip_suffix("[]") {
        Some(k) if key_raw.len() > 2 => (k.to_string(), true),
        _ => (key_raw, false),
    };
    let Some(value_part) = value_part else {
        return Entry {
            key,
            array,
            value_span: None,
            value: "true".into(),
            stray_quote: None,
        };
    };
    let value_raw = &text[value_part.clone()];
    let lead = value_raw.len() - value_raw.trim_start_matches(is_js_space).len();
    let trimmed = trim_js(value_raw);
    let start = value_part.start + lead;
    let (mut value, mut kept_len, stray) = unsafe_value(trimmed);
    // A stray quote stays npm's finding (pmrc refuses such a file for every reader).
    if let Some((raw, len)) = dialect.raw_value(trimmed) {
        (value, kept_len) = (raw, len);
    }
    Entry {
        key,
        array,
        value_span: Some(start..start + kept_len),
        value,
        stray_quote: stray.map(|o| start + o),
    }
}

/// The `ini` package's `unsafe()`: JSON-decoded when wrapped in quotes, otherwise cut at
/// the first unescaped `;` or `#` with `\;`, `\#`, `\\` unescaped. Returns the decoded
/// text, how many bytes of the trimmed input it used, and the offset of a stray opening
/// quote (an unterminated or undecodable quoted value that npm keeps verbatim).
fn unsafe_value(val: &str) -> (String, usize, Option<usize>) {
    let val = trim_js(val);
    let quoted = val.len() >= 2
        && ((val.starts_with('"') && val.ends_with('"'))
            || (val.starts_with('\'') && val.ends_with('\'')));
    if quoted {
        let inner = if val.starts_with('\'') {
            &val[1..val.len() - 1]
        } else {
            val
        };
        return match serde_json::from_str::<serde_json::Value>(inner) {
            Ok(serde_json::Value::String(s)) => (s, val.len(), None),
            Ok(other) => (other.to_string(), val.len(), None),
            Err(_) if val.starts_with('\'') => (inner.to_string(), val.len(), None),
            Err(_) => (val.to_string(), val.len(), Some(0)),
        };
    }
    let stray_quote =
        |out: &str| (out.starts_with(['"', '\'']) && !out[1..].contains(&out[..1])).then_some(0);
    // Most values have nothing to unescape or cut: they are the trimmed text as it is, and
    // copying them a character at a time was a good part of reading a large file (issue 20).
    if memchr::memchr3(b'\\', b';', b'#', val.as_bytes()).is_none() {
        return (val.to_string(), val.len(), stray_quote(val));
    }
    let mut out = String::with_capacity(val.len());
    let mut escaped = false;
    let mut used = val.len();
    for (i, c) in val.char_indices() {
        if escaped {
            if matches!(c, '\\' | ';' | '#') {
                out.push(c);
            } else {
                out.push('\\');
                out.push(c);
            }
            escaped = false;
        } else if c == ';' || c == '#' {
            used = i;
            break;
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    if escaped {
        out.push('\\');
    }
    let kept = val[..used].trim_end_matches(is_js_space).len();
    (trim_js(&out).to_string(), kept, stray_quote(&out))
}

/// Writes a value so npm reads back exactly `value`: JSON-quoted when it holds characters
/// the unquoted form would cut, unescape or trim.
pub fn encode_value(value: &str) -> Cow<'_, str> {
    let needs_quotes = value.contains([';', '#', '\\', '\r', '\n'])
        || value.starts_with(['"', '\'', '['])
        || value != trim_js(value);
    if needs_quotes {
        serde_json::to_string(value)
            .expect("a string always serialises")
            .into()
    } else {
        value.into()
    }
}

/// What `npm config fix` does, keeping comments: top-level `_authToken`, `_auth`,
/// `username`, `_password` become keys of the file's registry (npm's default if it has
/// none); a key that already exists there wins. `None` when there is nothing to move.
pub fn fix_legacy_auth(text: &str) -> Option<String> {
    let doc = Document::parse(text);
    let held = doc.settings().ok()?;
    const MOVED: [&str; 4] = ["_authToken", "_auth", "username", "_password"];
    if !held.iter().any(|s| MOVED.contains(&s.path[0].as_str())) {
        return None;
    }
    let registry = held
        .iter()
        .find(|s| s.path[0] == "registry")
        .and_then(|s| match &s.value {
            SettingValue::Scalar(v) => RegistryUrl::parse(v),
            SettingValue::List(_) => None,
        })
        .or_else(|| RegistryUrl::parse("https://registry.npmjs.org/"))?;
    let nerf = registry.registry_nerf_dart();
    let mut wanted: Wanted = Vec::new();
    for s in &held {
        let key = &s.path[0];
        let path = if MOVED.contains(&key.as_str()) {
            let target = format!("{nerf}:{key}");
            if held.iter().any(|h| h.path[0] == target) {
                continue;
            }
            [target].into()
        } else {
            s.path.clone()
        };
        wanted.push((path, s.value.clone()));
    }
    Some(doc.edit(&wanted))
}

/// The text without its UTF-8 byte-order mark, which npm's and Yarn's readers trim but
/// Deno reads into the first key; `None` where there is none, or where the first line holds
/// no setting (a comment, a blank), so the mark costs nothing.
pub fn without_byte_order_mark(text: &str) -> Option<String> {
    let rest = text.strip_prefix('\u{feff}')?;
    let first = rest.lines().next().unwrap_or_default().trim();
    (!first.is_empty() && !first.starts_with(['#', ';'])).then(|| rest.to_string())
}

/// The text without its top-level `cafile=` lines that hold no value, which make every npm
/// command exit 235; every other byte kept. `None` where there is none.
pub fn without_empty_cafile(text: &str) -> Option<String> {
    let doc = Document::parse(text);
    let empty = |line: &Line| {
        !line.in_section
            && line.entry.as_ref().is_some_and(|e| {
                e.key == "cafile" && !e.array && e.value_span.is_some() && e.value.is_empty()
            })
    };
    if !doc.lines.iter().any(empty) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for line in doc.lines.iter().filter(|l| !empty(l)) {
        out.push_str(&text[line.content.clone()]);
        out.push_str(&text[line.end.clone()]);
    }
    // The first line's byte-order mark stays where that line goes (from a review).
    if text.starts_with('\u{feff}') && !out.starts_with('\u{feff}') {
        out.insert(0, '\u{feff}');
    }
    Some(out)
}

/// Renames or removes top-level keys (outside any `[section]`), every other byte kept: each
/// `(key, Some(new))` line gets the new key before its `=` and value, each `(key, None)`
/// line goes (with its line ending). For keys pmrc does not own (npm 12's `email`,
/// `certfile`, `keyfile` moves), which `Document::edit` leaves alone.
pub fn rename_top_level(text: &str, renames: &[(&str, Option<String>)]) -> String {
    let doc = Document::parse(text);
    let mut out = String::with_capacity(text.len());
    for line in &doc.lines {
        let raw = &text[line.content.clone()];
        let end = &text[line.end.clone()];
        let rename = line
            .entry
            .as_ref()
            .filter(|_| !line.in_section)
            .and_then(|e| renames.iter().find(|(k, _)| *k == e.key));
        match rename {
            Some((_, None)) => {}
            Some((key, Some(new))) => {
                let at = raw.find(key).unwrap_or(0);
                out.push_str(&raw[..at]);
                out.push_str(new);
                out.push_str(&raw[at + key.len()..]);
                out.push_str(end);
            }
            None => {
                out.push_str(raw);
                out.push_str(end);
            }
        }
    }
    out
}

/// Every key of the file outside a `[section]`, with its 1-based line, owned or not.
pub fn top_level_keys(text: &str) -> Vec<(usize, String)> {
    let doc = Document::parse(text);
    doc.lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let e = l.entry.as_ref().filter(|_| !l.in_section)?;
            Some((i + 1, e.key.clone()))
        })
        .collect()
}

/// Every `[section]` line npm opens, with its 1-based line and the name npm's ini gives the
/// key it nests the lines after it under (`[a.b]` nests under `a`).
pub fn top_level_sections(text: &str) -> Vec<(usize, String)> {
    let doc = Document::parse(text);
    doc.lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_section)
        .filter_map(|(i, l)| {
            let raw = doc.text[l.content.clone()]
                .trim_start_matches('\u{feff}')
                .trim_end_matches(is_js_space);
            let name = ini_section_name(raw)?;
            Some((i + 1, name.split('.').next().unwrap_or(name).to_string()))
        })
        .collect()
}

/// The file's last top-level `key` line and its value as written, trimmed.
pub fn last_top_level(text: &str, key: &str) -> Option<(usize, String)> {
    let doc = Document::parse(text);
    doc.lines.iter().enumerate().rev().find_map(|(i, l)| {
        let e = l.entry.as_ref().filter(|e| !l.in_section && e.key == key)?;
        Some((i + 1, e.value.trim().to_string()))
    })
}

/// The file's last `strict-npmrc` line and whether it turns npm 12's check of unknown keys
/// on (npm's boolean config takes the text `true`).
pub fn strict_npmrc(text: &str) -> Option<(usize, bool)> {
    last_top_level(text, "strict-npmrc").map(|(line, value)| (line, value == "true"))
}

/// The scope of an `@scope:registry` key (`.npmrc` and `.yarnrc` spell it alike).
pub fn scope_of_registry_key(key: &str) -> Option<&str> {
    key.strip_prefix('@')?
        .strip_suffix(":registry")
        .filter(|s| !s.is_empty() && !s.contains(':'))
}

/// Whether pmrc manages this key in `.npmrc`.
pub fn is_owned(key: &str) -> bool {
    if crate::template::holds_reference(key) {
        return false;
    }
    if GLOBAL_KEYS.contains(&key) || LEGACY_TOP_LEVEL.contains(&key) {
        return true;
    }
    if key.starts_with('@') {
        return scope_of_registry_key(key).is_some();
    }
    split_nerf_key(key).is_some()
}

/// A credential key naming its registry through a variable (`//${HOST}/npm/:_authToken`,
/// GitLab's documented template): read, since npm and pnpm's user file put the value in, but
/// never written or rewritten by pmrc, whose keys name a registry as it is.
fn is_reference_credential_key(key: &str) -> bool {
    crate::template::holds_reference(key) && split_nerf_key(key).is_some()
}

/// `//host/path/:_authToken` → (`//host/path/`, `_authToken`).
fn split_nerf_key(key: &str) -> Option<(&str, &str)> {
    if !key.starts_with("//") {
        return None;
    }
    // A byte search: this runs for every key of a large config (issue 20).
    let colon = memchr::memrchr(b':', key.as_bytes())?;
    let (location, name) = (&key[..colon], &key[colon + 1..]);
    CREDENTIAL_NAMES.contains(&name).then_some((location, name))
}

/// What npm does with the value of `key` when it keeps a quote in it (`value`, as npm read
/// it), which other readers read it otherwise, and how to write it for every reader to read
/// the value meant. The value itself is left out: it may be a secret.
fn kept_quote_message(key: &str, value: &str, column: usize) -> String {
    let closed = value.len() >= 2 && value.starts_with('"') && value.ends_with('"');
    let name = key.rsplit(':').next().unwrap_or(key);
    let quotes = if closed {
        "the quote characters"
    } else {
        "the quote character"
    };
    let uses = match name {
        "_authToken" => format!("sends the token with {quotes} in it, which no registry takes"),
        "_auth" | "_password" | "username" => {
            format!("sends the credential with {quotes} in it, which no registry takes")
        }
        "cafile" => format!("looks for a CA file whose name has {quotes} in it"),
        "registry" | "proxy" | "https-proxy" => {
            format!("takes {quotes} for part of the URL, which no manager can request")
        }
        _ => format!("uses the value with {quotes} in it"),
    };
    if closed {
        format!(
            "the value of `{key}` is double-quoted (column {column}) but not a valid JSON string (a backslash before a letter, as in `C:\\Users`), so npm keeps the quotes as part of the value: it {uses}; Yarn 1, pnpm 11/12 and Bun read it so too, Deno drops the quotes, and pnpm 10 ignores the whole file. Inside the quotes write each backslash as `\\\\`, or drop the quotes"
        )
    } else {
        format!(
            "the value of `{key}` has a quote that is never closed (column {column}), so npm keeps it as part of the value: it {uses}; Yarn 1, pnpm, Bun and Deno read it so too. Close the quote, or drop it"
        )
    }
}

/// Where `convert` stops on a value npm keeps a quote in, as it did for every command
/// before `show`, `explain` and `doctor` read such a file: the first one, at its line and
/// column.
pub fn kept_quote_error(text: &str) -> Option<SyntaxError> {
    let doc = Document::parse(text);
    let settings = doc.settings_in_place().ok()?;
    let (at, key, value) = settings.iter().find_map(|s| {
        let value = match &s.value {
            ValueInPlace::Scalar(v) => *v,
            ValueInPlace::List(items) => items.first().copied().unwrap_or(""),
        };
        s.kept_quote.map(|at| (at, s.key, value))
    })?;
    let (line, column) = crate::formats::line_col(text, at);
    Some(SyntaxError::new(
        line,
        column,
        kept_quote_message(key, value, column),
    ))
}

/// The lines (1-based) of the settings whose value npm reads with a quote kept in it
/// ([`kept_quote_message`]): readers with their own ini (Deno) read those otherwise.
pub fn lines_keeping_quotes(text: &str) -> Vec<usize> {
    let doc = Document::parse(text);
    doc.settings_in_place()
        .map(|held| {
            held.iter()
                .filter(|s| s.kept_quote.is_some())
                .map(|s| s.line)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a `.npmrc` into the model, with findings about settings npm ignores or refuses.
pub fn read(text: &str, file: &Path, level: Level) -> Result<(Model, Vec<Warning>), SyntaxError> {
    read_document(&Document::parse(text), file, level, None)
}

/// [`read`] for a reader whose ini is not npm's (`reader` names it), where [`read_apart`]
/// says so, with a finding for each key or value it reads otherwise than npm.
pub fn read_as(
    text: &str,
    file: &Path,
    level: Level,
    dialect: IniDialect,
    reader: &str,
) -> Result<(Model, Vec<Warning>), SyntaxError> {
    let doc = Document::parse_with(text, dialect);
    let (model, mut warnings) = read_document(&doc, file, level, Some(reader))?;
    let npm = Document::parse(text);
    let file = Origin::shared(file);
    let origin = |line| {
        Some(Origin {
            file: std::rc::Rc::clone(&file),
            line,
            level,
        })
    };
    for (i, (here, there)) in doc.lines.iter().zip(&npm.lines).enumerate() {
        let (Some(entry), Some(npms)) = (&here.entry, &there.entry) else {
            continue;
        };
        if here.in_section || !is_owned(&entry.key) {
            continue;
        }
        let line = i + 1;
        if there.in_section {
            // A key npm leaves in a section and this reader reads.
            let opened_by = npm.lines[..i]
                .iter()
                .rposition(|l| l.is_section)
                .map_or(0, |at| at + 1);
            let how = match dialect {
                IniDialect::Pnpm12 => "skips section lines",
                _ => "reads that line as a key (it is not exactly `[name]`)",
            };
            let key = &entry.key;
            warnings.push(Warning::new(
                Code::NpmrcSectionReadApart,
                format!(
                    "`{key}` comes after line {opened_by}, which npm reads as a section; {reader} {how}, so it reads `{key}`, which npm never does: move it above line {opened_by} for every reader, or remove it"
                ),
                origin(line),
            ));
        }
        // Reported with a section finding too: moved above the section, it still differs.
        let is_registry = entry.key == "registry" || entry.key.ends_with(":registry");
        if entry.value != npms.value && is_registry {
            // Real pnpm 12.21 asked `/top/%20` for `registry=…/top/ # main`: nothing to
            // translate, and the source is refused until the line is mended.
            warnings.push(Warning::error(
                Code::NpmrcValueReadApart,
                format!(
                    "{reader} takes the whole text after `=` as the URL of `{}`, inline comment and backslashes included, and requests URLs no registry serves (a blank becomes `%20`); put the comment on a line of its own",
                    entry.key
                ),
                origin(line),
            ));
        } else if entry.value != npms.value {
            // The values themselves are left out: either can be a secret.
            warnings.push(Warning::new(
                Code::NpmrcValueReadApart,
                format!(
                    "{reader} takes the whole text after `=` as the value of `{}`, where npm and the other readers cut it at an inline `#` or `;` and read `\\` as an escape: they read two different values; put any comment on a line of its own, and write a value that needs `#`, `;` or `\\` in double quotes (\"…\", as JSON), which every reader decodes alike",
                    entry.key
                ),
                origin(line),
            ));
        }
    }
    Ok((model, warnings))
}

/// The model of a parsed document, with findings; `reader` names a reader other than npm
/// whose section lines the document was parsed with.
fn read_document(
    doc: &Document,
    file: &Path,
    level: Level,
    reader: Option<&str>,
) -> Result<(Model, Vec<Warning>), SyntaxError> {
    let settings = doc.settings_in_place()?;
    let mut model = Model::default();
    let mut warnings = Vec::new();
    let file = Origin::shared(file);
    let origin = |line| Origin {
        file: std::rc::Rc::clone(&file),
        line,
        level,
    };
    let value =
        |raw: &str, line| Value::new(Template::parse(raw, Dialect::Npm), Some(origin(line)));
    for (i, l) in doc.lines.iter().enumerate() {
        if let Some(e) = l.entry.as_ref().filter(|e| e.key.ends_with(":tokenHelper")) {
            warnings.push(Warning::new(
                Code::PnpmTokenHelper,
                format!(
                    "`{}` runs a program for the token, which only pnpm (user config) can do; pmrc cannot translate it: feed the token to the other managers through an environment variable",
                    e.key
                ),
                Some(origin(doc.line_number(i))),
            ));
        }
    }
    let reader_name = reader.unwrap_or("npm");
    for (line, key) in doc.owned_keys_in_sections() {
        warnings.push(Warning::new(
            Code::NpmrcKeyInSection,
            format!(
                "`{key}` comes after a `[section]` line, so {reader_name} never reads it; pmrc ignores it too"
            ),
            Some(origin(line)),
        ));
    }
    for setting in settings {
        let key = setting.key;
        let line = setting.line;
        if let Some(at) = setting.kept_quote {
            let (_, column) = crate::formats::line_col(&doc.text, at);
            let shown = match &setting.value {
                ValueInPlace::Scalar(v) => *v,
                ValueInPlace::List(items) => items.last().copied().unwrap_or(""),
            };
            warnings.push(Warning::new(
                Code::NpmrcQuotedValueKept,
                kept_quote_message(key, shown, column),
                Some(origin(line)),
            ));
        }
        let scalar = match &setting.value {
            ValueInPlace::Scalar(s) => *s,
            ValueInPlace::List(items) => {
                model.tls.ca = items.iter().map(|i| value(i, line)).collect();
                continue;
            }
        };
        // npm's own ways of saying "not set" (spec errata): no value at all for these keys.
        match (key, scalar) {
            (
                "proxy" | "https-proxy" | "strict-ssl" | "cafile" | "ca" | "cert" | "key"
                | "noproxy",
                "null",
            )
            | ("proxy" | "https-proxy", "false") => continue,
            ("cafile", "") => {
                warnings.push(Warning::error(
                    Code::NpmEmptyCafile,
                    "`cafile=` has no value: every npm command in this folder exits 235 with no message",
                    Some(origin(line)),
                ));
                continue;
            }
            _ => {}
        }
        let v = value(scalar, line);
        if let Some((location, name)) = split_nerf_key(key) {
            // Most keys name no scope: no substring search for them.
            let scope_token = location
                .contains('@')
                .then(|| location.rsplit_once(":@"))
                .flatten();
            let auth_key = match scope_token {
                // pnpm 11/12's per-scope token: `//host/path/:@scope:_authToken`.
                Some((_, scope)) => {
                    warnings.push(Warning::note(
                        Code::PnpmScopeToken,
                        format!(
                            "`{key}` is a pnpm 11/12 scope token; npm, Yarn 1, Bun and Deno ignore it"
                        ),
                        Some(origin(line)),
                    ));
                    AuthKey::Scope(scope.to_string())
                }
                None => AuthKey::Url(location.to_string()),
            };
            let creds = model.auth.entry(auth_key).or_default();
            set_credential(creds, name, v);
            if name == "always-auth" {
                warnings.push(Warning::note(
                    Code::NpmAlwaysAuthIgnored,
                    format!("`{key}` has no effect in npm 7+ (Yarn still honours it)"),
                    Some(origin(line)),
                ));
            }
            continue;
        }
        if let Some(scope) = scope_of_registry_key(key) {
            model.scopes.entry(scope.to_string()).or_default().registry = Some(v);
            continue;
        }
        match key {
            "registry" => model.registry = Some(v),
            "strict-ssl" => model.tls.strict_ssl = Some(v),
            "ca" => model.tls.ca = vec![v],
            "cafile" => model.tls.cafile = Some(v),
            "cert" => model.tls.cert = Some(v),
            "key" => model.tls.key = Some(v),
            "proxy" => model.proxy.http = Some(v),
            "https-proxy" => model.proxy.https = Some(v),
            "noproxy" => model.proxy.noproxy = Some(v),
            "always-auth" => {
                warnings.push(Warning::note(
                    Code::NpmAlwaysAuthIgnored,
                    "`always-auth` has no effect in npm 7+ (Yarn still honours it)",
                    Some(origin(line)),
                ));
                model.always_auth = Some(v);
            }
            legacy => {
                warnings.push(Warning::new(
                    Code::NpmLegacyTopLevelAuth,
                    format!(
                        "top-level `{legacy}` is refused by npm 9+ (ERR_INVALID_AUTH for the whole file); pmrc treats it as the default registry's credential, as `npm config fix` would"
                    ),
                    Some(origin(line)),
                ));
                let creds = model.auth.entry(AuthKey::Fallback).or_default();
                set_credential(creds, legacy, v);
            }
        }
    }
    Ok((model, warnings))
}

fn set_credential(creds: &mut Credentials, name: &str, v: Value) {
    match name {
        "_authToken" => creds.token = Some(v),
        "_auth" => creds.ident = Some(v),
        "username" => creds.username = Some(v),
        "_password" => {
            creds.password = Some(v);
            creds.password_encoding = Some(PasswordEncoding::Base64);
        }
        "certfile" => creds.certfile = Some(v),
        "keyfile" => creds.keyfile = Some(v),
        "always-auth" => creds.always_auth = Some(v),
        _ => unreachable!("only credential names reach here"),
    }
}

/// The settings a model means in `.npmrc`, in the order npm users expect to read them.
/// The model must already be in npm's terms (see `translate`): URL keys and a base64
/// password.
/// The `.npmrc` key of each field of one credential entry, with its value; nothing for an
/// entry `.npmrc` cannot key (Yarn's fallback, Bun's default registry, a scope token whose
/// scope has no registry).
pub fn each_credential_setting(
    key: &AuthKey,
    creds: &Credentials,
    scopes: &BTreeMap<String, Scope>,
    dialect: Dialect,
    mut each: impl FnMut(String, &Value),
) {
    let prefix = match key {
        AuthKey::Url(location) => [location, ":"].concat(),
        // pnpm's scope token, keyed by the scope's registry; other managers ignore it.
        AuthKey::Scope(scope) => {
            let registry = scopes.get(scope).and_then(|s| s.registry.as_ref());
            let Some(url) = registry.and_then(|r| RegistryUrl::parse(&r.value.render(dialect).0))
            else {
                return;
            };
            format!("{}:@{scope}:", url.registry_nerf_dart())
        }
        AuthKey::Fallback | AuthKey::DefaultRegistry => return,
    };
    for (field, v) in [
        ("_authToken", &creds.token),
        ("_auth", &creds.ident),
        ("username", &creds.username),
        ("_password", &creds.password),
        ("certfile", &creds.certfile),
        ("keyfile", &creds.keyfile),
        ("always-auth", &creds.always_auth),
    ] {
        if let Some(v) = v {
            each([&prefix, field].concat(), v);
        }
    }
}

pub fn wanted(model: &Model, manager: Manager) -> Wanted {
    let dialect = manager.dialect();
    let mut out: Wanted = Vec::new();
    let mut push = |key: String, v: Option<&Value>| {
        if let Some(v) = v {
            out.push((
                [key].into(),
                SettingValue::Scalar(v.value.render(dialect).0),
            ));
        }
    };
    push("registry".into(), model.registry.as_ref());
    for (scope, s) in &model.scopes {
        if s.registry.is_some() {
            push(["@", scope, ":registry"].concat(), s.registry.as_ref());
        }
    }
    for (key, creds) in &model.auth {
        each_credential_setting(key, creds, &model.scopes, dialect, |key, v| {
            push(key, Some(v))
        });
    }
    push("always-auth".into(), model.always_auth.as_ref());
    push("strict-ssl".into(), model.tls.strict_ssl.as_ref());
    push("cafile".into(), model.tls.cafile.as_ref());
    match model.tls.ca.as_slice() {
        [] => {}
        [one] => push("ca".into(), Some(one)),
        many => out.push((
            ["ca".into()].into(),
            SettingValue::List(many.iter().map(|v| v.value.render(dialect).0).collect()),
        )),
    }
    let mut push = |key: &str, v: &Option<Value>| {
        if let Some(v) = v {
            out.push((
                [key.into()].into(),
                SettingValue::Scalar(v.value.render(dialect).0),
            ));
        }
    };
    push("cert", &model.tls.cert);
    push("key", &model.tls.key);
    // pnpm 11/12 take `httpProxy` from the yaml, which pmrc writes it to, and `.npmrc`'s
    // `proxy` serves their https requests where no https proxy is set (from a trial: real
    // pnpm 11.28.11 and 12.21.0 sent https requests through a `proxy=` written beside the
    // yaml's `httpProxy`, where Yarn went direct). A proxy URL with credentials stays in
    // `.npmrc` only (the yaml is committed).
    let http_in_yaml_only = model.proxy.https.is_none()
        && manager.rules().reads_workspace_yaml_routing()
        && manager
            .rules()
            .targets()
            .iter()
            .any(|f| f.format == super::Format::PnpmWorkspace)
        && model.proxy.http.as_ref().is_some_and(|v| {
            crate::redact::url_secret_spans(&v.value.render(dialect).0).is_empty()
        });
    if !http_in_yaml_only {
        push("proxy", &model.proxy.http);
    }
    push("https-proxy", &model.proxy.https);
    push("noproxy", &model.proxy.noproxy);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `doctor --fix` for `cafile=` without a value (npm exits 235): those lines go, a
    /// `cafile` with a value, one in a section, `cafile=null` and every other byte stay.
    #[test]
    fn empty_cafile_lines_go_and_nothing_else() {
        let text = "; c\r\ncafile=\r\nregistry=https://r.example/\ncafile = \"\"\ncafile=null\n[s]\ncafile=\n";
        assert_eq!(
            without_empty_cafile(text).unwrap(),
            "; c\r\nregistry=https://r.example/\ncafile=null\n[s]\ncafile=\n"
        );
        assert_eq!(
            without_empty_cafile("\u{feff}cafile=\nregistry=x\n").unwrap(),
            "\u{feff}registry=x\n"
        );
        assert_eq!(
            without_byte_order_mark("\u{feff}; team\nregistry=x\n"),
            None
        );
        assert_eq!(without_empty_cafile("cafile=/etc/ca.pem\n"), None);
        assert_eq!(
            without_byte_order_mark("\u{feff}registry=x\n").as_deref(),
            Some("registry=x\n")
        );
        assert_eq!(without_byte_order_mark("registry=x\n"), None);
    }

    fn value_of(text: &str, key: &str) -> Option<String> {
        Document::parse(text)
            .settings()
            .unwrap()
            .into_iter()
            .find(|s| s.path[0] == key)
            .map(|s| match s.value {
                SettingValue::Scalar(v) => v,
                SettingValue::List(v) => v.join("|"),
            })
    }

    #[test]
    fn inline_comments_cut_unquoted_values() {
        // spec/npm.md §9 #1, #2, #3
        assert_eq!(
            value_of("registry=https://r.example/ ; trailing", "registry").unwrap(),
            "https://r.example/"
        );
        assert_eq!(
            value_of("registry=http://x/#frag", "registry").unwrap(),
            "http://x/"
        );
        assert_eq!(
            value_of("//h/:_authToken=abc#def", "//h/:_authToken").unwrap(),
            "abc"
        );
    }

    #[test]
    fn quoted_values_are_json() {
        // §9 #4, #6, #7
        assert_eq!(
            value_of("//h/:_authToken=\"abc#def\"", "//h/:_authToken").unwrap(),
            "abc#def"
        );
        assert_eq!(
            value_of("proxy=\"abc\" ; comment", "proxy").unwrap(),
            "\"abc\""
        );
        assert_eq!(value_of("proxy='a ; b'", "proxy").unwrap(), "a ; b");
        assert_eq!(value_of("proxy='\"inner\"'", "proxy").unwrap(), "inner");
    }

    #[test]
    fn spaces_around_equals_and_value_are_trimmed() {
        // §9 #5
        assert_eq!(
            value_of("//h/:_authToken =   spaced tok  ", "//h/:_authToken").unwrap(),
            "spaced tok"
        );
    }

    #[test]
    fn escapes_in_unquoted_values() {
        assert_eq!(
            value_of("proxy=a\\;b\\#c\\\\d\\ne", "proxy").unwrap(),
            "a;b#c\\d\\ne"
        );
    }

    #[test]
    fn last_duplicate_wins_and_ca_lists_merge() {
        // §9 #13, #14
        assert_eq!(
            value_of("registry=a\nregistry=b\n", "registry").unwrap(),
            "b"
        );
        assert_eq!(value_of("ca=one\nca[]=two\n", "ca").unwrap(), "one|two");
        assert_eq!(value_of("ca[]=one\nca=two\n", "ca").unwrap(), "one|two");
    }

    /// What a conversion to pnpm 12 writes of the lines pnpm 12 reads otherwise than npm:
    /// npm's value, read alike by both, with the comment above on the line's own ending.
    /// Not a key in a section npm skips, a line that is not pmrc's, nor the first line
    /// after a byte-order mark.
    #[test]
    fn values_read_apart_are_written_to_read_alike() {
        let mend = |text: &str| mend_values_read_apart(text, IniDialect::Pnpm12);
        let text = "registry=https://r.example.test/\r\n//r.example.test/:_authToken=fake-tok # was: fake-old\n//r.example.test/:_password=a\\\\b ; c\r\nsave-exact=true # mine\n[s]\n//s.example.test/:_authToken=fake-s # kept\n";
        let mended = mend(text).expect("two lines to mend");
        assert_eq!(
            mended.text,
            "registry=https://r.example.test/\r\n# was: fake-old\n//r.example.test/:_authToken=fake-tok\n; c\r\n//r.example.test/:_password=\"a\\\\b\"\r\nsave-exact=true # mine\n[s]\n//s.example.test/:_authToken=fake-s # kept\n"
        );
        // Both comments came out of a secret's line.
        let comments: Vec<&str> = mended
            .secret_comments
            .iter()
            .map(|r| &mended.text[r.clone()])
            .collect();
        assert_eq!(comments, ["# was: fake-old", "; c"]);
        let pnpm12 = |t: &str| {
            Document::parse_with(t, IniDialect::Pnpm12)
                .settings()
                .unwrap()
        };
        let npm = |t: &str| Document::parse(t).settings().unwrap();
        let values = |held: Vec<Setting>| held.into_iter().map(|s| s.value).collect::<Vec<_>>();
        assert_eq!(values(npm(&mended.text)), values(npm(text)));
        assert_eq!(values(pnpm12(&mended.text))[..3], values(npm(text))[..]);
        // Nothing to do, and a first line after a byte-order mark (Deno drops it).
        assert!(mend("registry=https://r.example.test/\n").is_none());
        assert!(mend("\u{feff}//r.example.test/:_authToken=fake-tok # c\n").is_none());
    }

    #[test]
    fn readers_part_only_where_their_ini_does() {
        use IniDialect::{Ini138, Npm, Pnpm12};
        let cases: &[(&str, IniDialect, bool)] = &[
            ("[s]\na=1\n", Npm, false),
            ("[s]\na=1\n", Ini138, false),
            ("[s]\na=1\n", Pnpm12, true),
            ("[s] \na=1\n", Ini138, true),
            ("[s]\r\na=1\r\n", Ini138, false),
            (" [s]\na=1\n", Ini138, false),
            (
                "# a comment; with \"quotes\"\n  ; another\na=1\n",
                Pnpm12,
                false,
            ),
            ("a=1 # note\n", Pnpm12, true),
            ("a=1 # note\n", Ini138, false),
            ("a=x\\y\n", Pnpm12, true),
            ("a=\"v\"\n", Pnpm12, true),
            ("\"a\"=v\n", Pnpm12, false),
            ("registry=https://[::1]:4873/\n", Ini138, false),
            // A lone carriage return ends a line too.
            ("a=1\r[s] \rb=2\r", Ini138, true),
            ("a=1\r[s]\rb=2\r", Ini138, false),
            // `[^\]]*`: a `]` inside makes the line a key in every ini.
            ("[a]b]\nc=1\n", Ini138, false),
            ("", Pnpm12, false),
        ];
        for &(text, dialect, apart) in cases {
            assert_eq!(read_apart(text, dialect), apart, "{text:?} {dialect:?}");
        }
    }

    #[test]
    fn sections_swallow_what_follows() {
        // §9 #18, #19
        let text = "registry=https://a.example/\n[x]\nregistry=https://b.example/\n";
        assert_eq!(value_of(text, "registry").unwrap(), "https://a.example/");
        let (_, warnings) = read(text, Path::new(".npmrc"), Level::Project).unwrap();
        assert_eq!(warnings[0].code, "npmrc-key-in-section");
    }

    #[test]
    fn bom_crlf_and_lone_cr_are_line_breaks() {
        // §9 #20
        let text = "\u{feff}registry=https://a.example/\r\nproxy=http://p/\rnoproxy=x";
        assert_eq!(value_of(text, "registry").unwrap(), "https://a.example/");
        assert_eq!(value_of(text, "proxy").unwrap(), "http://p/");
        assert_eq!(value_of(text, "noproxy").unwrap(), "x");
    }

    #[test]
    fn keys_are_case_sensitive_and_bare_keys_are_true() {
        // §9 #11, #21
        assert_eq!(value_of("Registry=http://x/", "registry"), None);
        assert_eq!(value_of("strict-ssl", "strict-ssl").unwrap(), "true");
    }

    #[test]
    fn line_starting_with_equals_is_skipped() {
        assert!(Document::parse("=x\n").settings().unwrap().is_empty());
    }

    /// npm keeps a quote it cannot close as part of the value (spec/npm.md §2), and so do
    /// the other readers: read as npm sends it, with a finding at the quote's column, and
    /// the same place for `convert`, which stops on it.
    #[test]
    fn unterminated_quote_is_read_with_the_quote_and_found_at_its_column() {
        let text = "registry=https://a/\n//h/:_authToken=\"npm_FAKE_open\n";
        assert_eq!(
            value_of(text, "//h/:_authToken").unwrap(),
            "\"npm_FAKE_open"
        );
        let (_, warnings) = read(text, Path::new(".npmrc"), Level::Project).unwrap();
        let kept: Vec<_> = warnings
            .iter()
            .filter(|w| w.code == Code::NpmrcQuotedValueKept)
            .collect();
        assert_eq!(kept.len(), 1, "{warnings:?}");
        assert_eq!(kept[0].origin.as_ref().unwrap().line, 2);
        assert!(kept[0].message.contains("never closed (column 17)"));
        assert!(
            kept[0]
                .message
                .contains("sends the token with the quote character")
        );
        assert!(
            !kept[0].message.contains("npm_FAKE"),
            "a secret in {kept:?}"
        );
        let err = kept_quote_error(text).unwrap();
        assert_eq!((err.line, err.column), (2, 17));
    }

    /// §9 #22: a double-quoted value JSON refuses (`\U` is no JSON escape) keeps its quotes
    /// in npm; the finding names the readers that read it otherwise.
    #[test]
    fn double_quoted_invalid_json_is_read_with_its_quotes_and_found() {
        let text = "cafile=\"C:\\Users\\me\"\n";
        assert_eq!(value_of(text, "cafile").unwrap(), "\"C:\\Users\\me\"");
        let (model, warnings) = read(text, Path::new(".npmrc"), Level::Project).unwrap();
        assert!(model.tls.cafile.is_some());
        let kept = warnings
            .iter()
            .find(|w| w.code == Code::NpmrcQuotedValueKept)
            .expect("a finding");
        assert!(
            kept.message
                .contains("looks for a CA file whose name has the quote characters")
        );
        assert!(
            kept.message
                .contains("Deno drops the quotes, and pnpm 10 ignores the whole file")
        );
        assert_eq!(lines_keeping_quotes(text), [1]);
        let err = kept_quote_error(text).unwrap();
        assert_eq!((err.line, err.column), (1, 8));
        // Valid JSON in quotes is no finding, nor a line npm never reads.
        assert!(kept_quote_error("cafile=\"C:\\\\Users\"\n[s]\nregistry=\"x\n").is_none());
    }

    #[test]
    fn reads_nerf_darts_scopes_and_legacy_auth() {
        let text = "@acme:registry=https://npm.pkg.example/\n//npm.pkg.example/:_authToken=${NODE_AUTH_TOKEN}\n_auth=abc\n";
        let (model, warnings) = read(text, Path::new(".npmrc"), Level::Project).unwrap();
        assert!(model.scopes["acme"].registry.is_some());
        let creds = &model.auth[&AuthKey::Url("//npm.pkg.example/".into())];
        assert!(creds.token.as_ref().unwrap().value.has_env());
        assert!(model.auth.contains_key(&AuthKey::Fallback));
        assert_eq!(warnings[0].code, "npm-legacy-top-level-auth");
    }

    #[test]
    fn secret_spans_cover_literal_tokens_and_url_passwords_only() {
        let text = "//a/:_authToken=LITERAL\n//b/:_authToken=${T}\nproxy=http://u:pw@p/\n";
        let masked = redact::mask(text, &Document::parse(text).secret_spans());
        assert_eq!(
            masked,
            "//a/:_authToken=***\n//b/:_authToken=${T}\nproxy=http://u:***@p/\n"
        );
    }

    fn edit(text: &str, wanted: &[(&str, &str)]) -> String {
        let wanted: Wanted = wanted
            .iter()
            .map(|(k, v)| ([k.to_string()].into(), SettingValue::Scalar(v.to_string())))
            .collect();
        Document::parse(text).edit(&wanted)
    }

    #[test]
    fn legacy_auth_moves_to_the_registry_key() {
        let text =
            "# corp\nregistry=https://r.example/npm/\n_authToken=${NPM_TOKEN}\nsave-exact=true\n";
        assert_eq!(
            fix_legacy_auth(text).unwrap(),
            "# corp\nregistry=https://r.example/npm/\nsave-exact=true\n//r.example/npm/:_authToken=${NPM_TOKEN}\n"
        );
        assert_eq!(fix_legacy_auth("registry=https://r/\n"), None);
    }

    #[test]
    fn edit_replaces_only_the_value_span() {
        let text = "# comment\nregistry = https://old.example/  ; why\nsave-exact=true\n";
        assert_eq!(
            edit(text, &[("registry", "https://new.example/")]),
            "# comment\nregistry = https://new.example/  ; why\nsave-exact=true\n"
        );
    }

    #[test]
    fn edit_keeps_crlf_and_missing_final_newline() {
        let text = "a=1\r\nregistry=https://old/";
        assert_eq!(
            edit(
                text,
                &[("registry", "https://old/"), ("//h/:_authToken", "${T}")]
            ),
            "a=1\r\nregistry=https://old/\r\n//h/:_authToken=${T}"
        );
    }

    #[test]
    fn edit_removes_unwanted_keys_and_keeps_earlier_duplicates() {
        let text = "registry=a\nx=1\nregistry=b\n@s:registry=c\n";
        assert_eq!(
            edit(text, &[("registry", "b")]),
            "registry=a\nx=1\nregistry=b\n"
        );
        assert_eq!(
            edit(text, &[("registry", "z")]),
            "registry=a\nx=1\nregistry=z\n"
        );
        assert_eq!(edit(text, &[]), "x=1\n");
    }

    #[test]
    fn edit_adds_before_a_section() {
        let text = "x=1\n\n[sec]\nk=v\n";
        assert_eq!(
            edit(text, &[("registry", "r")]),
            "x=1\nregistry=r\n\n[sec]\nk=v\n"
        );
    }

    #[test]
    fn edit_of_unchanged_settings_is_identity() {
        let text = "; c\r\n registry = \"https://a/\" \r\nca=one\n//h/:_authToken=${T}\nca[]=two\n\nother=1";
        let wanted = crate::formats::wanted_from(&Document::parse(text).settings().unwrap());
        assert_eq!(Document::parse(text).edit(&wanted), text);
    }

    #[test]
    fn encode_round_trips_awkward_values() {
        for v in ["a;b", "a#b", " lead", "C:\\x", "\"q\"", "plain==", "${T}"] {
            let text = format!("proxy={}\n", encode_value(v));
            assert_eq!(value_of(&text, "proxy").unwrap(), v, "{text}");
        }
    }
}
