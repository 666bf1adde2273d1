//! Emits `wecom-models`: one module per family with its structs, open enums and tagged unions.
//! Reads only the resolved [`Model`].

use std::collections::BTreeMap;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use crate::model::{
    DefaultValue, Enum, EnumVariants, Family, Field, ItemRef, Model, Scalar, Shape, StructId, Ty, TypeRef, Union,
};
use crate::rust::{doc_attrs, module_doc};
use crate::{gen_drift, gen_serde};

/// The models emitter.
pub struct Models<'a> {
    pub model: &'a Model,
}

impl<'a> Models<'a> {
    pub fn new(model: &'a Model) -> Self {
        Models { model }
    }

    /// Renders one family module.
    pub fn family(&self, fam: &Family) -> TokenStream {
        let m = self.model;
        let mut items: BTreeMap<String, TokenStream> = BTreeMap::new();
        for ep in &fam.endpoints {
            let (method, path) = (ep.method.as_str(), &ep.path);
            let req = m.strukt(ep.request);
            let req_doc = format!("{}\n\nSends `{method} {path}`.", req.doc.trim_end());
            items.insert(req.name.to_string(), self.structure(fam, ep.request, &req_doc, Side::Request));
            let resp = m.strukt(ep.response);
            let resp_doc = format!(
                "{}\n\nThe body of a `{method} {path}` answer; `errcode`/`errmsg` included.",
                resp.doc.trim_end()
            );
            items.insert(resp.name.to_string(), self.structure(fam, ep.response, &resp_doc, Side::Response));
        }
        for &id in &fam.structs {
            let s = m.strukt(id);
            let side = if m.is_input(id) { Side::Input } else { Side::Plain };
            items.insert(s.name.to_string(), self.structure(fam, id, &s.doc, side));
        }
        for &id in &fam.enums {
            let e = m.enumeration(id);
            items.insert(e.name.to_string(), enumeration(e));
        }
        for &id in &fam.unions {
            let u = m.union(id);
            items.insert(u.name.to_string(), self.union(fam, u));
        }
        let doc = module_doc(&fam.doc);
        let body = items.into_values();
        quote! {
            #doc
            #(#body)*
        }
    }

    fn structure(&self, fam: &Family, id: StructId, doc: &str, side: Side) -> TokenStream {
        match side {
            Side::Request | Side::Input => self.derived_structure(fam, id, doc, side),
            Side::Response | Side::Plain => self.faithful_structure(fam, id, doc, side),
        }
    }

