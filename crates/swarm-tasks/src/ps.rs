//! `service ps` and `node ps`, as docker answers them but with a fixed number of requests.
//!
//! docker resolves each argument and each row's service and node names with requests of its
//! own (N+5 round trips). Here arguments are resolved from ONE services list and ONE nodes
//! list, fetched concurrently, and the tasks of all arguments come from ONE `list_tasks` whose
//! `service` (or `node`) filter holds every resolved ID (the daemon ORs values of a key). So
//! `service_ps` makes at most three requests however many services, nodes and tasks there
//! are, and `node_ps` four when it has to ask which node is `self`.

use swarm_models::lookup::{self, Lookup, LookupError, ObjectKind};
use swarm_models::{FilterKey, ItemFailure, Listing, Node, Service, Task, TaskFilter, TaskState};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::rows::{NameIndex, TaskRow, build_rows};

/// Options of [`Client::service_ps`], [`Client::node_ps`] and [`Client::rows`]. The default
/// shows every task with resolved names, like `docker service ps`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PsOptions {
    /// Passed to the daemon (`--filter`): `desired-state`, `name`, `label`, `id`, ...; a
    /// `service` or `node` key adds to (is ORed with) the resolved arguments, as in docker.
    pub filter: TaskFilter,
    /// Keep only tasks whose CURRENT state is one of these (docker can only filter on the
    /// desired state). Empty: no state filter.
    pub states: Vec<TaskState>,
    /// Keep only the newest task of each slot (no history rows). Applied before `states`,
    /// so `latest` plus `states: [Failed]` lists the slots whose newest task failed.
    pub latest: bool,
    /// Show IDs instead of service and node names (`--no-resolve`); also saves the requests
    /// that fetch names.
    pub no_resolve: bool,
}

/// What [`Client::service_ps`] and [`Client::node_ps`] return: rows in docker's order, plus
/// the arguments that named nothing (docker prints those as errors after the table and
/// exits 1).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct PsReport {
    /// The rows, sorted and grouped like docker's table.
    pub rows: Vec<TaskRow>,
    /// Each argument that matched no service (or node), with a
    /// [`transport::Error::NotFound`](swarm_transport::Error::NotFound).
    pub not_found: Vec<(String, swarm_transport::Error)>,
    /// Objects the daemon listed that do not decode (tasks missing from `rows`, services
    /// or nodes that could not be resolved or named), in the order services, nodes, tasks.
    pub undecodable: Vec<Undecodable>,
}

/// An object of a listing that did not decode: its kind and the failure (index, ID when
/// readable, error). [`Client::service_ps`] and [`Client::node_ps`] report them in
/// [`PsReport::undecodable`] and list the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable {
    /// Task, service or node.
    pub kind: ObjectKind,
    /// Where it was in the list, its ID, and the decode error.
    pub failure: ItemFailure,
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot decode {} {}", self.kind, self.failure)
    }
}

impl Undecodable {
    /// The failures of a listing of `kind`.
    pub fn of<T>(kind: ObjectKind, listing: &Listing<T>) -> Vec<Undecodable> {
        listing
            .failures
            .iter()
            .map(|failure| Undecodable {
                kind,
                failure: failure.clone(),
            })
            .collect()
    }
}

impl Client {
    /// The tasks of services given by full ID, exact name or unique ID prefix, like
    /// `docker service ps`.
    ///
    /// Unknown arguments are reported in [`PsReport::not_found`] while the others are
    /// listed; if every argument is unknown the call fails with [`Error::NotFound`] ("no such
    /// service: X"). A prefix of several service IDs fails with [`Error::Ambiguous`]
    /// ("multiple services found with provided prefix: X"), as in docker. No arguments: an
    /// empty report and no request. At most three requests: services and nodes
    /// (concurrently), then tasks.
    #[doc(alias = "docker service ps")]
    pub async fn service_ps(&self, services: &[String], options: &PsOptions) -> Result<PsReport> {
        if services.is_empty() {
            return Ok(PsReport::default());
        }
        let transport = self.transport();
        let (service_list, node_list) = if options.no_resolve {
            (transport.list_services().await?, Listing::default())
        } else {
            futures::try_join!(transport.list_services(), transport.list_nodes())?
        };
        let resolved = resolve_services(services, &service_list)?;
        let mut undecodable = Undecodable::of(ObjectKind::Service, &service_list);
        undecodable.extend(Undecodable::of(ObjectKind::Node, &node_list));
        self.ps_tasks(
            FilterKey::Service,
            resolved,
            &service_list,
            &node_list,
            options,
        )
        .await
        .map(|mut report| {
            undecodable.append(&mut report.undecodable);
            report.undecodable = undecodable;
            report
        })
    }

