//! `cargo xtask gen`: turns `api-spec/*.toml` into the generated modules of `wecom-models` and
//! `wecom-endpoints`.
//!
//! Three stages, one direction (as in progenitor and typify):
//!
//! 1. parse — [`spec`]: the TOML files as serde reads them, strings and all;
//! 2. validate and resolve — [`check`]: the one place that reads those strings, producing the
//!    typed [`model::Model`] (enums for method, repr, cursor style, span and type; every
//!    reference resolved to the item or field it names) or a [`check::SpecError`] naming the
//!    file, item and field;
//! 3. emit — [`gen_models`], [`gen_endpoints`], [`gen_events`] (callback events, into the
//!    models module of their family): Rust printed from the model alone, with `quote` →
//!    `syn` → `prettyplease`; [`gen_serde`] (wire-faithful serde of response-side types) and
//!    [`gen_drift`] (their drift walks) are parts of the models output.
//!
//! The generator is a library so tests can render fixture specs; `main.rs` is a thin CLI.
//! Output is deterministic (items sorted by name, files sorted by path) and carries an
//! `@generated` header.

pub mod check;
pub mod gen_drift;
pub mod gen_endpoints;
pub mod gen_events;
pub mod gen_models;
pub mod gen_serde;
pub mod model;
pub mod rust;
pub mod spec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use proc_macro2::TokenStream;

use model::Model;
use spec::SpecFiles;

/// A spec directory and where its generated code goes.
#[derive(Debug, Clone)]
pub struct Target {
    /// Spec directory, relative to the workspace root.
    pub spec_dir: PathBuf,
    /// Generated models directory, relative to the workspace root.
    pub models_dir: PathBuf,
    /// Generated endpoints directory, relative to the workspace root.
    pub endpoints_dir: PathBuf,
    /// How the generated endpoints code names the models crate root.
    pub models_path: String,
}

impl Target {
    /// The real spec: `api-spec/` → `crates/models` and `crates/endpoints`.
    pub fn main() -> Target {
        Target {
            spec_dir: "api-spec".into(),
            models_dir: "crates/models/src/generated".into(),
            endpoints_dir: "crates/endpoints/src/generated".into(),
            models_path: "::wecom_models".into(),
        }
    }

    /// The fixture spec, one file per feature: `tests/fixtures/spec/` → `tests/src/fixture/` (the
    /// generator's committed snapshot, compiled by `wecom-tests`).
    pub fn fixture() -> Target {
        Target {
            spec_dir: "tests/fixtures/spec".into(),
            models_dir: "tests/src/fixture/models".into(),
            endpoints_dir: "tests/src/fixture/endpoints".into(),
            models_path: "crate::fixture::models".into(),
        }
    }

    /// Every target `cargo xtask gen` maintains.
    pub fn all() -> Vec<Target> {
        vec![Target::main(), Target::fixture()]
    }
}

/// Reads, checks and resolves the spec in `root/rel_dir`.
pub fn load_model(root: &Path, rel_dir: &Path) -> Result<Model> {
    let files = SpecFiles::load(root, rel_dir)?;
    Ok(check::resolve(files)?)
}

/// Renders every generated file of `target`: relative path → contents.
pub fn render_target(root: &Path, target: &Target) -> Result<BTreeMap<PathBuf, String>> {
    let model = load_model(root, &target.spec_dir)?;
    render_model(&model, target)
}

/// Renders a resolved model.
pub fn render_model(model: &Model, target: &Target) -> Result<BTreeMap<PathBuf, String>> {
    let mut out = BTreeMap::new();
    let models = gen_models::Models::new(model);
    let models_path: TokenStream =
        target.models_path.parse().map_err(|e| anyhow::anyhow!("bad models path {}: {e}", target.models_path))?;
    let endpoints = gen_endpoints::Endpoints::new(model, models_path);
    let spec_dir = target.spec_dir.display().to_string();
    for fam in &model.families {
        let source = fam.source.display().to_string();
        let file = format!("{}.rs", fam.module);
        let mut module = models.family(fam);
        module.extend(gen_events::family(model, fam));
        out.insert(target.models_dir.join(&file), rust::render(module, &source)?);
        if endpoints.has_family(fam) {
            out.insert(target.endpoints_dir.join(&file), rust::render(endpoints.family(fam), &source)?);
        }
    }
    out.insert(
        target.models_dir.join("mod.rs"),
        rust::render(gen_models::mod_file(model, &spec_dir), &format!("{spec_dir}/*.toml"))?,
    );
    if let Some(errors) = &model.errors {
        out.insert(
            target.endpoints_dir.join("errors.rs"),
            rust::render(gen_endpoints::errors(errors), &errors.source.display().to_string())?,
        );
    }
    out.insert(
        target.endpoints_dir.join("mod.rs"),
        rust::render(gen_endpoints::mod_file(&endpoints, &spec_dir), &format!("{spec_dir}/*.toml"))?,
    );
    Ok(out)
}

/// What a run found or did.
#[derive(Debug, Default)]
pub struct Report {
    /// Files whose contents differ from what the spec generates.
    pub stale: Vec<PathBuf>,
    /// Files the spec generates that do not exist.
    pub missing: Vec<PathBuf>,
    /// Generated files that no spec item produces any more.
    pub extra: Vec<PathBuf>,
    /// Files written (gen mode).
    pub written: Vec<PathBuf>,
    /// Files deleted (gen mode).
    pub deleted: Vec<PathBuf>,
    /// Files generated in all.
    pub total: usize,
}

impl Report {
    /// True when the committed code is what the spec generates.
    pub fn is_fresh(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }

    /// A human summary of what is out of date.
    pub fn describe_drift(&self) -> String {
        let mut s = String::new();
        for (what, list) in [("stale", &self.stale), ("missing", &self.missing), ("extra", &self.extra)] {
            for p in list {
                s.push_str(&format!("  {what}: {}\n", p.display()));
            }
        }
        s
    }
}

/// Generates every target under `root`. In check mode nothing is written; the report says
/// what differs.
pub fn run(root: &Path, check: bool) -> Result<Report> {
    let mut report = Report::default();
    for target in Target::all() {
        let files = render_target(root, &target)?;
        report.total += files.len();
        for (rel, contents) in &files {
            ensure_file_contents(root, rel, contents, check, &mut report)?;
        }
        for dir in [&target.models_dir, &target.endpoints_dir] {
            for rel in generated_files_in(root, dir)? {
                if !files.contains_key(&rel) {
                    if check {
                        report.extra.push(rel);
                    } else {
                        std::fs::remove_file(root.join(&rel)).with_context(|| format!("deleting {}", rel.display()))?;
                        report.deleted.push(rel);
                    }
                }
            }
        }
    }
    Ok(report)
}

/// Writes `contents` to `root/rel` unless it is already there; in check mode only records
/// the difference.
pub fn ensure_file_contents(root: &Path, rel: &Path, contents: &str, check: bool, report: &mut Report) -> Result<()> {
    let path = root.join(rel);
    match std::fs::read_to_string(&path) {
        Ok(old) if old == contents => return Ok(()),
        Ok(_) if check => report.stale.push(rel.to_path_buf()),
        Err(_) if check => report.missing.push(rel.to_path_buf()),
        _ => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
            }
            std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
            report.written.push(rel.to_path_buf());
        }
    }
    Ok(())
}

/// `.rs` files in `root/dir` that carry the `@generated` header.
fn generated_files_in(root: &Path, dir: &Path) -> Result<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.starts_with("// @generated") {
                if let Some(name) = path.file_name() {
                    out.push(dir.join(name));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}
