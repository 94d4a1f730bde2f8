//! Guide section 9: clustering.

section! {
    crossslot,
    keys_scan_one_node,
    lua_undeclared_keys,
    replica_reads,
    hardcoded_master,
    sentinel_quorum,
}
