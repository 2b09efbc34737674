//! Which daemon to talk to, decided the way the `docker` CLI decides it.
//!
//! The rules live in one place, [`swarm_transport::endpoint`], which every transport and this
//! facade use; this module re-exports them. [`resolve_endpoint`] is a pure function of the
//! explicit host or context, a [`DockerEnv`] and the files under the config directory it
//! names; [`ClientBuilder::environment`](crate::ClientBuilder::environment) resolves against
//! a given environment instead of the process's.
//!
//! ```
//! use swarm_tasks::endpoint::{resolve_endpoint, DockerEnv, EndpointOptions};
//!
//! let env = DockerEnv::default().with_var("DOCKER_HOST", "tcp://10.0.0.5:2375");
//! let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
//! assert_eq!(resolved.host, "tcp://10.0.0.5:2375");
//! ```

pub use swarm_transport::TlsConfig;
pub use swarm_transport::endpoint::{
    DEFAULT_CONTEXT, DEFAULT_HOST, DockerEnv, EndpointError, EndpointOptions, EndpointSource,
    ResolvedEndpoint, context_dir_name, resolve_endpoint,
};
