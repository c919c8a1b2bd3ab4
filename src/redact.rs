//! Masks secrets in text shown to the user: a format reports the byte spans of its secret
//! values, and this module replaces them; URLs anywhere in printed text lose their
//! credentials here too. Nothing else decides what is secret.

use std::borrow::Cow;
use std::ops::Range;

mod commented_words;

/// What a secret is shown as.
pub const MASK: &str = "***";

/// Replaces each span of `text` with the mask. Spans may be unsorted or overlap. A span that
/// crosses line breaks is masked line by line, keeping every break, so the masked text has
/// the lines of the real one (the preview's diff relies on it). Borrowed when there is
/// nothing to mask (a large file's preview need not copy it, issue 20).
pub fn mask<'t>(text: &'t str, spans: &[Range<usize>]) -> Cow<'t, str> {
    let mut spans: Vec<Range<usize>> = spans.iter().filter(|s| !s.is_empty()).cloned().collect();
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_by_key(|s| s.start);
    // Overlapping spans (a query value two rules find) are one secret, masked once.
    spans.dedup_by(|next, kept| {
        let overlaps = next.start < kept.end;
        if overlaps {
            kept.end = kept.end.max(next.end);
        }
        overlaps
    });
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        if span.end <= at {
            continue;
        }
        let start = span.start.max(at);
        out.push_str(&text[at..start]);
        let mut rest = &text[start..span.end];
        while !rest.is_empty() {
            let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
            if end > 0 {
                out.push_str(MASK);
            }
            let breaks = rest[end..]
                .find(|c| c != '\r' && c != '\n')
                .map_or(rest.len(), |n| end + n);
            out.push_str(&rest[end..breaks]);
            rest = &rest[breaks..];
        }
        at = span.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Query parameters whose values are credentials (`?token=...`, `&access_key=...`, and the
/// short names a trial found: `?t=`, `?code=`). Not every value: `pmrc env` prints a URL
/// a job runs, whose `?channel=beta` must stay as it is.
fn secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["t", "code", "pat", "jwt", "sas"].contains(&name.as_str())
        || [
            "token",
            "auth",
            "key",
            "secret",
            "password",
            "passwd",
            "sig",
            "signature",
            "credential",
        ]
        .iter()
        .any(|s| name.contains(s))
}

/// The spans of a URL's credentials, relative to `url`: a `user:password@` password, a
/// lone `TOKEN@` user (a token is often given that way), and secret query values.
pub fn url_secret_spans(url: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    // Most URLs have neither a user part nor a query: one byte scan settles them (this runs
    // for every URL pmrc prints).
    if !url.bytes().any(|b| b == b'@' || b == b'?' || b == b'=') {
        return out;
    }
    let Some(scheme_end) = crate::registry_url::split_scheme(url).map(|(s, _)| s.len() + 3) else {
        return out;
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |n| scheme_end + n);
    if let Some(at) = url[scheme_end..authority_end]
        .rfind('@')
        .map(|i| i + scheme_end)
    {
        match url[scheme_end..at].find(':').map(|i| i + scheme_end) {
            // A user with an empty password (`https://TOKEN:@host/`) is the credential, as
            // a user alone is; so is one before GitHub's `x-oauth-basic` (from a trial).
            Some(colon) if colon + 1 == at || url[colon + 1..at].starts_with("x-oauth-") => {
                out.push(scheme_end..colon)
            }
            Some(colon) => out.push(colon + 1..at),
            None => out.push(scheme_end..at),
        }
    }
    if let Some(query) = url[authority_end..]
        .find('?')
        .map(|i| i + authority_end + 1)
    {
        let end = url[query..].find('#').map_or(url.len(), |i| i + query);
        let mut at = query;
        for pair in url[query..end].split('&') {
            if let Some((name, _)) = pair.split_once('=')
                && secret_parameter(name)
            {
                out.push(at + name.len() + 1..at + pair.len());
            }
            at += pair.len() + 1;
        }
    }
    // pnpm 12 reads an inline comment into the value (`https://r/ # //r/:_authToken=…`),
    // which is then printed as the registry's URL (from a trial).
    let mut assigned = Vec::new();
    scan_assignments(url, 0..url.len(), Within::Url, &mut assigned);
    for span in assigned {
        if !out
            .iter()
            .any(|s| s.start <= span.start && span.end <= s.end)
        {
            out.push(span);
        }
    }
    // A reference names a secret without holding it: it stays readable, in a diff as in
    // `pmrc env`'s output, which a job runs.
    out.retain(|s| !s.is_empty() && !only_references(&url[s.clone()]));
    out
}

