//! The command line: clap types only, turned once into library calls. Exit codes: 0 ok,
//! 1 `--check` found drift, 2 error.

use std::path::{Path, PathBuf};

use crate::warning::Warning;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::apply;
use crate::discover::{self, Environment};
use crate::error::{Error, Result};
use crate::manager::{ALL, Manager};
use crate::plan::{self, Request};
use crate::report::{self, Output};

#[derive(Parser, Debug)]
#[command(
    name = "pmrc",
    version,
    about = "Translate registry and auth config between npm, Yarn, pnpm and Bun, with a redacted diff preview",
    after_help = "Examples:\n  pmrc show --dir examples/github-packages\n  pmrc convert --from npm --to yarn --dir examples/github-packages\n  pmrc convert --from npm --to yarn,bun --write\n  pmrc sync --check                 # CI: exit 1 when a target drifted from pmrc.toml's source\n  pmrc explain @acme/widgets\n  pmrc doctor --sarif > pmrc.sarif\n\nExit codes: 0 ok, 1 drift (--check) or findings (doctor), 2 error.\nMore: pmrc help <command>, pmrc man, pmrc completions <shell>."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print what each manager's config says, where each value comes from, and what the
    /// manager will send to which registry (secrets masked).
    #[command(after_help = SHOW_EXAMPLES)]
    Show(ShowArgs),
    /// Translate one manager's config into others': preview a diff (default), --write it,
    /// or --check that the targets are in sync.
    #[command(after_help = CONVERT_EXAMPLES)]
    Convert(ConvertArgs),
    /// For one package: which URL each manager requests, which credential it sends (masked),
    /// from which file and line, and why.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// Keep the targets named in pmrc.toml in sync with its source: the same as `convert`
    /// with the managers taken from the file, so CI needs no flags.
    #[command(after_help = SYNC_EXAMPLES)]
    Sync(SyncArgs),
    /// Find config that a manager silently ignores, credentials that leak, and managers that
    /// disagree; exit 1 when findings at or above --fail-on exist.
    #[command(after_help = DOCTOR_EXAMPLES)]
    Doctor(DoctorArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    #[command(
        after_help = "Examples:\n  pmrc completions bash > ~/.local/share/bash-completion/completions/pmrc\n  pmrc completions zsh > \"${fpath[1]}/_pmrc\"\n  pmrc completions fish > ~/.config/fish/completions/pmrc.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff) to stdout: pmrc(1), or a command's own, e.g. pmrc-sync(1).
    #[command(
        after_help = "Examples:\n  pmrc man > ~/.local/share/man/man1/pmrc.1 && man pmrc\n  pmrc man sync > ~/.local/share/man/man1/pmrc-sync.1 && man pmrc-sync"
    )]
    Man {
        /// The command whose page to print (show, convert, sync, explain, doctor, ...).
        command: Option<String>,
    },
}

const SHOW_EXAMPLES: &str = "Examples:\n  pmrc show                          # every manager whose file exists here\n  pmrc show --manager pnpm@12 --user # with ~/.npmrc, auth.ini, config.yaml\n  pmrc show --format json | jq '.managers[0].routes'";
const CONVERT_EXAMPLES: &str = "Examples:\n  pmrc convert --from npm --to yarn            # preview the diff\n  pmrc convert --from npm --to yarn,bun --write\n  pmrc convert --from npm --to pnpm@12 --user --write   # ${VAR} tokens into auth.ini\n  pmrc convert --from npm --to yarn --check    # exit 1 when .yarnrc.yml drifted\n  pmrc convert --from npm --to yarn --format markdown > plan.md";
const SYNC_EXAMPLES: &str = "pmrc.toml:\n  [sync]\n  from = \"npm\"\n  to = [\"yarn\", \"pnpm@12\"]\n  user = false\n\nExamples:\n  pmrc sync            # preview\n  pmrc sync --write\n  pmrc sync --check -q # CI: exit 1 on drift, print nothing\n  pmrc sync --check --format markdown > comment.md";
const EXPLAIN_EXAMPLES: &str = "Examples:\n  pmrc explain @acme/widgets\n  pmrc explain left-pad --manager yarn,bun\n  pmrc explain @acme/widgets --tarball https://cdn.example.test/w.tgz";
const DOCTOR_EXAMPLES: &str = "Examples:\n  pmrc doctor\n  pmrc doctor --env --fail-on error   # also: are the referenced variables set?\n  pmrc doctor --fix                   # preview the mechanical fixes; --fix --write applies\n  pmrc doctor --sarif > pmrc.sarif    # code scanning\n  pmrc doctor --format markdown > findings.md";

