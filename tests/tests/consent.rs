//! AccessConsent (contracts/consent) against DOMAIN.md §1 and acceptance scenarios 6-8, on both
//! engines: every scenario, every error of each message, every forbidden transition.

use carechain_tests::{Reply, World, on_both_engines};
use serde_json::{Value, json};

const T0: u64 = 1_739_990_000;

/// A 32-byte id from a short label: `S1` -> 0x5331000…
fn id32(label: &str) -> String {
    let mut bytes = [0u8; 32];
    bytes[..label.len()].copy_from_slice(label.as_bytes());
    format!("0x{}", hex(&bytes))
}

/// A 16-byte consent id from a short label.
fn cid(label: &str) -> String {
    let mut bytes = [0u8; 16];
    bytes[..label.len()].copy_from_slice(label.as_bytes());
    format!("0x{}", hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What both engines must agree on.
fn seen(r: &Reply) -> (String, Value, u64) {
    (r.outcome(), r.value.clone(), r.result.gas_used)
}

fn ok(r: Reply) -> Reply {
    assert_eq!(r.outcome(), "success", "{}", r.value);
    r
}

fn event_names(w: &World, r: &Reply) -> Vec<String> {
    let meta = w.metadata_of("consent");
    r.result
        .events
        .iter()
        .map(|e| {
            let topics: Vec<[u8; 32]> = e.topics.iter().map(|t| t.0).collect();
            meta.decode_event(&topics, &e.data)
                .expect("a consent event")["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A network: admin, practitioners DR1 (ORG1) and DR9 (ORG9), payer PAY1, privacy officer PO,
/// patients s1 and s5 linked to subjects S1 and S5.
fn network(w: &mut World, btg_overrides_deny: bool) {
    w.sandbox.set_block(1, T0);
    ok(w.deploy(
        "consent",
        "admin",
        "new",
        json!({"admin_org": "NETWORK", "btg_overrides_deny": btg_overrides_deny}),
    ));
    for (actor, org, roles) in [
        ("dr1", "ORG1", json!(["Practitioner"])),
        ("dr9", "ORG9", json!(["Practitioner"])),
        ("pay1", "PAYER1", json!(["Payer"])),
        ("po", "NETWORK", json!(["PrivacyOfficer"])),
        ("s1", "PATIENTS", json!(["Patient"])),
        ("s5", "PATIENTS", json!(["Patient"])),
    ] {
        ok(w.call(
            "admin",
            "consent",
            "register_actor",
            json!({"actor": actor, "org": org, "roles": roles, "licence_ref": id32("LIC")}),
        ));
    }
    ok(w.call(
        "admin",
        "consent",
        "link_subject",
        json!({"actor": "s1", "subject": id32("S1")}),
    ));
    ok(w.call(
        "admin",
        "consent",
        "link_subject",
        json!({"actor": "s5", "subject": id32("S5")}),
    ));
}

fn provision(kind: &str, actors: Value, purposes: Value, classes: Value) -> Value {
    json!({"kind": kind, "actors": actors, "purposes": purposes, "data_classes": classes,
           "actions": [], "period": null})
}

fn new_consent(id: &str, subject: &str, start: u64, end: Option<u64>, provisions: Value) -> Value {
    json!({"consent": {
        "consent_id": cid(id), "subject": id32(subject), "scope": "Treatment",
        "period_start": start, "period_end": end, "provisions": provisions,
        "doc_hash": id32(id)}})
}

/// Creates and activates a consent as `patient`.
fn active_consent(w: &mut World, patient: &str, id: &str, subject: &str, provisions: Value) {
    ok(w.call(
        patient,
        "consent",
        "create_consent",
        new_consent(id, subject, T0 - 1000, None, provisions),
    ));
    ok(w.call(
        patient,
        "consent",
        "activate",
        json!({"consent_id": cid(id)}),
    ));
}

/// The baseline consent C0 of DOMAIN.md §6 for `subject`.
fn baseline(w: &mut World, patient: &str, id: &str, subject: &str) {
    active_consent(
        w,
        patient,
        id,
        subject,
        json!([provision(
            "Permit",
            json!([{"Role": "Practitioner"}, {"Role": "Payer"}, {"Role": "TransfusionService"}]),
            json!(["TREAT", "HPAYMT", "HOPERAT"]),
            json!(["Any"])
        )]),
    );
}

fn check(w: &mut World, actor: &str, subject: &str, purpose: &str, class: &str) -> Reply {
    w.call(
        actor,
        "consent",
        "check_access",
        json!({"subject": id32(subject), "purpose": purpose, "data_class": class, "action": "Access"}),
    )
}

#[test]
fn scenario_6_a_revoked_consent_no_longer_permits_access() {
    on_both_engines(|w| {
        network(w, true);
        active_consent(
            w,
            "s5",
            "C1",
            "S5",
            json!([provision(
                "Permit",
                json!([{"Actor": "dr1"}]),
                json!(["TREAT"]),
                json!(["Any"])
            )]),
        );
        w.sandbox.set_block(2, 1_740_000_000);
        let permit = ok(check(w, "dr1", "S5", "TREAT", "MedicationDispense"));
        assert_eq!(permit.value, json!("Permit"));
        assert_eq!(event_names(w, &permit), ["AccessGranted"]);

        w.sandbox.set_block(3, 1_740_000_100);
        let revoked = ok(w.call("s5", "consent", "revoke", json!({"consent_id": cid("C1")})));
        assert_eq!(event_names(w, &revoked), ["ConsentRevoked"]);

        w.sandbox.set_block(4, 1_740_000_200);
        let deny = ok(check(w, "dr1", "S5", "TREAT", "MedicationDispense"));
        assert_eq!(deny.value, json!({"Deny": "NoConsent"}));
        assert_eq!(event_names(w, &deny), ["AccessDenied"]);

        let again = w.call("s5", "consent", "revoke", json!({"consent_id": cid("C1")}));
        assert_eq!(again.error(), Some("InvalidTransition"));
        assert_eq!(
            again.value["fields"],
            json!({"entity": "Consent", "from": "Inactive", "attempted": "Inactive"})
        );
        (seen(&permit), seen(&deny), seen(&again))
    });
}

#[test]
fn scenario_7_a_purpose_mismatch_is_denied_and_logged() {
    on_both_engines(|w| {
        network(w, true);
        active_consent(
            w,
            "s5",
            "C2",
            "S5",
            json!([provision(
                "Permit",
                json!([{"Actor": "dr1"}]),
                json!(["TREAT"]),
                json!(["Any"])
            )]),
        );
        let r = ok(check(w, "dr1", "S5", "HRESCH", "Claim"));
        assert_eq!(r.value, json!({"Deny": "NoConsent"}));
        let log = ok(w.query(
            "s5",
            "consent",
            "access_log",
            json!({"subject": id32("S5"), "start": 0, "limit": 10}),
        ));
        let entries = log.value.as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["purpose"], "HRESCH");
        assert_eq!(entries[0]["decision"], json!({"Deny": "NoConsent"}));
        assert_eq!(entries[0]["btg"], false);
        seen(&r)
    });
}

#[test]
fn scenario_8_break_the_glass_over_a_deny_then_review() {
    on_both_engines(|w| {
        network(w, true);
        baseline(w, "s1", "C0", "S1");
        active_consent(
            w,
            "s1",
            "C8",
            "S1",
            json!([provision(
                "Deny",
                json!([{"Org": "ORG9"}]),
                json!(["TREAT"]),
                json!(["Any"])
            )]),
        );
        let denied = ok(check(w, "dr9", "S1", "TREAT", "Transfusion"));
        assert_eq!(denied.value, json!({"Deny": "DeniedByProvision"}));
        // DR1 (another org) is still permitted by C0.
        assert_eq!(
            ok(check(w, "dr1", "S1", "TREAT", "Transfusion")).value,
            json!("Permit")
        );

        let btg = ok(w.call(
            "dr9",
            "consent",
            "break_glass",
            json!({"subject": id32("S1"), "data_class": "Any", "justification": "unconscious"}),
        ));
        assert_eq!(btg.value, json!("PermitBreakGlass"));
        assert_eq!(event_names(w, &btg), ["BreakGlassAccess"]);
        let pending = ok(w.query("po", "consent", "pending_btg_reviews", Value::Null)).value;
        let entry = &pending.as_array().unwrap()[0];
        assert_eq!(entry["btg"], true);
        assert_eq!(entry["purpose"], "ETREAT");
        assert_eq!(entry["review"], "Pending");
        let seq = entry["seq"].clone();

        let reviewed = ok(w.call(
            "po",
            "consent",
            "review_break_glass",
            json!({"seq": seq, "outcome": "Appropriate"}),
        ));
        assert_eq!(event_names(w, &reviewed), ["BreakGlassReviewed"]);
        assert_eq!(
            ok(w.query("po", "consent", "pending_btg_reviews", Value::Null)).value,
            json!([])
        );
        let twice = w.call(
            "po",
            "consent",
            "review_break_glass",
            json!({"seq": seq, "outcome": "Inappropriate"}),
        );
        assert_eq!(twice.error(), Some("InvalidTransition"));
        assert_eq!(
            twice.value["fields"],
            json!({"entity": "BreakGlassReview", "from": "Appropriate", "attempted": "Inappropriate"})
        );
        (seen(&denied), seen(&btg), seen(&twice))
    });
}

#[test]
fn break_the_glass_respects_a_deny_when_the_network_says_so() {
    on_both_engines(|w| {
        network(w, false);
        active_consent(
            w,
            "s1",
            "C8",
            "S1",
            json!([provision(
                "Deny",
                json!([{"Org": "ORG9"}]),
                json!([]),
                json!(["Any"])
            )]),
        );
        let r = ok(w.call(
            "dr9",
            "consent",
            "break_glass",
            json!({"subject": id32("S1"), "data_class": "Any", "justification": "unconscious"}),
        ));
        assert_eq!(r.value, json!({"Deny": "DeniedByProvision"}));
        assert_eq!(event_names(w, &r), ["AccessDenied"]);
        assert_eq!(
            ok(w.query("po", "consent", "pending_btg_reviews", Value::Null)).value,
            json!([])
        );
        // Without any consent at all, break-the-glass is granted.
        let none = ok(w.call(
            "dr9",
            "consent",
            "break_glass",
            json!({"subject": id32("S5"), "data_class": "Any", "justification": "unconscious"}),
        ));
        assert_eq!(none.value, json!("PermitBreakGlass"));
        (seen(&r), seen(&none))
    });
}

#[test]
fn a_narrow_deny_overrides_a_broad_permit() {
    // 45 CFR 164.522(a)(1)(vi): the patient paid out of pocket and restricts disclosure to the
    // health plan, while treatment stays permitted.
    on_both_engines(|w| {
        network(w, true);
        baseline(w, "s1", "C0", "S1");
        active_consent(
            w,
            "s1",
            "C9",
            "S1",
            json!([provision(
                "Deny",
                json!([{"Actor": "pay1"}]),
                json!(["HPAYMT"]),
                json!(["Claim"])
            )]),
        );
        let payer_claim = ok(check(w, "pay1", "S1", "HPAYMT", "Claim")).value;
        let payer_coverage = ok(check(w, "pay1", "S1", "HPAYMT", "Coverage")).value;
        let doctor = ok(check(w, "dr1", "S1", "TREAT", "Claim")).value;
        assert_eq!(payer_claim, json!({"Deny": "DeniedByProvision"}));
        assert_eq!(payer_coverage, json!("Permit"));
        assert_eq!(doctor, json!("Permit"));
        (payer_claim, payer_coverage, doctor)
    });
}

#[test]
fn purposes_are_subsumed_by_their_parents_only() {
    on_both_engines(|w| {
        network(w, true);
        active_consent(
            w,
            "s5",
            "C1",
            "S5",
            json!([provision(
                "Permit",
                json!([]),
                json!(["TREAT", "HPAYMT"]),
                json!(["Any"])
            )]),
        );
        let got: Vec<Value> = [
            "TREAT", "ETREAT", "HPAYMT", "COVAUTH", "ELIGVER", "HOPERAT", "PUBHLTH",
        ]
        .iter()
        .map(|p| ok(check(w, "dr1", "S5", p, "Claim")).value)
        .collect();
        let permit = json!("Permit");
        let deny = json!({"Deny": "NoConsent"});
        assert_eq!(
            got,
            vec![
                permit.clone(),
                permit.clone(),
                permit.clone(),
                permit.clone(),
                permit,
                deny.clone(),
                deny.clone()
            ]
        );

        // A permit for the child does not cover the parent.
        active_consent(
            w,
            "s1",
            "C2",
            "S1",
            json!([provision(
                "Permit",
                json!([]),
                json!(["ETREAT"]),
                json!(["Any"])
            )]),
        );
        assert_eq!(ok(check(w, "dr1", "S1", "TREAT", "Claim")).value, deny);
        assert_eq!(
            ok(check(w, "dr1", "S1", "ETREAT", "Claim")).value,
            json!("Permit")
        );
        got
    });
}

#[test]
fn validity_periods_are_half_open_and_expiry_is_evaluated() {
    on_both_engines(|w| {
        network(w, true);
        let (start, end) = (T0 + 100, T0 + 200);
        ok(w.call(
            "s5",
            "consent",
            "create_consent",
            new_consent(
                "C1",
                "S5",
                start,
                Some(end),
                json!([provision(
                    "Permit",
                    json!([]),
                    json!(["TREAT"]),
                    json!(["Any"])
                )]),
            ),
        ));
        ok(w.call(
            "s5",
            "consent",
            "activate",
            json!({"consent_id": cid("C1")}),
        ));
        let mut seen_at = Vec::new();
        for t in [start - 1, start, end - 1, end] {
            w.sandbox.set_block(10, t);
            let decision = ok(check(w, "dr1", "S5", "TREAT", "Claim")).value;
            // Read as the subject's portal: the provision is about anyone, which makes no one
            // a reader of the consent itself.
            let status = ok(w.query(
                "s5",
                "consent",
                "get_effective_status",
                json!({"consent_id": cid("C1")}),
            ))
            .value;
            seen_at.push((decision, status));
        }
        let expected = vec![
            (json!({"Deny": "NoConsent"}), json!("NotYetValid")),
            (json!("Permit"), json!("Active")),
            (json!("Permit"), json!("Active")),
            (json!({"Deny": "ConsentExpired"}), json!("Expired")),
        ];
        assert_eq!(seen_at, expected);
        // The stored status stays Active: expiry is evaluated, not stored.
        assert_eq!(
            ok(w.query(
                "s5",
                "consent",
                "get_consent",
                json!({"consent_id": cid("C1")})
            ))
            .value["status"],
            "Active"
        );
        seen_at
    });
}

#[test]
fn a_provision_period_narrows_its_consent() {
    on_both_engines(|w| {
        network(w, true);
        let p = json!([{"kind": "Permit", "actors": [], "purposes": ["TREAT"], "data_classes": ["Any"],
                        "actions": ["Access"], "period": {"start": T0, "end": T0 + 10}}]);
        active_consent(w, "s5", "C1", "S5", p);
        w.sandbox.set_block(5, T0 + 5);
        let inside = ok(check(w, "dr1", "S5", "TREAT", "Claim")).value;
        let wrong_action = ok(w.call(
            "dr1",
            "consent",
            "check_access",
            json!({"subject": id32("S5"), "purpose": "TREAT", "data_class": "Claim", "action": "Disclose"}),
        ))
        .value;
        w.sandbox.set_block(6, T0 + 10);
        let after = ok(check(w, "dr1", "S5", "TREAT", "Claim")).value;
        assert_eq!(inside, json!("Permit"));
        assert_eq!(wrong_action, json!({"Deny": "NoConsent"}));
        assert_eq!(after, json!({"Deny": "ConsentExpired"}));
        (inside, wrong_action, after)
    });
}

/// Drives a fresh consent `id` of S5 into `state`.
fn consent_in(w: &mut World, id: &str, state: &str) {
    ok(w.call(
        "s5",
        "consent",
        "create_consent",
        new_consent(
            id,
            "S5",
            T0,
            None,
            json!([provision("Permit", json!([]), json!([]), json!(["Any"]))]),
        ),
    ));
    let c = json!({"consent_id": cid(id)});
    let steps: &[(&str, &str)] = match state {
        "Draft" => &[],
        "Proposed" => &[("s5", "propose")],
        "Active" => &[("s5", "activate")],
        "Rejected" => &[("s5", "propose"), ("s5", "reject")],
        "Inactive" => &[("s5", "activate"), ("s5", "revoke")],
        "EnteredInError" => &[("po", "mark_entered_in_error")],
        other => panic!("no state {other}"),
    };
    for (who, message) in steps {
        let args = if *message == "mark_entered_in_error" {
            json!({"consent_id": cid(id), "reason_hash": id32("why")})
        } else {
            c.clone()
        };
        ok(w.call(who, "consent", message, args));
    }
}

#[test]
fn every_forbidden_transition_is_refused_and_every_allowed_one_taken() {
    // (from, message, to on success or None if refused)
    let table: &[(&str, &str, Option<&str>)] = &[
        ("Draft", "propose", Some("Proposed")),
        ("Draft", "activate", Some("Active")),
        ("Draft", "reject", None),
        ("Draft", "revoke", None),
        ("Draft", "mark_entered_in_error", Some("EnteredInError")),
        ("Proposed", "propose", None),
        ("Proposed", "activate", Some("Active")),
        ("Proposed", "reject", Some("Rejected")),
        ("Proposed", "revoke", None),
        ("Proposed", "mark_entered_in_error", Some("EnteredInError")),
        ("Active", "propose", None),
        ("Active", "activate", None),
        ("Active", "reject", None),
        ("Active", "revoke", Some("Inactive")),
        ("Active", "mark_entered_in_error", Some("EnteredInError")),
    ];
    let terminal = ["Rejected", "Inactive", "EnteredInError"];
    let messages = [
        "propose",
        "activate",
        "reject",
        "revoke",
        "mark_entered_in_error",
    ];
    let mut cases: Vec<(&str, &str, Option<&str>)> = table.to_vec();
    for from in terminal {
        for m in messages {
            cases.push((from, m, None));
        }
    }
    on_both_engines(|w| {
        network(w, true);
        let mut results = Vec::new();
        for (i, (from, message, to)) in cases.iter().enumerate() {
            let id = format!("T{i}");
            consent_in(w, &id, from);
            let (who, args) = if *message == "mark_entered_in_error" {
                (
                    "po",
                    json!({"consent_id": cid(&id), "reason_hash": id32("why")}),
                )
            } else {
                ("s5", json!({"consent_id": cid(&id)}))
            };
            let root = w.sandbox.state_root();
            let r = w.call(who, "consent", message, args);
            let status = ok(w.query(
                "s5",
                "consent",
                "get_consent",
                json!({"consent_id": cid(&id)}),
            ))
            .value["status"]
                .clone();
            match to {
                Some(to) => {
                    assert_eq!(
                        r.outcome(),
                        "success",
                        "{from} --{message}--> {to}: {}",
                        r.value
                    );
                    assert_eq!(status, json!(to));
                }
                None => {
                    assert_eq!(
                        r.error(),
                        Some("InvalidTransition"),
                        "{from} --{message}: {}",
                        r.value
                    );
                    assert_eq!(r.value["fields"]["from"], json!(from));
                    assert_eq!(status, json!(from));
                    assert_eq!(
                        w.sandbox.state_root(),
                        root,
                        "a refused transition changes nothing"
                    );
                }
            }
            results.push(seen(&r));
        }
        results
    });
}

#[test]
fn supersede_replaces_an_active_consent_in_one_step() {
    on_both_engines(|w| {
        network(w, true);
        consent_in(w, "OLD", "Active");
        consent_in(w, "NEW", "Draft");
        let r = ok(w.call(
            "s5",
            "consent",
            "supersede",
            json!({"old": cid("OLD"), "new": cid("NEW")}),
        ));
        assert_eq!(event_names(w, &r), ["ConsentSuperseded"]);
        let old = ok(w.query(
            "s5",
            "consent",
            "get_consent",
            json!({"consent_id": cid("OLD")}),
        ))
        .value;
        let new = ok(w.query(
            "s5",
            "consent",
            "get_consent",
            json!({"consent_id": cid("NEW")}),
        ))
        .value;
        assert_eq!(old["status"], "Inactive");
        assert_eq!(new["status"], "Active");
        assert_eq!(new["supersedes"], json!(cid("OLD")));

        // Refusals: a non-Draft replacement, another subject's consent.
        consent_in(w, "A2", "Active");
        consent_in(w, "P2", "Proposed");
        let not_draft = w.call(
            "s5",
            "consent",
            "supersede",
            json!({"old": cid("A2"), "new": cid("P2")}),
        );
        assert_eq!(not_draft.error(), Some("InvalidTransition"));
        ok(w.call(
            "s1",
            "consent",
            "create_consent",
            new_consent("S1C", "S1", T0, None, json!([])),
        ));
        let other_subject = w.call(
            "s5",
            "consent",
            "supersede",
            json!({"old": cid("A2"), "new": cid("S1C")}),
        );
        assert_eq!(other_subject.error(), Some("SubjectMismatch"));
        (seen(&r), seen(&not_draft), seen(&other_subject))
    });
}

#[test]
fn every_error_of_every_message() {
    on_both_engines(|w| {
        network(w, true);
        let mut out = Vec::new();
        let mut expect = |w: &mut World, who: &str, message: &str, args: Value, error: &str| {
            let root = w.sandbox.state_root();
            let r = w.call(who, "consent", message, args);
            assert_eq!(r.error(), Some(error), "{who} {message}: {}", r.value);
            assert!(r.result.events.is_empty());
            assert_eq!(
                w.sandbox.state_root(),
                root,
                "{message}: an error changes nothing"
            );
            out.push(seen(&r));
            r
        };
        let licence = id32("LIC");
        // Directory: only the admin writes it.
        let r = expect(
            w,
            "dr1",
            "register_actor",
            json!({"actor": "x", "org": "O", "roles": [], "licence_ref": licence}),
            "Unauthorized",
        );
        assert_eq!(r.value["fields"], json!({"required_role": "NetworkAdmin"}));
        expect(
            w,
            "admin",
            "register_actor",
            json!({"actor": "x", "org": "O".repeat(65), "roles": [], "licence_ref": licence}),
            "TooLong",
        );
        expect(
            w,
            "dr1",
            "set_actor_active",
            json!({"actor": "dr1", "active": false}),
            "Unauthorized",
        );
        expect(
            w,
            "admin",
            "set_actor_active",
            json!({"actor": "nobody", "active": false}),
            "ActorNotFound",
        );
        expect(
            w,
            "admin",
            "link_subject",
            json!({"actor": "nobody", "subject": id32("S1")}),
            "ActorNotFound",
        );
        expect(
            w,
            "admin",
            "link_subject",
            json!({"actor": "dr1", "subject": id32("S1")}),
            "Unauthorized",
        );
        expect(
            w,
            "dr1",
            "link_subject",
            json!({"actor": "s1", "subject": id32("S5")}),
            "Unauthorized",
        );
        expect(
            w,
            "dr1",
            "set_trusted_contract",
            json!({"contract": "dr1", "trusted": true}),
            "Unauthorized",
        );

        // Creating consents.
        let p = json!([provision("Permit", json!([]), json!([]), json!(["Any"]))]);
        expect(
            w,
            "dr1",
            "create_consent",
            new_consent("X", "S1", T0, None, p.clone()),
            "Unauthorized",
        );
        expect(
            w,
            "s5",
            "create_consent",
            new_consent("X", "S1", T0, None, p.clone()),
            "SubjectMismatch",
        );
        expect(
            w,
            "s1",
            "create_consent",
            new_consent("X", "S1", T0, Some(T0), p.clone()),
            "InvalidPeriod",
        );
        let bad_provision = json!([{"kind": "Permit", "actors": [], "purposes": [], "data_classes": [],
                                    "actions": [], "period": {"start": T0, "end": T0 - 1}}]);
        expect(
            w,
            "s1",
            "create_consent",
            new_consent("X", "S1", T0, None, bad_provision),
            "InvalidPeriod",
        );
        ok(w.call(
            "s1",
            "consent",
            "create_consent",
            new_consent("C1", "S1", T0, None, p.clone()),
        ));
        expect(
            w,
            "s1",
            "create_consent",
            new_consent("C1", "S1", T0, None, p.clone()),
            "DuplicateConsent",
        );

        // Lifecycle messages on a missing consent, by the wrong patient, by a non-officer.
        for m in ["propose", "activate", "reject", "revoke"] {
            expect(
                w,
                "s1",
                m,
                json!({"consent_id": cid("NOPE")}),
                "ConsentNotFound",
            );
            expect(
                w,
                "s5",
                m,
                json!({"consent_id": cid("C1")}),
                "SubjectMismatch",
            );
        }
        expect(
            w,
            "s1",
            "supersede",
            json!({"old": cid("NOPE"), "new": cid("C1")}),
            "ConsentNotFound",
        );
        expect(
            w,
            "s1",
            "mark_entered_in_error",
            json!({"consent_id": cid("C1"), "reason_hash": licence}),
            "Unauthorized",
        );
        expect(
            w,
            "po",
            "mark_entered_in_error",
            json!({"consent_id": cid("NOPE"), "reason_hash": licence}),
            "ConsentNotFound",
        );

        // Access decisions.
        let a = |p: &str| json!({"subject": id32("S1"), "purpose": p, "data_class": "Any", "action": "Access"});
        expect(w, "stranger", "check_access", a("TREAT"), "Unauthorized");
        expect(w, "dr1", "check_access", a("BTG"), "UnknownPurpose");
        let mut for_args = a("TREAT");
        for_args["requester"] = json!("dr1");
        expect(
            w,
            "dr1",
            "check_access_for",
            for_args.clone(),
            "NotTrustedContract",
        );
        let btg = |j: &str| json!({"subject": id32("S1"), "data_class": "Any", "justification": j});
        expect(w, "pay1", "break_glass", btg("unconscious"), "Unauthorized");
        expect(w, "dr1", "break_glass", btg(&"x".repeat(65)), "TooLong");
        let mut btg_for = btg("unconscious");
        btg_for["requester"] = json!("dr1");
        expect(w, "dr1", "break_glass_for", btg_for, "NotTrustedContract");
        expect(
            w,
            "po",
            "review_break_glass",
            json!({"seq": 999, "outcome": "Appropriate"}),
            "LogEntryNotFound",
        );
        expect(
            w,
            "dr1",
            "review_break_glass",
            json!({"seq": 0, "outcome": "Appropriate"}),
            "Unauthorized",
        );
        // A log entry that is not break-the-glass cannot be reviewed.
        ok(check(w, "dr1", "S1", "TREAT", "Any"));
        expect(
            w,
            "po",
            "review_break_glass",
            json!({"seq": 0, "outcome": "Appropriate"}),
            "InvalidTransition",
        );

        // A deactivated actor can do nothing.
        ok(w.call(
            "admin",
            "consent",
            "set_actor_active",
            json!({"actor": "dr1", "active": false}),
        ));
        expect(w, "dr1", "check_access", a("TREAT"), "Unauthorized");

        // Queries with errors.
        let q = w.query(
            "s1",
            "consent",
            "get_consent",
            json!({"consent_id": cid("NOPE")}),
        );
        assert_eq!(q.error(), Some("ConsentNotFound"));
        let q = w.query("s1", "consent", "evaluate", json!({"subject": id32("S1"), "actor": "nobody", "purpose": "TREAT", "data_class": "Any", "action": "Access"}));
        assert_eq!(q.error(), Some("ActorNotFound"));
        let q = w.query(
            "dr9",
            "consent",
            "access_log",
            json!({"subject": id32("S1"), "start": 0, "limit": 10}),
        );
        assert_eq!(q.error(), Some("Unauthorized"));
        let q = w.query(
            "s5",
            "consent",
            "access_log",
            json!({"subject": id32("S1"), "start": 0, "limit": 10}),
        );
        assert_eq!(q.error(), Some("SubjectMismatch"));
        out
    });
}

#[test]
fn a_subject_has_a_bounded_number_of_consents() {
    let mut w = World::new(carechain_runtime::EngineKind::Wasmi);
    network(&mut w, true);
    for i in 0..64 {
        ok(w.call(
            "s5",
            "consent",
            "create_consent",
            new_consent(&format!("N{i}"), "S5", T0, None, json!([])),
        ));
    }
    let r = w.call(
        "s5",
        "consent",
        "create_consent",
        new_consent("N64", "S5", T0, None, json!([])),
    );
    assert_eq!(r.error(), Some("TooManyConsents"));
    assert_eq!(
        ok(w.query(
            "s5",
            "consent",
            "list_consents",
            json!({"subject": id32("S5")})
        ))
        .value
        .as_array()
        .unwrap()
        .len(),
        64
    );
}

#[test]
fn a_trusted_contract_asks_on_behalf_of_an_actor_and_the_log_names_it() {
    on_both_engines(|w| {
        network(w, true);
        baseline(w, "s1", "C0", "S1");
        ok(w.call(
            "admin",
            "consent",
            "set_trusted_contract",
            json!({"contract": "claims", "trusted": true}),
        ));
        let r = ok(w.call(
            "claims",
            "consent",
            "check_access_for",
            json!({"requester": "pay1", "subject": id32("S1"), "purpose": "HPAYMT", "data_class": "Claim", "action": "Use"}),
        ));
        assert_eq!(r.value, json!("Permit"));
        let log = ok(w.query(
            "po",
            "consent",
            "access_log",
            json!({"subject": id32("S1"), "start": 0, "limit": 10}),
        ))
        .value;
        let claims = format!("0x{}", hex(&w.address("claims").0));
        let pay1 = format!("0x{}", hex(&w.address("pay1").0));
        assert_eq!(log[0]["via"], json!(claims));
        assert_eq!(log[0]["actor"], json!(pay1));
        // The requester must be an active actor.
        let unknown = w.call(
            "claims",
            "consent",
            "check_access_for",
            json!({"requester": "nobody", "subject": id32("S1"), "purpose": "HPAYMT", "data_class": "Claim", "action": "Use"}),
        );
        assert_eq!(unknown.error(), Some("Unauthorized"));
        assert_eq!(
            ok(w.query(
                "x",
                "consent",
                "has_role",
                json!({"actor": "pay1", "role": "Payer"})
            ))
            .value,
            json!(true)
        );
        assert_eq!(
            ok(w.query(
                "x",
                "consent",
                "has_role",
                json!({"actor": "pay1", "role": "Provider"})
            ))
            .value,
            json!(false)
        );
        (seen(&r), seen(&unknown))
    });
}

#[test]
fn no_personal_health_information_is_in_the_metadata_types() {
    // The chain stores pseudonymous ids, codes, times and hashes: no field of any stored type
    // is free text except organisation ids and break-the-glass reason codes, both bounded.
    let meta = carechain_tests::metadata("consent");
    let mut strings = Vec::new();
    for (name, def) in &meta.types {
        if let carechain_metadata::TypeDef::Struct { fields, .. } = def {
            for f in fields {
                if f.ty == carechain_metadata::Ty::String {
                    strings.push(format!("{name}.{}", f.name.clone().unwrap_or_default()));
                }
            }
        }
    }
    assert_eq!(strings, ["OrgId."]);
}
