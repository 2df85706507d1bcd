//! `calls.parquet`: one row per Partner Center event, streamed.
//!
//! Rows arrive one by one ([`CallsParquetWriter::write`]) or as record batches
//! a pipeline worker built from its chunk ([`CallColumns`] a call at a time,
//! or [`calls_batch`]; then [`CallsParquetWriter::write_batch`]). They are
//! encoded in slices of exactly [`BATCH_ROWS`] rows, and a row group closes
//! every [`ROW_GROUP_ROWS`] rows, so the file's bytes depend only on the rows
//! and their order (not on how they were batched or on the thread count) and
//! memory stays flat however large the input. Each slice's columns are
//! independent jobs: given a [`RunJobs`] that runs them at once (the
//! pipeline's thread pool), encoding and compression are spread over every
//! core instead of serialising the run on one thread. Columns follow the
//! output contract's order, names and types exactly, then `evidence_detail`
//! (an addition the contract allows).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef};
use arrow::compute::concat;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_writer::{
    compute_leaves, ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory,
};
use parquet::errors::ParquetError;
use parquet::file::writer::SerializedFileWriter;

use super::atomic::AtomicFile;
use super::call_columns::{CallColumns, ColumnSizes};
use super::parquet_file::{parquet_error, ParquetFile, UniqueColumn};
use crate::error::Error;
use crate::event::Call;

/// File name in the output folder.
pub const CALLS_FILE: &str = "calls.parquet";

/// Rows per row group of `calls.parquet`. What the writer holds grows with
/// the open row group (encoded pages, dictionaries), so a small multiple of
/// [`BATCH_ROWS`] keeps peak memory flat from the first gigabyte of input on;
/// readers still get large enough column chunks to scan and skip.
pub(crate) const ROW_GROUP_ROWS: usize = 32_768;

/// Rows encoded at a time (a slice); row groups hold a whole number of slices.
pub(crate) const BATCH_ROWS: usize = 8192;

/// Columns whose values rarely repeat (one per event): written without a
/// dictionary, which made `calls.parquet` larger and slower to write; the
/// growing integers as differences.
const UNIQUE_COLUMNS: &[UniqueColumn] = &[
    UniqueColumn {
        name: "time",
        delta: true,
    },
    UniqueColumn {
        name: "source_record",
        delta: true,
    },
    UniqueColumn {
        name: "correlation_id",
        delta: false,
    },
    UniqueColumn {
        name: "request_id",
        delta: false,
    },
];

/// The `amr` list's item field (Arrow's conventional name).
pub(super) fn amr_item() -> Field {
    Field::new("item", DataType::Utf8, true)
}

/// The `calls.parquet` schema (contract order, then `evidence_detail`).
pub fn calls_schema() -> SchemaRef {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        text("source_file", false),
        Field::new("source_record", DataType::UInt64, false),
        text("format", false),
        text("event", false),
        text("host", true),
        text("method", true),
        text("path", true),
        text("operation", true),
        Field::new("status", DataType::UInt16, true),
        text("error_code", true),
        text("auth_mode", false),
        text("mfa_claim", false),
        text("verdict", false),
        text("evidence", false),
        text("app_id", true),
        text("app_name", true),
        text("tenant_id", true),
        text("principal", true),
        Field::new("amr", DataType::List(Arc::new(amr_item())), true),
        text("token_fingerprint", true),
        text("correlation_id", true),
        text("request_id", true),
        text("user_agent", true),
        text("integration", false),
        text("evidence_detail", true),
    ]))
}

