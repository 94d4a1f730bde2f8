//! Optional fields around commands: which commands run only while an
//! optional field holds a value (`if let Some(ttl) = self.ttl { con.expire(..) }`,
//! `self.config.ttl`, `cfg.ttl` of a `cfg: &Config` parameter), what the
//! code puts in fields, which structs have `Option` fields and which are
//! built with their `Default`, so that linking can tell an expiry that is
//! off unless someone sets it. Also lazily opened connections: a lock
//! around an `Option` of one, cloned out of the guard.

use quote::ToTokens;
use syn::{Expr, Type};

use super::facts::{FieldSet, Op, OptionField, OptionalRun, Recv, Root, SetValue};
use super::flow;
use super::types::path_segments;
use super::value::Value;
use super::Walker;

/// An optional field as an `Option` scrutinee reads it: the type the path
/// starts from, the fields on the way and the optional one.
#[derive(Clone)]
pub(super) struct OptionPath {
    root: String,
    through: Vec<String>,
    field: String,
    shown: String,
}

/// Derives that fill no field from outside the code (a derived `Default`
/// leaves an `Option` at `None`); any other (`Deserialize`, clap's
/// `Parser`, a builder) may set it from a config file, the command line or
/// a caller.
const INERT_DERIVES: &[&str] = &[
    "Default",
    "Debug",
    "Clone",
    "Copy",
    "PartialEq",
    "Eq",
    "Hash",
    "PartialOrd",
    "Ord",
    "Serialize",
];

/// Locks, and the pointers that may wrap a lock or its content.
const LOCKS: &[&str] = &["Mutex", "RwLock", "ReentrantMutex", "FairMutex", "RefCell"];
const POINTERS: &[&str] = &["Arc", "Rc", "Box"];

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

/// The last segment of a path type and its first type argument.
fn path_type(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let inner = match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    };
    Some((last.ident.to_string(), inner))
}

/// `Mutex<Option<MultiplexedConnection>>`, `Arc<RwLock<Option<..>>>`: a
/// lock whose content is an `Option` (through `Arc`, `Box`).
pub(super) fn lock_holds_option(ty: &Type) -> bool {
    fn content_is_option(ty: &Type) -> bool {
        match path_type(ty) {
            Some((name, _)) if name == "Option" => true,
            Some((name, Some(inner))) if POINTERS.contains(&name.as_str()) => {
                content_is_option(inner)
            }
            _ => false,
        }
    }
    match path_type(ty) {
        Some((name, Some(inner))) if LOCKS.contains(&name.as_str()) => content_is_option(inner),
        Some((name, Some(inner))) if POINTERS.contains(&name.as_str()) => lock_holds_option(inner),
        _ => false,
    }
}

/// The names in a struct's `#[derive(..)]` lists.
fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut names = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = a.parse_nested_meta(|meta| {
            if let Some(last) = meta.path.segments.last() {
                names.push(last.ident.to_string());
            }
            Ok(())
        });
    }
    names
}

