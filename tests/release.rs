//! Issue 17: the release. The workflow cannot run here, so actionlint checks it (and the
//! example workflow users copy), and its build steps, `.ci/build-release.sh`, run for the
//! host: a stripped binary in an archive with its checksum and the npm platform package.
//! The action then installs that archive from a loopback "release", checksum verified.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_fs::TempDir;
use sha2::{Digest as _, Sha256};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// actionlint as `.ci/run` installs it (a venv in target/ci-tools), else from PATH. Missing
/// in CI is a failure; on a developer's machine the test says how to get it and stops.
fn actionlint() -> Option<PathBuf> {
    let venv = repo("target/ci-tools/bin/actionlint");
    if venv.is_file() {
        return Some(venv);
    }
    if let Some(found) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("actionlint"))
            .find(|p| p.is_file())
    }) {
        return Some(found);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "actionlint is missing: .ci/run installs it into target/ci-tools"
    );
    eprintln!("actionlint is not installed; skipped (see .ci/run for the install)");
    None
}

fn lint(actionlint: &Path, file: &Path) -> Output {
    // No shellcheck or pyflakes: the result must not depend on what else is installed.
    Command::new(actionlint)
        .args(["-no-color", "-shellcheck=", "-pyflakes="])
        .arg(file)
        .current_dir(repo(""))
        .output()
        .unwrap()
}

#[test]
fn issue_17_workflows_pass_actionlint() {
    let Some(actionlint) = actionlint() else {
        return;
    };
    for file in [
        ".github/workflows/release.yml",
        ".ci/examples/github-actions.yml",
    ] {
        let out = lint(&actionlint, &repo(file));
        assert!(out.status.success(), "{file}: {}", text(&out));
    }
    // The linter really reads the file: the release workflow with an undefined input and an
    // unknown job key fails.
    let broken = TempDir::new().unwrap();
    let workflows = broken.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let yaml = std::fs::read_to_string(repo(".github/workflows/release.yml"))
        .unwrap()
        .replace("runs-on: ubuntu-24.04\n", "runs-onn: ubuntu-24.04\n")
        .replace("subject-path: |", "subject-paths: |");
    let file = workflows.join("release.yml");
    std::fs::write(&file, yaml).unwrap();
    let out = lint(&actionlint, &file);
    assert!(!out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("runs-onn") && said.contains("subject-paths"),
        "{said}"
    );
}

#[test]
fn issue_17_release_workflow_builds_attests_and_publishes() {
    let yaml = std::fs::read_to_string(repo(".github/workflows/release.yml")).unwrap();
    let wf: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(wf["on"]["push"]["tags"][0], "v*");
    let jobs = &wf["jobs"];
    let targets: Vec<&str> = jobs["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-gnu",
            "aarch64-unknown-linux-gnu",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
    let steps = |job: &str| jobs[job]["steps"].as_array().unwrap().clone();
    let runs = |job: &str| -> String {
        steps(job)
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_string))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let uses = |job: &str| -> Vec<String> {
        steps(job)
            .iter()
            .filter_map(|s| s["uses"].as_str().map(str::to_string))
            .collect()
    };
    assert!(runs("build").contains(".ci/build-release.sh \"${{ matrix.target }}\" dist"));
    assert!(
        uses("build")
            .iter()
            .any(|u| u.starts_with("actions/attest-build-provenance@"))
    );
    assert_eq!(jobs["build"]["permissions"]["id-token"], "write");
    assert!(runs("github-release").contains("SHA256SUMS"));
    assert!(runs("github-release").contains("gh release create"));
    // npm: trusted publishing with provenance, the platform packages before the launcher.
    assert_eq!(jobs["npm"]["permissions"]["id-token"], "write");
    let npm = runs("npm");
    assert!(
        npm.contains("npm publish") && npm.contains("--provenance"),
        "{npm}"
    );
    assert!(
        npm.find("dist/npm/pmrc-*").unwrap() < npm.find("launcher/pmrc").unwrap(),
        "{npm}"
    );
    assert!(runs("crate").contains("cargo publish --locked"));
    // Every action pinned by major tag or commit.
    for job in jobs.as_object().unwrap().keys() {
        for action in uses(job) {
            let (_, pin) = action.split_once('@').unwrap();
            assert!(
                (pin.starts_with('v') && pin[1..].chars().all(|c| c.is_ascii_digit()))
                    || (pin.len() == 40 && pin.chars().all(|c| c.is_ascii_hexdigit())),
                "{job}: {action} is not pinned to a major version or a commit"
            );
        }
    }
}

