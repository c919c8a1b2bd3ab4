//! The command line: the only module that knows clap. Turns arguments into a command's
//! request, hands the result to `output`, and maps it to an exit code: 0 ok, 1 `--check`
//! found drift or doctor findings, 2 error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{self, ExitStatus, convert, doctor, env as env_command, explain, init, show};
use crate::discover::Environment;
use crate::error::{Error, Result};
use crate::managers::ManagerArg;
use crate::output::{self, Output};
use crate::plan::Mode;
use crate::warning::Severity;

#[derive(Parser, Debug)]
#[command(
    name = "pmrc",
    version,
    about = "Translate registry and auth config between npm, Yarn, pnpm, Bun, Deno and Dependabot, with a redacted diff preview",
    after_help = "Examples:\n  pmrc show --dir examples/github-packages\n  pmrc convert --from npm --to yarn --dir examples/github-packages\n  pmrc convert --from npm --to yarn,bun --write\n  pmrc sync --check                 # CI: exit 1 when a target drifted from pmrc.toml's source\n  pmrc init --write                 # write pmrc.toml from what is here\n  pmrc explain @acme/widgets\n  pmrc doctor --sarif > pmrc.sarif\n\nExit codes: 0 ok, 1 drift (--check) or findings (doctor), 2 error.\nMore: pmrc help <command>, pmrc man, pmrc completions <shell>."
)]
pub struct Cli {
    /// Project directory, as in `git -C DIR` (pmrc walks up from it to the project root);
    /// the same as -C after the command.
    #[arg(
        short = 'C',
        long = "dir",
        id = "dir_before_command",
        value_name = "DIR"
    )]
    pub dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

// Each command's arguments are built only for the command run: building all of them was
// a fifth of a small `show`'s instructions (issue 20).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
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
    /// Print the variables (or, where they cannot say it, the user-level rc file) that give
    /// a CI job's manager the project's registries and credentials; secrets by name only.
    #[command(after_help = ENV_EXAMPLES)]
    Env(EnvArgs),
    /// Write a pmrc.toml for `pmrc sync` from what is here, and print the CI and pre-commit
    /// snippets that run it (a preview unless --write).
    ///
    /// The source is the one manager whose file holds registry or auth settings; the targets
    /// are the manager package.json's packageManager names, or else the other managers whose
    /// files are here. Where that is not clear, pmrc init stops and says what to pass. It
    /// never overwrites an existing pmrc.toml.
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
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
const INIT_EXAMPLES: &str = "Examples:\n  pmrc init                       # preview pmrc.toml, and the CI and pre-commit snippets\n  pmrc init --write\n  pmrc init --from npm --to yarn,pnpm --write   # when more than one answer is possible";
const DOCTOR_EXAMPLES: &str = "Examples:\n  pmrc doctor\n  pmrc doctor --env --fail-on error   # also: are the referenced variables set?\n  pmrc doctor --ci                    # also: what each CI job gives its manager\n  pmrc doctor --fix                   # preview the mechanical fixes; --fix --write applies\n  pmrc doctor --sarif > pmrc.sarif    # code scanning\n  pmrc doctor --format markdown > findings.md";

const ENV_EXAMPLES: &str = "Examples:\n  pmrc env --to pnpm@11 --format github   # an env: block for the job\n  pmrc env --from npm --to yarn --format gitlab\n  eval \"$(pmrc env --to npm)\"               # in a job's shell, before the install\n  pmrc env --to bun --format json";

