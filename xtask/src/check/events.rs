//! Callback events: the `[header]`, `[[element]]` and `[[event]]` sections of a family.
//!
//! Element types are XML-only: they live in the one type namespace (a name may not clash with
//! a JSON type or another element), but JSON fields cannot name them. An element's child may
//! name a scalar, an `[[element]]` or an open enum of any family, so events reuse the JSON
//! API's statuses. Each child says how often it occurs: `one`, `optional`, `repeated` (sibling
//! elements, no wrapper: `SpRecord`) or `wrapped` (`ApprovalNodes` holding `ApprovalNode`s).

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::Ident;

use super::enums::VariantNames;
use super::names::Declared;
use super::{At, Problem, SpecError};
use crate::model::{Child, Element, ElementId, EventKind, Events, ItemRef, Multiplicity, XmlScalar, XmlTy};
use crate::rust::{parse_ident, parse_type_ident};
use crate::spec::ChildDef;

/// The names the generator gives the types of an events family.
const GENERATED: [&str; 3] = ["Event", "Header", "UnknownEvent"];

/// The element types of the whole spec, and per family (in `Declared::families` order) its
/// element ids and events.
pub(crate) struct Resolved {
    pub elements: Vec<Element>,
    pub families: Vec<(Vec<ElementId>, Option<Events>)>,
}

/// Type names of the XML side: name → family module.
struct XmlNames<'d> {
    json: &'d BTreeMap<String, crate::model::TypeRef>,
    xml: BTreeMap<String, String>,
    elements: BTreeMap<String, ElementId>,
}

impl XmlNames<'_> {
    /// Declares an UpperCamelCase type name the XML side generates.
    fn add(&mut self, at: &At<'_>, name: &str, module: &Ident) -> Result<Ident, SpecError> {
        let Some(ident) = parse_type_ident(name) else {
            return Err(at.err(Problem::XmlTypeName { name: name.to_string() }));
        };
        let other = self.json.get(name).map(|t| t.module.to_string()).or_else(|| self.xml.get(name).cloned());
        if let Some(other) = other {
            return Err(at.err(Problem::XmlTypeTaken { name: name.to_string(), other }));
        }
        self.xml.insert(name.to_string(), module.to_string());
        Ok(ident)
    }
}

