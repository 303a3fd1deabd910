//! Lists every file under `assets/` into `$OUT_DIR/assets.rs` as
//! `(path, include_bytes!(..), etag)` (but `*.d.ts`), so the binary carries the web client and
//! needs nothing on disk at run time. Cargo re-runs this when anything under
//! `assets/` changes (a directory given to `rerun-if-changed` is scanned whole).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut out = String::from("/// Every embedded asset: URL path, bytes, entity tag.\n");
    out.push_str("pub(crate) static ASSETS: &[(&str, &[u8], &str)] = &[\n");
    for file in &files {
        let relative = file
            .strip_prefix(&root)
            .expect("under assets/")
            .to_str()
            .expect("UTF-8 asset names")
            .replace('\\', "/");
        let bytes = fs::read(file).expect("readable asset");
        writeln!(
            out,
            "    (\"/{relative}\", include_bytes!({:?}), \"\\\"{:016x}\\\"\"),",
            file.display().to_string(),
            fnv1a(&bytes)
        )
        .expect("write to a String");
    }
    out.push_str("];\n");
    let target = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("assets.rs");
    fs::write(target, out).expect("write assets.rs");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("readable assets directory")
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, files);
        } else if !path.to_string_lossy().ends_with(".d.ts") {
            // Type declarations serve `tsc` only (e2e/tsconfig.json), not the browser.
            files.push(path);
        }
    }
}

/// 64-bit FNV-1a: enough to tell two versions of an asset apart for `ETag`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
