//! pmrc's npm packages as the release publishes them: built by `npm/build.mjs`, packed by the
//! pinned npm's `npm pack`, held in memory for the loopback registry (built once per process).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use super::common::host_platform;
use super::managers::{self, NODE, NPM11};
use super::registry::Published;
use super::tarball::Packed;

/// The platform package this machine installs, e.g. `pmrc-linux-x64`.
pub fn host_package() -> String {
    format!("pmrc-{}", host_platform())
}

const PLATFORMS: [&str; 5] = [
    "linux-x64",
    "linux-arm64",
    "darwin-x64",
    "darwin-arm64",
    "win32-x64",
];

pub struct Packages {
    /// The launcher and all five platform packages.
    pub all: Arc<HashMap<String, Published>>,
    /// The same without this machine's platform package: a platform not published.
    pub without_host: Arc<HashMap<String, Published>>,
    /// Which binary the host's package holds, for failure messages.
    pub binary: PathBuf,
}

pub fn packages() -> &'static Packages {
    static BUILT: OnceLock<Packages> = OnceLock::new();
    BUILT.get_or_init(|| build().unwrap_or_else(|e| panic!("building pmrc's npm packages: {e}")))
}

/// The host binary to ship: the release one `.ci/run` stages in `target/release-dist` (via
/// `.ci/build-release.sh`) when it is at least as new as the test's own build, else the
/// binary cargo built for this test. A stale release build must not stand in for the code
/// under test; the version check in each test catches a wrong one.
fn host_binary() -> PathBuf {
    let debug = PathBuf::from(env!("CARGO_BIN_EXE_pmrc"));
    let staged = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/release-dist/npm")
        .join(host_package())
        .join("bin/pmrc");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(&staged), modified(&debug)) {
        (Some(release), Some(test)) if release >= test => staged,
        _ => debug,
    }
}

fn build() -> Result<Packages, String> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let binary = host_binary();
    // The other platforms' binaries cannot be built here. Their packages still exist on the
    // real registry, and a manager reads them to skip them by `os`/`cpu`; this stand-in fails
    // loudly if a manager installed one for this machine and the launcher ran it.
    let stand_in = work.path().join("other-platform-stand-in");
    std::fs::write(
        &stand_in,
        "#!/bin/sh\necho 'fake pmrc: the package of another platform ran' >&2\nexit 99\n",
    )
    .map_err(|e| e.to_string())?;
    let node = managers::entry(&NODE)?;
    let out = work.path().join("npm");
    let mut cmd = Command::new(&node);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("npm/build.mjs"))
        .arg("--out")
        .arg(&out);
    for platform in PLATFORMS {
        let file = if platform == host_platform() {
            &binary
        } else {
            &stand_in
        };
        cmd.arg("--binary").arg(file).args(["--platform", platform]);
    }
    let built = cmd.output().map_err(|e| e.to_string())?;
    if !built.status.success() {
        return Err(format!("npm/build.mjs: {built:?}"));
    }

    let mut all = HashMap::new();
    let names = std::iter::once("pmrc".to_string()).chain(PLATFORMS.map(|p| format!("pmrc-{p}")));
    for name in names {
        let published = pack(&node, &out.join(&name), work.path())?;
        all.insert(name, published);
    }
    let mut without_host = all.clone();
    without_host.remove(&host_package());
    Ok(Packages {
        all: Arc::new(all),
        without_host: Arc::new(without_host),
        binary,
    })
}

/// `npm pack` of one package folder, as `npm publish` would upload it.
fn pack(node: &Path, dir: &Path, work: &Path) -> Result<Published, String> {
    let packed = Command::new(node)
        .arg(managers::entry(&NPM11)?)
        .args(["pack", "--json", "--ignore-scripts", "--pack-destination"])
        .arg(work)
        .env_clear()
        .env("PATH", node.parent().unwrap())
        .env("HOME", work)
        .env("npm_config_cache", work.join("npm-cache"))
        .env("npm_config_update_notifier", "false")
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if !packed.status.success() {
        return Err(format!("npm pack {}: {packed:?}", dir.display()));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&packed.stdout).map_err(|e| format!("npm pack --json: {e}"))?;
    let report = &report[0];
    let file = work.join(report["filename"].as_str().ok_or("npm pack: no filename")?);
    let manifest = std::fs::read_to_string(dir.join("package.json")).map_err(|e| e.to_string())?;
    Ok(Published {
        manifest: serde_json::from_str(&manifest).map_err(|e| e.to_string())?,
        packed: Packed {
            bytes: std::fs::read(&file).map_err(|e| e.to_string())?,
            shasum: report["shasum"].as_str().unwrap_or_default().to_string(),
            integrity: report["integrity"].as_str().unwrap_or_default().to_string(),
        },
    })
}
