//! The house rules that keep the code base easy to see and to change,
//! checked over `src/` with syn:
//! - data flows one way: a module imports only modules of lower layers
//!   (`LAYERS`), never a sibling of its own layer nor one above it;
//! - no file over 800 lines, no function over 120 lines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The top-level modules of `src/`, bottom layer first. A module may import
/// (through `crate::`) only modules of the layers before its own.
const LAYERS: &[&[&str]] = &[
    &["source"],
    &["diagnostic", "parse"],
    &["manifest", "server_conf"],
    &["model"],
    &["extract"],
    &["link"],
    &["rules"],
    &["settings"],
    &["prefilter", "cache", "walk"],
    &["suppress", "baseline", "fix", "report"],
    &["engine"],
    // The language server lints through the engine; the CLI starts it.
    &["server"],
    &["cli"],
];

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 120;

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The library's source files with the top-level module each belongs to
/// (`src/main.rs` and `src/bin/` are binaries, outside the layers).
fn library_files() -> Vec<(String, PathBuf)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(&src).expect("under src/");
            let first = rel.components().next()?.as_os_str().to_str()?;
            let module = first.trim_end_matches(".rs").to_string();
            (module != "main" && module != "bin" && module != "lib").then_some((module, path))
        })
        .collect()
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).expect("source is UTF-8");
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every top-level module named by a `crate::` path or `use crate::..`.
#[derive(Default)]
struct CrateImports {
    modules: BTreeSet<String>,
}

impl CrateImports {
    fn add_use_tree(&mut self, tree: &syn::UseTree) {
        let ident = match tree {
            syn::UseTree::Path(p) => &p.ident,
            syn::UseTree::Name(n) => &n.ident,
            syn::UseTree::Rename(r) => &r.ident,
            syn::UseTree::Group(g) => return g.items.iter().for_each(|t| self.add_use_tree(t)),
            syn::UseTree::Glob(_) => return,
        };
        self.modules.insert(ident.to_string());
    }
}

impl<'ast> Visit<'ast> for CrateImports {
    fn visit_use_tree(&mut self, tree: &'ast syn::UseTree) {
        if let syn::UseTree::Path(p) = tree {
            if p.ident == "crate" {
                self.add_use_tree(&p.tree);
                return;
            }
        }
        syn::visit::visit_use_tree(self, tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let mut segments = path.segments.iter();
        if let (Some(first), Some(second)) = (segments.next(), segments.next()) {
            if first.ident == "crate" {
                self.modules.insert(second.ident.to_string());
            }
        }
        syn::visit::visit_path(self, path);
    }
}

#[test]
fn modules_import_only_lower_layers() {
    let mut wrong = Vec::new();
    for (module, path) in library_files() {
        let Some(own) = layer_of(&module) else {
            wrong.push(format!(
                "{}: module `{module}` has no layer in LAYERS",
                path.display()
            ));
            continue;
        };
        let mut imports = CrateImports::default();
        imports.visit_file(&parse(&path));
        for used in imports.modules.iter().filter(|m| **m != module) {
            match layer_of(used) {
                Some(layer) if layer < own => {}
                Some(_) => wrong.push(format!(
                    "{}: `{module}` imports `{used}`, which is not below it",
                    path.display()
                )),
                // Items of lib.rs itself (none today) would land here.
                None => wrong.push(format!(
                    "{}: `crate::{used}` is not a layered module",
                    path.display()
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "layer order broken:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_layered_module_exists() {
    let modules: BTreeSet<String> = library_files().into_iter().map(|(m, _)| m).collect();
    for module in LAYERS.iter().flat_map(|l| l.iter()) {
        assert!(
            modules.contains(*module),
            "LAYERS names `{module}`, which src/ does not have"
        );
    }
}

#[test]
fn files_stay_small() {
    let long: Vec<String> = library_files()
        .into_iter()
        .filter_map(|(_, path)| {
            let lines = std::fs::read_to_string(&path).ok()?.lines().count();
            (lines > MAX_FILE_LINES).then(|| format!("{}: {lines} lines", path.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// Functions (free, methods, trait defaults) longer than the limit.
struct LongFns<'a> {
    path: &'a Path,
    found: Vec<String>,
}

impl LongFns<'_> {
    fn check(&mut self, name: &syn::Ident, span: proc_macro2::Span) {
        let lines = span.end().line.saturating_sub(span.start().line) + 1;
        if lines > MAX_FN_LINES {
            self.found.push(format!(
                "{}:{}: fn {name} is {lines} lines",
                self.path.display(),
                span.start().line
            ));
        }
    }
}

impl<'ast> Visit<'ast> for LongFns<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.check(&f.sig.ident, syn::spanned::Spanned::span(f));
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.check(&f.sig.ident, syn::spanned::Spanned::span(f));
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.check(&f.sig.ident, syn::spanned::Spanned::span(f));
        syn::visit::visit_trait_item_fn(self, f);
    }
}

#[test]
fn functions_stay_short() {
    let mut found = Vec::new();
    for (_, path) in library_files() {
        let mut long = LongFns {
            path: &path,
            found: Vec::new(),
        };
        long.visit_file(&parse(&path));
        found.extend(long.found);
    }
    assert!(
        found.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        found.join("\n")
    );
}
