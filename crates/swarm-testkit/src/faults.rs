//! Writing the broken answers of [`Fault`]: error statuses, bad JSON, truncated and huge
//! bodies. Kept apart from the normal path so that the engine's loop stays readable.

use std::io;

use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::fault::Fault;
use crate::http::{self, Response};

/// Answers with `fault`; `normal` builds the answer the request would have had. Returns
/// whether the connection can carry another request.
pub(crate) async fn answer<W: AsyncWrite + Unpin>(
    writer: &mut W,
    fault: &Fault,
    normal: impl FnOnce() -> Response,
    head_only: bool,
    keep_alive: bool,
) -> io::Result<bool> {
    match fault {
        Fault::Status {
            code,
            json_body: true,
        } => {
            let response = Response::error(*code, "fake engine: injected failure");
            http::write_response(writer, &response, head_only, keep_alive).await?;
            Ok(keep_alive)
        }
        Fault::Status {
            code,
            json_body: false,
        } => {
            let page = format!(
                "<html>\r\n<head><title>{code} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>{code} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            );
            let response = Response {
                status: *code,
                headers: vec![("Content-Type", "text/html".to_owned())],
                body: std::sync::Arc::new(page.into_bytes()),
            };
            http::write_response(writer, &response, head_only, keep_alive).await?;
            Ok(keep_alive)
        }
        Fault::Malformed => {
            let body = MALFORMED.as_bytes().to_vec();
            let response = Response::json_bytes(200, body);
            http::write_response(writer, &response, head_only, keep_alive).await?;
            Ok(keep_alive)
        }
        Fault::Truncated => {
            let response = normal();
            let full = response.body.len();
            http::write_head(writer, &response, Some(full), false).await?;
            writer.write_all(&response.body[..full / 2]).await?;
            writer.flush().await?;
            Ok(false)
        }
        Fault::IncompleteJson => {
            let mut response = normal();
            let half = response.body.len() / 2;
            std::sync::Arc::make_mut(&mut response.body).truncate(half.max(1));
            http::write_response(writer, &response, head_only, keep_alive).await?;
            Ok(keep_alive)
        }
        Fault::Oversized(size) => {
            write_oversized(writer, *size, keep_alive).await?;
            Ok(keep_alive)
        }
        Fault::StallAfterHeaders => {
            let response = normal();
            http::write_head(writer, &response, Some(response.body.len()), keep_alive).await?;
            writer.flush().await?;
            // The engine's connection task ends this wait when the engine stops.
            std::future::pending().await
        }
        Fault::Bandwidth(bytes_per_second) => {
            let response = normal();
            write_paced(writer, &response, head_only, keep_alive, *bytes_per_second).await?;
            Ok(keep_alive)
        }
        // Latency, resets and not-a-manager states are handled by the engine itself.
        Fault::Latency(_) | Fault::ResetConnection | Fault::NotManager(_) => {
            let response = normal();
            http::write_response(writer, &response, head_only, keep_alive).await?;
            Ok(keep_alive)
        }
    }
}

/// Writes `response` with its `Content-Length`, the body in pieces of a hundredth of a
/// second's worth (1 to 64 KiB), each one sent once the rate allows it.
async fn write_paced<W: AsyncWrite + Unpin>(
    writer: &mut W,
    response: &Response,
    head_only: bool,
    keep_alive: bool,
    bytes_per_second: u64,
) -> io::Result<()> {
    http::write_head(writer, response, Some(response.body.len()), keep_alive).await?;
    if head_only {
        return writer.flush().await;
    }
    let started = tokio::time::Instant::now();
    let mut sent = 0u64;
    let piece_size = usize::try_from(bytes_per_second / 100)
        .unwrap_or(usize::MAX)
        .clamp(1024, 64 * 1024);
    for piece in response.body.chunks(piece_size) {
        writer.write_all(piece).await?;
        writer.flush().await?;
        sent += piece.len() as u64;
        let due = std::time::Duration::from_secs_f64(sent as f64 / bytes_per_second.max(1) as f64);
        tokio::time::sleep_until(started + due).await;
    }
    Ok(())
}

/// A task list whose third line has a syntax error (an unquoted string).
const MALFORMED: &str = "[\n  {\"ID\": \"k4b7d3x9q2w8e5r1t6y0u3i7o\", \"Version\": {\"Index\": 12},\n   \"Status\": {\"State\": running, \"Message\": \"started\"}}\n]";

/// Streams a valid JSON array of task copies, exactly `size` bytes long (at least `[]`).
async fn write_oversized<W: AsyncWrite + Unpin>(
    writer: &mut W,
    size: usize,
    keep_alive: bool,
) -> io::Result<()> {
    let size = size.max(2);
    let response = Response::json_bytes(200, Vec::new());
    http::write_head(writer, &response, Some(size), keep_alive).await?;
    let element = OVERSIZED_TASK.as_bytes();
    let mut written = 0;
    writer.write_all(b"[").await?;
    written += 1;
    let mut first = true;
    let mut buffer = Vec::with_capacity(64 * 1024);
    // Elements while they fit, then spaces as padding before the closing bracket.
    while written + element.len() + 2 <= size {
        if !first {
            buffer.push(b',');
            written += 1;
        }
        first = false;
        buffer.extend_from_slice(element);
        written += element.len();
        if buffer.len() >= 60 * 1024 {
            writer.write_all(&buffer).await?;
            buffer.clear();
        }
    }
    writer.write_all(&buffer).await?;
    let padding = size - written - 1;
    let spaces = vec![b' '; padding.min(64 * 1024)];
    let mut remaining = padding;
    while remaining > 0 {
        let n_bytes = remaining.min(spaces.len());
        writer.write_all(&spaces[..n_bytes]).await?;
        remaining -= n_bytes;
    }
    writer.write_all(b"]").await?;
    writer.flush().await
}

const OVERSIZED_TASK: &str = r#"{"ID":"k4b7d3x9q2w8e5r1t6y0u3i7o","Version":{"Index":12},"CreatedAt":"2026-11-20T09:00:01.123456789Z","UpdatedAt":"2026-11-20T09:00:31.5Z","Labels":{},"Spec":{"ContainerSpec":{"Image":"busybox:1.36","Init":false,"DNSConfig":{},"Isolation":"default"},"Resources":{"Limits":{},"Reservations":{}},"Placement":{},"ForceUpdate":0},"ServiceID":"p0l9k8j7h6g5f4d3s2a1q0w9e","Slot":1,"NodeID":"m1n2b3v4c5x6z7l8k9j0h1g2f","Status":{"Timestamp":"2026-11-20T09:00:31.5Z","State":"running","Message":"started","ContainerStatus":{"ContainerID":"","PID":1,"ExitCode":0},"PortStatus":{}},"DesiredState":"running"}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn oversized_body_is_exact_and_valid() {
        for size in [2, 10, 700, 100_000] {
            let mut out = Vec::new();
            write_oversized(&mut out, size, true).await.unwrap();
            let text = String::from_utf8(out).unwrap();
            let (_, body) = text.split_once("\r\n\r\n").unwrap();
            assert_eq!(body.len(), size);
            let parsed: Vec<serde_json::Value> = serde_json::from_str(body).unwrap();
            assert_eq!(parsed.is_empty(), size < 700);
        }
    }

    #[test]
    fn malformed_is_not_json() {
        assert!(serde_json::from_str::<serde_json::Value>(MALFORMED).is_err());
        assert!(serde_json::from_str::<serde_json::Value>(OVERSIZED_TASK).is_ok());
    }
}
