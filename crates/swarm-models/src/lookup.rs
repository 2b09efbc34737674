//! The one lookup rule: which object a user's reference (an argument, a filter value, a path
//! segment) names.
//!
//! Docker resolves a reference to a swarm object the same way for every kind: the object
//! whose ID is exactly the reference; else the objects whose name is exactly the reference;
//! else the objects whose ID starts with it. One object found is the answer, none is
//! [`LookupError::NotFound`], several are [`LookupError::Ambiguous`] (with their IDs).
//! Matching is case-sensitive, and an empty reference is a prefix of every ID (ambiguous as
//! soon as there are two objects).
//!
//! What "name" means depends on the kind ([`Lookup::has_name`]), as the daemon decides it:
//!
//! | kind                 | name                                                    |
//! |----------------------|---------------------------------------------------------|
//! | [`ObjectKind::Service`] | the service's spec name (unique in a swarm)          |
//! | [`ObjectKind::Node`]    | the node's HOSTNAME, not its spec name; several nodes with one hostname are ambiguous |
//! | [`ObjectKind::Task`]    | the task's internal name `service.slot.taskID` or `service.nodeID.taskID` (see [`Task::internal_name`]) |
//!
//! `docker service ps`, `docker node ps`, the daemon's `service=` and `node=` task filters,
//! and `GET /services/{id}`, `/nodes/{id}`, `/tasks/{id}` all follow it (checked against
//! Engine 20.10 by the end-to-end suite's `lookup_table` scenario).
//!
//! ```
//! use swarm_models::{LookupError, ObjectKind, Service, lookup};
//!
//! let services: Vec<Service> = serde_json::from_str(
//!     r#"[{"ID":"abc1","Spec":{"Name":"web"}},{"ID":"abd2","Spec":{"Name":"db"}}]"#,
//! )?;
//! assert_eq!(lookup::find(&services, "web").map(|s| s.id.as_str()), Ok("abc1"));
//! assert_eq!(lookup::find(&services, "abd").map(|s| s.id.as_str()), Ok("abd2"));
//! assert_eq!(
//!     lookup::find(&services, "ab").unwrap_err(),
//!     LookupError::Ambiguous {
//!         kind: ObjectKind::Service,
//!         reference: "ab".into(),
//!         candidates: vec!["abc1".into(), "abd2".into()],
//!     }
//! );
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use crate::naming::ServiceNames;
use crate::node::Node;
use crate::service::Service;
use crate::task::Task;

/// The kind of swarm object a reference or an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ObjectKind {
    /// A task.
    Task,
    /// A service.
    Service,
    /// A node.
    Node,
}

impl ObjectKind {
    /// The kind as docker writes it in messages (`task`, `service`, `node`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Task => "task",
            Self::Service => "service",
            Self::Node => "node",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a reference names no single object. `Display` uses the daemon's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No ID, name or ID prefix matched.
    #[error("{kind} {reference} not found")]
    NotFound {
        /// What was looked for.
        kind: ObjectKind,
        /// The reference as given.
        reference: String,
    },
    /// Several objects have this name, or several IDs start with it.
    #[error("{kind} {reference} is ambiguous ({} matches found)", candidates.len())]
    Ambiguous {
        /// What was looked for.
        kind: ObjectKind,
        /// The reference as given.
        reference: String,
        /// The IDs of every object it matched, in the order they were given.
        candidates: Vec<String>,
    },
}

impl LookupError {
    /// The kind of object looked for.
    pub fn kind(&self) -> ObjectKind {
        match self {
            Self::NotFound { kind, .. } | Self::Ambiguous { kind, .. } => *kind,
        }
    }

    /// The reference as given.
    pub fn reference(&self) -> &str {
        match self {
            Self::NotFound { reference, .. } | Self::Ambiguous { reference, .. } => reference,
        }
    }
}

/// An object a reference can name: its kind, its ID and its kind's notion of a name.
pub trait Lookup {
    /// The kind, for errors.
    const KIND: ObjectKind;
    /// The full ID.
    fn lookup_id(&self) -> &str;
    /// True when `name` is this object's name in the sense of the lookup rule.
    fn has_name(&self, name: &str) -> bool;
}

impl Lookup for Service {
    const KIND: ObjectKind = ObjectKind::Service;

    fn lookup_id(&self) -> &str {
        &self.id
    }

    /// The spec name, exactly.
    fn has_name(&self, name: &str) -> bool {
        !name.is_empty() && self.name() == Some(name)
    }
}

impl Lookup for Node {
    const KIND: ObjectKind = ObjectKind::Node;

    fn lookup_id(&self) -> &str {
        &self.id
    }

    /// The hostname, exactly; the daemon ignores a node's spec name when resolving.
    fn has_name(&self, name: &str) -> bool {
        !name.is_empty() && self.hostname() == Some(name)
    }
}

/// The object `reference` names among `objects`, by the lookup rule of its kind.
pub fn find<'a, T: Lookup>(objects: &'a [T], reference: &str) -> Result<&'a T, LookupError> {
    find_by(T::KIND, objects, reference, T::lookup_id, |object| {
        object.has_name(reference)
    })
}

/// The task `reference` names: full ID, then internal name (see [`Task::internal_name`];
/// `names` gives the service names), then unique ID prefix, as the daemon's `GET /tasks/{id}`.
pub fn find_task<'a>(
    tasks: &'a [Task],
    reference: &str,
    names: &ServiceNames,
) -> Result<&'a Task, LookupError> {
    find_by(
        ObjectKind::Task,
        tasks,
        reference,
        |task| &task.id,
        |task| !reference.is_empty() && names.internal_name(task) == reference,
    )
}

/// The lookup rule over any representation of objects (the fake engine's raw JSON, for
/// one): `id` gives an object's full ID and `has_name` says whether the reference is its name.
pub fn find_by<'a, T>(
    kind: ObjectKind,
    objects: &'a [T],
    reference: &str,
    id: impl Fn(&T) -> &str,
    has_name: impl Fn(&T) -> bool,
) -> Result<&'a T, LookupError> {
    if let Some(object) = objects.iter().find(|object| id(object) == reference) {
        return Ok(object);
    }
    let named: Vec<&T> = objects.iter().filter(|object| has_name(object)).collect();
    let candidates = if named.is_empty() {
        objects
            .iter()
            .filter(|object| id(object).starts_with(reference))
            .collect()
    } else {
        named
    };
    match candidates.as_slice() {
        [only] => Ok(only),
        [] => Err(LookupError::NotFound {
            kind,
            reference: reference.to_owned(),
        }),
        many => Err(LookupError::Ambiguous {
            kind,
            reference: reference.to_owned(),
            candidates: many.iter().map(|object| id(object).to_owned()).collect(),
        }),
    }
}

#[cfg(test)]
#[path = "lookup_tests.rs"]
mod tests;
