//! `cargo bench`: the avatar pipeline against `vipsthumbnail` on camera-size photos.
//!
//! Whole processes side by side, as a user or script runs them:
//!   xc-avatar prepare IN -o OUT
//!   vipsthumbnail IN -s 512x512 --smartcrop centre -o OUT[Q=85]
//! on a 6000×4000 q90 JPEG with EXIF orientation 6 and an 8000×6000 one; wall time, CPU time
//! and peak RSS per run (wait4 on Unix; Windows reports wall time only), medians of alternating
//! runs. Plus, in process, decode-to-preview
//! of the 24 MP photo (what the app does when a file is dropped).
//!
//! The cost of looking for a face: `prepare` of a 24 MP photo with a face (built from the
//! fixture portrait, `tests/support/scenes.rs`) framed on the face (the default) against
//! `--frame centre`, alternating, and face detection alone in process.
//!
//! Needs `vipsthumbnail` (apt libvips-tools) for the comparison; without it ours still runs.
//! Under `cargo test` (no `--bench` flag) it does nothing, so the test suite stays fast.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "../tests/support/mod.rs"]
mod support;

use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, RgbImage};

const RUNS: usize = 15;
/// What a dropped 24 MP photo may take to show: the app feels instant below it.
const PREVIEW_TARGET: Duration = Duration::from_millis(150);

const PHOTOS: [(u32, u32, Option<u16>, &str); 2] = [
    (6000, 4000, Some(6), "6000×4000 q90, EXIF 6"),
    (8000, 6000, None, "8000×6000 q90"),
];

fn main() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-photos");
    if std::env::args().any(|a| a == "--generate-photos") {
        std::fs::create_dir_all(&dir).expect("bench dir");
        for (width, height, orientation, _) in PHOTOS {
            photo(&dir, width, height, orientation);
        }
        for (name, make) in [
            (
                FACE_PHOTOS[0].0,
                support::scenes::photo_24mp as fn() -> Vec<u8>,
            ),
            (FACE_PHOTOS[1].0, support::scenes::photo_24mp_portrait),
        ] {
            let path = dir.join(name);
            if !path.exists() {
                std::fs::write(&path, make()).expect("write face photo");
            }
        }
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // Generated in a child process: the peak RSS wait4 reports for a child counts its parent's
    // memory at the time of the fork, so this process must stay small.
    let generated = Command::new(std::env::current_exe().expect("own path"))
        .arg("--generate-photos")
        .status()
        .expect("generate photos");
    assert!(generated.success(), "generating the photos failed");
    let photos = PHOTOS.map(|(width, height, _, label)| (photo_path(&dir, width, height), label));
    let vips = Command::new("vipsthumbnail")
        .arg("--version")
        .output()
        .is_ok();
    if !vips {
        println!("vipsthumbnail not found (apt install libvips-tools): measuring ours alone");
    }
    println!(
        "{:<24} {:<14} {:>9} {:>9} {:>9}",
        "photo", "tool", "wall ms", "CPU ms", "peak MiB"
    );
    for (path, label) in &photos {
        let ours_out = dir.join("ours.jpg");
        let mut ours = Command::new(binary());
        ours.arg("prepare")
            .arg(path)
            .arg("-o")
            .arg(&ours_out)
            .env("RUST_LOG", "off");
        let theirs_out = dir.join("vips.jpg");
        let mut theirs = vips.then(|| {
            let mut vips = Command::new("vipsthumbnail");
            vips.arg(path)
                .args(["-s", "512x512", "--smartcrop", "centre", "-o"])
                .arg(format!("{}[Q=85]", theirs_out.display()));
            vips
        });
        let mut ours_runs = Vec::new();
        let mut theirs_runs = Vec::new();
        for _ in 0..RUNS {
            ours_runs.push(run(&mut ours));
            if let Some(theirs) = &mut theirs {
                theirs_runs.push(run(theirs));
            }
        }
        let ours = median(&ours_runs);
        print_row(label, "xc-avatar", &ours);
        if let Some(theirs) = (!theirs_runs.is_empty()).then(|| median(&theirs_runs)) {
            print_row(label, "vipsthumbnail", &theirs);
            let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => format!("{:>8.2}×", a / b),
                _ => format!("{:>9}", "n/a"),
            };
            println!(
                "{:<24} {:<14} {:>8.2}× {} {}",
                label,
                "ratio",
                ours.wall.as_secs_f64() / theirs.wall.as_secs_f64(),
                ratio(ours.cpu_secs(), theirs.cpu_secs()),
                ratio(ours.peak_mib(), theirs.peak_mib()),
            );
        }
        let avatar = image::open(&ours_out).expect("our avatar decodes");
        assert_eq!((avatar.width(), avatar.height()), (512, 512));
    }

    for (name, label) in FACE_PHOTOS {
        cost_of_looking(&dir.join(name), label);
    }

    // Decode-to-preview in process: what the app does when a photo is dropped.
    let bytes = std::fs::read(&photos[0].0).expect("read photo");
    let mut times = Vec::new();
    let mut shown = (0, 0);
    for _ in 0..RUNS {
        let start = Instant::now();
        let source = xc_avatar::avatar::Source::from_bytes(bytes.clone()).expect("loads");
        let (preview, _) = source
            .preview(xc_avatar::avatar::PREVIEW_MAX_SIDE)
            .expect("preview");
        times.push(start.elapsed());
        shown = preview.dimensions();
    }
    times.sort();
    let median = times[RUNS / 2];
    let met = median <= PREVIEW_TARGET;
    println!(
        "decode-to-preview of the 24 MP photo ({}×{}): median {:.0} ms, target ≤ {} ms: {}",
        shown.0,
        shown.1,
        median.as_secs_f64() * 1000.0,
        PREVIEW_TARGET.as_millis(),
        if met { "met" } else { "MISSED" }
    );
    // Compared, not only printed; a miss fails the run where timings mean something (a quiet
    // machine, `XC_AVATAR_BENCH_ENFORCE=1`). Shared CI runners only report it: their timings
    // swing more than the margin, and speed is never a pass/fail test here.
    if !met && std::env::var_os("XC_AVATAR_BENCH_ENFORCE").is_some() {
        std::process::exit(1);
    }
}

