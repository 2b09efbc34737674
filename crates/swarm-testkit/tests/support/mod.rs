//! A tiny blocking HTTP/1.1 client for the fake engine's tests: it sends one request per
//! connection and decodes `Content-Length` and chunked bodies, so that the tests see exactly
//! what the engine wrote.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;

/// A response as read from the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(have, _)| have.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "body is not JSON ({err}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The daemon's error message.
    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Sends `GET target` to `host` (`tcp://...` or `unix://...`).
pub fn get(host: &str, target: &str) -> Reply {
    request(host, "GET", target).unwrap_or_else(|err| panic!("GET {target}: {err}"))
}

/// Sends one request and reads the whole response; the raw bytes on error are not needed.
pub fn request(host: &str, method: &str, target: &str) -> io::Result<Reply> {
    let raw = exchange(host, method, target)?;
    parse(&raw, method == "HEAD")
}

/// Sends one request and returns every byte the engine wrote until it closed.
pub fn exchange(host: &str, method: &str, target: &str) -> io::Result<Vec<u8>> {
    let message =
        format!("{method} {target} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
    let mut raw = Vec::new();
    if let Some(address) = host.strip_prefix("tcp://") {
        let mut stream = TcpStream::connect(address)?;
        stream.write_all(message.as_bytes())?;
        stream.read_to_end(&mut raw)?;
    } else if let Some(path) = host.strip_prefix("unix://") {
        let mut stream = UnixStream::connect(path)?;
        stream.write_all(message.as_bytes())?;
        stream.read_to_end(&mut raw)?;
    } else {
        return Err(io::Error::other(format!("unsupported host {host}")));
    }
    Ok(raw)
}

/// Splits a raw response into status, headers and decoded body.
pub fn parse(raw: &[u8], head_only: bool) -> io::Result<Reply> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let end = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of head"))?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    if head_only {
        return Ok(reply);
    }
    let body = if reply.header("Transfer-Encoding") == Some("chunked") {
        dechunk(rest).ok_or_else(|| bad("bad chunked body"))?
    } else {
        let length: usize = reply
            .header("Content-Length")
            .and_then(|length| length.parse().ok())
            .ok_or_else(|| bad("no content-length"))?;
        if rest.len() < length {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "body shorter than Content-Length",
            ));
        }
        rest[..length].to_vec()
    };
    Ok(Reply { body, ..reply })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|window| window == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).ok()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// `GET /tasks?filters=...` and the IDs of the tasks returned.
pub fn task_ids(host: &str, filters: &str) -> Vec<String> {
    let reply = get(host, &format!("/v1.41/tasks?filters={}", encode(filters)));
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    ids(&reply.json())
}

/// The `ID`s of a JSON array, sorted.
pub fn ids(array: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = array
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["ID"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}