#[derive(Args, Debug)]
pub struct EnvArgs {
    /// Project directory (default: the current directory); pmrc walks up from it to the
    /// project root the managers use.
    #[arg(short = 'C', long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The manager whose config is the source, spelled as for --to (default: pmrc.toml's
    /// `from`, else the one manager whose own file holds registry or auth settings).
    #[arg(long, value_name = "M")]
    pub from: Option<ManagerArg>,
    /// The manager the job runs: npm, yarn, yarn-classic, bun, deno, pnpm[@10|11|12].
    #[arg(long, value_name = "M", required = true)]
    pub to: ManagerArg,
    /// Also read the user-level files (~/.npmrc, ~/.yarnrc.yml, ...) as the source does.
    #[arg(long)]
    pub user: bool,
    /// Where the environment goes: a shell script, a GitHub Actions `env:` block, GitLab
    /// `variables:`, a dotenv file, or JSON.
    #[arg(long, value_enum, default_value_t = EnvFormat::Shell)]
    pub format: EnvFormat,
    /// No findings on stderr. Errors are always printed.
    #[arg(short, long)]
    pub quiet: bool,
    /// When to colour the findings (auto: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvFormat {
    Shell,
    Github,
    Gitlab,
    Dotenv,
    Json,
}

#[derive(Args, Debug)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub common: Common,
    /// Only these managers, comma separated (default: every manager whose file exists).
    #[arg(long, value_name = "M", value_delimiter = ',')]
    pub manager: Vec<ManagerArg>,
    /// Also apply the process environment over the files, as each manager reads it (a
    /// value's origin names its variable), and check that the variables the configs
    /// reference are set.
    #[arg(long)]
    pub env: bool,
    /// Also apply the variables of this dotenv file over the files (after --env's).
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// Also read .github/workflows: per job, the manager it runs and the variables and
    /// setup-node .npmrc it gets, reported at the workflow's file:line (names, never values).
    #[arg(long)]
    pub ci: bool,
    /// Exit 1 when a finding of this severity or worse exists.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Print SARIF 2.1.0 (for code-scanning annotations) instead of --format. Nothing else
    /// is printed on stdout, so it cannot be combined with --format or --fix (whose diff
    /// would land in the SARIF file).
    #[arg(long, conflicts_with_all = ["format", "fix"])]
    pub sarif: bool,
    /// Preview the safe fixes as a diff (with --write: apply them).
    #[arg(long)]
    pub fix: bool,
    /// With --fix: apply the fixes.
    #[arg(short, long, requires = "fix")]
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
    pub manager: Vec<ManagerArg>,
    /// Also say what each manager sends with this tarball URL (e.g. a CDN on another host).
    #[arg(long, value_name = "URL")]
    pub tarball: Option<String>,
    #[command(flatten)]
    pub env: EnvLayerArgs,
}

#[derive(Args, Debug)]
pub struct Common {
    /// Project directory (default: the current directory); pmrc walks up from it to the
    /// project root the managers use. `-C` as in git and make.
    #[arg(short = 'C', long, value_name = "DIR")]
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
    /// Only these managers, comma separated (default: every manager whose project file
    /// exists).
    #[arg(long, value_name = "M", value_delimiter = ',')]
    pub manager: Vec<ManagerArg>,
    #[command(flatten)]
    pub env: EnvLayerArgs,
}

// Environment variables as a config layer (`show`, `explain`).
// (Not a doc comment: a flattened struct's doc becomes the command's about once its
// deferred arguments are built.)
#[derive(Args, Debug)]
pub struct EnvLayerArgs {
    /// Also apply the process environment over the files, as each manager reads it (a
    /// value's origin names its variable; credentials stay references).
    #[arg(long)]
    pub env: bool,
    /// Also apply the variables of this dotenv file over the files (after --env's).
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
}

impl EnvLayerArgs {
    fn variables(&self) -> Result<Vec<crate::env_layer::Variable>> {
        crate::env_layer::Layer {
            process: self.env,
            file: self.env_file.clone(),
        }
        .variables()
    }
}

