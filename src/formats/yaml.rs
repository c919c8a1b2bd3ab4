//! Format-preserving edits of YAML documents (`.yarnrc.yml`, `pnpm-workspace.yaml`) with
//! `yaml-edit`: values change in place in their old quoting, removed keys go with their
//! line, and new top-level keys are appended the way `yarn config set` writes them.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::str::FromStr;

use yaml_edit::{Mapping, ScalarValue, Sequence, YamlFile};

use crate::formats::{Setting, SettingPath, SettingValue, Wanted, dominant_line_ending};

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
    // A boolean stays a boolean (`strictSsl: false`), as a fresh write gives it.
    if let Ok(b) = s.parse::<bool>() {
        return ScalarValue::from(b);
    }
    if is_plain_safe(s) {
        ScalarValue::plain(s)
    } else {
        ScalarValue::double_quoted(s)
    }
}

/// A replacement scalar in the old one's quoting style where that style can hold it.
fn scalar_like(old: Option<&yaml_edit::Scalar>, s: &str) -> ScalarValue {
    quoted_like(old.and_then(|o| o.value().chars().next()), s)
}

fn quoted_like(raw_start: Option<char>, s: &str) -> ScalarValue {
    match raw_start {
        Some('"') => ScalarValue::double_quoted(s),
        Some('\'') if !s.contains(['\n', '\\']) => ScalarValue::single_quoted(s),
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

/// Renders new entries the way `yarn config set` writes them, from `depth` down: the first
/// level at `indent` and each level below `step` spaces further in (the file's own step,
/// two where it has none: Yarn's).
pub(super) fn render_block(
    path_value: &[(&[String], &SettingValue)],
    depth: usize,
    indent: &str,
    (step, nl): (usize, &str),
    out: &mut String,
) {
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
                    let pad = " ".repeat(step);
                    for item in items {
                        out.push_str(&format!("{indent}{pad}- {}{nl}", yaml_string(item)));
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
        render_block(
            &path_value[i..group_end],
            depth + 1,
            &format!("{indent}{}", " ".repeat(step)),
            (step, nl),
            out,
        );
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
    // The owned maps' entries first, as text (linear in the size of the file); the tree
    // finishes what is left, which is small.
    let nl = dominant_line_ending(text);
    let habits = (indent_step(text), nl);
    let (text1, held1) = crate::formats::yaml_maps::edit(text, held, wanted, maps, habits);
    let mut out = tree_edit(&text1, &held1, wanted, maps, habits)?;
    // The file keeps its habit about a final newline (here, not in the passes: the text pass
    // may have given a last line its break).
    if !text.is_empty() && !text.ends_with(['\n', '\r']) {
        out.truncate(out.trim_end_matches(['\r', '\n']).len());
    }
    // The plan's guard reads back the settings pmrc owns; this one checks all the others.
    let owned: Vec<&[String]> = held
        .iter()
        .map(|s| &s.path[..])
        .chain(wanted.iter().map(|(p, _)| &p[..]))
        .collect();
    let owned = super::yaml_pruned::Owned::new(&owned);
    if unowned(text, &owned) != unowned(&out, &owned) {
        return Err("pmrc's edit would have changed settings it does not own, so nothing was written (this is a bug in pmrc; please report it with the file)".into());
    }
    Ok(out)
}

/// The document without the settings pmrc owns, nor the entries and maps that only held
/// them (both readers leave those out): what an edit must leave as it was. `None` when it
/// does not parse.
fn unowned(text: &str, owned: &super::yaml_pruned::Owned) -> Option<serde_json::Value> {
    use serde_json::Value;
    let read = super::yaml_pruned::fast_without(text, owned)
        .map_or_else(|| super::yaml_pruned::parse_without(text, owned).ok(), Some);
    Some(match read? {
        Value::Null => Value::Object(Default::default()),
        doc => doc,
    })
}

/// The edit through yaml-edit's tree: top-level keys, lists, flow maps, new maps.
fn tree_edit(
    text: &str,
    held: &[Setting],
    wanted: &Wanted,
    maps: &[&str],
    (step, nl): (usize, &str),
) -> Result<String, String> {
    if crate::formats::same_settings(held, wanted) {
        return Ok(text.to_string());
    }
    let file = YamlFile::from_str(text).map_err(|e| format!("cannot edit this YAML: {e}"))?;
    let doc = file.ensure_document();
    let root = doc
        .as_mapping()
        .ok_or("the document is not a mapping, so pmrc cannot add settings to it")?;
    // A key written twice: the managers read the last one, and editing the first would
    // leave the one that counts. pmrc will not guess which the user meant.
    let tops: HashSet<&str> = held
        .iter()
        .map(|s| s.path[0].as_str())
        .chain(wanted.iter().map(|(p, _)| p[0].as_str()))
        .collect();
    let at = |offset: u32| position(text, offset as usize);
    let key_of = |entry: &yaml_edit::MappingEntry| match entry_key(entry) {
        Ok(key) => Ok(key),
        Err(alias) => Err(format!(
            "a key at {} is an alias (`{alias}`), which pmrc cannot tell apart from the others; write the key itself",
            at(entry.byte_range().start)
        )),
    };
    let mut seen: HashMap<String, u32> = HashMap::default();
    for entry in root.entries() {
        let Some(key) = key_of(&entry)? else { continue };
        if !tops.contains(key.as_str()) {
            continue;
        }
        let here = entry.byte_range().start;
        if let Some(first) = seen.insert(key.clone(), here) {
            return Err(format!(
                "`{key}` appears more than once (at {} and {}); the managers use the last one, so remove the other first",
                at(first),
                at(here)
            ));
        }
    }
    for &map in maps {
        let Some(m) = root.get_mapping(map) else {
            continue;
        };
        if let Some((key, [first, again])) = duplicated_key(&m, 2, &key_of)? {
            return Err(format!(
                "`{map}` holds `{key}` more than once (at {} and {}); the managers use the last one, so remove the other first",
                at(first),
                at(again)
            ));
        }
    }
    // Lookups by path, so that big files stay linear.
    let wanted_paths: HashSet<&SettingPath> = wanted.iter().map(|(p, _)| p).collect();
    let held_as_is: HashSet<(&SettingPath, &SettingValue)> =
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
        let removed = mapping_at(&root, parent).and_then(|m| m.remove(key[0].as_str()));
        if removed.is_none() {
            // The key is there for the reader but not as a plain key (a tag, an alias).
            return Err(format!(
                "`{}` is written in a form pmrc cannot edit (a tag or an alias on a key); change it by hand",
                setting.path.join(".")
            ));
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
            appended.push((&path[..], value));
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
        // New keys line up with the document's own (a root mapping may be indented).
        let root_indent = root
            .entries()
            .next()
            .map(|e| " ".repeat(indentation(&out, e.byte_range().start as usize)))
            .unwrap_or_default();
        // Group nested keys of the same new top-level map under one heading.
        let grouped = crate::formats::yaml_maps::grouped(appended.clone(), 0);
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
            render_block(&grouped[i..end], 0, &root_indent, (step, nl), &mut block);
            i = end;
        }
        if !out.is_empty() && !out.ends_with(['\n', '\r']) {
            out.push_str(nl);
        }
        if out.trim().is_empty() {
            out.clear();
        }
        out.push_str(&block);
    }
    Ok(out)
}

/// How many spaces the file indents a level by: the indentation of the first line below a
/// key at the start of a line (2, as Yarn writes, where nothing is indented).
pub(super) fn indent_step(text: &str) -> usize {
    let mut after_top_key = false;
    for line in text.lines() {
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if after_top_key && indent > 0 {
            return indent;
        }
        after_top_key = indent == 0 && content.trim_end().ends_with(':');
    }
    2
}

/// The offset just past the line that holds `offset`'s last content: new entries go
/// right after the last entry, before any blank lines and comments that follow it.
pub(super) fn after_line(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let content_end = text[..offset].trim_end().len();
    match text[content_end..].find('\n') {
        Some(n) => content_end + n + 1,
        None => text.len(),
    }
}

/// How far in the node at `offset` stands on its line, in characters (a BOM before it on
/// the first line is not indentation).
pub(super) fn indentation(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    text.get(line_start..offset)
        .map_or(0, |p| p.trim_start_matches('\u{feff}').chars().count())
}

/// `s` written as a scalar in the quoting of an old value that began with `raw_start`.
pub(super) fn scalar_text(raw_start: Option<char>, s: &str) -> String {
    quoted_like(raw_start, s).to_yaml_string()
}

/// `text` without the line that holds only `{}` (the document's emptied root mapping).
fn without_empty_flow_mapping(text: &str) -> String {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c != '\n' && c != '\r' {
            continue;
        }
        // A `\r\n` pair ends one line.
        if c == '\r' && text[i + 1..].starts_with('\n') {
            continue;
        }
        if text[start..i].trim() == "{}" {
            return format!("{}{}", &text[..start], &text[i + 1..]);
        }
        start = i + 1;
    }
    if text[start..].trim() == "{}" {
        return text[..start].to_string();
    }
    text.to_string()
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

/// Sets `key` of `at` to the list `items`, keeping the entries (and comments) of a list that
/// is already there.
pub(super) fn set_list(at: &Mapping, key: &str, items: &[String]) {
    match at.get(key).and_then(|n| n.as_sequence().cloned()) {
        Some(seq) => replace_items(&seq, items),
        None => set_value(at, key, &SettingValue::List(items.to_vec()), None),
    }
}

/// Makes a sequence hold exactly `items`, keeping the entries (and their comments) that
/// stay.
fn replace_items(seq: &Sequence, items: &[String]) {
    let current: Vec<String> = seq
        .values()
        .map(|n| n.as_scalar().map(|s| s.as_string()).unwrap_or_default())
        .collect();
    // New items first, so that they line up with the items still there.
    for item in items {
        if !current.contains(item) {
            seq.push(yarn_scalar(item));
        }
    }
    for (i, item) in current.iter().enumerate().rev() {
        if !items.contains(item) {
            seq.remove(i);
        }
    }
}

/// A key that appears twice in `m` or, `depth` levels down, in its mappings (one pass).
fn duplicated_key(
    m: &Mapping,
    depth: usize,
    key_of: &dyn Fn(&yaml_edit::MappingEntry) -> Result<Option<String>, String>,
) -> Result<Option<(String, [u32; 2])>, String> {
    let mut seen = HashMap::default();
    for entry in m.entries() {
        let Some(key) = key_of(&entry)? else {
            continue;
        };
        let at = entry.byte_range().start;
        if let Some(first) = seen.insert(key.clone(), at) {
            return Ok(Some((key, [first, at])));
        }
        if depth > 1 {
            let inner = entry.value_node().and_then(|v| v.as_mapping().cloned());
            if let Some(sub) = inner
                && let Some((found, at)) = duplicated_key(&sub, depth - 1, key_of)?
            {
                return Ok(Some((format!("{key}.{found}"), at)));
            }
        }
    }
    Ok(None)
}

/// An entry's key as the readers take it: a plain scalar, or one under a tag (`!!str acme`,
/// which the managers read as `acme`: from a session's gaps, the edit then failed its
/// read-back and blamed itself). An alias is `Err` with its text: which key it names is
/// the anchor's, which this check does not follow.
fn entry_key(entry: &yaml_edit::MappingEntry) -> Result<Option<String>, String> {
    let Some(key) = entry.key_node() else {
        return Ok(None);
    };
    if let Some(alias) = key.as_alias() {
        return Err(format!("*{}", alias.name()));
    }
    Ok(key.as_scalar().map(|s| s.as_string()).or_else(|| {
        key.as_tagged()
            .and_then(|t| t.value())
            .map(|s| s.as_string())
    }))
}

/// `line:column` of a byte offset, both from 1, the column in characters.
fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    format!(
        "{}:{}",
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1
    )
}

/// Line of the first `key:` (at any indentation), for values that carry no position.
pub fn key_line(text: &str, key: &str) -> usize {
    KeyLines::new(text).line(key)
}

/// The line of the first `key:` of every key in a text (at any indentation, plain or
/// quoted), built in one pass so that finding many keys stays linear.
pub struct KeyLines(HashMap<String, usize>);

impl KeyLines {
    pub fn new(text: &str) -> Self {
        let mut first = HashMap::default();
        for (i, line) in text.lines().enumerate() {
            let l = line.trim_start_matches('\u{feff}').trim_start();
            let quoted = l
                .strip_prefix('"')
                .and_then(|r| r.split_once('"'))
                .or_else(|| l.strip_prefix('\'').and_then(|r| r.split_once('\'')));
            if let Some((key, rest)) = quoted {
                if rest.trim_start().starts_with(':') {
                    first.entry(key.to_string()).or_insert(i + 1);
                }
                continue;
            }
            // A plain key ends at `: ` or at a `:` that ends the line; a `:` inside it
            // (`//host:4873/`) does not end it.
            let end = l
                .find(": ")
                .or_else(|| l.find(":\t"))
                .or_else(|| l.trim_end().strip_suffix(':').map(str::len));
            if let Some(end) = end {
                first
                    .entry(l[..end].trim_end().to_string())
                    .or_insert(i + 1);
            }
        }
        KeyLines(first)
    }

    /// 1-based line of `key`, or 1 when it is not found.
    pub fn line(&self, key: &str) -> usize {
        self.0.get(key).copied().unwrap_or(1)
    }
}

/// A YAML document, parsed once per run for each exact text and type ([`super::kept`]).
pub fn parse<T: serde::de::DeserializeOwned + Default + 'static>(
    text: &str,
) -> Result<std::rc::Rc<T>, crate::error::SyntaxError> {
    super::kept::parsed(text, parse_uncached::<T>)
}

