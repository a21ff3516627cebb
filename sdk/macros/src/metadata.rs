//! From Rust types in the contract's source to metadata [`Ty`]s and [`TypeDef`]s.
//!
//! A type defined outside the contract module (another crate, or a sibling module) is described
//! from its own definition, which `#[derive(TypeInfo)]` hands over: see [`crate::type_info`].

use std::collections::BTreeMap;

use carechain_metadata::{Field, Ty, TypeDef, Variant};
use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Fields, GenericArgument, Item, Lit, PathArguments, Type, UseTree};

/// The doc comment of an item, lines joined with `\n`.
pub fn docs(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(lit) = &nv.value
            && let Lit::Str(s) = &lit.lit
        {
            let line = s.value();
            lines.push(line.strip_prefix(' ').unwrap_or(&line).to_string());
        }
    }
    lines.join("\n").trim().to_string()
}

/// What `#[codec(...)]` says about a field or a variant.
#[derive(Default)]
struct Codec {
    skip: bool,
    compact: bool,
    index: Option<u8>,
}

fn codec_attrs(attrs: &[Attribute]) -> syn::Result<Codec> {
    let mut codec = Codec::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("codec")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                codec.skip = true;
            } else if meta.path.is_ident("compact") {
                codec.compact = true;
            } else if meta.path.is_ident("index") {
                let lit: syn::LitInt = meta.value()?.parse()?;
                codec.index = Some(lit.base10_parse()?);
            } else if meta.input.peek(syn::Token![=]) {
                let _: Expr = meta.value()?.parse()?;
            }
            Ok(())
        })?;
    }
    Ok(codec)
}

/// Where the definition of a type named in the interface comes from, and so where the names
/// inside it are looked up.
#[derive(Clone)]
pub enum Origin {
    /// The contract module itself.
    Local,
    /// A module of the contract's own crate: its `#[derive(TypeInfo)]` macro is in textual
    /// scope (the module is declared, `#[macro_use]`, before the contract module).
    Textual,
    /// Another crate, by a path to its root (`carechain_consent_api`, or `$crate` as the
    /// derive's macro passes it).
    Crate(TokenStream),
}

