//! A minimal HTTP/1.1 server side: read a request, write a response.
//!
//! Hand-rolled rather than axum/hyper because fault injection has to break the framing on
//! purpose (a body shorter than its `Content-Length`, a connection closed mid-answer), which a
//! correct HTTP library refuses to do. It supports what Docker clients send: a request line,
//! headers, an optional `Content-Length` body, keep-alive. Like Go's `net/http` (and so the
//! daemon), it frames small bodies with `Content-Length` and larger ones with chunked encoding,
//! as one chunk written as dockerd writes it (see [`write_response`]).

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The longest request head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Go's `net/http` buffers this much before it switches a response to chunked encoding.
const CHUNKING_THRESHOLD: usize = 2048;

/// A parsed request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    /// The path, percent-decoded.
    pub path: String,
    /// The raw query string (after `?`), if any.
    pub query: Option<String>,
    pub keep_alive: bool,
}

impl Request {
    /// The decoded value of a query parameter (`application/x-www-form-urlencoded`, as Go's
    /// `url.Query` reads it: `+` is a space).
    pub(crate) fn query_param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }

    /// A boolean query parameter as the daemon reads it (`1`, `true`, `True`, ...).
    pub(crate) fn query_bool(&self, name: &str) -> bool {
        self.query_param(name)
            .is_some_and(|value| matches!(value.to_ascii_lowercase().as_str(), "1" | "true"))
    }
}

/// Reads one request; `Ok(None)` when the client closed the connection between requests.
pub(crate) async fn read_request<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> io::Result<Option<Request>> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n_read = reader.read_until(b'\n', &mut head).await?;
        if n_read == 0 {
            if head.is_empty() {
                return Ok(None);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "request head cut short",
            ));
        }
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too large",
            ));
        }
        let line = &head[before..];
        if (line == b"\r\n" || line == b"\n") && before > 0 {
            break;
        }
        if before == 0 && (line == b"\r\n" || line == b"\n") {
            // Tolerate empty lines before the request line (RFC 9112 section 2.2).
            head.clear();
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target), Some(protocol)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad request line",
        ));
    };
    let mut content_length = 0_usize;
    let mut connection = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value
                .parse()
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?;
        } else if name.eq_ignore_ascii_case("connection") {
            connection = Some(value.to_ascii_lowercase());
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "chunked request bodies",
            ));
        }
    }
    // Bodies are never needed by the read-only routes; read and drop them.
    let mut body = reader.take(content_length as u64);
    tokio::io::copy(&mut body, &mut tokio::io::sink()).await?;
    let keep_alive = match connection.as_deref() {
        Some("close") => false,
        Some("keep-alive") => true,
        _ => protocol.eq_ignore_ascii_case("HTTP/1.1"),
    };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (target, None),
    };
    Ok(Some(Request {
        method: method.to_owned(),
        // A path decodes `%XX` only: `+` is a plus sign there, unlike in a query.
        path: percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .into_owned(),
        query,
        keep_alive,
    }))
}

/// A response to write.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    /// Shared, so that a body the engine keeps (a task list) is sent without a copy.
    pub body: Arc<Vec<u8>>,
}

impl Response {
    /// A JSON body, followed by a newline as Go's `json.Encoder` writes it.
    pub(crate) fn json_bytes(status: u16, mut body: Vec<u8>) -> Self {
        body.push(b'\n');
        Self::json_shared(status, Arc::new(body))
    }

    /// A JSON body that already ends with its newline, shared with whoever keeps it.
    pub(crate) fn json_shared(status: u16, body: Arc<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", "application/json".to_owned())],
            body,
        }
    }

    /// A JSON value.
    pub(crate) fn json(status: u16, value: &impl serde::Serialize) -> Self {
        Self::json_bytes(status, serde_json::to_vec(value).unwrap_or_default())
    }

    /// The daemon's error object `{"message":"..."}`.
    pub(crate) fn error(status: u16, message: &str) -> Self {
        Self::json(status, &serde_json::json!({ "message": message }))
    }

    /// A plain-text body.
    pub(crate) fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".to_owned())],
            body: Arc::new(body.as_bytes().to_vec()),
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Writes the status line and headers; `length` `None` means chunked.
pub(crate) async fn write_head<W: AsyncWrite + Unpin>(
    writer: &mut W,
    response: &Response,
    length: Option<usize>,
    keep_alive: bool,
) -> io::Result<()> {
    writer
        .write_all(head_text(response, length, keep_alive).as_bytes())
        .await
}

