//! [`Service`]: what `GET /services` returns, with what naming, monitoring and convergence
//! checks need (mode, replicas, update status, task counts, endpoint).

use std::collections::BTreeMap;

use crate::model::model;

use crate::open_enum::open_enum;
use crate::spec::TaskSpec;
use crate::task::{ObjectVersion, PortConfig};
use crate::time::{NanoDuration, Timestamp};

model! {
    #[as_sent]
    /// A swarm service.
    ///
    /// ```
    /// use swarm_models::{Service, ServiceMode};
    ///
    /// let json = r#"{"ID":"s1","Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":3}}}}"#;
    /// let service: Service = serde_json::from_str(json).unwrap();
    /// assert_eq!(service.name(), Some("web"));
    /// assert_eq!(service.mode(), ServiceMode::Replicated { replicas: 3 });
    /// ```
    pub struct Service {
        /// The service ID.
        "ID" => pub id: String,
        /// The object version.
        "Version" => pub version: Option<ObjectVersion>,
        /// When it was created.
        "CreatedAt" => pub created_at: Option<Timestamp>,
        /// When it last changed.
        "UpdatedAt" => pub updated_at: Option<Timestamp>,
        /// The current spec.
        "Spec" => pub spec: ServiceSpec,
        /// The spec before the last update (what a rollback returns to).
        "PreviousSpec" => pub previous_spec: Option<ServiceSpec>,
        /// The endpoint: published ports and virtual IPs.
        "Endpoint" => pub endpoint: Option<Endpoint>,
        /// The progress of the last update or rollback.
        "UpdateStatus" => pub update_status: Option<UpdateStatus>,
        /// Task counts, when requested with `?status=true`.
        "ServiceStatus" => pub service_status: Option<ServiceStatus>,
        /// The state of a job service.
        "JobStatus" => pub job_status: Option<JobStatus>,
    }
}

impl Service {
    /// The service's name.
    pub fn name(&self) -> Option<&str> {
        self.spec.name.as_deref()
    }

    /// The service's mode, summarized.
    pub fn mode(&self) -> ServiceMode {
        self.spec
            .mode
            .as_ref()
            .map(ServiceModeSpec::summary)
            .unwrap_or(ServiceMode::Replicated { replicas: 1 })
    }
}

model! {
    /// A service's spec.
    pub struct ServiceSpec {
        /// The service's name.
        "Name" => pub name: Option<String>,
        /// Service labels (the `label` task filter matches these).
        "Labels" => pub labels: BTreeMap<String, String>,
        /// The template every task is created from.
        "TaskTemplate" => pub task_template: Option<TaskSpec>,
        /// Replicated, global, or a job.
        "Mode" => pub mode: Option<ServiceModeSpec>,
        /// How updates roll out.
        "UpdateConfig" => pub update_config: Option<UpdateConfig>,
        /// How rollbacks roll out.
        "RollbackConfig" => pub rollback_config: Option<UpdateConfig>,
        /// Deprecated network list (use the task template's networks).
        "Networks" => pub networks: Vec<crate::spec::NetworkAttachmentConfig>,
        /// Endpoint mode and published ports.
        "EndpointSpec" => pub endpoint_spec: Option<EndpointSpec>,
    }
}

model! {
    /// The mode object of a service spec; exactly one field is set.
    pub struct ServiceModeSpec {
        /// A fixed number of replicas.
        "Replicated" => pub replicated: Option<ReplicatedMode>,
        /// One task per eligible node.
        "Global" => pub global: Option<EmptyObject>,
        /// A job run to a number of completions.
        "ReplicatedJob" => pub replicated_job: Option<ReplicatedJobMode>,
        /// A job run once per eligible node.
        "GlobalJob" => pub global_job: Option<EmptyObject>,
    }
}

impl ServiceModeSpec {
    /// The mode as one enum value.
    pub fn summary(&self) -> ServiceMode {
        if let Some(replicated) = &self.replicated {
            ServiceMode::Replicated {
                replicas: replicated.replicas.unwrap_or(1),
            }
        } else if self.global.is_some() {
            ServiceMode::Global
        } else if let Some(job) = &self.replicated_job {
            ServiceMode::ReplicatedJob {
                max_concurrent: job.max_concurrent.unwrap_or(1),
                total_completions: job.total_completions.unwrap_or(1),
            }
        } else if self.global_job.is_some() {
            ServiceMode::GlobalJob
        } else {
            ServiceMode::Unknown
        }
    }
}

