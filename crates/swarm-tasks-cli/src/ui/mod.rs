//! `swarm-tasks ui`: a read-only HTTP server with one page that shows the swarm live.
//!
//! One shared poller ([`view::Hub`]) asks the daemon for tasks, services and nodes once per
//! period and publishes one JSON picture; every open page receives it over server-sent
//! events, so N pages cost the daemon what one does. The page's assets are embedded
//! ([`server`]); everything from the daemon is inserted as text by the page's script.

pub mod server;
pub mod view;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use swarm_tasks::Client;

use crate::cli::UiArgs;
use crate::config::UsageError;
use crate::exit::ExitCode;

/// The address `ui` listens on without `--listen`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7878";

/// A validated `ui`.
#[derive(Debug, Clone)]
pub struct UiAction {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The token requests must carry (`None` on loopback without `--token`).
    pub token: Option<String>,
    /// Open the page in a browser.
    pub open: bool,
    /// Serving a snapshot: poll once, it does not change.
    pub replay: bool,
    /// The pinned "now" (`--now`), RFC 3339: the page measures ages from it.
    pub now: Option<String>,
}

/// The address could not be bound (a port in use, a foreign address).
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}: {source}")]
pub struct ListenError {
    /// The address asked for.
    pub addr: SocketAddr,
    /// Why.
    pub source: std::io::Error,
}

/// A token for a non-loopback address: 32 hex digits of the OS's randomness
/// (`/dev/urandom`), or of its hasher seeds and the time where there is none.
pub fn generate_token() -> String {
    use std::io::Read as _;
    let mut bytes = [0u8; 16];
    let from_os = std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(&mut bytes))
        .is_ok();
    if !from_os {
        use std::collections::hash_map::RandomState;
        use std::hash::{BuildHasher, Hasher};
        for (round, half) in bytes.chunks_mut(8).enumerate() {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_usize(round);
            hasher.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |elapsed| elapsed.as_nanos()),
            );
            half.copy_from_slice(&hasher.finish().to_le_bytes());
        }
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The URL to print (with the token as a query parameter when there is one). Listening on
/// every address (`0.0.0.0`, `[::]`), it names this machine's loopback, where a browser here
/// reaches it; another machine uses this one's name or address with the same path.
pub fn url(addr: SocketAddr, token: Option<&str>) -> String {
    let addr = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, addr.port()))
        }
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    };
    match token {
        Some(token) => format!("http://{addr}/?token={token}"),
        None => format!("http://{addr}/"),
    }
}

/// Serves until interrupted (Ctrl-C).
pub async fn run(
    client: Client,
    action: UiAction,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(action.listen)
        .await
        .map_err(|source| ListenError {
            addr: action.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    let config = view::HubConfig {
        replay: action.replay,
        now: action.now.clone(),
        ..view::HubConfig::default()
    };
    let hub = view::Hub::start(Arc::new(client), config);
    let link = url(addr, action.token.as_deref());
    writeln!(err, "serving the swarm at {link} (Ctrl-C to stop)")?;
    err.flush()?;
    if action.open {
        open_browser(&link);
    }
    let app = server::router(hub, action.token);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(ExitCode::Ok)
}

/// Validates `ui`: a socket address; a token unless it listens on loopback only.
pub fn action(args: UiArgs, replay: bool) -> Result<UiAction, UsageError> {
    if args.token.as_ref().is_some_and(|token| token.len() > 200) {
        return Err(UsageError::Token);
    }
    let listen: std::net::SocketAddr =
        args.listen.trim().parse().map_err(|_| UsageError::Listen {
            input: args.listen.clone(),
        })?;
    let token = match args.token {
        Some(token)
            if token.is_empty()
                || !token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            return Err(UsageError::Token);
        }
        Some(token) => Some(token),
        None if listen.ip().is_loopback() => None,
        None => Some(generate_token()),
    };
    Ok(UiAction {
        listen,
        token,
        open: args.open,
        replay,
        now: None,
    })
}

/// Best effort: `xdg-open` (Linux) or `open` (macOS); the URL is printed either way.
fn open_browser(link: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(error) = std::process::Command::new(program).arg(link).spawn() {
        tracing::warn!(%error, program, "could not open a browser");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_hex_digits_and_differ() {
        let (a, b) = (generate_token(), generate_token());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn the_url_carries_the_token_once() {
        let addr: SocketAddr = "10.0.0.1:7878".parse().unwrap();
        assert_eq!(url(addr, Some("abc")), "http://10.0.0.1:7878/?token=abc");
        assert_eq!(url(addr, None), "http://10.0.0.1:7878/");
        let all: SocketAddr = "0.0.0.0:7878".parse().unwrap();
        assert_eq!(url(all, Some("t")), "http://127.0.0.1:7878/?token=t");
        let all6: SocketAddr = "[::]:7878".parse().unwrap();
        assert_eq!(url(all6, None), "http://[::1]:7878/");
    }
}
