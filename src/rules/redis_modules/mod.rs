//! Guide section 5: Redis modules (RediSearch, RedisJSON, TimeSeries,
//! Bloom). Module commands are read through `model::redis_modules`, whatever
//! client form wrote them.

section! {
    bloom_no_reserve,
    json_get_modify_set,
    json_whole_document,
    search_sortby_not_sortable,
    search_index_unused_field,
    search_leading_wildcard,
    search_no_return,
    timeseries_add_in_loop,
    timeseries_no_retention,
}