#[derive(Args, Debug)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub common: Common,
    /// Only these managers, comma separated (default: every manager whose file exists).
    #[arg(long, value_name = "M", value_delimiter = ',')]
    pub manager: Vec<Manager>,
    /// Also check that the environment variables the configs reference are set.
    #[arg(long)]
    pub env: bool,
    /// Exit 1 when a finding of this severity or worse exists.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Print SARIF 2.1.0 (for code-scanning annotations) instead of --format.
    #[arg(long)]
    pub sarif: bool,
    /// Preview the safe fixes as a diff (with --write: apply them).
    #[arg(long)]
    pub fix: bool,
    /// With --fix: apply the fixes.
    #[arg(long, requires = "fix")]
    pub write: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Note,
    Warning,
    Error,
    Never,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The package, e.g. `@acme/widgets` or `left-pad`.
    pub package: String,
    #[command(flatten)]
    pub common: Common,
    /// Only these managers, comma separated (default: every manager whose file exists).
    #[arg(long, value_name = "M", value_delimiter = ',')]
    pub manager: Vec<Manager>,
    /// Also say what each manager sends with this tarball URL (e.g. a CDN on another host).
    #[arg(long, value_name = "URL")]
    pub tarball: Option<String>,
}

#[derive(Args, Debug)]
pub struct Common {
    /// Project directory (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Also read and write user-level files (~/.npmrc, ~/.yarnrc.yml, ~/.yarnrc,
    /// ~/.bunfig.toml, pnpm's auth.ini and config.yaml).
    #[arg(long)]
    pub user: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print secret values instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,
    /// When to colour the diff (auto: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// No warnings or summaries on stderr; convert, sync and doctor print no diff or
    /// findings either (the exit code tells). Errors are always printed.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also say which files were read and which would be written.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    pub common: Common,
    /// Only this manager (default: every manager whose project file exists).
    #[arg(long, value_name = "M")]
    pub manager: Option<Manager>,
}

/// How `convert` and `sync` end: a preview, a write, or a check.
#[derive(Args, Debug)]
#[group(id = "mode", multiple = false)]
pub struct ModeArgs {
    /// Print the diff and change nothing (the default).
    #[arg(long)]
    pub diff: bool,
    /// Apply the changes.
    #[arg(long)]
    pub write: bool,
    /// Exit 1 when anything would change (for CI); prints the same diff.
    #[arg(long)]
    pub check: bool,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub common: Common,
    /// Source manager: npm, yarn, yarn-classic, bun or pnpm[@10|11|12] (optional when only
    /// one manager's config exists).
    #[arg(long, value_name = "M")]
    pub from: Option<Manager>,
    /// Target manager(s), comma separated: npm, yarn, yarn-classic, bun, pnpm[@10|11|12].
    #[arg(long, value_name = "M", value_delimiter = ',', required = true)]
    pub to: Vec<Manager>,
    #[command(flatten)]
    pub mode: ModeArgs,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    #[command(flatten)]
    pub common: Common,
    /// The project setting to use (default: pmrc.toml in the project directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub mode: ModeArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    /// A pull-request comment body (convert, sync, doctor).
    Markdown,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl clap::builder::ValueParserFactory for Manager {
    type Parser = clap::builder::ValueParser;
    fn value_parser() -> Self::Parser {
        clap::builder::ValueParser::new(|s: &str| s.parse::<Manager>())
    }
}

/// Runs a parsed command line; the returned number is the exit code.
pub fn run(cli: Cli) -> Result<i32> {
    let env = Environment::from_process();
    match cli.command {
        Command::Show(args) => show(args, &env),
        Command::Convert(args) => convert(args, &env),
        Command::Explain(args) => explain(args, &env),
        Command::Sync(args) => sync(args, &env),
        Command::Doctor(args) => doctor(args, &env),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "pmrc", &mut out);
            report::print_raw(&out);
            Ok(0)
        }
        Command::Man { command } => {
            let pmrc = <Cli as clap::CommandFactory>::command();
            let page = match command {
                None => pmrc,
                Some(name) => {
                    let sub = pmrc.find_subcommand(&name).cloned().ok_or_else(|| {
                        Error::Usage(format!("no command `{name}`; see pmrc --help"))
                    })?;
                    // Titled and invoked as `pmrc-sync` / `pmrc sync`, like git's pages.
                    sub.display_name(format!("pmrc-{name}"))
                        .bin_name(format!("pmrc {name}"))
                        .version(env!("CARGO_PKG_VERSION"))
                }
            };
            let mut out = Vec::new();
            clap_mangen::Man::new(page)
                .render(&mut out)
                .map_err(|e| Error::Usage(format!("cannot render the man page: {e}")))?;
            report::print_raw(&out);
            Ok(0)
        }
    }
}

