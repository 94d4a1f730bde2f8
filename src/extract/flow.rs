//! Syntax-only helpers of the flow model: what an expression is made of,
//! whether a loop body waits, whether a branch always leaves.
//! The walker (`super`) maps the names found here to the flows of its
//! bindings.

use proc_macro2::TokenStream;
use syn::visit::{self, Visit};
use syn::Expr;

use super::syntax::{macro_name, pat_idents, token_idents};
use super::types;
use crate::model::flow::{ErrorPath, Source};

/// Methods whose result says something small about their receiver (a
/// length, a flag): the receiver's content does not flow on.
const SUMMARIES: &[&str] = &[
    "len",
    "is_empty",
    "count",
    "contains",
    "contains_key",
    "starts_with",
    "ends_with",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "capacity",
    "eq",
    "ne",
    "cmp",
    "partial_cmp",
];

/// Fns that turn bytes or text into data (`serde_json::from_str`,
/// `bincode::deserialize`, `rmp_serde::from_slice`, …).
pub(super) const DECODERS: &[&str] = &[
    "from_str",
    "from_slice",
    "from_reader",
    "from_value",
    "from_bytes",
    "deserialize",
    "decode",
    // The usual name of a type's own JSON constructor (`Job::from_json`).
    "from_json",
];

/// Methods that search a collection for one element.
pub(super) const SEARCHES: &[&str] = &[
    "contains",
    "any",
    "position",
    "rposition",
    "find",
    "binary_search",
];

/// Sorts by a computed attribute (a score, a field): what a sorted set
/// keeps ready. A plain `.sort()` orders names for display.
pub(super) const SORTS_BY: &[&str] = &[
    "sort_by",
    "sort_by_key",
    "sort_by_cached_key",
    "sort_unstable_by",
    "sort_unstable_by_key",
    "sorted_by",
    "sorted_by_key",
    "sorted_by_cached_key",
    "sorted_unstable_by",
    "sorted_unstable_by_key",
];

/// What an expression's value is made of.
#[derive(Default)]
pub(super) struct Ingredients {
    /// Bindings read, and whether through a deserialiser.
    pub names: Vec<(String, bool)>,
    /// Sources the expression creates itself (a file read).
    pub sources: Vec<Source>,
}

/// Collects the bindings an expression reads. With `summaries` false,
/// bindings only measured (`v.len()`, `v.is_some()`) count too: a
/// condition on them still depends on them.
pub(super) fn ingredients(e: &Expr, summaries: bool) -> Ingredients {
    let mut scan = Scan {
        out: Ingredients::default(),
        decoding: 0,
        summaries,
        aliases: Vec::new(),
        blocks: 0,
    };
    scan.visit_expr(e);
    scan.out
}

struct Scan {
    out: Ingredients,
    decoding: u32,
    summaries: bool,
    /// Names bound inside the expression (match arms, `if let`, closure
    /// parameters) and the outer names they take their value from: they
    /// are gone from the walker's scopes by the time it asks.
    aliases: Vec<(String, Vec<String>)>,
    /// Blocks entered: see [`MAX_BLOCKS`].
    blocks: usize,
}

/// Blocks one scan enters, one inside the other. Every `let` scans its
/// initialiser, so `let a = { let a = { … } };` nested n deep would cost
/// n² (3,900 levels took seconds); real initialisers nest a few blocks.
const MAX_BLOCKS: usize = 64;

impl Scan {
    fn name(&mut self, name: String) {
        let decoded = self.decoding > 0;
        match self.aliases.iter().rev().find(|(a, _)| *a == name) {
            Some((_, targets)) => {
                let targets = targets.clone();
                self.out
                    .names
                    .extend(targets.into_iter().map(|t| (t, decoded)));
            }
            None => self.out.names.push((name, decoded)),
        }
    }

