//! What the linter knows about Redis commands: where their keys are, which
//! ones block, write or need all keys in one cluster slot, the type of value
//! they work on and what their integer reply counts. One table serves every
//! client and every rule; the client adapters map their method names onto it.

use super::keyspace::ValueType;

/// Where the keys are among a command's raw arguments (after its name), as
/// sent with `redis::cmd("NAME").arg(..)` or fred's `custom`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLayout {
    None,
    First,
    FirstTwo,
    All,
    /// Keys, then a timeout (BLPOP k1 k2 5).
    AllButLast,
    /// key value key value … (MSET).
    Pairs,
    /// key a b key a b … (TS.MADD key ts value, JSON.MSET key path value).
    Triples,
    /// x numkeys key…: script (EVAL, EVALSHA, FCALL) or timeout (BLMPOP, BZMPOP) first.
    NumKeysAt1,
    /// numkeys key… (LMPOP, ZMPOP, SINTERCARD).
    NumKeysAt0,
    /// … STREAMS key… id… (XREAD, XREADGROUP).
    AfterStreams,
    /// destination numkeys key… (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE).
    DestNumKeys,
}

pub mod flags {
    /// Holds the connection until data arrives or the timeout passes.
    pub const BLOCKING: u16 = 1;
    /// Creates or changes the value at its key.
    pub const WRITE: u16 = 1 << 1;
    /// All keys must hash to one slot on a cluster (the server, or the
    /// client, refuses otherwise).
    pub const SAME_SLOT: u16 = 1 << 2;
    /// redis-rs's cluster client splits this command per slot and merges
    /// the replies, so several slots work (fred does not split).
    pub const SPLIT_BY_REDIS_RS_CLUSTER: u16 = 1 << 3;
    /// Sets a time to live on its key.
    pub const EXPIRY: u16 = 1 << 4;
    /// Deletes its keys.
    pub const DELETE: u16 = 1 << 5;
    /// Hands its keys to a Lua script or function, which does with them
    /// what its body says.
    pub const SCRIPT: u16 = 1 << 6;
    /// Adds to the collection at its first key (the destination of a
    /// `*STORE`), creating it when missing (except the `*PUSHX`).
    pub const GROWS: u16 = 1 << 7;
    /// Removes members from the value at its key, or the value itself
    /// (pops, trims, SREM/ZREM/HDEL/LREM, GETDEL): what it works on stays
    /// bounded.
    pub const REMOVES: u16 = 1 << 8;
}

/// What a command's integer reply says. Redis answers many writes with a
/// count, and a count of 0 is a normal outcome; only a few answer with a
/// flag saying whether they acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Nothing the rules read (a value, a length, `OK`, …).
    Other,
    /// How many members or fields were new (SADD, ZADD, HSET, PFADD):
    /// 0 when all were there already.
    Added,
    /// How many keys or members were removed (DEL, SREM, HDEL, XACK):
    /// 0 when there was nothing to remove.
    Removed,
    /// How many subscribers got the message (PUBLISH): 0 when nobody
    /// listens.
    Receivers,
    /// Whether it acted (SETNX, HSETNX, RENAMENX, EXPIRE, SISMEMBER): the
    /// answer to a question, meant to be branched on.
    Flag,
}

impl Reply {
    /// A count whose 0 is a success, not a refusal.
    pub fn counts(self) -> bool {
        matches!(self, Reply::Added | Reply::Removed | Reply::Receivers)
    }
}

#[derive(Debug)]
pub struct CommandSpec {
    pub name: &'static str,
    pub keys: KeyLayout,
    pub flags: u16,
    /// The type of value at its (first) key; `None` for commands that take
    /// any type (DEL, EXPIRE, scripts) or whose type is not tracked.
    pub value: Option<ValueType>,
    pub reply: Reply,
}