// How `convert` and `sync` end: a preview, a write, or a check.
// (Not a doc comment: a flattened struct's doc becomes the command's about once its
// deferred arguments are built.)
#[derive(Args, Debug)]
#[group(id = "mode", multiple = false)]
pub struct ModeArgs {
    /// Print the diff and change nothing (the default).
    #[arg(long)]
    pub diff: bool,
    /// Apply the changes.
    #[arg(short, long)]
    pub write: bool,
    /// Exit 1 when anything would change (for CI); prints the same diff.
    #[arg(long)]
    pub check: bool,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub common: Common,
    /// The source manager, spelled as for --to. Default: pmrc.toml's `from`, else the one
    /// manager whose own file holds registry, auth or network settings (a file without them
    /// is never the source); anything else stops with exit 2, saying what each file holds.
    #[arg(long, value_name = "M")]
    pub from: Option<ManagerArg>,
    /// Target manager(s), comma separated: npm, yarn, yarn-classic, bun, pnpm[@10|11|12],
    /// deno; or dependabot (the npm registries of .github/dependabot.yml).
    #[arg(long, value_name = "M", value_delimiter = ',', required = true)]
    pub to: Vec<ManagerArg>,
    /// Also exit 1 when the run reports a finding of this severity or worse (for CI: a
    /// target that would send no credentials is a warning).
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub mode: ModeArgs,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub common: Common,
    /// The source manager, spelled as for --to (default: the one manager whose own file holds
    /// registry, auth or network settings).
    #[arg(long, value_name = "M")]
    pub from: Option<ManagerArg>,
    /// The managers to keep in sync with it, comma separated (default: the one package.json's
    /// packageManager names, or else every other manager whose own file is here).
    #[arg(long, value_name = "M", value_delimiter = ',')]
    pub to: Vec<ManagerArg>,
    #[command(flatten)]
    pub mode: InitMode,
}

