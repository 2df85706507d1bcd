//! The calls of one shard as a Hive-partitioned tree:
//! `calls/date=YYYY-MM-DD/part-<shard>-<n>.parquet`.
//!
//! Many shards write into one output folder at once, so each shard's file
//! names carry its index, and each part lands atomically like every other
//! output (temp file + rename). Rows go to the part of their UTC day (events
//! without a time to `date=__HIVE_DEFAULT_PARTITION__`, the name Hive, Spark
//! and DuckDB read as null). A part holds at most [`MAX_PART_ROWS`] rows and
//! at most [`MAX_OPEN_PARTS`] parts are open at once (the least recently
//! written is closed first), so memory stays bounded however many days the
//! logs span. Rows arrive in input order, so the parts and their numbers `n`
//! are the same on every run over the same inputs, whatever the thread count.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use arrow::array::{Array, TimestampMicrosecondArray};
use arrow::record_batch::RecordBatch;

use super::calls::{CallsParquetWriter, RunJobs};
use crate::error::Error;
use crate::event::Call;
use crate::formats::timestamp::format_date;

/// Folder of the Hive tree in the output folder.
pub const CALLS_DIR: &str = "calls";

/// Folder of the per-shard run folders (`shards/<I>-of-<N>/`) in the output folder.
pub const SHARDS_DIR: &str = "shards";

/// Partition folder of events without a time.
pub const NO_DATE_PARTITION: &str = "date=__HIVE_DEFAULT_PARTITION__";

/// Rows per part file before the next part starts.
pub const MAX_PART_ROWS: u64 = 1 << 20;

/// Parts open at once.
pub const MAX_OPEN_PARTS: usize = 32;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// An open part: its writer, and when it was last written (a row counter).
struct OpenPart {
    writer: CallsParquetWriter,
    last_write: u64,
}

/// Streams one shard's calls into `calls/date=.../part-<shard>-<n>.parquet`.
pub struct PartitionedCallsWriter {
    root: PathBuf,
    shard: usize,
    /// Keyed by UTC day; `None` for events without a time.
    open: BTreeMap<Option<i64>, OpenPart>,
    /// The next part number of each day.
    next_part: BTreeMap<Option<i64>, u32>,
    rows: u64,
    /// Encodes the parts' columns (in parallel when the pipeline gives its pool).
    runner: Option<Arc<dyn RunJobs>>,
}

