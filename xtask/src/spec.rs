//! The spec format (`api-spec/*.toml`) and its validation.
//!
//! A spec directory holds one file per API family (`auth.toml`, `journal.toml`, …), an optional
//! `common.toml` for shared types, and `errors.toml` for the global error codes. Every named
//! type lives in one global namespace; the generator reports duplicates, unknown types, dangling
//! field references and bad limits with the file and the item they come from.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use heck::ToUpperCamelCase;
use serde::Deserialize;

/// One `api-spec/<family>.toml` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyFile {
    /// Module name of the family (`approval`, `journal`, …).
    pub family: String,
    /// Module documentation.
    pub doc: String,
    #[serde(default)]
    pub endpoint: Vec<EndpointDef>,
    #[serde(default, rename = "struct")]
    pub structs: Vec<StructDef>,
    #[serde(default, rename = "enum")]
    pub enums: Vec<EnumDef>,
    #[serde(default, rename = "union")]
    pub unions: Vec<UnionDef>,
}

/// `api-spec/errors.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsFile {
    pub doc: String,
    pub error: Vec<ErrorDef>,
}

/// A global error code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorDef {
    pub code: i64,
    /// Rust variant name.
    pub name: String,
    /// The documented Chinese text.
    pub zh: String,
    /// An English gloss.
    pub en: String,
    /// What the client does with it: see [`ERROR_CLASSES`].
    pub class: String,
    /// What a person should do about it.
    pub hint: Option<String>,
}

/// The classes an error code can have (`ErrorClass` variants, snake_case here).
pub const ERROR_CLASSES: &[&str] = &[
    "success",
    "retry",
    "rate_limited",
    "token_invalid",
    "credential",
    "permission",
    "invalid_request",
    "internal",
    "other",
];

/// One endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointDef {
    /// snake_case name; the id is `<family>.<name>` and the types `<Name>Request`/`<Name>Response`.
    pub name: String,
    pub method: String,
    pub path: String,
    pub doc: String,
    pub doc_url: String,
    /// Calls per minute per corp, when documented.
    pub rate_limit_per_minute: Option<u32>,
    /// Whether the call carries `access_token` (false only for gettoken).
    #[serde(default = "yes")]
    pub access_token: bool,
    /// Set when WeCom marks the endpoint as deprecated; the text says what to use instead.
    pub deprecated: Option<String>,
    pub request: MessageDef,
    pub response: MessageDef,
    pub page: Option<PageDef>,
    pub window: Option<WindowDef>,
    pub cursor: Option<CursorDef>,
    #[serde(default)]
    pub error: Vec<EndpointErrorDef>,
}

fn yes() -> bool {
    true
}

/// The request or response body of an endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageDef {
    pub doc: String,
    #[serde(default)]
    pub field: Vec<FieldDef>,
}

/// The page-size field of a paged endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageDef {
    /// Request field carrying the page size; absent when the server's page size is fixed.
    pub field: Option<String>,
    /// Largest page the server returns.
    pub max: u32,
}

/// The time window of a windowed endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowDef {
    pub start: String,
    pub end: String,
    /// `"<n> days"`, `"<n> month(s)"` or `"<n> year(s)"`.
    pub max_span: String,
}

/// The cursor of a paged endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CursorDef {
    /// `offset` (journal: `cursor` → `next_cursor` + `endflag`), `token` (approval:
    /// `new_cursor` → `new_next_cursor`, absent at the end) or `spnum` (legacy: `next_spnum`
    /// plus `count`/`total`).
    pub style: String,
    /// Request field carrying the cursor.
    pub request: String,
    /// Response field carrying the next cursor.
    pub response: String,
    /// `offset`: the response flag that is 1 on the last page.
    pub end_flag: Option<String>,
    /// `spnum`: the response field counting the records on this page.
    pub count: Option<String>,
    /// Response list holding the page's items.
    pub items: String,
    /// When items are structs: the item field that identifies one (for de-duplication).
    pub item_key: Option<String>,
}

/// An error code an endpoint documents, with the endpoint's own wording.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointErrorDef {
    pub code: i64,
    pub zh: String,
    pub en: String,
    pub hint: Option<String>,
}

/// A named struct.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructDef {
    pub name: String,
    pub doc: String,
    #[serde(default)]
    pub field: Vec<FieldDef>,
}

