//! The conformance matrix: which cases run which managers, and how they did.
//!
//! Every `reference::`/`translate::` test records its outcome under
//! `target/conformance/results/` (with a digest of the case, so an outcome recorded for an
//! older version of a case does not count) and rewrites `target/conformance/matrix.md` from
//! all recorded outcomes. `docs/conformance.md` carries the same table between
//! `<!-- conformance-matrix:start -->` and `<!-- conformance-matrix:end -->`: the test
//! `readme_matrix` checks that it lists exactly the tests that exist, with the pinned versions,
//! and `PMRC_UPDATE_README=1` copies the table in from the suite's recorded outcomes (after a
//! full run in which every test passed).

use std::fs;
use std::path::PathBuf;
use std::sync::Mutex;

use super::check::{Case, Expect};
use super::managers;
use super::sandbox::Pm;

pub const START: &str = "<!-- conformance-matrix:start -->";
pub const END: &str = "<!-- conformance-matrix:end -->";

/// Which test of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Reference,
    Translate,
}

impl Kind {
    fn dir_name(self) -> &'static str {
        match self {
            Kind::Reference => "reference",
            Kind::Translate => "translate",
        }
    }
}

/// One row: a case and whether it has a `translate::` test.
pub struct Row {
    pub case: Case,
    pub translated: bool,
}

pub fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("conformance")
}

fn result_path(kind: Kind, case: &Case) -> PathBuf {
    out_dir()
        .join("results")
        .join(format!("{}--{}", kind.dir_name(), case.name))
}

/// What the recorded outcome of `kind` for `case` is: `Some(true)` passed, `Some(false)`
/// failed, `None` not run (or run for another version of the case).
pub fn recorded(kind: Kind, case: &Case) -> Option<bool> {
    let text = fs::read_to_string(result_path(kind, case)).ok()?;
    let (status, fingerprint) = text.trim().split_once(' ')?;
    (fingerprint == case.fingerprint()).then_some(status == "pass")
}

static WRITE: Mutex<()> = Mutex::new(());

/// Records the outcome of one test and rewrites `target/conformance/matrix.md` with `rows`.
pub fn record(kind: Kind, case: &Case, passed: bool, rows: &[Row]) {
    let _guard = WRITE.lock().unwrap_or_else(|e| e.into_inner());
    let path = result_path(kind, case);
    let _ = fs::create_dir_all(path.parent().unwrap());
    let status = if passed { "pass" } else { "fail" };
    let _ = fs::write(&path, format!("{status} {}\n", case.fingerprint()));
    let table = render(rows, |kind, case| match recorded(kind, case) {
        Some(true) => cell(kind, case),
        Some(false) => "**FAIL**".to_string(),
        None => "not run".to_string(),
    });
    let _ = fs::write(out_dir().join("matrix.md"), table);
}

/// The cell of a passing test: what "pass" means for this case.
pub fn cell(kind: Kind, case: &Case) -> String {
    match (kind, &case.expect) {
        (Kind::Reference, Expect::Same) => "pass".into(),
        (Kind::Reference, Expect::Warning(_) | Expect::Refusal(_)) => "pass (source only)".into(),
        (Kind::Translate, Expect::Same) => "pass".into(),
        (Kind::Translate, Expect::Warning(code)) => format!("pass (warns `{code}`)"),
        (Kind::Translate, Expect::Refusal(code)) => format!("pass (refuses: `{code}`)"),
    }
}

fn versions() -> String {
    let pms = [
        Pm::Npm,
        Pm::Npm12,
        Pm::Yarn,
        Pm::Yarn1,
        Pm::Bun,
        Pm::Pnpm10,
        Pm::Pnpm11,
        Pm::Pnpm12,
        Pm::Deno,
    ];
    let names: Vec<String> = pms.iter().map(|p| p.label()).collect();
    format!(
        "{} (JS managers on Node {})",
        names.join(", "),
        managers::NODE.version
    )
}

/// The markdown table (between the markers, markers excluded). `status` gives the cell of a
/// test that exists; a case without a `translate::` test says so instead.
pub fn render(rows: &[Row], status: impl Fn(Kind, &Case) -> String) -> String {
    let pending = rows.iter().filter(|r| !r.translated).count();
    let mut out = format!(
        "Managers: {}. {} cases; `reference` runs a hand-written translation, `pmrc` runs \
         `pmrc convert`'s output{}.\n\n",
        versions(),
        rows.len(),
        if pending == 0 {
            String::new()
        } else {
            format!(" (`—`: pmrc does not translate that manager yet, {pending} cases)")
        }
    );
    out.push_str("| case | source | target | reference | pmrc |\n|---|---|---|---|---|\n");
    for row in rows {
        let c = &row.case;
        let pmrc = if row.translated {
            status(Kind::Translate, c)
        } else {
            "—".to_string()
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            c.name,
            c.source.label(),
            c.target.label(),
            status(Kind::Reference, c),
            pmrc
        ));
    }
    out
}

/// The page's text between the markers, or an explanation of what is wrong with them.
pub fn readme_section(readme: &str) -> Result<&str, String> {
    let start = readme
        .find(START)
        .ok_or_else(|| format!("docs/conformance.md has no {START}"))?;
    let end = readme
        .find(END)
        .ok_or_else(|| format!("docs/conformance.md has no {END}"))?;
    if end < start {
        return Err("docs/conformance.md: the matrix end marker comes before the start".into());
    }
    Ok(readme[start + START.len()..end].trim_matches('\n'))
}

/// `readme` with the text between the markers replaced by `table`.
pub fn replace_section(readme: &str, table: &str) -> Result<String, String> {
    readme_section(readme)?;
    let start = readme.find(START).unwrap() + START.len();
    let end = readme.find(END).unwrap();
    Ok(format!(
        "{}\n\n{}\n\n{}",
        &readme[..start],
        table.trim_end(),
        &readme[end..]
    ))
}
