//! The picture the page draws, and the one shared poller that keeps it current.
//!
//! [`Hub::start`] spawns a single task that asks the daemon for tasks, services (with
//! status) and nodes once per period and publishes the result as one JSON text on a
//! `tokio::sync::watch` channel; every event stream reads that channel, so the daemon sees
//! the same requests whatever the number of pages. Only names, states, images, counts and
//! errors go into the picture: no Env, secret or config value (the task JSON view fetches
//! the one task a person clicks).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use swarm_tasks::Client;
use swarm_tasks::PsOptions;
use swarm_tasks::models::{Node, Service, Task, TaskFilter};
use swarm_tasks::monitor::mode_name;
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
    /// The nodes, by hostname.
    pub nodes: Vec<NodeCard>,
    /// The services, by name.
    pub services: Vec<ServiceCard>,
    /// The tasks worth drawing: the newest task of each slot.
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
    /// The update's state, when an update happened.
    pub update: Option<String>,
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
    /// The image without its digest.
    pub image: String,
    /// Current state.
    pub state: String,
    /// Desired state.
    pub desired: String,
    /// Since when it is in its state (RFC 3339).
    pub since: Option<String>,
    /// The daemon's error, whole.
    pub error: Option<String>,
}

/// Builds the picture from one poll's objects.
pub fn build(tasks: Vec<Task>, services: &[Service], nodes: &[Node]) -> View {
    let names = NameIndex::new(services, nodes);
    let options = PsOptions {
        latest: true,
        ..PsOptions::default()
    };
    let mut cards: Vec<TaskCard> = build_rows(tasks, &names, &options)
        .into_iter()
        .map(|row| TaskCard {
            id: row.task.id.clone(),
            name: row.name,
            service: row.service_name,
            node_id: row.task.node_id.clone().filter(|id| !id.is_empty()),
            image: row
                .image
                .map(|image| image.split('@').next().unwrap_or_default().to_owned())
                .unwrap_or_default(),
            state: text(row.current_state.as_ref()),
            desired: text(row.desired_state.as_ref()),
            since: row.since.map(|since| since.to_string()),
            error: row.error,
        })
        .collect();
    cards.sort_by(|a, b| a.name.cmp(&b.name));
    let mut node_cards: Vec<NodeCard> = nodes.iter().map(node_card).collect();
    node_cards.sort_by(|a, b| a.hostname.cmp(&b.hostname));
    let mut service_cards: Vec<ServiceCard> = services.iter().map(service_card).collect();
    service_cards.sort_by(|a, b| a.name.cmp(&b.name));
    View {
        error: None,
        polled_at: now_text(),
        nodes: node_cards,
        services: service_cards,
        tasks: cards,
    }
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
        update: service
            .update_status
            .as_ref()
            .and_then(|update| update.state.as_ref())
            .map(ToString::to_string),
    }
}

/// The shared poller's output: the latest picture as JSON text.
#[derive(Debug, Clone)]
pub struct Hub {
    client: Arc<Client>,
    latest: watch::Receiver<Arc<str>>,
}

impl Hub {
    /// Polls once now and then every `period` (once only for a replay), in one task.
    pub fn start(client: Arc<Client>, period: Duration, replay: bool) -> Self {
        let (sender, latest) = watch::channel::<Arc<str>>(Arc::from(""));
        let poller = Arc::clone(&client);
        tokio::spawn(async move {
            let mut last = View::default();
            let mut sent: Option<View> = None;
            loop {
                let view = poll(&poller, &last).await;
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
                if replay || sender.is_closed() {
                    break;
                }
                tokio::time::sleep(period).await;
            }
        });
        Self { client, latest }
    }

    /// The client, for the detail view.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A receiver of every new picture.
    pub fn subscribe(&self) -> watch::Receiver<Arc<str>> {
        self.latest.clone()
    }
}

/// One poll: three requests (tasks, services, nodes). On error, the previous picture with
/// the error's text.
async fn poll(client: &Client, last: &View) -> View {
    let filter = TaskFilter::default();
    let tasks = client.list(&filter);
    let services = client.services();
    let nodes = client.nodes();
    match futures::try_join!(tasks, services, nodes) {
        Ok((tasks, services, nodes)) => build(tasks, &services, &nodes),
        Err(error) => View {
            error: Some(error.to_string()),
            polled_at: now_text(),
            ..last.clone()
        },
    }
}

fn now_text() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).to_rfc3339()
}
