//! How [`TlsConfig`] becomes a reqwest client configuration.
//!
//! Verification is on unless a caller turns it off explicitly; every file problem is reported
//! as [`Error::Tls`] naming the file, before any connection is made.

use std::path::Path;

use crate::error::{Error, Result};
use crate::tls::TlsConfig;

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
