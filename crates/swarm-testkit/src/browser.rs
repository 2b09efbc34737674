//! A real headless Chromium, driven over WebDriver: Debian's `chromium` and `chromedriver`
//! (package `chromium-driver`), for the browser tests and the screenshots of
//! `swarm-tasks ui` (feature `browser`).
//!
//! [`Browser::start`] runs `chromedriver` on a free loopback port and opens one headless
//! session of `chromium` at a fixed window size; [`Browser::for_test`] does the same but,
//! when the programs are missing, goes through [`skip`](crate::skip): a failure under
//! `CI=true`, `None` with a line on stderr elsewhere.
//!
//! ```no_run
//! # async fn example() {
//! use swarm_testkit::browser::Browser;
//! let Some(browser) = Browser::for_test(1280, 800).await else { return };
//! browser.client().goto("http://127.0.0.1:7878/").await.unwrap();
//! let count = browser.eval("return document.querySelectorAll('.card').length").await.unwrap();
//! # let _ = count;
//! browser.close().await;
//! # }
//! ```

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// The WebDriver client crate, for element lookups and keys in tests.
pub use fantoccini;
use fantoccini::wd::Capabilities;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// Why no browser session could be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowserError {
    /// A program is not installed (`apt-get install chromium chromium-driver`).
    #[error("{program} not found on PATH (Debian: apt-get install chromium chromium-driver)")]
    Missing {
        /// The program looked for.
        program: String,
    },
    /// chromedriver could not be started or did not answer.
    #[error("cannot run {program}")]
    Driver {
        /// The driver's path.
        program: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// chromedriver refused to open a session (a chromium it cannot start, say).
    #[error("chromedriver opened no session")]
    Session(#[source] fantoccini::error::NewSessionError),
    /// A WebDriver command failed.
    #[error("webdriver command failed")]
    Command(#[source] fantoccini::error::CmdError),
}

/// A headless Chromium session and the chromedriver behind it (killed on drop).
#[derive(Debug)]
pub struct Browser {
    client: fantoccini::Client,
    _driver: Child,
}

/// The first of `names` found on `PATH`.
fn find(names: &[&str]) -> Option<PathBuf> {
    names
        .iter()
        .find_map(|name| crate::require::find_on_path(name))
}

impl Browser {
    /// Starts chromedriver and one headless Chromium session with a `width` x `height`
    /// window (device scale 1, no scrollbars).
    pub async fn start(width: u32, height: u32) -> Result<Browser, BrowserError> {
        let chromium =
            find(&["chromium", "chromium-browser"]).ok_or_else(|| BrowserError::Missing {
                program: "chromium".to_owned(),
            })?;
        let driver_path = find(&["chromedriver"]).ok_or_else(|| BrowserError::Missing {
            program: "chromedriver".to_owned(),
        })?;
        let port = free_port().map_err(|source| BrowserError::Driver {
            program: driver_path.clone(),
            source,
        })?;
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| BrowserError::Driver {
                program: driver_path.clone(),
                source,
            })?;
        wait_for_port(port)
            .await
            .map_err(|source| BrowserError::Driver {
                program: driver_path.clone(),
                source,
            })?;
        let client = fantoccini::ClientBuilder::new(
            hyper_util::client::legacy::connect::HttpConnector::new(),
        )
        .capabilities(capabilities(&chromium, width, height))
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(BrowserError::Session)?;
        Ok(Browser {
            client,
            _driver: driver,
        })
    }

    /// [`Browser::start`] for a test: without chromium or chromedriver, a
    /// [`skip`](crate::skip) (so a panic under `CI=true`, `None` elsewhere); any other failure
    /// panics.
    pub async fn for_test(width: u32, height: u32) -> Option<Browser> {
        match Browser::start(width, height).await {
            Ok(browser) => Some(browser),
            Err(error @ BrowserError::Missing { .. }) => {
                crate::skip(&format!("{error}, needed by the browser tests of the ui"));
                None
            }
            Err(error) => panic!("no browser for this test: {error} ({error:?})"),
        }
    }

    /// The WebDriver client.
    pub fn client(&self) -> &fantoccini::Client {
        &self.client
    }

    /// Runs `script` (a function body: `return ...`) in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Result<Value, BrowserError> {
        self.client
            .execute(script, Vec::new())
            .await
            .map_err(BrowserError::Command)
    }

    /// Evaluates `script` every 100 ms until it returns `true`; gives up after `limit`,
    /// returning the last value it returned.
    pub async fn wait_until(&self, script: &str, limit: Duration) -> Result<(), Value> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let value = self.eval(script).await.unwrap_or_else(|error| {
                Value::String(format!("the script failed: {error} ({error:?})"))
            });
            if value == Value::Bool(true) {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(value);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A PNG of the window as it is.
    pub async fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        self.client
            .screenshot()
            .await
            .map_err(BrowserError::Command)
    }

    /// Ends the session (chromedriver is killed when the value is dropped).
    pub async fn close(self) {
        if let Err(error) = self.client.clone().close().await {
            tracing::debug!(%error, "closing the browser session failed");
        }
    }
}

fn capabilities(chromium: &Path, width: u32, height: u32) -> Capabilities {
    let args = [
        "--headless=new".to_owned(),
        // Tests run as root in CI, where Chromium's sandbox cannot start.
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--hide-scrollbars".to_owned(),
        "--force-device-scale-factor=1".to_owned(),
        "--lang=en-US".to_owned(),
        format!("--window-size={width},{height}"),
    ];
    let mut capabilities = Capabilities::new();
    capabilities.insert("browserName".to_owned(), json!("chrome"));
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({"binary": chromium.to_string_lossy(), "args": args}),
    );
    capabilities
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits until something listens on `port` (chromedriver takes a moment), 20 s at most.
async fn wait_for_port(port: u16) -> std::io::Result<()> {
    let mut last = None;
    for _ in 0..200 {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(_) => return Ok(()),
            Err(error) => last = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("chromedriver never listened")))
}
