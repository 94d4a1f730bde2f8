//! Key templates: the literal, const, parameter and call parts of a key
//! expression.

use std::collections::HashMap;

use syn::Expr;

use super::facts::{KeySize, RawKey, RawPart, KEY_BOUND};
use super::syntax::{is_upper, larger_than, lit_str, macro_name, text};
use super::types;
use super::value::Value;
use super::{Walker, MAX_DEPTH};

/// Deepest nesting of expressions one key is read through (a call in a
/// call in a `format!`…). Real keys nest a few levels; the bound keeps
/// each reading of a key small, so the readings the walk makes at every
/// enclosing level add up to linear work.
const MAX_KEY_DEPTH: usize = 32;

/// Largest expression whose source becomes a hole's text (syntax nodes
/// plus identifier and literal bytes).
const MAX_HOLE_TEXT: usize = 1024;

/// A key template assembled piece by piece that stops growing, and stops
/// asking for more pieces, once past [`KEY_BOUND`].
#[derive(Default)]
struct KeyAcc {
    parts: Vec<RawPart>,
    size: KeySize,
    over: bool,
}

impl KeyAcc {
    fn push(&mut self, key: RawKey) {
        if self.over {
            return;
        }
        let size = key.size();
        self.size.parts += size.parts;
        self.size.bytes += size.bytes;
        if self.size.exceeds(KEY_BOUND) {
            self.over = true;
            self.parts = Vec::new();
        } else {
            self.parts.extend(key.0);
        }
    }

    fn finish(self, w: &mut Walker) -> RawKey {
        if self.over {
            w.too_complex()
        } else {
            RawKey(self.parts)
        }
    }
}
use crate::model::key::{parse_format, FormatPiece};

impl Walker {
    /// Keys of an argument that may be a collection (`&[a, b]`, `vec![..]`).
    pub(super) fn key_args(&mut self, e: &Expr) -> Vec<RawKey> {
        match e {
            Expr::Reference(r) => self.key_args(&r.expr),
            Expr::Paren(p) => self.key_args(&p.expr),
            Expr::Array(a) => a.elems.iter().map(|x| self.key_of(x)).collect(),
            Expr::Tuple(t) => t.elems.iter().map(|x| self.key_of(x)).collect(),
            Expr::Macro(m) if macro_name(&m.mac) == "vec" => self
                .in_macro(&m.mac.tokens, |w, items| {
                    items.iter().map(|x| w.key_of(x)).collect()
                })
                .unwrap_or_default(),
            _ => vec![self.key_of(e)],
        }
    }

    /// Keys of `&[(k, v), ..]`.
    pub(super) fn pair_keys(&mut self, e: &Expr) -> Vec<RawKey> {
        match e {
            Expr::Reference(r) => self.pair_keys(&r.expr),
            Expr::Array(a) => a.elems.iter().map(|item| self.pair_key(item)).collect(),
            Expr::Macro(m) if macro_name(&m.mac) == "vec" => self
                .in_macro(&m.mac.tokens, |w, items| {
                    items.iter().map(|item| w.pair_key(item)).collect()
                })
                .unwrap_or_default(),
            _ => vec![self.key_of(e)],
        }
    }

    /// The key of one `(k, v)` item.
    fn pair_key(&mut self, item: &Expr) -> RawKey {
        match item {
            Expr::Tuple(t) if !t.elems.is_empty() => self.key_of(&t.elems[0]),
            other => self.key_of(other),
        }
    }

    pub(super) fn key_of(&mut self, e: &Expr) -> RawKey {
        if self.depth >= MAX_DEPTH || self.key_depth >= MAX_KEY_DEPTH {
            return self.too_complex();
        }
        self.depth += 1;
        self.key_depth += 1;
        let key = self.key_of_inner(e);
        self.key_depth -= 1;
        self.depth -= 1;
        key
    }

    /// A key nothing is known about, distinct from every other one.
    pub(super) fn too_complex(&mut self) -> RawKey {
        self.too_complex += 1;
        RawKey(vec![RawPart::TooComplex(self.too_complex)])
    }

    /// `key`, or a too-complex key when it is past [`KEY_BOUND`].
    pub(super) fn bounded(&mut self, key: RawKey) -> RawKey {
        if key.size().exceeds(KEY_BOUND) {
            self.too_complex()
        } else {
            key
        }
    }

    /// The keys a script value collects (`.key(a).key(b)`), or one
    /// too-complex key once they are past [`KEY_BOUND`] together: each
    /// binding of the script holds its own list.
    pub(super) fn bounded_keys(&mut self, keys: Vec<RawKey>) -> Vec<RawKey> {
        let mut acc = KeyAcc::default();
        keys.iter().for_each(|k| acc.push(k.clone()));
        if acc.over {
            vec![self.too_complex()]
        } else {
            keys
        }
    }

    /// A hole standing for `e`, with its source as the text; a large
    /// expression is too complex instead (its text would be copied at
    /// every level of a deep nesting).
    fn hole_of(&mut self, e: &Expr) -> RawKey {
        if larger_than(e, MAX_HOLE_TEXT) {
            self.too_complex()
        } else {
            RawKey::hole(text(e))
        }
    }

