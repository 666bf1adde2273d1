//! The spec format (`api-spec/*.toml`) as TOML reads it: the parse stage.
//!
//! A spec directory holds one file per API family (`auth.toml`, `journal.toml`, …), an optional
//! `common.toml` for shared types, and `errors.toml` for the global error codes. A family may
//! also declare callback events (`events.toml`): a `[header]`, `[[element]]` types and
//! `[[event]]`s, whose children name an XML element, a type and a multiplicity. The structs
//! here are the files' shape and nothing more: strings stay strings (`type = "list<Row>"`,
//! `method = "POST"`, `max_span = "31 days"`). [`crate::check`] is the one place that reads
//! them, validates the whole and produces the typed [`crate::model::Model`].

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
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
    /// Callback events: the envelope every event of the family carries (see [`HeaderDef`]).
    pub header: Option<HeaderDef>,
    /// XML element types of the family's events.
    #[serde(default, rename = "element")]
    pub elements: Vec<ElementDef>,
    /// Callback events, one per `Event` value.
    #[serde(default, rename = "event")]
    pub events: Vec<EventDef>,
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
    /// What the client does with it: `retry`, `permission`, … (see `model::ErrorClass`).
    pub class: String,
    /// What a person should do about it.
    pub hint: Option<String>,
}

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
    /// Keys the server pads payload objects with, always as `[]` (the lists of other kinds):
    /// accepted, written back, and not reported as drift.
    #[serde(default)]
    pub padding: Vec<String>,
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

/// The children of the `<xml>` root that every event of a family carries (`ToUserName`,
/// `CreateTime`, `Event`, …). One of them, `Event`, names the event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderDef {
    pub doc: String,
    #[serde(default, rename = "child")]
    pub children: Vec<ChildDef>,
}

/// An XML element with children, decoded into a struct.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementDef {
    /// The Rust type name.
    pub name: String,
    pub doc: String,
    #[serde(default, rename = "child")]
    pub children: Vec<ChildDef>,
}

/// A callback event: the `<xml>` root whose `Event` element holds `name`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    /// The `Event` value (`sys_approval_change`).
    pub name: String,
    /// The Rust variant and struct name (defaults to the UpperCamelCase of `name`).
    pub variant: Option<String>,
    pub doc: String,
    /// The root's children besides the header's.
    #[serde(default, rename = "child")]
    pub children: Vec<ChildDef>,
}

/// A child element of an event, element or header.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildDef {
    /// The XML element name.
    pub name: String,
    /// The Rust name (defaults to snake_case of `name`).
    pub rust_name: Option<String>,
    /// `string`, `i32`, `i64`, `u32`, `u64`, an enum or an `[[element]]` name.
    #[serde(rename = "type")]
    pub ty: String,
    /// `one` (the default), `optional`, `repeated` (sibling elements with no wrapper) or
    /// `wrapped` (one wrapper element holding `item` children).
    pub multiplicity: Option<String>,
    /// `wrapped`: the name of the children inside the wrapper.
    pub item: Option<String>,
    /// Other element names accepted when reading.
    #[serde(default)]
    pub alias: Vec<String>,
    pub doc: String,
}

/// The parsed files of a spec directory, not yet checked.
#[derive(Debug, Default)]
pub struct SpecFiles {
    /// Family files, each with its path relative to the workspace root.
    pub families: Vec<(PathBuf, FamilyFile)>,
    /// `errors.toml`, when present.
    pub errors: Option<(PathBuf, ErrorsFile)>,
}

impl SpecFiles {
    /// Reads every `*.toml` of `root/rel_dir`. Messages and headers name files relative to
    /// `root`. A TOML syntax or shape error names the file.
    pub fn load(root: &Path, rel_dir: &Path) -> Result<SpecFiles> {
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
        let mut texts = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            texts.push((rel_dir.join(path.file_name().unwrap_or_default()), text));
        }
        Self::parse(texts.iter().map(|(shown, text)| (shown.clone(), text.as_str())))
    }

    /// Parses spec files already in memory, each `(path, text)`: a file named `errors.toml` is
    /// the error table, any other a family. A TOML syntax or shape error names the path. This is
    /// [`SpecFiles::load`] without the file system (the fuzz targets feed it).
    pub fn parse<'a>(files: impl IntoIterator<Item = (PathBuf, &'a str)>) -> Result<SpecFiles> {
        let mut parsed = SpecFiles::default();
        for (path, text) in files {
            if path.file_name().is_some_and(|n| n == "errors.toml") {
                let file: ErrorsFile = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                parsed.errors = Some((path, file));
            } else {
                let file: FamilyFile = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                parsed.families.push((path, file));
            }
        }
        Ok(parsed)
    }
}
