//! Guide section 3: connection management.

section! {
    client_per_request,
    command_in_loop,
    missing_timeout,
    blocking_exceeds_timeout,
    mutex_wrapped_connection,
    retry_without_backoff,
    swallowed_error,
    no_reconnect,
    sequential_batchable,
    stored_connection_no_reconnect,
    pubsub_on_shared_connection,
    sync_in_async,
    never_connected,
    panic_on_error,
}
