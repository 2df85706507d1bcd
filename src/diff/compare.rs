//! The comparison itself: pairs the integrations of two runs by key and
//! names what changed. Pure: no I/O, so every rule is unit-tested here.
//!
//! Rules, first match wins (the contract, `docs/output-contract.md`, states
//! them too):
//! 1. `gone_silent`: calls in OLD, none in NEW (absent, or zero calls).
//! 2. `newly_broken`: broken in NEW, not broken in OLD (or absent from OLD).
//! 3. `newly_at_risk`: at risk in NEW, neither broken nor at risk in OLD (or absent).
//! 4. `new`: absent from OLD (or zero calls there); its NEW verdict needs no action.
//! 5. `fixed`: broken or at risk in OLD, compliant or not affected in NEW.
//! 6. `verdict_changed`: any other change of verdict (broken -> at risk,
//!    compliant -> unknown, ...). `unknown` is never "fixed": no evidence is
//!    not an all-clear.
//! 7. `unchanged`: same verdict (call volumes may still differ).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::run::{RunInfo, RunIntegration};
use crate::vocab::Verdict;

/// What happened to one integration between OLD and NEW. The derived order
/// is the order of the report: most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    NewlyBroken,
    NewlyAtRisk,
    New,
    GoneSilent,
    VerdictChanged,
    Fixed,
    Unchanged,
}

impl Change {
    /// Every kind, in report order.
    pub const ALL: [Change; 7] = [
        Change::NewlyBroken,
        Change::NewlyAtRisk,
        Change::New,
        Change::GoneSilent,
        Change::VerdictChanged,
        Change::Fixed,
        Change::Unchanged,
    ];

    /// The contract's spelling (the `change` column of `diff.csv`).
    pub fn as_str(self) -> &'static str {
        match self {
            Change::NewlyBroken => "newly_broken",
            Change::NewlyAtRisk => "newly_at_risk",
            Change::New => "new",
            Change::GoneSilent => "gone_silent",
            Change::VerdictChanged => "verdict_changed",
            Change::Fixed => "fixed",
            Change::Unchanged => "unchanged",
        }
    }

    /// How a person reads it ("newly broken").
    pub fn label(self) -> &'static str {
        match self {
            Change::NewlyBroken => "newly broken",
            Change::NewlyAtRisk => "newly at risk",
            Change::New => "new",
            Change::GoneSilent => "gone silent",
            Change::VerdictChanged => "verdict changed",
            Change::Fixed => "fixed",
            Change::Unchanged => "unchanged",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One integration seen in either run.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    /// 1 = read first: by [`Change`] (in its order), then worst NEW verdict,
    /// most broken, at-risk, then all calls in NEW (the order of NEW's own
    /// ranking), worst OLD verdict, largest change in calls, then key.
    pub rank: u32,
    pub change: Change,
    pub integration: String,
    /// The row in OLD, when the integration had calls there.
    pub old: Option<RunIntegration>,
    /// The row in NEW, when the integration had calls there.
    pub new: Option<RunIntegration>,
}

impl DiffRow {
    /// NEW's value, else OLD's: names and ids change rarely, and the newest wins.
    pub fn app_id(&self) -> Option<&str> {
        self.newest(|r| r.app_id.as_deref())
    }
    pub fn app_name(&self) -> Option<&str> {
        self.newest(|r| r.app_name.as_deref())
    }
    fn newest<'a>(&'a self, f: impl Fn(&'a RunIntegration) -> Option<&'a str>) -> Option<&'a str> {
        self.new
            .as_ref()
            .and_then(&f)
            .or_else(|| self.old.as_ref().and_then(&f))
    }

    pub fn verdict_old(&self) -> Option<Verdict> {
        self.old.as_ref().map(|r| r.verdict)
    }
    pub fn verdict_new(&self) -> Option<Verdict> {
        self.new.as_ref().map(|r| r.verdict)
    }
    /// Events of `verdict` (all events when None) in OLD; 0 when absent.
    pub fn count_old(&self, verdict: Option<Verdict>) -> u64 {
        count(self.old.as_ref(), verdict)
    }
    pub fn count_new(&self, verdict: Option<Verdict>) -> u64 {
        count(self.new.as_ref(), verdict)
    }
    /// NEW calls minus OLD calls.
    pub fn calls_delta(&self) -> i64 {
        signed(self.count_new(None)) - signed(self.count_old(None))
    }
    /// The change in calls as a percentage of OLD's, one decimal; None when
    /// OLD had no calls (a percentage of nothing means nothing).
    pub fn calls_delta_pct(&self) -> Option<f64> {
        let old = self.count_old(None);
        // `+ 0.0` turns a rounded -0.0 into 0.0.
        (old > 0).then(|| (self.calls_delta() as f64 * 1000.0 / old as f64).round() / 10.0 + 0.0)
    }
}

fn count(row: Option<&RunIntegration>, verdict: Option<Verdict>) -> u64 {
    row.map_or(0, |r| match verdict {
        Some(v) => r.counts.get(v),
        None => r.counts.total(),
    })
}

fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The comparison of two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub old: RunInfo,
    pub new: RunInfo,
    /// Every integration of either run, in report order.
    pub rows: Vec<DiffRow>,
}

