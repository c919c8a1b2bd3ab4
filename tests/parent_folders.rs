//! Config files in the folders above the project, which Yarn 4 (`.yarnrc.yml`) and Yarn 1
//! (`.yarnrc`, `.npmrc`) read too (spec yarn.md A1/P1 and B1): pmrc reads them as part of
//! the project, `convert` never writes them, and the home folder's file stays the user's.
//! What the real managers send with such files is checked by the conformance cases
//! `yarn_parent_folder_scope` and `yarn1_parent_folder_files`.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use assert_fs::TempDir;
use common::pmrc;

const PARENT_YARNRC: &str = "npmScopes:\n  acme:\n    npmRegistryServer: \"https://acme.example.test\"\n    npmAuthToken: \"${ACME_TOKEN}\"\n";

/// A project folder one level below a folder that holds config of its own.
struct Nested {
    root: TempDir,
    home: TempDir,
}

impl Nested {
    fn new(parent: &[(&str, &str)], project: &[(&str, &str)]) -> Nested {
        let nested = Nested {
            root: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
        };
        std::fs::create_dir(nested.project()).unwrap();
        for (name, text) in parent {
            std::fs::write(nested.root.path().join(name), text).unwrap();
        }
        for (name, text) in project {
            std::fs::write(nested.project().join(name), text).unwrap();
        }
        nested
    }

    fn project(&self) -> PathBuf {
        self.root.path().join("project")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = pmrc();
        cmd.args(args)
            .arg("--dir")
            .arg(self.project())
            .env("HOME", self.home.path());
        cmd
    }

    /// Runs pmrc on the project: whether it succeeded, and all it printed.
    fn run(&self, args: &[&str]) -> (bool, String) {
        let out = self.cmd(args).output().unwrap();
        (out.status.success(), text(&out))
    }

    fn parent_text(&self, name: &str) -> String {
        std::fs::read_to_string(self.root.path().join(name)).unwrap()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn yarn_takes_a_scope_from_a_parent_folders_yarnrc_yml() {
    let nested = Nested::new(
        &[(".yarnrc.yml", PARENT_YARNRC)],
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://npm.example.test\"\n",
        )],
    );
    let (ok, shown) = nested.run(&["show", "--manager", "yarn"]);
    assert!(ok, "{shown}");
    assert!(
        shown.contains("from ../.yarnrc.yml, .yarnrc.yml"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "@acme/* -> https://acme.example.test: Bearer ${ACME_TOKEN} (../.yarnrc.yml:4)"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("unscoped packages -> https://npm.example.test: no credentials"),
        "{shown}"
    );
}

#[test]
fn the_home_folder_is_the_users_not_a_parent() {
    // The project inside HOME: `~/.yarnrc.yml` is read as the user's file, with --user only.
    let nested = Nested::new(&[(".yarnrc.yml", PARENT_YARNRC)], &[(".yarnrc.yml", "")]);
    let in_home = |args: &[&str]| {
        let mut cmd = nested.cmd(args);
        cmd.env("HOME", nested.root.path());
        text(&cmd.output().unwrap())
    };
    let project_only = in_home(&["show", "--manager", "yarn"]);
    assert!(!project_only.contains("../.yarnrc.yml"), "{project_only}");
    assert!(
        project_only.contains("~/.yarnrc.yml, which exists"),
        "{project_only}"
    );
    let with_user = in_home(&["show", "--manager", "yarn", "--user"]);
    assert!(
        with_user.contains("from ~/.yarnrc.yml, .yarnrc.yml\n"),
        "{with_user}"
    );
    assert!(with_user.contains("(~/.yarnrc.yml:4)"), "{with_user}");
}

#[test]
fn conversion_from_yarn_carries_what_a_parent_folder_sets() {
    let nested = Nested::new(
        &[(".yarnrc.yml", PARENT_YARNRC)],
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://npm.example.test\"\n",
        )],
    );
    let (ok, said) = nested.run(&["convert", "--from", "yarn", "--to", "npm", "--write"]);
    assert!(ok, "{said}");
    let npmrc = std::fs::read_to_string(nested.project().join(".npmrc")).unwrap();
    for line in [
        "registry=https://npm.example.test/",
        "@acme:registry=https://acme.example.test/",
        "//acme.example.test/:_authToken=${ACME_TOKEN}",
    ] {
        assert!(npmrc.lines().any(|l| l == line), "{line} in:\n{npmrc}");
    }
    assert_eq!(nested.parent_text(".yarnrc.yml"), PARENT_YARNRC);
}