fn project_dir(common: &Common) -> Result<PathBuf> {
    let dir = match &common.dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().map_err(|source| Error::Read {
            path: PathBuf::from("."),
            source,
        })?,
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    Ok(dir)
}

fn output(common: &Common) -> Output {
    let color = match common.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            use std::io::IsTerminal;
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    Output {
        style: match common.format {
            Format::Text => report::Style::Text,
            Format::Json => report::Style::Json,
            Format::Markdown => report::Style::Markdown,
        },
        show_secrets: common.show_secrets,
        color,
        verbosity: match (common.quiet, common.verbose) {
            (true, _) => report::Verbosity::Quiet,
            (_, true) => report::Verbosity::Verbose,
            _ => report::Verbosity::Normal,
        },
    }
}

/// Markdown is a pull-request comment about a change or findings; `show` and `explain`
/// answer questions and have text and JSON.
fn no_markdown(common: &Common, command: &str) -> Result<()> {
    if common.format == Format::Markdown {
        return Err(Error::Usage(format!(
            "--format markdown is for convert, sync and doctor; use text or json with {command}"
        )));
    }
    Ok(())
}

/// The managers asked for, or those whose own file exists in `dir`.
fn managers_in(dir: &Path, asked: Vec<Manager>) -> Result<Vec<Manager>> {
    let managers: Vec<Manager> = if asked.is_empty() {
        ALL.into_iter()
            .filter(|m| dir.join(m.marker_file()).exists())
            .collect()
    } else {
        asked
    };
    if managers.is_empty() {
        return Err(Error::Usage(format!(
            "no package manager config found in {} (looked for .npmrc, .yarnrc.yml, .yarnrc, bunfig.toml and pnpm-workspace.yaml)",
            dir.display()
        )));
    }
    Ok(managers)
}

fn show(args: ShowArgs, env: &Environment) -> Result<i32> {
    no_markdown(&args.common, "show")?;
    let dir = project_dir(&args.common)?;
    let managers = managers_in(&dir, args.manager.into_iter().collect())?;
    let mut shown = Vec::new();
    for manager in managers {
        let (manager, note) = discover::settle_version(manager, &dir)?;
        let (dir, env, member_note) = pnpm_root(manager, &dir, env);
        let files = discover::locate(manager, &dir, args.common.user, &env)?;
        let (model, mut warnings) = discover::read_merged(manager, &files)?;
        warnings.splice(0..0, note.into_iter().chain(member_note));
        shown.push(report::Shown {
            manager,
            files,
            routes: crate::resolve::routes(&model, manager),
            model,
            warnings,
        });
    }
    report::print_show(&shown, &output(&args.common));
    Ok(0)
}

fn convert(args: ConvertArgs, env: &Environment) -> Result<i32> {
    let dir = project_dir(&args.common)?;
    let from = match args.from {
        Some(m) => m,
        None => discover::detect_source(&dir, &ALL)?,
    };
    let mode = mode_of(&args.mode);
    let user = args.common.user;
    run_plan(&args.common, dir, from, &args.to, user, mode, env)
}

fn sync(args: SyncArgs, env: &Environment) -> Result<i32> {
    let dir = project_dir(&args.common)?;
    let path = args
        .config
        .clone()
        .unwrap_or_else(|| dir.join(crate::sync_config::FILE_NAME));
    let Some(text) = discover::read_text(&path)? else {
        return Err(Error::Usage(format!(
            "{} does not exist; pmrc sync needs a [sync] section naming `from` and `to` (see pmrc sync --help)",
            path.display()
        )));
    };
    let config = crate::sync_config::parse(&text).map_err(|e| e.in_file(&path))?;
    if config.to.iter().all(|m| *m == config.from) {
        return Err(Error::Usage(format!(
            "{}: `to` names only the source manager ({}); list the managers to keep in sync with it",
            path.display(),
            config.from
        )));
    }
    let mode = mode_of(&args.mode);
    let user = args.common.user || config.user;
    run_plan(&args.common, dir, config.from, &config.to, user, mode, env)
}

fn mode_of(mode: &ModeArgs) -> report::Mode {
    if mode.write {
        report::Mode::Write
    } else if mode.check {
        report::Mode::Check
    } else {
        report::Mode::Diff
    }
}

