//! Replies read as success flags: a command's or a pipeline's reply
//! deserialized as `bool` (or one `bool` per queued command) and a false one
//! treated as a failure: an `Err` that says it failed, a retry, an error
//! status or an error log.
//!
//! A pass of its own over the file's fns, run only when the walk found
//! Redis calls there. It reads syntax alone and records every reading it
//! sees; `cmd-count-reply-as-failure` keeps those whose site is a call or a
//! pipeline run the walk proved to be Redis. The reply is followed through
//! `let` bindings, `Ok(v)` arms, struct fields declared as flags (filled in
//! one fn, checked in a method of the struct), fns that return the reply,
//! and methods that fold a flag field (`fn ok(&self) -> bool { self.flags
//! .iter().all(|f| *f) }`), all within the file.

mod judgement;

use std::collections::HashMap;

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, ExprMethodCall, Type};

use super::flow::pattern_ctor;
use super::syntax::single_ident;
use super::types::path_segments;
use crate::model::flow::{FlagReading, Judgement};
use crate::model::Span;
use judgement::judgement;

/// Every reading of a reply as success flags in the file.
pub(super) fn flag_readings(file: &syn::File) -> Vec<FlagReading> {
    let mut items = Items::default();
    items.visit_file(file);
    let mut pass = Pass::default();
    let bool_fns: Vec<String> = items
        .fns
        .iter()
        .filter(|f| f.returns_bool)
        .map(|f| f.name.clone())
        .collect();
    // Fns that return a reply first: their callers read it.
    for f in &items.fns {
        if f.returns_flags {
            let sites = pass.returned_sites(f.body);
            if !sites.is_empty() {
                pass.fn_sites
                    .entry(f.name.clone())
                    .or_default()
                    .extend(sites);
            }
        }
    }
    for f in &items.fns {
        let mut walk = FnWalk {
            pass: &mut pass,
            fields: &items.flag_fields,
            bool_fns: &bool_fns,
            locals: HashMap::new(),
        };
        walk.visit_block(f.body);
        if f.returns_bool {
            if let Some(tail) = tail_expr(f.body) {
                if let Some(test) = walk.tested(tail) {
                    walk.pass.folds.insert(f.name.clone(), test);
                }
            }
        }
    }
    pass.resolve()
}

/// A fn of the file, with what its signature says.
struct FnItem<'a> {
    name: String,
    body: &'a syn::Block,
    /// Returns flags in a `Result` (`RedisResult<bool>`): a reply passed
    /// on. A plain `bool` is rather a fold of flags (or of anything).
    returns_flags: bool,
    /// Returns a plain `bool`.
    returns_bool: bool,
}

/// The file's fns and the struct fields declared as flags.
#[derive(Default)]
struct Items<'a> {
    fns: Vec<FnItem<'a>>,
    flag_fields: Vec<String>,
}

impl<'a> Items<'a> {
    fn add_fn(&mut self, sig: &syn::Signature, body: &'a syn::Block) {
        let ret = match &sig.output {
            syn::ReturnType::Type(_, ty) => Some(&**ty),
            syn::ReturnType::Default => None,
        };
        self.fns.push(FnItem {
            name: sig.ident.to_string(),
            body,
            returns_flags: ret.is_some_and(result_of_flags),
            returns_bool: ret.is_some_and(is_bool),
        });
    }
}

impl<'a> Visit<'a> for Items<'a> {
    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        self.add_fn(&f.sig, &f.block);
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        self.add_fn(&f.sig, &f.block);
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_field(&mut self, f: &'a syn::Field) {
        if let (Some(name), true) = (&f.ident, flags_type(&f.ty)) {
            self.flag_fields.push(name.to_string());
        }
    }

    // Expressions hold no items worth the walk here (fns in fn bodies are
    // rare), and skipping them keeps this pass cheap.
    fn visit_expr(&mut self, _: &'a Expr) {}
}

/// `bool`, `Vec<bool>`, `[bool; N]`.
fn flags_type(ty: &Type) -> bool {
    match ty {
        Type::Array(a) => is_bool(&a.elem),
        _ => is_bool(ty) || generic_of(ty, "Vec").is_some_and(is_bool),
    }
}

fn is_bool(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.is_ident("bool"))
}

/// `Result<bool, E>`, `RedisResult<Vec<bool>>`, `anyhow::Result<bool>`.
fn result_of_flags(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    p.path.segments.last().is_some_and(|s| {
        s.ident.to_string().ends_with("Result")
            && first_type_arg(&s.arguments).is_some_and(flags_type)
    })
}

