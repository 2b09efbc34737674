//! Building `docker` argument vectors and running them: global flags first, `--` before ids,
//! id lists chunked under the argument limit, a timeout that kills the child. Never a shell.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::error::{Error, Result};

/// How `docker` is invoked: the program and the global flags that pick the daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invocation {
    /// The `docker` program (a name looked up in `PATH`, or a path).
    pub(crate) program: PathBuf,
    /// `--context NAME`.
    pub(crate) context: Option<String>,
    /// `-H HOST`; wins over the context, as `docker` refuses both.
    pub(crate) host: Option<String>,
    /// `--config DIR`.
    pub(crate) config_dir: Option<PathBuf>,
    /// The limit for one command; the child is killed when it passes.
    pub(crate) timeout: Option<Duration>,
}

/// What a finished command produced.
#[derive(Debug, Clone)]
pub(crate) struct CliOutput {
    /// The exit code (`None` when killed by a signal).
    pub(crate) exit_code: Option<i32>,
    /// True when it exited 0.
    pub(crate) success: bool,
    /// Raw stdout.
    pub(crate) stdout: Vec<u8>,
    /// Stderr, lossily decoded and trimmed; `killed by signal N` when a child killed by a
    /// signal printed nothing.
    pub(crate) stderr: String,
    /// The command line, for errors.
    pub(crate) command: String,
}

impl Invocation {
    /// The global flags, which `docker` wants before the subcommand.
    pub(crate) fn global_args(&self) -> Vec<OsString> {
        let mut args = Vec::new();
        if let Some(dir) = &self.config_dir {
            args.push(OsString::from("--config"));
            args.push(dir.clone().into_os_string());
        }
        if let Some(host) = &self.host {
            args.push(OsString::from("-H"));
            args.push(OsString::from(host));
        } else if let Some(context) = &self.context {
            args.push(OsString::from("--context"));
            args.push(OsString::from(context));
        }
        args
    }

    /// The whole argument vector (without the program) for a subcommand.
    pub(crate) fn args_for(&self, subcommand: &[String]) -> Vec<OsString> {
        let mut args = self.global_args();
        args.extend(subcommand.iter().map(OsString::from));
        args
    }

    /// Where this invocation talks to, for errors and logs.
    /// Without `-H` or `--context`, docker reads `DOCKER_HOST`, then `DOCKER_CONTEXT`, from
    /// the environment the child inherits; the description says which applies.
    pub(crate) fn endpoint(&self) -> String {
        let env = crate::endpoint::DockerEnv::from_process();
        self.describe(env.var("DOCKER_HOST"), env.var("DOCKER_CONTEXT"))
    }

    fn describe(&self, docker_host: Option<&str>, docker_context: Option<&str>) -> String {
        if let Some(host) = &self.host {
            host.clone()
        } else if let Some(context) = &self.context {
            format!("docker --context {context}")
        } else if let Some(host) = docker_host {
            host.to_owned()
        } else if let Some(context) = docker_context {
            format!("docker --context {context}")
        } else {
            String::from("docker (current context)")
        }
    }

    /// The command line as a shell would take it (each word quoted with `shlex`, so it can
    /// be pasted); long id lists are shortened, with a `... (N more)` note at the end.
    pub(crate) fn display(&self, subcommand: &[String]) -> String {
        const SHOWN: usize = 8;
        let mut words = vec![self.program.display().to_string()];
        words.extend(
            self.global_args()
                .iter()
                .map(|arg| arg.to_string_lossy().into_owned()),
        );
        words.extend(subcommand.iter().take(SHOWN).cloned());
        let mut line = shell_line(&words);
        if subcommand.len() > SHOWN {
            line.push_str(&format!(" ... ({} more)", subcommand.len() - SHOWN));
        }
        line
    }

