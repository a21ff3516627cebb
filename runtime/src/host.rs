//! Host functions of ABI v1, written once over the shared execution state.
//!
//! Engine backends only adapt signatures: they build a [`HostEnv`] from their store (the
//! contract's linear memory plus the [`Execution`]), sync the gas and stack globals into it, call
//! the method of the same name, and sync the gas back. Every method charges its gas before doing
//! any work, checks every pointer and length, and returns a [`Stop`] (which the backend raises as a
//! trap) instead of ever panicking.

use std::ops::Range;

use carechain_abi::{Address, CallStatus, HASH_LEN, MAX_TOPICS, Topic};

pub use crate::frame::Stop;
use crate::frame::{CallFrame, Execution, FrameRequest, FrameResult, Frames};
use crate::instrument::MeterTrap;
use crate::outcome::{Outcome, TrapKind};
use crate::state::{Event, blake2b_256};

/// A contract's view of the host during one host call.
pub struct HostEnv<'a> {
    /// The runtime (gas schedule and limits).
    pub(crate) rt: &'a dyn Frames,
    /// The execution state shared by all frames.
    pub(crate) exec: &'a mut Execution,
    /// The calling contract's linear memory.
    pub(crate) memory: &'a mut [u8],
}

type HostResult<T> = Result<T, Stop>;

fn cost(count: u32, per: u64) -> u64 {
    u64::from(count).saturating_mul(per)
}

