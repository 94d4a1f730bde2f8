//! Facts joined as they are, or nearly: fns (handler and setup roles),
//! crate-wide flags, config sites, Lua scripts, URL literals, helper fns
//! and their calls, pipelines and the flow of replies.

use std::collections::HashSet;

use super::{pipe_id, FileLink};
use crate::extract::facts::{FileFacts, SelectedDb};
use crate::extract::types::TypeClass;
use crate::model::keyspace::DbSelection;
use crate::model::lua::{LiteralScript, ScriptBody};
use crate::model::{
    ConfigSite, CrateModel, FileId, FnInfo, HelperCall, KeyBuilderSite, LuaScript, Pipe,
};
use crate::model::{ScriptSource, UrlLiteral};

/// Flags any file of the crate may set.
pub(super) fn crate_flags(model: &mut CrateModel, files: &[(FileId, &FileFacts)]) {
    model.uses_cluster = files.iter().any(|(_, f)| f.uses_cluster);
    model.deadpool_manager_config = files.iter().any(|(_, f)| f.deadpool_manager_config);
}

/// The names of string consts some file passes to `Script::new`: their
/// values are Lua scripts.
pub(super) fn script_consts<'a>(files: &[(FileId, &'a FileFacts)]) -> HashSet<&'a str> {
    files
        .iter()
        .flat_map(|(_, f)| f.script_consts.iter().map(String::as_str))
        .collect()
}

impl FileLink<'_> {
    /// Adds the file's fns; a routed fn is a handler, and a fn returning a
    /// crate struct that holds a connection is setup code.
    pub(super) fn fns(&self, model: &mut CrateModel) {
        let symbols = self.symbols;
        for raw in &self.facts.fns {
            let mut info: FnInfo = raw.info.clone();
            let owner = raw.owner.as_deref();
            info.is_handler |= symbols.routed.iter().any(|r| r.names(&info.name, owner));
            // A handler runs per request whatever its name says.
            info.is_setup &= !info.is_handler;
            if let Some(TypeClass::Struct(s)) = &raw.returns {
                info.is_setup |= symbols.holds_connection(s);
            }
            model.fns.push(info);
        }
    }

    /// Adds fred cluster configurations, URL literals and Lua scripts (the
    /// file's own and its script consts', each once).
    pub(super) fn literals(&self, model: &mut CrateModel, script_consts: &HashSet<&str>) {
        let facts = self.facts;
        for (span, func, in_test) in &facts.fred_cluster_configs {
            if !self.skipped(*in_test) {
                model.fred_cluster_configs.push(ConfigSite {
                    file: self.id,
                    span: *span,
                    func: self.fn_base + func,
                });
            }
        }
        let scripts = facts.scripts.iter().map(|(t, in_test)| (t, *in_test));
        let const_scripts = facts
            .str_consts
            .iter()
            .filter(|(name, _, _)| script_consts.contains(name.as_str()))
            .map(|(_, t, in_test)| (t, *in_test));
        for (source, in_test) in scripts.chain(const_scripts) {
            let site = source.span();
            let seen = model
                .scripts
                .iter()
                .any(|s| s.file == self.id && s.site == site);
            if self.skipped(in_test) || seen {
                continue;
            }
            let body = match source {
                ScriptSource::Literal(text) => match LiteralScript::read(text) {
                    Some(script) => ScriptBody::Literal(script),
                    None => continue,
                },
                ScriptSource::File { path, base, .. } => ScriptBody::Included {
                    path: path.clone(),
                    base: *base,
                },
            };
            model.scripts.push(LuaScript {
                file: self.id,
                site,
                body,
            });
        }
        let production = |s: &&SelectedDb| !s.in_test && !facts.all_test;
        let selected = facts.selected_dbs.iter().filter(production);
        let resolved = selected.filter_map(|s| self.symbols.db_number(&s.db));
        model
            .selected_dbs
            .extend(resolved.map(|db| DbSelection { file: self.id, db }));
        for (span, text, in_test) in &facts.url_literals {
            if !self.skipped(*in_test) {
                model.url_literals.push(UrlLiteral {
                    file: self.id,
                    span: *span,
                    text: text.clone(),
                });
            }
        }
    }

    /// Adds the file's helper fns (which parameter is a key of which
    /// command, which sets an expiry) and the calls to helpers.
    pub(super) fn helpers(&self, model: &mut CrateModel) {
        let facts = self.facts;
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
        if !self.skipped(false) {
            for b in &facts.builders {
                model.key_builders.push(KeyBuilderSite {
                    shape: self.symbols.key(&b.key).shape(),
                    file: self.id,
                    span: b.span,
                });
            }
        }
        for h in &facts.helper_calls {
            if self.skipped(h.in_test) {
                continue;
            }
            model.helper_calls.push(HelperCall {
                func: self.fn_base + h.func,
                name: h.name.clone(),
                args: h.args.iter().map(|k| self.symbols.key(k)).collect(),
            });
        }
    }

    /// Adds the file's pipelines (with the connection that runs them) and
    /// its reply uses, retries and loops.
    pub(super) fn pipes_and_flow(&self, model: &mut CrateModel) {
        let facts = self.facts;
        for (i, p) in facts.pipes.iter().enumerate() {
            let exec = p
                .exec
                .as_ref()
                .and_then(|r| self.symbols.recv(r, self.id).ok().flatten());
            let pipe = Pipe {
                atomic: p.atomic,
                transaction: p.transaction,
                exec,
                runs: p.runs.clone(),
            };
            model.pipes.insert(pipe_id(self.id, i as u32), pipe);
        }
        let flow = &mut model.flow;
        flow.uses
            .extend(facts.reply_uses.iter().map(|u| (self.id, u.clone())));
        flow.retries
            .extend(facts.retries.iter().map(|r| (self.id, r.clone())));
        flow.panics.extend(
            facts
                .panics
                .iter()
                .filter(|p| !self.skipped(p.in_test))
                .map(|p| (self.id, p.clone())),
        );
        flow.flag_readings
            .extend(facts.flag_readings.iter().map(|r| (self.id, r.clone())));
        for l in &facts.loops {
            flow.loops.insert((self.id, l.id), l.clone());
        }
    }
}
