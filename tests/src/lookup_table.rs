//! The lookup rule as one table, checked twice: against the real engine (the docker CLI, the
//! daemon's filters, and swarm-tasks through both transports; `real_engine` scenario
//! `lookup_table`) and against the pure rule on a made-up swarm (`tests/lookup_table.rs`:
//! `swarm_models::lookup` and the facade over a replay snapshot). Both run the same
//! [`CASES`], so the rule the library implements is the rule the engine has.

use std::fmt;

/// Where a reference is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// `docker service ps REF` / `Client::service_ps`.
    ServicePs,
    /// `docker node ps REF` / `Client::node_ps`.
    NodePs,
    /// The daemon's `service=REF` task filter / `TaskFilter::resolve`.
    ServiceFilter,
    /// The daemon's `node=REF` task filter / `TaskFilter::resolve`.
    NodeFilter,
}

impl Surface {
    /// True for the surfaces that resolve services.
    pub fn is_service(self) -> bool {
        matches!(self, Self::ServicePs | Self::ServiceFilter)
    }
}

/// Which reference a case passes, in terms of one fixture object and the swarm around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    /// The object's full ID.
    Id,
    /// Its name: a service's spec name, a node's hostname.
    Name,
    /// The shortest prefix of its ID that no other ID has.
    UniquePrefix,
    /// A prefix two or more IDs share.
    AmbiguousPrefix,
    /// A node's spec name (set to differ from its hostname).
    SpecName,
    /// A hostname two nodes share.
    SharedName,
    /// The name in upper case.
    UpperName,
    /// The empty string.
    Empty,
    /// A name no object has.
    Unknown,
}

/// What a case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The fixture object.
    Object,
    /// No object.
    NotFound,
    /// Several objects.
    Ambiguous,
    /// Every ID starts with it: the only object if there is one, else ambiguous.
    EveryId,
}

/// What a surface answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// This object (by ID).
    Found(String),
    /// Nothing.
    NotFound,
    /// Several.
    Ambiguous,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Found(id) => write!(f, "found {id}"),
            Self::NotFound => f.write_str("not found"),
            Self::Ambiguous => f.write_str("ambiguous"),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// Where.
    pub surface: Surface,
    /// What is passed.
    pub reference: Ref,
    /// What the engine answers.
    pub expect: Expect,
}

const fn case(surface: Surface, reference: Ref, expect: Expect) -> Case {
    Case {
        surface,
        reference,
        expect,
    }
}

use Expect::{Ambiguous, EveryId, NotFound, Object};
use Ref::{
    AmbiguousPrefix, Empty, Id, Name, SharedName, SpecName, UniquePrefix, Unknown, UpperName,
};
use Surface::{NodeFilter, NodePs, ServiceFilter, ServicePs};

/// The rule, per surface (facts of Engine 20.10 with the docker 28 CLI).
pub const CASES: &[Case] = &[
    case(ServicePs, Id, Object),
    case(ServicePs, Name, Object),
    case(ServicePs, UniquePrefix, Object),
    case(ServicePs, AmbiguousPrefix, Ambiguous),
    case(ServicePs, UpperName, NotFound),
    case(ServicePs, Empty, EveryId),
    case(ServicePs, Unknown, NotFound),
    case(ServiceFilter, Id, Object),
    case(ServiceFilter, Name, Object),
    case(ServiceFilter, UniquePrefix, Object),
    case(ServiceFilter, AmbiguousPrefix, Ambiguous),
    case(ServiceFilter, UpperName, NotFound),
    case(ServiceFilter, Empty, EveryId),
    case(ServiceFilter, Unknown, NotFound),
    case(NodePs, Id, Object),
    case(NodePs, Name, Object),
    case(NodePs, UniquePrefix, Object),
    case(NodePs, AmbiguousPrefix, Ambiguous),
    case(NodePs, SpecName, NotFound),
    case(NodePs, SharedName, Ambiguous),
    case(NodePs, UpperName, NotFound),
    // The docker CLI refuses an empty node reference before asking the daemon
    // ("invalid node name or ID: value is empty").
    case(NodePs, Empty, NotFound),
    case(NodePs, Unknown, NotFound),
    case(NodeFilter, Id, Object),
    case(NodeFilter, Name, Object),
    case(NodeFilter, UniquePrefix, Object),
    case(NodeFilter, AmbiguousPrefix, Ambiguous),
    case(NodeFilter, SpecName, NotFound),
    case(NodeFilter, SharedName, Ambiguous),
    case(NodeFilter, UpperName, NotFound),
    case(NodeFilter, Empty, EveryId),
    case(NodeFilter, Unknown, NotFound),
];

