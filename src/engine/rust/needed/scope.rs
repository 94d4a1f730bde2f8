//! Which names the name search reads each crate of the run for: the names
//! wanted by the crates whose linking can look into it, and the Redis
//! values of the crates it can name. In one run over many projects, a name
//! that one project wants is then not searched for in the others.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use super::State;
use crate::engine::rust::crate_graph::{CrateGraph, Seers};
use crate::engine::workspace::CrateRoot;
use crate::extract::facts::FileFacts;
use crate::manifest::Manifests;
use crate::prefilter::{self, Wanted};

/// A crate of the run by its root (`None`: the files outside any crate).
type Crate<'a> = Option<&'a Path>;

/// The parsed crates whose names are searched for in one crate.
type Group<'a> = BTreeSet<Crate<'a>>;

/// What the name search has read the run's crates for so far, and which
/// crates can name which.
///
/// Linking looks a name up in the parsed file's own crate, or in the crate
/// of the run that the first segment of its path names (`common` of
/// `common::AppState`). So a crate is searched for definitions only when
/// one of its files is parsed or a parsed crate's path names it, and then
/// only for the names that crate and those naming it want. Key consts and
/// key fns are looked up in the same way through key paths
/// (`common::keys::USER`). The Redis values a crate defines (a `Pool`
/// alias, a wrapper struct) are searched for in the crates that can name
/// it: itself and the crates depending on it.
pub(super) struct Reach<'a> {
    /// Per file, its crate.
    owners: &'a [Option<CrateRoot>],
    /// Every crate of the run, once.
    crates: BTreeSet<Crate<'a>>,
    manifests: &'a Manifests,
    /// Which crates can name which, read on first need.
    graph: Option<CrateGraph<'a>>,
    /// The Redis values searched for so far, with the crate defining them.
    values_searched: BTreeSet<(Crate<'a>, String)>,
    /// Per crate, the definitions and key names searched for so far.
    searched: HashMap<Crate<'a>, Wanted>,
    /// What the parsed crates and groups wanted last round, kept while
    /// none of their crates has a file parsed since.
    wanted: WantedSoFar<'a>,
}

/// What each parsed crate and each group of them wants, with the number
/// of parsed files each crate had then: facts never change once a file is
/// parsed, so a crate whose count did not grow wants the same.
#[derive(Default)]
struct WantedSoFar<'a> {
    parsed: HashMap<Crate<'a>, usize>,
    own: BTreeMap<Crate<'a>, Wanted>,
    groups: HashMap<Group<'a>, Wanted>,
}

impl<'a> WantedSoFar<'a> {
    /// Forgets what crates with files parsed since wanted.
    fn update(&mut self, parsed: &BTreeMap<Crate<'a>, Vec<&FileFacts>>) {
        let grew = |krate: &Crate<'a>, now: usize| self.parsed.get(krate) != Some(&now);
        let changed: HashSet<Crate<'a>> = parsed
            .iter()
            .filter(|(k, facts)| grew(k, facts.len()))
            .map(|(k, _)| *k)
            .collect();
        self.own.retain(|k, _| !changed.contains(k));
        self.groups
            .retain(|group, _| group.iter().all(|k| !changed.contains(k)));
        self.parsed = parsed.iter().map(|(k, f)| (*k, f.len())).collect();
    }
}

impl<'a> Reach<'a> {
    pub(super) fn new(owners: &'a [Option<CrateRoot>], manifests: &'a Manifests) -> Reach<'a> {
        Reach {
            owners,
            crates: owners.iter().map(|o| o.as_deref()).collect(),
            manifests,
            graph: None,
            values_searched: BTreeSet::new(),
            searched: HashMap::new(),
            wanted: WantedSoFar::default(),
        }
    }

    /// Whether the crate owning a file (`None`: no crate) may reach a Redis
    /// client. One that cannot holds no Redis call, type or helper: what
    /// its parsed files name (a `redis://` string in a config crate, a
    /// trait's name in generated bindings) is searched for nowhere.
    pub(super) fn reaches(&mut self, owner: Crate<'a>) -> bool {
        owner.is_none_or(|root| self.graph().may_reach_redis(root))
    }

    /// Which crates of the run can name which, read on first need.
    fn graph(&mut self) -> &mut CrateGraph<'a> {
        let (owners, manifests) = (self.owners, self.manifests);
        self.graph.get_or_insert_with(|| {
            let roots: BTreeSet<&Path> = owners.iter().flatten().map(|r| &**r).collect();
            CrateGraph::of(roots, manifests)
        })
    }

    /// The crates that `by`'s paths name when their first segment is one
    /// of `wanted` (and those whose name is not known).
    fn named(&mut self, by: Crate<'a>, wanted: &BTreeSet<String>) -> Vec<Crate<'a>> {
        if wanted.is_empty() {
            return Vec::new();
        }
        self.graph()
            .named(by, wanted)
            .into_iter()
            .map(Some)
            .collect()
    }

    /// What each crate's files not parsed yet are searched for this round,
    /// given the files parsed so far (crates searched for nothing are left
    /// out); what is returned counts as searched from now on.
    pub(super) fn round<'s>(&mut self, states: &'s [State]) -> HashMap<Crate<'a>, Wanted> {
        let mut parsed: BTreeMap<Crate<'a>, Vec<&'s FileFacts>> = BTreeMap::new();
        for (owner, state) in self.owners.iter().zip(states) {
            let Some(facts) = state.processed.facts.as_deref() else {
                continue;
            };
            if self.reaches(owner.as_deref()) {
                parsed.entry(owner.as_deref()).or_default().push(facts);
            }
        }
        let mut so_far = std::mem::take(&mut self.wanted);
        so_far.update(&parsed);
        let mut groups = Groups::of(self, &parsed, so_far);
        let values = self.new_values(&groups.so_far.own);
        let mut round = HashMap::new();
        let crates = std::mem::take(&mut self.crates);
        for &krate in &crates {
            let wanted = groups.wanted_in(krate);
            let visible = values.iter().filter(|(seers, _)| seers.include(krate));
            let uses: BTreeSet<String> = visible.flat_map(|(_, names)| names).cloned().collect();
            if wanted.is_none() && uses.is_empty() {
                continue;
            }
            let mut new = Wanted::default();
            if let Some(wanted) = wanted {
                let searched = self.searched.entry(krate).or_default();
                new = wanted.clone().after(searched);
                *searched = std::mem::take(searched).union(wanted);
            }
            new.uses = uses;
            if new.has_names() {
                round.insert(krate, new);
            }
        }
        self.crates = crates;
        self.wanted = groups.so_far;
        round
    }

    /// The Redis values the parsed crates define that were not searched
    /// for before, grouped by the crates that can name them; each is
    /// marked searched.
    fn new_values(&mut self, own: &BTreeMap<Crate<'a>, Wanted>) -> Vec<(Seers<'a>, Vec<String>)> {
        let mut by_definer: BTreeMap<Crate<'a>, Vec<String>> = BTreeMap::new();
        for (krate, wanted) in own {
            for name in &wanted.uses {
                if self.values_searched.insert((*krate, name.clone())) {
                    by_definer.entry(*krate).or_default().push(name.clone());
                }
            }
        }
        by_definer
            .into_iter()
            .map(|(krate, names)| (self.graph().seers(&BTreeSet::from([krate])), names))
            .collect()
    }
}

