//! The `pmrc` binary: parses arguments, runs the command, prints errors, maps the outcome
//! to exit codes (0 ok, 1 drift found by --check or doctor findings, 2 error).

use std::io::Write as _;

use clap::Parser;

fn main() {
    let cli = match pmrc::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are successes; usage mistakes are errors like any other.
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match pmrc::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // Not eprintln!, which panics when stderr itself is what failed.
            // An error quotes what it read; a URL in it keeps its credentials to itself.
            let message = pmrc::redact::urls_in(&e.to_string());
            let _ = writeln!(std::io::stderr(), "error: {message}");
            std::process::exit(2);
        }
    }
}
