//! Issue 14: a distinctive fake secret planted in each place a secret can hide must never
//! appear in anything pmrc prints, whatever the command, format or verbosity, unless
//! `--show-secrets` is given (then it must: the check can see the marker).

mod common;

use assert_fs::TempDir;
use base64::Engine as _;

struct Place {
    name: &'static str,
    /// Project files.
    files: &'static [(&'static str, &'static str)],
    /// Files under HOME (read with `--user`).
    home: &'static [(&'static str, &'static str)],
    from: &'static str,
    /// The secret as a person would know it; the files may hold it encoded.
    secret: &'static str,
    /// Other forms the files hold it in, also never to be printed.
    encoded: &'static [&'static str],
}

const fn place(
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    from: &'static str,
    secret: &'static str,
) -> Place {
    Place {
        name,
        files,
        home: &[],
        from,
        secret,
        encoded: &[],
    }
}

const PLACES: &[Place] = &[
    place(
        "npm token",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=FAKESECRETTOKEN01\n",
        )],
        "npm",
        "FAKESECRETTOKEN01",
    ),
    Place {
        name: "npm _auth",
        files: &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_auth=dTpGQUtFU0VDUkVUQVVUSDAy\n",
        )],
        home: &[],
        from: "npm",
        secret: "FAKESECRETAUTH02",
        encoded: &["dTpGQUtFU0VDUkVUQVVUSDAy"],
    },
    Place {
        name: "npm _password",
        files: &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:username=u\n//r.example/:_password=RkFLRVNFQ1JFVFBBU1MwMw==\n",
        )],
        home: &[],
        from: "npm",
        secret: "FAKESECRETPASS03",
        encoded: &["RkFLRVNFQ1JFVFBBU1MwMw=="],
    },
    place(
        "registry URL password",
        &[(".npmrc", "registry=https://u:FAKESECRETURL04@r.example/\n")],
        "npm",
        "FAKESECRETURL04",
    ),
    // Over plain http, findings quote the URL (markdown escaped its `@` before the net
    // could mask the password).
    place(
        "registry URL password over http",
        &[(".npmrc", "registry=http://u:FAKESECRETURL14@r.example/\n")],
        "npm",
        "FAKESECRETURL14",
    ),
    place(
        "scope registry URL password (pnpm-workspace.yaml)",
        &[(
            ".npmrc",
            "@acme:registry=https://u:FAKESECRETSCOPE05@r.example/\n",
        )],
        "npm",
        "FAKESECRETSCOPE05",
    ),
    Place {
        name: "URL userinfo password",
        files: &[(
            ".npmrc",
            "registry=https://fake-user:FAKESECRETURLPW08@r.example/\n",
        )],
        home: &[],
        from: "npm",
        secret: "FAKESECRETURLPW08",
        // What npm sends for it: Basic base64("fake-user:FAKESECRETURLPW08").
        encoded: &["ZmFrZS11c2VyOkZBS0VTRUNSRVRVUkxQVzA4"],
    },
    Place {
        name: "URL userinfo password with a dollar sign",
        files: &[(
            ".npmrc",
            "registry=https://fake-user:pa$$FAKESECRETDOLLAR09@r.example/\n",
        )],
        home: &[],
        from: "npm",
        secret: "FAKESECRETDOLLAR09",
        encoded: &["ZmFrZS11c2VyOnBhJCRGQUtFU0VDUkVURE9MTEFSMDk="],
    },
    place(
        "URL user with an empty password",
        &[(".npmrc", "registry=https://FAKESECRETUSER10:@r.example/\n")],
        "npm",
        "FAKESECRETUSER10",
    ),
    place(
        "user-only URL token",
        &[(".npmrc", "registry=https://FAKESECRETUSER06@r.example/\n")],
        "npm",
        "FAKESECRETUSER06",
    ),
    place(
        "query string token",
        &[(
            ".npmrc",
            "registry=https://r.example/npm/?access_token=FAKESECRETQUERY07\n",
        )],
        "npm",
        "FAKESECRETQUERY07",
    ),
    place(
        "proxy URL password",
        &[(
            ".npmrc",
            "registry=https://r.example/\nhttps-proxy=http://u:FAKESECRETPROXY08@proxy.example:3128/\n",
        )],
        "npm",
        "FAKESECRETPROXY08",
    ),
    place(
        "pnpm hint beside an env reference",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=FAKESECRETHINT09\n//r.example/:username=${REG_USER}\n",
        )],
        "npm",
        "FAKESECRETHINT09",
    ),
    place(
        "literal default of an env reference",
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthToken: \"${NPM_TOKEN:-FAKESECRETDEFAULT10}\"\n",
        )],
        "yarn",
        "FAKESECRETDEFAULT10",
    ),
    place(
        "literal beside an env reference",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=FAKESECRETMIXED11-${SUFFIX}\n",
        )],
        "npm",
        "FAKESECRETMIXED11",
    ),
    place(
        "token Bun would read as a variable",
        &[(
            ".npmrc",
            "registry=https://r.example/\n//r.example/:_authToken=$FAKESECRETDOLLAR12\n",
        )],
        "npm",
        "FAKESECRETDOLLAR12",
    ),
    place(
        "inline private key",
        &[(
            ".npmrc",
            "registry=https://r.example/\ncert=\"-----BEGIN CERTIFICATE-----\\nPUBLIC\\n-----END CERTIFICATE-----\"\nkey=\"-----BEGIN PRIVATE KEY-----\\nFAKESECRETKEY13\\n-----END PRIVATE KEY-----\"\n",
        )],
        "npm",
        "FAKESECRETKEY13",
    ),
    place(
        "commented-out token",
        &[(
            ".npmrc",
            "# //r.example/:_authToken=FAKESECRETCOMMENT14\nregistry=https://r.example/\n",
        )],
        "npm",
        "FAKESECRETCOMMENT14",
    ),
    place(
        "Yarn npmAuthIdent",
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthIdent: \"ci-user:FAKESECRETIDENT15\"\n",
        )],
        "yarn",
        "FAKESECRETIDENT15",
    ),
    place(
        "Yarn networkSettings proxy",
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnetworkSettings:\n  \"r.example\":\n    httpsProxy: \"http://u:FAKESECRETNET16@proxy.example:3128\"\n",
        )],
        "yarn",
        "FAKESECRETNET16",
    ),
    place(
        "multi-line YAML token",
        &[(
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthToken: |\n  FAKESECRETMULTI17\nnodeLinker: pnp\n",
        )],
        "yarn",
        "FAKESECRETMULTI17",
    ),
    place(
        "bunfig token and password",
        &[(
            "bunfig.toml",
            "[install]\nregistry = { url = \"https://r.example/\", token = \"FAKESECRETBUN18\" }\n\n[install.scopes]\nacme = { url = \"https://a.example/\", username = \"u\", password = \"FAKESECRETBUN18\" }\n",
        )],
        "bun",
        "FAKESECRETBUN18",
    ),
    // From a trial: commented-out credentials were printed in the preview's context lines,
    // and so in `sync --check`'s pull-request annotations.
    place(
        "commented-out credentials in the files a conversion edits",
        &[
            (
                ".npmrc",
                "registry=https://r.example/\n//r.example/:_authToken=${NPM_TOKEN}\n",
            ),
            (
                ".yarnrc.yml",
                "# npmAuthToken: FAKESECRETCOMMENT21\n#npmAuthToken: \"FAKESECRETCOMMENT21\"\nnpmRegistryServer: \"https://old.example\"   # npmAuthToken: FAKESECRETCOMMENT21\n",
            ),
            (
                "bunfig.toml",
                "# token = \"FAKESECRETCOMMENT21\"\n[install]\n# registry = { url = \"https://r.example/\", token = \"FAKESECRETCOMMENT21\" }\n#token=\"FAKESECRETCOMMENT21\"\nregistry = \"https://old.example/\" # token = \"FAKESECRETCOMMENT21\"\n",
            ),
            (
                "pnpm-workspace.yaml",
                "registries:\n  default: \"https://old.example/\"   # _authToken=FAKESECRETCOMMENT21\n",
            ),
            (".yarnrc", "# _authToken FAKESECRETCOMMENT21\n"),
        ],
        "npm",
        "FAKESECRETCOMMENT21",
    ),
    // From a trial: a token after a credential's name with no `=` or `:` (a note beside a
    // setting) was printed in the preview's context lines of YAML and TOML files.
    place(
        "a token after a credential's name in a comment, without a separator",
        &[
            (
                ".npmrc",
                "registry=https://r.example/\n//r.example/:_authToken=${NPM_TOKEN}\n",
            ),
            (
                ".yarnrc.yml",
                "# token FAKESECRETCOMMENT25\nnpmRegistryServer: \"https://old.example\"   # npmAuthToken FAKESECRETCOMMENT25\n",
            ),
            (
                "bunfig.toml",
                "[install]\n# token FAKESECRETCOMMENT25 (the old one)\nregistry = \"https://old.example/\" # password FAKESECRETCOMMENT25\n",
            ),
            (
                "pnpm-workspace.yaml",
                "registries:\n  default: \"https://old.example/\"   # token FAKESECRETCOMMENT25\n# the token lives in 1Password\ncatalog:\n  jsonwebtoken: ^9\n",
            ),
        ],
        "npm",
        "FAKESECRETCOMMENT25",
    ),
    // TOML's triple-quoted strings in a comment: the scan read `"""` as an empty value
    // and printed the token after it in the preview's context lines.
    place(
        "a triple-quoted token in a TOML or YAML comment",
        &[
            (
                ".npmrc",
                "registry=https://r.example/\n//r.example/:_authToken=${NPM_TOKEN}\n",
            ),
            (
                "bunfig.toml",
                "# token = \"\"\"FAKESECRETTRIPLE26\"\"\"\n[install]\n# password = '''FAKESECRETTRIPLE26'''\nregistry = \"https://old.example/\" # token = \"\"\"FAKESECRETTRIPLE26\n",
            ),
            (
                ".yarnrc.yml",
                "# npmAuthToken: '''FAKESECRETTRIPLE26'''\nnpmRegistryServer: \"https://old.example\"\n",
            ),
        ],
        "npm",
        "FAKESECRETTRIPLE26",
    ),
    // pnpm 12 reads an inline comment into the value it follows, which is then printed as
    // the registry's URL (from a trial); a query value under a short name is a credential.
    place(
        "a credential in an inline comment pnpm 12 reads into a URL",
        &[(
            ".npmrc",
            "registry=https://r.example/ # //r.example/:_authToken=FAKESECRETINLINE22\n@acme:registry=https://a.example/npm/?code=FAKESECRETINLINE22\n",
        )],
        "pnpm@12",
        "FAKESECRETINLINE22",
    ),
    Place {
        name: "pnpm auth.ini (--user)",
        files: &[("pnpm-workspace.yaml", "registry: \"https://r.example/\"\n")],
        home: &[(
            ".config/pnpm/auth.ini",
            "//r.example/:_authToken=FAKESECRETINI19\n",
        )],
        from: "pnpm@12",
        secret: "FAKESECRETINI19",
        encoded: &[],
    },
    Place {
        name: "user ~/.npmrc (--user)",
        files: &[(".npmrc", "registry=https://r.example/\n")],
        home: &[(".npmrc", "//r.example/:_authToken=FAKESECRETHOME20\n")],
        from: "npm",
        secret: "FAKESECRETHOME20",
        encoded: &[],
    },
];

