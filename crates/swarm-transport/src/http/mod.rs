//! The Engine API transport: HTTP over a unix socket, TCP or TLS, with reqwest.
//!
//! One [`HttpTransport`] holds one `reqwest::Client`, so connections are reused across
//! calls. The API version is negotiated once, on the first call, from `GET /_ping` and then
//! cached; every request path is prefixed with it (`/v1.41/tasks`). Bodies are read whole
//! (up to a size cap) and parsed with `serde_json::from_slice`. Failures map to the crate's
//! typed [`Error`] (see `errors.rs` and docs/transports.md).

mod api;
pub(crate) mod errors;
mod host;
mod list;
mod logs;
mod tls;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::Url;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

pub use crate::endpoint::DEFAULT_HOST;
pub use crate::tls::TlsConfig;
pub use host::DEFAULT_SOCKET;

use crate::endpoint::{DockerEnv, EndpointOptions, ResolvedEndpoint, resolve_endpoint};
use crate::error::{Error, Result};
use crate::version::ApiVersion;
use errors::Lookup;
use host::Target;

/// Default limit for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default limit for one request, from sending it to the end of the body.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a response body (256 MiB, about 50k tasks with room to spare).
pub const DEFAULT_MAX_BODY_SIZE: u64 = 256 * 1024 * 1024;
/// Default number of concurrent requests of [`crate::Transport::inspect_tasks`].
pub const DEFAULT_INSPECT_CONCURRENCY: usize = 8;
/// Default cap on the requests one transport (and its clones) has in flight at once, across
/// all calls: more wait for a free slot, so a burst never floods the daemon's listen queue.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 8;
/// How often a request that failed before the daemon could read it (`EAGAIN` from a full
/// listen queue, a reset during connect, `EPIPE` on a pooled connection the daemon closed) is
/// tried again, with 20, 40, 80 ... ms between attempts.
pub const CONNECT_RETRIES: u32 = 5;

/// Builds an [`HttpTransport`]; see [`HttpTransport::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct HttpTransportBuilder {
    host: Option<String>,
    tls: Option<TlsConfig>,
    connect_timeout: Duration,
    request_timeout: Duration,
    api_version: Option<String>,
    max_body_size: u64,
    inspect_concurrency: usize,
    display: Option<String>,
    max_idle_connections: Option<usize>,
    max_concurrent_requests: usize,
}

impl Default for HttpTransportBuilder {
    fn default() -> Self {
        Self {
            host: None,
            tls: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            api_version: None,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            inspect_concurrency: DEFAULT_INSPECT_CONCURRENCY,
            display: None,
            max_idle_connections: None,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
        }
    }
}

