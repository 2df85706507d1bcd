//! `pcmfa report`: rebuilds the roll-up tables from calls files that earlier
//! runs or shards wrote, reading the files in parallel.
//!
//! Each file is folded into its own aggregates by [`read_calls_file`]; the
//! states merge in any order to the same result, and the per-file tallies
//! are put back in discovery order, so the outputs are byte-identical
//! whatever the thread count. Files whose Hive `date=` folder lies outside
//! `--since` / `--until` (or holds calls without a time, when a window is
//! set) are not opened.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;

use super::{verdict_totals, Progress, ScanReport};
use crate::aggregate::{Aggregates, IntegrationRow, VerdictCounts};
use crate::error::Error;
use crate::formats::timestamp::format_iso;
use crate::output::summary::{
    Accounting, CrossRecordEvidence, FileSummary, InputTotals, IntegrationTotals,
    PartnerCenterTotals, RollupInfo, SkippedInput, Summary, TimeRange, UnreadableInput,
    SCHEMA_VERSION,
};
use crate::output::{write_rollups, write_summary, ReportOptions, Rollups, CALLS_DIR, CALLS_FILE};
use crate::report::Catalog;
use crate::rollup::{
    find_calls, read_calls_file, sum_sources, CallsFile, FileOutcome, FileProblem, Window,
    CALLS_FORMAT,
};

/// What a report reads and where it writes.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    /// Run folders, shard folders, calls Parquet files, or globs.
    pub inputs: Vec<String>,
    pub out_dir: PathBuf,
    /// Files read at once (at least 1).
    pub threads: usize,
    pub window: Window,
    /// Write into an output folder that holds files pcmfa did not write.
    pub force: bool,
    /// Who owns each integration, joined into the reports.
    pub catalog: Option<Catalog>,
}

impl ReportConfig {
    pub fn new(inputs: Vec<String>, out_dir: PathBuf) -> ReportConfig {
        ReportConfig {
            inputs,
            out_dir,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            window: Window::default(),
            force: false,
            catalog: None,
        }
    }
}

/// Rolls the calls files up and writes the tables and `summary.json`
/// (`summary.json` last).
pub fn report(config: &ReportConfig, progress: &Progress) -> Result<ScanReport, Error> {
    let started = Instant::now();
    let threads = config.threads.max(1);
    let out = &config.out_dir;
    std::fs::create_dir_all(out).map_err(|source| Error::Write {
        path: out.clone(),
        source,
    })?;
    for calls in [CALLS_FILE, CALLS_DIR] {
        if out.join(calls).exists() {
            return Err(Error::Usage(format!(
                "--out {} holds a run's {calls}; a report writes its tables into a folder of its own",
                out.display()
            )));
        }
    }
    if !config.force {
        super::check_out_dir(out, false)?;
    }
    let discovery = find_calls(&config.inputs, Some(out));
    let window = config.window;
    let (to_read, pruned): (Vec<CallsFile>, Vec<CallsFile>) = discovery
        .files
        .iter()
        .cloned()
        .partition(|f| f.may_hold(&window));
    progress
        .total_bytes
        .store(to_read.iter().map(|f| f.size).sum(), Ordering::Relaxed);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("pcmfa-report-{i}"))
        .build()
        .map_err(|err| Error::Usage(format!("cannot start {threads} threads: {err}")))?;
    let (aggregates, mut outcomes) = pool.install(|| {
        to_read
            .par_iter()
            .enumerate()
            .fold(
                || (Aggregates::default(), Vec::new()),
                |(mut aggregates, mut outcomes), (index, file)| {
                    let mut outcome = read_calls_file(&file.path, &window);
                    aggregates.merge(std::mem::take(&mut outcome.aggregates));
                    progress.bytes_read.fetch_add(file.size, Ordering::Relaxed);
                    outcomes.push((index, outcome));
                    (aggregates, outcomes)
                },
            )
            .reduce(
                || (Aggregates::default(), Vec::new()),
                |(mut a, mut a_outcomes), (b, b_outcomes)| {
                    a.merge(b);
                    a_outcomes.extend(b_outcomes);
                    (a, a_outcomes)
                },
            )
    });
    outcomes.sort_by_key(|(index, _)| *index);

    let sources = sum_sources(&discovery.summaries);
    let rollup = RollupInfo {
        since: window.since_text(),
        until: window.until_text(),
        calls_files: discovery.files.len() as u64,
        pruned_files: pruned.len() as u64,
        rows_read: outcomes.iter().map(|(_, o)| o.rows).sum(),
        rows_in_window: outcomes.iter().map(|(_, o)| o.kept).sum(),
        sources,
    };
    let rollups = Rollups::from_aggregates(&aggregates);
    let mut summary = summarise(
        &to_read,
        &outcomes,
        &discovery.unreadable,
        &aggregates,
        &rollups.integrations,
        rollup,
        threads,
        started.elapsed().as_secs_f64(),
    );
    let options = ReportOptions {
        catalog: config.catalog.as_ref(),
        sections: &[],
    };
    write_rollups(out, &rollups, &summary, options)?;
    summary.duration_seconds = started.elapsed().as_secs_f64();
    write_summary(out, &summary)?;
    Ok(ScanReport {
        summary,
        integrations: rollups.integrations,
    })
}