#[test]
fn conversion_to_yarn_leaves_a_parent_folders_file_and_says_what_it_changes() {
    // npm sends @acme/* to its default registry; Yarn would follow the parent folder's scope.
    let nested = Nested::new(
        &[(".yarnrc.yml", PARENT_YARNRC)],
        &[(".npmrc", "registry=https://npm.example.test/\n")],
    );
    let (_, said) = nested.run(&["convert", "--from", "npm", "--to", "yarn", "--write"]);
    let said = common::unwrapped(&said);
    assert!(
        said.contains("warning[route-differs]: ../.yarnrc.yml:3: @acme/*: npm requests https://npm.example.test but yarn would request https://acme.example.test"),
        "{said}"
    );
    assert_eq!(nested.parent_text(".yarnrc.yml"), PARENT_YARNRC);
    let yarnrc = std::fs::read_to_string(nested.project().join(".yarnrc.yml")).unwrap();
    assert!(
        yarnrc.contains("npmRegistryServer: \"https://npm.example.test\""),
        "{yarnrc}"
    );
    // npm's registry written out for the scope would win, but Yarn merges the parent's
    // scope into the project's, and its token would follow the packages to npm's registry:
    // pmrc tries it, sees that, leaves the scope out, and says why.
    assert!(!yarnrc.contains("acme"), "{yarnrc}");
    assert!(
        said.contains("note[registry-not-written-out]: ../.yarnrc.yml:3: @acme/*: pmrc did not write npm's registry https://npm.example.test/ out for yarn over this line: yarn would then request them from it, but not with the credentials npm sends"),
        "{said}"
    );
}

/// The parent folder's scope without a token of its own: npm's registry written out for the
/// scope in the project's `.yarnrc.yml`, which Yarn takes over the parent's, makes Yarn ask
/// where npm does (it said `route-differs` and wrote nothing for the scope).
#[test]
fn conversion_to_yarn_writes_out_the_registry_a_parent_folders_scope_would_override() {
    let parent = "npmScopes:\n  acme:\n    npmRegistryServer: \"https://acme.example.test\"\n";
    let nested = Nested::new(
        &[(".yarnrc.yml", parent)],
        &[(".npmrc", "registry=https://npm.example.test/\n")],
    );
    let (ok, said) = nested.run(&["convert", "--from", "npm", "--to", "yarn", "--write"]);
    assert!(ok, "{said}");
    assert!(!said.contains("route-differs"), "{said}");
    assert_eq!(nested.parent_text(".yarnrc.yml"), parent);
    let yarnrc = std::fs::read_to_string(nested.project().join(".yarnrc.yml")).unwrap();
    assert!(
        yarnrc.contains("npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.example.test\""),
        "{yarnrc}"
    );
    let (_, shown) = nested.run(&["show", "--manager", "yarn"]);
    assert!(
        shown.contains("@acme/* -> https://npm.example.test: no credentials"),
        "{shown}"
    );
}

/// From a review: a parent folder's top-level `npmAuthToken` reaches every registry without
/// an entry of its own, a scope npm leaves to its public registry among them. npm's public
/// registry written out for Yarn's unscoped packages would send that token there with such
/// a scope's packages (real Yarn 4.18.1 did, to registry.npmjs.org): pmrc leaves it out and
/// says `route-differs`.
#[test]
fn conversion_to_yarn_writes_no_registry_out_that_a_parent_folders_token_would_follow() {
    let parent =
        "npmRegistryServer: \"https://r2.example.test\"\nnpmAuthToken: \"fake-parent-token\"\n";
    let nested = Nested::new(
        &[(".yarnrc.yml", parent)],
        &[(".npmrc", "//npm.example.test/:_authToken=${T}\n")],
    );
    let (_, said) = nested.run(&["convert", "--from", "npm", "--to", "yarn", "--write"]);
    let said = common::unwrapped(&said);
    assert!(
        said.contains("warning[route-differs]: ../.yarnrc.yml:1: unscoped packages: npm requests the public registry but yarn would request https://r2.example.test"),
        "{said}"
    );
    assert!(
        said.contains("note[registry-not-written-out]: ../.yarnrc.yml:1: unscoped packages: pmrc did not write npm's registry https://registry.yarnpkg.com out for yarn over this line: yarn would then send other credentials with the packages of scopes no config names than npm does"),
        "{said}"
    );
    let yarnrc = std::fs::read_to_string(nested.project().join(".yarnrc.yml")).unwrap();
    assert!(!yarnrc.contains("npmRegistryServer"), "{yarnrc}");
}

