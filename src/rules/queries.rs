//! Predicates more than one rule asks of the model (or of a configuration
//! file), kept in one place so that no rule reaches into another's file:
//! keys, collections and their bounds, locks, search indexes, Redis URLs.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::command::{self, flags};
use crate::model::key::{Key, Part};
use crate::model::keyspace::{KeySite, Keyspace, ValueType};
use crate::model::redis_modules::{self, IndexDef, SearchCmd};
use crate::model::{Call, ConnKind, CrateModel, Creation, CreationKind, LoopKind};
use crate::server_conf::ConfFile;

/// Words that name a conversation's memory in a key segment.
pub(super) const HISTORY_WORDS: [&str; 7] = [
    "history",
    "hist",
    "chat",
    "conversation",
    "conversations",
    "messages",
    "memory",
];

/// Whether a key template names chat history (`chat:{}:history`,
/// `conversation:{}`): one of its literal segments is a history word.
pub(super) fn is_history_key(key: &Key) -> bool {
    let Key::Template(parts) = key else {
        return false;
    };
    parts.iter().any(|p| match p {
        Part::Lit(s) => s
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| HISTORY_WORDS.contains(&w.to_ascii_lowercase().as_str())),
        Part::Hole(_) => false,
    })
}

/// Pushes to a history list (and APPENDs to a history string): those are
/// ai-unbounded-history's; key-unbounded-collection leaves them to it.
pub(super) fn is_history_push(command: &str, key: &Key) -> bool {
    matches!(command, "RPUSH" | "LPUSH" | "APPEND") && is_history_key(key)
}

/// A key whose words (split on separators) include `lock`/`locks`.
pub(super) fn is_lock_key(key: &Key) -> bool {
    let text = key.to_string().to_ascii_lowercase();
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "lock" || w == "locks")
}

/// What a creation makes, as messages name it.
pub(super) fn made(c: &Creation) -> &'static str {
    match c.kind {
        CreationKind::Pool => "pool",
        CreationKind::Client | CreationKind::FredClient { .. } => "client",
        _ => "connection",
    }
}

/// A fn that takes per-call input (an id, a key, a payload, a session) is
/// run per request, per item or per session; one that only takes its
/// connection settings is not.
pub(super) fn takes_request_input(params: &[String]) -> bool {
    const SETTINGS: &[&str] = &[
        "url", "uri", "addr", "address", "host", "config", "cfg", "conf", "settings", "opts",
        "options", "dsn",
    ];
    params.iter().any(|p| {
        let lower = p.to_ascii_lowercase();
        !lower.split('_').any(|w| SETTINGS.contains(&w))
    })
}

/// Commands a subscriber runs to listen: (un)subscribing and keep-alive pings.
const LISTENING: &[&str] = &[
    "SUBSCRIBE",
    "PSUBSCRIBE",
    "SSUBSCRIBE",
    "UNSUBSCRIBE",
    "PUNSUBSCRIBE",
    "SUNSUBSCRIBE",
    "PING",
];

/// A connection that only listens for pub/sub messages: a fred
/// `SubscriberClient` when no subscriber client of the crate runs other
/// commands, or a redis-rs connection switched to pub/sub (`as_pubsub`,
/// `into_pubsub`) in the fn that made it, before any other connection is
/// made there, with no command run on it there.
/// A listener waits as long as its channels are quiet, so a response
/// timeout does not fit it.
pub(super) fn only_listens(model: &CrateModel, c: &Creation) -> bool {
    let listens = |call: &Call| LISTENING.contains(&call.command.as_str());
    if c.makes == ConnKind::FredSubscriber {
        return model
            .calls
            .iter()
            .filter(|call| {
                call.conn
                    .is_some_and(|k| k.kind == ConnKind::FredSubscriber)
            })
            .all(listens);
    }
    // The switch belongs to the nearest connection made before it in the fn.
    let made_between = |u: &crate::model::PubSubUse| {
        model.creations.iter().any(|k| {
            k.file == c.file
                && k.func == c.func
                && k.span.start > c.span.start
                && k.span.start < u.span.start
        })
    };
    let switched = model.pubsub_uses.iter().any(|u| {
        u.file == c.file
            && u.func == c.func
            && matches!(u.method.as_str(), "as_pubsub" | "into_pubsub")
            && u.span.start > c.span.start
            && !made_between(u)
    });
    let commands_on_it = model.calls.iter().any(|call| {
        call.file == c.file
            && call.func == c.func
            && !listens(call)
            && (c.binding.is_none() || call.conn_binding == c.binding)
    });
    switched && !commands_on_it
}

/// A client that belongs to one session: made in a fn that is neither
/// setup nor `main`, takes per-session input (a socket, a session, a
/// room), and keeps the client in no struct field. When its connection
/// drops the session ends with it, and the next session makes a new one.
pub(super) fn session_owned(model: &CrateModel, c: &Creation) -> bool {
    let info = model.func(c.func);
    let stored = model.field_creations.values().flatten().any(|&i| {
        model
            .creations
            .get(i)
            .is_some_and(|k| k.span == c.span && k.file == c.file)
    });
    !info.is_setup && !info.is_main && !c.in_loop && takes_request_input(&info.params) && !stored
}