/// A field of a struct, request or response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// The wire name.
    pub name: String,
    /// The Rust name when the wire name is not a good one (defaults to snake_case of `name`).
    pub rust_name: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    pub doc: String,
    /// Other wire names accepted when reading.
    #[serde(default)]
    pub alias: Vec<String>,
    /// Value used when the caller does not set the field (requests).
    pub default: Option<toml::Value>,
    /// Longest accepted value in bytes (strings, string enums).
    pub max_bytes: Option<u32>,
    /// Smallest accepted value (integers).
    pub min: Option<i64>,
    /// Largest accepted value (integers).
    pub max: Option<i64>,
    /// Lists of structs: the element field whose value must not repeat…
    pub unique_key: Option<String>,
    /// …except for these values.
    #[serde(default)]
    pub repeatable: Vec<String>,
}

/// An open enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    pub name: String,
    pub doc: String,
    /// `int` or `string`.
    pub repr: String,
    pub variant: Vec<VariantDef>,
}

/// A known value of an open enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantDef {
    pub name: String,
    pub value: toml::Value,
    pub doc: String,
}

/// A tagged union: `{ <tag>: "Kind", <shared fields…>, <content>: { … } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnionDef {
    pub name: String,
    pub doc: String,
    /// Name of the generated enum of payloads (defaults to `<name>Value`).
    pub content_enum: Option<String>,
    pub tag: String,
    pub content: String,
    #[serde(default)]
    pub field: Vec<FieldDef>,
    pub variant: Vec<UnionVariantDef>,
}

/// One known kind of a tagged union.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnionVariantDef {
    /// The wire tag.
    pub tag: String,
    /// Rust variant name (defaults to the tag).
    pub name: Option<String>,
    /// The payload struct.
    #[serde(rename = "type")]
    pub ty: String,
    pub doc: String,
}

/// A parsed field type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
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
    /// A JSON number of unknown kind, kept exactly (`serde_json::Number`).
    Number,
    /// A string that must not show up in Debug output.
    Secret,
    /// A string whose content is itself JSON.
    JsonString,
    /// Any JSON value, kept as is.
    Json,
    List(Box<Ty>),
    Named(String),
}

impl Ty {
    pub fn parse(s: &str) -> Result<Ty, String> {
        let s = s.trim();
        if let Some(inner) = s.strip_prefix("list<").and_then(|r| r.strip_suffix('>')) {
            return Ok(Ty::List(Box::new(Ty::parse(inner)?)));
        }
        Ok(match s {
            "u32" => Ty::U32,
            "u64" => Ty::U64,
            "i32" => Ty::I32,
            "i64" => Ty::I64,
            "bool" => Ty::Bool,
            "string" => Ty::String,
            "number_string" => Ty::NumberString,
            "int_string" => Ty::IntString,
            "number" => Ty::Number,
            "secret" => Ty::Secret,
            "json_string" => Ty::JsonString,
            "json" => Ty::Json,
            _ if is_type_name(s) => Ty::Named(s.to_string()),
            _ => return Err(format!("unknown type `{s}`")),
        })
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, Ty::U32 | Ty::U64 | Ty::I32 | Ty::I64 | Ty::IntString)
    }

    pub fn is_stringish(&self) -> bool {
        matches!(self, Ty::String | Ty::Secret | Ty::NumberString | Ty::JsonString)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::U32 => f.write_str("u32"),
            Ty::U64 => f.write_str("u64"),
            Ty::I32 => f.write_str("i32"),
            Ty::I64 => f.write_str("i64"),
            Ty::Bool => f.write_str("bool"),
            Ty::String => f.write_str("string"),
            Ty::NumberString => f.write_str("number_string"),
            Ty::IntString => f.write_str("int_string"),
            Ty::Number => f.write_str("number"),
            Ty::Secret => f.write_str("secret"),
            Ty::JsonString => f.write_str("json_string"),
            Ty::Json => f.write_str("json"),
            Ty::List(t) => write!(f, "list<{t}>"),
            Ty::Named(n) => f.write_str(n),
        }
    }
}

fn is_type_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Which kind of item a type name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Struct,
    IntEnum,
    StringEnum,
    Union,
}

/// The largest time window an endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Days(u32),
    Months(u32),
    Years(u32),
}