#[test]
fn yarn1_takes_a_parent_folders_npmrc_below_the_projects() {
    let nested = Nested::new(
        &[(
            ".npmrc",
            "registry=https://parent.example.test/\n@acme:registry=https://acme.example.test/\n",
        )],
        &[(".npmrc", "registry=https://npm.example.test/\n")],
    );
    let (_, shown) = nested.run(&["show", "--manager", "yarn-classic"]);
    assert!(shown.contains("../.npmrc, .npmrc"), "{shown}");
    assert!(
        shown.contains("unscoped packages -> https://npm.example.test/"),
        "{shown}"
    );
    assert!(
        shown.contains("@acme/* -> https://acme.example.test/"),
        "{shown}"
    );
    // npm reads the project's `.npmrc` alone.
    let (_, npm) = nested.run(&["show", "--manager", "npm"]);
    assert!(!npm.contains("acme"), "{npm}");
}

#[test]
fn doctors_fix_for_a_parent_folders_key_runs_as_printed() {
    let nested = Nested::new(
        &[(
            ".yarnrc.yml",
            "npmScopes:\n  \"@acme\":\n    npmRegistryServer: \"https://acme.example.test\"\n",
        )],
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://npm.example.test\"\n",
        )],
    );
    let said = common::unwrapped(&nested.run(&["doctor"]).1);
    assert!(
        said.contains("warning[yarn-scope-with-at]: ../.yarnrc.yml:2:"),
        "{said}"
    );
    let fix = said
        .lines()
        .find_map(|l| l.trim().strip_prefix("fix: run `"))
        .and_then(|rest| rest.split('`').next())
        .expect("a fix command");
    let args: Vec<&str> = fix.split_whitespace().collect();
    assert_eq!(args[0], "pmrc", "{fix}");
    let ran = pmrc()
        .args(&args[1..])
        .env("HOME", nested.home.path())
        .output()
        .unwrap();
    assert!(ran.status.success(), "{fix}: {}", text(&ran));
    assert_eq!(
        nested.parent_text(".yarnrc.yml"),
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://acme.example.test\"\n"
    );
    let (_, after) = nested.run(&["doctor"]);
    assert!(!after.contains("yarn-scope-with-at"), "{after}");
}

#[test]
fn a_config_folder_above_a_package_is_its_parent_not_the_project() {
    // `proj` has a package.json and no config: npm reads no `.npmrc` above it, so the
    // conversion writes `proj/.npmrc`, never one beside the parent's file.
    let nested = Nested::new(
        &[(".yarnrc.yml", PARENT_YARNRC)],
        &[("package.json", "{}\n")],
    );
    let (ok, said) = nested.run(&["convert", "--from", "yarn", "--to", "npm", "--write"]);
    assert!(ok, "{said}");
    assert!(!said.contains("project-root"), "{said}");
    assert!(!nested.root.path().join(".npmrc").exists(), "{said}");
    let npmrc = std::fs::read_to_string(nested.project().join(".npmrc")).unwrap();
    assert!(
        npmrc.contains("@acme:registry=https://acme.example.test/"),
        "{npmrc}"
    );
}

