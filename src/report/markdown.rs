//! `report.md`: the headline and the top of the ranking in Markdown, to
//! paste into an email, a chat or an issue. Plain enough to read as text;
//! every string from the logs is escaped so it stays inside its cell.

use std::fmt::Write;

use super::escape::markdown as esc;
use super::{
    by_verdict, group, lead_sentence, plural, verdict_label, ReportData, REPORT_HTML,
    TOP_INTEGRATIONS,
};
use crate::aggregate::IntegrationRow;
use crate::vocab::Verdict;

/// `Name (key)`, or the key alone.
fn integration(data: &ReportData, row: &IntegrationRow) -> String {
    let name = data.display_name(row);
    if name == row.integration {
        esc(name)
    } else {
        format!("{} ({})", esc(name), esc(&row.integration))
    }
}

/// Renders the whole file.
pub fn render(data: &ReportData) -> String {
    let s = data.summary;
    let mut md = String::from("# Partner Center MFA readiness\n\n");
    let range = data
        .data_range()
        .map(|r| format!("Logs from {r}"))
        .unwrap_or_else(|| "No event carried a time".to_string());
    let _ = writeln!(
        md,
        "{range} · {} read, {} · {} Partner Center calls and sign-ins.\n",
        plural(s.inputs.files, "file", "files"),
        plural(s.accounting.records, "record", "records"),
        group(s.partner_center.events)
    );
    if s.status != "complete" {
        md.push_str("**Partial run:** some input was unreadable, cut short or held records that could not be read (see summary.json and rejects.csv).\n\n");
    }
    for verdict in Verdict::ALL {
        let n = by_verdict(&s.integrations.by_verdict, verdict);
        let calls = by_verdict(&s.partner_center.by_verdict, verdict);
        if verdict == Verdict::Unknown && n == 0 && calls == 0 {
            continue;
        }
        let text = format!(
            "{} {}",
            plural(n, "integration", "integrations"),
            verdict_label(verdict)
        );
        let strong = matches!(verdict, Verdict::Broken | Verdict::AtRisk) && n > 0;
        let _ = writeln!(
            md,
            "- {} ({} {})",
            if strong { format!("**{text}**") } else { text },
            plural(calls, "call", "calls"),
            verdict_label(verdict)
        );
    }
    let _ = writeln!(md, "\n{}\n", lead_sentence(s));

    if !data.integrations.is_empty() {
        let shown = data.integrations.len().min(TOP_INTEGRATIONS);
        let _ = writeln!(
            md,
            "## {}\n",
            if shown == data.integrations.len() {
                "Integrations, worst first".to_string()
            } else {
                format!("The {shown} worst integrations")
            }
        );
        let owner = data.catalog.is_some();
        md.push_str(if owner {
            "| # | Integration | Owner | Verdict | Calls | Broken | At risk | Action |\n| ---: | --- | --- | --- | ---: | ---: | ---: | --- |\n"
        } else {
            "| # | Integration | Verdict | Calls | Broken | At risk | Action |\n| ---: | --- | --- | ---: | ---: | ---: | --- |\n"
        });
        for row in data.integrations.iter().take(shown) {
            let _ = write!(md, "| {} | {} |", row.rank, integration(data, row));
            if owner {
                let cell = match data.entry(row) {
                    None => "*not in catalog*".to_string(),
                    Some(entry) => {
                        let mut cell = esc(entry.owner.as_deref().unwrap_or("–"));
                        if let Some(contact) = &entry.contact {
                            let _ = write!(cell, " ({})", esc(contact));
                        }
                        cell
                    }
                };
                let _ = write!(md, " {cell} |");
            }
            let _ = writeln!(
                md,
                " {} | {} | {} | {} | {} |",
                verdict_label(row.verdict),
                group(row.counts.total()),
                group(row.counts.get(Verdict::Broken)),
                group(row.counts.get(Verdict::AtRisk)),
                esc(&row.action)
            );
        }
        let more = data.integrations.len() - shown;
        if more > 0 {
            let _ = writeln!(
                md,
                "\n{} more {} in {REPORT_HTML} and integrations.csv.",
                group(more as u64),
                if more == 1 {
                    "integration"
                } else {
                    "integrations"
                }
            );
        }
        md.push('\n');
    }

    if data.catalog.is_some() {
        let missing = data.not_in_catalog();
        md.push_str("## Partner Center callers not in the catalog\n\n");
        if missing.is_empty() {
            md.push_str("Every Partner Center caller is in the catalog.\n\n");
        } else {
            for row in missing {
                let _ = writeln!(
                    md,
                    "- {}: {}, {}",
                    integration(data, row),
                    verdict_label(row.verdict),
                    plural(row.counts.total(), "call", "calls")
                );
            }
            md.push('\n');
        }
    }

    for section in data.sections {
        if let Some(body) = &section.markdown {
            let _ = writeln!(md, "## {}\n\n{}\n", esc(&section.title), body.trim_end());
        }
    }
    let _ = writeln!(
        md,
        "Full report: {REPORT_HTML} (charts, every integration, operations, inputs). Made by {} {}.",
        s.tool, s.tool_version
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::Fixture;

    #[test]
    fn headline_then_ranking_with_owners() {
        let fixture = Fixture::new();
        let md = render(&fixture.data());
        assert!(md.starts_with("# Partner Center MFA readiness\n\nLogs from 2026-06-01 08:15 to 2026-06-04 17:30 UTC · 3 files read, 310 records · 120 Partner Center calls and sign-ins.\n\n- **2 integrations broken** (95 calls broken)\n- **1 integration at risk** (13 calls at risk)\n"), "{md}");
        assert!(md.contains("| 1 | Contoso Billing Sync (39441d62-a8e1-4810-a850-20bf12239031) | Billing team (billing@relecloud.example) | broken | 90 | 84 | 6 | Fix now:"));
        assert!(md.contains("\n## Partner Center callers not in the catalog\n\n- "));
    }

    #[test]
    fn a_hostile_name_stays_in_its_cell() {
        let fixture = Fixture::new();
        let md = render(&fixture.data());
        let line = md
            .lines()
            .find(|l| l.contains("alert(1)") && l.starts_with("| "))
            .unwrap();
        // Every cell separator is one of ours: 8 columns, 9 unescaped pipes.
        let unescaped = line.replace("\\|", "").matches('|').count();
        assert_eq!(unescaped, 9, "{line}");
        assert!(
            line.contains("\\<script\\>alert(1)\\</script\\> \\| pipe \\`x\\`"),
            "{line}"
        );
        assert!(!md.contains("<script>"));
    }

    #[test]
    fn only_the_top_rows_and_a_pointer_to_the_rest() {
        let mut fixture = Fixture::new();
        let template = fixture.integrations[3].clone();
        for i in 0..12 {
            let mut row = template.clone();
            row.rank = 5 + i;
            row.integration = format!("extra-{i}");
            (row.app_id, row.app_name) = (None, None);
            fixture.integrations.push(row);
        }
        let md = render(&fixture.data());
        assert!(md.contains("## The 10 worst integrations\n"));
        assert!(md.contains("| 10 | extra-5 |"));
        assert!(!md.contains("\n| 11 |"));
        assert!(md.contains("\n6 more integrations in report.html and integrations.csv.\n"));
    }
}
