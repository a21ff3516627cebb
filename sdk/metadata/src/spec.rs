//! The metadata format: one JSON document per contract.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{MetadataError, hex_string};

/// Version of the metadata format written by this crate's SDK.
///
/// Version 2 leaves out what can be derived, since every byte of it is in every contract:
/// message selectors and event signatures (derived from the names), variant indices equal to
/// the variant's position, empty variant field lists and `"topic": false`. [`ContractMetadata::from_json`] reads versions 1 and 2 and fills the
/// selectors and signatures in.
pub const METADATA_VERSION: u32 = 2;

/// The oldest metadata version [`ContractMetadata::from_json`] reads.
pub const MIN_METADATA_VERSION: u32 = 1;

/// A contract's description: its constructors, messages, events and the types they use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractMetadata {
    /// Metadata format version ([`METADATA_VERSION`]).
    pub metadata_version: u32,
    /// The contract module's name.
    pub name: String,
    /// The contract module's doc comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docs: String,
    /// Constructors, run once by `deploy`.
    pub constructors: Vec<Message>,
    /// Messages, run by `call`.
    pub messages: Vec<Message>,
    /// Events the contract emits.
    pub events: Vec<EventSpec>,
    /// Every named type reachable from the above, by name.
    pub types: BTreeMap<String, TypeDef>,
}

/// A constructor or a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// The function's name.
    pub name: String,
    /// The 4-byte selector, as `0x` hex ([`selector`](crate::selector) of the name). Left out
    /// of version 2 documents; [`ContractMetadata::from_json`] fills it in.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub selector: String,
    /// The doc comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docs: String,
    /// The arguments, in order; encoded as a tuple after the selector.
    pub args: Vec<Arg>,
    /// The type returned on success.
    pub returns: Ty,
    /// The contract error type the message may revert with, if it returns a `Result`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Ty>,
    /// False for read-only messages (queries): they cannot write state.
    pub mutates: bool,
}

/// A message argument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arg {
    /// The argument's name.
    pub name: String,
    /// Its type.
    pub ty: Ty,
}

/// An event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// The event's name.
    pub name: String,
    /// Its first topic, as `0x` hex ([`event_signature`](crate::event_signature) of the name).
    /// Left out of version 2 documents; [`ContractMetadata::from_json`] fills it in.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signature: String,
    /// The doc comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docs: String,
    /// The fields, in encoding order; the event data is their SCALE encoding.
    pub fields: Vec<EventField>,
}

/// A field of an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventField {
    /// The field's name.
    pub name: String,
    /// Its type.
    pub ty: Ty,
    /// True if the field is also a topic (see [`topic_of`](crate::topic_of)); left out when
    /// false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub topic: bool,
    /// The doc comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docs: String,
}

/// The type of a value, as metadata describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ty {
    /// `()`.
    Unit,
    /// `bool`.
    Bool,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `u128`.
    U128,
    /// `i8`.
    I8,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `i128`.
    I128,
    /// `String` (UTF-8).
    String,
    /// `Vec<u8>`.
    Bytes,
    /// A 32-byte account or contract address.
    Address,
    /// A 32-byte hash.
    Hash,
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// `Option<T>`.
    Option(Box<Ty>),
    /// `Result<T, E>`.
    Result(Box<Ty>, Box<Ty>),
    /// A tuple.
    Tuple(Vec<Ty>),
    /// `[T; N]`.
    Array(Box<Ty>, u32),
    /// A struct or enum defined by the contract, described in [`ContractMetadata::types`].
    Named(String),
}

impl Ty {
    /// The type as a Rust programmer would write it, for error messages.
    pub fn describe(&self) -> String {
        match self {
            Ty::Unit => "()".into(),
            Ty::Bool => "bool".into(),
            Ty::U8 => "u8".into(),
            Ty::U16 => "u16".into(),
            Ty::U32 => "u32".into(),
            Ty::U64 => "u64".into(),
            Ty::U128 => "u128".into(),
            Ty::I8 => "i8".into(),
            Ty::I16 => "i16".into(),
            Ty::I32 => "i32".into(),
            Ty::I64 => "i64".into(),
            Ty::I128 => "i128".into(),
            Ty::String => "String".into(),
            Ty::Bytes => "Vec<u8>".into(),
            Ty::Address => "Address".into(),
            Ty::Hash => "Hash".into(),
            Ty::Vec(t) => format!("Vec<{}>", t.describe()),
            Ty::Option(t) => format!("Option<{}>", t.describe()),
            Ty::Result(t, e) => format!("Result<{}, {}>", t.describe(), e.describe()),
            Ty::Tuple(ts) => {
                let inner: Vec<String> = ts.iter().map(Ty::describe).collect();
                if ts.len() == 1 {
                    format!("({},)", inner[0])
                } else {
                    format!("({})", inner.join(", "))
                }
            }
            Ty::Array(t, n) => format!("[{}; {n}]", t.describe()),
            Ty::Named(n) => n.clone(),
        }
    }
}

