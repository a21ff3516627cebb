//! Builds every contract in `../contracts` to `wasm32v1-none` (release: opt-level z, LTO, panic
//! abort) and writes `contracts.rs` into OUT_DIR, listing each contract's wasm by name.
//!
//! In the style of substrate-wasm-builder: the inner `cargo build` runs on the contracts' own
//! workspace with its own target directory, so it never waits on the outer build's lock, and with
//! the outer build's compiler flags and wrappers removed (they are for the host, not for wasm).
//! If `wasm-opt` (binaryen; `scripts/setup` installs it) is on the PATH it shrinks the result
//! (`-Oz`, MVP features only, ~15% smaller); it is never required, and `CARECHAIN_WASM_OPT=off`
//! skips it (to check that the contracts behave the same without it).
//!
//! The wasm must not depend on where the repository is checked out: a contract's code hash is its
//! address, so it is in every state root. Cargo hashes the absolute path of a path dependency that
//! lies outside the workspace (here the SDK, `../sdk`) into each crate's `-C metadata`, and that
//! hash orders LLVM's functions: the same sources in two directories gave two different wasm
//! files (and a state root that differed on CI). So the inner build reads the sources through a
//! fixed path, [`BUILD_PATH`], a symbolic link to this checkout, held under a file lock for the
//! whole build so that two checkouts building at once take turns.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32v1-none";

/// The fixed path the contracts are built through: a symbolic link to the checkout being built,
/// the same on every machine (as a reproducible-build container's fixed source directory is).
const BUILD_PATH: &str = "/tmp/carechain-build/src";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest_dir
        .parent()
        .expect("the bundle lives in the workspace")
        .to_path_buf();
    let contracts = root.join("contracts");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));

    for watched in [
        "contracts",
        "sdk/sdk",
        "sdk/macros",
        "sdk/metadata",
        "sdk/abi",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=CARECHAIN_CONTRACTS_TARGET_DIR");
    println!("cargo:rerun-if-env-changed=CARECHAIN_WASM_OPT");
    let wasm_opt = env::var("CARECHAIN_WASM_OPT").as_deref() != Ok("off");

    let target_dir = env::var_os("CARECHAIN_CONTRACTS_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target").join("contracts"));

    let names = contract_names(&contracts);
    {
        let fixed = FixedPath::take(&root);
        let source = fixed.as_ref().map_or(root.as_path(), |f| f.path.as_path());
        if fixed.is_none() {
            println!(
                "cargo:warning=cannot link {BUILD_PATH} to this checkout: the contracts are built \
                 from {}, so their wasm (and the demo's state root) depends on that path",
                root.display()
            );
        }
        // One build per contract, so that each gets exactly the SDK features it asks for (a
        // workspace-wide build would unify them: the minimal example would carry the panic
        // formatting the others enable).
        for name in &names {
            build(&contracts, &source.join("contracts"), &target_dir, name);
        }
    }

    let mut listing = String::from("/// Every contract of `contracts/`: (name, wasm).\n");
    listing.push_str("pub static CONTRACTS: &[(&str, &[u8])] = &[\n");
    let mut all_optimised = true;
    for name in &names {
        let built = target_dir
            .join(TARGET)
            .join("release")
            .join(format!("{}.wasm", name.replace('-', "_")));
        let dest = out_dir.join(format!("{name}.wasm"));
        let optimised = wasm_opt && optimise(&built, &dest);
        all_optimised &= optimised;
        if !optimised {
            fs::copy(&built, &dest).unwrap_or_else(|e| {
                panic!(
                    "contract `{name}` built, but {} is missing: {e}",
                    built.display()
                )
            });
        }
        listing.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            dest.display().to_string()
        ));
    }
    listing.push_str("];\n");
    listing.push_str(&format!(
        "/// True if wasm-opt shrank every contract.\npub static WASM_OPT: bool = {all_optimised};\n"
    ));
    fs::write(out_dir.join("contracts.rs"), listing).expect("OUT_DIR is writable");
}

