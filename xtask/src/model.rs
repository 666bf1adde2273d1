//! The resolved model: what the emitters read, and all they read.
//!
//! [`crate::check`] builds it from the parsed TOML ([`crate::spec`]); every string of the spec
//! that carries meaning (a type, a method, a repr, a cursor style, a span, a field reference) is
//! parsed there, once, into the enums and ids below. Names are already checked Rust identifiers
//! ([`Ident`], raw where the name is a keyword). A reference is an id into one of the arenas of
//! [`Model`] (or a copy of the resolved [`Field`] it names), so an emitter never looks a name up
//! and has no "not found" case to paper over.
//!
//! Adding a kind of item means: a TOML section in `spec.rs`, an arena here (and a variant of
//! [`ItemRef`] when JSON fields may name it), a `check/<kind>.rs` that resolves it, and an
//! emitter that reads it. Callback events are the example: `[header]`, `[[element]]` and
//! `[[event]]` sections, the [`Element`] arena and [`Family::events`], `check/events.rs` and
//! `gen_events.rs`. Their element types are XML-only, so they have no [`ItemRef`]: a JSON
//! field cannot name one.

use std::fmt;
use std::path::PathBuf;

use proc_macro2::Ident;

/// A whole resolved spec.
#[derive(Debug)]
pub struct Model {
    /// Families sorted by module name.
    pub families: Vec<Family>,
    /// Every struct: named ones, and each endpoint's request and response.
    pub structs: Vec<Struct>,
    /// Every open enum.
    pub enums: Vec<Enum>,
    /// Every tagged union.
    pub unions: Vec<Union>,
    /// The global error codes (`errors.toml`), when the spec has them.
    pub errors: Option<ErrorTable>,
    /// Every XML element type of the callback events.
    pub elements: Vec<Element>,
}

/// Index of a struct in [`Model::structs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StructId(pub(crate) usize);

/// Index of an enum in [`Model::enums`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnumId(pub(crate) usize);

/// Index of an XML element type in [`Model::elements`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElementId(pub(crate) usize);

/// Index of a union in [`Model::unions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnionId(pub(crate) usize);

impl Model {
    /// The struct behind an id.
    pub fn strukt(&self, id: StructId) -> &Struct {
        &self.structs[id.0]
    }

    /// The enum behind an id.
    pub fn enumeration(&self, id: EnumId) -> &Enum {
        &self.enums[id.0]
    }

    /// The union behind an id.
    pub fn union(&self, id: UnionId) -> &Union {
        &self.unions[id.0]
    }

    /// The XML element type behind an id.
    pub fn element(&self, id: ElementId) -> &Element {
        &self.elements[id.0]
    }

    /// Every endpoint with its family, sorted by id (`family.name`).
    pub fn endpoints(&self) -> impl Iterator<Item = (&Family, &Endpoint)> {
        self.families.iter().flat_map(|f| f.endpoints.iter().map(move |e| (f, e)))
    }

    /// Named structs that sit inside a request (they get setters and a `Validate` impl).
    pub fn is_input(&self, id: StructId) -> bool {
        let s = self.strukt(id);
        s.request_side && s.role == Role::Named
    }
}

/// One `api-spec/<family>.toml`: a module of `wecom-models` (and of `wecom-endpoints` when it
/// has endpoints or request-side structs).
#[derive(Debug)]
pub struct Family {
    /// The module name (`approval`).
    pub module: Ident,
    /// Module documentation.
    pub doc: String,
    /// The spec file, relative to the workspace root (named in the `@generated` header).
    pub source: PathBuf,
    /// Named structs, in spec order.
    pub structs: Vec<StructId>,
    /// Enums, in spec order.
    pub enums: Vec<EnumId>,
    /// Unions, in spec order.
    pub unions: Vec<UnionId>,
    /// Endpoints, sorted by name.
    pub endpoints: Vec<Endpoint>,
    /// XML element types of the family's events, in spec order.
    pub elements: Vec<ElementId>,
    /// The family's callback events, when it declares any.
    pub events: Option<Events>,
}

