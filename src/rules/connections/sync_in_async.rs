//! `conn-sync-in-async`: a blocking redis-rs connection opened or used on
//! an async runtime's worker thread.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{Call, ConnKind, CrateModel, CreationKind, Lib, RunsOn};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-sync-in-async",
        section: "3.4",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a blocking (sync) Redis connection opened or used inside async code",
        doc: include_str!("../../../rules/conn-sync-in-async.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(sync_in_async),
    options: None,
    guide_also: &["3.1"],
};

const ADVICE: &str = "use an async connection (`get_multiplexed_async_connection`, \
    `ConnectionManager`, a deadpool/bb8 pool) and `.await` the command, or move the \
    blocking work into `tokio::task::spawn_blocking`";

fn sync_in_async(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for made in &model.creations {
        if !matches!(made.kind, CreationKind::SyncConnection { .. })
            || model.func(made.func).runs_on(made.span) != RunsOn::AsyncWorker
        {
            continue;
        }
        sink.report(
            made.file,
            made.span,
            format!(
                "`{}` opens a blocking connection inside async code: the TCP connect (and every \
                 command sent on it) stalls the runtime worker thread and every task queued on it",
                made.what
            ),
            ADVICE.to_string(),
        );
    }
    // A redis-rs pipeline run with `query`/`exec` takes a sync connection.
    let pipe_runs = model.calls.iter().filter_map(|c| Some((c, c.pipe?))).flat_map(|(c, p)| {
        let runs = model.pipes.get(&p).map_or(&[][..], |pipe| &pipe.runs[..]);
        runs.iter().filter(|r| r.blocking).map(move |r| (c.file, c.func, r))
    });
    let mut reported = std::collections::HashSet::new();
    for (file, func, run) in pipe_runs {
        if model.func(func).runs_on(run.span) != RunsOn::AsyncWorker
            || !reported.insert((file, run.span))
        {
            continue;
        }
        sink.report(
            file,
            run.span,
            "the pipeline is sent with the blocking `query`/`exec` inside async code: the \
             worker thread waits for every reply and every task queued on it waits too"
                .to_string(),
            ADVICE.to_string(),
        );
    }
    for call in model.calls.iter().filter(|c| blocks_worker(model, c)) {
        let on = call.conn.map_or("connection", |c| match (c.lib, c.kind) {
            (Lib::R2d2, _) => "r2d2 pooled connection",
            (_, ConnKind::Client) => "client (a new blocking connection per command)",
            (_, kind) => kind.describe(),
        });
        let what = match (call.command.as_str(), &call.through) {
            ("", Some(t)) => format!("a command (sent by `{}`)", t.helper),
            ("", None) => "a command".to_string(),
            _ => call.command_named(),
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{what} runs on a blocking {on} inside async code: the worker thread waits for the \
                 round trip and every task queued on it waits too"
            ),
            ADVICE.to_string(),
        );
    }
}

/// A command sent (not queued, not awaited) on a connection that blocks,
/// from code running on an async worker.
fn blocks_worker(model: &CrateModel, call: &Call) -> bool {
    let Some(conn) = call.conn else { return false };
    let blocking = match conn.kind {
        ConnKind::Sync | ConnKind::ClusterSync | ConnKind::Client => conn.lib == Lib::RedisRs,
        ConnKind::Pooled { .. } => conn.lib == Lib::R2d2,
        _ => false,
    };
    blocking
        && !call.awaited
        && call.pipe.is_none()
        && model.func(call.func).runs_on(call.span) == RunsOn::AsyncWorker
}
