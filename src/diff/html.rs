//! The comparison as an HTML fragment: the "Changes since the previous run"
//! section that `pcmfa diff` adds to the NEW run's `report.html`.
//!
//! The same content as `diff.md` (a lead sentence, both runs, one table per
//! kind of change, volume changes), in the report's own classes (verdict
//! badges, `table-wrap`, `num`). Every string from the logs or the command
//! line is HTML-escaped.

use std::fmt::Write as _;

use super::compare::{Change, Diff, DiffRow};
use super::csv::{action, DIFF_CSV};
use super::markdown::MAX_SECTION_ROWS;
use super::run::RunInfo;
use crate::report::escape::html as esc;
use crate::report::{verdict_label, Section};
use crate::vocab::Verdict;

/// The section's fragment id and title.
pub const SECTION_ID: &str = "changes";
pub const SECTION_TITLE: &str = "Changes since the previous run";

/// The comparison as an extra section of the NEW run's `report.html` and
/// `report.md`.
pub fn report_section(diff: &Diff) -> Section {
    Section {
        id: SECTION_ID.to_string(),
        title: SECTION_TITLE.to_string(),
        html: section_html(diff),
        markdown: Some(super::markdown::section_markdown(diff)),
    }
}

/// The section's inner HTML.
pub fn section_html(diff: &Diff) -> String {
    let mut html = String::new();
    let unchanged = diff.count(Change::Unchanged);
    let lead = match diff.changes_phrase() {
        Some(changes) => format!("{changes}; {unchanged} unchanged."),
        None => format!("No integration changed verdict ({unchanged} in both runs)."),
    };
    let _ = writeln!(html, "<p class=\"lead\">{}</p>", esc(&lead));
    let _ = writeln!(
        html,
        "<p class=\"meta\">Previous run: {}. This run: {}.</p>",
        describe(&diff.old),
        describe(&diff.new)
    );
    for warning in diff.warnings() {
        let _ = writeln!(html, "<p class=\"warning\">{}</p>", esc(&warning));
    }
    for change in Change::ALL {
        if change != Change::Unchanged {
            let rows: Vec<&DiffRow> = diff.rows_of(change).collect();
            table(&mut html, change.label(), &rows);
        }
    }
    let moved: Vec<&DiffRow> = diff
        .rows_of(Change::Unchanged)
        .filter(|r| r.calls_delta() != 0)
        .collect();
    table(&mut html, "volume changes, same verdict", &moved);
    let _ = writeln!(
        html,
        "<p class=\"meta\">Every integration of both runs: <code>{DIFF_CSV}</code>.</p>"
    );
    html
}

/// `reports/w22 (2026-06-01 00:06 to 2026-06-07 23:30 UTC, 658 Partner Center events, complete)`.
fn describe(run: &RunInfo) -> String {
    let minutes = |iso: &str| match (iso.get(..10), iso.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => iso.to_string(),
    };
    let range = match (&run.first, &run.last) {
        (Some(first), Some(last)) => format!("{} to {} UTC", minutes(first), minutes(last)),
        _ => "no timed events".to_string(),
    };
    format!(
        "<span class=\"mono\">{}</span> ({}, {} Partner Center events, {})",
        esc(&run.dir.display().to_string()),
        esc(&range),
        run.events,
        esc(&run.status)
    )
}

fn badge(verdict: Option<Verdict>) -> String {
    match verdict {
        Some(v) => format!(
            "<span class=\"badge v-{}\">{}</span>",
            v.as_str(),
            verdict_label(v)
        ),
        None => "<span class=\"meta\">none</span>".to_string(),
    }
}