/// Which kind of item a [`TypeRef`] names; the id says which one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef {
    Struct(StructId),
    IntEnum(EnumId),
    StringEnum(EnumId),
    /// The container struct of a union (`Control`).
    Union(UnionId),
    /// The payload enum of a union (`ControlValue`).
    UnionContent(UnionId),
}

/// A resolved reference to a named type.
#[derive(Debug, Clone)]
pub struct TypeRef {
    pub item: ItemRef,
    /// Module of the family that defines it.
    pub module: Ident,
    /// The Rust type name.
    pub name: Ident,
}

/// The built-in types of the spec format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    U32,
    U64,
    I32,
    I64,
    Bool,
    String,
    /// A number carried in a JSON string (`"700"`), kept as text.
    NumberString,
    /// An integer the wire carries as a string (`"1569546000"`), a `u64` in Rust.
    IntString,
    /// An unsigned integer the wire sends as a number or as a string of digits, a `u64` in
    /// Rust; a decoded value is written back in the spelling it came in.
    IntOrString,
    /// A JSON number of unknown kind, kept exactly (`serde_json::Number`).
    Number,
    /// A string that must not show up in Debug output.
    Secret,
    /// A string whose content is itself JSON.
    JsonString,
    /// Any JSON value, kept as is.
    Json,
}

impl Scalar {
    /// Every scalar (the type parser tries each spelling).
    pub const ALL: [Scalar; 13] = [
        Scalar::U32,
        Scalar::U64,
        Scalar::I32,
        Scalar::I64,
        Scalar::Bool,
        Scalar::String,
        Scalar::NumberString,
        Scalar::IntString,
        Scalar::IntOrString,
        Scalar::Number,
        Scalar::Secret,
        Scalar::JsonString,
        Scalar::Json,
    ];

    /// The spec spelling.
    pub fn spec_name(self) -> &'static str {
        match self {
            Scalar::U32 => "u32",
            Scalar::U64 => "u64",
            Scalar::I32 => "i32",
            Scalar::I64 => "i64",
            Scalar::Bool => "bool",
            Scalar::String => "string",
            Scalar::NumberString => "number_string",
            Scalar::IntString => "int_string",
            Scalar::IntOrString => "int_or_string",
            Scalar::Number => "number",
            Scalar::Secret => "secret",
            Scalar::JsonString => "json_string",
            Scalar::Json => "json",
        }
    }

    /// The Rust integer type of an integer scalar.
    pub fn int(self) -> Option<IntTy> {
        match self {
            Scalar::U32 => Some(IntTy::U32),
            Scalar::U64 | Scalar::IntString | Scalar::IntOrString => Some(IntTy::U64),
            Scalar::I32 => Some(IntTy::I32),
            Scalar::I64 => Some(IntTy::I64),
            _ => None,
        }
    }

    /// Strings in Rust (they can be empty and have a byte length).
    pub fn is_text(self) -> bool {
        matches!(self, Scalar::String | Scalar::Secret | Scalar::NumberString | Scalar::JsonString)
    }
}

/// A Rust integer type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntTy {
    U32,
    U64,
    I32,
    I64,
}

/// The element type of a field.
#[derive(Debug, Clone)]
pub enum Ty {
    Scalar(Scalar),
    Named(TypeRef),
}

impl Ty {
    /// The Rust integer type, for integer scalars.
    pub fn int(&self) -> Option<IntTy> {
        match self {
            Ty::Scalar(s) => s.int(),
            Ty::Named(_) => None,
        }
    }

    /// True for this scalar.
    pub fn is(&self, scalar: Scalar) -> bool {
        matches!(self, Ty::Scalar(s) if *s == scalar)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Scalar(s) => f.write_str(s.spec_name()),
            Ty::Named(t) => write!(f, "{}", t.name),
        }
    }
}

