//! Runs the fake F5 XC tenant on loopback: `cargo run --example fake-tenant -- --help`.
fn main() {
    fake_tenant::cli::main();
}