/// A service's mode, summarized from [`ServiceModeSpec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceMode {
    /// A fixed number of replicas.
    Replicated {
        /// Desired replicas.
        replicas: u64,
    },
    /// One task per eligible node.
    Global,
    /// A job run to a number of completions.
    ReplicatedJob {
        /// Tasks run at once.
        max_concurrent: u64,
        /// Successful completions wanted.
        total_completions: u64,
    },
    /// A job run once per eligible node.
    GlobalJob,
    /// A mode this version does not know.
    Unknown,
}

impl ServiceMode {
    /// True for the two job modes, whose tasks are meant to end `complete`.
    pub fn is_job(&self) -> bool {
        matches!(self, Self::ReplicatedJob { .. } | Self::GlobalJob)
    }

    /// True for global and global-job services, whose tasks are named by node, not slot.
    pub fn is_global(&self) -> bool {
        matches!(self, Self::Global | Self::GlobalJob)
    }
}

model! {
    /// Replicated mode settings.
    pub struct ReplicatedMode {
        /// Desired replicas.
        "Replicas" => pub replicas: Option<u64>,
    }
}

model! {
    /// Replicated job settings.
    pub struct ReplicatedJobMode {
        /// Tasks run at once.
        "MaxConcurrent" => pub max_concurrent: Option<u64>,
        /// Successful completions wanted.
        "TotalCompletions" => pub total_completions: Option<u64>,
    }
}

model! {
    /// A JSON object with no fields the daemon defines (`"Global": {}`).
    #[derive(Eq)]
    pub struct EmptyObject {
    }
}
model! {
    /// How an update or rollback proceeds.
    pub struct UpdateConfig {
        /// Tasks updated at once (0 = all).
        "Parallelism" => pub parallelism: Option<u64>,
        /// Pause between batches.
        "Delay" => pub delay: Option<NanoDuration>,
        /// What to do when an update fails: pause, continue or rollback.
        "FailureAction" => pub failure_action: Option<FailureAction>,
        /// How long to watch each task for failure after it is updated.
        "Monitor" => pub monitor: Option<NanoDuration>,
        /// The fraction of tasks that may fail before the update counts as failed.
        "MaxFailureRatio" => pub max_failure_ratio: Option<f64>,
        /// stop-first or start-first.
        "Order" => pub order: Option<UpdateOrder>,
    }
}

open_enum! {
    /// What the orchestrator does when an update fails.
    pub enum FailureAction / Other {
        /// Pause the update.
        Pause => "pause",
        /// Carry on.
        Continue => "continue",
        /// Roll back to the previous spec.
        Rollback => "rollback",
    }
}

open_enum! {
    /// The order of stopping old and starting new tasks during an update.
    pub enum UpdateOrder / Other {
        /// Stop the old task first.
        StopFirst => "stop-first",
        /// Start the new task first.
        StartFirst => "start-first",
    }
}

model! {
    /// Endpoint mode and published ports, as asked for.
    pub struct EndpointSpec {
        /// vip or dnsrr.
        "Mode" => pub mode: Option<EndpointMode>,
        /// Published ports.
        "Ports" => pub ports: Vec<PortConfig>,
    }
}

open_enum! {
    /// How clients reach a service's tasks.
    pub enum EndpointMode / Other {
        /// A virtual IP that load-balances.
        Vip => "vip",
        /// DNS round robin.
        Dnsrr => "dnsrr",
    }
}

model! {
    /// A service's endpoint as it is.
    pub struct Endpoint {
        /// The spec in effect.
        "Spec" => pub spec: Option<EndpointSpec>,
        /// Published ports.
        "Ports" => pub ports: Vec<PortConfig>,
        /// Virtual IPs, one per network.
        "VirtualIPs" => pub virtual_ips: Vec<VirtualIp>,
    }
}

model! {
    /// A service's virtual IP on one network.
    pub struct VirtualIp {
        /// The network's ID.
        "NetworkID" => pub network_id: Option<String>,
        /// The address, in CIDR form.
        "Addr" => pub addr: Option<String>,
    }
}

