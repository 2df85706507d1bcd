//! The streaming walk against the `Doc` walk (the reference), and against
//! serde_json on which texts are JSON at all.

use std::path::Path;

use serde_json::Value;

use super::super::super::json_doc::tests::{json_value, mutate, mutation, NOISE, PIECES};
use super::super::super::json_doc::Doc;
use super::super::read_http;
use super::{read_http_text, Streamed};
use crate::formats::test_support::app_user_token;

/// The streamed reading, checked against the `Doc` reading when it has one.
fn streamed(record: &str) -> Streamed {
    let result =
        read_http_text(record, false).unwrap_or_else(|_| panic!("valid JSON streams: {record}"));
    if let Streamed::Http(observation) = &result {
        let doc = Doc::parse_str(record).expect("valid JSON");
        let reference = read_http(&doc, doc.root());
        assert_eq!(
            format!("{observation:?}"),
            format!("{reference:?}"),
            "{record}"
        );
        assert!(observation.bearer == reference.bearer, "{record}");
    }
    result
}

fn is_read(result: &Streamed) -> bool {
    matches!(result, Streamed::Http(_))
}

fn lines_under(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            lines_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            out.extend(text.lines().map(str::to_string));
        }
    }
}

#[test]
fn gateway_lines_stream_and_read_as_their_doc() {
    let mut lines = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    lines_under(&root.join("sample-data/logs/gateway"), &mut lines);
    let text = std::fs::read_to_string(root.join("tests/fixtures/messy-gateway.jsonl"))
        .unwrap_or_default();
    lines.extend(text.lines().map(str::to_string));
    assert!(lines.len() > 100, "{} lines", lines.len());
    let mut read = 0;
    for line in lines
        .iter()
        .filter(|l| serde_json::from_str::<Value>(l).is_ok())
    {
        read += usize::from(is_read(&streamed(line)));
    }
    // Gateway logs name each key once: every line streams.
    assert_eq!(read, lines.len());
}

#[test]
fn a_body_holding_json_is_read_as_it_streams() {
    let token = app_user_token(Some(&["pwd"]));
    let line = format!(
        r#"{{"request":{{"method":"GET","url":"https://api.partnercenter.microsoft.com/v1/customers","headers":{{"Authorization":"Bearer {token}"}}}},"response":{{"status":401,"body":"{{\"code\":900421,\"description\":\"MFA required\",\"data\":[]}}"}}}}"#
    );
    let Streamed::Http(observation) = streamed(&line) else {
        panic!("not streamed: {line}");
    };
    assert_eq!(observation.error_code.as_deref(), Some("900421"));
    assert_eq!(observation.status, Some(401));
    assert!(observation.bearer.is_some());
    // HAR-style header lists are read too.
    let har = r#"{"request":{"url":"https://api.partnercenter.microsoft.com/v1/a","headers":[{"name":"MS-CorrelationId","value":"ABC"},"x"]}}"#;
    let Streamed::Http(observation) = streamed(har) else {
        panic!("not streamed: {har}");
    };
    assert_eq!(observation.correlation_id.as_deref(), Some("abc"));
}

/// Records a sorted walk reads differently: the `Doc` reads them.
#[test]
fn repeated_keys_and_other_roots_go_to_the_doc() {
    for record in [
        // serde_json keeps the last of a repeated key.
        r#"{"url":"https://a.example/","url":"https://api.partnercenter.microsoft.com/x"}"#,
        r#"{"request":{"status":401,"status":200}}"#,
        r#"{"request":{"headers":{}},"request":5}"#,
        // Two spellings of one key.
        r#"{"url":"https://a.example/","\u0075rl":"https://b.example/"}"#,
        r#"{"status":401,"body":"{\"code\":1,\"code\":2}"}"#,
        // Keys of JSON held as text that share their first 8 bytes.
        r#"{"status":401,"body":"{\"x\":{\"description1\":{\"code\":\"1\"},\"description2\":{\"code\":\"2\"}}}"}"#,
        // Not an object.
        r#"[{"url":"https://api.partnercenter.microsoft.com/x"}]"#,
        r#""text""#,
    ] {
        assert!(!is_read(&streamed(record)), "{record}");
    }
}

