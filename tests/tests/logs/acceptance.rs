//! The logs of real services through each transport: known lines complete and in order with
//! their task and node, a follow that sees a line printed after it started, a TTY service.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use swarm_models::TaskState;
use swarm_transport::logs::{LogLine, LogOptions, LogSource, LogTarget};

use crate::{Check, Suite, all_in, ensure, wait_for_lines};

/// What each task of the `out` service prints, per output, in order.
const STDOUT: [&str; 3] = ["out one", "bad \u{FFFD}\u{FFFD} utf8", "out last"];
const STDERR: [&str; 2] = ["err one", "err last"];
/// Both outputs in the order printed (the script pauses between lines).
const PRINTED: [&str; 5] = [
    "out one",
    "err one",
    "bad \u{FFFD}\u{FFFD} utf8",
    "out last",
    "err last",
];

fn texts<'a>(lines: impl IntoIterator<Item = &'a LogLine>) -> Vec<String> {
    lines
        .into_iter()
        .map(|line| line.text().into_owned())
        .collect()
}

pub(crate) fn known_lines_with_task_and_node(suite: &Suite) -> Check {
    let name = suite.name("out");
    wait_for_lines(suite, &name, 2)?;
    let tasks = suite.tasks_of(&name)?;
    for (transport_name, transport) in &suite.transports {
        let options = LogOptions::new().timestamps(true);
        let lines = suite.read_all(
            transport.as_ref(),
            &LogTarget::Service(name.clone()),
            &options,
        )?;
        ensure!(
            lines.len() == 10,
            "{transport_name}: {} lines: {:?}",
            lines.len(),
            texts(&lines)
        );
        let mut per_task: BTreeMap<String, Vec<&LogLine>> = BTreeMap::new();
        for line in &lines {
            let task_id = line.task_id.clone().unwrap_or_default();
            per_task.entry(task_id).or_default().push(line);
        }
        for task in &tasks {
            let Some(mine) = per_task.get(&task.id) else {
                return Err(format!("{transport_name}: no lines of task {}", task.id));
            };
            for line in mine {
                ensure!(
                    line.node_id == task.node_id && line.service_id == task.service_id,
                    "{transport_name}: task {} line {:?} names node {:?}, service {:?}",
                    task.id,
                    line.text(),
                    line.node_id,
                    line.service_id
                );
            }
            let of = |source| {
                texts(
                    mine.iter()
                        .copied()
                        .filter(move |line| line.source == source),
                )
            };
            ensure!(
                of(LogSource::Stdout) == STDOUT && of(LogSource::Stderr) == STDERR,
                "{transport_name}: task {}: stdout {:?}, stderr {:?}",
                task.id,
                of(LogSource::Stdout),
                of(LogSource::Stderr)
            );
            // Across the two outputs the daemon's timestamps give the printed order.
            let mut by_time = mine.clone();
            by_time.sort_by_key(|line| line.timestamp);
            ensure!(
                texts(by_time) == PRINTED,
                "{transport_name}: task {} in timestamp order",
                task.id
            );
            if *transport_name == "http" {
                ensure!(
                    texts(mine.iter().copied()) == PRINTED,
                    "http: task {} in arrival order: {:?}",
                    task.id,
                    texts(mine.iter().copied())
                );
            }
        }
    }
    Ok(())
}

pub(crate) fn follow_sees_a_later_line(suite: &Suite) -> Check {
    let name = suite.name("tick");
    suite.wait_tasks(&name, "its task runs", |tasks| {
        all_in(tasks, 1, TaskState::Running)
    })?;
    for (transport_name, transport) in &suite.transports {
        let target = LogTarget::Service(name.clone());
        let options = LogOptions::new().follow(true).tail(1);
        suite.block(async {
            let mut stream = transport
                .logs(&target, &options)
                .await
                .map_err(|err| format!("{transport_name}: {err}"))?;
            let first = next_tick(&mut stream).await?;
            // tail=1: the newest line when the follow started; every later tick was printed
            // after it.
            let later = next_tick(&mut stream).await?;
            ensure!(
                later > first,
                "{transport_name}: tick {later} after tick {first}"
            );
            Ok(())
        })?;
    }
    Ok(())
}

/// The number of the next `tick N` line, waiting at most a minute.
async fn next_tick(stream: &mut swarm_transport::logs::LogStream) -> Result<u64, String> {
    match tokio::time::timeout(Duration::from_secs(60), stream.next()).await {
        Ok(Some(Ok(line))) => line
            .text()
            .strip_prefix("tick ")
            .and_then(|number| number.parse().ok())
            .ok_or_else(|| format!("not a tick line: {:?}", line.text())),
        other => Err(format!("no tick line: {other:?}")),
    }
}

