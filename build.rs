//! Records the commit the binary is built from, for `xc-avatar --version`
//! ("xc-avatar 0.1.0 (commit 1a2b3c4d5e6f)"), and on Windows embeds the icon in the .exe.
//!
//! The commit comes from `XC_AVATAR_COMMIT` when set (a build from a source tarball), else from
//! `git`; with neither, the version is printed alone. Nothing here fails the build.
//!
//! Two packages run it: xc-avatar-app (the library, which prints the version) and xc-avatar (the
//! binary: the icon, and the linker flag of `fold_identical_code`).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_owned())
}

fn main() {
    println!("cargo:rerun-if-env-changed=XC_AVATAR_COMMIT");
    let commit = match std::env::var("XC_AVATAR_COMMIT") {
        Ok(commit) if !commit.trim().is_empty() => Some(commit.trim().to_owned()),
        _ => {
            // Rebuild when HEAD moves: HEAD itself, the branch it points to, packed refs.
            for path in ["HEAD", "packed-refs"] {
                if let Some(p) = git(&["rev-parse", "--git-path", path]) {
                    println!("cargo:rerun-if-changed={p}");
                }
            }
            if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
                && let Some(p) = git(&["rev-parse", "--git-path", &branch])
            {
                println!("cargo:rerun-if-changed={p}");
            }
            git(&["rev-parse", "--short=12", "HEAD"])
        }
    };
    let version = env!("CARGO_PKG_VERSION");
    let long = match commit {
        Some(commit) => format!("{version} (commit {commit})"),
        None => version.to_owned(),
    };
    println!("cargo:rustc-env=XC_AVATAR_VERSION={long}");

    // The rest is the binary's (xc-avatar-app, the library, runs this script too).
    if std::env::var("CARGO_PKG_NAME").as_deref() == Ok("xc-avatar") {
        fold_identical_code();
        #[cfg(windows)]
        windows_icon();
    }
}

/// Release builds for x86-64 Linux: the linker folds functions whose machine code is identical
/// (`--icf=all`; the same generic code instantiated for several types), 0.19 MiB of the shipping
/// binary (README "Packaging"). rustc links this target with its bundled LLD since Rust 1.90 (our
/// rust-version is 1.95), and LLD knows the flag. Rust code does not rely on distinct function
/// addresses: rustc asks MSVC's linker for the same folding (`/OPT:ICF`) in every optimised
/// Windows build. Skipped when a linker is chosen by hand (it might be GNU ld, which lacks it).
fn fold_identical_code() {
    let var = |name| std::env::var(name).unwrap_or_default();
    let release = var("PROFILE") == "release";
    let own_linker = std::env::var_os("RUSTC_LINKER").is_some()
        || var("CARGO_ENCODED_RUSTFLAGS").contains("linker");
    if release && var("TARGET") == "x86_64-unknown-linux-gnu" && !own_linker {
        println!("cargo:rustc-link-arg-bins=-Wl,--icf=all");
    }
}

/// The icon Explorer, the taskbar and the Start menu show for xc-avatar.exe.
#[cfg(windows)]
fn windows_icon() {
    println!("cargo:rerun-if-changed=assets/icons/xc-avatar.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let mut res = winresource::WindowsResource::new();
    res.set_icon("assets/icons/xc-avatar.ico");
    if let Err(err) = res.compile() {
        println!("cargo:warning=the icon was not embedded in the .exe: {err}");
    }
}