impl Diff {
    /// How many rows have this kind of change.
    pub fn count(&self, change: Change) -> usize {
        self.counts()[change.index()]
    }

    /// Row counts per kind, indexed in [`Change::ALL`] order.
    pub fn counts(&self) -> [usize; 7] {
        let mut counts = [0; 7];
        for row in &self.rows {
            counts[row.change.index()] += 1;
        }
        counts
    }

    /// The kinds of change present, with their counts, in report order
    /// (`1 newly broken, 2 new`); None when no integration changed verdict.
    pub fn changes_phrase(&self) -> Option<String> {
        let parts: Vec<String> = Change::ALL
            .into_iter()
            .filter(|c| *c != Change::Unchanged)
            .filter_map(|c| {
                let n = self.count(c);
                (n > 0).then(|| format!("{n} {}", c.label()))
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// What may make the comparison misleading, as sentences.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, run) in [("OLD", &self.old), ("NEW", &self.new)] {
            if run.status != "complete" {
                out.push(format!(
                    "{name} is {}: some input was unreadable or rejected, so an integration may look silent or quieter because its logs are missing.",
                    run.status
                ));
            }
        }
        // Fixed-width ISO instants compare as text.
        if let (Some(old_first), Some(new_first)) = (&self.old.first, &self.new.first) {
            if new_first < old_first {
                out.push(
                    "NEW's events start before OLD's: were OLD and NEW given in the right order?"
                        .to_string(),
                );
            }
        }
        out
    }

    /// Rows of one kind, in report order.
    pub fn rows_of(&self, change: Change) -> impl Iterator<Item = &DiffRow> {
        self.rows.iter().filter(move |r| r.change == change)
    }
}

/// Names the change between an integration's OLD and NEW rows (see the
/// module docs for the rules).
pub fn classify(old: Option<&RunIntegration>, new: Option<&RunIntegration>) -> Change {
    let verdict_with_calls =
        |r: Option<&RunIntegration>| r.filter(|r| r.counts.total() > 0).map(|r| r.verdict);
    let (old, new) = (verdict_with_calls(old), verdict_with_calls(new));
    let bad = |v: Option<Verdict>| matches!(v, Some(Verdict::Broken | Verdict::AtRisk));
    match (old, new) {
        (Some(_), None) => Change::GoneSilent,
        (None, None) => Change::Unchanged,
        (old, Some(Verdict::Broken)) if old != Some(Verdict::Broken) => Change::NewlyBroken,
        (old, Some(Verdict::AtRisk)) if !bad(old) => Change::NewlyAtRisk,
        (None, Some(_)) => Change::New,
        (old, Some(Verdict::Compliant | Verdict::NotAffected)) if bad(old) => Change::Fixed,
        (Some(old), Some(new)) if old != new => Change::VerdictChanged,
        (Some(_), Some(_)) => Change::Unchanged,
    }
}

/// Compares two runs: every integration of either, classified and ordered.
pub fn compare(
    old: RunInfo,
    old_rows: Vec<RunIntegration>,
    new: RunInfo,
    new_rows: Vec<RunIntegration>,
) -> Diff {
    type Pair = (Option<RunIntegration>, Option<RunIntegration>);
    let mut pairs: BTreeMap<String, Pair> = BTreeMap::new();
    for row in old_rows {
        let key = row.integration.clone();
        pairs.entry(key).or_default().0 = Some(row);
    }
    for row in new_rows {
        let key = row.integration.clone();
        pairs.entry(key).or_default().1 = Some(row);
    }
    let keep = |r: Option<RunIntegration>| r.filter(|r| r.counts.total() > 0);
    let mut rows: Vec<DiffRow> = pairs
        .into_iter()
        .map(|(integration, (old, new))| DiffRow {
            rank: 0,
            change: classify(old.as_ref(), new.as_ref()),
            integration,
            old: keep(old),
            new: keep(new),
        })
        .filter(|row| row.old.is_some() || row.new.is_some())
        .collect();
    rows.sort_by(report_order);
    for (i, row) in rows.iter_mut().enumerate() {
        row.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    Diff { old, new, rows }
}

/// Most urgent first; total and deterministic (the key breaks every tie).
fn report_order(a: &DiffRow, b: &DiffRow) -> Ordering {
    // An absent verdict sorts after every verdict.
    let severity = |v: Option<Verdict>| v.map_or(Verdict::ALL.len(), Verdict::index);
    let most = |r: &DiffRow| {
        (
            r.count_new(Some(Verdict::Broken)),
            r.count_new(Some(Verdict::AtRisk)),
            r.count_new(None),
        )
    };
    a.change
        .cmp(&b.change)
        .then_with(|| severity(a.verdict_new()).cmp(&severity(b.verdict_new())))
        .then_with(|| most(b).cmp(&most(a)))
        .then_with(|| severity(a.verdict_old()).cmp(&severity(b.verdict_old())))
        .then_with(|| {
            b.calls_delta()
                .unsigned_abs()
                .cmp(&a.calls_delta().unsigned_abs())
        })
        .then_with(|| a.integration.cmp(&b.integration))
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
