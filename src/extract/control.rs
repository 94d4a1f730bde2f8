//! Control flow: loops (and the retries they make), `if`, `match`,
//! `if let` and `async` blocks.

use syn::visit::Visit;
use syn::Expr;

use super::flow::{self, EarlyExit};
use super::optional;
use super::scope::LoopShape;
use super::syntax::pat_idents;
use super::value::{Tail, Value};
use super::Walker;
use crate::model::{LoopKind, NodePath, Swallow};

impl Walker {
    /// An `async` block runs elsewhere: loops around it do not repeat it.
    pub(super) fn eval_async(&mut self, a: &syn::ExprAsync) -> Value {
        self.cx().loops.push(Vec::new());
        self.nest += 1;
        self.block(&a.block);
        self.nest -= 1;
        self.cx().loops.pop();
        Value::Unknown
    }

    /// A `for` loop: one round per item, the item's identity carried by
    /// the bindings derived from it (unless the loop stops at a first match).
    pub(super) fn eval_for(&mut self, f: &syn::ExprForLoop) -> Value {
        self.eval(&f.expr);
        let mut deps = Vec::new();
        pat_idents(&f.pat, &mut deps);
        let mut exit = EarlyExit::default();
        exit.visit_block(&f.body);
        let bindings = deps.clone();
        if exit.0 {
            deps.clear();
        }
        let shape = LoopShape {
            sleeps: flow::waits(Some(&f.body), None),
            counted: matches!(&*f.expr, Expr::Range(_)),
            per_item: true,
        };
        self.with_loop((LoopKind::For, shape), deps, |w| {
            bindings
                .iter()
                .for_each(|d| w.bind(d.clone(), Value::Unknown));
            w.block(&f.body);
        });
        Value::Unknown
    }

    /// A `while` loop, and the retry it makes when its condition is an
    /// attempt that failed.
    pub(super) fn eval_while(&mut self, wh: &syn::ExprWhile) -> Value {
        let shape = LoopShape {
            sleeps: flow::waits(Some(&wh.body), Some(&wh.cond)),
            counted: false,
            per_item: matches!(&*wh.cond, Expr::Let(l)
                if flow::pattern_ctor(&l.pat).is_none_or(|c| c != "Err")),
        };
        self.with_loop((LoopKind::While, shape), Vec::new(), |w| {
            let (calls, made) = (w.facts.calls.len(), w.facts.creations.len());
            w.eval(&wh.cond);
            // `while let Err(_) = attempt()` / `while attempt().is_err()`.
            let retries = match &*wh.cond {
                Expr::Let(l) => flow::pattern_ctor(&l.pat).is_some_and(|c| c == "Err"),
                Expr::MethodCall(m) => m.method == "is_err",
                _ => false,
            };
            if retries {
                let attempt = w.attempt(&wh.cond, calls, made);
                w.note_retry(attempt, true);
            }
            w.block(&wh.body);
        });
        Value::Unknown
    }

    /// A bare `loop`.
    pub(super) fn eval_loop(&mut self, l: &syn::ExprLoop) -> Value {
        let shape = LoopShape {
            sleeps: flow::waits(Some(&l.body), None),
            counted: false,
            per_item: false,
        };
        self.with_loop((LoopKind::Loop, shape), Vec::new(), |w| w.block(&l.body));
        Value::Unknown
    }

    /// `if let` / `while let`: the pattern's bindings carry what the
    /// scrutinee held.
    pub(super) fn eval_let(&mut self, l: &syn::ExprLet) -> Value {
        let calls = self.facts.calls.len();
        let value = self.eval(&l.expr);
        // `if let Some(json) = raw`: `json` carries what `raw` held.
        let sources = self.flow_of(&l.expr, calls, true);
        let mut bound = Vec::new();
        pat_idents(&l.pat, &mut bound);
        bound
            .into_iter()
            .for_each(|n| self.bind_flow(n, sources.clone()));
        self.bind_pattern(&l.pat, value);
        Value::Unknown
    }

    /// An `if`: its branches depend on the replies its condition reads.
    pub(super) fn eval_if(&mut self, i: &syn::ExprIf) -> Value {
        let (calls, made) = (self.facts.calls.len(), self.facts.creations.len());
        self.push_scope();
        self.last_chain = None;
        self.eval(&i.cond);
        self.note_if_let_ok(i);
        let gates = self.gate_seqs(&i.cond, calls);
        self.note_if_retry(i, calls, made);
        let then_path = cluster_condition(&i.cond);
        // `if let Some(ttl) = self.ttl`: the branch runs only while it is set.
        let while_set = match &*i.cond {
            Expr::Let(l) if optional::holds_value(&l.pat) => self.option_path(&l.expr),
            _ => None,
        };
        self.on_path(then_path, |w| {
            w.gated(&gates, |w| {
                w.while_set(while_set, |w| w.block(&i.then_branch))
            })
        });
        self.pop_scope();
        if let Some((_, els)) = &i.else_branch {
            self.on_path(then_path.map(NodePath::other), |w| {
                w.gated(&gates, |w| {
                    w.eval(els);
                })
            });
        } else if flow::block_leaves(&i.then_branch) {
            // `if exists { return ..; }`: the rest of the block runs
            // only on the other answer.
            self.cx().gates.extend(gates);
        }
        Value::Unknown
    }

