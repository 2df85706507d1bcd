//! A chunk's calls on their way to `calls.parquet`.
//!
//! The worker that classifies a chunk also builds its record batch: each
//! call is appended to the chunk's Arrow columns as soon as it is classified
//! (its texts still in cache) and freed there, on every core, not on the
//! writer thread; only the few that side evidence may still change are kept
//! as `Call`s, the others being folded into the chunk's aggregates first.
//! The writer thread restores input order, holds the kept calls back (or
//! counts them, over the hold limit) and hands the batch on; the calls
//! writer encodes its columns on the pool ([`PoolJobs`]).

use std::cell::Cell;
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
use crate::output::{
    CallColumns, CallsParquetWriter, ColumnSizes, Job, PartitionedCallsWriter, RunJobs,
};

thread_local! {
    /// How large this worker's last chunk's columns grew: the next chunk's
    /// start that large, so they are not reallocated as they fill.
    static LAST_SIZES: Cell<ColumnSizes> = Cell::new(ColumnSizes::default());
}

/// The calls of one chunk, packed by its worker.
#[derive(Default)]
pub(super) struct ChunkCalls {
    /// The columns being filled, until [`seal`](Self::seal).
    columns: Option<CallColumns>,
    /// Every call of the chunk, in input order.
    batch: Option<Result<RecordBatch, Error>>,
    /// Calls side evidence may change, with their row in `batch`.
    candidates: Vec<(usize, Call)>,
    /// The other calls, folded as they are classified (the candidates are
    /// folded once judged); merged into the worker's aggregates.
    pub(super) aggregates: Aggregates,
    /// Rows of `batch`.
    pub(super) count: u64,
}

impl ChunkCalls {
    /// Appends `call` to the chunk's columns (on the worker, as soon as it
    /// is classified) and frees it, unless side evidence may still change it.
    pub(super) fn push(&mut self, call: Call) {
        self.columns
            .get_or_insert_with(|| {
                CallColumns::with_capacity(&LAST_SIZES.with(Cell::get).with_room())
            })
            .push(&call);
        if may_improve(&call) {
            self.candidates.push((self.count as usize, call));
        } else {
            self.aggregates.add(&call);
        }
        self.count += 1;
    }

    /// Closes the columns into the chunk's record batch (on the worker).
    pub(super) fn seal(&mut self) {
        if let Some(columns) = self.columns.take() {
            LAST_SIZES.with(|last| last.set(columns.sizes()));
            self.batch = Some(columns.finish());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::calls_batch;
    use crate::output::test_support::{app_only_call, broken_call, sparse_call};
    use crate::vocab::{Evidence, Verdict};

    /// A call its app's token requests may still decide.
    fn undecided_call() -> Call {
        Call {
            verdict: Verdict::Unknown,
            evidence: Evidence::UndecodableToken,
            source_record: 7,
            ..broken_call()
        }
    }

    fn chunk_of(calls: &[Call]) -> ChunkCalls {
        let mut chunk = ChunkCalls::default();
        calls.iter().cloned().for_each(|call| chunk.push(call));
        chunk.seal();
        chunk
    }

    #[test]
    fn packed_calls_are_the_batch_of_the_calls_and_fold_all_but_the_candidates() {
        let calls: Vec<Call> = (0..300)
            .map(|i| match i % 4 {
                0 => broken_call(),
                1 => sparse_call(),
                2 => app_only_call(),
                _ => undecided_call(),
            })
            .map(|call| Call {
                source_record: call.source_record + 1000,
                ..call
            })
            .collect();
        // Twice on one thread: the second chunk starts sized by the first.
        for _ in 0..2 {
            let mut chunk = chunk_of(&calls);
            assert_eq!(chunk.count, 300);
            let batch = chunk.batch.as_ref().unwrap().as_ref().unwrap();
            assert_eq!(*batch, calls_batch(&calls).unwrap());
            let candidates: Vec<usize> = chunk.candidates.iter().map(|(row, _)| *row).collect();
            let expected: Vec<usize> = (0..300).filter(|i| may_improve(&calls[*i])).collect();
            assert!(!expected.is_empty());
            assert_eq!(candidates, expected);

            let folded = std::mem::take(&mut chunk.aggregates);
            let mut direct = Aggregates::default();
            calls
                .iter()
                .filter(|call| !may_improve(call))
                .for_each(|call| direct.add(call));
            assert_eq!(folded, direct);
            assert_eq!(folded.totals.total(), 300 - expected.len() as u64);
        }
    }

    #[test]
    fn a_chunk_without_calls_has_no_batch() {
        let chunk = chunk_of(&[]);
        assert!(chunk.batch.is_none());
        let folded = chunk.aggregates;
        assert_eq!(folded, Aggregates::default());
    }
}
