//! `cargo run --example fake-tenant`: run the fake tenant by hand to try xc-avatar without an F5
//! account.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Parser;

use crate::{FakeTenant, User};

#[derive(Parser, Debug)]
#[command(
    name = "fake-tenant",
    about = "A fake F5 Distributed Cloud tenant on loopback, for trying xc-avatar without an account"
)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8700)]
    port: u16,
    /// Loopback address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// API token the fake accepts (as Ada Lovelace on tenant "acme").
    #[arg(long, default_value = "demo-token")]
    token: String,
}

/// Runs until the process is killed, printing one line per request it answers.
pub fn main() {
    let args = Args::parse();
    if !args.bind.is_loopback() {
        eprintln!(
            "fake-tenant: refusing to listen on {}: loopback only",
            args.bind
        );
        std::process::exit(2);
    }
    let tenant = match FakeTenant::start_on(SocketAddr::new(args.bind, args.port)) {
        Ok(tenant) => tenant,
        Err(err) => {
            eprintln!(
                "fake-tenant: cannot listen on {}:{}: {err}",
                args.bind, args.port
            );
            std::process::exit(1);
        }
    };
    tenant.add_token(&args.token, User::ada());
    println!("fake tenant listening on {}", tenant.url());
    println!(
        "try: F5XC_API_URL={} F5XC_API_TOKEN={} xc-avatar",
        tenant.url(),
        args.token
    );
    let mut shown = 0;
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let received = tenant.received();
        for request in &received[shown..] {
            println!("{} {} -> {}", request.method, request.uri, request.status);
            for problem in &request.violations {
                println!("  F5 would refuse this: {problem}");
            }
        }
        shown = received.len();
    }
}
