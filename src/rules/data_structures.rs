//! Guide section 1: data structures.

use std::collections::{BTreeMap, HashSet};

use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Edit, Fix, Impact, RuleMeta};
use crate::model::flow::UseKind;
use crate::model::key::Key;
use crate::model::{Api, Call, CrateModel, Form, LoopKind};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &SERIALIZED_READ_MODIFY_WRITE,
    &FIELDS_AS_SEPARATE_KEYS,
    &POLLING_LOOP,
    &DEPRECATED_RPOPLPUSH,
    &LIST_MEMBERSHIP_SCAN,
    &SORT_IN_APP,
    &STREAM_NO_ACK,
    &STREAM_UNBOUNDED,
];

pub static SERIALIZED_READ_MODIFY_WRITE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-serialized-read-modify-write",
        section: "1.1",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a serialized object read, decoded, changed and written back whole",
        doc: include_str!("../../rules/ds-serialized-read-modify-write.md"),
        hides_source: false,
    },
    check: Check::Code(serialized_read_modify_write),
};

/// String reads whose reply is a whole serialized object.
const WHOLE_READS: &[&str] = &["GET", "GETEX", "HGET"];
/// Writes that replace a whole string value.
const WHOLE_WRITES: &[&str] = &["SET", "SETEX", "PSETEX", "HSET"];

fn serialized_read_modify_write(model: &CrateModel, sink: &mut Sink) {
    for write in model
        .calls
        .iter()
        .filter(|c| WHOLE_WRITES.contains(&c.command.as_str()) && !model.is_atomic(c))
    {
        let Some(read) = decoded_read_of_same_key(model, write) else {
            continue;
        };
        let key = &write.keys[0];
        sink.report(
            write.file,
            write.span,
            format!(
                "`{key}` is read with {} (line {}), deserialized, changed and written back whole with {}: two \
                 clients doing this at once lose one update, and every change moves the whole object",
                read.command, read.span.start.line, write.command
            ),
            "keep the object's fields in a Hash and change only what changed (HSET, HINCRBY), or use \
             RedisJSON paths; if it must stay one value, make the update atomic (WATCH/MULTI or a Lua script)"
                .to_string(),
        );
    }
}

/// The read whose decoded reply flows into `write`'s value, on the same key.
pub(crate) fn decoded_read_of_same_key<'m>(
    model: &'m CrateModel,
    write: &Call,
) -> Option<&'m Call> {
    let key = write.keys.first()?;
    write.inputs.iter().find_map(|source| {
        let crate::model::flow::Source::Decoded(seq) = source else {
            return None;
        };
        let read = model.call_at(write.file, *seq)?;
        (WHOLE_READS.contains(&read.command.as_str())
            && read.func == write.func
            && read.keys.first() == Some(key)
            && matches!(key, Key::Template(_) | Key::Opaque(_)))
        .then_some(read)
    })
}

pub static POLLING_LOOP: Rule = Rule {
    meta: RuleMeta {
        id: "ds-polling-loop",
        section: "1.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a loop that pops or reads without blocking and sleeps between rounds",
        doc: include_str!("../../rules/ds-polling-loop.md"),
        hides_source: false,
    },
    check: Check::Code(polling_loop),
};

/// Non-blocking pops and reads that have a blocking twin.
fn blocking_twin(call: &Call) -> Option<&'static str> {
    Some(match call.command.as_str() {
        "LPOP" => "BLPOP",
        "RPOP" => "BRPOP",
        "LMPOP" => "BLMPOP",
        "LMOVE" | "RPOPLPUSH" => "BLMOVE",
        "ZPOPMIN" => "BZPOPMIN",
        "ZPOPMAX" => "BZPOPMAX",
        "ZMPOP" => "BZMPOP",
        "XREAD" | "XREADGROUP" if call.opts.timeout.is_none() => {
            if call.is("XREAD") {
                "XREAD BLOCK"
            } else {
                "XREADGROUP BLOCK"
            }
        }
        _ => return None,
    })
}

fn polling_loop(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        let Some(twin) = blocking_twin(call) else {
            continue;
        };
        // The loop that both repeats the read and sleeps.
        let sleeping = call.loops.iter().any(|&id| {
            model
                .flow
                .loop_fact(call.file, id)
                .is_some_and(|l| l.sleeps && matches!(l.kind, LoopKind::Loop | LoopKind::While))
        });
        if !sleeping || call.pipe.is_some() {
            continue;
        }
        let key = call
            .keys
            .first()
            .map(|k| format!(" on `{k}`"))
            .unwrap_or_default();
        sink.report(
            call.file,
            call.span,
            format!(
                "{}{key} polls in a loop that sleeps between rounds: new items wait up to a full sleep, and an \
                 idle worker still spends a round trip per round",
                call.command
            ),
            format!(
                "block on the server instead: {twin} with a timeout returns as soon as an item arrives and \
                 costs nothing while idle"
            ),
        );
    }
}

