//! Extraction: one walk over a parsed file that records every Redis fact
//! (command calls, client/connection/pool creation, key templates, the loop
//! / handler / pipeline context of each) plus the symbols the crate-wide
//! resolution needs (structs, consts, key builders, routes).
//!
//! Values are tracked through `let` bindings, parameters, fields and method
//! chains by a small abstract interpreter (`Value`), so a receiver only
//! counts as Redis when something proves it.

pub mod facts;
mod flow;
pub mod methods;
mod redis_modules;
pub mod types;

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, ExprMethodCall, FnArg, Pat, Stmt, Token};

use crate::model::command;
use crate::model::flow::{LoopFact, ReplyUse, RetryFact, Source, UseKind};
use crate::model::key::{parse_format, FormatPiece};
use crate::model::Api;
use crate::model::{
    ConnKind, CreationKind, FnInfo, Form, FredTimeout, Lib, LoopCtx, LoopKind, Opts, Origin, Span,
};
use crate::model::{ConnTimeout, Swallow, Timeout};
use facts::*;
use types::{classify, collect_generics, Generics, TypeClass, UseMap};

/// Extracts the facts of one parsed file.
pub fn extract(file: &syn::File, is_test_file: bool) -> FileFacts {
    let mut uses = UseMap::default();
    let mut collector = UseCollector {
        uses: &mut uses,
        reexports: false,
        cluster: false,
    };
    collector.visit_file(file);
    let (reexports, cluster) = (collector.reexports, collector.cluster);
    let mut w = Walker {
        facts: FileFacts {
            imports_redis_traits: uses.imports_redis_traits(),
            imports_fred: uses.imports_fred(),
            local_globs: uses.local_globs(),
            reexports_traits: reexports,
            uses_cluster: cluster,
            ..FileFacts::default()
        },
        mentions_redis: uses.imports_crate("redis"),
        mentions_deadpool: uses.imports_crate("deadpool_redis"),
        uses,
        test_depth: u32::from(is_test_file),
        impl_type: None,
        generics: Generics::new(),
        fns: Vec::new(),
        bound_literals: HashMap::new(),
        seq: 0,
        script_statics: Vec::new(),
        last_chain: None,
        depth: 0,
        blocks: 0,
        loops: 0,
        nest: 0,
        call_nest: Vec::new(),
        looking_into: 0,
        cancel_depth: 0,
    };
    w.enter_fn(module_fn());
    for item in &file.items {
        w.item(item);
    }
    w.leave_fn();
    w.facts
}

fn module_fn() -> RawFn {
    RawFn {
        info: FnInfo {
            name: "<module>".into(),
            is_setup: true,
            ..FnInfo::default()
        },
        ..RawFn::default()
    }
}

/// Collects `use` items anywhere in the file (fn bodies included) and notes
/// cluster types and trait re-exports.
struct UseCollector<'a> {
    uses: &'a mut UseMap,
    reexports: bool,
    cluster: bool,
}

impl<'ast> Visit<'ast> for UseCollector<'_> {
    /// Only items matter (a `use` can sit in a fn body): expressions are
    /// skipped, so this pass stays far cheaper than the real walk.
    fn visit_stmt(&mut self, s: &'ast Stmt) {
        if let Stmt::Item(item) = s {
            self.visit_item(item);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.uses.add(&u.tree);
        let text = u.tree.to_token_stream().to_string();
        if matches!(u.vis, syn::Visibility::Public(_))
            && (text.starts_with("redis") || text.starts_with("fred"))
        {
            let traits = types::REDIS_TRAITS.iter().any(|t| text.contains(t));
            self.reexports |= traits || text.contains("prelude") || text.contains('*');
        }
        self.cluster |= CLUSTER_MARKERS.iter().any(|m| text.contains(m))
            || (text.contains("deadpool_redis") && text.contains("cluster"));
    }
}

/// Identifiers that only appear in code that talks to a Redis Cluster.
const CLUSTER_MARKERS: &[&str] = &[
    "ClusterClient",
    "ClusterClientBuilder",
    "cluster_async",
    "cluster_pipe",
    "default_clustered",
    "new_clustered",
    "Clustered",
];

/// Methods that hand a closure an iterator's items one at a time.
const ITER_ADAPTERS: &[&str] = &[
    "for_each",
    "try_for_each",
    "map",
    "filter_map",
    "flat_map",
    "filter",
    "fold",
    "try_fold",
    "any",
    "all",
    "find",
    "find_map",
    "inspect",
    "take_while",
    "skip_while",
    "map_while",
    "partition",
];

/// Methods (or calls) whose presence in a receiver chain proves an iterator.
const ITER_SOURCES: &[&str] = &[
    "iter",
    "into_iter",
    "iter_mut",
    "drain",
    "chars",
    "lines",
    "chunks",
    "windows",
    "enumerate",
    "zip",
    "keys",
    "values",
    "split",
    "bytes",
];

/// Methods that return (a guard or reference to) the same value.
const PASSTHROUGH: &[&str] = &[
    "lock",
    "read",
    "write",
    "borrow",
    "borrow_mut",
    "as_mut",
    "as_ref",
    "deref",
    "deref_mut",
    "unwrap",
    "expect",
    "get_mut",
    "get_ref",
    "to_owned",
    "map_err",
    "context",
    "with_context",
    "wrap_err",
    "ok_or",
    "ok_or_else",
    "unwrap_or_else",
];

/// Routing functions of axum (`get(handler)`) and actix (`web::get().to(h)`).
const ROUTE_FNS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "any", "head", "options", "trace", "on",
];

/// Route attributes of actix-web, rocket and poem, plus axum's debug_handler.
const ROUTE_ATTRS: &[&str] = &[
    "get",
    "post",
    "put",
    "delete",
    "patch",
    "head",
    "options",
    "route",
    "handler",
    "trace",
    "connect",
    "debug_handler",
    "oai",
];

#[derive(Debug, Clone)]
enum Value {
    /// A Redis value, or a path to a value whose type decides.
    Conn(Recv),
    Pipe(u32),
    /// A raw command under construction (index into `facts.calls`).
    RawCmd(usize),
    /// A raw command inside a pipeline.
    PipeCmd(u32, usize),
    Script(Vec<RawKey>),
    FredBuilder,
    ClusterBuilder,
    DeadpoolConfig {
        cluster: bool,
    },
    PoolBuilder(Lib),
    /// `SetOptions`, `StreamReadOptions`, `FlushAllOptions` built in code.
    Options {
        opts: Opts,
        group: bool,
    },
    Key(RawKey),
    Num(f64),
    /// An axum `MethodRouter` or actix route: `.post(h)` / `.to(h)` register h.
    Router,
    /// An UPPER_CASE path: a const (as a key) or a static (as a receiver).
    Global(String),
    /// The result of a crate-local fn: a connection or a key, resolution
    /// will tell.
    FnResult(Recv, RawKey),
    /// redis-rs `AsyncConnectionConfig` / `ConnectionManagerConfig`, with
    /// the response timeout set on it so far.
    RedisConfig(ConnTimeout),
    NotRedis,
    Unknown,
}

impl Value {
    fn recv(&self) -> Recv {
        match self {
            Value::Conn(r) | Value::FnResult(r, _) => r.clone(),
            Value::Global(name) => Recv::Path {
                root: Root::Static(name.clone()),
                ops: Vec::new(),
            },
            Value::NotRedis
            | Value::Key(_)
            | Value::Num(_)
            | Value::Options { .. }
            | Value::Router => Recv::NotRedis,
            _ => Recv::Unknown,
        }
    }
}

/// What a loop's syntax says about it.
#[derive(Default, Clone, Copy)]
struct LoopShape {
    sleeps: bool,
    counted: bool,
    /// `while let Some(x) = next()`: one round per item, like a `for`.
    per_item: bool,
}

struct LoopFrame {
    id: u32,
    kind: LoopKind,
    /// Identifiers derived from the loop's item.
    deps: Vec<String>,
}

/// Finds an explicit `return` or `break` in a loop body (closures, async
/// blocks and nested items excluded): such loops search for a first match,
/// and each round trip depends on the previous one.
#[derive(Default)]
struct EarlyExit(bool);

impl<'ast> Visit<'ast> for EarlyExit {
    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Return(_) | Expr::Break(_) => self.0 = true,
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => visit::visit_expr(self, e),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

struct FnCtx {
    id: u32,
    params: Vec<String>,
    scopes: Vec<HashMap<String, Value>>,
    /// Loops since the last async boundary (an `async` block runs its body
    /// elsewhere, so loops outside it do not repeat its round trips).
    loops: Vec<Vec<LoopFrame>>,
    init_depth: u32,
    handler_depth: u32,
    /// Per scope, like `scopes`: where each binding's value came from.
    flows: Vec<HashMap<String, Vec<Source>>>,
    /// Calls (by seq) whose reply decides whether the code being walked
    /// runs: the conditions of enclosing `if`/`match`, and of earlier
    /// `if`s in the block that left it early.
    gates: Vec<u32>,
    /// Enclosing blocks, innermost last.
    blocks: Vec<u32>,
    /// Locals and parameters that surely hold an integer (typed so, or
    /// bound to an integer literal or a length).
    ints: Vec<String>,
}

impl FnCtx {
    fn new(id: u32) -> FnCtx {
        FnCtx {
            id,
            params: Vec::new(),
            scopes: vec![HashMap::new()],
            loops: vec![Vec::new()],
            init_depth: 0,
            handler_depth: 0,
            flows: vec![HashMap::new()],
            gates: Vec::new(),
            blocks: Vec::new(),
            ints: Vec::new(),
        }
    }
}

struct Walker {
    facts: FileFacts,
    uses: UseMap,
    mentions_redis: bool,
    mentions_deadpool: bool,
    test_depth: u32,
    impl_type: Option<String>,
    generics: Generics,
    fns: Vec<FnCtx>,
    seq: u32,
    /// Statics holding a `redis::Script`.
    script_statics: Vec<String>,
    /// The last command of the chain evaluated last, and what followed it.
    last_chain: Option<(usize, Tail)>,
    /// Current recursion depth of `eval` / `key_of`.
    depth: usize,
    /// Block and loop counters (ids are per file).
    blocks: u32,
    loops: u32,
    /// Closures and async blocks entered: a call made in one is not part
    /// of the value of the expression around it (a spawned task's reply
    /// does not flow into the `JoinHandle`).
    nest: u32,
    /// `nest` at each call of `facts.calls`.
    call_nest: Vec<u32>,
    /// Above zero while evaluating a binding that is only looked into (a
    /// field of it, or the input of a deserialiser): not a whole use.
    looking_into: u32,
    /// Struct literals and `vec![..]` bound by `let` in the current fn
    /// (fred's `FtSearchOptions { .. }`, a schema list), so a module
    /// command's options read the same passed by name as inline.
    bound_literals: HashMap<String, Expr>,
    /// Inside futures a timeout or `select!` may drop before completion.
    cancel_depth: u32,
}

/// Deepest expression nesting the walker follows.
const MAX_DEPTH: usize = 10_000;

/// What a method chain did with a command's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// Nothing (maybe `.await`): the `Result` is the chain's value.
    Nothing,
    /// `?`, `.unwrap()`, `.expect(..)`, a match on it…
    Handled,
    /// `.ok()`: an `Option` that drops the error.
    Ok,
}

/// A link of a method chain, from the root outwards.
enum Link<'a> {
    Method(&'a ExprMethodCall),
    Await,
    Try,
    Field(&'a syn::Member),
}

fn text(tokens: &impl ToTokens) -> String {
    let mut s = tokens.to_token_stream().to_string();
    s.retain(|c| !c.is_whitespace());
    s
}

fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
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
            let tokens = a.meta.to_token_stream().to_string();
            return tokens.contains("test") && !tokens.contains("not");
        }
        false
    })
}

fn is_route_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let segs = &a.path().segments;
        let last = segs.last().map(|s| s.ident.to_string()).unwrap_or_default();
        let root = segs
            .first()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        ROUTE_ATTRS.contains(&last.as_str())
            && (segs.len() == 1
                || matches!(
                    root.as_str(),
                    "actix_web" | "rocket" | "poem" | "poem_openapi" | "axum"
                ))
    })
}

fn pat_idents(pat: &Pat, out: &mut Vec<String>) {
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
fn single_ident(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(p) => Some(p.ident.to_string()),
        Pat::Type(t) => single_ident(&t.pat),
        Pat::TupleStruct(t) if t.elems.len() == 1 => single_ident(&t.elems[0]),
        Pat::Reference(r) => single_ident(&r.pat),
        Pat::Paren(p) => single_ident(&p.pat),
        _ => None,
    }
}

