//! Issue 18: `pmrc env`'s output, run for real. For each case the source manager installs
//! with the project's config files; then the target manager installs in a project whose
//! registry and auth settings are gone, with only the environment `pmrc env` printed (a shell
//! script sourced by `sh`, a dotenv file, or the `env:` / `variables:` block of a GitHub or
//! GitLab job, expanded as those CI systems expand it), plus the rc file that output writes.
//! The registries must see the same requests with the same `Authorization`, in two rounds
//! whose secret values differ.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use super::check::{self, Case, Files};
use super::sandbox::Pm::{Bun, Deno, Npm, Pnpm10, Pnpm11, Pnpm12, Yarn, Yarn1};
use super::template::{render, unrender};

const BEARER_NPM: &str = "Bearer {NPM_TOKEN}";
const NONE: &str = "";

/// One `pmrc env` check: the case (its target is the manager the job runs), the output
/// format, and whether variables alone must do it or the rc file is expected.
pub struct EnvCase {
    pub case: Case,
    pub format: &'static str,
    pub rc_file: bool,
    /// Files left in the target's project that the environment must beat (stale settings).
    pub stale: Files,
}

fn env_case(case: Case, format: &'static str, rc_file: bool) -> EnvCase {
    EnvCase {
        case,
        format,
        rc_file,
        stale: Vec::new(),
    }
}

/// The environment against a stale project file: the manager's precedence must let the
/// variables win (and `pmrc explain --env` must say so).
fn with_stale(mut env_case: EnvCase, path: &str, text: &str) -> EnvCase {
    env_case.stale.push((path.into(), text.into()));
    env_case
}

/// npm's registry R1; the target's project still points at R2.
fn npm_registry_r1_stale_r2(name: &'static str, target: super::sandbox::Pm) -> Case {
    Case::new(name, Npm, target)
        .mount(1, "/")
        .mount(2, "/")
        .file(".npmrc", "registry={R1}/\n")
        .dep("leftpad-fake", 1, NONE)
}

pub fn env_beats_stale_npmrc_pnpm11() -> EnvCase {
    let case = npm_registry_r1_stale_r2("env_beats_stale_npmrc_pnpm11", Pnpm11);
    with_stale(env_case(case, "shell", false), ".npmrc", "registry={R2}/\n")
}
pub fn env_beats_stale_yarnrc_yarn() -> EnvCase {
    let case = npm_registry_r1_stale_r2("env_beats_stale_yarnrc_yarn", Yarn);
    with_stale(
        env_case(case, "shell", false),
        ".yarnrc.yml",
        "npmRegistryServer: \"{R2}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n",
    )
}
pub fn env_beats_stale_npmrc_deno() -> EnvCase {
    let case = npm_registry_r1_stale_r2("env_beats_stale_npmrc_deno", Deno);
    with_stale(env_case(case, "shell", false), ".npmrc", "registry={R2}/\n")
}
pub fn env_beats_stale_bunfig_bun() -> EnvCase {
    let case = npm_registry_r1_stale_r2("env_beats_stale_bunfig_bun", Bun);
    with_stale(
        env_case(case, "dotenv", false),
        "bunfig.toml",
        "[install]\nregistry = \"{R2}/\"\n",
    )
}

