/*
 * A stand-in for xc-avatar.exe in scripts/test-installer (under Wine): a windowed program, like
 * the real one, that records what it was given.
 *
 *   - Each argument, as Windows splits the command line (CommandLineToArgvW, the rules Rust's
 *     std::env::args follow), one per line in UTF-8, appended to the file named by
 *     XC_AVATAR_STANDIN_LOG, else written to stdout.
 *   - "env=NAME" among the arguments: the line "NAME=value" (or "NAME unset") to stdout.
 *   - "stdin" among them: one line read from stdin, written back as "stdin: LINE".
 *   - "stderr" among them: the line "to stderr" on stderr, between two stdout lines.
 *   - "exit=N": exits with N (default 0).
 *
 * Run as `stand-in.exe --open-with PROGID FILE`, it does what the shell does for "Open with >
 * xc-avatar": reads HKCU\Software\Classes\PROGID\shell\open\command, puts FILE in place of
 * %1, starts that command line and waits for it, exiting with its code (99: no such command).
 * Wine 8's HKEY_CLASSES_ROOT does not include the per-user classes the installer writes, so
 * ShellExecuteEx itself cannot find them there; this is the same lookup, made explicitly.
 *
 * Built with x86_64-w64-mingw32-gcc -municode -mwindows.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <shellapi.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void put(HANDLE to, const char *text)
{
    DWORD written;
    if (to != NULL && to != INVALID_HANDLE_VALUE)
        WriteFile(to, text, (DWORD)strlen(text), &written, NULL);
}

static void put_wide(HANDLE to, const wchar_t *text)
{
    char utf8[4096];
    int n = WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, sizeof utf8, NULL, NULL);
    if (n > 0)
        put(to, utf8);
}

static int open_with(const wchar_t *progid, const wchar_t *file)
{
    wchar_t key[512], registered[2048], command[4096];
    DWORD size = sizeof registered;
    _snwprintf(key, 512, L"Software\\Classes\\%ls\\shell\\open\\command", progid);
    key[511] = 0;
    if (RegGetValueW(HKEY_CURRENT_USER, key, NULL, RRF_RT_REG_SZ, NULL, registered, &size) !=
        ERROR_SUCCESS)
        return 99;
    /* %1 -> the file, as the shell substitutes it; the rest as registered. */
    size_t n = 0;
    for (const wchar_t *c = registered; *c && n < 4000; c++) {
        if (c[0] == L'%' && c[1] == L'1') {
            for (const wchar_t *f = file; *f && n < 4000; f++)
                command[n++] = *f;
            c++;
        } else {
            command[n++] = *c;
        }
    }
    command[n] = 0;
    STARTUPINFOW startup;
    PROCESS_INFORMATION child;
    ZeroMemory(&startup, sizeof startup);
    startup.cb = sizeof startup;
    if (!CreateProcessW(NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &child))
        return 98;
    DWORD status = 97;
    WaitForSingleObject(child.hProcess, INFINITE);
    GetExitCodeProcess(child.hProcess, &status);
    CloseHandle(child.hThread);
    CloseHandle(child.hProcess);
    return (int)status;
}

int WINAPI wWinMain(HINSTANCE instance, HINSTANCE previous, PWSTR line, int show)
{
    (void)instance; (void)previous; (void)line; (void)show;
    int argc = 0;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    if (argv != NULL && argc == 4 && wcscmp(argv[1], L"--open-with") == 0)
        return open_with(argv[2], argv[3]);
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    HANDLE log = out;
    wchar_t path[MAX_PATH];
    if (GetEnvironmentVariableW(L"XC_AVATAR_STANDIN_LOG", path, MAX_PATH) > 0) {
        log = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
                          FILE_ATTRIBUTE_NORMAL, NULL);
    }
    int code = 0;
    for (int i = 1; argv != NULL && i < argc; i++) {
        put(log, "arg: ");
        put_wide(log, argv[i]);
        put(log, "\n");
    }
    for (int i = 1; argv != NULL && i < argc; i++) {
        if (wcsncmp(argv[i], L"exit=", 5) == 0) {
            code = _wtoi(argv[i] + 5);
        } else if (wcsncmp(argv[i], L"env=", 4) == 0) {
            wchar_t value[512];
            put_wide(out, argv[i] + 4);
            if (GetEnvironmentVariableW(argv[i] + 4, value, 512) > 0) {
                put(out, "=");
                put_wide(out, value);
                put(out, "\n");
            } else {
                put(out, " unset\n");
            }
        } else if (wcscmp(argv[i], L"stdin") == 0) {
            char buffer[512];
            DWORD got = 0, total = 0;
            HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
            while (total < sizeof buffer - 1 &&
                   ReadFile(in, buffer + total, 1, &got, NULL) && got == 1) {
                if (buffer[total] == '\n')
                    break;
                total++;
            }
            buffer[total] = 0;
            if (total > 0 && buffer[total - 1] == '\r')
                buffer[total - 1] = 0;
            put(out, "stdin: ");
            put(out, buffer);
            put(out, "\n");
        } else if (wcscmp(argv[i], L"stderr") == 0) {
            put(out, "before stderr\n");
            put(err, "to stderr\n");
            put(out, "after stderr\n");
        }
    }
    if (log != out && log != INVALID_HANDLE_VALUE)
        CloseHandle(log);
    return code;
}