/// `summary.json` of a report: the calls files are its inputs and their
/// rows its records; rows outside the window count as `other`.
#[allow(clippy::too_many_arguments)]
fn summarise(
    files: &[CallsFile],
    outcomes: &[(usize, FileOutcome)],
    discovery_unreadable: &[(String, String)],
    aggregates: &Aggregates,
    integrations: &[IntegrationRow],
    rollup: RollupInfo,
    threads: usize,
    duration_seconds: f64,
) -> Summary {
    let mut read = Vec::new();
    let mut skipped = Vec::new();
    let mut unreadable: Vec<UnreadableInput> = discovery_unreadable
        .iter()
        .map(|(path, reason)| UnreadableInput {
            path: path.clone(),
            reason: reason.clone(),
        })
        .collect();
    for (index, outcome) in outcomes {
        let file = &files[*index];
        let path = file.display.clone();
        match &outcome.problem {
            None => read.push(FileSummary {
                path,
                format: CALLS_FORMAT.to_string(),
                compression: "none".to_string(),
                bytes: file.size,
                records: outcome.rows,
                partner_center: outcome.kept,
                other: outcome.rows - outcome.kept,
                rejected: 0,
                error: None,
            }),
            Some(FileProblem::NotCalls(reason)) => skipped.push(SkippedInput {
                path,
                reason: reason.clone(),
            }),
            Some(FileProblem::Broken(reason)) => unreadable.push(UnreadableInput {
                path,
                reason: reason.clone(),
            }),
        }
    }
    let sum = |f: fn(&FileSummary) -> u64| read.iter().map(f).sum::<u64>();
    let mut accounting = Accounting {
        records: sum(|f| f.records),
        partner_center: sum(|f| f.partner_center),
        other: sum(|f| f.other),
        rejected: 0,
        holds: false,
    };
    accounting.holds = accounting.records == accounting.partner_center + accounting.other
        && accounting.partner_center == aggregates.totals.total();
    let mut integration_counts = VerdictCounts::default();
    for row in integrations {
        integration_counts.add(row.verdict);
    }
    Summary {
        schema_version: SCHEMA_VERSION,
        tool: "pcmfa",
        tool_version: env!("CARGO_PKG_VERSION"),
        status: if unreadable.is_empty() {
            "complete"
        } else {
            "partial"
        },
        inputs: InputTotals {
            files: read.len() as u64,
            bytes: sum(|f| f.bytes),
            records: accounting.records,
            unreadable: unreadable.len() as u64,
            skipped: skipped.len() as u64,
        },
        accounting,
        partner_center: PartnerCenterTotals {
            events: aggregates.totals.total(),
            api_calls: aggregates.api_calls,
            sign_ins: aggregates.sign_ins,
            by_verdict: verdict_totals(&aggregates.totals),
        },
        integrations: IntegrationTotals {
            total: integrations.len() as u64,
            by_verdict: verdict_totals(&integration_counts),
        },
        cross_record_evidence: CrossRecordEvidence::default(),
        time_range: TimeRange {
            first: aggregates.first_time.map(format_iso),
            last: aggregates.last_time.map(format_iso),
        },
        files: read,
        unreadable,
        skipped,
        threads,
        duration_seconds,
        shard: None,
        rollup: Some(rollup),
    }
}
