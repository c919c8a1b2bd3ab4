//! The common shape of a config YAML file, read in one pass: block mappings and block
//! sequences of one-line scalars, with comments and blank lines. Anything else (anchors,
//! aliases, tags, flow collections, block or multi-line scalars, directives, complex keys,
//! tabs, a key repeated in a mapping...) is `None`, and the callers then read the document
//! with serde-saphyr as before. This reader only has to be right when it answers: serde-saphyr
//! stays the reference, and reading a large `.yarnrc.yml` with it was most of a run (issue 20).

use std::convert::Infallible;
use std::ops::Range;
use std::rc::Rc;

/// A node of the simple shape. The document itself is a [`Node::Map`] or, when it holds
/// nothing but comments and blank lines, [`Node::Empty`].
#[derive(Debug, PartialEq)]
pub enum Node {
    /// `key:` with nothing after it (YAML's null).
    Empty,
    Scalar(Scalar),
    /// The entries in the document's order; no key appears twice.
    Map(Vec<Entry>),
    /// `- item` lines, each one scalar.
    Seq(Vec<Scalar>),
}

#[derive(Debug, PartialEq)]
pub struct Entry {
    pub key: Scalar,
    pub value: Node,
    /// Byte offset past the entry's last line and its line break (comment lines that follow
    /// are not the entry's).
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
}

/// One scalar: its decoded value and where it is written (the quotes included), in the
/// units serde-saphyr reports: 1-based line and column, column and offset in characters.
#[derive(Debug, PartialEq)]
pub struct Scalar {
    pub value: Box<str>,
    pub style: Style,
    /// Byte range in the document, in 32 bits: a file past 4 GiB is left to serde-saphyr.
    pub bytes: Range<u32>,
    // 32 bits, as serde-saphyr keeps them: the tree is kept for the run (issue 20's memory).
    pub line: u32,
    pub column: u32,
    pub char_offset: u32,
    pub char_len: u32,
}

/// What a plain scalar means to serde-saphyr when the target has no type of its own
/// (`serde_json::Value`, an untagged enum): `None` when this reader is not sure.
#[derive(Debug, PartialEq)]
pub enum Plain {
    Null,
    Bool(bool),
    Unsigned(u64),
    Negative(i64),
    Str,
}

impl Scalar {
    /// The byte range in the document, the quotes included.
    pub fn range(&self) -> Range<usize> {
        self.bytes.start as usize..self.bytes.end as usize
    }

    /// The plain text `~`, `null`, `Null`, `NULL` (an empty value is [`Node::Empty`]).
    pub fn is_null(&self) -> bool {
        self.style == Style::Plain && matches!(&*self.value, "~" | "null" | "Null" | "NULL")
    }