pub static LIST_MEMBERSHIP_SCAN: Rule = Rule {
    meta: RuleMeta {
        id: "ds-list-membership-scan",
        section: "1.4",
        impact: Impact::High,
        default: Activation::On,
        summary: "a whole list fetched with LRANGE 0 -1 to test membership in the application",
        doc: include_str!("../../rules/ds-list-membership-scan.md"),
        hides_source: false,
    },
    check: Check::Code(list_membership_scan),
};

fn list_membership_scan(model: &CrateModel, sink: &mut Sink) {
    for (file, u) in model
        .flow
        .uses
        .iter()
        .filter(|(_, u)| u.kind == UseKind::Search)
    {
        let Some(call) = model.call_at(*file, u.seq) else {
            continue;
        };
        if !(call.is("LRANGE") && call.opts.whole_list) {
            continue;
        }
        let key = call.keys.first().map(|k| k.to_string()).unwrap_or_default();
        sink.report(
            *file,
            u.span,
            format!(
                "the whole list `{key}` is fetched (LRANGE 0 -1, line {}) only to `{}` it: every check moves \
                 the entire list and costs O(N)",
                call.span.start.line, u.method
            ),
            "keep the members in a Set and ask the server: SISMEMBER (or SMISMEMBER for several) is O(1) \
             and returns one flag"
                .to_string(),
        );
    }
}

pub static SORT_IN_APP: Rule = Rule {
    meta: RuleMeta {
        id: "ds-sort-in-app",
        section: "1.5",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a hash, set or list fetched whole and sorted by a computed key in the application",
        doc: include_str!("../../rules/ds-sort-in-app.md"),
        hides_source: false,
    },
    check: Check::Code(sort_in_app),
};

/// Replies that come back unordered (or in insertion order) and whole.
const UNORDERED_READS: &[&str] = &["HGETALL", "HVALS", "SMEMBERS", "SUNION", "SINTER", "LRANGE"];

fn sort_in_app(model: &CrateModel, sink: &mut Sink) {
    let mut reported = HashSet::new();
    for (file, u) in model
        .flow
        .uses
        .iter()
        .filter(|(_, u)| u.kind == UseKind::SortBy)
    {
        let Some(call) = model.call_at(*file, u.seq) else {
            continue;
        };
        if !UNORDERED_READS.contains(&call.command.as_str()) || !reported.insert((*file, u.span)) {
            continue;
        }
        let key = call
            .keys
            .first()
            .map(|k| format!(" `{k}`"))
            .unwrap_or_default();
        sink.report(
            *file,
            u.span,
            format!(
                "the reply of {}{key} (line {}) is ranked in the application with `{}`: every request fetches \
                 and sorts the whole collection",
                call.command, call.span.start.line, u.method
            ),
            "keep the items in a Sorted Set scored by the sort key: ZADD on write, then ZRANGE (BYSCORE / \
             REV / LIMIT) returns them in order, a page at a time"
                .to_string(),
        );
    }
}

pub static FIELDS_AS_SEPARATE_KEYS: Rule = Rule {
    meta: RuleMeta {
        id: "ds-fields-as-separate-keys",
        section: "1.2",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "an object's fields stored as separate string keys instead of one Hash",
        doc: include_str!("../../rules/ds-fields-as-separate-keys.md"),
        hides_source: false,
    },
    check: Check::Code(fields_as_separate_keys),
};

/// `user:{id}:name` → (`user:{}`, `name`) when the last segment is literal.
fn parent_and_field(key: &Key) -> Option<(String, String)> {
    let Key::Template(_) = key else { return None };
    let shape = key.shape();
    let (parent, field) = shape.rsplit_once(':')?;
    (!field.is_empty() && !field.contains("{}") && !parent.is_empty())
        .then(|| (parent.to_string(), field.to_string()))
}

/// (fn, command, parent shape) → the calls, and the distinct fields they touch.
type FieldGroups<'a> = BTreeMap<(u32, &'a str, String), (Vec<&'a Call>, HashSet<String>)>;

fn field_groups(model: &CrateModel) -> FieldGroups<'_> {
    // (fn, command, parent) → the calls and the distinct fields they touch.
    let mut groups: FieldGroups = BTreeMap::new();
    for call in model
        .calls
        .iter()
        .filter(|c| (c.is("SET") || c.is("GET")) && c.keys.len() == 1)
    {
        if let Some((parent, field)) = parent_and_field(&call.keys[0]) {
            let entry = groups
                .entry((call.func, call.command.as_str(), parent))
                .or_default();
            entry.0.push(call);
            entry.1.insert(field);
        }
    }
    groups.retain(|_, (_, fields)| fields.len() >= 3);
    groups
}

