// No console window when the app is started from Explorer or the Start menu; a command typed in
// a terminal attaches to that terminal's console instead (below).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    #[cfg(windows)]
    attach_parent_console();
    xc_avatar::cli::main()
}

/// A "windows" subsystem program has no console of its own, so `xc-avatar upload …` typed in
/// cmd or PowerShell would print nothing. When our output is not already redirected (a pipe or a
/// file, as scripts and tests use), write to the console of the terminal that started us, if
/// any; started from Explorer there is none and this does nothing.
#[cfg(windows)]
fn attach_parent_console() {
    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_ERROR_HANDLE, STD_OUTPUT_HANDLE,
    };
    // SAFETY: plain Win32 calls with constant arguments; no pointers are passed.
    unsafe {
        let unset = |handle: windows_sys::Win32::Foundation::HANDLE| {
            handle.is_null() || handle == windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE
        };
        if unset(GetStdHandle(STD_OUTPUT_HANDLE)) && unset(GetStdHandle(STD_ERROR_HANDLE)) {
            AttachConsole(ATTACH_PARENT_PROCESS);
        }
    }
}
