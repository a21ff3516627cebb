//! Property tests: ABO/RhD compatibility against an independent table.

use super::*;

// ---- property tests: compatibility against an independent table ----

const GROUPS: [&str; 4] = ["O", "A", "B", "AB"];
const RHD: [&str; 2] = ["Pos", "Neg"];
/// DOMAIN.md §3, red cells: donor rows O, A, B, AB; recipient columns O, A, B, AB.
const RED_CELLS: [[bool; 4]; 4] = [
    [true, true, true, true],
    [false, true, false, true],
    [false, false, true, true],
    [false, false, false, true],
];
/// DOMAIN.md §3, plasma: AB -> all; A -> A, O; B -> B, O; O -> O only.
const PLASMA: [[bool; 4]; 4] = [
    [true, false, false, false],
    [true, true, false, false],
    [true, false, true, false],
    [true, true, true, true],
];
/// Component kinds: (product-code prefix, class, low-titer).
pub(crate) const KINDS: [(&str, &str, bool); 7] = [
    (RBC, "RedCells", false),
    (WB, "WholeBlood", false),
    (LTOWB, "WholeBlood", true),
    (FFP, "Plasma", false),
    (CRYO, "Cryo", false),
    (PLT, "Platelets", false),
    (PLT_LT, "Platelets", true),
];

/// A platelet policy as five actions: major, minor low-titer, minor, RhD+ to RhD-, RhD-
/// available for an rh_sensitive recipient.
type Policy = [&'static str; 5];
const DEFAULT_POLICY: Policy = ["Warn", "Warn", "Reject", "Warn", "Reject"];

fn policy_json(p: &Policy) -> Value {
    json!({"abo_major_mismatch": p[0], "abo_minor_mismatch_low_titer": p[1],
           "abo_minor_mismatch": p[2], "rhd_pos_to_neg": p[3], "rhd_negative_available": p[4]})
}

/// The expected `compatibility` report, from the tables above and the documented platelet
/// policy; `neg_here`: an RhD- platelet unit is Available at the unit's location.
#[allow(clippy::too_many_arguments)]
fn model(
    class: &str,
    low_titer: bool,
    d: usize,
    d_neg: bool,
    r: usize,
    r_neg: bool,
    rh_sensitive: bool,
    neg_here: bool,
    policy: &Policy,
) -> Value {
    let rhd_mismatch = !d_neg && r_neg;
    let crossmatch = if matches!(class, "RedCells" | "WholeBlood") {
        "Required"
    } else {
        "NotRequired"
    };
    let rejected =
        |why: &str| json!({"compatibility": {"Rejected": why}, "crossmatch": crossmatch});
    let allowed = |w: Vec<&str>| {
        if w.is_empty() {
            json!({"compatibility": "Allowed", "crossmatch": crossmatch})
        } else {
            json!({"compatibility": {"AllowedWithWarning": w}, "crossmatch": crossmatch})
        }
    };
    match class {
        "RedCells" | "WholeBlood" => {
            let abo = if class == "RedCells" || (low_titer && d == 0) {
                RED_CELLS[d][r]
            } else {
                d == r // whole blood: ABO-identical
            };
            if !abo {
                rejected("AboIncompatible")
            } else if rhd_mismatch {
                rejected("RhdIncompatible")
            } else {
                allowed(vec![])
            }
        }
        "Plasma" | "Cryo" => {
            if PLASMA[d][r] {
                allowed(vec![])
            } else {
                rejected("AboIncompatible")
            }
        }
        "Platelets" => {
            let mut warnings = Vec::new();
            let rules = [
                (
                    !RED_CELLS[d][r],
                    policy[0],
                    "AboMajorMismatch",
                    "AboIncompatible",
                ),
                (
                    !PLASMA[d][r],
                    if low_titer { policy[1] } else { policy[2] },
                    "AboMinorMismatch",
                    "PlateletPlasmaIncompatible",
                ),
                (
                    rhd_mismatch,
                    policy[3],
                    "RhIgRecommended",
                    "RhdIncompatible",
                ),
                (
                    rhd_mismatch && rh_sensitive && neg_here,
                    policy[4],
                    "RhIgRecommended",
                    "RhdNegativeAvailable",
                ),
            ];
            for (applies, action, warning, rejection) in rules {
                if !applies {
                    continue;
                }
                match action {
                    "Reject" => return rejected(rejection),
                    "Warn" if !warnings.contains(&warning) => warnings.push(warning),
                    _ => {}
                }
            }
            allowed(warnings)
        }
        other => panic!("no class {other}"),
    }
}

fn recipient_label(r: usize, r_neg: bool, sensitive: bool) -> String {
    format!(
        "R-{}-{}-{}",
        GROUPS[r],
        RHD[usize::from(r_neg)],
        u8::from(sensitive)
    )
}

/// Stocks one unit of every kind and blood group at `bc1`, RhD+ platelets also at `ts2` (where no
/// RhD- platelets are), and registers the 16 recipient typings. Returns the units:
/// (din, product code, class, low-titer, donor group, donor RhD-, location, RhD- here).
#[allow(clippy::type_complexity)]
fn compatibility_world(
    w: &mut World,
) -> Vec<(
    String,
    String,
    &'static str,
    bool,
    usize,
    bool,
    &'static str,
    bool,
)> {
    network(w);
    for (r, group) in GROUPS.iter().enumerate() {
        for r_neg in [false, true] {
            for sensitive in [false, true] {
                recipient(
                    w,
                    &recipient_label(r, r_neg, sensitive),
                    group,
                    RHD[usize::from(r_neg)],
                    sensitive,
                );
            }
        }
    }
    let mut units = Vec::new();
    let mut n = 1000;
    for (prefix, class, low_titer) in KINDS {
        for (d, group) in GROUPS.iter().enumerate() {
            for d_neg in [false, true] {
                n += 1;
                let (dn, pc) = (din(n), code(prefix));
                released(w, "bc1", &dn, &pc, group, RHD[usize::from(d_neg)], EXPIRY);
                units.push((dn, pc.clone(), class, low_titer, d, d_neg, "bc1", true));
                if class == "Platelets" && !d_neg {
                    n += 1;
                    let dn = din(n);
                    stock(w, "ts2", &dn, &pc, group, "Pos");
                    units.push((dn, pc, class, low_titer, d, d_neg, "ts2", false));
                }
            }
        }
    }
    units
}

#[test]
fn every_abo_rhd_combination_matches_the_independent_tables() {
    on_both_engines(|w| {
        let units = compatibility_world(w);
        let mut checked = 0;
        let mut gas = 0u64;
        for (dn, pc, class, low_titer, d, d_neg, _, neg_here) in &units {
            for (r, group) in GROUPS.iter().enumerate() {
                for r_neg in [false, true] {
                    for sensitive in [false, true] {
                        let got = ok(query(
                            w,
                            "compatibility",
                            json!({"unit": key(dn, pc), "recipient": id32(&recipient_label(r, r_neg, sensitive))}),
                        ));
                        let want = model(
                            class,
                            *low_titer,
                            *d,
                            *d_neg,
                            r,
                            r_neg,
                            sensitive,
                            *neg_here,
                            &DEFAULT_POLICY,
                        );
                        assert_eq!(
                            got.value,
                            want,
                            "{class} lt={low_titer} {}{} -> {}{} sensitive={sensitive} neg_here={neg_here}",
                            GROUPS[*d],
                            RHD[usize::from(*d_neg)],
                            group,
                            RHD[usize::from(r_neg)]
                        );
                        gas += got.result.gas_used;
                        checked += 1;
                    }
                }
            }
        }
        // 7 kinds x 8 donor groups x 16 recipient typings, plus the RhD+ platelets elsewhere.
        assert_eq!(checked, 7 * 8 * 16 + 8 * 16);
        (checked, gas)
    });
}

fn arb_action() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("Allow"), Just("Warn"), Just("Reject")]
}