/// Resolves every family's element types and events.
pub(crate) fn resolve(d: &Declared<'_>) -> Result<Resolved, SpecError> {
    let mut names = XmlNames { json: &d.types, xml: BTreeMap::new(), elements: BTreeMap::new() };
    // Pass 1: every element type gets its id, so children may name any of them.
    let mut decls = Vec::new();
    for fam in &d.families {
        for e in &fam.file.elements {
            let at = At::new(fam.path, format!("element `{}`", e.name));
            let name = names.add(&at, &e.name, &fam.module)?;
            let id = ElementId(decls.len());
            names.elements.insert(e.name.clone(), id);
            decls.push((at, name, fam.module.clone(), e));
        }
        if !fam.file.events.is_empty() {
            let at = At::new(fam.path, "events");
            for generated in GENERATED {
                names.add(&at, generated, &fam.module)?;
            }
        }
    }
    // Pass 2: children.
    let mut elements = Vec::with_capacity(decls.len());
    for (at, name, module, def) in &decls {
        let children = children(d, &names, at, &def.children, &[], &[])?;
        elements.push(Element {
            name: name.clone(),
            module: module.clone(),
            doc: def.doc.clone(),
            children,
            defaultable: false,
        });
    }
    check_cycles(&decls.iter().map(|(at, ..)| at.clone()).collect::<Vec<_>>(), &elements)?;
    mark_defaultable(&mut elements);

    let mut families = Vec::with_capacity(d.families.len());
    let mut next = 0;
    for fam in &d.families {
        let ids: Vec<ElementId> = (next..next + fam.file.elements.len()).map(ElementId).collect();
        next += fam.file.elements.len();
        let events = match (&fam.file.header, fam.file.events.is_empty()) {
            (None, true) => None,
            (None, false) => return Err(At::new(fam.path, "events").err(Problem::EventsWithoutHeader)),
            (Some(_), true) => return Err(At::new(fam.path, "header").err(Problem::HeaderWithoutEvents)),
            (Some(header), false) => {
                let at = At::new(fam.path, "header");
                let header_children = children(d, &names, &at, &header.children, &[], &[])?;
                for c in &header_children {
                    let scalar = matches!(c.ty, XmlTy::Scalar(_));
                    if !scalar || !matches!(c.multiplicity, Multiplicity::One | Multiplicity::Optional) {
                        return Err(at.field_err(&c.xml, Problem::HeaderChild));
                    }
                }
                let Some(discriminator) = header_children.iter().position(|c| {
                    c.xml == "Event"
                        && matches!(c.ty, XmlTy::Scalar(XmlScalar::String))
                        && c.multiplicity == Multiplicity::One
                }) else {
                    return Err(at.err(Problem::HeaderWithoutEvent));
                };
                // An event's own children may not reuse a header element or the `header` field.
                let taken_xml: Vec<&str> = header_children.iter().map(|c| c.xml.as_str()).collect();
                let mut variants = VariantNames::default();
                let mut seen = BTreeSet::new();
                let mut kinds = Vec::with_capacity(fam.file.events.len());
                for ev in &fam.file.events {
                    let at = At::new(fam.path, format!("event `{}`", ev.name));
                    let valid = !ev.name.is_empty() && ev.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    if !valid || !ev.name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        return Err(at.err(Problem::EventName { name: ev.name.clone() }));
                    }
                    if !seen.insert(ev.name.as_str()) {
                        return Err(at.err(Problem::DuplicateEvent { name: ev.name.clone() }));
                    }
                    let variant_name = ev.variant.clone().unwrap_or_else(|| ev.name.to_upper_camel_case());
                    variants.add(&variant_name).map_err(|p| at.err(p))?;
                    let variant = names.add(&at, &variant_name, &fam.module)?;
                    let children = children(d, &names, &at, &ev.children, &taken_xml, &["header"])?;
                    kinds.push(EventKind { name: ev.name.clone(), variant, doc: ev.doc.clone(), children });
                }
                kinds.sort_by(|a, b| a.name.cmp(&b.name));
                Some(Events { header_doc: header.doc.clone(), header: header_children, discriminator, kinds })
            }
        };
        families.push((ids, events));
    }
    Ok(Resolved { elements, families })
}

/// An XML name as WeCom uses them: an ASCII letter or `_`, then letters, digits, `_`, `-`, `.`.
fn is_xml_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Resolves the children of one element, event or header. `taken_xml` and `taken_rust` are
/// names the owner already uses (an event's header elements and its `header` field).
fn children(
    d: &Declared<'_>,
    names: &XmlNames<'_>,
    at: &At<'_>,
    defs: &[ChildDef],
    taken_xml: &[&str],
    taken_rust: &[&str],
) -> Result<Vec<Child>, SpecError> {
    let mut xml: BTreeSet<String> = taken_xml.iter().map(|s| s.to_string()).collect();
    let mut rust: BTreeSet<String> = taken_rust.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::with_capacity(defs.len());
    for c in defs {
        let err = |p: Problem| at.field_err(&c.name, p);
        for name in std::iter::once(&c.name).chain(&c.alias).chain(&c.item) {
            if !is_xml_name(name) {
                return Err(err(Problem::ElementName { name: name.clone() }));
            }
        }
        for name in std::iter::once(&c.name).chain(&c.alias) {
            if !xml.insert(name.clone()) {
                return Err(err(Problem::DuplicateElement { name: name.clone() }));
            }
        }
        let rust_name = c.rust_name.clone().unwrap_or_else(|| c.name.to_snake_case());
        let ident = parse_ident(&rust_name).ok_or_else(|| err(Problem::ChildRustName { name: rust_name.clone() }))?;
        if !rust.insert(ident.to_string()) {
            return Err(err(Problem::DuplicateChildRustName { name: ident.to_string() }));
        }
        let multiplicity = match (c.multiplicity.as_deref().unwrap_or("one"), &c.item) {
            ("wrapped", Some(item)) => Multiplicity::Wrapped { item: item.clone() },
            ("wrapped", None) => return Err(err(Problem::WrappedWithoutItem)),
            (_, Some(_)) => return Err(err(Problem::ItemWithoutWrapper)),
            ("one", None) => Multiplicity::One,
            ("optional", None) => Multiplicity::Optional,
            ("repeated", None) => Multiplicity::Repeated,
            (other, None) => {
                return Err(err(Problem::Multiplicity {
                    value: other.to_string(),
                    expected: Multiplicity::SPELLINGS.to_string(),
                }));
            }
        };
        let ty = child_type(d, names, c.ty.trim()).map_err(err)?;
        out.push(Child { xml: c.name.clone(), aliases: c.alias.clone(), ident, doc: c.doc.clone(), ty, multiplicity });
    }
    Ok(out)
}