/// [`url_secret_spans`] of a value as written at byte `offset` of a file, as spans of the
/// file: every one of them, a password and each secret query value alike. A quoted value's
/// quotes are not the URL's: a query value would otherwise run on over the closing one.
pub fn url_secret_spans_at(written: &str, offset: usize) -> impl Iterator<Item = Range<usize>> {
    let (url, offset) = match written.as_bytes() {
        [q @ (b'"' | b'\''), .., last] if last == q => (&written[1..written.len() - 1], offset + 1),
        _ => (written, offset),
    };
    url_secret_spans(url)
        .into_iter()
        .map(move |s| offset + s.start..offset + s.end)
}

/// `url` with its credentials masked ([`url_secret_spans`]); borrowed when it has none.
pub fn url(url: &str) -> Cow<'_, str> {
    mask(url, &url_secret_spans(url))
}

/// Free text (a message, a printed line) with the credentials of every URL in it masked;
/// borrowed when there are none, as in almost all of what pmrc prints (a large config's
/// `show` need not be copied to be printed, issue 20).
pub fn urls_in(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut from = 0;
    // Byte by byte: this runs over everything pmrc prints, a large config's `show` among it
    // (issue 20). A scheme is ASCII, so a non-ASCII byte ends it.
    // One searcher for the whole text: `str::find` builds its own on every call, one per URL.
    let scheme_mark = memchr::memmem::Finder::new("://");
    while let Some(found) = scheme_mark.find(&bytes[from..]) {
        let mark = from + found;
        // The URL starts at its scheme and ends at white space or a quoting character.
        let start = bytes[..mark]
            .iter()
            .rposition(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
            .map_or(0, |i| i + 1);
        // A colon or full stop right after a URL is the sentence's (`-> URL: Bearer …`), not
        // part of a query value to mask.
        let end = start.max(
            text[..url_end(text, mark)]
                .trim_end_matches([':', '.', ','])
                .len(),
        );
        spans.extend(
            url_secret_spans(&text[start..end])
                .into_iter()
                .map(|s| start + s.start..start + s.end),
        );
        from = end.max(mark + 3);
    }
    if spans.is_empty() {
        Cow::Borrowed(text)
    } else {
        mask(text, &spans)
    }
}

/// Byte spans of values assigned to a name that says it holds a secret (`token = "…"`,
/// `npmAuthToken: …`, `//host/:_authToken=…`) where a format's reader does not look:
/// commented-out settings and inline comments, and in an ini file (`.npmrc`) keys no manager
/// reads (from a trial: `# npmAuthToken: …` and `#token="…"` were printed in the preview's
/// context lines, and so in pull-request annotations). A YAML or TOML file's keys are the
/// reader's: a package named `jsonwebtoken` or `next-auth` in a catalog is no secret (from
/// a review). A value that is only references, a boolean, or empty is no secret. A comment's
/// token-looking word right after a credential-like name is masked too, with no separator
/// (`# token FAKE123abc`; [`commented_words`]).
pub fn assigned_secret_spans(text: &str, notation: Notation) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    match notation {
        Notation::Ini => {
            scan_assignments(text, 0..text.len(), Within::File, &mut out);
            for comment in ini_comments(text) {
                out.extend(commented_words::spans(
                    &text[comment.clone()],
                    comment.start,
                ));
            }
        }
        Notation::Hashed => {
            for comment in hash_comments(text) {
                scan_assignments(text, comment.clone(), Within::File, &mut out);
                out.extend(commented_words::spans(
                    &text[comment.clone()],
                    comment.start,
                ));
            }
        }
    }
    out
}