const TARGETS: [&str; 7] = [
    "npm",
    "yarn",
    "yarn-classic",
    "bun",
    "pnpm@10",
    "pnpm@11",
    "pnpm@12",
];

/// Every form of the secret that must stay unprinted.
fn forms(p: &Place) -> Vec<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = vec![p.secret.to_string(), b64.encode(p.secret)];
    out.extend(p.encoded.iter().map(|e| e.to_string()));
    out
}

fn commands(p: &Place) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    for format in ["text", "json"] {
        out.push(s(&["show", "--format", format]));
        out.push(s(&["show", "--format", format, "--user"]));
        for package in ["left-pad", "@acme/widgets"] {
            out.push(s(&["explain", package, "--format", format]));
            out.push(s(&[
                "explain",
                package,
                "--format",
                format,
                "--tarball",
                "https://u:FAKESECRETTARBALL99@cdn.example/x.tgz",
            ]));
        }
    }
    for format in ["text", "json", "markdown", "github"] {
        for to in TARGETS.iter().filter(|t| **t != p.from) {
            out.push(s(&[
                "convert", "--from", p.from, "--to", to, "--format", format,
            ]));
            out.push(s(&[
                "convert",
                "--from",
                p.from,
                "--to",
                to,
                "--format",
                format,
                "--verbose",
                "--user",
            ]));
        }
        out.push(s(&["doctor", "--format", format, "--env"]));
        out.push(s(&["doctor", "--format", format, "--fix"]));
    }
    out.push(s(&["doctor", "--sarif", "--user"]));
    for format in ["shell", "github", "dotenv", "json"] {
        for to in ["npm", "yarn", "bun"] {
            out.push(s(&[
                "env", "--from", p.from, "--to", to, "--format", format,
            ]));
        }
    }
    out
}

