//! Yarn 1's `.yarnrc` (the lockfile tokenizer's `key "value"` lines), read only: routing,
//! TLS and proxy keys pmrc understands, and the shapes Yarn 1 silently throws away.

use crate::diagnostics::Code;
use std::ops::Range;
use std::path::Path;

use crate::error::SyntaxError;
use crate::formats::npmrc::scope_of_registry_key;
use crate::formats::{Setting, SettingValue};
use crate::model::{Level, Model, Origin, Value};
use crate::redact;
use crate::template::Template;
use crate::warning::Warning;

const OWNED: [&str; 6] = [
    "registry",
    "strict-ssl",
    "cafile",
    "ca",
    "proxy",
    "https-proxy",
];
/// Auth keys Yarn 1 shows in `yarn config` but never uses from `.yarnrc`.
const AUTH: [&str; 6] = [
    "_authToken",
    "_auth",
    "username",
    "_password",
    "always-auth",
    "email",
];

/// One top-level `key value` line.
struct Line {
    line: usize,
    key: String,
    value: String,
    value_span: Range<usize>,
    /// A bare value holding `:` (an unquoted URL), or a `--flag=value` whose value holds one
    /// (Yarn 1's key then runs on to that `:`): Yarn 1 then drops the whole file.
    unquoted_colon: bool,
    /// Where the line's key starts, when it is a flag written `--flag=value` (read here as
    /// `--flag value`, as meant): the line to rewrite as `--flag "value"`.
    flag_with_equals: Option<usize>,
    /// Written npm's way, `key=value` or `key = value` (not a flag): Yarn 1 then ignores the
    /// whole file.
    npm_style: bool,
    /// A bare key Yarn 1's reader cannot take (one starting with `@`), where it must be
    /// double-quoted: the key's bytes in the text.
    bare_key: Option<Range<usize>>,
    /// The line without its ending.
    span: Range<usize>,
}

/// The file's lines with their endings, each ending `\r\n`, `\n` or a lone `\r`, which
/// Yarn 1's reader all take for a line break.
fn physical_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = match rest.find(['\r', '\n']) {
            Some(i) if rest[i..].starts_with("\r\n") => i + 2,
            Some(i) => i + 1,
            None => rest.len(),
        };
        let (line, after) = rest.split_at(end);
        rest = after;
        Some(line)
    })
}

/// A JSON-style quoted string starting at `s[0] == '"'`: its text and byte length.
fn quoted(s: &str) -> Option<(String, usize)> {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => {
                let text = serde_json::from_str(&s[..=i]).ok()?;
                return Some((text, i + 1));
            }
            _ => escaped = false,
        }
    }
    None
}

