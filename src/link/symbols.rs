//! Crate-wide symbol tables: what every file of the crate declares (struct
//! fields, statics, fn return types, consts, key builders), and which of
//! several same-named structs a field access means.

use std::collections::{HashMap, HashSet};

use crate::extract::facts::{FileFacts, RawKey};
use crate::extract::types::TypeClass;
use crate::model::FileId;

/// Crate-wide symbol tables.
pub(super) struct Symbols {
    /// (struct, field) → its class, per file that declares such a struct
    /// (two modules may each have an `AppState`).
    pub fields: HashMap<(String, String), Vec<(FileId, TypeClass)>>,
    pub statics: HashMap<String, TypeClass>,
    pub fn_returns: HashMap<String, TypeClass>,
    pub consts: HashMap<String, RawKey>,
    pub num_consts: HashMap<String, f64>,
    /// `Duration` consts, in milliseconds.
    pub duration_consts: HashMap<String, f64>,
    /// name → (params, template); `None` when several fns share the name
    /// with different templates.
    pub builders: HashMap<String, Option<(Vec<String>, RawKey)>>,
    /// Fns registered as request handlers (web framework routes).
    pub routed: HashSet<String>,
    /// Some module re-exports the clients' command traits.
    pub reexport_traits: bool,
    /// `type Name = T;` → the class of `T`.
    pub aliases: HashMap<String, TypeClass>,
    /// Newtypes that deref to a class (`impl Deref for Cache`).
    pub derefs: HashMap<String, TypeClass>,
    /// (type, fn) of the crate's `impl` blocks.
    pub impl_fns: HashSet<(String, String)>,
}

impl Symbols {
    pub(super) fn new(files: &[(FileId, &FileFacts)]) -> Symbols {
        let mut s = Symbols {
            fields: HashMap::new(),
            statics: HashMap::new(),
            fn_returns: HashMap::new(),
            consts: HashMap::new(),
            num_consts: HashMap::new(),
            duration_consts: HashMap::new(),
            builders: HashMap::new(),
            routed: HashSet::new(),
            reexport_traits: false,
            aliases: HashMap::new(),
            derefs: HashMap::new(),
            impl_fns: HashSet::new(),
        };
        for (file_id, f) in files {
            for (st, field, class) in &f.structs {
                s.fields
                    .entry((st.clone(), field.clone()))
                    .or_default()
                    .push((*file_id, class.clone()));
            }
            s.statics.extend(f.statics.iter().cloned());
            s.fn_returns.extend(f.fn_returns.iter().cloned());
            s.consts.extend(f.consts.iter().cloned());
            s.num_consts.extend(f.num_consts.iter().cloned());
            s.duration_consts.extend(f.duration_consts.iter().cloned());
            for b in &f.builders {
                let entry = (b.params.clone(), b.key.clone());
                s.builders
                    .entry(b.name.clone())
                    .and_modify(|e| {
                        if e.as_ref() != Some(&entry) {
                            *e = None;
                        }
                    })
                    .or_insert(Some(entry));
            }
            s.routed.extend(f.routed.iter().cloned());
            s.reexport_traits |= f.reexports_traits;
            s.aliases.extend(f.aliases.iter().cloned());
            s.derefs.extend(f.derefs.iter().cloned());
            s.impl_fns.extend(f.impl_fns.iter().cloned());
        }
        s
    }

    /// A class with type aliases followed (`type Pool = deadpool_redis::Pool`),
    /// a few steps deep so that an alias of an alias is seen and a cycle
    /// ends.
    pub(super) fn unalias(&self, class: TypeClass) -> TypeClass {
        let mut class = class;
        for _ in 0..8 {
            match &class {
                TypeClass::Struct(name) => match self.aliases.get(name) {
                    Some(target) => class = target.clone(),
                    None => break,
                },
                _ => break,
            }
        }
        class
    }

    /// A field's class, preferring the struct declared in the same file;
    /// `None` when the struct is unknown or several differ.
    pub(super) fn field(&self, st: &str, field: &str, file: FileId) -> Option<TypeClass> {
        let decls = self.fields.get(&(st.to_string(), field.to_string()))?;
        if let Some((_, c)) = decls.iter().find(|(f, _)| *f == file) {
            return Some(c.clone());
        }
        let first = &decls.first()?.1;
        decls.iter().all(|(_, c)| c == first).then(|| first.clone())
    }

    pub(super) fn struct_known(&self, name: &str) -> bool {
        self.fields.keys().any(|(s, _)| s == name)
    }

    /// Whether the crate's struct `name` has a Redis connection field.
    pub(super) fn holds_connection(&self, name: &str) -> bool {
        self.fields.iter().any(|((st, _), decls)| {
            st == name && decls.iter().any(|(_, c)| matches!(c, TypeClass::Redis(..)))
        })
    }
}
