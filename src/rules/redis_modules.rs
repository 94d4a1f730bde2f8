//! Guide section 5: Redis modules (RediSearch, RedisJSON, TimeSeries,
//! Bloom). Module commands are read through `model::redis_modules`, whatever
//! client form wrote them.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Impact, RuleMeta};
use crate::model::flow::UseKind;
use crate::model::key::Key;
use crate::model::redis_modules::{self, FieldKind, IndexDef, SearchCmd};
use crate::model::{Call, CrateModel, FileId, LoopKind};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &BLOOM_NO_RESERVE,
    &JSON_GET_MODIFY_SET,
    &JSON_WHOLE_DOCUMENT,
    &SEARCH_SORTBY_NOT_SORTABLE,
    &SEARCH_INDEX_UNUSED_FIELD,
    &SEARCH_LEADING_WILDCARD,
    &SEARCH_NO_RETURN,
    &TIMESERIES_ADD_IN_LOOP,
    &TIMESERIES_NO_RETENTION,
];

// ------------------------------------------------------------ shared

/// The index an FT.* call names, when literal (or a const).
pub(super) fn index_name(call: &Call) -> Option<&str> {
    call.module_args.first().and_then(redis_modules::lit)
}

/// Every FT.CREATE of the crate, by index name, with its call.
pub(super) fn indexes(model: &CrateModel) -> HashMap<&str, Vec<(IndexDef, &Call)>> {
    let mut out: HashMap<&str, Vec<(IndexDef, &Call)>> = HashMap::new();
    for call in model.calls.iter().filter(|c| c.is("FT.CREATE")) {
        if let Some(name) = index_name(call) {
            out.entry(name)
                .or_default()
                .push((redis_modules::parse_create(&call.module_args), call));
        }
    }
    out
}

/// FT.SEARCH and FT.AGGREGATE calls, parsed.
pub(super) fn searches(model: &CrateModel) -> impl Iterator<Item = (&Call, SearchCmd)> {
    model
        .calls
        .iter()
        .filter(|c| c.is("FT.SEARCH") || c.is("FT.AGGREGATE"))
        .map(|c| (c, redis_modules::parse_search(&c.module_args)))
}

/// Key templates some call of the given commands touches, by shape; `true`
/// when one of them passes a key the linter cannot see.
fn shapes_of(
    model: &CrateModel,
    commands: &[&str],
    with: impl Fn(&Call) -> bool,
) -> (HashSet<String>, bool) {
    let mut shapes = HashSet::new();
    let mut opaque = false;
    for call in model
        .calls
        .iter()
        .filter(|c| commands.contains(&c.command.as_str()) && with(c))
    {
        for key in &call.keys {
            opaque |= matches!(key, Key::Opaque(_));
            shapes.insert(key.shape());
        }
    }
    (shapes, opaque)
}

// ------------------------------------------------------------ 5.1 Bloom

pub static BLOOM_NO_RESERVE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-bloom-no-reserve",
        section: "5.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "BF.ADD to a Bloom filter the crate never sizes with BF.RESERVE",
        doc: include_str!("../../rules/mod-bloom-no-reserve.md"),
        hides_source: false,
    },
    check: Check::Code(bloom_no_reserve),
};

fn bloom_no_reserve(model: &CrateModel, sink: &mut Sink) {
    let (reserved, unseen) = shapes_of(model, &["BF.RESERVE", "BF.INSERT"], |c| {
        c.is("BF.RESERVE") || redis_modules::bf_insert_has_capacity(&c.module_args)
    });
    // A reservation on a key the linter cannot read may be any filter.
    if unseen {
        return;
    }
    let mut reported = HashSet::new();
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("BF.ADD") || c.is("BF.MADD"))
    {
        let Some(key @ Key::Template(_)) = call.keys.first() else {
            continue;
        };
        let shape = key.shape();
        if reserved.contains(&shape) || !reported.insert((call.func, shape)) {
            continue;
        }
        sink.report(
            call.file,
            call.span,
            format!(
                "{} auto-creates the Bloom filter `{key}` with the module defaults (capacity 100, error rate \
                 1%), and nothing in the crate reserves it: once more items arrive it stacks sub-filters, \
                 using more memory and answering slower with a worse false-positive rate",
                call.command
            ),
            format!(
                "create it once at startup with `BF.RESERVE {key} <error_rate> <capacity>` sized for the \
                 expected items (or BF.INSERT with CAPACITY/ERROR)"
            ),
        );
    }
}

