//! Azure exports end to end: API Management gateway logs (Log Analytics CSV
//! and JSON, diagnostic JSON lines), Application Insights dependencies,
//! traces and exceptions (CSV and JSON), and a spreadsheet CSV. The binary
//! runs on `tests/fixtures/azure` (made by `scripts/gen_azure_fixtures.py`)
//! and calls.parquet is read back with polars.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use common::{analyst::read_calls, read_csv, read_summary, scan};

const DIR: &str = "tests/fixtures/azure";

/// One calls.parquet row: the columns these tests check, as text.
type Row = BTreeMap<&'static str, String>;

/// Every row of calls.parquet keyed by (file name, record).
fn calls_by_record(out: &Path) -> BTreeMap<(String, u64), Row> {
    let df = read_calls(out);
    let text = |name: &str| {
        df.column(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .str()
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .clone()
    };
    let names = [
        "format",
        "host",
        "operation",
        "error_code",
        "auth_mode",
        "verdict",
        "evidence",
        "app_id",
        "app_name",
        "correlation_id",
        "token_fingerprint",
        "integration",
    ];
    let columns: Vec<_> = names.iter().map(|n| text(n)).collect();
    let files = text("source_file");
    let records = df
        .column("source_record")
        .expect("col")
        .u64()
        .expect("u64")
        .clone();
    let status = df
        .column("status")
        .expect("col")
        .u16()
        .expect("u16")
        .clone();
    let time = df
        .column("time")
        .expect("col")
        .cast(&DataType::String)
        .expect("time as text");
    let time = time.str().expect("str").clone();
    let mut rows = BTreeMap::new();
    for i in 0..df.height() {
        let mut row = Row::new();
        for (name, column) in names.iter().zip(&columns) {
            if let Some(value) = column.get(i) {
                row.insert(*name, value.to_string());
            }
        }
        if let Some(s) = status.get(i) {
            row.insert("status", s.to_string());
        }
        if let Some(t) = time.get(i) {
            row.insert("time", t.to_string());
        }
        let file = files.get(i).expect("file");
        let name = file.rsplit('/').next().expect("name").to_string();
        rows.insert((name, records.get(i).expect("record")), row);
    }
    rows
}

/// Checks `want` against the row of (file, record); "-" means null.
fn expect(rows: &BTreeMap<(String, u64), Row>, file: &str, record: u64, want: &[(&str, &str)]) {
    let row = rows
        .get(&(file.to_string(), record))
        .unwrap_or_else(|| panic!("{file} record {record} is not a Partner Center event"));
    for &(column, value) in want {
        let got = row.get(column).map(String::as_str).unwrap_or("-");
        assert_eq!(got, value, "{file} record {record}: {column}");
    }
}

#[test]
fn apim_exports_read_the_backend_call_in_every_form() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[DIR], out.path(), &[], 3);
    let rows = calls_by_record(out.path());
    // (record in the JSON forms, verdict, evidence); the CSV has a ragged row 4.
    let cases = [
        (1, "broken", "error_900421"),
        (2, "compliant", "token_claims"),
        (3, "not_affected", "token_claims"),
        (4, "other", ""),
        (5, "other", ""),
        (6, "at_risk", "token_claims"),
        (7, "at_risk", "validate_mfa_header"),
    ];
    for (file, format) in [
        ("ApiManagementGatewayLogs.csv", "apim_gateway_csv"),
        ("apim-gateway-logs.json", "apim_gateway_json_array"),
        ("apim-diagnostics-PT1H.json", "apim_gateway_json_lines"),
    ] {
        let csv = file.ends_with(".csv");
        for (record, verdict, evidence) in cases {
            let record = if csv && record >= 4 {
                record + 1
            } else {
                record
            };
            let key = (file.to_string(), record);
            if verdict == "other" {
                assert!(
                    !rows.contains_key(&key),
                    "{file} {record} is another service's call"
                );
                continue;
            }
            expect(
                &rows,
                file,
                record,
                &[
                    ("format", format),
                    ("verdict", verdict),
                    ("evidence", evidence),
                    ("host", "api.partnercenter.microsoft.com"),
                ],
            );
        }
        expect(
            &rows,
            file,
            1,
            &[
                ("time", "2026-06-02 08:15:03.123000+00:00"),
                ("operation", "GET /v1/customers"),
                ("status", "401"),
                ("error_code", "900421"),
                ("app_id", "aaaaaaaa-1111-4111-8111-111111111111"),
                // Partner Center's MS-CorrelationId, not APIM's own ids.
                ("correlation_id", "0c0ffee0-0000-4000-8000-000000000001"),
            ],
        );
        expect(
            &rows,
            file,
            2,
            &[
                ("operation", "GET /v1/customers/{id}/subscriptions"),
                ("status", "200"),
            ],
        );
        expect(
            &rows,
            file,
            if csv { 8 } else { 7 },
            &[
                ("integration", "ua:ContosoBilling/2.1"),
                ("token_fingerprint", "-"),
            ],
        );
    }
}