/// String reads whose reply is a whole serialized object.
pub(super) const WHOLE_READS: &[&str] = &["GET", "GETEX", "HGET"];

/// The read whose decoded reply flows into `write`'s value, on the same key.
pub(super) fn decoded_read_of_same_key<'m>(
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

/// `user:{id}:name` → (`user:{}`, `name`) when the last segment is literal.
pub(super) fn parent_and_field(key: &Key) -> Option<(String, String)> {
    let Key::Template(_) = key else { return None };
    let shape = key.shape();
    let (parent, field) = shape.rsplit_once(':')?;
    (!field.is_empty() && !field.contains("{}") && !parent.is_empty())
        .then(|| (parent.to_string(), field.to_string()))
}

/// (fn, command, parent shape) → the calls, and the distinct fields they touch.
pub(super) type FieldGroups<'a> =
    BTreeMap<(u32, &'a str, String), (Vec<&'a Call>, HashSet<String>)>;

pub(super) fn field_groups(model: &CrateModel) -> FieldGroups<'_> {
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
pub(super) fn field_group_calls(model: &CrateModel) -> HashSet<(u32, u32)> {
    field_groups(model)
        .into_values()
        .flat_map(|(calls, _)| calls.into_iter().map(|c| (c.file, c.seq)))
        .collect()
}

/// Key shapes touched by some commands anywhere in the crate: directly, or
/// through a crate-local helper that runs the command on its key parameter
/// (resolved at the helper's call sites).
pub(super) struct Touched {
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
pub(super) fn touched_by(
    model: &CrateModel,
    commands: &[&str],
    opaque_touches_all: bool,
) -> Touched {
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

/// The keys some call of the crate bounds: trims, pops, removes, expires,
/// deletes, or hands to a Lua script (which may do any of these).
pub(super) fn bounded(model: &CrateModel) -> Touched {
    let commands: Vec<&str> = command::with_any(flags::REMOVES | flags::EXPIRY | flags::DELETE)
        .map(|c| c.name)
        // The read-only script variants cannot trim anything.
        .chain(["EVAL", "EVALSHA", "FCALL"])
        .collect();
    touched_by(model, &commands, false)
}

/// Two keys that name the same data: identical, or the same template.
pub(super) fn same_key(a: &Key, b: &Key) -> bool {
    a == b || (matches!((a, b), (Key::Template(_), Key::Template(_))) && a.shape() == b.shape())
}

/// The collection a command creates or grows at its first key (the
/// destination of a `*STORE`), as messages name its type.
fn collection_built(command: &str) -> Option<&'static str> {
    let spec = command::spec(command).filter(|s| s.has(flags::GROWS))?;
    Some(match spec.value? {
        ValueType::Zset => "sorted set",
        other => other.name(),
    })
}

/// Key templates (by shape) the crate writes as collections anywhere, in
/// any file: directly, or through a crate-local helper that runs the write
/// on its key parameter. Maps each shape to the type built there.
pub(super) fn collection_keys(model: &CrateModel) -> HashMap<String, &'static str> {
    let kind = collection_built;
    let mut out = HashMap::new();
    for call in &model.calls {
        // The collection is the first key (the destination for *STORE).
        if let (Some(k), Some(key)) = (kind(&call.command), call.keys.first()) {
            if matches!(key, Key::Template(_)) {
                out.insert(key.shape(), k);
            }
        }
    }
    for h in &model.helper_calls {
        for (i, command) in model.param_commands.get(&h.name).into_iter().flatten() {
            if let (Some(k), Some(key)) = (kind(command), h.args.get(*i)) {
                if matches!(key, Key::Template(_)) {
                    out.insert(key.shape(), k);
                }
            }
        }
    }
    out
}

/// `save ""` and no AOF: nothing here survives a restart, so the data is
/// meant to be recomputed, i.e. a cache.
pub(super) fn pure_cache(conf: &ConfFile) -> bool {
    conf.persistence_off()
}

/// The index an FT.* call names, when literal (or a const).
pub(super) fn index_name(call: &Call) -> Option<&str> {
    call.module_args.first().and_then(redis_modules::lit)
}

/// Every FT.CREATE of the crate, by index name, with its call.
pub(super) fn indexes(model: &CrateModel) -> HashMap<&str, Vec<(IndexDef, &Call)>> {
    let mut out: HashMap<&str, Vec<(IndexDef, &Call)>> = HashMap::new();
    for call in model.calls.iter().filter(|c| c.is("FT.CREATE")) {
        if let Some(name) = index_name(call) {
            out.entry(name)
                .or_default()
                .push((redis_modules::parse_create(&call.module_args), call));
        }
    }
    out
}

/// FT.SEARCH and FT.AGGREGATE calls, parsed.
pub(super) fn searches(model: &CrateModel) -> impl Iterator<Item = (&Call, SearchCmd)> {
    model
        .calls
        .iter()
        .filter(|c| c.is("FT.SEARCH") || c.is("FT.AGGREGATE"))
        .map(|c| (c, redis_modules::parse_search(&c.module_args)))
}

