//! `cargo xtask fixtures`: record what the real Docker Engine says about tasks, services and
//! nodes, so the model tests and the demo run on real daemon output, not hand-written JSON.
//!
//! Without flags it creates a set of uniquely named services that leave tasks in as many
//! states as one node can show (running, failed, pending, rejected, complete, shutdown after a
//! forced update, plus a network-attachment task), waits (bounded) until those states appear,
//! and writes one pretty-printed object per file into
//! `crates/swarm-models/tests/fixtures/engine/{tasks,services,nodes}/`.
//!
//! With `--demo DIR` it creates the small, readable swarm of the offline demo (`web`,
//! `monitor`, `migrate`, `broken`, `pending`) and writes a snapshot folder: `tasks.json`,
//! `services.json` and `nodes.json` exactly as `docker inspect` prints them, plus the raw
//! `GET /info` and `GET /version` bodies.
//!
//! Everything created is removed again unless `--keep` is given, also when recording fails.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use swarm_testkit::real_engine::{self, ServiceGuard, docker, docker_json};

use crate::flags::FixturesArgs;

mod cleanup;

use cleanup::Cleanup;

/// Where the model fixtures go, relative to the workspace root.
const FIXTURES_DIR: &str = "crates/swarm-models/tests/fixtures/engine";
/// An image that exists in no registry this machine can reach, so its tasks are rejected.
const MISSING_IMAGE: &str = "swarm-tasks-missing:none";
/// How long to wait for the wanted task states before recording what is there.
const WAIT_LIMIT: Duration = Duration::from_secs(180);
const POLL_EVERY: Duration = Duration::from_millis(1000);

pub fn run(root: &Path, args: FixturesArgs) -> Result<()> {
    if !real_engine::docker_available() {
        bail!("no Docker Engine answers `docker info`; start one (or set DOCKER_HOST) and retry");
    }
    real_engine::ensure_swarm().context("making the engine a single-node swarm")?;
    let image = real_engine::build_test_image().context("building the test image")?;
    match &args.demo {
        Some(dir) => record_demo(dir, &image, args.keep),
        None => record_fixtures(&root.join(FIXTURES_DIR), &image, args.keep),
    }
}

/// One service to create, and the task states it must show before recording.
struct ServiceDef {
    /// Stable name for the recorded files (`replicated`, `global` ...).
    role: &'static str,
    /// The service name on the engine.
    name: String,
    /// Arguments after `docker service create --detach --name NAME`.
    args: Vec<String>,
    /// `(state, minimum count)` pairs that must appear among the service's tasks.
    wants: Vec<(&'static str, usize)>,
    /// Run `docker service update --force` once its tasks run, to get history.
    force_update: bool,
}

impl ServiceDef {
    fn new(role: &'static str, name: String, args: Vec<String>) -> Self {
        Self {
            role,
            name,
            args,
            wants: Vec::new(),
            force_update: false,
        }
    }

    fn wants(mut self, state: &'static str, count: usize) -> Self {
        self.wants.push((state, count));
        self
    }