#[test]
fn app_insights_exports_keep_the_operation_id_and_never_guess() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[DIR], out.path(), &[], 3);
    let rows = calls_by_record(out.path());
    expect(
        &rows,
        "AppDependencies.csv",
        1,
        &[
            ("format", "appinsights_dependencies_csv"),
            ("time", "2026-06-02 08:15:03.123000+00:00"),
            ("operation", "GET /v1/customers"),
            ("status", "401"),
            // No token, but a trace of its operation quotes 900421.
            ("auth_mode", "app_user"),
            ("verdict", "broken"),
            ("evidence", "trace_900421"),
            ("error_code", "900421"),
            ("correlation_id", "4bf92f3577b34da6a3ce929d0e0e4730"),
            ("app_name", "contoso-billing-sync"),
            ("app_id", "-"),
            ("integration", "name:contoso-billing-sync"),
        ],
    );
    // `8:15:04 PM` is 20:15 UTC.
    expect(
        &rows,
        "AppDependencies.csv",
        2,
        &[
            ("time", "2026-06-02 20:15:04.000000+00:00"),
            ("status", "200"),
        ],
    );
    // The SQL and Graph dependencies mention "partner" but are not Partner Center.
    for record in [3, 4] {
        assert!(!rows.contains_key(&("AppDependencies.csv".to_string(), record)));
    }
    // The trace quoting 900421 (inside a quoted cell with a newline) is evidence
    // for the same operation as dependency 1, which it made broken: not a
    // second call. The plain trace is no evidence.
    for record in [1, 2] {
        assert!(!rows.contains_key(&("AppTraces.csv".to_string(), record)));
    }
    // An exception whose Details (JSON text in a cell) quote 900421, with no
    // dependency of its operation among the inputs: a broken call of its
    // own. A timeout is not evidence.
    expect(
        &rows,
        "AppExceptions.csv",
        1,
        &[
            ("format", "appinsights_exceptions_csv"),
            ("time", "2026-06-02 21:30:00.000000+00:00"),
            ("verdict", "broken"),
            ("correlation_id", "4bf92f3577b34da6a3ce929d0e0e4734"),
        ],
    );
    assert!(!rows.contains_key(&("AppExceptions.csv".to_string(), 2)));
    // Classic JSON: the exception's details quote 900421; the dependency of
    // the same operation has no token, and takes the exception's 900421.
    // appId names the Application Insights resource, never the integration.
    let operation = "4bf92f3577b34da6a3ce929d0e0e4733";
    assert!(!rows.contains_key(&("exceptions.json".to_string(), 1)));
    expect(
        &rows,
        "dependencies.json",
        1,
        &[
            ("format", "appinsights_dependencies_json_array"),
            ("host", "api.partnercenter.microsoft.com"),
            ("verdict", "broken"),
            ("evidence", "trace_900421"),
            ("correlation_id", operation),
            ("token_fingerprint", "-"),
            ("app_id", "-"),
            ("integration", "name:legacy-invoice-export"),
        ],
    );
}

