//! `swarm-tasks ui` in a real headless Chromium (swarm-testkit's `browser`, over WebDriver)
//! against the fake engine: what the page shows, live changes without a reload, the XSS
//! probe as text, the filter, and the token on a non-loopback address. Without chromium
//! these fail under `CI=true` (.ci/run installs it) and are skipped elsewhere.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use swarm_testkit::browser::Browser;
use swarm_testkit::{FakeEngine, FakeSwarm};

use crate::ui::{XSS, fail_a_web_task, serve};

/// How long a change may take to appear on the page.
const LIMIT: Duration = Duration::from_secs(30);

/// The task each slot shows: the newest of each (service, slot) or, without a slot, each
/// (service, node), computed from the fake swarm's objects.
fn newest_of_each_slot(swarm: &FakeSwarm) -> BTreeSet<String> {
    let mut newest: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for task in swarm.tasks() {
        let text = |key: &str| task[key].as_str().unwrap_or_default().to_owned();
        let slot = match task["Slot"].as_u64() {
            Some(slot) if slot != 0 => slot.to_string(),
            _ => text("NodeID"),
        };
        let entry = newest
            .entry((text("ServiceID"), slot))
            .or_insert_with(|| (text("CreatedAt"), text("ID")));
        if text("CreatedAt") > entry.0 {
            *entry = (text("CreatedAt"), text("ID"));
        }
    }
    newest.into_values().map(|(_, id)| id).collect()
}

/// A JavaScript expression: the data-`attribute` values of every `selector` match, as JSON.
fn attributes(selector: &str, attribute: &str) -> String {
    format!(
        "return JSON.stringify([...document.querySelectorAll('{selector}')].map(e => e.dataset.{attribute}).sort())"
    )
}

async fn strings(browser: &Browser, script: &str) -> BTreeSet<String> {
    let json = browser.eval(script).await.unwrap();
    serde_json::from_str(json.as_str().unwrap_or("[]")).unwrap()
}