/// The type argument of `Name<T>` when the type's last segment is `name`.
fn generic_of<'t>(ty: &'t Type, name: &str) -> Option<&'t Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    (last.ident == name)
        .then(|| first_type_arg(&last.arguments))
        .flatten()
}

fn first_type_arg(args: &syn::PathArguments) -> Option<&Type> {
    let syn::PathArguments::AngleBracketed(a) = args else {
        return None;
    };
    a.args.iter().find_map(|g| match g {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// What a condition tests: whose flags, and whether true means they all
/// held (`ok`, `flags.iter().all(..)`) or some failed (`!ok`,
/// `flags.contains(&false)`).
#[derive(Debug, Clone)]
struct Test {
    target: Target,
    all_held: bool,
}

impl Test {
    fn negated(self) -> Test {
        Test {
            all_held: !self.all_held,
            ..self
        }
    }
}

#[derive(Debug, Clone)]
enum Target {
    /// Replies read as flags here.
    Sites(Vec<Span>),
    /// A struct field declared as flags.
    Field(String),
    /// A method that folds flags (`fn is_successful(&self) -> bool`).
    Fold(String),
    /// A fn of the file that returns a reply read as flags.
    Returned(String),
}

/// A branch that treats a flag as a failure: where, and how.
type Branch = Option<(Span, Judgement)>;

/// A condition on flags and what each of its branches does.
struct Judged {
    test: Test,
    /// The branch taken when the test is true.
    on_true: Branch,
    /// The branch taken when it is false (the `else`).
    on_false: Branch,
}

#[derive(Default)]
struct Pass {
    fn_sites: HashMap<String, Vec<Span>>,
    field_sites: HashMap<String, Vec<Span>>,
    folds: HashMap<String, Test>,
    judged: Vec<Judged>,
}

/// Deepest chain of folds followed (a fold of a fold of a field).
const MAX_FOLDS: usize = 4;

impl Pass {
    /// The replies a fn returns: its tail (or `Ok(tail)`), when that is a
    /// method call.
    fn returned_sites(&self, body: &syn::Block) -> Vec<Span> {
        let Some(tail) = tail_expr(body) else {
            return Vec::new();
        };
        let tail = match unwrap_ok(tail) {
            Some(inner) => inner,
            None => tail,
        };
        reply_site(tail).into_iter().collect()
    }

    /// The sites behind a test, and whether true means they all held.
    fn sites(&self, test: &Test, depth: usize) -> Option<(Vec<Span>, bool)> {
        let sites = match &test.target {
            Target::Sites(s) => s.clone(),
            Target::Field(f) => self.field_sites.get(f)?.clone(),
            Target::Returned(f) => self.fn_sites.get(f)?.clone(),
            Target::Fold(m) if depth < MAX_FOLDS => {
                let (sites, held) = self.sites(self.folds.get(m)?, depth + 1)?;
                return Some((sites, held == test.all_held));
            }
            Target::Fold(_) => return None,
        };
        Some((sites, test.all_held))
    }

    fn resolve(&self) -> Vec<FlagReading> {
        let mut out: Vec<FlagReading> = Vec::new();
        for j in &self.judged {
            let Some((sites, all_held)) = self.sites(&j.test, 0) else {
                continue;
            };
            let failed_branch = if all_held { j.on_false } else { j.on_true };
            let Some((judged, how)) = failed_branch else {
                continue;
            };
            for site in sites {
                let reading = FlagReading { site, judged, how };
                if !out.contains(&reading) {
                    out.push(reading);
                }
            }
        }
        out
    }
}

/// What a local binding holds.
#[derive(Clone)]
enum Local {
    /// A reply (from these sites); `flags` when its type says `bool`.
    Reply { sites: Vec<Span>, flags: bool },
    /// The result of a test on flags (`let ok = flags.iter().all(..)`).
    Test(Test),
}

/// The walk over one fn body.
struct FnWalk<'p, 'f> {
    pass: &'p mut Pass,
    fields: &'f [String],
    /// The file's fns that return a `bool`: the folds they may be.
    bool_fns: &'f [String],
    locals: HashMap<String, Local>,
}

impl FnWalk<'_, '_> {
    /// What a condition tests, if it tests flags.
    fn tested(&self, e: &Expr) -> Option<Test> {
        match e {
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
                self.tested(&u.expr).map(Test::negated)
            }
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.tested(&u.expr),
            Expr::Paren(p) => self.tested(&p.expr),
            Expr::Await(a) => self.tested(&a.base),
            Expr::Try(t) => self.tested(&t.expr),
            Expr::Path(p) => match self.locals.get(&p.path.get_ident()?.to_string())? {
                Local::Reply { sites, flags: true } => Some(held(Target::Sites(sites.clone()))),
                Local::Reply { .. } => None,
                Local::Test(t) => Some(t.clone()),
            },
            Expr::Field(f) => match &f.member {
                syn::Member::Named(name) if self.fields.iter().any(|x| name == x) => {
                    Some(held(Target::Field(name.to_string())))
                }
                _ => None,
            },
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => {
                    let name = p.path.segments.last()?.ident.to_string();
                    self.pass
                        .fn_sites
                        .contains_key(&name)
                        .then(|| held(Target::Returned(name)))
                }
                _ => None,
            },
            Expr::MethodCall(m) => self.tested_method(m),
            _ => None,
        }
    }

    fn tested_method(&self, m: &ExprMethodCall) -> Option<Test> {
        let name = m.method.to_string();
        let flags = || self.tested(strip_iter(&m.receiver));
        match name.as_str() {
            _ if PASS_THROUGH.contains(&name.as_str()) => self.tested(&m.receiver),
            "all" => flags(),
            "contains" if m.args.first().is_some_and(is_ref_false) => flags().map(Test::negated),
            "any" if m.args.first().is_some_and(negates) => flags().map(Test::negated),
            _ if turbofish_flags(m) => Some(held(Target::Sites(vec![method_span(m)]))),
            _ if self.pass.fn_sites.contains_key(&name) => Some(held(Target::Returned(name))),
            _ if m.args.is_empty() && self.bool_fns.contains(&name) => {
                Some(held(Target::Fold(name)))
            }
            _ => None,
        }
    }

    fn bind(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else { return };
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
            other => (other, None),
        };
        let Some(name) = single_ident(pat) else {
            return;
        };
        let value = match self.tested(&init.expr) {
            // `let ok = flags.iter().all(..)`, `let ok: bool = self.sent(..)?`.
            Some(test) if ty.is_none_or(is_bool) => Some(Local::Test(test)),
            _ => reply_site(&init.expr).map(|site| Local::Reply {
                sites: vec![site],
                flags: ty.is_some_and(flags_type),
            }),
        };
        match value {
            Some(v) => {
                self.locals.insert(name, v);
            }
            None => {
                self.locals.remove(&name);
            }
        }
    }

    /// `match reply { Ok(v) => .. }` and `if let Ok(v) = reply`: `v` is the
    /// reply.
    fn bind_ok(&mut self, pat: &syn::Pat, scrutinee: &Expr) {
        let syn::Pat::TupleStruct(ts) = pat else {
            return;
        };
        if pattern_ctor(pat).as_deref() != Some("Ok") || ts.elems.len() != 1 {
            return;
        }
        let (Some(name), Some(site)) = (single_ident(&ts.elems[0]), reply_site(scrutinee)) else {
            return;
        };
        self.locals.insert(
            name,
            Local::Reply {
                sites: vec![site],
                flags: false,
            },
        );
    }

    /// `Response { flags: v, .. }` / `Response { flags, .. }` with `flags`
    /// declared as flags: the field holds the reply `v` holds.
    fn fill_fields(&mut self, s: &syn::ExprStruct) {
        for fv in &s.fields {
            let syn::Member::Named(field) = &fv.member else {
                continue;
            };
            if !self.fields.iter().any(|f| field == f) {
                continue;
            }
            let sites = match &fv.expr {
                Expr::Path(p) => match p
                    .path
                    .get_ident()
                    .and_then(|i| self.locals.get(&i.to_string()))
                {
                    Some(Local::Reply { sites, .. }) => sites.clone(),
                    _ => continue,
                },
                other => match reply_site(other) {
                    Some(site) => vec![site],
                    None => continue,
                },
            };
            self.pass
                .field_sites
                .entry(field.to_string())
                .or_default()
                .extend(sites);
        }
    }

    fn judge_if(&mut self, i: &syn::ExprIf) {
        let Some(test) = self.tested(&i.cond) else {
            return;
        };
        let then =
            judgement(i.then_branch.to_token_stream()).map(|j| (Span::of(i.then_branch.span()), j));
        let other = i
            .else_branch
            .as_ref()
            .and_then(|(_, e)| judgement(e.to_token_stream()).map(|j| (Span::of(e.span()), j)));
        self.pass.judged.push(Judged {
            test,
            on_true: then,
            on_false: other,
        });
    }
}

