//! Masks secrets in text shown to the user: a format reports the byte spans of its secret
//! values, and this module replaces them. Nothing else decides what is secret.

use std::ops::Range;

/// What a secret is shown as.
pub const MASK: &str = "***";

/// Replaces each span of `text` with the mask. Spans may be unsorted or overlap.
pub fn mask(text: &str, spans: &[Range<usize>]) -> String {
    let mut spans: Vec<Range<usize>> = spans.iter().filter(|s| !s.is_empty()).cloned().collect();
    spans.sort_by_key(|s| s.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        if span.end <= at {
            continue;
        }
        let start = span.start.max(at);
        out.push_str(&text[at..start]);
        out.push_str(MASK);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The span of a `user:password@` password inside a URL, if any, relative to `url`.
pub fn url_password_span(url: &str) -> Option<Range<usize>> {
    let scheme_end = url.find("://")? + 3;
    let authority_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |n| scheme_end + n);
    let at = url[scheme_end..authority_end].rfind('@')? + scheme_end;
    let colon = url[scheme_end..at].find(':')? + scheme_end;
    Some(colon + 1..at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_spans_in_order() {
        assert_eq!(mask("a=SECRET\nb=TWO", &[11..14, 2..8]), "a=***\nb=***");
    }

    #[test]
    fn finds_url_passwords() {
        let url = "http://alice:hunter2@proxy.example:8080/";
        let span = url_password_span(url).unwrap();
        assert_eq!(&url[span], "hunter2");
        assert_eq!(url_password_span("https://proxy.example:8080/"), None);
        assert_eq!(url_password_span("https://alice@proxy.example/"), None);
    }
}
