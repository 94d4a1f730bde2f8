//! What crosses crate boundaries: the client types and traits a `pub use`
//! hands to other crates, and the glob imports of other crates' modules
//! through which a file may receive them (`use common::prelude::*`).

use syn::UseTree;

use super::{redis_type, TypeClass, UseMap, CLIENT_CRATES, REDIS_TRAITS};

impl UseMap {
    /// A glob import of another crate's module (`use common::prelude::*`),
    /// not of a client's or the standard library's.
    fn is_foreign_glob(&self, glob: &[String]) -> bool {
        glob.first().is_some_and(|f| {
            !matches!(
                f.as_str(),
                "crate" | "self" | "super" | "Self" | "std" | "core" | "alloc"
            ) && !self.local_mods.contains(f)
                && !CLIENT_CRATES.contains(&f.as_str())
        })
    }

    /// A single-segment type name that can only come from one glob import
    /// of another crate (`ConnectionManager` with `use common::prelude::*`):
    /// that glob's path. `None` when the file defines the name or globs
    /// one of the crate's own modules (`use super::*;`). A glob of its own
    /// inside an inline module (`mod tests { use super::*; }`) does not
    /// count: it brings nothing into the file's other code.
    pub(super) fn sole_foreign_glob(&self, full: &[String]) -> Option<&[String]> {
        let [name] = full else {
            return None;
        };
        if self.locals.contains(name) || self.top_level_own_glob {
            return None;
        }
        let mut foreign = self.globs.iter().filter(|g| self.is_foreign_glob(g));
        match (foreign.next(), foreign.next()) {
            (Some(glob), None) => Some(glob),
            _ => None,
        }
    }

    /// The crates the file glob-imports from (`common` for `use
    /// common::prelude::*`), client and std crates left out: one of the
    /// run may re-export a client's command traits there.
    pub fn foreign_glob_crates(&self) -> Vec<String> {
        let mut crates: Vec<String> = self
            .globs
            .iter()
            .filter(|g| self.is_foreign_glob(g))
            .filter_map(|g| g.first().cloned())
            .collect();
        crates.sort();
        crates.dedup();
        crates
    }

    /// What a `pub use` item hands to other crates that Redis code can
    /// reach: the client types it re-exports under each name (named, or
    /// through a glob of a client module: `pub use redis::aio::*`), and
    /// whether it re-exports a client's command traits.
    pub fn reexports(&self, tree: &UseTree) -> Reexports {
        let mut exported = UseMap::with_renames(self.renames.clone());
        exported.add(tree);
        let mut out = Reexports::default();
        // `mod redis; pub use redis::Client;` re-exports the crate's own
        // module's `Client`.
        let own_module = |p: &[String]| p.first().is_some_and(|f| self.local_mods.contains(f));
        for (name, path) in &exported.names {
            let full = self.expand(path);
            if own_module(&full) {
                continue;
            }
            // `pub use redis;`, `pub use ::redis as redis_rs;`: the client
            // crate itself, under that name.
            if let [krate] = full.as_slice() {
                if CLIENT_CRATES.contains(&krate.as_str()) {
                    out.clients.push(ClientReexport {
                        name: name.clone(),
                        krate: krate.clone(),
                    });
                    continue;
                }
            }
            if let Some(class) = redis_type(&full, &[], self) {
                out.types.push((name.clone(), class));
            } else if let Some(own) = full
                .last()
                // A path of one segment is another crate (`pub use serde_json as json;`).
                .filter(|l| *l != name && full.len() > 1 && !self.is_foreign(&full))
            {
                // `pub use crate::plugin::Redis as Conn;`: the crate's own
                // type (maybe an alias of a client's) under another name.
                out.types
                    .push((name.clone(), TypeClass::Struct(own.clone())));
            }
            out.traits |= is_client_trait(&full);
        }
        for glob in &exported.globs {
            let glob = self.expand(glob);
            if own_module(&glob) {
                continue;
            }
            let Some(krate) = glob.first().filter(|k| CLIENT_CRATES.contains(&k.as_str())) else {
                continue;
            };
            out.traits |= matches!(krate.as_str(), "redis" | "fred");
            for name in GLOB_TYPES {
                let full = [glob.as_slice(), &[name.to_string()]].concat();
                if let Some(class) = redis_type(&full, &[], self) {
                    out.types.push((name.to_string(), class));
                }
            }
        }
        out.types.sort_by(|a, b| a.0.cmp(&b.0));
        out.clients.sort();
        out
    }

