//! Handwritten value types and serde helpers that the generated models use.
//!
//! The public types here ([`NumberString`], [`JsonString`], [`Secret`]) are re-exported at the
//! crate root; the serde helpers are `#[doc(hidden)]` plumbing for generated code.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// A number that the wire carries inside a JSON string, such as `new_money: "700.50"` or
/// `latitude: "30.547239"`.
///
/// The text is kept exactly as WeCom sent it, so money never passes through a float on its way
/// through the SDK. Parse it when you need a number:
///
/// ```
/// use wecom_models::NumberString;
/// let money = NumberString::from("1234.50");
/// assert_eq!(money.as_str(), "1234.50");
/// assert_eq!(money.to_fixed(2), Some(123450)); // cents, exact
/// assert_eq!(money.parse::<f64>().ok(), Some(1234.5));
/// ```
///
/// A bare JSON number is accepted too (its text is kept); it is written back as a string.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NumberString(String);

impl NumberString {
    /// The text as WeCom sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the text (`i64`, `u64`, `f64`, a decimal type of your choice, …).
    pub fn parse<T: FromStr>(&self) -> Result<T, T::Err> {
        self.0.trim().parse()
    }

    /// The value scaled by `10^scale` as an exact integer (`"12.3"` with scale 2 is `1230`).
    /// `None` when the text is not a plain decimal, has more fractional digits than `scale`,
    /// or overflows.
    pub fn to_fixed(&self, scale: u32) -> Option<i128> {
        let s = self.0.trim();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > scale as usize {
            return None;
        }
        let mut value: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            value = value.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        for _ in frac.len()..scale as usize {
            value = value.checked_mul(10)?;
        }
        Some(if neg { -value } else { value })
    }

    /// True when the text is empty (WeCom sends `""` for an unfilled number).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The owned text.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for NumberString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for NumberString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for NumberString {
    fn from(s: &str) -> Self {
        NumberString(s.to_owned())
    }
}

impl From<String> for NumberString {
    fn from(s: String) -> Self {
        NumberString(s)
    }
}