/// 24 MP photos with a face (6000×4000): the face 6 % of the long side, left of centre (near
/// the smallest we find: its square needs the full-size decode), and a portrait whose face is a
/// quarter of the long side (its square is sharp from the 1/4-scale decode detection made).
const FACE_PHOTOS: [(&str, &str); 2] = [
    ("face-small-6000x4000.jpg", "24 MP, face 6 %"),
    ("face-portrait-6000x4000.jpg", "24 MP, face 25 %"),
];
/// The target for framing on the face against the centred square, in CPU time.
const LOOKING_TARGET: f64 = 1.5;

/// `prepare` framed on the face (the default) against `--frame centre` on the same photo, as
/// whole processes, alternating; then detection alone in process (preview decode excluded,
/// then included).
fn cost_of_looking(photo: &Path, label: &str) {
    let out = photo.with_file_name("face-out.jpg");
    let prepare = |extra: &[&str]| {
        let mut command = Command::new(binary());
        command
            .arg("prepare")
            .arg(photo)
            .arg("-o")
            .arg(&out)
            .args(extra)
            .env("RUST_LOG", "off");
        command
    };
    let (mut face, mut centre) = (prepare(&[]), prepare(&["--frame", "centre"]));
    let (mut face_runs, mut centre_runs) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        face_runs.push(run(&mut face));
        centre_runs.push(run(&mut centre));
    }
    let (face, centre) = (median(&face_runs), median(&centre_runs));
    print_row(label, "--frame face", &face);
    print_row(label, "--frame centre", &centre);
    if let (Some(a), Some(b)) = (face.cpu_secs(), centre.cpu_secs()) {
        let ratio = a / b;
        println!(
            "{label:<24} {:<14} {:>8.2}× {:>8.2}× {}  (CPU target ≤ {LOOKING_TARGET}×: {})",
            "ratio",
            face.wall.as_secs_f64() / centre.wall.as_secs_f64(),
            ratio,
            match (face.peak_mib(), centre.peak_mib()) {
                (Some(a), Some(b)) => format!("{:>8.2}×", a / b),
                _ => format!("{:>9}", "n/a"),
            },
            if ratio <= LOOKING_TARGET {
                "met"
            } else {
                "MISSED"
            }
        );
    }
    // Detection alone, as the measured binary itself times it (its debug log line).
    let (mut alone, mut decode) = (Vec::new(), Vec::new());
    let mut line = String::new();
    for _ in 0..RUNS {
        let logged = Command::new(binary())
            .arg("prepare")
            .arg(photo)
            .arg("-o")
            .arg(&out)
            .env("RUST_LOG", "xc_avatar_core=debug")
            .env("NO_COLOR", "1")
            .output()
            .expect("run prepare");
        let stderr = String::from_utf8_lossy(&logged.stderr);
        let Some(found) = stderr.lines().find_map(|l| l.split_once("faces: ")) else {
            panic!("no detection line in the log:\n{stderr}");
        };
        line = found.1.to_owned();
        let millis = |after: &str| {
            found
                .1
                .split_once(after)
                .and_then(|(_, rest)| rest.split_whitespace().next()?.parse::<f64>().ok())
        };
        alone.extend(millis(" in "));
        decode.extend(millis(" decode "));
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    println!(
        "{label}: detection alone {:.0} ms, the preview's decode {:.0} ms (medians; last: {line})",
        median(alone),
        median(decode)
    );
}

