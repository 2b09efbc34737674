//! Task counts of services, read back from the REPLICAS column of `docker service ls`.
//!
//! `docker service inspect` prints no `ServiceStatus`; `docker service ls` fetches it
//! (`GET /services?status=true`) and renders it as `R/D`, `R/D (max M per node)` or, for jobs,
//! `R/D (C/T completed)`. Parsing that gives back the daemon's three counts exactly.

use std::collections::BTreeMap;

use swarm_models::ServiceStatus;

/// `ID REPLICAS` lines, by service ID; a row without parsable counts maps to `None`.
pub(crate) fn service_rows(stdout: &[u8]) -> BTreeMap<String, Option<ServiceStatus>> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let (id, replicas) = line.split_once(' ').unwrap_or((line, ""));
            (!id.is_empty()).then(|| (id.to_owned(), parse_replicas(replicas)))
        })
        .collect()
}

/// Parses `R/D`, `R/D (max M per node)` or `R/D (C/T completed)`.
pub(crate) fn parse_replicas(text: &str) -> Option<ServiceStatus> {
    let mut words = text.split_whitespace();
    let (running, desired) = pair(words.next()?)?;
    let rest: Vec<&str> = words.collect();
    let completed = match rest.as_slice() {
        [counts, "completed)"] => Some(pair(counts.strip_prefix('(')?)?.0),
        _ => None,
    };
    Some(ServiceStatus {
        running_tasks: Some(running),
        desired_tasks: Some(desired),
        // The daemon always sends CompletedTasks, 0 for services that are not jobs.
        completed_tasks: Some(completed.unwrap_or(0)),
        ..ServiceStatus::default()
    })
}

fn pair(text: &str) -> Option<(u64, u64)> {
    let (left, right) = text.split_once('/')?;
    Some((left.parse().ok()?, right.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(text: &str) -> Option<(Option<u64>, Option<u64>, Option<u64>)> {
        parse_replicas(text).map(|s| (s.running_tasks, s.desired_tasks, s.completed_tasks))
    }

    #[test]
    fn every_replicas_spelling() {
        assert_eq!(counts("2/3"), Some((Some(2), Some(3), Some(0))));
        assert_eq!(
            counts("1/1 (max 1 per node)"),
            Some((Some(1), Some(1), Some(0)))
        );
        assert_eq!(
            counts("0/1 (2/3 completed)"),
            Some((Some(0), Some(1), Some(2)))
        );
        assert_eq!(counts(""), None);
        assert_eq!(counts("n/a"), None);
        assert_eq!(counts("-1/3"), None);
    }

    #[test]
    fn rows_by_id() {
        let rows = service_rows(b"s1 2/3\ns2\n\ns3 0/1 (1/1 completed)\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows.get("s2"), Some(&None));
        assert_eq!(
            rows.get("s3")
                .and_then(Option::as_ref)
                .and_then(|s| s.completed_tasks),
            Some(1)
        );
    }
}
