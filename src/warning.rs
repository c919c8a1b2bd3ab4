//! Findings pmrc reports: read-time problems in a source file and what a translation could
//! not keep. Data with a stable code, never printed from here.

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::diagnostics::Code;
use crate::model::Origin;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Note,
    Warning,
    /// The manager fails or refuses the configuration (doctor only).
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What it is; serialised as its stable id, e.g. `lossy-env-reference`.
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl Warning {
    pub fn new(code: Code, message: impl Into<String>, origin: Option<Origin>) -> Self {
        Warning {
            code,
            severity: Severity::Warning,
            message: message.into(),
            origin,
        }
    }

    pub fn error(code: Code, message: impl Into<String>, origin: Option<Origin>) -> Self {
        Warning {
            severity: Severity::Error,
            ..Warning::new(code, message, origin)
        }
    }

    pub fn note(code: Code, message: impl Into<String>, origin: Option<Origin>) -> Self {
        Warning {
            severity: Severity::Note,
            ..Warning::new(code, message, origin)
        }
    }
}

/// Stands for a manager's name in a message while findings are compared.
const NAME: &str = "\u{0}";

/// One finding per problem: findings with the same `key` (code, place, ...) whose messages
/// differ only in the manager they name become one, whose message names every manager
/// (`npm, bun and deno send ...`). `items` pairs each finding with the manager it is about,
/// as the message spells it; the result pairs each finding with the managers merged into it,
/// in first-seen order.
pub fn merge_by_manager<T, K: PartialEq>(
    items: Vec<(Option<String>, T)>,
    key: impl Fn(&T) -> K,
    message: impl Fn(&mut T) -> &mut String,
) -> Vec<(Vec<String>, T)> {
    let mut merged: Vec<(K, String, Vec<String>, T)> = Vec::new();
    // Where each message template is in `merged`: a large config has thousands of findings,
    // and comparing each with every earlier one made this quadratic (issue 20).
    let mut by_template: HashMap<String, Vec<usize>> = HashMap::default();
    // Findings about one manager only (one target) merge only where their messages are the
    // same: no name needs replacing to find them.
    let one_manager = items
        .first()
        .and_then(|(first, _)| first.as_ref())
        .is_some_and(|first| items.iter().all(|(n, _)| n.as_ref() == Some(first)));
    for (name, mut item) in items {
        let named = name
            .as_deref()
            .filter(|_| !one_manager)
            .and_then(|n| replace_name(message(&mut item), n, NAME));
        // A message that does not name its manager is compared as it is.
        let template = named.clone().unwrap_or_else(|| message(&mut item).clone());
        let k = key(&item);
        let same = by_template
            .get(&template)
            .and_then(|at| at.iter().copied().find(|&i| merged[i].0 == k));
        match (same, name) {
            (Some(i), Some(n)) if !merged[i].2.contains(&n) => merged[i].2.push(n),
            (Some(_), _) => {}
            (None, name) => {
                by_template
                    .entry(template.clone())
                    .or_default()
                    .push(merged.len());
                merged.push((k, template, name.into_iter().collect(), item));
            }
        }
    }
    merged
        .into_iter()
        .map(|(_, template, names, mut item)| {
            if names.len() > 1 && template.contains(NAME) {
                *message(&mut item) = with_names(&template, &names);
            }
            (names, item)
        })
        .collect()
}

/// `a`, `a and b`, `a, b and c`.
pub fn name_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `text` with `name` as a whole word replaced by `with`; `None` when it does not occur.
fn replace_name(text: &str, name: &str, with: &str) -> Option<String> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || "@-_./".contains(c);
    let mut out = String::new();
    let mut rest = text;
    let mut found = false;
    let mut previous: Option<char> = None;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().last().or(previous);
        let after = rest[at + name.len()..].chars().next();
        let whole = !before.is_some_and(is_word)
            && !after.is_some_and(|c| is_word(c) && c != '.' && c != '/');
        out.push_str(&rest[..at]);
        out.push_str(if whole { with } else { name });
        found |= whole;
        previous = name.chars().last();
        rest = &rest[at + name.len()..];
    }
    out.push_str(rest);
    found.then_some(out)
}

