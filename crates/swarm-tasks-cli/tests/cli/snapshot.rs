//! `snapshot DIR` records the swarm; replaying the folder prints the same as the original.

use crate::util::replay;

clitest!(snapshot_replays_to_the_same_output, |dir| {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("recorded");
    let outcome = replay(dir, &["snapshot", target.to_str().unwrap()]);
    outcome.code(0);
    assert_eq!(outcome.stdout, "", "data-free command: nothing on stdout");
    assert!(outcome.stderr.starts_with("wrote "), "{}", outcome.stderr);
    for file in ["tasks.json", "services.json", "nodes.json", "info.json"] {
        assert!(target.join(file).is_file(), "{file} missing");
    }
    for args in [&["ls"][..], &["ls", "--format", "json"], &["node", "ps"]] {
        let original = replay(dir, args);
        let recorded = replay(&target, args);
        assert_eq!(recorded.ok(), original.ok(), "{args:?}");
    }
});
