//! Reading and parsing the files that may matter, one file at a time: a
//! file's text is dropped as soon as it is searched or parsed, unless the
//! outcome keeps it for snippets, so memory does not grow with the tree.
//! With the cache, an unchanged file is not even read.

mod scope;

use std::collections::{BTreeSet, HashMap};
use std::fs::Metadata;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::{KeptText, Processed};
use crate::cache::{self, Cache, Mtime, Seen, Stamp};
use crate::diagnostic::{Problem, ProblemKind};
use crate::engine::workspace::{is_test_path, module_name, CrateRoot};
use crate::engine::{Prefilter, Run};
use crate::extract::{self, facts::FileFacts, CrateInputs};
use crate::parse::{self, Unparsed};
use crate::prefilter::{Markers, NameSearch, Wanted, Words};
use crate::source::Span;
use scope::Reach;

/// This run's cache entries (empty without the cache).
/// This run's cache stamps, one per file (`None`: not cached).
pub(in crate::engine) type Fresh = Vec<Option<Stamp>>;

/// Parses the files that may matter (all of them without the prefilter),
/// in parallel: first the files that mention Redis, then, round by round,
/// those that name what the parsed files define. When the cache shows
/// every file unchanged since the last run, that run's choice stands and
/// the facts come from the cache.
pub(in crate::engine) fn parse_needed(
    run: &Run,
    files: &[PathBuf],
    owners: &[Option<CrateRoot>],
    cache: Option<&Cache>,
) -> (Vec<Processed>, Fresh) {
    let inputs = crate_inputs(run, owners);
    let renamed = inputs.values().flat_map(|i| i.renames.local_names());
    let mut stage = Stage {
        run,
        files,
        owners,
        cache,
        markers: Markers::with_crate_names(renamed),
        inputs: &inputs,
        prefilter: run.opts.prefilter == Prefilter::SkipUnrelated,
        searchable: Vec::new(),
    };
    let known: Vec<Option<Stamp>> = (0..files.len())
        .into_par_iter()
        .map(|i| stage.known(i))
        .collect();
    let choice = match cache {
        Some(c) if c.covers_exactly(files) && known.iter().all(Option::is_some) => Choice::Replay,
        _ => Choice::Search,
    };
    // The crate graph is read only when the name search runs (not on a
    // warm run that replays the last one, nor without the prefilter).
    let search = stage.prefilter && choice == Choice::Search;
    let mut reach = Reach::new(owners, &run.manifests);
    if search {
        stage.searchable = owners.iter().map(|o| reach.reaches(o.as_deref())).collect();
    }
    let mut states: Vec<State> = known
        .into_par_iter()
        .enumerate()
        .map(|(i, stamp)| stage.first_look(i, stamp, choice))
        .collect();
    if search {
        stage.follow_names(&mut states, reach);
    }
    states.into_iter().map(|s| (s.processed, s.stamp)).unzip()
}

/// Each crate's inputs to extraction, by crate root.
fn crate_inputs(run: &Run, owners: &[Option<CrateRoot>]) -> HashMap<CrateRoot, CrateInputs> {
    let roots: BTreeSet<&CrateRoot> = owners.iter().flatten().collect();
    roots
        .into_iter()
        .map(|root| (root.clone(), CrateInputs::of(&run.manifests.load(root))))
        .collect()
}

/// Which files the prefilter lets through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// Those that mention Redis, then those naming what parsed files define.
    Search,
    /// Nothing changed since the last run: the files it parsed.
    Replay,
}

/// Whether a file whose text is at hand is parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// When the prefilter's markers occur in it (always without the
    /// prefilter).
    IfMarked,
    Parse,
}

/// One file during this stage.
struct State {
    processed: Processed,
    /// What the cache will hold of it (`None`: not cached).
    stamp: Option<Stamp>,
    /// The words of a file read and not parsed, so that the name search
    /// reads it again only when it may hold a name searched for.
    words: Option<Words>,
}

impl State {
    fn failed(problem: Problem) -> State {
        State {
            processed: Processed::failed(problem),
            stamp: None,
            words: None,
        }
    }
}

