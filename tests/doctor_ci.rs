//! Issue 18: `pmrc doctor --ci` on real workflow shapes (`tests/ci-fixtures/<case>/in`, apart from
//! `tests/fixtures/`, where every case is a command for `tests/cli.rs`):
//! each finding has a project that triggers it and a clean twin that does not, the output
//! is snapshotted, and no value a workflow sets is ever printed, in any format.

mod common;

use std::collections::BTreeSet;

use std::path::PathBuf;

use common::Project;

/// Each case with exactly the `ci-*` rules it must report.
const CASES: &[(&str, &[&str])] = &[
    // The workflow sets NODE_AUTH_TOKEN for setup-node, .yarnrc.yml reads ${NPM_TOKEN};
    // and Yarn Berry never reads setup-node's .npmrc.
    (
        "yarn-berry-node-auth-token",
        &["ci-setup-node-npmrc-ignored", "ci-variable-not-provided"],
    ),
    // NPM_TOKEN from a $GITHUB_ENV write in one job, from step-level env in the other.
    ("yarn-berry-clean", &[]),
    // setup-node v7 `registry-url`, Yarn 1, and NODE_AUTH_TOKEN only on the publish step.
    (
        "yarn-classic-setup-node-v7",
        &["ci-yarn-classic-token-unset"],
    ),
    // Job-level NODE_AUTH_TOKEN on v7 (pinned by SHA, major in the comment), and v6, whose
    // placeholder keeps Yarn 1 going.
    ("yarn-classic-setup-node-clean", &[]),
    // The v7 wave's shape: no packageManager and no .yarnrc, a Yarn 1 lockfile, setup-node
    // pinned by SHA with `# v7.0.0`, the token only on the publish step.
    ("yarn-classic-lockfile-v7", &["ci-yarn-classic-token-unset"]),
    // pnpm 11 via pnpm/action-setup; the token is ${NPM_TOKEN} in the project .npmrc.
    ("pnpm11-action-setup", &["ci-pnpm-project-token"]),
    ("pnpm11-action-setup-clean", &[]),
    // The same, inside a local composite action the workflow uses (its lines are the
    // action's), and a local action not in the repository, which is said, not guessed.
    (
        "composite-action",
        &["ci-job-unclear", "ci-yarn-classic-token-unset"],
    ),
    // The calling step's `env:` reaches the action's steps.
    ("composite-action-clean", &[]),
    // setup-node `registry-url` naming GitHub Packages, and `npm ci` with no NODE_AUTH_TOKEN
    // (from a review: npm then sends setup-node's placeholder token, a 401); its clean twin
    // is setup-node's documented recipe for npm's registry, the token on `npm publish` alone.
    ("setup-node-private-registry", &["ci-registry-token-unset"]),
    ("setup-node-public-registry-clean", &[]),
    // A matrix over npm and Deno after setup-node `registry-url`: Deno never reads it.
    ("matrix-deno", &["ci-setup-node-npmrc-ignored"]),
    // A matrix over npm and Bun, which both read it.
    ("matrix-clean", &[]),
    // What cannot be told is said: an unreadable $GITHUB_ENV write, a pnpm of no known
    // major, a matrix given as an expression.
    ("unclear", &["ci-job-unclear"]),
    // A variable named `npm_config_//host/:_authToken` (and `npm_config_@scope:registry`)
    // for npm steps under `sh`: `shell: sh` on the step, the job's `defaults.run.shell: sh`,
    // a `container:` job with no shell named; dash drops such names.
    ("shell-drops-variable", &["ci-variable-dropped-by-sh"]),
    // The workflow's `defaults.run.shell: sh` overridden by `shell: bash` in a container,
    // names sh keeps (with the step writing the .npmrc line first), a macOS runner (whose sh
    // is bash), and a job that runs no manager.
    ("shell-drops-variable-clean", &[]),
    // `.gitlab-ci.yml` variables named `npm_config_//host/:_authToken` and `npm_config_@scope:registry`
    // (the clean twin is in tests/doctor.rs).
    ("gitlab-variable-names", &["ci-gitlab-variable-name"]),
    // dependabot.yml: a scoped registry on the right host but another path, and a mirror
    // the project never routes to (the clean twin is in tests/doctor.rs).
    ("dependabot-registries", &["ci-dependabot-registry-differs"]),
    // An npm-registry entry that the npm update does not list (the clean twin is in
    // tests/doctor.rs).
    ("dependabot-unlinked", &["ci-dependabot-registry-unlinked"]),
    // Yarn 4's `npmAuthToken: "${NPM_TOKEN}"` without a fallback, and an npm update for the
    // project in dependabot.yml: Dependabot sets no variables, Yarn stops (the clean twin is
    // in tests/doctor.rs).
    (
        "dependabot-yarn-reference",
        &["ci-dependabot-variable-unset"],
    ),
    // setup-bun `registries` with a `${{ secrets.X }}` and a literal token, a committed
    // bunfig.toml it rewrites (whose @acme registry it moves), and the deprecated
    // `registry-url`/`scope` in another job.
    (
        "setup-bun-registries",
        &[
            "ci-secret-written-to-checkout",
            "ci-setup-bun-deprecated-input",
            "ci-setup-bun-registry-differs",
            "ci-setup-bun-rewrites-bunfig",
        ],
    ),
    // `|$NPM_TOKEN` with the variable in the step's env, and no committed bunfig.toml.
    ("setup-bun-clean", &[]),
    // `yarn config set npmScopes.acme.npmAuthToken` into the project's .yarnrc.yml; after
    // setup-node `registry-url`, a token appended to ~/.npmrc and a secret echoed into .npmrc.
    (
        "run-writes-config",
        &["ci-secret-written-to-checkout", "ci-user-npmrc-ignored"],
    ),
    // `yarn config set -H`, "$NPM_CONFIG_USERCONFIG", and ~/.npmrc in a job without setup-node.
    ("run-writes-config-clean", &[]),
    // renovate.json: a matchHost on the registry's host with another path, and `npmrc`
    // without `npmrcMerge` next to a committed .npmrc.
    (
        "renovate-hosts",
        &["ci-renovate-host-differs", "ci-renovate-npmrc-replaces"],
    ),
    // .github/renovate.json: matchHost is the registry and Yarn's npmRegistries key, merged npmrc.
    ("renovate-clean", &[]),
    // The same findings from a renovate.json5 with comments, unquoted keys, trailing commas.
    (
        "renovate-json5",
        &["ci-renovate-host-differs", "ci-renovate-npmrc-replaces"],
    ),
];