/// npm routes unscoped packages to R1 and `@acme` to R2 with a token.
fn npm_scope_token(name: &'static str, target: super::sandbox::Pm) -> Case {
    Case::new(name, Npm, target)
        .mount(1, "/")
        .mount_auth(2, "/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE)
}

/// npm's one registry (under a path) with a token for everything.
fn npm_default_token(name: &'static str, target: super::sandbox::Pm) -> Case {
    Case::new(name, Npm, target)
        .mount_auth(1, "/npm/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/npm/\n//{H1}/npm/:_authToken=${NPM_TOKEN}\n",
        )
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("leftpad-fake", 1, BEARER_NPM)
        .dep("@acme/widget", 1, BEARER_NPM)
}

/// A registry without credentials.
fn npm_registry_only(name: &'static str, target: super::sandbox::Pm) -> Case {
    Case::new(name, Npm, target)
        .mount(1, "/")
        .file(".npmrc", "registry={R1}/\n")
        .dep("leftpad-fake", 1, NONE)
}

pub fn env_npm_scope_token_to_npm() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_npm", Npm),
        "shell",
        true,
    )
}
pub fn env_npm_scope_token_to_pnpm10() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_pnpm10", Pnpm10),
        "shell",
        true,
    )
}
pub fn env_npm_scope_token_to_pnpm11() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_pnpm11", Pnpm11),
        "shell",
        false,
    )
}
pub fn env_npm_scope_token_to_pnpm12_github() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_pnpm12_github", Pnpm12),
        "github",
        false,
    )
}
pub fn env_npm_scope_token_to_pnpm12_gitlab() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_pnpm12_gitlab", Pnpm12),
        "gitlab",
        false,
    )
}
pub fn env_npm_scope_token_to_yarn() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_yarn", Yarn),
        "shell",
        true,
    )
}
pub fn env_npm_scope_token_to_yarn1() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_yarn1", Yarn1),
        "shell",
        true,
    )
}
pub fn env_npm_scope_token_to_bun() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_bun", Bun),
        "shell",
        true,
    )
}
/// A scope registry whose path holds `${ORG}`, with a token keyed by its host alone: Bun
/// takes that key for the registry the variable makes, so the rc file keeps it as written
/// (it was dropped, and `NPM_TOKEN` left out of the secrets the job must provide).
pub fn env_npm_variable_path_scope_host_token_to_bun() -> EnvCase {
    let case = Case::new("env_npm_variable_path_scope_host_token_to_bun", Npm, Bun)
        .mount(1, "/")
        .mount_auth(2, "/team/", BEARER_NPM)
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/${ORG}/\n//{H2}/:_authToken=${NPM_TOKEN}\n",
        )
        .env("ORG", "team", "team")
        .env("NPM_TOKEN", "fake-token-1", "fake-token-2")
        .dep("@acme/widget", 2, BEARER_NPM)
        .dep("leftpad-fake", 1, NONE);
    env_case(case, "shell", true)
}
pub fn env_npm_scope_token_to_deno() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_deno", Deno),
        "shell",
        true,
    )
}
pub fn env_npm_default_token_to_npm_github() -> EnvCase {
    env_case(
        npm_default_token("env_npm_default_token_to_npm_github", Npm),
        "github",
        false,
    )
}
pub fn env_npm_default_token_to_yarn() -> EnvCase {
    env_case(
        npm_default_token("env_npm_default_token_to_yarn", Yarn),
        "shell",
        false,
    )
}
pub fn env_npm_default_token_to_bun() -> EnvCase {
    env_case(
        npm_default_token("env_npm_default_token_to_bun", Bun),
        "dotenv",
        false,
    )
}
pub fn env_npm_default_token_to_pnpm11_dotenv() -> EnvCase {
    env_case(
        npm_default_token("env_npm_default_token_to_pnpm11_dotenv", Pnpm11),
        "dotenv",
        false,
    )
}
pub fn env_npm_default_token_to_deno_gitlab() -> EnvCase {
    env_case(
        npm_default_token("env_npm_default_token_to_deno_gitlab", Deno),
        "gitlab",
        true,
    )
}
pub fn env_npm_registry_only_to_deno() -> EnvCase {
    env_case(
        npm_registry_only("env_npm_registry_only_to_deno", Deno),
        "shell",
        false,
    )
}
pub fn env_npm_registry_only_to_pnpm10() -> EnvCase {
    env_case(
        npm_registry_only("env_npm_registry_only_to_pnpm10", Pnpm10),
        "dotenv",
        false,
    )
}
pub fn env_npm_registry_only_to_yarn1() -> EnvCase {
    env_case(
        npm_registry_only("env_npm_registry_only_to_yarn1", Yarn1),
        "shell",
        false,
    )
}

/// A scope on another registry without a token: a `pnpm_config__auth` entry without
/// `authToken` stops pnpm 11 ("must be a string"), so the route goes in the rc file.
pub fn env_npm_scope_no_token_to_pnpm11() -> EnvCase {
    let case = Case::new("env_npm_scope_no_token_to_pnpm11", Npm, Pnpm11)
        .mount(1, "/")
        .mount(2, "/")
        .file(".npmrc", "registry={R1}/\n@acme:registry={R2}/\n")
        .dep("@acme/widget", 2, NONE)
        .dep("leftpad-fake", 1, NONE);
    env_case(case, "shell", true)
}

