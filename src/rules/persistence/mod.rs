//! Guide section 8: persistence. The rules here read Redis configuration
//! files (redis.conf, `redis-server` command lines).

section! {
    aof_rewrite,
    fsync_policy,
    no_persistence,
}
