//! `swarm-tasks ui` over HTTP: headers, the token, the event stream fed by the fake engine,
//! the detail route, and the one-line error for a port in use.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use swarm_tasks::Client;
use swarm_tasks::monitor::{Backoff, WatchConfig};
use swarm_tasks_cli::ui::server;
use swarm_tasks_cli::ui::view::{Hub, HubConfig};
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
    /// The shared poller (for its poll count).
    pub hub: Hub,
}

/// A poller for tests: every 100 ms, 100 ms after errors.
pub fn fast() -> HubConfig {
    let every = Duration::from_millis(100);
    HubConfig {
        poll: WatchConfig::default()
            .min_interval(every)
            .max_interval(every),
        backoff: Backoff {
            initial: every,
            max: every,
            ..Backoff::default()
        },
        ..HubConfig::default()
    }
}

/// Starts the fake engine with the sample swarm and `ui` on `ip`:0 (token optional),
/// polling every 100 ms.
pub async fn serve(ip: &str, token: Option<&str>) -> Served {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let client = Client::builder().host(engine.host()).build().unwrap();
    let hub = Hub::start(Arc::new(client), fast());
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server::router(hub.clone(), token.map(str::to_owned));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Served { addr, engine, hub }
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
    assert_eq!(parse("127.0.0.1:7878", None).now, None);
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

#[tokio::test]
async fn the_detail_ends_with_the_last_log_lines() {
    let served = serve("127.0.0.1", None).await;
    let id = fail_a_web_task(&served.engine);
    let mut logs = swarm_testkit::FakeLogs::new();
    for n in 1..=30 {
        logs = logs.frame(1, format!("line {n} <b>as text</b>\n").as_bytes());
    }
    served.engine.set_logs(&id, logs);
    let detail: serde_json::Value = reqwest::get(format!("http://{}/api/task/{id}", served.addr))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lines = detail["logs"].as_array().unwrap();
    assert_eq!(lines.len(), 20, "{detail}");
    assert_eq!(lines[0], "line 11 <b>as text</b>");
    assert_eq!(lines[19], "line 30 <b>as text</b>");
}

#[tokio::test]
async fn without_a_token_only_local_host_names_are_served() {
    // DNS rebinding: a page of another site, its name pointed at 127.0.0.1, sends that name.
    let served = serve("127.0.0.1", None).await;
    let http = reqwest::Client::new();
    let url = format!("http://{}/api/view", served.addr);
    let port = served.addr.port();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let answer = http.get(&url).header("host", &host).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{host}");
    }
    let answer = http
        .get(&url)
        .header("host", format!("attacker.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
}

/// Reads `view` events from the page's event stream until `done` says so (30 s at most).
async fn events_until(
    addr: SocketAddr,
    mut done: impl FnMut(&serde_json::Value) -> bool,
) -> Vec<serde_json::Value> {
    let answer = reqwest::get(format!("http://{addr}/api/events"))
        .await
        .unwrap();
    let mut body = answer.bytes_stream();
    let mut buffer = String::new();
    let mut views = Vec::new();
    let finished = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(chunk) = body.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|line| line.strip_prefix("data: ")) {
                    let view: serde_json::Value = serde_json::from_str(data).unwrap();
                    let stop = done(&view);
                    views.push(view);
                    if stop {
                        return;
                    }
                }
            }
        }
    })
    .await;
    assert!(finished.is_ok(), "gave up after 30 s: {views:?}");
    views
}

