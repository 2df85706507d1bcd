//! The `pcmfa` command line: parses flags into a [`ScanConfig`], shows
//! progress, prints the closing summary and maps the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use pcmfa::formats::{example_of, format_by_name, Column, FieldMap, FieldPath, FORMATS};
use pcmfa::output::SHARDS_DIR;
use pcmfa::pipeline::{report, scan, Progress, ReportConfig, ScanConfig, ScanReport};
use pcmfa::redact::Redactor;
use pcmfa::report::Catalog;
use pcmfa::rollup::Window;
use pcmfa::shard::{read_manifest, ShardSpec};
use pcmfa::vocab::Verdict;

/// Exit codes: every input read; the run failed (bad flags, an output that
/// cannot be written, or rejects over --max-reject-ratio); some input was
/// unreadable, cut short or rejected (outputs still written, `summary.json`
/// says `partial`); an integration reached the --fail-on verdict. clap exits
/// 2 on a usage error. When several apply: failed, then --fail-on, then
/// partial.
mod exit_codes {
    pub const COMPLETE: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const PARTIAL: u8 = 3;
    pub const FAIL_ON: u8 = 4;
}

/// The verdict `--fail-on` gates on; `at_risk` means at risk or worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    #[value(name = "broken")]
    Broken,
    #[value(name = "at_risk")]
    AtRisk,
}

impl FailOn {
    /// Whether an integration with this verdict reaches the gate.
    fn reached_by(self, verdict: Verdict) -> bool {
        match self {
            FailOn::Broken => verdict == Verdict::Broken,
            FailOn::AtRisk => matches!(verdict, Verdict::Broken | Verdict::AtRisk),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            FailOn::Broken => "broken",
            FailOn::AtRisk => "at_risk",
        }
    }
}

#[path = "cli/sniff_view.rs"]
mod sniff_view;

