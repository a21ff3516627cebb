//! The payload of the [`METADATA_SECTION`](crate::METADATA_SECTION) custom section.
//!
//! Metadata is JSON, and the section carries it in one of two forms, told apart by the first
//! byte (JSON text never starts with a byte below `0x09`):
//!
//! * **plain**: the JSON itself (first byte `{` or JSON whitespace);
//! * **deflate** ([`DEFLATE`]): the byte `0x01`, the JSON's length as a little-endian `u32`, then
//!   the JSON compressed as a raw DEFLATE stream (RFC 1951). The `#[contract]` macro writes this
//!   form: a contract's metadata is mostly names and doc comments, which DEFLATE shrinks about
//!   four times, and every byte of a contract is stored by every node and paid for at deploy.
//!
//! The other bytes below `0x09` are reserved for later encodings and refused. A module's bytes
//! come from outside, so [`decode_metadata`] bounds the output: a payload that claims, or
//! inflates to, more than [`MAX_METADATA_LEN`] bytes or more than it declared is refused before
//! that memory is used.
//!
//! Encoding and decoding need the `std` feature (they are for hosts and tools, never for
//! contracts).

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
use std::{borrow::Cow, vec::Vec};

/// First byte of a DEFLATE-compressed payload.
pub const DEFLATE: u8 = 0x01;

/// Largest metadata, once decoded, that [`decode_metadata`] accepts: 1 MiB (the largest contract
/// of the repository has about 60 KiB).
pub const MAX_METADATA_LEN: usize = 1 << 20;

/// Bytes before the DEFLATE stream: the tag and the decoded length.
#[cfg(feature = "std")]
const DEFLATE_HEADER: usize = 5;

/// Why a metadata payload cannot be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataSectionError {
    /// The payload is empty.
    Empty,
    /// The first byte is a reserved encoding tag this version does not know.
    UnknownEncoding {
        /// The tag.
        tag: u8,
    },
    /// The payload ends inside its header.
    Truncated,
    /// The declared decoded length is above [`MAX_METADATA_LEN`].
    TooLarge {
        /// The declared length.
        declared: u32,
    },
    /// The DEFLATE stream is corrupt, ends early, or inflates to a length other than the
    /// declared one.
    Corrupt,
}

impl core::fmt::Display for MetadataSectionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MetadataSectionError::Empty => f.write_str("the metadata section is empty"),
            MetadataSectionError::UnknownEncoding { tag } => {
                write!(f, "unknown metadata encoding 0x{tag:02x}")
            }
            MetadataSectionError::Truncated => f.write_str("the metadata section is truncated"),
            MetadataSectionError::TooLarge { declared } => write!(
                f,
                "the metadata declares {declared} bytes, above the limit of {MAX_METADATA_LEN}"
            ),
            MetadataSectionError::Corrupt => {
                f.write_str("the compressed metadata is corrupt or not of its declared length")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for MetadataSectionError {}

/// The payload for metadata `json`: its [`DEFLATE`] form (best compression; deterministic for a
/// given version of this crate's DEFLATE implementation, which the lockfiles pin).
///
/// # Panics
/// If `json` is longer than [`MAX_METADATA_LEN`], which no reader would accept.
#[cfg(feature = "std")]
pub fn encode_metadata(json: &[u8]) -> Vec<u8> {
    assert!(
        json.len() <= MAX_METADATA_LEN,
        "metadata of {} bytes is above the limit of {MAX_METADATA_LEN}",
        json.len()
    );
    let mut out = Vec::with_capacity(DEFLATE_HEADER + json.len() / 3);
    out.push(DEFLATE);
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(json, 10));
    out
}