impl<'a> HostEnv<'a> {
    fn costs(&self) -> &'a crate::gas::HostCosts {
        let rt: &'a dyn Frames = self.rt;
        rt.host_costs()
    }

    fn limits(&self) -> &'a crate::config::Limits {
        let rt: &'a dyn Frames = self.rt;
        rt.limits()
    }

    fn charge(&mut self, gas: u64) -> HostResult<()> {
        match self.exec.gas_left.checked_sub(gas) {
            Some(left) => {
                self.exec.gas_left = left;
                Ok(())
            }
            None => {
                self.exec.gas_left = 0;
                Err(Stop::Meter(MeterTrap::OutOfGas))
            }
        }
    }

    fn charge_call(&mut self, extra: u64) -> HostResult<()> {
        let base = self.costs().host_call;
        self.charge(base.saturating_add(extra))
    }

    fn range(&self, ptr: u32, len: u32) -> HostResult<Range<usize>> {
        let start = ptr as usize;
        let end = start
            .checked_add(len as usize)
            .ok_or(Stop::Trap(TrapKind::HostMemoryOutOfBounds))?;
        if end > self.memory.len() {
            return Err(Stop::Trap(TrapKind::HostMemoryOutOfBounds));
        }
        Ok(start..end)
    }

    fn read(&self, ptr: u32, len: u32) -> HostResult<&[u8]> {
        let range = self.range(ptr, len)?;
        Ok(&self.memory[range])
    }

    fn read_array<const N: usize>(&self, ptr: u32) -> HostResult<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.read(ptr, N as u32)?);
        Ok(out)
    }

    fn write(&mut self, ptr: u32, data: &[u8]) -> HostResult<()> {
        let range = self.range(ptr, data.len() as u32)?;
        self.memory[range].copy_from_slice(data);
        Ok(())
    }

    fn frame(&self) -> &CallFrame {
        self.exec.frame()
    }

    fn ensure_writable(&self) -> HostResult<()> {
        if self.exec.read_only {
            Err(Stop::Trap(TrapKind::WriteInQuery))
        } else {
            Ok(())
        }
    }

    /// `input_len() -> i32`
    pub fn input_len(&mut self) -> HostResult<u32> {
        self.charge_call(0)?;
        Ok(self.frame().input.len() as u32)
    }

    /// `input_read(dst)`
    pub fn input_read(&mut self, dst: u32) -> HostResult<()> {
        let len = self.frame().input.len() as u32;
        self.charge_call(cost(len, self.costs().write_byte))?;
        let range = self.range(dst, len)?;
        let input = &self.exec.frame().input;
        self.memory[range].copy_from_slice(input);
        Ok(())
    }

    fn set_output(&mut self, ptr: u32, len: u32) -> HostResult<()> {
        self.charge_call(cost(len, self.costs().read_byte))?;
        if len > self.limits().max_return_size {
            return Err(Stop::Trap(TrapKind::ReturnDataTooLarge));
        }
        let data = self.read(ptr, len)?.to_vec();
        self.exec.frame_mut().output = data;
        Ok(())
    }

    /// `set_return(ptr, len)`
    pub fn set_return(&mut self, ptr: u32, len: u32) -> HostResult<()> {
        self.set_output(ptr, len)
    }

    /// `revert(ptr, len)`: always ends the call.
    pub fn revert(&mut self, ptr: u32, len: u32) -> HostResult<()> {
        self.set_output(ptr, len)?;
        Err(Stop::Revert)
    }

    fn read_key(&mut self, key: u32, key_len: u32, extra: u64) -> HostResult<Vec<u8>> {
        let gas = extra.saturating_add(cost(key_len, self.costs().read_byte));
        self.charge_call(gas)?;
        if key_len > self.limits().max_key_size {
            return Err(Stop::Trap(TrapKind::KeyTooLarge));
        }
        Ok(self.read(key, key_len)?.to_vec())
    }

    /// `storage_read(key, key_len, dst, dst_cap) -> i32`
    pub fn storage_read(
        &mut self,
        key: u32,
        key_len: u32,
        dst: u32,
        dst_cap: u32,
    ) -> HostResult<i32> {
        let host = self.costs();
        let key = self.read_key(key, key_len, host.storage_read)?;
        let contract = self.frame().contract;
        let value = self
            .exec
            .overlay
            .storage(&contract, &key)
            .map_err(|e| self.exec.fault(e))?;
        let Some(value) = value else {
            return Ok(carechain_abi::ABSENT);
        };
        let len = value.len() as u32;
        let copied = len.min(dst_cap);
        let host = self.costs();
        let gas = cost(len, host.storage_read_byte).saturating_add(cost(copied, host.write_byte));
        self.charge(gas)?;
        self.write(dst, &value[..copied as usize])?;
        Ok(len as i32)
    }

    /// `storage_contains(key, key_len) -> i32`
    pub fn storage_contains(&mut self, key: u32, key_len: u32) -> HostResult<i32> {
        let host = self.costs();
        let key = self.read_key(key, key_len, host.storage_read)?;
        let contract = self.frame().contract;
        let len = self
            .exec
            .overlay
            .storage_len(&contract, &key)
            .map_err(|e| self.exec.fault(e))?;
        Ok(i32::from(len.is_some()))
    }

    /// `storage_write(key, key_len, val, val_len)`
    pub fn storage_write(
        &mut self,
        key: u32,
        key_len: u32,
        val: u32,
        val_len: u32,
    ) -> HostResult<()> {
        let host = self.costs();
        let bytes = key_len.saturating_add(val_len);
        let extra = host
            .storage_write
            .saturating_add(cost(bytes, host.storage_write_byte))
            .saturating_add(cost(val_len, host.read_byte));
        let key = self.read_key(key, key_len, extra)?;
        self.ensure_writable()?;
        if val_len > self.limits().max_value_size {
            return Err(Stop::Trap(TrapKind::ValueTooLarge));
        }
        let value = self.read(val, val_len)?.to_vec();
        let contract = self.frame().contract;
        self.exec.overlay.set_storage(contract, key, Some(value));
        Ok(())
    }

    /// `storage_remove(key, key_len)`
    pub fn storage_remove(&mut self, key: u32, key_len: u32) -> HostResult<()> {
        let host = self.costs();
        let extra = host
            .storage_write
            .saturating_add(cost(key_len, host.storage_write_byte));
        let key = self.read_key(key, key_len, extra)?;
        self.ensure_writable()?;
        let contract = self.frame().contract;
        self.exec.overlay.set_storage(contract, key, None);
        Ok(())
    }

    /// `caller(dst)`
    pub fn caller(&mut self, dst: u32) -> HostResult<()> {
        self.charge_call(cost(HASH_LEN as u32, self.costs().write_byte))?;
        let caller = self.frame().caller;
        self.write(dst, &caller.0)
    }

    /// `self_address(dst)`
    pub fn self_address(&mut self, dst: u32) -> HostResult<()> {
        self.charge_call(cost(HASH_LEN as u32, self.costs().write_byte))?;
        let contract = self.frame().contract;
        self.write(dst, &contract.0)
    }

    /// `block_height() -> i64`
    pub fn block_height(&mut self) -> HostResult<u64> {
        self.charge_call(0)?;
        Ok(self.exec.block.height)
    }

    /// `block_time() -> i64`
    pub fn block_time(&mut self) -> HostResult<u64> {
        self.charge_call(0)?;
        Ok(self.exec.block.time)
    }

    /// `emit_event(topics, topic_count, data, data_len)`
    pub fn emit_event(
        &mut self,
        topics: u32,
        topic_count: u32,
        data: u32,
        data_len: u32,
    ) -> HostResult<()> {
        let host = self.costs();
        let gas = host
            .event
            .saturating_add(cost(topic_count, host.event_topic))
            .saturating_add(cost(
                data_len,
                host.event_byte.saturating_add(host.read_byte),
            ));
        self.charge_call(gas)?;
        self.ensure_writable()?;
        if topic_count > MAX_TOPICS || data_len > self.limits().max_event_data {
            return Err(Stop::Trap(TrapKind::EventTooLarge));
        }
        let raw = self.read(topics, topic_count * HASH_LEN as u32)?;
        let topics = raw
            .chunks_exact(HASH_LEN)
            .map(|c| {
                let mut t = [0u8; HASH_LEN];
                t.copy_from_slice(c);
                Topic(t)
            })
            .collect();
        let data = self.read(data, data_len)?.to_vec();
        let contract = self.frame().contract;
        self.exec.overlay.emit(Event {
            contract,
            topics,
            data,
        });
        Ok(())
    }

    /// `blake2b_256(src, len, dst)`
    pub fn blake2b_256(&mut self, src: u32, len: u32, dst: u32) -> HostResult<()> {
        let host = self.costs();
        let gas = host
            .hash
            .saturating_add(cost(len, host.hash_byte.saturating_add(host.read_byte)))
            .saturating_add(cost(HASH_LEN as u32, host.write_byte));
        self.charge_call(gas)?;
        let digest = blake2b_256(self.read(src, len)?);
        self.write(dst, &digest)
    }

    /// `ed25519_verify(sig, public_key, msg, msg_len) -> i32`
    pub fn ed25519_verify(
        &mut self,
        sig: u32,
        public_key: u32,
        msg: u32,
        msg_len: u32,
    ) -> HostResult<i32> {
        let host = self.costs();
        let gas = host
            .ed25519_verify
            .saturating_add(cost(msg_len, host.hash_byte.saturating_add(host.read_byte)));
        self.charge_call(gas)?;
        let sig: [u8; 64] = self.read_array(sig)?;
        let key: [u8; 32] = self.read_array(public_key)?;
        let msg = self.read(msg, msg_len)?;
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key) else {
            return Ok(0);
        };
        let sig = ed25519_dalek::Signature::from_bytes(&sig);
        Ok(i32::from(key.verify_strict(msg, &sig).is_ok()))
    }

    /// `return_data_len() -> i32`
    pub fn return_data_len(&mut self) -> HostResult<u32> {
        self.charge_call(0)?;
        Ok(self.frame().last_return.len() as u32)
    }

    /// `return_data_read(dst)`
    pub fn return_data_read(&mut self, dst: u32) -> HostResult<()> {
        let len = self.frame().last_return.len() as u32;
        self.charge_call(cost(len, self.costs().write_byte))?;
        let range = self.range(dst, len)?;
        let data = &self.exec.frame().last_return;
        self.memory[range].copy_from_slice(data);
        Ok(())
    }

    /// `debug_log(ptr, len)`
    pub fn debug_log(&mut self, ptr: u32, len: u32) -> HostResult<()> {
        self.charge_call(cost(len, self.costs().read_byte))?;
        let max = self.limits().max_debug_message as usize;
        let range = self.range(ptr, len)?;
        if let Some(log) = self.exec.debug.as_mut() {
            let bytes = &self.memory[range];
            let bytes = &bytes[..bytes.len().min(max)];
            log.push(String::from_utf8_lossy(bytes).into_owned());
        }
        Ok(())
    }

    /// First half of `call_contract(address, input, input_len, gas_limit) -> i32`: charges the
    /// call, reads the arguments and decides the callee's gas. The backend then runs the callee
    /// with [`Frames::run_frame`] (outside this borrow of memory) and finishes with
    /// [`HostEnv::call_contract_end`].
    pub fn call_contract_begin(
        &mut self,
        address: u32,
        input: u32,
        input_len: u32,
        gas_limit: u64,
        stack_height: u32,
    ) -> HostResult<FrameRequest> {
        let host = self.costs();
        let gas = host
            .call_contract
            .saturating_add(cost(input_len, host.read_byte));
        self.charge_call(gas)?;
        // An oversized input is refused by `run_frame` as the callee's failure, not the caller's.
        let contract = Address(self.read_array(address)?);
        let input = self.read(input, input_len)?.to_vec();
        let available = self.exec.gas_left;
        let gas_limit = if gas_limit == 0 {
            available
        } else {
            gas_limit.min(available)
        };
        let stack_base = stack_height.saturating_add(self.limits().host_call_stack_cost);
        Ok(FrameRequest {
            caller: self.frame().contract,
            contract,
            input,
            entry: carechain_abi::EXPORT_CALL,
            gas_limit,
            stack_base,
        })
    }

    /// Second half of `call_contract`: pays the callee's gas, keeps its return data and returns
    /// the status code.
    ///
    /// # Errors
    ///
    /// [`Stop::StateFault`] if the state failed to read anywhere in the callee: the caller
    /// unwinds too, so no contract can catch a fault of the node as a call status and go on.
    pub fn call_contract_end(&mut self, result: FrameResult) -> HostResult<i32> {
        if self.exec.fault.is_some() {
            return Err(Stop::StateFault);
        }
        // The callee's gas came out of ours; it can never be more than we had.
        self.exec.gas_left = self.exec.gas_left.saturating_sub(result.gas_used);
        let status = match &result.outcome {
            Outcome::Success => CallStatus::Success,
            Outcome::Reverted => CallStatus::Reverted,
            Outcome::Failed(f) => f.call_status(),
        };
        self.exec.frame_mut().last_return = result.output;
        Ok(status as i32)
    }
}