/// The comment lines of an ini text (`#` or `;` first), each from its mark to its line's end.
fn ini_comments(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut line_start = 0;
    text.split_inclusive('\n').filter_map(move |line| {
        let at = line_start;
        line_start += line.len();
        let body = line.trim_start();
        body.starts_with(['#', ';']).then(|| {
            let start = at + line.len() - body.len();
            start..at + line.trim_end_matches(['\n', '\r']).len()
        })
    })
}

/// How a config file writes its settings, for [`assigned_secret_spans`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// `key=value` lines, `#`/`;` comments (`.npmrc`, `.yarnrc`): every line is looked at.
    Ini,
    /// YAML and TOML: only their `#` comments are looked at.
    Hashed,
}

/// The `#` comments of a YAML or TOML text, each to its line's end: a `#` at a line's start
/// or after a blank, outside quotes.
fn hash_comments(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut line_start = 0;
    text.split_inclusive('\n').filter_map(move |line| {
        let at = line_start;
        line_start += line.len();
        if !line.contains('#') {
            return None;
        }
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), _) if c == q && previous != '\\' => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if previous == ' ' || previous == '\t' || i == 0 => {
                    return Some(at + i..at + line.trim_end_matches(['\n', '\r']).len());
                }
                _ => {}
            }
            previous = c;
        }
        None
    })
}

/// Where an assignment is read: a file's text, or a URL (printed text may run on after it:
/// a GitHub annotation's `%0A`), where a value ends at `/`, `%`, `&`, `#` or `?` too.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Within {
    File,
    Url,
}

/// Values assigned to secret names in `text[range]`, onto `out`.
fn scan_assignments(text: &str, range: Range<usize>, within: Within, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let part = &text[range.clone()];
    // A name that says it holds a secret ends in one of a few letter pairs: most `=` and
    // `:` (`registry=`, `https:`) are passed over on that alone, without finding the name
    // (this runs over every line of a previewed file, issue 20).
    let separators = memchr::memchr2_iter(b'=', b':', part.as_bytes())
        .map(|at| range.start + at)
        .filter(|&at| may_end_a_secret_name(&bytes[..at]));
    let blanks = (within == Within::File)
        .then(|| commented_ini_lines(part).map(|at| range.start + at))
        .into_iter()
        .flatten();
    for (at, exact) in separators
        .map(|at| (at, false))
        .chain(blanks.map(|at| (at, true)))
    {
        let name = name_before(text, at);
        // `${NPM_TOKEN:-}`'s `:` follows a variable's name, not a setting's.
        let in_reference = text[..name.start].ends_with("${");
        let secret = if exact {
            is_secret_key(&text[name])
        } else {
            names_a_secret(&text[name])
        };
        if in_reference || !secret {
            continue;
        }
        let mut start = at + 1;
        while bytes.get(start).is_some_and(|&b| b == b' ' || b == b'\t') {
            start += 1;
        }
        let quote = bytes
            .get(start)
            .copied()
            .filter(|&b| b == b'"' || b == b'\'');
        let end = match quote {
            // TOML's `"""…"""` and `'''…'''`: a single quote's reading ends at once, with
            // an empty value, and the secret after it was printed (from a session's gaps).
            Some(q) if bytes[start..range.end].starts_with(&[q; 3]) => {
                start += 3;
                triple_quoted_value_len(&text[start..range.end], q as char) + start
            }
            Some(q) => {
                start += 1;
                quoted_value_len(&text[start..range.end], q as char) + start
            }
            None => start + unquoted_value_len(&text[start..range.end], within),
        };
        let value = &text[start..end];
        if value.is_empty()
            || only_references_in_any_notation(value)
            || ["true", "false", "null"].contains(&value.to_ascii_lowercase().as_str())
        {
            continue;
        }
        out.push(start..end);
    }
}

