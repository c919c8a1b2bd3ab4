//! Runs one real package manager install in isolation: fresh HOME and caches, a cleared
//! environment, anything non-loopback sent to the registry's guard proxy, and a timeout.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::managers::{self, Pin};

/// A manager as the conformance cases name it (one pinned version each); `pmrc` spells it
/// [`Pm::pmrc_name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pm {
    /// npm 11.
    Npm,
    /// npm 12 (same `.npmrc` rules; `allow-remote=none` by default).
    Npm12,
    /// Yarn Berry 4.
    Yarn,
    /// Yarn Classic 1.22 (`.yarnrc` plus `.npmrc`).
    Yarn1,
    /// Bun (`bunfig.toml` plus `.npmrc`).
    Bun,
    Pnpm10,
    Pnpm11,
    Pnpm12,
    /// Deno 2 (`.npmrc` only, project and home).
    Deno,
}

impl Pm {
    /// The name `pmrc convert --from/--to` takes for this manager and version.
    pub fn pmrc_name(self) -> &'static str {
        match self {
            Pm::Npm => "npm@11",
            Pm::Npm12 => "npm@12",
            Pm::Yarn => "yarn",
            Pm::Yarn1 => "yarn-classic",
            Pm::Bun => "bun",
            Pm::Pnpm10 => "pnpm@10",
            Pm::Pnpm11 => "pnpm@11",
            Pm::Pnpm12 => "pnpm@12",
            Pm::Deno => "deno",
        }
    }

    /// Whether pmrc translates from and to this manager today. A case whose source or target
    /// is not supported gets a `reference::` test only (the `pending` list in `conformance.rs`).
    pub fn pmrc_supports(self) -> bool {
        matches!(
            self,
            Pm::Npm
                | Pm::Npm12
                | Pm::Yarn
                | Pm::Yarn1
                | Pm::Bun
                | Pm::Pnpm10
                | Pm::Pnpm11
                | Pm::Pnpm12
                | Pm::Deno
        )
    }

    pub fn pin(self) -> &'static Pin {
        match self {
            Pm::Npm => &managers::NPM11,
            Pm::Npm12 => &managers::NPM12,
            Pm::Yarn => &managers::YARN4,
            Pm::Yarn1 => &managers::YARN1,
            Pm::Bun => &managers::BUN,
            Pm::Pnpm10 => &managers::PNPM10,
            Pm::Pnpm11 => &managers::PNPM11,
            Pm::Pnpm12 => &managers::PNPM12,
            Pm::Deno => &managers::DENO,
        }
    }

    /// `npm 11.21.2`, `Yarn 1.22.22`: how reports and the matrix in docs/conformance.md name it.
    pub fn label(self) -> String {
        let name = match self {
            Pm::Npm | Pm::Npm12 => "npm",
            Pm::Yarn | Pm::Yarn1 => "Yarn",
            Pm::Bun => "Bun",
            Pm::Pnpm10 | Pm::Pnpm11 | Pm::Pnpm12 => "pnpm",
            Pm::Deno => "Deno",
        };
        format!("{name} {}", self.pin().version)
    }
}

/// How long one install may take before it counts as hung.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The outcome of one install.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub success: bool,
    /// The exit code; `None` when a signal ended it or the harness killed it.
    #[allow(
        dead_code,
        reason = "tests/npm_install.rs reads it; the conformance cases do not"
    )]
    pub code: Option<i32>,
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
    let mut cmd = command(pm, pm.pin().entry, project, scratch, guard)?;
    match pm {
        Pm::Npm | Pm::Npm12 => {
            cmd.args([
                "install",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=http",
            ]);
        }
        Pm::Yarn => {
            cmd.arg("install");
            cmd.env("YARN_NODE_LINKER", "node-modules");
        }
        Pm::Yarn1 => {
            cmd.args([
                "install",
                "--non-interactive",
                "--no-progress",
                "--ignore-scripts",
                "--no-lockfile",
                "--cache-folder",
            ]);
            cmd.arg(scratch_dir(scratch, "yarn1-cache")?);
        }
        Pm::Bun => {
            cmd.args(["install", "--ignore-scripts", "--no-progress"]);
        }
        Pm::Pnpm10 | Pm::Pnpm11 | Pm::Pnpm12 => {
            cmd.args([
                "install",
                "--no-frozen-lockfile",
                "--ignore-scripts",
                "--reporter=append-only",
                "--store-dir",
            ]);
            cmd.arg(scratch_dir(scratch, "pnpm-store")?);
        }
        Pm::Deno => {
            // `deno install` with a package.json installs its npm dependencies into
            // node_modules.
            cmd.args(["install", "--quiet"]);
        }
    }
    // The case's own variables last: a case may deliberately set a manager variable.
    cmd.envs(env);
    run(cmd, pm, scratch)
}

fn scratch_dir(scratch: &Path, name: &str) -> Result<PathBuf, String> {
    let d = scratch.join(name);
    fs::create_dir_all(&d).map_err(|e| format!("create {}: {e}", d.display()))?;
    Ok(d)
}

