//! Every way a spec can be wrong: one variant per error branch of the checker.
//!
//! Each variant is constructed at exactly one place in `check/`, so a variant is a branch. The
//! spec-error tests (`tests/tests/spec_errors.rs`) hold a table of small bad specs and the
//! exact message each produces, and assert both that every variant declared here is reached by
//! some row and that each is constructed once: a new check cannot land without its test.

use std::fmt;
use std::path::PathBuf;

/// An error in a spec, naming the file, the item and (when it is about one) the field.
#[derive(Debug)]
pub struct SpecError {
    /// The spec file, relative to the workspace root.
    pub file: PathBuf,
    /// The item: ``struct `Row` ``, ``endpoint `list` request``, ``error 40014``, `family`.
    pub item: String,
    /// The field of the item, when the problem is one field's.
    pub field: Option<String>,
    /// What is wrong (boxed: errors stay small on the happy path's `Result`s).
    pub problem: Box<Problem>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.file.display(), self.item)?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.problem)
    }
}

impl std::error::Error for SpecError {}

/// What is wrong with a spec. The message is shown after the file, item and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    // Names (check/names.rs).
    #[error("`{name}` is not a snake_case module name")]
    FamilyName { name: String },
    #[error("family name `{name}` is taken by the generated error-code module")]
    FamilyReserved { name: String },
    #[error("family `{name}` is defined twice")]
    FamilyTwice { name: String },
    #[error("`{name}` is not an UpperCamelCase type name")]
    TypeName { name: String },
    #[error("duplicate type name `{name}` (also defined in family `{other}`)")]
    DuplicateType { name: String, other: String },
    #[error("the name must be snake_case")]
    EndpointName,
    #[error("repr `{repr}` is not `int` or `string`")]
    EnumRepr { repr: String },

    // Fields (check/fields.rs).
    #[error("duplicate field")]
    DuplicateField,
    #[error("`{name}` is not usable as a Rust field name")]
    FieldRustName { name: String },
    #[error("duplicate Rust name `{name}`")]
    DuplicateRustName { name: String },
    #[error("`{ty}` is not a type (expected {expected}, list<T> or a type name)")]
    TypeSyntax { ty: String, expected: String },
    #[error("unknown type `{name}`")]
    UnknownType { name: String },
    #[error("lists of lists are not supported")]
    ListOfLists,
    #[error("lists of int_string are not supported")]
    ListOfIntString,
    #[error("lists of int_or_string are not supported")]
    ListOfIntOrString,
    #[error("max_bytes applies to strings only")]
    MaxBytesNotText,
    #[error("max_bytes must be at least 1")]
    MaxBytesZero,
    #[error("min/max apply to integers only")]
    MinMaxNotInteger,
    #[error("min {min} is greater than max {max}")]
    MinAboveMax { min: i64, max: i64 },
    #[error("unique_key applies to lists of structs")]
    UniqueKeyNotStructList,
    #[error("unique_key `{key}` is not a field of `{ty}`")]
    UniqueKeyMissing { key: String, ty: String },
    #[error("unique_key `{key}` must be a required string or string enum field of `{ty}`")]
    UniqueKeyType { key: String, ty: String },
    #[error("repeatable needs unique_key")]
    RepeatableWithoutKey,
    #[error("default {value} does not fit type `{ty}`")]
    DefaultType { value: String, ty: String },
    #[error("a default only makes sense on a required field")]
    DefaultOnOptional,
    #[error("default {value} is outside min/max")]
    DefaultOutOfRange { value: i64 },

    // Enums, and the variant names of unions and error codes (check/enums.rs).
    #[error("an enum needs at least one variant")]
    EnumEmpty,
    #[error("`{name}` is not a usable UpperCamelCase variant name (`Unknown` is reserved)")]
    VariantName { name: String },
    #[error("duplicate variant `{name}`")]
    DuplicateVariant { name: String },
    #[error("variant `{name}`: value {value} does not match repr `{repr}`")]
    VariantValue { name: String, value: String, repr: String },
    #[error("variant `{name}`: duplicate value {value}")]
    DuplicateValue { name: String, value: String },

    // Unions (check/unions.rs).
    #[error("duplicate tag `{tag}`")]
    DuplicateTag { tag: String },
    #[error("variant `{tag}`: unknown type `{ty}`")]
    PayloadUnknown { tag: String, ty: String },
    #[error("variant `{tag}`: payload `{ty}` is not a struct")]
    PayloadNotStruct { tag: String, ty: String },
    #[error("int_string is not supported in unions")]
    UnionIntString,
    #[error("clashes with the tag or content key")]
    UnionKeyClash,
    #[error("content key `{name}` is not usable as a Rust field name")]
    ContentKeyName { name: String },
    #[error("content key `{name}` has the Rust name of another field")]
    ContentKeyClash { name: String },
    #[error("padding key `{key}` is listed twice")]
    PaddingTwice { key: String },
    #[error("{count} fields and padding keys; at most {max} are supported")]
    TooManyFields { count: usize, max: usize },

    // Endpoints (check/endpoints.rs).
    #[error("method `{method}` is not GET or POST")]
    Method { method: String },
    #[error("path `{path}` must start with /")]
    Path { path: String },
    #[error("rate_limit_per_minute must be at least 1")]
    RateLimitZero,
    #[error("errcode/errmsg are added to every response; do not declare them")]
    ErrcodeDeclared,
    #[error("{what} `{name}` is not a request field")]
    NotARequestField { what: &'static str, name: String },
    #[error("{what} `{name}` is not a response field")]
    NotAResponseField { what: &'static str, name: String },
    #[error("page.max must be at least 1")]
    PageMaxZero,
    #[error("page.field `{name}` must be a required u32")]
    PageFieldType { name: String },
    #[error("bad max_span `{span}`: expected e.g. \"31 days\" or \"1 month\"")]
    SpanSyntax { span: String },
    #[error("bad max_span `{span}`: `{count}` is not a count")]
    SpanCount { span: String, count: String },
    #[error("bad max_span `{span}`: the count must be at least 1")]
    SpanZero { span: String },
    #[error("bad max_span `{span}`: unit `{unit}` is not days, months or years")]
    SpanUnit { span: String, unit: String },
    #[error("window field `{name}` must be a required unsigned integer")]
    WindowFieldType { name: String },
    #[error("cursor style `{style}` is not offset, token or spnum")]
    CursorStyle { style: String },
    #[error("a cursor needs a [endpoint.page] section")]
    CursorWithoutPage,
    #[error("cursor.items `{name}` must be a list")]
    CursorItemsNotList { name: String },
    #[error("cursor.items element `{ty}` is not a struct")]
    CursorItemNotStruct { ty: String },
    #[error("cursor.item_key is required for struct items and not allowed for string items")]
    CursorItemKey,
    #[error("cursor.item_key `{key}` is not a field of `{ty}`")]
    CursorItemKeyMissing { key: String, ty: String },
    #[error("cursor.item_key `{key}` must be a required string, integer or enum field of `{ty}`")]
    CursorItemKeyType { key: String, ty: String },
    #[error("cursor style `{style}` needs cursor.{what}")]
    CursorNeeds { style: &'static str, what: &'static str },
    #[error("cursor.{what} is not used by style `{style}`")]
    CursorUnused { style: &'static str, what: &'static str },
    #[error(
        "cursor style `offset` needs a required integer request cursor with a default, a required \
         integer response cursor of the same type and a required integer end_flag"
    )]
    OffsetShape,
    #[error(
        "cursor style `token` needs a required string request cursor with a default and an optional \
         string response cursor"
    )]
    TokenShape,
    #[error(
        "cursor style `spnum` needs optional integer request and response cursors of the same type \
         and a required integer count"
    )]
    SpNumShape,
    #[error("error {code} is listed twice")]
    EndpointErrorTwice { code: i64 },
    #[error("error {code} is not in errors.toml")]
    EndpointErrorUnknown { code: i64 },

    // Callback events (check/events.rs).
    #[error("`{name}` is not an UpperCamelCase type name")]
    XmlTypeName { name: String },
    #[error("type name `{name}` is taken (also defined in family `{other}`)")]
    XmlTypeTaken { name: String, other: String },
    #[error("events need a [header] section declaring the elements every event carries")]
    EventsWithoutHeader,
    #[error("a [header] without [[event]]s")]
    HeaderWithoutEvents,
    #[error("header children must be single (one or optional) strings or integers")]
    HeaderChild,
    #[error("the header needs the element `Event` (type string, multiplicity one): it names the event")]
    HeaderWithoutEvent,
    #[error("`{name}` is not an Event value (ASCII letters, digits and _, starting with a letter)")]
    EventName { name: String },
    #[error("event `{name}` is defined twice")]
    DuplicateEvent { name: String },
    #[error("`{name}` is not an XML element name")]
    ElementName { name: String },
    #[error("element `{name}` is declared twice (names and aliases, header included)")]
    DuplicateElement { name: String },
    #[error("`{name}` is not usable as a Rust field name")]
    ChildRustName { name: String },
    #[error("duplicate Rust name `{name}`")]
    DuplicateChildRustName { name: String },
    #[error("multiplicity `{value}` is not one of {expected}")]
    Multiplicity { value: String, expected: String },
    #[error("a wrapped element needs `item`, the name of the children inside the wrapper")]
    WrappedWithoutItem,
    #[error("`item` applies to wrapped elements only")]
    ItemWithoutWrapper,
    #[error("`{ty}` is not an element type (expected {expected}, an enum or an [[element]] name)")]
    ElementTypeSyntax { ty: String, expected: String },
    #[error("unknown element type `{name}`")]
    UnknownElementType { name: String },
    #[error("`{name}` is a JSON struct or union; an element holds text, an enum or an [[element]]")]
    ElementTypeKind { name: String },
    #[error("element `{name}` contains itself through one/optional children (use a list)")]
    ElementCycle { name: String },

    // errors.toml (check/errors.rs).
    #[error("duplicate code")]
    DuplicateCode,
    #[error("unknown class `{class}` (expected one of {expected})")]
    ErrorClass { class: String, expected: String },
}
