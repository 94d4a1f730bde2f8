//! Client adapters: how each client's command methods map onto canonical
//! Redis commands, with their arity and where keys and timeouts sit among
//! the method's arguments.

use crate::model::Api;

/// How a method's arguments carry keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::extract) enum ArgKeys {
    /// No key arguments.
    None,
    /// Each listed argument is a key or a collection of keys.
    At(&'static [usize]),
    /// The argument is a collection of `(key, value)` pairs.
    PairsAt(usize),
}

#[derive(Debug)]
pub(in crate::extract) struct MethodSpec {
    pub method: &'static str,
    pub command: &'static str,
    /// Accepted argument counts; a call with another count is not this
    /// command (`HashMap::get` vs `GET`, `Vec::keys` vs `KEYS`).
    pub arity: &'static [usize],
    pub keys: ArgKeys,
    /// Argument holding a blocking timeout (seconds, or BLOCK milliseconds).
    pub timeout: Option<usize>,
}

macro_rules! methods {
    ($table:ident: $($method:literal => $cmd:literal, [$($arity:literal),*], $keys:expr $(, t = $t:literal)?;)*) => {
        pub const $table: &[MethodSpec] = &[
            $(MethodSpec {
                method: $method,
                command: $cmd,
                arity: &[$($arity),*],
                keys: $keys,
                timeout: methods!(@t $($t)?),
            },)*
        ];
    };
    (@t) => { None };
    (@t $t:literal) => { Some($t) };
}

use ArgKeys::{At, PairsAt};
const K0: ArgKeys = At(&[0]);
const K01: ArgKeys = At(&[0, 1]);
const NONE: ArgKeys = ArgKeys::None;

