//! The bulk of a YAML edit, as text: entries of the maps pmrc owns (`npmScopes`,
//! `npmRegistries`, pnpm's `registries`) changed, cut and added from one read of the
//! document. yaml-edit finds a key by comparing it with every key of its mapping, and every
//! live node handle slows each step of a walk of the tree, so editing thousands of entries
//! through it took quadratic time; here it is linear. The entries' positions come from
//! [`super::yaml_block`]'s tree when the document has its simple shape (yaml-edit's parse was
//! then most of the edit's time), and from yaml-edit otherwise. What this pass leaves
//! (top-level keys, lists, flow-style maps, block scalars) is done by `yaml::edit` in the tree
//! afterwards.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use std::str::FromStr;

use yaml_edit::{Mapping, MappingEntry, YamlFile};

use crate::formats::yaml::{after_line, render_block, scalar_text};
use crate::formats::yaml_block::{Entry, Node, Scalar, Style};
use crate::formats::{Setting, SettingValue, Wanted};

type PathValue<'a> = (&'a [String], &'a SettingValue);

/// Whether a line of `text` ends with a `\r` alone (old Mac line breaks). Scanned, not
/// found in a copy of the text without its `\r\n`s (a large file's size again, issue 20).
fn has_lone_carriage_return(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices('\r')
        .any(|(i, _)| bytes.get(i + 1) != Some(&b'\n'))
}

/// A scalar value in the text: where it is and how it was quoted.
#[derive(Debug, PartialEq)]
pub(super) struct ScalarAt {
    range: Range<usize>,
    raw_start: Option<char>,
}

/// One entry of an owned map, read once; no node handles are kept.
#[derive(Debug, PartialEq)]
pub(super) struct EntryAt {
    range: Range<usize>,
    value: Value,
}

#[derive(Debug, PartialEq)]
pub(super) enum Value {
    Scalar(ScalarAt),
    /// A block mapping of fields: each field's key, line range and scalar value.
    Fields {
        fields: HashMap<String, (Range<usize>, Option<ScalarAt>)>,
        count: usize,
        first_column: usize,
        last_end: usize,
    },
    /// Anything this pass does not edit (a flow mapping, a sequence, ...).
    Other,
}

#[derive(Debug, PartialEq)]
pub(super) struct MapAt {
    /// From the map's key to the end of its last entry.
    range: Range<usize>,
    column: usize,
    entries: HashMap<String, EntryAt>,
    last_end: usize,
}

