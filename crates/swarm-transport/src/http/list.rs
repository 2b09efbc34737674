//! [`Decoding`]: a list body decoded while it arrives, on a thread of its own once it is big.
//!
//! The runtime's thread receives the body (hyper reads the socket, undoes the chunked
//! framing) and hands each chunk to a [`ListDecoder`]. Decoding on that same thread means the
//! socket is not read while an element is parsed: receiving and parsing take turns (a
//! 50,000-task list, 40 MB, spent about a quarter of its time off the CPU; see
//! docs/benchmarks.md). Past [`HANDOFF`] bytes the decoder moves to a blocking thread
//! (`tokio::task::spawn_blocking`) and the chunks follow it in batches over a bounded
//! channel, so that the two overlap on two cores. A small body stays on the runtime's
//! thread: for it the hand-off would cost more than the overlap gains.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use swarm_models::{ListDecoder, Listing, Model};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The bytes decoded on the runtime's thread before the rest goes to a thread of its own.
pub(super) const HANDOFF: usize = 1 << 20;

/// Chunks go to the decoding thread in batches of at least this many bytes: one wake-up of
/// each side per batch, not per chunk.
const BATCH: usize = 256 * 1024;

/// The batches that may wait for the decoding thread: when it is behind, the socket is not
/// read further (the sender waits), so the body is not held twice.
const WAITING_BATCHES: usize = 4;

/// What [`ListDecoder::finish`] gives.
type Finished<T> = Result<Listing<T>, (serde_json::Error, Vec<u8>)>;

/// A list body being decoded, here or on its own thread.
pub(super) struct Decoding<T> {
    state: State<T>,
}

enum State<T> {
    /// Decoding on the caller's thread.
    Here(ListDecoder<T>),
    /// Decoding on a blocking thread, which is sent the chunks and finishes the listing.
    Away {
        batches: mpsc::Sender<Vec<Bytes>>,
        /// The chunks of the next batch, and their bytes.
        batch: Vec<Bytes>,
        batched: usize,
        worker: JoinHandle<Finished<T>>,
    },
    /// Between the two, only while handing over.
    Moving,
}

impl<T: DeserializeOwned + Model + Send + 'static> Decoding<T> {
    /// Nothing received yet.
    pub(super) fn new() -> Self {
        Self {
            state: State::Here(ListDecoder::new()),
        }
    }

    /// The next chunk of the body; waits while [`WAITING_BATCHES`] batches wait for the
    /// decoding thread.
    pub(super) async fn push(&mut self, chunk: Bytes) {
        match &mut self.state {
            State::Here(decoder) => {
                decoder.push(&chunk);
                if decoder.received() >= HANDOFF {
                    self.hand_off();
                }
            }
            // The worker ends only when the sender is dropped (or it panicked, which
            // `finish` reports): a failed send has nowhere else to go.
            State::Away {
                batches,
                batch,
                batched,
                ..
            } => {
                *batched += chunk.len();
                batch.push(chunk);
                if *batched >= BATCH {
                    *batched = 0;
                    drop(batches.send(std::mem::take(batch)).await);
                }
            }
            State::Moving => {}
        }
    }

    /// Moves the decoder to a blocking thread.
    fn hand_off(&mut self) {
        let State::Here(mut decoder) = std::mem::replace(&mut self.state, State::Moving) else {
            return;
        };
        let (batches, mut inbox) = mpsc::channel::<Vec<Bytes>>(WAITING_BATCHES);
        let worker = tokio::task::spawn_blocking(move || {
            while let Some(batch) = inbox.blocking_recv() {
                for chunk in batch {
                    decoder.push(&chunk);
                }
            }
            decoder.finish()
        });
        self.state = State::Away {
            batches,
            batch: Vec::new(),
            batched: 0,
            worker,
        };
    }

    /// The listing, once the whole body was pushed (see [`ListDecoder::finish`]); `None`
    /// when the runtime shut down before the thread decoding it ran.
    pub(super) async fn finish(self) -> Option<Finished<T>> {
        match self.state {
            State::Here(decoder) => Some(decoder.finish()),
            State::Away {
                batches,
                batch,
                worker,
                ..
            } => {
                if !batch.is_empty() {
                    drop(batches.send(batch).await);
                }
                drop(batches);
                match worker.await {
                    Ok(finished) => Some(finished),
                    Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                    Err(_) => None,
                }
            }
            State::Moving => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is a failure
mod tests {
    use super::*;
    use swarm_models::{Task, decode_list};
    use swarm_testkit::history::{HistoryParams, history_body};

    /// `body` pushed in chunks of `size`, and whether the decoding moved to its own thread.
    async fn decode(body: &[u8], size: usize) -> (Finished<Task>, bool) {
        let mut decoding = Decoding::<Task>::new();
        for chunk in body.chunks(size) {
            decoding.push(Bytes::copy_from_slice(chunk)).await;
        }
        let away = matches!(decoding.state, State::Away { .. });
        (decoding.finish().await.unwrap(), away)
    }

    #[tokio::test]
    async fn a_big_list_is_decoded_away_with_the_same_result() {
        let body = history_body(HistoryParams::tasks(2_000)).unwrap();
        assert!(body.len() > HANDOFF + HANDOFF / 2, "{} bytes", body.len());
        let expected = decode_list::<Task>(&body).unwrap();
        let (got, away) = decode(&body, 32 * 1024).await;
        assert!(away, "past {HANDOFF} bytes the decoder moves");
        let got = got.unwrap();
        assert_eq!(got.items, expected.items);
        assert!(
            got.iter()
                .zip(expected.iter())
                .all(|(a, b)| a.as_sent() == b.as_sent())
        );
    }

    #[tokio::test]
    async fn a_small_list_stays_here() {
        let body = history_body(HistoryParams::tasks(20)).unwrap();
        assert!(body.len() < HANDOFF);
        let (got, away) = decode(&body, 1024).await;
        assert!(!away);
        assert_eq!(
            got.unwrap().items,
            decode_list::<Task>(&body).unwrap().items
        );
    }

    #[tokio::test]
    async fn a_big_body_cut_short_comes_back_whole_with_the_error() {
        let body = history_body(HistoryParams::tasks(2_000)).unwrap();
        let cut = &body[..body.len() - 100];
        let (got, away) = decode(cut, 50_000).await;
        assert!(away);
        let (err, back) = got.unwrap_err();
        assert!(err.is_eof(), "{err}");
        assert_eq!(back, cut);
    }
}
