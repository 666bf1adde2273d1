//! Validate and resolve: parsed spec files in, the typed [`Model`] out.
//!
//! This is the one place where the spec's strings are read. Each concern has its module and
//! runs in this order:
//!
//! 1. `names`: family modules and type names, one global namespace; every struct, enum and
//!    union gets its id, so any type can be referred to before it is resolved;
//! 2. `errors`: `errors.toml`, whose codes the endpoints cite;
//! 3. `fields`: the fields of every struct and union (types, shapes, limits, defaults), then
//!    the `unique_key` rules, which name a field of another struct;
//! 4. `enums` and `unions` (then the padding keys each union payload accepts, and the check
//!    that every struct fits the generated `Wire` marks);
//! 5. `endpoints`: method, path, page, window and cursor, each reference resolved to the
//!    field it names;
//! 6. `reach`: the sets the emitters share (request-side structs, defaultable structs);
//! 7. `events`: callback events — the header, the XML element types and the events, whose
//!    children may name an open enum of any family.
//!
//! Any problem stops the run with a [`SpecError`] naming the file, the item and the field.

mod endpoints;
mod enums;
mod errors;
mod events;
mod fields;
mod names;
mod problem;
mod reach;
mod unions;

use std::path::Path;

pub use problem::{Problem, SpecError};

use crate::model::{Family, Field, Model, Struct};
use crate::spec::SpecFiles;

/// Validates parsed spec files and resolves them into the model the emitters read.
pub fn resolve(mut files: SpecFiles) -> Result<Model, SpecError> {
    files.families.sort_by(|a, b| a.1.family.cmp(&b.1.family));
    let declared = names::declare(&files.families)?;
    let error_codes = match &files.errors {
        Some((path, file)) => Some(errors::resolve(path, file)?),
        None => None,
    };

    let mut struct_res = Vec::with_capacity(declared.structs.len());
    for s in &declared.structs {
        struct_res.push(fields::resolve(&declared, &s.at, s.fields)?);
    }
    let mut union_res = Vec::with_capacity(declared.unions.len());
    for u in &declared.unions {
        union_res.push(fields::resolve(&declared, &u.at, &u.def.field)?);
    }
    // Keys are plain fields of the element struct: resolve them against a copy.
    let snapshot: Vec<Vec<Field>> = struct_res.iter().map(|r| r.fields.clone()).collect();
    let owners = declared
        .structs
        .iter()
        .map(|s| &s.at)
        .zip(struct_res.iter_mut())
        .chain(declared.unions.iter().map(|u| &u.at).zip(union_res.iter_mut()))
        .collect();
    fields::resolve_unique_keys(&declared, owners, &snapshot)?;
    let struct_fields: Vec<Vec<Field>> = struct_res.into_iter().map(|r| r.fields).collect();
    let union_fields: Vec<Vec<Field>> = union_res.into_iter().map(|r| r.fields).collect();

    let enums = declared.enums.iter().map(enums::resolve).collect::<Result<Vec<_>, _>>()?;
    let unions = declared
        .unions
        .iter()
        .zip(union_fields)
        .map(|(u, fields)| unions::resolve(&declared, u, fields))
        .collect::<Result<Vec<_>, _>>()?;

    let mut families = Vec::with_capacity(declared.families.len());
    for fam in &declared.families {
        let mut eps = Vec::with_capacity(fam.endpoints.len());
        for ep in &fam.endpoints {
            eps.push(endpoints::resolve(&struct_fields, error_codes.as_ref(), fam, ep)?);
        }
        eps.sort_by(|a, b| a.name.cmp(&b.name));
        families.push(Family {
            module: fam.module.clone(),
            doc: fam.file.doc.clone(),
            source: fam.path.to_path_buf(),
            structs: fam.structs.clone(),
            enums: fam.enums.clone(),
            unions: fam.unions.clone(),
            endpoints: eps,
            elements: Vec::new(),
            events: None,
        });
    }

    let sets = reach::compute(&declared, &struct_fields);
    let mut padding = unions::padding(&declared, &unions, &struct_fields)?;
    let structs = declared
        .structs
        .iter()
        .zip(struct_fields)
        .enumerate()
        .map(|(i, (s, fields))| Struct {
            name: s.name.clone(),
            module: s.module.clone(),
            doc: s.doc.to_string(),
            fields,
            role: s.role,
            request_side: sets.request_side[i],
            defaultable: sets.defaultable[i],
            padding: std::mem::take(&mut padding[i]),
        })
        .collect();

    let xml = events::resolve(&declared)?;
    for (fam, (elements, events)) in families.iter_mut().zip(xml.families) {
        fam.elements = elements;
        fam.events = events;
    }

    Ok(Model { families, structs, enums, unions, errors: error_codes, elements: xml.elements })
}

/// Where a problem is: the file and the item, for building [`SpecError`]s.
#[derive(Debug, Clone)]
pub(crate) struct At<'a> {
    file: &'a Path,
    item: String,
}

impl<'a> At<'a> {
    fn new(file: &'a Path, item: impl Into<String>) -> Self {
        At { file, item: item.into() }
    }

    /// A problem of the item.
    fn err(&self, problem: Problem) -> SpecError {
        SpecError { file: self.file.to_path_buf(), item: self.item.clone(), field: None, problem: Box::new(problem) }
    }

    /// A problem of one field of the item.
    fn field_err(&self, field: &str, problem: Problem) -> SpecError {
        SpecError {
            file: self.file.to_path_buf(),
            item: self.item.clone(),
            field: Some(field.to_string()),
            problem: Box::new(problem),
        }
    }
}
