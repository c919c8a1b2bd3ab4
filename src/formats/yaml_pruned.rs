//! A YAML document as a generic tree without the settings pmrc owns, for the guard that
//! every edit keeps the rest of a file as it was. Owned values are skipped while reading
//! instead of being built and then removed: in a large `.yarnrc.yml` they are most of the
//! file (issue 20). Everything that is kept is read exactly as `serde_json::Value` reads it.

use rustc_hash::FxHashMap as HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::value::{BytesDeserializer, SeqAccessDeserializer, StrDeserializer};
use serde::de::{
    DeserializeSeed, Deserializer, Error, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::{Map, Value};

use super::yaml_block::{Entry, Node, Plain, Scalar};

/// The owned paths as a tree of keys, built once for the guard's two reads.
#[derive(Default)]
pub struct Owned<'a> {
    whole: bool,
    below: HashMap<&'a str, Owned<'a>>,
}

impl<'a> Owned<'a> {
    pub fn new(paths: &[&'a [String]]) -> Self {
        let mut root = Owned::default();
        for path in paths {
            let at = path.iter().fold(&mut root, |at, key| {
                at.below.entry(key.as_str()).or_default()
            });
            at.whole = true;
        }
        root
    }
}

/// The document `text` with the values at `owned` never read into the tree, nor the maps and
/// entries above them that are left empty or null (a null or empty document is
/// `Value::Null`, as `Option<Value>` reads it).
pub fn parse_without(text: &str, owned: &Owned) -> Result<Value, serde_saphyr::Error> {
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Ok(Value::Null);
    }
    let options = serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins, non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString };
    serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        Document(owned).deserialize(de)
    })
}

/// What [`parse_without`] gives, read from [`super::yaml_block`]'s tree: `None` when the
/// document is not of its simple shape or holds a plain scalar whose type it is not sure of.
pub fn fast_without(text: &str, owned: &Owned) -> Option<Value> {
    match &*super::yaml_block::parsed(text) {
        Some(node) => block_value(node, Some(owned)),
        None => None,
    }
}

fn block_value(node: &Node, owned: Option<&Owned>) -> Option<Value> {
    Some(match node {
        Node::Empty => Value::Null,
        Node::Scalar(s) => scalar_value(s)?,
        Node::Seq(items) => Value::Array(items.iter().map(scalar_value).collect::<Option<_>>()?),
        Node::Map(entries) => {
            let mut out = Map::new();
            for Entry { key, value, .. } in entries {
                let below = owned.and_then(|o| o.below.get(&*key.value));
                if below.is_some_and(|o| o.whole) {
                    continue;
                }
                let value = block_value(value, below)?;
                if below.is_some() && emptied(&value) {
                    continue;
                }
                out.insert(key.value.to_string(), value);
            }
            Value::Object(out)
        }
    })
}

/// A map or entry that held only owned settings: an edit that empties one removes it (as
/// Yarn does), so it does not count either way.
fn emptied(value: &Value) -> bool {
    value.is_null() || value.as_object().is_some_and(Map::is_empty)
}

fn scalar_value(s: &Scalar) -> Option<Value> {
    Some(match s.plain()? {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Unsigned(n) => Value::from(n),
        Plain::Negative(n) => Value::from(n),
        Plain::Str => Value::String(s.value.to_string()),
    })
}

struct Document<'o, 'a>(&'o Owned<'a>);

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an optional YAML document")
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Pruned(self.0).deserialize(d)
    }
}

/// A value whose mappings leave out the keys `Owned` marks whole.
struct Pruned<'o, 'a>(&'o Owned<'a>);

impl<'de> DeserializeSeed<'de> for Pruned<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

// Every shape but a mapping goes to `serde_json::Value`'s own visitor, unchanged.
impl<'de> Visitor<'de> for Pruned<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: Error>(self, v: bool) -> Result<Value, E> {
        Value::deserialize(v.into_deserializer())
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<Value, E> {
        Value::deserialize(v.into_deserializer())
    }

