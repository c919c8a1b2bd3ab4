//! How pnpm 10 loads an `.npmrc`, as far as it decides whether the file is dropped:
//! config-chain's ini 1.3.8 `decode` (run in strict mode), then @pnpm/npm-conf's `add`,
//! which replaces variables in every top-level key and string value; the first throw, in
//! either, loses the whole file.
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
    /// pnpm's error message, without any value it would quote (a value can be a secret).
    pub error: String,
    /// What to change on that line so that pnpm 10 loads the file.
    pub mend: String,
}

/// The first throw while pnpm 10 loads `text`, in the order it decodes and adds, with
/// `is_set` saying which variables are set.
pub(super) fn first_failure(text: &str, is_set: &dyn Fn(&str) -> bool) -> Option<LoadFailure> {
    // Nothing below throws without one of these bytes; most files are read as they are.
    if !text
        .bytes()
        .any(|b| matches!(b, b'$' | b'"' | b'\'' | b'['))
    {
        return None;
    }
    let is_set = |name: &str| is_set(name) || is_object_prototype_member(name);
    let entries = match decode(text) {
        Ok(entries) => entries,
        Err(failure) => return Some(failure),
    };
    entries.into_iter().find_map(|entry| {
        if let Some((variable, quoted)) = unreplaced_reference(&entry.key, &is_set) {
            return Some(replace_failure(entry.line, variable, quoted));
        }
        let Js::Text(value) = &entry.value else {
            return None;
        };
        let field = match parse_field(value) {
            Field::Text(field) => field,
            Field::Untouched => return None,
            Field::BadJson => {
                return Some(LoadFailure {
                    line: entry.line,
                    variable: None,
                    error: format!("Failed parsing JSON config key {}: …", entry.key),
                    mend: "pnpm 10 parses a value in double quotes as JSON: write the value as JSON would read it, or without the quotes".into(),
                });
            }
        };
        if let Some((variable, quoted)) = unreplaced_reference(&field, &is_set) {
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
            mend: "write the helper's path without `${…}`, or give the token as `//host/:_authToken=${VAR}` instead".into(),
        })
    })
}

/// The first throw whatever the environment: a shell form pnpm 10 takes for a name no
/// one sets (`${VAR?}`, `${VAR:?message}`, `${VAR-}`, `${VAR:-}`), a variable in a token
/// helper, a quoted value JSON refuses, or a section over a value.
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

/// `process.env` inherits these from `Object.prototype`, so pnpm finds them set.
fn is_object_prototype_member(name: &str) -> bool {
    matches!(
        name,
        "constructor"
            | "hasOwnProperty"
            | "isPrototypeOf"
            | "propertyIsEnumerable"
            | "toLocaleString"
            | "toString"
            | "valueOf"
            | "__proto__"
            | "__defineGetter__"
            | "__defineSetter__"
            | "__lookupGetter__"
            | "__lookupSetter__"
    )
}

fn replace_failure(line: usize, variable: &str, quoted: &str) -> LoadFailure {
    let name_end = variable
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(variable.len());
    let name = &variable[..name_end];
    let mend = if is_shell_form(variable) {
        // pnpm 10 knows `${NAME}` and `${NAME:-default}` with a default of its own only.
        format!(
            "write ${{{name}}} (set wherever pnpm 10 runs) or ${{{name}:-default}} instead, or keep the line in a file pnpm 10 does not read"
        )
    } else if crate::template::is_portable_env_name(variable) {
        format!("set {variable} wherever pnpm 10 runs, or write ${{{variable}:-default}}")
    } else {
        "name a variable pnpm 10 can look up (letters, digits and `_`), or write the value out"
            .into()
    };
    LoadFailure {
        line,
        variable: Some(variable.to_string()),
        error: format!(
            "Failed to replace env in config: {}",
            without_message(quoted)
        ),
        mend,
    }
}

/// A `${VAR:?message}` quoted with its message left out: the text after the operator is
/// the user's, and can be anything.
fn without_message(quoted: &str) -> std::borrow::Cow<'_, str> {
    match quoted.find('?') {
        Some(at) if at + 2 < quoted.len() => format!("{}…}}", &quoted[..=at]).into(),
        _ => quoted.into(),
    }
}

