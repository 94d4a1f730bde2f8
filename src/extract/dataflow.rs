//! Data flow: where bindings' values come from (replies, files), the
//! replies that gate code, retries in loops, and how JSON replies are used.

use syn::spanned::Spanned;
use syn::{Expr, ExprMethodCall};

use super::syntax::{lit_str, strip_await};
use super::value::Value;
use super::{flow, Walker};
use crate::model::flow::{AttemptVia, ErrorPath, ReplyUse, RetryFact, Source, UseKind};
use crate::model::key::{parse_format, FormatPiece};
use crate::model::Span;

/// What a loop retries: a command or connection (by seq), or a helper fn
/// call (by its index among the file's helper calls).
pub(super) enum Attempt {
    Direct(u32),
    Helper(u32),
}

/// Most sources one binding records.
const MAX_SOURCES: usize = 256;

impl Walker {
    pub(super) fn flow_of_name(&self, name: &str) -> Option<&Vec<Source>> {
        let cx = self.fns.last()?;
        cx.flows.iter().rev().find_map(|s| s.get(name))
    }

    pub(super) fn bind_flow(&mut self, name: String, mut sources: Vec<Source>) {
        // Each binding holds the sources of those it is built from: without
        // a bound, `let b = a + con.get(k)?;` repeated grows them per line.
        // The latest sources (sorted last) are kept.
        if sources.len() > MAX_SOURCES {
            sources.drain(..sources.len() - MAX_SOURCES);
        }
        if let Some(scope) = self.cx().flows.last_mut() {
            scope.insert(name, sources);
        }
    }