#[derive(Parser)]
#[command(
    name = "pcmfa",
    version,
    about = "Find the Partner Center integrations that MFA enforcement (401 / 900421) breaks, from exported logs.",
    after_help = "Examples:\n  pcmfa scan sample-data --out out\n  pcmfa scan 'logs/**/*.jsonl.gz' entra/ --out reports/2026-06-08 --threads 8\n  zcat gateway.jsonl.gz | pcmfa scan - --out out\n  pcmfa diff reports/2026-W22 reports/2026-W23 --out reports/2026-W23-diff\n\nExit codes: 0 complete, 1 failed (or rejects over --max-reject-ratio), 2 bad usage, 3 partial (some input unreadable or rejected; outputs written), 4 an integration reached the --fail-on verdict (outputs written). Precedence: 1, then 4, then 3."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read logs, classify every Partner Center call, write the reports.
    #[command(
        after_help = "Example:\n  pcmfa scan sample-data --out out\n\nWrites calls.parquet, integrations.csv/.parquet, operations.csv, daily.csv, rejects.csv, report.html, report.md and summary.json (last) into --out."
    )]
    Scan {
        /// Files, folders (walked recursively in sorted order), glob patterns
        /// (quote them: 'logs/*.jsonl.gz'), or - for standard input. gzip and
        /// zstd are recognised by their content, not their names.
        #[arg(required_unless_present = "files_from", value_name = "INPUT")]
        inputs: Vec<String>,
        /// Read the inputs from this manifest too: one path per line, blank
        /// lines and # comments ignored; - reads it from standard input.
        #[arg(long, value_name = "MANIFEST")]
        files_from: Option<String>,
        /// Read only shard I of N (zero-based: 0/4 .. 3/4) of the inputs,
        /// balanced by size, the same split on every shard. Calls go to
        /// --out/calls/date=YYYY-MM-DD/part-<I>-<n>.parquet, the rest to
        /// --out/shards/<I>-of-<N>/; `pcmfa report OUT --out REPORT` rolls them up.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Folder for the reports (created if missing), e.g. --out reports/week-23.
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// Parse threads; default: every core. E.g. --threads 4.
        #[arg(long, short = 'j', value_name = "N")]
        threads: Option<usize>,
        /// Read every input as this format instead of recognising it, e.g.
        /// --format gateway_json_lines. `pcmfa formats` lists the names.
        #[arg(long, value_name = "NAME")]
        format: Option<String>,
        /// No progress bar and no closing summary on stderr.
        #[arg(long, short)]
        quiet: bool,
        /// Write into --out even when it holds files pcmfa did not write.
        #[arg(long)]
        force: bool,
        /// Replace every UPN and user object id with `user-<HMAC>` (keyed by
        /// --redact-key): counts stay right, names never appear in any output.
        #[arg(long, requires = "redact_key")]
        redact_principals: bool,
        /// Key for --redact-principals; keep it to map pseudonyms back or to
        /// compare runs, e.g. --redact-key "$(cat key.txt)".
        #[arg(
            long,
            env = "PCMFA_REDACT_KEY",
            value_name = "KEY",
            hide_env_values = true
        )]
        redact_key: Option<String>,
        /// Fail the run (exit 1, outputs still written) when more than this
        /// share of records is rejected, e.g. --max-reject-ratio 0.01.
        #[arg(long, value_name = "RATIO", default_value_t = 0.5)]
        max_reject_ratio: f64,
        /// CSV of your integrations (app_id, name, owner, contact, notes; any
        /// case and order, extra columns ignored), e.g. --catalog apps.csv.
        /// Joined into every report; callers it lacks are listed.
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
        /// Bytes of records handed to one parse job (default 4 MiB), e.g.
        /// --chunk-size 1048576. Smaller spreads small inputs across threads.
        #[arg(long, value_name = "BYTES")]
        chunk_size: Option<usize>,
        #[command(flatten)]
        fields: FieldArgs,
        /// Exit 4 (outputs still written) when any integration's verdict is
        /// broken, or at_risk or worse: a gate for scheduled jobs and CI.
        /// A failed run still exits 1; a partial run that reaches the gate
        /// exits 4, one that does not exits 3.
        #[arg(long, value_name = "VERDICT")]
        fail_on: Option<FailOn>,
        /// Print summary.json to standard output (nothing else goes there;
        /// messages stay on stderr), e.g. --json | jq .integrations.
        #[arg(long)]
        json: bool,
    },
    /// Compare two earlier runs: what broke, what is newly at risk, what was
    /// fixed, what went silent, what is new.
    #[command(
        after_help = "Example:\n  pcmfa diff reports/2026-W22 reports/2026-W23 --out reports/2026-W23-diff\n\nOLD and NEW are --out folders of earlier runs (their integrations.parquet and summary.json are read). Writes diff.csv (every integration of either run, most urgent first), diff.md (a headline and tables for chat or email), and report.html and report.md (NEW's report with a \"Changes since the previous run\" section) into --out; existing files of other names are left alone.\n\nExit codes: 0 written, 1 failed (OLD or NEW is not a finished pcmfa run, or --out cannot be written), 2 bad usage (bad flags, an unusable --catalog)."
    )]
    Diff {
        /// Output folder of the earlier run, e.g. reports/2026-W22.
        #[arg(value_name = "OLD")]
        old: PathBuf,
        /// Output folder of the later run, e.g. reports/2026-W23.
        #[arg(value_name = "NEW")]
        new: PathBuf,
        /// Folder for diff.csv, diff.md, report.html and report.md (created
        /// if missing).
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// The CSV of your integrations NEW was scanned with, so the report
        /// shows the same owners, e.g. --catalog apps.csv.
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
        /// No closing summary on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Rebuild the reports from earlier runs' or shards' calls.
    #[command(
        after_help = "Examples:\n  pcmfa report reports/2026-06-0? --out reports/week-23\n  pcmfa report shared-out --out rollup --since 2026-06-01 --until 2026-06-07\n\nWrites integrations.csv/.parquet, operations.csv, daily.csv and summary.json (last) into --out."
    )]
    Report {
        /// Run folders (holding calls.parquet), shard folders (holding
        /// calls/date=YYYY-MM-DD/*.parquet), calls Parquet files, or glob
        /// patterns of these (quote them).
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<String>,
        /// Folder for the reports (created if missing).
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// Keep events from this UTC day on, e.g. --since 2026-06-01.
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
        /// Keep events up to this UTC day, inclusive, e.g. --until 2026-06-07.
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: Option<String>,
        /// Files read at once; default: every core.
        #[arg(long, short = 'j', value_name = "N")]
        threads: Option<usize>,
        /// CSV of your integrations, joined into every report (as for scan),
        /// e.g. --catalog apps.csv.
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
        /// No progress bar and no closing summary on stderr.
        #[arg(long, short)]
        quiet: bool,
        /// Write into --out even when it holds files pcmfa did not write.
        #[arg(long)]
        force: bool,
        /// Exit 4 (outputs still written) when any integration's verdict is
        /// broken, or at_risk or worse, as for scan.
        #[arg(long, value_name = "VERDICT")]
        fail_on: Option<FailOn>,
        /// Print summary.json to standard output (nothing else goes there).
        #[arg(long)]
        json: bool,
    },
    /// List the input formats, how each is recognised, and an example.
    Formats,
    /// Show how pcmfa reads a file: the format it recognises and why, then
    /// for the first records which field fed each column and the verdict.
    #[command(
        after_help = "Examples:\n  pcmfa sniff logs/gateway.jsonl\n  pcmfa sniff logs/ --records 2\n  pcmfa sniff custom.jsonl --field url=req.target --field status=resp.code\n\nTokens, Authorization values, cookies, bodies and query strings are never printed."
    )]
    Sniff {
        /// Files, folders, glob patterns or - (as for scan).
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<String>,
        /// Records shown per file.
        #[arg(long, short = 'n', value_name = "N", default_value_t = 5)]
        records: usize,
        /// Read every input as this format instead of recognising it.
        #[arg(long, value_name = "NAME")]
        format: Option<String>,
        #[command(flatten)]
        fields: FieldArgs,
    },
}

