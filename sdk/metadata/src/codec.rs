//! JSON <-> SCALE for the types metadata describes.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use crate::spec::{Field, Ty, TypeDef};

mod encode;
use encode::{enc_signed, enc_unsigned};

/// Errors encoding JSON to SCALE or decoding SCALE to JSON. Each names where (`path`, e.g.
/// `consent.provisions[0].purpose`) and what was expected, so a person can fix the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// No constructor or message has this name.
    #[error("unknown {what} `{name}`; this contract has: {}", available.join(", "))]
    UnknownMessage {
        /// `"message"` or `"constructor"`.
        what: &'static str,
        /// The name asked for.
        name: String,
        /// The names there are.
        available: Vec<String>,
    },
    /// Wrong number of positional arguments.
    #[error("`{message}` takes {} argument(s) ({}), {found} given", expected.len(), expected.join(", "))]
    ArgumentCount {
        /// The message.
        message: String,
        /// Its argument names.
        expected: Vec<String>,
        /// How many were given.
        found: usize,
    },
    /// The JSON value has the wrong shape for the type.
    #[error("{path}: expected {expected}, found {found}")]
    TypeMismatch {
        /// Where.
        path: String,
        /// The expected type.
        expected: String,
        /// What was there.
        found: String,
    },
    /// A number does not fit the integer type.
    #[error("{path}: {value} is out of range for {ty}")]
    OutOfRange {
        /// Where.
        path: String,
        /// The value given.
        value: String,
        /// The integer type.
        ty: String,
    },
    /// An object has a field the type does not.
    #[error("{path}: unknown field `{field}`; expected one of: {}", expected.join(", "))]
    UnknownField {
        /// Where.
        path: String,
        /// The unexpected field.
        field: String,
        /// The fields there are.
        expected: Vec<String>,
    },
    /// An object lacks a field of the type.
    #[error("{path}: missing field `{field}` of type {ty}")]
    MissingField {
        /// Where.
        path: String,
        /// The missing field.
        field: String,
        /// Its type.
        ty: String,
    },
    /// An enum has no variant of this name.
    #[error("{path}: unknown variant `{variant}` of {ty}; expected one of: {}", expected.join(", "))]
    UnknownVariant {
        /// Where.
        path: String,
        /// The enum type.
        ty: String,
        /// The name given.
        variant: String,
        /// The variants there are.
        expected: Vec<String>,
    },
    /// A name given for an address is not known.
    #[error("{path}: `{name}` is neither 0x-prefixed 64-digit hex nor a known account or contract")]
    UnknownAddress {
        /// Where.
        path: String,
        /// The name given.
        name: String,
    },
    /// The bytes are not a value of the type.
    #[error("{path}: cannot decode: {reason}")]
    Decode {
        /// Where.
        path: String,
        /// Why.
        reason: String,
    },
    /// The metadata refers to a type it does not define, or is otherwise inconsistent.
    #[error("invalid metadata: {0}")]
    InvalidMetadata(String),
}

/// Turns names into addresses while encoding JSON (`"alice"` for an account, `"consent"` for a
/// deployed contract), so that scenarios and the CLI need not spell out hex.
pub trait Resolver {
    /// The address called `name`, if there is one.
    fn address(&self, name: &str) -> Option<[u8; 32]>;
}

/// A resolver that knows no names.
pub(crate) struct NoNames;

impl Resolver for NoNames {
    fn address(&self, _: &str) -> Option<[u8; 32]> {
        None
    }
}

impl<F: Fn(&str) -> Option<[u8; 32]>> Resolver for F {
    fn address(&self, name: &str) -> Option<[u8; 32]> {
        self(name)
    }
}

/// Nested types deeper than this are refused (metadata from a module is outside input).
const MAX_DEPTH: usize = 64;

pub(crate) struct Types<'a> {
    defs: &'a BTreeMap<String, TypeDef>,
    resolver: &'a dyn Resolver,
    /// Decoding steps left: metadata comes from a module, so a hostile description (zero-sized
    /// types repeated by nesting or in huge arrays) must not make a decode run away.
    steps: std::cell::Cell<u64>,
}