impl Serialize for NumberString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NumberString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumberString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number carried in a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NumberString, E> {
                Ok(NumberString(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<NumberString, E> {
                Ok(NumberString(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumberString, E> {
                Ok(NumberString(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumberString, E> {
                Ok(NumberString(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumberString, E> {
                Ok(NumberString(v.to_string()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A JSON string whose content is itself JSON (legacy `comm.apply_data`).
///
/// The string is kept as sent; [`JsonString::parse`] decodes its content.
///
/// ```
/// use wecom_models::JsonString;
/// let s = JsonString::from(r#"{"a":1}"#);
/// let v: serde_json::Value = s.parse().unwrap();
/// assert_eq!(v["a"], 1);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonString(String);

impl JsonString {
    /// The raw string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Decodes the JSON held in the string.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// The owned raw string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for JsonString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl From<&str> for JsonString {
    fn from(s: &str) -> Self {
        JsonString(s.to_owned())
    }
}

impl From<String> for JsonString {
    fn from(s: String) -> Self {
        JsonString(s)
    }
}

/// A secret string (corp secret, `access_token`, download cookie).
///
/// It serializes as the plain string (the wire needs it) but never shows in `Debug`, and it has
/// no `Display`: read it on purpose with [`Secret::expose`].
///
/// ```
/// use wecom_models::Secret;
/// let s = Secret::from("s3cr3t");
/// assert_eq!(format!("{s:?}"), "Secret(\"<redacted>\")");
/// assert_eq!(s.expose(), "s3cr3t");
/// ```
//
// Our own small type rather than `secrecy::SecretString`: ours must serialize as the plain
// string for request bodies and query strings, which `secrecy` deliberately refuses for `str`.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The secret text. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Length in bytes (safe to show: it is not the secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"<redacted>\")")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

/// Plumbing for generated code. Not a stable API.
#[doc(hidden)]
pub mod __private {
    use super::*;
    use crate::unknown::{UnknownCode, UnknownKind, UnknownValue};

    /// Wraps an integer no variant claims (generated `from_code`).
    pub const fn unknown_code(code: i64) -> UnknownCode {
        UnknownCode(code)
    }

    /// The integer inside (generated `code()`).
    pub const fn unknown_code_value(code: UnknownCode) -> i64 {
        code.0
    }

    /// Wraps a string no variant claims (generated `from_wire`).
    pub fn unknown_value(value: String) -> UnknownValue {
        UnknownValue(value)
    }

    /// The string inside (generated `as_str()`).
    pub fn unknown_value_str(value: &UnknownValue) -> &str {
        &value.0
    }

    /// Keeps the tag and payload of a union kind no variant claims.
    pub fn unknown_kind(tag: String, value: serde_json::Value) -> UnknownKind {
        UnknownKind { tag, value }
    }

    /// The tag inside (generated `tag()`).
    pub fn unknown_kind_tag(kind: &UnknownKind) -> &str {
        &kind.tag
    }

    /// The payload inside (generated `unknown_payload()` and `Serialize`).
    pub fn unknown_kind_value(kind: &UnknownKind) -> &serde_json::Value {
        &kind.value
    }

    pub use crate::xml::private as xml;

    /// Reads the integer of an open int enum: a JSON number, a numeric JSON string, or the
    /// text of an XML element (quick-xml hands an element to `deserialize_any` as a map
    /// holding `$text`), so the same enum reads from the JSON API and from callback XML.
    pub fn deserialize_lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        xml::code::<D, i64>(deserializer)
    }

    /// `#[serde(with)]` for a `u64` that the wire carries as a string (`"1569546000"`).
    /// Numbers are accepted when reading too.
    pub mod int_string {
        use super::*;

        pub fn serialize<S: Serializer>(v: &u64, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(v)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
            IntStringIn::deserialize(deserializer).map(|i| i.value)
        }
    }

    /// `#[serde(with)]` for an optional [`int_string`].
    pub mod opt_int_string {
        use super::*;

        pub fn serialize<S: Serializer>(v: &Option<u64>, serializer: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => serializer.collect_str(v),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
            Option::<IntStringIn>::deserialize(deserializer).map(|o| o.map(|i| i.value))
        }
    }

    /// `#[serde(with)]` for an `int_or_string` in a request: read in either form, written as a
    /// number.
    pub mod int_or_string {
        use super::*;

        pub fn serialize<S: Serializer>(v: &u64, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_u64(*v)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
            IntOrStringIn::deserialize(deserializer).map(|i| i.value)
        }
    }

    /// `#[serde(with)]` for an optional [`int_or_string`].
    pub mod opt_int_or_string {
        use super::*;

        pub fn serialize<S: Serializer>(v: &Option<u64>, serializer: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => serializer.serialize_u64(*v),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
            Option::<IntOrStringIn>::deserialize(deserializer).map(|o| o.map(|i| i.value))
        }
    }

    /// An integer read from the wire, and whether it came in the scalar's other spelling (a
    /// number for `int_string`, a string for `int_or_string`).
    pub trait IntForm {
        /// The value.
        fn value(&self) -> u64;
        /// True when the wire used the spelling that is not the scalar's usual one.
        fn alt(&self) -> bool;
    }

    /// An `int_string` as read: a string of digits (trimmed) or a non-negative number.
    pub struct IntStringIn {
        value: u64,
        quoted: bool,
    }

    impl IntForm for IntStringIn {
        fn value(&self) -> u64 {
            self.value
        }
        fn alt(&self) -> bool {
            !self.quoted
        }
    }

    impl<'de> Deserialize<'de> for IntStringIn {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = IntStringIn;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an unsigned integer in a string")
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntStringIn, E> {
                    Ok(IntStringIn { value: v, quoted: false })
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntStringIn, E> {
                    u64::try_from(v)
                        .map(|value| IntStringIn { value, quoted: false })
                        .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<IntStringIn, E> {
                    v.trim()
                        .parse()
                        .map(|value| IntStringIn { value, quoted: true })
                        .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
            deserializer.deserialize_any(V)
        }
    }

    /// An `int_or_string` as read: a non-negative JSON integer, or a string of ASCII digits.
    /// Nothing else: no sign, no spaces, no fraction or exponent, nothing that needs a float.
    pub struct IntOrStringIn {
        value: u64,
        quoted: bool,
    }

    impl IntForm for IntOrStringIn {
        fn value(&self) -> u64 {
            self.value
        }
        fn alt(&self) -> bool {
            self.quoted
        }
    }

    const INT_OR_STRING: &str = "an unsigned integer (a JSON number or a string of digits)";

    impl<'de> Deserialize<'de> for IntOrStringIn {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = IntOrStringIn;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(INT_OR_STRING)
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrStringIn, E> {
                    Ok(IntOrStringIn { value: v, quoted: false })
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrStringIn, E> {
                    u64::try_from(v)
                        .map(|value| IntOrStringIn { value, quoted: false })
                        .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<IntOrStringIn, E> {
                    Err(E::invalid_type(de::Unexpected::Float(v), &self))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrStringIn, E> {
                    let digits = !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
                    match v.parse::<u64>() {
                        Ok(value) if digits => Ok(IntOrStringIn { value, quoted: true }),
                        _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                    }
                }
            }
            deserializer.deserialize_any(V)
        }
    }

    /// An integer to write in a given spelling.
    #[derive(Clone, Copy, Default)]
    pub struct IntOut {
        value: u64,
        quoted: bool,
    }

    impl IntOut {
        pub fn new(value: u64, quoted: bool) -> Self {
            IntOut { value, quoted }
        }
    }

    /// Compares values only (the spelling is not part of the value).
    impl PartialEq for IntOut {
        fn eq(&self, other: &Self) -> bool {
            self.value == other.value
        }
    }

    impl Serialize for IntOut {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            if self.quoted { serializer.collect_str(&self.value) } else { serializer.serialize_u64(self.value) }
        }
    }

    /// Whether a padding key of a union payload came as `[]` (anything else is not padding).
    pub struct PaddingProbe(bool);

    impl<'de> Deserialize<'de> for PaddingProbe {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = PaddingProbe;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("any value")
                }
                fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<PaddingProbe, A::Error> {
                    let mut empty = true;
                    while seq.next_element::<de::IgnoredAny>()?.is_some() {
                        empty = false;
                    }
                    Ok(PaddingProbe(empty))
                }
                fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<PaddingProbe, A::Error> {
                    while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                    Ok(PaddingProbe(false))
                }
                fn visit_bool<E: de::Error>(self, _: bool) -> Result<PaddingProbe, E> {
                    Ok(PaddingProbe(false))
                }
                fn visit_i64<E: de::Error>(self, _: i64) -> Result<PaddingProbe, E> {
                    Ok(PaddingProbe(false))
                }
                fn visit_u64<E: de::Error>(self, _: u64) -> Result<PaddingProbe, E> {
                    Ok(PaddingProbe(false))
                }
                fn visit_f64<E: de::Error>(self, _: f64) -> Result<PaddingProbe, E> {
                    Ok(PaddingProbe(false))
                }
                fn visit_str<E: de::Error>(self, _: &str) -> Result<PaddingProbe, E> {
                    Ok(PaddingProbe(false))
                }
                fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<PaddingProbe, E> {
                    Ok(PaddingProbe(false))
                }
                fn visit_unit<E: de::Error>(self) -> Result<PaddingProbe, E> {
                    Ok(PaddingProbe(false))
                }
                fn visit_none<E: de::Error>(self) -> Result<PaddingProbe, E> {
                    Ok(PaddingProbe(false))
                }
                fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<PaddingProbe, D::Error> {
                    de::IgnoredAny::deserialize(d).map(|_| PaddingProbe(false))
                }
            }
            deserializer.deserialize_any(V)
        }
    }

    /// How the wire spelled a struct's fields where the value alone cannot say: a field that was
    /// absent (read as its default), `null`, an explicit `[]`, padding keys, and integers in
    /// their other spelling. Generated `Serialize` impls read it so a decoded value is written
    /// back as it came: nothing added, nothing dropped.
    ///
    /// Bit `i` is field `i` of the struct (in spec order), then its padding keys. A value built
    /// in code has no marks and is written in the usual spelling. Never part of equality.
    #[derive(Clone, Copy, Default)]
    pub struct Wire {
        /// Required fields read leniently that were absent.
        absent: u32,
        /// Lists and padding keys that were present (so an empty one was `[]`).
        sent: u32,
        /// Fields that were `null`.
        null: u32,
        /// Integers in their other spelling.
        form: u32,
        /// Fields that came under an alias.
        alias: u32,
    }

    /// Largest number of fields plus padding keys a struct may have (bits of [`Wire`]).
    pub const WIRE_BITS: usize = 32;

    impl PartialEq for Wire {
        fn eq(&self, _: &Self) -> bool {
            true
        }
    }

    impl fmt::Debug for Wire {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("Wire")
        }
    }

    const fn bit(i: u32) -> u32 {
        1 << i
    }

    impl Wire {
        /// Was required field `i` absent?
        pub fn is_absent(&self, i: u32) -> bool {
            self.absent & bit(i) != 0
        }
        /// Was list or padding key `i` present?
        pub fn is_sent(&self, i: u32) -> bool {
            self.sent & bit(i) != 0
        }
        /// Was field `i` `null`?
        pub fn is_null(&self, i: u32) -> bool {
            self.null & bit(i) != 0
        }
        /// Did field `i` come under its (first) alias?
        pub fn aliased(&self, i: u32) -> bool {
            self.alias & bit(i) != 0
        }
        /// Should integer field `i` be written as a string? `usual` is its scalar's usual spelling.
        pub fn quoted(&self, i: u32, usual: bool) -> bool {
            usual != (self.form & bit(i) != 0)
        }

        fn null_if(&mut self, i: u32, null: bool) {
            if null {
                self.null |= bit(i);
            } else {
                self.null &= !bit(i);
            }
        }

        /// Field `i` came under its (first) alias.
        pub fn mark_alias(&mut self, i: u32) {
            self.alias |= bit(i);
        }

        /// An optional field was read.
        pub fn opt<T>(&mut self, i: u32, v: Option<T>) -> Option<T> {
            self.null_if(i, v.is_none());
            v
        }

        /// A leniently read required field was read (`None`: it was `null`).
        pub fn lenient<T>(&mut self, i: u32, v: Option<T>) -> Option<T> {
            self.null_if(i, v.is_none());
            v
        }

        /// A list was read (`None`: it was `null`).
        pub fn list<T>(&mut self, i: u32, v: Option<Vec<T>>) -> Option<Vec<T>> {
            self.null_if(i, v.is_none());
            if v.is_some() {
                self.sent |= bit(i);
            }
            v
        }

        /// An integer was read.
        pub fn int<I: IntForm>(&mut self, i: u32, v: I) -> u64 {
            if v.alt() {
                self.form |= bit(i);
            } else {
                self.form &= !bit(i);
            }
            v.value()
        }

        /// An optional integer was read.
        pub fn opt_int<I: IntForm>(&mut self, i: u32, v: Option<I>) -> Option<u64> {
            self.null_if(i, v.is_none());
            v.map(|v| self.int(i, v))
        }

        /// Field `i` was absent (and read as its default).
        pub fn mark_absent(&mut self, i: u32) {
            self.absent |= bit(i);
        }

        /// A padding key was read.
        pub fn padding(&mut self, i: u32, p: PaddingProbe) {
            if p.0 {
                self.sent |= bit(i);
            }
        }

        /// The value of a leniently read required field once the object is read: its default
        /// when it was absent or `null`.
        pub fn or_default<T: Default>(&mut self, i: u32, v: Option<T>) -> T {
            match v {
                Some(v) => v,
                None => {
                    if !self.is_null(i) {
                        self.absent |= bit(i);
                    }
                    T::default()
                }
            }
        }
    }

    /// Writes a leniently read required field, unless it was absent (or `null`) and is still
    /// its default.
    pub fn ser_lenient<M: SerializeMap, T: Serialize + Default + PartialEq>(
        map: &mut M,
        key: &'static str,
        v: &T,
        w: &Wire,
        i: u32,
    ) -> Result<(), M::Error> {
        let untouched = *v == T::default();
        if untouched && w.is_absent(i) {
            Ok(())
        } else if untouched && w.is_null(i) {
            map.serialize_entry(key, &())
        } else {
            map.serialize_entry(key, v)
        }
    }

    /// Writes an optional field: the value, `null` when it came as `null`, else nothing.
    pub fn ser_opt<M: SerializeMap, T: Serialize>(
        map: &mut M,
        key: &'static str,
        v: Option<&T>,
        w: &Wire,
        i: u32,
    ) -> Result<(), M::Error> {
        match v {
            Some(v) => map.serialize_entry(key, v),
            None if w.is_null(i) => map.serialize_entry(key, &()),
            None => Ok(()),
        }
    }

    /// Writes a list: its items; `[]` or `null` when it came so; nothing when it was absent
    /// (or built empty in code).
    pub fn ser_list<M: SerializeMap, T: Serialize>(
        map: &mut M,
        key: &'static str,
        v: &[T],
        w: &Wire,
        i: u32,
    ) -> Result<(), M::Error> {
        if !v.is_empty() || w.is_sent(i) {
            map.serialize_entry(key, v)
        } else if w.is_null(i) {
            map.serialize_entry(key, &())
        } else {
            Ok(())
        }
    }

    /// Writes a padding key back as `[]` when it came.
    pub fn ser_padding<M: SerializeMap>(map: &mut M, key: &'static str, w: &Wire, i: u32) -> Result<(), M::Error> {
        if w.is_sent(i) { map.serialize_entry(key, &[] as &[()]) } else { Ok(()) }
    }

    /// The payload enum of a tagged union (`control` + `value`).
    pub trait TaggedContent: Sized {
        /// Reads the payload of the kind named by `tag`; an unknown tag keeps the raw JSON.
        fn deserialize_content<'de, D: Deserializer<'de>>(tag: &str, deserializer: D) -> Result<Self, D::Error>;
        /// Writes the payload.
        fn serialize_content<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
    }

    /// Reads a payload once its tag is known.
    pub struct ContentSeed<'a, T> {
        tag: &'a str,
        marker: PhantomData<T>,
    }

    impl<'a, T> ContentSeed<'a, T> {
        pub fn new(tag: &'a str) -> Self {
            ContentSeed { tag, marker: PhantomData }
        }
    }

    impl<'de, T: TaggedContent> DeserializeSeed<'de> for ContentSeed<'_, T> {
        type Value = T;
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
            T::deserialize_content(self.tag, deserializer)
        }
    }

    /// Reads a payload that came before its tag (buffered) or did not come at all (`{}`).
    pub fn content_from_value<T: TaggedContent, E: de::Error>(
        tag: &str,
        raw: Option<serde_json::Value>,
    ) -> Result<T, E> {
        let raw = raw.unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
        T::deserialize_content(tag, raw).map_err(E::custom)
    }

    /// Writes a payload.
    pub struct ContentRef<'a, T>(pub &'a T);

    impl<T: TaggedContent> Serialize for ContentRef<'_, T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            self.0.serialize_content(serializer)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_string_keeps_text_and_fixed_point_is_exact() {
        let n: NumberString = serde_json::from_str("\"0.10\"").unwrap();
        assert_eq!(n.as_str(), "0.10");
        assert_eq!(n.to_fixed(2), Some(10));
        assert_eq!(NumberString::from("-12.5").to_fixed(2), Some(-1250));
        assert_eq!(NumberString::from("1.005").to_fixed(2), None);
        assert_eq!(NumberString::from("abc").to_fixed(2), None);
        assert_eq!(NumberString::from("").to_fixed(2), None);
        assert_eq!(NumberString::from("99999999999999999999999.99").to_fixed(2), Some(9999999999999999999999999));
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"0.10\"");
        let from_number: NumberString = serde_json::from_str("700").unwrap();
        assert_eq!(from_number.as_str(), "700");
    }

    #[test]
    fn secret_is_redacted_in_debug() {
        let s = Secret::from("topsecret");
        assert!(!format!("{s:?}").contains("topsecret"));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"topsecret\"");
    }

    #[test]
    fn int_string_reads_both_forms() {
        #[derive(Serialize, Deserialize)]
        struct T(#[serde(with = "__private::int_string")] u64);
        assert_eq!(serde_json::from_str::<T>("\"1569546000\"").unwrap().0, 1569546000);
        assert_eq!(serde_json::from_str::<T>("1569546000").unwrap().0, 1569546000);
        assert!(serde_json::from_str::<T>("\"x\"").is_err());
        assert!(serde_json::from_str::<T>("-1").is_err());
        assert_eq!(serde_json::to_string(&T(5)).unwrap(), "\"5\"");
    }
}
