//! Cluster rules on whole scratch crates: cluster-keys-scan-one-node on
//! receivers of unknown kind (a fred client, `impl ConnectionLike`) fires
//! only in crates that build cluster clients and no single-node ones;
//! cluster-hardcoded-master never prints the URL it flags.

mod common;

use std::process::Command;

/// Lints a scratch crate with the rule selected; returns the finding lines.
fn findings(name: &str, source: &str) -> Vec<String> {
    lint(
        name,
        source,
        "cluster-keys-scan-one-node",
        &["--format", "concise"],
    )
    .lines()
    .filter(|l| l.contains("cluster-keys-scan-one-node"))
    .map(str::to_string)
    .collect()
}

/// Lints a scratch crate with one rule selected; returns stdout.
fn lint(name: &str, source: &str, rule: &str, args: &[&str]) -> String {
    let dir = common::scratch_crate("cscan", name, source);
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["--select", rule, "--color", "never"])
        .args(args)
        .arg(&dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}

const FRED_CLUSTER: &str = r#"use fred::prelude::*;
pub fn build() -> Result<Client, Error> {
    let config = Config { server: ServerConfig::default_clustered(), ..Default::default() };
    Builder::from_config(config).build()
}
pub fn stalled(client: &Client) {
    let pages = client.scan("jobs:stalled:*", Some(100), None);
    drop(pages);
}
pub fn tenant(client: &Client) {
    let pages = client.scan("jobs:{tenant-7}:*", Some(100), None);
    drop(pages);
}
pub fn everywhere(client: &Client) {
    let pages = client.scan_cluster("jobs:stalled:*", Some(100), None);
    drop(pages);
}
pub async fn raw_keys(client: &Client) -> Result<Vec<String>, Error> {
    client.custom(cmd!("KEYS"), vec!["jobs:*"]).await
}
"#;

#[test]
fn fred_scan_and_keys_in_a_cluster_only_crate() {
    let found = findings("fred", FRED_CLUSTER);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains(":7:") && found[0].contains("SCAN `jobs:stalled:*`"),
        "{found:#?}"
    );
    assert!(
        found[1].contains(":19:") && found[1].contains("KEYS"),
        "{found:#?}"
    );
}

#[test]
fn generic_redis_rs_receiver_in_a_cluster_only_crate() {
    let source = r#"use redis::Commands;
pub fn connect() -> redis::RedisResult<redis::cluster::ClusterClient> {
    redis::cluster::ClusterClient::new(vec!["redis://10.0.0.1:6379"])
}
pub fn sweep<C: redis::ConnectionLike>(con: &mut C) -> redis::RedisResult<Vec<String>> {
    redis::cmd("SCAN").arg(0).arg("MATCH").arg("jobs:*").query(con)
}
"#;
    let found = findings("generic", source);
    assert_eq!(found.len(), 1, "{found:#?}");
    // The same crate with a single-node client too: the receiver may be either.
    let mixed = format!(
        "{source}pub fn local() -> redis::RedisResult<redis::Client> {{ redis::Client::open(\"redis://127.0.0.1/\") }}\n"
    );
    assert!(findings("mixed", &mixed).is_empty());
}

#[test]
fn hardcoded_master_reports_hide_the_url() {
    let source = "pub fn open() -> redis::RedisResult<redis::Client> {\n    \
                  redis::Client::open(\"rediss://app:Xq7zPw2k@redis-master.prod.internal:6380/\")\n}\n";
    for format in ["human", "concise", "json", "sarif"] {
        let out = lint(
            "master",
            source,
            "cluster-hardcoded-master",
            &["--format", format],
        );
        assert!(
            out.contains("redis-master.prod.internal"),
            "{format}: {out}"
        );
        assert!(
            !out.contains("Xq7zPw2k"),
            "{format} leaks the password: {out}"
        );
    }
}
