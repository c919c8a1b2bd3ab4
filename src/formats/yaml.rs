//! Format-preserving edits of YAML documents (`.yarnrc.yml`, `pnpm-workspace.yaml`) with
//! `yaml-edit`: values change in place in their old quoting, removed keys go with their
//! line, and new top-level keys are appended the way `yarn config set` writes them.

use std::collections::HashSet;
use std::str::FromStr;

use yaml_edit::{Mapping, ScalarValue, Sequence, YamlFile};

use crate::formats::{Setting, SettingValue, Wanted, dominant_line_ending};

/// Yarn's own plain-scalar rule (`stringifySyml`): anything else is written double-quoted.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    !"-?:,[]{}#&*!|>'\"%@` \t\r\n".contains(first)
        && !s.chars().skip(1).any(|c| ",[]{}:#\r\n".contains(c))
        && !s.ends_with([' ', '\t'])
}

fn yarn_scalar(s: &str) -> ScalarValue {
    if is_plain_safe(s) {
        ScalarValue::plain(s)
    } else {
        ScalarValue::double_quoted(s)
    }
}

/// A replacement scalar in the old one's quoting style where that style can hold it.
fn scalar_like(old: Option<&yaml_edit::Scalar>, s: &str) -> ScalarValue {
    match old.map(|o| o.value()) {
        Some(raw) if raw.starts_with('"') => ScalarValue::double_quoted(s),
        Some(raw) if raw.starts_with('\'') && !s.contains(['\n', '\\']) => {
            ScalarValue::single_quoted(s)
        }
        _ => yarn_scalar(s),
    }
}

fn yaml_string(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string always serialises")
    }
}

/// Renders new top-level entries the way `yarn config set` writes them.
fn render_block(
    path_value: &[(&[String], &SettingValue)],
    depth: usize,
    nl: &str,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    let mut i = 0;
    while i < path_value.len() {
        let (path, value) = path_value[i];
        let head = &path[depth];
        if path.len() == depth + 1 {
            match value {
                SettingValue::Scalar(s) => out.push_str(&format!(
                    "{indent}{}: {}{nl}",
                    yaml_string(head),
                    yaml_string(s)
                )),
                SettingValue::List(items) => {
                    out.push_str(&format!("{indent}{}:{nl}", yaml_string(head)));
                    for item in items {
                        out.push_str(&format!("{indent}  - {}{nl}", yaml_string(item)));
                    }
                }
            }
            i += 1;
            continue;
        }
        let group_end = path_value[i..]
            .iter()
            .position(|(p, _)| p.len() <= depth + 1 || p[depth] != *head)
            .map_or(path_value.len(), |n| i + n);
        out.push_str(&format!("{indent}{}:{nl}", yaml_string(head)));
        render_block(&path_value[i..group_end], depth + 1, nl, out);
        i = group_end;
    }
}

/// Finds the mapping at `path` (a chain of keys) in `root`.
fn mapping_at(root: &Mapping, path: &[String]) -> Option<Mapping> {
    path.iter()
        .try_fold(root.clone(), |m, key| m.get_mapping(key.as_str()))
}

