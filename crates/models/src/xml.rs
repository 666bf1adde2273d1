//! Reading the XML of callback events: [`EventError`], and the serde plumbing the generated
//! `event` module uses (quick-xml's serde support, with the rules of the reference, §3.6).
//!
//! The rules, in one place:
//!
//! - the reader trims the whitespace and newlines around text (pretty-printed XML), and keeps
//!   CDATA content as sent; text and CDATA read the same;
//! - an integer element reads from its text (`<SpTime> 1668557075 </SpTime>`); an **empty**
//!   integer or status element (`<SpTime></SpTime>`, `<SpTime/>`) counts as **absent**: a
//!   required integer reads as 0 (WeCom's own "not yet" value for times), an optional one as
//!   `None`, a required status is an error (it has no default) and an optional one `None`;
//! - statuses are the JSON API's open enums, read from the element's text (an unknown value
//!   keeps its code);
//! - a wrapped list (`<Items><Item>…</Item></Items>`) reads the wrapper's children of the item
//!   name; an absent or empty wrapper is an empty list;
//! - elements this SDK does not know are skipped at every level.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Why the XML of a callback event could not be read. The message names the event and the
/// element (`ApprovalInfo.SpRecord[0].Details[1].SpTime`), never the whole payload.
///
/// ```
/// use wecom_models::event::{Event, EventError};
///
/// let err = Event::from_xml("<xml><ToUserName>ww1</ToUserName>").unwrap_err();
/// assert!(matches!(err, EventError::Malformed { .. }), "{err}");
///
/// let xml = "<xml><Event>sys_approval_change</Event><ApprovalInfo><SpStatus>1</SpStatus>\
///            <StatuChangeEvent>1</StatuChangeEvent><ApplyTime>soon</ApplyTime></ApprovalInfo></xml>";
/// let err = Event::from_xml(xml).unwrap_err();
/// assert_eq!(err.path(), Some("ApprovalInfo.ApplyTime"));
/// assert_eq!(
///     err.to_string(),
///     "callback event `sys_approval_change`: element `ApprovalInfo.ApplyTime`: \
///      invalid value: string \"soon\", expected an integer"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The text is not well-formed XML, or holds no root element.
    #[error("callback event is not well-formed XML: {message}")]
    Malformed {
        /// What the XML reader found.
        message: String,
    },
    /// Well-formed XML with an element whose content its type cannot hold (a time that is not
    /// a number, a required status that is missing, …).
    #[error("callback event {}: {}{message}", label(event), at(path))]
    Element {
        /// The `Event` value; empty while the header is read.
        event: String,
        /// Where: element names from the root's children down, with list indexes; empty for
        /// the root itself (a missing child).
        path: String,
        /// What is wrong.
        message: String,
    },
}

fn label(event: &str) -> String {
    if event.is_empty() { "header".to_owned() } else { format!("`{event}`") }
}

fn at(path: &str) -> String {
    if path.is_empty() { String::new() } else { format!("element `{path}`: ") }
}

impl EventError {
    /// The element at fault, for [`EventError::Element`].
    pub fn path(&self) -> Option<&str> {
        match self {
            EventError::Element { path, .. } => Some(path),
            EventError::Malformed { .. } => None,
        }
    }
}

/// Plumbing for the generated `event` module. Not a stable API.
#[doc(hidden)]
pub mod private {
    use super::*;

