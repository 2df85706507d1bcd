//! `diff.md`: the comparison as a short headline and small tables, fit to
//! paste into a chat or an email.
//!
//! Log-derived text (app names, integration keys, folder names) is escaped,
//! so a hostile app name cannot inject links, HTML or table cells. Long
//! sections are cut at [`MAX_SECTION_ROWS`] rows with a pointer to `diff.csv`,
//! which holds every row.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use super::compare::{Change, Diff, DiffRow};
use super::csv::{action, DIFF_CSV};
use super::run::RunInfo;
use crate::error::Error;
use crate::output::AtomicFile;
use crate::report::escape;
use crate::vocab::Verdict;

pub const DIFF_MD: &str = "diff.md";

/// Rows shown per section; the rest are counted and left to `diff.csv`.
pub const MAX_SECTION_ROWS: usize = 25;

/// Longest log-derived text shown in a cell; longer text is cut with `…`.
const MAX_CELL_CHARS: usize = 80;

/// Writes `diff.md` into `dir` atomically.
pub fn write_diff_md(dir: &Path, diff: &Diff) -> Result<(), Error> {
    let mut file = AtomicFile::create(dir, DIFF_MD)?;
    file.write_all(render_markdown(diff).as_bytes())
        .map_err(|source| Error::Write {
            path: dir.join(DIFF_MD),
            source,
        })?;
    file.commit()
}

/// Escapes text for Markdown like the reports do ([`escape::markdown`]:
/// emphasis, code, links, HTML, entities and table cells are defused,
/// control characters become spaces), and breaks `://` so no bare URL
/// becomes a link.
pub fn escape_markdown(text: &str) -> String {
    escape::markdown(text).replace("://", ":\\/\\/")
}

/// Log-derived text for a table cell: cut to [`MAX_CELL_CHARS`], then escaped.
fn cell(text: &str) -> String {
    escape_markdown(&escape::truncate(text, MAX_CELL_CHARS))
}

/// The whole document.
pub fn render_markdown(diff: &Diff) -> String {
    format!("# pcmfa diff\n\n{}", body(diff, "##"))
}

/// The document without its title, for `report.md`'s changes section
/// (whose own heading is `##`).
pub fn section_markdown(diff: &Diff) -> String {
    body(diff, "###")
}

/// Everything under the title; `heading` opens each sub-section.
fn body(diff: &Diff, heading: &str) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "{}\n", headline(diff));
    runs_table(&mut md, &diff.old, &diff.new);
    for warning in diff.warnings() {
        let _ = writeln!(md, "> **Note:** {}\n", escape_markdown(&warning));
    }
    for change in Change::ALL {
        if change != Change::Unchanged {
            change_section(&mut md, heading, diff, change);
        }
    }
    volume_section(&mut md, heading, diff);
    let _ = writeln!(
        md,
        "Every integration of either run is in `{DIFF_CSV}`, with the columns the output contract describes."
    );
    md
}

/// One bold line: how many integrations changed, and how.
pub fn headline(diff: &Diff) -> String {
    let unchanged = diff.count(Change::Unchanged);
    match diff.changes_phrase() {
        Some(changes) => format!("**{changes}**; {unchanged} unchanged."),
        None => format!(
            "**No integration changed verdict** ({unchanged} {} in both runs).",
            plural(unchanged, "integration", "integrations")
        ),
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `2026-06-01T00:06:11.167Z` -> `2026-06-01 00:06`; other text escaped as is.
fn short_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(date), Some(time)) if iso.as_bytes().get(10) == Some(&b'T') => {
            format!("{date} {time}")
        }
        _ => escape_markdown(iso),
    }
}

fn time_range(run: &RunInfo) -> String {
    match (&run.first, &run.last) {
        (Some(first), Some(last)) => {
            format!("{} to {} UTC", short_time(first), short_time(last))
        }
        _ => "no timed events".to_string(),
    }
}

