//! [`TaskStreamExt`]: adapters for watch streams, and [`StreamBackoff`], the pacing layer.
//!
//! A watch yields errors as items and carries on; how long to wait after an error is a
//! separate decision, made here: [`StreamBackoff`] holds the next poll back after each `Err`
//! (exponentially longer while errors repeat), forgets the delay at the first `Ok`, and can
//! end the stream after a number of consecutive errors.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::Stream;
use tokio::time::Sleep;

use super::watch::TaskEvent;
use crate::error::Result;

/// How long [`StreamBackoff`] waits after consecutive errors: `initial`, then multiplied by
/// `factor` after each further error, at most `max`; after `max_retries` consecutive errors
/// (if set) the stream ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The delay after the first error. Default: 500 ms.
    pub initial: Duration,
    /// The growth per further error. Default: 2.
    pub factor: f64,
    /// The longest delay. Default: 30 s.
    pub max: Duration,
    /// End the stream after this many consecutive errors. Default: never.
    pub max_retries: Option<u32>,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            factor: 2.0,
            max: Duration::from_secs(30),
            max_retries: None,
        }
    }
}

impl Backoff {
    /// The delay after the `n_errors`-th consecutive error (1-based).
    pub fn delay(&self, n_errors: u32) -> Duration {
        let exponent = i32::try_from(n_errors.saturating_sub(1)).unwrap_or(i32::MAX);
        let scaled = self.initial.as_secs_f64() * self.factor.max(1.0).powi(exponent);
        if !scaled.is_finite() || scaled >= self.max.as_secs_f64() {
            self.max
        } else {
            Duration::from_secs_f64(scaled)
        }
    }
}

/// A stream that pauses after each `Err` item before asking its inner stream for more; see
/// [`TaskStreamExt::backoff`].
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct StreamBackoff<S> {
    inner: Pin<Box<S>>,
    policy: Backoff,
    n_errors: u32,
    sleep: Option<Pin<Box<Sleep>>>,
    done: bool,
}

impl<S> StreamBackoff<S> {
    /// Wraps `inner` with `policy`.
    pub fn new(inner: S, policy: Backoff) -> Self {
        Self {
            inner: Box::pin(inner),
            policy,
            n_errors: 0,
            sleep: None,
            done: false,
        }
    }
}

impl<S, T, E> Stream for StreamBackoff<S>
where
    S: Stream<Item = std::result::Result<T, E>>,
{
    type Item = std::result::Result<T, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(sleep) = this.sleep.as_mut() {
            ready!(sleep.as_mut().poll(cx));
            this.sleep = None;
        }
        let item = ready!(this.inner.as_mut().poll_next(cx));
        match &item {
            Some(Ok(_)) => this.n_errors = 0,
            Some(Err(_)) => {
                this.n_errors = this.n_errors.saturating_add(1);
                if this
                    .policy
                    .max_retries
                    .is_some_and(|max| this.n_errors > max)
                {
                    this.done = true;
                } else {
                    let delay = this.policy.delay(this.n_errors);
                    this.sleep = Some(Box::pin(tokio::time::sleep(delay)));
                }
            }
            None => this.done = true,
        }
        Poll::Ready(item)
    }
}

/// Adapters for streams of `Result<TaskEvent>` (what [`Client::watch`](crate::Client::watch)
/// returns), in the manner of kube-runtime's `WatchStreamExt`.
pub trait TaskStreamExt: Stream + Sized {
    /// Pauses after errors with [`Backoff::default`] (500 ms doubling to 30 s, never giving
    /// up), so a watch rides out a daemon restart without spinning.
    fn default_backoff(self) -> StreamBackoff<Self> {
        StreamBackoff::new(self, Backoff::default())
    }

    /// Pauses after errors with the given policy.
    fn backoff(self, policy: Backoff) -> StreamBackoff<Self> {
        StreamBackoff::new(self, policy)
    }

    /// Only the state changes (and errors): drops `Initial`, `Added`, `Removed` and `Synced`.
    fn state_changes(self) -> impl Stream<Item = Result<TaskEvent>> + Send
    where
        Self: Stream<Item = Result<TaskEvent>> + Send,
    {
        futures::StreamExt::filter(self, |item| {
            std::future::ready(
                !matches!(item, Ok(event) if !matches!(event, TaskEvent::StateChanged(_))),
            )
        })
    }

    /// Only the events of tasks of one service (by ID), plus errors and `Synced` markers.
    fn for_service(
        self,
        service_id: impl Into<String>,
    ) -> impl Stream<Item = Result<TaskEvent>> + Send
    where
        Self: Stream<Item = Result<TaskEvent>> + Send,
    {
        let service_id = service_id.into();
        futures::StreamExt::filter(self, move |item| {
            let keep = match item {
                Ok(event) => event
                    .task()
                    .is_none_or(|task| task.service_id.as_deref() == Some(service_id.as_str())),
                Err(_) => true,
            };
            std::future::ready(keep)
        })
    }
}

impl<S: Stream> TaskStreamExt for S {}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    #[test]
    fn delays_grow_and_stop_at_the_max() {
        let policy = Backoff::default();
        assert_eq!(policy.delay(1), Duration::from_millis(500));
        assert_eq!(policy.delay(2), Duration::from_secs(1));
        assert_eq!(policy.delay(20), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn pauses_after_an_error_only() {
        let items: Vec<std::result::Result<u8, &str>> = vec![Ok(1), Err("down"), Ok(2), Ok(3)];
        let mut stream = futures::stream::iter(items).default_backoff();
        let start = tokio::time::Instant::now();
        assert_eq!(stream.next().await, Some(Ok(1)));
        assert_eq!(stream.next().await, Some(Err("down")));
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert!(futures::poll!(stream.next()).is_pending());
        assert_eq!(stream.next().await, Some(Ok(2)));
        assert_eq!(start.elapsed(), Duration::from_millis(500));
        assert_eq!(stream.next().await, Some(Ok(3)));
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_retries() {
        let items: Vec<std::result::Result<u8, &str>> = vec![Err("a"), Err("b"), Ok(1)];
        let policy = Backoff {
            max_retries: Some(1),
            ..Backoff::default()
        };
        let collected: Vec<_> = futures::stream::iter(items).backoff(policy).collect().await;
        assert_eq!(collected, [Err("a"), Err("b")]);
    }
}
