//! [`FakeSwarm::sample`]: a small hand-made swarm covering what tests of `service ps`,
//! `node ps`, inspect and monitoring need, shaped like what Docker Engine 20.10 sends.
//!
//! - 3 nodes: `node-1` (manager, leader, the engine's own node), `node-2`, `node-3` (workers).
//! - `web`: replicated, 3 slots, published port 8080 (ingress). Slot 1 has history: the
//!   original task (shut down by an update), a task that failed with
//!   `task: non-zero exit (1)`, and the running one.
//! - `monitor`: global, one running task per node, host-mode port 9100.
//! - `migrate`: a replicated job (2 completions) whose two tasks completed; like the real
//!   daemon, the second job task has no `Slot`.
//! - `broken`: replicated, its image does not exist: two rejected tasks on `node-2`
//!   (`No such image: ...`).
//! - `pending-svc`: replicated, constrained to `node.labels.gpu==true`: a pending task
//!   without a node (`no suitable node (scheduling constraints not satisfied on 3 nodes)`).
//!
//! Every service carries labels (`env`, `com.example.tier`). IDs are fixed: the same
//! sample every time.

use serde_json::{Value, json};

use crate::objects::{
    self, Clock, IdGen, NodeDef, ServiceDef, TaskDef, global, node_json, replicated, service_json,
    task_json,
};
use crate::swarm::FakeSwarm;

const SECOND: i64 = 1_000_000_000;

impl FakeSwarm {
    /// The small hand-made swarm described in this module's documentation.
    pub fn sample() -> FakeSwarm {
        Sample::new().build()
    }
}

struct Sample {
    ids: IdGen,
    clock: Clock,
    version: u64,
    tasks: Vec<Value>,
}

impl Sample {
    fn new() -> Self {
        Self {
            ids: IdGen::new(2026),
            clock: Clock::standard(),
            version: 10,
            tasks: Vec::new(),
        }
    }

    fn next_version(&mut self) -> u64 {
        self.version += 3;
        self.version
    }

    fn build(mut self) -> FakeSwarm {
        let nodes = self.nodes();
        let web = self.web();
        let monitor = self.monitor();
        let migrate = self.migrate();
        let broken = self.broken();
        let pending = self.pending();

        let [node_1, node_2, node_3] = &nodes;
        let node_ids = [node_1.id.clone(), node_2.id.clone(), node_3.id.clone()];
        self.web_tasks(&web, &node_ids);
        self.monitor_tasks(&monitor, &node_ids);
        self.migrate_tasks(&migrate, &node_ids);
        self.broken_tasks(&broken, &node_ids);
        self.pending_tasks(&pending);

        let clock = self.clock;
        let mut services = Vec::new();
        for (def, created, updated) in [
            (&web, 0, 600),
            (&monitor, 5, 5),
            (&migrate, 900, 900),
            (&broken, 1200, 1200),
            (&pending, 1300, 1300),
        ] {
            let version = self.next_version();
            let mut service = service_json(
                def,
                version,
                &clock.at(created * SECOND + 171_143_735),
                &clock.at(updated * SECOND + 171_903_948),
            );
            if def.name == "web" {
                service["PreviousSpec"] = service["Spec"].clone();
                service["PreviousSpec"]["TaskTemplate"]["ContainerSpec"]["Image"] =
                    json!(WEB_IMAGE_PREVIOUS);
                service["UpdateStatus"] = json!({
                    "State": "completed",
                    "StartedAt": clock.at(600 * SECOND + 172_000_000),
                    "CompletedAt": clock.at(660 * SECOND + 12_345_678),
                    "Message": "update completed"
                });
            }
            if def.name == "migrate" {
                service["JobStatus"] = json!({
                    "JobIteration": {},
                    "LastExecution": clock.at(900 * SECOND + 291_950_347)
                });
            }
            services.push(service);
        }
        let node_values = nodes
            .iter()
            .enumerate()
            .map(|(position, def)| {
                let created = clock.at(-(60 - position as i64) * SECOND + 799_039_740);
                let updated = clock.at(-(30 - position as i64) * SECOND + 915_879_856);
                node_json(def, 9 + position as u64 * 7, &created, &updated)
            })
            .collect();
        let cluster_id = self.ids.swarm_id();
        let info = objects::info_json(node_1, nodes.len(), 1, &cluster_id);
        FakeSwarm::from_parts(self.tasks, services, node_values, info)
    }