/// Decoding steps allowed per input byte, plus a fixed allowance for zero-sized values.
const STEPS_PER_BYTE: u64 = 16;
const STEPS_BASE: u64 = 4096;

fn mismatch(path: &str, ty: &Ty, found: &Value) -> CodecError {
    CodecError::TypeMismatch {
        path: path.into(),
        expected: ty.describe(),
        found: short(found),
    }
}

fn decode_err(path: &str, reason: impl Into<String>) -> CodecError {
    CodecError::Decode {
        path: path.into(),
        reason: reason.into(),
    }
}

/// SCALE compact encoding of a length.
pub(crate) fn encode_compact(n: u64, out: &mut Vec<u8>) {
    if n < 1 << 6 {
        out.push((n as u8) << 2);
    } else if n < 1 << 14 {
        out.extend_from_slice(&(((n as u16) << 2) | 1).to_le_bytes());
    } else if n < 1 << 30 {
        out.extend_from_slice(&(((n as u32) << 2) | 2).to_le_bytes());
    } else {
        let bytes = n.to_le_bytes();
        let len = 8 - (n.leading_zeros() / 8) as usize;
        out.push((((len - 4) as u8) << 2) | 3);
        out.extend_from_slice(&bytes[..len]);
    }
}

fn take<'b>(input: &mut &'b [u8], n: usize, path: &str) -> Result<&'b [u8], CodecError> {
    if input.len() < n {
        return Err(decode_err(path, "input too short"));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

/// A SCALE compact integer, refusing non-canonical (longer than necessary) encodings as
/// parity-scale-codec does, so one value has one encoding.
fn decode_compact(input: &mut &[u8], path: &str) -> Result<u64, CodecError> {
    let first = take(input, 1, path)?[0];
    let non_canonical = || decode_err(path, "compact integer not in its shortest form");
    Ok(match first & 3 {
        0 => u64::from(first >> 2),
        1 => {
            let b = take(input, 1, path)?[0];
            let n = u64::from(u16::from_le_bytes([first, b]) >> 2);
            if n < 1 << 6 {
                return Err(non_canonical());
            }
            n
        }
        2 => {
            let b = take(input, 3, path)?;
            let n = u64::from(u32::from_le_bytes([first, b[0], b[1], b[2]]) >> 2);
            if n < 1 << 14 {
                return Err(non_canonical());
            }
            n
        }
        _ => {
            let len = usize::from(first >> 2) + 4;
            if len > 8 {
                return Err(decode_err(path, "compact length above 64 bits"));
            }
            let b = take(input, len, path)?;
            let mut buf = [0u8; 8];
            buf[..len].copy_from_slice(b);
            let n = u64::from_le_bytes(buf);
            if n < 1 << 30 || b[len - 1] == 0 {
                return Err(non_canonical());
            }
            n
        }
    })
}

fn parse_hex(s: &str, path: &str, ty: &Ty, found: &Value) -> Result<Vec<u8>, CodecError> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| mismatch(path, ty, found))?;
    hex::decode(digits).map_err(|_| mismatch(path, ty, found))
}

impl<'a> Types<'a> {
    pub(crate) fn new(defs: &'a BTreeMap<String, TypeDef>, resolver: &'a dyn Resolver) -> Self {
        Types {
            defs,
            resolver,
            steps: std::cell::Cell::new(u64::MAX),
        }
    }

