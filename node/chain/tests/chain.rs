//! The node core on a real RocksDB: blocks, receipts, restarts, replay, proofs, refusals.

use carechain_chain::{Base, Chain, ChainError, Executed};
use carechain_primitives::block::TxStatus;
use carechain_primitives::genesis::{Genesis, Member, OrgKindName, Organisation, RoleName};
use carechain_primitives::tx::{
    Action, AdminAction, NodeRole, Proposal, PublicKey, SignedTx, TxError, TxPayload,
};
use carechain_runtime::{Address, EngineKind};
use carechain_storage::{StateKey, verify_proof};
use ed25519_dalek::SigningKey;
use parity_scale_codec::Encode;

const T0: u64 = 1_767_225_600;

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn public(n: u8) -> PublicKey {
    PublicKey(key(n).verifying_key().to_bytes())
}

/// Six organisations; key n (1..=6) is the member of organisation n; key 1 deploys.
fn genesis(block_gas_limit: u64) -> Genesis {
    let kinds = [
        OrgKindName::Hospital,
        OrgKindName::Insurer,
        OrgKindName::Pharmacy,
        OrgKindName::BloodBank,
        OrgKindName::Lab,
        OrgKindName::Regulator,
    ];
    Genesis {
        chain_id: "test-chain".into(),
        genesis_time: T0,
        block_gas_limit,
        max_tx_bytes: 1 << 20,
        organisations: kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| Organisation {
                id: format!("org{}", i + 1),
                kind: *kind,
                members: vec![Member {
                    name: format!("m{}", i + 1),
                    public_key: public(i as u8 + 1).to_hex(),
                    roles: if i == 0 {
                        vec![RoleName::Validator, RoleName::Deployer, RoleName::Member]
                    } else {
                        vec![RoleName::Member]
                    },
                }],
            })
            .collect(),
    }
}

fn tx(signer: u8, nonce: u64, gas_limit: u64, action: Action) -> SignedTx {
    TxPayload {
        chain_id: "test-chain".into(),
        sender: public(signer),
        nonce,
        gas_limit,
        action,
    }
    .sign(&key(signer))
}

fn selector_call(name: &str, args: impl Encode) -> Vec<u8> {
    let mut input = carechain_metadata::selector(name).to_vec();
    args.encode_to(&mut input);
    input
}

fn deploy_counter(nonce: u64, start: u64) -> SignedTx {
    tx(
        1,
        nonce,
        500_000_000,
        Action::Deploy {
            code: carechain_contracts::wasm("counter").unwrap().to_vec(),
            input: selector_call("new", start),
            salt: vec![],
        },
    )
}

fn call(signer: u8, nonce: u64, contract: Address, input: Vec<u8>) -> SignedTx {
    tx(signer, nonce, 50_000_000, Action::Call { contract, input })
}

fn open(dir: &std::path::Path, engine: EngineKind) -> Chain {
    Chain::open(dir, genesis(10_000_000_000), engine).unwrap()
}

/// Deploys the counter (owner: key 1) and returns its address.
fn with_counter(chain: &Chain) -> Address {
    let c = chain
        .produce_block(vec![deploy_counter(0, 5)], T0 + 1, public(1))
        .unwrap();
    assert_eq!(c.receipts[0].status, TxStatus::Success);
    c.receipts[0].contract.unwrap()
}

fn counter_value(chain: &Chain, counter: Address) -> u64 {
    let r = chain
        .query(
            Address([0; 32]),
            counter,
            selector_call("get", ()),
            10_000_000,
        )
        .expect("the state reads");
    assert!(r.outcome.is_success(), "{:?}", r.outcome);
    u64::from_le_bytes(r.return_data.try_into().unwrap())
}

