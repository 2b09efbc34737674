//! `CliTransport` over `docker system dial-stdio`: this machine's real `docker` client
//! relaying to the fake engine on a unix socket (`docker -H unix://... system dial-stdio`),
//! checked against `HttpTransport` on the same engine (same answers, same requests), plus
//! fake `docker` scripts for what a real client does not do on demand (die, hang, fail with
//! ssh's words, lack dial-stdio).
#![cfg(all(unix, feature = "cli", feature = "http"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;
use swarm_models::{FilterKey, TaskFilter, TaskState};
use swarm_testkit::{
    FakeEngine, FakeLogs, FakeSwarm, Fault, FaultRule, GenerateParams, LogEnd, NotManagerKind,
};
use swarm_transport::{
    CliConnection, CliTransport, Error, HttpTransport, LogOptions, LogTarget, NotManagerReason,
    ObjectKind, Transport,
};

/// True when a `docker` client binary runs here; otherwise the test skips (outside CI) or
/// fails (under `CI=true`) through `swarm_testkit::require`.
fn docker_client(test: &str) -> bool {
    swarm_testkit::require("docker", &format!("by {test} (dial-stdio runs it)")).is_some()
}

/// The fake engine on a unix socket in a fresh directory (kept alive with it).
struct UnixEngine {
    engine: FakeEngine,
    _dir: tempfile::TempDir,
}

impl UnixEngine {
    fn start(swarm: FakeSwarm) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let engine = FakeEngine::spawn_unix(swarm, &dir.path().join("docker.sock")).unwrap();
        Self { engine, _dir: dir }
    }
}

fn config_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("swarm-transport-dial-tests-config");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn dial(engine: &FakeEngine) -> CliTransport {
    CliTransport::builder()
        .host(engine.host())
        .config_dir(config_dir())
        .build()
}

fn http(engine: &FakeEngine) -> HttpTransport {
    HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap()
}

