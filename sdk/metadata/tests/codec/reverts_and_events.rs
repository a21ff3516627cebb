//! Reverts, returns and events.

use super::*;

// ---------------------------------------------------------------------------------------------
// Reverts, returns and events.
// ---------------------------------------------------------------------------------------------

fn with_tag(tag: u8, rest: impl Encode) -> Vec<u8> {
    let mut out = vec![tag];
    rest.encode_to(&mut out);
    out
}

#[test]
fn contract_error_without_fields_decodes_to_its_variant_name() {
    let meta = metadata();
    let transfer = meta.message("transfer").unwrap();
    let data = with_tag(revert::CONTRACT_ERROR, TokenError::Paused);
    assert_eq!(
        meta.decode_revert(Some(transfer), &data),
        json!({"error": "Paused"})
    );
}

#[test]
fn contract_error_with_fields_includes_them() {
    let meta = metadata();
    let transfer = meta.message("transfer").unwrap();
    let data = with_tag(
        revert::CONTRACT_ERROR,
        TokenError::InsufficientBalance {
            needed: u128::MAX,
            available: 3,
        },
    );
    assert_eq!(
        meta.decode_revert(Some(transfer), &data),
        json!({
            "error": "InsufficientBalance",
            "fields": {"needed": u128::MAX.to_string(), "available": 3},
        })
    );
    let data = with_tag(revert::CONTRACT_ERROR, TokenError::NotOwner([7; 32]));
    assert_eq!(
        meta.decode_revert(Some(transfer), &data),
        json!({"error": "NotOwner", "fields": hex(&[7; 32])})
    );
}

#[test]
fn contract_error_prefers_the_messages_own_error_type() {
    let meta = metadata();
    // [0, 1] is both TokenError::Paused and GetError::Expired.
    assert_eq!(TokenError::Paused.encode(), GetError::Expired.encode());
    let data = with_tag(revert::CONTRACT_ERROR, GetError::Expired);
    let transfer = meta.message("transfer").unwrap();
    let get = meta.message("get").unwrap();
    assert_eq!(
        meta.decode_revert(Some(transfer), &data),
        json!({"error": "Paused"})
    );
    assert_eq!(
        meta.decode_revert(Some(get), &data),
        json!({"error": "Expired"})
    );
    // Without a message, or for one without an error type, any declared error type is tried.
    let insufficient = with_tag(
        revert::CONTRACT_ERROR,
        TokenError::InsufficientBalance {
            needed: 1,
            available: 0,
        },
    );
    let expected = json!({"error": "InsufficientBalance", "fields": {"needed": 1, "available": 0}});
    assert_eq!(meta.decode_revert(None, &insufficient), expected);
    assert_eq!(
        meta.decode_revert(Some(get), &insufficient),
        expected,
        "GetError does not decode, TokenError does"
    );
}

#[test]
fn contract_error_matching_no_error_type_is_unrecognised() {
    let meta = metadata();
    let data = vec![revert::CONTRACT_ERROR, 9, 9];
    assert_eq!(
        meta.decode_revert(None, &data),
        json!({"error": "Unrecognised", "data": hex(&data)})
    );
    // A trailing byte after a valid error.
    let mut data = with_tag(revert::CONTRACT_ERROR, TokenError::Paused);
    data.push(0);
    assert_eq!(meta.decode_revert(None, &data)["error"], "Unrecognised");
    // Without metadata no contract error is known.
    let data = with_tag(revert::CONTRACT_ERROR, TokenError::Paused);
    assert_eq!(
        decode_revert_without_metadata(&data),
        json!({"error": "Unrecognised", "data": hex(&data)})
    );
}

#[test]
fn unknown_selector_revert_gives_the_selector() {
    let meta = metadata();
    let data = [revert::UNKNOWN_SELECTOR, 0xde, 0xad, 0xbe, 0xef];
    assert_eq!(
        meta.decode_revert(None, &data),
        json!({"error": "UnknownSelector", "selector": "0xdeadbeef"})
    );
    // Input shorter than a selector.
    assert_eq!(
        decode_revert_without_metadata(&[revert::UNKNOWN_SELECTOR, 0x01]),
        json!({"error": "UnknownSelector", "selector": "0x01"})
    );
}

