//! Endpoints: method and path, and the page, window and cursor sections, each field reference
//! resolved to the request or response field it names and checked for the shape the
//! generated `Paged`/`Windowed` code needs.

use std::collections::BTreeSet;

use super::names::{EndpointDecl, FamilyDecl};
use super::{At, Problem, SpecError};
use crate::model::{
    Cursor, CursorStyle, Endpoint, EndpointError, ErrorTable, Field, ItemRef, Method, Page, PageItem, Scalar, Shape,
    Span, Ty, UIntTy, Window, WindowField,
};
use crate::spec::{CursorDef, PageDef, WindowDef};

/// Resolves one endpoint; `structs` are every struct's resolved fields.
pub(crate) fn resolve(
    structs: &[Vec<Field>],
    errors: Option<&ErrorTable>,
    fam: &FamilyDecl<'_>,
    ep: &EndpointDecl<'_>,
) -> Result<Endpoint, SpecError> {
    let def = ep.def;
    let at = &ep.at;
    let method = match def.method.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        other => return Err(at.err(Problem::Method { method: other.to_string() })),
    };
    if !def.path.starts_with('/') {
        return Err(at.err(Problem::Path { path: def.path.clone() }));
    }
    if def.rate_limit_per_minute == Some(0) {
        return Err(at.err(Problem::RateLimitZero));
    }
    let msg = Message { request: &structs[ep.request.0], response: &structs[ep.response.0], at };
    if msg.response.iter().any(|f| f.wire == "errcode" || f.wire == "errmsg") {
        return Err(at.err(Problem::ErrcodeDeclared));
    }
    let page = match &def.page {
        Some(p) => Some(page(structs, &msg, p, def.cursor.as_ref())?),
        None if def.cursor.is_some() => return Err(at.err(Problem::CursorWithoutPage)),
        None => None,
    };
    let window = def.window.as_ref().map(|w| window(&msg, w)).transpose()?;
    let mut codes = BTreeSet::new();
    let mut ep_errors = Vec::with_capacity(def.error.len());
    for e in &def.error {
        if !codes.insert(e.code) {
            return Err(at.err(Problem::EndpointErrorTwice { code: e.code }));
        }
        if errors.is_some_and(|t| !t.codes.iter().any(|c| c.code == e.code)) {
            return Err(at.err(Problem::EndpointErrorUnknown { code: e.code }));
        }
        ep_errors.push(EndpointError { code: e.code, zh: e.zh.clone(), en: e.en.clone(), hint: e.hint.clone() });
    }
    Ok(Endpoint {
        name: def.name.clone(),
        id: format!("{}.{}", fam.module, def.name),
        konst: ep.konst.clone(),
        method,
        path: def.path.clone(),
        doc: def.doc.clone(),
        doc_url: def.doc_url.clone(),
        rate_limit_per_minute: def.rate_limit_per_minute,
        access_token: def.access_token,
        deprecated: def.deprecated.clone(),
        request: ep.request,
        response: ep.response,
        page,
        window,
        errors: ep_errors,
    })
}

/// An endpoint's request and response fields, for resolving references.
struct Message<'m> {
    request: &'m [Field],
    response: &'m [Field],
    at: &'m At<'m>,
}

impl Message<'_> {
    fn request(&self, what: &'static str, name: &str) -> Result<Field, SpecError> {
        match self.request.iter().find(|f| f.wire == name) {
            Some(f) => Ok(f.clone()),
            None => Err(self.at.err(Problem::NotARequestField { what, name: name.to_string() })),
        }
    }

    fn response(&self, what: &'static str, name: &str) -> Result<Field, SpecError> {
        match self.response.iter().find(|f| f.wire == name) {
            Some(f) => Ok(f.clone()),
            None => Err(self.at.err(Problem::NotAResponseField { what, name: name.to_string() })),
        }
    }
}

fn page(
    structs: &[Vec<Field>],
    msg: &Message<'_>,
    p: &PageDef,
    cursor_def: Option<&CursorDef>,
) -> Result<Page, SpecError> {
    if p.max == 0 {
        return Err(msg.at.err(Problem::PageMaxZero));
    }
    let size_field = match &p.field {
        Some(name) => {
            let f = msg.request("page.field", name)?;
            if !f.ty.is(Scalar::U32) || !matches!(f.shape, Shape::Required { .. }) {
                return Err(msg.at.err(Problem::PageFieldType { name: name.clone() }));
            }
            Some(f)
        }
        None => None,
    };
    let cursor = cursor_def.map(|c| cursor(structs, msg, c)).transpose()?;
    Ok(Page { size_field, max: p.max, cursor })
}

fn window(msg: &Message<'_>, w: &WindowDef) -> Result<Window, SpecError> {
    let max_span = parse_span(&w.max_span).map_err(|p| msg.at.err(p))?;
    let bound = |name: &str| -> Result<WindowField, SpecError> {
        let field = msg.request("window field", name)?;
        let int = match (&field.ty, &field.shape) {
            (Ty::Scalar(Scalar::U32), Shape::Required { .. }) => UIntTy::U32,
            (Ty::Scalar(Scalar::U64 | Scalar::IntString), Shape::Required { .. }) => UIntTy::U64,
            _ => return Err(msg.at.err(Problem::WindowFieldType { name: name.to_string() })),
        };
        Ok(WindowField { field, int })
    };
    Ok(Window { start: bound(&w.start)?, end: bound(&w.end)?, max_span })
}

