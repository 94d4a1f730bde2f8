//! Calls to crate fns and methods that may be helpers: the keys passed,
//! what the arguments are beyond their keys (a key type built in place, a
//! closure building a key), and where the call sits (loop, gates), so that
//! linking can put the commands a helper sends at the call.

use syn::Expr;

use super::facts::{ArgShape, CallSite, Callee, NamedArg, RawHelperCall, RawKey, Recv};
use super::syntax::{macro_name, plain_ident};
use super::types;
use super::value::Value;
use super::Walker;
use crate::model::Span;

impl Walker {
    /// Records a call of `name` (reaching `callee`) with its arguments and
    /// their keys.
    pub(super) fn note_helper_call(
        &mut self,
        name: String,
        callee: Callee,
        (args, keys): (&[&Expr], Vec<RawKey>),
        span: Span,
    ) {
        let shaped: Vec<(usize, ArgShape)> = args
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Some((i, self.arg_shape(a)?)))
            .collect();
        let mut mentions = Vec::new();
        keys.iter().for_each(|k| k.mentions(&mut mentions));
        for (_, shape) in &shaped {
            match shape {
                ArgShape::Built { fields, .. } => {
                    fields.iter().for_each(|(_, k)| k.mentions(&mut mentions))
                }
                ArgShape::KeyClosure { .. } => {}
            }
        }
        let named_args = args
            .iter()
            .enumerate()
            .filter_map(|(index, a)| {
                let name = plain_ident(a)?;
                let recv = self.lookup(&name).map(Value::recv).unwrap_or(Recv::Unknown);
                (recv != Recv::NotRedis).then_some(NamedArg { index, name, recv })
            })
            .collect();
        let site = self.call_site(span, &mentions);
        let (func, in_test) = (self.func(), self.in_test());
        self.facts.helper_calls.push(RawHelperCall {
            func,
            name,
            args: keys,
            in_test,
            site,
            callee,
            shaped,
            named_args,
        });
    }

    /// What a command written at this point would know about its place.
    fn call_site(&self, span: Span, mentions: &[String]) -> CallSite {
        let in_loop = self.loop_ctx(mentions);
        let cx = self.fns.last().expect("a fn context is always open");
        let mut gates = cx.gates.clone();
        gates.sort();
        gates.dedup();
        CallSite {
            span,
            seq: self.seq + 1,
            in_loop,
            loops: cx
                .loops
                .last()
                .map(|g| g.iter().map(|f| f.id).collect())
                .unwrap_or_default(),
            gates,
            block: cx.blocks.last().copied().unwrap_or(0),
            in_handler_closure: cx.handler_depth > 0,
        }
    }

    /// A key type built in place (`UserKey(id)`, `UserKey { id }`), or bound
    /// so by name before the call, or a closure returning a key; `None` for
    /// anything else.
    fn arg_shape(&mut self, e: &Expr) -> Option<ArgShape> {
        match e {
            Expr::Reference(r) => self.arg_shape(&r.expr),
            Expr::Paren(p) => self.arg_shape(&p.expr),
            // `k.clone()`: the same key value.
            Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => {
                self.arg_shape(&m.receiver)
            }
            // `let k = UserKey(id); cache.store(k, ..)`: the value bound
            // before the call (only a type built in place or a struct
            // literal is kept by name, so this cannot loop).
            Expr::Path(p) => {
                let name = p.path.get_ident()?.to_string();
                let bound = self.bound_literals.get(&name)?.clone();
                match &bound {
                    Expr::Call(_) | Expr::Struct(_) => self.arg_shape(&bound),
                    _ => None,
                }
            }
            Expr::Call(c) => {
                let ty = built_type(c)?;
                let fields = c
                    .args
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (i.to_string(), self.key_of(a)))
                    .collect();
                Some(ArgShape::Built { ty, fields })
            }
            Expr::Struct(s) => {
                let ty = types::path_segments(&s.path).pop()?;
                let fields = s
                    .fields
                    .iter()
                    .filter_map(|f| match &f.member {
                        syn::Member::Named(n) => Some((n.to_string(), self.key_of(&f.expr))),
                        syn::Member::Unnamed(_) => None,
                    })
                    .collect();
                Some(ArgShape::Built { ty, fields })
            }
            Expr::Closure(c) => self.key_closure(c),
            _ => None,
        }
    }

    /// `|id| format!("user:{id}")`: the key a closure returns, its
    /// parameters left as holes.
    fn key_closure(&mut self, c: &syn::ExprClosure) -> Option<ArgShape> {
        let params: Vec<String> = c
            .inputs
            .iter()
            .map(|p| match p {
                syn::Pat::Ident(i) => Some(i.ident.to_string()),
                syn::Pat::Type(t) => match &*t.pat {
                    syn::Pat::Ident(i) => Some(i.ident.to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect::<Option<_>>()?;
        let body = match &*c.body {
            Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
                syn::Stmt::Expr(e, None) => e,
                _ => return None,
            },
            other => other,
        };
        let Expr::Macro(m) = body else { return None };
        if !matches!(macro_name(&m.mac).as_str(), "format" | "concat") {
            return None;
        }
        // The closure's parameters shadow the caller's bindings.
        self.push_scope();
        for p in &params {
            self.bind(p.clone(), Value::Unknown);
        }
        let key = self.key_of(body);
        self.pop_scope();
        Some(ArgShape::KeyClosure { params, key })
    }
}

/// The type a call builds in place (`UserKey(id)`): a type's name called
/// with arguments, not a wrapper around the value (`Some(k)`, `Arc(k)`).
fn built_type(c: &syn::ExprCall) -> Option<String> {
    let Expr::Path(p) = &*c.func else { return None };
    let ty = types::path_segments(&p.path).pop()?;
    let wrapper = matches!(ty.as_str(), "Some" | "Ok" | "Err" | "Box" | "Arc");
    let type_name = ty.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    (type_name && !wrapper && !c.args.is_empty()).then_some(ty)
}

/// Whether a call builds a value of a named type (`UserKey(id)`).
pub(super) fn builds_type(c: &syn::ExprCall) -> bool {
    built_type(c).is_some()
}
