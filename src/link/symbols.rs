//! Crate-wide symbol tables: what every file of the crate declares (struct
//! fields, statics, fn return types, consts, key builders), and which of
//! several same-named structs a field access means.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::summaries::{self, Summaries};
use crate::extract::facts::{FileFacts, RawKey, RoutedFn};
use crate::extract::types::{self, TypeClass};
use crate::manifest::{CratePlace, Renames};
use crate::model::FileId;

/// Crate-wide symbol tables.
pub struct Symbols {
    /// (struct, field) → its class, per file that declares such a struct
    /// (two modules may each have an `AppState`).
    pub(super) fields: HashMap<(String, String), Vec<(FileId, TypeClass)>>,
    pub(super) statics: HashMap<String, TypeClass>,
    pub(super) fn_returns: HashMap<String, TypeClass>,
    pub(super) consts: HashMap<String, RawKey>,
    pub(super) num_consts: HashMap<String, f64>,
    /// `Duration` consts, in milliseconds.
    pub(super) duration_consts: HashMap<String, f64>,
    /// name → (params, template); `None` when several fns share the name
    /// with different templates.
    pub(super) builders: HashMap<String, Option<(Vec<String>, RawKey)>>,
    /// Fns registered as request handlers (web framework routes).
    pub(super) routed: HashSet<RoutedFn>,
    /// Some module re-exports the clients' command traits.
    pub(super) reexport_traits: bool,
    /// `type Name = T;` → the class of `T`.
    pub(super) aliases: HashMap<String, TypeClass>,
    /// Newtypes that deref to a class (`impl Deref for Cache`).
    pub(super) derefs: HashMap<String, TypeClass>,
    /// (type, fn) of the crate's `impl` blocks.
    pub(super) impl_fns: HashSet<(String, String)>,
    /// Crate types a connection pool hands out (one user at a time).
    pub(super) pool_managed: HashSet<String>,
    /// The other crates of the run, by the name code uses for them.
    pub(super) workspace: Arc<Workspace>,
    /// How this crate names the others.
    names: CrateNames,
    /// (type, method) → the key template a method of an `impl` block
    /// returns (`impl ToKey for UserKey`); `None` when two differ.
    pub(super) method_builders: HashMap<(String, String), Option<RawKey>>,
    /// What each fn sends on keys built from its parameters.
    pub(super) summaries: Summaries,
    /// Client crates re-exported whole, by the name other crates reach
    /// them under (`redis_rs` → `redis` for `pub use ::redis as redis_rs;`).
    client_reexports: HashMap<String, String>,
    /// What each fn builds, for a dependency read as context (else empty).
    pub(super) made: super::made::Made,
}

/// What each crate of a run declares, so that `common::AppState` or
/// `common::RedisPool` written in one crate is read from the crate
/// `common` when it is linted in the same run.
#[derive(Default)]
pub struct Workspace {
    crates: Vec<WorkspaceCrate>,
}

/// One crate of the run, as others name it.
pub struct WorkspaceCrate {
    /// Its package name (`-` as `_` once in the workspace).
    pub name: String,
    pub place: Arc<CratePlace>,
    pub symbols: Arc<Symbols>,
}

/// How a crate's code names the other crates of the run: the packages it
/// depends on under another name, and where it sits (which of two crates
/// of one name it means; `None`: not known, any).
#[derive(Clone, Default)]
pub struct CrateNames {
    pub renames: Renames,
    pub place: Option<Arc<CratePlace>>,
}

impl Workspace {
    pub fn new(crates: Vec<WorkspaceCrate>) -> Workspace {
        let crates = crates
            .into_iter()
            .map(|c| WorkspaceCrate {
                name: c.name.replace('-', "_"),
                ..c
            })
            .collect();
        Workspace { crates }
    }

    fn name_of(&self, symbols: &Symbols) -> Option<&str> {
        self.crates
            .iter()
            .find(|c| std::ptr::eq(&*c.symbols, symbols))
            .map(|c| c.name.as_str())
    }

