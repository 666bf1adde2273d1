//! Pass 1: family modules and type names.
//!
//! Every named type of every family lives in one namespace. Each struct (named, request or
//! response), enum and union gets its id here, so later passes resolve a field's type to a
//! [`TypeRef`] whatever the order of the files.

use std::collections::BTreeMap;
use std::path::Path;

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::Ident;

use super::{At, Problem, SpecError};
use crate::model::{EnumId, ItemRef, Role, StructId, TypeRef, UnionId};
use crate::rust::{is_snake_case, parse_ident, parse_module_ident, parse_type_ident};
use crate::spec::{EndpointDef, EnumDef, FamilyFile, FieldDef, UnionDef};

/// Family names that would collide with a generated module of `wecom-endpoints`.
const RESERVED_FAMILIES: &[&str] = &["errors"];

/// The declarations of a spec: names checked, ids given, bodies not yet resolved.
pub(crate) struct Declared<'a> {
    /// Type name → what it names.
    pub types: BTreeMap<String, TypeRef>,
    pub families: Vec<FamilyDecl<'a>>,
    /// Indexed by [`StructId`].
    pub structs: Vec<StructDecl<'a>>,
    /// Indexed by [`EnumId`].
    pub enums: Vec<EnumDecl<'a>>,
    /// Indexed by [`UnionId`].
    pub unions: Vec<UnionDecl<'a>>,
}

pub(crate) struct FamilyDecl<'a> {
    pub path: &'a Path,
    pub file: &'a FamilyFile,
    pub module: Ident,
    pub structs: Vec<StructId>,
    pub enums: Vec<EnumId>,
    pub unions: Vec<UnionId>,
    pub endpoints: Vec<EndpointDecl<'a>>,
}

pub(crate) struct EndpointDecl<'a> {
    pub def: &'a EndpointDef,
    pub at: At<'a>,
    pub konst: Ident,
    pub request: StructId,
    pub response: StructId,
}

pub(crate) struct StructDecl<'a> {
    pub at: At<'a>,
    pub name: Ident,
    pub module: Ident,
    pub doc: &'a str,
    pub fields: &'a [FieldDef],
    pub role: Role,
}

pub(crate) struct EnumDecl<'a> {
    pub at: At<'a>,
    pub name: Ident,
    pub module: Ident,
    pub def: &'a EnumDef,
    /// `repr = "int"`.
    pub int: bool,
}

pub(crate) struct UnionDecl<'a> {
    pub at: At<'a>,
    pub name: Ident,
    pub content_name: Ident,
    pub module: Ident,
    pub def: &'a UnionDef,
}

impl Declared<'_> {
    /// Declares a type name.
    fn add(&mut self, at: &At<'_>, name: &str, module: &Ident, item: ItemRef) -> Result<Ident, SpecError> {
        let Some(ident) = parse_type_ident(name) else {
            return Err(at.err(Problem::TypeName { name: name.to_string() }));
        };
        if let Some(other) = self.types.get(name) {
            return Err(at.err(Problem::DuplicateType { name: name.to_string(), other: other.module.to_string() }));
        }
        self.types.insert(name.to_string(), TypeRef { item, module: module.clone(), name: ident.clone() });
        Ok(ident)
    }
}

/// Checks family and type names and gives every item its id. `families` is sorted by name.
pub(crate) fn declare<'a>(families: &'a [(std::path::PathBuf, FamilyFile)]) -> Result<Declared<'a>, SpecError> {
    let mut d = Declared {
        types: BTreeMap::new(),
        families: Vec::new(),
        structs: Vec::new(),
        enums: Vec::new(),
        unions: Vec::new(),
    };
    for (path, fam) in families {
        let at = At::new(path, "family");
        let Some(module) = parse_module_ident(&fam.family) else {
            return Err(at.err(Problem::FamilyName { name: fam.family.clone() }));
        };
        if RESERVED_FAMILIES.contains(&fam.family.as_str()) {
            return Err(at.err(Problem::FamilyReserved { name: fam.family.clone() }));
        }
        if d.families.iter().any(|f| f.module == module) {
            return Err(at.err(Problem::FamilyTwice { name: fam.family.clone() }));
        }
        let mut decl = FamilyDecl {
            path,
            file: fam,
            module: module.clone(),
            structs: Vec::new(),
            enums: Vec::new(),
            unions: Vec::new(),
            endpoints: Vec::new(),
        };
        for s in &fam.structs {
            let at = At::new(path, format!("struct `{}`", s.name));
            let id = StructId(d.structs.len());
            let name = d.add(&at, &s.name, &module, ItemRef::Struct(id))?;
            d.structs.push(StructDecl {
                at,
                name,
                module: module.clone(),
                doc: &s.doc,
                fields: &s.field,
                role: Role::Named,
            });
            decl.structs.push(id);
        }
        for e in &fam.enums {
            let at = At::new(path, format!("enum `{}`", e.name));
            let id = EnumId(d.enums.len());
            let int = match e.repr.as_str() {
                "int" => true,
                "string" => false,
                other => return Err(at.err(Problem::EnumRepr { repr: other.to_string() })),
            };
            let item = if int { ItemRef::IntEnum(id) } else { ItemRef::StringEnum(id) };
            let name = d.add(&at, &e.name, &module, item)?;
            d.enums.push(EnumDecl { at, name, module: module.clone(), def: e, int });
            decl.enums.push(id);
        }
        for u in &fam.unions {
            let at = At::new(path, format!("union `{}`", u.name));
            let id = UnionId(d.unions.len());
            let name = d.add(&at, &u.name, &module, ItemRef::Union(id))?;
            let content = u.content_enum.clone().unwrap_or_else(|| format!("{}Value", u.name));
            let content_name = d.add(&at, &content, &module, ItemRef::UnionContent(id))?;
            d.unions.push(UnionDecl { at, name, content_name, module: module.clone(), def: u });
            decl.unions.push(id);
        }
        for ep in &fam.endpoint {
            let at = At::new(path, format!("endpoint `{}`", ep.name));
            let konst = is_snake_case(&ep.name).then(|| parse_ident(&ep.name.to_shouty_snake_case())).flatten();
            let Some(konst) = konst else {
                return Err(at.err(Problem::EndpointName));
            };
            let camel = ep.name.to_upper_camel_case();
            let mut side = |role: Role, suffix: &str, doc: &'a str, fields: &'a [FieldDef]| {
                let id = StructId(d.structs.len());
                let name = d.add(&at, &format!("{camel}{suffix}"), &module, ItemRef::Struct(id))?;
                let item = format!("endpoint `{}` {}", ep.name, suffix.to_lowercase());
                d.structs.push(StructDecl { at: At::new(path, item), name, module: module.clone(), doc, fields, role });
                Ok::<_, SpecError>(id)
            };
            let request = side(Role::Request, "Request", &ep.request.doc, &ep.request.field)?;
            let response = side(Role::Response, "Response", &ep.response.doc, &ep.response.field)?;
            decl.endpoints.push(EndpointDecl { def: ep, at, konst, request, response });
        }
        d.families.push(decl);
    }
    Ok(d)
}