    /// Runs a subcommand and collects its output. Only failing to start it, or the timeout,
    /// is an error here; callers decide what a non-zero exit means.
    ///
    /// The child runs in a process group of its own: at the timeout (or when the caller drops
    /// this future) the whole group is killed, so whatever docker started (an `ssh`, a
    /// credential helper) goes with it, and the child is waited for, leaving no zombie.
    pub(crate) async fn run(&self, subcommand: &[String]) -> Result<CliOutput> {
        refuse_nul(subcommand)?;
        let command_line = self.display(subcommand);
        tracing::debug!(command = %command_line, "running docker");
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(self.args_for(subcommand))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            // Dropping the future on cancellation must not leave docker running.
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|source| Error::CliNotFound {
            program: self.program.clone(),
            source,
        })?;
        let mut group = GroupKiller(child.id());
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let waited = async {
            let (status, stdout, stderr) =
                tokio::join!(child.wait(), read_all(stdout), read_all(stderr));
            Ok::<_, std::io::Error>((status?, stdout?, stderr?))
        };
        let outcome = match self.timeout {
            Some(limit) => tokio::time::timeout(limit, waited).await.ok(),
            None => Some(waited.await),
        };
        let Some(outcome) = outcome else {
            // The timeout: the group goes, then the child is reaped.
            group.kill();
            let _ = child.kill().await;
            let limit = self.timeout.unwrap_or_default();
            // The caller fills in what its call got through before this command.
            return Err(Error::CliTimeout {
                endpoint: self.endpoint(),
                waiting_for: format!("`{command_line}`"),
                answered: 0,
                elapsed: limit,
                limit,
            });
        };
        let (status, stdout, stderr) = outcome.map_err(|source| Error::CliNotFound {
            program: self.program.clone(),
            source,
        })?;
        // It exited: its group is left alone (a process id can be reused once reaped).
        group.0 = None;
        let mut stderr = String::from_utf8_lossy(&stderr).trim().to_owned();
        if stderr.is_empty() {
            if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
                stderr = format!("killed by signal {signal}");
            }
        }
        Ok(CliOutput {
            exit_code: status.code(),
            success: status.success(),
            stdout,
            stderr,
            command: command_line,
        })
    }
}

/// Refuses an argument with a NUL byte before anything runs: the OS cannot pass it (it would
/// end the C string), and the standard library would report it as a failure to start docker.
pub(crate) fn refuse_nul(args: &[String]) -> Result<()> {
    match args.iter().find(|arg| arg.contains('\0')) {
        Some(arg) => Err(Error::InvalidArgument {
            argument: arg.clone(),
            reason: "it contains a NUL byte, which a command-line argument cannot carry".to_owned(),
        }),
        None => Ok(()),
    }
}

/// Kills a child's process group when dropped (or on [`GroupKiller::kill`]), unless the
/// child was reaped first.
struct GroupKiller(Option<u32>);