/// Candidates for one field at the same rank and depth: the one a sorted
/// walk meets first wins, whatever order the record was written in.
#[test]
fn ties_are_decided_as_a_sorted_walk_decides_them() {
    for record in [
        r#"{"res":{"url":"https://b.example/"},"req":{"url":"https://a.example/"}}"#,
        r#"{"response":{"headers":{"MS-RequestId":"2"}},"request":{"headers":{"MS-RequestId":"1"}}}"#,
        r#"{"x":{"authorization":"Bearer d.e.f"},"request":{"headers":{"Authorization":"Bearer a.b.c"}}}"#,
        r#"{"errorCode":"34","code":"12"}"#,
        r#"{"x":{"isMfaCompliant":false},"isMfaCompliant":true}"#,
        r#"{"x":{"request":"POST /b HTTP/1.1"},"a":{"request":"GET /a HTTP/1.1"}}"#,
        r#"{"z":{"Host":"graph.microsoft.com"},"a":{"Host":"login.example"}}"#,
        r#"{"z":{"h":[{"name":"Host","value":"b.example"}]},"a":{"h":[{"name":"Host","value":"a.example"}]}}"#,
        r#"{"h":[{"name":"x-request-id","value":"2"},{"name":"x-request-id","value":"1"}]}"#,
        r#"{"body":"{\"b\":{\"code\":\"B\"},\"a\":{\"code\":\"A\"}}","status":500}"#,
        r#"{"body":"[{\"code\":\"B\"},{\"code\":\"A\"}]","status":500}"#,
        // Text that looks like JSON and is not: skipped, as a `Doc` walk skips it.
        r#"{"status":401,"body":"{\"code\":\"1\"","errorCode":"2"}"#,
        r#"{"status":401,"body":"{\"items\":[...],\"code\":\"1\"}","errorCode":"2"}"#,
        r#"{"b":{"body":"{\"code\":\"B\"}"},"a":{"body":"{\"code\":\"A\"}"},"status":500}"#,
    ] {
        assert!(is_read(&streamed(record)), "{record}");
    }
}

#[test]
fn a_shaped_record_stops_the_walk_when_asked() {
    let apim = r#"{"category":"GatewayLogs","properties":{"url":"https://api.partnercenter.microsoft.com/v1/a"}}"#;
    assert!(matches!(read_http_text(apim, true), Ok(Streamed::Shaped)));
    assert!(is_read(&streamed(apim)));
}

/// JSON accepted or refused exactly as serde_json does, unless the walk
/// stopped early (then the `Doc` decides).
fn judged_like_serde(text: &[u8]) {
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let value = serde_json::from_str::<Value>(text);
    match read_http_text(text, false) {
        Err(_) => assert!(value.is_err(), "refused valid JSON: {text}"),
        Ok(Streamed::Http(_)) => {
            assert!(value.is_ok(), "read invalid JSON: {text}");
            streamed(text);
        }
        Ok(_) => {}
    }
}

#[test]
fn nesting_limit_is_serde_jsons() {
    for depth in [126, 127, 128, 129] {
        let text = format!(r#"{{"a":{}1{}}}"#, "[".repeat(depth), "]".repeat(depth));
        judged_like_serde(text.as_bytes());
        let text = format!(
            r#"{}{{"v":1}}{}"#,
            r#"{"a":"#.repeat(depth),
            "}".repeat(depth)
        );
        judged_like_serde(text.as_bytes());
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

    #[test]
    fn generated_and_mutated_json_is_judged_like_serde(
        value in json_value(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let record = serde_json::json!({ "request": value, "status": 401 });
        let mut text = serde_json::to_vec(&record).unwrap_or_default();
        judged_like_serde(&text);
        for mutation in &mutations {
            mutate(&mut text, mutation);
            judged_like_serde(&text);
        }
    }

    #[test]
    fn pieces_are_judged_like_serde(
        pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..24)
    ) {
        judged_like_serde(format!("{{\"a\":{}}}", pieces.concat()).as_bytes());
    }

    #[test]
    fn any_bytes_are_judged_like_serde(bytes in proptest::collection::vec(
        proptest::sample::select(NOISE.to_vec()), 0..40)
    ) {
        judged_like_serde(&bytes);
    }
}
