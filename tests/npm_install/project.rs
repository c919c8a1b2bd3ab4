//! One user's machine for one manager: a loopback registry serving pmrc's packages, a temp
//! HOME and project whose config (the manager's own files) points at it, and runs of the
//! pinned manager in the conformance sandbox.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::registry::{Kind, Mount, Published, Registry};
use super::sandbox::{self, Outcome, Pm};

pub struct Machine {
    pub pm: Pm,
    pub registry: Registry,
    scratch: tempfile::TempDir,
    pub project: PathBuf,
}

impl Machine {
    /// A registry serving `packages` only, and `pm` configured for it in HOME and a project.
    pub fn new(pm: Pm, packages: &Arc<HashMap<String, Published>>) -> Machine {
        let mut mount = Mount::new(1, "/");
        mount.packages = Some(Arc::clone(packages));
        let registry = Registry::start_with_tls(1, vec![mount], &[]);
        let scratch = tempfile::tempdir().unwrap();
        sandbox::assert_clean_ancestors(scratch.path()).unwrap();
        let project = scratch.path().join("fake-project");
        let home = scratch.path().join("run/home");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(
            project.join("package.json"),
            r#"{ "name": "fake-npm-install-project", "version": "1.0.0", "private": true }"#,
        )
        .unwrap();
        let url = registry.url(1);
        // Each manager's own file, in the project and in HOME: `dlx`/`npx`/`bunx` outside a
        // project would read only the user's.
        let config: &[(&str, String)] = &match pm {
            Pm::Npm | Pm::Npm12 | Pm::Pnpm10 | Pm::Pnpm11 | Pm::Pnpm12 => {
                vec![(".npmrc", format!("registry={url}/\n"))]
            }
            Pm::Yarn => vec![(
                ".yarnrc.yml",
                format!("npmRegistryServer: \"{url}\"\nunsafeHttpWhitelist:\n  - \"127.0.0.1\"\n"),
            )],
            Pm::Yarn1 => vec![(".yarnrc", format!("registry \"{url}/\"\n"))],
            Pm::Bun => vec![("bunfig.toml", format!("[install]\nregistry = \"{url}/\"\n"))],
            Pm::Deno => unreachable!("pmrc's npm packages are not tested with Deno"),
        };
        for (file, text) in config {
            std::fs::write(project.join(file), text).unwrap();
            std::fs::write(home.join(file), text).unwrap();
        }
        if pm == Pm::Bun {
            // The sandbox points XDG_CONFIG_HOME here; Bun's user bunfig is `.bunfig.toml` in it.
            let xdg = scratch.path().join("run/xdg-config");
            std::fs::create_dir_all(&xdg).unwrap();
            std::fs::write(xdg.join(".bunfig.toml"), &config[0].1).unwrap();
        }
        Machine {
            pm,
            registry,
            scratch,
            project,
        }
    }

    /// Runs the manager's `entry` file (relative to its package) with `args` in the project.
    pub fn run_entry(&self, entry: &str, args: &[&str]) -> Outcome {
        let run = self.scratch.path().join("run");
        let mut cmd = sandbox::command(
            self.pm,
            entry,
            &self.project,
            &run,
            &self.registry.guard_url(),
        )
        .unwrap();
        cmd.args(args);
        let out = sandbox::run(cmd, self.pm, &run).unwrap();
        eprintln!(
            "[{:?}] {entry} {} -> {:?}\n{}",
            self.pm,
            args.join(" "),
            out.code,
            out.output
        );
        out
    }

    /// Runs the manager itself with `args`.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_entry(self.pm.pin().entry, args)
    }

    /// Nothing went anywhere but the loopback registry, and this machine's platform package
    /// was downloaded from it (so pmrc really came through the manager).
    pub fn assert_fetched(&self, package: &str) {
        let requests = self.registry.requests();
        let escapes: Vec<_> = requests.iter().filter(|r| r.kind == Kind::Escape).collect();
        assert!(
            escapes.is_empty(),
            "{:?} tried to leave: {escapes:?}",
            self.pm
        );
        assert!(
            requests.iter().any(|r| r.status == 200
                && r.kind
                    == Kind::Tarball {
                        name: package.to_string()
                    }),
            "{:?} did not download {package}: {requests:?}",
            self.pm
        );
    }
}

/// The project `check-drift` fixture: `convert --check` on it exits 1.
pub fn drifted_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check-drift/in")
}

/// pmrc's arguments for `convert --check` on [`drifted_fixture`].
pub fn check_args() -> Vec<String> {
    [
        "convert", "--from", "npm", "--to", "yarn", "--check", "--dir",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(std::iter::once(drifted_fixture().display().to_string()))
    .collect()
}