/// What every file's look needs.
struct Stage<'a> {
    run: &'a Run<'a>,
    files: &'a [PathBuf],
    owners: &'a [Option<CrateRoot>],
    cache: Option<&'a Cache>,
    markers: Markers,
    prefilter: bool,
    /// By crate root.
    inputs: &'a HashMap<CrateRoot, CrateInputs>,
    /// Per file, whether its crate may reach a Redis client: the name
    /// search reads the others only for key names that a path gives their
    /// crate, which is rare, so their words are not kept. Empty when no
    /// name search runs.
    searchable: Vec<bool>,
}

impl<'a> Stage<'a> {
    fn is_test(&self, i: usize) -> bool {
        self.owners[i]
            .as_deref()
            .is_some_and(|root| is_test_path(&self.files[i], root))
    }

    /// What file `i`'s crate gives its extraction.
    fn inputs(&self, i: usize) -> &CrateInputs {
        static NONE: CrateInputs = CrateInputs::NONE;
        self.owners[i]
            .as_ref()
            .and_then(|root| self.inputs.get(root))
            .unwrap_or(&NONE)
    }

    /// File `i`'s stamp when the cache shows it unchanged: by size and
    /// modification time, or, in doubt, by content.
    fn known(&self, i: usize) -> Option<Stamp> {
        let cache = self.cache?;
        let path = &self.files[i];
        // Standard input stands for this file: its text is not the disk's.
        if self.run.stdin_text(path).is_some() {
            return None;
        }
        let meta = std::fs::metadata(path).ok()?;
        let inputs = cache::inputs_hash(self.inputs(i));
        match cache.seen(path, &meta, self.is_test(i), inputs) {
            Seen::Unchanged(stamp) => Some(stamp.clone()),
            Seen::InDoubt(stamp) => {
                let (text, meta) = read_source(self.run, path).ok()?;
                (cache::key(&text, stamp.is_test, inputs) == stamp.key).then_some(Stamp {
                    size: meta.len(),
                    mtime: Mtime::of(&meta)?,
                    ..stamp.clone()
                })
            }
            Seen::New => None,
        }
    }

    /// File `i` in the first round: a known file is read only when it is
    /// parsed and its facts are not cached, or its text is kept.
    fn first_look(&self, i: usize, known: Option<Stamp>, choice: Choice) -> State {
        let Some(stamp) = known else {
            return match self.text(i) {
                Ok((text, meta)) => self.look_at(i, text, meta, Want::IfMarked, None),
                Err(problem) => State::failed(problem),
            };
        };
        let parse = !self.prefilter
            || match choice {
                Choice::Replay => stamp.parsed,
                Choice::Search => stamp.marker,
            };
        let stamp = Stamp {
            parsed: parse,
            ..stamp
        };
        if !parse {
            return State {
                processed: Processed::skipped(),
                stamp: Some(stamp),
                words: None,
            };
        }
        let cached = self.cache.and_then(|c| c.take(stamp.key));
        match cached {
            Some(facts) if !has_snippets(&facts) => State {
                processed: Processed {
                    facts: Some(Box::new(facts)),
                    text: KeptText::Nothing,
                    problem: None,
                },
                stamp: Some(stamp),
                words: None,
            },
            facts => match self.text(i) {
                Ok((text, meta)) => {
                    let taken = facts.map(|f| (stamp.key, f));
                    self.look_at(i, text, meta, Want::Parse, taken)
                }
                Err(problem) => State::failed(problem),
            },
        }
    }