#[test]
fn csv_rejects_and_accounting_per_file() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[DIR], out.path(), &[], 3);
    let rejects: Vec<(String, String)> = read_csv(&out.path().join("rejects.csv"))
        .into_iter()
        .map(|r| {
            (
                format!("{}#{}", r["source_file"], r["source_record"]),
                r["reason"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rejects,
        vec![
            (
                format!("{DIR}/ApiManagementGatewayLogs.csv#4"),
                "ragged_row".to_string()
            ),
            (format!("{DIR}/proxy-sheet.csv#3"), "truncated".to_string()),
        ]
    );
    let summary = read_summary(out.path());
    assert_eq!(summary["accounting"]["holds"], true);
    assert!(summary["skipped"].as_array().expect("skipped").is_empty());
    let files: BTreeMap<String, &serde_json::Value> = summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (f["path"].as_str().expect("path").to_string(), f))
        .collect();
    // (file, format, records, partner_center, other, rejected)
    let want = [
        (
            "ApiManagementGatewayLogs.csv",
            "apim_gateway_csv",
            8,
            5,
            2,
            1,
        ),
        (
            "AppDependencies.csv",
            "appinsights_dependencies_csv",
            4,
            2,
            2,
            0,
        ),
        (
            "AppExceptions.csv",
            "appinsights_exceptions_csv",
            2,
            1,
            1,
            0,
        ),
        // Its 900421 trace lifted onto dependency 1: evidence, `other`.
        ("AppTraces.csv", "appinsights_traces_csv", 2, 0, 2, 0),
        (
            "apim-diagnostics-PT1H.json",
            "apim_gateway_json_lines",
            7,
            5,
            2,
            0,
        ),
        (
            "apim-gateway-logs.json",
            "apim_gateway_json_array",
            7,
            5,
            2,
            0,
        ),
        (
            "dependencies.json",
            "appinsights_dependencies_json_array",
            1,
            1,
            0,
            0,
        ),
        (
            "exceptions.json",
            "appinsights_exceptions_json_array",
            1,
            0,
            1,
            0,
        ),
        ("proxy-sheet.csv", "gateway_csv", 3, 1, 1, 1),
    ];
    assert_eq!(files.len(), want.len());
    for (name, format, records, pc, other, rejected) in want {
        let f = files[&format!("{DIR}/{name}")];
        assert_eq!(f["format"], format, "{name}");
        for (key, n) in [
            ("records", records),
            ("partner_center", pc),
            ("other", other),
            ("rejected", rejected),
        ] {
            assert_eq!(f[key], n, "{key} of {name}");
        }
    }
    let sheet = files[&format!("{DIR}/proxy-sheet.csv")];
    assert!(sheet["error"]
        .as_str()
        .is_some_and(|e| e.contains("quoted cell")));
    // The sheet's one Partner Center call: its Authorization cell decoded, never copied.
    let rows = calls_by_record(out.path());
    expect(
        &rows,
        "proxy-sheet.csv",
        1,
        &[
            ("format", "gateway_csv"),
            ("verdict", "at_risk"),
            ("time", "2026-06-05 07:00:00.000000+00:00"),
            ("app_id", "bbbbbbbb-2222-4222-8222-222222222222"),
        ],
    );
}

/// Tiny chunks spread each CSV over many jobs sharing its header row: the
/// outputs match a one-thread run byte for byte.
#[test]
fn csv_chunks_across_threads_change_nothing() {
    let one = tempfile::tempdir().expect("tempdir");
    let many = tempfile::tempdir().expect("tempdir");
    scan(&[DIR], one.path(), &["--threads", "1"], 3);
    scan(
        &[DIR],
        many.path(),
        &["--threads", "4", "--chunk-size", "300"],
        3,
    );
    for file in [
        "calls.parquet",
        "integrations.csv",
        "rejects.csv",
        "operations.csv",
        "daily.csv",
    ] {
        let a = std::fs::read(one.path().join(file)).expect("read");
        let b = std::fs::read(many.path().join(file)).expect("read");
        assert!(
            a == b,
            "{file} differs between 1 thread and 4 threads with small chunks"
        );
    }
}

/// `--format` forces a CSV reader: the traces export read as dependencies
/// finds no dependency columns, so its 900421 trace is no call.
#[test]
fn forced_csv_format_decides_the_reader() {
    let file = format!("{DIR}/AppTraces.csv");
    for (format, calls) in [
        ("appinsights_traces_csv", 1),
        ("appinsights_dependencies_csv", 0),
    ] {
        let out = tempfile::tempdir().expect("tempdir");
        scan(&[&file], out.path(), &["--format", format], 0);
        let summary = read_summary(out.path());
        assert_eq!(summary["files"][0]["format"], format);
        assert_eq!(summary["accounting"]["partner_center"], calls, "{format}");
        assert_eq!(read_calls(out.path()).height(), calls as usize);
    }
}

/// Excel's "Unicode Text" save: UTF-16LE with a BOM, tab-separated.
#[test]
fn utf16_tab_separated_sheet_reads_like_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sheet = std::fs::read_to_string(common::root().join(DIR).join("proxy-sheet.csv"))
        .expect("sheet")
        .replace(';', "\t");
    // Only the two whole rows: the fixture's last row is cut on purpose.
    let whole: Vec<&str> = sheet.split("\r\n").take(3).collect();
    let text = format!("{}\r\n", whole.join("\r\n"));
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let input = dir.path().join("proxy-sheet.txt");
    std::fs::write(&input, bytes).expect("write");
    let out = dir.path().join("out");
    scan(&[input.to_str().expect("path")], &out, &[], 0);
    let summary = read_summary(&out);
    assert_eq!(summary["files"][0]["format"], "gateway_csv");
    assert_eq!(summary["accounting"]["records"], 2);
    let rows = calls_by_record(&out);
    expect(
        &rows,
        "proxy-sheet.txt",
        1,
        &[("verdict", "at_risk"), ("evidence", "token_claims")],
    );
}

