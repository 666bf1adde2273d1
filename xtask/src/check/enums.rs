//! Open enums, and the variant-name rules that unions and error codes share.

use std::collections::BTreeSet;

use proc_macro2::Ident;

use super::names::EnumDecl;
use super::{Problem, SpecError};
use crate::model::{Enum, EnumVariants, Variant};
use crate::rust::parse_type_ident;

/// The variant names of one enum: UpperCamelCase, unique, and never `Unknown` (the catch-all
/// every open enum gets).
#[derive(Default)]
pub(crate) struct VariantNames(BTreeSet<String>);

impl VariantNames {
    pub(crate) fn add(&mut self, name: &str) -> Result<Ident, Problem> {
        let ident = match parse_type_ident(name) {
            Some(id) if name != "Unknown" => id,
            _ => return Err(Problem::VariantName { name: name.to_string() }),
        };
        if !self.0.insert(name.to_string()) {
            return Err(Problem::DuplicateVariant { name: name.to_string() });
        }
        Ok(ident)
    }
}

/// Resolves an enum's variants; values must match the repr and not repeat.
pub(crate) fn resolve(e: &EnumDecl<'_>) -> Result<Enum, SpecError> {
    let def = e.def;
    if def.variant.is_empty() {
        return Err(e.at.err(Problem::EnumEmpty));
    }
    let mut names = VariantNames::default();
    let mut ints = Vec::new();
    let mut strings = Vec::new();
    let mut values = BTreeSet::new();
    for v in &def.variant {
        let name = names.add(&v.name).map_err(|p| e.at.err(p))?;
        let doc = v.doc.clone();
        match (&v.value, e.int) {
            (toml::Value::Integer(i), true) => ints.push(Variant { name, value: *i, doc }),
            (toml::Value::String(s), false) => strings.push(Variant { name, value: s.clone(), doc }),
            (value, _) => {
                return Err(e.at.err(Problem::VariantValue {
                    name: v.name.clone(),
                    value: value.to_string(),
                    repr: def.repr.clone(),
                }));
            }
        }
        if !values.insert(v.value.to_string()) {
            return Err(e.at.err(Problem::DuplicateValue { name: v.name.clone(), value: v.value.to_string() }));
        }
    }
    let variants = if e.int { EnumVariants::Int(ints) } else { EnumVariants::String(strings) };
    Ok(Enum { name: e.name.clone(), module: e.module.clone(), doc: def.doc.clone(), variants })
}
