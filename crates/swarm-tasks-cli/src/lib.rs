//! The `swarm-tasks` command as a library: argument parsing and rendering over the
//! `swarm-tasks` facade. The binary (`main.rs`) only calls [`main`].
//!
//! The flow is ripgrep's: clap parses the raw command line ([`cli`]), [`config`] validates it
//! into a run configuration, [`run`] makes the facade calls and [`render`] prints the results
//! in the [`format`](mod@format) the user chose. [`report`] turns failures into a message, a hint and an
//! [`exit::ExitCode`]. This crate is glue; everything about tasks lives in the `swarm-tasks`
//! library. It is a library too so that xtask can render docs/cli.md from [`cli::command`].

mod app;
pub mod cli;
pub mod commands;
pub mod completions;
pub mod config;
pub mod docs;
pub mod exit;
pub mod format;
pub mod render;
pub mod report;
pub mod run;
pub mod sanitize;
pub mod template;
pub mod ui;

pub use app::main;