fn lines(text: &str) -> Result<Vec<Line>, SyntaxError> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (index, raw_line) in physical_lines(text).enumerate() {
        let start = offset;
        offset += raw_line.len();
        let line_no = index + 1;
        let content = raw_line.trim_end_matches(['\n', '\r']);
        let content = if index == 0 {
            content.trim_start_matches('\u{feff}')
        } else {
            content
        };
        let lead = raw_line.len() - raw_line.trim_start_matches('\u{feff}').len();
        let trimmed = content.trim_start();
        // Indented lines belong to a nested block pmrc does not own.
        if trimmed.is_empty() || trimmed.starts_with('#') || content.starts_with([' ', '\t']) {
            continue;
        }
        let col = |byte: usize| content[..byte].chars().count() + 1;
        let mut bare_key = None;
        let (key, at) = if content.starts_with('"') {
            quoted(content)
                .ok_or_else(|| SyntaxError::new(line_no, 1, "unterminated quoted key"))?
        } else {
            let first = content.chars().next().unwrap_or(' ');
            if !(first.is_ascii_alphabetic() || "/.-".contains(first)) {
                // An `@scope:registry` key ends at its space, as meant.
                let end = content.find([' ', '\t']).unwrap_or(content.len());
                bare_key = Some(start + lead..start + lead + end);
                (content[..end].to_string(), end)
            } else {
                let end = content.find([' ', '\t', ':', ',']).unwrap_or(content.len());
                (content[..end].to_string(), end)
            }
        };
        // `--flag=value`: Yarn 1's tokenizer takes `=` into the key, which works for a flag
        // whose value has no `:` (`--frozen-lockfile=true`), but for a URL the key ends at
        // its `:` and the whole file is dropped. Read as meant, and marked for the rewrite.
        let flag_word = content.find([' ', '\t']).unwrap_or(content.len());
        let npm_style = !key.starts_with("--")
            && ((!content.starts_with('"') && content[..flag_word].contains('='))
                || content[at..].trim_start().starts_with('='));
        let flag_with_equals = (!content.starts_with('"') && key.starts_with("--"))
            .then(|| content[..flag_word].find('='))
            .flatten();
        let (key, mut at) = match flag_with_equals {
            Some(eq) => (content[..eq].to_string(), eq + 1),
            None => (key, at),
        };
        if flag_with_equals.is_none() && content[at..].starts_with(':') {
            at += 1;
        }
        let rest = &content[at..];
        let value_start = at + (rest.len() - rest.trim_start().len());
        let rest = rest.trim_start();
        let (value, len, unquoted_colon) = if rest.starts_with('"') {
            let (v, len) = quoted(rest).ok_or_else(|| {
                SyntaxError::new(line_no, col(value_start), "unterminated quoted value")
            })?;
            (
                v.clone(),
                len,
                flag_with_equals.is_some() && v.contains(':'),
            )
        } else {
            let end = rest.find([' ', '\t', '#']).unwrap_or(rest.len());
            let v = &rest[..end];
            (v.to_string(), end, v.contains(':'))
        };
        let value_span = start + lead + value_start..start + lead + value_start + len;
        out.push(Line {
            line: line_no,
            key,
            value,
            value_span,
            // A line written npm's way is mended whole ([`write_key_value_lines`]).
            unquoted_colon: unquoted_colon && !npm_style,
            flag_with_equals: flag_with_equals.map(|_| start + lead),
            npm_style,
            bare_key,
            span: start..start + raw_line.trim_end_matches(['\n', '\r']).len(),
        });
    }
    Ok(out)
}

fn is_owned(key: &str) -> bool {
    OWNED.contains(&key) || scope_of_registry_key(key).is_some()
}

/// The settings pmrc owns in this file (last duplicate wins).
pub fn settings(text: &str) -> Result<Vec<Setting>, SyntaxError> {
    let mut out: Vec<Setting> = Vec::new();
    for l in lines(text)? {
        if !is_owned(&l.key) {
            continue;
        }
        out.retain(|s| s.path[0] != l.key);
        out.push(Setting {
            path: [l.key].into(),
            value: SettingValue::Scalar(l.value),
            line: l.line,
        });
    }
    Ok(out)
}

/// URL passwords and literal values of auth keys (which Yarn 1 ignores here, but are secret).
pub fn secret_spans(text: &str) -> Vec<Range<usize>> {
    let Ok(lines) = lines(text) else {
        return Vec::new();
    };
    lines
        .into_iter()
        .flat_map(|l| {
            // A line written npm's way (an `.npmrc` line copied here) is read otherwise: its
            // key runs to the `=` (from a review: the token was shown in `doctor --fix`'s
            // preview).
            if l.npm_style {
                let line = &text[l.span.clone()];
                let Some(eq) = line.find('=') else {
                    return Vec::new();
                };
                let key = line[..eq].trim().trim_matches('"');
                let name = key.rsplit(':').next().unwrap_or(key);
                let value = l.span.start + eq + 1..l.span.end;
                if ["_authToken", "_auth", "_password"].contains(&name) {
                    return vec![value];
                }
                return redact::url_secret_spans_at(&text[value.clone()], value.start).collect();
            }
            let name = l.key.rsplit(':').next().unwrap_or(&l.key);
            if ["_authToken", "_auth", "_password"].contains(&name) {
                return vec![l.value_span];
            }
            redact::url_secret_spans_at(&text[l.value_span.clone()], l.value_span.start).collect()
        })
        .collect()
}

