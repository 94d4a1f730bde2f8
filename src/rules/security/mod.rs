//! Security: not a numbered section of the guide, which touches it in its
//! TLS and platform notes. The rules here read Redis configuration files.

section! {
    hardcoded_credentials,
    plaintext_remote,
    no_auth,
}