impl Span {
    pub fn parse(s: &str) -> Result<Span, String> {
        let mut parts = s.split_whitespace();
        let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("bad max_span `{s}`: expected e.g. \"31 days\" or \"1 month\""));
        };
        let n: u32 = n.parse().map_err(|_| format!("bad max_span `{s}`: `{n}` is not a count"))?;
        if n == 0 {
            return Err(format!("bad max_span `{s}`: the count must be at least 1"));
        }
        match unit {
            "day" | "days" => Ok(Span::Days(n)),
            "month" | "months" => Ok(Span::Months(n)),
            "year" | "years" => Ok(Span::Years(n)),
            _ => Err(format!("bad max_span `{s}`: unit `{unit}` is not days, months or years")),
        }
    }
}

/// Cursor styles (see [`CursorDef::style`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorStyle {
    Offset,
    Token,
    SpNum,
}

/// A whole, validated spec.
#[derive(Debug)]
pub struct Spec {
    /// Families sorted by name, each with the file it came from.
    pub families: Vec<(PathBuf, FamilyFile)>,
    pub errors: Option<(PathBuf, ErrorsFile)>,
    /// Type name → (family, kind).
    pub types: BTreeMap<String, (String, Kind)>,
}

/// An error in a spec, naming the file and the item.
#[derive(Debug)]
pub struct SpecError {
    pub file: PathBuf,
    pub item: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file.display(), self.item, self.message)
    }
}

impl std::error::Error for SpecError {}

impl Spec {
    /// Reads every `*.toml` of `root/rel_dir` and validates the whole. Messages and headers
    /// name files relative to `root`.
    pub fn load(root: &Path, rel_dir: &Path) -> Result<Spec> {
        let dir = root.join(rel_dir);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("reading spec directory {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            bail!("{}: no *.toml spec files", dir.display());
        }
        let mut families = Vec::new();
        let mut errors = None;
        for path in paths {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let shown = rel_dir.join(path.file_name().unwrap_or_default());
            if path.file_name().is_some_and(|n| n == "errors.toml") {
                let file: ErrorsFile =
                    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", shown.display()))?;
                errors = Some((shown, file));
            } else {
                let file: FamilyFile =
                    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", shown.display()))?;
                families.push((shown, file));
            }
        }
        let spec = Spec::new(families, errors)?;
        Ok(spec)
    }

    /// Validates parsed files (used by [`Spec::load`] and by tests on in-memory specs).
    pub fn new(
        mut families: Vec<(PathBuf, FamilyFile)>,
        errors: Option<(PathBuf, ErrorsFile)>,
    ) -> Result<Spec, SpecError> {
        families.sort_by(|a, b| a.1.family.cmp(&b.1.family));
        let mut types = BTreeMap::new();
        let mut family_names = BTreeSet::new();
        // First pass: names.
        for (path, fam) in &families {
            let err = |item: String, message: String| SpecError { file: path.clone(), item, message };
            if !is_snake(&fam.family) {
                return Err(err("family".into(), format!("`{}` is not a snake_case module name", fam.family)));
            }
            if !family_names.insert(fam.family.clone()) {
                return Err(err("family".into(), format!("family `{}` is defined twice", fam.family)));
            }
            let mut add = |name: String, kind: Kind, item: String| -> Result<(), SpecError> {
                if !is_type_name(&name) {
                    return Err(err(item, format!("`{name}` is not an UpperCamelCase type name")));
                }
                if let Some((other, _)) = types.insert(name.clone(), (fam.family.clone(), kind)) {
                    return Err(err(item, format!("duplicate type name `{name}` (also defined in family `{other}`)")));
                }
                Ok(())
            };
            for s in &fam.structs {
                add(s.name.clone(), Kind::Struct, format!("struct `{}`", s.name))?;
            }
            for e in &fam.enums {
                let kind = match e.repr.as_str() {
                    "int" => Kind::IntEnum,
                    "string" => Kind::StringEnum,
                    other => {
                        return Err(err(
                            format!("enum `{}`", e.name),
                            format!("repr `{other}` is not `int` or `string`"),
                        ));
                    }
                };
                add(e.name.clone(), kind, format!("enum `{}`", e.name))?;
            }
            for u in &fam.unions {
                add(u.name.clone(), Kind::Union, format!("union `{}`", u.name))?;
                add(union_content_name(u), Kind::Union, format!("union `{}`", u.name))?;
            }
            for ep in &fam.endpoint {
                let item = format!("endpoint `{}`", ep.name);
                if !is_snake(&ep.name) {
                    return Err(err(item, "the name must be snake_case".into()));
                }
                add(request_name(ep), Kind::Struct, item.clone())?;
                add(response_name(ep), Kind::Struct, item)?;
            }
        }
        let spec = Spec { families, errors, types };
        spec.check()?;
        Ok(spec)
    }

