//! Finding the `.rs` files to lint: folders are walked honouring
//! `.gitignore`, skipping hidden folders and Cargo's `target/`; files named
//! on the command line are linted as given. The same walk collects the files
//! that may be Redis configurations (`*.conf`, compose files; see
//! [`crate::server_conf::is_candidate`]).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub struct Walked {
    /// Sorted, without duplicates.
    pub files: Vec<PathBuf>,
    /// Files that may be Redis configurations; sorted, without duplicates.
    pub configs: Vec<PathBuf>,
    /// Paths that could not be walked, with the reason.
    pub problems: Vec<(PathBuf, String)>,
}

pub fn collect(paths: &[PathBuf]) -> Result<Walked, String> {
    let mut files = Vec::new();
    let mut configs = Vec::new();
    let mut problems = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| format!("{}: {e}", root.display()))?;
        if meta.is_file() {
            if crate::server_conf::is_candidate(root) {
                configs.push(absolute(root));
            } else {
                files.push(absolute(root));
            }
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| !is_cargo_target(entry.path()))
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    if !e.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    if e.path().extension().is_some_and(|x| x == "rs") {
                        files.push(absolute(e.path()));
                    } else if crate::server_conf::is_candidate(e.path()) {
                        configs.push(absolute(e.path()));
                    }
                }
                Err(err) => {
                    let path = err_path(&err).unwrap_or_else(|| root.clone());
                    problems.push((path, err.to_string()));
                }
            }
        }
    }
    // Overlapping roots (`src src/lib.rs`, a link to a walked file) reach
    // one file twice; distinct roots never do, and a single root walks
    // each file once.
    if paths.len() > 1 {
        files = first_of_each(files);
        configs = first_of_each(configs);
    }
    files.sort();
    files.dedup();
    configs.sort();
    configs.dedup();
    Ok(Walked {
        files,
        configs,
        problems,
    })
}

/// The paths in order, keeping the first way to each file (compared by
/// canonical path), so that a file is linted once and shown as it was
/// first named.
fn first_of_each(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    paths
        .into_iter()
        .filter(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())))
        .collect()
}

/// A path as shown in diagnostics and baseline keys: `/` between
/// folders (also for Windows' `\`), and bytes that are not UTF-8 written
/// `\xff`, so that two names differing only there stay two paths in every
/// output (a lossy conversion would show both as `\u{fffd}`). A written
/// `\` never collides with an escape: it is shown as `/`.
pub fn path_text(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        let mut out = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(&chunk.valid().replace('\\', "/"));
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    path.to_string_lossy().replace('\\', "/")
}

fn err_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}

/// Cargo's build folder: `target/` next to a `Cargo.toml`, or any folder
/// Cargo marked with `CACHEDIR.TAG`.
fn is_cargo_target(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "target")
        && path.is_dir()
        && (path.join("CACHEDIR.TAG").is_file()
            || path
                .parent()
                .is_some_and(|p| p.join("Cargo.toml").is_file()))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
