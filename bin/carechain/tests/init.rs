//! `carechain init` as an operator runs it.

use std::process::Command;

use carechain_primitives::genesis::{Genesis, parse_key};
use ed25519_dalek::SigningKey;

fn carechain(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_carechain"))
        .args(args)
        .output()
        .expect("run carechain")
}

#[test]
fn init_creates_a_valid_consortium_whose_keys_match_the_genesis() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain");
    let out = carechain(&[
        "init",
        "--dir",
        path.to_str().unwrap(),
        "--chain-id",
        "test-chain",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["chain_id"], "test-chain");

    let genesis =
        Genesis::from_toml(&std::fs::read_to_string(path.join("genesis.toml")).unwrap()).unwrap();
    assert_eq!(genesis.chain_id, "test-chain");
    let kinds: Vec<String> = genesis
        .organisations
        .iter()
        .map(|o| format!("{:?}", o.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            "Hospital",
            "Insurer",
            "Pharmacy",
            "BloodBank",
            "Lab",
            "Regulator",
            "Manufacturer",
            "Wholesaler"
        ]
    );
    for org in &genesis.organisations {
        let secret =
            std::fs::read_to_string(path.join("keys").join(format!("{}.key", org.id))).unwrap();
        let bytes: [u8; 32] = hex::decode(secret.trim()).unwrap().try_into().unwrap();
        let public = SigningKey::from_bytes(&bytes).verifying_key().to_bytes();
        assert_eq!(parse_key(&org.members[0].public_key).unwrap().0, public);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path.join("keys").join(format!("{}.key", org.id)))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "secret keys are private");
            let tls_key = std::fs::metadata(path.join("tls").join(format!("{}.key", org.id)))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(tls_key & 0o777, 0o600, "TLS keys are private");
        }
        // Each organisation's node has a self-signed certificate for its RPC port, which
        // rustls can serve with its key and clients can pin.
        let cert = path.join("tls").join(format!("{}.crt", org.id));
        let key = path.join("tls").join(format!("{}.key", org.id));
        carechain_rpc::RpcTls::from_pem_files(&cert, &key).unwrap();
        carechain_client::TlsTrust::from_pem_file(&cert).unwrap();
        let entry = summary["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == org.id.as_str())
            .unwrap();
        assert_eq!(entry["tls_cert"], cert.to_str().unwrap());
    }
    // The dev node serves plaintext on loopback; its TLS section is there, commented out.
    let node_toml = std::fs::read_to_string(path.join("node.toml")).unwrap();
    assert!(
        node_toml.contains("# [rpc_tls]\n# cert = \"tls/st-mary-hospital.crt\""),
        "{node_toml}"
    );

    // A second init does not destroy the chain's keys by accident.
    let again = carechain(&["init", "--dir", path.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}