/// A child's type: a text type, an open enum of any family, or an element type.
fn child_type(d: &Declared<'_>, names: &XmlNames<'_>, text: &str) -> Result<XmlTy, Problem> {
    if let Some(s) = XmlScalar::ALL.into_iter().find(|s| s.spec_name() == text) {
        return Ok(XmlTy::Scalar(s));
    }
    if parse_type_ident(text).is_none() {
        let expected = XmlScalar::ALL.map(XmlScalar::spec_name).join(", ");
        return Err(Problem::ElementTypeSyntax { ty: text.to_string(), expected });
    }
    if let Some(&id) = names.elements.get(text) {
        return Ok(XmlTy::Element(id));
    }
    match d.types.get(text) {
        Some(t) => match t.item {
            ItemRef::IntEnum(_) => Ok(XmlTy::IntEnum(t.clone())),
            ItemRef::StringEnum(_) => Ok(XmlTy::StringEnum(t.clone())),
            _ => Err(Problem::ElementTypeKind { name: text.to_string() }),
        },
        None => Err(Problem::UnknownElementType { name: text.to_string() }),
    }
}

/// An element may not contain itself through single (`one`/`optional`) children: the Rust
/// struct would have infinite size. Lists are fine.
fn check_cycles(ats: &[At<'_>], elements: &[Element]) -> Result<(), SpecError> {
    fn single_children(e: &Element) -> impl Iterator<Item = usize> + '_ {
        e.children.iter().filter(|c| !c.multiplicity.is_list()).filter_map(|c| match c.ty {
            XmlTy::Element(id) => Some(id.0),
            _ => None,
        })
    }
    for start in 0..elements.len() {
        let mut stack: Vec<usize> = single_children(&elements[start]).collect();
        let mut seen = vec![false; elements.len()];
        while let Some(i) = stack.pop() {
            if i == start {
                return Err(ats[start].err(Problem::ElementCycle { name: elements[start].name.to_string() }));
            }
            if !std::mem::replace(&mut seen[i], true) {
                stack.extend(single_children(&elements[i]));
            }
        }
    }
    Ok(())
}

/// Fixed point: an element is defaultable when no single child is a required enum or a
/// required non-defaultable element.
fn mark_defaultable(elements: &mut [Element]) {
    loop {
        let mut changed = false;
        for i in 0..elements.len() {
            if elements[i].defaultable {
                continue;
            }
            let ok = elements[i].children.iter().all(|c| match (&c.multiplicity, &c.ty) {
                (Multiplicity::One, XmlTy::IntEnum(_) | XmlTy::StringEnum(_)) => false,
                (Multiplicity::One, XmlTy::Element(id)) => elements[id.0].defaultable,
                _ => true,
            });
            if ok {
                elements[i].defaultable = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}
