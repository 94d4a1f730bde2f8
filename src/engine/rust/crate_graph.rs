//! Which crates of the run can name the items of which: a crate's code
//! reaches another crate's items only through its dependencies (directly,
//! or through crates that re-export them). The prefilter uses this so that
//! a Redis value defined in a client crate (`Client`, `Connection`) is not
//! searched for in every unrelated crate of a large run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::manifest::{read_manifest, Manifests};

/// One crate's manifest, as far as visibility goes.
struct Node {
    /// Its package name, `-` as `_` (as paths write it).
    name: String,
    /// The package names of its dependencies of every kind, `-` as `_`.
    deps: BTreeSet<String>,
}

/// The crates of the run, by root; `None` where the manifest cannot be
/// read (such a crate is taken to see, and be seen by, every crate).
pub(super) struct CrateGraph<'a> {
    nodes: BTreeMap<&'a Path, Option<Node>>,
    /// Package name → the roots of the run's crates by that name.
    by_name: HashMap<String, Vec<&'a Path>>,
    /// Root → every package name its code may reach (memoised).
    reach: HashMap<&'a Path, Option<BTreeSet<String>>>,
}

impl<'a> CrateGraph<'a> {
    pub(super) fn of(roots: impl IntoIterator<Item = &'a Path>, manifests: &Manifests) -> Self {
        let nodes: BTreeMap<&Path, Option<Node>> = roots
            .into_iter()
            .map(|root| (root, node(root, manifests)))
            .collect();
        let mut by_name: HashMap<String, Vec<&Path>> = HashMap::new();
        for (root, node) in &nodes {
            if let Some(node) = node {
                by_name.entry(node.name.clone()).or_default().push(root);
            }
        }
        CrateGraph {
            nodes,
            by_name,
            reach: HashMap::new(),
        }
    }

    /// Whether code of the crate at `from` may name items defined in the
    /// crate at `to` (files outside any crate see and are seen by all).
    pub(super) fn sees(&mut self, from: Option<&'a Path>, to: Option<&'a Path>) -> bool {
        let (Some(from), Some(to)) = (from, to) else {
            return true;
        };
        if from == to {
            return true;
        }
        let Some(Some(target)) = self.nodes.get(to) else {
            return true;
        };
        let target = target.name.clone();
        match self.reach_of(from) {
            Some(names) => names.contains(&target),
            None => true,
        }
    }

    /// Whether the crate at `root` may define a Redis type, alias, wrapper
    /// or helper: it is a Redis client or depends on one (transitively
    /// through the run's crates), or its manifest, or one on the way,
    /// cannot be read.
    pub(super) fn may_reach_redis(&mut self, root: &'a Path) -> bool {
        match self.nodes.get(root) {
            Some(Some(node)) if is_redis_client(&node.name) => return true,
            Some(Some(_)) => {}
            _ => return true,
        }
        match self.reach_of(root) {
            Some(names) => names.iter().any(|n| is_redis_client(n)),
            None => true,
        }
    }

    /// The package names the crate at `root` depends on, transitively
    /// through the run's crates; `None` when some manifest on the way
    /// cannot be read.
    fn reach_of(&mut self, root: &'a Path) -> Option<&BTreeSet<String>> {
        if !self.reach.contains_key(root) {
            let found = self.walk(root);
            self.reach.insert(root, found);
        }
        self.reach.get(root).and_then(Option::as_ref)
    }

    fn walk(&self, root: &'a Path) -> Option<BTreeSet<String>> {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut todo: Vec<&Path> = vec![root];
        let mut visited: BTreeSet<&Path> = BTreeSet::new();
        while let Some(at) = todo.pop() {
            if !visited.insert(at) {
                continue;
            }
            let node = self.nodes.get(at)?.as_ref()?;
            for dep in &node.deps {
                if seen.insert(dep.clone()) {
                    todo.extend(self.by_name.get(dep).into_iter().flatten().copied());
                }
            }
        }
        Some(seen)
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
    let text = read_manifest(&root.join("Cargo.toml")).ok()?;
    let doc: toml::Table = text.parse().ok()?;
    let name = doc.get("package")?.get("name")?.as_str()?.replace('-', "_");
    let mut tables: Vec<&toml::Table> = Vec::new();
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    tables.extend(kinds.iter().filter_map(|k| doc.get(*k)?.as_table()));
    let targets = doc.get("target").and_then(|t| t.as_table());
    for target in targets.into_iter().flat_map(|t| t.values()) {
        tables.extend(kinds.iter().filter_map(|k| target.get(*k)?.as_table()));
    }
    let manifest = manifests.load(root);
    let mut deps = BTreeSet::new();
    for (key, spec) in tables.into_iter().flatten() {
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
    Some(Node { name, deps })
}
