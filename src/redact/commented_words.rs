//! A secret left in a comment without a separator (`# token FAKE123abc`, `# apiKey FAKE123`):
//! a note beside a setting, which a preview prints as context. Prose is full of credential
//! words too (`# Auth is set in CI`, `# the token lives in 1Password`), so only a word that
//! looks like a token, right after a name that says it holds a secret, is masked.

use std::ops::Range;

/// The spans of token-looking words right after a credential-like name in `comment` (text
/// from a `#` or `;` to its line's end, at byte `offset` of its file).
pub fn spans(comment: &str, offset: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let words = words(comment);
    let after_names = words
        .clone()
        .zip(words.clone().skip(1))
        .filter(|((name, _), _)| names_a_secret(name))
        .filter_map(move |(_, (word, at))| {
            let (word, at) = unwrapped(word, at);
            looks_like_a_token(word).then(|| offset + at..offset + at + word.len())
        });
    // A token a registry issues says so by its prefix, wherever it stands (`# old token was
    // npm_…`, from a review).
    let prefixed = words.filter_map(move |(word, at)| {
        let (word, at) = unwrapped(word, at);
        has_a_token_prefix(word).then(|| offset + at..offset + at + word.len())
    });
    after_names.chain(prefixed)
}

/// The word without the quotes, brackets and sentence marks around it (`"npm_…"`,
/// `<npm_…>`, `(npm_…)`, `npm_….`), with its offset moved past what was taken off the front.
fn unwrapped(word: &str, at: usize) -> (&str, usize) {
    let inner = word.trim_start_matches(['"', '\'', '<', '(', '[', '`']);
    let front = word.len() - inner.len();
    let inner =
        inner.trim_end_matches(['"', '\'', '>', ')', ']', '`', '.', ',', ';', '!', '?', ':']);
    (inner, at + front)
}

/// The prefixes of tokens that npm, GitHub and GitLab issue, each followed by at least 8
/// characters a token is made of.
fn has_a_token_prefix(word: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "npm_",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
    ];
    PREFIXES.iter().any(|p| {
        word.strip_prefix(p).is_some_and(|rest| {
            rest.len() >= 8
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        })
    })
}

/// The blank-separated words of `text` with their offsets.
fn words(text: &str) -> impl Iterator<Item = (&str, usize)> + Clone {
    text.split([' ', '\t'])
        .scan(0, |at, word| {
            let start = *at;
            *at += word.len() + 1;
            Some((word.trim_end_matches(['\r', '\n']), start))
        })
        .filter(|(word, _)| !word.is_empty())
}

/// A name that says a secret follows (`token`, `npmAuthToken`, `password`), written as a
/// word of its own: one ending in `:` or `=` is an assignment, which the separator scan
/// masks already.
fn names_a_secret(word: &str) -> bool {
    let name = word.trim_start_matches(['#', ';', '"', '\'']);
    let name = name.trim_end_matches(['"', '\'']);
    name.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') && super::names_a_secret(name)
}

/// Whether `word` looks like a token rather than a word of prose or a version: at least 8
/// characters a token is made of, with letters and digits both, or a long run of mixed-case
/// letters (a random token need hold no digit); `1.2.3`, `v9.0.2-beta1`, `2024-01-15`,
/// `npmAuthToken` and `${NPM_TOKEN}` are not.
fn looks_like_a_token(word: &str) -> bool {
    let token_chars = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+' | '/' | '=' | '~'));
    let has = |f: fn(&char) -> bool| word.chars().any(|c| f(&c));
    let digits_and_letters = has(char::is_ascii_digit) && has(char::is_ascii_alphabetic);
    let mixed_case_run =
        word.len() >= 16 && has(char::is_ascii_uppercase) && has(char::is_ascii_lowercase);
    word.len() >= 8 && token_chars && !is_a_version(word) && (digits_and_letters || mixed_case_run)
}

/// `1.2.3`, `v9.0.2-beta1`, `^9.1`: a version beside a package named like a credential
/// (`# jsonwebtoken v9.0.2-beta1`) is no secret.
fn is_a_version(word: &str) -> bool {
    let bare = word.trim_start_matches(['v', '^', '~', '=']);
    bare.starts_with(|c: char| c.is_ascii_digit()) && bare.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is masked, once each (a prefixed token after a name is found both ways, and the
    /// mask merges the spans).
    fn masked(comment: &str) -> Vec<&str> {
        let mut spans: Vec<Range<usize>> = spans(comment, 0).collect();
        spans.sort_by_key(|s| (s.start, s.end));
        spans.dedup();
        spans.into_iter().map(|s| &comment[s]).collect()
    }

    #[test]
    fn a_token_after_a_credential_name_is_masked() {
        assert_eq!(masked("# token FAKESECRET123"), ["FAKESECRET123"]);
        assert_eq!(masked("#npmAuthToken npm_FAKE1234\r\n"), ["npm_FAKE1234"]);
        assert_eq!(
            masked("# old apiKey: x, password FAKE-pw-99."),
            ["FAKE-pw-99"]
        );
        assert_eq!(masked("; _auth ZmFrZTpGQUtFMTIz"), ["ZmFrZTpGQUtFMTIz"]);
        assert_eq!(
            masked("# token FakeRandomTokenWithoutDigits"),
            ["FakeRandomTokenWithoutDigits"]
        );
    }

    /// From a review: quoted or bracketed tokens, and tokens known by their prefix where no
    /// credential name stands before them, were printed.
    #[test]
    fn a_quoted_or_prefixed_token_is_masked() {
        for (comment, token) in [
            ("# token \"npm_FAKEquoted1234\"", "npm_FAKEquoted1234"),
            ("# token <npm_FAKEangle1234>", "npm_FAKEangle1234"),
            ("# token (npm_FAKEparen1234)", "npm_FAKEparen1234"),
            ("# token npm_FAKE12345678!", "npm_FAKE12345678"),
            ("# old token was npm_FAKEold12345", "npm_FAKEold12345"),
            (
                "# npm_FAKEbareprefix5678abcdef",
                "npm_FAKEbareprefix5678abcdef",
            ),
            ("# ghp_FAKEghtoken1234567890", "ghp_FAKEghtoken1234567890"),
            ("# glpat-FAKEgitlab12345", "glpat-FAKEgitlab12345"),
        ] {
            let spans: Vec<&str> = masked(comment);
            assert!(spans.contains(&token), "{comment}: {spans:?}");
        }
        assert!(masked("# see npm_config docs").is_empty());
    }

    #[test]
    fn prose_versions_and_references_stay() {
        for kept in [
            "# Auth is set in CI",
            "# the token lives in 1Password",
            "# token comes from the vault",
            "# jsonwebtoken v9.0.2-beta1",
            "# token rotated 2024-01-15",
            "# token ${NPM_TOKEN}",
            "# token npmAuthToken",
            "# token: FAKE12345",
            "# token abc",
        ] {
            assert_eq!(masked(kept), Vec::<&str>::new(), "{kept}");
        }
    }
}
