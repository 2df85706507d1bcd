//! The text formats end to end: access logs (Envoy, nginx, IIS W3C, Front
//! Door, Application Gateway) and application text logs, read by the binary
//! from the fixtures of `scripts/gen_text_fixtures.py`, calls.parquet read
//! back with polars. Each fixture line's expected reading is stated here.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;

use common::{analyst::read_calls, read_csv, read_summary, scan};
use pcmfa::pipeline::{scan as run_scan, Progress, ScanConfig};

const ACCESS: &str = "tests/fixtures/access-logs";
const TEXT: &str = "tests/fixtures/text-logs";

/// One calls.parquet row, the columns these tests check.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    format: String,
    verdict: String,
    evidence: String,
    host: Option<String>,
    operation: Option<String>,
    status: Option<u16>,
    error_code: Option<String>,
    correlation_id: Option<String>,
    request_id: Option<String>,
    user_agent: Option<String>,
    integration: String,
    has_time: bool,
}

/// calls.parquet keyed by (file below tests/fixtures/, record).
fn calls(out: &Path) -> BTreeMap<(String, u64), Row> {
    let df = read_calls(out);
    let text = |name: &str| -> Vec<Option<String>> {
        df.column(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .str()
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    };
    let files = text("source_file");
    let records: Vec<u64> = df
        .column("source_record")
        .expect("source_record")
        .u64()
        .expect("u64")
        .iter()
        .map(|v| v.expect("non-null"))
        .collect();
    let statuses: Vec<Option<u16>> = df
        .column("status")
        .expect("status")
        .u16()
        .expect("status is uint16")
        .iter()
        .collect();
    let times: Vec<bool> = df
        .column("time")
        .expect("time")
        .is_not_null()
        .iter()
        .map(|v| v.unwrap_or(false))
        .collect();
    let (
        format,
        verdict,
        evidence,
        host,
        operation,
        error_code,
        correlation,
        request,
        ua,
        integration,
    ) = (
        text("format"),
        text("verdict"),
        text("evidence"),
        text("host"),
        text("operation"),
        text("error_code"),
        text("correlation_id"),
        text("request_id"),
        text("user_agent"),
        text("integration"),
    );
    (0..df.height())
        .map(|i| {
            let file = files[i].clone().expect("source_file");
            let file = file.trim_start_matches("tests/fixtures/").to_string();
            let row = Row {
                format: format[i].clone().expect("format"),
                verdict: verdict[i].clone().expect("verdict"),
                evidence: evidence[i].clone().expect("evidence"),
                host: host[i].clone(),
                operation: operation[i].clone(),
                status: statuses[i],
                error_code: error_code[i].clone(),
                correlation_id: correlation[i].clone(),
                request_id: request[i].clone(),
                user_agent: ua[i].clone(),
                integration: integration[i].clone().expect("integration"),
                has_time: times[i],
            };
            ((file, records[i]), row)
        })
        .collect()
}

/// (verdict, evidence, status) per expected Partner Center record; every
/// other record of the file must be `other` or a reject.
type Expected = &'static [(&'static str, u64, &'static str, &'static str, Option<u16>)];

const PC: Option<&str> = Some("api.partnercenter.microsoft.com");

