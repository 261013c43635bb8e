//! Windows: which console a windowed xc-avatar.exe may use.
//!
//! xc-avatar.exe is a "windows subsystem" program (no console window from Explorer, the Start
//! menu or "Open with"), so it starts with no console. Three cases:
//! - Started by xc-avatar.com, the console launcher (`XC_AVATAR_CONSOLE_LAUNCHER=1`,
//!   assets/windows/console-launcher.c): the shell waits on the launcher, so the terminal's
//!   console is ours alone. Attach to it, keep the standard handles the launcher handed over (a
//!   pipe or file stays one) and fill any missing one from the console; a hidden prompt
//!   (rpassword opens `CONIN$`, which needs an attached console) then works.
//! - Typed as `xc-avatar.exe ...` in cmd or PowerShell, output not redirected: the shell did not
//!   wait and reads the same console again. Attach for output only; standard input is left
//!   empty so nothing typed for the shell is ever read as a secret (main.rs refuses the commands
//!   that would prompt, and says how to pipe instead).
//! - Output redirected (scripts, tests) or no terminal (Explorer): leave everything alone.
//!
//! Type-checked on Linux by scripts/check-windows-console (windows-sys compiles anywhere).

use windows_sys::Win32::Foundation::{GENERIC_READ, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, FILE_SHARE_READ, FILE_SHARE_WRITE, OPEN_EXISTING,
};
use windows_sys::Win32::System::Console::{
    ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_ERROR_HANDLE, STD_HANDLE,
    STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, SetStdHandle,
};

/// What xc-avatar.exe found and did about a console at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Console {
    /// No terminal (Explorer, Start menu) or output redirected: nothing changed.
    Untouched,
    /// Under xc-avatar.com: the terminal's console, ours alone while we run.
    Launcher,
    /// Typed as xc-avatar.exe in a terminal whose shell reads the same console.
    SharedWithShell,
}

const STREAMS: [STD_HANDLE; 3] = [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE];

fn is_set(handle: HANDLE) -> bool {
    !handle.is_null() && handle != INVALID_HANDLE_VALUE
}

/// `CONIN$` or `CONOUT$` of the attached console; null when it cannot be opened.
fn open_console(name: &str) -> HANDLE {
    let wide: Vec<u16> = name.encode_utf16().chain(std::iter::once(0)).collect();
    // SAFETY: `wide` is a NUL-terminated UTF-16 string that outlives the call; the other
    // arguments are constants or null where the API allows null.
    let handle = unsafe {
        CreateFileW(
            wide.as_ptr(),
            GENERIC_READ | GENERIC_WRITE,
            FILE_SHARE_READ | FILE_SHARE_WRITE,
            std::ptr::null(),
            OPEN_EXISTING,
            0,
            std::ptr::null_mut(),
        )
    };
    if is_set(handle) {
        handle
    } else {
        std::ptr::null_mut()
    }
}

/// Attaches to the terminal's console when that is right (see the module's comment).
pub fn attach(launched_by_launcher: bool) -> Console {
    // SAFETY: plain Win32 calls on this process's own standard handles; no pointers are kept.
    unsafe {
        let before = STREAMS.map(|stream| GetStdHandle(stream));
        let redirected = before.map(is_set);
        if !launched_by_launcher && (redirected[1] || redirected[2]) {
            return Console::Untouched;
        }
        if AttachConsole(ATTACH_PARENT_PROCESS) == 0 {
            return Console::Untouched;
        }
        let console = if launched_by_launcher {
            Console::Launcher
        } else {
            Console::SharedWithShell
        };
        for (index, stream) in STREAMS.into_iter().enumerate() {
            let handle = if redirected[index] {
                // What the launcher (or the caller) handed over stays: a pipe remains a pipe.
                before[index]
            } else if index == 0 && console == Console::SharedWithShell {
                // The shell reads this console too: nothing of it may reach us as input.
                std::ptr::null_mut()
            } else if index == 0 {
                open_console("CONIN$")
            } else {
                open_console("CONOUT$")
            };
            SetStdHandle(stream, handle);
        }
        console
    }
}
