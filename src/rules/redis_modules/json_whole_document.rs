//! `mod-json-whole-document`: JSON.GET of the whole document (root path) when
//! the code reads only a few fields of it.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::flow::UseKind;
use crate::model::{FileId, redis_modules};
use crate::rules::queries::write_back;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-json-whole-document",
        section: "5.3",
        impact: Impact::MediumHigh,
        default: Activation::On,
        summary:
            "JSON.GET of the whole document (root path) when the code reads only a few fields of it",
        doc: include_str!("../../../rules/mod-json-whole-document.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(json_whole_document),
    options: None,
    guide_also: &[],
};

/// The most fields a whole-document read may serve and still count as
/// "a few": more than that, and asking for paths stops paying off.
const FEW_FIELDS: usize = 3;

fn json_whole_document(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
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
