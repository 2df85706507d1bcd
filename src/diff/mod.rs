//! `pcmfa diff OLD NEW`: what changed between two earlier runs.
//!
//! Weekly jobs keep each run's output folder; this stage reads two of them
//! back ([`run`]: `integrations.parquet` and `summary.json`), pairs their
//! integrations by key and names each change ([`compare`]: newly broken,
//! newly at risk, new, gone silent, verdict changed, fixed, unchanged, with
//! the call volumes of both runs), then writes `diff.csv` ([`csv`]),
//! `diff.md` ([`markdown`]), and NEW's `report.html` and `report.md` with
//! the comparison as an extra section ([`html`], [`report`]). The comparison
//! is pure; only the writers touch the file system.

pub mod compare;
pub mod csv;
pub mod html;
pub mod markdown;
pub mod report;
pub mod run;

use std::path::Path;

pub use compare::{classify, compare, Change, Diff, DiffRow};
pub use csv::{write_diff_csv, DIFF_COLUMNS, DIFF_CSV};
pub use markdown::{render_markdown, write_diff_md, DIFF_MD};
pub use run::{load_run, Run, RunInfo, RunIntegration};

use crate::error::Error;
use crate::report::Catalog;

/// Reads the runs in `old_dir` and `new_dir` and compares them.
pub fn diff_runs(old_dir: &Path, new_dir: &Path) -> Result<Diff, Error> {
    let old = load_run(old_dir)?;
    let new = load_run(new_dir)?;
    Ok(compare(
        old.info,
        old.integrations,
        new.info,
        new.integrations,
    ))
}

/// Compares the runs in `old_dir` and `new_dir` and writes `diff.csv`,
/// `diff.md`, `report.html` and `report.md` into `out_dir` (created if
/// missing), each atomically. `catalog` joins owners into the report, as
/// `scan --catalog` does.
pub fn write_diff(
    old_dir: &Path,
    new_dir: &Path,
    out_dir: &Path,
    catalog: Option<&Catalog>,
) -> Result<Diff, Error> {
    let diff = diff_runs(old_dir, new_dir)?;
    std::fs::create_dir_all(out_dir).map_err(|source| Error::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    write_diff_csv(out_dir, &diff)?;
    write_diff_md(out_dir, &diff)?;
    report::write_report(new_dir, out_dir, &diff, catalog)?;
    Ok(diff)
}
