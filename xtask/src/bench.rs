//! `cargo xtask bench [--runs N]`: runs the project's benchmarks with short criterion
//! settings and rewrites their section of docs/benchmarks.md.
//!
//! It builds the bench targets once (`cargo bench --no-run`, not counted in the run's time;
//! one build, because each `cargo bench --bench X` would unify features differently and
//! rebuild), then runs their executables as `cargo bench` would, in order: the parse bench of swarm-models, the list bench of swarm-transport,
//! the rows/output bench of swarm-tasks (all criterion, 1 s warm-up and 3 s measurement, no
//! plots) and
//! the `service ps` comparison with docker (`ps_vs_docker --services 10`, N runs per
//! command). Medians come from criterion's own `new/estimates.json` files under
//! `$CARGO_TARGET_DIR/criterion` (`target/criterion` without it); the parse and list
//! benches' alternating timings, the list's memory figures and the comparison's come from
//! the JSON files they write to `SWARM_BENCH_REPORT_DIR`. The section between `<!-- xtask bench: begin -->` and
//! `<!-- xtask bench: end -->` is replaced; the rest of the file is kept byte for byte.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail};
use serde_json::Value;

use crate::flags::BenchArgs;

/// The file the section lives in.
const DOC: &str = "docs/benchmarks.md";
/// The first line of the generated section.
pub const BEGIN: &str = "<!-- xtask bench: begin -->";
/// The last line of the generated section.
pub const END: &str = "<!-- xtask bench: end -->";
/// Criterion's settings for every criterion bench of the run. `--noplot`: the section is
/// written from criterion's `estimates.json`, and drawing its HTML report's plots took 100 of
/// the run's 250 s (2 vCPU, 2026-12-03).
const CRITERION_ARGS: [&str; 5] = ["--warm-up-time", "1", "--measurement-time", "3", "--noplot"];

/// Criterion's filter (a regex) for the parse bench: our rows, bollard's and serialization.
const PARSE_ROWS: &str = "^(parse/(decode_list|bollard)|serialize)/";

/// The packages whose benches run.
const PACKAGES: [&str; 4] = [
    "swarm-models",
    "swarm-transport",
    "swarm-tasks",
    "swarm-tasks-cli",
];

/// One `cargo bench` target of the run.
struct Target {
    bench: &'static str,
    /// Its arguments after `--`.
    args: Vec<String>,
}

impl Target {
    /// `bench -p P1 -p P2 ... --bench NAME -- ARGS`: every run names all the packages, so
    /// cargo unifies their dependencies' features the same way each time and builds nothing
    /// again (one package alone would rebuild serde_json and others with fewer features).
    fn cargo_args(&self) -> Vec<String> {
        let mut args = vec!["bench".to_owned()];
        for package in PACKAGES {
            args.extend(["-p".to_owned(), package.to_owned()]);
        }
        args.extend(["--bench".to_owned(), self.bench.to_owned()]);
        if !self.args.is_empty() {
            args.push("--".to_owned());
            args.extend(self.args.iter().cloned());
        }
        args
    }

    /// The command as documented (`cargo bench -p ... -- ...`), an argument with a character
    /// the shell would read in single quotes.
    fn display(&self) -> String {
        let words: Vec<String> = self
            .cargo_args()
            .into_iter()
            .map(|arg| {
                if arg.contains(|c: char| "()|^$*?[]{}<>&;\" ".contains(c)) {
                    format!("'{arg}'")
                } else {
                    arg
                }
            })
            .collect();
        format!("cargo {}", words.join(" "))
    }
}

fn targets(runs: usize) -> Vec<Target> {
    let criterion = || CRITERION_ARGS.iter().map(|arg| (*arg).to_owned()).collect();
    vec![
        Target {
            bench: "parse",
            // Only the rows the section shows: the `from_slice` rows (our types without
            // `decode_list`) are for comparisons by hand.
            args: [criterion(), vec![PARSE_ROWS.to_owned()]].concat(),
        },
        Target {
            bench: "list",
            args: criterion(),
        },
        Target {
            bench: "rows",
            args: criterion(),
        },
        Target {
            bench: "ps_vs_docker",
            args: vec![
                "--runs".to_owned(),
                runs.to_string(),
                "--services".to_owned(),
                "10".to_owned(),
            ],
        },
    ]
}