/// `convert` and `sync`: plan the edits from `from` into `to`, then preview, check or write.
fn run_plan(
    common: &Common,
    dir: PathBuf,
    from: Manager,
    to: &[Manager],
    user: bool,
    mode: report::Mode,
    env: &Environment,
) -> Result<i32> {
    let mut notes = Vec::new();
    let (from, note) = discover::settle_version(from, &dir)?;
    notes.extend(note);
    let mut targets = Vec::new();
    for m in to {
        let (m, note) = discover::settle_version(*m, &dir)?;
        notes.extend(note.filter(|n| !notes.contains(n)));
        if m != from && !targets.contains(&m) {
            targets.push(m);
        }
    }
    if targets.is_empty() {
        return Err(Error::Usage(format!("--from and --to are both {from}")));
    }
    // A pnpm workspace is read and written at its root.
    let pnpm = std::iter::once(from)
        .chain(targets.iter().copied())
        .find(|m| m.is_pnpm());
    let (dir, env, member_note) = match pnpm {
        Some(m) => pnpm_root(m, &dir, env),
        None => (dir, env.clone(), None),
    };
    notes.extend(member_note);
    let mut plan = plan::build(&Request {
        dir: &dir,
        from,
        to: &targets,
        user,
        env: &env,
    })?;
    plan.warnings.splice(0..0, notes);
    let out = output(common);
    let written = if mode == report::Mode::Write {
        apply::apply(&plan.changes)?
    } else {
        Vec::new()
    };
    report::print_files(&plan, &written, &out);
    report::print_convert(&plan, mode, &written, &out);
    let drift = plan.pending().next().is_some();
    Ok(if mode == report::Mode::Check && drift {
        1
    } else {
        0
    })
}

fn explain(args: ExplainArgs, env: &Environment) -> Result<i32> {
    no_markdown(&args.common, "explain")?;
    let dir = project_dir(&args.common)?;
    let mut answers = Vec::new();
    let mut warnings = Vec::new();
    for manager in managers_in(&dir, args.manager)? {
        let (manager, note) = discover::settle_version(manager, &dir)?;
        let (dir, env, member_note) = pnpm_root(manager, &dir, env);
        let files = discover::locate(manager, &dir, args.common.user, &env)?;
        let (model, w) = discover::read_merged(manager, &files)?;
        warnings.extend(note.into_iter().chain(member_note).chain(w));
        answers.push(crate::explain::explain(
            &model,
            manager,
            &args.package,
            args.tarball.as_deref(),
        ));
    }
    report::print_explain(&args.package, &answers, &warnings, &output(&args.common));
    Ok(0)
}

fn doctor(args: DoctorArgs, env: &Environment) -> Result<i32> {
    let dir = project_dir(&args.common)?;
    let managers = managers_in(&dir, args.manager)?;
    // A pnpm workspace is checked from its root.
    let pnpm = managers.iter().copied().find(|m| m.is_pnpm());
    let (dir, env, _) = match pnpm {
        Some(m) => pnpm_root(m, &dir, env),
        None => (dir, env.clone(), None),
    };
    let request = crate::doctor::Request {
        dir: &dir,
        managers,
        user: args.common.user,
        env: &env,
        check_env: args.env,
    };
    let mut findings = crate::doctor::run(&request)?;
    let out = output(&args.common);
    let mut changes = Vec::new();
    if args.fix {
        changes = crate::doctor::fixes(&request)?;
        let written = if args.write {
            apply::apply(&changes)?
        } else {
            Vec::new()
        };
        report::print_fixes(&changes, &written, &out);
        if args.write {
            // The findings and the exit code speak of what is left.
            findings = crate::doctor::run(&request)?;
        }
    }
    report::print_doctor(&findings, &changes, &out, args.sarif);
    use crate::warning::Severity;
    let threshold = match args.fail_on {
        FailOn::Note => Some(Severity::Note),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Error => Some(Severity::Error),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| findings.iter().any(|f| f.severity >= t));
    Ok(if failing { 1 } else { 0 })
}

/// For pnpm, the workspace root instead of a member directory (and the member remembered).
fn pnpm_root(
    manager: Manager,
    dir: &Path,
    env: &Environment,
) -> (PathBuf, Environment, Option<Warning>) {
    let mut env = env.clone();
    if !manager.is_pnpm() {
        return (dir.to_path_buf(), env, None);
    }
    let (root, note) = discover::pnpm_workspace_root(dir, manager);
    if root != dir {
        env.member = Some(dir.to_path_buf());
    }
    (root, env, note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
