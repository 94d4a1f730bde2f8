//! Optional fields around commands: which commands run only while a field
//! of `self` holds a value (`if let Some(ttl) = self.ttl { con.expire(..) }`),
//! and what the code puts in fields, so that linking can tell an expiry
//! that is off unless someone sets it.

use syn::Expr;

use super::facts::{FieldSet, OptionalRun, SetValue};
use super::flow;
use super::Walker;

/// The field of `self` an `Option` scrutinee reads: `self.ttl`, through
/// `&`, `*`, `.as_ref()`, `.clone()` and the like.
pub(super) fn self_field(e: &Expr) -> Option<String> {
    match e {
        Expr::Reference(r) => self_field(&r.expr),
        Expr::Paren(p) => self_field(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self_field(&u.expr),
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(
                    m.method.to_string().as_str(),
                    "as_ref" | "as_deref" | "clone" | "copied" | "cloned"
                ) =>
        {
            self_field(&m.receiver)
        }
        Expr::Field(f) => {
            let Expr::Path(base) = &*f.base else {
                return None;
            };
            let syn::Member::Named(name) = &f.member else {
                return None;
            };
            base.path.is_ident("self").then(|| name.to_string())
        }
        _ => None,
    }
}

/// Whether a pattern matches only a value (`Some(t)`).
pub(super) fn holds_value(p: &syn::Pat) -> bool {
    flow::pattern_ctor(p).is_some_and(|c| c == "Some")
}

/// What a value put in a field is.
fn set_value(e: &Expr) -> SetValue {
    match e {
        Expr::Path(p) if p.path.is_ident("None") => SetValue::Nothing,
        Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Some")) => {
            SetValue::Something
        }
        _ => SetValue::Other,
    }
}

impl Walker {
    /// Walks `f`, a branch taken only while `field` of `self` holds a
    /// value, and records the commands written there.
    pub(super) fn while_set(&mut self, field: Option<String>, f: impl FnOnce(&mut Walker)) {
        let Some(field) = field else {
            return f(self);
        };
        let first = self.seq + 1;
        f(self);
        if self.seq >= first {
            self.facts.optional_runs.push(OptionalRun {
                owner: self.impl_type.clone(),
                field,
                seqs: first..self.seq + 1,
            });
        }
    }

    /// A value put in a field: `Cache { ttl: None }` (`owner` named or
    /// `Self`), `self.ttl = Some(t)`, `cache.ttl = ttl` (owner unknown).
    pub(super) fn note_field_set(&mut self, owner: Option<String>, field: String, value: &Expr) {
        let set = FieldSet {
            owner,
            field,
            value: set_value(value),
        };
        if !self.facts.field_sets.contains(&set) {
            self.facts.field_sets.push(set);
        }
    }

    /// `x.field = value`: the owner is the `impl` type when `x` is `self`.
    pub(super) fn note_field_assign(&mut self, a: &syn::ExprAssign) {
        let Expr::Field(f) = &*a.left else { return };
        let syn::Member::Named(name) = &f.member else {
            return;
        };
        let on_self = matches!(&*f.base, Expr::Path(p) if p.path.is_ident("self"));
        let owner = on_self.then(|| self.impl_type.clone()).flatten();
        self.note_field_set(owner, name.to_string(), &a.right);
    }
}