/// A row over the record cap is rejected without being held; the rows after
/// it are read and every row is accounted for.
#[test]
fn csv_row_over_the_cap_is_rejected_and_the_rest_read() {
    use pcmfa::pipeline::{scan as run_scan, Progress, ScanConfig};
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("big.csv");
    let pc = "https://api.partnercenter.microsoft.com/v1/customers";
    let body = format!(
        "\"{{\"\"code\"\":900421,\"\"padding\"\":\"\"{}\"\"}}\"",
        "x".repeat(10_000)
    );
    let csv = format!(
        "TimeGenerated [UTC],Url,ResponseCode,ResponseBody\n\
         2026-06-02T08:00:00Z,{pc},401,{body}\n\
         2026-06-02T08:00:01Z,{pc},401,\"{{\"\"code\"\":900421}}\"\n"
    );
    std::fs::write(&input, csv).expect("write");
    let out = dir.path().join("out");
    let mut config = ScanConfig::new(vec![input.display().to_string()], out.clone());
    config.max_record_bytes = 4096;
    config.chunk_bytes = 1024;
    let report = run_scan(&config, &Progress::default()).expect("scan");
    let acc = &report.summary.accounting;
    assert_eq!(
        (acc.records, acc.partner_center, acc.other, acc.rejected),
        (2, 1, 0, 1)
    );
    let rejects = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(
        (
            rejects[0]["source_record"].as_str(),
            rejects[0]["reason"].as_str()
        ),
        ("1", "too_large")
    );
    let rows = calls_by_record(&out);
    expect(
        &rows,
        "big.csv",
        2,
        &[("verdict", "broken"), ("format", "gateway_csv")],
    );
}
