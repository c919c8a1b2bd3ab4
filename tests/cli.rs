//! Fixture cases run through the real binary: `tests/fixtures/<case>/in` is the project,
//! `cmd` the arguments. Snapshots hold the output and every file the command wrote.

mod common;

use std::process::Output;

use common::{Project, fixtures, literal_secrets, settings};

const DEPENDABOT: &str = ".github/dependabot.yml";

fn run(project: &Project, args: &[&str]) -> Output {
    project.cmd(args).output().unwrap()
}

/// The `warnings` of a command's JSON output.
fn json_warnings(output: &Output) -> Vec<serde_json::Value> {
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", render(output)));
    json["warnings"].as_array().cloned().unwrap_or_default()
}

/// The codes of [`json_warnings`].
fn json_warning_codes(output: &Output) -> Vec<String> {
    json_warnings(output)
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_string())
        .collect()
}

/// Whether the command's JSON output warns `code`.
fn warns(output: &Output, code: &str) -> bool {
    json_warning_codes(output).iter().any(|c| c == code)
}

fn render(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn fixtures_snapshot() {
    insta::glob!("fixtures/*/cmd", |cmd_file| {
        let case = cmd_file.parent().unwrap();
        let name = case.file_name().unwrap().to_str().unwrap();
        let args_line = std::fs::read_to_string(cmd_file).unwrap();
        let args: Vec<&str> = args_line.split_whitespace().collect();
        let project = Project::from_fixture(case);
        let output = run(&project, &args);
        let mut report = render(&output);
        // Every file the command created or changed, byte for byte.
        let mut names: Vec<String> = std::fs::read_dir(project.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != ".github")
            .collect();
        // Dependabot's file is the one pmrc writes below the project folder.
        if project.path().join(DEPENDABOT).is_file() {
            names.push(DEPENDABOT.to_string());
        }
        names.sort();
        for file in names {
            let after = project.read(&file).unwrap_or_default();
            let before = std::fs::read_to_string(case.join("in").join(&file)).ok();
            if before.as_deref() != Some(after.as_str()) {
                report.push_str(&format!("=== {file} (written)\n{after}"));
                if !after.ends_with('\n') {
                    report.push_str("\n[no final newline]\n");
                }
            }
        }
        settings(&project).bind(|| insta::assert_snapshot!(format!("fixture-{name}"), report));

        if args.contains(&"--write") && output.status.success() {
            // Idempotence: the same conversion again changes nothing.
            let check: Vec<&str> = args
                .iter()
                .map(|a| if *a == "--write" { "--check" } else { a })
                .collect();
            let again = run(&project, &check);
            // A target that cannot do what the source does stays apart, with nothing more to
            // write: the check says so, and fails where only a change to the source mends it.
            let falls_short = common::unwrapped(&String::from_utf8_lossy(&again.stderr))
                .contains("nothing pmrc can write mends that");
            assert!(
                again.status.code() == Some(0) || (falls_short && again.status.code() == Some(1)),
                "{name}: second run found drift:\n{}",
                render(&again)
            );
            assert!(again.stdout.is_empty(), "{name}: second run printed a diff");
        }
        if output.status.code() == Some(2) {
            // Nothing is written on error.
            for entry in std::fs::read_dir(case.join("in")).unwrap() {
                let entry = entry.unwrap();
                if entry.path().is_dir() {
                    continue;
                }
                let before = std::fs::read(entry.path()).unwrap();
                let after = std::fs::read(project.path().join(entry.file_name())).unwrap();
                assert_eq!(before, after, "{name}: error case changed a file");
            }
        }
    });
}

#[test]
fn no_secret_in_any_output_without_show_secrets() {
    insta::glob!("fixtures/*/cmd", |cmd_file| {
        let case = cmd_file.parent().unwrap();
        let secrets = literal_secrets(case);
        let args_line = std::fs::read_to_string(cmd_file).unwrap();
        let base: Vec<&str> = args_line
            .split_whitespace()
            .filter(|a| *a != "--write")
            .collect();
        for extra in [
            &[][..],
            &["--format", "json"][..],
            &["--format", "markdown"][..],
            &["--format", "github"][..],
        ] {
            let explain = vec![
                "explain",
                "@acme/widget",
                "--tarball",
                "https://cdn.example/x.tgz",
            ];
            let doctor = vec!["doctor", "--env", "--fix"];
            let mut commands = vec![base.clone(), vec!["show"], explain, doctor];
            // --sarif is its own format: it cannot be combined with --format.
            if extra.is_empty() {
                commands.push(vec!["doctor", "--sarif"]);
            }
            for command in commands {
                let project = Project::from_fixture(case);
                let mut args = command.clone();
                args.extend_from_slice(extra);
                let output = run(&project, &args);
                let text = render(&output);
                for secret in &secrets {
                    assert!(
                        !text.contains(secret.as_str()),
                        "{case:?} {args:?} printed a secret:\n{text}"
                    );
                }
            }
        }
    });
}

#[test]
fn show_secrets_prints_them() {
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-literal-token"));
    let output = run(
        &project,
        &["convert", "--from", "npm", "--to", "yarn", "--show-secrets"],
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("FAKESECRET-literal-token-0001"));
}

#[test]
fn round_trip_npm_yarn_npm_keeps_what_npm_does() {
    for case in [
        "npm-to-yarn-github-packages",
        "npm-to-yarn-path-registry-host-token",
        "npm-to-yarn-basic-auth",
    ] {
        let project = Project::from_fixture(&fixtures().join(case));
        let routes = |p: &Project, m: &str| {
            let out = run(
                p,
                &["show", "--manager", m, "--format", "json", "--show-secrets"],
            );
            assert!(out.status.success(), "{}", render(&out));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let mut routes = v["managers"][0]["routes"].clone();
            for r in routes.as_array_mut().unwrap() {
                r.as_object_mut()
                    .unwrap()
                    .retain(|k, _| k == "packages" || k == "authorization" || k == "registry");
                if let Some(reg) = r["registry"].as_str() {
                    r["registry"] = reg.trim_end_matches('/').into();
                }
            }
            routes
        };
        let before = routes(&project, "npm");
        assert!(
            run(
                &project,
                &["convert", "--from", "npm", "--to", "yarn", "--write"]
            )
            .status
            .success()
        );
        std::fs::remove_file(project.path().join(".npmrc")).unwrap();
        assert!(
            run(
                &project,
                &["convert", "--from", "yarn", "--to", "npm", "--write"]
            )
            .status
            .success()
        );
        assert_eq!(
            routes(&project, "npm"),
            before,
            "{case}: npm -> yarn -> npm changed what npm sends"
        );
    }
}

#[test]
fn new_file_with_literal_secret_is_private_and_existing_mode_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-literal-token"));
    assert!(
        run(
            &project,
            &["convert", "--from", "npm", "--to", "yarn", "--write"]
        )
        .status
        .success()
    );
    let mode = std::fs::metadata(project.path().join(".yarnrc.yml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-existing-yarnrc"));
    let yarnrc = project.path().join(".yarnrc.yml");
    std::fs::set_permissions(&yarnrc, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert!(
        run(
            &project,
            &["convert", "--from", "npm", "--to", "yarn", "--write"]
        )
        .status
        .success()
    );
    assert_eq!(
        std::fs::metadata(&yarnrc).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn symlinked_target_is_written_through() {
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-existing-yarnrc"));
    let real = project.home.path().join("dotfiles-yarnrc.yml");
    std::fs::rename(project.path().join(".yarnrc.yml"), &real).unwrap();
    std::os::unix::fs::symlink(&real, project.path().join(".yarnrc.yml")).unwrap();
    assert!(
        run(
            &project,
            &["convert", "--from", "npm", "--to", "yarn", "--write"]
        )
        .status
        .success()
    );
    assert!(
        std::fs::symlink_metadata(project.path().join(".yarnrc.yml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("npmRegistries")
    );
}

#[test]
fn user_level_credentials_go_to_user_files_only_with_user() {
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-github-packages"));
    // The token lives in ~/.npmrc, the routing in the project.
    std::fs::write(
        project.path().join(".npmrc"),
        "@acme:registry=https://npm.pkg.github.com/\n",
    )
    .unwrap();
    std::fs::write(
        project.home.path().join(".npmrc"),
        "//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}\n",
    )
    .unwrap();
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "yarn", "--write", "--user",
        ],
    );
    assert!(out.status.success(), "{}", render(&out));
    let home_yarnrc = std::fs::read_to_string(project.home.path().join(".yarnrc.yml")).unwrap();
    assert!(
        home_yarnrc.contains("npmAuthToken: \"${NODE_AUTH_TOKEN}\""),
        "{home_yarnrc}"
    );
    let project_yarnrc = project.read(".yarnrc.yml").unwrap();
    assert!(
        project_yarnrc.contains("npmScopes") && !project_yarnrc.contains("npmAuthToken"),
        "{project_yarnrc}"
    );

    // Without --user no user file is touched.
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-github-packages"));
    assert!(
        run(
            &project,
            &["convert", "--from", "npm", "--to", "yarn", "--write"]
        )
        .status
        .success()
    );
    assert!(!project.home.path().join(".yarnrc.yml").exists());
}

#[test]
fn json_output_lists_files_and_warning_codes() {
    let project = Project::from_fixture(&fixtures().join("yarn-to-npm-lossy"));
    let out = run(
        &project,
        &[
            "convert", "--from", "yarn", "--to", "npm", "--format", "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"][0]["status"], "create");
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"lossy-shared-registry-credentials"),
        "{codes:?}"
    );
    // `${TOKEN_B:-fallback}` on a key @a's token already holds: its default has nowhere to go.
    assert!(codes.contains(&"lossy-env-reference"), "{codes:?}");
}

#[test]
fn usage_errors_exit_2() {
    let project = Project::from_fixture(&fixtures().join("check-drift"));
    for args in [
        &["convert", "--from", "pnpm@9", "--to", "npm"][..],
        &["convert", "--to", "yarn", "--write", "--check"][..],
    ] {
        let out = run(&project, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", render(&out));
    }
}

/// Issue 16: the same manager under the same rules is "nothing to change", not an error.
#[test]
fn issue_16_same_manager_same_rules_is_nothing_to_change() {
    let project = Project::from_fixture(&fixtures().join("check-drift"));
    for args in [
        &["convert", "--from", "npm", "--to", "npm", "--check"][..],
        &["convert", "--from", "npm@12", "--to", "npm@12", "--write"][..],
        &["convert", "--from", "deno", "--to", "deno@2", "--check"][..],
    ] {
        let out = run(&project, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", render(&out));
        assert!(
            render(&out).contains("nothing to change"),
            "{}",
            render(&out)
        );
    }
}

/// Issue 16: npm 11 -> 12 keys what npm 12 refuses at top level and says what needs a
/// decision with the line to add; the way back adds nothing but the decision; a major on
/// one side only is refused rather than guessed.
#[test]
fn issue_16_npm_major_migration() {
    let project = Project::from_fixture(&fixtures().join("npm11-to-npm12"));
    let out = run(&project, &["convert", "--from", "npm@12", "--to", "npm@11"]);
    let said = common::unwrapped(&render(&out));
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("add this line to .npmrc: allow-remote=none"),
        "{said}"
    );
    assert!(
        !said.contains("+//"),
        "npm 12 -> 11 rewrites nothing: {said}"
    );
    let out = run(&project, &["convert", "--from", "npm", "--to", "npm@12"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(render(&out).contains("npm@11"), "{}", render(&out));
}

/// Issue 19: a version in the package spec is not part of the name, and an unset variable
/// behind the credentials is said; run from a workspace member, pmrc works at the root.
#[test]
fn issue_19_explain_takes_a_version_and_names_unset_variables() {
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-github-packages"));
    let out = run(
        &project,
        &["explain", "@acme/widgets@^2.1.0", "--manager", "npm"],
    );
    let said = render(&out);
    assert!(
        said.contains("GET https://npm.pkg.github.com/@acme%2fwidgets\n"),
        "{said}"
    );
    assert!(said.contains("unset here: $NODE_AUTH_TOKEN"), "{said}");
    let member = project.path().join("packages/a");
    std::fs::create_dir_all(&member).unwrap();
    let out = common::pmrc()
        .args(["show", "--dir"])
        .arg(&member)
        .env("HOME", project.home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", render(&out));
    assert!(
        render(&out).contains("note[project-root]"),
        "{}",
        render(&out)
    );
}

/// Issue 4: the env-reference token that pnpm 10.34+/11/12 ignore in a project `.npmrc`
/// goes to pnpm's user-level auth.ini with --user, and stays in `.npmrc` for npm.
#[test]
fn issue_4_pnpm_env_token_goes_to_auth_ini_with_user() {
    let project = Project::from_fixture(&fixtures().join("npm-to-pnpm12-env-token"));
    let args = [
        "convert", "--from", "npm", "--to", "pnpm@12", "--write", "--user",
    ];
    let out = run(&project, &args);
    assert!(out.status.success(), "{}", render(&out));
    let auth_ini =
        std::fs::read_to_string(project.home.path().join(".config/pnpm/auth.ini")).unwrap();
    assert_eq!(
        auth_ini,
        "//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}\n"
    );
    assert!(
        project
            .read(".npmrc")
            .unwrap()
            .contains("//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}")
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("pnpm-env-credential-needs-user-file"));
    let again = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "pnpm@12", "--check", "--user",
        ],
    );
    assert_eq!(again.status.code(), Some(0), "{}", render(&again));
}

fn show_json(project: &Project, dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut cmd = common::pmrc();
    cmd.args(["show", "--format", "json"])
        .args(args)
        .arg("--dir")
        .arg(dir)
        .env("HOME", project.home.path());
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", render(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Issue 4: a workspace member's `.npmrc` wins in pnpm 10 and is ignored (with a finding)
/// in pnpm 11/12; pmrc works from the workspace root either way.
#[test]
fn issue_4_pnpm_workspace_member_npmrc() {
    let project = Project::from_fixture(&fixtures().join("pnpm12-to-npm"));
    // No `registries` in the yaml: in pnpm 10 that map would replace every .npmrc scope.
    std::fs::write(
        project.path().join("pnpm-workspace.yaml"),
        "packages:\n  - apps/*\n",
    )
    .unwrap();
    let member = project.path().join("apps/web");
    std::fs::create_dir_all(&member).unwrap();
    std::fs::write(
        member.join(".npmrc"),
        "@acme:registry=https://member.example/\n",
    )
    .unwrap();
    let scope_registry = |v: &serde_json::Value| {
        v["managers"][0]["model"]["scopes"]["acme"]["registry"]["value"].clone()
    };
    let v10 = show_json(&project, &member, &["--manager", "pnpm@10"]);
    assert_eq!(scope_registry(&v10), "https://member.example/");
    let v12 = show_json(&project, &member, &["--manager", "pnpm@12"]);
    assert_eq!(scope_registry(&v12), "https://npm.pkg.example/");
    let codes: Vec<&str> = v12["managers"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"pnpm-member-npmrc"), "{codes:?}");
}

/// Issue 4: pnpm 11/12's global config.yaml (with --user): its structured `_auth` routes a
/// scope and gives it a token.
#[test]
fn issue_4_pnpm_config_yaml_structured_auth() {
    let project = Project::from_fixture(&fixtures().join("pnpm12-to-npm"));
    let cfg = project.home.path().join(".config/pnpm");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.yaml"),
        "_auth:\n  https://org.example/npm/:\n    \"@org\": { authToken: \"${ORG_TOKEN}\" }\n",
    )
    .unwrap();
    let v = show_json(
        &project,
        project.path(),
        &["--manager", "pnpm@12", "--user"],
    );
    let routes = v["managers"][0]["routes"].as_array().unwrap();
    let org = routes
        .iter()
        .find(|r| r["packages"]["scope"] == "org")
        .expect("an @org route");
    assert_eq!(org["registry"], "https://org.example/npm/");
    assert_eq!(org["authorization"]["value"], "${ORG_TOKEN}");
}

/// Issue 6 (explain): why Yarn sends a token for the scope and nothing for the public
/// package, once the example is converted; and a tarball on another host.
#[test]
fn explain_says_what_each_manager_sends_and_why() {
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-github-packages"));
    assert!(
        run(
            &project,
            &["convert", "--from", "npm", "--to", "yarn", "--write"]
        )
        .status
        .success()
    );
    let out = run(
        &project,
        &[
            "explain",
            "@acme/widgets",
            "--tarball",
            "https://cdn.example/widgets-1.0.0.tgz",
        ],
    );
    assert!(out.status.success(), "{}", render(&out));
    settings(&project)
        .bind(|| insta::assert_snapshot!("explain-github-packages-scoped", render(&out)));
    let out = run(&project, &["explain", "left-pad", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for m in v["managers"].as_array().unwrap() {
        assert!(m["authorization"].is_null(), "{m}");
    }
}

/// Yarn's top-level token without npmAlwaysAuth: explain says why unscoped packages get none.
#[test]
fn explain_names_npm_always_auth() {
    let project = Project::from_fixture(&fixtures().join("check-drift"));
    std::fs::write(
        project.path().join(".yarnrc.yml"),
        "npmRegistryServer: \"https://r.example\"\nnpmAuthToken: \"${T}\"\n",
    )
    .unwrap();
    let out = run(&project, &["explain", "left-pad", "--manager", "yarn"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sends: no credentials"), "{text}");
    assert!(text.contains("npmAlwaysAuth"), "{text}");
}

/// From a trial: real Yarn 1.22.22 sent no token for `left-pad` from a registry whose exact
/// key held one (no always-auth), and explain blamed the key ("looks only at the registry's
/// exact URL"), adding a scope registry's key on another port as a near miss.
#[test]
fn explain_names_yarn_1_always_auth_for_an_exact_key() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\":\"t\"}\n"),
        (
            ".npmrc",
            "registry=http://127.0.0.1:4871/artifactory/api/npm/npm-virtual/\n//127.0.0.1:4871/artifactory/api/npm/npm-virtual/:_authToken=npm_FAKEart\n@acme:registry=http://127.0.0.1:4872/acme/\n//127.0.0.1:4872/acme/:_authToken=npm_FAKEacme\n",
        ),
    ]);
    let out = run(&project, &["explain", "left-pad", "--manager", "yarn@1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sends: no credentials"), "{text}");
    assert!(
        text.contains("`//127.0.0.1:4871/artifactory/api/npm/npm-virtual/` is the registry's exact URL, but Yarn 1 sends credentials with unscoped packages only with always-auth=true"),
        "{text}"
    );
    assert!(!text.contains("misses it"), "{text}");
    assert!(!text.contains("looks only at"), "{text}");
}

/// From a trial (GitLab): npm, pnpm, Bun and Deno walk up to `//host/api/v4/` for a project
/// registry, real Yarn 1.22.22 sent nothing; the near-miss hint named only the instance key.
#[test]
fn explain_names_a_parent_key_yarn_1_does_not_walk_up_to() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\":\"t\"}\n"),
        (
            ".npmrc",
            "@acme:registry=http://127.0.0.1:4872/api/v4/projects/123/packages/npm/\n//127.0.0.1:4872/api/v4/:_authToken=glpat-FAKEparent\n//127.0.0.1:4872/api/v4/packages/npm/:_authToken=glpat-FAKEinstance\n",
        ),
    ]);
    let out = run(
        &project,
        &["explain", "@acme/lib", "--manager", "npm,yarn@1"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "`//127.0.0.1:4872/api/v4/` (a parent of the registry's path; Yarn 1 does not walk up)"
        ),
        "{text}"
    );
    // npm walks up to it: no near miss there.
    assert_eq!(
        text.matches("a parent of the registry's path").count(),
        1,
        "{text}"
    );
}

/// From the last note's gap, then a trial: real Yarn 4.18.1 sent nothing for `@acme/foo`
/// whose scope registry was a GitLab project path, with the token under an npmRegistries
/// entry keyed at `//host/api/v4/` (and `Bearer glpat-FAKE` once keyed at the registry's
/// URL). explain said there was no entry at all; it names the parent key Yarn does not
/// walk up to.
#[test]
fn explain_names_a_parent_key_yarn_4_does_not_walk_up_to() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\":\"t\"}\n"),
        (
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"http://127.0.0.1:4873/api/v4/projects/42/packages/npm/\"\nnpmRegistries:\n  \"//127.0.0.1:4873/api/v4/\":\n    npmAuthToken: \"glpat-FAKE\"\n",
        ),
    ]);
    let out = run(&project, &["explain", "@acme/foo"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sends: no credentials"), "{text}");
    assert!(
        text.contains(
            "`//127.0.0.1:4873/api/v4/` (a parent of the registry's path; Yarn 4 does not walk up: npmRegistries keys match the registry's URL exactly) misses it"
        ),
        "{text}"
    );
}

/// Issue 7: files pmrc must not replace end in a clear error, exit 2, and nothing changes.
#[test]
fn issue_7_unwritable_targets_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let args = ["convert", "--from", "npm", "--to", "yarn", "--write"];
    type Setup = fn(&std::path::Path);
    let cases: [(&str, Setup); 4] = [
        ("read-only", |p| {
            std::fs::set_permissions(
                p.join(".yarnrc.yml"),
                std::fs::Permissions::from_mode(0o444),
            )
            .unwrap()
        }),
        ("dangling symlink", |p| {
            std::fs::remove_file(p.join(".yarnrc.yml")).unwrap();
            std::os::unix::fs::symlink(p.join("missing.yml"), p.join(".yarnrc.yml")).unwrap();
        }),
        ("symlink loop", |p| {
            std::fs::remove_file(p.join(".yarnrc.yml")).unwrap();
            std::os::unix::fs::symlink(p.join(".yarnrc.yml"), p.join(".yarnrc.yml")).unwrap();
        }),
        ("directory", |p| {
            std::fs::remove_file(p.join(".yarnrc.yml")).unwrap();
            std::fs::create_dir(p.join(".yarnrc.yml")).unwrap();
        }),
    ];
    for (what, setup) in cases {
        let project = Project::from_fixture(&fixtures().join("npm-to-yarn-github-packages"));
        setup(project.path());
        let npmrc = project.read(".npmrc");
        let out = run(&project, &args);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", render(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(".yarnrc.yml"), "{what}: {stderr}");
        assert_eq!(project.read(".npmrc"), npmrc, "{what}: .npmrc changed");
        let meta = std::fs::symlink_metadata(project.path().join(".yarnrc.yml")).unwrap();
        match what {
            "read-only" => assert_eq!(meta.permissions().mode() & 0o777, 0o444),
            "directory" => assert!(meta.is_dir()),
            _ => assert!(
                meta.file_type().is_symlink(),
                "{what}: the link was replaced"
            ),
        }
    }
}

/// Issue 7: a file changed between the plan and the write is refused, and the other files
/// of the same apply are not written either.
#[test]
fn issue_7_file_changed_since_read_is_refused() {
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-existing-yarnrc"));
    let env = pmrc::discover::Environment {
        home: Some(project.home.path().to_path_buf()),
        ..Default::default()
    };
    let plan = pmrc::plan::build(&pmrc::plan::Request {
        dir: project.path(),
        from: pmrc::managers::Manager::Npm,
        to: &[pmrc::managers::Manager::Yarn],
        user: false,
        env: &env,
        bystanders: &[],
        present: &[],
    })
    .unwrap();
    std::fs::write(project.path().join(".yarnrc.yml"), "nodeLinker: pnp\n").unwrap();
    let err = pmrc::apply::apply(&plan.changes).unwrap_err();
    assert!(
        matches!(err, pmrc::error::Error::ChangedOnDisk { .. }),
        "{err}"
    );
    assert_eq!(project.read(".yarnrc.yml").unwrap(), "nodeLinker: pnp\n");
}

/// Issue 8: completion scripts for every shell clap supports, and the bash one loads.
#[test]
fn issue_8_completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = common::pmrc()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", render(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        for word in ["sync", "convert", "doctor", "from", "format"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let out = common::pmrc()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    let dir = assert_fs::TempDir::new().unwrap();
    let script = dir.path().join("pmrc.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let loaded = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p pmrc", script.display()))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&loaded.stdout).contains("_pmrc"),
        "bash did not register the completion: {}",
        render(&loaded)
    );
}

const COMMANDS: [&str; 7] = [
    "show",
    "convert",
    "sync",
    "explain",
    "doctor",
    "completions",
    "man",
];

/// Issue 8: `pmrc man` is a roff page with every command.
#[test]
fn issue_8_man_page() {
    let out = common::pmrc().arg("man").output().unwrap();
    assert!(out.status.success(), "{}", render(&out));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH pmrc 1"), "{page}");
    let version = env!("CARGO_PKG_VERSION");
    for command in COMMANDS.into_iter().filter(|c| *c != "man") {
        assert!(page.contains(command), "man page lacks {command}");
        // Each command has its own page, pmrc-<command>(1), like git's.
        let out = common::pmrc().args(["man", command]).output().unwrap();
        assert!(out.status.success(), "{}", render(&out));
        let own = String::from_utf8_lossy(&out.stdout);
        let title = format!(".TH pmrc-{command} 1  \"{command} {version}\"");
        assert!(own.contains(&title), "{own}");
        assert!(own.contains(&format!("\\fBpmrc {command}\\fR")), "{own}");
    }
    let out = common::pmrc().args(["man", "sync"]).output().unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains("\\-\\-config") && page.contains("[sync]"),
        "{page}"
    );
    let out = common::pmrc().args(["man", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Issue 8: every command's --help ends with examples.
#[test]
fn issue_8_help_has_examples() {
    for command in COMMANDS {
        let out = common::pmrc().args([command, "--help"]).output().unwrap();
        assert!(out.status.success(), "{command}: {}", render(&out));
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("Example"),
            "{command} --help has no examples:\n{help}"
        );
    }
    let out = common::pmrc().arg("--help").output().unwrap();
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.bind(|| insta::assert_snapshot!("help", String::from_utf8_lossy(&out.stdout)));
}

/// Issue 8: --quiet and --verbose cannot be combined, and --quiet keeps errors.
#[test]
fn issue_8_quiet_keeps_errors() {
    let project = Project::from_fixture(&fixtures().join("sync-bad-config"));
    let out = run(&project, &["sync", "--quiet"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pmrc.toml:3:15"));
    let out = run(&project, &["sync", "--quiet", "--verbose"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

/// Issue 8: the JSON example in `docs/json-schema.md` has exactly the keys of the real output,
/// so the documented schema cannot drift from what pmrc prints.
#[test]
fn issue_8_readme_json_example_matches_output() {
    fn keys(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.push(format!("{at}.{k}"));
                    keys(v, &format!("{at}.{k}"), out);
                }
            }
            serde_json::Value::Array(items) => {
                for v in items {
                    keys(v, &format!("{at}[]"), out);
                }
            }
            _ => {}
        }
        out.sort();
        out.dedup();
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("docs/json-schema.md")).unwrap();
    let marker = "<!-- json-example: ";
    let at = readme
        .find(marker)
        .expect("docs/json-schema.md has a JSON example");
    let rest = &readme[at + marker.len()..];
    let (command, rest) = rest.split_once(" -->").unwrap();
    let body = rest
        .split_once("```json\n")
        .unwrap()
        .1
        .split_once("\n```")
        .unwrap()
        .0;
    let documented: serde_json::Value = serde_json::from_str(body).unwrap();
    // An empty home: the user files of whoever runs the tests are not the example's.
    let home = tempfile::TempDir::new().unwrap();
    let out = common::pmrc()
        .args(command.split_whitespace())
        .arg("--dir")
        .arg(root.join("examples/github-packages"))
        .env("HOME", home.path())
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap();
    let real: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    keys(&documented, "", &mut a);
    keys(&real, "", &mut b);
    assert_eq!(
        a, b,
        "docs/json-schema.md's example and `pmrc {command}` differ in keys"
    );
    assert_eq!(
        documented, real,
        "docs/json-schema.md's example is out of date"
    );
}

/// Issue 7: with every variable the fixtures reference set to a marker, no command that
/// writes (`convert`/`sync --write`, `doctor --fix --write`) puts a marker into a file:
/// references stay references.
#[test]
fn issue_7_env_references_are_never_expanded_into_files() {
    let reference = regex::Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").unwrap();
    let mut writes = 0;
    insta::glob!("fixtures/*/cmd", |cmd_file| {
        let case = cmd_file.parent().unwrap();
        let mut names = std::collections::BTreeSet::new();
        for entry in walk(&case.join("in")) {
            let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
            for c in reference.captures_iter(&text) {
                names.insert(c[1].to_string());
            }
        }
        let args_line = std::fs::read_to_string(cmd_file).unwrap();
        let mut args: Vec<&str> = args_line
            .split_whitespace()
            .filter(|a| !["--diff", "--check", "--write"].contains(a))
            .collect();
        let commands: Vec<Vec<&str>> = match args.first() {
            Some(&"convert") | Some(&"sync") => {
                args.push("--write");
                vec![args, vec!["doctor", "--fix", "--write"]]
            }
            _ => vec![vec!["doctor", "--fix", "--write"]],
        };
        for command in commands {
            let project = Project::from_fixture(case);
            let mut cmd = project.cmd(&command);
            for name in &names {
                cmd.env(name, format!("EXPANDED-{name}-MARKER"));
            }
            let out = cmd.output().unwrap();
            for file in walk(project.path())
                .into_iter()
                .chain(walk(project.home.path()))
            {
                let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
                assert!(
                    !text.contains("EXPANDED-"),
                    "{}: `pmrc {}` expanded a variable into {}:\n{text}",
                    case.display(),
                    command.join(" "),
                    file.display()
                );
            }
            if out.status.success() {
                writes += 1;
            }
        }
    });
    assert!(writes > 40, "only {writes} writing runs succeeded");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Issue 7 (found in review): a `.yarnrc.yml` whose lines end with a lone `\r` keeps every
/// unrelated setting, the preview does not panic, and a file without a final line break or
/// with a BOM is edited, not refused.
#[test]
fn issue_7_line_break_habits_survive_edits() {
    let dir = assert_fs::TempDir::new().unwrap();
    let home = assert_fs::TempDir::new().unwrap();
    let run = |args: &[&str]| {
        common::pmrc()
            .args(args)
            .arg("--dir")
            .arg(dir.path())
            .env("HOME", home.path())
            .output()
            .unwrap()
    };
    let yarnrc = dir.path().join(".yarnrc.yml");
    std::fs::write(
        dir.path().join(".npmrc"),
        "@acme:registry=https://a.example/\n",
    )
    .unwrap();
    let cases = [
        "npmScopes:\r  acme:\r    npmRegistryServer: \"https://a.example\"\r  beta:\r    npmRegistryServer: \"https://b.example\"\rnodeLinker: pnp\renableTelemetry: false\r",
        "nodeLinker: pnp\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://a.example\"",
        "\u{feff}nodeLinker: pnp\r\nenableTelemetry: false\r\n",
    ];
    for before in cases {
        std::fs::write(&yarnrc, before).unwrap();
        let preview = run(&["convert", "--from", "npm", "--to", "yarn"]);
        assert_eq!(
            preview.status.code(),
            Some(0),
            "{before:?}: {}",
            render(&preview)
        );
        let write = run(&["convert", "--from", "npm", "--to", "yarn", "--write"]);
        assert_eq!(
            write.status.code(),
            Some(0),
            "{before:?}: {}",
            render(&write)
        );
        let after = std::fs::read_to_string(&yarnrc).unwrap();
        for kept in ["nodeLinker: pnp", "enableTelemetry: false"] {
            assert_eq!(
                after.contains(kept),
                before.contains(kept),
                "{before:?} -> {after:?}"
            );
        }
        assert!(after.contains("npmPublishRegistry"), "{after:?}");
        assert!(!after.contains("beta"), "{after:?}");
        assert_eq!(
            after.starts_with('\u{feff}'),
            before.starts_with('\u{feff}')
        );
        assert_eq!(
            after.ends_with(['\n', '\r']),
            before.ends_with(['\n', '\r']),
            "{before:?} -> {after:?}"
        );
        let check = run(&["convert", "--from", "npm", "--to", "yarn", "--check"]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{before:?}: {}",
            render(&check)
        );
    }
}

/// Issue 12: a failed write of the output (here a full device) is an error, exit 2, for
/// every output format and for stderr too; a closed pipe is not.
#[test]
fn issue_12_output_write_errors_exit_2() {
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-existing-yarnrc"));
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [
        &["show", "--format", "json"][..],
        &["show"],
        &["convert", "--from", "npm", "--to", "yarn"],
        &[
            "convert", "--from", "npm", "--to", "yarn", "--format", "markdown",
        ],
        &["doctor", "--sarif"],
        &["explain", "left-pad", "--format", "json"],
    ] {
        let out = project.cmd(args).stdout(full()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", render(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("cannot write the output"),
            "{args:?}: {}",
            render(&out)
        );
    }
    // Warnings go to stderr: a full stderr is as much an error.
    let out = project
        .cmd(&["convert", "--from", "npm", "--to", "yarn", "--verbose"])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // A reader that went away (`pmrc show | head -0`) is not an error.
    let mut child = project
        .cmd(&["show", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// Issue 19: `--fail-on` for convert and sync, so that a CI check in sync but reporting a
/// target that would send no credentials can fail.
#[test]
fn issue_19_convert_and_sync_fail_on_findings() {
    let project = Project::from_fixture(&fixtures().join("npm-to-pnpm12-env-token"));
    let args = ["convert", "--from", "npm", "--to", "pnpm@12", "--check"];
    let code = |extra: &[&str]| {
        let mut all = args.to_vec();
        all.extend(extra);
        run(&project, &all).status.code()
    };
    assert!(
        run(
            &project,
            &["convert", "--from", "npm", "--to", "pnpm@12", "--write"]
        )
        .status
        .success()
    );
    assert_eq!(code(&[]), Some(0), "in sync");
    assert_eq!(
        code(&["--fail-on", "warning"]),
        Some(1),
        "a warning is reported"
    );
    assert_eq!(code(&["--fail-on", "error"]), Some(0));
}

/// Issue 19: `--color always` colours the severity of findings and warnings; never does not.
#[test]
fn issue_19_findings_have_colour_when_asked() {
    let project = Project::from_fixture(&fixtures().join("legacy-top-level-auth"));
    let out = run(&project, &["doctor", "--color", "always"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\u{1b}["),
        "{}",
        render(&out)
    );
    let out = run(&project, &["doctor", "--color", "never"]);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains('\u{1b}'),
        "{}",
        render(&out)
    );
}

/// Issue 19: without --user, show says which user-level files the manager reads exist, so
/// "sends no credentials" after `convert --user --write` is not the last word.
#[test]
fn issue_19_show_names_user_files_it_did_not_read() {
    let project = Project::from_fixture(&fixtures().join("npm-to-pnpm12-env-token"));
    assert!(
        run(
            &project,
            &[
                "convert", "--from", "npm", "--to", "pnpm@12", "--user", "--write"
            ]
        )
        .status
        .success()
    );
    let out = run(&project, &["show", "--manager", "pnpm@12"]);
    let said = render(&out);
    assert!(said.contains("note[user-files-not-read]"), "{said}");
    assert!(said.contains("auth.ini"), "{said}");
    let out = run(&project, &["show", "--manager", "pnpm@12", "--user"]);
    assert!(
        !render(&out).contains("user-files-not-read"),
        "{}",
        render(&out)
    );
    // doctor too: the credential pnpm ignores in .npmrc may be in the auth.ini it did not read.
    let out = run(&project, &["doctor", "--manager", "pnpm@12"]);
    let said = render(&out);
    assert!(said.contains("note[user-files-not-read]"), "{said}");
    assert!(
        said.contains("pnpm-project-env-credential-ignored"),
        "{said}"
    );
    let out = run(&project, &["doctor", "--manager", "pnpm@12", "--user"]);
    let said = render(&out);
    assert!(!said.contains("user-files-not-read"), "{said}");
    assert!(
        !said.contains("pnpm-project-env-credential-ignored"),
        "{said}"
    );
}

/// From a helper's review: a top-level `_auth` beside a `certfile`/`keyfile` pair made the
/// npm 11 -> 12 migration stop with "a bug in pmrc", and a top-level `_auth` alone was
/// "already in sync", though npm 11 and npm 12 both refuse such a file (ERR_INVALID_AUTH).
/// The migration says so and names the command that keys it; run as printed, the migration
/// then goes through.
#[test]
fn npm_major_migration_refuses_a_file_both_majors_refuse_and_says_what_to_run() {
    for npmrc in [
        "registry=https://reg.example.test/main/\n_auth=ZmFrZTpmYWtl\ncertfile=/tmp/c.pem\nkeyfile=/tmp/k.pem\n",
        "registry=https://reg.example.test/main/\n_auth=ZmFrZTpmYWtl\n",
    ] {
        let project =
            Project::with_files(&[("package.json", "{\"name\":\"x\"}\n"), (".npmrc", npmrc)]);
        let migrate = ["convert", "--from", "npm@11", "--to", "npm@12", "--write"];
        let out = run(&project, &migrate);
        let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(
            said.contains("npm 11 and npm 12 both refuse this file over its top-level credential on line 2 (ERR_INVALID_AUTH)"),
            "{said}"
        );
        assert_eq!(project.read(".npmrc").unwrap(), npmrc, "nothing is written");
        let command = said
            .split('`')
            .nth(1)
            .unwrap_or_else(|| panic!("no command in {said}"));
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        assert_eq!(args[..3], ["doctor", "--fix", "--write"], "{said}");
        let out = common::pmrc()
            .args(&args)
            .env("HOME", project.home.path())
            .output()
            .unwrap();
        assert!(!render(&out).contains("error"), "{}", render(&out));
        let out = run(&project, &migrate);
        assert!(out.status.success(), "{}", render(&out));
        let written = project.read(".npmrc").unwrap();
        assert!(
            written.contains("//reg.example.test/main/:_auth=ZmFrZTpmYWtl\n")
                && !written.contains("\n_auth="),
            "{written}"
        );
        let check = run(
            &project,
            &["convert", "--from", "npm@11", "--to", "npm@12", "--check"],
        );
        assert!(check.status.success(), "{}", render(&check));
    }
}

/// From a helper's review: Yarn 1 applies a `.yarnrc` `--registry` flag line over `.npmrc`'s
/// `registry` (real Yarn 1.22.22, conformance `yarn1_registry_flag_line`). `show` names it as
/// Yarn 1's registry, and a conversion to Yarn 1, which writes `.npmrc` only, warns that Yarn 1
/// would still go there (pmrc does not edit `.yarnrc`), naming the flag's line.
#[test]
fn yarn1_registry_flag_line_is_yarn1s_registry_and_a_conversion_to_yarn1_says_so() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".yarnrc", "--registry \"https://flag.example.test/\"\n"),
        (".npmrc", "registry=https://main.example.test/\n"),
    ]);
    let shown = show_json(&project, project.path(), &["--manager", "yarn-classic"]);
    let model = &shown["managers"][0]["model"];
    assert_eq!(
        model["registry"]["value"], "https://flag.example.test/",
        "{shown}"
    );
    assert_eq!(model["registry"]["origin"]["file"], ".yarnrc", "{shown}");
    let out = run(
        &project,
        &["convert", "--from", "npm", "--to", "yarn-classic"],
    );
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert!(
        said.contains("warning[route-differs]: .yarnrc:1: unscoped packages: npm requests https://main.example.test but yarn-classic would request https://flag.example.test"),
        "{said}"
    );
}

/// `pmrc convert --from npm --to yarn-classic` with `extra`, and its stderr unwrapped.
fn npm_to_yarn1(project: &Project, extra: &[&str]) -> (Output, String) {
    let args = [
        &["convert", "--from", "npm", "--to", "yarn-classic"][..],
        extra,
    ]
    .concat();
    let out = run(project, &args);
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    (out, said)
}

/// The shipped Yarn 1 example converted from npm: npm sends every package to the public
/// registry (its `.npmrc` names none), while the project's `.yarnrc`, which pmrc does not
/// write, sends them to the team's registry and @acme/* to GitHub Packages. Any `.npmrc`
/// registry beats `.yarnrc`'s in Yarn 1 (spec Y5, Y5c; real Yarn 1.22.22 asked
/// registry.npmjs.org for both once the lines were added), so pmrc writes npm's registry out
/// for both groups. It said `route-differs` and wrote nothing that mended it.
#[test]
fn npm_to_yarn1_writes_out_the_registry_a_yarnrc_would_override() {
    use assert_fs::prelude::PathCopy;
    let project = Project::with_files(&[]);
    project
        .dir
        .copy_from(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/yarn-classic"),
            &["**/*", "**/.*"],
        )
        .unwrap();
    let (out, said) = npm_to_yarn1(&project, &["--write"]);
    assert!(out.status.success(), "{}", render(&out));
    assert!(!render(&out).contains("route-differs"), "{}", render(&out));
    // Each line is said, at the line it wins over.
    for note in [
        "note[registry-written-out]: .yarnrc:2: unscoped packages: yarn-classic would request https://registry.corp.example/npm by this line; pmrc writes npm's registry https://registry.npmjs.org/ out for them in .npmrc, which yarn-classic takes over it",
        "note[registry-written-out]: .yarnrc:3: @acme/*: yarn-classic would request https://npm.pkg.github.com by this line",
    ] {
        assert!(said.contains(note), "{note} in:\n{said}");
    }
    let npmrc = project.read(".npmrc").unwrap();
    for line in [
        "registry=https://registry.npmjs.org/",
        "@acme:registry=https://registry.npmjs.org/",
    ] {
        assert!(npmrc.lines().any(|l| l == line), "{line} in:\n{npmrc}");
    }
    let (check, _) = npm_to_yarn1(&project, &["--check"]);
    assert!(check.status.success(), "{}", render(&check));
    assert!(
        render(&check).contains("every target file is already in sync"),
        "{}",
        render(&check)
    );
    let shown = show_json(&project, project.path(), &["--manager", "yarn-classic"]);
    for route in shown["managers"][0]["routes"].as_array().unwrap() {
        assert_eq!(route["registry"], "https://registry.npmjs.org/", "{shown}");
    }
}

/// Where the `.yarnrc` line is a `--registry` flag, which Yarn 1 takes over any `.npmrc`
/// registry, writing npm's out would change nothing: pmrc writes it for the scope alone and
/// says `route-differs` for the rest, naming the flag's line.
#[test]
fn npm_to_yarn1_writes_no_registry_a_yarnrc_flag_line_would_override() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".yarnrc",
            "--registry \"https://flag.example.test/\"\n\"@acme:registry\" \"https://acme.example.test/\"\n",
        ),
        (".npmrc", "//flag.example.test/:_authToken=${FLAG_TOKEN}\n"),
    ]);
    let (_, said) = npm_to_yarn1(&project, &["--write"]);
    assert!(
        said.contains("warning[route-differs]: .yarnrc:1: unscoped packages: npm requests the public registry but yarn-classic would request https://flag.example.test"),
        "{said}"
    );
    // Why no line was written for them, where route-differs points.
    assert!(
        said.contains("note[registry-not-written-out]: .yarnrc:1: unscoped packages: pmrc did not write npm's registry https://registry.npmjs.org/ out for yarn-classic over this line: yarn-classic would still request them elsewhere, by a line it takes over the one written"),
        "{said}"
    );
    let npmrc = project.read(".npmrc").unwrap();
    assert!(
        npmrc
            .lines()
            .any(|l| l == "@acme:registry=https://registry.npmjs.org/"),
        "{npmrc}"
    );
    assert!(
        !npmrc.lines().any(|l| l.starts_with("registry=")),
        "{npmrc}"
    );
}

/// `.npmrc` has other readers: with a `pnpm-workspace.yaml` whose `registry` pnpm 11/12 take
/// over `.npmrc`'s, @acme/* follows it there, and `@acme:registry` written out in `.npmrc`
/// for Yarn 1 would send it elsewhere. pmrc leaves that line out and says `route-differs`
/// for @acme/*; npm's registry written out for unscoped packages moves no pnpm (11/12 keep
/// the yaml's, 10 had npm's by default) and stays, tried alone once the pair was refused.
#[test]
fn npm_to_yarn1_writes_no_registry_out_that_would_move_pnpm() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            "pnpm-workspace.yaml",
            "registry: https://pnpm.example.test/\npackages: []\n",
        ),
        (
            ".yarnrc",
            "registry \"https://corp.example.test/\"\n\"@acme:registry\" \"https://acme.example.test/\"\n",
        ),
        (".npmrc", "//acme.example.test/:_authToken=${ACME_TOKEN}\n"),
    ]);
    let (_, said) = npm_to_yarn1(&project, &["--write"]);
    assert!(
        said.contains("warning[route-differs]: .yarnrc:2: @acme/*: npm requests the public registry but yarn-classic would request https://acme.example.test"),
        "{said}"
    );
    assert!(!said.contains("unscoped packages: npm requests"), "{said}");
    assert!(
        said.contains("note[registry-not-written-out]: .yarnrc:2: @acme/*: pmrc did not write npm's registry https://registry.npmjs.org/ out for yarn-classic over this line: pnpm@11 and pnpm@12, which read .npmrc too, would then request packages otherwise"),
        "{said}"
    );
    let npmrc = project.read(".npmrc").unwrap();
    assert!(
        npmrc
            .lines()
            .any(|l| l == "registry=https://registry.npmjs.org/"),
        "{npmrc}"
    );
    assert!(!npmrc.contains("@acme:registry"), "{npmrc}");
    for pnpm in ["pnpm@11", "pnpm@12"] {
        let shown = show_json(&project, project.path(), &["--manager", pnpm]);
        for route in shown["managers"][0]["routes"].as_array().unwrap() {
            assert_eq!(route["registry"], "https://pnpm.example.test/", "{shown}");
        }
    }
}

/// From a review: without `--user`, pmrc reads no `~/.npmrc`, where npm's registry may be
/// set: npm's public registry written out in the project `.npmrc` then moved npm itself
/// (real npm 11 went from the user file's registry to the public one). pmrc writes no
/// registry out while a user file of any manager goes unread, and says `route-differs` and
/// why no line mended it, naming the file and what to pass. Run again with `--user`, as
/// the note says, pmrc reads `~/.npmrc`, whose registry Yarn 1 takes over `.yarnrc`'s too:
/// nothing differs and no registry is written out.
#[test]
fn npm_to_yarn1_writes_no_registry_out_while_a_user_file_goes_unread() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".yarnrc", "registry \"https://corp.example.test/\"\n"),
        (".npmrc", "//user.example.test/:_authToken=${T}\n"),
    ]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "registry=https://user.example.test/\n",
    )
    .unwrap();
    let (_, said) = npm_to_yarn1(&project, &["--write"]);
    assert!(
        said.contains("warning[route-differs]: .yarnrc:1:"),
        "{said}"
    );
    assert!(
        said.contains("note[registry-not-written-out]: .yarnrc:1: unscoped packages: pmrc did not write npm's registry out for yarn-classic over this line: ~/.npmrc sets a registry, and pmrc reads user files only with --user: pass --user to read it"),
        "{said}"
    );
    assert!(!project.read(".npmrc").unwrap().contains("registry="));
    let (out, said) = npm_to_yarn1(&project, &["--write", "--user"]);
    assert!(out.status.success(), "{}", render(&out));
    assert!(!said.contains("route-differs"), "{said}");
    assert!(!said.contains("registry-not-written-out"), "{said}");
    assert!(!project.read(".npmrc").unwrap().contains("registry="));
    let shown = show_json(
        &project,
        project.path(),
        &["--manager", "yarn-classic", "--user"],
    );
    for route in shown["managers"][0]["routes"].as_array().unwrap() {
        assert_eq!(route["registry"], "https://user.example.test/", "{shown}");
    }
}

/// A user file that holds credentials only (`npm login`'s token) sends no group elsewhere: a
/// registry written out over it moves no manager, and pmrc writes it without `--user`
/// (it said `registry-not-written-out` for every user with a `~/.npmrc`). Real npm 11.21
/// and Yarn 1.22.22 both sent the user file's token to the pinned registry for @acme/*.
#[test]
fn npm_to_yarn1_writes_out_the_registry_beside_a_user_file_of_credentials_only() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".yarnrc",
            "\"@acme:registry\" \"https://yarn.example.test/\"\n",
        ),
        (".npmrc", "registry=https://npm.example.test/\n"),
    ]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "//npm.example.test/:_authToken=fake-user-token\n",
    )
    .unwrap();
    let (out, said) = npm_to_yarn1(&project, &["--write"]);
    assert!(out.status.success(), "{}", render(&out));
    assert!(!said.contains("route-differs"), "{said}");
    // What the target sends there with the user file's token pmrc cannot compare unread:
    // the note says so, and what to pass (from a review: real Yarn 1 sent it with @acme/*
    // but not with unscoped packages, which need always-auth).
    assert!(
        said.contains("note[registry-written-out]: .yarnrc:1: @acme/*: yarn-classic would request https://yarn.example.test by this line; pmrc writes npm's registry https://npm.example.test/ out for them in .npmrc, which yarn-classic takes over it; ~/.npmrc holds credentials for it, which pmrc reads only with --user, so whether yarn-classic sends them as npm does is not checked: pass --user to check it (and have them sent alike)"),
        "{said}"
    );
    assert!(
        project
            .read(".npmrc")
            .unwrap()
            .lines()
            .any(|l| l == "@acme:registry=https://npm.example.test/")
    );
    assert_eq!(
        std::fs::read_to_string(project.home.path().join(".npmrc")).unwrap(),
        "//npm.example.test/:_authToken=fake-user-token\n"
    );
    let (out, said) = npm_to_yarn1(&project, &["--user"]);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("holds credentials"), "{said}");
    assert!(!said.contains("route-differs"), "{said}");
    // From a review: a user file neither npm nor Yarn 1 reads (pnpm's auth.ini) is not
    // theirs to send, and `--user` would change nothing for it.
    std::fs::remove_file(project.home.path().join(".npmrc")).unwrap();
    std::fs::remove_file(project.path().join(".npmrc")).unwrap();
    std::fs::write(
        project.path().join(".npmrc"),
        "registry=https://npm.example.test/\n",
    )
    .unwrap();
    let pnpm_config = project.home.path().join(".config/pnpm");
    std::fs::create_dir_all(&pnpm_config).unwrap();
    std::fs::write(
        pnpm_config.join("auth.ini"),
        "//npm.example.test/:_authToken=fake-pnpm-token\n",
    )
    .unwrap();
    let (_, said) = npm_to_yarn1(&project, &[]);
    assert!(said.contains("note[registry-written-out]"), "{said}");
    assert!(!said.contains("holds credentials"), "{said}");
}

/// `yarn config set registry …` writes `~/.yarnrc`: pmrc held npm's registry back from
/// `.npmrc` while that file went unread, though any `.npmrc` `registry` beats `.yarnrc`'s in
/// Yarn 1 (spec Y5; real Yarn 1.22.22 asked the `.npmrc` one). It is written out now; a
/// `--registry` flag line in `~/.yarnrc`, which beats `.npmrc` (Y11), still holds it back.
#[test]
fn npm_to_yarn1_writes_out_the_registry_whatever_a_home_yarnrc_sets_but_a_flag() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".yarnrc", "registry \"https://corp.example.test/\"\n"),
        (".npmrc", "//npm.example.test/:_authToken=${T}\n"),
    ]);
    let home_yarnrc = project.home.path().join(".yarnrc");
    std::fs::write(&home_yarnrc, "registry \"https://home.example.test/\"\n").unwrap();
    let (out, said) = npm_to_yarn1(&project, &[]);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("registry-not-written-out"), "{said}");
    assert!(said.contains("note[registry-written-out]"), "{said}");
    std::fs::write(&home_yarnrc, "--registry \"https://home.example.test/\"\n").unwrap();
    let (out, said) = npm_to_yarn1(&project, &[]);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("~/.yarnrc sets a registry, and pmrc reads user files only with --user"),
        "{said}"
    );
}

/// From a review: `convert --from npm --to yarn-classic --user --write` copied `npm login`'s
/// token to `//registry.yarnpkg.com/:_authToken` (and only when run before a conversion
/// without `--user`), a second copy of the secret that goes stale when npm's is renewed.
/// Yarn 1 sends the credentials of npm's registry to its own default registry
/// (`getAuth`'s fallback): real Yarn 1.22.22, with both hosts served on 127.0.0.1, sent
/// `~/.npmrc`'s token for @types/* as it was, and for unscoped packages once
/// `//registry.yarnpkg.com/:always-auth=true` was there. That line alone is written.
#[test]
fn npm_to_yarn1_leaves_npm_login_s_token_where_npm_keeps_it() {
    let project = Project::with_files(&[("package.json", "{}\n")]);
    let user_npmrc = project.home.path().join(".npmrc");
    let token = "//registry.npmjs.org/:_authToken=npm_FAKE_TOKEN_0000\n";
    std::fs::write(&user_npmrc, token).unwrap();
    let (out, said) = npm_to_yarn1(&project, &["--user", "--write"]);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("credentials-differ"), "{said}");
    assert_eq!(
        std::fs::read_to_string(&user_npmrc).unwrap(),
        format!("{token}//registry.yarnpkg.com/:always-auth=true\n")
    );
    assert!(!project.path().join(".npmrc").exists());
    let (out, said) = npm_to_yarn1(&project, &["--user", "--check"]);
    assert!(out.status.success(), "{said}");
    let out = run(
        &project,
        &[
            "explain",
            "@types/node",
            "--user",
            "--manager",
            "yarn-classic",
        ],
    );
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("sends: Bearer *** (~/.npmrc:1)")
            && shown.contains("Yarn 1 also sends to its own default registry"),
        "{shown}"
    );
}

/// From a review of the test above's change: the token is spared a copy only where Yarn 1
/// really sends npm's: not under a `.yarnrc` that spells Yarn's registry with a trailing
/// slash (real Yarn 1.22.22 then sent no credentials, `--check` said in sync), and not where
/// an earlier run's copy sits at Yarn's registry (it wins, and went stale when npm's token
/// was renewed while `--check` said in sync). There the copy is written, and kept current.
#[test]
fn npm_to_yarn1_copies_npm_login_s_token_where_yarn_1_would_not_send_it() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".yarnrc", "registry \"https://registry.yarnpkg.com/\"\n"),
    ]);
    let user_npmrc = project.home.path().join(".npmrc");
    let token = "//registry.npmjs.org/:_authToken=npm_FAKE_TOKEN_0000\n";
    std::fs::write(&user_npmrc, token).unwrap();
    let (out, said) = npm_to_yarn1(&project, &["--user", "--write"]);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("credentials-differ"), "{said}");
    assert!(
        std::fs::read_to_string(&user_npmrc)
            .unwrap()
            .contains("//registry.yarnpkg.com/:_authToken=npm_FAKE_TOKEN_0000\n"),
    );
    std::fs::remove_file(project.path().join(".yarnrc")).unwrap();
    std::fs::write(
        &user_npmrc,
        "//registry.npmjs.org/:_authToken=npm_FAKE_RENEWED_1111\n//registry.yarnpkg.com/:_authToken=npm_FAKE_TOKEN_0000\n//registry.yarnpkg.com/:always-auth=true\n",
    )
    .unwrap();
    let (out, said) = npm_to_yarn1(&project, &["--user", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{said}");
    let (out, said) = npm_to_yarn1(&project, &["--user", "--write"]);
    assert!(out.status.success(), "{said}");
    assert!(
        std::fs::read_to_string(&user_npmrc)
            .unwrap()
            .contains("//registry.yarnpkg.com/:_authToken=npm_FAKE_RENEWED_1111\n"),
    );
}

/// From a review: a user-level file of a manager neither source nor target goes unread too
/// (Bun's `~/.bunfig.toml`, whose registry Bun's @acme/* follows): no registry is written
/// out while one exists, where real Bun 1.4.5 moved to `.npmrc`'s with its token.
#[test]
fn npm_to_yarn1_writes_no_registry_out_while_bun_s_user_file_goes_unread() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".yarnrc",
            "\"@acme:registry\" \"https://acme.example.test/\"\n",
        ),
        (".npmrc", "registry=https://npm.example.test/\n"),
    ]);
    std::fs::write(
        project.home.path().join(".bunfig.toml"),
        "[install]\nregistry = \"https://bun.example.test/\"\n",
    )
    .unwrap();
    let (_, said) = npm_to_yarn1(&project, &["--write"]);
    assert!(
        said.contains("warning[route-differs]: .yarnrc:1: @acme/*"),
        "{said}"
    );
    assert!(
        said.contains("over this line: ~/.bunfig.toml sets a registry, and pmrc reads user files only with --user"),
        "{said}"
    );
    assert!(!project.read(".npmrc").unwrap().contains("@acme"));
}

/// From a review: a pin that would move a bystander pmrc.toml names stopped the whole run
/// (exit 2, "bun, which pmrc.toml names, reads this file too"); the pin is refused instead.
#[test]
fn npm_to_yarn1_refuses_a_pin_that_would_move_a_named_bystander_not_the_run() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            "pmrc.toml",
            "[sync]\nfrom = \"npm\"\nto = [\"yarn-classic\", \"bun\"]\n",
        ),
        (
            "bunfig.toml",
            "[install]\nregistry = \"https://bun.example.test/\"\n",
        ),
        (
            ".yarnrc",
            "\"@acme:registry\" \"https://acme.example.test/\"\n",
        ),
        (".npmrc", "registry=https://npm.example.test/\n"),
    ]);
    let (out, said) = npm_to_yarn1(&project, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(
        said.contains("warning[route-differs]: .yarnrc:1: @acme/*"),
        "{said}"
    );
    assert!(
        said.contains("over this line: bun, which pmrc.toml names, would then do otherwise with the file the line goes into"),
        "{said}"
    );
}

/// A pin refused with others is tried alone: `@acme:registry` in `.npmrc` would move Bun's
/// @acme/* off bunfig.toml's registry, `@beta:registry` would not (bunfig.toml names
/// @beta's), so the conversion for Yarn 1 writes @beta's alone.
#[test]
fn npm_to_yarn1_writes_out_each_registry_that_moves_no_other_reader() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            "bunfig.toml",
            "[install]\nregistry = \"https://bun.example.test/\"\n\n[install.scopes]\nbeta = \"https://npm.example.test/\"\n",
        ),
        (
            ".yarnrc",
            "\"@acme:registry\" \"https://yarn.example.test/\"\n\"@beta:registry\" \"https://yarn.example.test/\"\n",
        ),
        (".npmrc", "registry=https://npm.example.test/\n"),
    ]);
    let (_, said) = npm_to_yarn1(&project, &["--write"]);
    assert!(
        said.contains("warning[route-differs]: .yarnrc:1: @acme/*:"),
        "{said}"
    );
    assert!(!said.contains("route-differs]: .yarnrc:2"), "{said}");
    assert!(
        said.contains("note[registry-written-out]: .yarnrc:2: @beta/*: yarn-classic would request https://yarn.example.test by this line; pmrc writes npm's registry https://npm.example.test/ out for them in .npmrc, which"),
        "{said}"
    );
    assert!(
        said.contains("note[registry-not-written-out]: .yarnrc:1: @acme/*: pmrc did not write npm's registry https://npm.example.test/ out for yarn-classic over this line: bun, which reads .npmrc too"),
        "{said}"
    );
    assert!(
        !said.contains("registry-not-written-out]: .yarnrc:2"),
        "{said}"
    );
    let npmrc = project.read(".npmrc").unwrap();
    assert!(
        npmrc
            .lines()
            .any(|l| l == "@beta:registry=https://npm.example.test/"),
        "{npmrc}"
    );
    assert!(!npmrc.contains("@acme:registry"), "{npmrc}");
}

/// With several targets, a registry written out into a file the source reads would become
/// the source's for the other targets, unjudged: pmrc leaves it out and says so, and to
/// convert to Yarn 1 alone. Done as it says, the conversion to both is then in sync.
#[test]
fn npm_to_yarn1_and_bun_says_to_convert_to_yarn1_alone_for_a_registry_written_out() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".yarnrc", "registry \"https://corp.example.test/\"\n"),
        (".npmrc", "//corp.example.test/:_authToken=${CORP_TOKEN}\n"),
    ]);
    let both = ["convert", "--from", "npm", "--to", "yarn-classic,bun"];
    let out = run(&project, &[&both[..], &["--write"]].concat());
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert!(
        said.contains("note[registry-not-written-out]: .yarnrc:1: unscoped packages: pmrc did not write npm's registry https://registry.npmjs.org/ out for yarn-classic over this line: it would go into a file npm reads, which with several targets would change what the others are converted from; to have it, write this conversion, then convert to yarn-classic alone with --write, then write this one again"),
        "{said}"
    );
    assert!(!project.read(".npmrc").unwrap().contains("registry="));
    let (alone, _) = npm_to_yarn1(&project, &["--write"]);
    assert!(alone.status.success(), "{}", render(&alone));
    assert!(
        project
            .read(".npmrc")
            .unwrap()
            .lines()
            .any(|l| l == "registry=https://registry.npmjs.org/")
    );
    let out = run(&project, &[&both[..], &["--write"]].concat());
    assert!(out.status.success(), "{}", render(&out));
    let check = run(&project, &[&both[..], &["--check"]].concat());
    assert_eq!(check.status.code(), Some(0), "{}", render(&check));
    assert!(
        !render(&check).contains("route-differs"),
        "{}",
        render(&check)
    );
}

/// From a review: with several targets, a line that another reader would refuse anyway was
/// said to need converting to Yarn 1 alone, where it was then refused for pnpm 11/12 (a
/// `pnpm-workspace.yaml` default registry): the note gives the reason converting alone
/// would give.
#[test]
fn with_several_targets_the_note_gives_the_reason_converting_alone_would() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            "pnpm-workspace.yaml",
            "registries:\n  default: https://pnpm.example.test/\npackages: []\n",
        ),
        (
            ".yarnrc",
            "\"@acme:registry\" \"https://acme.example.test/\"\n",
        ),
        (".npmrc", "//acme.example.test/:_authToken=${ACME_TOKEN}\n"),
    ]);
    for to in ["yarn-classic,bun", "yarn-classic"] {
        let out = run(&project, &["convert", "--from", "npm", "--to", to]);
        let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
        assert!(
            said.contains("note[registry-not-written-out]: .yarnrc:1: @acme/*: pmrc did not write npm's registry https://registry.npmjs.org/ out for yarn-classic over this line: pnpm@11 and pnpm@12, which read .npmrc too"),
            "{to}: {said}"
        );
        assert!(!said.contains("alone"), "{to}: {said}");
    }
}

/// From a review: more than eight lines refused together are not tried one at a time, and
/// each was said to move Bun, which most of them alone would not. Each note says the reason
/// is the batch's.
#[test]
fn a_batch_too_large_to_try_line_by_line_says_so() {
    let scopes: String = (1..=9)
        .map(|i| format!("\"@a{i}:registry\" \"https://yarn.example.test/\"\n"))
        .collect();
    let bun_scopes: String = (2..=9)
        .map(|i| format!("a{i} = \"https://yarn.example.test/\"\n"))
        .collect();
    let bunfig = format!(
        "[install]\nregistry = \"https://bun.example.test/\"\n\n[install.scopes]\n{bun_scopes}"
    );
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        ("bunfig.toml", &bunfig),
        (".yarnrc", &scopes),
        (".npmrc", "registry=https://npm.example.test/\n"),
    ]);
    let (_, said) = npm_to_yarn1(&project, &[]);
    let notes: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("registry-not-written-out"))
        .collect();
    assert_eq!(notes.len(), 9, "{said}");
    for note in notes {
        assert!(
            note.ends_with("bun, which reads .npmrc too, would then request packages otherwise, for this line or one of the 8 others tried with it (too many to try one at a time)"),
            "{note}"
        );
    }
}

/// From a review: a `NPM_CONFIG_USERCONFIG` the process has moves npm's user file, which
/// pmrc did not count: npm's public registry written out for Yarn 1 took npm itself off the
/// registry that file set (real npm 11.21). It holds the line back as `~/.npmrc` does.
#[test]
fn npm_to_yarn1_writes_no_registry_out_over_the_processs_npm_userconfig() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".yarnrc", "registry \"https://corp.example.test/\"\n"),
        (".npmrc", "//corp.example.test/:_authToken=${T}\n"),
    ]);
    let userconfig = project.home.path().join("alt-npmrc");
    std::fs::write(&userconfig, "registry=https://user.example.test/\n").unwrap();
    let out = common::pmrc()
        .args([
            "convert",
            "--from",
            "npm",
            "--to",
            "yarn-classic",
            "--write",
            "--dir",
        ])
        .arg(project.path())
        .env("HOME", project.home.path())
        .env("NPM_CONFIG_USERCONFIG", &userconfig)
        .output()
        .unwrap();
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert!(
        said.contains(&format!(
            "over this line: $NPM_CONFIG_USERCONFIG ({}) sets a registry",
            userconfig.display()
        )),
        "{said}"
    );
    assert!(!project.read(".npmrc").unwrap().contains("registry="));
}

/// From a review: a registry URL with a secret in its query (`?token=`), read from
/// `~/.npmrc` with `--user`, was written out into the project's `.npmrc`. A URL with
/// credentials, a query or a variable is never copied; the note says why no line was written.
#[test]
fn npm_to_yarn1_copies_no_registry_url_with_a_secret_in_its_query() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".yarnrc",
            "\"@acme:registry\" \"https://acme.example.test/\"\n",
        ),
        (".npmrc", "//acme.example.test/:_authToken=${T}\n"),
    ]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "registry=https://user.example.test/npm/?token=FAKE-QUERY-TOKEN\n",
    )
    .unwrap();
    let (_, said) = npm_to_yarn1(&project, &["--user", "--write"]);
    assert!(
        said.contains("note[registry-not-written-out]: .yarnrc:1: @acme/*: pmrc did not write npm's registry out for yarn-classic over this line: its URL holds credentials, a query or a variable"),
        "{said}"
    );
    assert!(!said.contains("FAKE-QUERY-TOKEN"), "{said}");
    assert!(!project.read(".npmrc").unwrap().contains("FAKE-QUERY-TOKEN"));
}

/// From a review: Yarn's `~/.yarnrc.yml`, which no reader of `.npmrc` reads, held back a line
/// written out in `.npmrc` for Yarn 1.
#[test]
fn npm_to_yarn1_writes_out_the_registry_whatever_yarn_s_user_file_sets() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".yarnrc", "registry \"https://corp.example.test/\"\n"),
        (".npmrc", "//corp.example.test/:_authToken=${T}\n"),
    ]);
    std::fs::write(
        project.home.path().join(".yarnrc.yml"),
        "npmRegistryServer: \"https://yarn-user.example.test\"\n",
    )
    .unwrap();
    let (out, said) = npm_to_yarn1(&project, &["--write"]);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("note[registry-written-out]: .yarnrc:1: unscoped packages"),
        "{said}"
    );
    assert!(
        project
            .read(".npmrc")
            .unwrap()
            .lines()
            .any(|l| l == "registry=https://registry.npmjs.org/")
    );
}

/// From a review: Bun's user `.npmrc` is `$XDG_CONFIG_HOME/.npmrc` where that file exists
/// (spec pnpm-bun-deno.md b14), which pmrc never read: `show --user` named `~/.npmrc`, and
/// npm's registry written out for Yarn 1 moved real Bun 1.4.5 off the registry it set.
#[test]
fn bun_s_user_npmrc_is_the_xdg_one_where_it_exists() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".yarnrc", "registry \"https://corp.example.test/\"\n"),
        (".npmrc", "//corp.example.test/:_authToken=${T}\n"),
    ]);
    let xdg = project.home.path().join("xdg");
    std::fs::create_dir_all(&xdg).unwrap();
    std::fs::write(xdg.join(".npmrc"), "registry=https://xdg.example.test/\n").unwrap();
    let pmrc = |args: &[&str]| {
        common::pmrc()
            .args(args)
            .arg("--dir")
            .arg(project.path())
            .env("HOME", project.home.path())
            .env("XDG_CONFIG_HOME", &xdg)
            .output()
            .unwrap()
    };
    let shown = pmrc(&["show", "--manager", "bun", "--user"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("from $XDG_CONFIG_HOME/.npmrc, .npmrc,")
            && text.contains("unscoped packages -> https://xdg.example.test/"),
        "{text}"
    );
    let out = pmrc(&[
        "convert",
        "--from",
        "npm",
        "--to",
        "yarn-classic",
        "--write",
    ]);
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert!(
        said.contains("over this line: $XDG_CONFIG_HOME/.npmrc sets a registry"),
        "{said}"
    );
    assert!(!project.read(".npmrc").unwrap().contains("registry="));
}

/// From a review: Bun takes bunfig.toml's registry over `.npmrc`'s, and @acme/* follows it;
/// `@acme:registry` written out in `.npmrc` for Yarn 1 sent Bun 1.4.5's @acme/* to npm's
/// registry with its token, silently. pmrc leaves it out and says `route-differs`.
#[test]
fn npm_to_yarn1_writes_no_registry_out_that_would_move_bun() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            "bunfig.toml",
            "[install]\nregistry = \"https://bun.example.test/\"\n",
        ),
        (
            ".yarnrc",
            "\"@acme:registry\" \"https://acme.example.test/\"\n",
        ),
        (
            ".npmrc",
            "registry=https://npm.example.test/\n//npm.example.test/:_authToken=${NPM_TOKEN}\n",
        ),
    ]);
    let (_, said) = npm_to_yarn1(&project, &["--write"]);
    assert!(
        said.contains("warning[route-differs]: .yarnrc:1: @acme/*: npm requests https://npm.example.test but yarn-classic would request https://acme.example.test"),
        "{said}"
    );
    let npmrc = project.read(".npmrc").unwrap();
    assert!(!npmrc.contains("@acme:registry"), "{npmrc}");
}

/// From a helper's review: keying a top-level `certfile`/`keyfile` pair for npm 12 makes it
/// present a client certificate npm 11 never sent, and that was only a note: it is a warning;
/// keying `email`, which changes nothing sent, stays a note.
#[test]
fn npm_major_migration_warns_when_a_keyed_pair_sends_a_client_certificate() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://reg.example.test/\nemail=dev@example.test\ncertfile=/tmp/c.pem\nkeyfile=/tmp/k.pem\n",
        ),
    ]);
    let out = run(&project, &["convert", "--from", "npm@11", "--to", "npm@12"]);
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{said}");
    for (severity, line) in [("note", 2), ("warning", 3), ("warning", 4)] {
        assert!(
            said.contains(&format!(
                "{severity}[npm-major-migration]: .npmrc:{line}: top-level"
            )),
            "{severity} at line {line}: {said}"
        );
    }
}

/// From a helper's review: `--from npm@11 --to npm@12,yarn` dropped the npm 12 target
/// without a word (it settles to npm, the source) and converted to Yarn alone, exit 0. The
/// migration runs on its own: the run is refused, naming the two runs, and writes nothing.
#[test]
fn npm_major_migration_among_other_targets_is_refused_and_writes_nothing() {
    let npmrc = "registry=https://reg.example.test/\nemail=dev@example.test\n";
    let project = Project::with_files(&[("package.json", "{}\n"), (".npmrc", npmrc)]);
    let out = run(
        &project,
        &[
            "convert",
            "--from",
            "npm@11",
            "--to",
            "npm@12,yarn",
            "--write",
        ],
    );
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("pass --to npm@12 alone, then --to yarn in a second run"),
        "{said}"
    );
    assert_eq!(project.read(".npmrc").unwrap(), npmrc);
    assert!(project.read(".yarnrc.yml").is_none());
}

/// The npm 11 <-> 12 migration's headline and JSON said `npm (npm 11/12) -> npm (npm 11/12)`
/// (one set of rules for both majors in pmrc), not which way the migration went.
#[test]
fn npm_major_migration_names_both_majors_in_its_headline_and_json() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\":\"x\"}\n"),
        (".npmrc", "registry=https://reg.example.test/\n"),
    ]);
    for (from, to) in [("11", "12"), ("12", "11")] {
        let (from_arg, to_arg) = (format!("npm@{from}"), format!("npm@{to}"));
        let out = run(&project, &["convert", "--from", &from_arg, "--to", &to_arg]);
        let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{said}");
        assert!(
            said.contains(&format!("npm (npm {from}) -> npm (npm {to}):")),
            "{said}"
        );
        let out = run(
            &project,
            &[
                "convert", "--from", &from_arg, "--to", &to_arg, "--format", "json",
            ],
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            json["rules"],
            serde_json::json!({ "from": format!("npm {from}"), "to": [format!("npm {to}")] }),
            "{json}"
        );
    }
}

/// From a helper's review: after pmrc's own `--from pnpm@10 --to pnpm@12 --write`, which
/// copies the scopes into the yaml `registries`, doctor warned that pnpm 10 no longer used
/// them (real pnpm 10.34.9 still sent each scope's token to its registry) and exited 1. Only
/// a scope the yaml leaves out or routes elsewhere is named now.
#[test]
fn pnpm_10_scopes_the_yaml_routes_alike_are_not_said_to_be_lost() {
    let project = Project::with_files(&[
        (
            "package.json",
            "{\"name\":\"x\",\"packageManager\":\"pnpm@10.34.9\"}\n",
        ),
        (
            ".npmrc",
            "registry=https://reg.example.test/main/\n@acme:registry=https://reg.example.test/acme/\n@beta:registry=https://reg.example.test/beta/\n//reg.example.test/acme/:_authToken=fake-acme-token\n",
        ),
        ("pnpm-workspace.yaml", "packages:\n  - \"pkgs/*\"\n"),
    ]);
    {
        use std::os::unix::fs::PermissionsExt;
        let npmrc = project.path().join(".npmrc");
        std::fs::set_permissions(npmrc, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = run(
        &project,
        &["convert", "--from", "pnpm@10", "--to", "pnpm@12", "--write"],
    );
    assert!(out.status.success(), "{}", render(&out));
    // pnpm 12 reads these `.npmrc` lines as they are, so the conversion now writes nothing
    // (trial #7); the yaml `registries` an earlier pmrc wrote for them stay what is checked.
    std::fs::write(
        project.path().join("pnpm-workspace.yaml"),
        "packages:\n  - \"pkgs/*\"\n\nregistries:\n  default: \"https://reg.example.test/main/\"\n  \"@acme\": \"https://reg.example.test/acme/\"\n  \"@beta\": \"https://reg.example.test/beta/\"\n",
    )
    .unwrap();
    for args in [
        &["doctor", "--manager", "pnpm@10"][..],
        &["convert", "--from", "pnpm@10", "--to", "pnpm@12", "--check"],
    ] {
        let out = run(&project, args);
        let said = render(&out);
        assert!(out.status.success(), "{args:?}: {said}");
        assert!(
            !said.contains("pnpm10-yaml-registries-replace-scopes"),
            "{args:?}: {said}"
        );
    }
    // A scope the yaml leaves out is lost to pnpm 10, and named.
    let yaml = project.read("pnpm-workspace.yaml").unwrap();
    let without_beta: String = yaml
        .lines()
        .filter(|l| !l.contains("@beta"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(project.path().join("pnpm-workspace.yaml"), without_beta).unwrap();
    let said = common::unwrapped(&render(&run(&project, &["doctor", "--manager", "pnpm@10"])));
    assert!(
        said.contains("warning[pnpm10-yaml-registries-replace-scopes]: .npmrc:3:")
            && said.contains("so the .npmrc's @beta is not used"),
        "{said}"
    );
}

/// From a helper's review: a token in ~/.npmrc for the registry the project names is what
/// npm sends; `convert` without --user left it out of the Yarn config silently (a 401 after
/// the migration). It says so, and the command it names carries the token.
#[test]
fn convert_names_the_source_user_files_it_did_not_read() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\":\"x\"}\n"),
        (".npmrc", "@acme:registry=https://npm.acme.test/\n"),
    ]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "//npm.acme.test/:_authToken=${ACME_TOKEN}\n",
    )
    .unwrap();
    let out = run(&project, &["convert", "--from", "npm", "--to", "yarn"]);
    let said = common::unwrapped(&render(&out));
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("note[user-files-not-read]: npm also reads ~/.npmrc, which exists; pass --user to read it too"),
        "{said}"
    );
    // As the note says: the token reaches Yarn's user file, and no note is left.
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "yarn", "--user", "--write",
        ],
    );
    let said = render(&out);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("user-files-not-read"), "{said}");
    let yarnrc = std::fs::read_to_string(project.home.path().join(".yarnrc.yml")).unwrap();
    assert!(
        yarnrc.contains("//npm.acme.test:\n    npmAuthToken: \"${ACME_TOKEN}\""),
        "{yarnrc}"
    );
    // Without user files there is nothing to say.
    std::fs::remove_file(project.home.path().join(".npmrc")).unwrap();
    let out = run(&project, &["convert", "--from", "npm", "--to", "bun"]);
    assert!(!render(&out).contains("user-files-not-read"));
}

/// Issue 19: `-C DIR` is `--dir DIR` for every command that takes a project, and `-w` is
/// `--write` (convert, sync, doctor --fix): the same output, the same files written.
#[test]
fn issue_19_short_flags_are_the_long_ones() {
    let case = fixtures().join("npm-to-yarn-github-packages");
    let commands: [&[&str]; 5] = [
        &["show"],
        &["convert", "--from", "npm", "--to", "yarn"],
        &["explain", "@acme/widgets"],
        &["doctor"],
        &["sync", "--config", "/nonexistent/pmrc.toml"],
    ];
    for args in commands {
        let project = Project::from_fixture(&case);
        let run_with = |dir_flag: &str| {
            common::pmrc()
                .args(args)
                .arg(dir_flag)
                .arg(project.path())
                .env("HOME", project.home.path())
                .output()
                .unwrap()
        };
        let (short, long) = (run_with("-C"), run_with("--dir"));
        assert_eq!(render(&short), render(&long), "{args:?} -C vs --dir");
        // Not a usage error: -C reached the command (sync fails on the missing file instead).
        assert!(
            !String::from_utf8_lossy(&short.stderr).contains("unexpected argument"),
            "{args:?}: {}",
            render(&short)
        );
    }

    let project = Project::from_fixture(&case);
    let out = run(
        &project,
        &["convert", "--from", "npm", "--to", "yarn", "-w"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(
        project.read(".yarnrc.yml").unwrap().contains("npmScopes"),
        "convert -w wrote nothing"
    );

    let project = Project::from_fixture(&case);
    std::fs::write(
        project.path().join("pmrc.toml"),
        "[sync]\nfrom = \"npm\"\nto = [\"yarn\"]\n",
    )
    .unwrap();
    let out = run(&project, &["sync", "-w"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(run(&project, &["sync", "--check"]).status.code(), Some(0));

    let project = Project::from_fixture(&fixtures().join("legacy-top-level-auth"));
    let before = std::fs::read_to_string(project.path().join(".npmrc")).unwrap();
    let out = run(&project, &["doctor", "--fix", "-w", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_ne!(
        project.read(".npmrc").unwrap(),
        before,
        "doctor --fix -w fixed nothing"
    );
}

/// Issue 19: output flags that cannot hold together are refused by the parser (exit 2, with
/// clap's message naming both), not silently resolved one way.
#[test]
fn issue_19_conflicting_output_flags_are_refused() {
    let project = Project::from_fixture(&fixtures().join("npm-to-yarn-github-packages"));
    for (args, other) in [
        (&["doctor", "--sarif", "--format", "json"][..], "--format"),
        (&["doctor", "--sarif", "--format", "text"][..], "--format"),
        (&["doctor", "--sarif", "--fix"][..], "--fix"),
        (
            &["convert", "--to", "yarn", "--write", "--check"][..],
            "--check",
        ),
        (&["sync", "-w", "--diff"][..], "--diff"),
        (&["show", "-q", "-v"][..], "--verbose"),
    ] {
        let out = run(&project, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", render(&out));
        assert!(
            stderr.contains("cannot be used with") && stderr.contains(other),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed output");
    }
    // Each alone is fine.
    for args in [&["doctor", "--sarif"][..], &["doctor", "--format", "json"]] {
        let out = run(&project, args);
        assert_ne!(out.status.code(), Some(2), "{args:?}: {}", render(&out));
    }
}

/// A copy of `examples/github-packages` without its pmrc.toml, for `pmrc init`.
fn example_without_setting() -> Project {
    let project = Project::copy_of_example();
    std::fs::remove_file(project.path().join("pmrc.toml")).unwrap();
    project
}

/// Issue 19: `pmrc init` previews pmrc.toml by default and creates nothing; `--write` (`-w`)
/// creates it, and `pmrc sync` takes what it wrote: `--check` finds the drift, `--write`
/// fixes it, and `--check` then exits 0. It names npm (whose .npmrc holds the settings) and
/// yarn (whose file is here).
#[test]
fn issue_19_init_writes_a_setting_sync_accepts() {
    let project = example_without_setting();
    let preview = run(&project, &["init"]);
    assert_eq!(preview.status.code(), Some(0), "{}", render(&preview));
    assert!(project.read("pmrc.toml").is_none(), "the preview wrote");
    let shown = String::from_utf8_lossy(&preview.stdout);
    assert!(
        shown.starts_with("--- /dev/null\n+++ b/pmrc.toml\n"),
        "{shown}"
    );
    let stderr = String::from_utf8_lossy(&preview.stderr);
    assert!(stderr.contains("run again with --write"), "{stderr}");

    let out = run(&project, &["init", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let written = project.read("pmrc.toml").unwrap();
    // What the preview showed is what was written.
    let added: String = shown
        .lines()
        .filter_map(|l| l.strip_prefix('+').filter(|_| !l.starts_with("+++")))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(added, written);
    assert!(
        written.contains("[sync]\nfrom = \"npm\"\nto = [\"yarn\"]\n"),
        "{written}"
    );
    let check = run(&project, &["sync", "--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", render(&check));
    let sync = run(&project, &["sync", "--write"]);
    assert_eq!(sync.status.code(), Some(0), "{}", render(&sync));
    let check = run(&project, &["sync", "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", render(&check));

    // The snippets it prints are the real workflow step and hooks.
    let workflow = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/examples/github-actions.yml"),
    )
    .unwrap();
    let hooks = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let step = format!(
        "      - name: Configs in sync\n        uses: pmrc-dev/pmrc@v{}\n        with:\n          command: sync --check\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(workflow.contains(&step), "{workflow}");
    assert!(stderr.contains(&step), "{stderr}");
    for id in ["pmrc-sync", "pmrc-doctor"] {
        assert!(hooks.contains(&format!("- id: {id}\n")), "{id}");
        assert!(stderr.contains(&format!("      - id: {id}\n")), "{stderr}");
    }
    assert!(stderr.contains(&format!("rev: v{}\n", env!("CARGO_PKG_VERSION"))));
}

/// Issue 19: `pmrc init` never overwrites a pmrc.toml, with or without --write.
#[test]
fn issue_19_init_refuses_an_existing_setting() {
    let project = Project::copy_of_example();
    let before = project.read("pmrc.toml").unwrap();
    for args in [
        &["init"][..],
        &["init", "--write"],
        &["init", "--to", "bun", "-w"],
    ] {
        let out = run(&project, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", render(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("pmrc.toml: already exists") && stderr.contains("does not overwrite"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
        assert_eq!(project.read("pmrc.toml").unwrap(), before);
    }
}

/// A `.github/dependabot.yml` that updates npm packages is among `pmrc init`'s targets: its
/// registries drift like a manager's. `init` had said "found only .npmrc (npm): nothing to
/// keep in sync" beside one; a file that updates no JavaScript packages is not a target.
#[test]
fn init_keeps_dependabot_in_sync_where_it_updates_npm_packages() {
    let dependabot = |ecosystem: &str| {
        format!(
            "version: 2\nregistries:\n  npm-r:\n    type: npm-registry\n    url: https://old.example.test\n    token: ${{{{secrets.TOK}}}}\nupdates:\n  - package-ecosystem: {ecosystem}\n    directory: /\n    registries: [npm-r]\n    schedule: {{interval: daily}}\n"
        )
    };
    let npmrc = (
        ".npmrc",
        "registry=https://r.example.test/\n//r.example.test/:_authToken=${TOK}\n",
    );
    let p = Project::with_files(&[
        ("package.json", "{}\n"),
        npmrc,
        (".github/dependabot.yml", &dependabot("npm")),
    ]);
    let out = run(&p, &["init", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let config = p.read("pmrc.toml").unwrap();
    assert!(config.contains("to = [\"dependabot\"]"), "{config}");
    assert!(
        config.contains("dependabot: .github/dependabot.yml updates npm packages here"),
        "{config}"
    );
    // What init wrote is what sync checks: the stale registry is drift, and --write mends it.
    assert_eq!(run(&p, &["sync", "--check"]).status.code(), Some(1));
    assert_eq!(run(&p, &["sync", "--write"]).status.code(), Some(0));
    assert_eq!(run(&p, &["sync", "--check"]).status.code(), Some(0));
    assert!(
        p.read(".github/dependabot.yml")
            .unwrap()
            .contains("url: \"https://r.example.test/\""),
    );

    let p = Project::with_files(&[
        ("package.json", "{}\n"),
        npmrc,
        (".github/dependabot.yml", &dependabot("github-actions")),
    ]);
    let out = run(&p, &["init"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("found only .npmrc (npm)"));
}

/// Issue 19: where the answer is not clear, `pmrc init` stops (exit 2), says what it found
/// and what to pass, and what it says to run works.
#[test]
fn issue_19_init_never_guesses() {
    let project = |files: &[(&str, &str)]| {
        let p = Project::from_fixture(&fixtures().join("npm-to-yarn-github-packages"));
        for entry in std::fs::read_dir(p.path()).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        for (name, text) in files {
            std::fs::write(p.path().join(name), text).unwrap();
        }
        p
    };
    let npmrc = (".npmrc", "@acme:registry=https://npm.pkg.github.com/\n");
    let stderr = |out: &Output| String::from_utf8_lossy(&out.stderr).into_owned();

    // packageManager names pnpm, and a Yarn file is here too: a leftover, or a target?
    let p = project(&[
        npmrc,
        (".yarnrc.yml", "nodeLinker: node-modules\n"),
        ("package.json", "{\"packageManager\": \"pnpm@10.2.0\"}\n"),
    ]);
    let out = run(&p, &["init"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let message = common::unwrapped(&stderr(&out));
    // The commands keep the `--dir` given (`-C DIR`), so that run as printed from anywhere
    // they init the same folder.
    let dir = format!(" -C {}", p.path().display());
    for said in [
        "packageManager \"pnpm@10.2.0\"".to_string(),
        ".yarnrc.yml".to_string(),
        format!("`pmrc init --to pnpm{dir}`"),
        format!("`pmrc init --to pnpm,yarn{dir}`"),
    ] {
        assert!(message.contains(&said), "{said}: {message}");
    }
    for (args, to) in [
        (&["init", "--to", "pnpm", "-w"][..], "to = [\"pnpm\"]"),
        (
            &["init", "--to", "pnpm,yarn", "-w"][..],
            "to = [\"pnpm\", \"yarn\"]",
        ),
    ] {
        let _ = std::fs::remove_file(p.path().join("pmrc.toml"));
        let out = run(&p, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", render(&out));
        assert!(p.read("pmrc.toml").unwrap().contains(to));
    }

    // Two managers' files hold settings: which is the source?
    let p = project(&[
        npmrc,
        (".yarnrc.yml", "npmRegistryServer: \"https://r.example\"\n"),
    ]);
    let out = run(&p, &["init"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let message = common::unwrapped(&stderr(&out));
    let dir = format!(" -C {}", p.path().display());
    assert!(
        message.contains(&format!(
            "more than one manager's file holds registry or auth settings (npm: .npmrc holds 1 registry/auth setting; yarn: .yarnrc.yml holds 1 registry/auth setting); say which one people edit: `pmrc init --from npm{dir}` or `pmrc init --from yarn{dir}`"
        )),
        "{message}"
    );
    let out = run(&p, &["init", "--from", "npm", "-w"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(p.read("pmrc.toml").unwrap().contains("to = [\"yarn\"]"));

    // Only the source is here: nothing to keep in sync.
    let p = project(&[npmrc]);
    let out = run(&p, &["init"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(
        stderr(&out).contains("found only .npmrc (npm)"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("pass --to"), "{}", stderr(&out));

    // A manager version pmrc has no rules for.
    let p = project(&[
        npmrc,
        ("package.json", "{\"packageManager\": \"yarn@3.6.0\"}"),
    ]);
    let out = run(&p, &["init"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert!(stderr(&out).contains("\"yarn@3.6.0\""), "{}", stderr(&out));
    assert!(p.read("pmrc.toml").is_none());

    // packageManager alone is clear: Yarn 1 is yarn-classic, pnpm keeps no major (sync reads
    // it from the same field every time).
    for (spec, to) in [
        ("yarn@1.22.22", "yarn-classic"),
        ("yarn@4.5.0", "yarn"),
        ("pnpm@11.1.0+sha512.abc", "pnpm"),
    ] {
        let json = format!("{{\"packageManager\": \"{spec}\"}}");
        let p = project(&[npmrc, ("package.json", json.as_str())]);
        let out = run(&p, &["init", "--write", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{spec}: {}", render(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["to"], serde_json::json!([to]), "{spec}");
        assert_eq!(doc["written"], true);
        assert!(
            p.read("pmrc.toml")
                .unwrap()
                .contains(&format!("to = [\"{to}\"]")),
            "{spec}"
        );
    }
}

/// Issue 19: one problem has one code and one severity, whichever command reports it: every
/// code that `convert` and `doctor` both report on a fixture project has the same severity
/// in both (before, pnpm's ignored `.npmrc` settings were notes in convert and warnings in
/// doctor, so `doctor --fail-on warning` failed CI on npm's own `engine-strict`).
#[test]
fn issue_19_same_code_same_severity_in_convert_and_doctor() {
    use std::collections::BTreeMap;
    let severities = |doc: &serde_json::Value, list: &str, key: &str| {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for w in doc[list].as_array().into_iter().flatten() {
            let sev = w["severity"].as_str().unwrap().to_string();
            let entry = out.entry(w[key].as_str().unwrap().to_string()).or_default();
            if !entry.contains(&sev) {
                entry.push(sev);
            }
        }
        out
    };
    let mut compared = 0;
    let mut cases: Vec<std::path::PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        let args_line = std::fs::read_to_string(case.join("cmd")).unwrap();
        let mut args: Vec<&str> = args_line
            .split_whitespace()
            .filter(|a| *a != "--write" && *a != "--check")
            .collect();
        // `--from pnpm@10` tells convert that the .npmrc is pnpm 10's (its settings surely
        // pnpm's), which doctor cannot know: the one input the two commands do not share.
        if args.first() != Some(&"convert") || args_line.contains("--from pnpm") {
            continue;
        }
        args.extend(["--format", "json"]);
        let project = Project::from_fixture(&case);
        let convert = run(&project, &args);
        let doctor = run(
            &project,
            &["doctor", "--format", "json", "--fail-on", "never"],
        );
        let (Ok(c), Ok(d)) = (
            serde_json::from_slice::<serde_json::Value>(&convert.stdout),
            serde_json::from_slice::<serde_json::Value>(&doctor.stdout),
        ) else {
            continue;
        };
        let (c, d) = (
            severities(&c, "warnings", "code"),
            severities(&d, "findings", "rule"),
        );
        for (code, sev) in &c {
            if let Some(other) = d.get(code) {
                compared += 1;
                assert_eq!(
                    sev,
                    other,
                    "{}: {code} is {sev:?} in convert but {other:?} in doctor",
                    case.display()
                );
            }
        }
    }
    assert!(compared >= 3, "only {compared} codes reported by both");
}

/// Issue 19: `engine-strict` in the .npmrc of a project that does not say it uses pnpm may be
/// npm's own: a note for pnpm in both commands, and doctor does not fail on it; where
/// package.json names pnpm it is surely pnpm's, a warning in both.
#[test]
fn issue_19_pnpm_ignored_setting_is_a_note_unless_the_project_uses_pnpm() {
    for (package_json, expected) in [
        ("{}", "note"),
        ("{\"packageManager\": \"pnpm@12.1.0\"}", "warning"),
    ] {
        let project = Project::from_fixture(&fixtures().join("npm-to-yarn-github-packages"));
        for entry in std::fs::read_dir(project.path()).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        for (name, text) in [
            (".npmrc", "engine-strict=true\n"),
            ("pnpm-workspace.yaml", "packages: []\n"),
            ("package.json", package_json),
        ] {
            std::fs::write(project.path().join(name), text).unwrap();
        }
        let line = format!("{expected}[pnpm-npmrc-setting-ignored]: .npmrc:1:");
        let convert = run(&project, &["convert", "--from", "npm", "--to", "pnpm@12"]);
        assert!(
            String::from_utf8_lossy(&convert.stderr).contains(&line),
            "{line}\n{}",
            render(&convert)
        );
        let doctor = run(&project, &["doctor", "--manager", "pnpm@12"]);
        assert!(
            String::from_utf8_lossy(&doctor.stdout).contains(&line),
            "{line}\n{}",
            render(&doctor)
        );
        let fails = expected == "warning";
        assert_eq!(
            doctor.status.code(),
            Some(i32::from(fails)),
            "{}",
            render(&doctor)
        );
    }
}

/// Issue 16: Deno's tarball rule, as the real Deno 2.9.6 showed it: the longest configured
/// key the tarball URL starts with, on any origin; else the registry's credentials on its
/// own origin (even outside its path); else nothing.
#[test]
fn issue_16_deno_tarball_credentials() {
    let project = Project::from_fixture(&fixtures().join("deno-to-bun"));
    std::fs::write(
        project.path().join(".npmrc"),
        "@acme:registry=https://npm.acme.example/npm/\n//npm.acme.example/npm/:_authToken=${ACME}\n//files.example/:_authToken=${FILES}\n",
    )
    .unwrap();
    let tarball = |url: &str| {
        let out = run(
            &project,
            &[
                "explain",
                "@acme/w",
                "--manager",
                "deno",
                "--tarball",
                url,
                "--format",
                "json",
            ],
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["managers"][0]["tarball"]["authorization"]["value"]
            .as_str()
            .map(str::to_string)
    };
    assert_eq!(
        tarball("https://npm.acme.example/elsewhere/w.tgz").as_deref(),
        Some("${ACME}")
    );
    assert_eq!(
        tarball("https://files.example/a/w.tgz").as_deref(),
        Some("${FILES}")
    );
    assert_eq!(tarball("https://cdn.example/w.tgz"), None);
}

/// Issue 16: pnpm 11 and 12 read the same files; where they do the same with them (here a
/// URL-keyed `registries` and the default registry), converting between them changes nothing
/// instead of rewriting the yaml into another shape.
#[test]
fn issue_16_pnpm11_to_pnpm12_alike_is_nothing_to_change() {
    let yaml = "registries:\n  default: \"https://r1.example/\"\n  \"https://r2.example/npm/\":\n    scopes: [\"@acme\"]\n";
    let project = Project::with_files(&[
        ("pnpm-workspace.yaml", yaml),
        ("package.json", "{\"packageManager\": \"pnpm@11.28.11\"}\n"),
    ]);
    let out = run(
        &project,
        &["convert", "--from", "pnpm@11", "--to", "pnpm@12", "--write"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(
        common::unwrapped(&String::from_utf8_lossy(&out.stderr)).contains("nothing to change"),
        "{}",
        render(&out)
    );
    assert_eq!(project.read("pnpm-workspace.yaml").as_deref(), Some(yaml));
    assert_eq!(project.read(".npmrc"), None, "{}", render(&out));

    // pnpm 10 reads other files (a member's .npmrc, no auth.ini): 10 -> 11 is a conversion.
    let project = Project::with_files(&[(".npmrc", "@acme:registry=https://r2.example/\n")]);
    let out = run(
        &project,
        &["convert", "--from", "pnpm@10", "--to", "pnpm@11"],
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("nothing to change"),
        "{}",
        render(&out)
    );
}

/// Issue 18: a literal credential planted in the source appears in no output of `pmrc env`,
/// for any target and format; each output names the CI secret to create instead. From a
/// review: with pnpm as the source, whose routes ignore a `${VAR}` credential in a project
/// `.npmrc`, the credential became such a reference before routing and was dropped (no
/// token printed, where pnpm sends the literal one).
#[test]
fn issue_18_env_prints_no_literal_secret() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://npm.example.test/\n//npm.example.test/:_authToken=FAKESECRET-literal-env-0001\n@acme:registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken=FAKESECRET-literal-env-0002\n",
    )]);
    for to in [
        "npm",
        "yarn",
        "yarn-classic",
        "pnpm@10",
        "pnpm@11",
        "pnpm@12",
        "bun",
        "deno",
    ] {
        for (from, format) in ["npm", "pnpm@10", "pnpm@12"]
            .into_iter()
            .flat_map(|from| ["shell", "github", "gitlab", "dotenv", "json"].map(|f| (from, f)))
        {
            let output = run(
                &project,
                &["env", "--from", from, "--to", to, "--format", format],
            );
            let text = render(&output);
            assert_eq!(
                output.status.code(),
                Some(0),
                "{from} {to} {format}:\n{text}"
            );
            assert!(
                !text.contains("FAKESECRET"),
                "{from} {to} {format} printed a secret:\n{text}"
            );
            // In what the job is given, not only in the findings about the literal.
            let given = String::from_utf8_lossy(&output.stdout);
            for name in ["NPM_EXAMPLE_TEST_TOKEN", "NPM_PKG_GITHUB_COM_TOKEN"] {
                assert!(
                    given.contains(name),
                    "{from} {to} {format} lacks {name}:\n{text}"
                );
            }
            assert!(
                text.contains("env-literal-secret"),
                "{from} {to} {format} does not report the literal:\n{text}"
            );
        }
    }
}

/// Issue 18: GitLab gets only names it can hold, whichever target (`npm_config_//…` cannot).
#[test]
fn issue_18_env_gitlab_names_are_legal() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://npm.example.test/\n@acme:registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken=${GH_TOKEN}\n",
    )]);
    for to in [
        "npm",
        "yarn",
        "yarn-classic",
        "pnpm@10",
        "pnpm@11",
        "pnpm@12",
        "bun",
        "deno",
    ] {
        let output = run(&project, &["env", "--to", to, "--format", "gitlab"]);
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let mut in_variables = false;
        for line in text.lines() {
            if !line.starts_with(' ') {
                in_variables = line == "variables:";
                continue;
            }
            if in_variables {
                let name = line.trim().split(':').next().unwrap();
                assert!(
                    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{to}: GitLab cannot hold `{name}`:\n{text}"
                );
            }
        }
    }
}

/// Issue 18: `--env-file` is a config layer for `show`, `explain` and `doctor`: its values
/// beat the files as each manager reads them, each origin names the variable and its line,
/// and a credential stays a reference to its variable, even with `--show-secrets`.
#[test]
fn issue_18_env_file_is_a_config_layer() {
    let project = Project::with_files(&[
        (".npmrc", "registry=https://file.example/\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://file.example\"\n",
        ),
    ]);
    let env_file = project.path().join(".env.ci");
    std::fs::write(
        &env_file,
        "# the job's variables\nexport NPM_CONFIG_REGISTRY=https://env.example/\nnpm_config_//env.example/:_authToken=FAKESECRET-env-file-0001\nYARN_NPM_REGISTRY_SERVER=\"https://yarn-env.example\"\n",
    )
    .unwrap();
    let file = env_file.to_str().unwrap();
    let show = run(&project, &["show", "--env-file", file, "--show-secrets"]);
    let text = render(&show);
    assert_eq!(show.status.code(), Some(0), "{text}");
    assert!(!text.contains("FAKESECRET"), "{text}");
    let registry_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("registry ") && l.contains("env.example"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        registry_line.ends_with(&format!("NPM_CONFIG_REGISTRY ({file}:2)")),
        "{text}"
    );
    assert!(
        text.contains("Bearer ${npm_config_//env.example/:_authToken}"),
        "{text}"
    );
    assert!(
        text.contains(&format!("YARN_NPM_REGISTRY_SERVER ({file}:4)")),
        "{text}"
    );
    let explain = run(
        &project,
        &[
            "explain",
            "left-pad",
            "--env-file",
            file,
            "--manager",
            "npm,yarn",
        ],
    );
    let text = render(&explain);
    assert!(text.contains("GET https://env.example/left-pad"), "{text}");
    assert!(
        text.contains("GET https://yarn-env.example/left-pad"),
        "{text}"
    );
    // Without the layer, the files decide.
    let plain = render(&run(&project, &["explain", "left-pad", "--manager", "npm"]));
    assert!(
        plain.contains("GET https://file.example/left-pad"),
        "{plain}"
    );
}

/// `explain --env-file` counts the file's variables as set, as `doctor` does: no `unset
/// here:` or `stops:` for a variable the file gives, and a registry host named by a variable
/// the file gives is the one the credential key matches.
#[test]
fn explain_env_file_variables_count_as_set() {
    let project = Project::with_files(&[
        (
            ".npmrc",
            "registry=https://npm.example.test/\n//${PMRC_TEST_REG_HOST}/:_authToken=${PMRC_TEST_TOKEN}\n",
        ),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://npm.example.test\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"${PMRC_TEST_TOKEN}\"\n",
        ),
    ]);
    let explain = |extra: &[&str]| {
        let mut args = vec!["explain", "left-pad", "--manager", "npm,yarn"];
        args.extend(extra);
        let mut cmd = project.cmd(&args);
        cmd.env_remove("PMRC_TEST_TOKEN")
            .env_remove("PMRC_TEST_REG_HOST");
        render(&cmd.output().unwrap())
    };
    let without = explain(&[]);
    assert!(
        without.contains("unset here: $PMRC_TEST_TOKEN"),
        "{without}"
    );
    assert!(without.contains("stops: "), "{without}");
    let env_file = project.path().join("ci.env");
    std::fs::write(
        &env_file,
        "PMRC_TEST_REG_HOST=npm.example.test\nPMRC_TEST_TOKEN=FAKE-token-0001\n",
    )
    .unwrap();
    let with = explain(&["--env-file", env_file.to_str().unwrap()]);
    assert!(!with.contains("unset here"), "{with}");
    assert!(!with.contains("stops: "), "{with}");
    assert!(!with.contains("FAKE-token"), "{with}");
    // npm's request: the key `//${PMRC_TEST_REG_HOST}/` matches once the file names the host.
    let npm_sends = |text: &str| {
        let npm = text.split("yarn (").next().unwrap().to_string();
        npm.contains("sends: Bearer ${PMRC_TEST_TOKEN} (.npmrc:2)")
    };
    assert!(npm_sends(&with), "{with}");
    assert!(!npm_sends(&without), "{without}");
}

/// npm goes on up the path past a `${VAR?}` that is empty here: an `--env-file` that sets the
/// variable empty beats the process's value, as it would in the job.
#[test]
fn explain_env_file_empty_optional_token_walks_up() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://r.example.test/npm/\n//r.example.test/npm/:_authToken=${PMRC_TEST_T?}\n//r.example.test/:_authToken=${PMRC_TEST_U}\n",
    )]);
    let env_file = project.path().join("ci.env");
    std::fs::write(&env_file, "PMRC_TEST_T=\n").unwrap();
    let explain = |extra: &[&str]| {
        let mut args = vec!["explain", "left-pad", "--manager", "npm"];
        args.extend(extra);
        let mut cmd = project.cmd(&args);
        cmd.env("PMRC_TEST_T", "FAKE-process-0001")
            .env("PMRC_TEST_U", "FAKE-process-0002");
        render(&cmd.output().unwrap())
    };
    let process = explain(&[]);
    assert!(process.contains("(.npmrc:2)"), "{process}");
    let with_file = explain(&["--env-file", env_file.to_str().unwrap()]);
    assert!(
        with_file.contains("sends: Bearer ${PMRC_TEST_U} (.npmrc:3)"),
        "{with_file}"
    );
}

/// Set and empty is set: Yarn 4 reads `${TOK}` as `""` then and goes on, so `doctor` says
/// nothing of a variable an `--env-file` sets empty, as `explain` does.
#[test]
fn doctor_env_file_empty_variable_is_set() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://npm.example.test\"\nnpmAuthToken: \"${PMRC_TEST_TOK}\"\n",
    )]);
    let env_file = project.path().join("ci.env");
    std::fs::write(&env_file, "PMRC_TEST_TOK=\n").unwrap();
    let doctor = |extra: &[&str]| {
        let mut args = vec!["doctor", "--env", "--manager", "yarn"];
        args.extend(extra);
        let mut cmd = project.cmd(&args);
        cmd.env_remove("PMRC_TEST_TOK");
        render(&cmd.output().unwrap())
    };
    assert!(doctor(&[]).contains("env-unset"));
    let with_file = doctor(&["--env-file", env_file.to_str().unwrap()]);
    assert!(!with_file.contains("env-unset"), "{with_file}");
}

/// A key named through a variable is printed as written in the tarball's reason too: the
/// variable's value (a token in a path, say, from an `--env-file`) is not.
#[test]
fn explain_tarball_reason_keeps_the_key_as_written() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://r.example.test/t/${PMRC_TEST_PT}/\n//r.example.test/t/${PMRC_TEST_PT}/:_authToken=${PMRC_TEST_TOK}\n",
    )]);
    let env_file = project.path().join("ci.env");
    std::fs::write(&env_file, "PMRC_TEST_PT=FAKE-pathtoken\n").unwrap();
    let mut cmd = project.cmd(&[
        "explain",
        "foo",
        "--manager",
        "npm",
        "--env-file",
        env_file.to_str().unwrap(),
        "--tarball",
        "https://r.example.test/t/FAKE-pathtoken/foo/-/foo-1.0.0.tgz",
    ]);
    cmd.env_remove("PMRC_TEST_PT");
    let text = render(&cmd.output().unwrap());
    let tarball = text
        .lines()
        .find(|l| l.trim_start().starts_with("tarball "))
        .unwrap_or_else(|| panic!("{text}"));
    // The URL is the user's; the reason after it names the key as the file writes it.
    let reason = tarball.split(".tgz").nth(1).unwrap_or_default();
    assert!(
        reason.contains("`//r.example.test/t/${PMRC_TEST_PT}/` matches"),
        "{text}"
    );
    assert!(!reason.contains("FAKE-pathtoken"), "{text}");
}

/// Issue 18: a dotenv line pmrc cannot read is an error at its file:line:col, exit 2.
#[test]
fn issue_18_env_file_errors_name_the_line() {
    let project = Project::with_files(&[(".npmrc", "registry=https://file.example/\n")]);
    let env_file = project.path().join("ci.env");
    std::fs::write(&env_file, "A=1\nnot a variable\n").unwrap();
    let file = env_file.to_str().unwrap();
    for command in [&["show"][..], &["explain", "x"], &["doctor"]] {
        let mut args = command.to_vec();
        args.extend(["--env-file", file]);
        let output = run(&project, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr)
                .contains(&format!("{file}:2:1: expected NAME=value")),
            "{}",
            render(&output)
        );
    }
}

/// Issue 18: `doctor --env` applies the process environment as a layer (a variable the
/// manager ignores is a finding) and still checks the referenced variables; `--env-file`
/// sets them too.
#[test]
fn issue_18_doctor_env_layer_and_check() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://r.example\"\nnpmAuthToken: \"${NPM_TOKEN}\"\n",
    )]);
    let unset = project
        .cmd(&["doctor", "--env", "--format", "json"])
        .env_remove("NPM_TOKEN")
        .env("YARN_NETWORK_TIMEOUT", "100000")
        .output()
        .unwrap();
    let text = render(&unset);
    assert!(text.contains("\"env-unset\""), "{text}");
    assert!(text.contains("\"env-variable-fatal\""), "{text}");
    assert!(
        text.contains("YARN_NETWORK_TIMEOUT (environment)"),
        "{text}"
    );
    let env_file = project.path().join(".env.ci");
    std::fs::write(&env_file, "NPM_TOKEN=FAKESECRET-doctor-0001\n").unwrap();
    let set = project
        .cmd(&["doctor", "--env", "--env-file", env_file.to_str().unwrap()])
        .env_remove("NPM_TOKEN")
        .output()
        .unwrap();
    let text = render(&set);
    assert!(!text.contains("env-unset"), "{text}");
    assert!(!text.contains("FAKESECRET"), "{text}");
}

/// From a review: in a job where the process has NPM_CONFIG_USERCONFIG (actions/setup-node
/// sets it), `explain --user` named `~/.npmrc`'s token where real npm sent the variable's
/// file's, and said nothing. The variable is named, with `--env` to read it, for the managers
/// that honour it and not for Deno; with `--env` the answer is the variable's file's.
#[test]
fn a_process_userconfig_not_applied_is_said() {
    let project = Project::with_files(&[(".npmrc", "registry=https://r.example/\n")]);
    let runner = project.home.path().join("runner.npmrc");
    std::fs::write(&runner, "//r.example/:_authToken=fake-runner-token\n").unwrap();
    std::fs::write(
        project.home.path().join(".npmrc"),
        "//r.example/:_authToken=fake-home-token\n",
    )
    .unwrap();
    let explain = |extra: &[&str]| {
        let mut args = vec![
            "explain",
            "left-pad",
            "--user",
            "--show-secrets",
            "--manager",
            "npm,deno",
        ];
        args.extend(extra);
        let out = project
            .cmd(&args)
            .env("NPM_CONFIG_USERCONFIG", &runner)
            .output()
            .unwrap();
        common::unwrapped(&render(&out))
    };
    let said = explain(&[]);
    assert!(
        said.contains(&format!(
            "note[userconfig-not-applied]: NPM_CONFIG_USERCONFIG is set here ({}): npm reads that file",
            runner.display()
        )),
        "{said}"
    );
    assert!(!said.contains("deno reads that file"), "{said}");
    let said = explain(&["--env"]);
    assert!(!said.contains("userconfig-not-applied"), "{said}");
    let npm = said.split("  npm (").nth(1).unwrap();
    assert!(npm.contains("fake-runner-token"), "{said}");
    // Naming the home folder's own file changes nothing, and is not said.
    let out = project
        .cmd(&["explain", "left-pad", "--user", "--manager", "npm"])
        .env("NPM_CONFIG_USERCONFIG", project.home.path().join(".npmrc"))
        .output()
        .unwrap();
    assert!(
        !render(&out).contains("userconfig-not-applied"),
        "{}",
        render(&out)
    );
}

/// Issue 18: NPM_CONFIG_USERCONFIG from the layer moves the user `.npmrc` (with `--user`)
/// for the managers that honour it, and not for Deno, which never does.
#[test]
fn issue_18_env_userconfig_moves_the_user_npmrc() {
    let project = Project::with_files(&[(".npmrc", "save-exact=true\n")]);
    let moved = project.home.path().join("ci.npmrc");
    std::fs::write(&moved, "registry=https://moved.example/\n").unwrap();
    std::fs::write(
        project.home.path().join(".npmrc"),
        "registry=https://home.example/\n",
    )
    .unwrap();
    let env_file = project.path().join(".env.ci");
    std::fs::write(
        &env_file,
        format!("NPM_CONFIG_USERCONFIG={}\n", moved.display()),
    )
    .unwrap();
    let output = run(
        &project,
        &[
            "explain",
            "left-pad",
            "--user",
            "--env-file",
            env_file.to_str().unwrap(),
            "--manager",
            "npm,bun,deno",
        ],
    );
    let text = render(&output);
    let url_of = |manager: &str| {
        let block = text.split(&format!("  {manager} (")).nth(1).unwrap();
        block.lines().nth(1).unwrap().trim().to_string()
    };
    assert_eq!(
        url_of("npm"),
        "GET https://moved.example/left-pad",
        "{text}"
    );
    assert_eq!(
        url_of("bun"),
        "GET https://moved.example/left-pad",
        "{text}"
    );
    assert_eq!(
        url_of("deno"),
        "GET https://home.example/left-pad",
        "{text}"
    );
}

/// Issue 18 item 4: what `convert --to dependabot` writes, read back with Dependabot's
/// rules, routes and authenticates every group of packages as npm does from the source.
#[test]
fn issue_18_dependabot_target_routes_as_the_source() {
    let project = Project::from_fixture(&fixtures().join("npm-to-dependabot"));
    // The entry's own secret of another name stays (`dependabot-secret-kept`), and a route
    // names the variable it sends: here the entry takes the source's.
    let yml = project.read(DEPENDABOT).unwrap();
    std::fs::write(
        project.path().join(DEPENDABOT),
        yml.replace("OLD_TOKEN", "GITHUB_PACKAGES_TOKEN"),
    )
    .unwrap();
    let routes = |m: &str| {
        let out = run(&project, &["show", "--manager", m, "--format", "json"]);
        assert!(out.status.success(), "{}", render(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut routes = v["managers"][0]["routes"].clone();
        for r in routes.as_array_mut().unwrap() {
            r.as_object_mut()
                .unwrap()
                .retain(|k, _| k == "packages" || k == "authorization" || k == "registry");
            if let Some(reg) = r["registry"].as_str() {
                r["registry"] = reg.trim_end_matches('/').into();
            }
        }
        routes
    };
    let before = routes("npm");
    let out = run(
        &project,
        &["convert", "--from", "npm", "--to", "dependabot", "--write"],
    );
    assert!(out.status.success(), "{}", render(&out));
    assert_eq!(routes("dependabot"), before);
    assert_eq!(before.as_array().unwrap().len(), 3, "{before}");
}

/// Dependabot's precedence (spec/ci-env.md §2.6): a registry's `scope` beats the committed
/// `.npmrc`, which beats `replaces-base`; `${...}` lines of the committed `.npmrc` are gone.
#[test]
fn issue_18_dependabot_routes_scope_then_committed_npmrc_then_replaces_base() {
    let project = Project::with_files(&[
        (
            ".npmrc",
            "registry=https://committed.example/\n@acme:registry=https://committed.example/acme/\n@beta:registry=https://beta.example/\n//beta.example/:_authToken=${BETA}\n",
        ),
        (
            ".github/dependabot.yml",
            "version: 2\nregistries:\n  base:\n    type: npm-registry\n    url: https://base.example/\n    replaces-base: true\n  acme:\n    type: npm-registry\n    url: https://acme.example/\n    scope: \"@acme\"\n",
        ),
    ]);
    let out = run(
        &project,
        &["show", "--manager", "dependabot", "--format", "json"],
    );
    assert!(out.status.success(), "{}", render(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let routes = v["managers"][0]["routes"].as_array().unwrap().clone();
    let route = |packages: &str| {
        routes
            .iter()
            .find(|r| match packages.strip_prefix('@') {
                Some(scope) => r["packages"]["scope"] == scope,
                None => r["packages"]["kind"] == packages,
            })
            .unwrap_or_else(|| panic!("no route for {packages}: {routes:?}"))
            .clone()
    };
    assert_eq!(route("unscoped")["registry"], "https://committed.example/");
    assert_eq!(route("@acme")["registry"], "https://acme.example/");
    assert_eq!(route("@beta")["registry"], "https://beta.example/");
    assert!(route("@beta")["authorization"].is_null(), "{routes:?}");
}

/// dependabot.yml both ways: npm → dependabot → npm gives npm back the routes it had, and a
/// CRLF file keeps its line endings and its other entries byte for byte.
#[test]
fn issue_18_dependabot_round_trip_and_crlf() {
    let before_yml = "version: 2\r\nregistries:\r\n  maven:\r\n    type: maven-repository\r\n    url: https://m.example\r\nupdates:\r\n  - package-ecosystem: npm\r\n    directory: /\r\n    schedule:\r\n      interval: daily\r\n";
    let npmrc = "@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${NPM_TOKEN}\nregistry=https://mirror.example/npm/\n";
    let project = Project::with_files(&[(".npmrc", npmrc), (DEPENDABOT, before_yml)]);
    let routes = |p: &Project| {
        let out = run(p, &["show", "--manager", "npm", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut routes = v["managers"][0]["routes"].clone();
        for r in routes.as_array_mut().unwrap() {
            r.as_object_mut()
                .unwrap()
                .retain(|k, _| k == "packages" || k == "authorization" || k == "registry");
        }
        routes
    };
    let npm_routes = routes(&project);
    let out = run(
        &project,
        &["convert", "--from", "npm", "--to", "dependabot", "--write"],
    );
    assert!(out.status.success(), "{}", render(&out));
    let after = project.read(DEPENDABOT).unwrap();
    assert!(
        after.starts_with("version: 2\r\nregistries:\r\n  maven:\r\n    type: maven-repository\r\n    url: https://m.example\r\n"),
        "{after}"
    );
    assert!(
        after.split_inclusive('\n').all(|l| l.ends_with("\r\n")),
        "{after:?}"
    );
    assert!(
        after.contains("token: \"${{secrets.NPM_TOKEN}}\"\r\n"),
        "{after}"
    );
    std::fs::remove_file(project.path().join(".npmrc")).unwrap();
    let out = run(
        &project,
        &["convert", "--from", "dependabot", "--to", "npm", "--write"],
    );
    assert!(out.status.success(), "{}", render(&out));
    assert_eq!(routes(&project), npm_routes);
}

/// Issue 19: `--check`'s out-of-sync line names the command that fixes it, with the `-C DIR`
/// it was given (before or after the subcommand); run as printed, from where the check
/// ran, it writes the files, and the same check then passes.
#[test]
fn issue_19_drift_line_names_the_command_that_fixes_it() {
    for (case, check) in [
        (
            "check-drift",
            &["convert", "--from", "npm", "--to", "yarn", "--check"][..],
        ),
        ("sync-check-drift", &["sync", "--check"][..]),
    ] {
        let parent = assert_fs::TempDir::new().unwrap();
        let home = assert_fs::TempDir::new().unwrap();
        let app = parent.path().join("my app");
        std::fs::create_dir(&app).unwrap();
        assert_fs::fixture::PathCopy::copy_from(
            &assert_fs::fixture::ChildPath::new(&app),
            fixtures().join(case).join("in"),
            &["**/*", "**/.*"],
        )
        .unwrap();
        let run_check = |before_subcommand: bool| {
            let mut cmd = common::pmrc();
            cmd.current_dir(parent.path()).env("HOME", home.path());
            if before_subcommand {
                cmd.args(["-C", "my app"]).args(check);
            } else {
                cmd.args(check).args(["-C", "my app"]);
            }
            cmd.output().unwrap()
        };
        let drifted = run_check(true);
        assert_eq!(
            drifted.status.code(),
            Some(1),
            "{case}: {}",
            render(&drifted)
        );
        let stderr = common::unwrapped(&String::from_utf8_lossy(&drifted.stderr));
        let line = stderr
            .lines()
            .find(|l| l.contains("out of sync"))
            .unwrap_or_else(|| panic!("{case}: no drift line in {stderr}"));
        let command = line
            .split('`')
            .nth(1)
            .unwrap_or_else(|| panic!("{case}: no command in {line:?}"));
        assert!(
            command.ends_with("--write -C 'my app'"),
            "{case}: {command}"
        );
        let fixed = std::process::Command::new("sh")
            .arg("-c")
            .arg(command.replacen("pmrc", env!("CARGO_BIN_EXE_pmrc"), 1))
            .current_dir(parent.path())
            .env("HOME", home.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(fixed.status.code(), Some(0), "{case}: {}", render(&fixed));
        let again = run_check(false);
        assert_eq!(again.status.code(), Some(0), "{case}: {}", render(&again));
    }
}

/// Issue 19: `-C DIR` before the subcommand is the same as after it; both is an error that
/// says so, and nothing runs.
#[test]
fn issue_19_dir_before_the_subcommand() {
    let project = Project::from_fixture(&fixtures().join("check-drift"));
    let path = project.path().to_str().unwrap();
    let show = |args: &[&str]| {
        common::pmrc()
            .args(args)
            .env("HOME", project.home.path())
            .output()
            .unwrap()
    };
    let before = show(&["-C", path, "show"]);
    let after = show(&["show", "-C", path]);
    assert_eq!(before.status.code(), Some(0), "{}", render(&before));
    assert!(String::from_utf8_lossy(&before.stdout).contains(".npmrc"));
    assert_eq!(render(&before), render(&after));
    let both = show(&["-C", path, "show", "--dir", path]);
    assert_eq!(both.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&both.stderr).contains("-C given twice"),
        "{}",
        render(&both)
    );
    let man = show(&["-C", path, "man"]);
    assert_eq!(man.status.code(), Some(2), "{}", render(&man));
    assert!(man.stdout.is_empty());
}

/// A project that gives doctor and convert something to say about every line: one
/// `.npmrc` read by npm, pnpm, Bun and Deno.
const SHARED_NPMRC: &str = "registry=http://registry.corp.example/npm/
//registry.corp.example/npm/:_authToken=npm_FAKE_literal_token
always-auth=true
@acme:registry=https://npm.acme.example/
//npm.acme.example/:_authToken=${ACME_TOKEN}
strict-ssl=false
save-exact=true
";

fn shared_npmrc_project() -> Project {
    let project = Project::with_files(&[
        (".npmrc", SHARED_NPMRC),
        ("package.json", "{\"name\": \"app\"}\n"),
        ("bunfig.toml", ""),
        ("pnpm-workspace.yaml", ""),
        ("deno.json", "{}\n"),
    ]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let npmrc = project.path().join(".npmrc");
        std::fs::set_permissions(npmrc, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    project
}

/// Issue 19: findings as rustc and uv print them: the label coloured only with colour on,
/// the message wrapped to COLUMNS with continuation lines indented, a `fix:` whose command
/// is never broken; the same problem for four managers is one finding naming them.
#[test]
fn issue_19_text_diagnostics_layout() {
    let project = shared_npmrc_project();
    for columns in ["60", "120"] {
        for color in ["never", "always"] {
            let mut report = String::new();
            for args in [
                &["doctor"][..],
                &[
                    "convert",
                    "--from",
                    "npm",
                    "--to",
                    "pnpm@12,bun,deno,yarn-classic",
                ][..],
            ] {
                // Run inside the project: no temp path in the output to change its layout.
                let out = common::pmrc()
                    .current_dir(project.path())
                    .env("HOME", project.home.path())
                    .args(args)
                    .args(["--color", color])
                    .env("COLUMNS", columns)
                    .output()
                    .unwrap();
                let findings = if args[0] == "doctor" {
                    &out.stdout
                } else {
                    &out.stderr
                };
                let text = String::from_utf8_lossy(findings);
                let width: usize = columns.parse().unwrap();
                for line in text.lines() {
                    // Only a word longer than the line may overflow it.
                    let plain: String = line
                        .split('\u{1b}')
                        .enumerate()
                        .map(|(i, part)| match part.split_once('m') {
                            Some((_, rest)) if i > 0 => rest,
                            _ => part,
                        })
                        .collect();
                    // A `quoted command` is one word, spaces and all.
                    let longest_word = plain
                        .split('`')
                        .enumerate()
                        .flat_map(|(i, part)| {
                            if i % 2 == 1 {
                                vec![part.len() + 2]
                            } else {
                                part.split(' ').map(str::len).collect()
                            }
                        })
                        .max()
                        .unwrap_or(0);
                    assert!(
                        plain.chars().count() <= width || longest_word > width / 2,
                        "{columns} columns: {line:?}"
                    );
                }
                assert_eq!(
                    text.contains('\u{1b}'),
                    color == "always",
                    "{color}: {text}"
                );
                report.push_str(&format!("$ pmrc {}\n", args.join(" ")));
                report.push_str(&text.replace('\u{1b}', "␛"));
            }
            assert!(
                report
                    .replace("\n    ", " ")
                    .contains("npm, bun, pnpm@12 and deno send credentials"),
                "{report}"
            );
            settings(&project).bind(|| {
                insta::assert_snapshot!(format!("issue-19-diagnostics-{columns}-{color}"), report)
            });
        }
    }
}

/// Issue 19: one finding per problem. Four managers reading one `.npmrc` that sends a token
/// over http is one `credentials-over-http` naming them all (JSON: `managers`); three that
/// send the `${ACME_TOKEN}` credential pnpm ignores are one `config-drift` (whose fix writes the
/// user files, the only place pnpm 12 takes it from); a literal secret
/// copied into a file several targets read is one `plain-text-secret`; a user file four managers would
/// read is one note.
#[test]
fn issue_19_one_finding_per_problem() {
    let project = shared_npmrc_project();
    let out = run(&project, &["doctor", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let of = |rule: &str| -> Vec<&serde_json::Value> {
        findings.iter().filter(|f| f["rule"] == rule).collect()
    };
    let http = of("credentials-over-http");
    assert_eq!(http.len(), 1, "{findings:#?}");
    assert_eq!(http[0]["manager"], serde_json::Value::Null);
    assert_eq!(
        http[0]["managers"],
        serde_json::json!(["npm", "bun", "pnpm@12", "deno"])
    );
    assert!(
        http[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("npm, bun, pnpm@12 and deno send credentials"),
        "{http:#?}"
    );
    let drift = of("config-drift");
    assert_eq!(drift.len(), 1, "{findings:#?}");
    assert_eq!(
        drift[0]["fix"],
        "run `pmrc convert --from npm --to pnpm@12 --user --write --dir ".to_string()
            + project.path().to_str().unwrap()
            + "` and review the diff"
    );

    // A literal Yarn token copied into the `.npmrc` npm, Deno and Yarn 1 all read: one
    // finding. (A literal already in a shared `.npmrc` is not copied, so not reported.)
    let yarn = Project::with_files(&[
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://registry.corp.example/npm\"\nnpmAuthToken: \"npm_FAKE_literal_token\"\nnpmAlwaysAuth: true\n",
        ),
        ("package.json", "{\"name\": \"app\"}\n"),
    ]);
    let out = run(
        &yarn,
        &[
            "convert",
            "--from",
            "yarn",
            "--to",
            "npm,deno,yarn-classic",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let secrets: Vec<&serde_json::Value> = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "plain-text-secret")
        .collect();
    assert_eq!(secrets.len(), 1, "{secrets:#?}");
    assert!(
        secrets[0]["message"]
            .as_str()
            .unwrap()
            .contains("into the npm, deno and yarn-classic config"),
        "{secrets:#?}"
    );

    std::fs::write(project.home.path().join(".npmrc"), "fund=false\n").unwrap();
    let out = run(&project, &["show"]);
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(said.matches("user-files-not-read").count(), 1, "{said}");
    assert!(
        said.contains("npm, bun, pnpm@12 and deno also read ~/.npmrc"),
        "{said}"
    );
}

/// Issue 19: the coloured findings as a real terminal shows them. pmrc runs with
/// `--color auto` (no NO_COLOR, no COLUMNS) inside an 80-column tmux pane, so both the
/// colour and the width come from the terminal itself; `capture-pane -e` keeps the escape
/// sequences, and what was seen is the snapshot. `.ci/run` installs tmux where it is missing.
#[test]
fn issue_19_colour_and_width_in_a_real_terminal() {
    let has_tmux = std::process::Command::new("sh")
        .args(["-c", "command -v tmux"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_tmux {
        eprintln!("skipped: tmux is not installed (.ci/run installs it)");
        return;
    }
    let project = shared_npmrc_project();
    let socket = project.home.path().join("tmux.sock");
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(["-f", "/dev/null"])
            .args(args)
            .env_remove("NO_COLOR")
            .env_remove("COLUMNS")
            .env_remove("LINES")
            .env_remove("TMUX")
            .env("HOME", project.home.path())
            .current_dir(project.path())
            .output()
            .unwrap()
    };
    // doctor's findings go to stdout; convert's warnings to stderr, with stdout (the diff)
    // sent elsewhere: each stream is coloured because it is the terminal.
    let script = format!(
        "pmrc='{}'; \"$pmrc\" doctor --color auto; echo \"exit $?\"; \
         \"$pmrc\" convert --from npm --to pnpm@12 --color auto > /dev/null; echo __done__; sleep 60",
        env!("CARGO_BIN_EXE_pmrc")
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-x",
        "80",
        "-y",
        "80",
        "sh",
        "-c",
        &script,
    ]);
    assert!(started.status.success(), "{}", render(&started));
    let mut seen = String::new();
    for _ in 0..100 {
        let captured = tmux(&["capture-pane", "-e", "-p"]);
        seen = String::from_utf8_lossy(&captured.stdout).into_owned();
        if seen.contains("__done__") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux(&["kill-server"]);
    assert!(
        seen.contains("__done__"),
        "pmrc did not finish in the pane:\n{seen}"
    );
    let shown: String = seen
        .lines()
        .take_while(|l| !l.contains("__done__"))
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    // Colour came from the terminal: the labels are bold and coloured.
    assert!(shown.contains("\u{1b}[1m\u{1b}[33mwarning"), "{shown}");
    assert!(shown.contains("\u{1b}[1m\u{1b}[36mnote"), "{shown}");
    // The width came from the terminal: every line fits its 80 columns, and a message
    // longer than that went on, indented, on the next line, its URL whole.
    for line in shown.lines() {
        let plain: String = line
            .split('\u{1b}')
            .enumerate()
            .map(|(i, part)| match part.split_once('m') {
                Some((_, rest)) if i > 0 => rest,
                _ => part,
            })
            .collect();
        assert!(plain.chars().count() <= 80, "{line:?}");
    }
    assert!(
        shown.contains("over plain http to\n    http://registry.corp.example/npm/\n"),
        "{shown}"
    );
    let (doctor, convert) = shown.split_once("exit 1\n").expect("doctor exits 1");
    assert!(doctor.contains("\u{1b}[32mfix:"), "{doctor}");
    assert!(
        convert
            .contains("\u{1b}[1m\u{1b}[33mwarning\u{1b}[39m[pnpm-env-credential-needs-user-file]"),
        "{convert}"
    );
    settings(&project).bind(|| {
        insta::assert_snapshot!(
            "issue-19-tmux-doctor-colour-auto",
            shown.replace('\u{1b}', "␛")
        )
    });
}

/// Issue 19: the error that ends a run has its label in colour as asked, wrapped like a
/// finding, and plain without colour.
#[test]
fn issue_19_errors_have_colour_when_asked() {
    let missing = "/nonexistent/pmrc-issue-19";
    let run_with = |color: &str| {
        common::pmrc()
            .args(["show", "-C", missing, "--color", color])
            .env("COLUMNS", "40")
            .output()
            .unwrap()
    };
    let coloured = run_with("always");
    assert_eq!(coloured.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&coloured.stderr),
        "\u{1b}[1m\u{1b}[31merror\u{1b}[0m: /nonexistent/pmrc-issue-19 is not\n    a directory\n"
    );
    let plain = run_with("never");
    assert_eq!(
        String::from_utf8_lossy(&plain.stderr),
        "error: /nonexistent/pmrc-issue-19 is not\n    a directory\n"
    );
}

/// Issue 19: npm, Bun and pnpm reading one `.npmrc` three different ways is one
/// `config-drift` for the group of packages (not one per pair, and not again without a
/// line), whose fix offers each side's conversion that takes no credentials away: here only
/// Bun sends its token, so only the conversion from Bun, which run as printed succeeds.
#[test]
fn issue_19_managers_that_disagree_three_ways_are_one_finding() {
    // pnpm's config converted to Bun: npm, which reads the same .npmrc, then differs from both.
    let converted = || {
        let project = Project::from_fixture(&fixtures().join("pnpm12-to-bun"));
        let args = ["convert", "--from", "pnpm@12", "--to", "bun", "--write"];
        assert!(run(&project, &args).status.success());
        project
    };
    let project = converted();
    let out = run(&project, &["doctor", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let drift: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "config-drift")
        .collect();
    assert_eq!(drift.len(), 1, "{drift:#?}");
    assert_eq!(
        drift[0]["managers"],
        serde_json::json!(["npm", "bun", "pnpm@12"])
    );
    let fix = drift[0]["fix"].as_str().unwrap();
    let commands: Vec<&str> = fix.split('`').skip(1).step_by(2).collect();
    assert_eq!(commands.len(), 1, "{fix}");
    assert!(commands[0].starts_with("pmrc convert --from bun "), "{fix}");
    for command in commands {
        let copy = converted();
        let ran = std::process::Command::new("sh")
            .arg("-c")
            .arg(command.replacen("pmrc", env!("CARGO_BIN_EXE_pmrc"), 1))
            .current_dir(copy.path())
            .env("HOME", copy.home.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(ran.status.code(), Some(0), "{command}: {}", render(&ran));
    }
}

/// Issue 18: `pmrc env --to dependabot` is refused (Dependabot reads no job variables), and
/// the command its message gives, run as printed, writes dependabot.yml.
#[test]
fn issue_18_env_to_dependabot_names_the_command_that_does_it() {
    let project = Project::with_files(&[
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${ACME_TOKEN}\n",
        ),
        ("package.json", "{\"name\": \"app\"}\n"),
        // A git work tree's root, where dependabot.yml is written.
        (".git/HEAD", "ref: refs/heads/main\n"),
    ]);
    let out = run(&project, &["env", "--to", "dependabot"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    let command = said
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no command in {said}"));
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    assert_eq!(args, ["convert", "--to", "dependabot", "--write"], "{said}");
    let out = run(&project, &args);
    assert!(out.status.success(), "{}", render(&out));
    let written = std::fs::read_to_string(project.path().join(".github/dependabot.yml")).unwrap();
    assert!(
        written.contains("url: \"https://npm.acme.example/\""),
        "{written}"
    );
    assert!(written.contains("${{secrets.ACME_TOKEN}}"), "{written}");
}

/// Issue 19: pnpm's CI advice was a `pnpm_config_//host/:_authToken` variable, a name
/// `export` cannot set. It now names the `pmrc env` command, which, run as printed, gives
/// the job pnpm's `_auth` JSON for the token.
#[test]
fn issue_19_pnpm_ci_advice_is_a_pmrc_env_command() {
    let project = Project::with_files(&[
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${ACME_TOKEN}\n",
        ),
        ("package.json", "{\"name\": \"app\"}\n"),
    ]);
    let out = run(&project, &["convert", "--from", "npm", "--to", "pnpm@12"]);
    assert!(out.status.success(), "{}", render(&out));
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    let command = said
        .split('`')
        .find(|part| part.starts_with("pmrc env "))
        .unwrap_or_else(|| panic!("no pmrc env command in {said}"));
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let out = run(&project, &args);
    assert!(out.status.success(), "{}", render(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("pnpm_config__auth:"), "{printed}");
    assert!(printed.contains("secrets.ACME_TOKEN"), "{printed}");
    assert!(!said.contains("pnpm_config_//"), "{said}");
}

/// A registry URL whose `user:password@` are references cannot be said as npm's credential
/// keys: `pmrc env` writes the rc file and says why in those terms (it used to name npm's
/// `_password`, which the config does not have).
#[test]
fn env_names_the_urls_userinfo_as_what_variables_cannot_say() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://${REG_USER}:${REG_PASS}@npm.example.test/\n",
    )]);
    for to in ["npm", "pnpm@12"] {
        let output = run(&project, &["env", "--from", "npm", "--to", to]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{to}: {stdout}");
        assert!(
            stdout.contains(
                "Variables alone cannot do it (credentials in the registry URL's `user:password@`"
            ),
            "{to}: {stdout}"
        );
        assert!(!stdout.contains("_password"), "{to}: {stdout}");
        assert!(
            stdout.contains("registry=https://${REG_USER}:${REG_PASS}@npm.example.test/\n"),
            "{to}: {stdout}"
        );
    }
}

/// A registry URL with a query keeps it as written: the slash pmrc adds to a registry's path
/// went after the query, into its last value (here the token).
#[test]
fn registry_url_query_gets_no_slash_appended() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://npm.example.test/npm?token=FAKE-QUERY-TOKEN\n",
    )]);
    let output = run(
        &project,
        &["convert", "--from", "npm", "--to", "bun", "--show-secrets"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("+registry = \"https://npm.example.test/npm?token=FAKE-QUERY-TOKEN\"\n"),
        "{stdout}"
    );
    let masked = run(&project, &["convert", "--from", "npm", "--to", "bun"]);
    let masked = String::from_utf8_lossy(&masked.stdout);
    assert!(!masked.contains("FAKE-QUERY-TOKEN"), "{masked}");
    // Yarn's spelling drops a registry's trailing slash, never one that ends a query value.
    let slash = Project::with_files(&[(
        ".npmrc",
        "registry=https://npm.example.test/npm/?token=FAKE+B64/\n",
    )]);
    let output = run(
        &slash,
        &["convert", "--from", "npm", "--to", "yarn", "--show-secrets"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("+npmRegistryServer: \"https://npm.example.test/npm/?token=FAKE+B64/\"\n"),
        "{stdout}"
    );
}

/// `pmrc explain --tarball` by pnpm's own rule (conformance `pnpm*_env_token_ignored`,
/// `yarn_per_scope_tokens_to_pnpm12_user`): a project `.npmrc`'s `${VAR}` token is not sent
/// to tarballs either, and pnpm 12 sends a scope's own token with its tarballs on the
/// registry's origin; npm walks up past a username whose `_password` is empty here
/// (`npm_optional_password_walks_up`).
#[test]
fn explain_tarballs_and_empty_passwords_as_the_managers_do() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://r.example.test/\n//r.example.test/:_authToken=${FAKE_TOKEN}\n@a:registry=https://r.example.test/\n//r.example.test/:@a:_authToken=fake-scope-token\n",
    )]);
    let tarball = |package: &str, url: &str| {
        let out = project
            .cmd(&[
                "explain",
                package,
                "--manager",
                "pnpm@12",
                "--tarball",
                url,
                "--format",
                "json",
                "--show-secrets",
            ])
            .env("FAKE_TOKEN", "fake-env-token")
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["managers"][0]["tarball"]["authorization"].clone()
    };
    assert_eq!(
        tarball(
            "left-pad",
            "https://r.example.test/left-pad/-/left-pad-1.0.0.tgz"
        ),
        serde_json::Value::Null
    );
    assert_eq!(
        tarball("@a/w", "https://r.example.test/@a/w/-/w-1.0.0.tgz")["value"],
        "fake-scope-token"
    );
    assert_eq!(
        tarball("@a/w", "https://cdn.example.test/@a/w/-/w-1.0.0.tgz"),
        serde_json::Value::Null
    );

    let walks = Project::with_files(&[(
        ".npmrc",
        "registry=https://r.example.test/npm/\n//r.example.test/npm/:username=fake-user\n//r.example.test/npm/:_password=${NPM_PASS?}\n//r.example.test/npm:_auth=ZmFrZTpmYWtl\n",
    )]);
    let out = walks
        .cmd(&[
            "explain",
            "x",
            "--manager",
            "npm",
            "--format",
            "json",
            "--show-secrets",
        ])
        .env_remove("NPM_PASS")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["managers"][0]["authorization"],
        serde_json::json!({"scheme": "basic", "value": "ZmFrZTpmYWtl"}),
        "{json}"
    );
}

/// `pmrc env` keeps a registry URL's query as written: no slash after it, and a `${VAR}` in
/// it is a reference the CI fills in, in each format's notation, and a secret the job must
/// provide (it printed `***` in a shell, left the reference for the manager elsewhere, and
/// named no secret).
#[test]
fn env_keeps_a_registry_query_and_its_reference() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://npm.example.test/npm?token=${QUERY_TOKEN}\n",
    )]);
    for (to, name) in [
        ("npm", "npm_config_registry"),
        ("yarn", "YARN_NPM_REGISTRY_SERVER"),
        ("bun", "BUN_CONFIG_REGISTRY"),
        ("pnpm@12", "pnpm_config_registry"),
    ] {
        for (format, line) in [
            (
                "github",
                format!(
                    "  {name}: 'https://npm.example.test/npm?token=${{{{ secrets.QUERY_TOKEN }}}}'\n"
                ),
            ),
            (
                "shell",
                format!("export {name}=\"https://npm.example.test/npm?token=${{QUERY_TOKEN}}\"\n"),
            ),
        ] {
            let output = run(
                &project,
                &["env", "--from", "npm", "--to", to, "--format", format],
            );
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(stdout.contains(&line), "{to} {format}: {stdout}");
            assert!(
                stdout.contains("# CI secrets the job must provide: QUERY_TOKEN\n"),
                "{to} {format}: {stdout}"
            );
        }
    }
    // pnpm 11/12 key their token variable by registry URL, where nothing is filled in.
    let with_token = Project::with_files(&[(
        ".npmrc",
        "registry=https://npm.example.test/npm/?token=${QUERY_TOKEN}\n//npm.example.test/npm/:_authToken=${NPM_TOKEN}\n",
    )]);
    let output = run(&with_token, &["env", "--from", "npm", "--to", "pnpm@12"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("export pnpm_config__auth"), "{stdout}");
    assert!(
        stdout.contains("registry=https://npm.example.test/npm/?token=${QUERY_TOKEN}\n"),
        "{stdout}"
    );
}

/// pnpm's scope token is not Bun's (conformance `bun_ignores_pnpm_scope_token`): pnpm 12
/// ignores a project `.npmrc`'s `${VAR}` scope token and Bun ignores scope tokens in
/// `.npmrc`, so neither sends anything and the translation has no difference to report. pmrc
/// read the token as Bun's own and warned that Bun would send it.
#[test]
fn pnpm_scope_token_is_not_read_by_bun() {
    let project = Project::with_files(&[(
        ".npmrc",
        "@acme:registry=https://npm.example.test/\n//npm.example.test/:@acme:_authToken=${ACME_TOKEN}\n",
    )]);
    let output = project
        .cmd(&["convert", "--from", "pnpm@12", "--to", "bun"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("note[pnpm-scope-token]"), "{stderr}");
    assert!(!stderr.contains("credentials-differ"), "{stderr}");

    let output = project
        .cmd(&["explain", "@acme/x", "--manager", "bun", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let bun = &json["managers"][0];
    assert_eq!(bun["manager"], "bun", "{json}");
    assert_eq!(bun["authorization"], serde_json::Value::Null, "{json}");
}

/// A translation that makes a manager send a token the source had but did not send says
/// why the source did not (Yarn sends a top-level token with unscoped packages only with
/// `npmAlwaysAuth: true`, spec/yarn.md): "yarn sends no credentials" alone, beside a token
/// npm would send, left the user to guess which setting made the difference.
#[test]
fn credentials_differ_says_why_the_source_sends_none() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://npm.example.test/\"\nnpmAuthToken: \"${NPM_TOKEN}\"\n",
    )]);
    let output = run(&project, &["convert", "--from", "yarn", "--to", "npm"]);
    let stderr = String::from_utf8_lossy(&output.stderr).replace("\n    ", " ");
    assert!(
        stderr.contains(
            "unscoped packages: yarn sends no credentials but npm would send a bearer token (from $NPM_TOKEN); yarn: credentials exist, but unscoped packages get them only with npmAlwaysAuth: true"
        ),
        "{stderr}"
    );
}

/// A Yarn default in a registry URL (`${T:-beta}`) has no spelling in a job's variable: the
/// variable keeps `${T}` and `lossy-env-reference` says so (it was dropped silently).
#[test]
fn env_reports_a_registry_urls_lost_default() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://npm.example.test/npm/?channel=${T:-fake-default}\"\n",
    )]);
    let output = run(&project, &["env", "--from", "yarn", "--to", "yarn"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).replace("\n    ", " ");
    assert!(
        stdout.contains(
            "export YARN_NPM_REGISTRY_SERVER=\"https://npm.example.test/npm/?channel=${T}\"\n"
        ),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning[lossy-env-reference]: pmrc env cannot keep the default of ${T} that yarn wrote in a registry URL"),
        "{stderr}"
    );
    assert!(!stderr.contains("fake-default"), "{stderr}");

    // Written into an rc file instead (a scope takes Yarn's map), the default stays: no loss.
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.example.test/npm/?channel=${T:-fake-default}\"\n",
    )]);
    let output = run(&project, &["env", "--from", "yarn", "--to", "yarn"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains("channel=${T:-fake-default}\"\n"),
        "{stdout}"
    );
    assert!(!stderr.contains("lossy-env-reference"), "{stderr}");
}

/// GitLab's documented `.npmrc` template keys the token by `${CI_SERVER_HOST}` and
/// `${CI_PROJECT_ID}`. npm puts the values into the key before matching (spec/npm.md §3;
/// conformance `npm_variable_in_credential_key`), so it sends the token; pmrc dropped the
/// line from npm's model and predicted no credentials, and every translation lost the token
/// without a word.
#[test]
fn gitlab_template_with_variables_in_the_credential_key() {
    const TEMPLATE: &str = "@acme:registry=https://${CI_SERVER_HOST}/api/v4/projects/${CI_PROJECT_ID}/packages/npm/\n//${CI_SERVER_HOST}/api/v4/projects/${CI_PROJECT_ID}/packages/npm/:_authToken=${CI_JOB_TOKEN}\n";
    let project = Project::with_files(&[(".npmrc", TEMPLATE)]);
    let explain = |manager: &str| {
        let output = project
            .cmd(&[
                "explain",
                "@acme/x",
                "--manager",
                manager,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        json["managers"][0].clone()
    };
    let npm = explain("npm");
    assert_eq!(
        npm["authorization"],
        serde_json::json!({"scheme": "bearer", "value": "${CI_JOB_TOKEN}"}),
        "{npm}"
    );
    assert_eq!(
        npm["url"],
        "https://${CI_SERVER_HOST}/api/v4/projects/${CI_PROJECT_ID}/packages/npm/@acme%2fx",
        "{npm}"
    );
    // Yarn 1 reads the key as written (spec/yarn.md B3, Y12e).
    assert_eq!(
        explain("yarn-classic")["authorization"],
        serde_json::Value::Null
    );

    // The text form prints the URL as npm reads it, not escaped as a literal `\${`.
    let output = project
        .cmd(&["explain", "@acme/x", "--manager", "npm"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("GET https://${CI_SERVER_HOST}/"),
        "{stdout}"
    );
    assert!(stdout.contains("sends: Bearer ${CI_JOB_TOKEN}"), "{stdout}");

    // Yarn 4 does not expand keys: the token goes with the scope.
    let output = project
        .cmd(&["convert", "--from", "npm", "--to", "yarn"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("+  acme:\n")
            && stdout.contains("+    npmAuthToken: \"${CI_JOB_TOKEN}\"\n")
            && !stdout.contains("npmRegistries"),
        "{stdout}"
    );

    // Yarn 1 shares the file: the user's line stays once, and the loss is reported.
    let output = project
        .cmd(&["convert", "--from", "npm", "--to", "yarn-classic"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        String::from_utf8_lossy(&output.stdout).is_empty(),
        "{stderr}"
    );
    assert!(stderr.contains("warning[lossy-env-reference]"), "{stderr}");
    assert!(stderr.contains("warning[credentials-differ]"), "{stderr}");
    // Nothing to write is not "in sync": the loss stands until the source changes.
    assert!(!stderr.contains("already in sync"), "{stderr}");
    assert!(
        common::unwrapped(&String::from_utf8_lossy(&output.stderr))
            .contains("nothing pmrc can write mends that (see lossy-env-reference above)"),
        "{stderr}"
    );

    // pmrc env writes the line into the rc file, and lists GitLab's own variables apart.
    let output = project
        .cmd(&["env", "--from", "npm", "--to", "npm", "--format", "gitlab"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "    //${CI_SERVER_HOST}/api/v4/projects/${CI_PROJECT_ID}/packages/npm/:_authToken=${CI_JOB_TOKEN}\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "# Set by GitLab itself in every job: CI_JOB_TOKEN, CI_PROJECT_ID, CI_SERVER_HOST\n"
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("CI secrets the job must provide"),
        "{stdout}"
    );
}

/// The refusal of a literal credential inside a URL says how to take it out in the source's
/// own file: Bun sends `${VAR}` in a URL as text (it expands only a whole `$VAR` value), so
/// "write it as `${VAR}` references" was advice that could not work there.
#[test]
fn env_refusal_advice_fits_the_file_holding_the_url() {
    let project = Project::with_files(&[(
        "bunfig.toml",
        "[install]\nregistry = \"https://npm.example.test/?token=fake-secret\"\n",
    )]);
    let output = run(&project, &["env", "--from", "bun", "--to", "npm"]);
    let stderr = String::from_utf8_lossy(&output.stderr).replace("\n    ", " ");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bunfig.toml:2: this URL holds a literal credential"),
        "{stderr}"
    );
    assert!(stderr.contains("token = \"$VAR\" }"), "{stderr}");
    assert!(!stderr.contains("${VAR}"), "{stderr}");
    assert!(!stderr.contains("fake-secret"), "{stderr}");
}

/// Review of the GitLab template fix: where a `//${HOST}/…/` key may and may not go.
#[test]
fn variable_in_credential_key_goes_only_where_it_is_expanded() {
    let stderr_of =
        |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).replace("\n    ", " ");
    // A literal registry with a reference key: Yarn 4 reads keys as written, so no
    // `npmRegistries` entry holding `${CI_SERVER_HOST}` is written, and the loss is reported.
    let project = Project::with_files(&[(
        ".npmrc",
        "@acme:registry=https://gitlab.example.com/api/v4/projects/42/packages/npm/\n//${CI_SERVER_HOST}/api/v4/projects/42/packages/npm/:_authToken=${CI_JOB_TOKEN}\n",
    )]);
    let output = project
        .cmd(&["convert", "--from", "npm", "--to", "yarn"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("${CI_SERVER_HOST}"), "{stdout}");
    assert!(
        stderr_of(&output).contains("warning[lossy-env-reference]: .npmrc:2: `//${CI_SERVER_HOST}/api/v4/projects/42/packages/npm/` names its registry through an environment variable, which yarn does not expand"),
        "{}",
        stderr_of(&output)
    );

    let template = "@acme:registry=https://${CI_SERVER_HOST}/npm/\n//${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}\n";
    let project = Project::with_files(&[(".npmrc", template)]);
    // Bun reads the rc file's keys as written: the line stays out, and the loss is said.
    let output = project
        .cmd(&["env", "--from", "npm", "--to", "bun"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains(":_authToken"), "{stdout}");
    assert!(
        stderr_of(&output).contains("warning[lossy-env-reference]"),
        "{}",
        stderr_of(&output)
    );
    // The rc file is checked as its reader, Bun, takes it, and the finding names Bun.
    let stderr = stderr_of(&output).replace("\n    ", " ");
    assert!(
        stderr.contains(
            "npm sends a bearer token (from $CI_JOB_TOKEN) but bun would send no credentials"
        ),
        "{stderr}"
    );
    // A variable's name is not expanded: GitHub's `env:` gets no `npm_config_//${…}` name,
    // the job writes the rc file, with the variables it names mapped from secrets.
    let output = project
        .cmd(&["env", "--from", "npm", "--to", "npm", "--format", "github"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("npm_config_//"), "{stdout}");
    assert!(
        stdout.contains("  CI_SERVER_HOST: ${{ secrets.CI_SERVER_HOST }}\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("      //${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}\n"),
        "{stdout}"
    );

    // In ~/.npmrc pnpm expands keys too: converting with --user keeps the line, no loss.
    let project = Project::with_files(&[]);
    std::fs::write(project.home.path().join(".npmrc"), template).unwrap();
    let output = project
        .cmd(&["convert", "--from", "npm", "--to", "pnpm@10", "--user"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(!stderr.contains("lossy-env-reference"), "{stderr}");
    assert!(!stderr.contains("credentials-differ"), "{stderr}");

    // npm would expand the key pmrc does not write: the finding gives the line to add.
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://${CI_SERVER_HOST}/npm\"\n    npmAuthToken: \"${CI_JOB_TOKEN}\"\n",
    )]);
    let output = project
        .cmd(&["convert", "--from", "yarn", "--to", "npm"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(
            "add it to .npmrc yourself: //${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("npm keys credentials by the registry's URL without expanding"),
        "{stderr}"
    );

    // npm's optional `${HOST?}`: its `?` is the reference's, not a query's (with the
    // variable set: unset, npm puts in an empty host).
    let project = Project::with_files(&[(
        ".npmrc",
        "@acme:registry=https://${CI_SERVER_HOST?}/npm/\n//${CI_SERVER_HOST?}/npm/:_authToken=${TOK}\n",
    )]);
    let output = project
        .cmd(&["explain", "@acme/x", "--manager", "npm"])
        .env("CI_SERVER_HOST", "gitlab.example.com")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("sends: Bearer ${TOK} (.npmrc:2)"),
        "{stdout}"
    );

    // A `CI_*` name GitLab does not set is a secret the job must provide.
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://npm.example.test/\n//npm.example.test/:_authToken=${CI_NPM_TOKEN}\n",
    )]);
    let output = project
        .cmd(&["env", "--from", "npm", "--to", "npm", "--format", "gitlab"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("# CI secrets the job must provide: CI_NPM_TOKEN\n"),
        "{stdout}"
    );
}

/// Yarn allows plain http only to hosts in `unsafeHttpWhitelist`, which holds hostname
/// patterns: for a registry whose host is a variable (it may hold a port too) pmrc wrote
/// `"\${REG_HOST\}"`, an entry that matches nothing.
#[test]
fn yarn_whitelist_is_not_written_for_a_variable_host() {
    let project = Project::with_files(&[(".npmrc", "@acme:registry=http://${REG_HOST}/npm/\n")]);
    let output = project
        .cmd(&["convert", "--from", "npm", "--to", "yarn"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).replace("\n    ", " ");
    assert!(!stdout.contains("unsafeHttpWhitelist"), "{stdout}");
    assert!(
        stderr.contains("allows plain http only to hosts listed in unsafeHttpWhitelist, and this registry's host comes from an environment variable (${REG_HOST})"),
        "{stderr}"
    );
}

/// Yarn expands values, never keys (spec/yarn.md A3): an `npmRegistries` key naming its host
/// through a variable never matches, though its registry URL names the same variable.
#[test]
fn yarn_never_matches_a_variable_in_an_npm_registries_key() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://${H}/npm\"\nnpmRegistries:\n  \"//${H}/npm\":\n    npmAuthToken: \"${T}\"\n",
    )]);
    let output = project
        .cmd(&[
            "explain",
            "@acme/x",
            "--manager",
            "yarn",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["managers"][0]["authorization"],
        serde_json::Value::Null,
        "{json}"
    );
    assert!(
        json["warnings"]
            .to_string()
            .contains("credential-key-reference"),
        "{json}"
    );
}

/// `pmrc doctor` for a manager that reads a `//${HOST}/…/` key as written: the token npm
/// sends is lost for it, a warning (exit 1), where a note let the check pass.
#[test]
fn doctor_warns_that_yarn_classic_never_matches_a_variable_key() {
    let project = Project::with_files(&[(
        ".npmrc",
        "@acme:registry=https://${CI_SERVER_HOST}/npm/\n//${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}\n",
    )]);
    let output = project
        .cmd(&["doctor", "--manager", "yarn-classic"])
        .output()
        .unwrap();
    // doctor prints its findings on stdout.
    let stderr = String::from_utf8_lossy(&output.stdout).replace("\n    ", " ");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("warning[credential-key-reference]: .npmrc:2: `//${CI_SERVER_HOST}/npm/` names its registry through an environment variable, which Yarn 1.22 does not expand"),
        "{stderr}"
    );
    let output = project
        .cmd(&["doctor", "--manager", "npm"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("credential-key-reference"), "{stdout}");
}

/// Second review of the `//${HOST}/` work: each path that cannot write such a key says so,
/// and none drops a token that another path carries.
#[test]
fn variable_keys_are_reported_on_every_path() {
    let stderr_of =
        |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).replace("\n    ", " ");
    // Yarn's scope token for a `${HOST}` registry into pnpm: its scope token line would be
    // keyed `//${HOST}/…/:@acme:_authToken`, which pmrc does not write: reported, with the
    // line for pnpm's user file, where pnpm expands it.
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://${CI_SERVER_HOST}/npm\"\n    npmAuthToken: \"${CI_JOB_TOKEN}\"\n",
    )]);
    let output = project
        .cmd(&["convert", "--from", "yarn", "--to", "pnpm@11", "--user"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("add it to ~/.npmrc (it expands a variable in a key only in its user file) yourself: //${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}"),
        "{stderr}"
    );
    assert!(!stderr.contains("pmrc keeps them there"), "{stderr}");

    // A whole-URL variable has no host and path to key by: no line is offered.
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"${REG}\"\nnpmAuthToken: \"${NPM_TOKEN}\"\n",
    )]);
    let output = project
        .cmd(&["convert", "--from", "yarn", "--to", "npm"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(stderr.contains("warning[lossy-env-reference]"), "{stderr}");
    assert!(!stderr.contains("${REG}:_authToken"), "{stderr}");

    // pmrc env for Yarn carries GitLab's token in the scope, as convert does.
    let project = Project::with_files(&[(
        ".npmrc",
        "@acme:registry=https://${CI_SERVER_HOST}/npm/\n//${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}\n",
    )]);
    let output = project
        .cmd(&["env", "--from", "npm", "--to", "yarn", "--format", "gitlab"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("    acme:\n")
            && stdout.contains("        npmAuthToken: \"${CI_JOB_TOKEN}\"\n"),
        "{stdout}"
    );
    assert!(
        !stderr_of(&output).contains("lossy-env-reference"),
        "{}",
        stderr_of(&output)
    );
}

/// explain says what happens here: with the variable a `//${HOST}/…/` key names set, npm
/// puts it into the key and matches a registry written out (conformance
/// `npm_variable_key_literal_registry_to_yarn`); unset, the key matches nothing.
#[test]
fn explain_puts_a_set_key_variable_in_as_npm_does() {
    let project = Project::with_files(&[(
        ".npmrc",
        "@acme:registry=https://gitlab.example.com/api/v4/projects/42/packages/npm/\n//${CI_SERVER_HOST}/api/v4/projects/42/packages/npm/:_authToken=${CI_JOB_TOKEN}\n",
    )]);
    let explain = |host: Option<&str>| {
        let mut cmd = project.cmd(&["explain", "@acme/x", "--manager", "npm", "--format", "json"]);
        match host {
            Some(h) => cmd.env("CI_SERVER_HOST", h),
            None => cmd.env_remove("CI_SERVER_HOST"),
        };
        let json: serde_json::Value =
            serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap();
        json["managers"][0]["authorization"].clone()
    };
    assert_eq!(
        explain(Some("gitlab.example.com")),
        serde_json::json!({"scheme": "bearer", "value": "${CI_JOB_TOKEN}"})
    );
    assert_eq!(explain(Some("other.example.com")), serde_json::Value::Null);
    assert_eq!(explain(None), serde_json::Value::Null);
}

/// Third review: a token in ~/.npmrc keyed through variables, for a scope whose registry the
/// project file holds, reaches Yarn through ~/.yarnrc.yml's part of the scope (Yarn merges
/// `npmScopes` entries key by key across files); `pmrc env` from a Yarn scope writes the key
/// line into the rc file npm reads.
#[test]
fn user_level_variable_key_reaches_yarn_and_env_from_yarn_keeps_it() {
    let project =
        Project::with_files(&[(".npmrc", "@acme:registry=https://${CI_SERVER_HOST}/npm/\n")]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "//${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}\n",
    )
    .unwrap();
    let output = project
        .cmd(&["convert", "--from", "npm", "--to", "yarn", "--user"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("+++ b/~/.yarnrc.yml\n@@ -0,0 +1,3 @@\n+npmScopes:\n+  acme:\n+    npmAuthToken: \"${CI_JOB_TOKEN}\"\n"),
        "{stdout}"
    );

    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://${CI_SERVER_HOST}/npm\"\n    npmAuthToken: \"${CI_JOB_TOKEN}\"\n",
    )]);
    let output = project
        .cmd(&["env", "--from", "yarn", "--to", "npm", "--format", "gitlab"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("    //${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}\n"),
        "{stdout}"
    );
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("lossy-env-reference"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Yarn 1 stops every command on an unset variable in the `.npmrc` it reads ("Failed to
/// replace env in config"); doctor said it only "gets no value from it".
#[test]
fn doctor_says_yarn_classic_stops_on_an_unset_npmrc_variable() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://npm.example.test/\n//npm.example.test/:_authToken=${PMRC_TEST_UNSET_TOKEN}\n",
    )]);
    let output = project
        .cmd(&["doctor", "--manager", "yarn-classic", "--env"])
        .env_remove("PMRC_TEST_UNSET_TOKEN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).replace("\n    ", " ");
    assert!(
        stdout.contains("error[env-unset]: .npmrc:2: PMRC_TEST_UNSET_TOKEN is unset: Yarn 1.22 stops every command with \"Failed to replace env in config: ${PMRC_TEST_UNSET_TOKEN}\""),
        "{stdout}"
    );
}

/// Advice is code: the line pmrc asks the user to add for npm (a key through the registry's
/// variables, which pmrc never writes) is recognised once added, so the advice and the
/// `credentials-differ` beside it go; a different token there is still reported.
#[test]
fn an_advised_variable_key_line_once_added_settles_the_check() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://${CI_SERVER_HOST}/npm\"\n    npmAuthToken: \"${CI_JOB_TOKEN}\"\n",
    )]);
    let run = |args: &[&str]| {
        let o = project.cmd(args).output().unwrap();
        String::from_utf8_lossy(&o.stderr).replace("\n    ", " ")
    };
    let stderr = run(&["convert", "--from", "yarn", "--to", "npm", "--write"]);
    let advised = "//${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}";
    assert!(
        stderr.contains(&format!("add it to .npmrc yourself: {advised}")),
        "{stderr}"
    );
    let npmrc = project.read(".npmrc").unwrap();
    std::fs::write(project.path().join(".npmrc"), format!("{npmrc}{advised}\n")).unwrap();

    let stderr = run(&["convert", "--from", "yarn", "--to", "npm", "--check"]);
    assert!(!stderr.contains("lossy-env-reference"), "{stderr}");
    assert!(!stderr.contains("credentials-differ"), "{stderr}");
    assert!(stderr.contains("already in sync"), "{stderr}");
    assert_eq!(
        project.read(".npmrc").unwrap(),
        format!("{npmrc}{advised}\n"),
        "the user's line stays as written"
    );

    std::fs::write(
        project.path().join(".npmrc"),
        format!("{npmrc}//${{CI_SERVER_HOST}}/npm/:_authToken=${{OTHER_TOKEN}}\n"),
    )
    .unwrap();
    let stderr = run(&["convert", "--from", "yarn", "--to", "npm", "--check"]);
    assert!(stderr.contains("warning[credentials-differ]"), "{stderr}");
}

#[test]
fn a_variable_key_line_only_the_target_reads_is_reported_as_a_difference() {
    // Yarn 1 reads the .npmrc but never matches a `//${HOST}/` key, so it sends no token;
    // npm, reading the same file, puts the variable in and sends one.
    let project = Project::with_files(&[(
        ".npmrc",
        "@acme:registry=https://${CI_SERVER_HOST}/npm/\n//${CI_SERVER_HOST}/npm/:_authToken=${CI_JOB_TOKEN}\n",
    )]);
    let o = project
        .cmd(&[
            "convert",
            "--from",
            "yarn-classic",
            "--to",
            "npm",
            "--check",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).replace("\n    ", " ");
    assert!(stderr.contains("warning[credentials-differ]"), "{stderr}");
    assert!(
        stderr.contains("yarn-classic sends no credentials") && stderr.contains("npm would send"),
        "{stderr}"
    );
    assert!(!stderr.contains("CI_JOB_TOKEN="), "{stderr}");

    // A literal token on that line (here in ~/.npmrc, for pnpm 11's auth.ini) is the
    // user's, never written by pmrc: no plain-text finding for it (review).
    let project = Project::with_files(&[(".npmrc", "")]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "@acme:registry=https://${CI_SERVER_HOST}/npm/\n//${CI_SERVER_HOST}/npm/:_authToken=fake-token-123\n",
    )
    .unwrap();
    let o = project
        .cmd(&[
            "convert",
            "--user",
            "--from",
            "yarn-classic",
            "--to",
            "pnpm@11",
        ])
        .env("XDG_CONFIG_HOME", project.home.path().join(".config"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("credentials-differ"), "{stderr}");
    assert!(!stderr.contains("plain-text-secret"), "{stderr}");
    assert!(!stderr.contains("fake-token-123"), "{stderr}");
}

/// A registry written through a variable and its key written out: npm puts the variable
/// into the URL before matching (a real run: conformance
/// `npm_variable_registry_literal_key_to_yarn1`); pnpm leaves a project file's `${…}` URL
/// aside whatever the variable holds.
#[test]
fn explain_puts_a_set_registry_variable_in_where_the_manager_expands_it() {
    let project = Project::with_files(&[(
        ".npmrc",
        "@acme:registry=https://${CI_SERVER_HOST}/npm/\n//gitlab.example.com/npm/:_authToken=${CI_JOB_TOKEN}\n",
    )]);
    let explain = |manager: &str, host: Option<&str>| {
        let mut cmd = project.cmd(&[
            "explain",
            "@acme/x",
            "--manager",
            manager,
            "--format",
            "json",
        ]);
        match host {
            Some(h) => cmd.env("CI_SERVER_HOST", h),
            None => cmd.env_remove("CI_SERVER_HOST"),
        };
        let json: serde_json::Value =
            serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap();
        (
            json["managers"][0]["url"].as_str().unwrap().to_string(),
            json["managers"][0]["authorization"].clone(),
        )
    };
    // The URL as written: a variable's value is never printed.
    assert_eq!(
        explain("npm", Some("gitlab.example.com")),
        (
            "https://${CI_SERVER_HOST}/npm/@acme%2fx".to_string(),
            serde_json::json!({"scheme": "bearer", "value": "${CI_JOB_TOKEN}"})
        )
    );
    assert_eq!(
        explain("npm", None),
        (
            "https://${CI_SERVER_HOST}/npm/@acme%2fx".to_string(),
            serde_json::Value::Null
        )
    );
    assert_eq!(
        explain("pnpm@11", Some("gitlab.example.com")),
        (
            "https://registry.npmjs.org/@acme%2fx".to_string(),
            serde_json::Value::Null
        )
    );
}

/// Review of the above: a variable's value in a registry URL is not printed (a Gemfury URL
/// holds its token in the path), and Yarn's `${X:-default}` takes its default when the
/// variable is unset or empty, as Yarn does.
#[test]
fn explain_prints_no_registry_variable_value_and_keeps_yarns_default() {
    let project = Project::with_files(&[(
        ".npmrc",
        "@b:registry=https://npm-proxy.fury.io/${FURY_TOKEN}/acme/\n//npm-proxy.fury.io/${FURY_TOKEN}/acme/:_authToken=${T}\n",
    )]);
    for format in ["text", "json"] {
        let out = project
            .cmd(&["explain", "@b/w", "--manager", "npm", "--format", format])
            .env("FURY_TOKEN", "fake-token-123")
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!printed.contains("fake-token-123"), "{printed}");
        assert!(printed.contains("${FURY_TOKEN}"), "{printed}");
        // The key matched is named as written too (second review).
        assert!(
            printed.contains("//npm-proxy.fury.io/${FURY_TOKEN}/acme/"),
            "{printed}"
        );
    }

    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://${HOST:-gl.example.com}/npm\"\nnpmRegistries:\n  \"//gl.example.com/npm\":\n    npmAuthToken: \"${T}\"\n",
    )]);
    for host in [None, Some(""), Some("other.example.com")] {
        let mut cmd = project.cmd(&[
            "explain",
            "@acme/w",
            "--manager",
            "yarn",
            "--format",
            "json",
        ]);
        match host {
            Some(h) => cmd.env("HOST", h),
            None => cmd.env_remove("HOST"),
        };
        let json: serde_json::Value =
            serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap();
        let expected = match host {
            Some("other.example.com") => serde_json::Value::Null,
            _ => serde_json::json!({"scheme": "bearer", "value": "${T}"}),
        };
        assert_eq!(json["managers"][0]["authorization"], expected, "{host:?}");
    }
}

/// Review: pnpm expands a reference in its global config.yaml (spec/pnpm-bun-deno.md §1.7),
/// so only the project's pnpm-workspace.yaml gets `pnpm-yaml-env-reference`.
#[test]
fn pnpm_global_config_yaml_references_are_not_reported_as_dropped() {
    let project = Project::with_files(&[(
        "package.json",
        "{\"name\":\"x\",\"packageManager\":\"pnpm@11.0.0\"}\n",
    )]);
    let config = project.home.path().join(".config");
    std::fs::create_dir_all(config.join("pnpm")).unwrap();
    std::fs::write(
        config.join("pnpm/config.yaml"),
        "registry: https://${REG}/\n",
    )
    .unwrap();
    let run = |project: &Project| {
        let o = project
            .cmd(&["show", "--user", "--manager", "pnpm@11"])
            .env("XDG_CONFIG_HOME", &config)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    assert!(!run(&project).contains("pnpm-yaml-env-reference"));
    std::fs::write(
        project.path().join("pnpm-workspace.yaml"),
        "registry: https://${REG}/\n",
    )
    .unwrap();
    assert!(run(&project).contains("warning[pnpm-yaml-env-reference]: pnpm-workspace.yaml:1"));
}

/// Second review: a conversion that writes npm's `${VAR?}` into an `.npmrc` Yarn 1 reads too
/// (the project has its `.yarnrc`) says that Yarn 1 would stop on it; without Yarn 1 in the
/// project, nothing is said.
#[test]
fn writing_an_optional_reference_yarn_classic_reads_is_reported() {
    let yarnrc_yml = "npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.acme.test\"\n    npmAuthToken: \"${TOKEN:-}\"\n";
    let with_yarn1 = Project::with_files(&[
        (".yarnrc", "registry \"https://registry.yarnpkg.com/\"\n"),
        (".yarnrc.yml", yarnrc_yml),
    ]);
    let without = Project::with_files(&[(".yarnrc.yml", yarnrc_yml)]);
    let stderr = |p: &Project| {
        let o = p
            .cmd(&["convert", "--from", "yarn", "--to", "npm"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stderr).replace("\n    ", " ")
    };
    assert!(
        stderr(&with_yarn1).contains(
            "warning[yarn-classic-optional-reference]: .npmrc:2: Yarn 1.22 reads this file too"
        ),
        "{}",
        stderr(&with_yarn1)
    );
    assert!(!stderr(&without).contains("yarn-classic-optional-reference"));
}

/// From a trial: package.json's `packageManager` naming Yarn 1, and a bunfig.toml alone, a
/// conversion from Bun to npm wrote an `.npmrc` with npm's `${ACME_TOKEN?}` and said nothing,
/// though Corepack runs Yarn 1 here and real Yarn 1.22.22 then stopped every command ("Failed
/// to replace env in config"). The manager packageManager names is in play like one whose own
/// file is here: both findings are said. The `?` stays: without it real npm 11.21.2 and
/// 12.2.2 sent `Bearer ${ACME_TOKEN}` with the variable unset, where Bun sent nothing.
#[test]
fn the_manager_package_json_names_is_a_reader_in_play_for_a_conversion() {
    let bunfig = "[install]\nregistry = \"https://registry.corp.test/\"\n\n[install.scopes]\nacme = { url = \"https://npm.acme.test/\", token = \"$ACME_TOKEN\" }\n";
    let stderr = |package_json: &str| {
        let project =
            Project::with_files(&[("bunfig.toml", bunfig), ("package.json", package_json)]);
        let o = project
            .cmd(&["convert", "--from", "bun", "--to", "npm"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        String::from_utf8_lossy(&o.stderr).replace("\n    ", " ")
    };
    let named = stderr(r#"{"name":"p","packageManager":"yarn@1.22.22"}"#);
    assert!(
        named.contains(
            "warning[yarn-classic-optional-reference]: .npmrc:3: Yarn 1.22 reads this file too, and `${ACME_TOKEN?}`"
        ),
        "{named}"
    );
    assert!(
        named.contains(
            "warning[present-reader-moved]: .npmrc:1: yarn-classic, which package.json's packageManager \"yarn@1.22.22\" names, reads .npmrc too"
        ) && named.contains("as Corepack runs yarn-classic here, convert to it as well"),
        "{named}"
    );
    // Another manager named, or none: Yarn 1 is not in play.
    for other in [
        r#"{"name":"p","packageManager":"npm@11.2.0"}"#,
        r#"{"name":"p"}"#,
    ] {
        let said = stderr(other);
        assert!(!said.contains("yarn-classic"), "{other}: {said}");
    }
}

#[test]
fn a_host_key_beside_a_variable_path_registry_is_kept_for_readers_that_walk_up() {
    // Deno walks up the registry's path and Bun takes the longest prefix: both take
    // `//npm.example.test/` for `https://npm.example.test/${ORG}/` whatever ORG holds, as
    // npm does. pmrc called the key lost and the credentials different.
    let project = Project::with_files(&[(
        ".npmrc",
        "@acme:registry=https://npm.example.test/${ORG}/\n//npm.example.test/:_authToken=${NPM_TOKEN}\n",
    )]);
    for target in ["deno", "bun"] {
        let o = project
            .cmd(&["convert", "--from", "npm", "--to", target])
            .env("ORG", "team")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{target}: {stderr}");
        assert!(!stderr.contains("warning["), "{target}: {stderr}");
    }
    let o = project
        .cmd(&["env", "--from", "npm", "--to", "bun"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("\n//npm.example.test/:_authToken=${NPM_TOKEN}\n"),
        "{stdout}"
    );
    assert!(stdout.contains("must provide: NPM_TOKEN, ORG"), "{stdout}");
}

#[test]
fn explain_says_when_a_reference_stops_the_manager_before_any_request() {
    // Yarn 1 looks up a variable named `ORG?` and stops whether ORG is set or not; Yarn 4
    // stops on its unset `${ORG}`; npm empties `${ORG?}` and goes on.
    let project = Project::with_files(&[
        (
            ".npmrc",
            "@acme:registry=https://npm.example.test/${ORG?}/\n",
        ),
        (
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.example.test/${ORG}/\"\n",
        ),
    ]);
    let explain = |org: Option<&str>| {
        let mut cmd = project.cmd(&["explain", "@acme/w", "--manager", "yarn-classic,yarn,npm"]);
        cmd.env_remove("ORG");
        if let Some(org) = org {
            cmd.env("ORG", org);
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    // The `stops:` line of the manager's block (its header indented two spaces).
    let stops = |text: &str, manager: &str| {
        text.lines()
            .skip_while(|l| !l.starts_with(&format!("  {manager}")))
            .skip(1)
            .take_while(|l| l.starts_with("    "))
            .find_map(|l| l.trim().strip_prefix("stops: "))
            .map(str::to_string)
    };
    let unset = explain(None);
    assert!(
        stops(&unset, "yarn-classic")
            .is_some_and(|s| s.contains("\"Failed to replace env in config: ${ORG?}\" (.npmrc:1)")),
        "{unset}"
    );
    assert!(
        stops(&unset, "yarn ").is_some_and(|s| s
            .contains("\"Environment variable not found (ORG)\" (.yarnrc.yml:3)")),
        "{unset}"
    );
    assert_eq!(stops(&unset, "npm "), None, "{unset}");
    let set = explain(Some("team"));
    assert!(stops(&set, "yarn-classic").is_some(), "{set}");
    assert_eq!(stops(&set, "yarn "), None, "{set}");
    // A default (Yarn Berry's form), which npm reads as text: Yarn 1 stops on it too.
    std::fs::write(
        project.path().join(".npmrc"),
        "@acme:registry=https://npm.example.test/${ORG:-team}/\n",
    )
    .unwrap();
    let default = explain(Some("team"));
    assert!(
        stops(&default, "yarn-classic").is_some_and(
            |s| s.contains("\"Failed to replace env in config: ${ORG:-team}\" (.npmrc:1)")
        ),
        "{default}"
    );
    assert_eq!(stops(&default, "npm "), None, "{default}");
}

/// Bun reads `.npmrc` in npm's notation and `bunfig.toml` in its own: each value, and each
/// route's credential, is printed as its file writes it (`$NPM_TOKEN` is no reference in
/// `.npmrc`, `${ORG:-}` no form of npm's).
#[test]
fn show_prints_bun_values_in_the_notation_of_their_file() {
    let project = Project::with_files(&[
        ("bun.lock", ""),
        (
            ".npmrc",
            "registry=https://npm.example.test/${ORG?}/\n//npm.example.test/:_authToken=${NPM_TOKEN}\n",
        ),
        (
            "bunfig.toml",
            "[install.scopes]\nacme = { url = \"https://acme.example.test/\", token = \"$ACME_TOKEN\" }\n",
        ),
    ]);
    let text =
        String::from_utf8_lossy(&run(&project, &["show", "--manager", "bun"]).stdout).into_owned();
    let row = |start: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("{start}: {text}"))
            .to_string()
    };
    assert!(
        row("registry ").contains("https://npm.example.test/${ORG?}/"),
        "{text}"
    );
    assert!(
        row("//npm.example.test/ token").contains(" ${NPM_TOKEN} "),
        "{text}"
    );
    assert!(row("@acme token").contains(" $ACME_TOKEN "), "{text}");
    assert!(
        row("unscoped packages").ends_with("Bearer ${NPM_TOKEN} (.npmrc:2)"),
        "{text}"
    );
    assert!(
        row("@acme/*").ends_with("Bearer $ACME_TOKEN (bunfig.toml:2)"),
        "{text}"
    );
    let explain = run(&project, &["explain", "left-pad", "--manager", "bun"]);
    let said = String::from_utf8_lossy(&explain.stdout);
    assert!(
        said.contains("sends: Bearer ${NPM_TOKEN} (.npmrc:2)"),
        "{said}"
    );
}

/// Yarn reads a file from the top: of two unset references, the `stops:` line names the one
/// on the earlier line, whichever setting it is.
#[test]
fn explain_stops_on_the_first_unset_reference_in_the_file() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://${PMRC_TEST_SCOPE_HOST}/\"\nnpmRegistryServer: \"https://${PMRC_TEST_DEFAULT_HOST}/\"\n",
    )]);
    let mut cmd = project.cmd(&["explain", "left-pad", "--manager", "yarn"]);
    cmd.env_remove("PMRC_TEST_SCOPE_HOST")
        .env_remove("PMRC_TEST_DEFAULT_HOST");
    let text = render(&cmd.output().unwrap());
    assert!(
        text.contains("\"Environment variable not found (PMRC_TEST_SCOPE_HOST)\" (.yarnrc.yml:3)"),
        "{text}"
    );
}

/// pnpm 10 ignores a whole file it expands (the user `.npmrc`) over one unset `${VAR}`;
/// pnpm 11 reads the value as empty and keeps the rest (spec pnpm-bun-deno.md, obs a16).
#[test]
fn pnpm_10_ignores_a_user_file_over_an_unset_variable() {
    let project = Project::with_files(&[("pnpm-workspace.yaml", "packages: []\n")]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "registry=https://npm.example.test/\n//npm.example.test/:_authToken=${PMRC_TEST_UNSET_TOKEN}\n",
    )
    .unwrap();
    let doctor = |manager: &str| {
        let mut cmd = project.cmd(&["doctor", "--user", "--env", "--manager", manager]);
        cmd.env_remove("PMRC_TEST_UNSET_TOKEN");
        render(&cmd.output().unwrap())
    };
    let pnpm10 = doctor("pnpm@10");
    assert!(
        pnpm10.contains("PMRC_TEST_UNSET_TOKEN is unset: pnpm 10 then ignores this whole file"),
        "{pnpm10}"
    );
    let pnpm11 = doctor("pnpm@11");
    assert!(
        pnpm11.contains("PMRC_TEST_UNSET_TOKEN is unset, so pnpm@11 gets no value from it"),
        "{pnpm11}"
    );
    // explain answers without the file (real pnpm 10.34.9 `config list`: the public
    // registry), and with it once the variable is set.
    let explain = |manager: &str, token: Option<&str>| {
        let mut cmd = project.cmd(&["explain", "left-pad", "--user", "--manager", manager]);
        cmd.env_remove("PMRC_TEST_UNSET_TOKEN");
        if let Some(token) = token {
            cmd.env("PMRC_TEST_UNSET_TOKEN", token);
        }
        render(&cmd.output().unwrap())
    };
    let unset = explain("pnpm@10", None);
    assert!(
        unset.contains("GET https://registry.npmjs.org/left-pad"),
        "{unset}"
    );
    assert!(
        unset.contains("PMRC_TEST_UNSET_TOKEN is unset here: pnpm 10 ignores the whole of"),
        "{unset}"
    );
    let set = explain("pnpm@10", Some("FAKE-token-0001"));
    assert!(
        set.contains("GET https://npm.example.test/left-pad"),
        "{set}"
    );
    let pnpm11 = explain("pnpm@11", None);
    assert!(
        pnpm11.contains("GET https://npm.example.test/left-pad"),
        "{pnpm11}"
    );
}

/// pnpm 10 expands every line of its user `.npmrc`, settings pmrc does not model and
/// credential keys too: an unset `${VAR}` in either drops the file (real pnpm 10.34.9
/// `config list`: "Failed to replace env in config: ${VAR}", the public registry).
#[test]
fn pnpm_10_drops_a_user_file_over_any_line_it_expands() {
    for (line, variable) in [
        (
            "cache=${PMRC_TEST_UNSET_CACHE}/npm",
            "PMRC_TEST_UNSET_CACHE",
        ),
        (
            "//${PMRC_TEST_UNSET_HOST}/:_authToken=FAKE-token-0001",
            "PMRC_TEST_UNSET_HOST",
        ),
    ] {
        let project = Project::with_files(&[("pnpm-workspace.yaml", "packages: []\n")]);
        std::fs::write(
            project.home.path().join(".npmrc"),
            format!("# ${{PMRC_TEST_IN_A_COMMENT}}\nregistry=https://npm.example.test/\n{line}\n"),
        )
        .unwrap();
        // Words as printed, whatever the wrapping.
        let run = |args: &[&str]| {
            let mut cmd = project.cmd(args);
            cmd.env_remove(variable)
                .env_remove("PMRC_TEST_IN_A_COMMENT");
            let text = render(&cmd.output().unwrap());
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        let doctor = run(&["doctor", "--user", "--env", "--manager", "pnpm@10"]);
        assert!(
            doctor.contains(&format!(
                "{variable} is unset: pnpm 10 then ignores this whole file (\"Failed to replace env in config: ${{{variable}}}\")"
            )),
            "{doctor}"
        );
        assert!(!doctor.contains("PMRC_TEST_IN_A_COMMENT"), "{doctor}");
        let explain = run(&["explain", "left-pad", "--user", "--manager", "pnpm@10"]);
        assert!(
            explain.contains("GET https://registry.npmjs.org/left-pad"),
            "{explain}"
        );
        assert!(
            explain.contains(&format!(
                "{variable} is unset here: pnpm 10 ignores the whole of"
            )),
            "{explain}"
        );
    }
}

/// Yarn 1 expands `.npmrc` lines only: a default form there stops it, nested in npm's
/// reference or not; the same text in a variable's value (`--env-file`) is taken as it is.
#[test]
fn yarn_classic_default_forms_stop_it_only_in_npmrc() {
    let project = Project::with_files(&[
        ("package.json", "{\"packageManager\": \"yarn@1.22.22\"}\n"),
        (
            ".npmrc",
            "@acme:registry=https://r.example.test/${PMRC_A:-${PMRC_B}}/\n//r.example.test/:_authToken=${PMRC_T:-FAKE-default-0001}\n",
        ),
    ]);
    let env_file = project.path().join("ci.env");
    std::fs::write(
        &env_file,
        "npm_config_registry=https://r.example.test/${PMRC_A:-b}/\n",
    )
    .unwrap();
    let out = project
        .cmd(&[
            "doctor",
            "--env",
            "--env-file",
            env_file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env_remove("PMRC_A")
        .env_remove("PMRC_B")
        .env_remove("PMRC_T")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    // A literal default in a credential is the secret: masked in the quoted error.
    assert!(!printed.contains("FAKE-default"), "{printed}");
    assert!(printed.contains("${PMRC_T:-***}"), "{printed}");
    // Yarn 1 never looks up the PMRC_B inside the name it takes: no env-unset for it.
    assert!(!printed.contains("PMRC_B is unset"), "{printed}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let flagged: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "yarn-classic-optional-reference")
        .map(|f| format!("{} {}", f["origin"]["file"], f["message"]))
        .collect();
    assert_eq!(flagged.len(), 2, "{flagged:?}");
    assert!(flagged.iter().all(|f| f.contains(".npmrc")), "{flagged:?}");
    assert!(
        flagged
            .iter()
            .any(|f| f.contains("Failed to replace env in config: ${PMRC_A:-${PMRC_B}")),
        "{flagged:?}"
    );
}

/// Yarn 4 reads references in a default (`${R:-${S}}`, spec/yarn.md): with R unset it meets
/// S, and stops when S is unset too; a default that is a reference alone is no literal
/// secret, and is printed as written.
#[test]
fn yarn_nested_default_is_a_reference_not_a_secret() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://npm.example.test\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"${PMRC_TEST_R:-${PMRC_TEST_S}}\"\n",
    )]);
    let run_with = |args: &[&str], s: Option<&str>| {
        let mut cmd = project.cmd(args);
        cmd.env_remove("PMRC_TEST_R").env_remove("PMRC_TEST_S");
        if let Some(s) = s {
            cmd.env("PMRC_TEST_S", s);
        }
        render(&cmd.output().unwrap())
    };
    let explain = run_with(&["explain", "left-pad", "--manager", "yarn"], None);
    assert!(
        explain.contains("\"Environment variable not found (PMRC_TEST_S)\" (.yarnrc.yml:3)"),
        "{explain}"
    );
    assert!(explain.contains("unset here: $PMRC_TEST_S "), "{explain}");
    assert!(
        explain.contains("sends: Bearer ${PMRC_TEST_R:-${PMRC_TEST_S}}"),
        "{explain}"
    );
    let doctor = run_with(&["doctor", "--env", "--manager", "yarn"], None);
    assert!(
        doctor.contains("PMRC_TEST_S is unset: Yarn 4 stops"),
        "{doctor}"
    );
    assert!(!doctor.contains("PMRC_TEST_R is unset"), "{doctor}");
    assert!(!doctor.contains("secret-file-permissions"), "{doctor}");
    let set = run_with(
        &["doctor", "--env", "--manager", "yarn"],
        Some("FAKE-token-0001"),
    );
    assert!(!set.contains("env-unset"), "{set}");
}

#[test]
fn show_takes_a_list_of_managers_as_explain_and_doctor_do() {
    let project = Project::with_files(&[(".npmrc", "registry=https://r.example.test/\n")]);
    let out = project
        .cmd(&["show", "--manager", "npm,pnpm@10"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("npm (npm 11/12 rules)"), "{text}");
    assert!(text.contains("pnpm@10 (pnpm 10 rules)"), "{text}");
    assert!(!text.contains("yarn"), "{text}");
}

#[test]
fn pnpm10_keeps_a_file_whose_reference_has_a_default_of_its_own() {
    // Real pnpm 10.34.9 drops a whole ~/.npmrc for `${VAR?}` or `${VAR:-}` ("Failed to
    // replace env in config") but reads one with `${VAR:-default}`, its scopes included.
    // It reads the file with ini 1.3.8, then replaces variables in each top-level key
    // and string value: comments, sections' contents and lists are never replaced in, and
    // a variable in a token helper is refused set or not (each checked with real pnpm
    // 10.34.9 `config list`).
    for (line, dropped) in [
        ("registry=${REG:-https://r.example.test/}", false),
        ("registry=${REG:-}", true),
        ("registry=${REG?}", true),
        ("registry=${REG-}", true),
        ("registry=${REG:?set REG}", true),
        ("registry=https://registry.npmjs.org/ # or ${REG?}", false),
        ("cache=\\${REG?}", false),
        ("list[]=${REG?}", false),
        ("[section]\nkey=${REG?}", false),
        ("[${REG?}]\nkey=1", true),
        ("tokenHelper=/usr/bin/helper-${HOME}", true),
        // ini 1.3.8 decodes in strict mode: a section named after a value throws.
        ("registry=https://r.example.test/\n[registry]\nb=1", true),
        ("a=\"\\u0024{REG?}\"", true),
    ] {
        let project = Project::with_files(&[("package.json", "{}\n")]);
        std::fs::write(
            project.home.path().join(".npmrc"),
            // The scope goes first, before any section, where every reader finds it.
            format!("@acme:registry=https://acme.example.test/\n{line}\n"),
        )
        .unwrap();
        let out = project
            .cmd(&["show", "--manager", "pnpm@10", "--user"])
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            printed.contains("pnpm10-drops-file"),
            dropped,
            "{line}: {printed}"
        );
        assert_eq!(
            printed.contains("@acme/* -> https://acme.example.test/"),
            !dropped,
            "{line}: {printed}"
        );
    }
}

#[test]
fn credentials_pnpm_ignores_in_the_project_get_one_finding_with_every_line_to_add() {
    // A large config had one finding, a paragraph long, per credential (issue 20).
    let npmrc: String = (1..=30)
        .map(|i| {
            format!("@s{i}:registry=https://r{i}.example.test/\n//r{i}.example.test/:_authToken=${{T{i}}}\n")
        })
        .collect();
    let project = Project::with_files(&[(".npmrc", npmrc.as_str())]);
    let out = project
        .cmd(&["convert", "--from", "npm", "--to", "pnpm@12"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr
            .matches("pnpm-env-credential-needs-user-file")
            .count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("]: .npmrc:2: pnpm 12 ignores the 30 credentials"),
        "{stderr}"
    );
    let added: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix('`')?.strip_suffix('`'))
        .filter(|l| l.contains(":_authToken="))
        .collect();
    let expected: Vec<String> = (1..=30)
        .map(|i| format!("//r{i}.example.test/:_authToken=${{T{i}}}"))
        .collect();
    assert_eq!(added, expected, "{stderr}");
}

/// Yarn 1's `.yarnrc` expands no references: `${H}` there is text, which Yarn 4 reads as
/// text only escaped, `\${H}`. Written so, the route compares alike: no false route-differs
/// (Yarn's `}` needs no escape; `\}` made the two renderings differ).
#[test]
fn yarnrc_literal_reference_converts_to_yarn_4_escaped() {
    let project = Project::with_files(&[
        ("package.json", "{\"packageManager\": \"yarn@1.22.22\"}\n"),
        (".yarnrc", "registry \"https://${PMRC_TEST_H}/\"\n"),
    ]);
    let out = project
        .cmd(&["convert", "--from", "yarn@1", "--to", "yarn@4"])
        .output()
        .unwrap();
    let text = render(&out);
    assert!(
        text.contains("+npmRegistryServer: \"https://\\\\${PMRC_TEST_H}\""),
        "{text}"
    );
    assert!(!text.contains("route-differs"), "{text}");
}

/// Literal registry text that each notation escapes its own way (npm's `\${`, a `${…}`
/// with a name no shell sets, Yarn's quoted `\\${`, Bun's none) is one registry to every
/// manager: converting it warns of no route difference, and doctor sees no drift.
#[test]
fn literal_registry_text_spelled_per_notation_is_no_route_difference() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://s.example/${H:-d}/\n@a:registry=https://t.example/x}y/\n@b:registry=https://u.example/\\${Q}/\n",
        ),
    ]);
    for to in ["yarn", "bun"] {
        let out = project
            .cmd(&["convert", "--from", "npm", "--to", to, "--write"])
            .output()
            .unwrap();
        let text = render(&out);
        assert!(out.status.success(), "{text}");
        if to == "yarn" {
            assert!(!text.contains("route-differs"), "{to}: {text}");
        } else {
            // Bun's planned value keeps the source line's place, and pmrc does not claim
            // to read an escaped `\${Q}` in an `.npmrc` as Bun does: that one is compared,
            // and told, by its spelling (a false warning left; doctor below sees none).
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(!text.contains("unscoped packages: npm requests"), "{text}");
            assert!(!text.contains("@a/*: npm requests"), "{text}");
        }
    }
    let yarnrc = std::fs::read_to_string(project.dir.path().join(".yarnrc.yml")).unwrap();
    assert!(
        yarnrc.contains("npmRegistryServer: \"https://u.example/\\\\${Q}\""),
        "{yarnrc}"
    );
    let doctor = render(
        &project
            .cmd(&["doctor", "--manager", "npm,yarn,bun"])
            .output()
            .unwrap(),
    );
    assert!(!doctor.contains("drift"), "{doctor}");
}

/// The other side of comparing registries as read: npm's `${Q}` and Bun's literal `${Q}`
/// are spelled alike and requested apart, and two defaults of one variable differ where it
/// is unset; doctor reports both as drift (a review found them hidden).
#[test]
fn registries_read_apart_are_drift_even_when_spelled_alike() {
    let doctor = |files: &[(&str, &str)], managers: &str, env: &[(&str, &str)]| {
        let project = Project::with_files(files);
        let mut cmd = project.cmd(&["doctor", "--manager", managers]);
        for (name, value) in env {
            cmd.env(name, value);
        }
        let text = render(&cmd.output().unwrap());
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let spelled_alike = doctor(
        &[
            ("package.json", "{}\n"),
            (".npmrc", "registry=https://u.example/${PMRC_TEST_Q}/\n"),
            (
                "bunfig.toml",
                "[install]\nregistry = \"https://u.example/${PMRC_TEST_Q}/\"\n",
            ),
        ],
        "npm,bun",
        &[("PMRC_TEST_Q", "abc")],
    );
    assert!(
        spelled_alike.contains("npm and bun route unscoped packages differently"),
        "{spelled_alike}"
    );
    // The message shows one URL twice: it says who reads it how.
    assert!(
        spelled_alike.contains("the same text, which npm expands and bun sends as written"),
        "{spelled_alike}"
    );
    let defaults = doctor(
        &[
            ("package.json", "{}\n"),
            (
                ".yarnrc.yml",
                "npmRegistryServer: \"https://${PMRC_TEST_H:-a.example}/\"\n",
            ),
            (".npmrc", "registry=https://${PMRC_TEST_H}/\n"),
        ],
        "yarn,npm",
        &[],
    );
    assert!(
        defaults.contains("npm and yarn route unscoped packages differently")
            || defaults.contains("yarn and npm route unscoped packages differently"),
        "{defaults}"
    );
    // One line of a shared .npmrc, which pmrc reads once in npm's notation: npm unescapes
    // `\\` before it looks for `${`, Bun counts the raw backslashes and expands (a second
    // review's request log: npm asked for `/b${Q}/`, Bun for `/b/qq/`).
    let shared_line = doctor(
        &[
            ("package.json", "{}\n"),
            (
                ".npmrc",
                "registry=https://u.example/b\\\\${PMRC_TEST_Q}/\n",
            ),
        ],
        "npm,bun",
        &[("PMRC_TEST_Q", "qq")],
    );
    assert!(
        shared_line.contains("npm and bun route unscoped packages differently"),
        "{shared_line}"
    );
}

/// npm's `${REG}` and the `$REG` pmrc writes for Bun are one registry wherever REG is set,
/// as `convert` says ("already in sync"): doctor must not call them drift.
#[test]
fn a_whole_value_reference_in_each_notation_is_no_drift() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".npmrc", "registry=${PMRC_TEST_REG}\n"),
        ("bunfig.toml", "[install]\nregistry = \"$PMRC_TEST_REG\"\n"),
        (".yarnrc.yml", "npmRegistryServer: \"${PMRC_TEST_REG}\"\n"),
    ]);
    let doctor = render(
        &project
            .cmd(&["doctor", "--manager", "npm,bun,yarn"])
            .env("PMRC_TEST_REG", "https://r.example/")
            .output()
            .unwrap(),
    );
    assert!(!doctor.contains("config-drift"), "{doctor}");
}

/// A `[name]` line with blanks before it is a key to npm's ini, so the settings after it
/// are read; Deno trims the line and takes it for a section. Real runs against a loopback
/// registry (npm 11.21.2, Bun 1.4.5, Yarn 1.22.22, pnpm 10.34.9, 11.28.11, 12.21.0 asked
/// the scoped registry for `@a/pkg`; Deno 2.9.6 the default one).
#[test]
fn an_indented_section_line_is_a_key_except_to_deno() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://top.example/\n  [s]\n@a:registry=https://scoped.example/\n",
        ),
    ]);
    for manager in [
        "npm",
        "bun",
        "yarn-classic",
        "pnpm@10",
        "pnpm@11",
        "pnpm@12",
        "deno",
    ] {
        let text = render(
            &project
                .cmd(&["explain", "@a/pkg", "--manager", manager])
                .output()
                .unwrap(),
        );
        let want = if manager == "deno" { "top" } else { "scoped" };
        assert!(
            text.contains(&format!("GET https://{want}.example/@a")),
            "{manager}: {text}"
        );
        assert_eq!(
            text.contains("npmrc-key-in-section"),
            manager == "deno",
            "{manager}: {text}"
        );
    }
    // Credentials after the line too: npm sends the token, Deno nothing.
    let token_after = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://top.example/\n  [s]\n//top.example/:_authToken=fake-token-after\n",
        ),
    ]);
    let explained = render(
        &token_after
            .cmd(&["explain", "left-pad", "--manager", "npm,deno"])
            .output()
            .unwrap(),
    );
    let (npm, deno) = explained.split_once("deno (").unwrap();
    assert!(npm.contains("sends: Bearer ***"), "{explained}");
    assert!(deno.contains("sends: no credentials"), "{explained}");
    // A key pmrc adds goes above that line, where Deno reads it too.
    let written = Project::with_files(&[
        ("package.json", "{}\n"),
        (".npmrc", "  [s]\n"),
        (
            ".yarnrc.yml",
            "npmScopes:\n  a:\n    npmRegistryServer: \"https://scoped.example\"\n",
        ),
    ]);
    let out = written
        .cmd(&["convert", "--from", "yarn", "--to", "deno,npm", "--write"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", render(&out));
    let npmrc = std::fs::read_to_string(written.dir.path().join(".npmrc")).unwrap();
    assert_eq!(npmrc, "@a:registry=https://scoped.example/\n  [s]\n");
}

/// npm reads `${A:-${B}}` as text around the reference `${B}` (it has no default form): the
/// `${A:-` and `}` are no secret of the file's, so a readable .npmrc holding it gets no
/// secret-file-permissions; a literal default (`${A:-FAKE…}`) is one, and does.
#[test]
fn npmrc_nested_default_is_no_literal_secret() {
    let doctor = |token: &str| {
        let project = Project::with_files(&[(
            ".npmrc",
            &format!(
                "registry=https://npm.example.test/\n//npm.example.test/:_authToken={token}\n"
            )[..],
        )]);
        let path = project.path().join(".npmrc");
        let mut mode = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut mode, 0o644);
        std::fs::set_permissions(&path, mode).unwrap();
        let mut cmd = project.cmd(&["doctor", "--manager", "npm"]);
        cmd.env("PMRC_TEST_S", "FAKE-token-0001");
        render(&cmd.output().unwrap())
    };
    let nested = doctor("${PMRC_TEST_R:-${PMRC_TEST_S}}");
    assert!(!nested.contains("secret-file-permissions"), "{nested}");
    let literal = doctor("${PMRC_TEST_R:-FAKE-default-0001}");
    assert!(literal.contains("secret-file-permissions"), "{literal}");
}

/// pnpm 10 ignores its whole user `.npmrc` while a `${VAR}` in it is unset: a conversion that
/// writes one there says so (routes, read from the model, cannot), and still says so when the
/// variable is set for the run: the user file serves every project of the user, wherever
/// the variable is unset (a review found another project's token lost that way).
#[test]
fn conversion_to_pnpm_10_says_it_drops_a_user_file_while_unset() {
    let project = Project::with_files(&[
        ("pnpm-workspace.yaml", "packages: []\n"),
        (
            ".npmrc",
            "//npm.example.test/:_authToken=${PMRC_TEST_UNSET_TOKEN}\n",
        ),
    ]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "registry=https://npm.example.test/\n",
    )
    .unwrap();
    let convert = |token: Option<&str>| {
        let mut cmd = project.cmd(&["convert", "--from", "npm", "--to", "pnpm@10", "--user"]);
        cmd.env_remove("PMRC_TEST_UNSET_TOKEN");
        if let Some(token) = token {
            cmd.env("PMRC_TEST_UNSET_TOKEN", token);
        }
        let text = render(&cmd.output().unwrap());
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let unset = convert(None);
    assert!(
        unset.contains("+//npm.example.test/:_authToken=${PMRC_TEST_UNSET_TOKEN}"),
        "{unset}"
    );
    assert!(
        unset.contains("note[reader-drops-file-while-unset]: ~/.npmrc:2: pnpm 10 ignores the whole of ~/.npmrc while PMRC_TEST_UNSET_TOKEN is unset"),
        "{unset}"
    );
    let set = convert(Some("FAKE-token-0001"));
    assert!(
        set.contains("note[reader-drops-file-while-unset]: ~/.npmrc:2: pnpm 10 ignores the whole of ~/.npmrc wherever PMRC_TEST_UNSET_TOKEN is unset (it is set here"),
        "{set}"
    );
}

/// pnpm 10 drops a project `.npmrc` over an unset `${VAR}` as it drops the user one (real
/// pnpm 10.34.9: `@acme:registry` gone, packages from the public registry); an inline
/// comment holding `${…}` is no part of a value, and keeps nothing from being read.
#[test]
fn pnpm_10_drops_a_project_npmrc_over_an_unset_variable() {
    let project = Project::with_files(&[
        ("pnpm-workspace.yaml", "packages: []\n"),
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.example/  # mirror of ${PMRC_TEST_IN_A_COMMENT}\n//npm.acme.example/:_authToken=${PMRC_TEST_UNSET_TOKEN}\n",
        ),
    ]);
    let run = |args: &[&str], token: Option<&str>| {
        let mut cmd = project.cmd(args);
        cmd.env_remove("PMRC_TEST_UNSET_TOKEN")
            .env_remove("PMRC_TEST_IN_A_COMMENT");
        if let Some(token) = token {
            cmd.env("PMRC_TEST_UNSET_TOKEN", token);
        }
        let text = render(&cmd.output().unwrap());
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let explain = ["explain", "@acme/w", "--manager", "pnpm@10"];
    let unset = run(&explain, None);
    assert!(
        unset.contains("GET https://registry.npmjs.org/@acme%2fw")
            || unset.contains("GET https://registry.npmjs.org/@acme/w"),
        "{unset}"
    );
    assert!(
        unset.contains("PMRC_TEST_UNSET_TOKEN is unset here: pnpm 10 ignores the whole of .npmrc"),
        "{unset}"
    );
    let set = run(&explain, Some("FAKE-token-0001"));
    assert!(set.contains("GET https://npm.acme.example/"), "{set}");
    assert!(!set.contains("PMRC_TEST_IN_A_COMMENT"), "{set}");
    let doctor = run(&["doctor", "--env", "--manager", "pnpm@10"], None);
    assert!(
        doctor.contains("PMRC_TEST_UNSET_TOKEN is unset: pnpm 10 then ignores this whole file"),
        "{doctor}"
    );
    assert!(!doctor.contains("gets no value from it"), "{doctor}");
    // show judges the file only when asked about an environment; then it lists no route
    // from it, and says why.
    let show_env = run(&["show", "--env", "--manager", "pnpm@10"], None);
    assert!(
        !show_env.contains("@acme/* -> https://npm.acme.example/"),
        "{show_env}"
    );
    assert!(
        show_env
            .contains("PMRC_TEST_UNSET_TOKEN is unset here: pnpm 10 ignores the whole of .npmrc"),
        "{show_env}"
    );
    let show_set = run(
        &["show", "--env", "--manager", "pnpm@10"],
        Some("FAKE-token-0001"),
    );
    assert!(
        show_set.contains("@acme/* -> https://npm.acme.example/"),
        "{show_set}"
    );
    let show = run(&["show", "--manager", "pnpm@10"], None);
    assert!(
        show.contains("@acme/* -> https://npm.acme.example/"),
        "{show}"
    );
}

/// doctor --env judges routes from the files each manager reads here: a user `.npmrc` pnpm 10
/// drops over an unset variable leaves it on the public registry, while npm reads the file,
/// which is drift between the two.
#[test]
fn doctor_env_drift_counts_a_file_pnpm_10_drops() {
    let project = Project::with_files(&[("pnpm-workspace.yaml", "packages: []\n")]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "registry=https://npm.example.test/\ncache=${PMRC_TEST_UNSET_CACHE}/npm\n",
    )
    .unwrap();
    let doctor = |extra: &[&str]| {
        let mut args = vec!["doctor", "--user", "--manager", "npm,pnpm@10"];
        args.extend_from_slice(extra);
        let mut cmd = project.cmd(&args);
        cmd.env_remove("PMRC_TEST_UNSET_CACHE");
        render(&cmd.output().unwrap())
    };
    let here = doctor(&["--env"]);
    assert!(here.contains("config-drift"), "{here}");
    // Without --env the files are judged as written: both read the same registry.
    let as_written = doctor(&[]);
    assert!(!as_written.contains("config-drift"), "{as_written}");
}

/// NPM_CONFIG_USERCONFIG naming the project's own `.npmrc`: npm skips its project file then,
/// and real pnpm 10, 11 and 12 sent the file's `${VAR}` token (which they ignore in a project
/// file) to a loopback registry. pmrc listed the file twice (each finding twice), and without
/// `--user` told pnpm it sends nothing and to pass `--user` to read the file it had read.
#[test]
fn a_userconfig_naming_the_project_npmrc_is_read_once_as_the_user_file() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://r.example.test/\n//r.example.test/:_authToken=${PMRC_TEST_UC_TOKEN}\n_auth=${PMRC_TEST_UC_AUTH}\n",
        ),
    ]);
    let env_file = project.path().join("ci.env");
    let npmrc = project.path().join(".npmrc");
    std::fs::write(
        &env_file,
        format!("NPM_CONFIG_USERCONFIG={}\n", npmrc.display()),
    )
    .unwrap();
    let file = env_file.to_str().unwrap();
    let words = |args: &[&str]| {
        let mut cmd = project.cmd(args);
        // Set, as in the job: pnpm 10 drops the whole file over an unset one.
        cmd.env("PMRC_TEST_UC_TOKEN", "fake-uc-token")
            .env("PMRC_TEST_UC_AUTH", "fake-uc-auth");
        let text = render(&cmd.output().unwrap());
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    for pnpm in ["pnpm@10", "pnpm@11", "pnpm@12"] {
        let explain = words(&["explain", "some-pkg", "--manager", pnpm, "--env-file", file]);
        assert!(
            explain.contains("sends: Bearer ${PMRC_TEST_UC_TOKEN}"),
            "{pnpm}: {explain}"
        );
        assert!(
            !explain.contains("user-files-not-read"),
            "{pnpm}: {explain}"
        );
        assert!(
            !explain.contains("pnpm-project-env-credential-ignored"),
            "{pnpm}: {explain}"
        );
    }
    let doctor = words(&["doctor", "--manager", "npm", "--user", "--env-file", file]);
    assert_eq!(
        doctor.matches("warning[npm-legacy-top-level-auth]").count(),
        1,
        "{doctor}"
    );
    // Deno reads no NPM_CONFIG_USERCONFIG: the file stays its project file.
    let deno = words(&["show", "--manager", "deno", "--env-file", file]);
    assert!(deno.contains("deno (Deno 2 rules), from .npmrc "), "{deno}");
}

/// Which `.npmrc` lines open a `[section]` differs per reader. Real installs of `@a/pkg`
/// against a loopback registry (`registry=…/top/`, the line, `@a:registry=…/scoped/`):
/// `[s]` sent every reader to /top/ but pnpm 12 (it skips section lines, spec obs e07);
/// `[s] ` sent Yarn 1.22.22, pnpm 10.34.9 and pnpm 12.21.0 to /scoped/ (ini 1.3.8 reads it as
/// a key) and npm 11, Bun 1.4.5, Deno 2.9.6 and pnpm 11.28.11 to /top/.
#[test]
fn a_section_line_is_read_per_reader() {
    let readers = "npm,bun,deno,yarn@1,pnpm@10,pnpm@11,pnpm@12";
    // `[a]b]`: a key in every ini (`[^\]]*`), a section to Deno alone (real runs, as above).
    let all_but_deno = &[
        "npm",
        "bun",
        "yarn-classic",
        "pnpm@10",
        "pnpm@11",
        "pnpm@12",
    ][..];
    for (line, scoped) in [
        ("[s]", &["pnpm@12"][..]),
        ("[s] ", &["yarn-classic", "pnpm@10", "pnpm@12"][..]),
        ("[a]b]", all_but_deno),
    ] {
        let project = Project::with_files(&[
            ("package.json", "{}\n"),
            (
                ".npmrc",
                &format!(
                    "registry=https://top.example.test/\n{line}\n@a:registry=https://scoped.example.test/\n"
                ),
            ),
        ]);
        let out = project
            .cmd(&[
                "explain",
                "@a/pkg",
                "--manager",
                readers,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for answer in json["managers"].as_array().unwrap() {
            let name = answer["manager"].as_str().unwrap();
            let want = if scoped.contains(&name) {
                "https://scoped.example.test/@a%2fpkg"
            } else {
                "https://top.example.test/@a%2fpkg"
            };
            assert_eq!(
                answer["url"].as_str(),
                Some(want),
                "{line:?} {name}: {answer}"
            );
        }
        if scoped.contains(&"npm") {
            continue;
        }
        // Translated for a reader that takes the key, the user's line stays and is reported.
        let convert = project
            .cmd(&["convert", "--from", "npm", "--to", "pnpm@12"])
            .output()
            .unwrap();
        let text = render(&convert);
        assert!(
            text.contains("warning[npmrc-section-read-apart]: .npmrc:3:"),
            "{line:?}: {text}"
        );
        // Nothing for pmrc to write, yet the files do not act alike: --check says so.
        let check = project
            .cmd(&["convert", "--from", "npm", "--to", "pnpm@12", "--check"])
            .output()
            .unwrap();
        assert_eq!(check.status.code(), Some(1), "{line:?}: {}", render(&check));
    }
}

/// pnpm 12 reads a value as the whole trimmed text after `=` (spec obs e03): real pnpm
/// 12.21.0 sent `Bearer fake-tok # trailing` and `Bearer fake\\tok` to a loopback registry
/// where npm 11, pnpm 10/11, Yarn 1, Bun and Deno sent `fake-tok` and `fake\tok`; with the
/// value in double quotes, all seven sent `fake-tok # trailing`.
#[test]
fn pnpm_12_keeps_inline_comments_and_backslashes_in_values() {
    // The text output: the JSON spells a literal in pmrc's notation, backslashes escaped.
    let token_of = |project: &Project, manager: &str| {
        let out = project
            .cmd(&["explain", "pkg", "--manager", manager, "--show-secrets"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
            let sent = l.trim().strip_prefix("sends: Bearer ")?;
            Some(
                sent.rsplit_once(" (.npmrc:")
                    .map_or(sent, |(token, _)| token)
                    .to_string(),
            )
        })
    };
    for (value, npm, pnpm12) in [
        ("fake-tok # trailing", "fake-tok", "fake-tok # trailing"),
        ("fake-tok ; trailing", "fake-tok", "fake-tok ; trailing"),
        ("fake\\\\tok", "fake\\tok", "fake\\\\tok"),
        (
            "\"fake-tok # trailing\"",
            "fake-tok # trailing",
            "fake-tok # trailing",
        ),
    ] {
        let project = Project::with_files(&[
            ("package.json", "{}\n"),
            (
                ".npmrc",
                &format!(
                    "registry=https://r.example.test/\n//r.example.test/:_authToken={value}\n"
                ),
            ),
        ]);
        for (manager, want) in [("npm", npm), ("pnpm@11", npm), ("pnpm@12", pnpm12)] {
            assert_eq!(
                token_of(&project, manager).as_deref(),
                Some(want),
                "{value}: {manager}"
            );
        }
        let to_pnpm = render(
            &project
                .cmd(&["convert", "--from", "npm", "--to", "pnpm@12"])
                .output()
                .unwrap(),
        );
        // Converted to pnpm 12, a line the two read apart is written so that they do not
        // (a_conversion_to_pnpm_12_writes_values_every_reader_reads_alike).
        assert!(!to_pnpm.contains("read-apart"), "{value}: {to_pnpm}");
        assert_eq!(
            to_pnpm.contains("--- a/.npmrc"),
            npm != pnpm12,
            "{value}: {to_pnpm}"
        );
    }
    // From pnpm 12, npm is given the value pnpm 12 sent, in quotes every reader decodes
    // alike (the "comment" is in it), and the preview masks all of it.
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://r.example.test/\n//r.example.test/:_authToken=fake-tok # trailing\n",
        ),
    ]);
    let preview = render(
        &project
            .cmd(&["convert", "--from", "pnpm@12", "--to", "npm"])
            .output()
            .unwrap(),
    );
    assert!(!preview.contains("trailing"), "{preview}");
    let doctor = render(
        &project
            .cmd(&["doctor", "--manager", "npm,pnpm@12"])
            .output()
            .unwrap(),
    );
    let doctor = doctor.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        doctor.contains("one line, .npmrc:2, read otherwise by each"),
        "{doctor}"
    );
    let out = project
        .cmd(&["convert", "--from", "pnpm@12", "--to", "npm", "--write"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(
        project.read(".npmrc").unwrap(),
        "registry=https://r.example.test/\n//r.example.test/:_authToken=\"fake-tok # trailing\"\n"
    );
    assert_eq!(
        token_of(&project, "npm").as_deref(),
        Some("fake-tok # trailing")
    );
    // A registry URL with its comment in it reaches nothing (real pnpm 12.21 asked
    // `/top/%20`): no translation of it, and nothing written.
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".npmrc", "registry=https://r.example.test/ # main\n"),
    ]);
    let out = project
        .cmd(&["convert", "--from", "pnpm@12", "--to", "npm", "--write"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    assert_eq!(
        project.read(".npmrc").unwrap(),
        "registry=https://r.example.test/ # main\n"
    );
    // explain shows the request pnpm 12 sends: the comment is a fragment, the blank `%20`.
    let explained = render(
        &project
            .cmd(&["explain", "pkg", "--manager", "pnpm@12"])
            .output()
            .unwrap(),
    );
    assert!(
        explained.contains("GET https://r.example.test/%20\n"),
        "{explained}"
    );
}

/// A conversion that gives npm pnpm 12's reading of a line (a token with an inline `# …`)
/// gives it to every reader that reads the line as npm does: real Bun, pnpm 10/11 and Deno
/// sent `fake-tok` before and send `fake-tok # trailing` after (the JSON-quoted value all
/// seven decode alike), and so does Yarn 1 for scoped packages (for unscoped ones it sends
/// no token without `always-auth`). The preview says who moves, and a manager pmrc.toml names
/// is kept as it was by refusing the write. So for a key after `[s] `, which pnpm 10 and 12
/// read and npm does not: npm is given it above the section, and Bun, pnpm 11 and Deno with it.
#[test]
fn a_rewrite_of_a_line_read_apart_names_the_readers_it_moves() {
    let npmrc =
        "registry=https://r.example.test/\n//r.example.test/:_authToken=fake-tok # trailing\n";
    let project = Project::with_files(&[("package.json", "{}\n"), (".npmrc", npmrc)]);
    let warning_of = |project: &Project, args: &[&str]| {
        let out = render(&project.cmd(args).output().unwrap());
        let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
        flat.split("warning[npmrc-rewrite-moves-readers]: ")
            .nth(1)
            .map(|w| w.split(" pnpm@1").next().unwrap_or(w).to_string())
    };
    let to_npm = warning_of(&project, &["convert", "--from", "pnpm@12", "--to", "npm"])
        .expect("the readers npm's new line moves are named");
    assert_eq!(
        to_npm,
        ".npmrc:2: pnpm 12 reads this line otherwise than npm does, and the file is written for \
         npm 11/12 as pnpm 12 reads it; Yarn 1.22, Bun 1.x, pnpm 10, pnpm 11 and Deno 2, which \
         read this file too, would then do otherwise than now: check that they should"
    );
    // A target is no bystander; a conversion that leaves the file does not move anyone.
    let to_npm_and_bun = warning_of(
        &project,
        &["convert", "--from", "pnpm@12", "--to", "npm,bun"],
    )
    .expect("still moves the others");
    assert!(
        to_npm_and_bun.contains("written for npm 11/12 and Bun 1.x as pnpm 12 reads it; Yarn 1.22, pnpm 10, pnpm 11 and Deno 2, which read"),
        "{to_npm_and_bun}"
    );
    assert_eq!(
        warning_of(&project, &["convert", "--from", "pnpm@12", "--to", "yarn"]),
        None
    );
    assert_eq!(
        warning_of(&project, &["convert", "--from", "npm", "--to", "pnpm@12"]),
        None
    );
    // Named in pmrc.toml, Yarn 1 must do what it did (for scoped packages): nothing is written.
    std::fs::write(
        project.path().join("pmrc.toml"),
        "[sync]\nfrom = \"pnpm@12\"\nto = [\"npm\", \"yarn@1\"]\n",
    )
    .unwrap();
    let out = project
        .cmd(&["convert", "--from", "pnpm@12", "--to", "npm", "--write"])
        .output()
        .unwrap();
    let refusal = render(&out);
    assert_eq!(out.status.code(), Some(2), "{refusal}");
    assert!(
        refusal.contains("yarn-classic, which pmrc.toml names, reads this file too"),
        "{refusal}"
    );
    assert_eq!(project.read(".npmrc").unwrap(), npmrc);
    // The key after `[s] ` stays; npm's copy above the section moves the readers that
    // skipped it, not Yarn 1, which read it already.
    let npmrc = "registry=https://r.example.test/\n[s] \n//r.example.test/:_authToken=fake-tok\n";
    let project = Project::with_files(&[("package.json", "{}\n"), (".npmrc", npmrc)]);
    for from in ["pnpm@10", "pnpm@12"] {
        let warning = warning_of(&project, &["convert", "--from", from, "--to", "npm"])
            .unwrap_or_else(|| panic!("{from}: the readers are named"));
        assert!(
            warning.starts_with(".npmrc:3: ")
                && warning.contains("; Bun 1.x, pnpm 11 and Deno 2, which read"),
            "{from}: {warning}"
        );
    }
}

/// A conversion to pnpm 12 writes the lines pnpm 12 would read otherwise than npm so that
/// both read npm's value: an inline comment goes on a line of its own above (real pnpm 12.21
/// then sent `fake-tok`, where it sent `fake-tok # note` before; conformance
/// `npm_to_pnpm12_inline_comment_moved`), a backslash value goes in double quotes. Lines
/// that are not pmrc's, and keys in a section npm skips, stay as written.
#[test]
fn a_conversion_to_pnpm_12_writes_values_every_reader_reads_alike() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://r.example.test/\n//r.example.test/:_authToken=fake-tok # note\n//r.example.test/:username=fake-user ; who\n//r.example.test/:_password=fake\\\\pass\nsave-exact=true # mine\n",
        ),
    ]);
    // pnpm 12 read the comment as part of the token: moved out, it is masked as it was.
    for format in ["text", "json", "markdown", "github"] {
        let preview = render(
            &project
                .cmd(&[
                    "convert", "--from", "npm", "--to", "pnpm@12", "--format", format,
                ])
                .output()
                .unwrap(),
        );
        assert!(!preview.contains("# note"), "{format}: {preview}");
    }
    let out = project
        .cmd(&["convert", "--from", "npm", "--to", "pnpm@12", "--write"])
        .output()
        .unwrap();
    let shown = render(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(!shown.contains("read-apart"), "{shown}");
    assert_eq!(
        project.read(".npmrc").unwrap(),
        "registry=https://r.example.test/\n# note\n//r.example.test/:_authToken=fake-tok\n; who\n//r.example.test/:username=fake-user\n//r.example.test/:_password=\"fake\\\\pass\"\nsave-exact=true # mine\n"
    );
    let check = project
        .cmd(&["convert", "--from", "npm", "--to", "pnpm@12", "--check"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", render(&check));
    // pnpm 12 and npm now send one token.
    for manager in ["npm", "pnpm@12"] {
        let explained = render(
            &project
                .cmd(&["explain", "pkg", "--manager", manager, "--show-secrets"])
                .output()
                .unwrap(),
        );
        assert!(
            explained.contains("sends: Bearer fake-tok (.npmrc:3)"),
            "{manager}: {explained}"
        );
    }
    // A `~/.npmrc` written for npm, which pnpm 12 reads beside its auth.ini, is mended too.
    let project = Project::with_files(&[("package.json", "{}\n")]);
    let user_npmrc = project.home.path().join(".npmrc");
    std::fs::write(
        &user_npmrc,
        "registry=https://r.example.test/\n//r.example.test/:_authToken=fake-tok # c\n",
    )
    .unwrap();
    let out = project
        .cmd(&[
            "convert",
            "--from",
            "pnpm@11",
            "--to",
            "npm,pnpm@12",
            "--user",
            "--write",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(
        std::fs::read_to_string(&user_npmrc).unwrap(),
        "registry=https://r.example.test/\n# c\n//r.example.test/:_authToken=fake-tok\n"
    );
}

/// How pnpm reads credentials, each against real pnpm 10.34.9, 11.28.11 and 12.21.0 and a
/// loopback registry (spec obs p17, u01, u04): 11 and 12 take `//host/path/@scope/` as a scope
/// token (`splitScopeFromRegistryByPath`), stop on an `_auth` they cannot decode, and 10
/// takes the credential written last of `_auth` and `username`/`_password`.
#[test]
fn pnpm_reads_credentials_as_pnpm_does() {
    let sends = |npmrc: &str, package: &str| {
        let project = Project::with_files(&[("package.json", "{}\n"), (".npmrc", npmrc)]);
        let out = project
            .cmd(&[
                "explain",
                package,
                "--manager",
                "npm,pnpm@10,pnpm@11,pnpm@12",
                "--show-secrets",
            ])
            .output()
            .unwrap();
        let text = render(&out);
        let sent: Vec<String> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("sends: "))
            .map(|s| s.split(" (").next().unwrap_or(s).to_string())
            .collect();
        (sent, text)
    };
    let (sent, text) = sends(
        "registry=https://r.example.test/npm/\n//r.example.test/@acme/:_authToken=fake-scope-tok\n",
        "@acme/widget",
    );
    assert_eq!(
        sent,
        [
            "no credentials",
            "no credentials",
            "Bearer fake-scope-tok",
            "Bearer fake-scope-tok"
        ],
        "{text}"
    );
    let (sent, text) = sends(
        "registry=https://r.example.test/\n//r.example.test/:_auth=dTpw\n//r.example.test/:username=bob\n//r.example.test/:_password=cGFzcw==\n",
        "pkg",
    );
    assert_eq!(
        sent,
        [
            "Basic dTpw",
            "Basic Ym9iOnBhc3M=",
            "Basic dTpw",
            "Basic dTpw"
        ],
        "{text}"
    );
    // The other order: pnpm 10 sends the later `_auth`, npm the token (real 10.34.9 and
    // npm 11.21.2), and names the `_auth` line.
    let (sent, text) = sends(
        "registry=https://r.example.test/\n//r.example.test/:_authToken=fake-tok\n//r.example.test/:_auth=dTpw\n",
        "pkg",
    );
    assert_eq!(
        sent,
        [
            "Bearer fake-tok",
            "Basic dTpw",
            "Bearer fake-tok",
            "Bearer fake-tok"
        ],
        "{text}"
    );
    assert!(text.contains("sends: Basic dTpw (.npmrc:3)"), "{text}");
    // Values are never shown: the difference names the line each side reads.
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://r.example.test/\n//r.example.test/:_authToken=fake-tok\n//r.example.test/:_auth=dTpw\n",
        ),
    ]);
    let doctor = render(
        &project
            .cmd(&["doctor", "--manager", "npm,pnpm@10"])
            .output()
            .unwrap(),
    );
    let doctor = doctor.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        doctor.contains("credentials from .npmrc:2 vs pnpm@10: https://r.example.test/, credentials from .npmrc:3"),
        "{doctor}"
    );
    for (auth, code) in [
        ("notbase64", "ERR_PNPM_AUTH_INVALID_BASE64"),
        ("YWJj", "ERR_PNPM_AUTH_MISSING_SEPARATOR"),
    ] {
        let (_, text) = sends(
            &format!("registry=https://r.example.test/\n//r.example.test/:_auth={auth}\n"),
            "pkg",
        );
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for pnpm in ["pnpm 11", "pnpm 12"] {
            assert!(
                words.contains(&format!("{pnpm} stops every command here ({code})")),
                "{auth}: {words}"
            );
        }
        assert!(!words.contains("pnpm 10 stops"), "{words}");
    }
    // pnpm 11 mends the padding only where the blanks leave it whole; pnpm 12 drops the
    // blanks first (real 11.28.11 stopped on `dT pw=`, 12.21.0 did not; both took `dTpw=`).
    let stops = |npmrc: &str| {
        let (_, text) = sends(npmrc, "pkg");
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        ["pnpm 11", "pnpm 12"].map(|pnpm| words.contains(&format!("{pnpm} stops every command")))
    };
    let r = "registry=https://r.example.test/\n";
    assert_eq!(
        stops(&format!("{r}//r.example.test/:_auth=dT pw=\n")),
        [true, false]
    );
    assert_eq!(
        stops(&format!("{r}//r.example.test/:_auth=dTpw=\n")),
        [false, false]
    );
    // A `_password` is decoded only beside a username (real 12.21.0).
    assert_eq!(
        stops(&format!("{r}//r.example.test/:_password=!!!notb64\n")),
        [false, false]
    );
    assert_eq!(
        stops(&format!(
            "{r}//r.example.test/:username=bob\n//r.example.test/:_password=!!!notb64\n"
        )),
        [true, true]
    );
}

/// pnpm 10 sends whichever of a token, `_auth` and a username/password pair was written last
/// for one key (spec obs u04), where npm takes the token, then `_auth`, then the pair. A
/// conversion from pnpm 10 carries the one pnpm 10 sends, for a registry and for a tarball
/// host alike; in the `.npmrc` both read, where npm would send another, that is reported and
/// no line is removed (other readers of the file may send it).
#[test]
fn pnpm_10_gives_a_target_the_credential_it_sends() {
    let head = "registry=https://r.example.test/\n";
    let token = |host: &str| format!("//{host}/:_authToken=fake-tok\n");
    let ident = |host: &str| format!("//{host}/:_auth=ZmFrZS11MTpmYWtlLXAx\n");
    let pair =
        |host: &str| format!("//{host}/:username=fake-u2\n//{host}/:_password=ZmFrZS1wMg==\n");
    let (u1, u2) = (
        "username = \"fake-u1\", password = \"fake-p1\"",
        "username = \"fake-u2\", password = \"fake-p2\"",
    );
    let r = "r.example.test";
    for (lines, bun_sends, npm_differs) in [
        ([ident(r), pair(r)], u2, true),
        ([pair(r), ident(r)], u1, false),
        ([token(r), ident(r)], u1, true),
        ([ident(r), token(r)], "token = \"fake-tok\"", false),
    ] {
        let npmrc = format!("{head}{}", lines.concat());
        let project = Project::with_files(&[("package.json", "{}\n"), (".npmrc", &npmrc)]);
        let to_bun = render(
            &project
                .cmd(&[
                    "convert",
                    "--from",
                    "pnpm@10",
                    "--to",
                    "bun",
                    "--show-secrets",
                ])
                .output()
                .unwrap(),
        );
        assert!(
            to_bun.contains(&format!(
                "url = \"https://r.example.test/\", {bun_sends} }}"
            )),
            "{npmrc}{to_bun}"
        );
        assert!(!to_bun.contains("credentials-differ"), "{npmrc}{to_bun}");
        let out = project
            .cmd(&["convert", "--from", "pnpm@10", "--to", "npm", "--write"])
            .output()
            .unwrap();
        let to_npm = render(&out);
        assert_eq!(out.status.code(), Some(0), "{to_npm}");
        assert_eq!(
            to_npm.contains("warning[credentials-differ]"),
            npm_differs,
            "{npmrc}{to_npm}"
        );
        assert_eq!(project.read(".npmrc").unwrap(), npmrc);
    }
    // A tarball host's credentials: Yarn is given the one pnpm 10 sends.
    let cdn = "cdn.example.test";
    let npmrc = format!("{head}{}{}{}", token(r), token(cdn), ident(cdn));
    let project = Project::with_files(&[("package.json", "{}\n"), (".npmrc", &npmrc)]);
    let to_yarn = render(
        &project
            .cmd(&[
                "convert",
                "--from",
                "pnpm@10",
                "--to",
                "yarn",
                "--show-secrets",
            ])
            .output()
            .unwrap(),
    );
    let cdn_entry = to_yarn
        .split("//cdn.example.test:")
        .nth(1)
        .and_then(|rest| rest.split("//r.example.test:").next())
        .expect("the tarball host is carried");
    assert!(
        cdn_entry.contains("npmAuthIdent") && !cdn_entry.contains("fake-tok"),
        "{to_yarn}"
    );
}

/// An `npmScopes` key written `"@acme"` names no scope: real Yarn 4 sends `@acme/*` to the
/// default registry (conformance `negative::at_sign_kept_in_yarn_scope`, spec/yarn.md
/// observation 6). `show` said Yarn sent them to the key's registry with the top-level token
/// (and doctor warned of that token spreading over http there), and `convert` wrote the
/// scope for npm, which then sent them somewhere Yarn never did.
#[test]
fn yarn_scope_key_with_at_routes_nothing() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmAuthToken: \"${TOP}\"\nnpmScopes:\n  \"@acme\":\n    npmRegistryServer: \"http://acme.example/\"\n",
    )]);
    let out = run(&project, &["show", "--manager", "yarn", "--format", "json"]);
    assert!(out.status.success(), "{}", render(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let routes = v["managers"][0]["routes"].as_array().unwrap().clone();
    // `null`: the manager's default registry, for the scope as for unscoped packages.
    assert_eq!(routes.len(), 2, "{routes:?}");
    assert!(routes.iter().all(|r| r["registry"].is_null()), "{routes:?}");
    let out = run(&project, &["doctor", "--manager", "yarn"]);
    let doctor = render(&out);
    assert!(doctor.contains("yarn-scope-with-at"), "{doctor}");
    assert!(!doctor.contains("credentials-over-http"), "{doctor}");
    assert!(!doctor.contains("acme.example"), "{doctor}");
    let out = run(
        &project,
        &["convert", "--from", "yarn", "--to", "npm", "--write"],
    );
    assert!(out.status.success(), "{}", render(&out));
    let npmrc = project.read(".npmrc").unwrap_or_default();
    assert!(!npmrc.contains("acme"), "{npmrc}");
    assert!(!render(&out).contains("route-differs"), "{}", render(&out));
}

/// An `npmRegistries` entry with `npmAlwaysAuth: true` and no token shadows the top-level
/// token, and Yarn 4 stops the unscoped request with YN0033 (spec/yarn.md observation 5):
/// `explain` said "credentials exist, but unscoped packages get them only with
/// npmAlwaysAuth: true", where npmAlwaysAuth is true.
#[test]
fn yarn_always_auth_without_credentials_is_yn0033() {
    let project = Project::with_files(&[(
        ".yarnrc.yml",
        "npmRegistryServer: \"https://r1.example/\"\nnpmAuthToken: \"${TOP:-}\"\nnpmRegistries:\n  \"//r1.example\":\n    npmAlwaysAuth: true\n",
    )]);
    let out = run(
        &project,
        &["explain", "lodash", "--manager", "yarn", "--format", "json"],
    );
    assert!(out.status.success(), "{}", render(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let why = v["managers"][0]["why"].to_string();
    assert!(why.contains("YN0033"), "{why}");
    assert!(v["managers"][0]["authorization"].is_null());
    let out = run(&project, &["explain", "@acme/x", "--manager", "yarn"]);
    assert!(!render(&out).contains("YN0033"), "{}", render(&out));
}

/// The project `bunfig.toml`'s `install.registry` replaces the global bunfig's whole entry,
/// token and all (spec pnpm-bun-deno.md §3.1, key-wise merge): real Bun 1.4.5 sent no token
/// with a project `registry = "…"` over a home `registry = { url, token }`, where pmrc said it
/// sent the home token (from a fresh-clone review). A scope only the home file declares
/// keeps its token.
#[test]
fn bun_project_registry_replaces_the_global_entry_whole() {
    let project = Project::with_files(&[(
        "bunfig.toml",
        "[install]\nregistry = \"https://r.example/\"\n",
    )]);
    std::fs::write(
        project.home.path().join(".bunfig.toml"),
        "[install]\nregistry = { url = \"https://r.example/\", token = \"$USERDEF\" }\n[install.scopes]\nkeep = { url = \"https://k.example/\", token = \"$K\" }\n",
    )
    .unwrap();
    let sends = |package: &str| {
        let out = run(
            &project,
            &[
                "explain",
                package,
                "--manager",
                "bun",
                "--user",
                "--format",
                "json",
            ],
        );
        assert!(out.status.success(), "{}", render(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["managers"][0]["authorization"].clone()
    };
    assert!(sends("left-pad").is_null());
    assert_eq!(sends("@keep/x")["value"], "${K:-}");
}

/// The lines pnpm's `pnpm-env-credential-needs-user-file` asks to add keep a value's
/// references readable and mask only its literal part: `literal-${SUFFIX}` was printed as
/// `***` whole, so the line could not be completed (from a fresh-clone review).
#[test]
fn pnpm_user_file_advice_masks_only_the_literal_part() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://r.example/\n//r.example/:_authToken=fakeliteral-${PMRC_TEST_SUFFIX}\n",
    )]);
    let out = run(&project, &["convert", "--from", "npm", "--to", "pnpm@12"]);
    let text = render(&out);
    assert!(
        text.contains("`//r.example/:_authToken=***${PMRC_TEST_SUFFIX}`"),
        "{text}"
    );
    assert!(!text.contains("fakeliteral"), "{text}");
}

/// From a trial: Yarn 1 sends no token for these keys (the unscoped one without
/// always-auth in .npmrc, the scoped one keyed at another path), and real Yarn 1.22 sent
/// none; pnpm 11 given them in auth.ini sent both. The preview asked to add them there; it
/// now says why it does not. (`@beta`, which only `.yarnrc` routes, is one pnpm must be given:
/// without it pnpm already does what Yarn 1 does and nothing is written, trial #7.)
#[test]
fn pnpm_user_file_advice_is_not_given_for_tokens_the_source_does_not_send() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (
            ".yarnrc",
            "\"@acme:registry\" \"http://127.0.0.1:4873/\"\n\"@beta:registry\" \"http://127.0.0.1:4873/\"\n",
        ),
        (
            ".npmrc",
            "registry=http://127.0.0.1:4872/npm/\n//127.0.0.1:4872/npm/:_authToken=${CORP_TOKEN}\n@acme:registry=http://127.0.0.1:4871/acme/\n//127.0.0.1:4871/:_authToken=${ACME_TOKEN}\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "yarn@1", "--to", "pnpm@11", "--format", "json",
        ],
    );
    let warnings = json_warnings(&out);
    let advice: Vec<&str> = warnings
        .iter()
        .filter(|w| w["code"] == "pnpm-env-credential-needs-user-file")
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    assert_eq!(advice.len(), 2, "{advice:?}");
    for said in advice {
        assert!(said.contains("does not suggest copying it"), "{said}");
        assert!(
            said.contains("yarn-classic sends no credentials but pnpm@11 would send"),
            "{said}"
        );
    }
}

/// npm keeps a `//` key from the environment as written, case included: real npm 11.21.2
/// and 12.2.2 sent no token from `npm_config_//127.0.0.1:PORT/:_authtoken` and sent the one
/// from `…:_authToken`. pmrc said nothing about the dead spelling.
#[test]
fn a_miscased_registry_token_variable_is_said_to_be_ignored_by_npm() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".npmrc", "@acme:registry=https://npm.acme.test/\n"),
    ]);
    let explain = |variable: &str| {
        let env_file = project.path().join("ci.env");
        std::fs::write(&env_file, format!("{variable}=FAKE-TOKEN\n")).unwrap();
        let out = project
            .cmd(&[
                "explain",
                "@acme/widgets",
                "--manager",
                "npm",
                "--env-file",
                env_file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        render(&out)
    };
    let dead = explain("npm_config_//npm.acme.test/:_authtoken");
    assert!(dead.contains("sends: no credentials"), "{dead}");
    assert!(
        dead.contains("warning[env-variable-ignored]") && dead.contains("spell it `_authToken`"),
        "{dead}"
    );
    let sent = explain("npm_config_//npm.acme.test/:_authToken");
    assert!(sent.contains("sends: Bearer ${npm_config_//"), "{sent}");
    assert!(!sent.contains("env-variable-ignored"), "{sent}");
}

/// From a trial: `convert --to pnpm@12 --user` wrote the scope's routing into auth.ini
/// beside its scope token, though the project's pnpm-workspace.yaml routes it: real pnpm 12
/// then sent every project's `@acme` packages there. The user file gets the token alone
/// (real pnpm 12.21 sent it so: the conformance case `yarn_per_scope_tokens_to_pnpm12_user`).
#[test]
fn a_scope_token_goes_to_the_user_file_without_the_project_s_routing() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            "bunfig.toml",
            "[install.scopes]\nacme = { url = \"https://npm.acme.test/acme/\", token = \"$ACME_TOKEN\" }\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "bun", "--to", "pnpm@12", "--user", "--write",
        ],
    );
    assert!(out.status.success(), "{}", render(&out));
    let auth_ini =
        std::fs::read_to_string(project.home.path().join(".config/pnpm/auth.ini")).unwrap();
    assert_eq!(
        auth_ini,
        "//npm.acme.test/acme/:@acme:_authToken=${ACME_TOKEN?}\n"
    );
    let workspace = project.read("pnpm-workspace.yaml").unwrap();
    assert!(
        workspace.contains("\"@acme\": \"https://npm.acme.test/acme/\""),
        "{workspace}"
    );
    // Another project of the user's gets no route for @acme from it.
    let other = Project::with_files(&[("package.json", "{}\n")]);
    let explained = other
        .cmd(&[
            "explain",
            "@acme/x",
            "--manager",
            "pnpm@12",
            "--user",
            "--format",
            "json",
        ])
        .env("HOME", project.home.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&explained.stdout).unwrap();
    assert_eq!(
        json["managers"][0]["url"], "https://registry.npmjs.org/@acme%2fx",
        "{json:#}"
    );
}

/// From a trial: a `_password` from a variable holding base64 stays in the `.npmrc` Bun
/// reads too, and real Bun 1.4.5 decoded it and sent the basic auth (the conformance case
/// `npm_password_env_kept_for_bun`); pmrc had warned that Bun would send nothing.
#[test]
fn a_base64_password_variable_kept_in_the_npmrc_bun_reads_is_no_loss() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@corp:registry=https://corp.example/\n//corp.example/:username=cu\n//corp.example/:_password=${CORP_PW_B64}\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "bun", "--format", "json",
        ],
    );
    let said: Vec<(String, String)> = json_warnings(&out)
        .iter()
        .map(|w| {
            (
                w["code"].as_str().unwrap().to_string(),
                w["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        said,
        [("lossy-basic-auth".to_string(), "note".to_string())],
        "{}",
        render(&out)
    );
}

/// From a trial: a key whose path differs from the registry's by case alone gets no
/// credentials from any manager (all real managers sent none), a common cause of a 401, and
/// explain said only that no key matches. It names the keys on the host that miss, and how.
#[test]
fn explain_names_the_keys_on_the_host_that_miss_the_request() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@d:registry=https://r.example/Reg/\n//r.example/reg/:_authToken=fake-case\n//r.example:8443/Reg/:_authToken=fake-port\n//other.example/Reg/:_authToken=fake-other\n",
        ),
    ]);
    let out = run(&project, &["explain", "@d/x", "--manager", "npm"]);
    let text = render(&out);
    assert!(
        text.contains("`//r.example/reg/` (its path differs from the request's by case)"),
        "{text}"
    );
    assert!(
        text.contains("`//r.example:8443/Reg/` (it names another port)"),
        "{text}"
    );
    assert!(!text.contains("other.example"), "{text}");
    // Bun's own reason said "no .npmrc key on its host" beside the list of those that miss.
    let bun = render(&run(&project, &["explain", "@d/x", "--manager", "bun"]));
    assert!(
        bun.contains("no .npmrc key on its host is a prefix of its path; on this host,"),
        "{bun}"
    );
}

/// From a trial: Bun's `username` and `$CORP_PASS` became Yarn's `corpuser:${CORP_PASS:-}`,
/// and pmrc warned that a literal secret was written as plain text: the literal part is the
/// user name. A literal password still is one.
#[test]
fn a_user_name_beside_a_password_reference_is_no_plain_text_secret() {
    let codes = |password: &str| {
        let project = Project::with_files(&[
            ("package.json", "{}\n"),
            (
                "bunfig.toml",
                &format!(
                    "[install.scopes]\ncorp = {{ url = \"https://corp.example/\", username = \"corpuser\", password = \"{password}\" }}\n"
                ),
            ),
        ]);
        json_warning_codes(&run(
            &project,
            &[
                "convert", "--from", "bun", "--to", "yarn", "--format", "json",
            ],
        ))
    };
    assert!(!codes("$CORP_PASS").contains(&"plain-text-secret".to_string()));
    assert!(codes("fake-literal-pass").contains(&"plain-text-secret".to_string()));
}

/// From a trial: `pmrc env` left the user's `~/.npmrc` out without a word, as `show` and
/// `convert` do not.
#[test]
fn env_names_the_user_file_it_did_not_read() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.test/\n//npm.acme.test/:_authToken=${ACME_TOKEN}\n",
        ),
    ]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "//npm.acme.test/:_authToken=FAKE-USER-TOKEN\n",
    )
    .unwrap();
    let codes = |extra: &[&str]| {
        let mut args = vec![
            "env", "--from", "npm", "--to", "pnpm@12", "--format", "json",
        ];
        args.extend(extra);
        json_warning_codes(&project.cmd(&args).output().unwrap())
    };
    assert!(codes(&[]).contains(&"user-files-not-read".to_string()));
    assert!(!codes(&["--user"]).contains(&"user-files-not-read".to_string()));
}

/// pnpm's unkeyed credentials from variables, as real pnpm ran them against a loopback
/// registry: 10.34.9 sent `NPM_CONFIG__AUTHTOKEN` (and `NPM_CONFIG__AUTH`) to
/// `NPM_CONFIG_REGISTRY`'s registry, and nothing to a project `.npmrc`'s registry when no
/// variable named one (pinned to npm's public registry, as a file's are); 11.28.11 and 12.21.0
/// sent no `PNPM_CONFIG__AUTHTOKEN` and stopped on a `PNPM_CONFIG__AUTH` that is not JSON.
/// pmrc had said pnpm 10 sends nothing, and 11/12 run on.
#[test]
fn pnpm_s_unkeyed_credentials_from_variables_are_read_as_pnpm_reads_them() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (".npmrc", "registry=https://project.example.test/\n"),
    ]);
    let explain = |manager: &str, variables: &str| {
        let env_file = project.path().join("ci.env");
        std::fs::write(&env_file, variables).unwrap();
        let out = project
            .cmd(&[
                "explain",
                "some-pkg",
                "--manager",
                manager,
                "--env-file",
                env_file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let text = render(&out);
        (
            text.split_whitespace().collect::<Vec<_>>().join(" "),
            out.status.code(),
        )
    };
    let registry = "NPM_CONFIG_REGISTRY=https://env.example.test/\n";
    for (variable, sends) in [
        (
            "NPM_CONFIG__AUTHTOKEN=fake-top-token\n",
            "sends: Bearer ${NPM_CONFIG__AUTHTOKEN}",
        ),
        (
            "NPM_CONFIG__AUTH=ZmFrZTpmYWtl\n",
            "sends: Basic ${NPM_CONFIG__AUTH}",
        ),
    ] {
        let (with_registry, _) = explain("pnpm@10", &format!("{registry}{variable}"));
        assert!(
            with_registry.contains("GET https://env.example.test/some-pkg")
                && with_registry.contains(sends),
            "{with_registry}"
        );
        let (alone, _) = explain("pnpm@10", variable);
        assert!(
            alone.contains("GET https://project.example.test/some-pkg")
                && alone.contains("sends: no credentials"),
            "{alone}"
        );
    }
    for pnpm in ["pnpm@11", "pnpm@12"] {
        let (token, _) = explain(
            pnpm,
            "PNPM_CONFIG_REGISTRY=https://env.example.test/\nPNPM_CONFIG__AUTHTOKEN=fake-top-token\n",
        );
        assert!(
            token.contains("sends: no credentials")
                && token.contains("warning[env-variable-ignored]: PNPM_CONFIG__AUTHTOKEN"),
            "{pnpm}: {token}"
        );
        let (not_json, _) = explain(pnpm, "PNPM_CONFIG__AUTH=ZmFrZTpmYWtl\n");
        assert!(
            not_json.contains("error[env-variable-fatal]: PNPM_CONFIG__AUTH")
                && not_json.contains("its value is not JSON"),
            "{pnpm}: {not_json}"
        );
    }
}

/// From a trial: `pmrc env` from a pnpm 11 project whose `.npmrc` holds a literal token
/// printed `${NAME}` for it and then said pnpm sends no credentials (it read the reference as
/// a `${VAR}` in the project file, which pnpm ignores); real pnpm 11 sent the token. The
/// job's variable is not the project file's.
#[test]
fn env_from_pnpm_with_a_literal_token_is_not_called_different() {
    let project = Project::with_files(&[
        ("package.json", "{\"packageManager\":\"pnpm@11.28.11\"}\n"),
        (
            "pnpm-workspace.yaml",
            "registries:\n  \"@corp\": \"https://npm.corp.example.test/\"\n",
        ),
        (
            ".npmrc",
            "//npm.corp.example.test/:_authToken=npm_FAKE_LITERAL\n",
        ),
    ]);
    for to in ["bun", "yarn", "npm"] {
        let out = project.cmd(&["env", "--to", to]).output().unwrap();
        let text = render(&out);
        assert_eq!(out.status.code(), Some(0), "{to}: {text}");
        assert!(text.contains("env-literal-secret"), "{to}: {text}");
        assert!(!text.contains("credentials-differ"), "{to}: {text}");
        assert!(!text.contains("npm_FAKE_LITERAL"), "{to}: {text}");
    }
}

/// Bun's token written with its default registry goes with that registry: real Bun 1.4.5
/// with `BUN_CONFIG_REGISTRY` (or `NPM_CONFIG_REGISTRY`) asked the variable's registry with
/// no credentials, and with `NPM_CONFIG_TOKEN` too sent that. pmrc had said it sent
/// bunfig.toml's token to the variable's registry.
#[test]
fn a_registry_from_a_variable_takes_bun_s_default_registry_token_with_it() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            "bunfig.toml",
            "[install]\nregistry = { url = \"https://file.example.test/\", token = \"npm_FAKE_BUNFIG\" }\n",
        ),
    ]);
    let sends = |variables: &str| {
        let env_file = project.path().join("ci.env");
        std::fs::write(&env_file, variables).unwrap();
        let out = project
            .cmd(&[
                "explain",
                "left-pad",
                "--manager",
                "bun",
                "--env-file",
                env_file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let text = render(&out);
        text.lines()
            .filter(|l| l.trim_start().starts_with("GET") || l.trim_start().starts_with("sends:"))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" | ")
    };
    for variable in ["BUN_CONFIG_REGISTRY", "NPM_CONFIG_REGISTRY"] {
        assert_eq!(
            sends(&format!("{variable}=https://env.example.test/\n")),
            "GET https://env.example.test/left-pad | sends: no credentials"
        );
    }
    let with_token =
        sends("BUN_CONFIG_REGISTRY=https://env.example.test/\nNPM_CONFIG_TOKEN=fake-env-token\n");
    assert!(
        with_token.starts_with(
            "GET https://env.example.test/left-pad | sends: Bearer ${NPM_CONFIG_TOKEN} (NPM_CONFIG_TOKEN ("
        ),
        "{with_token}"
    );
}

/// pnpm 11/12's `pnpm_config__auth` in a dotenv file is its JSON single-quoted as it is:
/// Node's `--env-file` takes no `\"` in double quotes, and the JSON pmrc printed there came
/// out broken (from a trial). Real pnpm 11.28.11 run as `node --env-file=ci.env` then sent
/// the token, expanding `${T}` in the JSON itself.
#[test]
fn a_dotenv_file_s_json_value_loads_without_escapes() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://r.example.test/\n//r.example.test/:_authToken=${T}\n",
        ),
    ]);
    let out = project
        .cmd(&[
            "env", "--from", "npm", "--to", "pnpm@11", "--format", "dotenv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix("pnpm_config__auth="))
        .unwrap_or_else(|| panic!("{text}"));
    let json = value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .unwrap_or_else(|| panic!("not single-quoted: {value}"));
    let parsed: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(
        parsed["https://r.example.test/"]["@"]["authToken"], "${T}",
        "{json}"
    );
}

/// A project without config files of its own: the refusal says how to look anyway (from a
/// trial, `--user` alone found nothing, and the message never named `--manager`), and that
/// way works.
#[test]
fn no_config_here_names_the_way_to_look_anyway() {
    let project = Project::with_files(&[("package.json", "{}\n")]);
    let out = project.cmd(&["show", "--user"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let message = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert!(
        message.contains("name the managers with --manager M[,M...]"),
        "{message}"
    );
    let out = project
        .cmd(&["show", "--user", "--manager", "npm,yarn"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
}

/// From a trial: with Bun among several targets, the later round that translates from the
/// `.npmrc` written for npm called npm's new line (here line 6) and the default registry's
/// ignored `${VAR}` token unused. Every finding names a line the user wrote, and a
/// credential of a registry in use is not said to be unused.
#[test]
fn findings_with_bun_among_several_targets_name_only_the_user_s_lines() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        ("pnpm-lock.yaml", ""),
        (
            ".npmrc",
            "registry=http://127.0.0.1:4873/\n@acme:registry=http://127.0.0.1:4874/corp/\n//127.0.0.1:4873/:_authToken=${MAIN_TOKEN}\n//127.0.0.1:4874/corp/:_auth=${CORP_AUTH}\n//127.0.0.1:4874/:_authToken=npm_FAKE_hostonly\n",
        ),
    ]);
    for to in ["bun", "npm,bun", "npm,yarn-classic,bun,deno"] {
        let out = run(
            &project,
            &[
                "convert", "--from", "pnpm@10", "--to", to, "--format", "json",
            ],
        );
        let warnings = json_warnings(&out);
        assert!(
            !warns(&out, "unused-credential"),
            "--to {to}: {}",
            render(&out)
        );
        assert!(
            warnings
                .iter()
                .filter_map(|w| w["origin"]["line"].as_u64())
                .all(|line| (1..=5).contains(&line)),
            "--to {to}: {}",
            render(&out)
        );
    }
}

/// From a trial: a registry URL's userinfo or `?token=` went into the committed
/// dependabot.yml as it was (the preview masked it, so a reviewer could not see it). The
/// entry's url is written without them, and that is said.
#[test]
fn credentials_in_a_registry_url_are_not_written_into_dependabot_yml() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://ci-user:npm_FAKE_urlpass1@registry.corp.example/npm/\n@acme:registry=https://npm.acme.example/?token=npm_FAKE_query2\n@beta:registry=https://npm_FAKE_lonetok3@beta.example/\n",
        ),
        (".git/HEAD", "ref: refs/heads/main\n"),
    ]);
    let out = run(
        &project,
        &[
            "convert",
            "--from",
            "npm",
            "--to",
            "dependabot",
            "--write",
            "--format",
            "json",
        ],
    );
    let written = project.read(DEPENDABOT).unwrap();
    assert!(!written.contains("npm_FAKE"), "{written}");
    for url in [
        "https://registry.corp.example/npm/",
        "https://npm.acme.example/",
        "https://beta.example/",
    ] {
        assert!(written.contains(&format!("url: \"{url}\"")), "{written}");
    }
    let codes = json_warning_codes(&out);
    assert_eq!(
        codes
            .iter()
            .filter(|c| *c == "dependabot-literal-secret")
            .count(),
        3,
        "{}",
        render(&out)
    );
}

/// From a trial: with a literal token in the source, `sync` to Dependabot removed the entry's
/// working `token: ${{ secrets.CORP_TOKEN }}` (pmrc writes no literal secret there), and
/// Dependabot then sent nothing. The user's reference stays, and that is said.
#[test]
fn a_dependabot_secret_reference_stays_where_the_source_holds_a_literal_token() {
    let yml = "version: 2\nregistries:\n  corp:\n    type: npm-registry\n    url: https://registry.corp.example/npm\n    token: ${{ secrets.CORP_TOKEN }}\n    replaces-base: true\nupdates:\n  - package-ecosystem: \"npm\"\n    directory: \"/\"\n    schedule:\n      interval: \"weekly\"\n    registries:\n      - corp\n";
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://registry.corp.example/npm/\n//registry.corp.example/npm/:_authToken=npm_FAKE_literal123\n",
        ),
        (DEPENDABOT, yml),
    ]);
    let out = run(
        &project,
        &[
            "convert",
            "--from",
            "npm",
            "--to",
            "dependabot",
            "--write",
            "--format",
            "json",
        ],
    );
    assert_eq!(project.read(DEPENDABOT).unwrap(), yml, "{}", render(&out));
    let note = json_warnings(&out)
        .into_iter()
        .find(|w| w["code"] == "dependabot-literal-secret")
        .unwrap_or_else(|| panic!("{}", render(&out)));
    assert_eq!(note["severity"], "note");
    assert!(
        note["message"]
            .as_str()
            .unwrap()
            .contains("secrets.CORP_TOKEN")
    );
}

/// From a CI trial: the source's `${NPM_TOKEN}` swapped the entry's working
/// `token: ${{ secrets.CORP_TOKEN }}` for `${{secrets.NPM_TOKEN}}`, which no Dependabot secret
/// held (Dependabot secrets are a store of their own), and nothing was said. The entry keeps
/// its secret, by `convert` and by `sync`, and a note names both.
#[test]
fn a_dependabot_secret_of_another_name_than_the_source_s_variable_stays() {
    let yml = "version: 2\nregistries:\n  acme:\n    type: npm-registry\n    url: https://npm.acme.example/\n    token: ${{ secrets.CORP_TOKEN }}\n    scope: \"@acme\"\nupdates:\n  - package-ecosystem: \"npm\"\n    directory: \"/\"\n    schedule:\n      interval: \"weekly\"\n    registries:\n      - acme\n";
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${NPM_TOKEN}\n",
        ),
        (DEPENDABOT, yml),
        (
            "pmrc.toml",
            "[sync]\nfrom = \"npm\"\nto = [\"dependabot\"]\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert",
            "--from",
            "npm",
            "--to",
            "dependabot",
            "--write",
            "--format",
            "json",
        ],
    );
    assert_eq!(project.read(DEPENDABOT).unwrap(), yml, "{}", render(&out));
    let note = json_warnings(&out)
        .into_iter()
        .find(|w| w["code"] == "dependabot-secret-kept")
        .unwrap_or_else(|| panic!("{}", render(&out)));
    assert_eq!(note["severity"], "note");
    let message = note["message"].as_str().unwrap();
    assert!(
        message.contains("secrets.CORP_TOKEN") && message.contains("NPM_TOKEN"),
        "{message}"
    );
    let check = run(&project, &["sync", "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", render(&check));
    assert_eq!(project.read(DEPENDABOT).unwrap(), yml);
}

/// From a CI trial: `--to dependabot` added `scope:` to an existing entry, unsaid; with a
/// scope Dependabot ignores the committed `.npmrc`, whose `legacy-peer-deps=true` then no
/// longer applies to its updates. That is said, naming the setting; not where the committed
/// `.npmrc` holds only routes and credentials, nor where an entry already has a scope.
#[test]
fn dependabot_s_first_scope_names_the_npmrc_settings_it_stops_reading() {
    let entry = |scope: &str| {
        format!(
            "version: 2\nregistries:\n  acme:\n    type: npm-registry\n    url: https://npm.acme.example/\n    token: ${{{{secrets.NPM_TOKEN}}}}\n{scope}updates:\n  - package-ecosystem: \"npm\"\n    directory: \"/\"\n    schedule:\n      interval: \"weekly\"\n    registries:\n      - acme\n"
        )
    };
    let said = |extra: &str, yml: &str| {
        let project = Project::with_files(&[
            ("package.json", "{}\n"),
            (
                ".npmrc",
                &format!(
                    "@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${{NPM_TOKEN}}\n{extra}"
                ),
            ),
            (DEPENDABOT, yml),
        ]);
        let out = run(
            &project,
            &[
                "convert",
                "--from",
                "npm",
                "--to",
                "dependabot",
                "--format",
                "json",
            ],
        );
        json_warnings(&out)
            .into_iter()
            .filter(|w| w["code"] == "dependabot-scope-ignores-npmrc")
            .map(|w| w["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let messages = said("legacy-peer-deps=true\n", &entry(""));
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("`legacy-peer-deps` (line 3)") && messages[0].contains("@acme"),
        "{messages:?}"
    );
    assert_eq!(said("", &entry("")), Vec::<String>::new());
    assert_eq!(
        said("legacy-peer-deps=true\n", &entry("    scope: \"@acme\"\n")),
        Vec::<String>::new()
    );
}

/// From a trial: a registry with a client certificate and no token got
/// `npmAlwaysAuth: true` in Yarn's file, and real Yarn 4.18.1 then stopped every request
/// ("No authentication configured for request"); without it Yarn presented the certificate.
/// Yarn presents a certificate to its host whatever npmAlwaysAuth says.
#[test]
fn a_client_certificate_alone_gets_no_always_auth_for_yarn() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://registry.test:4445/\n//registry.test:4445/:certfile=/certs/cli.pem\n//registry.test:4445/:keyfile=/certs/cli.key\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "yarn", "--write", "--format", "json",
        ],
    );
    let written = project.read(".yarnrc.yml").unwrap();
    assert!(!written.contains("npmAlwaysAuth"), "{written}");
    assert!(
        written.contains("httpsCertFilePath: /certs/cli.pem"),
        "{written}"
    );
    assert!(
        json_warning_codes(&out)
            .iter()
            .all(|c| c == "user-files-not-read" || c == "client-certificate-per-host"),
        "{}",
        render(&out)
    );
    let doctor = run(
        &project,
        &["doctor", "--manager", "yarn", "--format", "json"],
    );
    assert!(
        !String::from_utf8_lossy(&doctor.stdout).contains("yarn-always-auth-without-credentials"),
        "{}",
        render(&doctor)
    );
}

/// From a trial, with real Yarn 1.22.22 and a logging proxy: npm's `noproxy` kept the
/// registry off the proxy, Yarn 1 reads no `noproxy`, and the `proxy=` pmrc added for Yarn 1's
/// http requests sent the token through the proxy in clear text. No proxy line is added for
/// Yarn 1 beside a `noproxy`, and the loss is said.
#[test]
fn no_proxy_line_is_added_for_yarn_classic_beside_a_noproxy() {
    let npmrc = "registry=http://registry.test:4873/\nhttps-proxy=http://127.0.0.1:8080/\nnoproxy=registry.test\n//registry.test:4873/:_authToken=npm_FAKE_n1\n";
    let project = Project::with_files(&[("package.json", "{}\n"), (".npmrc", npmrc)]);
    let out = run(
        &project,
        &[
            "convert",
            "--from",
            "npm",
            "--to",
            "yarn-classic",
            "--write",
            "--format",
            "json",
        ],
    );
    let written = project.read(".npmrc").unwrap();
    assert!(!written.contains("\nproxy="), "{written}");
    assert!(warns(&out, "lossy-noproxy"), "{}", render(&out));
    let show = run(
        &project,
        &["show", "--manager", "yarn-classic", "--format", "json"],
    );
    assert!(
        String::from_utf8_lossy(&show.stdout).contains("\"yarn-classic-npmrc-setting-ignored\""),
        "{}",
        render(&show)
    );
}

/// From a trial: Yarn 1 ignores `strict-ssl` in `.npmrc` (real Yarn 1.22.22 refused an
/// untrusted certificate with `strict-ssl=false` there), and pmrc, reading it as Yarn 1's,
/// wrote `enableStrictSsl: false` for Yarn 4, which then took the certificate. Yarn 1's read
/// leaves it out, with a finding; `.yarnrc`'s is read.
#[test]
fn yarn_classic_reads_strict_ssl_from_yarnrc_only() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://registry.test:4443/\nstrict-ssl=false\n//registry.test:4443/:_authToken=npm_FAKE_ssl\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert",
            "--from",
            "yarn-classic",
            "--to",
            "yarn",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !json.to_string().contains("enableStrictSsl"),
        "{}",
        render(&out)
    );
    assert!(
        warns(&out, "yarn-classic-npmrc-setting-ignored"),
        "{}",
        render(&out)
    );
    std::fs::write(project.path().join(".yarnrc"), "strict-ssl false\n").unwrap();
    let out = run(
        &project,
        &[
            "convert",
            "--from",
            "yarn-classic",
            "--to",
            "yarn",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json.to_string().contains("enableStrictSsl: false"),
        "{}",
        render(&out)
    );
}

/// From a trial: Yarn 1 sends http requests through `proxy` and https ones through
/// `https-proxy` (real Yarn 1.22.22 used 8081 for an http registry where npm and pnpm 10 used
/// 8080), and pnpm 10 one proxy for both, as npm does. Yarn 4's per-scheme proxies go to Yarn
/// 1 as they are, with no loss said, and to pnpm 10 with it.
#[test]
fn proxies_per_scheme_for_yarn_classic_and_one_proxy_for_pnpm10() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"http://registry.test:4873\"\nhttpProxy: \"http://127.0.0.1:8081\"\nhttpsProxy: \"http://127.0.0.1:8080\"\nunsafeHttpWhitelist:\n  - registry.test\n",
        ),
    ]);
    let codes = |to: &str| {
        let out = run(
            &project,
            &["convert", "--from", "yarn", "--to", to, "--format", "json"],
        );
        (json_warning_codes(&out), render(&out))
    };
    let (yarn1, said) = codes("yarn-classic");
    assert!(!yarn1.contains(&"lossy-proxy".to_string()), "{said}");
    assert!(said.contains("proxy=http://127.0.0.1:8081"), "{said}");
    assert!(said.contains("https-proxy=http://127.0.0.1:8080"), "{said}");
    let (pnpm10, said) = codes("pnpm@10");
    assert!(pnpm10.contains(&"lossy-proxy".to_string()), "{said}");
}

/// From a trial: Yarn's per-host `networkSettings` went nowhere in bunfig.toml without a word
/// (real Bun then failed the TLS handshake Yarn made through the host's CA and proxy), and a
/// `cafile=${CA_FILE}` became `cafile = "$CA_FILE"`, which real Bun 1.4.5 took as a file name
/// and stopped. The reference is not written into bunfig.toml: from an `.npmrc`, which Bun
/// reads and expands itself (real Bun trusted the CA then), that is no loss; from Yarn's
/// file it is said.
#[test]
fn bun_is_told_of_per_host_network_settings_and_a_cafile_reference() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://registry.test:4443\"\nnetworkSettings:\n  \"registry.test\":\n    httpsProxy: \"http://127.0.0.1:8080\"\n    httpsCaFilePath: ./ca.pem\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "yarn", "--to", "bun", "--format", "json",
        ],
    );
    assert!(warns(&out, "lossy-network-settings"), "{}", render(&out));
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://registry.test:4443/\ncafile=${CA_FILE}\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "bun", "--write", "--format", "json",
        ],
    );
    assert!(!project.read("bunfig.toml").unwrap().contains("cafile"));
    assert!(!warns(&out, "lossy-env-reference"), "{}", render(&out));
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://registry.test:4443\"\nhttpsCaFilePath: \"${CA_FILE}\"\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "yarn", "--to", "bun", "--write", "--format", "json",
        ],
    );
    assert!(!project.read("bunfig.toml").unwrap().contains("cafile"));
    assert!(warns(&out, "lossy-env-reference"), "{}", render(&out));
}

/// From a trial: pnpm 11 and 12 went without the proxy where `.npmrc` or the yaml held
/// `${PROXY_URL}` (the variable set; npm used it), and the translation to pnpm wrote the
/// reference into both without a word. pnpm's read leaves it out with a finding, and the
/// translation writes no such proxy into the project's files and says so.
#[test]
fn a_proxy_variable_in_the_project_s_files_is_ignored_by_pnpm() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://registry.test:4443/\nhttps-proxy=${PROXY_URL}\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "pnpm@12", "--format", "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let planned = json["files"].to_string();
    assert!(!planned.contains("httpsProxy"), "{}", render(&out));
    assert!(!planned.contains("\\nproxy="), "{}", render(&out));
    assert!(warns(&out, "lossy-env-reference"), "{}", render(&out));
    let doctor = run(
        &project,
        &["doctor", "--manager", "pnpm@12", "--format", "json"],
    );
    assert!(
        String::from_utf8_lossy(&doctor.stdout).contains("\"pnpm-env-proxy-ignored\""),
        "{}",
        render(&doctor)
    );
}

/// From a trial: doctor asked for the npmRegistries key `//host/npm/` (Renovate writes its
/// token under that spelling only), and `sync` renamed it back to `//host/npm`, in a loop.
/// Yarn reads both alike: the file's spelling of the entry is kept.
#[test]
fn a_yarn_registry_key_keeps_its_trailing_slash_as_written() {
    let yarnrc = "npmRegistryServer: \"https://registry.corp.example/npm\"\nnpmRegistries:\n  //registry.corp.example/npm/:\n    npmAuthToken: \"${OLD}\"\n    npmAlwaysAuth: true\n";
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://registry.corp.example/npm/\n//registry.corp.example/npm/:_authToken=${NPM_TOKEN}\n",
        ),
        (".yarnrc.yml", yarnrc),
    ]);
    let out = run(
        &project,
        &["convert", "--from", "npm", "--to", "yarn", "--write"],
    );
    assert_eq!(
        project.read(".yarnrc.yml").unwrap(),
        yarnrc.replace("${OLD}", "${NPM_TOKEN}"),
        "{}",
        render(&out)
    );
    let check = run(
        &project,
        &["convert", "--from", "npm", "--to", "yarn", "--check"],
    );
    assert_eq!(check.status.code(), Some(0), "{}", render(&check));
}

/// From a trial: `pmrc env --to yarn` (and bun, pnpm@12) left a `cafile` out without a word,
/// and real Yarn 4, Bun and pnpm 12 then failed the TLS handshake with the variables alone.
#[test]
fn env_says_the_network_settings_its_variables_leave_out() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://registry.test:4443/\ncafile=./ca.pem\nhttps-proxy=http://proxy.example:8080/\n//registry.test:4443/:_authToken=${NPM_TOKEN}\n",
        ),
    ]);
    for to in ["yarn", "bun", "pnpm@12"] {
        let out = run(
            &project,
            &["env", "--from", "npm", "--to", to, "--format", "json"],
        );
        let lost = json_warnings(&out)
            .into_iter()
            .find(|w| w["code"] == "lossy-network-settings")
            .unwrap_or_else(|| panic!("--to {to}: {}", render(&out)));
        let message = lost["message"].as_str().unwrap();
        assert!(
            message.contains("cafile") && message.contains("https-proxy"),
            "{message}"
        );
    }
}

/// From a second trial: npm sends every request through `https-proxy`; Yarn 1 sends http ones
/// through `proxy`, which the shared `.npmrc` keeps as npm's user wrote it, and real Yarn 1
/// sent the token through that other proxy without a word from pmrc.
#[test]
fn yarn_classic_is_told_its_http_requests_take_the_npmrc_s_other_proxy() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=http://registry.test:4873/\nhttps-proxy=http://127.0.0.1:8080/\nproxy=http://127.0.0.1:8081/\n//registry.test:4873/:_authToken=npm_FAKE_r1b\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert",
            "--from",
            "npm",
            "--to",
            "yarn-classic",
            "--format",
            "json",
        ],
    );
    assert!(warns(&out, "lossy-proxy"), "{}", render(&out));
}

/// From a second trial: pnpm 11/12 send https requests through `.npmrc`'s `proxy` too (real
/// pnpm 11.28.11 and 12.21.0 did, where Yarn went direct), so Yarn's http-only proxy goes to
/// the yaml's `httpProxy` alone.
#[test]
fn an_http_only_proxy_goes_to_pnpm_s_yaml_alone() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://registry.test:4443\"\nhttpProxy: \"http://127.0.0.1:8081\"\n",
        ),
    ]);
    for to in ["pnpm@11", "pnpm@12"] {
        let out = run(&project, &["convert", "--from", "yarn", "--to", to]);
        let said = render(&out);
        assert!(
            said.contains("+httpProxy: \"http://127.0.0.1:8081\""),
            "{said}"
        );
        assert!(!said.contains("+proxy="), "{said}");
    }
}

/// pnpm 11 trusts the `cafile` in pnpm-workspace.yaml, under an `.npmrc`'s; pnpm 10 and 12
/// never read it there (real 10.34.9, 11.28.11 and 12.21.0 against a registry with its own
/// CA). pmrc read none of it, so a pnpm 11 source lost its CA without a word.
#[test]
fn pnpm_11_alone_takes_the_cafile_in_its_yaml() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            "pnpm-workspace.yaml",
            "registry: https://registry.test:4443/\ncafile: /etc/corp/ca.pem\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "pnpm@11", "--to", "yarn", "--format", "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = json["files"].to_string();
    assert!(
        files.contains("httpsCaFilePath: /etc/corp/ca.pem"),
        "{}",
        render(&out)
    );
    for pnpm in ["pnpm@10", "pnpm@12"] {
        let show = run(&project, &["show", "--manager", pnpm, "--format", "json"]);
        let text = String::from_utf8_lossy(&show.stdout);
        assert!(text.contains("\"pnpm-yaml-cafile-ignored\""), "{text}");
        assert!(!text.contains("\"value\": \"/etc/corp/ca.pem\""), "{text}");
    }
    std::fs::write(
        project.path().join(".npmrc"),
        "cafile=/etc/corp/other.pem\n",
    )
    .unwrap();
    let show = run(
        &project,
        &["show", "--manager", "pnpm@11", "--format", "json"],
    );
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains("\"pnpm-yaml-cafile-ignored\""), "{text}");
    assert!(
        text.contains("\"value\": \"/etc/corp/other.pem\""),
        "{text}"
    );
}

/// From a trial: `show --env` took `${D_HOST}`'s scope to get no credentials, where
/// `explain --env` and real npm sent the `//registry.test:4873/d/` token to it.
#[test]
fn show_with_the_environment_routes_as_explain_does() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@d:registry=http://${D_HOST}:4873/d/\n//registry.test:4873/d/:_authToken=fake-d-token\n",
        ),
    ]);
    let show = |host: &str| {
        let out = project
            .cmd(&["show", "--manager", "npm", "--env"])
            .env("D_HOST", host)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find(|l| l.trim_start().starts_with("@d/*"))
            .unwrap_or_else(|| panic!("{text}"))
            .to_string()
    };
    assert!(show("registry.test").ends_with("Bearer *** (.npmrc:2)"));
    assert!(show("other.test").ends_with("no credentials"));
    assert!(show("registry.test").contains("http://${D_HOST}:4873/d/"));
}

/// From a trial ("Yarn gets nothing, npm works"): with `"packageManager": "yarn@4…"` and an
/// `.npmrc` alone, explain and show answered for npm only. The manager package.json names
/// runs here with or without a file of its own.
#[test]
fn explain_answers_for_the_manager_package_json_names_without_a_file() {
    let project = Project::with_files(&[
        ("package.json", "{\"packageManager\": \"yarn@4.18.1\"}\n"),
        (
            ".npmrc",
            "@acme:registry=http://registry.test:4873/\n//registry.test:4873/:_authToken=npm_FAKE_TOKEN\n",
        ),
    ]);
    let out = run(&project, &["explain", "@acme/widget"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let yarn = text
        .split("yarn (Yarn 4 rules)")
        .nth(1)
        .unwrap_or_else(|| panic!("{}", render(&out)));
    assert!(
        yarn.contains("GET https://registry.yarnpkg.com/@acme%2fwidget"),
        "{text}"
    );
    assert!(yarn.contains("sends: no credentials"), "{text}");
    let show = run(&project, &["show"]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("yarn (Yarn 4 rules)"));
}

/// From a trial: with `@acme:registry=http://REGISTRY.test:4873/`, real Yarn 1.22.22 and
/// pnpm 12.21.0 sent no `//registry.test:4873/` token (they compare keys with the host as
/// written), where npm, pnpm 10/11 and Bun did; pmrc said all of them sent it. A conversion
/// to Yarn 1 writes the key as Yarn 1 looks for it (real Yarn 1 and pnpm 12 then sent it).
#[test]
fn yarn_classic_and_pnpm_12_match_keys_with_the_registry_host_s_case() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@acme:registry=http://REGISTRY.test:4873/\n//registry.test:4873/:_authToken=npm_FAKE_TOKEN\n",
        ),
    ]);
    let answer = |manager: &str| {
        let out = run(&project, &["explain", "@acme/w", "--manager", manager]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let sends = |manager: &str| answer(manager).contains("sends: Bearer ***");
    let sends_nothing = |manager: &str| answer(manager).contains("sends: no credentials");
    assert!(sends("npm") && sends("pnpm@11") && sends("bun"));
    assert!(sends_nothing("yarn-classic") && sends_nothing("pnpm@12"));
    let out = run(
        &project,
        &[
            "convert",
            "--from",
            "npm",
            "--to",
            "yarn-classic",
            "--write",
        ],
    );
    assert!(
        project
            .read(".npmrc")
            .unwrap()
            .contains("\n//REGISTRY.test:4873/:_authToken=npm_FAKE_TOKEN"),
        "{}",
        render(&out)
    );
    assert!(sends("yarn-classic") && sends("npm"));
    // pnpm 12 is written the key it looks for too (from a review: it only said
    // credentials-differ).
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@acme:registry=http://REGISTRY.test:4873/\n//registry.test:4873/:_authToken=npm_FAKE_TOKEN\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "pnpm@12", "--format", "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!warns(&out, "credentials-differ"), "{}", render(&out));
    assert!(
        json["files"]
            .to_string()
            .contains("//REGISTRY.test:4873/:_authToken")
    );
    // Yarn 4 compares its npmRegistries keys with the registry as written too (real Yarn
    // 4.18.1 sent the token under `//REGISTRY.test:4873`, nothing under the lower-case key).
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "yarn", "--format", "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!warns(&out, "credentials-differ"), "{}", render(&out));
    assert!(json["files"].to_string().contains("//REGISTRY.test:4873"));
}

/// From a trial: real Bun 1.4.5 sent `//registry.test:443/b/`'s token to
/// `https://registry.test/b/` (and an `:80` key's to the http registry), where npm, Yarn 1,
/// pnpm and Deno sent none; pmrc said Bun sent nothing, and doctor saw no drift.
#[test]
fn bun_takes_a_key_s_default_port_as_none() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@b:registry=https://registry.test/b/\n//registry.test:443/b/:_authToken=npm_FAKE_B\n@a:registry=http://other.test/a/\n//other.test:80/a/:_authToken=npm_FAKE_A\n@c:registry=http://third.test/c/\n//third.test:443/c/:_authToken=npm_FAKE_C\n",
        ),
    ]);
    let answer = |package: &str, manager: &str| {
        let out = run(&project, &["explain", package, "--manager", manager]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let sends =
        |package: &str, manager: &str| answer(package, manager).contains("sends: Bearer ***");
    let sends_nothing =
        |package: &str, manager: &str| answer(package, manager).contains("sends: no credentials");
    assert!(sends("@b/w", "bun") && sends("@a/w", "bun"));
    assert!(
        sends_nothing("@c/w", "bun"),
        "an https port on an http registry is another port"
    );
    assert!(sends_nothing("@b/w", "npm") && sends_nothing("@a/w", "npm"));
    let doctor = run(&project, &["doctor", "--manager", "npm,bun"]);
    assert!(
        String::from_utf8_lossy(&doctor.stdout).contains("config-drift"),
        "{}",
        render(&doctor)
    );
}

/// From a trial: with a top-level `_auth`, real npm 11 and 12 stopped with ERR_INVALID_AUTH
/// before any request, where explain said npm sent it (and gave Yarn 1, which goes on, the
/// same answer). npm's explanation now stops first, as it does for a fatal variable.
#[test]
fn explain_says_npm_stops_on_a_top_level_credential() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=http://registry.test:4873/npm/\n_auth=ZmFrZTpGQUtFUFc=\nalways-auth=true\n",
        ),
    ]);
    let out = run(
        &project,
        &["explain", "left-pad", "--manager", "npm,yarn-classic"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let (npm, yarn) = text.split_once("yarn-classic (").unwrap();
    assert!(
        npm.contains("stops: every command, with \"ERR_INVALID_AUTH: `_auth` must be renamed to `//registry.test:4873/npm/:_auth`\" (.npmrc:2)"),
        "{text}"
    );
    assert!(!yarn.contains("stops:"), "{text}");
    // npm names only a key that holds something: an empty `${VAR?}` is no stop (a review,
    // against @npmcli/config's validate()).
    std::fs::write(
        project.path().join(".npmrc"),
        "registry=https://r.example/npm\n_authToken=${PMRC_TEST_UNSET_TOKEN?}\n",
    )
    .unwrap();
    let out = run(
        &project,
        &["explain", "left-pad", "--manager", "npm", "--env"],
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("stops:"),
        "{}",
        render(&out)
    );
}

/// From a trial: with `npmAuthToken: "${NPM_TOKEN:-}"`, npmAlwaysAuth and NPM_TOKEN unset,
/// real Yarn 4.18.1 made no request and stopped with YN0033, where `explain --env`
/// predicted a request with the (empty) token.
#[test]
fn explain_says_yarn_stops_on_an_empty_token_with_always_auth() {
    let project = Project::with_files(&[
        ("package.json", "{\"packageManager\": \"yarn@4.18.1\"}\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://registry.test\"\nnpmRegistries:\n  \"//registry.test\":\n    npmAuthToken: \"${PMRC_TEST_UNSET_TOKEN:-}\"\n    npmAlwaysAuth: true\n",
        ),
    ]);
    let out = run(&project, &["explain", "left-pad", "--env"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Yarn stops with YN0033"), "{text}");
    assert!(text.contains("sends: no credentials"), "{text}");
}

/// From a review: `show --env` routed each group apart on a copy of the model, so a
/// `${VAR?}` token empty here cost a copy per route (9 s for 5,000 scopes). The answer must
/// stay explain's: npm walks up past the empty token to the host's key.
#[test]
fn show_with_the_environment_passes_over_an_empty_token_as_explain_does() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@a:registry=https://r.example/a/\n//r.example/a/:_authToken=${PMRC_TEST_UNSET_TOKEN?}\n//r.example/:_authToken=fake-host-token\n",
        ),
    ]);
    let out = run(&project, &["show", "--manager", "npm", "--env"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("@a/* -> https://r.example/a/: Bearer *** (.npmrc:3)"),
        "{text}"
    );
}

/// From the last session's review: for a registry URL with no scheme, where every real
/// manager sent nothing (npm hung until its timeout), explain printed a request with the
/// token's answer, and doctor's fix was the table's example URL rather than this one.
#[test]
fn a_registry_url_without_a_scheme_is_explained_as_no_request() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@acme:registry=registry.test:4873/\n//registry.test:4873/:_authToken=${NPM_TOKEN}\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "explain",
            "@acme/w",
            "--manager",
            "npm,pnpm@12",
            "--format",
            "json",
        ],
    );
    let answers: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let answers = answers["managers"].as_array().expect("managers");
    assert_eq!(answers.len(), 2, "{}", render(&out));
    for (answer, outcome) in answers.iter().zip([
        "npm cannot request it: it hangs until its fetch timeout, reaching no registry",
        "pnpm@12 cannot request it: it stops after about a minute, sending nothing",
    ]) {
        assert_eq!(answer["fails"], true, "{answer}");
        let why = answer["why"][1].as_str().unwrap();
        assert!(
            why.contains(&format!("is no https:// or http:// URL, so {outcome}")),
            "{answer}"
        );
    }
    // The text names the request it would be, not a `GET` as if one were made.
    let out = run(&project, &["explain", "@acme/w", "--manager", "npm"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("GET "))
            && text.contains("no request (it would be GET registry.test:4873/@acme%2fw)"),
        "{}",
        render(&out)
    );
    let out = run(
        &project,
        &["doctor", "--manager", "npm", "--format", "json"],
    );
    let doctor: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fixes: Vec<&str> = doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "registry-url-without-scheme")
        .map(|f| f["fix"].as_str().unwrap())
        .collect();
    assert_eq!(
        fixes,
        [
            "write `https://registry.test:4873/` there (or `http://registry.test:4873/` where the registry serves plain http)"
        ]
    );
    // Another scheme, or a mistyped one, is replaced in the fix, not kept (from a review).
    std::fs::write(
        project.path().join(".npmrc"),
        "registry=ftp://r.example.test/npm/\n@a:registry=https:/a.example.test/\n",
    )
    .unwrap();
    let out = run(
        &project,
        &["doctor", "--manager", "npm", "--format", "json"],
    );
    let doctor: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut fixes: Vec<&str> = doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "registry-url-without-scheme")
        .map(|f| f["fix"].as_str().unwrap())
        .collect();
    fixes.sort();
    assert_eq!(
        fixes,
        [
            "write `https://a.example.test/` there (or `http://a.example.test/` where the registry serves plain http)",
            "write `https://r.example.test/npm/` there (or `http://r.example.test/npm/` where the registry serves plain http)"
        ]
    );
}

/// From a trial: `doctor --fix` rewrote bunfig.toml's `"${REG}"` to Bun's `"$REG"`, which
/// Bun expands (a real run requested `$REG`'s URL), and doctor then called that line a
/// registry URL with no scheme, an error no run could mend.
#[test]
fn bun_s_whole_value_variable_is_no_registry_url_without_a_scheme() {
    let project = Project::with_files(&[("bunfig.toml", "[install]\nregistry = \"$REG\"\n")]);
    for env in [None, Some("https://registry.example.test/")] {
        let mut doctor = project.cmd(&["doctor", "--manager", "bun", "--env"]);
        doctor.env_remove("REG");
        if let Some(url) = env {
            doctor.env("REG", url);
        }
        let out = doctor.output().unwrap();
        assert!(
            !render(&out).contains("registry-url-without-scheme"),
            "{}",
            render(&out)
        );
    }
    let out = project
        .cmd(&["explain", "x", "--manager", "bun"])
        .env("REG", "registry.example.test/")
        .output()
        .unwrap();
    assert!(
        render(&out).contains("`registry.example.test/` is no https:// or http:// URL"),
        "{}",
        render(&out)
    );
}

/// From a trial: with Yarn's `npmScopes` key written `"@acme"` (a scope Yarn never matches),
/// doctor's drift for @acme/* gave npm's unscoped registry as npm's route for it; npm sends
/// @acme/* to the scope's own registry, as explain says.
#[test]
fn a_drift_names_each_manager_s_route_for_the_scope() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=https://registry.example.test/\n@acme:registry=https://other.example.test/\n",
        ),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://old.example.test\"\nnpmScopes:\n  \"@acme\":\n    npmRegistryServer: \"https://other.example.test\"\n",
        ),
    ]);
    let out = run(&project, &["doctor", "--manager", "npm,yarn"]);
    let said = render(&out).replace("\n    ", " ");
    assert!(
        said.contains("npm and yarn route @acme/* differently (npm: https://other.example.test/, no credentials vs yarn: https://old.example.test, no credentials)"),
        "{said}"
    );
    assert!(!said.contains("@@acme"), "{said}");
}

/// From a CI trial: `convert -C frontend --to dependabot --write` wrote
/// `frontend/.github/dependabot.yml`, a file Dependabot never reads, with `directory: "/"`,
/// while `doctor --ci` read the repository root's. The root's file is edited (the update for
/// `/frontend` kept), a new one is made at the root for `/frontend`, none below it; outside a
/// git work tree, with no dependabot.yml at or above the project, pmrc refuses to guess; and
/// `init` names dependabot from the root's file.
#[test]
fn dependabot_yml_is_the_repository_roots_for_a_project_in_a_subfolder() {
    let repo = Project::with_files(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (
            DEPENDABOT,
            "version: 2\nregistries:\n  acme:\n    type: npm-registry\n    url: https://registry.test:4443/npm/\n    token: ${{secrets.ACME_TOKEN}}\nupdates:\n  - package-ecosystem: npm\n    directory: /frontend\n    schedule:\n      interval: weekly\n    registries:\n      - acme\n",
        ),
        ("frontend/package.json", "{\"name\": \"frontend\"}\n"),
        (
            "frontend/.npmrc",
            "@acme:registry=https://registry.test:4443/npm/\n//registry.test:4443/npm/:_authToken=${ACME_TOKEN}\n",
        ),
    ]);
    let frontend = repo.path().join("frontend");
    let in_frontend = |args: &[&str]| {
        common::pmrc()
            .args(args)
            .arg("--dir")
            .arg(&frontend)
            .env("HOME", repo.home.path())
            .output()
            .unwrap()
    };
    let convert = ["convert", "--from", "npm", "--to", "dependabot", "--write"];
    let out = in_frontend(&convert);
    assert!(out.status.success(), "{}", render(&out));
    assert!(!frontend.join(".github").exists(), "{}", render(&out));
    let root = repo.read(DEPENDABOT).unwrap();
    assert!(root.contains("    scope: \"@acme\"\n"), "{root}");
    assert!(root.contains("    directory: /frontend\n"), "{root}");
    assert_eq!(root.matches("package-ecosystem").count(), 1, "{root}");

    let init = in_frontend(&["init", "--from", "npm"]);
    assert!(init.status.success(), "{}", render(&init));
    assert!(
        String::from_utf8_lossy(&init.stdout).contains("to = [\"dependabot\"]"),
        "{}",
        render(&init)
    );

    std::fs::remove_file(repo.path().join(DEPENDABOT)).unwrap();
    let out = in_frontend(&convert);
    assert!(out.status.success(), "{}", render(&out));
    assert!(!frontend.join(".github").exists(), "{}", render(&out));
    let made = repo.read(DEPENDABOT).unwrap();
    assert!(made.contains("    directory: \"/frontend\"\n"), "{made}");

    std::fs::remove_file(repo.path().join(DEPENDABOT)).unwrap();
    std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
    let out = in_frontend(&convert);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let said = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert!(
        said.contains("no git work tree") && said.contains("touch .github/dependabot.yml"),
        "{said}"
    );
    assert!(!frontend.join(".github").exists() && !repo.path().join(DEPENDABOT).exists());
}

/// From a review: in a monorepo, each sub-project's `convert --to dependabot --write` rewrote
/// the root's shared dependabot.yml: `-C frontend` linked the acme registry to `/backend`'s
/// update too, then `-C backend` removed it and pointed `/frontend` at beta's, exit 0,
/// unsaid. Each project links only its own update, in either order, another project's entry
/// stays, and `sync --check` is clean for both; a project with no update of its own is
/// told what to add, and the file is left as it is.
#[test]
fn each_project_of_a_monorepo_links_only_its_own_dependabot_update() {
    const UPDATES: &str = "version: 2\nupdates:\n  - package-ecosystem: \"npm\"\n    directory: \"/backend\"\n    schedule:\n      interval: \"weekly\"\n  - package-ecosystem: \"npm\"\n    directory: \"/frontend\"\n    schedule:\n      interval: \"weekly\"\n";
    let sync = "[sync]\nfrom = \"npm\"\nto = [\"dependabot\"]\n";
    let repo = Project::with_files(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (DEPENDABOT, UPDATES),
        ("frontend/package.json", "{\"name\": \"frontend\"}\n"),
        (
            "frontend/.npmrc",
            "@acme:registry=https://acme.example.test/\n//acme.example.test/:_authToken=${NPM_TOKEN}\n",
        ),
        ("frontend/pmrc.toml", sync),
        ("backend/package.json", "{\"name\": \"backend\"}\n"),
        (
            "backend/.npmrc",
            "@beta:registry=https://beta.example.test/\n//beta.example.test/:_authToken=${BETA_TOKEN}\n",
        ),
        ("backend/pmrc.toml", sync),
        ("docs/package.json", "{\"name\": \"docs\"}\n"),
        (
            "docs/.npmrc",
            "@gamma:registry=https://gamma.example.test/\n",
        ),
    ]);
    let in_project = |folder: &str, args: &[&str]| {
        common::pmrc()
            .args(args)
            .arg("--dir")
            .arg(repo.path().join(folder))
            .env("HOME", repo.home.path())
            .output()
            .unwrap()
    };
    let convert = ["convert", "--from", "npm", "--to", "dependabot", "--write"];
    // Each update's `registries`, by its directory.
    let links = |text: &str| -> Vec<(String, Vec<String>)> {
        let yaml: serde_json::Value = serde_saphyr::from_str(text).unwrap();
        yaml["updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                let names = u["registries"].as_array().cloned().unwrap_or_default();
                (
                    u["directory"].as_str().unwrap().to_string(),
                    names
                        .iter()
                        .map(|n| n.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect()
    };
    for order in [["frontend", "backend"], ["backend", "frontend"]] {
        std::fs::write(repo.path().join(DEPENDABOT), UPDATES).unwrap();
        for folder in order {
            let out = in_project(folder, &convert);
            assert!(out.status.success(), "{folder}: {}", render(&out));
        }
        let text = repo.read(DEPENDABOT).unwrap();
        assert_eq!(
            links(&text),
            vec![
                (
                    "/backend".to_string(),
                    vec!["npm-beta-example-test".to_string()]
                ),
                (
                    "/frontend".to_string(),
                    vec!["npm-acme-example-test".to_string()]
                ),
            ],
            "{order:?}:\n{text}"
        );
        for (name, url, secret) in [
            (
                "npm-acme-example-test",
                "https://acme.example.test/",
                "NPM_TOKEN",
            ),
            (
                "npm-beta-example-test",
                "https://beta.example.test/",
                "BETA_TOKEN",
            ),
        ] {
            assert!(
                text.contains(&format!(
                    "  {name}:\n    type: npm-registry\n    url: \"{url}\"\n"
                )),
                "{order:?}:\n{text}"
            );
            assert!(
                text.contains(&format!("token: \"${{{{secrets.{secret}}}}}\"")),
                "{order:?}:\n{text}"
            );
        }
        for folder in ["frontend", "backend"] {
            let out = in_project(folder, &["sync", "--check"]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{order:?} {folder}: {}",
                render(&out)
            );
        }
    }
    let before = repo.read(DEPENDABOT).unwrap();
    let out = in_project("docs", &convert);
    let said = render(&out);
    assert!(out.status.success(), "{said}");
    assert_eq!(repo.read(DEPENDABOT).unwrap(), before, "{said}");
    assert!(
        said.contains("warning[dependabot-no-update]") && said.contains("`directory: \"/docs\"`"),
        "{said}"
    );
    // The summary does not call a file that left the project out "in sync".
    assert!(!said.contains("already in sync"), "{said}");
    assert!(
        said.contains("nothing to write: dependabot.yml has no update for this"),
        "{said}"
    );
}

/// From a review: a project not in git of its own, under a home folder that is a git work
/// tree (a dotfiles repository), got `~/.github/dependabot.yml` with `directory: /code/app`,
/// a guess. pmrc refuses (exit 2), saying what it found and what to do, and writes nothing.
#[test]
fn a_home_folder_git_repository_is_not_taken_for_the_project_s_repository() {
    let home = Project::with_files(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("code/app/package.json", "{\"name\": \"app\"}\n"),
        (
            "code/app/.npmrc",
            "@acme:registry=https://acme.example.test/\n//acme.example.test/:_authToken=${NPM_TOKEN}\n",
        ),
    ]);
    for args in [
        &["convert", "--from", "npm", "--to", "dependabot"][..],
        &["convert", "--from", "npm", "--to", "dependabot", "--write"],
    ] {
        let out = common::pmrc()
            .args(args)
            .arg("--dir")
            .arg(home.path().join("code/app"))
            .env("HOME", home.path())
            .output()
            .unwrap();
        let said = render(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(
            said.contains("home folder") && said.contains("git init"),
            "{said}"
        );
        assert!(!home.path().join(DEPENDABOT).exists(), "{said}");
        assert!(!home.path().join("code/app/.github").exists(), "{said}");
    }
}

/// From a CI trial: a project in sync over plain http (Yarn's unsafeHttpWhitelist listing the
/// host, its npmRegistries key with a trailing slash) got `yarn-ignores-npmrc`, whose fix,
/// run as printed, printed no diff: real Yarn 4 sent the token npm sends. A whitelist that
/// leaves the host out still differs (Yarn refuses that http registry).
#[test]
fn yarn_over_whitelisted_http_acts_as_the_npmrc_says() {
    let yarnrc = |host: &str| {
        format!(
            "npmScopes:\n  acme:\n    npmRegistryServer: \"http://registry.example.test:4873/npm\"\nnpmRegistries:\n  \"//registry.example.test:4873/npm/\":\n    npmAuthToken: \"${{NPM_TOKEN}}\"\nunsafeHttpWhitelist:\n  - {host}\n"
        )
    };
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@acme:registry=http://registry.example.test:4873/npm/\n//registry.example.test:4873/npm/:_authToken=${NPM_TOKEN}\n",
        ),
        (".yarnrc.yml", &yarnrc("registry.example.test")),
    ]);
    let doctor = |project: &Project| render(&run(project, &["doctor", "--manager", "npm,yarn"]));
    let said = doctor(&project);
    assert!(!said.contains("yarn-ignores-npmrc"), "{said}");
    std::fs::write(
        project.path().join(".yarnrc.yml"),
        yarnrc("other.example.test"),
    )
    .unwrap();
    let said = doctor(&project);
    assert!(said.contains("yarn-ignores-npmrc"), "{said}");
}

/// From a trial: a package.json that is not UTF-8 was taken for one naming no pnpm version
/// (a note), where a trailing comma is said to be unreadable; both are now said alike.
#[test]
fn a_package_json_that_is_not_utf8_is_said_to_be_unreadable() {
    let project = Project::with_files(&[(".npmrc", "registry=https://r.example.test/\n")]);
    std::fs::write(
        project.path().join("package.json"),
        b"{\"packageManager\":\"pnpm@10.1.0\xff\"}",
    )
    .unwrap();
    let said = render(&run(&project, &["show", "--manager", "pnpm"])).replace("\n    ", " ");
    assert!(
        said.contains(
            "warning[package-json-unreadable]: package.json:1: package.json does not parse"
        ),
        "{said}"
    );
}

/// From a trial: an inline certificate (`ca="-----BEGIN…\n…"`, which npm reads with line
/// breaks) was printed by `show` with raw line breaks, splitting its row across three lines
/// of the table. It is one row, escaped as the file writes it, with its origin on that row.
#[test]
fn show_keeps_an_inline_certificate_on_one_row() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (
            ".npmrc",
            "registry=https://registry.example.test/\nca=\"-----BEGIN CERTIFICATE-----\\nMIIBfake\\n-----END CERTIFICATE-----\"\n",
        ),
    ]);
    let out = run(&project, &["show", "--manager", "npm"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("ca "))
        .unwrap_or_else(|| panic!("{}", render(&out)));
    assert!(
        row.contains("-----BEGIN CERTIFICATE-----\\nMIIBfake\\n-----END CERTIFICATE-----")
            && row.trim_end().ends_with(".npmrc:2"),
        "{}",
        render(&out)
    );
    assert!(!text.lines().any(|l| l == "MIIBfake"), "{text}");
}

/// A registry URL with a query (`?channel=beta`): from a real run, npm 11/12, Yarn 4 and
/// pnpm 12 keep it and append the package after it; Yarn 1, pnpm 10/11, Bun and Deno leave
/// it out, and Yarn 1 then sends no credentials at all.
const QUERY_NPMRC: &str = "registry=https://registry.test/npm/?channel=beta\n\
    @acme:registry=https://registry.test/acme/?channel=beta\n\
    //registry.test/acme/:_authToken=fake-query-case-token\n";

#[test]
fn explain_requests_a_registry_query_as_each_manager_does() {
    let project = Project::with_files(&[(".npmrc", QUERY_NPMRC)]);
    let out = run(
        &project,
        &[
            "explain",
            "@acme/widget",
            "--manager",
            "npm,pnpm@10,pnpm@11,pnpm@12,yarn@1,bun,deno",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", render(&out)));
    let explained = json["managers"]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"));
    let url = |manager: &str| {
        explained
            .iter()
            .find(|e| e["manager"] == manager)
            .unwrap_or_else(|| panic!("{manager}: {json}"))
            .clone()
    };
    let kept = "https://registry.test/acme/?channel=beta/@acme%2fwidget";
    let left_out = "https://registry.test/acme/@acme%2fwidget";
    for (manager, sent) in [
        ("npm", kept),
        ("pnpm@12", kept),
        ("pnpm@10", left_out),
        ("pnpm@11", left_out),
        ("yarn-classic", left_out),
        ("bun", left_out),
        ("deno", left_out),
    ] {
        assert_eq!(url(manager)["url"], sent, "{manager}: {json}");
    }
    // Yarn 1 sends a token only where the request's URL starts with the registry's, query
    // and all; the others match `//registry.test/acme/` on the path.
    assert!(url("yarn-classic")["authorization"].is_null(), "{json}");
    assert!(!url("bun")["authorization"].is_null(), "{json}");
}

#[test]
fn converting_to_a_manager_that_drops_a_registry_query_says_so() {
    for target in ["pnpm@10", "yarn@1", "bun"] {
        let project = Project::with_files(&[(".npmrc", QUERY_NPMRC)]);
        let out = run(
            &project,
            &[
                "convert", "--from", "npm", "--to", target, "--format", "json",
            ],
        );
        let dropped: Vec<String> = json_warnings(&out)
            .iter()
            .filter(|w| w["code"] == "route-differs")
            .map(|w| w["message"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(dropped.len(), 2, "{target}: {}", render(&out));
        assert!(
            dropped.iter().all(|m| m.contains("query")),
            "{target}: {dropped:?}"
        );
    }
    // Keeping it alike: pnpm 12 and Yarn 4 send the query as npm does.
    for target in ["pnpm@12", "yarn"] {
        let project = Project::with_files(&[(".npmrc", QUERY_NPMRC)]);
        let out = run(
            &project,
            &[
                "convert", "--from", "npm", "--to", target, "--format", "json",
            ],
        );
        assert!(!warns(&out, "route-differs"), "{target}: {}", render(&out));
    }
}

/// From a trial: `pmrc env --to deno` and `--to yarn` wrote `~/.npmrc` and `~/.yarnrc.yml`
/// with `cat >`, replacing a runner's or a laptop's own file and its other registries'
/// tokens and settings. The recipe writes the file where there is none and otherwise
/// stops, failing the step, with the file as it was.
#[test]
fn an_env_recipe_does_not_replace_the_user_s_own_rc_file() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (
            ".npmrc",
            "@acme:registry=https://acme.example.test/\n//acme.example.test/:_authToken=${ACME_TOKEN}\n",
        ),
    ]);
    for (target, file, wanted) in [
        (
            "deno",
            ".npmrc",
            "@acme:registry=https://acme.example.test/",
        ),
        (
            "yarn",
            ".yarnrc.yml",
            "  acme:\n    npmRegistryServer: \"https://acme.example.test\"",
        ),
    ] {
        let out = run(&project, &["env", "--from", "npm", "--to", target]);
        assert_eq!(out.status.code(), Some(0), "{target}: {}", render(&out));
        let recipe = String::from_utf8(out.stdout.clone()).unwrap();
        let runner_home = assert_fs::TempDir::new().unwrap();
        let run_recipe = || {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(&recipe)
                .env("HOME", runner_home.path())
                .output()
                .unwrap()
        };
        // A fresh runner: the file is written; the runner's next job finds it as written
        // and goes on (from a review: the second run failed on the first run's file).
        let ran = run_recipe();
        assert!(ran.status.success(), "{target}: {}", render(&ran));
        let written = std::fs::read_to_string(runner_home.path().join(file)).unwrap();
        assert!(written.contains(wanted), "{target}: {written}");
        let ran = run_recipe();
        assert!(ran.status.success(), "{target}: {}", render(&ran));
        // A runner with its own file: left as it was, and the step fails saying why.
        let own = "//other.example.test/:_authToken=${OTHER_TOKEN}\ncafile=/etc/ssl/corp.pem\n";
        std::fs::write(runner_home.path().join(file), own).unwrap();
        let ran = run_recipe();
        assert!(!ran.status.success(), "{target}: {}", render(&ran));
        assert_eq!(
            std::fs::read_to_string(runner_home.path().join(file)).unwrap(),
            own,
            "{target}"
        );
        assert!(
            String::from_utf8_lossy(&ran.stderr).contains(&format!(
                "/{file} exists with other settings, and this recipe stops rather than replace it"
            )),
            "{target}: {}",
            render(&ran)
        );
    }
}

/// From a trial: npm 11 -> 12's note said to add `strict-npmrc=true`, and real npm 12.2.2
/// then stopped every command (EUNKNOWNCONFIG) on the file's `always-auth`. The note says the
/// `always-auth` lines go first; followed as it says, doctor finds npm 12 no key to stop on,
/// and without that step it does.
#[test]
fn npm_12_s_strict_npmrc_advice_names_the_always_auth_lines_first() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (
            ".npmrc",
            "registry=https://r.example.test/\nalways-auth=true\n//r.example.test/:_authToken=${NPM_TOKEN}\nsave-exact=true\n",
        ),
    ]);
    let out = run(&project, &["convert", "--from", "npm@11", "--to", "npm@12"]);
    let said = common::unwrapped(&render(&out));
    assert!(
        said.contains(
            "add this line to .npmrc, once the lines npm 12 does not know are gone (`always-auth`:"
        ) && said.contains("npm 12 stops on them with EUNKNOWNCONFIG"),
        "{said}"
    );
    let npmrc = project.path().join(".npmrc");
    let strict_code = |text: &str| {
        std::fs::write(&npmrc, text).unwrap();
        let out = run(
            &project,
            &["doctor", "--manager", "npm@12", "--format", "json"],
        );
        let doctor: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", render(&out)));
        doctor["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "npm12-strict-unknown-key")
            .count()
    };
    let before = std::fs::read_to_string(&npmrc).unwrap();
    assert_eq!(strict_code(&format!("{before}strict-npmrc=true\n")), 1);
    let without: String = before
        .lines()
        .filter(|l| !l.contains("always-auth"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(strict_code(&format!("{without}strict-npmrc=true\n")), 0);
    // The project's value counts over the user's (from a review: real npm 12.2.2 ran with a
    // project `strict-npmrc=false` under a user `true`).
    std::fs::write(project.home.path().join(".npmrc"), "strict-npmrc=true\n").unwrap();
    let with_user = |text: &str| {
        std::fs::write(&npmrc, text).unwrap();
        let out = run(
            &project,
            &[
                "doctor",
                "--manager",
                "npm@12",
                "--user",
                "--format",
                "json",
            ],
        );
        let doctor: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", render(&out)));
        doctor["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "npm12-strict-unknown-key")
            .count()
    };
    assert_eq!(with_user(&before), 1);
    assert_eq!(with_user(&format!("{before}strict-npmrc=false\n")), 0);
}

/// From a trial: npm -> deno (and pnpm 10) added `//host/acme/:_authToken` under the
/// `//host/:_authToken` that real Deno 2.9.6 already sent for `https://host/acme/` (it walks
/// up the path, as npm does), with no finding; `--check` failed, and the copy would have made
/// Yarn 1, which takes only the registry's own key, start sending the token. Nothing is
/// written for such a target; Yarn 1 itself still gets the key it needs.
#[test]
fn a_credential_keyed_above_its_registry_is_not_copied_for_a_target_that_walks_up() {
    // Literal fakes: pnpm 10 ignores a project `.npmrc`'s `${VAR}` credentials altogether.
    let npmrc = "registry=https://r.example.test/npm/\n//r.example.test/npm/:_authToken=fake-npm-token\n@acme:registry=https://acme.example.test/acme/\n//acme.example.test/:_authToken=fake-acme-token\n";
    let project =
        Project::with_files(&[("package.json", "{\"name\": \"app\"}\n"), (".npmrc", npmrc)]);
    for target in ["deno", "pnpm@10"] {
        let out = run(
            &project,
            &["convert", "--from", "npm", "--to", target, "--check"],
        );
        assert_eq!(out.status.code(), Some(0), "{target}: {}", render(&out));
        assert!(
            common::unwrapped(&render(&out)).contains("every target file is already in sync"),
            "{target}: {}",
            render(&out)
        );
    }
    let out = run(&project, &["convert", "--from", "npm", "--to", "yarn@1"]);
    assert!(
        render(&out).contains("+//acme.example.test/acme/:_authToken=***"),
        "{}",
        render(&out)
    );
    assert_eq!(
        std::fs::read_to_string(project.path().join(".npmrc")).unwrap(),
        npmrc
    );
    // From a review: a user file pnpm reads and this run does not (auth.ini, where `pnpm
    // login` writes) may hold a deeper key that wins over `//host/`; real pnpm 11.28.11 then
    // sent its stale token. Without `--user` the copy at the registry's own key stays.
    let auth_ini = project.home.path().join(".config/pnpm/auth.ini");
    std::fs::create_dir_all(auth_ini.parent().unwrap()).unwrap();
    std::fs::write(
        &auth_ini,
        "//acme.example.test/acme/:_authToken=fake-stale-token
",
    )
    .unwrap();
    let out = run(&project, &["convert", "--from", "npm", "--to", "pnpm@11"]);
    assert!(
        render(&out).contains("+//acme.example.test/acme/:_authToken=***"),
        "{}",
        render(&out)
    );
}

/// A `.yarnrc.yml` key written twice is refused for an edit (Yarn reads the last one, and
/// pmrc will not guess which the user meant); the refusal names the line and column of both,
/// exit 2, nothing written (from the last session's gaps: it named no line, then no column).
#[test]
fn a_yaml_key_written_twice_is_refused_with_its_lines() {
    for (yarnrc, npmrc, said) in [
        (
            "npmRegistryServer: \"https://a.example.test\"\nnodeLinker: node-modules\nnpmRegistryServer: \"https://b.example.test\"\n",
            "registry=https://c.example.test/\n",
            "`npmRegistryServer` appears more than once (at 1:1 and 3:1)",
        ),
        (
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://a.example.test\"\n  acme:\n    npmRegistryServer: \"https://b.example.test\"\n",
            "@acme:registry=https://c.example.test/\n",
            "`npmScopes` holds `acme` more than once (at 2:3 and 4:3)",
        ),
        // A tag on the key: the readers take `!!str acme` for `acme`; the edit failed its
        // read-back and called itself a bug in pmrc.
        (
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://a.example.test\"\n  !!str acme:\n    npmRegistryServer: \"https://b.example.test\"\n",
            "@acme:registry=https://c.example.test/\n",
            "`npmScopes` holds `acme` more than once (at 2:3 and 4:3)",
        ),
    ] {
        let project = Project::with_files(&[
            ("package.json", "{}\n"),
            (".yarnrc.yml", yarnrc),
            (".npmrc", npmrc),
        ]);
        let out = run(
            &project,
            &["convert", "--from", "npm", "--to", "yarn", "--write"],
        );
        assert_eq!(out.status.code(), Some(2), "{}", render(&out));
        assert!(
            common::unwrapped(&render(&out)).contains(said),
            "{}",
            render(&out)
        );
        assert_eq!(
            std::fs::read_to_string(project.path().join(".yarnrc.yml")).unwrap(),
            yarnrc
        );
    }
}

/// npm names a top-level `username` without its `_password` (or the other way round) "not
/// allowed", and `npm config fix` deletes it (spec/npm.md §4): explain's stop line said it
/// "must be renamed". A pair in one file is still renamed.
#[test]
fn a_lone_top_level_username_is_not_allowed_rather_than_renamed() {
    let stop = |npmrc: &str| {
        let project = Project::with_files(&[("package.json", "{}\n"), (".npmrc", npmrc)]);
        let out = run(
            &project,
            &[
                "explain",
                "left-pad",
                "--manager",
                "npm",
                "--format",
                "json",
            ],
        );
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", render(&out)));
        json["managers"][0]["stops"]["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{json}"))
            .to_string()
    };
    for lone in ["username=fake-user\n", "_password=ZmFrZQ==\n"] {
        let said = stop(&format!("registry=https://r.example.test/\n{lone}"));
        assert!(
            said.contains("is not allowed without its partner") && !said.contains("renamed"),
            "{said}"
        );
    }
    let said = stop("registry=https://r.example.test/\nusername=fake-user\n_password=ZmFrZQ==\n");
    assert!(
        said.contains("`username` must be renamed to `//r.example.test/:username`"),
        "{said}"
    );
}

/// From a review: npm -> Yarn 1 wrote `//host/:always-auth=true` into an `.npmrc` with
/// `strict-npmrc=true`, and real npm 12.2.2 then stopped every command (EUNKNOWNCONFIG). No
/// `.npmrc` serves both, so the conversion is refused, exit 1, nothing written; without
/// strict-npmrc it writes.
#[test]
fn a_yarn_1_conversion_under_strict_npmrc_is_refused() {
    let npmrc = "strict-npmrc=true\nregistry=https://r.example.test/npm/\n//r.example.test/npm/:_authToken=fake-strict-token\n";
    let project = Project::with_files(&[("package.json", "{}\n"), (".npmrc", npmrc)]);
    let args = ["convert", "--from", "npm", "--to", "yarn@1", "--write"];
    let out = run(&project, &args);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(
        render(&out).contains("error[npm12-strict-unknown-key]"),
        "{}",
        render(&out)
    );
    let path = project.path().join(".npmrc");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), npmrc);
    std::fs::write(&path, npmrc.replace("strict-npmrc=true\n", "")).unwrap();
    let out = run(&project, &args);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("//r.example.test/npm/:always-auth=true")
    );
}

/// From a review: where pmrc cannot add `packages` to pnpm-workspace.yaml (a `---` start),
/// the members stay projects of their own, which read their own `.npmrc`; the conversion
/// said both that (workspace-projects-listed) and that pnpm 12 ignores the member's file
/// (pnpm-member-npmrc). Only the first is said.
#[test]
fn an_unlisted_member_s_npmrc_is_not_said_to_be_ignored() {
    let project = Project::with_files(&[
        (
            "package.json",
            "{\"name\": \"root\", \"workspaces\": [\"packages/*\"]}\n",
        ),
        ("pnpm-workspace.yaml", "---\nonlyBuiltDependencies: []\n"),
        (".npmrc", "@acme:registry=https://r.example.test/acme/\n"),
        ("packages/a/package.json", "{\"name\": \"a\"}\n"),
        (
            "packages/a/.npmrc",
            "@acme:registry=https://other.example.test/\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "pnpm@12", "--format", "json",
        ],
    );
    assert!(warns(&out, "workspace-projects-listed"), "{}", render(&out));
    assert!(!warns(&out, "pnpm-member-npmrc"), "{}", render(&out));
}

/// From a review: for an `.npmrc` token `\${NOT_EXPANDED}`, real npm 11.21.2 sent `Bearer
/// ${NOT_EXPANDED}` and real Yarn 1.22.22 `Bearer \${NOT_EXPANDED}` (its envReplace keeps an
/// odd run of backslashes); explain said both sent the first, and convert to Yarn 1 said
/// nothing. Explain tells them apart, and convert reports the text Yarn 1 cannot keep.
#[test]
fn yarn_1_sends_an_escaped_reference_with_its_backslash() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "@acme:registry=https://r.example.test/acme/\n//r.example.test/acme/:_authToken=\\${FAKE_NOT_EXPANDED}\n",
        ),
    ]);
    let out = run(
        &project,
        &[
            "explain",
            "@acme/w",
            "--manager",
            "npm,yarn-classic",
            "--show-secrets",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("sends: Bearer ${FAKE_NOT_EXPANDED} (.npmrc:2)")
            && text.contains("sends: Bearer \\${FAKE_NOT_EXPANDED} (.npmrc:2)"),
        "{}",
        render(&out)
    );
    let out = run(&project, &["convert", "--from", "npm", "--to", "yarn@1"]);
    assert!(
        render(&out).contains("warning[lossy-env-reference]"),
        "{}",
        render(&out)
    );
}

/// From a review: npm's escaped `\${NPM_TOKEN}` token, which real npm 12.2.2 sends as
/// `Bearer ${NPM_TOKEN}` and real Yarn 1.22.22 as `Bearer \${NPM_TOKEN}` (no `.npmrc` spelling
/// makes both agree), was reported `lossy-env-reference` by `--to yarn@1`, and then, once the
/// file held the `always-auth` line, called "already in sync", `--check` exiting 0.
#[test]
fn escaped_token_yarn_classic_cannot_send_is_not_in_sync() {
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            "registry=http://127.0.0.1:4872/\n//127.0.0.1:4872/:_authToken=\\${NPM_TOKEN}\n//127.0.0.1:4872/:always-auth=true\n",
        ),
    ]);
    let check = run(
        &project,
        &["convert", "--from", "npm", "--to", "yarn@1", "--check"],
    );
    let said = common::unwrapped(&String::from_utf8_lossy(&check.stderr));
    assert!(
        check.stdout.is_empty(),
        "nothing to write: {}",
        render(&check)
    );
    assert!(said.contains("warning[lossy-env-reference]"), "{said}");
    assert!(!said.contains("already in sync"), "{said}");
    assert!(
        said.contains("yarn-classic cannot do what npm does with them, and nothing pmrc can write mends that (see lossy-env-reference above)"),
        "{said}"
    );
    assert_eq!(check.status.code(), Some(1), "{}", render(&check));
    let json = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "yarn@1", "--format", "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["in_sync"], false, "{}", render(&json));
}

/// Found with the check of issue 1's fix: npm's own inline `cert`/`key`, which pnpm and Yarn
/// 1 read from the same `.npmrc` (spec/pnpm-bun-deno.md §1's table), were reported as file
/// paths `.npmrc` could not take (`lossy-client-certificate`), a finding that was not true.
#[test]
fn npms_inline_client_certificate_is_no_loss_for_npmrc_readers() {
    let project = Project::with_files(&[(
        ".npmrc",
        "registry=https://r.example/\ncert=\"-----BEGIN CERTIFICATE-----\\nFAKE\\n-----END CERTIFICATE-----\"\nkey=\"-----BEGIN PRIVATE KEY-----\\nFAKE-KEY\\n-----END PRIVATE KEY-----\"\n",
    )]);
    for target in ["pnpm@12", "yarn-classic"] {
        let out = run(
            &project,
            &[
                "convert", "--from", "npm", "--to", target, "--format", "json",
            ],
        );
        let codes = json_warning_codes(&out);
        assert!(
            !codes.iter().any(|c| c == "lossy-client-certificate"),
            "{target}: {}",
            render(&out)
        );
    }
}

/// From a review: npm 12 under `strict-npmrc=true` stops on every key it does not know, not
/// only `always-auth` (real npm 12.2.2 stopped on a shared `.npmrc`'s `auto-install-peers`
/// and `node-linker` with EUNKNOWNCONFIG, and on them under `npm_config_strict_npmrc=true`
/// too). The npm 11 -> 12 note names those lines before advising strict-npmrc, and doctor
/// with `--env` takes strict-npmrc from the environment.
#[test]
fn npm_12_strict_npmrc_knows_every_key_npm_12_does_not() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (
            ".npmrc",
            "registry=https://r.example.test/\nauto-install-peers=true\nnode-linker=hoisted\nsave-exact=true\n",
        ),
    ]);
    let out = run(&project, &["convert", "--from", "npm@11", "--to", "npm@12"]);
    let said = common::unwrapped(&render(&out));
    assert!(
        said.contains(
            "once the lines npm 12 does not know are gone (`auto-install-peers`, `node-linker`:"
        ),
        "{said}"
    );
    let doctor = |env: bool| {
        let mut args = vec!["doctor", "--manager", "npm@12", "--format", "json"];
        if env {
            args.push("--env");
        }
        let out = project
            .cmd(&args)
            .env("npm_config_strict_npmrc", "true")
            .output()
            .unwrap();
        let doc: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", render(&out)));
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "npm12-strict-unknown-key")
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let found = doctor(true);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with(
            "`auto-install-peers`: with `strict-npmrc=true` (the variable npm_config_strict_npmrc)"
        ),
        "{found:?}"
    );
    // Without --env, pmrc reads the files alone.
    assert!(doctor(false).is_empty());
}

/// Trial #7: `~/.npmrc` holds the registry and its token, which real pnpm 11.28.11 and
/// 12.21.0 read as they are (the loopback registry logged `Bearer npm_FAKE…` on every request,
/// as npm's). `convert --user` copied both into pnpm's `auth.ini`, which pnpm reads above
/// `~/.npmrc`: a token renewed there then went unsent (real pnpm 12 sent the copy's), and
/// `--check` failed. Nothing is written now, and `--check` passes. Bun reads `~/.npmrc` too,
/// but a conversion to Bun moves the config into Bun's own file, so that the project can
/// drop npm's (the conformance cases delete `.npmrc` after converting): it still writes one.
#[test]
fn trial_7_a_user_npmrc_token_pnpm_reads_is_not_copied_to_auth_ini() {
    let project = Project::with_files(&[("package.json", "{\"name\": \"app\"}\n")]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "//127.0.0.1:4872/:_authToken=npm_FAKE_trial7_token\nregistry=http://127.0.0.1:4872/\n",
    )
    .unwrap();
    for to in ["pnpm@11", "pnpm@12"] {
        let out = run(
            &project,
            &["convert", "--from", "npm", "--to", to, "--user", "--check"],
        );
        let said = render(&out);
        assert_eq!(out.status.code(), Some(0), "{to}: {said}");
        assert!(said.contains("note[target-already-alike]"), "{to}: {said}");
        assert!(said.contains("already in sync"), "{to}: {said}");
        let out = run(
            &project,
            &["convert", "--from", "npm", "--to", to, "--user", "--write"],
        );
        assert_eq!(out.status.code(), Some(0), "{to}: {}", render(&out));
    }
    assert!(!project.home.path().join(".config/pnpm/auth.ini").exists());
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "bun", "--user", "--check",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(!render(&out).contains("target-already-alike"));
}

/// Trial #7: an `auth.ini` that holds a stale token for the registry wins over `~/.npmrc` in
/// pnpm 11/12 (real pnpm 12.21.0 sent the stale one): there pnpm does not do what npm does,
/// and the conversion still writes the token npm sends.
#[test]
fn trial_7_a_stale_auth_ini_token_is_still_replaced() {
    let project = Project::with_files(&[("package.json", "{\"name\": \"app\"}\n")]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "//127.0.0.1:4872/:_authToken=npm_FAKE_trial7_token\nregistry=http://127.0.0.1:4872/\n",
    )
    .unwrap();
    let pnpm = project.home.path().join(".config/pnpm");
    std::fs::create_dir_all(&pnpm).unwrap();
    std::fs::write(
        pnpm.join("auth.ini"),
        "//127.0.0.1:4872/:_authToken=npm_FAKE_trial7_stale\n",
    )
    .unwrap();
    let out = run(
        &project,
        &[
            "convert", "--from", "npm", "--to", "pnpm@12", "--user", "--check",
        ],
    );
    let said = render(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(!said.contains("target-already-alike"), "{said}");
    assert!(said.contains("auth.ini"), "{said}");
}

/// Trial #7: the project `.npmrc` routes `@acme` and `~/.npmrc` holds its literal token; real
/// pnpm 11/12, Bun and Deno read both as they are and sent `@acme/bar`'s requests to that
/// registry with that token, as npm did. The conversion proposed a `pnpm-workspace.yaml` (and
/// with `--user` an `auth.ini` copy) and `--check` failed; with or without `--user` nothing
/// is written now for pnpm (Bun still gets its own `bunfig.toml`, as above).
#[test]
fn trial_7_a_scope_pnpm_reads_from_the_project_npmrc_needs_no_workspace_yaml() {
    let project = Project::with_files(&[
        (
            "package.json",
            "{\"name\": \"app\", \"dependencies\": {\"@acme/bar\": \"1.0.0\"}}\n",
        ),
        (".npmrc", "@acme:registry=http://127.0.0.1:4872/\n"),
    ]);
    std::fs::write(
        project.home.path().join(".npmrc"),
        "//127.0.0.1:4872/:_authToken=npm_FAKE_trial7_token\n",
    )
    .unwrap();
    for to in ["pnpm@11", "pnpm@12"] {
        for user in [false, true] {
            let mut args = vec!["convert", "--from", "npm", "--to", to, "--check"];
            if user {
                args.push("--user");
            }
            let out = run(&project, &args);
            let said = render(&out);
            assert_eq!(out.status.code(), Some(0), "{args:?}: {said}");
            assert!(said.contains("already in sync"), "{args:?}: {said}");
            // The user file was read for the comparison: not said to be unread.
            assert!(!said.contains("user-files-not-read"), "{args:?}: {said}");
        }
    }
    assert!(project.read("pnpm-workspace.yaml").is_none());
}

/// Trial #7's sparing holds only where the target reads the source's lines alike: a pnpm
/// `config.yaml` that routes `@acme` elsewhere wins over the project `.npmrc` in pnpm 11/12,
/// and the conversion still writes the scope into `pnpm-workspace.yaml`.
#[test]
fn trial_7_a_pnpm_config_yaml_route_elsewhere_still_gets_the_workspace_yaml() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (".npmrc", "@acme:registry=http://127.0.0.1:4872/\n"),
    ]);
    let pnpm = project.home.path().join(".config/pnpm");
    std::fs::create_dir_all(&pnpm).unwrap();
    std::fs::write(
        pnpm.join("config.yaml"),
        "registries:\n  \"@acme\": \"http://127.0.0.1:4873/\"\n",
    )
    .unwrap();
    let out = run(
        &project,
        &["convert", "--from", "npm", "--to", "pnpm@12", "--check"],
    );
    let said = render(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("+++ b/pnpm-workspace.yaml"), "{said}");
    assert!(!said.contains("target-already-alike"), "{said}");
}

/// From a trial: Azure Artifacts' `username` and `_password=${VAR}` (base64 in a variable)
/// left Yarn 4 with no credentials and the advice "give yarn the plain password in its own
/// variable", which no conversion would then pick up. The warning names the `.npmrc` form that
/// npm sends alike and pmrc carries to Yarn: one `_auth` from a variable holding base64 of
/// `user:password` (real npm 11.21.2 and Yarn 4.18.1 then sent the same Basic header).
#[test]
fn a_base64_password_in_a_variable_names_the_auth_line_yarn_can_be_given() {
    let key = "//r.example.test/org/_packaging/feed/npm/registry/";
    let project = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            &format!(
                "registry=https:{key}\n{key}:username=org\n{key}:_password=${{AZ_PASS_B64}}\n"
            ),
        ),
    ]);
    let out = run(&project, &["convert", "--from", "npm", "--to", "yarn"]);
    let said = common::unwrapped(&render(&out));
    assert!(
        said.contains(
            "write the user and password in .npmrc as one `_auth` at the same key instead"
        ),
        "{said}"
    );
    // The advice, taken: the pair as one `_auth` reaches Yarn as its ident.
    let advised = Project::with_files(&[
        ("package.json", "{}\n"),
        (
            ".npmrc",
            &format!("registry=https:{key}\n{key}:_auth=${{AZ_AUTH_B64}}\n"),
        ),
    ]);
    let out = run(&advised, &["convert", "--from", "npm", "--to", "yarn"]);
    let said = render(&out);
    assert!(
        said.contains("+    npmAuthIdent: \"${AZ_AUTH_B64}\""),
        "{said}"
    );
    assert!(!said.contains("lossy-basic-auth"), "{said}");
}

/// From a trial: real npm 12.2.2 stops every command on a top-level `email` ("Invalid auth
/// configuration found: `email` must be renamed to `//host/path/:email`", ERR_INVALID_AUTH)
/// and makes no request, where explain printed no stop and a Basic sent, and show no warning.
/// With `packageManager: npm@12.2.2` beside the `.npmrc`, explain also printed npm twice.
#[test]
fn npm12_stops_on_a_top_level_email_in_explain_and_show() {
    let npmrc = "registry=https://reg.example.test/npm/virtual/\nemail=deploy@example.com\n//reg.example.test/npm/virtual/:_auth=ZmFrZTpmYWtl\n";
    let pinned = Project::with_files(&[
        (
            "package.json",
            "{\"name\":\"x\",\"packageManager\":\"npm@12.2.2\"}\n",
        ),
        (".npmrc", npmrc),
    ]);
    let unpinned =
        Project::with_files(&[("package.json", "{\"name\":\"x\"}\n"), (".npmrc", npmrc)]);
    let stop = "stops: every command, with \"ERR_INVALID_AUTH: `email` must be renamed to `//reg.example.test/npm/virtual/:email`\" (.npmrc:2)";
    for (project, args) in [
        (&pinned, &["explain", "left-pad"][..]),
        (
            &unpinned,
            &["explain", "left-pad", "--manager", "npm@12"][..],
        ),
    ] {
        let out = run(project, args);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains(stop), "{}", render(&out));
        assert_eq!(said.matches("  npm (").count(), 1, "{}", render(&out));
        assert!(said.contains("  npm (npm 12 rules)"), "{}", render(&out));
    }
    // npm 11 only warns: no stop there.
    let out = run(&unpinned, &["explain", "left-pad", "--manager", "npm@11"]);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("stops:"),
        "{}",
        render(&out)
    );
    let out = run(&pinned, &["show"]);
    let warned = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    assert!(
        warned.contains(
            "error[npm12-refused-key]: .npmrc:2: top-level `email`: npm 12 refuses the whole file"
        ),
        "{}",
        render(&out)
    );
}

/// From a trial: with a top-level `_auth` and `email`, `--manager npm@11,npm@12` and plain
/// doctor (npm's major not pinned) reported only the `_auth`, explain printed two identical
/// "npm 11/12" answers whose stop named `_auth` alone (real npm 12.2.2 names both), and
/// after the printed fix npm 12 still failed on `email` while doctor said nothing. Now each
/// major is said apart, and the printed fixes, run as printed, leave a file npm 12 takes
/// (real npm 11.21.2 and 12.2.2 then installed with the keyed `_auth`).
#[test]
fn npm_majors_not_settled_are_checked_and_explained_apart() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\":\"x\"}\n"),
        (
            ".npmrc",
            "registry=https://reg.example.test/npm/virtual/\n_auth=ZmFrZTpmYWtl\nemail=deploy@example.com\n",
        ),
    ]);
    for args in [
        &["doctor", "--manager", "npm@11,npm@12"][..],
        &["doctor"][..],
    ] {
        let out = run(&project, args);
        let said = common::unwrapped(&String::from_utf8_lossy(&out.stdout));
        assert!(
            said.contains("npm-legacy-top-level-auth"),
            "{}",
            render(&out)
        );
        assert!(
            said.contains("[npm12-refused-key]: .npmrc:3: top-level `email`: npm 12 refuses"),
            "{}",
            render(&out)
        );
    }
    let reg = "//reg.example.test/npm/virtual/";
    let npm11_stop = format!("ERR_INVALID_AUTH: `_auth` must be renamed to `{reg}:_auth`\"");
    let npm12_stop = format!(
        "ERR_INVALID_AUTH: `_auth` must be renamed to `{reg}:_auth`, `email` must be renamed to `{reg}:email`\""
    );
    for args in [
        &["explain", "left-pad", "--manager", "npm@11,npm@12"][..],
        &["explain", "left-pad"][..],
    ] {
        let out = run(&project, args);
        let said = String::from_utf8_lossy(&out.stdout);
        let (npm11, npm12) = said
            .split_once("  npm (npm 12 rules)")
            .unwrap_or_else(|| panic!("no npm 12 answer: {}", render(&out)));
        assert!(npm11.contains("  npm (npm 11 rules)"), "{}", render(&out));
        assert!(npm11.contains(&npm11_stop), "{}", render(&out));
        assert!(npm12.contains(&npm12_stop), "{}", render(&out));
    }
    // The fixes as printed, in turn, until doctor names none for either refusal.
    for _ in 0..3 {
        let out = run(&project, &["doctor"]);
        let said = common::unwrapped(&String::from_utf8_lossy(&out.stdout));
        let Some(fix) = said
            .lines()
            .skip_while(|l| {
                !l.contains("npm-legacy-top-level-auth") && !l.contains("npm12-refused-key")
            })
            .find_map(|l| l.trim().strip_prefix("fix: run `"))
        else {
            break;
        };
        let command = fix.split('`').next().unwrap();
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let out = common::pmrc()
            .args(&args)
            .current_dir(project.path())
            .env("HOME", project.home.path())
            .output()
            .unwrap();
        // doctor exits 1 on the warnings left; 2 is a command that did not run.
        assert_ne!(out.status.code(), Some(2), "{command}: {}", render(&out));
    }
    let written = project.read(".npmrc").unwrap();
    assert_eq!(
        written,
        format!(
            "registry=https://reg.example.test/npm/virtual/\n{reg}:email=deploy@example.com\n{reg}:_auth=ZmFrZTpmYWtl\n"
        )
    );
    let out = run(&project, &["explain", "left-pad"]);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("stops:"),
        "{}",
        render(&out)
    );
}

/// From a trial: real npm 12.2.2 refused (EALLOWREMOTE, "Refusing to fetch") a tarball on the
/// scope registry's host outside its path, and one on another host with its own key, where
/// npm 11.21.2 sent the scope's token and that key's; explain said npm 12 sent them. npm 12
/// lets a tarball through on the registry's origin under its path, or with allow-remote=all
/// (real npm 12.2.2 then sent the scope's token).
#[test]
fn npm12_refuses_tarballs_outside_the_registry_origin_and_path() {
    let npmrc = "registry=http://127.0.0.1:4871/npm/\n@acme:registry=http://127.0.0.1:4872/acme/\n//127.0.0.1:4872/acme/:_authToken=npm_FAKEacme\n//127.0.0.1:4873/cdn/:_authToken=npm_FAKEcdn\n";
    let project = Project::with_files(&[("package.json", "{\"name\":\"x\"}\n"), (".npmrc", npmrc)]);
    let tarball_line = |args: &[&str]| {
        let out = run(&project, args);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.trim_start().starts_with("tarball "))
            .unwrap_or_else(|| panic!("no tarball line: {}", render(&out)))
            .to_string()
    };
    for tarball in [
        "http://127.0.0.1:4872/files/@acme/lib/-/lib-1.0.0.tgz",
        "http://127.0.0.1:4873/cdn/@acme/lib/-/lib-1.0.0.tgz",
    ] {
        let explain = [
            "explain",
            "@acme/lib@1.0.0",
            "--tarball",
            tarball,
            "--manager",
        ];
        let npm12 = tarball_line(&[&explain[..], &["npm@12"]].concat());
        assert!(
            npm12.contains(": no credentials (npm 12 refuses to fetch it (EALLOWREMOTE"),
            "{npm12}"
        );
        let npm11 = tarball_line(&[&explain[..], &["npm@11"]].concat());
        assert!(npm11.contains(": Bearer ***"), "{npm11}");
        assert!(!npm11.contains("EALLOWREMOTE"), "{npm11}");
    }
    let under = tarball_line(&[
        "explain",
        "@acme/lib@1.0.0",
        "--tarball",
        "http://127.0.0.1:4872/acme/@acme/lib/-/lib-1.0.0.tgz",
        "--manager",
        "npm@12",
    ]);
    assert!(
        under.contains(": Bearer ***") && !under.contains("EALLOWREMOTE"),
        "{under}"
    );
    std::fs::write(
        project.path().join(".npmrc"),
        format!("{npmrc}allow-remote=all\n"),
    )
    .unwrap();
    let allowed = tarball_line(&[
        "explain",
        "@acme/lib@1.0.0",
        "--tarball",
        "http://127.0.0.1:4872/files/@acme/lib/-/lib-1.0.0.tgz",
        "--manager",
        "npm@12",
    ]);
    assert!(allowed.contains(": Bearer *** (outside the origin and path of the package's registry, fetched because allow-remote=all (.npmrc:5)"), "{allowed}");
}

/// From the last note's gap: a pnpm project with `pnpm-lock.yaml` and an `.npmrc` (no
/// `pnpm-workspace.yaml`, no `packageManager`) got npm's answer alone from explain, show and
/// doctor, and a conversion that changed what pnpm sends said nothing of pnpm. A lockfile
/// puts the manager that writes it in play, as design.md's discovery asks; `yarn.lock` names
/// Yarn 1 or Berry by its format.
#[test]
fn a_lockfile_puts_the_manager_that_writes_it_in_play() {
    let npmrc = "@acme:registry=http://REGISTRY.test:4873/\n//registry.test:4873/:_authToken=npm_FAKE_TOKEN\n";
    let headers = |lockfile: Option<(&str, &str)>| {
        let mut files = vec![("package.json", "{\"name\":\"app\"}\n"), (".npmrc", npmrc)];
        files.extend(lockfile);
        let project = Project::with_files(&files);
        let out = run(&project, &["show"]);
        assert_eq!(out.status.code(), Some(0), "{}", render(&out));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains(" rules)"))
            .map(|l| l.split(" (").next().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(headers(None), ["npm"]);
    let yarn1 = "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n";
    let berry = "# This file is generated by running \"yarn install\" inside your project.\n\n__metadata:\n  version: 8\n";
    for (lockfile, text, manager) in [
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n", "pnpm@12"),
        ("yarn.lock", yarn1, "yarn-classic"),
        ("yarn.lock", berry, "yarn"),
        ("bun.lock", "{\n  \"lockfileVersion\": 1,\n}\n", "bun"),
        ("bun.lockb", "binary", "bun"),
        ("deno.lock", "{\"version\": \"5\"}\n", "deno"),
    ] {
        assert_eq!(
            headers(Some((lockfile, text))),
            ["npm", manager],
            "{lockfile}"
        );
    }
    // A yarn.lock in neither format tells nothing.
    assert_eq!(headers(Some(("yarn.lock", "garbage\n"))), ["npm"]);

    let project = Project::with_files(&[
        ("package.json", "{\"name\":\"app\"}\n"),
        (".npmrc", npmrc),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
    ]);
    // pnpm 12 matches keys with the host's case as written: it sends nothing here.
    let explained = run(&project, &["explain", "@acme/w"]);
    let text = String::from_utf8_lossy(&explained.stdout);
    let pnpm = text
        .split("pnpm@12 (pnpm 12 rules)")
        .nth(1)
        .unwrap_or_else(|| panic!("{}", render(&explained)));
    assert!(pnpm.contains("sends: no credentials"), "{text}");
    let doctor = run(&project, &["doctor"]);
    assert!(
        render(&doctor).contains("npm and pnpm@12 authenticate @acme/* differently"),
        "{}",
        render(&doctor)
    );
    // A conversion that makes pnpm send otherwise says so, naming the lockfile.
    let converted = run(
        &project,
        &["convert", "--from", "npm", "--to", "yarn-classic"],
    );
    let said = String::from_utf8_lossy(&converted.stderr).replace("\n    ", " ");
    assert!(
        said.contains("warning[present-reader-moved]: .npmrc:3: pnpm@12, whose pnpm-lock.yaml is here, reads .npmrc too")
            && said.contains("as its lockfile says pnpm@12 installs this project"),
        "{said}"
    );
}

/// A workspace member's manager is the one whose lockfile is at the workspace root that
/// lists it (npm, Yarn and Bun keep one lockfile there).
#[test]
fn a_lockfile_at_the_workspace_root_puts_its_manager_in_play_in_a_member() {
    let project = Project::with_files(&[
        (
            "package.json",
            "{\"name\":\"root\",\"private\":true,\"workspaces\":[\"packages/*\"]}\n",
        ),
        ("bun.lock", "{\n  \"lockfileVersion\": 1,\n}\n"),
        ("packages/a/package.json", "{\"name\":\"a\"}\n"),
        ("packages/a/.npmrc", "registry=http://registry.test:4873/\n"),
    ]);
    let out = common::pmrc()
        .args(["show", "--dir"])
        .arg(project.path().join("packages/a"))
        .env("HOME", project.path().join("no-home"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bun (Bun 1.x rules)"), "{}", render(&out));
}

/// From the last note's gap: npm's `replace-registry-host` (default `npmjs`) fetches a
/// tarball on registry.npmjs.org (a lockfile's `resolved`, a mirror's packument) from the
/// default registry instead, with its credentials; explain said npm 11 sends nothing and
/// npm 12 refuses it. Real npm 11.21.2 and 12.2.2 against a loopback registry at
/// `http://127.0.0.1:4873/npm/` whose packument named `https://registry.npmjs.org/foo/-/…`
/// both fetched `/npm/foo/-/foo-1.0.0.tgz` with the registry's token; with
/// `replace-registry-host=never`, npm 11 went to registry.npmjs.org and npm 12 stopped
/// (EALLOWREMOTE); a scope on another path got the default registry's host, which npm 11
/// fetched with the scope's token and npm 12 refused (outside the scope registry's path).
#[test]
fn npm_asks_its_registry_for_tarballs_on_the_public_registry() {
    let tarball_lines = |npmrc: &str, package: &str, tarball: &str| {
        let project =
            Project::with_files(&[("package.json", "{\"name\":\"app\"}\n"), (".npmrc", npmrc)]);
        let out = run(
            &project,
            &[
                "explain",
                package,
                "--tarball",
                tarball,
                "--manager",
                "npm@11,npm@12",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", render(&out));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.trim_start().starts_with("tarball "))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let npmrc =
        "registry=http://127.0.0.1:4873/npm/\n//127.0.0.1:4873/npm/:_authToken=npm_FAKE_TOKEN\n";
    let public = "https://registry.npmjs.org/foo/-/foo-1.0.0.tgz";
    let rewritten = tarball_lines(npmrc, "foo", public);
    assert_eq!(rewritten.len(), 2, "{rewritten:?}");
    for line in &rewritten {
        assert!(
            line.contains(": Bearer *** (npm asks for http://127.0.0.1:4873/npm/foo/-/foo-1.0.0.tgz instead (replace-registry-host=npmjs (npm's default)"),
            "{line}"
        );
    }
    let never = tarball_lines(
        &format!("{npmrc}replace-registry-host=never\n"),
        "foo",
        public,
    );
    assert!(
        never[0].contains(": no credentials (another host"),
        "{never:?}"
    );
    assert!(never[1].contains("EALLOWREMOTE"), "{never:?}");
    let scoped = tarball_lines(
        "registry=http://127.0.0.1:4873/npm/\n@acme:registry=http://127.0.0.1:4873/acme/\n//127.0.0.1:4873/acme/:_authToken=npm_FAKE_ACME\n",
        "@acme/foo",
        "https://registry.npmjs.org/@acme/foo/-/foo-1.0.0.tgz",
    );
    assert!(
        scoped[0].contains(
            ": Bearer *** (npm asks for http://127.0.0.1:4873/npm/@acme/foo/-/foo-1.0.0.tgz instead"
        ),
        "{scoped:?}"
    );
    assert!(
        scoped[1].contains("EALLOWREMOTE") && scoped[1].contains("http://127.0.0.1:4873/acme/"),
        "{scoped:?}"
    );
}

/// From the last note's gap: npm 12 refuses a top-level `email` only with a value
/// (`validate()` asks `this.get`): real npm 12.2.2 installed with `email=` and `email=""`,
/// where pmrc said it stops every command.
#[test]
fn npm12_takes_an_empty_top_level_email_as_no_email() {
    for (line, stops) in [
        ("email=", false),
        ("email=\"\"", false),
        ("email=me@example.test", true),
    ] {
        let project = Project::with_files(&[
            ("package.json", "{\"name\":\"app\"}\n"),
            (
                ".npmrc",
                &format!(
                    "registry=http://127.0.0.1:4873/npm/\n//127.0.0.1:4873/npm/:_authToken=npm_FAKE_TOKEN\n{line}\n"
                ),
            ),
        ]);
        let out = run(&project, &["explain", "foo", "--manager", "npm@12"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.contains("stops: every command"),
            stops,
            "{line}: {text}"
        );
        let doctor = run(&project, &["doctor", "--manager", "npm@12"]);
        assert_eq!(
            render(&doctor).contains("npm12-refused-key"),
            stops,
            "{line}: {}",
            render(&doctor)
        );
    }
}

/// A lockfile says which manager installs the project: init keeps it in sync (a pnpm project
/// with `pnpm-lock.yaml` and an `.npmrc` alone found nothing to keep in sync), and one beside
/// another manager package.json names is the leftover-or-target question, with both
/// commands; run as printed, each writes a pmrc.toml that `sync --check` reads.
#[test]
fn init_takes_the_manager_whose_lockfile_is_here_as_a_target() {
    let npmrc = (".npmrc", "@acme:registry=https://npm.pkg.github.com/\n");
    let project = Project::with_files(&[
        npmrc,
        ("package.json", "{\"name\":\"app\"}\n"),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
    ]);
    let out = run(&project, &["init", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let written = project.read("pmrc.toml").unwrap();
    assert!(
        written.contains("#   pnpm: pnpm-lock.yaml is here\n")
            && written.contains("to = [\"pnpm\"]"),
        "{written}"
    );
    let out = run(&project, &["sync", "--check"]);
    assert_ne!(out.status.code(), Some(2), "{}", render(&out));

    let project = Project::with_files(&[
        npmrc,
        ("package.json", "{\"packageManager\": \"pnpm@10.2.0\"}\n"),
        (
            "yarn.lock",
            "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n",
        ),
    ]);
    let out = run(&project, &["init"]);
    assert_eq!(out.status.code(), Some(2), "{}", render(&out));
    let message = common::unwrapped(&String::from_utf8_lossy(&out.stderr));
    let dir = format!(" -C {}", project.path().display());
    for said in [
        "yarn.lock (yarn-classic) is here too".to_string(),
        format!("`pmrc init --to pnpm{dir}`"),
        format!("`pmrc init --to pnpm,yarn-classic{dir}`"),
    ] {
        assert!(message.contains(&said), "{said}: {message}");
    }
    for (to, written) in [
        ("pnpm", "to = [\"pnpm\"]"),
        ("pnpm,yarn-classic", "to = [\"pnpm\", \"yarn-classic\"]"),
    ] {
        let _ = std::fs::remove_file(project.path().join("pmrc.toml"));
        let out = common::pmrc()
            .args(["init", "--to", to, "-C"])
            .arg(project.path())
            .arg("--write")
            .env("HOME", project.path().join("no-home"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{to}: {}", render(&out));
        assert!(project.read("pmrc.toml").unwrap().contains(written));
    }
}

/// From the last note's gap: `sync --check` showed a scope added to the target's file by hand
/// being removed and said only "`pmrc sync --write` updates them", which would drop it. It
/// says what only the target holds, where, and that it belongs in the source; done as said,
/// the sync keeps it.
#[test]
fn sync_check_names_what_only_the_target_holds_before_write_removes_it() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\":\"app\"}\n"),
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.test/\n//npm.acme.test/:_authToken=${NPM_TOKEN}\n",
        ),
        ("pmrc.toml", "[sync]\nfrom = \"npm\"\nto = [\"yarn\"]\n"),
    ]);
    let out = run(&project, &["sync", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let synced = project.read(".yarnrc.yml").unwrap();
    let by_hand = synced.replace(
        "npmScopes:\n",
        "npmScopes:\n  beta:\n    npmRegistryServer: \"https://npm.beta.test\"\n",
    );
    std::fs::write(project.path().join(".yarnrc.yml"), &by_hand).unwrap();
    let check = |project: &Project| {
        let out = run(project, &["sync", "--check"]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).replace("\n    ", " "),
        )
    };
    let (code, said) = check(&project);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("warning[target-only-setting-removed]: .yarnrc.yml:3: scope @beta is in yarn's file but not in npm's config, the source: the change removes it; if it is meant to stay, add it to the source (.npmrc) and run again"),
        "{said}"
    );
    // Done as said: the source holds them, the sync keeps them, and the check then passes.
    std::fs::write(
        project.path().join(".npmrc"),
        "@acme:registry=https://npm.acme.test/\n//npm.acme.test/:_authToken=${NPM_TOKEN}\n@beta:registry=https://npm.beta.test/\n",
    )
    .unwrap();
    let (_, said) = check(&project);
    assert!(!said.contains("target-only-setting-removed"), "{said}");
    let out = run(&project, &["sync", "--write"]);
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    let written = project.read(".yarnrc.yml").unwrap();
    assert!(written.contains("beta:"), "{written}");
    assert_eq!(check(&project).0, Some(0));

    // The other way round: `.npmrc` as the target, a scope and a host's token added to it.
    let project = Project::with_files(&[
        ("package.json", "{\"name\":\"app\"}\n"),
        (
            ".yarnrc.yml",
            "npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.acme.test\"\nnpmRegistries:\n  //npm.acme.test:\n    npmAuthToken: \"${NPM_TOKEN}\"\n",
        ),
        ("pmrc.toml", "[sync]\nfrom = \"yarn\"\nto = [\"npm\"]\n"),
    ]);
    assert_eq!(run(&project, &["sync", "--write"]).status.code(), Some(0));
    let npmrc = project.read(".npmrc").unwrap();
    std::fs::write(
        project.path().join(".npmrc"),
        format!("{npmrc}@beta:registry=https://npm.beta.test/\n//npm.beta.test/:_authToken=${{BETA_TOKEN}}\n"),
    )
    .unwrap();
    let lines = npmrc.lines().count();
    let (code, said) = check(&project);
    assert_eq!(code, Some(1), "{said}");
    for expected in [
        format!(
            ".npmrc:{}: scope @beta is in npm's file but not in yarn's config, the source: the change removes it; if it is meant to stay, add it to the source (.yarnrc.yml)",
            lines + 1
        ),
        format!(
            ".npmrc:{}: the credentials at `//npm.beta.test/` are in npm's file",
            lines + 2
        ),
    ] {
        assert!(said.contains(&expected), "{expected}: {said}");
    }
}

/// From a trial: Yarn 1 asks registry.yarnpkg.com for a tarball on registry.npmjs.org while
/// Yarn's own registry (`.yarnrc`) is its default; explain implied registry.npmjs.org, the
/// host a firewall must let through. Real Yarn 1.22.22 (registry in `.npmrc`) went to
/// registry.yarnpkg.com, and to registry.npmjs.org once `.yarnrc` named a registry.
#[test]
fn yarn_1_asks_its_own_registry_for_tarballs_on_npms() {
    let npmrc = "registry=http://127.0.0.1:4873/npm/\n//127.0.0.1:4873/npm/:_authToken=npm_FAKE_TOKEN\nalways-auth=true\n";
    let line = |files: &[(&str, &str)]| {
        let project = Project::with_files(files);
        let out = run(
            &project,
            &[
                "explain",
                "foo",
                "--tarball",
                "https://registry.npmjs.org/foo/-/foo-1.0.0.tgz",
                "--manager",
                "yarn-classic",
            ],
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.trim_start().starts_with("tarball "))
            .unwrap_or_default()
            .to_string()
    };
    let rewritten = line(&[("package.json", "{}\n"), (".npmrc", npmrc)]);
    assert!(
        rewritten
            .contains("Yarn 1 asks for https://registry.yarnpkg.com/foo/-/foo-1.0.0.tgz instead"),
        "{rewritten}"
    );
    let as_given = line(&[
        ("package.json", "{}\n"),
        (".npmrc", npmrc),
        (".yarnrc", "registry \"http://127.0.0.1:4873/npm/\"\n"),
    ]);
    assert!(
        !as_given.contains("asks for") && as_given.contains("no credentials"),
        "{as_given}"
    );
}

/// A new user's trial: an `.npmrc` value npm keeps quoted (double quotes around text JSON
/// refuses, or a quote never closed) made every command exit 2, `show`, `explain` and
/// `doctor` included, where npm reads the file and sends the value with its quotes. They
/// now read it as each manager does and say so at the line; `convert` still stops on it.
#[test]
fn a_value_npm_keeps_quoted_is_shown_explained_and_found_not_refused() {
    let npmrc =
        "registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_authToken=\"npm_FAKE_tok\\x\"\n";
    let project = Project::with_files(&[("package.json", "{\"name\":\"t\"}\n"), (".npmrc", npmrc)]);
    let secret = "npm_FAKE_tok";
    let managers = ["--manager", "npm,deno,pnpm@10"];
    for args in [
        &["show"][..],
        &["show", "--format", "json"][..],
        &["explain", "left-pad"][..],
        &["explain", "left-pad", "--format", "json"][..],
    ] {
        let out = run(&project, &[args, &managers[..]].concat());
        let text = render(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}\n{text}");
        assert!(text.contains("npmrc-quoted-value-kept"), "{args:?}\n{text}");
        assert!(
            !text.contains(secret),
            "{args:?} printed the token:\n{text}"
        );
    }
    let doctor = run(
        &project,
        &["doctor", "--format", "json", "--manager", "npm,deno"],
    );
    assert_eq!(doctor.status.code(), Some(1), "{}", render(&doctor));
    assert!(
        render(&doctor).contains("\"rule\": \"npmrc-quoted-value-kept\""),
        "{}",
        render(&doctor)
    );
    assert!(!render(&doctor).contains(secret));
    // npm sends the quotes, Deno drops them (and the backslash), as the real ones did.
    let shown = |manager: &str| {
        let out = run(
            &project,
            &[
                "explain",
                "left-pad",
                "--show-secrets",
                "--manager",
                manager,
            ],
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(
        shown("npm").contains("Bearer \"npm_FAKE_tok\\x\""),
        "{}",
        shown("npm")
    );
    assert!(
        shown("deno").contains("Bearer npm_FAKE_tokx "),
        "{}",
        shown("deno")
    );
    // pnpm 10 parses the value as JSON once more and ignores the whole file.
    assert!(
        shown("pnpm@10").contains("https://registry.npmjs.org/"),
        "{}",
        shown("pnpm@10")
    );
    let convert = run(&project, &["convert", "--from", "npm", "--to", "bun"]);
    let text = render(&convert);
    assert_eq!(convert.status.code(), Some(2), "{text}");
    assert!(
        text.contains(".npmrc:2:30: the value of `//127.0.0.1:4873/:_authToken` is double-quoted"),
        "{text}"
    );
    assert!(!text.contains(secret), "{text}");
}

/// From a trial: with `packageManager: npm@12.2.2`, show said "npm 11/12 rules" where explain
/// said "npm 12 rules"; and `explain --manager npm@11,npm@12` printed each note twice.
#[test]
fn show_names_the_pinned_npm_major_and_explain_says_a_note_once() {
    let npmrc = "registry=https://r.example/\n//r.example/:_authToken=${T}\nalways-auth=true\n";
    let pinned = Project::with_files(&[
        (
            "package.json",
            "{\"name\":\"a\",\"packageManager\":\"npm@12.2.2\"}\n",
        ),
        (".npmrc", npmrc),
    ]);
    let shown = String::from_utf8_lossy(&run(&pinned, &["show"]).stdout).into_owned();
    assert!(
        shown.starts_with("npm (npm 12 rules), from .npmrc"),
        "{shown}"
    );
    let open = Project::with_files(&[("package.json", "{\"name\":\"a\"}\n"), (".npmrc", npmrc)]);
    let shown = String::from_utf8_lossy(&run(&open, &["show"]).stdout).into_owned();
    assert!(
        shown.starts_with("npm (npm 11/12 rules), from .npmrc"),
        "{shown}"
    );
    let explained = run(
        &open,
        &["explain", "left-pad", "--manager", "npm@11,npm@12"],
    );
    let said = String::from_utf8_lossy(&explained.stderr);
    assert_eq!(
        said.matches("note[npm-always-auth-ignored]").count(),
        1,
        "{said}"
    );
}
