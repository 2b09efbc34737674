//! Entry points for the fuzz targets in `fuzz/` and this crate's property and regression
//! tests (feature `fuzzing`). Not a stable API.
//!
//! Each one runs the code a transport runs on outside data, without a daemon or a `docker`
//! binary: the CLI transport's reading of `docker`'s stderr, the HTTP transport's handling of
//! a response (status, headers and body as reqwest hands them over; reqwest and hyper parse
//! the bytes of the head, which is theirs to fuzz), and the snapshot folder reader.

use std::path::Path;

use swarm_models::{Listing, Task};

use crate::error::{Error, ObjectKind, Result};
use crate::snapshot::{
    INFO_FILE, LOGS_FILE, NODES_FILE, SERVICES_FILE, Snapshot, SnapshotInfo, TASKS_FILE,
    VERSION_FILE,
};
use crate::version::ApiVersion;

/// The endpoint the entry points below put in their errors.
pub const ENDPOINT: &str = "tcp://127.0.0.1:9";

/// What the CLI transport makes of a failed `docker` command's whole stderr.
pub fn classify_cli_stderr(stderr: &str, exit_code: Option<i32>) -> Error {
    crate::cli::stderr::classify(
        stderr,
        crate::cli::stderr::ErrorContext {
            endpoint: ENDPOINT,
            command: "docker service ls",
            exit_code,
        },
    )
}

/// What the CLI transport makes of one stderr line of `docker inspect`: the not-found or
/// ambiguous error it names, if it is one.
pub fn cli_object_failure(line: &str, kind: ObjectKind) -> Option<Error> {
    crate::cli::stderr::object_failure(line, kind).map(|failure| failure.into_error(kind))
}

/// The snapshot folder files, in the order [`split_snapshot`] takes them from its input.
pub const SNAPSHOT_FILES: [&str; 6] = [
    INFO_FILE,
    VERSION_FILE,
    TASKS_FILE,
    SERVICES_FILE,
    NODES_FILE,
    LOGS_FILE,
];

/// Splits `input` at NUL bytes (which no JSON text holds) into the contents of
/// [`SNAPSHOT_FILES`]; a file without a part is absent.
pub fn split_snapshot(input: &[u8]) -> Vec<(&'static str, &[u8])> {
    SNAPSHOT_FILES
        .into_iter()
        .zip(input.split(|byte| *byte == 0))
        .collect()
}

/// Empties `dir`, writes the files of [`split_snapshot`] into it and reads it with
/// [`Snapshot::read`]. Only a failure to write the files is an `Err` of the outer result.
pub fn read_snapshot_parts(dir: &Path, input: &[u8]) -> std::io::Result<Result<Snapshot>> {
    for name in SNAPSHOT_FILES {
        match std::fs::remove_file(dir.join(name)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    }
    for (name, bytes) in split_snapshot(input) {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(Snapshot::read(dir))
}

/// A response as the fuzz input gives it: `STATUS\n`, header lines `Name: value\n`, an empty
/// line, then the body. `\r\n` works too. A status outside 100..=999 is 200; header lines that
/// are not a valid name and value are left out (hyper would refuse them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The headers, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// Splits a fuzz input into status, headers and body.
    pub fn parse(input: &[u8]) -> Self {
        let mut rest = input;
        let next_line = |rest: &mut &[u8]| -> Option<Vec<u8>> {
            if rest.is_empty() {
                return None;
            }
            let end = rest
                .iter()
                .position(|byte| *byte == b'\n')
                .unwrap_or(rest.len());
            let line = rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]);
            let line = line.to_vec();
            *rest = rest.get(end + 1..).unwrap_or_default();
            Some(line)
        };
        let status = next_line(&mut rest)
            .and_then(|line| std::str::from_utf8(&line).ok()?.trim().parse::<u16>().ok())
            .filter(|status| (100..=999).contains(status))
            .unwrap_or(200);
        let mut headers = Vec::new();
        while let Some(line) = next_line(&mut rest) {
            if line.is_empty() {
                break;
            }
            let Some(colon) = line.iter().position(|byte| *byte == b':') else {
                continue;
            };
            let Ok(name) = std::str::from_utf8(&line[..colon]) else {
                continue;
            };
            let value = line[colon + 1..].trim_ascii().to_vec();
            headers.push((name.trim().to_owned(), value));
        }
        Self {
            status,
            headers,
            body: rest.to_vec(),
        }
    }

    /// The response as reqwest hands it to the transport.
    fn into_response(self) -> reqwest::Response {
        let mut response = http::Response::new(self.body);
        if let Ok(status) = http::StatusCode::from_u16(self.status) {
            *response.status_mut() = status;
        }
        for (name, value) in self.headers {
            let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_bytes(&value),
            ) else {
                continue;
            };
            response.headers_mut().append(name, value);
        }
        reqwest::Response::from(response)
    }
}