/// The package names of the contracts: the `members` of `contracts/Cargo.toml` (one line,
/// `members = ["a", "b"]`), so a crate being written but not yet listed does not break the build,
/// that build a `cdylib` (the others, such as `consent-api`, are libraries contracts share).
fn contract_names(contracts: &Path) -> Vec<String> {
    let manifest = fs::read_to_string(contracts.join("Cargo.toml")).expect("contracts/Cargo.toml");
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .expect("contracts/Cargo.toml lists its members on one line");
    let list = line
        .split_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(inside, _)| inside)
        .expect("members = [...]");
    let mut names: Vec<String> = list
        .split(',')
        .map(|n| n.trim().trim_matches('"').to_string())
        .filter(|n| !n.is_empty())
        .filter(|n| {
            let manifest = contracts.join(n).join("Cargo.toml");
            fs::read_to_string(&manifest)
                .unwrap_or_else(|e| panic!("{}: {e}", manifest.display()))
                .contains("\"cdylib\"")
        })
        .collect();
    names.sort();
    names
}

/// [`BUILD_PATH`] pointing at this checkout, locked until dropped.
struct FixedPath {
    path: PathBuf,
    _lock: fs::File,
}

impl FixedPath {
    /// Takes the lock and points the link at `root`; `None` where that is not possible (not a
    /// Unix system, or the directory belongs to another user), and the build goes on from the
    /// real path.
    #[cfg(unix)]
    fn take(root: &Path) -> Option<FixedPath> {
        let path = PathBuf::from(BUILD_PATH);
        let dir = path.parent()?;
        fs::create_dir_all(dir).ok()?;
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))
            .ok()?;
        lock.lock().ok()?;
        let staged = dir.join(format!("src.{}", std::process::id()));
        let _ = fs::remove_file(&staged);
        std::os::unix::fs::symlink(root, &staged).ok()?;
        if fs::rename(&staged, &path).is_err() {
            let _ = fs::remove_file(&staged);
            return None;
        }
        Some(FixedPath { path, _lock: lock })
    }

    #[cfg(not(unix))]
    fn take(_root: &Path) -> Option<FixedPath> {
        None
    }
}

/// Builds one contract. `contracts` is the real directory (cargo reads `.cargo/config.toml` from
/// its working directory, which the system resolves through any link); `source` is the same
/// directory as cargo must see it, through [`BUILD_PATH`].
fn build(contracts: &Path, source: &Path, target_dir: &Path, package: &str) {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    // From the contracts' directory, so their .cargo/config.toml (stack size) applies.
    cmd.current_dir(contracts)
        .arg("build")
        .arg("--release")
        .arg("--locked")
        .arg("--package")
        .arg(package)
        .arg("--target")
        .arg(TARGET)
        .arg("--manifest-path")
        .arg(source.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    // The outer build's settings are for the host; the jobserver (CARGO_MAKEFLAGS) is kept so the
    // inner build shares the outer one's job slots.
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        let keep = matches!(key.as_str(), "CARGO_HOME" | "CARGO_MAKEFLAGS" | "CARGO")
            || key.starts_with("CARGO_NET_")
            || key.starts_with("CARGO_HTTP_")
            || key.starts_with("CARGO_REGISTRIES_");
        let outer_only = key.starts_with("CARGO_")
            || matches!(
                key.as_str(),
                "RUSTFLAGS"
                    | "RUSTC_WRAPPER"
                    | "RUSTC_WORKSPACE_WRAPPER"
                    | "RUSTDOCFLAGS"
                    | "OUT_DIR"
                    | "TARGET"
                    | "HOST"
                    | "OPT_LEVEL"
                    | "PROFILE"
                    | "DEBUG"
                    | "NUM_JOBS"
                    | "RUSTC_LINKER"
            );
        if outer_only && !keep {
            cmd.env_remove(&key);
        }
    }
    let output = cmd.output().expect("cargo can be run");
    if !output.status.success() {
        panic!(
            "building the contracts for {TARGET} failed (is the target installed? \
             `rustup target add {TARGET}`):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Runs `wasm-opt -Oz` if it is installed; false if it is not (or fails), leaving `dest` to be
/// copied from `built` unchanged.
fn optimise(built: &Path, dest: &Path) -> bool {
    Command::new("wasm-opt")
        .arg("-Oz")
        .arg("--mvp-features")
        .arg("--enable-mutable-globals")
        .arg(built)
        .arg("-o")
        .arg(dest)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}
