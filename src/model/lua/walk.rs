//! The walk over a parsed script: what each local holds (as far as keys
//! go), and every `redis.call` / `redis.pcall` with its key arguments.

use std::collections::HashMap;

use full_moon::ast::{
    self, Ast, Call, Expression, FunctionArgs, Index, Parameter, Prefix, Suffix, Var,
};
use full_moon::node::Node;
use full_moon::tokenizer::{TokenReference, TokenType};
use full_moon::visitors::Visitor;

use super::{CallForm, KeyArg, KeyOrigin, Looping, LuaFacts, RedisCall};
use crate::model::command::{self, KeyLayout};

/// The facts of a parsed script; `text` is the script the tree came from.
pub(super) fn facts(ast: &Ast, text: &str) -> LuaFacts {
    let mut walk = Walk {
        text,
        locals: HashMap::new(),
        loops: 0,
        facts: LuaFacts::default(),
    };
    walk.visit_ast(ast);
    walk.facts
}

struct Walk<'a> {
    text: &'a str,
    /// What each local (or global assigned in the script) holds. Lua scopes
    /// are not tracked: the last assignment seen wins, and a parameter or
    /// loop variable of the same name hides an outer local from there on.
    locals: HashMap<String, KeyOrigin>,
    /// Loop bodies the walk is inside.
    loops: u32,
    facts: LuaFacts,
}

/// A name or string token's text (a string without its quotes).
fn token_text(t: &TokenReference) -> Option<&str> {
    match t.token().token_type() {
        TokenType::Identifier { identifier } => Some(identifier.as_str()),
        TokenType::StringLiteral { literal, .. } => Some(literal.as_str()),
        _ => None,
    }
}

/// The bytes a node spans. The end is the furthest end of its tokens: a
/// node's own end position stops short of a closing bracket.
fn byte_range(node: &impl Node) -> std::ops::Range<usize> {
    let start = node.start_position().map_or(0, |p| p.bytes());
    let end = node
        .tokens()
        .map(|t| t.token().end_position().bytes())
        .max()
        .unwrap_or(start);
    start..end.max(start)
}

/// `NAME[index]` with a single index: (the name, the index expression).
fn indexed(var: &ast::VarExpression) -> Option<(&str, &Expression)> {
    let Prefix::Name(name) = var.prefix() else {
        return None;
    };
    let mut suffixes = var.suffixes();
    match (suffixes.next(), suffixes.next()) {
        (Some(Suffix::Index(Index::Brackets { expression, .. })), None) => {
            Some((token_text(name)?, expression))
        }
        _ => None,
    }
}

/// `redis.call(args)` / `redis.pcall(args)`: the form and the arguments.
fn redis_call(call: &ast::FunctionCall) -> Option<(CallForm, Vec<&Expression>)> {
    let Prefix::Name(name) = call.prefix() else {
        return None;
    };
    if token_text(name) != Some("redis") {
        return None;
    }
    let mut suffixes = call.suffixes();
    let form = match suffixes.next() {
        Some(Suffix::Index(Index::Dot { name, .. })) => match token_text(name) {
            Some("call") => CallForm::Call,
            Some("pcall") => CallForm::Pcall,
            _ => return None,
        },
        _ => return None,
    };
    match (suffixes.next(), suffixes.next()) {
        (Some(Suffix::Call(Call::AnonymousCall(args))), None) => match &**args {
            FunctionArgs::Parentheses { arguments, .. } => Some((form, arguments.iter().collect())),
            _ => None,
        },
        _ => None,
    }
}

/// Argument indices (after the command name) that are keys.
fn key_positions(layout: KeyLayout, argc: usize) -> Vec<usize> {
    match layout {
        KeyLayout::First => vec![0],
        KeyLayout::FirstTwo => vec![0, 1],
        KeyLayout::All => (0..argc).collect(),
        KeyLayout::AllButLast => (0..argc.saturating_sub(1)).collect(),
        KeyLayout::Pairs => (0..argc).step_by(2).collect(),
        // Layouts whose keys sit behind counts or keywords: not read.
        _ => Vec::new(),
    }
}

