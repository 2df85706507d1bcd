//! Cross-record evidence end to end: token requests decide the calls made
//! with the tokens they issued, in any input order and thread count, within
//! the limit on held calls; calls.parquet read back with polars.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{analyst::read_calls, read_csv, read_summary, scan};
use pcmfa::pipeline::{Progress, ScanConfig};

const DIR: &str = "tests/fixtures/cross-record/token-requests";
const CALLS: &str = "tests/fixtures/cross-record/token-requests/a-egress-calls.jsonl";
const REQUESTS: &str = "tests/fixtures/cross-record/token-requests/b-egress-token-requests.jsonl";
const DAEMON: &str = "5d1c9e0a-7b3f-4e2d-9a8c-1f0e2d3c4b5a";
const ROPC: &str = "6e2d0f1b-8c4a-4f3e-8b9d-2a1f3e4d5c6b";
const SAM: &str = "7f3e1a2c-9d5b-4a4f-9cae-3b2a4f5e6d7c";

/// One row of calls.parquet, as strings ("" for null).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    verdict: String,
    evidence: String,
    detail: String,
    auth_mode: String,
    app_id: String,
    integration: String,
}

/// calls.parquet by (source_file, source_record).
fn calls_by_record(out: &Path) -> BTreeMap<(String, u64), Row> {
    let df = read_calls(out);
    let text = |name: &str, i: usize| -> String {
        df.column(name)
            .expect("column")
            .str()
            .expect("string column")
            .get(i)
            .unwrap_or_default()
            .to_string()
    };
    let records = df
        .column("source_record")
        .expect("column")
        .u64()
        .expect("u64")
        .clone();
    (0..df.height())
        .map(|i| {
            (
                (text("source_file", i), records.get(i).expect("record")),
                Row {
                    verdict: text("verdict", i),
                    evidence: text("evidence", i),
                    detail: text("evidence_detail", i),
                    auth_mode: text("auth_mode", i),
                    app_id: text("app_id", i),
                    integration: text("integration", i),
                },
            )
        })
        .collect()
}

fn row(verdict: &str, evidence: &str, detail: &str, auth: &str, app: &str) -> Row {
    Row {
        verdict: verdict.into(),
        evidence: evidence.into(),
        detail: detail.into(),
        auth_mode: auth.into(),
        app_id: app.into(),
        integration: app.into(),
    }
}

