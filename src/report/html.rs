//! `report.html`: one self-contained page a person reads on a laptop, a
//! phone or paper.
//!
//! No network, no external script, style sheet or font: the style and a
//! small sorting script are inline, and a Content-Security-Policy admits
//! exactly those two (by hash), so nothing a log smuggles into the page can
//! run even if escaping were ever missed. Without scripts the ranking is
//! still there, worst first; the script only adds sorting by any column.
//! Sections: headline, calls per day, worst integrations, the ranking with
//! the action for each, callers missing from the catalog, extra sections
//! (e.g. a diff), the operations most affected, and what was read.

use std::fmt::Write;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::escape::html as esc;
use super::svg::{daily_chart, worst_integrations_chart};
use super::{
    by_verdict, format_minutes, group, human_bytes, lead_sentence, plural, verdict_label,
    ReportData, TOP_INTEGRATIONS, TOP_OPERATIONS,
};
use crate::aggregate::IntegrationRow;
use crate::vocab::Verdict;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("sort.js");

/// `'sha256-<base64>'` for a Content-Security-Policy source list.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The CSS class of a verdict (`v-at_risk`).
fn class(verdict: Verdict) -> String {
    format!("v-{}", verdict.as_str())
}

fn badge(verdict: Verdict) -> String {
    format!(
        r#"<span class="badge {}">{}</span>"#,
        class(verdict),
        verdict_label(verdict)
    )
}

/// Renders the whole page.
pub fn render(data: &ReportData) -> String {
    let mut page = String::with_capacity(64 * 1024);
    let s = data.summary;
    let _ = write!(
        page,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src {}; script-src {}; img-src data:">
<meta name="generator" content="{} {}">
<title>Partner Center MFA readiness · pcmfa</title>
<style>{STYLE}</style>
</head>
<body>
<main>
"#,
        csp_hash(STYLE),
        csp_hash(SCRIPT),
        esc(s.tool),
        esc(s.tool_version),
    );
    header(&mut page, data);
    headline(&mut page, data);
    daily(&mut page, data);
    worst(&mut page, data);
    ranking(&mut page, data);
    catalog(&mut page, data);
    for section in data.sections {
        let _ = write!(
            page,
            "<section id=\"{}\">\n<h2>{}</h2>\n{}\n</section>\n",
            esc(&section.id),
            esc(&section.title),
            section.html
        );
    }
    operations(&mut page, data);
    inputs(&mut page, data);
    let _ = write!(
        page,
        r#"<footer>Made by {} {} (output schema {}) from the same run as <code>summary.json</code>. Full data: <code>integrations.csv</code>, <code>operations.csv</code>, <code>daily.csv</code>, <code>calls.parquet</code>.</footer>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"#,
        esc(s.tool),
        esc(s.tool_version),
        s.schema_version
    );
    page
}

