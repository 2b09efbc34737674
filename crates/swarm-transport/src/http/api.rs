//! The [`Transport`] operations of [`HttpTransport`], one Engine API route each.
//!
//! Kept apart from the connection plumbing in `mod.rs` so each operation reads as the
//! request it sends: `/info`, `/tasks?filters=`, `/tasks/{id}`, `/services?status=true`,
//! `/nodes`.

use async_trait::async_trait;
use futures::StreamExt;
use swarm_models::{Listing, Node, Service, Task, TaskFilter, decode_one};

use super::HttpTransport;
use super::errors::Lookup;
use crate::Transport;
use crate::error::{Error, ObjectKind, Result};
use crate::info::{InspectOutcome, SwarmState, SystemInfo};
use crate::logs::{LogOptions, LogStream, LogTarget};
use crate::snapshot::SnapshotInfo;
use crate::version::ApiVersion;

impl HttpTransport {
    /// Lists tasks with a `filters` value sent exactly as given (`{"key":["value"]}`), for
    /// daemon filter keys [`TaskFilter`] does not know yet. The daemon validates it: an
    /// unknown key is [`Error::InvalidFilter`].
    pub async fn list_tasks_with_filters_json(&self, filters_json: &str) -> Result<Listing<Task>> {
        self.get_tasks(Some(filters_json)).await
    }

    async fn get_tasks(&self, filters_json: Option<&str>) -> Result<Listing<Task>> {
        let version = self.negotiated().await?.version;
        let mut url = self.url(Some(version), &["tasks"]);
        if let Some(filters_json) = filters_json {
            url.query_pairs_mut().append_pair("filters", filters_json);
        }
        self.get_list(url).await
    }
}

#[async_trait]
impl Transport for HttpTransport {
    fn endpoint(&self) -> String {
        self.inner.target.display.clone()
    }

    /// `GET /_ping` (once), `GET /info`, and `GET /version` when the version was pinned.
    async fn system_info(&self) -> Result<SystemInfo> {
        let negotiated = self.negotiated().await?;
        let info: serde_json::Value = self
            .get_json(self.url(Some(negotiated.version), &["info"]), None)
            .await?;
        let daemon_api_version = match negotiated.daemon {
            Some(daemon) => Some(daemon.to_string()),
            None => {
                let version: serde_json::Value = self
                    .get_json(self.url(Some(negotiated.version), &["version"]), None)
                    .await?;
                version
                    .get("ApiVersion")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            }
        };
        let parsed = SnapshotInfo::from_json(&info, None);
        let swarm = match &parsed.local_node_state {
            Some(state) => SwarmState::parse(state),
            None => SwarmState::Inactive,
        };
        let mut system_info = SystemInfo::new(
            negotiated.version.to_string(),
            swarm,
            parsed.node_id,
            parsed.control_available,
        );
        system_info.daemon_api_version = daemon_api_version;
        system_info.engine_version = parsed.server_version;
        Ok(system_info)
    }

    /// One `GET /tasks`, with `filters` only when the filter is not empty.
    async fn list_tasks(&self, filter: &TaskFilter) -> Result<Listing<Task>> {
        if filter.is_empty() {
            self.get_tasks(None).await
        } else {
            self.get_tasks(Some(&filter.to_filters_json())).await
        }
    }

    /// `GET /tasks/{id}`: the daemon resolves full ID, exact name, then unique prefix.
    async fn inspect_task(&self, id: &str) -> Result<Task> {
        let lookup = Lookup {
            kind: ObjectKind::Task,
            id,
        };
        if matches!(id, "" | "." | "..") {
            // No task has these ids, and as path segments they would name another route
            // (`/tasks/` is the list; URL building drops `.` and `..`).
            return Err(Error::NotFound {
                kind: ObjectKind::Task,
                id: id.to_owned(),
            });
        }
        let version = self.negotiated().await?.version;
        self.get_decoded(
            self.url(Some(version), &["tasks", id]),
            Some(lookup),
            decode_one,
        )
        .await
    }

    /// `GET /tasks/{id}` for each id, at most `inspect_concurrency` at once (and within the
    /// transport's `max_concurrent_requests`), outcomes in the order given. Every failure is
    /// a per-id outcome, so one failed id never hides the tasks found; only when NO id was
    /// found and some failed otherwise than unknown or ambiguous (the daemon went away) does
    /// the whole call fail, with the first such error.
    async fn inspect_tasks(&self, ids: &[String]) -> Result<Vec<InspectOutcome>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Negotiate before the burst, so a failure is reported once.
        self.negotiated().await?;
        // Owned ids and a cloned handle keep the futures `'static`, which the `Send` bound of
        // `async_trait` needs for a closure returning futures.
        let outcomes: Vec<InspectOutcome> = futures::stream::iter(ids.to_vec())
            .map(|id| {
                let transport = self.clone();
                async move {
                    let result = transport.inspect_task(&id).await;
                    InspectOutcome { id, result }
                }
            })
            .buffered(self.inner.inspect_concurrency)
            .collect()
            .await;
        let any_found = outcomes.iter().any(|outcome| outcome.result.is_ok());
        if !any_found {
            let mut outcomes = outcomes;
            let position = outcomes.iter().position(|outcome| {
                matches!(&outcome.result, Err(err) if !matches!(err, Error::NotFound { .. } | Error::Ambiguous { .. }))
            });
            if let Some(position) = position {
                // That outcome is an error: return it.
                outcomes.swap_remove(position).result?;
            }
            return Ok(outcomes);
        }
        Ok(outcomes)
    }

    /// `GET /services`, with `status=true` (task counts) from API 1.41.
    async fn list_services(&self) -> Result<Listing<Service>> {
        let version = self.negotiated().await?.version;
        let mut url = self.url(Some(version), &["services"]);
        if version >= ApiVersion::SERVICE_STATUS {
            url.query_pairs_mut().append_pair("status", "true");
        }
        self.get_list(url).await
    }

    /// `GET /tasks/{id}/logs` or `GET /services/{id}/logs`, decoded as the body arrives.
    async fn logs(&self, target: &LogTarget, options: &LogOptions) -> Result<LogStream> {
        self.get_logs(target, options).await
    }

    /// `GET /nodes`.
    async fn list_nodes(&self) -> Result<Listing<Node>> {
        let version = self.negotiated().await?.version;
        self.get_list(self.url(Some(version), &["nodes"])).await
    }
}