/// `pm`'s `entry` (a file of its package: `bin/npx-cli.js` runs npx) set to run in `project`
/// with HOME, caches and temp under `scratch`, a cleared environment that has the pinned Node
/// on PATH, and `guard` as the proxy for anything that is not loopback. No arguments yet.
pub fn command(
    pm: Pm,
    entry: &str,
    project: &Path,
    scratch: &Path,
    guard: &str,
) -> Result<Command, String> {
    let node = managers::entry(&managers::NODE)?;
    let entry = managers::ensure(pm.pin())?.join(entry);
    let dir = |name: &str| scratch_dir(scratch, name);
    let home = dir("home")?;
    let tmp = dir("tmp")?;
    let node_dir = node.parent().expect("node bin dir");

    let pin = pm.pin();
    let mut cmd = match pin.runtime {
        managers::Runtime::Native => Command::new(&entry),
        managers::Runtime::Node => {
            let mut c = Command::new(&node);
            c.arg(&entry);
            c
        }
    };
    cmd.current_dir(project).env_clear();
    let base: Vec<(&str, String)> = vec![
        ("PATH", format!("{}:/usr/bin:/bin", node_dir.display())),
        ("HOME", home.display().to_string()),
        ("TMPDIR", tmp.display().to_string()),
        ("NO_COLOR", "1".into()),
        ("COREPACK_ENABLE_STRICT", "0".into()),
        ("DO_NOT_TRACK", "1".into()),
        // npm, Yarn 1, pnpm and Bun honour these; loopback bypasses them, the rest is refused
        // (and logged) by the guard. Yarn 4 ignores them, see below.
        ("HTTP_PROXY", guard.into()),
        ("HTTPS_PROXY", guard.into()),
        ("http_proxy", guard.into()),
        ("https_proxy", guard.into()),
        ("NO_PROXY", "127.0.0.1".into()),
        ("no_proxy", "127.0.0.1".into()),
    ];
    cmd.envs(base);
    match pm {
        Pm::Npm | Pm::Npm12 => {
            cmd.env("npm_config_cache", dir("npm-cache")?)
                // Not the pinned npm's own `<prefix>/etc/npmrc`: nothing but the case's files.
                .env("npm_config_globalconfig", scratch.join("no-global-npmrc"))
                .env("npm_config_update_notifier", "false")
                .env("npm_config_audit", "false")
                .env("npm_config_fund", "false");
        }
        Pm::Yarn => {
            cmd.env("YARN_ENABLE_TELEMETRY", "0")
                .env("YARN_IGNORE_PATH", "1")
                // No lockfile exists; CI=true would otherwise make the install immutable.
                .env("YARN_ENABLE_IMMUTABLE_INSTALLS", "0")
                .env("YARN_ENABLE_GLOBAL_CACHE", "0")
                .env("YARN_ENABLE_MIRROR", "0")
                .env("YARN_GLOBAL_FOLDER", dir("yarn-global")?)
                .env("YARN_CACHE_FOLDER", dir("yarn-cache")?)
                .env("YARN_ENABLE_SCRIPTS", "0")
                .env("YARN_ENABLE_PROGRESS_BARS", "0")
                .env("YARN_ENABLE_COLORS", "0")
                // Yarn ignores HTTP(S)_PROXY but has its own setting, used for every https
                // target (there is no no-proxy list): registry.yarnpkg.com and friends reach
                // the guard, and the guard tunnels CONNECTs to the suite's own https listeners.
                .env("YARN_HTTPS_PROXY", guard);
        }
        Pm::Yarn1 => {
            // `$PREFIX/etc/yarnrc` and `$PREFIX/etc/npmrc` would otherwise be node's. The
            // cache: as root, Yarn 1 uses `/usr/local/share/.cache/yarn`, not HOME's, whatever
            // the command (`install` also passes `--cache-folder`).
            cmd.env("PREFIX", dir("prefix")?)
                .env("YARN_CACHE_FOLDER", dir("yarn1-cache")?)
                .env("YARN_DISABLE_SELF_UPDATE_CHECK", "true");
        }
        Pm::Bun => {
            // The same config dir pmrc was given: Bun then reads only
            // `$XDG_CONFIG_HOME/.bunfig.toml` as its user bunfig.
            cmd.env("BUN_INSTALL", dir("bun")?)
                .env("BUN_INSTALL_CACHE_DIR", dir("bun-cache")?)
                .env("XDG_CONFIG_HOME", dir("xdg-config")?);
        }
        Pm::Pnpm10 | Pm::Pnpm11 | Pm::Pnpm12 => {
            cmd.env("XDG_CONFIG_HOME", dir("xdg-config")?)
                .env("XDG_CACHE_HOME", dir("xdg-cache")?)
                .env("XDG_DATA_HOME", dir("xdg-data")?)
                .env("XDG_STATE_HOME", dir("xdg-state")?)
                // pnpm 10 reads npm's global config; 11/12 read neither of these.
                .env("npm_config_globalconfig", scratch.join("no-global-npmrc"))
                .env("npm_config_update_notifier", "false")
                .env("pnpm_config_update_notifier", "false");
        }
        Pm::Deno => {
            // DENO_DIR is its cache (else `~/.cache/deno`), kept per run.
            cmd.env("DENO_DIR", dir("deno-dir")?)
                .env("DENO_NO_UPDATE_CHECK", "1")
                .env("DENO_NO_PROMPT", "1");
        }
    }
    Ok(cmd)
}

/// Runs `cmd` (made by [`command`]) to its end or [`TIMEOUT`], its output in `scratch`.
pub fn run(mut cmd: Command, pm: Pm, scratch: &Path) -> Result<Outcome, String> {
    let out_path = scratch.join("manager.out");
    let out = fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("spawn {pm:?} ({:?}): {e}", cmd.get_program()))?;
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
        code: status.and_then(|s| s.code()),
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
            "deno.json",
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