fn header(page: &mut String, data: &ReportData) {
    let s = data.summary;
    let range = data
        .data_range()
        .map(|r| format!("Logs from {r}"))
        .unwrap_or_else(|| "No event carried a time".to_string());
    let _ = write!(
        page,
        r##"<header>
<h1>Partner Center MFA readiness</h1>
<p class="meta">{} · {} read, {} · {} Partner Center {}</p>
"##,
        esc(&range),
        plural(s.inputs.files, "file", "files"),
        plural(s.accounting.records, "record", "records"),
        group(s.partner_center.events),
        if s.partner_center.events == 1 {
            "call or sign-in"
        } else {
            "calls and sign-ins"
        },
    );
    if s.status != "complete" {
        page.push_str(
            r##"<p class="warning"><strong>Partial run:</strong> some input was unreadable, cut short or held records that could not be read. The report covers what was read; see <a href="#inputs">What was read</a>.</p>
"##,
        );
    }
    page.push_str(
        r##"<nav class="toc noprint"><a href="#daily">Per day</a> <a href="#worst">Worst</a> <a href="#ranking">Ranking</a> "##,
    );
    if data.catalog.is_some() {
        page.push_str(r##"<a href="#catalog">Not in catalog</a> "##);
    }
    for section in data.sections {
        let _ = write!(
            page,
            "<a href=\"#{}\">{}</a> ",
            esc(&section.id),
            esc(&section.title)
        );
    }
    page.push_str(
        r##"<a href="#operations">Operations</a> <a href="#inputs">What was read</a></nav>
</header>
"##,
    );
}

fn headline(page: &mut String, data: &ReportData) {
    let s = data.summary;
    let integrations = &s.integrations.by_verdict;
    let events = &s.partner_center.by_verdict;
    page.push_str("<section id=\"headline\" aria-label=\"Headline\">\n<div class=\"cards\">\n");
    for verdict in Verdict::ALL {
        let n = by_verdict(integrations, verdict);
        if verdict == Verdict::Unknown && n == 0 && by_verdict(events, verdict) == 0 {
            continue;
        }
        let _ = writeln!(
            page,
            r#"<div class="card {}"><div class="n">{}</div><div class="what">{} {}</div><div class="calls">{} {}</div></div>"#,
            class(verdict),
            group(n),
            if n == 1 {
                "integration"
            } else {
                "integrations"
            },
            verdict_label(verdict),
            plural(by_verdict(events, verdict), "call", "calls"),
            verdict_label(verdict),
        );
    }
    page.push_str("</div>\n");
    let lead = lead_sentence(s);
    let _ = writeln!(page, "<p class=\"lead\">{}</p>\n</section>", esc(&lead));
}

fn legend(page: &mut String) {
    page.push_str("<ul class=\"legend\" aria-label=\"Legend\">");
    for verdict in Verdict::ALL {
        let _ = write!(
            page,
            r#"<li class="{}"><i aria-hidden="true"></i>{}</li>"#,
            class(verdict),
            verdict_label(verdict)
        );
    }
    page.push_str("</ul>\n");
}

fn daily(page: &mut String, data: &ReportData) {
    page.push_str("<section id=\"daily\">\n<h2>Partner Center calls per day</h2>\n");
    match daily_chart(data.daily) {
        Some(svg) => {
            legend(page);
            let _ = writeln!(page, "<figure>{svg}</figure>");
        }
        None => page.push_str("<p>No event carried a time, so there is no daily chart.</p>\n"),
    }
    page.push_str("</section>\n");
}

fn worst(page: &mut String, data: &ReportData) {
    page.push_str("<section id=\"worst\">\n<h2>Worst integrations</h2>\n");
    match worst_integrations_chart(data, TOP_INTEGRATIONS) {
        Some(svg) => {
            let _ = writeln!(
                page,
                "<p class=\"meta\">The {} ranked first, calls by verdict.</p>",
                plural(
                    data.integrations.len().min(TOP_INTEGRATIONS) as u64,
                    "integration",
                    "integrations"
                )
            );
            legend(page);
            let _ = writeln!(page, "<figure>{svg}</figure>");
        }
        None => page.push_str("<p>No integration called Partner Center.</p>\n"),
    }
    page.push_str("</section>\n");
}

/// A header cell; `num` right-aligns it and sorts it as a number.
fn th(label: &str, num: bool) -> String {
    if num {
        format!("<th class=\"num\" data-type=\"num\" scope=\"col\">{label}</th>")
    } else {
        format!("<th scope=\"col\">{label}</th>")
    }
}

fn num_cell(n: u64) -> String {
    format!("<td class=\"num\" data-v=\"{n}\">{}</td>", group(n))
}

/// Name in bold with the key under it, or the key alone.
fn integration_cell(data: &ReportData, row: &IntegrationRow) -> String {
    let name = data.display_name(row);
    if name == row.integration {
        format!(
            "<td class=\"integration\"><span class=\"mono\">{}</span></td>",
            esc(name)
        )
    } else {
        format!(
            "<td class=\"integration\"><strong>{}</strong><span class=\"id mono\">{}</span></td>",
            esc(name),
            esc(&row.integration)
        )
    }
}

fn time_cell(time: Option<i64>) -> String {
    match time {
        Some(t) => {
            let text = format_minutes(t);
            let (date, time) = text.split_once(' ').unwrap_or((&text, ""));
            format!("<td class=\"when\" data-v=\"{t}\">{date} <span>{time}</span></td>")
        }
        None => "<td data-v=\"\">–</td>".to_string(),
    }
}

fn ranking(page: &mut String, data: &ReportData) {
    page.push_str("<section id=\"ranking\">\n<h2>All integrations, worst first</h2>\n");
    if data.integrations.is_empty() {
        page.push_str("<p>No integration called Partner Center.</p>\n</section>\n");
        return;
    }
    page.push_str("<p class=\"meta noprint\">Select a column heading to sort by it.");
    if data.catalog.is_none() {
        page.push_str(
            " Pass <code>--catalog apps.csv</code> (app_id, name, owner, contact, notes) to show who owns each integration.",
        );
    }
    page.push_str("</p>\n<div class=\"table-wrap\">\n<table class=\"sortable\" id=\"integrations\">\n<thead><tr>");
    page.push_str(&th("#", true));
    page.push_str(&th("Integration", false));
    if data.catalog.is_some() {
        page.push_str(&th("Owner", false));
    }
    // Sorted by severity (a number), shown as a word.
    page.push_str("<th data-type=\"num\" scope=\"col\">Verdict</th>");
    for label in [
        "Calls",
        "Broken",
        "At risk",
        "Compliant",
        "Not affected",
        "Unknown",
        "Users",
    ] {
        page.push_str(&th(label, true));
    }
    page.push_str(&th("Last seen", true));
    page.push_str(&th("Last broken", true));
    page.push_str("</tr></thead>\n");
    let columns = 12 + usize::from(data.catalog.is_some());
    // One <tbody> per integration: its figures, then its action on a line of
    // its own, so sorting moves both and the table stays narrow.
    for row in data.integrations.iter().take(MAX_TABLE_ROWS) {
        let _ = write!(
            page,
            "<tbody class=\"{}\" data-rank=\"{}\"><tr>{}{}",
            class(row.verdict),
            row.rank,
            num_cell(u64::from(row.rank)),
            integration_cell(data, row)
        );
        if data.catalog.is_some() {
            page.push_str(&owner_cell(data, row));
        }
        let _ = write!(
            page,
            "<td data-v=\"{}\">{}</td>",
            row.verdict.index(),
            badge(row.verdict)
        );
        page.push_str(&num_cell(row.counts.total()));
        for verdict in Verdict::ALL {
            page.push_str(&num_cell(row.counts.get(verdict)));
        }
        page.push_str(&num_cell(row.principals));
        page.push_str(&time_cell(row.last_seen));
        page.push_str(&time_cell(row.last_broken));
        let _ = write!(
            page,
            "</tr>\n<tr class=\"detail\"><td colspan=\"{columns}\"><div><span class=\"action\"><b>Action:</b> {}</span>",
            esc(&row.action)
        );
        if !row.top_operations.is_empty() {
            page.push_str(" <span class=\"ops\"><b>Failing:</b> ");
            for (i, op) in row.top_operations.iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                let _ = write!(page, "{sep}<code>{}</code>", esc(op));
            }
            page.push_str("</span>");
        }
        if let Some(notes) = data.entry(row).and_then(|e| e.notes.as_deref()) {
            let _ = write!(
                page,
                " <span class=\"notes\"><b>Notes:</b> {}</span>",
                esc(notes)
            );
        }
        page.push_str("</div></td></tr></tbody>\n");
    }
    page.push_str("</table>\n</div>\n");
    more_in_csv(page, data.integrations.len());
    page.push_str("</section>\n");
}