/// Runs the benches and rewrites the section of docs/benchmarks.md.
pub fn run(root: &Path, args: BenchArgs) -> anyhow::Result<()> {
    let doc_path = root.join(DOC);
    let doc = std::fs::read_to_string(&doc_path)
        .with_context(|| format!("cannot read {}", doc_path.display()))?;
    // Fail before an hour of benchmarks when the markers are not there.
    replace_section(&doc, "")?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let criterion_dir = target_dir.join("criterion");
    let report_dir = target_dir.join("xtask-bench");
    let _ = std::fs::remove_dir_all(&report_dir);
    std::fs::create_dir_all(&report_dir)?;
    for group in ["parse", "serialize", "list", "rows", "output"] {
        // No median of an earlier run may pass for this one's.
        let _ = std::fs::remove_dir_all(criterion_dir.join(group));
    }
    let targets = targets(args.runs);

    let started = Instant::now();
    let mut build = vec![
        "bench".to_owned(),
        "--no-run".to_owned(),
        "--message-format=json-render-diagnostics".to_owned(),
    ];
    for package in PACKAGES {
        build.extend(["-p".to_owned(), package.to_owned()]);
    }
    for target in &targets {
        build.extend(["--bench".to_owned(), target.bench.to_owned()]);
    }
    let executables = build_benches(root, &build)?;
    let built = started.elapsed();
    let load_before = load_average();
    let started = Instant::now();
    for target in &targets {
        eprintln!("xtask bench: {}", target.display());
        let Some((executable, package_dir)) = executables.get(target.bench) else {
            bail!("cargo built no executable for bench `{}`", target.bench);
        };
        // The executable as `cargo bench` runs it (in its package's folder, with `--bench`),
        // without cargo deciding again what to build.
        let status = Command::new(executable)
            .arg("--bench")
            .args(&target.args)
            .env("SWARM_BENCH_REPORT_DIR", &report_dir)
            .env("CARGO_TARGET_DIR", &target_dir)
            .current_dir(package_dir)
            .status()
            .with_context(|| format!("cannot run {}", executable.display()))?;
        if !status.success() {
            bail!("`{}` failed ({status})", target.display());
        }
    }
    let ran = started.elapsed();
    let load_after = load_average();

    let results = Results {
        criterion: read_criterion(&criterion_dir)?,
        memory: read_json(&report_dir.join("list-memory.json"))?,
        paced: read_json(&report_dir.join("list-paced.json"))?,
        alternating: read_json(&report_dir.join("list-alternating.json"))?,
        parse_alternating: read_json(&report_dir.join("parse-alternating.json"))?,
        ps: read_json(&report_dir.join("ps_vs_docker.json"))?,
    };
    let context = RunContext {
        date: now(),
        machine: machine(),
        versions: versions(root),
        commands: targets.iter().map(Target::display).collect(),
        load: (load_before, load_after),
        built_secs: built.as_secs_f64(),
        ran_secs: ran.as_secs_f64(),
    };
    let section = render(&context, &results);
    let updated = replace_section(&doc, &section)?;
    std::fs::write(&doc_path, updated)?;
    eprintln!(
        "xtask bench: ran in {:.0} s (build {:.0} s); rewrote the section of {DOC}",
        ran.as_secs_f64(),
        built.as_secs_f64()
    );
    Ok(())
}

