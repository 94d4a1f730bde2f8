//! Readings of replies as flags, snippet by snippet.

use super::*;

/// (line of the read reply, how a false one is judged).
fn readings(src: &str) -> Vec<(u32, Judgement)> {
    let file = syn::parse_file(src).expect("the snippet parses");
    flag_readings(&file)
        .into_iter()
        .map(|r| (r.site.start.line, r.how))
        .collect()
}

#[test]
fn a_reply_kept_in_a_field_and_folded_by_a_method() {
    let src = r#"
        struct Response { sent: Vec<bool> }
        impl Response {
            fn ok(&self) -> bool { self.sent.iter().all(|x| *x) }
            fn status(&self) -> Status { if self.ok() { Status::Done } else { Status::Errored } }
        }
        fn call(pipe: Pipeline, mut con: Con) -> Fut {
            Box::pin(async move {
                match pipe.query_async(&mut con).await {
                    Ok(sent) => Ok(Response { sent }),
                    Err(e) => Err(e),
                }
            })
        }
    "#;
    assert_eq!(readings(src), vec![(9, Judgement::Failure)]);
}

#[test]
fn locals_helpers_and_polarity() {
    let src = r#"
        async fn sent(con: &mut Con) -> RedisResult<bool> { con.publish("c", 1).await }
        async fn a(con: &mut Con) -> Result<(), E> {
            let ok: bool = con.sadd("s", 1)?;
            if ok { done() } else { error!("not stored") }
            let all = pipe.query::<Vec<bool>>(con)?;
            if !all.iter().any(|x| !x) { Ok(()) } else { Ok(Action::Retry) }
            if !sent(con).await? { return Err(anyhow!("publish failed")); }
            if !sent(con).await? { return Err(Error::NotFound); }
            let present: bool = con.exists("k")?;
            if !present { debug!("gone") }
            Ok(())
        }
    "#;
    assert_eq!(
        readings(src),
        vec![
            (4, Judgement::ErrorLog),
            (6, Judgement::Retry),
            (2, Judgement::Failure),
        ]
    );
}

#[test]
fn a_raw_command_is_spanned_by_its_cmd() {
    let src = r#"
        fn a(con: &mut Con) -> Result<(), String> {
            let ok: bool = redis::cmd("PUBLISH").arg("c").arg(1).query(con).unwrap();
            if !ok { return Err("publish failed".into()); }
            Ok(())
        }
    "#;
    let file = syn::parse_file(src).expect("the snippet parses");
    let sites: Vec<(u32, u32)> = flag_readings(&file)
        .iter()
        .map(|r| (r.site.start.line, r.site.start.col))
        .collect();
    assert_eq!(sites, vec![(3, 27)]);
}
