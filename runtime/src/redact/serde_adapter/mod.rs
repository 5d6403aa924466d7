//! `Serialize` values written straight into a record, with the sensitive-key
//! policy applied to every struct field name and map key on the way.

mod keys;

use super::{Array, Object, Out};
use keys::{KeySer, TextKey};
use serde::ser::{self, Serialize};
use std::fmt;

pub(super) fn serialize<T: Serialize + ?Sized>(out: Out<'_>, value: &T) {
    // A `Serialize` impl that fails leaves valid JSON behind (containers
    // close on drop, an empty slot gets a marker); the failure itself is
    // counted, never propagated.
    if write(out, value).is_err() {
        crate::stats::serialize_error();
    }
}

/// Writes `value` into `out`. A `Serialize` impl that fails before writing
/// anything would leave a member or item without a value: the slot gets a
/// marker instead, and the record is marked as cut.
fn write<T: Serialize + ?Sized>(out: Out<'_>, value: &T) -> Result<(), Error> {
    let Out { w, mask } = out;
    let start = w.buf.len();
    let result = value.serialize(Ser {
        out: Out { w: &mut *w, mask },
    });
    if result.is_err() {
        w.truncated = true;
        if w.buf.len() == start {
            w.buf.extend_from_slice(
                b"\"[unavailable: the value's Serialize implementation failed]\"",
            );
        }
    }
    result
}

/// The error a `Serialize` implementation may return; seclog only counts it.
#[derive(Debug)]
pub(crate) struct Error;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the value's Serialize implementation failed")
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<M: fmt::Display>(_msg: M) -> Self {
        Error
    }
}

struct Ser<'a> {
    out: Out<'a>,
}

macro_rules! forward {
    ($($name:ident($ty:ty) => $method:ident as $as:ty;)*) => {$(
        fn $name(self, v: $ty) -> Result<(), Error> {
            self.out.$method(v as $as);
            Ok(())
        }
    )*};
}

impl<'a> ser::Serializer for Ser<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = SeqSer<'a>;
    type SerializeTuple = SeqSer<'a>;
    type SerializeTupleStruct = SeqSer<'a>;
    type SerializeTupleVariant = SeqSer<'a>;
    type SerializeMap = MapSer<'a>;
    type SerializeStruct = MapSer<'a>;
    type SerializeStructVariant = MapSer<'a>;

    forward! {
        serialize_i8(i8) => i64 as i64;
        serialize_i16(i16) => i64 as i64;
        serialize_i32(i32) => i64 as i64;
        serialize_i64(i64) => i64 as i64;
        serialize_u8(u8) => u64 as u64;
        serialize_u16(u16) => u64 as u64;
        serialize_u32(u32) => u64 as u64;
        serialize_u64(u64) => u64 as u64;
        serialize_f32(f32) => f64 as f64;
        serialize_f64(f64) => f64 as f64;
        serialize_i128(i128) => i128 as i128;
        serialize_u128(u128) => u128 as u128;
    }

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.bool(v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        let mut tmp = [0u8; 4];
        self.out.str(v.encode_utf8(&mut tmp));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.out.str(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        v.redact_bytes(self.out);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.out.null();
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.null();
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.out.null();
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.out.str(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let mut obj = self.out.object();
        let mut result = Ok(());
        obj.entry_static_with(variant, |out| result = write(out, value));
        result
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<SeqSer<'a>, Error> {
        Ok(SeqSer {
            array: self.out.array(),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSer<'a>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<SeqSer<'a>, Error> {
        let array = match self.out.open_variant(variant) {
            Ok(inner) => inner.array().closing_variant(),
            Err(w) => Array::dead(w),
        };
        Ok(SeqSer { array })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<MapSer<'a>, Error> {
        Ok(MapSer {
            object: self.out.object(),
            key: KeyState::None,
        })
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSer<'a>, Error> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<MapSer<'a>, Error> {
        let object = match self.out.open_variant(variant) {
            Ok(inner) => inner.object().closing_variant(),
            Err(w) => Object::dead(w),
        };
        Ok(MapSer {
            object,
            key: KeyState::None,
        })
    }

    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.out.display(&value);
        Ok(())
    }
}

/// Bytes are written as their length only: they are usually binary (keys,
/// images, ciphertext) and often secret, and base64 of them helps no reader.
trait RedactBytes {
    fn redact_bytes(&self, out: Out<'_>);
}

impl RedactBytes for [u8] {
    fn redact_bytes(&self, out: Out<'_>) {
        super::std_impls::bytes(self, out)
    }
}

pub(crate) struct SeqSer<'a> {
    array: Array<'a>,
}

impl SeqSer<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if self.array.is_full() {
            self.array.skip(1);
            return Ok(());
        }
        let mut result = Ok(());
        self.array.item_with(|out| result = write(out, value));
        result
    }
}

impl ser::SerializeSeq for SeqSer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeTuple for SeqSer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for SeqSer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

/// A map key as text: strings as they are, numbers and booleans as JSON
/// would write them; other keys are not representable.
enum KeyState {
    None,
    /// The key was written into the writer's scratch space.
    Ready,
    Unsupported,
}

pub(crate) struct MapSer<'a> {
    object: Object<'a>,
    key: KeyState,
}

impl MapSer<'_> {
    fn value<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        let mut result = Ok(());
        self.object
            .entry_with(key, |out| result = write(out, value));
        result
    }

    /// A struct field: its name is a static string.
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        let mut result = Ok(());
        self.object
            .entry_static_with(key, |out| result = write(out, value));
        result
    }
}

