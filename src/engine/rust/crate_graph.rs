//! Which crates of the run can name the items of which: a crate's code
//! reaches another crate's items only through its dependencies (directly,
//! or through crates that re-export them). The prefilter uses this so that
//! a Redis value defined in a client crate (`Client`, `Connection`) is not
//! searched for in every unrelated crate of a large run. A dependency is a
//! crate of the run only where Cargo would build it from there (see
//! [`CratePlace`]): a project's registry `redis` is not another project's
//! checkout of redis-rs.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::manifest::{dependency_tables, CratePlace, Manifests};

/// One crate's manifest, as far as visibility goes.
struct Node {
    /// Its package name, `-` as `_` (as paths write it).
    name: String,
    /// The package names of its dependencies of every kind, `-` as `_`.
    deps: BTreeSet<String>,
    place: Arc<CratePlace>,
}

/// The crates of the run, by root; `None` where the manifest cannot be
/// read (such a crate is taken to see, and be seen by, every crate).
///
/// Questions are answered backwards, from the package asked about to the
/// crates depending on it: each crate's forward reach in a registry of
/// 2,000 crates (many versions of each name) held a thousand names per
/// crate, about 100 MB.
pub(super) struct CrateGraph<'a> {
    nodes: BTreeMap<&'a Path, Option<Node>>,
    /// Package name → the run's crates depending on a package of that name
    /// (wherever it comes from).
    dependents: HashMap<String, Vec<&'a Path>>,
    /// Crate of the run → the run's crates depending on it.
    run_dependents: HashMap<&'a Path, Vec<&'a Path>>,
    /// The crates that may reach a Redis client (built on first need).
    client_reachers: Option<HashSet<&'a Path>>,
}

impl<'a> CrateGraph<'a> {
    pub(super) fn of(roots: impl IntoIterator<Item = &'a Path>, manifests: &Manifests) -> Self {
        let nodes: BTreeMap<&Path, Option<Node>> = roots
            .into_iter()
            .map(|root| (root, node(root, manifests)))
            .collect();
        let mut dependents: HashMap<String, Vec<&Path>> = HashMap::new();
        let mut by_name: HashMap<&str, Vec<(&Path, &CratePlace)>> = HashMap::new();
        for (root, node) in &nodes {
            for dep in node.iter().flat_map(|n| &n.deps) {
                dependents.entry(dep.clone()).or_default().push(root);
            }
            if let Some(node) = node {
                by_name
                    .entry(&node.name)
                    .or_default()
                    .push((root, &node.place));
            }
        }
        let mut run_dependents: HashMap<&Path, Vec<&Path>> = HashMap::new();
        for (root, node) in nodes.iter().filter_map(|(r, n)| Some((*r, n.as_ref()?))) {
            for dep in &node.deps {
                let built = by_name.get(dep.as_str()).into_iter().flatten();
                for (dep_root, _) in built.filter(|(_, place)| node.place.can_name(dep, place)) {
                    run_dependents.entry(dep_root).or_default().push(root);
                }
            }
        }
        CrateGraph {
            nodes,
            dependents,
            run_dependents,
            client_reachers: None,
        }
    }

