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
            if let Some(class) = redis_type(&full, &[], self) {
                out.types.push((name.clone(), class));
            } else if let Some(own) = full
                .last()
                .filter(|l| *l != name && !self.is_foreign(&full))
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
        out
    }
}

/// What one `pub use` item re-exports (see [`UseMap::reexports`]).
#[derive(Debug, Default)]
pub struct Reexports {
    /// Exported name → the client type it is.
    pub types: Vec<(String, TypeClass)>,
    pub traits: bool,
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
        "fred" => last.ends_with("Interface") || last == "prelude",
        _ => false,
    }
}
