//! Docker contexts written into a test's own config directory, the way `docker context
//! create` stores them, so that tests never read or touch `~/.docker`.

use std::path::{Path, PathBuf};

use swarm_transport::endpoint::context_dir_name;

/// Writes context `name`, whose docker endpoint is `host`, under `config_dir` (a
/// `DOCKER_CONFIG` folder): `contexts/meta/<sha256 of name>/meta.json`. Returns the folder
/// the metadata was written to.
///
/// # Panics
/// When the files cannot be written (a test's temporary folder).
///
/// ```
/// let config = tempfile::tempdir().unwrap();
/// let meta = swarm_testkit::write_docker_context(config.path(), "remote", "ssh://ops@far");
/// assert!(meta.join("meta.json").is_file());
/// ```
pub fn write_docker_context(config_dir: &Path, name: &str, host: &str) -> PathBuf {
    let dir = config_dir
        .join("contexts")
        .join("meta")
        .join(context_dir_name(name));
    let meta = serde_json::json!({
        "Name": name,
        "Metadata": {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}},
    });
    if let Err(err) = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("meta.json"), meta.to_string()))
    {
        panic!("cannot write context {name} in {}: {err}", dir.display());
    }
    dir
}
