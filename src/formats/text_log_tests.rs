use super::*;
use crate::formats::test_support::{app_user_token, assert_secret_free, run_as, APP_LC};
use crate::formats::{Format, Framing, RecordKind};
use crate::vocab::{AuthMode, Evidence, Verdict};
use proptest::prelude::*;

const TEXT: Format = Format {
    framing: Framing::LineGroups,
    records: RecordKind::TextLog,
};

fn read(text: &str) -> Observation {
    let obs = read_text_log(text);
    assert_secret_free(&format!("{obs:?}"));
    obs
}

#[test]
fn record_headers() {
    let starts = [
        "2026-06-02 08:15:03.123 ERROR x",
        "2026-06-02T08:15:03Z x",
        "2026/06/02 08:15:03 x",
        "[2026-06-02 08:15:03,123] WARN x",
        "[08:15:03 ERR] x",
        "[ERROR] x",
        "ERROR: x",
        "INFO  [main] x",
        "fail: Contoso.Billing.PartnerCenterClient[0]",
        "02/Jun/2026:08:15:03 x",
        "6/2/2026 8:15:03 AM x",
        "08:15:03.123 x",
        "Jun  2 08:15:03 host app[123]: x",
    ];
    for line in starts {
        assert!(has_record_header(line.as_bytes()), "{line}");
        assert!(StartRule::Headers.starts_record(line.as_bytes()), "{line}");
    }
    let continues = [
        "   at Contoso.Billing.Sync.RunAsync() in /src/Sync.cs:line 42",
        "\tat com.contoso.billing.PartnerClient.call(PartnerClient.java:88)",
        "Caused by: java.io.IOException: 401",
        "--- End of stack trace from previous location ---",
        "{",
        "  \"code\": 900421,",
        "}",
        "Traceback (most recent call last):",
        "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://api.partnercenter.microsoft.com/v1/customers",
        "Error: Request failed with status code 401",
        "",
        "ERRORS were found",
        "[{\"a\":1}]",
        "2026, 1, 2",
    ];
    for line in continues {
        assert!(!StartRule::Headers.starts_record(line.as_bytes()), "{line}");
    }
    // Without headers each unindented line is a record.
    assert!(StartRule::EachLine
        .starts_record(b"GET https://api.partnercenter.microsoft.com/v1/customers 200"));
    assert!(!StartRule::EachLine.starts_record(b"   at Foo()"));
    assert!(!StartRule::EachLine.starts_record(b"}"));
    assert_eq!(StartRule::sniff(b"plain\nlines\n"), StartRule::EachLine);
    assert_eq!(
        StartRule::sniff(b"\xEF\xBB\xBF2026-06-02 08:15:03 INFO start\n"),
        StartRule::Headers
    );
}

#[test]
fn detection() {
    for head in [
        "2026-06-02 08:15:03.123 +00:00 [INF] Start processing HTTP request GET https://api.partnercenter.microsoft.com/v1/customers\n",
        "\u{feff}[2026-06-02 08:15:03,123] ERROR billing_sync: failed\n",
        "fail: Contoso.Billing[0]\n      GET https://api.partnercenter.microsoft.com/v1/customers 401\n",
    ] {
        assert!(looks_like_text_log(head.as_bytes()), "{head}");
    }
    for head in [
        "Exported from the egress gateway on 2026-06-03 after the incident.\n",
        "TimeGenerated [UTC],Target,ResultCode\n2026-06-02T08:15:03Z,api.partnercenter.microsoft.com,401\n",
        "2026-06-02T08:15:03Z,api.partnercenter.microsoft.com,401\n",
        "{\"time\":\"2026-06-02T08:15:03Z\"}\n",
        "",
    ] {
        assert!(!looks_like_text_log(head.as_bytes()), "{head}");
    }
}

