//! Verification requests.

use super::*;

// ---- verification ----

#[test]
fn verification_requests_are_due_in_24_hours_and_late_answers_are_flagged() {
    on_both_engines(|w| {
        network(w, false);
        let r0 = ok(dt(
            w,
            "whs1",
            "request_verification",
            json!({"product_identifier": pi("V1", "LV", EXP)}),
        ));
        let r1 = ok(dt(
            w,
            "reg",
            "request_verification",
            json!({"product_identifier": pi("V2", "LV", EXP)}),
        ));
        assert_eq!((r0.value.clone(), r1.value.clone()), (json!(0), json!(1)));
        let overdue = |w: &World| {
            q(w, "overdue_verifications", json!({"start": 0, "limit": 10}))
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["req_id"].as_u64().unwrap())
                .collect::<Vec<_>>()
        };
        w.sandbox.set_block(5, T0 + 86_399);
        assert_eq!(overdue(w), Vec::<u64>::new());
        let on_time = ok(dt(
            w,
            "mfr1",
            "respond_verification",
            json!({"req_id": 0, "result": "Verified"}),
        ));
        assert_eq!(on_time.value, json!(false));
        w.sandbox.set_block(6, T0 + 86_400);
        assert_eq!(overdue(w), vec![1], "due_at is exclusive");
        let late = ok(dt(
            w,
            "mfr1",
            "respond_verification",
            json!({"req_id": 1, "result": "NotVerified"}),
        ));
        assert_eq!(late.value, json!(true));
        let stored = q(w, "get_verification", json!({"req_id": 1}));
        assert_eq!(stored["late"], true);
        assert_eq!(stored["response"], "NotVerified");
        assert_eq!(overdue(w), Vec::<u64>::new());
        (seen(&r0), seen(&on_time), seen(&late))
    });
}