    /// Walks `f` inside a branch that runs under `path` (when known).
    fn on_path(&mut self, path: Option<NodePath>, f: impl FnOnce(&mut Walker)) {
        let Some(path) = path else {
            return f(self);
        };
        self.cx().node_paths.push(path);
        f(self);
        self.cx().node_paths.pop();
    }

    /// `if let Ok(v) = con.get(k) { .. }` with no `else` (or an empty one):
    /// the error is dropped without a trace. When the `Ok` branch leaves
    /// (`return`, `break`), the code after it is the error path (a retry).
    fn note_if_let_ok(&mut self, i: &syn::ExprIf) {
        let Expr::Let(l) = &*i.cond else { return };
        if flow::block_leaves(&i.then_branch) {
            return;
        }
        let is_chain = matches!(&*l.expr, Expr::MethodCall(_) | Expr::Await(_));
        let silent_else = match &i.else_branch {
            None => true,
            Some((_, els)) => matches!(&**els, Expr::Block(b) if b.block.stmts.is_empty()),
        };
        let ok_pattern = flow::pattern_ctor(&l.pat).is_some_and(|c| c == "Ok");
        if let (true, true, true, Some((idx, Tail::Nothing))) =
            (is_chain, silent_else, ok_pattern, self.last_chain)
        {
            self.facts.calls[idx].swallowed = Some(Swallow::IfLetOkNoElse);
        }
    }

    /// A `match`: its arms depend on the replies its scrutinee reads.
    pub(super) fn eval_match(&mut self, m: &syn::ExprMatch) -> Value {
        let (calls, made) = (self.facts.calls.len(), self.facts.creations.len());
        let scrutinee = self.eval(&m.expr);
        let optional_field = self.option_path(&m.expr);
        let gates = self.gate_seqs(&m.expr, calls);
        let sources = self.flow_of(&m.expr, calls, true);
        self.note_match_retry(m, calls, made);
        let before = self.cx().gates.len();
        self.cx().gates.extend(gates);
        for arm in &m.arms {
            self.push_scope();
            let mut names = Vec::new();
            pat_idents(&arm.pat, &mut names);
            for n in names {
                self.bind_flow(n, sources.clone());
            }
            self.bind_pattern(&arm.pat, scrutinee.clone());
            if let Some((_, guard)) = &arm.guard {
                self.eval(guard);
            }
            let while_set = optional_field
                .clone()
                .filter(|_| optional::holds_value(&arm.pat));
            self.while_set(while_set, |w| {
                w.eval(&arm.body);
            });
            self.pop_scope();
        }
        self.cx().gates.truncate(before);
        Value::Unknown
    }
}

/// The topology an `if` condition selects for its then-branch: a flag or
/// getter named for the cluster (`is_cluster`, `self.cluster_mode`,
/// `cfg.is_cluster()`), a comparison with a `Cluster` variant, or the
/// negation of either. Names that only mention the cluster in passing
/// (`cluster_nodes.is_empty()`) decide nothing.
fn cluster_condition(cond: &Expr) -> Option<NodePath> {
    let named_cluster = |name: &str| {
        let name = name.to_ascii_lowercase();
        name.contains("cluster") && !name.contains("nodes") && !name.contains("url")
    };
    match cond {
        Expr::Paren(p) => cluster_condition(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
            cluster_condition(&u.expr).map(NodePath::other)
        }
        Expr::Path(p) => p
            .path
            .segments
            .last()
            .filter(|s| named_cluster(&s.ident.to_string()))
            .map(|_| NodePath::Cluster),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(name) if named_cluster(&name.to_string()) => Some(NodePath::Cluster),
            _ => None,
        },
        Expr::MethodCall(m) if m.args.is_empty() && named_cluster(&m.method.to_string()) => {
            Some(NodePath::Cluster)
        }
        Expr::Binary(b) => {
            let variant = |e: &Expr| match e {
                Expr::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Cluster"),
                _ => false,
            };
            let names_cluster = variant(&b.left) || variant(&b.right);
            match b.op {
                syn::BinOp::Eq(_) if names_cluster => Some(NodePath::Cluster),
                syn::BinOp::Ne(_) if names_cluster => Some(NodePath::SingleNode),
                _ => None,
            }
        }
        _ => None,
    }
}
