//! Issue 13, over the whole fixture corpus: for every source manager a fixture holds and
//! every set of targets (each one alone, each pair, all at once), a written conversion is
//! stable (a second plan changes nothing) and leaves the source manager doing exactly what
//! it did. A plan may be refused (exit 2, nothing written); it may not do harm.

use std::path::Path;

use assert_fs::TempDir;
use assert_fs::prelude::*;
use pmrc::discover::{Environment, locate, read_merged};
use pmrc::managers::Manager;
use pmrc::model::Model;
use pmrc::plan::{Request, build};
use pmrc::resolve::{Authorization, Packages, groups_of, routes_for};

const MANAGERS: [Manager; 8] = pmrc::managers::SETTLED;

type Behaviour = Vec<(Packages, Option<String>, Option<Authorization>)>;

fn read(manager: Manager, dir: &Path, env: &Environment) -> Model {
    let files = locate(manager, dir, false, env).unwrap();
    read_merged(manager, &files).unwrap().0
}

fn behaviour(manager: Manager, model: &Model, other: &Model) -> Behaviour {
    routes_for(model, manager, groups_of(model, other))
        .iter()
        .map(|r| r.observable())
        .collect()
}

/// Each target alone, each pair, and all of them.
fn target_sets(from: Manager) -> Vec<Vec<Manager>> {
    let others: Vec<Manager> = MANAGERS.into_iter().filter(|&m| m != from).collect();
    let mut sets: Vec<Vec<Manager>> = others.iter().map(|&m| vec![m]).collect();
    for (i, &a) in others.iter().enumerate() {
        for &b in &others[i + 1..] {
            sets.push(vec![a, b]);
        }
    }
    sets.push(others);
    sets
}

#[test]
fn issue_13_every_fixture_every_source_every_target_set() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path().join("in"))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (mut written, mut refused) = (0, 0);
    for case in &cases {
        for from in MANAGERS {
            for to in target_sets(from) {
                let dir = TempDir::new().unwrap();
                dir.copy_from(case, &["**/*", "**/.*"]).unwrap();
                let home = TempDir::new().unwrap();
                let env = Environment {
                    home: Some(home.path().to_path_buf()),
                    ..Default::default()
                };
                let request = Request {
                    dir: dir.path(),
                    from,
                    to: &to,
                    user: false,
                    env: &env,
                    bystanders: &[],
                    present: &[],
                };
                let plan = match build(&request) {
                    Ok(plan) => plan,
                    Err(e) => {
                        refused += 1;
                        let reason = e.to_string();
                        // An editor that cannot read back what it wrote is pmrc's bug.
                        assert!(
                            !reason.contains("bug in pmrc"),
                            "{} {from} -> {to:?}: {reason}",
                            case.display()
                        );
                        if std::env::var_os("PMRC_SHOW_REFUSALS").is_some() {
                            eprintln!("refused: {} {from} -> {to:?}: {reason}", case.display());
                        }
                        continue;
                    }
                };
                let before = read(from, dir.path(), &env);
                let what = format!("{} {from} -> {to:?}", case.display());
                pmrc::apply::apply(&plan.changes).unwrap_or_else(|e| panic!("{what}: {e}"));
                written += 1;
                let again = build(&request).unwrap_or_else(|e| panic!("{what}: again: {e}"));
                let pending: Vec<String> = again
                    .pending()
                    .map(|c| format!("{}:\n{}", c.display, c.after))
                    .collect();
                assert!(pending.is_empty(), "{what}: not stable:\n{pending:#?}");
                let after = read(from, dir.path(), &env);
                assert_eq!(
                    behaviour(from, &after, &before),
                    behaviour(from, &before, &after),
                    "{what}: the source's requests changed"
                );
            }
        }
    }
    eprintln!("{written} conversions written, {refused} refused");
    assert!(
        written > 1000,
        "only {written} conversions ran ({refused} refused)"
    );
}
