//! What a crate's files are for, from the manifests: the files its
//! `Cargo.toml` names as targets (examples and benchmarks among them), and
//! whether the other crates of its workspace use it only to test
//! themselves (a test harness crate listed in their `[dev-dependencies]`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What a crate's manifest and its workspace say about its files.
#[derive(Debug, Default)]
pub struct CrateLayout {
    /// Files of `[[example]]` and `[[bench]]` targets given a `path`:
    /// example code like the files under `examples/` and `benches/`.
    pub example_files: Vec<PathBuf>,
    /// Files of every target given a `path` (`[lib]`, `[[bin]]`,
    /// `[[test]]`, ..., `package.build`): roots of a module tree, like
    /// `src/lib.rs`.
    pub target_files: Vec<PathBuf>,
    /// The crate's workspace uses it only as a dev-dependency (directly, or
    /// through other such crates): all of it is test code.
    pub test_only: bool,
    /// The crate is tooling kept inside a library's folder and left out of
    /// its package (a benchmark, a soak test): all of it is test code.
    pub library_tooling: bool,
}

impl CrateLayout {
    /// The targets of the manifest `doc` of the crate at `root`.
    pub(super) fn of(root: &Path, doc: &toml::Table) -> CrateLayout {
        let mut layout = CrateLayout::default();
        let path_of = |t: &toml::Value| t.get("path")?.as_str().map(|p| root.join(p));
        for key in ["example", "bench"] {
            let targets = doc.get(key).and_then(|v| v.as_array());
            for path in targets.into_iter().flatten().filter_map(path_of) {
                layout.example_files.push(path.clone());
                layout.target_files.push(path);
            }
        }
        for key in ["bin", "test"] {
            let targets = doc.get(key).and_then(|v| v.as_array());
            layout
                .target_files
                .extend(targets.into_iter().flatten().filter_map(path_of));
        }
        layout.target_files.extend(doc.get("lib").and_then(path_of));
        let build = doc.get("package").and_then(|p| p.get("build"));
        if let Some(build) = build.and_then(|b| b.as_str()) {
            layout.target_files.push(root.join(build));
        }
        layout
    }
}

/// How a crate depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DepKind {
    /// `[dependencies]`, `[build-dependencies]`: part of what it ships.
    Normal,
    /// `[dev-dependencies]`: only its tests, examples and benches use it.
    Dev,
}

/// One member of a workspace: its folder, package name and the packages
/// it depends on.
struct Member {
    dir: PathBuf,
    name: String,
    deps: Vec<(String, DepKind)>,
    /// Whether it can be a test harness: unpublished (`publish = false`),
    /// or named for testing (`redis-test`, `integration-harness`). A
    /// published library that the workspace's own examples use as a
    /// dev-dependency (a storage backend) ships to its users.
    harness_like: bool,
}

