//! `swarm_models::decode_list` of tasks, services and nodes on arbitrary bytes; the
//! properties are `swarm_transport::fuzzing::checks::task_list`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| swarm_transport::fuzzing::checks::task_list(data));
