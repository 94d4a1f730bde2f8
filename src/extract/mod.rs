//! Extraction: one walk over a parsed file that records every Redis fact
//! (command calls, client/connection/pool creation, key templates, the loop
//! / handler / pipeline context of each) plus the symbols the crate-wide
//! resolution needs (structs, consts, key builders, routes).
//!
//! Values are tracked through `let` bindings, parameters, fields and method
//! chains by a small abstract interpreter (`Value`), so a receiver only
//! counts as Redis when something proves it.
//!
//! Where things are: the walk itself (`items`, `stmts`, `exprs`, `control`,
//! `chain`, `calls`) over the state in `scope` and `dataflow`; what it
//! records (`commands`, `connections`, `keys`) into `facts`; pure syntax
//! and name helpers (`syntax`, `names`, `flow`, `types`); and, in
//! `clients/`, one adapter per client (redis-rs, fred, the pools) that
//! recognises that client's constructors, builders and command methods.

mod calls;
mod chain;
mod clients;
mod commands;
mod connections;
mod control;
mod dataflow;
mod db;
mod exprs;
pub mod facts;
mod flow;
mod fn_calls;
mod helper_calls;
mod items;
mod keys;
mod lua_scripts;
mod names;
mod optional;
mod panics;
mod patterns;
mod redis_modules;
mod replies;
mod scope;
mod stmts;
mod syntax;
pub mod types;
mod value;

#[cfg(test)]
mod dump;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use quote::ToTokens;
use syn::visit::Visit;
use syn::{Expr, Stmt};

use crate::manifest::Renames;
use crate::model::FnInfo;
use facts::{FileFacts, RawFn};
use scope::FnCtx;
use types::{Generics, UseMap};
use value::Tail;

/// What extraction reads from the crate a file belongs to, besides the
/// file: part of the file's cache key, as its facts depend on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CrateInputs {
    /// Client crates depended on under another name (`kv = { package =
    /// "redis" }`): `kv::cmd(..)` is read as `redis::cmd(..)`.
    pub renames: Renames,
    /// Calls that may reach a connection built in a dependency read as
    /// context (see [`facts::RawFnCall`]).
    pub fn_calls: FnCallScope,
}

/// Which calls of fns of crate types a file's facts keep.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FnCallScope {
    /// Code names of the dependencies wrapping a Redis client that the
    /// crate depends on: calls into them are kept.
    pub into: Vec<String>,
    /// The crate is such a dependency: calls between its own fns are kept
    /// (to follow `Master::new` → `Redis::new` → `ConnectionManager::new`).
    pub own: OwnCalls,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum OwnCalls {
    #[default]
    Skip,
    Keep,
}

impl CrateInputs {
    /// Those of a file outside any crate.
    pub const NONE: CrateInputs = CrateInputs {
        renames: Renames::NONE,
        fn_calls: FnCallScope {
            into: Vec::new(),
            own: OwnCalls::Skip,
        },
    };

    /// Of the crate whose manifest is `manifest`.
    pub fn of(manifest: &crate::manifest::CrateManifest) -> CrateInputs {
        CrateInputs {
            renames: manifest.renames.clone(),
            fn_calls: FnCallScope {
                into: manifest.wrappers.clone(),
                own: match manifest.is_dependency {
                    true => OwnCalls::Keep,
                    false => OwnCalls::Skip,
                },
            },
        }
    }
}