    /// The crates of the run whose code may name items of these crates
    /// (`defining`; `None`: files outside any crate): themselves, the
    /// crates depending on one of them, directly or through other crates
    /// of the run, and those whose manifest cannot be read. `All` when one
    /// of `defining` is outside any crate or has a manifest not read.
    pub(super) fn seers(&self, defining: &BTreeSet<Option<&'a Path>>) -> Seers<'a> {
        let mut roots = Vec::new();
        for to in defining {
            match to.and_then(|root| self.nodes.get_key_value(root)) {
                Some((root, Some(_))) => roots.push(*root),
                _ => return Seers::All,
            }
        }
        let mut seeing: HashSet<&Path> = roots.iter().copied().collect();
        seeing.extend(self.dependents_of(roots));
        // A crate whose manifest cannot be read may depend on anything.
        let unread = self.nodes.iter().filter(|(_, node)| node.is_none());
        seeing.extend(unread.map(|(root, _)| *root));
        Seers::Some(seeing)
    }

    /// Whether the crate at `root` may define a Redis type, alias, wrapper
    /// or helper: it is a Redis client or depends on one (transitively
    /// through the run's crates), or its manifest cannot be read.
    pub(super) fn may_reach_redis(&mut self, root: &'a Path) -> bool {
        let Some(Some(_)) = self.nodes.get(root) else {
            return true;
        };
        if self.client_reachers.is_none() {
            let clients = self.dependents.iter().filter(|(n, _)| is_redis_client(n));
            let users: Vec<&Path> = clients.flat_map(|(_, users)| users.clone()).collect();
            let mut reachers: HashSet<&Path> = users.iter().copied().collect();
            reachers.extend(self.dependents_of(users));
            // The clients themselves (their dependents are among the above).
            reachers.extend(self.nodes.iter().filter_map(|(root, node)| {
                node.as_ref()
                    .is_some_and(|n| is_redis_client(&n.name))
                    .then_some(*root)
            }));
            self.client_reachers = Some(reachers);
        }
        self.client_reachers
            .as_ref()
            .is_some_and(|r| r.contains(root))
    }

    /// The crates of the run depending on one of `roots`, directly or
    /// through other crates of the run.
    fn dependents_of(&self, mut roots: Vec<&'a Path>) -> HashSet<&'a Path> {
        let mut found: HashSet<&Path> = HashSet::new();
        while let Some(root) = roots.pop() {
            for user in self.run_dependents.get(root).into_iter().flatten() {
                if found.insert(user) {
                    roots.push(user);
                }
            }
        }
        found
    }

    /// The crates that the code of the crate `by` (`None`: a file outside
    /// any crate) names when a path's first segment is one of `wanted`, and
    /// those whose manifest cannot tell their name (they are searched like
    /// named ones).
    pub(super) fn named(&self, by: Option<&Path>, wanted: &BTreeSet<String>) -> Vec<&'a Path> {
        let place = by
            .and_then(|root| self.nodes.get(root)?.as_ref())
            .map(|n| &n.place);
        let named = |node: &Option<Node>| {
            node.as_ref().is_none_or(|n| {
                wanted.contains(&n.name) && place.is_none_or(|p| p.can_name(&n.name, &n.place))
            })
        };
        let roots = self.nodes.iter().filter(|(_, node)| named(node));
        roots.map(|(root, _)| *root).collect()
    }
}

/// The crates that may name some items (see [`CrateGraph::seers`]).
pub(super) enum Seers<'a> {
    All,
    Some(HashSet<&'a Path>),
}

impl Seers<'_> {
    /// Whether the crate owning a file (`None`: no crate) is one of them.
    pub(super) fn include(&self, owner: Option<&Path>) -> bool {
        match (self, owner) {
            (Seers::All, _) | (_, None) => true,
            (Seers::Some(roots), Some(root)) => roots.contains(root),
        }
    }
}

/// Whether a package (its name with `-` as `_`) is a Redis client or a
/// crate built on one: `redis`, `fred`, and every name spelling `redis`
/// (`deadpool_redis`, `bb8_redis`, `r2d2_redis`, `redis_pool`, …).
fn is_redis_client(package: &str) -> bool {
    package == "fred" || package.contains("redis")
}

/// The crate's package name and dependency names, from its manifest; a
/// renamed dependency counts under both its names.
fn node(root: &Path, manifests: &Manifests) -> Option<Node> {
    let doc = manifests.doc(root).ok()?;
    let name = doc.get("package")?.get("name")?.as_str()?.replace('-', "_");
    let manifest = manifests.load(root);
    let mut deps = BTreeSet::new();
    for (key, spec) in dependency_tables(&doc).into_iter().flatten() {
        let local = key.replace('-', "_");
        if let Some(package) = spec.get("package").and_then(|p| p.as_str()) {
            deps.insert(package.replace('-', "_"));
        }
        for renames in [&manifest.crate_renames, &manifest.renames] {
            if let Some(package) = renames.package_of(&local) {
                deps.insert(package.to_string());
            }
        }
        deps.insert(local);
    }
    Some(Node {
        name,
        deps,
        place: manifests.place(root),
    })
}