    fn nodes(&mut self) -> [NodeDef; 3] {
        let mut node = |hostname: &str, manager: bool, addr: &str, labels: Value| NodeDef {
            id: self.ids.swarm_id(),
            hostname: hostname.to_owned(),
            manager,
            leader: manager,
            addr: addr.to_owned(),
            labels,
            availability: "active",
            state: "ready",
        };
        [
            node("node-1", true, "10.0.1.11", json!({})),
            node("node-2", false, "10.0.1.12", json!({"zone": "a"})),
            node("node-3", false, "10.0.1.13", json!({"zone": "b"})),
        ]
    }

    fn web(&mut self) -> ServiceDef {
        let mut web = ServiceDef::new(self.ids.swarm_id(), "web", WEB_IMAGE, replicated(3))
            .container("Env", json!(["NGINX_PORT=80"]));
        web.labels = json!({"com.example.tier": "frontend", "env": "prod"});
        web.ports = vec![json!({
            "Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"
        })];
        web
    }

    fn monitor(&mut self) -> ServiceDef {
        let mut monitor = ServiceDef::new(
            self.ids.swarm_id(),
            "monitor",
            "prom/node-exporter:v1.8.2@sha256:4032c6d5bfd752342c3e631c2f1de93ba6b86c41db6b167b9a35372c139e7706",
            global(),
        )
        .container("Args", json!(["--path.rootfs=/host"]));
        monitor.labels = json!({"com.example.tier": "ops", "env": "prod"});
        monitor.ports = vec![monitor_port()];
        monitor
    }

    fn migrate(&mut self) -> ServiceDef {
        let mut migrate = ServiceDef::new(
            self.ids.swarm_id(),
            "migrate",
            "alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d",
            json!({"ReplicatedJob": {"MaxConcurrent": 1, "TotalCompletions": 2}}),
        )
        .container("Args", json!(["sh", "-c", "echo migrating && sleep 2"]));
        migrate.labels = json!({"com.example.tier": "backend", "env": "prod"});
        migrate
    }

    fn broken(&mut self) -> ServiceDef {
        let mut broken = ServiceDef::new(
            self.ids.swarm_id(),
            "broken",
            "registry.example.com/team/broken:1.0",
            replicated(1),
        );
        broken.labels = json!({"com.example.tier": "backend", "env": "staging"});
        broken
    }

    fn pending(&mut self) -> ServiceDef {
        let mut pending = ServiceDef::new(
            self.ids.swarm_id(),
            "pending-svc",
            "nvidia/cuda:12.4.1-base-ubuntu22.04",
            replicated(1),
        )
        .template(
            "Placement",
            json!({"Constraints": ["node.labels.gpu==true"]}),
        );
        pending.labels = json!({"com.example.tier": "batch", "env": "staging"});
        pending
    }

    /// Pushes a task; `times` are seconds after the clock's start (created, updated).
    fn push(&mut self, def: TaskDef<'_>) {
        self.tasks.push(task_json(&def));
    }

