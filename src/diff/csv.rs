//! `diff.csv`: one row per integration seen in either run, in report order.
//!
//! Spreadsheet-safe like every pcmfa CSV (byte-order mark, formula
//! neutralisation of text cells); signed changes and percentages are written
//! as numbers, never as text a spreadsheet could take for a formula.

use std::path::Path;

use super::compare::{Diff, DiffRow};
use crate::error::Error;
use crate::event::Micros;
use crate::formats::timestamp::format_iso;
use crate::output::{Cell, CsvFile};
use crate::vocab::Verdict;

pub const DIFF_CSV: &str = "diff.csv";

/// The columns, in contract order.
pub const DIFF_COLUMNS: [&str; 18] = [
    "rank",
    "change",
    "integration",
    "app_id",
    "app_name",
    "verdict_old",
    "verdict_new",
    "calls_old",
    "calls_new",
    "calls_delta",
    "calls_delta_pct",
    "broken_old",
    "broken_new",
    "at_risk_old",
    "at_risk_new",
    "last_seen",
    "last_broken",
    "action",
];

/// The later of two optional instants.
fn latest(a: Option<Micros>, b: Option<Micros>) -> Option<Micros> {
    a.max(b)
}

/// Writes `diff.csv` into `dir` atomically.
pub fn write_diff_csv(dir: &Path, diff: &Diff) -> Result<(), Error> {
    let mut csv = CsvFile::create(dir, DIFF_CSV, &DIFF_COLUMNS)?;
    for row in &diff.rows {
        let when = |f: fn(&super::run::RunIntegration) -> Option<Micros>| {
            latest(row.old.as_ref().and_then(f), row.new.as_ref().and_then(f)).map(format_iso)
        };
        let (last_seen, last_broken) = (when(|r| r.last_seen), when(|r| r.last_broken));
        let verdict = |v: Option<Verdict>| Cell::from(v.map(Verdict::as_str));
        let action = action(row);
        csv.row(&[
            Cell::Count(u64::from(row.rank)),
            Cell::Text(row.change.as_str()),
            Cell::Text(&row.integration),
            Cell::from(row.app_id()),
            Cell::from(row.app_name()),
            verdict(row.verdict_old()),
            verdict(row.verdict_new()),
            Cell::Count(row.count_old(None)),
            Cell::Count(row.count_new(None)),
            Cell::Signed(row.calls_delta()),
            row.calls_delta_pct().map_or(Cell::Null, Cell::Decimal1),
            Cell::Count(row.count_old(Some(Verdict::Broken))),
            Cell::Count(row.count_new(Some(Verdict::Broken))),
            Cell::Count(row.count_old(Some(Verdict::AtRisk))),
            Cell::Count(row.count_new(Some(Verdict::AtRisk))),
            Cell::from(last_seen.as_deref()),
            Cell::from(last_broken.as_deref()),
            Cell::from(action),
        ])?;
    }
    csv.commit()
}

/// NEW's action; for an integration gone silent, what to check instead.
pub fn action(row: &DiffRow) -> Option<&str> {
    match &row.new {
        Some(new) => new.action.as_deref(),
        None => Some(GONE_SILENT_ACTION),
    }
}

const GONE_SILENT_ACTION: &str = "Confirm it was retired on purpose: if its logs are missing, or it gave up after 900421 errors, it is still a problem.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::VerdictCounts;
    use crate::diff::compare::compare;
    use crate::diff::run::{RunInfo, RunIntegration};

    /// 2026-06-03T09:03:00Z
    const JUNE_3: Micros = 1_780_477_380_000_000;

    fn row(key: &str, name: &str, counts: [u64; 5], broken_at: Option<Micros>) -> RunIntegration {
        let counts = VerdictCounts(counts);
        RunIntegration {
            integration: key.to_string(),
            app_id: Some(key.to_string()),
            app_name: Some(name.to_string()),
            verdict: counts.worst(),
            counts,
            last_seen: broken_at,
            last_broken: broken_at,
            action: Some("Fix now.".to_string()),
        }
    }

    #[test]
    fn exact_bytes_signed_numbers_and_neutralised_text() {
        let diff = compare(
            RunInfo::default(),
            vec![
                row("a", "=cmd", [4, 0, 0, 0, 0], Some(JUNE_3)),
                row("b", "Bot, \"v2\"", [0, 3, 0, 0, 0], None),
            ],
            RunInfo::default(),
            vec![row("a", "=cmd", [0, 0, 3, 0, 0], None)],
        );
        let dir = tempfile::tempdir().unwrap();
        write_diff_csv(dir.path(), &diff).unwrap();
        let text = std::fs::read_to_string(dir.path().join(DIFF_CSV)).unwrap();
        assert_eq!(
            text,
            "\u{feff}rank,change,integration,app_id,app_name,verdict_old,verdict_new,calls_old,calls_new,calls_delta,calls_delta_pct,broken_old,broken_new,at_risk_old,at_risk_new,last_seen,last_broken,action\n\
             1,gone_silent,b,b,\"Bot, \"\"v2\"\"\",at_risk,,3,0,-3,-100.0,0,0,3,0,,,\"Confirm it was retired on purpose: if its logs are missing, or it gave up after 900421 errors, it is still a problem.\"\n\
             2,fixed,a,a,'=cmd,broken,compliant,4,3,-1,-25.0,4,0,0,0,2026-06-03T09:03:00.000Z,2026-06-03T09:03:00.000Z,Fix now.\n"
        );
    }
}
