//! Optional fields that are never set, a link stage: the commands that run
//! only while such a field holds a value (an expiry under
//! `if let Some(ttl) = self.ttl`) do not run by default.

use std::collections::HashMap;

use crate::extract::facts::{FileFacts, SetValue};
use crate::model::{CrateModel, FileId};

/// What the crate puts in one field of one struct.
#[derive(Default)]
struct Sets {
    nothing: bool,
    /// `Some(..)`, or any value that may hold one.
    maybe_something: bool,
}

/// Marks in `model.unset_by_default` the calls that run only while an
/// optional field holds a value, when the crate puts `None` there (a
/// constructor, a `Default` impl) and never `Some(..)` nor any other value.
pub(super) fn unset_by_default(model: &mut CrateModel, files: &[(FileId, &FileFacts)]) {
    let mut sets: HashMap<(Option<&str>, &str), Sets> = HashMap::new();
    for (_, facts) in files {
        for s in &facts.field_sets {
            let entry = sets.entry((s.owner.as_deref(), &s.field)).or_default();
            match s.value {
                SetValue::Nothing => entry.nothing = true,
                SetValue::Something | SetValue::Other => entry.maybe_something = true,
            }
        }
    }
    // An assignment to a field of a value whose type is not known may be
    // to any struct's field of that name.
    let set_somewhere = |field: &str| sets.get(&(None, field)).is_some_and(|s| s.maybe_something);
    for (id, facts) in files {
        for run in &facts.optional_runs {
            let Some(owner) = run.owner.as_deref() else {
                continue;
            };
            let never_set = sets
                .get(&(Some(owner), run.field.as_str()))
                .is_some_and(|s| s.nothing && !s.maybe_something);
            if !never_set || set_somewhere(&run.field) {
                continue;
            }
            for seq in run.seqs.clone() {
                model.unset_by_default.insert((*id, seq), run.field.clone());
            }
        }
    }
}
