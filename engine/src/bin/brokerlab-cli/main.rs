//! brokerlab's command line, for tests, benchmarks and acceptance.
//!
//! `brokerlab-cli vectors FILE...` runs Kafka conformance vectors through the engine and prints
//! one JSON line per case, then `N passed, M failed`; it exits non-zero if any case fails.
//! `brokerlab-cli run SCENARIO.json` runs a scenario headless and prints its JSON report;
//! `--log` prints its protocol log instead, one line per event in Kafka's words (produce and
//! fetch requests and responses left out, as the page's log filters do by default).
//! `brokerlab-cli run --link 'URL'` opens a share link (`#s=v1...`) as the page does and prints
//! the report at the link's time, whose `trace_hash` is the one the page's "About this run"
//! shows: a link can be checked headless, and a bug report can carry one.
//!
//! `--narrate` prints what the page's narrator says for a screen reader instead: a few sentences
//! about what matters (rebalances, broker deaths, elections, aborts, a group falling behind),
//! observed every quarter second as the page refreshes.
//! `brokerlab-cli glossary [TERM]` prints the explanations the page shows for Kafka's words (all,
//! or those whose key or term contains TERM).
//! `brokerlab-cli lesson lessons/NAME.json` walks a lesson headless as a learner would: every
//! step entered, its `expect` checked, every task's solution applied and its check awaited; it
//! prints a line per step and fails naming the step whose check does not hold.
//! `brokerlab-cli message 'JSON'` reads a postMessage a host page would send a figure
//! (`{"ns":"brokerlab","v":1,"id":1,"type":"seek","payload":{"ms":5000}}`) as the figure does, and
//! prints the request it makes of it, or the reply refusing it; exit 1 when refused or ignored.
//!
//! `brokerlab-cli lab SCENARIO.json SETTING [V1,V2,...]` runs the throughput lab headless: the
//! setting swept over the values (or its default range), each point's throughput and latency in
//! a table (`--json`: as JSON).
//!
//! A run that takes more than two seconds draws a progress bar on stderr (on a terminal), and
//! Ctrl-C stops it between two steps of simulated time: `run` then prints the report as things
//! stood (`"interrupted": true`), `--log` the events so far, and both exit with 130.
//!
//! Everything it prints that comes from its input goes through `ground::quote`: file names are
//! quoted, error messages (serde's quote the file's text raw) escaped and cut, log lines escaped,
//! so a hostile file can neither flood the terminal nor send it escape sequences.

mod lab;
mod progress;

use std::ops::ControlFlow;
use std::process::ExitCode;

use brokerlab_engine::ground::quote::{escaped, message, quoted, Quoted};
use brokerlab_engine::scenario::Report;
use brokerlab_engine::view::EventKind;
use brokerlab_engine::{vectors, Scenario};
use progress::{Progress, STEP_MS};

/// The exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

const USAGE: &str = "usage:
  brokerlab-cli vectors FILE...            run conformance vector files
  brokerlab-cli run SCENARIO.json [--twice] run a scenario and print its report
                                           (--twice: run it again and check the trace hashes match)
  brokerlab-cli run SCENARIO.json --log    run a scenario and print its protocol log
  brokerlab-cli run SCENARIO.json --narrate  print what the page's narrator says, with times
  brokerlab-cli run --link 'URL'           open a share link and print the report at its time
  brokerlab-cli glossary [TERM]            explain Kafka's words as the page does
  brokerlab-cli message 'JSON'             read a host page's postMessage as a figure does
  brokerlab-cli lesson LESSON.json         walk a lesson headless: every step, every task solved
  brokerlab-cli lab SCENARIO.json SETTING [V1,V2,...] [--json]
                                           sweep one setting (linger.ms, batch.size,
                                           compression.type, acks, partitions, consumers,
                                           replication.factor) and measure each point";

/// Most characters of a file name shown: more than a name's, since its end says which file.
const PATH_CHARS: usize = 256;

/// A file name from the command line, as it is shown.
fn file(path: &str) -> Quoted<'_> {
    quoted(path).up_to(PATH_CHARS)
}