/// How many values a field holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Always present; a request field may have a default its constructor fills in.
    Required { default: Option<DefaultValue> },
    /// `Option<T>`, absent when `None`.
    Optional,
    /// `Vec<T>`, absent when empty.
    List,
}

/// A request field's default.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Int(i64),
    Str(String),
    Bool(bool),
}

impl fmt::Display for DefaultValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefaultValue::Int(i) => write!(f, "{i}"),
            DefaultValue::Str(s) => write!(f, "{s:?}"),
            DefaultValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// A resolved field of a struct, request, response or union.
#[derive(Debug, Clone)]
pub struct Field {
    /// The wire name.
    pub wire: String,
    /// The Rust name (raw when a keyword).
    pub ident: Ident,
    pub doc: String,
    /// The element type (of the list, for lists).
    pub ty: Ty,
    pub shape: Shape,
    /// Other wire names accepted when reading.
    pub aliases: Vec<String>,
    /// Longest accepted value in bytes (text and string enums).
    pub max_bytes: Option<u32>,
    /// Smallest accepted value (integers).
    pub min: Option<i64>,
    /// Largest accepted value (integers).
    pub max: Option<i64>,
    /// Lists of structs whose key must not repeat.
    pub unique: Option<Unique>,
}

impl Field {
    /// The field's default, when it has one.
    pub fn default(&self) -> Option<&DefaultValue> {
        match &self.shape {
            Shape::Required { default } => default.as_ref(),
            _ => None,
        }
    }
}

/// A no-repeat rule on a list of structs.
#[derive(Debug, Clone)]
pub struct Unique {
    /// The element field whose value must not repeat (wire name).
    pub key_wire: String,
    /// Its Rust name.
    pub key_ident: Ident,
    /// Values that may repeat.
    pub repeatable: Vec<String>,
}

/// What a struct is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A `[[struct]]`.
    Named,
    /// An endpoint's request body.
    Request,
    /// An endpoint's response body.
    Response,
}

/// A struct.
#[derive(Debug)]
pub struct Struct {
    pub name: Ident,
    /// Module of its family.
    pub module: Ident,
    pub doc: String,
    pub fields: Vec<Field>,
    pub role: Role,
    /// Reachable from a request (requests included): gets a constructor and setters.
    pub request_side: bool,
    /// Every field has a `Default`, so the struct derives it.
    pub defaultable: bool,
    /// Keys the struct accepts as `[]` padding because it is the payload of a union that
    /// declares them (its own field names excluded), in the union's order.
    pub padding: Vec<String>,
}

/// An open enum.
#[derive(Debug)]
pub struct Enum {
    pub name: Ident,
    pub module: Ident,
    pub doc: String,
    pub variants: EnumVariants,
}

/// The known values of an open enum, by representation.
#[derive(Debug)]
pub enum EnumVariants {
    Int(Vec<Variant<i64>>),
    String(Vec<Variant<String>>),
}

/// A known value.
#[derive(Debug)]
pub struct Variant<V> {
    pub name: Ident,
    pub value: V,
    pub doc: String,
}

/// A tagged union: `{ <tag>: "Kind", <shared fields…>, <content>: { … } }`.
#[derive(Debug)]
pub struct Union {
    pub name: Ident,
    pub module: Ident,
    pub doc: String,
    /// The payload enum (`ControlValue`).
    pub content_name: Ident,
    /// Wire key of the tag.
    pub tag_key: String,
    /// Wire key of the payload.
    pub content_key: String,
    /// The container's field holding the payload enum.
    pub content_ident: Ident,
    pub fields: Vec<Field>,
    pub variants: Vec<UnionVariant>,
}