/// Whether the text before a separator may end in a secret name ([`names_a_secret`]): its
/// last two letters, after blanks and a closing quote, are those of one of the names.
fn may_end_a_secret_name(head: &[u8]) -> bool {
    let mut end = head.len();
    while end > 0 && matches!(head[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    if end > 0 && matches!(head[end - 1], b'"' | b'\'') {
        end -= 1;
    }
    if end < 2 {
        return false;
    }
    let pair = [
        head[end - 2].to_ascii_lowercase(),
        head[end - 1].to_ascii_lowercase(),
    ];
    matches!(&pair, b"en" | b"th" | b"nt" | b"et" | b"rd" | b"wd" | b"ey")
}

/// How long a quoted value is, to its closing quote (a backslash escapes one in double
/// quotes) or its line's end.
fn quoted_value_len(rest: &str, quote: char) -> usize {
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\n' | '\r' => return i,
            '\\' if quote == '"' && !escaped => {
                escaped = true;
                continue;
            }
            c if c == quote && !escaped => return i,
            _ => {}
        }
        escaped = false;
    }
    rest.len()
}

/// How long a triple-quoted value is on its line, to its closing triple quote or the line's
/// end (the string may go on over lines, which a comment does not).
fn triple_quoted_value_len(rest: &str, quote: char) -> usize {
    let line = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
    let closing: String = [quote; 3].iter().collect();
    line.find(&closing).unwrap_or(line.len())
}

/// How long an unquoted value is: up to a blank, a comma or a closing bracket, a `${…}` (or
/// GitHub's `${{ … }}`, which has blanks in it) read whole.
fn unquoted_value_len(rest: &str, within: Within) -> usize {
    let mut at = 0;
    while at < rest.len() {
        let tail = &rest[at..];
        if tail.starts_with("${") {
            match reference_len(tail) {
                Some(n) => {
                    at += n;
                    continue;
                }
                None => return at + tail.find(['\n', '\r']).unwrap_or(tail.len()),
            }
        }
        let c = tail.chars().next().unwrap_or(' ');
        if matches!(c, ' ' | '\t' | '\n' | '\r' | ',' | '}' | ']')
            || (within == Within::Url && matches!(c, '/' | '%' | '&' | '#' | '?'))
        {
            return at;
        }
        at += c.len_utf8();
    }
    rest.len()
}

/// The length of the `${…}` that `text` starts with, through its own closing brace (Yarn
/// nests a default reference, `${A:-${B}}`; GitHub's `${{ … }}` has blanks in it), on one
/// line.
fn reference_len(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let close = i + 1;
                    // GitHub's expression closes with two braces.
                    return Some(if text.starts_with(GITHUB_EXPRESSION_OPEN) {
                        close + text[close..].starts_with('}') as usize
                    } else {
                        close
                    });
                }
            }
            '\n' | '\r' => return None,
            _ => {}
        }
    }
    None
}

/// Whether a value is references alone in any manager's notation: npm's and Yarn's
/// `${NAME}` (with `?`, `:-` or `-` after the name), Bun's `$NAME`, GitHub's
/// `${{ secrets.NAME }}`. Their names are no secret.
fn only_references_in_any_notation(value: &str) -> bool {
    if only_references(value) {
        return true;
    }
    let mut rest = value.trim_start_matches('\\');
    let mut any = false;
    while let Some(after) = rest.strip_prefix('$') {
        let name_len = if let Some(inner) = after.strip_prefix('{') {
            let Some(len) = reference_len(rest) else {
                return false;
            };
            let body = &inner[..len - 3];
            let name = body.split([':', '?', '-']).next().unwrap_or_default();
            if !is_variable_name(name) {
                return false;
            }
            // `${NAME:-default}`: the default is sent when NAME is unset, text of its own
            // unless it is references alone (from a review).
            let default = body[name.len()..]
                .trim_start_matches(':')
                .trim_start_matches(['-', '?']);
            if !default.is_empty() && !only_references_in_any_notation(default) {
                return false;
            }
            len - 1
        } else {
            let n = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if n == 0 {
                return false;
            }
            n
        };
        any = true;
        rest = after[name_len..].trim_start_matches('\\');
    }
    any && rest.is_empty()
}