#[test]
fn statuses_as_logs_write_them() {
    let cases = [
        (
            "Received HTTP response HTTP/1.1 401 Unauthorized",
            Some(401),
        ),
        ("HTTP/2 403", Some(403)),
        ("status=401 elapsed=187ms", Some(401)),
        ("\"statusCode\": 401", Some(401)),
        (
            "StatusCode: 401 (Unauthorized), ReasonPhrase: 'Unauthorized'",
            Some(401),
        ),
        (
            "Response status code does not indicate success: 401 (Unauthorized).",
            Some(401),
        ),
        (
            "The remote server returned an error: (401) Unauthorized.",
            Some(401),
        ),
        ("401 Client Error: Unauthorized for url", Some(401)),
        (
            "GET https://api.partnercenter.microsoft.com/v1/customers 200 OK",
            Some(200),
        ),
        ("call returned 429", Some(429)),
        ("took 401.5 ms", None),
        ("processed 401 customers", None),
        ("order 2026-06-02", None),
    ];
    for (text, want) in cases {
        assert_eq!(find_status(&text.to_ascii_lowercase()), want, "{text}");
    }
}

#[test]
fn a_900421_body_is_broken_even_without_a_token() {
    let record = r#"2026-06-02T08:15:03.456Z ERROR [BillingSync] Partner Center call failed: GET https://api.partnercenter.microsoft.com/v1/customers/9a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/subscriptions returned 401 (Unauthorized) MS-CorrelationId: 5B1F0E8C-1D2E-4F3A-9B8C-0D1E2F3A4B5C MS-RequestId: 0c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f body={"code":900421,"description":"Multi-factor authentication is required for this request.","data":[],"source":"PartnerFD"}"#;
    let call = run_as(record, TEXT).expect("a Partner Center event");
    assert_eq!(call.format, "text_log");
    assert_eq!(call.verdict, Verdict::Broken);
    assert_eq!(call.evidence, Evidence::Error900421);
    assert_eq!(call.auth_mode, AuthMode::AppUser);
    assert_eq!(call.status, Some(401));
    assert_eq!(call.method.as_deref(), Some("GET"));
    assert_eq!(
        call.host.as_deref(),
        Some("api.partnercenter.microsoft.com")
    );
    assert_eq!(
        call.operation.as_deref(),
        Some("GET /v1/customers/{id}/subscriptions")
    );
    assert_eq!(
        call.correlation_id.as_deref(),
        Some("5b1f0e8c-1d2e-4f3a-9b8c-0d1e2f3a4b5c")
    );
    assert_eq!(
        call.request_id.as_deref(),
        Some("0c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f")
    );
    assert_eq!(call.time, parse_timestamp("2026-06-02T08:15:03.456Z"));
}

#[test]
fn multi_line_records_read_whole() {
    // A pretty-printed body and a .NET stack trace after the header line.
    let record = "2026-06-02 08:15:04,001 ERROR Contoso.Billing.Sync - Partner Center rejected POST https://api.partnercenter.microsoft.com/v1/customers/9a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/orders\n{\n  \"code\": \"900421\",\n  \"description\": \"MFA is required\",\n  \"data\": [],\n  \"source\": \"PartnerFD\"\n}\nSystem.Net.Http.HttpRequestException: Response status code does not indicate success: 401 (Unauthorized).\n   at Contoso.Billing.Sync.RunAsync() in /src/Sync.cs:line 42";
    let obs = read(record);
    assert_eq!(obs.error_code.as_deref(), Some("900421"));
    assert_eq!(obs.status, Some(401));
    assert_eq!(obs.method.as_deref(), Some("POST"));
    assert_eq!(obs.time, parse_timestamp("2026-06-02T08:15:04.001Z"));
}

#[test]
fn a_cut_or_escaped_body_still_names_900421() {
    for record in [
        r#"2026-06-02 08:15:03 WARN pc call 401 body="{\"code\":900421,\"description\":\"Multi-fa"#,
        "2026-06-02 08:15:03 ERROR Partner Center error code 900421 (MFA required) for https://api.partnercenter.microsoft.com/v1/invoices",
    ] {
        assert_eq!(read(record).error_code.as_deref(), Some("900421"), "{record}");
    }
    // An unrelated number, or a success, is no error.
    for record in [
        "2026-06-02 08:15:03 INFO created order 900421 via https://api.partnercenter.microsoft.com/v1/customers/x/orders 201 Created",
        r#"2026-06-02 08:15:03 INFO GET https://api.partnercenter.microsoft.com/v1/invoices 200 OK {"code":900421}"#,
    ] {
        assert_eq!(read(record).error_code, None, "{record}");
    }
}

