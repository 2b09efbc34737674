//! The logs of several targets at once, each line with who wrote it: [`Client::named_logs`].
//!
//! Targets resolve like `docker service logs` resolves one (see [`Client::logs`]); the names
//! of every line (service name, slot, node hostname) come from one services, one nodes and
//! one tasks request made up front, not one request per line; only a task that starts after
//! that (while following) costs one task inspect, once.
//!
//! With [`LogOrder::Timestamps`] the lines of all targets come in the daemon's timestamp
//! order: a finite read is sorted whole; a followed one holds each line for a short window
//! and releases the held lines oldest first, so lines that arrive up to the window apart are
//! put in order.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use swarm_models::{Node, Service, Task, TaskFilter, Timestamp};
use tokio::time::Instant;

use crate::client::Client;
use crate::error::Result;
use crate::logs::{LogLine, LogOptions, LogSubject, resolve_log_subject};

/// Who wrote a log line, with what `docker service logs` prints for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LogOrigin {
    /// The task's full ID.
    pub task_id: String,
    /// The service's full ID.
    pub service_id: Option<String>,
    /// The service's name, when the service is known.
    pub service_name: Option<String>,
    /// The task's slot (absent for global tasks, which docker prints as slot 0).
    pub slot: Option<u64>,
    /// The node's full ID.
    pub node_id: Option<String>,
    /// The node's hostname, when the node is known.
    pub node_name: Option<String>,
    /// The digits docker pads slot numbers to: those of the service's replica count, or of
    /// the slot when a task was asked for (1 for other modes).
    #[serde(skip)]
    pub slot_width: usize,
}

/// A log line and who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedLine {
    /// The line as the transport delivered it.
    pub line: LogLine,
    /// Its task, service and node with their names; `None` when the line names no task.
    pub origin: Option<Arc<LogOrigin>>,
}

/// A stream of named lines; it ends with at most one `Err`, after the lines before it.
pub type NamedLogStream = Pin<Box<dyn Stream<Item = Result<NamedLine>> + Send + 'static>>;

/// In which order [`Client::named_logs`] delivers the lines of several targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogOrder {
    /// As they arrive (each target keeps the daemon's order).
    Arrival,
    /// By the daemon's timestamp (needs [`LogOptions::timestamps`]); while following, lines
    /// are held up to `window` to put them in order.
    Timestamps {
        /// How long a followed line may wait for earlier ones.
        window: Duration,
    },
}

impl Client {
    /// The logs of every target (services or tasks, resolved as [`Client::logs`] resolves
    /// one), merged into one stream of [`NamedLine`]s.
    ///
    /// Requests: one services, one nodes and (when a service is named) one tasks listing,
    /// one task inspect per argument that names no service, then one log stream per
    /// target. A target that names nothing is [`crate::Error::NoSuchLogTarget`]; an
    /// unreadable log driver [`crate::Error::LogsUnreadable`]; both before any stream opens.
    pub async fn named_logs(
        &self,
        targets: &[String],
        options: &LogOptions,
        order: LogOrder,
    ) -> Result<NamedLogStream> {
        let transport = self.transport();
        let (services, nodes) =
            futures::try_join!(transport.list_services(), transport.list_nodes())?;
        let mut subjects = Vec::with_capacity(targets.len());
        for target in targets {
            subjects.push(resolve_log_subject(transport, target, &services).await?);
        }
        let service_ids: Vec<&str> = subjects
            .iter()
            .filter_map(|subject| match subject {
                LogSubject::Service(service) => Some(service.id.as_str()),
                _ => None,
            })
            .collect();
        let tasks = if service_ids.is_empty() {
            Vec::new()
        } else {
            let filter = service_ids
                .iter()
                .fold(TaskFilter::new(), |filter, id| filter.service(*id));
            transport.list_tasks(&filter).await?.into_iter().collect()
        };
        let names = Names::new(&subjects, services.into_items(), nodes.into_items(), &tasks);
        let mut streams = Vec::with_capacity(subjects.len());
        for (target, subject) in targets.iter().zip(&subjects) {
            streams.push(self.subject_logs(target, subject, options).await?);
        }
        let merged = futures::stream::select_all(streams);
        let named = name_lines(self.clone(), names, merged);
        Ok(match order {
            LogOrder::Arrival => named,
            LogOrder::Timestamps { .. } if !options.follow => sorted(named),
            LogOrder::Timestamps { window } => reordered(named, window),
        })
    }
}

/// What is known to name lines.
struct Names {
    services: Vec<Service>,
    nodes: Vec<Node>,
    /// Slot widths by service ID, from the targets.
    widths: HashMap<String, usize>,
    /// Origins made so far, by task ID.
    origins: HashMap<String, Arc<LogOrigin>>,
}

impl Names {
    fn new(
        subjects: &[LogSubject],
        services: Vec<Service>,
        nodes: Vec<Node>,
        tasks: &[Task],
    ) -> Self {
        let digits = |number: u64| number.to_string().len();
        let mut widths = HashMap::new();
        let mut known: Vec<&Task> = tasks.iter().collect();
        for subject in subjects {
            match subject {
                LogSubject::Service(service) => {
                    let replicas = service
                        .spec
                        .mode
                        .as_ref()
                        .and_then(|mode| mode.replicated.as_ref())
                        .and_then(|replicated| replicated.replicas);
                    widths.insert(service.id.clone(), replicas.map_or(1, digits));
                }
                LogSubject::Task(task) => {
                    if let Some(service_id) = &task.service_id {
                        widths
                            .entry(service_id.clone())
                            .or_insert_with(|| digits(task.slot.unwrap_or(0)));
                    }
                    known.push(task);
                }
            }
        }
        let mut names = Self {
            services,
            nodes,
            widths,
            origins: HashMap::new(),
        };
        for task in known {
            let origin = names.origin_of(task);
            names.origins.insert(task.id.clone(), origin);
        }
        names
    }

