//! Expressions: the evaluator's dispatch over expression kinds, closures
//! and key appends.

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit;
use syn::{Expr, Pat, Token};

use super::chain::CONNECT_METHODS;
use super::clients::{fred, pools, redis_rs};
use super::facts::{RawKey, Recv, Root};
use super::scope::LoopShape;
use super::syntax::{
    is_int_type, is_none, is_upper, lit_num, lit_str, macro_args, macro_name, pat_idents,
    plain_ident, single_ident, text,
};
use super::types;
use super::value::Value;
use super::{flow, Walker, MAX_DEPTH};
use crate::model::flow::UseKind;
use crate::model::{ExecRegion, LoopKind, Origin, RunsOn, Span};

#[derive(Clone, Copy)]
pub(super) enum ClosureKind {
    Iter,
    Init,
}

impl Walker {
    pub(super) fn eval(&mut self, e: &Expr) -> Value {
        // Expressions nested beyond any real code (generated `else if` or
        // index chains) would overflow the stack: stop looking deeper.
        if self.depth >= MAX_DEPTH {
            return Value::Unknown;
        }
        self.depth += 1;
        let value = self.eval_inner(e);
        self.depth -= 1;
        value
    }

    pub(super) fn eval_inner(&mut self, e: &Expr) -> Value {
        match e {
            Expr::Lit(l) => match &l.lit {
                syn::Lit::Str(s) => {
                    if s.value().starts_with("redis-cluster://")
                        || s.value().starts_with("rediss-cluster://")
                    {
                        self.facts.uses_cluster = true;
                    }
                    self.note_url(s);
                    Value::Key(RawKey::lit(s.value()))
                }
                _ => lit_num(e).map_or(Value::NotRedis, Value::Num),
            },
            Expr::Path(p) => self.eval_path(p),
            Expr::MethodCall(m) if m.method == "push_str" && m.args.len() == 1 => {
                self.append_to_key(&m.receiver, &m.args[0]);
                Value::Unknown
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::AddAssign(_)) => {
                self.append_to_key(&b.left, &b.right);
                Value::Unknown
            }
            Expr::MethodCall(_) | Expr::Await(_) | Expr::Try(_) | Expr::Field(_) => self.chain(e),
            Expr::Call(c) => {
                self.note_path_call(c);
                self.call(c)
            }
            Expr::Macro(m) => self.eval_macro(m, e),
            Expr::Reference(r) => self.eval(&r.expr),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Group(g) => self.eval(&g.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.eval(&u.expr),
            Expr::Cast(c) => self.eval(&c.expr),
            Expr::Block(b) => {
                self.block(&b.block);
                Value::Unknown
            }
            Expr::Unsafe(b) => {
                self.block(&b.block);
                Value::Unknown
            }
            Expr::Async(a) => {
                self.note_region(e, RunsOn::AsyncWorker);
                self.eval_async(a)
            }
            Expr::ForLoop(f) => self.eval_for(f),
            Expr::While(wh) => self.eval_while(wh),
            Expr::Loop(l) => self.eval_loop(l),
            Expr::Let(l) => self.eval_let(l),
            Expr::If(i) => self.eval_if(i),
            Expr::Match(m) => self.eval_match(m),
            Expr::Closure(c) => {
                if c.asyncness.is_some() {
                    self.note_region(e, RunsOn::AsyncWorker);
                }
                self.closure(c, None);
                Value::Unknown
            }
            Expr::Assign(a) => self.eval_assign(a),
            Expr::Binary(b)
                if matches!(b.op, syn::BinOp::Add(_)) && self.key_value(&b.left).is_some() =>
            {
                self.eval(&b.right);
                Value::Key(self.key_of(e))
            }
            Expr::Struct(s) => self.eval_struct(s),
            Expr::Index(_) => {
                // `doc["name"]`, `doc[0]["name"]`: a field of the binding.
                self.look_into(e, None);
                Value::Unknown
            }
            Expr::Array(_) | Expr::Tuple(_) | Expr::Range(_) | Expr::Repeat(_) => {
                visit::visit_expr(self, e);
                Value::NotRedis
            }
            _ => {
                visit::visit_expr(self, e);
                Value::Unknown
            }
        }
    }

    /// A path: a binding, a script static, or an UPPER_CASE const/static.
    pub(super) fn eval_path(&mut self, p: &syn::ExprPath) -> Value {
        let segs = types::path_segments(&p.path);
        segs.iter().for_each(|s| self.mark(s));
        if let [one] = segs.as_slice() {
            if self.looking_into == 0 {
                self.note_json_use(one, UseKind::Whole, String::new(), Span::of(p.span()));
            }
            if let Some(v) = self.lookup(one) {
                return v.clone();
            }
            if self.script_statics.contains(one) {
                return Value::Script(Vec::new());
            }
            if is_upper(one) {
                return Value::Global(one.clone());
            }
            return Value::Unknown;
        }
        match segs.last() {
            Some(last) if is_upper(last) => Value::Global(last.clone()),
            _ => Value::Unknown,
        }
    }

    /// `format!`/`concat!` build a key (and maybe a URL); other macros
    /// have their arguments walked.
    pub(super) fn eval_macro(&mut self, m: &syn::ExprMacro, e: &Expr) -> Value {
        let name = macro_name(&m.mac);
        if matches!(name.as_str(), "format" | "concat") {
            self.in_macro(&m.mac.tokens, |w, args| {
                w.note_inline_captures(args.first());
                // A URL built with `format!`: its literal parts can
                // still hold a password or a remote host.
                if let Some(Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                })) = args.first()
                {
                    w.note_url(s);
                }
                args.iter().skip(1).for_each(|a| {
                    w.eval(a);
                });
            });
            return Value::Key(self.key_of(e));
        }
        self.mac(&m.mac);
        // `warp::path!("users" / u64)` is a filter like `warp::path(..)`.
        let full = self.uses.expand(&types::path_segments(&m.mac.path));
        match full.first().is_some_and(|f| f == "warp") {
            true => Value::Router,
            false => Value::Unknown,
        }
    }

    /// `x = value` rebinds `x`; `cfg.default_command_timeout = d` sets fred's
    /// command timeout.
    pub(super) fn eval_assign(&mut self, a: &syn::ExprAssign) -> Value {
        self.note_field_assign(a);
        if let Expr::Field(f) = &*a.left {
            if text(&f.member) == "default_command_timeout" {
                fred::note_command_timeout(self, &a.right);
            }
        }
        let calls = self.facts.calls.len();
        let value = self.eval(&a.right);
        if let Expr::Path(p) = &*a.left {
            if let Some(id) = p.path.get_ident() {
                // `a = b = c` gives `a` the unit value of `b = c`: nothing
                // flows. Not scanning it keeps a chain of n linear.
                let sources = match &*a.right {
                    Expr::Assign(_) => Vec::new(),
                    right => self.flow_of(right, calls, true),
                };
                self.bind_flow(id.to_string(), sources);
                self.bind(id.to_string(), value);
                return Value::Unknown;
            }
        }
        self.eval(&a.left);
        Value::Unknown
    }

    /// A struct literal: which creation fills which field, and the client
    /// configs and options written as literals.
    pub(super) fn eval_struct(&mut self, s: &syn::ExprStruct) -> Value {
        // `Self { con }` / `Worker { con: client.get_..().await? }`:
        // which creation fills which field, for rules that need the
        // settings of a connection reached through `self.con`.
        let owner = match s.path.segments.last().map(|seg| seg.ident.to_string()) {
            Some(name) if name == "Self" => self.impl_type.clone(),
            name => name,
        };
        for f in &s.fields {
            self.struct_field(owner.as_deref(), f);
            if let syn::Member::Named(id) = &f.member {
                self.note_field_set(owner.clone(), id.to_string(), &f.expr);
            }
        }
        if let Some(rest) = &s.rest {
            self.note_default_rest(owner.clone(), rest);
            self.eval(rest);
        }
        let segs = types::path_segments(&s.path);
        let full = self.uses.expand(&segs);
        let last = segs.last().cloned().unwrap_or_default();
        self.note_db_struct(s, &full, &last);
        let client = pools::struct_literal(self, &full, &last)
            .or_else(|| redis_rs::struct_literal(s, &last));
        if let Some(value) = client {
            return value;
        }
        Value::Conn(Recv::Path {
            root: Root::Type {
                name: last,
                is_self: false,
            },
            ops: Vec::new(),
        })
    }

    /// A field of a struct literal; `owner` is the struct's name.
    fn struct_field(&mut self, owner: Option<&str>, f: &syn::FieldValue) {
        let creations_before = self.facts.creations.len();
        if let (Some(owner), syn::Member::Named(id)) = (owner, &f.member) {
            let func = self.func();
            let bound = plain_ident(&f.expr).and_then(|name| {
                self.facts
                    .creations
                    .iter()
                    .rposition(|c| c.func == func && c.binding.as_deref() == Some(name.as_str()))
            });
            if let Some(idx) = bound {
                self.facts
                    .field_creations
                    .push((owner.to_string(), id.to_string(), idx));
            }
        }
        if let syn::Member::Named(id) = &f.member {
            if !is_none(&f.expr) {
                self.mark(&id.to_string());
            }
            if id == "default_command_timeout" {
                fred::note_command_timeout(self, &f.expr);
            }
        }
        self.eval(&f.expr);
        if let (Some(owner), syn::Member::Named(id), true) = (
            &owner,
            &f.member,
            self.facts.creations.len() > creations_before,
        ) {
            let idx = self.facts.creations.len() - 1;
            self.facts
                .field_creations
                .push((owner.to_string(), id.to_string(), idx));
        }
    }

    /// Records where the code inside `e` runs, on the enclosing fn.
    fn note_region(&mut self, e: &Expr, runs_on: RunsOn) {
        let id = self.cx().id as usize;
        if let Some(f) = self.facts.fns.get_mut(id) {
            f.info.regions.push(ExecRegion {
                span: Span::of(e.span()),
                runs_on,
            });
        }
    }

    /// A call through a path: fred's connect step, or a blocking offload
    /// (`spawn_blocking(|| ..)`, `block_in_place(|| ..)`, `thread::spawn(..)`,
    /// actix `web::block(..)`) whose closure runs where blocking is allowed.
    fn note_path_call(&mut self, c: &syn::ExprCall) {
        let Expr::Path(p) = &*c.func else { return };
        let segs = types::path_segments(&p.path);
        self.note_default_call(&segs);
        // `ClientLike::init(&client)`: fred's connect step, called as a path.
        if segs.len() > 1
            && segs
                .last()
                .is_some_and(|s| CONNECT_METHODS.contains(&s.as_str()))
        {
            self.info().connects_client = true;
        }
        let offloads = match segs.as_slice() {
            [.., last]
                if matches!(
                    last.as_str(),
                    "spawn_blocking" | "block_in_place" | "block_on"
                ) =>
            {
                true
            }
            [.., module, last] => {
                (module == "thread" && (last == "spawn" || last == "scope"))
                    || (module == "web" && last == "block")
            }
            _ => false,
        };
        if offloads {
            self.note_offloaded(&c.args);
        }
    }

    /// Closures and futures handed to a blocking-thread offload, or to
    /// `block_on` (which runs the future on the calling, blocking thread).
    pub(super) fn note_offloaded(&mut self, args: &Punctuated<Expr, Token![,]>) {
        for arg in args {
            if matches!(arg, Expr::Closure(_) | Expr::Async(_)) {
                self.note_region(arg, RunsOn::BlockingThread);
            }
        }
    }

    /// Walks a closure. `items` binds its parameters as a loop's items (an
    /// iterator adapter); transactions bind them to a connection and a pipe.
    pub(super) fn closure(&mut self, c: &syn::ExprClosure, bindings: Option<Vec<Value>>) {
        self.push_scope();
        for (i, input) in c.inputs.iter().enumerate() {
            let value = match (&bindings, input) {
                (Some(values), _) if i < values.len() => values[i].clone(),
                (_, Pat::Type(pt)) => self.value_of_type(&pt.ty, Origin::Param),
                _ => Value::Unknown,
            };
            match single_ident(input) {
                Some(name) => self.bind(name, value),
                None => {
                    let mut names = Vec::new();
                    pat_idents(input, &mut names);
                    names.into_iter().for_each(|n| self.bind(n, Value::Unknown));
                }
            }
        }
        self.nest += 1;
        self.eval(&c.body);
        self.nest -= 1;
        self.pop_scope();
    }

    pub(super) fn walk_closure_args(
        &mut self,
        args: &Punctuated<Expr, Token![,]>,
        kind: ClosureKind,
    ) {
        for a in args {
            match (a, kind) {
                (Expr::Closure(c), ClosureKind::Iter) => {
                    let mut deps = Vec::new();
                    c.inputs.iter().for_each(|p| pat_idents(p, &mut deps));
                    let shape = LoopShape {
                        sleeps: flow::waits(None, Some(&c.body)),
                        counted: false,
                        per_item: false,
                    };
                    self.with_loop((LoopKind::IterClosure, shape), deps, |w| w.closure(c, None));
                }
                (_, ClosureKind::Init) => {
                    self.cx().init_depth += 1;
                    self.eval(a);
                    self.cx().init_depth -= 1;
                }
                _ => {
                    self.eval(a);
                }
            }
        }
    }

    /// `key.push_str(x)` / `key += x` on a binding that holds a key template.
    pub(super) fn append_to_key(&mut self, target: &Expr, tail: &Expr) {
        self.eval(tail);
        let Expr::Path(p) = target else {
            self.eval(target);
            return;
        };
        let Some(name) = p.path.get_ident().map(|i| i.to_string()) else {
            return;
        };
        if let Some(Value::Key(key)) = self.lookup(&name).cloned() {
            let key = self.appended(key, tail);
            // Update the binding where it lives, not in an inner block.
            if let Some(scope) = self
                .cx()
                .scopes
                .iter_mut()
                .rev()
                .find(|s| s.contains_key(&name))
            {
                scope.insert(name, Value::Key(key));
            }
        }
    }

    /// An expression whose type is evidently an integer.
    pub(super) fn is_int(&self, e: &Expr) -> bool {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(_),
                ..
            }) => true,
            Expr::Path(p) => p.path.get_ident().is_some_and(|id| {
                self.fns
                    .last()
                    .is_some_and(|cx| cx.ints.contains(&id.to_string()))
            }),
            Expr::MethodCall(m) => {
                m.args.is_empty() && matches!(m.method.to_string().as_str(), "len" | "count")
            }
            Expr::Cast(c) => is_int_type(&c.ty),
            Expr::Paren(p) => self.is_int(&p.expr),
            Expr::Reference(r) => self.is_int(&r.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => self.is_int(&u.expr),
            _ => false,
        }
    }

    /// `format!("{:05}", n)`, `format!("{n:+}")`, `format!("{:>8}", xs.len())`:
    /// an evident integer formatted with a width, fill, sign or `#`, so the
    /// text is no longer a canonical decimal (`00042`, `+7`, `    42`).
    pub(super) fn is_padded_int(&self, e: &Expr) -> bool {
        let Expr::Macro(m) = e else {
            return match e {
                Expr::Reference(r) => self.is_padded_int(&r.expr),
                Expr::Paren(p) => self.is_padded_int(&p.expr),
                _ => false,
            };
        };
        if macro_name(&m.mac) != "format" {
            return false;
        }
        let Some(args) = macro_args(&m.mac.tokens) else {
            return false;
        };
        let Some(fmt) = args.first().and_then(lit_str) else {
            return false;
        };
        let Some(inner) = fmt.strip_prefix('{').and_then(|r| r.strip_suffix('}')) else {
            return false;
        };
        if inner.contains(['{', '}']) {
            return false;
        }
        let (arg, spec) = inner.split_once(':').unwrap_or((inner, ""));
        let padded = spec
            .chars()
            .any(|c| c.is_ascii_digit() || "+#<>^".contains(c))
            && !spec.contains(['.', '$', 'x', 'X', 'o', 'b', 'e', 'E', '?']);
        if !padded {
            return false;
        }
        match (arg, args.len()) {
            ("" | "0", 2) => self.is_int(&args[1]),
            (name, 1) if !name.is_empty() => self
                .fns
                .last()
                .is_some_and(|cx| cx.ints.iter().any(|n| n == name)),
            _ => false,
        }
    }
}