/// Extracts the facts of one parsed file of a crate with these inputs.
pub fn extract(file: &syn::File, is_test_file: bool, inputs: &CrateInputs) -> FileFacts {
    let mut uses = UseMap::with_renames(inputs.renames.clone());
    let mut collector = UseCollector {
        uses: &mut uses,
        reexports: false,
        reexported_types: Vec::new(),
        reexported_clients: Vec::new(),
        cluster: false,
        mod_depth: 0,
    };
    collector.visit_file(file);
    let (reexports, cluster) = (collector.reexports, collector.cluster);
    // A type re-exported under a name is, to other crates, an alias of it.
    let aliases = collector.reexported_types;
    let client_reexports = collector.reexported_clients;
    let mut w = Walker {
        facts: FileFacts {
            imports_redis_traits: uses.imports_redis_traits(),
            imports_fred: uses.imports_fred(),
            local_globs: uses.local_globs(),
            foreign_globs: uses.foreign_glob_crates(),
            reexports_traits: reexports,
            client_reexports,
            aliases,
            uses_cluster: cluster,
            ..FileFacts::default()
        },
        fn_calls: inputs.fn_calls.clone(),
        mentions_redis: uses.imports_crate("redis"),
        mentions_deadpool: uses.imports_crate("deadpool_redis"),
        uses,
        test_depth: u32::from(is_test_file),
        impl_type: None,
        generics: Generics::new(),
        fns: Vec::new(),
        bound_literals: HashMap::new(),
        seq: 0,
        script_statics: Vec::new(),
        last_chain: None,
        depth: 0,
        key_depth: 0,
        macro_nest: 0,
        too_complex: 0,
        blocks: 0,
        loops: 0,
        nest: 0,
        call_nest: Vec::new(),
        looking_into: 0,
        cancel_depth: 0,
    };
    w.enter_fn(module_fn());
    for item in &file.items {
        w.item(item);
    }
    w.leave_fn();
    db::note_select_commands(&mut w.facts);
    if !w.facts.calls.is_empty() {
        w.facts.flag_readings = replies::flag_readings(file);
    }
    w.facts
}

fn module_fn() -> RawFn {
    RawFn {
        info: FnInfo {
            name: "<module>".into(),
            is_setup: true,
            ..FnInfo::default()
        },
        ..RawFn::default()
    }
}

/// Collects `use` items anywhere in the file (fn bodies included) and notes
/// cluster types and trait re-exports.
struct UseCollector<'a> {
    uses: &'a mut UseMap,
    reexports: bool,
    /// Client types re-exported by name (see `UseMap::reexports`).
    reexported_types: Vec<(String, types::TypeClass)>,
    /// Client crates re-exported whole (see `UseMap::reexports`).
    reexported_clients: Vec<types::ClientReexport>,
    cluster: bool,
    /// Inline modules entered (`mod tests { .. }`).
    mod_depth: u32,
}

impl<'ast> Visit<'ast> for UseCollector<'_> {
    /// Only items matter (a `use` can sit in a fn body): expressions are
    /// skipped, so this pass stays far cheaper than the real walk.
    fn visit_stmt(&mut self, s: &'ast Stmt) {
        if let Stmt::Item(item) = s {
            self.visit_item(item);
        }
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        self.uses.add_local(&s.ident);
    }

    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        self.uses.add_local(&e.ident);
    }

    fn visit_item_type(&mut self, t: &'ast syn::ItemType) {
        self.uses.add_local(&t.ident);
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.uses.add_local(&t.ident);
    }

    fn visit_item_extern_crate(&mut self, e: &'ast syn::ItemExternCrate) {
        self.reexported_clients
            .extend(self.uses.add_extern_crate(e));
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.uses.add_local_mod(&m.ident);
        self.mod_depth += 1;
        syn::visit::visit_item_mod(self, m);
        self.mod_depth -= 1;
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let own_globs = self.uses.local_globs().len();
        self.uses.add(&u.tree);
        if self.mod_depth == 0 && self.uses.local_globs().len() > own_globs {
            self.uses.note_top_level_own_glob();
        }
        let text = u.tree.to_token_stream().to_string();
        if matches!(u.vis, syn::Visibility::Public(_)) {
            let exported = self.uses.reexports(&u.tree);
            self.reexports |= exported.traits;
            self.reexported_types.extend(exported.types);
            self.reexported_clients.extend(exported.clients);
        }
        self.cluster |= CLUSTER_MARKERS.iter().any(|m| text.contains(m))
            || (text.contains("deadpool_redis") && text.contains("cluster"));
    }
}

