//! Guide section 1: data structures.

section! {
    serialized_read_modify_write,
    fields_as_separate_keys,
    polling_loop,
    deprecated_rpoplpush,
    list_membership_scan,
    sort_in_app,
    stream_no_ack,
    stream_unbounded,
    type_conflict,
}
