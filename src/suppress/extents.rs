//! The statements and items of a Rust file, by line: a suppression alone
//! on the line above a statement covers the whole statement (rustfmt puts
//! the method of a long chain, where a finding starts, on a later line),
//! and one above an item (`fn`, `impl`, `mod`, ...) covers that item.
//!
//! Only files with such a suppression are parsed here, so the cost stays
//! with the few files that carry one.

use std::collections::HashMap;

use proc_macro2::Span as TokenSpan;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// The last line of the outermost statement or item starting on each
/// line (attributes included), for the lines where one spans several.
#[derive(Debug, Default)]
pub(super) struct Extents {
    last_line: HashMap<u32, u32>,
}

impl Extents {
    /// The extents of `source`; none when it does not parse (or could not
    /// be parsed safely: the one guarded parse decides, as for linting).
    pub(super) fn of(source: &str) -> Extents {
        crate::parse::parse_file_with(source, |file| {
            let mut out = Extents::default();
            out.visit_file(&file);
            out
        })
        .unwrap_or_default()
    }

    /// The last line covered by a suppression aimed at `line`.
    pub(super) fn last_line(&self, line: u32) -> u32 {
        self.last_line.get(&line).copied().unwrap_or(line)
    }

    fn record(&mut self, first: TokenSpan, last: TokenSpan) {
        let (first, last) = (first.start().line as u32, last.end().line as u32);
        if last > first {
            let end = self.last_line.entry(first).or_insert(first);
            *end = (*end).max(last);
        }
    }

    /// An item: from its first attribute, and also from its `fn` (or
    /// visibility) line when attributes come first, to its end.
    fn record_fn(&mut self, whole: TokenSpan, vis: &syn::Visibility, sig: &syn::Signature) {
        self.record(whole, whole);
        let head = match vis {
            syn::Visibility::Inherited => sig.span(),
            _ => vis.span(),
        };
        self.record(head, whole);
    }
}

impl<'ast> Visit<'ast> for Extents {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        match item {
            syn::Item::Fn(f) => self.record_fn(item.span(), &f.vis, &f.sig),
            _ => self.record(item.span(), item.span()),
        }
        visit::visit_item(self, item);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        match item {
            syn::ImplItem::Fn(f) => self.record_fn(item.span(), &f.vis, &f.sig),
            _ => self.record(item.span(), item.span()),
        }
        visit::visit_impl_item(self, item);
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        self.record(item.span(), item.span());
        visit::visit_trait_item(self, item);
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        self.record(stmt.span(), stmt.span());
        visit::visit_stmt(self, stmt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_and_items_by_first_line() {
        let src = "#[inline]\npub fn f(con: &mut C) {\n    let a = con\n        .keys(\"*\");\n    g();\n}\n";
        let e = Extents::of(src);
        assert_eq!(e.last_line(1), 6, "from the attribute");
        assert_eq!(e.last_line(2), 6, "from the fn line");
        assert_eq!(e.last_line(3), 4, "the let statement");
        assert_eq!(e.last_line(5), 5, "one line");
    }

    #[test]
    fn unparsable_or_deep_files_have_no_extents() {
        assert_eq!(Extents::of("fn f( {\n  x\n}\n").last_line(1), 1);
        let depth = crate::parse::MAX_DEPTH + 1;
        let deep = format!(
            "fn f() {{\n{}{}\n}}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        assert_eq!(Extents::of(&deep).last_line(1), 1);
    }
}