/// Identifiers that only appear in code that talks to a Redis Cluster.
const CLUSTER_MARKERS: &[&str] = &[
    "ClusterClient",
    "ClusterClientBuilder",
    "cluster_async",
    "cluster_pipe",
    "default_clustered",
    "new_clustered",
    "Clustered",
];

struct Walker {
    facts: FileFacts,
    uses: UseMap,
    /// Which calls of crate fns are kept (see [`FnCallScope`]).
    fn_calls: FnCallScope,
    mentions_redis: bool,
    mentions_deadpool: bool,
    test_depth: u32,
    impl_type: Option<String>,
    generics: Generics,
    fns: Vec<FnCtx>,
    seq: u32,
    /// Statics holding a `redis::Script`.
    script_statics: Vec<String>,
    /// The last command of the chain evaluated last, and what followed it.
    last_chain: Option<(usize, Tail)>,
    /// Current recursion depth of `eval` / `key_of`.
    depth: usize,
    /// Nesting of `key_of` (bounded by `keys::MAX_KEY_DEPTH`).
    key_depth: usize,
    /// Macros whose arguments are being walked (see `in_macro`).
    macro_nest: usize,
    /// Too-complex keys made so far: numbers them.
    too_complex: u32,
    /// Block and loop counters (ids are per file).
    blocks: u32,
    loops: u32,
    /// Closures and async blocks entered: a call made in one is not part
    /// of the value of the expression around it (a spawned task's reply
    /// does not flow into the `JoinHandle`).
    nest: u32,
    /// `nest` at each call of `facts.calls`.
    call_nest: Vec<u32>,
    /// Above zero while evaluating a binding that is only looked into (a
    /// field of it, or the input of a deserialiser): not a whole use.
    looking_into: u32,
    /// Struct literals and `vec![..]` bound by `let` in the current fn
    /// (fred's `FtSearchOptions { .. }`, a schema list), so a module
    /// command's options read the same passed by name as inline.
    bound_literals: HashMap<String, Expr>,
    /// Inside futures a timeout or `select!` may drop before completion.
    cancel_depth: u32,
}

/// Deepest expression nesting the walker follows.
const MAX_DEPTH: usize = 10_000;

/// Deepest nesting of macros whose arguments the walker parses. A macro's
/// arguments are tokens: parsing them re-reads every token nested inside,
/// so without a bound `format!` nested n deep costs n² token reads (and
/// more, as keys are read at each level). Real code nests a few.
const MAX_MACRO_NEST: usize = 32;

impl Walker {
    /// Parses a macro's arguments as comma-separated expressions and hands
    /// them to `f`; `None` when they are no such list or the macro sits
    /// inside [`MAX_MACRO_NEST`] others.
    fn in_macro<T>(
        &mut self,
        tokens: &proc_macro2::TokenStream,
        f: impl FnOnce(&mut Self, Vec<Expr>) -> T,
    ) -> Option<T> {
        if self.macro_nest >= MAX_MACRO_NEST {
            return None;
        }
        let args = syntax::macro_args(tokens)?;
        self.macro_nest += 1;
        let out = f(self, args);
        self.macro_nest -= 1;
        Some(out)
    }
}

impl<'ast> Visit<'ast> for Walker {
    fn visit_expr(&mut self, e: &'ast Expr) {
        self.eval(e);
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        self.block(b);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        self.local(l);
    }

    fn visit_item(&mut self, i: &'ast syn::Item) {
        let saved = std::mem::take(&mut self.fns);
        self.fns.push(FnCtx::new(0));
        self.item(i);
        self.fns = saved;
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.mac(m);
    }

    fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
        // Compare in place: turning every identifier into a String showed
        // up in the benchmark.
        if MARKED.iter().chain(CLUSTER_MARKERS).any(|m| i == m) {
            self.mark(&i.to_string());
        }
    }
}

/// Identifiers `Walker::mark` reacts to (besides the cluster markers).
const MARKED: &[&str] = &[
    "default_command_timeout",
    "set_policy",
    "ReconnectPolicy",
    "wait_timeout",
    "wait",
    "wait_millis",
    "wait_secs",
];
