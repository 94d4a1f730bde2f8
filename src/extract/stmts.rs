//! Statements: blocks, `let` bindings, macros in statement position and
//! `select!` branches.

use proc_macro2::TokenStream;
use syn::{Expr, Pat, Stmt};

use super::facts::{RawKey, Recv};
use super::scope::FnCtx;
use super::syntax::{expr_idents, is_fn_path, is_int_type, macro_name, pat_idents, single_ident};
use super::types;
use super::value::{Tail, Value};
use super::{redis_modules, Walker};
use crate::model::{Origin, Swallow};

impl Walker {
    pub(super) fn block(&mut self, block: &syn::Block) {
        self.blocks += 1;
        let id = self.blocks;
        let gates = self.cx().gates.len();
        self.cx().blocks.push(id);
        self.push_scope();
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
        self.pop_scope();
        let cx = self.cx();
        cx.blocks.pop();
        // Gates added by early exits hold until the end of their block.
        cx.gates.truncate(gates);
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Local(local) => self.local(local),
            Stmt::Item(item) => {
                // A nested fn is its own fn; keep the enclosing context aside.
                let saved = std::mem::take(&mut self.fns);
                self.fns.push(FnCtx::new(0));
                self.item(item);
                self.fns = saved;
            }
            Stmt::Expr(e, semi) => {
                self.last_chain = None;
                self.eval(e);
                // `con.set(k, v).ok();`: the error is converted and dropped.
                let chain = matches!(e, Expr::MethodCall(_) | Expr::Await(_));
                if let (true, Some(_), Some((idx, Tail::Ok))) = (chain, semi, self.last_chain) {
                    self.facts.calls[idx].swallowed = Some(Swallow::OkStatement);
                }
            }
            Stmt::Macro(m) => self.mac(&m.mac),
        }
    }

    pub(super) fn local(&mut self, local: &syn::Local) {
        self.note_int_local(local);
        let Some(init) = &local.init else {
            let mut names = Vec::new();
            pat_idents(&local.pat, &mut names);
            names.into_iter().for_each(|n| self.bind(n, Value::Unknown));
            return;
        };
        if let Some(name) = single_ident(&local.pat) {
            self.note_bound_literal(name, &init.expr);
        }
        let creations_before = self.facts.creations.len();
        let calls_before = self.facts.calls.len();
        self.last_chain = None;
        let mut value = self.eval(&init.expr);
        let sources = self.flow_of(&init.expr, calls_before, true);
        // `let _ = con.set(k, v);`, `let _: Option<()> = con.set(k, v).ok();`:
        // the `Result` is dropped unread.
        let is_chain = matches!(&*init.expr, Expr::MethodCall(_) | Expr::Await(_));
        let wild = match &local.pat {
            Pat::Wild(_) => true,
            Pat::Type(pt) => matches!(&*pt.pat, Pat::Wild(_)),
            _ => false,
        };
        if let (true, true, Some((idx, Tail::Nothing | Tail::Ok))) =
            (wild, is_chain, self.last_chain)
        {
            self.facts.calls[idx].swallowed = Some(Swallow::LetUnderscore);
        }
        if let Some((_, diverge)) = &init.diverge {
            self.eval(diverge);
        }
        if matches!(value, Value::Unknown | Value::NotRedis) {
            if let Some(key) = self.key_value(&init.expr) {
                value = Value::Key(key);
            }
        }
        // An explicit type annotation says more than the initialiser.
        if let Pat::Type(pt) = &local.pat {
            self.note_typed_default(&pt.ty, &init.expr);
            value = self.annotated(&pt.ty, value);
        }
        let mut names = Vec::new();
        pat_idents(&local.pat, &mut names);
        for n in &names {
            self.bind_flow(n.clone(), sources.clone());
        }
        if self.in_loop() {
            let mut from = Vec::new();
            self.key_of(&init.expr).mentions(&mut from);
            expr_idents(&init.expr, &mut from);
            self.propagate_loop_deps(&names, &from);
        }
        if let Value::RawCmd(idx) | Value::PipeCmd(_, idx) = value {
            self.facts.calls[idx].bound = true;
        }
        // `let _ = client.get_connection()?;` connects and drops at once (a
        // readiness probe): the name `_` says no command runs on it.
        let bound = single_ident(&local.pat).or_else(|| wild.then(|| "_".to_string()));
        if let Some(name) = bound {
            if self.facts.creations.len() > creations_before {
                // A creation bound by an inner `let` (in a closure or block
                // of the initialiser) keeps that name.
                if let Some(c) = self
                    .facts
                    .creations
                    .last_mut()
                    .filter(|c| c.binding.is_none())
                {
                    c.binding = Some(name);
                }
            }
        }
        self.bind_pattern(&local.pat, value);
    }

    /// Struct literals, arrays, `vec![..]` and schemas bound by name, so a
    /// module command's options read the same passed by name as inline.
    fn note_bound_literal(&mut self, name: String, init: &Expr) {
        match init {
            Expr::Struct(_) | Expr::Array(_) => {
                self.bound_literals.insert(name, init.clone());
            }
            // `vec![..]` option lists; redis-rs `schema! { .. }` and
            // `SearchSchema::new(..).insert(..)` schemas.
            Expr::Macro(m) if matches!(macro_name(&m.mac).as_str(), "vec" | "schema") => {
                self.bound_literals.insert(name, init.clone());
            }
            Expr::MethodCall(_) | Expr::Call(_) if redis_modules::is_schema_chain(init) => {
                self.bound_literals.insert(name, init.clone());
            }
            // A key type built by name (`let k = UserKey(id)`), for the
            // helper it is passed to.
            Expr::Call(c) if super::helper_calls::builds_type(c) => {
                self.bound_literals.insert(name, init.clone());
            }
            _ => {
                self.bound_literals.remove(&name);
            }
        }
    }

    /// The value of a `let x: T = init`, given the initialiser's value.
    fn annotated(&self, ty: &syn::Type, value: Value) -> Value {
        let typed = self.value_of_type(ty, Origin::Local);
        match (typed, value) {
            (
                Value::Conn(Recv::Known { lib, kind, .. }),
                Value::Conn(Recv::Known { origin, cloned, .. }),
            ) => Value::Conn(Recv::Known {
                lib,
                kind,
                origin,
                cloned,
            }),
            (Value::NotRedis, Value::FnResult(_, key)) => Value::Key(key),
            (Value::NotRedis, Value::Unknown | Value::Conn(_) | Value::Global(_)) => {
                Value::NotRedis
            }
            (Value::NotRedis, v) => v,
            (typed @ Value::Conn(Recv::Path { .. }), Value::Unknown | Value::FnResult(..)) => typed,
            (Value::Conn(Recv::Path { .. }), v) => v,
            (typed, _) => typed,
        }
    }

    /// A `let` initialiser that builds a string key (format!, a literal, a
    /// key-builder call) binds a key template.
    pub(super) fn key_value(&mut self, e: &Expr) -> Option<RawKey> {
        match e {
            Expr::Macro(m) if matches!(macro_name(&m.mac).as_str(), "format" | "concat") => {
                Some(self.key_of(e))
            }
            Expr::Lit(l) if matches!(l.lit, syn::Lit::Str(_)) => Some(self.key_of(e)),
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else { return None };
                let last = p.path.segments.last()?.ident.to_string();
                if last == "from" && c.args.len() == 1 {
                    return self.key_value(&c.args[0]);
                }
                let _ = last;
                is_fn_path(&types::path_segments(&p.path)).then(|| self.key_of(e))
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => Some(self.key_of(e)),
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && ["to_string", "to_owned", "clone", "into"]
                        .contains(&m.method.to_string().as_str()) =>
            {
                self.key_value(&m.receiver)
            }
            Expr::Reference(r) => self.key_value(&r.expr),
            _ => None,
        }
    }

    /// `let n: u64 = ..` or `let n = 3` / `xs.len()`: `n` holds an integer.
    pub(super) fn note_int_local(&mut self, local: &syn::Local) {
        let (pat, ty) = match &local.pat {
            Pat::Type(pt) => (&*pt.pat, Some(&*pt.ty)),
            pat => (pat, None),
        };
        let Some(name) = single_ident(pat) else {
            return;
        };
        let int = match (ty, &local.init) {
            (Some(ty), _) => is_int_type(ty),
            (None, Some(init)) => self.is_int(&init.expr),
            (None, None) => false,
        };
        let ints = &mut self.cx().ints;
        if int {
            ints.push(name);
        } else {
            // A shadowing binding of another type.
            ints.retain(|n| *n != name);
        }
    }

    pub(super) fn mac(&mut self, mac: &syn::Macro) {
        let name = macro_name(mac);
        if name == "select" {
            self.select_branches(&mac.tokens);
            return;
        }
        // rocket's `routes![handlers::get_item, ..]` mounts handlers.
        if name == "routes" {
            self.in_macro(&mac.tokens, |w, args| w.route_args(&args));
            return;
        }
        self.in_macro(&mac.tokens, |w, args| {
            w.note_inline_captures(args.first());
            // println!/assert!/vec!/join!: their arguments are expressions.
            if name != "cmd" {
                for a in &args {
                    w.eval(a);
                }
            }
        });
    }

    /// A future that may be dropped before it completes. A command whose
    /// future is handed over as is (`timeout(d, con.get(k))`) is async even
    /// without `.await`.
    pub(super) fn eval_cancellable(&mut self, fut: &Expr) {
        self.cancel_depth += 1;
        self.last_chain = None;
        self.eval(fut);
        if matches!(fut, Expr::MethodCall(_)) {
            if let Some((idx, Tail::Nothing)) = self.last_chain {
                self.facts.calls[idx].awaited = true;
            }
        }
        self.cancel_depth -= 1;
    }

    /// `tokio::select! { pat = fut => handler, .. }` (also `futures::select!`):
    /// the branch futures that lose the race are dropped, so they are
    /// walked as cancellable; handlers run to completion. Read from the
    /// tokens: `biased;`, `, if guard` and `else =>` are skipped; a branch
    /// that does not parse as an expression is not walked.
    pub(super) fn select_branches(&mut self, tokens: &TokenStream) {
        use proc_macro2::{Delimiter, Spacing, TokenTree};
        let tts: Vec<TokenTree> = tokens.clone().into_iter().collect();
        let punct =
            |i: usize, c: char| matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
        // `=>` is a joint `=` followed by `>`.
        let arrow = |i: usize| {
            matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '=' && p.spacing() == Spacing::Joint)
                && punct(i + 1, '>')
        };
        let lone_eq = |i: usize| {
            matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '=' && p.spacing() == Spacing::Alone)
                && !punct(i.wrapping_sub(1), '=')
                && !punct(i.wrapping_sub(1), '!')
                && !punct(i.wrapping_sub(1), '<')
                && !punct(i.wrapping_sub(1), '>')
        };
        let parse = |range: &[TokenTree]| syn::parse2::<Expr>(range.iter().cloned().collect()).ok();
        let mut i = 0;
        while i < tts.len() {
            // `biased;`
            if matches!(&tts[i], TokenTree::Ident(id) if id == "biased") && punct(i + 1, ';') {
                i += 2;
                continue;
            }
            // The pattern, up to `=` (a branch) or `=>` (`else`).
            let mut j = i;
            while j < tts.len() && !lone_eq(j) && !arrow(j) {
                j += 1;
            }
            if j >= tts.len() {
                break;
            }
            if lone_eq(j) {
                // The future, up to `=>` or `, if guard =>`.
                let start = j + 1;
                let mut k = start;
                while k < tts.len()
                    && !arrow(k)
                    && !(punct(k, ',')
                        && matches!(tts.get(k + 1), Some(TokenTree::Ident(id)) if id == "if"))
                {
                    k += 1;
                }
                if let Some(fut) = parse(&tts[start..k]) {
                    self.eval_cancellable(&fut);
                }
                while k < tts.len() && !arrow(k) {
                    k += 1;
                }
                j = k;
            }
            // The handler: a block, or an expression up to the next `,`.
            let start = j + 2;
            let mut k = start;
            if matches!(tts.get(k), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
            {
                k += 1;
            } else {
                while k < tts.len() && !punct(k, ',') {
                    k += 1;
                }
            }
            if let Some(handler) = parse(&tts[start.min(tts.len())..k.min(tts.len())]) {
                self.eval(&handler);
            }
            i = if punct(k, ',') { k + 1 } else { k };
        }
    }
}
