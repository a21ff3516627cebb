//! GS1 identifiers and dates: check digits and AI (17) expiry.

use super::*;

// ---- GS1 identifiers and dates ----

#[test]
fn gs1_check_digits() {
    assert!(gs1::is_gtin14(GTIN));
    assert_eq!(gs1::check_digit(b"0031234567890"), Some(6));
    for bad in [
        "00312345678900",
        "00312345678901",
        "00312345678907",
        "0031234567890",
        "003123456789060",
        "0031234567890a",
        "",
    ] {
        assert!(!gs1::is_gtin14(bad), "{bad}");
    }
    assert!(gs1::is_sscc18(SSCC1));
    assert!(gs1::is_sscc18(SSCC2));
    assert!(!gs1::is_sscc18("003123450000000012"));
    assert!(!gs1::is_sscc18("003123450000000021"));
    assert!(!gs1::is_sscc18(GTIN));
    // Published examples: EAN-13 4006381333931 (as a GTIN-14 with a leading 0), GTIN-13
    // 6291041500213 and SSCC 106141411234567897.
    assert!(gs1::is_gtin14("04006381333931"));
    assert!(gs1::is_sscc18("106141411234567897"));
    assert!(!gs1::is_sscc18("106141411234567890"));
    assert!(gs1::is_gln13(&gln(1)));
    assert_eq!(gs1::check_digit(b"629104150021"), Some(3));
    // A zero check digit: the weighted sum is a multiple of 10.
    assert_eq!(gs1::check_digit(b"0000000000000"), Some(0));
    assert_eq!(gs1::check_digit(b"12a"), None);
}

#[test]
fn gs1_serial_and_lot_character_sets() {
    assert!(gs1::is_serial("A1"));
    assert!(gs1::is_serial("ABCDEFGHIJ0123456789"));
    assert!(!gs1::is_serial("ABCDEFGHIJ01234567890"));
    assert!(!gs1::is_serial(""));
    assert!(!gs1::is_serial("A-1"));
    assert!(!gs1::is_serial("Ä1"));
    assert!(gs1::is_lot("L1"));
    assert!(gs1::is_lot("24-001/B.7_x"));
    assert!(!gs1::is_lot("L 1"));
    assert!(!gs1::is_lot("L#1"));
    assert!(!gs1::is_lot(""));
    assert!(!gs1::is_lot("ABCDEFGHIJ01234567890"));
}

#[test]
fn days_from_civil_is_exact() {
    assert_eq!(gs1::days_from_civil(1970, 1, 1), 0);
    assert_eq!(gs1::days_from_civil(1969, 12, 31), -1);
    assert_eq!(gs1::days_from_civil(2000, 3, 1), 11_017);
    // The fixtures of DOMAIN.md §6.
    for (y, m, d, t) in [
        (2025, 1, 1, 1_735_689_600u64),
        (2025, 3, 10, 1_741_564_800),
        (2025, 7, 1, 1_751_328_000),
        (2026, 1, 1, 1_767_225_600),
    ] {
        assert_eq!(
            gs1::days_from_civil(y, m, d) * 86_400,
            t as i64,
            "{y}-{m}-{d}"
        );
    }
    // Round trip over four centuries, day by day, with a running count.
    let mut days = gs1::days_from_civil(1900, 1, 1);
    for year in 1900..2300 {
        for month in 1..=12 {
            for day in 1..=gs1::days_in_month(year, month) {
                assert_eq!(gs1::days_from_civil(year, month, day), days);
                assert_eq!(gs1::civil_from_days(days), (year, month, day));
                days += 1;
            }
        }
    }
    assert!(gs1::is_leap(2024) && gs1::is_leap(2000) && gs1::is_leap(2400));
    assert!(!gs1::is_leap(2025) && !gs1::is_leap(1900) && !gs1::is_leap(2100));
    assert_eq!(gs1::days_in_month(2024, 2), 29);
    assert_eq!(gs1::days_in_month(2100, 2), 28);
    assert_eq!(gs1::days_in_month(2025, 13), 0);
}

#[test]
fn ai17_dates_end_at_midnight_after_the_day() {
    let end = |s: &str| gs1::ai17_expiry_end(s, T0, true);
    // Scenario 11.
    assert_eq!(end("250630"), Some(JULY_1_2025));
    assert_eq!(end("251231"), Some(JAN_1_2026));
    // Day 00: the last day of the month, leap years included.
    assert_eq!(end("250600"), Some(JULY_1_2025));
    assert_eq!(end("280200"), end("280229"));
    assert_eq!(end("270200"), end("270228"));
    assert_eq!(
        end("280229"),
        Some(gs1::days_from_civil(2028, 3, 1) as u64 * 86_400)
    );
    assert_eq!(end("251200"), Some(JAN_1_2026));
    // Day 00 refused when so configured.
    assert_eq!(gs1::ai17_expiry_end("250600", T0, false), None);
    assert_eq!(gs1::ai17_expiry_end("250630", T0, false), Some(JULY_1_2025));
    // Not dates.
    for bad in [
        "270229", "250631", "251301", "250001", "25063", "2506300", "25O630", "",
    ] {
        assert_eq!(end(bad), None, "{bad}");
    }
    // The GS1 century window, read at the block time (2025): +50 years this century, +51 the
    // previous one.
    assert_eq!(gs1::full_year(75, 2025), 2075);
    assert_eq!(gs1::full_year(76, 2025), 1976);
    assert_eq!(gs1::full_year(0, 2025), 2000);
    assert_eq!(gs1::full_year(2, 2099), 2102);
    assert_eq!(gs1::full_year(49, 2099), 2149);
    assert_eq!(gs1::full_year(50, 2099), 2050);
    assert_eq!(gs1::ai17_date("760101", T0, true), Some((1976, 1, 1)));
    assert_eq!(
        end("760101"),
        Some(gs1::days_from_civil(1976, 1, 2) as u64 * 86_400)
    );
    // Before 1970 there is no Unix time: 1969-12-31 ends at 0, a day earlier does not exist.
    assert_eq!(gs1::ai17_expiry_end("691231", 0, true), Some(0));
    assert_eq!(gs1::ai17_expiry_end("691230", 0, true), None);
}
