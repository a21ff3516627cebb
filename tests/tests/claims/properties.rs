//! Property tests: adjudication against an independent model, balanced 835 lines.

use super::*;

// ---- properties ----

const CODES: [&str; 4] = ["70553", "99213", "97110", "J1100"];

#[derive(Clone, Debug)]
struct CodeRule {
    fee: Option<i64>,
    benefit: Option<(bool, i64, u16)>,
    needs_auth: bool,
}

#[derive(Clone, Debug)]
struct PlanCase {
    deductible: i64,
    oop_max: i64,
    rules: Vec<CodeRule>,
}

#[derive(Clone, Debug)]
struct LineCase {
    code: usize,
    units: u32,
    charge: i64,
    with_auth: bool,
    necessary: bool,
}

fn plan_strategy() -> impl Strategy<Value = PlanCase> {
    let rule = (
        prop::option::weighted(0.9, 0i64..=200_000),
        prop::option::weighted(0.9, (any::<bool>(), 0i64..=5_000, 0u16..=10_000)),
        any::<bool>(),
    )
        .prop_map(|(fee, benefit, needs_auth)| CodeRule {
            fee,
            benefit,
            needs_auth,
        });
    (
        0i64..=200_000,
        0i64..=400_000,
        prop::collection::vec(rule, 4),
    )
        .prop_map(|(deductible, extra, rules)| PlanCase {
            deductible,
            oop_max: deductible + extra,
            rules,
        })
}

fn lines_strategy() -> impl Strategy<Value = Vec<LineCase>> {
    prop::collection::vec(
        (
            0usize..4,
            1u32..=4,
            1i64..=400_000,
            any::<bool>(),
            prop::bool::weighted(0.8),
        )
            .prop_map(|(code, units, charge, with_auth, necessary)| LineCase {
                code,
                units,
                charge,
                with_auth,
                necessary,
            }),
        1..=5,
    )
}

fn plan_json(p: &PlanCase) -> Value {
    let mut fees = Vec::new();
    let mut benefits = Vec::new();
    let mut auth = Vec::new();
    for (code, r) in CODES.iter().zip(&p.rules) {
        if let Some(fee) = r.fee {
            fees.push(json!({ "proc_code": code, "unit_fee": fee }));
        }
        if let Some((applies, copay, bps)) = r.benefit {
            benefits.push(json!({ "proc_code": code, "benefit": {
                "deductible_applies": applies, "copay": copay, "coinsurance_bps": bps } }));
        }
        if r.needs_auth {
            auth.push(json!(code));
        }
    }
    json!({ "deductible": p.deductible, "oop_max": p.oop_max, "fee_schedule": fees,
            "benefits": benefits, "prior_auth_required": auth })
}

fn lines_json(lines: &[LineCase]) -> Value {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            line(
                i as u32 + 1,
                CODES[l.code],
                l.units,
                l.charge,
                l.with_auth.then_some("PA-P"),
            )
        })
        .collect()
}

/// DOMAIN.md §4 step 4, transcribed independently: the expected lines, updating `acc`
/// (deductible met, OOP met) and `auth_left`.
fn model(
    p: &PlanCase,
    auth_code: usize,
    auth_left: &mut u32,
    acc: &mut (i64, i64),
    lines: &[LineCase],
) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let no = i as u32 + 1;
        let rule = &p.rules[l.code];
        let auth_ok = l.with_auth && l.code == auth_code && l.units <= *auth_left;
        if rule.needs_auth && !auth_ok {
            out.push(denied(no, "CO", 197, l.charge));
            continue;
        }
        if !l.necessary {
            out.push(denied(no, "CO", 50, l.charge));
            continue;
        }
        let (Some(fee), Some((applies, copay, bps))) = (rule.fee, rule.benefit) else {
            out.push(denied(no, "CO", 204, l.charge));
            continue;
        };
        let allowed = l.charge.min(fee * i64::from(l.units));
        let mut ded = if applies {
            allowed.min((p.deductible - acc.0).max(0))
        } else {
            0
        };
        let mut cop = copay.min(allowed - ded);
        let mut coins = ((allowed - ded - cop) * i64::from(bps) + 5000) / 10000;
        let room = (p.oop_max - acc.1).max(0);
        let mut excess = (ded + cop + coins - room).max(0);
        for part in [&mut coins, &mut cop, &mut ded] {
            let cut = (*part).min(excess);
            *part -= cut;
            excess -= cut;
        }
        acc.0 += ded;
        acc.1 += ded + cop + coins;
        let mut adjustments = Vec::new();
        for (group, carc, amount) in [
            ("CO", 45, l.charge - allowed),
            ("PR", 1, ded),
            ("PR", 2, coins),
            ("PR", 3, cop),
        ] {
            if amount != 0 {
                adjustments.push(adj(group, carc, amount));
            }
        }
        let used = if rule.needs_auth {
            *auth_left -= l.units;
            l.units
        } else {
            0
        };
        out.push(priced(
            no,
            l.charge,
            allowed,
            ded,
            cop,
            coins,
            Value::Array(adjustments),
            used,
        ));
    }
    out
}