    /// Records the names `e` reads (aliases resolved) and returns them, to
    /// stand for the names a pattern or closure binds from `e`.
    fn names_in(&mut self, e: &Expr) -> Vec<String> {
        let start = self.out.names.len();
        self.visit_expr(e);
        self.out.names[start..]
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Visits `f` with the names bound by `pat` standing for `targets`.
    fn with_aliases(&mut self, pat: &syn::Pat, targets: &[String], f: impl FnOnce(&mut Self)) {
        let mut bound = Vec::new();
        pat_idents(pat, &mut bound);
        let before = self.aliases.len();
        self.aliases
            .extend(bound.into_iter().map(|b| (b, targets.to_vec())));
        f(self);
        self.aliases.truncate(before);
    }

    fn tokens(&mut self, tokens: TokenStream) {
        let mut names = Vec::new();
        token_idents(tokens, &mut names);
        names.into_iter().for_each(|n| self.name(n));
    }
}

impl<'ast> Visit<'ast> for Scan {
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        let targets = self.names_in(&m.expr);
        for arm in &m.arms {
            self.with_aliases(&arm.pat, &targets, |s| {
                if let Some((_, guard)) = &arm.guard {
                    s.visit_expr(guard);
                }
                s.visit_expr(&arm.body);
            });
        }
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        let Expr::Let(l) = &*i.cond else {
            return visit::visit_expr_if(self, i);
        };
        let targets = self.names_in(&l.expr);
        self.with_aliases(&l.pat, &targets, |s| s.visit_block(&i.then_branch));
        if let Some((_, els)) = &i.else_branch {
            self.visit_expr(els);
        }
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(id) = p.path.get_ident() {
            self.name(id.to_string());
        }
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if self.summaries && SUMMARIES.contains(&m.method.to_string().as_str()) {
            m.args.iter().for_each(|a| self.visit_expr(a));
            return;
        }
        // `raw.map(|json| serde_json::from_str(&json))`: closure
        // parameters stand for the receiver.
        let targets = self.names_in(&m.receiver);
        for a in &m.args {
            match a {
                Expr::Closure(c) => {
                    let before = self.aliases.len();
                    for input in &c.inputs {
                        let mut bound = Vec::new();
                        pat_idents(input, &mut bound);
                        self.aliases
                            .extend(bound.into_iter().map(|b| (b, targets.clone())));
                    }
                    self.visit_expr(&c.body);
                    self.aliases.truncate(before);
                }
                other => self.visit_expr(other),
            }
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let Expr::Path(p) = &*c.func else {
            return visit::visit_expr_call(self, c);
        };
        let segs = types::path_segments(&p.path);
        let last = segs.last().map(String::as_str).unwrap_or_default();
        // A file parsed on the spot is its parsed content, not the file.
        if segs.iter().any(|s| s == "fs")
            && matches!(last, "read" | "read_to_string")
            && self.decoding == 0
        {
            self.out.sources.push(Source::FileData);
        }
        if segs.len() >= 2 && segs[segs.len() - 2] == "File" && last == "open" {
            self.out.sources.push(Source::FileHandle);
        }
        let decoder = DECODERS.contains(&last);
        self.decoding += u32::from(decoder);
        c.args.iter().for_each(|a| self.visit_expr(a));
        self.decoding -= u32::from(decoder);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // `format!("{x}")`, `json!({ .. })`: their tokens name bindings.
        if macro_name(m) != "matches" {
            self.tokens(m.tokens.clone());
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_block(&mut self, b: &'ast syn::Block) {
        if self.blocks < MAX_BLOCKS {
            self.blocks += 1;
            visit::visit_block(self, b);
            self.blocks -= 1;
        }
    }
}

/// How a loop waits between rounds (a sleep, an interval tick, a backoff
/// or delay helper).
#[derive(Default, Clone, Copy)]
pub(super) struct Waiting {
    /// Somewhere in the body or condition.
    pub(super) any: bool,
    /// On every round: in the condition, or in the body outside any branch.
    pub(super) always: bool,
}

pub(super) fn waits(body: Option<&syn::Block>, cond: Option<&Expr>) -> Waiting {
    let in_body = body.is_some_and(|b| {
        let mut w = Waits::new(Tasks::Count);
        w.visit_block(b);
        w.found
    });
    let in_cond = cond.is_some_and(|c| {
        let mut w = Waits::new(Tasks::Count);
        w.visit_expr(c);
        w.found
    });
    Waiting {
        any: in_body || in_cond,
        always: in_cond || body.is_some_and(|b| block_always(b, Exit::Waits)),
    }
}

/// How the branch that handles an error waits before its loop goes round
/// again: on every path that stays in the loop, on some, or never.
pub(super) fn error_path(branch: &Expr) -> ErrorPath {
    let mut w = Waits::new(Tasks::Count);
    w.visit_expr(branch);
    error_path_of(always(branch, Exit::WaitsOrLeaves), w.found)
}

pub(super) fn block_error_path(branch: &syn::Block) -> ErrorPath {
    let mut w = Waits::new(Tasks::Count);
    w.visit_block(branch);
    error_path_of(block_always(branch, Exit::WaitsOrLeaves), w.found)
}

fn error_path_of(always: bool, somewhere: bool) -> ErrorPath {
    match (always, somewhere) {
        (true, _) => ErrorPath::Waits,
        (false, true) => ErrorPath::WaitsSometimes,
        (false, false) => ErrorPath::NeverWaits,
    }
}

/// What a branch must do on every path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exit {
    Waits,
    WaitsOrLeaves,
}

/// Whether every path through `e` waits (or leaves, when `exit` allows):
/// a wait outside any branch, or an `if`/`match` whose every branch does.
fn always(e: &Expr, exit: Exit) -> bool {
    if exit == Exit::WaitsOrLeaves && always_leaves(e) {
        return true;
    }
    match e {
        Expr::Block(b) => block_always(&b.block, exit),
        Expr::If(i) => {
            block_always(&i.then_branch, exit)
                && i.else_branch.as_ref().is_some_and(|(_, e)| always(e, exit))
        }
        Expr::Match(m) => !m.arms.is_empty() && m.arms.iter().all(|a| always(&a.body, exit)),
        Expr::Closure(_) | Expr::Async(_) | Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => {
            false
        }
        // A wait anywhere else in the expression (`sleep(d).await`, a
        // `select!` with a sleep, `let _ = backoff.next()`) runs with it.
        _ => {
            let mut w = Waits::new(Tasks::Skip);
            w.visit_expr(e);
            w.found
        }
    }
}

fn block_always(b: &syn::Block, exit: Exit) -> bool {
    b.stmts.iter().any(|s| match s {
        syn::Stmt::Expr(e, _) => always(e, exit),
        syn::Stmt::Local(l) => l.init.as_ref().is_some_and(|i| always(&i.expr, exit)),
        syn::Stmt::Macro(m) => {
            let mut w = Waits::new(Tasks::Skip);
            w.visit_macro(&m.mac);
            w.found || (exit == Exit::WaitsOrLeaves && leaving_macro(&m.mac))
        }
        syn::Stmt::Item(_) => false,
    })
}

struct Waits {
    found: bool,
    tasks: Tasks,
}

/// Whether waits inside closures and async blocks count: a loop that
/// spawns a task that sleeps does not wait itself, but a retry helper
/// given a closure may.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tasks {
    Count,
    Skip,
}

impl Waits {
    fn new(tasks: Tasks) -> Waits {
        Waits {
            found: false,
            tasks,
        }
    }
}

fn is_wait(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "tick" | "delay_for" | "delay_until")
        || lower.contains("sleep")
        || lower.contains("backoff")
        || lower.contains("delay")
}

