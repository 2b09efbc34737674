//! [`wait`](crate::Client::wait): until services converge, fail, or the deadline passes.
//!
//! Each poll asks for the services (with task counts) and their tasks, concurrently: two
//! requests, plus the nodes only when a global service wants no task (to say why). The
//! tasks go through the same [`TaskTracker`] as a watch, so the transitions a wait reports
//! are a watch's; each service is then assessed by [`ServiceTracker`]. The deadline is a
//! separate layer (`tokio::time::timeout` around the whole wait); a failed poll is retried
//! after a backoff, so a daemon that goes away and comes back does not end the wait.

use std::collections::VecDeque;
use std::time::Duration;

use futures::{Stream, StreamExt};
use serde::Serialize;
use swarm_models::{Node, Service, ServiceMode, TaskFilter};
use tokio::time::Instant;

use super::converge::{Convergence, PollInput, Rules, ServiceProgress, ServiceTracker};
use super::ext::{Backoff, TaskStreamExt};
use super::failure::Failure;
use super::watch::{TaskEvent, TaskTracker, WatchConfig};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::rows::NameIndex;

/// Options of [`Client::wait`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct WaitConfig {
    /// The stability window: counted tasks must keep running this long. Default: each
    /// service's `UpdateConfig.Monitor`, else 5 s.
    pub stable: Option<Duration>,
    /// Accept a rollback as the end of the update (then converged means converged on the
    /// rolled-back spec). Default: false, a rollback is a failure.
    pub rollback_ok: bool,
    /// Failed tasks of one slot, seen during the wait, that make the slot a failure.
    /// Default: 3.
    pub slot_failures: usize,
    /// Bounds of the adaptive poll interval. Default: [`WatchConfig::default`].
    pub poll: WatchConfig,
    /// Pacing after a failed poll. Default: [`Backoff::default`].
    pub backoff: Backoff,
    /// The deadline for the whole wait, applied by [`Client::wait`]. Default: none.
    pub timeout: Option<Duration>,
}

impl Default for WaitConfig {
    fn default() -> Self {
        Self {
            stable: None,
            rollback_ok: false,
            slot_failures: 3,
            poll: WatchConfig::default(),
            backoff: Backoff::default(),
            timeout: None,
        }
    }
}

impl WaitConfig {
    /// Sets the stability window for every service.
    #[must_use]
    pub fn stable(mut self, window: Duration) -> Self {
        self.stable = Some(window);
        self
    }

    /// Accepts rollbacks.
    #[must_use]
    pub fn rollback_ok(mut self, accept: bool) -> Self {
        self.rollback_ok = accept;
        self
    }

    /// Sets the deadline of [`Client::wait`].
    #[must_use]
    pub fn timeout(mut self, deadline: Duration) -> Self {
        self.timeout = Some(deadline);
        self
    }

    /// Sets the poll interval bounds.
    #[must_use]
    pub fn poll(mut self, poll: WatchConfig) -> Self {
        self.poll = poll;
        self
    }

    fn rules(&self) -> Rules {
        Rules {
            stable: self.stable,
            rollback_ok: self.rollback_ok,
            slot_failures: self.slot_failures.max(1),
        }
    }
}

/// What a wait reports as it goes (see [`Client::wait_with`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitEvent {
    /// A poll completed: where each service stands, and the task transitions since the
    /// poll before (the first poll's are `Initial` events).
    Polled {
        /// Each service, in argument order.
        services: Vec<ServiceProgress>,
        /// The poll's task events, without the `Synced` marker.
        changes: Vec<TaskEvent>,
    },
    /// A poll failed; the wait carries on after a backoff.
    PollFailed(Error),
}

/// How a wait ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WaitOutcome {
    /// Each service, in argument order.
    pub services: Vec<ServiceOutcome>,
    /// Set when the deadline passed while the daemon could not be reached.
    pub unreachable: Option<Unreachable>,
}

/// How one service's wait ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ServiceOutcome {
    /// The service ID.
    pub id: String,
    /// The service name.
    pub name: String,
    /// The result.
    pub result: ServiceResult,
}

/// Converged, failed, or out of time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServiceResult {
    /// Converged.
    Converged,
    /// Failed, with the reason.
    Failed(Failure),
    /// The deadline passed first.
    TimedOut {
        /// What was still missing at the last poll.
        lacking: Vec<String>,
    },
}

/// The daemon could not be reached when the deadline passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreachable {
    /// For how long, in seconds.
    pub for_secs: u64,
    /// The last error.
    pub error: String,
}

impl WaitOutcome {
    /// True when every service converged.
    pub fn is_converged(&self) -> bool {
        self.services
            .iter()
            .all(|service| service.result == ServiceResult::Converged)
    }

