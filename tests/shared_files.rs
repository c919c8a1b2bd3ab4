//! Issue 13: files several managers read. A conversion keeps every reader's requests (the
//! source's unchanged), plans each file once, and never guesses the source.

mod common;

use std::path::Path;

use assert_fs::TempDir;

struct Project {
    dir: TempDir,
    home: TempDir,
}

impl Project {
    fn new(files: &[(&str, &str)]) -> Project {
        let dir = TempDir::new().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Project {
            dir,
            home: TempDir::new().unwrap(),
        }
    }

    fn copy_of(example: &str) -> Project {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
        let mut files = Vec::new();
        for entry in std::fs::read_dir(source).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name, std::fs::read_to_string(&path).unwrap()));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        Project::new(&refs)
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        common::pmrc()
            .args(args)
            .arg("--dir")
            .arg(self.dir.path())
            .env("HOME", self.home.path())
            .output()
            .unwrap()
    }

    fn read(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.path().join(name)).ok()
    }

    /// What `manager` requests and sends for each package, as `pmrc explain` says.
    fn sends(&self, manager: &str, packages: &[&str]) -> Vec<serde_json::Value> {
        self.sends_reading(manager, packages, &[])
    }

    /// [`Self::sends`], with more of `explain`'s options (`--user`).
    fn sends_reading(
        &self,
        manager: &str,
        packages: &[&str],
        options: &[&str],
    ) -> Vec<serde_json::Value> {
        packages
            .iter()
            .map(|p| {
                let mut args = vec!["explain", p, "--manager", manager, "--format", "json"];
                args.extend(options);
                let out = self.run(&args);
                assert!(out.status.success(), "{}", text(&out));
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                let answer = &v["managers"][0];
                serde_json::json!([answer["url"], answer["authorization"]])
            })
            .collect()
    }
}

