//! `redis-lint keys`: the keyspace inventory. The same walk, configuration
//! and cache as a lint run, with no rule run: the inventory is built from
//! the crate models the rules would read.

use std::path::PathBuf;

use super::{config_source, emit, Failure, KeysArgs, KeysFormat, EXIT_CLEAN, EXIT_ERROR};
use crate::engine::{self, Exclude, Input, Options, Prefilter, ServerConfs, Settings};
use crate::link::Scope;
use crate::report::keyspace;

pub(super) fn keys(args: &KeysArgs) -> Result<i32, Failure> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let opts = Options {
        input: Input::Paths(paths),
        // The inventory needs the models, not the findings.
        rules: Vec::new(),
        settings: Settings::Configured {
            source: config_source(args.config.clone(), args.isolated),
            select: Vec::new(),
            ignore: Vec::new(),
            extend_select: Vec::new(),
        },
        scope: Scope {
            tests: args.lint_tests,
        },
        server_confs: ServerConfs::Skip,
        threads: args.threads.map(|n| n.min(engine::max_threads())),
        prefilter: Prefilter::SkipUnrelated,
        cache: args.cache.then(|| args.cache_dir.clone()),
        max_file_size: engine::DEFAULT_MAX_FILE_SIZE,
        exclude: Exclude::new(&args.exclude)?,
    };
    let linted = engine::run(&opts)?;
    for warning in &linted.warnings {
        eprintln!("redis-lint: {warning}");
    }
    let (ks, outcome) = (&linted.keyspace, &linted.outcome);
    let text = match args.format {
        KeysFormat::Human => keyspace::human(ks, outcome),
        KeysFormat::Json => keyspace::json(ks, outcome),
        KeysFormat::Markdown => keyspace::markdown(ks, outcome),
        KeysFormat::Mermaid => keyspace::mermaid(ks),
        KeysFormat::Dot => keyspace::dot(ks),
    };
    emit(args.output.as_deref(), &text)?;
    Ok(if linted.missing_paths.is_empty() {
        EXIT_CLEAN
    } else {
        for missing in &linted.missing_paths {
            eprintln!("redis-lint: {missing}");
        }
        EXIT_ERROR
    })
}