    /// True when some service failed.
    pub fn is_failed(&self) -> bool {
        self.services
            .iter()
            .any(|service| matches!(service.result, ServiceResult::Failed(_)))
    }

    /// True when the deadline passed before every service converged or failed.
    pub fn is_timed_out(&self) -> bool {
        self.services
            .iter()
            .any(|service| matches!(service.result, ServiceResult::TimedOut { .. }))
    }

    fn from_progress(progress: &[ServiceProgress], unreachable: Option<Unreachable>) -> Self {
        let services = progress
            .iter()
            .map(|service| ServiceOutcome {
                id: service.id.clone(),
                name: service.name.clone(),
                result: match &service.status {
                    Convergence::Converged => ServiceResult::Converged,
                    Convergence::Failed(failure) => ServiceResult::Failed(failure.clone()),
                    _ => ServiceResult::TimedOut {
                        lacking: service.lacking.clone(),
                    },
                },
            })
            .collect();
        Self {
            services,
            unreachable,
        }
    }
}

impl Client {
    /// Waits until every service (by ID, name or unique ID prefix) has converged or failed:
    /// see docs/monitoring.md for what converged means. With `config.timeout`, the wait
    /// ends there and the services not done are [`ServiceResult::TimedOut`].
    ///
    /// Fails at once (`Err`) when the first poll fails (daemon unreachable, not a manager)
    /// or an argument names no service; later failed polls are retried after a backoff.
    pub async fn wait(&self, services: &[String], config: WaitConfig) -> Result<WaitOutcome> {
        self.wait_with(services, config, |_| {}).await
    }

    /// [`Client::wait`], calling `observe` after each poll (for progress output).
    pub async fn wait_with(
        &self,
        services: &[String],
        config: WaitConfig,
        mut observe: impl FnMut(&WaitEvent),
    ) -> Result<WaitOutcome> {
        let mut last: Option<Vec<ServiceProgress>> = None;
        let mut unreachable_since: Option<(Instant, String)> = None;
        let progress = self
            .wait_progress(services.to_vec(), config)
            .backoff(config.backoff);
        let run = async {
            let mut progress = std::pin::pin!(progress);
            while let Some(item) = progress.next().await {
                match item {
                    Ok(event) => {
                        unreachable_since = None;
                        if let WaitEvent::Polled { services, .. } = &event {
                            last = Some(services.clone());
                        }
                        observe(&event);
                    }
                    Err(error) if last.is_none() => return Err(error),
                    Err(error) => {
                        if unreachable_since.is_none() {
                            unreachable_since = Some((Instant::now(), error.to_string()));
                        }
                        observe(&WaitEvent::PollFailed(error));
                    }
                }
                if last
                    .as_ref()
                    .is_some_and(|services| services.iter().all(ServiceProgress::is_final))
                {
                    break;
                }
            }
            Ok(())
        };
        let finished = match config.timeout {
            Some(deadline) => tokio::time::timeout(deadline, run).await.ok(),
            None => Some(run.await),
        };
        if let Some(result) = finished {
            result?;
        }
        let unreachable = unreachable_since.map(|(since, error)| Unreachable {
            for_secs: since.elapsed().as_secs(),
            error,
        });
        match last {
            Some(progress) => Ok(WaitOutcome::from_progress(&progress, unreachable)),
            None => Err(Error::WaitNoPoll {
                after: config.timeout.unwrap_or_default(),
            }),
        }
    }

    /// The wait as a stream, without deadline or backoff: one [`WaitEvent::Polled`] per
    /// poll, `Err` for a failed poll (the stream ends after an `Err` only when no poll has
    /// succeeded yet), and the end once every service is converged or failed.
    pub fn wait_progress(
        &self,
        services: Vec<String>,
        config: WaitConfig,
    ) -> impl Stream<Item = Result<WaitEvent>> + Send + 'static {
        let state = WaitState {
            client: self.clone(),
            args: services,
            config,
            started: None,
            tasks: TaskTracker::default(),
            nodes: None,
            interval: config.poll.min_interval,
            queued: VecDeque::new(),
            finished: false,
            polled_once: false,
        };
        futures::stream::unfold(state, |mut state| async move {
            if let Some(item) = state.queued.pop_front() {
                return Some((item, state));
            }
            if state.finished {
                return None;
            }
            if state.polled_once {
                let sleep = state.next_sleep();
                tokio::time::sleep(sleep).await;
            }
            state.polled_once = true;
            let item = state.poll().await;
            if item.is_err() && state.started.is_none() {
                state.finished = true;
            }
            Some((item, state))
        })
    }
}

struct Started {
    ids: Vec<String>,
    trackers: Vec<ServiceTracker>,
    services: Vec<Service>,
}

