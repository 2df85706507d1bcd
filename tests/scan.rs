//! End-to-end: run the `pcmfa` binary on the bundled sample corpus and on
//! fixture folders, then read its outputs back the way analysts do.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{read_csv, read_summary, scan, CONTRACT_FILES};

/// The sample corpus ranks exactly as its generator's oracle says.
#[test]
fn sample_data_ranks_as_its_readme_says() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = scan(&["sample-data"], out.path(), &[], 0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("worst integrations"),
        "closing summary on stderr:\n{stderr}"
    );

    let ours = read_csv(&out.path().join("integrations.csv"));
    let expected = read_csv(&common::root().join("sample-data/expected-integrations.csv"));
    assert_eq!(ours.len(), expected.len());
    for (row, want) in ours.iter().zip(&expected) {
        for column in [
            "rank",
            "integration",
            "app_name",
            "verdict",
            "calls",
            "broken",
            "at_risk",
            "compliant",
            "not_affected",
            "unknown",
        ] {
            assert_eq!(
                row[column], want[column],
                "{column} of {}",
                want["integration"]
            );
        }
        assert!(!row["action"].is_empty());
    }
    // The lookalike relay never becomes an integration.
    assert!(ours.iter().all(|r| !r["integration"].contains("evil")));
}

/// Every contract file is written, and summary.json accounts for every record.
#[test]
fn sample_data_writes_every_contract_file_and_accounts_for_every_record() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&["sample-data/logs"], out.path(), &[], 0);
    for file in CONTRACT_FILES {
        assert!(out.path().join(file).is_file(), "{file} missing");
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .expect("out")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    let summary = read_summary(out.path());
    let totals: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("sample-data/expected-totals.json"))
            .expect("totals"),
    )
    .expect("json");
    let acc = &summary["accounting"];
    assert_eq!(acc["holds"], true);
    assert_eq!(
        acc["records"].as_u64(),
        Some(
            acc["partner_center"].as_u64().unwrap_or(0)
                + acc["other"].as_u64().unwrap_or(0)
                + acc["rejected"].as_u64().unwrap_or(0)
        )
    );
    assert_eq!(summary["status"], "complete");
    assert_eq!(summary["schema_version"], 1);
    let files = summary["files"].as_array().expect("files");
    let expected_files = totals["files"].as_object().expect("files");
    assert_eq!(files.len(), expected_files.len());
    for file in files {
        let path = file["path"].as_str().expect("path");
        let want = &expected_files[path];
        for key in ["records", "partner_center", "other", "rejected"] {
            assert_eq!(file[key], want[key], "{key} of {path}");
        }
        assert_eq!(file["bytes"], want["bytes"], "bytes of {path}");
    }
    let by_verdict = &summary["partner_center"]["by_verdict"];
    for (verdict, n) in totals["verdicts"].as_object().expect("verdicts") {
        assert_eq!(&by_verdict[verdict], n, "{verdict}");
    }
    assert_eq!(
        summary["partner_center"]["api_calls"],
        totals["totals"]["api_calls"]
    );
    assert_eq!(
        summary["partner_center"]["sign_ins"],
        totals["totals"]["sign_ins"]
    );
    assert_eq!(summary["integrations"]["total"], totals["integrations"]);
    // Operations and days add up to the events they summarise.
    let sum = |rows: &[BTreeMap<String, String>]| -> u64 {
        rows.iter()
            .map(|r| r["calls"].parse::<u64>().expect("calls"))
            .sum()
    };
    let daily = read_csv(&out.path().join("daily.csv"));
    assert_eq!(sum(&daily), acc["partner_center"].as_u64().expect("pc"));
    assert_eq!(
        daily.first().map(|r| r["date"].as_str()),
        Some("2026-06-01")
    );
    let operations = read_csv(&out.path().join("operations.csv"));
    assert!(operations
        .iter()
        .any(|r| r["operation"] == "GET /v1/customers/{id}/subscriptions"));
    assert!(read_csv(&out.path().join("rejects.csv")).is_empty());
}

/// `--threads 1` and `--threads 4` write byte-identical files.
#[test]
fn thread_count_does_not_change_a_byte() {
    let one = tempfile::tempdir().expect("tempdir");
    let four = tempfile::tempdir().expect("tempdir");
    // Small chunks would be nicer, but the sample is small: many files give the interleaving.
    scan(
        &["sample-data/logs", "tests/fixtures"],
        one.path(),
        &["--threads", "1"],
        3,
    );
    scan(
        &["sample-data/logs", "tests/fixtures"],
        four.path(),
        &["--threads", "4"],
        3,
    );
    for file in CONTRACT_FILES {
        let a = std::fs::read(one.path().join(file)).expect("read");
        let b = std::fs::read(four.path().join(file)).expect("read");
        if *file == "summary.json" {
            let strip = |bytes: &[u8]| {
                let mut v: serde_json::Value = serde_json::from_slice(bytes).expect("json");
                let obj = v.as_object_mut().expect("object");
                obj.remove("duration_seconds");
                obj.remove("threads");
                v
            };
            assert_eq!(strip(&a), strip(&b), "summary.json differs beyond timing");
        } else {
            assert!(a == b, "{file} differs between 1 and 4 threads");
        }
    }
}