impl<'ast> Visit<'ast> for Waits {
    fn visit_expr(&mut self, e: &'ast Expr) {
        if self.tasks == Tasks::Skip && matches!(e, Expr::Closure(_) | Expr::Async(_)) {
            return;
        }
        visit::visit_expr(self, e);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            if types::path_segments(&p.path)
                .iter()
                .any(|s| is_wait(s) || s == "Delay" || s == "Timer")
            {
                self.found = true;
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if is_wait(&m.method.to_string()) {
            self.found = true;
        }
        visit::visit_expr_method_call(self, m);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // `tokio::select!` / `join!` arms: look at their tokens.
        let mut names = Vec::new();
        token_idents(m.tokens.clone(), &mut names);
        if names.iter().any(|n| is_wait(n)) {
            self.found = true;
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Where `e` starts, from its leftmost token: `e.span()` builds the whole
/// expression's tokens, and asked at every `let` of a deep nesting that is
/// quadratic.
pub(super) fn start_of(e: &Expr) -> proc_macro2::Span {
    use syn::spanned::Spanned;
    match e {
        Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => {
            b.block.brace_token.span.open()
        }
        Expr::Call(c) if c.attrs.is_empty() => start_of(&c.func),
        Expr::MethodCall(m) if m.attrs.is_empty() => start_of(&m.receiver),
        Expr::Await(a) if a.attrs.is_empty() => start_of(&a.base),
        Expr::Try(t) if t.attrs.is_empty() => start_of(&t.expr),
        Expr::Field(f) if f.attrs.is_empty() => start_of(&f.base),
        Expr::Binary(b) if b.attrs.is_empty() => start_of(&b.left),
        Expr::Cast(c) if c.attrs.is_empty() => start_of(&c.expr),
        Expr::Index(i) if i.attrs.is_empty() => start_of(&i.expr),
        Expr::Match(m) if m.attrs.is_empty() => m.match_token.span,
        Expr::If(i) if i.attrs.is_empty() => i.if_token.span,
        Expr::Path(p) if p.attrs.is_empty() && p.qself.is_none() => p.path.span(),
        _ => e.span(),
    }
}

/// Whether evaluating `e` always leaves the enclosing loop or fn: it is, or
/// its block has at top level, a `return`, a `break`, a `?` on an error
/// value, or a panicking or bailing macro.
pub(super) fn always_leaves(e: &Expr) -> bool {
    match e {
        Expr::Return(_) | Expr::Break(_) => true,
        Expr::Try(t) => matches!(&*t.expr, Expr::Call(c) if is_err_ctor(&c.func)),
        Expr::Macro(m) => leaving_macro(&m.mac),
        Expr::Block(b) => block_leaves(&b.block),
        Expr::Paren(p) => always_leaves(&p.expr),
        Expr::If(i) => {
            // Both branches leave.
            block_leaves(&i.then_branch)
                && i.else_branch
                    .as_ref()
                    .is_some_and(|(_, e)| always_leaves(e))
        }
        _ => false,
    }
}

pub(super) fn block_leaves(b: &syn::Block) -> bool {
    b.stmts.iter().any(|s| match s {
        syn::Stmt::Expr(e, _) => always_leaves(e),
        syn::Stmt::Macro(m) => leaving_macro(&m.mac),
        _ => false,
    })
}

fn is_err_ctor(f: &Expr) -> bool {
    matches!(f, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Err"))
}

fn leaving_macro(m: &syn::Macro) -> bool {
    matches!(
        macro_name(m).as_str(),
        "panic" | "bail" | "unreachable" | "todo" | "unimplemented"
    )
}

/// Whether a block or expression leaves the loop anywhere (closures and
/// async blocks excluded): the success path of a retry loop.
pub(super) fn leaves_somewhere(e: &Expr) -> bool {
    let mut exit = AnyExit(false);
    exit.visit_expr(e);
    exit.0
}

pub(super) fn block_leaves_somewhere(b: &syn::Block) -> bool {
    let mut exit = AnyExit(false);
    exit.visit_block(b);
    exit.0
}

/// Finds any `return` or `break` (closures, async blocks and nested items
/// excluded).
struct AnyExit(bool);

impl<'ast> Visit<'ast> for AnyExit {
    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Return(_) | Expr::Break(_) => self.0 = true,
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => visit::visit_expr(self, e),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// `Ok(..)` / `Err(..)` / `Some(..)` patterns by their constructor name.
pub(super) fn pattern_ctor(p: &syn::Pat) -> Option<String> {
    match p {
        syn::Pat::TupleStruct(t) => t.path.segments.last().map(|s| s.ident.to_string()),
        syn::Pat::Ident(i) if i.subpat.is_none() => None,
        syn::Pat::Or(o) => o.cases.first().and_then(pattern_ctor),
        _ => None,
    }
}

/// Finds an explicit `return` or `break` in a loop body (closures, async
/// blocks and nested items excluded): such loops search for a first match,
/// and each round trip depends on the previous one.
/// A `return Err(..)` is no search: it leaves only when something failed,
/// so in the normal case the loop still runs once per item.
#[derive(Default)]
pub(super) struct EarlyExit(pub(super) bool);

impl<'ast> Visit<'ast> for EarlyExit {
    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Return(r) if r.expr.as_deref().is_some_and(is_err_value) => {}
            Expr::Return(_) | Expr::Break(_) => self.0 = true,
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => visit::visit_expr(self, e),
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// `Err(..)`, also as `Err(..).into()`.
fn is_err_value(e: &Expr) -> bool {
    match e {
        Expr::Call(c) => is_err_ctor(&c.func),
        Expr::MethodCall(m) => m.method == "into" && is_err_value(&m.receiver),
        Expr::Paren(p) => is_err_value(&p.expr),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(src: &str) -> Expr {
        syn::parse_str(src).expect("test expression parses")
    }

    fn block(src: &str) -> syn::Block {
        syn::parse_str(src).expect("test block parses")
    }

    #[test]
    fn an_error_branch_waits_on_every_path_some_or_none() {
        let io_only = "{ if e.kind() == ErrorKind::Io { tokio::time::sleep(d).await; } }";
        assert_eq!(error_path(&expr(io_only)), ErrorPath::WaitsSometimes);
        let both = "{ if io { sleep(a).await } else { sleep(b).await } }";
        assert_eq!(error_path(&expr(both)), ErrorPath::Waits);
        let others_leave = "{ if io { sleep(a).await } else { return Err(e) } }";
        assert_eq!(error_path(&expr(others_leave)), ErrorPath::Waits);
        let select = "{ log(e); tokio::select! { _ = sleep(d) => {} _ = &mut stop => break, } }";
        assert_eq!(error_path(&expr(select)), ErrorPath::Waits);
        assert_eq!(
            error_path(&expr("eprintln!(\"{e}\")")),
            ErrorPath::NeverWaits
        );
        let in_task = "{ tokio::spawn(async move { sleep(d).await }); }";
        assert_eq!(block_error_path(&block(in_task)), ErrorPath::WaitsSometimes);
    }

    #[test]
    fn a_loop_waits_always_only_outside_its_branches() {
        let after =
            block("{ match pop().await { Err(e) => log(e), Ok(v) => use_it(v) } sleep(d).await; }");
        let w = waits(Some(&after), None);
        assert!(w.any && w.always);
        let branch =
            block("{ match pop().await { Err(e) => sleep(d).await, Ok(v) => use_it(v) } }");
        let w = waits(Some(&branch), None);
        assert!(w.any && !w.always);
        let w = waits(
            Some(&block("{ step(); }")),
            Some(&expr("backoff.next().is_some()")),
        );
        assert!(!w.any && !w.always);
    }

    #[test]
    fn an_error_return_is_no_search() {
        let found = |src: &str| {
            let mut exit = EarlyExit::default();
            exit.visit_block(&block(src));
            exit.0
        };
        assert!(!found(
            "{ if missing { return Err(Error::Missing(name)); } }"
        ));
        assert!(!found("{ if missing { return Err(e.into()).into(); } }"));
        assert!(found("{ if hit { return Ok(Some(v)); } }"));
        assert!(found("{ if hit { break; } }"));
        assert!(leaves_somewhere(&expr("{ return Err(e) }")));
    }
}