/// The calls (file, seq) that ds-fields-as-separate-keys reports as part
/// of a group.
pub(crate) fn field_group_calls(model: &CrateModel) -> HashSet<(u32, u32)> {
    field_groups(model)
        .into_values()
        .flat_map(|(calls, _)| calls.into_iter().map(|c| (c.file, c.seq)))
        .collect()
}

fn fields_as_separate_keys(model: &CrateModel, sink: &mut Sink) {
    for ((_, command, parent), (calls, fields)) in field_groups(model) {
        let first = calls
            .iter()
            .min_by_key(|c| c.seq)
            .expect("a group has calls");
        let mut names: Vec<&String> = fields.iter().collect();
        names.sort();
        let list = names
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let (verb, fix) = if command == "SET" {
            ("writes", "HSET with all fields in one call")
        } else {
            ("reads", "HMGET or HGETALL in one call")
        };
        sink.report(
            first.file,
            first.span,
            format!(
                "this fn {verb} {} fields of `{parent}` as separate keys ({list}): each key costs its own \
                 memory overhead and round trip",
                fields.len()
            ),
            format!("store the object as one Hash at `{parent}` and use {fix}"),
        );
    }
}

pub static DEPRECATED_RPOPLPUSH: Rule = Rule {
    meta: RuleMeta {
        id: "ds-deprecated-rpoplpush",
        section: "1.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "RPOPLPUSH / BRPOPLPUSH are deprecated; use LMOVE / BLMOVE",
        doc: include_str!("../../rules/ds-deprecated-rpoplpush.md"),
        hides_source: false,
    },
    check: Check::Code(deprecated_rpoplpush),
};

fn deprecated_rpoplpush(model: &CrateModel, sink: &mut Sink) {
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("RPOPLPUSH") || c.is("BRPOPLPUSH"))
    {
        let new = if call.is("RPOPLPUSH") {
            "LMOVE"
        } else {
            "BLMOVE"
        };
        sink.report_with_fix(
            call.file,
            call.span,
            format!("{} is deprecated since Redis 6.2 and may be removed", call.command),
            format!("use {new} src dst RIGHT LEFT, which does the same move and also lets you choose the ends"),
            lmove_fix(call),
        );
    }
}

/// `RPOPLPUSH src dst` is `LMOVE src dst RIGHT LEFT`; `BRPOPLPUSH src dst t`
/// is `BLMOVE src dst RIGHT LEFT t`. The directions go right after the
/// destination, so one rename and one insertion make the fix. Offered only
/// where every argument position is certain: a method call with exactly its
/// arguments, or a raw redis-rs command whose `.arg(..)` links are all in
/// one chain (not kept in a variable that gets arguments elsewhere).
fn lmove_fix(call: &Call) -> Option<Fix> {
    let name = call.name_span?;
    let blocking = call.is("BRPOPLPUSH");
    let arity = if blocking { 3 } else { 2 };
    if call.arg_spans.len() != arity {
        return None;
    }
    let dst = call.arg_spans[1];
    let (rename, directions) = match (call.form, call.api) {
        (Form::Method, Api::RedisRs) => (
            if blocking { "blmove" } else { "lmove" },
            ", redis::Direction::Right, redis::Direction::Left",
        ),
        (Form::Method, Api::Fred) => (
            if blocking { "blmove" } else { "lmove" },
            ", fred::types::lists::LMoveDirection::Right, fred::types::lists::LMoveDirection::Left",
        ),
        (Form::Raw, Api::RedisRs) if !call.bound => (
            if blocking { "\"BLMOVE\"" } else { "\"LMOVE\"" },
            ".arg(\"RIGHT\").arg(\"LEFT\")",
        ),
        // fred `custom` takes a vector whose element type the fix cannot
        // see; the other forms have no argument list to extend.
        _ => return None,
    };
    Some(Fix {
        description: format!(
            "use {} with RIGHT LEFT",
            if blocking { "BLMOVE" } else { "LMOVE" }
        ),
        edits: vec![
            Edit::replace(name, rename),
            Edit::insert_after(dst, directions),
        ],
    })
}

/// Key shapes touched by some commands anywhere in the crate: directly, or
/// through a crate-local helper that runs the command on its key parameter
/// (resolved at the helper's call sites).
pub struct Touched {
    shapes: HashSet<String>,
    /// Some call passes a key the linter cannot see (a stream name from a
    /// list, say): with `opaque_touches_all` it may be any key.
    opaque: bool,
}

impl Touched {
    pub fn contains(&self, key: &Key) -> bool {
        self.opaque || self.shapes.contains(&key.shape())
    }
}