    /// True if the JSON of a value of `ty` can be `null` (so `Option<ty>` must spell `Some`).
    fn nullable(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Unit | Ty::Option(_) => true,
            Ty::Tuple(items) => items.is_empty(),
            Ty::Named(name) => matches!(
                self.defs.get(name),
                Some(TypeDef::Struct { fields, .. }) if fields.is_empty()
            ),
            _ => false,
        }
    }

    /// Pushes onto `out` every value of the named type `name` within `v`, a JSON value of `ty`
    /// as [`Types::decode`] spells it. Parts of `v` that do not have the shape `ty` gives are
    /// skipped (nothing of them is reported).
    pub(crate) fn find_named(
        &self,
        ty: &Ty,
        v: &Value,
        name: &str,
        out: &mut Vec<Value>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let d = depth + 1;
        match (ty, v) {
            (Ty::Named(n), _) if n == name => out.push(v.clone()),
            (Ty::Vec(inner), Value::Array(items)) => {
                for item in items {
                    self.find_named(inner, item, name, out, d);
                }
            }
            (Ty::Array(inner, _), Value::Array(items)) => {
                for item in items {
                    self.find_named(inner, item, name, out, d);
                }
            }
            (Ty::Option(_), Value::Null) => {}
            (Ty::Option(inner), _) => {
                let inner_v = match v {
                    Value::Object(m) if self.nullable(inner) => {
                        m.get("some").unwrap_or(&Value::Null)
                    }
                    _ => v,
                };
                self.find_named(inner, inner_v, name, out, d);
            }
            (Ty::Result(ok, err), Value::Object(m)) => {
                if let Some(x) = m.get("ok") {
                    self.find_named(ok, x, name, out, d);
                }
                if let Some(x) = m.get("err") {
                    self.find_named(err, x, name, out, d);
                }
            }
            (Ty::Tuple(items), Value::Array(vals)) => {
                for (t, x) in items.iter().zip(vals) {
                    self.find_named(t, x, name, out, d);
                }
            }
            (Ty::Named(n), _) => match self.defs.get(n) {
                Some(TypeDef::Struct { fields, .. }) => {
                    self.find_in_fields(fields, v, name, out, d)
                }
                Some(TypeDef::Enum { variants, .. }) => {
                    if let Value::Object(m) = v {
                        for variant in variants {
                            if let Some(x) = m.get(&variant.name) {
                                self.find_in_fields(&variant.fields, x, name, out, d);
                            }
                        }
                    }
                }
                None => {}
            },
            _ => {}
        }
    }

    fn find_in_fields(
        &self,
        fields: &[Field],
        v: &Value,
        name: &str,
        out: &mut Vec<Value>,
        d: usize,
    ) {
        let named = fields.iter().all(|f| f.name.is_some());
        match (fields.len(), named, v) {
            (0, _, _) => {}
            (_, true, Value::Object(m)) => {
                for f in fields {
                    if let Some(x) = f.name.as_ref().and_then(|n| m.get(n)) {
                        self.find_named(&f.ty, x, name, out, d);
                    }
                }
            }
            (1, false, _) => self.find_named(&fields[0].ty, v, name, out, d),
            (_, false, Value::Array(vals)) => {
                for (f, x) in fields.iter().zip(vals) {
                    self.find_named(&f.ty, x, name, out, d);
                }
            }
            _ => {}
        }
    }

    fn def(&self, name: &str) -> Result<&'a TypeDef, CodecError> {
        self.defs
            .get(name)
            .ok_or_else(|| CodecError::InvalidMetadata(format!("type `{name}` is not defined")))
    }

    pub(crate) fn encode(
        &self,
        ty: &Ty,
        v: &Value,
        path: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        self.enc(ty, v, path, out, 0)
    }

    fn enc(
        &self,
        ty: &Ty,
        v: &Value,
        path: &str,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Result<(), CodecError> {
        if depth > MAX_DEPTH {
            return Err(CodecError::InvalidMetadata("types nest too deeply".into()));
        }
        let d = depth + 1;
        match ty {
            Ty::Unit => match v {
                Value::Null => Ok(()),
                _ => Err(mismatch(path, ty, v)),
            },
            Ty::Bool => match v {
                Value::Bool(b) => {
                    out.push(u8::from(*b));
                    Ok(())
                }
                _ => Err(mismatch(path, ty, v)),
            },
            Ty::U8 | Ty::U16 | Ty::U32 | Ty::U64 | Ty::U128 => enc_unsigned(ty, v, path, out),
            Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64 | Ty::I128 => enc_signed(ty, v, path, out),
            Ty::String => match v {
                Value::String(s) => {
                    encode_compact(s.len() as u64, out);
                    out.extend_from_slice(s.as_bytes());
                    Ok(())
                }
                _ => Err(mismatch(path, ty, v)),
            },
            Ty::Bytes => match v {
                Value::String(s) => {
                    let bytes = parse_hex(s, path, ty, v)?;
                    encode_compact(bytes.len() as u64, out);
                    out.extend_from_slice(&bytes);
                    Ok(())
                }
                _ => Err(mismatch(path, ty, v)),
            },
            Ty::Address | Ty::Hash => self.enc_address(ty, v, path, out),
            Ty::Vec(inner) => match v {
                Value::Array(items) => {
                    encode_compact(items.len() as u64, out);
                    for (i, item) in items.iter().enumerate() {
                        self.enc(inner, item, &format!("{path}[{i}]"), out, d)?;
                    }
                    Ok(())
                }
                _ => Err(mismatch(path, ty, v)),
            },
            Ty::Option(inner) => self.enc_option(ty, inner, v, path, out, d),
            Ty::Result(ok, err) => self.enc_result(ty, ok, err, v, path, out, d),
            Ty::Tuple(items) => {
                if items.is_empty() {
                    return self.enc(&Ty::Unit, v, path, out, d);
                }
                match v {
                    Value::Array(vals) if vals.len() == items.len() => {
                        for (i, (t, x)) in items.iter().zip(vals).enumerate() {
                            self.enc(t, x, &format!("{path}[{i}]"), out, d)?;
                        }
                        Ok(())
                    }
                    _ => Err(mismatch(path, ty, v)),
                }
            }
            Ty::Array(inner, n) => {
                if **inner == Ty::U8
                    && let Value::String(s) = v
                {
                    let bytes = parse_hex(s, path, ty, v)?;
                    if bytes.len() != *n as usize {
                        return Err(mismatch(path, ty, v));
                    }
                    out.extend_from_slice(&bytes);
                    return Ok(());
                }
                match v {
                    Value::Array(vals) if vals.len() == *n as usize => {
                        for (i, x) in vals.iter().enumerate() {
                            self.enc(inner, x, &format!("{path}[{i}]"), out, d)?;
                        }
                        Ok(())
                    }
                    _ => Err(mismatch(path, ty, v)),
                }
            }
            Ty::Named(name) => match self.def(name)? {
                TypeDef::Struct { fields, .. } => self.enc_fields(name, fields, v, path, out, d),
                TypeDef::Enum { variants, .. } => self.enc_enum(name, variants, v, path, out, d),
            },
        }
    }

    fn enc_fields(
        &self,
        owner: &str,
        fields: &[Field],
        v: &Value,
        path: &str,
        out: &mut Vec<u8>,
        d: usize,
    ) -> Result<(), CodecError> {
        let named = fields.iter().all(|f| f.name.is_some());
        match (fields.len(), named) {
            (0, _) => match v {
                Value::Null => Ok(()),
                Value::Object(o) if o.is_empty() => Ok(()),
                _ => Err(CodecError::TypeMismatch {
                    path: path.into(),
                    expected: format!("{owner} (no fields: null)"),
                    found: short(v),
                }),
            },
            (_, true) => {
                let Value::Object(map) = v else {
                    return Err(CodecError::TypeMismatch {
                        path: path.into(),
                        expected: format!("an object ({owner})"),
                        found: short(v),
                    });
                };
                let names: Vec<String> = fields.iter().filter_map(|f| f.name.clone()).collect();
                if let Some(extra) = map.keys().find(|k| !names.contains(k)) {
                    return Err(CodecError::UnknownField {
                        path: path.into(),
                        field: extra.clone(),
                        expected: names,
                    });
                }
                for f in fields {
                    let fname = f.name.as_deref().unwrap_or_default();
                    let x = map.get(fname).ok_or_else(|| CodecError::MissingField {
                        path: path.into(),
                        field: fname.into(),
                        ty: f.ty.describe(),
                    })?;
                    self.enc(&f.ty, x, &format!("{path}.{fname}"), out, d)?;
                }
                Ok(())
            }
            (1, false) => self.enc(&fields[0].ty, v, path, out, d),
            (n, false) => match v {
                Value::Array(vals) if vals.len() == n => {
                    for (i, (f, x)) in fields.iter().zip(vals).enumerate() {
                        self.enc(&f.ty, x, &format!("{path}[{i}]"), out, d)?;
                    }
                    Ok(())
                }
                _ => Err(CodecError::TypeMismatch {
                    path: path.into(),
                    expected: format!("an array of {n} values ({owner})"),
                    found: short(v),
                }),
            },
        }
    }

    pub(crate) fn decode(
        &self,
        ty: &Ty,
        input: &mut &[u8],
        path: &str,
    ) -> Result<Value, CodecError> {
        let budget = (input.len() as u64)
            .saturating_mul(STEPS_PER_BYTE)
            .saturating_add(STEPS_BASE);
        self.steps.set(budget);
        self.dec(ty, input, path, 0)
    }

    fn dec(
        &self,
        ty: &Ty,
        input: &mut &[u8],
        path: &str,
        depth: usize,
    ) -> Result<Value, CodecError> {
        if depth > MAX_DEPTH {
            return Err(CodecError::InvalidMetadata("types nest too deeply".into()));
        }
        let Some(left) = self.steps.get().checked_sub(1) else {
            return Err(CodecError::InvalidMetadata(
                "decoding takes far more steps than the input has bytes".into(),
            ));
        };
        self.steps.set(left);
        let d = depth + 1;
        Ok(match ty {
            Ty::Unit => Value::Null,
            Ty::Bool => match take(input, 1, path)?[0] {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                b => return Err(decode_err(path, format!("{b} is not a bool"))),
            },
            Ty::U8 | Ty::U16 | Ty::U32 | Ty::U64 | Ty::U128 => {
                let width = int_width(ty);
                let mut buf = [0u8; 16];
                buf[..width].copy_from_slice(take(input, width, path)?);
                let n = u128::from_le_bytes(buf);
                match u64::try_from(n) {
                    Ok(small) => Value::Number(Number::from(small)),
                    Err(_) => Value::String(n.to_string()),
                }
            }
            Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64 | Ty::I128 => {
                let width = int_width(ty);
                let bytes = take(input, width, path)?;
                let fill = if bytes[width - 1] & 0x80 != 0 {
                    0xff
                } else {
                    0
                };
                let mut buf = [fill; 16];
                buf[..width].copy_from_slice(bytes);
                let n = i128::from_le_bytes(buf);
                match i64::try_from(n) {
                    Ok(small) => Value::Number(Number::from(small)),
                    Err(_) => Value::String(n.to_string()),
                }
            }
            Ty::String => {
                let len = self.len(input, path)?;
                let bytes = take(input, len, path)?;
                Value::String(
                    String::from_utf8(bytes.to_vec()).map_err(|_| decode_err(path, "not UTF-8"))?,
                )
            }
            Ty::Bytes => {
                let len = self.len(input, path)?;
                Value::String(crate::hex_string(take(input, len, path)?))
            }
            Ty::Address | Ty::Hash => Value::String(crate::hex_string(take(input, 32, path)?)),
            Ty::Vec(inner) => {
                let len = self.len(input, path)?;
                let mut items = Vec::new();
                for i in 0..len {
                    items.push(self.dec(inner, input, &format!("{path}[{i}]"), d)?);
                }
                Value::Array(items)
            }
            Ty::Option(inner) => match take(input, 1, path)?[0] {
                0 => Value::Null,
                1 if self.nullable(inner) => {
                    let mut m = Map::new();
                    m.insert("some".into(), self.dec(inner, input, path, d)?);
                    Value::Object(m)
                }
                1 => self.dec(inner, input, path, d)?,
                tag => return Err(decode_err(path, format!("{tag} is not an Option tag"))),
            },
            Ty::Result(ok, err) => {
                let mut m = Map::new();
                match take(input, 1, path)?[0] {
                    0 => m.insert("ok".into(), self.dec(ok, input, &format!("{path}.ok"), d)?),
                    1 => m.insert(
                        "err".into(),
                        self.dec(err, input, &format!("{path}.err"), d)?,
                    ),
                    b => return Err(decode_err(path, format!("{b} is not a Result tag"))),
                };
                Value::Object(m)
            }
            Ty::Tuple(items) => {
                if items.is_empty() {
                    return Ok(Value::Null);
                }
                let mut vals = Vec::new();
                for (i, t) in items.iter().enumerate() {
                    vals.push(self.dec(t, input, &format!("{path}[{i}]"), d)?);
                }
                Value::Array(vals)
            }
            Ty::Array(inner, n) => {
                if **inner == Ty::U8 {
                    Value::String(crate::hex_string(take(input, *n as usize, path)?))
                } else {
                    let mut vals = Vec::new();
                    for i in 0..*n {
                        vals.push(self.dec(inner, input, &format!("{path}[{i}]"), d)?);
                    }
                    Value::Array(vals)
                }
            }
            Ty::Named(name) => match self.def(name)? {
                TypeDef::Struct { fields, .. } => self.dec_fields(fields, input, path, d)?,
                TypeDef::Enum { variants, .. } => {
                    let index = take(input, 1, path)?[0];
                    let variant = variants.iter().find(|x| x.index == index).ok_or_else(|| {
                        decode_err(path, format!("{index} is not a variant index of {name}"))
                    })?;
                    if variant.fields.is_empty() {
                        Value::String(variant.name.clone())
                    } else {
                        let sub = format!("{path}.{}", variant.name);
                        let inner = self.dec_fields(&variant.fields, input, &sub, d)?;
                        let mut m = Map::new();
                        m.insert(variant.name.clone(), inner);
                        Value::Object(m)
                    }
                }
            },
        })
    }

    fn dec_fields(
        &self,
        fields: &[Field],
        input: &mut &[u8],
        path: &str,
        d: usize,
    ) -> Result<Value, CodecError> {
        let named = fields.iter().all(|f| f.name.is_some());
        Ok(match (fields.len(), named) {
            (0, _) => Value::Null,
            (_, true) => {
                let mut m = Map::new();
                for f in fields {
                    let fname = f.name.clone().unwrap_or_default();
                    let v = self.dec(&f.ty, input, &format!("{path}.{fname}"), d)?;
                    m.insert(fname, v);
                }
                Value::Object(m)
            }
            (1, false) => self.dec(&fields[0].ty, input, path, d)?,
            (_, false) => {
                let mut vals = Vec::new();
                for (i, f) in fields.iter().enumerate() {
                    vals.push(self.dec(&f.ty, input, &format!("{path}[{i}]"), d)?);
                }
                Value::Array(vals)
            }
        })
    }

    /// A length prefix, bounded by the bytes left (each element takes at least one byte, except
    /// zero-sized ones, which metadata cannot describe in a `Vec` usefully).
    fn len(&self, input: &mut &[u8], path: &str) -> Result<usize, CodecError> {
        let n = decode_compact(input, path)?;
        let n = usize::try_from(n).map_err(|_| decode_err(path, "length too large"))?;
        if n > input.len() {
            return Err(decode_err(
                path,
                format!("length {n} exceeds the {} bytes left", input.len()),
            ));
        }
        Ok(n)
    }
}

