//! Handwritten value types and serde helpers that the generated models use.
//!
//! The public types here ([`NumberString`], [`JsonString`], [`Secret`]) are re-exported at the
//! crate root; the serde helpers are `#[doc(hidden)]` plumbing for generated code.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, Visitor};
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
            struct V;
            impl Visitor<'_> for V {
                type Value = u64;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an unsigned integer in a string")
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
                    Ok(v)
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
                    u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
                    v.trim().parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
            deserializer.deserialize_any(V)
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
            #[derive(Deserialize)]
            struct W(#[serde(with = "super::int_string")] u64);
            Option::<W>::deserialize(deserializer).map(|o| o.map(|w| w.0))
        }
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