/// The 835 balancing invariants, checked on a response as a remittance reader would.
fn assert_balanced(response: &Value) {
    for l in response["lines"].as_array().unwrap() {
        let get = |f: &str| l[f].as_i64().unwrap();
        let adjustments = l["adjustments"].as_array().unwrap();
        let co: i64 = adjustments
            .iter()
            .filter(|a| a["group"] == "CO")
            .map(|a| a["amount"].as_i64().unwrap())
            .sum();
        assert_eq!(
            get("submitted"),
            get("eligible") + co,
            "charge = allowed + ΣCO: {l}"
        );
        assert_eq!(
            get("eligible"),
            get("benefit") + get("patient_resp"),
            "allowed = payer + patient: {l}"
        );
        assert_eq!(
            get("patient_resp"),
            get("deductible") + get("copay") + get("coinsurance"),
            "{l}"
        );
        for f in [
            "eligible",
            "deductible",
            "copay",
            "coinsurance",
            "benefit",
            "patient_resp",
        ] {
            assert!(get(f) >= 0, "{f} negative: {l}");
        }
        if adjustments
            .iter()
            .any(|a| a["group"] == "CO" && a["carc"] != 45)
        {
            assert_eq!(
                (get("eligible"), get("benefit"), get("patient_resp")),
                (0, 0, 0),
                "denied: {l}"
            );
        }
    }
}

fn property_setup(
    w: &mut World,
    p: &PlanCase,
    ded_met: i64,
    oop_met: i64,
    auth_code: usize,
    auth_units: u32,
) {
    setup(w);
    let mut c = coverage("COV1", "Active");
    c["coverage"]["plan"] = plan_json(p);
    ok(w.call("pay1", "claims", "upsert_coverage", c));
    ok(w.call(
        "pay1",
        "claims",
        "set_accumulators",
        json!({ "coverage_id": "COV1", "plan_year": 2025, "deductible_met": ded_met, "oop_met": oop_met }),
    ));
    ok(w.call(
        "pay1",
        "claims",
        "record_prior_auth",
        prior_auth("PA-P", "prv1", CODES[auth_code], auth_units, "Approved"),
    ));
}

