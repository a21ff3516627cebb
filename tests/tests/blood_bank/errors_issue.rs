//! Every error of every message: allocation, crossmatch and issue.

use super::*;

#[test]
fn errors_of_allocation_and_crossmatch() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let rbc = code(RBC);
        let res = |n, s: &str| json!({"unit": key(&din(n), &code(RBC)), "recipient": id32(s)});
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        stock(w, "ts1", &din(2), &rbc, "O", "Neg");
        ok(bb(
            w,
            "ts1",
            "quarantine",
            json!({"unit": key(&din(2), &rbc), "reason": "Investigation"}),
        ));

        out.push(refused(w, "be1", "reserve", res(1, "S1"), "Unauthorized"));
        out.push(refused(w, "ts1", "reserve", res(99, "S1"), "UnitNotFound"));
        out.push(refused(w, "ts2", "reserve", res(1, "S1"), "NotCustodian"));
        out.push(refused(
            w,
            "ts1",
            "reserve",
            res(2, "S1"),
            "UnitNotAvailable",
        ));
        out.push(refused(
            w,
            "ts1",
            "reserve",
            res(1, "S9"),
            "RecipientNotFound",
        ));
        ok(bb(w, "ts1", "reserve", res(1, "S1")));
        out.push(refused(
            w,
            "ts1",
            "reserve",
            res(1, "S2"),
            "RecipientMismatch",
        ));
        let r = bb(w, "ts1", "reserve", res(1, "S1"));
        assert_eq!(
            r.value["fields"],
            json!({"entity": "Unit", "from": "Reserved", "attempted": "Reserved"})
        );
        out.push(refused(
            w,
            "ts1",
            "reserve",
            res(1, "S1"),
            "InvalidTransition",
        ));

        let u = |n| json!({"unit": key(&din(n), &code(RBC))});
        out.push(refused(
            w,
            "be1",
            "release_reservation",
            u(1),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "release_reservation",
            u(99),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts2",
            "release_reservation",
            u(1),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "ts1",
            "release_reservation",
            u(2),
            "InvalidTransition",
        ));

        let xm = |n, s: &str, t: u64| {
            json!({"unit": key(&din(n), &code(RBC)), "recipient": id32(s),
            "method": "ImmediateSpin", "result": "Compatible", "sample_collected_at": t})
        };
        out.push(refused(
            w,
            "be1",
            "record_crossmatch",
            xm(1, "S1", T0),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(99, "S1", T0),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts2",
            "record_crossmatch",
            xm(1, "S1", T0),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(2, "S1", T0),
            "UnitNotAvailable",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(1, "S2", T0),
            "RecipientMismatch",
        ));
        stock(w, "ts1", &din(3), &rbc, "O", "Neg");
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(3, "S9", T0),
            "RecipientNotFound",
        ));
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(3, "S1", T0 + 1),
            "FutureTimestamp",
        ));
        // A sample collected exactly 72 h ago is no longer valid (half-open).
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(3, "S1", T0 - 72 * HOUR),
            "CrossmatchExpired",
        ));
        ok(bb(
            w,
            "ts1",
            "record_crossmatch",
            xm(3, "S1", T0 - 72 * HOUR + 1),
        ));
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        config["crossmatch_validity_secs"] = json!(u64::MAX);
        ok(bb(w, "admin", "set_config", json!({"config": config})));
        stock(w, "ts1", &din(4), &rbc, "O", "Neg");
        out.push(refused(
            w,
            "ts1",
            "record_crossmatch",
            xm(4, "S1", T0),
            "ArithmeticOverflow",
        ));
        out
    });
}

#[test]
fn errors_of_issue() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let (rbc, plt, plt_lt, ffp) = (code(RBC), code(PLT), code(PLT_LT), code(FFP));
        let is = |d: &str, pc: &str, s: &str, p: &str| json!({"unit": key(d, pc), "recipient": id32(s), "practitioner": p});
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        out.push(refused(
            w,
            "be1",
            "issue",
            is(&din(1), &rbc, "S1", "dr1"),
            "Unauthorized",
        ));
        let r = bb(w, "ts1", "issue", is(&din(1), &rbc, "S1", "md1"));
        assert_eq!(r.value["fields"], role("Practitioner"));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S1", "md1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(99), &rbc, "S1", "dr1"),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts2",
            "issue",
            is(&din(1), &rbc, "S1", "dr1"),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S9", "dr1"),
            "RecipientNotFound",
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S1", "dr1"),
            "CrossmatchRequired",
        ));
        ok(crossmatch(
            w,
            "ts1",
            &din(1),
            &rbc,
            "S1",
            "Compatible",
            T0 - 71 * HOUR,
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S2", "dr1"),
            "RecipientMismatch",
        ));
        w.sandbox.set_block(2, T0 + HOUR);
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(1), &rbc, "S1", "dr1"),
            "CrossmatchExpired",
        ));
        w.sandbox.set_block(3, T0);
        stock(w, "ts1", &din(2), &rbc, "O", "Neg");
        ok(crossmatch(
            w,
            "ts1",
            &din(2),
            &rbc,
            "S1",
            "Incompatible",
            T0 - HOUR,
        ));
        assert_eq!(status(w, &din(2), &rbc), json!("Available"));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(2), &rbc, "S1", "dr1"),
            "CrossmatchIncompatible",
        ));
        ok(bb(
            w,
            "ts1",
            "quarantine",
            json!({"unit": key(&din(2), &rbc), "reason": "Investigation"}),
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(2), &rbc, "S1", "dr1"),
            "UnitNotAvailable",
        ));
        stock(w, "ts1", &din(3), &rbc, "A", "Pos");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(3), &rbc, "S2", "dr1"),
            "AboIncompatible",
        ));
        stock(w, "ts1", &din(4), &rbc, "O", "Pos");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(4), &rbc, "S2", "dr1"),
            "RhdIncompatible",
        ));
        // Platelets: group O (not low-titer) to an A recipient is a minor mismatch.
        stock(w, "ts1", &din(5), &plt, "O", "Pos");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(5), &plt, "S1", "dr1"),
            "PlateletPlasmaIncompatible",
        ));
        // RhD+ platelets to rh_sensitive S3 while RhD- platelets are Available here.
        stock(w, "ts1", &din(6), &plt_lt, "O", "Pos");
        stock(w, "ts1", &din(7), &plt_lt, "A", "Neg");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(6), &plt_lt, "S3", "dr1"),
            "RhdNegativeAvailable",
        ));
        // S5 has no consent.
        stock(w, "ts1", &din(8), &ffp, "AB", "Pos");
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(8), &ffp, "S5", "dr1"),
            "ConsentRequired",
        ));
        // AccessConsent no longer trusts the blood bank.
        ok(w.call(
            "admin",
            "consent",
            "set_trusted_contract",
            json!({"contract": BB, "trusted": false}),
        ));
        out.push(refused(
            w,
            "ts1",
            "issue",
            is(&din(8), &ffp, "S1", "dr1"),
            "ConsentUnavailable",
        ));
        ok(w.call(
            "admin",
            "consent",
            "set_trusted_contract",
            json!({"contract": BB, "trusted": true}),
        ));
        ok(issue(w, "ts1", &din(8), &ffp, "S1", "dr1"));
        out
    });
}