    /// The key of a call to a fn that may build keys: the call with its
    /// arguments' keys.
    fn call_key<'e>(&mut self, name: String, args: impl Iterator<Item = &'e Expr>) -> RawKey {
        let args = args.map(|a| self.key_of(a)).collect();
        let key = RawKey(vec![RawPart::Call { name, args }]);
        self.bounded(key)
    }

    pub(super) fn key_of_inner(&mut self, e: &Expr) -> RawKey {
        match e {
            Expr::Lit(l) => match &l.lit {
                syn::Lit::Str(s) => {
                    self.note_url(s);
                    RawKey::lit(s.value())
                }
                syn::Lit::Int(i) => RawKey::lit(i.base10_digits()),
                _ => self.hole_of(e),
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
                    _ => self.hole_of(e),
                }
            }
            Expr::Macro(m) => match macro_name(&m.mac).as_str() {
                "format" => match self.in_macro(&m.mac.tokens, |w, args| w.format_key(&args)) {
                    Some(Some(key)) => key,
                    _ => self.hole_of(e),
                },
                "concat" => self
                    .in_macro(&m.mac.tokens, |w, args| {
                        let mut acc = KeyAcc::default();
                        for a in &args {
                            if acc.over {
                                break;
                            }
                            acc.push(w.key_of(a));
                        }
                        acc.finish(w)
                    })
                    .unwrap_or_else(|| self.hole_of(e)),
                _ => self.hole_of(e),
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
            Expr::MethodCall(mc) if matches!(&*mc.receiver, Expr::Path(p) if p.path.is_ident("self")) => {
                self.call_key(mc.method.to_string(), mc.args.iter())
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return self.hole_of(e);
                };
                let segs = types::path_segments(&p.path);
                let last = segs.last().cloned().unwrap_or_default();
                if (last == "from" || last == "to_string" || last == "new") && c.args.len() == 1 {
                    return self.key_of(&c.args[0]);
                }
                if last.chars().next().is_some_and(|ch| ch.is_lowercase()) {
                    return self.call_key(builder_name(&segs, last), c.args.iter());
                }
                self.hole_of(e)
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
                let left = self.key_of(&b.left);
                self.appended(left, &b.right)
            }
            _ => self.hole_of(e),
        }
    }

    /// The key of a `format!` argument; `?` when it is missing.
    fn key_of_arg(&mut self, arg: Option<&Expr>) -> RawKey {
        match arg {
            Some(a) => self.key_of(a),
            None => RawKey::hole("?"),
        }
    }

    /// `key` followed by the key of `tail` (`key + tail`, `key.push_str(tail)`).
    pub(super) fn appended(&mut self, key: RawKey, tail: &Expr) -> RawKey {
        let mut acc = KeyAcc::default();
        acc.push(key);
        if !acc.over {
            acc.push(self.key_of(tail));
        }
        acc.finish(self)
    }

    /// The key a `format!` builds, from its parsed arguments.
    pub(super) fn format_key(&mut self, args: &[Expr]) -> Option<RawKey> {
        let fmt = lit_str(args.first()?)?;
        let mut positional: Vec<&Expr> = Vec::new();
        let mut named: HashMap<String, &Expr> = HashMap::new();
        for a in &args[1..] {
            match a {
                Expr::Assign(asg) => {
                    if let Expr::Path(p) = &*asg.left {
                        if let Some(id) = p.path.get_ident() {
                            named.insert(id.to_string(), &asg.right);
                        }
                    }
                }
                other => positional.push(other),
            }
        }
        let mut acc = KeyAcc::default();
        let mut next = 0;
        for piece in parse_format(&fmt) {
            if acc.over {
                break;
            }
            let key = match piece {
                FormatPiece::Lit(s) => RawKey::lit(s),
                FormatPiece::Next => {
                    next += 1;
                    self.key_of_arg(positional.get(next - 1).copied())
                }
                FormatPiece::Index(i) => self.key_of_arg(positional.get(i).copied()),
                // An inline capture (`{id}`) names a binding.
                FormatPiece::Named(n) => match named.get(&n) {
                    Some(a) => self.key_of(a),
                    None => {
                        let captured = syn::parse_str::<Expr>(&n).ok();
                        self.key_of_arg(captured.as_ref())
                    }
                },
            };
            acc.push(key);
        }
        Some(acc.finish(self))
    }
}

/// The name a key builder is called by: `common::profile_key` keeps its
/// first segment, which may name another crate of the workspace (the link
/// looks there, and in the own crate when it names none: a local module
/// `keys::session_key`); `crate::`/`self::`/`super::` paths and plain
/// calls are the own crate's, by their last segment.
fn builder_name(segs: &[String], last: String) -> String {
    match segs {
        [first, _, ..] if !matches!(first.as_str(), "crate" | "self" | "super") => {
            format!("{first}::{last}")
        }
        _ => last,
    }
}