/// The same text with every bare value that holds `:` (an unquoted URL, which makes Yarn 1
/// drop the whole file) double-quoted, and a `--flag=URL` line written `--flag "URL"`;
/// `None` when there is none.
pub fn quote_bare_urls(text: &str) -> Option<String> {
    let bare: Vec<Line> = lines(text)
        .ok()?
        .into_iter()
        .filter(|l| l.unquoted_colon || l.bare_key.is_some())
        .collect();
    if bare.is_empty() {
        return None;
    }
    let quote = |s: &str| serde_json::to_string(s).expect("a string always serialises");
    let mut out = text.to_string();
    for l in bare.iter().rev() {
        let quoted = quote(&l.value);
        match l.flag_with_equals {
            Some(key_start) => {
                out.replace_range(key_start..l.value_span.end, &format!("{} {quoted}", l.key))
            }
            None if l.unquoted_colon => out.replace_range(l.value_span.clone(), &quoted),
            None => {}
        }
        if let Some(key) = &l.bare_key {
            out.replace_range(key.clone(), &quote(&l.key));
        }
    }
    Some(out)
}

/// Each line written npm's way (`key=value`, `key = value`; Yarn 1 then ignores the whole
/// file) written as Yarn 1 reads a setting, `key "value"`, the value read as npm's ini reads
/// it (to a `#` or `;` comment, a quoted value unquoted): JSON-quoted, bare for `true`,
/// `false` and numbers, as `yarn config set` writes them; the key quoted where Yarn 1 needs
/// it. A comment stays, as `# …`, and every other byte is kept. `None` where no line is so
/// written, or one cannot be read so.
pub fn write_key_value_lines(text: &str) -> Option<String> {
    let lines_to_write: Vec<usize> = lines(text)
        .ok()?
        .into_iter()
        .filter(|l| l.npm_style)
        .map(|l| l.line)
        .collect();
    if lines_to_write.is_empty() {
        return None;
    }
    let quote = |s: &str| serde_json::to_string(s).expect("a string always serialises");
    let mut out = String::with_capacity(text.len() + 8 * lines_to_write.len());
    for (index, raw_line) in physical_lines(text).enumerate() {
        if !lines_to_write.contains(&(index + 1)) {
            out.push_str(raw_line);
            continue;
        }
        let body = raw_line.trim_end_matches(['\n', '\r']);
        let ending = &raw_line[body.len()..];
        let content = body.trim_start_matches('\u{feff}');
        let bom = &body[..body.len() - content.len()];
        let (key, rest) = match content.starts_with('"') {
            true => {
                let (key, len) = quoted(content)?;
                (key, content[len..].trim_start().strip_prefix('=')?)
            }
            false => {
                let (key, rest) = content.split_once('=')?;
                (key.trim_end().to_string(), rest)
            }
        };
        let rest = rest.trim_start();
        let comment_at = |s: &str| {
            s.char_indices()
                .find(|&(i, c)| (c == '#' || c == ';') && (i == 0 || s[..i].ends_with([' ', '\t'])))
                .map_or(s.len(), |(i, _)| i)
        };
        let (value, len) = if rest.starts_with('"') {
            quoted(rest)?
        } else if let Some(inner) = rest.strip_prefix('\'')
            && let Some(close) = inner.find('\'')
        {
            (inner[..close].to_string(), close + 2)
        } else {
            let value = rest[..comment_at(rest)].trim_end();
            (value.to_string(), value.len())
        };
        let tail = &rest[len..];
        let bare_value = matches!(value.as_str(), "true" | "false")
            || (!value.is_empty() && value.chars().all(|c| c.is_ascii_digit()));
        out.push_str(bom);
        out.push_str(&key_as_written(&key));
        out.push(' ');
        out.push_str(&if bare_value { value } else { quote(&value) });
        // Yarn 1 takes only `#` for a comment.
        let comment = tail.trim_start();
        match comment.strip_prefix(';') {
            Some(text) => {
                out.push_str(&tail[..tail.len() - comment.len()]);
                out.push('#');
                out.push_str(text);
            }
            None => out.push_str(tail),
        }
        out.push_str(ending);
    }
    Some(out)
}

