//! Carechain contract metadata: what a contract's messages, events and errors look like, and how
//! to turn JSON into their SCALE encoding and back.
//!
//! The SDK's `#[contract]` macro generates a [`ContractMetadata`] from the contract's source and
//! embeds it, as DEFLATE-compressed JSON, in the wasm custom section [`METADATA_SECTION`]
//! ([`encode_section`]; [`carechain_abi::metadata`] describes the section's forms);
//! [`ContractMetadata::from_wasm`] reads it back. Tools (the CLI, JSON scenarios, RPC clients)
//! then use it to
//!
//! * encode a call from a message name and JSON arguments ([`ContractMetadata::encode_call`]),
//! * decode return data, revert data and events to JSON ([`ContractMetadata::decode_return`],
//!   [`ContractMetadata::decode_revert`], [`ContractMetadata::decode_event`]).
//!
//! # The JSON shape of each type
//!
//! | type | JSON |
//! |---|---|
//! | `()` | `null` |
//! | `bool` | `true` / `false` |
//! | `u8`..`u64`, `i8`..`i64` | number (a decimal string is accepted too) |
//! | `u128`, `i128` | number when it fits 64 bits, else a decimal string |
//! | `String` | string |
//! | `Vec<u8>`, `[u8; N]` | `"0x…"` hex |
//! | `Address`, `Hash` | `"0x…"` 64 hex digits (an address may also be a name the caller resolves) |
//! | `Vec<T>`, `[T; N]`, tuples | array |
//! | `Option<T>` | `null` or the value; `{"some": …}` when the value's own JSON can be `null` (`Option<()>`, `Option<Option<T>>`) |
//! | `Result<T, E>` | `{"ok": …}` or `{"err": …}` |
//! | struct with named fields | object |
//! | struct with one unnamed field | the field's value (newtypes are transparent) |
//! | struct with several unnamed fields | array |
//! | enum variant without fields | `"Variant"` |
//! | enum variant with fields | `{"Variant": fields}` (fields as for a struct) |
#![warn(missing_docs)]

mod calls;
mod codec;
mod spec;

pub use calls::decode_revert_without_metadata;
pub use carechain_abi::METADATA_SECTION;
pub use carechain_abi::metadata::{
    MAX_METADATA_LEN, MetadataSectionError, decode_metadata as decode_section,
    encode_metadata as encode_section,
};
pub use codec::{CodecError, Resolver};
pub use spec::{
    Arg, ContractMetadata, EventField, EventSpec, Field, METADATA_VERSION, MIN_METADATA_VERSION,
    Message, Ty, TypeDef, Variant,
};

use std::borrow::Cow;

use blake2::{Blake2b, Digest, digest::consts::U32};

/// Blake2b-256 of `data`.
pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Blake2b::<U32>::digest(data));
    out
}

/// The 4-byte selector of a constructor or message: the first four bytes of the Blake2b-256 of
/// its name.
///
/// ```
/// assert_eq!(carechain_metadata::selector("get"), carechain_metadata::selector("get"));
/// assert_ne!(carechain_metadata::selector("get"), carechain_metadata::selector("set"));
/// ```
pub fn selector(name: &str) -> [u8; 4] {
    let h = blake2b_256(name.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// The first topic of every event: the Blake2b-256 of the event's name.
pub fn event_signature(name: &str) -> [u8; 32] {
    blake2b_256(name.as_bytes())
}

/// The topic of an indexed event field, from the field's SCALE encoding: the encoding itself,
/// zero-padded, when it is at most 32 bytes long (so an address or an id is its own topic), and
/// its Blake2b-256 otherwise. The SDK computes the same inside contracts.
pub fn topic_of(encoded: &[u8]) -> [u8; 32] {
    if encoded.len() <= 32 {
        let mut t = [0u8; 32];
        t[..encoded.len()].copy_from_slice(encoded);
        t
    } else {
        blake2b_256(encoded)
    }
}

/// Errors reading metadata out of a wasm module.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// The bytes are not a wasm module.
    #[error("not a wasm module: {0}")]
    Wasm(String),
    /// The metadata section's payload cannot be decoded (a reserved encoding, a corrupt or
    /// oversized compressed stream).
    #[error("the {METADATA_SECTION} section cannot be decoded: {0}")]
    Section(#[from] MetadataSectionError),
    /// The metadata section is not valid metadata JSON.
    #[error("the {METADATA_SECTION} section is not valid metadata: {0}")]
    Json(String),
    /// The metadata was written for another metadata format version.
    #[error(
        "metadata version {found} is not supported (this tool reads versions {MIN_METADATA_VERSION} to {METADATA_VERSION})"
    )]
    Version {
        /// The version found in the module.
        found: u32,
    },
}