/// Tables stop at this many rows, so the page stays quick to open; the CSV has them all.
const MAX_TABLE_ROWS: usize = 1000;

/// Says how many rows a capped table left out.
fn more_in_csv(page: &mut String, rows: usize) {
    if rows > MAX_TABLE_ROWS {
        let _ = writeln!(
            page,
            "<p class=\"meta\">The first {} of {} integrations are shown; <code>integrations.csv</code> has them all.</p>",
            group(MAX_TABLE_ROWS as u64),
            group(rows as u64)
        );
    }
}

fn owner_cell(data: &ReportData, row: &IntegrationRow) -> String {
    match data.entry(row) {
        None => {
            "<td class=\"owner\"><span class=\"missing\">not in catalog</span></td>".to_string()
        }
        Some(entry) => {
            let mut cell = String::from("<td class=\"owner\">");
            cell.push_str(&esc(entry.owner.as_deref().unwrap_or("–")));
            if let Some(contact) = &entry.contact {
                let _ = write!(cell, "<span class=\"id\">{}</span>", esc(contact));
            }
            cell.push_str("</td>");
            cell
        }
    }
}

fn catalog(page: &mut String, data: &ReportData) {
    let Some(catalog) = data.catalog else {
        return;
    };
    let missing = data.not_in_catalog();
    page.push_str("<section id=\"catalog\">\n<h2>Partner Center callers not in the catalog</h2>\n");
    if missing.is_empty() {
        let _ = writeln!(
            page,
            "<p>Every Partner Center caller is in the catalog ({}).</p>",
            plural(catalog.len() as u64, "entry", "entries")
        );
    } else {
        let _ = writeln!(
            page,
            "<p>{} called Partner Center but {} not in the catalog ({}): find {} owner and add {}.</p>",
            plural(missing.len() as u64, "integration", "integrations"),
            if missing.len() == 1 { "is" } else { "are" },
            plural(catalog.len() as u64, "entry", "entries"),
            if missing.len() == 1 { "its" } else { "their" },
            if missing.len() == 1 { "it" } else { "them" },
        );
        page.push_str("<div class=\"table-wrap\">\n<table id=\"not-in-catalog\">\n<thead><tr>");
        for (label, num) in [
            ("#", true),
            ("Integration", false),
            ("App id", false),
            ("Verdict", false),
            ("Calls", true),
        ] {
            page.push_str(&th(label, num));
        }
        page.push_str("</tr></thead>\n<tbody>\n");
        let total = missing.len();
        for row in missing.into_iter().take(MAX_TABLE_ROWS) {
            let _ = writeln!(
                page,
                "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td>{}</tr>",
                row.rank,
                esc(data.display_name(row)),
                esc(row.app_id.as_deref().unwrap_or("–")),
                badge(row.verdict),
                num_cell(row.counts.total())
            );
        }
        page.push_str("</tbody>\n</table>\n</div>\n");
        more_in_csv(page, total);
    }
    page.push_str("</section>\n");
}