fn table(html: &mut String, label: &str, rows: &[&DiffRow]) {
    if rows.is_empty() {
        return;
    }
    let mut title = label.to_string();
    title[..1].make_ascii_uppercase();
    let _ = writeln!(html, "<h3>{} ({})</h3>", esc(&title), rows.len());
    html.push_str("<div class=\"table-wrap\">\n<table class=\"diff\">\n<thead><tr><th scope=\"col\">Integration</th><th scope=\"col\">Verdict (before → now)</th><th class=\"num\" scope=\"col\">Calls (before → now)</th><th class=\"num\" scope=\"col\">Change</th><th class=\"num\" scope=\"col\">Broken</th><th class=\"num\" scope=\"col\">At risk</th><th scope=\"col\">What to do</th></tr></thead>\n<tbody>\n");
    for row in rows.iter().take(MAX_SECTION_ROWS) {
        let name = match row.app_name() {
            Some(name) => format!(
                "<strong>{}</strong><span class=\"id mono\">{}</span>",
                esc(name),
                esc(&row.integration)
            ),
            None => format!("<span class=\"mono\">{}</span>", esc(&row.integration)),
        };
        let change = match row.calls_delta_pct() {
            Some(pct) => format!("{:+} ({pct:+.1}%)", row.calls_delta()),
            None => format!("{:+}", row.calls_delta()),
        };
        let both = |v: Option<Verdict>| format!("{} → {}", row.count_old(v), row.count_new(v));
        let _ = writeln!(
            html,
            "<tr><td class=\"integration\">{name}</td><td>{} → {}</td><td class=\"num\">{}</td><td class=\"num\">{change}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            badge(row.verdict_old()),
            badge(row.verdict_new()),
            both(None),
            both(Some(Verdict::Broken)),
            both(Some(Verdict::AtRisk)),
            esc(action(row).unwrap_or_default()),
        );
    }
    html.push_str("</tbody>\n</table>\n</div>\n");
    if rows.len() > MAX_SECTION_ROWS {
        let _ = writeln!(
            html,
            "<p class=\"meta\">…and {} more in <code>{DIFF_CSV}</code>.</p>",
            rows.len() - MAX_SECTION_ROWS
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::VerdictCounts;
    use crate::diff::compare::compare;
    use crate::diff::run::RunIntegration;

    fn row(key: &str, name: Option<&str>, counts: [u64; 5]) -> RunIntegration {
        let counts = VerdictCounts(counts);
        RunIntegration {
            integration: key.to_string(),
            app_id: None,
            app_name: name.map(str::to_string),
            verdict: counts.worst(),
            counts,
            last_seen: None,
            last_broken: None,
            action: Some("Fix now.".to_string()),
        }
    }

    fn info(dir: &str, status: &str) -> RunInfo {
        RunInfo {
            dir: dir.into(),
            status: status.into(),
            first: Some("2026-06-01T00:06:11.167Z".into()),
            last: Some("2026-06-07T23:30:05.580Z".into()),
            events: 658,
        }
    }

    #[test]
    fn section_lists_each_change_with_badges_and_escapes_names() {
        let diff = compare(
            info("reports/<w22>", "complete"),
            vec![row("a", Some("Contoso"), [0, 5, 0, 0, 0])],
            info("reports/w23", "partial"),
            vec![
                row("a", Some("Contoso"), [6, 0, 0, 0, 0]),
                row("b", Some("<script>alert(1)</script>"), [0, 0, 0, 2, 0]),
            ],
        );
        let html = section_html(&diff);
        assert!(
            html.starts_with("<p class=\"lead\">1 newly broken, 1 new; 0 unchanged.</p>\n"),
            "{html}"
        );
        assert!(html.contains("<span class=\"mono\">reports/&lt;w22&gt;</span> (2026-06-01 00:06 to 2026-06-07 23:30 UTC, 658 Partner Center events, complete)"), "{html}");
        assert!(
            html.contains("<p class=\"warning\">NEW is partial: "),
            "{html}"
        );
        assert!(html.contains(
            "<tr><td class=\"integration\"><strong>Contoso</strong><span class=\"id mono\">a</span></td><td><span class=\"badge v-at_risk\">at risk</span> → <span class=\"badge v-broken\">broken</span></td><td class=\"num\">5 → 6</td><td class=\"num\">+1 (+20.0%)</td><td class=\"num\">0 → 6</td><td class=\"num\">5 → 0</td><td>Fix now.</td></tr>"
        ), "{html}");
        assert!(html.contains("<h3>New (1)</h3>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("<span class=\"meta\">none</span> → <span class=\"badge v-not_affected\">not affected</span>"), "{html}");
    }
}
