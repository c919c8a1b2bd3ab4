//! Builds the package tarballs the loopback registry serves, and checks npm integrity strings.
//!
//! Tarballs are deterministic (fixed mtime, fixed order) so a name always yields the same
//! bytes, and so the same `dist.shasum` / `dist.integrity` in every packument.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::Sha1;
use sha2::{Digest, Sha512};

/// A package tarball and the checksums npm and Yarn verify it against.
#[derive(Clone)]
pub struct Packed {
    pub bytes: Vec<u8>,
    /// Hex sha1, npm's legacy `dist.shasum`.
    pub shasum: String,
    /// `sha512-<base64>`, `dist.integrity`.
    pub integrity: String,
}

/// A minimal installable package: `package/package.json` and `package/index.js`.
pub fn pack(name: &str, version: &str) -> Packed {
    let manifest = serde_json::json!({
        "name": name,
        "version": version,
        "main": "index.js",
        "license": "MIT",
    });
    let files: [(&str, Vec<u8>); 2] = [
        (
            "package/package.json",
            serde_json::to_vec_pretty(&manifest).unwrap(),
        ),
        (
            "package/index.js",
            format!("module.exports = {name:?};\n").into_bytes(),
        ),
    ];
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    {
        let mut tar = tar::Builder::new(&mut gz);
        for (path, data) in &files {
            let mut header = tar::Header::new_ustar();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            // 1985-10-26, npm's own fixed mtime: keeps the bytes stable across runs.
            header.set_mtime(499_162_500);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut header, path, data.as_slice()).unwrap();
        }
        tar.finish().unwrap();
    }
    let bytes = gz.finish().unwrap();
    Packed {
        shasum: hex(&Sha1::digest(&bytes)),
        integrity: integrity_sha512(&bytes),
        bytes,
    }
}

/// `sha512-<base64 digest>`, the form npm writes in `dist.integrity` and lockfiles.
pub fn integrity_sha512(bytes: &[u8]) -> String {
    format!("sha512-{}", B64.encode(Sha512::digest(bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn tarball_holds_the_manifest_and_is_deterministic() {
        let a = pack("@acme/widget", "1.0.0");
        let b = pack("@acme/widget", "1.0.0");
        assert_eq!(a.bytes, b.bytes, "same name must give the same bytes");
        assert_eq!(a.shasum.len(), 40);
        assert!(a.integrity.starts_with("sha512-"));

        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(a.bytes.as_slice()));
        let mut found = None;
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().to_str() == Some("package/package.json") {
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                found = Some(text);
            }
        }
        let manifest: serde_json::Value =
            serde_json::from_str(&found.expect("package.json")).unwrap();
        assert_eq!(manifest["name"], "@acme/widget");
        assert_eq!(manifest["version"], "1.0.0");
    }

    #[test]
    fn integrity_matches_a_known_value() {
        // `printf '' | openssl dgst -sha512 -binary | base64`
        assert_eq!(
            integrity_sha512(b""),
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
        );
    }
}
