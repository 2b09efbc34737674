//! Unit tests of [`super`]: docker's endpoint rules over a temporary config directory.

use std::fs;
use std::path::Path;

use super::*;

fn write_context(config_dir: &Path, name: &str, meta: &str) -> PathBuf {
    let dir = config_dir
        .join("contexts")
        .join("meta")
        .join(context_dir_name(name));
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("meta.json"), meta).unwrap();
    config_dir
        .join("contexts")
        .join("tls")
        .join(context_dir_name(name))
        .join("docker")
}

fn env_with_config(dir: &Path) -> DockerEnv {
    DockerEnv::default().with_var("DOCKER_CONFIG", dir.to_string_lossy())
}

fn options(host: Option<&str>, context: Option<&str>) -> EndpointOptions {
    EndpointOptions {
        host: host.map(str::to_owned),
        context: context.map(str::to_owned),
    }
}

#[test]
fn context_directory_is_the_sha256_of_the_name() {
    // `docker context create prod` stores under this directory.
    assert_eq!(
        context_dir_name("default"),
        "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
    );
}

#[test]
fn nothing_configured_is_the_default_socket() {
    let dir = tempfile::tempdir().unwrap();
    let resolved =
        resolve_endpoint(&EndpointOptions::default(), &env_with_config(dir.path())).unwrap();
    assert_eq!(resolved.host, DEFAULT_HOST);
    assert_eq!(resolved.source, EndpointSource::Default);
    assert_eq!(resolved.context, None);
    assert_eq!(resolved.tls, None);
}

#[test]
fn host_option_beats_environment_and_config() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("config.json"),
        r#"{"currentContext":"prod"}"#,
    )
    .unwrap();
    let env = env_with_config(dir.path())
        .with_var("DOCKER_HOST", "tcp://env:2375")
        .with_var("DOCKER_CONTEXT", "staging");
    let resolved = resolve_endpoint(&options(Some("tcp://flag:2375"), None), &env).unwrap();
    assert_eq!(resolved.host, "tcp://flag:2375");
    assert_eq!(resolved.source, EndpointSource::HostOption);
}

#[test]
fn host_and_context_options_conflict() {
    let error = resolve_endpoint(
        &options(Some("tcp://x:1"), Some("prod")),
        &DockerEnv::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, EndpointError::HostAndContext { host, context } if host == "tcp://x:1" && context == "prod"),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "conflicting options: both a host (tcp://x:1) and a context (prod) were given"
    );
}

#[test]
fn docker_host_beats_docker_context_and_current_context() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("config.json"),
        r#"{"currentContext":"prod"}"#,
    )
    .unwrap();
    let env = env_with_config(dir.path())
        .with_var("DOCKER_HOST", "unix:///tmp/other.sock")
        .with_var("DOCKER_CONTEXT", "staging");
    let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
    assert_eq!(resolved.host, "unix:///tmp/other.sock");
    assert_eq!(resolved.source, EndpointSource::HostEnv);
}

#[test]
fn context_option_beats_docker_host() {
    let dir = tempfile::tempdir().unwrap();
    write_context(
        dir.path(),
        "prod",
        r#"{"Name":"prod","Endpoints":{"docker":{"Host":"ssh://ops@prod"}}}"#,
    );
    let env = env_with_config(dir.path()).with_var("DOCKER_HOST", "tcp://env:2375");
    let resolved = resolve_endpoint(&options(None, Some("prod")), &env).unwrap();
    assert_eq!(resolved.host, "ssh://ops@prod");
    assert_eq!(resolved.context.as_deref(), Some("prod"));
    assert_eq!(resolved.source, EndpointSource::ContextOption);
}

