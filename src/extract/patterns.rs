//! Patterns: what the names a pattern binds hold. A tuple variant of a
//! crate enum (`RedisConn::Cluster(conn)`) types its bindings by the
//! variant's fields; `Some(x)`, `Ok(x)`, `State(x)` hand the matched value
//! through; a struct pattern reads fields of a typed value.

use syn::Pat;

use super::facts::{Op, Recv, Root};
use super::syntax::pat_idents;
use super::value::{push_op, Value};
use super::Walker;

impl Walker {
    /// Binds every name of `pat`, matched against `value`.
    pub(super) fn bind_pattern(&mut self, pat: &Pat, value: Value) {
        match pat {
            Pat::Ident(p) => match &p.subpat {
                None => self.bind(p.ident.to_string(), value),
                Some((_, sub)) => {
                    self.bind(p.ident.to_string(), value.clone());
                    self.bind_pattern(sub, value);
                }
            },
            Pat::Type(t) => self.bind_pattern(&t.pat, value),
            Pat::Reference(r) => self.bind_pattern(&r.pat, value),
            Pat::Paren(p) => self.bind_pattern(&p.pat, value),
            Pat::TupleStruct(t) => match self.variant_owner(&t.path) {
                Some((owner, variant)) => {
                    for (i, elem) in t.elems.iter().enumerate() {
                        let field = variant_field(&owner, &variant, &i.to_string());
                        self.bind_pattern(elem, field);
                    }
                }
                None if t.elems.len() == 1 => self.bind_pattern(&t.elems[0], value),
                None => self.bind_unknown(pat),
            },
            Pat::Struct(s) => {
                let owner = self.variant_owner(&s.path);
                for field in &s.fields {
                    let syn::Member::Named(member) = &field.member else {
                        self.bind_unknown(&field.pat);
                        continue;
                    };
                    let held = match (&owner, &value) {
                        (Some((o, v)), _) => variant_field(o, v, &member.to_string()),
                        (None, Value::Conn(recv @ Recv::Path { .. })) => {
                            Value::Conn(push_op(recv.clone(), Op::Field(member.to_string())))
                        }
                        _ => Value::Unknown,
                    };
                    self.bind_pattern(&field.pat, held);
                }
            }
            Pat::Tuple(t) => {
                for elem in &t.elems {
                    self.bind_pattern(elem, Value::Unknown);
                }
            }
            Pat::Or(o) => {
                if let Some(first) = o.cases.first() {
                    self.bind_pattern(first, value);
                }
            }
            _ => self.bind_unknown(pat),
        }
    }

    fn bind_unknown(&mut self, pat: &Pat) {
        let mut names = Vec::new();
        pat_idents(pat, &mut names);
        names.into_iter().for_each(|n| self.bind(n, Value::Unknown));
    }

    /// `RedisConn::Single` / `Self::Single`: the enum and the variant. A
    /// one-segment path (`Some`, `Ok`, `State`) or one through a module
    /// (`axum::extract::State`) is not read as a crate enum's variant.
    fn variant_owner(&self, path: &syn::Path) -> Option<(String, String)> {
        let n = path.segments.len();
        if n < 2 {
            return None;
        }
        let variant = path.segments[n - 1].ident.to_string();
        let owner = path.segments[n - 2].ident.to_string();
        let owner = match owner.as_str() {
            "Self" => self.impl_type.clone()?,
            o if o.starts_with(|c: char| c.is_ascii_uppercase()) => owner,
            _ => return None,
        };
        Some((owner, variant))
    }
}

/// The value a variant's field holds, resolved against the crate's enums
/// when linking.
fn variant_field(owner: &str, variant: &str, field: &str) -> Value {
    Value::Conn(Recv::Path {
        root: Root::Type {
            name: owner.to_string(),
            is_self: false,
        },
        ops: vec![Op::Field(format!("{variant}.{field}"))],
    })
}
