//! Reads one calls Parquet file back into [`Aggregates`].
//!
//! Only the columns the roll-ups need are read (a projection), batch by
//! batch, so memory is bounded by the batch size and the distinct keys, not
//! the file. The schema is checked first: a file that is not Parquet, or
//! lacks a calls column, is not a calls file and is skipped; a calls file
//! that breaks while read (a cut footer, a corrupt page, a value outside the
//! vocabulary) is unreadable. Either way the file adds nothing: its rows are
//! folded into a state of their own that is kept only when the whole file
//! reads.
//!
//! Files written by other engines (DuckDB, Spark compacting the Hive tree)
//! are accepted when their types are compatible: any string encoding, any
//! timestamp unit.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::window::Window;
use crate::aggregate::{Aggregates, CallFacts};
use crate::vocab::{EventKind, Verdict};

/// `format` of a calls file in `summary.json`'s `files[]`.
pub const CALLS_FORMAT: &str = "calls_parquet";

/// Rows decoded at a time.
const BATCH_ROWS: usize = 8192;

/// The calls columns the roll-ups read, in this order.
const COLUMNS: [&str; 9] = [
    "time",
    "event",
    "verdict",
    "integration",
    "app_id",
    "app_name",
    "tenant_id",
    "principal",
    "operation",
];

/// Why a file added nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Not a calls file (not Parquet, or another table): skipped.
    NotCalls(String),
    /// A calls file that could not be read to the end: unreadable.
    Broken(String),
}

/// What reading one file gave.
#[derive(Debug, Default)]
pub struct FileOutcome {
    /// Rows in the file (0 when it did not read).
    pub rows: u64,
    /// Rows inside the window, folded into `aggregates`.
    pub kept: u64,
    pub aggregates: Aggregates,
    pub problem: Option<FileProblem>,
}

/// Reads `path` and folds the rows inside `window`.
pub fn read_calls_file(path: &Path, window: &Window) -> FileOutcome {
    match fold(path, window) {
        Ok(outcome) => outcome,
        Err(problem) => FileOutcome {
            problem: Some(problem),
            ..FileOutcome::default()
        },
    }
}

fn fold(path: &Path, window: &Window) -> Result<FileOutcome, FileProblem> {
    let broken = |e: &dyn std::fmt::Display| FileProblem::Broken(e.to_string());
    let file = File::open(path).map_err(|e| broken(&e))?;
    let mut magic = [0u8; 4];
    let is_parquet = (&file).read_exact(&mut magic).is_ok() && &magic == b"PAR1";
    if !is_parquet {
        return Err(FileProblem::NotCalls("not a Parquet file".to_string()));
    }
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| broken(&e))?;
    let schema = builder.schema().clone();
    let mut roots = Vec::with_capacity(COLUMNS.len());
    for name in COLUMNS {
        let (index, field) = schema.column_with_name(name).ok_or_else(|| {
            FileProblem::NotCalls(format!("no `{name}` column: not a pcmfa calls file"))
        })?;
        let fits = if name == "time" {
            matches!(field.data_type(), DataType::Timestamp(_, _))
        } else {
            is_text(field.data_type())
        };
        if !fits {
            return Err(FileProblem::NotCalls(format!(
                "`{name}` is {}, not a pcmfa calls column",
                field.data_type()
            )));
        }
        roots.push(index);
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| broken(&e))?;
    let mut outcome = FileOutcome::default();
    for batch in reader {
        let batch = batch.map_err(|e| broken(&e))?;
        fold_batch(&batch, outcome.rows, window, &mut outcome)?;
        outcome.rows += batch.num_rows() as u64;
    }
    Ok(outcome)
}

fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => is_text(values),
        _ => false,
    }
}

/// Folds one batch whose first row is row `first_row` (0-based) of the file.
fn fold_batch(
    batch: &RecordBatch,
    first_row: u64,
    window: &Window,
    outcome: &mut FileOutcome,
) -> Result<(), FileProblem> {
    let column = |name: &str, to: &DataType| -> Result<ArrayRef, FileProblem> {
        let array = batch
            .column_by_name(name)
            .ok_or_else(|| FileProblem::Broken(format!("`{name}` missing from a batch")))?;
        cast(array, to).map_err(|e| FileProblem::Broken(format!("`{name}`: {e}")))
    };
    let time = column(
        "time",
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
    )?;
    let time = time.as_primitive::<TimestampMicrosecondType>();
    let texts: Vec<ArrayRef> = COLUMNS[1..]
        .iter()
        .map(|name| column(name, &DataType::Utf8))
        .collect::<Result<_, _>>()?;
    let text = |i: usize| texts[i].as_string::<i32>();
    let (event, verdict, integration) = (text(0), text(1), text(2));
    let (app_id, app_name, tenant_id, principal, operation) =
        (text(3), text(4), text(5), text(6), text(7));
    for row in 0..batch.num_rows() {
        let time = time.is_valid(row).then(|| time.value(row));
        if !window.holds(time) {
            continue;
        }
        let bad = |column: &str, value: Option<&str>| {
            FileProblem::Broken(format!(
                "row {}: `{column}` {value:?} is not a pcmfa value",
                first_row + row as u64 + 1
            ))
        };
        let event_text = get(event, row);
        let event = event_text
            .and_then(EventKind::parse)
            .ok_or_else(|| bad("event", event_text))?;
        let verdict_text = get(verdict, row);
        let verdict = verdict_text
            .and_then(Verdict::parse)
            .ok_or_else(|| bad("verdict", verdict_text))?;
        let integration = get(integration, row).ok_or_else(|| bad("integration", None))?;
        outcome.aggregates.add_facts(&CallFacts {
            time,
            event,
            verdict,
            integration,
            app_id: get(app_id, row),
            app_name: get(app_name, row),
            tenant_id: get(tenant_id, row),
            principal: get(principal, row),
            operation: get(operation, row),
        });
        outcome.kept += 1;
    }
    Ok(())
}

/// A string cell, or None when null.
fn get(array: &StringArray, row: usize) -> Option<&str> {
    array.is_valid(row).then(|| array.value(row))
}
