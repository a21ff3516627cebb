//! The JSON shapes of each type.

use super::*;

// ---------------------------------------------------------------------------------------------
// The JSON shapes.
// ---------------------------------------------------------------------------------------------

#[test]
fn metadata_survives_its_own_json_format() {
    let meta = metadata();
    let text = serde_json::to_vec(&meta).unwrap();
    assert_eq!(ContractMetadata::from_json(&text).unwrap(), meta);
}

#[test]
fn json_shapes_follow_the_documented_table() {
    let value = Record {
        small: 1,
        medium: 2,
        word: 3,
        long: u64::MAX,
        huge: u128::from(u64::MAX) + 1,
        tiny_signed: -1,
        short_signed: -2,
        signed: -3,
        long_signed: i64::MIN,
        huge_signed: i128::from(i64::MIN) - 1,
        flag: true,
        name: "héllo".into(),
        blob: vec![0xde, 0xad],
        hash: [0x11; 32],
        owner: [0x22; 32],
        tag: [1, 2, 3, 4],
        maybe: Some(9),
        numbers: vec![1, 2],
        pair: (5, "x".into()),
        outcome: Err("no".into()),
        shape: Shape::Rect {
            width: 3,
            height: 4,
            label: "r".into(),
        },
        indexed: Indexed::Seventh(6),
        amount: Amount(10),
        shapes: vec![Shape::Empty, Shape::Point(1, -1), Shape::Scaled(8)],
        maybe_shape: None,
        corners: [-1, 0, 1],
        coords: Coords(1, None, "c".into()),
        nothing: (),
        unit_result: Ok(()),
    };
    let meta = metadata();
    let json = meta.decode_value(&ty("Record"), &value.encode()).unwrap();
    assert_eq!(
        json,
        json!({
            "small": 1,
            "medium": 2,
            "word": 3,
            "long": u64::MAX,
            "huge": "18446744073709551616",
            "tiny_signed": -1,
            "short_signed": -2,
            "signed": -3,
            "long_signed": i64::MIN,
            "huge_signed": "-9223372036854775809",
            "flag": true,
            "name": "héllo",
            "blob": "0xdead",
            "hash": hex(&[0x11; 32]),
            "owner": hex(&[0x22; 32]),
            "tag": "0x01020304",
            "maybe": 9,
            "numbers": [1, 2],
            "pair": [5, "x"],
            "outcome": {"err": "no"},
            "shape": {"Rect": {"width": 3, "height": 4, "label": "r"}},
            "indexed": {"Seventh": 6},
            "amount": 10,
            "shapes": ["Empty", {"Point": [1, -1]}, {"Scaled": 8}],
            "maybe_shape": null,
            "corners": [-1, 0, 1],
            "coords": [1, null, "c"],
            "nothing": null,
            "unit_result": {"ok": null},
        })
    );
    assert_eq!(
        meta.encode_value(&ty("Record"), &json, &no_names).unwrap(),
        value.encode()
    );
}

#[test]
fn lenient_input_forms_encode_like_the_canonical_ones() {
    let meta = metadata();
    let enc = |t: &Ty, v: Value| meta.encode_value(t, &v, &no_names).unwrap();
    // Integers as decimal strings.
    assert_eq!(enc(&Ty::U32, json!("7")), 7u32.encode());
    assert_eq!(enc(&Ty::I64, json!("-7")), (-7i64).encode());
    // A u128 that fits 64 bits as a number.
    assert_eq!(enc(&Ty::U128, json!(5)), 5u128.encode());
    // A byte array as an array of numbers.
    assert_eq!(
        enc(&Ty::Array(boxed(Ty::U8), 4), json!([1, 2, 3, 4])),
        [1u8, 2, 3, 4].encode()
    );
    // A unit variant as an object with null or no fields.
    assert_eq!(
        enc(&ty("Shape"), json!({"Empty": null})),
        Shape::Empty.encode()
    );
    assert_eq!(
        enc(&ty("Shape"), json!({"Empty": {}})),
        Shape::Empty.encode()
    );
}

