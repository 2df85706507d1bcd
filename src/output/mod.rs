//! Output: one writer per file of the output contract (`docs/output-contract.md`).
//! (Stub: the full module is being written.)
//!
//! Every file is written to a temporary name in the output folder and renamed
//! into place when complete, so a final-named file is never partial.

pub mod summary;

use std::path::Path;

use crate::aggregate::{DailyRow, IntegrationRow, OperationRow};
use crate::error::Error;
use crate::event::{Call, Reject};

/// Streams `calls.parquet` in row batches so memory stays flat.
pub struct CallsParquetWriter {}

impl CallsParquetWriter {
    pub fn create(dir: &Path) -> Result<CallsParquetWriter, Error> {
        let _ = dir;
        todo!()
    }
    pub fn write(&mut self, call: &Call) -> Result<(), Error> {
        let _ = call;
        todo!()
    }
    /// Flushes, closes and renames into place.
    pub fn finish(self) -> Result<u64, Error> {
        todo!()
    }
}

/// Streams `rejects.csv`.
pub struct RejectsCsvWriter {}

impl RejectsCsvWriter {
    pub fn create(dir: &Path) -> Result<RejectsCsvWriter, Error> {
        let _ = dir;
        todo!()
    }
    pub fn write(&mut self, reject: &Reject) -> Result<(), Error> {
        let _ = reject;
        todo!()
    }
    pub fn finish(self) -> Result<u64, Error> {
        todo!()
    }
}

/// Writes `integrations.csv` and `integrations.parquet`.
pub fn write_integrations(dir: &Path, rows: &[IntegrationRow]) -> Result<(), Error> {
    let _ = (dir, rows);
    todo!()
}

/// Writes `operations.csv`.
pub fn write_operations(dir: &Path, rows: &[OperationRow]) -> Result<(), Error> {
    let _ = (dir, rows);
    todo!()
}

/// Writes `daily.csv`.
pub fn write_daily(dir: &Path, rows: &[DailyRow]) -> Result<(), Error> {
    let _ = (dir, rows);
    todo!()
}
