//! A disk that fails to read: every state read the chain makes (admission, governance, contract
//! storage, code) ends the block or the query with a typed error; nothing is committed, nothing
//! panics, a good block is never called invalid, and the same block goes through once the disk
//! reads again. The fault is `Store::inject_read_fault` (feature `fault-injection`, a dev-only
//! stand-in for RocksDB returning an error) on a real RocksDB store.

use carechain_chain::{Base, Chain, ChainError};
use carechain_primitives::block::TxStatus;
use carechain_primitives::genesis::{Genesis, Member, OrgKindName, Organisation, RoleName};
use carechain_primitives::tx::{
    Action, AdminAction, OrgKind, Proposal, PublicKey, SignedTx, TxError, TxPayload,
};
use carechain_runtime::{Address, EngineKind};
use carechain_storage::StateKey;
use ed25519_dalek::SigningKey;
use parity_scale_codec::Encode;

const T0: u64 = 1_767_225_600;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[1; 32])
}

fn public() -> PublicKey {
    PublicKey(key().verifying_key().to_bytes())
}

fn open(dir: &std::path::Path, engine: EngineKind) -> Chain {
    let genesis = Genesis {
        chain_id: "test-chain".into(),
        genesis_time: T0,
        block_gas_limit: 10_000_000_000,
        max_tx_bytes: 1 << 20,
        organisations: vec![Organisation {
            id: "org1".into(),
            kind: OrgKindName::Hospital,
            members: vec![Member {
                name: "m1".into(),
                public_key: public().to_hex(),
                roles: vec![RoleName::Deployer, RoleName::Member],
            }],
        }],
    };
    Chain::open(dir, genesis, engine).expect("open")
}

fn tx(nonce: u64, action: Action) -> SignedTx {
    TxPayload {
        chain_id: "test-chain".into(),
        sender: public(),
        nonce,
        gas_limit: 500_000_000,
        action,
    }
    .sign(&key())
}

fn selector_call(name: &str, args: impl Encode) -> Vec<u8> {
    let mut input = carechain_metadata::selector(name).to_vec();
    args.encode_to(&mut input);
    input
}

fn increment(contract: Address, nonce: u64) -> SignedTx {
    tx(
        nonce,
        Action::Call {
            contract,
            input: selector_call("increment", 1u64),
        },
    )
}

/// A chain with the counter deployed (nonce 0 used), and the counter's address.
fn with_counter(dir: &std::path::Path, engine: EngineKind) -> (Chain, Address) {
    let chain = open(dir, engine);
    let deploy = tx(
        0,
        Action::Deploy {
            code: carechain_contracts::wasm("counter")
                .expect("counter")
                .to_vec(),
            input: selector_call("new", 5u64),
            salt: vec![],
        },
    );
    let committed = chain
        .produce_block(vec![deploy], T0 + 1, public())
        .expect("deploy");
    assert_eq!(committed.receipts[0].status, TxStatus::Success);
    let counter = committed.receipts[0].contract.expect("address");
    (chain, counter)
}

fn counter_value(chain: &Chain, counter: Address) -> Result<u64, ChainError> {
    let r = chain.query(
        Address([0; 32]),
        counter,
        selector_call("get", ()),
        10_000_000,
    )?;
    assert!(r.outcome.is_success(), "{:?}", r.outcome);
    Ok(u64::from_le_bytes(r.return_data.try_into().expect("u64")))
}

/// The first byte of contract-storage keys: a fault there is met inside execution only.
fn storage_prefix() -> Vec<u8> {
    StateKey::Storage(Address([0; 32]), Vec::new()).encode()[..1].to_vec()
}

