//! Procedural macros of the Carechain contract SDK. Use them through `carechain-sdk`, which
//! re-exports them and documents them with examples.
#![warn(missing_docs)]

use proc_macro::TokenStream;

mod contract;
mod metadata;

/// Marks an inline module as a Carechain contract. See `carechain_sdk::contract` for the full
/// description.
#[proc_macro_attribute]
pub fn contract(attr: TokenStream, item: TokenStream) -> TokenStream {
    match contract::expand(attr.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// The 4-byte selector of a message name, computed at compile time: `selector!("get")`.
#[proc_macro]
pub fn selector(input: TokenStream) -> TokenStream {
    let name = syn::parse_macro_input!(input as syn::LitStr);
    let bytes = carechain_metadata::selector(&name.value());
    quote::quote!([#(#bytes),*]).into()
}
