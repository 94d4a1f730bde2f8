//! Items: fns, impls, traits, modules (test modules), structs, consts,
//! statics and key-builder fns.

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, FnArg, Stmt};

use super::facts::{
    KeyBuilder, RawFn, RawKey, RawLockedConnection, RawPart, RawStoredConnection, Recv, Root,
    TYPE_MAP_VALUE,
};
use super::names::{is_route_attr, is_setup_name};
use super::syntax::{
    is_int_type, is_test_attr, lit_num, macro_name, pat_idents, single_ident, text,
};
use super::types::{self, classify, collect_generics, TypeClass};
use super::value::Value;
use super::{optional, Walker};
use crate::model::{ConnTimeout, FnInfo, Origin, Span};

impl Walker {
    pub(super) fn item(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Fn(f) => {
                self.walk_fn(&f.sig, &f.attrs, &f.block);
            }
            syn::Item::Impl(i) => self.impl_item(i),
            syn::Item::Trait(t) => {
                for it in &t.items {
                    if let syn::TraitItem::Fn(f) = it {
                        if let Some(block) = &f.default {
                            self.walk_fn(&f.sig, &f.attrs, block);
                        }
                    }
                }
            }
            syn::Item::Mod(m) => self.mod_item(m),
            syn::Item::Struct(s) => self.struct_item(s),
            syn::Item::Enum(e) => self.enum_item(e),
            syn::Item::Type(t) => {
                let class = classify(&t.ty, &self.uses, &self.generics);
                if class != TypeClass::Other {
                    self.facts.aliases.push((t.ident.to_string(), class));
                }
            }
            syn::Item::Const(c) => self.const_item(&c.ident, &c.ty, &c.expr),
            syn::Item::Static(s) => self.static_item(s),
            syn::Item::Macro(m) if macro_name(&m.mac) == "lazy_static" => self.lazy_static(&m.mac),
            _ => {}
        }
    }

    /// An `impl` block: its fns and consts, with `Self` and the generics in
    /// scope.
    fn impl_item(&mut self, i: &syn::ItemImpl) {
        let test = is_test_attr(&i.attrs);
        self.test_depth += u32::from(test);
        let saved_impl = self.impl_type.take();
        let saved_generics = self.generics.clone();
        collect_generics(&i.generics, &mut self.generics);
        if let syn::Type::Path(p) = &*i.self_ty {
            self.impl_type = p.path.segments.last().map(|s| s.ident.to_string());
        }
        self.note_deref(i);
        for it in &i.items {
            match it {
                syn::ImplItem::Fn(f) => {
                    if let Some(t) = &self.impl_type {
                        let method = (t.clone(), f.sig.ident.to_string());
                        self.facts.impl_fns.push(method);
                    }
                    self.walk_fn(&f.sig, &f.attrs, &f.block)
                }
                syn::ImplItem::Const(c) => self.const_item(&c.ident, &c.ty, &c.expr),
                _ => {}
            }
        }
        self.impl_type = saved_impl;
        self.generics = saved_generics;
        self.test_depth -= u32::from(test);
    }

    /// `impl Deref for Cache { type Target = ConnectionManager; }`: what
    /// the newtype hands its unknown methods to; `impl TypeMapKey for K`:
    /// what a lookup by `K` returns.
    fn note_deref(&mut self, i: &syn::ItemImpl) {
        let Some((_, trait_path, _)) = &i.trait_ else {
            return;
        };
        let Some(trait_name) = trait_path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let Some(owner) = self.impl_type.clone() else {
            return;
        };
        // `impl TypeMapKey for KvClient { type Value = redis::Client; }`:
        // `data.get::<KvClient>()` hands out the value type.
        let (assoc, type_map) = match trait_name.as_str() {
            "Deref" => ("Target", false),
            "TypeMapKey" | "Key" => ("Value", true),
            // bb8 / r2d2 `ManageConnection`, deadpool `Manager`.
            "ManageConnection" | "Manager" => {
                self.note_pool_managed(i);
                return;
            }
            _ => return,
        };
        let target = i.items.iter().find_map(|it| match it {
            syn::ImplItem::Type(t) if t.ident == assoc => Some(&t.ty),
            _ => None,
        });
        let Some(class) = target.map(|ty| classify(ty, &self.uses, &self.generics)) else {
            return;
        };
        match (class, type_map) {
            // A map value that is not Redis is kept too: it proves the
            // lookup is not a connection.
            (class, true) => {
                let field = TYPE_MAP_VALUE.to_string();
                self.facts.structs.push((owner, field, class));
            }
            (TypeClass::Other, false) => {}
            (class, false) => self.facts.derefs.push((owner, class)),
        }
    }

    /// `type Connection = T;` (bb8, r2d2) / `type Type = T;` (deadpool) of a
    /// pool manager: the crate type the pool hands out.
    fn note_pool_managed(&mut self, i: &syn::ItemImpl) {
        for it in &i.items {
            let syn::ImplItem::Type(t) = it else { continue };
            if t.ident != "Connection" && t.ident != "Type" {
                continue;
            }
            if let TypeClass::Struct(name) = classify(&t.ty, &self.uses, &self.generics) {
                self.facts.pool_managed.push(name);
            }
        }
    }

    /// A module; a `#[cfg(test)] mod x;` declared here lives in another file.
    fn mod_item(&mut self, m: &syn::ItemMod) {
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

    /// A struct: fields that hold (locked or stored) connections, and the
    /// class of each field's type.
    fn struct_item(&mut self, s: &syn::ItemStruct) {
        let name = s.ident.to_string();
        let mut generics = self.generics.clone();
        collect_generics(&s.generics, &mut generics);
        for (i, field) in s.fields.iter().enumerate() {
            let fname = field_name(field, i);
            if is_unbound_param(&field.ty, &s.generics, &generics) {
                self.facts
                    .structs
                    .push((name.clone(), fname, TypeClass::Param));
                continue;
            }
            self.note_option_field(s, field, &fname);
            let shown = format!("{name}.{fname}");
            self.record_field(&name, fname, shown, &field.ty, &generics);
        }
    }

    /// A field of a struct (`owner.field`) or enum variant (`Variant.field`):
    /// a locked or stored connection, and its class for receivers reached
    /// through it.
    fn record_field(
        &mut self,
        owner: &str,
        field: String,
        shown: String,
        ty: &syn::Type,
        generics: &types::Generics,
    ) {
        if let Some((lock, kind)) = types::locked_connection(ty, &self.uses, generics) {
            self.facts.locked_connections.push(RawLockedConnection {
                span: Span::of(ty.span()),
                lock,
                kind,
                in_test: self.in_test(),
                field: (owner.to_string(), field.clone()),
                lazy: optional::lock_holds_option(ty),
            });
        }
        if let Some(kind) = types::stored_connection(ty, &self.uses, generics) {
            self.facts.stored_connections.push(RawStoredConnection {
                span: Span::of(ty.span()),
                owner: shown,
                kind,
                in_test: self.in_test(),
            });
        }
        let class = classify(ty, &self.uses, generics);
        if class != TypeClass::Other {
            self.facts.structs.push((owner.to_string(), field, class));
        }
    }

    /// An enum: each variant's fields are recorded like a struct's, named
    /// `Variant.field` (`Variant.0` for a tuple variant), so a match arm
    /// `RedisConn::Cluster(conn)` types `conn`.
    fn enum_item(&mut self, e: &syn::ItemEnum) {
        let name = e.ident.to_string();
        let mut generics = self.generics.clone();
        collect_generics(&e.generics, &mut generics);
        for v in &e.variants {
            for (i, field) in v.fields.iter().enumerate() {
                let fname = format!("{}.{}", v.ident, field_name(field, i));
                let shown = format!("{name}::{}", v.ident);
                self.record_field(&name, fname, shown, &field.ty, &generics);
            }
        }
    }

    /// A static: a script, a stored connection or client, or a const-like
    /// value.
    fn static_item(&mut self, s: &syn::ItemStatic) {
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

    pub(super) fn const_item(&mut self, ident: &syn::Ident, ty: &syn::Type, expr: &Expr) {
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
            if let Some(script) = super::lua_scripts::script_source(expr) {
                let in_test = self.in_test();
                self.facts.str_consts.push((name.clone(), script, in_test));
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

    pub(super) fn walk_fn(
        &mut self,
        sig: &syn::Signature,
        attrs: &[syn::Attribute],
        block: &syn::Block,
    ) {
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
            is_async: sig.asyncness.is_some(),
            is_handler: is_route_attr(attrs) || takes_tonic_request(sig, &self.uses),
            returns_result: returns_result(&sig.output),
            is_setup: is_setup_name(&name)
                || matches!(returns, Some(TypeClass::Redis(..)))
                || sig.output.to_token_stream().to_string().contains("Self"),
            ..FnInfo::default()
        };
        let raw = RawFn {
            info,
            is_test: self.in_test(),
            returns,
            owner: self.impl_type.clone(),
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
            let span = Span::of(sig.ident.span());
            let builder = KeyBuilder {
                name,
                params,
                key,
                span,
                owner: self.impl_type.clone(),
            };
            self.facts.builders.push(builder);
        }
        self.block(block);
        self.leave_fn();
        self.generics = saved_generics;
        self.test_depth -= u32::from(test);
    }

    pub(super) fn value_of_type(&self, ty: &syn::Type, origin: Origin) -> Value {
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
            TypeClass::Param => Value::Unknown,
        }
    }

    /// A fn whose result is a key built from literals and its parameters.
    pub(super) fn builder_key(&mut self, block: &syn::Block) -> Option<RawKey> {
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
}

/// A field's name, or its index in a tuple struct or variant.
fn field_name(field: &syn::Field, index: usize) -> String {
    field
        .ident
        .as_ref()
        .map_or_else(|| index.to_string(), |id| id.to_string())
}

/// `C` in `struct Repo<C> { con: C }`: one of the struct's own type
/// parameters, without a client bound (those are in `bound`).
fn is_unbound_param(ty: &syn::Type, own: &syn::Generics, bound: &types::Generics) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    let Some(ident) = p.path.get_ident() else {
        return false;
    };
    p.qself.is_none()
        && own.type_params().any(|t| t.ident == *ident)
        && !bound.contains_key(&ident.to_string())
}

/// A tonic service method: it is given the RPC as a `tonic::Request<T>`
/// and runs once per call, like a web handler.
fn takes_tonic_request(sig: &syn::Signature, uses: &types::UseMap) -> bool {
    sig.inputs.iter().any(|arg| {
        let FnArg::Typed(p) = arg else { return false };
        let syn::Type::Path(tp) = &*p.ty else {
            return false;
        };
        let full = uses.expand(&types::path_segments(&tp.path));
        full.first().is_some_and(|f| f == "tonic") && full.last().is_some_and(|l| l == "Request")
    })
}

/// `-> Result<..>`, `-> RedisResult<T>`, `-> anyhow::Result<()>`: a type
/// named like a `Result`.
fn returns_result(output: &syn::ReturnType) -> bool {
    let syn::ReturnType::Type(_, ty) = output else {
        return false;
    };
    matches!(&**ty, syn::Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident.to_string().ends_with("Result")))
}
