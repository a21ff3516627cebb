//! GS1 identifiers and dates, in integers only: check digits of GTIN, SSCC and GLN, the
//! character sets of serial and lot numbers, and the conversion of an AI (17) expiry date
//! `YYMMDD` into the first second after the product expires.
//!
//! Pure functions with no dependency on the contract runtime, so the tests compile this very
//! file natively (`#[path]`) and check it directly.

/// Seconds in a day.
pub const DAY: u64 = 86_400;

/// Longest serial number (AI 21) and lot number (AI 10), in characters.
pub const MAX_SERIAL_OR_LOT: usize = 20;

/// The GS1 mod-10 check digit of `data` (ASCII digits, without the check digit): weights 3 and 1
/// alternate from the rightmost digit, which has weight 3. `None` if `data` has a non-digit.
pub fn check_digit(data: &[u8]) -> Option<u8> {
    let mut sum: u32 = 0;
    for (i, b) in data.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let digit = u32::from(b - b'0');
        let weight = if i % 2 == 0 { 3 } else { 1 };
        // Only the sum modulo 10 matters; keeping it reduced means it cannot overflow.
        sum = (sum + digit * weight) % 10;
    }
    Some(((10 - sum) % 10) as u8)
}

/// True if `key` is exactly `len` ASCII digits whose last digit is the GS1 check digit of the
/// others.
pub fn is_valid_key(key: &str, len: usize) -> bool {
    let bytes = key.as_bytes();
    if bytes.len() != len || len < 2 {
        return false;
    }
    let (data, check) = bytes.split_at(len - 1);
    match (check_digit(data), check[0]) {
        (Some(expected), c) if c.is_ascii_digit() => c - b'0' == expected,
        _ => false,
    }
}

/// A GTIN-14 (AI 01) with a valid check digit. Shorter GTINs are written left-padded with zeros.
pub fn is_gtin14(s: &str) -> bool {
    is_valid_key(s, 14)
}

/// An SSCC (AI 00): 18 digits with a valid check digit.
pub fn is_sscc18(s: &str) -> bool {
    is_valid_key(s, 18)
}

/// A GLN (AI 414): 13 digits with a valid check digit.
pub fn is_gln13(s: &str) -> bool {
    is_valid_key(s, 13)
}

/// A serial number (AI 21) as DSCSA's standardized numerical identifier requires: 1 to 20
/// ASCII letters and digits.
pub fn is_serial(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_SERIAL_OR_LOT && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A character of GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
pub fn is_cset82(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'"'
                | b'%'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b'-'
                | b'.'
                | b'/'
                | b':'
                | b';'
                | b'<'
                | b'='
                | b'>'
                | b'?'
                | b'_'
        )
}

/// A lot or batch number (AI 10): 1 to 20 characters of character set 82.
pub fn is_lot(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_SERIAL_OR_LOT && s.bytes().all(is_cset82)
}

/// True for Gregorian leap years.
pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1-12) of `year`; 0 for a month outside 1-12.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian date `year-month-day` (negative before 1970).
/// Howard Hinnant's `days_from_civil`: exact for every date, integers only. `month` is 1-12 and
/// `day` 1-31 (not checked here).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of day `days` after 1970-01-01: the inverse of
/// [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The full year of a two-digit year `yy` (0-99) seen in `current_year`, by the GS1 rule
/// (General Specifications §7.12): if `yy` minus the current two-digit year is 51 or more, the
/// year is in the previous century; if it is -50 or less, in the next; else in this one.
pub fn full_year(yy: u32, current_year: i64) -> i64 {
    let current_yy = current_year.rem_euclid(100);
    let century = current_year - current_yy;
    let diff = i64::from(yy) - current_yy;
    if diff >= 51 {
        century - 100 + i64::from(yy)
    } else if diff <= -50 {
        century + 100 + i64::from(yy)
    } else {
        century + i64::from(yy)
    }
}

fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [a, c] if a.is_ascii_digit() && c.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(c - b'0'))
        }
        _ => None,
    }
}

/// The calendar date `(year, month, day)` an AI (17) `YYMMDD` stands for, read at Unix time
/// `now` (for the century). Day `00` means the last day of the month when `day_00_is_last_day`
/// (GS1 General Specifications, AI (17); marked [U] in DOMAIN.md), and is refused otherwise. `None` if the text is not a
/// date.
pub fn ai17_date(yymmdd: &str, now: u64, day_00_is_last_day: bool) -> Option<(i64, u32, u32)> {
    let b = yymmdd.as_bytes();
    if b.len() != 6 {
        return None;
    }
    let yy = two_digits(&b[0..2])?;
    let month = two_digits(&b[2..4])?;
    let day = two_digits(&b[4..6])?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let days_now = i64::try_from(now / DAY).ok()?;
    let (current_year, _, _) = civil_from_days(days_now);
    let year = full_year(yy, current_year);
    let last = days_in_month(year, month);
    let day = match day {
        0 if day_00_is_last_day => last,
        0 => return None,
        d if d <= last => d,
        _ => return None,
    };
    Some((year, month, day))
}

/// The end of an AI (17) expiry date as a half-open bound: the first second (UTC) of the day after
/// the date, so the product is usable at `t` iff `t < end`. `None` if the text is not a date or
/// the date is before 1970.
pub fn ai17_expiry_end(yymmdd: &str, now: u64, day_00_is_last_day: bool) -> Option<u64> {
    let (year, month, day) = ai17_date(yymmdd, now, day_00_is_last_day)?;
    let next_day = days_from_civil(year, month, day).checked_add(1)?;
    let days = u64::try_from(next_day).ok()?;
    // Not `checked_mul`: on wasm32 it needs a 128-bit multiply (`__multi3`).
    (days <= u64::MAX / DAY).then(|| days * DAY)
}
