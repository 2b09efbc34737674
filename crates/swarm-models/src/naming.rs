//! What a task is called and which runtime it has: docker's display name, the daemon's
//! internal name, and [`ServiceNames`], the service-ID-to-name map both need.

use std::collections::HashMap;

use crate::service::Service;
use crate::spec::Runtime;
use crate::task::Task;

impl Task {
    /// docker's display name (`docker service ps`): `service.slot`, or `service.nodeID` when
    /// the task has no slot (global services and global jobs; Engine 20.10 also leaves out
    /// a job's slot 0). `service` is whatever the caller shows for the service (its name, or
    /// its ID for `--no-resolve`).
    ///
    /// ```
    /// use swarm_models::Task;
    ///
    /// let task = Task { slot: Some(2), node_id: Some("n1".into()), ..Task::default() };
    /// assert_eq!(task.display_name("web"), "web.2");
    /// let global = Task { slot: None, node_id: Some("n1".into()), ..Task::default() };
    /// assert_eq!(global.display_name("agent"), "agent.n1");
    /// ```
    pub fn display_name(&self, service: &str) -> String {
        match self.slot {
            Some(slot) if slot != 0 => format!("{service}.{slot}"),
            _ => format!("{service}.{}", self.node_id.as_deref().unwrap_or("")),
        }
    }

    /// The daemon's internal name, which the `name` filter and `GET /tasks/{id}` match: the
    /// task's own `Name` if set, else its display name followed by `.taskID`.
    ///
    /// ```
    /// use swarm_models::Task;
    ///
    /// let task = Task { id: "t1".into(), slot: Some(2), ..Task::default() };
    /// assert_eq!(task.internal_name("web"), "web.2.t1");
    /// ```
    pub fn internal_name(&self, service: &str) -> String {
        match self.name.as_deref().filter(|name| !name.is_empty()) {
            Some(name) => name.to_owned(),
            None => format!("{}.{}", self.display_name(service), self.id),
        }
    }

    /// The task's runtime: its spec's `Runtime`, else which spec it carries (container
    /// when it carries neither a plugin nor a network attachment spec).
    pub fn runtime(&self) -> Runtime {
        if let Some(runtime) = &self.spec.runtime {
            return runtime.clone();
        }
        if self.spec.plugin_spec.is_some() {
            Runtime::Plugin
        } else if self.spec.network_attachment_spec.is_some() {
            Runtime::Attachment
        } else {
            Runtime::Container
        }
    }
}

/// Service names by service ID, to name tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceNames {
    by_id: HashMap<String, String>,
}

impl ServiceNames {
    /// The names of these services (a service without a name is left out).
    pub fn new(services: &[Service]) -> Self {
        Self {
            by_id: services
                .iter()
                .filter_map(|service| Some((service.id.clone(), service.name()?.to_owned())))
                .collect(),
        }
    }

    /// The service's name, if known.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }

    /// The service's name, or the ID itself when unknown (as docker shows it).
    pub fn name_or_id<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).unwrap_or(id)
    }

    /// The task's internal name (see [`Task::internal_name`]) with its service's name.
    pub fn internal_name(&self, task: &Task) -> String {
        task.internal_name(self.name_or_id(task.service_id.as_deref().unwrap_or("")))
    }

    /// The task's display name (see [`Task::display_name`]) with its service's name.
    pub fn display_name(&self, task: &Task) -> String {
        task.display_name(self.name_or_id(task.service_id.as_deref().unwrap_or("")))
    }
}
