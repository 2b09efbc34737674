//! `swarm-tasks ui` over HTTP: headers, the token, the event stream fed by the fake engine,
//! the detail route, and the one-line error for a port in use.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use swarm_tasks::Client;
use swarm_tasks_cli::ui::{server, view::Hub};
use swarm_testkit::{FakeEngine, FakeSwarm};

use crate::util::run;

/// The probe a task error carries in these tests: it must reach the page as text.
pub const XSS: &str = "<img src=x onerror=alert(1)>";

/// A served `ui` over a fake engine: its address and the engine.
pub struct Served {
    /// Where the page is.
    pub addr: SocketAddr,
    /// The fake daemon behind it.
    pub engine: FakeEngine,
}

/// Starts the fake engine with the sample swarm and `ui` on `ip`:0 (token optional),
/// polling every 100 ms.
pub async fn serve(ip: &str, token: Option<&str>) -> Served {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let client = Client::builder().host(engine.host()).build().await.unwrap();
    let hub = Hub::start(Arc::new(client), Duration::from_millis(100), false);
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server::router(hub, token.map(str::to_owned));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Served { addr, engine }
}

/// Makes a running task of `web` fail with the XSS probe as its error; returns its ID.
pub fn fail_a_web_task(engine: &FakeEngine) -> String {
    engine.update(|swarm| {
        let id = swarm
            .tasks_of_service("web")
            .into_iter()
            .find(|task| task["Status"]["State"] == "running" && task["DesiredState"] == "running")
            .unwrap()["ID"]
            .as_str()
            .unwrap()
            .to_owned();
        let task = swarm.task_mut(&id).unwrap();
        task["Status"]["State"] = "failed".into();
        task["Status"]["Err"] = XSS.into();
        id
    })
}

#[tokio::test]
async fn the_page_comes_with_a_csp_and_only_get_exists() {
    let served = serve("127.0.0.1", None).await;
    let http = reqwest::Client::new();
    let base = format!("http://{}", served.addr);
    let page = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<script src="app.js" defer></script>"#));
    assert!(!html.contains("<script>"), "no inline script");
    for asset in ["/app.js", "/app.css", "/api/view"] {
        let answer = http.get(format!("{base}{asset}")).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{asset}");
    }
    for path in ["/", "/api/view", "/api/events"] {
        let answer = http.post(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(answer.status(), 405, "POST {path}");
    }
    let script = http
        .get(format!("{base}/app.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !script.contains("innerHTML"),
        "daemon text must go in as textContent"
    );
}

#[tokio::test]
async fn off_loopback_every_request_needs_the_token_then_the_cookie() {
    // 127.0.0.2 is loopback too, but the token decision is made from --listen (tested
    // below); here the server is given a token as it would be for any other address.
    let served = serve("127.0.0.2", Some("s3cret")).await;
    let http = reqwest::Client::new();
    let base = format!("http://{}", served.addr);
    for path in ["/", "/app.js", "/api/view", "/api/events", "/?token=wrong"] {
        let answer = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(answer.status(), 401, "{path}");
        assert!(answer.headers().contains_key("content-security-policy"));
    }
    let first = http
        .get(format!("{base}/?token=s3cret"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let cookie = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("swarm_tasks_ui=s3cret;"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let with_cookie = http
        .get(format!("{base}/api/view"))
        .header("cookie", "other=1; swarm_tasks_ui=s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status(), 200);
}

#[test]
fn a_non_loopback_listen_address_gets_a_generated_token() {
    let parse = |listen: &str, token: Option<&str>| {
        let mut args = vec!["swarm-tasks", "ui", "--listen", listen];
        if let Some(token) = token {
            args.extend(["--token", token]);
        }
        let cli = swarm_tasks_cli::cli::try_parse_from(args).unwrap();
        let env = swarm_tasks_cli::config::Environment::default();
        match swarm_tasks_cli::config::RunConfig::from_cli(cli, &env)
            .unwrap()
            .action
        {
            swarm_tasks_cli::config::Action::Ui(ui) => ui,
            other => panic!("not ui: {other:?}"),
        }
    };
    assert_eq!(parse("127.0.0.1:7878", None).token, None);
    assert_eq!(parse("[::1]:7878", None).token, None);
    let generated = parse("0.0.0.0:7878", None).token.unwrap();
    assert_eq!(generated.len(), 32);
    assert_eq!(
        parse("10.1.2.3:80", Some("mine")).token.as_deref(),
        Some("mine")
    );
    assert_eq!(
        parse("127.0.0.1:7878", Some("mine")).token.as_deref(),
        Some("mine")
    );
}

#[test]
fn bad_listen_and_token_values_are_usage_errors() {
    let outcome = run(&["ui", "--listen", "localhost"]);
    outcome.code(2);
    assert!(
        outcome
            .stderr
            .contains("invalid address \"localhost\" in --listen"),
        "{}",
        outcome.stderr
    );
    let outcome = run(&["ui", "--token", "a b"]);
    outcome.code(2);
    assert!(
        outcome.stderr.contains("invalid --token"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_port_in_use_is_one_line_and_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/swarm");
    let outcome = run(&["--replay", demo, "ui", "--listen", &addr]);
    outcome.code(1);
    let lines = outcome.stderr_lines();
    assert!(
        lines[0].starts_with(&format!("swarm-tasks: cannot listen on {addr}: ")),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("serving"), "{}", outcome.stderr);
}

#[tokio::test]
async fn the_event_stream_delivers_a_change_in_the_fake_swarm() {
    let served = serve("127.0.0.1", None).await;
    let answer = reqwest::get(format!("http://{}/api/events", served.addr))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "text/event-stream");
    let mut body = answer.bytes_stream();
    let mut text = String::new();
    let mut changed = false;
    let seen = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(chunk) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if !changed && text.contains("event: view") {
                fail_a_web_task(&served.engine);
                changed = true;
            }
            // serde_json writes `<` as is; the page inserts it with textContent.
            if changed && text.contains(&format!("\"error\":\"{XSS}\"")) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(seen, Ok(true), "no event with the failed task:\n{text}");
}

#[tokio::test]
async fn the_detail_has_explain_the_error_and_the_json() {
    let served = serve("127.0.0.1", None).await;
    let id = fail_a_web_task(&served.engine);
    let detail: serde_json::Value = reqwest::get(format!("http://{}/api/task/{id}", served.addr))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["error"], XSS);
    assert_eq!(detail["task"]["ID"], id.as_str());
    let explain = detail["explain"].as_array().unwrap();
    assert!(explain[0].as_str().unwrap().contains(&id), "{detail}");
    let missing = reqwest::get(format!("http://{}/api/task/nope", served.addr))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