/// Reads the same files from stdin, gzip recognised by content.
#[test]
fn stdin_and_compression_by_magic_bytes() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let out = tempfile::tempdir().expect("tempdir");
    let gz = std::fs::read(
        common::root().join("sample-data/logs/gateway/edge-proxy-access-2026-06-01_07.jsonl.gz"),
    )
    .expect("gz");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pcmfa"))
        .args(["scan", "-", "--out"])
        .arg(out.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&gz)
        .expect("write");
    assert!(child.wait().expect("wait").success());
    let summary = read_summary(out.path());
    assert_eq!(summary["files"][0]["path"], "-");
    assert_eq!(summary["files"][0]["compression"], "gzip");
    assert_eq!(summary["accounting"]["records"], 390);
    assert_eq!(summary["accounting"]["partner_center"], 298);
}

/// Fixtures: lookalikes, broken records, cut files, odd shapes.
#[test]
fn fixtures_classify_and_account_as_documented() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = scan(&["tests/fixtures"], out.path(), &[], 3);
    let summary = read_summary(out.path());
    assert_eq!(
        summary["status"],
        "partial",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(summary["accounting"]["holds"], true);

    let calls = read_csv_calls(out.path());
    let rejects = read_csv(&out.path().join("rejects.csv"));
    let reasons: Vec<(String, String, String)> = rejects
        .iter()
        .map(|r| {
            (
                r["source_file"].clone(),
                r["source_record"].clone(),
                r["reason"].clone(),
            )
        })
        .collect();
    let f = "tests/fixtures/messy-gateway.jsonl";
    assert!(
        reasons.contains(&(f.into(), "3".into(), "invalid_json".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(f.into(), "5".into(), "not_an_object".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(f.into(), "7".into(), "invalid_utf8".into())),
        "{reasons:?}"
    );
    let cut = "tests/fixtures/cut-export.json";
    assert!(
        reasons.contains(&(cut.into(), "3".into(), "truncated".into())),
        "{reasons:?}"
    );

    // Verdicts per fixture record, by (file, record).
    let verdict = |file: &str, record: u64| -> String {
        calls
            .iter()
            .find(|c| c.0 == file && c.1 == record)
            .map(|c| c.2.clone())
            .unwrap_or_else(|| "other".into())
    };
    assert_eq!(verdict(f, 1), "broken");
    assert_eq!(verdict(f, 2), "other", "lookalike host");
    assert_eq!(verdict(f, 4), "at_risk");
    assert_eq!(verdict(f, 6), "unknown", "opaque token");
    assert_eq!(verdict(f, 8), "compliant", "CRLF line");
    assert_eq!(verdict(cut, 1), "not_affected");
    assert_eq!(verdict(cut, 2), "at_risk");

    let files = summary["files"].as_array().expect("files");
    let cut_file = files
        .iter()
        .find(|f| f["path"] == cut)
        .expect("cut file listed");
    assert!(cut_file["error"]
        .as_str()
        .is_some_and(|e| e.contains("truncated")));
    let skipped = summary["skipped"].as_array().expect("skipped");
    assert!(skipped
        .iter()
        .any(|s| s["path"] == "tests/fixtures/notes.txt"));
}

/// (source_file, source_record, verdict) of every call, from calls.parquet via polars.
fn read_csv_calls(out: &Path) -> Vec<(String, u64, String)> {
    let df = common::analyst::read_calls(out);
    let files = df
        .column("source_file")
        .expect("col")
        .str()
        .expect("str")
        .clone();
    let records = df
        .column("source_record")
        .expect("col")
        .u64()
        .expect("u64")
        .clone();
    let verdicts = df
        .column("verdict")
        .expect("col")
        .str()
        .expect("str")
        .clone();
    (0..df.height())
        .map(|i| {
            (
                files.get(i).expect("file").to_string(),
                records.get(i).expect("record"),
                verdicts.get(i).expect("verdict").to_string(),
            )
        })
        .collect()
}

/// Plain files are memory-mapped by default; the `pread` path they fall back
/// to (truncation, mapping failures) must read them byte for byte alike.
/// Small ranges put many range ends mid-line.
#[test]
fn mapped_and_pread_reads_write_identical_outputs() {
    use pcmfa::pipeline::{scan as run_scan, Progress, ScanConfig};
    let outputs = [true, false].map(|mapped| {
        pcmfa::input::set_memory_mapping(mapped);
        let out = tempfile::tempdir().expect("tempdir");
        let input = common::root().join("sample-data").display().to_string();
        let mut config = ScanConfig::new(vec![input], out.path().to_path_buf());
        config.threads = 2;
        config.chunk_bytes = 4096;
        run_scan(&config, &Progress::default()).expect("scan");
        let mut files = BTreeMap::new();
        for name in CONTRACT_FILES {
            let path = out.path().join(name);
            let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            if *name == "summary.json" {
                let mut summary: serde_json::Value =
                    serde_json::from_slice(&bytes).expect("summary");
                summary["duration_seconds"] = serde_json::Value::Null;
                bytes = summary.to_string().into_bytes();
            }
            files.insert(name.to_string(), bytes);
        }
        files
    });
    pcmfa::input::set_memory_mapping(true);
    assert_eq!(outputs[0].len(), CONTRACT_FILES.len());
    for (name, mapped) in &outputs[0] {
        assert!(mapped == &outputs[1][name], "{name} differs");
    }
}
