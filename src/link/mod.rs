//! Crate-wide resolution: joins the facts of every file of one crate into
//! the model the rules read. Consts and key-builder fns are substituted into
//! key templates, receivers are typed through the crate's struct fields,
//! statics and fn return types, and calls whose receiver turns out not to be
//! Redis are dropped.

use std::collections::{HashMap, HashSet};

use crate::extract::facts::{FileFacts, Op, RawArg, RawKey, RawPart, Recv, Root};
use crate::extract::types::TypeClass;
use crate::manifest::CrateManifest;
use crate::model::command;
use crate::model::key::{Key, Part};
use crate::model::Api;
use crate::model::{
    Call, Conn, ConnKind, CrateModel, Creation, CreationKind, DisabledTimeout, FileId, HelperCall,
};
use crate::model::{ConnTimeout, FnInfo, Form, FredTimeout, Lib, Origin, Timeout};

/// Options that say which code is linted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    /// Lint test code too (skipped by default).
    pub tests: bool,
}

/// Crate-wide symbol tables.
struct Symbols {
    /// (struct, field) → its class, per file that declares such a struct
    /// (two modules may each have an `AppState`).
    fields: HashMap<(String, String), Vec<(FileId, TypeClass)>>,
    statics: HashMap<String, TypeClass>,
    fn_returns: HashMap<String, TypeClass>,
    consts: HashMap<String, RawKey>,
    num_consts: HashMap<String, f64>,
    /// `Duration` consts, in milliseconds.
    duration_consts: HashMap<String, f64>,
    /// name → (params, template); `None` when several fns share the name
    /// with different templates.
    builders: HashMap<String, Option<(Vec<String>, RawKey)>>,
    routed: HashSet<String>,
    reexport_traits: bool,
}

impl Symbols {
    fn new(files: &[(FileId, &FileFacts)]) -> Symbols {
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
        }
        s
    }

    fn key(&self, raw: &RawKey) -> Key {
        let mut parts = Vec::new();
        self.expand(raw, &mut parts, 0);
        Key::from_parts(parts)
    }

    fn expand(&self, raw: &RawKey, out: &mut Vec<Part>, depth: u32) {
        for part in &raw.0 {
            match part {
                RawPart::Lit(s) => out.push(Part::Lit(s.clone())),
                RawPart::Hole(h) => out.push(Part::Hole(h.clone())),
                RawPart::Const(name) => match self.consts.get(name) {
                    Some(value) if depth < 8 => self.expand(value, out, depth + 1),
                    _ => out.push(Part::Hole(name.clone())),
                },
                RawPart::Call { name, args } => match self.builders.get(name) {
                    Some(Some((params, template))) if depth < 8 => {
                        let substituted = substitute(template, params, args);
                        self.expand(&substituted, out, depth + 1);
                    }
                    _ => out.push(Part::Hole(format!("{name}(..)"))),
                },
            }
        }
    }

    /// Resolves a receiver to a Redis connection, `Err(())` when it is
    /// proven not Redis, `Ok(None)` when unknown.
    fn recv(&self, recv: &Recv, file: FileId) -> Result<Option<Conn>, ()> {
        match recv {
            Recv::Known {
                lib,
                kind,
                origin,
                cloned,
            } => Ok(Some(Conn {
                lib: *lib,
                kind: *kind,
                origin: *origin,
                cloned: *cloned,
            })),
            Recv::NotRedis => Err(()),
            Recv::Unknown => Ok(None),
            Recv::Path { root, ops } => {
                let (mut class, mut origin) = match root {
                    Root::Type { name, .. } => (TypeClass::Struct(name.clone()), Origin::Param),
                    Root::Static(name) => match self.statics.get(name) {
                        Some(c) => (c.clone(), Origin::Shared),
                        None => return Ok(None),
                    },
                    Root::FnReturn(name) => match self.fn_returns.get(name) {
                        Some(c) => (c.clone(), Origin::Local),
                        None => return Ok(None),
                    },
                };
                let mut cloned = false;
                for op in ops {
                    match (op, &class) {
                        (Op::Field(f), TypeClass::Struct(s)) => {
                            match self.field(s, f, file) {
                                Some(c) => {
                                    class = c.clone();
                                    origin = Origin::Shared;
                                }
                                // A crate struct without that Redis field.
                                None if self.struct_known(s)
                                    && !self.fields.contains_key(&(s.clone(), f.clone())) =>
                                {
                                    return Err(())
                                }
                                None => return Ok(None),
                            }
                        }
                        (Op::Field(_), _) => return Ok(None),
                        (Op::Clone, _) => cloned = true,
                        (Op::Get, TypeClass::Redis(lib, ConnKind::Pool { cluster })) => {
                            class = TypeClass::Redis(*lib, ConnKind::Pooled { cluster: *cluster });
                        }
                        (Op::Get, _) => {}
                        (Op::Call(name), TypeClass::Struct(s)) => match self.fn_returns.get(name) {
                            Some(c @ TypeClass::Redis(..)) => class = c.clone(),
                            // A crate type's own method: the crate's wrapper.
                            _ if self.struct_known(s) => return Err(()),
                            // Another crate's type may hand out a connection.
                            _ => return Ok(None),
                        },
                        (Op::Call(_), TypeClass::Redis(..)) => return Ok(None),
                        (Op::Call(_), _) => return Err(()),
                    }
                }
                match class {
                    TypeClass::Redis(lib, kind) => Ok(Some(Conn {
                        lib,
                        kind,
                        origin,
                        cloned,
                    })),
                    // A crate-local type that is not a connection: its
                    // methods are the crate's own (wrappers are linted
                    // where they call Redis).
                    TypeClass::Struct(s) if self.struct_known(&s) => Err(()),
                    TypeClass::Struct(_) => Err(()),
                    TypeClass::Other => Err(()),
                }
            }
        }
    }

    /// A field's class, preferring the struct declared in the same file;
    /// `None` when the struct is unknown or several differ.
    fn field(&self, st: &str, field: &str, file: FileId) -> Option<TypeClass> {
        let decls = self.fields.get(&(st.to_string(), field.to_string()))?;
        if let Some((_, c)) = decls.iter().find(|(f, _)| *f == file) {
            return Some(c.clone());
        }
        let first = &decls.first()?.1;
        decls.iter().all(|(_, c)| c == first).then(|| first.clone())
    }

    fn struct_known(&self, name: &str) -> bool {
        self.fields.keys().any(|(s, _)| s == name)
    }

    /// A connection timeout with its consts substituted: `Millis` when they
    /// are known, `Unknown` when not.
    fn conn_timeout(&self, t: &ConnTimeout) -> ConnTimeout {
        match t {
            ConnTimeout::Named {
                name,
                unit_ms: Some(unit),
            } => self
                .num_consts
                .get(name)
                .map_or(ConnTimeout::Unknown, |n| ConnTimeout::Millis(n * unit)),
            ConnTimeout::Named {
                name,
                unit_ms: None,
            } => self
                .duration_consts
                .get(name)
                .map_or(ConnTimeout::Unknown, |ms| ConnTimeout::Millis(*ms)),
            other => other.clone(),
        }
    }

    fn timeout(&self, t: &Timeout) -> Timeout {
        match t {
            Timeout::Named(name) => match self.num_consts.get(name) {
                Some(n) => Timeout::Value(*n),
                None => t.clone(),
            },
            v => v.clone(),
        }
    }
}