    /// The crate that `lib` means in the code of a crate placed at `from`.
    pub(super) fn get(&self, from: Option<&CratePlace>, lib: &str) -> Option<&Symbols> {
        let meant = |c: &&WorkspaceCrate| {
            c.name == lib && from.is_none_or(|from| from.can_name(lib, &c.place))
        };
        let mut found = self.crates.iter().filter(meant);
        match (found.next(), found.next()) {
            (Some(c), None) => Some(&c.symbols),
            // Two crates it may mean: unknown.
            _ => None,
        }
    }
}

impl Symbols {
    pub fn new(files: &[(FileId, &FileFacts)]) -> Symbols {
        let mut s = Symbols {
            fields: HashMap::new(),
            statics: HashMap::new(),
            fn_returns: HashMap::new(),
            consts: HashMap::new(),
            num_consts: HashMap::new(),
            duration_consts: HashMap::new(),
            builders: HashMap::new(),
            routed: HashSet::new(),
            reexport_traits: false,
            aliases: HashMap::new(),
            derefs: HashMap::new(),
            impl_fns: HashSet::new(),
            pool_managed: HashSet::new(),
            workspace: Arc::default(),
            names: CrateNames::default(),
            method_builders: HashMap::new(),
            summaries: Summaries::default(),
            client_reexports: HashMap::new(),
            made: Default::default(),
        };
        for (file_id, f) in files {
            for (st, field, class) in &f.structs {
                s.fields
                    .entry((st.clone(), field.clone()))
                    .or_default()
                    .push((*file_id, class.clone()));
            }
            s.statics.extend(f.statics.iter().cloned());
            s.fn_returns.extend(f.fn_returns.iter().cloned());
            s.consts.extend(f.consts.iter().cloned());
            s.num_consts.extend(f.num_consts.iter().cloned());
            s.duration_consts.extend(f.duration_consts.iter().cloned());
            for b in &f.builders {
                let entry = (b.params.clone(), b.key.clone());
                s.builders
                    .entry(b.name.clone())
                    .and_modify(|e| {
                        if e.as_ref() != Some(&entry) {
                            *e = None;
                        }
                    })
                    .or_insert(Some(entry));
                if let Some(owner) = &b.owner {
                    s.method_builders
                        .entry((owner.clone(), b.name.clone()))
                        .and_modify(|e| {
                            if e.as_ref() != Some(&b.key) {
                                *e = None;
                            }
                        })
                        .or_insert(Some(b.key.clone()));
                }
            }
            s.routed.extend(f.routed.iter().cloned());
            s.reexport_traits |= f.reexports_traits;
            s.aliases.extend(f.aliases.iter().cloned());
            s.derefs.extend(f.derefs.iter().cloned());
            s.impl_fns.extend(f.impl_fns.iter().cloned());
            s.pool_managed.extend(f.pool_managed.iter().cloned());
            for c in &f.client_reexports {
                s.client_reexports.insert(c.name.clone(), c.krate.clone());
            }
        }
        s.summaries = summaries::build(files, &s);
        s
    }

    /// The key template `ty`'s `method` returns, when one is known.
    pub(super) fn method_builder(&self, ty: &str, method: &str) -> Option<RawKey> {
        self.method_builders
            .get(&(ty.to_string(), method.to_string()))?
            .clone()
    }

    /// The same symbols, reading other crates' names from `workspace`.
    pub fn with_workspace(mut self, workspace: Arc<Workspace>, names: CrateNames) -> Symbols {
        self.workspace = workspace;
        self.names = names;
        self
    }

    /// Where this crate sits, when known.
    pub(super) fn place(&self) -> Option<&CratePlace> {
        self.names.place.as_deref()
    }

    /// The symbols of the crate of the run that code of this crate calls
    /// `krate` (its package name, or the name it is depended on under).
    pub(super) fn sibling(&self, krate: &str) -> Option<&Symbols> {
        let package = self.names.renames.package_of(krate).unwrap_or(krate);
        self.workspace.get(self.place(), package)
    }

