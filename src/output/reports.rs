//! The end of every run: the roll-up tables from the merged aggregates, then
//! `summary.json`, last.
//!
//! `pcmfa scan`, each shard of a sharded scan and `pcmfa report` all finish
//! here, so whatever a run writes from its aggregates, every kind of run
//! writes the same way.

use std::path::Path;

use super::summary::{write_summary, Summary};
use super::tables::{write_daily, write_integrations, write_operations};
use crate::aggregate::{Aggregates, IntegrationRow};
use crate::error::Error;

/// Folder of the per-shard run folders (`shards/<I>-of-<N>/`) in the output folder.
pub const SHARDS_DIR: &str = "shards";

/// Writes `integrations.csv` / `.parquet`, `operations.csv` and `daily.csv`
/// into `dir`, then the summary that `summarise` builds from the ranked
/// integrations. Returns both.
pub fn write_reports(
    dir: &Path,
    aggregates: &Aggregates,
    summarise: impl FnOnce(&[IntegrationRow]) -> Summary,
) -> Result<(Summary, Vec<IntegrationRow>), Error> {
    let integrations = aggregates.integration_rows();
    write_integrations(dir, &integrations)?;
    write_operations(dir, &aggregates.operation_rows())?;
    write_daily(dir, &aggregates.daily_rows())?;
    let summary = summarise(&integrations);
    write_summary(dir, &summary)?;
    Ok((summary, integrations))
}
