//! `#[contract]`: dispatch, exports, event and error impls, and embedded metadata.

use std::collections::{BTreeMap, BTreeSet};

use carechain_metadata::{
    Arg, ContractMetadata, EventField, EventSpec, METADATA_SECTION, METADATA_VERSION, Message, Ty,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, Item, ItemFn, Pat, ReturnType, Type, parse_quote};

use crate::metadata::{Origin, TypeTable, docs};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Constructor,
    Message,
    Query,
}

struct Entry {
    kind: Kind,
    ident: Ident,
    args: Vec<(Ident, Type)>,
    ok: Option<Type>,
    err: Option<Type>,
    returns_result: bool,
    docs: String,
}

struct EventInfo {
    ident: Ident,
    source: EventSource,
}

/// Where an event is defined.
enum EventSource {
    /// In the contract module (`#[event]`), with which of its fields are topics.
    Local(Vec<bool>),
    /// Outside it (`#[derive(Event, TypeInfo)]`), imported by a `#[events] use`.
    Imported(Origin),
}

/// Removes `#[name]` (or `#[name(...)]`) from `attrs`; true if it was there.
fn take_attr(attrs: &mut Vec<Attribute>, name: &str) -> syn::Result<bool> {
    let before = attrs.len();
    for a in attrs.iter().filter(|a| a.path().is_ident(name)) {
        if !matches!(a.meta, syn::Meta::Path(_)) {
            return Err(syn::Error::new(
                a.span(),
                format!("#[{name}] takes no arguments"),
            ));
        }
    }
    attrs.retain(|a| !a.path().is_ident(name));
    Ok(attrs.len() != before)
}

/// The derive macros named in `#[derive(...)]` attributes, by last path segment.
fn derived(attrs: &[Attribute]) -> Vec<String> {
    let mut names = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = a.parse_nested_meta(|meta| {
            if let Some(seg) = meta.path.segments.last() {
                names.push(seg.ident.to_string());
            }
            Ok(())
        });
    }
    names
}