/// What the HTTP transport read from one response, as each of its calls would read it.
#[derive(Debug)]
pub struct HttpReading {
    /// The `Api-Version` header, as `/_ping` negotiation reads it.
    pub api_version: Option<ApiVersion>,
    /// The body as a task list (`GET /tasks`).
    pub tasks: Result<Listing<Task>>,
    /// The body as `GET /info`, when it is JSON.
    pub info: Option<SnapshotInfo>,
    /// The body's length.
    pub body_len: usize,
}

/// An HTTP transport that never connects, and a runtime to drive it, for feeding it
/// responses made up by a fuzzer.
#[derive(Debug)]
pub struct HttpHarness {
    transport: crate::HttpTransport,
    runtime: tokio::runtime::Runtime,
}

impl HttpHarness {
    /// A harness whose transport refuses bodies over `max_body_size` bytes.
    pub fn new(max_body_size: u64) -> Result<Self> {
        let transport = crate::HttpTransport::builder()
            .host(ENDPOINT)
            .api_version(Some("1.41".to_owned()))
            .max_body_size(max_body_size)
            .build()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| Error::Config {
                message: format!("cannot start a runtime: {err}"),
            })?;
        Ok(Self { transport, runtime })
    }

    /// Runs the transport's handling of `response` (size cap, error status to typed error),
    /// then reads a successful body as each call does. `lookup` is the task id of an
    /// inspect, if the response answers one.
    pub fn read(&self, response: RawResponse, lookup: Option<&str>) -> Result<HttpReading> {
        let lookup = lookup.map(|id| crate::http::errors::Lookup {
            kind: ObjectKind::Task,
            id,
        });
        let label = "GET /v1.41/tasks";
        let answer = self.runtime.block_on(self.transport.answer(
            response.into_response(),
            label,
            lookup,
        ))?;
        let info = serde_json::from_slice(&answer.body)
            .ok()
            .map(|info| SnapshotInfo::from_json(&info, None));
        Ok(HttpReading {
            api_version: crate::http::header_api_version(&answer.headers),
            tasks: self.transport.decode_listing(label, &answer.body),
            info,
            body_len: answer.body.len(),
        })
    }
}

/// The properties each fuzz target checks on one input, shared with the regression tests
/// that replay the inputs the fuzzers found. Each panics when a property does not hold.
pub mod checks {
    use std::path::Path;

    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::value::RawValue;
    use swarm_models::{Listing, Model, Node, Service, Task, TaskFilter, fidelity};

    use super::{HttpHarness, RawResponse, classify_cli_stderr, cli_object_failure};
    use crate::error::{Error, ObjectKind};
    use crate::snapshot::Snapshot;

    /// The elements of a JSON array body, when it is one.
    fn elements(body: &[u8]) -> Option<Vec<&RawValue>> {
        serde_json::from_str(std::str::from_utf8(body).ok()?).ok()
    }

