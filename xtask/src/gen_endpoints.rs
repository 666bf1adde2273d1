//! Emits `wecom-endpoints`: `Endpoint`, `Paged`, `Windowed` and `Validate` impls on the models'
//! request types, the `EndpointInfo` constants, and the `ErrorCode` enum.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::rust::{doc_attrs, ident, module_doc};
use crate::spec::{
    CursorStyle, EndpointDef, ErrorsFile, FamilyFile, FieldDef, Kind, Span, Spec, Ty, cursor_style, request_name,
    response_name,
};

/// What the endpoints generator needs.
pub struct Endpoints<'a> {
    pub spec: &'a Spec,
    /// Path of the models crate root (`::wecom_models`, or a module in the fixture crate).
    pub models: TokenStream,
    /// Structs that need a `Validate` impl (requests and what they contain).
    validated: BTreeSet<String>,
}

impl<'a> Endpoints<'a> {
    pub fn new(spec: &'a Spec, models: TokenStream) -> Self {
        let validated = request_side(spec);
        Endpoints { spec, models, validated }
    }

    /// Whether a family needs an endpoints module.
    pub fn has_family(&self, fam: &FamilyFile) -> bool {
        !fam.endpoint.is_empty() || fam.structs.iter().any(|s| self.validated.contains(&s.name))
    }

