//! Arbitrary bytes as a `.p12`: the key-derivation cost check, then p12-keystore, the key and
//! certificate checks. Whatever the bytes, opening ends with a certificate or a
//! `CertificateError`, never a panic or a hang; and since the cost is counted first, no input
//! can make one run derive more than the budget.
#![no_main]

use libfuzzer_sys::fuzz_target;

use xc_avatar_core::credentials::parse_p12;

fuzz_target!(|data: &[u8]| {
    // The password the corpus files are made with, so mutations reach the decrypted parts.
    let _ = parse_p12(data, "correct horse battery staple");
});
