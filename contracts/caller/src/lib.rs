//! An example of cross-contract calls: a proxy that increments a counter contract and records the
//! outcome of each attempt, whether the counter succeeded or failed.
#![no_std]

/// Calls a counter contract and keeps a tally of successes and failures.
#[carechain_sdk::contract]
pub mod caller {
    use carechain_sdk::prelude::*;

    const COUNTER: Item<Address> = Item::new(b"counter");
    const OK: Item<u32> = Item::new(b"ok");
    const FAILED: Item<u32> = Item::new(b"failed");

    /// What became of one attempt.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub enum Attempt {
        /// The counter returned its new value.
        Incremented(u64),
        /// The counter returned one of its errors, by name.
        CounterError(CounterError),
        /// The counter reverted for another reason (e.g. a panic), with the raw data.
        Reverted(Vec<u8>),
        /// The counter did not finish (trap, out of gas, ...): the call status code.
        Failed(u8),
    }

    /// The counter contract's errors, as the counter declares them.
    #[derive(Encode, Decode, Clone, PartialEq, Eq)]
    pub enum CounterError {
        /// The counter would overflow.
        Overflow,
        /// Only its owner may do that.
        NotOwner,
    }

    /// An attempt was made.
    #[event]
    pub struct Attempted {
        /// The outcome.
        pub attempt: Attempt,
    }

    /// Remembers which counter to call.
    #[constructor]
    pub fn new(counter: Address) {
        COUNTER.set(&counter);
    }

    /// Asks the counter to add `by`, forwarding at most `gas` (0: all). Never fails itself: the
    /// counter's failure is recorded and this call's own writes are kept.
    #[message]
    pub fn bump(by: u64, gas: u64) -> Attempt {
        let counter = COUNTER.get().unwrap_or_default();
        let result = Call::new(counter, selector!("increment"))
            .arg(&by)
            .gas_limit(gas)
            .invoke::<u64, CounterError>();
        let attempt = match result {
            Ok(value) => Attempt::Incremented(value),
            Err(CallError::Contract(e)) => Attempt::CounterError(e),
            Err(CallError::Reverted(data)) => Attempt::Reverted(data),
            Err(CallError::Failed(status)) => Attempt::Failed(status as u8),
            Err(CallError::InvalidReturn) => Attempt::Reverted(Vec::new()),
        };
        let tally = if matches!(attempt, Attempt::Incremented(_)) {
            OK
        } else {
            FAILED
        };
        tally.set(&(tally.get().unwrap_or(0) + 1));
        env().emit(&Attempted {
            attempt: attempt.clone(),
        });
        attempt
    }

    /// Asks the counter to panic; records the failure like `bump`.
    #[message]
    pub fn bump_failing() -> Attempt {
        let counter = COUNTER.get().unwrap_or_default();
        let result = Call::new(counter, selector!("fail"))
            .arg(&String::from("boom"))
            .invoke::<(), CounterError>();
        let attempt = match result {
            Ok(()) => Attempt::Incremented(0),
            Err(CallError::Contract(e)) => Attempt::CounterError(e),
            Err(CallError::Reverted(data)) => Attempt::Reverted(data),
            Err(CallError::Failed(status)) => Attempt::Failed(status as u8),
            Err(CallError::InvalidReturn) => Attempt::Reverted(Vec::new()),
        };
        FAILED.set(&(FAILED.get().unwrap_or(0) + 1));
        attempt
    }

    /// `(successes, failures)` so far.
    #[query]
    pub fn tally() -> (u32, u32) {
        (OK.get().unwrap_or(0), FAILED.get().unwrap_or(0))
    }
}