/// Runs independent jobs, in any order and possibly at once.
///
/// The pipeline hands its thread pool, so the columns of a slice are encoded
/// in parallel; without one the writer runs them one after another.
pub trait RunJobs: Send + Sync {
    fn run(&self, jobs: Vec<Job<'_>>);
}

/// One unit of encoding work (a column of a slice, or closing a column).
pub type Job<'a> = Box<dyn FnOnce() + Send + 'a>;

/// Runs jobs one by one on the calling thread.
struct InOrder;

impl RunJobs for InOrder {
    fn run(&self, jobs: Vec<Job<'_>>) {
        jobs.into_iter().for_each(|job| job());
    }
}

/// Builds the record batch of `calls` (in order), for
/// [`CallsParquetWriter::write_batch`], its buffers sized exactly.
pub fn calls_batch(calls: &[Call]) -> Result<RecordBatch, Error> {
    let mut columns = CallColumns::with_capacity(&ColumnSizes::of(calls));
    calls.iter().for_each(|call| columns.push(call));
    columns.finish()
}

/// Streams `calls.parquet` in row slices so memory stays flat.
///
/// Dropping the writer without [`finish`](Self::finish) (for example after
/// an error) removes the temporary file and leaves no `calls.parquet`.
pub struct CallsParquetWriter {
    file: SerializedFileWriter<AtomicFile>,
    factory: ArrowRowGroupWriterFactory,
    path: PathBuf,
    schema: SchemaRef,
    runner: Arc<dyn RunJobs>,
    /// Rows given one by one, not yet moved to `pending`.
    loose: Vec<Call>,
    /// Rows waiting to be encoded, in order.
    pending: VecDeque<RecordBatch>,
    pending_rows: usize,
    /// The open row group's column writers and its rows so far.
    group: Option<Vec<ArrowColumnWriter>>,
    group_rows: usize,
    rows: u64,
}

impl CallsParquetWriter {
    /// Starts `dir/calls.parquet` (under a temporary name). `dir` must exist.
    pub fn create(dir: &Path) -> Result<CallsParquetWriter, Error> {
        CallsParquetWriter::create_named(dir, CALLS_FILE)
    }

    /// Starts `dir/name` with the calls schema (a part of the Hive tree).
    pub fn create_named(dir: &Path, name: &str) -> Result<CallsParquetWriter, Error> {
        let schema = calls_schema();
        let file = ParquetFile::create(dir, name, schema.clone(), UNIQUE_COLUMNS)?;
        let path = file.path().to_path_buf();
        let (file, factory) = file.into_parts()?;
        Ok(CallsParquetWriter {
            file,
            factory,
            path,
            schema,
            runner: Arc::new(InOrder),
            loose: Vec::new(),
            pending: VecDeque::new(),
            pending_rows: 0,
            group: None,
            group_rows: 0,
            rows: 0,
        })
    }

    /// Encodes with `runner` (e.g. a thread pool) from now on.
    pub fn encode_with(mut self, runner: Arc<dyn RunJobs>) -> CallsParquetWriter {
        self.runner = runner;
        self
    }

    /// Appends one row.
    pub fn write(&mut self, call: &Call) -> Result<(), Error> {
        self.loose.push(call.clone());
        self.rows += 1;
        if self.loose.len() >= BATCH_ROWS {
            self.take_loose()?;
            self.encode_pending(false)?;
        }
        Ok(())
    }

    /// Appends the rows of `batch` (built by [`CallColumns`] or
    /// [`calls_batch`]), after every row given before.
    pub fn write_batch(&mut self, batch: RecordBatch) -> Result<(), Error> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        if batch.schema() != self.schema {
            return Err(parquet_error(
                &self.path,
                "record batch with another schema",
            ));
        }
        self.take_loose()?;
        self.rows += batch.num_rows() as u64;
        self.pending_rows += batch.num_rows();
        self.pending.push_back(batch);
        self.encode_pending(false)
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes, closes and renames into place. Returns the rows written.
    pub fn finish(mut self) -> Result<u64, Error> {
        self.take_loose()?;
        self.encode_pending(true)?;
        self.close_group()?;
        let file = self
            .file
            .into_inner()
            .map_err(|e| parquet_error(&self.path, e))?;
        file.commit()?;
        Ok(self.rows)
    }

    /// Moves the rows given one by one to the pending batches.
    fn take_loose(&mut self) -> Result<(), Error> {
        if self.loose.is_empty() {
            return Ok(());
        }
        let batch = calls_batch(&self.loose)?;
        self.pending_rows += self.loose.len();
        self.loose.clear();
        self.pending.push_back(batch);
        Ok(())
    }

    /// Encodes full slices of pending rows (and, at the end, the rest).
    fn encode_pending(&mut self, at_end: bool) -> Result<(), Error> {
        while self.pending_rows >= BATCH_ROWS || (at_end && self.pending_rows > 0) {
            let room = ROW_GROUP_ROWS - self.group_rows;
            let slice = self.take_front(BATCH_ROWS.min(room).min(self.pending_rows));
            self.encode(&slice)?;
            if self.group_rows >= ROW_GROUP_ROWS {
                self.close_group()?;
            }
        }
        Ok(())
    }

