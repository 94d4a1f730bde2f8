//! Key templates across a call: a callee's keys over its parameters with
//! the caller's arguments in their place.

use crate::extract::facts::{ArgShape, RawHelperCall, RawKey, RawPart};

/// The parameter a hole names: the parameter itself (`key`), or a method
/// of it called without arguments (`key.to_key()`) with that method.
fn param_hole<'h>(hole: &'h str, params: &[String]) -> Option<(usize, Option<&'h str>)> {
    if let Some(i) = params.iter().position(|p| p == hole) {
        return Some((i, None));
    }
    let (param, method) = hole.strip_suffix("()")?.split_once('.')?;
    let i = params.iter().position(|p| p == param)?;
    let plain = !method.is_empty() && method.chars().all(|c| c.is_alphanumeric() || c == '_');
    plain.then_some((i, Some(method)))
}

/// Whether a key template is built from one of `params`.
pub(super) fn mentions(key: &RawKey, params: &[String]) -> bool {
    key.0.iter().any(|part| match part {
        RawPart::Hole(h) => param_hole(h, params).is_some(),
        RawPart::Call { name, args } => {
            params.contains(name) || args.iter().any(|a| mentions(a, params))
        }
        RawPart::Lit(_) | RawPart::Const(_) | RawPart::TooComplex(_) => false,
    })
}

/// A key template over a callee's `params` with the arguments of call `h`
/// in their place: a parameter by its argument's key, a key method on it
/// (`key.to_key()`) by the template of that method in the `impl` of the
/// type built at the call (`UserKey(id)`), a parameter called as a fn
/// (`make_key(id)`) by the closure passed there. `method_builder` finds
/// the template of (type, method), its fields as holes `self.<field>`.
pub(super) fn substitute(
    key: &RawKey,
    params: &[String],
    h: &RawHelperCall,
    method_builder: &dyn Fn(&str, &str) -> Option<RawKey>,
) -> RawKey {
    let shape = |i: usize| h.shaped.iter().find(|(j, _)| *j == i).map(|(_, s)| s);
    let mut out = Vec::new();
    for part in &key.0 {
        match part {
            RawPart::Hole(hole) => match param_hole(hole, params) {
                Some((i, None)) if i < h.args.len() => out.extend(h.args[i].0.iter().cloned()),
                Some((i, Some(method))) => match shape(i) {
                    Some(ArgShape::Built { ty, fields }) => match method_builder(ty, method) {
                        Some(template) => out.extend(with_fields(&template, fields).0),
                        None => out.push(part.clone()),
                    },
                    _ => out.push(part.clone()),
                },
                _ => out.push(part.clone()),
            },
            RawPart::Call { name, args } => {
                let args: Vec<RawKey> = args
                    .iter()
                    .map(|a| substitute(a, params, h, method_builder))
                    .collect();
                let closure = params
                    .iter()
                    .position(|p| p == name)
                    .and_then(shape)
                    .and_then(|s| match s {
                        ArgShape::KeyClosure { params, key } => Some((params, key)),
                        ArgShape::Built { .. } => None,
                    });
                match closure {
                    Some((cparams, ckey)) => out.extend(with_args(ckey, cparams, &args).0),
                    None => out.push(RawPart::Call {
                        name: name.clone(),
                        args,
                    }),
                }
            }
            other => out.push(other.clone()),
        }
    }
    RawKey(out)
}

/// How many literal parts keys have (call arguments' included): more after
/// substitution means the caller wrote some of the key's text.
pub(super) fn literal_parts(keys: &[RawKey]) -> usize {
    fn count(key: &RawKey) -> usize {
        key.0
            .iter()
            .map(|p| match p {
                RawPart::Lit(_) => 1,
                RawPart::Call { args, .. } => args.iter().map(count).sum(),
                _ => 0,
            })
            .sum()
    }
    keys.iter().map(count).sum()
}

/// A method's template with `self.<field>` holes filled from a value built
/// at the call.
fn with_fields(template: &RawKey, fields: &[(String, RawKey)]) -> RawKey {
    let mut out = Vec::new();
    for part in &template.0 {
        let field = match part {
            RawPart::Hole(h) => h
                .strip_prefix("self.")
                .and_then(|f| fields.iter().find(|(name, _)| name == f)),
            _ => None,
        };
        match field {
            Some((_, key)) => out.extend(key.0.iter().cloned()),
            None => out.push(part.clone()),
        }
    }
    RawKey(out)
}

/// A closure's template with its parameters' holes filled from the
/// arguments it is called with.
fn with_args(template: &RawKey, params: &[String], args: &[RawKey]) -> RawKey {
    let mut out = Vec::new();
    for part in &template.0 {
        let arg = match part {
            RawPart::Hole(h) => params
                .iter()
                .position(|p| **p == **h)
                .and_then(|i| args.get(i)),
            _ => None,
        };
        match arg {
            Some(key) => out.extend(key.0.iter().cloned()),
            None => out.push(part.clone()),
        }
    }
    RawKey(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::facts::Callee;

    fn lit(s: &str) -> RawPart {
        RawPart::Lit(s.into())
    }

    fn hole(s: &str) -> RawPart {
        RawPart::Hole(s.into())
    }

    fn call_with(args: Vec<RawKey>, shaped: Vec<(usize, ArgShape)>) -> RawHelperCall {
        RawHelperCall {
            func: 0,
            name: "store".into(),
            args,
            in_test: false,
            site: Default::default(),
            callee: Callee::Local,
            shaped,
            named_args: Vec::new(),
        }
    }

    #[test]
    fn holes_name_parameters_and_their_key_methods() {
        let params = ["key".to_string(), "id".to_string()];
        assert_eq!(param_hole("id", &params), Some((1, None)));
        assert_eq!(
            param_hole("key.to_key()", &params),
            Some((0, Some("to_key")))
        );
        assert_eq!(param_hole("key.to_key(x)", &params), None);
        assert_eq!(param_hole("other", &params), None);
    }

    #[test]
    fn a_built_key_type_takes_its_impl_template() {
        let params = ["key".to_string()];
        let inner = RawKey(vec![hole("key.to_key()")]);
        let built = ArgShape::Built {
            ty: "UserKey".into(),
            fields: vec![("0".into(), RawKey(vec![hole("id")]))],
        };
        let h = call_with(vec![RawKey(vec![hole("UserKey(id)")])], vec![(0, built)]);
        let template = |ty: &str, m: &str| {
            (ty == "UserKey" && m == "to_key").then(|| RawKey(vec![lit("user:"), hole("self.0")]))
        };
        let key = substitute(&inner, &params, &h, &template);
        assert_eq!(key, RawKey(vec![lit("user:"), hole("id")]));
    }

    #[test]
    fn a_closure_builds_the_key_it_is_called_for() {
        let params = ["make".to_string(), "id".to_string()];
        let inner = RawKey(vec![RawPart::Call {
            name: "make".into(),
            args: vec![RawKey(vec![hole("id")])],
        }]);
        let closure = ArgShape::KeyClosure {
            params: vec!["n".into()],
            key: RawKey(vec![lit("avatar:"), hole("n")]),
        };
        let h = call_with(
            vec![RawKey(vec![hole("|n|..")]), RawKey(vec![hole("user.id")])],
            vec![(0, closure)],
        );
        let key = substitute(&inner, &params, &h, &|_, _| None);
        assert_eq!(key, RawKey(vec![lit("avatar:"), hole("user.id")]));
        assert!(literal_parts(&[key]) > literal_parts(&[inner]));
    }
}