/// The step and bot findings in every format: rule names and variable names are said, no
/// token a workflow, bunfig or Renovate config holds is.
#[test]
fn issue_18_step_and_bot_findings_print_no_value_in_any_format() {
    for (name, rules) in CASES.iter().filter(|(n, _)| {
        [
            "setup-bun-registries",
            "run-writes-config",
            "renovate-hosts",
            "renovate-json5",
        ]
        .contains(n)
    }) {
        let mut formats: Vec<Vec<&str>> = ["text", "json", "markdown", "github"]
            .iter()
            .map(|f| vec!["--format", f])
            .collect();
        formats.push(vec!["--sarif"]);
        for format in formats {
            let project = Project::from_fixture(&case(name));
            let mut args = vec!["doctor", "--ci", "--fail-on", "never"];
            args.extend(&format);
            let out = project.cmd(&args).output().unwrap();
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            for rule in *rules {
                assert!(
                    printed.contains(rule),
                    "{name} {format:?}: no {rule}:\n{printed}"
                );
            }
            assert!(
                !printed.contains("FAKEliteral"),
                "{name} {format:?} printed a value:\n{printed}"
            );
        }
    }
}

fn case(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/ci-fixtures")
        .join(name)
}

fn ci_rules(project: &Project) -> BTreeSet<String> {
    let out = project
        .cmd(&["doctor", "--ci", "--format", "json", "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .filter(|r| r.starts_with("ci-"))
        .collect()
}

#[test]
fn issue_18_each_ci_finding_has_a_trigger_and_a_clean_twin() {
    for (name, expected) in CASES {
        let project = Project::from_fixture(&case(name));
        let found = ci_rules(&project);
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(found, expected, "{name}");
    }
    // Every rule is triggered by one case and absent from another.
    for rule in pmrc::doctor::RULES
        .iter()
        .filter(|r| r.id.starts_with("ci-"))
    {
        assert!(
            CASES.iter().any(|(_, r)| r.contains(&rule.id)),
            "{}: no case triggers it",
            rule.id
        );
    }
}

#[test]
fn issue_18_ci_findings_snapshot() {
    for (name, _) in CASES {
        let project = Project::from_fixture(&case(name));
        let out = project.cmd(&["doctor", "--ci"]).output().unwrap();
        let report = format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        common::settings(&project)
            .bind(|| insta::assert_snapshot!(format!("doctor-ci-{name}"), report));
    }
}

/// The fix lines point at the workflow: the job's line holds `<job>:`, the finding's line
/// the step or input it names.
#[test]
fn issue_18_findings_point_at_the_workflow_lines() {
    let project = Project::from_fixture(&case("yarn-berry-node-auth-token"));
    let workflow = project.read(".github/workflows/ci.yml").unwrap();
    let line = |n: u64| workflow.lines().nth(n as usize - 1).unwrap().trim();
    for f in &ci_findings(&project) {
        let at = f["origin"]["line"].as_u64().unwrap();
        match f["rule"].as_str().unwrap() {
            "ci-variable-not-provided" => {
                assert_eq!(line(at), "- run: yarn install --immutable");
                assert!(f["fix"].as_str().unwrap().contains(
                    "add `NPM_TOKEN: ${{ secrets.GH_PACKAGES_TOKEN }}` to the `env:` of job `build` (line 7)"
                ));
                assert_eq!(line(7), "build:");
            }
            "ci-setup-node-npmrc-ignored" => {
                assert_eq!(line(at), "registry-url: https://npm.pkg.github.com")
            }
            other => assert!(!other.starts_with("ci-"), "{other}"),
        }
    }
}

/// A workflow may hold literal secrets in `env:`, inputs, `$GITHUB_ENV` writes and inline
/// assignments, `.gitlab-ci.yml` in `variables:` and dependabot.yml in a password; `doctor --ci` names variables and
/// never prints a value, in any format.
#[test]
fn issue_18_no_workflow_value_is_printed() {
    const FAKE: &str = "npm_FAKEliteral0123456789abcdefTOKEN";
    let dir = assert_fs::TempDir::new().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "package.json",
        "{\"name\": \"app\", \"packageManager\": \"yarn@4.5.0\"}\n",
    );
    write(
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.pkg.github.com\"\n    npmAuthToken: \"${NPM_TOKEN}\"\nnpmAuthToken: \"${OTHER_TOKEN}\"\n",
    );
    write(
        ".github/workflows/ci.yml",
        &format!(
            "on: [push]\nenv:\n  NODE_AUTH_TOKEN: {FAKE}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      YARN_TOKEN: \"{FAKE}\"\n    steps:\n      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://npm.pkg.github.com\n          scope: '@acme'\n          token: {FAKE}\n      - run: echo \"NPM_AUTH={FAKE}\" >> $GITHUB_ENV\n      - run: HELPER_TOKEN={FAKE} yarn install\n        env:\n          STEP_TOKEN: {FAKE}\n"
        ),
    );
    write(
        ".gitlab-ci.yml",
        &format!(
            "variables:\n  \"npm_config_//r.example/:_authToken\": {FAKE}\n  NPM_TOKEN: {FAKE}\n"
        ),
    );
    write(
        ".github/dependabot.yml",
        &format!(
            "version: 2\nregistries:\n  npm:\n    type: npm-registry\n    url: https://elsewhere.example\n    username: bot\n    password: {FAKE}\n"
        ),
    );
    let mut formats: Vec<Vec<&str>> = ["text", "json", "markdown", "github"]
        .iter()
        .map(|f| vec!["--format", f])
        .collect();
    formats.push(vec!["--sarif"]);
    for format in formats {
        let mut args = vec!["doctor", "--ci"];
        args.extend(&format);
        let out = common::pmrc()
            .args(&args)
            .arg("--dir")
            .arg(dir.path())
            .env("HOME", dir.path().join("no-home"))
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            printed.contains("ci-variable-not-provided")
                && printed.contains("ci-setup-node-npmrc-ignored")
                && printed.contains("ci-gitlab-variable-name")
                && printed.contains("ci-dependabot-registry-differs"),
            "{format:?}: the findings are missing:\n{printed}"
        );
        // Names are said, values never.
        assert!(printed.contains("NPM_TOKEN"), "{format:?}:\n{printed}");
        assert!(
            !printed.contains("FAKEliteral"),
            "{format:?} printed a value:\n{printed}"
        );
    }
}

/// A project in a folder of its repository: the workflows are the repository's, shown from
/// the project, and only steps that run in the project (or a folder inside it) count.
#[test]
fn issue_18_a_project_in_a_subfolder_gets_only_its_own_steps() {
    let dir = assert_fs::TempDir::new().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "web/package.json",
        "{\"name\": \"web\", \"packageManager\": \"yarn@4.5.0\"}\n",
    );
    write("web/.yarnrc.yml", "npmAuthToken: \"${NPM_TOKEN}\"\n");
    write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  docs:\n    runs-on: ubuntu-latest\n    defaults:\n      run:\n        working-directory: docs\n    steps:\n      - run: yarn install\n  web:\n    runs-on: ubuntu-latest\n    steps:\n      - run: yarn install\n        working-directory: ./web/packages/ui\n",
    );
    let out = common::pmrc()
        .args(["doctor", "--ci", "--format", "json", "--fail-on", "never"])
        .arg("--dir")
        .arg(dir.path().join("web"))
        .env("HOME", dir.path().join("no-home"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let found: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("ci-"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                format!(
                    "{}:{}",
                    f["origin"]["file"].as_str().unwrap(),
                    f["origin"]["line"]
                ),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "ci-variable-not-provided".to_string(),
            "../.github/workflows/ci.yml:13".to_string()
        )]
    );
}

