//! Ids, names and filter values from users never become flags, commands or other paths.
//!
//! Through the CLI transport's docker commands, a fake `docker` logs its exact argument vector
//! (each argument hex-encoded, so newlines and quotes survive): a task id or a log target
//! arrives as ONE operand after `--`, a filter value as ONE `--filter=key=value` word, a
//! service or node name is resolved against what docker listed and never passed at all, and
//! a value with a NUL byte is refused before anything runs. Through HTTP, each arrives
//! percent-encoded inside its own path segment or in the `filters` JSON, exactly as given.
//! Nothing is ever run through a shell: `$(touch FILE)` never creates FILE.
#![cfg(all(unix, feature = "cli", feature = "http"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use futures::StreamExt;

use swarm_models::{FilterKey, TaskFilter};
use swarm_testkit::{FakeEngine, FakeSwarm};
use swarm_transport::{
    CliConnection, CliTransport, Error, HttpTransport, LogOptions, LogTarget, ObjectKind, Transport,
};

/// One test at a time: a script being written while another test forks can fail to execute
/// (`ETXTBSY`).
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const HOST: &str = "tcp://fake:2375";

/// What a hostile user might type, with `{canary}` standing for a file that must never
/// appear.
fn hostile(canary: &Path) -> Vec<String> {
    let canary = canary.display();
    [
        "-rf".to_owned(),
        "--help".to_owned(),
        "--format={{json .}}".to_owned(),
        format!("$(touch {canary})"),
        format!("`touch {canary}`"),
        ";".to_owned(),
        format!("x; touch {canary}"),
        "a\nb".to_owned(),
        "tab\there".to_owned(),
        "a b".to_owned(),
        "'\"*?".to_owned(),
        "../../info".to_owned(),
        "a/b?c#d%2e".to_owned(),
    ]
    .to_vec()
}

/// A fake `docker` that appends its argument vector to `args.log` (one line per call, each
/// argument hex-encoded and followed by a space) and then runs `body`.
struct FakeDocker {
    dir: tempfile::TempDir,
    program: PathBuf,
}

impl FakeDocker {
    fn new(body: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("docker");
        let log = dir.path().join("args.log");
        // One write per call, so concurrent calls cannot interleave their records.
        let script = format!(
            "#!/bin/sh\nrec=''\nfor arg in \"$@\"; do rec=\"$rec$(printf '%s' \"$arg\" | od -An -v -tx1 | tr -d ' \\n') \"; done\nprintf '%s\\n' \"$rec\" >> '{}'\n{body}\n",
            log.display()
        );
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir, program }
    }

    fn transport(&self) -> CliTransport {
        CliTransport::builder()
            .program(&self.program)
            .host(HOST)
            .connection(CliConnection::Commands)
            .build()
    }

    /// Every call's argument vector, in order, without the global `-H HOST`.
    fn calls(&self) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.dir.path().join("args.log")).unwrap_or_default();
        text.lines()
            .map(|line| {
                let words: Vec<String> = line
                    .strip_suffix(' ')
                    .unwrap_or(line)
                    .split(' ')
                    .map(unhex)
                    .collect();
                assert_eq!(words[..2], ["-H", HOST], "{words:?}");
                words[2..].to_vec()
            })
            .collect()
    }

    fn clear(&self) {
        let _ = std::fs::remove_file(self.dir.path().join("args.log"));
    }
}

fn unhex(word: &str) -> String {
    let bytes: Vec<u8> = (0..word.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&word[at..at + 2], 16).unwrap())
        .collect();
    String::from_utf8(bytes).unwrap()
}

/// What docker prints, by subcommand: one service (`s1`) and one node (`n1`, host `worker`),
/// no tasks, nothing found by inspect.
const DOCKER_BODY: &str = r#"case "$3 $4 $5" in
*'service ls'*) echo 's1aaaaaaaaaaaaaaaaaaaaaaa 1/1' ;;
*'service inspect'*) echo '[{"ID":"s1aaaaaaaaaaaaaaaaaaaaaaa","Spec":{"Name":"web"}}]' ;;
*'node ls'*) echo 'n1aaaaaaaaaaaaaaaaaaaaaaa' ;;
*'node inspect'*) echo '[{"ID":"n1aaaaaaaaaaaaaaaaaaaaaaa","Description":{"Hostname":"worker"}}]' ;;
*'inspect --type task'*) echo '[]' ;;
esac"#;

