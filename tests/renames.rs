//! A client crate depended on under another name (`kv = { package =
//! "redis" }`) is read from the crate's manifest, and the facts cache
//! follows the manifest: renaming the dependency re-reads the crate's
//! files even when they did not change.

use std::path::Path;
use std::process::Command;

#[path = "common/sites.rs"]
mod sites;
use sites::sites;

const BIN: &str = env!("CARGO_BIN_EXE_redis-lint");

const CODE: &str = "pub fn stale(con: &mut kv::Connection) -> kv::RedisResult<Vec<String>> {\n\
                    \x20   kv::cmd(\"KEYS\").arg(\"invoice:*\").query(con)\n\
                    }\n";

fn manifest(dependency: &str) -> String {
    format!("[package]\nname = \"billing\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{dependency}\n")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The rules reported, with the cache in `cache`.
fn rules(app: &Path, cache: &Path) -> Vec<String> {
    let out = Command::new(BIN)
        .args(["--format", "json", "--cache", "--cache-dir"])
        .arg(cache)
        .arg(".")
        .current_dir(app)
        .output()
        .unwrap();
    sites(&out.stdout, &out.stderr)
        .into_iter()
        .filter_map(|site| site.rsplit(' ').next().map(str::to_string))
        .collect()
}

#[test]
fn a_renamed_client_is_read_and_the_cache_follows_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("billing");
    let cache = dir.path().join("cache");
    write(&app, "src/lib.rs", CODE);
    // `kv` is some other crate: nothing is Redis.
    write(&app, "Cargo.toml", &manifest("kv = \"0.1\""));
    assert_eq!(rules(&app, &cache), Vec::<String>::new());
    write(
        &app,
        "Cargo.toml",
        &manifest("kv = { package = \"redis\", version = \"1\" }"),
    );
    assert_eq!(rules(&app, &cache), ["key-keys-command"]);
    // And from the cache, unchanged.
    assert_eq!(rules(&app, &cache), ["key-keys-command"]);
}
