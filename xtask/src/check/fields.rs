//! Pass 2: fields. Parses each field's type (`list<Row>`, `int_string`, …) into a [`Ty`] and a
//! [`Shape`], checks its limits and default, and then resolves `unique_key` rules against the
//! (already resolved) fields of the element struct.

use std::collections::BTreeSet;

use heck::ToSnakeCase;

use super::names::Declared;
use super::{At, Problem, SpecError};
use crate::model::{DefaultValue, Field, ItemRef, Scalar, Shape, StructId, Ty, Unique};
use crate::rust::parse_ident;
use crate::spec::FieldDef;

/// A `unique_key` rule waiting for the element struct's fields: field `field` of the owner
/// names `key` in struct `elem`.
pub(crate) struct PendingKey {
    field: usize,
    elem: StructId,
    key: String,
    repeatable: Vec<String>,
}

/// The fields of one struct or union, and their `unique_key` rules still to resolve.
pub(crate) struct Resolved {
    pub fields: Vec<Field>,
    pub pending: Vec<PendingKey>,
}

/// Resolves one struct's or union's fields (all but their `unique_key` rules).
pub(crate) fn resolve(d: &Declared<'_>, at: &At<'_>, defs: &[FieldDef]) -> Result<Resolved, SpecError> {
    let mut wire = BTreeSet::new();
    let mut rust = BTreeSet::new();
    let mut out = Vec::with_capacity(defs.len());
    let mut pending = Vec::new();
    for f in defs {
        let err = |p: Problem| at.field_err(&f.name, p);
        if !wire.insert(f.name.as_str()) {
            return Err(err(Problem::DuplicateField));
        }
        let rust_name = f.rust_name.clone().unwrap_or_else(|| f.name.to_snake_case());
        let ident = parse_ident(&rust_name).ok_or_else(|| err(Problem::FieldRustName { name: rust_name.clone() }))?;
        if !rust.insert(ident.to_string()) {
            return Err(err(Problem::DuplicateRustName { name: ident.to_string() }));
        }
        let (list, ty) = parse_type(d, &f.ty).map_err(err)?;
        if list && ty.is(Scalar::IntString) {
            return Err(err(Problem::ListOfIntString));
        }
        if list && ty.is(Scalar::IntOrString) {
            return Err(err(Problem::ListOfIntOrString));
        }
        if let Some(max_bytes) = f.max_bytes {
            let text = match &ty {
                Ty::Scalar(s) => s.is_text(),
                Ty::Named(t) => matches!(t.item, ItemRef::StringEnum(_)),
            };
            if !text {
                return Err(err(Problem::MaxBytesNotText));
            }
            if max_bytes == 0 {
                return Err(err(Problem::MaxBytesZero));
            }
        }
        let integer = !list && ty.int().is_some();
        if f.min.is_some() || f.max.is_some() {
            if !integer {
                return Err(err(Problem::MinMaxNotInteger));
            }
            if let (Some(min), Some(max)) = (f.min, f.max) {
                if min > max {
                    return Err(err(Problem::MinAboveMax { min, max }));
                }
            }
        }
        if let Some(key) = &f.unique_key {
            let elem = match &ty {
                Ty::Named(t) if list => match t.item {
                    ItemRef::Struct(id) => Some(id),
                    _ => None,
                },
                _ => None,
            };
            let Some(elem) = elem else {
                return Err(err(Problem::UniqueKeyNotStructList));
            };
            pending.push(PendingKey { field: out.len(), elem, key: key.clone(), repeatable: f.repeatable.clone() });
        } else if !f.repeatable.is_empty() {
            return Err(err(Problem::RepeatableWithoutKey));
        }
        let default = match &f.default {
            None => None,
            Some(value) => {
                let typed = match (&ty, value) {
                    (_, toml::Value::Integer(i)) if integer => Some(DefaultValue::Int(*i)),
                    (Ty::Scalar(Scalar::String), toml::Value::String(s)) if !list => Some(DefaultValue::Str(s.clone())),
                    (Ty::Scalar(Scalar::Bool), toml::Value::Boolean(b)) if !list => Some(DefaultValue::Bool(*b)),
                    _ => None,
                };
                let Some(typed) = typed else {
                    return Err(err(Problem::DefaultType { value: value.to_string(), ty: f.ty.trim().to_string() }));
                };
                if !f.required {
                    return Err(err(Problem::DefaultOnOptional));
                }
                if let DefaultValue::Int(i) = typed {
                    if f.min.is_some_and(|m| i < m) || f.max.is_some_and(|m| i > m) {
                        return Err(err(Problem::DefaultOutOfRange { value: i }));
                    }
                }
                Some(typed)
            }
        };
        let shape = match (list, f.required) {
            (true, _) => Shape::List,
            (false, true) => Shape::Required { default },
            (false, false) => Shape::Optional,
        };
        out.push(Field {
            wire: f.name.clone(),
            ident,
            doc: f.doc.clone(),
            ty,
            shape,
            aliases: f.alias.clone(),
            max_bytes: f.max_bytes,
            min: f.min,
            max: f.max,
            unique: None,
        });
    }
    Ok(Resolved { fields: out, pending })
}

/// Parses `list<T>` or `T`: whether it is a list, and the element type.
fn parse_type(d: &Declared<'_>, text: &str) -> Result<(bool, Ty), Problem> {
    let text = text.trim();
    let (list, elem) = match text.strip_prefix("list<").and_then(|r| r.strip_suffix('>')) {
        Some(inner) => (true, inner.trim()),
        None => (false, text),
    };
    if list && elem.starts_with("list<") {
        return Err(Problem::ListOfLists);
    }
    if let Some(s) = Scalar::ALL.into_iter().find(|s| s.spec_name() == elem) {
        return Ok((list, Ty::Scalar(s)));
    }
    if crate::rust::parse_type_ident(elem).is_none() {
        let expected = Scalar::ALL.map(Scalar::spec_name).join(", ");
        return Err(Problem::TypeSyntax { ty: text.to_string(), expected });
    }
    match d.types.get(elem) {
        Some(t) => Ok((list, Ty::Named(t.clone()))),
        None => Err(Problem::UnknownType { name: elem.to_string() }),
    }
}

/// Resolves every `unique_key` rule: the key must be a required text or string-enum field of
/// the element struct (the check compares `as_str()` values). `owners` are every struct's and
/// union's resolved fields with where they come from; `structs` are the structs' fields.
pub(crate) fn resolve_unique_keys(
    d: &Declared<'_>,
    owners: Vec<(&At<'_>, &mut Resolved)>,
    structs: &[Vec<Field>],
) -> Result<(), SpecError> {
    for (at, owner) in owners {
        for p in std::mem::take(&mut owner.pending) {
            let field = &mut owner.fields[p.field];
            let err = |problem: Problem| at.field_err(&field.wire, problem);
            let ty = d.structs[p.elem.0].name.to_string();
            let Some(k) = structs[p.elem.0].iter().find(|g| g.wire == p.key) else {
                return Err(err(Problem::UniqueKeyMissing { key: p.key, ty }));
            };
            let text = match &k.ty {
                Ty::Scalar(s) => matches!(s, Scalar::String | Scalar::NumberString | Scalar::JsonString),
                Ty::Named(t) => matches!(t.item, ItemRef::StringEnum(_)),
            };
            if !text || !matches!(k.shape, Shape::Required { .. }) {
                return Err(err(Problem::UniqueKeyType { key: p.key, ty }));
            }
            field.unique =
                Some(Unique { key_wire: k.wire.clone(), key_ident: k.ident.clone(), repeatable: p.repeatable });
        }
    }
    Ok(())
}
