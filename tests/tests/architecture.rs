//! The architecture the README's crate table describes, checked: crate dependencies point one
//! way (contracts -> sdk -> abi <- runtime <- node crates <- tools <- the `carechain` binary), and
//! no two files of one crate import each other (directly or round a longer loop).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the repository")
        .to_path_buf()
}

/// `cargo metadata` of one workspace (members only): each package's name, source directory and
/// `carechain*`/contract dependencies with their kind (`normal`, `build`, `dev`).
struct Package {
    name: String,
    src: PathBuf,
    deps: Vec<(String, String)>,
}

fn packages(manifest: &Path) -> Vec<Package> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata is JSON");
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| Package {
            name: p["name"].as_str().expect("name").to_string(),
            src: Path::new(p["manifest_path"].as_str().expect("manifest path"))
                .parent()
                .expect("a manifest is in a directory")
                .join("src"),
            deps: p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["path"].is_string())
                .map(|d| {
                    (
                        d["name"].as_str().expect("name").to_string(),
                        d["kind"].as_str().unwrap_or("normal").to_string(),
                    )
                })
                .collect(),
        })
        .collect()
}

fn all_packages() -> Vec<Package> {
    let mut all = packages(&root().join("Cargo.toml"));
    all.extend(packages(&root().join("contracts/Cargo.toml")));
    all
}

const SDK: &[&str] = &[
    "carechain-abi",
    "carechain-metadata",
    "carechain-macros",
    "carechain-sdk",
];
const NODE: &[&str] = &[
    "carechain-primitives",
    "carechain-storage",
    "carechain-chain",
    "carechain-mempool",
    "carechain-service",
    "carechain-consensus",
    "carechain-rpc-api",
    "carechain-rpc",
    "carechain-client",
];
const TOOLS: &[&str] = &["carechain-scenario", "carechain-load"];
/// Contracts' shared interface crates (libraries of the contracts' workspace).
const CONTRACT_LIBS: &[&str] = &["carechain-consent-api"];

/// The workspace crates `package` may depend on (any kind), or `None` for "any".
fn allowed(package: &str) -> Option<Vec<&'static str>> {
    let host_sdk = ["carechain-abi", "carechain-metadata"];
    let mut allowed: Vec<&'static str> = match package {
        "carechain-abi" | "carechain-contracts" => vec![],
        p if SDK.contains(&p) => SDK.to_vec(),
        "carechain-runtime" => vec!["carechain-abi"],
        p if NODE.contains(&p) => [NODE, &host_sdk, &["carechain-runtime"]].concat(),
        p if TOOLS.contains(&p) => [NODE, &host_sdk, &["carechain-runtime"]].concat(),
        // The binary links everything; the cross-crate tests use what they test.
        "carechain" | "carechain-tests" => return None,
        // A contract: the SDK and the contracts' shared interfaces, nothing of the host.
        _ => [&["carechain-sdk"][..], CONTRACT_LIBS].concat(),
    };
    // Any host crate may use the compiled contracts (tests, demos, the scenario runner).
    if package != "carechain-abi" && SDK.iter().chain(CONTRACT_LIBS).all(|s| *s != package) {
        allowed.push("carechain-contracts");
    }
    Some(allowed)
}

#[test]
fn crate_dependencies_point_one_way() {
    let packages = all_packages();
    assert!(packages.len() >= 25, "both workspaces are read");
    let mut wrong = Vec::new();
    for package in &packages {
        let Some(allowed) = allowed(&package.name) else {
            continue;
        };
        for (dep, kind) in &package.deps {
            if !allowed.contains(&dep.as_str()) {
                wrong.push(format!("{} -> {dep} ({kind})", package.name));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies against the architecture:\n{}",
        wrong.join("\n")
    );
    // The rules are not vacuous: the graph has the edges the README draws.
    let edge = |from: &str, to: &str| {
        packages
            .iter()
            .any(|p| p.name == from && p.deps.iter().any(|(d, _)| d == to))
    };
    assert!(edge("consent", "carechain-consent-api"));
    assert!(edge("carechain-sdk", "carechain-abi"));
    assert!(edge("carechain-runtime", "carechain-abi"));
    assert!(edge("carechain-storage", "carechain-runtime"));
    assert!(edge("carechain", "carechain-scenario"));
}

#[test]
fn the_dependency_rules_catch_a_wrong_edge() {
    // What the test above would say of edges the architecture forbids.
    for (from, to) in [
        ("carechain-chain", "carechain-scenario"),
        ("carechain-runtime", "carechain-storage"),
        ("carechain-abi", "carechain-runtime"),
        ("carechain-sdk", "carechain-runtime"),
        ("consent", "carechain-runtime"),
        ("carechain-rpc", "carechain-sdk"),
        ("carechain-load", "carechain"),
    ] {
        let allowed = allowed(from).expect("a checked crate");
        assert!(!allowed.contains(&to), "{from} -> {to} must be refused");
    }
}

/// A crate's modules: module path (`a::b`) -> file, from the files under `src`.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path
                .strip_prefix(src)
                .expect("under src")
                .with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
                parts.clear();
            }
            if parts.first().is_some_and(|p| p == "bin") {
                continue; // separate crates
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// The paths after `crate::` or `super::` in `source`, made absolute from module `this`
/// (`use crate::{a::X, b}` gives `a::X` and `b`).
fn referenced_paths(source: &str, this: &str) -> Vec<String> {
    let mut out = Vec::new();
    let code: String = source
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    for (start, prefix) in [("crate::", String::new()), ("super::", parent(this))] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            rest = &rest[i + start.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            for path in paths_at(rest) {
                let path = path.trim_start_matches("super::").to_string();
                out.push(if prefix.is_empty() {
                    path
                } else {
                    format!("{prefix}::{path}")
                });
            }
        }
    }
    out
}

fn parent(module: &str) -> String {
    module.rsplit_once("::").map_or("", |(p, _)| p).to_string()
}

/// The path (or brace group of paths) at the start of `s`.
fn paths_at(s: &str) -> Vec<String> {
    if let Some(group) = s.strip_prefix('{') {
        let mut depth = 1;
        let mut end = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = i;
                break;
            }
        }
        let inner = &group[..end];
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut last = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&inner[last..i]);
                    last = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&inner[last..]);
        return parts
            .into_iter()
            .flat_map(|p| {
                let p = p.trim();
                match p.split_once("::{") {
                    Some((head, tail)) => paths_at(&format!("{{{tail}"))
                        .into_iter()
                        .map(|t| format!("{head}::{t}"))
                        .collect(),
                    None => vec![p.to_string()],
                }
            })
            .filter(|p| !p.is_empty())
            .collect();
    }
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(s.len());
    vec![s[..end].trim_end_matches(':').to_string()]
}