struct WaitState {
    client: Client,
    args: Vec<String>,
    config: WaitConfig,
    started: Option<Started>,
    tasks: TaskTracker,
    nodes: Option<Vec<Node>>,
    interval: Duration,
    queued: VecDeque<Result<WaitEvent>>,
    finished: bool,
    polled_once: bool,
}

impl WaitState {
    fn next_sleep(&self) -> Duration {
        let now = Instant::now();
        let window_end = self.started.as_ref().and_then(|started| {
            started
                .trackers
                .iter()
                .filter_map(|tracker| {
                    let service = started
                        .services
                        .iter()
                        .find(|service| service.id == tracker.id);
                    tracker.window_ends(service, self.config.rules())
                })
                .min()
        });
        match window_end {
            Some(end) if end > now => self.interval.min(end - now),
            _ => self.interval,
        }
    }

    async fn poll(&mut self) -> Result<WaitEvent> {
        let transport = self.client.transport();
        let (services, fresh_services) = match self.started.take() {
            Some(started) => {
                let ids = started.ids.clone();
                self.started = Some(started);
                let filter = ids
                    .iter()
                    .fold(TaskFilter::new(), |filter, id| filter.service(id.clone()));
                match futures::try_join!(transport.list_services(), transport.list_tasks(&filter)) {
                    Ok((services, tasks)) => (services, Some(tasks)),
                    // The daemon refuses a `service` filter naming a removed service: ask
                    // again for the services still there, so the removal is reported.
                    Err(error) if error.is_not_found() => {
                        let services = transport.list_services().await?;
                        let present = ids
                            .iter()
                            .filter(|id| services.iter().any(|service| service.id == **id));
                        let filter = present
                            .fold(TaskFilter::new(), |filter, id| filter.service(id.clone()));
                        let tasks = if filter.is_empty() {
                            Default::default()
                        } else {
                            transport.list_tasks(&filter).await?
                        };
                        (services, Some(tasks))
                    }
                    Err(error) => return Err(error.into()),
                }
            }
            None => {
                let services = transport.list_services().await?;
                let resolved = crate::ps::resolve_services(&self.args, &services)?;
                if !resolved.not_found.is_empty() {
                    return Err(Error::NotFound {
                        kind: swarm_transport::ObjectKind::Service,
                        ids: resolved.not_found,
                    });
                }
                let trackers = resolved
                    .ids
                    .iter()
                    .filter_map(|id| services.iter().find(|service| service.id == *id))
                    .map(ServiceTracker::new)
                    .collect();
                self.started = Some(Started {
                    ids: resolved.ids,
                    trackers,
                    services: Vec::new(),
                });
                (services, None)
            }
        };
        let Some(started) = self.started.as_mut() else {
            return Err(Error::WaitNoPoll {
                after: Duration::ZERO,
            });
        };
        let tasks = match fresh_services {
            Some(tasks) => tasks,
            None => {
                let filter = started
                    .ids
                    .iter()
                    .fold(TaskFilter::new(), |filter, id| filter.service(id.clone()));
                transport.list_tasks(&filter).await?
            }
        };
        let wants_nodes = started.ids.iter().any(|id| {
            services.iter().any(|service| {
                service.id == *id
                    && service.mode() == ServiceMode::Global
                    && service
                        .service_status
                        .as_ref()
                        .and_then(|status| status.desired_tasks)
                        == Some(0)
            })
        }) || started.trackers.iter().any(ServiceTracker::needs_nodes);
        if wants_nodes {
            self.nodes = Some(transport.list_nodes().await?.into_items());
        }
        let names = NameIndex::new(&services, self.nodes.as_deref().unwrap_or_default());
        let mut changes = self.tasks.apply_listing(tasks);
        changes.retain(|event| !event.is_synced());
        let task_refs: Vec<&swarm_models::Task> = self.tasks.tasks().collect();
        let now = Instant::now();
        let rules = self.config.rules();
        let input = PollInput {
            tasks: &task_refs,
            events: &changes,
            nodes: self.nodes.as_deref(),
            names: &names,
            rules,
            now,
        };
        let progress: Vec<ServiceProgress> = started
            .trackers
            .iter_mut()
            .map(|tracker| {
                let service = services.iter().find(|service| service.id == tracker.id);
                tracker.assess(service, &input)
            })
            .collect();
        let changed = changes
            .iter()
            .any(|event| !matches!(event, TaskEvent::Initial { .. }));
        self.interval = self.config.poll.next_interval(self.interval, changed);
        started.services = services.into_items();
        if progress.iter().all(ServiceProgress::is_final) {
            self.finished = true;
        }
        Ok(WaitEvent::Polled {
            services: progress,
            changes,
        })
    }
}