#[test]
fn a_900421_without_a_partner_center_url_is_still_partner_center() {
    let record = r#"2026-06-02 08:15:03 ERROR POST https://billing.contoso.internal/api/sync failed: upstream said {"code":900421,"description":"MFA required","data":[],"source":"PartnerFD"}"#;
    let call = run_as(record, TEXT).expect("Partner Center's own error");
    assert_eq!(call.verdict, Verdict::Broken);
    assert_eq!(call.host, None);
    // The caller's own endpoint is not taken for the target.
    assert_eq!(call.path, None);
}

#[test]
fn a_bare_success_proves_nothing() {
    let record = "2026-06-02 08:15:03.123 +00:00 [INF] Received HTTP response headers after 187.3ms - 200 GET https://api.partnercenter.microsoft.com/v1/customers?size=100 HTTP/1.1 200 OK";
    let call = run_as(record, TEXT).expect("a Partner Center event");
    assert_eq!(call.verdict, Verdict::Unknown);
    assert_eq!(call.evidence, Evidence::NoToken);
    assert_eq!(call.status, Some(200));
    assert_eq!(call.path.as_deref(), Some("/v1/customers"));
    // A 401 alone is not 900421 either.
    let record = "2026-06-02 08:15:03 ERROR GET https://api.partnercenter.microsoft.com/v1/customers HTTP/1.1 401 Unauthorized";
    let call = run_as(record, TEXT).expect("a Partner Center event");
    assert_eq!(call.verdict, Verdict::Unknown);
    assert_eq!(call.status, Some(401));
    // Other services' lines are not Partner Center.
    assert!(run_as(
        "2026-06-02 08:15:03 INFO GET https://graph.microsoft.com/v1.0/users 401 Unauthorized",
        TEXT
    )
    .is_none());
    assert!(run_as(
        "2026-06-02 08:15:03 INFO GET https://api.partnercenter.microsoft.com.evil.example/v1/customers 200 OK",
        TEXT
    )
    .is_none());
}

#[test]
fn a_token_on_the_line_is_decoded_never_copied() {
    let token = app_user_token(Some(&["pwd"]));
    let record = format!(
        "2026-06-02 08:15:03 DEBUG Sending GET https://api.partnercenter.microsoft.com/v1/customers Authorization: Bearer {token} client_id={APP_LC}"
    );
    let call = run_as(&record, TEXT).expect("event");
    assert_eq!(call.verdict, Verdict::AtRisk);
    assert_eq!(call.evidence, Evidence::TokenClaims);
    assert_eq!(call.app_id.as_deref(), Some(APP_LC));
    assert!(call.token_fingerprint.is_some());
}

#[test]
fn scheme_less_urls_and_legacy_mfa_required() {
    let record = "2026-06-02 08:15:03 ERROR GET api.partnercenter.microsoft.com/v1/customers -> 401 Unauthorized - MFA required";
    let obs = read(record);
    assert_eq!(
        obs.url.as_deref(),
        Some("api.partnercenter.microsoft.com/v1/customers")
    );
    assert!(obs.legacy_mfa_required);
    let call = run_as(record, TEXT).expect("event");
    assert_eq!(call.verdict, Verdict::Broken);
    assert_eq!(call.evidence, Evidence::LegacyMfaRequired);
}

#[test]
fn nginx_error_log_lines() {
    let record = r#"2026/06/02 08:15:03 [error] 1234#1234: *5 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.1.4.22, server: egress.contoso.internal, request: "GET /v1/customers/9a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d HTTP/1.1", upstream: "https://20.190.141.36:443/v1/customers/9a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", host: "api.partnercenter.microsoft.com""#;
    assert!(looks_like_text_log(record.as_bytes()));
    let call = run_as(record, TEXT).expect("event");
    assert_eq!(
        call.host.as_deref(),
        Some("api.partnercenter.microsoft.com")
    );
    assert_eq!(call.operation.as_deref(), Some("GET /v1/customers/{id}"));
    assert_eq!(call.verdict, Verdict::Unknown);
    assert_eq!(call.time, parse_timestamp("2026-06-02T08:15:03Z"));
}

