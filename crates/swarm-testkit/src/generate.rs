//! [`FakeSwarm::generate`]: large swarms built from a few numbers, for load tests and
//! benchmarks (50,000 tasks and more). The same parameters always give the same swarm.
//!
//! Every service is replicated; each slot has one current task (mostly running, with some
//! pending or failed ones so that errors show up) and `history_per_slot` older tasks that
//! were shut down or failed. Tasks are kept lean (no network attachments) so that a big swarm
//! stays affordable in memory.

use serde_json::json;

use crate::objects::{
    self, Clock, IdGen, NodeDef, ServiceDef, TaskDef, node_json, replicated, service_json,
    task_json,
};
use crate::swarm::FakeSwarm;

/// How big a generated swarm is. The number of tasks is
/// `services * replicas_per_service * (1 + history_per_slot)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateParams {
    /// How many services (named `svc-0000`, `svc-0001`, ...).
    pub services: usize,
    /// How many nodes (named `node-1`, `node-2`, ...; the first is the manager). At least 1.
    pub nodes: usize,
    /// Replicas (slots) per service.
    pub replicas_per_service: usize,
    /// Older tasks per slot, besides the current one.
    pub history_per_slot: usize,
    /// The seed of the IDs and of the states picked.
    pub seed: u64,
}

impl Default for GenerateParams {
    /// 10 services of 3 replicas with 1 older task per slot on 3 nodes (60 tasks), seed 1.
    fn default() -> Self {
        Self {
            services: 10,
            nodes: 3,
            replicas_per_service: 3,
            history_per_slot: 1,
            seed: 1,
        }
    }
}

impl GenerateParams {
    /// Parameters giving exactly 50,000 tasks: 100 services x 100 replicas x 5 tasks per slot
    /// on 20 nodes.
    pub fn tasks_50k() -> Self {
        Self {
            services: 100,
            nodes: 20,
            replicas_per_service: 100,
            history_per_slot: 4,
            seed: 50_000,
        }
    }

    /// Parameters giving exactly 10,000 tasks over 101 nodes: 40 services (250 tasks each) x
    /// 50 replicas x 5 tasks per slot, the remote swarm of issue 16's benchmark and of the CLI
    /// transport's scale test.
    pub fn tasks_10k_101_nodes() -> Self {
        Self {
            services: 40,
            nodes: 101,
            replicas_per_service: 50,
            history_per_slot: 4,
            seed: 10_101,
        }
    }

    /// How many tasks these parameters give.
    pub fn n_tasks(&self) -> usize {
        self.services * self.replicas_per_service * (1 + self.history_per_slot)
    }
}

const SECOND: i64 = 1_000_000_000;

impl FakeSwarm {
    /// A swarm of the given size, deterministic from `params.seed`.
    pub fn generate(params: GenerateParams) -> FakeSwarm {
        let mut ids = IdGen::new(params.seed);
        let clock = Clock::standard();
        let n_nodes = params.nodes.max(1);
        let nodes: Vec<NodeDef> = (0..n_nodes)
            .map(|position| NodeDef {
                id: ids.swarm_id(),
                hostname: format!("node-{}", position + 1),
                manager: position == 0,
                leader: position == 0,
                addr: format!("10.0.{}.{}", 1 + position / 250, 11 + position % 250),
                labels: json!({ "zone": ZONES[position % 3] }),
                availability: "active",
                state: "ready",
            })
            .collect();
        let node_values = nodes
            .iter()
            .enumerate()
            .map(|(position, def)| {
                let stamp = clock.at(-3600 * SECOND + position as i64 * 7 * SECOND);
                node_json(def, 9 + position as u64, &stamp, &stamp)
            })
            .collect();

        let mut services = Vec::with_capacity(params.services);
        let mut tasks = Vec::with_capacity(params.n_tasks());
        let mut version = 100_u64;
        for service_idx in 0..params.services {
            let name = format!("svc-{service_idx:04}");
            let image = format!("registry.example.com/app/{name}:1.{}", service_idx % 7);
            let replicas = params.replicas_per_service as u64;
            let mut def = ServiceDef::new(ids.swarm_id(), &name, &image, replicated(replicas));
            def.labels = json!({
                "env": if service_idx % 2 == 0 { "prod" } else { "staging" },
                "team": format!("team-{}", service_idx % 5)
            });
            let base = service_idx as i64 * 60 * SECOND;
            version += 1;
            services.push(service_json(
                &def,
                version,
                &clock.at(base),
                &clock.at(base + SECOND),
            ));
            for slot in 1..=replicas {
                let n_history = params.history_per_slot;
                for generation in 0..=n_history {
                    let is_current = generation == n_history;
                    let roll = ids.below(100);
                    let (state, desired, message, err, exit_code) = if !is_current {
                        if roll < 70 {
                            ("shutdown", "shutdown", "shutdown", None, 0)
                        } else {
                            (
                                "failed",
                                "shutdown",
                                "started",
                                Some("task: non-zero exit (1)"),
                                1,
                            )
                        }
                    } else if roll < 96 {
                        ("running", "running", "started", None, 0)
                    } else if roll < 98 {
                        (
                            "pending",
                            "running",
                            "pending task scheduling",
                            Some(NO_NODE),
                            0,
                        )
                    } else {
                        ("starting", "running", "starting", None, 0)
                    };
                    let created = base + (generation as i64 * 120 + slot as i64) * SECOND;
                    let scheduled = state != "pending";
                    let node = &nodes[(ids.below(n_nodes as u64)) as usize];
                    version += 1;
                    let pid = if state == "running" {
                        1000 + ids.below(60_000)
                    } else {
                        0
                    };
                    let container = scheduled.then(|| (ids.container_id(), pid, exit_code));
                    let task = TaskDef {
                        id: ids.swarm_id(),
                        service: &def,
                        version,
                        created: clock.at(created + 123_456_789),
                        updated: clock.at(created + 30 * SECOND + ids.below(SECOND as u64) as i64),
                        slot: Some(slot),
                        node_id: scheduled.then(|| node.id.clone()),
                        state,
                        desired,
                        message,
                        err: err.map(str::to_owned),
                        container,
                        ports: Vec::new(),
                        ingress_address: None,
                        job_iteration: None,
                    };
                    tasks.push(task_json(&task));
                }
            }
        }
        let cluster_id = ids.swarm_id();
        let info = objects::info_json(&nodes[0], n_nodes, 1, &cluster_id);
        FakeSwarm::from_parts(tasks, services, node_values, info)
    }
}

const ZONES: [&str; 3] = ["a", "b", "c"];
const NO_NODE: &str = "no suitable node (insufficient resources on 3 nodes)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_size_and_determinism() {
        let params = GenerateParams {
            services: 4,
            nodes: 2,
            replicas_per_service: 3,
            history_per_slot: 2,
            seed: 9,
        };
        let swarm = FakeSwarm::generate(params);
        assert_eq!(swarm.tasks().len(), params.n_tasks());
        assert_eq!(swarm.tasks().len(), 36);
        assert_eq!(swarm.services().len(), 4);
        assert_eq!(swarm.nodes().len(), 2);
        assert_eq!(swarm.tasks(), FakeSwarm::generate(params).tasks());
        assert_ne!(
            swarm.tasks(),
            FakeSwarm::generate(GenerateParams { seed: 10, ..params }).tasks()
        );
        assert!(swarm.parsed().tasks.iter().all(Option::is_some));
        assert_eq!(GenerateParams::tasks_50k().n_tasks(), 50_000);
        assert_eq!(GenerateParams::tasks_10k_101_nodes().n_tasks(), 10_000);
    }
}
