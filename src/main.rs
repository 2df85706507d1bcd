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
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use pcmfa::formats::{example_of, format_by_name, Column, FieldMap, FieldPath, FORMATS};
use pcmfa::pipeline::{scan, Progress, ScanConfig, ScanReport};
use pcmfa::redact::Redactor;
use pcmfa::report::Catalog;

/// Exit codes: every input read; the run failed (bad flags, an output that
/// cannot be written, or rejects over --max-reject-ratio); some input was
/// unreadable, cut short or rejected (outputs still written, `summary.json`
/// says `partial`). clap exits 2 on a usage error.
mod exit_codes {
    pub const COMPLETE: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const PARTIAL: u8 = 3;
}

#[path = "cli/sniff_view.rs"]
mod sniff_view;

#[derive(Parser)]
#[command(
    name = "pcmfa",
    version,
    about = "Find the Partner Center integrations that MFA enforcement (401 / 900421) breaks, from exported logs.",
    after_help = "Examples:\n  pcmfa scan sample-data --out out\n  pcmfa scan 'logs/**/*.jsonl.gz' entra/ --out reports/2026-06-08 --threads 8\n  zcat gateway.jsonl.gz | pcmfa scan - --out out\n\nExit codes: 0 complete, 1 failed (or rejects over --max-reject-ratio), 2 bad usage, 3 partial (some input unreadable or rejected; outputs written)."
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
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<String>,
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
        Command::Scan {
            inputs,
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
        } => {
            if !(0.0..=1.0).contains(&max_reject_ratio) {
                bail!("--max-reject-ratio must be between 0 and 1");
            }
            let mut config = ScanConfig::new(inputs, out);
            config.force = force;
            config.fields = match fields.field_map() {
                Ok(map) => map,
                Err(message) => return Ok(usage_error(&message)),
            };
            if let Some(path) = catalog {
                match Catalog::from_path(&path) {
                    Ok(catalog) => config.catalog = Some(catalog),
                    Err(err) => {
                        eprintln!("pcmfa: error: {err}");
                        return Ok(exit_codes::USAGE);
                    }
                }
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
            let report = scan_with_progress(&config, quiet)?;
            if !quiet {
                print_summary(&report, &config);
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
            Ok(if report.summary.status == "complete" {
                exit_codes::COMPLETE
            } else {
                exit_codes::PARTIAL
            })
        }
    }
}

/// Reports a command-line mistake found after parsing; exit status 2, as clap's.
fn usage_error(message: &str) -> u8 {
    eprintln!("pcmfa: error: {message}");
    exit_codes::USAGE
}

/// Runs the scan while a progress bar (driven by bytes read) draws on stderr.
fn scan_with_progress(config: &ScanConfig, quiet: bool) -> Result<ScanReport> {
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
        let report = scan(config, progress);
        drop(done_tx);
        report
    });
    bar.finish_and_clear();
    report.with_context(|| format!("scan into {} failed", config.out_dir.display()))
}

fn print_summary(report: &ScanReport, config: &ScanConfig) {
    let s = &report.summary;
    let v = &s.partner_center.by_verdict;
    eprintln!(
        "pcmfa: read {} files ({} records) in {:.2}s: {} Partner Center events, {} other, {} rejected",
        s.inputs.files, s.accounting.records, s.duration_seconds, s.accounting.partner_center, s.accounting.other, s.accounting.rejected
    );
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
            e.not_held, config.max_held_calls
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
    if let Some(catalog) = &config.catalog {
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
        config.out_dir.display(),
        config.out_dir.join(pcmfa::report::REPORT_HTML).display()
    );
}