/// A value as JavaScript holds it after ini and JSON, as far as loading tells them apart.
#[derive(Debug, Clone, PartialEq)]
enum Js {
    Text(String),
    /// A boolean or number, with its truth and the name it makes as a key.
    Primitive {
        truthy: bool,
        key: String,
    },
    Null,
    /// `key[]=` items, or a JSON list.
    List,
    /// A section's entries, or a JSON object.
    Object,
}

impl Js {
    fn is_truthy_primitive(&self) -> bool {
        match self {
            Js::Text(t) => !t.is_empty(),
            Js::Primitive { truthy, .. } => *truthy,
            Js::Null | Js::List | Js::Object => false,
        }
    }

    /// The property name JavaScript makes of it as an object key (`String(value)`; a list
    /// is left nameless, which no real file needs).
    fn into_key(self) -> String {
        match self {
            Js::Text(t) => t,
            Js::Primitive { key, .. } => key,
            Js::Null => "null".into(),
            Js::List => String::new(),
            Js::Object => "[object Object]".into(),
        }
    }
}

fn boolean(value: bool) -> Js {
    Js::Primitive {
        truthy: value,
        key: value.to_string(),
    }
}

/// A top-level property of the decoded file: its key, its value and where it was set.
struct Entry {
    key: String,
    value: Js,
    line: usize,
}

/// What the current line's entries go into.
enum Target {
    Top,
    /// A section's object, or nothing (`[__proto__]`): never replaced in.
    Elsewhere,
    /// A section named after a top-level string or `true`: strict mode throws at its
    /// first entry ("Cannot create property … on string …").
    Primitive(String),
}

/// ini 1.3.8's `decode`, top level only, in `Object.entries` order (integer-like keys
/// first, then first insertion), dotted sections moved as its `dotSplit` moves them.
fn decode(text: &str) -> Result<Vec<Entry>, LoadFailure> {
    let mut out: Vec<Entry> = Vec::new();
    let mut at: FxHashMap<String, usize> = FxHashMap::default();
    let mut target = Target::Top;
    for (line_number, line) in physical_lines(text) {
        if is_comment(line) {
            continue;
        }
        if let Some(name) = crate::formats::npmrc::ini_section_name(line) {
            let name = unsafe_value(name).into_key();
            // `p = out[section] = out[section] || {}`
            target = match at.get(&name) {
                _ if name == "__proto__" => Target::Elsewhere,
                Some(&i) if out[i].value.is_truthy_primitive() => Target::Primitive(name),
                Some(&i) => {
                    if !matches!(out[i].value, Js::List) {
                        out[i].value = Js::Object;
                    }
                    Target::Elsewhere
                }
                None => {
                    at.insert(name.clone(), out.len());
                    out.push(Entry {
                        key: name,
                        value: Js::Object,
                        line: line_number,
                    });
                    Target::Elsewhere
                }
            };
            continue;
        }
        let (key_part, value_part) = match line.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (line, None),
        };
        // `^([^=]+)(=(.*))?$`: a character before any `=`, and JavaScript's `.` stops at
        // U+2028/U+2029, so such a value matches nothing.
        if key_part.is_empty() || value_part.is_some_and(|v| v.contains(['\u{2028}', '\u{2029}'])) {
            continue;
        }
        let key = match unsafe_value(key_part) {
            Js::Null => {
                return Err(LoadFailure {
                    line: line_number,
                    variable: None,
                    error: "Cannot read properties of null (reading 'length')".into(),
                    mend: "write the key without its quotes: pnpm 10 reads `'null'` as JSON's null, which no key can be".into(),
                });
            }
            key => key,
        };
        let list = matches!(&key, Js::Text(k) if k.len() > 2 && k.ends_with("[]"));
        let mut key = key.into_key();
        if list {
            key.truncate(key.len() - 2);
        }
        if key == "__proto__" {
            continue;
        }
        let value = match value_part.map(unsafe_value) {
            None => boolean(true),
            Some(Js::Text(t)) => match t.as_str() {
                "true" => boolean(true),
                "false" => boolean(false),
                "null" => Js::Null,
                _ => Js::Text(t),
            },
            Some(other) => other,
        };
        match &target {
            Target::Elsewhere => continue,
            Target::Primitive(section) => {
                return Err(LoadFailure {
                    line: line_number,
                    variable: None,
                    error: format!(
                        "Cannot create property '{key}' on the value of `{section}`, which the section [{section}] names"
                    ),
                    mend: format!(
                        "rename the section [{section}] or the `{section}` setting above it: pnpm 10 cannot put the section's keys in a value"
                    ),
                });
            }
            Target::Top => {}
        }
        match at.get(&key) {
            Some(&i) if list || matches!(out[i].value, Js::List) => out[i].value = Js::List,
            Some(&i) => {
                out[i].value = value;
                out[i].line = line_number;
            }
            None => {
                at.insert(key.clone(), out.len());
                out.push(Entry {
                    key,
                    value: if list { Js::List } else { value },
                    line: line_number,
                });
            }
        }
    }
    move_dotted_sections(&mut out, &mut at);
    // `Object.entries`: canonical array indices first, ascending.
    let (mut ordered, names): (Vec<Entry>, Vec<Entry>) =
        out.into_iter().partition(|e| array_index(&e.key).is_some());
    ordered.sort_by_key(|e| array_index(&e.key));
    ordered.extend(names);
    Ok(ordered)
}