#[tokio::test]
async fn task_ids_reach_docker_as_single_operands_after_a_double_dash() {
    let _serial = SERIAL.lock().await;
    let scratch = tempfile::tempdir().unwrap();
    let canary = scratch.path().join("pwned");
    let docker = FakeDocker::new(DOCKER_BODY);
    let cli = docker.transport();
    let ids = hostile(&canary);
    // Many at once: one `docker inspect` with every id after `--`.
    let outcomes = cli.inspect_tasks(&ids).await.unwrap();
    assert_eq!(outcomes.len(), ids.len());
    let mut expected = vec!["inspect", "--type", "task", "--"];
    expected.extend(ids.iter().map(String::as_str));
    assert_eq!(docker.calls(), [expected]);
    // One at a time, and as log targets.
    for id in &ids {
        docker.clear();
        let _ = cli.inspect_task(id).await;
        assert_eq!(
            docker.calls(),
            [["inspect", "--type", "task", "--", id.as_str()]],
            "{id:?}"
        );
        for target in [LogTarget::Task(id.clone()), LogTarget::Service(id.clone())] {
            docker.clear();
            // Read to the end: dropping the stream early would kill docker.
            let mut lines = cli.logs(&target, &LogOptions::new()).await.unwrap();
            while lines.next().await.is_some() {}
            let calls = docker.calls();
            let logs = calls
                .iter()
                .find(|call| call.starts_with(&["service".to_owned(), "logs".to_owned()]))
                .unwrap_or_else(|| panic!("{target:?}: {calls:?}"));
            assert_eq!(logs[logs.len() - 2..], ["--", id.as_str()], "{target:?}");
            assert_eq!(logs.iter().filter(|word| *word == id).count(), 1);
        }
    }
    assert!(!canary.exists(), "a shell ran a user's input");
}

#[tokio::test]
async fn filter_values_reach_docker_as_single_filter_words() {
    let _serial = SERIAL.lock().await;
    let scratch = tempfile::tempdir().unwrap();
    let canary = scratch.path().join("pwned");
    let docker = FakeDocker::new(DOCKER_BODY);
    let cli = docker.transport();
    for value in hostile(&canary) {
        for key in [FilterKey::Id, FilterKey::Name, FilterKey::Runtime] {
            docker.clear();
            let filter = TaskFilter::new().with(key, value.clone());
            let tasks = cli.list_tasks(&filter).await.unwrap();
            assert!(tasks.is_empty());
            let word = format!("--filter={}={value}", key.as_str());
            let calls = docker.calls();
            let ps: Vec<&Vec<String>> = calls
                .iter()
                .filter(|call| call.get(1).map(String::as_str) == Some("ps"))
                .collect();
            assert_eq!(ps.len(), 2, "service ps and node ps: {calls:?}");
            for call in ps {
                assert_eq!(
                    call.iter().filter(|arg| **arg == word).count(),
                    1,
                    "{value:?}: {call:?}"
                );
                assert!(
                    call.iter().all(|arg| *arg == word || !arg.contains(&value)),
                    "{value:?} leaked into another argument: {call:?}"
                );
                let dash = call.iter().position(|arg| arg == "--").unwrap();
                assert!(
                    call.iter().position(|arg| *arg == word).unwrap() < dash,
                    "{call:?}"
                );
            }
        }
    }
    assert!(!canary.exists(), "a shell ran a user's input");
}

