//! From Rust types in the contract's source to metadata [`Ty`]s and [`TypeDef`]s.

use std::collections::BTreeMap;

use carechain_metadata::{Field, Ty, TypeDef, Variant};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Fields, GenericArgument, Item, Lit, PathArguments, Type};

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

/// The struct and enum definitions of the contract module and the metadata built from them.
pub struct TypeTable<'a> {
    items: BTreeMap<String, &'a Item>,
    aliases: BTreeMap<String, &'a Type>,
    pub defs: BTreeMap<String, TypeDef>,
    pending: Vec<String>,
}

impl<'a> TypeTable<'a> {
    pub fn new(module_items: &'a [Item]) -> Self {
        let mut items = BTreeMap::new();
        let mut aliases = BTreeMap::new();
        for item in module_items {
            match item {
                Item::Struct(s) => {
                    items.insert(s.ident.to_string(), item);
                }
                Item::Enum(e) => {
                    items.insert(e.ident.to_string(), item);
                }
                Item::Type(t) => {
                    aliases.insert(t.ident.to_string(), &*t.ty);
                }
                _ => {}
            }
        }
        TypeTable {
            items,
            aliases,
            defs: BTreeMap::new(),
            pending: Vec::new(),
        }
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
                    if let Some(alias) = self.aliases.get(&name).copied() {
                        return self.ty(alias);
                    }
                    if self.items.contains_key(&name) {
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
            let item = self.items[&name];
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
         the contract module, or use bool, integers, String, Vec, Option, Result, Box, tuples, \
         arrays, Address or Hash",
    )
}
