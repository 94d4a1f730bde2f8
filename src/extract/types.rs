//! Names and types: what a file's `use` items bring into scope, and which
//! Rust types are Redis clients, connections or pools.

use std::collections::{HashMap, HashSet};

use quote::ToTokens;
use syn::{GenericArgument, PathArguments, Type, TypeParamBound, UseTree};

use crate::manifest::Renames;
use crate::model::{ConnKind, Lib};

mod reexports;

pub use reexports::{ClientReexport, Reexports};

/// The class of a Rust type, as far as Redis is concerned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TypeClass {
    Redis(Lib, ConnKind),
    /// A named type that may be a crate-local struct holding Redis values.
    Struct(String),
    /// A type parameter of its struct with no client bound there
    /// (`struct Repo<C> { con: C }`, bounded on the impl instead): it may
    /// be a connection, so the file's imports decide.
    Param,
    /// Anything else: numbers, strings, std collections, other crates' types.
    Other,
}

/// What the file's `use` items say.
#[derive(Debug, Default)]
pub struct UseMap {
    /// Imported name (or alias) → full path.
    names: HashMap<String, Vec<String>>,
    /// Paths imported with `::*`.
    globs: Vec<Vec<String>>,
    /// Structs and enums the file defines: a local `RedisConnectionManager`
    /// is the crate's own, not bb8-redis's.
    locals: HashSet<String>,
    /// Modules the file declares (`mod state;`): `state::AppState` is the
    /// crate's own.
    local_mods: HashSet<String>,
    /// Client crates the crate depends on under another name.
    renames: Renames,
    /// A glob of the crate's own modules (`use super::*;`) outside any
    /// inline module: a name may come from there.
    top_level_own_glob: bool,
}

/// redis-rs traits whose methods are commands.
pub const REDIS_TRAITS: &[&str] = &[
    "Commands",
    "AsyncCommands",
    "TypedCommands",
    "AsyncTypedCommands",
    "JsonCommands",
    "JsonAsyncCommands",
    "PubSubCommands",
];

/// Crates whose types `redis_type` knows, as code names them.
const CLIENT_CRATES: &[&str] = &["redis", "fred", "deadpool_redis", "bb8_redis"];

/// redis-rs traits a generic connection parameter is bounded by.
pub const REDIS_BOUNDS: &[&str] = &["ConnectionLike"];

/// fred's command interfaces and client trait, the same in fred 5 to 10:
/// a bound or path naming one of these is fred's. Taken by their exact
/// names: `ComInterface`, `UsbInterface` and a crate's own `Interface`
/// trait are not fred's.
pub const FRED_TRAITS: &[&str] = &[
    "ClientLike",
    "AclInterface",
    "AuthInterface",
    "ClientInterface",
    "ClusterInterface",
    "ConfigInterface",
    "EventInterface",
    "FunctionInterface",
    "GeoInterface",
    "HashesInterface",
    "HeartbeatInterface",
    "HyperloglogInterface",
    "KeysInterface",
    "ListInterface",
    "LuaInterface",
    "MemoryInterface",
    "MetricsInterface",
    "PubsubInterface",
    "RediSearchInterface",
    "RedisJsonInterface",
    "SentinelInterface",
    "ServerInterface",
    "SetsInterface",
    "SlowlogInterface",
    "SortedSetsInterface",
    "StreamsInterface",
    "TimeSeriesInterface",
    "TrackingInterface",
    "TransactionInterface",
];

/// Whether `name` is one of fred's command interfaces or `ClientLike`.
pub fn is_fred_trait(name: &str) -> bool {
    FRED_TRAITS.contains(&name)
}

impl UseMap {
    /// The map of a file of a crate that renames these client crates.
    pub fn with_renames(renames: Renames) -> UseMap {
        UseMap {
            renames,
            ..UseMap::default()
        }
    }

    /// `path` with a renamed client crate's name in front replaced by the
    /// client's own (`kv::aio::ConnectionManager` with `kv = { package =
    /// "redis" }`), unless the file declares a module of that name.
    fn unrenamed(&self, mut path: Vec<String>) -> Vec<String> {
        let client = path
            .first()
            .filter(|first| !self.local_mods.contains(*first))
            .and_then(|first| self.renames.package_of(first));
        if let Some(client) = client {
            path[0] = client.to_string();
        }
        path
    }