    /// A listing accounts for every element of `body` exactly once, failures in order.
    fn accounts_for_every_element<T>(listing: &Listing<T>, body: &[u8]) -> Vec<usize> {
        let Some(elements) = elements(body) else {
            panic!("a listing comes from a body that is a JSON array");
        };
        assert_eq!(
            listing.items.len() + listing.failures.len(),
            elements.len(),
            "every element is an item or a failure"
        );
        let indexes: Vec<usize> = listing.failures.iter().map(|f| f.index).collect();
        assert!(indexes.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(indexes.iter().all(|index| *index < elements.len()));
        (0..elements.len())
            .filter(|index| !indexes.contains(index))
            .collect()
    }

    /// [`swarm_models::ListDecoder`] fed the body in chunks (their size taken from the input)
    /// gives what [`swarm_models::decode_list`] gives for it whole.
    fn chunked_like_whole<T>(body: &[u8])
    where
        T: DeserializeOwned + Model + PartialEq + std::fmt::Debug,
    {
        let mut decoder = swarm_models::ListDecoder::<T>::new();
        for chunk in body.chunks(1 + body.len() % 61) {
            decoder.push(chunk);
        }
        let texts = |items: &[T]| -> Vec<Option<String>> {
            items
                .iter()
                .map(|item| item.sent().map(|sent| sent.as_str().to_owned()))
                .collect()
        };
        match (swarm_models::decode_list::<T>(body), decoder.finish()) {
            (Ok(whole), Ok(chunked)) => {
                assert_eq!(chunked.items, whole.items, "chunked items");
                assert_eq!(chunked.failures, whole.failures, "chunked failures");
                assert_eq!(texts(&chunked.items), texts(&whole.items), "chunked texts");
            }
            (Err(whole), Err((chunked, back))) => {
                assert_eq!(chunked.to_string(), whole.to_string(), "chunked error");
                assert_eq!(back, body, "the body comes back");
            }
            (whole, chunked) => panic!("whole {whole:?}, chunked {chunked:?}"),
        }
    }

    fn list_of<T>(body: &[u8])
    where
        T: DeserializeOwned + Serialize + Model + PartialEq + std::fmt::Debug,
    {
        chunked_like_whole::<T>(body);
        let Ok(listing) = swarm_models::decode_list::<T>(body) else {
            return;
        };
        let good = accounts_for_every_element(&listing, body);
        let elements = elements(body).unwrap_or_default();
        for (item, index) in listing.items.iter().zip(good) {
            let element = elements[index].get();
            if let Some(sent) = item.sent() {
                assert_eq!(sent.as_str(), element, "an item keeps its own text");
            }
            let written = match serde_json::to_vec(item) {
                Ok(written) => written,
                Err(err) => panic!("an item serializes: {err}"),
            };
            match serde_json::from_slice::<T>(&written) {
                Ok(again) => assert_eq!(&again, item, "a written item reads back equal"),
                Err(err) => panic!("a written item reads back: {err}"),
            }
            let (Ok(input), Ok(output)) = (
                serde_json::from_str::<serde_json::Value>(element),
                serde_json::from_slice::<serde_json::Value>(&written),
            ) else {
                // Deeper than serde_json's `Value` recursion limit; the model read it.
                continue;
            };
            let lost = fidelity::lost_leaves(&input, &output);
            assert!(lost.is_empty(), "values lost in a round: {lost:?}");
        }
    }

    /// `task_list`: [`swarm_models::decode_list`] of tasks, services and nodes, and
    /// [`swarm_models::ListDecoder`] on the same body in chunks.
    pub fn task_list(data: &[u8]) {
        list_of::<Task>(data);
        list_of::<Service>(data);
        list_of::<Node>(data);
    }

    fn filter_round_trips(filter: &TaskFilter) {
        let args = filter.to_cli_args();
        let mut again = TaskFilter::new();
        for pair in args.chunks(2) {
            assert_eq!(pair[0], "--filter");
            if let Err(err) = again.push_arg(&pair[1]) {
                panic!("a written argument {:?} parses: {err}", pair[1]);
            }
        }
        assert_eq!(&again, filter, "to_cli_args reads back equal");
        let json = filter.to_filters_json();
        match TaskFilter::from_filters_json(&json) {
            Ok(again) => assert_eq!(&again, filter, "to_filters_json reads back equal"),
            Err(err) => panic!("written filters JSON {json} parses: {err}"),
        }
    }

    /// `filter`: [`TaskFilter::push_arg`] on each line (the CLI's `--filter key=value`) and
    /// [`TaskFilter::from_filters_json`] on the whole text; what parses round-trips.
    pub fn filter(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let mut filter = TaskFilter::new();
        let mut all_parsed = true;
        for arg in text.split('\n') {
            all_parsed &= filter.push_arg(arg).is_ok();
        }
        if all_parsed {
            filter_round_trips(&filter);
        }
        let _ = swarm_models::parse_filters_json(text);
        if let Ok(filter) = TaskFilter::from_filters_json(text) {
            filter_round_trips(&filter);
        }
    }

    /// `cli_stderr`: [`classify_cli_stderr`] on the text, [`cli_object_failure`] on each line.
    pub fn cli_stderr(data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        let exit_code = data.first().map(|byte| i32::from(*byte));
        let error = classify_cli_stderr(&text, exit_code);
        let _ = error.to_string();
        match &error {
            Error::CliFailed {
                stderr,
                exit_code: code,
                ..
            } => {
                assert_eq!(stderr, text.trim(), "unrecognized stderr is kept whole");
                assert_eq!(*code, exit_code);
            }
            Error::DaemonUnreachable { endpoint, .. } => {
                assert!(
                    !endpoint.is_empty() && !endpoint.contains('\n'),
                    "{endpoint:?}"
                );
            }
            _ => {}
        }
        for line in text.lines() {
            for kind in [ObjectKind::Task, ObjectKind::Service, ObjectKind::Node] {
                match cli_object_failure(line, kind) {
                    Some(Error::NotFound { kind: got, id })
                    | Some(Error::Ambiguous { kind: got, id, .. }) => {
                        assert_eq!(got, kind);
                        assert!(line.contains(id.as_str()), "{id:?} from {line:?}");
                    }
                    Some(other) => panic!("an object failure is NotFound or Ambiguous: {other:?}"),
                    None => {}
                }
            }
        }
    }

    /// `snapshot`: [`super::read_snapshot_parts`] in `dir/read`; a snapshot that reads is
    /// written to `dir/written` and reads back equal (without the undecodable elements,
    /// which [`Snapshot::write`] leaves out).
    pub fn snapshot(dir: &Path, data: &[u8]) {
        let (read, written) = (dir.join("read"), dir.join("written"));
        if let Err(err) = std::fs::create_dir_all(&read) {
            panic!("cannot make {}: {err}", read.display());
        }
        let snapshot = match super::read_snapshot_parts(&read, data) {
            Ok(Ok(snapshot)) => snapshot,
            Ok(Err(_)) => return,
            Err(err) => panic!("cannot write the input's files: {err}"),
        };
        let _ = std::fs::remove_dir_all(&written);
        if let Err(err) = snapshot.write(&written) {
            panic!("a snapshot that was read can be written: {err}");
        }
        let again = match Snapshot::read(&written) {
            Ok(again) => again,
            Err(err) => panic!("a written snapshot reads back: {err}"),
        };
        let expected = Snapshot {
            task_failures: Vec::new(),
            service_failures: Vec::new(),
            node_failures: Vec::new(),
            ..snapshot
        };
        assert_eq!(again, expected, "a written snapshot reads back equal");
    }

    /// The body cap the `http_response` check gives its harness: small, so the refusal is
    /// reached.
    pub const HTTP_MAX_BODY: u64 = 4096;

    /// `http_response`: [`HttpHarness::read`] (made with [`HTTP_MAX_BODY`]) of the response
    /// [`RawResponse::parse`] makes of `data`; inputs of odd length also stand for the answer
    /// to an inspect of task `abc`.
    pub fn http_response(harness: &HttpHarness, data: &[u8]) {
        let response = RawResponse::parse(data);
        let status = response.status;
        let body = response.body.clone();
        let lookup = (data.len() % 2 == 1).then_some("abc");
        let result = harness.read(response, lookup);
        if let Err(error) = &result {
            let _ = error.to_string();
        }
        if body.len() as u64 > HTTP_MAX_BODY {
            assert!(
                matches!(result, Err(Error::ResponseTooLarge { .. })),
                "{result:?}"
            );
            return;
        }
        if !(200..300).contains(&status) {
            let Err(error) = result else {
                panic!("status {status} is an error");
            };
            if status == 404 && lookup.is_some() {
                assert!(
                    matches!(&error, Error::NotFound { id, .. } if id == "abc"),
                    "{error:?}"
                );
            }
            return;
        }
        let reading = match result {
            Ok(reading) => reading,
            Err(err) => panic!("a {status} answer within the cap is read: {err}"),
        };
        assert_eq!(reading.body_len, body.len());
        if let Ok(listing) = &reading.tasks {
            accounts_for_every_element(listing, &body);
        }
    }
}
