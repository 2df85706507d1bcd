//! End-to-end: `pcmfa diff OLD NEW` on two weekly runs of the real binary.
//!
//! OLD is the sample corpus plus one week of gateway lines written here; NEW
//! is the corpus without Partner Center's own report, with the Fiddler
//! capture exported twice, plus the next week's gateway lines, in which one
//! app starts getting 900421, one moves to MFA tokens, one stops calling and
//! new apps appear (one with a hostile display name).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::gateway::{app_token, gateway_lines, user_token};
use common::{pcmfa, read_csv, scan};

const AT_RISK_THEN_BROKEN: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
const BROKEN_THEN_FIXED: &str = "aaaaaaaa-0000-4000-8000-00000000000b";
const APP_ONLY_RETIRED: &str = "aaaaaaaa-0000-4000-8000-00000000000c";
const APP_ONLY_NEW: &str = "aaaaaaaa-0000-4000-8000-00000000000d";
const NEW_AT_RISK: &str = "aaaaaaaa-0000-4000-8000-00000000000e";
const HOSTILE: &str = "aaaaaaaa-0000-4000-8000-00000000000f";
/// In Partner Center's partnerRequests report only (dropped from NEW).
const ALPINE: &str = "bffb3d0e-21d0-4784-ae12-bd64604a8dd8";
const COHO: &str = "c8076caf-d78c-48b0-af2c-076fdbed4ce1";
/// In the Fiddler capture, exported twice in NEW.
const FOURTH_COFFEE: &str = "fe162265-865f-43f1-ac0a-ec74610ff784";
const CONTOSO: &str = "39441d62-a8e1-4810-a850-20bf12239031";
const HOSTILE_NAME: &str =
    "=HYPERLINK(\"https://evil.example\") [Pay now](https://evil.example) | <img src=x>";