impl Origin {
    /// The path of the macro `#[derive(TypeInfo)]` generated for type `name` from this origin.
    pub fn type_info_macro(&self, name: &str) -> TokenStream {
        let mac = macro_name(name);
        match self {
            Origin::Local | Origin::Textual => quote!(#mac),
            Origin::Crate(root) => quote!(#root :: #mac),
        }
    }
}

/// The origin of the item a `use` path ending in a type leads to, by its first segment.
fn origin_of(first: &syn::Ident) -> Origin {
    if first == "crate" || first == "self" || first == "super" {
        Origin::Textual
    } else {
        Origin::Crate(quote!(#first))
    }
}

/// Records, for each name a `use` tree brings in, where it comes from. Renames and globs are
/// left out: the metadata names a type by its definition's name.
pub fn collect_uses<C: Extend<(String, Origin)>>(
    tree: &UseTree,
    first: Option<&syn::Ident>,
    out: &mut C,
) {
    match tree {
        UseTree::Path(p) => collect_uses(&p.tree, Some(first.unwrap_or(&p.ident)), out),
        UseTree::Name(n) => {
            if let Some(first) = first {
                out.extend([(n.ident.to_string(), origin_of(first))]);
            }
        }
        UseTree::Group(g) => {
            for t in &g.items {
                collect_uses(t, first, out);
            }
        }
        UseTree::Rename(_) | UseTree::Glob(_) => {}
    }
}

/// The struct and enum definitions of the contract module (and those fetched from elsewhere
/// through `#[derive(TypeInfo)]`) and the metadata built from them.
pub struct TypeTable<'a> {
    items: BTreeMap<String, (&'a Item, Origin)>,
    aliases: BTreeMap<String, &'a Type>,
    uses: BTreeMap<String, Origin>,
    pub defs: BTreeMap<String, TypeDef>,
    pending: Vec<String>,
    /// Types named in the interface whose definitions are elsewhere and not yet fetched.
    pub missing: Vec<(String, Origin)>,
    /// Where names are being looked up: the origin of the item being described.
    scope: Origin,
    /// The names the contract module's `use` items gave a definition's origin for.
    pub imports_used: std::collections::BTreeSet<String>,
}

impl<'a> TypeTable<'a> {
    /// The table of a contract module's `module_items`, with the definitions already
    /// `fetched` from outside it.
    ///
    /// # Errors
    /// If a fetched type has the name of another type (metadata names types by their names).
    pub fn new(module_items: &'a [Item], fetched: &'a [(Origin, Item)]) -> syn::Result<Self> {
        let mut items = BTreeMap::new();
        let mut aliases = BTreeMap::new();
        let mut uses = BTreeMap::new();
        let local = module_items.iter().map(|i| (Origin::Local, i));
        let outside = fetched.iter().map(|(o, i)| (o.clone(), i));
        for (origin, item) in local.chain(outside) {
            let ident = match item {
                Item::Struct(s) => &s.ident,
                Item::Enum(e) => &e.ident,
                Item::Type(t) if matches!(origin, Origin::Local) => {
                    aliases.insert(t.ident.to_string(), &*t.ty);
                    continue;
                }
                Item::Use(u) if matches!(origin, Origin::Local) => {
                    collect_uses(&u.tree, None, &mut uses);
                    continue;
                }
                _ => continue,
            };
            if items.insert(ident.to_string(), (item, origin)).is_some() {
                return Err(syn::Error::new(
                    ident.span(),
                    format!(
                        "carechain metadata names types by their names, and two types named \
                         `{ident}` are in this contract's interface"
                    ),
                ));
            }
        }
        Ok(TypeTable {
            items,
            aliases,
            uses,
            defs: BTreeMap::new(),
            pending: Vec::new(),
            missing: Vec::new(),
            scope: Origin::Local,
            imports_used: Default::default(),
        })
    }

    /// Where the definition of the type at `path` (named `name`, not defined here) is to be
    /// fetched from, if anywhere.
    fn outside_origin(&mut self, path: &syn::Path, name: &str) -> Option<Origin> {
        if path.segments.len() == 1 && self.uses.contains_key(name) {
            self.imports_used.insert(name.to_string());
        }
        match &self.scope {
            Origin::Local | Origin::Textual if path.segments.len() > 1 => {
                Some(origin_of(&path.segments[0].ident))
            }
            Origin::Local => self.uses.get(name).cloned(),
            // A module of the contract's crate may name a type it imports from another crate
            // (its `use` is out of sight): the contract module's own `use` of it says where.
            Origin::Textual => Some(self.uses.get(name).cloned().unwrap_or(Origin::Textual)),
            Origin::Crate(root) => Some(Origin::Crate(root.clone())),
        }
    }

    /// The metadata type of a Rust type written in a definition from `origin` (an event's
    /// field, say).
    pub fn ty_in(&mut self, origin: &Origin, ty: &Type) -> syn::Result<Ty> {
        let outer = core::mem::replace(&mut self.scope, origin.clone());
        let described = self.ty(ty);
        self.scope = outer;
        described
    }

    /// The metadata type of a Rust type; schedules the module types it names.
    pub fn ty(&mut self, ty: &Type) -> syn::Result<Ty> {
        match ty {
            Type::Paren(p) => self.ty(&p.elem),
            Type::Group(g) => self.ty(&g.elem),
            Type::Tuple(t) => {
                if t.elems.is_empty() {
                    return Ok(Ty::Unit);
                }
                let items = t
                    .elems
                    .iter()
                    .map(|e| self.ty(e))
                    .collect::<syn::Result<_>>()?;
                Ok(Ty::Tuple(items))
            }
            Type::Array(a) => {
                let len = match &a.len {
                    Expr::Lit(syn::ExprLit {
                        lit: Lit::Int(n), ..
                    }) => n.base10_parse::<u32>()?,
                    other => {
                        return Err(syn::Error::new(
                            other.span(),
                            "carechain metadata needs array lengths written as integer literals",
                        ));
                    }
                };
                Ok(Ty::Array(Box::new(self.ty(&a.elem)?), len))
            }
            Type::Path(p) if p.qself.is_none() => {
                let seg = p.path.segments.last().expect("a path has a segment");
                let name = seg.ident.to_string();
                let args: Vec<&Type> = match &seg.arguments {
                    PathArguments::None => Vec::new(),
                    PathArguments::AngleBracketed(a) => a
                        .args
                        .iter()
                        .filter_map(|g| match g {
                            GenericArgument::Type(t) => Some(t),
                            _ => None,
                        })
                        .collect(),
                    PathArguments::Parenthesized(_) => return Err(unsupported(ty)),
                };
                if args.is_empty() {
                    if matches!(self.scope, Origin::Local)
                        && p.path.segments.len() == 1
                        && let Some(alias) = self.aliases.get(&name).copied()
                    {
                        return self.ty(alias);
                    }
                    if self.items.contains_key(&name) {
                        if !matches!(self.scope, Origin::Crate(_))
                            && p.path.segments.len() == 1
                            && self.uses.contains_key(&name)
                        {
                            self.imports_used.insert(name.clone());
                        }
                        if !self.defs.contains_key(&name) && !self.pending.contains(&name) {
                            self.pending.push(name.clone());
                        }
                        return Ok(Ty::Named(name));
                    }
                }
                let prim = match (name.as_str(), args.as_slice()) {
                    ("bool", []) => Ty::Bool,
                    ("u8", []) => Ty::U8,
                    ("u16", []) => Ty::U16,
                    ("u32", []) => Ty::U32,
                    ("u64", []) => Ty::U64,
                    ("u128", []) => Ty::U128,
                    ("i8", []) => Ty::I8,
                    ("i16", []) => Ty::I16,
                    ("i32", []) => Ty::I32,
                    ("i64", []) => Ty::I64,
                    ("i128", []) => Ty::I128,
                    ("String", []) => Ty::String,
                    ("Address", []) => Ty::Address,
                    ("Hash" | "CodeHash" | "Topic", []) => Ty::Hash,
                    ("Vec", [inner]) => match self.ty(inner)? {
                        Ty::U8 => Ty::Bytes,
                        other => Ty::Vec(Box::new(other)),
                    },
                    ("Option", [inner]) => Ty::Option(Box::new(self.ty(inner)?)),
                    ("Box", [inner]) => self.ty(inner)?,
                    ("Result", [ok, err]) => {
                        Ty::Result(Box::new(self.ty(ok)?), Box::new(self.ty(err)?))
                    }
                    (_, []) => match self.outside_origin(&p.path, &name) {
                        Some(origin) => {
                            if !self.missing.iter().any(|(n, _)| *n == name) {
                                self.missing.push((name.clone(), origin));
                            }
                            Ty::Named(name)
                        }
                        None => return Err(unsupported(ty)),
                    },
                    _ => return Err(unsupported(ty)),
                };
                Ok(prim)
            }
            _ => Err(unsupported(ty)),
        }
    }

    /// Builds the definitions of every scheduled module type (and of those they name).
    pub fn finish(&mut self) -> syn::Result<()> {
        while let Some(name) = self.pending.pop() {
            let (item, origin) = {
                let (item, origin) = &self.items[&name];
                (*item, origin.clone())
            };
            self.scope = origin;
            let def = match item {
                Item::Struct(s) => {
                    no_generics(&s.generics)?;
                    TypeDef::Struct {
                        docs: docs(&s.attrs),
                        fields: self.fields(&s.fields)?,
                    }
                }
                Item::Enum(e) => {
                    no_generics(&e.generics)?;
                    let mut variants = Vec::new();
                    for (position, v) in e.variants.iter().enumerate() {
                        let codec = codec_attrs(&v.attrs)?;
                        if codec.skip {
                            return Err(syn::Error::new(
                                v.span(),
                                "carechain metadata does not support #[codec(skip)] on variants",
                            ));
                        }
                        let index = match (codec.index, &v.discriminant) {
                            (Some(i), _) => i,
                            (
                                None,
                                Some((
                                    _,
                                    Expr::Lit(syn::ExprLit {
                                        lit: Lit::Int(n), ..
                                    }),
                                )),
                            ) => n.base10_parse()?,
                            (None, Some((_, other))) => {
                                return Err(syn::Error::new(
                                    other.span(),
                                    "discriminants must be integer literals",
                                ));
                            }
                            (None, None) => u8::try_from(position).map_err(|_| {
                                syn::Error::new(v.span(), "an enum may have at most 256 variants")
                            })?,
                        };
                        variants.push(Variant {
                            name: v.ident.to_string(),
                            index,
                            docs: docs(&v.attrs),
                            fields: self.fields(&v.fields)?,
                        });
                    }
                    TypeDef::Enum {
                        docs: docs(&e.attrs),
                        variants,
                    }
                }
                _ => unreachable!("only structs and enums are recorded"),
            };
            self.defs.insert(name, def);
        }
        self.scope = Origin::Local;
        Ok(())
    }

    fn fields(&mut self, fields: &Fields) -> syn::Result<Vec<Field>> {
        let mut out = Vec::new();
        for f in fields {
            let codec = codec_attrs(&f.attrs)?;
            if codec.skip {
                continue;
            }
            if codec.compact {
                return Err(syn::Error::new(
                    f.span(),
                    "carechain metadata does not support #[codec(compact)] fields",
                ));
            }
            out.push(Field {
                name: f.ident.as_ref().map(ToString::to_string),
                ty: self.ty(&f.ty)?,
                docs: docs(&f.attrs),
            });
        }
        Ok(out)
    }
}

fn no_generics(g: &syn::Generics) -> syn::Result<()> {
    if g.params.is_empty() {
        Ok(())
    } else {
        Err(syn::Error::new(
            g.span(),
            "types in a contract's interface cannot be generic",
        ))
    }
}

fn unsupported(ty: &Type) -> syn::Error {
    syn::Error::new(
        ty.span(),
        "carechain metadata cannot describe this type: define it (a struct or an enum) inside \
         the contract module, or import one that derives `TypeInfo` with a `use` naming it, or \
         use bool, integers, String, Vec, Option, Result, Box, tuples, arrays, Address or Hash",
    )
}

/// The name of the macro `#[derive(TypeInfo)]` generates for type `name`, which hands the type's
/// definition to the contract macro.
pub fn macro_name(name: &str) -> proc_macro2::Ident {
    quote::format_ident!("__carechain_type_info_{name}")
}
