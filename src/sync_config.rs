//! `pmrc.toml`: the committed project setting that names the source of truth and the
//! managers kept in sync with it, so `pmrc sync --check` needs no flags in CI. Parses text
//! only (with positions for errors); finding and reading the file is the caller's job.
//!
//! ```toml
//! [sync]
//! from = "npm"                 # the config people edit
//! to = ["yarn", "pnpm@12"]     # the configs pmrc writes from it
//! user = false                 # also user-level files (as --user); default false
//! ```

use std::ops::Range;

use toml_edit::{Item, Value};

use crate::error::SyntaxError;
use crate::formats::line_col;
use crate::managers::ManagerArg;

/// The file name pmrc looks for in the project directory.
pub const FILE_NAME: &str = "pmrc.toml";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    pub from: ManagerArg,
    pub to: Vec<ManagerArg>,
    pub user: bool,
}

pub fn parse(text: &str) -> Result<SyncConfig, SyntaxError> {
    let at = |span: Option<Range<usize>>, message: String| {
        let (line, column) = line_col(text, span.map_or(0, |s| s.start));
        SyntaxError::new(line, column, message)
    };
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        // `from = npm`: TOML reads a bare word as a number gone wrong ("invalid float").
        let bare_word = e.span().is_some_and(|span| {
            let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let word = text[span.start..]
                .split(['\n', '#'])
                .next()
                .unwrap_or("")
                .trim();
            text[line_start..span.start].trim_end().ends_with('=')
                && word.starts_with(|c: char| c.is_ascii_alphabetic())
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "@.-".contains(c))
        });
        let message = if bare_word {
            "a bare word is no TOML value; a manager's name is a quoted string: from = \"npm\""
                .into()
        } else {
            e.message().to_string()
        };
        at(e.span(), message)
    })?;
    for (key, item) in doc.iter() {
        if key == "sync" {
            continue;
        }
        let key_span = doc.as_table().key(key).and_then(|k| k.span());
        return Err(match item {
            Item::Value(_) if ["from", "to", "user"].contains(&key) => {
                at(key_span, format!("`{key}` belongs under `[sync]`"))
            }
            Item::Value(_) => at(
                key_span,
                format!("unknown key `{key}`; pmrc.toml has only a `[sync]` section"),
            ),
            _ => at(
                item.span().or(key_span),
                format!("unknown section `{key}`; pmrc.toml has only `[sync]`"),
            ),
        });
    }
    let Some(sync) = doc.get("sync") else {
        return Err(at(
            None,
            "no `[sync]` section; add one with `from = \"npm\"` and `to = [\"yarn\"]`".into(),
        ));
    };
    let Some(table) = sync.as_table_like() else {
        return Err(at(sync.span(), "`sync` must be a table".into()));
    };
    let manager = |key: &str, v: &Value| -> Result<ManagerArg, SyntaxError> {
        let s = v
            .as_str()
            .ok_or_else(|| at(v.span(), format!("`{key}` must be a string like \"npm\"")))?;
        s.parse::<ManagerArg>()
            .map_err(|e| at(v.span(), format!("`{key}`: {e}")))
    };
    let mut from = None;
    let mut to = None;
    let mut user = false;
    for (key, item) in table.iter() {
        let value = match item {
            Item::Value(v) => v,
            _ => return Err(at(item.span(), format!("`{key}` must be a value"))),
        };
        match key {
            "from" => from = Some(manager("from", value)?),
            "to" => {
                let list: Vec<&Value> = match value {
                    Value::Array(a) => a.iter().collect(),
                    single => vec![single],
                };
                let mut managers = Vec::new();
                for v in list {
                    managers.push(manager("to", v)?);
                }
                if managers.is_empty() {
                    return Err(at(value.span(), "`to` names no manager".into()));
                }
                to = Some((managers, value.span()));
            }
            "user" => {
                user = value
                    .as_bool()
                    .ok_or_else(|| at(value.span(), "`user` must be true or false".into()))?
            }
            other => {
                let span = table.key(other).and_then(|k| k.span());
                return Err(at(
                    span,
                    format!("unknown key `{other}` in [sync] (known: from, to, user)"),
                ));
            }
        }
    }
    let missing = |key: &str| at(sync.span(), format!("[sync] needs `{key}`"));
    let from = from.ok_or_else(|| missing("from"))?;
    let (to, to_span) = to.ok_or_else(|| missing("to"))?;
    if to.iter().all(|m| *m == from) {
        return Err(at(
            to_span,
            format!(
                "`to` names only the source manager ({from}); list the managers to keep in sync with it"
            ),
        ));
    }
    Ok(SyncConfig { from, to, user })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::managers::{Manager, PnpmMajor};

    #[test]
    fn reads_from_to_and_user() {
        let c =
            parse("[sync]\nfrom = \"npm\"\nto = [\"yarn\", \"pnpm@12\"]\nuser = true\n").unwrap();
        assert_eq!(
            c,
            SyncConfig {
                from: ManagerArg::Exact(Manager::Npm),
                to: vec![
                    ManagerArg::Exact(Manager::Yarn),
                    ManagerArg::Exact(Manager::Pnpm(PnpmMajor::V12))
                ],
                user: true
            }
        );
        let one = parse("[sync]\nfrom = \"yarn\"\nto = \"bun\"\n").unwrap();
        assert_eq!(one.to, vec![ManagerArg::Exact(Manager::Bun)]);
        assert!(!one.user);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("[sync]\nfrom = \"npm\"\nto = [\"yarn\", \"cargo\"]\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 15), "{e:?}");
        assert!(e.message.contains("cargo"), "{e:?}");
        let e = parse("[sync]\nfrom = \"npm\"\nto = [\"yarn\"]\ntargets = 1\n").unwrap_err();
        assert_eq!((e.line, e.column), (4, 1), "{e:?}");
        let e = parse("[sync]\nto = [\"yarn\"]\n").unwrap_err();
        assert!(e.message.contains("needs `from`"), "{e:?}");
        let e = parse("[sync\n").unwrap_err();
        assert_eq!(e.line, 1, "{e:?}");
        let e = parse("[tool]\n").unwrap_err();
        assert!(e.message.contains("unknown section"), "{e:?}");
        let e = parse("# ours\nfrom = \"npm\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e:?}");
        assert!(e.message.contains("belongs under `[sync]`"), "{e:?}");
        // From a trial: these were said without a position, or in TOML's own terms.
        let e = parse("[sync]\nfrom = \"npm\"\nto = [\"npm\"]\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 6), "{e:?}");
        assert!(e.message.contains("names only the source"), "{e:?}");
        let e = parse("[sync]\nfrom = npm\nto = [\"yarn\"]\n").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
        assert!(e.message.contains("quoted string"), "{e:?}");
    }
}