    fn check(&self) -> Result<(), SpecError> {
        let global_codes: BTreeSet<i64> = match &self.errors {
            Some((path, file)) => check_errors(path, file)?,
            None => BTreeSet::new(),
        };
        for (path, fam) in &self.families {
            let err = |item: String, message: String| SpecError { file: path.clone(), item, message };
            for s in &fam.structs {
                self.check_fields(path, &format!("struct `{}`", s.name), &s.field)?;
            }
            for e in &fam.enums {
                check_enum(path, e)?;
            }
            for u in &fam.unions {
                let item = format!("union `{}`", u.name);
                self.check_fields(path, &item, &u.field)?;
                let mut tags = BTreeSet::new();
                let mut names = BTreeSet::new();
                for v in &u.variant {
                    let vname = v.name.clone().unwrap_or_else(|| v.tag.clone());
                    if !tags.insert(v.tag.clone()) {
                        return Err(err(item, format!("duplicate tag `{}`", v.tag)));
                    }
                    if !names.insert(vname.clone()) || vname == "Unknown" {
                        return Err(err(item, format!("duplicate or reserved variant name `{vname}`")));
                    }
                    match self.types.get(&v.ty) {
                        Some((_, Kind::Struct)) => {}
                        Some(_) => {
                            return Err(err(item, format!("variant `{}`: payload `{}` is not a struct", v.tag, v.ty)));
                        }
                        None => return Err(err(item, format!("variant `{}`: unknown type `{}`", v.tag, v.ty))),
                    }
                }
                for f in &u.field {
                    if f.ty_parsed() == Ty::IntString {
                        return Err(err(item, format!("field `{}`: int_string is not supported in unions", f.name)));
                    }
                    if f.name == u.tag || f.name == u.content {
                        return Err(err(item, format!("field `{}` clashes with the tag or content key", f.name)));
                    }
                }
            }
            for ep in &fam.endpoint {
                let item = format!("endpoint `{}`", ep.name);
                if ep.method != "GET" && ep.method != "POST" {
                    return Err(err(item, format!("method `{}` is not GET or POST", ep.method)));
                }
                if !ep.path.starts_with('/') {
                    return Err(err(item, format!("path `{}` must start with /", ep.path)));
                }
                if ep.rate_limit_per_minute == Some(0) {
                    return Err(err(item, "rate_limit_per_minute must be at least 1".into()));
                }
                self.check_fields(path, &format!("{item} request"), &ep.request.field)?;
                self.check_fields(path, &format!("{item} response"), &ep.response.field)?;
                for f in &ep.response.field {
                    if f.name == "errcode" || f.name == "errmsg" {
                        return Err(err(
                            item,
                            "errcode/errmsg are added to every response; do not declare them".into(),
                        ));
                    }
                }
                let req = |name: &str| ep.request.field.iter().find(|f| f.name == name);
                let resp = |name: &str| ep.response.field.iter().find(|f| f.name == name);
                if let Some(page) = &ep.page {
                    if page.max == 0 {
                        return Err(err(item, "page.max must be at least 1".into()));
                    }
                    if let Some(pf) = &page.field {
                        let Some(f) = req(pf) else {
                            return Err(err(item, format!("page.field `{pf}` is not a request field")));
                        };
                        if f.ty_parsed() != Ty::U32 || !f.required {
                            return Err(err(item, format!("page.field `{pf}` must be a required u32")));
                        }
                    }
                }
                if let Some(w) = &ep.window {
                    Span::parse(&w.max_span).map_err(|m| err(item.clone(), m))?;
                    for name in [&w.start, &w.end] {
                        let Some(f) = req(name) else {
                            return Err(err(item, format!("window field `{name}` is not a request field")));
                        };
                        if !matches!(f.ty_parsed(), Ty::U32 | Ty::U64 | Ty::IntString) || !f.required {
                            return Err(err(
                                item,
                                format!("window field `{name}` must be a required unsigned integer"),
                            ));
                        }
                    }
                }
                if let Some(c) = &ep.cursor {
                    let style = cursor_style(&c.style).map_err(|m| err(item.clone(), m))?;
                    if ep.page.is_none() {
                        return Err(err(item, "a cursor needs a [endpoint.page] section".into()));
                    }
                    if req(&c.request).is_none() {
                        return Err(err(item, format!("cursor.request `{}` is not a request field", c.request)));
                    }
                    if resp(&c.response).is_none() {
                        return Err(err(item, format!("cursor.response `{}` is not a response field", c.response)));
                    }
                    let Some(items) = resp(&c.items) else {
                        return Err(err(item, format!("cursor.items `{}` is not a response field", c.items)));
                    };
                    let Ty::List(elem) = items.ty_parsed() else {
                        return Err(err(item, format!("cursor.items `{}` must be a list", c.items)));
                    };
                    match (&*elem, &c.item_key) {
                        (Ty::String, None) => {}
                        (Ty::Named(n), Some(key)) => {
                            let fields = self.struct_fields(n).ok_or_else(|| {
                                err(item.clone(), format!("cursor.items element `{n}` is not a struct"))
                            })?;
                            if !fields.iter().any(|f| &f.name == key) {
                                return Err(err(item, format!("cursor.item_key `{key}` is not a field of `{n}`")));
                            }
                        }
                        _ => {
                            return Err(err(
                                item,
                                "cursor.item_key is required for struct items and not allowed for string items".into(),
                            ));
                        }
                    }
                    let needs = |what: &str, v: &Option<String>, must: bool| -> Result<(), SpecError> {
                        match (v, must) {
                            (Some(name), true) if resp(name).is_some() => Ok(()),
                            (Some(name), true) => {
                                Err(err(item.clone(), format!("cursor.{what} `{name}` is not a response field")))
                            }
                            (None, true) => {
                                Err(err(item.clone(), format!("cursor style `{}` needs cursor.{what}", c.style)))
                            }
                            (Some(_), false) => {
                                Err(err(item.clone(), format!("cursor.{what} is not used by style `{}`", c.style)))
                            }
                            (None, false) => Ok(()),
                        }
                    };
                    needs("end_flag", &c.end_flag, style == CursorStyle::Offset)?;
                    needs("count", &c.count, style == CursorStyle::SpNum)?;
                    let (Some(rq), Some(rs)) = (req(&c.request), resp(&c.response)) else { unreachable!() };
                    let int_req = |f: &FieldDef| f.required && f.ty_parsed().is_integer();
                    let ok = match style {
                        CursorStyle::Offset => {
                            int_req(rq)
                                && rq.default.is_some()
                                && int_req(rs)
                                && scalar_of(&rq.ty_parsed()) == scalar_of(&rs.ty_parsed())
                                && c.end_flag.as_deref().and_then(resp).is_some_and(int_req)
                        }
                        CursorStyle::Token => {
                            rq.required
                                && rq.ty_parsed() == Ty::String
                                && rq.default.is_some()
                                && !rs.required
                                && rs.ty_parsed() == Ty::String
                        }
                        CursorStyle::SpNum => {
                            !rq.required
                                && rq.ty_parsed().is_integer()
                                && !rs.required
                                && scalar_of(&rq.ty_parsed()) == scalar_of(&rs.ty_parsed())
                                && c.count.as_deref().and_then(resp).is_some_and(int_req)
                        }
                    };
                    if !ok {
                        return Err(err(
                            item,
                            format!(
                                "cursor style `{}` needs: offset = required integer request cursor with a default, \
                                 required integer response cursor of the same type and a required integer end_flag; \
                                 token = required string request cursor with a default and an optional string response cursor; \
                                 spnum = optional integer request and response cursors of the same type and a required integer count",
                                c.style
                            ),
                        ));
                    }
                }
                let mut codes = BTreeSet::new();
                for e in &ep.error {
                    if !codes.insert(e.code) {
                        return Err(err(item, format!("error {} is listed twice", e.code)));
                    }
                    if self.errors.is_some() && !global_codes.contains(&e.code) {
                        return Err(err(item, format!("error {} is not in errors.toml", e.code)));
                    }
                }
            }
        }
        Ok(())
    }