impl PartitionedCallsWriter {
    /// Prepares `out/calls/` for shard `shard`, removing the parts (and the
    /// temporary files of a killed run) an earlier attempt of the same shard
    /// left, so a retried pod starts clean.
    pub fn create(out: &Path, shard: usize) -> Result<PartitionedCallsWriter, Error> {
        let root = out.join(CALLS_DIR);
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Write { path, source }
        };
        fs::create_dir_all(&root).map_err(io_err(&root))?;
        let prefix = part_prefix(shard);
        for partition in fs::read_dir(&root).map_err(io_err(&root))?.flatten() {
            let Ok(parts) = fs::read_dir(partition.path()) else {
                continue;
            };
            for part in parts.flatten() {
                let name = part.file_name();
                let name = name.to_string_lossy();
                let name = name.strip_prefix('.').unwrap_or(&name);
                if name.starts_with(&prefix) {
                    fs::remove_file(part.path()).map_err(io_err(&part.path()))?;
                }
            }
        }
        Ok(PartitionedCallsWriter {
            root,
            shard,
            open: BTreeMap::new(),
            next_part: BTreeMap::new(),
            rows: 0,
            runner: None,
        })
    }

    /// Encodes every part with `runner` (e.g. a thread pool).
    pub fn encode_with(mut self, runner: Arc<dyn RunJobs>) -> PartitionedCallsWriter {
        self.runner = Some(runner);
        self
    }

    pub fn write(&mut self, call: &Call) -> Result<(), Error> {
        let day = call.time.map(|t| t.div_euclid(MICROS_PER_DAY));
        self.rows += 1;
        let rows = self.rows;
        let part = self.part_for(day)?;
        part.writer.write(call)?;
        part.last_write = rows;
        self.close_if_full(day)
    }

    /// Writes the rows of `batch` (built by [`calls_batch`](super::calls_batch)),
    /// each run of rows of one day to that day's part, in order.
    pub fn write_batch(&mut self, batch: RecordBatch) -> Result<(), Error> {
        let days: Vec<Option<i64>> = match batch
            .column(0)
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
        {
            Some(times) => times
                .iter()
                .map(|t| t.map(|t| t.div_euclid(MICROS_PER_DAY)))
                .collect(),
            None => {
                return Err(Error::Parquet {
                    path: self.root.clone(),
                    message: "calls batch without its time column".into(),
                })
            }
        };
        let mut start = 0;
        while start < days.len() {
            let day = days[start];
            let run = days[start..].iter().take_while(|d| **d == day).count();
            let part = self.part_for(day)?;
            let room = (MAX_PART_ROWS - part.writer.rows()) as usize;
            let rows = run.min(room.max(1));
            part.writer.write_batch(batch.slice(start, rows))?;
            self.rows += rows as u64;
            if let Some(part) = self.open.get_mut(&day) {
                part.last_write = self.rows;
            }
            self.close_if_full(day)?;
            start += rows;
        }
        Ok(())
    }

    /// The open part of `day`, opening the day's next part if none is open.
    fn part_for(&mut self, day: Option<i64>) -> Result<&mut OpenPart, Error> {
        if !self.open.contains_key(&day) {
            if self.open.len() >= MAX_OPEN_PARTS {
                self.close_least_recent()?;
            }
            let part = self.next_part.entry(day).or_default();
            let name = format!("{}{:05}.parquet", part_prefix(self.shard), *part);
            *part += 1;
            let dir = self.root.join(partition_name(day));
            fs::create_dir_all(&dir).map_err(|source| Error::Write {
                path: dir.clone(),
                source,
            })?;
            let mut writer = CallsParquetWriter::create_named(&dir, &name)?;
            if let Some(runner) = &self.runner {
                writer = writer.encode_with(runner.clone());
            }
            self.open.insert(
                day,
                OpenPart {
                    writer,
                    last_write: 0,
                },
            );
        }
        self.open.get_mut(&day).ok_or_else(|| Error::Parquet {
            path: self.root.clone(),
            message: "part not open".into(),
        })
    }

    /// Closes the part of `day` once it holds [`MAX_PART_ROWS`] rows.
    fn close_if_full(&mut self, day: Option<i64>) -> Result<(), Error> {
        let full = self
            .open
            .get(&day)
            .is_some_and(|part| part.writer.rows() >= MAX_PART_ROWS);
        if full {
            if let Some(part) = self.open.remove(&day) {
                part.writer.finish()?;
            }
        }
        Ok(())
    }

    fn close_least_recent(&mut self) -> Result<(), Error> {
        let oldest = self
            .open
            .iter()
            .min_by_key(|(_, part)| part.last_write)
            .map(|(day, _)| *day);
        if let Some(part) = oldest.and_then(|day| self.open.remove(&day)) {
            part.writer.finish()?;
        }
        Ok(())
    }

    /// Closes every open part. Returns the rows written.
    pub fn finish(self) -> Result<u64, Error> {
        for (_, part) in self.open {
            part.writer.finish()?;
        }
        Ok(self.rows)
    }
}

/// `part-00003-`: the start of every part name of shard 3.
fn part_prefix(shard: usize) -> String {
    format!("part-{shard:05}-")
}

