//! Procedural macros of the Carechain contract SDK. Use them through `carechain-sdk`, which
//! re-exports them and documents them with examples.
#![warn(missing_docs)]

use proc_macro::TokenStream;

mod contract;
mod metadata;
mod type_info;

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

/// Makes a struct or enum defined outside a contract module describable in that contract's
/// metadata: import it into the contract module with a `use` naming it. The `carechain-sdk`
/// crate docs ("Types defined outside the contract module") describe how it works.
#[proc_macro_derive(TypeInfo)]
pub fn type_info(input: TokenStream) -> TokenStream {
    match type_info::derive(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// The `Event` impl of a struct defined outside a contract module (its `#[topic]` fields are
/// topics, as inside one); the contract imports it with `#[events] use path::{EventA, EventB};`.
/// The struct also derives `TypeInfo`, which gives the contract's metadata its fields.
#[proc_macro_derive(Event, attributes(topic))]
pub fn event(input: TokenStream) -> TokenStream {
    match contract::derive_event(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Carries on expanding a `#[contract]` module with one more type definition; called only by
/// the macros `#[derive(TypeInfo)]` generates.
#[doc(hidden)]
#[proc_macro]
pub fn __resume_contract(input: TokenStream) -> TokenStream {
    match type_info::resume(input.into())
        .and_then(|(module, fetched)| contract::expand_with(module, fetched))
    {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}