#[test]
fn the_home_file_keeps_its_place_in_yarns_walk_past_home() {
    // root/.yarnrc.yml, root/home/.yarnrc.yml (HOME), root/home/work/.yarnrc.yml, and the
    // project root/home/work/proj: real Yarn 4.18.1 takes the home file's registry over the
    // one above home, and the nearer folder's scope.
    let root = TempDir::new().unwrap();
    let home = root.path().join("home");
    let project = home.join("work/proj");
    std::fs::create_dir_all(&project).unwrap();
    let write = |path: PathBuf, text: &str| std::fs::write(path, text).unwrap();
    write(project.join("package.json"), "{}\n");
    write(
        root.path().join(".yarnrc.yml"),
        "npmRegistryServer: \"https://above-home.example.test\"\n",
    );
    write(
        home.join(".yarnrc.yml"),
        "npmRegistryServer: \"https://home.example.test\"\n",
    );
    write(
        home.join("work/.yarnrc.yml"),
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://acme.example.test\"\n",
    );
    let out = pmrc()
        .args(["show", "--manager", "yarn", "--user", "--dir"])
        .arg(&project)
        .env("HOME", &home)
        .output()
        .unwrap();
    let shown = text(&out);
    assert!(
        shown.contains("from ../../../.yarnrc.yml, ~/.yarnrc.yml, ../.yarnrc.yml, .yarnrc.yml"),
        "{shown}"
    );
    assert!(
        shown.contains("unscoped packages -> https://home.example.test: no credentials"),
        "{shown}"
    );
    assert!(
        shown.contains("@acme/* -> https://acme.example.test: no credentials"),
        "{shown}"
    );
}

#[test]
fn a_parent_folders_relative_file_path_is_named_from_the_project() {
    // Yarn resolves `./ca.pem` from the folder of the file that says it.
    let nested = Nested::new(
        &[(
            ".yarnrc.yml",
            "httpsCaFilePath: \"./ca.pem\"\nnpmRegistryServer: \"https://npm.example.test\"\n",
        )],
        &[(".yarnrc.yml", "")],
    );
    let (ok, said) = nested.run(&["convert", "--from", "yarn", "--to", "npm", "--write"]);
    assert!(ok, "{said}");
    let npmrc = std::fs::read_to_string(nested.project().join(".npmrc")).unwrap();
    assert!(npmrc.lines().any(|l| l == "cafile=../ca.pem"), "{npmrc}");
}

#[test]
fn conversion_to_yarn_says_when_a_parent_folder_makes_it_stop_a_request() {
    let nested = Nested::new(
        &[(".yarnrc.yml", "npmAlwaysAuth: true\n")],
        &[(".npmrc", "registry=https://npm.example.test/\n")],
    );
    let said = common::unwrapped(&nested.run(&["convert", "--from", "npm", "--to", "yarn"]).1);
    assert!(
        said.contains("warning[target-stops-request]: ../.yarnrc.yml:1: unscoped packages: npm sends this request, but yarn would stop it: Yarn stops with YN0033"),
        "{said}"
    );
}

#[test]
fn a_literal_secret_from_a_parent_folder_written_into_the_project_is_said() {
    // The same file name in the project would be npm's own line; one folder up, it is not.
    let nested = Nested::new(
        &[(
            ".npmrc",
            "@acme:registry=https://acme.example.test/\n//acme.example.test/:_authToken=fake-parent-token\n",
        )],
        &[
            ("package.json", "{}\n"),
            (".yarnrc", "registry \"https://npm.example.test/\"\n"),
        ],
    );
    let said = common::unwrapped(
        &nested
            .run(&["convert", "--from", "yarn-classic", "--to", "npm"])
            .1,
    );
    assert!(
        said.contains("warning[plain-text-secret]: ../.npmrc:2: a literal secret for //acme.example.test/, read from ../.npmrc in a folder above the project"),
        "{said}"
    );
    assert!(!said.contains("fake-parent-token"), "{said}");
}

#[test]
fn a_workspace_file_above_a_package_still_makes_the_root() {
    // pnpm reads `mono/.npmrc` from a member; `pnpm-workspace.yaml` marks the root even
    // without a package.json there.
    let root = TempDir::new().unwrap();
    let member = root.path().join("packages/a");
    std::fs::create_dir_all(&member).unwrap();
    std::fs::write(member.join("package.json"), "{}\n").unwrap();
    std::fs::write(
        root.path().join("pnpm-workspace.yaml"),
        "packages:\n  - packages/*\n",
    )
    .unwrap();
    std::fs::write(
        root.path().join(".npmrc"),
        "registry=https://mono.example.test/\n",
    )
    .unwrap();
    let home = TempDir::new().unwrap();
    let out = pmrc()
        .args(["show", "--manager", "pnpm", "--dir"])
        .arg(&member)
        .env("HOME", home.path())
        .output()
        .unwrap();
    let shown = common::unwrapped(&text(&out));
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("note[project-root]"), "{shown}");
    assert!(
        shown.contains("unscoped packages -> https://mono.example.test/"),
        "{shown}"
    );
}