fn parse_uncached<T: serde::de::DeserializeOwned + Default>(
    text: &str,
) -> Result<T, crate::error::SyntaxError> {
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Ok(T::default());
    }
    if let Some(doc) = fast::<T>(text) {
        return Ok(doc);
    }
    let options = serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins, non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString };
    // Streamed first; a document that fails that way (a repeated key, or an error) is read
    // the recorded way, whose result and error messages are the reference.
    if let Ok(super::yaml_root::Root(doc)) =
        serde_saphyr::from_str_with_options::<super::yaml_root::Root<T>>(text, options.clone())
    {
        return Ok(doc.unwrap_or_default());
    }
    serde_saphyr::from_str_with_options::<Option<T>>(text, options)
        .map(Option::unwrap_or_default)
        .map_err(|e| at_the_tab(text, syntax_error(&e)))
}

/// A key written twice in one mapping, as an error at the second: pnpm reads its YAML with
/// js-yaml, which refuses the whole file ("duplicated mapping key"), where Yarn takes the
/// last (from a trial: real pnpm 10, 11 and 12 stopped; pmrc read the last and converted it).
pub fn refuse_repeated_keys(text: &str, reader: &str) -> Result<(), crate::error::SyntaxError> {
    // The fast reader's tree holds no key twice: most files are settled by it.
    if super::yaml_block::parsed(text).is_some() {
        return Ok(());
    }
    let options =
        serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error };
    let Err(e) = serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(text, options) else {
        return Ok(());
    };
    let e = syntax_error(&e);
    // Any other error is the ordinary read's to report.
    let Some(key) = e
        .message
        .split_once("duplicate mapping key: ")
        .map(|(_, rest)| {
            rest.split(", set DuplicateKeyPolicy")
                .next()
                .unwrap_or(rest)
        })
    else {
        return Ok(());
    };
    Err(crate::error::SyntaxError::new(
        e.line,
        e.column,
        format!(
            "`{key}` is written twice in one mapping: {reader} refuses the whole file (\"duplicated mapping key\"); remove one of them"
        ),
    ))
}