/// Where a custom-schema JSON gateway log keeps its columns.
#[derive(clap::Args)]
struct FieldArgs {
    /// Read column NAME from the dotted PATH of each JSON record, over
    /// automatic matching; repeatable, e.g. --field url=req.target --field
    /// status=resp.code. Quote a key holding dots: --field 'app_id=props."x.y"'.
    #[arg(long = "field", value_name = "NAME=PATH", value_parser = parse_field)]
    fields: Vec<(Column, FieldPath)>,
    /// A file of field mappings: a [fields] table of NAME = "PATH" lines
    /// (TOML); --field overrides it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

impl FieldArgs {
    /// The config file's mappings, then the --field ones over them; an
    /// error message on a bad file or a column given twice.
    fn field_map(&self) -> std::result::Result<FieldMap, String> {
        let mut map = match &self.config {
            None => FieldMap::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|err| format!("--config {}: {err}", path.display()))?;
                FieldMap::from_config(&text)
                    .map_err(|err| format!("--config {}: {err}", path.display()))?
            }
        };
        let mut given = Vec::new();
        for (column, path) in &self.fields {
            if given.contains(column) {
                return Err(format!("--field {} is given twice", column.name()));
            }
            given.push(*column);
            map.set(*column, path.clone());
        }
        Ok(map)
    }
}

fn parse_field(arg: &str) -> std::result::Result<(Column, FieldPath), String> {
    FieldMap::parse_assignment(arg).map_err(|err| err.to_string())
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("pcmfa: error: {err:#}");
            ExitCode::from(exit_codes::FAILED)
        }
    }
}

