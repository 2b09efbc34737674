//! Helpers that prepare the real Docker Engine on this machine for tests and recordings.
//!
//! `cargo xtask fixtures` and the end-to-end suite both need the same three things: an engine
//! that is a single-node swarm, an image that exists without any registry, and services that
//! are removed again even when a test fails half-way. These helpers are synchronous
//! (`std::process`, no runtime) so that both a plain binary and a `#[test]` can call them, and
//! they never go through a shell: every argument is passed on its own.
//!
//! The test image is built from Debian's `busybox-static` package: `apt-get download` fetches
//! the `.deb` (from the Debian mirror, not a container registry), `dpkg-deb -x` unpacks it,
//! and a tiny root file system with `/bin/busybox` and its applet links is fed to
//! `docker import`.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The tag of the locally built test image.
pub const TEST_IMAGE: &str = "swarm-tasks-test:busybox";

/// Applets linked to `/bin/busybox` in the test image.
pub const BUSYBOX_APPLETS: &[&str] = &[
    "sh", "ash", "sleep", "echo", "true", "false", "cat", "ls", "httpd", "nc", "wget", "env", "ps",
    "id", "hostname", "mkdir", "rm", "touch", "test", "[", "printf", "date", "kill", "uname",
    "head", "tail", "grep", "sed", "seq", "yes", "top", "ping",
];

/// What can go wrong while driving the real engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A program could not be started at all (not installed, not executable).
    #[error("could not run `{command}`")]
    Spawn {
        /// The command line, for the message.
        command: String,
        /// Why it could not start.
        #[source]
        source: io::Error,
    },
    /// A program ran and exited unsuccessfully.
    #[error("`{command}` failed ({status}): {stderr}")]
    Failed {
        /// The command line, for the message.
        command: String,
        /// The exit status as the OS reports it.
        status: String,
        /// What it wrote to stderr, trimmed.
        stderr: String,
    },
    /// A program printed something that is not UTF-8 or not the JSON expected.
    #[error("unexpected output from `{command}`: {detail}")]
    Output {
        /// The command line, for the message.
        command: String,
        /// What was wrong with it.
        detail: String,
    },
    /// A file operation while building the image failed.
    #[error("could not {action} {path}")]
    Io {
        /// What was being done (`create`, `write`, `link` ...).
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The busybox package did not contain the expected binary.
    #[error("no busybox binary found after unpacking {deb}")]
    BusyboxMissing {
        /// The package file that was unpacked.
        deb: PathBuf,
    },
    /// The engine is still not an active swarm after `docker swarm init`.
    #[error("the Docker Engine is not an active swarm (local node state {state:?})")]
    NotSwarm {
        /// What `docker info` reported.
        state: String,
    },
}

/// The result type of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs `docker` with the given arguments and returns its stdout (never through a shell).
pub fn docker<I, S>(args: I) -> Result<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new("docker");
    command.args(args);
    run(&mut command)
}

/// Runs `docker` and parses its stdout as JSON.
pub fn docker_json<I, S>(args: I) -> Result<serde_json::Value>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new("docker");
    command.args(args);
    let text = run(&mut command)?;
    serde_json::from_str(&text).map_err(|err| Error::Output {
        command: describe(&command),
        detail: err.to_string(),
    })
}