/// The module of `modules` a path names (its longest prefix that is a module).
fn module_of<'a>(path: &str, modules: &'a BTreeMap<String, PathBuf>) -> Option<&'a String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find_map(|m| modules.get_key_value(&m).map(|(k, _)| k))
}

/// File-level import edges of one crate: module -> modules it uses that are not its ancestors
/// (a child using its parent's items is how Rust splits one module over files).
fn import_edges(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules(src);
    let mut edges = BTreeMap::new();
    for (module, file) in &modules {
        let source = std::fs::read_to_string(file).expect("read source");
        let source = source
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .to_string();
        let mut to = BTreeSet::new();
        for path in referenced_paths(&source, module) {
            let Some(target) = module_of(&path, &modules) else {
                continue;
            };
            let ancestor =
                target.is_empty() || module == target || module.starts_with(&format!("{target}::"));
            if !ancestor {
                to.insert(target.clone());
            }
        }
        edges.insert(module.clone(), to);
    }
    edges
}

/// The groups of files that import each other (strongly connected components of more than one
/// file), each sorted, as `a <-> b <-> c`.
fn cycles_of(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    // Which files each file reaches; a group is the files that reach each other.
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(node) = stack.pop() {
            for next in edges.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        edges.keys().map(|k| (k, reach(k))).collect();
    let mut groups = BTreeSet::new();
    for (node, reached) in &reaches {
        let group: Vec<&str> = reached
            .iter()
            .filter(|other| reaches.get(other).is_some_and(|r| r.contains(*node)))
            .map(String::as_str)
            .collect();
        if group.len() > 1 {
            groups.insert(group.join(" <-> "));
        }
    }
    groups.into_iter().collect()
}

/// File groups that may import each other: none. The list is the ratchet the cycles were
/// removed under (the last seven went in one change: shared items moved to a third module, and
/// the runtime's re-entrancy, an engine running a frame whose host function runs a frame, goes
/// through the `Frames` trait in `frame.rs`). A new cycle fails the test.
const KNOWN_CYCLES: &[&str] = &[];

#[test]
fn no_two_files_of_a_crate_import_each_other() {
    let mut found = Vec::new();
    let mut checked = 0;
    for package in all_packages() {
        if !package.src.is_dir() {
            continue;
        }
        let edges = import_edges(&package.src);
        checked += edges.len();
        for group in cycles_of(&edges) {
            found.push(format!("{}: {group}", package.name));
        }
    }
    assert!(checked > 100, "the crates' files are read ({checked})");
    let new: Vec<&String> = found
        .iter()
        .filter(|f| !KNOWN_CYCLES.contains(&f.as_str()))
        .collect();
    let gone: Vec<&&str> = KNOWN_CYCLES
        .iter()
        .filter(|k| !found.iter().any(|f| f == *k))
        .collect();
    assert!(new.is_empty(), "new import cycles between files: {new:#?}");
    assert!(
        gone.is_empty(),
        "cycles gone (well done): take them off KNOWN_CYCLES: {gone:#?}"
    );
}

#[test]
fn the_cycle_check_finds_a_cycle_between_files() {
    // Two sibling files importing each other, as `store.rs` and `state.rs` once did.
    let dir = std::env::temp_dir().join(format!("carechain-arch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("lib.rs"), "mod store;\nmod state;\n").expect("write");
    std::fs::write(dir.join("store.rs"), "use crate::state::View;\n").expect("write");
    std::fs::write(
        dir.join("state.rs"),
        "use crate::{store::Store, lib_item};\n",
    )
    .expect("write");
    let found = cycles_of(&import_edges(&dir));
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(found, ["state <-> store"]);

    // A child file using its parent's items is not a cycle.
    let dir = std::env::temp_dir().join(format!("carechain-arch-ok-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("store")).expect("temp dir");
    std::fs::write(dir.join("lib.rs"), "mod store;\n").expect("write");
    std::fs::write(dir.join("store.rs"), "mod reader;\nuse reader::Reader;\n").expect("write");
    std::fs::write(dir.join("store/reader.rs"), "use super::Store;\n").expect("write");
    let found = cycles_of(&import_edges(&dir));
    std::fs::remove_dir_all(&dir).ok();
    assert!(found.is_empty(), "{found:?}");
}