#[test]
fn docker_context_beats_current_context() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("config.json"),
        r#"{"currentContext":"prod","auths":{}}"#,
    )
    .unwrap();
    write_context(
        dir.path(),
        "prod",
        r#"{"Endpoints":{"docker":{"Host":"tcp://prod:2376"}}}"#,
    );
    write_context(
        dir.path(),
        "staging",
        r#"{"Endpoints":{"docker":{"Host":"tcp://staging:2376"}}}"#,
    );
    let env = env_with_config(dir.path());
    let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
    assert_eq!(
        (resolved.host.as_str(), resolved.source),
        ("tcp://prod:2376", EndpointSource::CurrentContext)
    );
    let env = env.with_var("DOCKER_CONTEXT", "staging");
    let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
    assert_eq!(
        (resolved.host.as_str(), resolved.source),
        ("tcp://staging:2376", EndpointSource::ContextEnv)
    );
}

#[test]
fn context_tls_files_and_skip_verify() {
    let dir = tempfile::tempdir().unwrap();
    let tls_dir = write_context(
        dir.path(),
        "secure",
        r#"{"Endpoints":{"docker":{"Host":"tcp://secure:2376","SkipTLSVerify":true}}}"#,
    );
    fs::create_dir_all(&tls_dir).unwrap();
    fs::write(tls_dir.join("ca.pem"), "ca").unwrap();
    fs::write(tls_dir.join("cert.pem"), "cert").unwrap();
    let resolved =
        resolve_endpoint(&options(None, Some("secure")), &env_with_config(dir.path())).unwrap();
    let tls = resolved.tls.unwrap();
    assert_eq!(tls.ca, Some(tls_dir.join("ca.pem")));
    assert_eq!(tls.cert, Some(tls_dir.join("cert.pem")));
    assert_eq!(tls.key, None);
    assert!(!tls.verify);
}

#[test]
fn default_context_means_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("config.json"),
        r#"{"currentContext":"default"}"#,
    )
    .unwrap();
    let resolved =
        resolve_endpoint(&EndpointOptions::default(), &env_with_config(dir.path())).unwrap();
    assert_eq!(resolved.host, DEFAULT_HOST);
    assert_eq!(resolved.context, None);
    let env = env_with_config(dir.path()).with_var("DOCKER_HOST", "tcp://env:2375");
    let resolved = resolve_endpoint(&options(None, Some("default")), &env).unwrap();
    assert_eq!(resolved.host, "tcp://env:2375");
    assert_eq!(resolved.source, EndpointSource::ContextOption);
}

#[test]
fn unknown_context_and_broken_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_config(dir.path());
    let error = resolve_endpoint(&options(None, Some("nope")), &env).unwrap_err();
    assert!(
        matches!(&error, EndpointError::NoSuchContext { name, config_dir } if name == "nope" && config_dir == dir.path()),
        "{error}"
    );
    fs::write(dir.path().join("config.json"), "{not json").unwrap();
    let error = resolve_endpoint(&EndpointOptions::default(), &env).unwrap_err();
    assert!(matches!(error, EndpointError::ConfigFile { .. }), "{error}");
    write_context(dir.path(), "bad", "{\"Endpoints\": 7}");
    let error = resolve_endpoint(&options(None, Some("bad")), &env).unwrap_err();
    assert!(matches!(error, EndpointError::ConfigFile { .. }), "{error}");
    write_context(dir.path(), "nodocker", r#"{"Endpoints":{"kubernetes":{}}}"#);
    let error = resolve_endpoint(&options(None, Some("nodocker")), &env).unwrap_err();
    assert!(
        matches!(&error, EndpointError::NoDockerEndpoint { name } if name == "nodocker"),
        "{error}"
    );
}

/// A certificate folder with the given files (contents do not matter to the resolver).
fn cert_dir(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        fs::write(dir.path().join(file), "pem").unwrap();
    }
    dir
}

#[test]
fn tls_verify_takes_the_files_of_the_cert_path() {
    let certs = cert_dir(&["ca.pem", "cert.pem", "key.pem"]);
    let env = DockerEnv::default()
        .with_var("DOCKER_HOST", "tcp://h:2376")
        .with_var("DOCKER_TLS_VERIFY", "1")
        .with_var("DOCKER_CERT_PATH", certs.path().to_string_lossy())
        .with_var("DOCKER_API_VERSION", "1.41");
    let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
    assert_eq!(
        resolved.tls,
        Some(TlsConfig::from_dir(certs.path())),
        "ca, cert and key, verified"
    );
    assert_eq!(resolved.api_version.as_deref(), Some("1.41"));
}

