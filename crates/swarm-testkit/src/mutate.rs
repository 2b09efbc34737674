//! Changes a swarm goes through while a monitor watches it: a task replaced in its slot, a
//! service update that pauses or rolls back. Used with [`FakeEngine::update`] between polls.
//!
//! [`FakeEngine::update`]: crate::FakeEngine::update

use serde_json::{Value, json};

use crate::GenerateParams;
use crate::objects::IdGen;
use crate::swarm::{FakeSwarm, bump_version, next_second};

impl FakeSwarm {
    /// A swarm with one manager node (`node-1`) and no services or tasks.
    pub fn empty() -> FakeSwarm {
        FakeSwarm::generate(GenerateParams {
            services: 0,
            nodes: 1,
            replicas_per_service: 0,
            history_per_slot: 0,
            seed: 0,
        })
    }

    /// Replaces a task the way the orchestrator does when it restarts a slot: the old task
    /// gets desired state `shutdown`, and a new task for the same service, slot and node is
    /// added in state `new` (desired `running`), one second after the old task's last update.
    /// Returns the new task's ID, or `None` when no task has `id`.
    ///
    /// Move the new task on with [`FakeSwarm::set_task_state`].
    pub fn start_replacement(&mut self, id: &str) -> Option<String> {
        let seed = id.bytes().fold(self.tasks().len() as u64, |hash, byte| {
            hash.wrapping_mul(31).wrapping_add(u64::from(byte))
        });
        let new_id = IdGen::new(seed).swarm_id();
        let old = self.task(id)?.clone();
        let when = next_second(&old["UpdatedAt"]);
        let mut new = old;
        new["ID"] = Value::from(new_id.clone());
        new["CreatedAt"] = Value::from(when.clone());
        new["UpdatedAt"] = Value::from(when.clone());
        new["DesiredState"] = Value::from("running");
        new["Status"] = json!({
            "Timestamp": when,
            "State": "new",
            "Message": "created",
            "ContainerStatus": {"ContainerID": "", "PID": 0, "ExitCode": 0},
            "PortStatus": {}
        });
        bump_version(&mut new);
        if let Some(fields) = new.as_object_mut() {
            fields.remove("NetworksAttachments");
        }
        self.set_desired_state(id, "shutdown");
        self.tasks_mut().push(new);
        Some(new_id)
    }

    /// Sets a service's `UpdateStatus` (`state`: `updating`, `paused`, `completed`,
    /// `rollback_started`, `rollback_paused`, `rollback_completed`) with a message, as the
    /// daemon reports an update's progress. Returns false when no service has this name.
    pub fn set_update_status(&mut self, service: &str, state: &str, message: &str) -> bool {
        let services = self.services_mut();
        let Some(service) = services
            .iter_mut()
            .find(|candidate| candidate["Spec"]["Name"] == service)
        else {
            return false;
        };
        let started = next_second(&service["UpdatedAt"]);
        let mut status = json!({"State": state, "StartedAt": started, "Message": message});
        if matches!(state, "completed" | "rollback_completed") {
            status["CompletedAt"] = Value::from(next_second(&Value::from(started)));
        }
        service["UpdateStatus"] = status;
        bump_version(service);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_takes_the_slot() {
        let mut swarm = FakeSwarm::sample();
        let old = swarm.tasks_of_service("web")[2]["ID"]
            .as_str()
            .unwrap()
            .to_owned();
        let new = swarm.start_replacement(&old).unwrap();
        assert_ne!(new, old);
        let new_task = swarm.task(&new).unwrap();
        assert_eq!(new_task["Slot"], 1);
        assert_eq!(new_task["Status"]["State"], "new");
        assert_eq!(swarm.task(&old).unwrap()["DesiredState"], "shutdown");
        assert!(swarm.parsed().tasks.iter().all(Option::is_some));
        assert!(swarm.start_replacement("nope").is_none());
    }

    #[test]
    fn update_status_and_empty_swarm() {
        let mut swarm = FakeSwarm::sample();
        assert!(swarm.set_update_status("web", "rollback_completed", "rollback completed"));
        let web = swarm
            .services()
            .iter()
            .find(|s| s["Spec"]["Name"] == "web")
            .unwrap();
        assert_eq!(web["UpdateStatus"]["State"], "rollback_completed");
        assert!(web["UpdateStatus"]["CompletedAt"].is_string());
        assert!(!swarm.set_update_status("nope", "paused", ""));
        let empty = FakeSwarm::empty();
        assert!(empty.tasks().is_empty() && empty.services().is_empty());
        assert_eq!(empty.nodes().len(), 1);
        assert!(empty.self_node_id().is_some());
    }
}
