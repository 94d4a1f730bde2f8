//! Commands: recording a call (method, raw or script form) with its
//! arguments, keys, options and context.

use syn::spanned::Spanned;
use syn::{Expr, ExprMethodCall};

use super::clients::{fred, methods, redis_rs};
use super::facts::{RawArg, RawCall, RawKey, Recv};
use super::lua_scripts::script_source;
use super::syntax::{is_none, lit_num, lit_str, literal_list, pair_values, strip_await, text};
use super::value::Value;
use super::{redis_modules, Walker};
use crate::model::flow::Source;
use crate::model::{command, Api, Form, LoopCtx, Opts, Span, Timeout};

pub(super) struct CallSpec {
    pub(super) command: String,
    pub(super) form: Form,
    pub(super) keys: Vec<RawKey>,
    pub(super) args: Vec<RawArg>,
    /// What flows into the arguments.
    pub(super) inputs: Vec<Source>,
    pub(super) opts: Opts,
    pub(super) recv: Recv,
    pub(super) api: Api,
    pub(super) span: Span,
    pub(super) pipe: Option<u32>,
}

impl CallSpec {
    /// A redis-rs raw command whose name is not written here (`Cmd::new()`
    /// before its `.arg("NAME")`, or a `Cmd` built out of sight) run on
    /// `recv`.
    pub(super) fn unnamed(recv: Recv, span: Span) -> CallSpec {
        CallSpec::redis_rs(String::new(), Form::RawUnnamed, Vec::new(), recv, span)
    }

    /// A redis-rs command sent on `recv` with these keys and no other
    /// arguments or options known here.
    pub(super) fn redis_rs(
        command: String,
        form: Form,
        keys: Vec<RawKey>,
        recv: Recv,
        span: Span,
    ) -> CallSpec {
        CallSpec {
            command,
            form,
            keys,
            args: Vec::new(),
            inputs: Vec::new(),
            opts: Opts::default(),
            recv,
            api: Api::RedisRs,
            span,
            pipe: None,
        }
    }
}

impl Walker {
    /// Looks the method up in a client's table; emits the call when found.
    pub(super) fn command_method(
        &mut self,
        api: Api,
        recv: Recv,
        m: &ExprMethodCall,
        pipe: Option<u32>,
    ) -> bool {
        let name = m.method.to_string();
        let args: Vec<&Expr> = m.args.iter().collect();
        let Some(spec) = methods::lookup(api, &name, args.len()) else {
            return false;
        };
        let span = Span::join(m.method.span(), m.paren_token.span.close());
        let calls = self.facts.calls.len();
        self.method_call(api, spec, recv, &args, span, pipe);
        self.name_last_call(m.method.span());
        if let Some(call) = self.facts.calls.get_mut(calls) {
            call.method = Some(name);
        }
        true
    }

    /// Records where the name of the command just emitted is written.
    pub(super) fn name_last_call(&mut self, name: proc_macro2::Span) {
        if let Some(call) = self.facts.calls.last_mut() {
            call.name_span = Some(Span::of(name));
        }
    }