// redis-rs: `Commands`, `AsyncCommands`, `TypedCommands`, `AsyncTypedCommands`,
// `Pipeline` builder methods and `Cmd::<name>` associated fns share names.
methods! { REDIS_RS:
    "append" => "APPEND", [2], K0;
    "bf_add" => "BF.ADD", [2], K0;
    "bf_exists" => "BF.EXISTS", [2], K0;
    "bf_madd" => "BF.MADD", [2], K0;
    "bf_insert" => "BF.INSERT", [2], K0;
    "bf_insert_options" => "BF.INSERT", [3], K0;
    "bf_reserve" => "BF.RESERVE", [3], K0;
    "bf_reserve_options" => "BF.RESERVE", [4], K0;
    "blmove" => "BLMOVE", [5], K01, t = 4;
    "blmpop" => "BLMPOP", [5], At(&[2]), t = 0;
    "blpop" => "BLPOP", [2], K0, t = 1;
    "brpop" => "BRPOP", [2], K0, t = 1;
    "brpoplpush" => "BRPOPLPUSH", [3], K01, t = 2;
    "bzmpop_max" => "BZMPOP", [3], At(&[1]), t = 0;
    "bzmpop_min" => "BZMPOP", [3], At(&[1]), t = 0;
    "bzpopmax" => "BZPOPMAX", [2], K0, t = 1;
    "bzpopmin" => "BZPOPMIN", [2], K0, t = 1;
    "decr" => "DECRBY", [2], K0;
    "del" => "DEL", [1], K0;
    "exists" => "EXISTS", [1], K0;
    "expire" => "EXPIRE", [2], K0;
    "expire_at" => "EXPIREAT", [2], K0;
    "flushall" => "FLUSHALL", [0], NONE;
    "flushall_options" => "FLUSHALL", [1], NONE;
    "flushdb" => "FLUSHDB", [0], NONE;
    "flushdb_options" => "FLUSHDB", [1], NONE;
    "ft_create" => "FT.CREATE", [3], NONE;
    "get" => "GET", [1], K0;
    "get_del" => "GETDEL", [1], K0;
    "get_ex" => "GETEX", [2], K0;
    "getset" => "GETSET", [2], K0;
    "hdel" => "HDEL", [2], K0;
    "hexists" => "HEXISTS", [2], K0;
    "hget" => "HGET", [2], K0;
    "hgetall" => "HGETALL", [1], K0;
    "hincr" => "HINCRBY", [3], K0;
    "hkeys" => "HKEYS", [1], K0;
    "hlen" => "HLEN", [1], K0;
    "hmget" => "HMGET", [2], K0;
    "hset" => "HSET", [3], K0;
    "hset_multiple" => "HMSET", [2], K0;
    "hset_nx" => "HSETNX", [3], K0;
    "hvals" => "HVALS", [1], K0;
    "incr" => "INCRBY", [2], K0;
    "json_arr_append" => "JSON.ARRAPPEND", [3], K0;
    "json_del" => "JSON.DEL", [2], K0;
    "json_get" => "JSON.GET", [2], K0;
    "json_mget" => "JSON.MGET", [2], K0;
    "json_num_incr_by" => "JSON.NUMINCRBY", [3], K0;
    "json_set" => "JSON.SET", [3], K0;
    "json_set_options" => "JSON.SET", [4], K0;
    "json_str_append" => "JSON.STRAPPEND", [3], K0;
    "keys" => "KEYS", [1], NONE;
    "lindex" => "LINDEX", [2], K0;
    "llen" => "LLEN", [1], K0;
    "lmove" => "LMOVE", [4], K01;
    "lpop" => "LPOP", [2], K0;
    "lpush" => "LPUSH", [2], K0;
    "lpush_exists" => "LPUSHX", [2], K0;
    "lrange" => "LRANGE", [3], K0;
    "lrem" => "LREM", [3], K0;
    "lset" => "LSET", [3], K0;
    "ltrim" => "LTRIM", [3], K0;
    "mget" => "MGET", [1], K0;
    "mset" => "MSET", [1], PairsAt(0);
    "mset_nx" => "MSETNX", [1], PairsAt(0);
    "persist" => "PERSIST", [1], K0;
    "pexpire" => "PEXPIRE", [2], K0;
    "pexpire_at" => "PEXPIREAT", [2], K0;
    "pfadd" => "PFADD", [2], K0;
    "pfcount" => "PFCOUNT", [1], K0;
    "pfmerge" => "PFMERGE", [2], K01;
    "pset_ex" => "PSETEX", [3], K0;
    "pttl" => "PTTL", [1], K0;
    "publish" => "PUBLISH", [2], NONE;
    "rename" => "RENAME", [2], K01;
    "rename_nx" => "RENAMENX", [2], K01;
    "rpop" => "RPOP", [2], K0;
    "rpoplpush" => "RPOPLPUSH", [2], K01;
    "rpush" => "RPUSH", [2], K0;
    "rpush_exists" => "RPUSHX", [2], K0;
    "sadd" => "SADD", [2], K0;
    "scan" => "SCAN", [0], NONE;
    "scan_match" => "SCAN", [1], NONE;
    "scan_options" => "SCAN", [1], NONE;
    "scard" => "SCARD", [1], K0;
    "sdiff" => "SDIFF", [1], K0;
    "sdiffstore" => "SDIFFSTORE", [2], K01;
    "set" => "SET", [2], K0;
    "set_ex" => "SETEX", [3], K0;
    "set_nx" => "SETNX", [2], K0;
    "set_options" => "SET", [3], K0;
    "setbit" => "SETBIT", [3], K0;
    "setrange" => "SETRANGE", [3], K0;
    "sinter" => "SINTER", [1], K0;
    "sinterstore" => "SINTERSTORE", [2], K01;
    "sismember" => "SISMEMBER", [2], K0;
    "smembers" => "SMEMBERS", [1], K0;
    "smove" => "SMOVE", [3], K01;
    "spop" => "SPOP", [1], K0;
    "srem" => "SREM", [2], K0;
    "sunion" => "SUNION", [1], K0;
    "sunionstore" => "SUNIONSTORE", [2], K01;
    // `redis_ts` (`TsCommands` / `AsyncTsCommands`).
    "ts_add" => "TS.ADD", [3], K0;
    "ts_add_create" => "TS.ADD", [4], K0;
    "ts_alter" => "TS.ALTER", [2], K0;
    "ts_create" => "TS.CREATE", [2], K0;
    "ts_createrule" => "TS.CREATERULE", [4], K01;
    "ts_madd" => "TS.MADD", [1], PairsAt(0);
    "ttl" => "TTL", [1], K0;
    "unlink" => "UNLINK", [1], K0;
    "xack" => "XACK", [3], K0;
    "xadd" => "XADD", [3], K0;
    "xadd_map" => "XADD", [3], K0;
    "xadd_maxlen" => "XADD", [4], K0;
    "xadd_options" => "XADD", [4], K0;
    "xlen" => "XLEN", [1], K0;
    "xread" => "XREAD", [2], K0;
    "xread_options" => "XREAD", [3], K0;
    "xtrim" => "XTRIM", [2], K0;
    "xtrim_options" => "XTRIM", [2], K0;
    "zadd" => "ZADD", [3], K0;
    "zadd_multiple" => "ZADD", [2], K0;
    "zcard" => "ZCARD", [1], K0;
    "zincr" => "ZINCRBY", [3], K0;
    "zinterstore" => "ZINTERSTORE", [2], K01;
    "zpopmax" => "ZPOPMAX", [2], K0;
    "zpopmin" => "ZPOPMIN", [2], K0;
    "zrange" => "ZRANGE", [3], K0;
    "zrange_withscores" => "ZRANGE", [3], K0;
    "zrangebyscore" => "ZRANGEBYSCORE", [3], K0;
    "zrank" => "ZRANK", [2], K0;
    "zrem" => "ZREM", [2], K0;
    "zrembyscore" => "ZREMRANGEBYSCORE", [3], K0;
    "zremrangebyrank" => "ZREMRANGEBYRANK", [3], K0;
    "zrevrange" => "ZREVRANGE", [3], K0;
    "zrevrange_withscores" => "ZREVRANGE", [3], K0;
    "zscore" => "ZSCORE", [2], K0;
    "zunionstore" => "ZUNIONSTORE", [2], K01;
}