/// Prints `path: what` on stderr, `what` escaped and cut.
fn complain(path: &str, what: impl std::fmt::Display) {
    eprintln!("{}: {}", file(path), message(what));
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("vectors") if args.len() > 1 => vectors_cmd(&args[1..]),
        Some("run") if args.len() == 3 && args[1] == "--link" => link_cmd(&args[2]),
        Some("run") if args.len() > 1 && args.iter().any(|a| a == "--log") => log_cmd(&args[1]),
        Some("run") if args.len() > 1 && args.iter().any(|a| a == "--narrate") => {
            narrate_cmd(&args[1])
        }
        Some("run") if args.len() > 1 => run_cmd(&args[1], args.iter().any(|a| a == "--twice")),
        Some("glossary") if args.len() <= 2 => glossary_cmd(args.get(1).map(String::as_str)),
        Some("message") if args.len() == 2 => message_cmd(&args[1]),
        Some("lesson") if args.len() == 2 => lesson_cmd(&args[1]),
        Some("lab") if (3..=5).contains(&args.len()) => lab::lab_cmd(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn lesson_cmd(path: &str) -> ExitCode {
    use brokerlab_engine::lesson::{walk, Lesson};
    use std::path::Path;
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            complain(path, e);
            return ExitCode::FAILURE;
        }
    };
    let file = Path::new(path);
    let name = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("lesson");
    // A lesson names scenarios of `scenarios/`, beside `lessons/`.
    let scenarios = file
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .join("scenarios");
    let scenario_file = |s: &str| {
        let ok = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        ok.then(|| std::fs::read_to_string(scenarios.join(format!("{s}.json"))).ok())
            .flatten()
    };
    let lesson = match Lesson::parse(name, &text, scenario_file) {
        Ok(l) => l,
        Err(e) => {
            complain(path, e);
            return ExitCode::FAILURE;
        }
    };
    println!("{}: {} steps", escaped(&lesson.title), lesson.steps.len());
    match walk(&lesson) {
        Ok(reports) => {
            for (i, r) in reports.iter().enumerate() {
                let mut line = format!("  step {} at {} ms: {}", i + 1, r.at, escaped(&r.title));
                if let Some(e) = &r.expect {
                    line += &format!("; shows {}", escaped(e));
                }
                if let Some((check, took)) = &r.task {
                    line += &format!(
                        "; task done ({}) {took} ms after its solution",
                        escaped(check)
                    );
                }
                println!("{line}");
            }
            println!("ok");
            ExitCode::SUCCESS
        }
        Err(e) => {
            complain(path, e);
            ExitCode::FAILURE
        }
    }
}

fn message_cmd(text: &str) -> ExitCode {
    use brokerlab_engine::{figure_reply, read_host_message, HostIncoming};
    match read_host_message(text) {
        HostIncoming::Foreign(why) => {
            eprintln!(
                "ignored (one console warning in the page): {}",
                message(why)
            );
            ExitCode::FAILURE
        }
        HostIncoming::Request { id, request: Ok(r) } => {
            println!(
                "request {}: {}",
                id.as_deref().unwrap_or("(no id)"),
                message(format_args!("{r:?}"))
            );
            ExitCode::SUCCESS
        }
        HostIncoming::Request {
            id,
            request: Err(e),
        } => {
            match id {
                Some(id) => println!("{}", figure_reply(&id, Err(e))),
                None => eprintln!("refused, without an id to reply to: {}", message(e)),
            }
            ExitCode::FAILURE
        }
    }
}

fn glossary_cmd(filter: Option<&str>) -> ExitCode {
    use brokerlab_engine::view::glossary::GLOSSARY;
    let wanted = filter.unwrap_or("").to_ascii_lowercase();
    let found: Vec<_> = GLOSSARY
        .iter()
        .filter(|e| e.key.contains(&wanted) || e.term.to_ascii_lowercase().contains(&wanted))
        .collect();
    if found.is_empty() {
        eprintln!(
            "no term matches {}; `brokerlab-cli glossary` lists them all",
            quoted(&wanted).up_to(PATH_CHARS)
        );
        return ExitCode::from(2);
    }
    for e in found {
        println!("{}\n  {}\n", e.term, e.meaning);
    }
    ExitCode::SUCCESS
}

fn vectors_cmd(files: &[String]) -> ExitCode {
    let (mut passed, mut failed) = (0, 0);
    for f in files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                complain(f, e);
                return ExitCode::from(2);
            }
        };
        match vectors::run_file(&text) {
            Ok(run) => {
                for line in &run.lines {
                    println!("{line}");
                }
                passed += run.passed;
                failed += run.failed;
            }
            Err(e) => {
                complain(f, e);
                return ExitCode::from(2);
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn read_scenario(path: &str) -> Result<Scenario, ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        complain(path, e);
        ExitCode::from(2)
    })?;
    Scenario::parse(&text).map_err(|e| {
        complain(path, format_args!("not a valid scenario: {e}"));
        ExitCode::from(2)
    })
}

