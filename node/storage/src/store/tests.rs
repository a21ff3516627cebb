//! Store tests: golden root, pruning, history settings, memory report.

use super::*;

/// State roots are consensus: a fixed state has a fixed root, on every machine and across
/// changes to how the tree is hashed or stored (a change here is a hard fork). The value was
/// computed by the node before the tree hasher streamed (commit 33467eb).
#[test]
fn a_fixed_state_has_a_fixed_root() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let mut pending = Pending::default();
    for i in 0u32..100 {
        pending.entries.insert(
            format!("key {i}").into_bytes(),
            Some(i.to_le_bytes().to_vec()),
        );
    }
    pending.entries.insert(b"gone".to_vec(), None);
    let (root, _) = store.tree_update(&pending, 0).expect("tree update");
    assert_eq!(hex::encode(root), GOLDEN_ROOT);
}

/// Commits an empty block at `height` whose state changes are `pending`; its state root.
fn commit_version(store: &Store, height: u64, pending: &Pending) -> [u8; 32] {
    let (root, tree) = store.tree_update(pending, height).expect("tree update");
    let block = Block {
        header: Header {
            height,
            parent_hash: [0; 32],
            timestamp: 0,
            proposer: carechain_primitives::tx::PublicKey([0; 32]),
            tx_root: [0; 32],
            state_root: root,
            receipts_root: [0; 32],
            gas_used: 0,
        },
        txs: Vec::new(),
    };
    store.commit(&block, &[], pending, &tree).expect("commit");
    root
}

fn entries(store: &Store, cf: &str) -> usize {
    store
        .db
        .iterator_cf(store.cf(cf), rocksdb::IteratorMode::Start)
        .count()
}

/// Commits versions `first..=last`: every version rewrites 40 hot keys with its height,
/// except 21 to 25, which change nothing (empty blocks); versions 0 to 4 each also write a
/// cold key that is never written again; `gone` is written at 1 and deleted at 10. Returns
/// the roots, and the tree's node and value counts after version 20 and after `last`.
fn write_history(store: &Store, first: u64, last: u64) -> (Vec<[u8; 32]>, [(usize, usize); 2]) {
    let mut roots = Vec::new();
    let mut counts = [(0, 0); 2];
    for height in first..=last {
        let mut pending = Pending::default();
        for i in 0..40 {
            if (21..=25).contains(&height) {
                break;
            }
            pending.entries.insert(
                format!("hot {i}").into_bytes(),
                Some(height.to_le_bytes().to_vec()),
            );
        }
        if height < 5 {
            pending.entries.insert(
                format!("cold {height}").into_bytes(),
                Some(vec![height as u8]),
            );
        }
        match height {
            1 => drop(pending.entries.insert(b"gone".to_vec(), Some(vec![1]))),
            10 => drop(pending.entries.insert(b"gone".to_vec(), None)),
            _ => {}
        }
        roots.push(commit_version(store, height, &pending));
        let now = (
            entries(store, CF_TREE_NODES),
            entries(store, CF_TREE_VALUES),
        );
        if height == 20 {
            counts[0] = now;
        }
        counts[1] = now;
    }
    (roots, counts)
}

fn proven(store: &Store, key: &[u8], height: u64, root: [u8; 32]) -> Option<Vec<u8>> {
    let (value, proof) = store.prove_raw(key, height).expect("a kept height");
    crate::verify_proof_raw(&proof, root, key, value.as_deref())
        .expect("the proof checks against the block's root");
    value
}

/// With a recent history the tree stays readable and provable at the kept heights, values
/// not rewritten since survive, older heights are refused as pruned, and the tree's nodes
/// and values stop growing once every version rewrites the same keys; an archive keeps
/// everything, and both give the same roots.
#[test]
fn pruning_keeps_recent_heights_provable_and_the_tree_bounded() {
    let archive_dir = tempfile::tempdir().expect("temp dir");
    let archive = Store::open_with(archive_dir.path(), StateHistory::Archive).expect("open");
    let (archive_roots, archive_counts) = write_history(&archive, 0, 40);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_with(dir.path(), StateHistory::Recent(3)).expect("open");
    let (roots, counts) = write_history(&store, 0, 40);
    assert_eq!(roots, archive_roots, "pruning does not change the state");

    assert_eq!(store.oldest_state().expect("oldest"), 38);
    for height in 38..=40 {
        let root = roots[height as usize];
        assert_eq!(store.state_root(height).expect("root"), root);
        assert_eq!(
            proven(&store, b"hot 7", height, root),
            Some(height.to_le_bytes().to_vec())
        );
        for cold in 0..5u8 {
            let key = format!("cold {cold}").into_bytes();
            assert_eq!(proven(&store, &key, height, root), Some(vec![cold]));
        }
        assert_eq!(proven(&store, b"gone", height, root), None);
    }
    for height in [0, 20, 37] {
        assert!(
            matches!(
                store.prove_raw(b"hot 7", height),
                Err(StoreError::Pruned { oldest: 38, .. })
            ),
            "height {height}"
        );
        assert!(matches!(
            store.state_root(height),
            Err(StoreError::Pruned { .. })
        ));
    }
    // The archive still proves every height.
    assert_eq!(
        proven(&archive, b"gone", 5, archive_roots[5]),
        Some(vec![1])
    );
    assert_eq!(archive.oldest_state().expect("oldest"), 0);

    let [(nodes_20, values_20), (nodes_40, values_40)] = counts;
    assert_eq!((nodes_40, values_40), (nodes_20, values_20), "bounded");
    let [(archive_nodes_20, _), (archive_nodes_40, archive_values_40)] = archive_counts;
    assert!(archive_nodes_40 > archive_nodes_20, "{archive_counts:?}");
    assert!(
        nodes_40 * 4 < archive_nodes_40 && values_40 * 4 < archive_values_40,
        "pruned {counts:?}, archive {archive_counts:?}"
    );
    // Of each hot key, the values of the kept heights and the one below them at most.
    assert!(values_40 <= 40 * 4 + 5 + 1, "{values_40}");
    assert!(entries(&store, CF_STALE) > 0);
    assert_eq!(entries(&archive, CF_STALE), 0);
}

