//! Syntax helpers: literals, patterns, paths, macros and method chains
//! read straight from the syntax tree, with no walker state.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Expr, ExprMethodCall, Pat, Token};

use crate::model::key::{parse_format, FormatPiece};

pub(super) fn text(tokens: &impl ToTokens) -> String {
    let mut s = tokens.to_token_stream().to_string();
    s.retain(|c| !c.is_whitespace());
    s
}

pub(super) fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let path = a.path();
        let last = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if last == "test" || last == "bench" || last == "rstest" {
            return true;
        }
        if path.is_ident("cfg") {
            return a.parse_args::<syn::Meta>().is_ok_and(|m| cfg_is_test(&m));
        }
        false
    })
}

/// Whether code under `#[cfg(predicate)]` is only built for tests: `test`,
/// a feature named for testing (`test-utils`, `redis-integration-tests`),
/// `all(..)` with one such part (`all(test, feature = "x")`), `any(..)`
/// whose every part is (`any(test, feature = "mocks")`, `any(test,
/// madsim)`). `any(test, feature = "server")` is also built for
/// production; `not(..)` never means test.
fn cfg_is_test(meta: &syn::Meta) -> bool {
    let nested = |list: &syn::MetaList| {
        list.parse_args_with(Punctuated::<syn::Meta, Token![,]>::parse_terminated)
            .map(|p| p.into_iter().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    match meta {
        syn::Meta::Path(p) => p.get_ident().is_some_and(|i| {
            matches!(
                i.to_string().as_str(),
                "test" | "madsim" | "loom" | "fuzzing"
            )
        }),
        syn::Meta::NameValue(nv) if nv.path.is_ident("feature") => match &nv.value {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => is_test_feature(&s.value()),
            _ => false,
        },
        syn::Meta::NameValue(_) => false,
        syn::Meta::List(list) if list.path.is_ident("all") => nested(list).iter().any(cfg_is_test),
        syn::Meta::List(list) if list.path.is_ident("any") => {
            let parts = nested(list);
            !parts.is_empty() && parts.iter().all(cfg_is_test)
        }
        syn::Meta::List(_) => false,
    }
}

/// A Cargo feature that only tests turn on, by its name.
fn is_test_feature(name: &str) -> bool {
    name.split(['-', '_']).any(|w| {
        let w = w.to_ascii_lowercase();
        w.starts_with("test") || w.starts_with("mock") || w.starts_with("fixture")
    })
}

pub(super) fn pat_idents(pat: &Pat, out: &mut Vec<String>) {
    match pat {
        Pat::Ident(p) => out.push(p.ident.to_string()),
        Pat::Tuple(t) => t.elems.iter().for_each(|p| pat_idents(p, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| pat_idents(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| pat_idents(&f.pat, out)),
        Pat::Reference(r) => pat_idents(&r.pat, out),
        Pat::Type(t) => pat_idents(&t.pat, out),
        Pat::Slice(s) => s.elems.iter().for_each(|p| pat_idents(p, out)),
        Pat::Or(o) => o.cases.iter().for_each(|p| pat_idents(p, out)),
        Pat::Paren(p) => pat_idents(&p.pat, out),
        _ => {}
    }
}

/// The single identifier a pattern binds, seeing through `mut`, `Ok(..)`,
/// `Some(..)`, `State(..)` and type ascriptions.
pub(super) fn single_ident(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(p) => Some(p.ident.to_string()),
        Pat::Type(t) => single_ident(&t.pat),
        Pat::TupleStruct(t) if t.elems.len() == 1 => single_ident(&t.elems[0]),
        Pat::Reference(r) => single_ident(&r.pat),
        Pat::Paren(p) => single_ident(&p.pat),
        _ => None,
    }
}

pub(super) fn lit_str(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => Some(s.value()),
            _ => None,
        },
        Expr::Reference(r) => lit_str(&r.expr),
        Expr::Paren(p) => lit_str(&p.expr),
        Expr::Group(g) => lit_str(&g.expr),
        _ => None,
    }
}

pub(super) fn lit_num(e: &Expr) -> Option<f64> {
    match e {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Int(i) => i.base10_digits().parse().ok(),
            syn::Lit::Float(f) => f.base10_digits().parse().ok(),
            _ => None,
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => lit_num(&u.expr).map(|n| -n),
        Expr::Cast(c) => lit_num(&c.expr),
        Expr::Paren(p) => lit_num(&p.expr),
        Expr::Group(g) => lit_num(&g.expr),
        _ => None,
    }
}

/// The elements of `[..]`, `&[..]` or `vec![..]`.
pub(super) fn literal_list(e: &Expr) -> Option<Vec<Expr>> {
    match e {
        Expr::Reference(r) => literal_list(&r.expr),
        Expr::Paren(p) => literal_list(&p.expr),
        Expr::Array(a) => Some(a.elems.iter().cloned().collect()),
        Expr::Macro(m) if macro_name(&m.mac) == "vec" => macro_args(&m.mac.tokens),
        _ => None,
    }
}

pub(super) fn is_none(e: &Expr) -> bool {
    matches!(e, Expr::Path(p) if p.path.is_ident("None"))
}

pub(super) fn is_upper(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_ascii_lowercase())
}

