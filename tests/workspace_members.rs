//! pmrc pointed at a workspace member: npm, Bun and Deno work from the workspace root that
//! lists the member and ignore the member's own `.npmrc` (and Bun its `bunfig.toml`), while
//! Yarn 1 and pnpm without a `pnpm-workspace.yaml` read the member's (spec/npm.md §1.3,
//! spec/pnpm-bun-deno.md w01). A package inside another project that does not list it is a
//! project of its own: the outer project's config is not its. Each layout here was run with real npm 11.21, Bun 1.4.5,
//! Deno 2.9.6, pnpm 10.34 and 12.21 against a loopback registry, which named the registry
//! asserted.

mod common;

use std::path::{Path, PathBuf};

use assert_fs::TempDir;
use common::pmrc;

const ROOT_REGISTRY: &str = "https://root.example.test/";
const MEMBER_REGISTRY: &str = "https://member.example.test/";

/// A workspace root with an `.npmrc`, and its member `packages/a` with one of its own.
struct Workspace {
    root: TempDir,
    home: TempDir,
}

impl Workspace {
    fn new(root_package_json: &str) -> Workspace {
        let ws = Workspace {
            root: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
        };
        std::fs::create_dir_all(ws.member().join("src")).unwrap();
        ws.write("package.json", root_package_json);
        ws.write(".npmrc", &format!("registry={ROOT_REGISTRY}\n"));
        ws.write(
            "packages/a/package.json",
            r#"{"name":"a","version":"1.0.0"}"#,
        );
        ws.write(
            "packages/a/.npmrc",
            &format!("registry={MEMBER_REGISTRY}\n"),
        );
        ws
    }

    fn member(&self) -> PathBuf {
        self.root.path().join("packages/a")
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.root.path().join(name), text).unwrap();
    }

    fn read(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.root.path().join(name)).ok()
    }

    /// Runs pmrc in `dir`: whether it succeeded, and all it printed.
    fn run_in(&self, dir: &Path, args: &[&str]) -> (bool, String) {
        let (code, text) = self.exit_code_in(dir, args);
        (code == Some(0), text)
    }

    /// Runs pmrc in `dir`: its exit code, and all it printed.
    fn exit_code_in(&self, dir: &Path, args: &[&str]) -> (Option<i32>, String) {
        let out = pmrc()
            .args(args)
            .arg("--dir")
            .arg(dir)
            .env("HOME", self.home.path())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    }

    /// A command pmrc printed, run through a shell exactly as printed (with pmrc on the
    /// `PATH`), from `cwd`.
    fn run_printed(&self, command: &str, cwd: &Path) -> std::process::Output {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_pmrc")).parent().unwrap();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
        std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(cwd)
            .env("PATH", path)
            .env("HOME", self.home.path())
            .env("COLUMNS", "60")
            .output()
            .unwrap()
    }

    /// The registry of the first request `manager` shows run from `dir` (`None`: its public
    /// registry).
    fn first_registry(&self, dir: &Path, manager: &str) -> Option<String> {
        let (ok, json) = self.run_in(dir, &["show", "--manager", manager, "--format", "json"]);
        assert!(ok, "{json}");
        let shown: serde_json::Value = serde_json::from_str(&json).unwrap();
        shown["managers"][0]["routes"][0]["registry"]
            .as_str()
            .map(str::to_string)
    }

    /// The registry `manager` sends unscoped packages to, run from the member, and the codes
    /// of what it says.
    fn unscoped_registry(&self, manager: &str) -> (String, Vec<String>) {
        let (ok, json) = self.run_in(
            &self.member(),
            &["show", "--manager", manager, "--format", "json"],
        );
        assert!(ok, "{json}");
        let shown: serde_json::Value = serde_json::from_str(&json).unwrap();
        let read = &shown["managers"][0];
        let registry = read["routes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["packages"]["kind"] == "unscoped")
            .map(|r| r["registry"].as_str().unwrap().to_string())
            .unwrap();
        let codes = read["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap().to_string())
            .collect();
        (registry, codes)
    }
}

/// The command pmrc printed on the line after the one ending in `ends`: its own line, to run
/// as printed.
fn command_after<'t>(text: &'t str, ends: &str) -> &'t str {
    text.lines()
        .skip_while(|l| !l.ends_with(ends))
        .nth(1)
        .expect(text)
        .trim()
}