const EXPECTED: Expected = &[
    (
        "access-logs/envoy-egress.log",
        1,
        "unknown",
        "no_token",
        Some(200),
    ),
    (
        "access-logs/envoy-egress.log",
        2,
        "unknown",
        "no_token",
        Some(401),
    ),
    (
        "access-logs/envoy-egress.log",
        4,
        "unknown",
        "no_token",
        None,
    ),
    (
        "access-logs/envoy-egress.log",
        7,
        "unknown",
        "no_token",
        Some(200),
    ),
    (
        "access-logs/istio-proxy.log",
        1,
        "unknown",
        "no_token",
        Some(401),
    ),
    (
        "access-logs/nginx-combined.log",
        1,
        "unknown",
        "no_token",
        Some(200),
    ),
    (
        "access-logs/nginx-combined.log",
        5,
        "unknown",
        "no_token",
        Some(401),
    ),
    (
        "access-logs/nginx-upstream.log",
        1,
        "unknown",
        "no_token",
        Some(200),
    ),
    (
        "access-logs/nginx-upstream.log",
        3,
        "unknown",
        "no_token",
        Some(502),
    ),
    (
        "access-logs/nginx-vhost.log",
        1,
        "unknown",
        "no_token",
        Some(401),
    ),
    (
        "access-logs/u_ex260602.log",
        5,
        "unknown",
        "no_token",
        Some(401),
    ),
    (
        "access-logs/u_ex260602.log",
        13,
        "unknown",
        "no_token",
        Some(201),
    ),
    (
        "access-logs/front-door/PT1H.json",
        1,
        "unknown",
        "no_token",
        Some(401),
    ),
    (
        "access-logs/front-door/azurediagnostics-export.json",
        1,
        "unknown",
        "no_token",
        Some(201),
    ),
    (
        "access-logs/app-gateway/PT1H.json",
        1,
        "unknown",
        "no_token",
        Some(401),
    ),
    (
        "text-logs/billing-sync.log",
        2,
        "unknown",
        "no_token",
        Some(200),
    ),
    (
        "text-logs/billing-sync.log",
        3,
        "broken",
        "error_900421",
        Some(401),
    ),
    (
        "text-logs/billing-sync.log",
        11,
        "at_risk",
        "token_claims",
        None,
    ),
    (
        "text-logs/billing-sync.log",
        13,
        "not_affected",
        "token_claims",
        Some(200),
    ),
    (
        "text-logs/provisioning-worker.log",
        1,
        "unknown",
        "no_token",
        None,
    ),
    (
        "text-logs/provisioning-worker.log",
        5,
        "broken",
        "error_900421",
        Some(401),
    ),
    (
        "text-logs/provisioning-worker.log",
        11,
        "broken",
        "legacy_mfa_required",
        Some(401),
    ),
    (
        "text-logs/invoice-export.log",
        1,
        "broken",
        "error_900421",
        Some(401),
    ),
];

