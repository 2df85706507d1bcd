//! Reads an earlier run back from its output folder: `integrations.parquet`
//! (the typed table, row for row) and `summary.json` (the run's status and
//! time range).
//!
//! A folder without `summary.json` is not a finished run (pcmfa writes it
//! last), so it is refused rather than compared. Columns are found by name
//! and cast to the contract's types, so a table re-saved by a notebook
//! (int64 counts, say) reads the same; extra columns are ignored.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType, UInt64Type};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::aggregate::{IntegrationRow, VerdictCounts};
use crate::error::Error;
use crate::event::Micros;
use crate::output::summary::SCHEMA_VERSION;
use crate::output::{INTEGRATIONS_PARQUET, SUMMARY_FILE, TOP_OPERATIONS_SEPARATOR};
use crate::vocab::Verdict;

/// One row of an earlier run's `integrations.parquet`: what the diff needs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunIntegration {
    pub integration: String,
    pub app_id: Option<String>,
    pub app_name: Option<String>,
    pub verdict: Verdict,
    pub counts: VerdictCounts,
    pub last_seen: Option<Micros>,
    pub last_broken: Option<Micros>,
    pub action: Option<String>,
}

/// What an earlier run's `summary.json` says about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunInfo {
    /// The folder, as given.
    pub dir: PathBuf,
    /// `complete` or `partial`.
    pub status: String,
    /// ISO 8601 UTC instants of the first and last event, when any had a time.
    pub first: Option<String>,
    pub last: Option<String>,
    /// Partner Center events of the run.
    pub events: u64,
}

/// A finished run read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub info: RunInfo,
    pub integrations: Vec<RunIntegration>,
}

fn run_error(dir: &Path, message: impl Into<String>) -> Error {
    Error::Run {
        path: dir.to_path_buf(),
        message: message.into(),
    }
}

/// Reads the run in `dir`.
pub fn load_run(dir: &Path) -> Result<Run, Error> {
    let info = read_info(dir)?;
    let integrations = read_integrations(dir)?;
    Ok(Run { info, integrations })
}

fn read_info(dir: &Path) -> Result<RunInfo, Error> {
    let path = dir.join(SUMMARY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        run_error(
            dir,
            format!(
                "no readable {SUMMARY_FILE} ({e}): not the output folder of a finished pcmfa run"
            ),
        )
    })?;
    let summary: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| run_error(dir, format!("{SUMMARY_FILE} is not JSON: {e}")))?;
    match summary["schema_version"].as_u64() {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        other => {
            return Err(run_error(
                dir,
                format!(
                    "{SUMMARY_FILE} has schema_version {}; this pcmfa reads {SCHEMA_VERSION}",
                    other.map_or_else(|| "none".to_string(), |v| v.to_string())
                ),
            ))
        }
    }
    let text_at = |pointer: &str| {
        summary
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    Ok(RunInfo {
        dir: dir.to_path_buf(),
        status: text_at("/status").unwrap_or_else(|| "unknown".to_string()),
        first: text_at("/time_range/first"),
        last: text_at("/time_range/last"),
        events: summary
            .pointer("/partner_center/events")
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
    })
}

fn read_integrations(dir: &Path) -> Result<Vec<RunIntegration>, Error> {
    Ok(read_integration_rows(dir)?
        .iter()
        .map(RunIntegration::from)
        .collect())
}

impl From<&IntegrationRow> for RunIntegration {
    fn from(row: &IntegrationRow) -> RunIntegration {
        RunIntegration {
            integration: row.integration.clone(),
            app_id: row.app_id.clone(),
            app_name: row.app_name.clone(),
            verdict: row.verdict,
            counts: row.counts,
            last_seen: row.last_seen,
            last_broken: row.last_broken,
            action: Some(row.action.clone()),
        }
    }
}

