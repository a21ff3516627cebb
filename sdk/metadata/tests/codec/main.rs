//! The hand-written JSON <-> SCALE codec of `carechain-metadata`, checked against the real
//! `parity-scale-codec` derive.
//!
//! The Rust types below derive `Encode`/`Decode`; [`metadata`] describes the same types by hand,
//! as the SDK's `#[contract]` macro would. Property tests generate random values, encode them
//! with `parity-scale-codec`, decode the bytes to JSON with the crate and encode the JSON back,
//! which must give the very same bytes.

use std::collections::BTreeMap;
use std::fmt::Debug;

use carechain_abi::revert;
use carechain_metadata::{
    Arg, CodecError, ContractMetadata, EventField, EventSpec, Field, METADATA_VERSION, Message,
    Resolver, Ty, TypeDef, Variant, decode_revert_without_metadata, event_signature, selector,
    topic_of,
};
use parity_scale_codec::{Compact, Decode, DecodeAll, Encode};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestCaseError};
use serde_json::{Value, json};

mod calls;
mod findings;
mod json_shapes;
mod properties;
mod reverts_and_events;
mod scalars;

// ---------------------------------------------------------------------------------------------
// The Rust types, encoded by parity-scale-codec.
// ---------------------------------------------------------------------------------------------

/// An enum with a unit variant, tuple variants (one and several fields) and a struct variant.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
enum Shape {
    Empty,
    Point(i32, i32),
    Scaled(u16),
    Rect {
        width: u32,
        height: u32,
        label: String,
    },
}

/// An enum whose second variant has an explicit index; the others keep their position.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
enum Indexed {
    First,
    #[codec(index = 7)]
    Seventh(u8),
    Third {
        flag: bool,
    },
}

/// A newtype: transparent in JSON.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
struct Amount(u128);

/// A struct with several unnamed fields: an array in JSON.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
struct Coords(u8, Option<u64>, String);

/// `Option<bool>`, on its own, in a vector and followed by another field.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
struct Flagged {
    maybe_flag: Option<bool>,
    flags: Vec<Option<bool>>,
    after: u16,
}

/// A struct with named fields of every kind (but `Option<bool>`, see [`Flagged`]).
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
struct Record {
    small: u8,
    medium: u16,
    word: u32,
    long: u64,
    huge: u128,
    tiny_signed: i8,
    short_signed: i16,
    signed: i32,
    long_signed: i64,
    huge_signed: i128,
    flag: bool,
    name: String,
    blob: Vec<u8>,
    hash: [u8; 32],
    owner: [u8; 32],
    tag: [u8; 4],
    maybe: Option<u64>,
    numbers: Vec<u32>,
    pair: (u8, String),
    outcome: Result<u32, String>,
    shape: Shape,
    indexed: Indexed,
    amount: Amount,
    shapes: Vec<Shape>,
    maybe_shape: Option<Shape>,
    corners: [i16; 3],
    coords: Coords,
    nothing: (),
    unit_result: Result<(), Indexed>,
}

/// A contract error type.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
enum TokenError {
    InsufficientBalance { needed: u128, available: u128 },
    Paused,
    NotOwner([u8; 32]),
}

/// Another contract error type, for another message.
#[derive(Debug, Clone, PartialEq, Encode, Decode)]
enum GetError {
    Missing,
    Expired,
}

// ---------------------------------------------------------------------------------------------
// The same types, described by hand as metadata.
// ---------------------------------------------------------------------------------------------

fn named(name: &str, ty: Ty) -> Field {
    Field {
        name: Some(name.into()),
        ty,
        docs: String::new(),
    }
}

fn unnamed(ty: Ty) -> Field {
    Field {
        name: None,
        ty,
        docs: String::new(),
    }
}

fn variant(name: &str, index: u8, fields: Vec<Field>) -> Variant {
    Variant {
        name: name.into(),
        index,
        docs: String::new(),
        fields,
    }
}

fn strukt(fields: Vec<Field>) -> TypeDef {
    TypeDef::Struct {
        docs: String::new(),
        fields,
    }
}

fn enumeration(variants: Vec<Variant>) -> TypeDef {
    TypeDef::Enum {
        docs: String::new(),
        variants,
    }
}

fn ty(name: &str) -> Ty {
    Ty::Named(name.into())
}

fn boxed(t: Ty) -> Box<Ty> {
    Box::new(t)
}

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn message(name: &str, args: Vec<(&str, Ty)>, returns: Ty, error: Option<Ty>) -> Message {
    Message {
        name: name.into(),
        selector: hex(&selector(name)),
        docs: String::new(),
        args: args
            .into_iter()
            .map(|(name, ty)| Arg {
                name: name.into(),
                ty,
            })
            .collect(),
        returns,
        error,
        mutates: true,
    }
}

