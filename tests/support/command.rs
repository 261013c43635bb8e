//! The one way tests start a program: `xc-avatar` (or another) in an environment of the test's
//! own making, whatever the environment `cargo test` was started in.
//!
//! Cleared: F5's and vesctl's variables (`F5XC_*`, `VOLT_*`, `VES_*`, any case), the proxy
//! variables, `RUST_LOG`, `NO_COLOR`, `SSL_CERT_FILE`/`SSL_CERT_DIR` and the XDG folders. Given:
//! a HOME of its own (a fresh temporary folder, removed when the command is dropped, or one the
//! test passes to share between runs), with the config folder (`XC_AVATAR_CONFIG_DIR`), data
//! and cache inside it. A test that wants a variable sets it on the command.
//!
//! `scripts/hostile-env` runs the whole suite with every one of these set to junk, dead proxies
//! and a `~/.vesconfig` in HOME, so a test that forgets this builder fails there.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test. Cargo names it to the root crate's tests only; the core's tests share
/// this module but run no binary.
pub fn xc_avatar_binary() -> &'static str {
    match option_env!("CARGO_BIN_EXE_xc-avatar") {
        Some(binary) => binary,
        None => panic!("the xc-avatar binary is known to the root crate's tests only"),
    }
}

/// Variables removed from every child, by exact name (case-insensitively).
const CLEARED: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "RUST_LOG",
    "NO_COLOR",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "XC_AVATAR_CONFIG_DIR",
];
/// Variables removed from every child by prefix (case-insensitively): F5's tools and vesctl.
const CLEARED_PREFIXES: &[&str] = &["F5XC_", "VOLT_", "VES_"];

/// Whether the child must not inherit `name`.
pub fn is_cleared(name: &OsStr) -> bool {
    let name = name.to_string_lossy().to_ascii_uppercase();
    CLEARED.contains(&name.as_str()) || CLEARED_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// A program to run in a private, clean environment. Builds by value (`with_args`, `with_env`,
/// `tenant`, `token`, …), and derefs to its [`Command`], so `.env`, `.stdin`, `.spawn` and the
/// rest work on it as usual.
pub struct Hermetic {
    command: Command,
    home: PathBuf,
    /// The temporary HOME, when the builder made it; dropped (removed) with the builder.
    _own_home: Option<tempfile::TempDir>,
}

impl Hermetic {
    /// The `xc-avatar` binary under test, with a fresh HOME.
    pub fn xc_avatar() -> Self {
        Self::program(xc_avatar_binary())
    }

    /// `program`, with a fresh HOME.
    pub fn program(program: impl AsRef<OsStr>) -> Self {
        let home = tempfile::Builder::new()
            .prefix("xc-avatar-test-home-")
            .tempdir()
            .expect("a temporary HOME");
        let mut hermetic = Self::program_in(program, home.path());
        hermetic._own_home = Some(home);
        hermetic
    }

    /// The `xc-avatar` binary with `home` as HOME: runs that share settings (and a keyring
    /// entry's tenant) pass the same folder.
    pub fn xc_avatar_in(home: &Path) -> Self {
        Self::program_in(xc_avatar_binary(), home)
    }

    /// `program` with `home` as HOME (config, data and cache inside it).
    pub fn program_in(program: impl AsRef<OsStr>, home: &Path) -> Self {
        let mut command = Command::new(program);
        for (name, _) in std::env::vars_os() {
            if is_cleared(&name) {
                command.env_remove(&name);
            }
        }
        command
            .env("HOME", home)
            .env("XC_AVATAR_CONFIG_DIR", home.join("config"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .stdin(Stdio::null());
        Hermetic {
            command,
            home: home.to_path_buf(),
            _own_home: None,
        }
    }

    /// Keeps the user's own HOME: for the OS-keyring test on macOS, whose login keychain is
    /// found through it. The config folder stays private.
    pub fn with_real_home(mut self) -> Self {
        match std::env::var_os("HOME") {
            Some(home) => self.command.env("HOME", home),
            None => self.command.env_remove("HOME"),
        };
        self
    }

    /// `F5XC_API_URL`: the tenant, as a user's environment gives it.
    pub fn tenant(mut self, url: &str) -> Self {
        self.command.env("F5XC_API_URL", url);
        self
    }

    /// `F5XC_API_TOKEN`: the token, as a user's environment gives it.
    pub fn token(mut self, token: &str) -> Self {
        self.command.env("F5XC_API_TOKEN", token);
        self
    }

    pub fn with_args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn with_arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn with_env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    pub fn without_env(mut self, name: impl AsRef<OsStr>) -> Self {
        self.command.env_remove(name);
        self
    }

    /// Every variable in `vars` set on the child.
    pub fn with_envs<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.command.envs(vars);
        self
    }

    /// The child's HOME.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The child's settings folder (`XC_AVATAR_CONFIG_DIR`).
    pub fn config_dir(&self) -> PathBuf {
        self.home.join("config")
    }

    /// Runs it to the end with stdin empty; exit status and output. Killed (and the test
    /// failed) after [`DEADLINE`].
    pub fn output(&mut self) -> Output {
        self.output_with_stdin(b"")
    }

    /// Runs it with `stdin` written to its standard input.
    pub fn output_with_stdin(&mut self, stdin: impl AsRef<[u8]>) -> Output {
        run_with_deadline(&mut self.command, stdin.as_ref(), DEADLINE)
    }
}

impl std::ops::Deref for Hermetic {
    type Target = Command;
    fn deref(&self) -> &Command {
        &self.command
    }
}

impl std::ops::DerefMut for Hermetic {
    fn deref_mut(&mut self) -> &mut Command {
        &mut self.command
    }
}

/// Longest a command of a test may run: every command ends well within it, so reaching it is a
/// hang (the retry waits the tests script are seconds at most).
pub const DEADLINE: Duration = Duration::from_secs(120);

/// Runs `command` with `stdin` piped in; kills it and fails the test after `deadline`.
pub fn run_with_deadline(command: &mut Command, stdin: &[u8], deadline: Duration) -> Output {
    use std::io::{Read as _, Write as _};
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {:?}: {e}", command.get_program()));
    let writer = child.stdin.take().map(|mut input| {
        let stdin = stdin.to_vec();
        // A child that stops reading (it refused the input) closes the pipe: not our failure.
        std::thread::spawn(move || {
            let _ = input.write_all(&stdin);
        })
    });
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn std::io::Read + Send>),
        child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .map(|pipe| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    })
    .collect();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{:?} did not end within {deadline:?}: a hang",
                command.get_program()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let mut outputs = readers
        .into_iter()
        .map(|reader| reader.join().expect("read the child's output"));
    Output {
        status,
        stdout: outputs.next().unwrap_or_default(),
        stderr: outputs.next().unwrap_or_default(),
    }
}
