//! Carechain's blocks as Commonware consensus sees them (feature `commonware`, which the
//! `carechain-consensus` crate enables; the impls live here, beside the type, as Rust's orphan
//! rule requires): a Blake2b-256 digest type, and the block's wire
//! form (a length, then the block's SCALE bytes), decoded strictly.

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, Write};
use commonware_consensus::types::Height;
use commonware_consensus::{Block as ConsensusBlock, BoundedBlock, Heightable};
use commonware_cryptography::Digestible;
use parity_scale_codec::{Decode, Encode};

use crate::block::{Block, merkle_root};

/// A block hash as consensus sees it: Blake2b-256 of the encoded header
/// ([`crate::block::Header::hash`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct BlockDigest(pub [u8; 32]);

impl Write for BlockDigest {
    fn write(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.0);
    }
}

impl Read for BlockDigest {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(BlockDigest(<[u8; 32]>::read(buf)?))
    }
}

impl FixedSize for BlockDigest {
    const SIZE: usize = 32;
}

impl std::fmt::Display for BlockDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl AsRef<[u8]> for BlockDigest {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl std::ops::Deref for BlockDigest {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl commonware_utils::Span for BlockDigest {}
impl commonware_utils::Array for BlockDigest {}

impl commonware_math::algebra::Random for BlockDigest {
    fn random(mut rng: impl rand_core::CryptoRng) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        BlockDigest(bytes)
    }
}

impl commonware_cryptography::Digest for BlockDigest {
    const EMPTY: Self = BlockDigest([0; 32]);
}

impl Digestible for Block {
    type Digest = BlockDigest;
    fn digest(&self) -> BlockDigest {
        BlockDigest(self.header.hash())
    }
}

impl Heightable for Block {
    fn height(&self) -> Height {
        Height::new(self.header.height)
    }
}

impl ConsensusBlock for Block {
    fn parent(&self) -> BlockDigest {
        BlockDigest(self.header.parent_hash)
    }
}

impl Write for Block {
    fn write(&self, buf: &mut impl BufMut) {
        let bytes = Encode::encode(self);
        (bytes.len() as u32).write(buf);
        buf.put_slice(&bytes);
    }
}

impl EncodeSize for Block {
    fn encode_size(&self) -> usize {
        u32::SIZE + Encode::encoded_size(self)
    }
}

/// Decoding takes the largest block accepted, in bytes, and refuses a longer one, trailing
/// bytes inside the frame, a non-canonical encoding (consensus requires that re-encoding a
/// decoded block gives its bytes back), and a body that does not match the header's
/// transaction root: the digest covers only the header, so without this check a peer could
/// attach other transactions to a finalized header.
impl Read for Block {
    type Cfg = usize;
    fn read_cfg(buf: &mut impl Buf, max_bytes: &usize) -> Result<Self, CodecError> {
        let len = u32::read(buf)? as usize;
        if len > *max_bytes {
            return Err(CodecError::InvalidLength(len));
        }
        if buf.remaining() < len {
            return Err(CodecError::EndOfBuffer);
        }
        let mut bytes = vec![0u8; len];
        buf.copy_to_slice(&mut bytes);
        let block = Block::decode(&mut &bytes[..])
            .map_err(|_| CodecError::Invalid("Block", "malformed SCALE encoding"))?;
        if Encode::encode(&block) != bytes {
            return Err(CodecError::Invalid("Block", "non-canonical encoding"));
        }
        let hashes: Vec<[u8; 32]> = block.txs.iter().map(|t| t.hash().0).collect();
        if merkle_root(&hashes) != block.header.tx_root {
            return Err(CodecError::Invalid(
                "Block",
                "transactions do not match the header's tx_root",
            ));
        }
        Ok(block)
    }
}

impl BoundedBlock for Block {
    fn max_encode_size(max_bytes: &usize) -> usize {
        u32::SIZE + max_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::Header;
    use crate::tx::PublicKey;
    use commonware_codec::{DecodeExt, Encode as Wire};

    fn block() -> Block {
        Block {
            header: Header {
                height: 3,
                parent_hash: [7; 32],
                timestamp: 1_767_225_600,
                proposer: PublicKey([9; 32]),
                tx_root: [0; 32],
                state_root: [1; 32],
                receipts_root: [0; 32],
                gas_used: 0,
            },
            txs: Vec::new(),
        }
    }

    fn decode(bytes: &[u8], max: usize) -> Result<Block, CodecError> {
        let mut buf = bytes::Bytes::copy_from_slice(bytes);
        Block::read_cfg(&mut buf, &max)
    }

    #[test]
    fn a_block_round_trips_and_keeps_its_digest() {
        let b = block();
        let bytes = Wire::encode(&b);
        assert_eq!(bytes.len(), b.encode_size());
        let back = decode(&bytes, 1 << 20).unwrap();
        assert_eq!(back, b);
        assert_eq!(back.digest(), BlockDigest(b.header.hash()));
        assert_eq!(back.parent(), BlockDigest([7; 32]));
        assert_eq!(back.height(), Height::new(3));
        let digest = BlockDigest::decode(Wire::encode(&b.digest())).unwrap();
        assert_eq!(digest, b.digest());
    }

    #[test]
    fn oversized_truncated_non_canonical_and_mismatched_blocks_are_refused() {
        let b = block();
        let bytes = Wire::encode(&b).to_vec();
        assert!(matches!(
            decode(&bytes, bytes.len() - 5),
            Err(CodecError::InvalidLength(_))
        ));
        assert!(matches!(
            decode(&bytes[..bytes.len() - 1], 1 << 20),
            Err(CodecError::EndOfBuffer)
        ));
        // A frame one byte longer than the block: trailing bytes inside the frame.
        let mut longer = bytes.clone();
        let len = u32::from_be_bytes(longer[..4].try_into().unwrap()) + 1;
        longer[..4].copy_from_slice(&len.to_be_bytes());
        longer.push(0);
        assert!(matches!(
            decode(&longer, 1 << 20),
            Err(CodecError::Invalid(_, "non-canonical encoding"))
        ));
        // A body that is not the one the header commits to.
        let mut wrong = b.clone();
        wrong.header.tx_root = [5; 32];
        assert!(matches!(
            decode(&Wire::encode(&wrong), 1 << 20),
            Err(CodecError::Invalid(_, _))
        ));
    }
}