/// One known kind of a union.
#[derive(Debug)]
pub struct UnionVariant {
    /// The wire tag.
    pub tag: String,
    pub name: Ident,
    pub payload: StructId,
    pub doc: String,
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// As the docs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One endpoint.
#[derive(Debug)]
pub struct Endpoint {
    /// snake_case name.
    pub name: String,
    /// `family.name`.
    pub id: String,
    /// The `EndpointInfo` constant (`GET_APPROVAL_INFO`).
    pub konst: Ident,
    pub method: Method,
    pub path: String,
    pub doc: String,
    pub doc_url: String,
    pub rate_limit_per_minute: Option<u32>,
    pub access_token: bool,
    pub deprecated: Option<String>,
    pub request: StructId,
    pub response: StructId,
    pub page: Option<Page>,
    pub window: Option<Window>,
    /// The endpoint's own wording of the codes it documents, in spec order.
    pub errors: Vec<EndpointError>,
}

/// Paging of an endpoint.
#[derive(Debug)]
pub struct Page {
    /// The request field carrying the page size (a required `u32`); `None` when fixed.
    pub size_field: Option<Field>,
    /// Largest page the server returns.
    pub max: u32,
    /// How to walk the pages, when the endpoint has more than one.
    pub cursor: Option<Cursor>,
}

/// The cursor of a paged endpoint.
#[derive(Debug)]
pub struct Cursor {
    /// Request field carrying the cursor.
    pub request: Field,
    /// Response field carrying the next cursor.
    pub response: Field,
    /// Response list of the page's items.
    pub items: Field,
    pub item: PageItem,
    pub style: CursorStyle,
}

/// The elements of a page.
#[derive(Debug)]
pub enum PageItem {
    /// Plain ids.
    String,
    /// Structs, identified by one of their fields.
    Struct { ty: TypeRef, key: Box<Field> },
}

/// How the next cursor is found.
#[derive(Debug)]
pub enum CursorStyle {
    /// Journal: integer `cursor` → `next_cursor`, `end_flag` is 1 on the last page.
    Offset { int: IntTy, end_flag: Field },
    /// Approval: string `new_cursor` → `new_next_cursor`, absent at the end.
    Token,
    /// Legacy: optional integer `next_spnum`, a short page (`count`) is the last.
    SpNum { int: IntTy, count: Field, count_int: IntTy },
}

/// The time window of an endpoint.
#[derive(Debug)]
pub struct Window {
    pub start: WindowField,
    pub end: WindowField,
    pub max_span: Span,
}

/// A window bound: a required unsigned integer request field.
#[derive(Debug)]
pub struct WindowField {
    pub field: Field,
    /// Its Rust type (`int_string` is `u64`).
    pub int: UIntTy,
}

/// An unsigned Rust integer type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UIntTy {
    U32,
    U64,
}

/// The largest time window an endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Days(u32),
    Months(u32),
    Years(u32),
}

/// An error code an endpoint documents, with its own wording.
#[derive(Debug)]
pub struct EndpointError {
    pub code: i64,
    pub zh: String,
    pub en: String,
    pub hint: Option<String>,
}

/// `errors.toml`.
#[derive(Debug)]
pub struct ErrorTable {
    pub source: PathBuf,
    pub doc: String,
    /// Sorted by code.
    pub codes: Vec<ErrorCode>,
}

/// A global error code.
#[derive(Debug)]
pub struct ErrorCode {
    pub code: i64,
    pub name: Ident,
    pub zh: String,
    pub en: String,
    pub class: ErrorClass,
    pub hint: Option<String>,
}

/// What a client does with an error code (`wecom_endpoints::ErrorClass`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    Success,
    Retry,
    RateLimited,
    TokenInvalid,
    Credential,
    Permission,
    InvalidRequest,
    Internal,
    Other,
}

impl ErrorClass {
    /// Every class (the parser tries each spelling).
    pub const ALL: [ErrorClass; 9] = [
        ErrorClass::Success,
        ErrorClass::Retry,
        ErrorClass::RateLimited,
        ErrorClass::TokenInvalid,
        ErrorClass::Credential,
        ErrorClass::Permission,
        ErrorClass::InvalidRequest,
        ErrorClass::Internal,
        ErrorClass::Other,
    ];