/// Applies what it can of `wanted` to the owned maps of `text`, and returns the new text
/// and what it now holds (for the tree pass to finish the rest).
pub fn edit(
    text: &str,
    held: &[Setting],
    wanted: &Wanted,
    maps: &[&str],
    (step, nl): (usize, &str),
) -> (String, Vec<Setting>) {
    let unchanged = || (text.to_string(), held.to_vec());
    // Lines here end with `\n`; a file that breaks lines with a lone `\r` goes to the tree.
    if has_lone_carriage_return(text) {
        return unchanged();
    }
    // A last line without its break gets one, so new lines can follow it (no offset moves;
    // `yaml::edit` gives the file back its habit).
    let owned;
    let text = if text.is_empty() || text.ends_with('\n') {
        text
    } else {
        owned = format!("{text}{nl}");
        owned.as_str()
    };
    let read = block_maps(text, maps).or_else(|| yaml_edit_maps(text, maps));
    let Some(read) = read.filter(|r| !r.is_empty()) else {
        return unchanged();
    };

    let wanted_at: HashMap<&[String], &SettingValue> =
        wanted.iter().map(|(p, v)| (&p[..], v)).collect();
    let held_at: HashMap<&[String], &SettingValue> =
        held.iter().map(|s| (&s.path[..], &s.value)).collect();
    let mut handled: HashSet<&[String]> = HashSet::default();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();

    // What goes: a field's line, or the whole entry when no field of it stays.
    let mut cut_fields: HashMap<(&str, &str), Vec<Range<usize>>> = HashMap::default();
    let mut cut_entries: HashSet<(&str, &str)> = HashSet::default();
    for s in held {
        let path = &s.path[..];
        if wanted_at.contains_key(path) {
            continue;
        }
        match path {
            [map, entry] => {
                if let Some(e) = entry_at(&read, map, entry)
                    && matches!(e.value, Value::Scalar(_))
                {
                    cut_entries.insert((map.as_str(), entry.as_str()));
                    handled.insert(path);
                }
            }
            [map, entry, field] => {
                if let Some(EntryAt {
                    value: Value::Fields { fields, .. },
                    ..
                }) = entry_at(&read, map, entry)
                    && let Some((line, _)) = fields.get(field.as_str())
                {
                    cut_fields
                        .entry((map.as_str(), entry.as_str()))
                        .or_default()
                        .push(line.clone());
                    handled.insert(path);
                }
            }
            _ => {}
        }
    }
    // Changed and new values.
    let mut new_fields: HashMap<(&str, &str), Vec<PathValue>> = HashMap::default();
    let mut new_entries: HashMap<&str, Vec<PathValue>> = HashMap::default();
    for (path, value) in wanted {
        let path = &path[..];
        if held_at.get(path) == Some(&value) {
            continue;
        }
        let SettingValue::Scalar(v) = value else {
            continue;
        };
        let (map, entry) = match path {
            [map, entry] | [map, entry, _] if read.contains_key(map.as_str()) => {
                (map.as_str(), entry.as_str())
            }
            _ => continue,
        };
        match (entry_at(&read, map, entry), path) {
            (
                Some(EntryAt {
                    value: Value::Scalar(old),
                    ..
                }),
                [_, _],
            ) => {
                edits.push(rewrite(old, v));
                handled.insert(path);
            }
            (
                Some(EntryAt {
                    value: Value::Fields { fields, .. },
                    ..
                }),
                [_, _, field],
            ) => {
                match fields.get(field.as_str()) {
                    Some((_, Some(old))) => {
                        edits.push(rewrite(old, v));
                        handled.insert(path);
                    }
                    Some((_, None)) => {} // not a plain scalar: the tree pass
                    None => {
                        new_fields
                            .entry((map, entry))
                            .or_default()
                            .push((path, value));
                        handled.insert(path);
                    }
                }
            }
            (None, _) => {
                new_entries.entry(map).or_default().push((path, value));
                handled.insert(path);
            }
            _ => {}
        }
    }
    // An entry all of whose fields go, and that gets none, goes whole (as Yarn omits empty
    // mappings).
    for (&(map, entry), cuts) in &cut_fields {
        if let Some(EntryAt {
            value: Value::Fields { count, .. },
            ..
        }) = entry_at(&read, map, entry)
            && *count == cuts.len()
            && !new_fields.contains_key(&(map, entry))
        {
            cut_entries.insert((map, entry));
        }
    }
    for (&(map, entry), cuts) in &cut_fields {
        if !cut_entries.contains(&(map, entry)) {
            edits.extend(cuts.iter().map(|r| cut(text, r)));
        }
    }
    for (map, m) in &read {
        let cut_here: Vec<&String> = m
            .entries
            .keys()
            .filter(|e| cut_entries.contains(&(*map, e.as_str())))
            .collect();
        if cut_here.len() == m.entries.len() && !new_entries.contains_key(map) {
            // Nothing of the map stays: the map goes with its key.
            let from = text[..m.range.start].rfind('\n').map_or(0, |i| i + 1);
            edits.push((from, after_line(text, m.range.end), String::new()));
            continue;
        }
        for e in cut_here {
            edits.push(cut(text, &m.entries[e].range));
        }
    }
    // New fields after an entry's last field; a map's new entries after its last entry.
    // At one offset a map's new entries go after the new fields of its last entry, and a
    // cut starting there goes first so that it cannot take inserted text with it.
    let mut insertions: Vec<(usize, String)> = Vec::new();
    for (map, items) in new_entries {
        let m = &read[map];
        let mut block = String::new();
        render_block(
            &grouped(items, 1),
            1,
            &" ".repeat(m.column),
            (step, nl),
            &mut block,
        );
        insertions.push((after_line(text, m.last_end), block));
    }
    for ((map, entry), items) in new_fields {
        let Some(EntryAt {
            value:
                Value::Fields {
                    first_column,
                    last_end,
                    ..
                },
            ..
        }) = entry_at(&read, map, entry)
        else {
            continue;
        };
        let mut block = String::new();
        render_block(
            &items,
            2,
            &" ".repeat(*first_column),
            (step, nl),
            &mut block,
        );
        insertions.push((after_line(text, *last_end), block));
    }
    edits.extend(insertions.into_iter().map(|(at, block)| (at, at, block)));
    if edits.is_empty() {
        return unchanged();
    }
    let out = splice(text, edits);
    // Now held: what was held and not handled, and what was wanted and handled.
    let mut now: Vec<Setting> = held
        .iter()
        .filter(|s| !handled.contains(&s.path[..]))
        .cloned()
        .collect();
    now.extend(
        wanted
            .iter()
            .filter(|(p, _)| handled.contains(&p[..]) && wanted_at.contains_key(&p[..]))
            .map(|(p, v)| Setting {
                path: p.clone(),
                value: v.clone(),
                line: 1,
            }),
    );
    (out, now)
}

