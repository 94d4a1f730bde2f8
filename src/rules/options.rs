//! Rule options: each rule that takes options declares a type for them and
//! parses its own keys of its `[rules]` entry; the configuration keeps one
//! value per such rule and hands it to the checks through `RuleContext`.

use std::any::Any;
use std::fmt;
use std::sync::LazyLock;

use super::REGISTRY;

/// Lets a `dyn RuleOptions` be turned back into its concrete type.
pub trait AsAny {
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A rule's typed options.
pub trait RuleOptions: AsAny + fmt::Debug + Send + Sync {
    /// Sets one option from the rule's `[rules]` table (`level` is not
    /// passed: it belongs to every rule).
    fn set(&mut self, key: &str, value: &toml::Value) -> Result<(), OptionError>;

    /// The options as TOML keys (`max-length = 64`), for `config --show`.
    fn show(&self) -> String;
}

/// Why a rule refused an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionError {
    /// The rule has no option of that name.
    Unknown,
    /// The value has the wrong type or range: what it should be.
    Invalid(&'static str),
}

/// The options of every rule that takes some, by rule id.
#[derive(Debug)]
pub struct RuleOptionsSet {
    entries: Vec<(&'static str, Box<dyn RuleOptions>)>,
}

static BUILTIN: LazyLock<RuleOptionsSet> = LazyLock::new(RuleOptionsSet::default);

impl Default for RuleOptionsSet {
    /// Every rule's default options.
    fn default() -> Self {
        RuleOptionsSet {
            entries: REGISTRY
                .iter()
                .filter_map(|r| r.options.map(|defaults| (r.meta.id, defaults())))
                .collect(),
        }
    }
}

impl RuleOptionsSet {
    /// The defaults, shared by every crate that has no configuration.
    pub fn builtin() -> &'static RuleOptionsSet {
        &BUILTIN
    }

    /// The options of one rule (`None`: it takes none).
    pub fn of(&self, rule: &str) -> Option<&dyn RuleOptions> {
        self.entries
            .iter()
            .find(|(id, _)| *id == rule)
            .map(|(_, o)| o.as_ref())
    }

    pub fn of_mut(&mut self, rule: &str) -> Option<&mut (dyn RuleOptions + 'static)> {
        self.entries
            .iter_mut()
            .find(|(id, _)| *id == rule)
            .map(|(_, o)| o.as_mut())
    }

    /// The options of type `T`; each options type belongs to one rule.
    pub fn get<T: RuleOptions + 'static>(&self) -> &T {
        self.entries
            .iter()
            .find_map(|(_, o)| o.as_ref().as_any().downcast_ref::<T>())
            .expect("every options type is declared by a registered rule")
    }
}

/// A list of strings as TOML writes it (`["a", "b"]`).
pub fn toml_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
