//! Writes the man pages and shell completions of `xc-avatar`, generated from its clap
//! definition (`xc_avatar::cli::Cli`), so they never drift from `--help`:
//!
//! ```sh
//! cargo run --example gen-docs -- OUT_DIR
//! ```
//!
//! OUT_DIR/man/xc-avatar.1 (+ one page per subcommand, xc-avatar-upload.1, …) and
//! OUT_DIR/completions/{xc-avatar.bash,_xc-avatar,xc-avatar.fish}. scripts/package installs them.

use std::path::PathBuf;

use clap::CommandFactory as _;
use clap_complete::Shell;

fn main() -> std::io::Result<()> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/gen-docs"));
    let man = out.join("man");
    let completions = out.join("completions");
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;

    let mut cmd = xc_avatar::cli::Cli::command();
    // xc-avatar.1 and xc-avatar-upload.1, xc-avatar-token-set.1, …, without pages for clap's
    // built-in `help` subcommands (`xc-avatar help upload` is `man xc-avatar-upload`).
    clap_mangen::generate_to(without_help_subcommand(cmd.clone()), &man)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut cmd, "xc-avatar", &completions)?;
    }
    println!("{}", out.display());
    Ok(())
}

fn without_help_subcommand(cmd: clap::Command) -> clap::Command {
    cmd.disable_help_subcommand(true)
        .mut_subcommands(without_help_subcommand)
}