/// Waits until the page shows `count` cards.
async fn wait_for_cards(browser: &Browser, count: usize) {
    let script = format!("return document.querySelectorAll('.card').length === {count}");
    if let Err(last) = browser.wait_until(&script, LIMIT).await {
        let shown = browser
            .eval("return document.body.innerText.slice(0, 2000)")
            .await;
        panic!("not {count} cards after 30 s ({last}): {shown:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_every_node_and_task_and_follows_changes_without_a_reload() {
    let Some(browser) = Browser::for_test(1400, 900).await else {
        return;
    };
    let served = serve("127.0.0.1", None).await;
    let engine = &served.engine;
    let swarm = engine.swarm();
    let expected_tasks = newest_of_each_slot(&swarm);
    browser
        .client()
        .goto(&format!("http://{}/", served.addr))
        .await
        .unwrap();
    wait_for_cards(&browser, expected_tasks.len()).await;

    // Every node has its column, every slot's newest task its card; one unplaced column.
    let mut expected_nodes: BTreeSet<String> = swarm
        .nodes()
        .iter()
        .map(|node| node["ID"].as_str().unwrap_or_default().to_owned())
        .collect();
    expected_nodes.insert(String::new());
    assert_eq!(
        strings(&browser, &attributes("#nodes > .node", "node")).await,
        expected_nodes
    );
    assert_eq!(
        strings(&browser, &attributes(".card", "task")).await,
        expected_tasks
    );
    let leader = browser
        .eval("return [...document.querySelectorAll('#nodes .node')].filter(n => n.querySelector('.role.leader')).map(n => n.querySelector('h2').textContent)")
        .await
        .unwrap();
    assert_eq!(leader, serde_json::json!(["node-1"]));
    let web = browser
        .eval("return document.querySelector('#services [data-service=web]').textContent")
        .await
        .unwrap();
    assert!(
        web.as_str().is_some_and(|text| text.contains("replicated")),
        "{web}"
    );

    // A task fails, with the XSS probe as its error: it shows, as text.
    let failed = fail_a_web_task(engine);
    let script = format!(
        "const card = document.querySelector('.card[data-task=\"{failed}\"]');
         return !!card && card.dataset.state === 'failed'
             && card.querySelector('.error').textContent === {XSS:?}"
    );
    browser.wait_until(&script, LIMIT).await.unwrap();
    let images = browser
        .eval("return document.querySelectorAll('img').length")
        .await
        .unwrap();
    assert_eq!(images, 0, "the probe became an element");

    // A slot moves: its replacement starts on another node.
    let (moved, to) = engine.update(|swarm| {
        let old = swarm
            .tasks_of_service("web")
            .into_iter()
            .find(|task| task["Slot"] == 2 && task["DesiredState"] == "running")
            .map(|task| task["ID"].as_str().unwrap_or_default().to_owned())
            .unwrap();
        let node = swarm.task(&old).unwrap()["NodeID"].clone();
        let other = swarm
            .nodes()
            .iter()
            .map(|node| node["ID"].clone())
            .find(|id| *id != node)
            .unwrap();
        let new = swarm.start_replacement(&old).unwrap();
        swarm.set_task_state(&old, "shutdown", "moved");
        swarm.task_mut(&new).unwrap()["NodeID"] = other.clone();
        swarm.set_task_state(&new, "running", "started");
        (new, other.as_str().unwrap_or_default().to_owned())
    });
    let script = format!(
        "const card = document.querySelector('.card[data-task=\"{moved}\"]');
         return !!card && card.closest('.node').dataset.node === '{to}'
             && card.dataset.state === 'running'"
    );
    browser.wait_until(&script, LIMIT).await.unwrap();

    // A node is drained.
    let drained = engine.update(|swarm| {
        let node = swarm.nodes_mut().last_mut().unwrap();
        node["Spec"]["Availability"] = "drain".into();
        node["ID"].as_str().unwrap_or_default().to_owned()
    });
    let script = format!(
        "const col = document.querySelector('#nodes > .node[data-node=\"{drained}\"]');
         return !!col && col.dataset.availability === 'drain' && col.classList.contains('off')
             && col.querySelector('.meta').textContent.includes('drain')"
    );
    browser.wait_until(&script, LIMIT).await.unwrap();

    // The detail: explain's text, the error as text, the task's JSON.
    browser
        .eval(&format!(
            "document.querySelector('.card[data-task=\"{failed}\"]').click(); return true"
        ))
        .await
        .unwrap();
    let script = format!(
        "return document.getElementById('detail').open
            && document.getElementById('detail-json').textContent.includes('\"ID\": \"{failed}\"')
            && document.getElementById('detail-explain').textContent.includes('{failed}')
            && document.getElementById('detail-error').textContent === {XSS:?}"
    );
    browser.wait_until(&script, LIMIT).await.unwrap();
    browser
        .eval("document.getElementById('detail').close(); return true")
        .await
        .unwrap();

    // The daemon goes away: a banner, the last picture stays; it comes back: the banner goes.
    engine.set_fault(swarm_testkit::Fault::ResetConnection);
    let banner = "const banner = document.getElementById('banner');
         return !banner.hidden && banner.textContent.includes('daemon cannot be reached')
             && document.querySelectorAll('.card').length > 0";
    browser.wait_until(banner, LIMIT).await.unwrap();
    engine.clear_fault();
    browser
        .wait_until("return document.getElementById('banner').hidden", LIMIT)
        .await
        .unwrap();
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_filter_hides_what_does_not_match() {
    let Some(browser) = Browser::for_test(1400, 900).await else {
        return;
    };
    let served = serve("127.0.0.1", None).await;
    let swarm = served.engine.swarm();
    let all = newest_of_each_slot(&swarm);
    browser
        .client()
        .goto(&format!("http://{}/", served.addr))
        .await
        .unwrap();
    wait_for_cards(&browser, all.len()).await;
    let visible = |selector: &str, attribute: &str| {
        format!(
            "return JSON.stringify([...document.querySelectorAll('{selector}')].filter(e => e.offsetParent !== null).map(e => e.dataset.{attribute}).sort())"
        )
    };
    let service_of = |id: &str| {
        let task = swarm.task(id).unwrap();
        let service = task["ServiceID"].as_str().unwrap_or_default();
        swarm
            .services()
            .iter()
            .find(|s| s["ID"] == service)
            .and_then(|s| s["Spec"]["Name"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let filter = browser
        .client()
        .find(swarm_testkit::browser::fantoccini::Locator::Id("filter"))
        .await
        .unwrap();

    // By service: only web's cards, only web's chip.
    filter.send_keys("web").await.unwrap();
    let web: BTreeSet<String> = all
        .iter()
        .filter(|id| service_of(id) == "web")
        .cloned()
        .collect();
    assert_eq!(strings(&browser, &visible(".card", "task")).await, web);
    assert_eq!(
        strings(&browser, &visible("#services .service", "service")).await,
        BTreeSet::from(["web".to_owned()])
    );

    // By state: the rejected tasks of broken.
    filter.clear().await.unwrap();
    filter.send_keys("rejected").await.unwrap();
    let rejected: BTreeSet<String> = all
        .iter()
        .filter(|id| swarm.task(id).unwrap()["Status"]["State"] == "rejected")
        .cloned()
        .collect();
    assert!(!rejected.is_empty());
    assert_eq!(strings(&browser, &visible(".card", "task")).await, rejected);

    // By label: a service label (every sample service has one), then one nobody has.
    let (key, value) = swarm.services()[0]["Spec"]["Labels"]
        .as_object()
        .and_then(|labels| labels.iter().next())
        .map(|(key, value)| (key.clone(), value.as_str().unwrap_or_default().to_owned()))
        .unwrap();
    let labelled: BTreeSet<String> = all
        .iter()
        .filter(|id| {
            let service = swarm.task(id).unwrap()["ServiceID"].clone();
            swarm
                .services()
                .iter()
                .any(|s| s["ID"] == service && s["Spec"]["Labels"][&key] == value.as_str())
        })
        .cloned()
        .collect();
    filter.clear().await.unwrap();
    filter.send_keys(&format!("{key}={value}")).await.unwrap();
    assert_eq!(strings(&browser, &visible(".card", "task")).await, labelled);
    filter.clear().await.unwrap();
    filter.send_keys("no-such-thing-anywhere").await.unwrap();
    assert!(
        strings(&browser, &visible(".card", "task"))
            .await
            .is_empty()
    );
    assert!(
        strings(&browser, &visible("#nodes > .node", "node"))
            .await
            .is_empty()
    );
    browser.close().await;
}

/// `swarm-tasks ui --listen 0.0.0.0:0` over `engine`: the process and the URL it printed.
fn run_ui_off_loopback(engine: &FakeEngine) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_swarm-tasks"))
        .args(["-H", &engine.host(), "ui", "--listen", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let stderr = child.stderr.take().unwrap();
    BufReader::new(stderr).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (child, url)
}

/// Kills the server when the test ends, however it ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_loopback_the_page_needs_the_printed_token() {
    let Some(browser) = Browser::for_test(1200, 800).await else {
        return;
    };
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let (child, printed) = run_ui_off_loopback(&engine);
    let _server = Killed(child);
    // Listening on every address, it prints a loopback URL with the token.
    let with_token = printed;
    assert!(with_token.starts_with("http://127.0.0.1:"), "{with_token}");
    let (base, token) = with_token.split_once("?token=").unwrap();
    assert_eq!(token.len(), 32, "{with_token}");
    for path in ["", "api/view", "api/events", "app.js"] {
        let answer = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(answer.status(), 401, "{path}");
    }

    browser.client().goto(base).await.unwrap();
    let body = browser
        .eval("return document.body.innerText")
        .await
        .unwrap();
    assert!(
        body.as_str().is_some_and(|text| text.starts_with("401")),
        "{body}"
    );
    assert_eq!(
        browser
            .eval("return document.querySelectorAll('.card').length")
            .await
            .unwrap(),
        0
    );

    // The printed URL works; the token leaves the address bar, the cookie carries the stream.
    browser.client().goto(&with_token).await.unwrap();
    wait_for_cards(&browser, newest_of_each_slot(&engine.swarm()).len()).await;
    assert_eq!(
        browser.eval("return location.search").await.unwrap(),
        "",
        "the token stays in the address bar"
    );
    let cookie_from_script = browser.eval("return document.cookie").await.unwrap();
    assert_eq!(cookie_from_script, "", "the cookie is HttpOnly");
    browser.close().await;
}
