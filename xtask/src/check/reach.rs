//! The sets both emitters read, computed once: which structs sit inside a request (they get
//! constructors, setters and `Validate`), and which derive `Default`.

use super::names::Declared;
use crate::model::{Field, ItemRef, Role, Scalar, Shape, Ty};

/// Per struct (indexed like `Declared::structs`).
pub(crate) struct Sets {
    pub request_side: Vec<bool>,
    pub defaultable: Vec<bool>,
}

pub(crate) fn compute(d: &Declared<'_>, structs: &[Vec<Field>]) -> Sets {
    Sets { request_side: request_side(d, structs), defaultable: defaultable(structs) }
}

/// Requests and every struct reachable from one through fields.
fn request_side(d: &Declared<'_>, structs: &[Vec<Field>]) -> Vec<bool> {
    let mut seen = vec![false; structs.len()];
    let mut stack: Vec<usize> =
        d.structs.iter().enumerate().filter(|(_, s)| s.role == Role::Request).map(|(i, _)| i).collect();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        for f in &structs[i] {
            if let Ty::Named(t) = &f.ty {
                if let ItemRef::Struct(id) = t.item {
                    stack.push(id.0);
                }
            }
        }
    }
    seen
}

/// Fixed point: a struct is defaultable when every field is (optional and list fields always
/// are; `serde_json::Number`, enums and unions are not).
fn defaultable(structs: &[Vec<Field>]) -> Vec<bool> {
    let mut ok = vec![false; structs.len()];
    loop {
        let mut changed = false;
        for (i, fields) in structs.iter().enumerate() {
            if ok[i] {
                continue;
            }
            let all = fields.iter().all(|f| match (&f.shape, &f.ty) {
                (Shape::Optional | Shape::List, _) => true,
                (Shape::Required { .. }, Ty::Scalar(Scalar::Number)) => false,
                (Shape::Required { .. }, Ty::Scalar(_)) => true,
                (Shape::Required { .. }, Ty::Named(t)) => match t.item {
                    ItemRef::Struct(id) => ok[id.0],
                    ItemRef::IntEnum(_) | ItemRef::StringEnum(_) | ItemRef::Union(_) | ItemRef::UnionContent(_) => {
                        false
                    }
                },
            });
            if all {
                ok[i] = true;
                changed = true;
            }
        }
        if !changed {
            return ok;
        }
    }
}
