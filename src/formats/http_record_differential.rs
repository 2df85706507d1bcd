//! The `Doc` reading of HTTP records against the `Value` reading it
//! replaced ([`super::super::http_record_oracle`]), on generated records
//! shaped like gateway, proxy and HAR logs: every field must come out the same.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::super::http_record_oracle;
use super::super::json_doc::Doc;
use super::{read_http, read_http_text, Streamed};
use crate::formats::test_support::app_user_token;

/// Everything an observation holds, the token compared as itself.
fn same(record: &str) {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(record) else {
        return;
    };
    let old = http_record_oracle::read_http(&map);
    let doc = Doc::parse_str(record).expect("a Value parses as a Doc");
    let new = read_http(&doc, doc.root());
    assert_eq!(format!("{new:?}"), format!("{old:?}"), "{record}");
    assert!(new.bearer == old.bearer, "bearer differs: {record}");
    // Read as it streams, it reads the same or goes to the `Doc`.
    match read_http_text(record, false) {
        Ok(Streamed::Http(streamed)) => {
            assert_eq!(format!("{streamed:?}"), format!("{old:?}"), "{record}");
            assert!(streamed.bearer == old.bearer, "bearer differs: {record}");
        }
        Ok(Streamed::NeedsDoc) => {}
        Ok(Streamed::Shaped) | Err(_) => panic!("{record}"),
    }
}

/// Keys as logs spell them, several mapping to the same field and rank.
const KEYS: &[&str] = &[
    "url",
    "URL",
    "requestUrl",
    "request_url",
    "uri",
    "backendUrl",
    "host",
    "Host",
    ":authority",
    "x-forwarded-host",
    "status",
    "statusCode",
    "backendResponseCode",
    "resultCode",
    "method",
    "verb",
    "path",
    "x-envoy-original-path",
    "timestamp",
    "@t",
    "time",
    "ts",
    "date",
    "User-Agent",
    "ua",
    "MS-CorrelationId",
    "x-correlation-id",
    "operationId",
    "MS-RequestId",
    "x-request-id",
    "Authorization",
    "authorization",
    "Proxy-Authorization",
    "isMfaCompliant",
    "code",
    "errorCode",
    "body",
    "message",
    "error",
    "details",
    "WWW-Authenticate",
    "headers",
    "request",
    "response",
    "req",
    "res",
    "backendResponse",
    "name",
    "value",
    "other",
    "a",
    "Z",
];

fn leaf() -> impl Strategy<Value = Value> {
    let token = app_user_token(Some(&["pwd"]));
    prop_oneof![
        Just(json!(
            "https://api.partnercenter.microsoft.com/v1/customers?size=10"
        )),
        Just(json!("https://graph.microsoft.com/v1.0/me")),
        Just(json!("api.partnercenter.microsoft.com")),
        Just(json!("graph.microsoft.com:443")),
        Just(json!(format!("Bearer {token}"))),
        Just(json!("Bearer not.a.token")),
        Just(json!(401)),
        Just(json!("200")),
        Just(json!(900421)),
        Just(json!("{\"code\":900421,\"description\":\"MFA required\"}")),
        Just(json!("{\"error\":{\"code\":\"900421\"}}")),
        Just(json!(
            "[{\"name\":\"Authorization\",\"value\":\"Bearer x.y.z\"}]"
        )),
        Just(json!("GET /v1/customers HTTP/1.1")),
        Just(json!("2026-06-02T08:15:03.123Z")),
        Just(json!(1780000000.5)),
        Just(json!("True")),
        Just(json!(false)),
        Just(json!(null)),
        Just(json!("  ")),
        Just(json!("Mozilla/5.0")),
        Just(json!("3B6F0E9A-1C2D-4E5F-8A9B-0C1D2E3F4A5B")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec((prop::sample::select(KEYS), inner.clone()), 0..6).prop_map(
                |pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            ),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            (prop::sample::select(KEYS), inner)
                .prop_map(|(name, v)| json!([{ "name": name, "value": v }])),
        ]
    })
}

/// A record's text with its keys in a generated order, repeats allowed
/// (a `Value` would sort them and keep the last of a repeated key).
fn record() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(KEYS), value()), 1..8).prop_map(|pairs| {
        let body: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}:{}", json!(k), v))
            .collect();
        format!("{{{}}}", body.join(","))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn doc_reading_matches_value_reading(record in record()) {
        same(&record);
    }
}

#[test]
fn known_shapes_read_alike() {
    for record in [
        r#"{"request":{"url":"https://api.partnercenter.microsoft.com/v1/a","headers":{"Authorization":"Bearer a.b.c"}},"url":"https://graph.microsoft.com/","response":{"status":401,"body":"{\"code\":900421}"}}"#,
        r#"{"url":"https://a.example/","url":"https://api.partnercenter.microsoft.com/v1/x","status":"401","code":"123","errorCode":"900421"}"#,
        r#"{"headers":"{\"Host\":\"api.partnercenter.microsoft.com\",\"MS-CorrelationId\":\"X\"}","status":403,"message":"MFA required"}"#,
        r#"{"log":{"entries":[{"request":{"headers":[{"name":"Authorization","value":"Bearer q"}]}}]}}"#,
    ] {
        same(record);
    }
}