#[test]
fn every_fixture_line_reads_as_expected() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[ACCESS, TEXT], out.path(), &["--threads", "3"], 3);
    let calls = calls(out.path());
    let found: Vec<(String, u64, String, String, Option<u16>)> = calls
        .iter()
        .map(|((file, record), row)| {
            (
                file.clone(),
                *record,
                row.verdict.clone(),
                row.evidence.clone(),
                row.status,
            )
        })
        .collect();
    let mut expected: Vec<(String, u64, String, String, Option<u16>)> = EXPECTED
        .iter()
        .map(|(f, r, v, e, s)| (f.to_string(), *r, v.to_string(), e.to_string(), *s))
        .collect();
    expected.sort();
    assert_eq!(found, expected, "Partner Center events, and nothing else");
    // Each is a call to Partner Center with its time, except .NET's console
    // logger (no timestamps) and a record that only carried a token.
    for ((file, record), row) in &calls {
        if !(file.ends_with("billing-sync.log") && *record == 11) {
            assert_eq!(row.host.as_deref(), PC, "{file}:{record}");
        }
        assert_eq!(
            row.has_time,
            !file.ends_with("provisioning-worker.log"),
            "{file}:{record}"
        );
        if row.evidence == "error_900421" {
            assert_eq!(row.error_code.as_deref(), Some("900421"), "{file}:{record}");
        } else {
            assert_eq!(row.error_code, None, "{file}:{record}");
        }
    }

    let row = |file: &str, record: u64| calls[&(file.to_string(), record)].clone();
    let formats = [
        ("access-logs/envoy-egress.log", "envoy_access"),
        ("access-logs/istio-proxy.log", "envoy_access"),
        ("access-logs/nginx-combined.log", "nginx_access"),
        ("access-logs/u_ex260602.log", "iis_w3c"),
        ("access-logs/front-door/PT1H.json", "front_door_json_lines"),
        (
            "access-logs/front-door/azurediagnostics-export.json",
            "front_door_json_array",
        ),
        (
            "access-logs/app-gateway/PT1H.json",
            "app_gateway_json_array",
        ),
        ("text-logs/billing-sync.log", "text_log"),
    ];
    for (file, format) in formats {
        assert_eq!(
            row(file, first_record(&calls, file)).format,
            format,
            "{file}"
        );
    }

    // Envoy: operation from the path, the request id, a user agent holding a quote.
    let envoy = row("access-logs/envoy-egress.log", 2);
    assert_eq!(
        envoy.operation.as_deref(),
        Some("GET /v1/customers/{id}/subscriptions")
    );
    assert_eq!(
        envoy.request_id.as_deref(),
        Some("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")
    );
    assert_eq!(
        row("access-logs/envoy-egress.log", 7).user_agent.as_deref(),
        Some(r#"Billing "Nightly" Export/1.0"#)
    );
    // IIS: `+` in the user agent is a space; the second block's fields apply.
    assert_eq!(
        row("access-logs/u_ex260602.log", 5).user_agent.as_deref(),
        Some("PartnerCenter-PowerShell/3.0 (Windows NT 10.0; Win64; x64)")
    );
    assert_eq!(
        row("access-logs/u_ex260602.log", 13).operation.as_deref(),
        Some("POST /v1/customers/{id}/orders")
    );
    // Front Door: the origin, not the Front Door endpoint, is the target;
    // Log Analytics' typed columns read the same.
    let diagnostics = row("access-logs/front-door/azurediagnostics-export.json", 1);
    assert_eq!(
        diagnostics.operation.as_deref(),
        Some("POST /v1/customers/{id}/orders")
    );
    assert_eq!(
        diagnostics.user_agent.as_deref(),
        Some("python-requests/2.31.0")
    );
    // Application Gateway: the path with the host column.
    assert_eq!(
        row("access-logs/app-gateway/PT1H.json", 1)
            .operation
            .as_deref(),
        Some("GET /v1/customers")
    );
    // Text logs: the traceback's URL and the body's code joined the ERROR line.
    let traceback = row("text-logs/billing-sync.log", 3);
    assert_eq!(
        traceback.operation.as_deref(),
        Some("/v1/customers/{id}/subscriptions")
    );
    assert_eq!(
        row("text-logs/billing-sync.log", 2)
            .correlation_id
            .as_deref(),
        Some("5b1f0e8c-1d2e-4f3a-9b8c-0d1e2f3a4b5c")
    );
    let token_only = row("text-logs/billing-sync.log", 11);
    assert_eq!(
        token_only.integration,
        "bbbbbbbb-2222-4222-8222-222222222222"
    );
    assert_eq!(
        token_only.correlation_id.as_deref(),
        Some("6c2f1e9d-2e3f-4a4b-8c9d-1e2f3a4b5c6d")
    );
    let worker = row("text-logs/provisioning-worker.log", 5);
    assert_eq!(
        worker.operation.as_deref(),
        Some("POST /v1/customers/{id}/orders")
    );
    assert_eq!(
        worker.request_id.as_deref(),
        Some("0c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f")
    );
    assert_eq!(
        row("text-logs/invoice-export.log", 1).operation.as_deref(),
        Some("GET /v1/invoices")
    );
}

/// The lowest record number of `file` among the calls.
fn first_record(calls: &BTreeMap<(String, u64), Row>, file: &str) -> u64 {
    calls
        .keys()
        .filter(|(f, _)| f == file)
        .map(|(_, r)| *r)
        .min()
        .unwrap_or_else(|| panic!("no call from {file}"))
}

