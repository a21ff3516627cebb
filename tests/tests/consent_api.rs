//! The consent interface (`contracts/consent-api`) is one definition in every contract that
//! exchanges it with AccessConsent: the metadata read from each compiled contract describes each
//! shared type identically, and the SCALE encoding of every variant is pinned here. A change to
//! a shared type (a new `Role` in the middle, a reordered `PurposeOfUse`) fails this test until
//! the pins are updated on purpose, and a contract built against another definition fails the
//! comparison.

use carechain_metadata::{Ty, TypeDef};
use carechain_tests::metadata;
use serde_json::{Value, json};

/// The consent types each contract's interface carries (its messages, events and errors).
const SHARED: &[(&str, &[&str])] = &[
    (
        "consent",
        &[
            "SubjectId",
            "Role",
            "PurposeOfUse",
            "DataClass",
            "Action",
            "DenyReason",
            "Decision",
        ],
    ),
    ("claims", &["SubjectId", "Role"]),
    ("blood-bank", &["SubjectId", "Role"]),
    ("drug-trace", &["SubjectId", "Role"]),
];

#[test]
fn every_contract_describes_the_consent_types_as_consent_does() {
    let consent = metadata("consent");
    for (contract, types) in SHARED {
        let m = metadata(contract);
        for ty in *types {
            let def = m
                .types
                .get(*ty)
                .unwrap_or_else(|| panic!("{contract}'s metadata lacks `{ty}`"));
            assert_eq!(
                def, &consent.types[*ty],
                "{contract} describes `{ty}` unlike consent"
            );
        }
    }
}

/// The variants of a fieldless enum, in index order, as consent's metadata lists them.
fn variants(ty: &str) -> Vec<(String, u8)> {
    let TypeDef::Enum { variants, .. } = &metadata("consent").types[ty] else {
        panic!("`{ty}` is an enum")
    };
    variants.iter().map(|v| (v.name.clone(), v.index)).collect()
}

fn encode(ty: &str, value: Value) -> Vec<u8> {
    let no_names = |_: &str| None;
    metadata("consent")
        .encode_value(&Ty::Named(ty.into()), &value, &no_names)
        .unwrap_or_else(|e| panic!("{ty} {value}: {e}"))
}

#[test]
fn the_encoding_of_each_consent_type_is_pinned() {
    let pinned: &[(&str, &[&str])] = &[
        (
            "Role",
            &[
                "NetworkAdmin",
                "Patient",
                "Practitioner",
                "PrivacyOfficer",
                "Manufacturer",
                "Wholesaler",
                "Dispenser",
                "Regulator",
                "BloodEstablishment",
                "TransfusionService",
                "MedicalDirector",
                "Provider",
                "Payer",
            ],
        ),
        (
            "PurposeOfUse",
            &[
                "TREAT", "ETREAT", "HPAYMT", "HOPERAT", "HRESCH", "PUBHLTH", "BTG", "COVAUTH",
                "ELIGVER",
            ],
        ),
        (
            "DataClass",
            &[
                "Claim",
                "Coverage",
                "MedicationDispense",
                "Transfusion",
                "BloodType",
                "Any",
            ],
        ),
        (
            "Action",
            &["Access", "Use", "Disclose", "Collect", "Correct"],
        ),
        (
            "DenyReason",
            &["DeniedByProvision", "NoConsent", "ConsentExpired"],
        ),
    ];
    for (ty, names) in pinned {
        let expected: Vec<(String, u8)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), u8::try_from(i).unwrap()))
            .collect();
        assert_eq!(variants(ty), expected, "the variants of `{ty}` changed");
        for (name, index) in expected {
            assert_eq!(encode(ty, json!(name)), [index], "{ty}::{name}");
        }
    }

    assert_eq!(encode("Decision", json!("Permit")), [0]);
    assert_eq!(encode("Decision", json!("PermitBreakGlass")), [1]);
    assert_eq!(
        encode("Decision", json!({"Deny": "DeniedByProvision"})),
        [2, 0]
    );
    assert_eq!(encode("Decision", json!({"Deny": "NoConsent"})), [2, 1]);
    assert_eq!(
        encode("Decision", json!({"Deny": "ConsentExpired"})),
        [2, 2]
    );
    assert_eq!(
        variants_of_decision(),
        ["Permit", "PermitBreakGlass", "Deny"]
    );

    let subject = [0xab_u8; 32];
    assert_eq!(
        encode("SubjectId", json!(format!("0x{}", "ab".repeat(32)))),
        subject
    );
}

fn variants_of_decision() -> Vec<String> {
    let TypeDef::Enum { variants, .. } = &metadata("consent").types["Decision"] else {
        panic!("`Decision` is an enum")
    };
    variants.iter().map(|v| v.name.clone()).collect()
}
