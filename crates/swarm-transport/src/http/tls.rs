//! TLS settings of the HTTP transport and how they become a reqwest client configuration.
//!
//! Verification is on unless a caller turns it off explicitly; every file problem is reported
//! as [`Error::Tls`] naming the file, before any connection is made.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// TLS settings, as `docker --tlsverify --tlscacert --tlscert --tlskey` takes them.
///
/// [`TlsConfig::default`] verifies the server against the system's roots and sends no
/// client certificate. Verification is only off when `verify` is set to `false` explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// The CA bundle the server's certificate must chain to (`ca.pem`); without it the
    /// system's roots are used.
    pub ca: Option<PathBuf>,
    /// The client certificate (`cert.pem`); needs `key`.
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (`key.pem`); needs `cert`.
    pub key: Option<PathBuf>,
    /// Verify the server's certificate and host name (default `true`).
    pub verify: bool,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            ca: None,
            cert: None,
            key: None,
            verify: true,
        }
    }
}

impl TlsConfig {
    /// `ca.pem`, `cert.pem` and `key.pem` in `dir` (what `DOCKER_CERT_PATH` names), verified.
    pub fn from_dir(dir: impl AsRef<Path>) -> Self {
        let dir = dir.as_ref();
        Self {
            ca: Some(dir.join("ca.pem")),
            cert: Some(dir.join("cert.pem")),
            key: Some(dir.join("key.pem")),
            verify: true,
        }
    }
}

pub(crate) fn tls_settings(
    mut client: reqwest::ClientBuilder,
    tls: &TlsConfig,
    endpoint: &str,
) -> Result<reqwest::ClientBuilder> {
    let tls_error = |message: String, source: Option<crate::error::BoxError>| Error::Tls {
        endpoint: endpoint.to_owned(),
        message,
        source,
    };
    let read = |path: &Path, what: &str| {
        std::fs::read(path).map_err(|err| {
            tls_error(
                format!("cannot read the {what} {}", path.display()),
                Some(Box::new(err)),
            )
        })
    };
    if let Some(ca) = &tls.ca {
        let pem = read(ca, "CA certificate")?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|err| {
            tls_error(
                format!("{} holds no valid PEM certificate", ca.display()),
                Some(Box::new(err)),
            )
        })?;
        if certs.is_empty() {
            return Err(tls_error(
                format!("{} holds no PEM certificate", ca.display()),
                None,
            ));
        }
        client = client.tls_certs_only(certs);
    }
    match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => {
            let mut pem = read(key, "client key")?;
            pem.push(b'\n');
            pem.extend(read(cert, "client certificate")?);
            let identity = reqwest::Identity::from_pem(&pem).map_err(|err| {
                tls_error(
                    format!(
                        "{} and {} are not a valid certificate and key",
                        cert.display(),
                        key.display()
                    ),
                    Some(Box::new(err)),
                )
            })?;
            client = client.identity(identity);
        }
        (None, None) => {}
        (Some(_), None) | (None, Some(_)) => {
            return Err(tls_error(
                "a client certificate and its key must be given together".to_owned(),
                None,
            ));
        }
    }
    if !tls.verify {
        tracing::warn!(
            endpoint,
            "TLS certificate verification is off (TlsConfig::verify = false)"
        );
        client = client.tls_danger_accept_invalid_certs(true);
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HttpTransport;

    #[test]
    fn missing_tls_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = HttpTransport::builder()
            .host("tcp://127.0.0.1:2376")
            .tls(TlsConfig::from_dir(dir.path()))
            .build()
            .unwrap_err();
        let Error::Tls { message, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(message.contains("ca.pem"), "{message}");
        std::fs::write(dir.path().join("ca.pem"), "not a certificate").unwrap();
        let err = HttpTransport::builder()
            .tls(TlsConfig::from_dir(dir.path()))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Tls { .. }), "{err:?}");
        let half = TlsConfig {
            cert: Some(dir.path().join("cert.pem")),
            ..TlsConfig::default()
        };
        let err = HttpTransport::builder().tls(half).build().unwrap_err();
        assert!(err.to_string().contains("together"), "{err}");
    }
}
