//! Procedural macros of seclog. Depend on `seclog`, which re-exports them;
//! the documentation lives there.

use proc_macro::TokenStream;

mod audit;
mod ecs;
mod errors;
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
