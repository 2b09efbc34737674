//! The routes of `swarm-tasks ui`: GET only, behind the token check and the security headers.
//!
//! | route | what |
//! |---|---|
//! | `/`, `/app.js`, `/app.css` | the page, embedded with `include_str!` |
//! | `/api/view` | the latest picture ([`super::view::View`]) as JSON |
//! | `/api/events` | server-sent events: one `view` event per new picture |
//! | `/api/task/{id}` | a task's detail: explain's lines, its error, its last log lines, its JSON |
//!
//! With a token, a request passes when its query has `token=` (the answer then sets an
//! HttpOnly, SameSite=Strict cookie) or when it carries that cookie; otherwise 401.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{Stream, StreamExt as _};
use serde::Serialize;

use super::view::Hub;

/// The page's Content-Security-Policy: scripts, styles and requests from this server only,
/// no inline script, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The cookie that carries the token after the first request.
pub const COOKIE: &str = "swarm_tasks_ui";

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

#[derive(Debug, Clone)]
struct AppState {
    hub: Hub,
    token: Option<Arc<str>>,
}

/// The application: routes, token check, headers.
pub fn router(hub: Hub, token: Option<String>) -> Router {
    let state = AppState {
        hub,
        token: token.map(Arc::from),
    };
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(script))
        .route("/app.css", get(style))
        .route("/api/view", get(view))
        .route("/api/events", get(events))
        .route("/api/task/{id}", get(task))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Token check, then the security headers on every answer.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut set_cookie = None;
    if state.token.is_none() && !local_host(&request) {
        // Without a token only loopback is served; a page of another site that a DNS name
        // of its own points at 127.0.0.1 (DNS rebinding) sends its own name as Host.
        return secured(
            (
                StatusCode::FORBIDDEN,
                "403: open this page as http://127.0.0.1:PORT/ or http://localhost:PORT/\n",
            )
                .into_response(),
        );
    }
    if let Some(token) = &state.token {
        let from_query = request
            .uri()
            .query()
            .into_iter()
            .flat_map(|query| query.split('&'))
            .any(|pair| {
                pair.strip_prefix("token=")
                    .is_some_and(|given| same(given, token))
            });
        let from_cookie = request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .any(|pair| {
                pair.trim()
                    .strip_prefix(COOKIE)
                    .and_then(|rest| rest.strip_prefix('='))
                    .is_some_and(|given| same(given, token))
            });
        if !from_query && !from_cookie {
            return secured(
                (
                    StatusCode::UNAUTHORIZED,
                    "401: this server needs its token: open the URL it printed\n",
                )
                    .into_response(),
            );
        }
        if from_query {
            set_cookie = Some(format!(
                "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
            ));
        }
    }
    let mut response = next.run(request).await;
    if let Some(cookie) = set_cookie.and_then(|cookie| HeaderValue::from_str(&cookie).ok()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    secured(response)
}

/// Compares a given token with ours in a time that does not depend on where they differ.
fn same(given: &str, token: &str) -> bool {
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Whether the request names this machine by an IP address or `localhost` (any port).
fn local_host(request: &Request) -> bool {
    let Some(host) = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
    else {
        // HTTP/1.0 without Host: nothing a browser sends.
        return true;
    };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

async fn view(State(state): State<AppState>) -> Response {
    let json = state.hub.subscribe().borrow().to_string();
    ([(header::CONTENT_TYPE, "application/json")], json).into_response()
}

/// One `view` event now (when there is a picture) and one per new picture.
async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.hub.subscribe();
    let stream = futures::stream::unfold((receiver, true), |(mut receiver, first)| async move {
        loop {
            let has_one = first && !receiver.borrow().is_empty();
            if !has_one && receiver.changed().await.is_err() {
                // The poller ended (a replay polls once): keep the stream open, quietly.
                std::future::pending::<()>().await;
            }
            let json = receiver.borrow_and_update().to_string();
            if !json.is_empty() {
                return Some((
                    Ok(Event::default().event("view").data(json)),
                    (receiver, false),
                ));
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// How many log lines the detail shows.
pub const LOG_LINES: u64 = 20;

/// How long the detail waits for the logs.
const LOG_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A task's detail.
#[derive(Debug, Serialize)]
struct Detail {
    /// explain's text, one line each.
    explain: Vec<String>,
    /// The error, whole.
    error: Option<String>,
    /// The last lines of the task's logs (at most [`LOG_LINES`]).
    logs: Vec<String>,
    /// Why there are no logs to show, when they could not be read.
    logs_problem: Option<String>,
    /// The task as the daemon sent it (`inspect`'s JSON).
    task: Option<serde_json::Value>,
    /// What went wrong fetching it.
    problem: Option<String>,
}

async fn task(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let client = state.hub.client();
    let mut detail = Detail {
        explain: Vec::new(),
        error: None,
        logs: Vec::new(),
        logs_problem: None,
        task: None,
        problem: None,
    };
    let task = match client.inspect(&id).await {
        Ok(task) => task,
        Err(error) => {
            let not_found =
                matches!(&error, swarm_tasks::Error::Transport(inner) if inner.is_not_found());
            let status = if not_found {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::BAD_GATEWAY
            };
            detail.problem = Some(error.to_string());
            return (status, axum::Json(detail)).into_response();
        }
    };
    detail.error = task.status.err.clone();
    detail.task = serde_json::to_value(&task).ok();
    let id = task.id.clone();
    let (explained, logs) = futures::join!(client.explain(&id), last_lines(client, task));
    match explained {
        Ok(explained) => detail.explain = crate::commands::explain::lines(&explained),
        Err(error) => detail.problem = Some(error.to_string()),
    }
    match logs {
        Ok(lines) => detail.logs = lines,
        Err(problem) => detail.logs_problem = Some(problem),
    }
    axum::Json(detail).into_response()
}

/// The last [`LOG_LINES`] lines of a task's logs, or why they cannot be read.
async fn last_lines(
    client: &swarm_tasks::Client,
    task: swarm_tasks::models::Task,
) -> Result<Vec<String>, String> {
    let target = task.id.clone();
    let subject = swarm_tasks::LogSubject::Task(Box::new(task));
    let options = swarm_tasks::LogOptions::new().tail(LOG_LINES);
    let read = async {
        let stream = client
            .subject_logs(&target, &subject, &options)
            .await
            .map_err(|error| error.to_string())?;
        let lines: Vec<_> = stream.collect().await;
        lines
            .into_iter()
            .map(|line| line.map(|line| line.text().into_owned()))
            .collect::<Result<Vec<String>, _>>()
            .map_err(|error| error.to_string())
    };
    match tokio::time::timeout(LOG_WAIT, read).await {
        Ok(Ok(mut lines)) => {
            let keep = usize::try_from(LOG_LINES).unwrap_or(usize::MAX);
            if lines.len() > keep {
                lines.drain(..lines.len() - keep);
            }
            Ok(lines)
        }
        Ok(Err(problem)) => Err(problem),
        Err(_) => Err(format!("no logs within {}s", LOG_WAIT.as_secs())),
    }
}
