//! Roll-ups of earlier runs: the reduce step of a scan split across days,
//! machines or shards.
//!
//! `pcmfa report` reads the `calls.parquet` files that earlier scans wrote
//! (a run folder, a shard folder with its Hive tree
//! `calls/date=YYYY-MM-DD/part-*.parquet`, single files or globs), folds
//! every row into [`Aggregates`](crate::aggregate::Aggregates) and writes the
//! same roll-up tables a scan writes. Every roll-up column is computed from
//! columns of `calls.parquet` alone, and aggregates merge in any order, so
//! rolling up seven daily runs (or four shards) gives byte for byte the
//! tables of one scan over all their inputs.
//!
//! - [`find_calls`]: expands the arguments into calls files and the
//!   `summary.json` files of the runs that wrote them.
//! - [`read_calls_file`]: folds one file, batch by batch (bounded memory),
//!   after checking its schema; a foreign or broken file is reported, never
//!   fatal.
//! - [`Window`]: `--since` / `--until`, whole UTC days.
//! - [`sum_sources`]: the summed accounting of the source runs.
//!
//! The parallel read across files lives in `crate::pipeline` (the only
//! module that uses threads).

mod discover;
mod read;
mod sources;
mod window;

pub use discover::{find_calls, CallsDiscovery, CallsFile};
pub use read::{read_calls_file, FileOutcome, FileProblem, CALLS_FORMAT};
pub use sources::sum_sources;
pub use window::Window;