#[tokio::test]
async fn service_and_node_names_are_resolved_and_never_passed_to_docker() {
    let _serial = SERIAL.lock().await;
    let scratch = tempfile::tempdir().unwrap();
    let canary = scratch.path().join("pwned");
    let docker = FakeDocker::new(DOCKER_BODY);
    let cli = docker.transport();
    for value in hostile(&canary) {
        for (key, kind) in [
            (FilterKey::Service, ObjectKind::Service),
            (FilterKey::Node, ObjectKind::Node),
        ] {
            docker.clear();
            let filter = TaskFilter::new().with(key, value.clone());
            let err = cli.list_tasks(&filter).await.unwrap_err();
            assert!(
                matches!(&err, Error::NotFound { kind: found, id } if *found == kind && *id == value),
                "{key:?} {value:?}: {err:?}"
            );
            let calls = docker.calls();
            assert!(!calls.is_empty());
            assert!(
                calls.iter().flatten().all(|arg| !arg.contains(&value)),
                "{value:?} reached docker: {calls:?}"
            );
        }
    }
    // The real names still work: they resolve to IDs, and the IDs are what docker gets.
    docker.clear();
    let filter = TaskFilter::new().service("web").node("worker");
    assert!(cli.list_tasks(&filter).await.unwrap().is_empty());
    let calls = docker.calls();
    let ps = calls
        .iter()
        .find(|call| call[..2] == ["service", "ps"])
        .unwrap();
    assert!(ps.contains(&"--filter=node=n1aaaaaaaaaaaaaaaaaaaaaaa".to_owned()));
    assert_eq!(ps.last().unwrap(), "s1aaaaaaaaaaaaaaaaaaaaaaa");
    assert!(!canary.exists(), "a shell ran a user's input");
}

#[tokio::test]
async fn a_nul_byte_is_refused_before_docker_runs() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::new(DOCKER_BODY);
    let cli = docker.transport();
    let nul = "abc\0-rf".to_owned();
    let refused = |err: &Error| {
        matches!(err, Error::InvalidArgument { argument, reason }
            if argument.contains("abc\0-rf") && reason.contains("NUL byte"))
    };
    let err = cli.inspect_task(&nul).await.unwrap_err();
    assert!(refused(&err), "{err:?}");
    assert!(err.to_string().contains(r"abc\0-rf"), "{err}");
    let err = cli
        .inspect_tasks(std::slice::from_ref(&nul))
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    let Err(err) = cli
        .logs(&LogTarget::Task(nul.clone()), &LogOptions::new())
        .await
    else {
        panic!("a log stream for a NUL id")
    };
    assert!(refused(&err), "{err:?}");
    assert!(docker.calls().is_empty(), "{:?}", docker.calls());
    // In a filter value, the listing runs (service ls, node ls) but no command carries it.
    let err = cli
        .list_tasks(&TaskFilter::new().id(nul.clone()))
        .await
        .unwrap_err();
    assert!(refused(&err), "{err:?}");
    assert!(
        docker
            .calls()
            .iter()
            .flatten()
            .all(|arg| !arg.contains('\0')),
        "{:?}",
        docker.calls()
    );
}

/// Through HTTP each value stays in its own path segment, percent-encoded, or in the filters
/// JSON: the engine decodes exactly what was given.
#[tokio::test]
async fn over_http_values_stay_in_their_segment_or_the_filters() {
    let scratch = tempfile::tempdir().unwrap();
    let canary = scratch.path().join("pwned");
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let http = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();
    http.api_version().await.unwrap();
    let mut values = hostile(&canary);
    values.push("abc\0-rf".to_owned());
    for value in &values {
        engine.reset_requests();
        let err = http.inspect_task(value).await.unwrap_err();
        assert!(err.is_not_found(), "{value:?}: {err:?}");
        let _ = http
            .logs(&LogTarget::Service(value.clone()), &LogOptions::new())
            .await;
        let filter = TaskFilter::new()
            .id(value.clone())
            .name(value.clone())
            .service(value.clone())
            .node(value.clone());
        let _ = http.list_tasks(&filter).await;
        let requests = engine.requests();
        let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                format!("/tasks/{value}"),
                format!("/services/{value}/logs"),
                "/tasks".to_owned()
            ],
            "{value:?}"
        );
        let filters: serde_json::Value =
            serde_json::from_str(&requests[2].query_param("filters").unwrap()).unwrap();
        for key in ["id", "name", "service", "node"] {
            assert_eq!(filters[key], serde_json::json!([value]), "{value:?}");
        }
    }
    assert!(!canary.exists());
}
