//! Module commands' argument words, method by method.

use super::*;

/// The words of a call's arguments, unknown ones as `?`, expressions as
/// their literal text or `<expr>`.
fn words(api: Api, method: &str, args: &[&str]) -> Vec<String> {
    let exprs: Vec<Expr> = args.iter().map(|a| syn::parse_str(a).unwrap()).collect();
    let refs: Vec<&Expr> = exprs.iter().collect();
    method_words(api, method, &refs)
        .unwrap()
        .into_iter()
        .map(|w| match w {
            Word::Lit(s) => s,
            Word::Expr(e) => text_of(e).unwrap_or_else(|| "<expr>".into()),
            Word::Unknown => "?".into(),
        })
        .collect()
}

#[test]
fn redis_rs_schemas_become_schema_arguments() {
    let from_macro = words(
        Api::RedisRs,
        "ft_create",
        &[
            "\"idx:products\"",
            "&options",
            "&schema! { \"title\" => SchemaTextField::new().weight(2.0), \
             \"price\" => SchemaNumericField::new().sortable(Sortable::Yes).alias(\"p\"), \
             \"embedding\" => VectorField::flat(VectorType::Float32, 384, DistanceMetric::Cosine).build() }",
        ],
    );
    assert_eq!(
        from_macro,
        [
            "idx:products",
            "SCHEMA",
            "title",
            "TEXT",
            "price",
            "AS",
            "p",
            "NUMERIC",
            "SORTABLE",
            "embedding",
            "VECTOR",
            "FLAT",
            "6",
            "TYPE",
            "FLOAT32",
            "DIM",
            "384",
            "DISTANCE_METRIC",
            "COSINE",
        ]
    );
    let from_chain = words(
        Api::RedisRs,
        "ft_create",
        &[
            "\"idx:tags\"",
            "&options",
            "&SearchSchema::new(\"tag\", SchemaTagField::new()).insert(\"name\", field_for(x))",
        ],
    );
    assert_eq!(
        from_chain,
        ["idx:tags", "SCHEMA", "tag", "TAG", "name", "?"]
    );
    assert!(is_schema_chain(
        &syn::parse_str("SearchSchema::new(\"t\", SchemaTextField::new()).insert(\"n\", SchemaNumericField::new())").unwrap()
    ));
}

#[test]
fn fred_search_options_become_search_arguments() {
    let w = words(
        Api::Fred,
        "ft_search",
        &[
            "\"idx:a\"",
            "query",
            "FtSearchOptions { nocontent: true, dialect: Some(2), \
             sortby: Some(SearchSortBy { attribute: \"price\".into(), order: None, withcount: false }), \
             r#return: vec![SearchField { identifier: \"name\".into(), property: None }], \
             ..Default::default() }",
        ],
    );
    assert_eq!(
        w,
        [
            "idx:a",
            "<expr>",
            "NOCONTENT",
            "DIALECT",
            "2",
            "SORTBY",
            "price",
            "RETURN",
            "1",
            "name"
        ]
    );
    // Options from elsewhere, or spread from a value, are unreadable.
    assert_eq!(words(Api::Fred, "ft_search", &["i", "q", "opts"])[2], "?");
    assert_eq!(
        words(
            Api::Fred,
            "ft_search",
            &["i", "q", "FtSearchOptions { ..base }"]
        )[2],
        "?"
    );
    assert_eq!(
        words(
            Api::Fred,
            "ft_search",
            &["i", "q", "FtSearchOptions::default()"]
        )
        .len(),
        2
    );
}

#[test]
fn fred_schema_becomes_schema_arguments() {
    let w = words(
        Api::Fred,
        "ft_create",
        &[
            "\"idx:p\"",
            "FtCreateOptions::default()",
            "vec![SearchSchema { field_name: \"price\".into(), alias: Some(\"p\".into()), \
             kind: SearchSchemaKind::Numeric { sortable: true, unf: false, noindex: false } }, \
             SearchSchema { field_name: \"v\".into(), alias: None, kind: SearchSchemaKind::Custom { \
             name: \"VECTOR\".into(), arguments: vec![\"HNSW\".into(), 6.into()] } }]",
        ],
    );
    assert_eq!(
        w,
        [
            "idx:p", "SCHEMA", "price", "AS", "p", "NUMERIC", "SORTABLE", "v", "VECTOR", "HNSW",
            "6"
        ]
    );
}

#[test]
fn timeseries_retention_arguments() {
    let w = words(
        Api::Fred,
        "ts_add",
        &[
            "k",
            "\"*\"",
            "1.5",
            "Some(DAY)",
            "None",
            "None",
            "None",
            "()",
        ],
    );
    assert_eq!(w[3..], ["RETENTION".to_string(), "?".to_string()]);
    assert_eq!(
        words(
            Api::Fred,
            "ts_create",
            &["k", "None", "None", "None", "None", "()"]
        )
        .len(),
        1
    );
    assert_eq!(
        words(
            Api::RedisRs,
            "ts_create",
            &["k", "TsOptions::default().retention_time(60000)"]
        )[1],
        "RETENTION"
    );
    assert_eq!(words(Api::RedisRs, "ts_create", &["k", "opts"])[1], "?");
}