/// A service-principal sign-in to Partner Center by an app with this name.
fn service_principal_sign_in(app: &str, name: &str) -> String {
    serde_json::json!({
        "time": "2026-06-09T10:00:00Z",
        "category": "ServicePrincipalSignInLogs",
        "properties": {
            "appId": app, "appDisplayName": name,
            "servicePrincipalId": "6fb41695-9f9a-47b7-9feb-7fe74702886f",
            "resourceId": "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd",
            "resourceDisplayName": "Microsoft Partner Center",
            "status": {"errorCode": 0}
        }
    })
    .to_string()
        + "\n"
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Two weekly runs, scanned by the real binary: (OLD out, NEW out).
fn two_weeks(root: &Path, scan_flags: &[&str]) -> (std::path::PathBuf, std::path::PathBuf) {
    let sample = common::root().join("sample-data/logs");
    let old_logs = root.join("logs-w22");
    copy_dir(&sample, &old_logs);
    let old_week = [
        gateway_lines(2, &user_token(AT_RISK_THEN_BROKEN, false), 5, false),
        gateway_lines(3, &user_token(BROKEN_THEN_FIXED, false), 4, true),
        gateway_lines(4, &app_token(APP_ONLY_RETIRED), 3, false),
    ]
    .concat();
    std::fs::write(old_logs.join("gateway/weekly-job.jsonl"), old_week).expect("write");

    let new_logs = root.join("logs-w23");
    copy_dir(&sample, &new_logs);
    std::fs::remove_dir_all(new_logs.join("partner-center")).expect("rm");
    std::fs::copy(
        new_logs.join("har/fourth-coffee-admin-console-2026-06-03.har"),
        new_logs.join("har/fourth-coffee-admin-console-2026-06-10.har"),
    )
    .expect("copy har");
    let new_week = [
        gateway_lines(9, &user_token(AT_RISK_THEN_BROKEN, false), 6, true),
        gateway_lines(10, &user_token(BROKEN_THEN_FIXED, true), 4, false),
        gateway_lines(11, &app_token(APP_ONLY_NEW), 2, false),
        gateway_lines(12, &user_token(NEW_AT_RISK, false), 3, false),
        service_principal_sign_in(HOSTILE, HOSTILE_NAME),
    ]
    .concat();
    std::fs::write(new_logs.join("gateway/weekly-job.jsonl"), new_week).expect("write");

    let (old_out, new_out) = (root.join("w22"), root.join("w23"));
    let flags: Vec<&str> = ["--quiet"].iter().chain(scan_flags).copied().collect();
    scan(&[old_logs.to_str().expect("utf8")], &old_out, &flags, 0);
    scan(&[new_logs.to_str().expect("utf8")], &new_out, &flags, 0);
    (old_out, new_out)
}

fn run_diff(old: &Path, new: &Path, out: &Path, expected_code: i32) -> std::process::Output {
    run_diff_with(old, new, out, &[], expected_code)
}

fn run_diff_with(
    old: &Path,
    new: &Path,
    out: &Path,
    flags: &[&str],
    expected_code: i32,
) -> std::process::Output {
    let mut args = vec![
        "diff",
        old.to_str().expect("utf8"),
        new.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ];
    args.extend_from_slice(flags);
    let output = pcmfa(&args);
    assert_eq!(
        output.status.code(),
        Some(expected_code),
        "stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    common::assert_no_token_shapes(out, &output);
    output
}

/// `report.html` without the changes section and its link: what remains
/// must be NEW's own report.
fn without_changes(html: &str) -> String {
    let link = "<a href=\"#changes\">Changes since the previous run</a> ";
    let start = html
        .find("<section id=\"changes\">")
        .expect("changes section");
    let end =
        start + html[start..].find("</section>\n").expect("section end") + "</section>\n".len();
    format!("{}{}", &html[..start], &html[end..]).replacen(link, "", 1)
}

fn by_key(rows: &[BTreeMap<String, String>]) -> BTreeMap<&str, &BTreeMap<String, String>> {
    rows.iter()
        .map(|r| (r["integration"].as_str(), r))
        .collect()
}

#[test]
fn diff_names_every_change_between_two_weeks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (old, new) = two_weeks(tmp.path(), &[]);
    let out = tmp.path().join("diff");
    let output = run_diff(&old, &new, &out, 0);
    assert!(output.stdout.is_empty(), "diff prints nothing on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 newly broken, 1 newly at risk, 2 new, 3 gone silent, 0 verdict changed, 1 fixed, 12 unchanged"),
        "{stderr}"
    );

    let rows = read_csv(&out.join("diff.csv"));
    let header: Vec<&str> = rows[0].keys().map(String::as_str).collect();
    let mut want_header = pcmfa::diff::DIFF_COLUMNS.to_vec();
    want_header.sort_unstable();
    assert_eq!(header, want_header);
    // Every integration of either run, once: the corpus's 14 and the weekly
    // job's 3 in OLD, and 3 first seen in NEW.
    assert_eq!(rows.len(), 14 + 3 + 3);
    let ranks: Vec<usize> = rows
        .iter()
        .map(|r| r["rank"].parse().expect("rank"))
        .collect();
    assert_eq!(ranks, (1..=rows.len()).collect::<Vec<_>>());
    let rows_by_key = by_key(&rows);
    let get = |key: &str, column: &str| -> &str { rows_by_key[key][column].as_str() };

    // (integration, change, verdict_old, verdict_new, calls_old, calls_new, calls_delta, calls_delta_pct)
    let expected = [
        (
            AT_RISK_THEN_BROKEN,
            "newly_broken",
            "at_risk",
            "broken",
            "5",
            "6",
            "1",
            "20.0",
        ),
        (
            NEW_AT_RISK,
            "newly_at_risk",
            "",
            "at_risk",
            "0",
            "3",
            "3",
            "",
        ),
        (APP_ONLY_NEW, "new", "", "not_affected", "0", "2", "2", ""),
        (HOSTILE, "new", "", "not_affected", "0", "1", "1", ""),
        (
            APP_ONLY_RETIRED,
            "gone_silent",
            "not_affected",
            "",
            "3",
            "0",
            "-3",
            "-100.0",
        ),
        (
            ALPINE,
            "gone_silent",
            "at_risk",
            "",
            "26",
            "0",
            "-26",
            "-100.0",
        ),
        (
            COHO,
            "gone_silent",
            "compliant",
            "",
            "31",
            "0",
            "-31",
            "-100.0",
        ),
        (
            BROKEN_THEN_FIXED,
            "fixed",
            "broken",
            "compliant",
            "4",
            "4",
            "0",
            "0.0",
        ),
        // 2 sign-ins and 7 calls in the capture; the capture twice in NEW.
        (
            FOURTH_COFFEE,
            "unchanged",
            "at_risk",
            "at_risk",
            "9",
            "16",
            "7",
            "77.8",
        ),
        (
            CONTOSO,
            "unchanged",
            "broken",
            "broken",
            "108",
            "108",
            "0",
            "0.0",
        ),
    ];
    for (key, change, old_v, new_v, calls_old, calls_new, delta, pct) in expected {
        assert_eq!(get(key, "change"), change, "{key}");
        assert_eq!(get(key, "verdict_old"), old_v, "{key}");
        assert_eq!(get(key, "verdict_new"), new_v, "{key}");
        assert_eq!(get(key, "calls_old"), calls_old, "{key}");
        assert_eq!(get(key, "calls_new"), calls_new, "{key}");
        assert_eq!(get(key, "calls_delta"), delta, "{key}");
        assert_eq!(get(key, "calls_delta_pct"), pct, "{key}");
    }
    assert_eq!(get(AT_RISK_THEN_BROKEN, "broken_new"), "6");
    assert_eq!(get(AT_RISK_THEN_BROKEN, "at_risk_old"), "5");
    assert_eq!(get(BROKEN_THEN_FIXED, "broken_old"), "4");
    assert_eq!(get(BROKEN_THEN_FIXED, "broken_new"), "0");
    // The latest 900421 of either run: the fixed app's is from OLD's week.
    assert_eq!(
        get(BROKEN_THEN_FIXED, "last_broken"),
        "2026-06-03T09:03:00.000Z"
    );
    assert_eq!(
        get(AT_RISK_THEN_BROKEN, "last_seen"),
        "2026-06-09T09:05:00.000Z"
    );
    assert!(get(AT_RISK_THEN_BROKEN, "action").starts_with("Fix now"));
    assert!(get(ALPINE, "action").starts_with("Confirm it was retired"));
    assert_eq!(get(CONTOSO, "app_name"), "Contoso Billing Sync");

    // Most urgent first: the kinds in contract order, ranks follow.
    let order = [
        "newly_broken",
        "newly_at_risk",
        "new",
        "gone_silent",
        "verdict_changed",
        "fixed",
        "unchanged",
    ];
    let kinds: Vec<usize> = rows
        .iter()
        .map(|r| {
            order
                .iter()
                .position(|k| *k == r["change"])
                .expect("known change")
        })
        .collect();
    assert!(kinds.windows(2).all(|w| w[0] <= w[1]), "{kinds:?}");
    assert_eq!(
        get(HOSTILE, "app_name"),
        format!("'{HOSTILE_NAME}"),
        "formula neutralised"
    );
    let csv_bytes = std::fs::read(out.join("diff.csv")).expect("diff.csv");
    assert!(
        csv_bytes.starts_with(b"\xEF\xBB\xBFrank,change,"),
        "BOM, then the header"
    );

    let md = std::fs::read_to_string(out.join("diff.md")).expect("diff.md");
    assert!(md.starts_with(
        "# pcmfa diff\n\n**1 newly broken, 1 newly at risk, 2 new, 3 gone silent, 1 fixed**; 12 unchanged.\n"
    ), "{md}");
    assert!(
        md.contains(&format!(
        "| {AT_RISK_THEN_BROKEN} | at_risk → broken | 5 → 6 (+20.0%) | 0 → 6 | 5 → 0 | Fix now: "
    )),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| {BROKEN_THEN_FIXED} | broken → compliant | 4 → 4 (+0.0%) | 4 → 0 | 0 → 0 |"
        )),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| Fourth Coffee Admin Console ({FOURTH_COFFEE}) | at_risk | 9 → 16 (+77.8%) |"
        )),
        "{md}"
    );
    // The hostile name is shown, defused: no link, no HTML, no extra cell.
    assert!(
        md.contains("\\[Pay now\\](https:\\/\\/evil.example) \\| \\<img src=x\\>"),
        "{md}"
    );
    let unescaped = regex::Regex::new(r"(^|[^\\])[<\[]").expect("regex");
    assert!(!unescaped.is_match(&md), "no raw < or [ anywhere:\n{md}");
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let new_html = std::fs::read_to_string(new.join("report.html")).expect("NEW's report.html");
    assert!(
        without_changes(&html) == new_html,
        "NEW's report plus the section, nothing else"
    );
    assert!(html.contains("<h2>Changes since the previous run</h2>\n<p class=\"lead\">1 newly broken, 1 newly at risk, 2 new, 3 gone silent, 1 fixed; 12 unchanged.</p>"), "{html}");
    assert!(html.contains(&format!("<span class=\"mono\">{AT_RISK_THEN_BROKEN}</span></td><td><span class=\"badge v-at_risk\">at risk</span> → <span class=\"badge v-broken\">broken</span></td><td class=\"num\">5 → 6</td><td class=\"num\">+1 (+20.0%)</td>")), "{html}");
    assert!(
        html.contains("[Pay now](https://evil.example) | &lt;img src=x&gt;"),
        "hostile name shown as text"
    );
    assert!(!html.contains("<img"), "{html}");
    let report_md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let new_md = std::fs::read_to_string(new.join("report.md")).expect("NEW's report.md");
    let (head, changes) = report_md
        .split_once("## Changes since the previous run\n\n")
        .expect("changes in report.md");
    assert!(
        new_md.starts_with(head),
        "report.md: NEW's, then the changes"
    );
    assert!(
        changes.starts_with(
            "**1 newly broken, 1 newly at risk, 2 new, 3 gone silent, 1 fixed**; 12 unchanged."
        ),
        "{changes}"
    );
    assert!(changes.contains("\n### Newly broken (1)\n"), "{changes}");

    let sections: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        sections,
        [
            "## Newly broken (1)",
            "## Newly at risk (1)",
            "## New (2)",
            "## Gone silent (3)",
            "## Fixed (1)",
            "## Volume changes, same verdict (1)"
        ]
    );
}

