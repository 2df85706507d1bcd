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
        action: Some("Fix now: use MFA.".to_string()),
    }
}

fn info(dir: &str, status: &str, first: &str) -> RunInfo {
    RunInfo {
        dir: dir.into(),
        status: status.into(),
        first: Some(first.into()),
        last: Some("2026-06-14T23:59:59.000Z".into()),
        events: 42,
    }
}

#[test]
fn escaping_defuses_links_html_and_table_cells() {
    assert_eq!(
        escape_markdown("[click](https://evil.example) <b>|x|</b> *a* _b_ `c` &amp; ~d~ \\"),
        "\\[click\\](https:\\/\\/evil.example) \\<b\\>\\|x\\|\\</b\\> \\*a\\* \\_b\\_ \\`c\\` \\&amp; \\~d\\~ \\\\"
    );
    assert_eq!(escape_markdown("line\nbreak\ttab"), "line break tab");
    assert_eq!(
        escape_markdown("ua:python-requests/2.32.3"),
        "ua:python-requests/2.32.3"
    );
    assert_eq!(
        escape_markdown("Legacy Invoice Export (PowerShell)"),
        "Legacy Invoice Export (PowerShell)"
    );
    let long = "x".repeat(200);
    assert_eq!(cell(&long), format!("{}…", "x".repeat(MAX_CELL_CHARS - 1)));
    assert_eq!(
        cell("é".repeat(81).as_str()).chars().count(),
        MAX_CELL_CHARS
    );
}

#[test]
fn document_has_a_headline_the_runs_and_one_table_per_change() {
    let diff = compare(
        info("reports/w22", "complete", "2026-06-01T00:00:00.000Z"),
        vec![
            row("a", Some("Contoso | Billing"), [0, 5, 0, 0, 0]),
            row("b", None, [0, 0, 8, 0, 0]),
            row("c", None, [2, 0, 0, 0, 0]),
        ],
        info("reports/w23", "partial", "2026-06-08T00:00:00.000Z"),
        vec![
            row("a", Some("Contoso | Billing"), [7, 0, 0, 0, 0]),
            row("b", None, [0, 0, 4, 0, 0]),
            row("d", Some("<script>"), [0, 0, 0, 3, 0]),
        ],
    );
    let md = render_markdown(&diff);
    let expected_start = "# pcmfa diff\n\n\
        **1 newly broken, 1 new, 1 gone silent**; 1 unchanged.\n\n\
        | | OLD | NEW |\n| --- | --- | --- |\n\
        | run | reports/w22 | reports/w23 |\n\
        | events from | 2026-06-01 00:00 to 2026-06-14 23:59 UTC | 2026-06-08 00:00 to 2026-06-14 23:59 UTC |\n";
    assert!(md.starts_with(expected_start), "{md}");
    assert!(md.contains("| status | complete | partial |\n"), "{md}");
    assert!(md.contains("> **Note:** NEW is partial"), "{md}");
    assert!(md.contains(
        "## Newly broken (1)\n\n\
         | integration | verdict (old → new) | calls | broken | at risk | what to do |\n\
         | --- | --- | ---: | ---: | ---: | --- |\n\
         | Contoso \\| Billing (a) | at_risk → broken | 5 → 7 (+40.0%) | 0 → 7 | 5 → 0 | Fix now: use MFA. |\n"
    ), "{md}");
    assert!(
        md.contains("| \\<script\\> (d) | - → not_affected | 0 → 3 | 0 → 0 | 0 → 0 |\n"),
        "{md}"
    );
    assert!(md.contains("## Gone silent (1)"), "{md}");
    assert!(
        md.contains("| c | broken → - | 2 → 0 (-100.0%) | 2 → 0 | 0 → 0 |"),
        "{md}"
    );
    assert!(
        md.contains(
            "## Volume changes, same verdict (1)\n\n\
         | integration | verdict | calls | broken | at risk |\n\
         | --- | --- | ---: | ---: | ---: |\n\
         | b | compliant | 8 → 4 (-50.0%) | 0 → 0 | 0 → 0 |\n"
        ),
        "{md}"
    );
    assert!(!md.contains("## Fixed"), "empty sections are left out");
    assert!(!md.contains("<script>"));
}

#[test]
fn no_change_says_so_and_swapped_runs_are_flagged() {
    let diff = compare(
        info("new", "complete", "2026-06-08T00:00:00.000Z"),
        vec![row("a", None, [0, 0, 1, 0, 0])],
        info("old", "complete", "2026-06-01T00:00:00.000Z"),
        vec![row("a", None, [0, 0, 1, 0, 0])],
    );
    assert_eq!(
        headline(&diff),
        "**No integration changed verdict** (1 integration in both runs)."
    );
    let md = render_markdown(&diff);
    assert!(md.contains("right order"), "{md}");
    assert!(
        !md.contains("## "),
        "no section when nothing changed:\n{md}"
    );
}

#[test]
fn long_sections_are_cut_with_a_pointer_to_the_csv() {
    let new: Vec<_> = (0..30)
        .map(|i| row(&format!("k{i:02}"), None, [1, 0, 0, 0, 0]))
        .collect();
    let diff = compare(
        info("o", "complete", "2026-06-01T00:00:00.000Z"),
        vec![],
        info("n", "complete", "2026-06-08T00:00:00.000Z"),
        new,
    );
    let md = render_markdown(&diff);
    assert!(md.contains("## Newly broken (30)"));
    assert_eq!(md.matches("| - → broken |").count(), MAX_SECTION_ROWS);
    assert!(md.contains("…and 5 more in `diff.csv`."), "{md}");
}
