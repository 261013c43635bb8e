//! Tests whose code under test reads the process environment in-process (the TLS verifier reads
//! `SSL_CERT_FILE`; reqwest reads the proxy variables) run again in a child process of their
//! own test binary, with that environment made on the child: cleared as for every program a
//! test starts ([`super::command`]), plus what the test sets. Never `std::env::set_var` in a
//! test binary whose other tests run in parallel threads.

use std::ffi::OsStr;
use std::path::PathBuf;

use super::command::{DEADLINE, Hermetic, run_with_deadline};

/// Set on the child: the name of the test it is to run.
const CHILD: &str = "XC_AVATAR_TEST_CHILD";

/// Whether this process is the child running `test`.
pub fn is_child(test: &str) -> bool {
    std::env::var_os(CHILD).as_deref() == Some(OsStr::new(test))
}

/// In the parent, runs the test named `test` (its path in the test binary) again in a child
/// with a clean environment plus `env`, and fails with the child's output unless it passed;
/// returns `false` (the parent's test then returns). In the child, returns `true` at once: the
/// test goes on there.
///
/// ```ignore
/// if !support::child::in_clean_child("my_test", &[]) { return; }
/// ```
pub fn in_clean_child(test: &str, env: &[(&str, &OsStr)]) -> bool {
    if is_child(test) {
        return true;
    }
    let this = std::env::current_exe().expect("this test binary");
    let mut child = Hermetic::program(this)
        .with_args([test, "--exact", "--nocapture", "--include-ignored"])
        .with_env(CHILD, test)
        .with_envs(env.iter().copied());
    let output = run_with_deadline(&mut child, b"", DEADLINE);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{test} failed in its child:\n{said}"
    );
    // The child ran exactly this test (a wrong name would pass having run nothing).
    assert!(
        said.contains("test result: ok. 1 passed"),
        "{test} did not run in its child:\n{said}"
    );
    false
}

/// [`in_clean_child`] with `SSL_CERT_FILE` naming a file the test writes its CA to before it
/// makes a client: in the child, that path; in the parent, `None` once the child passed.
///
/// ```ignore
/// let Some(ca_file) = support::child::with_ssl_cert_file("my_test") else { return };
/// ```
pub fn with_ssl_cert_file(test: &str) -> Option<PathBuf> {
    if is_child(test) {
        let file = std::env::var_os("SSL_CERT_FILE").expect("SSL_CERT_FILE, set by the parent");
        return Some(PathBuf::from(file));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let ca_file = dir.path().join("ca.pem");
    in_clean_child(test, &[("SSL_CERT_FILE", ca_file.as_os_str())]);
    None
}
