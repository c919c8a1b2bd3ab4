//! Format-preserving edits of YAML documents (`.yarnrc.yml`, `pnpm-workspace.yaml`) with
//! `yaml-edit`: values change in place in their old quoting, removed keys go with their
//! line, and new top-level keys are appended the way `yarn config set` writes them.

use std::collections::{HashMap, HashSet};
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

/// Renders new entries the way `yarn config set` writes them, from `depth` down: the first
/// level at `indent` and each level below two spaces further in.
fn render_block(
    path_value: &[(&[String], &SettingValue)],
    depth: usize,
    indent: &str,
    nl: &str,
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
        render_block(
            &path_value[i..group_end],
            depth + 1,
            &format!("{indent}  "),
            nl,
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
    // Lookups by path, so that big files stay linear: yaml-edit finds a key by comparing it
    // with every key of its mapping, so the entries of the owned maps are indexed once.
    let wanted_paths: HashSet<&Vec<String>> = wanted.iter().map(|(p, _)| p).collect();
    let held_as_is: HashSet<(&Vec<String>, &SettingValue)> =
        held.iter().map(|s| (&s.path, &s.value)).collect();
    let held_entries: HashSet<(&str, &str)> = held
        .iter()
        .filter(|s| s.path.len() == 3)
        .map(|s| (s.path[0].as_str(), s.path[1].as_str()))
        .collect();
    let held_tops: HashSet<&str> = held.iter().map(|s| s.path[0].as_str()).collect();
    let mut index = EntryIndex::new(&root, maps);

    // Remove what is no longer wanted.
    for setting in held {
        if wanted_paths.contains(&setting.path) {
            continue;
        }
        match setting.path.as_slice() {
            [map, entry] if index.has_map(map) => index.remove(map, entry),
            [map, entry, key] if index.has_map(map) => index.remove_field(map, entry, key),
            path => {
                let (parent, key) = path.split_at(path.len() - 1);
                if let Some(m) = mapping_at(&root, parent) {
                    m.remove(key[0].as_str());
                }
            }
        }
    }
    // Maps pmrc emptied go too (Yarn omits empty mappings when it writes).
    for &map in maps {
        let emptied: Vec<String> = index
            .entries(map)
            .filter(|(key, _)| {
                held_entries.contains(&(map, key.as_str())) && index.entry_emptied(map, key)
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in emptied {
            index.remove(map, &key);
        }
        let emptied = match root.get_mapping(map) {
            Some(m) => m.is_empty() || index.is_emptied(map),
            None => false,
        };
        if emptied && held_tops.contains(map) {
            root.remove(map);
            index.forget(map);
        }
    }
    // Change or add what is wanted. Brand-new top-level keys, and new entries of a block
    // map that has entries, are written as text below; the rest in place.
    let mut appended: Vec<(&[String], &SettingValue)> = Vec::new();
    let mut new_entries: Vec<(&[String], &SettingValue)> = Vec::new();
    for (path, value) in wanted {
        if held_as_is.contains(&(path, value)) {
            continue;
        }
        if let [map, entry, ..] = path.as_slice()
            && index.has_map(map)
        {
            match (index.mapping(map, entry), path.len()) {
                (Some(at), 3)
                    if !at.is_flow_style() && index.set_field(map, entry, path, value) =>
                {
                    continue;
                }
                (Some(at), 3) => {
                    let old = at.get(path[2].as_str());
                    let old_scalar = old.as_ref().and_then(|n| n.as_scalar().cloned());
                    let old_seq = old.as_ref().and_then(|n| n.as_sequence().cloned());
                    match (value, old_seq) {
                        (SettingValue::List(items), Some(seq)) => replace_items(&seq, items),
                        _ => set_value(&at, &path[2], value, old_scalar.as_ref()),
                    }
                    continue;
                }
                (None, 2) if index.has_entry(map, entry) => {
                    index.set_scalar(map, entry, value);
                    continue;
                }
                (None, _) if !index.has_entry(map, entry) && index.takes_text(map) => {
                    new_entries.push((path.as_slice(), value));
                    continue;
                }
                _ => {}
            }
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
            index.refresh(&root, &parent[0]);
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
    // Text edits on the edited tree's text: new entries after the last entry of their map,
    // and the lines of removed entries cut. Back to front so offsets hold; at one offset,
    // a cut goes before an insertion, so it cannot take the inserted text with it.
    let mut edits: Vec<(usize, usize, String)> = index
        .cuts(&out)
        .into_iter()
        .map(|(from, to)| (from, to, String::new()))
        .collect();
    edits.extend(index.rewrites());
    // At one offset, a map's new entries go after the new fields of its last entry.
    let insertions = index.insertions(&new_entries, nl, &out);
    for (offset, block) in insertions
        .into_iter()
        .chain(index.field_insertions(nl, &out))
    {
        let at = after_line(&out, offset);
        edits.push((at, at, block));
    }
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    for (from, to, block) in edits {
        if !block.is_empty() && from == out.len() && !out.is_empty() && !out.ends_with('\n') {
            out.push_str(nl);
        }
        let (from, to) = (from.min(out.len()), to.min(out.len()));
        out.replace_range(from..to, &block);
    }
    if root.is_empty() {
        // yaml-edit writes an emptied mapping as `{}`, which no block key may follow.
        out = without_empty_flow_mapping(&out);
    }
    if !appended.is_empty() {
        // New keys line up with the document's own (a root mapping may be indented).
        let root_indent = root
            .entries()
            .next()
            .map(|e| column_of(&e, &out))
            .unwrap_or_default();
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
            render_block(&grouped[i..end], 0, &root_indent, nl, &mut block);
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

type PathValue<'a> = (&'a [String], &'a SettingValue);

/// The entries of the maps pmrc owns keys in (`npmScopes`, `npmRegistries`, `registries`),
/// by key, found in one pass. yaml-edit looks a key up by comparing it with every key of
/// its mapping, which made edits of large maps quadratic.
struct EntryIndex<'w> {
    maps: HashMap<String, (Mapping, HashMap<String, yaml_edit::MappingEntry>)>,
    /// Entries of block maps to remove: cut from the text at the end, line by line,
    /// because yaml-edit removes an entry with its trivia only through a key scan.
    doomed: Vec<(String, yaml_edit::MappingEntry)>,
    /// Fields of entries (`npmScopes.acme.npmAuthToken`) to cut, by (map, entry).
    doomed_fields: HashMap<(String, String), Vec<yaml_edit::MappingEntry>>,
    /// Scalars to rewrite in place, with their new text.
    rewritten: Vec<(yaml_edit::Scalar, String)>,
    /// New fields of existing entries, by (map, entry), in the order wanted.
    added_fields: Vec<((String, String), PathValue<'w>)>,
}

impl<'w> EntryIndex<'w> {
    fn new(root: &Mapping, maps: &[&str]) -> Self {
        let mut index = EntryIndex {
            maps: HashMap::new(),
            doomed: Vec::new(),
            doomed_fields: HashMap::new(),
            rewritten: Vec::new(),
            added_fields: Vec::new(),
        };
        for map in maps {
            index.refresh(root, map);
        }
        index
    }

    /// (Re)reads one map's entries, after pmrc created or replaced it.
    fn refresh(&mut self, root: &Mapping, map: &str) {
        let Some(m) = root.get_mapping(map) else {
            self.maps.remove(map);
            return;
        };
        let entries = m
            .entries()
            .filter_map(|e| Some((e.key_node()?.as_scalar()?.as_string(), e)))
            .collect();
        self.maps.insert(map.to_string(), (m, entries));
    }

    /// The map itself went away, with whatever was to be cut from it.
    fn forget(&mut self, map: &str) {
        self.maps.remove(map);
        self.doomed.retain(|(m, _)| m != map);
        self.doomed_fields.retain(|(m, _), _| m != map);
    }

    /// Removes one field of an entry (`npmScopes.acme.npmAuthToken`): its line is cut from
    /// a block mapping; a flow one is edited in place.
    fn remove_field(&mut self, map: &str, entry: &str, key: &str) {
        let Some(at) = self.mapping(map, entry) else {
            return;
        };
        if at.is_flow_style() {
            at.remove(key);
        } else if let Some(field) = at.find_entry_by_key(key) {
            let fields = self.doomed_fields.entry((map.into(), entry.into()));
            fields.or_default().push(field);
        }
    }

    /// Every field of the entry is being removed.
    fn entry_emptied(&self, map: &str, entry: &str) -> bool {
        self.mapping(map, entry).is_some_and(|m| {
            let doomed = self
                .doomed_fields
                .get(&(map.to_string(), entry.to_string()))
                .map_or(0, Vec::len);
            m.entries().count() == doomed
        })
    }

    /// Sets one field of an entry of a block mapping as a text edit: a scalar rewritten in
    /// its old quoting, or a new line after the entry's last field. False when the edit
    /// must be made in the tree (a list, a block scalar).
    fn set_field(
        &mut self,
        map: &str,
        entry: &str,
        path: &'w [String],
        value: &'w SettingValue,
    ) -> bool {
        let SettingValue::Scalar(v) = value else {
            return false;
        };
        let Some(at) = self.mapping(map, entry) else {
            return false;
        };
        match at.find_entry_by_key(path[2].as_str()) {
            Some(field) => self.rewrite(&field, v),
            None => {
                self.added_fields
                    .push(((map.into(), entry.into()), (path, value)));
                true
            }
        }
    }

    /// Rewrites an entry's scalar value in its old quoting; false for other values.
    fn rewrite(&mut self, entry: &yaml_edit::MappingEntry, value: &str) -> bool {
        let Some(old) = entry.value_node().and_then(|n| n.as_scalar().cloned()) else {
            return false;
        };
        if old.value().starts_with(['|', '>']) {
            return false;
        }
        let text = scalar_like(Some(&old), value).to_yaml_string();
        self.rewritten.push((old, text));
        true
    }

    /// No entry of `map` stays.
    fn is_emptied(&self, map: &str) -> bool {
        self.maps.get(map).is_some_and(|(m, entries)| {
            let doomed = self.doomed.iter().filter(|(d, _)| d == map).count();
            entries.is_empty() && m.entries().count() == doomed
        })
    }

    fn has_map(&self, map: &str) -> bool {
        self.maps.contains_key(map)
    }

    fn has_entry(&self, map: &str, entry: &str) -> bool {
        self.maps
            .get(map)
            .is_some_and(|(_, e)| e.contains_key(entry))
    }

    fn entries(&self, map: &str) -> impl Iterator<Item = (&String, &yaml_edit::MappingEntry)> {
        self.maps.get(map).into_iter().flat_map(|(_, e)| e.iter())
    }

    /// The mapping an entry holds (`npmScopes.acme`), when it holds one.
    fn mapping(&self, map: &str, entry: &str) -> Option<Mapping> {
        let e = self.maps.get(map)?.1.get(entry)?;
        e.value_node()?.as_mapping().cloned()
    }

    /// Removes a whole entry: from a block map, its lines are cut from the final text
    /// (`cuts`); a flow map is edited in place.
    fn remove(&mut self, map: &str, entry: &str) {
        self.doomed_fields
            .remove(&(map.to_string(), entry.to_string()));
        let Some((m, entries)) = self.maps.get_mut(map) else {
            return;
        };
        let Some(e) = entries.remove(entry) else {
            return;
        };
        if m.is_flow_style() {
            m.remove(entry);
        } else {
            self.doomed.push((map.to_string(), e));
        }
    }

    /// Scalars rewritten: their byte ranges in the edited tree's text, and new text.
    fn rewrites(&self) -> Vec<(usize, usize, String)> {
        self.rewritten
            .iter()
            .map(|(old, text)| {
                let r = old.byte_range();
                (r.start as usize, r.end as usize, text.clone())
            })
            .collect()
    }

    /// New fields of existing entries: after each entry's last field, at its fields'
    /// indentation.
    fn field_insertions(&self, nl: &str, text: &str) -> Vec<(usize, String)> {
        let mut by_entry: Vec<(&(String, String), Vec<PathValue>)> = Vec::new();
        for (key, pv) in &self.added_fields {
            match by_entry.iter_mut().find(|(k, _)| *k == key) {
                Some((_, items)) => items.push(*pv),
                None => by_entry.push((key, vec![*pv])),
            }
        }
        let mut out = Vec::new();
        for ((map, entry), items) in by_entry {
            let Some(at) = self.mapping(map, entry) else {
                continue;
            };
            let (Some(first), Some(last)) = (at.entries().next(), at.entries().last()) else {
                continue;
            };
            let mut block = String::new();
            render_block(&items, 2, &column_of(&first, text), nl, &mut block);
            out.push((last.byte_range().end as usize, block));
        }
        out
    }

    /// The byte ranges of the doomed entries' and fields' lines in the edited tree's `text`.
    fn cuts(&self, text: &str) -> Vec<(usize, usize)> {
        self.doomed
            .iter()
            .map(|(_, e)| e)
            .chain(self.doomed_fields.values().flatten())
            .map(|e| {
                let range = e.byte_range();
                let (start, end) = (range.start as usize, range.end as usize);
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                // The entry's line goes, unless something else stands before it on it.
                let from = if text[line_start..start].trim().is_empty() {
                    line_start
                } else {
                    start
                };
                (from, after_line(text, end))
            })
            .collect()
    }

    /// A two-level setting (`registries."@acme": url`) changed in place, in its old quoting.
    fn set_scalar(&mut self, map: &str, entry: &str, value: &SettingValue) {
        let Some((m, entries)) = self.maps.get(map) else {
            return;
        };
        let Some(e) = entries.get(entry).cloned() else {
            return;
        };
        let flow = m.is_flow_style();
        if let SettingValue::Scalar(v) = value
            && !flow
            && self.rewrite(&e, v)
        {
            return;
        }
        match value {
            SettingValue::Scalar(s) => {
                let old = e.value_node().and_then(|n| n.as_scalar().cloned());
                e.set_value(scalar_like(old.as_ref(), s), flow);
            }
            SettingValue::List(items) => {
                let seq = Sequence::new();
                for item in items {
                    seq.push(yarn_scalar(item));
                }
                e.set_value(seq, flow);
            }
        }
    }

    /// New entries can be written as text after the last one: a block map with entries.
    fn takes_text(&self, map: &str) -> bool {
        self.maps
            .get(map)
            .is_some_and(|(m, e)| !m.is_flow_style() && !e.is_empty())
    }

    /// For each map that gets new entries: the end of its last entry in the edited tree,
    /// and the entries rendered at its indentation, in text order.
    fn insertions(
        &self,
        new: &[(&[String], &SettingValue)],
        nl: &str,
        text: &str,
    ) -> Vec<(usize, String)> {
        let mut by_map: Vec<(&str, Vec<PathValue>)> = Vec::new();
        for &(path, value) in new {
            match by_map.iter_mut().find(|(m, _)| *m == path[0]) {
                Some((_, items)) => items.push((path, value)),
                None => by_map.push((path[0].as_str(), vec![(path, value)])),
            }
        }
        let mut out: Vec<(usize, String)> = Vec::new();
        for (map, mut items) in by_map {
            let Some((m, _)) = self.maps.get(map) else {
                continue;
            };
            let Some(last) = m.entries().last() else {
                continue;
            };
            let first = m.entries().next().expect("a last entry means a first");

            // Keep each new entry's fields together, in the order they were wanted.
            let mut order: HashMap<&str, usize> = HashMap::new();
            for (i, (p, _)) in items.iter().enumerate() {
                order.entry(p[1].as_str()).or_insert(i);
            }
            items.sort_by_key(|(p, _)| order[p[1].as_str()]);
            let mut block = String::new();
            render_block(&items, 1, &column_of(&first, text), nl, &mut block);
            out.push((last.byte_range().end as usize, block));
        }
        out.sort_by_key(|(offset, _)| *offset);
        out
    }
}

/// The indentation of an entry's key, as spaces.
fn column_of(entry: &yaml_edit::MappingEntry, text: &str) -> String {
    let start = (entry.byte_range().start as usize).min(text.len());
    " ".repeat(start - text[..start].rfind('\n').map_or(0, |i| i + 1))
}

/// The offset just past the line that holds `offset`'s last content: new entries go
/// right after the last entry, before any blank lines and comments that follow it.
fn after_line(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let content_end = text[..offset].trim_end().len();
    match text[content_end..].find('\n') {
        Some(n) => content_end + n + 1,
        None => text.len(),
    }
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
    KeyLines::new(text).line(key)
}

/// The line of the first `key:` of every key in a text (at any indentation, plain or
/// quoted), built in one pass so that finding many keys stays linear.
pub struct KeyLines(HashMap<String, usize>);

impl KeyLines {
    pub fn new(text: &str) -> Self {
        let mut first = HashMap::new();
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
            // A plain key may itself hold `:` (`//host:4873/`): every `key:` prefix counts.
            for (at, _) in l.match_indices(':') {
                first.entry(l[..at].trim_end().to_string()).or_insert(i + 1);
            }
        }
        KeyLines(first)
    }

    /// 1-based line of `key`, or 1 when it is not found.
    pub fn line(&self, key: &str) -> usize {
        self.0.get(key).copied().unwrap_or(1)
    }
}

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