/// The metadata JSON of a wasm module, from its [`METADATA_SECTION`] custom section (inflated if
/// compressed, at most [`MAX_METADATA_LEN`] bytes), if it has one.
///
/// # Errors
/// [`MetadataError::Wasm`] if the module cannot be parsed up to that section;
/// [`MetadataError::Section`] if its payload cannot be decoded.
pub fn metadata_section(code: &[u8]) -> Result<Option<Cow<'_, [u8]>>, MetadataError> {
    for payload in wasmparser::Parser::new(0).parse_all(code) {
        let payload = payload.map_err(|e| MetadataError::Wasm(e.to_string()))?;
        if let wasmparser::Payload::CustomSection(reader) = payload
            && reader.name() == METADATA_SECTION
        {
            return Ok(Some(decode_section(reader.data())?));
        }
    }
    Ok(None)
}

fn hex_string(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_topics_are_padded_and_long_ones_hashed() {
        let t = topic_of(&[1, 2, 3]);
        assert_eq!(&t[..3], &[1, 2, 3]);
        assert!(t[3..].iter().all(|b| *b == 0));
        let long = [7u8; 33];
        assert_eq!(topic_of(&long), blake2b_256(&long));
    }

    /// A module with nothing but a custom section `name` holding `payload`.
    fn module_with_section(name: &str, payload: &[u8]) -> Vec<u8> {
        let mut body = vec![u8::try_from(name.len()).unwrap()];
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(payload);
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.push(0);
        let mut len = body.len();
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                module.push(byte);
                break;
            }
            module.push(byte | 0x80);
        }
        module.extend_from_slice(&body);
        module
    }

    const JSON: &str = r#"{"metadata_version":1,"name":"m","constructors":[],"messages":[],"events":[],"types":{}}"#;

    #[test]
    fn the_section_is_read_plain_or_compressed() {
        let plain = module_with_section(METADATA_SECTION, JSON.as_bytes());
        let packed = module_with_section(METADATA_SECTION, &encode_section(JSON.as_bytes()));
        let from_plain = ContractMetadata::from_wasm(&plain).unwrap().unwrap();
        assert_eq!(from_plain.name, "m");
        assert_eq!(
            ContractMetadata::from_wasm(&packed).unwrap(),
            Some(from_plain)
        );
        assert_eq!(
            metadata_section(&packed).unwrap().as_deref(),
            Some(JSON.as_bytes())
        );
        let other = module_with_section("other", JSON.as_bytes());
        assert_eq!(ContractMetadata::from_wasm(&other).unwrap(), None);
    }

    #[test]
    fn a_corrupt_compressed_section_is_a_section_error() {
        let mut payload = encode_section(JSON.as_bytes());
        payload.truncate(payload.len() - 3);
        let module = module_with_section(METADATA_SECTION, &payload);
        assert!(matches!(
            ContractMetadata::from_wasm(&module),
            Err(MetadataError::Section(MetadataSectionError::Corrupt))
        ));
    }

    #[test]
    fn version_2_metadata_gets_its_selectors_and_signatures_derived() {
        let v2 = r#"{"metadata_version":2,"name":"m","constructors":[{"name":"new","args":[],"returns":"unit","mutates":true}],"messages":[{"name":"flip","args":[],"returns":"unit","mutates":true}],"events":[{"name":"Flipped","fields":[{"name":"by","ty":"address"}]}],"types":{"E":{"kind":"enum","variants":[{"name":"A"},{"name":"B","index":7}]}}}"#;
        let m = ContractMetadata::from_json(v2.as_bytes()).unwrap();
        assert_eq!(m.constructors[0].selector, hex_string(&selector("new")));
        assert_eq!(m.messages[0].selector, hex_string(&selector("flip")));
        assert_eq!(
            m.events[0].signature,
            hex_string(&event_signature("Flipped"))
        );
        assert!(!m.events[0].fields[0].topic);
        let TypeDef::Enum { variants, .. } = &m.types["E"] else {
            panic!("E is an enum")
        };
        assert_eq!((variants[0].index, variants[1].index), (0, 7));
        assert!(variants[0].fields.is_empty());
        // Written as version 2: the positional index left out, the other kept.
        let written = serde_json::to_value(&m.types["E"]).unwrap();
        assert_eq!(written["variants"][0].get("index"), None);
        assert_eq!(written["variants"][1]["index"], 7);
        // Written back, the derived parts stay in (a reader of version 1 needs them).
        let again = ContractMetadata::from_json(&serde_json::to_vec(&m).unwrap()).unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn version_1_metadata_is_read_and_later_versions_are_refused() {
        let v1 = r#"{"metadata_version":1,"name":"m","constructors":[],"messages":[{"name":"flip","selector":"0x01020304","args":[],"returns":"unit","mutates":true}],"events":[],"types":{}}"#;
        let m = ContractMetadata::from_json(v1.as_bytes()).unwrap();
        assert_eq!(m.messages[0].selector, "0x01020304");
        let v3 = JSON.replace("\"metadata_version\":1", "\"metadata_version\":3");
        assert!(matches!(
            ContractMetadata::from_json(v3.as_bytes()),
            Err(MetadataError::Version { found: 3 })
        ));
    }

    #[test]
    fn selectors_are_blake2b_prefixes() {
        assert_eq!(selector("flip"), blake2b_256(b"flip")[..4]);
    }
}
