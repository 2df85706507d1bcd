//! NEW's `report.html` and `report.md`, with the comparison as an extra
//! section ("Changes since the previous run").
//!
//! The report is rebuilt from the NEW run's own files: `summary.json`,
//! `integrations.parquet`, `operations.csv` and `daily.csv`, the very rows
//! NEW's report was rendered from, so the page is NEW's report plus the
//! section (with the same `--catalog`, the same owners).

use std::io::Write as _;
use std::path::Path;

use super::compare::Diff;
use super::html::report_section;
use super::run::read_integration_rows;
use crate::aggregate::{DailyRow, OperationRow, VerdictCounts};
use crate::error::Error;
use crate::formats::timestamp::parse_timestamp;
use crate::output::summary::Summary;
use crate::output::{restore_csv_text, AtomicFile, DAILY_CSV, OPERATIONS_CSV, SUMMARY_FILE};
use crate::report::{html, markdown, Catalog, ReportData, REPORT_HTML, REPORT_MD};

fn run_error(dir: &Path, message: String) -> Error {
    Error::Run {
        path: dir.to_path_buf(),
        message,
    }
}

/// Writes `report.html` and `report.md` into `out_dir`: the run in `new_dir`
/// plus the comparison.
pub fn write_report(
    new_dir: &Path,
    out_dir: &Path,
    diff: &Diff,
    catalog: Option<&Catalog>,
) -> Result<(), Error> {
    let summary = read_summary(new_dir)?;
    let integrations = read_integration_rows(new_dir)?;
    let operations = read_operations(new_dir)?;
    let daily = read_daily(new_dir)?;
    let sections = [report_section(diff)];
    let data = ReportData {
        summary: &summary,
        integrations: &integrations,
        operations: &operations,
        daily: &daily,
        catalog,
        sections: &sections,
    };
    write_text(out_dir, REPORT_HTML, &html::render(&data))?;
    write_text(out_dir, REPORT_MD, &markdown::render(&data))
}

fn write_text(dir: &Path, name: &str, text: &str) -> Result<(), Error> {
    let mut file = AtomicFile::create(dir, name)?;
    file.write_all(text.as_bytes())
        .map_err(|source| Error::Write {
            path: dir.join(name),
            source,
        })?;
    file.commit()
}

/// The run's `summary.json`. The tool and version are this pcmfa's: it
/// renders the page.
fn read_summary(dir: &Path) -> Result<Summary, Error> {
    let text = std::fs::read_to_string(dir.join(SUMMARY_FILE))
        .map_err(|e| run_error(dir, format!("{SUMMARY_FILE}: {e}")))?;
    let mut summary: Summary =
        serde_json::from_str(&text).map_err(|e| run_error(dir, format!("{SUMMARY_FILE}: {e}")))?;
    let status: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| run_error(dir, format!("{SUMMARY_FILE}: {e}")))?;
    summary.tool = "pcmfa";
    summary.tool_version = env!("CARGO_PKG_VERSION");
    summary.status = if status["status"] == "complete" {
        "complete"
    } else {
        "partial"
    };
    Ok(summary)
}

/// Rows of one of the run's CSV tables, header checked, cells restored.
fn read_csv(dir: &Path, name: &str, header: &[&str]) -> Result<Vec<Vec<String>>, Error> {
    let error = |e: &dyn std::fmt::Display| run_error(dir, format!("{name}: {e}"));
    let mut reader = csv::Reader::from_path(dir.join(name)).map_err(|e| error(&e))?;
    let found = reader.headers().map_err(|e| error(&e))?.clone();
    if !header
        .iter()
        .zip(found.iter())
        .all(|(want, got)| *want == got)
        || found.len() < header.len()
    {
        return Err(error(&format!("columns are not {}", header.join(","))));
    }
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|e| error(&e))?;
            Ok(record
                .iter()
                .map(|c| restore_csv_text(c).to_string())
                .collect())
        })
        .collect()
}

/// The five verdict counts and the trailing `integrations` of a row whose
/// first cell is its label (the `operations.csv` / `daily.csv` layout).
fn counts(dir: &Path, name: &str, row: &[String]) -> Result<(VerdictCounts, u64), Error> {
    let number = |i: usize| -> Result<u64, Error> {
        row.get(i)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| run_error(dir, format!("{name}: {:?} is not a count", row.get(i))))
    };
    Ok((
        VerdictCounts([number(2)?, number(3)?, number(4)?, number(5)?, number(6)?]),
        number(7)?,
    ))
}

const COUNT_COLUMNS: [&str; 7] = [
    "calls",
    "broken",
    "at_risk",
    "compliant",
    "not_affected",
    "unknown",
    "integrations",
];

fn header(first: &'static str) -> Vec<&'static str> {
    std::iter::once(first).chain(COUNT_COLUMNS).collect()
}

fn read_operations(dir: &Path) -> Result<Vec<OperationRow>, Error> {
    read_csv(dir, OPERATIONS_CSV, &header("operation"))?
        .into_iter()
        .map(|row| {
            let (counts, integrations) = counts(dir, OPERATIONS_CSV, &row)?;
            Ok(OperationRow {
                operation: row[0].clone(),
                counts,
                integrations,
            })
        })
        .collect()
}

fn read_daily(dir: &Path) -> Result<Vec<DailyRow>, Error> {
    read_csv(dir, DAILY_CSV, &header("date"))?
        .into_iter()
        .map(|row| {
            let (counts, integrations) = counts(dir, DAILY_CSV, &row)?;
            let day_start = parse_timestamp(&format!("{}T00:00:00Z", row[0])).ok_or_else(|| {
                run_error(dir, format!("{DAILY_CSV}: {:?} is not a date", row[0]))
            })?;
            Ok(DailyRow {
                day_start,
                counts,
                integrations,
            })
        })
        .collect()
}
