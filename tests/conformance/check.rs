//! The differential check: the source manager's install and the target manager's install on
//! the translated config must send the same credentials to the same registries.
//!
//! A [`Case`] is the source config (text with `{R1}`/`{H1}` placeholders), env values for two
//! rounds, the registries' shape, the dependencies with what the source must be seen doing,
//! and a hand-written reference translation. Each round starts fresh servers and a fresh
//! scratch folder per install. The second round changes every env value, so a translation
//! that wrote a secret's value instead of its `${VAR}` reference fails there.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use super::observe::{Observation, show_auth};
use super::registry::{self, Mount, Registry};
use super::sandbox::{self, Outcome, Pm};
use super::template::{expand, render, unrender};
use super::tls;

/// Config files: (path relative to the project, text with placeholders).
pub type Files = Vec<(String, String)>;

/// One registry mount as a case declares it; `require` is an expectation template.
#[derive(Clone, Debug)]
pub struct MountSpec {
    pub listener: usize,
    pub prefix: &'static str,
    /// e.g. `Bearer {NPM_TOKEN}`: only this `Authorization` is served, 401 otherwise.
    pub require: Option<&'static str>,
    pub tarballs: Option<(usize, &'static str)>,
}

/// A dependency and what the source manager must be seen doing for it.
#[derive(Clone, Debug)]
pub struct Dep {
    pub name: &'static str,
    /// Listener that serves the packument, and the expected `Authorization` (template, `""` = none).
    pub packument: (usize, &'static str),
    /// Listener that serves the tarball, and the expected `Authorization`.
    pub tarball: (usize, &'static str),
}

/// What pmrc must do with the case.
#[derive(Clone, Debug)]
pub enum Expect {
    /// The target manager, on pmrc's output, behaves as the source did.
    Same,
    /// The target cannot express the source: pmrc must emit this warning code.
    Warning(&'static str),
    /// The target would send a credential where the source sent none: pmrc must report this
    /// error code, exit 1 and write nothing.
    Refusal(&'static str),
}

#[derive(Clone, Debug)]
pub struct Case {
    pub name: &'static str,
    pub source: Pm,
    pub target: Pm,
    pub listeners: usize,
    /// Listeners that speak HTTPS (certificate from the suite's CA, `{CA}` in config text).
    pub tls: Vec<usize>,
    pub mounts: Vec<MountSpec>,
    pub files: Files,
    /// Variable → (round 1 value, round 2 value); `None` leaves it unset in that round.
    pub env: Vec<(&'static str, Option<String>, Option<String>)>,
    pub deps: Vec<Dep>,
    /// A translation written by hand, checked like pmrc's: it proves the case is expressible
    /// and that the harness observes what the specs say. Empty for warning cases.
    pub reference: Files,
    pub expect: Expect,
    /// Files to delete after `pmrc convert`, for a target that would read a source-only file.
    pub remove_after_convert: Vec<&'static str>,
    /// Run pmrc with `--user`: it may write user-level files (`~/...`, `$XDG_CONFIG_HOME/...`).
    pub user: bool,
    /// The workspace member (a folder of the project) the managers and pmrc run in; the
    /// project's package.json then lists it in `workspaces`, and the dependencies are its.
    pub member: Option<&'static str>,
}

impl Case {
    pub fn new(name: &'static str, source: Pm, target: Pm) -> Case {
        Case {
            name,
            source,
            target,
            listeners: 1,
            tls: Vec::new(),
            mounts: Vec::new(),
            files: Vec::new(),
            env: Vec::new(),
            deps: Vec::new(),
            reference: Vec::new(),
            expect: Expect::Same,
            remove_after_convert: Vec::new(),
            user: false,
            member: None,
        }
    }

    /// pmrc runs with `--user`; the user-level files it writes are installed in the target
    /// run's HOME (`~/...`) or XDG config dir (`$XDG_CONFIG_HOME/...`).
    pub fn user(mut self) -> Case {
        self.user = true;
        self
    }

    /// The installs, `pmrc convert` and `pmrc explain` run in the workspace member `folder`.
    pub fn member(mut self, folder: &'static str) -> Case {
        self.member = Some(folder);
        self
    }

    /// Where the managers and pmrc run: the project, or its workspace member.
    pub fn run_folder(&self, project: &Path) -> PathBuf {
        self.member
            .map_or(project.to_path_buf(), |m| project.join(m))
    }

    pub fn file(mut self, path: &str, text: &str) -> Case {
        self.files.push((path.into(), text.into()));
        self
    }

    pub fn reference(mut self, path: &str, text: &str) -> Case {
        self.reference.push((path.into(), text.into()));
        self
    }

    pub fn env(mut self, name: &'static str, round1: &str, round2: &str) -> Case {
        self.env
            .push((name, Some(round1.into()), Some(round2.into())));
        self
    }

    /// A variable set in round 1 and unset in round 2 (optional credentials).
    pub fn env_then_unset(mut self, name: &'static str, round1: &str) -> Case {
        self.env.push((name, Some(round1.into()), None));
        self
    }

    /// Listener `listener` speaks HTTPS with a certificate from the suite's CA (`{CA}`).
    pub fn tls(mut self, listener: usize) -> Case {
        self.listeners = self.listeners.max(listener);
        self.tls.push(listener);
        self
    }

    /// The same case under another name with another target manager (e.g. npm 12).
    pub fn variant(mut self, name: &'static str, target: Pm) -> Case {
        self.name = name;
        self.target = target;
        self
    }

    /// A short stable digest of everything the case says, so a recorded result can be told
    /// apart from one recorded for an older version of the case.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(format!("{self:?}").as_bytes());
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Serves packages under `prefix` on listener `listener`, to anyone.
    pub fn mount(mut self, listener: usize, prefix: &'static str) -> Case {
        self.listeners = self.listeners.max(listener);
        self.mounts.push(MountSpec {
            listener,
            prefix,
            require: None,
            tarballs: None,
        });
        self
    }

    /// Like [`Case::mount`], but only for requests with this `Authorization` (template).
    pub fn mount_auth(
        mut self,
        listener: usize,
        prefix: &'static str,
        require: &'static str,
    ) -> Case {
        self = self.mount(listener, prefix);
        self.mounts.last_mut().unwrap().require = Some(require);
        self
    }

    /// Points the tarball URLs of the last mount at another listener and prefix.
    pub fn tarballs_at(mut self, listener: usize, prefix: &'static str) -> Case {
        self.listeners = self.listeners.max(listener);
        self.mounts
            .last_mut()
            .expect("tarballs_at follows a mount")
            .tarballs = Some((listener, prefix));
        self
    }

    /// A dependency served (packument and tarball) by `listener`, with `auth` expected on both.
    pub fn dep(self, name: &'static str, listener: usize, auth: &'static str) -> Case {
        self.dep_split(name, (listener, auth), (listener, auth))
    }

    /// A dependency whose tarball comes from elsewhere or with another credential.
    pub fn dep_split(
        mut self,
        name: &'static str,
        packument: (usize, &'static str),
        tarball: (usize, &'static str),
    ) -> Case {
        self.deps.push(Dep {
            name,
            packument,
            tarball,
        });
        self
    }

    pub fn expect_warning(mut self, code: &'static str) -> Case {
        self.expect = Expect::Warning(code);
        self
    }

    pub fn expect_refusal(mut self, code: &'static str) -> Case {
        self.expect = Expect::Refusal(code);
        self
    }

    /// Deletes a source file before the target runs, so the target proves its own files
    /// suffice (Bun would otherwise also read the source's `.npmrc`).
    pub fn remove_after_convert(mut self, path: &'static str) -> Case {
        self.remove_after_convert.push(path);
        self
    }

    /// The variables set in round `round` (0 or 1).
    pub fn round_env(&self, round: usize) -> BTreeMap<String, String> {
        self.round_vars(round)
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect()
    }

    /// Every declared variable with its value in round `round` (`None`: unset).
    pub fn round_vars(&self, round: usize) -> BTreeMap<String, Option<String>> {
        self.env
            .iter()
            .map(|(k, a, b)| {
                (
                    k.to_string(),
                    if round == 0 { a.clone() } else { b.clone() },
                )
            })
            .collect()
    }

    pub fn origins_for_convert(&self) -> Vec<String> {
        (1..=self.listeners)
            .map(|n| {
                let scheme = if self.tls.contains(&n) {
                    "https"
                } else {
                    "http"
                };
                format!("{scheme}://127.0.0.1:{}", 41000 + n)
            })
            .collect()
    }

    /// The package.json of the project, and of the member the case runs in, if any.
    fn package_jsons(&self) -> Vec<(PathBuf, String)> {
        let Some(member) = self.member else {
            return vec![(PathBuf::from("package.json"), self.package_json())];
        };
        let root = serde_json::json!({
            "name": format!("conformance-{}-root", self.name.replace('_', "-")),
            "version": "0.0.0",
            "private": true,
            "workspaces": [member],
        });
        vec![
            (
                PathBuf::from("package.json"),
                serde_json::to_string_pretty(&root).unwrap() + "\n",
            ),
            (Path::new(member).join("package.json"), self.package_json()),
        ]
    }

    fn package_json(&self) -> String {
        let deps: serde_json::Map<String, serde_json::Value> = self
            .deps
            .iter()
            .map(|d| (d.name.to_string(), registry::VERSION.into()))
            .collect();
        let doc = serde_json::json!({
            "name": format!("conformance-{}", self.name.replace('_', "-")),
            "version": "0.0.0",
            "private": true,
            "dependencies": deps,
        });
        serde_json::to_string_pretty(&doc).unwrap() + "\n"
    }
}

/// One install observed: what the registries saw and whether the manager succeeded.
#[derive(Clone, Debug)]
pub struct Run {
    pub observation: Observation,
    pub outcome: Outcome,
}

/// Installs `files` with `pm` against fresh servers for `case`, in `round`.
pub fn observe(case: &Case, pm: Pm, files: &Files, round: usize) -> Result<Run, String> {
    observe_with(case, pm, files, round, None)
}

/// Turns a round's variables into the environment an install runs with; it may write files
/// under the run folder (its `home` is the install's HOME) and sees the servers' origins.
pub type Prepare<'a> = &'a dyn Fn(
    &Path,
    BTreeMap<String, String>,
    &[String],
) -> Result<BTreeMap<String, String>, String>;

/// [`observe`], with the environment made by `prepare` (for `pmrc env`'s output), in which
/// case `pmrc explain`'s prediction, which reads only files, is not checked.
pub fn observe_with(
    case: &Case,
    pm: Pm,
    files: &Files,
    round: usize,
    prepare: Option<Prepare>,
) -> Result<Run, String> {
    let vars = case.round_vars(round);
    let mounts = case
        .mounts
        .iter()
        .map(|m| Mount {
            listener: m.listener,
            prefix: m.prefix.to_string(),
            // A credential made of a variable unset this round: the mount serves anyone.
            require: m.require.and_then(|r| expand(r, &vars)),
            tarballs: m.tarballs.map(|(l, p)| (l, p.to_string())),
            packages: None,
        })
        .collect();
    let reg = Registry::start_with_tls(case.listeners, mounts, &case.tls);
    let hosts: Vec<String> = (1..=reg.listeners()).map(|n| reg.url(n)).collect();
    let env = case.round_env(round);

    let scratch = scratch_dir(case.name)?;
    let project = scratch.path().join("project");
    write_project(case, &project, files, &hosts)?;
    let env: BTreeMap<String, String> = env
        .into_iter()
        .map(|(k, v)| (k, render(&v, &hosts)))
        .collect();
    let env = match prepare {
        Some(prepare) => prepare(&scratch.path().join("run"), env, &hosts)?,
        None => env,
    };
    let outcome = sandbox::install(
        pm,
        &case.run_folder(&project),
        &scratch.path().join("run"),
        &env,
        &reg.guard_url(),
    )?;
    let requests = reg.requests();
    if std::env::var_os("PMRC_CONFORMANCE_VERBOSE").is_some() {
        for r in &requests {
            eprintln!(
                "[{}] {:?} R{} {} {} [{}] -> {}",
                case.name,
                pm,
                r.listener,
                r.method,
                r.path,
                show_auth(r.authorization.as_deref()),
                r.status
            );
        }
    }
    let observation = Observation::from_log(&requests);
    // Every install of a manager pmrc knows also checks `pmrc explain`'s prediction.
    // With an environment from `prepare`, explain is asked with `--env` (the variables as a
    // layer, NPM_CONFIG_USERCONFIG's file included).
    if pm.pmrc_supports() && outcome.success {
        let deps: Vec<&str> = case.deps.iter().map(|d| d.name).collect();
        let run_dir = scratch.path().join("run");
        super::explain::agrees(
            pm,
            &deps,
            &case.run_folder(&project),
            &run_dir,
            &env,
            &hosts,
            &observation,
            prepare.is_some(),
        )
        .map_err(|e| format!("[{}] round {}: {e}", case.name, round + 1))?;
    }
    if std::env::var_os("PMRC_CONFORMANCE_KEEP").is_some() {
        eprintln!(
            "[{}] kept scratch folder {}",
            case.name,
            scratch.keep().display()
        );
    }
    Ok(Run {
        observation,
        outcome,
    })
}

pub fn scratch_dir(case: &str) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::Builder::new()
        .prefix(&format!("pmrc-conformance-{case}-"))
        .tempdir()
        .map_err(|e| format!("scratch dir: {e}"))?;
    sandbox::assert_clean_ancestors(dir.path())?;
    Ok(dir)
}

pub fn write_project(
    case: &Case,
    project: &Path,
    files: &Files,
    hosts: &[String],
) -> Result<(), String> {
    fs::create_dir_all(project).map_err(|e| e.to_string())?;
    for (path, text) in case.package_jsons() {
        let path = project.join(path);
        fs::create_dir_all(path.parent().expect("in the project")).map_err(|e| e.to_string())?;
        fs::write(path, text).map_err(|e| e.to_string())?;
    }
    for (path, text) in files {
        let p = place(project, path);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let mut text = render(text, hosts);
        if text.contains(CA) {
            text = text.replace(CA, &tls::pki().ca_path.display().to_string());
        }
        fs::write(&p, text).map_err(|e| format!("write {}: {e}", p.display()))?;
    }
    Ok(())
}

/// User-level files of a run (the sandbox's HOME and XDG config dir sit in `../run`
/// next to the project), spelled `~/...` and `$XDG_CONFIG_HOME/...` in case files.
const HOME_PREFIX: &str = "~/";
const XDG_PREFIX: &str = "$XDG_CONFIG_HOME/";
/// A file in the folder above the project (the scratch folder), spelled `../name`.
const PARENT_PREFIX: &str = "../";

fn run_dir(project: &Path) -> PathBuf {
    project
        .parent()
        .expect("project sits in a scratch dir")
        .join("run")
}

fn place(project: &Path, path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix(HOME_PREFIX) {
        run_dir(project).join("home").join(rest)
    } else if let Some(rest) = path.strip_prefix(XDG_PREFIX) {
        run_dir(project).join("xdg-config").join(rest)
    } else {
        project.join(path)
    }
}

/// Every file under `dir`, with paths relative to it.
fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push((rel.display().to_string(), p.clone()));
            }
        }
    }
    out.sort();
    out
}

/// In config text: the absolute path of the suite's CA certificate (PEM).
const CA: &str = "{CA}";

/// Source runs are shared by the reference, pmrc and negative tests of a case (same process,
/// parallel test threads): the first asks, the others wait for its answer.
type SourceSlot = Arc<OnceLock<Result<Run, String>>>;
static SOURCE_RUNS: Mutex<Option<HashMap<(&'static str, usize), SourceSlot>>> = Mutex::new(None);

/// The source manager's install for `case` in `round`, checked against the case's `deps`.
pub fn source_run(case: &Case, round: usize) -> Result<Run, String> {
    let slot = {
        let mut map = SOURCE_RUNS.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(
            map.get_or_insert_with(HashMap::new)
                .entry((case.name, round))
                .or_default(),
        )
    };
    slot.get_or_init(|| {
        let run = observe(case, case.source, &case.files, round)?;
        check_source(case, round, &run)?;
        Ok(run)
    })
    .clone()
}

/// The source run must succeed and do exactly what the case says (the specs' claims):
/// otherwise a comparison against it would prove nothing.
fn check_source(case: &Case, round: usize, run: &Run) -> Result<(), String> {
    let vars = case.round_vars(round);
    let mut problems = Vec::new();
    if !run.outcome.success {
        problems.push(format!(
            "the source install failed:\n{}",
            tail(&run.outcome.output)
        ));
    }
    for dep in &case.deps {
        let hits = run
            .observation
            .packages
            .get(dep.name)
            .cloned()
            .unwrap_or_default();
        let mut want = Vec::new();
        for (what, (listener, auth)) in [("packument", dep.packument), ("tarball", dep.tarball)] {
            let auth = expand(auth, &vars).filter(|a| !a.is_empty());
            want.push((what, listener, auth.clone(), 200u16));
        }
        let mut got: Vec<_> = hits
            .iter()
            .map(|h| (h.what, h.listener, h.auth.clone(), h.status))
            .collect();
        got.dedup();
        if got != want {
            let show = |v: &[(&str, usize, Option<String>, u16)]| {
                v.iter()
                    .map(|(w, l, a, s)| format!("{w} R{l} [{}] -> {s}", show_auth(a.as_deref())))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            problems.push(format!(
                "{}: expected {}, saw {}",
                dep.name,
                show(&want),
                show(&got)
            ));
        }
    }
    if !run.observation.escapes.is_empty() {
        problems.push(format!(
            "requests escaped to the outside: {:?}",
            run.observation.escapes
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "case {} round {}: the source ({:?}) did not behave as the case expects, so the case \
             (or the spec it encodes) is wrong:\n{}\nobserved:\n{}",
            case.name,
            round + 1,
            case.source,
            problems.join("\n"),
            run.observation
        ))
    }
}

/// The result of comparing a target config with the source in both rounds.
#[derive(Debug)]
pub struct Verdict {
    /// Per round: `None` when equal, else the explanation.
    pub rounds: Vec<Option<String>>,
}

impl Verdict {
    pub fn equal(&self) -> bool {
        self.rounds.iter().all(Option::is_none)
    }

    pub fn report(&self) -> String {
        self.rounds
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().map(|m| format!("round {}: {m}", i + 1)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Runs the target manager on `target_files` in both rounds and compares with the source.
/// `Err` is a harness or source problem; a behavioural difference is a `Verdict` that is not equal.
pub fn differential(case: &Case, target_files: &Files) -> Result<Verdict, String> {
    differential_with(case, case.target, target_files)
}

/// Issue 13: the source manager, run again on the translated project (whose shared files
/// pmrc may have edited for the target), must do exactly what it did before.
pub fn source_again(case: &Case, files: &Files) -> Result<Verdict, String> {
    differential_with(case, case.source, files)
}

fn differential_with(case: &Case, pm: Pm, target_files: &Files) -> Result<Verdict, String> {
    differential_prepared(case, pm, target_files, None)
}

/// The target manager on `target_files` with the environment `prepare` makes, in both
/// rounds, compared with the source (`pmrc env`'s check).
pub fn differential_prepared(
    case: &Case,
    pm: Pm,
    target_files: &Files,
    prepare: Option<Prepare>,
) -> Result<Verdict, String> {
    let mut rounds = Vec::new();
    for round in 0..2 {
        let source = source_run(case, round)?;
        let target = observe_with(case, pm, target_files, round, prepare)?;
        // Captured by the test runner; shown with --nocapture or when the test fails.
        eprintln!(
            "[{}] round {}\n{:?} (source) saw:\n{}{:?} (target) saw:\n{}",
            case.name,
            round + 1,
            case.source,
            source.observation,
            pm,
            target.observation
        );
        let mut problems = Vec::new();
        if !target.outcome.success {
            problems.push(format!(
                "the target install ({:?}) failed:\n{}",
                pm,
                tail(&target.outcome.output)
            ));
        }
        if !source.observation.same_as(&target.observation) {
            problems.push(format!(
                "the registries saw different requests (- {:?} only, + {:?} only):\n{}",
                case.source,
                pm,
                source.observation.diff(&target.observation)
            ));
        }
        rounds.push((!problems.is_empty()).then(|| {
            format!(
                "{}\nsource saw:\n{}target saw:\n{}target files:\n{}",
                problems.join("\n"),
                source.observation,
                target.observation,
                show_files(target_files)
            )
        }));
    }
    Ok(Verdict { rounds })
}

pub fn show_files(files: &Files) -> String {
    files.iter().map(|(p, t)| format!("--- {p}\n{t}")).collect()
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// The exit code of `pmrc convert --from <source> --to <target>` (a preview) on the case's
/// source files: 2 while pmrc refuses one of the managers.
pub fn convert_exit_code(case: &Case) -> Result<Option<i32>, String> {
    let hosts = case.origins_for_convert();
    let scratch = scratch_dir(case.name)?;
    let project = scratch.path().join("project");
    let home = scratch.path().join("home");
    fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    write_project(case, &project, &case.files, &hosts)?;
    let out = Command::new(env!("CARGO_BIN_EXE_pmrc"))
        .args(["convert", "--from", case.source.pmrc_name()])
        .args(["--to", case.target.pmrc_name(), "--dir"])
        .arg(case.run_folder(&project))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .envs(case.round_env(0))
        .output()
        .map_err(|e| format!("run pmrc: {e}"))?;
    Ok(out.status.code())
}

/// What `pmrc convert --format json` said.
#[derive(Debug)]
pub struct Converted {
    /// Every config file in the project afterwards (placeholders restored).
    pub files: Files,
    pub warnings: Vec<(String, String)>,
    pub stdout: String,
    /// pmrc's exit code: 0, or 1 when an error made it refuse to write.
    pub exit: i32,
}

/// Runs `pmrc convert --from <source> --to <target> --write --format json` on the case's source
/// files, with round 1's env (a translator must not expand it).
pub fn convert(case: &Case) -> Result<Converted, String> {
    // Fixed stand-in ports: no server runs there, and the output is turned back into
    // placeholders before any install.
    let hosts = case.origins_for_convert();
    let scratch = scratch_dir(case.name)?;
    let project = scratch.path().join("project");
    let home = run_dir(&project).join("home");
    let xdg = run_dir(&project).join("xdg-config");
    fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    fs::create_dir_all(&xdg).map_err(|e| e.to_string())?;
    write_project(case, &project, &case.files, &hosts)?;
    let env = case.round_env(0);
    let out = Command::new(env!("CARGO_BIN_EXE_pmrc"))
        .args([
            "convert",
            "--from",
            case.source.pmrc_name(),
            "--to",
            case.target.pmrc_name(),
            "--write",
            "--format",
            "json",
        ])
        .args(case.user.then_some("--user"))
        .arg("--dir")
        .arg(case.run_folder(&project))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &xdg)
        .env("NO_COLOR", "1")
        .envs(&env)
        .output()
        .map_err(|e| format!("run pmrc: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let exit = out.status.code().unwrap_or(-1);
    if exit != 0 && exit != 1 {
        return Err(format!(
            "`pmrc convert --from {} --to {} --write --format json` exited with {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            case.source.pmrc_name(),
            case.target.pmrc_name(),
            out.status
        ));
    }
    let json: serde_json::Value = serde_json::from_str(&stdout).map_err(|e| {
        format!("pmrc --format json printed no JSON ({e}):\n{stdout}\nstderr:\n{stderr}")
    })?;
    let warnings = json["warnings"]
        .as_array()
        .map(|ws| {
            ws.iter()
                .map(|w| {
                    (
                        w["code"].as_str().unwrap_or("").to_string(),
                        w["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();

    for path in &case.remove_after_convert {
        let _ = fs::remove_file(place(&project, path));
    }
    let mut files = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(&project)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "package.json" || !entry.path().is_file() {
            continue;
        }
        let text = fs::read_to_string(entry.path()).map_err(|e| format!("read {name}: {e}"))?;
        let mut text = unrender(&text, &hosts);
        if case.files.iter().any(|(_, t)| t.contains(CA)) {
            text = text.replace(&tls::pki().ca_path.display().to_string(), CA);
        }
        files.push((name, text));
    }
    // The member's own files stay for every later run (the other readers of them).
    if let Some(member) = case.member {
        for (rel, path) in files_under(&project.join(member)) {
            if rel == "package.json" {
                continue;
            }
            let text = fs::read_to_string(&path).map_err(|e| format!("read {rel}: {e}"))?;
            files.push((format!("{member}/{rel}"), unrender(&text, &hosts)));
        }
    }
    for (prefix, dir) in [(HOME_PREFIX, &home), (XDG_PREFIX, &xdg)] {
        for (rel, path) in files_under(dir) {
            let text = fs::read_to_string(&path).map_err(|e| format!("read {rel}: {e}"))?;
            files.push((format!("{prefix}{rel}"), unrender(&text, &hosts)));
        }
    }
    // The folders above the project are the machine's: every later run has them, as pmrc
    // left them (it never writes there).
    for (path, _) in case
        .files
        .iter()
        .filter(|(p, _)| p.starts_with(PARENT_PREFIX))
    {
        let text =
            fs::read_to_string(place(&project, path)).map_err(|e| format!("read {path}: {e}"))?;
        files.push((path.clone(), unrender(&text, &hosts)));
    }
    Ok(Converted {
        files,
        warnings,
        stdout,
        exit,
    })
}