    /// The scalar's type as serde-saphyr infers it: YAML 1.1 booleans in any case, decimal
    /// integers; anything else that could be a number (a sign, a leading digit or dot) is
    /// left to serde-saphyr.
    pub fn plain(&self) -> Option<Plain> {
        if self.style != Style::Plain {
            return Some(Plain::Str);
        }
        if self.is_null() {
            return Some(Plain::Null);
        }
        let v = &*self.value;
        let bool_of = |words: [&str; 4]| words.iter().any(|w| v.eq_ignore_ascii_case(w));
        if bool_of(["true", "yes", "y", "on"]) {
            return Some(Plain::Bool(true));
        }
        if bool_of(["false", "no", "n", "off"]) {
            return Some(Plain::Bool(false));
        }
        let Some(first) = v.bytes().next() else {
            return Some(Plain::Null);
        };
        if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
            return Some(Plain::Str);
        }
        // A path such as `.yarn/releases/...`: a float after a dot starts with a digit, and
        // the only other ones are `.inf` and `.nan`.
        let after_dot = v.strip_prefix('.').and_then(|r| r.chars().next());
        if after_dot.is_some_and(|c| !c.is_ascii_digit())
            && !matches!(v.to_ascii_lowercase().as_str(), ".inf" | ".nan")
        {
            return Some(Plain::Str);
        }
        let digits = v.strip_prefix('-').unwrap_or(v);
        let decimal = digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || digits.starts_with(|c: char| ('1'..='9').contains(&c)));
        match (decimal, v.starts_with('-')) {
            (true, false) => v.parse().ok().map(Plain::Unsigned),
            (true, true) if digits != "0" => v.parse().ok().map(Plain::Negative),
            _ => None,
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Set by tests that read documents the reference way alone, to compare.
    pub static REFERENCE_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// How many typed reads the fast path answered, so that tests know it did.
    pub static FAST_TYPED_READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The document read once per run for each exact text ([`super::kept`]).
pub fn parsed(text: &str) -> Rc<Option<Node>> {
    #[cfg(test)]
    if REFERENCE_ONLY.get() {
        return Rc::new(None);
    }
    match super::kept::parsed(text, |t| Ok::<_, Infallible>(read(t))) {
        Ok(doc) => doc,
        Err(never) => match never {},
    }
}

/// `text` as a tree when it has the simple shape throughout, otherwise `None`.
pub fn read(text: &str) -> Option<Node> {
    let lines = lines(text)?;
    let Some(first) = lines.first() else {
        return Some(Node::Empty);
    };
    let mut at = 0;
    let root = block(&lines, &mut at, first.indent, 0, &mut Vec::new())?;
    (at == lines.len() && matches!(root, Node::Map(_))).then_some(root)
}

/// A line that holds content (not blank, not only a comment).
struct Line<'a> {
    text: &'a str,
    indent: usize,
    /// Byte offset of the line's start in the document.
    start: usize,
    /// Byte offset past the line's break (or the document's end).
    end: usize,
    number: usize,
    /// Character offset of the line's start in the document.
    char_start: usize,
}

impl Line<'_> {
    fn is_item(&self) -> bool {
        let rest = &self.text[self.indent..];
        rest == "-" || rest.starts_with("- ")
    }
}

/// The content lines, or `None` for characters or lines this reader leaves alone.
fn lines(text: &str) -> Option<Vec<Line<'_>>> {
    let bytes = text.as_bytes();
    // Without an early exit, so that the compiler can take many bytes at a time: this looks
    // at every byte of a large file.
    let printable = bytes.iter().fold(true, |ok, &b| {
        ok & ((b >= 0x20 && b != 0x7f) || b == b'\n' || b == b'\r')
    });
    // A carriage return only before a line feed.
    let bytes_ok = printable
        && (!text.contains('\r')
            || text
                .match_indices('\r')
                .all(|(i, _)| bytes.get(i + 1) == Some(&b'\n')));
    // C1 controls (NEL among them), the Unicode line separators, a BOM and the non-characters.
    let chars_ok = text.is_ascii()
        || !text.chars().any(|c| {
            ('\u{80}'..='\u{9f}').contains(&c)
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                )
        });
    if !(bytes_ok && chars_ok) {
        return None;
    }
    let mut out = Vec::with_capacity(super::line_count_hint(text));
    let (mut start, mut char_start) = (0, 0);
    let ascii = text.is_ascii();
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let content = skip_spaces(line);
        if ["---", "...", "%"].iter().any(|m| line.starts_with(m)) {
            return None;
        }
        if !(content.is_empty() || content.starts_with('#')) {
            out.push(Line {
                text: line,
                indent: line.len() - content.len(),
                start,
                end: (start + raw.len() + 1).min(text.len()),
                number: i + 1,
                char_start,
            });
        }
        start += raw.len() + 1;
        char_start += if ascii { raw.len() } else { char_count(raw) } + 1;
    }
    Some(out)
}

/// `s` after its leading blanks: a byte loop, where `trim_start_matches(' ')` goes through the
/// general pattern search (each scalar of a large file asks, issue 20).
fn skip_spaces(s: &str) -> &str {
    let blanks = s.bytes().take_while(|&b| b == b' ').count();
    &s[blanks..]
}

/// `s` without its trailing blanks, as [`skip_spaces`].
fn trim_end_spaces(s: &str) -> &str {
    let blanks = s.bytes().rev().take_while(|&b| b == b' ').count();
    &s[..s.len() - blanks]
}

fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Up to this many keys, a map's keys are compared pairwise rather than sorted.
const SMALL_MAP: usize = 8;

/// How deep mappings may nest here: config files are shallow, and the recursion below must
/// not exhaust the stack on a hostile file (serde-saphyr has its own limits).
const MAX_DEPTH: usize = 64;

/// The mapping or sequence whose lines start at `indent`, `depth` levels down, from line `*at`
/// on. A map's entries gather on `pending`, above those of the maps it sits in, and move into
/// a vector of their exact size once complete: thousands of small maps, each allocated once.
fn block(
    lines: &[Line],
    at: &mut usize,
    indent: usize,
    depth: usize,
    pending: &mut Vec<Entry>,
) -> Option<Node> {
    if depth > MAX_DEPTH {
        return None;
    }
    if lines[*at].is_item() {
        let mut items = Vec::new();
        while let Some(line) = lines.get(*at).filter(|l| l.indent >= indent) {
            if line.indent > indent || !line.is_item() {
                return None;
            }
            let (item, rest) = scalar(line, indent + 2, false)?;
            if !is_line_end(rest) {
                return None;
            }
            items.push(item);
            *at += 1;
        }
        items.shrink_to_fit();
        return Some(Node::Seq(items));
    }
    let base = pending.len();
    while let Some(line) = lines.get(*at).filter(|l| l.indent >= indent) {
        if line.indent > indent || line.is_item() {
            return None;
        }
        let (key, rest) = scalar(line, indent, true)?;
        let rest = &rest[1..];
        *at += 1;
        let value = if !is_line_end(rest) {
            let from = line.text.len() - skip_spaces(rest).len();
            let (value, after) = scalar(line, from, false)?;
            if !is_line_end(after) {
                return None;
            }
            Node::Scalar(value)
        } else {
            match lines.get(*at) {
                Some(next) if next.indent > indent => {
                    block(lines, at, next.indent, depth + 1, pending)?
                }
                // A sequence at the key's own indentation is YAML, but not this reader's.
                Some(next) if next.indent == indent && next.is_item() => return None,
                _ => Node::Empty,
            }
        };
        let end = lines[*at - 1].end;
        pending.push(Entry { key, value, end });
    }
    let entries: Vec<Entry> = pending.drain(base..).collect();
    let repeated = if entries.len() <= SMALL_MAP {
        // Most maps (a scope's, a registry's) hold a few keys: compared in place.
        entries.iter().enumerate().any(|(i, e)| {
            entries[..i]
                .iter()
                .any(|earlier| earlier.key.value == e.key.value)
        })
    } else {
        // Sorted rather than hashed: a large config's maps have thousands of keys.
        let mut keys: Vec<&str> = entries.iter().map(|e| &*e.key.value).collect();
        keys.sort_unstable();
        keys.windows(2).any(|pair| pair[0] == pair[1])
    };
    (!repeated).then_some(Node::Map(entries))
}

/// Nothing but spaces and maybe a comment (which needs a space before it).
fn is_line_end(rest: &str) -> bool {
    let content = skip_spaces(rest);
    content.is_empty() || (content.starts_with('#') && content.len() < rest.len())
}

/// The scalar at byte `from` of `line` and the rest of the line after it; a key's rest starts
/// with its `:`. A sequence item's `from` points at its `- `.
fn scalar<'a>(line: &Line<'a>, from: usize, key: bool) -> Option<(Scalar, &'a str)> {
    let from = if key {
        from
    } else {
        from + line.text.get(from..)?.len() - skip_spaces(&line.text[from..]).len()
    };
    let text = &line.text[from..];
    let (value, style, raw_len) = match text.as_bytes().first()? {
        b'\'' => single_quoted(text)?,
        b'"' => double_quoted(text)?,
        _ => (plain(text, key)?, Style::Plain, 0),
    };
    let raw_len = if style == Style::Plain {
        value.len()
    } else {
        raw_len
    };
    let rest = &text[raw_len..];
    if key {
        let after = skip_spaces(rest);
        let separated = after.starts_with(':') && (after.len() == 1 || after[1..].starts_with(' '));
        if !separated || raw_len > 1024 {
            return None;
        }
    }
    let column = char_count(&line.text[..from]) + 1;
    let scalar = Scalar {
        char_len: char_count(&text[..raw_len]).try_into().ok()?,
        bytes: (line.start + from).try_into().ok()?
            ..(line.start + from + raw_len).try_into().ok()?,
        line: line.number.try_into().ok()?,
        column: column.try_into().ok()?,
        char_offset: (line.char_start + column - 1).try_into().ok()?,
        value: value.into_boxed_str(),
        style,
    };
    // Implicit keys are at most 1024 characters. A plain key must be a plain string: serde-
    // saphyr compares typed keys by value (`1` and `0x1` are one key), a null key is not a
    // string, and `<<` may be a merge.
    if key
        && style == Style::Plain
        && (scalar.plain() != Some(Plain::Str) || &*scalar.value == "<<")
    {
        return None;
    }
    let rest = if key { skip_spaces(rest) } else { rest };
    Some((scalar, rest))
}