/// What Yarn 1 makes of a `.yarnrc` its own reader fails on: it reads the text as YAML
/// (`lockfile.parse`, failsafe schema) and stops only when that fails too (from a trial:
/// real Yarn 1.22.22 went on with an unquoted `@scope:registry` on a second line, a YAML
/// plain scalar's continuation, and ignored the file; alone on its line, it stopped).
enum AsYaml {
    NoSettings,
    Settings,
    Fails,
}

fn read_as_yaml(text: &str) -> AsYaml {
    match serde_saphyr::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) if !map.is_empty() => AsYaml::Settings,
        Ok(_) => AsYaml::NoSettings,
        Err(_) => AsYaml::Fails,
    }
}

/// `key` as Yarn 1 reads it back: bare where it is a plain word or a flag, else
/// double-quoted (`"@acme:registry"`: a bare `@` stops its reader).
fn key_as_written(key: &str) -> String {
    let word = key.strip_prefix("--").unwrap_or(key);
    let plain = word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if plain {
        key.to_string()
    } else {
        serde_json::to_string(key).expect("a string always serialises")
    }
}

/// [`quote_bare_urls`] and [`write_key_value_lines`]: what `doctor --fix` mends in a
/// `.yarnrc` that Yarn 1 would ignore as a whole.
pub fn fix_ignored_file(text: &str) -> Option<String> {
    // The `key=value` lines first: `registry=http://h/` reads as the key `registry=http` and
    // a bare value with `:`, which quoting alone would mangle.
    let written = write_key_value_lines(text);
    let base = written.as_deref().unwrap_or(text);
    quote_bare_urls(base).or(written)
}

/// The last `--registry` flag line's registry, with its line: Yarn 1 turns the line into a
/// command-line flag, which it applies after reading every file (spec Y11; `registry.init`
/// in Yarn 1's `config.js` sets it over each registry's `registry`). `None` in a file Yarn 1
/// ignores as a whole (a `key=value` line), as [`read`] reads nothing of it.
pub fn registry_flag(text: &str, file: &Path, level: Level) -> Option<Value> {
    let all = lines(text).ok()?;
    if all.iter().any(|l| l.npm_style) {
        return None;
    }
    let flag = all.into_iter().rfind(|l| l.key == "--registry")?;
    Some(Value::new(
        Template::literal(flag.value),
        Some(Origin {
            file: Origin::shared(file),
            line: flag.line,
            level,
        }),
    ))
}

/// Whether the file has a flag line that sets a registry (`--registry`,
/// `--install.registry`): Yarn 1 applies flags over every file, `.npmrc` included. True for
/// a file that does not read, as pmrc cannot tell.
pub fn has_registry_flag_lines(text: &str) -> bool {
    lines(text).map_or(true, |all| {
        all.iter()
            .any(|l| l.key.starts_with("--") && l.key.ends_with("registry"))
    })
}

