//! Short property tests of the fuzz targets' entry points (`swarm_transport::fuzzing`, the
//! same properties the targets in `fuzz/` check): the CLI's stderr classification, the
//! snapshot folder reader and the HTTP response handling, on inputs built from the shapes
//! they meet. `decode_list` and `--filter` parsing have theirs in swarm-models'
//! `decode_list_props.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use proptest::prelude::*;
use swarm_transport::Error;
use swarm_transport::fuzzing::checks::{self, HTTP_MAX_BODY};
use swarm_transport::fuzzing::{HttpHarness, classify_cli_stderr};

/// Lines the `docker` client prints, whole or cut, with noise around them.
fn stderr_text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("Error response from daemon: ".to_owned()),
        Just("Error: ".to_owned()),
        Just("WARNING: ".to_owned()),
        Just("Cannot connect to the Docker daemon at ".to_owned()),
        Just(". Is the docker daemon running?".to_owned()),
        Just("permission denied".to_owned()),
        Just("This node is not a swarm manager.".to_owned()),
        Just("invalid filter 'x'".to_owned()),
        Just("client version 1.50 is too new. Maximum supported API version is ".to_owned()),
        Just("x509: certificate".to_owned()),
        Just("context not found".to_owned()),
        Just("No such task: ".to_owned()),
        Just("task ".to_owned()),
        Just(" not found".to_owned()),
        Just(" is ambiguous (".to_owned()),
        Just("\n".to_owned()),
        "[ -~]{0,12}",
        "\\PC{0,4}",
    ];
    prop::collection::vec(fragment, 0..10).prop_map(|parts| parts.concat())
}

/// A JSON text of a list element or a whole file, valid or cut short.
fn json_text() -> impl Strategy<Value = Vec<u8>> {
    let element = prop_oneof![
        Just(r#"{"ID":"t1","Status":{"State":"running"}}"#.to_owned()),
        Just(r#"{"ID":"s1","Spec":{"Name":"web"}}"#.to_owned()),
        Just(r#"{"ID":2}"#.to_owned()),
        Just(r#"{"ID":"n1","Description":{"Hostname":"h"}}"#.to_owned()),
        Just(r#""text""#.to_owned()),
        "[ -~]{0,8}",
    ];
    (
        prop::collection::vec(element, 0..4),
        any::<bool>(),
        0usize..64,
    )
        .prop_map(|(elements, array, cut)| {
            let text = if array {
                format!("[{}]", elements.join(","))
            } else {
                elements.concat()
            };
            let mut bytes = text.into_bytes();
            if cut < bytes.len() && cut % 3 == 0 {
                bytes.truncate(cut);
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn stderr_classification_holds_its_properties(text in stderr_text()) {
        checks::cli_stderr(text.as_bytes());
    }

    #[test]
    fn unrecognized_stderr_is_kept_whole(text in "[a-z ]{0,40}") {
        // Lower-case words without the classified phrases: nothing to recognize.
        prop_assume!(!["connect", "refused", "host", "timeout", "reset", "permission", "swarm",
            "unlocked", "filter", "too new", "too old", "client version", "certificate",
            "context", "endpoint"].iter().any(|word| text.contains(word)));
        let error = classify_cli_stderr(&text, Some(1));
        let kept_whole = matches!(&error, Error::CliFailed { stderr, .. } if stderr == text.trim());
        prop_assert!(kept_whole, "{:?}", error);
    }

    #[test]
    fn snapshot_folders_hold_their_properties(
        files in prop::collection::vec(json_text(), 0..7)
    ) {
        let dir = tempfile::tempdir().unwrap();
        checks::snapshot(dir.path(), &files.join(&0u8));
    }

    #[test]
    fn http_responses_hold_their_properties(
        status in prop_oneof![Just(200u16), Just(204), Just(404), Just(400), Just(503), 100u16..1000],
        version in prop_oneof![Just("1.41"), Just("1.47"), Just("x"), Just("")],
        body in json_text(),
        odd in any::<bool>(),
    ) {
        let harness = HttpHarness::new(HTTP_MAX_BODY).unwrap();
        let mut input = format!("{status}\r\nApi-Version: {version}\r\n\r\n").into_bytes();
        input.extend_from_slice(&body);
        if odd != (input.len() % 2 == 1) {
            input.push(b' ');
        }
        checks::http_response(&harness, &input);
    }
}

#[test]
fn a_body_over_the_cap_is_refused() {
    let harness = HttpHarness::new(HTTP_MAX_BODY).unwrap();
    let mut input = b"200\n\n[".to_vec();
    input.resize(input.len() + HTTP_MAX_BODY as usize, b' ');
    input.push(b']');
    let response = swarm_transport::fuzzing::RawResponse::parse(&input);
    let result = harness.read(response, None);
    assert!(
        matches!(result, Err(Error::ResponseTooLarge { limit, .. }) if limit == HTTP_MAX_BODY),
        "{result:?}"
    );
}
