//! Compact lengths, integers and addresses.

use super::*;

// ---------------------------------------------------------------------------------------------
// Compact lengths.
// ---------------------------------------------------------------------------------------------

#[test]
fn compact_lengths_match_parity_scale_codec_at_the_mode_boundaries() {
    let meta = metadata();
    for (len, prefix) in [
        (0usize, vec![0x00u8]),
        (1, vec![0x04]),
        (63, vec![0xfc]),
        (64, vec![0x01, 0x01]),
        (16383, vec![0xfd, 0xff]),
        (16384, vec![0x02, 0x00, 0x01, 0x00]),
    ] {
        let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let encoded = bytes.encode();
        assert_eq!(encoded[..prefix.len()], prefix[..], "length {len}");
        assert_eq!(encoded.len(), prefix.len() + len);

        let json = meta.decode_value(&Ty::Bytes, &encoded).unwrap();
        assert_eq!(json, json!(hex(&bytes)), "length {len}");
        assert_eq!(
            meta.encode_value(&Ty::Bytes, &json, &no_names).unwrap(),
            encoded,
            "length {len}"
        );
        // One byte short of the announced length.
        assert!(matches!(
            meta.decode_value(&Ty::Bytes, &encoded[..encoded.len() - 1]),
            Err(CodecError::Decode { .. })
        ));

        let text = "a".repeat(len);
        assert_eq!(
            meta.encode_value(&Ty::String, &json!(text), &no_names)
                .unwrap(),
            text.encode()
        );
    }
    // A vector of non-byte elements around the first boundary.
    for len in [63u32, 64] {
        let numbers: Vec<u32> = (0..len).collect();
        let encoded = numbers.encode();
        let t = Ty::Vec(boxed(Ty::U32));
        let json = meta.decode_value(&t, &encoded).unwrap();
        assert_eq!(json.as_array().map(Vec::len), Some(len as usize));
        assert_eq!(meta.encode_value(&t, &json, &no_names).unwrap(), encoded);
    }
}

#[test]
fn compact_lengths_above_the_input_are_rejected() {
    let meta = metadata();
    let largest_four_byte = (1u32 << 30) - 1;
    let smallest_big = 1u32 << 30;
    // The prefixes, by hand, are those parity-scale-codec writes.
    let four_byte = vec![0xfe, 0xff, 0xff, 0xff];
    let big = vec![0x03, 0x00, 0x00, 0x00, 0x40];
    assert_eq!(Compact(largest_four_byte).encode(), four_byte);
    assert_eq!(Compact(smallest_big).encode(), big);
    assert_eq!(
        Compact::<u32>::decode_all(&mut &big[..]).unwrap().0,
        smallest_big
    );

    for prefix in [four_byte, big] {
        for t in [Ty::Bytes, Ty::String, Ty::Vec(boxed(Ty::U8))] {
            let mut bytes = prefix.clone();
            bytes.extend_from_slice(&[b'a'; 16]);
            let r = meta.decode_value(&t, &bytes);
            assert!(
                matches!(&r, Err(CodecError::Decode { reason, .. }) if reason.contains("exceeds")),
                "{t:?} {prefix:?}: {r:?}"
            );
        }
    }
    // A truncated prefix, and one announcing more than 64 bits.
    for bytes in [
        vec![0x01],
        vec![0x02, 0, 0],
        vec![0x03, 0, 0],
        vec![0x17; 12],
    ] {
        assert!(matches!(
            meta.decode_value(&Ty::Bytes, &bytes),
            Err(CodecError::Decode { .. })
        ));
    }
}