/// Reads `.yarnrc` into the model. Values are literal: Yarn 1 does not interpolate here.
pub fn read(text: &str, file: &Path, level: Level) -> Result<(Model, Vec<Warning>), SyntaxError> {
    let mut model = Model::default();
    let mut warnings = Vec::new();
    let all = lines(text)?;
    let file = Origin::shared(file);
    let origin = |line| {
        Some(Origin {
            file: std::rc::Rc::clone(&file),
            line,
            level,
        })
    };
    if let Some(bad) = all.iter().find(|l| l.bare_key.is_some()) {
        return match read_as_yaml(text) {
            AsYaml::NoSettings => {
                warnings.push(Warning::new(
                    Code::YarnrcReadAsYaml,
                    format!(
                        "`{}` must be double-quoted: Yarn 1's reader fails on it, then reads the file as YAML, which gives it no settings, so it ignores this whole file",
                        bad.key
                    ),
                    origin(bad.line),
                ));
                Ok((model, warnings))
            }
            AsYaml::Fails => Err(SyntaxError::new(
                bad.line,
                1,
                format!(
                    "Yarn 1 stops with \"Unknown token\" here: a key starting with `{}` must be double-quoted",
                    bad.key.chars().next().unwrap_or('@')
                ),
            )),
            AsYaml::Settings => Err(SyntaxError::new(
                bad.line,
                1,
                format!(
                    "`{}` must be double-quoted: Yarn 1's reader fails here and reads the file as YAML instead, which pmrc does not follow",
                    bad.key
                ),
            )),
        };
    }
    if let Some(bad) = all.iter().find(|l| l.unquoted_colon) {
        let fixed = format!(
            "{} {}",
            key_as_written(&bad.key),
            serde_json::to_string(&bad.value).expect("a string always serialises")
        );
        // Where YAML cannot read the file either (a double-quoted key or value anywhere), Yarn
        // 1 stops (from a trial: real Yarn 1.22.22 on `"@tools:registry" http://h:4875/t/`).
        if let AsYaml::Fails = read_as_yaml(text) {
            let column = crate::formats::line_col(text, bad.value_span.start).1;
            return Err(SyntaxError::new(
                bad.line,
                column,
                format!(
                    "Yarn 1 stops with \"Unknown token\" here: a value holding `:` must be double-quoted; write it: {fixed}"
                ),
            ));
        }
        let written = if bad.flag_with_equals.is_some() {
            "is written with `=` and a value holding `:`, where Yarn 1's key runs on to the `:`"
        } else {
            "has an unquoted value with `:`"
        };
        warnings.push(Warning::new(
            Code::YarnrcUnquotedUrl,
            format!(
                "`{}` {written}; Yarn 1 then silently ignores this whole file. Write it: {fixed}. pmrc reads the file as meant",
                bad.key,
            ),
            origin(bad.line),
        ));
    }
    // Yarn 1.22 ignores a whole `.yarnrc` with a `key=value` line (errata): it then uses its
    // defaults, and so does pmrc's reading of it.
    if let Some(bad) = all.iter().find(|l| l.npm_style) {
        warnings.push(Warning::new(
            Code::YarnrcKeyValueLine,
            format!(
                "`{}` is written with `=`: Yarn 1 then ignores this whole file (its registry and network settings too) and uses its defaults",
                bad.key
            ),
            origin(bad.line),
        ));
        return Ok((model, warnings));
    }
    for l in &all {
        let name = l.key.rsplit(':').next().unwrap_or(&l.key);
        if AUTH.contains(&name) {
            warnings.push(Warning::new(
                Code::YarnrcAuthIgnored,
                format!("`{}` in .yarnrc is never used for requests: Yarn 1 takes auth only from .npmrc", l.key),
                origin(l.line),
            ));
        }
        if l.key == "--registry" {
            // Read as Yarn 1 applies it (`registry_flag`, merged over every file), but only
            // Yarn 1 reads it: other managers and pmrc's own writes leave it out.
            warnings.push(Warning::note(
                Code::YarnrcFlagLine,
                "`--registry` is a command-line flag line: Yarn 1 makes it the default registry, over any `registry` in .yarnrc or .npmrc (a scope with a registry of its own keeps it), and a home .yarnrc's flag over the project's; pmrc reads it so, but a conversion to Yarn 1 writes .npmrc, whose `registry` this line still overrides",
                origin(l.line),
            ));
        } else if let Some(command) = l
            .key
            .strip_prefix("--")
            .and_then(|flag| flag.strip_suffix(".registry"))
        {
            // A flag for one command (`--install.registry`): Yarn 1 sends that command's
            // requests there, which pmrc's one default registry per manager cannot say.
            warnings.push(Warning::new(
                Code::YarnrcFlagLine,
                format!(
                    "`{}` is a command-line flag line for `yarn {command}`: Yarn 1 sends that command's requests to its registry, which pmrc neither reads nor translates, so what pmrc says of Yarn 1's registry is wrong for `yarn {command}`",
                    l.key
                ),
                origin(l.line),
            ));
        } else if l.key.starts_with("--") {
            warnings.push(Warning::note(
                Code::YarnrcFlagLine,
                format!(
                    "`{}` is a command-line flag line; pmrc does not translate it",
                    l.key
                ),
                origin(l.line),
            ));
        } else if !is_owned(&l.key) && !AUTH.contains(&name) {
            // Network settings pmrc's model has no place for are said to be such.
            let message = match l.key.as_str() {
                "network-timeout" => "Yarn 1 network setting `network-timeout` is one pmrc does not translate; carry it over by hand (Yarn 4: `httpTimeout`; npm: `fetch-timeout`)".to_string(),
                "custom-host-suffix" => "Yarn 1 network setting `custom-host-suffix` is one pmrc does not translate (no other manager has it)".to_string(),
                key => format!(
                    "Yarn 1 setting `{key}` is not a registry, auth or network setting; pmrc does not carry it over"
                ),
            };
            warnings.push(Warning::note(
                Code::YarnrcKeyNotTranslated,
                message,
                origin(l.line),
            ));
        }
    }
    for s in settings(text)? {
        let SettingValue::Scalar(raw) = &s.value else {
            continue;
        };
        let v = Value::new(Template::literal(raw.clone()), origin(s.line));
        let key = s.path[0].as_str();
        if let Some(scope) = scope_of_registry_key(key) {
            model.scopes.entry(scope.to_string()).or_default().registry = Some(v);
            continue;
        }
        match key {
            "registry" => model.registry = Some(v),
            "strict-ssl" => model.tls.strict_ssl = Some(v),
            "cafile" => model.tls.cafile = Some(v),
            "ca" => model.tls.ca = vec![v],
            "proxy" => model.proxy.http = Some(v),
            _ => model.proxy.https = Some(v),
        }
    }
    Ok((model, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `doctor --fix` on a `.yarnrc` Yarn 1 ignores over npm's `key=value` form: each such
    /// line becomes `key "value"`, the URL among them whole (quoting alone mangled
    /// `registry=http://h/`, whose key Yarn 1 reads as `registry=http`), and every other
    /// byte stays. Real Yarn 1.22.22 asked the written registry once it was mended.
    #[test]
    fn key_value_lines_are_written_as_yarn_1_reads_them() {
        let text = concat!(
            "\u{feff}# team\r\n",
            "registry=http://127.0.0.1:4873/\r\n",
            "network-timeout=60000\n",
            "strict-ssl=false # c\n",
            "http-proxy = \"h\"\n",
            "user-agent=my agent 1.0 ; c\n",
            "foo='a b'\r",
            "--install.frozen-lockfile=true\n",
            "\"@acme:registry\" =http://h:1/\n",
            "links \"x\"",
        );
        let fixed = fix_ignored_file(text).unwrap();
        assert_eq!(
            fixed,
            concat!(
                "\u{feff}# team\r\n",
                "registry \"http://127.0.0.1:4873/\"\r\n",
                "network-timeout 60000\n",
                "strict-ssl false # c\n",
                "http-proxy \"h\"\n",
                "user-agent \"my agent 1.0\" # c\n",
                "foo \"a b\"\r",
                "--install.frozen-lockfile=true\n",
                "\"@acme:registry\" \"http://h:1/\"\n",
                "links \"x\"",
            )
        );
        let read = settings(&fixed).unwrap();
        assert!(
            read.iter().any(|s| s.path[0] == "registry"
                && s.value == SettingValue::Scalar("http://127.0.0.1:4873/".into())),
            "{read:?}"
        );
        assert!(lines(&fixed).unwrap().iter().all(|l| !l.unquoted_colon));
        assert_eq!(fix_ignored_file("registry \"https://r.example/\"\n"), None);
        // A bare URL beside such a line is quoted too.
        assert_eq!(
            fix_ignored_file("a=b\nregistry http://h:1/\n").unwrap(),
            "a \"b\"\nregistry \"http://h:1/\"\n"
        );
    }
    use crate::warning::Severity;

    /// From a helper's review: real Yarn 1.22.22 sent unscoped requests to a `--registry`
    /// flag line's registry. The file's own read keeps its `registry` (the flag is applied
    /// over every file when they are merged, conformance `yarn1_registry_flag_line`); the
    /// flag is the last such line, with its line; each flag line is a note.
    #[test]
    fn a_registry_flag_line_is_read_apart_and_noted() {
        let text = "registry \"https://r.example/main/\"\n--registry \"https://r.example/one/\"\n--registry \"https://r.example/flag/\"\n--install.frozen-lockfile true\n";
        let (model, w) = read_ok(text);
        let flags: Vec<(Severity, usize)> = w
            .iter()
            .filter(|w| w.code == Code::YarnrcFlagLine)
            .map(|w| (w.severity, w.origin.as_ref().unwrap().line))
            .collect();
        assert_eq!(
            flags,
            [
                (Severity::Note, 2),
                (Severity::Note, 3),
                (Severity::Note, 4)
            ]
        );
        assert!(
            w[0].message
                .contains("Yarn 1 makes it the default registry")
        );
        assert_eq!(
            model.registry.unwrap().value.as_literal().unwrap(),
            "https://r.example/main/"
        );
        let flag = registry_flag(text, Path::new(".yarnrc"), Level::Project).unwrap();
        assert_eq!(flag.value.as_literal().unwrap(), "https://r.example/flag/");
        assert_eq!(flag.origin.unwrap().line, 3);
        // None without a flag line, or in a file Yarn 1 ignores as a whole.
        assert!(
            registry_flag(
                "registry \"https://r.example/\"\n",
                Path::new(".yarnrc"),
                Level::Project
            )
            .is_none()
        );
        assert!(
            registry_flag(
                "--registry \"https://r.example/\"\nkey=value\n",
                Path::new(".yarnrc"),
                Level::Project
            )
            .is_none()
        );
    }

    /// From a helper's review: `--registry="URL"` was read with the key `--registry="http`,
    /// and doctor's fix quoted the rest, leaving a line real Yarn 1.22.22 then ran as the
    /// command `yarn add //…` (every install failed). It is read as the flag meant, said to
    /// make Yarn 1 drop the file, and rewritten `--registry "URL"`; a flag without `:` in its
    /// value (`--frozen-lockfile=true`), which Yarn 1 reads, is left alone.
    #[test]
    fn a_flag_written_with_equals_is_read_as_meant_and_rewritten() {
        let text = "--registry=\"http://127.0.0.1:4873/c4/\"\n--frozen-lockfile=true\n--install.registry=https://r.example/i/ # one\n";
        let (_, w) = read_ok(text);
        let unquoted: Vec<&Warning> = w
            .iter()
            .filter(|w| w.code == Code::YarnrcUnquotedUrl)
            .collect();
        assert_eq!(unquoted.len(), 1, "{w:?}");
        assert!(
            unquoted[0]
                .message
                .starts_with("`--registry` is written with `=`")
                && unquoted[0]
                    .message
                    .contains("Write it: --registry \"http://127.0.0.1:4873/c4/\""),
            "{}",
            unquoted[0].message
        );
        let flag = registry_flag(text, Path::new(".yarnrc"), Level::Project).unwrap();
        assert_eq!(
            flag.value.as_literal().unwrap(),
            "http://127.0.0.1:4873/c4/"
        );
        assert_eq!(
            quote_bare_urls(text).unwrap(),
            "--registry \"http://127.0.0.1:4873/c4/\"\n--frozen-lockfile=true\n--install.registry \"https://r.example/i/\" # one\n"
        );
        // The per-command registry is a warning naming the command.
        let install: Vec<&Warning> = w
            .iter()
            .filter(|w| w.code == Code::YarnrcFlagLine && w.message.contains("`yarn install`"))
            .collect();
        assert_eq!(install.len(), 1, "{w:?}");
        assert_eq!(install[0].severity, Severity::Warning);
    }

    fn read_ok(text: &str) -> (Model, Vec<Warning>) {
        read(text, Path::new(".yarnrc"), Level::Project).unwrap()
    }

    #[test]
    fn quoted_keys_and_values() {
        let (m, w) = read_ok(
            "# yarn lockfile v1\n\n\nregistry \"https://r.example/\"\n\"@acme:registry\" \"https://npm.pkg.example/\"\nstrict-ssl false\n",
        );
        assert_eq!(
            m.registry.unwrap().value.as_literal().unwrap(),
            "https://r.example/"
        );
        assert!(m.scopes.contains_key("acme"));
        assert_eq!(
            m.tls.strict_ssl.unwrap().value.as_literal().unwrap(),
            "false"
        );
        assert!(w.is_empty());
    }

    #[test]
    fn unquoted_url_is_flagged() {
        // spec/yarn.md C41: the whole file is lost.
        let (_, w) = read_ok("registry http://127.0.0.1:18081\n");
        assert_eq!(w[0].code, "yarnrc-unquoted-url");
    }

    #[test]
    fn bare_urls_get_quoted() {
        assert_eq!(
            quote_bare_urls("# c\nregistry http://127.0.0.1:18081 # local\n").unwrap(),
            "# c\nregistry \"http://127.0.0.1:18081\" # local\n"
        );
        assert_eq!(quote_bare_urls("registry \"https://r/\"\n"), None);
    }

    /// From a trial: the line the warning gave for a quoted `@scope` key left the key's
    /// quotes out, and Yarn 1 (and pmrc) then stopped on the line as pasted.
    #[test]
    fn the_line_the_unquoted_url_warning_gives_reads() {
        for bad in [
            "\"@tools:registry\" http://t.example:4875/t/",
            "registry http://t.example:4875/t/",
            "--registry=http://t.example:4875/t/",
        ] {
            let (_, w) = read_ok(&format!("strict-ssl false\n{bad}\n"));
            let line = w[0].message.split("Write it: ").nth(1).unwrap();
            let line = line.split(". pmrc reads").next().unwrap();
            let (_, w) = read_ok(&format!("strict-ssl false\n{line}\n"));
            let unread = |c: &str| w.iter().any(|w| w.code == c);
            assert!(!unread("yarnrc-unquoted-url"), "{bad} -> {line}: {w:?}");
        }
    }

    /// From a trial: `"@tools:registry" http://h:4875/t/` alone stopped real Yarn 1.22.22
    /// ("Unknown token"), where pmrc said Yarn 1 ignored the file; after a plain line it is
    /// read as YAML and the file ignored (both checked with real Yarn 1).
    #[test]
    fn an_unquoted_url_stops_yarn_1_where_yaml_cannot_read_the_file() {
        let e = read(
            "\"@tools:registry\" http://h.example:4875/t/\n",
            Path::new(".yarnrc"),
            Level::Project,
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (1, 19));
        assert!(
            e.message
                .contains("write it: \"@tools:registry\" \"http://h.example:4875/t/\"")
        );
        let (_, w) = read_ok("strict-ssl false\n\"@tools:registry\" http://h.example:4875/t/\n");
        assert_eq!(w[0].code, "yarnrc-unquoted-url");
    }

    #[test]
    fn unquoted_scope_key_stops_yarn_1_only_where_yaml_cannot_read_the_file() {
        // spec/yarn.md C42: fatal "Unknown token", when the line is alone.
        let e = read(
            "@acme:registry \"https://a/\"\n",
            Path::new(".yarnrc"),
            Level::Project,
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        // After another line it continues a YAML plain scalar: the file is read so, and gives
        // Yarn 1 no settings (from a trial with real Yarn 1.22.22).
        let (m, w) = read_ok("registry \"https://r/\"\n@acme:registry \"https://a/\"\n");
        assert!(m.registry.is_none() && m.scopes.is_empty());
        assert_eq!(
            (w[0].code, w[0].origin.as_ref().unwrap().line),
            (Code::YarnrcReadAsYaml, 2)
        );
        assert_eq!(
            fix_ignored_file("registry \"https://r/\"\n@acme:registry https://a/\n").unwrap(),
            "registry \"https://r/\"\n\"@acme:registry\" \"https://a/\"\n"
        );
    }

    #[test]
    fn auth_in_yarnrc_is_reported() {
        let (_, w) = read_ok("\"//r.example/:_authToken\" \"FAKESECRET\"\n");
        assert_eq!(w[0].code, "yarnrc-auth-ignored");
        let text = "\"//r.example/:_authToken\" \"FAKESECRET\"\n";
        assert!(!redact::mask(text, &secret_spans(text)).contains("FAKESECRET"));
    }

    #[test]
    fn comments_crlf_and_nested_blocks() {
        let (m, _) = read_ok(
            "registry \"https://r/\" # main\r\nnested:\r\n  registry \"https://ignored/\"\r\n",
        );
        assert_eq!(
            m.registry.unwrap().value.as_literal().unwrap(),
            "https://r/"
        );
    }
}
