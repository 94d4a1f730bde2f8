//! Optional fields that are never set, a link stage: the commands that run
//! only while such a field holds a value (an expiry under
//! `if let Some(ttl) = self.ttl`, `self.config.ttl`, `cfg.ttl`) do not run
//! by default. Also lazily opened connections: a lock around an `Option`
//! of one that the crate clones out of the guard.

use std::collections::{HashMap, HashSet};

use crate::extract::facts::{FileFacts, OptionField, OptionalRun, SetValue};
use crate::extract::types::TypeClass;
use crate::model::{CrateModel, FileId};

/// What the crate puts in one field of one struct.
#[derive(Default)]
struct Sets {
    nothing: bool,
    /// `Some(..)`, or any value that may hold one.
    maybe_something: bool,
}

/// (struct, field) as the crate's facts name them.
type FieldKey<'f> = (&'f str, &'f str);

/// Marks in `model.unset_by_default` the calls that run only while an
/// optional field holds a value, when the crate puts `None` there (a
/// constructor, a `Default` impl, a derived `Default` it builds) and never
/// `Some(..)` nor any other value, and no code out of its sight can.
pub(super) fn unset_by_default(model: &mut CrateModel, files: &[(FileId, &FileFacts)]) {
    let mut sets: HashMap<(Option<&str>, &str), Sets> = HashMap::new();
    let mut options: HashMap<FieldKey, &OptionField> = HashMap::new();
    let mut field_types: HashMap<FieldKey, &str> = HashMap::new();
    let mut default_built: HashSet<&str> = HashSet::new();
    for (_, facts) in files {
        for s in &facts.field_sets {
            let entry = sets.entry((s.owner.as_deref(), &s.field)).or_default();
            match s.value {
                SetValue::Nothing => entry.nothing = true,
                SetValue::Something | SetValue::Other => entry.maybe_something = true,
            }
        }
        for o in &facts.option_fields {
            options.insert((&o.owner, &o.field), o);
        }
        for (owner, field, class) in &facts.structs {
            if let TypeClass::Struct(ty) = class {
                field_types.insert((owner, field), ty);
            }
        }
        default_built.extend(facts.default_builds.iter().map(String::as_str));
    }
    // A derived `Default` the crate builds puts `None` in every `Option`.
    for o in options.values() {
        if o.derived_default && default_built.contains(o.owner.as_str()) {
            sets.entry((Some(&o.owner), &o.field)).or_default().nothing = true;
        }
    }
    // An assignment to a field of a value whose type is not known may be
    // to any struct's field of that name.
    let set_somewhere = |field: &str| sets.get(&(None, field)).is_some_and(|s| s.maybe_something);
    for (id, facts) in files {
        for run in &facts.optional_runs {
            let Some(owner) = owner_of(run, &field_types) else {
                continue;
            };
            let key = (owner, run.field.as_str());
            let never_set = sets
                .get(&(Some(owner), run.field.as_str()))
                .is_some_and(|s| s.nothing && !s.maybe_something);
            let hidden = options.get(&key).is_none_or(|o| o.set_outside);
            if !never_set || hidden || set_somewhere(&run.field) {
                continue;
            }
            for seq in run.seqs.clone() {
                model.unset_by_default.insert((*id, seq), run.shown.clone());
            }
        }
    }
}

/// The struct that declares a run's optional field: its root's type, then
/// the type of each field on the way (`self.config.ttl`: the type of the
/// root's `config`).
fn owner_of<'f>(run: &'f OptionalRun, field_types: &HashMap<FieldKey, &'f str>) -> Option<&'f str> {
    let mut owner = run.root.as_str();
    for field in &run.through {
        owner = field_types.get(&(owner, field.as_str()))?;
    }
    Some(owner)
}

/// Keeps `lazy` only on locked connections that the crate clones out of
/// their guard somewhere.
pub(super) fn lazy_connections(model: &mut CrateModel, files: &[(FileId, &FileFacts)]) {
    let cloned: HashSet<&(String, String)> = files
        .iter()
        .flat_map(|(_, facts)| &facts.cloned_fields)
        .collect();
    for l in &mut model.locked_connections {
        l.lazy = l.lazy && cloned.contains(&l.field);
    }
}