/// True when a Docker Engine answers `docker info` on this machine.
pub fn docker_available() -> bool {
    Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The engine's swarm state as `docker info` reports it (`active`, `inactive`, `pending` ...).
pub fn swarm_state() -> Result<String> {
    docker(["info", "--format", "{{.Swarm.LocalNodeState}}"]).map(|out| out.trim().to_owned())
}

/// Makes the engine a single-node swarm (advertising 127.0.0.1) unless it already is one.
///
/// Idempotent: an engine that is already an active swarm is left alone.
pub fn ensure_swarm() -> Result<()> {
    if swarm_state()? == "active" {
        return Ok(());
    }
    docker(["swarm", "init", "--advertise-addr", "127.0.0.1"])?;
    let state = swarm_state()?;
    if state == "active" {
        Ok(())
    } else {
        Err(Error::NotSwarm { state })
    }
}

/// True when an image with this reference exists locally.
pub fn image_exists(reference: &str) -> bool {
    docker(["image", "inspect", "--format", "{{.Id}}", reference]).is_ok()
}

/// Builds [`TEST_IMAGE`] without any registry and returns its tag.
///
/// Skips all work when the image already exists. The downloaded package is cached in
/// `$TMPDIR/swarm-tasks-busybox` so a rebuild does not download again.
pub fn build_test_image() -> Result<String> {
    build_test_image_in(&std::env::temp_dir().join("swarm-tasks-busybox"))
}

/// Like [`build_test_image`], with the package cache in `cache_dir`.
pub fn build_test_image_in(cache_dir: &Path) -> Result<String> {
    build_busybox_image(TEST_IMAGE, cache_dir)
}

/// Builds a busybox image tagged `tag` (unless it exists) with the package cache in
/// `cache_dir`, and returns the tag.
pub fn build_busybox_image(tag: &str, cache_dir: &Path) -> Result<String> {
    if image_exists(tag) {
        return Ok(tag.to_owned());
    }
    create_dir(cache_dir)?;
    let deb = busybox_deb(cache_dir)?;

    // A private work directory per call, so parallel tests never share a half-built rootfs.
    static BUILDS: AtomicUsize = AtomicUsize::new(0);
    let work = cache_dir.join(format!(
        "build-{}-{}",
        std::process::id(),
        BUILDS.fetch_add(1, Ordering::Relaxed)
    ));
    let result = build_from_deb(&deb, &work, tag);
    // Best effort: a leftover work directory in the temp dir harms nothing.
    let _ = fs::remove_dir_all(&work);
    result
}

/// The default Engine API socket.
pub const DOCKER_SOCKET: &str = "/var/run/docker.sock";

/// Sends `GET path` (e.g. `/version`, `/tasks?filters=...`) to the engine's unix socket and
/// returns the response body exactly as the engine sent it.
///
/// A minimal HTTP/1.0 exchange (the engine then neither keeps the connection open nor uses a
/// chunked body), for the few places that need the raw bytes of an API answer.
pub fn engine_get(path: &str) -> Result<Vec<u8>> {
    engine_get_from(Path::new(DOCKER_SOCKET), path)
}

/// Like [`engine_get`], on the socket at `socket`.
pub fn engine_get_from(socket: &Path, path: &str) -> Result<Vec<u8>> {
    engine_request(socket, "GET", path, None)
}

/// Sends `POST path` with a JSON body to the engine's unix socket (e.g. a node update) and
/// returns the response body; any status but 200 is an error with the daemon's answer.
pub fn engine_post(path: &str, json: &[u8]) -> Result<Vec<u8>> {
    engine_request(Path::new(DOCKER_SOCKET), "POST", path, Some(json))
}

fn engine_request(socket: &Path, method: &str, path: &str, json: Option<&[u8]>) -> Result<Vec<u8>> {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;

    let command = format!("{method} {path} on {}", socket.display());
    let io_error = |source| Error::Io {
        action: "talk to",
        path: socket.to_owned(),
        source,
    };
    let mut stream = UnixStream::connect(socket).map_err(io_error)?;
    write!(stream, "{method} {path} HTTP/1.0\r\nHost: localhost\r\n").map_err(io_error)?;
    if let Some(json) = json {
        write!(
            stream,
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            json.len()
        )
        .map_err(io_error)?;
    }
    stream.write_all(b"\r\n").map_err(io_error)?;
    if let Some(json) = json {
        stream.write_all(json).map_err(io_error)?;
    }
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(io_error)?;
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| Error::Output {
            command: command.clone(),
            detail: "no end of HTTP headers".to_owned(),
        })?;
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let body = response[split + 4..].to_vec();
    let status = head.split_whitespace().nth(1).unwrap_or_default();
    if status != "200" {
        return Err(Error::Failed {
            command,
            status: format!("HTTP {status}"),
            stderr: String::from_utf8_lossy(&body).trim().to_owned(),
        });
    }
    Ok(body)
}

/// Tracks services by name and removes them when dropped, also when a test fails.
///
/// ```no_run
/// use swarm_testkit::real_engine::{ServiceGuard, docker};
///
/// let mut guard = ServiceGuard::new();
/// guard.track("e2e-123-web");
/// docker(["service", "create", "--detach", "--name", "e2e-123-web", "swarm-tasks-test:busybox", "sleep", "3600"])?;
/// // ... the service is removed when `guard` goes out of scope.
/// # Ok::<(), swarm_testkit::real_engine::Error>(())
/// ```
#[derive(Debug, Default)]
#[must_use = "services are removed when the guard is dropped"]
pub struct ServiceGuard {
    names: Vec<String>,
}

impl ServiceGuard {
    /// An empty guard.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a service to remove on drop (register it before creating it).
    pub fn track(&mut self, name: impl Into<String>) {
        self.names.push(name.into());
    }

    /// The tracked service names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Forgets every tracked service, so dropping the guard leaves them running.
    pub fn keep(mut self) -> Vec<String> {
        std::mem::take(&mut self.names)
    }

    /// Removes the tracked services now, reporting failures other than "not found".
    pub fn remove_now(&mut self) -> Result<()> {
        let names = std::mem::take(&mut self.names);
        remove_services(&names)
    }
}

impl Drop for ServiceGuard {
    fn drop(&mut self) {
        // Drop cannot report errors; a service that is already gone is what we want anyway.
        let _ = remove_services(&self.names);
    }
}

/// Removes services by name, ignoring the ones that do not exist.
pub fn remove_services(names: &[String]) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let mut args = vec!["service".to_owned(), "rm".to_owned(), "--".to_owned()];
    args.extend(names.iter().cloned());
    match docker(&args) {
        Ok(_) => Ok(()),
        Err(Error::Failed { stderr, .. })
            if stderr
                .lines()
                .all(|line| line.trim().is_empty() || line.contains("not found")) =>
        {
            Ok(())
        }
        Err(err) => Err(err),
    }
}