// ------------------------------------------------------------ 5.2 / 5.3 JSON

pub static JSON_GET_MODIFY_SET: Rule = Rule {
    meta: RuleMeta {
        id: "mod-json-get-modify-set",
        section: "5.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "JSON.GET then JSON.SET of the same document instead of an atomic path update",
        doc: include_str!("../../rules/mod-json-get-modify-set.md"),
        hides_source: false,
    },
    check: Check::Code(json_get_modify_set),
};

/// The JSON.SET that writes back a document read earlier in the same fn.
/// The JSON.SET that writes back, to the same key, a value made from what
/// `get` read (the flow model follows the reply through bindings and
/// decoding); a fresh document written after a read is not a write-back.
fn write_back<'m>(model: &'m CrateModel, get: &Call) -> Option<&'m Call> {
    let key = get.keys.first()?;
    model.calls.iter().find(|c| {
        c.is("JSON.SET")
            && c.file == get.file
            && c.func == get.func
            && c.seq > get.seq
            && !model.is_atomic(c)
            && c.keys.first() == Some(key)
            && c.inputs.iter().any(|s| s.reply_seq() == Some(get.seq))
    })
}

fn json_get_modify_set(model: &CrateModel, sink: &mut Sink) {
    for get in model
        .calls
        .iter()
        .filter(|c| c.is("JSON.GET") && !c.in_transaction)
    {
        let Some(set) = write_back(model, get) else {
            continue;
        };
        let key = &get.keys[0];
        let path =
            redis_modules::json_path("JSON.SET", &set.module_args).unwrap_or_else(|| "…".into());
        sink.report(
            get.file,
            get.span,
            format!(
                "JSON.GET reads `{key}` and the JSON.SET on line {} writes it back (path `{path}`): the \
                 document crosses the network twice and a concurrent writer's change in between is lost",
                set.span.start.line
            ),
            "update the value in place on the server: JSON.NUMINCRBY / JSON.ARRAPPEND / JSON.STRAPPEND, \
             or JSON.SET on the sub-path that changes"
                .to_string(),
        );
    }
}

pub static JSON_WHOLE_DOCUMENT: Rule = Rule {
    meta: RuleMeta {
        id: "mod-json-whole-document",
        section: "5.3",
        impact: Impact::MediumHigh,
        default: Activation::On,
        summary:
            "JSON.GET of the whole document (root path) when the code reads only a few fields of it",
        doc: include_str!("../../rules/mod-json-whole-document.md"),
        hides_source: false,
    },
    check: Check::Code(json_whole_document),
};

/// The most fields a whole-document read may serve and still count as
/// "a few": more than that, and asking for paths stops paying off.
const FEW_FIELDS: usize = 3;

