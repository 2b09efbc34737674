//! The CLI transport end to end through a real `sshd` on loopback: `ssh://root@127.0.0.1:PORT`
//! hosts and a docker context naming that host, against the fake engine (the sshd's sessions
//! get `DOCKER_HOST` from its `SetEnv`) and, with `SWARM_TASKS_E2E=1`, the real engine; the
//! answers must equal the HTTP transport's on the same engine, and a refused key must be a
//! connection error (exit 3) that quotes ssh.
//!
//! Nothing touches `~/.ssh`: keys, `sshd_config`, `ssh_config` and known hosts live in a
//! temporary directory, and the `docker` child finds an `ssh` wrapper first on its `PATH`
//! that adds `-F <that ssh_config>`. `.ci/run` installs Debian's `openssh-server`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use swarm_tasks::endpoint::DockerEnv;
use swarm_tasks::models::TaskFilter;
use swarm_tasks::monitor::{ServiceResult, WaitConfig};
use swarm_tasks::{Client, PsOptions, TransportKind};
use swarm_tasks_e2e::{complete, e2e_enabled, sorted};
use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};

/// A private sshd on a loopback port, killed when dropped.
struct Sshd {
    dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

fn run(program: &str, args: &[&str]) {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Sshd {
    /// Starts sshd with keys made here; its sessions get `DOCKER_HOST=docker_host`.
    fn start(tools: &Tools, docker_host: &str) -> Self {
        let Tools { sshd, ssh, docker } = tools;
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        for key in ["host_key", "client_key", "wrong_key"] {
            let file = path(key);
            run(
                "ssh-keygen",
                &[
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-f",
                    file.to_str().unwrap(),
                ],
            );
        }
        std::fs::copy(path("client_key.pub"), path("authorized_keys")).unwrap();
        // sshd wants its privilege separation directory.
        std::fs::create_dir_all("/run/sshd").unwrap();
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {pid}\n\
             AuthorizedKeysFile {keys}\nPermitRootLogin prohibit-password\nPubkeyAuthentication yes\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
             SetEnv DOCKER_HOST={docker_host}\n",
            host_key = path("host_key").display(),
            pid = path("sshd.pid").display(),
            keys = path("authorized_keys").display(),
        );
        std::fs::write(path("sshd_config"), config).unwrap();
        for (name, key) in [
            ("ssh_config", "client_key"),
            ("ssh_config_wrong", "wrong_key"),
        ] {
            let text = format!(
                "Host 127.0.0.1\n  IdentityFile {key}\n  IdentitiesOnly yes\n  BatchMode yes\n  \
                 StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n",
                key = path(key).display()
            );
            std::fs::write(path(name), text).unwrap();
        }
        // The `ssh` docker runs, first on PATH: the real one (by its path, not found again on
        // PATH) with our config.
        for (bin, config) in [("bin", "ssh_config"), ("bin_wrong", "ssh_config_wrong")] {
            std::fs::create_dir_all(path(bin)).unwrap();
            write_executable(
                &path(bin).join("ssh"),
                &format!(
                    "#!/bin/sh\nexec '{}' -F '{}' \"$@\"\n",
                    ssh.display(),
                    path(config).display()
                ),
            );
            // The docker program the transport runs: the real docker with that PATH.
            write_executable(
                &path(&format!("docker_{bin}")),
                &format!(
                    "#!/bin/sh\nPATH='{}':\"$PATH\" exec '{}' \"$@\"\n",
                    path(bin).display(),
                    docker.display()
                ),
            );
        }
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(path("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let sshd = Self { dir, port, child };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return sshd;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("sshd did not listen on 127.0.0.1:{port}");
    }

    fn host(&self) -> String {
        format!("ssh://root@127.0.0.1:{}", self.port)
    }

    /// The docker program that uses the right key, or the wrong one.
    fn docker(&self, right_key: bool) -> PathBuf {
        let name = if right_key {
            "docker_bin"
        } else {
            "docker_bin_wrong"
        };
        self.dir.path().join(name)
    }

    /// A docker config directory with a context `remote` whose endpoint is this host.
    fn context_config(&self) -> PathBuf {
        let config = self.dir.path().join("docker-config");
        std::fs::create_dir_all(&config).unwrap();
        run(
            self.docker(true).to_str().unwrap(),
            &[
                "--config",
                config.to_str().unwrap(),
                "context",
                "create",
                "remote",
                "--docker",
                &format!("host={}", self.host()),
            ],
        );
        config
    }

    /// A client over ssh: by host, or by the context.
    fn client(&self, by_context: bool, right_key: bool) -> Client {
        let config = self.context_config_cached();
        let env = DockerEnv::default().with_var("DOCKER_CONFIG", config.to_string_lossy());
        let builder = Client::builder()
            .environment(env)
            .transport(TransportKind::Auto)
            .docker_program(self.docker(right_key));
        let builder = if by_context {
            builder.context("remote")
        } else {
            builder.host(self.host())
        };
        builder.build().unwrap()
    }

    fn context_config_cached(&self) -> PathBuf {
        let config = self.dir.path().join("docker-config");
        if config.join("contexts").exists() {
            config
        } else {
            self.context_config()
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The programs this suite runs.
struct Tools {
    sshd: PathBuf,
    ssh: PathBuf,
    docker: PathBuf,
}

/// The tools this suite needs, or a skip (a failure under CI).
fn tools() -> Option<Tools> {
    let sshd = swarm_testkit::require("sshd", "to serve ssh:// hosts (Debian's openssh-server)")?;
    let ssh = swarm_testkit::require("ssh", "the docker CLI's ssh helper runs it")?;
    swarm_testkit::require("ssh-keygen", "to make the test's keys")?;
    let docker = swarm_testkit::require("docker", "the CLI transport runs it")?;
    Some(Tools { sshd, ssh, docker })
}

/// Compares what the ssh clients and the HTTP client answer on the same engine.
async fn compare(http: &Client, over_ssh: &Client, services: &[String], label: &str) {
    let options = PsOptions::default();
    let from_http = http.service_ps(services, &options).await.unwrap();
    let from_ssh = over_ssh.service_ps(services, &options).await.unwrap();
    assert_eq!(from_ssh.rows, from_http.rows, "{label}: service ps");
    assert!(!from_ssh.rows.is_empty(), "{label}: service ps found tasks");

    let all_http = sorted(complete(http.list(&TaskFilter::new()).await.unwrap()).unwrap());
    let all_ssh = sorted(complete(over_ssh.list(&TaskFilter::new()).await.unwrap()).unwrap());
    assert_eq!(all_ssh, all_http, "{label}: ls");

    let mut ids: Vec<String> = all_http.iter().map(|task| task.id.clone()).collect();
    ids.push("doesnotexist".to_owned());
    let inspected_http = http.inspect_many(&ids).await.unwrap();
    let inspected_ssh = over_ssh.inspect_many(&ids).await.unwrap();
    assert_eq!(
        inspected_ssh.found, inspected_http.found,
        "{label}: inspect"
    );
    assert_eq!(inspected_ssh.missing.len(), 1, "{label}: inspect missing");
}

async fn wait_converges(client: &Client, service: &str) {
    let mut config = WaitConfig::default();
    config.stable = Some(Duration::ZERO);
    config.timeout = Some(Duration::from_secs(60));
    let outcome = client.wait(&[service.to_owned()], config).await.unwrap();
    assert!(
        matches!(outcome.services[0].result, ServiceResult::Converged),
        "{outcome:?}"
    );
}

#[test]
fn through_sshd_to_the_fake_engine() {
    let Some(tools) = tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("fake.sock");
    let params = GenerateParams {
        services: 6,
        nodes: 5,
        replicas_per_service: 12,
        history_per_slot: 2,
        seed: 11,
    };
    let engine = FakeEngine::spawn_unix(FakeSwarm::generate(params), &socket).unwrap();
    let sshd = Sshd::start(&tools, &engine.host());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let http = Client::builder()
            .environment(DockerEnv::default())
            .host(engine.host())
            .build()
            .unwrap();
        let service = engine.swarm().services()[0]["Spec"]["Name"]
            .as_str()
            .unwrap()
            .to_owned();
        for by_context in [false, true] {
            let over_ssh = sshd.client(by_context, true);
            let label = if by_context { "context" } else { "host" };
            assert!(
                over_ssh.endpoint().contains("127.0.0.1") || over_ssh.endpoint().contains("remote"),
                "{}",
                over_ssh.endpoint()
            );
            compare(&http, &over_ssh, std::slice::from_ref(&service), label).await;
        }
        // The generated swarm never converges (a task stays starting): both waits end at the
        // deadline with the same account of what is lacking.
        let over_ssh = sshd.client(false, true);
        let mut config = WaitConfig::default();
        config.stable = Some(Duration::ZERO);
        config.timeout = Some(Duration::from_secs(3));
        let services = std::slice::from_ref(&service);
        let from_http = http.wait(services, config).await.unwrap();
        let from_ssh = over_ssh.wait(services, config).await.unwrap();
        assert_eq!(from_ssh.services, from_http.services);
        assert!(
            matches!(from_ssh.services[0].result, ServiceResult::TimedOut { .. }),
            "{from_ssh:?}"
        );

        // A key the server does not know: a connection error, in ssh's words, exit 3.
        let refused = sshd.client(false, false);
        let error = refused.list(&TaskFilter::new()).await.unwrap_err();
        assert!(error.is_connection(), "{error:?}");
        let error = anyhow::Error::new(error);
        let mut printed = Vec::new();
        let code = swarm_tasks_cli::report::failure(&mut printed, &error);
        let printed = String::from_utf8_lossy(&printed);
        assert_eq!(
            code,
            swarm_tasks_cli::exit::ExitCode::Unavailable,
            "{printed}"
        );
        assert_eq!(code.code(), 3);
        assert!(
            printed.contains("Permission denied (publickey)"),
            "{printed}"
        );
    });
}

#[test]
fn through_sshd_to_the_real_engine() {
    if !e2e_enabled("ssh real-engine scenario") {
        return;
    }
    let Some(tools) = tools() else {
        return;
    };
    let sshd = Sshd::start(&tools, "unix:///var/run/docker.sock");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let name = format!("{}ssh", swarm_tasks_e2e::unique_prefix());
    let image = swarm_testkit::real_engine::build_test_image().unwrap();
    swarm_testkit::real_engine::docker([
        "service",
        "create",
        "--detach",
        "--name",
        &name,
        "--replicas",
        "2",
        &image,
        "sleep",
        "3600",
    ])
    .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(async {
            let http = Client::builder()
                .environment(DockerEnv::default())
                .host("unix:///var/run/docker.sock")
                .build()
                .unwrap();
            let over_ssh = sshd.client(false, true);
            wait_converges(&over_ssh, &name).await;
            for by_context in [false, true] {
                let over_ssh = sshd.client(by_context, true);
                compare(
                    &http,
                    &over_ssh,
                    std::slice::from_ref(&name),
                    if by_context { "context" } else { "host" },
                )
                .await;
            }
        });
    }));
    let _ = swarm_testkit::real_engine::docker(["service", "rm", &name]);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
