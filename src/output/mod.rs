//! Output: one writer per file of the output contract
//! (`shared/contract/output-contract.md`, schema version 1).
//!
//! - [`CallsParquetWriter`]: `calls.parquet`, streamed in batches.
//! - [`RejectsCsvWriter`]: `rejects.csv`, streamed row by row.
//! - [`write_integrations`], [`write_operations`], [`write_daily`]: the
//!   roll-up tables, written whole.
//! - [`write_rollups`]: those tables plus `report.html` and `report.md`
//!   (rendered by [`crate::report`]), in one call for every command
//!   (`scan`, each shard, `pcmfa report`).
//! - [`summary::write_summary`]: `summary.json`, written last by the run.
//! - [`PartitionedCallsWriter`]: a shard's calls as a Hive tree
//!   (`calls/date=YYYY-MM-DD/part-<shard>-<n>.parquet`).
//!
//! Every file is written to a hidden temporary name in the output folder and
//! renamed into place when complete (`atomic.rs`), so a final-named file is
//! never partial and a failed run leaves no temp files behind. CSV text cells
//! are made spreadsheet-safe (`csv_safe.rs`); Parquet keeps the true values.
//! Parquet output is deterministic: identical rows give identical bytes.

mod atomic;
mod call_columns;
mod calls;
mod csv_file;
mod csv_safe;
mod hive;
mod parquet_file;
mod rejects;
mod rollups;
pub mod summary;
mod tables;
#[cfg(test)]
pub(crate) mod test_support;

pub(crate) use atomic::AtomicFile;
pub use call_columns::{CallColumns, ColumnSizes};
pub use calls::{calls_batch, calls_schema, CallsParquetWriter, Job, RunJobs, CALLS_FILE};
pub(crate) use csv_file::{Cell, CsvFile};
pub(crate) use csv_safe::restore as restore_csv_text;
pub use hive::{PartitionedCallsWriter, CALLS_DIR, NO_DATE_PARTITION, SHARDS_DIR};
pub use rejects::{RejectsCsvWriter, REJECTS_CSV};
pub use rollups::{write_rollups, ReportOptions, Rollups};
pub use summary::{write_summary, SUMMARY_FILE};
pub use tables::{
    integrations_schema, write_daily, write_integrations, write_operations, DAILY_CSV,
    INTEGRATIONS_CSV, INTEGRATIONS_PARQUET, OPERATIONS_CSV, TOP_OPERATIONS_SEPARATOR,
};