fn json_whole_document(model: &CrateModel, sink: &mut Sink) {
    // (file, seq) of each JSON.GET → the fields read from its reply, and
    // whether the reply is also used whole (returned, passed on, printed).
    let mut uses: HashMap<(FileId, u32), (BTreeSet<&str>, bool)> = HashMap::new();
    for (file, u) in &model.flow.uses {
        let entry = uses.entry((*file, u.seq)).or_default();
        match u.kind {
            UseKind::Field => {
                entry.0.insert(u.method.as_str());
            }
            UseKind::Whole => entry.1 = true,
            _ => {}
        }
    }
    for get in model.calls.iter().filter(|c| c.is("JSON.GET")) {
        let Some(path) = redis_modules::json_path("JSON.GET", &get.module_args) else {
            continue;
        };
        // A read written back is mod-json-get-modify-set's finding.
        if !redis_modules::is_root_path(&path) || write_back(model, get).is_some() {
            continue;
        }
        let Some(key) = get.keys.first() else {
            continue;
        };
        let Some((fields, false)) = uses.get(&(get.file, get.seq)) else {
            continue;
        };
        if fields.is_empty() || fields.len() > FEW_FIELDS {
            continue;
        }
        let names = fields
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let paths = fields
            .iter()
            .map(|f| format!("$.{f}"))
            .collect::<Vec<_>>()
            .join(" ");
        sink.report(
            get.file,
            get.span,
            format!(
                "JSON.GET reads the whole document `{key}` (path `{path}`) but the code uses only {names}: \
                 every other field crosses the network and is parsed for nothing"
            ),
            format!("ask for those paths only: `JSON.GET key {paths}`"),
        );
    }
}

// ------------------------------------------------------------ 5.4 / 5.5 search

pub static SEARCH_SORTBY_NOT_SORTABLE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-search-sortby-not-sortable",
        section: "5.4",
        impact: Impact::High,
        default: Activation::On,
        summary: "FT.SEARCH / FT.AGGREGATE sorts by a field the index does not declare SORTABLE",
        doc: include_str!("../../rules/mod-search-sortby-not-sortable.md"),
        hides_source: false,
    },
    check: Check::Code(search_sortby_not_sortable),
};

fn search_sortby_not_sortable(model: &CrateModel, sink: &mut Sink) {
    let defs = indexes(model);
    for (call, search) in searches(model) {
        let (Some(index), Some(field)) = (index_name(call), search.sortby.as_deref()) else {
            continue;
        };
        // After GROUPBY the sort key is a reducer's output, not the schema's.
        if search.grouped {
            continue;
        }
        let Some(created) = defs.get(index) else {
            continue;
        };
        // Every FT.CREATE of that index must declare the field unsortable.
        let unsortable = created.iter().all(|(def, _)| {
            def.field(field)
                .is_some_and(|f| !f.sortable && !f.uncertain && f.kind != FieldKind::Vector)
        });
        if !unsortable {
            continue;
        }
        let (_, create) = &created[0];
        sink.report(
            call.file,
            call.span,
            format!(
                "{} sorts `{index}` by `{field}`, which the FT.CREATE at line {} declares without SORTABLE: \
                 every query loads the field from each matching document to sort, slow on large result sets",
                call.command, create.span.start.line
            ),
            format!("add SORTABLE to `{field}` in the index schema (and re-create the index)"),
        );
    }
}

pub static SEARCH_INDEX_UNUSED_FIELD: Rule = Rule {
    meta: RuleMeta {
        id: "mod-search-index-unused-field",
        section: "5.4",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "FT.CREATE indexes a field that no search in the crate queries, sorts or returns",
        doc: include_str!("../../rules/mod-search-index-unused-field.md"),
        hides_source: false,
    },
    check: Check::Code(search_index_unused_field),
};

