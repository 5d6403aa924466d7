//! Dispatch by what a type implements, resolved at compile time through
//! method lookup on references ("autoref specialization"): generated code
//! calls a method on `&&&Wrap(value)` (or `&&Wrap(value)`), and of the
//! candidate traits in scope the one that needs the fewest dereferences
//! wins. A last-resort candidate whose bound no type meets turns "no method
//! applies" into an error under the user's tokens that says what to do.
//!
//! One wrapper, [`Wrap`], serves every macro (`security_event!` and the
//! derives name it `Arg` and `Probe`); each concern is a family of traits
//! named `<Concern>Via<what it uses>`, the method names say which use
//! (and so which error message) applies.

use crate::context::{Context, Describe};
use crate::record::EventOutcome;
use crate::redact::{Out, Redact};
use std::fmt;

/// Wraps a reference so trait methods can be chosen by what `T` implements.
pub struct Wrap<'a, T: ?Sized>(pub &'a T);

/// Logs a value through its `Redact` implementation (first choice).
pub trait LogViaRedact {
    /// Writes the value as an argument.
    fn __seclog_log(&self, out: Out<'_>);
    /// Writes the value as the response.
    #[inline]
    fn __seclog_log_response(&self, out: Out<'_>) {
        LogViaRedact::__seclog_log(self, out)
    }
    /// Writes the value as an `impl Trait` response.
    #[inline]
    fn __seclog_log_impl_trait(&self, out: Out<'_>) {
        LogViaRedact::__seclog_log(self, out)
    }
}
impl<T: Redact + ?Sized> LogViaRedact for &&Wrap<'_, T> {
    #[inline]
    fn __seclog_log(&self, out: Out<'_>) {
        self.0.redact(out)
    }
}

/// Logs a value through `Serialize` with the sensitive-key policy (second).
pub trait LogViaSerialize {
    /// Writes the value as an argument.
    fn __seclog_log(&self, out: Out<'_>);
    /// Writes the value as the response.
    #[inline]
    fn __seclog_log_response(&self, out: Out<'_>) {
        LogViaSerialize::__seclog_log(self, out)
    }
    /// Writes the value as an `impl Trait` response.
    #[inline]
    fn __seclog_log_impl_trait(&self, out: Out<'_>) {
        LogViaSerialize::__seclog_log(self, out)
    }
}
impl<T: serde::Serialize + ?Sized> LogViaSerialize for &Wrap<'_, T> {
    #[inline]
    fn __seclog_log(&self, out: Out<'_>) {
        out.serialize(self.0)
    }
}

/// The last resort, selected only when the others do not apply: its bounds
/// are never met, so it fails to compile with the message of one of the
/// traits below, under the argument or return type (the macro gives the
/// call that span). It never runs.
pub trait LogViaNothing<T: ?Sized> {
    /// Writes the value as an argument.
    fn __seclog_log(&self, out: Out<'_>)
    where
        T: ArgumentNotLoggable;
    /// Writes the value as the response.
    fn __seclog_log_response(&self, out: Out<'_>)
    where
        T: ResponseNotLoggable;
    /// Writes the value as an `impl Trait` response.
    fn __seclog_log_impl_trait(&self, out: Out<'_>)
    where
        T: ImplTraitNotLoggable;
}
impl<T: ?Sized> LogViaNothing<T> for Wrap<'_, T> {
    fn __seclog_log(&self, _: Out<'_>)
    where
        T: ArgumentNotLoggable,
    {
    }
    fn __seclog_log_response(&self, _: Out<'_>)
    where
        T: ResponseNotLoggable,
    {
    }
    fn __seclog_log_impl_trait(&self, _: Out<'_>)
    where
        T: ImplTraitNotLoggable,
    {
    }
}

/// Implemented by no type: the error of an argument that cannot be logged.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged: it implements neither `seclog::Redact` nor `serde::Serialize`",
    label = "this argument is logged",
    note = "derive `seclog::Redact` on the type to declare how it is logged (and which fields are redacted), or derive `serde::Serialize`",
    note = "or keep the argument out of the log with `#[seclog::audit(skip(<argument>))]`"
)]
pub trait ArgumentNotLoggable {}

/// Implemented by no type: the error of a response that cannot be logged.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged: it implements neither `seclog::Redact` nor `serde::Serialize`",
    label = "the handler's response is logged",
    note = "derive `seclog::Redact` on the type to declare how it is logged (and which fields are redacted), or derive `serde::Serialize`",
    note = "or log the outcome without the value with `#[seclog::audit(skip_response)]`"
)]
pub trait ResponseNotLoggable {}

/// Implemented by no type: the error of an `impl Trait` response that does
/// not promise a loggable type (its hidden type is not what the user wrote,
/// so the message does not name it).
#[diagnostic::on_unimplemented(
    message = "the handler's `impl Trait` response cannot be logged: it promises neither `seclog::Redact` nor `serde::Serialize`",
    label = "the handler's response is logged",
    note = "log the outcome without the value with `#[seclog::audit(skip_response)]` (an iterator or a stream cannot be logged without consuming it)",
    note = "or name a loggable trait in the return type, as in `impl serde::Serialize + ...`"
)]
pub trait ImplTraitNotLoggable {}