/// The host's target triple, as rustc names it.
fn host_target() -> String {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_string()
}

/// Runs `.ci/build-release.sh` for the host into `out`; its own target dir, which `.ci/run`
/// fills ahead (a release build from scratch is minutes on two cores).
fn build_release(out: &Path) -> (String, PathBuf) {
    let target = host_target();
    let run = Command::new("bash")
        .arg(repo(".ci/build-release.sh"))
        .arg(&target)
        .arg(out)
        .env("CARGO_TARGET_DIR", repo("target/release-script"))
        .current_dir(repo(""))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run));
    let archive = PathBuf::from(String::from_utf8(run.stdout).unwrap().trim());
    (target, archive)
}

/// The ELF program header type of a dynamic loader's path.
const PT_INTERP: u32 = 3;

/// The types of a 64-bit little-endian ELF file's program headers.
fn program_header_types(elf: &[u8]) -> Vec<u32> {
    assert_eq!(
        &elf[..6],
        b"\x7fELF\x02\x01",
        "not a 64-bit little-endian ELF"
    );
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([elf[at], elf[at + 1]]));
    let offset = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count)
        .map(|i| {
            let at = offset + i * size;
            u32::from_le_bytes(elf[at..at + 4].try_into().unwrap())
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn issue_17_build_release_script_stages_archive_checksum_and_npm_package() {
    let out = TempDir::new().unwrap();
    let (target, archive) = build_release(out.path());
    let version = env!("CARGO_PKG_VERSION");
    let name = format!("pmrc-v{version}-{target}");
    assert_eq!(archive, out.path().join(format!("{name}.tar.gz")));

    // The checksum file is `sha256sum -c` input for the archive.
    let bytes = std::fs::read(&archive).unwrap();
    let sum = std::fs::read_to_string(out.path().join(format!("{name}.tar.gz.sha256"))).unwrap();
    assert_eq!(sum, format!("{}  {name}.tar.gz\n", sha256_hex(&bytes)));

    // The archive: one folder with the binary, README and licences.
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let unpacked = TempDir::new().unwrap();
    let mut names: Vec<String> = Vec::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        names.push(entry.path().unwrap().display().to_string());
        entry.unpack_in(unpacked.path()).unwrap();
    }
    names.sort();
    assert_eq!(
        names,
        [
            format!("{name}/"),
            format!("{name}/LICENSE-APACHE"),
            format!("{name}/LICENSE-MIT"),
            format!("{name}/README.md"),
            format!("{name}/pmrc"),
        ]
    );
    let binary = unpacked.path().join(&name).join("pmrc");
    // Another test's fork can hold the just-unpacked file open for writing a moment
    // (ETXTBSY, "Text file busy", seen once in CI): run it again, briefly.
    let mut tries = 0;
    let ran = loop {
        match Command::new(&binary).arg("--version").output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            other => break other.unwrap(),
        }
    };
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout).trim(),
        format!("pmrc {version}")
    );
    // Stripped: no symbol table left in the ELF (its section name would be in .shstrtab).
    if cfg!(target_os = "linux") {
        let elf = std::fs::read(&binary).unwrap();
        assert!(!elf.windows(8).any(|w| w == b".symtab\0"), "not stripped");
    }
    // Linux binaries are static: no program interpreter (dynamic loader) to find, so they
    // run on any distribution (issue 20: and start without one).
    if target.ends_with("-linux-gnu") {
        let elf = std::fs::read(&binary).unwrap();
        assert!(
            !program_header_types(&elf).contains(&PT_INTERP),
            "{target}: dynamically linked"
        );
    }

    // The npm platform package, staged by npm/build.mjs with the same binary.
    let platform = match std::env::consts::ARCH {
        "x86_64" => "x64",
        _ => "arm64",
    };
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let package = out.path().join(format!("npm/pmrc-{os}-{platform}"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(package.join("package.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["version"], version);
    assert_eq!(
        std::fs::read(package.join("bin/pmrc")).unwrap(),
        std::fs::read(&binary).unwrap()
    );
    assert!(out.path().join("npm/pmrc/package.json").is_file());
}

/// Serves `files` (URL path → bytes) on 127.0.0.1 for at most `requests` requests.
fn serve(files: Vec<(String, Vec<u8>)>, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let path = request.split(' ').nth(1).unwrap_or("").to_string();
            // The rest of the head, so the client is not cut off mid-request.
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            match files.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(body);
                }
                None => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    url
}

/// `run.sh install` as the action's first step runs it on a Linux x64 runner.
fn install_step(releases: &str, temp: &Path) -> (Output, String, String) {
    let (env_file, path_file) = (temp.join("env"), temp.join("path"));
    std::fs::write(&env_file, "").unwrap();
    std::fs::write(&path_file, "").unwrap();
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(repo(".github/action/run.sh"))
        .arg("install")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("PMRC_RELEASES", releases)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", temp)
        .env("GITHUB_ENV", &env_file)
        .env("GITHUB_PATH", &path_file)
        .output()
        .unwrap();
    (
        out,
        std::fs::read_to_string(env_file).unwrap(),
        std::fs::read_to_string(path_file).unwrap(),
    )
}

#[test]
fn issue_17_the_action_installs_the_release_and_refuses_a_bad_checksum() {
    if host_target() != "x86_64-unknown-linux-gnu" {
        eprintln!("the action's Linux x64 download is checked on a Linux x64 host only");
        return;
    }
    let dist = TempDir::new().unwrap();
    let (_, archive) = build_release(dist.path());
    let bytes = std::fs::read(&archive).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    // This host's archive is the one a Linux x64 runner downloads.
    let name = format!("pmrc-v{version}-x86_64-unknown-linux-gnu");
    let file = format!("/v{version}/{name}.tar.gz");
    let good = format!("{}  {name}.tar.gz\n", sha256_hex(&bytes));

    let url = serve(
        vec![
            (file.clone(), bytes.clone()),
            (format!("{file}.sha256"), good.into_bytes()),
        ],
        2,
    );
    let temp = TempDir::new().unwrap();
    let (out, env, path) = install_step(&url, temp.path());
    assert!(out.status.success(), "{}", text(&out));
    let bin = env
        .strip_prefix("PMRC_BIN=")
        .unwrap_or_else(|| panic!("{env}"))
        .trim();
    assert!(bin.starts_with(path.trim()), "{bin} not under {path}");
    let ran = Command::new(bin).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout).trim(),
        format!("pmrc {version}")
    );

    // A checksum that does not match: refused, nothing put on PATH.
    let bad = format!("{}  {name}.tar.gz\n", sha256_hex(b"something else"));
    let url = serve(
        vec![
            (file.clone(), bytes),
            (format!("{file}.sha256"), bad.into_bytes()),
        ],
        2,
    );
    let temp = TempDir::new().unwrap();
    let (out, env, path) = install_step(&url, temp.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("checksum mismatch"),
        "{}",
        text(&out)
    );
    assert!(env.is_empty() && path.is_empty(), "{env}{path}");
}