/// `text` with the edits applied, built front to back in one pass: replacing them in place,
/// one by one, moved the rest of a large file each time (quadratic, issue 20). Where several start at one offset, later ones go first (a map's new entries go
/// after the new fields of its last entry, pushed after them), and an insertion goes before
/// a cut that starts there, so that the cut cannot take inserted text with it.
fn splice(text: &str, edits: Vec<(usize, usize, String)>) -> String {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (edits[i].0, edits[i].1, std::cmp::Reverse(i)));
    let overlapping = order.windows(2).any(|w| edits[w[1]].0 < edits[w[0]].1);
    if overlapping {
        // Not made by this pass today; applied the old way, and the read-back judges it.
        let mut edits = edits;
        edits.sort_by_key(|(from, to, block)| std::cmp::Reverse((*from, *to, block.is_empty())));
        let mut out = text.to_string();
        for (from, to, block) in edits {
            out.replace_range(from..to, &block);
        }
        return out;
    }
    let added: usize = edits.iter().map(|e| e.2.len()).sum();
    let mut out = String::with_capacity(text.len() + added);
    let mut at = 0;
    for i in order {
        let (from, to, block) = &edits[i];
        out.push_str(&text[at..*from]);
        out.push_str(block);
        at = *to;
    }
    out.push_str(&text[at..]);
    out
}

fn entry_at<'a>(read: &'a HashMap<&str, MapAt>, map: &str, entry: &str) -> Option<&'a EntryAt> {
    read.get(map)?.entries.get(entry)
}

/// Paths with the same key at `depth` kept together (a new entry's fields, a new map's
/// entries), in the order first wanted.
pub(super) fn grouped(mut items: Vec<PathValue>, depth: usize) -> Vec<PathValue> {
    let mut first: HashMap<&str, usize> = HashMap::default();
    for (i, (p, _)) in items.iter().enumerate() {
        first.entry(p[depth].as_str()).or_insert(i);
    }
    items.sort_by_key(|(p, _)| first[p[depth].as_str()]);
    items
}

fn rewrite(old: &ScalarAt, value: &str) -> (usize, usize, String) {
    (
        old.range.start,
        old.range.end,
        scalar_text(old.raw_start, value),
    )
}

/// The lines of `range`: from its line's start (when only indentation stands before it)
/// to past its last line.
fn cut(text: &str, range: &Range<usize>) -> (usize, usize, String) {
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let from = if text[line_start..range.start].trim().is_empty() {
        line_start
    } else {
        range.start
    };
    (from, after_line(text, range.end), String::new())
}

