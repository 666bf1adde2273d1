//! Tagged unions: the tags, the payload structs, and the shared fields' extra rules (the
//! container's hand-written serde reads them by wire key).

use std::collections::BTreeSet;

use super::enums::VariantNames;
use super::names::{Declared, UnionDecl};
use super::{Problem, SpecError};
use crate::model::{Field, ItemRef, Scalar, Union, UnionVariant};
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
