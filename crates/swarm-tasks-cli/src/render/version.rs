//! `swarm-tasks version`: this client's version and API, and the engine's, like `docker
//! version`.

use std::io::Write;

use swarm_tasks::transport::{MAX_API_VERSION, SystemInfo};

use super::{RenderError, write_template};
use crate::format::Format;
use crate::template::{Data, Fields};

/// Go's name for this machine's architecture, as docker prints it (`amd64`, `arm64`).
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// The version object: `Client` always, `Server` when the engine answered (else `null`).
pub fn version_data(server: Option<&SystemInfo>) -> Data {
    let text = |value: &str| Data::String(value.to_owned());
    let api_version = server.map_or(MAX_API_VERSION, |info| info.api_version.as_str());
    let client = Data::Object(vec![
        ("Version".into(), text(env!("CARGO_PKG_VERSION"))),
        ("ApiVersion".into(), text(api_version)),
        ("DefaultAPIVersion".into(), text(MAX_API_VERSION)),
        ("Os".into(), text(std::env::consts::OS)),
        ("Arch".into(), text(go_arch())),
    ]);
    let server = server.map_or(Data::Null, |info| {
        let optional = |value: Option<&String>| value.map_or(Data::Null, |v| text(v));
        Data::Object(vec![
            ("Version".into(), optional(info.engine_version.as_ref())),
            (
                "ApiVersion".into(),
                optional(info.daemon_api_version.as_ref()),
            ),
        ])
    });
    Data::Object(vec![("Client".into(), client), ("Server".into(), server)])
}

/// Prints the version in `format`: docker's layout by default, `json` on one line, or a
/// template over the version object (`{{.Server.Version}}`).
pub fn write_version(
    out: &mut dyn Write,
    server: Option<&SystemInfo>,
    format: &Format,
) -> Result<(), RenderError> {
    let data = version_data(server);
    match format {
        Format::Json | Format::Inspect => writeln!(out, "{}", data.to_json())?,
        Format::Template(template) => {
            write_template(out, template, std::iter::once(data), Fields::Open)?;
        }
        Format::Table => write_text(out, server)?,
    }
    Ok(())
}

fn write_text(out: &mut dyn Write, server: Option<&SystemInfo>) -> std::io::Result<()> {
    let api = match server {
        Some(info) if info.api_version != MAX_API_VERSION => {
            format!("{} (downgraded from {MAX_API_VERSION})", info.api_version)
        }
        Some(info) => info.api_version.clone(),
        None => MAX_API_VERSION.to_owned(),
    };
    writeln!(out, "Client:")?;
    writeln!(out, " {:<19}{}", "Version:", env!("CARGO_PKG_VERSION"))?;
    writeln!(out, " {:<19}{api}", "API version:")?;
    writeln!(
        out,
        " {:<19}{}/{}",
        "OS/Arch:",
        std::env::consts::OS,
        go_arch()
    )?;
    if let Some(info) = server {
        let unknown = || "unknown".to_owned();
        writeln!(out)?;
        writeln!(out, "Server:")?;
        writeln!(out, " Engine:")?;
        writeln!(
            out,
            "  {:<18}{}",
            "Version:",
            info.engine_version.clone().unwrap_or_else(unknown)
        )?;
        writeln!(
            out,
            "  {:<18}{}",
            "API version:",
            info.daemon_api_version.clone().unwrap_or_else(unknown)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use swarm_tasks::transport::SwarmState;

    fn info() -> SystemInfo {
        let mut info = SystemInfo::new("1.41", SwarmState::Active, None, true);
        info.engine_version = Some("20.10.24".into());
        info.daemon_api_version = Some("1.41".into());
        info
    }

    #[test]
    fn text_is_laid_out_like_dockers() {
        let mut out = Vec::new();
        write_version(&mut out, Some(&info()), &Format::Table).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Client:\n Version:           "), "{text}");
        assert!(
            text.contains(&format!(
                " API version:       1.41 (downgraded from {MAX_API_VERSION})\n"
            )),
            "{text}"
        );
        assert!(
            text.ends_with(
                "Server:\n Engine:\n  Version:          20.10.24\n  API version:      1.41\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn json_and_templates() {
        let mut out = Vec::new();
        write_version(&mut out, Some(&info()), &Format::Json).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["Server"]["Version"], "20.10.24");
        assert_eq!(value["Client"]["ApiVersion"], "1.41");
        assert_eq!(value["Client"]["Version"], env!("CARGO_PKG_VERSION"));
        let template = crate::template::Template::parse("{{.Server.Version}}").unwrap();
        let mut out = Vec::new();
        write_version(&mut out, Some(&info()), &Format::Template(template)).unwrap();
        assert_eq!(out, b"20.10.24\n");
    }
}
