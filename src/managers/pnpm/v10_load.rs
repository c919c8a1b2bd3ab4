//! How pnpm 10 loads an `.npmrc`, as far as it decides whether the file is dropped:
//! config-chain's ini 1.3.8 `decode`, then @pnpm/npm-conf's `add`, which runs `envReplace`
//! over every top-level key and string value and loses the whole file at the first throw.
//!
//! pmrc's own `.npmrc` reader follows the ini that npm ships; pnpm 10 bundles the older one
//! (sections only on a line that is exactly `[name]`, no `\s*` before or after), so this
//! reads the text again as pnpm 10 does rather than ask the shared document.

use rustc_hash::FxHashMap;

/// Why pnpm 10 throws while adding a file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LoadFailure {
    /// 1-based line of the key or value that throws.
    pub line: usize,
    /// The variable named, as pnpm looks it up (`TOKEN?` for `${TOKEN?}`), if any.
    pub variable: Option<String>,
    /// pnpm's error message.
    pub error: String,
}

/// The first key or value whose loading throws in pnpm 10, in the order pnpm adds them,
/// with `is_set` saying which variables are set.
pub(super) fn first_failure(text: &str, is_set: &dyn Fn(&str) -> bool) -> Option<LoadFailure> {
    decode(text).into_iter().find_map(|entry| {
        if let Some((variable, quoted)) = unreplaced_reference(&entry.key, is_set) {
            return Some(replace_failure(entry.line, variable, quoted));
        }
        let Held::Text(value) = &entry.value else {
            return None;
        };
        let field = parse_field(value)?;
        if let Some((variable, quoted)) = unreplaced_reference(&field, is_set) {
            return Some(replace_failure(entry.line, variable, quoted));
        }
        // npm-conf refuses any replacement in a token helper, set variable or not.
        let helper = entry.key == "tokenHelper" || entry.key.ends_with(":tokenHelper");
        (helper && has_replacement(&field)).then(|| LoadFailure {
            line: entry.line,
            variable: None,
            error: format!(
                "It is not allowed to use environment variables in the value of the {} setting.",
                entry.key
            ),
        })
    })
}

/// The first failure whatever the environment: a shell form pnpm 10 takes for a name no
/// one sets (`${VAR?}`, `${VAR:?message}`, `${VAR-}`, `${VAR:-}`), or a variable in a token
/// helper.
pub(super) fn failure_everywhere(text: &str) -> Option<LoadFailure> {
    first_failure(text, &|name| !is_shell_form(name))
}

/// A portable name followed by a shell operator pnpm 10 does not know: `?`, `:?` (with
/// any message) or an empty default (`-`, `:-`; a non-empty one is pnpm's own default).
fn is_shell_form(name: &str) -> bool {
    let end = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    let (variable, operator) = name.split_at(end);
    crate::template::is_portable_env_name(variable)
        && (operator.starts_with('?')
            || operator.starts_with(":?")
            || operator == "-"
            || operator == ":-")
}

fn replace_failure(line: usize, variable: &str, quoted: &str) -> LoadFailure {
    LoadFailure {
        line,
        variable: Some(variable.to_string()),
        error: format!("Failed to replace env in config: {quoted}"),
    }
}

/// A top-level entry as npm-conf's `add` sees it: a key and what ini made of its value.
struct Entry {
    key: String,
    value: Held,
    line: usize,
    /// Set by `key[]=`.
    list: bool,
}

enum Held {
    /// A string value, which `parseField` replaces variables in.
    Text(String),
    /// `true`/`false`/`null`, a number or other JSON, a list (`key[]=`) or a section's
    /// object: `parseField` returns it as it is.
    Other,
}