impl HttpTransportBuilder {
    /// The daemon's address: `unix:///path` (default `unix:///var/run/docker.sock`),
    /// `tcp://HOST:PORT` (plain HTTP, or HTTPS when [`tls`](Self::tls) is set; port 2375 or
    /// 2376 when omitted), `http://...` or `https://...`. `ssh://` and other schemes fail in
    /// [`build`](Self::build) with [`Error::Config`]: use the CLI transport for those.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Use TLS with these settings (default: no TLS).
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Limit for establishing a connection (default 5 s); exceeding it is [`Error::Timeout`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Limit for one request including its whole body (default 30 s); exceeding it is
    /// [`Error::Timeout`].
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Pin the API version (`Some("1.41")`) and skip negotiation; `None` (the default)
    /// negotiates `min(1.47, daemon's)` from `/_ping` on the first call.
    pub fn api_version(mut self, version: Option<String>) -> Self {
        self.api_version = version;
        self
    }

    /// Largest response body accepted (default 256 MiB); a larger one is
    /// [`Error::ResponseTooLarge`] instead of exhausting memory.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// How many requests this transport and its clones have in flight at once, across all
    /// calls (default [`DEFAULT_MAX_CONCURRENT_REQUESTS`], at least 1); more wait for a slot.
    /// Log streams are not counted.
    pub fn max_concurrent_requests(mut self, requests: usize) -> Self {
        self.max_concurrent_requests = requests.max(1);
        self
    }

    /// How many inspect requests [`crate::Transport::inspect_tasks`] runs at once (default 8,
    /// at least 1); the per-transport cap applies on top.
    pub fn inspect_concurrency(mut self, requests: usize) -> Self {
        self.inspect_concurrency = requests.max(1);
        self
    }

    /// Names the endpoint `name` in errors and logs instead of the host (the CLI transport's
    /// relay socket is an implementation detail; its user named an ssh host or a context).
    #[cfg(feature = "cli")]
    pub(crate) fn display_as(mut self, name: String) -> Self {
        self.display = Some(name);
        self
    }

    /// Keeps at most this many idle connections (default: reqwest's, unbounded).
    #[cfg(feature = "cli")]
    pub(crate) fn max_idle_connections(mut self, connections: usize) -> Self {
        self.max_idle_connections = Some(connections);
        self
    }

    /// Checks the settings, loads TLS files and builds the client. No request is sent.
    pub fn build(self) -> Result<HttpTransport> {
        let mut target = host::parse_host(self.host.as_deref().unwrap_or(""), self.tls.is_some())?;
        if let Some(display) = self.display {
            target.display = display;
        }
        let pinned = self
            .api_version
            .as_deref()
            .map(str::parse::<ApiVersion>)
            .transpose()?;
        let mut client = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("swarm-tasks/", env!("CARGO_PKG_VERSION")))
            .no_proxy();
        if let Some(connections) = self.max_idle_connections {
            client = client.pool_max_idle_per_host(connections);
        }
        if let Some(socket) = &target.socket {
            client = unix_socket(client, socket, &target.display)?;
        }
        if let Some(tls) = &self.tls {
            client = tls::tls_settings(client, tls, &target.display)?;
        } else if target.base.scheme() == "http" {
            // Plain HTTP (a unix socket, tcp:// without TLS) never verifies a certificate:
            // an empty root store spares reading the system's (every file of
            // /etc/ssl/certs, several ms at each start of the command).
            client = client.tls_certs_only(Vec::<reqwest::Certificate>::new());
        }
        let client = client.build().map_err(|err| match self.tls {
            Some(_) => Error::Tls {
                endpoint: target.display.clone(),
                message: "cannot set up TLS with the given certificates".to_owned(),
                source: Some(Box::new(err)),
            },
            None => Error::Config {
                message: format!("cannot set up an HTTP client for {}: {err}", target.display),
            },
        })?;
        Ok(HttpTransport {
            inner: Arc::new(Inner {
                target,
                client,
                tls: self.tls.is_some(),
                connect_timeout: self.connect_timeout,
                request_timeout: self.request_timeout,
                max_body_size: self.max_body_size,
                inspect_concurrency: self.inspect_concurrency,
                in_flight: tokio::sync::Semaphore::new(self.max_concurrent_requests),
                pinned,
                negotiated: OnceCell::new(),
                answered: AtomicUsize::new(0),
            }),
        })
    }

    /// The settings of a resolved docker environment (see [`crate::endpoint`]): its host,
    /// its pinned API version and its TLS settings. TLS applies to every host, as for
    /// `docker` (HTTPS through a unix socket too), so a plain `http://` host with TLS
    /// configured fails in [`build`](Self::build) instead of dropping TLS.
    pub fn endpoint(mut self, resolved: &ResolvedEndpoint) -> Self {
        self.host = Some(resolved.host.clone());
        self.api_version.clone_from(&resolved.api_version);
        self.tls.clone_from(&resolved.tls);
        self
    }
}

#[cfg(unix)]
fn unix_socket(
    client: reqwest::ClientBuilder,
    socket: &Path,
    _endpoint: &str,
) -> Result<reqwest::ClientBuilder> {
    Ok(client.unix_socket(socket.to_path_buf()))
}

#[cfg(not(unix))]
fn unix_socket(
    _client: reqwest::ClientBuilder,
    _socket: &Path,
    endpoint: &str,
) -> Result<reqwest::ClientBuilder> {
    Err(Error::Config {
        message: format!("{endpoint}: unix sockets are not available on this platform"),
    })
}

/// The Docker Engine API over HTTP: a unix socket, TCP or TLS.
///
/// Cheap to clone (the connection pool and the negotiated version are shared).
///
/// ```no_run
/// use std::time::Duration;
/// use swarm_transport::{HttpTransport, Transport};
/// use swarm_models::TaskFilter;
///
/// # async fn run() -> swarm_transport::Result<()> {
/// let docker = HttpTransport::builder()
///     .host("tcp://127.0.0.1:2375")
///     .request_timeout(Duration::from_secs(10))
///     .build()?;
/// let running = docker.list_tasks(&TaskFilter::new().service("web")).await?;
/// # let _ = running;
/// let from_env = HttpTransport::from_env()?; // DOCKER_HOST, DOCKER_TLS_VERIFY, ...
/// # let _ = from_env;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct HttpTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    target: Target,
    client: reqwest::Client,
    tls: bool,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body_size: u64,
    inspect_concurrency: usize,
    /// One permit per request in flight (`max_concurrent_requests`).
    in_flight: tokio::sync::Semaphore,
    pinned: Option<ApiVersion>,
    negotiated: OnceCell<Negotiated>,
    /// Responses received (heads of any status), for the CLI transport's timeout message.
    answered: AtomicUsize,
}

