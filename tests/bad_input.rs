//! Issue 7: a catalogue of malformed inputs across the formats. Each must stop pmrc with
//! exit 2 and an error naming file, line and column, and nothing may be written.

mod common;

use common::{Project, fixtures};

/// (file, text, command): the command reads the file as a source or as a target.
const CATALOGUE: &[(&str, &str, &str)] = &[
    // From a trial: said at the scalar before the tab, in serde's terms, without a position,
    // or in TOML's terms.
    (
        ".yarnrc.yml",
        "nodeLinker: node-modules\n\tfoo: 1\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "npmRegistries:\n  \"//r.example\":\n    npmAuthToken: npm_FAKE_yaml2 [x\n    : :\n",
        "convert --from yarn --to npm",
    ),
    (
        "pmrc.toml",
        "[sync]\nfrom = \"npm\"\nto = [\"npm\"]\n",
        "sync",
    ),
    ("pmrc.toml", "[sync]\nfrom = npm\nto = [\"yarn\"]\n", "sync"),
    // .npmrc (npm's ini dialect is lenient; these are the shapes pmrc refuses to guess at)
    (
        ".npmrc",
        "registry=\"https://r.example/\n",
        "convert --from npm --to yarn",
    ),
    (
        ".npmrc",
        "//r.example/:_authToken=\"fake-unterminated\n",
        "convert --from npm --to yarn",
    ),
    (
        ".npmrc",
        "//r.example/:_auth='fake-unterminated\n",
        "convert --from npm --to yarn",
    ),
    (
        ".npmrc",
        "cafile=\"C:\\Users\\me\\ca.pem\"\n",
        "convert --from npm --to yarn",
    ),
    (
        ".npmrc",
        "//r.example/:_authToken[]=a\n//r.example/:_authToken[]=b\n",
        "convert --from npm --to yarn",
    ),
    (
        ".npmrc",
        "registry[]=https://r.example/\n",
        "convert --from npm --to yarn",
    ),
    (
        ".npmrc",
        "# ok\nsave-exact=true\nproxy=\"http://p.example\n",
        "convert --from npm --to yarn",
    ),
    (
        ".npmrc",
        "registry=https://r.example/\r\n\r\n@a:registry=\"https://a.example/\r\n",
        "convert --from npm --to yarn",
    ),
    (
        ".npmrc",
        "\u{feff}https-proxy='http://p.example\n",
        "convert --from npm --to yarn",
    ),
    (
        ".npmrc",
        "username=ci\n_password=\"fake\n",
        "convert --from npm --to yarn",
    ),
    // .yarnrc.yml
    (
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://x.example\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    registry: \"https://x.example\"\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "npmRegistries:\n  \"//r.example\":\n    npmRegistryServer: \"https://r.example\"\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "networkSettings:\n  r.example:\n    enableStrictSsl: false\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "npmScopes: acme\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "npmRegistryServer:\n  - https://r.example\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "npmScopes: {acme: {npmRegistryServer: \"https://x.example\"\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "npmScopes:\n  - acme\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "nodeLinker: node-modules\nnpmAuthToken: [a\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n\tnpmAuthToken: x\n",
        "convert --from yarn --to npm",
    ),
    (
        ".yarnrc.yml",
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://x.example\"\n",
        "convert --from npm --to yarn",
    ),
    // .yarnrc (Yarn 1)
    (
        ".yarnrc",
        "@acme:registry \"https://a.example/\"\nregistry \"https://r.example/\"\n",
        "convert --from yarn-classic --to npm",
    ),
    (
        ".yarnrc",
        "_auth \"fake\"\nregistry: \"https://r.example/\"\n",
        "convert --from yarn-classic --to npm",
    ),
    (
        ".yarnrc",
        "registry \"https://r.example/\n",
        "convert --from yarn-classic --to npm",
    ),
    (
        ".yarnrc",
        "registry \"https://r.example/\"\n\"@acme:registry\n",
        "convert --from yarn-classic --to npm",
    ),
    (
        ".yarnrc",
        "# yarn\n1registry \"https://r.example/\"\nstrict-ssl: false\n",
        "convert --from yarn-classic --to npm",
    ),
    // bunfig.toml
    (
        "bunfig.toml",
        "[install]\nregistry = { url = \"https://r.example/\", token = \n",
        "convert --from bun --to npm",
    ),
    (
        "bunfig.toml",
        "[install]\nregistry = 1\n",
        "convert --from bun --to npm",
    ),
    // (An unknown key in a registry table is not bad input: Bun ignores it, errata; pmrc
    // reports `bun-ignored-key`, see tests/diagnostics.rs.)
    (
        "bunfig.toml",
        "install = \"yes\"\n",
        "convert --from bun --to npm",
    ),
    (
        "bunfig.toml",
        "[install]\nscopes = \"acme\"\n",
        "convert --from bun --to npm",
    ),
    (
        "bunfig.toml",
        "[install]\nca = 1\n",
        "convert --from bun --to npm",
    ),
    (
        "bunfig.toml",
        "[install]\ncafile = \"ca.pem\n",
        "convert --from bun --to npm",
    ),
    (
        "bunfig.toml",
        "[install]\nregistry = \"https://a.example/\"\nregistry = \"https://b.example/\"\n",
        "convert --from bun --to npm",
    ),
    (
        "bunfig.toml",
        "[install.scopes]\nacme = { url = 1 }\n",
        "convert --from bun --to npm",
    ),
    (
        "bunfig.toml",
        "[install]\nregistry = \"https://r.example/\"\n",
        "convert --from npm --to bun",
    ),
    // pnpm-workspace.yaml
    (
        "pnpm-workspace.yaml",
        "registries:\n  https://r.example/:\n    scopes: ['@']\n    _authToken: fake\n",
        "convert --from pnpm@12 --to npm",
    ),
    (
        "pnpm-workspace.yaml",
        "packages:\n  - 'apps/*\n",
        "convert --from pnpm@12 --to npm",
    ),
    (
        "pnpm-workspace.yaml",
        "registry:\n  - https://r.example/\n",
        "convert --from pnpm@12 --to npm",
    ),
    (
        "pnpm-workspace.yaml",
        "strictSsl:\n  value: false\n",
        "convert --from pnpm@12 --to npm",
    ),
    // From a trial: real pnpm 10, 11 and 12 refuse a key written twice; pmrc read the last.
    (
        "pnpm-workspace.yaml",
        "registries:\n  default: https://a.example/\n  default: https://b.example/\n",
        "convert --from pnpm@12 --to npm",
    ),
    (
        "pnpm-workspace.yaml",
        "packages: []\npackages: []\n",
        "convert --from pnpm@11 --to yarn",
    ),
    // pmrc.toml, read by `pmrc sync`
    ("pmrc.toml", "[sync\nfrom = \"npm\"\n", "sync"),
    (
        "pmrc.toml",
        "[sync]\nfrom = \"npm\"\nto = [\"yarn\", \"cargo\"]\n",
        "sync",
    ),
    ("pmrc.toml", "[sync]\nfrom = 1\nto = \"yarn\"\n", "sync"),
    (
        "pmrc.toml",
        "[sync]\nfrom = \"npm\"\nto = \"yarn\"\ntargets = [\"bun\"]\n",
        "sync",
    ),
    ("pmrc.toml", "[sync]\nfrom = \"npm\"\nto = []\n", "sync"),
    (
        "pmrc.toml",
        "[sync]\nfrom = \"npm\"\nto = \"yarn\"\nuser = \"yes\"\n",
        "sync",
    ),
    ("pmrc.toml", "[tool.pmrc]\nfrom = \"npm\"\n", "sync"),
];

