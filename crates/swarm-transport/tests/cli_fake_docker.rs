//! `CliTransport` against a fake `docker`: a test double written as a small script that prints
//! canned output, for edge cases the fake engine cannot produce (partial inspect output,
//! garbage, non-UTF-8, warnings with exit 0, a hanging client) and to check the exact
//! argument vectors the transport passes.
#![cfg(all(unix, feature = "cli"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use swarm_models::TaskFilter;
use swarm_transport::{CliConnection, CliTransport, Error, ObjectKind, Transport};

/// Tests in this binary run one at a time: a script being written while another test forks
/// can fail to execute (`ETXTBSY`), because the child inherits the open file.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A fake `docker` in a fresh directory: it appends its arguments (one per line, then `--end--`)
/// to `args.log` beside it, then runs `body` (POSIX sh, `$*` is the argument list).
struct FakeDocker {
    dir: tempfile::TempDir,
    program: PathBuf,
}

impl FakeDocker {
    fn new(body: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("docker");
        let log = dir.path().join("args.log");
        // The whole argument vector is appended with ONE write, so the concurrent
        // invocations of chunked inspects cannot interleave their lines.
        let script = format!(
            "#!/bin/sh\nrec=''\nfor arg in \"$@\"; do rec=\"$rec$arg\n\"; done\nprintf '%s--end--\\n' \"$rec\" >> '{}'\n{body}\n",
            log.display()
        );
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir, program }
    }

    fn transport(&self) -> CliTransport {
        CliTransport::builder()
            .program(self.program.clone())
            .host("tcp://fake:2375")
            .connection(CliConnection::Commands)
            .build()
    }

    /// Every invocation's argument vector, in order.
    fn calls(&self) -> Vec<Vec<String>> {
        read_calls(&self.dir.path().join("args.log"))
    }
}

fn read_calls(log: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut calls = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        if line == "--end--" {
            calls.push(std::mem::take(&mut current));
        } else {
            current.push(line.to_owned());
        }
    }
    calls
}

fn task_json(id: &str, service: &str, slot: u64, desired: &str) -> String {
    format!(
        r#"{{"ID":"{id}","Version":{{"Index":1}},"Labels":{{}},"Spec":{{"ContainerSpec":{{"Image":"busybox"}}}},"ServiceID":"{service}","Slot":{slot},"NodeID":"n1","Status":{{"State":"{desired}"}},"DesiredState":"{desired}"}}"#
    )
}

#[tokio::test]
async fn inspect_many_keeps_found_tasks_and_reports_each_missing_id() {
    let _serial = SERIAL.lock().await;
    let found = format!(
        "[{},\n{}]",
        task_json("aaaaaaaaaaaaaaaaaaaaaaaaa", "s1", 1, "running"),
        task_json("ccccccccccccccccccccccccc", "s1", 2, "running")
    );
    let docker = FakeDocker::new(&format!(
        "cat <<'EOF'\n{found}\nEOF\n\
         echo 'Error response from daemon: task nope not found' >&2\n\
         echo 'Error response from daemon: task c is ambiguous (2 matches found)' >&2\n\
         exit 1"
    ));
    let ids: Vec<String> = ["aaaa", "nope", "c", "web.2.ccccccccccccccccccccccccc"]
        .map(str::to_owned)
        .into();
    let outcomes = docker.transport().inspect_tasks(&ids).await.unwrap();
    let summary: Vec<String> = outcomes
        .iter()
        .map(|outcome| match &outcome.result {
            Ok(task) => format!("{} -> {}", outcome.id, task.id),
            Err(err) => format!("{} -> {err}", outcome.id),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "aaaa -> aaaaaaaaaaaaaaaaaaaaaaaaa",
            "nope -> task nope not found",
            "c -> task c is ambiguous (2 matches found): give more of the ID",
            "web.2.ccccccccccccccccccccccccc -> ccccccccccccccccccccccccc",
        ]
    );
    // One call: global flags first, then the subcommand, then `--` before the user's ids.
    let calls = docker.calls();
    assert_eq!(calls.len(), 1);
    let mut expected = vec!["-H", "tcp://fake:2375", "inspect", "--type", "task", "--"];
    expected.extend(ids.iter().map(String::as_str));
    assert_eq!(calls[0], expected);
}

#[tokio::test]
async fn inspect_tasks_of_nothing_runs_nothing() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::new("exit 0");
    assert!(
        docker
            .transport()
            .inspect_tasks(&[])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(docker.calls().is_empty());
}

