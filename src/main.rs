// No console window when the app is started from Explorer or the Start menu; commands typed in
// a terminal go through the console launcher xc-avatar.com (src/windows_console.rs).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::ffi::OsString;
use std::process::ExitCode;

#[cfg(windows)]
mod windows_console;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    #[cfg(windows)]
    if let Some(refused) = windows_console_setup(&args) {
        return refused;
    }
    let args = if cfg!(target_os = "macos") {
        without_process_serial_number(args)
    } else {
        args
    };
    xc_avatar::cli::main(args)
}

/// Finder adds `-psn_0_1234567` (the old Carbon "process serial number") to the arguments of
/// an app it starts in some cases, notably the first launch of a downloaded, quarantined app.
/// clap would reject it and the app would close without a word (Finder shows no stderr).
fn without_process_serial_number(args: Vec<OsString>) -> Vec<OsString> {
    let mut args = args.into_iter();
    let program = args.next();
    program
        .into_iter()
        .chain(args.filter(|arg| !is_process_serial_number(arg)))
        .collect()
}

fn is_process_serial_number(arg: &OsString) -> bool {
    let Some(text) = arg.to_str() else {
        return false;
    };
    let Some(numbers) = text.strip_prefix("-psn_") else {
        return false;
    };
    let mut parts = numbers.split('_');
    let digits = |part: Option<&str>| {
        part.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    digits(parts.next()) && digits(parts.next()) && parts.next().is_none()
}

/// Attaches to the terminal's console as windows_console.rs explains; refuses a secret prompt
/// on a console the shell also reads.
#[cfg(windows)]
fn windows_console_setup(args: &[OsString]) -> Option<ExitCode> {
    const LAUNCHER: &str = "XC_AVATAR_CONSOLE_LAUNCHER";
    let launched = std::env::var_os(LAUNCHER).is_some_and(|v| v == "1");
    if launched {
        // SAFETY: the first thing main does, before any other thread exists.
        unsafe { std::env::remove_var(LAUNCHER) };
    }
    let console = windows_console::attach(launched);
    // Standard input was left empty there unless the secret is piped in (then it is read).
    // Keystrokes of the secret would be split between the prompt and the shell.
    if console == windows_console::Console::SharedWithShell
        && xc_avatar::cli::prompts_for_secret(args)
        && !stdin_has_pipe()
    {
        return Some(xc_avatar::cli::refuse_shared_console_prompt());
    }
    None
}

/// A redirected standard input (a pipe or file) handed over by the shell.
#[cfg(windows)]
fn stdin_has_pipe() -> bool {
    use std::os::windows::io::AsRawHandle as _;
    let handle = std::io::stdin().as_raw_handle();
    !handle.is_null()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn finder_process_serial_number_is_dropped_before_parsing() {
        assert_eq!(
            without_process_serial_number(args(&["xc-avatar", "-psn_0_1234567"])),
            args(&["xc-avatar"])
        );
        assert_eq!(
            without_process_serial_number(args(&["/A/xc-avatar", "-psn_0_42", "photo.jpg"])),
            args(&["/A/xc-avatar", "photo.jpg"])
        );
    }

    #[test]
    fn other_arguments_are_kept_as_given() {
        let given = args(&[
            "xc-avatar",
            "upload",
            "-psn_photo.jpg",
            "-psn_0_",
            "-psn_1_2_3",
            "--json",
            "-psn",
        ]);
        assert_eq!(without_process_serial_number(given.clone()), given);
        // The program's own name is never looked at.
        assert_eq!(
            without_process_serial_number(args(&["-psn_0_1"])),
            args(&["-psn_0_1"])
        );
    }
}