// `pmrc init` previews or writes; there is nothing to check before the file exists.
// (Not a doc comment: a flattened struct's doc becomes the command's about once its
// deferred arguments are built.)
#[derive(Args, Debug)]
#[group(id = "init_mode", multiple = false)]
pub struct InitMode {
    /// Print pmrc.toml as a diff and create nothing (the default).
    #[arg(long)]
    pub diff: bool,
    /// Create pmrc.toml.
    #[arg(short, long)]
    pub write: bool,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    #[command(flatten)]
    pub common: Common,
    /// The project setting to use (default: pmrc.toml in the project directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also exit 1 when the run reports a finding of this severity or worse (for CI: a
    /// target that would send no credentials is a warning).
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub mode: ModeArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    /// A pull-request comment body (convert, sync, doctor).
    Markdown,
    /// GitHub Actions workflow commands: annotations on the lines (convert, sync, doctor).
    Github,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl clap::builder::ValueParserFactory for ManagerArg {
    type Parser = clap::builder::ValueParser;
    fn value_parser() -> Self::Parser {
        clap::builder::ValueParser::new(|s: &str| s.parse::<ManagerArg>())
    }
}

/// Runs a parsed command line; the returned number is the exit code.
pub fn run(cli: Cli) -> Result<i32> {
    let mut env = Environment::from_process();
    let command = with_dir_before_command(cli.dir, cli.command)?;
    let status = match command {
        Command::Show(args) => {
            no_markdown(&args.common, "show")?;
            let (dir, root_note) = root(&args.common, &mut env)?;
            let request = show::Request {
                dir,
                managers: args.manager,
                user: args.common.user,
                env_vars: args.env.variables()?,
                environment_asked: args.env.env || args.env.env_file.is_some(),
            };
            let out = output(&args.common, &request.dir);
            if out.json() {
                let mut shown = show::run(&request, &env, |s| s)?;
                if let Some(first) = shown.first_mut() {
                    first.warnings.splice(0..0, root_note);
                }
                printed(output::print_show_json(&shown, &out))?;
            } else {
                let mut tables = show::run(&request, &env, |s| output::show_table(s, &out))?;
                if let Some(first) = tables.first_mut() {
                    first.warnings.splice(0..0, root_note);
                }
                printed(output::print_show(&tables, &out))?;
            }
            ExitStatus::Success
        }
        Command::Convert(args) => {
            let (dir, root_note) = root(&args.common, &mut env)?;
            let out = output(&args.common, &dir);
            let rerun = rerun_command(
                "convert",
                &[
                    args.from.map(|f| format!("--from {f}")),
                    Some(format!("--to {}", comma_list(&args.to))),
                ],
                &args.common,
            );
            let request = convert::Request {
                dir,
                from: args.from,
                to: args.to,
                user: args.common.user,
                mode: mode_of(&args.mode),
            };
            let mut converted = convert::convert(request, &env)?;
            converted.plan.warnings.splice(0..0, root_note);
            print_converted(&converted, &out, threshold(args.fail_on), &rerun)?
        }
        Command::Sync(args) => {
            let (dir, root_note) = root(&args.common, &mut env)?;
            let out = output(&args.common, &dir);
            let config = args.config.as_ref().map(|c| {
                format!(
                    "--config {}",
                    crate::doctor::shell_word(&c.display().to_string())
                )
            });
            let rerun = rerun_command("sync", &[config], &args.common);
            let request = convert::SyncRequest {
                dir,
                config: args.config,
                user: args.common.user,
                mode: mode_of(&args.mode),
            };
            let mut converted = convert::sync(request, &env)?;
            converted.plan.warnings.splice(0..0, root_note);
            print_converted(&converted, &out, threshold(args.fail_on), &rerun)?
        }
        Command::Explain(args) => {
            no_markdown(&args.common, "explain")?;
            let (dir, root_note) = root(&args.common, &mut env)?;
            let request = explain::Request {
                dir,
                managers: args.manager,
                user: args.common.user,
                package: args.package,
                tarball: args.tarball,
                env_vars: args.env.variables()?,
            };
            let mut explained = explain::run(&request, &env)?;
            explained.warnings.splice(0..0, root_note);
            printed(output::print_explain(
                &request.package,
                &explained.answers,
                &explained.warnings,
                &output(&args.common, &request.dir),
            ))?;
            ExitStatus::Success
        }
        Command::Doctor(args) => {
            let request = doctor::Request {
                dir: root(&args.common, &mut env)?.0,
                dir_flag: args.common.dir.clone(),
                managers: args.manager,
                user: args.common.user,
                check_env: args.env,
                env_vars: crate::env_layer::Layer {
                    process: args.env,
                    file: args.env_file.clone(),
                }
                .variables()?,
                ci: args.ci,
                fail_on: threshold(args.fail_on),
                fix: args.fix,
                write: args.write,
            };
            let diagnosed = doctor::run(&request, &env)?;
            let out = output(&args.common, &request.dir);
            if args.fix {
                printed(output::print_fixes(
                    &diagnosed.fixes,
                    &diagnosed.written,
                    &out,
                ))?;
            }
            printed(output::print_doctor(
                &diagnosed.findings,
                &diagnosed.fixes,
                &out,
                args.sarif,
            ))?;
            diagnosed.status
        }
        Command::Env(args) => {
            let common = Common {
                dir: args.dir,
                user: args.user,
                format: Format::Text,
                show_secrets: false,
                color: args.color,
                quiet: args.quiet,
                verbose: false,
            };
            let (dir, root_note) = root(&common, &mut env)?;
            let request = env_command::Request {
                dir,
                from: args.from,
                to: args.to,
                user: args.user,
                target: match args.format {
                    EnvFormat::Shell => env_command::Target::Shell,
                    EnvFormat::Github => env_command::Target::Github,
                    EnvFormat::Gitlab => env_command::Target::Gitlab,
                    EnvFormat::Dotenv => env_command::Target::Dotenv,
                    EnvFormat::Json => env_command::Target::Json,
                },
            };
            let mut plan = env_command::run(&request, &env)?;
            plan.warnings.splice(0..0, root_note);
            printed(output::print_env(&plan, &output(&common, &request.dir)))?;
            ExitStatus::Success
        }
        Command::Init(args) => {
            no_markdown(&args.common, "init")?;
            let (dir, root_note) = root(&args.common, &mut env)?;
            let request = init::Request {
                dir,
                from: args.from,
                to: args.to,
                user: args.common.user,
                mode: if args.mode.write {
                    Mode::Write
                } else {
                    Mode::Diff
                },
                dir_flag: args.common.dir.clone(),
            };
            let out = output(&args.common, &request.dir);
            let mut initialised = init::run(&request)?;
            initialised.warnings.splice(0..0, root_note);
            printed(output::print_init(&initialised, &out))?;
            ExitStatus::Success
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "pmrc", &mut out);
            printed(output::print_raw(&out))?;
            ExitStatus::Success
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
            printed(output::print_raw(&out))?;
            ExitStatus::Success
        }
    };
    Ok(status.code())
}

