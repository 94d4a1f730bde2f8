//! Redis errors turned into panics where the fn could return them:
//! `.unwrap()` / `.expect(..)` on a command's or connection's result, and
//! an error branch that panics.

use syn::spanned::Spanned;
use syn::{Expr, ExprMethodCall};

use super::dataflow::Attempt;
use super::flow;
use super::syntax::macro_name;
use super::Walker;
use crate::model::flow::{ErrorPanic, PanicHow};
use crate::model::Span;

impl Walker {
    /// Whether an error met here could be handed to the caller instead: the
    /// fn returns a `Result` and is not `main`, and the code is not inside a
    /// closure or async block (their errors go elsewhere).
    fn may_propagate(&self) -> bool {
        let Some(cx) = self.fns.last() else {
            return false;
        };
        let info = &self.facts.fns[cx.id as usize].info;
        self.nest == 0 && info.returns_result && !info.is_main
    }

    /// `.unwrap()` / `.expect(..)` straight on the result of the call or
    /// creation with this seq.
    pub(super) fn note_unwrap(&mut self, seq: u32, m: &ExprMethodCall) {
        let how = match m.method.to_string().as_str() {
            "unwrap" => PanicHow::Unwrap,
            "expect" => PanicHow::Expect,
            _ => return,
        };
        if !self.may_propagate() {
            return;
        }
        let span = Span::join(m.method.span(), m.paren_token.span.close());
        let in_test = self.in_test();
        self.facts.panics.push(ErrorPanic {
            seq,
            span,
            how,
            in_test,
        });
    }

    /// `if let Err(e) = attempt { panic!(..) }`.
    pub(super) fn note_if_err_panic(&mut self, i: &syn::ExprIf, calls: usize, made: usize) {
        let Expr::Let(l) = &*i.cond else { return };
        if flow::pattern_ctor(&l.pat).is_none_or(|c| c != "Err") {
            return;
        }
        if let Some(span) = block_panic(&i.then_branch) {
            self.note_err_branch(&l.expr, (calls, made), span);
        }
    }

    /// `match attempt { Err(e) => panic!(..), .. }`.
    pub(super) fn note_match_err_panic(&mut self, m: &syn::ExprMatch, calls: usize, made: usize) {
        let panic = m.arms.iter().find_map(|arm| {
            flow::pattern_ctor(&arm.pat)
                .is_some_and(|c| c == "Err")
                .then(|| expr_panic(&arm.body))
                .flatten()
        });
        if let Some(span) = panic {
            self.note_err_branch(&m.expr, (calls, made), span);
        }
    }

    fn note_err_branch(&mut self, scrutinee: &Expr, before: (usize, usize), span: Span) {
        if !self.may_propagate() {
            return;
        }
        let Some(Attempt::Direct(seq)) = self.attempt(scrutinee, before.0, before.1) else {
            return;
        };
        let in_test = self.in_test();
        self.facts.panics.push(ErrorPanic {
            seq,
            span,
            how: PanicHow::ErrBranch,
            in_test,
        });
    }
}

/// The `panic!` (or `unreachable!`) a branch always reaches, at its top
/// level.
fn expr_panic(e: &Expr) -> Option<Span> {
    match e {
        Expr::Macro(m) => macro_panic(&m.mac),
        Expr::Block(b) => block_panic(&b.block),
        _ => None,
    }
}

fn block_panic(b: &syn::Block) -> Option<Span> {
    b.stmts.iter().find_map(|s| match s {
        syn::Stmt::Expr(e, _) => expr_panic(e),
        syn::Stmt::Macro(m) => macro_panic(&m.mac),
        _ => None,
    })
}

fn macro_panic(m: &syn::Macro) -> Option<Span> {
    matches!(macro_name(m).as_str(), "panic" | "unreachable").then(|| Span::of(m.span()))
}