/// ini's pass after decoding: a section whose name has a `.` becomes an object under its
/// first part (a part named `__proto__` is skipped), replacing whatever value that part's
/// key held; `[a\.b]` becomes `a.b`.
fn move_dotted_sections(out: &mut Vec<Entry>, at: &mut FxHashMap<String, usize>) {
    let sections: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].value == Js::Object)
        .collect();
    let mut moved = Vec::new();
    for i in sections {
        let parts = dot_split(&out[i].key);
        let (last, walk) = parts.split_last().expect("split gives a part");
        let unescaped = last.replace("\\.", ".");
        let into = match walk.iter().find(|p| p.as_str() != "__proto__") {
            Some(first) => first.clone(),
            None if unescaped == *last => continue,
            None => unescaped,
        };
        let line = out[i].line;
        match at.get(&into) {
            Some(&j) if out[j].value == Js::Object => {}
            Some(&j) => out[j].value = Js::Object,
            None => {
                at.insert(into.clone(), out.len());
                out.push(Entry {
                    key: into,
                    value: Js::Object,
                    line,
                });
            }
        }
        moved.push(i);
    }
    for i in moved.into_iter().rev() {
        out.remove(i);
    }
}

/// ini's `dotSplit`: on every `.` not after a backslash; an escaped one stays `\.`.
fn dot_split(name: &str) -> Vec<String> {
    name.replace("\\.", "\u{1}")
        .split('.')
        .map(|part| part.replace('\u{1}', "\\."))
        .collect()
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

/// A canonical array index (`0`, `17`, not `017`), which `Object.entries` lists first.
fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n != u32::MAX && n.to_string() == key).then_some(n)
}

