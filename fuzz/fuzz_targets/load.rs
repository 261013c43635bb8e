//! Arbitrary bytes through what a dropped file goes through: header probe, preview, render.
//! Decoder panics abort here (libFuzzer's hook) even though the app turns them into errors, so
//! the fuzzer finds them; crashes found are kept as regression tests in tests/avatar.rs.
#![no_main]

use libfuzzer_sys::fuzz_target;

use xc_avatar_core::avatar;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = avatar::Source::from_bytes(data.to_vec()) else {
        return;
    };
    let (width, height) = source.size();
    // Keep each run short: big-but-valid headers are the limits' job, tested elsewhere.
    if u64::from(width) * u64::from(height) > 4_000_000 {
        return;
    }
    let _ = source.preview(256);
    let output = avatar::Output {
        size: 64,
        ..avatar::Output::default()
    };
    let _ = avatar::render(&source, &avatar::Framing::new(source.size()), &output);
});