/// A struct or an enum defined by the contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TypeDef {
    /// A struct: its fields in encoding order.
    Struct {
        /// The doc comment.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        docs: String,
        /// The fields (all named, or all unnamed).
        fields: Vec<Field>,
    },
    /// An enum: its variants, each encoded as its index byte followed by its fields.
    Enum {
        /// The doc comment.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        docs: String,
        /// The variants.
        #[serde(with = "variant_list")]
        variants: Vec<Variant>,
    },
}

/// A field of a struct or enum variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The field's name; `None` for tuple fields.
    pub name: Option<String>,
    /// Its type.
    pub ty: Ty,
    /// The doc comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docs: String,
}

/// A variant of an enum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The variant's name.
    pub name: String,
    /// Its index byte in the encoding. Left out of a version 2 document when it is the
    /// variant's position in the list.
    pub index: u8,
    /// The doc comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docs: String,
    /// Its fields (all named, or all unnamed), possibly none (then left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// An enum's variants as version 2 writes them: each variant's `index` only when it differs
/// from the variant's position (derive(Encode) numbers variants by position unless told
/// otherwise), and read back with the position when it is absent.
mod variant_list {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Field, Variant};

    #[derive(Serialize)]
    struct Written<'a> {
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        index: Option<u8>,
        #[serde(skip_serializing_if = "str::is_empty")]
        docs: &'a str,
        #[serde(skip_serializing_if = "<[Field]>::is_empty")]
        fields: &'a [Field],
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Read {
        name: String,
        #[serde(default)]
        index: Option<u8>,
        #[serde(default)]
        docs: String,
        #[serde(default)]
        fields: Vec<Field>,
    }

    pub fn serialize<S: Serializer>(variants: &[Variant], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(variants.iter().enumerate().map(|(position, v)| Written {
            name: &v.name,
            index: (usize::from(v.index) != position).then_some(v.index),
            docs: &v.docs,
            fields: &v.fields,
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Variant>, D::Error> {
        Vec::<Read>::deserialize(d)?
            .into_iter()
            .enumerate()
            .map(|(position, v)| {
                let index = match v.index {
                    Some(index) => index,
                    None => u8::try_from(position).map_err(|_| {
                        D::Error::custom("a variant past the 256th needs its index")
                    })?,
                };
                Ok(Variant {
                    name: v.name,
                    index,
                    docs: v.docs,
                    fields: v.fields,
                })
            })
            .collect()
    }
}

impl ContractMetadata {
    /// Reads the metadata embedded in a wasm module; `Ok(None)` if it has none (a contract not
    /// built with the SDK).
    ///
    /// # Errors
    /// [`MetadataError`] if the module or the section cannot be read, or the version is unknown.
    pub fn from_wasm(code: &[u8]) -> Result<Option<Self>, MetadataError> {
        match crate::metadata_section(code)? {
            None => Ok(None),
            Some(json) => Self::from_json(&json).map(Some),
        }
    }

    /// Parses metadata JSON of a version from [`MIN_METADATA_VERSION`] to [`METADATA_VERSION`],
    /// and fills in the selectors and event signatures a version 2 document leaves out.
    ///
    /// # Errors
    /// [`MetadataError::Json`] or [`MetadataError::Version`].
    pub fn from_json(bytes: &[u8]) -> Result<Self, MetadataError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| MetadataError::Json(e.to_string()))?;
        let found = value
            .get("metadata_version")
            .and_then(Value::as_u64)
            .ok_or_else(|| MetadataError::Json("missing metadata_version".into()))?;
        if !(u64::from(MIN_METADATA_VERSION)..=u64::from(METADATA_VERSION)).contains(&found) {
            return Err(MetadataError::Version {
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
        let mut metadata: Self =
            serde_json::from_value(value).map_err(|e| MetadataError::Json(e.to_string()))?;
        for m in metadata
            .constructors
            .iter_mut()
            .chain(&mut metadata.messages)
        {
            if m.selector.is_empty() {
                m.selector = hex_string(&crate::selector(&m.name));
            }
        }
        for e in &mut metadata.events {
            if e.signature.is_empty() {
                e.signature = hex_string(&crate::event_signature(&e.name));
            }
        }
        Ok(metadata)
    }
}