/// A plain scalar that ends at a comment or the end of the line (a key: at its `: `).
fn plain(text: &str, key: bool) -> Option<String> {
    let mut chars = text.chars();
    let first = chars.next()?;
    let second = chars.next();
    let indicator = matches!(
        first,
        '-' | '?'
            | ':'
            | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
    );
    let may_start =
        !indicator || (matches!(first, '-' | '?' | ':') && second.is_some_and(|c| c != ' '));
    if !may_start {
        return None;
    }
    // One pass for whichever comes first, a comment (` #`) or a mapping separator (`: `, or
    // `:` at the end): a key ends at its separator, and one after a comment is no key; a
    // value ends at its comment, and one with `: ` or a final `:` before that is a mapping.
    enum Mark {
        Comment(usize),
        Separator(usize),
    }
    // Only a `#` or a `:` can mark either: a large file's values are thousands of URLs and
    // tokens, looked at where those two stand rather than byte by byte (issue 20).
    let bytes = text.as_bytes();
    let first = memchr::memchr2_iter(b'#', b':', bytes).find_map(|i| match bytes[i] {
        b'#' if i > 0 && bytes[i - 1] == b' ' => Some(Mark::Comment(i - 1)),
        b':' if bytes.get(i + 1).is_none_or(|&n| n == b' ') => Some(Mark::Separator(i)),
        _ => None,
    });
    let end = match (first, key) {
        (Some(Mark::Separator(at)), true) | (Some(Mark::Comment(at)), false) => at,
        (None, false) => text.len(),
        (Some(Mark::Comment(_)), true) | (Some(Mark::Separator(_)), false) | (None, true) => {
            return None;
        }
    };
    Some(trim_end_spaces(&text[..end]).to_string())
}

/// `'...'` on one line: the value, and the length written.
fn single_quoted(text: &str) -> Option<(String, Style, usize)> {
    let mut value = String::new();
    let mut rest = &text[1..];
    loop {
        let quote = rest.find('\'')?;
        value.push_str(&rest[..quote]);
        rest = &rest[quote + 1..];
        match rest.strip_prefix('\'') {
            Some(more) => {
                value.push('\'');
                rest = more;
            }
            None => return Some((value, Style::SingleQuoted, text.len() - rest.len())),
        }
    }
}

