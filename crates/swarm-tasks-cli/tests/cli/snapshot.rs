//! `snapshot DIR` records the swarm; replaying the folder prints the same as the original.

use crate::util::replay;

clitest!(snapshot_replays_to_the_same_output, |dir| {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("recorded");
    let outcome = replay(dir, &["snapshot", target.to_str().unwrap()]);
    outcome.code(0);
    assert_eq!(outcome.stdout, "", "data-free command: nothing on stdout");
    let lines = outcome.stderr_lines();
    assert!(
        lines[0].starts_with("warning: the snapshot records every Env value"),
        "{}",
        outcome.stderr
    );
    assert!(lines[1].starts_with("wrote "), "{}", outcome.stderr);
    for file in ["tasks.json", "services.json", "nodes.json", "info.json"] {
        assert!(target.join(file).is_file(), "{file} missing");
    }
    for args in [&["ls"][..], &["ls", "--format", "json"], &["node", "ps"]] {
        let original = replay(dir, args);
        let recorded = replay(&target, args);
        assert_eq!(recorded.ok(), original.ok(), "{args:?}");
    }
});

clitest!(
    redacted_snapshot_keeps_names_and_replays_the_same_tables,
    |dir| {
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("shared");
        let outcome = replay(dir, &["snapshot", "--redact", target.to_str().unwrap()]);
        outcome.code(0);
        let lines = outcome.stderr_lines();
        assert!(lines[0].starts_with("redacted "), "{}", outcome.stderr);
        assert!(!lines[0].starts_with("redacted 0 "), "{}", outcome.stderr);
        let original = std::fs::read_to_string(dir.join("tasks.json")).unwrap();
        let shared = std::fs::read_to_string(target.join("tasks.json")).unwrap();
        assert!(
            original.contains("\"NGINX_PORT=80\""),
            "the sample has an Env value"
        );
        assert!(!shared.contains("NGINX_PORT=80"), "the value is gone");
        assert!(
            shared.contains("\"NGINX_PORT=<redacted>\""),
            "the name stays"
        );
        for args in [&["ls"][..], &["service", "ps", "web"], &["node", "ps"]] {
            assert_eq!(
                replay(&target, args).ok(),
                replay(dir, args).ok(),
                "{args:?}"
            );
        }
    }
);