/// The binary measured: `XC_AVATAR_BENCH_BINARY` (e.g. the shipping build, `target/release/
/// xc-avatar`, while the harness is built quickly with `--profile dev`), else cargo's own.
fn binary() -> PathBuf {
    std::env::var_os("XC_AVATAR_BENCH_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_xc-avatar")))
}

struct Run {
    wall: Duration,
    /// User + system time, where the OS reports it for a child (Unix).
    cpu: Option<Duration>,
    /// Peak resident memory in KiB, where the OS reports it for a child (Unix).
    peak_kib: Option<i64>,
}

impl Run {
    fn cpu_secs(&self) -> Option<f64> {
        self.cpu.map(|d| d.as_secs_f64())
    }

    fn peak_mib(&self) -> Option<f64> {
        self.peak_kib.map(|kib| kib as f64 / 1024.0)
    }
}

fn print_row(label: &str, tool: &str, run: &Run) {
    let or_na = |value: Option<f64>, decimals: usize| match value {
        Some(v) => format!("{v:>9.decimals$}"),
        None => format!("{:>9}", "n/a"),
    };
    println!(
        "{:<24} {:<14} {:>9.0} {} {}",
        label,
        tool,
        run.wall.as_secs_f64() * 1000.0,
        or_na(run.cpu_secs().map(|s| s * 1000.0), 0),
        or_na(run.peak_mib(), 1),
    );
}

fn median(runs: &[Run]) -> Run {
    let pick = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let all = |values: Vec<Option<f64>>| values.into_iter().collect::<Option<Vec<_>>>();
    Run {
        wall: Duration::from_secs_f64(pick(runs.iter().map(|r| r.wall.as_secs_f64()).collect())),
        cpu: all(runs.iter().map(Run::cpu_secs).collect())
            .map(|cpu| Duration::from_secs_f64(pick(cpu))),
        peak_kib: all(runs.iter().map(|r| r.peak_kib.map(|k| k as f64)).collect())
            .map(|peak| pick(peak) as i64),
    }
}

/// Runs `command` to completion; its wall time, and CPU time and peak RSS from `wait4`.
#[cfg(unix)]
fn run(command: &mut Command) -> Run {
    let start = Instant::now();
    // Reaped by wait4 below (std's wait() cannot report rusage).
    #[allow(clippy::zombie_processes)]
    let child = command
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start");
    let pid = i32::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills; the child is ours and not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(reaped, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} failed"
    );
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    // Linux and the BSDs report ru_maxrss in KiB; macOS in bytes.
    let peak_kib = if cfg!(target_os = "macos") {
        usage.ru_maxrss / 1024
    } else {
        usage.ru_maxrss
    };
    Run {
        wall,
        cpu: Some(time(usage.ru_utime) + time(usage.ru_stime)),
        peak_kib: Some(peak_kib as i64),
    }
}

/// Runs `command` to completion; its wall time (Windows has no wait4: CPU time and peak memory
/// of a child would need the Job Object API, not worth it for a comparison made on Linux).
#[cfg(not(unix))]
fn run(command: &mut Command) -> Run {
    let start = Instant::now();
    let status = command
        .stdout(std::process::Stdio::null())
        .status()
        .expect("start");
    let wall = start.elapsed();
    assert!(status.success(), "{command:?} failed");
    Run {
        wall,
        cpu: None,
        peak_kib: None,
    }
}

/// A photo-like JPEG (smooth light, texture at several scales, sensor grain), generated once.
fn photo_path(dir: &Path, width: u32, height: u32) -> PathBuf {
    dir.join(format!("photo-{width}x{height}.jpg"))
}

fn photo(dir: &Path, width: u32, height: u32, orientation: Option<u16>) -> PathBuf {
    let path = photo_path(dir, width, height);
    if path.exists() {
        return path;
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ u64::from(width);
    let mut grain = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 25) as f32 - 12.0
    };
    let (w, h) = (width as f32, height as f32);
    let image = RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / w, y as f32 / h);
        let light = 0.55 + 0.45 * (u * 3.1 + v * 1.7).sin() * (v * 2.3).cos();
        let texture = (x as f32 * 0.031).sin() * (y as f32 * 0.027).cos() * 40.0
            + (x as f32 * 0.23 + y as f32 * 0.19).sin() * 18.0;
        let g = grain();
        let channel = |base: f32| (base * light + texture + g).clamp(0.0, 255.0) as u8;
        image::Rgb([
            channel(200.0),
            channel(150.0 + 60.0 * u),
            channel(110.0 + 90.0 * v),
        ])
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90)
        .write_image(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode photo");
    if let Some(orientation) = orientation {
        bytes = with_exif_orientation(&bytes, orientation);
    }
    std::fs::write(&path, bytes).expect("write photo");
    path
}

/// `jpeg` with an APP1 EXIF segment holding only an orientation, as a phone writes it.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    exif.extend_from_slice(&orientation.to_be_bytes());
    exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}