    /// Records a call of a command method (`con.set(k, v)`, `Cmd::get(k)`,
    /// `pipe.incr(k, 1)`) found in a client's table.
    pub(super) fn method_call(
        &mut self,
        api: Api,
        spec: &'static methods::MethodSpec,
        recv: Recv,
        args: &[&Expr],
        span: Span,
        pipe: Option<u32>,
    ) {
        let calls = self.facts.calls.len();
        for a in args {
            self.eval(a);
        }
        let mut inputs: Vec<Source> = Vec::new();
        for a in args {
            inputs.extend(self.flow_of(a, calls, true));
        }
        inputs.sort();
        inputs.dedup();
        let keys = self.spec_keys(spec.keys, args);
        let mut command = spec.command.to_string();
        let mut opts = Opts::default();
        if let Some(t) = spec.timeout {
            opts.timeout = args.get(t).and_then(|a| self.timeout_of(a));
        }
        match api {
            Api::RedisRs => redis_rs::method_opts(self, spec.method, args, &mut opts, &mut command),
            Api::Fred => fred::method_opts(self, spec.method, args, &mut opts),
        }
        if spec.method == "lrange" {
            opts.whole_list = lit_num(args[1]) == Some(0.0) && lit_num(args[2]) == Some(-1.0);
        }
        let words = self.module_args(api, spec, args);
        self.emit(CallSpec {
            command,
            form: Form::Method,
            keys,
            args: words,
            inputs,
            opts,
            recv,
            api,
            span,
            pipe,
        });
        let padded = self.padded_value(api, spec.method, args);
        if let Some(call) = self.facts.calls.last_mut() {
            call.arg_spans = args.iter().map(|a| Span::of(a.span())).collect();
            call.padded_int_value = padded;
        }
    }

    /// The keys among a command method's arguments.
    fn spec_keys(&mut self, at: methods::ArgKeys, args: &[&Expr]) -> Vec<RawKey> {
        let mut keys = Vec::new();
        match at {
            methods::ArgKeys::None => {}
            methods::ArgKeys::At(positions) => {
                for &p in positions {
                    if let Some(a) = args.get(p) {
                        keys.extend(self.key_args(a));
                    }
                }
            }
            methods::ArgKeys::PairsAt(p) => {
                if let Some(a) = args.get(p) {
                    keys.extend(self.pair_keys(a));
                }
            }
        }
        keys
    }

    /// The argument words of a module command method (`ft_search(index,
    /// query, options)`); options passed by name read as the literal they
    /// were bound to. Other commands keep their arguments unread.
    fn module_args(
        &mut self,
        api: Api,
        spec: &'static methods::MethodSpec,
        args: &[&Expr],
    ) -> Vec<RawArg> {
        if !crate::model::redis_modules::is_module_command(spec.command) {
            return Vec::new();
        }
        let resolved: Vec<Expr> = args
            .iter()
            .map(|a| {
                let name = match strip_await(a) {
                    Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                    _ => None,
                };
                name.and_then(|n| self.bound_literals.get(&n).cloned())
                    .unwrap_or_else(|| (*a).clone())
            })
            .collect();
        let resolved: Vec<&Expr> = resolved.iter().collect();
        redis_modules::method_words(api, spec.method, &resolved)
            .unwrap_or_default()
            .into_iter()
            .map(|w| self.module_word(w))
            .collect()
    }

    /// The first value of a SET / HSET method call that is a padded integer.
    pub(super) fn padded_value(&self, api: Api, method: &str, args: &[&Expr]) -> Option<Span> {
        let values: Vec<&Expr> = match (api, method) {
            (_, "set" | "set_ex" | "set_nx" | "set_options" | "pset_ex" | "getset") => {
                args.get(1).copied().into_iter().collect()
            }
            (Api::RedisRs, "hset" | "hset_nx") => args.get(2).copied().into_iter().collect(),
            // `(field, value)` pairs: a tuple, or a slice / vec / array of them.
            (Api::RedisRs, "hset_multiple") | (Api::Fred, "hset") => {
                let mut out = Vec::new();
                if let Some(a) = args.get(1) {
                    pair_values(a, &mut out);
                }
                out
            }
            _ => Vec::new(),
        };
        values
            .into_iter()
            .find(|v| self.is_padded_int(v))
            .map(|v| Span::of(v.span()))
    }