/// The expression an `Option` is read from, without the `&`, `*`,
/// `.as_ref()`, `.clone()` and the like around it.
fn option_expr(e: &Expr) -> &Expr {
    match e {
        Expr::Reference(r) => option_expr(&r.expr),
        Expr::Paren(p) => option_expr(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => option_expr(&u.expr),
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(
                    m.method.to_string().as_str(),
                    "as_ref" | "as_deref" | "clone" | "copied" | "cloned"
                ) =>
        {
            option_expr(&m.receiver)
        }
        _ => e,
    }
}

impl Walker {
    /// The optional field an `Option` scrutinee reads: `self.ttl`,
    /// `self.config.ttl`, `cfg.ttl` of a typed parameter. A plain `Option`
    /// variable or parameter is none: its caller chooses.
    pub(super) fn option_path(&self, e: &Expr) -> Option<OptionPath> {
        let mut fields = Vec::new();
        let mut at = option_expr(e);
        while let Expr::Field(f) = at {
            let syn::Member::Named(name) = &f.member else {
                return None;
            };
            fields.push(name.to_string());
            at = &f.base;
        }
        let Expr::Path(base) = at else { return None };
        let ident = base.path.get_ident()?.to_string();
        let field = fields.first()?.clone();
        fields.reverse();
        let written = fields.join(".");
        let shown = match ident.as_str() {
            "self" => written,
            _ => format!("{ident}.{written}"),
        };
        fields.pop();
        let (root, mut through) = if ident == "self" {
            (self.impl_type.clone()?, Vec::new())
        } else {
            let Some(Value::Conn(Recv::Path {
                root: Root::Type { name, .. },
                ops,
            })) = self.lookup(&ident)
            else {
                return None;
            };
            let mut through = Vec::new();
            for op in ops {
                match op {
                    Op::Field(f) => through.push(f.clone()),
                    Op::Clone => {}
                    Op::Get | Op::Call(_) => return None,
                }
            }
            (name.clone(), through)
        };
        through.extend(fields);
        Some(OptionPath {
            root,
            through,
            field,
            shown,
        })
    }

    /// Walks `f`, a branch taken only while `field` holds a value, and
    /// records the commands written there.
    pub(super) fn while_set(&mut self, field: Option<OptionPath>, f: impl FnOnce(&mut Walker)) {
        let Some(path) = field else {
            return f(self);
        };
        let first = self.seq + 1;
        f(self);
        if self.seq >= first {
            self.facts.optional_runs.push(OptionalRun {
                root: path.root,
                through: path.through,
                field: path.field,
                shown: path.shown,
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

    /// A field of type `Option<..>` of the struct `s`.
    pub(super) fn note_option_field(
        &mut self,
        s: &syn::ItemStruct,
        field: &syn::Field,
        name: &str,
    ) {
        let is_option = path_type(&field.ty).is_some_and(|(n, _)| n == "Option");
        if !is_option {
            return;
        }
        let derives = derives(&s.attrs);
        // `#[cfg_attr(feature = "serde", derive(Deserialize))]`: a derive
        // under a condition may fill it too.
        let conditional = s.attrs.iter().any(|a| {
            a.path().is_ident("cfg_attr") && a.meta.to_token_stream().to_string().contains("derive")
        });
        let filled = conditional || derives.iter().any(|d| !INERT_DERIVES.contains(&d.as_str()));
        let public = matches!(field.vis, syn::Visibility::Public(_));
        self.facts.option_fields.push(OptionField {
            owner: s.ident.to_string(),
            field: name.to_string(),
            derived_default: derives.iter().any(|d| d == "Default"),
            set_outside: public || filled,
        });
    }

    /// `Config::default()` / `Self::default()`: the struct built with its
    /// `Default`.
    pub(super) fn note_default_call(&mut self, segs: &[String]) {
        let [.., ty, last] = segs else { return };
        if last != "default" || !ty.starts_with(|c: char| c.is_ascii_uppercase()) {
            return;
        }
        let owner = match ty.as_str() {
            "Self" => self.impl_type.clone(),
            "Default" => None,
            _ => Some(ty.clone()),
        };
        self.note_default_build(owner);
    }

    /// `Config { ttl: .., ..Default::default() }`: the fields not written
    /// take their default.
    pub(super) fn note_default_rest(&mut self, owner: Option<String>, rest: &Expr) {
        let Expr::Call(c) = rest else { return };
        let Expr::Path(p) = &*c.func else { return };
        let is_default = p.path.segments.last().is_some_and(|s| s.ident == "default");
        if is_default && c.args.is_empty() {
            self.note_default_build(owner);
        }
    }

    /// `let cfg: Config = Default::default();`: the annotation names the
    /// struct built with its `Default`.
    pub(super) fn note_typed_default(&mut self, ty: &Type, init: &Expr) {
        let Expr::Call(c) = init else { return };
        let Expr::Path(p) = &*c.func else { return };
        let segs = path_segments(&p.path);
        let called = matches!(segs.as_slice(), [d, f] if d == "Default" && f == "default");
        if called && c.args.is_empty() {
            self.note_default_build(path_type(ty).map(|(name, _)| name));
        }
    }

    fn note_default_build(&mut self, owner: Option<String>) {
        if let Some(owner) = owner {
            if !self.facts.default_builds.contains(&owner) {
                self.facts.default_builds.push(owner);
            }
        }
    }

    /// `guard.as_ref().unwrap().clone()`, `(*guard).clone()`: the
    /// connection kept in a field is cloned out (of its lock).
    pub(super) fn note_cloned_field(&mut self, recv: &Recv) {
        let Recv::Path {
            root: Root::Type {
                name,
                is_self: true,
            },
            ops,
        } = recv
        else {
            return;
        };
        let [Op::Field(field)] = ops.as_slice() else {
            return;
        };
        let entry = (name.clone(), field.clone());
        if !self.facts.cloned_fields.contains(&entry) {
            self.facts.cloned_fields.push(entry);
        }
    }
}