/// Where the blank after the key of a commented-out `.yarnrc` line is (`# _authToken x`,
/// `#"_authToken" "x"`): Yarn 1's file separates a key from its value by a blank. Only a
/// key that is a credential's exactly counts ([`is_secret_key`]): `# Auth is set in CI` is
/// prose (from a review).
fn commented_ini_lines(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut line_start = 0;
    text.split_inclusive('\n').filter_map(move |line| {
        let at = line_start;
        line_start += line.len();
        let body = line.trim_start();
        let body = body.strip_prefix(['#', ';'])?.trim_start();
        let key_len = if let Some(quoted) = body.strip_prefix('"') {
            quoted.find('"')? + 2
        } else {
            body.find([' ', '\t'])?
        };
        let blank = at + (line.len() - body.len()) + key_len;
        text[blank..].starts_with([' ', '\t']).then_some(blank)
    })
}

/// Where the name an `=` or `:` at `at` assigns to is: the word before it, a closing quote
/// skipped.
fn name_before(text: &str, at: usize) -> Range<usize> {
    let head = &text[..at];
    let head = head.trim_end_matches([' ', '\t']);
    let head = head.strip_suffix(['"', '\'']).unwrap_or(head);
    // By bytes: a name is ASCII, and the byte before it (any other, a UTF-8 one included)
    // ends a character, so the name starts on a boundary.
    let start = head
        .bytes()
        .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
        .map_or(0, |i| i + 1);
    start..head.len()
}

/// Whether a key is a credential's as the managers spell it (`_authToken`, `_auth`,
/// `_password`, `npmAuthToken`, `npmAuthIdent`, keyed or not: `//host/:_authToken`).
fn is_secret_key(key: &str) -> bool {
    let name = key.rsplit(':').next().unwrap_or(key);
    [
        "_authToken",
        "_auth",
        "_password",
        "npmAuthToken",
        "npmAuthIdent",
    ]
    .contains(&name)
}

/// Whether a setting's name says its value is a secret: it ends in token, auth, ident,
/// password, secret or api key (`_authToken`, `npmAuthIdent`, `_auth`, `_password`), or is
/// `key` (npm's inline private key).
fn names_a_secret(name: &str) -> bool {
    // The name's last letters and digits, lower-cased, without a copy of it: this runs for
    // every `=` and `:` of a previewed file (issue 20).
    const LONGEST: usize = 10;
    let mut tail = [0u8; LONGEST];
    let mut len = 0;
    let mut letters = 0;
    for b in name.bytes().rev().filter(u8::is_ascii_alphanumeric) {
        if len < LONGEST {
            tail[LONGEST - 1 - len] = b.to_ascii_lowercase();
            len += 1;
        }
        letters += 1;
    }
    let tail = &tail[LONGEST - len..];
    (letters == 3 && tail == b"key")
        || [
            &b"token"[..],
            b"auth",
            b"ident",
            b"password",
            b"passwd",
            b"secret",
            b"apikey",
            b"privatekey",
        ]
        .iter()
        .any(|s| tail.ends_with(s))
}

/// Whether `text` is nothing but `${NAME}` or `${NAME?}` references (npm's notation, as
/// rendered) or GitHub's `${{ secrets.NAME }}` (`pmrc env --format github`). A default
/// (`${NAME:-text}`) holds text of its own, which may be a secret.
pub fn only_references(mut text: &str) -> bool {
    while text.starts_with("${") {
        // GitHub takes `${{secrets.NAME}}` with or without the spaces.
        if let Some(rest) = text
            .strip_prefix(GITHUB_EXPRESSION_OPEN)
            .and_then(|r| r.trim_start().strip_prefix(GITHUB_SECRETS))
        {
            let Some(end) = rest.find(GITHUB_EXPRESSION_CLOSE) else {
                return false;
            };
            if !is_variable_name(rest[..end].trim_end()) {
                return false;
            }
            text = &rest[end + GITHUB_EXPRESSION_CLOSE.len()..];
            continue;
        }
        let rest = &text[2..];
        let Some(end) = rest.find('}') else {
            return false;
        };
        let name = rest[..end].strip_suffix('?').unwrap_or(&rest[..end]);
        if !is_variable_name(name) {
            return false;
        }
        text = &rest[end + 1..];
    }
    text.is_empty()
}

