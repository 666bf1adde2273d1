//! Emits the callback events of a family into its `wecom-models` module: the XML element
//! structs, one struct per event, `Header`, the `Event` enum with its unknown catch-all, and
//! `Event::from_xml`. Reads only the resolved [`Model`].
//!
//! Decoding is quick-xml's serde support; the rules that serde alone does not express (an
//! integer read from text, an empty element counting as absent, a wrapped list) are
//! `deserialize_with` helpers of `wecom_models::__private::xml`, named here per child.

use heck::ToSnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use crate::gen_models::unknown_variant;
use crate::model::{Child, Element, Events, Family, Model, Multiplicity, XmlScalar, XmlTy};
use crate::rust::doc_attrs;

/// Which derives a struct's children feed.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    /// Element structs and `Header`: read from XML and written as JSON.
    Both,
    /// The public event struct: written as JSON only.
    Serialize,
    /// The private body an event is read into.
    Deserialize,
}

/// The family's element structs and events; empty when it has neither.
pub fn family(model: &Model, fam: &Family) -> TokenStream {
    let mut out = TokenStream::new();
    let mut elements: Vec<&Element> = fam.elements.iter().map(|&id| model.element(id)).collect();
    elements.sort_by_key(|e| e.name.to_string());
    for e in elements {
        out.extend(element(model, fam, e));
    }
    if let Some(events) = &fam.events {
        out.extend(events_items(model, fam, events));
    }
    out
}

fn element(model: &Model, fam: &Family, e: &Element) -> TokenStream {
    let name = &e.name;
    let doc = doc_attrs(&e.doc);
    let default = if e.defaultable { quote!(Default,) } else { quote!() };
    let owner = name.to_string().to_snake_case();
    let fields: Vec<TokenStream> = e.children.iter().map(|c| child(model, fam, &owner, c, Side::Both)).collect();
    let helpers: Vec<TokenStream> = e.children.iter().filter_map(|c| wrapped_helper(model, fam, &owner, c)).collect();
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields,)*
        }
        #(#helpers)*
    }
}

