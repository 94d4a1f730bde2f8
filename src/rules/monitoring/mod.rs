//! Guide section 10: performance and monitoring. The rules here read Redis
//! configuration files (redis.conf, `redis-server` command lines).

section! {
    latency_monitor,
    slowlog,
}