/// Replaces a builder's parameter holes with the caller's arguments.
fn substitute(template: &RawKey, params: &[String], args: &[RawKey]) -> RawKey {
    let mut out = Vec::new();
    for part in &template.0 {
        match part {
            RawPart::Hole(h) => {
                match params.iter().position(|p| p == h).and_then(|i| args.get(i)) {
                    Some(arg) => out.extend(arg.0.iter().cloned()),
                    None => out.push(part.clone()),
                }
            }
            other => out.push(other.clone()),
        }
    }
    RawKey(out)
}

/// Builds the model of one crate from its files' facts.
pub fn resolve(
    manifest: CrateManifest,
    files: &[(FileId, &FileFacts)],
    scope: Scope,
) -> CrateModel {
    let symbols = Symbols::new(files);
    let mut model = CrateModel {
        manifest,
        ..CrateModel::default()
    };
    model.uses_cluster = files.iter().any(|(_, f)| f.uses_cluster);
    let script_consts: std::collections::HashSet<&str> = files
        .iter()
        .flat_map(|(_, f)| f.script_consts.iter().map(String::as_str))
        .collect();
    model.deadpool_manager_config = files.iter().any(|(_, f)| f.deadpool_manager_config);

    for (file_id, facts) in files {
        let fn_base = model.fns.len() as u32;
        for raw in &facts.fns {
            let mut info: FnInfo = raw.info.clone();
            info.is_handler |= symbols.routed.contains(&info.name);
            // A handler runs per request whatever its name says.
            info.is_setup &= !info.is_handler;
            if let Some(TypeClass::Struct(s)) = &raw.returns {
                info.is_setup |= symbols.struct_known(s)
                    && symbols.fields.iter().any(|((st, _), decls)| {
                        st == s && decls.iter().any(|(_, c)| matches!(c, TypeClass::Redis(..)))
                    });
            }
            model.fns.push(info);
        }
        let trusted = |api: Api| match api {
            Api::RedisRs => facts.imports_redis_traits,
            Api::Fred => facts.imports_fred,
        } || (symbols.reexport_traits && !facts.local_globs.is_empty());

        for raw in &facts.calls {
            if (raw.in_test || facts.all_test) && !scope.tests {
                continue;
            }
            if raw.command.is_empty() {
                continue;
            }
            // `redis::cmd(..)` and `Script` prove Redis by their path; a method
            // name needs a receiver that is not proven otherwise.
            let conn = match symbols.recv(&raw.recv, *file_id) {
                Err(()) if raw.form == Form::Method => continue,
                Err(()) => None,
                Ok(conn) => conn,
            };
            // A method name alone proves nothing: without a known receiver
            // the file must import the client's command traits.
            let weak = raw.weak_receiver || !trusted(raw.api) || (raw.alt && trusted(Api::RedisRs));
            if conn.is_none() && raw.form == Form::Method && weak {
                continue;
            }
            if let Some(c) = conn {
                if !c.kind.runs_commands() || (raw.form == Form::Method && c.lib.api() != raw.api) {
                    continue;
                }
            }
            let spec = command::spec(&raw.command);
            let (keys, opts) = match raw.form {
                Form::Raw | Form::RawUnnamed => {
                    raw_keys_and_opts(&raw.command, &raw.args, &symbols)
                }
                _ => {
                    let mut opts = raw.opts.clone();
                    opts.timeout = opts.timeout.as_ref().map(|t| symbols.timeout(t));
                    (raw.keys.iter().map(|k| symbols.key(k)).collect(), opts)
                }
            };
            let in_transaction = raw
                .pipe
                .is_some_and(|p| facts.pipes[p as usize].transaction);
            model.calls.push(Call {
                command: raw.command.clone(),
                spec,
                form: raw.form,
                keys,
                opts,
                conn,
                api: raw.api,
                span: raw.span,
                file: *file_id,
                func: fn_base + raw.func,
                seq: raw.seq,
                in_loop: raw.in_loop,
                pipe: raw.pipe.map(|p| pipe_id(*file_id, p)),
                in_transaction,
                result_len: raw.result_len,
                bound: raw.bound,
                in_handler: raw.in_handler_closure,
                swallowed: raw.swallowed,
                inputs: raw.inputs.clone(),
                gates: raw.gates.clone(),
                block: raw.block,
                loops: raw.loops.clone(),
                module_args: module_args(&raw.command, &raw.args, &symbols),
                name_span: raw.name_span,
                arg_spans: raw.arg_spans.clone(),
                padded_int_value: raw.padded_int_value,
                conn_binding: raw.conn_binding.clone(),
                cancellable: raw.cancellable,
                conn_field: conn_field(&raw.recv),
                awaited: raw.awaited,
            });
            model
                .by_seq
                .insert((*file_id, raw.seq), model.calls.len() - 1);
            if raw.command == "WATCH" {
                let first = model
                    .first_watch
                    .entry((*file_id, fn_base + raw.func))
                    .or_insert(raw.seq);
                *first = (*first).min(raw.seq);
            }
        }

        // Raw creation index in this file → index in `model.creations`.
        let mut creation_ids: HashMap<usize, usize> = HashMap::new();
        for (raw_idx, raw) in facts.creations.iter().enumerate() {
            if (raw.in_test || facts.all_test) && !scope.tests {
                continue;
            }
            // `get_connection()` on something that is not a redis Client.
            match symbols.recv(&raw.recv, *file_id) {
                Err(()) => continue,
                Ok(Some(c)) if c.lib != raw.lib && c.lib != Lib::RedisRs => continue,
                _ => {}
            }
            let func = fn_base + raw.func;
            let info = &mut model.fns[func as usize];
            let mut kind = raw.kind;
            if let CreationKind::FredClient {
                command_timeout,
                reconnect,
            } = kind
            {
                let command_timeout = match command_timeout {
                    FredTimeout::Missing if info.sets_fred_command_timeout => FredTimeout::Set,
                    t => t,
                };
                let reconnect = reconnect || info.sets_reconnect_policy;
                kind = CreationKind::FredClient {
                    command_timeout,
                    reconnect,
                };
            }
            let response_timeout = match kind {
                // The fred command timeout is written in a closure or a
                // `PerformanceConfig` literal of the same fn: one value
                // there is this client's; none or several, unknown.
                CreationKind::FredClient {
                    command_timeout: FredTimeout::Set,
                    ..
                } => {
                    let mut written = facts
                        .fred_command_timeouts
                        .iter()
                        .filter(|(f, _)| *f == raw.func)
                        .map(|(_, t)| symbols.conn_timeout(t));
                    match (written.next(), written.next()) {
                        (Some(t), None) => t,
                        _ => ConnTimeout::Unknown,
                    }
                }
                _ => symbols.conn_timeout(&raw.response_timeout),
            };
            if raw.in_init {
                info.is_setup = true;
            }
            if raw.in_handler_closure {
                info.is_handler = true;
                info.is_setup = false;
            }
            model.creations.push(Creation {
                kind,
                makes: raw.makes,
                lib: raw.lib,
                what: raw.what.clone(),
                span: raw.span,
                file: *file_id,
                func,
                seq: raw.seq,
                in_loop: raw.in_loop,
                binding: raw.binding.clone(),
                response_timeout,
            });
            creation_ids.insert(raw_idx, model.creations.len() - 1);
        }
        for (owner, field, raw_idx) in &facts.field_creations {
            if let Some(&id) = creation_ids.get(raw_idx) {
                model
                    .field_creations
                    .entry((owner.clone(), field.clone()))
                    .or_default()
                    .push(id);
            }
        }

        for (span, func, in_test) in &facts.fred_cluster_configs {
            if !(*in_test || facts.all_test) || scope.tests {
                model.fred_cluster_configs.push(crate::model::ConfigSite {
                    file: *file_id,
                    span: *span,
                    func: fn_base + func,
                });
            }
        }
        let scripts = facts.scripts.iter().map(|(t, in_test)| (t, *in_test));
        let const_scripts = facts
            .str_consts
            .iter()
            .filter(|(name, _, _)| script_consts.contains(name.as_str()))
            .map(|(_, t, in_test)| (t, *in_test));
        for (text, in_test) in scripts.chain(const_scripts) {
            let seen = model
                .scripts
                .iter()
                .any(|s| s.file == *file_id && s.text.span == text.span);
            if (!(in_test || facts.all_test) || scope.tests) && !seen {
                model.scripts.push(crate::model::LuaScript {
                    file: *file_id,
                    text: text.clone(),
                });
            }
        }
        for (span, text, in_test) in &facts.url_literals {
            if !(*in_test || facts.all_test) || scope.tests {
                model.url_literals.push(crate::model::UrlLiteral {
                    file: *file_id,
                    span: *span,
                    text: text.clone(),
                });
            }
        }
        for (span, lock, kind, in_test) in &facts.locked_connections {
            if !(*in_test || facts.all_test) || scope.tests {
                model
                    .locked_connections
                    .push(crate::model::LockedConnection {
                        file: *file_id,
                        span: *span,
                        lock: lock.clone(),
                        kind: *kind,
                    });
            }
        }
        for p in &facts.pubsub_uses {
            if (p.in_test || facts.all_test) && !scope.tests {
                continue;
            }
            if let Ok(Some(conn)) = symbols.recv(&p.recv, *file_id) {
                model.pubsub_uses.push(crate::model::PubSubUse {
                    file: *file_id,
                    span: p.span,
                    func: fn_base + p.func,
                    method: p.method.clone(),
                    conn,
                    in_handler: p.in_handler_closure,
                });
            }
        }
        for s in &facts.stored_connections {
            if !(s.in_test || facts.all_test) || scope.tests {
                model
                    .stored_connections
                    .push(crate::model::StoredConnection {
                        file: *file_id,
                        span: s.span,
                        owner: s.owner.clone(),
                        kind: s.kind,
                    });
            }
        }
        for (span, in_test) in &facts.disabled_timeouts {
            if !(*in_test || facts.all_test) || scope.tests {
                model.disabled_timeouts.push(DisabledTimeout {
                    span: *span,
                    file: *file_id,
                });
            }
        }
        for (name, index, command) in &facts.param_commands {
            model
                .param_commands
                .entry(name.clone())
                .or_default()
                .push((*index, command.clone()));
        }
        for (name, index) in &facts.expiring_params {
            model
                .expiring_helpers
                .entry(name.clone())
                .or_default()
                .push(*index);
        }
        for h in &facts.helper_calls {
            if (h.in_test || facts.all_test) && !scope.tests {
                continue;
            }
            model.helper_calls.push(HelperCall {
                func: fn_base + h.func,
                name: h.name.clone(),
                args: h.args.iter().map(|k| symbols.key(k)).collect(),
            });
        }
        for (i, p) in facts.pipes.iter().enumerate() {
            let exec = p
                .exec
                .as_ref()
                .and_then(|r| symbols.recv(r, *file_id).ok().flatten());
            let pipe = crate::model::Pipe {
                atomic: p.atomic,
                transaction: p.transaction,
                exec,
            };
            model.pipes.insert(pipe_id(*file_id, i as u32), pipe);
        }
        let flow = &mut model.flow;
        flow.uses
            .extend(facts.reply_uses.iter().map(|u| (*file_id, u.clone())));
        flow.retries
            .extend(facts.retries.iter().map(|r| (*file_id, r.clone())));
        for l in &facts.loops {
            flow.loops.insert((*file_id, l.id), l.clone());
        }
    }
    model
}

