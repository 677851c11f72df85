//! A row as a serde `Deserializer`: the record's own `Deserialize` reads the cells in place (no
//! map in between), and an error names the column it came from.

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use std::fmt;

use crate::store::sql::Cell;

/// What is read under one key: a cell, or a record within the record (a void's columns).
pub(super) enum Value<'r> {
    Cell(Cell<'r>),
    Record(Vec<Entry<'r>>),
}

/// A field of the record and how errors name its column.
pub(super) struct Entry<'r> {
    pub key: &'static str,
    pub label: &'static str,
    pub value: Value<'r>,
}

/// Why a row did not read as its record, and the column, when one was being read.
#[derive(Debug)]
pub(super) struct Unreadable {
    pub label: Option<&'static str>,
    pub why: String,
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.why)
    }
}

impl std::error::Error for Unreadable {}

impl de::Error for Unreadable {
    fn custom<T: fmt::Display>(why: T) -> Self {
        Unreadable {
            label: None,
            why: why.to_string(),
        }
    }
}

/// The fields of a record (or of a record within it), in column order.
pub(super) struct Fields<'a, 'r>(pub &'a [Entry<'r>]);

impl<'de> Deserializer<'de> for Fields<'_, '_> {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unreadable> {
        v.visit_map(Columns {
            entries: self.0.iter(),
            next: None,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unreadable> {
        v.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct Columns<'a, 'r> {
    entries: std::slice::Iter<'a, Entry<'r>>,
    next: Option<&'a Entry<'r>>,
}

impl<'de> MapAccess<'de> for Columns<'_, '_> {
    type Error = Unreadable;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unreadable> {
        self.next = self.entries.next();
        match self.next {
            Some(e) => seed.deserialize(e.key.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Unreadable> {
        let Some(entry) = self.next.take() else {
            return Err(de::Error::custom("a value without its column"));
        };
        let read = match &entry.value {
            Value::Cell(c) => seed.deserialize(One(*c)),
            Value::Record(fields) => seed.deserialize(Fields(fields)),
        };
        // The innermost column read names the error.
        read.map_err(|e| Unreadable {
            label: e.label.or(Some(entry.label)),
            why: e.why,
        })
    }
}

/// One cell.
struct One<'r>(Cell<'r>);

impl<'de> Deserializer<'de> for One<'_> {
    type Error = Unreadable;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unreadable> {
        match self.0 {
            Cell::Text(t) => v.visit_str(t),
            Cell::Int(n) => v.visit_i64(n),
            Cell::Flag(b) => v.visit_bool(b),
            Cell::Real(x) => v.visit_f64(x),
        }
    }

    // A NULL cell is never an entry: the field is absent, and serde reads it as `None`.
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Unreadable> {
        v.visit_some(self)
    }

    // A closed word (`text_enum!`) is stored as its text.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Unreadable> {
        match self.0 {
            Cell::Text(t) => v.visit_enum(t.into_deserializer()),
            _ => self.deserialize_any(v),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The fields a record's `Deserialize` asks for by name (`None` for a record with a flattened
/// part, which asks for a map instead): what a test holds against the table's columns.
#[cfg(test)]
pub(in crate::store) fn field_names<T: serde::de::DeserializeOwned>()
-> Option<&'static [&'static str]> {
    struct Probe<'a>(&'a mut Option<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = Unreadable;

        fn deserialize_any<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, Unreadable> {
            Err(de::Error::custom("not a record with named fields"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _v: V,
        ) -> Result<V::Value, Unreadable> {
            *self.0 = Some(fields);
            Err(de::Error::custom("only its fields were asked for"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    let mut names = None;
    let _probed = T::deserialize(Probe(&mut names));
    names
}
