//! A real window of the real binary under an X server (Xvfb in CI), driven with xdotool and
//! seen through ImageMagick's screenshots: shared by the smoke and real-wiring tests.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use image::RgbImage;

/// Longest any one wait for the window may take: starting, drawing, a request on loopback.
pub const WAIT: Duration = Duration::from_secs(60);

/// A running app, killed if the test fails half way; its stderr in a file, if it was given one.
pub struct Running(pub Child, pub Option<std::path::PathBuf>);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    pub fn new(child: Child) -> Self {
        Running(child, None)
    }

    /// An app whose stderr goes to `log`: a failure quotes it.
    pub fn logged(child: Child, log: &Path) -> Self {
        Running(child, Some(log.to_path_buf()))
    }

    /// What the app printed on stderr so far, for a failure message.
    pub fn said(&self) -> String {
        self.1
            .as_ref()
            .and_then(|log| std::fs::read_to_string(log).ok())
            .unwrap_or_default()
    }

    /// Waits up to [`WAIT`] for the app to exit by itself; its exit code.
    pub fn wait_for_exit(&mut self, what: &str) -> Option<i32> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.0.try_wait().expect("wait for xc-avatar") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Runs a tool (xdotool, import) to the end; its trimmed stdout when it succeeded.
pub fn run(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Polls `probe` until it finds something, failing the test after [`WAIT`] or when the app
/// exits first.
pub fn wait_until<T>(what: &str, app: &mut Running, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(found) = probe() {
            return found;
        }
        if let Ok(Some(status)) = app.0.try_wait() {
            panic!(
                "xc-avatar exited ({status}) while waiting for {what}; it said:\n{}",
                app.said()
            );
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; the app said:\n{}",
            app.said()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The id of the app's window (its title starts with "xc-avatar").
pub fn find_window(app: &mut Running) -> String {
    wait_until("the window", app, || {
        run("xdotool", &["search", "--name", "^xc-avatar"])
            .and_then(|ids| ids.lines().last().map(str::to_owned))
    })
}

pub fn screenshot(window: &str, path: &Path) -> Option<RgbImage> {
    run("import", &["-window", window, path.to_str()?])?;
    image::open(path).ok().map(|i| i.to_rgb8())
}

/// Pixels near `want` in `after` that were not near it in `before` (same window size).
pub fn newly_near(before: &RgbImage, after: &RgbImage, want: [u8; 3]) -> usize {
    let near = |p: &image::Rgb<u8>| {
        p.0.iter()
            .zip(want)
            .all(|(g, w)| (i16::from(*g) - i16::from(w)).abs() <= 24)
    };
    if before.dimensions() != after.dimensions() {
        return 0;
    }
    before
        .pixels()
        .zip(after.pixels())
        .filter(|(b, a)| near(a) && !near(b))
        .count()
}