    /// `extern crate redis as kv;`: `kv::` names the client crate in this
    /// file. A `pub` one re-exports it to other crates: returned then.
    pub fn add_extern_crate(&mut self, item: &syn::ItemExternCrate) -> Option<ClientReexport> {
        let krate = self.unrenamed(vec![item.ident.to_string()]).pop()?;
        if !CLIENT_CRATES.contains(&krate.as_str()) {
            return None;
        }
        let name = item
            .rename
            .as_ref()
            .map_or_else(|| krate.clone(), |(_, r)| r.to_string());
        self.names.insert(name.clone(), vec![krate.clone()]);
        let public = matches!(item.vis, syn::Visibility::Public(_));
        public.then_some(ClientReexport { name, krate })
    }

    /// The type a constructor's path names (`Client` in `Client::open`)
    /// when it may be a client type that another crate re-exports, which
    /// only linking can tell: through that crate's prelude (`Client` with
    /// `use common::prelude::*` → `common::prelude::Client`), a name
    /// imported from it, or a path through its re-export of the client
    /// crate (`common::redis_rs::Client`).
    pub fn reexported_type(&self, type_path: &[String]) -> Option<String> {
        let name = type_path.last()?;
        if !GLOB_TYPES.contains(&name.as_str()) {
            return None;
        }
        if let Some(glob) = self.sole_foreign_glob(type_path) {
            return Some(format!("{}::{name}", glob.join("::")));
        }
        let full = self.expand(type_path);
        let krate = full.first()?;
        let foreign = self.is_foreign(&full)
            && !CLIENT_CRATES.contains(&krate.as_str())
            && !matches!(krate.as_str(), "std" | "core" | "alloc");
        foreign.then(|| full.join("::"))
    }

    /// The module path a call goes through when it may be another crate's
    /// re-export of redis-rs (`common::redis_rs` in
    /// `common::redis_rs::cmd("GET")`), which only linking can tell.
    pub fn reexported_client_path(&self, fn_path: &[String]) -> Option<String> {
        let full = self.expand(fn_path);
        let (_, module) = full.split_last()?;
        let krate = module.first()?;
        let foreign = module.len() >= 2
            && self.is_foreign(&full)
            && !CLIENT_CRATES.contains(&krate.as_str())
            && !matches!(krate.as_str(), "std" | "core" | "alloc");
        foreign.then(|| module.join("::"))
    }
}

/// A client crate that a crate re-exports under a name (`pub use ::redis
/// as redis_rs;`, `pub extern crate redis as kv;`, `pub use redis;`):
/// other crates reach the client through that name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ClientReexport {
    pub name: String,
    pub krate: String,
}

/// What one `pub use` item re-exports (see [`UseMap::reexports`]).
#[derive(Debug, Default)]
pub struct Reexports {
    /// Exported name → the client type it is.
    pub types: Vec<(String, TypeClass)>,
    pub traits: bool,
    /// Client crates re-exported whole.
    pub clients: Vec<ClientReexport>,
}

/// The client types a glob of a client module may bring in.
const GLOB_TYPES: &[&str] = &[
    "Client",
    "Connection",
    "MultiplexedConnection",
    "ConnectionManager",
    "ClusterClient",
    "ClusterConnection",
    "PubSub",
    "Pool",
    "RedisClient",
    "RedisPool",
    "SubscriberClient",
];

/// A redis-rs command trait or a fred command interface, by its full path.
fn is_client_trait(full: &[String]) -> bool {
    let (Some(krate), Some(last)) = (full.first(), full.last()) else {
        return false;
    };
    match krate.as_str() {
        "redis" => REDIS_TRAITS.contains(&last.as_str()),
        "fred" => super::is_fred_trait(last) || last == "prelude",
        _ => false,
    }
}
