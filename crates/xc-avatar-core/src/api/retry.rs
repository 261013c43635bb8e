//! When and how long to wait before trying a call again.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::ApiError;

/// Retries for answers that say "not now": 429, 503 and 504.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (3: up to 4 attempts in all).
    pub max_retries: u32,
    /// First backoff when the server gives no `Retry-After`; doubled each time (2, 4, 8 s).
    pub base_delay: Duration,
    /// Longest wait we accept, whatever `Retry-After` says.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries: the first answer is final.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// How long to wait before attempt `next_attempt` (2 for the first retry), or `None` when
    /// `error` is final or the attempts are used up.
    pub fn delay_before(&self, next_attempt: u32, error: &ApiError) -> Option<Duration> {
        if next_attempt > self.max_retries + 1 {
            return None;
        }
        let server_asked = match error {
            ApiError::RateLimited { retry_after, .. } => *retry_after,
            ApiError::Server {
                status: 503 | 504,
                retry_after,
                ..
            } => *retry_after,
            _ => return None,
        };
        let wait = server_asked.unwrap_or_else(|| self.backoff(next_attempt));
        Some(wait.min(self.max_delay))
    }

    /// base × 2^(retry − 1), with ±20 % jitter so many clients do not retry in step.
    fn backoff(&self, next_attempt: u32) -> Duration {
        let retry = next_attempt.saturating_sub(2).min(16);
        let nominal = self.base_delay.saturating_mul(1 << retry);
        nominal.mul_f64(0.8 + 0.4 * fastrand::f64())
    }
}

/// `Retry-After` in either form: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_str(value).expect("header value"),
        );
        headers
    }

    fn rate_limited(retry_after: Option<u64>) -> ApiError {
        ApiError::RateLimited {
            retry_after: retry_after.map(Duration::from_secs),
            server_text: None,
        }
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after(&headers("7"), now),
            Some(Duration::from_secs(7))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&headers(&later), now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&headers(&past), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(&headers("soon"), now), None);
        assert_eq!(parse_retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn server_wait_is_honoured_and_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay_before(2, &rate_limited(Some(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            policy.delay_before(2, &rate_limited(Some(3600))),
            Some(Duration::from_secs(120))
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stops_after_three_retries() {
        let policy = RetryPolicy::default();
        for (attempt, nominal) in [(2, 2.0), (3, 4.0), (4, 8.0)] {
            let wait = policy
                .delay_before(attempt, &rate_limited(None))
                .expect("retried")
                .as_secs_f64();
            assert!(
                (nominal * 0.8..=nominal * 1.2).contains(&wait),
                "attempt {attempt}: {wait} s"
            );
        }
        assert_eq!(policy.delay_before(5, &rate_limited(None)), None);
        assert_eq!(
            RetryPolicy::none().delay_before(2, &rate_limited(None)),
            None
        );
    }

    #[test]
    fn only_not_now_answers_are_retried() {
        let policy = RetryPolicy::default();
        let server = |status| ApiError::Server {
            status,
            retry_after: None,
            server_text: None,
        };
        assert!(policy.delay_before(2, &server(503)).is_some());
        assert!(policy.delay_before(2, &server(504)).is_some());
        assert_eq!(policy.delay_before(2, &server(500)), None);
        assert_eq!(
            policy.delay_before(2, &ApiError::Unauthorized { server_text: None }),
            None
        );
    }
}
