//! The picture the page draws, and the one shared poller that keeps it current.
//!
//! [`Hub::start`] spawns a single task that runs the monitoring module's watch
//! ([`Client::watch`], one `GET /tasks` per poll at an adaptive interval, paced after errors
//! by [`TaskStreamExt::backoff`](swarm_tasks::monitor::TaskStreamExt::backoff)) and, at each poll's `Synced` marker, lists services (with
//! status) and nodes: three requests per poll. It publishes the result as one JSON text on a
//! `tokio::sync::watch` channel that every event stream reads, so the daemon sees the same
//! requests whatever the number of pages. Only names, states, images, labels, counts and
//! errors go into the picture: no Env, secret or config value (the task JSON view fetches
//! the one task a person clicks).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt as _;
use serde::Serialize;
use swarm_tasks::Client;
use swarm_tasks::PsOptions;
use swarm_tasks::models::{Node, Service, Task, TaskFilter};
use swarm_tasks::monitor::{Backoff, TaskEvent, TaskStreamExt as _, WatchConfig, mode_name};
use swarm_tasks::rows::{NameIndex, build_rows};
use tokio::sync::watch;

/// The whole page's data at one poll.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct View {
    /// `None` when the last poll worked; the error text otherwise (the page says so and
    /// keeps the previous picture).
    pub error: Option<String>,
    /// When the poll ended (RFC 3339).
    pub polled_at: String,
    /// The instant ages are measured from when the clock is pinned (`--now`), RFC 3339;
    /// `None`: the browser's clock.
    pub now: Option<String>,
    /// The nodes, by hostname.
    pub nodes: Vec<NodeCard>,
    /// The services, by name.
    pub services: Vec<ServiceCard>,
    /// The tasks worth drawing: the newest task of each slot, in docker's order.
    pub tasks: Vec<TaskCard>,
}

/// A node's column header.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NodeCard {
    /// Node ID.
    pub id: String,
    /// Hostname (the ID when the daemon gave none).
    pub hostname: String,
    /// manager or worker.
    pub role: String,
    /// active, pause or drain.
    pub availability: String,
    /// ready, down, ...
    pub state: String,
    /// The raft leader.
    pub leader: bool,
    /// The node's labels (`Spec.Labels`) as `key=value`.
    pub labels: Vec<String>,
}

/// A service in the services bar.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServiceCard {
    /// Service ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// replicated, global, replicated-job, global-job.
    pub mode: String,
    /// Running tasks (from the daemon's service status).
    pub running: Option<u64>,
    /// Desired tasks.
    pub desired: Option<u64>,
    /// Completed tasks (jobs).
    pub completed: Option<u64>,
    /// The update's state, when an update happened.
    pub update: Option<String>,
    /// The service's labels (`Spec.Labels`) as `key=value`.
    pub labels: Vec<String>,
}

/// A task card.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TaskCard {
    /// Task ID.
    pub id: String,
    /// `service.slot` (or `service.node` for global services), as docker names it.
    pub name: String,
    /// The service's name.
    pub service: String,
    /// The node's ID (`None`: not placed yet).
    pub node_id: Option<String>,
    /// The image as `docker service ps` shows it (no digest).
    pub image: String,
    /// Current state.
    pub state: String,
    /// Desired state.
    pub desired: String,
    /// Since when it is in its state (RFC 3339).
    pub since: Option<String>,
    /// The daemon's error, whole.
    pub error: Option<String>,
    /// The service's labels and the task's own, as `key=value` (for the filter).
    pub labels: Vec<String>,
}

/// Builds the picture from one poll's objects.
pub fn build(tasks: Vec<Task>, services: &[Service], nodes: &[Node]) -> View {
    let names = NameIndex::new(services, nodes);
    let service_labels: HashMap<&str, &BTreeMap<String, String>> = services
        .iter()
        .map(|service| (service.id.as_str(), &service.spec.labels))
        .collect();
    let options = PsOptions {
        latest: true,
        ..PsOptions::default()
    };
    let cards: Vec<TaskCard> = build_rows(tasks, &names, &options)
        .into_iter()
        .map(|row| {
            let mut labels = row
                .task
                .service_id
                .as_deref()
                .and_then(|id| service_labels.get(id))
                .map(|labels| pairs(labels))
                .unwrap_or_default();
            labels.extend(pairs(&row.task.labels));
            TaskCard {
                id: row.task.id.clone(),
                image: row.display_image().unwrap_or_default(),
                name: row.name,
                service: row.service_name,
                node_id: row.task.node_id.clone().filter(|id| !id.is_empty()),
                state: text(row.current_state.as_ref()),
                desired: text(row.desired_state.as_ref()),
                since: row.since.map(|since| since.to_string()),
                error: row.error,
                labels,
            }
        })
        .collect();
    let mut node_cards: Vec<NodeCard> = nodes.iter().map(node_card).collect();
    node_cards.sort_by(|a, b| swarm_tasks::rows::natural_cmp(&a.hostname, &b.hostname));
    let mut service_cards: Vec<ServiceCard> = services.iter().map(service_card).collect();
    service_cards.sort_by(|a, b| a.name.cmp(&b.name));
    View {
        error: None,
        polled_at: now_text(),
        now: None,
        nodes: node_cards,
        services: service_cards,
        tasks: cards,
    }
}