fn metadata() -> ContractMetadata {
    let mut types = BTreeMap::new();
    types.insert(
        "Shape".to_string(),
        enumeration(vec![
            variant("Empty", 0, vec![]),
            variant("Point", 1, vec![unnamed(Ty::I32), unnamed(Ty::I32)]),
            variant("Scaled", 2, vec![unnamed(Ty::U16)]),
            variant(
                "Rect",
                3,
                vec![
                    named("width", Ty::U32),
                    named("height", Ty::U32),
                    named("label", Ty::String),
                ],
            ),
        ]),
    );
    types.insert(
        "Indexed".to_string(),
        enumeration(vec![
            variant("First", 0, vec![]),
            variant("Seventh", 7, vec![unnamed(Ty::U8)]),
            variant("Third", 2, vec![named("flag", Ty::Bool)]),
        ]),
    );
    types.insert("Amount".to_string(), strukt(vec![unnamed(Ty::U128)]));
    types.insert(
        "Coords".to_string(),
        strukt(vec![
            unnamed(Ty::U8),
            unnamed(Ty::Option(boxed(Ty::U64))),
            unnamed(Ty::String),
        ]),
    );
    types.insert(
        "Record".to_string(),
        strukt(vec![
            named("small", Ty::U8),
            named("medium", Ty::U16),
            named("word", Ty::U32),
            named("long", Ty::U64),
            named("huge", Ty::U128),
            named("tiny_signed", Ty::I8),
            named("short_signed", Ty::I16),
            named("signed", Ty::I32),
            named("long_signed", Ty::I64),
            named("huge_signed", Ty::I128),
            named("flag", Ty::Bool),
            named("name", Ty::String),
            named("blob", Ty::Bytes),
            named("hash", Ty::Hash),
            named("owner", Ty::Address),
            named("tag", Ty::Array(boxed(Ty::U8), 4)),
            named("maybe", Ty::Option(boxed(Ty::U64))),
            named("numbers", Ty::Vec(boxed(Ty::U32))),
            named("pair", Ty::Tuple(vec![Ty::U8, Ty::String])),
            named("outcome", Ty::Result(boxed(Ty::U32), boxed(Ty::String))),
            named("shape", ty("Shape")),
            named("indexed", ty("Indexed")),
            named("amount", ty("Amount")),
            named("shapes", Ty::Vec(boxed(ty("Shape")))),
            named("maybe_shape", Ty::Option(boxed(ty("Shape")))),
            named("corners", Ty::Array(boxed(Ty::I16), 3)),
            named("coords", ty("Coords")),
            named("nothing", Ty::Unit),
            named(
                "unit_result",
                Ty::Result(boxed(Ty::Unit), boxed(ty("Indexed"))),
            ),
        ]),
    );
    types.insert(
        "Flagged".to_string(),
        strukt(vec![
            named("maybe_flag", Ty::Option(boxed(Ty::Bool))),
            named("flags", Ty::Vec(boxed(Ty::Option(boxed(Ty::Bool))))),
            named("after", Ty::U16),
        ]),
    );
    types.insert(
        "TokenError".to_string(),
        enumeration(vec![
            variant(
                "InsufficientBalance",
                0,
                vec![named("needed", Ty::U128), named("available", Ty::U128)],
            ),
            variant("Paused", 1, vec![]),
            variant("NotOwner", 2, vec![unnamed(Ty::Address)]),
        ]),
    );
    types.insert(
        "GetError".to_string(),
        enumeration(vec![
            variant("Missing", 0, vec![]),
            variant("Expired", 1, vec![]),
        ]),
    );

    let mut get = message(
        "get",
        vec![("key", Ty::Hash)],
        Ty::Option(boxed(ty("Record"))),
        Some(ty("GetError")),
    );
    get.mutates = false;
    ContractMetadata {
        metadata_version: METADATA_VERSION,
        name: "codec_test".into(),
        docs: String::new(),
        constructors: vec![message("new", vec![("supply", Ty::U128)], Ty::Unit, None)],
        messages: vec![
            message(
                "transfer",
                vec![
                    ("to", Ty::Address),
                    ("amount", Ty::U128),
                    ("memo", Ty::Option(boxed(Ty::String))),
                ],
                Ty::Unit,
                Some(ty("TokenError")),
            ),
            get,
            message("total", vec![], Ty::U128, None),
        ],
        events: vec![EventSpec {
            name: "Transferred".into(),
            signature: hex(&event_signature("Transferred")),
            docs: String::new(),
            fields: vec![
                EventField {
                    name: "from".into(),
                    ty: Ty::Address,
                    topic: true,
                    docs: String::new(),
                },
                EventField {
                    name: "to".into(),
                    ty: Ty::Address,
                    topic: true,
                    docs: String::new(),
                },
                EventField {
                    name: "amount".into(),
                    ty: Ty::U128,
                    topic: false,
                    docs: String::new(),
                },
            ],
        }],
        types,
    }
}

/// A resolver that knows no names.
fn no_names(_: &str) -> Option<[u8; 32]> {
    None
}

const ALICE: [u8; 32] = [0xaa; 32];

/// A resolver that knows `alice`.
fn alice(name: &str) -> Option<[u8; 32]> {
    (name == "alice").then_some(ALICE)
}