#[test]
fn a_failing_read_fails_the_block_and_commits_nothing_then_it_goes_through() {
    for engine in [EngineKind::Wasmtime, EngineKind::Wasmi] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (chain, counter) = with_counter(dir.path(), engine);
        let head = chain.head().expect("head");
        let store = chain.store();

        // Every read fails: even the stateful checks cannot be made.
        store.inject_read_fault(Some(&[]));
        let built = chain.produce_block(vec![increment(counter, 1)], T0 + 2, public());
        assert!(matches!(built, Err(ChainError::Store(_))), "{built:?}");
        let admitted = chain.check_admission(&increment(counter, 1));
        assert!(
            matches!(admitted, Err(TxError::StateUnavailable(_))),
            "{admitted:?}"
        );
        assert_eq!(
            admitted.unwrap_err().reason(),
            "state_unavailable",
            "the reason a client sees"
        );
        assert!(chain.nonce(&public().address()).is_err());
        assert!(chain.member(&public()).is_err());

        // Only contract storage fails: the fault comes from inside the contract's execution.
        store.inject_read_fault(Some(&storage_prefix()));
        let built = chain.produce_block(vec![increment(counter, 1)], T0 + 2, public());
        assert!(matches!(built, Err(ChainError::State(_))), "{built:?}");
        let query = counter_value(&chain, counter);
        assert!(matches!(query, Err(ChainError::State(_))), "{query:?}");
        assert_eq!(chain.head().expect("head"), head, "nothing committed");
        assert_eq!(chain.nonce(&public().address()).expect("nonce"), 1);

        // The disk reads again: the same block goes through, as if nothing had happened.
        store.inject_read_fault(None);
        let committed = chain
            .produce_block(vec![increment(counter, 1)], T0 + 2, public())
            .expect("block");
        assert_eq!(committed.receipts[0].status, TxStatus::Success);
        assert_eq!(chain.nonce(&public().address()).expect("nonce"), 2);
        assert_eq!(counter_value(&chain, counter).expect("query"), 6);
    }
}

#[test]
fn a_validator_whose_disk_fails_does_not_call_a_good_block_invalid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (chain, counter) = with_counter(dir.path(), EngineKind::Wasmi);
    let block = chain
        .build_block(
            &Base::committed(),
            vec![increment(counter, 1)],
            T0 + 2,
            public(),
        )
        .expect("build")
        .block;

    let store = chain.store();
    store.inject_read_fault(Some(&storage_prefix()));
    let executed = chain.execute_block(&Base::committed(), &block);
    assert!(
        matches!(executed, Err(ChainError::State(_))),
        "{executed:?}"
    );
    store.inject_read_fault(Some(&[]));
    let executed = chain.execute_block(&Base::committed(), &block);
    assert!(
        matches!(executed, Err(ChainError::Store(_))),
        "{executed:?}"
    );
    let applied = chain.apply_block(&block);
    assert!(matches!(applied, Err(ChainError::Store(_))), "{applied:?}");

    store.inject_read_fault(None);
    let receipts = chain.apply_block(&block).expect("a valid block");
    assert_eq!(receipts[0].status, TxStatus::Success);
    assert_eq!(chain.head().expect("head").hash(), block.header.hash());
}

#[test]
fn a_failing_read_in_governance_abandons_the_block_instead_of_recording_a_refusal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chain = open(dir.path(), EngineKind::Wasmi);
    let propose = tx(
        0,
        Action::Admin(AdminAction::Propose(Proposal::AddOrganisation {
            id: "org2".into(),
            kind: OrgKind::Insurer,
        })),
    );
    // Admission reads the member and the nonce and passes; governance then reads the proposal
    // counter, which fails. Recording `Failed(...)` would make the receipts root depend on this
    // node's disk.
    chain
        .store()
        .inject_read_fault(Some(&StateKey::NextProposal.encode()));
    let built = chain.produce_block(vec![propose.clone()], T0 + 1, public());
    assert!(matches!(built, Err(ChainError::Store(_))), "{built:?}");
    assert_eq!(chain.head().expect("head").height, 0, "nothing committed");

    chain.store().inject_read_fault(None);
    let committed = chain
        .produce_block(vec![propose], T0 + 1, public())
        .expect("block");
    assert_eq!(committed.receipts[0].status, TxStatus::Success);
}