fn text(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The run succeeded, and a `--check` right after finds nothing to change.
fn written_and_stable(p: &Project, args: &[&str]) {
    let mut write = args.to_vec();
    write.push("--write");
    let out = p.run(&write);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut check = args.to_vec();
    check.push("--check");
    let out = p.run(&check);
    assert_eq!(out.status.code(), Some(0), "not stable: {}", text(&out));
}

#[test]
fn issue_13_case_1_the_source_is_the_file_that_holds_settings() {
    let p = Project::copy_of("examples/github-packages");
    let npmrc = p.read(".npmrc").unwrap();
    written_and_stable(&p, &["convert", "--to", "pnpm@12"]);
    assert_eq!(p.read(".npmrc").unwrap(), npmrc, "npm's file changed");

    // Without pmrc.toml too: .yarnrc.yml holds no registry settings, so it is not the source.
    let p = Project::copy_of("examples/github-packages");
    std::fs::remove_file(p.dir.path().join("pmrc.toml")).unwrap();
    let out = p.run(&["convert", "--to", "yarn"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("--from and --to"), "{}", text(&out));
    assert!(text(&out).contains("npmScopes"), "{}", text(&out));

    // Two files that both hold settings: refused, saying what each holds.
    let p = Project::new(&[
        (".npmrc", "@acme:registry=https://npm.pkg.example/\n"),
        (
            "bunfig.toml",
            "[install]\nregistry = \"https://r.example/\"\n",
        ),
        (".yarnrc.yml", "npmRegistryServer: \"https://y.example\"\n"),
    ]);
    let out = p.run(&["convert", "--to", "pnpm@12"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let message = text(&out);
    assert!(
        message.contains("bunfig.toml (1 setting)") && message.contains(".yarnrc.yml (1 setting)"),
        "{message}"
    );
    assert!(message.contains("pass --from"), "{message}");
}

#[test]
fn issue_13_case_2_a_shared_npmrc_keeps_npms_token() {
    let p = Project::new(&[(".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n")]);
    let before = p.sends("npm", &["left-pad", "@acme/widgets"]);
    written_and_stable(&p, &["convert", "--from", "npm", "--to", "yarn-classic"]);
    let npmrc = p.read(".npmrc").unwrap();
    assert!(
        npmrc.starts_with("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
        "{npmrc}"
    );
    assert_eq!(p.sends("npm", &["left-pad", "@acme/widgets"]), before);
    let once = p.read(".npmrc").unwrap();
    let out = p.run(&[
        "convert",
        "--from",
        "npm",
        "--to",
        "yarn-classic",
        "--write",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        p.read(".npmrc").unwrap(),
        once,
        "a second write changed the file"
    );
}

#[test]
fn issue_13_case_3_npms_certificate_and_proxies_stay() {
    let npmrc = "registry=https://r.example/\nhttps-proxy=http://proxy.example:3128/\nnoproxy=localhost\ncert=\"-----BEGIN CERTIFICATE-----\\nFAKE\\n-----END CERTIFICATE-----\"\nkey=\"-----BEGIN PRIVATE KEY-----\\nFAKE-KEY\\n-----END PRIVATE KEY-----\"\n";
    for target in ["pnpm@12", "yarn-classic"] {
        let p = Project::new(&[(".npmrc", npmrc)]);
        written_and_stable(&p, &["convert", "--from", "npm", "--to", target]);
        let after = p.read(".npmrc").unwrap();
        assert!(
            after.starts_with(npmrc),
            "{target}: npm's lines changed:\n{after}"
        );
    }
}

#[test]
fn issue_13_case_4_one_file_is_planned_once_for_every_target() {
    let p = Project::new(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.pkg.example\"\n    npmAuthToken: \"${ACME_TOKEN}\"\n",
    )]);
    let out = p.run(&[
        "convert",
        "--from",
        "yarn",
        "--to",
        "npm,pnpm@12",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let npmrcs = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == ".npmrc")
        .count();
    assert_eq!(npmrcs, 1, "{v:#}");
    written_and_stable(&p, &["convert", "--from", "yarn", "--to", "npm,pnpm@12"]);
    let npmrc = p.read(".npmrc").unwrap();
    // npm's key and pnpm 11/12's scope token side by side: each reader ignores the other's.
    assert!(
        npmrc.contains("//npm.pkg.example/:_authToken=${ACME_TOKEN}"),
        "{npmrc}"
    );
    assert!(
        npmrc.contains("//npm.pkg.example/:@acme:_authToken=${ACME_TOKEN}"),
        "{npmrc}"
    );
}

#[test]
fn issue_13_case_5_a_line_bun_would_read_too_is_refused() {
    let bunfig = "[install]\nregistry = \"https://r.example/\"\n\n[install.scopes]\nacme = { url = \"https://r.example/\", token = \"$ACME_TOKEN\" }\n";
    let p = Project::new(&[("bunfig.toml", bunfig)]);
    let out = p.run(&["convert", "--from", "bun", "--to", "npm", "--write"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let message = common::unwrapped(&text(&out));
    assert!(
        message.contains("bun reads it too") && message.contains("npm needs"),
        "{message}"
    );
    assert_eq!(p.read(".npmrc"), None, "nothing may be written");
}

#[test]
fn issue_13_case_6_the_sources_own_lines_stay_byte_for_byte() {
    let npmrc = "registry=https://r.example\nalways-auth=true\n//r.example/:_authToken=${T}\n";
    let p = Project::new(&[(".npmrc", npmrc), (".yarnrc", "network-timeout 600000\n")]);
    let before = p.sends("yarn-classic", &["left-pad", "@acme/widgets"]);
    written_and_stable(&p, &["convert", "--from", "yarn-classic", "--to", "npm"]);
    let after = p.read(".npmrc").unwrap();
    assert!(after.starts_with(npmrc), "{after}");
    assert_eq!(
        p.sends("yarn-classic", &["left-pad", "@acme/widgets"]),
        before
    );
}

/// Issue 13: npm's own spellings of "unset" (spec errata) are unset, not the text `null`.
#[test]
fn issue_13_npm_null_and_false_are_unset() {
    let p = Project::new(&[(
        ".npmrc",
        "registry=https://r.example/\nproxy=null\nhttps-proxy=null\nstrict-ssl=null\ncafile=null\n",
    )]);
    written_and_stable(&p, &["convert", "--from", "npm", "--to", "yarn"]);
    let yarnrc = p.read(".yarnrc.yml").unwrap();
    assert!(
        !yarnrc.contains("null") && !yarnrc.contains("Proxy"),
        "{yarnrc}"
    );

    // `proxy=false` is "no proxy": Yarn 4 would read `httpProxy: false` as a URL.
    let p = Project::new(&[(".npmrc", "registry=https://r.example/\nproxy=false\n")]);
    written_and_stable(&p, &["convert", "--from", "npm", "--to", "yarn"]);
    let yarnrc = p.read(".yarnrc.yml").unwrap();
    assert!(!yarnrc.contains("Proxy"), "{yarnrc}");

    // `cafile=` with no value stops npm; it is reported and never becomes "" for Yarn.
    let p = Project::new(&[(".npmrc", "registry=https://r.example/\ncafile=\n")]);
    let out = p.run(&["convert", "--from", "npm", "--to", "yarn", "--write"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("npm-empty-cafile"), "{}", text(&out));
    assert!(!p.read(".yarnrc.yml").unwrap().contains("CaFilePath"));
}

/// Issue 13: ordinary configs that stopped with exit 2 are converted, or reported.
#[test]
fn issue_13_ordinary_configs_are_not_refused() {
    type Files = &'static [(&'static str, &'static str)];
    let cases: &[(Files, &[&str])] = &[
        // A scope table with a key Bun ignores: Bun sends @x to the default registry.
        (
            &[(
                "bunfig.toml",
                "[install]\nregistry = \"https://r.example/\"\n\n[install.scopes]\n\"@x\" = { registry = \"https://x.example/\" }\n",
            )],
            &["convert", "--from", "bun", "--to", "npm"],
        ),
        // `npmScopes:` with no value.
        (
            &[(
                ".yarnrc.yml",
                "npmRegistryServer: \"https://r.example\"\nnpmScopes:\n",
            )],
            &["convert", "--from", "yarn", "--to", "npm"],
        ),
        // A registry from the environment and a top-level token.
        (
            &[(
                ".yarnrc.yml",
                "npmRegistryServer: \"${REGISTRY_URL}\"\nnpmAuthToken: \"${NPM_TOKEN}\"\nnpmAlwaysAuth: true\n",
            )],
            &["convert", "--from", "yarn", "--to", "npm"],
        ),
        // A scope URL with user info.
        (
            &[(
                "bunfig.toml",
                "[install.scopes]\nacme = { url = \"https://user:FAKE-PASS@npm.pkg.example/\" }\n",
            )],
            &["convert", "--from", "bun", "--to", "npm"],
        ),
    ];
    for (files, args) in cases {
        let p = Project::new(files);
        let out = p.run(args);
        assert_eq!(out.status.code(), Some(0), "{files:?}: {}", text(&out));
        assert!(!text(&out).contains("FAKE-PASS"), "{}", text(&out));
    }
}

/// Issue 13 case 8: a leftover pnpm-workspace.yaml that holds no registry settings is not
/// the source once package.json says the project moved to Yarn.
#[test]
fn issue_13_case_8_a_leftover_workspace_file_is_not_the_source() {
    let p = Project::new(&[
        ("package.json", "{\"packageManager\": \"yarn@4.18.1\"}\n"),
        ("pnpm-workspace.yaml", "packages:\n  - \"apps/*\"\n"),
        (
            ".npmrc",
            "@acme:registry=https://npm.pkg.example/\n//npm.pkg.example/:_authToken=${T}\n",
        ),
    ]);
    let out = p.run(&["convert", "--to", "yarn", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["from"], "npm", "{v:#}");
}

/// Issue 13: a manager pmrc.toml names reads the project's files too: a conversion that
/// would change what it does is refused, unless it is a target as well.
#[test]
fn issue_13_managers_named_in_pmrc_toml_are_readers_in_play() {
    let files: &[(&str, &str)] = &[
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"${T}\"\n",
        ),
        ("bunfig.toml", "[run]\nshell = \"bash\"\n"),
        ("pmrc.toml", "[sync]\nfrom = \"yarn\"\nto = [\"bun\"]\n"),
    ];
    let p = Project::new(files);
    let out = p.run(&["convert", "--from", "yarn", "--to", "npm", "--write"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("bun, which pmrc.toml names"),
        "{}",
        text(&out)
    );
    assert_eq!(p.read(".npmrc"), None, "nothing may be written");
    // With Bun a target too, its bunfig.toml says what it needs and the run goes through.
    let out = p.run(&["convert", "--from", "yarn", "--to", "npm,bun", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// Issue 16: Deno reads `.npmrc` too, as a bystander pmrc.toml names: a conversion that
/// writes the `.npmrc` for npm alone would change what Deno sends, and is refused; with Deno
/// a target as well, the one file serves both.
#[test]
fn issue_16_deno_named_in_pmrc_toml_is_a_reader_in_play() {
    let files: &[(&str, &str)] = &[
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"${T}\"\n",
        ),
        (
            "pmrc.toml",
            "[sync]\nfrom = \"yarn\"\nto = [\"npm\", \"deno\"]\n",
        ),
    ];
    let p = Project::new(files);
    let out = p.run(&["convert", "--from", "yarn", "--to", "npm", "--write"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("deno, which pmrc.toml names"),
        "{}",
        text(&out)
    );
    assert_eq!(p.read(".npmrc"), None, "nothing may be written");
    let out = p.run(&["sync", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        p.read(".npmrc").as_deref(),
        Some("registry=https://r.example/\n//r.example/:_authToken=${T}\n")
    );
}

/// `--user`: the user's `~/.npmrc` serves all their projects. A line this project's translation
/// has no need to remove stays (a `registry=` the project's file now overrides, a token for a
/// registry this project never uses); a line npm must not read for this project to do what
/// Yarn does goes, with a warning that names it. (A fresh-clone review found `convert --user`
/// emptying `~/.npmrc`, and deleting its `registry=` when the source was npm itself.)
#[test]
fn user_file_keeps_lines_this_project_does_not_need_gone() {
    let p = Project::new(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://yarn.corp.example/\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"${YTOKEN}\"\n",
    )]);
    let user_npmrc = "# mine\nregistry=https://user.corp.example/\n@other:registry=https://other.example/\n//user.corp.example/:_authToken=${UTOKEN}\n";
    std::fs::write(p.home.path().join(".npmrc"), user_npmrc).unwrap();
    let out = p.run(&[
        "convert", "--from", "yarn", "--to", "npm", "--user", "--write",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(p.home.path().join(".npmrc")).unwrap(),
        "# mine\nregistry=https://user.corp.example/\n//user.corp.example/:_authToken=${UTOKEN}\n",
        "{}",
        text(&out)
    );
    let warned: Vec<&str> = std::str::from_utf8(&out.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("warning[user-file-line-removed]"))
        .collect();
    assert_eq!(warned.len(), 1, "{}", text(&out));
    assert!(
        warned[0].contains("~/.npmrc:3: `@other:registry` is removed"),
        "{}",
        text(&out)
    );
    let packages = ["lodash", "@other/x"];
    assert_eq!(
        p.sends_reading("npm", &packages, &["--user"]),
        p.sends_reading("yarn", &packages, &["--user"]),
        "npm does not do what Yarn does"
    );
}

/// The same when the source reads the user file too: npm's `~/.npmrc` `registry=`, which the
/// project's `.npmrc` overrides, is not npm's for this project but is for every other one.
#[test]
fn user_file_keeps_a_registry_the_project_overrides() {
    let p = Project::new(&[(
        ".npmrc",
        "registry=https://proj.corp.example/\n//proj.corp.example/:_authToken=${PTOKEN}\n",
    )]);
    let user_npmrc =
        "registry=https://user.corp.example/\n//user.corp.example/:_authToken=${UTOKEN}\n";
    std::fs::write(p.home.path().join(".npmrc"), user_npmrc).unwrap();
    for to in ["yarn@1", "deno"] {
        let out = p.run(&["convert", "--from", "npm", "--to", to, "--user", "--write"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(
            std::fs::read_to_string(p.home.path().join(".npmrc")).unwrap(),
            user_npmrc,
            "--to {to}: {}",
            text(&out)
        );
        assert!(
            !text(&out).contains("user-file-line-removed"),
            "{}",
            text(&out)
        );
    }
}

/// A `registries` map mixing `default:` with URL-keyed entries (which pnpm 11 and 12 refuse),
/// converted for pnpm 10: the URL-keyed entries must go, and the `default:` left behind
/// would make pnpm 10 take the yaml's map instead of the `@acme:registry` written to `.npmrc`,
/// so the whole map goes. (pmrc kept `default:`, warned `route-differs` and wrote it, exit 0;
/// doctor's `pnpm10-url-keyed-registries` fix names this conversion.)
#[test]
fn pnpm10_downgrade_of_a_mixed_registries_map_takes_the_whole_map_out() {
    let p = Project::new(&[
        (
            "pnpm-workspace.yaml",
            "packages: []\nregistries:\n  default: \"https://r.example/\"\n  \"https://acme.example/\":\n    scopes: [\"@acme\"]\n",
        ),
        ("package.json", "{\"packageManager\": \"pnpm@11.28.11\"}\n"),
    ]);
    let out = p.run(&["convert", "--from", "pnpm@11", "--to", "pnpm@10", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("route-differs"), "{}", text(&out));
    assert_eq!(p.read("pnpm-workspace.yaml").unwrap(), "packages: []\n");
    assert_eq!(
        p.sends("pnpm@10", &["@acme/x", "lodash"]),
        p.sends("pnpm@11", &["@acme/x", "lodash"])
    );
}

/// `--user` with `NPM_CONFIG_USERCONFIG` set for the run: npm reads its user config from the
/// file it names, so that is the user file converted, and `~/.npmrc` stays as it is. Where
/// a manager in play reads `~/.npmrc` all the same (Deno), no one file serves both: refused,
/// and the command it prints converts `~/.npmrc` instead. (`convert` ignored the variable:
/// it wrote `~/.npmrc`, which npm never read.)
#[test]
fn user_config_variable_moves_the_user_npmrc_converted() {
    let p = Project::new(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://yarn.corp.example/\"\nnpmAuthToken: \"${YTOKEN}\"\n",
    )]);
    let moved = p.home.path().join("work.npmrc");
    std::fs::write(
        &moved,
        "registry=https://alt.example/\n@acme:registry=https://acme.example/\n",
    )
    .unwrap();
    let home_npmrc = "@other:registry=https://other.example/\n";
    std::fs::write(p.home.path().join(".npmrc"), home_npmrc).unwrap();
    let run = |args: &[&str]| {
        common::pmrc()
            .args(args)
            .arg("--dir")
            .arg(p.dir.path())
            .env("HOME", p.home.path())
            .env("NPM_CONFIG_USERCONFIG", &moved)
            .output()
            .unwrap()
    };
    let out = run(&[
        "convert", "--from", "yarn", "--to", "npm", "--user", "--write",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(&moved).unwrap(),
        "registry=https://alt.example/\n",
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(p.home.path().join(".npmrc")).unwrap(),
        home_npmrc
    );
    std::fs::remove_file(p.dir.path().join(".npmrc")).unwrap();

    let out = run(&[
        "convert", "--from", "yarn", "--to", "npm,deno", "--user", "--write",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        !p.dir.path().join(".npmrc").exists(),
        "written while refused"
    );
    let stderr = String::from_utf8_lossy(&out.stderr).replace("\n    ", " ");
    assert!(
        stderr.contains("run the same command with `env -u NPM_CONFIG_USERCONFIG` in front"),
        "{stderr}"
    );
    // The advice, run as printed.
    let out = std::process::Command::new("env")
        .args(["-u", "NPM_CONFIG_USERCONFIG"])
        .arg(common::pmrc().get_program())
        .args([
            "convert", "--from", "yarn", "--to", "npm,deno", "--user", "--write", "--dir",
        ])
        .arg(p.dir.path())
        .env("HOME", p.home.path())
        .env("NPM_CONFIG_USERCONFIG", &moved)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(p.home.path().join(".npmrc")).unwrap(),
        "",
        "~/.npmrc is the user file converted: {}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&moved).unwrap(),
        "registry=https://alt.example/\n"
    );
}

/// From a fresh-clone review of the `--user` keep: the lines of one entry stay or go
/// together (Bun kept a scope's `token` without its `url`, and real Bun then sent that token
/// to the default registry); lines harmless alone but not together are weighed one entry at
/// a time (a `username`/`_password` pair took every candidate line with it); a line npm
/// refuses the file for goes with a warning (it went silently, and Yarn 1 used it); and a
/// `npmAlwaysAuth: true` that makes Yarn 4 stop with YN0033 is not kept.
#[test]
fn user_file_keeps_whole_entries_only_and_says_what_goes() {
    let bun = Project::new(&[(".npmrc", "registry=http://127.0.0.1:4873/\n")]);
    std::fs::write(
        bun.home.path().join(".bunfig.toml"),
        "[install.scopes]\nzz = { url = \"http://127.0.0.1:4875/\", token = \"${ZZ}\" }\n",
    )
    .unwrap();
    let out = bun.run(&[
        "convert", "--from", "npm", "--to", "bun", "--user", "--write",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let user_bunfig = std::fs::read_to_string(bun.home.path().join(".bunfig.toml")).unwrap();
    assert!(!user_bunfig.contains("token"), "{user_bunfig}");

    let npm = Project::new(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"http://127.0.0.1:4873\"\nunsafeHttpWhitelist: [\"127.0.0.1\"]\nnpmScopes:\n  acme:\n    npmRegistryServer: \"http://127.0.0.1:4874\"\n    npmAuthToken: \"${ACME}\"\n",
    )]);
    std::fs::write(
        npm.home.path().join(".npmrc"),
        "//127.0.0.1:4875/:_authToken=${UNRELATED}\n//127.0.0.1:4873/:username=u2\n//127.0.0.1:4873/:_password=${P2}\n_authToken=${TOP}\n",
    )
    .unwrap();
    let out = npm.run(&[
        "convert", "--from", "yarn", "--to", "npm", "--user", "--write",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(npm.home.path().join(".npmrc")).unwrap(),
        "//127.0.0.1:4875/:_authToken=${UNRELATED}\n"
    );
    let said = String::from_utf8_lossy(&out.stderr).replace("\n    ", " ");
    assert!(
        said.contains("~/.npmrc:4: `_authToken` is removed: npm refuses a file holding it"),
        "{said}"
    );
    assert!(
        said.contains("~/.npmrc:2: `//127.0.0.1:4873/:username` is removed"),
        "{said}"
    );
    assert!(!said.contains("4875/:_authToken` is removed"), "{said}");

    let yarn = Project::new(&[(
        ".npmrc",
        "registry=http://127.0.0.1:4873/\n@acme:registry=http://127.0.0.1:4874/\n//127.0.0.1:4874/:_authToken=${ACME_TOKEN}\n",
    )]);
    std::fs::write(
        yarn.home.path().join(".yarnrc.yml"),
        "npmAlwaysAuth: true\n",
    )
    .unwrap();
    let out = yarn.run(&[
        "convert", "--from", "npm", "--to", "yarn", "--user", "--write",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let user_yarnrc = std::fs::read_to_string(yarn.home.path().join(".yarnrc.yml")).unwrap();
    assert!(!user_yarnrc.contains("npmAlwaysAuth"), "{user_yarnrc}");
    let out = yarn.run(&["doctor", "--manager", "yarn", "--user"]);
    assert!(!text(&out).contains("YN0033"), "{}", text(&out));
}

/// A `${VAR}` line written into `~/.npmrc` for pnpm 10 makes pnpm 10 ignore the whole file
/// wherever the variable is unset, for every project of the user: said even when it is set
/// for this run (a review found another project's token lost; the note came only when the
/// variable was unset at convert time).
#[test]
fn pnpm10_user_file_dropped_while_unset_is_said_when_set_here() {
    let p = Project::new(&[(
        ".npmrc",
        "registry=http://127.0.0.1:4873/\n@acme:registry=http://127.0.0.1:4874/\n//127.0.0.1:4874/:_authToken=${PMRC_TEST_ACME_TOKEN}\n",
    )]);
    std::fs::write(
        p.home.path().join(".npmrc"),
        "//127.0.0.1:4875/:_authToken=fake-unrelated-token\n",
    )
    .unwrap();
    let out = common::pmrc()
        .args([
            "convert", "--from", "npm", "--to", "pnpm@10", "--user", "--dir",
        ])
        .arg(p.dir.path())
        .env("HOME", p.home.path())
        .env("PMRC_TEST_ACME_TOKEN", "fake-set-here")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr).replace("\n    ", " ");
    assert!(
        said.contains("note[reader-drops-file-while-unset]: ~/.npmrc:2: pnpm 10 ignores the whole of ~/.npmrc wherever PMRC_TEST_ACME_TOKEN is unset (it is set here"),
        "{said}"
    );
}

/// From a review: a Yarn project's `.npmrc` kept for npm, converted to pnpm 12 alone, had its
/// token line rewritten into pnpm's scoped key, which npm does not read (real npm 11.21 then
/// sent no token), and nothing was said. The change is said at the line, naming npm and what
/// to pass; converted to npm as well, npm keeps what it sends. A routing change is said too.
#[test]
fn a_conversion_that_moves_a_manager_whose_file_is_here_says_so() {
    let p = Project::new(&[
        ("package.json", "{\"name\":\"p\"}\n"),
        (
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://acme.example.test\"\n    npmAuthToken: \"${ACME_TOKEN}\"\n",
        ),
        (
            ".npmrc",
            "@acme:registry=https://acme.example.test/\n//acme.example.test/:_authToken=${ACME_TOKEN}\n",
        ),
    ]);
    let npm_before = p.sends("npm", &["@acme/x"]);
    let out = p.run(&["convert", "--from", "yarn", "--to", "pnpm@12"]);
    let said = text(&out).replace("\n    ", " ");
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains(
            "warning[present-reader-moved]: .npmrc:2: npm, whose .npmrc is here, reads .npmrc too"
        ),
        "{said}"
    );
    assert!(said.contains("(add npm to --to)"), "{said}");
    written_and_stable(&p, &["convert", "--from", "yarn", "--to", "pnpm@12,npm"]);
    assert_eq!(p.sends("npm", &["@acme/x"]), npm_before);
    let out = p.run(&["convert", "--from", "yarn", "--to", "pnpm@12,npm"]);
    assert!(
        !text(&out).contains("present-reader-moved"),
        "{}",
        text(&out)
    );

    let p = Project::new(&[
        ("package.json", "{\"name\":\"p\"}\n"),
        (
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://acme.example.test\"\n",
        ),
        (".npmrc", "@acme:registry=https://old.example.test/\n"),
    ]);
    let out = p.run(&["convert", "--from", "yarn", "--to", "pnpm@10"]);
    let said = text(&out).replace("\n    ", " ");
    assert!(
        said.contains("warning[present-reader-moved]: .npmrc:1: npm, whose .npmrc is here"),
        "{said}"
    );
}

/// From a review: a token for the host a registry serves its tarballs from (npm needs one,
/// Yarn sends the registry's there) was removed from the target's `.npmrc` by a conversion
/// from Yarn, with nothing said: real npm 11.21 then sent no token to the tarball host. A
/// credential keyed to a location the targets do not route to stays, with its comment.
#[test]
fn a_tarball_host_s_token_in_the_target_stays() {
    let npmrc = "registry=https://reg.example.test/cdnreg/\n//reg.example.test/cdnreg/:_authToken=${NPM_TOKEN}\n# tarballs are served from the CDN host\n//cdn.example.test/:_authToken=${NPM_TOKEN}\n";
    let p = Project::new(&[
        ("package.json", "{\"name\":\"p\"}\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://reg.example.test/cdnreg\"\nnpmAuthToken: \"${NPM_TOKEN}\"\nnpmAlwaysAuth: true\n",
        ),
        (".npmrc", npmrc),
    ]);
    written_and_stable(&p, &["convert", "--from", "yarn", "--to", "npm"]);
    assert_eq!(p.read(".npmrc").unwrap(), npmrc);
    // The other way, a publish registry's Yarn entry stays beside the one written.
    let p = Project::new(&[
        ("package.json", "{\"name\":\"p\"}\n"),
        (
            ".npmrc",
            "registry=https://reg.example.test/\n//reg.example.test/:_authToken=${NPM_TOKEN}\n",
        ),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://reg.example.test\"\nnpmRegistries:\n  # publish target\n  \"//pub.example.test\":\n    npmAuthToken: \"${PUBLISH_TOKEN}\"\n",
        ),
    ]);
    written_and_stable(&p, &["convert", "--from", "npm", "--to", "yarn"]);
    let yarnrc = p.read(".yarnrc.yml").unwrap();
    assert!(
        yarnrc.contains("  # publish target\n  \"//pub.example.test\":\n    npmAuthToken: \"${PUBLISH_TOKEN}\"\n"),
        "{yarnrc}"
    );
}

/// From a review of the above: a key on a registry's host without its port (pnpm tries keys
/// without the port, and real pnpm 10.34 and 11.28 then sent the stale token) and a token
/// for a registry pnpm's workspace file named (replaced there) are a replaced registry's,
/// and go with it as before.
#[test]
fn a_replaced_registry_s_tokens_go_however_they_are_keyed() {
    let p = Project::new(&[
        ("package.json", "{\"name\":\"p\"}\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://reg.example.test:4874\"\n",
        ),
        (
            ".npmrc",
            "registry=https://reg.example.test:4873/\n//reg.example.test:4873/:_authToken=fake-token-aaa\n//reg.example.test/:_authToken=fake-token-stale\n",
        ),
    ]);
    written_and_stable(&p, &["convert", "--from", "yarn", "--to", "pnpm@10"]);
    let npmrc = p.read(".npmrc").unwrap();
    assert!(!npmrc.contains("fake-token"), "{npmrc}");
    assert_eq!(
        p.sends("pnpm@10", &["left-pad"]),
        p.sends("yarn", &["left-pad"])
    );

    let p = Project::new(&[
        ("package.json", "{\"name\":\"p\"}\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://new.example.test\"\nnpmAuthToken: \"${NEW_TOKEN}\"\nnpmAlwaysAuth: true\n",
        ),
        (
            "pnpm-workspace.yaml",
            "registries:\n  default: \"https://old.example.test/\"\n",
        ),
        (".npmrc", "//old.example.test/:_authToken=fake-token-old\n"),
    ]);
    written_and_stable(&p, &["convert", "--from", "yarn", "--to", "pnpm@12"]);
    let npmrc = p.read(".npmrc").unwrap();
    assert!(!npmrc.contains("fake-token-old"), "{npmrc}");
}

/// From a review: basic auth Bun's bunfig.toml cannot hold stays in the `.npmrc` Bun reads
/// too, and real Bun 1.4.5 sent it after the conversion, as npm does; the conversion said Bun
/// would send no credentials (`credentials-differ`), from the translation alone.
#[test]
fn basic_auth_kept_in_the_npmrc_bun_reads_is_not_called_lost() {
    let p = Project::new(&[
        ("package.json", "{\"name\":\"p\"}\n"),
        (
            ".npmrc",
            "registry=https://r.example.test/npm/\n//r.example.test/:_auth=${NPM_AUTH}\n",
        ),
    ]);
    let npm = p.sends("npm", &["foo"]);
    let out = p.run(&["convert", "--from", "npm", "--to", "bun"]);
    let said = text(&out);
    // A note that says the line stays, not advice to keep what is kept.
    assert!(said.contains("note[lossy-basic-auth]"), "{said}");
    let flat = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("so it stays in this .npmrc, where bun reads it"),
        "{said}"
    );
    assert!(!said.contains("Keep it in .npmrc"), "{said}");
    assert!(!said.contains("credentials-differ"), "{said}");
    written_and_stable(&p, &["convert", "--from", "npm", "--to", "bun"]);
    assert_eq!(p.sends("bun", &["foo"]), npm);
}

/// A manager whose file is here but whose major pmrc cannot settle (package.json names pnpm 8)
/// is not in play: a conversion between two others goes on (it stopped on the pnpm major once
/// every manager whose file is here was checked for moves).
#[test]
fn an_unsettled_manager_whose_file_is_here_does_not_stop_a_conversion() {
    let p = Project::new(&[
        ("package.json", "{\"packageManager\":\"pnpm@8.15.0\"}\n"),
        ("pnpm-workspace.yaml", "packages: []\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example.test\"\n",
        ),
    ]);
    written_and_stable(&p, &["convert", "--from", "yarn", "--to", "npm"]);
    assert_eq!(
        p.read(".npmrc").as_deref(),
        Some("registry=https://r.example.test/\n")
    );
}

/// From a trial: a Yarn project converted to pnpm 10 replaced npm's publishing token
/// (`${NPM_PUBLISH}`, keyed to the host Yarn's scope goes to) with Yarn's; the warning said
/// npm would do otherwise, not which credential it lost. It now names both.
#[test]
fn a_manager_moved_is_told_which_credential_it_loses() {
    let p = Project::new(&[
        ("package.json", "{\"name\":\"p\"}\n"),
        (
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://registry.example.test\"\n    npmAuthToken: \"${ACME_TOKEN}\"\n",
        ),
        (
            ".npmrc",
            "# publishing\n//registry.example.test/:_authToken=${NPM_PUBLISH}\n",
        ),
    ]);
    let out = p.run(&["convert", "--from", "yarn", "--to", "pnpm@10"]);
    let said = text(&out).replace("\n    ", " ");
    assert!(
        said.contains("(@acme/* from https://registry.example.test instead of the public registry; its credential for //registry.example.test/ (.npmrc:2), a bearer token (from $NPM_PUBLISH), becomes a bearer token (from $ACME_TOKEN))"),
        "{said}"
    );
}