const GITHUB_EXPRESSION_OPEN: &str = "${{";
const GITHUB_SECRETS: &str = "secrets.";
const GITHUB_EXPRESSION_CLOSE: &str = "}}";

fn is_variable_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Where the URL whose `://` is at `mark` ends: at white space or a quoting character.
fn url_end(text: &str, mark: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = mark;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii() {
            // A `${VAR}` in a URL (a message quoting a config value) is part of it: ending
            // at its brace masked the `$` alone and printed `***{VAR}`.
            // npm's escaped `\${` is literal text of the URL, not its end.
            if b == b'\\' && bytes.get(at + 1) == Some(&b'$') {
                at += 1;
                continue;
            }
            // GitHub's `${{ secrets.NAME }}` has spaces in it.
            if b == b'{'
                && at > mark
                && bytes[at - 1..].starts_with(GITHUB_EXPRESSION_OPEN.as_bytes())
                && let Some(close) = text[at..]
                    .find(GITHUB_EXPRESSION_CLOSE)
                    .filter(|&close| !text[at..at + close].contains(['\n', '\'', '"', '`']))
            {
                at += close + GITHUB_EXPRESSION_CLOSE.len();
                continue;
            }
            if b == b'{' && at > mark && bytes[at - 1] == b'$' {
                let close = bytes[at..]
                    .iter()
                    .take_while(|b| !b.is_ascii_whitespace() && !b"`'\"".contains(b))
                    .position(|&b| b == b'}');
                match close {
                    Some(close) => {
                        at += close + 1;
                        continue;
                    }
                    None => return at,
                }
            }
            if b.is_ascii_whitespace() || b == 0x0b || b"`'\"<>()[]{},;|\\".contains(&b) {
                return at;
            }
            at += 1;
        } else {
            // Only a character boundary starts here; Unicode has white space beyond ASCII.
            let c = text[at..].chars().next().expect("a character starts here");
            if c.is_whitespace() {
                return at;
            }
            at += c.len_utf8();
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_credential_is_a_reference_only_when_it_is_nothing_else() {
        assert!(only_references("${A}"));
        assert!(only_references("${A}${B}"));
        assert!(!only_references("pa$$w0rd"));
        assert!(!only_references("${A}x"));
        assert!(!only_references("${A"));
        assert!(!only_references("$A"));
        assert!(only_references("${A?}"));
        assert!(!only_references("${A:-FAKE-DEFAULT}"));
        assert!(!only_references("${A-FAKE-DEFAULT}"));
        assert!(only_references("${{ secrets.A }}${B}"));
        assert!(!only_references("${{ secrets.A }}x"));
        assert!(!only_references("${{ secrets.A-B }}"));
        assert!(only_references("${{secrets.A}}"));
        assert!(!only_references("${{ github.token }}x"));
        assert!(!only_references("${{ vars.A }}"));
    }

    /// A reference in a URL quoted in a message stays whole (it names a secret, it holds
    /// none); a literal next to one is masked.
    #[test]
    fn urls_in_text_keep_references_whole() {
        for kept in [
            "cannot keep `https://r.example/npm?token=${T}`: Bun expands",
            "see https://${USER}:${PW}@r.example/, then",
            "  X: 'https://r.example/npm/?token=${{ secrets.T }}'",
        ] {
            assert_eq!(urls_in(kept), kept);
        }
        assert_eq!(
            urls_in("see https://u:FAKE${PW}@r.example/?token=x${T}, then"),
            "see https://u:***@r.example/?token=***, then"
        );
        // npm's escaped `\${…}` is literal text, a secret like any other.
        assert_eq!(
            urls_in("requests https://r.example/?token=\\${FAKESEC9} but"),
            "requests https://r.example/?token=*** but"
        );
        // An unclosed brace ends the URL, as any brace did.
        assert_eq!(
            urls_in("https://r.example/?token=FAKE${T and }"),
            "https://r.example/?token=***{T and }"
        );
    }

    #[test]
    fn masks_values_assigned_to_secret_names_outside_what_a_reader_owns() {
        let yaml =
            |text: &str| mask(text, &assigned_secret_spans(text, Notation::Hashed)).into_owned();
        let ini = |text: &str| mask(text, &assigned_secret_spans(text, Notation::Ini)).into_owned();
        assert_eq!(
            yaml("# npmAuthToken: FAKE1\n#npmAuthToken: \"FAKE2\"\n"),
            "# npmAuthToken: ***\n#npmAuthToken: \"***\"\n"
        );
        assert_eq!(
            yaml("# registry = { url = \"https://r.test/\", token = \"FAKE3\" }\n#token=\"FAKE4\""),
            "# registry = { url = \"https://r.test/\", token = \"***\" }\n#token=\"***\""
        );
        assert_eq!(
            yaml("npmRegistryServer: \"https://old.test\"   # npmAuthToken: FAKE5\r\n"),
            "npmRegistryServer: \"https://old.test\"   # npmAuthToken: ***\r\n"
        );
        assert_eq!(
            ini("registry=https://old.test/ # //r.test:4873/:_authToken=FAKE5\r\n"),
            "registry=https://old.test/ # //r.test:4873/:_authToken=***\r\n"
        );
        assert_eq!(
            ini("//r.test/:_authtoken=FAKE6\n"),
            "//r.test/:_authtoken=***\n"
        );
        assert_eq!(
            ini("#\"_authToken\" \"FAKE8\"\n# _auth FAKE7\n# see the token docs\n"),
            "#\"_authToken\" \"***\"\n# _auth ***\n# see the token docs\n"
        );
        assert_eq!(yaml("# token=FAKE9${X}\n"), "# token=***\n");
        // A default is literal text of its own (from a review).
        assert_eq!(
            yaml(
                "# npmAuthToken: \"${NPM_TOKEN:-npm_FAKE10}\"\n#npmAuthIdent: ${U:-user:FAKE11}\n"
            ),
            "# npmAuthToken: \"***\"\n#npmAuthIdent: ***\n"
        );
        assert_eq!(yaml("# token = \"a\\\"FAKE12\"\n"), "# token = \"***\"\n");
        // TOML's triple quotes, closed on the line or not.
        assert_eq!(
            yaml(
                "# token = \"\"\"FAKE17\"\"\"\n# token = '''FAKE18'''\n# password = \"\"\"FAKE19\n"
            ),
            "# token = \"\"\"***\"\"\"\n# token = '''***'''\n# password = \"\"\"***\n"
        );
        // No separator: a token-looking word after a credential's name (from a trial).
        assert_eq!(
            yaml("# token FAKE13secret\nregistry: \"https://r/\" # password FAKE-pw-14\n"),
            "# token ***\nregistry: \"https://r/\" # password ***\n"
        );
        assert_eq!(
            ini("# token FAKE15secret\n; apiKey FAKE16secret\n"),
            "# token ***\n; apiKey ***\n"
        );
        // References, booleans, settings, package names and prose stay readable.
        for kept in [
            "npmAuthToken: \"${NPM_TOKEN}\"\n",
            "//r/:_authToken=${NPM_TOKEN}\n//r/:_password=${P?}\nnpmAuthToken: \"${T:-}\"\n",
            "registry=${REGISTRY_TOKEN:-https://r/}\n",
            "npmAuthToken: \"${R:-${S}}\"\nnpmAuthToken: ${R:-${S}}\n",
            "acme = { url = \"https://r/\", token = \"$NODE_AUTH_TOKEN\" }\n",
            "//r/:_authToken=\"\\${LEGACY}\"\n",
            "token: ${{ secrets.NPM_TOKEN }}\n",
            "npmAlwaysAuth: true\nalways-auth=false\n",
            "registry=https://r.test:4873/\ncafile=/etc/ca.pem\nkeyfile=/k.pem\n",
            "tokenHelper=/bin/helper\nauth-type=web\n",
            "# Auth is set in CI\n# the token comes from the vault\n",
            "# the token lives in 1Password\n# jsonwebtoken v9.0.2-beta1\n",
        ] {
            assert_eq!(ini(kept), kept);
            assert_eq!(yaml(kept), kept);
        }
        for kept in [
            "overrides:\n  passport-oauth: 1.0.0\ncatalog:\n  jsonwebtoken: ^9\n  next-auth: 4.24.7\n",
            "url: \"https://r/#token=x\"\n",
        ] {
            assert_eq!(yaml(kept), kept);
        }
    }

    #[test]
    fn masks_spans_in_order() {
        assert_eq!(mask("a=SECRET\nb=TWO", &[11..14, 2..8]), "a=***\nb=***");
    }

    #[test]
    fn a_span_over_lines_keeps_the_lines() {
        let text = "k: |\n  ONE\r\n  TWO\nnext: 1\n";
        let start = text.find("  ONE").unwrap();
        let end = text.find("\nnext").unwrap();
        let span = start..end;
        let masked = mask(text, std::slice::from_ref(&span));
        assert_eq!(masked, "k: |\n***\r\n***\nnext: 1\n");
        assert_eq!(masked.lines().count(), text.lines().count());
    }

    #[test]
    fn finds_url_credentials() {
        let url = "http://alice:hunter2@proxy.example:8080/";
        let spans = url_secret_spans(url);
        assert_eq!(
            spans.iter().map(|s| &url[s.clone()]).collect::<Vec<_>>(),
            ["hunter2"]
        );
        assert!(url_secret_spans("https://proxy.example:8080/").is_empty());
        assert_eq!(
            super::url("https://r.example/?t=FAKE1&code=FAKE2&channel=beta"),
            "https://r.example/?t=***&code=***&channel=beta"
        );
        assert_eq!(
            super::url("https://FAKE3:x-oauth-basic@github.example/"),
            "https://***:x-oauth-basic@github.example/"
        );
        let lone = "https://TOKEN123@host.example/";
        assert_eq!(&lone[url_secret_spans(lone)[0].clone()], "TOKEN123");
        let empty_password = "https://TOKEN456:@host.example/";
        assert_eq!(super::url(empty_password), "https://***:@host.example/");
        // Every credential of a URL is masked, not only its first (issue 20's review).
        let several = "https://u:PW@h.example/?token=A,B&x=1&sig=C D#f";
        assert_eq!(
            super::url(several),
            "https://u:***@h.example/?token=***&x=1&sig=***#f"
        );
        assert_eq!(
            url_secret_spans_at(several, 10).next(),
            Some(10 + 10..10 + 12)
        );
        // A written value's quotes stay outside the masked query value.
        let quoted = "k: \"https://h.example/?token=T\"\n";
        let at = quoted.find('"').unwrap();
        let written = &quoted[at..quoted.len() - 1];
        let spans: Vec<_> = url_secret_spans_at(written, at).collect();
        assert_eq!(
            mask(quoted, &spans),
            "k: \"https://h.example/?token=***\"\n"
        );
        let query = "https://h.example/p?x=1&access_token=SECRET&y=2";
        let spans = url_secret_spans(query);
        assert_eq!(spans.len(), 1);
        assert_eq!(&query[spans[0].clone()], "SECRET");
    }

    #[test]
    fn urls_in_text_lose_their_credentials() {
        let text = "npm requests https://u:PASS@r.example/ (and `http://TOK@h/x?token=Q`).";
        let masked = urls_in(text);
        assert_eq!(
            masked,
            "npm requests https://u:***@r.example/ (and `http://***@h/x?token=***`)."
        );
        assert_eq!(urls_in("no url here"), "no url here");
        // The punctuation after a URL stays (it was masked with a secret query value).
        assert_eq!(
            urls_in("@a/* -> https://r.example/?token=Q: Bearer ***."),
            "@a/* -> https://r.example/?token=***: Bearer ***."
        );
        assert_eq!(urls_in("see https://u:P@h/."), "see https://u:***@h/.");
        // A scheme ends at the character before it, ASCII or not; white space is Unicode's.
        assert_eq!(urls_in("éhttps://u:P@h/x"), "éhttps://u:***@h/x");
        assert_eq!(
            urls_in("https://u:P@h/\u{a0}https://Q@h"),
            "https://u:***@h/\u{a0}https://***@h"
        );
    }
}