#[test]
fn a_committed_chain_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (root, counter) = {
        let chain = open(dir.path(), EngineKind::Wasmtime);
        let counter = with_counter(&chain);
        let c = chain
            .produce_block(
                vec![call(2, 0, counter, selector_call("increment", 3u64))],
                T0 + 2,
                public(1),
            )
            .unwrap();
        assert_eq!(c.receipts[0].status, TxStatus::Success);
        assert_eq!(c.block.header.height, 2);
        (c.block.header.state_root, counter)
    };
    let chain = open(dir.path(), EngineKind::Wasmtime);
    let head = chain.head().unwrap();
    assert_eq!(head.height, 2);
    assert_eq!(head.state_root, root);
    let block = chain.store().block(2).unwrap().unwrap();
    assert_eq!(block.header, head, "the head header is the stored block's");
    assert_eq!(chain.store().state_root(2).unwrap(), root);
    assert_eq!(counter_value(&chain, counter), 8);
    assert_eq!(chain.nonce(&public(2).address()).unwrap(), 1);
    let receipts = chain.store().receipts(2).unwrap().unwrap();
    assert_eq!(receipts[0].events.len(), 1, "the Incremented event is kept");
    let location = chain
        .store()
        .tx_location(&block.txs[0].hash())
        .unwrap()
        .unwrap();
    assert_eq!((location.height, location.index), (2, 0));
}

#[test]
fn replaying_the_blocks_gives_the_same_state_on_either_engine() {
    let live_dir = tempfile::tempdir().unwrap();
    let live = open(live_dir.path(), EngineKind::Wasmtime);
    let counter = with_counter(&live);
    for i in 0..3u64 {
        live.produce_block(
            vec![
                call(2, i, counter, selector_call("increment", i + 1)),
                call(3, i, counter, selector_call("reset", ())),
            ],
            T0 + 10 + i,
            public(1),
        )
        .unwrap();
    }
    for engine in EngineKind::ALL {
        let replay_dir = tempfile::tempdir().unwrap();
        let replay = open(replay_dir.path(), engine);
        let head = live.head().unwrap().height;
        for h in 1..=head {
            let block = live.store().block(h).unwrap().unwrap();
            let receipts = replay.apply_block(&block).unwrap();
            assert_eq!(
                receipts,
                live.store().receipts(h).unwrap().unwrap(),
                "{engine:?} height {h}"
            );
        }
        assert_eq!(replay.head().unwrap(), live.head().unwrap(), "{engine:?}");
    }
}

#[test]
fn a_tampered_block_is_refused_and_changes_nothing() {
    let a_dir = tempfile::tempdir().unwrap();
    let a = open(a_dir.path(), EngineKind::Wasmi);
    let counter = with_counter(&a);
    a.produce_block(
        vec![call(2, 0, counter, selector_call("increment", 1u64))],
        T0 + 5,
        public(1),
    )
    .unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let b = open(b_dir.path(), EngineKind::Wasmi);
    b.apply_block(&a.store().block(1).unwrap().unwrap())
        .unwrap();
    let good = a.store().block(2).unwrap().unwrap();

    let mut wrong_root = good.clone();
    wrong_root.header.state_root = [7; 32];
    assert!(matches!(
        b.apply_block(&wrong_root),
        Err(ChainError::InvalidBlock { height: 2, .. })
    ));
    // b admitted the genuine transaction (its signature is known good): that vouches for those
    // exact bytes only, so a copy with another signature is still checked, and refused.
    b.note_verified(good.txs[0].hash());
    let mut forged = good.clone();
    forged.txs[0].signature[0] ^= 1;
    assert!(matches!(
        b.apply_block(&forged),
        Err(ChainError::InvalidBlock { .. })
    ));
    assert_eq!(b.head().unwrap().height, 1, "nothing committed");
    b.apply_block(&good).unwrap();
}

#[test]
fn a_state_proof_verifies_against_the_block_root_and_a_tampered_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let chain = open(dir.path(), EngineKind::Wasmtime);
    let counter = with_counter(&chain);
    let header = chain.head().unwrap();
    // The SDK stores Item "count" under [len, name...].
    let key = StateKey::Storage(counter, [&[5u8][..], b"count"].concat());
    let (value, proof) = chain.prove(&key, header.height).unwrap();
    assert_eq!(value, Some(5u64.encode()));
    verify_proof(&proof, header.state_root, &key, value.as_deref()).unwrap();
    assert!(verify_proof(&proof, header.state_root, &key, Some(&6u64.encode())).is_err());
    assert!(verify_proof(&proof, [1; 32], &key, value.as_deref()).is_err());
    // Absence is provable too.
    let missing = StateKey::Storage(counter, b"nothing here".to_vec());
    let (none, proof) = chain.prove(&missing, header.height).unwrap();
    assert_eq!(none, None);
    verify_proof(&proof, header.state_root, &missing, None).unwrap();
    assert!(verify_proof(&proof, header.state_root, &missing, Some(b"x")).is_err());
}

