//! Calls: encoding a message from its name and JSON arguments.

use super::*;

// ---------------------------------------------------------------------------------------------
// Calls.
// ---------------------------------------------------------------------------------------------

fn transfer_bytes(to: [u8; 32], amount: u128, memo: Option<&str>) -> Vec<u8> {
    let mut out = selector("transfer").to_vec();
    (to, amount, memo.map(str::to_string)).encode_to(&mut out);
    out
}

#[test]
fn encode_call_takes_arguments_by_name() {
    let meta = metadata();
    let transfer = meta.message("transfer").unwrap();
    let bytes = meta
        .encode_call(
            transfer,
            &json!({"memo": "rent", "amount": "18446744073709551616", "to": "alice"}),
            &alice,
        )
        .unwrap();
    assert_eq!(
        bytes,
        transfer_bytes(ALICE, u128::from(u64::MAX) + 1, Some("rent"))
    );
}

#[test]
fn encode_call_takes_arguments_in_order() {
    let meta = metadata();
    let transfer = meta.message("transfer").unwrap();
    let to = [0x42; 32];
    let bytes = meta
        .encode_call(transfer, &json!([hex(&to), 5, null]), &no_names)
        .unwrap();
    assert_eq!(bytes, transfer_bytes(to, 5, None));
}

#[test]
fn encode_call_without_arguments_is_the_selector() {
    let meta = metadata();
    let total = meta.message("total").unwrap();
    for args in [json!(null), json!([]), json!({})] {
        assert_eq!(
            meta.encode_call(total, &args, &no_names).unwrap(),
            selector("total").to_vec()
        );
    }
    let new = meta.constructor("new").unwrap();
    assert_eq!(
        meta.encode_call(new, &json!({"supply": 7}), &no_names)
            .unwrap(),
        [selector("new").to_vec(), 7u128.encode()].concat()
    );
}

#[test]
fn encode_call_reports_a_missing_argument() {
    let meta = metadata();
    let transfer = meta.message("transfer").unwrap();
    let r = meta.encode_call(transfer, &json!({"to": "alice", "memo": null}), &alice);
    assert_eq!(
        r,
        Err(CodecError::MissingField {
            path: "transfer".into(),
            field: "amount".into(),
            ty: "u128".into(),
        })
    );
}

#[test]
fn encode_call_reports_an_extra_argument() {
    let meta = metadata();
    let transfer = meta.message("transfer").unwrap();
    let r = meta.encode_call(
        transfer,
        &json!({"to": "alice", "amount": 1, "memo": null, "fee": 2}),
        &alice,
    );
    assert_eq!(
        r,
        Err(CodecError::UnknownField {
            path: "transfer".into(),
            field: "fee".into(),
            expected: vec!["to".into(), "amount".into(), "memo".into()],
        })
    );
}

#[test]
fn encode_call_reports_a_wrong_argument_count() {
    let meta = metadata();
    let transfer = meta.message("transfer").unwrap();
    let expected: Vec<String> = vec!["to".into(), "amount".into(), "memo".into()];
    for (args, found) in [
        (json!(["alice", 1]), 2),
        (json!(["alice", 1, null, 4]), 4),
        (json!(null), 0),
    ] {
        let r = meta.encode_call(transfer, &args, &alice);
        assert_eq!(
            r,
            Err(CodecError::ArgumentCount {
                message: "transfer".into(),
                expected: expected.clone(),
                found,
            }),
            "{args}"
        );
    }
    let text = meta
        .encode_call(transfer, &json!([1]), &alice)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("3 argument(s) (to, amount, memo), 1 given"),
        "{text}"
    );
    // Neither an object nor an array.
    assert!(matches!(
        meta.encode_call(transfer, &json!(5), &alice),
        Err(CodecError::TypeMismatch { .. })
    ));
}

#[test]
fn encode_call_names_the_argument_with_a_bad_value() {
    let meta = metadata();
    let transfer = meta.message("transfer").unwrap();
    let r = meta.encode_call(
        transfer,
        &json!({"to": "alice", "amount": -1, "memo": null}),
        &alice,
    );
    assert!(
        matches!(&r, Err(CodecError::OutOfRange { path, .. }) if path == "amount"),
        "{r:?}"
    );
}

#[test]
fn unknown_message_error_lists_the_available_names() {
    let meta = metadata();
    let e = meta.message("transfre").unwrap_err();
    assert_eq!(
        e,
        CodecError::UnknownMessage {
            what: "message",
            name: "transfre".into(),
            available: vec!["transfer".into(), "get".into(), "total".into()],
        }
    );
    let text = e.to_string();
    assert!(text.contains("transfre"), "{text}");
    assert!(text.contains("transfer, get, total"), "{text}");

    let text = meta.constructor("create").unwrap_err().to_string();
    assert!(
        text.contains("constructor") && text.contains("create") && text.contains("new"),
        "{text}"
    );
}
