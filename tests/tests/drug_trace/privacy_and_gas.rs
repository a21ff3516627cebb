//! Privacy and gas.

use super::*;

// ---- privacy and gas ----

#[test]
fn no_personal_health_information_is_in_the_metadata_types() {
    // Text fields are GS1 identifiers only; subjects are pseudonymous ids.
    let meta = carechain_tests::metadata(DT);
    let mut strings = Vec::new();
    for (name, def) in &meta.types {
        if let carechain_metadata::TypeDef::Struct { fields, .. } = def {
            for f in fields {
                if f.ty == carechain_metadata::Ty::String {
                    strings.push(name.clone());
                }
            }
        }
    }
    strings.sort();
    assert_eq!(
        strings,
        ["ExpiryDate", "Gln", "Gtin", "LotNumber", "Serial", "Sscc"]
    );
}

#[test]
fn typical_gas_of_a_shipment_and_its_receipt() {
    let gas = on_both_engines(|w| {
        network(w, false);
        ok(commission(w, &["G1"], "LG", EXP));
        let one_ship = ok(ship(w, "mfr1", json!([sg("G1")]), "whs1", "H"))
            .result
            .gas_used;
        let one_receive = ok(receive(w, "whs1", json!([sg("G1")]))).result.gas_used;
        let serials: Vec<String> = (0..24).map(|i| format!("C{i}")).collect();
        let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
        ok(commission(w, &refs, "LG", EXP));
        let children: Vec<Value> = refs.iter().map(|s| sg(s)).collect();
        ok(pack(w, "mfr1", SSCC1, json!(children)));
        let case_ship = ok(ship(w, "mfr1", json!([sc(SSCC1)]), "whs1", "H"))
            .result
            .gas_used;
        let case_receive = ok(receive(w, "whs1", json!([sc(SSCC1)]))).result.gas_used;
        (one_ship, one_receive, case_ship, case_receive)
    });
    println!(
        "gas: ship 1 package {}, receive it {}; ship a case of 24 {}, receive it {}",
        gas.0, gas.1, gas.2, gas.3
    );
    assert!(gas.0 < 2_000_000 && gas.2 < 20_000_000, "{gas:?}");
}