    fn origin_of(&self, task: &Task) -> Arc<LogOrigin> {
        let service_name = task.service_id.as_ref().and_then(|id| {
            self.services
                .iter()
                .find(|service| &service.id == id)
                .and_then(|service| service.spec.name.clone())
        });
        let node_name = task.node_id.as_ref().and_then(|id| {
            self.nodes
                .iter()
                .find(|node| &node.id == id)
                .and_then(|node| node.hostname().map(str::to_owned))
        });
        let slot_width = task
            .service_id
            .as_ref()
            .and_then(|id| self.widths.get(id).copied())
            .unwrap_or(1);
        Arc::new(LogOrigin {
            task_id: task.id.clone(),
            service_id: task.service_id.clone(),
            service_name,
            slot: task.slot,
            node_id: task.node_id.clone(),
            node_name,
            slot_width,
        })
    }
}

/// Adds each line's origin; a task not seen yet is inspected once.
fn name_lines<S>(client: Client, names: Names, lines: S) -> NamedLogStream
where
    S: Stream<Item = Result<LogLine, swarm_transport::Error>> + Send + Unpin + 'static,
{
    let state = (client, names, lines);
    Box::pin(futures::stream::unfold(
        state,
        |(client, mut names, mut lines)| async move {
            let item = match lines.next().await? {
                Ok(line) => {
                    let origin = match line.task_id.clone() {
                        Some(task_id) => Some(origin(&client, &mut names, &line, task_id).await),
                        None => None,
                    };
                    Ok(NamedLine { line, origin })
                }
                Err(err) => Err(err.into()),
            };
            Some((item, (client, names, lines)))
        },
    ))
}

async fn origin(
    client: &Client,
    names: &mut Names,
    line: &LogLine,
    task_id: String,
) -> Arc<LogOrigin> {
    if let Some(known) = names.origins.get(&task_id) {
        return Arc::clone(known);
    }
    let origin = match client.transport().inspect_task(&task_id).await {
        Ok(task) => names.origin_of(&task),
        // A task that is gone is named from the line's own attributes.
        Err(_) => {
            let mut task = Task::default();
            task.id.clone_from(&task_id);
            task.service_id.clone_from(&line.service_id);
            task.node_id.clone_from(&line.node_id);
            names.origin_of(&task)
        }
    };
    names.origins.insert(task_id, Arc::clone(&origin));
    origin
}

/// The time a line is ordered by: its timestamp, earliest possible when it has none.
fn time_of(line: &NamedLine) -> Timestamp {
    line.line.timestamp.unwrap_or_else(Timestamp::go_zero)
}

/// Every line, sorted by timestamp (stable: the daemon's order among equal times), then
/// the error that ended the stream, if any.
fn sorted(named: NamedLogStream) -> NamedLogStream {
    Box::pin(
        futures::stream::once(async move {
            let items: Vec<Result<NamedLine>> = named.collect().await;
            let mut lines = Vec::with_capacity(items.len());
            let mut failure = None;
            for item in items {
                match item {
                    Ok(line) => lines.push(line),
                    Err(err) => failure = Some(err),
                }
            }
            lines.sort_by_key(time_of);
            futures::stream::iter(lines.into_iter().map(Ok).chain(failure.map(Err)))
        })
        .flatten(),
    )
}

/// A held line: ordered by timestamp, then by arrival.
struct Held {
    time: Timestamp,
    seq: u64,
    arrived: Instant,
    line: NamedLine,
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Held {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

struct Reorder {
    input: NamedLogStream,
    held: BinaryHeap<Reverse<Held>>,
    window: Duration,
    seq: u64,
    failure: Option<crate::Error>,
    ended: bool,
}

/// Holds each line up to `window` after it arrived and releases the earliest held line
/// once its window has passed (all of them when the input ends or fails).
fn reordered(input: NamedLogStream, window: Duration) -> NamedLogStream {
    let state = Reorder {
        input,
        held: BinaryHeap::new(),
        window,
        seq: 0,
        failure: None,
        ended: false,
    };
    Box::pin(futures::stream::unfold(state, |mut state| async move {
        loop {
            let due = state
                .held
                .peek()
                .map(|Reverse(first)| first.arrived + state.window);
            if state.ended {
                if let Some(Reverse(first)) = state.held.pop() {
                    return Some((Ok(first.line), state));
                }
                return state.failure.take().map(|err| (Err(err), state));
            }
            if due.is_some_and(|due| due <= Instant::now()) {
                let Reverse(first) = state.held.pop()?;
                return Some((Ok(first.line), state));
            }
            let next = match due {
                Some(due) => tokio::select! {
                    item = state.input.next() => Some(item),
                    () = tokio::time::sleep_until(due) => None,
                },
                None => Some(state.input.next().await),
            };
            match next {
                None => {}
                Some(None) => state.ended = true,
                Some(Some(Err(err))) => {
                    state.failure = Some(err);
                    state.ended = true;
                }
                Some(Some(Ok(line))) => {
                    state.seq += 1;
                    state.held.push(Reverse(Held {
                        time: time_of(&line),
                        seq: state.seq,
                        arrived: Instant::now(),
                        line,
                    }));
                }
            }
        }
    }))
}