/// The template with the managers' names in it, the verb after them agreeing with a list.
fn with_names(template: &str, names: &[String]) -> String {
    const PLURAL: &[(&str, &str)] = &[
        ("sends", "send"),
        ("reads", "read"),
        ("ignores", "ignore"),
        ("does", "do"),
        ("is", "are"),
        ("has", "have"),
        ("needs", "need"),
        ("uses", "use"),
        ("refuses", "refuse"),
        ("stops", "stop"),
        ("expands", "expand"),
        ("keeps", "keep"),
        ("accepts", "accept"),
        ("fails", "fail"),
        ("requests", "request"),
        ("honours", "honour"),
        ("runs", "run"),
        ("gets", "get"),
    ];
    let list = name_list(names);
    let mut out = String::new();
    for (i, part) in template.split(NAME).enumerate() {
        if i == 0 {
            out.push_str(part);
            continue;
        }
        out.push_str(&list);
        // The verb is the next word, or the one after an adverb (`also reads`).
        let mut words: Vec<&str> = part.splitn(4, ' ').collect();
        let verb_at = match words.get(1) {
            Some(&("also" | "never" | "still" | "only")) => 2,
            _ => 1,
        };
        if let Some(plural) = words
            .get(verb_at)
            .and_then(|w| PLURAL.iter().find(|(one, _)| one == w))
        {
            words[verb_at] = plural.1;
        }
        out.push_str(&words.join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(items: &[(&str, &str, &str)]) -> Vec<(Vec<String>, String)> {
        let items = items
            .iter()
            .map(|(name, place, message)| {
                (
                    Some(name.to_string()),
                    (place.to_string(), message.to_string()),
                )
            })
            .collect();
        merge_by_manager(items, |(place, _)| place.clone(), |(_, m)| m)
            .into_iter()
            .map(|(names, (_, m))| (names, m))
            .collect()
    }

    #[test]
    fn the_same_problem_for_several_managers_is_one_finding() {
        let out = merged(&[
            ("npm", ".npmrc:2", "npm sends credentials over http"),
            ("pnpm@12", ".npmrc:2", "pnpm@12 sends credentials over http"),
            ("bun", ".npmrc:2", "bun sends credentials over http"),
            ("bun", ".npmrc:3", "bun sends credentials over http"),
        ]);
        assert_eq!(
            out,
            vec![
                (
                    vec!["npm".into(), "pnpm@12".into(), "bun".into()],
                    "npm, pnpm@12 and bun send credentials over http".into()
                ),
                (vec!["bun".into()], "bun sends credentials over http".into()),
            ]
        );
    }

    #[test]
    fn a_name_inside_another_word_is_not_the_manager() {
        let out = merged(&[
            ("npm", "x", "npm also reads ~/.npmrc, which pnpm 12 ignores"),
            (
                "deno",
                "x",
                "deno also reads ~/.npmrc, which pnpm 12 ignores",
            ),
        ]);
        assert_eq!(
            out[0].1,
            "npm and deno also read ~/.npmrc, which pnpm 12 ignores"
        );
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn the_same_message_twice_is_one_finding() {
        let out = merged(&[
            ("npm", "x", "`always-auth` has no effect"),
            ("bun", "x", "`always-auth` has no effect"),
            ("bun", "y", "`always-auth` has no effect"),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].1, "`always-auth` has no effect");
    }

    #[test]
    fn different_messages_stay_apart() {
        let out = merged(&[
            ("npm", "x", "npm sends a token"),
            ("bun", "x", "bun sends no token"),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].1, "bun sends no token");
    }
}