#[test]
fn a_logged_request_object_names_the_target() {
    let record = r#"2026-06-02T08:15:03Z app[42]: upstream call {"method":"PATCH","host":"api.partnercenter.microsoft.com","path":"/v1/customers/9a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/subscriptions/1","status":401,"body":{"code":900421}}"#;
    let call = run_as(record, TEXT).expect("event");
    assert_eq!(call.verdict, Verdict::Broken);
    assert_eq!(
        call.operation.as_deref(),
        Some("PATCH /v1/customers/{id}/subscriptions/{id}")
    );
    assert_eq!(call.status, Some(401));
}

#[test]
fn ids_are_named_by_the_words_before_them() {
    let record = "2026-06-02 08:15:03 INFO GET https://api.partnercenter.microsoft.com/v1/customers/9a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d 200 tenantId=72f988bf-86f1-41af-91ab-2d7cd011db47 x-ms-correlation-id: 11111111-2222-4333-8444-555555555555 isMfaCompliant: False";
    let obs = read(record);
    assert_eq!(
        obs.tenant_id.as_deref(),
        Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
    );
    assert_eq!(
        obs.correlation_id.as_deref(),
        Some("11111111-2222-4333-8444-555555555555")
    );
    assert_eq!(obs.is_mfa_compliant, Some(false));
    assert_eq!(obs.app_id, None, "the customer id in the path is no app id");
}

#[test]
fn leading_times() {
    let at = |t: &str| parse_timestamp(t);
    let cases = [
        (
            "2026-06-02 08:15:03.123 +02:00 [INF] x",
            at("2026-06-02T06:15:03.123Z"),
        ),
        (
            "2026-06-02 08:15:03,123 ERROR x",
            at("2026-06-02T08:15:03.123Z"),
        ),
        (
            "[2026-06-02 08:15:03,123] WARN x",
            at("2026-06-02T08:15:03.123Z"),
        ),
        (
            "2026-06-02T08:15:03.456Z ERROR x",
            at("2026-06-02T08:15:03.456Z"),
        ),
        ("02/Jun/2026:08:15:03 +0000 x", at("2026-06-02T08:15:03Z")),
        ("fail: Contoso.Worker[0]", None),
        ("2026-06-02 02 x", at("2026-06-02T00:00:00Z")),
    ];
    for (line, want) in cases {
        assert!(want.is_some() || line.starts_with("fail"), "{line}");
        assert_eq!(leading_time(line), want, "{line}");
    }
}

proptest! {
    /// Any text, multi-byte characters next to every keyword included, is
    /// read without panicking.
    #[test]
    fn any_text_reads_without_panic(
        parts in proptest::collection::vec(
            prop_oneof![
                any::<String>(),
                Just("é".to_string()),
                Just("日本".to_string()),
                Just("GET ".to_string()),
                Just("https://api.partnercenter.microsoft.com/v1/x".to_string()),
                Just("api.partnercenter.microsoft.com".to_string()),
                Just("900421".to_string()),
                Just("code".to_string()),
                Just("status=".to_string()),
                Just("401 Unauthorized".to_string()),
                Just("HTTP/1.1 ".to_string()),
                Just("{\"code\":".to_string()),
                Just("}".to_string()),
                Just("Bearer ".to_string()),
                Just("isMfaCompliant: ".to_string()),
                Just("correlationId=".to_string()),
                Just("5b1f0e8c-1d2e-4f3a-9b8c-0d1e2f3a4b5c".to_string()),
                Just("2026-06-02 08:15:03 ".to_string()),
                Just("[".to_string()),
                Just("\n   at ".to_string()),
            ],
            0..24,
        )
    ) {
        let text: String = parts.concat();
        let _ = read_text_log(&text);
        let _ = has_record_header(text.as_bytes());
        let _ = StartRule::sniff(text.as_bytes());
        let _ = looks_like_text_log(text.as_bytes());
        let _ = crate::formats::detect(text.as_bytes());
        for kind in [RecordKind::Envoy, RecordKind::Nginx, RecordKind::Iis, RecordKind::TextLog] {
            let _ = crate::formats::parse_record(text.as_bytes(), Format { framing: Framing::Lines, records: kind });
        }
    }
}
