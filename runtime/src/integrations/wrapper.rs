//! Wrappers logged as the value they carry: axum's `Json<T>`, `Form<T>`,
//! `Query<T>` and `Path<T>`, `(StatusCode, Json<T>)`, and Lambda's
//! `LambdaEvent<T>`.
//!
//! A wrapper implements [`Redact`](crate::Redact) when the value it carries
//! does, which covers a `T` deriving `seclog::Redact`. The wrapper itself
//! never implements `Serialize`, so a `T` that only derives `Serialize`
//! would leave an argument such as `Json<Order>` with no way to be logged,
//! and the error would blame the wrapper, which the user cannot change.
//! [`carried_by!`] closes both gaps in `#[audit]`'s choice of how to log a
//! value (method resolution on `&&&Wrap<T>`, in `__private`): between the
//! `Redact` and the `Serialize` candidates it adds one for the wrapper of a
//! `Serialize` value (logged through serde with the sensitive-key policy),
//! and before the last resort one whose error names the carried type
//! (`` `Order` cannot be logged ``).

/// Makes `#[audit]` log each wrapper `$ty` of a `$t` through serde when
/// `$t` is `Serialize` but not `Redact` (`|$v, $out| $write` writes it,
/// `$v: &$ty`), and name `$t` in the error when it is neither.
macro_rules! carried_by {
    ($(<$t:ident> $ty:ty => |$v:ident, $out:ident| $write:expr;)*) => {$(
        // Autoref'd once more than `LogViaRedact`'s receiver and once less
        // than `LogViaSerialize`'s, so it is chosen between the two.
        impl<$t: ::serde::Serialize> $crate::dispatch::LogViaSerialize
            for &&&$crate::dispatch::Wrap<'_, $ty>
        {
            #[inline]
            fn __seclog_log(&self, $out: $crate::redact::Out<'_>) {
                let $v: &$ty = self.0;
                $write
            }
        }

        // Before the last resort, with the carried type as the one that
        // "cannot be logged".
        impl<$t> $crate::dispatch::LogViaNothing<$t> for &$crate::dispatch::Wrap<'_, $ty> {
            fn __seclog_log(&self, _: $crate::redact::Out<'_>)
            where
                $t: $crate::dispatch::ArgumentNotLoggable,
            {
            }
            fn __seclog_log_response(&self, _: $crate::redact::Out<'_>)
            where
                $t: $crate::dispatch::ResponseNotLoggable,
            {
            }
            fn __seclog_log_impl_trait(&self, _: $crate::redact::Out<'_>)
            where
                $t: $crate::dispatch::ImplTraitNotLoggable,
            {
            }
        }
    )*};
}

pub(crate) use carried_by;