fn pairs(labels: &BTreeMap<String, String>) -> Vec<String> {
    labels
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect()
}

fn text<T: ToString>(value: Option<&T>) -> String {
    value.map_or_else(String::new, ToString::to_string)
}

fn node_card(node: &Node) -> NodeCard {
    let description = node.description.as_ref();
    let status = node.status.as_ref();
    NodeCard {
        id: node.id.clone(),
        hostname: description
            .and_then(|description| description.hostname.clone())
            .unwrap_or_else(|| node.id.clone()),
        role: text(node.spec.role.as_ref()),
        availability: text(node.spec.availability.as_ref()),
        state: text(status.and_then(|status| status.state.as_ref())),
        leader: node
            .manager_status
            .as_ref()
            .and_then(|manager| manager.leader)
            .unwrap_or(false),
        labels: pairs(&node.spec.labels),
    }
}

fn service_card(service: &Service) -> ServiceCard {
    let status = service.service_status.as_ref();
    ServiceCard {
        id: service.id.clone(),
        name: service
            .spec
            .name
            .clone()
            .unwrap_or_else(|| service.id.clone()),
        mode: mode_name(service.mode()).to_owned(),
        running: status.and_then(|status| status.running_tasks),
        desired: status.and_then(|status| status.desired_tasks),
        completed: status.and_then(|status| status.completed_tasks),
        update: service
            .update_status
            .as_ref()
            .and_then(|update| update.state.as_ref())
            .map(ToString::to_string),
        labels: pairs(&service.spec.labels),
    }
}

/// How the shared poller runs.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// The watch's poll interval bounds (see [`POLL`]).
    pub poll: WatchConfig,
    /// The pause after failed polls, while the daemon is away (see [`BACKOFF`]).
    pub backoff: Backoff,
    /// Serving a snapshot: poll once, it does not change.
    pub replay: bool,
    /// The pinned "now" (`--now`), RFC 3339, handed to the page for ages.
    pub now: Option<String>,
}

/// The poll interval of `ui`: every second while tasks change, up to every 4 s when quiet.
pub const POLL: WatchConfig = WatchConfig {
    min_interval: Duration::from_secs(1),
    max_interval: Duration::from_secs(4),
};

/// The pause after failed polls: 500 ms doubling up to 4 s, so the page recovers within a
/// few seconds of the daemon's return.
pub const BACKOFF: Backoff = Backoff {
    initial: Duration::from_millis(500),
    factor: 2.0,
    max: Duration::from_secs(4),
    max_retries: None,
};

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            poll: POLL,
            backoff: BACKOFF,
            replay: false,
            now: None,
        }
    }
}

/// The shared poller's output: the latest picture as JSON text.
#[derive(Debug, Clone)]
pub struct Hub {
    client: Arc<Client>,
    latest: watch::Receiver<Arc<str>>,
    polls: Arc<AtomicU64>,
}

impl Hub {
    /// Starts the one poller task: a watch over every task, plus services and nodes at each
    /// poll; once only for a replay. It ends when every [`Hub`] clone is dropped.
    pub fn start(client: Arc<Client>, config: HubConfig) -> Self {
        let (sender, latest) = watch::channel::<Arc<str>>(Arc::from(""));
        let polls = Arc::new(AtomicU64::new(0));
        let poller = Arc::clone(&client);
        let counter = Arc::clone(&polls);
        tokio::spawn(async move {
            let mut events = poller
                .watch(TaskFilter::default(), config.poll)
                .backoff(config.backoff)
                .boxed();
            let mut tasks: HashMap<String, Task> = HashMap::new();
            let mut last = View::default();
            let mut sent: Option<View> = None;
            while let Some(event) = events.next().await {
                let mut view = match event {
                    Ok(TaskEvent::Initial { task } | TaskEvent::Added { task }) => {
                        tasks.insert(task.id.clone(), *task);
                        continue;
                    }
                    Ok(TaskEvent::StateChanged(change)) => {
                        tasks.insert(change.task.id.clone(), change.task);
                        continue;
                    }
                    Ok(TaskEvent::Removed { task }) => {
                        tasks.remove(&task.id);
                        continue;
                    }
                    Ok(TaskEvent::Synced { .. }) => {
                        counter.fetch_add(1, Ordering::Relaxed);
                        match futures::try_join!(poller.services(), poller.nodes()) {
                            Ok((services, nodes)) => {
                                build(tasks.values().cloned().collect(), &services, &nodes)
                            }
                            Err(error) => failed(&last, &error),
                        }
                    }
                    Ok(_) => continue,
                    Err(error) => {
                        counter.fetch_add(1, Ordering::Relaxed);
                        failed(&last, &error)
                    }
                };
                view.now.clone_from(&config.now);
                if view.error.is_none() {
                    last = view.clone();
                }
                // Publish only a different picture (the poll time alone is no change).
                let same = sent.as_ref().is_some_and(|sent| {
                    sent.error == view.error
                        && sent.nodes == view.nodes
                        && sent.services == view.services
                        && sent.tasks == view.tasks
                });
                if !same {
                    let json = serde_json::to_string(&view).unwrap_or_default();
                    if sender.send(Arc::from(json)).is_err() {
                        break;
                    }
                    sent = Some(view);
                }
                if (config.replay && sent.as_ref().is_some_and(|sent| sent.error.is_none()))
                    || sender.is_closed()
                {
                    break;
                }
            }
        });
        Self {
            client,
            latest,
            polls,
        }
    }