/// npm's scope registries without tokens, as GitHub `env:` (names a shell cannot hold).
fn npm_scope_no_token(name: &'static str, target: super::sandbox::Pm) -> Case {
    Case::new(name, Npm, target)
        .mount(1, "/")
        .mount(2, "/")
        .file(".npmrc", "registry={R1}/\n@acme:registry={R2}/\n")
        .dep("@acme/widget", 2, NONE)
        .dep("leftpad-fake", 1, NONE)
}

pub fn env_npm_scope_no_token_to_yarn1_github() -> EnvCase {
    env_case(
        npm_scope_no_token("env_npm_scope_no_token_to_yarn1_github", Yarn1),
        "github",
        false,
    )
}

pub fn env_npm_scope_no_token_to_pnpm10_github() -> EnvCase {
    env_case(
        npm_scope_no_token("env_npm_scope_no_token_to_pnpm10_github", Pnpm10),
        "github",
        false,
    )
}

/// Basic auth for the one registry: pnpm 11 takes `pnpm_config_//host/:_auth` (a GitHub
/// `env:` name).
pub fn env_npm_basic_to_pnpm11_github() -> EnvCase {
    let case = Case::new("env_npm_basic_to_pnpm11_github", Npm, Pnpm11)
        .mount_auth(1, "/", "Basic {NPM_AUTH}")
        .file(".npmrc", "registry={R1}/\n//{H1}/:_auth=${NPM_AUTH}\n")
        .env(
            "NPM_AUTH",
            &b64("alice:fake-pass-1"),
            &b64("alice:fake-pass-2"),
        )
        .dep("leftpad-fake", 1, "Basic {NPM_AUTH}");
    env_case(case, "github", false)
}

/// The rc file with its pointer as CI snippets: GitHub's step and `$GITHUB_ENV`, GitLab's
/// `before_script`.
pub fn env_npm_scope_token_to_bun_github() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_bun_github", Bun),
        "github",
        true,
    )
}
pub fn env_npm_scope_token_to_yarn1_gitlab() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_yarn1_gitlab", Yarn1),
        "gitlab",
        true,
    )
}
pub fn env_npm_scope_token_to_yarn_github() -> EnvCase {
    env_case(
        npm_scope_token("env_npm_scope_token_to_yarn_github", Yarn),
        "github",
        true,
    )
}

/// Yarn 1 takes a top-level `_auth` (with always-auth) from variables: one basic credential
/// for the one registry.
pub fn env_npm_basic_to_yarn1() -> EnvCase {
    let case = Case::new("env_npm_basic_to_yarn1", Npm, Yarn1)
        .mount_auth(1, "/", "Basic {NPM_AUTH}")
        .file(".npmrc", "registry={R1}/\n//{H1}/:_auth=${NPM_AUTH}\n")
        .env(
            "NPM_AUTH",
            &b64("alice:fake-pass-1"),
            &b64("alice:fake-pass-2"),
        )
        .dep("leftpad-fake", 1, "Basic {NPM_AUTH}");
    env_case(case, "shell", false)
}

/// A literal token in the source: the output names a CI secret instead, which the job sets.
pub fn env_npm_literal_token_to_pnpm12() -> EnvCase {
    let case = Case::new("env_npm_literal_token_to_pnpm12", Npm, Pnpm12)
        .mount(1, "/")
        .mount_auth(2, "/", "Bearer fake-literal-acme-token")
        .file(
            ".npmrc",
            "registry={R1}/\n@acme:registry={R2}/\n//{H2}/:_authToken=fake-literal-acme-token\n",
        )
        // The name pmrc derives from the registry's host (stand-in port 41002).
        .env(
            "REGISTRY_127_0_0_1_41002_TOKEN",
            "fake-literal-acme-token",
            "fake-literal-acme-token",
        )
        .dep("@acme/widget", 2, "Bearer fake-literal-acme-token")
        .dep("leftpad-fake", 1, NONE);
    env_case(case, "shell", false)
}

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// Runs `pmrc env` on the case's files (round 1's variables set, stand-in ports), then the
/// target with only that environment, and compares with the source.
pub fn run(env_case: EnvCase) {
    let case = &env_case.case;
    let printed = pmrc_env(case, env_case.format).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    eprintln!(
        "[{}] pmrc env --format {} printed:\n{printed}",
        case.name, env_case.format
    );
    for (_, value, _) in &case.env {
        let value = value.as_deref().unwrap_or_default();
        assert!(
            !printed.contains(value),
            "{}: pmrc env printed a secret value",
            case.name
        );
    }
    let writes_rc = printed.contains("<<'PMRC_EOF'");
    assert_eq!(
        writes_rc,
        env_case.rc_file,
        "{}: expected {} rc file in the output",
        case.name,
        if env_case.rc_file { "an" } else { "no" }
    );
    let format = env_case.format;
    let prepare = move |run_dir: &Path,
                        env: BTreeMap<String, String>,
                        hosts: &[String]|
          -> Result<BTreeMap<String, String>, String> {
        apply(format, &render(&printed, hosts), run_dir, env)
    };
    // The project keeps no registry or auth settings (or stale ones the environment must
    // beat): the environment must do it all.
    let verdict = check::differential_prepared(case, case.target, &env_case.stale, Some(&prepare))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        verdict.equal(),
        "{}: {:?} with pmrc env's output does not behave like {:?} with the files:\n{}",
        case.name,
        case.target,
        case.source,
        verdict.report()
    );
}

