//! HttpTransport failures before any HTTP answer: no socket, refused, permission denied, a
//! silent server, TLS against a plain server. None of these needs the fake engine.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use swarm_models::TaskFilter;
use swarm_transport::{Error, HttpTransport, TlsConfig, Transport};

#[tokio::test]
async fn a_missing_socket_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}", dir.path().join("absent.sock").display());
    let transport = HttpTransport::builder().host(&host).build().unwrap();
    let err = transport.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::DaemonUnreachable { endpoint, .. } if *endpoint == host),
        "{err:?}"
    );
    assert!(err.is_retryable() && err.is_connection());
}

#[tokio::test]
async fn a_refused_connection_is_unreachable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let transport = HttpTransport::builder()
        .host(format!("tcp://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let err = transport.system_info().await.unwrap_err();
    assert!(matches!(err, Error::DaemonUnreachable { .. }), "{err:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // The kernel accepts connections into the backlog, so the request is sent and never answered.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let transport = HttpTransport::builder()
        .host(format!("tcp://127.0.0.1:{port}"))
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = transport.list_nodes().await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    drop(listener);
}

/// A server that answers every connection with a plain HTTP 400, as a daemon's plain port
/// answers a TLS ClientHello.
async fn plain_http_server() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf).await;
            let _ = stream
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        }
    });
    port
}

#[tokio::test]
async fn tls_against_a_plain_server_is_a_tls_error() {
    let port = plain_http_server().await;
    let transport = HttpTransport::builder()
        .host(format!("tcp://127.0.0.1:{port}"))
        .tls(TlsConfig::default())
        .build()
        .unwrap();
    let err = transport.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(
        std::error::Error::source(&err).is_some(),
        "the handshake failure is kept as source"
    );
}

/// Set in the unprivileged child run of [`a_socket_without_permission_is_permission_denied`].
const EACCES_SOCKET_VAR: &str = "SWARM_TRANSPORT_TEST_EACCES_SOCKET";

async fn assert_permission_denied(socket: &Path) {
    let transport = HttpTransport::builder()
        .host(format!("unix://{}", socket.display()))
        .build()
        .unwrap();
    let err = transport.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(matches!(err, Error::PermissionDenied { .. }), "{err:?}");
    assert!(err.is_connection() && !err.is_retryable());
}

#[tokio::test]
async fn a_socket_without_permission_is_permission_denied() {
    if let Ok(socket) = std::env::var(EACCES_SOCKET_VAR) {
        // The child run, as an unprivileged user.
        assert_permission_denied(Path::new(&socket)).await;
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let socket = dir.path().join("docker.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o000)).unwrap();

    match std::os::unix::net::UnixStream::connect(&socket) {
        Err(err) if err.kind() == std::io::ErrorKind::PermissionDenied => {
            assert_permission_denied(&socket).await;
        }
        _ => {
            // Root ignores the mode 000: run this test again as `nobody` through setpriv.
            // (The mapping itself is also unit-tested with a synthetic io::Error in
            // http::errors::tests::failure_classification.)
            let Some(setpriv) = swarm_testkit::require(
                "setpriv",
                "to re-run the EACCES check as an unprivileged user (running as root)",
            ) else {
                return;
            };
            let exe = std::env::current_exe().unwrap();
            let status = std::process::Command::new(setpriv)
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(exe)
                .args([
                    "a_socket_without_permission_is_permission_denied",
                    "--exact",
                    "--test-threads=1",
                ])
                .env(EACCES_SOCKET_VAR, &socket)
                .status();
            match status {
                Ok(status) => assert!(status.success(), "the unprivileged run failed: {status}"),
                Err(err) => panic!("setpriv is on PATH but did not start: {err}"),
            }
        }
    }
}