impl<'a> Visit<'a> for FnWalk<'_, '_> {
    fn visit_local(&mut self, l: &'a syn::Local) {
        syn::visit::visit_local(self, l);
        self.bind(l);
    }

    fn visit_expr_match(&mut self, m: &'a syn::ExprMatch) {
        self.visit_expr(&m.expr);
        for arm in &m.arms {
            self.bind_ok(&arm.pat, &m.expr);
            self.visit_arm(arm);
        }
    }

    fn visit_expr_if(&mut self, i: &'a syn::ExprIf) {
        if let Expr::Let(l) = &*i.cond {
            self.bind_ok(&l.pat, &l.expr);
        } else {
            self.judge_if(i);
        }
        syn::visit::visit_expr_if(self, i);
    }

    fn visit_expr_struct(&mut self, s: &'a syn::ExprStruct) {
        syn::visit::visit_expr_struct(self, s);
        self.fill_fields(s);
    }

    // Items inside a fn are walked as fns of their own (or not at all).
    fn visit_item(&mut self, _: &'a syn::Item) {}
}

fn held(target: Target) -> Test {
    Test {
        target,
        all_held: true,
    }
}

/// Methods that only pass a reply on: `.unwrap()`, `.map_err(..)`, ….
const PASS_THROUGH: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "map_err",
    "context",
    "with_context",
    "wrap_err",
];

