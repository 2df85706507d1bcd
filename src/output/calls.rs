//! `calls.parquet`: one row per Partner Center event, streamed.
//!
//! Rows are appended to Arrow builders and handed to the Parquet writer as a
//! record batch every [`BATCH_ROWS`] rows; the writer closes a row group every
//! [`MAX_ROW_GROUP_ROWS`](super::parquet_file::MAX_ROW_GROUP_ROWS) rows, so
//! memory stays flat however large the input. Columns follow the output
//! contract's order, names and types exactly, then `evidence_detail` (an
//! addition the contract allows).

use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, ListBuilder, StringBuilder, TimestampMicrosecondBuilder, UInt16Builder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;

use super::parquet_file::{parquet_error, ParquetFile};
use crate::error::Error;
use crate::event::Call;

/// File name in the output folder.
pub const CALLS_FILE: &str = "calls.parquet";

/// Rows buffered in Arrow builders before a batch goes to the writer.
pub(crate) const BATCH_ROWS: usize = 8192;

/// The `amr` list's item field (Arrow's conventional name).
fn amr_item() -> Field {
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

/// One builder per column, in schema order.
struct Columns {
    time: TimestampMicrosecondBuilder,
    source_file: StringBuilder,
    source_record: UInt64Builder,
    format: StringBuilder,
    event: StringBuilder,
    host: StringBuilder,
    method: StringBuilder,
    path: StringBuilder,
    operation: StringBuilder,
    status: UInt16Builder,
    error_code: StringBuilder,
    auth_mode: StringBuilder,
    mfa_claim: StringBuilder,
    verdict: StringBuilder,
    evidence: StringBuilder,
    app_id: StringBuilder,
    app_name: StringBuilder,
    tenant_id: StringBuilder,
    principal: StringBuilder,
    amr: ListBuilder<StringBuilder>,
    token_fingerprint: StringBuilder,
    correlation_id: StringBuilder,
    request_id: StringBuilder,
    user_agent: StringBuilder,
    integration: StringBuilder,
    evidence_detail: StringBuilder,
}

impl Columns {
    fn new() -> Columns {
        Columns {
            time: TimestampMicrosecondBuilder::new().with_timezone("UTC"),
            source_file: StringBuilder::new(),
            source_record: UInt64Builder::new(),
            format: StringBuilder::new(),
            event: StringBuilder::new(),
            host: StringBuilder::new(),
            method: StringBuilder::new(),
            path: StringBuilder::new(),
            operation: StringBuilder::new(),
            status: UInt16Builder::new(),
            error_code: StringBuilder::new(),
            auth_mode: StringBuilder::new(),
            mfa_claim: StringBuilder::new(),
            verdict: StringBuilder::new(),
            evidence: StringBuilder::new(),
            app_id: StringBuilder::new(),
            app_name: StringBuilder::new(),
            tenant_id: StringBuilder::new(),
            principal: StringBuilder::new(),
            amr: ListBuilder::new(StringBuilder::new()).with_field(amr_item()),
            token_fingerprint: StringBuilder::new(),
            correlation_id: StringBuilder::new(),
            request_id: StringBuilder::new(),
            user_agent: StringBuilder::new(),
            integration: StringBuilder::new(),
            evidence_detail: StringBuilder::new(),
        }
    }

    fn append(&mut self, c: &Call) {
        self.time.append_option(c.time);
        self.source_file.append_value(&c.source_file);
        self.source_record.append_value(c.source_record);
        self.format.append_value(c.format);
        self.event.append_value(c.event.as_str());
        self.host.append_option(c.host.as_deref());
        self.method.append_option(c.method.as_deref());
        self.path.append_option(c.path.as_deref());
        self.operation.append_option(c.operation.as_deref());
        self.status.append_option(c.status);
        self.error_code.append_option(c.error_code.as_deref());
        self.auth_mode.append_value(c.auth_mode.as_str());
        self.mfa_claim.append_value(c.mfa_claim.as_str());
        self.verdict.append_value(c.verdict.as_str());
        self.evidence.append_value(c.evidence.as_str());
        self.app_id.append_option(c.app_id.as_deref());
        self.app_name.append_option(c.app_name.as_deref());
        self.tenant_id.append_option(c.tenant_id.as_deref());
        self.principal.append_option(c.principal.as_deref());
        match &c.amr {
            Some(values) => {
                for value in values {
                    self.amr.values().append_value(value);
                }
                self.amr.append(true);
            }
            None => self.amr.append_null(),
        }
        self.token_fingerprint
            .append_option(c.token_fingerprint.as_deref());
        self.correlation_id
            .append_option(c.correlation_id.as_deref());
        self.request_id.append_option(c.request_id.as_deref());
        self.user_agent.append_option(c.user_agent.as_deref());
        self.integration.append_value(&c.integration);
        self.evidence_detail.append_option(c.evidence_detail);
    }

    /// Takes the buffered rows as arrays, in schema order, and resets.
    fn finish(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.time.finish()),
            Arc::new(self.source_file.finish()),
            Arc::new(self.source_record.finish()),
            Arc::new(self.format.finish()),
            Arc::new(self.event.finish()),
            Arc::new(self.host.finish()),
            Arc::new(self.method.finish()),
            Arc::new(self.path.finish()),
            Arc::new(self.operation.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.error_code.finish()),
            Arc::new(self.auth_mode.finish()),
            Arc::new(self.mfa_claim.finish()),
            Arc::new(self.verdict.finish()),
            Arc::new(self.evidence.finish()),
            Arc::new(self.app_id.finish()),
            Arc::new(self.app_name.finish()),
            Arc::new(self.tenant_id.finish()),
            Arc::new(self.principal.finish()),
            Arc::new(self.amr.finish()),
            Arc::new(self.token_fingerprint.finish()),
            Arc::new(self.correlation_id.finish()),
            Arc::new(self.request_id.finish()),
            Arc::new(self.user_agent.finish()),
            Arc::new(self.integration.finish()),
            Arc::new(self.evidence_detail.finish()),
        ]
    }
}

/// Streams `calls.parquet` in row batches so memory stays flat.
///
/// Dropping the writer without [`finish`](Self::finish) (for example after
/// an error) removes the temporary file and leaves no `calls.parquet`.
pub struct CallsParquetWriter {
    file: ParquetFile,
    schema: SchemaRef,
    columns: Columns,
    buffered: usize,
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
        Ok(CallsParquetWriter {
            file: ParquetFile::create(dir, name, schema.clone())?,
            schema,
            columns: Columns::new(),
            buffered: 0,
            rows: 0,
        })
    }

    /// Appends one row; every 8192 rows go to the file as one record batch.
    pub fn write(&mut self, call: &Call) -> Result<(), Error> {
        self.columns.append(call);
        self.buffered += 1;
        self.rows += 1;
        if self.buffered >= BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes, closes and renames into place. Returns the rows written.
    pub fn finish(mut self) -> Result<u64, Error> {
        self.flush_batch()?;
        self.file.commit()?;
        Ok(self.rows)
    }

    fn flush_batch(&mut self) -> Result<(), Error> {
        if self.buffered == 0 {
            return Ok(());
        }
        self.buffered = 0;
        let batch = RecordBatch::try_new(self.schema.clone(), self.columns.finish())
            .map_err(|e| parquet_error(self.file.path(), e))?;
        self.file.write(&batch)
    }
}

#[cfg(test)]
#[path = "calls_tests.rs"]
mod tests;