model! {
    /// The progress of an update or rollback.
    pub struct UpdateStatus {
        /// updating, paused, completed, rollback_started, rollback_paused or rollback_completed.
        "State" => pub state: Option<UpdateState>,
        /// When it started.
        "StartedAt" => pub started_at: Option<Timestamp>,
        /// When it completed.
        "CompletedAt" => pub completed_at: Option<Timestamp>,
        /// Why it is in this state (e.g. why it paused).
        "Message" => pub message: Option<String>,
    }
}

open_enum! {
    /// The state of a service update.
    pub enum UpdateState / Other {
        /// Rolling out.
        Updating => "updating",
        /// Paused, usually after failures.
        Paused => "paused",
        /// Done.
        Completed => "completed",
        /// Rolling back.
        RollbackStarted => "rollback_started",
        /// The rollback paused.
        RollbackPaused => "rollback_paused",
        /// Rolled back to the previous spec.
        RollbackCompleted => "rollback_completed",
    }
}

model! {
    /// Task counts of a service (`GET /services?status=true`).
    #[derive(Eq)]
    pub struct ServiceStatus {
        /// Tasks running now.
        "RunningTasks" => pub running_tasks: Option<u64>,
        /// Tasks that should be running.
        "DesiredTasks" => pub desired_tasks: Option<u64>,
        /// Job tasks that completed.
        "CompletedTasks" => pub completed_tasks: Option<u64>,
    }
}

impl ServiceStatus {
    /// The task counts the daemon reports for `GET /services?status=true`, computed from the
    /// service's tasks the way swarmkit's `ListServiceStatuses` does: running tasks, completed
    /// tasks, and the desired count from the mode (replicas; for global services the tasks
    /// that should run; for jobs the tasks still meant to complete).
    ///
    /// ```
    /// use swarm_models::{Service, ServiceStatus, Task};
    ///
    /// let service: Service = serde_json::from_str(
    ///     r#"{"ID":"s1","Spec":{"Mode":{"Replicated":{"Replicas":2}}}}"#).unwrap();
    /// let tasks: Vec<Task> = serde_json::from_str(
    ///     r#"[{"ID":"t1","ServiceID":"s1","DesiredState":"running","Status":{"State":"running"}},
    ///         {"ID":"t2","ServiceID":"s1","DesiredState":"running","Status":{"State":"pending"}},
    ///         {"ID":"t3","ServiceID":"other","Status":{"State":"running"}}]"#).unwrap();
    /// let status = ServiceStatus::from_tasks(&service, &tasks);
    /// assert_eq!((status.running_tasks, status.desired_tasks), (Some(1), Some(2)));
    /// ```
    pub fn from_tasks<'a>(
        service: &Service,
        tasks: impl IntoIterator<Item = &'a crate::Task>,
    ) -> Self {
        use crate::TaskState;
        let (mut running, mut completed, mut desired_running, mut desired_complete) =
            (0_u64, 0_u64, 0_u64, 0_u64);
        for task in tasks
            .into_iter()
            .filter(|task| task.service_id.as_deref() == Some(service.id.as_str()))
        {
            match task.state() {
                Some(TaskState::Running) => running += 1,
                Some(TaskState::Complete) => completed += 1,
                _ => {}
            }
            match (&task.desired_state, task.state()) {
                (Some(TaskState::Running), _) => desired_running += 1,
                (Some(TaskState::Complete), Some(state)) if !state.is_terminal() => {
                    desired_complete += 1
                }
                _ => {}
            }
        }
        let desired = match service.mode() {
            ServiceMode::Replicated { replicas } => replicas,
            ServiceMode::ReplicatedJob {
                max_concurrent,
                total_completions,
            } => max_concurrent.min(total_completions),
            ServiceMode::GlobalJob => desired_complete,
            _ => desired_running,
        };
        Self {
            running_tasks: Some(running),
            desired_tasks: Some(desired),
            completed_tasks: Some(completed),
            unknown: Default::default(),
        }
    }
}

model! {
    /// The state of a job service.
    pub struct JobStatus {
        /// Which run of the job is current.
        "JobIteration" => pub job_iteration: Option<ObjectVersion>,
        /// When the current run started.
        "LastExecution" => pub last_execution: Option<Timestamp>,
    }
}