#[tokio::test]
async fn inspect_chunks_run_under_the_batch_size() {
    let _serial = SERIAL.lock().await;
    // Answers every id with a task of that id, so the order of outcomes can be checked.
    let docker = FakeDocker::new(
        "shift 6\nsep='['\nfor id in \"$@\"; do printf '%s{\"ID\":\"%s\"}' \"$sep\" \"$id\"; sep=','; done\necho ']'",
    );
    let transport = CliTransport::builder()
        .program(docker.program.clone())
        .host("tcp://fake:2375")
        .connection(CliConnection::Commands)
        .batch_size(3)
        .build();
    let ids: Vec<String> = (0..8).map(|n| format!("task{n:02}")).collect();
    let outcomes = transport.inspect_tasks(&ids).await.unwrap();
    let got: Vec<String> = outcomes
        .into_iter()
        .map(|outcome| outcome.result.map(|task| task.id).unwrap())
        .collect();
    assert_eq!(got, ids);
    let mut sizes: Vec<usize> = docker.calls().iter().map(|call| call.len() - 6).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [2, 3, 3]);
}

#[tokio::test]
async fn inspect_unknown_task_is_not_found() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::new(
        "echo '[]'\necho 'Error response from daemon: task zzz not found' >&2\nexit 1",
    );
    let err = docker.transport().inspect_task("zzz").await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: ObjectKind::Task, id } if id == "zzz"),
        "{err:?}"
    );
}

#[tokio::test]
async fn garbage_and_non_utf8_output_are_decode_errors() {
    let _serial = SERIAL.lock().await;
    for body in [
        "printf 'not json at all'",
        "printf '\\377\\376[{'",
        "printf '{\"ID\":\"x\"}'",
    ] {
        let docker = FakeDocker::new(body);
        let err = docker.transport().inspect_task("x").await.unwrap_err();
        let Error::Decode { endpoint, .. } = &err else {
            panic!("{body}: {err:?}")
        };
        assert!(endpoint.contains("inspect --type task -- x"), "{endpoint}");
    }
}

#[tokio::test]
async fn zero_services_list_no_tasks() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::new("exit 0");
    let tasks = docker
        .transport()
        .list_tasks(&TaskFilter::new())
        .await
        .unwrap();
    assert!(tasks.is_empty());
    // Only `service ls` and `node ls` ran (concurrently): nothing to `ps` or inspect.
    let mut calls = docker.calls();
    calls.sort();
    assert_eq!(
        calls,
        [
            vec!["-H", "tcp://fake:2375", "node", "ls", "-q"],
            vec![
                "-H",
                "tcp://fake:2375",
                "service",
                "ls",
                "--format",
                "{{.ID}} {{.Replicas}}"
            ],
        ]
    );
}

#[tokio::test]
async fn services_removed_mid_listing_are_skipped() {
    let _serial = SERIAL.lock().await;
    // `gone1` vanishes before `service inspect`, `gone2` before `service ps`.
    let service = |id: &str, name: &str| format!(r#"{{"ID":"{id}","Spec":{{"Name":"{name}"}}}}"#);
    let body = format!(
        "case \"$*\" in\n\
         *'service ls'*) printf 's1aaaaaaaaaa 2/3\\ngone1aaaaaa 0/1\\ngone2aaaaaa 0/1\\n' ;;\n\
         *'service inspect'*) echo '[{},{}]'; echo 'Error: no such service: gone1aaaaaa' >&2; exit 1 ;;\n\
         *'service ps'*) echo t1; echo 'no such service: gone2aaaaaaaaaaaaaaaaaaa' >&2; exit 1 ;;\n\
         *'inspect --type task'*) echo '[{}]' ;;\n\
         esac",
        service("s1aaaaaaaaaaaaaaaaaaaaaaa", "web"),
        service("gone2aaaaaaaaaaaaaaaaaaaa", "old"),
        task_json("t1", "s1aaaaaaaaaaaaaaaaaaaaaaa", 1, "running")
    );
    let docker = FakeDocker::new(&body);
    let transport = docker.transport();
    let tasks = transport.list_tasks(&TaskFilter::new()).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].id, "t1");
    let calls = docker.calls();
    // The services' tasks are asked with `service ps`, spread over as many commands as the
    // concurrency allows: every service once, always as operands after `--`.
    let mut operands: Vec<&str> = Vec::new();
    for ps in calls
        .iter()
        .filter(|call| call.get(2..4) == Some(&["service".to_owned(), "ps".to_owned()][..]))
    {
        assert_eq!(
            ps[2..7],
            ["service", "ps", "-q", "--no-trunc", "--no-resolve"]
        );
        assert_eq!(ps[7], "--", "{ps:?}");
        operands.extend(ps[8..].iter().map(String::as_str));
    }
    operands.sort_unstable();
    assert_eq!(
        operands,
        ["gone2aaaaaaaaaaaaaaaaaaaa", "s1aaaaaaaaaaaaaaaaaaaaaaa"]
    );
    // The counts `service ls` printed are matched back to the (full-ID) services.
    let services = transport.list_services().await.unwrap();
    assert_eq!(services.len(), 2);
    let web = services.iter().find(|s| s.name() == Some("web")).unwrap();
    let status = web.service_status.as_ref().unwrap();
    assert_eq!(
        (
            status.running_tasks,
            status.desired_tasks,
            status.completed_tasks
        ),
        (Some(2), Some(3), Some(0))
    );
}