#[test]
fn rejects_and_accounting_per_file() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[ACCESS, TEXT], out.path(), &[], 3);
    let rejects: Vec<(String, String, String)> = read_csv(&out.path().join("rejects.csv"))
        .into_iter()
        .map(|r| {
            (
                r["source_file"].clone(),
                r["source_record"].clone(),
                r["reason"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rejects,
        vec![
            (
                "tests/fixtures/access-logs/envoy-egress.log".to_string(),
                "8".to_string(),
                "malformed_line".to_string()
            ),
            (
                "tests/fixtures/access-logs/u_ex260602.log".to_string(),
                "8".to_string(),
                "malformed_line".to_string()
            ),
        ]
    );
    let summary = read_summary(out.path());
    assert_eq!(summary["accounting"]["holds"], true);
    assert_eq!(summary["skipped"].as_array().map(Vec::len), Some(0));
    // (format, records, partner_center, other, rejected) per file.
    let want: &[(&str, &str, u64, u64, u64, u64)] = &[
        ("access-logs/envoy-egress.log", "envoy_access", 7, 4, 2, 1),
        ("access-logs/istio-proxy.log", "envoy_access", 2, 1, 1, 0),
        ("access-logs/nginx-combined.log", "nginx_access", 6, 2, 4, 0),
        ("access-logs/nginx-upstream.log", "nginx_access", 3, 2, 1, 0),
        ("access-logs/nginx-vhost.log", "nginx_access", 2, 1, 1, 0),
        // Directive lines are headers, not records.
        ("access-logs/u_ex260602.log", "iis_w3c", 5, 2, 2, 1),
        (
            "access-logs/front-door/PT1H.json",
            "front_door_json_lines",
            2,
            1,
            1,
            0,
        ),
        (
            "access-logs/front-door/azurediagnostics-export.json",
            "front_door_json_array",
            1,
            1,
            0,
            0,
        ),
        (
            "access-logs/app-gateway/PT1H.json",
            "app_gateway_json_array",
            2,
            1,
            1,
            0,
        ),
        // 14 lines, 8 of them one record with the traceback.
        ("text-logs/billing-sync.log", "text_log", 7, 4, 3, 0),
        ("text-logs/provisioning-worker.log", "text_log", 4, 3, 1, 0),
        ("text-logs/invoice-export.log", "text_log", 2, 1, 1, 0),
    ];
    let files = summary["files"].as_array().expect("files");
    assert_eq!(files.len(), want.len());
    for &(path, format, records, pc, other, rejected) in want {
        let file = files
            .iter()
            .find(|f| f["path"] == format!("tests/fixtures/{path}"))
            .unwrap_or_else(|| panic!("{path} listed"));
        let got = (
            file["format"].as_str().unwrap_or_default(),
            file["records"].as_u64(),
            file["partner_center"].as_u64(),
            file["other"].as_u64(),
            file["rejected"].as_u64(),
        );
        assert_eq!(
            got,
            (format, Some(records), Some(pc), Some(other), Some(rejected)),
            "{path}"
        );
    }
}

/// Chunks of any size and any thread count give the same bytes: no
/// multi-line record is cut at a chunk boundary, no W3C line loses its fields.
#[test]
fn chunking_and_threads_change_nothing() {
    let reference = tempfile::tempdir().expect("tempdir");
    scan(&[ACCESS, TEXT], reference.path(), &["--threads", "1"], 3);
    let want = std::fs::read(reference.path().join("calls.parquet")).expect("calls");
    let want_rejects = std::fs::read(reference.path().join("rejects.csv")).expect("rejects");
    for (threads, chunk) in [("4", "1"), ("2", "97"), ("3", "4096")] {
        let out = tempfile::tempdir().expect("tempdir");
        scan(
            &[ACCESS, TEXT],
            out.path(),
            &["--threads", threads, "--chunk-size", chunk],
            3,
        );
        let got = std::fs::read(out.path().join("calls.parquet")).expect("calls");
        assert!(
            got == want,
            "threads {threads}, chunk {chunk}: calls differ"
        );
        let rejects = std::fs::read(out.path().join("rejects.csv")).expect("rejects");
        assert!(
            rejects == want_rejects,
            "threads {threads}, chunk {chunk}: rejects differ"
        );
    }
}

/// A record over the size cap is one `too_large` reject at its first line,
/// however it falls across chunks; the records after it are read.
#[test]
fn an_over_long_record_is_rejected_and_the_rest_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("app.log");
    let trace = "   at Contoso.Billing.Sync.RunAsync() in /src/Sync.cs:line 42\n".repeat(40);
    let text = format!(
        "2026-06-02 08:00:00 INFO start\n\
         2026-06-02 08:00:01 ERROR GET https://api.partnercenter.microsoft.com/v1/customers 401 {{\"code\":900421}}\n{trace}\
         2026-06-02 08:00:02 ERROR GET https://api.partnercenter.microsoft.com/v1/invoices 401 {{\"code\":900421}}\n   at One()\n"
    );
    std::fs::write(&input, text).expect("write");
    for chunk_bytes in [16, 300, 1 << 20] {
        let out = dir.path().join(format!("out-{chunk_bytes}"));
        let mut config = ScanConfig::new(vec![input.display().to_string()], out.clone());
        config.threads = 2;
        config.chunk_bytes = chunk_bytes;
        config.max_record_bytes = 1024;
        let report = run_scan(&config, &Progress::default()).expect("scan");
        let accounting = &report.summary.accounting;
        assert_eq!(
            (
                accounting.records,
                accounting.partner_center,
                accounting.other,
                accounting.rejected
            ),
            (3, 1, 1, 1),
            "chunk {chunk_bytes}"
        );
        let rejects = read_csv(&out.join("rejects.csv"));
        assert_eq!(rejects.len(), 1);
        assert_eq!(
            (
                rejects[0]["source_record"].as_str(),
                rejects[0]["reason"].as_str()
            ),
            ("2", "too_large"),
            "chunk {chunk_bytes}"
        );
        let df = read_calls(&out);
        let record = df
            .column("source_record")
            .expect("col")
            .u64()
            .expect("u64")
            .get(0);
        assert_eq!(record, Some(43), "chunk {chunk_bytes}");
    }
}

/// One generated text-log record: a header line and its continuation lines.
fn text_record(i: usize, kind: u8) -> String {
    let time = format!("2026-06-02 08:{:02}:{:02}", i / 60 % 60, i % 60);
    match kind % 6 {
        0 => format!("{time} INFO nothing to see {i}\n"),
        1 => format!("{time} ERROR GET https://api.partnercenter.microsoft.com/v1/customers/{i} failed\n{{\n  \"code\": 900421,\n  \"description\": \"MFA\"\n}}\n   at Sync.Run()\n"),
        2 => format!("{time} INFO GET https://api.partnercenter.microsoft.com/v1/invoices/{i} HTTP/1.1 200 OK\n"),
        3 => format!("{time} WARN retry {i}\n\n   at Retry.Loop()\nCaused by: timeout\n"),
        4 => format!("[{time}] ERROR partnercenter call {i} status=401\n"),
        _ => format!("{time} DEBUG GET https://graph.microsoft.com/v1.0/users/{i} 200 OK\n"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Records are counted once whatever the chunking, and a parallel run
    /// with small chunks equals a sequential run with one chunk.
    #[test]
    fn text_log_accounting_holds_and_parallel_equals_sequential(
        kinds in proptest::collection::vec(any::<u8>(), 1..120),
        chunk in 16usize..2048,
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("app.log");
        let mut text = String::from("2026-06-02 08:00:00 INFO start\n");
        for (i, kind) in kinds.iter().enumerate() {
            text.push_str(&text_record(i, *kind));
        }
        std::fs::write(&input, &text).expect("write");
        let expected_records = 1 + kinds.len() as u64;
        let expected_pc = kinds.iter().filter(|k| matches!(*k % 6, 1 | 2)).count() as u64;
        let mut outputs = Vec::new();
        for (threads, chunk_bytes) in [(1, 1 << 20), (3, chunk)] {
            let out = dir.path().join(format!("out-{threads}"));
            let mut config = ScanConfig::new(vec![input.display().to_string()], out.clone());
            config.threads = threads;
            config.chunk_bytes = chunk_bytes;
            let report = run_scan(&config, &Progress::default()).expect("scan");
            let a = &report.summary.accounting;
            prop_assert!(a.holds);
            prop_assert_eq!(a.records, expected_records);
            prop_assert_eq!(a.partner_center, expected_pc);
            prop_assert_eq!(a.rejected, 0);
            outputs.push(std::fs::read(out.join("calls.parquet")).expect("calls"));
        }
        prop_assert!(outputs[0] == outputs[1], "calls differ");
    }
}