fn search_index_unused_field(model: &CrateModel, sink: &mut Sink) {
    let mut used: HashMap<&str, (HashSet<String>, bool)> = HashMap::new();
    // Indexes some search reads in a way the linter cannot follow.
    let mut unreadable: HashSet<&str> = HashSet::new();
    for (call, search) in searches(model) {
        let Some(index) = index_name(call) else {
            // A search of an index named at run time may be any index.
            return;
        };
        let entry = used.entry(index).or_default();
        let Some(query) = search.query.as_deref() else {
            unreadable.insert(index);
            continue;
        };
        if search.opaque {
            unreadable.insert(index);
        }
        let facts = redis_modules::parse_query(query);
        entry.0.extend(facts.fields);
        entry.0.extend(search.fields);
        entry.1 |= facts.free_terms;
    }
    for (index, created) in indexes(model) {
        let Some((fields, free_terms)) = used.get(index) else {
            // No search here: the index serves code the linter cannot see.
            continue;
        };
        if unreadable.contains(index) {
            continue;
        }
        for (def, call) in created {
            let unused: Vec<&str> = def
                .fields
                .iter()
                .filter(|f| !(fields.contains(&f.name) || fields.contains(&f.path)))
                // Bare terms search every TEXT field.
                .filter(|f| !(*free_terms && f.kind == FieldKind::Text))
                .map(|f| f.name.as_str())
                .collect();
            if unused.is_empty() {
                continue;
            }
            sink.report(
                call.file,
                call.span,
                format!(
                    "FT.CREATE `{index}` indexes {} that no FT.SEARCH / FT.AGGREGATE in the crate queries, \
                     sorts or returns: every write to a matching key pays to index them, and they take memory",
                    unused.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
                ),
                "drop unused fields from the schema (keep them in the document; RETURN can still load \
                 unindexed fields from a hash or JSON document)"
                    .to_string(),
            );
        }
    }
}

pub static SEARCH_LEADING_WILDCARD: Rule = Rule {
    meta: RuleMeta {
        id: "mod-search-leading-wildcard",
        section: "5.5",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a RediSearch query with a leading wildcard (`*phone`) that scans the whole term dictionary",
        doc: include_str!("../../rules/mod-search-leading-wildcard.md"),
        hides_source: false,
    },
    check: Check::Code(search_leading_wildcard),
};

fn search_leading_wildcard(model: &CrateModel, sink: &mut Sink) {
    let defs = indexes(model);
    for (call, search) in searches(model) {
        let Some(query) = search.query.as_deref() else {
            continue;
        };
        let facts = redis_modules::parse_query(query);
        // A field declared WITHSUFFIXTRIE answers suffix queries from a trie.
        let suffix_trie = |field: &Option<String>| {
            let (Some(index), Some(field)) = (index_name(call), field) else {
                return false;
            };
            defs.get(index).is_some_and(|created| {
                created
                    .iter()
                    .all(|(def, _)| def.field(field).is_some_and(|f| f.suffix_trie))
            })
        };
        let Some((field, term)) = facts
            .leading_wildcards
            .iter()
            .find(|(f, _)| !suffix_trie(f))
        else {
            continue;
        };
        let term = term.replace(redis_modules::HOLE, "{}");
        let on = field
            .as_ref()
            .map_or(String::new(), |f| format!(" on `@{f}`"));
        sink.report(
            call.file,
            call.span,
            format!(
                "the query term `{term}`{on} starts with a wildcard: RediSearch walks the whole term \
                 dictionary of the index for every such query"
            ),
            "search by prefix (`phone*`) or exact terms; if suffix search is a product feature, declare \
             the field WITHSUFFIXTRIE"
                .to_string(),
        );
    }
}

pub static SEARCH_NO_RETURN: Rule = Rule {
    meta: RuleMeta {
        id: "mod-search-no-return",
        section: "5.5",
        impact: Impact::High,
        default: Activation::On,
        summary: "FT.SEARCH without RETURN or NOCONTENT sends whole documents back",
        doc: include_str!("../../rules/mod-search-no-return.md"),
        hides_source: false,
    },
    check: Check::Code(search_no_return),
};

fn search_no_return(model: &CrateModel, sink: &mut Sink) {
    for (call, search) in searches(model).filter(|(c, _)| c.is("FT.SEARCH")) {
        if search.returns || search.nocontent || search.count_only || search.opaque {
            continue;
        }
        let index = index_name(call).map_or("the index".to_string(), |i| format!("`{i}`"));
        sink.report(
            call.file,
            call.span,
            format!(
                "FT.SEARCH on {index} has no RETURN or NOCONTENT: every matching document comes back whole, \
                 all fields over the network and parsed by the client"
            ),
            "name the fields the caller shows with `RETURN n field…`, or use NOCONTENT when only ids \
             are needed"
                .to_string(),
        );
    }
}

