//! Every output rebuilt from the roll-up state: `integrations.csv` and
//! `.parquet`, `operations.csv`, `daily.csv`, `report.html` and `report.md`.
//!
//! One function, [`write_rollups`], so that `scan` and any command that
//! rolls up earlier runs write the same files the same way. It does not
//! write `summary.json`: the caller writes that last, after these.

use std::io::Write;
use std::path::Path;

use super::atomic::AtomicFile;
use super::summary::Summary;
use super::tables::{write_daily, write_integrations, write_operations};
use crate::aggregate::{Aggregates, DailyRow, IntegrationRow, OperationRow};
use crate::error::Error;
use crate::report::{html, markdown, Catalog, ReportData, Section, REPORT_HTML, REPORT_MD};

/// The roll-up tables, ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollups {
    /// Worst first.
    pub integrations: Vec<IntegrationRow>,
    pub operations: Vec<OperationRow>,
    pub daily: Vec<DailyRow>,
}

impl Rollups {
    pub fn from_aggregates(aggregates: &Aggregates) -> Rollups {
        Rollups {
            integrations: aggregates.integration_rows(),
            operations: aggregates.operation_rows(),
            daily: aggregates.daily_rows(),
        }
    }
}

/// What the reports add to the tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportOptions<'a> {
    /// Joined into the integrations tables and both reports.
    pub catalog: Option<&'a Catalog>,
    /// Added to `report.html` (and `report.md` where they have Markdown).
    pub sections: &'a [Section],
}

/// Writes the tables and both reports into `dir`, each atomically.
/// `summary` is the run's (its `duration_seconds` and `threads` are not shown).
pub fn write_rollups(
    dir: &Path,
    rollups: &Rollups,
    summary: &Summary,
    options: ReportOptions,
) -> Result<(), Error> {
    write_integrations(dir, &rollups.integrations, options.catalog)?;
    write_operations(dir, &rollups.operations)?;
    write_daily(dir, &rollups.daily)?;
    let data = ReportData {
        summary,
        integrations: &rollups.integrations,
        operations: &rollups.operations,
        daily: &rollups.daily,
        catalog: options.catalog,
        sections: options.sections,
    };
    write_text(dir, REPORT_HTML, &html::render(&data))?;
    write_text(dir, REPORT_MD, &markdown::render(&data))
}

fn write_text(dir: &Path, name: &str, text: &str) -> Result<(), Error> {
    let mut file = AtomicFile::create(dir, name)?;
    file.write_all(text.as_bytes())
        .map_err(|source| Error::Write {
            path: dir.join(name),
            source,
        })?;
    file.commit()
}