    /// The first `rows` pending rows, as slices of the pending batches (no copy).
    fn take_front(&mut self, rows: usize) -> Vec<RecordBatch> {
        let mut parts = Vec::new();
        let mut taken = 0;
        while taken < rows {
            let Some(front) = self.pending.pop_front() else {
                break;
            };
            let want = rows - taken;
            if front.num_rows() > want {
                parts.push(front.slice(0, want));
                self.pending
                    .push_front(front.slice(want, front.num_rows() - want));
                taken += want;
            } else {
                taken += front.num_rows();
                parts.push(front);
            }
        }
        self.pending_rows -= taken;
        parts
    }

    /// Encodes one slice (given as consecutive parts) into the open row
    /// group, a job per column; each job joins its column's parts itself, so
    /// the copy is spread over the pool too.
    fn encode(&mut self, parts: &[RecordBatch]) -> Result<(), Error> {
        let writers = match &mut self.group {
            Some(writers) => writers,
            group => group.insert(
                self.factory
                    .create_column_writers(self.file.flushed_row_groups().len())
                    .map_err(|e| parquet_error(&self.path, e))?,
            ),
        };
        if writers.len() != self.schema.fields().len() {
            return Err(parquet_error(
                &self.path,
                "one Parquet column per field expected",
            ));
        }
        let mut outcomes: Vec<parquet::errors::Result<()>> =
            (0..writers.len()).map(|_| Ok(())).collect();
        let jobs: Vec<Job<'_>> = writers
            .iter_mut()
            .zip(outcomes.iter_mut())
            .zip(self.schema.fields().iter())
            .enumerate()
            .map(|(index, ((writer, outcome), field))| -> Job<'_> {
                Box::new(move || {
                    *outcome = joined_column(parts, index)
                        .and_then(|column| encode_column(writer, field, &column))
                })
            })
            .collect();
        self.runner.run(jobs);
        outcomes
            .into_iter()
            .collect::<parquet::errors::Result<()>>()
            .map_err(|e| parquet_error(&self.path, e))?;
        self.group_rows += parts.iter().map(RecordBatch::num_rows).sum::<usize>();
        Ok(())
    }

    /// Closes the open row group (its columns in parallel) and appends it to the file.
    fn close_group(&mut self) -> Result<(), Error> {
        let Some(writers) = self.group.take() else {
            return Ok(());
        };
        self.group_rows = 0;
        let mut chunks: Vec<Option<parquet::errors::Result<ArrowColumnChunk>>> =
            (0..writers.len()).map(|_| None).collect();
        let jobs: Vec<Job<'_>> = writers
            .into_iter()
            .zip(chunks.iter_mut())
            .map(|(writer, chunk)| -> Job<'_> { Box::new(move || *chunk = Some(writer.close())) })
            .collect();
        self.runner.run(jobs);
        let error = |e| parquet_error(&self.path, e);
        let mut group = self.file.next_row_group().map_err(error)?;
        for chunk in chunks {
            let chunk =
                chunk.unwrap_or_else(|| Err(ParquetError::General("column not closed".into())));
            chunk
                .and_then(|c| c.append_to_row_group(&mut group))
                .map_err(error)?;
        }
        group.close().map_err(error)?;
        Ok(())
    }
}

/// Column `index` of consecutive `parts`, as one array.
fn joined_column(parts: &[RecordBatch], index: usize) -> parquet::errors::Result<ArrayRef> {
    match parts {
        [one] => Ok(one.column(index).clone()),
        _ => {
            let columns: Vec<&dyn Array> = parts.iter().map(|p| p.column(index).as_ref()).collect();
            Ok(concat(&columns)?)
        }
    }
}

/// Encodes one column of a slice (a flat or list column: one Parquet leaf).
fn encode_column(
    writer: &mut ArrowColumnWriter,
    field: &Field,
    column: &ArrayRef,
) -> parquet::errors::Result<()> {
    let mut leaves = compute_leaves(field, column)?;
    match (leaves.pop(), leaves.is_empty()) {
        (Some(leaf), true) => writer.write(&leaf),
        _ => Err(ParquetError::General(format!(
            "column {} is not one Parquet leaf",
            field.name()
        ))),
    }
}

#[cfg(test)]
#[path = "calls_tests.rs"]
mod tests;
