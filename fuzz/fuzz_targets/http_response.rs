//! The HTTP transport's handling of a response (status, headers, body) as reqwest hands it
//! over, without a socket: the input is `STATUS\nName: value\n...\n\nBODY`; the properties
//! are `swarm_transport::fuzzing::checks::http_response`. hyper parses the bytes of a real
//! head; that parser is not fuzzed here.
#![no_main]

use std::sync::OnceLock;

use swarm_transport::fuzzing::HttpHarness;
use swarm_transport::fuzzing::checks::{HTTP_MAX_BODY, http_response};

fn harness() -> &'static HttpHarness {
    static HARNESS: OnceLock<HttpHarness> = OnceLock::new();
    HARNESS.get_or_init(|| match HttpHarness::new(HTTP_MAX_BODY) {
        Ok(harness) => harness,
        Err(err) => panic!("no harness: {err}"),
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| http_response(harness(), data));
