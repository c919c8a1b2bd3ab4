//! Reads a YAML document's root struct as a streamed mapping. serde-saphyr makes a struct's
//! duplicate keys "last wins" by recording the whole struct's events before replaying them,
//! and the root struct of a `.yarnrc.yml` is the whole file: that recording was the largest
//! single cost of a run on a large config (issue 20). Streamed, a duplicate field is an error
//! from serde's derived visitor instead, and the caller then reads the document the recorded
//! way, so every document reads exactly as before.

use serde::de::{Deserialize, DeserializeSeed, Deserializer, Visitor};
use std::marker::PhantomData;

/// `Option<T>` whose `T` is read with [`StructAsMap`]. `None` is an empty or null document.
pub struct Root<T>(pub Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Root<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(RootVisitor(PhantomData))
    }
}

struct RootVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for RootVisitor<T> {
    type Value = Root<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an optional document")
    }

    // The same three answers as serde's own `Option` visitor.
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Root(None))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Root(None))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        PhantomData::<T>
            .deserialize(StructAsMap(d))
            .map(|v| Root(Some(v)))
    }
}

/// A deserializer that answers a request for a struct with the inner one's mapping and
/// passes every other request through unchanged.
struct StructAsMap<D>(D);

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for StructAsMap<D> {
    type Error = D::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }

    forward! {
        deserialize_any(),
        deserialize_bool(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_char(),
        deserialize_str(),
        deserialize_string(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_option(),
        deserialize_unit(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_seq(),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_map(),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(),
        deserialize_ignored_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq, Default)]
    struct Doc {
        a: Option<String>,
        b: Option<Vec<String>>,
    }

    fn streamed(text: &str) -> Result<Option<Doc>, serde_saphyr::Error> {
        let options = serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins, non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString };
        serde_saphyr::from_str_with_options::<Root<Doc>>(text, options).map(|r| r.0)
    }

    #[test]
    fn a_root_struct_reads_as_a_mapping_and_a_repeated_field_is_refused() {
        let doc = streamed("a: x\nother: {deep: [1]}\nb: [y, z]\n").unwrap();
        assert_eq!(
            doc,
            Some(Doc {
                a: Some("x".into()),
                b: Some(vec!["y".into(), "z".into()])
            })
        );
        assert_eq!(streamed("~\n").unwrap(), None);
        // The caller falls back to the recorded read, which lets the last one win.
        let err = streamed("a: x\na: y\n").unwrap_err().to_string();
        assert!(err.contains("duplicate field"), "{err}");
    }
}