    fn check_fields(&self, path: &Path, item: &str, fields: &[FieldDef]) -> Result<(), SpecError> {
        let err = |message: String| SpecError { file: path.to_path_buf(), item: item.to_string(), message };
        let mut wire = BTreeSet::new();
        let mut rust = BTreeSet::new();
        for f in fields {
            let ferr = |m: String| err(format!("field `{}`: {m}", f.name));
            if !wire.insert(f.name.clone()) {
                return Err(ferr("duplicate field".into()));
            }
            if !rust.insert(f.rust_ident()) {
                return Err(ferr(format!("duplicate Rust name `{}`", f.rust_ident())));
            }
            let ty = Ty::parse(&f.ty).map_err(ferr)?;
            let mut leaf = &ty;
            while let Ty::List(inner) = leaf {
                leaf = inner;
            }
            if let Ty::List(inner) = &ty {
                if matches!(**inner, Ty::List(_)) {
                    return Err(ferr("lists of lists are not supported".into()));
                }
            }
            let leaf_kind = match leaf {
                Ty::Named(n) => match self.types.get(n) {
                    Some((_, k)) => Some(*k),
                    None => return Err(ferr(format!("unknown type `{n}`"))),
                },
                _ => None,
            };
            if f.max_bytes.is_some() {
                let ok = leaf.is_stringish() || leaf_kind == Some(Kind::StringEnum);
                if !ok {
                    return Err(ferr("max_bytes applies to strings only".into()));
                }
                if f.max_bytes == Some(0) {
                    return Err(ferr("max_bytes must be at least 1".into()));
                }
            }
            if f.min.is_some() || f.max.is_some() {
                if !ty.is_integer() {
                    return Err(ferr("min/max apply to integers only".into()));
                }
                if let (Some(lo), Some(hi)) = (f.min, f.max) {
                    if lo > hi {
                        return Err(ferr(format!("min {lo} is greater than max {hi}")));
                    }
                }
            }
            if let Some(key) = &f.unique_key {
                let Ty::List(inner) = &ty else {
                    return Err(ferr("unique_key applies to lists of structs".into()));
                };
                let Ty::Named(n) = &**inner else {
                    return Err(ferr("unique_key applies to lists of structs".into()));
                };
                let fields = self.struct_fields(n).ok_or_else(|| ferr(format!("`{n}` is not a struct")))?;
                if !fields.iter().any(|g| &g.name == key) {
                    return Err(ferr(format!("unique_key `{key}` is not a field of `{n}`")));
                }
            } else if !f.repeatable.is_empty() {
                return Err(ferr("repeatable needs unique_key".into()));
            }
            if let Some(d) = &f.default {
                let ok = match (&ty, d) {
                    (t, toml::Value::Integer(_)) if t.is_integer() => true,
                    (Ty::String, toml::Value::String(_)) => true,
                    (Ty::Bool, toml::Value::Boolean(_)) => true,
                    _ => false,
                };
                if !ok {
                    return Err(ferr(format!("default {d} does not fit type `{ty}`")));
                }
                if !f.required {
                    return Err(ferr("a default only makes sense on a required field".into()));
                }
            }
            if let (Some(toml::Value::Integer(d)), true) = (&f.default, ty.is_integer()) {
                if f.min.is_some_and(|m| *d < m) || f.max.is_some_and(|m| *d > m) {
                    return Err(ferr(format!("default {d} is outside min/max")));
                }
            }
        }
        Ok(())
    }