impl GroupKiller {
    fn kill(&mut self) {
        let Some(pid) = self.0.take().and_then(|pid| i32::try_from(pid).ok()) else {
            return;
        };
        if let Some(pid) = rustix::process::Pid::from_raw(pid) {
            // ESRCH when every member already exited.
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

impl Drop for GroupKiller {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Reads a child's pipe to its end (nothing when it was not piped).
async fn read_all<R: tokio::io::AsyncRead + Unpin>(pipe: Option<R>) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        tokio::io::AsyncReadExt::read_to_end(&mut pipe, &mut bytes).await?;
    }
    Ok(bytes)
}

/// Splits ids into chunks of at most `max_count` ids and about `max_bytes` of argument text
/// (each id counts its length plus one separator). Every chunk holds at least one id, so an
/// oversized id still gets its own command.
pub(crate) fn chunk_ids(ids: &[String], max_count: usize, max_bytes: usize) -> Vec<&[String]> {
    let max_count = max_count.max(1);
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (idx, id) in ids.iter().enumerate() {
        let cost = id.len() + 1;
        let count = idx - start;
        if count > 0 && (count >= max_count || bytes + cost > max_bytes) {
            chunks.push(&ids[start..idx]);
            start = idx;
            bytes = 0;
        }
        bytes += cost;
    }
    if start < ids.len() {
        chunks.push(&ids[start..]);
    }
    chunks
}

/// `words` as one command line a shell would take (each word quoted as needed).
pub(crate) fn shell_line(words: &[String]) -> String {
    words
        .iter()
        .map(|word| match shlex::try_quote(word) {
            Ok(quoted) => quoted.into_owned(),
            // Only a NUL byte cannot be quoted for a shell; show it escaped instead.
            Err(_) => format!("{word:?}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `prefix...` then `--` then the ids, so an id starting with `-` is never read as a flag.
pub(crate) fn with_ids(prefix: &[&str], ids: &[String]) -> Vec<String> {
    let mut args: Vec<String> = prefix.iter().map(|word| (*word).to_owned()).collect();
    args.push(String::from("--"));
    args.extend(ids.iter().cloned());
    args
}

#[cfg(test)]
pub(in crate::cli) mod tests {
    use super::*;

    /// `docker` with no flag: what tests of this module and its neighbours start from.
    pub(in crate::cli) fn invocation() -> Invocation {
        Invocation {
            program: PathBuf::from("docker"),
            context: None,
            host: None,
            config_dir: None,
            timeout: None,
        }
    }

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn global_flags_come_before_the_subcommand() {
        let mut inv = invocation();
        inv.config_dir = Some(PathBuf::from("/cfg"));
        inv.context = Some("prod".into());
        let args = inv.args_for(&["service".into(), "ls".into()]);
        assert_eq!(
            strings(&args),
            ["--config", "/cfg", "--context", "prod", "service", "ls"]
        );
        assert_eq!(inv.endpoint(), "docker --context prod");
        inv.host = Some("ssh://me@box".into());
        let args = inv.args_for(&["node".into()]);
        // docker refuses --context with -H; the host wins.
        assert_eq!(
            strings(&args),
            ["--config", "/cfg", "-H", "ssh://me@box", "node"]
        );
        assert_eq!(inv.endpoint(), "ssh://me@box");
        assert_eq!(
            invocation().describe(None, None),
            "docker (current context)"
        );
        assert_eq!(
            invocation().describe(Some("tcp://e:1"), Some("c")),
            "tcp://e:1"
        );
        assert_eq!(invocation().describe(None, Some("c")), "docker --context c");
        // Flags win over the environment, as they do for docker.
        assert_eq!(inv.describe(Some("tcp://e:1"), None), "ssh://me@box");
        assert!(invocation().global_args().is_empty());
    }

    #[test]
    fn ids_follow_a_double_dash() {
        let ids = vec!["-rf".to_owned(), "abc".to_owned()];
        assert_eq!(
            with_ids(&["inspect", "--type", "task"], &ids),
            ["inspect", "--type", "task", "--", "-rf", "abc"]
        );
    }

    #[test]
    fn display_can_be_pasted_into_a_shell() {
        let inv = Invocation {
            host: Some("ssh://me@my box".into()),
            ..invocation()
        };
        let args: Vec<String> = ["service", "ps", "--filter", "label=a b", "it's \"web\""]
            .map(str::to_owned)
            .to_vec();
        let shown = inv.display(&args);
        let mut expected = vec![
            "docker".to_owned(),
            "-H".to_owned(),
            "ssh://me@my box".to_owned(),
        ];
        expected.extend(args);
        assert_eq!(shlex::split(&shown), Some(expected), "{shown}");
    }

    #[test]
    fn display_shortens_long_id_lists() {
        let mut inv = invocation();
        inv.host = Some("tcp://h:1".into());
        let ids: Vec<String> = (0..20).map(|n| format!("id{n}")).collect();
        let shown = inv.display(&with_ids(&["inspect"], &ids));
        assert!(
            shown.starts_with("docker -H tcp://h:1 inspect -- id0"),
            "{shown}"
        );
        assert!(shown.ends_with("... (14 more)"), "{shown}");
    }

    #[test]
    fn chunks_respect_count_and_bytes() {
        let ids: Vec<String> = (0..10).map(|n| format!("{n:025}")).collect();
        let by_count = chunk_ids(&ids, 4, usize::MAX);
        assert_eq!(
            by_count.iter().map(|c| c.len()).collect::<Vec<_>>(),
            [4, 4, 2]
        );
        // 26 bytes per id: three fit in 80 bytes, a fourth would not.
        let by_bytes = chunk_ids(&ids, 100, 80);
        assert_eq!(
            by_bytes.iter().map(|c| c.len()).collect::<Vec<_>>(),
            [3, 3, 3, 1]
        );
        let flat: Vec<&String> = by_bytes.iter().flat_map(|c| c.iter()).collect();
        assert_eq!(flat, ids.iter().collect::<Vec<_>>());
        assert!(chunk_ids(&[], 4, 80).is_empty());
        let huge = vec!["x".repeat(1000), "y".to_owned()];
        assert_eq!(chunk_ids(&huge, 4, 80).len(), 2);
        assert_eq!(chunk_ids(&ids, 0, usize::MAX).len(), 10);
    }

    #[tokio::test]
    async fn missing_program_is_cli_not_found() {
        let mut inv = invocation();
        inv.program = PathBuf::from("/nonexistent/docker-for-swarm-tasks");
        let err = inv.run(&["version".into()]).await.err();
        assert!(matches!(err, Some(Error::CliNotFound { .. })), "{err:?}");
    }
}
