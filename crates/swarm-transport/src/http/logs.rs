//! `GET /tasks/{id}/logs` and `GET /services/{id}/logs`: the request, and the body handed to
//! the shared log decoder (`crate::logs`) as it arrives.
//!
//! The head of the answer must arrive within the request timeout. The body then has no
//! total limit; without `follow` the wait for each next chunk is bounded by the request
//! timeout, and a followed stream waits as long as the task stays quiet.

use futures::Stream;

use super::HttpTransport;
use super::errors::Lookup;
use crate::error::{Error, ObjectKind, Result};
use crate::logs::{Framing, LogDecoder, LogOptions, LogStream, LogTarget, decode_stream};

impl HttpTransport {
    pub(super) async fn get_logs(
        &self,
        target: &LogTarget,
        options: &LogOptions,
    ) -> Result<LogStream> {
        let (kind, route) = match target {
            LogTarget::Task(_) => (ObjectKind::Task, "tasks"),
            LogTarget::Service(_) => (ObjectKind::Service, "services"),
        };
        let id = target.id();
        if matches!(id, "" | "." | "..") {
            // As path segments these would name another route.
            return Err(Error::NotFound {
                kind,
                id: id.to_owned(),
            });
        }
        let version = self.negotiated().await?.version;
        let mut url = self.url(Some(version), &[route, id, "logs"]);
        {
            let mut query = url.query_pairs_mut();
            for (key, value) in options.query_pairs() {
                query.append_pair(key, &value);
            }
        }
        let endpoint = format!("{} GET {}", self.inner.target.display, url.path());
        let response = self.get_streaming(url, Some(Lookup { kind, id })).await?;
        let framing = framing(response.headers());
        let decoder = LogDecoder::new(framing, options);
        let settings = crate::logs::StreamSettings {
            endpoint,
            idle_timeout: (!options.follow).then_some(self.inner.request_timeout),
        };
        Ok(decode_stream(self.body_chunks(response), decoder, settings))
    }

    /// The body's chunks as they arrive, failures mapped to this crate's errors.
    fn body_chunks(
        &self,
        response: reqwest::Response,
    ) -> impl Stream<Item = Result<Vec<u8>>> + Send + 'static {
        let transport = self.clone();
        futures::stream::unfold(Some(response), move |response| {
            let transport = transport.clone();
            async move {
                let mut response = response?;
                match response.chunk().await {
                    Ok(Some(chunk)) => Some((Ok(chunk.to_vec()), Some(response))),
                    Ok(None) => None,
                    Err(err) => Some((Err(transport.transport_error(err)), None)),
                }
            }
        })
    }
}

/// The framing the daemon announced (API 1.42+: `application/vnd.docker.multiplexed-stream`
/// or `application/vnd.docker.raw-stream`); older daemons say nothing, so detect it.
fn framing(headers: &reqwest::header::HeaderMap) -> Framing {
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if content_type.contains("multiplexed-stream") {
        Framing::Multiplexed
    } else if content_type.contains("raw-stream") {
        Framing::Raw
    } else {
        Framing::Detect
    }
}