/// `opaque_touches_all`: an unseen key counts as every key. Right for
/// XACK/XTRIM (consumers ack the streams they read, often by name from a
/// list); too broad for deletes of scanned keys, so not for collections.
fn touched_by(model: &CrateModel, commands: &[&str], opaque_touches_all: bool) -> Touched {
    let direct = model
        .calls
        .iter()
        .filter(|c| commands.contains(&c.command.as_str()))
        .flat_map(|c| c.keys.iter());
    let through_helpers = model.helper_calls.iter().flat_map(|h| {
        model
            .param_commands
            .get(&h.name)
            .into_iter()
            .flatten()
            .filter(|(_, cmd)| commands.contains(&cmd.as_str()))
            .filter_map(|(i, _)| h.args.get(*i))
    });
    let keys: Vec<&Key> = direct.chain(through_helpers).collect();
    Touched {
        opaque: opaque_touches_all && keys.iter().any(|k| matches!(k, Key::Opaque(_))),
        shapes: keys.into_iter().map(Key::shape).collect(),
    }
}

pub static STREAM_NO_ACK: Rule = Rule {
    meta: RuleMeta {
        id: "ds-stream-no-ack",
        section: "1.6",
        impact: Impact::High,
        default: Activation::On,
        summary: "a stream read with a consumer group that the crate never acknowledges (XACK)",
        doc: include_str!("../../rules/ds-stream-no-ack.md"),
        hides_source: false,
    },
    check: Check::Code(stream_no_ack),
};

fn stream_no_ack(model: &CrateModel, sink: &mut Sink) {
    let acked = touched_by(model, &["XACK"], true);
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("XREADGROUP") && !c.opts.noack)
    {
        let unacked: Vec<&Key> = call
            .keys
            .iter()
            .filter(|k| matches!(k, Key::Template(_)) && !acked.contains(k))
            .collect();
        if unacked.is_empty()
            || unacked.len()
                < call
                    .keys
                    .iter()
                    .filter(|k| matches!(k, Key::Template(_)))
                    .count()
        {
            continue;
        }
        let names = unacked
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        sink.report(
            call.file,
            call.span,
            format!(
                "XREADGROUP on {names}, but nothing in the crate acknowledges those entries (XACK): the pending \
                 entries list grows without bound and a crashed consumer's entries are never retried"
            ),
            "XACK each entry after processing it (or read with NOACK if at-most-once delivery is acceptable)"
                .to_string(),
        );
    }
}

pub static STREAM_UNBOUNDED: Rule = Rule {
    meta: RuleMeta {
        id: "ds-stream-unbounded",
        section: "1.6",
        impact: Impact::High,
        default: Activation::On,
        summary: "XADD with no MAXLEN/MINID on a stream the crate never trims",
        doc: include_str!("../../rules/ds-stream-unbounded.md"),
        hides_source: false,
    },
    check: Check::Code(stream_unbounded),
};

fn stream_unbounded(model: &CrateModel, sink: &mut Sink) {
    let trimmed = touched_by(model, &["XTRIM"], true);
    let mut reported = HashSet::new();
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("XADD") && !c.opts.trimmed)
    {
        let Some(key @ Key::Template(_)) = call.keys.first() else {
            continue;
        };
        if trimmed.contains(key) || !reported.insert((call.func, key.shape())) {
            continue;
        }
        sink.report(
            call.file,
            call.span,
            format!("XADD to `{key}` never trims the stream: it keeps every entry ever added, until memory runs out"),
            "cap it as you add: XADD key MAXLEN ~ N (redis-rs `xadd_maxlen`, fred `xadd` with a cap), or XTRIM \
             periodically"
                .to_string(),
        );
    }
}

/// The keys some call of the crate bounds: trims, pops, expires, deletes,
/// or hands to a Lua script (which may do any of these).
pub fn bounded(model: &CrateModel) -> Touched {
    touched_by(
        model,
        &[
            "LTRIM",
            "ZREMRANGEBYSCORE",
            "ZREMRANGEBYRANK",
            "ZPOPMIN",
            "ZPOPMAX",
            "BZPOPMIN",
            "BZPOPMAX",
            "ZREM",
            "EXPIRE",
            "PEXPIRE",
            "EXPIREAT",
            "PEXPIREAT",
            "LPOP",
            "RPOP",
            "BLPOP",
            "BRPOP",
            "LMOVE",
            "BLMOVE",
            "RPOPLPUSH",
            "BRPOPLPUSH",
            "LREM",
            "DEL",
            "UNLINK",
            "GETDEL",
            "LMPOP",
            "BLMPOP",
            "ZMPOP",
            "BZMPOP",
            // A Lua script handed the key may trim or pop it.
            "EVAL",
            "EVALSHA",
            "FCALL",
        ],
        false,
    )
}
