//! Messy exports: each hazard from the bad-input issue, run end to end, with
//! the behaviour stated in the test name.

mod common;

use std::io::Write;
use std::path::Path;

use common::{read_csv, read_summary, scan};

/// A Partner Center gateway line (token-free: 900421 needs no token).
fn pc_line(i: usize) -> String {
    format!(
        r#"{{"timestamp":"2026-06-02T08:00:{:02}Z","host":"api.partnercenter.microsoft.com","method":"GET","path":"/v1/customers","status":401,"user_agent":"Hazard/{i}","body":"{{\"code\":900421}}"}}"#,
        i % 60
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    std::fs::write(dir.join(name), bytes).expect("write");
    dir.join(name).display().to_string()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

fn lines(n: usize) -> String {
    (0..n).map(|i| pc_line(i) + "\n").collect()
}

fn file_entry<'a>(summary: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == path)
        .expect("file listed")
}

#[test]
fn crlf_bom_and_utf16_read_exactly_like_plain_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(
        common::root().join("sample-data/logs/gateway/egress-gateway-2026-06-01_07.jsonl"),
    )
    .expect("sample");
    let plain = write(dir.path(), "plain.jsonl", text.as_bytes());
    let crlf = text.replace('\n', "\r\n");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(crlf.as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(crlf.encode_utf16().flat_map(u16::to_le_bytes));
    let variants = [
        write(dir.path(), "crlf.jsonl", crlf.as_bytes()),
        write(dir.path(), "bom.jsonl", &bom),
        write(dir.path(), "utf16.jsonl", &utf16),
    ];
    let base = tempfile::tempdir().expect("tempdir");
    scan(&[&plain], base.path(), &[], 0);
    let expected = std::fs::read(base.path().join("integrations.csv")).expect("csv");
    for variant in &variants {
        let out = tempfile::tempdir().expect("tempdir");
        scan(&[variant], out.path(), &[], 0);
        let got = std::fs::read(out.path().join("integrations.csv")).expect("csv");
        assert!(got == expected, "{variant} reads differently");
        assert_eq!(
            read_summary(out.path())["accounting"]["records"],
            261,
            "{variant}"
        );
    }
}

#[test]
fn a_bad_record_is_rejected_alone_and_the_file_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut data = Vec::new();
    data.extend_from_slice((pc_line(1) + "\n").as_bytes());
    data.extend_from_slice(b"{\"host\":\"api.partnercenter.microsoft.com\",\"x\":\"nul\0byte\"}\n");
    data.extend_from_slice(b"{\"host\":\"api.partnercenter.microsoft.com\",\"x\":\"\xC3\x28\"}\n");
    data.extend_from_slice(
        format!(
            "{{\"host\":\"api.partnercenter.microsoft.com\",\"x\":{}{}}}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        )
        .as_bytes(),
    );
    data.extend_from_slice(b"{\"host\":\"graph.microsoft.com\",\"host\":\"api.partnercenter.microsoft.com\",\"status\":401,\"body\":\"900421\"}\n");
    data.extend_from_slice(b"{\"host\":\"api.partnercenter.microsoft.com\",\"status\":1e300,\"n\":123456789012345678901234567890}\n");
    data.extend_from_slice(b"{\"host\":\"api.partnercenter.microsoft.com\",\"n\":1e400}\n");
    data.extend_from_slice((pc_line(8) + "\n").as_bytes());
    let path = write(dir.path(), "messy.jsonl", &data);
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[&path], out.path(), &[], 3);
    let rejects: Vec<(String, String)> = read_csv(&out.path().join("rejects.csv"))
        .into_iter()
        .map(|r| (r["source_record"].clone(), r["reason"].clone()))
        .collect();
    assert_eq!(
        rejects,
        [
            ("2".into(), "invalid_json".into()),
            ("3".into(), "invalid_utf8".into()),
            ("4".into(), "invalid_json".into()),
            ("7".into(), "invalid_json".into())
        ],
        "NUL, bad UTF-8, 100,000-deep nesting and a number beyond the float range are rejected one record each"
    );
    let summary = read_summary(out.path());
    assert_eq!(summary["accounting"]["records"], 8);
    assert_eq!(
        summary["accounting"]["partner_center"], 4,
        "duplicate keys (last wins) and big integers still read"
    );
    assert_eq!(summary["status"], "partial");
}