fn runs_table(md: &mut String, old: &RunInfo, new: &RunInfo) {
    let folder = |r: &RunInfo| cell(&r.dir.display().to_string());
    let _ = writeln!(md, "| | OLD | NEW |\n| --- | --- | --- |");
    let _ = writeln!(md, "| run | {} | {} |", folder(old), folder(new));
    let _ = writeln!(
        md,
        "| events from | {} | {} |",
        time_range(old),
        time_range(new)
    );
    let _ = writeln!(
        md,
        "| Partner Center events | {} | {} |",
        old.events, new.events
    );
    let _ = writeln!(
        md,
        "| status | {} | {} |\n",
        escape_markdown(&old.status),
        escape_markdown(&new.status)
    );
}

/// `Contoso Billing Sync (39441d62-...)`, or the key alone.
fn who(row: &DiffRow) -> String {
    let key = cell(&row.integration);
    match row.app_name() {
        Some(name) => format!("{} ({key})", cell(name)),
        None => key,
    }
}

fn verdict(v: Option<Verdict>) -> &'static str {
    v.map_or("-", Verdict::as_str)
}

/// `69 → 72`.
fn old_to_new(old: u64, new: u64) -> String {
    format!("{old} → {new}")
}

/// `69 → 72 (+4.3%)`.
fn calls(row: &DiffRow) -> String {
    let base = old_to_new(row.count_old(None), row.count_new(None));
    match row.calls_delta_pct() {
        Some(pct) => format!("{base} ({pct:+.1}%)"),
        None => base,
    }
}

fn change_section(md: &mut String, heading: &str, diff: &Diff, change: Change) {
    let rows: Vec<&DiffRow> = diff.rows_of(change).collect();
    if rows.is_empty() {
        return;
    }
    let with_action = matches!(change, Change::NewlyBroken | Change::NewlyAtRisk);
    let mut title = change.label().to_string();
    title[..1].make_ascii_uppercase();
    let _ = writeln!(md, "{heading} {title} ({})\n", rows.len());
    let _ = write!(
        md,
        "| integration | verdict (old → new) | calls | broken | at risk |"
    );
    let _ = writeln!(md, "{}", if with_action { " what to do |" } else { "" });
    let _ = write!(md, "| --- | --- | ---: | ---: | ---: |");
    let _ = writeln!(md, "{}", if with_action { " --- |" } else { "" });
    for row in rows.iter().take(MAX_SECTION_ROWS) {
        table_row(md, row, with_action);
    }
    more(md, rows.len());
}

fn table_row(md: &mut String, row: &DiffRow, with_action: bool) {
    let _ = write!(
        md,
        "| {} | {} → {} | {} | {} | {} |",
        who(row),
        verdict(row.verdict_old()),
        verdict(row.verdict_new()),
        calls(row),
        old_to_new(
            row.count_old(Some(Verdict::Broken)),
            row.count_new(Some(Verdict::Broken))
        ),
        old_to_new(
            row.count_old(Some(Verdict::AtRisk)),
            row.count_new(Some(Verdict::AtRisk))
        ),
    );
    if with_action {
        let _ = write!(
            md,
            " {} |",
            action(row).map(escape_markdown).unwrap_or_default()
        );
    }
    md.push('\n');
}

fn more(md: &mut String, total: usize) {
    if total > MAX_SECTION_ROWS {
        let _ = writeln!(
            md,
            "\n…and {} more in `{DIFF_CSV}`.",
            total - MAX_SECTION_ROWS
        );
    }
    md.push('\n');
}

/// Integrations whose verdict held but whose call volume moved.
fn volume_section(md: &mut String, heading: &str, diff: &Diff) {
    let rows: Vec<&DiffRow> = diff
        .rows_of(Change::Unchanged)
        .filter(|r| r.calls_delta() != 0)
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "{heading} Volume changes, same verdict ({})\n",
        rows.len()
    );
    let _ = writeln!(
        md,
        "| integration | verdict | calls | broken | at risk |\n| --- | --- | ---: | ---: | ---: |"
    );
    for row in rows.iter().take(MAX_SECTION_ROWS) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            who(row),
            verdict(row.verdict_new()),
            calls(row),
            old_to_new(
                row.count_old(Some(Verdict::Broken)),
                row.count_new(Some(Verdict::Broken))
            ),
            old_to_new(
                row.count_old(Some(Verdict::AtRisk)),
                row.count_new(Some(Verdict::AtRisk))
            ),
        );
    }
    more(md, rows.len());
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