    fn task<'a>(
        &mut self,
        service: &'a ServiceDef,
        (created, updated): (i64, i64),
        (state, desired, message): (&'a str, &'a str, &'a str),
    ) -> TaskDef<'a> {
        let sub_second = self.ids.below(1_000_000_000) as i64;
        TaskDef {
            id: self.ids.swarm_id(),
            service,
            version: self.next_version(),
            created: self.clock.at(created * SECOND + sub_second),
            updated: self.clock.at(updated * SECOND + sub_second / 3 + 7),
            slot: None,
            node_id: None,
            state,
            desired,
            message,
            err: None,
            container: None,
            ports: Vec::new(),
            ingress_address: None,
            job_iteration: None,
        }
    }

    fn web_tasks(&mut self, web: &ServiceDef, nodes: &[String; 3]) {
        let [node_1, node_2, node_3] = nodes;
        // Slot 1: the first task, shut down by the update at +600s ...
        let mut first = self.task(web, (1, 601), ("shutdown", "shutdown", "shutdown"));
        first.slot = Some(1);
        first.node_id = Some(node_2.clone());
        first.container = Some((self.ids.container_id(), 0, 0));
        first.ingress_address = Some("10.0.0.5/24".into());
        self.push(first);
        // ... its replacement, which exited with 1 ...
        let mut failed = self.task(web, (602, 631), ("failed", "shutdown", "started"));
        failed.slot = Some(1);
        failed.node_id = Some(node_3.clone());
        failed.err = Some("task: non-zero exit (1)".into());
        failed.container = Some((self.ids.container_id(), 0, 1));
        failed.ingress_address = Some("10.0.0.8/24".into());
        self.push(failed);
        // ... and the one running now.
        let mut running = self.task(web, (637, 640), ("running", "running", "started"));
        running.slot = Some(1);
        running.node_id = Some(node_1.clone());
        running.container = Some((self.ids.container_id(), 23_011, 0));
        running.ingress_address = Some("10.0.0.9/24".into());
        self.push(running);
        for (slot, node, address) in [(2, node_2, "10.0.0.10/24"), (3, node_3, "10.0.0.11/24")] {
            let mut task = self.task(
                web,
                (650 + slot, 655 + slot),
                ("running", "running", "started"),
            );
            task.slot = Some(slot as u64);
            task.node_id = Some(node.clone());
            task.container = Some((self.ids.container_id(), 18_044 + slot as u64, 0));
            task.ingress_address = Some(address.into());
            self.push(task);
        }
    }

    fn monitor_tasks(&mut self, monitor: &ServiceDef, nodes: &[String; 3]) {
        for (position, node) in nodes.iter().enumerate() {
            let offset = position as i64;
            let mut task = self.task(
                monitor,
                (6 + offset, 9 + offset),
                ("running", "running", "started"),
            );
            task.node_id = Some(node.clone());
            task.container = Some((self.ids.container_id(), 1_207 + position as u64 * 13, 0));
            task.ports = vec![monitor_port()];
            self.push(task);
        }
    }

    fn migrate_tasks(&mut self, migrate: &ServiceDef, nodes: &[String; 3]) {
        for (slot, node) in [(Some(1), &nodes[1]), (None, &nodes[2])] {
            let mut task = self.task(migrate, (901, 904), ("complete", "complete", "finished"));
            task.slot = slot;
            task.node_id = Some(node.clone());
            task.container = Some((self.ids.container_id(), 0, 0));
            task.job_iteration = Some(0);
            self.push(task);
        }
    }

    fn broken_tasks(&mut self, broken: &ServiceDef, nodes: &[String; 3]) {
        let err = format!("No such image: {}", broken.image());
        for (times, desired) in [((1201, 1201), "shutdown"), ((1207, 1207), "ready")] {
            let mut task = self.task(broken, times, ("rejected", desired, "preparing"));
            task.slot = Some(1);
            task.node_id = Some(nodes[1].clone());
            task.err = Some(err.clone());
            task.container = Some((String::new(), 0, 0));
            self.push(task);
        }
    }

    fn pending_tasks(&mut self, pending: &ServiceDef) {
        let mut task = self.task(
            pending,
            (1301, 1301),
            ("pending", "running", "pending task scheduling"),
        );
        task.slot = Some(1);
        task.err =
            Some("no suitable node (scheduling constraints not satisfied on 3 nodes)".into());
        self.push(task);
    }
}

const WEB_IMAGE: &str =
    "nginx:1.27-alpine@sha256:65645c7bb6a0661892a8b03b89d0743208a18dd2f3f17a54ef4b76fb8e2f2a10";
const WEB_IMAGE_PREVIOUS: &str =
    "nginx:1.26-alpine@sha256:c04c18adc2a407740a397c8407c011fc6c90026a9b65cceddef7ae5484360158";

fn monitor_port() -> Value {
    json!({"Protocol": "tcp", "TargetPort": 9100, "PublishedPort": 9100, "PublishMode": "host"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_deterministic_and_complete() {
        let swarm = FakeSwarm::sample();
        assert_eq!(swarm.tasks(), FakeSwarm::sample().tasks());
        assert_eq!(swarm.services().len(), 5);
        assert_eq!(swarm.nodes().len(), 3);
        assert_eq!(swarm.tasks_of_service("web").len(), 5);
        assert_eq!(swarm.tasks_of_service("monitor").len(), 3);
        assert_eq!(swarm.self_node_id(), swarm.node_id("node-1"));
        let pending = swarm.tasks_of_service("pending-svc");
        assert!(pending[0].get("NodeID").is_none());
        assert!(
            swarm
                .tasks_of_service("monitor")
                .iter()
                .all(|t| t.get("Slot").is_none())
        );
        // Every task parses into the models.
        assert!(swarm.parsed().tasks.iter().all(Option::is_some));
        assert_eq!(swarm.parsed().services.len(), 5);
    }
}
