//! The rules that report on suppression comments themselves (no guide
//! section): an unused suppression, one without a reason, one naming no rule.

section! {
    unused_suppression,
    suppression_without_reason,
    unknown_rule_in_suppression,
}
