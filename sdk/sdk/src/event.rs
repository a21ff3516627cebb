//! Typed events.

use parity_scale_codec::Encode;

use crate::Topic;

/// An event: a struct marked `#[event]` in the contract module, emitted with
/// [`Env::emit`](crate::env::Env::emit). Its first topic is [`SIGNATURE`](Event::SIGNATURE)
/// (the Blake2b-256 of its name); each field marked `#[topic]` adds one more (see
/// [`topic_of`]); its data is all its fields SCALE-encoded.
pub trait Event: Encode {
    /// The event's name.
    const NAME: &'static str;
    /// Its first topic.
    const SIGNATURE: [u8; 32];
    /// What [`topics`](Event::topics) returns: the `#[contract]` macro uses an array,
    /// `[Topic; 1 + the number of #[topic] fields]`, so emitting allocates no list.
    type Topics: AsRef<[Topic]>;
    /// All its topics, signature first.
    fn topics(&self) -> Self::Topics;
    /// The topics of its `#[topic]` fields alone: `[Topic; number of #[topic] fields]`.
    type FieldTopics: AsRef<[Topic]>;
    /// [`topics`](Event::topics) without the signature. [`Env::emit`](crate::env::Env::emit)
    /// sends the signature from the constant, so it is not copied into an array at every emit
    /// site (32 bytes of loads and stores each).
    fn field_topics(&self) -> Self::FieldTopics;
}

/// The topic of an indexed field: its SCALE encoding zero-padded when at most 32 bytes (an
/// address or an id is its own topic), else the Blake2b-256 of the encoding.
pub fn topic_of<T: Encode>(value: &T) -> Topic {
    let mut encoded = alloc::vec::Vec::new();
    value.encode_to(&mut encoded);
    topic_of_encoded(&encoded)
}

/// The non-generic part of [`topic_of`]: once in the contract, not once per field type.
#[inline(never)]
fn topic_of_encoded(encoded: &[u8]) -> Topic {
    if encoded.len() <= 32 {
        let mut t = [0u8; 32];
        t[..encoded.len()].copy_from_slice(encoded);
        Topic(t)
    } else {
        Topic(crate::hash::blake2b_256(encoded))
    }
}
