//! Procedural macros of seclog. Depend on `seclog`, which re-exports them;
//! the documentation lives there.

use proc_macro::TokenStream;

mod audit;
mod ecs;
mod errors;

/// See `seclog::audit`.
#[proc_macro_attribute]
pub fn audit(args: TokenStream, item: TokenStream) -> TokenStream {
    audit::audit(args.into(), item.into()).into()
}
