use std::process::ExitCode;

fn main() -> ExitCode {
    xc_avatar::cli::main()
}
