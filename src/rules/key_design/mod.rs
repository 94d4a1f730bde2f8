//! Guide section 2: key design.

section! {
    unbounded_collection,
    large_value,
    name_too_long,
    missing_ttl,
    no_namespace,
    inconsistent_separator,
    keys_command,
    read_never_written,
    ttl_dropped,
}
