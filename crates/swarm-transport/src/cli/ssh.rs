//! The command a dial-stdio child runs: `docker [...] system dial-stdio`, or, for an `ssh://`
//! endpoint, the `ssh` command docker's own connection helper would run.
//!
//! For an `ssh://` host, `docker -H ssh://... system dial-stdio` first pings the daemon over
//! one ssh connection (every docker command does, to learn the API version) and then dials a
//! second ssh connection for the raw stream: two ssh handshakes per child. Docker itself
//! reaches an `ssh://` host by running `ssh [-l USER] [-p PORT] -- HOST docker [--host
//! unix://PATH] system dial-stdio` and speaking HTTP over that connection. Running that
//! command ourselves costs one handshake per child and no local `docker` process; the far
//! end runs the same `docker system dial-stdio` either way.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::command::{Invocation, shell_line};
use crate::endpoint::{DockerEnv, EndpointOptions, resolve_endpoint};

/// What docker's connection helper passes before the destination (`-T`: no terminal, so no
/// login shell; a connect timeout so a dead host fails instead of hanging).
const SSH_FLAGS: [&str; 3] = ["-o", "ConnectTimeout=30", "-T"];

/// The program and arguments of one dial-stdio child, and its command line for errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DialCommand {
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<OsString>,
    /// The command line as a shell would take it.
    pub(crate) display: String,
    /// True when this is `ssh` itself rather than `docker ... system dial-stdio`.
    pub(crate) direct_ssh: bool,
}

impl DialCommand {
    /// `docker [--config DIR] [-H HOST | --context NAME] system dial-stdio`.
    pub(crate) fn docker(invocation: &Invocation) -> Self {
        let subcommand = ["system".to_owned(), "dial-stdio".to_owned()];
        Self {
            program: invocation.program.clone(),
            args: invocation.args_for(&subcommand),
            display: invocation.display(&subcommand),
            direct_ssh: false,
        }
    }

    /// The ssh command for `invocation`'s endpoint when it is an `ssh://` host (named by `-H`,
    /// `DOCKER_HOST` or a readable context) and `ssh_program` is given; otherwise docker's
    /// dial-stdio. An ssh URL docker would refuse (a password, a query) is left to docker,
    /// so the user gets docker's own message.
    pub(crate) fn for_invocation(invocation: &Invocation, ssh_program: Option<&Path>) -> Self {
        let Some(ssh_program) = ssh_program else {
            return Self::docker(invocation);
        };
        let Some(host) = endpoint_host(invocation, &DockerEnv::from_process()) else {
            return Self::docker(invocation);
        };
        match SshSpec::parse(&host) {
            Some(spec) => spec.command(ssh_program),
            None => Self::docker(invocation),
        }
    }
}

/// The daemon address docker would use for `invocation` in `env`, if it can be told without
/// running docker.
fn endpoint_host(invocation: &Invocation, env: &DockerEnv) -> Option<String> {
    if let Some(host) = invocation.host.as_deref().filter(|host| !host.is_empty()) {
        return Some(host.to_owned());
    }
    let mut env = env.clone();
    if let Some(dir) = &invocation.config_dir {
        env = env.with_var("DOCKER_CONFIG", dir.to_string_lossy());
    }
    let options = EndpointOptions {
        host: None,
        context: invocation.context.clone(),
    };
    resolve_endpoint(&options, &env)
        .ok()
        .map(|endpoint| endpoint.host)
}

/// The parts of an `ssh://[USER@]HOST[:PORT][/SOCKET]` address that the ssh command takes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SshSpec {
    user: Option<String>,
    host: String,
    port: Option<u16>,
    /// The daemon socket on the far side, when the URL has a path.
    socket: Option<String>,
}

