//! The JSON encoder's per-type pieces: integers, addresses, options, results and enums.

use serde_json::Value;

use super::{CodecError, Types, int_width, mismatch, short, signed, unsigned};
use crate::spec::{Ty, Variant};

impl Types<'_> {
    /// An address (a name the resolver knows, or `0x` and 64 hex digits) or a hash (hex only).
    pub(super) fn enc_address(
        &self,
        ty: &Ty,
        v: &Value,
        path: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        match v {
            Value::String(s) => {
                if let Some(digits) = s.strip_prefix("0x") {
                    let bytes = hex::decode(digits).map_err(|_| mismatch(path, ty, v))?;
                    if bytes.len() != 32 {
                        return Err(mismatch(path, ty, v));
                    }
                    out.extend_from_slice(&bytes);
                    return Ok(());
                }
                if *ty == Ty::Address {
                    let addr =
                        self.resolver
                            .address(s)
                            .ok_or_else(|| CodecError::UnknownAddress {
                                path: path.into(),
                                name: s.clone(),
                            })?;
                    out.extend_from_slice(&addr);
                    return Ok(());
                }
                Err(mismatch(path, ty, v))
            }
            _ => Err(mismatch(path, ty, v)),
        }
    }

    /// `null` for `None`; `Some` as the value itself, or `{"some": value}` where the value's own
    /// JSON can be `null`.
    pub(super) fn enc_option(
        &self,
        ty: &Ty,
        inner: &Ty,
        v: &Value,
        path: &str,
        out: &mut Vec<u8>,
        d: usize,
    ) -> Result<(), CodecError> {
        if self.nullable(inner) {
            // The value's own JSON can be null: Some is spelled {"some": value}.
            return match v {
                Value::Null => {
                    out.push(0);
                    Ok(())
                }
                Value::Object(o) if o.len() == 1 && o.contains_key("some") => {
                    out.push(1);
                    self.enc(inner, &o["some"], path, out, d)
                }
                _ => Err(CodecError::TypeMismatch {
                    path: path.into(),
                    expected: format!("null or {{\"some\": …}} ({})", ty.describe()),
                    found: short(v),
                }),
            };
        }
        match v {
            Value::Null => {
                out.push(0);
                Ok(())
            }
            _ => {
                out.push(1);
                self.enc(inner, v, path, out, d)
            }
        }
    }

    /// `{"ok": value}` or `{"err": value}`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn enc_result(
        &self,
        ty: &Ty,
        ok: &Ty,
        err: &Ty,
        v: &Value,
        path: &str,
        out: &mut Vec<u8>,
        d: usize,
    ) -> Result<(), CodecError> {
        let obj = v.as_object().filter(|o| o.len() == 1);
        match obj.and_then(|o| o.iter().next()) {
            Some((k, inner)) if k == "ok" => {
                out.push(0);
                self.enc(ok, inner, &format!("{path}.ok"), out, d)
            }
            Some((k, inner)) if k == "err" => {
                out.push(1);
                self.enc(err, inner, &format!("{path}.err"), out, d)
            }
            _ => Err(CodecError::TypeMismatch {
                path: path.into(),
                expected: format!("{{\"ok\": …}} or {{\"err\": …}} ({})", ty.describe()),
                found: short(v),
            }),
        }
    }

    /// A variant by name: `"Variant"` or `{"Variant": fields}`.
    pub(super) fn enc_enum(
        &self,
        name: &str,
        variants: &[Variant],
        v: &Value,
        path: &str,
        out: &mut Vec<u8>,
        d: usize,
    ) -> Result<(), CodecError> {
        let (variant_name, inner) = match v {
            Value::String(s) => (s.as_str(), None),
            Value::Object(o) if o.len() == 1 => {
                let (k, x) = o.iter().next().expect("one entry");
                (k.as_str(), Some(x))
            }
            _ => {
                return Err(CodecError::TypeMismatch {
                    path: path.into(),
                    expected: format!(
                        "a variant of {name}: \"Variant\" or {{\"Variant\": fields}}"
                    ),
                    found: short(v),
                });
            }
        };
        let variant = variants
            .iter()
            .find(|x| x.name == variant_name)
            .ok_or_else(|| CodecError::UnknownVariant {
                path: path.into(),
                ty: name.to_string(),
                variant: variant_name.into(),
                expected: variants.iter().map(|x| x.name.clone()).collect(),
            })?;
        out.push(variant.index);
        let sub = format!("{path}.{variant_name}");
        match inner {
            None => self.enc_fields(name, &variant.fields, &Value::Null, &sub, out, d),
            Some(x) => self.enc_fields(name, &variant.fields, x, &sub, out, d),
        }
    }
}

/// An unsigned integer of `ty`'s width, little-endian.
pub(super) fn enc_unsigned(
    ty: &Ty,
    v: &Value,
    path: &str,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    let n = unsigned(v, path, ty)?;
    let width = int_width(ty);
    if width < 16 && n >> (width * 8) != 0 {
        return Err(CodecError::OutOfRange {
            path: path.into(),
            value: n.to_string(),
            ty: ty.describe(),
        });
    }
    out.extend_from_slice(&n.to_le_bytes()[..width]);
    Ok(())
}

/// A signed integer of `ty`'s width, little-endian two's complement.
pub(super) fn enc_signed(
    ty: &Ty,
    v: &Value,
    path: &str,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    let n = signed(v, path, ty)?;
    let width = int_width(ty);
    if width < 16 {
        let bits = width * 8;
        let min = -(1i128 << (bits - 1));
        let max = (1i128 << (bits - 1)) - 1;
        if n < min || n > max {
            return Err(CodecError::OutOfRange {
                path: path.into(),
                value: n.to_string(),
                ty: ty.describe(),
            });
        }
    }
    out.extend_from_slice(&n.to_le_bytes()[..width]);
    Ok(())
}