    /// Rounds of the prefilter's name search over the files not parsed
    /// yet, until no file is added. A file is read again (one at a time)
    /// only when its words may hold a name searched for, or when its words
    /// are not known yet (its stamp was in the cache).
    fn follow_names(&self, states: &mut [State], mut reach: Reach<'a>) {
        let index: HashMap<&Path, usize> = self
            .files
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_path(), i))
            .collect();
        let mut declared = vec![false; states.len()];
        loop {
            let search = Search::of(
                self.files,
                self.owners,
                &index,
                states,
                &mut declared,
                &mut reach,
            );
            if search.is_empty() {
                return;
            }
            let added: Vec<(usize, State)> = states
                .par_iter_mut()
                .enumerate()
                .filter(|(_, s)| s.processed.is_skipped())
                .filter(|(i, s)| search.may_want(*i, s.words.as_ref()))
                .filter_map(|(i, s)| match self.text(i) {
                    Ok((text, meta)) => {
                        s.words.get_or_insert_with(|| Words::of(text.as_str()));
                        search
                            .wants(i, text.as_str())
                            .then(|| (i, self.look_at(i, text, meta, Want::Parse, None)))
                    }
                    Err(problem) => Some((i, State::failed(problem))),
                })
                .collect();
            if added.is_empty() {
                return;
            }
            for (i, state) in added {
                states[i] = state;
            }
        }
    }

    /// File `i`'s text (standard input's when it stands for this file,
    /// which replaces it within its crate), with the file's metadata.
    fn text(&self, i: usize) -> Result<(Text, Option<Metadata>), Problem> {
        let path = &self.files[i];
        match self.run.stdin_text(path) {
            Some(stdin) => stdin
                .map(|text| (Text::Stdin(text), None))
                .map_err(|message| read_problem(self.run, path, message)),
            None => read_source(self.run, path).map(|(text, meta)| (Text::File(text), Some(meta))),
        }
    }

    /// File `i`, its text at hand: parsed (or its facts cached) when `want`
    /// says so; `taken`: facts already taken from the cache, with their key.
    fn look_at(
        &self,
        i: usize,
        text: Text,
        meta: Option<Metadata>,
        want: Want,
        taken: Option<(u64, FileFacts)>,
    ) -> State {
        let is_test = self.is_test(i);
        let marker = self.markers.may_use_redis(text.as_str());
        let parse = want == Want::Parse || !self.prefilter || marker;
        let inputs = self.inputs(i);
        let inputs_hash = cache::inputs_hash(inputs);
        let key = self
            .cache
            .map(|_| cache::key(text.as_str(), is_test, inputs_hash));
        let stamp = key.zip(meta).and_then(|(key, meta)| {
            Some(Stamp {
                size: meta.len(),
                mtime: Mtime::of(&meta)?,
                key,
                is_test,
                inputs: inputs_hash,
                marker,
                parsed: parse,
            })
        });
        let cached = match (taken, key) {
            _ if !parse => None,
            // The file changed since its stamp was read: the other key's.
            (Some((at, facts)), Some(key)) if at == key => Some(facts),
            (_, key) => self.cache.zip(key).and_then(|(c, key)| c.take(key)),
        };
        // Only the name search reads the words, and only of a file not
        // parsed.
        let searchable = self.searchable.get(i).copied().unwrap_or_default();
        let words = (!parse && searchable).then(|| Words::of(text.as_str()));
        let processed = match cached {
            _ if !parse => Processed::skipped(),
            Some(facts) => Processed {
                text: keep_text(&facts, text),
                facts: Some(Box::new(facts)),
                problem: None,
            },
            None => process(self.run, &self.files[i], text, is_test, inputs),
        };
        State {
            processed,
            stamp,
            words,
        }
    }
}

/// One round of the name search.
struct Search {
    /// The distinct sets of names searched for this round; the first is
    /// empty, for the files of crates searched for nothing.
    searches: Vec<NameSearch>,
    /// Per file, which of `searches` it is searched for.
    of_file: Vec<u32>,
    /// File index → the modules it may declare (`mod name;`) whose files
    /// are parsed: a `#[cfg(test)]` there makes them test code.
    declarers: HashMap<usize, Vec<String>>,
}

