//! Issue 19: what the README and `docs/` show is what pmrc does. Every ```` ```console ````
//! block is a transcript: its `$ ` lines run in `sh` (with the real binary first on `PATH`,
//! in a copy of `examples/`, an empty `HOME` and no token variables set) and everything the
//! commands print, stdout and stderr as they interleave, must be the block's other lines.
//! A `<!-- doc-test: in DIR -->` line just before a block runs it in a copy of `DIR` instead.
//! `PMRC_BLESS=1 cargo test --test docs` rewrites the blocks from the real output.
//!
//! Also: the README's "Try it" commands are the example's conversion and `.ci/run`'s test
//! command, its synopsis names exactly the flags each command has, and `--from` reads the
//! same in the README and in `--help`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_fs::TempDir;
use assert_fs::prelude::*;
use clap::CommandFactory;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// One console block: where it is, what to run it in, and its lines.
struct Block {
    file: PathBuf,
    /// Byte range of the block's body (between the fences) in the file.
    body: std::ops::Range<usize>,
    /// `doc-test: in DIR`, relative to the repository.
    within: Option<String>,
    text: String,
}

fn console_blocks(file: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut blocks = Vec::new();
    let mut offset = 0;
    let mut previous = "";
    let mut open: Option<(String, usize, Option<String>)> = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        match &open {
            None => {
                let ticks: String = bare.chars().take_while(|c| *c == '`').collect();
                if ticks.len() >= 3 && &bare[ticks.len()..] == "console" {
                    let within = previous
                        .strip_prefix("<!-- doc-test: in ")
                        .and_then(|rest| rest.strip_suffix(" -->"))
                        .map(str::to_string);
                    open = Some((ticks, offset + line.len(), within));
                }
            }
            Some((ticks, start, within)) if bare == ticks => {
                blocks.push(Block {
                    file: file.to_path_buf(),
                    body: *start..offset,
                    within: within.clone(),
                    text: text[*start..offset].to_string(),
                });
                open = None;
            }
            Some(_) => {}
        }
        previous = bare;
        offset += line.len();
    }
    assert!(
        open.is_none(),
        "{}: a console block is not closed",
        file.display()
    );
    blocks
}

/// The README and every page in `docs/`.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![repo("README.md"), repo("CONTRIBUTING.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// Runs a block's commands and returns the transcript it should equal.
fn transcript(block: &Block) -> String {
    let work = TempDir::new().unwrap();
    let home = TempDir::new().unwrap();
    match &block.within {
        Some(dir) => work.copy_from(repo(dir), &["**/*", "**/.*"]).unwrap(),
        None => work
            .child("examples")
            .copy_from(repo("examples"), &["**/*", "**/.*"])
            .unwrap(),
    }
    let mut script = String::from("exec 2>&1\n");
    for line in block.text.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            let shown = format!("$ {command}").replace('\'', "'\\''");
            script.push_str(&format!("printf '%s\\n' '{shown}'\n{command}\n"));
        }
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_pmrc")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(work.path())
        .env("PATH", path)
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("NODE_AUTH_TOKEN")
        .env_remove("CORP_TOKEN")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // Temp folders never appear in what the docs show.
    for (dir, name) in [(work.path(), "[DIR]"), (home.path(), "[HOME]")] {
        assert!(
            !text.contains(&dir.display().to_string()),
            "{}: the transcript names the temp {name}:\n{text}",
            block.file.display()
        );
    }
    text
}

#[test]
fn console_blocks_are_real_transcripts() {
    let bless = std::env::var_os("PMRC_BLESS").is_some();
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in documents() {
        let Ok(original) = std::fs::read_to_string(&file) else {
            continue;
        };
        let mut updated = original.clone();
        // From the end, so earlier ranges stay valid while rewriting.
        for block in console_blocks(&file).iter().rev() {
            assert!(
                block.text.starts_with("$ "),
                "{}: a console block starts with a `$ ` command",
                file.display()
            );
            let real = transcript(block);
            checked += 1;
            if real != block.text {
                if bless {
                    updated.replace_range(block.body.clone(), &real);
                } else {
                    failures.push(format!(
                        "{}:\n--- shown\n{}--- printed\n{}",
                        file.display(),
                        block.text,
                        real
                    ));
                }
            }
        }
        if bless && updated != original {
            std::fs::write(&file, updated).unwrap();
        }
    }
    assert!(checked >= 8, "only {checked} console blocks found");
    assert!(
        failures.is_empty(),
        "documentation shows output pmrc does not print (PMRC_BLESS=1 rewrites it):\n{}",
        failures.join("\n")
    );
}

/// The README section after `heading`, up to the next heading of any level.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no `{heading}` section"))
        + heading.len()
        + 2;
    let end = text[start..]
        .find("\n#")
        .map_or(text.len(), |at| start + at);
    &text[start..end]
}

/// The body of the first fenced block of `lang` in `text`.
fn fenced<'a>(text: &'a str, lang: &str) -> &'a str {
    let open = format!("```{lang}\n");
    let start = text
        .find(&open)
        .unwrap_or_else(|| panic!("no ```{lang} block"))
        + open.len();
    let end = start + text[start..].find("\n```").unwrap();
    &text[start..end]
}

#[test]
fn try_it_runs_the_example_and_the_ci_test_command() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let try_it = section(&readme, "## Try it");
    let commands: Vec<&str> = fenced(try_it, "sh")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split(" #").next().unwrap().trim())
        .collect();
    let [main_job, tests] = commands.as_slice() else {
        panic!("Try it shows two commands, not {commands:?}");
    };
    // The first is pmrc's main job, and its output is shown (and so checked) below it.
    let args = main_job
        .strip_prefix("cargo run -- ")
        .expect("the first command runs pmrc from the clone");
    assert!(args.starts_with("convert "), "{main_job}");
    assert!(
        try_it.contains(&format!("```console\n$ pmrc {args}\n")),
        "Try it shows the output of `pmrc {args}`"
    );
    // The second is what CI runs.
    let ci = std::fs::read_to_string(repo(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == *tests),
        ".ci/run does not run the README's test command `{tests}`"
    );
}

