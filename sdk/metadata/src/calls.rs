//! Calls and results against a contract's metadata: encoding a call's JSON arguments, decoding
//! its return value, revert data and events (the codec driven by a [`ContractMetadata`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::codec::{CodecError, Resolver, Types, short};
use crate::hex_string;
use crate::spec::{ContractMetadata, EventSpec, METADATA_VERSION, Message, Ty};

impl ContractMetadata {
    /// The message called `name`.
    ///
    /// # Errors
    /// [`CodecError::UnknownMessage`], listing the messages there are.
    pub fn message(&self, name: &str) -> Result<&Message, CodecError> {
        find(&self.messages, name, "message")
    }

    /// The constructor called `name`.
    ///
    /// # Errors
    /// [`CodecError::UnknownMessage`], listing the constructors there are.
    pub fn constructor(&self, name: &str) -> Result<&Message, CodecError> {
        find(&self.constructors, name, "constructor")
    }

    /// Encodes a call of `message` (a constructor or a message of this contract) with JSON
    /// arguments: selector followed by the arguments' SCALE encoding. `args` is an object keyed
    /// by argument name, an array in argument order, or `null` when there are no arguments.
    ///
    /// # Errors
    /// [`CodecError`] naming the argument, the expected type and what was found.
    pub fn encode_call(
        &self,
        message: &Message,
        args: &Value,
        resolver: &dyn Resolver,
    ) -> Result<Vec<u8>, CodecError> {
        let mut out = hex::decode(message.selector.trim_start_matches("0x"))
            .map_err(|_| CodecError::InvalidMetadata("selector is not hex".into()))?;
        let types = Types::new(&self.types, resolver);
        let given: Vec<(&str, &Value)> = match args {
            Value::Null => Vec::new(),
            Value::Array(items) => {
                if items.len() != message.args.len() {
                    return Err(CodecError::ArgumentCount {
                        message: message.name.clone(),
                        expected: message.args.iter().map(|a| a.name.clone()).collect(),
                        found: items.len(),
                    });
                }
                message
                    .args
                    .iter()
                    .map(|a| a.name.as_str())
                    .zip(items.iter())
                    .collect()
            }
            Value::Object(map) => {
                if let Some(extra) = map
                    .keys()
                    .find(|k| !message.args.iter().any(|a| &a.name == *k))
                {
                    return Err(CodecError::UnknownField {
                        path: message.name.clone(),
                        field: extra.clone(),
                        expected: message.args.iter().map(|a| a.name.clone()).collect(),
                    });
                }
                let mut given = Vec::new();
                for arg in &message.args {
                    let v = map.get(&arg.name).ok_or_else(|| CodecError::MissingField {
                        path: message.name.clone(),
                        field: arg.name.clone(),
                        ty: arg.ty.describe(),
                    })?;
                    given.push((arg.name.as_str(), v));
                }
                given
            }
            other => {
                return Err(CodecError::TypeMismatch {
                    path: message.name.clone(),
                    expected: "an object of arguments by name, or an array".into(),
                    found: short(other),
                });
            }
        };
        if given.len() != message.args.len() {
            return Err(CodecError::ArgumentCount {
                message: message.name.clone(),
                expected: message.args.iter().map(|a| a.name.clone()).collect(),
                found: given.len(),
            });
        }
        for (arg, (name, value)) in message.args.iter().zip(given) {
            types.encode(&arg.ty, value, name, &mut out)?;
        }
        Ok(out)
    }

    /// Encodes a JSON value as `ty` (for example an expected return value, to compare bytes).
    ///
    /// # Errors
    /// [`CodecError`] if the value does not fit the type.
    pub fn encode_value(
        &self,
        ty: &Ty,
        value: &Value,
        resolver: &dyn Resolver,
    ) -> Result<Vec<u8>, CodecError> {
        let mut out = Vec::new();
        Types::new(&self.types, resolver).encode(ty, value, "value", &mut out)?;
        Ok(out)
    }

    /// Decodes SCALE bytes of type `ty` to JSON; the bytes must be consumed exactly.
    ///
    /// # Errors
    /// [`CodecError::Decode`] if they are not a value of the type.
    pub fn decode_value(&self, ty: &Ty, bytes: &[u8]) -> Result<Value, CodecError> {
        let types = Types::new(&self.types, &crate::codec::NoNames);
        let mut input = bytes;
        let v = types.decode(ty, &mut input, "value")?;
        if !input.is_empty() {
            return Err(CodecError::Decode {
                path: "value".into(),
                reason: format!("{} bytes left over", input.len()),
            });
        }
        Ok(v)
    }

    /// Every value of the contract type `name` (say `SubjectId`) within `value`, a JSON value of
    /// type `ty` as this crate decodes it, in order: how a node finds the subjects a query's
    /// arguments and answer concern.
    pub fn find_named(&self, ty: &Ty, value: &Value, name: &str) -> Vec<Value> {
        let mut out = Vec::new();
        Types::new(&self.types, &crate::codec::NoNames).find_named(ty, value, name, &mut out, 0);
        out
    }