#[test]
fn invalid_input_and_write_in_query_reverts_carry_nothing() {
    let meta = metadata();
    let transfer = meta.message("transfer").unwrap();
    assert_eq!(
        meta.decode_revert(Some(transfer), &[revert::INVALID_INPUT]),
        json!({"error": "InvalidInput"})
    );
    assert_eq!(
        meta.decode_revert(Some(transfer), &[revert::WRITE_IN_QUERY]),
        json!({"error": "WriteInQuery"})
    );
    for tag in [revert::INVALID_INPUT, revert::WRITE_IN_QUERY] {
        assert_eq!(
            meta.decode_revert(None, &[tag, 0]),
            json!({"error": "Unrecognised", "data": hex(&[tag, 0])})
        );
    }
}

#[test]
fn panic_revert_gives_the_message() {
    let meta = metadata();
    let data = with_tag(revert::PANIC, "index out of bounds: 3 ≥ 2".to_string());
    let expected = json!({"error": "Panic", "message": "index out of bounds: 3 ≥ 2"});
    assert_eq!(meta.decode_revert(None, &data), expected);
    assert_eq!(decode_revert_without_metadata(&data), expected);
    // A message of 64 bytes has a two-byte length.
    let long = "x".repeat(64);
    assert_eq!(
        meta.decode_revert(None, &with_tag(revert::PANIC, long.clone())),
        json!({"error": "Panic", "message": long})
    );
    // Not a SCALE string: truncated, trailing bytes, invalid UTF-8.
    for data in [
        vec![revert::PANIC, 8, b'a'],
        [with_tag(revert::PANIC, "ok".to_string()), vec![0]].concat(),
        vec![revert::PANIC, 4, 0xff],
        vec![revert::PANIC],
    ] {
        assert_eq!(
            meta.decode_revert(None, &data),
            json!({"error": "Unrecognised", "data": hex(&data)})
        );
    }
}

#[test]
fn unknown_revert_tags_are_unrecognised_and_empty_data_is_a_plain_revert() {
    let meta = metadata();
    for tag in [5u8, 0x7f, 0xff] {
        let data = [tag, 1, 2];
        assert_eq!(
            meta.decode_revert(None, &data),
            json!({"error": "Unrecognised", "data": hex(&data)})
        );
    }
    assert_eq!(meta.decode_revert(None, &[]), json!({"error": "Reverted"}));
}

#[test]
fn return_data_decodes_as_the_messages_return_type() {
    let meta = metadata();
    let get = meta.message("get").unwrap();
    assert_eq!(
        meta.decode_return(get, &None::<Record>.encode()).unwrap(),
        json!(null)
    );
    let total = meta.message("total").unwrap();
    assert_eq!(
        meta.decode_return(total, &7u128.encode()).unwrap(),
        json!(7)
    );
    assert!(meta.decode_return(total, &7u64.encode()).is_err());
}

#[test]
fn events_decode_by_their_signature_topic() {
    let meta = metadata();
    let from = [1u8; 32];
    let to = [2u8; 32];
    let data = (from, to, u128::MAX).encode();
    let topics = [
        event_signature("Transferred"),
        topic_of(&from.encode()),
        topic_of(&to.encode()),
    ];
    assert_eq!(topics[1], from);
    assert_eq!(
        meta.decode_event(&topics, &data),
        Some(json!({
            "name": "Transferred",
            "fields": {"from": hex(&from), "to": hex(&to), "amount": u128::MAX.to_string()},
        }))
    );
    assert!(meta.event("Transferred").is_some());
    // Another signature, no topics, data too short or too long.
    assert_eq!(
        meta.decode_event(&[event_signature("Approved")], &data),
        None
    );
    assert_eq!(meta.decode_event(&[], &data), None);
    assert_eq!(meta.decode_event(&topics, &data[..data.len() - 1]), None);
    assert_eq!(
        meta.decode_event(&topics, &[data.clone(), vec![0]].concat()),
        None
    );
}