    /// Fields of a named struct (named structs, requests and responses).
    pub fn struct_fields(&self, name: &str) -> Option<&[FieldDef]> {
        for (_, fam) in &self.families {
            if let Some(s) = fam.structs.iter().find(|s| s.name == name) {
                return Some(&s.field);
            }
            for ep in &fam.endpoint {
                if request_name(ep) == name {
                    return Some(&ep.request.field);
                }
                if response_name(ep) == name {
                    return Some(&ep.response.field);
                }
            }
        }
        None
    }

    /// The kind and family of a named type.
    pub fn kind(&self, name: &str) -> Option<(&str, Kind)> {
        self.types.get(name).map(|(f, k)| (f.as_str(), *k))
    }

    /// Every endpoint with its family, sorted by id.
    pub fn endpoints(&self) -> Vec<(&FamilyFile, &EndpointDef)> {
        let mut all: Vec<_> = self.families.iter().flat_map(|(_, f)| f.endpoint.iter().map(move |e| (f, e))).collect();
        all.sort_by(|a, b| (&a.0.family, &a.1.name).cmp(&(&b.0.family, &b.1.name)));
        all
    }
}

fn check_errors(path: &Path, file: &ErrorsFile) -> Result<BTreeSet<i64>, SpecError> {
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for e in &file.error {
        let err = |m: String| SpecError { file: path.to_path_buf(), item: format!("error {}", e.code), message: m };
        if !codes.insert(e.code) {
            return Err(err("duplicate code".into()));
        }
        if !is_type_name(&e.name) || e.name == "Unknown" {
            return Err(err(format!("`{}` is not a usable UpperCamelCase variant name", e.name)));
        }
        if !names.insert(e.name.clone()) {
            return Err(err(format!("duplicate name `{}`", e.name)));
        }
        if !ERROR_CLASSES.contains(&e.class.as_str()) {
            return Err(err(format!("unknown class `{}` (expected one of {})", e.class, ERROR_CLASSES.join(", "))));
        }
    }
    Ok(codes)
}

