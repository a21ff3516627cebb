//! `carechain`: the Carechain node and its command-line tool (see the `carechain` library).

use std::process::ExitCode;

fn main() -> ExitCode {
    carechain::cli::main()
}
