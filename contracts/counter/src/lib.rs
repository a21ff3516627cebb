//! The minimal Carechain contract: a counter anyone can increment, with an owner who may reset it.
#![no_std]

/// A counter anyone can increment and its owner can reset.
#[carechain_sdk::contract]
pub mod counter {
    use carechain_sdk::prelude::*;

    const COUNT: Item<u64> = Item::new(b"count");
    const OWNER: Item<Address> = Item::new(b"owner");

    /// The counter changed.
    #[event]
    pub struct Incremented {
        /// Who incremented it.
        #[topic]
        pub by: Address,
        /// The new value.
        pub value: u64,
    }

    /// Why a call failed.
    #[error]
    pub enum Error {
        /// The counter would pass `u64::MAX`.
        Overflow,
        /// Only the owner may do this.
        NotOwner,
    }

    /// Starts the counter at `start`; the deployer becomes its owner.
    #[constructor]
    pub fn new(start: u64) {
        COUNT.set(&start);
        OWNER.set(&env().caller());
    }

    /// Adds `by` to the counter and returns the new value.
    #[message]
    pub fn increment(by: u64) -> Result<u64, Error> {
        let value = get().checked_add(by).ok_or(Error::Overflow)?;
        COUNT.set(&value);
        env().emit(&Incremented {
            by: env().caller(),
            value,
        });
        Ok(value)
    }

    /// Sets the counter back to zero (owner only).
    #[message]
    pub fn reset() -> Result<(), Error> {
        if OWNER.get() != Some(env().caller()) {
            return Err(Error::NotOwner);
        }
        COUNT.set(&0);
        Ok(())
    }

    /// Fails on purpose: panics with `message` after writing, to show that a panic reverts.
    #[message]
    pub fn fail(message: String) {
        COUNT.set(&u64::MAX);
        panic!("{}", message);
    }

    /// The current value.
    #[query]
    pub fn get() -> u64 {
        COUNT.get().unwrap_or(0)
    }
}