fn check_enum(path: &Path, e: &EnumDef) -> Result<(), SpecError> {
    let err = |m: String| SpecError { file: path.to_path_buf(), item: format!("enum `{}`", e.name), message: m };
    let mut names = BTreeSet::new();
    let mut values = BTreeSet::new();
    if e.variant.is_empty() {
        return Err(err("an enum needs at least one variant".into()));
    }
    for v in &e.variant {
        if !is_type_name(&v.name) || v.name == "Unknown" {
            return Err(err(format!("`{}` is not a usable UpperCamelCase variant name", v.name)));
        }
        if !names.insert(v.name.clone()) {
            return Err(err(format!("duplicate variant `{}`", v.name)));
        }
        let ok = matches!((&*e.repr, &v.value), ("int", toml::Value::Integer(_)) | ("string", toml::Value::String(_)));
        if !ok {
            return Err(err(format!("variant `{}`: value {} does not match repr `{}`", v.name, v.value, e.repr)));
        }
        if !values.insert(v.value.to_string()) {
            return Err(err(format!("variant `{}`: duplicate value {}", v.name, v.value)));
        }
    }
    Ok(())
}

/// Integer types that share a Rust representation.
fn scalar_of(ty: &Ty) -> Ty {
    match ty {
        Ty::IntString => Ty::U64,
        other => other.clone(),
    }
}

/// Parses a cursor style name.
pub fn cursor_style(s: &str) -> Result<CursorStyle, String> {
    match s {
        "offset" => Ok(CursorStyle::Offset),
        "token" => Ok(CursorStyle::Token),
        "spnum" => Ok(CursorStyle::SpNum),
        other => Err(format!("cursor style `{other}` is not offset, token or spnum")),
    }
}

impl FieldDef {
    /// The parsed type (the spec was validated, so this cannot fail afterwards).
    pub fn ty_parsed(&self) -> Ty {
        Ty::parse(&self.ty).unwrap_or(Ty::Json)
    }

    /// The Rust field name.
    pub fn rust_ident(&self) -> String {
        let name = self.rust_name.clone().unwrap_or_else(|| heck::ToSnakeCase::to_snake_case(self.name.as_str()));
        match name.as_str() {
            "type" | "ref" | "match" | "fn" | "struct" | "enum" | "mod" | "use" | "self" | "super" | "crate"
            | "where" | "loop" | "move" | "impl" | "trait" | "in" | "for" | "let" | "const" | "static" | "as" => {
                format!("r#{name}")
            }
            _ => name,
        }
    }
}

/// `<Name>Request`.
pub fn request_name(ep: &EndpointDef) -> String {
    format!("{}Request", ep.name.to_upper_camel_case())
}

/// `<Name>Response`.
pub fn response_name(ep: &EndpointDef) -> String {
    format!("{}Response", ep.name.to_upper_camel_case())
}

/// The payload enum of a union.
pub fn union_content_name(u: &UnionDef) -> String {
    u.content_enum.clone().unwrap_or_else(|| format!("{}Value", u.name))
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