impl ser::SerializeMap for MapSer<'_> {
    type Ok = ();
    type Error = Error;

    /// A text key (the common case: headers, query strings, JSON objects)
    /// is used where it is, without a copy; any other goes through the
    /// scratch space as [`serialize_key`](Self::serialize_key) writes it.
    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), Error> {
        let mut written = None;
        let _ = key.serialize(TextKey {
            map: self,
            value,
            written: &mut written,
        });
        match written {
            Some(result) => result,
            None => {
                ser::SerializeMap::serialize_key(self, key)?;
                ser::SerializeMap::serialize_value(self, value)
            }
        }
    }

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let scratch = &mut self.object.writer().scratch;
        scratch.clear();
        self.key = match key.serialize(KeySer { out: scratch }) {
            Ok(()) => KeyState::Ready,
            Err(_) => KeyState::Unsupported,
        };
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match std::mem::replace(&mut self.key, KeyState::None) {
            KeyState::Ready => {
                // The key leaves the scratch space before the value can
                // reuse it for maps nested inside.
                let key = std::mem::take(&mut self.object.writer().scratch);
                let result = self.value(&key, value);
                let mut key = key;
                key.clear();
                let scratch = &mut self.object.writer().scratch;
                if scratch.capacity() < key.capacity() {
                    *scratch = key;
                }
                result
            }
            KeyState::Unsupported => self.value("[unsupported key]", value),
            KeyState::None => Err(Error),
        }
    }

    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeStruct for MapSer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for SeqSer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for MapSer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Out, Redact};
    use serde::Serialize;
    use std::collections::BTreeMap;

    /// Logs `T` through serde.
    struct Serialized<T>(T);

    impl<T: Serialize> Redact for Serialized<T> {
        fn redact(&self, out: Out<'_>) {
            out.serialize(&self.0)
        }
    }

    fn json<T: Serialize>(value: T) -> serde_json::Value {
        let text = crate::to_json(&Serialized(value));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Unit;

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Name(&'static str);

    #[test]
    fn map_keys_of_every_kind_are_written_as_json_writes_them() {
        let text: BTreeMap<&str, &str> = [("user", "alice"), ("Pass-Word", "hunter2")].into();
        assert_eq!(
            json(text),
            serde_json::json!({"Pass-Word": "[REDACTED]", "user": "alice"})
        );
        let numbers: BTreeMap<i32, &str> = [(-7, "a"), (42, "b")].into();
        assert_eq!(json(numbers), serde_json::json!({"-7": "a", "42": "b"}));
        let flags: BTreeMap<bool, u8> = [(true, 1)].into();
        assert_eq!(json(flags), serde_json::json!({"true": 1}));
        let wrapped: BTreeMap<Option<Name>, u8> =
            [(Some(Name("api_token")), 1), (Some(Name("id")), 2)].into();
        assert_eq!(
            json(wrapped),
            serde_json::json!({"api_token": "[REDACTED]", "id": 2})
        );
        let odd: BTreeMap<Unit, u8> = [(Unit, 1)].into();
        assert_eq!(json(odd), serde_json::json!({"[unsupported key]": 1}));
        let chars: BTreeMap<char, u8> = [('k', 1)].into();
        assert_eq!(json(chars), serde_json::json!({"k": 1}));
    }
}
