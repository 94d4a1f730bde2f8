//! What the linter knows about Redis commands: where their keys are, which
//! ones block, write or need all keys in one cluster slot. One table serves
//! every client; the client adapters map their method names onto it.

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
}

#[derive(Debug)]
pub struct CommandSpec {
    pub name: &'static str,
    pub keys: KeyLayout,
    pub flags: u16,
}

impl CommandSpec {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

use flags::*;
use KeyLayout::*;

macro_rules! commands {
    ($($name:literal => $keys:ident $(| $flag:ident)*;)*) => {
        const COMMANDS: &[CommandSpec] = &[
            $(CommandSpec { name: $name, keys: $keys, flags: 0 $(| $flag)* },)*
        ];
    };
}

commands! {
    "APPEND" => First | WRITE;
    "BF.ADD" => First | WRITE;
    "BF.CARD" => First;
    "BF.EXISTS" => First;
    "BF.INFO" => First;
    "BF.INSERT" => First | WRITE;
    "BF.MADD" => First | WRITE;
    "BF.MEXISTS" => First;
    "BF.RESERVE" => First | WRITE;
    "BLMOVE" => FirstTwo | BLOCKING | WRITE | SAME_SLOT;
    "BLMPOP" => NumKeysAt1 | BLOCKING | WRITE | SAME_SLOT;
    "BLPOP" => AllButLast | BLOCKING | WRITE | SAME_SLOT;
    "BRPOP" => AllButLast | BLOCKING | WRITE | SAME_SLOT;
    "BRPOPLPUSH" => FirstTwo | BLOCKING | WRITE | SAME_SLOT;
    "BZMPOP" => NumKeysAt1 | BLOCKING | WRITE | SAME_SLOT;
    "BZPOPMAX" => AllButLast | BLOCKING | WRITE | SAME_SLOT;
    "BZPOPMIN" => AllButLast | BLOCKING | WRITE | SAME_SLOT;
    "CLIENT" => None;
    "CONFIG" => None;
    "COPY" => FirstTwo | WRITE | SAME_SLOT;
    "DBSIZE" => None;
    "DEBUG" => None;
    "DECR" => First | WRITE;
    "DECRBY" => First | WRITE;
    "DEL" => All | DELETE | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "EVAL" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "EVALSHA" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "EVALSHA_RO" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "EVAL_RO" => NumKeysAt1 | SAME_SLOT | SCRIPT;
    "EXISTS" => All | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "EXPIRE" => First | EXPIRY;
    "EXPIREAT" => First | EXPIRY;
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
    "GET" => First;
    "GETDEL" => First | WRITE;
    "GETEX" => First | EXPIRY;
    "GETSET" => First | WRITE;
    "HDEL" => First | WRITE;
    "HEXISTS" => First;
    "HGET" => First;
    "HGETALL" => First;
    "HINCRBY" => First | WRITE;
    "HINCRBYFLOAT" => First | WRITE;
    "HKEYS" => First;
    "HLEN" => First;
    "HMGET" => First;
    "HMSET" => First | WRITE;
    "HSET" => First | WRITE;
    "HSETNX" => First | WRITE;
    "HVALS" => First;
    "INCR" => First | WRITE;
    "INCRBY" => First | WRITE;
    "INCRBYFLOAT" => First | WRITE;
    "JSON.ARRAPPEND" => First | WRITE;
    "JSON.ARRINSERT" => First | WRITE;
    "JSON.ARRPOP" => First | WRITE;
    "JSON.ARRTRIM" => First | WRITE;
    "JSON.DEL" => First | WRITE;
    "JSON.GET" => First;
    // JSON.MGET key… path: every argument but the path.
    "JSON.MGET" => AllButLast | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "JSON.MSET" => Triples | WRITE | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "JSON.NUMINCRBY" => First | WRITE;
    "JSON.SET" => First | WRITE;
    "JSON.STRAPPEND" => First | WRITE;
    "JSON.TYPE" => First;
    "KEYS" => None;
    "LINDEX" => First;
    "LLEN" => First;
    "LMOVE" => FirstTwo | WRITE | SAME_SLOT;
    "LMPOP" => NumKeysAt0 | WRITE | SAME_SLOT;
    "LPOP" => First | WRITE;
    "LPUSH" => First | WRITE;
    "LPUSHX" => First | WRITE;
    "LRANGE" => First;
    "LREM" => First | WRITE;
    "LSET" => First | WRITE;
    "LTRIM" => First | WRITE;
    "MGET" => All | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "MONITOR" => None;
    "MSET" => Pairs | WRITE | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "MSETNX" => Pairs | WRITE | SAME_SLOT;
    "PERSIST" => First;
    "PEXPIRE" => First | EXPIRY;
    "PEXPIREAT" => First | EXPIRY;
    "PFADD" => First | WRITE;
    "PFCOUNT" => All | SAME_SLOT;
    "PFMERGE" => All | WRITE | SAME_SLOT;
    "PSETEX" => First | WRITE | EXPIRY;
    "PSUBSCRIBE" => None;
    "PTTL" => First;
    "PUBLISH" => None;
    "RENAME" => FirstTwo | WRITE | SAME_SLOT;
    "RENAMENX" => FirstTwo | WRITE | SAME_SLOT;
    "RPOP" => First | WRITE;
    "RPOPLPUSH" => FirstTwo | WRITE | SAME_SLOT;
    "RPUSH" => First | WRITE;
    "RPUSHX" => First | WRITE;
    "SADD" => First | WRITE;
    "SAVE" => None;
    "SCAN" => None;
    "SCARD" => First;
    "SDIFF" => All | SAME_SLOT;
    "SDIFFSTORE" => All | WRITE | SAME_SLOT;
    "SET" => First | WRITE;
    "SETBIT" => First | WRITE;
    "SETEX" => First | WRITE | EXPIRY;
    "SETNX" => First | WRITE;
    "SETRANGE" => First | WRITE;
    "SHUTDOWN" => None;
    "SINTER" => All | SAME_SLOT;
    "SINTERCARD" => NumKeysAt0 | SAME_SLOT;
    "SINTERSTORE" => All | WRITE | SAME_SLOT;
    "SISMEMBER" => First;
    "SMEMBERS" => First;
    "SMOVE" => FirstTwo | WRITE | SAME_SLOT;
    "SPOP" => First | WRITE;
    "SREM" => First | WRITE;
    "SUBSCRIBE" => None;
    "SUNION" => All | SAME_SLOT;
    "SUNIONSTORE" => All | WRITE | SAME_SLOT;
    "TOUCH" => All | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "TS.ADD" => First | WRITE;
    "TS.ALTER" => First | WRITE;
    "TS.CREATE" => First | WRITE;
    "TS.CREATERULE" => FirstTwo | WRITE;
    "TS.GET" => First;
    "TS.INCRBY" => First | WRITE;
    // key timestamp value, repeated.
    "TS.MADD" => Triples | WRITE;
    "TS.RANGE" => First;
    "TS.REVRANGE" => First;
    "TTL" => First;
    "TYPE" => First;
    "UNLINK" => All | DELETE | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "WATCH" => All | SAME_SLOT | SPLIT_BY_REDIS_RS_CLUSTER;
    "XACK" => First | WRITE;
    "XADD" => First | WRITE;
    "XGROUP" => None;
    "XLEN" => First;
    "XRANGE" => First;
    "XREAD" => AfterStreams | SAME_SLOT;
    "XREADGROUP" => AfterStreams | WRITE | SAME_SLOT;
    "XTRIM" => First | WRITE;
    "ZADD" => First | WRITE;
    "ZCARD" => First;
    "ZDIFFSTORE" => DestNumKeys | WRITE | SAME_SLOT;
    "ZINCRBY" => First | WRITE;
    "ZINTERSTORE" => DestNumKeys | WRITE | SAME_SLOT;
    "ZPOPMAX" => First | WRITE;
    "ZPOPMIN" => First | WRITE;
    "ZRANGE" => First;
    "ZRANGEBYSCORE" => First;
    "ZRANK" => First;
    "ZREM" => First | WRITE;
    "ZREMRANGEBYRANK" => First | WRITE;
    "ZREMRANGEBYSCORE" => First | WRITE;
    "ZREVRANGE" => First;
    "ZSCORE" => First;
    "ZUNIONSTORE" => DestNumKeys | WRITE | SAME_SLOT;
}

/// Looks a command up by name, case-insensitively.
pub fn spec(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name.eq_ignore_ascii_case(name))
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