fn int_width(ty: &Ty) -> usize {
    match ty {
        Ty::U8 | Ty::I8 => 1,
        Ty::U16 | Ty::I16 => 2,
        Ty::U32 | Ty::I32 => 4,
        Ty::U64 | Ty::I64 => 8,
        _ => 16,
    }
}

fn unsigned(v: &Value, path: &str, ty: &Ty) -> Result<u128, CodecError> {
    let parsed = match v {
        Value::Number(n) => n.as_u64().map(u128::from),
        Value::String(s) => s.parse::<u128>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| match v {
        Value::Number(_) => CodecError::OutOfRange {
            path: path.into(),
            value: v.to_string(),
            ty: ty.describe(),
        },
        _ => mismatch(path, ty, v),
    })
}

fn signed(v: &Value, path: &str, ty: &Ty) -> Result<i128, CodecError> {
    let parsed = match v {
        Value::Number(n) => n.as_i64().map(i128::from),
        Value::String(s) => s.parse::<i128>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| match v {
        Value::Number(_) => CodecError::OutOfRange {
            path: path.into(),
            value: v.to_string(),
            ty: ty.describe(),
        },
        _ => mismatch(path, ty, v),
    })
}

/// A value as JSON, cut to 40 characters for an error message.
pub(crate) fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(40).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}
