//! Where Lua scripts come from: string literals, `include_str!` of a `.lua`
//! file (read by the engine, relative to the Rust file as rustc reads it,
//! or to the crate root through `concat!(env!("CARGO_MANIFEST_DIR"), ..)`),
//! and statics declared inside `lazy_static! { .. }`.

use syn::parse::{Parse, ParseStream};
use syn::{Expr, Token};

use super::syntax::{macro_args, macro_name};
use super::Walker;
use crate::model::{IncludeBase, ScriptSource, ScriptText, Span};

/// The script `e` writes in place: a string literal, or `include_str!` of a
/// path written as a literal.
pub(super) fn script_source(e: &Expr) -> Option<ScriptSource> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Some(ScriptSource::Literal(script_text(lit))),
        Expr::Macro(m) if macro_name(&m.mac) == "include_str" => {
            let arg = macro_args(&m.mac.tokens)?.into_iter().next()?;
            let (path, base) = include_path(&arg)?;
            Some(ScriptSource::File {
                path,
                base,
                span: Span::of(syn::spanned::Spanned::span(e)),
            })
        }
        Expr::Reference(r) => script_source(&r.expr),
        Expr::Paren(p) => script_source(&p.expr),
        _ => None,
    }
}

/// A string literal as written, with its place.
pub(super) fn script_text(lit: &syn::LitStr) -> ScriptText {
    ScriptText {
        source: lit.token().to_string(),
        span: Span::of(lit.span()),
    }
}

/// The path `include_str!` reads: `"lua/x.lua"` (beside the Rust file) or
/// `concat!(env!("CARGO_MANIFEST_DIR"), "/lua/x.lua")` (under the crate).
fn include_path(arg: &Expr) -> Option<(String, IncludeBase)> {
    match arg {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Some((lit.value(), IncludeBase::RustFile)),
        Expr::Macro(m) if macro_name(&m.mac) == "concat" => {
            let parts = macro_args(&m.mac.tokens)?;
            let [Expr::Macro(env), Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(rest),
                ..
            })] = parts.as_slice()
            else {
                return None;
            };
            let var = macro_args(&env.mac.tokens)?.into_iter().next()?;
            let is_root = macro_name(&env.mac) == "env"
                && matches!(&var, Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(v), .. })
                    if v.value() == "CARGO_MANIFEST_DIR");
            is_root.then(|| {
                let path = rest.value().trim_start_matches(['/', '\\']).to_string();
                (path, IncludeBase::CrateRoot)
            })
        }
        _ => None,
    }
}

/// One `[pub] static ref NAME: Type = expr;` of a `lazy_static!` body.
struct LazyStatic(syn::ItemStatic);

impl Parse for LazyStatic {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis = input.parse()?;
        let static_token = input.parse()?;
        input.parse::<Token![ref]>()?;
        Ok(LazyStatic(syn::ItemStatic {
            attrs,
            vis,
            static_token,
            mutability: syn::StaticMutability::None,
            ident: input.parse()?,
            colon_token: input.parse()?,
            ty: input.parse()?,
            eq_token: input.parse()?,
            expr: input.parse()?,
            semi_token: input.parse()?,
        }))
    }
}

impl Walker {
    /// `lazy_static! { static ref S: Script = Script::new(..); }`: each
    /// static is walked as the plain static it stands for.
    pub(super) fn lazy_static(&mut self, mac: &syn::Macro) {
        let statics = mac.parse_body_with(|input: ParseStream| {
            let mut out = Vec::new();
            while !input.is_empty() {
                out.push(input.parse::<LazyStatic>()?);
            }
            Ok(out)
        });
        for LazyStatic(item) in statics.unwrap_or_default() {
            self.item(&syn::Item::Static(item));
        }
    }
}