/// `"31 days"`, `"1 month"`, `"1 year"`.
fn parse_span(s: &str) -> Result<Span, Problem> {
    let mut parts = s.split_whitespace();
    let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Problem::SpanSyntax { span: s.to_string() });
    };
    let Ok(n) = n.parse::<u32>() else {
        return Err(Problem::SpanCount { span: s.to_string(), count: n.to_string() });
    };
    if n == 0 {
        return Err(Problem::SpanZero { span: s.to_string() });
    }
    match unit {
        "day" | "days" => Ok(Span::Days(n)),
        "month" | "months" => Ok(Span::Months(n)),
        "year" | "years" => Ok(Span::Years(n)),
        _ => Err(Problem::SpanUnit { span: s.to_string(), unit: unit.to_string() }),
    }
}

/// The style a cursor section names, before its fields are checked.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Offset,
    Token,
    SpNum,
}

impl Style {
    fn name(self) -> &'static str {
        match self {
            Style::Offset => "offset",
            Style::Token => "token",
            Style::SpNum => "spnum",
        }
    }
}

fn cursor(structs: &[Vec<Field>], msg: &Message<'_>, c: &CursorDef) -> Result<Cursor, SpecError> {
    let at = msg.at;
    let style = match c.style.as_str() {
        "offset" => Style::Offset,
        "token" => Style::Token,
        "spnum" => Style::SpNum,
        other => return Err(at.err(Problem::CursorStyle { style: other.to_string() })),
    };
    let request = msg.request("cursor.request", &c.request)?;
    let response = msg.response("cursor.response", &c.response)?;
    let items = msg.response("cursor.items", &c.items)?;
    if items.shape != Shape::List {
        return Err(at.err(Problem::CursorItemsNotList { name: c.items.clone() }));
    }
    let item = match (&items.ty, &c.item_key) {
        (Ty::Scalar(Scalar::String), None) => PageItem::String,
        (Ty::Named(t), Some(key)) => {
            let ItemRef::Struct(id) = t.item else {
                return Err(at.err(Problem::CursorItemNotStruct { ty: t.name.to_string() }));
            };
            let ty = t.name.to_string();
            let Some(k) = structs[id.0].iter().find(|f| &f.wire == key) else {
                return Err(at.err(Problem::CursorItemKeyMissing { key: key.clone(), ty }));
            };
            // The key is shown with `to_string()`: a required value with a `Display`.
            let shown = match &k.ty {
                Ty::Scalar(s) => s.int().is_some() || matches!(s, Scalar::String | Scalar::NumberString),
                Ty::Named(t) => matches!(t.item, ItemRef::IntEnum(_) | ItemRef::StringEnum(_)),
            };
            if !shown || !matches!(k.shape, Shape::Required { .. }) {
                return Err(at.err(Problem::CursorItemKeyType { key: key.clone(), ty }));
            }
            PageItem::Struct { ty: t.clone(), key: Box::new(k.clone()) }
        }
        _ => return Err(at.err(Problem::CursorItemKey)),
    };
    let required_int = |f: &Field| match f.shape {
        Shape::Required { .. } => f.ty.int(),
        _ => None,
    };
    let optional_int = |f: &Field| if f.shape == Shape::Optional { f.ty.int() } else { None };
    let needed = |what, name| style_field(msg, style, what, name, true);
    let unused = |what, name| style_field(msg, style, what, name, false);
    let style = match style {
        Style::Offset => {
            let end_flag = needed("end_flag", c.end_flag.as_deref())?;
            unused("count", c.count.as_deref())?;
            let int = required_int(&request).filter(|_| request.default().is_some());
            match (int, required_int(&response), end_flag) {
                (Some(int), Some(resp), Some(end_flag)) if int == resp && required_int(&end_flag).is_some() => {
                    CursorStyle::Offset { int, end_flag }
                }
                _ => return Err(at.err(Problem::OffsetShape)),
            }
        }
        Style::Token => {
            unused("end_flag", c.end_flag.as_deref())?;
            unused("count", c.count.as_deref())?;
            let ok = request.ty.is(Scalar::String)
                && request.default().is_some()
                && response.ty.is(Scalar::String)
                && response.shape == Shape::Optional;
            if !ok {
                return Err(at.err(Problem::TokenShape));
            }
            CursorStyle::Token
        }
        Style::SpNum => {
            unused("end_flag", c.end_flag.as_deref())?;
            let count = needed("count", c.count.as_deref())?;
            let count_int = count.as_ref().and_then(required_int);
            match (optional_int(&request), optional_int(&response), count, count_int) {
                (Some(int), Some(resp), Some(count), Some(count_int)) if int == resp => {
                    CursorStyle::SpNum { int, count, count_int }
                }
                _ => return Err(at.err(Problem::SpNumShape)),
            }
        }
    };
    Ok(Cursor { request, response, items, item, style })
}

/// A response field that only some styles use: required when `wanted`, refused otherwise.
fn style_field(
    msg: &Message<'_>,
    style: Style,
    what: &'static str,
    name: Option<&str>,
    wanted: bool,
) -> Result<Option<Field>, SpecError> {
    match (name, wanted) {
        (Some(name), true) => {
            let what = if what == "end_flag" { "cursor.end_flag" } else { "cursor.count" };
            msg.response(what, name).map(Some)
        }
        (None, true) => Err(msg.at.err(Problem::CursorNeeds { style: style.name(), what })),
        (Some(_), false) => Err(msg.at.err(Problem::CursorUnused { style: style.name(), what })),
        (None, false) => Ok(None),
    }
}