/// ini 1.3.8's `decode`, top level only, in `Object.entries` order (integer-like keys
/// first, then first insertion; a dotted section moves to the end under its first part).
fn decode(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut at: FxHashMap<String, usize> = FxHashMap::default();
    let mut dotted: Vec<Entry> = Vec::new();
    let mut in_section = false;
    for (line_number, line) in physical_lines(text) {
        if is_comment(line) {
            continue;
        }
        if let Some(name) = section_name(line) {
            // Whatever follows belongs to the section (or, for `__proto__`, to nothing).
            in_section = true;
            let Some(name) = unsafe_text(name).into_text() else {
                continue;
            };
            if name == "__proto__" {
                continue;
            }
            let entry = Entry {
                key: name,
                value: Held::Other,
                line: line_number,
                list: false,
            };
            match top_key_of_section(&entry.key) {
                Some(top) => dotted.push(Entry { key: top, ..entry }),
                None => set(&mut entries, &mut at, entry),
            }
            continue;
        }
        let (key_part, value_part) = match line.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (line, None),
        };
        // `^([^=]+)(=(.*))?$`: a character before any `=`, and JavaScript's `.` stops at
        // U+2028/U+2029, so such a value matches nothing.
        if key_part.is_empty()
            || value_part.is_some_and(|v| v.contains(['\u{2028}', '\u{2029}']))
            || in_section
        {
            continue;
        }
        let Some(raw_key) = unsafe_text(key_part).into_text() else {
            continue;
        };
        let (key, list) = match raw_key.strip_suffix("[]") {
            Some(k) if raw_key.len() > 2 => (k.to_string(), true),
            _ => (raw_key, false),
        };
        if key == "__proto__" {
            continue;
        }
        let value = match value_part.map(unsafe_text) {
            Some(Unsafe::Text(t)) if !matches!(t.as_str(), "true" | "false" | "null") => {
                Held::Text(t)
            }
            _ => Held::Other,
        };
        let entry = Entry {
            key,
            value,
            line: line_number,
            list,
        };
        set(&mut entries, &mut at, entry);
    }
    // `Object.entries`: canonical array indices first, ascending.
    let (mut ordered, names): (Vec<Entry>, Vec<Entry>) = entries
        .into_iter()
        .partition(|e| array_index(&e.key).is_some());
    ordered.sort_by_key(|e| array_index(&e.key));
    ordered.extend(names);
    for entry in dotted {
        if !ordered.iter().any(|e| e.key == entry.key) {
            ordered.push(entry);
        }
    }
    ordered
}

/// Sets a key as ini does: a later value replaces an earlier one in its first place, and
/// once a key holds a list (`key[]=`), every later value joins the list, whose items are
/// never replaced in.
fn set(entries: &mut Vec<Entry>, at: &mut FxHashMap<String, usize>, entry: Entry) {
    match at.get(&entry.key) {
        Some(&i) if entry.list || entries[i].list => {
            entries[i].list = true;
            entries[i].value = Held::Other;
        }
        Some(&i) => entries[i] = entry,
        None => {
            at.insert(entry.key.clone(), entries.len());
            let value = if entry.list { Held::Other } else { entry.value };
            entries.push(Entry { value, ..entry });
        }
    }
}

/// Lines as `str.split(/[\r\n]+/)` gives them, each with the 1-based number of the `\n`
/// line it starts on.
fn physical_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n').enumerate().flat_map(|(i, line)| {
        line.split('\r')
            .filter(|piece| !piece.is_empty())
            .map(move |piece| (i + 1, piece))
    })
}

/// `/^\s*[;#]/`.
fn is_comment(line: &str) -> bool {
    line.trim_start_matches(is_js_space).starts_with([';', '#'])
}

/// `/^\[([^\]]*)\]$/`: nothing before the `[` or after the `]`, and no `]` inside.
fn section_name(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    (!inner.contains(']')).then_some(inner)
}

/// The top-level key a section whose name has an unescaped `.` is moved to (ini's
/// `dotSplit`), or `None` when the section stays under its own name.
fn top_key_of_section(name: &str) -> Option<String> {
    let marked = name.replace("\\.", "\u{1}");
    let mut parts = marked.split('.');
    let first = parts.next().unwrap_or_default();
    if parts.next().is_some() {
        return Some(first.replace('\u{1}', "."));
    }
    // One part: moved to its unescaped name only if that differs.
    (marked != name).then(|| marked.replace('\u{1}', "."))
}

