//! Key templates: the literal, const, parameter and call parts of a key
//! expression.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use syn::Expr;

use super::facts::{RawKey, RawPart};
use super::syntax::{is_upper, lit_str, macro_args, macro_name, text};
use super::types;
use super::value::Value;
use super::{Walker, MAX_DEPTH};
use crate::model::key::{parse_format, FormatPiece};

impl Walker {
    /// Keys of an argument that may be a collection (`&[a, b]`, `vec![..]`).
    pub(super) fn key_args(&mut self, e: &Expr) -> Vec<RawKey> {
        match e {
            Expr::Reference(r) => self.key_args(&r.expr),
            Expr::Paren(p) => self.key_args(&p.expr),
            Expr::Array(a) => a.elems.iter().map(|x| self.key_of(x)).collect(),
            Expr::Tuple(t) => t.elems.iter().map(|x| self.key_of(x)).collect(),
            Expr::Macro(m) if macro_name(&m.mac) == "vec" => {
                let items = macro_args(&m.mac.tokens).unwrap_or_default();
                items.iter().map(|x| self.key_of(x)).collect()
            }
            _ => vec![self.key_of(e)],
        }
    }

    /// Keys of `&[(k, v), ..]`.
    pub(super) fn pair_keys(&mut self, e: &Expr) -> Vec<RawKey> {
        let items: Vec<Expr> = match e {
            Expr::Reference(r) => return self.pair_keys(&r.expr),
            Expr::Array(a) => a.elems.iter().cloned().collect(),
            Expr::Macro(m) if macro_name(&m.mac) == "vec" => {
                macro_args(&m.mac.tokens).unwrap_or_default()
            }
            _ => return vec![self.key_of(e)],
        };
        items
            .iter()
            .map(|item| match item {
                Expr::Tuple(t) if !t.elems.is_empty() => self.key_of(&t.elems[0]),
                other => self.key_of(other),
            })
            .collect()
    }

    pub(super) fn key_of(&mut self, e: &Expr) -> RawKey {
        if self.depth >= MAX_DEPTH {
            return RawKey::hole("…");
        }
        self.depth += 1;
        let key = self.key_of_inner(e);
        self.depth -= 1;
        key
    }

    pub(super) fn key_of_inner(&mut self, e: &Expr) -> RawKey {
        match e {
            Expr::Lit(l) => match &l.lit {
                syn::Lit::Str(s) => {
                    self.note_url(s);
                    RawKey::lit(s.value())
                }
                syn::Lit::Int(i) => RawKey::lit(i.base10_digits()),
                _ => RawKey::hole(text(e)),
            },
            Expr::Reference(r) => self.key_of(&r.expr),
            Expr::Paren(p) => self.key_of(&p.expr),
            Expr::Group(g) => self.key_of(&g.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.key_of(&u.expr),
            Expr::Path(p) => {
                let segs = types::path_segments(&p.path);
                if let [one] = segs.as_slice() {
                    match self.lookup(one) {
                        Some(Value::Key(k)) => return k.clone(),
                        Some(Value::Global(g)) => return RawKey(vec![RawPart::Const(g.clone())]),
                        Some(Value::FnResult(_, k)) => return k.clone(),
                        Some(_) => return RawKey::hole(one.clone()),
                        None => {}
                    }
                }
                match segs.last() {
                    Some(last) if is_upper(last) => RawKey(vec![RawPart::Const(last.clone())]),
                    _ => RawKey::hole(text(e)),
                }
            }
            Expr::Macro(m) => match macro_name(&m.mac).as_str() {
                "format" => self
                    .format_key(&m.mac.tokens)
                    .unwrap_or_else(|| RawKey::hole(text(e))),
                "concat" => {
                    let args = macro_args(&m.mac.tokens).unwrap_or_default();
                    RawKey(args.iter().flat_map(|a| self.key_of(a).0).collect())
                }
                _ => RawKey::hole(text(e)),
            },
            Expr::MethodCall(mc)
                if mc.args.is_empty()
                    && [
                        "to_string",
                        "to_owned",
                        "as_str",
                        "clone",
                        "as_ref",
                        "into",
                        "as_bytes",
                        "borrow",
                    ]
                    .contains(&mc.method.to_string().as_str()) =>
            {
                self.key_of(&mc.receiver)
            }
            Expr::MethodCall(mc) if matches!(&*mc.receiver, Expr::Path(p) if p.path.is_ident("self")) =>
            {
                let args = mc.args.iter().map(|a| self.key_of(a)).collect();
                RawKey(vec![RawPart::Call {
                    name: mc.method.to_string(),
                    args,
                }])
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return RawKey::hole(text(e));
                };
                let segs = types::path_segments(&p.path);
                let last = segs.last().cloned().unwrap_or_default();
                if (last == "from" || last == "to_string" || last == "new") && c.args.len() == 1 {
                    return self.key_of(&c.args[0]);
                }
                if last.chars().next().is_some_and(|ch| ch.is_lowercase()) {
                    let args = c.args.iter().map(|a| self.key_of(a)).collect();
                    return RawKey(vec![RawPart::Call { name: last, args }]);
                }
                RawKey::hole(text(e))
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
                let mut k = self.key_of(&b.left);
                k.0.extend(self.key_of(&b.right).0);
                k
            }
            _ => RawKey::hole(text(e)),
        }
    }

    pub(super) fn format_key(&mut self, tokens: &TokenStream) -> Option<RawKey> {
        let args = macro_args(tokens)?;
        let fmt = lit_str(args.first()?)?;
        let mut positional = Vec::new();
        let mut named = HashMap::new();
        for a in &args[1..] {
            match a {
                Expr::Assign(asg) => {
                    if let Expr::Path(p) = &*asg.left {
                        if let Some(id) = p.path.get_ident() {
                            named.insert(id.to_string(), (*asg.right).clone());
                        }
                    }
                }
                other => positional.push(other.clone()),
            }
        }
        let mut parts = Vec::new();
        let mut next = 0;
        for piece in parse_format(&fmt) {
            let arg = match piece {
                FormatPiece::Lit(s) => {
                    parts.push(RawPart::Lit(s));
                    continue;
                }
                FormatPiece::Next => {
                    next += 1;
                    positional.get(next - 1).cloned()
                }
                FormatPiece::Index(i) => positional.get(i).cloned(),
                FormatPiece::Named(n) => named
                    .get(&n)
                    .cloned()
                    .or_else(|| syn::parse_str::<Expr>(&n).ok()),
            };
            match arg {
                Some(a) => parts.extend(self.key_of(&a).0),
                None => parts.push(RawPart::Hole("?".into())),
            }
        }
        Some(RawKey(parts))
    }
}
