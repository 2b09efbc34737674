//! The one TLS settings type: what `docker --tlsverify --tlscacert --tlscert --tlskey`, a
//! `DOCKER_CERT_PATH` folder or a context's TLS files say. Plain data, so the environment
//! resolver ([`crate::endpoint`]) can produce it without the HTTP transport compiled in.

use std::path::{Path, PathBuf};

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