    fn visit_i128<E: Error>(self, v: i128) -> Result<Value, E> {
        Value::deserialize(v.into_deserializer())
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Value, E> {
        Value::deserialize(v.into_deserializer())
    }

    fn visit_u128<E: Error>(self, v: u128) -> Result<Value, E> {
        Value::deserialize(v.into_deserializer())
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<Value, E> {
        Value::deserialize(v.into_deserializer())
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Value, E> {
        Value::deserialize(StrDeserializer::new(v))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Value, E> {
        Value::deserialize(v.into_deserializer())
    }

    fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Value, E> {
        Value::deserialize(BytesDeserializer::new(v))
    }

    fn visit_none<E: Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E: Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key)? {
            match self.0.below.get(key.as_str()) {
                Some(owned) if owned.whole => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(owned) => {
                    let value = map.next_value_seed(Pruned(owned))?;
                    // The last of repeated keys counts, emptied or not.
                    if emptied(&value) {
                        out.remove(&key);
                    } else {
                        out.insert(key, value);
                    }
                }
                None => {
                    let value = map.next_value::<Value>()?;
                    out.insert(key, value);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// A mapping key read the way `serde_json::Value` reads one (as a borrowed string).
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E: Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    /// The pruned tree is the whole tree with the owned values removed afterwards.
    #[test]
    fn skipping_owned_values_equals_removing_them() {
        let owned = [path(&["a", "b"]), path(&["top"]), path(&["x", "y", "z"])];
        let owned: Vec<&[String]> = owned.iter().map(Vec::as_slice).collect();
        let owned = Owned::new(&owned);
        let text = "top: 1\ntop: 2\na:\n  b: [1, 2]\n  c: 'yes'\n  b: {deep: 1}\nx: {y: {z: 3, w: 1.5}}\nlist: [{b: 1}]\nn: ~\n";
        let mut whole: Value = serde_saphyr::from_str_with_options(
            text,
            serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins, non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString },
        )
        .unwrap();
        whole.as_object_mut().unwrap().remove("top");
        whole["a"].as_object_mut().unwrap().remove("b");
        whole["x"]["y"].as_object_mut().unwrap().remove("z");
        assert_eq!(parse_without(text, &owned).unwrap(), whole);
        assert_eq!(whole["a"]["c"], Value::String("yes".into()));
        assert_eq!(parse_without("\n", &owned).unwrap(), Value::Null);
        assert_eq!(parse_without("~\n", &owned).unwrap(), Value::Null);
        assert!(parse_without("a: [\n", &owned).is_err());
    }

    /// A map or entry left empty or null by the owned values is left out too, in both
    /// readers; with a repeated key the last one decides.
    #[test]
    fn maps_that_held_only_owned_values_are_left_out() {
        let owned = [path(&["m", "o"]), path(&["k", "o"])];
        let owned: Vec<&[String]> = owned.iter().map(Vec::as_slice).collect();
        let owned = Owned::new(&owned);
        let text = "keep: 1\nm:\n  o: 1\nk:\n  o: 2\n  p: 3\n";
        let expected: Value = serde_json::json!({"keep": 1, "k": {"p": 3}});
        assert_eq!(parse_without(text, &owned).unwrap(), expected);
        assert_eq!(fast_without(text, &owned), Some(expected));
        let null = "keep: 1\nm:\n";
        assert_eq!(
            parse_without(null, &owned).unwrap(),
            serde_json::json!({"keep": 1})
        );
        assert_eq!(
            fast_without(null, &owned),
            Some(serde_json::json!({"keep": 1}))
        );
        let repeated = "m: {o: 1, q: 2}\nm: {o: 3}\n";
        assert_eq!(
            parse_without(repeated, &owned).unwrap(),
            serde_json::json!({})
        );
        let repeated_kept = "m: {o: 1}\nm: {q: 2}\n";
        assert_eq!(
            parse_without(repeated_kept, &owned).unwrap(),
            serde_json::json!({"m": {"q": 2}})
        );
    }
}
