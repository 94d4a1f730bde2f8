//! Calls kept to follow connections built inside a dependency read as
//! context (see [`RawFnCall`]): from an application into the dependency
//! (`Redis::new(cfg)` with `use libmcaptcha::redis::Redis`), and, in the
//! dependency itself, between its own fns (`Self::connect(cfg)`,
//! `cfg.connect()`). Nothing is kept in crates without such dependencies.

use super::facts::{FnTarget, RawFnCall, Recv, Root};
use super::{OwnCalls, Walker};
use crate::model::Span;

/// Path roots that never name a dependency (nor a crate type).
const NOT_TYPES: &[&str] = &["std", "core", "alloc"];

impl Walker {
    /// A call of the fn at the expanded path `full`.
    pub(super) fn note_path_fn_call(&mut self, full: &[String], span: Span) {
        let Some(first) = full.first() else {
            return;
        };
        let into_dependency = full.len() >= 2 && self.fn_calls.into.contains(first);
        // A one-word call is a fn of the module (`connect(url)`), not an
        // enum variant or a tuple struct (`Ok(..)`, `Single(url)`).
        let own = self.fn_calls.own == OwnCalls::Keep
            && !NOT_TYPES.contains(&first.as_str())
            && (full.len() >= 2 || first.starts_with(|c: char| c.is_lowercase()));
        if !into_dependency && !own {
            return;
        }
        let path: Vec<String> = full
            .iter()
            .map(|s| match (s.as_str(), &self.impl_type) {
                ("Self", Some(ty)) => ty.clone(),
                _ => s.clone(),
            })
            .collect();
        self.keep_fn_call(FnTarget::Path(path), span);
    }

    /// A method called on `recv`, inside a dependency (between its fns).
    pub(super) fn note_method_fn_call(&mut self, recv: &Recv, name: &str, span: Span) {
        let typed = matches!(
            recv,
            Recv::Path {
                root: Root::Type { .. },
                ..
            }
        );
        if self.fn_calls.own == OwnCalls::Keep && typed {
            let target = FnTarget::Method {
                recv: recv.clone(),
                name: name.to_string(),
            };
            self.keep_fn_call(target, span);
        }
    }

    fn keep_fn_call(&mut self, target: FnTarget, span: Span) {
        let call = RawFnCall {
            func: self.func(),
            target,
            span,
            in_loop: self.loop_ctx(&[]).is_some(),
            in_test: self.in_test(),
        };
        self.facts.fn_calls.push(call);
    }
}