/// The outcome a value declares through `seclog::Outcome`.
pub trait OutcomeViaTrait {
    /// The outcome and HTTP status the value declares.
    fn __seclog_outcome(&self) -> (EventOutcome, Option<u16>);
}
impl<T: crate::record::Outcome + ?Sized> OutcomeViaTrait for &Wrap<'_, T> {
    #[inline]
    fn __seclog_outcome(&self) -> (EventOutcome, Option<u16>) {
        let value = self.0;
        // A panicking `Outcome` must not turn a returned value into a panic.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (value.outcome(), value.status_code())
        }))
        .unwrap_or_else(|_| {
            crate::stats::format_panic();
            (EventOutcome::Unknown, None)
        })
    }
}

/// Values without `seclog::Outcome` are successes.
pub trait OutcomeDefault {
    /// The outcome and HTTP status the value declares.
    fn __seclog_outcome(&self) -> (EventOutcome, Option<u16>);
}
impl<T: ?Sized> OutcomeDefault for Wrap<'_, T> {
    #[inline]
    fn __seclog_outcome(&self) -> (EventOutcome, Option<u16>) {
        (EventOutcome::Success, None)
    }
}

/// Marks an authentication attempt.
pub trait AuthViaTrait {
    /// Marks the context as an authentication attempt of the value's kind.
    fn __seclog_auth(&self, cx: &mut Context);
    /// Whether the value is an authentication attempt.
    fn __seclog_is_auth(&self) -> bool;
}
impl<T: crate::auth::AuthEvent + ?Sized> AuthViaTrait for &Wrap<'_, T> {
    #[inline]
    fn __seclog_auth(&self, cx: &mut Context) {
        cx.set_auth_kind(T::KIND)
    }
    #[inline]
    fn __seclog_is_auth(&self) -> bool {
        true
    }
}

/// Other values are not authentication attempts.
pub trait AuthNothing {
    /// Marks the context as an authentication attempt of the value's kind.
    fn __seclog_auth(&self, cx: &mut Context);
    /// Whether the value is an authentication attempt.
    fn __seclog_is_auth(&self) -> bool;
}
impl<T: ?Sized> AuthNothing for Wrap<'_, T> {
    #[inline]
    fn __seclog_auth(&self, _cx: &mut Context) {}
    #[inline]
    fn __seclog_is_auth(&self) -> bool {
        false
    }
}

/// Adds what a value knows of the 4 W's.
pub trait DescribeViaTrait {
    /// Adds what the value knows of the 4 W's.
    fn __seclog_describe(&self, cx: &mut Context);
}
impl<T: Describe + ?Sized> DescribeViaTrait for &Wrap<'_, T> {
    #[inline]
    fn __seclog_describe(&self, cx: &mut Context) {
        self.0.describe(cx)
    }
}

/// Values without `Describe` add nothing.
pub trait DescribeNothing {
    /// Adds what the value knows of the 4 W's.
    fn __seclog_describe(&self, cx: &mut Context);
}
impl<T: ?Sized> DescribeNothing for Wrap<'_, T> {
    #[inline]
    fn __seclog_describe(&self, _cx: &mut Context) {}
}

/// An error's `Display`, for `error.message`.
pub trait ErrorViaDisplay {
    /// The error's text, for `error.message`.
    fn __seclog_error_message(&self) -> Option<&dyn fmt::Display>;
}
impl<T: fmt::Display> ErrorViaDisplay for &Wrap<'_, T> {
    #[inline]
    fn __seclog_error_message(&self) -> Option<&dyn fmt::Display> {
        Some(self.0)
    }
}

/// Errors without `Display` have no `error.message`.
pub trait ErrorNoDisplay {
    /// The error's text, for `error.message`.
    fn __seclog_error_message(&self) -> Option<&dyn fmt::Display>;
}
impl<T: ?Sized> ErrorNoDisplay for Wrap<'_, T> {
    #[inline]
    fn __seclog_error_message(&self) -> Option<&dyn fmt::Display> {
        None
    }
}

