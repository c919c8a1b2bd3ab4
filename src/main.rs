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
