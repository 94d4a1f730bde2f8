//! Client adapters: what each Redis client's API looks like in code
//! (constructors, command methods, option builders, pipelines, scripts).

pub(super) mod methods;
