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
//! timestamp unit, zstd or snappy pages (DuckDB's and Spark's default).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{
    DataType, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
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
    let time = batch
        .column_by_name("time")
        .ok_or_else(|| FileProblem::Broken("`time` missing from a batch".to_string()))
        .and_then(|array| micros(array.as_ref()))?;
    let texts: Vec<ArrayRef> = COLUMNS[1..]
        .iter()
        .map(|name| column(name, &DataType::Utf8))
        .collect::<Result<_, _>>()?;
    let text = |i: usize| texts[i].as_string::<i32>();
    let (event, verdict, integration) = (text(0), text(1), text(2));
    let (app_id, app_name, tenant_id, principal, operation) =
        (text(3), text(4), text(5), text(6), text(7));
    for row in 0..batch.num_rows() {
        let time = time[row];
        if !window.holds(time) {
            continue;
        }
        // The value itself is never quoted: a foreign file's cell may hold anything.
        let bad = |column: &str| {
            FileProblem::Broken(format!(
                "row {}: `{column}` is not a pcmfa value",
                first_row + row as u64 + 1
            ))
        };
        let event = get(event, row)
            .and_then(EventKind::parse)
            .ok_or_else(|| bad("event"))?;
        let verdict = get(verdict, row)
            .and_then(Verdict::parse)
            .ok_or_else(|| bad("verdict"))?;
        let integration = get(integration, row).ok_or_else(|| bad("integration"))?;
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

/// Microseconds since the epoch, UTC, of a timestamp column in any unit (a
/// time zone only labels the instant; a naive timestamp is read as UTC).
fn micros(array: &dyn Array) -> Result<Vec<Option<i64>>, FileProblem> {
    fn scaled<T: arrow::datatypes::ArrowPrimitiveType<Native = i64>>(
        array: &dyn Array,
        to_micros: impl Fn(i64) -> i64,
    ) -> Vec<Option<i64>> {
        array
            .as_primitive::<T>()
            .iter()
            .map(|t| t.map(&to_micros))
            .collect()
    }
    Ok(match array.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            scaled::<TimestampSecondType>(array, |t| t.saturating_mul(1_000_000))
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            scaled::<TimestampMillisecondType>(array, |t| t.saturating_mul(1_000))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            scaled::<TimestampMicrosecondType>(array, |t| t)
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            scaled::<TimestampNanosecondType>(array, |t| t.div_euclid(1_000))
        }
        other => {
            return Err(FileProblem::Broken(format!(
                "`time` is {other}, not a timestamp"
            )))
        }
    })
}

/// A string cell, or None when null.
fn get(array: &StringArray, row: usize) -> Option<&str> {
    array.is_valid(row).then(|| array.value(row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{CallsParquetWriter, CALLS_FILE};
    use crate::vocab::{AuthMode, Evidence, MfaClaim};

    fn call(time: Option<i64>, verdict: Verdict, integration: &str) -> crate::event::Call {
        crate::event::Call {
            time,
            source_file: std::sync::Arc::from("gw.jsonl"),
            source_record: 1,
            format: "gateway_json_lines",
            event: EventKind::ApiCall,
            host: None,
            method: Some("GET".into()),
            path: None,
            operation: Some("GET /v1/customers".into()),
            status: None,
            error_code: None,
            auth_mode: AuthMode::AppUser,
            mfa_claim: MfaClaim::Absent,
            verdict,
            evidence: Evidence::TokenClaims,
            evidence_detail: None,
            app_id: Some(integration.into()),
            app_name: None,
            tenant_id: Some("t".into()),
            principal: Some("eyJhbGciOiJub25lIn0.secret@contoso.example".into()),
            amr: None,
            token_fingerprint: None,
            correlation_id: None,
            request_id: None,
            user_agent: None,
            integration: integration.into(),
        }
    }

    #[test]
    fn folds_the_rows_a_scan_folded_and_honours_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let day = 86_400_000_000i64;
        let calls = [
            call(Some(20605 * day + 1), Verdict::Broken, "a"),
            call(Some(20606 * day), Verdict::AtRisk, "b"),
            call(None, Verdict::Unknown, "a"),
        ];
        let mut writer = CallsParquetWriter::create(dir.path()).unwrap();
        let mut expected = Aggregates::default();
        for c in &calls {
            writer.write(c).unwrap();
            expected.add(c);
        }
        writer.finish().unwrap();
        let path = dir.path().join(CALLS_FILE);

        let all = read_calls_file(&path, &Window::default());
        assert_eq!((all.rows, all.kept, &all.problem), (3, 3, &None));
        assert_eq!(all.aggregates, expected);

        let window = Window::parse(Some("2026-06-02"), None).unwrap();
        let later = read_calls_file(&path, &window);
        assert_eq!((later.rows, later.kept), (3, 1));
        assert_eq!(later.aggregates.integration_rows()[0].integration, "b");
    }

    #[test]
    fn bad_values_make_the_file_unreadable_without_quoting_them() {
        use arrow::array::{StringArray, TimestampMicrosecondArray};
        use arrow::datatypes::{Field, Schema};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("odd.parquet");
        let text = |name: &str| Field::new(name, DataType::Utf8, true);
        let mut fields = vec![Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            true,
        )];
        fields.extend(COLUMNS[1..].iter().map(|n| text(n)));
        let schema = std::sync::Arc::new(Schema::new(fields));
        let mut columns: Vec<ArrayRef> =
            vec![std::sync::Arc::new(TimestampMicrosecondArray::from(vec![
                Some(1),
                Some(2),
            ]))];
        for name in &COLUMNS[1..] {
            let value = match *name {
                "event" => ["api_call", "api_call"],
                "verdict" => ["broken", "eyJhbGciOiJub25lIn0.leak"],
                _ => ["x", "y"],
            };
            columns.push(std::sync::Arc::new(StringArray::from(value.to_vec())));
        }
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let file = File::create(&path).unwrap();
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema, None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();

        let outcome = read_calls_file(&path, &Window::default());
        let Some(FileProblem::Broken(reason)) = outcome.problem else {
            panic!("expected a broken file, got {:?}", outcome.problem);
        };
        assert_eq!(reason, "row 2: `verdict` is not a pcmfa value");
        assert_eq!(outcome.kept, 0);
    }
}