/// The metadata JSON of a section `payload`, in either form: borrowed when plain, inflated when
/// compressed. The JSON itself is not checked here.
///
/// # Errors
/// [`MetadataSectionError`] if the payload is empty, has a reserved tag, a truncated header, a
/// declared length above [`MAX_METADATA_LEN`], or a DEFLATE stream that does not inflate to
/// exactly the declared length.
#[cfg(feature = "std")]
pub fn decode_metadata(payload: &[u8]) -> Result<Cow<'_, [u8]>, MetadataSectionError> {
    let (&tag, rest) = payload.split_first().ok_or(MetadataSectionError::Empty)?;
    match tag {
        DEFLATE => {
            let (len, stream) = rest
                .split_first_chunk::<4>()
                .ok_or(MetadataSectionError::Truncated)?;
            let declared = u32::from_le_bytes(*len);
            let limit = usize::try_from(declared)
                .ok()
                .filter(|l| *l <= MAX_METADATA_LEN)
                .ok_or(MetadataSectionError::TooLarge { declared })?;
            let json = miniz_oxide::inflate::decompress_to_vec_with_limit(stream, limit)
                .map_err(|_| MetadataSectionError::Corrupt)?;
            if json.len() != limit {
                return Err(MetadataSectionError::Corrupt);
            }
            Ok(Cow::Owned(json))
        }
        0x00..=0x08 => Err(MetadataSectionError::UnknownEncoding { tag }),
        _ => Ok(Cow::Borrowed(payload)),
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use std::vec;

    const JSON: &[u8] =
        br#"{"metadata_version":1,"name":"flipper","docs":"A flipper, a flipper, a flipper."}"#;

    #[test]
    fn encoded_metadata_decodes_to_itself_and_is_smaller() {
        let big: Vec<u8> = JSON.iter().copied().cycle().take(10_000).collect();
        let encoded = encode_metadata(&big);
        assert_eq!(encoded[0], DEFLATE);
        assert!(encoded.len() < big.len() / 4, "{} bytes", encoded.len());
        assert_eq!(decode_metadata(&encoded).unwrap(), &big[..]);
    }

    #[test]
    fn plain_json_is_read_as_it_is() {
        assert!(matches!(decode_metadata(JSON), Ok(Cow::Borrowed(j)) if j == JSON));
        assert_eq!(decode_metadata(b" {}").unwrap(), &b" {}"[..]);
    }

    #[test]
    fn reserved_empty_and_truncated_payloads_are_refused() {
        assert_eq!(decode_metadata(&[]), Err(MetadataSectionError::Empty));
        assert_eq!(
            decode_metadata(&[0x02, 0, 0]),
            Err(MetadataSectionError::UnknownEncoding { tag: 2 })
        );
        assert_eq!(
            decode_metadata(&[DEFLATE, 1, 0]),
            Err(MetadataSectionError::Truncated)
        );
    }

    #[test]
    fn a_payload_declaring_too_much_is_refused_before_inflating() {
        let mut payload = vec![DEFLATE];
        payload.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            decode_metadata(&payload),
            Err(MetadataSectionError::TooLarge { declared: u32::MAX })
        );
    }

    #[test]
    fn a_bomb_stops_at_its_declared_length() {
        // 1 MiB of zeros deflates to about a kilobyte; declaring 100 bytes must not inflate it.
        let zeros = vec![0u8; MAX_METADATA_LEN];
        let mut payload = encode_metadata(&zeros);
        payload[1..5].copy_from_slice(&100u32.to_le_bytes());
        assert_eq!(
            decode_metadata(&payload),
            Err(MetadataSectionError::Corrupt)
        );
    }

    #[test]
    fn a_stream_shorter_than_declared_or_corrupt_is_refused() {
        let mut payload = encode_metadata(JSON);
        payload[1..5].copy_from_slice(&(JSON.len() as u32 + 1).to_le_bytes());
        assert_eq!(
            decode_metadata(&payload),
            Err(MetadataSectionError::Corrupt)
        );
        let mut garbage = vec![DEFLATE, 10, 0, 0, 0];
        garbage.extend_from_slice(&[0xff; 16]);
        assert_eq!(
            decode_metadata(&garbage),
            Err(MetadataSectionError::Corrupt)
        );
    }
}