    /// Adds sources to a binding where it lives (`buf` filled by
    /// `read_to_end(&mut buf)`).
    pub(super) fn add_flow(&mut self, name: &str, extra: Source) {
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
    pub(super) fn flow_of(&self, e: &Expr, calls_before: usize, summaries: bool) -> Vec<Source> {
        let ing = flow::ingredients(e, summaries);
        let mut out = ing.sources;
        // Each name once: a lookup walks every enclosing scope, and a name
        // read at each level of a deep nesting would be looked up per read.
        let mut names = ing.names;
        names.sort_unstable();
        names.dedup();
        for (name, decoded) in names {
            for s in self.flow_of_name(&name).into_iter().flatten() {
                out.push(*s);
                if let (true, Source::Reply(seq)) = (decoded, s) {
                    out.push(Source::Decoded(*seq));
                }
            }
        }
        out.extend(self.helpers_in(e).into_iter().map(Source::Helper));
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
    pub(super) fn gate_seqs(&self, e: &Expr, calls_before: usize) -> Vec<u32> {
        self.flow_of(e, calls_before, false)
            .into_iter()
            .filter_map(Source::reply_seq)
            .collect()
    }

    /// Walks `f` with the code depending on the replies of `seqs`.
    pub(super) fn gated<T>(&mut self, seqs: &[u32], f: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.cx().gates.len();
        self.cx().gates.extend_from_slice(seqs);
        let out = f(self);
        self.cx().gates.truncate(before);
        out
    }

    /// The call or creation a loop would retry: the last one made while
    /// evaluating an expression, a helper fn called in it, or the call
    /// whose reply a binding holds.
    pub(super) fn attempt(
        &self,
        e: &Expr,
        calls_before: usize,
        creations_before: usize,
    ) -> Option<Attempt> {
        let call = self.facts.calls[calls_before..].last().map(|c| c.seq);
        let made = self.facts.creations[creations_before..]
            .last()
            .map(|c| c.seq);
        if let Some(seq) = call.max(made) {
            return Some(Attempt::Direct(seq));
        }
        if let Some(i) = self.helpers_in(e).last() {
            return Some(Attempt::Helper(*i));
        }
        let Expr::Path(p) = strip_await(e) else {
            return None;
        };
        let name = p.path.get_ident()?.to_string();
        self.flow_of_name(&name)?.iter().find_map(|s| match s {
            Source::Reply(seq) => Some(Attempt::Direct(*seq)),
            Source::Helper(i) => Some(Attempt::Helper(*i)),
            _ => None,
        })
    }

    /// The helper fn calls inside `e`, by their index among the file's
    /// helper calls, in walk order. `e` was just walked: the calls recorded
    /// since its start are its own.
    fn helpers_in(&self, e: &Expr) -> Vec<u32> {
        let calls = &self.facts.helper_calls;
        if calls.is_empty() {
            return Vec::new();
        }
        let start = Span::of(flow::start_of(e)).start;
        let mut out: Vec<u32> = (0..calls.len())
            .rev()
            .take_while(|&i| calls[i].site.span.start >= start)
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        out.reverse();
        out
    }

    /// Records that the innermost loop goes round again after `attempt`
    /// fails.
    pub(super) fn note_retry(&mut self, attempt: Option<Attempt>, ok_exits: bool) {
        self.note_retry_via(attempt, ok_exits, ErrorPath::RestOfLoop);
    }

    /// Records a retry whose error is handled by a branch of its own.
    fn note_retry_via(&mut self, attempt: Option<Attempt>, ok_exits: bool, error_path: ErrorPath) {
        let Some(attempt) = attempt else { return };
        let Some(frame) = self
            .fns
            .last()
            .and_then(|f| f.loops.last())
            .and_then(|g| g.last())
        else {
            return;
        };
        let loop_id = frame.id;
        let (seq, via) = match attempt {
            Attempt::Direct(seq) => (seq, AttemptVia::Direct),
            Attempt::Helper(i) => {
                let h = &self.facts.helper_calls[i as usize];
                let via = AttemptVia::Helper {
                    span: h.site.span,
                    name: h.name.clone(),
                };
                (h.site.seq, via)
            }
        };
        self.facts.retries.push(RetryFact {
            loop_id,
            seq,
            via,
            ok_exits,
            error_path,
        });
    }

    /// A reply searched (`.contains`, `.iter().any`) or sorted by a key.
    pub(super) fn note_reply_use(&mut self, replies: &[u32], m: &ExprMethodCall) {
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
    pub(super) fn json_replies(&self, name: &str) -> Vec<u32> {
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
    pub(super) fn note_json_use(&mut self, name: &str, kind: UseKind, field: String, span: Span) {
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
    pub(super) fn look_into(&mut self, root: &Expr, field: Option<String>) -> Value {
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
    pub(super) fn note_inline_captures(&mut self, format: Option<&Expr>) {
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
    pub(super) fn note_file_read(
        &mut self,
        root: &Expr,
        root_name: Option<&str>,
        m: &ExprMethodCall,
    ) {
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
    /// (An `Err` arm that panics is noted on the way.)
    pub(super) fn note_match_retry(&mut self, m: &syn::ExprMatch, calls: usize, made: usize) {
        self.note_match_err_panic(m, calls, made);
        if !self.in_loop() {
            return;
        }
        let mut ok_exits = false;
        let mut err_stays = false;
        let mut paths = Vec::new();
        for arm in &m.arms {
            match flow::pattern_ctor(&arm.pat).as_deref() {
                Some("Ok") => ok_exits |= flow::leaves_somewhere(&arm.body),
                Some("Err") => {
                    err_stays |= !flow::always_leaves(&arm.body);
                    paths.push(flow::error_path(&arm.body));
                }
                _ => {}
            }
        }
        if err_stays {
            let attempt = self.attempt(&m.expr, calls, made);
            self.note_retry_via(attempt, ok_exits, combined(&paths));
        }
    }

    /// `if let Ok(c) = attempt() { return c }` (the error falls through) and
    /// `if let Err(e) = attempt() { log(e) }` in a loop.
    /// (An `if let Err(..)` that panics is noted on the way.)
    pub(super) fn note_if_retry(&mut self, i: &syn::ExprIf, calls: usize, made: usize) {
        self.note_if_err_panic(i, calls, made);
        let Expr::Let(l) = &*i.cond else { return };
        if !self.in_loop() {
            return;
        }
        let else_leaves = i
            .else_branch
            .as_ref()
            .is_some_and(|(_, e)| flow::always_leaves(e));
        let (retries, ok_exits, error_path) = match flow::pattern_ctor(&l.pat).as_deref() {
            Some("Ok") => (
                !else_leaves,
                flow::block_leaves_somewhere(&i.then_branch),
                i.else_branch
                    .as_ref()
                    .map_or(ErrorPath::RestOfLoop, |(_, e)| flow::error_path(e)),
            ),
            Some("Err") => (
                !flow::block_leaves(&i.then_branch),
                else_leaves,
                flow::block_error_path(&i.then_branch),
            ),
            _ => return,
        };
        if retries {
            let attempt = self.attempt(&l.expr, calls, made);
            self.note_retry_via(attempt, ok_exits, error_path);
        }
    }
}

/// How the `Err` arms of one `match` wait, together: every one waits, none
/// does, or some paths go round at once.
fn combined(paths: &[ErrorPath]) -> ErrorPath {
    if paths.iter().all(|p| *p == ErrorPath::Waits) {
        ErrorPath::Waits
    } else if paths.iter().all(|p| *p == ErrorPath::NeverWaits) {
        ErrorPath::NeverWaits
    } else {
        ErrorPath::WaitsSometimes
    }
}
