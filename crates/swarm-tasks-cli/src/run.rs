//! Runs a validated [`RunConfig`]: builds the facade client, makes the calls, hands the
//! results to the renderers. No daemon logic lives here; every decision about tasks,
//! names and filters is the facade's.

use std::io::Write;
use std::time::Duration;

use anyhow::Context as _;
use swarm_tasks::transport::ObjectKind;
use swarm_tasks::{Client, PsOptions, PsReport, Undecodable};

use crate::config::{Action, Connection, RunConfig};
use crate::exit::ExitCode;
use crate::format::Format;
use crate::render::{self, RenderOptions};
use crate::report;

/// The whole command took longer than `--timeout`.
#[derive(Debug, thiserror::Error)]
#[error("gave up after {}: the command did not finish within --timeout", humantime::format_duration(*after))]
pub struct DeadlineExceeded {
    /// The limit.
    pub after: Duration,
}

/// Runs the action, writing data to `out` and messages to `err`. Returns the exit code for
/// outcomes that are not errors (partial results); errors are returned for `main` to print.
pub async fn run(
    config: RunConfig,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let RunConfig {
        connection,
        deadline,
        action,
        ..
    } = config;
    if let Action::Completions { shell } = action {
        crate::completions::write(shell, out)?;
        return Ok(ExitCode::Ok);
    }
    let work = async {
        if let Action::Version { format } = &action {
            return version(&connection, format, out).await;
        }
        let client = connect(&connection).await?;
        perform(&client, action, out, err).await
    };
    match deadline {
        Some(after) => match tokio::time::timeout(after, work).await {
            Ok(result) => result,
            Err(_elapsed) => Err(DeadlineExceeded { after }.into()),
        },
        None => work.await,
    }
}

async fn connect(connection: &Connection) -> anyhow::Result<Client> {
    let mut builder = Client::builder().transport(connection.transport);
    if let Some(host) = &connection.host {
        builder = builder.host(host.clone());
    }
    if let Some(context) = &connection.context {
        builder = builder.context(context.clone());
    }
    if let Some(dir) = &connection.replay {
        builder = builder.replay(dir.clone());
    }
    if let Some(timeout) = connection.timeout {
        builder = builder.timeout(timeout);
    }
    let client = builder.build()?;
    tracing::debug!(endpoint = %client.endpoint(), "client ready");
    Ok(client)
}

async fn perform(
    client: &Client,
    action: Action,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    match action {
        Action::List { options, render } => {
            let listing = client.list(&options.filter).await?;
            let undecodable = Undecodable::of(ObjectKind::Task, &listing);
            let rows = client.rows(listing.into_items(), &options).await?;
            render::write_rows(out, &rows, &render)?;
            out.flush()?;
            report::undecodable_lines(err, &undecodable)?;
            Ok(if undecodable.is_empty() {
                ExitCode::Ok
            } else {
                ExitCode::Failure
            })
        }
        Action::ServicePs {
            services,
            options,
            render,
        } => {
            let report = client.service_ps(&services, &options).await?;
            print_report(report, &render, out, err)
        }
        Action::NodePs {
            nodes,
            options,
            render,
        } => {
            let report = client.node_ps(&nodes, &options).await?;
            print_report(report, &render, out, err)
        }
        Action::Inspect { ids, render } => inspect(client, &ids, &render, out, err).await,
        Action::Snapshot { dir, redact } => {
            let mut snapshot = client.snapshot().await?;
            if redact {
                let count = snapshot.redact()?;
                writeln!(
                    err,
                    "redacted {count} environment values (names kept) before writing"
                )?;
            } else {
                writeln!(
                    err,
                    "warning: the snapshot records every Env value as the daemon sent it (passwords and tokens too); use --redact before sharing it"
                )?;
            }
            snapshot
                .write(&dir)
                .with_context(|| format!("cannot write the snapshot to {}", dir.display()))?;
            writeln!(
                err,
                "wrote {} tasks, {} services and {} nodes from {} to {}",
                snapshot.tasks.len(),
                snapshot.services.len(),
                snapshot.nodes.len(),
                client.endpoint(),
                dir.display()
            )?;
            // Objects that did not decode are not in the files: name them, and fail.
            let undecodable: Vec<Undecodable> = [
                (ObjectKind::Task, &snapshot.task_failures),
                (ObjectKind::Service, &snapshot.service_failures),
                (ObjectKind::Node, &snapshot.node_failures),
            ]
            .into_iter()
            .flat_map(|(kind, failures)| {
                failures.iter().map(move |failure| Undecodable {
                    kind,
                    failure: failure.clone(),
                })
            })
            .collect();
            report::undecodable_lines(err, &undecodable)?;
            Ok(if undecodable.is_empty() {
                ExitCode::Ok
            } else {
                ExitCode::Failure
            })
        }
        Action::Watch(watch) => crate::commands::watch::run(client, watch, out, err).await,
        Action::Wait(wait) => crate::commands::wait::run(client, wait, out, err).await,
        Action::Explain(explain) => crate::commands::explain::run(client, explain, out).await,
        Action::Logs(logs) => crate::commands::logs::run(client, logs, out, err).await,
        Action::Ui(ui) => crate::ui::run(client.clone(), ui, err).await,
        Action::Completions { .. } | Action::Version { .. } => Ok(ExitCode::Ok),
    }
}

/// Like `docker version`: the client's part is printed even when the engine cannot be
/// reached (then the error follows, with its exit code).
async fn version(
    connection: &Connection,
    format: &Format,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let info = match connect(connection).await {
        Ok(client) => client.system_info().await.map_err(anyhow::Error::from),
        Err(error) => Err(error),
    };
    match info {
        Ok(info) => render::version::write_version(out, Some(&info), format)?,
        Err(error) => {
            if matches!(format, Format::Table) {
                render::version::write_version(out, None, format)?;
            }
            return Err(error);
        }
    }
    Ok(ExitCode::Ok)
}

/// Rows first (all of them, to stdout), then one message per unknown argument, as docker does.
fn print_report(
    report: PsReport,
    render: &RenderOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    render::write_rows(out, &report.rows, render)?;
    out.flush()?;
    report::missing_lines(err, report.not_found.iter().map(|(_arg, error)| error))?;
    report::undecodable_lines(err, &report.undecodable)?;
    Ok(
        if report.not_found.is_empty() && report.undecodable.is_empty() {
            ExitCode::Ok
        } else {
            ExitCode::Failure
        },
    )
}

/// Like `docker inspect --type task`: the found tasks as one JSON array (`[]` if none), then
/// an error per unknown id, exit 1 if there was one.
async fn inspect(
    client: &Client,
    ids: &[String],
    render: &RenderOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let outcome = client.inspect_many(ids).await?;
    match render.format {
        Format::Table => {
            let rows = client.rows(outcome.found, &PsOptions::default()).await?;
            render::write_rows(out, &rows, render)?;
        }
        ref format => render::write_tasks(out, &outcome.found, format)?,
    }
    out.flush()?;
    report::missing_lines(err, outcome.missing.iter().map(|(_id, error)| error))?;
    for (_id, error) in &outcome.failed {
        report::error_line(err, error)?;
    }
    Ok(if outcome.missing.is_empty() && outcome.failed.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::Failure
    })
}
