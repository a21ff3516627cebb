//! `carechain`: the Carechain node and its command-line tool (see the `carechain_node` crate).

use std::process::ExitCode;

fn main() -> ExitCode {
    carechain_node::cli::main()
}
