//! The `pmrc` binary: parses arguments, runs the command, prints errors, maps the outcome
//! to exit codes (0 ok, 1 drift found by --check or doctor findings, 2 error).

use std::io::Write as _;

use clap::{CommandFactory as _, FromArgMatches as _};

/// The arguments, as `Cli::try_parse` reads them, but with clap's command tree left to the
/// process's end instead of freed: freeing it was a twelfth of a small `show`'s instructions
/// (issue 20).
fn parse_args() -> Result<pmrc::cli::Cli, clap::Error> {
    let mut command = pmrc::cli::Cli::command();
    let parsed = command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|mut matches| {
            pmrc::cli::Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command))
        });
    std::mem::forget(command);
    parsed
}

fn main() {
    let cli = match parse_args() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are successes; usage mistakes are errors like any other.
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let color = cli.error_color();
    match pmrc::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // Not eprintln!, which panics when stderr itself is what failed.
            // An error quotes what it read; a URL in it keeps its credentials to itself.
            let text = pmrc::cli::error_text(&e.to_string(), color);
            let _ = std::io::stderr().write_all(text.as_bytes());
            std::process::exit(2);
        }
    }
}