#[test]
fn replayed_nonces_unknown_signers_and_missing_roles_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let chain = open(dir.path(), EngineKind::Wasmtime);
    let counter = with_counter(&chain);
    let first = call(2, 0, counter, selector_call("increment", 1u64));
    chain
        .produce_block(vec![first.clone()], T0 + 2, public(1))
        .unwrap();
    assert!(matches!(
        chain.check_admission(&first),
        Err(TxError::NonceTooLow {
            expected: 1,
            found: 0
        })
    ));
    let stranger = call(9, 0, counter, selector_call("increment", 1u64));
    assert!(matches!(
        chain.check_admission(&stranger),
        Err(TxError::UnknownSigner(_))
    ));
    let not_deployer = tx(
        2,
        1,
        500_000_000,
        Action::Deploy {
            code: vec![0],
            input: vec![],
            salt: vec![],
        },
    );
    assert_eq!(
        chain.check_admission(&not_deployer),
        Err(TxError::NotPermitted(NodeRole::Deployer))
    );

    let root = chain.head().unwrap().state_root;
    let c = chain
        .produce_block(vec![first, stranger, not_deployer], T0 + 3, public(1))
        .unwrap();
    assert!(
        c.block.txs.is_empty(),
        "refused transactions are not included"
    );
    assert_eq!(c.refused.len(), 3);
    assert_eq!(c.block.header.state_root, root, "and change nothing");
}

#[test]
fn a_reverted_transaction_is_included_and_changes_only_the_nonce() {
    let dir = tempfile::tempdir().unwrap();
    let chain = open(dir.path(), EngineKind::Wasmi);
    let counter = with_counter(&chain);
    // Only the owner (key 1) may reset.
    let c = chain
        .produce_block(
            vec![call(2, 0, counter, selector_call("reset", ()))],
            T0 + 2,
            public(1),
        )
        .unwrap();
    assert_eq!(c.block.txs.len(), 1);
    assert_eq!(c.receipts[0].status, TxStatus::Reverted);
    assert!(c.receipts[0].gas_used > 0);
    assert_eq!(counter_value(&chain, counter), 5);
    assert_eq!(chain.nonce(&public(2).address()).unwrap(), 1);
    // Out of gas: failed, included, nothing else changed.
    let starved = tx(
        2,
        1,
        1_000,
        Action::Call {
            contract: counter,
            input: selector_call("increment", 1u64),
        },
    );
    let c = chain
        .produce_block(vec![starved], T0 + 3, public(1))
        .unwrap();
    assert_eq!(c.receipts[0].status, TxStatus::Failed("out_of_gas".into()));
    assert_eq!(counter_value(&chain, counter), 5);
}

/// A transaction fits if the gas used so far plus its gas limit is within the block gas limit
/// (the Ethereum rule); the rest waits for the next block.
#[test]
fn a_full_block_defers_the_rest_to_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::open(dir.path(), genesis(2_000_000), EngineKind::Wasmtime).unwrap();
    let deploy = |nonce: u64| {
        tx(
            1,
            nonce,
            900_000,
            Action::Deploy {
                code: carechain_contracts::wasm("counter").unwrap().to_vec(),
                input: selector_call("new", 0u64),
                salt: vec![nonce as u8],
            },
        )
    };
    let c = chain
        .produce_block((0..3).map(deploy).collect(), T0 + 2, public(1))
        .unwrap();
    assert!(
        c.receipts.iter().all(|r| r.status == TxStatus::Success),
        "{:?}",
        c.receipts
    );
    assert_eq!(
        c.block.txs.len(),
        2,
        "a third deploy would pass the block gas limit"
    );
    assert!(c.block.header.gas_used <= 2_000_000);
    assert_eq!(c.deferred.len(), 1);
    let next = chain.produce_block(c.deferred, T0 + 3, public(1)).unwrap();
    assert_eq!(next.block.txs.len(), 1);
    assert_eq!(next.receipts[0].status, TxStatus::Success);
}

