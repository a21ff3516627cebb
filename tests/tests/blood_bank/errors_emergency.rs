//! Every error of emergency release, and its refusal when break-the-glass is denied.

use super::*;

#[test]
fn errors_of_emergency_release() {
    on_both_engines(|w| {
        network(w);
        let mut out = Vec::new();
        let (rbc, plt) = (code(RBC), code(PLT));
        let er = |d: &str, pc: &str, s: &str, p: &str| json!({"unit": key(d, pc), "recipient": id32(s), "physician": p});
        let auth = |d: &str, pc: &str, s: &str| json!({"unit": key(d, pc), "recipient": id32(s)});
        stock(w, "ts1", &din(1), &rbc, "A", "Pos");
        stock(w, "ts1", &din(2), &rbc, "O", "Neg");
        ok(bb(
            w,
            "ts1",
            "quarantine",
            json!({"unit": key(&din(2), &rbc), "reason": "Investigation"}),
        ));

        out.push(refused(
            w,
            "dr1",
            "authorize_emergency_release",
            auth(&din(1), &rbc, "S1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(99), &rbc, "S1"),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(2), &rbc, "S1"),
            "UnitNotAvailable",
        ));

        out.push(refused(
            w,
            "be1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "md1"),
            "Unauthorized",
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(99), &rbc, "S1", "dr1"),
            "UnitNotFound",
        ));
        out.push(refused(
            w,
            "ts2",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "NotCustodian",
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(2), &rbc, "S1", "dr1"),
            "UnitNotAvailable",
        ));
        // A RhD+ red cells are not the universal unit: a medical director must co-sign.
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "MedicalDirectorCosignRequired",
        ));
        // A co-signature is for one recipient.
        ok(bb(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(1), &rbc, "S5"),
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "MedicalDirectorCosignRequired",
        ));
        // ... and expires.
        ok(bb(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(1), &rbc, "S2"),
        ));
        w.sandbox.set_block(2, T0 + HOUR);
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S2", "dr1"),
            "MedicalDirectorCosignRequired",
        ));
        w.sandbox.set_block(3, T0);
        // Co-signed, but S2 is group O: the ABO rule still holds.
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S2", "dr1"),
            "AboIncompatible",
        ));
        stock(w, "ts1", &din(3), &plt, "O", "Neg");
        ok(bb(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(3), &plt, "S1"),
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(3), &plt, "S1", "dr1"),
            "PlateletPlasmaIncompatible",
        ));
        ok(bb(w, "ts1", "reserve", auth(&din(1), &rbc, "S5")));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(1), &rbc, "S1", "dr1"),
            "RecipientMismatch",
        ));
        out.push(refused(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(1), &rbc, "S1"),
            "RecipientMismatch",
        ));
        // A known Incompatible crossmatch is never overridden by an emergency release.
        stock(w, "ts1", &din(5), &rbc, "O", "Neg");
        ok(crossmatch(
            w,
            "ts1",
            &din(5),
            &rbc,
            "S1",
            "Incompatible",
            T0,
        ));
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(5), &rbc, "S1", "dr1"),
            "CrossmatchIncompatible",
        ));
        ok(w.call(
            "admin",
            "consent",
            "set_trusted_contract",
            json!({"contract": BB, "trusted": false}),
        ));
        stock(w, "ts1", &din(4), &rbc, "O", "Neg");
        out.push(refused(
            w,
            "ts1",
            "emergency_release",
            er(&din(4), &rbc, "S1", "dr1"),
            "ConsentUnavailable",
        ));
        let mut config = ok(query(w, "get_config", Value::Null)).value;
        config["emergency_authorization_secs"] = json!(u64::MAX);
        ok(bb(w, "admin", "set_config", json!({"config": config})));
        out.push(refused(
            w,
            "md1",
            "authorize_emergency_release",
            auth(&din(4), &rbc, "S1"),
            "ArithmeticOverflow",
        ));
        out
    });
}

#[test]
fn emergency_release_is_refused_when_break_the_glass_is_denied() {
    on_both_engines(|w| {
        // A network where break-the-glass does not override a deny, and S1 denies ORG HOSP1.
        network_with(w, false);
        let cid = format!("0x{}", hex(b"C8S1\0\0\0\0\0\0\0\0\0\0\0\0"));
        ok(w.call(
            "p1",
            "consent",
            "create_consent",
            json!({"consent": {
                "consent_id": cid, "subject": id32("S1"), "scope": "Treatment",
                "period_start": T0 - DAY, "period_end": null,
                "provisions": [{"kind": "Deny", "actors": [{"Org": "HOSP1"}], "purposes": [],
                                "data_classes": ["Any"], "actions": [], "period": null}],
                "doc_hash": id32("C8")}}),
        ));
        ok(w.call("p1", "consent", "activate", json!({"consent_id": cid})));
        let rbc = code(RBC);
        stock(w, "ts1", &din(1), &rbc, "O", "Neg");
        let r = refused(
            w,
            "ts1",
            "emergency_release",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1"), "physician": "dr1"}),
            "ConsentRequired",
        );
        // Issue is refused too (the deny overrides the baseline permit).
        ok(crossmatch(w, "ts1", &din(1), &rbc, "S1", "Compatible", T0));
        let i = refused(
            w,
            "ts1",
            "issue",
            json!({"unit": key(&din(1), &rbc), "recipient": id32("S1"), "practitioner": "dr1"}),
            "ConsentRequired",
        );
        (r, i)
    });
}