/// ini 1.3.8's `unsafe`: trimmed; a quoted text is JSON-parsed (single quotes stripped
/// first), where that fails kept as it is; otherwise `\;`, `\#` and `\\` unescape and an
/// unescaped `;` or `#` starts a comment.
fn unsafe_value(raw: &str) -> Js {
    let val = raw.trim_matches(is_js_space);
    if is_quoted(val) {
        let inner = if val.starts_with('\'') {
            val.get(1..val.len().saturating_sub(1)).unwrap_or_default()
        } else {
            val
        };
        return match serde_json::from_str::<serde_json::Value>(inner) {
            Ok(serde_json::Value::String(s)) => Js::Text(s),
            Ok(serde_json::Value::Number(n)) => Js::Primitive {
                truthy: n.as_f64() != Some(0.0),
                key: n.to_string(),
            },
            Ok(serde_json::Value::Bool(b)) => boolean(b),
            Ok(serde_json::Value::Null) => Js::Null,
            Ok(serde_json::Value::Array(_)) => Js::List,
            Ok(serde_json::Value::Object(_)) => Js::Object,
            Err(_) => Js::Text(inner.to_string()),
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
    Js::Text(out.trim_matches(is_js_space).to_string())
}

fn is_quoted(val: &str) -> bool {
    (val.starts_with('"') && val.ends_with('"')) || (val.starts_with('\'') && val.ends_with('\''))
}

/// `String.prototype.trim`'s and `\s`'s whitespace: Unicode spaces and line ends and the
/// BOM, but not U+0085 (NEL), which Rust counts and JavaScript does not.
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// What npm-conf's `parseField` does with a string before it replaces variables.
enum Field {
    /// Trimmed, and a `"…"` text JSON-parsed.
    Text(String),
    /// `true`, `false`, `null`, `undefined`: returned as they are.
    Untouched,
    /// A `"…"` text JSON refuses: pnpm throws "Failed parsing JSON config key".
    BadJson,
}

fn parse_field(value: &str) -> Field {
    let field = value.trim_matches(is_js_space);
    // `/^".*"$/`, whose `.` matches no line end (U+2028 and U+2029 included).
    let field = if field.len() >= 2
        && field.starts_with('"')
        && field.ends_with('"')
        && !field.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
    {
        match serde_json::from_str::<String>(field) {
            Ok(parsed) => parsed,
            Err(_) => return Field::BadJson,
        }
    } else {
        field.to_string()
    };
    if matches!(field.as_str(), "true" | "false" | "null" | "undefined") {
        Field::Untouched
    } else {
        Field::Text(field)
    }
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
            // Decoding runs in strict mode: a section over a value that is a string or
            // `true` throws at its first entry, an empty or absent one becomes the section.
            (
                "registry=https://r.example/\n[registry]\nb=1\n",
                Some((
                    3,
                    "Cannot create property 'b' on the value of `registry`, which the section [registry] names".into(),
                )),
            ),
            ("a\n[a]\nb=1\n", Some((3, "Cannot create property 'b' on the value of `a`, which the section [a] names".into()))),
            ("a=\n[a]\nb=1\n", None),
            ("a[]=1\n[a]\nb=1\n", None),
            // A section without entries leaves the value as it was.
            ("a=${X}\n[a]\n", Some((1, replace("${X}")))),
            // A dotted section replaces its first part's value with an object.
            ("a=${X}\n[a.b]\nc=1\n", None),
            ("[__proto__.${X}]\nc=1\n", Some((1, replace("${X}")))),
            ("[a\\.b.${X}]\nc=1\n", None),
            ("[${X}\\.b.c]\nc=1\n", Some((1, replace("${X}")))),
            // Keys JSON makes other things of are named as JavaScript names them.
            ("'1'=${X}\n", Some((1, replace("${X}")))),
            ("'true'=${X}\n", Some((1, replace("${X}")))),
            ("'null'=x\n", Some((1, "Cannot read properties of null (reading 'length')".into()))),
            // A quoted value JSON refuses throws, its value left out of the message.
            ("a='\"\\q\"'\n", Some((1, "Failed parsing JSON config key a: …".into()))),
            // NEL is no JavaScript whitespace: not a comment, part of the key.
            ("\u{85}# a=${X}\n", Some((1, replace("${X}")))),
            ("\u{85}tokenHelper=/bin/${SET}\n", None),
            // process.env inherits Object.prototype's members.
            ("a=${constructor}\na=${toString}\n", None),
            // A `:?` message is the user's text, left out.
            ("a=${T:?secret words}\n", Some((1, replace("${T:?…}")))),
            // npm-conf JSON-parses only a `"…"` field with no line end in it.
            ("a=\"\\\"\u{2028}\\\\q\\\"\"\n", None),
        ];
        for (text, want) in cases {
            assert_eq!(&fails(text), want, "{text:?}");
        }
    }

    #[test]
    fn each_failure_says_what_to_change_for_its_kind() {
        let mend = |text: &str| failure_everywhere(text).map(|f| f.mend).unwrap_or_default();
        assert_eq!(
            mend("a=${TOKEN:?needed}\n"),
            "write ${TOKEN} (set wherever pnpm 10 runs) or ${TOKEN:-default} instead, or keep the line in a file pnpm 10 does not read"
        );
        assert!(mend("tokenHelper=/bin/${HELPER}\n").contains("//host/:_authToken=${VAR}"));
        assert!(mend("a=\"\\q\"\n").starts_with("pnpm 10 parses a value in double quotes as JSON"));
        assert!(mend("a\n[a]\nb=1\n").starts_with("rename the section [a] or the `a` setting"));
        assert!(mend("'null'=x\n").starts_with("write the key without its quotes"));
        let unset = first_failure("a=${NPM_TOKEN}\n", &|_| false).map(|f| f.mend);
        assert_eq!(
            unset.as_deref(),
            Some("set NPM_TOKEN wherever pnpm 10 runs, or write ${NPM_TOKEN:-default}")
        );
    }
}
