//! Task and service logs through the facade: [`Client::logs`] resolves its argument the way
//! `docker service logs` does (a service by ID, name or unique ID prefix, else a task by ID
//! or unique ID prefix), refuses a log driver whose logs cannot be read back, and returns
//! the transport's stream of [`LogLine`]s.

use swarm_models::{Driver, Service, Task};
use swarm_transport::{ObjectKind, Transport};

pub use swarm_transport::logs::{LogLine, LogOptions, LogSource, LogStream, LogTarget};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ps::resolve_services;

/// Log drivers the daemon reads back itself, whatever their options.
const READABLE_DRIVERS: &[&str] = &["json-file", "local", "journald"];

/// What a `logs` argument named.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum LogSubject {
    /// A whole service.
    Service(Box<Service>),
    /// One task.
    Task(Box<Task>),
}

impl LogSubject {
    /// The transport's target for this subject, by full ID.
    pub fn target(&self) -> LogTarget {
        match self {
            Self::Service(service) => LogTarget::Service(service.id.clone()),
            Self::Task(task) => LogTarget::Task(task.id.clone()),
        }
    }

    /// The log driver its tasks use, when the spec names one.
    fn log_driver(&self) -> Option<&Driver> {
        match self {
            Self::Service(service) => service.spec.task_template.as_ref()?.log_driver.as_ref(),
            Self::Task(task) => task.spec.log_driver.as_ref(),
        }
    }
}

impl Client {
    /// The logs of a service or a task, as a stream of lines.
    ///
    /// `target` is resolved like `docker service logs` resolves it: a service by full ID,
    /// exact name or unique ID prefix, else a task by ID or unique ID prefix (one services
    /// request, plus one task inspect when no service matched). A target whose log driver
    /// keeps nothing to read back (`none`, or a remote driver with `cache-disabled`) is
    /// [`Error::LogsUnreadable`] rather than an empty stream.
    ///
    /// ```no_run
    /// # async fn run() -> swarm_tasks::Result<()> {
    /// use futures::StreamExt;
    /// use swarm_tasks::{Client, LogOptions};
    ///
    /// let client = Client::from_env()?;
    /// let mut lines = client.logs("web", &LogOptions::new().tail(20).timestamps(true)).await?;
    /// while let Some(line) = lines.next().await {
    ///     let line = line?;
    ///     println!("{:?} {} {}", line.timestamp, line.task_id.as_deref().unwrap_or("-"), line.text());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn logs(&self, target: &str, options: &LogOptions) -> Result<LogStream> {
        let services = self.transport().list_services().await?;
        let subject = resolve_log_subject(self.transport(), target, &services).await?;
        self.subject_logs(target, &subject, options).await
    }

    /// The logs of an already resolved subject (see [`Client::logs`]).
    pub async fn subject_logs(
        &self,
        target: &str,
        subject: &LogSubject,
        options: &LogOptions,
    ) -> Result<LogStream> {
        if let Some(driver) = unreadable_driver(subject.log_driver()) {
            return Err(Error::LogsUnreadable {
                target: target.to_owned(),
                driver,
            });
        }
        Ok(self.transport().logs(&subject.target(), options).await?)
    }
}

/// Resolves one `logs` argument against the services already listed, then as a task.
pub(crate) async fn resolve_log_subject(
    transport: &dyn Transport,
    target: &str,
    services: &[Service],
) -> Result<LogSubject> {
    let resolved = resolve_services(&[target.to_owned()], services)?;
    if let Some(id) = resolved.ids.first() {
        if let Some(service) = services.iter().find(|service| &service.id == id) {
            return Ok(LogSubject::Service(Box::new(service.clone())));
        }
    }
    match transport.inspect_task(target).await {
        Ok(task) => Ok(LogSubject::Task(Box::new(task))),
        Err(swarm_transport::Error::NotFound {
            kind: ObjectKind::Task,
            ..
        }) => Err(Error::NoSuchLogTarget {
            target: target.to_owned(),
        }),
        Err(other) => Err(other.into()),
    }
}

/// The driver's name when its logs cannot be read back.
fn unreadable_driver(driver: Option<&Driver>) -> Option<String> {
    let driver = driver?;
    let name = driver.name.as_deref().filter(|name| !name.is_empty())?;
    let cache_disabled = driver
        .options
        .get("cache-disabled")
        .is_some_and(|value| value == "true");
    let readable = name != "none" && (READABLE_DRIVERS.contains(&name) || !cache_disabled);
    (!readable).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn driver(name: &str, options: &[(&str, &str)]) -> Driver {
        Driver {
            name: Some(name.to_owned()),
            options: options
                .iter()
                .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            ..Driver::default()
        }
    }

    #[test]
    fn drivers_that_keep_nothing_readable_are_named() {
        assert_eq!(unreadable_driver(None), None);
        assert_eq!(unreadable_driver(Some(&driver("json-file", &[]))), None);
        assert_eq!(
            unreadable_driver(Some(&driver("none", &[]))),
            Some("none".to_owned())
        );
        assert_eq!(unreadable_driver(Some(&driver("syslog", &[]))), None);
        assert_eq!(
            unreadable_driver(Some(&driver("syslog", &[("cache-disabled", "true")]))),
            Some("syslog".to_owned())
        );
        assert_eq!(
            unreadable_driver(Some(&driver("local", &[("cache-disabled", "true")]))),
            None
        );
    }
}
