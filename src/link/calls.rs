//! Calls: which extracted command calls are Redis calls (by their form,
//! receiver and the file's imports), with keys and options resolved.

use super::keys::{module_args, raw_keys_and_opts};
use super::receivers::{conn_field, NotRedis};
use super::{pipe_id, FileLink};
use crate::extract::facts::RawCall;
use crate::model::{command, Api, Call, Conn, CrateModel, Form};

impl FileLink<'_> {
    /// Adds the file's Redis calls to the model (with the first WATCH of
    /// each fn, and the call index by sequence number).
    pub(super) fn calls(&self, model: &mut CrateModel) {
        for raw in &self.facts.calls {
            // A raw command never named is no call, except a command run on
            // a connection given as argument (`cmd.query(&mut con)`): a
            // round trip whose command is not known.
            let unnamed = raw.command.is_empty() && !raw.weak_receiver;
            if self.skipped(raw.in_test) || unnamed {
                continue;
            }
            let Some(conn) = self.redis_conn(raw) else {
                continue;
            };
            model.calls.push(self.call(raw, conn));
            model
                .by_seq
                .insert((self.id, raw.seq), model.calls.len() - 1);
            if raw.command == "WATCH" {
                let first = model
                    .first_watch
                    .entry((self.id, self.fn_base + raw.func))
                    .or_insert(raw.seq);
                *first = (*first).min(raw.seq);
            }
        }
    }

    /// The file imports the command traits of `api` (or a glob may bring
    /// in the crate's re-export of them, or another crate's of the run:
    /// `use common::prelude::*`).
    fn trusted(&self, api: Api) -> bool {
        let imported = match api {
            Api::RedisRs => self.facts.imports_redis_traits,
            Api::Fred => self.facts.imports_fred,
        };
        let symbols = self.symbols;
        imported
            || (self.symbols.reexport_traits && !self.facts.local_globs.is_empty())
            || self
                .facts
                .foreign_globs
                .iter()
                .any(|krate| symbols.sibling(krate).is_some_and(|s| s.reexport_traits))
    }

    /// The call's connection (`Some(None)`: unknown), or `None` when the
    /// call is not a Redis call.
    pub(super) fn redis_conn(&self, raw: &RawCall) -> Option<Option<Conn>> {
        // `redis::cmd(..)` and `Script` prove Redis by their path; a method
        // name needs a receiver that is not proven otherwise.
        // A raw command or pipeline made through another crate's path
        // counts only when that crate re-exports redis-rs there.
        let pipe_via = raw
            .pipe
            .and_then(|p| self.facts.pipes[p as usize].via.as_deref());
        if raw
            .via
            .as_deref()
            .or(pipe_via)
            .is_some_and(|via| !self.symbols.is_client_path(via))
        {
            return None;
        }
        let method = raw.method.as_deref();
        let conn = match self.symbols.recv_calling(&raw.recv, self.id, method) {
            Err(NotRedis) if raw.form == Form::Method || raw.weak_receiver => return None,
            Err(NotRedis) => None,
            Ok(conn) => conn,
        };
        // A method name alone proves nothing: without a known receiver
        // the file must import the client's command traits.
        // redis-rs pipelines come only from `redis::pipe()` and the like,
        // and their command methods are inherent: the pipeline proves Redis
        // without any trait import.
        let on_redis_pipe = raw.api == Api::RedisRs
            && raw
                .pipe
                .is_some_and(|p| self.facts.pipes[p as usize].api == Api::RedisRs);
        let weak = !on_redis_pipe
            && (raw.weak_receiver
                || !self.trusted(raw.api)
                || (raw.alt && self.trusted(Api::RedisRs)));
        if conn.is_none() && (raw.form == Form::Method || raw.weak_receiver) && weak {
            return None;
        }
        if let Some(c) = conn {
            if !c.kind.runs_commands() || (raw.form == Form::Method && c.lib.api() != raw.api) {
                return None;
            }
        }
        Some(conn)
    }

    pub(super) fn call(&self, raw: &RawCall, conn: Option<Conn>) -> Call {
        let symbols = self.symbols;
        let (keys, opts) = match raw.form {
            Form::Raw | Form::RawUnnamed => raw_keys_and_opts(&raw.command, &raw.args, symbols),
            _ => {
                let mut opts = raw.opts.clone();
                opts.timeout = opts.timeout.as_ref().map(|t| symbols.timeout(t));
                (raw.keys.iter().map(|k| symbols.key(k)).collect(), opts)
            }
        };
        let in_transaction = raw
            .pipe
            .is_some_and(|p| self.facts.pipes[p as usize].transaction);
        Call {
            command: raw.command.clone(),
            spec: command::spec(&raw.command),
            form: raw.form,
            keys,
            opts,
            conn,
            api: raw.api,
            span: raw.span,
            file: self.id,
            func: self.fn_base + raw.func,
            seq: raw.seq,
            in_loop: raw.in_loop,
            pipe: raw.pipe.map(|p| pipe_id(self.id, p)),
            in_transaction,
            result_len: raw.result_len,
            bound: raw.bound,
            in_handler: raw.in_handler_closure,
            swallowed: raw.swallowed,
            inputs: raw.inputs.clone(),
            gates: raw.gates.clone(),
            block: raw.block,
            loops: raw.loops.clone(),
            module_args: module_args(&raw.command, &raw.args, symbols),
            name_span: raw.name_span,
            arg_spans: raw.arg_spans.clone(),
            padded_int_value: raw.padded_int_value,
            conn_binding: raw.conn_binding.clone(),
            cancellable: raw.cancellable,
            conn_field: conn_field(&raw.recv),
            awaited: raw.awaited,
            node_path: raw.node_path,
            through: None,
        }
    }
}
