//! Extraction, snippet by snippet: each test walks a small Rust file and
//! compares the dump of its facts with an inline snapshot
//! (`UPDATE_EXPECT=1 cargo test --lib extract` rewrites them).

use expect_test::{expect, Expect};

use super::dump::dump;
use super::facts::{Recv, Root};
use super::types::TypeClass;
use super::{extract, CrateInputs};

fn check(src: &str, expected: Expect) {
    let file = syn::parse_file(src).expect("the snippet parses");
    expected.assert_eq(&dump(&extract(&file, false, &CrateInputs::default())));
}

#[test]
fn redis_rs_method_with_format_key() {
    check(
        r#"
        use redis::AsyncCommands;
        async fn load(client: &redis::Client, id: u64) -> redis::RedisResult<String> {
            let mut con = client.get_multiplexed_async_connection().await?;
            con.get(format!("user:{}", id)).await
        }
        "#,
        expect![[r#"
            creation get_multiplexed_async_connection makes RedisRs::Multiplexed (AsyncConnection { with_config: false }) in load as con
            call GET RedisRs Method keys=[user:{id}] on RedisRs::Multiplexed in load awaited
        "#]],
    );
}

#[test]
fn ufcs_and_raw_cmd() {
    check(
        r#"
        use redis::Commands;
        fn touch(con: &mut redis::Connection, key: &str) {
            let _: () = redis::Commands::set(con, key, 1).unwrap();
            let _: i64 = redis::cmd("EXPIRE").arg(key).arg(60).query(con).unwrap();
        }
        "#,
        expect![[r#"
            call SET RedisRs Method keys=[{key}] on RedisRs::Sync in touch
            call EXPIRE RedisRs Raw keys=[] on RedisRs::Sync in touch args=[{key}, 60]
        "#]],
    );
}

#[test]
fn pipeline() {
    check(
        r#"
        use redis::Commands;
        fn save(con: &mut redis::Connection) {
            let _: () = redis::pipe()
                .atomic()
                .set("a", 1)
                .incr("b", 1)
                .query(con)
                .unwrap();
        }
        "#,
        expect![[r#"
            pipe#0 RedisRs atomic exec on RedisRs::Sync
            call SET RedisRs Method keys=[a] on ? in save pipe#0
            call INCRBY RedisRs Method keys=[b] on ? in save pipe#0
        "#]],
    );
}

#[test]
fn fred_call() {
    check(
        r#"
        use fred::prelude::*;
        async fn run() -> Result<(), Error> {
            let client = Builder::default_centralized().build()?;
            client.init().await?;
            let _: () = client.set("greeting", "hi", None, None, false).await?;
            Ok(())
        }
        "#,
        expect![[r#"
            creation build makes Fred::FredClient (FredClient { command_timeout: Missing, reconnect: false }) in run as client
            call SET Fred Method keys=[greeting] on Fred::FredClient in run awaited
        "#]],
    );
}

#[test]
fn deadpool_pool_get() {
    check(
        r#"
        use deadpool_redis::{Config, Runtime, redis::AsyncCommands};
        async fn run() {
            let cfg = Config::from_url("redis://127.0.0.1/");
            let pool = cfg.create_pool(Some(Runtime::Tokio1)).unwrap();
            let mut con = pool.get().await.unwrap();
            let _: () = con.del("session").await.unwrap();
        }
        "#,
        expect![[r#"
            creation create_pool makes Deadpool::Pool { cluster: false } (Pool) in run as pool
            call DEL RedisRs Method keys=[session] on Deadpool::Pooled { cluster: false } in run awaited
        "#]],
    );
}

#[test]
fn key_builder_fn() {
    check(
        r#"
        use redis::Commands;
        const PREFIX: &str = "app";
        fn user_key(id: u64) -> String {
            format!("{PREFIX}:user:{id}")
        }
        fn read(con: &mut redis::Connection, id: u64) -> String {
            con.get(user_key(id)).unwrap()
        }
        "#,
        expect![[r#"
            const PREFIX = app
            builder user_key(id) = <PREFIX>:user:{id}
            call GET RedisRs Method keys=[user_key({id})] on RedisRs::Sync in read
            helper user_key({id}) in read
        "#]],
    );
}

#[test]
fn call_in_a_loop() {
    check(
        r#"
        use redis::Commands;
        fn read_all(con: &mut redis::Connection, ids: &[u64]) {
            for id in ids {
                let _: Option<String> = con.get(format!("item:{id}")).unwrap();
            }
        }
        "#,
        expect![[r#"
            call GET RedisRs Method keys=[item:{id}] on RedisRs::Sync in read_all loop=For+item
        "#]],
    );
}

#[test]
fn hashmap_keys_is_not_a_command() {
    check(
        r#"
        use std::collections::HashMap;
        use redis::Commands;
        fn names(con: &mut redis::Connection, map: &HashMap<String, u32>) -> Vec<String> {
            let _: Vec<String> = con.keys("user:*").unwrap();
            map.keys().cloned().collect()
        }
        "#,
        expect![[r#"
            call KEYS RedisRs Method keys=[] on RedisRs::Sync in names
        "#]],
    );
}

#[test]
fn test_only_module() {
    check(
        r#"
        use redis::Commands;
        #[cfg(test)]
        mod tests {
            use super::*;
            #[test]
            fn flush() {
                let client = redis::Client::open("redis://localhost").unwrap();
                let mut con = client.get_connection().unwrap();
                let _: () = con.flushdb().unwrap();
            }
        }
        #[cfg(test)]
        mod more_tests;
        "#,
        expect![[r#"
            creation Client::open makes RedisRs::Client (Client) in flush as client test
            creation get_connection makes RedisRs::Sync (SyncConnection { with_connect_timeout: false }) in flush as con test
            call FLUSHDB RedisRs Method keys=[] on RedisRs::Sync in flush test
            test mod more_tests
        "#]],
    );
}

#[test]
fn script_invoke() {
    check(
        r#"
        fn bump(con: &mut redis::Connection) {
            let script = redis::Script::new("return redis.call('INCR', KEYS[1])");
            let _: i64 = script.key("counter").invoke(con).unwrap();
        }
        "#,
        expect![[r#"
            call EVALSHA RedisRs Script keys=[counter] on RedisRs::Sync in bump
        "#]],
    );
}

#[test]
fn fred_custom_command() {
    check(
        r#"
        use fred::prelude::*;
        async fn info(client: &Client) {
            let _: String = client.custom(cmd!("OBJECT"), vec!["ENCODING", "k"]).await.unwrap();
        }
        "#,
        expect![[r#"
            call OBJECT Fred Raw keys=[] on Fred::FredClient in info args=[ENCODING, k] awaited
        "#]],
    );
}

#[test]
fn keys_past_the_size_bound_are_too_complex() {
    // Doubling per line: v6 has 32 parts, v8 128, past the bound of 64.
    // Both uses of v8 share one marker; a call nested past the key depth
    // bound is too complex as well.
    let mut src = String::from(
        "use redis::Commands;\nfn f(con: &mut redis::Connection) {\n    let v1 = \"k\".to_string();\n",
    );
    for i in 2..=8 {
        src += &format!("    let v{i} = v{p}.clone() + &v{p};\n", p = i - 1);
    }
    let deep = format!("{}x{}", "g(".repeat(34), ")".repeat(34));
    src += &format!(
        "    let _: () = con.set(&v8, 1).unwrap();\n    let _: () = con.set(&v8, 2).unwrap();\n    \
         let _: () = con.set(&v6, 1).unwrap();\n    let _: () = con.set({deep}, 1).unwrap();\n}}\n"
    );
    let file = syn::parse_file(&src).expect("the snippet parses");
    expect![[r#"
        call SET RedisRs Method keys=[<too complex #1>] on RedisRs::Sync in f
        call SET RedisRs Method keys=[<too complex #1>] on RedisRs::Sync in f
        call SET RedisRs Method keys=[kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk] on RedisRs::Sync in f
        call SET RedisRs Method keys=[g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(<too complex #4>))))))))))))))))))))))))))))))))] on RedisRs::Sync in f
        helper g({x}) in f
        helper g(g({x})) in f
        helper g(g(g({x}))) in f
        helper g(g(g(g({x})))) in f
        helper g(g(g(g(g({x}))))) in f
        helper g(g(g(g(g(g({x})))))) in f
        helper g(g(g(g(g(g(g({x}))))))) in f
        helper g(g(g(g(g(g(g(g({x})))))))) in f
        helper g(g(g(g(g(g(g(g(g({x}))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g({x})))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g({x}))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x}))))))))))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g({x})))))))))))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(<too complex #2>))))))))))))))))))))))))))))))))) in f
        helper g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(g(<too complex #3>))))))))))))))))))))))))))))))))) in f
    "#]].assert_eq(&dump(&extract(&file, false, &CrateInputs::default())));
}

#[test]
fn where_code_runs() {
    use crate::model::RunsOn;
    let src = r#"
        async fn handler(pool: Pool, client: redis::Client) {
            let a = pool.get();
            tokio::task::spawn_blocking(move || {
                let b = pool.get();
            });
            fn helper() {
                let c = 1;
            }
        }
        fn job(rt: tokio::runtime::Runtime) {
            rt.block_on(async {
                let f = 1;
            });
            let d = 1;
            tokio::spawn(async move {
                let e = 1;
            });
        }
    "#;
    let file = syn::parse_file(src).expect("the snippet parses");
    let facts = extract(&file, false, &CrateInputs::default());
    let line_of = |needle: &str| {
        let line = src
            .lines()
            .position(|l| l.contains(needle))
            .expect("needle")
            + 1;
        crate::model::Span {
            start: crate::model::Pos {
                line: line as u32,
                col: 16,
            },
            end: crate::model::Pos {
                line: line as u32,
                col: 20,
            },
        }
    };
    let runs = |fn_name: &str, needle: &str| {
        let f = facts
            .fns
            .iter()
            .find(|f| f.info.name == fn_name)
            .expect("fn");
        f.info.runs_on(line_of(needle))
    };
    assert_eq!(runs("handler", "let a"), RunsOn::AsyncWorker);
    assert_eq!(runs("handler", "let b"), RunsOn::BlockingThread);
    assert_eq!(runs("helper", "let c"), RunsOn::BlockingThread);
    assert_eq!(runs("job", "let d"), RunsOn::BlockingThread);
    assert_eq!(runs("job", "let e"), RunsOn::AsyncWorker);
    assert_eq!(runs("job", "let f"), RunsOn::BlockingThread);
}

#[test]
fn pipeline_runs_and_connect_calls() {
    let src = r#"
        fn save(con: &mut redis::Connection) {
            let mut pipe = redis::pipe();
            pipe.set("a", 1).ignore();
            pipe.query::<()>(con).unwrap();
            pipe.set("b", 2).ignore();
        }
        async fn start(client: &fred::prelude::Client) {
            client.init().await.unwrap();
        }
    "#;
    let file = syn::parse_file(src).expect("the snippet parses");
    let facts = extract(&file, false, &CrateInputs::default());
    let runs = &facts.pipes[0].runs;
    assert_eq!(runs.len(), 1);
    let seqs: Vec<u32> = facts.calls.iter().map(|c| c.seq).collect();
    assert!(seqs[0] <= runs[0].after_seq && seqs[1] > runs[0].after_seq);
    let connects = |name: &str| {
        let f = facts.fns.iter().find(|f| f.info.name == name).expect("fn");
        f.info.connects_client
    };
    assert!(!connects("save") && connects("start"));
}

#[test]
fn commands_run_on_a_connection_given_as_argument() {
    check(
        r#"
        use redis::cluster::{ClusterConnection, ClusterPipeline};
        use redis::Cmd;
        pub enum Conn {
            Cluster(ClusterConnection),
        }
        fn exec(cmd: &mut Cmd, conn: &mut Conn) {
            match conn {
                Conn::Cluster(con) => cmd.query(con),
            }
        }
        fn run(pipe: &ClusterPipeline, con: &mut ClusterConnection, rows: &[u8]) {
            let _: () = pipe.query(con).unwrap();
            let _ = rows.query(1);
        }
        "#,
        expect![[r#"
            call  RedisRs RawUnnamed keys=[] on Conn.Cluster.0 in exec weak
            call  RedisRs RawUnnamed keys=[] on RedisRs::ClusterSync in run weak
        "#]],
    );
}

#[test]
fn cluster_condition_picks_the_branch_topology() {
    check(
        r#"
        use redis::AsyncCommands;
        impl<C: redis::aio::ConnectionLike + Send + Sync> Sweeper<C> {
            async fn stale(&mut self) {
                if self.is_cluster {
                    let _ = self.con.scan_match::<_, String>("a:*").await;
                } else {
                    let _ = self.con.scan_match::<_, String>("b:*").await;
                }
                if self.topology != Topology::Cluster {
                    let _ = self.con.scan_match::<_, String>("c:*").await;
                }
            }
        }
        "#,
        expect![[r#"
            call SCAN RedisRs Method keys=[] on self:Sweeper.con in stale path=Cluster awaited
            call SCAN RedisRs Method keys=[] on self:Sweeper.con in stale path=SingleNode awaited
            call SCAN RedisRs Method keys=[] on self:Sweeper.con in stale path=SingleNode awaited
            helper scan_match(a:*) in stale
            helper scan_match(b:*) in stale
            helper scan_match(c:*) in stale
        "#]],
    );
}

#[test]
fn routes_name_their_fns_with_the_path_qualifier() {
    let src = r#"
        fn rocket() -> Vec<rocket::Route> {
            routes![handlers::get_item, health]
        }
        fn filters() {
            let views = warp::path!("views" / String).and(warp::get()).and_then(Api::views);
        }
    "#;
    let file = syn::parse_file(src).expect("the snippet parses");
    let routed: Vec<String> = extract(&file, false, &CrateInputs::NONE)
        .routed
        .iter()
        .map(|r| format!("{}::{}", r.qualifier.as_deref().unwrap_or("-"), r.name))
        .collect();
    assert_eq!(routed, ["handlers::get_item", "-::health", "Api::views"]);
}

#[test]
fn renamed_client_paths_are_the_clients() {
    let src = r#"
        use kv::AsyncCommands;
        pub async fn f(con: &mut kv::aio::ConnectionManager) -> kv::RedisResult<()> {
            let _: Vec<String> = kv::cmd("KEYS").arg("a:*").query_async(con).await?;
            con.set("session:1", 1).await
        }
    "#;
    let file = syn::parse_file(src).expect("the snippet parses");
    let inputs = CrateInputs {
        renames: crate::manifest::Renames::of(&[("kv", "redis")]),
        ..CrateInputs::default()
    };
    let facts = extract(&file, false, &inputs);
    assert!(facts.imports_redis_traits);
    let commands: Vec<&str> = facts.calls.iter().map(|c| c.command.as_str()).collect();
    assert_eq!(commands, ["KEYS", "SET"]);
    assert!(matches!(facts.calls[1].recv, Recv::Known { .. }));
    // Without the rename, `kv` is some other crate.
    let plain = extract(&file, false, &CrateInputs::NONE);
    assert!(plain.calls.iter().all(|c| c.command != "KEYS"));
}

#[test]
fn reexported_client_types_and_traits_are_recorded() {
    let src = r#"
        pub mod prelude {
            pub use redis::aio::ConnectionManager;
            pub use redis::{AsyncCommands, Client as RedisClient};
        }
        pub mod pools {
            pub use deadpool_redis::*;
        }
        pub use sqlx::PgPool;
    "#;
    let file = syn::parse_file(src).expect("the snippet parses");
    let facts = extract(&file, false, &CrateInputs::NONE);
    assert!(facts.reexports_traits);
    // A module of the crate's own named `redis` (a queue backend).
    let own = "mod redis;\npub use redis::{AsyncCommands, Client, RedisBackend};\n";
    let own = extract(
        &syn::parse_file(own).expect("parses"),
        false,
        &CrateInputs::NONE,
    );
    assert!(!own.reexports_traits && own.aliases.is_empty());
    let names: Vec<&str> = facts.aliases.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["ConnectionManager", "RedisClient", "Connection", "Pool"]
    );
}

#[test]
fn a_type_from_another_crates_prelude_names_that_glob() {
    let src = r#"
        use common::prelude::*;
        pub struct Cache;
        pub struct State { con: ConnectionManager, cache: Cache }
        #[cfg(test)]
        mod tests {
            use super::*;
        }
    "#;
    let file = syn::parse_file(src).expect("the snippet parses");
    let facts = extract(&file, false, &CrateInputs::NONE);
    assert_eq!(facts.foreign_globs, ["common"]);
    let field = |name: &str| {
        facts
            .structs
            .iter()
            .find(|(_, f, _)| f == name)
            .map(|(_, _, c)| c.clone())
    };
    let glob_type = TypeClass::Struct("common::prelude::ConnectionManager".into());
    assert_eq!(field("con"), Some(glob_type));
    assert_eq!(field("cache"), Some(TypeClass::Struct("Cache".into())));
    // A glob of the crate's own module may bring in a `ConnectionManager`.
    let own = syn::parse_file(&format!("use super::*;\n{src}")).expect("parses");
    let facts = extract(&own, false, &CrateInputs::NONE);
    let con = facts.structs.iter().find(|(_, f, _)| f == "con");
    let plain = TypeClass::Struct("ConnectionManager".into());
    assert_eq!(con.map(|(_, _, c)| c), Some(&plain));
}

#[test]
fn client_crates_reexported_whole_are_recorded() {
    let src = r#"
        pub use ::redis as redis_rs;
        pub extern crate redis as kv;
        extern crate fred as bus;
        pub mod plugin { pub use redis; }
        pub use serde_json as json;
    "#;
    let file = syn::parse_file(src).expect("the snippet parses");
    let facts = extract(&file, false, &CrateInputs::NONE);
    let names: Vec<(&str, &str)> = facts
        .client_reexports
        .iter()
        .map(|c| (c.name.as_str(), c.krate.as_str()))
        .collect();
    // `bus` is not `pub`: it names fred in this crate only.
    assert_eq!(
        names,
        [("redis_rs", "redis"), ("kv", "redis"), ("redis", "redis")]
    );
    assert!(facts.aliases.is_empty());
}

#[test]
fn constructors_through_another_crates_prelude_wait_for_linking() {
    let src = r#"
        use common::prelude::*;
        async fn each(url: &str) {
            let client = Client::open(url).unwrap();
            let _ = common::redis_rs::cmd("KEYS").arg("*").query_async(&mut con).await;
        }
    "#;
    let file = syn::parse_file(src).expect("the snippet parses");
    let facts = extract(&file, false, &CrateInputs::NONE);
    let [created] = facts.creations.as_slice() else {
        panic!("one creation: {:?}", facts.creations);
    };
    assert!(matches!(
        &created.recv,
        Recv::Path { root: Root::Type { name, .. }, .. } if name == "common::prelude::Client"
    ));
    let [keys] = facts.calls.as_slice() else {
        panic!("one call: {:?}", facts.calls);
    };
    assert_eq!(keys.via.as_deref(), Some("common::redis_rs"));
}
