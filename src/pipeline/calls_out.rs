//! A chunk's calls on their way to `calls.parquet`.
//!
//! The worker that classified a chunk also builds its record batch (so
//! copying rows into Arrow buffers and freeing the `Call`s happens on every
//! core, not on the writer thread), keeping as `Call`s only the few that side
//! evidence may still change. The writer thread restores input order, holds
//! those back (or counts them, over the hold limit) and hands the batch on;
//! the calls writer encodes its columns on the pool ([`PoolJobs`]).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, UInt64Array};
use arrow::compute::filter_record_batch;
use arrow::record_batch::RecordBatch;

use crate::aggregate::Aggregates;
use crate::error::Error;
use crate::event::Call;
use crate::evidence::held::{HeldCalls, Offer};
use crate::evidence::lift::may_improve;
use crate::output::CALLS_FILE;
use crate::output::{calls_batch, CallsParquetWriter, Job, PartitionedCallsWriter, RunJobs};

/// The calls of one chunk, packed by its worker.
#[derive(Default)]
pub(super) struct ChunkCalls {
    /// Every call of the chunk, in input order.
    batch: Option<Result<RecordBatch, Error>>,
    /// Calls side evidence may change, with their row in `batch`.
    candidates: Vec<(usize, Call)>,
    /// Rows of `batch`.
    pub(super) count: u64,
}

impl ChunkCalls {
    /// Packs `calls` (on the worker).
    pub(super) fn pack(calls: Vec<Call>) -> ChunkCalls {
        if calls.is_empty() {
            return ChunkCalls::default();
        }
        let batch = calls_batch(&calls);
        let count = calls.len() as u64;
        let candidates = calls
            .into_iter()
            .enumerate()
            .filter(|(_, call)| may_improve(call))
            .collect();
        ChunkCalls {
            batch: Some(batch),
            candidates,
            count,
        }
    }

    /// Adds `before` to every record number (a byte range counts its lines from its start).
    pub(super) fn shift_records(&mut self, before: u64) -> Result<(), Error> {
        if before == 0 {
            return Ok(());
        }
        for (_, call) in &mut self.candidates {
            call.source_record += before;
        }
        let Some(Ok(batch)) = &self.batch else {
            return Ok(());
        };
        let column = batch
            .schema()
            .index_of("source_record")
            .map_err(batch_error)?;
        let shifted = batch
            .column(column)
            .as_any()
            .downcast_ref::<UInt64Array>()
            .map(|records| {
                UInt64Array::from_iter_values(records.values().iter().map(|r| r + before))
            })
            .ok_or_else(|| batch_error("source_record is not UInt64"))?;
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns[column] = Arc::new(shifted);
        self.batch = Some(RecordBatch::try_new(batch.schema(), columns).map_err(batch_error));
        Ok(())
    }

    /// Writes the calls of `file` that are final; holds back the others
    /// (those over the hold limit are written and counted in `late`).
    pub(super) fn write(
        self,
        file: usize,
        held: &mut HeldCalls,
        late: &mut Aggregates,
        sink: &mut CallsSink,
    ) -> Result<(), Error> {
        let Some(batch) = self.batch else {
            return Ok(());
        };
        let batch = batch?;
        let mut keep: Option<Vec<bool>> = None;
        for (row, call) in &self.candidates {
            match held.offer(file, call) {
                Offer::Final => {}
                Offer::Held => {
                    keep.get_or_insert_with(|| vec![true; batch.num_rows()])[*row] = false
                }
                Offer::OverLimit => late.add(call),
            }
        }
        let batch = match keep {
            Some(keep) => {
                filter_record_batch(&batch, &BooleanArray::from(keep)).map_err(batch_error)?
            }
            None => batch,
        };
        sink.write_batch(batch)
    }
}

fn batch_error(e: impl std::fmt::Display) -> Error {
    Error::Parquet {
        path: CALLS_FILE.into(),
        message: e.to_string(),
    }
}

/// Where a scan's calls go: one `calls.parquet`, or a shard's Hive parts.
pub(super) enum CallsSink {
    File(Box<CallsParquetWriter>),
    Parts(PartitionedCallsWriter),
}

impl CallsSink {
    pub(super) fn write(&mut self, call: &Call) -> Result<(), Error> {
        match self {
            CallsSink::File(writer) => writer.write(call),
            CallsSink::Parts(writer) => writer.write(call),
        }
    }

    fn write_batch(&mut self, batch: RecordBatch) -> Result<(), Error> {
        match self {
            CallsSink::File(writer) => writer.write_batch(batch),
            CallsSink::Parts(writer) => writer.write_batch(batch),
        }
    }

    pub(super) fn finish(self) -> Result<u64, Error> {
        match self {
            CallsSink::File(writer) => writer.finish(),
            CallsSink::Parts(writer) => writer.finish(),
        }
    }
}

/// Runs the calls writer's encoding jobs on the scan's thread pool.
pub(super) struct PoolJobs(pub(super) Arc<rayon::ThreadPool>);

impl RunJobs for PoolJobs {
    fn run(&self, jobs: Vec<Job<'_>>) {
        use rayon::prelude::*;
        self.0
            .install(|| jobs.into_par_iter().for_each(|job| job()));
    }
}
