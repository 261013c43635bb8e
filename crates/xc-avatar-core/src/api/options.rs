//! How long calls may take: each attempt's timeouts, the retries, and a whole command's
//! deadline.

use std::time::{Duration, Instant};

use super::retry::RetryPolicy;

/// Timeouts for every call. Without them a silent server would hang the upload forever.
#[derive(Clone, Copy, Debug)]
pub struct ClientOptions {
    /// Time allowed to open the connection (DNS, TCP, TLS).
    pub connect_timeout: Duration,
    /// Time allowed for one attempt, from sending to the last byte of the answer.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// When the whole of a command must be over, retries and their waits included (the
    /// command line's `--deadline`); `None` for no such limit (the app, whose user can cancel).
    pub deadline: Option<Deadline>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            deadline: None,
        }
    }
}

/// The end of the time a whole command may take, from when it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    started: Instant,
    total: Duration,
}

impl Deadline {
    /// `total` from now.
    pub fn starting_now(total: Duration) -> Self {
        Deadline {
            started: Instant::now(),
            total,
        }
    }

    /// The time the whole command may take.
    pub fn total(&self) -> Duration {
        self.total
    }

    /// What is left of it (zero once it has passed).
    pub fn left(&self) -> Duration {
        self.total.saturating_sub(self.started.elapsed())
    }
}