    /// The spec spelling (snake_case of the Rust variant).
    pub fn spec_name(self) -> &'static str {
        match self {
            ErrorClass::Success => "success",
            ErrorClass::Retry => "retry",
            ErrorClass::RateLimited => "rate_limited",
            ErrorClass::TokenInvalid => "token_invalid",
            ErrorClass::Credential => "credential",
            ErrorClass::Permission => "permission",
            ErrorClass::InvalidRequest => "invalid_request",
            ErrorClass::Internal => "internal",
            ErrorClass::Other => "other",
        }
    }
}

/// The callback events of a family: decoded from the XML WeCom pushes, written as JSON.
#[derive(Debug)]
pub struct Events {
    /// Documentation of the header every event carries.
    pub header_doc: String,
    /// The root children every event carries (single scalars).
    pub header: Vec<Child>,
    /// Index in `header` of the `Event` element, whose text names the event.
    pub discriminator: usize,
    /// The events, sorted by `Event` value.
    pub kinds: Vec<EventKind>,
}

/// One callback event.
#[derive(Debug)]
pub struct EventKind {
    /// The `Event` value (`sys_approval_change`).
    pub name: String,
    /// The variant of the generated `Event` enum, and the name of the event's struct.
    pub variant: Ident,
    pub doc: String,
    /// The root's children besides the header.
    pub children: Vec<Child>,
}

/// An XML element with children: a struct.
#[derive(Debug)]
pub struct Element {
    pub name: Ident,
    /// Module of its family.
    pub module: Ident,
    pub doc: String,
    pub children: Vec<Child>,
    /// Every child has a default (no required enum inside), so an absent element reads as
    /// `Default::default()`.
    pub defaultable: bool,
}

/// A child element.
#[derive(Debug, Clone)]
pub struct Child {
    /// The element name.
    pub xml: String,
    /// Other element names accepted when reading.
    pub aliases: Vec<String>,
    /// The Rust (and JSON) name.
    pub ident: Ident,
    pub doc: String,
    pub ty: XmlTy,
    pub multiplicity: Multiplicity,
}

/// What an element holds.
#[derive(Debug, Clone)]
pub enum XmlTy {
    /// Text, read as a string or an integer.
    Scalar(XmlScalar),
    /// Text holding the value of an open int enum (of any family).
    IntEnum(TypeRef),
    /// Text holding the value of an open string enum (of any family).
    StringEnum(TypeRef),
    /// Child elements.
    Element(ElementId),
}

/// The text types of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlScalar {
    String,
    I32,
    I64,
    U32,
    U64,
}

impl XmlScalar {
    /// Every text type (the type parser tries each spelling).
    pub const ALL: [XmlScalar; 5] = [XmlScalar::String, XmlScalar::I32, XmlScalar::I64, XmlScalar::U32, XmlScalar::U64];

    /// The spec spelling.
    pub fn spec_name(self) -> &'static str {
        match self {
            XmlScalar::String => "string",
            XmlScalar::I32 => "i32",
            XmlScalar::I64 => "i64",
            XmlScalar::U32 => "u32",
            XmlScalar::U64 => "u64",
        }
    }
}

/// How often a child element occurs, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Multiplicity {
    /// Once: `T`. An absent or empty element reads as `T`'s default when it has one.
    One,
    /// At most once: `Option<T>`.
    Optional,
    /// Any number of sibling elements with this name and no wrapper: `Vec<T>`.
    Repeated,
    /// One wrapper element holding any number of `item` children: `Vec<T>`.
    Wrapped { item: String },
}

impl Multiplicity {
    /// Every spelling of the spec, for messages.
    pub const SPELLINGS: &'static str = "one, optional, repeated, wrapped";

    /// `Vec<T>` in Rust.
    pub fn is_list(&self) -> bool {
        matches!(self, Multiplicity::Repeated | Multiplicity::Wrapped { .. })
    }
}
