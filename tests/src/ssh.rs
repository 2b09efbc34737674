//! A private `sshd` on a loopback port, for reaching an engine through `ssh://` hosts and a
//! docker context as remote users do: the ssh suite (`tests/ssh`) and the remote benchmark
//! (`crates/swarm-tasks-cli/benches/remote.rs`) share it.
//!
//! Nothing touches `~/.ssh`: keys, `sshd_config`, `ssh_config` and known hosts live in a
//! temporary directory. Beside them, a `bin` directory (and `bin_wrong`, with a key the
//! server does not know) holds a `docker` and an `ssh` wrapper; the `ssh` wrapper runs the
//! real `ssh` with `-F <that ssh_config>`. The clients of [`Sshd::client`] run that `ssh`
//! directly for each dial-stdio child (as docker's connection helper does) and that `docker`
//! for anything else; `docker` itself, run with the directory first on its `PATH`, finds the
//! same `ssh`. Both wrappers write one line per run to [`Sshd::calls`], so tests and the
//! benchmark count the `docker` processes and ssh connections a command cost.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use swarm_tasks::endpoint::DockerEnv;
use swarm_tasks::{Client, TransportKind};

/// The programs an sshd setup needs.
#[derive(Debug, Clone)]
pub struct SshTools {
    /// The ssh server (Debian's `openssh-server`).
    pub sshd: PathBuf,
    /// The ssh client the docker CLI runs for `ssh://` hosts.
    pub ssh: PathBuf,
    /// The real docker client.
    pub docker: PathBuf,
}

/// The tools an sshd setup needs, or `None` after a skip (a failure under `CI=true`, through
/// `swarm_testkit::require`).
pub fn ssh_tools() -> Option<SshTools> {
    let sshd = swarm_testkit::require("sshd", "to serve ssh:// hosts (Debian's openssh-server)")?;
    let ssh = swarm_testkit::require("ssh", "the docker CLI's ssh helper runs it")?;
    swarm_testkit::require("ssh-keygen", "to make the test's keys")?;
    let docker = swarm_testkit::require("docker", "the CLI transport runs it")?;
    Some(SshTools { sshd, ssh, docker })
}

/// Writes an executable file (a POSIX sh script).
///
/// # Panics
/// When the file cannot be written.
pub fn write_executable(path: &Path, text: &str) {
    let written = std::fs::write(path, text)
        .and_then(|()| std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)));
    if let Err(err) = written {
        panic!("write {}: {err}", path.display());
    }
}

/// Writes `dir/docker`: it appends `docker ARGS` to `log`, puts `dir` first on `PATH` (so an
/// `ssh` wrapper there is the one docker runs) and runs `real` with its arguments.
/// With `dial_stdio` false it answers `system dial-stdio` as a docker client older than 18.09
/// does (the `docker system` usage, which names no `dial-stdio`), so the CLI transport falls
/// back to docker commands. Returns the wrapper's path.
pub fn write_docker_wrapper(dir: &Path, real: &Path, log: &Path, dial_stdio: bool) -> PathBuf {
    let old_client = if dial_stdio {
        ""
    } else {
        "case \"$*\" in\n*'system dial-stdio'*) printf 'Usage:  docker system COMMAND\\n\\nManage Docker\\n\\nCommands:\\n  df          Show docker disk usage\\n  events      Get real time events from the server\\n  info        Display system-wide information\\n  prune       Remove unused data\\n'; exit 0;;\nesac\n"
    };
    let program = dir.join("docker");
    write_executable(
        &program,
        &format!(
            "#!/bin/sh\necho \"docker $*\" >> '{log}'\n{old_client}PATH='{dir}':\"$PATH\" exec '{real}' \"$@\"\n",
            log = log.display(),
            dir = dir.display(),
            real = real.display(),
        ),
    );
    program
}

/// Lines of a wrapper log that start with `program ` (`docker`, `ssh`): how many times it ran.
pub fn count_calls(log: &Path, program: &str) -> usize {
    let prefix = format!("{program} ");
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.starts_with(&prefix))
        .count()
}