/// `"..."` on one line with the common escapes (`\\ \" \/ \n \t \r \uXXXX`): the value, and the
/// length written. Other escapes are left to serde-saphyr.
fn double_quoted(text: &str) -> Option<(String, Style, usize)> {
    let body = &text[1..];
    if let Some(end) = body.find(['"', '\\'])
        && body[end..].starts_with('"')
    {
        return Some((body[..end].to_string(), Style::DoubleQuoted, end + 2));
    }
    let mut value = String::new();
    let mut chars = text[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, Style::DoubleQuoted, i + 2)),
            '\\' => value.push(match chars.next()?.1 {
                c @ ('\\' | '"' | '/') => c,
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'u' => {
                    let hex: String = (0..4)
                        .filter_map(|_| chars.next().map(|(_, c)| c))
                        .collect();
                    if hex.len() != 4 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return None;
                    }
                    char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                }
                _ => return None,
            }),
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> Vec<Entry> {
        match read(text) {
            Some(Node::Map(entries)) => entries,
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn reads_maps_sequences_and_the_three_scalar_styles_with_positions() {
        let text = "# top\nname: plain words  # comment\nq: \"é \\\"x\\\" \\u00e9\"\r\nnest:\n\n  s: 'it''s'\n  list:\n    - a\n    - 'b'\nempty:\n";
        let entries = map(text);
        let keys: Vec<&str> = entries.iter().map(|e| &*e.key.value).collect();
        assert_eq!(keys, ["name", "q", "nest", "empty"]);
        let Node::Scalar(name) = &entries[0].value else {
            panic!()
        };
        assert_eq!(
            (&*name.value, name.line, name.column),
            ("plain words", 2, 7)
        );
        assert_eq!(&text[name.range()], "plain words");
        let Node::Scalar(q) = &entries[1].value else {
            panic!()
        };
        assert_eq!(&*q.value, "é \"x\" é");
        assert_eq!(&text[q.range()], "\"é \\\"x\\\" \\u00e9\"");
        assert_eq!((q.char_offset, q.char_len), (38, 16));
        let Node::Map(nest) = &entries[2].value else {
            panic!()
        };
        assert!(matches!(&nest[0].value, Node::Scalar(s) if &*s.value == "it's" && s.line == 6));
        assert!(
            matches!(&nest[1].value, Node::Seq(items) if items.len() == 2 && items[1].style == Style::SingleQuoted)
        );
        assert_eq!(entries[3].value, Node::Empty);
        assert_eq!(read("# only a comment\n\n"), Some(Node::Empty));
    }

    #[test]
    fn anything_outside_the_simple_shape_is_none() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: {b: 1}\n",
            "a: [1]\n",
            "a: |\n  x\n",
            "a: >\n  x\n",
            "a: x\n  y\n",
            "a: 'x\n  y'\n",
            "---\na: 1\n",
            "a: 1\n...\n",
            "%YAML 1.2\n---\na: 1\n",
            "? a\n: 1\n",
            "a:\n\tb: 1\n",
            "a: 1\na: 2\n",
            "a: \"\\x41\"\n",
            "\u{feff}a: 1\n",
            "a: 1\rb: 2\n",
            "a:\n- x\n",
            "- x\n",
            "plain\n",
            "a: b: c\n",
            "a:#c\n",
            "a: 1\n  b: 2\n",
            "a:\n    b: 1\n  c: 2\n",
            "list:\n  - a: 1\n",
            "~: x\n",
            "<<: x\n",
            "1: a\n0x1: b\n",
            "true: x\n",
            &(0..100)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>(),
            "a: - x\n",
            "a: x #\u{85}\n",
            "a: 'x' y\n",
            "a: 'x'#c\n",
        ] {
            assert_eq!(read(text), None, "{text:?}");
        }
    }

    #[test]
    fn plain_scalars_are_typed_only_when_sure() {
        let typed = |v: &str| {
            let text = format!("k: {v}\n");
            match &map(&text)[0].value {
                Node::Scalar(s) => s.plain(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(typed("~"), Some(Plain::Null));
        assert_eq!(typed("tRue"), Some(Plain::Bool(true)));
        assert_eq!(typed("Off"), Some(Plain::Bool(false)));
        assert_eq!(typed("123"), Some(Plain::Unsigned(123)));
        assert_eq!(typed("-5"), Some(Plain::Negative(-5)));
        assert_eq!(typed("https://x/"), Some(Plain::Str));
        assert_eq!(typed(".yarn/releases/yarn.cjs"), Some(Plain::Str));
        for unsure in [
            ".inf",
            ".NaN",
            ".5",
            "007",
            "-0",
            "+5",
            "1.5",
            ".5",
            "0x1F",
            "1_000",
            "99999999999999999999",
            "-x",
        ] {
            assert_eq!(typed(unsure), None, "{unsure}");
        }
        let Node::Scalar(quoted) = &map("k: 'true'\n")[0].value else {
            panic!()
        };
        assert_eq!(quoted.plain(), Some(Plain::Str));
    }
}