/// A text value, `Option<impl Display>` (first choice): the value when
/// `Some`. Text is asked for by two methods of the same meaning, so each
/// use fails with its own message (see [`TextViaNothing`]).
pub trait TextViaOption {
    /// A `who`, `source_ip` or `user_agent` value as text.
    fn __seclog_text(&self) -> Option<&dyn fmt::Display>;
    /// An `#[auth(user)]` field or a `security_event!` value as text.
    #[inline]
    fn __seclog_arg(&self) -> Option<&dyn fmt::Display> {
        TextViaOption::__seclog_text(self)
    }
}
impl<T: fmt::Display> TextViaOption for &&Wrap<'_, Option<T>> {
    #[inline]
    fn __seclog_text(&self) -> Option<&dyn fmt::Display> {
        self.0.as_ref().map(|v| v as &dyn fmt::Display)
    }
}

/// A text value, anything `Display` (second choice).
pub trait TextViaDisplay {
    /// A `who`, `source_ip` or `user_agent` value as text.
    fn __seclog_text(&self) -> Option<&dyn fmt::Display>;
    /// An `#[auth(user)]` field or a `security_event!` value as text.
    #[inline]
    fn __seclog_arg(&self) -> Option<&dyn fmt::Display> {
        TextViaDisplay::__seclog_text(self)
    }
}
impl<T: fmt::Display + ?Sized> TextViaDisplay for &Wrap<'_, T> {
    #[inline]
    fn __seclog_text(&self) -> Option<&dyn fmt::Display> {
        Some(&self.0)
    }
}

/// The last resort for a text value: fails to compile under the value,
/// with [`NotText`]'s message for an attribute option and
/// [`NotEventText`]'s for a field or an event value. It never runs.
pub trait TextViaNothing<T: ?Sized> {
    /// A `who`, `source_ip` or `user_agent` value as text.
    fn __seclog_text(&self) -> Option<&dyn fmt::Display>
    where
        T: NotText;
    /// An `#[auth(user)]` field or a `security_event!` value as text.
    fn __seclog_arg(&self) -> Option<&dyn fmt::Display>
    where
        T: NotEventText;
}
impl<T: ?Sized> TextViaNothing<T> for Wrap<'_, T> {
    fn __seclog_text(&self) -> Option<&dyn fmt::Display>
    where
        T: NotText,
    {
        None
    }
    fn __seclog_arg(&self) -> Option<&dyn fmt::Display>
    where
        T: NotEventText,
    {
        None
    }
}

/// Implemented by no type: the error of a `who`, `source_ip` or
/// `user_agent` value that cannot be written as text.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written as text: `who`, `source_ip` and `user_agent` take a value that implements `std::fmt::Display`, or an `Option` of one",
    label = "this value is written to the record as text",
    note = "convert it in the expression, as in `who = claims.sub.to_string()` or `who = claims.sub.as_deref()`"
)]
pub trait NotText {}

/// Implemented by no type: the error of a field or an event value that
/// cannot be text.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written as text: `#[auth(user)]` and `#[auth(user_agent)]` fields and `security_event!` values must implement `std::fmt::Display`, or be an `Option` of such a type",
    label = "this value is written to the record as text",
    note = "for a field, use a text type (or implement `Display` for `{Self}`); for a `security_event!` value, convert it in the expression, as in `user = claims.sub.to_string()`"
)]
pub trait NotEventText {}

/// Writes a field through its type's [`Redact`] (chosen when it exists).
pub trait FieldViaRedact {
    /// Writes the field.
    fn __seclog_field(&self, out: Out<'_>);
}

impl<T: Redact + ?Sized> FieldViaRedact for &Wrap<'_, T> {
    #[inline]
    fn __seclog_field(&self, out: Out<'_>) {
        self.0.redact(out)
    }
}

/// Chosen only when the field's type does not implement [`Redact`]; its
/// bound then fails with [`NotRedact`]'s message, under the field's type.
pub trait FieldNotRedact<T: ?Sized> {
    /// Never compiles for a type without `Redact`.
    fn __seclog_field(&self, out: Out<'_>)
    where
        T: NotRedact;
}

impl<T: ?Sized> FieldNotRedact<T> for Wrap<'_, T> {
    fn __seclog_field(&self, out: Out<'_>)
    where
        T: NotRedact,
    {
        out.redacted()
    }
}

/// Implemented by no type: the error of a field that cannot be logged.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged as a field: it does not implement `seclog::Redact`",
    label = "this field is logged through its type's `seclog::Redact`",
    note = "derive `seclog::Redact` on `{Self}` (or implement it), or mark the field: `#[redact(serialize)]` logs it through `serde::Serialize` with the sensitive-key policy, `#[redact]` logs \"[REDACTED]\", `#[redact(skip)]` leaves it out"
)]
pub trait NotRedact {}
