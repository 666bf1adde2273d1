//! Emits `wecom-models`: one module per family with its structs, open enums and tagged unions.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::rust::{doc_attrs, ident, module_doc};
use crate::spec::{
    EnumDef, FamilyFile, FieldDef, Kind, Spec, Ty, UnionDef, request_name, response_name, union_content_name,
};

/// What the models generator knows while emitting one family.
pub struct Models<'a> {
    pub spec: &'a Spec,
    /// Structs reachable from a request: they get constructors and setters.
    request_side: BTreeSet<String>,
    /// Structs whose every field has a `Default`.
    defaultable: BTreeSet<String>,
}

impl<'a> Models<'a> {
    pub fn new(spec: &'a Spec) -> Self {
        let mut m = Models { spec, request_side: BTreeSet::new(), defaultable: BTreeSet::new() };
        m.request_side = m.reachable_from_requests();
        m.defaultable = m.defaultable_structs();
        m
    }

    /// Renders one family module.
    pub fn family(&self, fam: &FamilyFile) -> TokenStream {
        let mut items: BTreeMap<String, TokenStream> = BTreeMap::new();
        for ep in &fam.endpoint {
            let req_doc = format!("{}\n\nSends `{} {}`.", ep.request.doc.trim_end(), ep.method, ep.path);
            items.insert(
                request_name(ep),
                self.structure(fam, &request_name(ep), &req_doc, &ep.request.field, Side::Request),
            );
            let resp_doc = format!(
                "{}\n\nThe body of a `{} {}` answer; `errcode`/`errmsg` included.",
                ep.response.doc.trim_end(),
                ep.method,
                ep.path
            );
            items.insert(
                response_name(ep),
                self.structure(fam, &response_name(ep), &resp_doc, &ep.response.field, Side::Response),
            );
        }
        for s in &fam.structs {
            let side = if self.request_side.contains(&s.name) { Side::Input } else { Side::Plain };
            items.insert(s.name.clone(), self.structure(fam, &s.name, &s.doc, &s.field, side));
        }
        for e in &fam.enums {
            items.insert(e.name.clone(), enumeration(e));
        }
        for u in &fam.unions {
            items.insert(u.name.clone(), self.union(fam, u));
        }
        let doc = module_doc(&fam.doc);
        let body = items.into_values();
        quote! {
            #doc
            #(#body)*
        }
    }

    fn structure(&self, fam: &FamilyFile, name: &str, doc: &str, fields: &[FieldDef], side: Side) -> TokenStream {
        let name_id = ident(name);
        let doc = doc_attrs(doc);
        let response = matches!(side, Side::Response);
        // Tolerant reader: what WeCom sends may omit a documented field; read it as its default
        // when the type has one (requests stay strict: their callers set every field).
        let lenient = matches!(side, Side::Response | Side::Plain);
        let mut derives = vec![quote!(Debug), quote!(Clone), quote!(PartialEq)];
        if self.defaultable.contains(name) {
            derives.push(quote!(Default));
        }
        derives.push(quote!(::serde::Serialize));
        derives.push(quote!(::serde::Deserialize));

        let mut field_tokens: Vec<TokenStream> = fields.iter().map(|f| self.field(fam, f, true, lenient)).collect();
        if response {
            field_tokens.push(quote! {
                /// Return code: 0 on success (the client turns any other value into an error).
                #[serde(default)]
                pub errcode: i64
            });
            field_tokens.push(quote! {
                /// Return message (`"ok"` on success).
                #[serde(default, skip_serializing_if = "String::is_empty")]
                pub errmsg: String
            });
        }
        let builder = match side {
            Side::Request | Side::Input => self.builder(fam, &name_id, fields),
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
        }
    }