    fn model_path(&self, name: &str) -> TokenStream {
        let models = &self.models;
        let (family, _) = self.spec.kind(name).unwrap_or(("", Kind::Struct));
        let m = ident(family);
        let n = ident(name);
        quote!(#models::#m::#n)
    }

    /// Renders one family module.
    pub fn family(&self, fam: &FamilyFile) -> TokenStream {
        let doc = module_doc(&format!(
            "Endpoint descriptions of the `{}` family: the `EndpointInfo` constants, and the\n`Endpoint`, `Paged`, `Windowed` and `Validate` impls on its request types.\n\n{}",
            fam.family,
            fam.doc.trim()
        ));
        let mut items = Vec::new();
        let mut endpoints: Vec<&EndpointDef> = fam.endpoint.iter().collect();
        endpoints.sort_by(|a, b| a.name.cmp(&b.name));
        for ep in endpoints {
            items.push(self.endpoint(fam, ep));
        }
        let mut structs: Vec<&str> =
            fam.structs.iter().map(|s| s.name.as_str()).filter(|n| self.validated.contains(*n)).collect();
        structs.sort();
        for s in structs {
            let fields = self.spec.struct_fields(s).unwrap_or(&[]);
            items.push(self.validate_impl(s, fields, None));
        }
        quote! {
            #doc
            #(#items)*
        }
    }

    fn endpoint(&self, fam: &FamilyFile, ep: &EndpointDef) -> TokenStream {
        let id = format!("{}.{}", fam.family, ep.name);
        let konst = ident(&ep.name.to_shouty_snake_case());
        let req = self.model_path(&request_name(ep));
        let resp = self.model_path(&response_name(ep));
        let summary = summary(&ep.doc);
        let doc = doc_attrs(&format!("`{id}`: {summary}\n\n`{} {}` — <{}>", ep.method, ep.path, ep.doc_url));
        let family = &fam.family;
        let name = &ep.name;
        let method = if ep.method == "GET" { quote!(Get) } else { quote!(Post) };
        let path = &ep.path;
        let doc_url = &ep.doc_url;
        let access_token = ep.access_token;
        let rate = opt(ep.rate_limit_per_minute.map(|r| {
            let r = Literal::u32_unsuffixed(r);
            quote!(#r)
        }));
        let deprecated = opt(ep.deprecated.as_ref().map(|d| quote!(#d)));
        let errors = ep.error.iter().map(|e| {
            let code = error_variant(e.code);
            let zh = &e.zh;
            let en = &e.en;
            let hint = opt(e.hint.as_ref().map(|h| quote!(#h)));
            quote! {
                ::wecom_endpoints::EndpointError { code: #code, zh: #zh, en: #en, hint: #hint }
            }
        });
        let page = opt(ep.page.as_ref().map(|p| {
            let field = opt(p.field.as_ref().map(|f| quote!(#f)));
            let max = Literal::u32_unsuffixed(p.max);
            quote!(::wecom_endpoints::PageInfo { size_field: #field, max: #max })
        }));
        let window = opt(ep.window.as_ref().map(|w| {
            let start = &w.start;
            let end = &w.end;
            let span = span_tokens(&w.max_span);
            quote!(::wecom_endpoints::WindowInfo { start_field: #start, end_field: #end, max_span: #span })
        }));
        let cursor = opt(ep.cursor.as_ref().map(|c| {
            let style = style_tokens(&c.style);
            let request = &c.request;
            let response = &c.response;
            let items = &c.items;
            quote!(::wecom_endpoints::CursorInfo {
                style: #style,
                request_field: #request,
                response_field: #response,
                items_field: #items,
            })
        }));

        let paged = self.paged_impl(ep, &req, &resp);
        let windowed = self.windowed_impl(ep, &req);
        let validate = self.validate_impl(&request_name(ep), &ep.request.field, Some((ep, id.as_str())));
        quote! {
            #doc
            pub const #konst: ::wecom_endpoints::EndpointInfo = ::wecom_endpoints::EndpointInfo {
                id: #id,
                family: #family,
                name: #name,
                method: ::wecom_endpoints::Method::#method,
                path: #path,
                summary: #summary,
                doc_url: #doc_url,
                access_token: #access_token,
                rate_limit_per_minute: #rate,
                deprecated: #deprecated,
                errors: &[#(#errors),*],
                page: #page,
                window: #window,
                cursor: #cursor,
            };

            impl ::wecom_endpoints::Endpoint for #req {
                type Response = #resp;
                const INFO: &'static ::wecom_endpoints::EndpointInfo = &#konst;
            }

            impl ::wecom_endpoints::ApiResponse for #resp {
                fn errcode(&self) -> i64 {
                    self.errcode
                }
                fn errmsg(&self) -> &str {
                    &self.errmsg
                }
            }

            #paged
            #windowed
            #validate
        }
    }

    fn paged_impl(&self, ep: &EndpointDef, req: &TokenStream, resp: &TokenStream) -> TokenStream {
        let (Some(c), Some(page)) = (&ep.cursor, &ep.page) else { return quote!() };
        let Ok(style) = cursor_style(&c.style) else { return quote!() };
        let req_field = field(&ep.request.field, &c.request);
        let resp_field = field(&ep.response.field, &c.response);
        let rq = ident(&req_field.rust_ident());
        let rs = ident(&resp_field.rust_ident());
        let items_field = field(&ep.response.field, &c.items);
        let items = ident(&items_field.rust_ident());
        let Ty::List(elem) = items_field.ty_parsed() else { return quote!() };
        let item_ty = match &*elem {
            Ty::Named(n) => self.model_path(n),
            _ => quote!(String),
        };
        let item_key = match &c.item_key {
            Some(key) => {
                let k = ident(&field(self.spec.struct_fields(&named(&elem)).unwrap_or(&[]), key).rust_ident());
                quote!(item.#k.to_string())
            }
            None => quote!(item.clone()),
        };
        let (page_size, set_page_size) = match &page.field {
            Some(f) => {
                let f = ident(&field(&ep.request.field, f).rust_ident());
                (quote!(self.#f), quote!(self.#f = size;))
            }
            None => {
                let max = Literal::u32_unsuffixed(page.max);
                (quote!(#max), quote!(let _ = size;))
            }
        };
        let max = Literal::u64_unsuffixed(u64::from(page.max));
        let (cursor_ty, style_tok, get, set, next) = match style {
            CursorStyle::Offset => {
                let ty = scalar_ty(&req_field.ty_parsed());
                let flag = ident(&field(&ep.response.field, c.end_flag.as_deref().unwrap_or("")).rust_ident());
                (
                    ty,
                    quote!(Offset),
                    quote!((self.#rq != 0).then_some(self.#rq)),
                    quote!(self.#rq = cursor.unwrap_or(0);),
                    quote!(if response.#flag == 1 { None } else { Some(response.#rs) }),
                )
            }
            CursorStyle::Token => (
                quote!(String),
                quote!(Token),
                quote!((!self.#rq.is_empty()).then(|| self.#rq.clone())),
                quote!(self.#rq = cursor.unwrap_or_default();),
                quote!(response.#rs.clone().filter(|c| !c.is_empty())),
            ),
            CursorStyle::SpNum => {
                let ty = scalar_ty(&req_field.ty_parsed());
                let count_field = field(&ep.response.field, c.count.as_deref().unwrap_or(""));
                let count = ident(&count_field.rust_ident());
                let count = match count_field.ty_parsed() {
                    Ty::U64 => quote!(response.#count),
                    Ty::U32 => quote!(u64::from(response.#count)),
                    _ => quote!(u64::try_from(response.#count).unwrap_or(0)),
                };
                (
                    ty,
                    quote!(SpNum),
                    quote!(self.#rq),
                    quote!(self.#rq = cursor;),
                    // A short page is the last one: the server's pages are fixed at `max`.
                    quote!(if response.#items.is_empty() || #count < #max {
                        None
                    } else {
                        response.#rs
                    }),
                )
            }
        };
        quote! {
            impl ::wecom_endpoints::Paged for #req {
                type Cursor = #cursor_ty;
                type Item = #item_ty;
                const STYLE: ::wecom_endpoints::CursorStyle = ::wecom_endpoints::CursorStyle::#style_tok;

                fn page_cursor(&self) -> Option<Self::Cursor> {
                    #get
                }
                fn set_cursor(&mut self, cursor: Option<Self::Cursor>) {
                    #set
                }
                fn page_size(&self) -> u32 {
                    #page_size
                }
                fn set_page_size(&mut self, size: u32) {
                    #set_page_size
                }
                fn next_cursor(response: &#resp) -> Option<Self::Cursor> {
                    #next
                }
                fn items(response: #resp) -> Vec<Self::Item> {
                    response.#items
                }
                fn item_key(item: &Self::Item) -> String {
                    #item_key
                }
            }
        }
    }

    fn windowed_impl(&self, ep: &EndpointDef, req: &TokenStream) -> TokenStream {
        let Some(w) = &ep.window else { return quote!() };
        let start = field(&ep.request.field, &w.start);
        let end = field(&ep.request.field, &w.end);
        let s = ident(&start.rust_ident());
        let e = ident(&end.rust_ident());
        let get = |f: &FieldDef, id: &proc_macro2::Ident| match f.ty_parsed() {
            Ty::U32 => quote!(u64::from(self.#id)),
            _ => quote!(self.#id),
        };
        let set = |f: &FieldDef, id: &proc_macro2::Ident, v: TokenStream| match f.ty_parsed() {
            Ty::U32 => quote!(self.#id = u32::try_from(#v).unwrap_or(u32::MAX);),
            _ => quote!(self.#id = #v;),
        };
        let (gs, ge) = (get(start, &s), get(end, &e));
        let (ss, se) = (set(start, &s, quote!(start)), set(end, &e, quote!(end)));
        quote! {
            impl ::wecom_endpoints::Windowed for #req {
                fn window(&self) -> (u64, u64) {
                    (#gs, #ge)
                }
                fn set_window(&mut self, start: u64, end: u64) {
                    #ss
                    #se
                }
            }
        }
    }

    /// `Validate` for a request (with its endpoint) or a struct inside one.
    fn validate_impl(&self, name: &str, fields: &[FieldDef], endpoint: Option<(&EndpointDef, &str)>) -> TokenStream {
        let path = self.model_path(name);
        let page_field =
            endpoint.and_then(|(ep, _)| ep.page.as_ref().and_then(|p| p.field.clone().map(|f| (f, p.max))));
        let mut checks = Vec::new();
        for f in fields {
            let page_max = page_field.as_ref().filter(|(pf, _)| *pf == f.name).map(|(_, m)| *m);
            checks.push(self.field_checks(f, page_max));
        }
        if let Some((ep, _)) = endpoint {
            if let Some(w) = &ep.window {
                let start = field(&ep.request.field, &w.start);
                let end = field(&ep.request.field, &w.end);
                let conv = |f: &FieldDef| {
                    let id = ident(&f.rust_ident());
                    match f.ty_parsed() {
                        Ty::U32 => quote!(u64::from(this.#id)),
                        _ => quote!(this.#id),
                    }
                };
                let (sv, ev) = (conv(start), conv(end));
                let (sn, en) = (&w.start, &w.end);
                let span = span_tokens(&w.max_span);
                checks.push(quote! { v::window(#sn, #en, #sv, #ev, #span)?; });
            }
        }
        let map_err = match endpoint {
            Some((_, id)) => quote!(.map_err(|e| e.for_endpoint(#id))),
            None => quote!(),
        };
        let this_used = if checks.iter().all(|c| c.is_empty()) { quote!(_this) } else { quote!(this) };
        let use_v = if checks.iter().all(|c| c.is_empty()) {
            quote!()
        } else {
            quote!(
                use ::wecom_endpoints::__private as v;
            )
        };
        quote! {
            impl ::wecom_endpoints::Validate for #path {
                fn validate(&self) -> Result<(), ::wecom_endpoints::ValidationError> {
                    fn check(#this_used: &#path) -> Result<(), ::wecom_endpoints::ValidationError> {
                        #use_v
                        #(#checks)*
                        Ok(())
                    }
                    check(self) #map_err
                }
            }
        }
    }

    fn field_checks(&self, f: &FieldDef, page_max: Option<u32>) -> TokenStream {
        let ty = f.ty_parsed();
        let id = ident(&f.rust_ident());
        let wire = &f.name;
        let (leaf, list) = match &ty {
            Ty::List(inner) => ((**inner).clone(), true),
            other => (other.clone(), false),
        };
        let leaf_kind = match &leaf {
            Ty::Named(n) => self.spec.kind(n).map(|(_, k)| k),
            _ => None,
        };
        // Checks on one value bound to `value`, at path `p`.
        let mut on_value = Vec::new();
        let as_str = match (&leaf, leaf_kind) {
            (Ty::Secret, _) => Some(quote!(value.expose())),
            (Ty::String, _) => Some(quote!(value.as_str())),
            (Ty::NumberString | Ty::JsonString, _) => Some(quote!(value.as_str())),
            (_, Some(Kind::StringEnum)) => Some(quote!(value.as_str())),
            _ => None,
        };
        if f.required && f.default.is_none() && !list {
            if let (Some(s), true) = (&as_str, leaf.is_stringish() || leaf == Ty::Secret) {
                on_value.push(quote! { v::non_empty(p, #s)?; });
            }
        }
        if let (Some(max), Some(s)) = (f.max_bytes, &as_str) {
            on_value.push(quote! { v::max_bytes(p, #s, #max)?; });
        }
        let (mut lo, mut hi) = (f.min.map(i128::from), f.max.map(i128::from));
        if let Some(pm) = page_max {
            lo = Some(lo.map_or(1, |l| l.max(1)));
            hi = Some(hi.map_or(i128::from(pm), |h| h.min(i128::from(pm))));
        }
        if (lo.is_some() || hi.is_some()) && leaf.is_integer() {
            let lo = opt(lo.map(|l| {
                let l = Literal::i128_unsuffixed(l);
                quote!(#l)
            }));
            let hi = opt(hi.map(|h| {
                let h = Literal::i128_unsuffixed(h);
                quote!(#h)
            }));
            on_value.push(quote! { v::range(p, i128::from(*value), #lo, #hi)?; });
        }
        if leaf_kind == Some(Kind::Struct) {
            on_value.push(quote! { v::nested(p, value)?; });
        }
        let mut out = Vec::new();
        if !on_value.is_empty() {
            let optional = !f.required && !list;
            out.push(if list {
                let fmt = format!("{wire}[{{i}}]");
                quote! {
                    for (i, value) in this.#id.iter().enumerate() {
                        let p = &format!(#fmt);
                        #(#on_value)*
                    }
                }
            } else if optional {
                quote! {
                    if let Some(value) = &this.#id {
                        let p = #wire;
                        #(#on_value)*
                    }
                }
            } else {
                quote! {
                    {
                        let value = &this.#id;
                        let p = #wire;
                        #(#on_value)*
                    }
                }
            });
        }
        if let Some(key) = &f.unique_key {
            let elem_fields = self.spec.struct_fields(&named(&leaf)).unwrap_or(&[]);
            let kf = field(elem_fields, key);
            let k = ident(&kf.rust_ident());
            let repeatable = &f.repeatable;
            out.push(quote! {
                v::unique(#wire, #key, this.#id.iter().map(|e| e.#k.as_str()), &[#(#repeatable),*])?;
            });
        }
        quote! { #(#out)* }
    }
}

fn request_side(spec: &Spec) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = spec.endpoints().iter().map(|(_, ep)| request_name(ep)).collect();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        for f in spec.struct_fields(&n).unwrap_or(&[]) {
            let ty = f.ty_parsed();
            let leaf = match &ty {
                Ty::List(inner) => (**inner).clone(),
                other => other.clone(),
            };
            if let Ty::Named(name) = leaf {
                if matches!(spec.kind(&name), Some((_, Kind::Struct))) {
                    stack.push(name);
                }
            }
        }
    }
    // Requests themselves get their impl next to the endpoint.
    for (_, ep) in spec.endpoints() {
        seen.remove(&request_name(ep));
    }
    seen
}

fn field<'f>(fields: &'f [FieldDef], name: &str) -> &'f FieldDef {
    // The spec was validated: the field exists.
    fields.iter().find(|f| f.name == name).unwrap_or(&fields[0])
}

fn named(ty: &Ty) -> String {
    match ty {
        Ty::Named(n) => n.clone(),
        _ => String::new(),
    }
}

fn scalar_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::U32 => quote!(u32),
        Ty::U64 | Ty::IntString => quote!(u64),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        _ => quote!(String),
    }
}

fn opt(v: Option<TokenStream>) -> TokenStream {
    match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

fn span_tokens(s: &str) -> TokenStream {
    let (unit, n) = match Span::parse(s) {
        Ok(Span::Days(n)) => (quote!(Days), n),
        Ok(Span::Months(n)) => (quote!(Months), n),
        Ok(Span::Years(n)) => (quote!(Years), n),
        Err(_) => (quote!(Days), 1),
    };
    let n = Literal::u32_unsuffixed(n);
    quote!(::wecom_endpoints::MaxSpan::#unit(#n))
}

/// The first paragraph of a doc, on one line.
pub fn summary(doc: &str) -> String {
    doc.trim().split("\n\n").next().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn style_tokens(s: &str) -> TokenStream {
    match cursor_style(s) {
        Ok(CursorStyle::Offset) => quote!(::wecom_endpoints::CursorStyle::Offset),
        Ok(CursorStyle::Token) => quote!(::wecom_endpoints::CursorStyle::Token),
        _ => quote!(::wecom_endpoints::CursorStyle::SpNum),
    }
}

fn error_variant(code: i64) -> TokenStream {
    let lit = Literal::i64_unsuffixed(code);
    quote!(::wecom_endpoints::ErrorCode::from_code(#lit))
}

/// `generated/errors.rs`: the `ErrorCode` enum.
pub fn errors(file: &ErrorsFile) -> TokenStream {
    let doc = module_doc(&file.doc);
    let mut errors = file.error.clone();
    errors.sort_by_key(|e| e.code);
    let names: Vec<_> = errors.iter().map(|e| ident(&e.name)).collect();
    let codes: Vec<Literal> = errors.iter().map(|e| Literal::i64_unsuffixed(e.code)).collect();
    let docs: Vec<TokenStream> = errors
        .iter()
        .map(|e| {
            let mut d = format!("`{}` {} — {}", e.code, e.zh, e.en);
            if let Some(h) = &e.hint {
                d.push_str(&format!("\n\n{h}"));
            }
            doc_attrs(&d)
        })
        .collect();
    let zh: Vec<&String> = errors.iter().map(|e| &e.zh).collect();
    let en: Vec<&String> = errors.iter().map(|e| &e.en).collect();
    let classes: Vec<TokenStream> = errors
        .iter()
        .map(|e| {
            let c = ident(&e.class.to_upper_camel_case());
            quote!(::wecom_endpoints::ErrorClass::#c)
        })
        .collect();
    let hints: Vec<TokenStream> = errors.iter().map(|e| opt(e.hint.as_ref().map(|h| quote!(#h)))).collect();
    quote! {
        #doc

        /// A WeCom return code (`errcode`), with its documented meaning and the class a client
        /// acts on.
        ///
        /// Open enum: a code this SDK does not know arrives as `Unknown` with its value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#docs #names,)*
            /// A code this SDK does not know.
            Unknown(i64),
        }

        impl ErrorCode {
            /// Every documented code.
            pub const KNOWN: &'static [Self] = &[#(Self::#names),*];

            /// The numeric code.
            pub const fn code(self) -> i64 {
                match self {
                    #(Self::#names => #codes,)*
                    Self::Unknown(v) => v,
                }
            }

            /// The variant for a numeric code (never fails).
            pub const fn from_code(code: i64) -> Self {
                match code {
                    #(#codes => Self::#names,)*
                    other => Self::Unknown(other),
                }
            }

            /// The documented Chinese text.
            pub const fn meaning_zh(self) -> &'static str {
                match self {
                    #(Self::#names => #zh,)*
                    Self::Unknown(_) => "未知错误码",
                }
            }

            /// An English gloss of the documented text.
            pub const fn meaning_en(self) -> &'static str {
                match self {
                    #(Self::#names => #en,)*
                    Self::Unknown(_) => "unknown error code",
                }
            }

            /// What a client does with it.
            pub const fn class(self) -> ::wecom_endpoints::ErrorClass {
                match self {
                    #(Self::#names => #classes,)*
                    Self::Unknown(_) => ::wecom_endpoints::ErrorClass::Other,
                }
            }

            /// What a person should do about it, when known.
            pub const fn hint(self) -> Option<&'static str> {
                match self {
                    #(Self::#names => #hints,)*
                    Self::Unknown(_) => None,
                }
            }

            /// False for a code this SDK does not know.
            pub const fn is_known(self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<i64> for ErrorCode {
            fn from(code: i64) -> Self {
                Self::from_code(code)
            }
        }

        impl ::std::fmt::Display for ErrorCode {
            /// `301055 (无审批应用数据拉取权限 / no permission to pull approval data)`.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{} ({} / {})", self.code(), self.meaning_zh(), self.meaning_en())
            }
        }
    }
}

/// `generated/mod.rs` of the endpoints crate.
pub fn mod_file(endpoints: &Endpoints<'_>, with_errors: bool) -> TokenStream {
    let mut mods: Vec<String> = endpoints
        .spec
        .families
        .iter()
        .filter(|(_, f)| endpoints.has_family(f))
        .map(|(_, f)| f.family.clone())
        .collect();
    if with_errors {
        mods.push("errors".into());
    }
    mods.sort();
    let mod_items = mods.iter().map(|m| {
        let id = ident(m);
        quote!(pub mod #id;)
    });
    let all = endpoints.spec.endpoints().into_iter().map(|(fam, ep)| {
        let m = ident(&fam.family);
        let k = ident(&ep.name.to_shouty_snake_case());
        quote!(&#m::#k)
    });
    quote! {
        #(#mod_items)*

        /// Every endpoint in the spec, sorted by id.
        pub static ALL: &[&::wecom_endpoints::EndpointInfo] = &[#(#all),*];
    }
}