#[test]
fn a_member_is_added_only_with_a_majority_of_organisations() {
    let dir = tempfile::tempdir().unwrap();
    let chain = open(dir.path(), EngineKind::Wasmtime);
    let newcomer = public(42);
    let propose = tx(
        1,
        0,
        1_000_000,
        Action::Admin(AdminAction::Propose(Proposal::AddMember {
            org: "org2".into(),
            key: newcomer,
            roles: vec![NodeRole::Member],
        })),
    );
    chain
        .produce_block(vec![propose], T0 + 1, public(1))
        .unwrap();
    for signer in 2..=3u8 {
        let approve = tx(
            signer,
            0,
            1_000_000,
            Action::Admin(AdminAction::Approve { proposal: 0 }),
        );
        let c = chain
            .produce_block(vec![approve], T0 + 1 + u64::from(signer), public(1))
            .unwrap();
        assert_eq!(c.receipts[0].status, TxStatus::Success);
        assert!(
            chain.member(&newcomer).unwrap().is_none(),
            "3 of 6 is not a majority"
        );
    }
    let fourth = tx(
        4,
        0,
        1_000_000,
        Action::Admin(AdminAction::Approve { proposal: 0 }),
    );
    chain
        .produce_block(vec![fourth], T0 + 10, public(1))
        .unwrap();
    assert_eq!(chain.member(&newcomer).unwrap().unwrap().org, "org2");
    // Approving again fails and changes nothing but the nonce.
    let late = tx(
        5,
        0,
        1_000_000,
        Action::Admin(AdminAction::Approve { proposal: 0 }),
    );
    let c = chain.produce_block(vec![late], T0 + 11, public(1)).unwrap();
    assert_eq!(
        c.receipts[0].status,
        TxStatus::Failed("proposal_already_executed".into())
    );
}

#[test]
fn a_disclosure_log_anchor_is_recorded_per_node_and_only_grows() {
    let dir = tempfile::tempdir().unwrap();
    let chain = open(dir.path(), EngineKind::Wasmtime);
    let anchor = |signer: u8, nonce: u64, entries: u64, head: u8| {
        tx(
            signer,
            nonce,
            1_000_000,
            Action::Admin(AdminAction::AnchorDisclosures {
                entries,
                head: [head; 32],
            }),
        )
    };
    let c = chain
        .produce_block(
            vec![anchor(1, 0, 5, 0xa5), anchor(2, 0, 1, 0xb1)],
            T0 + 1,
            public(1),
        )
        .unwrap();
    assert!(c.receipts.iter().all(|r| r.status == TxStatus::Success));
    let mine = chain.disclosure_anchor(&public(1)).unwrap().unwrap();
    assert_eq!((mine.entries, mine.head, mine.height), (5, [0xa5; 32], 1));
    assert_eq!(
        chain
            .disclosure_anchor(&public(2))
            .unwrap()
            .unwrap()
            .entries,
        1
    );
    assert!(chain.disclosure_anchor(&public(3)).unwrap().is_none());
    // A node may not anchor a shorter log than it did: its past is fixed.
    let c = chain
        .produce_block(vec![anchor(1, 1, 4, 0x44)], T0 + 2, public(1))
        .unwrap();
    assert_eq!(
        c.receipts[0].status,
        TxStatus::Failed("anchor_shrinks".into())
    );
    assert_eq!(chain.disclosure_anchor(&public(1)).unwrap().unwrap(), mine);
    let c = chain
        .produce_block(vec![anchor(1, 2, 7, 0xa7)], T0 + 3, public(1))
        .unwrap();
    assert_eq!(c.receipts[0].status, TxStatus::Success);
    let grown = chain.disclosure_anchor(&public(1)).unwrap().unwrap();
    assert_eq!((grown.index, grown.entries, grown.height), (1, 7, 3));
    // As many entries with another head: a rewrite, refused; the same head again changes nothing.
    let c = chain
        .produce_block(
            vec![anchor(1, 3, 7, 0x77), anchor(1, 4, 7, 0xa7)],
            T0 + 4,
            public(1),
        )
        .unwrap();
    assert_eq!(
        c.receipts[0].status,
        TxStatus::Failed("anchor_shrinks".into())
    );
    assert_eq!(c.receipts[1].status, TxStatus::Success);
    // Every anchor is kept, so a later one cannot hide an earlier one.
    let all = chain.disclosure_anchors(&public(1)).unwrap();
    assert_eq!(
        all.iter()
            .map(|a| (a.index, a.entries, a.head[0]))
            .collect::<Vec<_>>(),
        [(0, 5, 0xa5), (1, 7, 0xa7)]
    );
}