/// The concrete values of one kind's references in one swarm.
#[derive(Debug, Clone, Default)]
pub struct Fixture {
    /// The object's ID.
    pub id: String,
    /// Its name (service name, node hostname).
    pub name: String,
    /// Every ID of this kind in the swarm.
    pub all_ids: Vec<String>,
    /// A node's spec name, different from its hostname.
    pub spec_name: Option<String>,
    /// A hostname two nodes share.
    pub shared_name: Option<String>,
}

impl Fixture {
    /// The string a reference stands for here, `None` when this swarm cannot make it (one
    /// node has no shared hostname and no ID prefix shared with another node).
    pub fn reference(&self, reference: Ref) -> Option<String> {
        match reference {
            Ref::Id => Some(self.id.clone()),
            Ref::Name => Some(self.name.clone()),
            Ref::UniquePrefix => Some(shortest_unique_prefix(&self.id, &self.all_ids)),
            Ref::AmbiguousPrefix => shared_prefix(&self.all_ids),
            Ref::SpecName => self.spec_name.clone(),
            Ref::SharedName => self.shared_name.clone(),
            Ref::UpperName => Some(self.name.to_uppercase()).filter(|upper| *upper != self.name),
            Ref::Empty => Some(String::new()),
            Ref::Unknown => Some(format!("{}-no-such-object", self.name)),
        }
    }

    /// What a case must answer here.
    pub fn expected(&self, expect: Expect) -> Outcome {
        match expect {
            Expect::Object => Outcome::Found(self.id.clone()),
            Expect::NotFound => Outcome::NotFound,
            Expect::Ambiguous => Outcome::Ambiguous,
            Expect::EveryId if self.all_ids.len() == 1 => Outcome::Found(self.id.clone()),
            Expect::EveryId => Outcome::Ambiguous,
        }
    }
}

/// Runs every case whose reference this swarm can make through `answer`, and returns the
/// mismatches (one line each) and the cases it could not make.
pub fn check(
    services: &Fixture,
    nodes: &Fixture,
    mut answer: impl FnMut(Surface, &str) -> Outcome,
) -> (Vec<String>, Vec<String>) {
    let (mut mismatches, mut unmade) = (Vec::new(), Vec::new());
    for case in CASES {
        let fixture = if case.surface.is_service() {
            services
        } else {
            nodes
        };
        let Some(reference) = fixture.reference(case.reference) else {
            unmade.push(format!("{:?} {:?}", case.surface, case.reference));
            continue;
        };
        let want = fixture.expected(case.expect);
        let got = answer(case.surface, &reference);
        if got != want {
            mismatches.push(format!(
                "{:?} {:?} {reference:?}: expected {want}, got {got}",
                case.surface, case.reference
            ));
        }
    }
    (mismatches, unmade)
}

/// The shortest prefix of `id` that no other ID in `all` starts with.
pub fn shortest_unique_prefix(id: &str, all: &[String]) -> String {
    (1..=id.len())
        .map(|len| &id[..len])
        .find(|prefix| {
            all.iter()
                .filter(|other| other.as_str() != id)
                .all(|other| !other.starts_with(prefix))
        })
        .unwrap_or(id)
        .to_owned()
}

/// The first character of two IDs that share one, if any.
pub fn shared_prefix(all: &[String]) -> Option<String> {
    all.iter().enumerate().find_map(|(index, id)| {
        let first = id.get(..1)?;
        all[index + 1..]
            .iter()
            .any(|other| other.starts_with(first))
            .then(|| first.to_owned())
    })
}

/// The outcome of `service ps` / `node ps` through the facade: the service (or node) of the
/// first row.
pub fn ps_outcome(result: swarm_tasks::Result<swarm_tasks::PsReport>, node: bool) -> Outcome {
    match result {
        Ok(report) if report.not_found.is_empty() => report
            .rows
            .first()
            .map(|row| owner(&row.task, node))
            .map_or(Outcome::NotFound, Outcome::Found),
        Ok(_) => Outcome::NotFound,
        Err(swarm_tasks::Error::Ambiguous { .. }) => Outcome::Ambiguous,
        Err(err) if err.is_not_found() => Outcome::NotFound,
        Err(err) => Outcome::Found(format!("<error: {err}>")),
    }
}

/// The outcome of a `service=` / `node=` task filter through a transport: the service (or
/// node) of the first task.
pub fn filter_outcome(
    result: swarm_transport::Result<swarm_models::Listing<swarm_models::Task>>,
    node: bool,
) -> Outcome {
    match result {
        Ok(tasks) => tasks
            .first()
            .map(|task| owner(task, node))
            .map_or(Outcome::NotFound, Outcome::Found),
        Err(swarm_transport::Error::Ambiguous { .. }) => Outcome::Ambiguous,
        Err(err) if err.is_not_found() => Outcome::NotFound,
        Err(err) => Outcome::Found(format!("<error: {err}>")),
    }
}

fn owner(task: &swarm_models::Task, node: bool) -> String {
    let id = if node {
        &task.node_id
    } else {
        &task.service_id
    };
    id.clone().unwrap_or_default()
}