    pub fn note_top_level_own_glob(&mut self) {
        self.top_level_own_glob = true;
    }

    pub fn add_local(&mut self, ident: &syn::Ident) {
        self.locals.insert(ident.to_string());
    }

    pub fn add_local_mod(&mut self, ident: &syn::Ident) {
        self.local_mods.insert(ident.to_string());
    }

    /// A path that names another crate's item (`bb8::Pool`), not one of
    /// this crate (`crate::db::Pool`, `state::AppState` with `mod state;`).
    pub fn is_foreign(&self, full: &[String]) -> bool {
        match full.first().map(String::as_str) {
            None | Some("crate" | "self" | "super" | "Self") => false,
            Some(first) => full.len() > 1 && !self.local_mods.contains(first),
        }
    }

    pub fn add(&mut self, tree: &UseTree) {
        self.walk(tree, Vec::new());
    }

    fn walk(&mut self, tree: &UseTree, prefix: Vec<String>) {
        match tree {
            UseTree::Path(p) => {
                let mut next = prefix;
                next.push(p.ident.to_string());
                self.walk(&p.tree, next);
            }
            UseTree::Name(n) => {
                let mut full = prefix;
                let name = n.ident.to_string();
                if name == "self" {
                    if let Some(last) = full.last().cloned() {
                        self.names.insert(last, self.unrenamed(full));
                    }
                } else {
                    full.push(name.clone());
                    self.names.insert(name, self.unrenamed(full));
                }
            }
            UseTree::Rename(r) => {
                let mut full = prefix;
                full.push(r.ident.to_string());
                self.names
                    .insert(r.rename.to_string(), self.unrenamed(full));
            }
            UseTree::Glob(_) => {
                let glob = self.unrenamed(prefix);
                self.globs.push(glob);
            }
            UseTree::Group(g) => {
                for item in &g.items {
                    self.walk(item, prefix.clone());
                }
            }
        }
    }

    /// The full path a written path refers to, expanding an imported first
    /// segment (`Client::open` with `use redis::Client` → `redis::Client::open`).
    pub fn expand(&self, segs: &[String]) -> Vec<String> {
        let Some(first) = segs.first() else {
            return Vec::new();
        };
        let first = first.trim_start_matches("r#");
        if let Some(full) = self.names.get(first) {
            let mut out = full.clone();
            out.extend(segs[1..].iter().cloned());
            return out;
        }
        if segs.len() <= 2 {
            if let Some(glob) = self.glob_providing(first) {
                let mut out = glob;
                out.extend(segs.iter().cloned());
                return out;
            }
        }
        self.unrenamed(segs.to_vec())
    }

    /// A glob import that is known to provide `name` (fred's prelude, redis's
    /// `aio` module, …).
    fn glob_providing(&self, name: &str) -> Option<Vec<String>> {
        self.globs.iter().find_map(|glob| {
            let root = glob.first().map(String::as_str);
            let provides = match root {
                Some("fred") => {
                    matches!(
                        name,
                        "Client"
                            | "RedisClient"
                            | "Pool"
                            | "RedisPool"
                            | "SubscriberClient"
                            | "Builder"
                            | "Config"
                            | "ServerConfig"
                    ) || is_fred_trait(name)
                }
                Some("redis") => {
                    matches!(
                        name,
                        "Client"
                            | "Connection"
                            | "MultiplexedConnection"
                            | "ConnectionManager"
                            | "ClusterClient"
                            | "ClusterConnection"
                            | "Script"
                            | "Cmd"
                            | "Pipeline"
                    ) || REDIS_TRAITS.contains(&name)
                }
                Some("bb8_redis") => name == "RedisConnectionManager",
                Some("deadpool_redis") => {
                    matches!(name, "Config" | "Pool" | "Connection" | "Runtime")
                }
                _ => false,
            };
            provides.then(|| glob.clone())
        })
    }

    /// Whether the file imports a redis-rs command trait (directly, through
    /// `redis::*`, or re-exported by a crate module under the same name).
    pub fn imports_redis_traits(&self) -> bool {
        self.names
            .keys()
            .any(|n| REDIS_TRAITS.contains(&n.as_str()))
            || self
                .names
                .values()
                .any(|p| p.last().is_some_and(|l| REDIS_TRAITS.contains(&l.as_str())))
            || self
                .globs
                .iter()
                .any(|g| g.first().is_some_and(|f| f == "redis"))
    }