    /// The symbols that declare `name` and its name there: another crate's
    /// for `common::AppState` when `common` is a crate of the run.
    pub(super) fn owner<'a, 'n>(&'a self, name: &'n str) -> Option<(&'a Symbols, &'n str)> {
        let Some((krate, rest)) = name.split_once("::") else {
            return Some((self, name));
        };
        let last = rest.rsplit("::").next().unwrap_or(rest);
        self.sibling(krate).map(|s| (s, last))
    }

    /// A class from `krate`'s symbols, as a name that `owner` finds again.
    pub(super) fn qualified(krate: &Symbols, here: &Symbols, class: TypeClass) -> TypeClass {
        match class {
            TypeClass::Struct(n) if !std::ptr::eq(krate, here) && !n.contains("::") => {
                match here.workspace.name_of(krate) {
                    Some(k) => TypeClass::Struct(format!("{k}::{n}")),
                    None => TypeClass::Struct(n),
                }
            }
            class => class,
        }
    }

    /// A class with type aliases followed (`type Pool = deadpool_redis::Pool`),
    /// a few steps deep so that an alias of an alias is seen and a cycle
    /// ends.
    pub(super) fn unalias(&self, class: TypeClass) -> TypeClass {
        let mut class = class;
        for _ in 0..8 {
            let TypeClass::Struct(name) = &class else {
                break;
            };
            if let Some(client) = self.through_client_reexport(name) {
                return client;
            }
            let Some((krate, short)) = self.owner(name) else {
                break;
            };
            match krate.aliases.get(short) {
                Some(target) => class = Symbols::qualified(krate, self, target.clone()),
                None => break,
            }
        }
        class
    }

    /// A path through another crate of the run's re-export of a client
    /// crate, split there: the client crate and what follows
    /// (`common::redis_rs::aio` → `redis`, `[aio]`).
    fn client_reexport_at<'n>(&self, path: &'n str) -> Option<(&str, Vec<&'n str>)> {
        let mut segs = path.split("::");
        let krate = self.sibling(segs.next()?)?;
        let mut segs = segs.skip_while(|s| !krate.client_reexports.contains_key(*s));
        let client = krate.client_reexports.get(segs.next()?)?;
        Some((client.as_str(), segs.collect()))
    }

    /// `common::redis_rs::aio::ConnectionManager`: a client type named
    /// through another crate's re-export of the client crate.
    fn through_client_reexport(&self, name: &str) -> Option<TypeClass> {
        let (client, rest) = self.client_reexport_at(name)?;
        let full: Vec<String> = std::iter::once(client)
            .chain(rest)
            .map(str::to_string)
            .collect();
        types::client_type(&full)
    }

    /// Whether `path` (`common::redis_rs`, `common::plugin::redis`) names
    /// redis-rs through another crate of the run's re-export of it.
    pub(super) fn is_client_path(&self, path: &str) -> bool {
        self.client_reexport_at(path)
            .is_some_and(|(client, rest)| client == "redis" && rest.is_empty())
    }

    /// A field's class, preferring the struct declared in the same file;
    /// `None` when the struct is unknown or several differ.
    pub(super) fn field(&self, st: &str, field: &str, file: FileId) -> Option<TypeClass> {
        let decls = self.fields.get(&(st.to_string(), field.to_string()))?;
        if let Some((_, c)) = decls.iter().find(|(f, _)| *f == file) {
            return Some(c.clone());
        }
        let first = &decls.first()?.1;
        decls.iter().all(|(_, c)| c == first).then(|| first.clone())
    }

    pub(super) fn struct_known(&self, name: &str) -> bool {
        self.fields.keys().any(|(s, _)| s == name)
    }

    /// Whether the crate's struct `name` has a Redis connection field.
    pub(super) fn holds_connection(&self, name: &str) -> bool {
        self.fields.iter().any(|((st, _), decls)| {
            st == name && decls.iter().any(|(_, c)| matches!(c, TypeClass::Redis(..)))
        })
    }
}
