//! Sniff results: the structure the binary prints, checked as data.

use std::io::Write;

use serde_json::json;

use super::*;
use crate::formats::test_support::{app_user_token, assert_secret_free, PC_HOST};

fn sniff_text(name: &str, text: &str, options: &SniffOptions) -> FileSniff {
    sniff_bytes(name, text.as_bytes(), options)
}

fn sniff_bytes(name: &str, bytes: &[u8], options: &SniffOptions) -> FileSniff {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(bytes))
        .expect("write");
    let mut sniffed = sniff(&[path.display().to_string()], options);
    assert_eq!(sniffed.len(), 1);
    let sniffed = sniffed.remove(0);
    assert_secret_free(&format!("{sniffed:?}"));
    sniffed
}

fn columns(record: &RecordSniff) -> Vec<(&'static str, Source, String)> {
    match &record.outcome {
        RecordOutcome::Read { columns, .. } => columns
            .iter()
            .map(|c| (c.column.name(), c.source.clone(), c.shown.clone()))
            .collect(),
        RecordOutcome::Rejected(reason) => panic!("rejected {reason:?}"),
        RecordOutcome::SideEvidence { label } => panic!("side evidence {label}"),
    }
}

#[test]
fn har_entries_name_their_header_list_paths() {
    let token = app_user_token(Some(&["pwd", "mfa"]));
    let entry = json!({
        "startedDateTime": "2026-06-03T10:02:11.120+02:00",
        "request": {"method": "GET", "url": format!("https://{PC_HOST}/v1/customers?code=secret-code"),
            "headers": [{"name": "Authorization", "value": format!("Bearer {token}")}, {"name": "Cookie", "value": "session=abc"}]},
        "response": {"status": 200, "headers": [{"name": "isMfaCompliant", "value": "True"}]}
    });
    let har = json!({"log": {"version": "1.2", "creator": {"name": "Fiddler", "version": "5"}, "entries": [entry]}});
    let sniffed = sniff_text("session.har", &har.to_string(), &SniffOptions::default());
    let FileOutcome::Read {
        format, records, ..
    } = &sniffed.outcome
    else {
        panic!("{sniffed:?}")
    };
    assert_eq!(*format, "har");
    let got = columns(&records[0]);
    let find = |name| got.iter().find(|(n, ..)| *n == name).cloned();
    assert_eq!(
        find("authorization").map(|(_, s, shown)| (
            s,
            shown.starts_with("<bearer token: ") && shown.ends_with("claims decoded>")
        )),
        Some((Source::Found("request.headers.Authorization".into()), true))
    );
    assert_eq!(
        find("is_mfa_compliant").map(|(_, s, v)| (s, v)),
        Some((
            Source::Found("response.headers.isMfaCompliant".into()),
            "true".into()
        ))
    );
    assert_eq!(
        find("url").map(|(_, _, v)| v),
        Some(format!("{PC_HOST}/v1/customers?<query hidden>"))
    );
    let debug = format!("{sniffed:?}");
    assert!(
        !debug.contains("secret-code") && !debug.contains("session=abc"),
        "{debug}"
    );
    match &records[0].outcome {
        RecordOutcome::Read {
            judged: Some(judged),
            marked: true,
            ..
        } => {
            assert_eq!(
                (judged.verdict, judged.evidence),
                (Verdict::Compliant, Evidence::ValidateMfaHeader)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn records_are_framed_capped_and_rejected_as_a_scan_does() {
    let good = format!(
        r#"{{"url":"https://{PC_HOST}/v1/customers","status":401,"body":"{{\"code\":900421}}"}}"#
    );
    let text = format!("{good}\n\n{{\"url\": \"https://{PC_HOST}/v1/customers\"\n{{\"graph\":1}}\n{good}\n{good}\n");
    let options = SniffOptions {
        records: 3,
        ..SniffOptions::default()
    };
    let sniffed = sniff_text("gateway.jsonl", &text, &options);
    let FileOutcome::Read { records, why, .. } = &sniffed.outcome else {
        panic!("{sniffed:?}")
    };
    assert!(why.contains("keys body, status, url"), "{why}");
    let numbers: Vec<u64> = records.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 3, 4], "blank line 2 is not a record");
    assert!(matches!(
        records[1].outcome,
        RecordOutcome::Rejected(RejectReason::InvalidJson)
    ));
    assert!(matches!(
        records[2].outcome,
        RecordOutcome::Read {
            marked: false,
            judged: None,
            ..
        }
    ));
    assert_eq!(
        columns(&records[0])
            .iter()
            .find(|(n, ..)| *n == "error_code")
            .map(|(_, s, v)| (s.clone(), v.clone())),
        Some((Source::Found("body".into()), "900421".into()))
    );
}

#[test]
fn skipped_and_unreadable_inputs_say_why() {
    let png = sniff_bytes(
        "x.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        &SniffOptions::default(),
    );
    assert_eq!(png.outcome, FileOutcome::Skipped("PNG image".into()));
    // A forced format does not read it either.
    let forced = SniffOptions {
        format: crate::formats::format_by_name("gateway_json_lines"),
        ..SniffOptions::default()
    };
    let png = sniff_bytes("x.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &forced);
    assert_eq!(png.outcome, FileOutcome::Skipped("PNG image".into()));
    let empty = sniff_text("empty.jsonl", "", &SniffOptions::default());
    assert_eq!(empty.outcome, FileOutcome::Skipped("empty".into()));
    let missing = sniff(
        &["no/such/file.jsonl".to_string()],
        &SniffOptions::default(),
    );
    assert!(
        matches!(missing[0].outcome, FileOutcome::Unreadable(_)),
        "{missing:?}"
    );
}