fn column(text: &str, offset: usize) -> usize {
    crate::formats::yaml::indentation(text, offset)
}

fn range_of(entry: &MappingEntry) -> Range<usize> {
    let r = entry.byte_range();
    r.start as usize..r.end as usize
}

fn scalar_at(node: Option<yaml_edit::YamlNode>) -> Option<ScalarAt> {
    let scalar = node?.as_scalar()?.clone();
    let raw = scalar.value();
    if raw.starts_with(['|', '>']) {
        return None;
    }
    let r = scalar.byte_range();
    Some(ScalarAt {
        range: r.start as usize..r.end as usize,
        raw_start: raw.chars().next(),
    })
}

/// The owned maps of `text` as yaml-edit reads them; `None` when it cannot read the document
/// or a key is written twice (the tree pass refuses that).
pub(super) fn yaml_edit_maps<'m>(text: &str, maps: &[&'m str]) -> Option<HashMap<&'m str, MapAt>> {
    let file = YamlFile::from_str(text).ok()?;
    let root = file.document().and_then(|d| d.as_mapping())?;
    let mut read = HashMap::default();
    for &map in maps {
        if let Some(m) = read_map(&root, map, text) {
            read.insert(map, m.ok()?);
        }
    }
    Some(read)
}

/// The same from [`super::yaml_block`]'s tree, without yaml-edit's parse (most of an edit's
/// time on a large file, issue 20); `None` when the document is not of the tree's shape or
/// an owned map holds an empty value (yaml-edit places it at the end of its line).
pub(super) fn block_maps<'m>(text: &str, maps: &[&'m str]) -> Option<HashMap<&'m str, MapAt>> {
    let doc = super::yaml_block::parsed(text);
    let Some(Node::Map(root)) = &*doc else {
        return None;
    };
    let mut read = HashMap::default();
    for &map in maps {
        let Some(entry) = root.iter().find(|e| &*e.key.value == map) else {
            continue;
        };
        let Node::Map(entries) = &entry.value else {
            continue;
        };
        let mut at = HashMap::with_capacity_and_hasher(entries.len(), Default::default());
        for e in entries {
            let value = match &e.value {
                Node::Empty => return None,
                Node::Scalar(s) => Value::Scalar(block_scalar(s)),
                Node::Seq(_) => Value::Other,
                Node::Map(fields) => block_fields(fields)?,
            };
            let range = e.key.range().start..e.end;
            at.insert(e.key.value.to_string(), EntryAt { range, value });
        }
        let last_end = entries.last()?.end;
        read.insert(
            map,
            MapAt {
                range: entry.key.range().start..last_end,
                column: entries.first()?.key.column as usize - 1,
                entries: at,
                last_end,
            },
        );
    }
    Some(read)
}

fn block_fields(fields: &[Entry]) -> Option<Value> {
    let mut at = HashMap::with_capacity_and_hasher(fields.len(), Default::default());
    for f in fields {
        let scalar = match &f.value {
            Node::Empty => return None,
            Node::Scalar(s) => Some(block_scalar(s)),
            Node::Map(_) | Node::Seq(_) => None,
        };
        at.insert(
            f.key.value.to_string(),
            (f.key.range().start..f.end, scalar),
        );
    }
    Some(Value::Fields {
        fields: at,
        count: fields.len(),
        first_column: fields.first()?.key.column as usize - 1,
        last_end: fields.last()?.end,
    })
}

fn block_scalar(s: &Scalar) -> ScalarAt {
    ScalarAt {
        range: s.range(),
        raw_start: match s.style {
            Style::Plain => s.value.chars().next(),
            Style::SingleQuoted => Some('\''),
            Style::DoubleQuoted => Some('"'),
        },
    }
}

