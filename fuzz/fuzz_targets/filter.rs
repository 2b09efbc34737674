//! `--filter` parsing (`TaskFilter::push_arg`, `TaskFilter::from_filters_json`); the
//! properties are `swarm_transport::fuzzing::checks::filter`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| swarm_transport::fuzzing::checks::filter(data));
