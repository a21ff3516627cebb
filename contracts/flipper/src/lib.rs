//! The minimal Carechain contract: one boolean, flipped by a message and read by a query.
#![no_std]

/// A boolean anyone can flip.
#[carechain_sdk::contract]
pub mod flipper {
    use carechain_sdk::prelude::*;

    const VALUE: Item<bool> = Item::new(b"value");

    /// Starts with `init`.
    #[constructor]
    pub fn new(init: bool) {
        VALUE.set(&init);
    }

    /// Flips the value.
    #[message]
    pub fn flip() {
        VALUE.set(&!get());
    }

    /// The current value.
    #[query]
    pub fn get() -> bool {
        VALUE.get().unwrap_or(false)
    }
}