/// Key templates some call of the given commands touches, by shape; `true`
/// when one of them passes a key the linter cannot see.
pub(super) fn shapes_of(
    model: &CrateModel,
    commands: &[&str],
    with: impl Fn(&Call) -> bool,
) -> (HashSet<String>, bool) {
    let mut shapes = HashSet::new();
    let mut opaque = false;
    for call in model
        .calls
        .iter()
        .filter(|c| commands.contains(&c.command.as_str()) && with(c))
    {
        for key in &call.keys {
            opaque |= matches!(key, Key::Opaque(_));
            shapes.insert(key.shape());
        }
    }
    (shapes, opaque)
}

/// The JSON.SET that writes back a document read earlier in the same fn.
/// The JSON.SET that writes back, to the same key, a value made from what
/// `get` read (the flow model follows the reply through bindings and
/// decoding); a fresh document written after a read is not a write-back.
pub(super) fn write_back<'m>(model: &'m CrateModel, get: &Call) -> Option<&'m Call> {
    let key = get.keys.first()?;
    model.calls.iter().find(|c| {
        c.is("JSON.SET")
            && c.file == get.file
            && c.func == get.func
            && c.seq > get.seq
            && !model.is_atomic(c)
            && c.keys.first() == Some(key)
            && c.inputs.iter().any(|s| s.reply_seq() == Some(get.seq))
    })
}

/// TS.ADD in a loop over items, outside any pipeline: the finding of
/// mod-timeseries-add-in-loop (conn-command-in-loop leaves it alone).
pub(super) fn is_ts_add_in_loop(call: &Call) -> bool {
    call.is("TS.ADD")
        && call.pipe.is_none()
        && call
            .in_loop
            .is_some_and(|l| matches!(l.kind, LoopKind::For | LoopKind::IterClosure))
}

/// The parts of a Redis URL the security rules look at.
pub(super) struct RedisUrl<'a> {
    pub(super) tls: bool,
    pub(super) host: &'a str,
}

pub(super) fn parse_url(text: &str) -> Option<RedisUrl<'_>> {
    let (tls, rest) = match text.split_once("://")? {
        ("redis", rest) => (false, rest),
        ("rediss", rest) => (true, rest),
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // The password is `source::url_password`'s business.
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        hostport.rsplit_once(':').map_or(hostport, |(h, _)| h)
    };
    Some(RedisUrl { tls, host })
}

/// A value filled in at run time (`${VAR}`, `{}`, `{name}`, `$VAR`).
pub(super) fn is_placeholder(text: &str) -> bool {
    text.contains('{') || text.contains('$') || text.contains('%')
}

/// A host reached over a network someone else may share: a dotted name or
/// a public IPv4 address. Loopback, private ranges and single-label names
/// (service names on a container network) are not.
pub(super) fn is_remote(host: &str) -> bool {
    if host.is_empty() || is_placeholder(host) || host == "localhost" || host.contains(':') {
        return false;
    }
    if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        return !(ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified());
    }
    host.contains('.') && !host.ends_with(".local") && !host.ends_with(".localhost")
}

/// A keyspace's sites by template (shape), in source order. Only templates
/// that name data on their own: those starting with a placeholder (a
/// prefix chosen at run time) or holding no word (`{}:{}`) may be any key.
pub(super) fn sites_by_template(ks: &Keyspace) -> BTreeMap<&str, Vec<&KeySite>> {
    let mut out: BTreeMap<&str, Vec<&KeySite>> = BTreeMap::new();
    for site in &ks.sites {
        let named = site.key.starts_with_hole().is_none()
            && site.key.literal_text().chars().any(char::is_alphanumeric);
        if named {
            out.entry(site.shape.as_str()).or_default().push(site);
        }
    }
    out
}

/// Where a site is, for a message: `crate::fn`, or the crate alone.
pub(super) fn site_owner(site: &KeySite) -> String {
    match (site.crate_name.as_str(), site.func.as_str()) {
        ("", "") => "a script".to_string(),
        (krate, "") => format!("`{krate}`"),
        ("", func) => format!("`{func}`"),
        (krate, func) => format!("`{krate}::{func}`"),
    }
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn urls_split_into_what_the_rules_need() {
        let u = parse_url("rediss://app:s3cret@cache.example.com:6380/0").unwrap();
        assert!(u.tls);
        assert_eq!(u.host, "cache.example.com");
        let u = parse_url("redis://127.0.0.1/").unwrap();
        assert_eq!(u.host, "127.0.0.1");
        assert!(parse_url("postgres://u:p@h/db").is_none());
        assert!(is_remote("my-redis.abc.cache.amazonaws.com") && is_remote("8.8.8.8"));
        assert!(
            !is_remote("redis")
                && !is_remote("10.0.0.5")
                && !is_remote("localhost")
                && !is_remote("{}")
        );
    }
}