    pub(super) fn timeout_of(&mut self, e: &Expr) -> Option<Timeout> {
        if let Some(n) = lit_num(e) {
            return Some(Timeout::Value(n));
        }
        match e {
            Expr::Call(c) if text(&c.func) == "Some" && c.args.len() == 1 => {
                self.timeout_of(&c.args[0])
            }
            Expr::Path(p) if is_none(e) => {
                let _ = p;
                None
            }
            Expr::Path(p) => {
                let name = p.path.segments.last()?.ident.to_string();
                match self.lookup(&name) {
                    Some(Value::Num(n)) => Some(Timeout::Value(*n)),
                    _ => Some(Timeout::Named(name)),
                }
            }
            Expr::Reference(r) => self.timeout_of(&r.expr),
            Expr::Paren(p) => self.timeout_of(&p.expr),
            Expr::Cast(c) => self.timeout_of(&c.expr),
            _ => Some(Timeout::Named(text(e))),
        }
    }

    pub(super) fn raw_arg(&mut self, e: &Expr) -> RawArg {
        self.eval(e);
        let lit = lit_str(e).or_else(|| lit_num(e).map(|n| n.to_string()));
        RawArg {
            lit,
            key: self.key_of(e),
        }
    }

    /// A module method's argument word as a raw argument (the expression
    /// was evaluated with the call's other arguments already).
    pub(super) fn module_word(&mut self, w: redis_modules::Word) -> RawArg {
        match w {
            redis_modules::Word::Lit(s) => RawArg {
                lit: Some(s.clone()),
                key: RawKey::lit(s),
            },
            redis_modules::Word::Expr(e) => RawArg {
                lit: lit_str(e).or_else(|| lit_num(e).map(|n| n.to_string())),
                key: self.key_of(e),
            },
            redis_modules::Word::Unknown => RawArg {
                lit: None,
                key: RawKey::hole("…"),
            },
        }
    }

    /// Adds `.arg(e)` (written at `link`) to a raw command.
    pub(super) fn push_arg(&mut self, idx: usize, e: &Expr, link: Span) {
        // `.arg(&["SCHEMA", "title", "TEXT"])`: redis-rs sends each element
        // as its own argument. Module commands are built this way often
        // enough to matter; other commands keep one argument per `.arg`.
        let is_module =
            crate::model::redis_modules::is_module_command(&self.facts.calls[idx].command);
        if let (true, Some(items)) = (is_module, literal_list(e)) {
            for item in &items {
                self.push_arg(idx, item, link);
            }
            return;
        }
        let call = &self.facts.calls[idx];
        let n = call.args.len();
        // SET key value; HSET key field value [field value …].
        let value_slot = match call.command.as_str() {
            "SET" => n == 1,
            "HSET" => n >= 2 && n % 2 == 0,
            _ => false,
        } && call.padded_int_value.is_none();
        if matches!(call.command.as_str(), "EVAL" | "EVAL_RO") && n == 0 {
            self.note_script(e);
        }
        if value_slot && self.is_padded_int(e) {
            self.facts.calls[idx].padded_int_value = Some(Span::of(e.span()));
        }
        let calls = self.facts.calls.len();
        let arg = self.raw_arg(e);
        for source in self.flow_of(e, calls, true) {
            let inputs = &mut self.facts.calls[idx].inputs;
            if !inputs.contains(&source) {
                inputs.push(source);
            }
        }
        let call = &mut self.facts.calls[idx];
        if call.command.is_empty() {
            if let Some(name) = &arg.lit {
                call.command = command::canonical(name);
                call.name_span = Some(Span::of(e.span()));
            }
            return;
        }
        call.arg_spans.push(link);
        let mut mentions = Vec::new();
        arg.key.mentions(&mut mentions);
        call.args.push(arg);
        if let Some(ctx) = call.in_loop {
            if !ctx.key_from_item {
                let updated = self.loop_ctx(&mentions);
                if let Some(u) = updated {
                    self.facts.calls[idx].in_loop = Some(LoopCtx {
                        key_from_item: u.key_from_item,
                        ..ctx
                    });
                }
            }
        }
    }