/// `date=2026-06-01`, or the Hive null partition.
fn partition_name(day: Option<i64>) -> String {
    match day {
        Some(day) => format!("date={}", format_date(day * MICROS_PER_DAY)),
        None => NO_DATE_PARTITION.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_support::broken_call as sample_call;

    fn tree(root: &Path) -> Vec<String> {
        let mut names = Vec::new();
        for partition in fs::read_dir(root.join(CALLS_DIR)).unwrap().flatten() {
            for part in fs::read_dir(partition.path()).unwrap().flatten() {
                names.push(format!(
                    "{}/{}",
                    partition.file_name().to_string_lossy(),
                    part.file_name().to_string_lossy()
                ));
            }
        }
        names.sort();
        names
    }

    #[test]
    fn rows_land_in_their_day_and_a_rerun_replaces_its_own_parts() {
        let dir = tempfile::tempdir().unwrap();
        let day = |d: i64| Some(1_780_272_000_000_000 + d * MICROS_PER_DAY + 5);
        let mut other = PartitionedCallsWriter::create(dir.path(), 7).unwrap();
        let mut call = sample_call();
        call.time = day(0);
        other.write(&call).unwrap();
        other.finish().unwrap();
        // A stale part of shard 2 from an earlier attempt.
        let stale = dir.path().join("calls/date=2026-06-09");
        fs::create_dir_all(&stale).unwrap();
        fs::write(stale.join("part-00002-00000.parquet"), b"old").unwrap();
        fs::write(stale.join(".part-00002-00001.parquet.77.0.tmp"), b"cut").unwrap();

        let mut writer = PartitionedCallsWriter::create(dir.path(), 2).unwrap();
        for time in [day(0), day(1), None, day(0)] {
            let mut call = sample_call();
            call.time = time;
            writer.write(&call).unwrap();
        }
        assert_eq!(writer.finish().unwrap(), 4);
        assert_eq!(
            tree(dir.path()),
            [
                "date=2026-06-01/part-00002-00000.parquet",
                "date=2026-06-01/part-00007-00000.parquet",
                "date=2026-06-02/part-00002-00000.parquet",
                "date=__HIVE_DEFAULT_PARTITION__/part-00002-00000.parquet",
            ]
        );
    }

    #[test]
    fn open_parts_are_bounded_and_numbered_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = PartitionedCallsWriter::create(dir.path(), 0).unwrap();
        let days = MAX_OPEN_PARTS as i64 + 1;
        // Day 0, then one row for every other day (day 0 is closed when the
        // limit is reached), then day 0 again: its second part.
        for d in (0..days).chain([0]) {
            let mut call = sample_call();
            call.time = Some(d * MICROS_PER_DAY);
            writer.write(&call).unwrap();
            assert!(writer.open.len() <= MAX_OPEN_PARTS);
        }
        writer.finish().unwrap();
        let names = tree(dir.path());
        assert_eq!(names.len(), days as usize + 1);
        assert!(names.contains(&"date=1970-01-01/part-00000-00001.parquet".to_string()));
    }

    #[test]
    fn batches_land_like_rows_written_one_by_one() {
        use crate::output::calls_batch;
        // Rows hopping between days, and rows without a time.
        let calls: Vec<Call> = (0..40)
            .map(|i| {
                let mut call = sample_call();
                call.source_record = i;
                call.time = match i % 7 {
                    6 => None,
                    d => Some((d as i64 / 2) * MICROS_PER_DAY + i as i64),
                };
                call
            })
            .collect();
        let (one, batched) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut writer = PartitionedCallsWriter::create(one.path(), 1).unwrap();
        calls.iter().for_each(|c| writer.write(c).unwrap());
        assert_eq!(writer.finish().unwrap(), 40);
        let mut writer = PartitionedCallsWriter::create(batched.path(), 1).unwrap();
        for part in calls.chunks(9) {
            writer.write_batch(calls_batch(part).unwrap()).unwrap();
        }
        assert_eq!(writer.finish().unwrap(), 40);
        let names = tree(one.path());
        assert_eq!(names, tree(batched.path()));
        assert!(names.iter().any(|n| n.starts_with(NO_DATE_PARTITION)));
        for name in names {
            let read = |root: &Path| fs::read(root.join(CALLS_DIR).join(&name)).unwrap();
            assert!(read(one.path()) == read(batched.path()), "{name} differs");
        }
    }
}