impl Search {
    /// What the parsed files want from each crate that is not searched
    /// for yet (see `Reach`), and the files that may declare their modules
    /// (`declared`: the files whose declarations were searched for).
    fn of<'a>(
        files: &[PathBuf],
        owners: &'a [Option<CrateRoot>],
        index: &HashMap<&Path, usize>,
        states: &[State],
        declared: &mut [bool],
        reach: &mut Reach<'a>,
    ) -> Search {
        let by_crate = reach.round(states);
        // Crates wanting the same names share one matcher: in a
        // workspace, most do.
        let mut searches = vec![NameSearch::new(&Wanted::default())];
        let mut at: HashMap<&Wanted, u32> = HashMap::new();
        let mut crate_search: HashMap<Option<&Path>, u32> = HashMap::new();
        for (krate, wanted) in &by_crate {
            let i = *at.entry(wanted).or_insert_with(|| {
                searches.push(NameSearch::new(wanted));
                (searches.len() - 1) as u32
            });
            crate_search.insert(*krate, i);
        }
        let of_file = owners
            .iter()
            .map(|o| crate_search.get(&o.as_deref()).copied().unwrap_or(0))
            .collect();
        let mut declarers: HashMap<usize, Vec<String>> = HashMap::new();
        for (i, (path, s)) in files.iter().zip(states).enumerate() {
            if s.processed.facts.is_none() || std::mem::replace(&mut declared[i], true) {
                continue;
            }
            let Some((name, parents)) = declared_in(path) else {
                continue;
            };
            for parent in parents.iter().filter_map(|p| index.get(p.as_path())) {
                declarers.entry(*parent).or_default().push(name.clone());
            }
        }
        Search {
            searches,
            of_file,
            declarers,
        }
    }

    fn is_empty(&self) -> bool {
        self.searches.iter().all(NameSearch::is_empty) && self.declarers.is_empty()
    }

    /// The names file `i` is searched for.
    fn names_for(&self, i: usize) -> &NameSearch {
        &self.searches[self.of_file[i] as usize]
    }

    /// Whether file `i`, with these words (`None`: not known), may be
    /// wanted: if not, its text need not be read.
    fn may_want(&self, i: usize, words: Option<&Words>) -> bool {
        let names = self.names_for(i);
        let may_name = !names.is_empty() && words.is_none_or(|w| names.may_be_in(w));
        may_name || self.declarers.contains_key(&i)
    }

    /// Whether file `i`, with this text, is to be parsed.
    fn wants(&self, i: usize, text: &str) -> bool {
        let declares = |m: &String| declares_mod(text, m);
        self.names_for(i).found_in(text)
            || self
                .declarers
                .get(&i)
                .is_some_and(|ms| ms.iter().any(declares))
    }
}

/// The module name of the file at `path` and the files that may declare
/// it: the `mod.rs`, `lib.rs` or `main.rs` of its folder's parent module,
/// or the `name.rs` beside a `name/` folder.
fn declared_in(path: &Path) -> Option<(String, Vec<PathBuf>)> {
    let name = module_name(path)?;
    let folder = path.parent()?;
    let folder = match path.file_stem()?.to_str()? {
        "mod" => folder.parent()?,
        _ => folder,
    };
    let mut files: Vec<PathBuf> = ["mod.rs", "lib.rs", "main.rs"]
        .iter()
        .map(|f| folder.join(f))
        .collect();
    files.push(folder.with_extension("rs"));
    Some((name, files))
}

/// Whether `text` has a `mod name;` declaration that may be test code: an
/// attribute spelling `test` or `bench` (`#[cfg(test)]`, `#[cfg(feature =
/// "test-utils")]`) within the lines above it.
fn declares_mod(text: &str, name: &str) -> bool {
    let decl = format!("mod {name};");
    text.match_indices(&decl).any(|(at, _)| {
        let before = &text[..at];
        let word = before
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        let above = before.rmatch_indices('\n').nth(ATTRIBUTE_LINES);
        let attrs = &before[above.map_or(0, |(i, _)| i)..];
        !word && (attrs.contains("test") || attrs.contains("bench"))
    })
}

/// How far above a `mod` declaration its attributes are looked for.
const ATTRIBUTE_LINES: usize = 12;

/// Whether findings can point into a file with these facts: its text is
/// then kept, or read again, for snippets (see `KeptText`).
fn has_snippets(facts: &FileFacts) -> bool {
    !facts.calls.is_empty()
        || !facts.creations.is_empty()
        || !facts.disabled_timeouts.is_empty()
        || !facts.url_literals.is_empty()
        || !facts.locked_connections.is_empty()
        // A helper's commands are reported at its calls.
        || !facts.helper_calls.is_empty()
}