/// `cargo ARGS` (a `--no-run` build with JSON messages) in `root`: each bench's executable
/// and its package's folder, by bench name.
fn build_benches(
    root: &Path,
    args: &[String],
) -> anyhow::Result<std::collections::BTreeMap<String, (PathBuf, PathBuf)>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(&cargo)
        .args(args)
        .current_dir(root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run {cargo}"))?;
    if !output.status.success() {
        bail!("`cargo {}` failed ({})", args.join(" "), output.status);
    }
    let mut executables = std::collections::BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let kinds = message["target"]["kind"].as_array();
        let is_bench = kinds.is_some_and(|kinds| kinds.iter().any(|kind| kind == "bench"));
        if let (true, Some(executable), Some(name), Some(src)) = (
            is_bench,
            message["executable"].as_str(),
            message["target"]["name"].as_str(),
            message["target"]["src_path"].as_str(),
        ) {
            // benches/NAME.rs lives in the package's folder.
            let package_dir = Path::new(src)
                .parent()
                .and_then(Path::parent)
                .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
            executables.insert(name.to_owned(), (PathBuf::from(executable), package_dir));
        }
    }
    Ok(executables)
}

/// Replaces what lies between the markers (the marker lines stay) with `section`, which
/// should end with a newline. Everything outside the markers is kept byte for byte.
pub fn replace_section(doc: &str, section: &str) -> anyhow::Result<String> {
    let Some(begin) = doc.find(BEGIN) else {
        bail!("{DOC} has no `{BEGIN}` line: add it and `{END}` where the generated section goes");
    };
    let body_start = begin + BEGIN.len();
    let Some(end) = doc[body_start..].find(END).map(|idx| idx + body_start) else {
        bail!("{DOC} has `{BEGIN}` but no `{END}` after it");
    };
    if doc[end + END.len()..].contains(BEGIN) || doc[body_start..end].contains(BEGIN) {
        bail!("{DOC} has `{BEGIN}` more than once");
    }
    let mut out = String::with_capacity(doc.len() + section.len());
    out.push_str(&doc[..body_start]);
    out.push('\n');
    out.push_str(section);
    out.push_str(&doc[end..]);
    Ok(out)
}

/// Criterion medians (ns) and throughputs by `group/function/parameter`.
#[derive(Debug, Default)]
struct Criterion {
    medians: std::collections::BTreeMap<String, f64>,
}

impl Criterion {
    fn median(&self, id: &str) -> Option<f64> {
        self.medians.get(id).copied()
    }
}

/// Every `GROUP/FUNCTION/PARAMETER/new/estimates.json` of the run's groups.
fn read_criterion(dir: &Path) -> anyhow::Result<Criterion> {
    let mut criterion = Criterion::default();
    for group in ["parse", "serialize", "list", "rows", "output"] {
        let group_dir = dir.join(group);
        let Ok(functions) = std::fs::read_dir(&group_dir) else {
            continue;
        };
        for function in functions {
            let function = function?.path();
            let Ok(parameters) = std::fs::read_dir(&function) else {
                continue;
            };
            for parameter in parameters {
                let parameter = parameter?.path();
                let estimates = parameter.join("new/estimates.json");
                if !estimates.is_file() {
                    continue;
                }
                let value = read_json(&estimates)?;
                let median = value["median"]["point_estimate"]
                    .as_f64()
                    .with_context(|| format!("no median in {}", estimates.display()))?;
                let name = |path: &Path| {
                    path.file_name()
                        .map(|name| name.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                let id = format!("{group}/{}/{}", name(&function), name(&parameter));
                criterion.medians.insert(id, median);
            }
        }
    }
    Ok(criterion)
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{} is not JSON", path.display()))
}

/// What the benches measured.
struct Results {
    criterion: Criterion,
    memory: Value,
    /// The paced list's body and link (`list-paced.json`).
    paced: Value,
    /// The list and the parse timed in turns (`list-alternating.json`).
    alternating: Value,
    /// Our parse and bollard's timed in turns (`parse-alternating.json`).
    parse_alternating: Value,
    ps: Value,
}

/// Where and when the run happened.
struct RunContext {
    date: String,
    machine: String,
    versions: String,
    commands: Vec<String>,
    load: (String, String),
    built_secs: f64,
    ran_secs: f64,
}

fn now() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}

/// CPU model, cores and memory, from /proc.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or("unknown CPU".to_owned(), |(_, model)| {
            model.trim().to_owned()
        });
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gib = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or("unknown".to_owned(), |kib| {
            format!("{:.1} GiB", kib / 1024.0 / 1024.0)
        });
    format!("{model}, {cores} cores, {memory_gib} memory")
}

