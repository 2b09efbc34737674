//! Human output never shows a secret: every task and service of the swarm carries
//! `PASSWORD=hunter2` in its `Env` and a secret reference, one task carries it in a field the
//! models cannot decode, and no table, `explain`, error message or `-v`/`-vv`/`-vvv` log line
//! prints `hunter2`. `--format json`/`inspect` print the daemon's data as it is, Env values
//! included (checked too, so the fixture is known to carry the value).

use serde_json::{Value, json};
use swarm_testkit::{FakeEngine, FakeSwarm, Fault, FaultRule};

use crate::util::run;

const SECRET: &str = "hunter2";

fn with_secrets(spec: Option<&mut Value>) {
    if let Some(spec) = spec {
        spec["Env"] = json!([format!("PASSWORD={SECRET}"), "NGINX_PORT=80"]);
        spec["Secrets"] = json!([{
            "File": {"Name": "db_password", "UID": "0", "GID": "0", "Mode": 292},
            "SecretID": "q4w7e2r9t1y6u3i8o5p0a2s7d",
            "SecretName": "db_password"
        }]);
    }
}

/// The sample swarm with a password in every Env, and one task whose Env is a string (which
/// the models cannot decode) holding it too.
fn swarm() -> (FakeSwarm, String) {
    let mut swarm = FakeSwarm::sample();
    for task in swarm.tasks_mut() {
        with_secrets(task.pointer_mut("/Spec/ContainerSpec"));
    }
    for service in swarm.services_mut() {
        with_secrets(service.pointer_mut("/Spec/TaskTemplate/ContainerSpec"));
    }
    let web = swarm.tasks_of_service("web")[0].clone();
    let mut odd = web.clone();
    odd["ID"] = json!("z9x8c7v6b5n4m3l2k1j0h9g8f");
    odd["Spec"]["ContainerSpec"]["Env"] = json!(format!("PASSWORD={SECRET}"));
    swarm.tasks_mut().push(odd);
    let id = web["ID"].as_str().unwrap().to_owned();
    (swarm, id)
}

#[track_caller]
fn assert_no_secret(args: &[&str], stdout: &str, stderr: &str) {
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "{args:?} printed the secret:\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

#[test]
fn human_output_logs_and_errors_never_print_env_values() {
    let (swarm, task) = swarm();
    let engine = FakeEngine::start_blocking(swarm);
    let host = engine.host();
    let short = &task[..12];
    let cases: Vec<Vec<&str>> = vec![
        vec!["ls"],
        vec!["ls", "--no-trunc"],
        vec!["service", "ps", "web"],
        vec!["service", "ps", "--no-trunc", "web", "monitor"],
        vec!["node", "ps", "node-1", "node-2", "node-3"],
        vec!["inspect", "--format", "table", short],
        vec!["inspect", "--format", "table", "z9x8c7v6b5n4"],
        vec!["explain", "web"],
        vec!["explain", short],
        vec!["inspect", "nope"],
        vec!["service", "ps", "nope"],
        vec!["inspect", "z9x8c7v6b5n4"],
        vec!["explain", "z9x8c7v6b5n4"],
    ];
    let mut ran = 0;
    for case in &cases {
        for verbosity in [None, Some("-v"), Some("-vv"), Some("-vvv")] {
            let mut args = vec!["-H", host.as_str(), "--transport", "http"];
            args.extend(verbosity);
            args.extend(case.iter().copied());
            let outcome = run(&args);
            assert_no_secret(&args, &outcome.stdout, &outcome.stderr);
            ran += 1;
        }
    }
    assert_eq!(ran, cases.len() * 4);

    // The daemon failing, and a body that is not JSON, in the error messages.
    for fault in [
        Fault::Status {
            code: 500,
            json_body: true,
        },
        Fault::Malformed,
        Fault::IncompleteJson,
    ] {
        engine.add_fault(FaultRule::new(fault).path("/tasks").times(2));
        for case in [vec!["ls"], vec!["inspect", short]] {
            let mut args = vec!["-H", host.as_str(), "--transport", "http", "-vv"];
            args.extend(case);
            let outcome = run(&args);
            assert_ne!(outcome.code, 0, "{args:?}");
            assert_no_secret(&args, &outcome.stdout, &outcome.stderr);
        }
        engine.clear_fault();
    }

    // json and the inspect format are the daemon's data as it is: the value is there.
    let inspect = run(&["-H", &host, "--transport", "http", "inspect", short]);
    assert!(inspect.stdout.contains(SECRET), "{}", inspect.stdout);
    let json = run(&[
        "-H",
        &host,
        "--transport",
        "http",
        "ls",
        "--format",
        "inspect",
    ]);
    assert!(json.stdout.contains(SECRET));
}