/// Without any CI file, `--ci` says it checked no job rather than print "no findings".
#[test]
fn issue_18_no_ci_files_is_said() {
    let dir = assert_fs::TempDir::new().unwrap();
    std::fs::write(dir.path().join(".npmrc"), "save-exact=true\n").unwrap();
    let out = common::pmrc()
        .args(["doctor", "--ci", "--dir"])
        .arg(dir.path())
        .env("HOME", dir.path().join("no-home"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "note[ci-job-unclear]: no .github/workflows or .gitlab-ci.yml at or above the project"
        ),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(0), "a note does not fail doctor");
}

/// The findings of `doctor --ci`, as its JSON gives them.
fn ci_findings(project: &Project) -> Vec<serde_json::Value> {
    let out = project
        .cmd(&["doctor", "--ci", "--format", "json", "--fail-on", "never"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"].as_array().unwrap().clone()
}

/// The workflow lines `ci-secret-written-to-checkout` is reported at.
fn secret_write_lines(project: &Project) -> Vec<u64> {
    ci_findings(project)
        .iter()
        .filter(|f| f["rule"] == "ci-secret-written-to-checkout")
        .map(|f| f["origin"]["line"].as_u64().unwrap())
        .collect()
}

/// Here-documents in `run:`: a secret in the lines `cat` writes into the checkout's
/// `.npmrc` is reported at the `cat` line, and `cat >> "$GITHUB_ENV" <<EOF` sets the
/// variables its lines name for the later steps (it was "cannot be told"). Their lines are
/// never read as commands.
#[test]
fn here_documents_in_run_are_read_as_what_they_write() {
    let workflow = "name: CI\non: [push]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - run: |\n          cat >> \"$GITHUB_ENV\" <<EOF\n          NPM_TOKEN=${{ secrets.NPM_TOKEN }}\n          EOF\n      - run: |\n          cat > .npmrc <<-'NPMRC'\n          //npm.acme.example/:_authToken=${{ secrets.ACME_TOKEN }}\n          NPMRC\n      - run: npm ci\n";
    let project = Project::with_files(&[
        (
            "package.json",
            "{\"name\":\"x\",\"packageManager\":\"npm@11.0.0\"}\n",
        ),
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${NPM_TOKEN}\n",
        ),
        (".github/workflows/ci.yml", workflow),
    ]);
    assert_eq!(
        ci_rules(&project),
        BTreeSet::from(["ci-secret-written-to-checkout".to_string()])
    );
    assert_eq!(secret_write_lines(&project), [13]);

    // A `<<` that opens none (GitHub's multi-line `NAME<<EOF` echoed, arithmetic) leaves
    // the lines after it read; a here-document read by `cat` before `&& chmod` is still
    // the one `cat` writes (review).
    let other = "name: CI\non: [push]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - run: |\n          {\n            echo 'NOTES<<EOF'\n            cat CHANGELOG.md\n            echo EOF\n          } >> \"$GITHUB_ENV\"\n          n=$((1 << 3))\n          echo \"//npm.acme.example/:_authToken=${{ secrets.ACME_TOKEN }}\" > .npmrc\n      - run: |\n          cat > .yarnrc.yml <<EOF && chmod 600 .yarnrc.yml\n          npmAuthToken: ${{ secrets.ACME_TOKEN }}\n          EOF\n      - run: npm ci\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n";
    std::fs::write(project.path().join(".github/workflows/ci.yml"), other).unwrap();
    assert_eq!(secret_write_lines(&project), [15, 17]);

    // Without the GITHUB_ENV line, NPM_TOKEN reaches npm from nowhere.
    let without = workflow.replace("NPM_TOKEN=${{ secrets.NPM_TOKEN }}", "OTHER=1");
    std::fs::write(project.path().join(".github/workflows/ci.yml"), without).unwrap();
    assert!(ci_rules(&project).contains("ci-variable-not-provided"));
}

/// From a helper's review: the YAML a `fix:` gives to paste lost its indentation in the
/// text output (and in the markdown table), so pasted as printed it was other YAML. Pasted
/// as printed now, Yarn 4 takes @acme/* from the registry and token setup-node was given.
#[test]
fn the_yaml_a_fix_gives_pasted_as_printed_does_what_it_says() {
    let workflow = "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      NODE_AUTH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n    steps:\n      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://npm.pkg.github.com\n          scope: '@acme'\n      - run: yarn install --immutable\n";
    let project = Project::with_files(&[
        (
            "package.json",
            "{\"name\": \"app\", \"packageManager\": \"yarn@4.18.1\"}\n",
        ),
        (".yarnrc.yml", "nodeLinker: node-modules\n"),
        (".github/workflows/ci.yml", workflow),
    ]);
    let out = project
        .cmd(&["doctor", "--ci", "--fail-on", "never"])
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let printed =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    // The lines under `fix: add to .yarnrc.yml...` that are indented past the fix's text.
    let under_fix: Vec<&str> = printed
        .lines()
        .skip_while(|l| !l.starts_with("  fix: add to .yarnrc.yml"))
        .skip(1)
        .take_while(|l| l.starts_with("        "))
        .collect();
    let common = under_fix
        .iter()
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .expect("lines to paste under the fix");
    let pasted: String = under_fix
        .iter()
        .map(|l| format!("{}\n", &l[common..]))
        .collect();
    assert!(pasted.starts_with("npmScopes:\n  acme:\n"), "{printed}");
    // The markdown output gives the same lines, in a code block.
    let markdown = project
        .cmd(&[
            "doctor",
            "--ci",
            "--fail-on",
            "never",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let markdown = String::from_utf8_lossy(&markdown.stdout);
    assert!(
        markdown.contains(&format!("```\n{pasted}```")),
        "{markdown}"
    );
    let yarnrc = project.read(".yarnrc.yml").unwrap() + &pasted;
    std::fs::write(project.path().join(".yarnrc.yml"), yarnrc).unwrap();
    let explain = project
        .cmd(&["explain", "@acme/widgets", "--manager", "yarn"])
        .env("NODE_AUTH_TOKEN", "fake-gh-token")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&explain.stdout);
    assert!(explain.status.success(), "{said}");
    assert!(
        said.contains("https://npm.pkg.github.com/@acme%2fwidgets"),
        "{said}"
    );
    assert!(said.contains("NODE_AUTH_TOKEN"), "{said}");
}

/// From a helper's review: pnpm 11/12 read setup-node's `.npmrc` as the user's file and
/// expand `${NODE_AUTH_TOKEN}` there, so a `registry-url` step gives pnpm the token the
/// project .npmrc's `${NPM_TOKEN}` line cannot (real pnpm 12.21 sent it); only where that
/// does not happen is `ci-pnpm-project-token` said.
#[test]
fn setup_node_gives_pnpm_the_token_a_project_npmrc_cannot() {
    let workflow = |registry: &str, token_env: &str| {
        format!(
            "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pnpm/action-setup@v4\n      - uses: actions/setup-node@v7\n        with:\n          registry-url: {registry}\n          scope: '@acme'\n      - run: pnpm install --frozen-lockfile\n{token_env}"
        )
    };
    let with_token = "        env:\n          NODE_AUTH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n";
    let rules = |workflow: String| {
        let project = Project::with_files(&[
            (
                "package.json",
                "{\"name\": \"app\", \"packageManager\": \"pnpm@12.21.0\"}\n",
            ),
            (
                ".npmrc",
                "@acme:registry=https://npm.pkg.github.com/\n//npm.pkg.github.com/:_authToken=${NPM_TOKEN}\n",
            ),
            (".github/workflows/ci.yml", &workflow),
        ]);
        ci_findings(&project)
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .filter(|r| r.starts_with("ci-"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rules(workflow("https://npm.pkg.github.com", with_token)),
        Vec::<String>::new()
    );
    // No NODE_AUTH_TOKEN for the step, or setup-node set up another registry: pnpm sends
    // nothing there.
    assert_eq!(
        rules(workflow("https://npm.pkg.github.com", "")),
        ["ci-pnpm-project-token"]
    );
    assert_eq!(
        rules(workflow("https://registry.npmjs.org", with_token)),
        ["ci-pnpm-project-token"]
    );
}

/// From a trial: a Renovate rule for a registry on another port than the default one was
/// re-aimed by its fix at the default registry, which takes no credentials, and was said to
/// differ by its path. The fix names the registry on the rule's port, and run as printed it
/// leaves no finding.
#[test]
fn a_renovate_rule_with_a_port_is_pointed_at_the_registry_on_that_port() {
    let npmrc = "registry=https://npm.acme.example/\n@acme:registry=https://npm.acme.example:8443/\n//npm.acme.example:8443/:_authToken=${ACME_TOKEN}\n";
    let renovate = |host: &str| {
        format!(
            "{{ \"hostRules\": [ {{ \"matchHost\": \"{host}\", \"hostType\": \"npm\", \"encrypted\": {{ \"token\": \"xxx\" }} }} ] }}\n"
        )
    };
    let findings = |host: &str| {
        let project = Project::with_files(&[
            ("package.json", "{\"name\": \"app\"}\n"),
            (".npmrc", npmrc),
            ("renovate.json", &renovate(host)),
        ]);
        ci_findings(&project)
            .iter()
            .filter(|f| f["rule"] == "ci-renovate-host-differs")
            .map(|f| (f["message"].to_string(), f["fix"].to_string()))
            .collect::<Vec<_>>()
    };
    let said = findings("npm.acme.example:8443");
    let (message, fix) = &said[0];
    assert!(
        fix.contains("\\\"matchHost\\\": \\\"https://npm.acme.example:8443/\\\""),
        "{fix}"
    );
    assert!(message.contains("which has no port"), "{message}");
    assert_eq!(findings("https://npm.acme.example:8443/"), []);
    // `http://` against an https registry under a path is a scheme that differs, not a path
    // (from the last session's gaps).
    let project = Project::with_files(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.example/api/npm/\n//npm.acme.example/api/npm/:_authToken=${ACME_TOKEN}\n",
        ),
        (
            "renovate.json",
            &renovate("http://npm.acme.example/api/npm/"),
        ),
    ]);
    let said: Vec<String> = ci_findings(&project)
        .iter()
        .filter(|f| f["rule"] == "ci-renovate-host-differs")
        .map(|f| f["message"].to_string())
        .collect();
    assert!(
        said.iter().any(|m| m.contains("(its scheme differs")),
        "{said:?}"
    );
}

/// From a trial: `pnpm test` and `pnpm run build` ask no registry (real pnpm 11.28 sent no
/// request for them), so of the steps without setup-node's token only `pnpm add` is
/// `ci-pnpm-project-token`'s.
#[test]
fn pnpm_steps_that_fetch_nothing_are_not_said_to_send_no_token() {
    let project = Project::with_files(&[
        (
            "package.json",
            "{\"name\": \"app\", \"packageManager\": \"pnpm@11.28.11\"}\n",
        ),
        (
            ".npmrc",
            "@acme:registry=https://npm.acme.test/\n//npm.acme.test/:_authToken=${ACME_TOKEN}\n",
        ),
        (
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pnpm/action-setup@v4\n      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://npm.acme.test/\n          scope: '@acme'\n      - run: pnpm install --frozen-lockfile\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.ACME_TOKEN }}\n      - run: pnpm test\n      - run: pnpm run build\n      - run: pnpm add @acme/widgets\n",
        ),
    ]);
    let lines: Vec<u64> = ci_findings(&project)
        .iter()
        .filter(|f| f["rule"] == "ci-pnpm-project-token")
        .map(|f| f["origin"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [16]);
}

/// From a review of `ci-registry-token-unset`: setup-node's GitHub Packages recipe with
/// `scope:` sends only that scope's packages there, so a project depending on none of them
/// is not flagged (real npm 11.21 fetched `left-pad` from npm's registry, with no token);
/// and a step that fetches nothing (`npm test`, `npm run build`) is not a registry request.
#[test]
fn a_registry_token_unset_is_said_only_for_steps_that_fetch_from_it() {
    let workflow = |scope: &str, steps: &str| {
        format!(
            "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          registry-url: https://npm.pkg.github.com\n{scope}{steps}"
        )
    };
    let rules = |package_json: &str, workflow: String| {
        let project = Project::with_files(&[
            ("package.json", package_json),
            (".github/workflows/ci.yml", &workflow),
        ]);
        ci_findings(&project)
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .filter(|r| r == "ci-registry-token-unset")
            .count()
    };
    let scoped = "          scope: '@octocat'\n";
    let install = "      - run: npm ci\n";
    let plain = "{\"name\":\"app\",\"dependencies\":{\"left-pad\":\"1.3.0\"}}\n";
    let depends = "{\"name\":\"app\",\"dependencies\":{\"@octocat/lib\":\"1.0.0\"}}\n";
    assert_eq!(rules(plain, workflow(scoped, install)), 0);
    assert_eq!(rules(depends, workflow(scoped, install)), 1);
    assert_eq!(rules(plain, workflow("", install)), 1);
    let tokened = "      - run: npm ci\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n      - run: npm test\n      - run: npm run build\n";
    assert_eq!(rules(plain, workflow("", tokened)), 0);
}

/// A CI file that does not parse stops `doctor --ci` with its file, line and column and exit
/// 2, as a `.npmrc` that does not parse does: a note with exit 0 let a repository whose CI
/// was not read pass. No value of the file is printed, in whatever form the parser quotes it.
#[test]
fn an_unreadable_ci_file_stops_doctor_with_its_place() {
    let unreadable: &[(&str, &str, &str)] = &[
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo npm_FAKE_WORKFLOW\n     - run: x\n",
            ".github/workflows/ci.yml:7:6:",
        ),
        (
            ".github/actions/setup/action.yml",
            "runs:\n  using: composite\n  steps: [ { run: 'echo npm_FAKE_ACTION' }\n",
            ".github/actions/setup/action.yml:3:10:",
        ),
        (
            ".github/dependabot.yml",
            "version: 2\nregistries:\n  npm:\n    token: npm_FAKE_BOT\n   url: x\n",
            ".github/dependabot.yml:5:",
        ),
        (
            ".gitlab-ci.yml",
            "variables:\n  NPM_TOKEN: \"npm_FAKE_GITLAB\"\n  - x\n",
            ".gitlab-ci.yml:3:",
        ),
        (
            "renovate.json5",
            "{ hostRules: [ { matchHost: 'r.example', token: 'npm_FAKE_RENOVATE' }, ] ,, }\n",
            "renovate.json5:1:",
        ),
    ];
    let uses_action = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/setup\n";
    for (file, text, place) in unreadable {
        let mut files = vec![
            ("package.json", r#"{"name":"x"}"#),
            (".npmrc", "registry=https://r.example/\n"),
            (*file, *text),
        ];
        if file.contains("actions") {
            files.push((".github/workflows/ci.yml", uses_action));
        }
        let project = Project::with_files(&files);
        let out = project.cmd(&["doctor", "--ci"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{file}: {stdout}{stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(place),
            "{file}: {stderr}"
        );
        assert!(
            !format!("{stdout}{stderr}").contains("npm_FAKE"),
            "{file}: {stdout}{stderr}"
        );
    }
}

/// From a trial: npm (`//host/npm/`) and Yarn (`//host/npm`) sending one registry credentials
/// gave two findings with one fix, and the rule that missed it named Yarn alone. One finding
/// names both.
#[test]
fn one_renovate_finding_names_every_manager_of_a_registry() {
    let project = Project::with_files(&[
        ("package.json", "{\"name\": \"app\"}\n"),
        (
            ".npmrc",
            "registry=https://registry.corp.example/npm/\n//registry.corp.example/npm/:_authToken=${NPM_TOKEN}\n",
        ),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://registry.corp.example/npm\"\nnpmRegistries:\n  //registry.corp.example/npm:\n    npmAuthToken: \"${NPM_TOKEN}\"\n    npmAlwaysAuth: true\n",
        ),
        (
            "renovate.json",
            "{\n  \"hostRules\": [\n    {\"matchHost\": \"https://registry.corp.example/other/\", \"token\": \"x\"}\n  ]\n}\n",
        ),
    ]);
    let messages: Vec<String> = ci_findings(&project)
        .iter()
        .filter(|f| f["rule"] == "ci-renovate-host-differs")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages.iter().all(|m| m.contains("npm and yarn")),
        "{messages:#?}"
    );
}

/// From a trial: the project `.npmrc`'s `//registry.test:4443/npm/:_authToken=${NPM_TOKEN}`
/// beats setup-node's user-level `${NODE_AUTH_TOKEN}` line for npm (real npm 11 and 12 sent
/// `Bearer <NPM_TOKEN>`), so a job that sets NPM_TOKEN and no NODE_AUTH_TOKEN sends a token
/// there; `ci-registry-token-unset` said it sent none. pnpm 12, which ignores the project
/// file's `${NPM_TOKEN}`, and a project `.npmrc` without the key still get it.
#[test]
fn a_project_npmrc_token_for_setup_node_s_registry_is_the_one_sent() {
    let workflow = |program: &str| {
        format!(
            "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      NPM_TOKEN: ${{{{ secrets.NPM_TOKEN }}}}\n    steps:\n      - uses: actions/checkout@v5\n      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://registry.test:4443/npm/\n          scope: '@acme'\n      - run: {program}\n"
        )
    };
    let unset = |manager: &str, program: &str, npmrc: &str| {
        let project = Project::with_files(&[
            (
                "package.json",
                &format!(
                    "{{\"name\":\"app\",\"packageManager\":\"{manager}\",\"dependencies\":{{\"@acme/widgets\":\"1.0.0\"}}}}\n"
                ),
            ),
            (".npmrc", npmrc),
            (".github/workflows/ci.yml", &workflow(program)),
        ]);
        ci_findings(&project)
            .iter()
            .filter(|f| f["rule"] == "ci-registry-token-unset")
            .count()
    };
    let keyed = "@acme:registry=https://registry.test:4443/npm/\n//registry.test:4443/npm/:_authToken=${NPM_TOKEN}\n";
    let unkeyed = "@acme:registry=https://registry.test:4443/npm/\n";
    assert_eq!(unset("npm@11.0.0", "npm ci", keyed), 0);
    assert_eq!(unset("npm@11.0.0", "npm ci", unkeyed), 1);
    assert_eq!(unset("pnpm@12.21.0", "pnpm install", keyed), 1);
}

/// From a trial: a variable the `run:` script exports before the command reaches it, as
/// `NPM_TOKEN=... yarn install` does (pmrc said Yarn 4 got no NPM_TOKEN, an error); one
/// assigned without `export`, or exported only after the command, does not. From a review:
/// nor does a bare `export NPM_TOKEN` of a variable nothing set (it exports nothing), or
/// one `export -n` takes back; a bare export after `NAME=value`, before it, or of a name
/// the step's `env:` gives, does.
#[test]
fn a_variable_exported_earlier_in_the_script_reaches_the_command() {
    let not_provided_with = |env: &str, script: &str| {
        let project = Project::with_files(&[
            (
                "package.json",
                "{\"name\":\"app\",\"packageManager\":\"yarn@4.18.1\"}\n",
            ),
            (
                ".yarnrc.yml",
                "npmScopes:\n  acme:\n    npmRegistryServer: \"https://registry.test/npm/\"\n    npmAuthToken: \"${NPM_TOKEN}\"\n",
            ),
            (
                ".github/workflows/ci.yml",
                &format!(
                    "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - env: {env}\n        run: |\n{script}"
                ),
            ),
        ]);
        ci_findings(&project)
            .iter()
            .filter(|f| f["rule"] == "ci-variable-not-provided")
            .count()
    };
    let not_provided = |script: &str| not_provided_with("{}", script);
    let indented = |lines: &[&str]| {
        lines
            .iter()
            .map(|l| format!("          {l}\n"))
            .collect::<String>()
    };
    for provided in [
        indented(&["export NPM_TOKEN=\"${{ secrets.T }}\"", "yarn install"]),
        indented(&["export NPM_TOKEN=${{ secrets.T }}; yarn install"]),
        indented(&[
            "NPM_TOKEN=\"${{ secrets.T }}\"",
            "export NPM_TOKEN",
            "yarn install",
        ]),
        indented(&["declare -x NPM_TOKEN=\"${{ secrets.T }}\" && yarn install"]),
        indented(&[
            "export NPM_TOKEN",
            "NPM_TOKEN=\"${{ secrets.T }}\"",
            "yarn install",
        ]),
    ] {
        assert_eq!(not_provided(&provided), 0, "{provided}");
    }
    let bare = indented(&["export NPM_TOKEN", "yarn install"]);
    assert_eq!(
        not_provided_with("{NPM_TOKEN: \"${{ secrets.T }}\"}", &bare),
        0,
        "{bare}"
    );
    for not in [
        indented(&["NPM_TOKEN=\"${{ secrets.T }}\"", "yarn install"]),
        indented(&["yarn install", "export NPM_TOKEN=\"${{ secrets.T }}\""]),
        bare.clone(),
        indented(&["export NPM_TOKEN; yarn install"]),
        indented(&["export -n NPM_TOKEN=\"${{ secrets.T }}\"", "yarn install"]),
        indented(&[
            "export NPM_TOKEN=\"${{ secrets.T }}\"",
            "export -n NPM_TOKEN",
            "yarn install",
        ]),
    ] {
        assert_eq!(not_provided(&not), 1, "{not}");
    }
}

/// From a CI trial: setup-node's `cache: yarn` runs yarn in the setup-node step itself
/// (`yarn --version`, `yarn config get cacheFolder`) and fails the step when it exits
/// non-zero; real Yarn 4 (after `corepack enable`) stopped there on `${NPM_TOKEN}` given only
/// to a later step, and pmrc said "No findings". The managers that stop on an unset variable
/// (Yarn 4, Yarn 1) are told at the `cache:` line; npm, which goes on, is not; a job-level
/// variable reaches both. Without Corepack the runner's own Yarn 1.22 runs there, which is
/// the project's Yarn 1 but not its Yarn 4 (it stops on `packageManager` first).
#[test]
fn setup_node_s_cache_runs_the_manager_in_its_own_step() {
    let lines = |manager: &str, file: (&str, &str), cache: &str, before: &str, job_env: &str| {
        let workflow = format!(
            "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n{job_env}    steps:\n      - uses: actions/checkout@v5\n{before}      - uses: actions/setup-node@v7\n        with:\n          node-version: 24\n          cache: {cache}\n      - run: {cache} install\n        env:\n          NPM_TOKEN: ${{{{ secrets.NPM_TOKEN }}}}\n"
        );
        let project = Project::with_files(&[
            (
                "package.json",
                &format!("{{\"name\":\"app\",\"packageManager\":\"{manager}\"}}\n"),
            ),
            file,
            (".github/workflows/ci.yml", &workflow),
        ]);
        ci_findings(&project)
            .iter()
            .filter(|f| f["rule"] == "ci-variable-not-provided")
            .map(|f| f["origin"]["line"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    let yarnrc = (".yarnrc.yml", "npmAuthToken: \"${NPM_TOKEN}\"\n");
    let npmrc = (
        ".npmrc",
        "registry=https://registry.test/\n//registry.test/:_authToken=${NPM_TOKEN}\n",
    );
    let corepack = "      - run: corepack enable\n";
    let job_env = "    env:\n      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n";
    let none = Vec::<u64>::new();
    assert_eq!(lines("yarn@4.18.1", yarnrc, "yarn", corepack, ""), [11]);
    assert_eq!(lines("yarn@1.22.22", npmrc, "yarn", "", ""), [10]);
    assert_eq!(lines("npm@11.0.0", npmrc, "npm", "", ""), none);
    assert_eq!(
        lines("yarn@4.18.1", yarnrc, "yarn", corepack, job_env),
        none
    );
    assert_eq!(lines("yarn@4.18.1", yarnrc, "yarn", "", ""), none);
    // From a review: setup-node has no `project-dir` input (its action.yml), so one written
    // there moves nothing: yarn runs in the job's folder (the repository's root), not in the
    // project's `frontend/`, unless `cache-dependency-path` is there.
    let in_frontend = |with: &str| {
        let workflow = format!(
            "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - run: corepack enable\n      - uses: actions/setup-node@v7\n        with:\n          node-version: 24\n          cache: yarn\n          {with}\n"
        );
        let repo = Project::with_files(&[
            (".git/HEAD", "ref: refs/heads/main\n"),
            (
                "frontend/package.json",
                "{\"name\":\"app\",\"packageManager\":\"yarn@4.18.1\"}\n",
            ),
            ("frontend/.yarnrc.yml", yarnrc.1),
            (".github/workflows/ci.yml", &workflow),
        ]);
        let out = common::pmrc()
            .args(["doctor", "--ci", "--format", "json", "--fail-on", "never"])
            .arg("--dir")
            .arg(repo.path().join("frontend"))
            .env("HOME", repo.home.path())
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "ci-variable-not-provided")
            .map(|f| f["origin"]["line"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(in_frontend("project-dir: frontend"), none);
    assert_eq!(
        in_frontend("cache-dependency-path: frontend/yarn.lock"),
        [11]
    );
}

/// From a CI trial: after setup-node's `registry-url`, `ci-user-npmrc-ignored` said `~/.npmrc`
/// is never read there, while `ci-secret-written-to-checkout`'s fix offered writing
/// `~/.npmrc`. Its fix names the file that is read, "$NPM_CONFIG_USERCONFIG"; without
/// setup-node it is still `~/.npmrc`.
#[test]
fn a_secret_write_s_fix_names_the_user_file_read_there() {
    let fix = |setup: &str| {
        let workflow = format!(
            "on: [push]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n{setup}      - run: echo \"//npm.acme.example/:_authToken=${{NPM_TOKEN}}\" >> ~/.npmrc\n      - run: |\n          cat >> .npmrc <<EOF\n          //npm.acme.example/:_authToken=${{{{ secrets.NPM_TOKEN }}}}\n          EOF\n      - run: npm publish\n"
        );
        let project = Project::with_files(&[
            ("package.json", "{\"name\":\"app\"}\n"),
            (".github/workflows/ci.yml", &workflow),
        ]);
        let findings = ci_findings(&project);
        let rules: BTreeSet<String> = findings
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        let fix = findings
            .iter()
            .find(|f| f["rule"] == "ci-secret-written-to-checkout")
            .map(|f| f["fix"].as_str().unwrap().to_string())
            .unwrap();
        (rules.contains("ci-user-npmrc-ignored"), fix)
    };
    let setup_node = "      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://npm.acme.example/\n";
    let (ignored, with_setup_node) = fix(setup_node);
    assert!(ignored);
    assert!(
        with_setup_node.contains("\"$NPM_CONFIG_USERCONFIG\"")
            && !with_setup_node.contains("~/.npmrc"),
        "{with_setup_node}"
    );
    let (ignored, without) = fix("");
    assert!(!ignored);
    assert!(without.contains("`~/.npmrc`"), "{without}");
}

/// From a CI trial (spec/ci-env.md C9): the job gives Yarn 4 `YARN_NPM_AUTH_TOKEN`, its
/// top-level npmAuthToken, and `.yarnrc.yml` routes @acme to another host with no
/// npmRegistries entry: real Yarn 4 sent the token there. `doctor --env` said so with the
/// variable set; `doctor --ci` said "No findings". It is said at the line that sets it, for
/// a step's `env:` as for the job's, and not once the registry has an entry of its own.
#[test]
fn a_job_setting_yarn_npm_auth_token_is_told_it_spreads_to_other_hosts() {
    let workflow = "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      YARN_NPM_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n    steps:\n      - uses: actions/checkout@v5\n      - run: corepack enable\n      - run: yarn install --immutable\n";
    let yarnrc = "npmRegistryServer: \"https://registry.test:4873\"\nnpmAlwaysAuth: true\nnpmScopes:\n  acme:\n    npmRegistryServer: \"https://other.test:4874\"\n";
    let project = Project::with_files(&[
        (
            "package.json",
            "{\"name\": \"app\", \"packageManager\": \"yarn@4.18.1\"}\n",
        ),
        (".yarnrc.yml", yarnrc),
        (".github/workflows/ci.yml", workflow),
    ]);
    let spreads = |project: &Project| -> Vec<(u64, String)> {
        ci_findings(project)
            .iter()
            .filter(|f| f["rule"] == "yarn-top-level-token-spreads")
            .map(|f| {
                (
                    f["origin"]["line"].as_u64().unwrap(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let found = spreads(&project);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 6, "{found:?}");
    assert!(
        found[0].1.contains("YARN_NPM_AUTH_TOKEN")
            && found[0].1.contains("https://other.test:4874"),
        "{found:?}"
    );

    // Given to the step instead of the job.
    let in_step = "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - run: corepack enable\n      - run: yarn install --immutable\n        env:\n          YARN_NPM_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n";
    std::fs::write(project.path().join(".github/workflows/ci.yml"), in_step).unwrap();
    let found = spreads(&project);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 10, "{found:?}");

    // An npmRegistries entry of its own for other.test keeps the token from it.
    std::fs::write(
        project.path().join(".yarnrc.yml"),
        format!("{yarnrc}npmRegistries:\n  \"https://other.test:4874\":\n    npmAuthToken: \"${{ACME_TOKEN:-}}\"\n"),
    )
    .unwrap();
    assert_eq!(spreads(&project), []);
}

/// From a CI trial (spec/ci-env.md C6): `.yarnrc.yml` has `npmAuthToken: "${NPM_TOKEN}"`
/// and dependabot.yml an npm update for the project, so Dependabot runs Yarn 4 with no such
/// variable and it stops ("Environment variable not found"); `doctor --ci` said nothing. It
/// is said at the line, with that line written with a fallback as the fix; for a project
/// in a subfolder only where an update names that folder; not for a committed `.npmrc`'s
/// `${NPM_TOKEN}` (Dependabot deletes such lines), nor once the fallback is there.
#[test]
fn a_yarn_reference_without_a_fallback_stops_dependabot() {
    let dependabot = "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /web\n    schedule:\n      interval: weekly\n";
    let project = Project::with_files(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        (".github/dependabot.yml", dependabot),
        (
            "web/package.json",
            "{\"name\": \"web\", \"packageManager\": \"yarn@4.18.1\"}\n",
        ),
        (
            "web/.yarnrc.yml",
            "npmRegistryServer: \"https://registry.test:4873\"\nnpmAuthToken: \"${NPM_TOKEN}\"\n",
        ),
        (
            "web/.npmrc",
            "//registry.test:4873/:_authToken=${NPM_TOKEN}\n",
        ),
    ]);
    let web = project.path().join("web");
    let findings = || -> Vec<serde_json::Value> {
        let out = common::pmrc()
            .args([
                "doctor",
                "--ci",
                "--format",
                "json",
                "--fail-on",
                "never",
                "--dir",
            ])
            .arg(&web)
            .env("HOME", project.home.path())
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "ci-dependabot-variable-unset")
            .cloned()
            .collect()
    };
    let found = findings();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["origin"]["file"], ".yarnrc.yml", "{found:?}");
    assert_eq!(found[0]["origin"]["line"], 2, "{found:?}");
    assert_eq!(
        found[0]["fix"], "write line 2 of .yarnrc.yml as `npmAuthToken: \"${NPM_TOKEN:-}\"`",
        "{found:?}"
    );

    // The update is for another folder: Dependabot does not run Yarn here.
    std::fs::write(
        project.path().join(".github/dependabot.yml"),
        dependabot.replace("/web", "/api"),
    )
    .unwrap();
    assert_eq!(findings(), Vec::<serde_json::Value>::new());

    // With the fallback, Yarn reads it as empty.
    std::fs::write(project.path().join(".github/dependabot.yml"), dependabot).unwrap();
    std::fs::write(
        web.join(".yarnrc.yml"),
        "npmRegistryServer: \"https://registry.test:4873\"\nnpmAuthToken: \"${NPM_TOKEN:-}\"\n",
    )
    .unwrap();
    assert_eq!(findings(), Vec::<serde_json::Value>::new());
}

/// From the last note's gap: an earlier pmrc wrote `.github/dependabot.yml` in the project's
/// folder; GitHub reads only the repository root's, and doctor --ci, reading the root's,
/// said nothing of it. It is a finding at that file; a project at the root has none.
#[test]
fn a_dependabot_file_below_the_repository_root_is_said_to_configure_nothing() {
    let dir = assert_fs::TempDir::new().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let dependabot = "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: weekly\n";
    write(".git/HEAD", "ref: refs/heads/main\n");
    write("web/package.json", "{\"name\": \"web\"}\n");
    write("web/.npmrc", "@acme:registry=https://npm.acme.test/\n");
    write("web/.github/dependabot.yml", dependabot);
    let rules = |at: &str| -> Vec<(String, String)> {
        let out = common::pmrc()
            .args(["doctor", "--ci", "--format", "json", "--fail-on", "never"])
            .arg("--dir")
            .arg(dir.path().join(at))
            .env("HOME", dir.path().join("no-home"))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let found = rules("web");
    let stray: Vec<&(String, String)> = found
        .iter()
        .filter(|(rule, _)| rule == "dependabot-file-not-at-root")
        .collect();
    assert_eq!(stray.len(), 1, "{found:?}");
    assert!(
        stray[0].1.contains(&format!(
            "GitHub reads only the repository root's .github/dependabot.yml ({})",
            dir.path().join(".github/dependabot.yml").display()
        )),
        "{found:?}"
    );
    // The project at the repository's root: its file is the one GitHub reads.
    write(".npmrc", "@acme:registry=https://npm.acme.test/\n");
    write(".github/dependabot.yml", dependabot);
    assert!(
        !rules("")
            .iter()
            .any(|(rule, _)| rule == "dependabot-file-not-at-root"),
        "{:?}",
        rules("")
    );
}

/// The step and line `ci-variable-dropped-by-sh` names, and its fixes done as printed: the
/// `.npmrc` line written by `sh` gives npm the token from a variable whose name `sh` keeps
/// (and the finding goes), as does `shell: bash` on the step. Checked against this machine's
/// `sh` where it is dash: the variable the finding says is dropped is.
#[test]
fn a_variable_sh_drops_is_said_and_its_fixes_work_as_printed() {
    let workflow = "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      \"npm_config_//npm.pkg.github.com/:_authToken\": ${{ secrets.GH_PACKAGES_TOKEN }}\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n        shell: sh\n";
    let project = Project::with_files(&[
        (
            "package.json",
            "{\"name\": \"app\", \"packageManager\": \"npm@11.21.2\"}\n",
        ),
        (".npmrc", "@acme:registry=https://npm.pkg.github.com/\n"),
        (".github/workflows/ci.yml", workflow),
    ]);
    let findings: Vec<serde_json::Value> = ci_findings(&project)
        .into_iter()
        .filter(|f| f["rule"] == "ci-variable-dropped-by-sh")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let finding = &findings[0];
    assert_eq!(finding["origin"]["line"], 6);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("job `build` runs npm at line 9")
            && message.contains("`shell: sh` (line 10)"),
        "{message}"
    );
    let fix = finding["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("make the step's `shell:` (line 10) `bash`;"),
        "{fix}"
    );

    // What the finding says of `sh`, on this machine's where it is dash.
    if std::fs::read_link("/bin/sh").is_ok_and(|p| p.ends_with("dash")) {
        let seen = |shell: &str| {
            let out = std::process::Command::new(shell)
                .args(["-c", "env"])
                .env("npm_config_//npm.pkg.github.com/:_authToken", "x")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).contains("npm_config_//npm.pkg.github.com/")
        };
        assert!(!seen("sh"), "dash kept the variable");
        assert!(seen("bash"), "bash dropped the variable");
    }

    // The `.npmrc` line, written by `sh` as the fix prints it, in the job's home.
    let command = fix
        .split('`')
        .find(|part| part.starts_with("echo "))
        .expect("a command in the fix");
    assert_eq!(
        command,
        "echo '//npm.pkg.github.com/:_authToken=${GH_PACKAGES_TOKEN}' >> ~/.npmrc"
    );
    let ran = std::process::Command::new("sh")
        .args(["-e", "-c", command])
        .env("HOME", project.home.path())
        .env("GH_PACKAGES_TOKEN", "fake-gh-token")
        .status()
        .unwrap();
    assert!(ran.success());
    let explain = project
        .cmd(&["explain", "@acme/widgets", "--manager", "npm", "--user"])
        .env("GH_PACKAGES_TOKEN", "fake-gh-token")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&explain.stdout);
    assert!(explain.status.success(), "{said}");
    assert!(said.contains("GH_PACKAGES_TOKEN"), "{said}");
    assert!(said.contains(".npmrc"), "{said}");

    // The workflow with the fix in it: the variable in the step's `env:`, the line first in
    // its `run:`; then with `shell: bash` instead. Neither is said again.
    let with_line = workflow.replace(
        "      - run: npm ci\n        shell: sh\n",
        &format!("      - run: |\n          {command}\n          npm ci\n        shell: sh\n        env:\n          GH_PACKAGES_TOKEN: ${{{{ secrets.GH_PACKAGES_TOKEN }}}}\n"),
    );
    let with_bash = workflow.replace("shell: sh", "shell: bash");
    for fixed in [with_line, with_bash] {
        std::fs::write(project.path().join(".github/workflows/ci.yml"), &fixed).unwrap();
        assert!(
            !ci_rules(&project).contains("ci-variable-dropped-by-sh"),
            "{fixed}"
        );
    }
}

/// pnpm 11/12 read `pnpm_config_//…` names, which `sh` drops as it does npm's; pnpm 10 never
/// reads them, so nothing is lost there.
#[test]
fn a_pnpm_config_variable_sh_drops_is_said_for_the_pnpm_that_reads_it() {
    let rules = |pnpm: &str| {
        let project = Project::with_files(&[
            (
                "package.json",
                &format!("{{\"name\": \"app\", \"packageManager\": \"pnpm@{pnpm}\"}}\n"),
            ),
            ("pnpm-workspace.yaml", "packages: []\n"),
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    container: node:22\n    env:\n      \"pnpm_config_//npm.pkg.github.com/:_authToken\": ${{ secrets.GH_PACKAGES_TOKEN }}\n    steps:\n      - uses: pnpm/action-setup@v4\n      - run: pnpm install\n",
            ),
        ]);
        ci_rules(&project)
    };
    assert!(rules("11.28.11").contains("ci-variable-dropped-by-sh"));
    assert!(!rules("10.34.9").contains("ci-variable-dropped-by-sh"));
}

/// The `.npmrc` line is offered only where it does what the variable did: not for a key the
/// project's `.npmrc` sets (a variable beats that file, the user's file does not), and after
/// setup-node's `registry-url` it goes to the file NPM_CONFIG_USERCONFIG names, the one npm
/// reads then.
#[test]
fn the_sh_fix_writes_the_npmrc_line_only_where_npm_reads_it_over_the_project_s() {
    let fix = |npmrc: &str, setup: &str| {
        let workflow = format!(
            "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    defaults:\n      run:\n        shell: sh\n    env:\n      \"npm_config_//npm.pkg.github.com/:_authToken\": ${{{{ secrets.GH_PACKAGES_TOKEN }}}}\n    steps:\n{setup}      - run: npm ci\n"
        );
        let project = Project::with_files(&[
            (
                "package.json",
                "{\"name\": \"app\", \"packageManager\": \"npm@11.21.2\"}\n",
            ),
            (".npmrc", npmrc),
            (".github/workflows/ci.yml", &workflow),
        ]);
        ci_findings(&project)
            .iter()
            .find(|f| f["rule"] == "ci-variable-dropped-by-sh")
            .map(|f| f["fix"].as_str().unwrap().to_string())
            .expect("a finding")
    };
    let scope = "@acme:registry=https://npm.pkg.github.com/\n";
    assert!(
        fix(scope, "")
            .contains("`echo '//npm.pkg.github.com/:_authToken=${GH_PACKAGES_TOKEN}' >> ~/.npmrc`")
    );
    let project_token = format!("{scope}//npm.pkg.github.com/:_authToken=${{NPM_TOKEN}}\n");
    assert_eq!(
        fix(&project_token, ""),
        "add `shell: bash` to the step at line 11 (it overrides `defaults.run.shell`)"
    );
    let setup_node = "      - uses: actions/setup-node@v7\n        with:\n          registry-url: https://npm.pkg.github.com\n";
    assert!(fix(scope, setup_node).contains(
        "`echo '//npm.pkg.github.com/:_authToken=${GH_PACKAGES_TOKEN}' >> \"$NPM_CONFIG_USERCONFIG\"`"
    ));
}