fn run(program: &Path, args: &[&str]) {
    let output = match Command::new(program).args(args).output() {
        Ok(output) => output,
        Err(err) => panic!("run {}: {err}", program.display()),
    };
    assert!(
        output.status.success(),
        "{} {args:?}: {}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port());
    match port {
        Ok(port) => port,
        Err(err) => panic!("no free loopback port: {err}"),
    }
}

/// A private sshd on a loopback port, killed when dropped.
#[derive(Debug)]
pub struct Sshd {
    dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

impl Sshd {
    /// Starts sshd with keys made here; its sessions get `DOCKER_HOST=docker_host` (through
    /// `SetEnv`), so the `docker system dial-stdio` that docker runs on the far end reaches
    /// that daemon.
    ///
    /// # Panics
    /// When a key cannot be made, a file cannot be written or sshd does not listen.
    pub fn start(tools: &SshTools, docker_host: &str) -> Self {
        let SshTools { sshd, ssh, docker } = tools;
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(err) => panic!("temporary directory: {err}"),
        };
        let path = |name: &str| dir.path().join(name);
        let write = |name: &str, text: String| {
            if let Err(err) = std::fs::write(path(name), text) {
                panic!("write {name}: {err}");
            }
        };
        for key in ["host_key", "client_key", "wrong_key"] {
            let file = path(key).display().to_string();
            run(
                Path::new("ssh-keygen"),
                &["-q", "-t", "ed25519", "-N", "", "-f", &file],
            );
        }
        if let Err(err) = std::fs::copy(path("client_key.pub"), path("authorized_keys")) {
            panic!("authorized_keys: {err}");
        }
        // sshd wants its privilege separation directory.
        if let Err(err) = std::fs::create_dir_all("/run/sshd") {
            panic!("/run/sshd: {err}");
        }
        let port = free_port();
        write(
            "sshd_config",
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {pid}\n\
                 AuthorizedKeysFile {keys}\nPermitRootLogin prohibit-password\nPubkeyAuthentication yes\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
                 MaxStartups 100:30:200\nSetEnv DOCKER_HOST={docker_host}\n",
                host_key = path("host_key").display(),
                pid = path("sshd.pid").display(),
                keys = path("authorized_keys").display(),
            ),
        );
        for (config, key) in [
            ("ssh_config", "client_key"),
            ("ssh_config_wrong", "wrong_key"),
        ] {
            write(
                config,
                format!(
                    "Host 127.0.0.1\n  IdentityFile {key}\n  IdentitiesOnly yes\n  BatchMode yes\n  \
                     StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n",
                    key = path(key).display()
                ),
            );
        }
        let log = path("calls.log");
        for (bin, config) in [("bin", "ssh_config"), ("bin_wrong", "ssh_config_wrong")] {
            if let Err(err) = std::fs::create_dir_all(path(bin)) {
                panic!("{bin}: {err}");
            }
            // The `ssh` docker runs, first on PATH: the real one (by its path, not found
            // again on PATH) with our config.
            write_executable(
                &path(bin).join("ssh"),
                &format!(
                    "#!/bin/sh\necho \"ssh $*\" >> '{log}'\nexec '{ssh}' -F '{config}' \"$@\"\n",
                    log = log.display(),
                    ssh = ssh.display(),
                    config = path(config).display()
                ),
            );
            write_docker_wrapper(&path(bin), docker, &log, true);
        }
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(path("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(err) => panic!("start {}: {err}", sshd.display()),
        };
        let sshd = Self { dir, port, child };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return sshd;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("sshd did not listen on 127.0.0.1:{port}");
    }

    /// The port the sshd listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `ssh://root@127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("ssh://root@127.0.0.1:{}", self.port)
    }

    /// The directory holding the `docker` and `ssh` wrappers that use the right key, or the
    /// wrong one: put it first on `PATH`.
    pub fn bin_dir(&self, right_key: bool) -> PathBuf {
        self.dir
            .path()
            .join(if right_key { "bin" } else { "bin_wrong" })
    }

    /// The docker program that uses the right key, or the wrong one.
    pub fn docker(&self, right_key: bool) -> PathBuf {
        self.bin_dir(right_key).join("docker")
    }

    /// The log both kinds of wrappers append to: one `docker ARGS` line per docker process,
    /// one `ssh ARGS` line per ssh connection.
    pub fn calls(&self) -> PathBuf {
        self.dir.path().join("calls.log")
    }

    /// A docker config directory with a context `remote` whose endpoint is this host.
    pub fn context_config(&self) -> PathBuf {
        let config = self.dir.path().join("docker-config");
        if config.join("contexts").exists() {
            return config;
        }
        if let Err(err) = std::fs::create_dir_all(&config) {
            panic!("docker config directory: {err}");
        }
        let config_arg = config.display().to_string();
        run(
            &self.docker(true),
            &[
                "--config",
                &config_arg,
                "context",
                "create",
                "remote",
                "--docker",
                &format!("host={}", self.host()),
            ],
        );
        config
    }

    /// A client over ssh (`TransportKind::Auto`): by host, or by the context. Its `ssh` and
    /// `docker` programs are the wrappers of [`bin_dir`](Self::bin_dir).
    ///
    /// # Panics
    /// When the client cannot be built.
    pub fn client(&self, by_context: bool, right_key: bool) -> Client {
        let config = self.context_config();
        let env = DockerEnv::default().with_var("DOCKER_CONFIG", config.to_string_lossy());
        let builder = Client::builder()
            .environment(env)
            .transport(TransportKind::Auto)
            .docker_program(self.docker(right_key))
            .ssh_program(self.bin_dir(right_key).join("ssh"));
        let builder = if by_context {
            builder.context("remote")
        } else {
            builder.host(self.host())
        };
        match builder.build() {
            Ok(client) => client,
            Err(err) => panic!("client over {}: {err}", self.host()),
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