/// The version in use, and the daemon's own when we asked it.
#[derive(Debug, Clone, Copy)]
struct Negotiated {
    version: ApiVersion,
    daemon: Option<ApiVersion>,
}

/// A successful (2xx) answer, body read whole.
pub(crate) struct Answer {
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl HttpTransport {
    /// A builder with the defaults: `unix:///var/run/docker.sock`, no TLS, 5 s connect and
    /// 30 s request timeouts, negotiated API version, 256 MiB body cap, 8 concurrent inspects.
    pub fn builder() -> HttpTransportBuilder {
        HttpTransportBuilder::default()
    }

    /// A transport for the daemon `docker` would use here, with its TLS settings and pinned
    /// API version: [`resolve_endpoint`] over the process's environment (`DOCKER_HOST`,
    /// `DOCKER_CONTEXT`, the current context, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`,
    /// `DOCKER_API_VERSION`), then [`HttpTransportBuilder::endpoint`]. `DOCKER_TLS_VERIFY`
    /// without a CA certificate is [`Error::Endpoint`], never a connection without TLS.
    pub fn from_env() -> Result<Self> {
        let resolved = resolve_endpoint(&EndpointOptions::default(), &DockerEnv::from_process())?;
        Self::builder().endpoint(&resolved).build()
    }

    /// How many responses this transport (and its clones) received so far.
    #[cfg(feature = "cli")]
    pub(crate) fn answered(&self) -> usize {
        self.inner.answered.load(Ordering::Relaxed)
    }

    /// The API version in use, negotiating it first if needed.
    pub async fn api_version(&self) -> Result<ApiVersion> {
        Ok(self.negotiated().await?.version)
    }

    async fn negotiated(&self) -> Result<Negotiated> {
        if let Some(version) = self.inner.pinned {
            return Ok(Negotiated {
                version,
                daemon: None,
            });
        }
        self.inner
            .negotiated
            .get_or_try_init(|| self.negotiate())
            .await
            .copied()
    }

    /// `GET /_ping`, read `Api-Version`; without that header, `GET /version`'s `ApiVersion`;
    /// without either, the oldest version we speak.
    async fn negotiate(&self) -> Result<Negotiated> {
        let ping = self
            .get(self.url(None, &["_ping"]), None)
            .await
            .map_err(|error| self.not_docker(error, "/_ping"))?;
        let header = header_api_version(&ping.headers);
        let daemon = match header {
            Some(version) => Some(version),
            None => {
                let version: serde_json::Value = self
                    .get_json(self.url(None, &["version"]), None)
                    .await
                    .map_err(|error| self.not_docker(error, "/version"))?;
                version
                    .get("ApiVersion")
                    .and_then(serde_json::Value::as_str)
                    .and_then(ApiVersion::parse)
            }
        };
        let version = ApiVersion::negotiate(
            &self.inner.target.display,
            daemon.unwrap_or(ApiVersion::MIN),
        )?;
        tracing::debug!(endpoint = %self.inner.target.display, %version, ?daemon, "negotiated the Engine API version");
        Ok(Negotiated { version, daemon })
    }

    /// A 404 or 405 where every Docker Engine answers means the server is something else.
    fn not_docker(&self, error: Error, path: &str) -> Error {
        match error {
            Error::Daemon { status, .. } if status == 404 || status == 405 => Error::NotDockerApi {
                endpoint: self.inner.target.display.clone(),
                path: path.to_owned(),
                status,
            },
            other => other,
        }
    }

    /// The URL of `segments` (each percent-encoded whole: a `/`, `?`, `#`, `%`, space, tab or
    /// newline in an id stays in its segment, exactly), prefixed with `/vX.Y` when given.
    /// (`Url::path_segments_mut` would drop tabs and newlines, and `.` and `..` segments;
    /// callers refuse those two ids before building a URL.)
    fn url(&self, version: Option<ApiVersion>, segments: &[&str]) -> Url {
        /// Everything but unreserved characters is encoded.
        const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        let mut url = self.inner.target.base.clone();
        let mut path = url.path().trim_end_matches('/').to_owned();
        if let Some(version) = version {
            path.push_str(&format!("/v{version}"));
        }
        for segment in segments {
            path.push('/');
            path.extend(percent_encoding::utf8_percent_encode(segment, SEGMENT));
        }
        url.set_path(&path);
        url
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        lookup: Option<Lookup<'_>>,
    ) -> Result<T> {
        self.get_decoded(url, lookup, |body| serde_json::from_slice(body))
            .await
    }

    /// Sends a GET and decodes the body with `decode` (for models,
    /// `swarm_models::decode_list` or `decode_one`, which keep each object's text as sent).
    async fn get_decoded<T>(
        &self,
        url: Url,
        lookup: Option<Lookup<'_>>,
        decode: fn(&[u8]) -> serde_json::Result<T>,
    ) -> Result<T> {
        let label = request_label(&url);
        let answer = self.get(url, lookup).await?;
        decode(&answer.body).map_err(|err| {
            Error::decode(
                format!("{} {label}", self.inner.target.display),
                &answer.body,
                err,
            )
        })
    }

    /// A GET whose body is a JSON array, decoded element by element while it arrives
    /// (`swarm_models::ListDecoder`): elements that do not decode are failures of the listing
    /// (logged), not of the call.
    async fn get_list<T: DeserializeOwned + swarm_models::Model + Send + 'static>(
        &self,
        url: Url,
    ) -> Result<swarm_models::Listing<T>> {
        let label = request_label(&url);
        let finished = self
            .exchange(url, async |mut response: reqwest::Response, label: &str| {
                let status = response.status();
                if !status.is_success() {
                    let body = self.read_body(response, label).await?;
                    return Err(self.status_error(label, status, &body, None));
                }
                // Parsing overlaps the transfer (on a thread of its own once the body is
                // big: `list::Decoding`); the decoder keeps the body as the objects' text
                // instead of a copy: one body in memory, not two.
                let mut decoding = list::Decoding::<T>::new();
                let mut read = 0;
                while let Some(chunk) = self.next_chunk(&mut response, &mut read, label).await? {
                    decoding.push(chunk).await;
                }
                decoding.finish().await.ok_or_else(|| Error::Config {
                    message: format!(
                        "{} {label}: the runtime shut down while the list was decoded",
                        self.inner.target.display
                    ),
                })
            })
            .await?;
        let listing = finished.map_err(|(err, body)| {
            Error::decode(format!("{} {label}", self.inner.target.display), &body, err)
        })?;
        self.log_failures(&label, &listing.failures);
        Ok(listing)
    }

