//! Guide section 4: commands and patterns.

section! {
    blocking_in_handler,
    inline_eval,
    watch_on_shared_connection,
    blocking_zero_timeout,
    blocking_on_shared_connection,
    lock_without_expiry,
    unsafe_lock_release,
    non_atomic_check_then_act,
    dangerous_command,
    cancel_unsafe_call,
    pipe_after_exec,
    exists_then_get,
    count_reply_as_failure,
}