/// The 1-minute load average.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// rustc, docker (client) and bollard-stubs / bollard (from Cargo.lock).
fn versions(root: &Path) -> String {
    let first_line = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .and_then(|output| {
                String::from_utf8_lossy(&output.stdout)
                    .lines()
                    .next()
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| format!("{program}: not found"))
    };
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let locked = |name: &str| locked_version(&lock, name).unwrap_or_else(|| "?".to_owned());
    format!(
        "{}; {}; bollard-stubs {}, bollard {}",
        first_line("rustc", &["--version"]),
        first_line("docker", &["--version"]),
        locked("bollard-stubs"),
        locked("bollard")
    )
}

/// The version of package `name` in a Cargo.lock.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"\n");
    let at = lock.find(&needle)? + needle.len();
    let line = lock[at..].lines().next()?;
    Some(
        line.strip_prefix("version = \"")?
            .trim_end_matches('"')
            .to_owned(),
    )
}

fn millis(ns: f64) -> String {
    let ms = ns / 1e6;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / 1024.0 / 1024.0)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

/// The generated section (without the marker lines).
fn render(context: &RunContext, results: &Results) -> String {
    let mut out = String::new();
    let c = &results.criterion;
    let missing = "-".to_owned();
    let _ = writeln!(out, "## `cargo xtask bench` (issue 13)\n");
    let _ = writeln!(
        out,
        "Generated by `cargo xtask bench` on {}: the section between the `xtask bench` markers is rewritten by each run, so edit the command (`xtask/src/bench.rs`), not the text.\n",
        context.date
    );
    let _ = writeln!(out, "- Machine: {}.", context.machine);
    let _ = writeln!(
        out,
        "  Shared by several agents building and testing at the same time (1-minute load average {} before the run, {} after): absolute times move between runs; the ratios compare rows measured in the same run.",
        context.load.0, context.load.1
    );
    let _ = writeln!(out, "- Versions: {}.", context.versions);
    let _ = writeln!(
        out,
        "- Run time: {:.0} s for the benches below, after {:.0} s building them (release profile, `cargo bench --no-run`).",
        context.ran_secs, context.built_secs
    );
    let _ = writeln!(
        out,
        "- Bodies: `swarm_testkit::history` (tasks made from the recorded fixtures, 10 services with 3 spec versions each on 20 nodes, every ID different, nine-digit timestamps). Medians of criterion's samples (`new/estimates.json`).\n"
    );
    let _ = writeln!(out, "```sh");
    for command in &context.commands {
        let _ = writeln!(out, "{command}");
    }
    let _ = writeln!(out, "```\n");

    let _ = writeln!(
        out,
        "### Parse: `Vec<Task>` of swarm-models vs bollard-stubs\n"
    );
    let _ = writeln!(
        out,
        "Timed in turns on the same body (ours, then bollard's, and again; medians), so that both see the machine at the same moments. The target is judged on these:\n"
    );
    let _ = writeln!(
        out,
        "| tasks | pairs | swarm-models `decode_list` | bollard-stubs | our throughput / bollard's | target >= 1.5 |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---|");
    let rows = results.parse_alternating["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for row in &rows {
        let (Some(n), Some(pairs), Some(ours), Some(theirs)) = (
            row["tasks"].as_u64(),
            row["pairs"].as_u64(),
            row["ours_ns"].as_f64(),
            row["bollard_ns"].as_f64(),
        ) else {
            continue;
        };
        let ratio = theirs / ours;
        let _ = writeln!(
            out,
            "| {n} | {pairs} | {} | {} | {ratio:.2} x | {} |",
            millis(ours),
            millis(theirs),
            verdict(ratio >= 1.5)
        );
    }
    if rows.is_empty() {
        let _ = writeln!(out, "| {missing} | | | | | |");
    }
    let _ = writeln!(
        out,
        "\nCriterion's medians of the same rows, each timed for 3 s on its own:\n"
    );
    let _ = writeln!(
        out,
        "| tasks | swarm-models `decode_list` | bollard-stubs | our throughput / bollard's |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|");
    for n in [1_000, 10_000, 50_000] {
        let ours = c.median(&format!("parse/decode_list/{n}"));
        let theirs = c.median(&format!("parse/bollard/{n}"));
        let ratio = match (ours, theirs) {
            (Some(ours), Some(theirs)) => format!("{:.2} x", theirs / ours),
            _ => missing.clone(),
        };
        let _ = writeln!(
            out,
            "| {n} | {} | {} | {ratio} |",
            ours.map_or(missing.clone(), millis),
            theirs.map_or(missing.clone(), millis)
        );
    }
    let ours = c.median("serialize/swarm-models/10000");
    let theirs = c.median("serialize/bollard/10000");
    let _ = writeln!(
        out,
        "\nSerialize 10,000 tasks (`serde_json::to_vec`, the canonical typed form): swarm-models {}, bollard-stubs {}.\n",
        ours.map_or(missing.clone(), millis),
        theirs.map_or(missing.clone(), millis)
    );

    let _ = writeln!(
        out,
        "### List over a unix socket: `HttpTransport::list_tasks` vs parsing the same body\n"
    );
    let _ = writeln!(
        out,
        "The fake engine serves the body from another process (a body asked again is sent as kept, so its time to answer is not counted); `decode_list` parses the same bytes in the listing process.\n"
    );
    let _ = writeln!(
        out,
        "Timed in turns (a list, then a parse of the same body, and again; medians), so that both see the machine at the same moments and neither reads a body left hot in the cache by the runs before it. The target is judged on these:\n"
    );
    let _ = writeln!(
        out,
        "| tasks | pairs | list (end to end) | `decode_list` alone | list / parse | target <= 1.3 |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---|");
    let rows = results.alternating["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for row in &rows {
        let (Some(n), Some(pairs), Some(total), Some(parse)) = (
            row["tasks"].as_u64(),
            row["pairs"].as_u64(),
            row["list_ns"].as_f64(),
            row["parse_ns"].as_f64(),
        ) else {
            continue;
        };
        let ratio = total / parse;
        let _ = writeln!(
            out,
            "| {n} | {pairs} | {} | {} | {ratio:.2} x | {} |",
            millis(total),
            millis(parse),
            verdict(ratio <= 1.3)
        );
    }
    if rows.is_empty() {
        let _ = writeln!(out, "| {missing} | | | | | |");
    }
    let _ = writeln!(
        out,
        "\nCriterion's medians of the same rows, each timed for 3 s on its own (the parse alone then re-reads one body that stays in the cache; on this shared machine the speed drifts between such windows):\n"
    );
    let _ = writeln!(
        out,
        "| tasks | list (end to end) | `decode_list` alone | list / parse |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|");
    for n in [1_000, 10_000, 50_000] {
        let total = c.median(&format!("list/http-unix/{n}"));
        let parse = c.median(&format!("list/decode_list/{n}"));
        let ratio = match (total, parse) {
            (Some(total), Some(parse)) => format!("{:.2} x", total / parse),
            _ => missing.clone(),
        };
        let _ = writeln!(
            out,
            "| {n} | {} | {} | {ratio} |",
            total.map_or(missing.clone(), millis),
            parse.map_or(missing.clone(), millis)
        );
    }
    let paced = &results.paced;
    let tasks = paced["tasks"].as_u64().unwrap_or(0);
    if let (Some(body), Some(rate), Some(list), Some(parse)) = (
        paced["body_bytes"].as_f64(),
        paced["bytes_per_second"].as_f64(),
        c.median(&format!("list/http-unix-paced-100MiBps/{tasks}")),
        c.median(&format!("list/decode_list/{tasks}")),
    ) {
        let arrival = body / rate * 1e9;
        let _ = writeln!(
            out,
            "\nOver a slower link, the body's arrival takes longer than its parse, and the list decodes while it arrives (`swarm_models::ListDecoder`): with the fake engine sending at {:.0} MiB/s (`Fault::Bandwidth`), the {tasks}-task body ({:.1} MB) takes {} to arrive, and the list takes {} end to end, {} after the last byte could have arrived (reading first and parsing then would add the whole parse, {}).",
            rate / (1024.0 * 1024.0),
            body / 1e6,
            millis(arrival),
            millis(list),
            millis((list - arrival).max(0.0)),
            millis(parse),
        );
    }
    let memory = &results.memory;
    if let (Some(body), Some(base), Some(peak), Some(ratio)) = (
        memory["body_bytes"].as_f64(),
        memory["baseline_bytes"].as_f64(),
        memory["peak_bytes"].as_f64(),
        memory["ratio_to_body"].as_f64(),
    ) {
        let _ = writeln!(
            out,
            "\nPeak memory of the listing process (its own `VmHWM` from /proc/self/status, before and after one list of {} tasks, in a process that does nothing else): body {}, baseline {}, peak {}: {} above the baseline, {ratio:.2} x the body (target <= 3 x: {}).\n",
            memory["tasks"],
            mib(body),
            mib(base),
            mib(peak),
            mib(peak - base),
            verdict(ratio <= 3.0)
        );
    }

    let _ = writeln!(
        out,
        "### Rows and history grouping: 50,000 tasks (swarm-tasks)\n"
    );
    let _ = writeln!(out, "| step | median | per task |");
    let _ = writeln!(out, "|---|---:|---:|");
    for (id, what) in [
        (
            "rows/build/50000",
            "`TaskRow::new` for every task (names, columns)",
        ),
        (
            "rows/group_history/50000",
            "`sort_rows` + `mark_history` (docker's order, history marks)",
        ),
        (
            "rows/build_rows/50000",
            "`build_rows` (both, as `service ps` runs them)",
        ),
    ] {
        let median = c.median(id);
        let _ = writeln!(
            out,
            "| {what} | {} | {} |",
            median.map_or(missing.clone(), millis),
            median.map_or(missing.clone(), |ns| format!(
                "{:.2} µs",
                ns / 1e3 / 50_000.0
            ))
        );
    }

    let _ = writeln!(out, "\n### Full-object JSON output: 10,000 tasks\n");
    let _ = writeln!(
        out,
        "Each task decoded with `decode_list`, so it is written from its text as sent (`AsSent`).\n"
    );
    let _ = writeln!(out, "| step | median | output / parse | target <= 1 |");
    let _ = writeln!(out, "|---|---:|---:|---|");
    let parse = c.median("output/decode_list/10000");
    let _ = writeln!(
        out,
        "| `decode_list` (parse) | {} | | |",
        parse.map_or(missing.clone(), millis)
    );
    for (id, what) in [
        (
            "output/write_compact/10000",
            "`write_compact` per task (`--format json`)",
        ),
        (
            "output/write_pretty_array/10000",
            "`write_pretty_array` (`--format inspect`, `inspect`)",
        ),
    ] {
        let median = c.median(id);
        let (ratio, met) = match (median, parse) {
            (Some(median), Some(parse)) => {
                let ratio = median / parse;
                (format!("{ratio:.2} x"), verdict(ratio <= 1.0).to_owned())
            }
            _ => (missing.clone(), missing.clone()),
        };
        let _ = writeln!(
            out,
            "| {what} | {} | {ratio} | {met} |",
            median.map_or(missing.clone(), millis)
        );
    }

    render_ps(&mut out, &results.ps);
    out
}

