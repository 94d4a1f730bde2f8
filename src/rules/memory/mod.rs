//! Guide section 7: memory management. Rules over the code (how large
//! values are freed) and over Redis configuration files (redis.conf,
//! `redis-server` command lines).

section! {
    eviction_policy,
    volatile_policy,
    no_maxmemory,
    numbers_as_strings,
    del_large_key,
    rename_overwrite,
    lazyfree_off,
}