#[test]
fn every_bad_input_is_an_error_with_its_position() {
    assert!(CATALOGUE.len() >= 40);
    let mut report = String::new();
    for (file, text, command) in CATALOGUE {
        let project = Project::from_fixture(&fixtures().join("check-drift"));
        // The broken file, plus a valid source where the broken file is the target.
        std::fs::write(project.path().join(file), text).unwrap();
        if command.contains("--to yarn") && *file == ".yarnrc.yml" {
            std::fs::write(
                project.path().join(file),
                text.replace("npmRegistryServer", "registry"),
            )
            .unwrap();
        }
        if command.contains("--to bun") {
            std::fs::write(project.path().join(file), format!("{text}[install\n")).unwrap();
        }
        let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(project.path())
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--write");
        let out = project.cmd(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr)
            .replace(&project.path().display().to_string(), "[DIR]");
        assert_eq!(out.status.code(), Some(2), "{file} {text:?}: {stderr}");
        let prefix = format!("error: [DIR]/{file}:");
        let position = stderr
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{file} {text:?}: {stderr}"));
        let mut parts = position.splitn(3, ':');
        let (line, column) = (parts.next().unwrap(), parts.next().unwrap());
        assert!(
            line.parse::<usize>().is_ok() && column.parse::<usize>().is_ok(),
            "{stderr}"
        );
        for (name, bytes) in &before {
            assert_eq!(
                &std::fs::read(project.path().join(name)).unwrap(),
                bytes,
                "{name} changed"
            );
        }
        report.push_str(&format!("{file} {text:?}\n  {stderr}"));
    }
    insta::with_settings!({ snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("bad-input-catalogue", report);
    });
}

/// `show` lays out each manager's table as it reads it (issue 20), but prints none of them
/// when a later manager's file is bad: the error alone, as before.
#[test]
fn issue_20_show_prints_no_table_when_a_later_managers_file_is_bad() {
    let project = common::Project::with_files(&[
        (".npmrc", "registry=https://r.example.test/\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example.test\n",
        ),
        ("package.json", "{}\n"),
    ]);
    let out = project.cmd(&["show"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(".yarnrc.yml:1:"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    // The same project with the Yarn file mended shows both managers, npm's table first.
    std::fs::write(
        project.path().join(".yarnrc.yml"),
        "npmRegistryServer: \"https://r.example.test\"\n",
    )
    .unwrap();
    let out = project.cmd(&["show"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let npm = stdout.find("npm (").expect("npm's table");
    let yarn = stdout.find("\nyarn (").expect("Yarn's table");
    assert!(npm < yarn, "{stdout}");
}

/// When several managers' files are bad, `show` names the first manager's in its order and
/// prints no table (issue 20 tried reading the managers on threads of their own; whatever
/// reads them, the error must not depend on which finishes first).
#[test]
fn issue_20_show_reports_the_first_managers_error_when_several_are_bad() {
    let project = common::Project::with_files(&[
        (".npmrc", "registry=https://r.example.test/\n"),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example.test\n",
        ),
        (
            "bunfig.toml",
            "[install\nregistry = \"https://r.example.test/\"\n",
        ),
        ("package.json", "{}\n"),
    ]);
    let out = project.cmd(&["show"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(".yarnrc.yml:1:"), "{stderr}");
    assert!(!stderr.contains("bunfig.toml"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}
