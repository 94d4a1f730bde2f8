//! `cmd-count-reply-as-failure`: a command whose integer reply counts
//! something (PUBLISH, SADD, ZADD, HSET, DEL, SREM, …) read as a `bool`
//! success flag, a false one treated as a failure or retried.

use std::collections::BTreeMap;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::command::Reply;
use crate::model::keyspace::ValueType;
use crate::model::flow::{FlagReading, Judgement};
use crate::model::{Call, CrateModel, FileId, Span};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-count-reply-as-failure",
        section: "3.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a count reply (PUBLISH receivers, SADD/ZADD/HSET added, DEL/SREM removed) read as a \
                  `bool` success flag, a false one treated as a failure or retried",
        doc: include_str!("../../../rules/cmd-count-reply-as-failure.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(count_reply_as_failure),
    options: None,
    guide_also: &[],
};

fn count_reply_as_failure(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    // One finding per read reply, at the first branch that fails on it.
    let mut by_site: BTreeMap<(FileId, Span), &FlagReading> = BTreeMap::new();
    for (file, reading) in &model.flow.flag_readings {
        by_site.entry((*file, reading.site)).or_insert(reading);
    }
    for (&(file, _), reading) in &by_site {
        let counted = counted_commands(model, file, reading);
        if counted.is_empty() {
            continue;
        }
        let pipeline = counted.iter().any(|c| c.pipe.is_some());
        let what = counted
            .iter()
            .map(|c| what_it_counts(c))
            .collect::<Vec<_>>()
            .join("; ");
        let subject = if pipeline {
            "the pipeline's replies are read as `bool` flags"
        } else {
            "the reply is read as a `bool` flag"
        };
        let (outcome, tail) = match reading.how {
            Judgement::Retry => (
                "a false one makes the code retry",
                "; the retry sends the same commands, gets the same 0 and never ends",
            ),
            Judgement::Failure => ("a false one is reported as a failure", ""),
            Judgement::ErrorLog => ("a false one is logged as an error", ""),
        };
        sink.report(
            file,
            reading.site,
            format!(
                "{subject} and {outcome}, but {what}: 0 is a normal answer, not an error (errors come \
                 back as `Err`){tail}"
            ),
            "read the reply as an integer (or `()` when the count does not matter) and judge success \
             by the `Result`; branch on the count only where 0 means something to the application"
                .to_string(),
        );
    }
}

/// The commands of a reading whose reply counts, one per command name, in
/// source order: the command at the site, or those queued on the pipeline
/// run there.
fn counted_commands<'m>(model: &'m CrateModel, file: FileId, reading: &FlagReading) -> Vec<&'m Call> {
    let runs_here = |call: &Call| match call.pipe {
        Some(p) => model
            .pipes
            .get(&p)
            .is_some_and(|pipe| pipe.runs.iter().any(|r| r.span == reading.site)),
        None => call.span == reading.site,
    };
    let mut out: Vec<&Call> = Vec::new();
    for call in model.calls.iter().filter(|c| c.file == file && c.through.is_none()) {
        let counts = call.spec.is_some_and(|s| s.reply.counts());
        if counts && runs_here(call) && !out.iter().any(|c| c.command == call.command) {
            out.push(call);
        }
    }
    out
}

/// What a command's integer reply counts, in a message.
fn what_it_counts(call: &Call) -> String {
    let counted = match call.spec.map(|s| s.reply) {
        Some(Reply::Added) => match call.spec.and_then(|s| s.value) {
            Some(ValueType::Hash) => "how many fields were new (0 when they were all there)",
            _ => "how many members were new (0 when they were all there)",
        },
        Some(Reply::Removed) => "how many were removed (0 when there was nothing to remove)",
        Some(Reply::Receivers) => "how many subscribers got the message (0 when nobody listens)",
        _ => "a count",
    };
    format!("{} replies with {counted}", call.command)
}