fn run() -> Result<u8> {
    match Cli::parse().command {
        Command::Formats => {
            let mut out = std::io::stdout().lock();
            for info in FORMATS {
                writeln!(
                    out,
                    "{}\n  recognised by: {}",
                    info.name, info.recognised_by
                )?;
                if let Some(example) = example_of(info.name) {
                    // A CSV example is its header and a row; a W3C one, `#Fields:` and a line.
                    let example = example.replace('\n', "\n           ");
                    writeln!(out, "  example: {example}")?;
                }
            }
            Ok(exit_codes::COMPLETE)
        }
        Command::Sniff {
            inputs,
            records,
            format,
            fields,
        } => {
            let mut options = pcmfa::sniff::SniffOptions {
                records: records.max(1),
                ..Default::default()
            };
            options.fields = match fields.field_map() {
                Ok(map) => map,
                Err(message) => return Ok(usage_error(&message)),
            };
            if let Some(name) = format {
                match format_by_name(&name) {
                    Some(format) => options.format = Some(format),
                    None => {
                        return Ok(usage_error(&format!(
                            "unknown --format {name:?}; `pcmfa formats` lists the names"
                        )))
                    }
                }
            }
            let sniffed = pcmfa::sniff::sniff(&inputs, &options);
            let mut out = std::io::stdout().lock();
            sniff_view::print(&mut out, &sniffed, &options.fields)?;
            let all_unreadable = sniffed
                .iter()
                .all(|f| matches!(f.outcome, pcmfa::sniff::FileOutcome::Unreadable(_)));
            Ok(if all_unreadable {
                exit_codes::FAILED
            } else {
                exit_codes::COMPLETE
            })
        }
        Command::Report {
            inputs,
            out,
            since,
            until,
            threads,
            catalog,
            quiet,
            force,
            fail_on,
            json,
        } => {
            let mut config = ReportConfig::new(inputs, out);
            config.force = force;
            match load_catalog(catalog) {
                Ok(catalog) => config.catalog = catalog,
                Err(code) => return Ok(code),
            }
            config.window = Window::parse(since.as_deref(), until.as_deref())?;
            if let Some(threads) = threads {
                if threads == 0 {
                    bail!("--threads must be at least 1");
                }
                config.threads = threads;
            }
            let outcome = with_progress(quiet, |progress| report(&config, progress))
                .with_context(|| format!("report into {} failed", config.out_dir.display()))?;
            if !quiet {
                print_summary(&outcome, &config.out_dir, config.catalog.as_ref());
            }
            if json {
                print_summary_json(&config.out_dir)?;
            }
            Ok(outcome_code(&outcome, fail_on))
        }
        Command::Scan {
            mut inputs,
            files_from,
            shard,
            out,
            threads,
            format,
            quiet,
            chunk_size,
            force,
            redact_principals,
            redact_key,
            max_reject_ratio,
            fields,
            catalog,
            fail_on,
            json,
        } => {
            if !(0.0..=1.0).contains(&max_reject_ratio) {
                bail!("--max-reject-ratio must be between 0 and 1");
            }
            if let Some(manifest) = files_from {
                inputs.extend(read_manifest_arg(&manifest)?);
            }
            let mut config = ScanConfig::new(inputs, out);
            config.force = force;
            config.shard = shard.as_deref().map(ShardSpec::parse).transpose()?;
            config.fields = match fields.field_map() {
                Ok(map) => map,
                Err(message) => return Ok(usage_error(&message)),
            };
            match load_catalog(catalog) {
                Ok(catalog) => config.catalog = catalog,
                Err(code) => return Ok(code),
            }
            if redact_principals {
                match redact_key.as_deref() {
                    Some(key) if !key.is_empty() => {
                        config.redactor = Some(Redactor::new(key.as_bytes()))
                    }
                    _ => bail!(
                        "--redact-principals needs a non-empty --redact-key or PCMFA_REDACT_KEY"
                    ),
                }
            }
            if let Some(bytes) = chunk_size {
                config.chunk_bytes = bytes.max(1);
            }
            if let Some(threads) = threads {
                if threads == 0 {
                    bail!("--threads must be at least 1");
                }
                config.threads = threads;
            }
            if let Some(name) = format {
                config.format = Some(format_by_name(&name).with_context(|| {
                    format!("unknown --format {name:?}; `pcmfa formats` lists the names")
                })?);
            }
            let report = with_progress(quiet, |progress| scan(&config, progress))
                .with_context(|| format!("scan into {} failed", config.out_dir.display()))?;
            // A shard writes its summary and tables under shards/<I>-of-<N>/.
            let run_dir = match config.shard {
                Some(spec) => config.out_dir.join(SHARDS_DIR).join(spec.label()),
                None => config.out_dir.clone(),
            };
            if !quiet {
                print_summary(&report, &run_dir, config.catalog.as_ref());
            }
            if json {
                print_summary_json(&run_dir)?;
            }
            let accounting = &report.summary.accounting;
            let rejected_share = accounting.rejected as f64 / accounting.records.max(1) as f64;
            if rejected_share > max_reject_ratio {
                eprintln!(
                    "pcmfa: error: {} of {} records rejected ({:.1}%), over --max-reject-ratio {}; see rejects.csv",
                    accounting.rejected,
                    accounting.records,
                    rejected_share * 100.0,
                    max_reject_ratio
                );
                return Ok(exit_codes::FAILED);
            }
            Ok(outcome_code(&report, fail_on))
        }
        Command::Diff {
            old,
            new,
            out,
            catalog,
            quiet,
        } => {
            let catalog = match catalog.map(|path| Catalog::from_path(&path)).transpose() {
                Ok(catalog) => catalog,
                Err(err) => {
                    eprintln!("pcmfa: error: {err}");
                    return Ok(exit_codes::USAGE);
                }
            };
            let diff = pcmfa::diff::write_diff(&old, &new, &out, catalog.as_ref())?;
            if !quiet {
                print_diff_summary(&diff, &out);
            }
            Ok(exit_codes::COMPLETE)
        }
    }
}