#[test]
fn a_50_mb_line_is_rejected_and_the_next_lines_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut data = (pc_line(1) + "\n").into_bytes();
    data.extend_from_slice(br#"{"host":"api.partnercenter.microsoft.com","pad":""#);
    data.extend(std::iter::repeat_n(b'x', 50 << 20));
    data.extend_from_slice(b"\"}\n");
    data.extend_from_slice((pc_line(3) + "\n").as_bytes());
    let path = write(dir.path(), "long.jsonl", &data);
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[&path], out.path(), &[], 3);
    let rejects = read_csv(&out.path().join("rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(
        (
            rejects[0]["source_record"].as_str(),
            rejects[0]["reason"].as_str()
        ),
        ("2", "too_large")
    );
    assert_eq!(read_summary(out.path())["accounting"]["partner_center"], 2);
}

#[test]
fn cut_compressed_files_keep_the_records_before_the_cut() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = lines(5000);
    let gz = gzip(body.as_bytes());
    let zst = zstd::encode_all(body.as_bytes(), 3).expect("zstd");
    let gz_path = write(dir.path(), "cut.jsonl.gz", &gz[..gz.len() / 2]);
    let zst_path = write(dir.path(), "cut.jsonl.zst", &zst[..zst.len() / 2]);
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[&gz_path, &zst_path], out.path(), &[], 3);
    let summary = read_summary(out.path());
    for path in [&gz_path, &zst_path] {
        let file = file_entry(&summary, path);
        let kept = file["partner_center"].as_u64().expect("count");
        assert!(kept > 100 && kept < 5000, "{path}: {kept} records kept");
        assert!(file["error"].as_str().is_some(), "{path} is flagged");
    }
    assert_eq!(summary["status"], "partial");
    assert_eq!(summary["accounting"]["holds"], true);
}

#[test]
fn concatenated_gzip_members_and_zstd_frames_are_all_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut gz = gzip(lines(300).as_bytes());
    gz.extend(gzip(lines(200).as_bytes()));
    let mut zst = zstd::encode_all(lines(300).as_bytes(), 3).expect("zstd");
    zst.extend(zstd::encode_all(lines(200).as_bytes(), 3).expect("zstd"));
    // Names that lie: content decides.
    let a = write(dir.path(), "members.log", &gz);
    let b = write(dir.path(), "frames.json", &zst);
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[&a, &b], out.path(), &[], 0);
    let summary = read_summary(out.path());
    assert_eq!(file_entry(&summary, &a)["compression"], "gzip");
    assert_eq!(file_entry(&summary, &b)["compression"], "zstd");
    assert_eq!(file_entry(&summary, &a)["partner_center"], 500);
    assert_eq!(file_entry(&summary, &b)["partner_center"], 500);
}

#[test]
fn empty_and_unrelated_files_are_skipped_not_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "empty.jsonl", b"");
    write(dir.path(), "image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(
        dir.path(),
        "settings.json",
        b"{\n  \"theme\": \"dark\",\n  \"retries\": 3\n}\n",
    );
    write(dir.path(), "numbers.json", b"[1, 2, 3]");
    write(dir.path(), "good.jsonl", lines(3).as_bytes());
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[&dir.path().display().to_string()], out.path(), &[], 0);
    let summary = read_summary(out.path());
    assert_eq!(summary["status"], "complete");
    assert_eq!(summary["inputs"]["skipped"], 4);
    assert_eq!(summary["accounting"]["rejected"], 0);
    assert_eq!(summary["accounting"]["partner_center"], 3);
}