fn project(p: &Place) -> (TempDir, TempDir) {
    let write = |root: &std::path::Path, files: &[(&str, &str)]| {
        for (name, text) in files {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    };
    let (dir, home) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    write(dir.path(), p.files);
    write(home.path(), p.home);
    (dir, home)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn run(dir: &TempDir, home: &TempDir, args: &[String]) -> std::process::Output {
    common::pmrc()
        .args(args)
        .arg("--dir")
        .arg(dir.path())
        .env("HOME", home.path())
        .env_remove("REG_USER")
        .output()
        .unwrap()
}

#[test]
fn issue_14_no_planted_secret_is_ever_printed() {
    let mut runs = 0;
    for p in PLACES {
        let (dir, home) = project(p);
        for args in commands(p) {
            let out = run(&dir, &home, &args);
            assert_ne!(
                out.status.code(),
                Some(101),
                "{}: pmrc {args:?} panicked",
                p.name
            );
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            for form in forms(p)
                .iter()
                .map(String::as_str)
                .chain(["FAKESECRETTARBALL99"])
            {
                assert!(
                    !printed.contains(form),
                    "{}: `pmrc {}` printed `{form}`:\n{printed}",
                    p.name,
                    args.join(" ")
                );
            }
            runs += 1;
        }
    }
    assert!(runs > 1000, "{runs} runs");
}

/// The check can see a secret: with `--show-secrets` the marker is printed.
#[test]
fn issue_14_show_secrets_shows_them() {
    let p = &PLACES[0];
    let (dir, home) = project(p);
    let out = run(&dir, &home, &["show".into(), "--show-secrets".into()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(p.secret));
}

/// A secret that spans lines is masked line by line, and the preview is what gets written:
/// `--write` neither crashes nor writes something else than the diff shows.
#[test]
fn issue_14_multi_line_secrets_preview_what_is_written() {
    for (name, text, from, to) in [
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://r.example\"\nnpmAlwaysAuth: true\nnpmAuthToken: |\n  FAKESECRETMULTI17\nnodeLinker: pnp\n",
            "npm",
            "yarn",
        ),
        (
            "bunfig.toml",
            "[install]\nregistry = { url = \"https://r.example/\", token = \"\"\"\nFAKESECRETMULTI18\"\"\" }\n\n[run]\nshell = \"bash\"\n",
            "npm",
            "bun",
        ),
    ] {
        let files: &[(&str, &str)] = &[
            (name, text),
            (".npmrc", "registry=https://other.example/\n"),
        ];
        let dir = TempDir::new().unwrap();
        for (n, t) in files {
            std::fs::write(dir.path().join(n), t).unwrap();
        }
        let home = TempDir::new().unwrap();
        let args = strings(&["convert", "--from", from, "--to", to, "--write"]);
        let out = run(&dir, &home, &args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_ne!(out.status.code(), Some(101), "{name}: panicked\n{stdout}");
        assert!(!stdout.contains("FAKESECRETMULTI"), "{stdout}");
        let after = std::fs::read_to_string(dir.path().join(name)).unwrap();
        // Every line the preview keeps or adds is in the file as written (masked lines
        // aside): the preview shows what was written.
        for line in stdout
            .lines()
            .filter(|l| l.starts_with(' ') || l.starts_with('+'))
        {
            let body = &line[1..];
            if line.starts_with("+++") || body.contains("***") {
                continue;
            }
            assert!(
                after.lines().any(|l| l == body),
                "{name}: `{body}` not in\n{after}"
            );
        }
        if name == ".yarnrc.yml" {
            assert!(after.contains("nodeLinker: pnp"), "{after}");
        }
    }
}

/// Issue 14: a key name cannot smuggle Markdown into the pull-request comment.
#[test]
fn issue_14_markdown_is_inert() {
    let dir = TempDir::new().unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        "registry=https://r.example/\n[x]\nfoo`![img](https://evil.example/x.png)[link](https://evil.example) @octocat`=1\n//r.example/:_authToken=${T}\n",
    )
    .unwrap();
    let home = TempDir::new().unwrap();
    for args in [
        vec![
            "convert", "--from", "npm", "--to", "pnpm@12", "--format", "markdown",
        ],
        vec!["doctor", "--format", "markdown"],
    ] {
        let args = strings(&args);
        let out = run(&dir, &home, &args);
        let md = String::from_utf8_lossy(&out.stdout);
        for active in ["![img](", "[link](", " @octocat"] {
            let outside_code = md
                .lines()
                .filter(|l| !l.starts_with("```") && !l.starts_with(' ') && !l.starts_with('+'))
                .any(|l| l.contains(active));
            assert!(!outside_code, "{args:?}: `{active}` is live in\n{md}");
        }
    }
}

/// Issue 14: no credentials in files meant for committing, and no literal token that Bun
/// would read as a variable.
#[test]
fn issue_14_credentials_stay_out_of_committed_and_misread_files() {
    let dir = TempDir::new().unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        "@acme:registry=https://u:FAKESECRETSCOPE05@r.example/\n",
    )
    .unwrap();
    let home = TempDir::new().unwrap();
    let args = strings(&["convert", "--from", "npm", "--to", "pnpm@12", "--write"]);
    let out = run(&dir, &home, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yaml = std::fs::read_to_string(dir.path().join("pnpm-workspace.yaml")).unwrap_or_default();
    assert!(!yaml.contains("FAKESECRETSCOPE05"), "{yaml}");
    let npmrc = std::fs::read_to_string(dir.path().join(".npmrc")).unwrap();
    assert!(npmrc.contains("@acme:registry=https://u:FAKESECRETSCOPE05@r.example/"));

    let dir = TempDir::new().unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        "registry=https://r.example/\n//r.example/:_authToken=$FAKESECRETDOLLAR12\n",
    )
    .unwrap();
    let args = strings(&["convert", "--from", "npm", "--to", "bun", "--write"]);
    let out = run(&dir, &home, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bunfig = std::fs::read_to_string(dir.path().join("bunfig.toml")).unwrap();
    assert!(!bunfig.contains("FAKESECRETDOLLAR12"), "{bunfig}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("lossy-env-reference"));
}

mod random {
    //! Issue 14: random `.npmrc` files with a marker in random places a secret can take.

    use super::*;
    use proptest::prelude::*;

    /// One line of an `.npmrc`, with the marker `m` in a place that holds a secret.
    fn secret_line(m: String) -> impl Strategy<Value = String> {
        let host = prop_oneof![Just("r.example"), Just("other.example:8443/npm")];
        (host, 0..8usize).prop_map(move |(host, place)| match place {
            0 => format!("//{host}/:_authToken={m}"),
            1 => {
                let b64 = base64::engine::general_purpose::STANDARD;
                format!("//{host}/:_auth={}", b64.encode(format!("u:{m}")))
            }
            2 => format!(
                "//{host}/:username=u\n//{host}/:_password={}",
                base64::engine::general_purpose::STANDARD.encode(&m)
            ),
            3 => format!("@acme:registry=https://u:{m}@{host}/"),
            4 => format!("https-proxy=http://u:{m}@proxy.example:3128/"),
            5 => format!("# //{host}/:_authToken={m}"),
            6 => format!("registry=https://{host}/?token={m}"),
            _ => format!("//{host}/:_authToken={m}-${{SUFFIX}}"),
        })
    }

    fn npmrc() -> impl Strategy<Value = (String, String)> {
        "FAKESECRET[A-Z0-9]{8}".prop_flat_map(|m| {
            (
                proptest::collection::vec(secret_line(m.clone()), 1..4),
                Just(m),
            )
                .prop_map(|(lines, m)| {
                    (
                        format!("registry=https://r.example/\n{}\n", lines.join("\n")),
                        m,
                    )
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn issue_14_random_secrets_are_never_printed((text, marker) in npmrc()) {
            let dir = TempDir::new().unwrap();
            std::fs::write(dir.path().join(".npmrc"), &text).unwrap();
            let home = TempDir::new().unwrap();
            let b64 = base64::engine::general_purpose::STANDARD.encode(&marker);
            for args in [
                &["show", "--format", "json"][..],
                &["show"],
                &["convert", "--from", "npm", "--to", "yarn,bun", "--format", "json"],
                &["convert", "--from", "npm", "--to", "pnpm@12", "--format", "markdown"],
                &["convert", "--from", "npm", "--to", "bun", "--check", "--format", "github"],
                &["doctor", "--format", "github"],
                &["convert", "--from", "npm", "--to", "yarn-classic", "--verbose"],
                &["doctor", "--sarif"],
                &["explain", "@acme/widgets", "--format", "json"],
            ] {
                let out = run(&dir, &home, &strings(args));
                let printed = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                prop_assert!(out.status.code() != Some(101), "{args:?} panicked");
                prop_assert!(
                    !printed.contains(&marker) && !printed.contains(&b64),
                    "{args:?} printed the secret of\n{text}\n{printed}"
                );
            }
        }
    }
}

/// A secret query value runs to the next `&` or `#`, punctuation and spaces included: `show`'s
/// request lines once wrote a URL without a password as it was and left it to the printed
/// text's masking, which ends a URL at a comma, a quote or a space (issue 20's review).
#[test]
fn issue_20_show_masks_a_whole_secret_query_value_in_requests() {
    // (file, text, the part of the secret after the character that ends a URL in prose)
    let cases = [
        (
            ".npmrc",
            "registry=https://r.example/?token=FAKE,TAILCOMMA01\n",
            "TAILCOMMA01",
        ),
        (
            ".npmrc",
            "registry=https://r.example/?token=FAKE TAILSPACE02\n",
            "TAILSPACE02",
        ),
        (
            ".npmrc",
            "@b:registry=https://r.example/?x=1&sig=FAKE|TAILPIPE03\n",
            "TAILPIPE03",
        ),
        (
            ".npmrc",
            "@t:registry=https://t.example/npm/?x=1&token=FAKE\"TAILQUOTE04\n",
            "TAILQUOTE04",
        ),
        (
            ".yarnrc.yml",
            "npmRegistryServer: \"https://f.example/?auth=FAKE'TAILQUOTE05\"\n",
            "TAILQUOTE05",
        ),
    ];
    for (name, text, tail) in cases {
        let (dir, home) = (TempDir::new().unwrap(), TempDir::new().unwrap());
        std::fs::write(dir.path().join(name), text).unwrap();
        for format in ["text", "json"] {
            let out = run(&dir, &home, &strings(&["show", "--format", format]));
            let printed = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{text}: {out:?}");
            assert!(
                printed.contains("***"),
                "{text}: nothing masked:\n{printed}"
            );
            assert!(
                !printed.contains(tail),
                "{text}: part of the secret ({tail}) printed:\n{printed}"
            );
        }
    }
}

/// A registry URL's userinfo is a credential: show and explain say each manager sends it
/// (or fails on it) and mask it, in text and JSON.
#[test]
fn registry_userinfo_is_shown_as_the_credential_it_is_and_masked() {
    let (dir, home) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    std::fs::write(dir.path().join("package.json"), "{}\n").unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        "registry=https://fake-user:FAKEUSERINFOPW@r.example/\n",
    )
    .unwrap();
    let show = |manager: &str, format: &str| {
        let out = run(
            &dir,
            &home,
            &strings(&["show", "--manager", manager, "--format", format]),
        );
        assert!(out.status.success(), "{out:?}");
        let printed = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!printed.contains("FAKEUSERINFOPW"), "{printed}");
        printed
    };
    let npm = show("npm", "text");
    assert!(
        npm.contains("https://fake-user:***@r.example/: Basic *** (the URL's userinfo, .npmrc:1)"),
        "{npm}"
    );
    let pnpm11 = show("pnpm@11", "text");
    assert!(
        pnpm11.contains(": fails: the URL has credentials in it"),
        "{pnpm11}"
    );
    let deno = show("deno", "text");
    assert!(deno.contains("@r.example/: no credentials"), "{deno}");
    let json: serde_json::Value = serde_json::from_str(&show("npm", "json")).unwrap();
    let route = &json["managers"][0]["routes"][0];
    assert_eq!(route["credential_in_url"], true, "{route}");
    assert_eq!(route["authorization"]["scheme"], "basic", "{route}");
    let explain = run(
        &dir,
        &home,
        &strings(&["explain", "leftpad", "--manager", "yarn@1"]),
    );
    let printed = String::from_utf8_lossy(&explain.stdout);
    assert!(!printed.contains("FAKEUSERINFOPW"), "{printed}");
    assert!(printed.contains("it beats any configured key"), "{printed}");
    let pnpm11 = run(
        &dir,
        &home,
        &strings(&["explain", "leftpad", "--manager", "pnpm@11"]),
    );
    let printed = String::from_utf8_lossy(&pnpm11.stdout);
    assert!(
        printed.contains("sends: nothing, the request fails"),
        "{printed}"
    );
    let deno = run(
        &dir,
        &home,
        &strings(&["explain", "leftpad", "--manager", "deno"]),
    );
    let printed = String::from_utf8_lossy(&deno.stdout);
    assert!(
        printed.contains("deno ignores credentials written into a registry URL"),
        "{printed}"
    );
}

/// One finding per credential pnpm ignores, but not at the cost of a real difference: where
/// pnpm would send the URL's userinfo instead of npm's token, that is still reported.
#[test]
fn issue_20_pnpm_userinfo_over_an_ignored_token_is_still_reported() {
    let (dir, home) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    std::fs::write(dir.path().join("package.json"), "{}\n").unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        "@acme:registry=https://fake-user:FAKEACMEPW@acme.example/npm/\n//acme.example/npm/:_authToken=${ACME_TOKEN}\n@b:registry=https://b.example/\n//b.example/:_authToken=${B_TOKEN}\n",
    )
    .unwrap();
    let out = run(
        &dir,
        &home,
        &strings(&["convert", "--from", "npm", "--to", "pnpm@12"]),
    );
    // Findings are wrapped to the width; compared as one line each.
    let stderr = String::from_utf8_lossy(&out.stderr).replace("\n    ", " ");
    assert!(!stderr.contains("FAKEACMEPW"), "{stderr}");
    assert!(
        stderr.contains(
            "@acme/*: npm sends a bearer token (from $ACME_TOKEN) but pnpm@12 would send basic auth"
        ),
        "{stderr}"
    );
    // @b's token is only ignored: its one finding says so, with the line to add.
    assert!(!stderr.contains("@b/*: npm sends"), "{stderr}");
    // `pmrc env` refuses this config (a literal password in a URL), so it is not advised.
    assert!(!stderr.contains("pmrc env --from"), "{stderr}");
    assert!(
        stderr.contains("`//b.example/:_authToken=${B_TOKEN}`"),
        "{stderr}"
    );
}

/// Bun sends a registry URL's userinfo with the registry's tarballs too, npm only with the
/// packument: the packument requests are alike, so only comparing the tarballs tells the
/// user (it was silent); a target that sends what npm sends is still quiet.
#[test]
fn registry_userinfo_sent_to_tarballs_by_one_manager_only_is_reported() {
    let (dir, home) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    std::fs::write(dir.path().join("package.json"), "{}\n").unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        "registry=https://fake-user:FAKEPW@reg.example.test/\n",
    )
    .unwrap();
    let convert = |to: &str| {
        let out = run(
            &dir,
            &home,
            &strings(&["convert", "--from", "npm", "--to", to]),
        );
        String::from_utf8_lossy(&out.stderr).replace("\n    ", " ")
    };
    let bun = convert("bun");
    assert!(!bun.contains("FAKEPW"), "{bun}");
    assert!(
        bun.contains(
            "warning[credentials-differ]: .npmrc:1: unscoped packages: with the tarballs of https://reg.example.test, npm sends no credentials but bun would send basic auth (a literal value): bun sends the registry's own credentials with its tarballs too, npm sends a URL's userinfo with the package's metadata only"
        ),
        "{bun}"
    );
    let yarn = convert("yarn");
    assert!(!yarn.contains("credentials-differ"), "{yarn}");
    // Yarn writes the registry without its trailing slash: the requests are still alike, and
    // the tarballs still compared (a scope here).
    std::fs::remove_file(dir.path().join(".npmrc")).unwrap();
    std::fs::write(
        dir.path().join(".yarnrc.yml"),
        "npmScopes:\n  acme:\n    npmRegistryServer: \"https://fake-user:FAKEPW@reg.example.test/npm\"\n",
    )
    .unwrap();
    let out = run(
        &dir,
        &home,
        &strings(&["convert", "--from", "yarn", "--to", "bun"]),
    );
    let bun = String::from_utf8_lossy(&out.stderr).replace("\n    ", " ");
    assert!(!bun.contains("FAKEPW"), "{bun}");
    assert!(
        bun.contains("@acme/*: with the tarballs of https://reg.example.test/npm, yarn sends no credentials but bun would send basic auth"),
        "{bun}"
    );
}

/// A credential a variable gives is printed nowhere, `--show-secrets` included
/// (docs/commands.md). From a trial: the token in pnpm 11/12's `pnpm_config__auth` JSON was
/// printed by `show` and `explain` with `--show-secrets`; it is shown as the variable it
/// comes from, as the keyed variables' tokens are.
#[test]
fn a_token_in_a_variable_s_json_is_printed_nowhere() {
    let (dir, home) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    std::fs::write(dir.path().join("package.json"), "{}\n").unwrap();
    std::fs::write(
        dir.path().join("ci.env"),
        "pnpm_config__auth={\"https://r.example/\":{\"@\":{\"authToken\":\"FAKESECRETENVJSON23\"},\"@acme\":{\"authToken\":\"FAKESECRETENVJSON23\"}}}\nnpm_config_//s.example/:_authToken=FAKESECRETENVKEYED24\n",
    )
    .unwrap();
    let env_file = dir.path().join("ci.env").display().to_string();
    for manager in ["pnpm@11", "pnpm@12"] {
        for format in ["text", "json"] {
            for command in [
                &["show"][..],
                &["explain", "@acme/widgets"],
                &["explain", "left-pad"],
            ] {
                let mut args = strings(command);
                args.extend(strings(&[
                    "--env-file",
                    &env_file,
                    "--manager",
                    manager,
                    "--format",
                    format,
                    "--show-secrets",
                ]));
                let out = run(&dir, &home, &args);
                let printed = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                assert!(out.status.success(), "{args:?}: {printed}");
                assert!(!printed.contains("FAKESECRETENV"), "{args:?}: {printed}");
                assert!(
                    printed.contains("Bearer (from $pnpm_config__auth)")
                        || printed.contains("\"value\": \"(from $pnpm_config__auth)\""),
                    "{args:?}: {printed}"
                );
            }
        }
    }
}

/// An escaped reference in an `.npmrc` token (`\${X}`) is a literal npm sends as `${X}`
/// (real npm 11.21.2 and 12.2.2 sent `Bearer ${NOT_EXPANDED}` with NOT_EXPANDED set): a
/// secret written out, masked by `show` and `explain`, and shown as sent with
/// `--show-secrets` (it was shown with its backslash and never masked, being
/// reference-shaped).
#[test]
fn an_escaped_reference_token_is_a_masked_literal() {
    let (dir, home) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    std::fs::write(dir.path().join("package.json"), "{}\n").unwrap();
    std::fs::write(
        dir.path().join(".npmrc"),
        "registry=https://r.example/\n//r.example/:_authToken=\\${FAKESECRETESCAPED26}\n",
    )
    .unwrap();
    let commands: [&[&str]; 2] = [&["show"], &["explain", "left-pad"]];
    for command in commands {
        for format in ["text", "json"] {
            let mut args = strings(command);
            args.extend(strings(&["--manager", "npm", "--format", format]));
            let out = run(&dir, &home, &args);
            let printed = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(out.status.success(), "{args:?}: {printed}");
            assert!(
                !printed.contains("FAKESECRETESCAPED26"),
                "{args:?}: {printed}"
            );
            assert!(printed.contains("***"), "{args:?}: {printed}");
        }
        let mut args = strings(command);
        args.extend(strings(&["--manager", "npm", "--show-secrets"]));
        let printed = String::from_utf8_lossy(&run(&dir, &home, &args).stdout).into_owned();
        assert!(
            printed.contains("Bearer ${FAKESECRETESCAPED26} (.npmrc:2)"),
            "{args:?}: {printed}"
        );
    }
    // Conversions: the preview of the source's own line and of the target's copy, in every
    // format, and the copy is said to be a literal written out.
    for target in ["yarn", "yarn@1"] {
        for format in ["text", "json", "markdown", "github"] {
            let args = strings(&[
                "convert", "--from", "npm", "--to", target, "--format", format,
            ]);
            let out = run(&dir, &home, &args);
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !printed.contains("FAKESECRETESCAPED26"),
                "{args:?}: {printed}"
            );
        }
    }
    let out = run(
        &dir,
        &home,
        &strings(&["convert", "--from", "npm", "--to", "yarn"]),
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("warning[plain-text-secret]"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
