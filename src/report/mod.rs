//! The human reports: `report.html` (one self-contained page with inline SVG
//! charts) and `report.md` (the headline and the top of the ranking, to paste
//! into an email or a chat).
//!
//! Both are rendered from a [`ReportData`] view of the roll-up rows and the
//! run's [`Summary`] by pure functions that return the file's text, so the
//! same inputs give the same bytes (nothing here reads the clock: the only
//! times shown are the data's own). Every string from the logs is escaped
//! ([`escape`]). [`catalog`] joins the owner of each integration.

pub mod catalog;
pub mod escape;
pub mod html;
pub mod markdown;
pub mod svg;

use crate::aggregate::{DailyRow, IntegrationRow, OperationRow};
use crate::event::Micros;
use crate::formats::timestamp::format_iso;
use crate::output::summary::{Summary, VerdictTotals};
use crate::vocab::Verdict;

pub use catalog::{Catalog, CatalogEntry, CatalogError};

/// File names in the output folder.
pub const REPORT_HTML: &str = "report.html";
pub const REPORT_MD: &str = "report.md";

/// How many integrations the Markdown report and the bar chart show.
pub const TOP_INTEGRATIONS: usize = 10;
/// How many operations the HTML report lists.
pub const TOP_OPERATIONS: usize = 15;

/// A section another command adds to the reports (e.g. a diff against an
/// earlier run). `html` is trusted markup: build it with [`escape::html`]
/// around every string from the logs; `markdown` likewise with
/// [`escape::markdown`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// Fragment id (letters, digits, `-`), e.g. `changes`.
    pub id: String,
    pub title: String,
    pub html: String,
    /// Appended to `report.md` under the title when given.
    pub markdown: Option<String>,
}

/// What the reports are made of: the roll-up rows, the run's summary and,
/// when given, the catalog and extra sections.
#[derive(Debug, Clone, Copy)]
pub struct ReportData<'a> {
    pub summary: &'a Summary,
    /// Worst first.
    pub integrations: &'a [IntegrationRow],
    /// Most broken first.
    pub operations: &'a [OperationRow],
    /// Oldest day first.
    pub daily: &'a [DailyRow],
    pub catalog: Option<&'a Catalog>,
    pub sections: &'a [Section],
}

impl<'a> ReportData<'a> {
    /// The catalog entry of an integration.
    pub fn entry(&self, row: &IntegrationRow) -> Option<&'a CatalogEntry> {
        self.catalog.and_then(|c| c.lookup(row))
    }

    /// The name people know an integration by: the catalog's, the logs',
    /// else its key.
    pub fn display_name(&self, row: &'a IntegrationRow) -> &'a str {
        self.entry(row)
            .and_then(|e| e.name.as_deref())
            .or(row.app_name.as_deref())
            .unwrap_or(&row.integration)
    }

    /// Partner Center callers the catalog does not list (empty without a catalog).
    pub fn not_in_catalog(&self) -> Vec<&'a IntegrationRow> {
        match self.catalog {
            None => Vec::new(),
            Some(catalog) => self
                .integrations
                .iter()
                .filter(|row| catalog.lookup(row).is_none())
                .collect(),
        }
    }

    /// `2026-06-01 08:15 to 2026-06-07 23:10 UTC`, or None without times.
    pub fn data_range(&self) -> Option<String> {
        let range = &self.summary.time_range;
        let first = range.first.as_deref().map(minutes)?;
        let last = range.last.as_deref().map(minutes).unwrap_or_default();
        Some(format!("{first} to {last} UTC"))
    }
}

/// The headline in one or two sentences.
pub fn lead_sentence(summary: &Summary) -> String {
    let by = &summary.integrations.by_verdict;
    let (broken, at_risk, total) = (by.broken, by.at_risk, summary.integrations.total);
    match (broken, at_risk) {
        _ if total == 0 => "No Partner Center caller was found in these logs.".to_string(),
        (0, 0) => format!(
            "None of the {} is broken or at risk in these logs.",
            plural(total, "integration", "integrations")
        ),
        (0, _) => format!(
            "No integration is broken yet, but {} of {} {} Partner Center as App+User without MFA and will be rejected once enforcement reaches {}.",
            group(at_risk),
            group(total),
            if at_risk == 1 { "calls" } else { "call" },
            if at_risk == 1 { "it" } else { "them" },
        ),
        _ => format!(
            "{} of {} {} broken: Partner Center already rejects {} App+User calls (900421). {} more {} at risk.",
            group(broken),
            group(total),
            if broken == 1 { "integration is" } else { "integrations are" },
            if broken == 1 { "its" } else { "their" },
            group(at_risk),
            if at_risk == 1 { "is" } else { "are" },
        ),
    }
}

/// A verdict's count in the summary's totals.
pub fn by_verdict(totals: &VerdictTotals, verdict: Verdict) -> u64 {
    match verdict {
        Verdict::Broken => totals.broken,
        Verdict::AtRisk => totals.at_risk,
        Verdict::Compliant => totals.compliant,
        Verdict::NotAffected => totals.not_affected,
        Verdict::Unknown => totals.unknown,
    }
}

/// Human words for a verdict.
pub fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Broken => "broken",
        Verdict::AtRisk => "at risk",
        Verdict::Compliant => "compliant",
        Verdict::NotAffected => "not affected",
        Verdict::Unknown => "unknown",
    }
}

/// Chart and badge colour of a verdict (WCAG AA against white for text use
/// is handled by the badge palette in the stylesheet).
pub fn verdict_color(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Broken => "#c62828",
        Verdict::AtRisk => "#ef8f00",
        Verdict::Compliant => "#2e7d32",
        Verdict::NotAffected => "#9aa3ad",
        Verdict::Unknown => "#6a4fa3",
    }
}

/// `2026-06-01T08:15:03.123Z` as `2026-06-01 08:15`.
fn minutes(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => iso.to_string(),
    }
}

/// A timestamp as `2026-06-01 08:15`.
pub fn format_minutes(micros: Micros) -> String {
    minutes(&format_iso(micros))
}

/// A count with thousands separators: `1,234,567`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A byte count as `512 B`, `1.2 MB`, ...
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `1 integration` / `2 integrations`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(n), if n == 1 { one } else { many })
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_times_read_well() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1_234_567), "1.2 MB");
        assert_eq!(minutes("2026-06-01T08:15:03.123Z"), "2026-06-01 08:15");
        assert_eq!(minutes("odd"), "odd");
        assert_eq!(plural(1, "call", "calls"), "1 call");
        assert_eq!(plural(1200, "call", "calls"), "1,200 calls");
    }
}
