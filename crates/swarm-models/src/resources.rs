//! Resource limits, reservations and generic resources.

use crate::model::model;

model! {
    /// Limits and reservations of a task.
    pub struct ResourceRequirements {
        /// The most the task may use.
        "Limits" => pub limits: Option<Limit>,
        /// What the scheduler sets aside for the task.
        "Reservations" => pub reservations: Option<Resources>,
        /// Swap limit in bytes (memory + swap).
        "SwapBytes" => pub swap_bytes: Option<i64>,
        /// Memory swappiness, 0 to 100.
        "MemorySwappiness" => pub memory_swappiness: Option<i64>,
    }
}

model! {
    /// Upper bounds on a task's resources.
    pub struct Limit {
        /// CPU in units of 10^-9 CPUs.
        "NanoCPUs" => pub nano_cpus: Option<i64>,
        /// Memory in bytes.
        "MemoryBytes" => pub memory_bytes: Option<i64>,
        /// Maximum number of processes.
        "Pids" => pub pids: Option<i64>,
    }
}

model! {
    /// An amount of resources: a reservation, or what a node offers.
    pub struct Resources {
        /// CPU in units of 10^-9 CPUs.
        "NanoCPUs" => pub nano_cpus: Option<i64>,
        /// Memory in bytes.
        "MemoryBytes" => pub memory_bytes: Option<i64>,
        /// User-defined resources (GPUs, ...).
        "GenericResources" => pub generic_resources: Vec<GenericResource>,
    }
}

model! {
    /// A user-defined resource: either a named one (a specific GPU) or a discrete count.
    pub struct GenericResource {
        /// A named resource, e.g. `{"Kind": "GPU", "Value": "UUID1"}`.
        "NamedResourceSpec" => pub named_resource_spec: Option<NamedGenericResource>,
        /// A countable resource, e.g. `{"Kind": "SSD", "Value": 3}`.
        "DiscreteResourceSpec" => pub discrete_resource_spec: Option<DiscreteGenericResource>,
    }
}

model! {
    /// A named generic resource.
    pub struct NamedGenericResource {
        /// The kind (`GPU`, ...).
        "Kind" => pub kind: Option<String>,
        /// The resource's name.
        "Value" => pub value: Option<String>,
    }
}

model! {
    /// A countable generic resource.
    pub struct DiscreteGenericResource {
        /// The kind (`SSD`, ...).
        "Kind" => pub kind: Option<String>,
        /// How many.
        "Value" => pub value: Option<i64>,
    }
}