/// The long flags of a subcommand, as clap knows them.
fn flags_of(command: &clap::Command) -> Vec<String> {
    command
        .get_arguments()
        .filter_map(|a| a.get_long())
        .filter(|l| *l != "help")
        .map(|l| format!("--{l}"))
        .collect()
}

#[test]
fn synopsis_names_exactly_each_commands_flags() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let synopsis = fenced(section(&readme, "## Commands"), "text");
    let flag = regex::Regex::new(r"--[a-z][a-z-]*").unwrap();
    let mut cli = pmrc::cli::Cli::command();
    // The commands' arguments are deferred until built.
    cli.build();
    // Lines `pmrc NAME ...` and their indented continuations; the last line lists the
    // flags every command shares.
    let mut listed: Vec<(String, String)> = Vec::new();
    let mut shared = String::new();
    for line in synopsis.lines() {
        if let Some(rest) = line.strip_prefix("pmrc ") {
            let name = rest.split_whitespace().next().unwrap().to_string();
            listed.push((name, rest.to_string()));
        } else if line.starts_with(' ') {
            listed.last_mut().unwrap().1.push_str(line);
        } else {
            shared.push_str(line);
        }
    }
    let shared: Vec<&str> = flag.find_iter(&shared).map(|m| m.as_str()).collect();
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        let (_, line) = listed
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("the synopsis has no `pmrc {name}` line"));
        let shown: Vec<&str> = flag.find_iter(line).map(|m| m.as_str()).collect();
        let real = flags_of(sub);
        for f in &shown {
            assert!(real.iter().any(|r| r == f), "pmrc {name} has no {f}");
        }
        for f in &real {
            assert!(
                shown.contains(&f.as_str()) || shared.contains(&f.as_str()),
                "the synopsis of pmrc {name} does not show {f}"
            );
        }
        // Every --format value shown is one the command takes, and every one it takes is shown.
        if let Some(values) = line.split("--format ").nth(1) {
            let values: Vec<&str> = values
                .split(|c: char| c.is_whitespace() || c == ']')
                .next()
                .unwrap()
                .split('|')
                .collect();
            for format in ["text", "json", "markdown", "github"] {
                let mut cmd = common::pmrc();
                cmd.arg(name);
                // What each command needs besides its flags.
                cmd.args(match name {
                    "explain" => &["left-pad"][..],
                    "convert" => &["--from", "npm", "--to", "yarn"][..],
                    "env" => &["--to", "npm"][..],
                    _ => &[][..],
                });
                let out = cmd
                    .args(["--format", format, "--dir"])
                    .arg(repo("examples/github-packages"))
                    .env("HOME", TempDir::new().unwrap().path())
                    .output()
                    .unwrap();
                // Refused by clap (`invalid value ... '--format <FORMAT>'`) or by the command
                // (`--format markdown is for ...`); any other outcome took the format.
                let accepted = !(out.status.code() == Some(2)
                    && String::from_utf8_lossy(&out.stderr).contains("--format"));
                assert_eq!(
                    accepted,
                    values.contains(&format),
                    "pmrc {name} --format {format}: the synopsis and the command disagree ({})",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

#[test]
fn from_reads_the_same_in_readme_and_help() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let mut cli = pmrc::cli::Cli::command();
    cli.build();
    let convert = cli.find_subcommand("convert").unwrap();
    let from = convert
        .get_arguments()
        .find(|a| a.get_long() == Some("from"))
        .unwrap();
    let help = from
        .get_long_help()
        .or(from.get_help())
        .unwrap()
        .to_string();
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let readme = words(&readme.replace("\n> ", " "));
    assert!(
        readme.contains(&format!("`--from`: {}", words(&help))),
        "the README explains --from as `--from`: <the help text>; help says: {help}"
    );
}

#[test]
fn links_stay_inside_the_repository() {
    let link = regex::Regex::new(r"\]\(([^)#]+)[^)]*\)").unwrap();
    for file in documents() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for found in link.captures_iter(&text) {
            let target = &found[1];
            if target.starts_with("http") {
                continue;
            }
            let path = file.parent().unwrap().join(target);
            let resolved = std::path::absolute(&path).unwrap();
            let inside = resolved
                .components()
                .fold(PathBuf::new(), |mut acc, c| {
                    match c {
                        std::path::Component::ParentDir => {
                            acc.pop();
                        }
                        other => acc.push(other),
                    }
                    acc
                })
                .starts_with(repo(""));
            assert!(
                inside && path.exists(),
                "{}: link `{target}` points outside the repository or nowhere",
                file.display()
            );
        }
    }
}

/// The workflow steps the README and docs/ci.md show are the ready workflow's own lines.
#[test]
fn shown_workflow_steps_are_the_workflows() {
    let workflow = std::fs::read_to_string(repo(".ci/examples/github-actions.yml")).unwrap();
    let mut shown = 0;
    for file in [repo("README.md"), repo("docs/ci.md")] {
        let text = std::fs::read_to_string(&file).unwrap();
        for block in text.split("```yaml\n").skip(1) {
            let body = block.split("\n```").next().unwrap();
            if body.trim_start().starts_with("- name:") {
                shown += 1;
                assert!(
                    workflow.contains(body),
                    "{}: a step shown is not in .ci/examples/github-actions.yml:\n{body}",
                    file.display()
                );
            }
        }
    }
    assert!(shown >= 1, "no workflow snippet found");
}