fn busybox_deb(cache_dir: &Path) -> Result<PathBuf> {
    if let Some(deb) = find_deb(cache_dir)? {
        return Ok(deb);
    }
    let download = || {
        let mut command = Command::new("apt-get");
        command
            .args(["download", "busybox-static"])
            .current_dir(cache_dir);
        run(&mut command)
    };
    if download().is_err() {
        // The package lists may be missing or stale; refresh them once and retry.
        run(Command::new("apt-get").arg("update"))?;
        download()?;
    }
    find_deb(cache_dir)?.ok_or_else(|| Error::Output {
        command: "apt-get download busybox-static".to_owned(),
        detail: format!("no busybox-static .deb appeared in {}", cache_dir.display()),
    })
}

fn find_deb(dir: &Path) -> Result<Option<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|source| Error::Io {
        action: "read",
        path: dir.to_owned(),
        source,
    })?;
    Ok(entries
        .filter_map(|entry| entry.ok())
        .map(|e| e.path())
        .find(|path| {
            path.file_name()
                .and_then(OsStr::to_str)
                .is_some_and(|name| name.starts_with("busybox-static_") && name.ends_with(".deb"))
        }))
}

fn build_from_deb(deb: &Path, work: &Path, tag: &str) -> Result<String> {
    let unpacked = work.join("deb");
    create_dir(&unpacked)?;
    let mut unpack = Command::new("dpkg-deb");
    unpack.arg("-x").arg(deb).arg(&unpacked);
    run(&mut unpack)?;
    let busybox = ["bin/busybox", "usr/bin/busybox"]
        .iter()
        .map(|rel| unpacked.join(rel))
        .find(|path| path.is_file())
        .ok_or_else(|| Error::BusyboxMissing {
            deb: deb.to_owned(),
        })?;

    let rootfs = work.join("rootfs");
    for dir in ["bin", "etc", "tmp", "proc", "sys", "dev", "root", "var/www"] {
        create_dir(&rootfs.join(dir))?;
    }
    copy(&busybox, &rootfs.join("bin/busybox"))?;
    for applet in BUSYBOX_APPLETS {
        let link = rootfs.join("bin").join(applet);
        std::os::unix::fs::symlink("busybox", &link).map_err(|source| Error::Io {
            action: "link",
            path: link.clone(),
            source,
        })?;
    }
    write(
        &rootfs.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
    )?;
    write(&rootfs.join("etc/group"), "root:x:0:\nnogroup:x:65534:\n")?;
    write(
        &rootfs.join("var/www/index.html"),
        "swarm-tasks test image\n",
    )?;

    let tarball = work.join("rootfs.tar");
    let mut tar = Command::new("tar");
    tar.arg("-C").arg(&rootfs).arg("-cf").arg(&tarball).arg(".");
    run(&mut tar)?;

    let mut import = Command::new("docker");
    import
        .args(["import", "--change", "CMD [\"/bin/sh\"]"])
        .arg(&tarball)
        .arg(tag);
    run(&mut import)?;
    Ok(tag.to_owned())
}

fn run(command: &mut Command) -> Result<String> {
    let output: Output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|source| Error::Spawn {
            command: describe(command),
            source,
        })?;
    if !output.status.success() {
        return Err(Error::Failed {
            command: describe(command),
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    String::from_utf8(output.stdout).map_err(|err| Error::Output {
        command: describe(command),
        detail: err.to_string(),
    })
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn create_dir(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|source| Error::Io {
        action: "create",
        path: path.to_owned(),
        source,
    })
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    fs::copy(from, to).map(drop).map_err(|source| Error::Io {
        action: "copy to",
        path: to.to_owned(),
        source,
    })
}

fn write(path: &Path, contents: &str) -> Result<()> {
    fs::write(path, contents).map_err(|source| Error::Io {
        action: "write",
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_joins_program_and_arguments() {
        let mut command = Command::new("docker");
        command.args(["service", "ps", "web"]);
        assert_eq!(describe(&command), "docker service ps web");
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let err = run(&mut Command::new(
            "/nonexistent/swarm-tasks-no-such-program",
        ));
        assert!(matches!(err, Err(Error::Spawn { .. })), "{err:?}");
    }

    #[test]
    fn failing_program_reports_stderr() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo boom >&2; exit 3"]);
        match run(&mut command) {
            Err(Error::Failed { stderr, status, .. }) => {
                assert_eq!(stderr, "boom");
                assert!(status.contains('3'), "{status}");
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    #[test]
    fn empty_guard_removes_nothing() {
        assert!(remove_services(&[]).is_ok());
        let guard = ServiceGuard::new();
        assert!(guard.keep().is_empty());
    }

    #[test]
    fn find_deb_picks_the_busybox_package() {
        let dir = std::env::temp_dir().join(format!("swarm-tasks-deb-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        assert_eq!(find_deb(&dir).unwrap(), None);
        fs::write(dir.join("other_1.0_amd64.deb"), b"").unwrap();
        fs::write(dir.join("busybox-static_1.35_amd64.deb"), b"").unwrap();
        let found = find_deb(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            found
                .as_deref()
                .and_then(Path::file_name)
                .and_then(OsStr::to_str),
            Some("busybox-static_1.35_amd64.deb")
        );
    }
}