/// `pmrc -C DIR <command>` is `pmrc <command> -C DIR`; given in both places, which one was
/// meant is unclear, so neither is taken.
fn with_dir_before_command(dir: Option<PathBuf>, mut command: Command) -> Result<Command> {
    let Some(dir) = dir else {
        return Ok(command);
    };
    let (name, dir_after) = match &mut command {
        // `env` shares no flags with the others (its --format is its own), only the folder.
        Command::Env(a) => ("env", &mut a.dir),
        Command::Show(a) => ("show", &mut a.common.dir),
        Command::Convert(a) => ("convert", &mut a.common.dir),
        Command::Explain(a) => ("explain", &mut a.common.dir),
        Command::Sync(a) => ("sync", &mut a.common.dir),
        Command::Doctor(a) => ("doctor", &mut a.common.dir),
        Command::Init(a) => ("init", &mut a.common.dir),
        Command::Completions { .. } | Command::Man { .. } => {
            return Err(Error::Usage(
                "-C DIR is for commands that read a project; `pmrc completions` and `pmrc man` read none".into(),
            ));
        }
    };
    if let Some(after) = &dir_after {
        return Err(Error::Usage(format!(
            "-C given twice ({} before `{name}`, {} after it): give it once, either place",
            dir.display(),
            after.display()
        )));
    }
    *dir_after = Some(dir);
    Ok(command)
}

/// The project folder, walked up to from `--dir` (or the current folder) as the managers do.
/// The workspace member it was pointed at, when it walked up to that member's root, goes
/// into `env`: each manager's own root is then found from the member.
fn root(
    common: &Common,
    env: &mut Environment,
) -> Result<(PathBuf, Option<crate::warning::Warning>)> {
    let dir = commands::project_dir(common.dir.as_deref())?;
    let found = commands::project_root(dir, env.home.as_deref())?;
    env.member_package = found.member_package;
    Ok((found.dir, found.note))
}

/// A failed write to stdout or stderr (other than a closed pipe) is an error like any other.
fn printed(result: std::io::Result<()>) -> Result<()> {
    result.map_err(Error::Output)
}

/// The severity `--fail-on` fails on; `None` for never.
fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Note => Some(Severity::Note),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Error => Some(Severity::Error),
        FailOn::Never => None,
    }
}

/// The command that writes what `--check` found out of sync: this command line with
/// `--write`, and with the same `--user` and `-C DIR`, so that it runs where the check did.
fn rerun_command(command: &str, args: &[Option<String>], common: &Common) -> String {
    let mut line = format!("pmrc {command}");
    for arg in args.iter().flatten() {
        line.push(' ');
        line.push_str(arg);
    }
    line.push_str(" --write");
    if common.user {
        line.push_str(" --user");
    }
    if let Some(dir) = &common.dir {
        line.push_str(" -C ");
        line.push_str(&crate::doctor::shell_word(&dir.display().to_string()));
    }
    line
}