/// Every row of the run's `integrations.parquet`, in its order (worst first).
pub fn read_integration_rows(dir: &Path) -> Result<Vec<IntegrationRow>, Error> {
    let path = dir.join(INTEGRATIONS_PARQUET);
    let file =
        File::open(&path).map_err(|e| run_error(dir, format!("{INTEGRATIONS_PARQUET}: {e}")))?;
    let parquet_err =
        |e: &dyn std::fmt::Display| run_error(dir, format!("{INTEGRATIONS_PARQUET}: {e}"));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| parquet_err(&e))?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| parquet_err(&e))?;
        read_batch(dir, &batch, &mut rows)?;
    }
    Ok(rows)
}

/// The column `name` of `batch`, cast to `to`.
fn column(dir: &Path, batch: &RecordBatch, name: &str, to: &DataType) -> Result<ArrayRef, Error> {
    let found = batch.column_by_name(name).ok_or_else(|| {
        run_error(
            dir,
            format!("{INTEGRATIONS_PARQUET} has no column {name:?}"),
        )
    })?;
    cast(found, to)
        .map_err(|e| run_error(dir, format!("{INTEGRATIONS_PARQUET} column {name:?}: {e}")))
}

fn read_batch(
    dir: &Path,
    batch: &RecordBatch,
    rows: &mut Vec<IntegrationRow>,
) -> Result<(), Error> {
    let text = |name: &str| column(dir, batch, name, &DataType::Utf8);
    let count = |name: &str| column(dir, batch, name, &DataType::UInt64);
    let time = |name: &str| {
        column(
            dir,
            batch,
            name,
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        )
    };
    // Columns in the contract's order, so the first missing one is named.
    let integration = text("integration")?;
    let app_id = text("app_id")?;
    let app_name = text("app_name")?;
    let verdict = text("verdict")?;
    let [broken, at_risk, compliant, not_affected, unknown] = [
        count("broken")?,
        count("at_risk")?,
        count("compliant")?,
        count("not_affected")?,
        count("unknown")?,
    ];
    let [first_seen, last_seen, last_broken] = [
        time("first_seen")?,
        time("last_seen")?,
        time("last_broken")?,
    ];
    let [rank, principals, tenants, operations] = [
        count("rank")?,
        count("principals")?,
        count("tenants")?,
        count("operations")?,
    ];
    let top_operations = text("top_operations")?;
    let action = text("action")?;
    let text_at = |a: &ArrayRef, i: usize| {
        let a = a.as_string::<i32>();
        a.is_valid(i).then(|| a.value(i).to_string())
    };
    let count_at = |a: &ArrayRef, i: usize| {
        let a = a.as_primitive::<UInt64Type>();
        if a.is_valid(i) {
            a.value(i)
        } else {
            0
        }
    };
    let time_at = |a: &ArrayRef, i: usize| {
        let a = a.as_primitive::<TimestampMicrosecondType>();
        a.is_valid(i).then(|| a.value(i))
    };
    for i in 0..batch.num_rows() {
        let key = text_at(&integration, i).ok_or_else(|| {
            run_error(
                dir,
                format!("{INTEGRATIONS_PARQUET} row {} has no integration", i + 1),
            )
        })?;
        let verdict_text = text_at(&verdict, i).unwrap_or_default();
        let verdict = Verdict::parse(&verdict_text).ok_or_else(|| {
            run_error(
                dir,
                format!("{INTEGRATIONS_PARQUET}: integration {key:?} has an unknown verdict {verdict_text:?}"),
            )
        })?;
        let by_verdict = [&broken, &at_risk, &compliant, &not_affected, &unknown];
        rows.push(IntegrationRow {
            rank: u32::try_from(count_at(&rank, i)).unwrap_or(u32::MAX),
            integration: key,
            app_id: text_at(&app_id, i),
            app_name: text_at(&app_name, i),
            verdict,
            counts: VerdictCounts(by_verdict.map(|a| count_at(a, i))),
            first_seen: time_at(&first_seen, i),
            last_seen: time_at(&last_seen, i),
            last_broken: time_at(&last_broken, i),
            principals: count_at(&principals, i),
            tenants: count_at(&tenants, i),
            operations: count_at(&operations, i),
            top_operations: text_at(&top_operations, i)
                .map(|t| {
                    t.split(TOP_OPERATIONS_SEPARATOR)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            action: text_at(&action, i).unwrap_or_default(),
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