    /// Decodes a message's return data to JSON.
    ///
    /// # Errors
    /// [`CodecError::Decode`] if the data is not of the message's return type.
    pub fn decode_return(&self, message: &Message, data: &[u8]) -> Result<Value, CodecError> {
        self.decode_value(&message.returns, data)
    }

    /// Decodes revert data written by an SDK contract to a JSON error:
    /// `{"error": name, ...}` where `name` is the contract error's variant name, or one of
    /// `UnknownSelector`, `InvalidInput`, `Panic` (with `message`), `WriteInQuery`; data that
    /// does not decode gives `{"error": "Unrecognised", "data": "0x…"}`.
    pub fn decode_revert(&self, message: Option<&Message>, data: &[u8]) -> Value {
        decode_revert_with(self, message, data)
    }

    /// Decodes an event of this contract to `{"name": …, "fields": {…}}`; `None` if its first
    /// topic is none of this contract's event signatures or its data does not decode.
    pub fn decode_event(&self, topics: &[[u8; 32]], data: &[u8]) -> Option<Value> {
        let first = hex_string(topics.first()?);
        let spec = self.events.iter().find(|e| e.signature == first)?;
        let types = Types::new(&self.types, &crate::codec::NoNames);
        let mut input = data;
        let mut fields = Map::new();
        for f in &spec.fields {
            let v = types.decode(&f.ty, &mut input, &f.name).ok()?;
            fields.insert(f.name.clone(), v);
        }
        if !input.is_empty() {
            return None;
        }
        Some(json!({"name": spec.name, "fields": fields}))
    }

    /// The event called `name`.
    pub fn event(&self, name: &str) -> Option<&EventSpec> {
        self.events.iter().find(|e| e.name == name)
    }
}

fn find<'a>(
    list: &'a [Message],
    name: &str,
    what: &'static str,
) -> Result<&'a Message, CodecError> {
    list.iter()
        .find(|m| m.name == name)
        .ok_or_else(|| CodecError::UnknownMessage {
            what,
            name: name.into(),
            available: list.iter().map(|m| m.name.clone()).collect(),
        })
}

fn decode_revert_with(meta: &ContractMetadata, message: Option<&Message>, data: &[u8]) -> Value {
    use carechain_abi::revert;
    let unrecognised = || json!({"error": "Unrecognised", "data": hex_string(data)});
    let Some((&tag, rest)) = data.split_first() else {
        return json!({"error": "Reverted"});
    };
    match tag {
        revert::CONTRACT_ERROR => {
            // The message's own error type first; else any error type the contract declares.
            let candidates: Vec<&Ty> = message
                .and_then(|m| m.error.as_ref())
                .into_iter()
                .chain(
                    meta.messages
                        .iter()
                        .chain(meta.constructors.iter())
                        .filter_map(|m| m.error.as_ref()),
                )
                .collect();
            for ty in candidates {
                if let Ok(value) = meta.decode_value(ty, rest) {
                    return error_json(value);
                }
            }
            unrecognised()
        }
        revert::UNKNOWN_SELECTOR => {
            json!({"error": "UnknownSelector", "selector": hex_string(rest)})
        }
        revert::INVALID_INPUT if rest.is_empty() => json!({"error": "InvalidInput"}),
        revert::WRITE_IN_QUERY if rest.is_empty() => json!({"error": "WriteInQuery"}),
        revert::PANIC => {
            let types = Types::new(&meta.types, &crate::codec::NoNames);
            let mut input = rest;
            match types.decode(&Ty::String, &mut input, "message") {
                Ok(Value::String(m)) if input.is_empty() => json!({"error": "Panic", "message": m}),
                _ => unrecognised(),
            }
        }
        _ => unrecognised(),
    }
}

/// `"NotFound"` -> `{"error": "NotFound"}`; `{"Expired": {...}}` -> `{"error": "Expired",
/// "fields": {...}}`; anything else (an error that is not an enum) -> `{"error": value}`.
fn error_json(value: Value) -> Value {
    match value {
        Value::String(name) => json!({ "error": name }),
        Value::Object(map) if map.len() == 1 => {
            let (name, fields) = map.into_iter().next().expect("one entry");
            json!({"error": name, "fields": fields})
        }
        other => json!({ "error": other }),
    }
}

/// A metadata-free decoding of revert data, for contracts whose metadata is unknown.
pub fn decode_revert_without_metadata(data: &[u8]) -> Value {
    let empty = ContractMetadata {
        metadata_version: METADATA_VERSION,
        name: String::new(),
        docs: String::new(),
        constructors: Vec::new(),
        messages: Vec::new(),
        events: Vec::new(),
        types: BTreeMap::new(),
    };
    decode_revert_with(&empty, None, data)
}