    /// A request-side struct: derived serde (the caller builds it; it is written as built).
    fn derived_structure(&self, fam: &Family, id: StructId, doc: &str, side: Side) -> TokenStream {
        let s = self.model.strukt(id);
        let name_id = &s.name;
        let fields = &s.fields;
        let doc = doc_attrs(doc);
        let mut derives = vec![quote!(Debug), quote!(Clone), quote!(PartialEq)];
        if s.defaultable {
            derives.push(quote!(Default));
        }
        derives.push(quote!(::serde::Serialize));
        derives.push(quote!(::serde::Deserialize));
        let field_tokens: Vec<TokenStream> = fields.iter().map(|f| self.field(fam, f, true, false)).collect();
        let builder = self.builder(fam, name_id, fields);
        // A struct inside a request may also sit in a response: it can be inspected too.
        let inspect = match side {
            Side::Input => {
                let plans = gen_serde::plans(self, fields, false, 0);
                let spec = gen_drift::spec_type(&s.module, name_id);
                gen_drift::struct_inspect(self, fam, name_id, &spec, &plans, &s.padding)
            }
            _ => quote!(),
        };
        quote! {
            #doc
            #[derive(#(#derives),*)]
            #[non_exhaustive]
            pub struct #name_id {
                #(#field_tokens,)*
            }
            #builder
            #inspect
        }
    }

    /// A response-side struct: serde that writes a decoded value back as it came (see
    /// [`gen_serde`]), and its drift walk.
    fn faithful_structure(&self, fam: &Family, id: StructId, doc: &str, side: Side) -> TokenStream {
        let s = self.model.strukt(id);
        let name_id = &s.name;
        let doc = doc_attrs(doc);
        let response = matches!(side, Side::Response);
        let mut fields = s.fields.clone();
        if response {
            fields.extend(status_fields());
        }
        // Tolerant reader: a required field WeCom leaves out reads as its default when the type
        // has one (and is not written back; a drift recorder reports it).
        let plans = gen_serde::plans(self, &fields, true, if response { 2 } else { 0 });
        let pieces = gen_serde::pieces(self, fam, &plans, &s.padding);
        let mut derives = vec![quote!(Clone), quote!(PartialEq)];
        if s.defaultable {
            derives.push(quote!(Default));
        }
        let field_tokens: Vec<TokenStream> = fields.iter().map(|f| self.field(fam, f, false, false)).collect();
        let wire_field = gen_serde::wire_field();
        let debug = gen_serde::debug_impl(name_id, &fields, None);
        let impls = gen_serde::struct_impls(name_id, &pieces);
        let spec = gen_drift::spec_type(&s.module, name_id);
        let inspect = gen_drift::struct_inspect(self, fam, name_id, &spec, &plans, &s.padding);
        quote! {
            #doc
            #[derive(#(#derives),*)]
            #[non_exhaustive]
            pub struct #name_id {
                #(#field_tokens,)*
                #wire_field,
            }
            #debug
            #impls
            #inspect
        }
    }

    fn field(&self, fam: &Family, f: &Field, with_serde: bool, lenient: bool) -> TokenStream {
        let id = &f.ident;
        let mut serde_args: Vec<TokenStream> = Vec::new();
        if f.ident.unraw() != f.wire {
            let wire = &f.wire;
            serde_args.push(quote!(rename = #wire));
        }
        for a in &f.aliases {
            serde_args.push(quote!(alias = #a));
        }
        let int_string = f.ty.is(Scalar::IntString);
        let int_or_string = f.ty.is(Scalar::IntOrString);
        match &f.shape {
            Shape::List => serde_args.push(quote!(default, skip_serializing_if = "Vec::is_empty")),
            Shape::Required { .. } if int_string => {
                serde_args.push(quote!(with = "::wecom_models::__private::int_string"))
            }
            Shape::Optional if int_string => serde_args.push(quote!(
                default,
                skip_serializing_if = "Option::is_none",
                with = "::wecom_models::__private::opt_int_string"
            )),
            Shape::Required { .. } if int_or_string => {
                serde_args.push(quote!(with = "::wecom_models::__private::int_or_string"))
            }
            Shape::Optional if int_or_string => serde_args.push(quote!(
                default,
                skip_serializing_if = "Option::is_none",
                with = "::wecom_models::__private::opt_int_or_string"
            )),
            Shape::Optional => serde_args.push(quote!(default, skip_serializing_if = "Option::is_none")),
            Shape::Required { .. } if lenient && self.has_default(&f.ty) => serde_args.push(quote!(default)),
            Shape::Required { .. } => {}
        }
        let full = self.field_ty(fam, f);
        let serde_attr =
            if serde_args.is_empty() || !with_serde { quote!() } else { quote!(#[serde(#(#serde_args),*)]) };
        let doc = doc_attrs(&field_doc(f));
        quote! {
            #doc
            #serde_attr
            pub #id: #full
        }
    }

    /// The Rust type of a field: `T`, `Option<T>` or `Vec<T>`.
    fn field_ty(&self, fam: &Family, f: &Field) -> TokenStream {
        let base = self.rust_ty(fam, &f.ty);
        match f.shape {
            Shape::Required { .. } => base,
            Shape::Optional => quote!(Option<#base>),
            Shape::List => quote!(Vec<#base>),
        }
    }

    /// The Rust type of an element type, as seen from module `fam`.
    pub fn rust_ty(&self, fam: &Family, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Scalar(s) => scalar_ty(*s),
            Ty::Named(t) => named_path(fam, &t.module, &t.name),
        }
    }

    /// `new(required…)` plus a setter for every other field.
    fn builder(&self, fam: &Family, name: &Ident, fields: &[Field]) -> TokenStream {
        let mut params = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        let mut new_doc = format!("A new `{name}` from its required fields");
        let defaults: Vec<String> =
            fields.iter().filter_map(|f| f.default().map(|d| format!("`{}` = {}", f.wire, d))).collect();
        if !defaults.is_empty() {
            new_doc.push_str(&format!(" ({})", defaults.join(", ")));
        }
        new_doc.push('.');
        for f in fields {
            let id = &f.ident;
            let base = self.rust_ty(fam, &f.ty);
            let (arg_ty, conv) = into_arg(&f.ty, &base, id);
            let setter_doc = doc_attrs(&format!("Sets `{}`: {}", f.wire, first_line(&f.doc)));
            match &f.shape {
                Shape::List => {
                    inits.push(quote!(#id: Vec::new()));
                    let inner = &base;
                    setters.push(quote! {
                        #setter_doc
                        pub fn #id(mut self, #id: impl IntoIterator<Item = #inner>) -> Self {
                            self.#id = #id.into_iter().collect();
                            self
                        }
                    });
                }
                Shape::Required { default: None } => {
                    params.push(quote!(#id: #arg_ty));
                    if *id == conv.to_string() {
                        inits.push(quote!(#id));
                    } else {
                        inits.push(quote!(#id: #conv));
                    }
                }
                Shape::Required { default: Some(default) } => {
                    let value = default_literal(default);
                    inits.push(quote!(#id: #value));
                    setters.push(quote! {
                        #setter_doc
                        pub fn #id(mut self, #id: #arg_ty) -> Self {
                            self.#id = #conv;
                            self
                        }
                    });
                }
                Shape::Optional => {
                    inits.push(quote!(#id: None));
                    setters.push(quote! {
                        #setter_doc
                        pub fn #id(mut self, #id: #arg_ty) -> Self {
                            self.#id = Some(#conv);
                            self
                        }
                    });
                }
            }
        }
        let new_doc = doc_attrs(&new_doc);
        let allow = if params.len() > 7 { quote!(#[allow(clippy::too_many_arguments)]) } else { quote!() };
        quote! {
            impl #name {
                #new_doc
                #allow
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits,)* }
                }
                #(#setters)*
            }
        }
    }

    fn union(&self, fam: &Family, u: &Union) -> TokenStream {
        let name = &u.name;
        let content_name = &u.content_name;
        let tag_key = &u.tag_key;
        let content_key = &u.content_key;
        let doc = doc_attrs(&format!(
            "{}\n\nOn the wire: `{{\"{}\": \"<kind>\", …, \"{}\": {{…}}}}`. The kind and its payload are in `{}`.",
            u.doc.trim_end(),
            u.tag_key,
            u.content_key,
            content_name
        ));
        let fields: Vec<TokenStream> = u.fields.iter().map(|f| self.field(fam, f, false, false)).collect();
        let content_ident = &u.content_ident;
        let content_doc = doc_attrs(&format!("The kind (`{}`) and its payload (`{}`).", u.tag_key, u.content_key));

        // The payload enum.
        let mut variants = Vec::new();
        let mut tag_arms = Vec::new();
        let mut de_arms = Vec::new();
        let mut ser_arms = Vec::new();
        let mut known_tags = Vec::new();
        for v in &u.variants {
            let vname = &v.name;
            let payload = self.model.strukt(v.payload);
            let vty = named_path(fam, &payload.module, &payload.name);
            let vdoc = doc_attrs(&format!("`{}`: {}", v.tag, v.doc));
            let tag = &v.tag;
            variants.push(quote! { #vdoc #vname(#vty) });
            tag_arms.push(quote! { Self::#vname(_) => #tag });
            de_arms.push(quote! { #tag => Self::#vname(<#vty as ::serde::Deserialize>::deserialize(deserializer)?) });
            ser_arms.push(quote! { Self::#vname(v) => ::serde::Serialize::serialize(v, serializer) });
            known_tags.push(quote!(#tag));
        }
        let content_doc_text = format!(
            "The kinds of `{}` this SDK knows, each with its typed `{}` payload.\n\nA kind WeCom adds later arrives as `Unknown` with its tag and raw payload, and is written back unchanged. Match the known kinds and read other kinds with `tag()` and `unknown_payload()` in a catch-all arm, never `Unknown(..)`, so the `match` keeps working when a later version learns the kind.",
            u.name, u.content_key
        );
        let content_enum_doc = doc_attrs(&content_doc_text);
        let (unknown_doc, deprecated) = unknown_variant("A kind", "`tag()` and `unknown_payload()`");

        // The container: its shared fields as a struct's (see `gen_serde`), plus the tag and the
        // payload. Keys come in any order; the payload is read typed when the tag came first
        // (the usual order) and buffered otherwise. A payload that did not come is read from
        // `{}` and not written back (its bit follows the fields').
        let plans = gen_serde::plans(self, &u.fields, false, 0);
        let pieces = gen_serde::pieces(self, fam, &plans, &[]);
        let gen_serde::Pieces { key_variants, locals, arms, build, ser, .. } = &pieces;
        let content_bit = Literal::u32_unsuffixed(u.fields.len() as u32);
        let expecting = format!("a {} object", u.name);
        let debug = gen_serde::debug_impl(name, &u.fields, Some(content_ident));
        let wire_field = gen_serde::wire_field();
        let inspect = gen_drift::union_inspect(self, fam, u, &plans);
        quote! {
            #doc
            #[derive(Clone, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields,)*
                #content_doc
                pub #content_ident: #content_name,
                #wire_field,
            }

            #debug

            #content_enum_doc
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum #content_name {
                #(#variants,)*
                #unknown_doc
                #deprecated
                Unknown(::wecom_models::UnknownKind),
            }

            #[allow(deprecated)]
            impl #content_name {
                /// Every tag this SDK knows.
                pub const KNOWN_TAGS: &'static [&'static str] = &[#(#known_tags),*];

                /// The wire tag of this kind, known or not.
                pub fn tag(&self) -> &str {
                    match self {
                        #(#tag_arms,)*
                        Self::Unknown(u) => ::wecom_models::__private::unknown_kind_tag(u),
                    }
                }

                /// The raw payload of a kind this SDK does not know, as sent; `None` for a known kind.
                pub fn unknown_payload(&self) -> Option<&::serde_json::Value> {
                    match self {
                        Self::Unknown(u) => Some(::wecom_models::__private::unknown_kind_value(u)),
                        _ => None,
                    }
                }

                /// False for a kind this SDK does not know.
                pub fn is_known(&self) -> bool {
                    !self.is_unknown()
                }

                /// True for a kind this SDK does not know.
                pub fn is_unknown(&self) -> bool {
                    matches!(self, Self::Unknown(_))
                }
            }

            #[allow(deprecated)]
            impl ::wecom_models::__private::TaggedContent for #content_name {
                fn deserialize_content<'de, D: ::serde::Deserializer<'de>>(tag: &str, deserializer: D) -> Result<Self, D::Error> {
                    Ok(match tag {
                        #(#de_arms,)*
                        _ => Self::Unknown(::wecom_models::__private::unknown_kind(
                            tag.to_owned(),
                            <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?,
                        )),
                    })
                }

                fn serialize_content<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#ser_arms,)*
                        Self::Unknown(u) => ::serde::Serialize::serialize(::wecom_models::__private::unknown_kind_value(u), serializer),
                    }
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    use ::serde::ser::SerializeMap;
                    let wire = &self.__wire;
                    let mut map = serializer.serialize_map(None)?;
                    map.serialize_entry(#tag_key, self.#content_ident.tag())?;
                    #(#ser)*
                    if !wire.is_absent(#content_bit) {
                        map.serialize_entry(#content_key, &::wecom_models::__private::ContentRef(&self.#content_ident))?;
                    }
                    map.end()
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    #[derive(::serde::Deserialize)]
                    #[serde(field_identifier)]
                    enum __Key {
                        #[serde(rename = #tag_key)]
                        Tag,
                        #[serde(rename = #content_key)]
                        Content,
                        #(#key_variants,)*
                        #[serde(other)]
                        Other,
                    }
                    struct __Visitor;
                    impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                        type Value = #name;
                        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(#expecting)
                        }
                        fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<#name, A::Error> {
                            let mut wire = ::wecom_models::__private::Wire::default();
                            let mut tag: Option<String> = None;
                            let mut content: Option<#content_name> = None;
                            let mut raw: Option<::serde_json::Value> = None;
                            #(#locals)*
                            while let Some(key) = map.next_key::<__Key>()? {
                                match key {
                                    __Key::Tag => tag = Some(map.next_value()?),
                                    __Key::Content => match &tag {
                                        Some(t) => {
                                            content = Some(map.next_value_seed(::wecom_models::__private::ContentSeed::<#content_name>::new(t))?)
                                        }
                                        None => raw = Some(map.next_value()?),
                                    },
                                    #(#arms,)*
                                    __Key::Other => {
                                        map.next_value::<::serde::de::IgnoredAny>()?;
                                    }
                                }
                            }
                            let tag = tag.ok_or_else(|| <A::Error as ::serde::de::Error>::missing_field(#tag_key))?;
                            let #content_ident = match content {
                                Some(content) => content,
                                None => {
                                    if raw.is_none() {
                                        wire.mark_absent(#content_bit);
                                    }
                                    ::wecom_models::__private::content_from_value(&tag, raw)?
                                }
                            };
                            Ok(#name { #(#build,)* #content_ident, __wire: wire })
                        }
                    }
                    deserializer.deserialize_map(__Visitor)
                }
            }

            #inspect
        }
    }

    /// Whether a type implements `Default`.
    pub(crate) fn has_default(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Scalar(Scalar::Number) => false,
            Ty::Scalar(_) => true,
            Ty::Named(TypeRef { item: ItemRef::Struct(id), .. }) => self.model.strukt(*id).defaultable,
            Ty::Named(_) => false,
        }
    }
}

#[derive(Clone, Copy)]
enum Side {
    /// An endpoint's request body.
    Request,
    /// A struct used inside a request.
    Input,
    /// An endpoint's response body.
    Response,
    /// Any other struct.
    Plain,
}

/// `Name` in its own module, `super::module::Name` from another.
pub(crate) fn named_path(fam: &Family, module: &Ident, name: &Ident) -> TokenStream {
    if *module == fam.module { quote!(#name) } else { quote!(super::#module::#name) }
}

fn scalar_ty(s: Scalar) -> TokenStream {
    match s {
        Scalar::U32 => quote!(u32),
        Scalar::U64 | Scalar::IntString | Scalar::IntOrString => quote!(u64),
        Scalar::I32 => quote!(i32),
        Scalar::I64 => quote!(i64),
        Scalar::Bool => quote!(bool),
        Scalar::String => quote!(String),
        Scalar::NumberString => quote!(::wecom_models::NumberString),
        Scalar::Number => quote!(::serde_json::Number),
        Scalar::Secret => quote!(::wecom_models::Secret),
        Scalar::JsonString => quote!(::wecom_models::JsonString),
        Scalar::Json => quote!(::serde_json::Value),
    }
}

fn first_line(s: &str) -> &str {
    s.trim().lines().next().unwrap_or("")
}

fn field_doc(f: &Field) -> String {
    let mut doc = f.doc.trim_end().to_string();
    let mut facts = Vec::new();
    if f.ident.unraw() != f.wire {
        facts.push(format!("wire name `{}`", f.wire));
    }
    if let Some(b) = f.max_bytes {
        facts.push(format!("at most {b} bytes"));
    }
    match (f.min, f.max) {
        (Some(lo), Some(hi)) => facts.push(format!("{lo} to {hi}")),
        (Some(lo), None) => facts.push(format!("at least {lo}")),
        (None, Some(hi)) => facts.push(format!("at most {hi}")),
        (None, None) => {}
    }
    if let Some(d) = f.default() {
        facts.push(format!("default {d}"));
    }
    // Said of single values (a list's element type shows in its `Vec<…>`).
    if f.shape != Shape::List {
        match &f.ty {
            Ty::Scalar(Scalar::IntString) => facts.push("sent as a JSON string".into()),
            Ty::Scalar(Scalar::IntOrString) => {
                facts.push("a JSON number or a string of digits; written back in the same form".into())
            }
            Ty::Scalar(Scalar::NumberString) => facts.push("a number carried in a string, kept as text".into()),
            Ty::Scalar(Scalar::JsonString) => facts.push("a string holding JSON".into()),
            _ => {}
        }
    }
    if !facts.is_empty() {
        doc.push_str(&format!(" ({})", facts.join("; ")));
    }
    doc
}

fn into_arg(ty: &Ty, base: &TokenStream, id: &Ident) -> (TokenStream, TokenStream) {
    match ty {
        Ty::Scalar(s) if s.is_text() => (quote!(impl Into<#base>), quote!(#id.into())),
        _ => (base.clone(), quote!(#id)),
    }
}

fn default_literal(value: &DefaultValue) -> TokenStream {
    match value {
        DefaultValue::Str(s) => quote!(#s.to_owned()),
        DefaultValue::Bool(b) => quote!(#b),
        DefaultValue::Int(i) => {
            let lit = Literal::i64_unsuffixed(*i);
            quote!(#lit)
        }
    }
}

/// The policy every open enum and union follows (smithy-rs's): the unknown variant holds an
/// opaque value and is deprecated, so a `match` on it warns; callers read the raw value with an
/// accessor, which keeps working when a later spec gives the value its own variant.
pub(crate) fn unknown_variant(what: &str, accessor: &str) -> (TokenStream, TokenStream) {
    let doc = doc_attrs(&format!(
        "{what} this SDK does not know, kept as sent. Do not match on it: read it with {accessor}."
    ));
    let note = format!(
        "Don't match on `Unknown`: a later version may give this value its own variant. Match the known \
         variants, and read other values with {accessor} in a catch-all arm (see the `wecom_models` docs, \
         \"Open enums\")."
    );
    (doc, quote!(#[deprecated(note = #note)]))
}

/// The paragraph every open enum's doc ends with.
pub(crate) fn open_enum_doc(doc: &str, accessor: &str) -> TokenStream {
    doc_attrs(&format!(
        "{}\n\nOpen enum: a value WeCom adds later arrives as `Unknown` and is written back unchanged. Match the \
         known variants and compare `{accessor}` in a catch-all arm, never `Unknown(..)`, so the `match` keeps \
         working when a later version learns the value.",
        doc.trim_end()
    ))
}

/// An open enum: known variants plus `Unknown` keeping the raw value.
pub fn enumeration(e: &Enum) -> TokenStream {
    let name = &e.name;
    match &e.variants {
        EnumVariants::Int(variants) => {
            let names: Vec<&Ident> = variants.iter().map(|v| &v.name).collect();
            let docs: Vec<TokenStream> =
                variants.iter().map(|v| doc_attrs(&format!("`{}`: {}", v.value, v.doc))).collect();
            let descriptions: Vec<&str> = variants.iter().map(|v| first_line(&v.doc)).collect();
            let values: Vec<Literal> = variants.iter().map(|v| Literal::i64_unsuffixed(v.value)).collect();
            let doc = open_enum_doc(&e.doc, "code()");
            let body = int_enum(name, &doc, &names, &docs, &descriptions, &values);
            let inspect = gen_drift::enum_inspect(e);
            quote!(#body #inspect)
        }
        EnumVariants::String(variants) => {
            let names: Vec<&Ident> = variants.iter().map(|v| &v.name).collect();
            let docs: Vec<TokenStream> =
                variants.iter().map(|v| doc_attrs(&format!("`{:?}`: {}", v.value, v.doc))).collect();
            let descriptions: Vec<&str> = variants.iter().map(|v| first_line(&v.doc)).collect();
            let values: Vec<&str> = variants.iter().map(|v| v.value.as_str()).collect();
            let doc = open_enum_doc(&e.doc, "as_str()");
            let body = string_enum(name, &doc, &names, &docs, &descriptions, &values);
            let inspect = gen_drift::enum_inspect(e);
            quote!(#body #inspect)
        }
    }
}

fn int_enum(
    name: &Ident,
    doc: &TokenStream,
    names: &[&Ident],
    docs: &[TokenStream],
    descriptions: &[&str],
    values: &[Literal],
) -> TokenStream {
    let (unknown_doc, deprecated) = unknown_variant("A value", "`code()`");
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#docs #names,)*
            #unknown_doc
            #deprecated
            Unknown(::wecom_models::UnknownCode),
        }

        #[allow(deprecated)]
        impl #name {
            /// Every documented value.
            pub const KNOWN: &'static [Self] = &[#(Self::#names),*];

            /// The wire value, known or not.
            pub const fn code(self) -> i64 {
                match self {
                    #(Self::#names => #values,)*
                    Self::Unknown(v) => ::wecom_models::__private::unknown_code_value(v),
                }
            }

            /// The variant for a wire value (never fails).
            pub const fn from_code(code: i64) -> Self {
                match code {
                    #(#values => Self::#names,)*
                    other => Self::Unknown(::wecom_models::__private::unknown_code(other)),
                }
            }

            /// False for a value this SDK does not know.
            pub const fn is_known(self) -> bool {
                !self.is_unknown()
            }

            /// True for a value this SDK does not know.
            pub const fn is_unknown(self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            /// What the docs say the value means; `None` when unknown.
            pub const fn description(self) -> Option<&'static str> {
                match self {
                    #(Self::#names => Some(#descriptions),)*
                    Self::Unknown(_) => None,
                }
            }
        }

        impl From<i64> for #name {
            fn from(code: i64) -> Self {
                Self::from_code(code)
            }
        }

        impl From<#name> for i64 {
            fn from(v: #name) -> i64 {
                v.code()
            }
        }

        impl ::std::fmt::Display for #name {
            /// The wire value, as WeCom writes it.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.code(), f)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                ::wecom_models::__private::deserialize_lenient_i64(deserializer).map(Self::from_code)
            }
        }
    }
}

fn string_enum(
    name: &Ident,
    doc: &TokenStream,
    names: &[&Ident],
    docs: &[TokenStream],
    descriptions: &[&str],
    values: &[&str],
) -> TokenStream {
    let (unknown_doc, deprecated) = unknown_variant("A value", "`as_str()`");
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#docs #names,)*
            #unknown_doc
            #deprecated
            Unknown(::wecom_models::UnknownValue),
        }

        #[allow(deprecated)]
        impl #name {
            /// Every documented value.
            pub const KNOWN: &'static [Self] = &[#(Self::#names),*];

            /// The wire value, known or not.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#names => #values,)*
                    Self::Unknown(v) => ::wecom_models::__private::unknown_value_str(v),
                }
            }

            /// The variant for a wire value (never fails).
            pub fn from_wire(value: &str) -> Self {
                match value {
                    #(#values => Self::#names,)*
                    other => Self::Unknown(::wecom_models::__private::unknown_value(other.to_owned())),
                }
            }

            /// False for a value this SDK does not know.
            pub fn is_known(&self) -> bool {
                !self.is_unknown()
            }

            /// True for a value this SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            /// What the docs say the value means; `None` when unknown.
            pub fn description(&self) -> Option<&'static str> {
                match self {
                    #(Self::#names => Some(#descriptions),)*
                    Self::Unknown(_) => None,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::from_wire(value)
            }
        }

        #[allow(deprecated)]
        impl From<String> for #name {
            fn from(value: String) -> Self {
                match Self::from_wire(&value) {
                    Self::Unknown(_) => Self::Unknown(::wecom_models::__private::unknown_value(value)),
                    known => known,
                }
            }
        }

        impl AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for #name {
            /// The wire value.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

/// The `generated/mod.rs` of the models crate.
pub fn mod_file(model: &Model, spec_dir: &str) -> TokenStream {
    let doc = module_doc(&format!("The generated models: one module per family of `{spec_dir}/*.toml`."));
    let mods = model.families.iter().map(|f| {
        let m = &f.module;
        let doc = doc_attrs(first_line(&f.doc));
        quote! { #doc pub mod #m; }
    });
    quote! { #doc #(#mods)* }
}

/// `errcode` and `errmsg`, which every response carries.
fn status_fields() -> [Field; 2] {
    let field = |wire: &str, ty: Scalar, doc: &str| Field {
        wire: wire.to_owned(),
        ident: format_ident!("{}", wire),
        doc: doc.to_owned(),
        ty: Ty::Scalar(ty),
        shape: Shape::Required { default: None },
        aliases: Vec::new(),
        max_bytes: None,
        min: None,
        max: None,
        unique: None,
    };
    [
        field("errcode", Scalar::I64, "Return code: 0 on success (the client turns any other value into an error)."),
        field("errmsg", Scalar::String, "Return message (`\"ok\"` on success)."),
    ]
}
