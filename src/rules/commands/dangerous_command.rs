//! `cmd-dangerous-command`: FLUSHALL/FLUSHDB without ASYNC, SAVE, MONITOR,
//! DEBUG, SHUTDOWN, CONFIG SET/REWRITE, CLIENT KILL.

use crate::diagnostic::{Activation, Edit, Fix, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{Api, Call, Form};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-dangerous-command",
        section: "4.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "FLUSHALL/FLUSHDB without ASYNC, SAVE, MONITOR, DEBUG, SHUTDOWN, CONFIG SET/REWRITE, CLIENT KILL",
        doc: include_str!("../../../rules/cmd-dangerous-command.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::Yes,
    },
    check: Check::Code(dangerous_command),
    options: None,
    guide_also: &["7.5", "8", "10"],
};

fn danger(call: &Call) -> Option<(&'static str, &'static str)> {
    let sub = call.opts.sub.as_deref();
    Some(match call.command.as_str() {
        "FLUSHALL" | "FLUSHDB" if !call.opts.asynchronous => (
            "deletes every key while the server blocks; on a large dataset that is seconds of downtime",
            "add ASYNC (`flushall_options(&FlushAllOptions { blocking: false })`, fred `flushall(true)`), and keep \
             flushes out of application code",
        ),
        "SAVE" => (
            "writes the snapshot in the server's main thread, blocking every client until it finishes",
            "use BGSAVE, which forks and saves in the background",
        ),
        "MONITOR" => (
            "streams every command the server runs, roughly halving its throughput while attached",
            "use SLOWLOG, LATENCY or keyspace notifications for production diagnostics",
        ),
        "DEBUG" => (
            "is a diagnostic command that can crash, stall or corrupt a server",
            "keep DEBUG out of application code",
        ),
        "SHUTDOWN" => ("stops the server from application code", "leave shutdown to operations tooling"),
        "CONFIG" if matches!(sub, Some("SET" | "REWRITE" | "RESETSTAT")) => (
            "changes server configuration at run time from application code, where it is invisible to operators",
            "manage configuration in redis.conf or your deployment tooling",
        ),
        "CLIENT" if sub == Some("KILL") => (
            "disconnects other clients from application code",
            "leave connection management to operations tooling",
        ),
        _ => return None,
    })
}

fn dangerous_command(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        if let Some((why, help)) = danger(call) {
            let name = match (&call.opts.sub, call.command.as_str()) {
                (Some(sub), "CONFIG" | "CLIENT") => format!("{} {}", call.command, sub),
                _ => call.command.clone(),
            };
            sink.report_with_fix(
                call.file,
                call.span,
                format!("{name} {why}"),
                help.to_string(),
                async_flush_fix(call),
            );
        }
    }
}

/// `redis::cmd("FLUSHALL")` with no arguments: appending `.arg("ASYNC")`
/// keeps the meaning and frees the server. It turns the `Cmd` into a
/// `&mut Cmd`, which compiles only where the command runs in the same
/// chain (`.query(con)`, `.exec_async(&mut con)`); where the value goes
/// elsewhere (`pipe.add_command(..)`, a return value, `vec![..]`) the fix
/// is unsafe. A command that gets arguments (`.arg(mode)`) has none: the
/// mode may already be `SYNC` or `ASYNC`.
fn async_flush_fix(call: &Call) -> Option<Fix> {
    let flush = matches!(call.command.as_str(), "FLUSHALL" | "FLUSHDB");
    let plain = flush
        && call.form == Form::Raw
        && call.api == Api::RedisRs
        && call.opts.sub.is_none()
        && call.arg_spans.is_empty()
        && !call.bound;
    if !plain {
        return None;
    }
    let description = format!("flush asynchronously: {} ASYNC", call.command);
    let edits = vec![Edit::insert_after(call.span, ".arg(\"ASYNC\")")];
    // Only a run method sets the connection the chain runs on.
    let runs_in_chain = call.conn_binding.is_some() && call.pipe.is_none();
    Some(if runs_in_chain {
        Fix::safe(description, edits)
    } else {
        Fix::unproven(description, edits)
    })
}
