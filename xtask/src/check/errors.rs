//! `errors.toml`: the global error codes behind `ErrorCode`.

use std::collections::BTreeSet;
use std::path::Path;

use super::enums::VariantNames;
use super::{At, Problem, SpecError};
use crate::model::{ErrorClass, ErrorCode, ErrorTable};
use crate::spec::ErrorsFile;

/// Resolves the error codes: unique codes and names, known classes; sorted by code.
pub(crate) fn resolve(path: &Path, file: &ErrorsFile) -> Result<ErrorTable, SpecError> {
    let mut codes = BTreeSet::new();
    let mut names = VariantNames::default();
    let mut out = Vec::with_capacity(file.error.len());
    for e in &file.error {
        let at = At::new(path, format!("error {}", e.code));
        if !codes.insert(e.code) {
            return Err(at.err(Problem::DuplicateCode));
        }
        let name = names.add(&e.name).map_err(|p| at.err(p))?;
        let Some(class) = ErrorClass::ALL.into_iter().find(|c| c.spec_name() == e.class) else {
            let expected = ErrorClass::ALL.map(ErrorClass::spec_name).join(", ");
            return Err(at.err(Problem::ErrorClass { class: e.class.clone(), expected }));
        };
        out.push(ErrorCode { code: e.code, name, zh: e.zh.clone(), en: e.en.clone(), class, hint: e.hint.clone() });
    }
    out.sort_by_key(|e| e.code);
    Ok(ErrorTable { source: path.to_path_buf(), doc: file.doc.clone(), codes: out })
}