/// What is kept of the text of a file with these facts: its hash when
/// findings can point into it, standard input's text itself.
fn keep_text(facts: &FileFacts, text: Text) -> KeptText {
    match text {
        _ if !has_snippets(facts) => KeptText::Nothing,
        Text::Stdin(text) => KeptText::Text(text),
        Text::File(text) => KeptText::Digest(digest(&text)),
    }
}

/// A file's text as read: the file's own, dropped after its look unless
/// parsing fails (the diagnostic shows it), or standard input's, which
/// stands for that file all run long and cannot be read again. Most files
/// are only searched, so their text is not copied into shared memory.
enum Text {
    File(String),
    Stdin(Arc<str>),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::File(text) => text,
            Text::Stdin(text) => text,
        }
    }

    fn into_shared(self) -> Arc<str> {
        match self {
            Text::File(text) => Arc::from(text),
            Text::Stdin(text) => text,
        }
    }
}

/// The hash a file's text is checked against when it is read again.
pub(in crate::engine) fn digest(text: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(text, &mut h);
    std::hash::Hasher::finish(&h)
}

fn read_problem(run: &Run, path: &Path, message: String) -> Problem {
    Problem {
        kind: ProblemKind::Read,
        display: run.display(path),
        message,
        span: None,
        source: None,
    }
}

/// A file's text and metadata; a file over the size limit is not read at
/// all.
fn read_source(run: &Run, path: &Path) -> Result<(String, Metadata), Problem> {
    let limit = run.opts.max_file_size;
    let cannot_read = |e: std::io::Error| read_problem(run, path, format!("cannot read file: {e}"));
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let meta = file.metadata().map_err(cannot_read)?;
    if meta.len() > limit {
        return Err(read_problem(run, path, too_large(limit)));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grew since is caught by `source_text`.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    let text = checked_text(bytes, limit).map_err(|message| read_problem(run, path, message))?;
    Ok((text, meta))
}

fn too_large(limit: u64) -> String {
    format!("larger than {limit} bytes (--max-file-size); not linted")
}

/// The text of a file's bytes, or why it cannot be linted: larger than
/// `limit` (only `limit + 1` bytes need be given), or not UTF-8.
pub(in crate::engine) fn source_text(bytes: &[u8], limit: u64) -> Result<Arc<str>, String> {
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Arc::from(text)),
        Err(e) => Err(not_utf8(&e)),
    }
}

/// [`source_text`] for bytes read into a buffer of their own, which
/// becomes the text without a copy.
fn checked_text(bytes: Vec<u8>, limit: u64) -> Result<String, String> {
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(&e.utf8_error()))
}

fn not_utf8(e: &std::str::Utf8Error) -> String {
    format!(
        "not valid UTF-8 (first bad byte at offset {})",
        e.valid_up_to()
    )
}

/// Parses and extracts one file (of test code or not, of a crate with
/// these inputs); never panics outward.
fn process(run: &Run, path: &Path, source: Text, is_test: bool, inputs: &CrateInputs) -> Processed {
    let problem = |kind, message: String, span, source| {
        Processed::failed(Problem {
            kind,
            display: run.display(path),
            message,
            span,
            source,
        })
    };
    let parsed = parse::parse_file_with(source.as_str(), |ast| {
        extract::extract(&ast, is_test, inputs)
    });
    match parsed {
        Ok(facts) => Processed {
            text: keep_text(&facts, source),
            facts: Some(Box::new(facts)),
            problem: None,
        },
        Err(Unparsed::Syntax { message, at }) => {
            let span = Span { start: at, end: at };
            let message = format!("cannot parse: {message}");
            let source = source.into_shared();
            problem(ProblemKind::Parse, message, Some(span), Some(source))
        }
        Err(e @ Unparsed::Panic(_)) => problem(ProblemKind::Internal, e.to_string(), None, None),
        // Too deep or too long to parse safely: like a parse error.
        Err(e) => problem(ProblemKind::Parse, e.to_string(), None, None),
    }
}
