//! [`Redact`] for the standard library's types and `serde_json::Value`.
//!
//! Decisions worth knowing:
//! - Byte slices and vectors (`[u8]`, `Vec<u8>`, `[u8; N]`) are logged as
//!   their length only, `"[N bytes]"`: bytes are usually binary (keys,
//!   ciphertext, images) and often secret, and their contents help no reader.
//!   Inside a sealed value, which only the investigator reads, they are an
//!   array of numbers, as serde writes a `Vec<u8>`.
//! - Maps are untyped data: keys pass the sensitive-key policy.
//! - `Duration` is whole nanoseconds (as ECS's `event.duration`);
//!   `SystemTime` is RFC 3339 UTC with microseconds (as `@timestamp`).

use super::{Out, Redact};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::marker::PhantomData;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::num::{
    NonZeroI128, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI8, NonZeroIsize, NonZeroU128,
    NonZeroU16, NonZeroU32, NonZeroU64, NonZeroU8, NonZeroUsize, Wrapping,
};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Writes a byte string as its length only (inside a sealed value, as its
/// bytes).
pub(crate) fn bytes(v: &[u8], out: Out<'_>) {
    if out.w.sealing {
        return seq(v.iter(), out);
    }
    out.display(&format_args!("[{} bytes]", v.len()));
}

/// Writes a sequence of items, bounded by the item limit without visiting
/// the items past it.
pub(crate) fn seq<'i, T: Redact + 'i>(items: impl ExactSizeIterator<Item = &'i T>, out: Out<'_>) {
    let mut array = out.array();
    let len = items.len();
    let mut seen = 0;
    for item in items {
        if array.is_full() {
            break;
        }
        array.item(item);
        seen += 1;
    }
    array.skip(len - seen);
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl Redact for $t {
            #[inline]
            fn redact(&self, out: Out<'_>) { out.u64(*self as u64) }
        }
    )*};
}
unsigned!(u16, u32, u64, usize);

macro_rules! signed {
    ($($t:ty),*) => {$(
        impl Redact for $t {
            #[inline]
            fn redact(&self, out: Out<'_>) { out.i64(*self as i64) }
        }
    )*};
}
signed!(i8, i16, i32, i64, isize);

impl Redact for u8 {
    #[inline]
    fn redact(&self, out: Out<'_>) {
        out.u64(*self as u64)
    }

    fn redact_slice(items: &[Self], out: Out<'_>) {
        bytes(items, out)
    }
}

impl Redact for u128 {
    fn redact(&self, out: Out<'_>) {
        out.u128(*self)
    }
}

impl Redact for i128 {
    fn redact(&self, out: Out<'_>) {
        out.i128(*self)
    }
}

impl Redact for f32 {
    fn redact(&self, out: Out<'_>) {
        out.f64(*self as f64)
    }
}

impl Redact for f64 {
    fn redact(&self, out: Out<'_>) {
        out.f64(*self)
    }
}

impl Redact for bool {
    fn redact(&self, out: Out<'_>) {
        out.bool(*self)
    }
}

impl Redact for char {
    fn redact(&self, out: Out<'_>) {
        let mut tmp = [0u8; 4];
        out.str(self.encode_utf8(&mut tmp))
    }
}

impl Redact for str {
    #[inline]
    fn redact(&self, out: Out<'_>) {
        out.str(self)
    }
}

impl Redact for String {
    #[inline]
    fn redact(&self, out: Out<'_>) {
        out.str(self)
    }
}

impl Redact for () {
    fn redact(&self, out: Out<'_>) {
        out.null()
    }
}

impl<T: Redact + ?Sized> Redact for &T {
    #[inline]
    fn redact(&self, out: Out<'_>) {
        (**self).redact(out)
    }
}

impl<T: Redact + ?Sized> Redact for &mut T {
    #[inline]
    fn redact(&self, out: Out<'_>) {
        (**self).redact(out)
    }
}

impl<T: Redact + ?Sized> Redact for Box<T> {
    fn redact(&self, out: Out<'_>) {
        (**self).redact(out)
    }
}

impl<T: Redact + ?Sized> Redact for Rc<T> {
    fn redact(&self, out: Out<'_>) {
        (**self).redact(out)
    }
}

impl<T: Redact + ?Sized> Redact for Arc<T> {
    fn redact(&self, out: Out<'_>) {
        (**self).redact(out)
    }
}

impl<T: Redact + ToOwned + ?Sized> Redact for Cow<'_, T> {
    fn redact(&self, out: Out<'_>) {
        (**self).redact(out)
    }
}

impl<T: Redact> Redact for Option<T> {
    #[inline]
    fn redact(&self, out: Out<'_>) {
        match self {
            Some(v) => v.redact(out),
            None => out.null(),
        }
    }
}

impl<T: Redact> Redact for [T] {
    fn redact(&self, out: Out<'_>) {
        T::redact_slice(self, out)
    }
}

