//! Tagged unions: the tags, the payload structs, and the shared fields' extra rules (the
//! container's hand-written serde reads them by wire key).

use std::collections::BTreeSet;

use super::enums::VariantNames;
use super::names::{Declared, UnionDecl};
use super::{Problem, SpecError};
use crate::model::{Field, ItemRef, Role, Scalar, StructId, Union, UnionVariant};
use crate::rust::parse_ident;

/// Resolves a union whose shared fields are already resolved.
pub(crate) fn resolve(d: &Declared<'_>, u: &UnionDecl<'_>, fields: Vec<Field>) -> Result<Union, SpecError> {
    let def = u.def;
    let mut tags = BTreeSet::new();
    let mut names = VariantNames::default();
    let mut variants = Vec::with_capacity(def.variant.len());
    for v in &def.variant {
        if !tags.insert(v.tag.as_str()) {
            return Err(u.at.err(Problem::DuplicateTag { tag: v.tag.clone() }));
        }
        let name = names.add(v.name.as_deref().unwrap_or(&v.tag)).map_err(|p| u.at.err(p))?;
        let payload = match d.types.get(&v.ty).map(|t| t.item) {
            Some(ItemRef::Struct(id)) => id,
            Some(_) => return Err(u.at.err(Problem::PayloadNotStruct { tag: v.tag.clone(), ty: v.ty.clone() })),
            None => return Err(u.at.err(Problem::PayloadUnknown { tag: v.tag.clone(), ty: v.ty.clone() })),
        };
        variants.push(UnionVariant { tag: v.tag.clone(), name, payload, doc: v.doc.clone() });
    }
    let mut padding = BTreeSet::new();
    for key in &def.padding {
        if !padding.insert(key.as_str()) {
            return Err(u.at.err(Problem::PaddingTwice { key: key.clone() }));
        }
    }
    for f in &fields {
        if f.ty.is(Scalar::IntString) {
            return Err(u.at.field_err(&f.wire, Problem::UnionIntString));
        }
        if f.wire == def.tag || f.wire == def.content {
            return Err(u.at.field_err(&f.wire, Problem::UnionKeyClash));
        }
    }
    let Some(content_ident) = parse_ident(&def.content) else {
        return Err(u.at.err(Problem::ContentKeyName { name: def.content.clone() }));
    };
    if fields.iter().any(|f| f.ident == content_ident) {
        return Err(u.at.err(Problem::ContentKeyClash { name: def.content.clone() }));
    }
    Ok(Union {
        name: u.name.clone(),
        module: u.module.clone(),
        doc: def.doc.clone(),
        content_name: u.content_name.clone(),
        tag_key: def.tag.clone(),
        content_key: def.content.clone(),
        content_ident,
        fields,
        variants,
    })
}

/// Bits of the generated `Wire` marks: one per field (responses add `errcode` and `errmsg`)
/// and per padding key.
const WIRE_BITS: usize = 32;

/// The padding keys of every struct: those of each union it is a payload of, in the union's
/// order, minus the struct's own wire names and aliases. Also checks that every struct and
/// union fits the `Wire` marks.
pub(crate) fn padding(
    d: &Declared<'_>,
    unions: &[Union],
    struct_fields: &[Vec<Field>],
) -> Result<Vec<Vec<String>>, SpecError> {
    let mut out: Vec<Vec<String>> = vec![Vec::new(); struct_fields.len()];
    for (u, decl) in unions.iter().zip(&d.unions) {
        for v in &u.variants {
            let StructId(i) = v.payload;
            let own = |k: &String| struct_fields[i].iter().any(|f| f.wire == *k || f.aliases.contains(k));
            for key in &decl.def.padding {
                if !own(key) && !out[i].contains(key) {
                    out[i].push(key.clone());
                }
            }
        }
    }
    let structs = d.structs.iter().enumerate().map(|(i, s)| {
        let extra = if s.role == Role::Response { 2 } else { 0 };
        (&s.at, struct_fields[i].len() + extra + out[i].len())
    });
    let containers = d.unions.iter().zip(unions).map(|(decl, u)| (&decl.at, u.fields.len()));
    for (at, count) in structs.chain(containers) {
        if count > WIRE_BITS {
            return Err(at.err(Problem::TooManyFields { count, max: WIRE_BITS }));
        }
    }
    Ok(out)
}