    pub fn imports_fred(&self) -> bool {
        let fred_path = |p: &Vec<String>| p.first().is_some_and(|f| f == "fred");
        self.globs.iter().any(fred_path)
            || self.names.values().any(|p| {
                fred_path(p) && p.last().is_some_and(|l| is_fred_trait(l) || l == "prelude")
            })
    }

    /// Whether any import comes from one of these crates.
    pub fn imports_crate(&self, krate: &str) -> bool {
        self.names
            .values()
            .chain(&self.globs)
            .any(|p| p.first().is_some_and(|f| f == krate))
    }

    /// Glob imports of crate-local modules (`use crate::prelude::*`): their
    /// last segment, to match against modules that re-export client traits.
    pub fn local_globs(&self) -> Vec<String> {
        self.globs
            .iter()
            .filter(|g| {
                g.first()
                    .is_some_and(|f| matches!(f.as_str(), "crate" | "self" | "super"))
            })
            .filter_map(|g| g.last().cloned())
            .collect()
    }
}

/// Pool crates re-export the crates they wrap (`bb8_redis::bb8::Pool`,
/// `deadpool_redis::redis::Client`): see through that.
pub fn strip_reexport(full: &[String]) -> &[String] {
    match full {
        [first, second, ..]
            if matches!(
                first.as_str(),
                "bb8_redis" | "deadpool_redis" | "mobc_redis" | "r2d2_redis"
            ) && matches!(
                second.as_str(),
                "bb8" | "redis" | "r2d2" | "deadpool" | "mobc"
            ) =>
        {
            &full[1..]
        }
        _ => full,
    }
}

pub fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// Generic type parameters bounded by a Redis connection trait.
pub type Generics = HashMap<String, Lib>;

pub fn bound_lib(
    bounds: &syn::punctuated::Punctuated<TypeParamBound, syn::Token![+]>,
) -> Option<Lib> {
    bounds.iter().find_map(|b| match b {
        TypeParamBound::Trait(t) => {
            let last = t.path.segments.last()?.ident.to_string();
            if REDIS_TRAITS.contains(&last.as_str()) || REDIS_BOUNDS.contains(&last.as_str()) {
                Some(Lib::RedisRs)
            } else if is_fred_trait(&last) {
                let first = t.path.segments.first()?.ident.to_string();
                (t.path.segments.len() == 1 || first == "fred").then_some(Lib::Fred)
            } else {
                None
            }
        }
        _ => None,
    })
}

pub fn collect_generics(generics: &syn::Generics, out: &mut Generics) {
    for param in generics.type_params() {
        if let Some(lib) = bound_lib(&param.bounds) {
            out.insert(param.ident.to_string(), lib);
        }
    }
    if let Some(clause) = &generics.where_clause {
        for pred in &clause.predicates {
            if let syn::WherePredicate::Type(p) = pred {
                if let Some(lib) = bound_lib(&p.bounds) {
                    out.insert(p.bounded_ty.to_token_stream().to_string(), lib);
                }
            }
        }
    }
}

/// Wrappers that hold one value without changing what it is for our purpose.
const WRAPPERS: &[&str] = &[
    "Arc",
    "Rc",
    "Box",
    "Mutex",
    "RwLock",
    "Option",
    "OnceCell",
    "OnceLock",
    "Lazy",
    "LazyLock",
    "State",
    "Data",
    "Extension",
    "Cell",
    "RefCell",
    "Pin",
    "MutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "Result",
    "RedisResult",
    "FredResult",
];