/// Reads `--catalog`; a bad catalog is a usage error (its exit code).
fn load_catalog(path: Option<PathBuf>) -> Result<Option<Catalog>, u8> {
    match path.map(|path| Catalog::from_path(&path)).transpose() {
        Ok(catalog) => Ok(catalog),
        Err(err) => {
            eprintln!("pcmfa: error: {err}");
            Err(exit_codes::USAGE)
        }
    }
}

/// The manifest's inputs; `-` reads it from standard input.
fn read_manifest_arg(manifest: &str) -> Result<Vec<String>> {
    let inputs = if manifest == "-" {
        read_manifest(std::io::stdin().lock(), "-")?
    } else {
        let file = std::fs::File::open(manifest)
            .with_context(|| format!("cannot open --files-from {manifest}"))?;
        read_manifest(std::io::BufReader::new(file), manifest)?
    };
    if inputs.contains(&"-".to_string()) {
        bail!("--files-from {manifest} lists -; a manifest names files");
    }
    Ok(inputs)
}

/// The exit code of a run that wrote its outputs: 4 when an integration
/// reached the `--fail-on` verdict, else 3 when partial, else 0. (A failed
/// run has returned 1 before this.)
fn outcome_code(report: &ScanReport, fail_on: Option<FailOn>) -> u8 {
    if let Some(gate) = fail_on {
        let reached = report
            .integrations
            .iter()
            .filter(|row| gate.reached_by(row.verdict))
            .count();
        if reached > 0 {
            eprintln!(
                "pcmfa: --fail-on {}: {reached} integration{} reached it; exit {}",
                gate.as_str(),
                if reached == 1 { "" } else { "s" },
                exit_codes::FAIL_ON
            );
            return exit_codes::FAIL_ON;
        }
    }
    if report.summary.status == "complete" {
        exit_codes::COMPLETE
    } else {
        exit_codes::PARTIAL
    }
}

/// Copies the summary.json just written to stdout, byte for byte.
fn print_summary_json(out_dir: &std::path::Path) -> Result<()> {
    let path = out_dir.join(pcmfa::output::SUMMARY_FILE);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
        // A reader that stopped early (`| head`) is not a failure.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn print_diff_summary(diff: &pcmfa::diff::Diff, out: &std::path::Path) {
    use pcmfa::diff::Change;
    let counts: Vec<String> = Change::ALL
        .into_iter()
        .map(|c| format!("{} {}", diff.count(c), c.label()))
        .collect();
    eprintln!(
        "pcmfa: compared {} ({} integrations) with {} ({} integrations): {}",
        diff.old.dir.display(),
        diff.rows.iter().filter(|r| r.old.is_some()).count(),
        diff.new.dir.display(),
        diff.rows.iter().filter(|r| r.new.is_some()).count(),
        counts.join(", ")
    );
    for row in diff
        .rows
        .iter()
        .filter(|r| r.change != Change::Unchanged)
        .take(5)
    {
        let verdict = |v: Option<Verdict>| v.map_or("-", Verdict::as_str);
        eprintln!(
            "  {:>3}. {:<15} {} {} -> {} ({} -> {} calls)",
            row.rank,
            row.change.as_str(),
            row.integration,
            verdict(row.verdict_old()),
            verdict(row.verdict_new()),
            row.count_old(None),
            row.count_new(None),
        );
    }
    for warning in diff.warnings() {
        eprintln!("  note: {warning}");
    }
    eprintln!(
        "  diff.csv, diff.md and report.html (with the changes) in {}",
        out.display()
    );
}

/// Reports a command-line mistake found after parsing; exit status 2, as clap's.
fn usage_error(message: &str) -> u8 {
    eprintln!("pcmfa: error: {message}");
    exit_codes::USAGE
}

