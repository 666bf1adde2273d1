//! Emits the wire-faithful serde of response-side types: `Serialize`, `Deserialize` and `Debug`
//! for structs and union containers that read anything WeCom sends and write a decoded value
//! back as it came — nothing added, nothing dropped.
//!
//! A derived impl cannot do that: it cannot tell an absent list from `[]`, an absent required
//! field read as its default from one that was sent, `null` from absent, or `"7"` from `7`. The
//! impls here record those facts in the struct's hidden `__wire` marks
//! (`wecom_models::__private::Wire`, one bit per field, then one per padding key) and read them
//! when writing. Per field, by its shape:
//!
//! | shape | read | written |
//! |---|---|---|
//! | required, no `Default` | must be there | always |
//! | required with `Default` | absent or `null` → default | unless absent (`null`: as `null`) and still the default |
//! | optional | absent or `null` → `None` | `Some` always; `None` only as a `null` that came |
//! | list | absent or `null` → empty | non-empty always; empty only as a `[]` or `null` that came |
//! | padding key (union payloads) | `[]` remembered, anything else ignored | `[]` when it came |
//! | `int_or_string`/`int_string` | number or string | in the spelling it came in |
//!
//! Unknown keys are skipped (a drift recorder reports them; see `gen_drift`).

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use crate::gen_models::Models;
use crate::model::{Family, Field, Scalar, Shape, Ty};

/// How a field is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Required and without a `Default`: decoding fails without it.
    Strict,
    /// Required with a `Default`: read as the default when absent.
    Lenient,
    /// `Option<T>`.
    Optional,
    /// `Vec<T>`.
    List,
}

/// One field with its bit in the `Wire` marks.
pub(crate) struct Plan<'a> {
    pub f: &'a Field,
    pub bit: u32,
    pub mode: Mode,
    /// For integers with two spellings: whether the usual one is a string.
    pub usual_quoted: Option<bool>,
    /// `errcode`/`errmsg`, added to every response (never reported missing).
    pub synthetic: bool,
}

/// Plans the fields of a struct or union container. `lenient`: required fields with a
/// `Default` are read as it when absent. `synthetic`: how many trailing fields are
/// `errcode`/`errmsg`.
pub(crate) fn plans<'a>(models: &Models<'_>, fields: &'a [Field], lenient: bool, synthetic: usize) -> Vec<Plan<'a>> {
    let first_synthetic = fields.len() - synthetic;
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mode = match f.shape {
                Shape::List => Mode::List,
                Shape::Optional => Mode::Optional,
                Shape::Required { .. } if lenient && models.has_default(&f.ty) => Mode::Lenient,
                Shape::Required { .. } => Mode::Strict,
            };
            let usual_quoted = match f.ty {
                Ty::Scalar(Scalar::IntString) => Some(true),
                Ty::Scalar(Scalar::IntOrString) => Some(false),
                _ => None,
            };
            Plan { f, bit: i as u32, mode, usual_quoted, synthetic: i >= first_synthetic }
        })
        .collect()
}

/// The pieces of a map visitor and a map serializer for a list of fields.
pub(crate) struct Pieces {
    /// Variants of the key enum (`#[serde(rename = "…")] F0`).
    pub key_variants: Vec<TokenStream>,
    /// `let mut f0: Option<T> = None;`
    pub locals: Vec<TokenStream>,
    /// `__Key::F0 => f0 = …`
    pub arms: Vec<TokenStream>,
    /// `field: f0…` of the struct literal.
    pub build: Vec<TokenStream>,
    /// Statements writing each field (and padding key) into `map`, reading marks from `wire`.
    pub ser: Vec<TokenStream>,
    /// Whether `ser` reads `wire`.
    pub ser_reads_wire: bool,
    /// Whether the visitor changes `wire`.
    pub de_marks_wire: bool,
}

fn private() -> TokenStream {
    quote!(::wecom_models::__private)
}

