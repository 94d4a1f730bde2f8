//! Crates that are a library's own tooling: a benchmark or a soak test
//! kept inside the library's folder (`fred/bin/benchmark/Cargo.toml`) that
//! the library leaves out of what it ships. Such code never runs in a
//! user's production and drives its own test server (it flushes it,
//! hammers it), so it is read like test code.

use std::path::{Component, Path};

/// Whether the crate at `root` sits inside the folder of a library package
/// whose `package.exclude` leaves that folder out of the published crate.
///
/// Only a library counts: an application that excludes a folder from its
/// package (`utils/cache-bust`) may still deploy what is in it, but a
/// library's users only ever run what it ships. A crate that the library's
/// workspace lists as a member is part of the project, not tooling.
pub(super) fn library_tooling(root: &Path, manifests: &super::Manifests) -> bool {
    let Some((parent, doc)) = root.ancestors().skip(1).find_map(|dir| {
        dir.join("Cargo.toml").is_file().then_some(())?;
        Some((dir, manifests.doc(dir).ok()?))
    }) else {
        return false;
    };
    let Some(package) = doc.get("package") else {
        return false;
    };
    let Ok(rel) = root.strip_prefix(parent) else {
        return false;
    };
    let excludes = package.get("exclude").and_then(|e| e.as_array());
    let excluded = excludes
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .any(|pattern| covers(pattern, rel));
    excluded && is_library(parent, &doc) && !lists_member(&doc, rel)
}

/// Whether an `exclude` pattern (`bin`, `/bin`, `bin/`, `bin/**`) covers
/// the folder `rel`: its leading folders equal the pattern's plain ones.
fn covers(pattern: &str, rel: &Path) -> bool {
    let parts: Vec<&str> = pattern
        .split('/')
        .filter(|p| !p.is_empty() && *p != "**" && *p != "*")
        .collect();
    if parts.is_empty() || parts.iter().any(|p| p.contains(['*', '?', '['])) {
        return false;
    }
    let folders: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    folders.len() >= parts.len() && folders.iter().zip(&parts).all(|(f, p)| f == p)
}

/// A package with a library target (`[lib]` or `src/lib.rs`).
fn is_library(dir: &Path, doc: &toml::Table) -> bool {
    doc.contains_key("lib") || dir.join("src/lib.rs").is_file()
}

/// Whether the manifest's `[workspace] members` names the folder `rel`
/// (globs are read as naming every folder below their plain prefix).
fn lists_member(doc: &toml::Table, rel: &Path) -> bool {
    let members = doc
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array());
    members
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str())
        .any(|m| {
            let plain = m.split(['*', '?', '[']).next().unwrap_or("");
            let plain = plain.trim_end_matches('/');
            plain.is_empty() || rel.starts_with(plain)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclude_patterns_cover_their_folders() {
        let rel = Path::new("bin/benchmark");
        assert!(covers("bin", rel));
        assert!(covers("/bin/", rel));
        assert!(covers("bin/**", rel));
        assert!(!covers("tests", rel));
        assert!(!covers("b*n", rel));
        assert!(!covers("bin/benchmark/extra", rel));
    }
}