/// A canonical array index (`0`, `17`, not `017`), which `Object.entries` lists first.
fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n != u32::MAX && n.to_string() == key).then_some(n)
}

/// What ini's `unsafe` makes of a key or value.
enum Unsafe {
    Text(String),
    /// A quoted value JSON made something else of (a number, a boolean, an object).
    Other,
}

impl Unsafe {
    fn into_text(self) -> Option<String> {
        match self {
            Unsafe::Text(t) => Some(t),
            Unsafe::Other => None,
        }
    }
}

/// ini 1.3.8's `unsafe`: trimmed; a quoted text is JSON-parsed (single quotes stripped
/// first), where that fails kept as it is; otherwise `\;`, `\#` and `\\` unescape and an
/// unescaped `;` or `#` starts a comment.
fn unsafe_text(raw: &str) -> Unsafe {
    let val = raw.trim_matches(is_js_space);
    if is_quoted(val) {
        let inner = if val.starts_with('\'') {
            val.get(1..val.len().saturating_sub(1)).unwrap_or_default()
        } else {
            val
        };
        return match serde_json::from_str::<serde_json::Value>(inner) {
            Ok(serde_json::Value::String(s)) => Unsafe::Text(s),
            Ok(_) => Unsafe::Other,
            Err(_) => Unsafe::Text(inner.to_string()),
        };
    }
    let mut out = String::new();
    let mut chars = val.chars();
    while let Some(c) = chars.next() {
        match c {
            ';' | '#' => break,
            '\\' => match chars.next() {
                Some(n @ ('\\' | ';' | '#')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    Unsafe::Text(out.trim_matches(is_js_space).to_string())
}

fn is_quoted(val: &str) -> bool {
    (val.starts_with('"') && val.ends_with('"')) || (val.starts_with('\'') && val.ends_with('\''))
}

/// `String.prototype.trim`'s whitespace: Unicode spaces and line ends, and the BOM.
fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// npm-conf's `parseField` before it replaces variables: trimmed, a `"…"` text
/// JSON-parsed; `None` for what it returns untouched (`true`, `false`, `null`,
/// `undefined`) or a quoted text JSON refuses (pnpm throws then, over no variable).
fn parse_field(value: &str) -> Option<String> {
    let field = value.trim_matches(is_js_space);
    let field = if field.len() >= 2 && field.starts_with('"') && field.ends_with('"') {
        serde_json::from_str::<String>(field).ok()?
    } else {
        field.to_string()
    };
    (!matches!(field.as_str(), "true" | "false" | "null" | "undefined")).then_some(field)
}

/// pnpm 10's `envReplace` (@pnpm/config.env-replace) over one key or value: the first
/// `${NAME}` after an even run of backslashes (an odd run escapes it) whose variable is
/// unset and that has no default (`${NAME:-d}`, `${NAME-d}`), with the text pnpm's error
/// quotes. Any name without `$ { }` is looked up, `${1}` and `${a.b}` included.
pub(super) fn unreplaced_reference<'t>(
    text: &'t str,
    is_set: &dyn Fn(&str) -> bool,
) -> Option<(&'t str, &'t str)> {
    references(text).find_map(|(escapes, at, name, end)| {
        if escapes % 2 == 1 || has_default(name) || is_set(name) {
            return None;
        }
        Some((name, &text[at - escapes..end]))
    })
}

/// Whether `envReplace` changes `text` at all: any `${NAME}` match, escaped or not.
fn has_replacement(text: &str) -> bool {
    references(text).next().is_some()
}

/// Every match of `ENV_EXPR` (`(?<!\\)(\\*)\$\{([^${}]+)\}`): the backslash run before
/// it, where its `${` starts, the name, and where it ends.
fn references(text: &str) -> impl Iterator<Item = (usize, usize, &str, usize)> {
    text.match_indices("${").filter_map(|(at, _)| {
        let escapes = text[..at].bytes().rev().take_while(|&b| b == b'\\').count();
        let inner = &text[at + 2..];
        let close = inner
            .find(['$', '{', '}'])
            .filter(|&c| inner.as_bytes()[c] == b'}')?;
        let name = &inner[..close];
        (!name.is_empty()).then_some((escapes, at, name, at + 2 + close + 1))
    })
}

/// pnpm's `([^:-]+)(:?)-(.+)`, unanchored: a `-` with a default after it, and before it
/// (past one `:`) a character that is neither `:` nor `-`. The default is taken whenever
/// the variable gives nothing, so such a reference never fails.
fn has_default(inside: &str) -> bool {
    let b = inside.as_bytes();
    (0..b.len()).any(|dash| {
        let before = if dash > 0 && b[dash - 1] == b':' {
            dash - 1
        } else {
            dash
        };
        b[dash] == b'-' && dash + 1 < b.len() && before > 0 && !matches!(b[before - 1], b':' | b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails(text: &str) -> Option<(usize, String)> {
        first_failure(text, &|name| name == "SET").map(|f| (f.line, f.error))
    }

    #[test]
    fn reads_keys_and_values_as_ini_1_3_8_does() {
        let replace = |q: &str| format!("Failed to replace env in config: {q}");
        let cases: &[(&str, Option<(usize, String)>)] = &[
            ("a=${X}\n", Some((1, replace("${X}")))),
            ("a=${SET}\n", None),
            ("a=${X:-d}\na=${X-d}\n", None),
            // ini unescapes `\\` before envReplace sees an odd run.
            ("a=\\${X}\na=\\\\${X}\n", None),
            ("a=\\\\\\${X}\n", Some((1, replace("\\\\${X}")))),
            // Comments: whole line, inline, after whitespace.
            ("# a=${X}\n ; b=${X}\nc=v ; ${X}\nd=v # ${X}\n", None),
            // Escaped `;` keeps the rest of the value.
            ("a=v\\;${X}\n", Some((1, replace("${X}")))),
            // Sections hide their entries; their names and list keys are replaced.
            ("[s]\na=${X}\n", None),
            ("[${X}]\na=1\n", Some((1, replace("${X}")))),
            ("${X}[]=1\n", Some((1, replace("${X}")))),
            ("a[]=${X}\n", None),
            // A line with anything around the brackets is a key in ini 1.3.8.
            (" [s]\na=${X}\n", Some((2, replace("${X}")))),
            ("[s] \na=${X}\n", Some((2, replace("${X}")))),
            // The last value counts, at the first line's place.
            ("a=${X}\na=ok\n", None),
            ("a=ok\nb=1\na=${X}\n", Some((3, replace("${X}")))),
            // Quoted values are JSON, twice over.
            ("a=\"\\u0024{X}\"\n", Some((1, replace("${X}")))),
            ("a='\"${X}\"'\n", Some((1, replace("${X}")))),
            ("a='123'\n", None),
            // Optional forms are names pnpm looks up as they are.
            ("a=${T?}\n", Some((1, replace("${T?}")))),
            ("a=${T:-}\n", Some((1, replace("${T:-}")))),
            ("a=${T-}\n", Some((1, replace("${T-}")))),
            ("a=true\nb\n", None),
            // A token helper takes no variable, set or escaped.
            (
                "tokenHelper=/bin/${SET}\n",
                Some((
                    1,
                    "It is not allowed to use environment variables in the value of the tokenHelper setting.".into(),
                )),
            ),
            ("//r.example/:tokenHelper=/bin/\\${X}\n", Some((1, "It is not allowed to use environment variables in the value of the //r.example/:tokenHelper setting.".into()))),
            // A lone carriage return ends a line; the number is the `\n` line's.
            ("a=1\rb=${X}\n", Some((1, replace("${X}")))),
            ("\u{feff}a=${X}\n", Some((1, replace("${X}")))),
            // Integer-like keys come first.
            ("b=${Y}\n1=${X}\n", Some((2, replace("${X}")))),
        ];
        for (text, want) in cases {
            assert_eq!(&fails(text), want, "{text:?}");
        }
    }
}