/// Edits `text` so that the settings pmrc owns (`held`, as read from it) equal `wanted`;
/// everything else stays as written. `maps` are the top-level mappings whose entries pmrc
/// owns keys of: an entry (and the map) that pmrc empties is removed, as Yarn does.
/// Fails rather than guess when the document has a shape pmrc does not edit.
pub fn edit(
    text: &str,
    held: &[Setting],
    wanted: &Wanted,
    maps: &[&str],
) -> Result<String, String> {
    if crate::formats::same_settings(held, wanted) {
        return Ok(text.to_string());
    }
    let file = YamlFile::from_str(text).map_err(|e| format!("cannot edit this YAML: {e}"))?;
    let doc = file.ensure_document();
    let root = doc
        .as_mapping()
        .ok_or("the document is not a mapping, so pmrc cannot add settings to it")?;
    let nl = dominant_line_ending(text);
    // A key written twice: the managers read the last one, and editing the first would
    // leave the one that counts. pmrc will not guess which the user meant.
    let tops: HashSet<&str> = held
        .iter()
        .map(|s| s.path[0].as_str())
        .chain(wanted.iter().map(|(p, _)| p[0].as_str()))
        .collect();
    for top in tops {
        if root.find_all_entries_by_key(top).count() > 1 {
            return Err(format!(
                "`{top}` appears more than once; the managers use the last one, so remove the other first"
            ));
        }
    }
    for &map in maps {
        if let Some(key) = root.get_mapping(map).and_then(|m| duplicated_key(&m, 2)) {
            return Err(format!(
                "`{map}` holds `{key}` more than once; the managers use the last one, so remove the other first"
            ));
        }
    }
    // Lookups by path, so that big files stay linear.
    let wanted_paths: HashSet<&Vec<String>> = wanted.iter().map(|(p, _)| p).collect();
    let held_as_is: HashSet<(&Vec<String>, &SettingValue)> =
        held.iter().map(|s| (&s.path, &s.value)).collect();
    let held_entries: HashSet<(&str, &str)> = held
        .iter()
        .filter(|s| s.path.len() == 3)
        .map(|s| (s.path[0].as_str(), s.path[1].as_str()))
        .collect();
    let held_tops: HashSet<&str> = held.iter().map(|s| s.path[0].as_str()).collect();

    // Remove what is no longer wanted.
    for setting in held {
        if wanted_paths.contains(&setting.path) {
            continue;
        }
        let (parent, key) = setting.path.split_at(setting.path.len() - 1);
        if let Some(m) = mapping_at(&root, parent) {
            m.remove(key[0].as_str());
        }
    }
    // Maps pmrc emptied go too (Yarn omits empty mappings when it writes).
    for &map in maps {
        if let Some(m) = root.get_mapping(map) {
            let empty: Vec<String> = m
                .entries()
                .filter_map(|entry| {
                    let key = entry.key_node()?.as_scalar()?.as_string();
                    let emptied = held_entries.contains(&(map, key.as_str()))
                        && entry.value_node()?.as_mapping()?.is_empty();
                    emptied.then_some(key)
                })
                .collect();
            for k in empty {
                m.remove(k.as_str());
            }
            if m.is_empty() && held_tops.contains(map) {
                root.remove(map);
            }
        }
    }
    // Change or add what is wanted; brand-new top-level keys are appended as text below.
    let mut appended: Vec<(&[String], &SettingValue)> = Vec::new();
    for (path, value) in wanted {
        if held_as_is.contains(&(path, value)) {
            continue;
        }
        let (parent, key) = path.split_at(path.len() - 1);
        let key = &key[0];
        // Walk down to the deepest existing mapping.
        let mut at = root.clone();
        let mut depth = 0;
        while depth < parent.len() {
            match at.get_mapping(parent[depth].as_str()) {
                Some(m) => {
                    at = m;
                    depth += 1;
                }
                None => break,
            }
        }
        if depth == 0 && !root.contains_key(path[0].as_str()) {
            appended.push((path.as_slice(), value));
            continue;
        }
        if depth < parent.len() {
            if at.contains_key(parent[depth].as_str()) {
                return Err(format!(
                    "`{}` is not a mapping, so pmrc cannot set `{}` in it",
                    parent[..=depth].join("."),
                    path.join(".")
                ));
            }
            // Build the missing nested mappings and attach them under `at`.
            let leaf = Mapping::new();
            set_value(&leaf, key, value, None);
            let mut node = leaf;
            for name in parent[depth + 1..].iter().rev() {
                let outer = Mapping::new();
                outer.set(yarn_scalar(name), node);
                node = outer;
            }
            at.set(yarn_scalar(&parent[depth]), node);
            continue;
        }
        let old = at.get(key.as_str());
        let old_scalar = old.as_ref().and_then(|n| n.as_scalar().cloned());
        if let (Some(SettingValue::List(items)), Some(seq)) = (
            Some(value),
            old.as_ref().and_then(|n| n.as_sequence().cloned()),
        ) {
            replace_items(&seq, items);
            continue;
        }
        set_value(&at, key, value, old_scalar.as_ref());
    }
    let mut out = file.to_string();
    if root.is_empty() {
        // yaml-edit writes an emptied mapping as `{}`, which no block key may follow.
        out = without_empty_flow_mapping(&out);
    }
    if !appended.is_empty() {
        // Group nested keys of the same new top-level map under one heading.
        let mut first_seen: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::new();
        for (i, (p, _)) in appended.iter().enumerate() {
            first_seen.entry(p[0].as_str()).or_insert(i);
        }
        let mut grouped: Vec<(&[String], &SettingValue)> = appended.clone();
        grouped.sort_by_key(|(p, _)| first_seen[p[0].as_str()]);
        let mut block = String::new();
        let mut i = 0;
        while i < grouped.len() {
            let head = &grouped[i].0[0];
            let end = grouped[i..]
                .iter()
                .position(|(p, _)| p[0] != *head)
                .map_or(grouped.len(), |n| i + n);
            if !(out.trim().is_empty() && block.is_empty()) {
                block.push_str(nl);
            }
            render_block(&grouped[i..end], 0, nl, &mut block);
            i = end;
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(nl);
        }
        if out.trim().is_empty() {
            out.clear();
        }
        out.push_str(&block);
    }
    // The file keeps its habit about a final newline.
    if !text.is_empty() && !text.ends_with('\n') {
        out.truncate(out.trim_end_matches(['\r', '\n']).len());
    }
    Ok(out)
}