/// The requests the engine saw, without the `HEAD /_ping` each dial-stdio child sends for
/// itself when it starts.
fn requests_but_child_pings(engine: &FakeEngine) -> Vec<String> {
    engine
        .requests()
        .into_iter()
        .filter(|request| request.method != "HEAD")
        .map(|request| {
            format!(
                "{} {} {}",
                request.method,
                request.path,
                request.query.unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_picks_dial_stdio_and_answers_like_http_with_the_same_requests() {
    if !docker_client("auto_picks_dial_stdio_and_answers_like_http_with_the_same_requests") {
        return;
    }
    let swarm = FakeSwarm::sample();
    let web_id = swarm.service_id("web").unwrap().to_owned();
    let a_task = swarm.tasks()[0]["ID"].as_str().unwrap().to_owned();
    let unix = UnixEngine::start(swarm);
    let engine = &unix.engine;
    assert!(engine.host().starts_with("unix://"), "{}", engine.host());
    let (cli, http) = (dial(engine), http(engine));
    assert!(cli.uses_dial_stdio().await.unwrap());
    assert_eq!(cli.endpoint(), engine.host());

    let filters = [
        TaskFilter::new(),
        TaskFilter::new().service("web"),
        TaskFilter::new().service(&web_id[..6]),
        TaskFilter::new().node("node-2"),
        TaskFilter::new().label("env=staging"),
        TaskFilter::new().desired_state(TaskState::Running),
        TaskFilter::new().id(&a_task[..5]),
        TaskFilter::new().with(FilterKey::Runtime, "container"),
    ];
    for filter in &filters {
        engine.reset_requests();
        let from_http = http.list_tasks(filter).await.unwrap();
        let sent_by_http = requests_but_child_pings(engine);
        engine.reset_requests();
        let from_cli = cli.list_tasks(filter).await.unwrap();
        assert_eq!(from_cli, from_http, "filter {filter:?}");
        assert_eq!(
            requests_but_child_pings(engine),
            sent_by_http,
            "filter {filter:?}"
        );
    }
    assert_eq!(
        cli.list_services().await.unwrap(),
        http.list_services().await.unwrap()
    );
    assert_eq!(
        cli.list_nodes().await.unwrap(),
        http.list_nodes().await.unwrap()
    );
    let info = cli.system_info().await.unwrap();
    assert_eq!(info, http.system_info().await.unwrap());
    assert_eq!(
        cli.inspect_task(&a_task).await.unwrap(),
        http.inspect_task(&a_task).await.unwrap()
    );
    let ids = vec![a_task.clone(), "doesnotexist".to_owned()];
    let outcomes = cli.inspect_tasks(&ids).await.unwrap();
    assert_eq!(outcomes[0].result.as_ref().unwrap().id, a_task);
    assert!(
        matches!(&outcomes[1].result, Err(Error::NotFound { kind: ObjectKind::Task, id }) if id == "doesnotexist"),
        "{:?}",
        outcomes[1].result
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn children_are_started_lazily_reused_and_bounded_by_the_concurrency() {
    if !docker_client("children_are_started_lazily_reused_and_bounded_by_the_concurrency") {
        return;
    }
    let params = GenerateParams {
        services: 4,
        nodes: 3,
        replicas_per_service: 10,
        history_per_slot: 1,
        seed: 3,
    };
    let unix = UnixEngine::start(FakeSwarm::generate(params));
    let engine = &unix.engine;
    let cli = CliTransport::builder()
        .host(engine.host())
        .config_dir(config_dir())
        .connection(CliConnection::DialStdio)
        .concurrency(3)
        .build();
    assert_eq!(cli.dial_stdio_children(), (0, 0), "nothing before a call");
    let tasks = cli.list_tasks(&TaskFilter::new()).await.unwrap();
    assert_eq!(tasks.len(), params.n_tasks());
    assert_eq!(
        cli.dial_stdio_children(),
        (1, 1),
        "one request at a time: one child"
    );
    let ids: Vec<String> = tasks.iter().map(|task| task.id.clone()).collect();
    let outcomes = cli.inspect_tasks(&ids).await.unwrap();
    assert!(outcomes.iter().all(|outcome| outcome.result.is_ok()));
    let (started, running) = cli.dial_stdio_children();
    assert!(
        (2..=3).contains(&started) && running == started,
        "{started} started, {running} running"
    );
    // Later bursts reuse the children: never more than `concurrency` of them.
    for _ in 0..5 {
        let again = cli.inspect_tasks(&ids).await.unwrap();
        assert_eq!(again.len(), ids.len());
    }
    let (started, running) = cli.dial_stdio_children();
    assert!(
        started <= 3 && running == started,
        "{started} started, {running} running"
    );
    let heads = engine
        .requests()
        .iter()
        .filter(|request| request.method == "HEAD")
        .count();
    assert!(
        heads <= started,
        "{heads} child pings for {started} children"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_errors_map_like_http() {
    if !docker_client("daemon_errors_map_like_http") {
        return;
    }
    let unix = UnixEngine::start(FakeSwarm::sample());
    let engine = &unix.engine;
    let (cli, http) = (dial(engine), http(engine));
    let err = cli
        .list_tasks(&TaskFilter::new().service("nope"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: ObjectKind::Service, id } if id == "nope"),
        "{err:?}"
    );
    let err = cli.inspect_task("doesnotexist").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    engine.set_fault(Fault::NotManager(NotManagerKind::Worker));
    let from_cli = cli.list_tasks(&TaskFilter::new()).await.unwrap_err();
    let from_http = http.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(
        matches!(&from_cli, Error::NotManager { reason: NotManagerReason::Worker, endpoint, .. } if *endpoint == engine.host()),
        "{from_cli:?}"
    );
    assert_eq!(from_cli.to_string(), from_http.to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_log_stream_goes_through_a_child() {
    if !docker_client("a_followed_log_stream_goes_through_a_child") {
        return;
    }
    let unix = UnixEngine::start(FakeSwarm::sample());
    let engine = &unix.engine;
    let web = engine.swarm().service_id("web").unwrap().to_owned();
    engine.set_logs(
        &web,
        FakeLogs::new()
            .frame(1, b"2026-11-20T09:00:00.000000000Z hello\n")
            .end(LogEnd::StayOpen),
    );
    let cli = dial(engine);
    let options = LogOptions::new().follow(true).timestamps(true);
    let mut stream = cli
        .logs(&LogTarget::Service("web".into()), &options)
        .await
        .unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.line, b"hello".to_vec());
    let logs_request = engine
        .requests()
        .into_iter()
        .find(|request| request.path.ends_with("/logs"))
        .unwrap();
    assert_eq!(logs_request.query_param("follow").as_deref(), Some("1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_is_a_cli_timeout_naming_the_request() {
    if !docker_client("a_slow_answer_is_a_cli_timeout_naming_the_request") {
        return;
    }
    let unix = UnixEngine::start(FakeSwarm::sample());
    let engine = &unix.engine;
    let cli = CliTransport::builder()
        .host(engine.host())
        .config_dir(config_dir())
        .timeout(Duration::from_secs(2))
        .build();
    cli.list_services().await.unwrap();
    engine.add_fault(FaultRule::new(Fault::Latency(Duration::from_secs(30))).path("/tasks"));
    let err = cli.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::CliTimeout { waiting_for, answered: 0, limit, endpoint, .. }
            if waiting_for == "GET /tasks" && *limit == Duration::from_secs(2) && *endpoint == engine.host()),
        "{err:?}"
    );
    assert!(err.is_connection() && err.is_retryable());
}

/// A fake `docker` in a fresh directory: `dial-stdio --help` says it has the command, and
/// `system dial-stdio` runs `body` (POSIX sh; `$REAL` is the real docker with the arguments).
struct FakeDocker {
    dir: tempfile::TempDir,
    program: PathBuf,
}

impl FakeDocker {
    fn new(body: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("docker");
        let real = which_docker();
        let script = format!(
            "#!/bin/sh\ncd '{dir}'\ncase \"$*\" in\n*--help*) echo 'Usage:  docker system dial-stdio'; exit 0;;\nesac\nREAL=\"{real} $*\"\n{body}\n",
            dir = dir.path().display(),
            real = real.display()
        );
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir, program }
    }

    /// A transport running this docker; `ssh://` hosts go through it too (no direct ssh).
    fn transport(&self, host: &str) -> CliTransport {
        CliTransport::builder()
            .program(self.program.clone())
            .host(host)
            .config_dir(config_dir())
            .ssh_program(None)
            .build()
    }

    /// A transport for an `ssh://` host that runs this script as its `ssh`.
    fn as_ssh(&self, host: &str) -> CliTransport {
        CliTransport::builder()
            .program("/nonexistent/docker")
            .host(host)
            .config_dir(config_dir())
            .ssh_program(Some(self.program.clone()))
            .build()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn which_docker() -> PathBuf {
    let output = std::process::Command::new("sh")
        .args(["-c", "command -v docker"])
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// Polls until `done` holds (a bounded wait for the runtime to act, not a time assertion).
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within 10 s");
}

/// True while `pid` is a live (not zombie) process.
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

fn read_pid(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_transport_kills_its_children_and_their_group() {
    if !docker_client("dropping_the_transport_kills_its_children_and_their_group") {
        return;
    }
    let unix = UnixEngine::start(FakeSwarm::sample());
    // The child leaves a grandchild in its process group, as `docker` leaves `ssh`.
    let docker =
        FakeDocker::new("sleep 600 &\necho $! > grandchild.pid\necho $$ > child.pid\nexec $REAL");
    let cli = docker.transport(&unix.engine.host());
    cli.list_nodes().await.unwrap();
    assert_eq!(cli.dial_stdio_children(), (1, 1));
    let child = read_pid(&docker.path("child.pid"));
    let grandchild = read_pid(&docker.path("grandchild.pid"));
    assert!(alive(&child) && alive(&grandchild));
    drop(cli);
    eventually("the child's death", || !alive(&child)).await;
    eventually("the grandchild's death", || !alive(&grandchild)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_child_that_dies_silently_is_replaced_once() {
    if !docker_client("a_child_that_dies_silently_is_replaced_once") {
        return;
    }
    let unix = UnixEngine::start(FakeSwarm::sample());
    // The first child exits at once without a word; the next ones relay.
    let docker = FakeDocker::new("if [ ! -e died ]; then touch died; exit 0; fi\nexec $REAL");
    let cli = docker.transport(&unix.engine.host());
    let nodes = cli.list_nodes().await.unwrap();
    assert_eq!(nodes.len(), FakeSwarm::sample().nodes().len());
    assert_eq!(cli.dial_stdio_children().0, 2);
    // A child that keeps dying is reported, not retried forever.
    let always = FakeDocker::new("exit 0");
    let err = always
        .transport(&unix.engine.host())
        .list_nodes()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DaemonUnreachable { .. }), "{err:?}");
}

#[tokio::test]
async fn a_failing_child_is_reported_in_its_own_words() {
    // What `docker -H ssh://...` prints when ssh cannot log in, and when it cannot connect.
    let refused_key = FakeDocker::new(
        "echo 'error during connect: Get \"http://docker.example.com/v1.41/_ping\": command [ssh -o ConnectTimeout=30 -T -- root@127.0.0.1 docker system dial-stdio] has exited with exit status 255, make sure the URL is valid, and Docker 18.09 or later is installed on the remote host: stderr=root@127.0.0.1: Permission denied (publickey,password).' >&2\nexit 1",
    );
    let err = refused_key
        .transport("ssh://root@127.0.0.1:2222")
        .list_nodes()
        .await
        .unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    let chain = format!("{err}: {}", std::error::Error::source(&err).unwrap());
    assert!(
        chain.contains("root@127.0.0.1: Permission denied (publickey,password)"),
        "{chain}"
    );
    assert!(chain.contains("ssh://root@127.0.0.1:2222"), "{chain}");

    let unreachable = FakeDocker::new(
        "echo 'ssh: connect to host 127.0.0.1 port 1: Connection refused' >&2\nexit 255",
    );
    for transport in [
        unreachable.transport("ssh://root@127.0.0.1:1"),
        unreachable.as_ssh("ssh://root@127.0.0.1:1"),
    ] {
        let err = transport.list_nodes().await.unwrap_err();
        let Error::DaemonUnreachable { source, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(
            source
                .as_ref()
                .unwrap()
                .to_string()
                .contains("port 1: Connection refused"),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn ssh_hosts_are_dialed_with_ssh_directly_and_its_words_are_kept() {
    // What ssh itself prints when the key is refused, run as docker's connection helper
    // runs it: no local docker (the docker program does not exist), the ssh command line.
    let refused_key = FakeDocker::new(
        "echo \"$*\" > args\necho 'root@127.0.0.1: Permission denied (publickey,password).' >&2\nexit 255",
    );
    let err = refused_key
        .as_ssh("ssh://root@127.0.0.1:2222")
        .list_nodes()
        .await
        .unwrap_err();
    assert!(err.is_connection(), "{err:?}");
    let chain = format!("{err}: {}", std::error::Error::source(&err).unwrap());
    assert!(
        chain.contains("root@127.0.0.1: Permission denied (publickey,password)"),
        "{chain}"
    );
    assert!(chain.contains("ssh://root@127.0.0.1:2222"), "{chain}");
    let args = std::fs::read_to_string(refused_key.path("args")).unwrap();
    assert_eq!(
        args.trim(),
        "-o ConnectTimeout=30 -T -l root -p 2222 -- 127.0.0.1 docker system dial-stdio"
    );

    // No ssh program: CliNotFound names it.
    let err = CliTransport::builder()
        .host("ssh://root@127.0.0.1:2222")
        .config_dir(config_dir())
        .ssh_program(Some(PathBuf::from("/nonexistent/ssh")))
        .build()
        .list_nodes()
        .await
        .unwrap_err();
    let Error::CliNotFound { program, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(program, &PathBuf::from("/nonexistent/ssh"));
}

#[tokio::test]
async fn auto_falls_back_to_commands_without_dial_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("docker");
    // An old client: no dial-stdio (its help is the usage of `docker system`), and a
    // `node ls -q` that lists nothing.
    std::fs::write(
        &program,
        "#!/bin/sh\ncase \"$*\" in\n*dial-stdio*) echo 'docker: unknown command: docker system dial-stdio' >&2; exit 1;;\nesac\nexit 0\n",
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cli = CliTransport::builder()
        .program(program.clone())
        .host("tcp://fake:2375")
        .build();
    assert!(!cli.uses_dial_stdio().await.unwrap());
    assert!(cli.list_nodes().await.unwrap().is_empty());
    assert_eq!(cli.dial_stdio_children(), (0, 0));
    // A first call, before anyone asked: its dial-stdio child fails, the binary is asked,
    // and the same call is answered by docker commands.
    let cli = CliTransport::builder()
        .program(program)
        .host("tcp://fake:2375")
        .build();
    assert!(cli.list_nodes().await.unwrap().is_empty());
    assert!(!cli.uses_dial_stdio().await.unwrap());
    assert_eq!(cli.dial_stdio_children(), (0, 0));
}

/// `Auto` does not ask the binary whether it has dial-stdio when dial-stdio works: calls
/// answered over one child run one docker process in all, and no `--help`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_runs_no_probe_when_dial_stdio_works() {
    if !docker_client("auto_runs_no_probe_when_dial_stdio_works") {
        return;
    }
    let unix = UnixEngine::start(FakeSwarm::sample());
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("calls.log");
    let program = dir.path().join("docker");
    std::fs::write(
        &program,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            which_docker().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cli = CliTransport::builder()
        .program(program)
        .host(unix.engine.host())
        .config_dir(config_dir())
        .build();
    assert!(!cli.list_services().await.unwrap().is_empty());
    assert!(!cli.list_nodes().await.unwrap().is_empty());
    assert!(!cli.list_tasks(&TaskFilter::new()).await.unwrap().is_empty());
    assert!(cli.uses_dial_stdio().await.unwrap());
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls.lines().count(), 1, "{calls}");
    assert!(
        calls.contains("system dial-stdio") && !calls.contains("--help"),
        "{calls}"
    );
    assert_eq!(cli.dial_stdio_children().0, 1);
}