/// The Rust type of a child's value (`T`, `Option<T>` or `Vec<T>`).
fn child_ty(model: &Model, fam: &Family, c: &Child) -> TokenStream {
    let base = match &c.ty {
        XmlTy::Scalar(XmlScalar::String) => quote!(String),
        XmlTy::Scalar(XmlScalar::I32) => quote!(i32),
        XmlTy::Scalar(XmlScalar::I64) => quote!(i64),
        XmlTy::Scalar(XmlScalar::U32) => quote!(u32),
        XmlTy::Scalar(XmlScalar::U64) => quote!(u64),
        XmlTy::IntEnum(t) | XmlTy::StringEnum(t) => path(fam, &t.module, &t.name),
        XmlTy::Element(id) => {
            let e = model.element(*id);
            path(fam, &e.module, &e.name)
        }
    };
    match c.multiplicity {
        Multiplicity::One => base,
        Multiplicity::Optional => quote!(Option<#base>),
        Multiplicity::Repeated | Multiplicity::Wrapped { .. } => quote!(Vec<#base>),
    }
}

/// `Name` in its own module, `super::module::Name` from another.
fn path(fam: &Family, module: &Ident, name: &Ident) -> TokenStream {
    if *module == fam.module { quote!(#name) } else { quote!(super::#module::#name) }
}

/// The private function reading a wrapped list of `owner`'s child `c`.
fn wrapped_fn(owner: &str, c: &Child) -> Ident {
    format_ident!("__xml_{}_{}", owner, c.ident.unraw().to_string())
}

fn wrapped_helper(model: &Model, fam: &Family, owner: &str, c: &Child) -> Option<TokenStream> {
    let Multiplicity::Wrapped { item } = &c.multiplicity else { return None };
    let f = wrapped_fn(owner, c);
    let ty = child_ty(model, fam, c);
    let doc = format!("Reads `<{}>`: its `<{item}>` children.", c.xml);
    Some(quote! {
        #[doc = #doc]
        fn #f<'de, D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<#ty, D::Error> {
            ::wecom_models::__private::xml::wrapped(deserializer, &[#item])
        }
    })
}

/// How the docs describe a child's place on the wire.
fn child_doc(c: &Child) -> String {
    let names = std::iter::once(&c.xml).chain(&c.aliases).map(|n| format!("`<{n}>`")).collect::<Vec<_>>().join(" or ");
    let how = match &c.multiplicity {
        Multiplicity::One => format!("XML {names}"),
        Multiplicity::Optional => format!("XML {names}, may be absent"),
        Multiplicity::Repeated => format!("XML: repeated {names} siblings with no wrapper; absent means empty"),
        Multiplicity::Wrapped { item } => {
            format!("XML: {names} wrapping `<{item}>` elements; an absent or empty wrapper means empty")
        }
    };
    format!("{} ({how})", c.doc.trim_end())
}

fn child(model: &Model, fam: &Family, owner: &str, c: &Child, side: Side) -> TokenStream {
    let id = &c.ident;
    let ty = child_ty(model, fam, c);
    let doc = doc_attrs(&child_doc(c));
    let mut args: Vec<TokenStream> = Vec::new();
    if side != Side::Serialize {
        if c.ident.unraw() != c.xml {
            let xml = &c.xml;
            args.push(quote!(rename(deserialize = #xml)));
        }
        for a in &c.aliases {
            args.push(quote!(alias = #a));
        }
        let helper = |name: &str| {
            let p = format!("::wecom_models::__private::xml::{name}");
            quote!(deserialize_with = #p)
        };
        let int = matches!(c.ty, XmlTy::Scalar(s) if s != XmlScalar::String);
        match (&c.multiplicity, &c.ty) {
            (Multiplicity::One, XmlTy::Scalar(_)) if int => args.extend([quote!(default), helper("int")]),
            (Multiplicity::One, XmlTy::Scalar(_)) => args.push(quote!(default)),
            (Multiplicity::One, XmlTy::IntEnum(_)) => args.push(helper("code")),
            (Multiplicity::One, XmlTy::StringEnum(_)) => args.push(helper("text_enum")),
            (Multiplicity::One, XmlTy::Element(e)) => {
                if model.element(*e).defaultable {
                    args.push(quote!(default));
                }
            }
            (Multiplicity::Optional, XmlTy::Scalar(_)) if int => args.extend([quote!(default), helper("opt_int")]),
            (Multiplicity::Optional, XmlTy::IntEnum(_)) => args.extend([quote!(default), helper("opt_code")]),
            (Multiplicity::Optional, XmlTy::StringEnum(_)) => args.extend([quote!(default), helper("opt_text_enum")]),
            (Multiplicity::Optional, _) | (Multiplicity::Repeated, _) => args.push(quote!(default)),
            (Multiplicity::Wrapped { .. }, _) => {
                let f = wrapped_fn(owner, c).to_string();
                args.extend([quote!(default), quote!(deserialize_with = #f)]);
            }
        }
    }
    if side != Side::Deserialize && c.multiplicity == Multiplicity::Optional {
        args.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    let attr = if args.is_empty() { quote!() } else { quote!(#[serde(#(#args),*)]) };
    let vis = if side == Side::Deserialize { quote!() } else { quote!(pub) };
    quote! {
        #doc
        #attr
        #vis #id: #ty
    }
}

fn events_items(model: &Model, fam: &Family, events: &Events) -> TokenStream {
    let header_fields: Vec<TokenStream> =
        events.header.iter().map(|c| child(model, fam, "header", c, Side::Both)).collect();
    let header_doc = doc_attrs(&format!(
        "{}\n\nEvery event has one, [`Event::header`] reads it whatever the event.",
        events.header_doc.trim_end()
    ));
    let event_ident = &events.header[events.discriminator].ident;

    let mut items = Vec::new();
    let mut variants = Vec::new();
    let mut header_arms = Vec::new();
    let mut decode_arms = Vec::new();
    let mut ser_arms = Vec::new();
    let mut known = Vec::new();
    for k in &events.kinds {
        let v = &k.variant;
        let name = &k.name;
        let owner = v.to_string().to_snake_case();
        let body = format_ident!("__{}Body", v);
        let doc =
            doc_attrs(&format!("{}\n\nThe `<xml>` root of an event whose `Event` is `{name}`.", k.doc.trim_end()));
        let pub_fields: Vec<TokenStream> =
            k.children.iter().map(|c| child(model, fam, &owner, c, Side::Serialize)).collect();
        let body_fields: Vec<TokenStream> =
            k.children.iter().map(|c| child(model, fam, &owner, c, Side::Deserialize)).collect();
        let helpers: Vec<TokenStream> =
            k.children.iter().filter_map(|c| wrapped_helper(model, fam, &owner, c)).collect();
        let idents: Vec<&Ident> = k.children.iter().map(|c| &c.ident).collect();
        let body_doc = format!("What `{name}` carries besides the header, as read from the XML.");
        items.push(quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
            #[non_exhaustive]
            pub struct #v {
                /// The envelope every event carries.
                pub header: Header,
                #(#pub_fields,)*
            }

            #[doc = #body_doc]
            #[derive(::serde::Deserialize)]
            struct #body {
                #(#body_fields,)*
            }
            #(#helpers)*
        });
        let vdoc = doc_attrs(&format!("`{name}`: {}", summary(&k.doc)));
        variants.push(quote! { #vdoc #v(#v) });
        header_arms.push(quote! { Self::#v(e) => &e.header });
        decode_arms.push(quote! {
            #name => {
                let body: #body = ::wecom_models::__private::xml::decode(xml, #name)?;
                Self::#v(#v { header, #(#idents: body.#idents,)* })
            }
        });
        ser_arms.push(quote! { Self::#v(e) => ::serde::Serialize::serialize(e, serializer) });
        known.push(quote!(#name));
    }
    let (unknown_doc, deprecated) = unknown_variant("An event", "`name()`, `header()` and `raw_xml()`");
    let enum_doc = doc_attrs(
        "A callback event, decoded from the XML of a callback (after decryption): one variant per \
         event this SDK knows, and a catch-all that keeps any other event whole.\n\n\
         Match the known events and handle the rest in a catch-all arm with [`Event::name`] and \
         [`Event::raw_xml`], never `Unknown(..)`, so the `match` keeps working when a later version \
         learns an event. [`Event::header`] reads the envelope of any event.\n\n\
         Serializes to JSON (snake_case names, for export) as the event's struct; an unknown event as \
         its header and raw XML. The JSON is not read back: keep the XML for that.",
    );
    let unknown_struct_doc = doc_attrs(
        "An event this SDK does not know: its header and the whole XML, as received.\n\n\
         Opaque on purpose: read it through [`Event::name`], [`Event::header`] and [`Event::raw_xml`].",
    );
    let from_xml_doc = doc_attrs(
        "Decodes the decrypted XML of a callback.\n\n\
         The `Event` element picks the variant; an event this SDK does not know (or a payload with no \
         `Event`, such as a message) is kept whole in the catch-all. Text and CDATA read alike, the \
         whitespace around text is trimmed, unknown elements are skipped at every level, repeated \
         elements may come in any order, and an empty number counts as absent.\n\n\
         The typed event does not keep the XML: keep the text you passed if you need fields this SDK \
         does not model.\n\n\
         # Errors\n\n\
         `EventError::Malformed` when the text is not well-formed XML; `EventError::Element` naming \
         the element when one does not hold what its type says. Never panics.",
    );
    quote! {
        #header_doc
        #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]
        #[non_exhaustive]
        pub struct Header {
            #(#header_fields,)*
        }

        #(#items)*

        #unknown_struct_doc
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        pub struct UnknownEvent {
            header: Header,
            raw_xml: String,
        }

        #enum_doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants,)*
            #unknown_doc
            #deprecated
            Unknown(UnknownEvent),
        }

        #[allow(deprecated)]
        impl Event {
            /// The `Event` value of every event this SDK knows.
            pub const KNOWN_NAMES: &'static [&'static str] = &[#(#known),*];

            #from_xml_doc
            pub fn from_xml(xml: &str) -> Result<Self, ::wecom_models::EventError> {
                let header: Header = ::wecom_models::__private::xml::decode(xml, "")?;
                let name = header.#event_ident.clone();
                Ok(match name.as_str() {
                    #(#decode_arms)*
                    _ => Self::Unknown(UnknownEvent { header, raw_xml: xml.to_owned() }),
                })
            }

            /// The envelope, whatever the event.
            pub fn header(&self) -> &Header {
                match self {
                    #(#header_arms,)*
                    Self::Unknown(e) => &e.header,
                }
            }

            /// The `Event` value (`sys_approval_change`), known or not; empty when the payload
            /// has none.
            pub fn name(&self) -> &str {
                &self.header().#event_ident
            }

            /// The whole XML of an event this SDK does not know, as received; `None` for a known
            /// event.
            pub fn raw_xml(&self) -> Option<&str> {
                match self {
                    Self::Unknown(e) => Some(&e.raw_xml),
                    _ => None,
                }
            }

            /// False for an event this SDK does not know.
            pub fn is_known(&self) -> bool {
                !self.is_unknown()
            }

            /// True for an event this SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        #[allow(deprecated)]
        impl ::serde::Serialize for Event {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms,)*
                    Self::Unknown(e) => ::serde::Serialize::serialize(e, serializer),
                }
            }
        }
    }
}

/// The first sentence of a doc's first paragraph, on one line.
fn summary(doc: &str) -> String {
    let para: Vec<&str> = doc.trim().lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
    let para = para.join(" ");
    match para.find(". ") {
        Some(i) => para[..=i].to_string(),
        None => para,
    }
}