/// `text` without the line that holds only `{}` (the document's emptied root mapping).
fn without_empty_flow_mapping(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dropped = false;
    for line in text.split_inclusive('\n') {
        if !dropped && line.trim() == "{}" {
            dropped = true;
            continue;
        }
        out.push_str(line);
    }
    out
}

fn set_value(at: &Mapping, key: &str, value: &SettingValue, old: Option<&yaml_edit::Scalar>) {
    match value {
        SettingValue::Scalar(s) => {
            if at.contains_key(key) {
                at.set(key, scalar_like(old, s));
            } else {
                at.set(yarn_scalar(key), scalar_like(old, s));
            }
        }
        SettingValue::List(items) => {
            let seq = Sequence::new();
            for item in items {
                seq.push(yarn_scalar(item));
            }
            at.set(yarn_scalar(key), seq);
        }
    }
}

/// Makes a sequence hold exactly `items`, keeping the entries (and their comments) that
/// stay.
fn replace_items(seq: &Sequence, items: &[String]) {
    let current: Vec<String> = seq
        .values()
        .map(|n| n.as_scalar().map(|s| s.as_string()).unwrap_or_default())
        .collect();
    for (i, item) in current.iter().enumerate().rev() {
        if !items.contains(item) {
            seq.remove(i);
        }
    }
    for item in items {
        if !current.contains(item) {
            seq.push(yarn_scalar(item));
        }
    }
}

/// A key that appears twice in `m` or, `depth` levels down, in its mappings (one pass).
fn duplicated_key(m: &Mapping, depth: usize) -> Option<String> {
    let mut seen = HashSet::new();
    for entry in m.entries() {
        let Some(key) = entry
            .key_node()
            .and_then(|k| k.as_scalar().map(|s| s.as_string()))
        else {
            continue;
        };
        if !seen.insert(key.clone()) {
            return Some(key);
        }
        if depth > 1 {
            let inner = entry.value_node().and_then(|v| v.as_mapping().cloned());
            if let Some(found) = inner.and_then(|sub| duplicated_key(&sub, depth - 1)) {
                return Some(format!("{key}.{found}"));
            }
        }
    }
    None
}

/// Line of the first `key:` (at any indentation), for values that carry no position.
pub fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start_matches('\u{feff}').trim_start();
            [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
                .iter()
                .any(|k| {
                    l.strip_prefix(k.as_str())
                        .is_some_and(|rest| rest.trim_start().starts_with(':'))
                })
        })
        .map_or(1, |i| i + 1)
}

/// Reads a YAML document into `T` the way Yarn and pnpm load it: the last duplicate key
/// wins, and an empty or comment-only file is an empty document.
pub fn parse<T: serde::de::DeserializeOwned + Default>(
    text: &str,
) -> Result<T, crate::error::SyntaxError> {
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Ok(T::default());
    }
    let options =
        serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins };
    serde_saphyr::from_str_with_options::<Option<T>>(text, options)
        .map(Option::unwrap_or_default)
        .map_err(|e| syntax_error(&e))
}

/// serde-saphyr's error as a one-line message and position (the caller names the file).
pub fn syntax_error(e: &serde_saphyr::Error) -> crate::error::SyntaxError {
    let (line, column) = e
        .location()
        .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
    let message = e.to_string();
    let first = message.lines().next().unwrap_or(&message);
    let first = first.split(" at line ").next().unwrap_or(first);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // Drop the library's own "line N column M: " prefix; the caller prints the position.
    let first = match first.strip_prefix("line ").and_then(|l| l.split_once(": ")) {
        Some((position, rest)) if position.contains(" column ") => rest,
        _ => first,
    };
    let first = first.trim_end_matches('.');
    // Valid YAML with a key the manager refuses is not a YAML problem.
    let message = if first.starts_with("unknown field") {
        format!("not a setting here: {first}")
    } else {
        format!("invalid YAML: {first}")
    };
    crate::error::SyntaxError::new(line, column, message)
}
