//! A serde `Deserializer` over [`super::yaml_block`]'s tree that answers as serde-saphyr does
//! or not at all: every request it is not sure of is an error, and the caller then reads the
//! document with serde-saphyr, whose results and messages stay the reference. `Spanned` is
//! answered through serde-saphyr's own protocol for it (a newtype named `__yaml_spanned` read
//! as a map of the value and its two locations), so the settings' types stay as they are.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::yaml_block::{Entry, Node, Plain, Scalar};

/// `T` read from a document's tree, or `None` for anything left to serde-saphyr.
pub fn from_node<T: de::DeserializeOwned>(node: &Node) -> Option<T> {
    T::deserialize(De::of(node)).ok()
}

/// The fast path's only answer to what it does not do: read it the reference way.
#[derive(Debug)]
pub struct Unsure;

impl fmt::Display for Unsure {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("left to serde-saphyr")
    }
}

impl std::error::Error for Unsure {}

impl de::Error for Unsure {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsure
    }
}

#[derive(Clone, Copy)]
enum De<'a> {
    Empty,
    /// A scalar; `true` for a mapping's key.
    Scalar(&'a Scalar, bool),
    Map(&'a [Entry]),
    Seq(&'a [Scalar]),
}

impl<'a> De<'a> {
    fn of(node: &'a Node) -> Self {
        match node {
            Node::Empty => De::Empty,
            Node::Scalar(s) => De::Scalar(s, false),
            Node::Map(entries) => De::Map(entries),
            Node::Seq(items) => De::Seq(items),
        }
    }

    fn is_null(self) -> bool {
        match self {
            De::Empty => true,
            De::Scalar(s, _) => s.is_null(),
            _ => false,
        }
    }

    /// Whether every scalar below reads the same whatever the target: serde-saphyr types
    /// even the values a struct ignores, and refuses some (`.inf`) while doing so.
    fn is_sure(self) -> bool {
        match self {
            De::Empty => true,
            De::Scalar(s, _) => s.plain().is_some(),
            De::Map(entries) => entries
                .iter()
                .all(|e| e.key.plain().is_some() && De::of(&e.value).is_sure()),
            De::Seq(items) => items.iter().all(|s| s.plain().is_some()),
        }
    }

    /// The text of a scalar that reads as a string (a null does not).
    fn string(self) -> Result<&'a str, Unsure> {
        match self {
            De::Scalar(s, _) if !s.is_null() => Ok(&s.value),
            _ => Err(Unsure),
        }
    }
}

macro_rules! unsure {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $(_: $ty,)* _: V) -> Result<V::Value, Unsure> {
                Err(Unsure)
            }
        )*
    };
}

impl<'de, 'a> Deserializer<'de> for De<'a> {
    type Error = Unsure;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        match self {
            De::Empty => visitor.visit_unit(),
            De::Map(_) => self.deserialize_map(visitor),
            De::Seq(_) => self.deserialize_seq(visitor),
            // serde-saphyr reads a key the way it reads a value; only plain text is sure.
            De::Scalar(s, true) if s.plain() != Some(Plain::Str) => Err(Unsure),
            De::Scalar(s, _) => match s.plain().ok_or(Unsure)? {
                Plain::Null => visitor.visit_unit(),
                Plain::Bool(b) => visitor.visit_bool(b),
                Plain::Unsigned(n) => visitor.visit_u64(n),
                Plain::Negative(n) => visitor.visit_i64(n),
                Plain::Str => visitor.visit_str(&s.value),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        if self.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        if self.is_null() {
            visitor.visit_unit()
        } else {
            Err(Unsure)
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        visitor.visit_str(self.string()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        self.deserialize_str(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        match self {
            De::Seq(items) => visitor.visit_seq(Items(items.iter())),
            _ => Err(Unsure),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        match self {
            De::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
            _ => Err(Unsure),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unsure> {
        self.deserialize_map(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unsure> {
        match (name, self) {
            ("__yaml_spanned", De::Scalar(s, false)) => {
                visitor.visit_newtype_struct(Spanned(s, View::Spanned))
            }
            ("__yaml_spanned", _) => Err(Unsure),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        if self.is_sure() {
            visitor.visit_unit()
        } else {
            Err(Unsure)
        }
    }

    unsure! {
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
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_unit_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    }
}

struct Items<'a>(std::slice::Iter<'a, Scalar>);

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = Unsure;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Unsure> {
        self.0
            .next()
            .map(|s| seed.deserialize(De::Scalar(s, false)))
            .transpose()
    }
}

struct Entries<'a> {
    entries: std::slice::Iter<'a, Entry>,
    value: Option<&'a Node>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = Unsure;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unsure> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(&entry.value);
        seed.deserialize(De::Scalar(&entry.key, true)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Unsure> {
        seed.deserialize(De::of(self.value.take().ok_or(Unsure)?))
    }
}

/// serde-saphyr's private views of its span types, each a fixed map of named fields:
/// `Spanned<T>` is `{__serde_saphyr_private_spanned: true, value, referenced, defined}` (both
/// locations the scalar's own: there are no aliases here), a `Location` is `{line, column,
/// span, source_id}`, a `Span` is `{offset, len, byte_info: (byte_offset, byte_len)}`, the
/// offset and length in characters.
#[derive(Clone, Copy)]
enum View {
    Spanned,
    Location,
    Span,
}

impl View {
    fn fields(self) -> &'static [&'static str] {
        match self {
            View::Spanned => &[
                "__serde_saphyr_private_spanned",
                "value",
                "referenced",
                "defined",
            ],
            View::Location => &["line", "column", "span", "source_id"],
            View::Span => &["offset", "len", "byte_info"],
        }
    }
}

struct Spanned<'a>(&'a Scalar, View);

impl<'de> Deserializer<'de> for Spanned<'_> {
    type Error = Unsure;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unsure> {
        visitor.visit_map(Fields {
            scalar: self.0,
            view: self.1,
            at: 0,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct Fields<'a> {
    scalar: &'a Scalar,
    view: View,
    at: usize,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Unsure;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unsure> {
        let Some(name) = self.view.fields().get(self.at) else {
            return Ok(None);
        };
        self.at += 1;
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Unsure> {
        let s = self.scalar;
        let number = |n: u32| u64::from(n).into_deserializer();
        match (self.view, self.at) {
            (View::Spanned, 1) => seed.deserialize(true.into_deserializer()),
            (View::Spanned, 2) => seed.deserialize(De::Scalar(s, false)),
            (View::Spanned, _) => seed.deserialize(Spanned(s, View::Location)),
            (View::Location, 1) => seed.deserialize(number(s.line)),
            (View::Location, 2) => seed.deserialize(number(s.column)),
            (View::Location, 3) => seed.deserialize(Spanned(s, View::Span)),
            (View::Location, _) => seed.deserialize(0u32.into_deserializer()),
            (View::Span, 1) => seed.deserialize(number(s.char_offset)),
            (View::Span, 2) => seed.deserialize(number(s.char_len)),
            (View::Span, _) => seed.deserialize(de::value::SeqDeserializer::<_, Unsure>::new(
                [s.bytes.start as u64, s.bytes.len() as u64].into_iter(),
            )),
        }
    }
}