// ------------------------------------------------------------ 5.6 / 5.7 TimeSeries

pub static TIMESERIES_ADD_IN_LOOP: Rule = Rule {
    meta: RuleMeta {
        id: "mod-timeseries-add-in-loop",
        section: "5.6",
        impact: Impact::High,
        default: Activation::On,
        summary: "TS.ADD once per loop item instead of one TS.MADD or a pipeline",
        doc: include_str!("../../rules/mod-timeseries-add-in-loop.md"),
        hides_source: false,
    },
    check: Check::Code(timeseries_add_in_loop),
};

/// TS.ADD in a loop over items, outside any pipeline: this rule's finding
/// (conn-command-in-loop leaves it alone).
pub fn is_ts_add_in_loop(call: &Call) -> bool {
    call.is("TS.ADD")
        && call.pipe.is_none()
        && call
            .in_loop
            .is_some_and(|l| matches!(l.kind, LoopKind::For | LoopKind::IterClosure))
}

fn timeseries_add_in_loop(model: &CrateModel, sink: &mut Sink) {
    for call in model.calls.iter().filter(|c| is_ts_add_in_loop(c)) {
        let series = call
            .keys
            .first()
            .map_or("a series".to_string(), |k| format!("`{k}`"));
        sink.report(
            call.file,
            call.span,
            format!(
                "TS.ADD to {series} runs once per loop item: each sample costs a network round trip, so a \
                 batch of readings takes N round trips instead of one"
            ),
            "collect the samples and send one TS.MADD (key timestamp value …), or queue the TS.ADDs on a \
             pipeline"
                .to_string(),
        );
    }
}

pub static TIMESERIES_NO_RETENTION: Rule = Rule {
    meta: RuleMeta {
        id: "mod-timeseries-no-retention",
        section: "5.7",
        impact: Impact::Critical,
        default: Activation::On,
        summary:
            "a time series created without RETENTION (or compaction rule) keeps every sample forever",
        doc: include_str!("../../rules/mod-timeseries-no-retention.md"),
        hides_source: false,
    },
    check: Check::Code(timeseries_no_retention),
};

fn timeseries_no_retention(model: &CrateModel, sink: &mut Sink) {
    // Series a compaction rule reads from or writes to are managed.
    let (ruled, ruled_unseen) = shapes_of(model, &["TS.CREATERULE"], |_| true);
    // Series created or altered explicitly: the TS.CREATE/ALTER is judged,
    // not the TS.ADDs that write to them.
    let (created, created_unseen) = shapes_of(model, &["TS.CREATE", "TS.ALTER"], |_| true);
    let (retained, _) = shapes_of(model, &["TS.ALTER"], |c| {
        redis_modules::ts_retention(&c.command, &c.module_args) == Some(true)
    });
    if ruled_unseen {
        return;
    }
    let mut reported = HashSet::new();
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("TS.CREATE") || c.is("TS.ADD"))
    {
        let Some(key @ Key::Template(_)) = call.keys.first() else {
            continue;
        };
        let shape = key.shape();
        if ruled.contains(&shape) || retained.contains(&shape) {
            continue;
        }
        if call.is("TS.ADD") && (created.contains(&shape) || created_unseen) {
            continue;
        }
        if redis_modules::ts_retention(&call.command, &call.module_args) != Some(false)
            || !reported.insert(shape)
        {
            continue;
        }
        let how = if call.is("TS.ADD") {
            "TS.ADD auto-creates"
        } else {
            "TS.CREATE creates"
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{how} the series `{key}` without RETENTION and no compaction rule covers it: the default \
                 retention is 0, so every sample is kept forever and the series grows until memory runs out"
            ),
            "set `RETENTION <ms>` when creating the series (TS.CREATE, or on the TS.ADD that creates it), \
             and downsample older data with TS.CREATERULE into a series that has a longer retention"
                .to_string(),
        );
    }
}