impl CommandSpec {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

use flags::*;
use KeyLayout::*;

/// One row: `"NAME": ValueType => KeyLayout | FLAG…, Reply;` where the
/// value type and the reply may be left out (`None`, `Reply::Other`).
macro_rules! commands {
    ($($name:literal $(: $value:ident)? => $keys:ident $(| $flag:ident)* $(, $reply:ident)?;)*) => {
        const COMMANDS: &[CommandSpec] = &[
            $(CommandSpec {
                name: $name,
                keys: $keys,
                flags: 0 $(| $flag)*,
                value: value_type!($($value)?),
                reply: reply!($($reply)?),
            },)*
        ];
    };
}

macro_rules! value_type {
    () => {
        Option::None
    };
    ($value:ident) => {
        Some(ValueType::$value)
    };
}

macro_rules! reply {
    () => {
        Reply::Other
    };
    ($reply:ident) => {
        Reply::$reply
    };
}

commands! {
    "APPEND": String => First | WRITE;
    "BF.ADD": Bloom => First | WRITE;
    "BF.CARD": Bloom => First;
    "BF.EXISTS": Bloom => First;
    "BF.INFO": Bloom => First;
    "BF.INSERT": Bloom => First | WRITE;
    "BF.MADD": Bloom => First | WRITE;
    "BF.MEXISTS": Bloom => First;
    "BF.RESERVE": Bloom => First | WRITE;
    "BITCOUNT": String => First;
    "BITPOS": String => First;
    "BLMOVE": List => FirstTwo | BLOCKING | WRITE | SAME_SLOT | REMOVES;
    "BLMPOP": List => NumKeysAt1 | BLOCKING | WRITE | SAME_SLOT | REMOVES;
    "BLPOP": List => AllButLast | BLOCKING | WRITE | SAME_SLOT | REMOVES;
    "BRPOP": List => AllButLast | BLOCKING | WRITE | SAME_SLOT | REMOVES;
    "BRPOPLPUSH": List => FirstTwo | BLOCKING | WRITE | SAME_SLOT | REMOVES;
    "BZMPOP": Zset => NumKeysAt1 | BLOCKING | WRITE | SAME_SLOT | REMOVES;
    "BZPOPMAX": Zset => AllButLast | BLOCKING | WRITE | SAME_SLOT | REMOVES;
    "BZPOPMIN": Zset => AllButLast | BLOCKING | WRITE | SAME_SLOT | REMOVES;
    "CLIENT" => None;
    "CONFIG" => None;
    "COPY" => FirstTwo | WRITE | SAME_SLOT;
    "DBSIZE" => None;
    "DEBUG" => None;
    "DECR": String => First | WRITE;
    "DECRBY": String => First | WRITE;
    "DEL" => All | DELETE | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER, Removed;
    "EVAL" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "EVALSHA" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "EVALSHA_RO" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "EVAL_RO" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "EXISTS" => All | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "EXPIRE" => First | EXPIRY, Flag;
    "EXPIREAT" => First | EXPIRY, Flag;
    "FCALL" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "FCALL_RO" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "FLUSHALL" => None;
    "FLUSHDB" => None;
    // RediSearch commands name an index, not a key.
    "FT.AGGREGATE" => None;
    "FT.ALTER" => None;
    "FT.CREATE" => None;
    "FT.DROPINDEX" => None;
    "FT.EXPLAIN" => None;
    "FT.INFO" => None;
    "FT.PROFILE" => None;
    "FT.SEARCH" => None;
    "GEOADD": Zset => First | WRITE | GROWS;
    "GET": String => First;
    "GETBIT": String => First;
    "GETDEL": String => First | WRITE | REMOVES;
    "GETEX": String => First | EXPIRY;
    "GETRANGE": String => First;
    "GETSET": String => First | WRITE;
    "HDEL": Hash => First | WRITE | REMOVES, Removed;
    "HEXISTS": Hash => First, Flag;
    "HGET": Hash => First;
    "HGETALL": Hash => First;
    "HINCRBY": Hash => First | WRITE | GROWS;
    "HINCRBYFLOAT": Hash => First | WRITE | GROWS;
    "HKEYS": Hash => First;
    "HLEN": Hash => First;
    "HMGET": Hash => First;
    "HMSET": Hash => First | WRITE | GROWS;
    "HSET": Hash => First | WRITE | GROWS, Added;
    "HSETNX": Hash => First | WRITE | GROWS, Flag;
    "HVALS": Hash => First;
    "INCR": String => First | WRITE;
    "INCRBY": String => First | WRITE;
    "INCRBYFLOAT": String => First | WRITE;
    "JSON.ARRAPPEND": Json => First | WRITE;
    "JSON.ARRINSERT": Json => First | WRITE;
    "JSON.ARRPOP": Json => First | WRITE;
    "JSON.ARRTRIM": Json => First | WRITE;
    "JSON.DEL": Json => First | WRITE;
    "JSON.GET": Json => First;
    // JSON.MGET key… path: every argument but the path.
    "JSON.MGET": Json => AllButLast | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "JSON.MSET": Json => Triples | WRITE | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "JSON.NUMINCRBY": Json => First | WRITE;
    "JSON.SET": Json => First | WRITE;
    "JSON.STRAPPEND": Json => First | WRITE;
    "JSON.TYPE": Json => First;
    "KEYS" => None;
    "LINDEX": List => First;
    "LINSERT": List => First | WRITE | GROWS;
    "LLEN": List => First;
    "LMOVE": List => FirstTwo | WRITE | SAME_SLOT | REMOVES;
    "LMPOP": List => NumKeysAt0 | WRITE | SAME_SLOT | REMOVES;
    "LPOP": List => First | WRITE | REMOVES;
    "LPOS": List => First;
    "LPUSH": List => First | WRITE | GROWS;
    "LPUSHX": List => First | WRITE | GROWS;
    "LRANGE": List => First;
    "LREM": List => First | WRITE | REMOVES, Removed;
    "LSET": List => First | WRITE;
    "LTRIM": List => First | WRITE | REMOVES;
    "MGET": String => All | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "MONITOR" => None;
    "MSET": String => Pairs | WRITE | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "MSETNX": String => Pairs | WRITE | SAME_SLOT, Flag;
    "PERSIST" => First, Flag;
    "PEXPIRE" => First | EXPIRY, Flag;
    "PEXPIREAT" => First | EXPIRY, Flag;
    "PFADD" => First | WRITE, Added;
    "PFCOUNT" => All | SAME_SLOT;
    "PFMERGE" => All | WRITE | SAME_SLOT;
    "PSETEX": String => First | WRITE | EXPIRY;
    "PSUBSCRIBE" => None;
    "PTTL" => First;
    "PUBLISH" => None, Receivers;
    "RENAME" => FirstTwo | WRITE | SAME_SLOT;
    "RENAMENX" => FirstTwo | WRITE | SAME_SLOT, Flag;
    "RPOP": List => First | WRITE | REMOVES;
    "RPOPLPUSH": List => FirstTwo | WRITE | SAME_SLOT | REMOVES;
    "RPUSH": List => First | WRITE | GROWS;
    "RPUSHX": List => First | WRITE | GROWS;
    "SADD": Set => First | WRITE | GROWS, Added;
    "SAVE" => None;
    "SCAN" => None;
    "SCARD": Set => First;
    "SDIFF": Set => All | SAME_SLOT;
    "SDIFFSTORE": Set => All | WRITE | SAME_SLOT | GROWS;
    "SET": String => First | WRITE;
    "SETBIT": String => First | WRITE;
    "SETEX": String => First | WRITE | EXPIRY;
    "SETNX": String => First | WRITE, Flag;
    "SETRANGE": String => First | WRITE;
    "SHUTDOWN" => None;
    "SINTER": Set => All | SAME_SLOT;
    "SINTERCARD": Set => NumKeysAt0 | SAME_SLOT;
    "SINTERSTORE": Set => All | WRITE | SAME_SLOT | GROWS;
    "SISMEMBER": Set => First, Flag;
    "SMEMBERS": Set => First;
    "SMISMEMBER": Set => First;
    "SMOVE": Set => FirstTwo | WRITE | SAME_SLOT | GROWS, Flag;
    "SPOP": Set => First | WRITE | REMOVES;
    "SRANDMEMBER": Set => First;
    "SREM": Set => First | WRITE | REMOVES, Removed;
    "SSCAN": Set => First;
    "STRLEN": String => First;
    "SUBSCRIBE" => None;
    "SUNION": Set => All | SAME_SLOT;
    "SUNIONSTORE": Set => All | WRITE | SAME_SLOT | GROWS;
    "TOUCH" => All | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "TS.ADD": Timeseries => First | WRITE;
    "TS.ALTER": Timeseries => First | WRITE;
    "TS.CREATE": Timeseries => First | WRITE;
    "TS.CREATERULE": Timeseries => FirstTwo | WRITE;
    "TS.GET": Timeseries => First;
    "TS.INCRBY": Timeseries => First | WRITE;
    // key timestamp value, repeated.
    "TS.MADD": Timeseries => Triples | WRITE;
    "TS.RANGE": Timeseries => First;
    "TS.REVRANGE": Timeseries => First;
    "TTL" => First;
    "TYPE" => First;
    "UNLINK" => All | DELETE | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER, Removed;
    "WATCH" => All | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "XACK": Stream => First | WRITE, Removed;
    "XADD": Stream => First | WRITE | GROWS;
    "XGROUP": Stream => None;
    "XLEN": Stream => First;
    "XRANGE": Stream => First;
    "XREAD": Stream => AfterStreams | SAME_SLOT;
    "XREADGROUP": Stream => AfterStreams | WRITE | SAME_SLOT;
    "XTRIM": Stream => First | WRITE | REMOVES;
    "ZADD": Zset => First | WRITE | GROWS, Added;
    "ZCARD": Zset => First;
    "ZDIFFSTORE": Zset => DestNumKeys | WRITE | SAME_SLOT | GROWS;
    "ZINCRBY": Zset => First | WRITE | GROWS;
    "ZINTERSTORE": Zset => DestNumKeys | WRITE | SAME_SLOT | GROWS;
    "ZMPOP": Zset => NumKeysAt0 | WRITE | SAME_SLOT | REMOVES;
    "ZPOPMAX": Zset => First | WRITE | REMOVES;
    "ZPOPMIN": Zset => First | WRITE | REMOVES;
    "ZRANGE": Zset => First;
    "ZRANGEBYSCORE": Zset => First;
    "ZRANGESTORE": Zset => FirstTwo | WRITE | SAME_SLOT | GROWS;
    "ZRANK": Zset => First;
    "ZREM": Zset => First | WRITE | REMOVES, Removed;
    "ZREMRANGEBYRANK": Zset => First | WRITE | REMOVES, Removed;
    "ZREMRANGEBYSCORE": Zset => First | WRITE | REMOVES, Removed;
    "ZREVRANGE": Zset => First;
    "ZSCORE": Zset => First;
    "ZUNIONSTORE": Zset => DestNumKeys | WRITE | SAME_SLOT | GROWS;
}

/// Looks a command up by name, case-insensitively.
pub fn spec(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// The commands that have any of these flags.
pub fn with_any(flags: u16) -> impl Iterator<Item = &'static CommandSpec> {
    COMMANDS.iter().filter(move |c| c.has(flags))
}

/// Canonical (upper-case) name: the table's spelling when known.
pub fn canonical(name: &str) -> String {
    spec(name).map_or_else(|| name.to_ascii_uppercase(), |c| c.name.to_string())
}

/// Raw argument positions that hold keys, for a command sent as a raw
/// argument list; `args` holds each argument's literal text when known.
pub fn raw_key_positions(layout: KeyLayout, args: &[Option<&str>]) -> Vec<usize> {
    let n = args.len();
    let numkeys_at = |at: usize| -> Vec<usize> {
        match args
            .get(at)
            .copied()
            .flatten()
            .and_then(|s| s.parse::<usize>().ok())
        {
            Some(count) => (at + 1..(at + 1 + count).min(n)).collect(),
            Option::None => Vec::new(),
        }
    };
    match layout {
        None => Vec::new(),
        First => (0..n.min(1)).collect(),
        FirstTwo => (0..n.min(2)).collect(),
        All => (0..n).collect(),
        AllButLast => (0..n.saturating_sub(1)).collect(),
        Pairs => (0..n).step_by(2).collect(),
        Triples => (0..n).step_by(3).collect(),
        NumKeysAt0 => numkeys_at(0),
        NumKeysAt1 => numkeys_at(1),
        DestNumKeys => {
            let mut keys: Vec<usize> = (0..n.min(1)).collect();
            keys.extend(numkeys_at(1));
            keys
        }
        AfterStreams => {
            let Some(at) = args
                .iter()
                .position(|a| a.is_some_and(|s| s.eq_ignore_ascii_case("STREAMS")))
            else {
                return Vec::new();
            };
            let rest = n - at - 1;
            (at + 1..at + 1 + rest / 2).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_case_insensitive() {
        assert_eq!(canonical("blpop"), "BLPOP");
        assert_eq!(canonical("ft.search"), "FT.SEARCH");
        assert_eq!(canonical("x.custom"), "X.CUSTOM");
        assert!(spec("BLPOP").unwrap().has(flags::BLOCKING));
    }

    #[test]
    fn replies_say_what_they_count() {
        assert_eq!(spec("PUBLISH").unwrap().reply, Reply::Receivers);
        assert!(spec("ZADD").unwrap().reply.counts());
        assert!(spec("SREM").unwrap().reply.counts());
        // Flags answer a question: branching on them is their use.
        assert!(!spec("SETNX").unwrap().reply.counts());
        assert!(!spec("HSETNX").unwrap().reply.counts());
        // A length is never 0 after a push.
        assert!(!spec("RPUSH").unwrap().reply.counts());
    }

    #[test]
    fn value_types_come_from_the_table_then_the_family() {
        assert_eq!(ValueType::of_command("LPOS"), Some(ValueType::List));
        assert_eq!(ValueType::of_command("ZADD"), Some(ValueType::Zset));
        assert_eq!(ValueType::of_command("JSON.SET"), Some(ValueType::Json));
        assert_eq!(ValueType::of_command("DEL"), Option::None);
        assert_eq!(ValueType::of_command("PUBLISH"), Option::None);
        // Not in the table: placed by its family.
        assert_eq!(ValueType::of_command("HSCAN"), Some(ValueType::Hash));
        assert_eq!(ValueType::of_command("CF.ADD"), Some(ValueType::Bloom));
        assert!(with_any(flags::GROWS).all(|c| c.value.is_some()));
    }

    #[test]
    fn raw_key_positions_follow_layouts() {
        fn a<'a>(v: &[&'a str]) -> Vec<Option<&'a str>> {
            v.iter().map(|s| Some(*s)).collect()
        }
        assert_eq!(
            raw_key_positions(AllButLast, &a(&["q1", "q2", "5"])),
            vec![0, 1]
        );
        assert_eq!(
            raw_key_positions(DestNumKeys, &a(&["dst", "2", "a", "b"])),
            vec![0, 2, 3]
        );
        assert_eq!(
            raw_key_positions(Pairs, &a(&["a", "1", "b", "2"])),
            vec![0, 2]
        );
        assert_eq!(
            raw_key_positions(NumKeysAt1, &a(&["return 1", "2", "a", "b", "x"])),
            vec![2, 3]
        );
        assert_eq!(
            raw_key_positions(
                AfterStreams,
                &a(&["BLOCK", "0", "STREAMS", "s1", "s2", ">", ">"])
            ),
            vec![3, 4]
        );
    }
}