    /// Starts a raw command (`redis::cmd(name)`); `None` when the name is
    /// not a literal.
    pub(super) fn raw_cmd(&mut self, name: &Expr, span: Span, api: Api) -> Option<usize> {
        let command = command::canonical(&lit_str(name)?);
        self.emit(CallSpec {
            command,
            form: Form::Raw,
            keys: Vec::new(),
            args: Vec::new(),
            inputs: Vec::new(),
            opts: Opts::default(),
            recv: Recv::Unknown,
            api,
            span,
            pipe: None,
        });
        self.name_last_call(name.span());
        Some(self.facts.calls.len() - 1)
    }

    pub(super) fn emit(&mut self, c: CallSpec) {
        let mut mentions = Vec::new();
        c.keys.iter().for_each(|k| k.mentions(&mut mentions));
        c.args.iter().for_each(|a| a.key.mentions(&mut mentions));
        let in_loop = self.loop_ctx(&mentions);
        let seq = self.next_seq();
        let func = self.func();
        // A command on a key parameter: callers' keys get it too (and an
        // expiry set on it covers them).
        let key_param = c.keys.first().and_then(RawKey::as_var).and_then(|var| {
            let cx = self.fns.last().expect("a fn context is always open");
            cx.params
                .iter()
                .filter(|p| *p != "self")
                .position(|p| p == var)
        });
        if let Some(i) = key_param {
            let fname = self.facts.fns[func as usize].info.name.clone();
            if command::spec(&c.command).is_some_and(|s| s.has(command::flags::EXPIRY)) {
                self.facts.expiring_params.push((fname.clone(), i));
            }
            self.facts
                .param_commands
                .push((fname, i, c.command.clone()));
        }
        let in_test = self.in_test();
        let cx = self.fns.last().expect("a fn context is always open");
        let in_handler_closure = cx.handler_depth > 0;
        let mut gates = cx.gates.clone();
        gates.sort();
        gates.dedup();
        let block = cx.blocks.last().copied().unwrap_or(0);
        let node_path = cx.node_paths.last().copied();
        let loops = cx
            .loops
            .last()
            .map(|g| g.iter().map(|f| f.id).collect())
            .unwrap_or_default();
        self.call_nest.push(self.nest);
        self.facts.calls.push(RawCall {
            command: c.command,
            form: c.form,
            keys: c.keys,
            args: c.args,
            opts: c.opts,
            recv: c.recv,
            api: c.api,
            span: c.span,
            func,
            seq,
            in_loop,
            pipe: c.pipe,
            in_test,
            result_len: false,
            alt: false,
            weak_receiver: false,
            bound: false,
            in_handler_closure,
            swallowed: None,
            inputs: c.inputs,
            gates,
            block,
            loops,
            name_span: None,
            arg_spans: Vec::new(),
            padded_int_value: None,
            conn_binding: None,
            cancellable: self.cancel_depth > 0,
            awaited: false,
            method: None,
            node_path,
            via: None,
        });
    }

    /// Records the Lua script passed as `e`: a literal or an `include_str!`
    /// where it is, a const or static by name (found where it is declared).
    pub(super) fn note_script(&mut self, e: &Expr) {
        if let Some(source) = script_source(e) {
            let in_test = self.in_test();
            self.facts.scripts.push((source, in_test));
            return;
        }
        match e {
            Expr::Path(p) => {
                if let Some(last) = p.path.segments.last() {
                    self.facts.script_consts.push(last.ident.to_string());
                }
            }
            Expr::Reference(r) => self.note_script(&r.expr),
            Expr::Paren(p) => self.note_script(&p.expr),
            _ => {}
        }
    }

    /// Records a Redis URL written in the code (for the security rules).
    pub(super) fn note_url(&mut self, lit: &syn::LitStr) {
        let value = lit.value();
        if !(value.starts_with("redis://") || value.starts_with("rediss://")) {
            return;
        }
        let span = Span::of(lit.span());
        if !self.facts.url_literals.iter().any(|(s, _, _)| *s == span) {
            let in_test = self.in_test();
            self.facts.url_literals.push((span, value, in_test));
        }
    }
}