/// A module command's arguments, resolved (consts and key builders
/// substituted); other commands keep none.
fn module_args(command: &str, args: &[RawArg], symbols: &Symbols) -> Vec<Key> {
    if !crate::model::redis_modules::is_module_command(command) {
        return Vec::new();
    }
    args.iter()
        .map(|a| match &a.lit {
            Some(l) => Key::literal(l.clone()),
            None => symbols.key(&a.key),
        })
        .collect()
}

/// `self.con`, `state.redis.clone()`: the one struct field a receiver is
/// read from.
fn conn_field(recv: &Recv) -> Option<(String, String)> {
    let Recv::Path {
        root: Root::Type { name, .. },
        ops,
    } = recv
    else {
        return None;
    };
    let mut fields = ops.iter().filter(|op| !matches!(op, Op::Clone | Op::Get));
    match (fields.next(), fields.next()) {
        (Some(Op::Field(f)), None) => Some((name.clone(), f.clone())),
        _ => None,
    }
}

/// Pipe ids are per file; make them unique in the crate.
fn pipe_id(file: FileId, pipe: u32) -> u32 {
    (file << 12) | (pipe & 0xfff)
}

/// Keys and options of a raw command from its argument list.
fn raw_keys_and_opts(
    command: &str,
    args: &[RawArg],
    symbols: &Symbols,
) -> (Vec<Key>, crate::model::Opts) {
    let lits: Vec<Option<&str>> = args.iter().map(|a| a.lit.as_deref()).collect();
    let upper: Vec<Option<String>> = lits
        .iter()
        .map(|l| l.map(str::to_ascii_uppercase))
        .collect();
    let spec = command::spec(command);
    let positions = spec
        .map(|s| command::raw_key_positions(s.keys, &lits))
        .unwrap_or_default();
    let keys = positions
        .iter()
        .map(|&i| symbols.key(&args[i].key))
        .collect();
    let has = |word: &str| {
        upper
            .iter()
            .enumerate()
            .any(|(i, u)| !positions.contains(&i) && u.as_deref() == Some(word))
    };
    let mut opts = crate::model::Opts {
        expiry: ["EX", "PX", "EXAT", "PXAT", "KEEPTTL"]
            .iter()
            .any(|w| has(w)),
        nx: has("NX"),
        asynchronous: has("ASYNC"),
        sub: upper.first().cloned().flatten(),
        timeout: None,
        noack: has("NOACK"),
        trimmed: has("MAXLEN") || has("MINID"),
        // A script assembled at run time: literal parts around holes.
        formatted_script: command == "EVAL"
            && args.first().is_some_and(|a| {
                a.lit.is_none() && a.key.0.iter().any(|p| matches!(p, RawPart::Lit(_)))
            }),
        whole_list: command == "LRANGE"
            && lits.get(1..3).is_some_and(|r| r == [Some("0"), Some("-1")]),
        // SCAN cursor MATCH pattern.
        pattern: upper
            .iter()
            .position(|u| u.as_deref() == Some("MATCH"))
            .and_then(|i| lits.get(i + 1).copied().flatten())
            .map(str::to_string),
    };
    let timeout_at = |i: usize| -> Option<Timeout> {
        let arg = args.get(i)?;
        match &arg.lit {
            Some(l) => l.parse().ok().map(Timeout::Value),
            None => {
                Some(symbols.timeout(&Timeout::Named(arg.key.as_var().unwrap_or("?").to_string())))
            }
        }
    };
    if spec.is_some_and(|s| s.has(command::flags::BLOCKING)) {
        opts.timeout = match command {
            "BLMPOP" | "BZMPOP" => timeout_at(0),
            _ => args.len().checked_sub(1).and_then(timeout_at),
        };
    }
    if matches!(command, "XREAD" | "XREADGROUP") {
        if let Some(i) = upper.iter().position(|u| u.as_deref() == Some("BLOCK")) {
            opts.timeout = timeout_at(i + 1);
        }
    }
    (keys, opts)
}