/// parity-scale-codec rejects a compact length not written in its shortest form; decoding must
/// too, or two byte strings decode to the same JSON and `encode_value(decode_value(b)) != b`.
#[test]
fn non_canonical_compact_lengths_are_rejected() {
    let meta = metadata();
    for bytes in [
        // 0 in the two-byte mode.
        vec![0x01, 0x00],
        // 1 in the four-byte mode, then its byte.
        vec![0x02, 0x00, 0x00, 0x00, 0xaa],
        // 1 in the big mode, then its byte.
        vec![0x03, 0x01, 0x00, 0x00, 0x00, 0xaa],
        // 1 in the big mode with five length bytes, then its byte.
        vec![0x07, 0x01, 0x00, 0x00, 0x00, 0x00, 0xaa],
    ] {
        assert!(
            Vec::<u8>::decode_all(&mut &bytes[..]).is_err(),
            "parity-scale-codec accepts {bytes:?}"
        );
        let r = meta.decode_value(&Ty::Bytes, &bytes);
        assert!(r.is_err(), "{bytes:?} decoded to {r:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Integers.
// ---------------------------------------------------------------------------------------------

#[test]
fn integers_outside_their_type_are_out_of_range() {
    let meta = metadata();
    let enc = |t: Ty, v: Value| meta.encode_value(&t, &v, &no_names);
    let out_of_range = |r: Result<Vec<u8>, CodecError>, value: &str, ty: &str| match r {
        Err(CodecError::OutOfRange {
            value: v, ty: t, ..
        }) => assert_eq!((v.as_str(), t.as_str()), (value, ty)),
        other => panic!("expected OutOfRange for {value} as {ty}, got {other:?}"),
    };
    out_of_range(enc(Ty::U8, json!(256)), "256", "u8");
    out_of_range(enc(Ty::U8, json!("256")), "256", "u8");
    out_of_range(enc(Ty::U8, json!(-1)), "-1", "u8");
    out_of_range(enc(Ty::I8, json!(-129)), "-129", "i8");
    out_of_range(enc(Ty::I8, json!(128)), "128", "i8");
    out_of_range(enc(Ty::U16, json!(65536)), "65536", "u16");
    out_of_range(
        enc(Ty::I32, json!(i64::from(i32::MIN) - 1)),
        "-2147483649",
        "i32",
    );
    out_of_range(
        enc(Ty::U32, json!(u64::from(u32::MAX) + 1)),
        "4294967296",
        "u32",
    );
    // Above u64::MAX, a JSON number is a float.
    assert!(matches!(
        enc(
            Ty::U64,
            serde_json::from_str("18446744073709551616").unwrap()
        ),
        Err(CodecError::OutOfRange { .. })
    ));
    out_of_range(
        enc(Ty::U64, json!("18446744073709551616")),
        "18446744073709551616",
        "u64",
    );

    // The limits themselves fit.
    assert_eq!(enc(Ty::U8, json!(255)).unwrap(), 255u8.encode());
    assert_eq!(enc(Ty::I8, json!(-128)).unwrap(), (-128i8).encode());
    assert_eq!(enc(Ty::I8, json!(127)).unwrap(), 127i8.encode());
    assert_eq!(enc(Ty::U64, json!(u64::MAX)).unwrap(), u64::MAX.encode());
    assert_eq!(enc(Ty::I64, json!(i64::MIN)).unwrap(), i64::MIN.encode());
}

#[test]
fn u128_above_u64_max_is_a_decimal_string_both_ways() {
    let meta = metadata();
    for n in [u128::from(u64::MAX) + 1, u128::MAX, 10u128.pow(30)] {
        let text = n.to_string();
        let bytes = meta
            .encode_value(&Ty::U128, &json!(text), &no_names)
            .unwrap();
        assert_eq!(bytes, n.encode());
        assert_eq!(meta.decode_value(&Ty::U128, &bytes).unwrap(), json!(text));
    }
    // u64::MAX still fits a JSON number.
    assert_eq!(
        meta.decode_value(&Ty::U128, &u128::from(u64::MAX).encode())
            .unwrap(),
        json!(u64::MAX)
    );
    // i128 below i64::MIN and at its limits.
    for n in [i128::from(i64::MIN) - 1, i128::MIN, i128::MAX] {
        let text = n.to_string();
        let bytes = meta
            .encode_value(&Ty::I128, &json!(text), &no_names)
            .unwrap();
        assert_eq!(bytes, n.encode());
        assert_eq!(meta.decode_value(&Ty::I128, &bytes).unwrap(), json!(text));
    }
    // One above u128::MAX is a type mismatch (it is no u128 at all).
    assert!(
        meta.encode_value(
            &Ty::U128,
            &json!("340282366920938463463374607431768211456"),
            &no_names
        )
        .is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// Addresses.
// ---------------------------------------------------------------------------------------------

#[test]
fn address_names_are_resolved_by_a_closure() {
    let meta = metadata();
    let bob = [0xbb; 32];
    let resolver = |name: &str| match name {
        "alice" => Some(ALICE),
        "bob" => Some(bob),
        _ => None,
    };
    let r: &dyn Resolver = &resolver;
    assert_eq!(
        meta.encode_value(&Ty::Address, &json!("alice"), r).unwrap(),
        ALICE.to_vec()
    );
    assert_eq!(
        meta.encode_value(&Ty::Address, &json!("bob"), &resolver)
            .unwrap(),
        bob.to_vec()
    );
    // Hex needs no resolver.
    assert_eq!(
        meta.encode_value(&Ty::Address, &json!(hex(&bob)), &no_names)
            .unwrap(),
        bob.to_vec()
    );
    // Decoding gives hex, never a name.
    assert_eq!(
        meta.decode_value(&Ty::Address, &ALICE).unwrap(),
        json!(hex(&ALICE))
    );
    // Names are resolved inside nested values too.
    let shape = json!({"NotOwner": "alice"});
    assert_eq!(
        meta.encode_value(&ty("TokenError"), &shape, &resolver)
            .unwrap(),
        TokenError::NotOwner(ALICE).encode()
    );
}

#[test]
fn unknown_address_names_are_an_error_naming_them() {
    let meta = metadata();
    let r = meta.encode_value(&Ty::Address, &json!("carol"), &|name: &str| {
        (name == "alice").then_some(ALICE)
    });
    assert_eq!(
        r,
        Err(CodecError::UnknownAddress {
            path: "value".into(),
            name: "carol".into()
        })
    );
    let text = r.unwrap_err().to_string();
    assert!(text.contains("carol"), "{text}");
    // A hash is never a name.
    assert!(matches!(
        meta.encode_value(&Ty::Hash, &json!("alice"), &alice),
        Err(CodecError::TypeMismatch { .. })
    ));
    // The path of a nested address.
    let r = meta.encode_value(&ty("TokenError"), &json!({"NotOwner": "carol"}), &alice);
    assert_eq!(
        r,
        Err(CodecError::UnknownAddress {
            path: "value.NotOwner".into(),
            name: "carol".into()
        })
    );
}
