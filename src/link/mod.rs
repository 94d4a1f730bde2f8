//! Linking: joins the facts of every file of one crate into the model the
//! rules read. Consts and key-builder fns are substituted into key
//! templates (`keys`), receivers are typed through the crate's struct
//! fields, statics and fn return types (`symbols`, `receivers`), and calls
//! whose receiver turns out not to be Redis are dropped (`calls`).
//! Creations and timeouts are in `connections`; the rest of the facts
//! (fns, scripts, helpers, pipelines, flow) in `crate_facts`.

mod bottom_up;
mod calls;
mod connections;
mod crate_facts;
mod keys;
pub mod keyspace;
mod made;
mod optional_fields;
mod receivers;
mod summaries;
mod symbols;

use crate::extract::facts::FileFacts;
use crate::manifest::CrateManifest;
use crate::model::{CrateModel, FileId};
pub use made::Modules;
pub use symbols::{CrateNames, Symbols, Workspace, WorkspaceCrate};

/// Options that say which code is linted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    /// Lint test code too (skipped by default).
    pub tests: bool,
}

/// Builds the model of one crate from its files' facts and its symbol
/// tables (`Symbols::new(files)`, with the run's other crates attached).
pub fn resolve(
    manifest: CrateManifest,
    files: &[(FileId, &FileFacts)],
    symbols: &Symbols,
    scope: Scope,
) -> CrateModel {
    let mut model = CrateModel {
        manifest,
        ..CrateModel::default()
    };
    crate_facts::crate_flags(&mut model, files);
    let script_consts = crate_facts::script_consts(files);
    for (id, facts) in files {
        let file = FileLink {
            id: *id,
            facts,
            fn_base: model.fns.len() as u32,
            symbols,
            scope,
        };
        file.fns(&mut model);
        file.calls(&mut model);
        file.through_helpers(&mut model);
        file.creations(&mut model);
        file.made_in_dependencies(&mut model);
        file.literals(&mut model, &script_consts);
        file.held_connections(&mut model);
        file.helpers(&mut model);
        file.pipes_and_flow(&mut model);
    }
    optional_fields::unset_by_default(&mut model, files);
    optional_fields::lazy_connections(&mut model, files);
    model
}

/// One file being linked into the crate model.
struct FileLink<'a> {
    id: FileId,
    facts: &'a FileFacts,
    /// Index of the file's first fn in `model.fns` (facts number fns per
    /// file).
    fn_base: u32,
    symbols: &'a Symbols,
    scope: Scope,
}

impl FileLink<'_> {
    /// Test code is left out unless the scope includes it.
    fn skipped(&self, in_test: bool) -> bool {
        (in_test || self.facts.all_test) && !self.scope.tests
    }
}

/// Pipe ids are per file; make them unique in the crate.
fn pipe_id(file: FileId, pipe: u32) -> u32 {
    (file << 12) | (pipe & 0xfff)
}
