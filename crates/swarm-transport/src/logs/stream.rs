//! Runs a [`LogDecoder`] over a stream of received byte chunks, for every transport.

use std::time::Duration;

use futures::{Stream, StreamExt};

use super::{LogDecoder, LogLine, LogStream};
use crate::error::{Error, Result};

/// What the decoding stream needs besides its input.
#[derive(Debug, Clone)]
pub(crate) struct StreamSettings {
    /// The endpoint and request, for errors.
    pub endpoint: String,
    /// The longest wait for the next chunk; `None` to wait as long as it takes (a followed
    /// stream of a quiet task).
    pub idle_timeout: Option<Duration>,
}

/// Lines decoded from `chunks` as they arrive. A failure of `chunks` or of the decoder ends
/// the stream with one `Err`, after every line decoded before it.
pub(crate) fn decode_stream<S, B>(
    chunks: S,
    decoder: LogDecoder,
    settings: StreamSettings,
) -> LogStream
where
    S: Stream<Item = Result<B>> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    let state = State {
        chunks: Box::pin(chunks),
        decoder,
        settings,
        failure: None,
        done: false,
    };
    Box::pin(futures::stream::unfold(state, next))
}

struct State<S> {
    chunks: std::pin::Pin<Box<S>>,
    decoder: LogDecoder,
    settings: StreamSettings,
    /// An error to deliver once the lines decoded before it are out.
    failure: Option<Error>,
    done: bool,
}

async fn next<S, B>(mut state: State<S>) -> Option<(Result<LogLine>, State<S>)>
where
    S: Stream<Item = Result<B>>,
    B: AsRef<[u8]>,
{
    loop {
        if let Some(line) = state.decoder.next_line() {
            return Some((Ok(line), state));
        }
        if let Some(err) = state.failure.take() {
            state.done = true;
            return Some((Err(err), state));
        }
        if state.done {
            return None;
        }
        let received = match state.settings.idle_timeout {
            Some(limit) => match tokio::time::timeout(limit, state.chunks.next()).await {
                Ok(received) => received,
                Err(_) => Some(Err(Error::Timeout {
                    endpoint: state.settings.endpoint.clone(),
                    after: limit,
                })),
            },
            None => state.chunks.next().await,
        };
        let decoded = match received {
            Some(Ok(chunk)) => state.decoder.push(chunk.as_ref()),
            Some(Err(err)) => {
                state.failure = Some(err);
                Ok(())
            }
            None => {
                state.done = true;
                state.decoder.finish()
            }
        };
        if let Err(decode) = decoded {
            state.failure = Some(Error::LogStream {
                endpoint: state.settings.endpoint.clone(),
                source: decode,
            });
        }
    }
}