pub fn classify(ty: &Type, uses: &UseMap, generics: &Generics) -> TypeClass {
    match ty {
        Type::Reference(r) => classify(&r.elem, uses, generics),
        Type::Paren(p) => classify(&p.elem, uses, generics),
        Type::Group(g) => classify(&g.elem, uses, generics),
        Type::ImplTrait(t) => bound_lib(&t.bounds).map_or(TypeClass::Other, |lib| {
            TypeClass::Redis(lib, ConnKind::Generic)
        }),
        Type::TraitObject(t) => bound_lib(&t.bounds).map_or(TypeClass::Other, |lib| {
            TypeClass::Redis(lib, ConnKind::Generic)
        }),
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return TypeClass::Other;
            };
            let name = last.ident.to_string();
            if p.path.segments.len() == 1 {
                if let Some(lib) = generics.get(&name) {
                    return TypeClass::Redis(*lib, ConnKind::Generic);
                }
            }
            let args: Vec<&Type> = match &last.arguments {
                PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter_map(|g| match g {
                        GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if WRAPPERS.contains(&name.as_str()) {
                return args
                    .first()
                    .map_or(TypeClass::Other, |inner| classify(inner, uses, generics));
            }
            let full = uses.expand(&path_segments(&p.path));
            if let Some(class) = redis_type(&full, &args, uses) {
                return class;
            }
            // `common::redis::aio::ConnectionManager`: a client crate
            // re-exported by another crate (`pub use redis;`).
            if uses.is_foreign(&full) {
                let inner = full
                    .iter()
                    .skip(1)
                    .position(|s| CLIENT_CRATES.contains(&s.as_str()));
                if let Some(class) = inner.and_then(|i| redis_type(&full[i + 1..], &args, uses)) {
                    return class;
                }
            }
            let std_like = matches!(
                full.first().map(String::as_str),
                Some(
                    "std"
                        | "core"
                        | "alloc"
                        | "tokio"
                        | "serde_json"
                        | "sqlx"
                        | "reqwest"
                        | "hyper"
                )
            );
            if std_like
                || name.chars().next().is_some_and(|c| c.is_lowercase())
                || is_std_name(&name)
            {
                TypeClass::Other
            } else if uses.is_foreign(&full) {
                // Kept whole so that it never matches a crate type or alias
                // that happens to share its name.
                TypeClass::Struct(full.join("::"))
            } else if let Some(glob) = uses.sole_foreign_glob(&full) {
                // Maybe re-exported there from a client: linking looks it
                // up when that crate is one of the run.
                TypeClass::Struct(format!("{}::{name}", glob.join("::")))
            } else {
                TypeClass::Struct(name)
            }
        }
        _ => TypeClass::Other,
    }
}

fn is_std_name(name: &str) -> bool {
    matches!(
        name,
        "String"
            | "Vec"
            | "HashMap"
            | "BTreeMap"
            | "HashSet"
            | "BTreeSet"
            | "VecDeque"
            | "Duration"
            | "Instant"
            | "Self"
            | "PathBuf"
            | "Path"
            | "Cow"
            | "Value"
    )
}

/// The class of a client type by its full path (`redis::aio::ConnectionManager`),
/// for a path linking found through another crate's re-export.
pub fn client_type(full: &[String]) -> Option<TypeClass> {
    redis_type(full, &[], &UseMap::default())
}

/// Classifies a fully expanded type path of one of the client crates.
fn redis_type(full: &[String], args: &[&Type], uses: &UseMap) -> Option<TypeClass> {
    let full = strip_reexport(full);
    let krate = full.first()?.as_str();
    let last = full.last()?.as_str();
    let in_cluster_mod = full.iter().any(|s| s == "cluster" || s == "cluster_async");
    let redis_generic = || {
        args.iter().any(|a| {
            let text = a.to_token_stream().to_string();
            let segs: Vec<String> = text.split("::").map(|s| s.trim().to_string()).collect();
            let expanded = uses.expand(&segs);
            let from_client = expanded
                .first()
                .is_some_and(|f| matches!(f.as_str(), "redis" | "bb8_redis" | "r2d2_redis"));
            // A manager type of the file's own (a namespacing wrapper) hands
            // out the crate's connection type, not a client's.
            let local = segs.len() == 1 && uses.locals.contains(&segs[0]);
            from_client
                || (!local && (text.contains("RedisConnectionManager") || text.contains("redis")))
        })
    };
    let kind = match (krate, last) {
        ("redis", "Client") => (Lib::RedisRs, ConnKind::Client),
        ("redis", "Connection") => (Lib::RedisRs, ConnKind::Sync),
        ("redis", "MultiplexedConnection") => (Lib::RedisRs, ConnKind::Multiplexed),
        ("redis", "ConnectionManager") => (Lib::RedisRs, ConnKind::Manager),
        ("redis", "ClusterClient") => (Lib::RedisRs, ConnKind::ClusterClient),
        // `redis::cluster::ClusterConnection` blocks; the async one lives in
        // `cluster_async`.
        ("redis", "ClusterConnection") if full.iter().any(|s| s == "cluster") => {
            (Lib::RedisRs, ConnKind::ClusterSync)
        }
        ("redis", "ClusterConnection") => (Lib::RedisRs, ConnKind::Cluster),
        ("redis", "PubSub") => (Lib::RedisRs, ConnKind::PubSub),
        ("deadpool_redis", "Pool") => (
            Lib::Deadpool,
            ConnKind::Pool {
                cluster: in_cluster_mod,
            },
        ),
        ("deadpool_redis", "Connection") => (
            Lib::Deadpool,
            ConnKind::Pooled {
                cluster: in_cluster_mod,
            },
        ),
        ("bb8", "Pool") if redis_generic() => (Lib::Bb8, ConnKind::Pool { cluster: false }),
        ("bb8", "PooledConnection") if redis_generic() => {
            (Lib::Bb8, ConnKind::Pooled { cluster: false })
        }
        ("r2d2", "Pool") if redis_generic() => (Lib::R2d2, ConnKind::Pool { cluster: false }),
        ("r2d2", "PooledConnection") if redis_generic() => {
            (Lib::R2d2, ConnKind::Pooled { cluster: false })
        }
        ("fred", "Client" | "RedisClient") => (Lib::Fred, ConnKind::FredClient),
        ("fred", "Pool" | "RedisPool") => (Lib::Fred, ConnKind::FredPool),
        ("fred", "SubscriberClient") => (Lib::Fred, ConnKind::FredSubscriber),
        _ => return None,
    };
    Some(TypeClass::Redis(kind.0, kind.1))
}

/// `Mutex<MultiplexedConnection>`, `Arc<RwLock<redis::Connection>>`, …:
/// the lock's name and the connection kind behind it.
pub fn locked_connection(
    ty: &Type,
    uses: &UseMap,
    generics: &Generics,
) -> Option<(String, ConnKind)> {
    fn walk(
        ty: &Type,
        uses: &UseMap,
        generics: &Generics,
        lock: Option<String>,
    ) -> Option<(String, ConnKind)> {
        let Type::Path(p) = ty else {
            return match ty {
                Type::Reference(r) => walk(&r.elem, uses, generics, lock),
                _ => None,
            };
        };
        let last = p.path.segments.last()?;
        let name = last.ident.to_string();
        let inner = match &last.arguments {
            PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            }),
            _ => None,
        };
        if matches!(
            name.as_str(),
            "Mutex" | "RwLock" | "ReentrantMutex" | "FairMutex" | "RefCell"
        ) {
            return walk(inner?, uses, generics, Some(name));
        }
        if WRAPPERS.contains(&name.as_str()) {
            return walk(inner?, uses, generics, lock);
        }
        match (lock, classify(ty, uses, generics)) {
            (Some(lock), TypeClass::Redis(_, kind))
                if !matches!(kind, ConnKind::Pool { .. } | ConnKind::Client) =>
            {
                Some((lock, kind))
            }
            _ => None,
        }
    }
    walk(ty, uses, generics, None)
}

