//! What `#[audit]` knows about a handler at compile time: its name, level,
//! category, budget, origin and redaction paths ([`HandlerMeta`], a
//! `static` in the generated code), and the parts of its records written
//! once and then copied ([`MetaCache`]).

use crate::record::Level;
use crate::redact::Mask;
use std::sync::OnceLock;

/// Static facts about a handler, built by `#[audit]`.
#[doc(hidden)]
#[derive(Debug)]
pub struct HandlerMeta {
    /// `event.action`.
    pub name: &'static str,
    /// Level of a successful invocation's records.
    pub level: Level,
    /// `event.category`.
    pub category: &'static str,
    /// Whether `category` was given in the attribute (else an
    /// authentication argument makes it `authentication`).
    pub category_explicit: bool,
    /// Duration budget in nanoseconds.
    pub budget_ns: Option<u64>,
    /// The budget as written, for messages (`"3s"`).
    pub budget_text: &'static str,
    /// `both` or `end`.
    pub emit: crate::record::Emit,
    /// `log.origin.function`: `module::path::name`.
    pub function: &'static str,
    /// `log.origin.file.name`.
    pub file: &'static str,
    /// `log.origin.file.line`.
    pub line: u32,
    /// Authentication kind, when the handler is an authentication action.
    pub auth: Option<&'static str>,
    /// Redaction paths, rooted at `input` and `response`.
    pub mask: Mask,
    /// Parts of its records that never change, as JSON, written once.
    pub cache: MetaCache,
}

/// Parts of a handler's records that are the same in every record, as
/// JSON, each written the first time a record needs it: `log.origin`, and
/// the beginning of `event` (kind, category, type, action) of its start
/// and end records.
#[doc(hidden)]
#[derive(Debug)]
pub struct MetaCache {
    pub(crate) origin: OnceLock<Box<[u8]>>,
    pub(crate) start_event: OnceLock<Box<[u8]>>,
    pub(crate) end_event: OnceLock<Box<[u8]>>,
}

impl MetaCache {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> MetaCache {
        MetaCache {
            origin: OnceLock::new(),
            start_event: OnceLock::new(),
            end_event: OnceLock::new(),
        }
    }
}