fn comma_list(managers: &[ManagerArg]) -> String {
    managers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn print_converted(
    converted: &convert::Converted,
    out: &Output,
    fail_on: Option<Severity>,
    rerun: &str,
) -> Result<ExitStatus> {
    printed(output::print_files(
        &converted.plan,
        &converted.written,
        out,
    ))?;
    printed(output::print_convert(
        &converted.plan,
        converted.mode,
        &converted.written,
        out,
        rerun,
    ))?;
    let failing = fail_on.is_some_and(|t| converted.plan.warnings.iter().any(|w| w.severity >= t));
    Ok(if failing {
        ExitStatus::Failure
    } else {
        converted.status
    })
}

/// How to print; `root` is the project folder, which `--format github` names files from.
fn output(common: &Common, root: &std::path::Path) -> Output {
    use std::io::IsTerminal;
    let color = colour(common.color, std::io::stdout().is_terminal());
    Output {
        color_stderr: colour(common.color, std::io::stderr().is_terminal()),
        style: match common.format {
            Format::Text => output::Style::Text,
            Format::Json => output::Style::Json,
            Format::Markdown => output::Style::Markdown,
            Format::Github => output::Style::Github,
        },
        show_secrets: common.show_secrets,
        color,
        width: output::diagnostic::terminal_width(),
        verbosity: match (common.quiet, common.verbose) {
            (true, _) => output::Verbosity::Quiet,
            (_, true) => output::Verbosity::Verbose,
            _ => output::Verbosity::Normal,
        },
        places: output::github::Places::new(root),
    }
}

/// Whether to colour a stream: as asked, else on a terminal unless NO_COLOR is set.
fn colour(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// The error that ends a run, as the binary prints it ([`output::error_text`]).
pub fn error_text(message: &str, color: bool) -> String {
    output::error_text(message, color)
}

impl Cli {
    /// Whether the error that ends this run is coloured: `--color` of the command, else
    /// stderr being a terminal without NO_COLOR.
    pub fn error_color(&self) -> bool {
        use std::io::IsTerminal;
        let choice = match &self.command {
            Command::Show(a) => a.common.color,
            Command::Convert(a) => a.common.color,
            Command::Explain(a) => a.common.color,
            Command::Sync(a) => a.common.color,
            Command::Doctor(a) => a.common.color,
            Command::Init(a) => a.common.color,
            Command::Env(a) => a.color,
            Command::Completions { .. } | Command::Man { .. } => ColorChoice::Auto,
        };
        colour(choice, std::io::stderr().is_terminal())
    }
}

/// Markdown (a pull-request comment) and GitHub annotations are about a change or findings;
/// `show` and `explain` answer questions and have text and JSON.
fn no_markdown(common: &Common, command: &str) -> Result<()> {
    let name = match common.format {
        Format::Markdown => "markdown",
        Format::Github => "github",
        Format::Text | Format::Json => return Ok(()),
    };
    Err(Error::Usage(format!(
        "--format {name} is for convert, sync and doctor; use text or json with {command}"
    )))
}

fn mode_of(mode: &ModeArgs) -> Mode {
    if mode.write {
        Mode::Write
    } else if mode.check {
        Mode::Check
    } else {
        Mode::Diff
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    /// The commands' arguments are built only for the command run (`defer`), after its
    /// variant's attributes: a doc comment on a flattened `Args` struct would then replace
    /// the command's about in its help and man page, and did (`show` said "Environment
    /// variables as a config layer").
    #[test]
    fn building_a_command_keeps_its_about() {
        let unbuilt = Cli::command();
        let mut built = Cli::command();
        built.build();
        for sub in unbuilt.get_subcommands() {
            let name = sub.get_name();
            let after = built.find_subcommand(name).unwrap();
            assert_eq!(
                sub.get_about().map(|a| a.to_string()),
                after.get_about().map(|a| a.to_string()),
                "{name}"
            );
            assert!(sub.get_about().is_some(), "{name}");
        }
    }
}