/// Parses a function-like macro's tokens as comma-separated expressions.
pub(super) fn macro_args(tokens: &TokenStream) -> Option<Vec<Expr>> {
    syn::parse::Parser::parse2(
        Punctuated::<Expr, Token![,]>::parse_terminated,
        tokens.clone(),
    )
    .ok()
    .map(|p| p.into_iter().collect())
}

pub(super) fn macro_name(mac: &syn::Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// Splits a chain like `self.pool.get().await?.clone()` into its root and
/// links, root first.
/// The expression under `.await`, `?`, parentheses and references.
pub(super) fn strip_await(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Await(a) => &a.base,
            Expr::Try(t) => &t.expr,
            Expr::Paren(p) => &p.expr,
            Expr::Reference(r) => &r.expr,
            _ => return e,
        };
    }
}

/// A link of a method chain, from the root outwards.
pub(super) enum Link<'a> {
    Method(&'a ExprMethodCall),
    Await,
    Try,
    Field(&'a syn::Member),
}

pub(super) fn flatten(mut e: &Expr) -> (&Expr, Vec<Link<'_>>) {
    let mut links = Vec::new();
    loop {
        match e {
            Expr::MethodCall(m) => {
                links.push(Link::Method(m));
                e = &m.receiver;
            }
            Expr::Await(a) => {
                links.push(Link::Await);
                e = &a.base;
            }
            Expr::Try(t) => {
                links.push(Link::Try);
                e = &t.expr;
            }
            Expr::Field(f) => {
                links.push(Link::Field(&f.member));
                e = &f.base;
            }
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            Expr::Reference(r) => e = &r.expr,
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => e = &u.expr,
            _ => break,
        }
    }
    links.reverse();
    (e, links)
}

/// The variable a command runs on: `con` in `con.get(..)`, `&mut con`,
/// `&mut *con`.
pub(super) fn plain_ident(e: &Expr) -> Option<String> {
    match e {
        Expr::Reference(r) => plain_ident(&r.expr),
        Expr::Paren(p) => plain_ident(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => plain_ident(&u.expr),
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

/// `u64`, `usize`, `i32`, … (also behind `&`).
pub(super) fn is_int_type(ty: &syn::Type) -> bool {
    let t = text(ty).replace(['&', ' '], "");
    matches!(
        t.as_str(),
        "u8" | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
    )
}

/// Identifiers an expression mentions (tokens, including macro arguments).
pub(super) fn expr_idents(e: &Expr, out: &mut Vec<String>) {
    token_idents(e.to_token_stream(), out);
}

/// Identifiers in a token stream, with inline format captures (`"{id}"`).
pub(super) fn token_idents(tokens: TokenStream, out: &mut Vec<String>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => token_idents(g.stream(), out),
            proc_macro2::TokenTree::Literal(l) => {
                let s = l.to_string();
                if s.starts_with('"') {
                    for piece in parse_format(s.trim_matches('"')) {
                        if let FormatPiece::Named(n) = piece {
                            out.push(n);
                        }
                    }
                }
            }
            proc_macro2::TokenTree::Punct(_) => {}
        }
    }
}

/// The value halves of `(field, value)` pairs: a tuple, or a slice, array
/// or `vec!` of tuples.
pub(super) fn pair_values<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Tuple(t) if t.elems.len() == 2 => out.push(&t.elems[1]),
        Expr::Array(a) => a.elems.iter().for_each(|x| pair_values(x, out)),
        Expr::Reference(r) => pair_values(&r.expr, out),
        Expr::Paren(p) => pair_values(&p.expr, out),
        _ => {}
    }
}