    fn force_update(mut self) -> Self {
        self.force_update = true;
        self
    }
}

fn record_fixtures(out_dir: &Path, image: &str, keep: bool) -> Result<()> {
    let prefix = format!("stfx{}", std::process::id());
    let mut cleanup = Cleanup::new(keep);
    let scratch = std::env::temp_dir().join(format!("{prefix}-files"));
    fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let shared = create_shared_objects(&prefix, &scratch, &mut cleanup)?;
    let defs = fixture_services(&prefix, image, &shared);
    // A container on the attachable network gets a network-attachment task (hidden from
    // plain task lists; the `runtime` filter shows it).
    let attach = format!("{prefix}-attach");
    cleanup.containers.push(attach.clone());
    let recorded = create_and_wait(&defs, &mut cleanup.services).and_then(|unmet| {
        docker([
            "run",
            "--detach",
            "--name",
            &attach,
            "--network",
            &shared.net,
            image,
            "sleep",
            "3600",
        ])?;
        let attachment = attachment_task(&attach)?;
        Ok((unmet, attachment))
    });
    let (unmet, attachment) = recorded?;

    let files = collect_fixture_files(&defs, attachment, &attach)?;
    write_fixture_files(out_dir, &files)?;
    fs::write(out_dir.join("SOURCE.md"), source_note()?)?;
    let _ = fs::remove_dir_all(&scratch);
    println!("recorded {} files into {}", files.len(), out_dir.display());
    report_unmet(&unmet);
    Ok(())
}

/// The network, config, secret and volume names the fixture services refer to.
struct SharedObjects {
    net: String,
    config: String,
    secret: String,
    volume: String,
}

/// Creates the overlay network, config and secret the fixture services use (and names the
/// volume), registering each for cleanup.
fn create_shared_objects(
    prefix: &str,
    scratch: &Path,
    cleanup: &mut Cleanup,
) -> Result<SharedObjects> {
    let net = format!("{prefix}-net");
    let config = format!("{prefix}-config");
    let secret = format!("{prefix}-secret");
    let volume = format!("{prefix}-data");
    cleanup.networks.push(net.clone());
    docker([
        "network",
        "create",
        "--driver",
        "overlay",
        "--attachable",
        &net,
    ])?;
    let config_file = scratch.join("fixture.conf");
    fs::write(&config_file, "answer = 42\n")?;
    cleanup.configs.push(config.clone());
    docker([
        "config",
        "create",
        "--label",
        "fixture=yes",
        &config,
        path_arg(&config_file)?,
    ])?;
    cleanup.secrets.push(secret.clone());
    docker(["secret", "create", &secret, path_arg(&config_file)?])?;
    cleanup.volumes.push(volume.clone());

    Ok(SharedObjects {
        net,
        config,
        secret,
        volume,
    })
}

/// One service per kind of task the fixtures must hold, with the states each must reach.
fn fixture_services(prefix: &str, image: &str, shared: &SharedObjects) -> Vec<ServiceDef> {
    let SharedObjects {
        net,
        config,
        secret,
        volume,
    } = shared;
    let mut replicated = words(
        "--replicas 2 --publish mode=host,target=8080 --publish target=8081
         --health-interval 5s --health-timeout 2s --health-retries 2 --health-start-period 1s
         --env FIXTURE=replicated --env EMPTY= --container-label com.example.container=yes
         --label com.example.role=fixture --label com.example.tier=web
         --limit-cpu 0.5 --limit-memory 64M --limit-pids 64 --reserve-cpu 0.05 --reserve-memory 8M
         --restart-condition any --restart-delay 2s --restart-max-attempts 5 --restart-window 30s
         --placement-pref spread=node.labels.zone --stop-grace-period 3s --stop-signal SIGTERM
         --log-driver json-file --log-opt max-size=1m --log-opt max-file=2
         --mount type=tmpfs,target=/scratch,tmpfs-size=1048576,tmpfs-mode=1770
         --update-parallelism 1 --update-delay 1s --update-order start-first
         --update-failure-action rollback --update-monitor 2s
         --rollback-parallelism 2 --rollback-order stop-first
         --hostname {{.Service.Name}}-{{.Task.Slot}} --workdir /tmp
         --dns-search example.invalid --dns-option ndots:1 --host fixture-host:127.0.0.2
         --cap-add CAP_NET_ADMIN --cap-drop CAP_MKNOD --sysctl net.ipv4.ip_forward=0
         --ulimit nofile=1024:2048 --init --group 65534",
    );
    replicated.extend([
        "--health-cmd".to_owned(),
        "test -e /bin/busybox".to_owned(),
        "--network".to_owned(),
        format!("name={net},alias=fixture-web"),
        "--mount".to_owned(),
        format!(
            "type=volume,source={volume},target=/data,volume-label=fixture=yes,volume-nocopy=true"
        ),
        "--config".to_owned(),
        format!("source={config},target=/etc/fixture.conf,mode=0440"),
        "--secret".to_owned(),
        format!("source={secret},target=fixture-secret,mode=0400"),
    ]);
    replicated.extend(words(&format!("{image} httpd -f -p 8080")));
    let mut failing = words(&format!(
        "--restart-condition on-failure --restart-max-attempts 2 --restart-delay 1s {image} sh -c"
    ));
    failing.push("echo failing >&2; exit 3".to_owned());
    vec![
        ServiceDef::new("replicated", format!("{prefix}-replicated"), replicated)
            .wants("running", 2)
            .wants("shutdown", 2)
            .force_update(),
        ServiceDef::new(
            "global",
            format!("{prefix}-global"),
            words(&format!(
                "--mode global --label com.example.role=agent --read-only {image} sleep 3600"
            )),
        )
        .wants("running", 1),
        ServiceDef::new("failing", format!("{prefix}-failing"), failing).wants("failed", 3),
        ServiceDef::new(
            "pending",
            format!("{prefix}-pending"),
            words(&format!(
                "--constraint node.labels.swarm-tasks.fixture==nowhere --replicas-max-per-node 1
                 {image} sleep 3600"
            )),
        )
        .wants("pending", 1),
        ServiceDef::new(
            "rejected",
            format!("{prefix}-rejected"),
            words(&format!(
                "--no-resolve-image --restart-max-attempts 1 --restart-delay 1s {MISSING_IMAGE}"
            )),
        )
        .wants("rejected", 2),
        ServiceDef::new(
            "job",
            format!("{prefix}-job"),
            words(&format!(
                "--mode replicated-job --replicas 2 --max-concurrent 1 {image} echo done"
            )),
        )
        .wants("complete", 2),
        ServiceDef::new(
            "global-job",
            format!("{prefix}-global-job"),
            words(&format!("--mode global-job {image} true")),
        )
        .wants("complete", 1),
    ]
}

/// The recorded objects, keyed by their path below the fixtures folder.
fn collect_fixture_files(
    defs: &[ServiceDef],
    attachment: Option<Value>,
    attach: &str,
) -> Result<BTreeMap<PathBuf, Value>> {
    let mut files: BTreeMap<PathBuf, Value> = BTreeMap::new();
    for def in defs {
        let mut per_state: BTreeMap<String, usize> = BTreeMap::new();
        for task in sorted_tasks(service_tasks(&def.name)?) {
            let state = task_state(&task).to_owned();
            let idx = per_state.entry(state.clone()).or_default();
            *idx += 1;
            files.insert(
                format!("tasks/{}-{state}-{idx}.json", def.role).into(),
                task,
            );
        }
        files.insert(
            format!("services/{}.json", def.role).into(),
            first(docker_json(["service", "inspect", &def.name])?)?,
        );
    }
    match attachment {
        Some(task) => {
            let state = task_state(&task).to_owned();
            files.insert(format!("tasks/attachment-{state}-1.json").into(), task);
        }
        None => eprintln!("warning: no network-attachment task found for container {attach}"),
    }
    for node in array(docker_json(node_inspect_args()?)?)? {
        let role = node
            .pointer("/Spec/Role")
            .and_then(Value::as_str)
            .unwrap_or("node")
            .to_owned();
        let count = files
            .keys()
            .filter(|path| path.starts_with(format!("nodes/{role}")))
            .count();
        files.insert(format!("nodes/{role}-{}.json", count + 1).into(), node);
    }

    Ok(files)
}

/// Replaces the tasks, services and nodes folders with the recorded files.
fn write_fixture_files(out_dir: &Path, files: &BTreeMap<PathBuf, Value>) -> Result<()> {
    for sub in ["tasks", "services", "nodes"] {
        let dir = out_dir.join(sub);
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    for (rel, value) in files {
        let path = out_dir.join(rel);
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn record_demo(dir: &Path, image: &str, keep: bool) -> Result<()> {
    let mut cleanup = Cleanup::new(keep);
    let defs = vec![
        ServiceDef::new(
            "web",
            "web".to_owned(),
            words(&format!(
                "--replicas 3 --publish target=80 --label com.example.team=frontend
                 --env GREETING=hello --limit-memory 64M {image} httpd -f -p 80"
            )),
        )
        .wants("running", 3)
        .wants("shutdown", 3)
        .force_update(),
        ServiceDef::new(
            "monitor",
            "monitor".to_owned(),
            words(&format!(
                "--mode global --label com.example.team=ops {image} sleep 86400"
            )),
        )
        .wants("running", 1),
        ServiceDef::new(
            "migrate",
            "migrate".to_owned(),
            words(&format!(
                "--mode replicated-job --replicas 2 {image} echo migrated"
            )),
        )
        .wants("complete", 2),
        ServiceDef::new(
            "broken",
            "broken".to_owned(),
            words(&format!(
                "--no-resolve-image --restart-max-attempts 2 --restart-delay 1s {MISSING_IMAGE}"
            )),
        )
        .wants("rejected", 3),
        ServiceDef::new(
            "pending",
            "pending".to_owned(),
            words(&format!(
                "--constraint node.labels.tier==gpu {image} sleep 86400"
            )),
        )
        .wants("pending", 1),
    ];
    let unmet = create_and_wait(&defs, &mut cleanup.services)?;

    let mut ids = Vec::new();
    for def in &defs {
        ids.extend(task_ids(&def.name)?);
    }
    let mut inspect_tasks = vec![
        "inspect".to_owned(),
        "--type".to_owned(),
        "task".to_owned(),
        "--".to_owned(),
    ];
    inspect_tasks.extend(ids);
    let mut inspect_services = vec!["service".to_owned(), "inspect".to_owned(), "--".to_owned()];
    inspect_services.extend(defs.iter().map(|def| def.name.clone()));

    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_file(&dir.join("tasks.json"), docker(&inspect_tasks)?.as_bytes())?;
    write_file(
        &dir.join("services.json"),
        docker(&inspect_services)?.as_bytes(),
    )?;
    write_file(
        &dir.join("nodes.json"),
        docker(node_inspect_args()?)?.as_bytes(),
    )?;
    write_file(&dir.join("info.json"), &real_engine::engine_get("/info")?)?;
    write_file(
        &dir.join("version.json"),
        &real_engine::engine_get("/version")?,
    )?;
    println!("recorded the demo snapshot into {}", dir.display());
    report_unmet(&unmet);
    Ok(())
}

/// Creates the services, forces an update where asked, and waits for the wanted states.
/// Returns what never appeared within [`WAIT_LIMIT`] (recorded anyway, reported to the user).
fn create_and_wait(defs: &[ServiceDef], guard: &mut ServiceGuard) -> Result<Vec<String>> {
    for def in defs {
        if docker(["service", "inspect", "--format", "{{.ID}}", &def.name]).is_ok() {
            bail!(
                "a service named {} already exists; remove it and retry",
                def.name
            );
        }
    }
    for def in defs {
        guard.track(def.name.clone());
        let mut args = vec![
            "service".to_owned(),
            "create".to_owned(),
            "--detach".to_owned(),
        ];
        args.extend(["--name".to_owned(), def.name.clone()]);
        args.extend(def.args.iter().cloned());
        docker(&args).with_context(|| format!("creating service {}", def.name))?;
    }
    let updated: Vec<&ServiceDef> = defs.iter().filter(|def| def.force_update).collect();
    if !updated.is_empty() {
        let before = wait_until("tasks to run before the forced update", || {
            let mut unmet = Vec::new();
            for def in &updated {
                let running = def.wants.iter().find(|(state, _)| *state == "running");
                if let Some((state, count)) = running {
                    unmet.extend(missing_states(def, &[(state, *count)])?);
                }
            }
            Ok(unmet)
        })?;
        report_unmet(&before);
        for def in &updated {
            docker(["service", "update", "--detach", "--force", &def.name])?;
        }
    }
    wait_until("the wanted task states", || {
        let mut unmet = Vec::new();
        for def in defs {
            let wants: Vec<(&str, usize)> = def.wants.iter().map(|(s, n)| (*s, *n)).collect();
            unmet.extend(missing_states(def, &wants)?);
            if def.force_update {
                let service = first(docker_json(["service", "inspect", &def.name])?)?;
                let state = service
                    .pointer("/UpdateStatus/State")
                    .and_then(Value::as_str);
                if state != Some("completed") {
                    unmet.push(format!(
                        "{}: update state {state:?}, want \"completed\"",
                        def.role
                    ));
                }
            }
        }
        Ok(unmet)
    })
}

/// Polls `check` until it reports nothing unmet or [`WAIT_LIMIT`] passes.
fn wait_until(what: &str, mut check: impl FnMut() -> Result<Vec<String>>) -> Result<Vec<String>> {
    let started = Instant::now();
    eprintln!("waiting (at most {}s) for {what}", WAIT_LIMIT.as_secs());
    loop {
        let unmet = check()?;
        if unmet.is_empty() || started.elapsed() > WAIT_LIMIT {
            return Ok(unmet);
        }
        // Recording drives a real engine: polling with a pause is the only way to wait here.
        thread::sleep(POLL_EVERY);
    }
}

fn missing_states(def: &ServiceDef, wants: &[(&str, usize)]) -> Result<Vec<String>> {
    let tasks = service_tasks(&def.name)?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for task in &tasks {
        *counts.entry(task_state(task)).or_default() += 1;
    }
    Ok(wants
        .iter()
        .filter(|(state, count)| counts.get(state).copied().unwrap_or(0) < *count)
        .map(|(state, count)| format!("{}: want {count} {state}, have {counts:?}", def.role))
        .collect())
}

fn task_ids(service: &str) -> Result<Vec<String>> {
    let out = docker(["service", "ps", "--no-trunc", "--quiet", "--", service])?;
    Ok(out
        .lines()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect())
}

fn service_tasks(service: &str) -> Result<Vec<Value>> {
    let ids = task_ids(service)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec![
        "inspect".to_owned(),
        "--type".to_owned(),
        "task".to_owned(),
        "--".to_owned(),
    ];
    args.extend(ids);
    array(docker_json(&args)?)
}

/// The network-attachment task of a container, found through the `runtime` task filter.
fn attachment_task(container: &str) -> Result<Option<Value>> {
    let container_id = docker([
        "inspect",
        "--type",
        "container",
        "--format",
        "{{.Id}}",
        container,
    ])?;
    let container_id = container_id.trim();
    let started = Instant::now();
    loop {
        let body =
            real_engine::engine_get("/tasks?filters=%7B%22runtime%22%3A%5B%22attachment%22%5D%7D")?;
        let tasks = array(serde_json::from_slice(&body)?)?;
        let found = tasks.into_iter().find(|task| {
            task.pointer("/Spec/NetworkAttachmentSpec/ContainerID")
                .and_then(Value::as_str)
                == Some(container_id)
        });
        if found.is_some() || started.elapsed() > WAIT_LIMIT {
            return Ok(found);
        }
        thread::sleep(POLL_EVERY);
    }
}

fn node_inspect_args() -> Result<Vec<String>> {
    let ids = docker(["node", "ls", "--quiet"])?;
    let mut args = vec!["node".to_owned(), "inspect".to_owned(), "--".to_owned()];
    args.extend(
        ids.lines()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned),
    );
    Ok(args)
}

/// Tasks in a stable order: slot, node, creation time.
fn sorted_tasks(mut tasks: Vec<Value>) -> Vec<Value> {
    let key = |task: &Value| {
        (
            task.get("Slot").and_then(Value::as_u64).unwrap_or(0),
            task.get("NodeID")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            task.get("CreatedAt")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        )
    };
    tasks.sort_by_key(key);
    tasks
}

/// Splits a whitespace-separated argument list (for arguments without spaces).
fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn task_state(task: &Value) -> &str {
    task.pointer("/Status/State")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
}

fn array(value: Value) -> Result<Vec<Value>> {
    match value {
        Value::Array(items) => Ok(items),
        other => bail!("expected a JSON array from docker, got {other}"),
    }
}

fn first(value: Value) -> Result<Value> {
    array(value)?
        .into_iter()
        .next()
        .context("docker printed an empty array")
}

fn path_arg(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not UTF-8", path.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn source_note() -> Result<String> {
    let version = docker([
        "version",
        "--format",
        "{{.Server.Version}} (API {{.Server.APIVersion}})",
    ])?;
    Ok(format!(
        "# Engine fixtures\n\n\
         Recorded by `cargo xtask fixtures` from Docker Engine {}, a single-node swarm on the\n\
         development machine. One object per file: what `docker inspect --type task`, `docker service inspect`\n\
         and `docker node inspect` print, re-indented with sorted keys, values untouched (the attachment task comes from\n\
         `GET /tasks?filters={{\"runtime\":[\"attachment\"]}}`). File names are `ROLE-STATE-N.json`; see\n\
         `xtask/src/fixtures.rs` for what each role's service is made of and `docs/fixtures.md` for what\n\
         this engine cannot show. Do not edit by hand: re-record instead.\n",
        version.trim()
    ))
}

fn report_unmet(unmet: &[String]) {
    for line in unmet {
        eprintln!("warning: not reached in time: {line}");
    }
}