#[cfg(unix)]
#[test]
fn a_home_given_through_a_symlink_is_still_home() {
    // root/real is HOME, named through root/homelink; the project is root/real/proj.
    let root = TempDir::new().unwrap();
    let real = root.path().join("real");
    let project = real.join("proj");
    std::fs::create_dir_all(&project).unwrap();
    std::os::unix::fs::symlink(&real, root.path().join("homelink")).unwrap();
    std::fs::write(project.join("package.json"), "{}\n").unwrap();
    std::fs::write(
        root.path().join(".yarnrc.yml"),
        "npmRegistryServer: \"https://above-home.example.test\"\n",
    )
    .unwrap();
    std::fs::write(
        real.join(".yarnrc.yml"),
        "npmRegistryServer: \"https://home.example.test\"\n",
    )
    .unwrap();
    let run = |dir: &std::path::Path, args: &[&str]| {
        let out = pmrc()
            .args(args)
            .arg("--dir")
            .arg(dir)
            .env("HOME", root.path().join("homelink"))
            .output()
            .unwrap();
        text(&out)
    };
    // Yarn's walk passed home: its file keeps that place, over the folder above.
    let shown = run(&project, &["show", "--manager", "yarn", "--user"]);
    assert!(
        shown.contains("unscoped packages -> https://home.example.test: no credentials"),
        "{shown}"
    );
    // A folder inside home with no config of its own never takes home for its root.
    let empty = real.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let shown = run(&empty, &["show"]);
    assert!(!shown.contains("using the project root"), "{shown}");
}

/// From a review: converting to Yarn 1 and Yarn at once, the Yarn 1 line goes into `.npmrc`,
/// which npm reads, and is refused for that; the Yarn lines, which go into `.yarnrc.yml`,
/// were refused with it ("convert to yarn alone"), and done as said, the next conversion
/// to both took them out again. Each is judged by its own file.
#[test]
fn with_two_targets_a_line_for_yarn_is_kept_where_one_for_yarn_1_is_not() {
    let parent = "npmRegistryServer: \"https://r2.example.test\"\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://acme.example.test\"\n";
    let nested = Nested::new(
        &[(".yarnrc.yml", parent)],
        &[
            ("package.json", "{}\n"),
            (".yarnrc", "registry \"https://corp.example.test/\"\n"),
            (".npmrc", "//corp.example.test/:_authToken=${T}\n"),
        ],
    );
    let both = ["convert", "--from", "npm", "--to", "yarn-classic,yarn"];
    let (ok, said) = nested.run(&[&both[..], &["--write"]].concat());
    assert!(ok, "{said}");
    let said = common::unwrapped(&said);
    assert!(
        said.contains("note[registry-not-written-out]: .yarnrc:1: unscoped packages: pmrc did not write npm's registry https://registry.npmjs.org/ out for yarn-classic over this line: it would go into a file npm reads"),
        "{said}"
    );
    assert!(!said.contains("out for yarn over this line"), "{said}");
    for line in [
        "../.yarnrc.yml:1: unscoped packages",
        "../.yarnrc.yml:4: @acme/*",
    ] {
        assert!(
            said.contains(&format!("note[registry-written-out]: {line}")),
            "{line} in {said}"
        );
    }
    let yarnrc = std::fs::read_to_string(nested.project().join(".yarnrc.yml")).unwrap();
    assert!(
        yarnrc.contains("npmRegistryServer: \"https://registry.yarnpkg.com\""),
        "{yarnrc}"
    );
    let (ok, said) = nested.run(&[&both[..], &["--check"]].concat());
    assert!(ok, "{said}");
    assert!(!said.contains("-npmRegistryServer"), "{said}");
}
