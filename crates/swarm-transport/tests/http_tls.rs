//! HttpTransport over real TLS with client certificates, against `openssl s_server`: the
//! certificates of a `DOCKER_CERT_PATH` folder work (given directly or through the docker
//! environment), a server from another CA or with a certificate for another host is refused
//! with a TLS error (verification is on by default), only an explicit `verify: false`
//! accepts it, and `DOCKER_TLS_VERIFY` without certificates is refused before connecting.
//!
//! Needs the `openssl` binary (`swarm_testkit::require`: skipped outside CI, a failure under
//! `CI=true`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use swarm_transport::endpoint::{DockerEnv, EndpointError, EndpointOptions, resolve_endpoint};
use swarm_transport::{Error, HttpTransport, TlsConfig, Transport};

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA (`<name>-ca.pem`, `<name>-ca-key.pem`) in `dir`.
fn make_ca(dir: &Path, name: &str) {
    let (key, cert) = (format!("{name}-ca-key.pem"), format!("{name}-ca.pem"));
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-days",
            "1",
            "-subj",
            &format!("/CN={name}-ca"),
        ],
    );
}

/// A certificate `<name>-cert.pem` + `<name>-key.pem` signed by the `ca` CA.
fn make_cert(dir: &Path, ca: &str, name: &str, extensions: &str) {
    let (key, csr, cert, ext) = (
        format!("{name}-key.pem"),
        format!("{name}.csr"),
        format!("{name}-cert.pem"),
        format!("{name}.ext"),
    );
    std::fs::write(dir.join(&ext), extensions).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &format!("{ca}-ca.pem"),
            "-CAkey",
            &format!("{ca}-ca-key.pem"),
            "-CAcreateserial",
            "-out",
            &cert,
            "-days",
            "1",
            "-extfile",
            &ext,
        ],
    );
}

/// `openssl s_server` serving files of `www` over TLS, requiring a client certificate; killed on drop.
struct TlsServer {
    child: Child,
    port: u16,
}

impl TlsServer {
    /// Serves with the `<cert>-cert.pem` / `<cert>-key.pem` pair of `dir`.
    fn start(dir: &Path, cert: &str) -> Self {
        let www = dir.join("www");
        let mut child = Command::new("openssl")
            .args(["s_server", "-accept", "127.0.0.1:0", "-WWW", "-Verify", "1"])
            .arg("-cert")
            .arg(dir.join(format!("{cert}-cert.pem")))
            .arg("-key")
            .arg(dir.join(format!("{cert}-key.pem")))
            .arg("-CAfile")
            .arg(dir.join("good-ca.pem"))
            .current_dir(&www)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // It prints `ACCEPT 127.0.0.1:PORT` once listening: wait for that line, then keep
        // draining its output so it never blocks on a full pipe.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = loop {
            let line = lines
                .next()
                .expect("s_server exited before listening")
                .unwrap();
            if let Some(address) = line.strip_prefix("ACCEPT ") {
                break address.rsplit(':').next().unwrap().trim().parse().unwrap();
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, port }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn tls_with_client_certificates_verifies_the_server() {
    if swarm_testkit::require("openssl", "to make the certificates and run the TLS server")
        .is_none()
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    make_ca(dir, "good");
    make_ca(dir, "other");
    make_cert(
        dir,
        "good",
        "server",
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    );
    make_cert(
        dir,
        "good",
        "elsewhere",
        "subjectAltName=DNS:docker.elsewhere.example\nextendedKeyUsage=serverAuth\n",
    );
    make_cert(dir, "good", "client", "extendedKeyUsage=clientAuth\n");
    std::fs::create_dir_all(dir.join("www/v1.41")).unwrap();
    std::fs::write(dir.join("www/_ping"), "OK").unwrap();
    // No Api-Version header from s_server: the transport falls back to GET /version.
    std::fs::write(dir.join("www/version"), r#"{"ApiVersion":"1.41"}"#).unwrap();
    std::fs::write(dir.join("www/v1.41/nodes"), "[]").unwrap();

    // A DOCKER_CERT_PATH-style folder: ca.pem, cert.pem, key.pem.
    let certs = dir.join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(dir.join("good-ca.pem"), certs.join("ca.pem")).unwrap();
    std::fs::copy(dir.join("client-cert.pem"), certs.join("cert.pem")).unwrap();
    std::fs::copy(dir.join("client-key.pem"), certs.join("key.pem")).unwrap();

    let server = TlsServer::start(dir, "server");
    let host = format!("tcp://127.0.0.1:{}", server.port);

    let docker = HttpTransport::builder()
        .host(&host)
        .tls(TlsConfig::from_dir(&certs))
        .build()
        .unwrap();
    assert!(docker.list_nodes().await.unwrap().is_empty());
    assert_eq!(docker.api_version().await.unwrap().to_string(), "1.41");

    let wrong_ca = TlsConfig {
        ca: Some(dir.join("other-ca.pem")),
        ..TlsConfig::from_dir(&certs)
    };
    let strict = HttpTransport::builder()
        .host(&host)
        .tls(wrong_ca.clone())
        .build()
        .unwrap();
    let err = strict.list_nodes().await.unwrap_err();
    assert!(
        matches!(err, Error::Tls { .. }),
        "a server from another CA is refused: {err:?}"
    );
    let text = chain(&err);
    assert!(text.contains(&host), "names the endpoint: {text}");
    assert!(text.contains("UnknownIssuer"), "says why: {text}");

    // A certificate of the right CA for another host name.
    let elsewhere = TlsServer::start(dir, "elsewhere");
    let elsewhere_host = format!("tcp://127.0.0.1:{}", elsewhere.port);
    let err = HttpTransport::builder()
        .host(&elsewhere_host)
        .tls(TlsConfig::from_dir(&certs))
        .build()
        .unwrap()
        .list_nodes()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Tls { .. }),
        "a certificate for another host is refused: {err:?}"
    );
    let text = chain(&err);
    assert!(
        text.contains("not valid for name \"127.0.0.1\""),
        "says why: {text}"
    );

    // The same folder through the docker environment: DOCKER_TLS_VERIFY + DOCKER_CERT_PATH.
    let env = DockerEnv::default()
        .with_var("DOCKER_HOST", &host)
        .with_var("DOCKER_TLS_VERIFY", "1")
        .with_var("DOCKER_CERT_PATH", certs.to_string_lossy());
    let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
    let from_env = HttpTransport::builder()
        .endpoint(&resolved)
        .build()
        .unwrap();
    assert!(from_env.list_nodes().await.unwrap().is_empty());
    // ... and with a folder holding no certificates, refused before any connection.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let env = env.with_var("DOCKER_CERT_PATH", empty.to_string_lossy());
    let err = resolve_endpoint(&EndpointOptions::default(), &env).unwrap_err();
    assert!(
        matches!(&err, EndpointError::TlsCertificatesMissing { ca: Some(ca) } if *ca == empty.join("ca.pem")),
        "{err:?}"
    );

    let lax = HttpTransport::builder()
        .host(&host)
        .tls(TlsConfig {
            verify: false,
            ..wrong_ca
        })
        .build()
        .unwrap();
    assert!(
        lax.list_nodes().await.unwrap().is_empty(),
        "verify: false is the explicit opt-out"
    );
}

/// The error and its causes on one line, as the CLI prints them.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