#[test]
fn a_run_compared_with_itself_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = tmp.path().join("run");
    scan(&["sample-data/logs"], &run, &["--quiet"], 0);
    let out = tmp.path().join("diff");
    run_diff(&run, &run, &out, 0);
    let rows = read_csv(&out.join("diff.csv"));
    assert_eq!(rows.len(), 14);
    assert!(rows
        .iter()
        .all(|r| r["change"] == "unchanged" && r["calls_delta"] == "0"));
    let expected = read_csv(&run.join("integrations.csv"));
    let keys = |rows: &[BTreeMap<String, String>]| -> Vec<String> {
        rows.iter().map(|r| r["integration"].clone()).collect()
    };
    assert_eq!(
        keys(&rows),
        keys(&expected),
        "same verdicts: the run's own ranking"
    );
    let md = std::fs::read_to_string(out.join("diff.md")).expect("diff.md");
    assert!(
        md.contains("**No integration changed verdict** (14 integrations in both runs)."),
        "{md}"
    );
    assert!(!md.contains("## "), "{md}");
}

#[test]
fn a_folder_that_is_not_a_finished_run_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = tmp.path().join("run");
    scan(&["sample-data/logs"], &run, &["--quiet"], 0);
    let out = tmp.path().join("diff");

    // A run killed before its last write has no summary.json.
    let interrupted = tmp.path().join("interrupted");
    copy_dir(&run, &interrupted);
    std::fs::remove_file(interrupted.join("summary.json")).expect("rm");
    let output = run_diff(&run, &interrupted, &out, 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("interrupted")
            && stderr.contains("not the output folder of a finished pcmfa run"),
        "{stderr}"
    );

    // Log folders are not runs.
    let output = run_diff(Path::new("sample-data/logs"), &run, &out, 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sample-data/logs"), "{stderr}");

    // A run written by a future schema is not guessed at.
    let future = tmp.path().join("future");
    copy_dir(&run, &future);
    let summary = std::fs::read_to_string(future.join("summary.json")).expect("summary");
    std::fs::write(
        future.join("summary.json"),
        summary.replace("\"schema_version\": 1", "\"schema_version\": 2"),
    )
    .expect("write");
    let output = run_diff(&run, &future, &out, 1);
    assert!(String::from_utf8_lossy(&output.stderr).contains("schema_version 2"));

    assert!(!out.join("diff.csv").exists(), "nothing written on failure");
    // Usage errors are 2.
    let output = pcmfa(&["diff", run.to_str().expect("utf8")]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn with_the_catalog_new_was_scanned_with_the_report_shows_the_same_owners() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (old, new) = two_weeks(tmp.path(), &["--catalog", "docs/sample-catalog.csv"]);
    let out = tmp.path().join("diff");
    run_diff_with(
        &old,
        &new,
        &out,
        &["--catalog", "docs/sample-catalog.csv"],
        0,
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let new_html = std::fs::read_to_string(new.join("report.html")).expect("NEW's report.html");
    assert!(new_html.contains("finance-systems@relecloud.example"));
    assert!(without_changes(&html) == new_html);

    let output = run_diff_with(&old, &new, &out, &["--catalog", "no-such-catalog.csv"], 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-catalog.csv"));
}