/// The status line and headers; `length` `None` means chunked.
fn head_text(response: &Response, length: Option<usize>, keep_alive: bool) -> String {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let date = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .format("%a, %d %b %Y %H:%M:%S GMT");
    head.push_str(&format!("Date: {date}\r\n"));
    match length {
        Some(length) => head.push_str(&format!("Content-Length: {length}\r\n")),
        None => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head
}

/// Writes a whole response framed as Go frames it; `head_only` for `HEAD` requests.
///
/// The head goes out in the same write as the start of the body, as Go's buffered writer
/// sends it: a client reading the head finds the first bytes of the body with it.
pub(crate) async fn write_response<W: AsyncWrite + Unpin>(
    writer: &mut W,
    response: &Response,
    head_only: bool,
    keep_alive: bool,
) -> io::Result<()> {
    if head_only {
        write_head(writer, response, Some(0), keep_alive).await?;
    } else if response.body.len() <= CHUNKING_THRESHOLD {
        let mut whole = head_text(response, Some(response.body.len()), keep_alive).into_bytes();
        whole.extend_from_slice(&response.body);
        writer.write_all(&whole).await?;
    } else {
        // As dockerd sends a JSON answer (`strace` of dockerd 20.10): its encoder hands the
        // whole body to one `Write`, so the body is one chunk. Go's connection writer sends
        // the head, the chunk's size line and the start of the body in one write of
        // `GO_WRITE_BUFFER` bytes, then the rest of the body in one write, then the chunk's
        // CRLF with the last chunk.
        let mut first = head_text(response, None, keep_alive).into_bytes();
        first.extend_from_slice(format!("{:x}\r\n", response.body.len()).as_bytes());
        let start = GO_WRITE_BUFFER
            .saturating_sub(first.len())
            .min(response.body.len());
        first.extend_from_slice(&response.body[..start]);
        writer.write_all(&first).await?;
        if start < response.body.len() {
            writer.write_all(&response.body[start..]).await?;
        }
        writer.write_all(b"\r\n0\r\n\r\n").await?;
    }
    writer.flush().await
}

/// The size of the buffered writer of a Go `net/http` connection.
const GO_WRITE_BUFFER: usize = 4096;

/// Writes one chunk of a chunked body.
pub(crate) async fn write_chunk<W: AsyncWrite + Unpin>(
    writer: &mut W,
    chunk: &[u8],
) -> io::Result<()> {
    writer
        .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
        .await?;
    writer.write_all(chunk).await?;
    writer.write_all(b"\r\n").await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parses_a_request_with_query_and_body() {
        let raw = b"GET /v1.41/tasks?filters=%7B%22service%22%3A%5B%22web%22%5D%7D HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /_ping HTTP/1.0\r\n\r\n";
        let mut reader = tokio::io::BufReader::new(&raw[..]);
        let first = read_request(&mut reader).await.unwrap().unwrap();
        assert_eq!(first.path, "/v1.41/tasks");
        assert_eq!(
            first.query_param("filters").as_deref(),
            Some(r#"{"service":["web"]}"#)
        );
        assert!(first.keep_alive);
        let second = read_request(&mut reader).await.unwrap().unwrap();
        assert_eq!(second.path, "/_ping");
        assert!(!second.keep_alive);
        assert!(read_request(&mut reader).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn plus_survives_in_paths_and_is_a_space_in_queries() {
        let raw = b"GET /v1.41/tasks/web+1%20x%zz?filters=a+b%2Bc HTTP/1.1\r\n\r\n";
        let mut reader = tokio::io::BufReader::new(&raw[..]);
        let request = read_request(&mut reader).await.unwrap().unwrap();
        assert_eq!(request.path, "/v1.41/tasks/web+1 x%zz");
        assert_eq!(request.query_param("filters").as_deref(), Some("a b+c"));
    }

    /// A writer that keeps each write apart.
    #[derive(Default)]
    struct Writes(Vec<Vec<u8>>);

    impl AsyncWrite for Writes {
        fn poll_write(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<io::Result<usize>> {
            self.0.push(buf.to_vec());
            std::task::Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn the_head_goes_out_with_the_start_of_the_body() {
        let mut writes = Writes::default();
        let body: Vec<u8> = (0..100_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let response = Response::json_bytes(200, body.clone());
        write_response(&mut writes, &response, false, true)
            .await
            .unwrap();
        // As dockerd: head, size line and start of the body in Go's 4 KiB, the rest of the
        // body in one write, then the end of the one chunk and the last chunk.
        assert_eq!(writes.0.len(), 3, "head with the start, the rest, the end");
        assert_eq!(writes.0[0].len(), GO_WRITE_BUFFER);
        let first = String::from_utf8(writes.0[0].clone()).unwrap();
        assert!(first.starts_with("HTTP/1.1 200 OK\r\n"), "{first:.40}");
        // The body with the encoder's newline, as one chunk.
        assert_eq!(response.body.len(), body.len() + 1);
        let size_line = format!("\r\n\r\n{:x}\r\n", response.body.len());
        let (_, start) = first.split_once(&size_line).unwrap();
        let mut sent = start.as_bytes().to_vec();
        sent.extend_from_slice(&writes.0[1]);
        assert_eq!(sent, *response.body, "the whole body, once, in order");
        assert_eq!(writes.0[2], b"\r\n0\r\n\r\n");
        let mut writes = Writes::default();
        write_response(&mut writes, &Response::text(200, "OK"), false, true)
            .await
            .unwrap();
        assert_eq!(writes.0.len(), 1, "a small answer is one write");
        assert!(writes.0[0].ends_with(b"\r\n\r\nOK"));
    }

    #[tokio::test]
    async fn large_bodies_are_chunked() {
        let mut out = Vec::new();
        let response = Response::json_bytes(200, vec![b'x'; 5000]);
        write_response(&mut out, &response, false, true)
            .await
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Transfer-Encoding: chunked"));
        assert!(text.ends_with("0\r\n\r\n"));
        let mut out = Vec::new();
        write_response(&mut out, &Response::text(200, "OK"), false, true)
            .await
            .unwrap();
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains("Content-Length: 2")
        );
    }
}
