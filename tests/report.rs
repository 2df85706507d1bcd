//! End-to-end: `report.html`, `report.md` and `--catalog`, from the binary
//! run on the sample corpus and on hostile inputs.

mod common;

use std::collections::BTreeSet;

use common::{analyst, pcmfa, read_csv, scan};

const CATALOG: &str = "docs/sample-catalog.csv";

/// The ranking section of report.html: one `<tbody>` per integration, in order.
fn ranked_keys(html: &str) -> Vec<String> {
    let start = html.find("id=\"integrations\"").expect("ranking table");
    let table = &html[start..start + html[start..].find("</table>").expect("end")];
    table
        .split("<tbody class=")
        .skip(1)
        .map(|entry| {
            // The key is the last mono text in the integration cell.
            let cell = &entry[entry.find("class=\"integration\"").expect("cell")..];
            let cell = &cell[..cell.find("</td>").expect("end of cell")];
            let key = cell.rsplit("mono\">").next().expect("key");
            key[..key.find("</span>").expect("end of key")].to_string()
        })
        .collect()
}

/// The catalog's keys, as the catalog file spells them.
fn catalog_keys() -> BTreeSet<String> {
    read_csv(&common::root().join(CATALOG))
        .into_iter()
        .map(|row| row["app_id"].to_lowercase())
        .collect()
}

#[test]
fn sample_reports_rank_like_the_csv_and_name_owners() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = scan(
        &["sample-data/logs"],
        out.path(),
        &["--catalog", CATALOG],
        0,
    );
    let csv = read_csv(&out.path().join("integrations.csv"));
    let html = std::fs::read_to_string(out.path().join("report.html")).expect("report.html");
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");

    // Same integrations, same order as integrations.csv.
    let keys: Vec<String> = csv.iter().map(|r| r["integration"].clone()).collect();
    assert_eq!(ranked_keys(&html), keys);

    // Headline: integrations and calls by verdict, from the same run.
    let summary = common::read_summary(out.path());
    let broken = summary["integrations"]["by_verdict"]["broken"]
        .as_u64()
        .expect("n");
    let broken_calls = summary["partner_center"]["by_verdict"]["broken"]
        .as_u64()
        .expect("n");
    assert!(html.contains(&format!(
        "<div class=\"card v-broken\"><div class=\"n\">{broken}</div><div class=\"what\">integrations broken</div><div class=\"calls\">{broken_calls} calls broken</div>"
    )));
    assert!(md.contains(&format!(
        "- **{broken} integrations broken** ({broken_calls} calls broken)"
    )));

    // Owners, in the CSV, the Parquet and both reports.
    let contoso = &csv[0];
    assert_eq!(
        contoso["integration"],
        "39441d62-a8e1-4810-a850-20bf12239031"
    );
    assert_eq!(contoso["owner"], "Finance Systems");
    assert_eq!(contoso["contact"], "finance-systems@relecloud.example");
    assert_eq!(contoso["catalog_name"], "Contoso Billing Sync");
    assert!(
        html.contains("Finance Systems<span class=\"id\">finance-systems@relecloud.example</span>")
    );
    assert!(md.contains("| 1 | Contoso Billing Sync (39441d62-a8e1-4810-a850-20bf12239031) | Finance Systems (finance-systems@relecloud.example) | broken |"));
    // The catalog names an integration the logs do not (and one keyed by user agent).
    assert!(html.contains("<strong>Adatum Usage Reporter</strong>"));
    let fetcher = csv
        .iter()
        .find(|r| r["integration"] == "ua:python-requests/2.32.3")
        .expect("fetcher");
    assert_eq!(fetcher["owner"], "Billing Operations");
    let table = analyst::read_parquet(&out.path().join("integrations.parquet"));
    let owners: Vec<Option<String>> = table
        .column("owner")
        .expect("owner")
        .str()
        .expect("string")
        .iter()
        .map(|o| o.map(str::to_string))
        .collect();
    let csv_owners: Vec<Option<String>> = csv
        .iter()
        .map(|r| Some(r["owner"].clone()).filter(|o| !o.is_empty()))
        .collect();
    assert_eq!(owners, csv_owners);

    // Callers missing from the catalog: every row without an owner, listed in both reports.
    let listed = catalog_keys();
    let missing: Vec<&str> = csv
        .iter()
        .filter(|r| {
            !listed.contains(&r["app_id"]) && !listed.contains(&r["integration"].to_lowercase())
        })
        .map(|r| r["integration"].as_str())
        .collect();
    assert_eq!(missing.len(), 6, "{missing:?}");
    let section = &html[html.find("id=\"catalog\"").expect("catalog section")..];
    let section = &section[..section.find("</section>").expect("end")];
    assert!(section
        .contains("6 integrations called Partner Center but are not in the catalog (8 entries)"));
    let md_section = &md[md
        .find("## Partner Center callers not in the catalog")
        .expect("md")..];
    for key in &missing {
        assert!(section.contains(key), "{key} not listed in report.html");
        assert!(md_section.contains(key), "{key} not listed in report.md");
    }
    for row in csv.iter().filter(|r| !r["owner"].is_empty()) {
        assert!(
            !section.contains(&row["integration"]),
            "{} is in the catalog",
            row["integration"]
        );
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("6 Partner Center callers are not in the catalog"),
        "{stderr}"
    );

    // What was read: every file, with its format.
    for file in summary["files"].as_array().expect("files") {
        let path = file["path"].as_str().expect("path");
        assert!(
            html.contains(&format!(
                "<td class=\"mono path\">{path}</td><td class=\"mono\">{}</td>",
                file["format"].as_str().expect("format")
            )),
            "{path}"
        );
    }
    // The daily chart has a bar segment per day and verdict seen.
    let daily = read_csv(&out.path().join("daily.csv"));
    assert_eq!(daily.len(), 7);
    for day in &daily {
        let broken = &day["broken"];
        if broken != "0" {
            assert!(html.contains(&format!("<title>{}: {broken} broken</title>", day["date"])));
        }
    }
}

