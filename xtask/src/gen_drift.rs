//! Emits `wecom_models::drift::Inspect` for response-side structs, union containers and enums:
//! a walk of the raw JSON beside the spec that reports what the spec does not know (keys no
//! field claims, enum values and union kinds not listed, required fields left out). It runs
//! only when a client records drift, on a second parse of the body; decoding never calls it.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::gen_models::Models;
use crate::gen_serde::{Mode, Plan};
use crate::model::{Enum, EnumVariants, Family, ItemRef, Ty, Union};

fn drift() -> TokenStream {
    quote!(::wecom_models::drift)
}

/// `module::Name`, as findings name the spec item.
pub(crate) fn spec_type(module: &Ident, name: &Ident) -> String {
    format!("{module}::{name}")
}

fn impl_head(name: &Ident, body: TokenStream) -> TokenStream {
    let d = drift();
    quote! {
        impl #d::Inspect for #name {
            fn inspect<'a>(raw: &'a ::serde_json::Value, at: &mut #d::Path<'a>, out: &mut dyn #d::Sink) {
                #body
            }
        }
    }
}

/// The match arm of one field: a walk for named types, nothing for scalars.
fn field_arm(models: &Models<'_>, fam: &Family, plan: &Plan<'_>) -> TokenStream {
    let d = drift();
    let f = plan.f;
    let wire = &f.wire;
    let aliases = &f.aliases;
    let walk = match &f.ty {
        Ty::Named(t) if !matches!(t.item, ItemRef::UnionContent(_)) => {
            let ty = models.rust_ty(fam, &f.ty);
            if plan.mode == Mode::List {
                quote!(#d::__private::list::<#ty>(at, key, value, out))
            } else {
                quote!(#d::__private::field::<#ty>(at, key, value, out))
            }
        }
        _ => quote!({}),
    };
    quote!(#wire #(| #aliases)* => #walk)
}

/// Reports of required fields read leniently that the object lacks.
fn requires(plans: &[Plan<'_>], spec: &str) -> Vec<TokenStream> {
    let d = drift();
    plans
        .iter()
        .filter(|p| p.mode == Mode::Lenient && !p.synthetic)
        .map(|p| {
            let wire = &p.f.wire;
            let aliases = &p.f.aliases;
            quote!(#d::__private::require(at, object, &[#wire #(, #aliases)*], #spec, out);)
        })
        .collect()
}

/// `Inspect` for a struct with these fields and padding keys.
pub(crate) fn struct_inspect(
    models: &Models<'_>,
    fam: &Family,
    name: &Ident,
    spec: &str,
    plans: &[Plan<'_>],
    padding: &[String],
) -> TokenStream {
    let d = drift();
    let mut arms: Vec<TokenStream> = plans.iter().map(|p| field_arm(models, fam, p)).collect();
    arms.extend(padding.iter().map(|k| quote!(#k => #d::__private::padding(at, key, value, #spec, out))));
    let unknown = quote!(#d::__private::unknown_field(at, key, value, #spec, out));
    let each = if arms.is_empty() {
        quote!(#unknown;)
    } else {
        quote! {
            match key.as_str() {
                #(#arms,)*
                _ => #unknown,
            }
        }
    };
    let requires = requires(plans, spec);
    impl_head(
        name,
        quote! {
            let Some(object) = raw.as_object() else { return };
            for (key, value) in object {
                #each
            }
            #(#requires)*
        },
    )
}

/// `Inspect` for a union container: its shared fields, the payload of a known kind, and the
/// kind itself when the spec does not list it.
pub(crate) fn union_inspect(models: &Models<'_>, fam: &Family, u: &Union, plans: &[Plan<'_>]) -> TokenStream {
    let d = drift();
    let spec = spec_type(&u.module, &u.name);
    let tag_key = &u.tag_key;
    let content_key = &u.content_key;
    let content_name = &u.content_name;
    let kinds = u.variants.iter().map(|v| {
        let tag = &v.tag;
        let payload = models.model.strukt(v.payload);
        let ty = crate::gen_models::named_path(fam, &payload.module, &payload.name);
        quote!(Some(#tag) => #d::__private::field::<#ty>(at, key, value, out))
    });
    let arms = plans.iter().map(|p| field_arm(models, fam, p));
    let requires = requires(plans, &spec);
    impl_head(
        &u.name,
        quote! {
            let Some(object) = raw.as_object() else { return };
            let tag = object.get(#tag_key);
            for (key, value) in object {
                match key.as_str() {
                    #tag_key => {}
                    #content_key => match tag.and_then(::serde_json::Value::as_str) {
                        #(#kinds,)*
                        _ => {}
                    },
                    #(#arms,)*
                    _ => #d::__private::unknown_field(at, key, value, #spec, out),
                }
            }
            let unknown = tag.filter(|t| t.as_str().is_some_and(|t| !#content_name::KNOWN_TAGS.contains(&t)));
            if let Some(t) = unknown {
                #d::__private::unknown_kind(at, #tag_key, t, object.get(#content_key), #spec, out);
            }
            #(#requires)*
        },
    )
}

/// `Inspect` for an open enum: a value it does not list is reported.
pub(crate) fn enum_inspect(e: &Enum) -> TokenStream {
    let d = drift();
    let spec = spec_type(&e.module, &e.name);
    let body = match e.variants {
        EnumVariants::Int(_) => {
            quote!(#d::__private::int_enum(raw, at, #spec, |c| Self::from_code(c).is_known(), out);)
        }
        EnumVariants::String(_) => {
            quote!(#d::__private::string_enum(raw, at, #spec, |s| Self::from_wire(s).is_known(), out);)
        }
    };
    impl_head(&e.name, body)
}
