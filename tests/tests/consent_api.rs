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

/// Every type named anywhere in a contract's metadata, with where it is named.
fn named_types(ty: &Ty, at: &str, out: &mut Vec<(String, String)>) {
    match ty {
        Ty::Named(name) => out.push((name.clone(), at.to_string())),
        Ty::Vec(t) | Ty::Option(t) | Ty::Array(t, _) => named_types(t, at, out),
        Ty::Result(t, e) => {
            named_types(t, at, out);
            named_types(e, at, out);
        }
        Ty::Tuple(ts) => ts.iter().for_each(|t| named_types(t, at, out)),
        _ => {}
    }
}

/// Imported types (`#[derive(TypeInfo)]`, from consent-api or a contract's own modules) must
/// still be described: every name the metadata uses has its definition in `types`, so the CLI
/// and RPC can encode and decode every argument, result, error and event.
#[test]
fn every_type_a_contracts_metadata_names_is_described() {
    for contract in carechain_contracts::names() {
        let m = metadata(contract);
        let mut named = Vec::new();
        for msg in m.constructors.iter().chain(&m.messages) {
            for arg in &msg.args {
                named_types(&arg.ty, &msg.name, &mut named);
            }
            named_types(&msg.returns, &msg.name, &mut named);
            if let Some(e) = &msg.error {
                named_types(e, &msg.name, &mut named);
            }
        }
        for ev in &m.events {
            for f in &ev.fields {
                named_types(&f.ty, &ev.name, &mut named);
            }
        }
        for (name, def) in &m.types {
            let fields: Vec<&carechain_metadata::Field> = match def {
                TypeDef::Struct { fields, .. } => fields.iter().collect(),
                TypeDef::Enum { variants, .. } => variants.iter().flat_map(|v| &v.fields).collect(),
            };
            for f in fields {
                named_types(&f.ty, name, &mut named);
            }
        }
        for (name, at) in named {
            assert!(
                m.types.contains_key(&name),
                "{contract}: `{name}` (named by `{at}`) has no definition in the metadata"
            );
        }
    }
}
