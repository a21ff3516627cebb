//! ISBT 128 syntax checks of the identifiers a unit carries (ST-001, the Donation
//! Identification Number and the product code data structures).

use crate::types::{DIN_LEN, PRODUCT_CODE_LEN};

/// ISBT 128 DIN syntax: first character A-N, P-Z or 1-9, then 12 digits.
pub(crate) fn din_syntax(din: &str) -> bool {
    let b = din.as_bytes();
    b.len() == DIN_LEN
        && b.iter().enumerate().all(|(i, c)| match i {
            0 => matches!(c, b'A'..=b'N' | b'P'..=b'Z' | b'1'..=b'9'),
            _ => c.is_ascii_digit(),
        })
}

/// ISBT 128 product code syntax, position by position (a prefix is checked as far as it
/// goes): an upper-case letter, 4 digits, donation type (upper-case letter or digit),
/// divisions (upper-case letter or digit, then lower-case letter or digit).
pub(crate) fn product_code_syntax(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() <= PRODUCT_CODE_LEN
        && b.iter().enumerate().all(|(i, c)| match i {
            0 => c.is_ascii_uppercase(),
            1..=4 => c.is_ascii_digit(),
            5 | 6 => c.is_ascii_uppercase() || c.is_ascii_digit(),
            _ => c.is_ascii_lowercase() || c.is_ascii_digit(),
        })
}