#[test]
fn any_platelet_policy_is_applied_as_configured() {
    let units = RefCell::new(Vec::new());
    let lock = RefCell::new(Lockstep::new(|w| {
        let u = compatibility_world(w);
        *units.borrow_mut() = u;
    }));
    let units = units.into_inner();
    let platelets: Vec<_> = units.into_iter().filter(|u| u.2 == "Platelets").collect();
    let n = platelets.len();
    let mut runner = TestRunner::new(ProptestConfig::with_cases(24));
    let strategy = (
        [
            arb_action(),
            arb_action(),
            arb_action(),
            arb_action(),
            arb_action(),
        ],
        proptest::collection::vec((0..n, 0usize..4, any::<bool>(), any::<bool>()), 16),
    );
    runner
        .run(&strategy, |(policy, picks)| {
            let mut lock = lock.borrow_mut();
            let mut config = ok(query(lock.w(), "get_config", Value::Null)).value;
            config["platelet_policy"] = policy_json(&policy);
            lock.both(|w| ok(bb(w, "admin", "set_config", json!({"config": config.clone()}))));
            for (i, r, r_neg, sensitive) in picks {
                let (dn, pc, class, low_titer, d, d_neg, _, neg_here) = &platelets[i];
                let got = lock.both(|w| {
                    ok(query(
                        w,
                        "compatibility",
                        json!({"unit": key(dn, pc), "recipient": id32(&recipient_label(r, r_neg, sensitive))}),
                    ))
                });
                let want = model(class, *low_titer, *d, *d_neg, r, r_neg, sensitive, *neg_here, &policy);
                prop_assert_eq!(got.value, want, "policy {:?}", policy);
            }
            Ok(())
        })
        .unwrap();
}