/// `pmrc env --from <source> --to <target> --format <format>` on the case's files, with the
/// listeners' addresses turned back into placeholders.
fn pmrc_env(case: &Case, format: &str) -> Result<String, String> {
    let hosts = case.origins_for_convert();
    let scratch = check::scratch_dir(case.name)?;
    let project = scratch.path().join("project");
    let home = scratch.path().join("home");
    fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    check::write_project(case, &project, &case.files, &hosts)?;
    let out = Command::new(env!("CARGO_BIN_EXE_pmrc"))
        .args(["env", "--from", case.source.pmrc_name()])
        .args(["--to", case.target.pmrc_name(), "--format", format, "--dir"])
        .arg(&project)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .envs(case.round_env(0))
        .output()
        .map_err(|e| format!("run pmrc: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "pmrc env exited {}\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(unrender(&stdout, &hosts))
}

/// The environment the install gets from `printed`, applied the way its format is: a shell
/// script or dotenv file sourced by `sh` (which also writes the rc file into the run's home),
/// or a CI `env:` / `variables:` block with the CI system's expansion of secrets.
fn apply(
    format: &str,
    printed: &str,
    run_dir: &Path,
    env: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    let home = run_dir.join("home");
    fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    let mut out = env.clone();
    match format {
        "shell" | "dotenv" => {
            let script = run_dir.join("pmrc-env.sh");
            fs::write(&script, printed).map_err(|e| e.to_string())?;
            let got = Command::new("sh")
                .args(["-c", "set -ea; . \"$0\"; set +a; env -0"])
                .arg(&script)
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("HOME", &home)
                .envs(&env)
                .output()
                .map_err(|e| format!("run sh: {e}"))?;
            if !got.status.success() {
                return Err(format!(
                    "sourcing pmrc env's output failed:\n{}",
                    String::from_utf8_lossy(&got.stderr)
                ));
            }
            for entry in got.stdout.split(|b| *b == 0) {
                let entry = String::from_utf8_lossy(entry);
                let Some((k, v)) = entry.split_once('=') else {
                    continue;
                };
                if !matches!(k, "PATH" | "HOME" | "PWD" | "SHLVL" | "_" | "OLDPWD") {
                    out.insert(k.to_string(), v.to_string());
                }
            }
        }
        "github" | "gitlab" => {
            let block = if format == "github" {
                "env:"
            } else {
                "variables:"
            };
            for (k, v) in yaml_block(printed, block)? {
                let v = if format == "github" {
                    github_expand(&v, &env)?
                } else {
                    gitlab_expand(&v, &env)
                };
                out.insert(k, v);
            }
            // The job's script part, run as the CI system runs it: GitHub's step with
            // `$GITHUB_ENV` for later steps, GitLab's `before_script` in the job's shell.
            let script = if format == "github" {
                github_run_block(printed)
            } else {
                gitlab_before_script(printed)
            };
            if !script.is_empty() {
                let github_env = run_dir.join("github-env");
                fs::write(&github_env, "").map_err(|e| e.to_string())?;
                let trailer = if format == "github" { "" } else { "\nenv -0" };
                let got = Command::new("sh")
                    .args(["-ec", &format!("{script}{trailer}")])
                    .env_clear()
                    .env("PATH", "/usr/bin:/bin")
                    .env("HOME", &home)
                    .env("GITHUB_ENV", &github_env)
                    .envs(&out)
                    .output()
                    .map_err(|e| format!("run sh: {e}"))?;
                if !got.status.success() {
                    return Err(format!(
                        "the job's script from pmrc env failed:\n{script}\n{}",
                        String::from_utf8_lossy(&got.stderr)
                    ));
                }
                let exported = if format == "github" {
                    fs::read_to_string(&github_env)
                        .map_err(|e| e.to_string())?
                        .lines()
                        .map(String::from)
                        .collect::<Vec<_>>()
                } else {
                    got.stdout
                        .split(|b| *b == 0)
                        .map(|e| String::from_utf8_lossy(e).into_owned())
                        .collect()
                };
                for entry in exported {
                    if let Some((k, v)) = entry.split_once('=')
                        && !matches!(
                            k,
                            "PATH" | "HOME" | "PWD" | "SHLVL" | "_" | "OLDPWD" | "GITHUB_ENV"
                        )
                    {
                        out.insert(k.to_string(), v.to_string());
                    }
                }
            }
        }
        other => return Err(format!("no way to apply format {other}")),
    }
    Ok(out)
}

/// The `key: 'value'` lines of a top-level YAML block (`env:`), unquoted.
fn yaml_block(text: &str, block: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line == block {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        let Some(entry) = line.strip_prefix("  ") else {
            break;
        };
        let unquote = |s: &str| -> String {
            match s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
                Some(inner) => inner.replace("''", "'"),
                None => s.to_string(),
            }
        };
        let (key, value) = if let Some(rest) = entry.strip_prefix('\'') {
            let end = rest
                .find("': ")
                .ok_or_else(|| format!("bad key in {line}"))?;
            (rest[..end].replace("''", "'"), &rest[end + 3..])
        } else {
            let (k, v) = entry
                .split_once(": ")
                .ok_or_else(|| format!("bad line {line}"))?;
            (k.to_string(), v)
        };
        out.push((key, unquote(value)));
    }
    Ok(out)
}

/// GitHub's expressions: `${{ secrets.X }}` and `${{ toJSON(secrets.X) }}`.
fn github_expand(value: &str, env: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").ok_or("unclosed expression")? + i;
        let expr = rest[i + 3..end].trim();
        let (name, json) = match expr
            .strip_prefix("toJSON(")
            .and_then(|e| e.strip_suffix(')'))
        {
            Some(inner) => (inner, true),
            None => (expr, false),
        };
        let name = name.strip_prefix("secrets.").ok_or("only secrets")?;
        let value = env.get(name).cloned().unwrap_or_default();
        out.push_str(&if json {
            serde_json::to_string(&value).unwrap()
        } else {
            value
        });
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// GitLab's expansion of `${X}` (and `$X`) in `variables:` values from the job's variables.
fn gitlab_expand(value: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').map_or(rest.len(), |e| e + i);
        let name = &rest[i + 2..end];
        out.push_str(env.get(name).map_or("", String::as_str));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// The `run: |` block of the GitHub step pmrc env prints, dedented.
fn github_run_block(printed: &str) -> String {
    let mut lines = printed.lines().skip_while(|l| l.trim() != "run: |").skip(1);
    let mut out = String::new();
    for line in lines.by_ref() {
        let Some(body) = line.strip_prefix("      ") else {
            break;
        };
        out.push_str(body);
        out.push('\n');
    }
    out
}

/// The `before_script:` items of the GitLab job pmrc env prints, as one script.
fn gitlab_before_script(printed: &str) -> String {
    let mut out = String::new();
    let mut lines = printed
        .lines()
        .skip_while(|l| *l != "before_script:")
        .skip(1)
        .peekable();
    while let Some(line) = lines.next() {
        if line == "  - |" {
            while let Some(body) = lines.peek().and_then(|l| l.strip_prefix("    ")) {
                out.push_str(body);
                out.push('\n');
                lines.next();
            }
        } else if let Some(item) = line.strip_prefix("  - ") {
            let item = item
                .strip_prefix('\'')
                .and_then(|i| i.strip_suffix('\''))
                .map_or(item.to_string(), |i| i.replace("''", "'"));
            out.push_str(&item);
            out.push('\n');
        } else {
            break;
        }
    }
    out
}
