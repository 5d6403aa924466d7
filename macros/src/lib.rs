//! Procedural macros of seclog. Depend on `seclog`, which re-exports them;
//! the documentation lives there.

use proc_macro::TokenStream;

mod audit;
mod auth;
mod errors;
mod event;
mod model;
mod redact;

/// See `seclog::audit`.
#[proc_macro_attribute]
pub fn audit(args: TokenStream, item: TokenStream) -> TokenStream {
    audit::audit(args.into(), item.into()).into()
}

/// See `seclog::Redact` (the derive).
#[proc_macro_derive(Redact, attributes(redact))]
pub fn derive_redact(item: TokenStream) -> TokenStream {
    redact::derive(item.into()).into()
}

/// See `seclog::AuthEvent` (the derive).
#[proc_macro_derive(AuthEvent, attributes(auth))]
pub fn derive_auth_event(item: TokenStream) -> TokenStream {
    auth::derive(item.into()).into()
}

/// See `seclog::security_event!`.
#[proc_macro]
pub fn security_event(input: TokenStream) -> TokenStream {
    event::security_event(input.into()).into()
}