/// The method call whose reply `e` is, under `.await`, `?`, `.unwrap()`
/// and the like: spanned from its name to its closing parenthesis.
fn reply_site(e: &Expr) -> Option<Span> {
    match e {
        Expr::Await(a) => reply_site(&a.base),
        Expr::Try(t) => reply_site(&t.expr),
        Expr::Paren(p) => reply_site(&p.expr),
        Expr::MethodCall(m) if PASS_THROUGH.contains(&m.method.to_string().as_str()) => {
            reply_site(&m.receiver)
        }
        Expr::MethodCall(m) => Some(raw_command_root(m).unwrap_or_else(|| method_span(m))),
        _ => None,
    }
}

/// `redis::cmd("PUBLISH").arg(..).query_async(..)`: a raw command is spanned
/// by its `cmd(..)` (or `Cmd::new()`), as the walk spans it.
fn raw_command_root(m: &ExprMethodCall) -> Option<Span> {
    if !matches!(m.method.to_string().as_str(), "query" | "query_async") {
        return None;
    }
    let mut e = &*m.receiver;
    while let Expr::MethodCall(link) = e {
        e = &link.receiver;
    }
    let Expr::Call(root) = e else { return None };
    let Expr::Path(p) = &*root.func else {
        return None;
    };
    let names = path_segments(&p.path);
    let raw = match names.as_slice() {
        [.., last] if last == "cmd" => true,
        [.., ty, last] => ty == "Cmd" && last == "new",
        _ => false,
    };
    raw.then(|| Span::of(root.span()))
}

fn method_span(m: &ExprMethodCall) -> Span {
    Span::join(m.method.span(), m.paren_token.span.close())
}

/// `query_async::<Vec<bool>>(..)`, `sadd::<_, _, bool>(..)` (redis-rs names
/// the reply type last), `sadd::<bool, _, _>(..)` (fred names it first).
fn turbofish_flags(m: &ExprMethodCall) -> bool {
    let Some(t) = &m.turbofish else { return false };
    let mut types = t.args.iter().filter_map(|g| match g {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let first = types.next();
    let last = types.last().or(first);
    first.is_some_and(flags_type) || last.is_some_and(flags_type)
}

/// `flags.iter()` → `flags`.
fn strip_iter(e: &Expr) -> &Expr {
    match e {
        Expr::MethodCall(m) if matches!(m.method.to_string().as_str(), "iter" | "into_iter") => {
            &m.receiver
        }
        _ => e,
    }
}

fn is_ref_false(e: &Expr) -> bool {
    let Expr::Reference(r) = e else { return false };
    matches!(&*r.expr, Expr::Lit(l) if matches!(&l.lit, syn::Lit::Bool(b) if !b.value))
}

/// A closure that negates its item: `|ok| !ok`, `|x| !*x`.
fn negates(e: &Expr) -> bool {
    matches!(e, Expr::Closure(c) if matches!(&*c.body, Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_))))
}

fn tail_expr(body: &syn::Block) -> Option<&Expr> {
    match body.stmts.last()? {
        syn::Stmt::Expr(e, None) => Some(e),
        _ => None,
    }
}

/// `Ok(x)` → `x`.
fn unwrap_ok(e: &Expr) -> Option<&Expr> {
    let Expr::Call(c) = e else { return None };
    let Expr::Path(p) = &*c.func else { return None };
    (p.path.is_ident("Ok") && c.args.len() == 1).then(|| &c.args[0])
}

#[cfg(test)]
mod tests;
