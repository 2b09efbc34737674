//! Where the HTTP transport connects: `DOCKER_HOST`-style host strings.
//!
//! Parsing is pure (no sockets, no process environment) so every rule is unit-tested; the
//! environment itself is read by [`crate::endpoint`].

use std::path::{Path, PathBuf};

use reqwest::Url;

use crate::error::{Error, Result};

use crate::endpoint::DEFAULT_HOST;

/// The socket path of [`DEFAULT_HOST`].
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";
/// The port of a `tcp://` host without one, plain.
const DEFAULT_TCP_PORT: u16 = 2375;
/// The port of a `tcp://` host without one, with TLS.
const DEFAULT_TLS_PORT: u16 = 2376;

/// How to reach the daemon, after parsing a host string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The host as shown to users (errors, `endpoint()`).
    pub(crate) display: String,
    /// The socket to connect through, for `unix://` hosts.
    pub(crate) socket: Option<PathBuf>,
    /// The URL every request path is appended to (`http://localhost` for sockets).
    pub(crate) base: Url,
}

/// Parses a host string. `tls` says whether TLS settings were given: `tcp://` then becomes
/// `https://` and takes port 2376 by default, like `docker`.
pub(crate) fn parse_host(host: &str, tls: bool) -> Result<Target> {
    let host = host.trim();
    let host = if host.is_empty() { DEFAULT_HOST } else { host };
    let config = |message: String| Error::Config { message };
    let (scheme, rest) = host.split_once("://").ok_or_else(|| {
        config(format!(
            "host {host:?} has no scheme: use unix:///path/to/docker.sock or tcp://HOST:PORT"
        ))
    })?;
    let http_scheme = if tls { "https" } else { "http" };
    match scheme.to_ascii_lowercase().as_str() {
        "unix" => {
            let path = if rest.is_empty() {
                DEFAULT_SOCKET
            } else {
                rest
            };
            if !Path::new(path).is_absolute() {
                return Err(config(format!(
                    "unix socket path {path:?} must be absolute"
                )));
            }
            let base = parse_url(&format!("{http_scheme}://localhost"), host)?;
            Ok(Target {
                display: format!("unix://{path}"),
                socket: Some(PathBuf::from(path)),
                base,
            })
        }
        "tcp" => {
            // A non-special scheme keeps an explicit port 80 or 443 visible in `port()`.
            let raw = parse_url(host, host)?;
            let Some(name) = raw.host_str().filter(|name| !name.is_empty()) else {
                return Err(config(format!("host {host:?} names no machine")));
            };
            let port = raw.port().unwrap_or(if tls {
                DEFAULT_TLS_PORT
            } else {
                DEFAULT_TCP_PORT
            });
            let path = raw.path().trim_end_matches('/');
            let base = parse_url(&format!("{http_scheme}://{name}:{port}{path}"), host)?;
            Ok(Target {
                display: host.to_owned(),
                socket: None,
                base,
            })
        }
        "http" | "https" => {
            if tls && scheme.eq_ignore_ascii_case("http") {
                return Err(config(format!(
                    "host {host:?} is plain http but TLS is configured: use tcp:// or https://"
                )));
            }
            let base = parse_url(host.trim_end_matches('/'), host)?;
            if base.host_str().is_none_or(str::is_empty) {
                return Err(config(format!("host {host:?} names no machine")));
            }
            Ok(Target {
                display: host.to_owned(),
                socket: None,
                base,
            })
        }
        "ssh" => Err(config(format!(
            "host {host:?}: ssh:// hosts need the docker CLI's ssh connection helper, which the HTTP transport does not have"
        ))),
        other => Err(config(format!(
            "host {host:?}: the HTTP transport speaks unix://, tcp://, http:// and https://, not {other}://"
        ))),
    }
}

fn parse_url(text: &str, host: &str) -> Result<Url> {
    Url::parse(text).map_err(|err| Error::Config {
        message: format!("host {host:?} is not a valid address: {err}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_hosts() {
        let target = parse_host("", false).unwrap();
        assert_eq!(target.display, DEFAULT_HOST);
        assert_eq!(target.socket.as_deref(), Some(Path::new(DEFAULT_SOCKET)));
        assert_eq!(target.base.as_str(), "http://localhost/");
        let target = parse_host("unix://", false).unwrap();
        assert_eq!(target.socket.as_deref(), Some(Path::new(DEFAULT_SOCKET)));
        let target = parse_host("unix:///tmp/x y.sock", true).unwrap();
        assert_eq!(target.socket.as_deref(), Some(Path::new("/tmp/x y.sock")));
        assert_eq!(target.base.scheme(), "https");
        assert!(matches!(
            parse_host("unix://relative.sock", false),
            Err(Error::Config { .. })
        ));
    }

    #[test]
    fn tcp_hosts_become_http_or_https() {
        let target = parse_host("tcp://127.0.0.1:2375", false).unwrap();
        assert_eq!(target.base.as_str(), "http://127.0.0.1:2375/");
        assert_eq!(target.display, "tcp://127.0.0.1:2375");
        assert_eq!(target.socket, None);
        assert_eq!(
            parse_host("tcp://docker.example", false)
                .unwrap()
                .base
                .as_str(),
            "http://docker.example:2375/"
        );
        assert_eq!(
            parse_host("tcp://docker.example", true)
                .unwrap()
                .base
                .as_str(),
            "https://docker.example:2376/"
        );
        // An explicit port 80 is kept (http's default, so the URL omits it), not replaced by 2375.
        let port = parse_host("tcp://h:80", false)
            .unwrap()
            .base
            .port_or_known_default();
        assert_eq!(port, Some(80));
        assert_eq!(
            parse_host("tcp://[::1]:1234/base/", false)
                .unwrap()
                .base
                .as_str(),
            "http://[::1]:1234/base"
        );
        assert!(matches!(
            parse_host("tcp://", false),
            Err(Error::Config { .. })
        ));
        assert!(matches!(
            parse_host("tcp://h:99999", false),
            Err(Error::Config { .. })
        ));
    }

    #[test]
    fn http_hosts_are_taken_as_given() {
        assert_eq!(
            parse_host("http://h:1/", false).unwrap().base.as_str(),
            "http://h:1/"
        );
        assert_eq!(
            parse_host("https://h:1", true).unwrap().base.as_str(),
            "https://h:1/"
        );
        let err = parse_host("http://h:1", true).unwrap_err();
        assert!(err.to_string().contains("TLS"), "{err}");
    }

    #[test]
    fn other_schemes_are_config_errors() {
        for host in [
            "ssh://me@box",
            "npipe:////./pipe/docker_engine",
            "fd://",
            "127.0.0.1:2375",
        ] {
            let err = parse_host(host, false).unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{host}: {err:?}");
        }
        let err = parse_host("ssh://me@box", false).unwrap_err();
        assert!(err.to_string().contains("ssh connection helper"), "{err}");
    }
}