/// A field or static type that keeps a redis-rs `Connection` or
/// `MultiplexedConnection` itself (through `Arc`, `Option`, `OnceLock`, …):
/// neither reconnects once its socket drops. A lock on the way makes it a
/// locked connection instead (reported on its own).
pub fn stored_connection(ty: &Type, uses: &UseMap, generics: &Generics) -> Option<ConnKind> {
    // A `&mut Connection` field borrows a connection for a short job: it
    // does not keep one.
    let Type::Path(inner) = ty else {
        return None;
    };
    let last = inner.path.segments.last()?;
    let name = last.ident.to_string();
    if matches!(
        name.as_str(),
        "Mutex" | "RwLock" | "ReentrantMutex" | "FairMutex"
    ) {
        return None;
    }
    // A multiplexed connection in a `RefCell` is reported as locked.
    if name == "RefCell"
        && locked_connection(ty, uses, generics).is_some_and(|(_, k)| k == ConnKind::Multiplexed)
    {
        return None;
    }
    if WRAPPERS.contains(&name.as_str()) {
        let PathArguments::AngleBracketed(a) = &last.arguments else {
            return None;
        };
        return a.args.iter().find_map(|g| match g {
            GenericArgument::Type(t) => stored_connection(t, uses, generics),
            _ => None,
        });
    }
    match classify(ty, uses, generics) {
        TypeClass::Redis(Lib::RedisRs, kind @ (ConnKind::Sync | ConnKind::Multiplexed)) => {
            Some(kind)
        }
        _ => None,
    }
}
