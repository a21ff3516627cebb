//! Bytes on the wire: lower-case hex, a `0x` prefix accepted on input.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Hex to bytes, `0x` optional.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text.trim().trim_start_matches("0x")).ok()
}

/// 32 bytes (a hash, an address, a public key, a topic), as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hex32(pub [u8; 32]);

impl Hex32 {
    /// Parses 64 hex digits (`0x` optional).
    pub fn parse(text: &str) -> Option<Self> {
        unhex(text).and_then(|b| b.try_into().ok()).map(Hex32)
    }
}

impl fmt::Display for Hex32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Hex32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hex32({self})")
    }
}

impl From<[u8; 32]> for Hex32 {
    fn from(bytes: [u8; 32]) -> Self {
        Hex32(bytes)
    }
}

impl Serialize for Hex32 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(self.0))
    }
}

impl<'de> Deserialize<'de> for Hex32 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Hex32::parse(&text)
            .ok_or_else(|| D::Error::custom(format!("expected 32 bytes of hex, got `{text}`")))
    }
}

/// Bytes of any length, as hex.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({self})")
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes(bytes)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        unhex(&text)
            .map(Bytes)
            .ok_or_else(|| D::Error::custom(format!("expected hex, got `{text}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex32_round_trips_and_refuses_other_lengths() {
        let h = Hex32([0xab; 32]);
        let json = serde_json::to_string(&h).expect("serialises");
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        assert_eq!(serde_json::from_str::<Hex32>(&json).expect("parses"), h);
        let prefixed = format!("\"0x{}\"", "ab".repeat(32));
        assert_eq!(serde_json::from_str::<Hex32>(&prefixed).expect("0x"), h);
        let short = serde_json::from_str::<Hex32>("\"abcd\"").expect_err("too short");
        assert!(short.to_string().contains("32 bytes of hex"), "{short}");
        assert!(serde_json::from_str::<Bytes>("\"zz\"").is_err());
        assert_eq!(
            serde_json::from_str::<Bytes>("\"0x0102\"")
                .expect("bytes")
                .0,
            vec![1, 2]
        );
    }
}