/// Builds the pieces for `plans`, then one padding key each for `padding` (bits after the
/// fields).
pub(crate) fn pieces(models: &Models<'_>, fam: &Family, plans: &[Plan<'_>], padding: &[String]) -> Pieces {
    let p = private();
    let mut out = Pieces {
        key_variants: Vec::new(),
        locals: Vec::new(),
        arms: Vec::new(),
        build: Vec::new(),
        ser: Vec::new(),
        ser_reads_wire: false,
        de_marks_wire: false,
    };
    for plan in plans {
        let f = plan.f;
        let key = format_ident!("F{}", plan.bit);
        let local = format_ident!("f{}", plan.bit);
        let wire_name = &f.wire;
        let aliases = &f.aliases;
        let id = &f.ident;
        let bit = Literal::u32_unsuffixed(plan.bit);
        out.key_variants.push(quote! { #[serde(rename = #wire_name)] #key });
        let base = match plan.usual_quoted {
            Some(_) => quote!(u64),
            None => models.rust_ty(fam, &f.ty),
        };
        let local_ty = if plan.mode == Mode::List { quote!(Vec<#base>) } else { base };
        out.locals.push(quote! { let mut #local: Option<#local_ty> = None; });
        let reader = match f.ty {
            Ty::Scalar(Scalar::IntString) => quote!(#p::IntStringIn),
            _ => quote!(#p::IntOrStringIn),
        };
        let arm = match (plan.mode, plan.usual_quoted) {
            (Mode::Strict, None) => quote!(#local = Some(map.next_value()?)),
            (Mode::Strict, Some(_)) => quote!(#local = Some(wire.int(#bit, map.next_value::<#reader>()?))),
            (Mode::Lenient | Mode::Optional, Some(_)) => {
                quote!(#local = wire.opt_int(#bit, map.next_value::<Option<#reader>>()?))
            }
            (Mode::Lenient, None) => quote!(#local = wire.lenient(#bit, map.next_value()?)),
            (Mode::Optional, None) => quote!(#local = wire.opt(#bit, map.next_value()?)),
            (Mode::List, _) => quote!(#local = wire.list(#bit, map.next_value()?)),
        };
        out.de_marks_wire |= !matches!((plan.mode, plan.usual_quoted), (Mode::Strict, None)) || !aliases.is_empty();
        out.arms.push(quote!(__Key::#key => #arm));
        // Each alias is its own key, so the name that came is the name written back.
        for (j, alias) in aliases.iter().enumerate() {
            let alias_key = format_ident!("A{}_{}", plan.bit, j);
            out.key_variants.push(quote! { #[serde(rename = #alias)] #alias_key });
            out.arms.push(quote!(__Key::#alias_key => { wire.mark_alias(#bit); #arm; }));
        }
        let wire_name = match aliases.first() {
            Some(alias) => {
                out.ser_reads_wire = true;
                quote!(if wire.aliased(#bit) { #alias } else { #wire_name })
            }
            None => quote!(#wire_name),
        };
        out.build.push(match plan.mode {
            Mode::Strict => {
                quote!(#id: #local.ok_or_else(|| <A::Error as ::serde::de::Error>::missing_field(#wire_name))?)
            }
            Mode::Lenient => quote!(#id: wire.or_default(#bit, #local)),
            Mode::Optional => quote!(#id: #local),
            Mode::List => quote!(#id: #local.unwrap_or_default()),
        });
        let int_out = |v: TokenStream, usual: bool| quote!(#p::IntOut::new(#v, wire.quoted(#bit, #usual)));
        let ser = match (plan.mode, plan.usual_quoted) {
            (Mode::Strict, None) => quote!(map.serialize_entry(#wire_name, &self.#id)?;),
            (Mode::Strict, Some(u)) => {
                let v = int_out(quote!(self.#id), u);
                quote!(map.serialize_entry(#wire_name, &#v)?;)
            }
            (Mode::Lenient, None) => quote!(#p::ser_lenient(&mut map, #wire_name, &self.#id, wire, #bit)?;),
            (Mode::Lenient, Some(u)) => {
                let v = int_out(quote!(self.#id), u);
                quote!(#p::ser_lenient(&mut map, #wire_name, &#v, wire, #bit)?;)
            }
            (Mode::Optional, None) => quote!(#p::ser_opt(&mut map, #wire_name, self.#id.as_ref(), wire, #bit)?;),
            (Mode::Optional, Some(u)) => {
                let v = int_out(quote!(v), u);
                quote!(#p::ser_opt(&mut map, #wire_name, self.#id.map(|v| #v).as_ref(), wire, #bit)?;)
            }
            (Mode::List, _) => quote!(#p::ser_list(&mut map, #wire_name, &self.#id, wire, #bit)?;),
        };
        out.ser_reads_wire |= !matches!((plan.mode, plan.usual_quoted), (Mode::Strict, None));
        out.ser.push(ser);
    }
    for (k, key_text) in padding.iter().enumerate() {
        let bit = Literal::u32_unsuffixed((plans.len() + k) as u32);
        let key = format_ident!("P{}", k);
        out.key_variants.push(quote! { #[serde(rename = #key_text)] #key });
        out.arms.push(quote!(__Key::#key => wire.padding(#bit, map.next_value()?)));
        out.ser.push(quote!(#p::ser_padding(&mut map, #key_text, wire, #bit)?;));
        out.de_marks_wire = true;
        out.ser_reads_wire = true;
    }
    out
}

/// `let wire = &self.__wire;` when the serializer reads the marks.
pub(crate) fn ser_wire_binding(pieces: &Pieces) -> TokenStream {
    if pieces.ser_reads_wire { quote!(let wire = &self.__wire;) } else { quote!() }
}

/// `let mut wire = Wire::default();` (mutable only when the visitor marks it).
pub(crate) fn de_wire_binding(pieces: &Pieces) -> TokenStream {
    let p = private();
    if pieces.de_marks_wire {
        quote!(let mut wire = #p::Wire::default();)
    } else {
        quote!(let wire = #p::Wire::default();)
    }
}

/// The hidden marks field of a struct.
pub(crate) fn wire_field() -> TokenStream {
    let p = private();
    quote! {
        /// How the wire spelled this value where the fields cannot say (absent, `null`, `[]`,
        /// padding, a number in a string), so it is written back as it came. Not part of equality.
        #[doc(hidden)]
        pub(crate) __wire: #p::Wire
    }
}

/// `impl Debug`: the fields, without the marks.
pub(crate) fn debug_impl(name: &Ident, fields: &[Field], extra: Option<&Ident>) -> TokenStream {
    let name_str = name.to_string();
    let entries = fields.iter().map(|f| &f.ident).chain(extra).map(|id| {
        let shown = id.unraw().to_string();
        quote!(.field(#shown, &self.#id))
    });
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#name_str) #(#entries)* .finish()
            }
        }
    }
}

/// `impl Serialize` and `impl Deserialize` of a plain struct.
pub(crate) fn struct_impls(name: &Ident, pieces: &Pieces) -> TokenStream {
    let Pieces { key_variants, locals, arms, build, ser, .. } = pieces;
    let ser_wire = ser_wire_binding(pieces);
    let de_wire = de_wire_binding(pieces);
    let expecting = format!("a {name} object");
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                #ser_wire
                let mut map = serializer.serialize_map(None)?;
                #(#ser)*
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                #[serde(field_identifier)]
                enum __Key {
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
                        #de_wire
                        #(#locals)*
                        while let Some(key) = map.next_key::<__Key>()? {
                            match key {
                                #(#arms,)*
                                __Key::Other => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(#name { #(#build,)* __wire: wire })
                    }
                }
                deserializer.deserialize_map(__Visitor)
            }
        }
    }
}