/// One owned map, read in a single walk of its entries. `Some(Err)` for a duplicated key.
fn read_map(root: &Mapping, map: &str, text: &str) -> Option<Result<MapAt, ()>> {
    // Written twice, the managers read the last copy; the tree pass refuses to guess.
    if root.find_all_entries_by_key(map).count() > 1 {
        return Some(Err(()));
    }
    let m = root.get_mapping(map)?;
    if m.is_flow_style() {
        return None;
    }
    let key_start = root.find_entry_by_key(map).map(|e| range_of(&e).start)?;
    let mut entries = HashMap::default();
    let mut column_at = None;
    let mut last_end = None;
    for e in m.entries() {
        let key = e
            .key_node()
            .and_then(|k| k.as_scalar().map(|s| s.as_string()))?;
        let range = range_of(&e);
        column_at.get_or_insert(column(text, range.start));
        last_end = Some(range.end);
        let value = match e.value_node() {
            Some(v) if v.as_mapping().is_some() => {
                let fields_map = v.as_mapping().expect("checked").clone();
                if fields_map.is_flow_style() {
                    Value::Other
                } else {
                    read_fields(&fields_map, text)
                }
            }
            v => scalar_at(v).map_or(Value::Other, Value::Scalar),
        };
        if entries.insert(key, EntryAt { range, value }).is_some() {
            return Some(Err(()));
        }
    }
    Some(Ok(MapAt {
        range: key_start..last_end?,
        column: column_at?,
        entries,
        last_end: last_end?,
    }))
}

fn read_fields(m: &Mapping, text: &str) -> Value {
    let mut fields = HashMap::default();
    let mut first_column = None;
    let mut last_end = None;
    let mut count = 0;
    for f in m.entries() {
        count += 1;
        let Some(key) = f
            .key_node()
            .and_then(|k| k.as_scalar().map(|s| s.as_string()))
        else {
            return Value::Other;
        };
        let range = range_of(&f);
        first_column.get_or_insert(column(text, range.start));
        last_end = Some(range.end);
        if fields
            .insert(key, (range, scalar_at(f.value_node())))
            .is_some()
        {
            return Value::Other; // a duplicated field: the tree pass refuses it
        }
    }
    match (first_column, last_end) {
        (Some(first_column), Some(last_end)) => Value::Fields {
            fields,
            count,
            first_column,
            last_end,
        },
        _ => Value::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lone `\r` is one not followed by `\n`, wherever it is.
    #[test]
    fn lone_carriage_returns_are_those_without_a_line_feed() {
        for (text, lone) in [
            ("", false),
            ("a: 1\n", false),
            ("a: 1\r\nb: 2\r\n", false),
            ("a: 1\rb: 2", true),
            ("a: 1\r", true),
            ("\r\r\n", true),
            ("a: 1\r\n\r", true),
            ("é: 1\r\n", false),
        ] {
            assert_eq!(has_lone_carriage_return(text), lone, "{text:?}");
        }
    }

    /// The edits applied in place, last offset first: what `splice` replaced.
    fn in_place(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
        edits.sort_by_key(|(from, to, block)| std::cmp::Reverse((*from, *to, block.is_empty())));
        let mut out = text.to_string();
        for (from, to, block) in edits {
            out.replace_range(from..to, &block);
        }
        out
    }

    #[test]
    fn splice_gives_what_in_place_edits_gave() {
        let text = "a: 1\nb:\n  c: 2\n  d: 3\ne: 4\n";
        let e = |from: usize, to: usize, block: &str| (from, to, block.to_string());
        let cases = vec![
            vec![],
            vec![e(3, 4, "9")],
            vec![e(3, 4, "9"), e(0, 0, "z: 0\n"), e(26, 26, "f: 5\n")],
            // Two insertions at one offset: the one pushed later comes first.
            vec![e(15, 15, "  x: 1\n"), e(15, 15, "  y: 2\n")],
            // An insertion where a cut starts, and a cut that ends where one goes in.
            vec![e(15, 21, ""), e(15, 15, "  y: 2\n")],
            vec![e(9, 15, ""), e(15, 15, "  y: 2\n"), e(3, 4, "\"7\"")],
        ];
        for edits in cases {
            assert_eq!(splice(text, edits.clone()), in_place(text, edits));
        }
    }
}
