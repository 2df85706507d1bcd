//! The Arrow columns of `calls.parquet`, built one call at a time.
//!
//! A pipeline worker appends each call as soon as it is classified, while
//! its texts are still in cache, and frees it at once, instead of keeping a
//! chunk of calls to copy column by column afterwards (from memory by then
//! out of cache, into buffers grown by copying). The buffers start sized
//! from the worker's previous chunk ([`ColumnSizes`]).

use std::sync::Arc;

use arrow::array::{
    ArrayBuilder, ArrayRef, ListBuilder, StringBuilder, TimestampMicrosecondBuilder, UInt16Builder,
    UInt64Builder,
};
use arrow::record_batch::RecordBatch;

use super::calls::{amr_item, calls_schema, CALLS_FILE};
use crate::error::Error;
use crate::event::Call;

/// A text column's value in a call.
type TextField = for<'c> fn(&'c Call) -> Option<&'c str>;

/// Text columns (all but `time`, `source_record`, `status` and `amr`): the
/// column's index in the schema and its value in a call.
const TEXT_COLUMNS: [(usize, TextField); 22] = [
    (1, |c| Some(&c.source_file)),
    (3, |c| Some(c.format)),
    (4, |c| Some(c.event.as_str())),
    (5, |c| c.host.as_deref()),
    (6, |c| c.method.as_deref()),
    (7, |c| c.path.as_deref()),
    (8, |c| c.operation.as_deref()),
    (10, |c| c.error_code.as_deref()),
    (11, |c| Some(c.auth_mode.as_str())),
    (12, |c| Some(c.mfa_claim.as_str())),
    (13, |c| Some(c.verdict.as_str())),
    (14, |c| Some(c.evidence.as_str())),
    (15, |c| c.app_id.as_deref()),
    (16, |c| c.app_name.as_deref()),
    (17, |c| c.tenant_id.as_deref()),
    (18, |c| c.principal.as_deref()),
    (20, |c| c.token_fingerprint.as_deref()),
    (21, |c| c.correlation_id.as_deref()),
    (22, |c| c.request_id.as_deref()),
    (23, |c| c.user_agent.as_deref()),
    (24, |c| Some(&c.integration)),
    (25, |c| c.evidence_detail),
];

/// Columns of the schema that are not text.
const TIME: usize = 0;
const SOURCE_RECORD: usize = 2;
const STATUS: usize = 9;
const AMR: usize = 19;
const COLUMNS: usize = 26;

/// How large a set of [`CallColumns`] grew: enough to size the next one's
/// buffers up front, so they are not reallocated and copied as they grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColumnSizes {
    rows: usize,
    text_bytes: [usize; TEXT_COLUMNS.len()],
    amr_values: usize,
    amr_bytes: usize,
}

impl ColumnSizes {
    /// The exact sizes of `calls`' columns.
    pub(super) fn of(calls: &[Call]) -> ColumnSizes {
        let amr = || calls.iter().filter_map(|c| c.amr.as_deref());
        ColumnSizes {
            rows: calls.len(),
            text_bytes: TEXT_COLUMNS
                .map(|(_, field)| calls.iter().filter_map(field).map(str::len).sum()),
            amr_values: amr().map(<[String]>::len).sum(),
            amr_bytes: amr().flatten().map(String::len).sum(),
        }
    }

    /// These sizes plus an eighth, for a next chunk a little larger.
    pub fn with_room(&self) -> ColumnSizes {
        let more = |n: usize| n + n / 8;
        ColumnSizes {
            rows: more(self.rows),
            text_bytes: self.text_bytes.map(more),
            amr_values: more(self.amr_values),
            amr_bytes: more(self.amr_bytes),
        }
    }
}

/// The columns of `calls.parquet` being built one call at a time.
pub struct CallColumns {
    time: TimestampMicrosecondBuilder,
    source_record: UInt64Builder,
    status: UInt16Builder,
    texts: [StringBuilder; TEXT_COLUMNS.len()],
    amr: ListBuilder<StringBuilder>,
}

impl CallColumns {
    /// Empty columns with room for `sizes`.
    pub fn with_capacity(sizes: &ColumnSizes) -> CallColumns {
        let rows = sizes.rows;
        CallColumns {
            time: TimestampMicrosecondBuilder::with_capacity(rows).with_timezone("UTC"),
            source_record: UInt64Builder::with_capacity(rows),
            status: UInt16Builder::with_capacity(rows),
            texts: sizes
                .text_bytes
                .map(|bytes| StringBuilder::with_capacity(rows, bytes)),
            amr: ListBuilder::with_capacity(
                StringBuilder::with_capacity(sizes.amr_values, sizes.amr_bytes),
                rows,
            )
            .with_field(amr_item()),
        }
    }

    /// Appends one row.
    pub fn push(&mut self, call: &Call) {
        self.time.append_option(call.time);
        self.source_record.append_value(call.source_record);
        self.status.append_option(call.status);
        for (column, (_, field)) in self.texts.iter_mut().zip(TEXT_COLUMNS) {
            column.append_option(field(call));
        }
        match &call.amr {
            Some(values) => {
                for value in values.iter() {
                    self.amr.values().append_value(value);
                }
                self.amr.append(true);
            }
            None => self.amr.append_null(),
        }
    }

    /// Rows appended so far.
    pub fn len(&self) -> usize {
        self.source_record.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How large the columns are now.
    pub fn sizes(&self) -> ColumnSizes {
        ColumnSizes {
            rows: self.len(),
            text_bytes: std::array::from_fn(|i| self.texts[i].values_slice().len()),
            amr_values: self.amr.values_ref().len(),
            amr_bytes: self.amr.values_ref().values_slice().len(),
        }
    }

    /// The record batch of the rows appended, in order.
    pub fn finish(mut self) -> Result<RecordBatch, Error> {
        let mut columns: [Option<ArrayRef>; COLUMNS] = std::array::from_fn(|_| None);
        columns[TIME] = Some(Arc::new(self.time.finish()));
        columns[SOURCE_RECORD] = Some(Arc::new(self.source_record.finish()));
        columns[STATUS] = Some(Arc::new(self.status.finish()));
        columns[AMR] = Some(Arc::new(self.amr.finish()));
        for (column, (index, _)) in self.texts.iter_mut().zip(TEXT_COLUMNS) {
            columns[index] = Some(Arc::new(column.finish()));
        }
        let columns = columns.into_iter().flatten().collect();
        RecordBatch::try_new(calls_schema(), columns).map_err(|e| Error::Parquet {
            path: CALLS_FILE.into(),
            message: e.to_string(),
        })
    }
}
