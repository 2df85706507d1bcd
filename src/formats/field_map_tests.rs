//! Field maps: path syntax, config files, and mapped columns overriding
//! automatic matching on custom-schema gateway records.

use serde_json::{json, Map, Value};

use super::*;
use crate::classify::classify;
use crate::formats::test_support::{
    app_only_token, app_user_token, assert_secret_free, origin, AUTO_LINES, PC_HOST,
};
use crate::formats::{parse_record_mapped, Parsed};
use crate::vocab::{Evidence, Verdict};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn path(text: &str) -> FieldPath {
    FieldPath::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn paths_parse_quote_and_round_trip() {
    let cases: &[(&str, &[&str])] = &[
        ("url", &["url"]),
        ("req.target", &["req", "target"]),
        ("entries.0.request.url", &["entries", "0", "request", "url"]),
        (r#"properties."x.y".z"#, &["properties", "x.y", "z"]),
        (r#""a.b""#, &["a.b"]),
        (r#"a."say \"hi\"".b"#, &["a", "say \"hi\"", "b"]),
        (r#"a."back\\slash""#, &["a", "back\\slash"]),
        ("@t", &["@t"]),
    ];
    for (text, segments) in cases {
        let parsed = path(text);
        assert_eq!(parsed.segments, *segments, "{text}");
        assert_eq!(FieldPath::parse(&parsed.to_string()), Ok(parsed), "{text}");
    }
    for bad in [
        "",
        "a..b",
        "a.",
        ".a",
        r#"a."b"#,
        r#"a"b".c"#,
        r#""a"b"#,
        r#"a."\n""#,
    ] {
        assert!(
            matches!(FieldPath::parse(bad), Err(FieldMapError::BadPath { .. })),
            "{bad:?} parsed"
        );
    }
}

#[test]
fn paths_resolve_objects_arrays_header_lists_and_json_text() {
    let record = object(json!({
        "req": {"target": "https://api.partnercenter.microsoft.com/v1/customers"},
        "Resp": {"Code": 401},
        "hops": [{"host": "edge-1"}, {"host": "api.partnercenter.microsoft.com"}],
        "hdrs": [{"name": "Authorization", "value": "Bearer x"}, {"name": "Accept", "value": "*/*"}],
        "properties": {"x.y": "dotted", "body": "{\"error\":{\"code\":900421}}"},
        "empty": null
    }));
    let cases: &[(&str, Option<Value>)] = &[
        (
            "req.target",
            Some(json!(
                "https://api.partnercenter.microsoft.com/v1/customers"
            )),
        ),
        ("resp.code", Some(json!(401))),
        (
            "hops.1.host",
            Some(json!("api.partnercenter.microsoft.com")),
        ),
        ("hops.2.host", None),
        ("hdrs.authorization", Some(json!("Bearer x"))),
        (r#"properties."x.y""#, Some(json!("dotted"))),
        ("properties.x.y", None),
        ("properties.body.error.code", Some(json!(900421))),
        (
            "properties.body",
            Some(json!("{\"error\":{\"code\":900421}}")),
        ),
        ("empty", None),
        ("req.target.more", None),
        ("missing", None),
    ];
    for (text, want) in cases {
        let got = path(text).resolve(&record).map(|v| v.into_owned());
        assert_eq!(got, *want, "{text}");
    }
}

#[test]
fn assignments_and_config_files_build_the_same_map() {
    let args = [
        "url=req.target",
        "status = resp.code",
        "authorization=req.hdrs.auth",
        r#"app_name=meta."client.name""#,
    ];
    let from_args = FieldMap::from_assignments(&args).expect("args");
    let config = r#"
# where our gateway keeps things
[fields]
url = "req.target"          # the full URL
status = 'resp.code'
authorization = "req.hdrs.auth"
app_name = 'meta."client.name"'
"#;
    let from_config = FieldMap::from_config(config).expect("config");
    assert_eq!(from_args, from_config);
    assert_eq!(from_args.entries().len(), 4);
    assert_eq!(
        from_args.path_of(Column::AppName).map(ToString::to_string),
        Some(r#"meta."client.name""#.to_string())
    );
    // A later --field replaces the config file's mapping.
    let mut merged = from_config;
    let (column, path) = FieldMap::parse_assignment("status=res.statusCode").expect("arg");
    merged.set(column, path);
    assert_eq!(
        merged.path_of(Column::Status).map(ToString::to_string),
        Some("res.statusCode".to_string())
    );
}

#[test]
fn bad_assignments_and_configs_say_what_is_wrong() {
    let unknown = FieldMap::parse_assignment("statuscode=resp.code").unwrap_err();
    let message = unknown.to_string();
    assert!(message.contains("\"statuscode\""), "{message}");
    for name in Column::ALL {
        assert!(
            message.contains(name.name()),
            "{message} misses {}",
            name.name()
        );
    }
    assert!(matches!(
        FieldMap::parse_assignment("status"),
        Err(FieldMapError::NotAnAssignment(_))
    ));
    assert!(matches!(
        FieldMap::parse_assignment("status=a..b"),
        Err(FieldMapError::BadPath { .. })
    ));
    assert!(matches!(
        FieldMap::from_assignments(&["status=a", "status=b"]),
        Err(FieldMapError::Duplicate {
            column: "status",
            ..
        })
    ));
    let configs: &[(&str, usize, &str)] = &[
        ("url = \"a\"", 1, "under [fields]"),
        ("[fields]\n\nurl = a.b", 3, "put the path in quotes"),
        ("[paths]\nurl = \"a\"", 1, "unknown table"),
        ("[fields]\nuri = \"a\"", 2, "valid columns"),
        ("[fields]\nurl \"a\"", 2, "expected NAME"),
        ("[fields]\nurl = \"a\"\nurl = \"b\"", 3, "mapped twice"),
        ("[fields]\nurl = \"a..b\"", 2, "empty segment"),
    ];
    for (text, line, needle) in configs {
        match FieldMap::from_config(text) {
            Err(FieldMapError::Config { line: got, message }) => {
                assert_eq!(got, *line, "{text}");
                assert!(message.contains(needle), "{text}: {message}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    assert_eq!(
        FieldMap::from_config("# nothing\n[fields]\n"),
        Ok(FieldMap::EMPTY)
    );
}

/// A gateway that names everything its own way.
fn custom_record(token: &str, code: u16, body: &str) -> String {
    json!({
        "when": "2026-06-02T08:15:03.250Z",
        "req": {
            "verb": "get",
            "target": format!("https://{PC_HOST}/v1/customers/3c2a4d6e-0000-4000-8000-000000000001/subscriptions?size=10"),
            "hdrs": {"auth": format!("Bearer {token}"), "client": "ContosoSync/2.1"}
        },
        "resp": {"code": code, "payload": body},
        "trace": "9F1D2C3B-0000-4000-8000-00000000ABCD",
        "status": "ok"
    })
    .to_string()
}

fn custom_map() -> FieldMap {
    FieldMap::from_assignments(&[
        "timestamp=when",
        "url=req.target",
        "method=req.verb",
        "status=resp.code",
        "authorization=req.hdrs.auth",
        "response_body=resp.payload",
        "user_agent=req.hdrs.client",
        "correlation_id=trace",
    ])
    .expect("map")
}

fn classify_mapped(record: &str, map: &FieldMap) -> Option<crate::event::Call> {
    match parse_record_mapped(record.as_bytes(), AUTO_LINES, map) {
        Parsed::Event(obs, label) => {
            assert_secret_free(&format!("{obs:?}"));
            let call = classify(*obs, &origin(label));
            assert_secret_free(&format!("{call:?}"));
            call
        }
        Parsed::Reject(reason) => panic!("rejected {reason:?}"),
        Parsed::SideEvidence(..) => panic!("read as side evidence"),
    }
}

#[test]
fn mapped_columns_decide_a_custom_schema_record() {
    let map = custom_map();
    let broken = custom_record(
        &app_user_token(Some(&["pwd"])),
        401,
        r#"{"code":900421,"description":"Multi-factor authentication required"}"#,
    );
    let at_risk = custom_record(&app_user_token(Some(&["pwd"])), 200, "{\"totalCount\":0}");
    let app_only = custom_record(&app_only_token(json!({"idtyp": "app"})), 200, "{}");
    // A 900421-shaped code inside a successful body is data.
    let data = custom_record(
        &app_user_token(Some(&["pwd", "mfa"])),
        200,
        r#"{"code":900421}"#,
    );

    let call = classify_mapped(&broken, &map).expect("broken is Partner Center");
    assert_eq!(call.verdict, Verdict::Broken);
    assert_eq!(call.evidence, Evidence::Error900421);
    assert_eq!(call.status, Some(401));
    assert_eq!(call.method.as_deref(), Some("GET"));
    assert_eq!(call.host.as_deref(), Some(PC_HOST));
    assert_eq!(
        call.operation.as_deref(),
        Some("GET /v1/customers/{id}/subscriptions")
    );
    assert_eq!(call.user_agent.as_deref(), Some("ContosoSync/2.1"));
    assert_eq!(
        call.correlation_id.as_deref(),
        Some("9f1d2c3b-0000-4000-8000-00000000abcd")
    );
    assert_eq!(
        call.time
            .map(crate::formats::timestamp::format_iso)
            .as_deref(),
        Some("2026-06-02T08:15:03.250Z")
    );
    let verdict = |record: &str| classify_mapped(record, &map).map(|c| (c.verdict, c.evidence));
    assert_eq!(
        verdict(&at_risk),
        Some((Verdict::AtRisk, Evidence::TokenClaims))
    );
    assert_eq!(
        verdict(&app_only),
        Some((Verdict::NotAffected, Evidence::TokenClaims))
    );
    assert_eq!(
        verdict(&data),
        Some((Verdict::Compliant, Evidence::TokenClaims))
    );

    // Without the map, automatic matching finds neither the URL nor the
    // token: the record is not even seen as Partner Center.
    assert!(classify_mapped(&broken, &FieldMap::EMPTY).is_none());
}

#[test]
fn mapped_paths_override_automatic_matching_and_missing_ones_do_not() {
    // Automatic matching prefers `backendResponseCode`; the user says the
    // client-facing `status` is what counts, and where the real host is.
    let record = json!({
        "url": "https://api.partnercenter.microsoft.com.evil.example/v1/customers",
        "status": 401,
        "backendResponseCode": 200,
        "meta": {"upstream": "api.partnercenter.microsoft.com"}
    })
    .to_string();
    let auto = classify_mapped(&record, &FieldMap::EMPTY);
    assert!(auto.is_none(), "the lookalike host is not Partner Center");
    let map = FieldMap::from_assignments(&["status=status", "host=meta.upstream"]).expect("map");
    let call = classify_mapped(&record, &map).expect("mapped host is Partner Center");
    assert_eq!(call.status, Some(401));
    assert_eq!(call.host.as_deref(), Some(PC_HOST));

    // A mapped path this record lacks leaves the automatic result.
    let map = FieldMap::from_assignments(&["status=resp.code"]).expect("map");
    let plain =
        json!({"url": format!("https://{PC_HOST}/v1/customers"), "status": 503}).to_string();
    assert_eq!(
        classify_mapped(&plain, &map).and_then(|c| c.status),
        Some(503)
    );
}

#[test]
fn mapped_headers_bodies_and_bare_tokens_read_like_automatic_ones() {
    let token = app_user_token(Some(&["pwd", "mfa"]));
    let record = json!({
        "target": format!("https://{PC_HOST}/v1/invoices"),
        "rc": "401",
        "in": format!("{{\"Authorization\":\"Bearer {token}\",\"MS-CorrelationId\":\"AB-1\"}}"),
        "out": {"IsMfaCompliant": "False"},
        "text": "401 Unauthorized - MFA required",
        "key": token,
        "tenant": "72F988BF-86F1-41AF-91AB-2D7CD011DB47"
    })
    .to_string();
    let headers = FieldMap::from_assignments(&[
        "url=target",
        "status=rc",
        "request_headers=in",
        "response_headers=out",
        "response_body=text",
        "tenant_id=tenant",
    ])
    .expect("map");
    let call = classify_mapped(&record, &headers).expect("event");
    assert_eq!(call.verdict, Verdict::Broken);
    assert_eq!(call.evidence, Evidence::LegacyMfaRequired);
    assert_eq!(call.correlation_id.as_deref(), Some("ab-1"));
    assert!(call.token_fingerprint.is_some());

    // A bare token (no scheme) is read; a Basic credential is not a token.
    let bare = FieldMap::from_assignments(&["url=target", "authorization=key"]).expect("map");
    let call = classify_mapped(&record, &bare).expect("event");
    assert_eq!(call.amr.as_deref().map(<[String]>::len), Some(2));
    let basic =
        json!({"target": format!("https://{PC_HOST}/v1/invoices"), "key": "Basic dXNlcjpwYXNz"})
            .to_string();
    let call = classify_mapped(&basic, &bare).expect("event");
    assert_eq!(call.evidence, Evidence::NoToken);
}
