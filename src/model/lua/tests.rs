use super::*;

fn undeclared(script: &str) -> Vec<(String, String, Option<String>)> {
    parse(script)
        .unwrap()
        .undeclared_keys()
        .map(|(c, k)| (c.command.clone().unwrap(), k.text.clone(), k.via.clone()))
        .collect()
}

#[test]
fn literal_and_built_keys_are_found() {
    let script = "local n = redis.call('INCR', 'rate:global')\n\
                  redis.call('EXPIRE', 'rate:' .. ARGV[1], 60)\n\
                  return redis.call('GET', KEYS[1])";
    assert_eq!(
        undeclared(script),
        vec![
            ("INCR".into(), "'rate:global'".into(), None),
            ("EXPIRE".into(), "'rate:' .. ARGV[1]".into(), None),
        ]
    );
}

#[test]
fn locals_carry_what_they_hold() {
    let script = "local k = KEYS[1]\nlocal audit = 'audit:' .. k\nlocal user = ARGV[1]\n\
                  local cur = redis.call('GET', k)\n\
                  redis.call('SET', k, cur)\nredis.call('LPUSH', audit, user)\n\
                  redis.call('DEL', user)";
    assert_eq!(
        undeclared(script),
        vec![("LPUSH".into(), "audit".into(), Some("audit".into()))]
    );
}

#[test]
fn declared_unknown_and_keyless_commands_are_silent() {
    let script = "redis.call('SET', KEYS[1], 'value')\n\
                  redis.pcall('HSET', KEYS[2], 'field', ARGV[1])\n\
                  redis.call('PUBLISH', 'events', ARGV[1])\n\
                  redis.call(ARGV[2], 'x')\n\
                  redis.call('GET', ARGV[1])\n\
                  -- redis.call('DEL', 'commented:out')\n\
                  local s = \"redis.call('DEL', 'in:a:string')\"";
    assert!(undeclared(script).is_empty(), "{:?}", undeclared(script));
}

#[test]
fn multi_key_commands_check_every_key() {
    assert_eq!(
        undeclared(
            "redis.call('DEL', KEYS[1], 'stale:index')\nredis.call('RENAME', KEYS[1], KEYS[2])"
        ),
        vec![("DEL".into(), "'stale:index'".into(), None)]
    );
}

#[test]
fn whole_programs_with_helpers_loops_and_key_iteration() {
    let script = "local function bump(key)\n  return redis.call('INCR', key)\nend\n\
                  for _, k in ipairs(KEYS) do\n  redis.call('EXPIRE', k, 60)\nend\n\
                  local i = 0\nwhile i < 3 do\n  i = i + 1\n  \
                  redis.pcall('SADD', 'seen:' .. i, ARGV[1])\nend\n\
                  return bump(KEYS[1])";
    let facts = parse(script).unwrap();
    let calls: Vec<(&str, CallForm, Looping, Vec<KeyOrigin>)> = facts
        .calls
        .iter()
        .map(|c| {
            let origins = c.keys.iter().map(|k| k.origin).collect();
            (c.command.as_deref().unwrap(), c.form, c.looping, origins)
        })
        .collect();
    assert_eq!(
        calls,
        vec![
            (
                "INCR",
                CallForm::Call,
                Looping::Once,
                vec![KeyOrigin::Unknown]
            ),
            (
                "EXPIRE",
                CallForm::Call,
                Looping::InLoop,
                vec![KeyOrigin::Declared]
            ),
            (
                "SADD",
                CallForm::Pcall,
                Looping::InLoop,
                vec![KeyOrigin::Written]
            ),
        ]
    );
    // The call's place is its bytes in the script.
    let sadd = &facts.calls[2];
    assert_eq!(
        &script[sadd.range.clone()],
        "redis.pcall('SADD', 'seen:' .. i, ARGV[1])"
    );
}

#[test]
fn argv_values_are_told_apart() {
    let facts =
        parse("local who = ARGV[1]\nredis.call('SET', KEYS[2], who)\nredis.call('DEL', who)")
            .unwrap();
    assert_eq!(facts.calls[0].keys[0].origin, KeyOrigin::Declared);
    assert_eq!(facts.calls[1].keys[0].origin, KeyOrigin::Argv);
}

#[test]
fn syntax_errors_say_where() {
    let err = parse("local x = \nif then").unwrap_err();
    assert!(
        matches!(err, LuaError::Syntax { at, .. } if at > 0),
        "{err:?}"
    );
}

#[test]
fn file_positions_count_lines_and_chars() {
    let text = "a\n  é b\n";
    assert_eq!(file_pos(text, 0), Pos { line: 1, col: 0 });
    // `b` sits after two spaces, `é` (two bytes) and a space.
    assert_eq!(file_pos(text, 7), Pos { line: 2, col: 4 });
}

#[test]
fn literal_scripts_map_back_to_the_rust_source() {
    let text = crate::model::ScriptText {
        source: "\"redis.call('DEL', \\\n    'x:y')\"".into(),
        span: crate::model::Span {
            start: Pos { line: 5, col: 10 },
            end: Pos { line: 6, col: 12 },
        },
    };
    let script = LiteralScript::read(&text).unwrap();
    let facts = script.facts.as_ref().unwrap();
    let key = &facts.calls[0].keys[0];
    assert_eq!(key.text, "'x:y'");
    let span = script.span(&key.range);
    assert_eq!(span.start, Pos { line: 6, col: 4 });
    assert_eq!(span.end, Pos { line: 6, col: 9 });
}

#[test]
fn names_read_from_replies_are_undeclared() {
    let script = "local set = KEYS[1]\nlocal members = redis.call('SMEMBERS', set)\n\
                  for _, key in ipairs(members) do\n  redis.call('HGETALL', key)\nend\n\
                  redis.call('DEL', redis.call('GET', KEYS[2]))\n\
                  redis.call('DEL', members[1])\n\
                  for i in ipairs(members) do redis.call('GET', i) end\n\
                  for _, k in ipairs(KEYS) do redis.call('GET', k) end";
    assert_eq!(
        undeclared(script),
        vec![
            ("HGETALL".into(), "key".into(), Some("key".into())),
            ("DEL".into(), "redis.call('GET', KEYS[2])".into(), None),
            ("DEL".into(), "members[1]".into(), None),
        ]
    );
}