/// The members of the workspace whose root manifest (at `root`) is `doc`
/// that only other members' dev-dependencies use: test harness crates,
/// and the crates only they use.
pub(super) fn test_only_members(
    root: &Path,
    doc: &toml::Table,
    manifests: &super::Manifests,
) -> HashSet<PathBuf> {
    let doc_root = doc;
    let workspace_deps = doc
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table());
    let members: Vec<Member> = member_dirs(root, doc)
        .into_iter()
        .filter_map(|dir| {
            let doc = manifests.doc(&dir).ok()?;
            let package = doc.get("package")?;
            let name = package.get("name")?.as_str()?.to_string();
            let deps = dependencies(&doc, workspace_deps);
            let publish = package.get("publish");
            let inherited = publish.and_then(|p| p.get("workspace")).is_some();
            let publish = match inherited {
                true => doc_workspace_publish(doc_root),
                false => publish,
            };
            let harness_like = unpublished(publish) || named_for_tests(&name);
            Some(Member {
                dir,
                name,
                deps,
                harness_like,
            })
        })
        .collect();
    let index: HashMap<&str, usize> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), i))
        .collect();
    // Who uses each member, and how.
    let mut users: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); members.len()];
    for (from, m) in members.iter().enumerate() {
        for (dep, kind) in &m.deps {
            if let Some(&to) = index.get(dep.as_str()) {
                if to != from {
                    users[to].push((from, *kind));
                }
            }
        }
    }
    let mut test_only = vec![false; members.len()];
    loop {
        let mut changed = false;
        for i in 0..members.len() {
            let only_tests = members[i].harness_like
                && !users[i].is_empty()
                && users[i]
                    .iter()
                    .all(|&(from, kind)| kind == DepKind::Dev || test_only[from]);
            if only_tests && !test_only[i] {
                test_only[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    members
        .into_iter()
        .zip(test_only)
        .filter(|(_, t)| *t)
        .map(|(m, _)| m.dir)
        .collect()
}

/// `[workspace.package] publish` of the workspace root's manifest.
fn doc_workspace_publish(root: &toml::Table) -> Option<&toml::Value> {
    root.get("workspace")?.get("package")?.get("publish")
}

/// `publish = false` or `publish = []`: never published.
fn unpublished(publish: Option<&toml::Value>) -> bool {
    match publish {
        Some(toml::Value::Boolean(b)) => !b,
        Some(toml::Value::Array(registries)) => registries.is_empty(),
        _ => false,
    }
}

/// A package name that says it is for testing.
fn named_for_tests(name: &str) -> bool {
    name.split(['-', '_']).any(|w| {
        matches!(
            w,
            "test" | "tests" | "testing" | "testutils" | "harness" | "mock" | "mocks" | "fixtures"
        )
    })
}

/// The packages a manifest depends on (renames resolved), with how.
fn dependencies(doc: &toml::Table, workspace_deps: Option<&toml::Table>) -> Vec<(String, DepKind)> {
    let mut tables: Vec<(&toml::Table, DepKind)> = Vec::new();
    dependency_tables(doc, &mut tables);
    if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
        for target in targets.values().filter_map(|t| t.as_table()) {
            dependency_tables(target, &mut tables);
        }
    }
    let mut out = Vec::new();
    for (table, kind) in tables {
        for (key, spec) in table {
            let inherited = spec.get("workspace").and_then(|w| w.as_bool()) == Some(true);
            let from_workspace = workspace_deps
                .filter(|_| inherited)
                .and_then(|w| w.get(key));
            let package = spec
                .get("package")
                .or_else(|| from_workspace.and_then(|w| w.get("package")))
                .and_then(|p| p.as_str())
                .unwrap_or(key);
            out.push((package.to_string(), kind));
        }
    }
    out
}

/// The dependency tables of a manifest (or of one of its `[target.'..']`
/// tables).
fn dependency_tables<'a>(t: &'a toml::Table, out: &mut Vec<(&'a toml::Table, DepKind)>) {
    for (key, kind) in [
        ("dependencies", DepKind::Normal),
        ("build-dependencies", DepKind::Normal),
        ("dev-dependencies", DepKind::Dev),
    ] {
        if let Some(table) = t.get(key).and_then(|v| v.as_table()) {
            out.push((table, kind));
        }
    }
}

/// The folders of a workspace's members (`members` globs expanded,
/// `exclude` left out), the root too when it is a package.
fn member_dirs(root: &Path, doc: &toml::Table) -> Vec<PathBuf> {
    let workspace = doc.get("workspace");
    let strings = |key: &str| -> Vec<String> {
        workspace
            .and_then(|w| w.get(key))
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let mut dirs = Vec::new();
    if doc.contains_key("package") {
        dirs.push(root.to_path_buf());
    }
    for pattern in strings("members") {
        let parts: Vec<&str> = pattern
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        expand(root.to_path_buf(), &parts, &mut dirs);
    }
    let exclude: Vec<PathBuf> = strings("exclude").iter().map(|e| root.join(e)).collect();
    dirs.retain(|d| !exclude.iter().any(|e| d.starts_with(e)) && d.join("Cargo.toml").is_file());
    dirs.sort();
    dirs.dedup();
    dirs
}

/// The folders under `base` matching the path `parts` (each part a plain
/// name or a glob such as `*`).
fn expand(base: PathBuf, parts: &[&str], out: &mut Vec<PathBuf>) {
    let Some((first, rest)) = parts.split_first() else {
        out.push(base);
        return;
    };
    if !first.contains(['*', '?', '[']) {
        expand(base.join(first), rest, out);
        return;
    }
    let Ok(glob) = globset::Glob::new(first) else {
        return;
    };
    let matcher = glob.compile_matcher();
    let Ok(entries) = std::fs::read_dir(&base) else {
        return;
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| matcher.is_match(e.file_name()))
        .map(|e| e.path())
        .collect();
    found.sort();
    for dir in found {
        expand(dir, rest, out);
    }
}