    /// A list body decoded element by element (`swarm_models::decode_list`); only a body
    /// that is not a JSON array fails, as [`Error::Decode`]. The fuzz entry points use it on
    /// borrowed bodies; lists from the daemon go through `decode_list_owned`.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn decode_listing<T: DeserializeOwned + swarm_models::Model>(
        &self,
        label: &str,
        body: &[u8],
    ) -> Result<swarm_models::Listing<T>> {
        let listing = swarm_models::decode_list(body).map_err(|err| {
            Error::decode(format!("{} {label}", self.inner.target.display), body, err)
        })?;
        self.log_failures(label, &listing.failures);
        Ok(listing)
    }

    /// One warning per element of a list that did not decode.
    fn log_failures(&self, label: &str, failures: &[swarm_models::ItemFailure]) {
        for failure in failures {
            tracing::warn!(endpoint = %self.inner.target.display, request = %label, %failure, "an element of the list does not decode");
        }
    }

    /// Sends a GET and reads the whole body within the request timeout; error statuses
    /// become typed errors.
    async fn get(&self, url: Url, lookup: Option<Lookup<'_>>) -> Result<Answer> {
        self.exchange(url, async |response: reqwest::Response, label: &str| {
            self.answer(response, label, lookup).await
        })
        .await
    }

    /// Sends a GET (waiting for a slot of the transport's bound first, trying again when the
    /// connection failed before anything was sent) and hands the response to `read`, all
    /// within the request timeout.
    async fn exchange<R>(
        &self,
        url: Url,
        read: impl AsyncFnOnce(reqwest::Response, &str) -> Result<R>,
    ) -> Result<R> {
        let inner = &self.inner;
        let label = request_label(&url);
        // Waiting for a slot is not part of the request's own time limit.
        let _permit = inner.in_flight.acquire().await.map_err(|_| Error::Config {
            message: format!("{}: the request limiter was closed", inner.target.display),
        })?;
        tracing::debug!(endpoint = %inner.target.display, request = %label, "sending");
        let exchange = async {
            let mut attempt = 0;
            let response = loop {
                match inner.client.get(url.clone()).send().await {
                    Ok(response) => break response,
                    Err(err)
                        if attempt < CONNECT_RETRIES && errors::failed_before_sending(&err) =>
                    {
                        attempt += 1;
                        tracing::debug!(endpoint = %inner.target.display, request = %label, attempt, error = %err, "connection failed before sending; trying again");
                        tokio::time::sleep(Duration::from_millis(10 << attempt)).await;
                    }
                    Err(err) => return Err(self.transport_error(err)),
                }
            };
            inner.answered.fetch_add(1, Ordering::Relaxed);
            read(response, &label).await
        };
        tokio::time::timeout(inner.request_timeout, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(Error::Timeout {
                    endpoint: inner.target.display.clone(),
                    after: inner.request_timeout,
                })
            })
    }

    /// Sends a GET and returns the response once its head arrived (within the request
    /// timeout), leaving the body to be streamed; an error status is read whole and mapped
    /// like [`HttpTransport::get`] maps it.
    async fn get_streaming(
        &self,
        url: Url,
        lookup: Option<Lookup<'_>>,
    ) -> Result<reqwest::Response> {
        let inner = &self.inner;
        let label = request_label(&url);
        tracing::debug!(endpoint = %inner.target.display, request = %label, "sending (streamed answer)");
        let exchange = async {
            let response = inner
                .client
                .get(url)
                .send()
                .await
                .map_err(|err| self.transport_error(err))?;
            inner.answered.fetch_add(1, Ordering::Relaxed);
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let body = self.read_body(response, &label).await?;
            Err(self.status_error(&label, status, &body, lookup))
        };
        tokio::time::timeout(inner.request_timeout, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(Error::Timeout {
                    endpoint: inner.target.display.clone(),
                    after: inner.request_timeout,
                })
            })
    }

    /// What a response comes to: its body read whole within the size cap, and an error status
    /// mapped to a typed error (`errors::from_status`).
    pub(crate) async fn answer(
        &self,
        response: reqwest::Response,
        label: &str,
        lookup: Option<Lookup<'_>>,
    ) -> Result<Answer> {
        let status = response.status();
        let headers = response.headers().clone();
        let body = self.read_body(response, label).await?;
        if !status.is_success() {
            return Err(self.status_error(label, status, &body, lookup));
        }
        Ok(Answer { headers, body })
    }

    /// The typed error of an answer with an error status (`errors::from_status`).
    fn status_error(
        &self,
        label: &str,
        status: reqwest::StatusCode,
        body: &[u8],
        lookup: Option<Lookup<'_>>,
    ) -> Error {
        errors::from_status(
            &self.inner.target.display,
            label,
            status.as_u16(),
            body,
            lookup,
        )
    }

    /// The whole body, within the size cap.
    async fn read_body(&self, mut response: reqwest::Response, label: &str) -> Result<Vec<u8>> {
        let announced = response.content_length().unwrap_or(0);
        let mut body = Vec::with_capacity(usize::try_from(announced.min(1 << 20)).unwrap_or(0));
        let mut read = 0;
        while let Some(chunk) = self.next_chunk(&mut response, &mut read, label).await? {
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The next chunk of the body as it arrives, `None` at its end; `read` counts the bytes
    /// so far. A body over the size cap (as announced, or as it comes) is
    /// [`Error::ResponseTooLarge`], and nothing more is read.
    async fn next_chunk(
        &self,
        response: &mut reqwest::Response,
        read: &mut u64,
        label: &str,
    ) -> Result<Option<bytes::Bytes>> {
        let limit = self.inner.max_body_size;
        let too_large = || Error::ResponseTooLarge {
            endpoint: format!("{} {label}", self.inner.target.display),
            limit,
        };
        if *read == 0 && response.content_length().unwrap_or(0) > limit {
            return Err(too_large());
        }
        let chunk = response
            .chunk()
            .await
            .map_err(|err| self.transport_error(err))?;
        if let Some(chunk) = &chunk {
            *read += chunk.len() as u64;
            if *read > limit {
                return Err(too_large());
            }
        }
        Ok(chunk)
    }

    fn transport_error(&self, err: reqwest::Error) -> Error {
        let inner = &self.inner;
        errors::from_reqwest(&inner.target.display, inner.tls, inner.connect_timeout, err)
    }
}

/// The `Api-Version` header of `/_ping`, when it is a `MAJOR.MINOR` version.
pub(crate) fn header_api_version(headers: &reqwest::header::HeaderMap) -> Option<ApiVersion> {
    headers
        .get("api-version")
        .and_then(|value| value.to_str().ok())
        .and_then(ApiVersion::parse)
}

/// `GET /v1.41/tasks` (the query is left out: it can be long).
fn request_label(url: &Url) -> String {
    format!("GET {}", url.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_versioned_and_encoded() {
        let transport = HttpTransport::builder()
            .host("tcp://127.0.0.1:2375")
            .build()
            .unwrap();
        let version = ApiVersion::new(1, 41);
        assert_eq!(
            transport.url(None, &["_ping"]).as_str(),
            "http://127.0.0.1:2375/_ping"
        );
        assert_eq!(
            transport.url(Some(version), &["tasks"]).as_str(),
            "http://127.0.0.1:2375/v1.41/tasks"
        );
        let url = transport.url(Some(version), &["tasks", "a/b?c d"]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:2375/v1.41/tasks/a%2Fb%3Fc%20d"
        );
        // Tabs, newlines, NUL and `%` stay in the segment, encoded.
        let odd = transport.url(Some(version), &["tasks", "a\tb\nc\0d%2e;$(x)"]);
        assert_eq!(
            odd.as_str(),
            "http://127.0.0.1:2375/v1.41/tasks/a%09b%0Ac%00d%252e%3B%24%28x%29"
        );
        assert_eq!(request_label(&url), "GET /v1.41/tasks/a%2Fb%3Fc%20d");
        let based = HttpTransport::builder()
            .host("tcp://h:1/base/")
            .build()
            .unwrap();
        assert_eq!(
            based.url(Some(version), &["info"]).as_str(),
            "http://h:1/base/v1.41/info"
        );
        let unix = HttpTransport::builder().build().unwrap();
        assert_eq!(
            unix.url(Some(version), &["nodes"]).as_str(),
            "http://localhost/v1.41/nodes"
        );
        assert_eq!(unix.inner.target.display, DEFAULT_HOST);
    }

    #[test]
    fn builder_rejects_bad_settings() {
        let err = HttpTransport::builder()
            .host("ssh://me@box")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        let err = HttpTransport::builder()
            .api_version(Some("latest".into()))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        let pinned = HttpTransport::builder()
            .api_version(Some("1.41".into()))
            .build()
            .unwrap();
        assert_eq!(pinned.inner.pinned, Some(ApiVersion::new(1, 41)));
    }

    #[test]
    fn resolved_environment_sets_host_version_and_tls() {
        let certs = tempfile::tempdir().unwrap();
        std::fs::write(certs.path().join("ca.pem"), "not a certificate").unwrap();
        let env = DockerEnv::default()
            .with_var("DOCKER_HOST", "tcp://10.0.0.1:2376")
            .with_var("DOCKER_TLS_VERIFY", "1")
            .with_var("DOCKER_CERT_PATH", certs.path().to_string_lossy())
            .with_var("DOCKER_API_VERSION", "1.40");
        let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
        let builder = HttpTransport::builder().endpoint(&resolved);
        assert_eq!(builder.host.as_deref(), Some("tcp://10.0.0.1:2376"));
        assert_eq!(builder.api_version.as_deref(), Some("1.40"));
        assert_eq!(builder.tls, resolved.tls);
        assert!(
            builder.tls.as_ref().is_some_and(|tls| tls.verify),
            "verification is on"
        );
        // The TLS files are loaded at build: a bad CA file is a TLS error, not plain HTTP.
        let err = builder.build().unwrap_err();
        assert!(matches!(&err, Error::Tls { .. }), "{err:?}");
        // A plain http:// host with TLS configured is refused rather than used without TLS.
        let env = env.with_var("DOCKER_HOST", "http://10.0.0.1:2375");
        let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
        let err = HttpTransport::builder()
            .endpoint(&resolved)
            .build()
            .unwrap_err();
        assert!(matches!(&err, Error::Config { .. }), "{err:?}");
        // Through a unix socket it is HTTPS too, as for docker.
        let env = env.with_var("DOCKER_HOST", "unix:///tmp/docker.sock");
        let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
        assert_eq!(
            HttpTransport::builder().endpoint(&resolved).tls,
            resolved.tls
        );
    }
}