    fn field(&self, fam: &FamilyFile, f: &FieldDef, with_serde: bool, lenient: bool) -> TokenStream {
        let ty = f.ty_parsed();
        let rust_name = f.rust_ident();
        let id = ident(&rust_name);
        let mut serde_args: Vec<TokenStream> = Vec::new();
        if rust_name.trim_start_matches("r#") != f.name {
            let wire = &f.name;
            serde_args.push(quote!(rename = #wire));
        }
        for a in &f.alias {
            serde_args.push(quote!(alias = #a));
        }
        let optional = !f.required && !matches!(ty, Ty::List(_));
        match (&ty, optional) {
            (Ty::List(_), _) => serde_args.push(quote!(default, skip_serializing_if = "Vec::is_empty")),
            (Ty::IntString, false) => serde_args.push(quote!(with = "::wecom_models::__private::int_string")),
            (Ty::IntString, true) => serde_args.push(quote!(
                default,
                skip_serializing_if = "Option::is_none",
                with = "::wecom_models::__private::opt_int_string"
            )),
            (_, true) => serde_args.push(quote!(default, skip_serializing_if = "Option::is_none")),
            (_, false) if lenient && self.has_default(&ty) => serde_args.push(quote!(default)),
            (_, false) => {}
        }
        let base = self.rust_ty(fam, &ty);
        let full = if optional { quote!(Option<#base>) } else { base };
        let serde_attr =
            if serde_args.is_empty() || !with_serde { quote!() } else { quote!(#[serde(#(#serde_args),*)]) };
        let doc = doc_attrs(&field_doc(f));
        quote! {
            #doc
            #serde_attr
            pub #id: #full
        }
    }

    /// The Rust type of a spec type, as seen from module `fam`.
    pub fn rust_ty(&self, fam: &FamilyFile, ty: &Ty) -> TokenStream {
        match ty {
            Ty::U32 => quote!(u32),
            Ty::U64 | Ty::IntString => quote!(u64),
            Ty::I32 => quote!(i32),
            Ty::I64 => quote!(i64),
            Ty::Bool => quote!(bool),
            Ty::String => quote!(String),
            Ty::NumberString => quote!(::wecom_models::NumberString),
            Ty::Number => quote!(::serde_json::Number),
            Ty::Secret => quote!(::wecom_models::Secret),
            Ty::JsonString => quote!(::wecom_models::JsonString),
            Ty::Json => quote!(::serde_json::Value),
            Ty::List(inner) => {
                let inner = self.rust_ty(fam, inner);
                quote!(Vec<#inner>)
            }
            Ty::Named(n) => {
                let id = ident(n);
                match self.spec.kind(n) {
                    Some((family, _)) if family != fam.family => {
                        let m = ident(family);
                        quote!(super::#m::#id)
                    }
                    _ => quote!(#id),
                }
            }
        }
    }

    /// `new(required…)` plus a setter for every other field.
    fn builder(&self, fam: &FamilyFile, name: &Ident, fields: &[FieldDef]) -> TokenStream {
        let mut params = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        let mut new_doc = format!("A new `{name}` from its required fields");
        let defaults: Vec<String> =
            fields.iter().filter_map(|f| f.default.as_ref().map(|d| format!("`{}` = {}", f.name, d))).collect();
        if !defaults.is_empty() {
            new_doc.push_str(&format!(" ({})", defaults.join(", ")));
        }
        new_doc.push('.');
        for f in fields {
            let ty = f.ty_parsed();
            let id = ident(&f.rust_ident());
            let base = self.rust_ty(fam, &ty);
            let (arg_ty, conv) = into_arg(&ty, &base, &id);
            let setter_doc = doc_attrs(&format!("Sets `{}`: {}", f.name, first_line(&f.doc)));
            match (&ty, f.required, &f.default) {
                (Ty::List(inner), _, _) => {
                    inits.push(quote!(#id: Vec::new()));
                    let inner = self.rust_ty(fam, inner);
                    setters.push(quote! {
                        #setter_doc
                        pub fn #id(mut self, #id: impl IntoIterator<Item = #inner>) -> Self {
                            self.#id = #id.into_iter().collect();
                            self
                        }
                    });
                }
                (_, true, None) => {
                    params.push(quote!(#id: #arg_ty));
                    if id == conv.to_string() {
                        inits.push(quote!(#id));
                    } else {
                        inits.push(quote!(#id: #conv));
                    }
                }
                (_, true, Some(default)) => {
                    let value = default_literal(&ty, default);
                    inits.push(quote!(#id: #value));
                    setters.push(quote! {
                        #setter_doc
                        pub fn #id(mut self, #id: #arg_ty) -> Self {
                            self.#id = #conv;
                            self
                        }
                    });
                }
                (_, false, _) => {
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

    fn union(&self, fam: &FamilyFile, u: &UnionDef) -> TokenStream {
        let name = ident(&u.name);
        let content_name = ident(&union_content_name(u));
        let tag_key = &u.tag;
        let content_key = &u.content;
        let doc = doc_attrs(&format!(
            "{}\n\nOn the wire: `{{\"{}\": \"<kind>\", …, \"{}\": {{…}}}}`. The kind and its payload are in `{}`.",
            u.doc.trim_end(),
            u.tag,
            u.content,
            content_name
        ));
        let fields: Vec<TokenStream> = u.field.iter().map(|f| self.field(fam, f, false, false)).collect();
        let content_ident = ident(&u.content);
        let content_doc = doc_attrs(&format!("The kind (`{}`) and its payload (`{}`).", u.tag, u.content));

        // The payload enum.
        let mut variants = Vec::new();
        let mut tag_arms = Vec::new();
        let mut de_arms = Vec::new();
        let mut ser_arms = Vec::new();
        let mut known_tags = Vec::new();
        for v in &u.variant {
            let vname = ident(&v.name.clone().unwrap_or_else(|| v.tag.clone()));
            let vty = self.rust_ty(fam, &Ty::Named(v.ty.clone()));
            let vdoc = doc_attrs(&format!("`{}`: {}", v.tag, v.doc));
            let tag = &v.tag;
            variants.push(quote! { #vdoc #vname(#vty) });
            tag_arms.push(quote! { Self::#vname(_) => #tag });
            de_arms.push(quote! { #tag => Self::#vname(<#vty as ::serde::Deserialize>::deserialize(deserializer)?) });
            ser_arms.push(quote! { Self::#vname(v) => ::serde::Serialize::serialize(v, serializer) });
            known_tags.push(quote!(#tag));
        }
        let content_doc_text = format!(
            "The kinds of `{}` this SDK knows, each with its typed `{}` payload.\n\nA kind WeCom adds later arrives as `Unknown` with its raw payload, and is written back unchanged.",
            u.name, u.content
        );
        let content_enum_doc = doc_attrs(&content_doc_text);

        // Deserialize for the container: keys in any order; the payload is read typed when the
        // tag came first (the usual order) and buffered otherwise.
        let mut key_variants = Vec::new();
        let mut locals = Vec::new();
        let mut key_arms = Vec::new();
        let mut build = Vec::new();
        let mut ser_fields = Vec::new();
        for (i, f) in u.field.iter().enumerate() {
            let key = format_ident!("F{}", i);
            let local = format_ident!("f{}", i);
            let wire = &f.name;
            let aliases = &f.alias;
            key_variants.push(quote! { #[serde(rename = #wire #(, alias = #aliases)*)] #key });
            let ty = f.ty_parsed();
            let base = self.rust_ty(fam, &ty);
            let optional = !f.required && !matches!(ty, Ty::List(_));
            let field_id = ident(&f.rust_ident());
            if optional {
                locals.push(quote! { let mut #local: Option<#base> = None; });
                key_arms.push(quote! { __Key::#key => #local = map.next_value()? });
                build.push(quote! { #field_id: #local });
                ser_fields.push(quote! { if let Some(v) = &self.#field_id { map.serialize_entry(#wire, v)?; } });
            } else {
                locals.push(quote! { let mut #local: Option<#base> = None; });
                key_arms.push(quote! { __Key::#key => #local = Some(map.next_value()?) });
                if matches!(ty, Ty::List(_)) {
                    build.push(quote! { #field_id: #local.unwrap_or_default() });
                    ser_fields.push(
                        quote! { if !self.#field_id.is_empty() { map.serialize_entry(#wire, &self.#field_id)?; } },
                    );
                } else {
                    build.push(quote! { #field_id: #local.ok_or_else(|| <A::Error as ::serde::de::Error>::missing_field(#wire))? });
                    ser_fields.push(quote! { map.serialize_entry(#wire, &self.#field_id)?; });
                }
            }
        }
        let expecting = format!("a {} object", u.name);
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields,)*
                #content_doc
                pub #content_ident: #content_name,
            }

            #content_enum_doc
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum #content_name {
                #(#variants,)*
                /// A kind this SDK does not know; the raw tag and payload are kept as sent.
                Unknown {
                    /// The raw tag.
                    tag: String,
                    /// The raw payload.
                    value: ::serde_json::Value,
                },
            }

            impl #content_name {
                /// Every tag this SDK knows.
                pub const KNOWN_TAGS: &'static [&'static str] = &[#(#known_tags),*];

                /// The wire tag of this kind.
                pub fn tag(&self) -> &str {
                    match self {
                        #(#tag_arms,)*
                        Self::Unknown { tag, .. } => tag,
                    }
                }

                /// False for a kind this SDK does not know.
                pub fn is_known(&self) -> bool {
                    !matches!(self, Self::Unknown { .. })
                }
            }

            impl ::wecom_models::__private::TaggedContent for #content_name {
                fn deserialize_content<'de, D: ::serde::Deserializer<'de>>(tag: &str, deserializer: D) -> Result<Self, D::Error> {
                    Ok(match tag {
                        #(#de_arms,)*
                        _ => Self::Unknown {
                            tag: tag.to_owned(),
                            value: <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?,
                        },
                    })
                }

                fn serialize_content<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#ser_arms,)*
                        Self::Unknown { value, .. } => ::serde::Serialize::serialize(value, serializer),
                    }
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    use ::serde::ser::SerializeMap;
                    let mut map = serializer.serialize_map(None)?;
                    map.serialize_entry(#tag_key, self.#content_ident.tag())?;
                    #(#ser_fields)*
                    map.serialize_entry(#content_key, &::wecom_models::__private::ContentRef(&self.#content_ident))?;
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
                                    #(#key_arms,)*
                                    __Key::Other => {
                                        map.next_value::<::serde::de::IgnoredAny>()?;
                                    }
                                }
                            }
                            let tag = tag.ok_or_else(|| <A::Error as ::serde::de::Error>::missing_field(#tag_key))?;
                            let #content_ident = match content {
                                Some(content) => content,
                                None => ::wecom_models::__private::content_from_value(&tag, raw)?,
                            };
                            Ok(#name { #(#build,)* #content_ident })
                        }
                    }
                    deserializer.deserialize_map(__Visitor)
                }
            }
        }
    }

    /// Whether a type implements `Default`.
    fn has_default(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Number => false,
            Ty::Named(n) => self.defaultable.contains(n),
            _ => true,
        }
    }

    fn reachable_from_requests(&self) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = Vec::new();
        for (_, fam) in &self.spec.families {
            for ep in &fam.endpoint {
                stack.push(request_name(ep));
            }
        }
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(fields) = self.spec.struct_fields(&name) {
                for f in fields {
                    if let Some(n) = named_leaf(&f.ty_parsed()) {
                        if matches!(self.spec.kind(&n), Some((_, Kind::Struct))) {
                            stack.push(n);
                        }
                    }
                }
            }
        }
        seen
    }

    fn defaultable_structs(&self) -> BTreeSet<String> {
        let mut all: Vec<String> = Vec::new();
        for (_, fam) in &self.spec.families {
            all.extend(fam.structs.iter().map(|s| s.name.clone()));
            for ep in &fam.endpoint {
                all.push(request_name(ep));
                all.push(response_name(ep));
            }
        }
        // Fixed point: a struct is defaultable when all its fields are.
        let mut ok: BTreeSet<String> = BTreeSet::new();
        loop {
            let before = ok.len();
            for name in &all {
                if ok.contains(name) {
                    continue;
                }
                let fields = self.spec.struct_fields(name).unwrap_or(&[]);
                let all_ok = fields.iter().all(|f| {
                    let ty = f.ty_parsed();
                    if !f.required || matches!(ty, Ty::List(_)) {
                        return true;
                    }
                    match &ty {
                        Ty::Number => false,
                        Ty::Named(n) => ok.contains(n),
                        _ => true,
                    }
                });
                if all_ok {
                    ok.insert(name.clone());
                }
            }
            if ok.len() == before {
                return ok;
            }
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

fn named_leaf(ty: &Ty) -> Option<String> {
    match ty {
        Ty::List(inner) => named_leaf(inner),
        Ty::Named(n) => Some(n.clone()),
        _ => None,
    }
}

fn first_line(s: &str) -> &str {
    s.trim().lines().next().unwrap_or("")
}

fn field_doc(f: &FieldDef) -> String {
    let mut doc = f.doc.trim_end().to_string();
    let mut facts = Vec::new();
    if f.name != f.rust_ident().trim_start_matches("r#") {
        facts.push(format!("wire name `{}`", f.name));
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
    if let Some(d) = &f.default {
        facts.push(format!("default {d}"));
    }
    match f.ty_parsed() {
        Ty::IntString => facts.push("sent as a JSON string".into()),
        Ty::NumberString => facts.push("a number carried in a string, kept as text".into()),
        Ty::JsonString => facts.push("a string holding JSON".into()),
        _ => {}
    }
    if !facts.is_empty() {
        doc.push_str(&format!(" ({})", facts.join("; ")));
    }
    doc
}

fn into_arg(ty: &Ty, base: &TokenStream, id: &Ident) -> (TokenStream, TokenStream) {
    match ty {
        Ty::String | Ty::Secret | Ty::NumberString | Ty::JsonString => (quote!(impl Into<#base>), quote!(#id.into())),
        _ => (base.clone(), quote!(#id)),
    }
}

fn default_literal(ty: &Ty, value: &toml::Value) -> TokenStream {
    match (ty, value) {
        (Ty::String, toml::Value::String(s)) => quote!(#s.to_owned()),
        (Ty::Bool, toml::Value::Boolean(b)) => quote!(#b),
        (_, toml::Value::Integer(i)) => {
            let lit = Literal::i64_unsuffixed(*i);
            quote!(#lit)
        }
        _ => quote!(Default::default()),
    }
}

/// An open enum: known variants plus `Unknown` keeping the raw value.
pub fn enumeration(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let doc = doc_attrs(&format!(
        "{}\n\nOpen enum: a value WeCom adds later arrives as `Unknown` and is written back unchanged.",
        e.doc.trim_end()
    ));
    let names: Vec<Ident> = e.variant.iter().map(|v| ident(&v.name)).collect();
    let docs: Vec<TokenStream> = e.variant.iter().map(|v| doc_attrs(&format!("`{}`: {}", v.value, v.doc))).collect();
    let descriptions: Vec<String> = e.variant.iter().map(|v| first_line(&v.doc).to_string()).collect();
    if e.repr == "int" {
        let values: Vec<Literal> =
            e.variant.iter().map(|v| Literal::i64_unsuffixed(v.value.as_integer().unwrap_or_default())).collect();
        quote! {
            #doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #(#docs #names,)*
                /// A value this SDK does not know; kept as sent.
                Unknown(i64),
            }

            impl #name {
                /// Every documented value.
                pub const KNOWN: &'static [Self] = &[#(Self::#names),*];

                /// The wire value.
                pub const fn code(self) -> i64 {
                    match self {
                        #(Self::#names => #values,)*
                        Self::Unknown(v) => v,
                    }
                }

                /// The variant for a wire value (never fails).
                pub const fn from_code(code: i64) -> Self {
                    match code {
                        #(#values => Self::#names,)*
                        other => Self::Unknown(other),
                    }
                }

                /// False for a value this SDK does not know.
                pub const fn is_known(self) -> bool {
                    !matches!(self, Self::Unknown(_))
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
    } else {
        let values: Vec<String> = e.variant.iter().map(|v| v.value.as_str().unwrap_or_default().to_string()).collect();
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #(#docs #names,)*
                /// A value this SDK does not know; kept as sent.
                Unknown(String),
            }

            impl #name {
                /// Every documented value.
                pub const KNOWN: &'static [Self] = &[#(Self::#names),*];

                /// The wire value.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#names => #values,)*
                        Self::Unknown(v) => v,
                    }
                }

                /// The variant for a wire value (never fails).
                pub fn from_wire(value: &str) -> Self {
                    match value {
                        #(#values => Self::#names,)*
                        other => Self::Unknown(other.to_owned()),
                    }
                }

                /// False for a value this SDK does not know.
                pub fn is_known(&self) -> bool {
                    !matches!(self, Self::Unknown(_))
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

            impl From<String> for #name {
                fn from(value: String) -> Self {
                    match Self::from_wire(&value) {
                        Self::Unknown(_) => Self::Unknown(value),
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
}

/// The `generated/mod.rs` of the models crate.
pub fn mod_file(spec: &Spec) -> TokenStream {
    let mods = spec.families.iter().map(|(_, f)| {
        let m = ident(&f.family);
        let doc = doc_attrs(first_line(&f.doc));
        quote! { #doc pub mod #m; }
    });
    quote! { #(#mods)* }
}