fn link_cmd(link: &str) -> ExitCode {
    let opened = brokerlab_engine::Session::from_link(link).and_then(|s| s.open());
    match opened {
        Ok(t) => {
            let report = Report::from_simulation(t.sim());
            println!(
                "{}",
                serde_json::to_string_pretty(&report).expect("reports serialise")
            );
            eprintln!(
                "opened the link at {} ms ({} actions logged); trace hash {}",
                t.now(),
                t.log().len(),
                report.trace_hash
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            complain("--link", e);
            ExitCode::from(2)
        }
    }
}

fn log_cmd(path: &str) -> ExitCode {
    let scenario = match read_scenario(path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let progress = Progress::start(scenario.duration_ms);
    // The simulation keeps only its latest events: read them every 100 ms of simulated time.
    let mut next_seq = 0;
    let run = scenario.run_until(100, |sim| {
        for e in sim.events_since(next_seq) {
            if e.seq > next_seq {
                println!("          ({} events not kept)", e.seq - next_seq);
            }
            next_seq = e.seq + 1;
            if !matches!(
                e.kind,
                EventKind::ProduceRequest { .. }
                    | EventKind::ProduceResponse { .. }
                    | EventKind::FetchRequest { .. }
                    | EventKind::FetchResponse { .. }
            ) {
                // Ids (group.id, transactional.id) are any string: shown escaped.
                println!("{:>9} {}", e.time, escaped(&sim.describe(e)));
            }
        }
        // No bar here: the log itself scrolls on the same terminal.
        if progress.interrupted() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    finish_streamed(path, &scenario, run, &progress)
}

fn narrate_cmd(path: &str) -> ExitCode {
    use brokerlab_engine::view::narrator::Narrator;
    let scenario = match read_scenario(path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let progress = Progress::start(scenario.duration_ms);
    let (mut narrator, mut next_seq) = (Narrator::default(), 0);
    // Every 250 ms of simulated time, as the page refreshes its panels.
    let run = scenario.run_until(250, |sim| {
        let mut lines = narrator.events(sim.events_since(next_seq));
        next_seq = sim.next_event_seq();
        lines.extend(narrator.lag(&sim.snapshot()));
        for line in lines {
            println!("{:>9} {}", sim.now(), escaped(&line));
        }
        if progress.interrupted() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    finish_streamed(path, &scenario, run, &progress)
}

/// The exit of a command that printed as the run went (`--log`, `--narrate`): 130 and where it
/// stood if Ctrl-C cut it short, else whether it ran.
fn finish_streamed(
    path: &str,
    scenario: &Scenario,
    run: Result<brokerlab_engine::Simulation, String>,
    progress: &Progress,
) -> ExitCode {
    match run {
        Ok(sim) if progress.interrupted() => {
            say_interrupted(path, sim.now(), scenario.duration_ms, "");
            ExitCode::from(INTERRUPTED)
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            complain(path, e);
            ExitCode::FAILURE
        }
    }
}

/// Tells where a run stopped by Ctrl-C stood, and what follows from it (`then`).
fn say_interrupted(path: &str, at_ms: u64, duration_ms: u64, then: &str) {
    eprintln!(
        "{}: interrupted (Ctrl-C) at {at_ms} ms of {duration_ms} ms of simulated time{then}",
        file(path)
    );
}

/// Runs a scenario with a progress bar; the report says whether Ctrl-C cut it short.
fn run_with_progress(scenario: &Scenario) -> Result<(Report, Progress), String> {
    let mut progress = Progress::start(scenario.duration_ms);
    let run = scenario.run_until(STEP_MS, |sim| progress.observe(sim));
    progress.finish();
    let sim = run?;
    let mut report = Report::from_simulation(&sim);
    report.interrupted = progress.interrupted();
    Ok((report, progress))
}

fn run_cmd(path: &str, twice: bool) -> ExitCode {
    let scenario = match read_scenario(path) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (report, progress) = match run_with_progress(&scenario) {
        Ok(r) => r,
        Err(e) => {
            complain(path, e);
            return ExitCode::FAILURE;
        }
    };
    let wall = progress.elapsed();
    if twice && !report.interrupted {
        match run_with_progress(&scenario) {
            Ok((again, _)) if again.interrupted => {
                eprintln!(
                    "{}: the second run was interrupted (Ctrl-C): determinism not checked",
                    file(path)
                );
                return ExitCode::from(INTERRUPTED);
            }
            Ok((again, _)) if again.trace_hash == report.trace_hash => {}
            Ok((again, _)) => {
                let path = file(path);
                eprintln!(
                    "{path}: NOT deterministic: trace {} then {} (seed {}); reproduce with: brokerlab-cli run {path} --twice",
                    report.trace_hash, again.trace_hash, scenario.seed
                );
                return ExitCode::FAILURE;
            }
            Err(e) => {
                complain(path, format_args!("second run failed: {e}"));
                return ExitCode::FAILURE;
            }
        }
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&report).expect("reports serialise")
    );
    if report.interrupted {
        let then = format!(
            ", after {:.3} s; the report is the state at that time",
            wall.as_secs_f64()
        );
        say_interrupted(path, report.time_ms, scenario.duration_ms, &then);
        return ExitCode::from(INTERRUPTED);
    }
    eprintln!(
        "simulated {} ms in {:.3} s of wall time",
        report.time_ms,
        wall.as_secs_f64()
    );
    ExitCode::SUCCESS
}