fn lit_str(e: &Expr) -> Option<String> {
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

fn lit_num(e: &Expr) -> Option<f64> {
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
fn literal_list(e: &Expr) -> Option<Vec<Expr>> {
    match e {
        Expr::Reference(r) => literal_list(&r.expr),
        Expr::Paren(p) => literal_list(&p.expr),
        Expr::Array(a) => Some(a.elems.iter().cloned().collect()),
        Expr::Macro(m) if macro_name(&m.mac) == "vec" => macro_args(&m.mac.tokens),
        _ => None,
    }
}

fn is_none(e: &Expr) -> bool {
    matches!(e, Expr::Path(p) if p.path.is_ident("None"))
}

fn is_upper(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_ascii_lowercase())
}

/// Parses a function-like macro's tokens as comma-separated expressions.
fn macro_args(tokens: &TokenStream) -> Option<Vec<Expr>> {
    syn::parse::Parser::parse2(
        Punctuated::<Expr, Token![,]>::parse_terminated,
        tokens.clone(),
    )
    .ok()
    .map(|p| p.into_iter().collect())
}

fn macro_name(mac: &syn::Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// Splits a chain like `self.pool.get().await?.clone()` into its root and
/// links, root first.
/// The expression under `.await`, `?`, parentheses and references.
fn strip_await(mut e: &Expr) -> &Expr {
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

fn flatten(mut e: &Expr) -> (&Expr, Vec<Link<'_>>) {
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

/// Whether a method chain produces an iterator (so an adapter's closure
/// runs once per item).
fn is_iter_chain(receiver: &Expr) -> bool {
    let (root, links) = flatten(receiver);
    let from_links = links.iter().any(|l| match l {
        Link::Method(m) => {
            let name = m.method.to_string();
            ITER_SOURCES.contains(&name.as_str())
                || (ITER_ADAPTERS.contains(&name.as_str()) && name != "map")
        }
        _ => false,
    });
    from_links
        || matches!(root, Expr::Range(_) | Expr::Array(_))
        || matches!(root, Expr::Macro(m) if macro_name(&m.mac) == "vec")
}

impl Walker {
    // ----- fn and scope bookkeeping -------------------------------------

    fn enter_fn(&mut self, raw: RawFn) -> u32 {
        let id = self.facts.fns.len() as u32;
        self.facts.fns.push(raw);
        self.bound_literals.clear();
        self.fns.push(FnCtx::new(id));
        id
    }

    fn leave_fn(&mut self) {
        self.fns.pop();
    }

    fn cx(&mut self) -> &mut FnCtx {
        self.fns.last_mut().expect("a fn context is always open")
    }

    fn func(&self) -> u32 {
        self.fns.last().map_or(0, |f| f.id)
    }

    fn info(&mut self) -> &mut FnInfo {
        let id = self.func() as usize;
        &mut self.facts.fns[id].info
    }

    fn in_test(&self) -> bool {
        self.test_depth > 0
    }

    fn bind(&mut self, name: String, value: Value) {
        if let Some(scope) = self.cx().scopes.last_mut() {
            scope.insert(name, value);
        }
    }

    fn lookup(&self, name: &str) -> Option<&Value> {
        let cx = self.fns.last()?;
        cx.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn push_scope(&mut self) {
        let cx = self.cx();
        cx.scopes.push(HashMap::new());
        cx.flows.push(HashMap::new());
    }

    fn pop_scope(&mut self) {
        let cx = self.cx();
        cx.scopes.pop();
        cx.flows.pop();
    }

    // ----- flow ------------------------------------------------------------

    fn flow_of_name(&self, name: &str) -> Option<&Vec<Source>> {
        let cx = self.fns.last()?;
        cx.flows.iter().rev().find_map(|s| s.get(name))
    }

    fn bind_flow(&mut self, name: String, sources: Vec<Source>) {
        if let Some(scope) = self.cx().flows.last_mut() {
            scope.insert(name, sources);
        }
    }

    /// Adds sources to a binding where it lives (`buf` filled by
    /// `read_to_end(&mut buf)`).
    fn add_flow(&mut self, name: &str, extra: Source) {
        if let Some(scope) = self
            .cx()
            .flows
            .iter_mut()
            .rev()
            .find(|s| s.contains_key(name))
        {
            if let Some(v) = scope.get_mut(name) {
                if !v.contains(&extra) {
                    v.push(extra);
                }
            }
        } else {
            self.bind_flow(name.to_string(), vec![extra]);
        }
    }

    /// Where the value of `e` comes from: the bindings it reads and the
    /// replies of the calls emitted since `calls_before` while evaluating it.
    fn flow_of(&self, e: &Expr, calls_before: usize, summaries: bool) -> Vec<Source> {
        let ing = flow::ingredients(e, summaries);
        let mut out = ing.sources;
        for (name, decoded) in ing.names {
            for s in self.flow_of_name(&name).into_iter().flatten() {
                out.push(*s);
                if let (true, Source::Reply(seq)) = (decoded, s) {
                    out.push(Source::Decoded(*seq));
                }
            }
        }
        for (c, nest) in self.facts.calls[calls_before..]
            .iter()
            .zip(&self.call_nest[calls_before..])
        {
            if *nest == self.nest {
                out.push(Source::Reply(c.seq));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The calls (by seq) a condition or scrutinee depends on.
    fn gate_seqs(&self, e: &Expr, calls_before: usize) -> Vec<u32> {
        self.flow_of(e, calls_before, false)
            .into_iter()
            .filter_map(Source::reply_seq)
            .collect()
    }

    /// Walks `f` with the code depending on the replies of `seqs`.
    fn gated<T>(&mut self, seqs: &[u32], f: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.cx().gates.len();
        self.cx().gates.extend_from_slice(seqs);
        let out = f(self);
        self.cx().gates.truncate(before);
        out
    }

    /// The call or creation a loop would retry: the last one made while
    /// evaluating an expression, or the call whose reply a binding holds.
    fn attempt(&self, e: &Expr, calls_before: usize, creations_before: usize) -> Option<u32> {
        let call = self.facts.calls[calls_before..].last().map(|c| c.seq);
        let made = self.facts.creations[creations_before..]
            .last()
            .map(|c| c.seq);
        call.max(made).or_else(|| {
            let Expr::Path(p) = strip_await(e) else {
                return None;
            };
            let name = p.path.get_ident()?.to_string();
            self.flow_of_name(&name)?.iter().find_map(|s| match s {
                Source::Reply(seq) => Some(*seq),
                _ => None,
            })
        })
    }

    /// Records that the innermost loop goes round again after `attempt`
    /// fails.
    fn note_retry(&mut self, attempt: Option<u32>, ok_exits: bool) {
        let Some(seq) = attempt else { return };
        let Some(frame) = self
            .fns
            .last()
            .and_then(|f| f.loops.last())
            .and_then(|g| g.last())
        else {
            return;
        };
        let loop_id = frame.id;
        self.facts.retries.push(RetryFact {
            loop_id,
            seq,
            ok_exits,
        });
    }

    /// `con.set_read_timeout(Some(..))`: the fn bounds reads on `con`
    /// (conn-missing-timeout reads this by binding name).
    fn note_read_timeout(&mut self, m: &ExprMethodCall) {
        if is_none(&m.args[0]) {
            return;
        }
        if let Expr::Path(p) = flatten(&m.receiver).0 {
            if let Some(id) = p.path.get_ident() {
                let id = id.to_string();
                self.info().sets_read_timeout.push(id);
            }
        }
    }

    /// A reply searched (`.contains`, `.iter().any`) or sorted by a key.
    fn note_reply_use(&mut self, replies: &[u32], m: &ExprMethodCall) {
        let method = m.method.to_string();
        let kind = if flow::SEARCHES.contains(&method.as_str()) {
            UseKind::Search
        } else if flow::SORTS_BY.contains(&method.as_str()) {
            UseKind::SortBy
        } else {
            return;
        };
        let span = Span::join(m.method.span(), m.paren_token.span.close());
        for &seq in replies {
            self.facts.reply_uses.push(ReplyUse {
                seq,
                kind,
                method: method.clone(),
                span,
            });
        }
    }

    /// The JSON.GET calls (by seq) whose reply `name` holds, decoded or not.
    fn json_replies(&self, name: &str) -> Vec<u32> {
        let Some(flow) = self.flow_of_name(name) else {
            return Vec::new();
        };
        flow.iter()
            .filter_map(|s| s.reply_seq())
            .filter(|seq| {
                self.facts
                    .calls
                    .binary_search_by_key(seq, |c| c.seq)
                    .is_ok_and(|i| self.facts.calls[i].command == "JSON.GET")
            })
            .collect()
    }

    /// Records how a JSON.GET reply held by `name` is used.
    fn note_json_use(&mut self, name: &str, kind: UseKind, field: String, span: Span) {
        for seq in self.json_replies(name) {
            self.facts.reply_uses.push(ReplyUse {
                seq,
                kind,
                method: field.clone(),
                span,
            });
        }
    }

    /// Evaluates the binding at the root of a field access without counting
    /// it as a whole use, and records the field.
    /// Index layers (`doc[0]["name"]`) are looked through to the binding;
    /// the innermost string index is the document's field.
    fn look_into(&mut self, root: &Expr, field: Option<String>) -> Value {
        let mut base = root;
        let mut field = field;
        while let Expr::Index(ix) = base {
            if let Some(f) = lit_str(&ix.index) {
                field = Some(f);
            }
            self.eval(&ix.index);
            base = &ix.expr;
        }
        self.looking_into += 1;
        let value = self.eval(base);
        self.looking_into -= 1;
        if let Expr::Path(p) = base {
            if let Some(id) = p.path.get_ident() {
                let (kind, field) = match field {
                    Some(f) => (UseKind::Field, f),
                    None => (UseKind::Whole, String::new()),
                };
                self.note_json_use(&id.to_string(), kind, field, Span::of(p.span()));
            }
        }
        value
    }

    /// `format!("{doc}")`: a binding captured by a format string is used
    /// whole.
    fn note_inline_captures(&mut self, format: Option<&Expr>) {
        let Some(Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        })) = format
        else {
            return;
        };
        for piece in parse_format(&s.value()) {
            if let FormatPiece::Named(n) = piece {
                self.note_json_use(&n, UseKind::Whole, String::new(), Span::of(s.span()));
            }
        }
    }

    /// `file.read_to_end(&mut buf)`: `buf` now holds a whole file.
    fn note_file_read(&mut self, root: &Expr, root_name: Option<&str>, m: &ExprMethodCall) {
        if !matches!(
            m.method.to_string().as_str(),
            "read_to_end" | "read_to_string"
        ) || m.args.len() != 1
        {
            return;
        }
        let from_file = root_name
            .and_then(|n| self.flow_of_name(n))
            .is_some_and(|f| f.contains(&Source::FileHandle))
            || flow::ingredients(root, true)
                .sources
                .contains(&Source::FileHandle);
        let Expr::Reference(r) = &m.args[0] else {
            return;
        };
        if let (true, Expr::Path(p)) = (from_file, &*r.expr) {
            if let Some(id) = p.path.get_ident() {
                self.add_flow(&id.to_string(), Source::FileData);
            }
        }
    }

    /// `match attempt() { Ok(v) => break v, Err(e) => log(e) }` in a loop:
    /// an error arm that does not leave lets the loop try again.
    fn note_match_retry(&mut self, m: &syn::ExprMatch, calls: usize, made: usize) {
        if !self.in_loop() {
            return;
        }
        let mut ok_exits = false;
        let mut err_stays = false;
        for arm in &m.arms {
            match flow::pattern_ctor(&arm.pat).as_deref() {
                Some("Ok") => ok_exits |= flow::leaves_somewhere(&arm.body),
                Some("Err") => err_stays |= !flow::always_leaves(&arm.body),
                _ => {}
            }
        }
        if err_stays {
            let attempt = self.attempt(&m.expr, calls, made);
            self.note_retry(attempt, ok_exits);
        }
    }

    /// `if let Ok(c) = attempt() { return c }` (the error falls through) and
    /// `if let Err(e) = attempt() { log(e) }` in a loop.
    fn note_if_retry(&mut self, i: &syn::ExprIf, calls: usize, made: usize) {
        let Expr::Let(l) = &*i.cond else { return };
        if !self.in_loop() {
            return;
        }
        let else_leaves = i
            .else_branch
            .as_ref()
            .is_some_and(|(_, e)| flow::always_leaves(e));
        let (retries, ok_exits) = match flow::pattern_ctor(&l.pat).as_deref() {
            Some("Ok") => (!else_leaves, flow::block_leaves_somewhere(&i.then_branch)),
            Some("Err") => (!flow::block_leaves(&i.then_branch), else_leaves),
            _ => return,
        };
        if retries {
            let attempt = self.attempt(&l.expr, calls, made);
            self.note_retry(attempt, ok_exits);
        }
    }

    fn next_seq(&mut self) -> u32 {
        self.seq += 1;
        self.seq
    }

    /// Notes identifiers that configure timeouts or reveal a cluster.
    fn mark(&mut self, ident: &str) {
        match ident {
            "default_command_timeout" => self.info().sets_fred_command_timeout = true,
            "set_policy" | "ReconnectPolicy" => self.info().sets_reconnect_policy = true,
            "wait_timeout" | "wait" | "wait_millis" | "wait_secs" => {
                self.info().sets_pool_wait_timeout = true
            }
            _ if CLUSTER_MARKERS.contains(&ident) => self.facts.uses_cluster = true,
            "read_from_replicas" | "read_routing_strategy" | "ReplicaConfig" | "replica" => {
                self.info().reads_from_replicas = true
            }
            _ => {}
        }
    }

    fn loop_ctx(&self, mentions: &[String]) -> Option<LoopCtx> {
        let frames = self.fns.last()?.loops.last()?;
        let innermost = frames.last()?;
        let key_from_item = frames
            .iter()
            .any(|f| f.deps.iter().any(|d| mentions.contains(d)));
        Some(LoopCtx {
            kind: innermost.kind,
            key_from_item,
        })
    }

    fn in_loop(&self) -> bool {
        self.fns
            .last()
            .and_then(|f| f.loops.last())
            .is_some_and(|l| !l.is_empty())
    }

    fn with_loop<T>(
        &mut self,
        fact: (LoopKind, LoopShape),
        deps: Vec<String>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let (kind, shape) = fact;
        self.loops += 1;
        let id = self.loops;
        self.facts.loops.push(LoopFact {
            id,
            kind,
            sleeps: shape.sleeps,
            counted: shape.counted,
            per_item: shape.per_item,
        });
        if let Some(group) = self.cx().loops.last_mut() {
            group.push(LoopFrame { id, kind, deps });
        }
        self.push_scope();
        let out = f(self);
        self.pop_scope();
        if let Some(group) = self.cx().loops.last_mut() {
            group.pop();
        }
        out
    }

    /// A `let` inside a loop whose value comes from the item carries the
    /// item's identity on.
    fn propagate_loop_deps(&mut self, names: &[String], from: &[String]) {
        if let Some(group) = self.cx().loops.last_mut() {
            for frame in group.iter_mut() {
                if frame.deps.iter().any(|d| from.contains(d)) {
                    frame.deps.extend(names.iter().cloned());
                }
            }
        }
    }

    // ----- items ----------------------------------------------------------

    fn item(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Fn(f) => {
                self.walk_fn(&f.sig, &f.attrs, &f.block);
            }
            syn::Item::Impl(i) => {
                let test = is_test_attr(&i.attrs);
                self.test_depth += u32::from(test);
                let saved_impl = self.impl_type.take();
                let saved_generics = self.generics.clone();
                collect_generics(&i.generics, &mut self.generics);
                if let syn::Type::Path(p) = &*i.self_ty {
                    self.impl_type = p.path.segments.last().map(|s| s.ident.to_string());
                }
                for it in &i.items {
                    match it {
                        syn::ImplItem::Fn(f) => self.walk_fn(&f.sig, &f.attrs, &f.block),
                        syn::ImplItem::Const(c) => self.const_item(&c.ident, &c.ty, &c.expr),
                        _ => {}
                    }
                }
                self.impl_type = saved_impl;
                self.generics = saved_generics;
                self.test_depth -= u32::from(test);
            }
            syn::Item::Trait(t) => {
                for it in &t.items {
                    if let syn::TraitItem::Fn(f) = it {
                        if let Some(block) = &f.default {
                            self.walk_fn(&f.sig, &f.attrs, block);
                        }
                    }
                }
            }
            syn::Item::Mod(m) => {
                let test = is_test_attr(&m.attrs);
                if test && m.content.is_none() {
                    self.facts.test_mods.push(m.ident.to_string());
                }
                self.test_depth += u32::from(test);
                if let Some((_, items)) = &m.content {
                    for it in items {
                        self.item(it);
                    }
                }
                self.test_depth -= u32::from(test);
            }
            syn::Item::Struct(s) => {
                let name = s.ident.to_string();
                let mut generics = self.generics.clone();
                collect_generics(&s.generics, &mut generics);
                for (i, field) in s.fields.iter().enumerate() {
                    if let Some((lock, kind)) =
                        types::locked_connection(&field.ty, &self.uses, &generics)
                    {
                        let span = Span::of(field.ty.span());
                        let in_test = self.in_test();
                        self.facts
                            .locked_connections
                            .push((span, lock, kind, in_test));
                    }
                    let fname = field
                        .ident
                        .as_ref()
                        .map_or_else(|| i.to_string(), |id| id.to_string());
                    if let Some(kind) = types::stored_connection(&field.ty, &self.uses, &generics) {
                        self.facts.stored_connections.push(RawStoredConnection {
                            span: Span::of(field.ty.span()),
                            owner: format!("{name}.{fname}"),
                            kind,
                            in_test: self.in_test(),
                        });
                    }
                    let class = classify(&field.ty, &self.uses, &generics);
                    if class != TypeClass::Other {
                        self.facts.structs.push((name.clone(), fname, class));
                    }
                }
            }
            syn::Item::Const(c) => self.const_item(&c.ident, &c.ty, &c.expr),
            syn::Item::Static(s) => {
                if text(&s.ty).contains("Script") {
                    self.script_statics.push(s.ident.to_string());
                }
                if let Some(kind) = types::stored_connection(&s.ty, &self.uses, &self.generics) {
                    self.facts.stored_connections.push(RawStoredConnection {
                        span: Span::of(s.ty.span()),
                        owner: s.ident.to_string(),
                        kind,
                        in_test: self.in_test(),
                    });
                }
                let class = classify(&s.ty, &self.uses, &self.generics);
                if matches!(class, TypeClass::Redis(..) | TypeClass::Struct(_)) {
                    self.facts.statics.push((s.ident.to_string(), class));
                }
                self.const_item(&s.ident, &s.ty, &s.expr);
            }
            _ => {}
        }
    }

    fn const_item(&mut self, ident: &syn::Ident, ty: &syn::Type, expr: &Expr) {
        let name = ident.to_string();
        if let Some(n) = lit_num(expr) {
            self.facts.num_consts.push((name, n));
            return;
        }
        if let ConnTimeout::Millis(ms) = self.duration_of(expr) {
            self.facts.duration_consts.push((name, ms));
            return;
        }
        let ty_text = text(ty);
        if ty_text.contains("str") || ty_text.contains("String") {
            if let Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) = expr
            {
                let in_test = self.in_test();
                self.facts
                    .str_consts
                    .push((name.clone(), script_text(lit), in_test));
            }
            let key = self.key_of(expr);
            self.facts.consts.push((name, key));
        } else {
            // Initialisers of lazily built clients run once: setup code.
            self.cx().init_depth += 1;
            self.eval(expr);
            self.cx().init_depth -= 1;
        }
    }

    fn walk_fn(&mut self, sig: &syn::Signature, attrs: &[syn::Attribute], block: &syn::Block) {
        let test = is_test_attr(attrs);
        self.test_depth += u32::from(test);
        let saved_generics = self.generics.clone();
        collect_generics(&sig.generics, &mut self.generics);
        let name = sig.ident.to_string();
        let returns = match &sig.output {
            syn::ReturnType::Type(_, ty) => Some(classify(ty, &self.uses, &self.generics)),
            syn::ReturnType::Default => None,
        };
        if let Some(class @ (TypeClass::Redis(..) | TypeClass::Struct(_))) = &returns {
            self.facts.fn_returns.push((name.clone(), class.clone()));
        }
        let info = FnInfo {
            name: name.clone(),
            span: Span::of(sig.ident.span()),
            is_main: name == "main",
            is_handler: is_route_attr(attrs),
            is_setup: is_setup_name(&name)
                || matches!(returns, Some(TypeClass::Redis(..)))
                || sig.output.to_token_stream().to_string().contains("Self"),
            ..FnInfo::default()
        };
        let raw = RawFn {
            info,
            is_test: self.in_test(),
            returns,
        };
        self.enter_fn(raw);
        let mut params = Vec::new();
        for arg in &sig.inputs {
            match arg {
                FnArg::Receiver(_) => {
                    params.push("self".to_string());
                    if let Some(t) = &self.impl_type {
                        let root = Root::Type {
                            name: t.clone(),
                            is_self: true,
                        };
                        self.bind(
                            "self".into(),
                            Value::Conn(Recv::Path {
                                root,
                                ops: Vec::new(),
                            }),
                        );
                    }
                }
                FnArg::Typed(pt) => {
                    let value = self.value_of_type(&pt.ty, Origin::Param);
                    let mut names = Vec::new();
                    pat_idents(&pt.pat, &mut names);
                    if let (Some(n), true) = (single_ident(&pt.pat), is_int_type(&pt.ty)) {
                        self.cx().ints.push(n);
                    }
                    if let Some(n) = single_ident(&pt.pat) {
                        self.bind(n, value);
                    } else {
                        names
                            .iter()
                            .for_each(|n| self.bind(n.clone(), Value::Unknown));
                    }
                    params.extend(names);
                }
            }
        }
        self.cx().params = params.clone();
        self.info().params = params.iter().filter(|p| *p != "self").cloned().collect();
        if let Some(key) = self.builder_key(block) {
            let params = params.into_iter().filter(|p| p != "self").collect();
            self.facts.builders.push(KeyBuilder { name, params, key });
        }
        self.block(block);
        self.leave_fn();
        self.generics = saved_generics;
        self.test_depth -= u32::from(test);
    }

    fn value_of_type(&self, ty: &syn::Type, origin: Origin) -> Value {
        match classify(ty, &self.uses, &self.generics) {
            TypeClass::Redis(lib, kind) => Value::Conn(Recv::Known {
                lib,
                kind,
                origin,
                cloned: false,
            }),
            TypeClass::Struct(name) => Value::Conn(Recv::Path {
                root: Root::Type {
                    name,
                    is_self: false,
                },
                ops: Vec::new(),
            }),
            TypeClass::Other => Value::NotRedis,
        }
    }

    /// A fn whose result is a key built from literals and its parameters.
    fn builder_key(&mut self, block: &syn::Block) -> Option<RawKey> {
        let tail = match block.stmts.last()? {
            Stmt::Expr(e, None) => e,
            Stmt::Expr(Expr::Return(r), _) => r.expr.as_deref()?,
            _ => return None,
        };
        let keyish = match tail {
            Expr::Macro(m) => matches!(macro_name(&m.mac).as_str(), "format" | "concat"),
            Expr::Lit(_) => true,
            _ => false,
        };
        if !keyish || block.stmts.len() > 1 {
            return None;
        }
        let key = self.key_of(tail);
        key.0
            .iter()
            .any(|p| matches!(p, RawPart::Lit(_) | RawPart::Const(_)))
            .then_some(key)
    }

    fn block(&mut self, block: &syn::Block) {
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

    fn stmt(&mut self, stmt: &Stmt) {
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

    fn local(&mut self, local: &syn::Local) {
        self.note_int_local(local);
        let Some(init) = &local.init else {
            let mut names = Vec::new();
            pat_idents(&local.pat, &mut names);
            names.into_iter().for_each(|n| self.bind(n, Value::Unknown));
            return;
        };
        if let Some(name) = single_ident(&local.pat) {
            match &*init.expr {
                Expr::Struct(_) | Expr::Array(_) => {
                    self.bound_literals.insert(name, (*init.expr).clone());
                }
                // `vec![..]` option lists; redis-rs `schema! { .. }` and
                // `SearchSchema::new(..).insert(..)` schemas.
                Expr::Macro(m) if matches!(macro_name(&m.mac).as_str(), "vec" | "schema") => {
                    self.bound_literals.insert(name, (*init.expr).clone());
                }
                Expr::MethodCall(_) | Expr::Call(_)
                    if redis_modules::is_schema_chain(&init.expr) =>
                {
                    self.bound_literals.insert(name, (*init.expr).clone());
                }
                _ => {
                    self.bound_literals.remove(&name);
                }
            }
        }
        let creations_before = self.facts.creations.len();
        let calls_before = self.facts.calls.len();
        self.last_chain = None;
        let mut value = self.eval(&init.expr);
        let sources = self.flow_of(&init.expr, calls_before, true);
        // `let _ = con.set(k, v);`: the `Result` is dropped unread.
        let is_chain = matches!(&*init.expr, Expr::MethodCall(_) | Expr::Await(_));
        if let (Pat::Wild(_), true, Some((idx, Tail::Nothing))) =
            (&local.pat, is_chain, self.last_chain)
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
            let typed = self.value_of_type(&pt.ty, Origin::Local);
            value = match (typed, value) {
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
                (typed @ Value::Conn(Recv::Path { .. }), Value::Unknown | Value::FnResult(..)) => {
                    typed
                }
                (Value::Conn(Recv::Path { .. }), v) => v,
                (typed, _) => typed,
            };
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
        match single_ident(&local.pat) {
            Some(name) => {
                if self.facts.creations.len() > creations_before {
                    // A creation bound by an inner `let` (in a closure or
                    // block of the initialiser) keeps that name.
                    if let Some(c) = self
                        .facts
                        .creations
                        .last_mut()
                        .filter(|c| c.binding.is_none())
                    {
                        c.binding = Some(name.clone());
                    }
                }
                self.bind(name, value);
            }
            None => self.bind_destructured(&local.pat, &value, names),
        }
    }

    /// `let Foo { a, b: c, .. } = foo;`: fields of a typed value keep their
    /// path; anything else is unknown.
    fn bind_destructured(&mut self, pat: &Pat, value: &Value, names: Vec<String>) {
        if let (Pat::Struct(ps), Value::Conn(recv @ Recv::Path { .. })) = (pat, value) {
            for field in &ps.fields {
                if let (syn::Member::Named(member), Some(name)) =
                    (&field.member, single_ident(&field.pat))
                {
                    self.bind(
                        name,
                        Value::Conn(push_op(recv.clone(), Op::Field(member.to_string()))),
                    );
                }
            }
            return;
        }
        names.into_iter().for_each(|n| self.bind(n, Value::Unknown));
    }

    /// A `let` initialiser that builds a string key (format!, a literal, a
    /// key-builder call) binds a key template.
    fn key_value(&mut self, e: &Expr) -> Option<RawKey> {
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

    fn mac(&mut self, mac: &syn::Macro) {
        let name = macro_name(mac);
        if name == "select" {
            self.select_branches(&mac.tokens);
            return;
        }
        if let Some(args) = macro_args(&mac.tokens) {
            self.note_inline_captures(args.first());
            // println!/assert!/vec!/join!: their arguments are expressions.
            if name != "cmd" {
                for a in &args {
                    self.eval(a);
                }
            }
        }
    }

    /// A future that may be dropped before it completes. A command whose
    /// future is handed over as is (`timeout(d, con.get(k))`) is async even
    /// without `.await`.
    fn eval_cancellable(&mut self, fut: &Expr) {
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
    fn select_branches(&mut self, tokens: &TokenStream) {
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

    // ----- expressions ---------------------------------------------------

    fn eval(&mut self, e: &Expr) -> Value {
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

    fn eval_inner(&mut self, e: &Expr) -> Value {
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
            Expr::Path(p) => {
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
            Expr::MethodCall(m) if m.method == "push_str" && m.args.len() == 1 => {
                self.append_to_key(&m.receiver, &m.args[0]);
                Value::Unknown
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::AddAssign(_)) => {
                self.append_to_key(&b.left, &b.right);
                Value::Unknown
            }
            Expr::MethodCall(_) | Expr::Await(_) | Expr::Try(_) | Expr::Field(_) => self.chain(e),
            Expr::Call(c) => self.call(c),
            Expr::Macro(m) => {
                let name = macro_name(&m.mac);
                if matches!(name.as_str(), "format" | "concat") {
                    if let Some(args) = macro_args(&m.mac.tokens) {
                        self.note_inline_captures(args.first());
                        // A URL built with `format!`: its literal parts can
                        // still hold a password or a remote host.
                        if let Some(Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        })) = args.first()
                        {
                            self.note_url(s);
                        }
                        args.iter().skip(1).for_each(|a| {
                            self.eval(a);
                        });
                    }
                    return Value::Key(self.key_of(e));
                }
                self.mac(&m.mac);
                Value::Unknown
            }
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
                self.cx().loops.push(Vec::new());
                self.nest += 1;
                self.block(&a.block);
                self.nest -= 1;
                self.cx().loops.pop();
                Value::Unknown
            }
            Expr::ForLoop(f) => {
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
            Expr::While(wh) => {
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
            Expr::Loop(l) => {
                let shape = LoopShape {
                    sleeps: flow::waits(Some(&l.body), None),
                    counted: false,
                    per_item: false,
                };
                self.with_loop((LoopKind::Loop, shape), Vec::new(), |w| w.block(&l.body));
                Value::Unknown
            }
            Expr::Let(l) => {
                let calls = self.facts.calls.len();
                let value = self.eval(&l.expr);
                // `if let Some(json) = raw`: `json` carries what `raw` held.
                let sources = self.flow_of(&l.expr, calls, true);
                let mut bound = Vec::new();
                pat_idents(&l.pat, &mut bound);
                bound
                    .into_iter()
                    .for_each(|n| self.bind_flow(n, sources.clone()));
                match single_ident(&l.pat) {
                    Some(name) => self.bind(name, value),
                    None => {
                        let mut names = Vec::new();
                        pat_idents(&l.pat, &mut names);
                        names.into_iter().for_each(|n| self.bind(n, Value::Unknown));
                    }
                }
                Value::Unknown
            }
            Expr::If(i) => {
                let (calls, made) = (self.facts.calls.len(), self.facts.creations.len());
                self.push_scope();
                self.eval(&i.cond);
                let gates = self.gate_seqs(&i.cond, calls);
                self.note_if_retry(i, calls, made);
                self.gated(&gates, |w| w.block(&i.then_branch));
                self.pop_scope();
                if let Some((_, els)) = &i.else_branch {
                    self.gated(&gates, |w| w.eval(els));
                } else if flow::block_leaves(&i.then_branch) {
                    // `if exists { return ..; }`: the rest of the block runs
                    // only on the other answer.
                    self.cx().gates.extend(gates);
                }
                Value::Unknown
            }
            Expr::Match(m) => {
                let (calls, made) = (self.facts.calls.len(), self.facts.creations.len());
                self.eval(&m.expr);
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
                        self.bind_flow(n.clone(), sources.clone());
                        self.bind(n, Value::Unknown);
                    }
                    if let Some((_, guard)) = &arm.guard {
                        self.eval(guard);
                    }
                    self.eval(&arm.body);
                    self.pop_scope();
                }
                self.cx().gates.truncate(before);
                Value::Unknown
            }
            Expr::Closure(c) => {
                self.closure(c, None);
                Value::Unknown
            }
            Expr::Assign(a) => {
                if let Expr::Field(f) = &*a.left {
                    if text(&f.member) == "default_command_timeout" {
                        let timeout = self.duration_of(&a.right);
                        let func = self.func();
                        self.facts.fred_command_timeouts.push((func, timeout));
                    }
                }
                let calls = self.facts.calls.len();
                let value = self.eval(&a.right);
                if let Expr::Path(p) = &*a.left {
                    if let Some(id) = p.path.get_ident() {
                        let sources = self.flow_of(&a.right, calls, true);
                        self.bind_flow(id.to_string(), sources);
                        self.bind(id.to_string(), value);
                        return Value::Unknown;
                    }
                }
                self.eval(&a.left);
                Value::Unknown
            }
            Expr::Binary(b)
                if matches!(b.op, syn::BinOp::Add(_)) && self.key_value(&b.left).is_some() =>
            {
                self.eval(&b.right);
                Value::Key(self.key_of(e))
            }
            Expr::Struct(s) => {
                // `Self { con }` / `Worker { con: client.get_..().await? }`:
                // which creation fills which field, for rules that need the
                // settings of a connection reached through `self.con`.
                let owner = match s.path.segments.last().map(|seg| seg.ident.to_string()) {
                    Some(name) if name == "Self" => self.impl_type.clone(),
                    name => name,
                };
                for f in &s.fields {
                    let creations_before = self.facts.creations.len();
                    if let (Some(owner), syn::Member::Named(id)) = (&owner, &f.member) {
                        let func = self.func();
                        let bound = plain_ident(&f.expr).and_then(|name| {
                            self.facts.creations.iter().rposition(|c| {
                                c.func == func && c.binding.as_deref() == Some(name.as_str())
                            })
                        });
                        if let Some(idx) = bound {
                            self.facts
                                .field_creations
                                .push((owner.clone(), id.to_string(), idx));
                        }
                    }
                    if let syn::Member::Named(id) = &f.member {
                        if !is_none(&f.expr) {
                            self.mark(&id.to_string());
                        }
                        if id == "default_command_timeout" {
                            let timeout = self.duration_of(&f.expr);
                            let func = self.func();
                            self.facts.fred_command_timeouts.push((func, timeout));
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
                            .push((owner.clone(), id.to_string(), idx));
                    }
                }
                if let Some(rest) = &s.rest {
                    self.eval(rest);
                }
                let segs = types::path_segments(&s.path);
                let full = self.uses.expand(&segs);
                let last = segs.last().cloned().unwrap_or_default();
                if full.first().is_some_and(|f| f == "deadpool_redis") && last == "Config" {
                    let cluster = full.iter().any(|s| s == "cluster");
                    self.facts.uses_cluster |= cluster;
                    return Value::DeadpoolConfig { cluster };
                }
                if last == "FlushAllOptions" || last == "FlushDbOptions" {
                    let blocking = s
                        .fields
                        .iter()
                        .any(|f| text(&f.member) == "blocking" && text(&f.expr) == "true");
                    let opts = Opts {
                        asynchronous: !blocking,
                        ..Opts::default()
                    };
                    return Value::Options { opts, group: false };
                }
                Value::Conn(Recv::Path {
                    root: Root::Type {
                        name: last,
                        is_self: false,
                    },
                    ops: Vec::new(),
                })
            }
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

    fn note_fred_cluster_config(&mut self, span: Span) {
        let (func, in_test) = (self.func(), self.in_test());
        self.facts.fred_cluster_configs.push((span, func, in_test));
    }

    /// `let n: u64 = ..` or `let n = 3` / `xs.len()`: `n` holds an integer.
    fn note_int_local(&mut self, local: &syn::Local) {
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

    /// An expression whose type is evidently an integer.
    fn is_int(&self, e: &Expr) -> bool {
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
    fn is_padded_int(&self, e: &Expr) -> bool {
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

    /// Records the Lua script passed as `e`: a literal where it is, a const
    /// or static by name (found where it is declared).
    fn note_script(&mut self, e: &Expr) {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) => {
                let in_test = self.in_test();
                self.facts.scripts.push((script_text(lit), in_test));
            }
            Expr::Path(p) => {
                if let Some(last) = p.path.segments.last() {
                    self.facts.script_consts.push(last.ident.to_string());
                }
            }
            Expr::Reference(r) => self.note_script(&r.expr),
            Expr::Paren(p) => self.note_script(&p.expr),
            _ => {}
        }
    }

    /// Records a Redis URL written in the code (for the security rules).
    fn note_url(&mut self, lit: &syn::LitStr) {
        let value = lit.value();
        if !(value.starts_with("redis://") || value.starts_with("rediss://")) {
            return;
        }
        let span = Span::of(lit.span());
        if !self.facts.url_literals.iter().any(|(s, _, _)| *s == span) {
            let in_test = self.in_test();
            self.facts.url_literals.push((span, value, in_test));
        }
    }

    /// `key.push_str(x)` / `key += x` on a binding that holds a key template.
    fn append_to_key(&mut self, target: &Expr, tail: &Expr) {
        self.eval(tail);
        let Expr::Path(p) = target else {
            self.eval(target);
            return;
        };
        let Some(name) = p.path.get_ident().map(|i| i.to_string()) else {
            return;
        };
        if let Some(Value::Key(mut key)) = self.lookup(&name).cloned() {
            key.0.extend(self.key_of(tail).0);
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

    /// Walks a closure. `items` binds its parameters as a loop's items (an
    /// iterator adapter); transactions bind them to a connection and a pipe.
    fn closure(&mut self, c: &syn::ExprClosure, bindings: Option<Vec<Value>>) {
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

    fn walk_closure_args(&mut self, args: &Punctuated<Expr, Token![,]>, kind: ClosureKind) {
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

    fn chain(&mut self, e: &Expr) -> Value {
        let (root, links) = flatten(e);
        // `doc.name`, `doc.get("name")`: a look into the binding, not a
        // use of all of it.
        let field = match links.first() {
            Some(Link::Field(syn::Member::Named(id))) => Some(Some(id.to_string())),
            Some(Link::Method(m))
                if matches!(m.method.to_string().as_str(), "get" | "get_mut" | "pointer")
                    && m.args.len() == 1 =>
            {
                // `pointer("/profile/name")`: the document's field is the
                // first segment.
                Some(lit_str(&m.args[0]).map(|f| {
                    f.trim_start_matches('/')
                        .split('/')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                }))
            }
            _ => None,
        };
        let mut value = match field {
            Some(Some(f)) => self.look_into(root, Some(f)),
            _ if matches!(root, Expr::Index(_)) => self.look_into(root, None),
            _ => self.eval(root),
        };
        // Replies this chain works on: the root binding's, then those of
        // the commands it runs (for `.contains`/`.sort_by` on them).
        let root_name = match root {
            Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
            _ => None,
        };
        let mut replies: Vec<u32> = root_name
            .as_deref()
            .and_then(|n| self.flow_of_name(n))
            .map(|f| f.iter().filter_map(|s| s.reply_seq()).collect())
            .unwrap_or_default();
        // The last command emitted in this chain and whether only
        // transparent links (`.await`, `?`, `unwrap`) followed it.
        let mut pending_call: Option<usize> = match value {
            Value::RawCmd(idx) => Some(idx),
            _ => None,
        };
        let mut tail = Tail::Nothing;
        for link in links {
            match link {
                Link::Await => {
                    if let Some(idx) = pending_call {
                        self.facts.calls[idx].awaited = true;
                    }
                }
                Link::Try => tail = Tail::Handled,
                Link::Field(member) => {
                    pending_call = None;
                    let name = match member {
                        syn::Member::Named(id) => id.to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    };
                    self.mark(&name);
                    value = match value {
                        Value::Conn(recv @ Recv::Path { .. })
                        | Value::FnResult(recv @ Recv::Path { .. }, _) => {
                            Value::Conn(push_op(recv, Op::Field(name)))
                        }
                        Value::Global(g) => Value::Conn(Recv::Path {
                            root: Root::Static(g),
                            ops: vec![Op::Field(name)],
                        }),
                        _ => Value::Unknown,
                    };
                }
                Link::Method(m) => {
                    let name = m.method.to_string();
                    self.note_reply_use(&replies, m);
                    self.note_file_read(root, root_name.as_deref(), m);
                    // `.arg(..)` / `.query(..)` build and run a raw command:
                    // its result comes after them.
                    let building = matches!(value, Value::RawCmd(_));
                    if let (Some(idx), false) = (pending_call, building) {
                        if name == "len" {
                            self.facts.calls[idx].result_len = true;
                        }
                        match name.as_str() {
                            "unwrap_or_default" if tail == Tail::Nothing => {
                                self.facts.calls[idx].swallowed = Some(Swallow::UnwrapOrDefault);
                                tail = Tail::Handled;
                            }
                            "ok" if tail == Tail::Nothing => tail = Tail::Ok,
                            _ => tail = Tail::Handled,
                        }
                        if !matches!(
                            name.as_str(),
                            "unwrap" | "expect" | "unwrap_or_default" | "ok"
                        ) {
                            pending_call = None;
                        }
                    }
                    let calls_before = self.facts.calls.len();
                    value = self.method(value, m);
                    if self.facts.calls.len() > calls_before {
                        pending_call = Some(self.facts.calls.len() - 1);
                        tail = Tail::Nothing;
                        let seq = self.facts.calls[self.facts.calls.len() - 1].seq;
                        replies.push(seq);
                    }
                }
            }
        }
        self.last_chain = pending_call.map(|idx| (idx, tail));
        value
    }

    fn method(&mut self, value: Value, m: &ExprMethodCall) -> Value {
        let name = m.method.to_string();
        let argc = m.args.len();
        if !(argc == 1 && is_none(&m.args[0])) {
            self.mark(&name);
        }
        if name == "set_response_timeout" && argc == 1 && matches!(value, Value::RedisConfig(_)) {
            if is_none(&m.args[0]) {
                let span = Span::join(m.method.span(), m.paren_token.span.close());
                let in_test = self.in_test();
                self.facts.disabled_timeouts.push((span, in_test));
            } else {
                self.info().sets_response_timeout = true;
            }
        }
        if ITER_ADAPTERS.contains(&name.as_str()) && is_iter_chain(&m.receiver) {
            self.walk_closure_args(&m.args, ClosureKind::Iter);
            return Value::Unknown;
        }
        if matches!(
            name.as_str(),
            "get_or_init" | "get_or_try_init" | "call_once" | "get_or_insert_with"
        ) {
            self.walk_closure_args(&m.args, ClosureKind::Init);
            return value;
        }
        match value {
            Value::RedisConfig(timeout) => {
                self.eval_args(m);
                if name == "set_response_timeout" && argc == 1 {
                    return Value::RedisConfig(self.conn_timeout_of(&m.args[0]));
                }
                Value::RedisConfig(timeout)
            }
            Value::Router if ROUTE_FNS.contains(&name.as_str()) || name == "to" => {
                self.route_args(&m.args);
                Value::Router
            }
            Value::Pipe(id) | Value::PipeCmd(id, _) if name == "cmd" && argc == 1 => {
                let idx = self.raw_cmd(
                    &m.args[0],
                    Span::join(m.method.span(), m.paren_token.span.close()),
                    Api::RedisRs,
                );
                match idx {
                    Some(idx) => {
                        self.facts.calls[idx].pipe = Some(id);
                        Value::PipeCmd(id, idx)
                    }
                    None => Value::Pipe(id),
                }
            }
            Value::PipeCmd(id, idx) if name == "arg" && argc == 1 => {
                let link = Span::join(m.method.span(), m.paren_token.span.close());
                self.push_arg(idx, &m.args[0], link);
                Value::PipeCmd(id, idx)
            }
            Value::Pipe(id) | Value::PipeCmd(id, _) => self.pipe_method(id, m),
            Value::RawCmd(idx) => match name.as_str() {
                "arg" if argc == 1 => {
                    let link = Span::join(m.method.span(), m.paren_token.span.close());
                    self.push_arg(idx, &m.args[0], link);
                    Value::RawCmd(idx)
                }
                "query" | "query_async" | "exec" | "exec_async" | "iter" | "iter_async"
                    if argc == 1 =>
                {
                    self.facts.calls[idx].recv = self.eval(&m.args[0]).recv();
                    self.facts.calls[idx].conn_binding = plain_ident(&m.args[0]);
                    Value::Unknown
                }
                "clone" | "take" | "cursor_arg" => Value::RawCmd(idx),
                _ => {
                    self.eval_args(m);
                    Value::Unknown
                }
            },
            Value::Script(mut keys) => match name.as_str() {
                "key" if argc == 1 => {
                    keys.extend(self.key_args(&m.args[0]));
                    Value::Script(keys)
                }
                "invoke" | "invoke_async" if argc == 1 => {
                    let recv = self.eval(&m.args[0]).recv();
                    let span = Span::join(m.method.span(), m.paren_token.span.close());
                    self.emit(CallSpec {
                        command: "EVALSHA".into(),
                        form: Form::Script,
                        keys,
                        args: Vec::new(),
                        inputs: Vec::new(),
                        opts: Opts::default(),
                        recv,
                        api: Api::RedisRs,
                        span,
                        pipe: None,
                    });
                    Value::Unknown
                }
                _ => {
                    self.eval_args(m);
                    Value::Script(keys)
                }
            },
            Value::FredBuilder => match name.as_str() {
                "build" | "build_pool" | "build_subscriber_client" => {
                    let kind = match name.as_str() {
                        "build" => ConnKind::FredClient,
                        "build_pool" => ConnKind::FredPool,
                        _ => ConnKind::FredSubscriber,
                    };
                    self.eval_args(m);
                    self.create(
                        CreationKind::FredClient {
                            command_timeout: FredTimeout::Missing,
                            reconnect: false,
                        },
                        (Lib::Fred, kind),
                        &name,
                        Span::join(m.method.span(), m.paren_token.span.close()),
                        Recv::Unknown,
                    )
                }
                _ => {
                    self.eval_args(m);
                    Value::FredBuilder
                }
            },
            Value::ClusterBuilder => {
                self.eval_args(m);
                if name == "build" {
                    let span = Span::join(m.method.span(), m.paren_token.span.close());
                    return self.create(
                        CreationKind::Client,
                        (Lib::RedisRs, ConnKind::ClusterClient),
                        "ClusterClientBuilder::build",
                        span,
                        Recv::Unknown,
                    );
                }
                Value::ClusterBuilder
            }
            Value::DeadpoolConfig { cluster } => {
                self.eval_args(m);
                match name.as_str() {
                    "create_pool" => {
                        let span = Span::join(m.method.span(), m.paren_token.span.close());
                        self.create(
                            CreationKind::Pool,
                            (Lib::Deadpool, ConnKind::Pool { cluster }),
                            "create_pool",
                            span,
                            Recv::Unknown,
                        )
                    }
                    "builder" => Value::PoolBuilder(Lib::Deadpool),
                    _ => Value::DeadpoolConfig { cluster },
                }
            }
            Value::PoolBuilder(lib) => {
                self.eval_args(m);
                match name.as_str() {
                    "build" | "build_unchecked" => {
                        let span = Span::join(m.method.span(), m.paren_token.span.close());
                        self.create(
                            CreationKind::Pool,
                            (lib, ConnKind::Pool { cluster: false }),
                            &name,
                            span,
                            Recv::Unknown,
                        )
                    }
                    _ => Value::PoolBuilder(lib),
                }
            }
            Value::Options {
                mut opts,
                mut group,
            } => {
                match name.as_str() {
                    "with_expiration" => opts.expiry = true,
                    "conditional_set" => opts.nx |= text(&m.args).contains("NX"),
                    "block" if argc == 1 => opts.timeout = self.timeout_of(&m.args[0]),
                    "group" => group = true,
                    "noack" => opts.noack = true,
                    _ => {}
                }
                self.eval_args(m);
                Value::Options { opts, group }
            }
            value => self.conn_method(value, m),
        }
    }

    fn pipe_method(&mut self, id: u32, m: &ExprMethodCall) -> Value {
        let name = m.method.to_string();
        match name.as_str() {
            "atomic" => {
                self.facts.pipes[id as usize].atomic = true;
                Value::Pipe(id)
            }
            // fred `pipeline().with_options(..)` is still the pipeline.
            "ignore" | "clone" | "with_options" => {
                self.eval_args(m);
                Value::Pipe(id)
            }
            "query" | "query_async" | "exec" | "exec_async" if m.args.len() == 1 => {
                let recv = self.eval(&m.args[0]).recv();
                self.facts.pipes[id as usize].exec = Some(recv);
                Value::Unknown
            }
            "all" | "try_all" | "last" | "exec" => {
                self.eval_args(m);
                Value::Unknown
            }
            _ => {
                let api = self.facts.pipes[id as usize].api;
                if self.command_method(api, Recv::Unknown, m, Some(id)) {
                    Value::Pipe(id)
                } else {
                    self.eval_args(m);
                    Value::Unknown
                }
            }
        }
    }

    /// Methods on a (possible) connection, client or pool.
    fn conn_method(&mut self, value: Value, m: &ExprMethodCall) -> Value {
        let name = m.method.to_string();
        let argc = m.args.len();
        let recv = value.recv();
        let span = Span::join(m.method.span(), m.paren_token.span.close());
        if recv == Recv::NotRedis {
            self.eval_args(m);
            return Value::Unknown;
        }
        match (name.as_str(), argc) {
            ("clone", 0) => return Value::Conn(push_op(recv, Op::Clone)),
            ("get", 0) => return Value::Conn(push_op(recv, Op::Get)),
            (p, _) if PASSTHROUGH.contains(&p) => {
                self.eval_args(m);
                return value;
            }
            _ => {}
        }
        let known_kind = match &recv {
            Recv::Known { lib, kind, .. } => Some((*lib, *kind)),
            _ => None,
        };
        let redis_ok = matches!(known_kind, Some((Lib::RedisRs, _)))
            || (known_kind.is_none() && self.mentions_redis);
        // Connection constructors of redis-rs.
        let created = match (name.as_str(), argc) {
            ("get_connection", 0) | ("get_connection_with_timeout", 1) if redis_ok => {
                let cluster = matches!(known_kind, Some((_, ConnKind::ClusterClient)));
                let kind = if cluster {
                    ConnKind::Cluster
                } else {
                    ConnKind::Sync
                };
                let creation = CreationKind::SyncConnection {
                    with_connect_timeout: argc == 1,
                };
                Some((creation, kind))
            }
            ("get_async_connection" | "get_tokio_connection", 0) if redis_ok => {
                let cluster = matches!(known_kind, Some((_, ConnKind::ClusterClient)));
                let kind = if cluster {
                    ConnKind::Cluster
                } else {
                    ConnKind::Sync
                };
                Some((CreationKind::AsyncConnection { with_config: false }, kind))
            }
            (
                "get_multiplexed_async_connection"
                | "get_multiplexed_tokio_connection"
                | "get_multiplexed_async_connection_with_config"
                | "get_multiplexed_async_connection_with_timeouts"
                | "get_multiplexed_tokio_connection_with_response_timeouts",
                _,
            ) => Some((
                CreationKind::AsyncConnection {
                    with_config: argc > 0,
                },
                ConnKind::Multiplexed,
            )),
            ("get_connection_manager" | "get_connection_manager_with_config", _) => Some((
                CreationKind::AsyncConnection {
                    with_config: argc > 0,
                },
                ConnKind::Manager,
            )),
            _ => None,
        };
        if let Some((creation, kind)) = created {
            let values: Vec<Value> = m.args.iter().map(|a| self.eval(a)).collect();
            let created = self.create(creation, (Lib::RedisRs, kind), &name, span, recv);
            // 0.x `*_with_timeouts(response, connect)` take the Duration itself.
            if name.contains("with_response_timeouts") || name.ends_with("with_timeouts") {
                let timeout = self.duration_of(&m.args[0]);
                self.set_creation_timeout(timeout);
                // A response timeout given straight to the constructor.
                self.info().sets_response_timeout = true;
            } else if name.ends_with("with_config") {
                self.set_creation_timeout(config_timeout(values.first()));
            }
            return created;
        }
        if matches!(
            name.as_str(),
            "subscribe" | "psubscribe" | "ssubscribe" | "as_pubsub" | "into_pubsub"
        ) && recv != Recv::Unknown
        {
            let (func, in_test) = (self.func(), self.in_test());
            let in_handler_closure = self.fns.last().is_some_and(|f| f.handler_depth > 0);
            self.facts.pubsub_uses.push(RawPubSubUse {
                method: name.clone(),
                recv: recv.clone(),
                span,
                func,
                in_test,
                in_handler_closure,
            });
        }
        match (name.as_str(), argc) {
            ("get_async_pubsub" | "as_pubsub" | "into_pubsub", 0) if redis_ok => {
                return Value::Conn(local(Lib::RedisRs, ConnKind::PubSub));
            }
            ("create_pool", 1) if self.mentions_deadpool && known_kind.is_none() => {
                self.eval_args(m);
                return self.create(
                    CreationKind::Pool,
                    (Lib::Deadpool, ConnKind::Pool { cluster: false }),
                    "create_pool",
                    span,
                    recv,
                );
            }
            // A timeout set on a connection after it was made (sync
            // `set_read_timeout`, async `MultiplexedConnection::set_response_timeout`)
            // is the one its commands run under.
            ("set_read_timeout" | "set_response_timeout", 1) if redis_ok => {
                if let Some(id) = plain_ident(&m.receiver) {
                    let timeout = self.conn_timeout_of(&m.args[0]);
                    let func = self.func();
                    if let Some(c) = self
                        .facts
                        .creations
                        .iter_mut()
                        .rev()
                        .find(|c| c.func == func && c.binding.as_deref() == Some(id.as_str()))
                    {
                        c.response_timeout = timeout;
                    }
                }
                if name == "set_read_timeout" {
                    self.note_read_timeout(m);
                }
                self.eval_args(m);
                return Value::Unknown;
            }
            ("set_read_timeout" | "set_write_timeout", 1) => {
                self.note_read_timeout(m);
                self.eval_args(m);
                return Value::Unknown;
            }
            _ => {}
        }
        let fred_ok = matches!(known_kind, Some((Lib::Fred, _)))
            || (known_kind.is_none() && self.facts.imports_fred);
        if fred_ok {
            match (name.as_str(), argc) {
                ("pipeline", 0) => {
                    return Value::Pipe(self.new_pipe(Api::Fred, span, false, false))
                }
                ("multi", 0) => return Value::Pipe(self.new_pipe(Api::Fred, span, true, true)),
                ("custom" | "custom_raw", 2) => {
                    self.fred_custom(recv, m, span);
                    return Value::Unknown;
                }
                _ => {}
            }
        }
        let weak = AMBIGUOUS_METHODS.contains(&name.as_str()) && !connection_like(&m.receiver);
        let apis: Vec<Api> = match known_kind {
            Some((lib, kind)) if kind.runs_commands() => vec![lib.api()],
            Some(_) => Vec::new(),
            // Names std and other crates use too (`map.get(k)`, `row.get("id")`):
            // on a receiver nothing is known about, only a connection-like
            // name makes them Redis.
            None if recv == Recv::Unknown && weak => Vec::new(),
            None => {
                let mut apis = Vec::new();
                if self.facts.imports_redis_traits || !self.facts.imports_fred {
                    apis.push(Api::RedisRs);
                }
                if self.facts.imports_fred || !self.facts.imports_redis_traits {
                    apis.push(Api::Fred);
                }
                apis
            }
        };
        let mut found = false;
        let binding = plain_ident(&m.receiver);
        for api in apis {
            let before = self.facts.calls.len();
            if self.command_method(api, recv.clone(), m, None) {
                if let Some(c) = self.facts.calls.get_mut(before) {
                    c.alt = found;
                    c.weak_receiver = weak;
                    c.conn_binding = binding.clone();
                }
                found = true;
            }
        }
        if found {
            return Value::Unknown;
        }
        // Not a command: maybe a crate-local helper taking a key.
        if matches!(
            recv,
            Recv::Path {
                root: Root::Type { is_self: true, .. },
                ..
            }
        ) && argc > 0
        {
            let args = m.args.iter().map(|a| self.key_of(a)).collect();
            let (func, in_test) = (self.func(), self.in_test());
            self.facts.helper_calls.push(RawHelperCall {
                func,
                name: name.clone(),
                args,
                in_test,
            });
        }
        self.eval_args(m);
        match recv {
            Recv::Path { .. } => Value::Conn(push_op(recv, Op::Call(name))),
            _ => Value::Unknown,
        }
    }

    fn eval_args(&mut self, m: &ExprMethodCall) {
        for a in &m.args {
            self.eval(a);
        }
    }

    fn route_args(&mut self, args: &Punctuated<Expr, Token![,]>) {
        for a in args {
            match a {
                Expr::Path(p) => {
                    if let Some(last) = p.path.segments.last() {
                        self.facts.routed.push(last.ident.to_string());
                    }
                }
                Expr::Closure(_) => {
                    self.cx().handler_depth += 1;
                    self.eval(a);
                    self.cx().handler_depth -= 1;
                }
                _ => {
                    self.eval(a);
                }
            }
        }
    }

    fn new_pipe(&mut self, api: Api, span: Span, atomic: bool, transaction: bool) -> u32 {
        self.facts.pipes.push(PipeInfo {
            api,
            atomic,
            transaction,
            exec: None,
            span,
        });
        (self.facts.pipes.len() - 1) as u32
    }

    fn create(
        &mut self,
        kind: CreationKind,
        makes: (Lib, ConnKind),
        what: &str,
        span: Span,
        recv: Recv,
    ) -> Value {
        let (lib, made) = makes;
        let seq = self.next_seq();
        let (func, in_test, in_loop) = (self.func(), self.in_test(), self.in_loop());
        let cx = self.fns.last().expect("a fn context is always open");
        let (in_init, in_handler_closure) = (cx.init_depth > 0, cx.handler_depth > 0);
        self.facts.creations.push(RawCreation {
            kind,
            makes: made,
            lib,
            what: what.to_string(),
            span,
            func,
            seq,
            in_loop,
            in_test,
            in_init,
            in_handler_closure,
            binding: None,
            recv,
            response_timeout: ConnTimeout::LibraryDefault,
        });
        Value::Conn(local(lib, made))
    }

    /// Records the timeout of the creation just made.
    fn set_creation_timeout(&mut self, timeout: ConnTimeout) {
        if let Some(c) = self.facts.creations.last_mut() {
            c.response_timeout = timeout;
        }
    }

    /// `set_response_timeout(..)` / `set_read_timeout(..)` argument: `None`
    /// disables, `Some(d)` (1.x, sync) or a bare `d` (0.x) sets it.
    fn conn_timeout_of(&mut self, e: &Expr) -> ConnTimeout {
        if is_none(e) {
            return ConnTimeout::Disabled;
        }
        match e {
            Expr::Call(c) if text(&c.func) == "Some" && c.args.len() == 1 => {
                self.duration_of(&c.args[0])
            }
            _ => self.duration_of(e),
        }
    }

    /// A `std::time::Duration` expression, in milliseconds where it can be
    /// read: `Duration::from_secs(5)`, `from_millis(TIMEOUT_MS)`, a const.
    fn duration_of(&mut self, e: &Expr) -> ConnTimeout {
        match e {
            Expr::Reference(r) => self.duration_of(&r.expr),
            Expr::Paren(p) => self.duration_of(&p.expr),
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return ConnTimeout::Unknown;
                };
                let ctor = p.path.segments.last().map(|s| s.ident.to_string());
                let unit_ms = match ctor.as_deref() {
                    Some("from_secs" | "from_secs_f64" | "from_secs_f32") => 1000.0,
                    Some("from_millis") => 1.0,
                    Some("from_micros") => 0.001,
                    _ => return ConnTimeout::Unknown,
                };
                let Some(arg) = c.args.first() else {
                    return ConnTimeout::Unknown;
                };
                if let Some(n) = lit_num(arg) {
                    return ConnTimeout::Millis(n * unit_ms);
                }
                match arg {
                    Expr::Path(ap) => {
                        let name = ap.path.segments.last().map(|s| s.ident.to_string());
                        let Some(name) = name else {
                            return ConnTimeout::Unknown;
                        };
                        match self.lookup(&name) {
                            Some(Value::Num(n)) => ConnTimeout::Millis(n * unit_ms),
                            Some(_) => ConnTimeout::Unknown,
                            None if is_upper(&name) => ConnTimeout::Named {
                                name,
                                unit_ms: Some(unit_ms),
                            },
                            None => ConnTimeout::Unknown,
                        }
                    }
                    _ => ConnTimeout::Unknown,
                }
            }
            Expr::Path(p) => match p.path.segments.last().map(|s| s.ident.to_string()) {
                Some(name) if is_upper(&name) && self.lookup(&name).is_none() => {
                    ConnTimeout::Named {
                        name,
                        unit_ms: None,
                    }
                }
                _ => ConnTimeout::Unknown,
            },
            _ => ConnTimeout::Unknown,
        }
    }

    /// Looks the method up in a client's table; emits the call when found.
    fn command_method(
        &mut self,
        api: Api,
        recv: Recv,
        m: &ExprMethodCall,
        pipe: Option<u32>,
    ) -> bool {
        let name = m.method.to_string();
        let args: Vec<&Expr> = m.args.iter().collect();
        let Some(spec) = methods::lookup(api, &name, args.len()) else {
            return false;
        };
        let span = Span::join(m.method.span(), m.paren_token.span.close());
        self.method_call(api, spec, recv, &args, span, pipe);
        self.name_last_call(m.method.span());
        true
    }

    /// Records where the name of the command just emitted is written.
    fn name_last_call(&mut self, name: proc_macro2::Span) {
        if let Some(call) = self.facts.calls.last_mut() {
            call.name_span = Some(Span::of(name));
        }
    }

    fn method_call(
        &mut self,
        api: Api,
        spec: &'static methods::MethodSpec,
        recv: Recv,
        args: &[&Expr],
        span: Span,
        pipe: Option<u32>,
    ) {
        let calls = self.facts.calls.len();
        for a in args {
            self.eval(a);
        }
        let mut inputs: Vec<Source> = Vec::new();
        for a in args {
            inputs.extend(self.flow_of(a, calls, true));
        }
        inputs.sort();
        inputs.dedup();
        let mut keys = Vec::new();
        match spec.keys {
            methods::ArgKeys::None => {}
            methods::ArgKeys::At(positions) => {
                for &p in positions {
                    if let Some(a) = args.get(p) {
                        keys.extend(self.key_args(a));
                    }
                }
            }
            methods::ArgKeys::PairsAt(p) => {
                if let Some(a) = args.get(p) {
                    keys.extend(self.pair_keys(a));
                }
            }
        }
        let mut command = spec.command.to_string();
        let mut opts = Opts::default();
        if let Some(t) = spec.timeout {
            opts.timeout = args.get(t).and_then(|a| self.timeout_of(a));
        }
        match (api, spec.method) {
            (Api::RedisRs, "set_options") => {
                let (o, _) = self.options_of(args[2], true);
                opts.expiry = o.expiry;
                opts.nx = o.nx;
            }
            (Api::RedisRs, "xread_options") => {
                let (o, group) = self.options_of(args[2], false);
                opts.timeout = o.timeout;
                opts.noack = o.noack;
                if group {
                    command = "XREADGROUP".into();
                }
            }
            (Api::RedisRs, "flushall_options" | "flushdb_options") => {
                opts.asynchronous = self.options_of(args[0], false).0.asynchronous;
            }
            (Api::Fred, "set") => {
                opts.expiry = !is_none(args[2]);
                opts.nx = text(args[3]).contains("NX");
            }
            (Api::Fred, "flushall") => opts.asynchronous = text(args[0]) != "false",
            (Api::Fred, "xreadgroup" | "xreadgroup_map") => opts.noack = text(args[4]) != "false",
            (Api::Fred, "xadd") => opts.trimmed = !is_none(args[2]),
            (Api::RedisRs, "xadd_maxlen" | "xadd_options") => opts.trimmed = true,
            (Api::Fred, "eval") => {
                opts.formatted_script =
                    matches!(args[0], Expr::Macro(m) if macro_name(&m.mac) == "format");
                self.note_script(args[0]);
            }
            (Api::RedisRs, "scan_match") | (Api::Fred, "scan" | "scan_buffered") => {
                opts.pattern = lit_str(args[0]);
            }
            (_, "lrange") => {
                opts.whole_list = lit_num(args[1]) == Some(0.0) && lit_num(args[2]) == Some(-1.0)
            }
            (Api::Fred, "config_set") => opts.sub = Some("SET".into()),
            (Api::Fred, "config_rewrite") => opts.sub = Some("REWRITE".into()),
            (Api::Fred, "client_kill") => opts.sub = Some("KILL".into()),
            _ => {}
        }
        // Options passed by name read as the literal they were bound to.
        let is_module = crate::model::redis_modules::is_module_command(spec.command);
        let resolved: Vec<Expr> = args
            .iter()
            .take(if is_module { args.len() } else { 0 })
            .map(|a| {
                let name = match strip_await(a) {
                    Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                    _ => None,
                };
                name.and_then(|n| self.bound_literals.get(&n).cloned())
                    .unwrap_or_else(|| (*a).clone())
            })
            .collect();
        let resolved: Vec<&Expr> = resolved.iter().collect();
        let words = if is_module {
            redis_modules::method_words(api, spec.method, &resolved)
        } else {
            None
        };
        let words = words
            .unwrap_or_default()
            .into_iter()
            .map(|w| self.module_word(w))
            .collect();
        self.emit(CallSpec {
            command,
            form: Form::Method,
            keys,
            args: words,
            inputs,
            opts,
            recv,
            api,
            span,
            pipe,
        });
        let padded = self.padded_value(api, spec.method, args);
        if let Some(call) = self.facts.calls.last_mut() {
            call.arg_spans = args.iter().map(|a| Span::of(a.span())).collect();
            call.padded_int_value = padded;
        }
    }

    /// The first value of a SET / HSET method call that is a padded integer.
    fn padded_value(&self, api: Api, method: &str, args: &[&Expr]) -> Option<Span> {
        let values: Vec<&Expr> = match (api, method) {
            (_, "set" | "set_ex" | "set_nx" | "set_options" | "pset_ex" | "getset") => {
                args.get(1).copied().into_iter().collect()
            }
            (Api::RedisRs, "hset" | "hset_nx") => args.get(2).copied().into_iter().collect(),
            // `(field, value)` pairs: a tuple, or a slice / vec / array of them.
            (Api::RedisRs, "hset_multiple") | (Api::Fred, "hset") => {
                let mut out = Vec::new();
                if let Some(a) = args.get(1) {
                    pair_values(a, &mut out);
                }
                out
            }
            _ => Vec::new(),
        };
        values
            .into_iter()
            .find(|v| self.is_padded_int(v))
            .map(|v| Span::of(v.span()))
    }

    /// Options passed as a value: built inline, bound earlier, or unknown
    /// (then assumed to carry an expiry/async flag, so no rule fires on a
    /// guess).
    fn options_of(&mut self, e: &Expr, unknown_expiry: bool) -> (Opts, bool) {
        match self.eval(e) {
            Value::Options { opts, group } => (opts, group),
            _ => {
                let t = text(e);
                let opts = Opts {
                    expiry: unknown_expiry || t.contains("with_expiration"),
                    nx: t.contains("NX"),
                    asynchronous: !t.contains("blocking:true"),
                    noack: t.contains("noack"),
                    ..Opts::default()
                };
                (opts, t.contains("group"))
            }
        }
    }

    fn timeout_of(&mut self, e: &Expr) -> Option<Timeout> {
        if let Some(n) = lit_num(e) {
            return Some(Timeout::Value(n));
        }
        match e {
            Expr::Call(c) if text(&c.func) == "Some" && c.args.len() == 1 => {
                self.timeout_of(&c.args[0])
            }
            Expr::Path(p) if is_none(e) => {
                let _ = p;
                None
            }
            Expr::Path(p) => {
                let name = p.path.segments.last()?.ident.to_string();
                match self.lookup(&name) {
                    Some(Value::Num(n)) => Some(Timeout::Value(*n)),
                    _ => Some(Timeout::Named(name)),
                }
            }
            Expr::Reference(r) => self.timeout_of(&r.expr),
            Expr::Paren(p) => self.timeout_of(&p.expr),
            Expr::Cast(c) => self.timeout_of(&c.expr),
            _ => Some(Timeout::Named(text(e))),
        }
    }

    fn fred_custom(&mut self, recv: Recv, m: &ExprMethodCall, span: Span) {
        let name_expr = match &m.args[0] {
            Expr::Macro(mac) if macro_name(&mac.mac) == "cmd" => {
                macro_args(&mac.mac.tokens).and_then(|a| a.into_iter().next())
            }
            Expr::Call(c) => c.args.first().cloned(),
            _ => None,
        };
        let name = name_expr.as_ref().and_then(lit_str);
        let Some(name) = name else {
            self.eval(&m.args[1]);
            return;
        };
        let items: Vec<Expr> = match &m.args[1] {
            Expr::Macro(mac) if macro_name(&mac.mac) == "vec" => {
                macro_args(&mac.mac.tokens).unwrap_or_default()
            }
            Expr::Array(a) => a.elems.iter().cloned().collect(),
            other => {
                self.eval(other);
                Vec::new()
            }
        };
        if matches!(command::canonical(&name).as_str(), "EVAL" | "EVAL_RO") {
            if let Some(script) = items.first() {
                self.note_script(script);
            }
        }
        let calls = self.facts.calls.len();
        let args = items.iter().map(|a| self.raw_arg(a)).collect();
        let mut inputs: Vec<Source> = Vec::new();
        for item in &items {
            inputs.extend(self.flow_of(item, calls, true));
        }
        inputs.sort();
        inputs.dedup();
        self.emit(CallSpec {
            command: command::canonical(&name),
            form: Form::Raw,
            keys: Vec::new(),
            args,
            inputs,
            opts: Opts::default(),
            recv,
            api: Api::Fred,
            span,
            pipe: None,
        });
        if let Some(call) = self.facts.calls.last_mut() {
            call.name_span = name_expr.map(|e| Span::of(e.span()));
            call.arg_spans = items.iter().map(|a| Span::of(a.span())).collect();
        }
    }

    fn raw_arg(&mut self, e: &Expr) -> RawArg {
        self.eval(e);
        let lit = lit_str(e).or_else(|| lit_num(e).map(|n| n.to_string()));
        RawArg {
            lit,
            key: self.key_of(e),
        }
    }

    /// A module method's argument word as a raw argument (the expression
    /// was evaluated with the call's other arguments already).
    fn module_word(&mut self, w: redis_modules::Word) -> RawArg {
        match w {
            redis_modules::Word::Lit(s) => RawArg {
                lit: Some(s.clone()),
                key: RawKey::lit(s),
            },
            redis_modules::Word::Expr(e) => RawArg {
                lit: lit_str(e).or_else(|| lit_num(e).map(|n| n.to_string())),
                key: self.key_of(e),
            },
            redis_modules::Word::Unknown => RawArg {
                lit: None,
                key: RawKey::hole("…"),
            },
        }
    }

    /// Adds `.arg(e)` (written at `link`) to a raw command.
    fn push_arg(&mut self, idx: usize, e: &Expr, link: Span) {
        // `.arg(&["SCHEMA", "title", "TEXT"])`: redis-rs sends each element
        // as its own argument. Module commands are built this way often
        // enough to matter; other commands keep one argument per `.arg`.
        let is_module =
            crate::model::redis_modules::is_module_command(&self.facts.calls[idx].command);
        if let (true, Some(items)) = (is_module, literal_list(e)) {
            for item in &items {
                self.push_arg(idx, item, link);
            }
            return;
        }
        let call = &self.facts.calls[idx];
        let n = call.args.len();
        // SET key value; HSET key field value [field value …].
        let value_slot = match call.command.as_str() {
            "SET" => n == 1,
            "HSET" => n >= 2 && n % 2 == 0,
            _ => false,
        } && call.padded_int_value.is_none();
        if matches!(call.command.as_str(), "EVAL" | "EVAL_RO") && n == 0 {
            self.note_script(e);
        }
        if value_slot && self.is_padded_int(e) {
            self.facts.calls[idx].padded_int_value = Some(Span::of(e.span()));
        }
        let calls = self.facts.calls.len();
        let arg = self.raw_arg(e);
        for source in self.flow_of(e, calls, true) {
            let inputs = &mut self.facts.calls[idx].inputs;
            if !inputs.contains(&source) {
                inputs.push(source);
            }
        }
        let call = &mut self.facts.calls[idx];
        if call.command.is_empty() {
            if let Some(name) = &arg.lit {
                call.command = command::canonical(name);
                call.name_span = Some(Span::of(e.span()));
            }
            return;
        }
        call.arg_spans.push(link);
        let mut mentions = Vec::new();
        arg.key.mentions(&mut mentions);
        call.args.push(arg);
        if let Some(ctx) = call.in_loop {
            if !ctx.key_from_item {
                let updated = self.loop_ctx(&mentions);
                if let Some(u) = updated {
                    self.facts.calls[idx].in_loop = Some(LoopCtx {
                        key_from_item: u.key_from_item,
                        ..ctx
                    });
                }
            }
        }
    }

    /// Starts a raw command (`redis::cmd(name)`); `None` when the name is
    /// not a literal.
    fn raw_cmd(&mut self, name: &Expr, span: Span, api: Api) -> Option<usize> {
        let command = command::canonical(&lit_str(name)?);
        self.emit(CallSpec {
            command,
            form: Form::Raw,
            keys: Vec::new(),
            args: Vec::new(),
            inputs: Vec::new(),
            opts: Opts::default(),
            recv: Recv::Unknown,
            api,
            span,
            pipe: None,
        });
        self.name_last_call(name.span());
        Some(self.facts.calls.len() - 1)
    }

    fn emit(&mut self, c: CallSpec) {
        let mut mentions = Vec::new();
        c.keys.iter().for_each(|k| k.mentions(&mut mentions));
        c.args.iter().for_each(|a| a.key.mentions(&mut mentions));
        let in_loop = self.loop_ctx(&mentions);
        let seq = self.next_seq();
        let func = self.func();
        // A command on a key parameter: callers' keys get it too (and an
        // expiry set on it covers them).
        let key_param = c.keys.first().and_then(RawKey::as_var).and_then(|var| {
            let cx = self.fns.last().expect("a fn context is always open");
            cx.params
                .iter()
                .filter(|p| *p != "self")
                .position(|p| p == var)
        });
        if let Some(i) = key_param {
            let fname = self.facts.fns[func as usize].info.name.clone();
            if command::spec(&c.command).is_some_and(|s| s.has(command::flags::EXPIRY)) {
                self.facts.expiring_params.push((fname.clone(), i));
            }
            self.facts
                .param_commands
                .push((fname, i, c.command.clone()));
        }
        let in_test = self.in_test();
        let cx = self.fns.last().expect("a fn context is always open");
        let in_handler_closure = cx.handler_depth > 0;
        let mut gates = cx.gates.clone();
        gates.sort();
        gates.dedup();
        let block = cx.blocks.last().copied().unwrap_or(0);
        let loops = cx
            .loops
            .last()
            .map(|g| g.iter().map(|f| f.id).collect())
            .unwrap_or_default();
        self.call_nest.push(self.nest);
        self.facts.calls.push(RawCall {
            command: c.command,
            form: c.form,
            keys: c.keys,
            args: c.args,
            opts: c.opts,
            recv: c.recv,
            api: c.api,
            span: c.span,
            func,
            seq,
            in_loop,
            pipe: c.pipe,
            in_test,
            result_len: false,
            alt: false,
            weak_receiver: false,
            bound: false,
            in_handler_closure,
            swallowed: None,
            inputs: c.inputs,
            gates,
            block,
            loops,
            name_span: None,
            arg_spans: Vec::new(),
            padded_int_value: None,
            conn_binding: None,
            cancellable: self.cancel_depth > 0,
            awaited: false,
        });
    }

    fn call(&mut self, c: &syn::ExprCall) -> Value {
        let Expr::Path(fp) = &*c.func else {
            visit::visit_expr_call(self, c);
            return Value::Unknown;
        };
        let segs = types::path_segments(&fp.path);
        segs.iter().for_each(|s| self.mark(s));
        let full = types::strip_reexport(&self.uses.expand(&segs)).to_vec();
        let span = Span::join(c.func.span(), c.paren_token.span.close());
        let name_span = fp
            .path
            .segments
            .last()
            .map_or_else(|| c.func.span(), |s| s.ident.span());
        let last = segs.last().cloned().unwrap_or_default();
        let full_str: Vec<&str> = full.iter().map(String::as_str).collect();
        let krate = full_str.first().copied().unwrap_or("");
        let args: Vec<&Expr> = c.args.iter().collect();
        // `serde_json::from_str(&raw)`: the decoded value's own uses count,
        // not this one.
        if flow::DECODERS.contains(&last.as_str()) && krate != "redis" {
            self.looking_into += 1;
            args.iter().for_each(|a| {
                self.eval(a);
            });
            self.looking_into -= 1;
            return Value::Unknown;
        }
        let type_seg = full_str
            .len()
            .checked_sub(2)
            .map(|i| full_str[i])
            .unwrap_or("");

        // redis-rs entry points proven by their path.
        if krate == "redis" {
            match (type_seg, last.as_str()) {
                (_, "cmd") if args.len() == 1 => {
                    return match self.raw_cmd(args[0], span, Api::RedisRs) {
                        Some(idx) => Value::RawCmd(idx),
                        None => Value::Unknown,
                    };
                }
                ("Cmd", "new") => {
                    self.emit(CallSpec {
                        command: String::new(),
                        form: Form::RawUnnamed,
                        keys: Vec::new(),
                        args: Vec::new(),
                        inputs: Vec::new(),
                        opts: Opts::default(),
                        recv: Recv::Unknown,
                        api: Api::RedisRs,
                        span,
                        pipe: None,
                    });
                    return Value::RawCmd(self.facts.calls.len() - 1);
                }
                ("Cmd", method) => {
                    if let Some(spec) = methods::lookup(Api::RedisRs, method, args.len()) {
                        self.method_call(Api::RedisRs, spec, Recv::Unknown, &args, span, None);
                        self.name_last_call(name_span);
                        return Value::Unknown;
                    }
                }
                (_, "pipe" | "cluster_pipe")
                | ("Pipeline" | "ClusterPipeline", "new" | "with_capacity") => {
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return Value::Pipe(self.new_pipe(Api::RedisRs, span, false, false));
                }
                (_, "transaction" | "transaction_async") if args.len() == 3 => {
                    let recv = self.eval(args[0]).recv();
                    self.eval(args[1]);
                    let id = self.new_pipe(Api::RedisRs, span, true, true);
                    self.facts.pipes[id as usize].exec = Some(recv.clone());
                    if let Expr::Closure(cl) = args[2] {
                        self.closure(cl, Some(vec![Value::Conn(recv), Value::Pipe(id)]));
                    } else {
                        self.eval(args[2]);
                    }
                    return Value::Unknown;
                }
                ("Script", "new") if args.len() == 1 => {
                    self.note_script(args[0]);
                    self.eval(args[0]);
                    return Value::Script(Vec::new());
                }
                ("Client", "open" | "build_with_tls") => {
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return self.create(
                        CreationKind::Client,
                        (Lib::RedisRs, ConnKind::Client),
                        "Client::open",
                        span,
                        Recv::Unknown,
                    );
                }
                ("ClusterClient", "new") => {
                    self.facts.uses_cluster = true;
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return self.create(
                        CreationKind::Client,
                        (Lib::RedisRs, ConnKind::ClusterClient),
                        "ClusterClient::new",
                        span,
                        Recv::Unknown,
                    );
                }
                ("ClusterClient", "builder") | ("ClusterClientBuilder", "new") => {
                    self.facts.uses_cluster = true;
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return Value::ClusterBuilder;
                }
                ("ConnectionManager", ctor) if ctor.starts_with("new") => {
                    let values: Vec<Value> = args.iter().map(|a| self.eval(a)).collect();
                    let with_config = ctor.contains("config");
                    let what = format!("ConnectionManager::{ctor}");
                    let created = self.create(
                        CreationKind::AsyncConnection { with_config },
                        (Lib::RedisRs, ConnKind::Manager),
                        &what,
                        span,
                        Recv::Unknown,
                    );
                    if with_config {
                        self.set_creation_timeout(config_timeout(values.get(1)));
                    }
                    return created;
                }
                ("AsyncConnectionConfig" | "ConnectionManagerConfig", "new" | "default") => {
                    return Value::RedisConfig(ConnTimeout::LibraryDefault);
                }
                ("SetOptions" | "StreamReadOptions", "default" | "new") => {
                    return Value::Options {
                        opts: Opts::default(),
                        group: false,
                    };
                }
                (t, method) if types::REDIS_TRAITS.contains(&t) && !args.is_empty() => {
                    let recv = self.eval(args[0]).recv();
                    if let Some(spec) = methods::lookup(Api::RedisRs, method, args.len() - 1) {
                        self.method_call(Api::RedisRs, spec, recv, &args[1..], span, None);
                        self.name_last_call(name_span);
                        return Value::Unknown;
                    }
                }
                _ => {}
            }
        }
        if krate == "fred" {
            match (type_seg, last.as_str()) {
                ("Builder", "from_config" | "default_centralized" | "default_clustered") => {
                    if last == "default_clustered" {
                        self.note_fred_cluster_config(span);
                    }
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return Value::FredBuilder;
                }
                ("Client" | "RedisClient" | "Pool" | "RedisPool", "new") if args.len() >= 2 => {
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    let command_timeout = if is_none(args[1]) {
                        FredTimeout::Missing
                    } else {
                        FredTimeout::Set
                    };
                    let pool = type_seg.ends_with("Pool");
                    let what = format!("{type_seg}::new");
                    let kind = if pool {
                        ConnKind::FredPool
                    } else {
                        ConnKind::FredClient
                    };
                    let reconnect = args.get(3).is_some_and(|a| !is_none(a));
                    let creation = CreationKind::FredClient {
                        command_timeout,
                        reconnect,
                    };
                    return self.create(creation, (Lib::Fred, kind), &what, span, Recv::Unknown);
                }
                ("Client" | "RedisClient", "default") => {
                    let missing = CreationKind::FredClient {
                        command_timeout: FredTimeout::Missing,
                        reconnect: false,
                    };
                    return self.create(
                        missing,
                        (Lib::Fred, ConnKind::FredClient),
                        "Client::default",
                        span,
                        Recv::Unknown,
                    );
                }
                ("Config" | "RedisConfig", "from_url" | "from_url_clustered")
                    if last == "from_url_clustered"
                        || args
                            .first()
                            .and_then(|a| lit_str(a))
                            .is_some_and(|u| u.contains("-cluster://")) =>
                {
                    self.facts.uses_cluster = true;
                    self.note_fred_cluster_config(span);
                }
                ("ServerConfig", "default_clustered" | "new_clustered") => {
                    self.note_fred_cluster_config(span);
                }
                (t, method)
                    if (t.ends_with("Interface") || t == "ClientLike") && !args.is_empty() =>
                {
                    let recv = self.eval(args[0]).recv();
                    if let Some(spec) = methods::lookup(Api::Fred, method, args.len() - 1) {
                        self.method_call(Api::Fred, spec, recv, &args[1..], span, None);
                        self.name_last_call(name_span);
                        return Value::Unknown;
                    }
                }
                _ => {}
            }
        }
        // `tokio::time::timeout(d, fut)`: `fut` is dropped when time runs out.
        let is_timeout = matches!(
            (krate, last.as_str()),
            ("tokio", "timeout" | "timeout_at") | ("async_std", "timeout")
        );
        if is_timeout && args.len() == 2 {
            self.eval(args[0]);
            self.eval_cancellable(args[1]);
            return Value::Unknown;
        }
        // A spawned task or thread runs to completion even when the future
        // holding its handle is dropped.
        let spawns = matches!(
            (krate, last.as_str()),
            ("tokio" | "async_std" | "std", "spawn" | "spawn_blocking")
        );
        if spawns && self.cancel_depth > 0 {
            let saved = std::mem::take(&mut self.cancel_depth);
            args.iter().for_each(|a| {
                self.eval(a);
            });
            self.cancel_depth = saved;
            return Value::Unknown;
        }
        // A deadpool manager with its own `AsyncConnectionConfig`: its pool's
        // response timeout is not the library default.
        if krate == "deadpool_redis" && type_seg == "Manager" && last == "new_with_config" {
            self.facts.deadpool_manager_config = true;
        }
        if krate == "deadpool_redis" && type_seg == "Config" {
            args.iter().for_each(|a| {
                self.eval(a);
            });
            let cluster = full.iter().any(|s| s == "cluster");
            self.facts.uses_cluster |= cluster;
            return Value::DeadpoolConfig { cluster };
        }
        if (krate == "bb8" || krate == "r2d2") && type_seg == "Pool" {
            let lib = if krate == "bb8" { Lib::Bb8 } else { Lib::R2d2 };
            let redis_pool = self.mentions_redis || self.uses.imports_crate("bb8_redis");
            if last == "builder" && redis_pool {
                return Value::PoolBuilder(lib);
            }
            if last == "new" && redis_pool && args.len() == 1 {
                self.eval(args[0]);
                return self.create(
                    CreationKind::Pool,
                    (lib, ConnKind::Pool { cluster: false }),
                    "Pool::new",
                    span,
                    Recv::Unknown,
                );
            }
        }
        // Lazy statics: their initialiser runs once.
        if matches!(type_seg, "Lazy" | "LazyLock" | "LazyCell") && last == "new" {
            self.walk_closure_args(&c.args, ClosureKind::Init);
            return Value::Unknown;
        }
        // Router registration: `get(handler)`, `routing::post(h)`, `web::get()`.
        if ROUTE_FNS.contains(&last.as_str())
            && (segs.len() == 1
                || matches!(segs[0].as_str(), "routing" | "axum" | "web" | "actix_web"))
            && args.len() <= 2
        {
            self.route_args(&c.args);
            return Value::Router;
        }
        for a in &args {
            self.eval(a);
        }
        // A call to a plain fn: maybe a helper that takes a key, maybe a fn
        // that returns a connection.
        if is_fn_path(&segs) {
            let keys: Vec<RawKey> = args.iter().map(|a| self.key_of(a)).collect();
            let as_key = RawKey(vec![RawPart::Call {
                name: last.clone(),
                args: keys.clone(),
            }]);
            if !args.is_empty() {
                let (func, in_test) = (self.func(), self.in_test());
                self.facts.helper_calls.push(RawHelperCall {
                    func,
                    name: last.clone(),
                    args: keys,
                    in_test,
                });
            }
            return Value::FnResult(
                Recv::Path {
                    root: Root::FnReturn(last),
                    ops: Vec::new(),
                },
                as_key,
            );
        }
        if last == "new" || last == "default" || last == "with_capacity" || last == "from" {
            return Value::NotRedis;
        }
        Value::Unknown
    }

    // ----- keys -----------------------------------------------------------

    /// Keys of an argument that may be a collection (`&[a, b]`, `vec![..]`).
    fn key_args(&mut self, e: &Expr) -> Vec<RawKey> {
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
    fn pair_keys(&mut self, e: &Expr) -> Vec<RawKey> {
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

    fn key_of(&mut self, e: &Expr) -> RawKey {
        if self.depth >= MAX_DEPTH {
            return RawKey::hole("…");
        }
        self.depth += 1;
        let key = self.key_of_inner(e);
        self.depth -= 1;
        key
    }

    fn key_of_inner(&mut self, e: &Expr) -> RawKey {
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

    fn format_key(&mut self, tokens: &TokenStream) -> Option<RawKey> {
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

#[derive(Clone, Copy)]
enum ClosureKind {
    Iter,
    Init,
}

struct CallSpec {
    command: String,
    form: Form,
    keys: Vec<RawKey>,
    args: Vec<RawArg>,
    /// What flows into the arguments.
    inputs: Vec<Source>,
    opts: Opts,
    recv: Recv,
    api: Api,
    span: Span,
    pipe: Option<u32>,
}

/// The value halves of `(field, value)` pairs: a tuple, or a slice, array
/// or `vec!` of tuples.
fn pair_values<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Tuple(t) if t.elems.len() == 2 => out.push(&t.elems[1]),
        Expr::Array(a) => a.elems.iter().for_each(|x| pair_values(x, out)),
        Expr::Reference(r) => pair_values(&r.expr, out),
        Expr::Paren(p) => pair_values(&p.expr, out),
        _ => {}
    }
}

/// `u64`, `usize`, `i32`, … (also behind `&`).
fn is_int_type(ty: &syn::Type) -> bool {
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

/// A string literal as written, with its place.
fn script_text(lit: &syn::LitStr) -> crate::model::ScriptText {
    crate::model::ScriptText {
        source: lit.token().to_string(),
        span: Span::of(lit.span()),
    }
}

fn local(lib: Lib, kind: ConnKind) -> Recv {
    Recv::Known {
        lib,
        kind,
        origin: Origin::Local,
        cloned: false,
    }
}

/// Applies a field access, `.get()` or `.clone()` to a receiver.
fn push_op(recv: Recv, op: Op) -> Recv {
    match recv {
        Recv::Path { root, mut ops } => {
            ops.push(op);
            Recv::Path { root, ops }
        }
        Recv::Known {
            lib,
            kind,
            origin,
            cloned,
        } => match op {
            Op::Clone => Recv::Known {
                lib,
                kind,
                origin,
                cloned: true,
            },
            Op::Get => match kind {
                ConnKind::Pool { cluster } => Recv::Known {
                    lib,
                    kind: ConnKind::Pooled { cluster },
                    origin,
                    cloned,
                },
                _ => Recv::Known {
                    lib,
                    kind,
                    origin,
                    cloned,
                },
            },
            Op::Field(_) | Op::Call(_) => Recv::Unknown,
        },
        other => other,
    }
}

/// The variable a command runs on: `con` in `con.get(..)`, `&mut con`,
/// `&mut *con`.
fn plain_ident(e: &Expr) -> Option<String> {
    match e {
        Expr::Reference(r) => plain_ident(&r.expr),
        Expr::Paren(p) => plain_ident(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => plain_ident(&u.expr),
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

/// The response timeout a config argument carries; `Unknown` when the
/// argument is not a config built in this fn.
fn config_timeout(value: Option<&Value>) -> ConnTimeout {
    match value {
        Some(Value::RedisConfig(t)) => t.clone(),
        _ => ConnTimeout::Unknown,
    }
}

/// A path to a free fn of the crate (`key_for(..)`, `keys::user(..)`), not
/// an associated fn of a type (`HashMap::new()`).
fn is_fn_path(segs: &[String]) -> bool {
    let lower = |s: &String| s.chars().next().is_some_and(|c| c.is_lowercase());
    segs.len() <= 3 && segs.iter().all(lower)
}

/// Command methods whose names are common outside Redis clients.
const AMBIGUOUS_METHODS: &[&str] = &[
    "get", "set", "del", "keys", "exists", "expire", "incr", "decr", "append", "rename", "publish",
    "scan", "ttl", "persist", "lrange", "sadd", "hget", "hset",
];

/// Whether a receiver is named like a Redis connection (`con`, `conn`,
/// `redis`, `client`, `pool`, `self.redis_conn`, …).
fn connection_like(receiver: &Expr) -> bool {
    let (root, links) = flatten(receiver);
    let name = links
        .iter()
        .rev()
        .find_map(|l| match l {
            Link::Field(syn::Member::Named(id)) => Some(id.to_string()),
            _ => None,
        })
        .or_else(|| match root {
            Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
            _ => None,
        });
    let Some(name) = name else { return false };
    let lower = name.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "con",
        "conn",
        "connection",
        "redis",
        "rconn",
        "client",
        "pool",
        "manager",
        "mgr",
        "pipe",
        "pipeline",
        "rds",
        "valkey",
        "kv",
        "tx",
        "trx",
        "multi",
    ];
    lower.split('_').any(|w| WORDS.contains(&w))
        || lower.ends_with("conn")
        || lower.starts_with("redis")
}

/// Constructor-like and setup-like fn names: creating a client there is the
/// point of the fn.
fn is_setup_name(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "main", "new", "default", "init", "setup", "connect", "build", "create", "open", "start",
        "run",
    ];
    const PREFIXES: &[&str] = &[
        "new_",
        "init",
        "setup",
        "connect",
        "build",
        "create",
        "make_",
        "open",
        "start",
        "bootstrap",
        "configure",
        "from_",
        "with_",
    ];
    const SUFFIXES: &[&str] = &[
        "_pool",
        "_client",
        "_connection",
        "_conn",
        "_manager",
        "_state",
        "_config",
    ];
    EXACT.contains(&name)
        || PREFIXES.iter().any(|p| name.starts_with(p))
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Identifiers an expression mentions (tokens, including macro arguments).
fn expr_idents(e: &Expr, out: &mut Vec<String>) {
    token_idents(e.to_token_stream(), out);
}

/// Identifiers in a token stream, with inline format captures (`"{id}"`).
fn token_idents(tokens: TokenStream, out: &mut Vec<String>) {
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

impl<'ast> Visit<'ast> for Walker {
    fn visit_expr(&mut self, e: &'ast Expr) {
        self.eval(e);
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        self.block(b);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        self.local(l);
    }

    fn visit_item(&mut self, i: &'ast syn::Item) {
        let saved = std::mem::take(&mut self.fns);
        self.fns.push(FnCtx::new(0));
        self.item(i);
        self.fns = saved;
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.mac(m);
    }

    fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
        // Compare in place: turning every identifier into a String showed
        // up in the benchmark.
        if MARKED.iter().chain(CLUSTER_MARKERS).any(|m| i == m) {
            self.mark(&i.to_string());
        }
    }
}

/// Identifiers `Walker::mark` reacts to (besides the cluster markers).
const MARKED: &[&str] = &[
    "default_command_timeout",
    "set_policy",
    "ReconnectPolicy",
    "wait_timeout",
    "wait",
    "wait_millis",
    "wait_secs",
];