/// For one round: what each parsed crate wants, and which parsed crates
/// want names from which crates.
struct Groups<'a, 's> {
    parsed: &'s BTreeMap<Crate<'a>, Vec<&'s FileFacts>>,
    /// What each parsed crate's files want, and each group (filled on
    /// first need).
    so_far: WantedSoFar<'a>,
    /// Per crate, the parsed crates whose definitions may be in it: itself
    /// and those whose paths name it (only crates that may reach a client).
    definitions: BTreeMap<Crate<'a>, Group<'a>>,
    /// Per crate, the parsed crates whose key paths name it.
    keys: BTreeMap<Crate<'a>, Group<'a>>,
}

impl<'a, 's> Groups<'a, 's> {
    fn of(
        reach: &mut Reach<'a>,
        parsed: &'s BTreeMap<Crate<'a>, Vec<&'s FileFacts>>,
        mut so_far: WantedSoFar<'a>,
    ) -> Self {
        for (krate, facts) in parsed {
            so_far
                .own
                .entry(*krate)
                .or_insert_with(|| prefilter::wanted_names(facts.iter().copied()));
        }
        let mut definitions: BTreeMap<Crate<'a>, Group<'a>> = BTreeMap::new();
        let mut keys: BTreeMap<Crate<'a>, Group<'a>> = BTreeMap::new();
        for (by, wanted) in &so_far.own {
            definitions.entry(*by).or_default().insert(*by);
            for named in reach.named(*by, &wanted.crates) {
                if reach.reaches(named) {
                    definitions.entry(named).or_default().insert(*by);
                }
            }
            for named in reach.named(*by, &wanted.key_crates) {
                keys.entry(named).or_default().insert(*by);
            }
        }
        Groups {
            parsed,
            so_far,
            definitions,
            keys,
        }
    }

    /// The definitions and key names searched for in `krate`'s files
    /// (`None`: no parsed crate can look into it).
    fn wanted_in(&mut self, krate: Crate<'a>) -> Option<Wanted> {
        let definitions = self.definitions.get(&krate).cloned();
        let definitions = definitions.map(|g| self.of_group(g));
        let keys = self.keys.get(&krate).cloned();
        let keys = keys.map(|g| keys_of(self.of_group(g)));
        match (definitions, keys) {
            (Some(d), Some(k)) => Some(d.union(k)),
            (d, k) => d.or(k),
        }
    }

    /// What a group of parsed crates wants. A key builder is looked up in
    /// the crate that calls it, so it is wanted by each crate that calls
    /// it without defining it: another crate's builder of the same name
    /// (two crates with their own `session_key`) must not hide it.
    fn of_group(&mut self, group: Group<'a>) -> Wanted {
        if let Some(wanted) = self.so_far.groups.get(&group) {
            return wanted.clone();
        }
        let wanted = match group.iter().collect::<Vec<_>>()[..] {
            [only] => self.so_far.own[only].clone(),
            _ => {
                let facts = group.iter().flat_map(|k| self.parsed[k].iter().copied());
                let mut wanted = prefilter::wanted_names(facts.collect::<Vec<_>>());
                for krate in &group {
                    let own = &self.so_far.own[krate];
                    wanted.key_fns.extend(own.key_fns.iter().cloned());
                }
                wanted
            }
        };
        self.so_far.groups.insert(group, wanted.clone());
        wanted
    }
}

/// Of what is wanted, the key consts and key fns only.
fn keys_of(wanted: Wanted) -> Wanted {
    Wanted {
        definitions: wanted.key_consts.clone(),
        key_consts: wanted.key_consts,
        key_fns: wanted.key_fns,
        ..Wanted::default()
    }
}
