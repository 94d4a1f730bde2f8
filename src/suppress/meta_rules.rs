//! The rules that report on suppressions themselves.

use crate::diagnostic::{Activation, Impact, RuleMeta};
use crate::rules::{Check, Rule};

pub static UNUSED_SUPPRESSION: Rule = Rule {
    meta: RuleMeta {
        id: "unused-suppression",
        section: "",
        impact: Impact::LowMedium,
        default: Activation::On,
        summary: "A `redis-lint: allow` comment that silenced no finding in this run",
        doc: "# unused-suppression

    ## What it does

    Reports a `// redis-lint: allow(...)` or `allow-file(...)` comment (or one
    rule id in it) that silenced no finding in this run. Only rules that ran
    count: a suppression for a rule left out with `--select` / `--ignore` is
    not reported. An `allow-file` placed after the first item of the file is
    reported too, since it silences nothing there.

    The fix deletes the comment (its whole line when it stands alone), or
    removes just the unused ids from its list.

    ## Why is this bad

    A stale suppression hides the next real finding on that line: once the
    code changes back, nobody notices. It also tells readers that the line
    does something dangerous when it no longer does.

    ## Example

    ```rust
    // The KEYS call was replaced by SCAN, the suppression stayed.
    let keys: Vec<String> = con.scan_match(\"user:*\")?.collect(); // redis-lint: allow(key-keys-command) -- admin only
    ```

    ## Use instead

    ```rust
    let keys: Vec<String> = con.scan_match(\"user:*\")?.collect();
    ```
    ",
        hides_source: false,
    },
    check: Check::Label,
};

pub static SUPPRESSION_WITHOUT_REASON: Rule = Rule {
    meta: RuleMeta {
        id: "suppression-without-reason",
        section: "",
        impact: Impact::LowMedium,
        default: Activation::On,
        summary: "A `redis-lint: allow` comment that does not say why after `--`",
        doc: "# suppression-without-reason

    ## What it does

    Reports a suppression comment with no reason: nothing (or only blanks)
    after `--` following the rule list. The suppression still silences its
    findings.

    ## Why is this bad

    Each suppression is a decision that a known-dangerous pattern is fine
    here. Without the reason, a reviewer cannot check the decision, and
    nobody can tell later whether it still holds.

    ## Example

    ```rust
    redis::cmd(\"FLUSHDB\").query(&mut con)?; // redis-lint: allow(cmd-dangerous-command)
    ```

    ## Use instead

    ```rust
    redis::cmd(\"FLUSHDB\").query(&mut con)?; // redis-lint: allow(cmd-dangerous-command) -- test setup, db 15 only
    ```
    ",
        hides_source: false,
    },
    check: Check::Label,
};

pub static UNKNOWN_RULE_IN_SUPPRESSION: Rule = Rule {
    meta: RuleMeta {
        id: "unknown-rule-in-suppression",
        section: "",
        impact: Impact::LowMedium,
        default: Activation::On,
        summary: "A `redis-lint:` comment naming no rule, or that cannot be read",
        doc: "# unknown-rule-in-suppression

    ## What it does

    Reports a rule id in a suppression comment that names no redis-lint rule
    (a typo, a prefix, a renamed rule), and a `// redis-lint:` comment that is
    not of the form `allow(ids) -- reason` or `allow-file(ids) -- reason`.
    The ids accepted are exact rule ids (see `redis-lint rules`) and `all`.

    ## Why is this bad

    The comment silences nothing, while it reads as if it did: the finding it
    was meant for is still reported, or the typo hides that the rule was
    renamed.

    ## Example

    ```rust
    con.keys(\"user:*\")?; // redis-lint: allow(keys-command) -- admin tool
    ```

    ## Use instead

    ```rust
    con.keys(\"user:*\")?; // redis-lint: allow(key-keys-command) -- admin tool
    ```
    ",
        hides_source: false,
    },
    check: Check::Label,
};

/// The rules that report on suppressions. Not in `rules::REGISTRY`: the
/// engine never runs them; they label the findings [`apply`](super::apply()) adds.
pub static META_RULES: &[&Rule] = &[
    &UNUSED_SUPPRESSION,
    &SUPPRESSION_WITHOUT_REASON,
    &UNKNOWN_RULE_IN_SUPPRESSION,
];