#[test]
fn bad_tokens_are_unknown_with_their_reason_never_app_only() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let header = b64(r#"{"alg":"RS256","typ":"JWT"}"#);
    let payload = b64(
        r#"{"aud":"https://api.partnercenter.microsoft.com","appid":"11111111-1111-4111-8111-111111111111","idtyp":"app"}"#,
    );
    let tokens = [
        (
            format!("{}.{payload}.sig", b64(r#"{"alg":"none"}"#)),
            "unsigned_token",
        ),
        (format!("{header}.{payload}.a.b.c"), "jwe_token"),
        (format!("{header}.{payload}.a.b"), "malformed_token"),
        (format!("{header}.!!!.sig"), "bad_base64"),
        (
            format!("{header}.{}.sig", b64("not json")),
            "payload_not_json",
        ),
        (
            format!(
                "{header}.{}.sig",
                b64(r#"{"amr":["pwd"],"amr":["mfa"],"scp":"x"}"#)
            ),
            "duplicate_claim",
        ),
        (
            format!("{header}.{}.sig", "A".repeat(40_000)),
            "token_too_large",
        ),
        ("opaque-token-value".to_string(), "opaque_token"),
    ];
    let data: String = tokens
        .iter()
        .enumerate()
        .map(|(i, (token, _))| {
            format!(
                "{{\"host\":\"api.partnercenter.microsoft.com\",\"path\":\"/v1/customers\",\"status\":200,\"user_agent\":\"t{i}\",\"authorization\":\"Bearer {token}\"}}\n"
            )
        })
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "tokens.jsonl", data.as_bytes());
    let out = tempfile::tempdir().expect("tempdir");
    scan(&[&path], out.path(), &[], 0);
    let df = common::analyst::read_calls(out.path());
    let col = |name: &str| -> Vec<Option<String>> {
        df.column(name)
            .expect("col")
            .str()
            .expect("str")
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    };
    let (verdicts, evidence, detail) = (col("verdict"), col("evidence"), col("evidence_detail"));
    assert_eq!(verdicts.len(), tokens.len());
    for (i, (_, reason)) in tokens.iter().enumerate() {
        assert_eq!(verdicts[i].as_deref(), Some("unknown"), "{reason}");
        assert_eq!(
            evidence[i].as_deref(),
            Some("undecodable_token"),
            "{reason}"
        );
        assert_eq!(detail[i].as_deref(), Some(*reason));
    }
}

/// The file the truncation hook cuts (by inode, so other tests' files are
/// left alone), and where.
static CUT_TARGET: std::sync::Mutex<Option<(std::path::PathBuf, u64)>> =
    std::sync::Mutex::new(None);

/// Truncates the target from another handle, once, right after its first
/// range is mapped and before it is read.
fn cut_after_mapping(file: &std::fs::File) {
    use std::os::unix::fs::MetadataExt;
    let mut target = CUT_TARGET.lock().unwrap_or_else(|e| e.into_inner());
    let Some((path, cut)) = target.as_ref() else {
        return;
    };
    let (Ok(mapped), Ok(ours)) = (file.metadata(), std::fs::metadata(path)) else {
        return;
    };
    if (mapped.dev(), mapped.ino()) == (ours.dev(), ours.ino()) {
        let cutter = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .expect("open to cut");
        cutter.set_len(*cut).expect("truncate");
        *target = None;
    }
}

/// logrotate `copytruncate` cuts a log while it is memory-mapped: reading past
/// the new end raises SIGBUS. The scan survives, keeps every record before
/// the cut, and flags the file, exactly as a `pread` of a shrinking file does.
#[test]
fn a_file_truncated_while_mapped_keeps_the_records_before_the_cut() {
    use pcmfa::pipeline::{scan as run_scan, Progress, ScanConfig};
    let dir = tempfile::tempdir().expect("tempdir");
    let body = lines(5000);
    let kept = 1000;
    let cut = lines(kept).len() as u64;
    let path = write(dir.path(), "rotated.jsonl", body.as_bytes());
    *CUT_TARGET.lock().unwrap_or_else(|e| e.into_inner()) = Some((path.clone().into(), cut));
    pcmfa::input::set_after_mapping_hook(Some(cut_after_mapping));
    let faults = pcmfa::input::mapping_faults();
    let out = tempfile::tempdir().expect("tempdir");
    let mut config = ScanConfig::new(vec![path.clone()], out.path().to_path_buf());
    config.threads = 1;
    config.chunk_bytes = 64 << 10;
    let report = run_scan(&config, &Progress::default()).expect("scan");
    assert!(
        CUT_TARGET
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none(),
        "the file was cut while mapped"
    );
    assert!(
        pcmfa::input::mapping_faults() > faults,
        "reading past the cut raised SIGBUS and the process survived"
    );
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), cut);
    let summary = read_summary(out.path());
    let file = file_entry(&summary, &path);
    assert_eq!(file["records"], kept as u64);
    assert_eq!(file["partner_center"], kept as u64);
    assert!(
        file["error"].as_str().is_some_and(|e| e.contains("shrank")),
        "the file is flagged: {}",
        file["error"]
    );
    assert_eq!(summary["status"], "partial");
    assert_eq!(summary["accounting"]["holds"], true);
    assert_eq!(report.summary.accounting.records, kept as u64);
    // The records kept are the first ones, numbered as in the file.
    let calls = common::analyst::read_calls(out.path());
    let numbers: Vec<u64> = calls
        .column("source_record")
        .expect("source_record")
        .cast(&polars::prelude::DataType::UInt64)
        .expect("numbers")
        .u64()
        .expect("u64")
        .into_no_null_iter()
        .collect();
    assert_eq!(numbers, (1..=kept as u64).collect::<Vec<_>>());
}