impl SshSpec {
    /// `None` for anything that is not an ssh URL docker accepts: another scheme, no host, a
    /// password, a query or a fragment.
    fn parse(address: &str) -> Option<Self> {
        let url = url::Url::parse(address).ok()?;
        if url.scheme() != "ssh"
            || url.password().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return None;
        }
        let host = match url.host()? {
            url::Host::Domain(name) => name.to_owned(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        if host.is_empty() {
            return None;
        }
        let user = percent_decoded(url.username())?;
        let path = percent_decoded(url.path())?;
        Some(Self {
            user: Some(user).filter(|user| !user.is_empty()),
            host,
            port: url.port(),
            socket: Some(path).filter(|path| !path.is_empty()),
        })
    }

    fn command(&self, ssh_program: &Path) -> DialCommand {
        let mut words: Vec<String> = SSH_FLAGS.iter().map(|flag| (*flag).to_owned()).collect();
        if let Some(user) = &self.user {
            words.extend(["-l".to_owned(), user.clone()]);
        }
        if let Some(port) = self.port {
            words.extend(["-p".to_owned(), port.to_string()]);
        }
        words.extend(["--".to_owned(), self.host.clone(), "docker".to_owned()]);
        if let Some(socket) = &self.socket {
            words.extend(["--host".to_owned(), format!("unix://{socket}")]);
        }
        words.extend(["system".to_owned(), "dial-stdio".to_owned()]);
        let mut line = vec![ssh_program.display().to_string()];
        line.extend(words.iter().cloned());
        let display = shell_line(&line);
        DialCommand {
            program: ssh_program.to_path_buf(),
            args: words.into_iter().map(OsString::from).collect(),
            display,
            direct_ssh: true,
        }
    }
}

/// A URL component with its percent escapes undone; `None` when that is not UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::command::tests::invocation;

    fn args(command: &DialCommand) -> Vec<String> {
        command
            .args
            .iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn an_ssh_host_is_dialed_with_the_command_docker_would_run() {
        let spec = SshSpec::parse("ssh://root@127.0.0.1:2222").unwrap();
        let command = spec.command(Path::new("ssh"));
        assert!(command.direct_ssh);
        assert_eq!(command.program, PathBuf::from("ssh"));
        assert_eq!(
            args(&command),
            [
                "-o",
                "ConnectTimeout=30",
                "-T",
                "-l",
                "root",
                "-p",
                "2222",
                "--",
                "127.0.0.1",
                "docker",
                "system",
                "dial-stdio"
            ]
        );
        assert_eq!(
            command.display,
            "ssh -o 'ConnectTimeout=30' -T -l root -p 2222 -- 127.0.0.1 docker system dial-stdio"
        );
    }

    #[test]
    fn a_path_names_the_far_socket_and_ipv6_loses_its_brackets() {
        let spec = SshSpec::parse("ssh://[::1]/run/user/1000/docker.sock").unwrap();
        assert_eq!(
            spec,
            SshSpec {
                user: None,
                host: "::1".to_owned(),
                port: None,
                socket: Some("/run/user/1000/docker.sock".to_owned()),
            }
        );
        let shown = args(&spec.command(Path::new("/usr/bin/ssh")));
        assert_eq!(
            shown[3..],
            [
                "--",
                "::1",
                "docker",
                "--host",
                "unix:///run/user/1000/docker.sock",
                "system",
                "dial-stdio"
            ]
        );
    }

    #[test]
    fn what_docker_refuses_is_left_to_docker() {
        for refused in [
            "ssh://me:secret@box",
            "ssh://box?x=1",
            "ssh://box#frag",
            "ssh://",
            "tcp://box:2375",
            "unix:///var/run/docker.sock",
            "not a url",
        ] {
            assert_eq!(SshSpec::parse(refused), None, "{refused}");
        }
    }

    #[test]
    fn only_ssh_endpoints_with_an_ssh_program_go_direct() {
        let ssh = Some(Path::new("ssh"));
        let by_host = Invocation {
            host: Some("ssh://me@box".to_owned()),
            ..invocation()
        };
        assert!(DialCommand::for_invocation(&by_host, ssh).direct_ssh);
        let without = DialCommand::for_invocation(&by_host, None);
        assert!(!without.direct_ssh);
        assert_eq!(
            args(&without),
            ["-H", "ssh://me@box", "system", "dial-stdio"]
        );
        let tcp = Invocation {
            host: Some("tcp://box:2375".to_owned()),
            ..invocation()
        };
        assert!(!DialCommand::for_invocation(&tcp, ssh).direct_ssh);
    }

    #[test]
    fn a_context_with_an_ssh_endpoint_is_read_from_the_store() {
        let config = tempfile::tempdir().unwrap();
        swarm_testkit::write_docker_context(config.path(), "remote", "ssh://ops@far:2200");
        let by_context = Invocation {
            context: Some("remote".to_owned()),
            config_dir: Some(config.path().to_path_buf()),
            ..invocation()
        };
        let env = DockerEnv::default();
        assert_eq!(
            endpoint_host(&by_context, &env).as_deref(),
            Some("ssh://ops@far:2200")
        );
        // An unknown context is left to docker, which says what is wrong with it.
        let unknown = Invocation {
            context: Some("nowhere".to_owned()),
            ..by_context
        };
        assert_eq!(endpoint_host(&unknown, &env), None);
    }
}