/// Adds the SCALE derives an event or error needs, and points every SCALE derive at the codec
/// the SDK re-exports, so contracts need not depend on parity-scale-codec themselves.
fn prepare_codec(attrs: &mut Vec<Attribute>, required: bool) {
    let have = derived(attrs);
    if required {
        if !have.iter().any(|d| d == "Encode") {
            attrs.push(parse_quote!(#[derive(::carechain_sdk::scale::Encode)]));
        }
        if !have.iter().any(|d| d == "Decode") {
            attrs.push(parse_quote!(#[derive(::carechain_sdk::scale::Decode)]));
        }
    }
    let uses_codec = required
        || have
            .iter()
            .any(|d| matches!(d.as_str(), "Encode" | "Decode" | "MaxEncodedLen"));
    let has_crate = attrs
        .iter()
        .any(|a| a.path().is_ident("codec") && a.meta.to_token_stream_string().contains("crate"));
    if uses_codec && !has_crate {
        attrs.push(parse_quote!(#[codec(crate = ::carechain_sdk::scale)]));
    }
}

trait MetaString {
    fn to_token_stream_string(&self) -> String;
}

impl MetaString for syn::Meta {
    fn to_token_stream_string(&self) -> String {
        quote!(#self).to_string()
    }
}

/// The events a `#[events] use path::{EventA, EventB};` item imports, in order (none for a
/// plain `use`).
fn imported_events(u: &mut syn::ItemUse) -> syn::Result<Vec<EventInfo>> {
    if !take_attr(&mut u.attrs, "events")? {
        return Ok(Vec::new());
    }
    // Named for the metadata; the module's code need not use them itself.
    u.attrs.push(parse_quote!(#[allow(unused_imports)]));
    let mut names = Vec::new();
    crate::metadata::collect_uses(&u.tree, None, &mut names);
    if names.is_empty() {
        return Err(syn::Error::new(
            u.span(),
            "#[events] imports events by name: `use path::{EventA, EventB};`",
        ));
    }
    Ok(names
        .into_iter()
        .map(|(name, origin)| EventInfo {
            ident: Ident::new(&name, u.span()),
            source: EventSource::Imported(origin),
        })
        .collect())
}

/// `Result<T, E>` -> `(T, E)`.
fn split_result(ty: &Type) -> Option<(Type, Type)> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &seg.arguments else {
        return None;
    };
    let tys: Vec<&Type> = a
        .args
        .iter()
        .filter_map(|g| match g {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect();
    match tys.as_slice() {
        [ok, err] => Some(((*ok).clone(), (*err).clone())),
        _ => None,
    }
}

fn entry(kind: Kind, f: &ItemFn) -> syn::Result<Entry> {
    let sig = &f.sig;
    if sig.asyncness.is_some() || !sig.generics.params.is_empty() || sig.variadic.is_some() {
        return Err(syn::Error::new(
            sig.span(),
            "contract functions cannot be async, generic or variadic",
        ));
    }
    let mut args = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => {
                return Err(syn::Error::new(
                    r.span(),
                    "contract functions are free functions: state lives in Item/Map storage",
                ));
            }
            FnArg::Typed(t) => match &*t.pat {
                Pat::Ident(id) if id.by_ref.is_none() && id.subpat.is_none() => {
                    args.push((id.ident.clone(), (*t.ty).clone()));
                }
                other => {
                    return Err(syn::Error::new(
                        other.span(),
                        "arguments must be plain names (they become metadata argument names)",
                    ));
                }
            },
        }
    }
    let (ok, err, returns_result) = match &sig.output {
        ReturnType::Default => (None, None, false),
        ReturnType::Type(_, ty) => match split_result(ty) {
            Some((ok, err)) => (Some(ok), Some(err), true),
            None => (Some((**ty).clone()), None, false),
        },
    };
    if kind == Kind::Constructor {
        let unit = match &ok {
            None => true,
            Some(Type::Tuple(t)) => t.elems.is_empty(),
            _ => false,
        };
        if !unit {
            return Err(syn::Error::new(
                sig.output.span(),
                "a constructor returns () or Result<(), Error>",
            ));
        }
    }
    Ok(Entry {
        kind,
        ident: sig.ident.clone(),
        args,
        ok,
        err,
        returns_result,
        docs: docs(&f.attrs),
    })
}

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !attr.is_empty() {
        return Err(syn::Error::new(
            attr.span(),
            "#[contract] takes no arguments",
        ));
    }
    expand_with(item, Vec::new())
}

/// Expands the contract module `item`, given the definitions of the types from outside it
/// fetched so far. If its interface names another such type, the expansion is instead a call of
/// that type's `#[derive(TypeInfo)]` macro, which hands its definition back (to
/// [`crate::type_info::resume`]), and the expansion starts again with one more definition.
pub fn expand_with(item: TokenStream, fetched: Vec<(Origin, Item)>) -> syn::Result<TokenStream> {
    let original = item.clone();
    let mut module: syn::ItemMod = syn::parse2(item)?;
    let Some((brace, mut items)) = module.content.take() else {
        return Err(syn::Error::new(
            module.span(),
            "#[contract] needs an inline module: `mod name { ... }`",
        ));
    };

    let mut entries = Vec::new();
    let mut events = Vec::new();
    let mut errors = Vec::new();
    for item in &mut items {
        match item {
            Item::Fn(f) => {
                let kinds = [
                    (take_attr(&mut f.attrs, "constructor")?, Kind::Constructor),
                    (take_attr(&mut f.attrs, "message")?, Kind::Message),
                    (take_attr(&mut f.attrs, "query")?, Kind::Query),
                ];
                let marked: Vec<Kind> = kinds.iter().filter(|k| k.0).map(|k| k.1).collect();
                match marked.as_slice() {
                    [] => {}
                    [kind] => entries.push(entry(*kind, f)?),
                    _ => {
                        return Err(syn::Error::new(
                            f.sig.span(),
                            "use one of #[constructor], #[message] and #[query]",
                        ));
                    }
                }
            }
            Item::Struct(s) => {
                let is_event = take_attr(&mut s.attrs, "event")?;
                if is_event {
                    let syn::Fields::Named(named) = &mut s.fields else {
                        return Err(syn::Error::new(s.span(), "an #[event] has named fields"));
                    };
                    let mut topics = Vec::new();
                    for f in named.named.iter_mut() {
                        topics.push(take_attr(&mut f.attrs, "topic")?);
                    }
                    if topics.iter().filter(|t| **t).count() > 3 {
                        return Err(syn::Error::new(
                            s.span(),
                            "an event has at most 3 #[topic] fields (the 4th topic is its signature)",
                        ));
                    }
                    events.push(EventInfo {
                        ident: s.ident.clone(),
                        source: EventSource::Local(topics),
                    });
                }
                prepare_codec(&mut s.attrs, is_event);
            }
            Item::Use(u) => events.extend(imported_events(u)?),
            Item::Enum(e) => {
                let is_error = take_attr(&mut e.attrs, "error")?;
                if is_error {
                    errors.push(e.ident.clone());
                }
                prepare_codec(&mut e.attrs, is_error);
            }
            _ => {}
        }
    }

    if !entries.iter().any(|e| e.kind == Kind::Constructor) {
        return Err(syn::Error::new(
            module.ident.span(),
            "a contract needs at least one #[constructor]",
        ));
    }

    let metadata = match build_metadata(&module, &items, &fetched, &entries, &events)? {
        Built::Complete(metadata, imports_used) => {
            if !imports_used.is_empty() {
                // A type the metadata describes may be imported only for that (named inside
                // another type's definition): this alias uses each import so that none is
                // reported unused, or removed as such, while the metadata needs it.
                let names = imports_used.iter().map(|n| format_ident!("{n}"));
                items.push(parse_quote! {
                    #[doc(hidden)]
                    #[allow(dead_code)]
                    type __CarechainMetadataImports = (#(#names,)*);
                });
            }
            metadata
        }
        Built::Missing(name, origin) => {
            return Ok(crate::type_info::fetch(&name, &origin, &fetched, original));
        }
    };
    let json = serde_json::to_string(&metadata).expect("metadata serialises");

    let mut generated: Vec<TokenStream> = Vec::new();
    generated.push(export(
        "deploy",
        entries.iter().filter(|e| e.kind == Kind::Constructor),
        &metadata.constructors,
    ));
    generated.push(export(
        "call",
        entries.iter().filter(|e| e.kind != Kind::Constructor),
        &metadata.messages,
    ));
    for (ev, spec) in events.iter().zip(&metadata.events) {
        if let EventSource::Local(topics) = &ev.source {
            let s = items
                .iter()
                .find_map(|i| match i {
                    Item::Struct(s) if s.ident == ev.ident => Some(s),
                    _ => None,
                })
                .expect("event struct is in the module");
            generated.push(event_impl(s, topics, &spec.name));
        }
    }
    for e in &errors {
        generated.push(quote! {
            impl ::carechain_sdk::ContractError for #e {}
        });
    }
    // Compressed (see `carechain_abi::metadata`): doc comments and names make up most of it.
    // An array of byte literals, not `*b"..."`: the latter also leaves a copy of the literal in
    // the data section.
    let bytes = carechain_metadata::encode_section(json.as_bytes());
    let len = bytes.len();
    generated.push(quote! {
        /// This contract's metadata (DEFLATE-compressed JSON), embedded as a custom section of
        /// the wasm.
        #[cfg(target_arch = "wasm32")]
        #[unsafe(link_section = #METADATA_SECTION)]
        static __CARECHAIN_METADATA: [u8; #len] = [#(#bytes),*];
    });

    for g in generated {
        items.push(syn::parse2(g)?);
    }
    module.content = Some((brace, items));
    Ok(quote!(#module))
}

/// The metadata, or the first type whose definition has to be fetched before it can be built.
enum Built {
    Complete(ContractMetadata, BTreeSet<String>),
    Missing(String, Origin),
}

fn build_metadata(
    module: &syn::ItemMod,
    items: &[Item],
    fetched: &[(Origin, Item)],
    entries: &[Entry],
    events: &[EventInfo],
) -> syn::Result<Built> {
    let mut table = TypeTable::new(items, fetched)?;
    let mut constructors = Vec::new();
    let mut messages = Vec::new();
    let mut seen: BTreeMap<(bool, [u8; 4]), String> = BTreeMap::new();
    for e in entries {
        let name = e.ident.to_string();
        let sel = carechain_metadata::selector(&name);
        let is_ctor = e.kind == Kind::Constructor;
        if let Some(other) = seen.insert((is_ctor, sel), name.clone()) {
            return Err(syn::Error::new(
                e.ident.span(),
                format!("`{name}` and `{other}` have the same selector; rename one"),
            ));
        }
        let mut args = Vec::new();
        for (id, ty) in &e.args {
            args.push(Arg {
                name: id.to_string(),
                ty: table.ty(ty)?,
            });
        }
        let returns = match &e.ok {
            Some(t) => table.ty(t)?,
            None => Ty::Unit,
        };
        let error = match &e.err {
            Some(t) => Some(table.ty(t)?),
            None => None,
        };
        let m = Message {
            name,
            // Derivable from the name: left out of the embedded JSON (metadata version 2).
            selector: String::new(),
            docs: e.docs.clone(),
            args,
            returns,
            error,
            mutates: e.kind != Kind::Query,
        };
        if is_ctor {
            constructors.push(m);
        } else {
            messages.push(m);
        }
    }
    let mut event_specs = Vec::new();
    for ev in events {
        let (s, topics, origin) = match &ev.source {
            EventSource::Local(topics) => {
                let s = items
                    .iter()
                    .find_map(|i| match i {
                        Item::Struct(s) if s.ident == ev.ident => Some(s),
                        _ => None,
                    })
                    .expect("event struct is in the module");
                (s, topics.clone(), Origin::Local)
            }
            EventSource::Imported(origin) => {
                let found = fetched.iter().find_map(|(o, i)| match i {
                    Item::Struct(s) if s.ident == ev.ident => Some((s, o.clone())),
                    _ => None,
                });
                let Some((s, origin)) = found else {
                    return Ok(Built::Missing(ev.ident.to_string(), origin.clone()));
                };
                let topics = s
                    .fields
                    .iter()
                    .map(|f| f.attrs.iter().any(|a| a.path().is_ident("topic")))
                    .collect();
                (s, topics, origin)
            }
        };
        let mut fields = Vec::new();
        for (f, topic) in s.fields.iter().zip(&topics) {
            fields.push(EventField {
                name: f
                    .ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                ty: table.ty_in(&origin, &f.ty)?,
                topic: *topic,
                docs: docs(&f.attrs),
            });
        }
        let name = ev.ident.to_string();
        event_specs.push(EventSpec {
            signature: String::new(),
            name,
            docs: docs(&s.attrs),
            fields,
        });
    }
    table.finish()?;
    if let Some((name, origin)) = table.missing.into_iter().next() {
        return Ok(Built::Missing(name, origin));
    }
    let imports_used = table.imports_used;
    Ok(Built::Complete(
        ContractMetadata {
            metadata_version: METADATA_VERSION,
            name: module.ident.to_string(),
            docs: docs(&module.attrs),
            constructors,
            messages,
            events: event_specs,
            types: table.defs,
        },
        imports_used,
    ))
}

fn export<'a>(
    export_name: &str,
    entries: impl Iterator<Item = &'a Entry>,
    specs: &[Message],
) -> TokenStream {
    let export = format_ident!("{export_name}");
    let arms = entries.zip(specs).map(|(e, spec)| {
        // Matched as one integer: a `[u8; 4]` pattern compiles to a comparison per byte.
        let sel = proc_macro2::Literal::u32_suffixed(u32::from_le_bytes(
            carechain_metadata::selector(&spec.name),
        ));
        let f = &e.ident;
        let names: Vec<&Ident> = e.args.iter().map(|(n, _)| n).collect();
        let types: Vec<&Type> = e.args.iter().map(|(_, t)| t).collect();
        let read_only =
            (e.kind == Kind::Query).then(|| quote!(::carechain_sdk::dispatch::enter_read_only();));
        let finish = if e.returns_result {
            quote!(::carechain_sdk::dispatch::finish_result(__result))
        } else {
            quote!(::carechain_sdk::dispatch::finish_value(&__result))
        };
        // Arguments one by one (as the tuple they form would decode), so each argument type
        // has one decoder for the whole contract, not one inside each message's tuple.
        let decode = if names.is_empty() {
            quote!()
        } else {
            quote! {
                let mut __args = __args;
                #(let #names: #types = ::carechain_sdk::dispatch::decode_arg(&mut __args);)*
            }
        };
        quote! {
            #sel => {
                #read_only
                #decode
                ::carechain_sdk::dispatch::end_of_args(__args);
                let __result = #f(#(#names),*);
                #finish
            }
        }
    });
    quote! {
        #[cfg(target_arch = "wasm32")]
        #[unsafe(no_mangle)]
        extern "C" fn #export() {
            let __input = ::carechain_sdk::dispatch::input();
            let (__selector, __args) = ::carechain_sdk::dispatch::split_selector(&__input);
            match u32::from_le_bytes(__selector) {
                #(#arms)*
                _ => ::carechain_sdk::dispatch::unknown_selector(__selector),
            }
        }
    }
}

/// `#[derive(Event)]`: the `Event` impl of a struct defined outside a contract module, its
/// `#[topic]` fields marked as inside one.
pub fn derive_event(input: TokenStream) -> syn::Result<TokenStream> {
    let s: syn::ItemStruct = syn::parse2(input)?;
    let syn::Fields::Named(named) = &s.fields else {
        return Err(syn::Error::new(s.span(), "an event has named fields"));
    };
    let topics: Vec<bool> = named
        .named
        .iter()
        .map(|f| f.attrs.iter().any(|a| a.path().is_ident("topic")))
        .collect();
    if topics.iter().filter(|t| **t).count() > 3 {
        return Err(syn::Error::new(
            s.span(),
            "an event has at most 3 #[topic] fields (the 4th topic is its signature)",
        ));
    }
    Ok(event_impl(&s, &topics, &s.ident.to_string()))
}

fn event_impl(s: &syn::ItemStruct, topics: &[bool], name: &str) -> TokenStream {
    let ident = &s.ident;
    let sig = carechain_metadata::event_signature(name);
    let topic_fields: Vec<&Ident> = s
        .fields
        .iter()
        .zip(topics)
        .filter(|(_, t)| **t)
        .filter_map(|(f, _)| f.ident.as_ref())
        .collect();
    let fields = topic_fields.len();
    let count = 1 + fields;
    quote! {
        impl ::carechain_sdk::Event for #ident {
            const NAME: &'static str = #name;
            const SIGNATURE: [u8; 32] = [#(#sig),*];
            type Topics = [::carechain_sdk::Topic; #count];
            fn topics(&self) -> Self::Topics {
                [
                    ::carechain_sdk::Topic(Self::SIGNATURE),
                    #(::carechain_sdk::event::topic_of(&self.#topic_fields)),*
                ]
            }
            type FieldTopics = [::carechain_sdk::Topic; #fields];
            fn field_topics(&self) -> Self::FieldTopics {
                [#(::carechain_sdk::event::topic_of(&self.#topic_fields)),*]
            }
        }
    }
}