impl Walk<'_> {
    /// Where a value comes from, as far as keys go.
    fn origin(&self, e: &Expression) -> KeyOrigin {
        match e {
            Expression::String(_) => KeyOrigin::Written,
            Expression::Parentheses { expression, .. } => self.origin(expression),
            Expression::Var(Var::Name(name)) => token_text(name)
                .and_then(|n| self.locals.get(n).copied())
                .unwrap_or(KeyOrigin::Unknown),
            Expression::Var(Var::Expression(var)) => match indexed(var) {
                Some(("KEYS", _)) => KeyOrigin::Declared,
                Some(("ARGV", _)) => KeyOrigin::Argv,
                // An element of a reply: `members[i]`.
                Some((name, _)) if self.locals.get(name) == Some(&KeyOrigin::Reply) => {
                    KeyOrigin::Reply
                }
                _ => KeyOrigin::Unknown,
            },
            Expression::FunctionCall(call) if redis_call(call).is_some() => KeyOrigin::Reply,
            // Built with a written string: `'rate:' .. ARGV[1]`,
            // `KEYS[1] .. ':lease'`, `ARGV[2] or 'default'`.
            Expression::BinaryOperator { lhs, rhs, .. } => {
                if [lhs, rhs]
                    .iter()
                    .any(|s| self.origin(s) == KeyOrigin::Written)
                {
                    KeyOrigin::Written
                } else {
                    KeyOrigin::Unknown
                }
            }
            // `string.format('rate:%s', ARGV[1])` builds a name.
            Expression::FunctionCall(call) => {
                let args = call.suffixes().filter_map(|s| match s {
                    Suffix::Call(Call::AnonymousCall(args)) => Some(&**args),
                    Suffix::Call(Call::MethodCall(m)) => Some(m.args()),
                    _ => None,
                });
                let written = args.into_iter().any(|a| match a {
                    FunctionArgs::String(_) => true,
                    FunctionArgs::Parentheses { arguments, .. } => arguments
                        .iter()
                        .any(|x| self.origin(x) == KeyOrigin::Written),
                    _ => false,
                });
                if written {
                    KeyOrigin::Written
                } else {
                    KeyOrigin::Unknown
                }
            }
            _ => KeyOrigin::Unknown,
        }
    }

    fn record_call(&mut self, call: &ast::FunctionCall) {
        let Some((form, args)) = redis_call(call) else {
            return;
        };
        let command = match args.first() {
            Some(Expression::String(name)) => token_text(name).map(command::canonical),
            _ => None,
        };
        let positions = command
            .as_deref()
            .and_then(command::spec)
            .map_or_else(Vec::new, |spec| key_positions(spec.keys, args.len() - 1));
        let keys = positions
            .into_iter()
            .filter_map(|p| args.get(p + 1))
            .map(|arg| {
                let range = byte_range(*arg);
                KeyArg {
                    origin: self.origin(arg),
                    text: self.text.get(range.clone()).unwrap_or_default().to_string(),
                    range,
                    via: match arg {
                        Expression::Var(Var::Name(n)) => token_text(n).map(str::to_string),
                        _ => None,
                    },
                }
            })
            .collect();
        self.facts.calls.push(RedisCall {
            command,
            form,
            keys,
            range: byte_range(call),
            looping: if self.loops > 0 {
                Looping::InLoop
            } else {
                Looping::Once
            },
        });
    }

    /// What the values of `ipairs(t)` / `pairs(t)` are: `KEYS`' are
    /// declared keys, a reply's are names read from Redis.
    fn iterated(&self, e: &Expression) -> Option<KeyOrigin> {
        let Expression::FunctionCall(call) = e else {
            return None;
        };
        let Prefix::Name(f) = call.prefix() else {
            return None;
        };
        if !matches!(token_text(f), Some("ipairs" | "pairs")) {
            return None;
        }
        let Some(Suffix::Call(Call::AnonymousCall(args))) = call.suffixes().next() else {
            return None;
        };
        let FunctionArgs::Parentheses { arguments, .. } = &**args else {
            return None;
        };
        match arguments.iter().next()? {
            Expression::Var(Var::Name(n)) if token_text(n) == Some("KEYS") => {
                Some(KeyOrigin::Declared)
            }
            table => Some(self.origin(table)).filter(|o| *o == KeyOrigin::Reply),
        }
    }

    fn assign(&mut self, name: Option<&str>, origin: KeyOrigin) {
        if let Some(name) = name {
            self.locals.insert(name.to_string(), origin);
        }
    }
}

impl Visitor for Walk<'_> {
    fn visit_local_assignment(&mut self, node: &ast::LocalAssignment) {
        let values: Vec<KeyOrigin> = node.expressions().iter().map(|e| self.origin(e)).collect();
        for (i, name) in node.names().iter().enumerate() {
            let origin = values.get(i).copied().unwrap_or(KeyOrigin::Unknown);
            self.assign(token_text(name), origin);
        }
    }

    fn visit_assignment(&mut self, node: &ast::Assignment) {
        let values: Vec<KeyOrigin> = node.expressions().iter().map(|e| self.origin(e)).collect();
        for (i, var) in node.variables().iter().enumerate() {
            if let Var::Name(name) = var {
                let origin = values.get(i).copied().unwrap_or(KeyOrigin::Unknown);
                self.assign(token_text(name), origin);
            }
        }
    }

    fn visit_parameter(&mut self, node: &Parameter) {
        if let Parameter::Name(name) = node {
            self.assign(token_text(name), KeyOrigin::Unknown);
        }
    }

    fn visit_function_call(&mut self, node: &ast::FunctionCall) {
        self.record_call(node);
    }

    fn visit_generic_for(&mut self, node: &ast::GenericFor) {
        // `for _, key in ipairs(KEYS)`: the values are declared keys; over a
        // reply (`ipairs(members)`), names read from Redis.
        let origin = node
            .expressions()
            .iter()
            .find_map(|e| self.iterated(e))
            .unwrap_or(KeyOrigin::Unknown);
        let names: Vec<&TokenReference> = node.names().iter().collect();
        for (i, name) in names.iter().enumerate() {
            // Only the second name holds the values: the first is the index
            // (or field) of `for i, k in ipairs(..)`.
            let value = if i == 1 { origin } else { KeyOrigin::Unknown };
            self.assign(token_text(name), value);
        }
        self.loops += 1;
    }

    fn visit_generic_for_end(&mut self, _: &ast::GenericFor) {
        self.loops -= 1;
    }

    fn visit_numeric_for(&mut self, node: &ast::NumericFor) {
        self.assign(token_text(node.index_variable()), KeyOrigin::Unknown);
        self.loops += 1;
    }

    fn visit_numeric_for_end(&mut self, _: &ast::NumericFor) {
        self.loops -= 1;
    }

    fn visit_while(&mut self, _: &ast::While) {
        self.loops += 1;
    }

    fn visit_while_end(&mut self, _: &ast::While) {
        self.loops -= 1;
    }

    fn visit_repeat(&mut self, _: &ast::Repeat) {
        self.loops += 1;
    }

    fn visit_repeat_end(&mut self, _: &ast::Repeat) {
        self.loops -= 1;
    }
}