#[test]
fn token_requests_decide_the_calls_made_with_the_tokens_they_issued() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[DIR], out.path(), &[], 0);
    let calls = calls_by_record(out.path());
    let key = |file: &str, record: u64| (file.to_string(), record);
    let daemon = row("not_affected", "token_request", "", "app_only", DAEMON);
    let expected: BTreeMap<(String, u64), Row> = [
        // The SAM app's refresh-token request shows App+User, not whether MFA was done.
        (
            key(CALLS, 1),
            row("unknown", "token_request", "mfa_not_shown", "app_user", SAM),
        ),
        (key(CALLS, 2), daemon.clone()),
        (key(REQUESTS, 2), daemon.clone()),
        (key(REQUESTS, 3), daemon),
        // Issued by a password grant: App+User that cannot do MFA.
        (
            key(REQUESTS, 6),
            row("at_risk", "token_request", "", "app_user", ROPC),
        ),
        // No logged request issued this opaque token: nothing to lift.
        (
            key(REQUESTS, 7),
            Row {
                integration: "ua:stray-client/0.1".into(),
                ..row(
                    "unknown",
                    "undecodable_token",
                    "opaque_token",
                    "unknown",
                    "",
                )
            },
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(calls, expected);

    let integrations = read_csv(&out.path().join("integrations.csv"));
    let ranked: Vec<(String, String, String, String)> = integrations
        .iter()
        .map(|r| {
            (
                r["integration"].clone(),
                r["verdict"].clone(),
                r["calls"].clone(),
                r["at_risk"].clone(),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        [
            (ROPC.into(), "at_risk".into(), "1".into(), "1".into()),
            (DAEMON.into(), "not_affected".into(), "3".into(), "0".into()),
            (SAM.into(), "unknown".into(), "1".into(), "0".into()),
            (
                "ua:stray-client/0.1".into(),
                "unknown".into(),
                "1".into(),
                "0".into()
            ),
        ]
    );

    // Token requests are evidence, counted as `other`; the Graph one is not evidence.
    let summary = read_summary(out.path());
    let accounting = &summary["accounting"];
    assert_eq!(accounting["records"], 10);
    assert_eq!(accounting["partner_center"], 6);
    assert_eq!(accounting["other"], 4);
    assert_eq!(accounting["holds"], true);
    let evidence = &summary["cross_record_evidence"];
    assert_eq!(evidence["token_requests"], 3);
    assert_eq!(evidence["token_request_apps"], 3);
    assert_eq!(evidence["held_calls"], 6);
    assert_eq!(evidence["lifted_by_token_request"], 5);
    assert_eq!(evidence["not_held"], 0);
}

/// Evidence read after the calls, or before, or on another thread: one answer.
#[test]
fn input_order_and_thread_count_do_not_change_the_answer() {
    let forward = tempfile::tempdir().expect("tempdir");
    let backward = tempfile::tempdir().expect("tempdir");
    let one_thread = tempfile::tempdir().expect("tempdir");
    scan(&[CALLS, REQUESTS], forward.path(), &["--threads", "4"], 0);
    scan(&[REQUESTS, CALLS], backward.path(), &["--threads", "4"], 0);
    scan(
        &[CALLS, REQUESTS],
        one_thread.path(),
        &["--threads", "1"],
        0,
    );
    assert_eq!(
        calls_by_record(forward.path()),
        calls_by_record(backward.path())
    );
    for file in ["calls.parquet", "integrations.csv", "operations.csv"] {
        let a = std::fs::read(forward.path().join(file)).expect("read");
        let b = std::fs::read(one_thread.path().join(file)).expect("read");
        assert!(a == b, "{file} differs between 1 and 4 threads");
    }
}

/// Past the limit, calls are written as they are and counted; accounting holds.
#[test]
fn beyond_the_hold_limit_calls_go_unlifted_and_are_counted() {
    let out = tempfile::tempdir().expect("tempdir");
    let mut config = ScanConfig::new(
        vec![CALLS.to_string(), REQUESTS.to_string()],
        out.path().to_path_buf(),
    );
    config.max_held_calls = 2;
    let report = pcmfa::pipeline::scan(&config, &Progress::default()).expect("scan");
    let evidence = &report.summary.cross_record_evidence;
    assert_eq!((evidence.held_calls, evidence.not_held), (2, 4));
    assert_eq!(evidence.lifted_by_token_request, 2);
    assert!(report.summary.accounting.holds);
    let calls = calls_by_record(out.path());
    assert_eq!(calls.len(), 6);
    // The first two in input order were held and lifted; the rest were not.
    assert_eq!(calls[&(CALLS.to_string(), 1)].evidence, "token_request");
    assert_eq!(calls[&(CALLS.to_string(), 2)].evidence, "token_request");
    assert_eq!(calls[&(REQUESTS.to_string(), 6)].verdict, "unknown");
    assert_eq!(
        calls[&(REQUESTS.to_string(), 6)].evidence,
        "undecodable_token"
    );
}

const INSIGHTS: &str = "tests/fixtures/cross-record/app-insights";
const DEPENDENCIES: &str = "tests/fixtures/cross-record/app-insights/AppDependencies.csv";
const TRACES: &str = "tests/fixtures/cross-record/app-insights/AppTraces.csv";
const EXCEPTIONS: &str = "tests/fixtures/cross-record/app-insights/AppExceptions.json";

/// Application Insights logs no token: a dependency call is `unknown` until a
/// trace or exception of its operation quotes 900421. The trace is then
/// evidence (`other`); without its operation's call it stays a broken call.
#[test]
fn a_900421_trace_breaks_the_dependency_call_of_its_operation() {
    for inputs in [
        vec![DEPENDENCIES, TRACES, EXCEPTIONS],
        vec![EXCEPTIONS, TRACES, DEPENDENCIES],
    ] {
        let out = tempfile::tempdir().expect("tempdir");
        scan(&inputs, out.path(), &[], 0);
        let calls = calls_by_record(out.path());
        let worker = "name:billing-sync-worker";
        let judged = |verdict: &str, evidence: &str, auth: &str| Row {
            integration: worker.into(),
            ..row(verdict, evidence, "", auth, "")
        };
        let key = |file: &str, record: u64| (file.to_string(), record);
        let expected: BTreeMap<(String, u64), Row> = [
            (
                key(DEPENDENCIES, 1),
                judged("broken", "trace_900421", "app_user"),
            ),
            // The same operation's successful call was not the rejected one.
            (
                key(DEPENDENCIES, 2),
                judged("unknown", "no_token", "unknown"),
            ),
            (
                key(DEPENDENCIES, 3),
                judged("unknown", "no_token", "unknown"),
            ),
            (
                key(DEPENDENCIES, 4),
                judged("broken", "trace_900421", "app_user"),
            ),
            // A 500, not the 401 the trace speaks of.
            (
                key(DEPENDENCIES, 5),
                judged("unknown", "no_token", "unknown"),
            ),
            (key(TRACES, 3), judged("broken", "error_900421", "app_user")),
            (key(TRACES, 4), judged("broken", "error_900421", "app_user")),
        ]
        .into_iter()
        .collect();
        assert_eq!(calls, expected, "inputs {inputs:?}");

        let df = read_calls(out.path());
        let error_codes: Vec<Option<&str>> = df
            .column("error_code")
            .expect("error_code")
            .str()
            .expect("str")
            .iter()
            .collect();
        assert_eq!(
            error_codes.iter().filter(|c| **c == Some("900421")).count(),
            4
        );

        let integrations = read_csv(&out.path().join("integrations.csv"));
        assert_eq!(integrations.len(), 1);
        let worker_row = &integrations[0];
        assert_eq!(worker_row["integration"], worker);
        assert_eq!(worker_row["verdict"], "broken");
        assert_eq!(worker_row["calls"], "7");
        assert_eq!(worker_row["broken"], "4");
        assert_eq!(worker_row["unknown"], "3");

        let summary = read_summary(out.path());
        let accounting = &summary["accounting"];
        assert_eq!(accounting["records"], 11);
        assert_eq!(accounting["partner_center"], 7);
        assert_eq!(accounting["other"], 4);
        assert_eq!(accounting["holds"], true);
        let evidence = &summary["cross_record_evidence"];
        assert_eq!(evidence["rejection_traces"], 4);
        assert_eq!(evidence["rejected_operations"], 4);
        assert_eq!(evidence["lifted_by_trace_900421"], 2);
        assert_eq!(evidence["traces_as_evidence"], 2);
        let per_file: BTreeMap<String, (u64, u64)> = summary["files"]
            .as_array()
            .expect("files")
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().expect("path").to_string(),
                    (
                        f["partner_center"].as_u64().expect("n"),
                        f["other"].as_u64().expect("n"),
                    ),
                )
            })
            .collect();
        assert_eq!(per_file[DEPENDENCIES], (5, 1));
        assert_eq!(per_file[TRACES], (2, 2));
        assert_eq!(per_file[EXCEPTIONS], (0, 1));
    }
    // The folder as a whole, on one thread and on four: the same bytes.
    let one = tempfile::tempdir().expect("tempdir");
    let four = tempfile::tempdir().expect("tempdir");
    scan(&[INSIGHTS], one.path(), &["--threads", "1"], 0);
    scan(&[INSIGHTS], four.path(), &["--threads", "4"], 0);
    for file in ["calls.parquet", "integrations.csv", "daily.csv"] {
        let a = std::fs::read(one.path().join(file)).expect("read");
        let b = std::fs::read(four.path().join(file)).expect("read");
        assert!(a == b, "{file} differs between 1 and 4 threads");
    }
}