/// Runs `job` while a progress bar (driven by bytes read) draws on stderr.
fn with_progress(
    quiet: bool,
    job: impl FnOnce(&Progress) -> Result<ScanReport, pcmfa::Error>,
) -> Result<ScanReport, pcmfa::Error> {
    let progress = Arc::new(Progress::default());
    let target = if quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let report = std::thread::scope(|scope| {
        // The bar redraws every 100 ms and stops the moment the scan ends.
        let progress = &progress;
        let bar = &bar;
        scope.spawn(move || loop {
            let total = progress.total_bytes.load(Ordering::Relaxed);
            if total > 0 {
                bar.set_length(total);
            }
            bar.set_position(progress.bytes_read.load(Ordering::Relaxed));
            if done_rx.recv_timeout(Duration::from_millis(100)) != Err(RecvTimeoutError::Timeout) {
                break;
            }
        });
        let report = job(progress);
        drop(done_tx);
        report
    });
    bar.finish_and_clear();
    report
}

fn print_summary(report: &ScanReport, out_dir: &std::path::Path, catalog: Option<&Catalog>) {
    let s = &report.summary;
    let v = &s.partner_center.by_verdict;
    match &s.rollup {
        Some(rollup) => eprintln!(
            "pcmfa: rolled up {} calls files ({} rows, {} in the window) in {:.2}s",
            s.inputs.files, rollup.rows_read, rollup.rows_in_window, s.duration_seconds
        ),
        None => eprintln!(
            "pcmfa: read {} files ({} records) in {:.2}s: {} Partner Center events, {} other, {} rejected",
            s.inputs.files, s.accounting.records, s.duration_seconds, s.accounting.partner_center, s.accounting.other, s.accounting.rejected
        ),
    }
    eprintln!(
        "  events: {} broken, {} at risk, {} compliant, {} not affected, {} unknown",
        v.broken, v.at_risk, v.compliant, v.not_affected, v.unknown
    );
    if s.inputs.skipped > 0 || s.inputs.unreadable > 0 {
        eprintln!(
            "  {} inputs skipped (not a log format), {} unreadable: see summary.json",
            s.inputs.skipped, s.inputs.unreadable
        );
        const LISTED: usize = 10;
        let listed = s
            .skipped
            .iter()
            .map(|i| ("skipped", &i.path, &i.reason))
            .chain(
                s.unreadable
                    .iter()
                    .map(|i| ("unreadable", &i.path, &i.reason)),
            );
        for (what, path, reason) in listed.clone().take(LISTED) {
            eprintln!("    {what}: {path}: {reason}");
        }
        let more = listed.count().saturating_sub(LISTED);
        if more > 0 {
            eprintln!("    ... and {more} more");
        }
    }
    let e = &s.cross_record_evidence;
    if e.token_requests > 0 || e.rejection_traces > 0 {
        eprintln!(
            "  evidence from other records: {} token requests ({} apps), {} traces quoting 900421; {} calls changed",
            e.token_requests,
            e.token_request_apps,
            e.rejection_traces,
            e.lifted_by_token_request + e.lifted_by_trace_900421
        );
    }
    if e.not_held > 0 {
        eprintln!(
            "  warning: {} calls were written without evidence from other records (over {} held calls): see summary.json",
            e.not_held, pcmfa::evidence::held::DEFAULT_MAX_HELD_CALLS
        );
    }
    if !report.integrations.is_empty() {
        eprintln!("  worst integrations:");
        for row in report.integrations.iter().take(5) {
            let name = row
                .app_name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            eprintln!(
                "  {:>3}. {:<12} {}{} - {} calls, {} broken, {} at risk",
                row.rank,
                row.verdict.as_str(),
                row.integration,
                name,
                row.counts.total(),
                row.counts.get(pcmfa::vocab::Verdict::Broken),
                row.counts.get(pcmfa::vocab::Verdict::AtRisk),
            );
        }
    }
    if let Some(catalog) = catalog {
        let missing = report
            .integrations
            .iter()
            .filter(|row| catalog.lookup(row).is_none())
            .count();
        if missing > 0 {
            eprintln!("  {missing} Partner Center callers are not in the catalog: see report.html");
        }
    }
    eprintln!(
        "  reports in {} (open {})",
        out_dir.display(),
        out_dir.join(pcmfa::report::REPORT_HTML).display()
    );
}