/// One property case: a random plan, opening balances, prior auth, claim and replacement.
/// Every line balances and matches the specification transcribed independently ([`model`]);
/// accumulators never pass the deductible or the OOP maximum; a replacement then a void restore
/// the accumulators and the auth exactly. Returns what the engines must agree on.
fn property_case(
    w: &mut World,
    p: &PlanCase,
    met: (u32, u32),
    auth: (usize, u32),
    first: &[LineCase],
    second: &[LineCase],
    pay_first: bool,
) -> Vec<Seen> {
    let ded_met = p.deductible * i64::from(met.0) / 100;
    let oop_met = ded_met + (p.oop_max - ded_met) * i64::from(met.1) / 100;
    property_setup(w, p, ded_met, oop_met, auth.0, auth.1);
    let initial = accumulators(w, 2025);
    assert_eq!(initial, (ded_met, oop_met));
    let mut log = Vec::new();

    // The original.
    let s = ok(w.call(
        "prv1",
        "claims",
        "submit_claim",
        claim("CLM-P", "Original", lines_json(first)),
    ));
    let necessary: Vec<bool> = first.iter().map(|l| l.necessary).collect();
    let r = ok(adjudicate(w, "CLM-P", &necessary));
    assert_balanced(&r.value);
    let mut acc = initial;
    let mut left = auth.1;
    assert_eq!(
        r.value,
        complete(model(p, auth.0, &mut left, &mut acc, first), None)
    );
    let after = accumulators(w, 2025);
    assert_eq!(after, acc);
    assert!(
        after.0 <= p.deductible && after.1 <= p.oop_max,
        "{after:?} over {p:?}"
    );
    let old_benefit = r.value["totals"]["benefit"].as_i64().unwrap();
    log.extend([s, r].iter().map(seen));
    if pay_first {
        let paid = ok(w.call(
            "pay1",
            "claims",
            "record_payment",
            json!({ "claim": key("CLM-P"), "amount": old_benefit, "trace_hash": padded("TRN", 32) }),
        ));
        log.push(seen(&paid));
    }

    // Its replacement: adjudicated from the initial balances.
    let s = ok(w.call(
        "prv1",
        "claims",
        "submit_claim",
        claim("CLM-P", "Replacement", lines_json(second)),
    ));
    let necessary: Vec<bool> = second.iter().map(|l| l.necessary).collect();
    let r = ok(adjudicate(w, "CLM-P", &necessary));
    assert_balanced(&r.value);
    let mut acc = initial;
    let mut left = auth.1;
    let expected_lines = model(p, auth.0, &mut left, &mut acc, second);
    let new_benefit: i64 = expected_lines
        .iter()
        .map(|l| l["benefit"].as_i64().unwrap())
        .sum();
    let delta = pay_first.then_some(new_benefit - old_benefit);
    assert_eq!(r.value, complete(expected_lines, delta));
    let after = accumulators(w, 2025);
    assert_eq!(after, acc);
    assert!(
        after.0 <= p.deductible && after.1 <= p.oop_max,
        "{after:?} over {p:?}"
    );
    log.extend([s, r].iter().map(seen));

    // Its void: back to where we started.
    let v = ok(w.call(
        "prv1",
        "claims",
        "submit_claim",
        claim("CLM-P", "Void", lines_json(second)),
    ));
    assert_eq!(accumulators(w, 2025), initial);
    assert_eq!(auth_state(w, "PA-P").1, 0);
    log.push(seen(&v));
    log
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// [`property_case`] on wasmi.
    #[test]
    fn adjudication_balances_and_reversal_restores(
        p in plan_strategy(),
        met in (0u32..=100, 0u32..=100),
        auth in (0usize..4, 0u32..=6),
        first in lines_strategy(),
        second in lines_strategy(),
        pay_first in any::<bool>(),
    ) {
        let mut w = World::new(EngineKind::Wasmi);
        property_case(&mut w, &p, met, auth, &first, &second, pay_first);
    }

    /// The integer calendar: `plan_year` agrees with a year-by-year count of seconds.
    #[test]
    fn plan_year_is_the_calendar_year(t in 0u64..=7_258_118_400) {
        let mut year = 1970u32;
        let mut start = 0u64;
        loop {
            let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
            let next = start + if leap { 366 } else { 365 } * 86_400;
            if t < next {
                break;
            }
            start = next;
            year += 1;
        }
        let w = YEAR_WORLD.with(|w| w.query("x", "claims", "plan_year", json!({ "service_date": t })).value);
        prop_assert_eq!(w, json!(year));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// [`property_case`] on both engines: same results, same gas, same state root.
    #[test]
    fn adjudication_properties_agree_across_engines(
        p in plan_strategy(),
        met in (0u32..=100, 0u32..=100),
        auth in (0usize..4, 0u32..=6),
        first in lines_strategy(),
        second in lines_strategy(),
        pay_first in any::<bool>(),
    ) {
        on_both_engines(|w| property_case(w, &p, met, auth, &first, &second, pay_first));
    }
}

thread_local! {
    static YEAR_WORLD: World = {
        let mut w = World::new(EngineKind::Wasmi);
        ok(w.deploy("claims", "admin", "new", json!({ "consent": "nobody" })));
        w
    };
}