    /// The client, for the detail view.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A receiver of every new picture.
    pub fn subscribe(&self) -> watch::Receiver<Arc<str>> {
        self.latest.clone()
    }

    /// How many polls the poller has made so far (each one: tasks, then services and nodes).
    pub fn polls(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }
}

/// The previous picture with the error's text.
fn failed(last: &View, error: &swarm_tasks::Error) -> View {
    View {
        error: Some(error.to_string()),
        polled_at: now_text(),
        ..last.clone()
    }
}

fn now_text() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects() -> (Vec<Task>, Vec<Service>, Vec<Node>) {
        let services: Vec<Service> = serde_json::from_value(serde_json::json!([{
            "ID": "s1",
            "Spec": {"Name": "web", "Labels": {"tier": "front"},
                     "Mode": {"Replicated": {"Replicas": 2}},
                     "TaskTemplate": {"ContainerSpec": {"Image": "nginx:1.25",
                        "Env": ["PASSWORD=hunter2"]}}},
            "ServiceStatus": {"RunningTasks": 1, "DesiredTasks": 2},
            "UpdateStatus": {"State": "updating"}
        }]))
        .unwrap_or_default();
        let nodes: Vec<Node> = serde_json::from_value(serde_json::json!([
            {"ID": "n2", "Description": {"Hostname": "node-10"},
             "Spec": {"Role": "worker", "Availability": "drain", "Labels": {"zone": "b"}},
             "Status": {"State": "ready"}},
            {"ID": "n1", "Description": {"Hostname": "node-9"},
             "Spec": {"Role": "manager", "Availability": "active"},
             "Status": {"State": "ready"}, "ManagerStatus": {"Leader": true}}
        ]))
        .unwrap_or_default();
        let task = |id: &str, slot: u64, node: Option<&str>, state: &str, created: &str| {
            let mut value = serde_json::json!({
                "ID": id, "ServiceID": "s1", "Slot": slot, "DesiredState": "running",
                "CreatedAt": created,
                "Status": {"State": state, "Timestamp": created},
                "Spec": {"ContainerSpec": {
                    "Image": "nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                    "Env": ["PASSWORD=hunter2"]},
                    "Secrets": [{"SecretName": "db-password"}]}
            });
            if let Some(node) = node {
                value["NodeID"] = node.into();
            }
            serde_json::from_value::<Task>(value).unwrap_or_default()
        };
        let tasks = vec![
            task("t1", 1, Some("n1"), "failed", "2024-05-01T10:00:00Z"),
            task("t2", 1, Some("n2"), "running", "2024-05-01T10:01:00Z"),
            task("t3", 2, None, "pending", "2024-05-01T10:02:00Z"),
        ];
        (tasks, services, nodes)
    }

    #[test]
    fn the_picture_has_the_newest_task_of_each_slot_nodes_and_services() {
        let (tasks, services, nodes) = objects();
        let view = build(tasks, &services, &nodes);
        let names: Vec<(&str, &str, Option<&str>)> = view
            .tasks
            .iter()
            .map(|task| {
                (
                    task.name.as_str(),
                    task.id.as_str(),
                    task.node_id.as_deref(),
                )
            })
            .collect();
        assert_eq!(names, [("web.1", "t2", Some("n2")), ("web.2", "t3", None)]);
        assert_eq!(view.tasks[0].image, "nginx:1.25");
        assert_eq!(view.tasks[0].labels, ["tier=front"]);
        let hosts: Vec<&str> = view.nodes.iter().map(|n| n.hostname.as_str()).collect();
        assert_eq!(hosts, ["node-9", "node-10"], "natural order");
        assert!(view.nodes[0].leader && view.nodes[0].role == "manager");
        assert_eq!(view.nodes[1].availability, "drain");
        assert_eq!(view.nodes[1].labels, ["zone=b"]);
        let web = &view.services[0];
        assert_eq!(
            (
                web.mode.as_str(),
                web.running,
                web.desired,
                web.update.as_deref()
            ),
            ("replicated", Some(1), Some(2), Some("updating"))
        );
    }

    #[test]
    fn no_env_or_secret_reaches_the_picture() {
        let (tasks, services, nodes) = objects();
        let json = serde_json::to_string(&build(tasks, &services, &nodes)).unwrap_or_default();
        assert!(json.contains("web.1"), "{json}");
        for secret in ["hunter2", "PASSWORD", "db-password", "sha256"] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
    }
}
