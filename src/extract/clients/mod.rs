//! Client adapters: what each Redis client's API looks like in code
//! (constructors, command methods, option builders, pipelines, scripts).
//! The walker hands them the calls and methods it cannot read on its own;
//! each answers `None` when the code is none of its client's.

pub(super) mod fred;
pub(super) mod methods;
pub(super) mod pools;
pub(super) mod redis_rs;
pub(super) mod reexported;
