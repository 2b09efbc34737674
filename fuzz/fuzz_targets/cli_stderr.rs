//! The CLI transport's classification of `docker`'s stderr; the properties are
//! `swarm_transport::fuzzing::checks::cli_stderr`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| swarm_transport::fuzzing::checks::cli_stderr(data));