#[test]
fn tls_verify_without_cert_path_uses_the_config_dir() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".docker");
    fs::create_dir_all(&config).unwrap();
    fs::write(config.join("ca.pem"), "pem").unwrap();
    let env = DockerEnv::default()
        .with_var("HOME", home.path().to_string_lossy())
        .with_var("DOCKER_TLS_VERIFY", "1");
    let resolved = resolve_endpoint(&options(Some("tcp://h:2376"), None), &env).unwrap();
    let tls = resolved.tls.unwrap();
    assert_eq!(tls.ca, Some(config.join("ca.pem")));
    // Absent client files are left out, as docker does; the server is still verified.
    assert_eq!((tls.cert, tls.key, tls.verify), (None, None, true));
    assert_eq!(resolved.config_dir, Some(config.clone()));
    // DOCKER_CONFIG moves the folder, as it does for docker.
    let other = cert_dir(&["ca.pem"]);
    let env = env.with_var("DOCKER_CONFIG", other.path().to_string_lossy());
    let resolved = resolve_endpoint(&options(Some("tcp://h:2376"), None), &env).unwrap();
    assert_eq!(resolved.tls.unwrap().ca, Some(other.path().join("ca.pem")));
}

#[test]
fn tls_verify_without_certificates_is_refused_not_dropped() {
    // No folder known at all.
    let env = DockerEnv::default()
        .with_var("DOCKER_HOST", "tcp://h:2376")
        .with_var("DOCKER_TLS_VERIFY", "1");
    let error = resolve_endpoint(&EndpointOptions::default(), &env).unwrap_err();
    assert!(
        matches!(error, EndpointError::TlsCertificatesMissing { ca: None }),
        "{error}"
    );
    assert!(
        error.to_string().contains("no certificate folder"),
        "{error}"
    );
    // A folder without ca.pem (client files alone do not make TLS verifiable).
    let certs = cert_dir(&["cert.pem", "key.pem"]);
    let env = env.with_var("DOCKER_CERT_PATH", certs.path().to_string_lossy());
    let error = resolve_endpoint(&EndpointOptions::default(), &env).unwrap_err();
    let ca = certs.path().join("ca.pem");
    assert!(
        matches!(&error, EndpointError::TlsCertificatesMissing { ca: Some(path) } if *path == ca),
        "{error}"
    );
    // The same for the default context, which means the environment.
    let error = resolve_endpoint(&options(None, Some("default")), &env).unwrap_err();
    assert!(
        matches!(error, EndpointError::TlsCertificatesMissing { .. }),
        "{error}"
    );
}

#[test]
fn any_non_empty_tls_verify_turns_tls_on() {
    let certs = cert_dir(&["ca.pem"]);
    for value in ["1", "0", "false"] {
        let env = DockerEnv::default()
            .with_var("DOCKER_TLS_VERIFY", value)
            .with_var("DOCKER_CERT_PATH", certs.path().to_string_lossy());
        let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
        assert!(resolved.tls.is_some_and(|tls| tls.verify), "{value}");
    }
    let env = DockerEnv::default()
        .with_var("DOCKER_TLS_VERIFY", "")
        .with_var("DOCKER_API_VERSION", " ");
    let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
    assert_eq!((resolved.tls, resolved.api_version), (None, None));
}

#[test]
fn context_without_a_config_dir_is_an_error() {
    let env = DockerEnv::default().with_var("DOCKER_CONTEXT", "prod");
    let error = resolve_endpoint(&EndpointOptions::default(), &env).unwrap_err();
    assert!(
        matches!(&error, EndpointError::NoConfigDir { name } if name == "prod"),
        "{error}"
    );
}

#[test]
fn empty_variables_count_as_unset() {
    let env = DockerEnv::default()
        .with_var("DOCKER_HOST", "")
        .with_var("DOCKER_CONTEXT", "");
    let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
    assert_eq!(resolved.source, EndpointSource::Default);
}