/// Without --catalog the catalog columns exist and are empty, and the reports
/// have no owner column.
#[test]
fn without_a_catalog_the_columns_are_empty() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&["sample-data/logs/har"], out.path(), &[], 0);
    let csv = read_csv(&out.path().join("integrations.csv"));
    assert!(!csv.is_empty());
    for row in &csv {
        for column in ["catalog_name", "owner", "contact", "catalog_notes"] {
            assert_eq!(row[column], "", "{column}");
        }
    }
    let html = std::fs::read_to_string(out.path().join("report.html")).expect("html");
    assert!(!html.contains(">Owner</th>"));
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("md");
    assert!(md.contains("| # | Integration | Verdict |"));
}

/// A sign-in log whose app display name is markup, in a file whose name is
/// markup, joined to a catalog whose owner is markup: all of it shows as text.
#[test]
fn hostile_names_stay_text_in_both_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = std::fs::read_to_string(
        common::root().join("sample-data/logs/entra/signin-logs-eventhub-2026-06-04_07.jsonl"),
    )
    .expect("sign-ins");
    let line = source
        .lines()
        .find(|l| l.contains("fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd") && l.contains("\"appId\""))
        .expect("a Partner Center sign-in");
    let mut record: serde_json::Value = serde_json::from_str(line).expect("json");
    let hostile_app = "<script>alert(1)</script>|`x`\n| 9 | forged |";
    record["properties"]["appId"] = "0badc0de-0000-4000-8000-000000000001".into();
    record["properties"]["appDisplayName"] = hostile_app.into();
    let log = dir.path().join("<b>evil|name&amp;.jsonl");
    std::fs::write(&log, format!("{record}\n")).expect("write log");
    let catalog = dir.path().join("apps.csv");
    std::fs::write(
        &catalog,
        "APP_ID,Owner,Contact\n0BADC0DE-0000-4000-8000-000000000001,<img src=x onerror=alert(3)>,a|b\n",
    )
    .expect("write catalog");

    let out = tempfile::tempdir().expect("tempdir");
    let log_arg = log.display().to_string();
    let catalog_arg = catalog.display().to_string();
    scan(&[&log_arg], out.path(), &["--catalog", &catalog_arg], 0);

    let html = std::fs::read_to_string(out.path().join("report.html")).expect("html");
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only pcmfa's own script"
    );
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>evil"));
    assert!(
        html.contains("<strong>&lt;script&gt;alert(1)&lt;/script&gt;|`x`\n| 9 | forged |</strong>")
    );
    assert!(html.contains("&lt;img src=x onerror=alert(3)&gt;<span class=\"id\">a|b</span>"));
    assert!(html.contains("&lt;b&gt;evil|name&amp;amp;.jsonl"));

    let md = std::fs::read_to_string(out.path().join("report.md")).expect("md");
    let bare_angle = md
        .match_indices('<')
        .any(|(i, _)| i == 0 || md.as_bytes()[i - 1] != b'\\');
    assert!(!bare_angle, "every < is escaped:\n{md}");
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| 1 |")).collect();
    assert_eq!(rows.len(), 1, "the name's newline forged no row:\n{md}");
    assert!(!md.contains("\n| 9 | forged"), "{md}");
    // 8 cells: 9 pipes of ours, every other one escaped.
    assert_eq!(
        rows[0].replace("\\|", "").matches('|').count(),
        9,
        "{}",
        rows[0]
    );
    assert!(
        rows[0].contains("\\<script\\>alert(1)\\</script\\>\\|\\`x\\` \\| 9 \\| forged \\|"),
        "{}",
        rows[0]
    );
}