pub(crate) fn tty_service_reads_without_raw(suite: &Suite) -> Check {
    let name = suite.name("tty");
    suite.wait_tasks(&name, "its task runs", |tasks| {
        all_in(tasks, 1, TaskState::Running)
    })?;
    let target = LogTarget::Service(name.clone());
    swarm_tasks_e2e::wait_for(
        &format!("{name}: its lines"),
        Duration::from_secs(60),
        Duration::from_millis(300),
        || {
            let lines = suite.read_all(suite.http(), &target, &LogOptions::new())?;
            if lines.len() >= 2 {
                Ok(Some(()))
            } else {
                Err(format!("{:?}", texts(&lines)))
            }
        },
    )?;
    let task = suite.tasks_of(&name)?.remove(0);
    for (transport_name, transport) in &suite.transports {
        let lines = suite.read_all(transport.as_ref(), &target, &LogOptions::new())?;
        ensure!(
            texts(&lines) == ["tty one", "tty err"],
            "{transport_name}: {:?}",
            texts(&lines)
        );
        ensure!(
            lines.iter().all(|line| line.source == LogSource::Stdout
                && line.task_id.as_deref() == Some(task.id.as_str())),
            "{transport_name}: a TTY has one output, and the lines name their task: {lines:?}"
        );
    }
    Ok(())
}

/// `swarm-tasks logs` prints what `docker service logs` prints, byte for byte, per output.
pub(crate) fn same_bytes_as_docker_service_logs(suite: &Suite) -> Check {
    use swarm_tasks::LogOrder;
    use swarm_tasks_cli::commands::logs::{LogLayout, format_line};

    let name = suite.name("out");
    wait_for_lines(suite, &name, 2)?;
    let variants: [(&[&str], LogLayout); 2] = [
        (&[], LogLayout::default()),
        (
            &["--timestamps", "--details", "--no-trunc"],
            LogLayout {
                timestamps: true,
                details: true,
                no_trunc: true,
                ..LogLayout::default()
            },
        ),
    ];
    for (flags, layout) in variants {
        let mut args = vec!["service", "logs"];
        args.extend_from_slice(flags);
        args.push(&name);
        let docker = std::process::Command::new("docker")
            .args(&args)
            .output()
            .map_err(|err| err.to_string())?;
        ensure!(docker.status.success(), "docker {args:?}: {docker:?}");
        let options = LogOptions::new()
            .timestamps(layout.timestamps)
            .details(layout.details);
        for (transport, client) in &suite.clients {
            let lines: Vec<_> = suite.block(async {
                let stream = client
                    .named_logs(std::slice::from_ref(&name), &options, LogOrder::Arrival)
                    .await
                    .map_err(|err| err.to_string())?;
                stream
                    .collect::<Vec<_>>()
                    .await
                    .into_iter()
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|err| err.to_string())
            })?;
            for (source, expected) in [
                (LogSource::Stdout, &docker.stdout),
                (LogSource::Stderr, &docker.stderr),
            ] {
                // The daemon interleaves the tasks differently on each request: compare
                // the lines, each task's in the order docker printed them.
                let mut ours: Vec<Vec<u8>> = lines
                    .iter()
                    .filter(|line| line.line.source == source)
                    .map(|line| format_line(line, &layout))
                    .collect();
                let mut theirs: Vec<Vec<u8>> = expected
                    .split_inclusive(|byte| *byte == b'\n')
                    .map(<[u8]>::to_vec)
                    .collect();
                let per_task = |lines: &[Vec<u8>]| {
                    let mut tasks: BTreeMap<String, Vec<String>> = BTreeMap::new();
                    for line in lines {
                        let text = String::from_utf8_lossy(line).into_owned();
                        let task = text.split("    | ").next().unwrap_or_default().to_owned();
                        tasks.entry(task).or_default().push(text);
                    }
                    tasks
                };
                ensure!(
                    per_task(&ours) == per_task(&theirs),
                    "{transport} {flags:?} {source:?}:\nours:\n{:?}\ndocker:\n{:?}",
                    per_task(&ours),
                    per_task(&theirs)
                );
                ours.sort();
                theirs.sort();
                ensure!(
                    ours == theirs,
                    "{transport} {flags:?} {source:?}: bytes differ"
                );
            }
        }
    }
    Ok(())
}

/// `explain` of a task that failed shows what it printed last.
pub(crate) fn explain_shows_the_last_output(suite: &Suite) -> Check {
    let name = suite.name("crash");
    suite.wait_tasks(&name, "its task fails", |tasks| {
        all_in(tasks, 1, TaskState::Failed)
    })?;
    for (transport, client) in &suite.clients {
        let explained = suite
            .block(client.explain_with_logs(&name, 20))
            .map_err(|err| format!("{transport}: {err}"))?;
        let text = swarm_tasks_cli::commands::explain::lines(&explained).join("\n");
        ensure!(
            text.contains("  last 20 log lines:\n    about to fail\n    giving up"),
            "{transport}: {text}"
        );
    }
    Ok(())
}
