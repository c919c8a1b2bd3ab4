//! Runs one real package manager install in isolation: fresh HOME and caches, a cleared
//! environment, anything non-loopback sent to the registry's guard proxy, and a timeout.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::managers::{self, Pin};

/// A manager as the conformance cases name it; `pmrc` spells it [`Pm::pmrc_name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pm {
    /// npm 11.
    Npm,
    /// Yarn Berry 4.
    Yarn,
}

impl Pm {
    pub fn pmrc_name(self) -> &'static str {
        match self {
            Pm::Npm => "npm",
            Pm::Yarn => "yarn",
        }
    }

    pub fn pin(self) -> &'static Pin {
        match self {
            Pm::Npm => &managers::NPM11,
            Pm::Yarn => &managers::YARN4,
        }
    }
}

/// How long one install may take before it counts as hung.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The outcome of one install.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub success: bool,
    /// What the manager printed (stdout then stderr), for failure messages.
    pub output: String,
}

/// Runs `pm`'s install in `project` with HOME, caches and temp under `scratch`.
/// `env` holds the case's variables; `guard` is the proxy URL that refuses the outside world.
pub fn install(
    pm: Pm,
    project: &Path,
    scratch: &Path,
    env: &BTreeMap<String, String>,
    guard: &str,
) -> Result<Outcome, String> {
    let node = managers::entry(&managers::NODE)?;
    let entry = managers::entry(pm.pin())?;
    let dir = |name: &str| -> Result<PathBuf, String> {
        let d = scratch.join(name);
        fs::create_dir_all(&d).map_err(|e| format!("create {}: {e}", d.display()))?;
        Ok(d)
    };
    let home = dir("home")?;
    let tmp = dir("tmp")?;
    let node_dir = node.parent().expect("node bin dir");

    let mut cmd = Command::new(&node);
    cmd.arg(&entry).current_dir(project).env_clear();
    let base: Vec<(&str, String)> = vec![
        ("PATH", format!("{}:/usr/bin:/bin", node_dir.display())),
        ("HOME", home.display().to_string()),
        ("TMPDIR", tmp.display().to_string()),
        ("NO_COLOR", "1".into()),
        ("COREPACK_ENABLE_STRICT", "0".into()),
        // npm and Node's HTTP agents honour these; loopback bypasses them, the rest is refused
        // (and logged) by the guard. Yarn ignores them, see below.
        ("HTTP_PROXY", guard.into()),
        ("HTTPS_PROXY", guard.into()),
        ("http_proxy", guard.into()),
        ("https_proxy", guard.into()),
        ("NO_PROXY", "127.0.0.1".into()),
        ("no_proxy", "127.0.0.1".into()),
    ];
    cmd.envs(base);
    match pm {
        Pm::Npm => {
            cmd.args([
                "install",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=http",
            ]);
            cmd.env("npm_config_cache", dir("npm-cache")?)
                // Not the pinned npm's own `<prefix>/etc/npmrc`: nothing but the case's files.
                .env("npm_config_globalconfig", scratch.join("no-global-npmrc"))
                .env("npm_config_update_notifier", "false")
                .env("npm_config_audit", "false")
                .env("npm_config_fund", "false");
        }
        Pm::Yarn => {
            cmd.arg("install");
            cmd.env("YARN_ENABLE_TELEMETRY", "0")
                .env("YARN_IGNORE_PATH", "1")
                // No lockfile exists; CI=true would otherwise make the install immutable.
                .env("YARN_ENABLE_IMMUTABLE_INSTALLS", "0")
                .env("YARN_ENABLE_GLOBAL_CACHE", "0")
                .env("YARN_ENABLE_MIRROR", "0")
                .env("YARN_GLOBAL_FOLDER", dir("yarn-global")?)
                .env("YARN_CACHE_FOLDER", dir("yarn-cache")?)
                .env("YARN_NODE_LINKER", "node-modules")
                .env("YARN_ENABLE_SCRIPTS", "0")
                .env("YARN_ENABLE_PROGRESS_BARS", "0")
                .env("YARN_ENABLE_COLORS", "0")
                // Yarn ignores HTTP(S)_PROXY but has its own setting. Only https targets use
                // `httpsProxy`, and every loopback registry here is http, so this catches
                // registry.yarnpkg.com and friends without touching the registries under test.
                .env("YARN_HTTPS_PROXY", guard);
        }
    }
    // The case's own variables last: a case may deliberately set a manager variable.
    cmd.envs(env);

    let out_path = scratch.join("manager.out");
    let out = fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("spawn {} {}: {e}", node.display(), entry.display()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut output = fs::read_to_string(&out_path).unwrap_or_default();
    if status.is_none() {
        output.push_str(&format!("\n[harness: killed after {TIMEOUT:?}]"));
    }
    Ok(Outcome {
        success: status.is_some_and(|s| s.success()),
        output,
    })
}

/// Yarn reads every `.yarnrc.yml` from the working directory up to `/`, and npm looks upward
/// for a project root: a stray config above the scratch folder would silently join the run.
pub fn assert_clean_ancestors(dir: &Path) -> Result<(), String> {
    for ancestor in dir.ancestors().skip(1) {
        for name in [
            ".yarnrc.yml",
            ".yarnrc",
            ".npmrc",
            "package.json",
            "bunfig.toml",
            "pnpm-workspace.yaml",
        ] {
            let p = ancestor.join(name);
            if p.exists() {
                return Err(format!(
                    "{} exists above the conformance scratch folder {}; it would leak into the \
                     managers' config. Remove it or set TMPDIR elsewhere.",
                    p.display(),
                    dir.display()
                ));
            }
        }
    }
    Ok(())
}