/// A catalog pcmfa cannot use stops the run before any log is read: exit 2
/// and a message naming the file and the fault.
#[test]
fn an_unusable_catalog_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let no_app_id = dir.path().join("owners.csv");
    std::fs::write(&no_app_id, "name,owner\nContoso,Finance\n").expect("write");
    let twice = dir.path().join("twice.csv");
    std::fs::write(&twice, "app_id,owner\nA1,x\na1,y\n").expect("write");
    let missing = dir.path().join("missing.csv");
    for (catalog, says) in [
        (&no_app_id, "no app_id column"),
        (
            &twice,
            "line 3: app_id a1 is listed twice (first on line 2)",
        ),
        (&missing, "cannot read it"),
    ] {
        let out = dir.path().join("out");
        let output = pcmfa(&[
            "scan",
            "sample-data/logs/har",
            "--out",
            &out.display().to_string(),
            "--catalog",
            &catalog.display().to_string(),
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("--catalog {}", catalog.display())) && stderr.contains(says),
            "{stderr}"
        );
        assert!(!out.join("summary.json").exists(), "nothing is written");
    }
}

/// A file that is only the header is a catalog with no entries: every caller is missing.
#[test]
fn an_empty_catalog_lists_every_caller_as_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog = dir.path().join("apps.csv");
    std::fs::write(&catalog, "\u{feff}app_id,name,owner,contact,notes\r\n").expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    scan(
        &["sample-data/logs/har"],
        out.path(),
        &["--catalog", &catalog.display().to_string()],
        0,
    );
    let csv = read_csv(&out.path().join("integrations.csv"));
    let html = std::fs::read_to_string(out.path().join("report.html")).expect("html");
    let section = &html[html.find("id=\"catalog\"").expect("section")..];
    for row in &csv {
        assert!(section.contains(&row["integration"]));
    }
    assert_eq!(
        html.matches("<span class=\"missing\">not in catalog</span>")
            .count(),
        csv.len()
    );
}

/// The output-folder guard knows the report files: a second run into the
/// same folder needs no --force and rewrites them.
#[test]
fn a_second_run_replaces_the_reports_without_force() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&["sample-data/logs/har"], out.path(), &[], 0);
    std::fs::write(out.path().join("report.md"), "stale").expect("write");
    scan(&["sample-data/logs/har"], out.path(), &[], 0);
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("md");
    assert!(md.starts_with("# Partner Center MFA readiness\n"));
}
