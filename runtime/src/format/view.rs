//! The record view: everything one record says, borrowed from where it
//! lives (the handler's static facts, the invocation's context, the
//! payload closures), so formatting copies nothing before writing.

use crate::context::Context;
use crate::handler::HandlerMeta;
use crate::record::{EventOutcome, Level, Phase};
use crate::redact::Object;
use std::fmt;
use std::time::{Duration, SystemTime};

/// The error of a failed invocation.
pub(crate) struct ErrorView<'a> {
    pub(crate) kind: &'a str,
    pub(crate) message: Option<&'a dyn fmt::Display>,
}

/// Timing of an end record.
#[derive(Clone, Copy)]
pub(crate) struct Timing {
    pub(crate) start: SystemTime,
    pub(crate) duration: Duration,
}

/// Everything one record says, borrowed from where it lives.
pub(crate) struct RecordView<'a> {
    pub(crate) level: Level,
    pub(crate) phase: Phase,
    /// `event.kind`: `event`, `alert` or `pipeline_error`.
    pub(crate) kind: &'static str,
    pub(crate) category: &'a str,
    /// `event.type`.
    pub(crate) types: &'static str,
    pub(crate) action: &'a str,
    pub(crate) outcome: Option<EventOutcome>,
    pub(crate) meta: Option<&'static HandlerMeta>,
    pub(crate) cx: Option<&'a Context>,
    pub(crate) transaction: Option<&'a str>,
    pub(crate) timing: Option<Timing>,
    /// `@timestamp`, when not the time of writing.
    pub(crate) at: Option<SystemTime>,
    pub(crate) error: Option<ErrorView<'a>>,
    pub(crate) status_code: Option<u16>,
    pub(crate) budget_exceeded: Option<bool>,
    pub(crate) owasp: Option<&'a dyn fmt::Display>,
    pub(crate) cancelled: bool,
    /// The human summary; `None` derives it from phase and outcome.
    pub(crate) message: Option<&'a dyn fmt::Display>,
    /// Writes `input`/`response`/other members into the `seclog` object.
    pub(crate) payload: Option<&'a mut (dyn FnMut(&mut Object<'_>) + 'a)>,
    /// Inputs already written as JSON (for `emit = "end"`).
    pub(crate) inputs_json: Option<&'a [u8]>,
    /// Keeps the members from `transaction` to `user_agent` as written (a
    /// start record's, for its end record), unless something in them was
    /// cut.
    pub(crate) header_out: Option<&'a mut Vec<u8>>,
    /// Those members as the start record wrote them, written as they are
    /// (the same context and configuration write the same bytes).
    pub(crate) header_in: Option<&'a [u8]>,
}

impl<'a> RecordView<'a> {
    pub(crate) fn new(level: Level, phase: Phase, action: &'a str) -> Self {
        RecordView {
            level,
            phase,
            kind: "event",
            category: "api",
            types: "info",
            action,
            outcome: None,
            meta: None,
            cx: None,
            transaction: None,
            timing: None,
            at: None,
            error: None,
            status_code: None,
            budget_exceeded: None,
            owasp: None,
            cancelled: false,
            message: None,
            payload: None,
            inputs_json: None,
            header_out: None,
            header_in: None,
        }
    }
}
