//! Properties of docker's row order and history grouping over arbitrary task sets.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::cmp::Ordering;
use std::collections::BTreeSet;

use proptest::prelude::*;
use swarm_tasks::models::{Task, TaskState, Timestamp};
use swarm_tasks::rows::{NameIndex, build_rows, natural_cmp};
use swarm_tasks::{PsOptions, TaskRow};

const STATES: [TaskState; 4] = [
    TaskState::Running,
    TaskState::Failed,
    TaskState::Shutdown,
    TaskState::Pending,
];

fn arb_task() -> impl Strategy<Value = Task> {
    (
        0..3usize,
        prop::option::of(0..12u64),
        0..4usize,
        0..50i64,
        0..4usize,
    )
        .prop_map(|(service, slot, node, created, state)| {
            let created = chrono::DateTime::from_timestamp(1_700_000_000 + created, 0).unwrap();
            Task {
                id: format!("t{service}{slot:?}{node}{created}"),
                service_id: Some(format!("svc{service}")),
                slot,
                node_id: Some(format!("node{node}")),
                created_at: Some(Timestamp::from_datetime(created)),
                status: swarm_tasks::models::TaskStatus {
                    state: Some(STATES[state].clone()),
                    ..Default::default()
                },
                ..Task::default()
            }
        })
}

fn check_grouping(rows: &[TaskRow]) {
    let mut heads = BTreeSet::new();
    for (idx, row) in rows.iter().enumerate() {
        if row.is_history {
            let previous = &rows[idx - 1];
            assert_eq!(previous.name, row.name, "history row follows its slot");
            assert!(
                previous.task.created_at >= row.task.created_at,
                "newest first within a slot"
            );
        } else {
            assert!(
                heads.insert(row.name.clone()),
                "one head per name: {}",
                row.name
            );
        }
        if idx > 0 {
            assert_ne!(
                natural_cmp(&rows[idx - 1].name, &row.name),
                Ordering::Greater,
                "names in natural order"
            );
        }
    }
}

proptest! {
    #[test]
    fn natural_order_is_a_total_order(a in "[a-c0-9.]{0,6}", b in "[a-c0-9.]{0,6}", c in "[a-c0-9.]{0,6}") {
        prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
        prop_assert_eq!(natural_cmp(&a, &b) == Ordering::Equal, a == b);
        if natural_cmp(&a, &b) != Ordering::Greater && natural_cmp(&b, &c) != Ordering::Greater {
            prop_assert_ne!(natural_cmp(&a, &c), Ordering::Greater);
        }
    }

    #[test]
    fn rows_are_sorted_and_grouped(tasks in prop::collection::vec(arb_task(), 0..40)) {
        let n_tasks = tasks.len();
        let rows = build_rows(tasks, &NameIndex::ids_only(), &PsOptions::default());
        prop_assert_eq!(rows.len(), n_tasks);
        check_grouping(&rows);
    }

    #[test]
    fn latest_and_states_keep_one_row_per_slot(tasks in prop::collection::vec(arb_task(), 0..40)) {
        let all = build_rows(tasks.clone(), &NameIndex::ids_only(), &PsOptions::default());
        let latest = build_rows(tasks.clone(), &NameIndex::ids_only(), &PsOptions { latest: true, ..PsOptions::default() });
        let heads: Vec<&TaskRow> = all.iter().filter(|row| !row.is_history).collect();
        prop_assert_eq!(latest.len(), heads.len());
        prop_assert!(latest.iter().all(|row| !row.is_history));
        let failed = PsOptions { states: vec![TaskState::Failed], ..PsOptions::default() };
        let failed_rows = build_rows(tasks, &NameIndex::ids_only(), &failed);
        prop_assert!(failed_rows.iter().all(|row| row.current_state == Some(TaskState::Failed)));
        prop_assert_eq!(failed_rows.len(), all.iter().filter(|row| row.current_state == Some(TaskState::Failed)).count());
        check_grouping(&failed_rows);
    }
}