#[test]
fn a_database_of_another_chain_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), EngineKind::Wasmtime));
    let mut other = genesis(10_000_000_000);
    other.chain_id = "other-chain".into();
    assert!(matches!(
        Chain::open(dir.path(), other, EngineKind::Wasmtime),
        Err(ChainError::WrongChain { .. })
    ));
}

/// Network mode executes a block before it is committed, and its child on top of it: three
/// blocks built speculatively, each on its uncommitted parent, give the headers and state that
/// building and committing them one by one gives; committing them in order then matches, and a
/// verifier re-executing them on the same uncommitted bases agrees. Nothing reaches the store
/// before `commit`, and a block cannot be committed before its parent.
#[test]
fn blocks_execute_on_uncommitted_parents_and_commit_in_order() {
    let sequential_dir = tempfile::tempdir().unwrap();
    let sequential = open(sequential_dir.path(), EngineKind::Wasmtime);
    let counter = with_counter(&sequential);
    let txs = |i: u64| {
        vec![
            call(2, i, counter, selector_call("increment", i + 1)),
            call(3, i, counter, selector_call("increment", 10u64)),
        ]
    };
    let mut expected = Vec::new();
    for i in 0..3u64 {
        let c = sequential
            .produce_block(txs(i), T0 + 10 + i, public(1))
            .unwrap();
        expected.push(c.block);
    }

    let speculative_dir = tempfile::tempdir().unwrap();
    let speculative = open(speculative_dir.path(), EngineKind::Wasmi);
    assert_eq!(with_counter(&speculative), counter);
    let mut built: Vec<std::sync::Arc<Executed>> = Vec::new();
    for i in 0..3u64 {
        let base = Base::uncommitted(built.iter().rev().cloned().collect());
        let executed = speculative
            .build_block(&base, txs(i), T0 + 10 + i, public(1))
            .unwrap();
        assert!(executed.refused.is_empty(), "{:?}", executed.refused);
        assert_eq!(executed.block, expected[i as usize], "block {i}");
        built.push(std::sync::Arc::new(executed));
    }
    assert_eq!(
        speculative.head().unwrap().height,
        1,
        "nothing committed yet"
    );
    assert_eq!(counter_value(&speculative, counter), 5);
    assert!(matches!(
        speculative.commit(&built[1]),
        Err(ChainError::InvalidBlock { .. })
    ));

    // A verifier on a third chain re-executes the same blocks on the same bases.
    let verifier_dir = tempfile::tempdir().unwrap();
    let verifier = open(verifier_dir.path(), EngineKind::Wasmtime);
    with_counter(&verifier);
    let mut verified: Vec<std::sync::Arc<Executed>> = Vec::new();
    for block in &expected {
        let base = Base::uncommitted(verified.iter().rev().cloned().collect());
        verified.push(std::sync::Arc::new(
            verifier.execute_block(&base, block).unwrap(),
        ));
    }
    // A tampered block is refused on an uncommitted base too.
    let mut tampered = expected[2].clone();
    tampered.header.state_root[0] ^= 1;
    let base = Base::uncommitted(verified[..2].iter().rev().cloned().collect());
    assert!(matches!(
        verifier.execute_block(&base, &tampered),
        Err(ChainError::InvalidBlock { .. })
    ));

    for (chain, executed) in [(&speculative, &built), (&verifier, &verified)] {
        for e in executed {
            chain.commit(e).unwrap();
        }
        assert_eq!(chain.head().unwrap(), sequential.head().unwrap());
        assert_eq!(counter_value(chain, counter), 5 + 1 + 2 + 3 + 30);
        let root = chain.head().unwrap().state_root;
        assert_eq!(chain.store().state_root(4).unwrap(), root);
        // Proofs read the committed tree the speculative batches became.
        let (value, proof) = chain
            .prove(&StateKey::Nonce(public(2).address()), 4)
            .unwrap();
        verify_proof(
            &proof,
            root,
            &StateKey::Nonce(public(2).address()),
            value.as_deref(),
        )
        .unwrap();
        assert_eq!(value, Some(3u64.encode()));
    }
    // A block built on a base that no longer descends from the head is refused.
    let stale = Base::uncommitted(vec![built[0].clone()]);
    assert!(matches!(
        speculative.build_block(&stale, vec![], T0 + 20, public(1)),
        Err(ChainError::InvalidBlock { .. })
    ));
}
