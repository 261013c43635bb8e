/*
 * xc-avatar.com: the console face of xc-avatar on Windows.
 *
 * xc-avatar.exe is a windowed ("GUI subsystem") program, so that double-clicking it or opening a
 * picture with it shows no console window. But cmd.exe and PowerShell do not wait for a windowed
 * program: typed in a terminal, `xc-avatar.exe upload ...` would return the prompt at once, print
 * after it, lose its exit code, and a hidden token prompt would read the same console as cmd.
 *
 * The fix Visual Studio uses (devenv.com beside devenv.exe) and Godot ships (a console wrapper
 * beside its windowed exe): this small console program sits beside xc-avatar.exe under the name
 * xc-avatar.com. cmd and PowerShell try .COM before .EXE (PATHEXT), so a typed `xc-avatar ...`
 * runs this; the Start menu, Explorer and "Open with" name xc-avatar.exe and never see it.
 *
 * It runs xc-avatar.exe with the same arguments (the command line is passed on as typed, so
 * quoting is never re-done), hands it this console's standard handles, waits for it and returns
 * its exit code. Because the shell now waits on a console program, output comes in order before
 * the next prompt, and nobody but xc-avatar reads the console while it prompts for a secret.
 * XC_AVATAR_CONSOLE_LAUNCHER=1 tells xc-avatar.exe to attach to this console (for the hidden
 * prompt, which reads CONIN$). Ctrl+C reaches xc-avatar.exe itself (attached to the console);
 * this launcher ignores it and returns the child's exit code. A job object ends xc-avatar.exe
 * if the launcher is killed (the console window closed), as Godot's wrapper does.
 *
 * Built with mingw-w64 (x86_64-w64-mingw32-gcc -municode -Os -s), on Linux, by scripts/package
 * and the release workflow; tested under Wine by scripts/test-installer.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <wchar.h>

/* Windows' own limit for a command line, in UTF-16 units with the terminating NUL. */
#define MAX_COMMAND_LINE 32768

static void say(const wchar_t *text)
{
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    DWORD mode, written;
    if (err == NULL || err == INVALID_HANDLE_VALUE)
        return;
    if (GetConsoleMode(err, &mode)) {
        WriteConsoleW(err, text, (DWORD)wcslen(text), &written, NULL);
    } else {
        char utf8[2048];
        int n = WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, sizeof utf8, NULL, NULL);
        if (n > 1)
            WriteFile(err, utf8, (DWORD)(n - 1), &written, NULL);
    }
}

/* The arguments part of our own command line: argv[0] skipped by the rules CommandLineToArgvW
 * uses for it (quoted up to the next quote, else up to the first space or tab). */
static const wchar_t *arguments_of(const wchar_t *line)
{
    if (*line == L'"') {
        line++;
        while (*line && *line != L'"')
            line++;
        if (*line == L'"')
            line++;
    } else {
        while (*line && *line != L' ' && *line != L'\t')
            line++;
    }
    while (*line == L' ' || *line == L'\t')
        line++;
    return line;
}

/* Ctrl+C and Ctrl+Break go to every process attached to the console: xc-avatar.exe handles
 * them (it exits); the launcher only waits for that and returns its exit code. */
static BOOL WINAPI ignore_ctrl(DWORD kind)
{
    return kind == CTRL_C_EVENT || kind == CTRL_BREAK_EVENT;
}

int wmain(void)
{
    static wchar_t exe[MAX_COMMAND_LINE];
    static wchar_t command[MAX_COMMAND_LINE];
    DWORD length = GetModuleFileNameW(NULL, exe, MAX_COMMAND_LINE);
    if (length == 0 || length >= MAX_COMMAND_LINE - 1) {
        say(L"xc-avatar: cannot find where xc-avatar.com is installed\r\n");
        return 1;
    }
    /* xc-avatar.com -> xc-avatar.exe, beside it. */
    wchar_t *dot = wcsrchr(exe, L'.');
    wchar_t *slash = wcsrchr(exe, L'\\');
    if (dot == NULL || (slash != NULL && dot < slash) || _wcsicmp(dot, L".com") != 0) {
        say(L"xc-avatar: the console launcher must be named xc-avatar.com\r\n");
        return 1;
    }
    wcscpy(dot, L".exe");
    DWORD attributes = GetFileAttributesW(exe);
    if (attributes == INVALID_FILE_ATTRIBUTES || (attributes & FILE_ATTRIBUTE_DIRECTORY)) {
        say(L"xc-avatar: xc-avatar.exe is missing beside xc-avatar.com: reinstall xc-avatar\r\n");
        return 1;
    }

    const wchar_t *args = arguments_of(GetCommandLineW());
    if (wcslen(exe) + wcslen(args) + 4 > MAX_COMMAND_LINE) {
        say(L"xc-avatar: the command line is too long\r\n");
        return 2;
    }
    _snwprintf(command, MAX_COMMAND_LINE, L"\"%ls\"%ls%ls", exe, *args ? L" " : L"", args);
    command[MAX_COMMAND_LINE - 1] = 0;

    SetEnvironmentVariableW(L"XC_AVATAR_CONSOLE_LAUNCHER", L"1");
    SetConsoleCtrlHandler(ignore_ctrl, TRUE);

    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job != NULL) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
        ZeroMemory(&limits, sizeof limits);
        /* Only xc-avatar.exe itself: a browser it opens for a link must outlive it. */
        limits.BasicLimitInformation.LimitFlags =
            JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK;
        SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
    }

    STARTUPINFOW startup;
    ZeroMemory(&startup, sizeof startup);
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    startup.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION child;
    ZeroMemory(&child, sizeof child);
    if (!CreateProcessW(exe, command, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &startup,
                        &child)) {
        say(L"xc-avatar: cannot start xc-avatar.exe beside xc-avatar.com: reinstall xc-avatar\r\n");
        return 1;
    }
    if (job != NULL)
        AssignProcessToJobObject(job, child.hProcess);
    ResumeThread(child.hThread);
    CloseHandle(child.hThread);

    WaitForSingleObject(child.hProcess, INFINITE);
    DWORD code = 1;
    GetExitCodeProcess(child.hProcess, &code);
    CloseHandle(child.hProcess);
    return (int)code;
}