#[tokio::test]
async fn warnings_on_stderr_with_exit_zero_are_ignored() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::new(
        "echo 'WARNING: No swap limit support' >&2\n\
         case \"$*\" in\n\
         *version*) echo '{\"Client\":{\"ApiVersion\":\"1.41\"},\"Server\":{\"ApiVersion\":\"1.43\",\"Version\":\"24.0.7\"}}' ;;\n\
         *info*) echo '{\"Swarm\":{\"NodeID\":\"n1\",\"LocalNodeState\":\"active\",\"ControlAvailable\":true}}' ;;\n\
         esac",
    );
    let info = docker.transport().system_info().await.unwrap();
    assert_eq!(info.api_version, "1.41");
    assert_eq!(info.daemon_api_version.as_deref(), Some("1.43"));
    assert_eq!(info.engine_version.as_deref(), Some("24.0.7"));
    assert_eq!(info.node_id.as_deref(), Some("n1"));
    assert!(info.is_manager);
}

#[tokio::test]
async fn unrecognized_failure_is_cli_failed_with_command_and_stderr() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::new("echo 'something odd happened' >&2\nexit 3");
    let err = docker.transport().list_nodes().await.unwrap_err();
    let Error::CliFailed {
        command,
        exit_code,
        stderr,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(
        command.ends_with("-H tcp://fake:2375 node ls -q"),
        "{command}"
    );
    assert_eq!(*exit_code, Some(3));
    assert_eq!(stderr, "something odd happened");
}

#[tokio::test(start_paused = true)]
async fn a_hanging_docker_is_killed_at_the_timeout() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::new("exec sleep 600");
    let transport = CliTransport::builder()
        .program(docker.program.clone())
        .host("tcp://fake:2375")
        .connection(CliConnection::Commands)
        .timeout(Duration::from_secs(5))
        .build();
    // The clock is paused: it jumps to the deadline as soon as the runtime is idle.
    let err = transport.list_nodes().await.unwrap_err();
    assert!(
        matches!(&err, Error::CliTimeout { endpoint, limit, answered: 0, waiting_for, .. }
            if endpoint == "tcp://fake:2375" && *limit == Duration::from_secs(5)
                && waiting_for.contains("node ls -q")),
        "{err:?}"
    );
    assert!(err.is_connection(), "{err}");
}

/// A `docker` body that marks itself running, waits (boundedly) until `want` are running,
/// appends how many it saw to `counts.log`, and leaves.
fn counting_body(dir: &Path, want: usize) -> String {
    let dir = dir.display();
    format!(
        "cd '{dir}'\ntouch \"running.$$\"\ni=0\n\
         while [ \"$(ls running.* | wc -l)\" -lt {want} ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i+1)); done\n\
         ls running.* | wc -l >> counts.log\nrm \"running.$$\""
    )
}

fn counts(dir: &Path) -> Vec<usize> {
    std::fs::read_to_string(dir.join("counts.log"))
        .unwrap_or_default()
        .lines()
        .map(|line| line.trim().parse().unwrap())
        .collect()
}

/// The bound on `docker` commands is the transport's, across calls and clones: 12 calls at
/// once never run more than 4 commands at once (the default), and do run 4.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_the_transports_four_commands() {
    let _serial = SERIAL.lock().await;
    let scratch = tempfile::tempdir().unwrap();
    let docker = FakeDocker::new(&counting_body(scratch.path(), 4));
    let transport = docker.transport();
    let calls = (0..12).map(|_| {
        let transport = transport.clone();
        async move { transport.list_nodes().await }
    });
    for result in futures::future::join_all(calls).await {
        assert!(result.unwrap().is_empty());
    }
    let seen = counts(scratch.path());
    assert_eq!(seen.len(), 12, "{seen:?}");
    assert_eq!(seen.iter().max(), Some(&4), "{seen:?}");
}