/// A tab error placed at the tab: the scanner names where the scalar before it starts (from a
/// trial: `1:13` for a tab at the start of line 2).
fn at_the_tab(text: &str, mut e: crate::error::SyntaxError) -> crate::error::SyntaxError {
    if !e.message.contains("found a tab") {
        return e;
    }
    let start: usize = text
        .split_inclusive('\n')
        .take(e.line.saturating_sub(1))
        .map(str::len)
        .sum();
    if let Some(tab) = text.get(start..).and_then(|rest| rest.find('\t')) {
        (e.line, e.column) = super::line_col(text, start + tab);
    }
    e
}

/// The document read from [`super::yaml_block`]'s tree, when it has that simple shape and
/// reads into `T` the way serde-saphyr would read it; `None` leaves it to serde-saphyr.
fn fast<T: serde::de::DeserializeOwned + Default>(text: &str) -> Option<T> {
    let doc = match &*super::yaml_block::parsed(text) {
        Some(super::yaml_block::Node::Empty) => Some(T::default()),
        Some(node) => super::yaml_block_de::from_node(node),
        None => None,
    };
    #[cfg(test)]
    if doc.is_some() {
        super::yaml_block::FAST_TYPED_READS.set(super::yaml_block::FAST_TYPED_READS.get() + 1);
    }
    doc
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
    } else if let Some(limit) = first.strip_prefix("budget breached: ") {
        // serde-saphyr's limits against hostile YAML (250,000 nodes, 64 levels deep...).
        format!(
            "too large or too deep for pmrc to read safely ({limit}); no package manager config comes near this"
        )
    } else if let Some(wanted) = first
        .strip_prefix("cannot deserialize null into ")
        .and_then(|rest| rest.split(';').next())
    {
        // serde's own wording names Rust types (from a trial: "use Option<String>").
        format!("a value is missing here (the setting wants a {wanted})")
    } else {
        format!("invalid YAML: {first}")
    };
    crate::error::SyntaxError::new(line, column, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    /// The guard behind every YAML edit: settings pmrc does not own must compare equal, and
    /// entries or maps that held only owned settings do not count.
    #[test]
    fn unowned_settings_are_what_an_edit_must_keep() {
        let owned = [
            path(&["npmScopes", "acme", "npmRegistryServer"]),
            path(&["npmRegistryServer"]),
        ];
        let owned: Vec<&[String]> = owned.iter().map(Vec::as_slice).collect();
        let owned = crate::formats::yaml_pruned::Owned::new(&owned);
        let rest = |text| unowned(text, &owned);
        let before = "nodeLinker: pnp\nnpmRegistryServer: a\nnpmScopes:\n  acme:\n    npmRegistryServer: x\n";
        let after = "nodeLinker: pnp\n";
        assert_eq!(rest(before), rest(after));
        let lost = "npmRegistryServer: b\n";
        assert_ne!(rest(before), rest(lost));
        let kept_field = "nodeLinker: pnp\nnpmScopes:\n  acme:\n    other: 1\n";
        assert_ne!(rest(after), rest(kept_field));
    }
}
