//! Gateway and HAR records: which field each value is found in.

use std::collections::BTreeMap;

use serde_json::json;

use crate::event::Observation;
use crate::formats::test_support::{app_user_token, observe, AUTO_LINES, PC_HOST};
use crate::formats::timestamp::format_iso;

/// The fields a test may check, rendered as text; absent fields are absent.
fn fields(obs: &Observation) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    let mut put = |name, value: Option<String>| {
        if let Some(v) = value {
            out.insert(name, v);
        }
    };
    put("time", obs.time.map(format_iso));
    put("url", obs.url.clone());
    put("host", obs.host.clone());
    put("method", obs.method.clone());
    put("path", obs.path.clone());
    put("status", obs.status.map(|s| s.to_string()));
    put("bearer", obs.bearer.as_ref().map(|_| "yes".to_string()));
    put("error_code", obs.error_code.clone());
    put(
        "is_mfa_compliant",
        obs.is_mfa_compliant.map(|b| b.to_string()),
    );
    put("legacy", obs.legacy_mfa_required.then(|| "yes".to_string()));
    put("correlation_id", obs.correlation_id.clone());
    put("request_id", obs.request_id.clone());
    put("user_agent", obs.user_agent.clone());
    out
}

/// A named record and the fields it must yield.
type Case = (&'static str, String, Vec<(&'static str, &'static str)>);

/// Checks `want` against the record's fields; `"-"` means absent.
fn check(name: &str, record: &str, want: &[(&str, &str)]) {
    let (obs, label) = observe(record, AUTO_LINES);
    assert_eq!(label, "gateway_json_lines", "{name}");
    assert!(obs.sign_in.is_none() && !obs.from_partner_center_report);
    let got = fields(&obs);
    for &(field, value) in want {
        let got = got.get(field).map(String::as_str).unwrap_or("-");
        assert_eq!(got, value, "{name}: field {field} of {record}");
    }
}

const PC_ERROR_900421: &str = r#"{"code":900421,"description":"Authentication failed. The access token is missing the MFA claim. Please use a token with MFA.","data":[],"source":"PartnerFD"}"#;

#[test]
fn finds_target_host_and_path_by_usual_names() {
    let url = "https://api.partnercenter.microsoft.com/v1/customers/3b6f0e9a-1c2d-4e5f-8a9b-0c1d2e3f4a5b/subscriptions?size=10";
    let cases: Vec<Case> = vec![
        (
            "url",
            json!({"url": url}).to_string(),
            vec![("host", PC_HOST), ("url", url)],
        ),
        (
            "uri, any case and port",
            json!({"uri": "https://API.PartnerCenter.Microsoft.com:443/v1/invoices"}).to_string(),
            vec![("host", PC_HOST)],
        ),
        (
            "nginx: host, request_uri, request line",
            json!({
                "time_iso8601": "2026-06-02T08:15:03+00:00", "remote_addr": "10.1.2.3",
                "hostname": "egress-01.contoso.local", "host": "api.partnercenter.microsoft.com",
                "request": "GET /v1/customers?size=10 HTTP/1.1", "request_uri": "/v1/customers?size=10",
                "status": "401", "body_bytes_sent": "187", "http_user_agent": "PartnerCenterDotNetSDK/3.4.0"
            })
            .to_string(),
            vec![
                ("host", PC_HOST),
                ("method", "GET"),
                ("path", "/v1/customers?size=10"),
                ("url", "/v1/customers?size=10"),
                ("status", "401"),
                ("time", "2026-06-02T08:15:03.000Z"),
                ("user_agent", "PartnerCenterDotNetSDK/3.4.0"),
            ],
        ),
        (
            "upstream.host nested",
            json!({"upstream": {"host": PC_HOST, "port": 443}, "path": "/v1/customers", "method": "get"})
                .to_string(),
            vec![("host", PC_HOST), ("path", "/v1/customers"), ("method", "get")],
        ),
        (
            "envoy: :authority and original path",
            json!({
                "start_time": "2026-06-02T08:15:03.123Z", ":authority": PC_HOST, "method": "GET",
                "x-envoy-original-path": "/v1/customers?size=10", "path": "/internal/rewritten",
                "protocol": "HTTP/1.1", "response_code": 401, "response_flags": "-",
                "upstream_host": "20.190.151.7:443", "x-request-id": "0f8e3c9a-7b6d-4c5e-9f1a-2b3c4d5e6f70",
                "user_agent": "python-requests/2.31.0"
            })
            .to_string(),
            vec![
                ("host", PC_HOST),
                ("path", "/v1/customers?size=10"),
                ("status", "401"),
                ("time", "2026-06-02T08:15:03.123Z"),
                ("request_id", "0f8e3c9a-7b6d-4c5e-9f1a-2b3c4d5e6f70"),
            ],
        ),
        (
            "the logger's own hostname is not the target",
            json!({"hostname": "egress-gw-01", "path": "/v1/customers", "status": 401}).to_string(),
            vec![("host", "-"), ("path", "/v1/customers")],
        ),
        (
            "the Partner Center host wins over other host candidates",
            json!({"host": "egress-proxy.contoso.local:3128", "x_forwarded_host": "api.partnercenter.microsoft.com", "path": "/v1/customers"})
                .to_string(),
            vec![("host", PC_HOST)],
        ),
        (
            "lookalike host stays what it is",
            json!({"url": "https://api.partnercenter.microsoft.com.evil.example/v1/customers"})
                .to_string(),
            vec![("host", "api.partnercenter.microsoft.com.evil.example")],
        ),
        (
            "no host at all",
            json!({"method": "GET", "path": "/v1/customers", "status": 200}).to_string(),
            vec![("host", "-"), ("url", "-")],
        ),
    ];
    for (name, record, want) in cases {
        check(name, &record, &want);
    }
}

#[test]
fn finds_status_time_and_ids() {
    let cases: Vec<Case> = vec![
        ("status number", json!({"status": 401}).to_string(), vec![("status", "401")]),
        ("status string", json!({"status_code": "401"}).to_string(), vec![("status", "401")]),
        (
            "response.status",
            json!({"response": {"status": 403}}).to_string(),
            vec![("status", "403")],
        ),
        (
            "res.statusCode (pino-http)",
            json!({"res": {"statusCode": "401"}}).to_string(),
            vec![("status", "401")],
        ),
        (
            "a status under request is ignored",
            json!({"request": {"method": "GET", "status": 200}}).to_string(),
            vec![("status", "-")],
        ),
        (
            "a status under request does not shadow the response's",
            json!({"request": {"status": 200}, "response": {"status_code": 401}}).to_string(),
            vec![("status", "401")],
        ),
        ("not a status", json!({"status": "ok"}).to_string(), vec![("status", "-")]),
        (
            "timestamp ISO",
            json!({"timestamp": "2026-06-02T10:15:03.5+02:00"}).to_string(),
            vec![("time", "2026-06-02T08:15:03.500Z")],
        ),
        (
            "@t (CLEF)",
            json!({"@t": "2026-06-02T08:15:03.1234567Z"}).to_string(),
            vec![("time", "2026-06-02T08:15:03.123Z")],
        ),
        (
            "time epoch ms",
            json!({"time": 1_780_388_103_123_u64}).to_string(),
            vec![("time", "2026-06-02T08:15:03.123Z")],
        ),
        (
            "timestamp epoch ms, as a number and as text",
            json!({"timestamp": 1_780_388_103_123_u64, "request": {"timestamp": "1780388103123"}}).to_string(),
            vec![("time", "2026-06-02T08:15:03.123Z")],
        ),
        (
            "timestamp beats time",
            json!({"time": "2020-01-01T00:00:00Z", "timestamp": "2026-06-02T08:15:03Z"}).to_string(),
            vec![("time", "2026-06-02T08:15:03.000Z")],
        ),
        (
            "MS-CorrelationId and MS-RequestId headers, any case",
            json!({"response": {"headers": {"ms-correlationid": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A", "MS-RequestID": "7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}}})
                .to_string(),
            vec![
                ("correlation_id", "5e2b0c7a-9d4f-4b1e-8c3a-6f7e8d9c0b1a"),
                ("request_id", "7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"),
            ],
        ),
        (
            "MS-CorrelationId beats the gateway's own correlation id",
            json!({"CorrelationId": "apim-0001", "BackendResponseHeaders": {"MS-CorrelationId": "ABC-1"}})
                .to_string(),
            vec![("correlation_id", "abc-1")],
        ),
        (
            "user agent header",
            json!({"request": {"headers": {"User-Agent": "Contoso.Billing/2.1"}}}).to_string(),
            vec![("user_agent", "Contoso.Billing/2.1")],
        ),
    ];
    for (name, record, want) in cases {
        check(name, &record, &want);
    }
}

#[test]
fn finds_token_and_mfa_signals() {
    let token = app_user_token(Some(&["pwd"]));
    let bearer = format!("Bearer {token}");
    let cases: Vec<Case> = vec![
        (
            "request.headers.Authorization",
            json!({"request": {"headers": {"Authorization": bearer}}}).to_string(),
            vec![("bearer", "yes")],
        ),
        ("flat authorization", json!({"authorization": bearer}).to_string(), vec![("bearer", "yes")]),
        (
            "nginx http_authorization",
            json!({"http_authorization": bearer}).to_string(),
            vec![("bearer", "yes")],
        ),
        (
            "HAR header list",
            json!({"request": {"headers": [{"name": "authorization", "value": bearer}]}}).to_string(),
            vec![("bearer", "yes")],
        ),
        (
            "Basic is not a bearer token",
            json!({"authorization": "Basic YWxpY2U6czNjcmV0"}).to_string(),
            vec![("bearer", "-")],
        ),
        (
            "Proxy-Authorization is not the call's token",
            json!({"request": {"headers": {"Proxy-Authorization": bearer}}}).to_string(),
            vec![("bearer", "-")],
        ),
        (
            "isMfaCompliant response header in HAR form",
            json!({"response": {"status": 200, "headers": [{"name": "isMfaCompliant", "value": "False"}]}})
                .to_string(),
            vec![("is_mfa_compliant", "false")],
        ),
        (
            "IsMfaCompliant header, bool",
            json!({"response": {"headers": {"IsMfaCompliant": true}}}).to_string(),
            vec![("is_mfa_compliant", "true")],
        ),
        (
            "code 900421 as a number in a body object",
            json!({"response": {"status": 401, "body": {"code": 900421, "description": "x", "data": [], "source": "PartnerFD"}}})
                .to_string(),
            vec![("error_code", "900421"), ("status", "401")],
        ),
        (
            "code 900421 as a string in a body object",
            json!({"response": {"status": 401, "body": {"code": "900421", "description": "x"}}}).to_string(),
            vec![("error_code", "900421")],
        ),
        (
            "body as JSON text",
            json!({"status": 401, "response_body": PC_ERROR_900421}).to_string(),
            vec![("error_code", "900421")],
        ),
        (
            "HAR content.text",
            json!({"response": {"status": 401, "content": {"mimeType": "application/json", "text": PC_ERROR_900421}}})
                .to_string(),
            vec![("error_code", "900421")],
        ),
        (
            "900421 in WWW-Authenticate",
            json!({"response": {"status": 401, "headers": {"WWW-Authenticate": "Bearer error=\"invalid_token\", error_description=\"AADSTS: 900421 MFA claim missing\""}}})
                .to_string(),
            vec![("error_code", "900421")],
        ),
        (
            "900421 in a log message",
            json!({"level": "error", "status": 401, "message": "Partner Center call failed: 401 Unauthorized, error 900421"})
                .to_string(),
            vec![("error_code", "900421")],
        ),
        (
            "900420 is not 900421",
            json!({"status": 401, "body": {"code": "900420", "description": "The audience 'https://graph.windows.net' in the token is invalid."}})
                .to_string(),
            vec![("error_code", "900420")],
        ),
        (
            "900421 inside a 200's data is data",
            json!({"status": 200, "body": {"totalCount": 1, "items": [{"id": "900421", "code": 900421}]}})
                .to_string(),
            vec![("error_code", "-")],
        ),
        (
            "900421 in the request body is not an answer",
            json!({"status": 401, "request": {"body": PC_ERROR_900421}}).to_string(),
            vec![("error_code", "-")],
        ),
        (
            "9004210 is another number",
            json!({"status": 401, "message": "ticket 9004210"}).to_string(),
            vec![("error_code", "-")],
        ),
        (
            "legacy MFA required",
            json!({"status": 401, "error": "Authentication failed. MFA required. (10001)"}).to_string(),
            vec![("legacy", "yes")],
        ),
        (
            "legacy text in a 200 is not a rejection",
            json!({"status": 200, "message": "MFA required for admins"}).to_string(),
            vec![("legacy", "-")],
        ),
    ];
    for (name, record, want) in cases {
        check(name, &record, &want);
    }
}

/// Gateways that log headers Go-style (`{"Name": ["value"]}`), such as
/// Caddy, and other common dialects.
#[test]
fn reads_common_gateway_dialects() {
    let token = app_user_token(Some(&["pwd", "mfa"]));
    let caddy = json!({
        "level": "info", "ts": 1_780_388_103.123_f64, "logger": "http.log.access", "msg": "handled request",
        "request": {
            "remote_ip": "10.1.2.3", "proto": "HTTP/1.1", "method": "GET",
            "host": PC_HOST, "uri": "/v1/customers?size=10",
            "headers": {"Authorization": [format!("Bearer {token}")], "User-Agent": ["Go-http-client/1.1"]}
        },
        "duration": 0.2, "size": 187, "status": 401,
        "resp_headers": {
            "Ms-Correlationid": ["5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A"],
            "Ismfacompliant": ["false"],
            "Www-Authenticate": ["OAuth realm=urn:cpsvc:cpid:partner, error 900421"]
        }
    });
    check(
        "caddy",
        &caddy.to_string(),
        &[
            ("host", PC_HOST),
            ("method", "GET"),
            ("status", "401"),
            ("time", "2026-06-02T08:15:03.123Z"),
            ("bearer", "yes"),
            ("user_agent", "Go-http-client/1.1"),
            ("correlation_id", "5e2b0c7a-9d4f-4b1e-8c3a-6f7e8d9c0b1a"),
            ("is_mfa_compliant", "false"),
            ("error_code", "900421"),
        ],
    );
    let apim_text_columns = json!({
        "TimeGenerated": "2026-06-02T08:15:03.123Z", "CorrelationId": "apim-0001",
        "Method": "GET", "Url": "https://contoso-apim.azure-api.net/pc/v1/customers",
        "BackendUrl": "https://api.partnercenter.microsoft.com/v1/customers",
        "ResponseCode": 401, "BackendResponseCode": 401,
        "BackendRequestHeaders": format!("{{\"Authorization\":\"Bearer {token}\"}}"),
        "BackendResponseHeaders": "{\"MS-CorrelationId\":\"ABC-1\",\"isMfaCompliant\":\"False\"}",
        "BackendResponseBody": PC_ERROR_900421
    });
    // APIM's own reader takes these rows; the same fields come out.
    let (obs, label) = observe(&apim_text_columns.to_string(), AUTO_LINES);
    assert_eq!(label, "apim_gateway_json_lines");
    let got = fields(&obs);
    for (field, value) in [
        (
            "url",
            "https://api.partnercenter.microsoft.com/v1/customers",
        ),
        ("status", "401"),
        ("bearer", "yes"),
        ("correlation_id", "abc-1"),
        ("is_mfa_compliant", "false"),
        ("error_code", "900421"),
    ] {
        assert_eq!(
            got.get(field).map(String::as_str),
            Some(value),
            "APIM: {field}"
        );
    }
}