    /// The tasks on nodes given by full ID, hostname or unique ID prefix, or `self`
    /// for the node the client talks to, like `docker node ps`. No arguments means `self`.
    ///
    /// Errors and partial results work as for [`Client::service_ps`] ("no such node: X",
    /// "multiple nodes found with provided prefix: X"). `self` on an engine outside a swarm
    /// fails with [`Error::NoLocalNode`]. Requests: nodes, services (unless `no_resolve`) and,
    /// for `self`, the system info, all concurrently; then tasks.
    #[doc(alias = "docker node ps")]
    pub async fn node_ps(&self, nodes: &[String], options: &PsOptions) -> Result<PsReport> {
        let self_only = [String::from("self")];
        let args = if nodes.is_empty() {
            &self_only[..]
        } else {
            nodes
        };
        let wants_self = args.iter().any(|arg| arg == "self");
        let transport = self.transport();
        let info = async {
            if wants_self {
                transport.system_info().await.map(Some)
            } else {
                Ok(None)
            }
        };
        let services = async {
            if options.no_resolve {
                Ok(Listing::default())
            } else {
                transport.list_services().await
            }
        };
        let (info, node_list, service_list) =
            futures::try_join!(info, transport.list_nodes(), services)?;
        let self_id = match info {
            Some(info) => match info.node_id.filter(|id| !id.is_empty()) {
                Some(id) => Some(id),
                None => {
                    return Err(Error::NoLocalNode {
                        endpoint: self.endpoint(),
                    });
                }
            },
            None => None,
        };
        let resolved = resolve_nodes(args, &node_list, self_id.as_deref())?;
        let mut undecodable = Undecodable::of(ObjectKind::Service, &service_list);
        undecodable.extend(Undecodable::of(ObjectKind::Node, &node_list));
        self.ps_tasks(
            FilterKey::Node,
            resolved,
            &service_list,
            &node_list,
            options,
        )
        .await
        .map(|mut report| {
            undecodable.append(&mut report.undecodable);
            report.undecodable = undecodable;
            report
        })
    }

    /// Rows for tasks fetched some other way (e.g. [`Client::list`]): names resolved with
    /// one services and one nodes request, made concurrently (none with `no_resolve`, or
    /// when there are no tasks), then sorted, grouped and filtered per `options` (its
    /// `filter` is not applied here: the tasks are taken as given).
    pub async fn rows(&self, tasks: Vec<Task>, options: &PsOptions) -> Result<Vec<TaskRow>> {
        if options.no_resolve || tasks.is_empty() {
            return Ok(build_rows(tasks, &NameIndex::ids_only(), options));
        }
        let transport = self.transport();
        let (services, nodes) =
            futures::try_join!(transport.list_services(), transport.list_nodes())?;
        Ok(build_rows(
            tasks,
            &NameIndex::new(&services, &nodes),
            options,
        ))
    }

    async fn ps_tasks(
        &self,
        key: FilterKey,
        resolved: Resolved,
        services: &[Service],
        nodes: &[Node],
        options: &PsOptions,
    ) -> Result<PsReport> {
        let kind = if key == FilterKey::Node {
            ObjectKind::Node
        } else {
            ObjectKind::Service
        };
        tracing::debug!(
            %kind,
            ids = ?resolved.ids,
            not_found = ?resolved.not_found,
            "resolved ps arguments"
        );
        if resolved.ids.is_empty() {
            return Err(Error::NotFound {
                kind,
                ids: resolved.not_found,
            });
        }
        let mut filter = options.filter.clone();
        for id in resolved.ids {
            filter.insert(key, id);
        }
        let (tasks, task_failures) = self.transport().list_tasks(&filter).await?.into_parts();
        let undecodable = task_failures
            .into_iter()
            .map(|failure| Undecodable {
                kind: ObjectKind::Task,
                failure,
            })
            .collect();
        let rows = build_rows(tasks, &NameIndex::new(services, nodes), options);
        let not_found = resolved
            .not_found
            .into_iter()
            .map(|arg| {
                let error = swarm_transport::Error::NotFound {
                    kind,
                    id: arg.clone(),
                };
                (arg, error)
            })
            .collect();
        Ok(PsReport {
            rows,
            not_found,
            undecodable,
        })
    }
}

/// Arguments resolved to object IDs (deduplicated, in argument order), and those that
/// matched nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) ids: Vec<String>,
    pub(crate) not_found: Vec<String>,
}

impl Resolved {
    fn push_id(&mut self, id: &str) {
        if !self.ids.iter().any(|known| known == id) {
            self.ids.push(id.to_owned());
        }
    }
}

/// docker's `service ps` rule for each argument, [`lookup::find`]: full ID, then exact
/// name, then unique ID prefix; an ambiguous argument is an error for the whole call.
pub(crate) fn resolve_services(args: &[String], services: &[Service]) -> Result<Resolved> {
    resolve_each(args, services, |_| None, false)
}

/// docker's `node ps` rule for each argument: `self`, then [`lookup::find`] as the daemon
/// resolves a node (full ID, then HOSTNAME, several nodes with that hostname being
/// ambiguous, then unique ID prefix); docker's `node ps` asks the daemon per argument, this
/// applies the same rule to one list. An empty argument names no node: docker refuses it
/// before asking the daemon ("invalid node name or ID: value is empty").
pub(crate) fn resolve_nodes(
    args: &[String],
    nodes: &[Node],
    self_id: Option<&str>,
) -> Result<Resolved> {
    resolve_each(args, nodes, |arg| self_id.filter(|_| arg == "self"), true)
}

fn resolve_each<'a, T: Lookup>(
    args: &[String],
    objects: &[T],
    special: impl Fn(&str) -> Option<&'a str>,
    refuse_empty: bool,
) -> Result<Resolved> {
    let mut resolved = Resolved::default();
    for arg in args {
        if refuse_empty && arg.is_empty() {
            resolved.not_found.push(arg.clone());
            continue;
        }
        if let Some(id) = special(arg) {
            resolved.push_id(id);
            continue;
        }
        match lookup::find(objects, arg) {
            Ok(object) => resolved.push_id(object.lookup_id()),
            Err(LookupError::Ambiguous { candidates, .. }) => {
                return Err(Error::Ambiguous {
                    kind: T::KIND,
                    prefix: arg.clone(),
                    matches: candidates.len(),
                });
            }
            Err(_) => resolved.not_found.push(arg.clone()),
        }
    }
    Ok(resolved)
}

#[cfg(test)]
#[path = "ps_tests.rs"]
mod tests;