/// In `show --format json`, the registry of `manager`'s first request (`None`: its public
/// registry).
fn first_registry_of(shown: &serde_json::Value, manager: &str) -> Option<String> {
    let read = shown["managers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["manager"] == manager)
        .unwrap();
    read["routes"][0]["registry"].as_str().map(str::to_string)
}

const WORKSPACES: &str = r#"{"name":"ws","private":true,"workspaces":["packages/*"]}"#;

#[test]
fn npm_bun_and_deno_read_the_workspace_roots_npmrc_from_a_member() {
    let ws = Workspace::new(WORKSPACES);
    for manager in ["npm", "bun", "deno"] {
        let (registry, codes) = ws.unscoped_registry(manager);
        assert_eq!(registry, ROOT_REGISTRY, "{manager}");
        assert!(
            codes.contains(&"member-config-ignored".to_string()),
            "{manager}: {codes:?}"
        );
    }
}

#[test]
fn yarn_1_and_pnpm_without_a_workspace_yaml_read_the_members_npmrc() {
    let ws = Workspace::new(WORKSPACES);
    for manager in ["yarn-classic", "pnpm@10", "pnpm@12"] {
        let (registry, codes) = ws.unscoped_registry(manager);
        assert_eq!(registry, MEMBER_REGISTRY, "{manager}");
        assert!(
            !codes.contains(&"member-config-ignored".to_string()),
            "{manager}: {codes:?}"
        );
    }
}

#[test]
fn the_declaration_decides_membership() {
    // Listed through the object form, `./`, and `**`: a member (real runs, all three).
    for declared in [
        r#"{"workspaces":{"packages":["packages/*"]}}"#,
        r#"{"workspaces":["./packages/*"]}"#,
        r#"{"workspaces":["packages/**"]}"#,
    ] {
        let ws = Workspace::new(declared);
        assert_eq!(ws.unscoped_registry("npm").0, ROOT_REGISTRY, "{declared}");
    }
    // Not listed, taken out by a negation, or no `workspaces` at all: a package of its own.
    for declared in [
        r#"{"workspaces":["tools/*"]}"#,
        r#"{"workspaces":["packages/*","!packages/a"]}"#,
        r#"{"name":"ws"}"#,
    ] {
        let ws = Workspace::new(declared);
        for manager in ["npm", "bun", "deno"] {
            let (registry, codes) = ws.unscoped_registry(manager);
            assert_eq!(registry, MEMBER_REGISTRY, "{manager} {declared}");
            assert!(codes.is_empty(), "{manager} {declared}: {codes:?}");
        }
    }
}

#[test]
fn deno_takes_a_deno_json_workspace_too() {
    let ws = Workspace::new(r#"{"name":"ws"}"#);
    ws.write("deno.json", r#"{"workspace":["./packages/a"]}"#);
    assert_eq!(ws.unscoped_registry("deno").0, ROOT_REGISTRY);
    // npm and Bun do not read deno.json.
    assert_eq!(ws.unscoped_registry("npm").0, MEMBER_REGISTRY);
    assert_eq!(ws.unscoped_registry("bun").0, MEMBER_REGISTRY);
}

#[test]
fn bun_ignores_a_members_bunfig_toml() {
    let ws = Workspace::new(WORKSPACES);
    ws.write(
        "packages/a/bunfig.toml",
        "[install]\nregistry = \"https://member-bunfig.example.test/\"\n",
    );
    let (registry, _) = ws.unscoped_registry("bun");
    assert_eq!(registry, ROOT_REGISTRY);
    let (_, text) = ws.run_in(&ws.member(), &["show", "--manager", "bun"]);
    assert!(text.contains(".npmrc and bunfig.toml"), "{text}");
}

#[test]
fn doctor_in_a_member_says_what_npm_ignores() {
    let ws = Workspace::new(WORKSPACES);
    let (ok, text) = ws.run_in(&ws.member(), &["doctor", "--manager", "npm"]);
    // A warning fails doctor (its default `--fail-on`).
    assert!(!ok, "{text}");
    assert!(text.contains("warning[member-config-ignored]"), "{text}");
    assert!(text.contains("npm 11/12 ignores a workspace"), "{text}");
}

#[test]
fn convert_from_a_member_writes_the_workspace_roots_files() {
    let ws = Workspace::new(WORKSPACES);
    let member_npmrc = ws.read("packages/a/.npmrc");
    let (ok, text) = ws.run_in(
        &ws.member(),
        &["convert", "--from", "npm", "--to", "yarn", "--write"],
    );
    assert!(ok, "{text}");
    assert!(text.contains("member-config-ignored"), "{text}");
    let written = ws.read(".yarnrc.yml").expect(&text);
    assert!(written.contains("https://root.example.test"), "{written}");
    assert!(!written.contains("member.example.test"), "{written}");
    assert_eq!(ws.read("packages/a/.yarnrc.yml"), None);
    assert_eq!(ws.read("packages/a/.npmrc"), member_npmrc);
}

#[test]
fn doctor_at_the_root_names_the_member_files_npm_bun_and_deno_never_read() {
    let ws = Workspace::new(WORKSPACES);
    ws.write(
        "packages/a/bunfig.toml",
        "[install]\nregistry = \"https://member-bunfig.example.test/\"\n",
    );
    let root = ws.root.path().to_path_buf();
    let (_, json) = ws.run_in(
        &root,
        &[
            "doctor",
            "--manager",
            "npm,bun,deno,yarn-classic",
            "--format",
            "json",
        ],
    );
    let findings: serde_json::Value = serde_json::from_str(&json).expect(&json);
    let about_members: Vec<(String, Vec<String>)> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "member-config-ignored")
        .map(|f| {
            let managers = f["managers"]
                .as_array()
                .map(|ms| ms.iter().map(|m| m.as_str().unwrap().to_string()).collect())
                .unwrap_or_else(|| vec![f["manager"].as_str().unwrap().to_string()]);
            (f["origin"]["file"].as_str().unwrap().to_string(), managers)
        })
        .collect();
    assert_eq!(
        about_members,
        [
            (
                "packages/a/.npmrc".to_string(),
                vec!["npm".to_string(), "bun".into(), "deno".into()]
            ),
            (
                "packages/a/bunfig.toml".to_string(),
                vec!["bun".to_string()]
            ),
        ],
        "{json}"
    );
    // Yarn 1 reads the member's file run there: nothing to say for it alone; nor for a
    // folder the root does not list.
    let (_, text) = ws.run_in(&root, &["doctor", "--manager", "yarn-classic"]);
    assert!(!text.contains("member-config-ignored"), "{text}");
    ws.write("package.json", r#"{"workspaces":["tools/*"]}"#);
    let (_, text) = ws.run_in(&root, &["doctor", "--manager", "npm"]);
    assert!(!text.contains("member-config-ignored"), "{text}");
}

/// A pnpm workspace member's `.npmrc`, which pnpm 10 reads run in the member and 11/12 never
/// read: from a trial, `convert --from pnpm@10 --to pnpm@11` at the root said nothing of it
/// (real pnpm 11 run in the member then sent its scope to the root's registry with the root's
/// token), nor did doctor at a pnpm 11 root. Both name it now; a folder the file does not
/// list is not a member.
#[test]
fn pnpm_11_at_the_root_names_the_member_npmrc_pnpm_10_read() {
    let ws = Workspace::new(r#"{"name":"root","packageManager":"pnpm@10.34.9"}"#);
    ws.write("pnpm-workspace.yaml", "packages:\n  - packages/*\n");
    let root = ws.root.path().to_path_buf();
    let (ok, text) = ws.run_in(&root, &["convert", "--from", "pnpm@10", "--to", "pnpm@11"]);
    assert!(ok, "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "warning[pnpm-member-npmrc]: packages/a/.npmrc:1: pnpm 11 ignores packages/a/.npmrc"
        ),
        "{text}"
    );
    ws.write(
        "package.json",
        r#"{"name":"root","packageManager":"pnpm@11.28.11"}"#,
    );
    let (_, text) = ws.run_in(&root, &["doctor"]);
    assert!(text.contains("pnpm-member-npmrc"), "{text}");
    ws.write("pnpm-workspace.yaml", "packages:\n  - tools/*\n");
    let (_, text) = ws.run_in(&root, &["doctor"]);
    assert!(!text.contains("pnpm-member-npmrc"), "{text}");
}

/// A Yarn workspace member's own `.yarnrc.yml` with a registry, which Yarn run in the member
/// reads over the root's: from a trial, `convert --from yarn --to npm --check` at the root
/// passed while real Yarn 4.18 run in the member went to the member's registry and npm to
/// the root's. It is named; one with no registry or auth setting is not.
#[test]
fn a_yarn_member_s_own_yarnrc_is_named_at_the_root() {
    let ws = Workspace::new(r#"{"name":"root","workspaces":["packages/*"]}"#);
    ws.write(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://root.example.test\"\n",
    );
    ws.write(
        "packages/a/.yarnrc.yml",
        "nodeLinker: node-modules\nnpmRegistryServer: \"https://member.example.test\"\n",
    );
    let root = ws.root.path().to_path_buf();
    for args in [
        &["convert", "--from", "yarn", "--to", "npm", "--check"][..],
        &["doctor", "--manager", "yarn"][..],
    ] {
        let (_, text) = ws.run_in(&root, args);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("warning[yarn-member-yarnrc]: packages/a/.yarnrc.yml:2: Yarn run in packages/a reads"),
            "{args:?}: {text}"
        );
    }
    ws.write("packages/a/.yarnrc.yml", "nodeLinker: node-modules\n");
    let (_, text) = ws.run_in(&root, &["doctor", "--manager", "yarn"]);
    assert!(!text.contains("yarn-member-yarnrc"), "{text}");
}

/// Run from a member, a file of the workspace root is named from the member, where the user
/// is: from a trial, the root's `.npmrc` was shown as `.npmrc` beside the member's own, and
/// `--format github` put the root's lines on the member's file.
#[test]
fn the_root_s_files_are_named_from_the_member() {
    let ws = Workspace::new(WORKSPACES);
    ws.write(
        ".npmrc",
        &format!("registry={ROOT_REGISTRY}\n//root.example.test/:_authToken=npm_FAKE_ROOT\n_auth=${{X}}\n"),
    );
    let member = ws.member();
    let (_, text) = ws.run_in(&member, &["show", "--manager", "npm"]);
    assert!(
        text.contains("npm (npm 11/12 rules), from ../../.npmrc"),
        "{text}"
    );
    let out = pmrc()
        .args(["doctor", "--manager", "npm", "--format", "github", "--dir"])
        .arg(&member)
        .env("HOME", ws.home.path())
        .env("GITHUB_WORKSPACE", ws.root.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let files: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split("file=").nth(1))
        .filter_map(|rest| rest.split(',').next())
        .collect();
    assert!(files.contains(&".npmrc"), "{text}");
    assert!(
        !text
            .lines()
            .any(|l| l.contains("file=packages/a/.npmrc,line=3")),
        "{text}"
    );
}

/// Run in a member with an `.npmrc` of its own, the manager the root's package.json names
/// (Yarn 4, on the root's `.yarnrc.yml`) is still looked at: from a trial, the member's file
/// hid it from explain and doctor, where run from a member without one they named it.
#[test]
fn a_member_s_own_npmrc_does_not_hide_the_root_s_manager() {
    let ws = Workspace::new(
        r#"{"name":"root","workspaces":["packages/*"],"packageManager":"yarn@4.18.1"}"#,
    );
    ws.write(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://yarn-root.example.test\"\n",
    );
    let (ok, text) = ws.run_in(&ws.member(), &["explain", "left-pad"]);
    assert!(ok, "{text}");
    assert!(text.contains("npm (npm 11/12 rules)"), "{text}");
    assert!(
        text.contains("yarn (Yarn 4 rules)")
            && text.contains("GET https://yarn-root.example.test/left-pad"),
        "{text}"
    );
}

/// `sync` run in a member names the workspace root's pmrc.toml and the command that syncs
/// there (from a trial, it said only that the member had none); run as printed, it works.
#[test]
fn sync_in_a_member_points_at_the_root_s_setting() {
    let ws = Workspace::new(WORKSPACES);
    ws.write("pmrc.toml", "[sync]\nfrom = \"npm\"\nto = [\"yarn\"]\n");
    let (code, text) = ws.exit_code_in(&ws.member(), &["sync", "--check"]);
    assert_eq!(code, Some(2), "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let command = flat
        .split('`')
        .find(|c| c.starts_with("pmrc sync -C "))
        .unwrap_or_else(|| panic!("{text}"));
    let out = ws.run_printed(&format!("{command} --check"), &ws.member());
    // Out of sync (no .yarnrc.yml yet) is exit 1: the root's setting was found and run.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every SARIF result's ruleId is in the tool's rule list, a translation note's as well
/// (`member-config-ignored`, from a trial, was not).
#[test]
fn sarif_lists_every_rule_its_results_name() {
    let ws = Workspace::new(WORKSPACES);
    let (_, text) = ws.run_in(ws.root.path(), &["doctor", "--manager", "npm", "--sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&text).expect(&text);
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(results.contains(&"member-config-ignored"), "{text}");
    for id in results {
        assert!(rules.contains(&id), "{id} is not among the rules");
    }
}

/// A package with no config of its own inside another project whose package.json does not
/// list it: real npm 11.21, Bun 1.4.5, Deno 2.9.6, pnpm 12.21 and Yarn 1.22 run in it all
/// ignored the outer `.npmrc` (Yarn 1 for the home file, which it ranks over a parent's).
/// pmrc once took the outer folder as the project and said npm used its registry.
#[test]
fn a_package_inside_another_project_is_not_its_member() {
    let ws = Workspace::new(r#"{"name":"outer","private":true}"#);
    std::fs::remove_file(ws.member().join(".npmrc")).unwrap();
    let (ok, text) = ws.run_in(&ws.member(), &["show"]);
    assert!(!ok, "{text}");
    assert!(text.contains("another project's"), "{text}");
    // The advice runs as printed: its own line, given to a shell as it is.
    let advice = command_after(&text, "here:");
    assert!(advice.starts_with("pmrc -C "), "{advice}");
    let out = ws.run_printed(&format!("{advice} --format json"), ws.home.path());
    assert!(out.status.success(), "{out:?}");
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let unscoped = |manager: &str| first_registry_of(&shown, manager);
    // npm: its default registry (no configured one).
    assert_eq!(unscoped("npm"), None);
    // Yarn 1 reads the outer `.npmrc` from the folder above.
    assert_eq!(unscoped("yarn-classic").as_deref(), Some(ROOT_REGISTRY));
}

/// A folder with config but no `package.json` inside a package: real npm 11.21, Yarn 1.22,
/// pnpm 10.34 and Bun 1.4.5 run there asked the package's registry and not the folder's
/// `.npmrc`, but pmrc took the folder as the project, showed its registry for all of them and
/// converted into it. It refuses, naming the package, and its advice runs as printed; a
/// `deno.json` makes a folder a project of its own and is not refused.
#[test]
fn a_config_folder_inside_a_package_is_refused_with_the_package_to_pass() {
    let ws = Workspace::new(WORKSPACES);
    let src = ws.member().join("src");
    std::fs::write(src.join(".npmrc"), "registry=https://src.example.test/\n").unwrap();
    let mut text = String::new();
    for args in [
        &["show"][..],
        &["convert", "--from", "npm", "--to", "pnpm", "--write"],
    ] {
        let code;
        (code, text) = ws.exit_code_in(&src, args);
        assert_eq!(code, Some(2), "{text}");
        assert!(text.contains("but no package.json"), "{text}");
        assert!(text.contains("do not read its .npmrc"), "{text}");
    }
    assert!(!src.join("pnpm-workspace.yaml").exists());
    let advice = command_after(&text, "package:");
    assert!(advice.starts_with("pmrc -C "), "{advice}");
    let out = ws.run_printed(&format!("{advice} --format json"), ws.home.path());
    assert!(out.status.success(), "{out:?}");
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // npm run in a member reads the workspace root's `.npmrc`, not the member's or the folder's.
    assert_eq!(
        first_registry_of(&shown, "npm").as_deref(),
        Some(ROOT_REGISTRY)
    );
    // Yarn reads a `.yarnrc.yml` where it runs, and the refusal says so.
    std::fs::write(
        src.join(".yarnrc.yml"),
        "npmRegistryServer: \"https://src.example.test\"\n",
    )
    .unwrap();
    let (code, text) = ws.exit_code_in(&src, &["show"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("yarn reads its .yarnrc.yml too"), "{text}");
    std::fs::write(src.join("deno.json"), "{}\n").unwrap();
    let (ok, text) = ws.run_in(&src, &["show", "--manager", "deno"]);
    assert!(ok, "{text}");
}

/// From a review of the refusal above: for a package with no config of its own, the printed
/// `pmrc -C <package> show` found no manager's file and failed; it names the managers, and
/// runs as printed. A folder with `node_modules`, where npm stops its walk, is said to be npm's.
#[test]
fn the_refusal_s_command_runs_for_a_package_without_config() {
    let ws = Workspace::new(r#"{"name":"outer","private":true}"#);
    std::fs::remove_file(ws.member().join(".npmrc")).unwrap();
    let src = ws.member().join("src");
    std::fs::write(src.join(".npmrc"), "registry=https://src.example.test/\n").unwrap();
    let (code, text) = ws.exit_code_in(&src, &["show"]);
    assert_eq!(code, Some(2), "{text}");
    let advice = command_after(&text, "package:");
    assert!(advice.contains(" show --manager npm,"), "{advice}");
    let out = ws.run_printed(&format!("{advice} --format json"), ws.home.path());
    assert!(out.status.success(), "{out:?}");
    std::fs::create_dir(src.join("node_modules")).unwrap();
    let (code, text) = ws.exit_code_in(&src, &["show"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.replace("\n    ", " ")
            .contains("npm, which stops at a folder with node_modules, works from this one"),
        "{text}"
    );
}

#[test]
fn a_root_that_lists_the_package_or_has_a_pnpm_workspace_is_its_project() {
    let ws = Workspace::new(WORKSPACES);
    std::fs::remove_file(ws.member().join(".npmrc")).unwrap();
    assert_eq!(ws.unscoped_registry("npm").0, ROOT_REGISTRY);
    ws.write("package.json", r#"{"name":"outer","private":true}"#);
    ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
    let (ok, text) = ws.run_in(&ws.member(), &["show", "--manager", "pnpm@12"]);
    assert!(ok, "{text}");
    assert!(text.contains(ROOT_REGISTRY), "{text}");
}

/// From a review: `-C ../a` run in a sibling member kept the `..`, the walk up missed the
/// root, and `convert --write` wrote a file in the member that Bun never reads.
#[test]
fn a_member_named_through_dot_dot() {
    let ws = Workspace::new(WORKSPACES);
    let sibling = ws.root.path().join("packages/b");
    std::fs::create_dir_all(&sibling).unwrap();
    std::fs::write(sibling.join("package.json"), r#"{"name":"b"}"#).unwrap();
    let out = pmrc()
        .current_dir(&sibling)
        .args(["-C", "../a", "show", "--manager", "npm", "--format", "json"])
        .env("HOME", ws.home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(ROOT_REGISTRY), "{text}");
    assert!(text.contains("member-config-ignored"), "{text}");
}

/// From a review's real runs: Bun and Deno stop at the nearest folder above that declares
/// workspaces, npm goes on to one that lists the package.
#[test]
fn bun_and_deno_stop_at_the_nearest_declaration() {
    let ws = Workspace::new(r#"{"workspaces":["packages/**"]}"#);
    ws.write("packages/a/package.json", r#"{"workspaces":["other"]}"#);
    std::fs::create_dir_all(ws.member().join("sub")).unwrap();
    ws.write("packages/a/sub/package.json", r#"{"name":"sub"}"#);
    ws.write(
        "packages/a/sub/.npmrc",
        "registry=https://sub.example.test/\n",
    );
    let sub = ws.member().join("sub");
    let registry = |manager: &str| ws.first_registry(&sub, manager);
    assert_eq!(registry("npm").as_deref(), Some(ROOT_REGISTRY));
    assert_eq!(
        registry("bun").as_deref(),
        Some("https://sub.example.test/")
    );
    assert_eq!(
        registry("deno").as_deref(),
        Some("https://sub.example.test/")
    );
}

#[test]
fn a_package_json_npm_cannot_parse_declares_nothing() {
    // npm skips a root whose package.json has a trailing comma (a review's real run).
    let ws = Workspace::new(r#"{"workspaces":["packages/*",]}"#);
    assert_eq!(ws.unscoped_registry("npm").0, MEMBER_REGISTRY);
}

/// From a review: a member that declares workspaces of its own is their root, and npm run
/// in them reads its `.npmrc`: doctor must not say npm never reads it.
#[test]
fn doctor_leaves_a_nested_workspace_roots_npmrc_alone() {
    let ws = Workspace::new(r#"{"workspaces":["packages/**"]}"#);
    ws.write(
        "packages/a/package.json",
        r#"{"name":"a","workspaces":["sub"]}"#,
    );
    let root = ws.root.path().to_path_buf();
    let (_, text) = ws.run_in(&root, &["doctor", "--manager", "npm"]);
    assert!(!text.contains("member-config-ignored"), "{text}");
}

/// From the last session's gaps: run in a member, a conversion read Yarn 1 at the workspace
/// root, where npm reads, and `--check` said "in sync" while real Yarn 1 (the member's
/// `.npmrc`) and npm (the root's) asked different registries. pmrc now stops (exit 2), writes
/// nothing, and prints the command that shows what each sends from the member.
#[test]
fn convert_in_a_member_stops_where_a_manager_reads_other_files_than_at_the_root() {
    let ws = Workspace::new(WORKSPACES);
    let before = (ws.read(".npmrc"), ws.read("packages/a/.npmrc"));
    for (from, to) in [
        ("yarn-classic", "npm"),
        ("npm", "yarn-classic"),
        ("npm", "pnpm@12"),
    ] {
        for mode in ["--check", "--write"] {
            let args = ["convert", "--from", from, "--to", to, mode];
            let (code, text) = ws.exit_code_in(&ws.member(), &args);
            assert_eq!(code, Some(2), "{args:?}: {text}");
            assert!(text.contains("the config of the workspace root"), "{text}");
            assert!(!text.contains("in sync"), "{text}");
            assert_eq!((ws.read(".npmrc"), ws.read("packages/a/.npmrc")), before);
        }
    }
    let (_, text) = ws.exit_code_in(
        &ws.member(),
        &[
            "convert",
            "--from",
            "yarn-classic",
            "--to",
            "npm",
            "--check",
        ],
    );
    assert!(
        text.contains("Yarn 1.22 also reads .npmrc (named from the member)"),
        "{text}"
    );
    // The advice runs as printed, and shows the two registries apart.
    let advice = command_after(&text, "from the member:");
    assert!(advice.starts_with("pmrc -C "), "{advice}");
    let out = ws.run_printed(&format!("{advice} --format json"), ws.home.path());
    assert!(out.status.success(), "{out:?}");
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let unscoped = |manager: &str| first_registry_of(&shown, manager);
    assert_eq!(unscoped("yarn-classic").as_deref(), Some(MEMBER_REGISTRY));
    assert_eq!(unscoped("npm").as_deref(), Some(ROOT_REGISTRY));
}

/// Where the member has no file of its own, Yarn 1 reads the root's `.npmrc` from the member
/// too (as a folder above): the conversion runs from the root as before. So it does where the
/// member's `.npmrc` holds no setting pmrc translates (from a review: `save-exact=true` alone
/// made it stop).
#[test]
fn convert_in_a_member_runs_from_the_root_where_yarn_1_reads_the_same_settings() {
    let ws = Workspace::new(WORKSPACES);
    for member_npmrc in [None, Some("save-exact=true\n")] {
        match member_npmrc {
            None => std::fs::remove_file(ws.member().join(".npmrc")).unwrap(),
            Some(text) => ws.write("packages/a/.npmrc", text),
        }
        let (code, text) = ws.exit_code_in(
            &ws.member(),
            &[
                "convert",
                "--from",
                "npm",
                "--to",
                "yarn-classic",
                "--check",
            ],
        );
        assert_eq!(code, Some(0), "{member_npmrc:?}: {text}");
        assert!(text.contains("in sync"), "{text}");
    }
}

/// doctor checks every manager from the root, and says which of them reads other files in
/// the member; its fix checks that one from the member, where a fatal line for Yarn 1 is.
#[test]
fn doctor_in_a_member_says_which_manager_it_read_at_the_root() {
    let ws = Workspace::new(WORKSPACES);
    ws.write(
        "packages/a/.npmrc",
        &format!(
            "registry={MEMBER_REGISTRY}\n//member.example.test/:_authToken=${{MEMBER_TOKEN?}}\n"
        ),
    );
    let (_, text) = ws.run_in(&ws.member(), &["doctor", "--manager", "npm,yarn-classic"]);
    // It points at the member's file that Yarn 1 alone reads (a location for SARIF too).
    let finding = format!(
        "warning[member-read-apart]: {}:",
        ws.member().join(".npmrc").display()
    );
    assert!(text.contains(&finding), "{text}");
    assert!(!text.contains("yarn-classic-optional-reference"), "{text}");
    let start = text.find("run `pmrc doctor").expect(&text) + "run `".len();
    let fix = &text[start..start + text[start..].find('`').unwrap()];
    assert!(fix.contains("--manager yarn-classic --dir "), "{fix}");
    let out = ws.run_printed(fix, ws.home.path());
    let checked =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        checked.contains("error[yarn-classic-optional-reference]: .npmrc:2"),
        "{checked}"
    );
    assert!(!checked.contains("member-read-apart"), "{checked}");
}

/// Real pnpm 10.34, 11.28 and 12.21 run in `packages/a` against a loopback registry: a
/// `pnpm-workspace.yaml` that does not list the package, or has no `packages`, leaves pnpm 11
/// and 12 working from the package alone (its `.npmrc`, not the root's); one that lists it
/// makes them read the root's. pnpm 10 reads the package's over the root's in all three.
#[test]
fn pnpm_11_and_12_work_from_a_package_the_workspace_yaml_does_not_list() {
    let ws = Workspace::new(r#"{"name":"ws","private":true}"#);
    for (yaml, pnpm_11_and_12) in [
        ("packages:\n  - \"packages/*\"\n", ROOT_REGISTRY),
        ("packages:\n  - \"other/*\"\n", MEMBER_REGISTRY),
        (
            "packages:\n  - \"packages/*\"\n  - \"!packages/a\"\n",
            MEMBER_REGISTRY,
        ),
        ("onlyBuiltDependencies: []\n", MEMBER_REGISTRY),
    ] {
        ws.write("pnpm-workspace.yaml", yaml);
        assert_eq!(ws.unscoped_registry("pnpm@10").0, MEMBER_REGISTRY, "{yaml}");
        for manager in ["pnpm@11", "pnpm@12"] {
            let (registry, codes) = ws.unscoped_registry(manager);
            assert_eq!(registry, pnpm_11_and_12, "{manager}: {yaml}");
            // The note that the member's file is ignored only where it is.
            assert_eq!(
                codes.contains(&"pnpm-member-npmrc".to_string()),
                pnpm_11_and_12 == ROOT_REGISTRY,
                "{manager}: {yaml}: {codes:?}"
            );
        }
    }
}

/// Real pnpm 10.34, 11.28 and 12.21 run in a member with no config of its own and no
/// `pnpm-workspace.yaml` above went to the public registry: they read neither the member's
/// `.npmrc` (there is none) nor the root's. pmrc walked up to the root that lists the member
/// for npm and read pnpm there too; each manager's root is now found from the member.
#[test]
fn pnpm_in_a_member_without_config_reads_no_root_npmrc_without_a_workspace_yaml() {
    let ws = Workspace::new(WORKSPACES);
    std::fs::remove_file(ws.member().join(".npmrc")).unwrap();
    let registry = |manager: &str| ws.first_registry(&ws.member(), manager);
    for manager in ["pnpm@10", "pnpm@11", "pnpm@12"] {
        assert_eq!(registry(manager), None, "{manager}");
    }
    assert_eq!(registry("npm").as_deref(), Some(ROOT_REGISTRY));
    // The note no longer says every manager is read at the root.
    let (_, text) = ws.run_in(&ws.member(), &["show", "--manager", "npm,pnpm@12"]);
    let flowed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flowed.contains("the folder it works from when run in"),
        "{text}"
    );
    // A conversion to pnpm wrote a root pnpm-workspace.yaml that pnpm in the member never
    // reads (it lists no member); it now stops.
    let (code, text) = ws.exit_code_in(
        &ws.member(),
        &["convert", "--from", "npm", "--to", "pnpm@12", "--write"],
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("pnpm 12 does not read the root's ../../.npmrc (named from the member)"),
        "{text}"
    );
    assert_eq!(ws.read("pnpm-workspace.yaml"), None);
    // With a pnpm-workspace.yaml that lists the member, pnpm reads the root's.
    ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
    for manager in ["pnpm@10", "pnpm@12"] {
        assert_eq!(
            registry(manager).as_deref(),
            Some(ROOT_REGISTRY),
            "{manager}"
        );
    }
}

/// Real npm 11.21, Bun 1.4.5 and Deno 2.9.6 run in a package that only a
/// `pnpm-workspace.yaml` lists (the root's package.json declares no workspaces) went to the
/// public registry, not the root `.npmrc`'s; Yarn 1.22 read the root's from the folder above,
/// and pnpm reads it as its workspace root. pmrc read all of them at the root.
#[test]
fn a_member_only_a_pnpm_workspace_lists_is_its_own_project_for_npm_bun_and_deno() {
    let ws = Workspace::new(r#"{"name":"ws","private":true}"#);
    std::fs::remove_file(ws.member().join(".npmrc")).unwrap();
    ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
    let registry = |manager: &str| ws.first_registry(&ws.member(), manager);
    for manager in ["npm", "bun", "deno"] {
        assert_eq!(registry(manager), None, "{manager}");
    }
    for manager in ["yarn-classic", "pnpm@10", "pnpm@12"] {
        assert_eq!(
            registry(manager).as_deref(),
            Some(ROOT_REGISTRY),
            "{manager}"
        );
    }
}

/// Carried from an earlier session: run in a member with no config of its own, Yarn was read
/// from the workspace root, so a `.yarnrc.yml` in a folder between the two (which Yarn, walking
/// up from the member, reads over the root's) was missed.
#[test]
fn yarn_run_in_a_member_reads_a_config_folder_between_it_and_the_root() {
    let ws = Workspace::new(WORKSPACES);
    std::fs::remove_file(ws.member().join(".npmrc")).unwrap();
    ws.write(
        ".yarnrc.yml",
        &format!("npmRegistryServer: \"{ROOT_REGISTRY}\"\n"),
    );
    ws.write(
        "packages/.yarnrc.yml",
        &format!("npmRegistryServer: \"{MEMBER_REGISTRY}\"\n"),
    );
    let (ok, text) = ws.run_in(&ws.member(), &["show", "--manager", "yarn"]);
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("unscoped packages -> {MEMBER_REGISTRY}")),
        "{text}"
    );
    assert!(text.contains("../.yarnrc.yml"), "{text}");
}

/// From a review: with `-C packages/a` given relative, the root pnpm works from was named ``
/// ("the workspace root , where …").
#[test]
fn the_workspace_root_is_named_when_the_member_is_given_relative() {
    let ws = Workspace::new(r#"{"name":"ws","private":true}"#);
    ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
    let out = pmrc()
        .current_dir(ws.root.path())
        .args([
            "-C",
            "packages/a",
            "convert",
            "--from",
            "pnpm",
            "--to",
            "npm",
        ])
        .env("HOME", ws.home.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    let root = std::fs::canonicalize(ws.root.path()).unwrap();
    let named = [ws.root.path(), root.as_path()]
        .iter()
        .any(|r| text.contains(&format!("the workspace root {},", r.display())));
    assert!(named, "{text}");
}

/// From a review: with a `pnpm-workspace.yaml` that lists the member, pnpm 10 reads the
/// member's `.npmrc` over the root's, npm only the root's. pmrc said so (`route-differs`) and
/// then "every target file is already in sync"; the summary now says a target still requests
/// other registries (real pnpm 10.34 asked the member's), and JSON `routes_differ`. `--check`
/// does not fail on it: pmrc cannot write what would mend every such difference.
#[test]
fn check_says_a_target_would_still_request_other_registries() {
    let ws = Workspace::new(WORKSPACES);
    ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
    let args = ["convert", "--from", "npm", "--to", "pnpm@10", "--check"];
    let (code, text) = ws.exit_code_in(&ws.member(), &args);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("warning[route-differs]"), "{text}");
    let flowed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flowed.contains("would still request other registries than npm"),
        "{text}"
    );
    assert!(!text.contains("already in sync"), "{text}");
    let (_, json) = ws.exit_code_in(
        &ws.member(),
        &[&args[..], &["--format", "json", "--quiet"]].concat(),
    );
    let plan: serde_json::Value = serde_json::from_str(&json).expect(&json);
    assert_eq!(plan["routes_differ"], true, "{json}");
    assert_eq!(plan["in_sync"], true, "{json}");
}

/// From a review: in a member that only a `pnpm-workspace.yaml` lists, npm and Yarn 1 both
/// work from the member (npm reads nothing there, Yarn 1 the root's `.npmrc` from the folder
/// above), and no manager of the run moves to the root: the run read both at the root and
/// said "in sync". It now reads them from the member, where the conversion writes npm's file.
#[test]
fn a_run_whose_managers_all_work_from_the_member_reads_them_there() {
    let ws = Workspace::new(r#"{"name":"ws","private":true}"#);
    std::fs::remove_file(ws.member().join(".npmrc")).unwrap();
    ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
    let root_npmrc = ws.read(".npmrc");
    let args = ["convert", "--from", "yarn-classic", "--to", "npm"];
    let (code, text) = ws.exit_code_in(&ws.member(), &[&args[..], &["--check"]].concat());
    assert_eq!(code, Some(1), "{text}");
    let (code, text) = ws.exit_code_in(&ws.member(), &[&args[..], &["--write"]].concat());
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        ws.read("packages/a/.npmrc").as_deref(),
        Some(format!("registry={ROOT_REGISTRY}\n").as_str()),
        "{text}"
    );
    assert_eq!(ws.read(".npmrc"), root_npmrc);
}

/// Carried from earlier sessions: `init` in a member of a pnpm workspace said "found only
/// .npmrc (npm)", from the member's own file, and would have written a pmrc.toml there
/// without pnpm, which works from the root. It stops, says which managers work from the
/// root, and gives the command that initialises the workspace; run as printed, from the
/// member, it finds npm's `.npmrc` and pnpm there. Named with `--from` and `--to` it stops
/// too: `sync` in such a member stops where a manager reads the root's files (from a
/// review, which wrote one that way and found `sync` could never run it).
#[test]
fn init_in_a_member_names_the_workspace_root_and_the_command_for_it() {
    for (package_json, managers) in [
        (
            r#"{"name":"ws","private":true,"packageManager":"pnpm@11.28.11"}"#,
            "pnpm 11, run in it, works from the workspace root",
        ),
        (
            r#"{"name":"ws","private":true}"#,
            "pnpm 10, pnpm 11 and pnpm 12, run in it, work from the workspace root",
        ),
        (
            r#"{"name":"ws","private":true,"workspaces":["packages/*"],"packageManager":"pnpm@11.28.11"}"#,
            "npm 11/12, Bun 1.x, pnpm 11 and Deno 2, run in it, work from the workspace root",
        ),
    ] {
        let ws = Workspace::new(package_json);
        ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
        let (code, said) = ws.exit_code_in(&ws.member(), &["init"]);
        assert_eq!(code, Some(2), "{said}");
        assert!(common::unwrapped(&said).contains(managers), "{said}");
        let command = command_after(&said, "instead:");
        assert!(command.starts_with("pmrc init -C "), "{command}");
        let out = ws.run_printed(command, &ws.member());
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{printed}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(printed.contains("+from = \"npm\""), "{printed}");
        assert!(ws.read("pmrc.toml").is_none());
        let (code, said) = ws.exit_code_in(
            &ws.member(),
            &["init", "--from", "npm", "--to", "pnpm", "--write"],
        );
        assert_eq!(code, Some(2), "{said}");
        assert!(ws.read("packages/a/pmrc.toml").is_none(), "{said}");
    }
}

/// From a review: a package the `pnpm-workspace.yaml` above does not list, whose
/// package.json asks for pnpm 11, is its own project for pnpm 11 (and npm, Bun): only pnpm
/// 10 would work from the yaml's folder. `init` refused it as a member of that workspace.
#[test]
fn init_in_a_package_the_workspace_does_not_list_initialises_it() {
    let ws = Workspace::new(r#"{"name":"ws","private":true}"#);
    ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
    std::fs::create_dir_all(ws.root.path().join("tools/x")).unwrap();
    ws.write(
        "tools/x/package.json",
        r#"{"name":"x","packageManager":"pnpm@11.28.11"}"#,
    );
    ws.write("tools/x/.npmrc", &format!("registry={MEMBER_REGISTRY}\n"));
    let (ok, said) = ws.run_in(&ws.root.path().join("tools/x"), &["init"]);
    assert!(ok, "{said}");
    assert!(said.contains("+to = [\"pnpm\"]"), "{said}");
    // From a second review: asking for pnpm 10, which run there switches to the major the
    // root asks for, pnpm 12, which does not take the package for a member.
    ws.write(
        "package.json",
        r#"{"name":"ws","private":true,"packageManager":"pnpm@12.21.0"}"#,
    );
    ws.write(
        "tools/x/package.json",
        r#"{"name":"x","packageManager":"pnpm@10.34.9"}"#,
    );
    let (ok, said) = ws.run_in(&ws.root.path().join("tools/x"), &["init"]);
    assert!(ok, "{said}");
}

/// From a trial: npm → Yarn 1 at a workspace root said nothing of `packages/a/.npmrc`, and
/// real Yarn 1 run in `packages/a` sent `@corp` to that file's registry with its token,
/// where npm (which ignores a member's `.npmrc`) sent it to the root's.
#[test]
fn a_conversion_to_yarn_classic_names_a_member_npmrc_it_reads() {
    let project = common::Project::with_files(&[
        (
            "package.json",
            "{\"name\":\"root\",\"private\":true,\"workspaces\":[\"packages/*\"]}\n",
        ),
        ("packages/a/package.json", "{\"name\":\"a\"}\n"),
        (
            ".npmrc",
            "@corp:registry=https://corp.example/\n//corp.example/:_authToken=${CORP_TOKEN}\n",
        ),
        (
            "packages/a/.npmrc",
            "@corp:registry=https://member.example/\n",
        ),
    ]);
    // pnpm without a pnpm-workspace.yaml takes the member for a project of its own (a second
    // trial: real pnpm 10, 11 and 12 in packages/a read its .npmrc). The conversion to pnpm
    // lists the members in pnpm-workspace.yaml: pnpm 10 then reads the member's file over the
    // root's, pnpm 12 ignores it as npm does (real pnpm 10.34.9 and 12.21.0).
    for to in ["yarn-classic", "pnpm@10"] {
        let out = project
            .cmd(&["convert", "--from", "npm", "--to", to, "--format", "json"])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let apart = json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["code"] == "member-read-apart")
            .unwrap_or_else(|| panic!("{to}: {json}"));
        let message = apart["message"].as_str().unwrap();
        assert!(message.contains("packages/a/.npmrc"), "{apart}");
    }
    let out = project
        .cmd(&[
            "convert", "--from", "npm", "--to", "pnpm@12", "--format", "json",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("\"member-read-apart\""), "{text}");
    assert!(text.contains("pnpm 12 ignores packages/a/.npmrc"), "{text}");
    // pnpm 10 reads a listed member's own `.npmrc` in a pnpm workspace too (from a review).
    std::fs::write(
        project.path().join("pnpm-workspace.yaml"),
        "packages: [\"packages/*\"]\n",
    )
    .unwrap();
    let out = project
        .cmd(&[
            "convert", "--from", "npm", "--to", "pnpm@10", "--format", "json",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"member-read-apart\""));
}

/// From a trial: pnpm 10 -> 11 at the root wrote `registries` into pnpm-workspace.yaml, and
/// real pnpm 10 run in `packages/a` then sent `@tools` (routed by that member's `.npmrc`) to
/// the root's registry with the user's token; the conversion only said pnpm 11 ignores the
/// member's file.
#[test]
fn pnpm_10_to_11_says_pnpm_10_in_a_member_loses_its_scopes() {
    let project = common::Project::with_files(&[
        (
            "package.json",
            "{\"name\":\"root\",\"private\":true,\"packageManager\":\"pnpm@10.34.9\"}\n",
        ),
        ("pnpm-workspace.yaml", "packages: [\"packages/*\"]\n"),
        ("packages/a/package.json", "{\"name\":\"a\"}\n"),
        (
            ".npmrc",
            "registry=https://registry.example/\n@corp:registry=https://corp.example/\n",
        ),
        (
            "packages/a/.npmrc",
            "@tools:registry=https://tools.example/\n",
        ),
    ]);
    let message = || {
        let out = project
            .cmd(&[
                "convert", "--from", "pnpm@10", "--to", "pnpm@11", "--format", "json",
            ])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["code"] == "pnpm-member-npmrc")
            .unwrap_or_else(|| panic!("{json}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message().contains("and pnpm 10, run in packages/a, takes the `registries`"));
    // Where the yaml already routes, pnpm 10 in the member already went without them.
    std::fs::write(
        project.path().join("pnpm-workspace.yaml"),
        "packages: [\"packages/*\"]\nregistries:\n  default: https://registry.example/\n",
    )
    .unwrap();
    assert!(!message().contains("pnpm 10, run in"));
}

/// A pnpm workspace whose root package.json pins `pnpm@10.34.9`, its member with an `.npmrc`
/// of its own and a package.json that names no manager.
fn pnpm_10_workspace() -> Workspace {
    let ws = Workspace::new(r#"{"name":"root","private":true,"packageManager":"pnpm@10.34.9"}"#);
    ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
    ws.write(
        ".npmrc",
        &format!(
            "registry={ROOT_REGISTRY}\n@acme:registry=https://root-acme.example.test/\n//root-acme.example.test/:_authToken=fake-root-acme\n"
        ),
    );
    ws.write(
        "packages/a/.npmrc",
        "@acme:registry=https://member-acme.example.test/\n//member-acme.example.test/:_authToken=fake-member-acme\n",
    );
    ws
}

/// From a trial: run in a member, pmrc left out the pnpm the workspace root's package.json
/// pins (explain listed npm alone, doctor checked npm alone) and `--manager pnpm` took pnpm
/// 12's rules and the root's registry, where Corepack runs pnpm 10.34.9 there (it walks up
/// to the nearest package.json with a `packageManager`), and real pnpm 10.34.9 requested
/// the member's scope registry with the member's token. The root's packageManager now names
/// the manager run in the member, and the note says where it was found.
#[test]
fn a_workspace_root_s_package_manager_names_the_manager_run_in_a_member() {
    let ws = pnpm_10_workspace();
    let member_route = "GET https://member-acme.example.test/@acme%2fw";
    let (ok, text) = ws.run_in(&ws.member(), &["explain", "@acme/w"]);
    assert!(ok, "{text}");
    assert!(text.contains("npm (npm 11/12 rules)"), "{text}");
    assert!(text.contains("pnpm@10 (pnpm 10 rules)"), "{text}");
    let (ok, text) = ws.run_in(&ws.member(), &["explain", "@acme/w", "--manager", "pnpm"]);
    assert!(ok, "{text}");
    let text = text.replace("\n    ", " ");
    assert!(
        text.contains("pnpm@10 (pnpm 10 rules)") && text.contains(member_route),
        "{text}"
    );
    assert!(
        text.contains(
            "note[pnpm-version]: using the rules of pnpm 10 (packageManager \"pnpm@10.34.9\" in ../../package.json, the nearest package.json that names a manager, as Corepack finds it)"
        ),
        "{text}"
    );
    let (_, text) = ws.run_in(&ws.member(), &["doctor"]);
    assert!(
        text.replace("\n    ", " ")
            .contains("pnpm 10 reads this workspace member's .npmrc over the root's"),
        "{text}"
    );
    // The member's own packageManager is the nearest: it wins.
    ws.write(
        "packages/a/package.json",
        r#"{"name":"a","version":"1.0.0","packageManager":"pnpm@11.0.0"}"#,
    );
    let (ok, text) = ws.run_in(&ws.member(), &["explain", "@acme/w", "--manager", "pnpm"]);
    assert!(ok && text.contains("pnpm@11 (pnpm 11 rules)"), "{text}");
}

/// From a trial: the refusal of a conversion in a member said "pnpm 10 reads the config of
/// the workspace root", where pnpm 10 run in the member reads the member's `.npmrc` over
/// the root's (real pnpm 10.34.9 requested the member's scope registry with its token).
#[test]
fn the_refusal_in_a_member_says_pnpm_10_reads_the_member_s_npmrc_over_the_root_s() {
    let ws = pnpm_10_workspace();
    let (code, text) = ws.exit_code_in(
        &ws.member(),
        &["convert", "--from", "npm", "--to", "pnpm@10"],
    );
    assert_eq!(code, Some(2), "{text}");
    let text = text.replace("\n    ", " ");
    assert!(
        text.contains(
            "pnpm 10 works from the workspace root"
        ) && text.contains(
            "and reads .npmrc over the root's ../../.npmrc (named from the member), but npm 11/12 also reads .npmrc"
        ),
        "{text}"
    );
    assert!(
        !text.contains("pnpm 10 reads the config of the workspace root"),
        "{text}"
    );
}

/// From a trial: `-C packages/a convert --from pnpm@10 --to pnpm@11 --write` in a pnpm
/// workspace whose member has an `.npmrc` of its own rewrote the ROOT's `.npmrc` (and the
/// yaml) with that member's `@acme` registry and token, exit 0; real pnpm 10.34.9 and
/// 11.28.11 at the root (and in every other member) then sent `@acme` there with the member's
/// token. pnpm 11 reads only the root's files, which every member shares: refused, naming what
/// was found and the commands to run instead, and nothing is written. Without the member's
/// file the same run goes on, and the root's `.npmrc`, which pnpm 11 keeps, is the project's
/// own file, not "a folder above the project".
#[test]
fn pnpm_10_to_11_from_a_member_with_its_own_npmrc_refuses_to_move_the_root() {
    let ws = Workspace::new(r#"{"name":"root","packageManager":"pnpm@10.34.9"}"#);
    ws.write("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n");
    let root_npmrc = "registry=https://root.example.test/\n@acme:registry=https://acme.example.test/root/\n//acme.example.test/root/:_authToken=FAKE-ROOT-ACME\n";
    ws.write(".npmrc", root_npmrc);
    ws.write(
        "packages/a/.npmrc",
        "@acme:registry=https://acme.example.test/member/\n//acme.example.test/member/:_authToken=FAKE-MEMBER-ACME\n",
    );
    let args = ["convert", "--from", "pnpm@10", "--to", "pnpm@11", "--write"];
    let (code, text) = ws.exit_code_in(&ws.member(), &args);
    assert_eq!(code, Some(2), "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("pnpm 10 reads")
            && flat.contains("packages/a/.npmrc over the config of the workspace root")
            && flat.contains("but pnpm 11 reads only the root's files"),
        "{text}"
    );
    assert_eq!(ws.read(".npmrc").as_deref(), Some(root_npmrc));
    assert_eq!(
        ws.read("pnpm-workspace.yaml").as_deref(),
        Some("packages:\n  - \"packages/*\"\n")
    );
    // The command it names converts the workspace as its root reads it, and says what pnpm
    // 11 ignores of the member's file.
    let command = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("pmrc -C") && l.contains("convert"))
        .unwrap_or_else(|| panic!("{text}"));
    let out = ws.run_printed(command, &ws.member());
    let printed = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{printed}");
    assert!(printed.contains("pnpm-member-npmrc"), "{printed}");
    // Without the member's file: no refusal, and no "folder above the project" for the root's.
    std::fs::remove_file(ws.member().join(".npmrc")).unwrap();
    let (code, text) = ws.exit_code_in(&ws.member(), &args[..5]);
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("a folder above the project"), "{text}");
    assert!(!text.contains("plain-text-secret"), "{text}");
}

/// From a trial: `convert --from npm --to pnpm@12 --write` in an npm workspace (package.json
/// `workspaces`) wrote a pnpm-workspace.yaml with `registries` alone, exit 0 and no word, and
/// `--check` then called it in sync; real pnpm 12.21.0 run in `packages/a` took that member for
/// a project of its own and requested registry.npmjs.org. The yaml now lists the members from
/// `workspaces` (said in a note), pnpm 12 in the member reads the root's config as npm does
/// (real pnpm 12.21.0 and 11.28.11 then sent what npm sends), and a yaml without the list is
/// out of sync. With a member `.npmrc`, pnpm 12 (like npm) ignores it once listed: the
/// conversion no longer says pnpm 12 reads it over the root's.
#[test]
fn npm_workspace_to_pnpm_12_lists_the_members_in_the_workspace_yaml() {
    let ws = Workspace::new(r#"{"name":"root","private":true,"workspaces":["packages/*"]}"#);
    ws.write(
        ".npmrc",
        "registry=https://root.example.test/\n@acme:registry=https://acme.example.test/root/\n",
    );
    std::fs::remove_file(ws.member().join(".npmrc")).unwrap();
    let root = ws.root.path().to_path_buf();
    let convert = ["convert", "--from", "npm", "--to", "pnpm@12"];
    let (ok, text) = ws.run_in(&root, &[&convert[..], &["--write"]].concat());
    assert!(ok, "{text}");
    assert!(text.contains("note[workspace-projects-listed]"), "{text}");
    assert_eq!(
        ws.read("pnpm-workspace.yaml").as_deref(),
        Some(
            "packages:\n  - \"packages/*\"\n\nregistries:\n  default: \"https://root.example.test/\"\n  \"@acme\": \"https://acme.example.test/root/\"\n"
        )
    );
    assert_eq!(
        ws.first_registry(&ws.member(), "pnpm@12").as_deref(),
        Some(ROOT_REGISTRY)
    );
    let (code, text) = ws.exit_code_in(&root, &[&convert[..], &["--check"]].concat());
    assert_eq!(code, Some(0), "{text}");
    // The file the trial's run wrote: out of sync, and `--write` adds the list.
    ws.write(
        "pnpm-workspace.yaml",
        "registries:\n  default: \"https://root.example.test/\"\n  \"@acme\": \"https://acme.example.test/root/\"\n",
    );
    let (code, text) = ws.exit_code_in(&root, &[&convert[..], &["--check"]].concat());
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("workspace-projects-listed"), "{text}");
    let (_, text) = ws.run_in(&root, &["doctor", "--manager", "pnpm@12,npm"]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("warning[workspace-projects-listed]: pnpm-workspace.yaml:1: pnpm@12, run in a member of this workspace, reads none of this root's config"),
        "{text}"
    );
    // Run in the member, the conversion cannot compare the two there, and names the run at
    // the root that lists the members.
    std::fs::remove_file(root.join("pnpm-workspace.yaml")).unwrap();
    let (code, text) = ws.exit_code_in(&ws.member(), &convert);
    assert_eq!(code, Some(2), "{text}");
    let command = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("pmrc -C") && l.contains("convert"))
        .unwrap_or_else(|| panic!("{text}"));
    let out = ws.run_printed(&format!("{command} --write"), &ws.member());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        ws.read("pnpm-workspace.yaml")
            .is_some_and(|t| t.starts_with("packages:\n"))
    );
    // A member `.npmrc`: pnpm 12 ignores it once the yaml lists the member, as npm does.
    std::fs::remove_file(root.join("pnpm-workspace.yaml")).unwrap();
    ws.write(
        "packages/a/.npmrc",
        "@acme:registry=https://acme.example.test/member/\n",
    );
    let (ok, text) = ws.run_in(&root, &convert);
    assert!(ok, "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!flat.contains("reads packages/a/.npmrc over"), "{text}");
    assert!(flat.contains("pnpm 12 ignores packages/a/.npmrc"), "{text}");
}
