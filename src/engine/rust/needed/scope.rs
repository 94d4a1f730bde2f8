//! Which crates of the run the name search reads for what: definitions
//! only where linking can find them, Redis values only where they can be
//! named.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::State;
use crate::engine::rust::crate_graph::CrateGraph;
use crate::manifest::Manifests;
use crate::prefilter::Wanted;

/// Which crates may hold a definition that matters to the parsed files:
/// linking looks a name up in the parsed file's own crate, or in the crate
/// of the run that the first segment of its path names (`common` of
/// `common::AppState`). The files of other crates are searched only for
/// the names of Redis values (a file naming one is parsed), not for
/// definitions.
pub(super) struct Reach<'a> {
    /// Per file, its crate (files without one are always searched).
    owners: &'a [Option<PathBuf>],
    manifests: &'a Manifests,
    /// Which crates can name which, read on first need.
    graph: Option<CrateGraph<'a>>,
    /// The Redis values searched for so far, with the crate defining them.
    values_searched: BTreeSet<(Option<&'a Path>, String)>,
    /// The crates searched for definitions so far.
    searched: BTreeSet<Option<&'a Path>>,
    /// The crates searched for key consts and key fns only so far.
    searched_keys: BTreeSet<Option<&'a Path>>,
}

/// How a file not parsed is searched in one round.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// Its crate was searched before: for the names not searched before.
    Again,
    /// Its crate may hold definitions from this round on: for every
    /// definition wanted so far, and the new Redis values.
    First,
    /// Its crate, which cannot reach a Redis client, was searched for key
    /// names before: for the key names not searched before.
    KeysAgain,
    /// Its crate cannot reach a Redis client, so it defines no Redis
    /// type, alias or helper, but may hold key consts and key fns from
    /// this round on: for every key name wanted so far.
    Keys,
    /// Its crate holds no definition that matters: for the new Redis
    /// values only.
    Values,
    /// Its crate neither holds a definition that matters nor depends on
    /// a crate that defines one of the new Redis values: not searched.
    Skip,
}

impl<'a> Reach<'a> {
    pub(super) fn new(owners: &'a [Option<PathBuf>], manifests: &'a Manifests) -> Reach<'a> {
        Reach {
            owners,
            manifests,
            graph: None,
            values_searched: BTreeSet::new(),
            searched: BTreeSet::new(),
            searched_keys: BTreeSet::new(),
        }
    }

    /// Of the Redis values the parsed files define (`defined`: the crate
    /// defining each), those not searched for before; each is marked
    /// searched.
    pub(super) fn new_values(
        &mut self,
        defined: Vec<(Option<&'a Path>, String)>,
    ) -> Vec<(Option<&'a Path>, String)> {
        defined
            .into_iter()
            .filter(|pair| self.values_searched.insert(pair.clone()))
            .collect()
    }

    /// Files of a crate searched for Redis values only (`Scope::Values`)
    /// are skipped when their crate cannot name any crate that defines
    /// one of this round's new values: a client crate's `Client` matters
    /// only to the crates that depend on it.
    pub(super) fn skip_unseeing(
        &mut self,
        scopes: &mut [Scope],
        defining: &BTreeSet<Option<&'a Path>>,
    ) {
        let owners = self.owners;
        let seers = self.graph().seers(defining);
        for (scope, owner) in scopes.iter_mut().zip(owners) {
            if *scope == Scope::Values && !seers.include(owner.as_deref()) {
                *scope = Scope::Skip;
            }
        }
    }

    /// Whether the crate owning a file (`None`: no crate) may reach a Redis
    /// client. One that cannot holds no Redis call, type or helper: what
    /// its parsed files name (a `redis://` string in a config crate, a
    /// trait's name in generated bindings) is searched for nowhere.
    pub(super) fn reaches(&mut self, owner: Option<&'a Path>) -> bool {
        owner.is_none_or(|root| self.graph().may_reach_redis(root))
    }

    /// Which crates of the run can name which, read on first need.
    fn graph(&mut self) -> &mut CrateGraph<'a> {
        let (owners, manifests) = (self.owners, self.manifests);
        self.graph.get_or_insert_with(|| {
            let roots: BTreeSet<&Path> = owners.iter().flatten().map(PathBuf::as_path).collect();
            CrateGraph::of(roots, manifests)
        })
    }

    /// The crates whose name in paths is one of `wanted` (and those whose
    /// name is not known).
    fn named(&mut self, wanted: &BTreeSet<String>) -> Vec<Option<&'a Path>> {
        if wanted.is_empty() {
            return Vec::new();
        }
        self.graph().named(wanted).into_iter().map(Some).collect()
    }

    /// Each file's scope this round: the crates of parsed files, and those
    /// the wanted paths name, are searched for definitions from now on;
    /// of them, those that cannot reach a Redis client only for key names
    /// when a key path names them (`common::keys::USER`), else not at all
    /// (`tokio::sync::Mutex`, a crate whose only parsed file names a client
    /// trait by chance).
    pub(super) fn scopes(&mut self, states: &[State], wanted: &Wanted) -> Vec<Scope> {
        let mut parsed: BTreeSet<Option<&Path>> = BTreeSet::from([None]);
        for (owner, state) in self.owners.iter().zip(states) {
            if state.processed.facts.is_some() {
                parsed.insert(owner.as_deref());
            }
        }
        let keys: BTreeSet<Option<&Path>> = self.named(&wanted.key_crates).into_iter().collect();
        let mut now = parsed;
        now.extend(self.named(&wanted.crates));
        now.retain(|o| self.reaches(*o));
        let scopes = self
            .owners
            .iter()
            .map(|o| {
                let o = o.as_deref();
                if self.searched.contains(&o) {
                    Scope::Again
                } else if now.contains(&o) {
                    Scope::First
                } else if self.searched_keys.contains(&o) {
                    Scope::KeysAgain
                } else if keys.contains(&o) {
                    Scope::Keys
                } else {
                    Scope::Values
                }
            })
            .collect();
        self.searched.extend(now);
        self.searched_keys.extend(keys);
        scopes
    }
}