fn operations(page: &mut String, data: &ReportData) {
    page.push_str("<section id=\"operations\">\n<h2>Operations most affected</h2>\n");
    let affected: Vec<_> = data
        .operations
        .iter()
        .filter(|op| op.counts.get(Verdict::Broken) + op.counts.get(Verdict::AtRisk) > 0)
        .take(TOP_OPERATIONS)
        .collect();
    if affected.is_empty() {
        let _ = writeln!(
            page,
            "<p>No operation had broken or at-risk calls ({} seen; see <code>operations.csv</code>).</p>",
            plural(data.operations.len() as u64, "operation", "operations")
        );
        page.push_str("</section>\n");
        return;
    }
    let _ = writeln!(
        page,
        "<p class=\"meta\">Operations with broken or at-risk calls, most broken first ({} of {}; all in <code>operations.csv</code>).</p>",
        affected.len(),
        plural(data.operations.len() as u64, "operation", "operations")
    );
    page.push_str("<div class=\"table-wrap\">\n<table id=\"operations-table\">\n<thead><tr>");
    page.push_str(&th("Operation", false));
    for label in [
        "Calls",
        "Broken",
        "At risk",
        "Compliant",
        "Not affected",
        "Unknown",
        "Integrations",
    ] {
        page.push_str(&th(label, true));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for op in affected {
        let _ = write!(
            page,
            "<tr><td><code>{}</code></td>{}",
            esc(&op.operation),
            num_cell(op.counts.total())
        );
        for verdict in Verdict::ALL {
            page.push_str(&num_cell(op.counts.get(verdict)));
        }
        let _ = writeln!(page, "{}</tr>", num_cell(op.integrations));
    }
    page.push_str("</tbody>\n</table>\n</div>\n</section>\n");
}

fn inputs(page: &mut String, data: &ReportData) {
    let s = data.summary;
    let acc = &s.accounting;
    let _ = writeln!(
        page,
        "<section id=\"inputs\">\n<h2>What was read</h2>\n<p>{} ({}) holding {}: {} Partner Center ({} API {}, {}), {} other, {} rejected. {}</p>",
        plural(s.inputs.files, "file", "files"),
        human_bytes(s.inputs.bytes),
        plural(acc.records, "record", "records"),
        group(acc.partner_center),
        group(s.partner_center.api_calls),
        if s.partner_center.api_calls == 1 { "call" } else { "calls" },
        plural(s.partner_center.sign_ins, "sign-in", "sign-ins"),
        group(acc.other),
        group(acc.rejected),
        if acc.holds {
            "Every record is accounted for."
        } else {
            "<strong>The accounting does not add up: please report this.</strong>"
        }
    );
    if acc.rejected > 0 {
        page.push_str("<p class=\"warning\"><code>rejects.csv</code> lists each rejected record: its file, record number and reason (never its content).</p>\n");
    }
    if !s.files.is_empty() {
        page.push_str("<div class=\"table-wrap\">\n<table id=\"files\">\n<thead><tr>");
        for (label, num) in [
            ("File", false),
            ("Format", false),
            ("Compression", false),
            ("Size", true),
            ("Records", true),
            ("Partner Center", true),
            ("Other", true),
            ("Rejected", true),
            ("Note", false),
        ] {
            page.push_str(&th(label, num));
        }
        page.push_str("</tr></thead>\n<tbody>\n");
        for file in &s.files {
            let _ = writeln!(
                page,
                "<tr><td class=\"mono path\">{}</td><td class=\"mono\">{}</td><td>{}</td><td class=\"num\">{}</td>{}{}{}{}<td>{}</td></tr>",
                esc(&file.path),
                esc(&file.format),
                esc(&file.compression),
                human_bytes(file.bytes),
                num_cell(file.records),
                num_cell(file.partner_center),
                num_cell(file.other),
                num_cell(file.rejected),
                esc(file.error.as_deref().unwrap_or(""))
            );
        }
        page.push_str("</tbody>\n</table>\n</div>\n");
    }
    for (title, list) in [
        (
            "Skipped (not a log format pcmfa reads)",
            s.skipped
                .iter()
                .map(|i| (&i.path, &i.reason))
                .collect::<Vec<_>>(),
        ),
        (
            "Unreadable",
            s.unreadable.iter().map(|i| (&i.path, &i.reason)).collect(),
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            page,
            "<h3>{title} ({})</h3>\n<ul class=\"paths\">",
            list.len()
        );
        for (path, reason) in list {
            let _ = writeln!(
                page,
                "<li><span class=\"mono\">{}</span>: {}</li>",
                esc(path),
                esc(reason)
            );
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::Fixture;

    #[test]
    fn page_is_self_contained_and_its_policy_admits_only_its_own_code() {
        let fixture = Fixture::new();
        let page = render(&fixture.data());
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(page.ends_with("</html>\n"));
        // The only URL is the SVG namespace: a name, never fetched.
        let rest = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for external in [
            "http:", "https:", "src=\"", "@import", "url(", "<link", "<iframe",
        ] {
            assert!(!rest.contains(external), "{external}");
        }
        assert!(page.contains(&format!("script-src {}", csp_hash(SCRIPT))));
        assert!(page.contains(&format!("style-src {}", csp_hash(STYLE))));
        assert_eq!(page.matches("<script>").count(), 1);
        assert!(
            !page.contains(" style=\""),
            "inline style attributes are blocked by the policy"
        );
    }

    #[test]
    fn hostile_names_are_text_not_markup() {
        let fixture = Fixture::new();
        let page = render(&fixture.data());
        assert_eq!(page.matches("<script>").count(), 1, "only our own script");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; | pipe"));
        assert!(page.contains("&lt;img src=x onerror=alert(2)&gt;"));
        assert!(!page.contains("<img"));
    }

    #[test]
    fn ranking_lists_every_integration_with_owner_and_action() {
        let fixture = Fixture::new();
        let page = render(&fixture.data());
        let table = &page[page.find("id=\"integrations\"").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert_eq!(
            table.matches("<tbody class=").count(),
            fixture.integrations.len()
        );
        assert_eq!(
            table.matches("<tr class=\"detail\">").count(),
            fixture.integrations.len()
        );
        assert!(table.contains("Billing team<span class=\"id\">billing@relecloud.example</span>"));
        assert!(table.contains("<span class=\"missing\">not in catalog</span>"));
        assert!(table.contains("<b>Action:</b> Fix now: Partner Center rejects"));
        assert!(table.contains("<b>Failing:</b> <code>GET /v1/customers</code>, <code>GET /v1/customers/{id}/subscriptions</code>"));
        assert!(table.contains("<b>Notes:</b> Secure Application Model"));
        // The catalog's name wins over the logs'.
        assert!(table.contains("<strong>Contoso Billing Sync</strong>"));
        let missing = &page[page.find("id=\"not-in-catalog\"").unwrap()..];
        assert!(missing.contains("&lt;script&gt;"));
    }

    #[test]
    fn without_a_catalog_there_is_no_owner_column_but_a_hint() {
        let mut fixture = Fixture::new();
        fixture.catalog = None;
        let page = render(&fixture.data());
        assert!(!page.contains(">Owner</th>"));
        assert!(!page.contains("id=\"catalog\""));
        assert!(page.contains("--catalog apps.csv"));
    }

    #[test]
    fn headline_counts_integrations_and_calls_by_verdict() {
        let fixture = Fixture::new();
        let page = render(&fixture.data());
        assert!(page.contains("<div class=\"card v-broken\"><div class=\"n\">2</div><div class=\"what\">integrations broken</div><div class=\"calls\">95 calls broken</div></div>"));
        assert!(page.contains("<div class=\"card v-at_risk\"><div class=\"n\">1</div><div class=\"what\">integration at risk</div>"));
        assert!(page.contains("2 of 4 integrations are broken"));
        assert!(page.contains("Logs from 2026-06-01 08:15 to 2026-06-04 17:30 UTC"));
    }

    #[test]
    fn partial_runs_and_rejects_are_called_out() {
        let mut fixture = Fixture::new();
        fixture.summary.status = "partial";
        fixture.summary.accounting.rejected = 2;
        let page = render(&fixture.data());
        assert!(page.contains("<strong>Partial run:</strong>"));
        assert!(page.contains("<code>rejects.csv</code> lists each rejected record"));
    }

    #[test]
    fn extra_sections_are_placed_before_operations() {
        let fixture = Fixture::new();
        let sections = [crate::report::Section {
            id: "changes".into(),
            title: "Since last week <b>".into(),
            html: "<p>2 new</p>".into(),
            markdown: None,
        }];
        let mut data = fixture.data();
        data.sections = &sections;
        let page = render(&data);
        let at = page
            .find("<section id=\"changes\">\n<h2>Since last week &lt;b&gt;</h2>\n<p>2 new</p>")
            .unwrap();
        assert!(at < page.find("id=\"operations\"").unwrap());
        assert!(page.contains("<a href=\"#changes\">Since last week &lt;b&gt;</a>"));
    }

    #[test]
    fn long_rankings_stop_at_the_cap_and_say_so() {
        let mut fixture = Fixture::new();
        let template = fixture.integrations[2].clone();
        for i in 0..MAX_TABLE_ROWS {
            let mut row = template.clone();
            row.rank = 5 + i as u32;
            row.integration = format!("ua:bot/{i}");
            row.app_id = None;
            fixture.integrations.push(row);
        }
        let page = render(&fixture.data());
        assert_eq!(page.matches("<tbody class=").count(), MAX_TABLE_ROWS);
        assert!(page.contains("The first 1,000 of 1,004 integrations are shown"));
        // The catalog list is capped too: 1,002 callers are missing from it.
        assert_eq!(
            page.matches("<p class=\"meta\">The first 1,000 of").count(),
            2
        );
    }

    #[test]
    fn same_data_same_bytes() {
        let fixture = Fixture::new();
        assert_eq!(render(&fixture.data()), render(&fixture.data()));
    }

    /// Badges and cards use the same colours as the charts.
    #[test]
    fn stylesheet_uses_the_chart_palette() {
        for verdict in Verdict::ALL {
            let (class, color) = (class(verdict), crate::report::verdict_color(verdict));
            let rule = STYLE
                .lines()
                .find(|l| l.starts_with(&format!(".{class}{{")))
                .unwrap_or_else(|| panic!("no rule for .{class}"));
            assert!(rule.contains(&format!("--c:{color}")), "{rule}");
        }
    }
}
