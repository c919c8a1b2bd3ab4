//! Placeholders in case text: registry addresses in config files, env values in expectations.
//!
//! Config files are written once with `{R1}` (= `http://127.0.0.1:<port of R1>`, or `https://`
//! for a TLS listener) and `{H1}` (= `127.0.0.1:<port>`); each run renders them for its own
//! fresh servers. pmrc's output is turned back into the same placeholders ([`unrender`]), so
//! one translation can be replayed against any server instance.
//!
//! Expected `Authorization` values use `{NAME}` for the run's env value and `{b64:TEXT}` for
//! base64 of TEXT (itself expanded), e.g. `Basic {b64:alice:{NPM_PASS}}`. A template that uses
//! a variable the round leaves unset expects no `Authorization` at all, unless it gives a
//! default: `{NPM_TOKEN:-fake-default}`.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

/// Replaces `{R<n>}` with `origins[n-1]` (`http://127.0.0.1:<port>`) and `{H<n>}` with its
/// host part. Any other brace text (`${NPM_TOKEN}`, YAML flow maps) is left alone.
pub fn render(text: &str, origins: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match placeholder(tail) {
            Some((kind, n, len)) if n >= 1 && n <= origins.len() => {
                let origin = &origins[n - 1];
                out.push_str(if kind == 'R' { origin } else { host_of(origin) });
                rest = &tail[len..];
            }
            Some((_, n, _)) => panic!(
                "placeholder for listener {n}, but the case has {}",
                origins.len()
            ),
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn host_of(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, h)| h)
}

/// `{R12}` at the start of `s` → (`'R'`, 12, 5).
fn placeholder(s: &str) -> Option<(char, usize, usize)> {
    let mut chars = s.char_indices().skip(1);
    let (_, kind) = chars.next()?;
    if kind != 'R' && kind != 'H' {
        return None;
    }
    let digits: String = s[2..].chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || !s[2 + digits.len()..].starts_with('}') {
        return None;
    }
    Some((kind, digits.parse().ok()?, digits.len() + 3))
}

/// The inverse of [`render`] for `{H<n>}`: every `127.0.0.1:<port>` of a known listener
/// becomes `{H<n>}` (so `http://127.0.0.1:<port>` reads `http://{H<n>}`). A port that is not one
/// of `hosts` stays as it is, and so will not match any later server: that shows as a
/// mismatch, which is what a translation that invented a port deserves.
pub fn unrender(text: &str, origins: &[String]) -> String {
    let hosts: Vec<&str> = origins.iter().map(|o| host_of(o)).collect();
    const LOOPBACK: &str = "127.0.0.1:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(LOOPBACK) {
        out.push_str(&rest[..i]);
        let after = &rest[i + LOOPBACK.len()..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let host = format!("{LOOPBACK}{digits}");
        match hosts.iter().position(|h| *h == host.as_str()) {
            Some(n) if !digits.is_empty() => out.push_str(&format!("{{H{}}}", n + 1)),
            _ => out.push_str(&host),
        }
        rest = &after[digits.len()..];
    }
    out.push_str(rest);
    out
}

/// Expands `{NAME}` from `env` and `{b64:…}` (base64 of the expanded inside). `None` when
/// the template uses a variable that is declared but unset in this round (`env` maps it to
/// `None`): a credential made of an unset variable is no credential. An undeclared name panics.
pub fn expand(template: &str, env: &BTreeMap<String, Option<String>>) -> Option<String> {
    let mut unset = false;
    let (out, rest) = expand_until(template, env, false, &mut unset);
    assert!(
        rest.is_empty(),
        "unbalanced '}}' in expectation {template:?}"
    );
    (!unset).then_some(out)
}

/// Expands up to an unmatched `}` (when `nested`) or the end; returns the text and what is left.
fn expand_until<'a>(
    mut s: &'a str,
    env: &BTreeMap<String, Option<String>>,
    nested: bool,
    unset: &mut bool,
) -> (String, &'a str) {
    let mut out = String::new();
    loop {
        let Some(i) = s.find(['{', '}']) else {
            out.push_str(s);
            return (out, "");
        };
        out.push_str(&s[..i]);
        if s.as_bytes()[i] == b'}' {
            assert!(nested, "unbalanced '}}' in expectation");
            return (out, &s[i + 1..]);
        }
        s = &s[i + 1..];
        if let Some(inner) = s.strip_prefix("b64:") {
            let (text, rest) = expand_until(inner, env, true, unset);
            out.push_str(&B64.encode(text));
            s = rest;
        } else {
            let end = s.find('}').expect("unclosed '{' in expectation");
            // `{NAME:-text}`: the text when the round leaves NAME unset.
            let (name, default) = match s[..end].split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (&s[..end], None),
            };
            match (env.get(name), default) {
                (Some(Some(value)), _) => out.push_str(value),
                (Some(None), Some(default)) => out.push_str(default),
                (Some(None), None) => *unset = true,
                (None, _) => {
                    panic!("expectation uses {{{name}}}, which the case's env does not declare")
                }
            }
            s = &s[end + 1..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_unrenders_registry_placeholders() {
        let hosts = vec![
            "http://127.0.0.1:40001".to_string(),
            "https://127.0.0.1:4000".to_string(),
        ];
        let text =
            "registry={R1}/\n//{H2}/:_authToken=${NPM_TOKEN}\nx: {a: {b}}\n@s:registry={R2}/\n";
        let rendered = render(text, &hosts);
        assert_eq!(
            rendered,
            "registry=http://127.0.0.1:40001/\n//127.0.0.1:4000/:_authToken=${NPM_TOKEN}\nx: {a: {b}}\n@s:registry=https://127.0.0.1:4000/\n"
        );
        // 4000 is a prefix of 40001: whole port numbers must be compared.
        assert_eq!(
            unrender(&rendered, &hosts),
            "registry=http://{H1}/\n//{H2}/:_authToken=${NPM_TOKEN}\nx: {a: {b}}\n@s:registry=https://{H2}/\n"
        );
        assert_eq!(
            unrender("//127.0.0.1:9/", &hosts),
            "//127.0.0.1:9/",
            "unknown ports stay"
        );
    }

    #[test]
    fn expands_env_values_and_base64() {
        let env = BTreeMap::from([
            ("PASS".to_string(), Some("fake-pass-1".to_string())),
            ("GONE".to_string(), None),
        ]);
        assert_eq!(
            expand("Bearer {PASS}", &env).as_deref(),
            Some("Bearer fake-pass-1")
        );
        assert_eq!(
            expand("Basic {b64:alice:{PASS}}", &env).as_deref(),
            Some("Basic YWxpY2U6ZmFrZS1wYXNzLTE=")
        );
        assert_eq!(expand("", &env).as_deref(), Some(""));
        assert_eq!(expand("Bearer {GONE}", &env), None, "unset: no credential");
    }
}
