//! `#[derive(TypeInfo)]`: how a contract's metadata describes a type defined outside the
//! contract module.
//!
//! `#[contract]` sees only the tokens of its module, and a proc macro cannot look into another
//! crate or file. So the derive hands the type's definition over as tokens: it generates a
//! `macro_rules!` macro, `__carechain_type_info_<Name>`, that passes its own copy of the type's
//! source (docs, `#[codec(index)]`s and all) on to [`resume`]. When the interface of a contract
//! names a type it does not define, `#[contract]` expands to a call of that macro (found through
//! the module's `use` items; [`fetch`]), carrying the contract module's tokens and the
//! definitions fetched so far; `resume` then expands the contract again with one more
//! definition. The metadata is built exactly as for a type defined inside the module, from the
//! one definition the contract is compiled against; nothing is copied by hand.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Item};

use crate::metadata::{Origin, macro_name};

/// `#[derive(TypeInfo)]` on `input`: the macro handing its definition over.
pub fn derive(input: TokenStream) -> syn::Result<TokenStream> {
    let parsed: DeriveInput = syn::parse2(input.clone())?;
    if let Data::Union(u) = &parsed.data {
        return Err(syn::Error::new(
            u.union_token.span(),
            "TypeInfo describes structs and enums",
        ));
    }
    if !parsed.generics.params.is_empty() {
        return Err(syn::Error::new(
            parsed.generics.span(),
            "types in a contract's interface cannot be generic",
        ));
    }
    let mac = macro_name(&parsed.ident.to_string());
    Ok(quote! {
        #[doc(hidden)]
        #[macro_export]
        macro_rules! #mac {
            ($($state:tt)*) => {
                ::carechain_sdk::__resume_contract! { $crate { #input } $($state)* }
            };
        }
    })
}

/// The expansion of a contract that needs the definition of `name` from `origin`: a call of the
/// type's macro with what `resume` needs to carry on (`[fetched] mode module`).
pub fn fetch(
    name: &str,
    origin: &Origin,
    fetched: &[(Origin, Item)],
    module: TokenStream,
) -> TokenStream {
    let mac = origin.type_info_macro(name);
    let entries = fetched.iter().map(|(origin, item)| {
        let root = match origin {
            Origin::Crate(root) => root.clone(),
            Origin::Local | Origin::Textual => TokenStream::new(),
        };
        quote!(({ #root } { #item }))
    });
    let mode = match origin {
        Origin::Crate(_) => quote!(crate_root),
        Origin::Local | Origin::Textual => quote!(textual),
    };
    quote! {
        #mac! { [ #(#entries)* ] #mode #module }
    }
}

/// The input of `__resume_contract!`: `$crate { item } [ ({ root } { item })* ] mode module`,
/// back to the contract module and the definitions fetched, this one included (which
/// [`expand_with`](crate::contract::expand_with) expands).
pub fn resume(input: TokenStream) -> syn::Result<(TokenStream, Vec<(Origin, Item)>)> {
    let mut tokens = input.into_iter();
    let malformed = || {
        syn::Error::new(
            proc_macro2::Span::call_site(),
            "__resume_contract! is called by #[derive(TypeInfo)]'s macros only",
        )
    };
    let root = tokens.next().ok_or_else(malformed)?;
    let item = group(tokens.next(), Delimiter::Brace).ok_or_else(malformed)?;
    let entries = group(tokens.next(), Delimiter::Bracket).ok_or_else(malformed)?;
    let mode = match tokens.next() {
        Some(TokenTree::Ident(mode)) => mode,
        _ => return Err(malformed()),
    };
    let module: TokenStream = tokens.collect();

    let mut fetched = Vec::new();
    for entry in entries.stream() {
        let TokenTree::Group(entry) = entry else {
            return Err(malformed());
        };
        let mut parts = entry.stream().into_iter();
        let root = group(parts.next(), Delimiter::Brace).ok_or_else(malformed)?;
        let item = group(parts.next(), Delimiter::Brace).ok_or_else(malformed)?;
        let origin = if root.stream().is_empty() {
            Origin::Textual
        } else {
            Origin::Crate(root.stream())
        };
        fetched.push((origin, syn::parse2(item.stream())?));
    }
    let origin = if mode == "crate_root" {
        Origin::Crate(TokenStream::from(root))
    } else {
        Origin::Textual
    };
    fetched.push((origin, syn::parse2(item.stream())?));
    Ok((module, fetched))
}

fn group(token: Option<TokenTree>, delimiter: Delimiter) -> Option<Group> {
    match token {
        Some(TokenTree::Group(g)) if g.delimiter() == delimiter => Some(g),
        _ => None,
    }
}