#[test]
fn malformed_json_is_a_type_mismatch_or_unknown_name() {
    let meta = metadata();
    let enc = |t: &Ty, v: Value| meta.encode_value(t, &v, &no_names);
    for (t, v) in [
        (Ty::Bool, json!(1)),
        (Ty::U8, json!("abc")),
        (Ty::String, json!(5)),
        (Ty::Bytes, json!("dead")),
        (Ty::Bytes, json!("0xabc")),
        (Ty::Hash, json!("0x1234")),
        (Ty::Hash, json!("alice")),
        (Ty::Vec(boxed(Ty::U8)), json!("0x00")),
        (Ty::Tuple(vec![Ty::U8, Ty::U8]), json!([1])),
        (Ty::Array(boxed(Ty::U8), 4), json!("0x010203")),
        (Ty::Unit, json!(0)),
        (Ty::Option(boxed(Ty::Bool)), json!(0)),
        (ty("Coords"), json!([1, null])),
        (ty("Record"), json!([])),
    ] {
        let r = enc(&t, v.clone());
        assert!(
            matches!(r, Err(CodecError::TypeMismatch { .. })),
            "{t:?} {v}: {r:?}"
        );
    }
    assert!(matches!(
        enc(
            &Ty::Result(boxed(Ty::U8), boxed(Ty::U8)),
            json!({"ok": 1, "err": 2})
        ),
        Err(CodecError::TypeMismatch { .. })
    ));
    assert!(matches!(
        enc(&ty("Shape"), json!("Circle")),
        Err(CodecError::UnknownVariant { variant, .. }) if variant == "Circle"
    ));
    assert!(matches!(
        enc(&ty("Shape"), json!({"Rect": {"width": 1, "height": 2}})),
        Err(CodecError::MissingField { field, .. }) if field == "label"
    ));
    assert!(matches!(
        enc(&ty("Shape"), json!({"Rect": {"width": 1, "height": 2, "label": "", "depth": 3}})),
        Err(CodecError::UnknownField { field, .. }) if field == "depth"
    ));
    assert!(matches!(
        enc(&ty("Undefined"), json!(null)),
        Err(CodecError::InvalidMetadata(_))
    ));
}

#[test]
fn invalid_bytes_are_rejected_like_parity_scale_codec() {
    let meta = metadata();
    let cases: Vec<(Ty, Vec<u8>, bool)> = vec![
        (Ty::Bool, vec![2], bool::decode_all(&mut &[2u8][..]).is_ok()),
        (
            Ty::Option(boxed(Ty::Bool)),
            vec![3],
            Option::<bool>::decode_all(&mut &[3u8][..]).is_ok(),
        ),
        (
            Ty::Option(boxed(Ty::U8)),
            vec![2, 0],
            Option::<u8>::decode_all(&mut &[2u8, 0][..]).is_ok(),
        ),
        (
            Ty::Result(boxed(Ty::U8), boxed(Ty::U8)),
            vec![2, 0],
            Result::<u8, u8>::decode_all(&mut &[2u8, 0][..]).is_ok(),
        ),
        (
            Ty::String,
            vec![8, 0xff, 0xfe],
            String::decode_all(&mut &[8u8, 0xff, 0xfe][..]).is_ok(),
        ),
        (
            ty("Indexed"),
            vec![1],
            Indexed::decode_all(&mut &[1u8][..]).is_ok(),
        ),
        (
            ty("Shape"),
            vec![4],
            Shape::decode_all(&mut &[4u8][..]).is_ok(),
        ),
        (
            Ty::Vec(boxed(Ty::U32)),
            vec![4, 1, 2, 3],
            Vec::<u32>::decode_all(&mut &[4u8, 1, 2, 3][..]).is_ok(),
        ),
    ];
    for (t, bytes, parity_accepts) in cases {
        assert!(!parity_accepts, "{t:?} {bytes:?}");
        let r = meta.decode_value(&t, &bytes);
        assert!(
            matches!(r, Err(CodecError::Decode { .. })),
            "{t:?} {bytes:?}: {r:?}"
        );
    }
}