/// A database written as an archive and reopened with a recent history prunes what it
/// commits from then on, and its oldest kept height follows the window at once.
#[test]
fn an_archive_reopened_with_a_recent_history_prunes_from_then_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let archive = Store::open_with(dir.path(), StateHistory::Archive).expect("open");
    let (mut roots, _) = write_history(&archive, 0, 30);
    drop(archive);
    let store = Store::open_with(dir.path(), StateHistory::Recent(3)).expect("reopen");
    let (more, _) = write_history(&store, 31, 40);
    roots.extend(more);
    assert_eq!(store.oldest_state().expect("oldest"), 38);
    for height in 38..=40 {
        assert_eq!(
            proven(&store, b"hot 3", height, roots[height as usize]),
            Some(height.to_le_bytes().to_vec())
        );
    }
    assert!(matches!(
        store.prove_raw(b"hot 3", 37),
        Err(StoreError::Pruned { oldest: 38, .. })
    ));
    // Versions 31 to 38 were pruned (what 38 made stale no kept height needs): their stale
    // entries are gone, 39 and 40's remain.
    let mut versions: Vec<u64> = store
        .db
        .iterator_cf(store.cf(CF_STALE), rocksdb::IteratorMode::Start)
        .map(|entry| {
            let (key, _) = entry.expect("entry");
            u64::from_be_bytes(key[..8].try_into().expect("8 bytes"))
        })
        .collect();
    versions.dedup();
    assert_eq!(versions, vec![39, 40]);
}

/// The history setting in node.toml: a number of blocks (at least 2) or "archive".
#[test]
fn state_history_parses_from_toml() {
    #[derive(Deserialize)]
    struct Config {
        state_history: StateHistory,
    }
    let parse = |text: &str| toml::from_str::<Config>(text).map(|c| c.state_history);
    assert_eq!(
        parse("state_history = 256").expect("a number"),
        StateHistory::Recent(256)
    );
    assert_eq!(
        parse("state_history = \"archive\"").expect("archive"),
        StateHistory::Archive
    );
    for bad in [
        "state_history = 1",
        "state_history = \"all\"",
        "state_history = -3",
    ] {
        let error = parse(bad).expect_err(bad).to_string();
        assert!(error.contains("at least 2"), "{bad}: {error}");
    }
}

const GOLDEN_ROOT: &str = "a270f15fc67c0b3f8655c02c3fe655b131bfa60d0df2439d95ef571cea778efc";

/// Writes 2,000 values of 256 bytes `byte` to `cf`, under keys 0..2000.
fn write_2000(store: &Store, cf: &rocksdb::ColumnFamily, byte: u8) {
    for i in 0u32..2_000 {
        store
            .db
            .put_cf(cf, i.to_be_bytes(), [byte; 256])
            .expect("put");
    }
}

/// The memory report follows what RocksDB holds: writes land in the memtables, and reads of
/// flushed tables go through the one block cache every column family shares. The disk
/// report counts the flushed table.
#[test]
fn memory_reports_memtables_and_the_shared_block_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let empty = store.memory().expect("memory");
    let state = store.cf(CF_STATE);
    write_2000(&store, state, 7);
    let written = store.memory().expect("memory");
    assert!(
        written.memtables >= empty.memtables + 2_000 * 256,
        "{empty:?} -> {written:?}"
    );
    store.db.flush_cf(state).expect("flush");
    for i in 0u32..2_000 {
        let value = store.db.get_cf(state, i.to_be_bytes()).expect("get");
        assert_eq!(value.as_deref(), Some(&[7u8; 256][..]));
    }
    let on_disk = store.disk().expect("disk");
    let state_bytes = on_disk.iter().find(|(cf, _)| *cf == CF_STATE).map(|p| p.1);
    assert!(state_bytes > Some(0), "{on_disk:?}");
    assert_eq!(on_disk.len(), COLUMN_FAMILIES.len());
    let read = store.memory().expect("memory");
    assert!(read.block_cache > 0, "{read:?}");
    assert!(read.table_readers > 0, "{read:?}");
    // Another column family's reads go to the same cache.
    let blocks = store.cf(CF_BLOCKS);
    write_2000(&store, blocks, 9);
    store.db.flush_cf(blocks).expect("flush");
    for i in 0u32..2_000 {
        assert!(
            store
                .db
                .get_cf(blocks, i.to_be_bytes())
                .expect("get")
                .is_some()
        );
    }
    let both = store.memory().expect("memory");
    assert!(both.block_cache > read.block_cache, "{read:?} -> {both:?}");
}
