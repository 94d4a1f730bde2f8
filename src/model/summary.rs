//! Per-fn summaries: what a fn does with the values it is given, so that a
//! call of the fn counts as the commands it sends. Linking builds one per
//! fn of each crate (bottom-up over the calls between them) and puts the
//! commands at every call, with the caller's keys in place of the
//! parameters.

use super::Call;

/// What one fn sends on keys built from its parameters, itself or through
/// the helpers it calls. `K` is the key template type (parameters appear
/// in it by name).
#[derive(Debug, Clone)]
pub struct FnSummary<K> {
    /// Parameter names in order, `self` left out.
    pub params: Vec<String>,
    pub sends: Vec<SentCommand<K>>,
}

/// One command a fn sends on a key built from its parameters.
#[derive(Debug, Clone)]
pub struct SentCommand<K> {
    /// The call as written where the command is sent (its client,
    /// connection, options); its keys and place are the caller's once
    /// applied.
    pub call: Call,
    /// The call's keys as templates over the fn's parameters.
    pub keys: Vec<K>,
    /// Sent in a loop inside the fn (or a helper it calls).
    pub in_loop: bool,
    /// The parameter the command is sent on (`con` of `fn scan_all(con:
    /// &mut C, ..)`): at a call, the caller's connection in its place.
    pub recv_param: Option<usize>,
}

/// A call that stands for a command sent by a helper fn called here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Through {
    /// The helper called at this site.
    pub helper: String,
    /// The key's literal text is all written in the helper (`{team}:score`
    /// given a team): the helper's own call already shows how the key is
    /// designed.
    pub key_text_in_helper: bool,
}

impl Call {
    /// The command as a message names it: with the helper that sends it
    /// when the call is the helper's (`SET (sent by \`store\`)`).
    pub fn command_named(&self) -> String {
        match &self.through {
            Some(t) => format!("{} (sent by `{}`)", self.command, t.helper),
            None => self.command.clone(),
        }
    }

    /// A helper's command whose key text is the helper's: the key's design
    /// is judged at the helper's own call, not again at each caller.
    pub fn key_designed_in_helper(&self) -> bool {
        self.through.as_ref().is_some_and(|t| t.key_text_in_helper)
    }
}