#[tokio::test]
async fn when_the_daemon_goes_away_the_page_is_told_and_recovers() {
    let served = serve("127.0.0.1", None).await;
    let engine = &served.engine;
    let mut phase = 0;
    let views = events_until(served.addr, |view| {
        match (phase, view["error"].is_null()) {
            (0, true) => {
                engine.set_fault(swarm_testkit::Fault::ResetConnection);
                phase = 1;
            }
            (1, false) => {
                engine.clear_fault();
                phase = 2;
            }
            (2, true) => return true,
            _ => {}
        }
        false
    })
    .await;
    let gone = views.iter().find(|view| !view["error"].is_null()).unwrap();
    assert!(
        gone["tasks"]
            .as_array()
            .is_some_and(|tasks| !tasks.is_empty()),
        "the last picture stays: {gone}"
    );
    let back = views.last().unwrap();
    assert!(back["error"].is_null() && !back["tasks"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn many_pages_cost_the_daemon_what_one_does() {
    let served = serve("127.0.0.1", None).await;
    let addr = served.addr;
    // 20 pages, each waiting for a few changes pushed from the fake swarm.
    let pages: Vec<_> = (0..20)
        .map(|_| {
            tokio::spawn(async move {
                let mut seen = 0;
                events_until(addr, |_| {
                    seen += 1;
                    seen == 4
                })
                .await
            })
        })
        .collect();
    let engine = &served.engine;
    // Keep the swarm changing (at most 30 s) until every page has seen 4 pictures.
    for round in 0..600 {
        if pages.iter().all(|page| page.is_finished()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let state = if round % 2 == 0 {
            "starting"
        } else {
            "running"
        };
        engine.update(|swarm| {
            let id = swarm.tasks_of_service("web")[0]["ID"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            swarm.set_task_state(&id, state, "changed");
        });
    }
    for page in pages {
        assert_eq!(page.await.unwrap().len(), 4);
    }
    let count = |path: &str| {
        engine
            .requests()
            .iter()
            .filter(|request| request.path == path)
            .count() as u64
    };
    let polls = served.hub.polls();
    let (tasks, services, nodes) = (count("/tasks"), count("/services"), count("/nodes"));
    // One poll = one request of each, whatever the number of pages (one may be under way).
    assert!(polls >= 4, "{polls} polls");
    assert!(
        tasks.abs_diff(polls) <= 1,
        "{tasks} task listings in {polls} polls"
    );
    assert!(
        services.abs_diff(polls) <= 1,
        "{services} service listings in {polls} polls"
    );
    assert!(
        nodes.abs_diff(polls) <= 1,
        "{nodes} node listings in {polls} polls"
    );
}

#[test]
fn the_help_says_how_often_the_poller_asks() {
    use swarm_tasks_cli::ui::view::POLL;
    let outcome = run(&["ui", "--help"]);
    outcome.code(0);
    let help = outcome
        .stdout
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let every = format!(
        "every {} to {}s",
        POLL.min_interval.as_secs(),
        POLL.max_interval.as_secs()
    );
    assert!(help.contains(&every), "{every} not in {help}");
    assert!(help.contains("listens on 127.0.0.1:7878"), "{help}");
    let cli = swarm_tasks_cli::cli::try_parse_from(["swarm-tasks", "ui"]).unwrap();
    let swarm_tasks_cli::cli::Command::Ui(args) = cli.command else {
        panic!("not ui")
    };
    assert_eq!(args.listen, swarm_tasks_cli::ui::DEFAULT_LISTEN);
}

#[tokio::test]
async fn a_replay_is_served_once_with_the_pinned_clock() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/swarm");
    let client = Client::builder().replay(demo).build().unwrap();
    let config = HubConfig {
        replay: true,
        now: Some("2026-01-01T00:00:00Z".to_owned()),
        ..HubConfig::default()
    };
    let hub = Hub::start(Arc::new(client), config);
    let mut latest = hub.subscribe();
    let json = tokio::time::timeout(Duration::from_secs(30), async {
        latest
            .wait_for(|json| !json.is_empty())
            .await
            .unwrap()
            .to_string()
    })
    .await
    .unwrap();
    let view: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(view["now"], "2026-01-01T00:00:00Z");
    assert!(
        view["tasks"]
            .as_array()
            .is_some_and(|tasks| !tasks.is_empty())
    );
    assert!(view["error"].is_null(), "{view}");
}

#[test]
fn a_pinned_clock_reaches_the_page() {
    let cli = swarm_tasks_cli::cli::try_parse_from([
        "swarm-tasks",
        "--now",
        "2026-11-28T01:55:00Z",
        "ui",
    ])
    .unwrap();
    let env = swarm_tasks_cli::config::Environment::default();
    let config = swarm_tasks_cli::config::RunConfig::from_cli(cli, &env).unwrap();
    let swarm_tasks_cli::config::Action::Ui(ui) = config.action else {
        panic!("not ui")
    };
    assert_eq!(ui.now.as_deref(), Some("2026-11-28T01:55:00Z"));
}

#[test]
fn open_hands_the_printed_url_to_the_desktop_opener() {
    // A stand-in `xdg-open` that writes down the URL it is given.
    let dir = tempfile::tempdir().unwrap();
    let opened = dir.path().join("opened");
    let opener = dir.path().join("xdg-open");
    std::fs::write(
        &opener,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > {}.tmp && mv {0}.tmp {0}\n",
            opened.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/swarm");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_swarm-tasks"))
        .args(["--replay", demo, "ui", "--listen", "127.0.0.1:0", "--open"])
        .env("PATH", path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stderr.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let mut url = None;
    for _ in 0..300 {
        if let Ok(text) = std::fs::read_to_string(&opened) {
            url = Some(text);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let url = url.expect("xdg-open was not run within 30 s");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(line.contains(&url), "{line}");
}