/// The `service ps` comparison: one table per endpoint.
fn render_ps(out: &mut String, ps: &Value) {
    let _ = writeln!(
        out,
        "\n### `swarm-tasks service ps` vs `docker service ps`: {} tasks of {} services on {} nodes\n",
        ps["tasks"], ps["services"], ps["nodes"]
    );
    let _ = writeln!(
        out,
        "Each command runs {} times as a fresh process (release build) under `/usr/bin/time -f %M` (its peak RSS; the wall time includes starting `time`, for every command alike), listing all the services.\n",
        ps["runs"]
    );
    let Some(endpoints) = ps["endpoints"].as_array() else {
        return;
    };
    for endpoint in endpoints {
        let _ = writeln!(
            out,
            "`{}`, tables {}:\n",
            endpoint["host"].as_str().unwrap_or("?"),
            endpoint["tables"].as_str().unwrap_or("?")
        );
        let _ = writeln!(
            out,
            "| command | median | fastest | slowest | peak RSS (median) | requests per run | median / swarm-tasks' |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
        let commands = endpoint["commands"].as_array().cloned().unwrap_or_default();
        let ours = commands
            .first()
            .and_then(|command| command["median_ms"].as_f64());
        for command in &commands {
            let ms = |key: &str| {
                command[key]
                    .as_f64()
                    .map_or("-".to_owned(), |ms| format!("{ms:.1} ms"))
            };
            let rss = command["peak_rss_kib_median"]
                .as_f64()
                .map_or("-".to_owned(), |kib| mib(kib * 1024.0));
            let ratio = match (command["median_ms"].as_f64(), ours) {
                (Some(this), Some(ours)) => format!("{:.2} x", this / ours),
                _ => "-".to_owned(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {rss} | {} | {ratio} |",
                command["argv"]
                    .as_array()
                    .map(|argv| {
                        argv.iter()
                            .filter_map(Value::as_str)
                            .take_while(|arg| !arg.starts_with("svc-"))
                            .collect::<Vec<_>>()
                            .join(" ")
                            .replace(endpoint["host"].as_str().unwrap_or("\u{0}"), "HOST")
                    })
                    .unwrap_or_default(),
                ms("median_ms"),
                ms("fastest_ms"),
                ms("slowest_ms"),
                command["requests_per_run"]
            );
        }
        let _ = writeln!(out);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is a failure
mod tests {
    use super::*;

    #[test]
    fn the_section_between_the_markers_is_replaced_and_nothing_else() {
        let before = "# Benchmarks\n\nIntro.\n\n";
        let after = "\n\n## Older figures\n\nKept as they are.  \n";
        let doc = format!("{before}{BEGIN}\nold numbers\nmore old\n{END}{after}");
        let updated = replace_section(&doc, "new numbers\n").unwrap();
        assert_eq!(
            updated,
            format!("{before}{BEGIN}\nnew numbers\n{END}{after}")
        );
        assert!(updated.starts_with(before) && updated.ends_with(after));
        // Running it again on its own output changes nothing more.
        assert_eq!(replace_section(&updated, "new numbers\n").unwrap(), updated);
    }

    #[test]
    fn missing_or_repeated_markers_are_clear_errors() {
        let err = replace_section("# Benchmarks\n", "x\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(BEGIN), "{err}");
        let err = replace_section(&format!("a\n{BEGIN}\nb\n"), "x\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no `<!-- xtask bench: end -->`"), "{err}");
        let err = replace_section(&format!("{END}\n{BEGIN}\n"), "x\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(END), "{err}");
        let err = replace_section(&format!("{BEGIN}\n{END}\n{BEGIN}\n{END}\n"), "x\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than once"), "{err}");
    }

    #[test]
    fn the_documented_commands_quote_what_the_shell_would_read() {
        let parse = targets(5).into_iter().find(|t| t.bench == "parse").unwrap();
        let shown = parse.display();
        assert!(
            shown.ends_with(&format!("--noplot '{PARSE_ROWS}'")),
            "{shown}"
        );
        // The same argument reaches the bench unquoted.
        assert_eq!(parse.args.last().map(String::as_str), Some(PARSE_ROWS));
        // Criterion reads the filter as a regex: the section's rows are in, `from_slice`'s out.
        let filter = regex::Regex::new(PARSE_ROWS).unwrap();
        for row in [
            "parse/decode_list/1000",
            "parse/bollard/50000",
            "serialize/swarm-models/10000",
            "serialize/bollard/10000",
        ] {
            assert!(filter.is_match(row), "{row} is left out");
        }
        assert!(!filter.is_match("parse/from_slice/1000"));
    }

    #[test]
    fn locked_versions_are_read_from_cargo_lock() {
        let lock = "[[package]]\nname = \"bollard\"\nversion = \"0.21.1\"\n\n[[package]]\nname = \"bollard-stubs\"\nversion = \"1.53.1-rc.29.3.1\"\n";
        assert_eq!(
            locked_version(lock, "bollard-stubs").as_deref(),
            Some("1.53.1-rc.29.3.1")
        );
        assert_eq!(locked_version(lock, "bollard").as_deref(), Some("0.21.1"));
        assert_eq!(locked_version(lock, "serde"), None);
    }

    #[test]
    fn the_rendered_section_quotes_the_medians_and_ratios() {
        let mut criterion = Criterion::default();
        for (id, ns) in [
            ("parse/decode_list/10000", 100e6),
            ("parse/bollard/10000", 200e6),
            ("list/http-unix/10000", 130e6),
            ("list/decode_list/10000", 100e6),
            ("list/http-unix-paced-100MiBps/10000", 103e6),
            ("output/decode_list/10000", 100e6),
            ("output/write_compact/10000", 20e6),
        ] {
            criterion.medians.insert(id.to_owned(), ns);
        }
        let results = Results {
            criterion,
            memory: serde_json::json!({"tasks": 50000, "body_bytes": 100.0, "baseline_bytes": 10.0, "peak_bytes": 410.0, "ratio_to_body": 4.0}),
            paced: serde_json::json!({"tasks": 10000, "body_bytes": 10_485_760.0, "bytes_per_second": 104_857_600.0}),
            alternating: serde_json::json!({"rows": [{"tasks": 1000, "pairs": 60, "list_ns": 14e6, "parse_ns": 10e6}]}),
            parse_alternating: serde_json::json!({"rows": [{"tasks": 10000, "pairs": 20, "ours_ns": 100e6, "bollard_ns": 200e6}]}),
            ps: serde_json::json!({"tasks": 1000, "services": 10, "nodes": 100, "runs": 5, "endpoints": []}),
        };
        let context = RunContext {
            date: "2026-12-02 18:00 UTC".to_owned(),
            machine: "CPU, 2 cores, 8.0 GiB memory".to_owned(),
            versions: "rustc 1.91".to_owned(),
            commands: vec!["cargo bench -p swarm-models --bench parse".to_owned()],
            load: ("1.0".to_owned(), "2.0".to_owned()),
            built_secs: 1.0,
            ran_secs: 2.0,
        };
        let text = render(&context, &results);
        assert!(
            text.contains("| 10000 | 20 | 100 ms | 200 ms | 2.00 x | met |"),
            "{text}"
        );
        assert!(
            text.contains("| 10000 | 100 ms | 200 ms | 2.00 x |"),
            "{text}"
        );
        assert!(
            text.contains("| 1000 | 60 | 14.0 ms | 10.0 ms | 1.40 x | **not met** |"),
            "{text}"
        );
        assert!(
            text.contains("| 10000 | 130 ms | 100 ms | 1.30 x |"),
            "{text}"
        );
        assert!(
            text.contains("4.00 x the body (target <= 3 x: **not met**)"),
            "{text}"
        );
        assert!(text.contains("| 20.0 ms | 0.20 x | met |"), "{text}");
        assert!(
            text.contains("the 10000-task body (10.5 MB) takes 100 ms to arrive, and the list takes 103 ms end to end, 3.0 ms after"),
            "{text}"
        );
        assert!(text.contains("cargo bench -p swarm-models --bench parse"));
        assert!(
            text.contains("shared by several agents") || text.contains("Shared by several agents")
        );
    }
}