impl<T: Redact, const N: usize> Redact for [T; N] {
    fn redact(&self, out: Out<'_>) {
        T::redact_slice(self, out)
    }
}

impl<T: Redact> Redact for Vec<T> {
    fn redact(&self, out: Out<'_>) {
        T::redact_slice(self, out)
    }
}

impl<T: Redact> Redact for VecDeque<T> {
    fn redact(&self, out: Out<'_>) {
        seq(self.iter(), out)
    }
}

impl<T: Redact, S> Redact for HashSet<T, S> {
    fn redact(&self, out: Out<'_>) {
        seq(self.iter(), out)
    }
}

impl<T: Redact> Redact for BTreeSet<T> {
    fn redact(&self, out: Out<'_>) {
        seq(self.iter(), out)
    }
}

impl<T: Redact> Redact for LinkedList<T> {
    fn redact(&self, out: Out<'_>) {
        seq(self.iter(), out)
    }
}

impl<T: Redact> Redact for BinaryHeap<T> {
    fn redact(&self, out: Out<'_>) {
        seq(self.iter(), out)
    }
}

/// Nothing to log: `null`, as serde writes it.
impl<T: ?Sized> Redact for PhantomData<T> {
    fn redact(&self, out: Out<'_>) {
        out.null()
    }
}

macro_rules! non_zero {
    ($($t:ty),*) => {$(
        impl Redact for $t {
            #[inline]
            fn redact(&self, out: Out<'_>) { self.get().redact(out) }
        }
    )*};
}
non_zero!(
    NonZeroU8,
    NonZeroU16,
    NonZeroU32,
    NonZeroU64,
    NonZeroU128,
    NonZeroUsize,
    NonZeroI8,
    NonZeroI16,
    NonZeroI32,
    NonZeroI64,
    NonZeroI128,
    NonZeroIsize
);

impl<T: Redact> Redact for Wrapping<T> {
    fn redact(&self, out: Out<'_>) {
        self.0.redact(out)
    }
}

/// Writes a map's entries; keys pass the sensitive-key policy.
fn map<'i, K: AsRef<str> + 'i, V: Redact + 'i>(
    entries: impl ExactSizeIterator<Item = (&'i K, &'i V)>,
    out: Out<'_>,
) {
    let mut object = out.object();
    for (k, v) in entries {
        object.entry(k.as_ref(), v);
    }
}

impl<K: AsRef<str>, V: Redact, S> Redact for HashMap<K, V, S> {
    fn redact(&self, out: Out<'_>) {
        map(self.iter(), out)
    }
}

impl<K: AsRef<str>, V: Redact> Redact for BTreeMap<K, V> {
    fn redact(&self, out: Out<'_>) {
        map(self.iter(), out)
    }
}

macro_rules! tuple {
    ($(($($n:tt $t:ident),+))*) => {$(
        impl<$($t: Redact),+> Redact for ($($t,)+) {
            fn redact(&self, out: Out<'_>) {
                let mut array = out.array();
                $(array.item(&self.$n);)+
            }
        }
    )*};
}
tuple! {
    (0 A)
    (0 A, 1 B)
    (0 A, 1 B, 2 C)
    (0 A, 1 B, 2 C, 3 D)
    (0 A, 1 B, 2 C, 3 D, 4 E)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L)
}

macro_rules! display {
    ($($t:ty),*) => {$(
        impl Redact for $t {
            fn redact(&self, out: Out<'_>) { out.display(self) }
        }
    )*};
}
display!(
    IpAddr,
    Ipv4Addr,
    Ipv6Addr,
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6
);

impl Redact for Duration {
    fn redact(&self, out: Out<'_>) {
        out.u64(u64::try_from(self.as_nanos()).unwrap_or(u64::MAX))
    }
}

impl Redact for SystemTime {
    fn redact(&self, out: Out<'_>) {
        out.display(&humantime::format_rfc3339_micros(*self))
    }
}

impl Redact for serde_json::Value {
    fn redact(&self, out: Out<'_>) {
        use serde_json::Value;
        match self {
            Value::Null => out.null(),
            Value::Bool(b) => out.bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    out.u64(u)
                } else if let Some(i) = n.as_i64() {
                    out.i64(i)
                } else {
                    out.serialize(n)
                }
            }
            Value::String(s) => out.str(s),
            Value::Array(items) => seq(items.iter(), out),
            Value::Object(members) => members.redact(out),
        }
    }
}

/// Each member through the sensitive-key policy; in a JSON Web Key (an
/// object with a `kty` member), its private members too, whose names (`d`,
/// `k`, …) say nothing elsewhere.
impl Redact for serde_json::Map<String, serde_json::Value> {
    fn redact(&self, out: Out<'_>) {
        let mut object = out.object();
        for (k, v) in self {
            if super::policy::is_jwk_private_member(k.as_bytes()) && self.contains_key("kty") {
                object.entry_judged(k, true, |out| v.redact(out));
            } else {
                object.entry(k, v);
            }
        }
    }
}