/// A path to a free fn of the crate (`key_for(..)`, `keys::user(..)`), not
/// an associated fn of a type (`HashMap::new()`).
pub(super) fn is_fn_path(segs: &[String]) -> bool {
    let lower = |s: &String| s.chars().next().is_some_and(|c| c.is_lowercase());
    segs.len() <= 3 && segs.iter().all(lower)
}

/// Whether `e` is larger than `budget`, counting syntax nodes and the
/// bytes of identifiers and literals. Stops counting once over, so the
/// answer costs at most `budget` steps however large `e` is.
pub(super) fn larger_than(e: &Expr, budget: usize) -> bool {
    let mut size = Size { left: budget };
    size.visit_expr(e);
    size.left == 0
}

struct Size {
    left: usize,
}

impl Size {
    /// Takes `n` from the budget; false once it is spent.
    fn take(&mut self, n: usize) -> bool {
        self.left = self.left.saturating_sub(n.max(1));
        self.left > 0
    }

    fn tokens(&mut self, tokens: TokenStream) {
        for t in tokens {
            let more = match t {
                proc_macro2::TokenTree::Group(g) => {
                    self.take(1) && {
                        self.tokens(g.stream());
                        self.left > 0
                    }
                }
                proc_macro2::TokenTree::Ident(i) => self.take(i.to_string().len()),
                proc_macro2::TokenTree::Literal(l) => self.take(l.to_string().len()),
                proc_macro2::TokenTree::Punct(_) => self.take(1),
            };
            if !more {
                return;
            }
        }
    }
}

impl<'ast> Visit<'ast> for Size {
    fn visit_expr(&mut self, e: &'ast Expr) {
        if self.take(1) {
            visit::visit_expr(self, e);
        }
    }

    fn visit_type(&mut self, t: &'ast syn::Type) {
        if self.take(1) {
            visit::visit_type(self, t);
        }
    }

    fn visit_pat(&mut self, p: &'ast Pat) {
        if self.take(1) {
            visit::visit_pat(self, p);
        }
    }

    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        if self.take(1) {
            visit::visit_stmt(self, s);
        }
    }

    fn visit_path_segment(&mut self, s: &'ast syn::PathSegment) {
        if self.take(1) {
            visit::visit_path_segment(self, s);
        }
    }

    fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
        self.take(i.to_string().len());
    }

    fn visit_lit(&mut self, l: &'ast syn::Lit) {
        self.take(l.to_token_stream().to_string().len());
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if self.take(1) {
            visit::visit_path(self, &m.path);
            self.tokens(m.tokens.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_test_attr;

    fn test_code(attr: &str) -> bool {
        let item: syn::ItemFn = syn::parse_str(&format!("{attr} fn f() {{}}")).unwrap();
        is_test_attr(&item.attrs)
    }

    #[test]
    fn cfg_predicates_that_gate_test_code() {
        assert!(test_code("#[cfg(test)]"));
        assert!(test_code("#[cfg(all(test, not(madsim)))]"));
        assert!(test_code(
            "#[cfg(all(test, feature = \"redis-integration-tests\"))]"
        ));
        assert!(test_code("#[cfg(any(test, feature = \"test-utils\"))]"));
        assert!(test_code("#[cfg(any(test, madsim))]"));
        assert!(test_code("#[cfg(feature = \"testing\")]"));
        assert!(!test_code("#[cfg(not(test))]"));
        assert!(!test_code("#[cfg(any(test, feature = \"sources-redis\"))]"));
        assert!(!test_code("#[cfg(feature = \"cluster\")]"));
        assert!(!test_code("#[cfg(unix)]"));
    }
}
