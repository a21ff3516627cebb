//! Findings: cases found by review and by the property tests, kept as regressions.

use super::*;

// ---------------------------------------------------------------------------------------------
// Findings.
// ---------------------------------------------------------------------------------------------

/// Contracts encode with parity-scale-codec, whose `Option<bool>` is a plain `Option`: a tag
/// byte, then the bool. The one-byte form (0 None, 1 Some(true), 2 Some(false)) is only used by
/// its separate `OptionBool` type, which the SDK does not map to `Ty::Option(Ty::Bool)`.
#[test]
fn option_bool_is_encoded_like_parity_scale_codec() {
    let meta = metadata();
    let t = Ty::Option(boxed(Ty::Bool));
    assert_eq!(Some(true).encode(), vec![1, 1]);
    assert_eq!(Some(false).encode(), vec![1, 0]);
    for (value, json) in [
        (None, json!(null)),
        (Some(true), json!(true)),
        (Some(false), json!(false)),
    ] {
        assert_eq!(
            meta.encode_value(&t, &json, &no_names).unwrap(),
            value.encode(),
            "{json}"
        );
        assert_eq!(meta.decode_value(&t, &value.encode()).unwrap(), json);
    }
    // An Option<bool> argument encoded by encode_call must decode in the contract.
    let bytes = meta.encode_value(&t, &json!(false), &no_names).unwrap();
    assert_eq!(
        Option::<bool>::decode_all(&mut &bytes[..]).unwrap(),
        Some(false)
    );
}

/// `Option<T>` is `null` or the value, so when the value itself can be `null` (`Option<()>`,
/// `Option<Option<T>>`) `Some` is lost: the JSON encodes back as `None`.
#[test]
fn nested_options_keep_some_through_json() {
    let meta = metadata();
    let cases: Vec<(Ty, Vec<u8>)> = vec![
        (
            Ty::Option(boxed(Ty::Option(boxed(Ty::U64)))),
            Some(None::<u64>).encode(),
        ),
        (Ty::Option(boxed(Ty::Unit)), Some(()).encode()),
    ];
    for (t, bytes) in cases {
        let json = meta.decode_value(&t, &bytes).unwrap();
        assert_eq!(
            meta.encode_value(&t, &json, &no_names).unwrap(),
            bytes,
            "{t:?} decoded to {json}"
        );
    }
}

/// Metadata comes from a wasm module, so it is outside input: `MAX_DEPTH` bounds how deeply types
/// nest, but not how much work a decode does. Types that take no bytes (here `()`) can be
/// repeated without consuming input, so each level of a chain of two-field structs doubles the
/// work and the output: 18 levels turn 0 bytes into a JSON value of 2^19 nulls, 40 levels (still a
/// tiny document, well under `MAX_DEPTH`) make `decode_value` run for ever. `[(); 4294967295]`
/// likewise makes it allocate billions of values. (Kept small here so the test is cheap to run.)
#[test]
fn decoding_with_hostile_metadata_is_bounded() {
    const LEVELS: usize = 18;
    let mut meta = metadata();
    meta.types.insert(
        "T0".into(),
        strukt(vec![named("a", Ty::Unit), named("b", Ty::Unit)]),
    );
    for level in 1..=LEVELS {
        let below = ty(&format!("T{}", level - 1));
        meta.types.insert(
            format!("T{level}"),
            strukt(vec![named("a", below.clone()), named("b", below)]),
        );
    }
    let document = serde_json::to_vec(&meta.types).unwrap().len();
    match meta.decode_value(&ty(&format!("T{LEVELS}")), &[]) {
        Err(CodecError::InvalidMetadata(_)) => {}
        Err(other) => panic!("unexpected error {other}"),
        Ok(value) => {
            let output = serde_json::to_vec(&value).unwrap().len();
            assert!(
                output < 100 * document,
                "{document} bytes of type definitions decoded 0 bytes of input to {output} bytes \
                 of JSON"
            );
        }
    }
}