    /// Decodes `xml` (the root element's children) into `T`. `event` names the event in
    /// errors (empty for the header).
    pub fn decode<T: DeserializeOwned>(xml: &str, event: &str) -> Result<T, EventError> {
        let mut reader = quick_xml::NsReader::from_str(xml);
        reader.config_mut().trim_text(true);
        let mut de = quick_xml::de::Deserializer::borrowing(reader);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let at_root = e.path().iter().next().is_none();
            let path = if at_root { String::new() } else { e.path().to_string() };
            match e.into_inner() {
                // At the root, a type error means the document is text, not an element.
                quick_xml::DeError::Custom(message) if !(at_root && message.starts_with("invalid type")) => {
                    EventError::Element { event: event.to_owned(), path, message }
                }
                other => EventError::Malformed { message: other.to_string() },
            }
        })
    }

    /// What a leaf element (or a JSON scalar) held.
    pub enum Leaf {
        Int(i128),
        Text(String),
        Empty,
    }

    struct LeafVisitor;

    impl<'de> Visitor<'de> for LeafVisitor {
        type Value = Leaf;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer, or an element holding text")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Leaf, E> {
            Ok(Leaf::Int(v.into()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Leaf, E> {
            Ok(Leaf::Int(v.into()))
        }
        fn visit_i128<E: de::Error>(self, v: i128) -> Result<Leaf, E> {
            Ok(Leaf::Int(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Leaf, E> {
            Ok(text(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Leaf, E> {
            Ok(text(v))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Leaf, E> {
            Ok(Leaf::Empty)
        }
        fn visit_none<E: de::Error>(self) -> Result<Leaf, E> {
            Ok(Leaf::Empty)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Leaf, D::Error> {
            d.deserialize_any(self)
        }
        /// An XML reader presents an element's text as a map entry `$text` (quick-xml) or
        /// `$value`; attributes (`@…`) are skipped; a child element is an error.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Leaf, A::Error> {
            let mut out = String::new();
            while let Some(key) = map.next_key::<String>()? {
                if key == "$text" || key == "$value" {
                    out.push_str(&map.next_value::<String>()?);
                } else if key.starts_with('@') {
                    map.next_value::<IgnoredAny>()?;
                } else {
                    return Err(de::Error::custom(format!("expected text, found the element <{key}>")));
                }
            }
            Ok(text(out))
        }
    }

    fn text(s: String) -> Leaf {
        if s.trim().is_empty() { Leaf::Empty } else { Leaf::Text(s) }
    }

    /// Reads a leaf through `deserialize_any`: JSON numbers and strings, XML text.
    pub fn leaf<'de, D: Deserializer<'de>>(d: D) -> Result<Leaf, D::Error> {
        d.deserialize_any(LeafVisitor)
    }

    /// The integer in a leaf; `None` when empty.
    fn int_of<T: TryFrom<i128>, E: de::Error>(leaf: Leaf) -> Result<Option<T>, E> {
        let value = match leaf {
            Leaf::Empty => return Ok(None),
            Leaf::Int(i) => i,
            Leaf::Text(s) => {
                s.trim().parse::<i128>().map_err(|_| E::invalid_value(de::Unexpected::Str(&s), &"an integer"))?
            }
        };
        T::try_from(value)
            .map(Some)
            .map_err(|_| E::custom(format!("{value} is out of range for {}", std::any::type_name::<T>())))
    }

    /// A required integer element: empty or absent (with `#[serde(default)]`) reads as 0.
    pub fn int<'de, D: Deserializer<'de>, T: TryFrom<i128> + Default>(d: D) -> Result<T, D::Error> {
        Ok(int_of(leaf(d)?)?.unwrap_or_default())
    }

    /// An optional integer element: empty reads as `None`.
    pub fn opt_int<'de, D: Deserializer<'de>, T: TryFrom<i128>>(d: D) -> Result<Option<T>, D::Error> {
        int_of(leaf(d)?)
    }

    /// A required open int enum: empty is an error (a status has no default).
    pub fn code<'de, D: Deserializer<'de>, T: From<i64>>(d: D) -> Result<T, D::Error> {
        match int_of::<i64, D::Error>(leaf(d)?)? {
            Some(code) => Ok(T::from(code)),
            None => Err(de::Error::custom("empty element: expected a status code")),
        }
    }

    /// An optional open int enum: empty reads as `None`.
    pub fn opt_code<'de, D: Deserializer<'de>, T: From<i64>>(d: D) -> Result<Option<T>, D::Error> {
        Ok(int_of::<i64, D::Error>(leaf(d)?)?.map(T::from))
    }

    fn string_of(leaf: Leaf) -> Option<String> {
        match leaf {
            Leaf::Empty => None,
            Leaf::Int(i) => Some(i.to_string()),
            Leaf::Text(s) => Some(s),
        }
    }

    /// A required open string enum: empty is an error.
    pub fn text_enum<'de, D: Deserializer<'de>, T: From<String>>(d: D) -> Result<T, D::Error> {
        string_of(leaf(d)?).map(T::from).ok_or_else(|| de::Error::custom("empty element: expected a value"))
    }

    /// An optional open string enum: empty reads as `None`.
    pub fn opt_text_enum<'de, D: Deserializer<'de>, T: From<String>>(d: D) -> Result<Option<T>, D::Error> {
        Ok(string_of(leaf(d)?).map(T::from))
    }

    /// A wrapped list: the wrapper's children named `items` (others skipped), in order. An
    /// empty wrapper is an empty list; a JSON array is read as the list.
    pub fn wrapped<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
        items: &'static [&'static str],
    ) -> Result<Vec<T>, D::Error> {
        struct V<T>(&'static [&'static str], PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "an element holding <{}> elements", self.0.join("> or <"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if self.0.contains(&key.as_str()) {
                        out.push(map.next_value()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(out)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                Ok(out)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
                if v.trim().is_empty() { Ok(Vec::new()) } else { Err(E::invalid_type(de::Unexpected::Str(v), &self)) }
            }
            fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
                Ok(Vec::new())
            }
        }
        d.deserialize_any(V(items, PhantomData))
    }
}
