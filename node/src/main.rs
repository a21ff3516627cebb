//! `carechain`: the Carechain node and its command-line tool.
//!
//! Today it has one command, `exec`, which runs a contract module black-box in a fresh sandbox on
//! either or both engines; the node commands (`init`, `run`, `deploy`, `call`, ...) follow.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
