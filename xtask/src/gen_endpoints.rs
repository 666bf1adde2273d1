//! Emits `wecom-endpoints`: `Endpoint`, `Paged`, `Windowed` and `Validate` impls on the models'
//! request types, the `EndpointInfo` constants, and the `ErrorCode` enum. Reads only the
//! resolved [`Model`].

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::model::{
    CursorStyle, Endpoint, ErrorTable, Family, Field, IntTy, ItemRef, Method, Model, PageItem, Scalar, Shape, Span,
    StructId, Ty, UIntTy, WindowField,
};
use crate::rust::{doc_attrs, module_doc};

/// The endpoints emitter.
pub struct Endpoints<'a> {
    pub model: &'a Model,
    /// Path of the models crate root (`::wecom_models`, or a module in the fixture crate).
    pub models: TokenStream,
}

impl<'a> Endpoints<'a> {
    pub fn new(model: &'a Model, models: TokenStream) -> Self {
        Endpoints { model, models }
    }

    /// Whether a family needs an endpoints module.
    pub fn has_family(&self, fam: &Family) -> bool {
        !fam.endpoints.is_empty() || fam.structs.iter().any(|id| self.model.is_input(*id))
    }

    fn model_path(&self, module: &Ident, name: &Ident) -> TokenStream {
        let models = &self.models;
        quote!(#models::#module::#name)
    }

    fn struct_path(&self, id: StructId) -> TokenStream {
        let s = self.model.strukt(id);
        self.model_path(&s.module, &s.name)
    }

    /// Renders one family module.
    pub fn family(&self, fam: &Family) -> TokenStream {
        let doc = module_doc(&format!(
            "Endpoint descriptions of the `{}` family: the `EndpointInfo` constants, and the\n`Endpoint`, `Paged`, `Windowed` and `Validate` impls on its request types.\n\n{}",
            fam.module,
            fam.doc.trim()
        ));
        let mut items = Vec::new();
        for ep in &fam.endpoints {
            items.push(self.endpoint(fam, ep));
        }
        let mut inputs: Vec<StructId> = fam.structs.iter().copied().filter(|id| self.model.is_input(*id)).collect();
        inputs.sort_by_key(|id| self.model.strukt(*id).name.to_string());
        for id in inputs {
            items.push(self.validate_impl(id, None));
        }
        quote! {
            #doc
            #(#items)*
        }
    }

    fn endpoint(&self, fam: &Family, ep: &Endpoint) -> TokenStream {
        let id = &ep.id;
        let konst = &ep.konst;
        let req = self.struct_path(ep.request);
        let resp = self.struct_path(ep.response);
        let summary = summary(&ep.doc);
        let doc = doc_attrs(&format!("`{id}`: {summary}\n\n`{} {}` — <{}>", ep.method.as_str(), ep.path, ep.doc_url));
        let family = fam.module.to_string();
        let name = &ep.name;
        let method = match ep.method {
            Method::Get => quote!(Get),
            Method::Post => quote!(Post),
        };
        let path = &ep.path;
        let doc_url = &ep.doc_url;
        let access_token = ep.access_token;
        let rate = opt(ep.rate_limit_per_minute.map(|r| {
            let r = Literal::u32_unsuffixed(r);
            quote!(#r)
        }));
        let deprecated = opt(ep.deprecated.as_ref().map(|d| quote!(#d)));
        let errors = ep.errors.iter().map(|e| {
            let code = error_variant(e.code);
            let zh = &e.zh;
            let en = &e.en;
            let hint = opt(e.hint.as_ref().map(|h| quote!(#h)));
            quote! {
                ::wecom_endpoints::EndpointError { code: #code, zh: #zh, en: #en, hint: #hint }
            }
        });
        let page = opt(ep.page.as_ref().map(|p| {
            let field = opt(p.size_field.as_ref().map(|f| {
                let wire = &f.wire;
                quote!(#wire)
            }));
            let max = Literal::u32_unsuffixed(p.max);
            quote!(::wecom_endpoints::PageInfo { size_field: #field, max: #max })
        }));
        let window = opt(ep.window.as_ref().map(|w| {
            let start = &w.start.field.wire;
            let end = &w.end.field.wire;
            let span = span_tokens(w.max_span);
            quote!(::wecom_endpoints::WindowInfo { start_field: #start, end_field: #end, max_span: #span })
        }));
        let cursor = opt(ep.page.as_ref().and_then(|p| p.cursor.as_ref()).map(|c| {
            let style = match c.style {
                CursorStyle::Offset { .. } => quote!(::wecom_endpoints::CursorStyle::Offset),
                CursorStyle::Token => quote!(::wecom_endpoints::CursorStyle::Token),
                CursorStyle::SpNum { .. } => quote!(::wecom_endpoints::CursorStyle::SpNum),
            };
            let request = &c.request.wire;
            let response = &c.response.wire;
            let items = &c.items.wire;
            quote!(::wecom_endpoints::CursorInfo {
                style: #style,
                request_field: #request,
                response_field: #response,
                items_field: #items,
            })
        }));

        let paged = self.paged_impl(ep, &req, &resp);
        let windowed = windowed_impl(ep, &req);
        let validate = self.validate_impl(ep.request, Some(ep));
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

    fn paged_impl(&self, ep: &Endpoint, req: &TokenStream, resp: &TokenStream) -> TokenStream {
        let Some(page) = &ep.page else { return quote!() };
        let Some(c) = &page.cursor else { return quote!() };
        let rq = &c.request.ident;
        let rs = &c.response.ident;
        let items = &c.items.ident;
        let (item_ty, item_key) = match &c.item {
            PageItem::String => (quote!(String), quote!(item.clone())),
            PageItem::Struct { ty, key } => {
                let k = &key.ident;
                (self.model_path(&ty.module, &ty.name), quote!(item.#k.to_string()))
            }
        };
        let (page_size, set_page_size) = match &page.size_field {
            Some(f) => {
                let f = &f.ident;
                (quote!(self.#f), quote!(self.#f = size;))
            }
            None => {
                let max = Literal::u32_unsuffixed(page.max);
                (quote!(#max), quote!(let _ = size;))
            }
        };
        let max = Literal::u64_unsuffixed(u64::from(page.max));
        let (cursor_ty, style_tok, get, set, next) = match &c.style {
            CursorStyle::Offset { int, end_flag } => {
                let flag = &end_flag.ident;
                (
                    int_ty(*int),
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
            CursorStyle::SpNum { int, count, count_int } => {
                let count = &count.ident;
                let count = match count_int {
                    IntTy::U64 => quote!(response.#count),
                    IntTy::U32 => quote!(u64::from(response.#count)),
                    IntTy::I32 | IntTy::I64 => quote!(u64::try_from(response.#count).unwrap_or(0)),
                };
                (
                    int_ty(*int),
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

    /// `Validate` for a request (with its endpoint) or a struct inside one.
    fn validate_impl(&self, id: StructId, endpoint: Option<&Endpoint>) -> TokenStream {
        let path = self.struct_path(id);
        let fields = &self.model.strukt(id).fields;
        let page = endpoint.and_then(|ep| ep.page.as_ref());
        let page_field = page.and_then(|p| p.size_field.as_ref().map(|f| (f.wire.as_str(), p.max)));
        let mut checks = Vec::new();
        for f in fields {
            let page_max = page_field.filter(|(pf, _)| *pf == f.wire).map(|(_, m)| m);
            checks.push(self.field_checks(f, page_max));
        }
        if let Some(w) = endpoint.and_then(|ep| ep.window.as_ref()) {
            let (sv, ev) = (window_get(&w.start, quote!(this)), window_get(&w.end, quote!(this)));
            let (sn, en) = (&w.start.field.wire, &w.end.field.wire);
            let span = span_tokens(w.max_span);
            checks.push(quote! { v::window(#sn, #en, #sv, #ev, #span)?; });
        }
        let map_err = match endpoint {
            Some(ep) => {
                let id = &ep.id;
                quote!(.map_err(|e| e.for_endpoint(#id)))
            }
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

    fn field_checks(&self, f: &Field, page_max: Option<u32>) -> TokenStream {
        let id = &f.ident;
        let wire = &f.wire;
        // Checks on one value bound to `value`, at path `p`.
        let mut on_value = Vec::new();
        let as_str = match &f.ty {
            Ty::Scalar(Scalar::Secret) => Some(quote!(value.expose())),
            Ty::Scalar(Scalar::String | Scalar::NumberString | Scalar::JsonString) => Some(quote!(value.as_str())),
            Ty::Named(t) if matches!(t.item, ItemRef::StringEnum(_)) => Some(quote!(value.as_str())),
            _ => None,
        };
        let text = matches!(&f.ty, Ty::Scalar(s) if s.is_text());
        if let (Shape::Required { default: None }, Some(s), true) = (&f.shape, &as_str, text) {
            on_value.push(quote! { v::non_empty(p, #s)?; });
        }
        if let (Some(max), Some(s)) = (f.max_bytes, &as_str) {
            on_value.push(quote! { v::max_bytes(p, #s, #max)?; });
        }
        let (mut lo, mut hi) = (f.min.map(i128::from), f.max.map(i128::from));
        if let Some(pm) = page_max {
            lo = Some(lo.map_or(1, |l| l.max(1)));
            hi = Some(hi.map_or(i128::from(pm), |h| h.min(i128::from(pm))));
        }
        if (lo.is_some() || hi.is_some()) && f.ty.int().is_some() {
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
        if matches!(&f.ty, Ty::Named(t) if matches!(t.item, ItemRef::Struct(_))) {
            on_value.push(quote! { v::nested(p, value)?; });
        }
        let mut out = Vec::new();
        if !on_value.is_empty() {
            out.push(match f.shape {
                Shape::List => {
                    let fmt = format!("{wire}[{{i}}]");
                    quote! {
                        for (i, value) in this.#id.iter().enumerate() {
                            let p = &format!(#fmt);
                            #(#on_value)*
                        }
                    }
                }
                Shape::Optional => quote! {
                    if let Some(value) = &this.#id {
                        let p = #wire;
                        #(#on_value)*
                    }
                },
                Shape::Required { .. } => quote! {
                    {
                        let value = &this.#id;
                        let p = #wire;
                        #(#on_value)*
                    }
                },
            });
        }
        if let Some(u) = &f.unique {
            let key = &u.key_wire;
            let k = &u.key_ident;
            let repeatable = &u.repeatable;
            out.push(quote! {
                v::unique(#wire, #key, this.#id.iter().map(|e| e.#k.as_str()), &[#(#repeatable),*])?;
            });
        }
        quote! { #(#out)* }
    }
}

fn windowed_impl(ep: &Endpoint, req: &TokenStream) -> TokenStream {
    let Some(w) = &ep.window else { return quote!() };
    let (gs, ge) = (window_get(&w.start, quote!(self)), window_get(&w.end, quote!(self)));
    let (ss, se) = (window_set(&w.start, quote!(start)), window_set(&w.end, quote!(end)));
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

/// A window bound read as `u64` from `this`.
fn window_get(w: &WindowField, this: TokenStream) -> TokenStream {
    let id = &w.field.ident;
    match w.int {
        UIntTy::U32 => quote!(u64::from(#this.#id)),
        UIntTy::U64 => quote!(#this.#id),
    }
}

/// Sets a window bound from a `u64`.
fn window_set(w: &WindowField, v: TokenStream) -> TokenStream {
    let id = &w.field.ident;
    match w.int {
        UIntTy::U32 => quote!(self.#id = u32::try_from(#v).unwrap_or(u32::MAX);),
        UIntTy::U64 => quote!(self.#id = #v;),
    }
}

fn int_ty(int: IntTy) -> TokenStream {
    match int {
        IntTy::U32 => quote!(u32),
        IntTy::U64 => quote!(u64),
        IntTy::I32 => quote!(i32),
        IntTy::I64 => quote!(i64),
    }
}

fn opt(v: Option<TokenStream>) -> TokenStream {
    match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

fn span_tokens(span: Span) -> TokenStream {
    let (unit, n) = match span {
        Span::Days(n) => (quote!(Days), n),
        Span::Months(n) => (quote!(Months), n),
        Span::Years(n) => (quote!(Years), n),
    };
    let n = Literal::u32_unsuffixed(n);
    quote!(::wecom_endpoints::MaxSpan::#unit(#n))
}

/// The first paragraph of a doc, on one line.
pub fn summary(doc: &str) -> String {
    doc.trim().split("\n\n").next().unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn error_variant(code: i64) -> TokenStream {
    let lit = Literal::i64_unsuffixed(code);
    quote!(::wecom_endpoints::ErrorCode::from_code(#lit))
}

/// `generated/errors.rs`: the `ErrorCode` enum.
pub fn errors(table: &ErrorTable) -> TokenStream {
    let doc = module_doc(&table.doc);
    let errors = &table.codes;
    let names: Vec<&Ident> = errors.iter().map(|e| &e.name).collect();
    let codes: Vec<Literal> = errors.iter().map(|e| Literal::i64_unsuffixed(e.code)).collect();
    let docs: Vec<TokenStream> = errors
        .iter()
        .map(|e| {
            let mut d = format!("`{}` {} — {}", e.code, e.zh, e.en);
            if let Some(h) = &e.hint {
                d.push_str(&format!("\n\n{}", autolink(h)));
            }
            doc_attrs(&d)
        })
        .collect();
    let zh: Vec<&String> = errors.iter().map(|e| &e.zh).collect();
    let en: Vec<&String> = errors.iter().map(|e| &e.en).collect();
    let classes: Vec<TokenStream> = errors
        .iter()
        .map(|e| {
            let c = format_ident!("{}", format!("{:?}", e.class));
            quote!(::wecom_endpoints::ErrorClass::#c)
        })
        .collect();
    let hints: Vec<TokenStream> = errors.iter().map(|e| opt(e.hint.as_ref().map(|h| quote!(#h)))).collect();
    let (unknown_doc, deprecated) = crate::gen_models::unknown_variant("A code", "`code()`");
    quote! {
        #doc

        /// A WeCom return code (`errcode`), with its documented meaning and the class a client
        /// acts on.
        ///
        /// Open enum: a code this SDK does not know arrives as `Unknown`. Match the known codes
        /// (or better, [`ErrorCode::class`]) and compare `code()` in a catch-all arm, never
        /// `Unknown(..)`, so the `match` keeps working when a later version learns the code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #(#docs #names,)*
            #unknown_doc
            #deprecated
            Unknown(::wecom_models::UnknownCode),
        }

        #[allow(deprecated)]
        impl ErrorCode {
            /// Every documented code.
            pub const KNOWN: &'static [Self] = &[#(Self::#names),*];

            /// The numeric code, known or not.
            pub const fn code(self) -> i64 {
                match self {
                    #(Self::#names => #codes,)*
                    Self::Unknown(v) => ::wecom_models::__private::unknown_code_value(v),
                }
            }

            /// The variant for a numeric code (never fails).
            pub const fn from_code(code: i64) -> Self {
                match code {
                    #(#codes => Self::#names,)*
                    other => Self::Unknown(::wecom_models::__private::unknown_code(other)),
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
                !self.is_unknown()
            }

            /// True for a code this SDK does not know.
            pub const fn is_unknown(self) -> bool {
                matches!(self, Self::Unknown(_))
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
pub fn mod_file(endpoints: &Endpoints<'_>, spec_dir: &str) -> TokenStream {
    let doc = module_doc(&format!(
        "The generated endpoint descriptions of `{spec_dir}/*.toml`: one module per family that has\nendpoints or request-side structs, the error codes, and `ALL`."
    ));
    let mut mods: Vec<String> =
        endpoints.model.families.iter().filter(|f| endpoints.has_family(f)).map(|f| f.module.to_string()).collect();
    if endpoints.model.errors.is_some() {
        mods.push("errors".into());
    }
    mods.sort();
    let mod_items = mods.iter().map(|m| {
        let id = format_ident!("{m}");
        quote!(pub mod #id;)
    });
    let all = endpoints.model.endpoints().map(|(fam, ep)| {
        let m = &fam.module;
        let k = &ep.konst;
        quote!(&#m::#k)
    });
    quote! {
        #doc
        #(#mod_items)*

        /// Every endpoint in the spec, sorted by id.
        pub static ALL: &[&::wecom_endpoints::EndpointInfo] = &[#(#all),*];
    }
}

/// A runtime hint as rustdoc Markdown: bare `http(s)://` URLs become `<…>` autolinks (rustdoc
/// warns on bare URLs), with trailing punctuation left outside the link.
fn autolink(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if !(word.starts_with("https://") || word.starts_with("http://")) {
                return word.to_owned();
            }
            let url = word.trim_end_matches(['.', ',', ';', ':', ')']);
            format!("<{url}>{}", &word[url.len()..])
        })
        .collect::<Vec<_>>()
        .join(" ")
}