// fred 9/10 interface traits (`KeysInterface`, `ListInterface`, …).
methods! { FRED:
    "append" => "APPEND", [2], K0;
    "blmove" => "BLMOVE", [5], K01, t = 4;
    "blmpop" => "BLMPOP", [4], At(&[1]), t = 0;
    "blpop" => "BLPOP", [2], K0, t = 1;
    "brpop" => "BRPOP", [2], K0, t = 1;
    "brpoplpush" => "BRPOPLPUSH", [3], K01, t = 2;
    "bzmpop" => "BZMPOP", [4], At(&[1]), t = 0;
    "bzpopmax" => "BZPOPMAX", [2], K0, t = 1;
    "bzpopmin" => "BZPOPMIN", [2], K0, t = 1;
    "client_kill" => "CLIENT", [1], NONE;
    "config_rewrite" => "CONFIG", [0], NONE;
    "config_set" => "CONFIG", [2], NONE;
    "decr" => "DECR", [1], K0;
    "decr_by" => "DECRBY", [2], K0;
    "del" => "DEL", [1], K0;
    "eval" => "EVAL", [3], At(&[1]);
    "evalsha" => "EVALSHA", [3], At(&[1]);
    "exists" => "EXISTS", [1], K0;
    "expire" => "EXPIRE", [2, 3], K0;
    "expire_at" => "EXPIREAT", [2, 3], K0;
    "flushall" => "FLUSHALL", [1], NONE;
    "flushall_cluster" => "FLUSHALL", [0], NONE;
    "ft_aggregate" => "FT.AGGREGATE", [3], NONE;
    "ft_create" => "FT.CREATE", [3], NONE;
    "ft_search" => "FT.SEARCH", [3], NONE;
    "get" => "GET", [1], K0;
    "getdel" => "GETDEL", [1], K0;
    "getset" => "GETSET", [2], K0;
    "hdel" => "HDEL", [2], K0;
    "hexists" => "HEXISTS", [2], K0;
    "hget" => "HGET", [2], K0;
    "hgetall" => "HGETALL", [1], K0;
    "hincrby" => "HINCRBY", [3], K0;
    "hkeys" => "HKEYS", [1], K0;
    "hlen" => "HLEN", [1], K0;
    "hmget" => "HMGET", [2], K0;
    "hmset" => "HMSET", [2], K0;
    "hset" => "HSET", [2], K0;
    "hsetnx" => "HSETNX", [3], K0;
    "hvals" => "HVALS", [1], K0;
    "incr" => "INCR", [1], K0;
    "incr_by" => "INCRBY", [2], K0;
    "json_arrappend" => "JSON.ARRAPPEND", [3], K0;
    "json_del" => "JSON.DEL", [2], K0;
    "json_get" => "JSON.GET", [5], K0;
    "json_mget" => "JSON.MGET", [2], K0;
    "json_numincrby" => "JSON.NUMINCRBY", [3], K0;
    "json_set" => "JSON.SET", [4], K0;
    "json_strappend" => "JSON.STRAPPEND", [3], K0;
    "lindex" => "LINDEX", [2], K0;
    "llen" => "LLEN", [1], K0;
    "lmove" => "LMOVE", [4], K01;
    "lpop" => "LPOP", [2], K0;
    "lpush" => "LPUSH", [2], K0;
    "lrange" => "LRANGE", [3], K0;
    "lrem" => "LREM", [3], K0;
    "lset" => "LSET", [3], K0;
    "ltrim" => "LTRIM", [3], K0;
    "mget" => "MGET", [1], K0;
    "mset" => "MSET", [1], PairsAt(0);
    "msetnx" => "MSETNX", [1], PairsAt(0);
    "persist" => "PERSIST", [1], K0;
    "pexpire" => "PEXPIRE", [2, 3], K0;
    "pexpire_at" => "PEXPIREAT", [2, 3], K0;
    "pfadd" => "PFADD", [2], K0;
    "pfcount" => "PFCOUNT", [1], K0;
    "pfmerge" => "PFMERGE", [2], K01;
    "pttl" => "PTTL", [1], K0;
    "publish" => "PUBLISH", [2], NONE;
    "rename" => "RENAME", [2], K01;
    "renamenx" => "RENAMENX", [2], K01;
    "rpop" => "RPOP", [2], K0;
    "rpoplpush" => "RPOPLPUSH", [2], K01;
    "rpush" => "RPUSH", [2], K0;
    "sadd" => "SADD", [2], K0;
    "scan" => "SCAN", [3], NONE;
    "scan_buffered" => "SCAN", [3], NONE;
    "scard" => "SCARD", [1], K0;
    "script_load" => "SCRIPT", [1], NONE;
    "script_load_cluster" => "SCRIPT", [1], NONE;
    "sdiff" => "SDIFF", [1], K0;
    "sdiffstore" => "SDIFFSTORE", [2], K01;
    "set" => "SET", [5], K0;
    "setnx" => "SETNX", [2], K0;
    "setrange" => "SETRANGE", [3], K0;
    "sinter" => "SINTER", [1], K0;
    "sinterstore" => "SINTERSTORE", [2], K01;
    "sismember" => "SISMEMBER", [2], K0;
    "smembers" => "SMEMBERS", [1], K0;
    "smove" => "SMOVE", [3], K01;
    "spop" => "SPOP", [2], K0;
    "srem" => "SREM", [2], K0;
    "sunion" => "SUNION", [1], K0;
    "sunionstore" => "SUNIONSTORE", [2], K01;
    "ts_add" => "TS.ADD", [8], K0;
    "ts_alter" => "TS.ALTER", [5], K0;
    "ts_create" => "TS.CREATE", [6], K0;
    "ts_createrule" => "TS.CREATERULE", [4], K01;
    "ts_madd" => "TS.MADD", [1], PairsAt(0);
    "ttl" => "TTL", [1], K0;
    "unlink" => "UNLINK", [1], K0;
    "xack" => "XACK", [3], K0;
    "xadd" => "XADD", [5], K0;
    "xlen" => "XLEN", [1], K0;
    "xread" => "XREAD", [4], At(&[2]), t = 1;
    "xread_map" => "XREAD", [4], At(&[2]), t = 1;
    "xreadgroup" => "XREADGROUP", [7], At(&[5]), t = 3;
    "xreadgroup_map" => "XREADGROUP", [7], At(&[5]), t = 3;
    "xtrim" => "XTRIM", [2], K0;
    "zadd" => "ZADD", [6], K0;
    "zcard" => "ZCARD", [1], K0;
    "zincrby" => "ZINCRBY", [3], K0;
    "zinterstore" => "ZINTERSTORE", [4], At(&[0, 1]);
    "zpopmax" => "ZPOPMAX", [2], K0;
    "zpopmin" => "ZPOPMIN", [2], K0;
    "zrange" => "ZRANGE", [7], K0;
    "zrangebyscore" => "ZRANGEBYSCORE", [5], K0;
    "zrank" => "ZRANK", [2, 3], K0;
    "zrem" => "ZREM", [2], K0;
    "zremrangebyrank" => "ZREMRANGEBYRANK", [3], K0;
    "zremrangebyscore" => "ZREMRANGEBYSCORE", [3], K0;
    "zrevrange" => "ZREVRANGE", [4], K0;
    "zscore" => "ZSCORE", [2], K0;
    "zunionstore" => "ZUNIONSTORE", [4], At(&[0, 1]);
}

/// Finds the method in the client's table when the arity fits.
pub(in crate::extract) fn lookup(
    api: Api,
    method: &str,
    argc: usize,
) -> Option<&'static MethodSpec> {
    let table = match api {
        Api::RedisRs => REDIS_RS,
        Api::Fred => FRED,
    };
    table
        .iter()
        .find(|m| m.method == method && m.arity.contains(&argc))
}
