//! APIM gateway records: which leg is the Partner Center call, and what
//! decides its verdict.

use serde_json::{json, Value};

use crate::formats::test_support::{
    app_only_token, app_user_token, assert_secret_free, jwt, run, AUTO_DOCUMENT, AUTO_LINES,
    PC_HOST, TENANT,
};
use crate::formats::{parse_record, Parsed};
use crate::vocab::{Evidence, Verdict};

const APIM_HOST: &str = "contoso-apim.azure-api.net";
const ERROR_900421: &str = r#"{"code":900421,"description":"MFA claim missing from the access token.","data":[],"source":"PartnerCenter"}"#;

/// A Log Analytics `ApiManagementGatewayLogs` row (JSON export: dynamic
/// columns as objects), with `overrides` merged in.
fn la_row(overrides: Value) -> String {
    let mut row = json!({
        "TenantId": "a1b2c3d4-0000-4000-8000-000000000001",
        "TimeGenerated": "2026-06-02T08:15:03.123Z",
        "OperationName": "Microsoft.ApiManagement/GatewayLogs",
        "CorrelationId": "7E1B3C2A-55AA-4F0E-9C1D-2B3A4C5D6E7F",
        "Region": "West Europe",
        "IsRequestSuccess": false,
        "Method": "GET",
        "Url": format!("https://{APIM_HOST}/pc/v1/customers?size=50"),
        "ResponseCode": 401,
        "BackendMethod": "GET",
        "BackendUrl": format!("https://{PC_HOST}/v1/customers?size=50"),
        "BackendResponseCode": 401,
        "ApiId": "partner-center",
        "OperationId": "get-customers",
        "ApimSubscriptionId": "billing-sync",
        "RequestHeaders": {"User-Agent": "ContosoBilling/2.1"},
        "BackendRequestHeaders": {"Authorization": format!("Bearer {}", app_user_token(Some(&["pwd"])))},
        "BackendResponseHeaders": {"MS-CorrelationId": "C0FFEE00-1111-4222-8333-444455556666", "MS-RequestId": "req-1"},
        "BackendResponseBody": ERROR_900421,
        "Type": "ApiManagementGatewayLogs"
    });
    if let (Some(row), Value::Object(extra)) = (row.as_object_mut(), overrides) {
        for (k, v) in extra {
            if v.is_null() {
                row.remove(&k);
            } else {
                row.insert(k, v);
            }
        }
    }
    row.to_string()
}

#[test]
fn the_backend_leg_is_the_partner_center_call() {
    let call = run(&la_row(json!({}))).expect("a Partner Center call");
    assert_eq!(call.format, "apim_gateway_json_lines");
    assert_eq!(call.host.as_deref(), Some(PC_HOST));
    assert_eq!(call.path.as_deref(), Some("/v1/customers"));
    assert_eq!(call.status, Some(401));
    assert_eq!(call.error_code.as_deref(), Some("900421"));
    assert_eq!(
        (call.verdict, call.evidence),
        (Verdict::Broken, Evidence::Error900421)
    );
    // Partner Center's echo, not APIM's own id; not APIM's OperationId either.
    assert_eq!(
        call.correlation_id.as_deref(),
        Some("c0ffee00-1111-4222-8333-444455556666")
    );
    assert_eq!(call.request_id.as_deref(), Some("req-1"));
    assert_eq!(call.user_agent.as_deref(), Some("ContosoBilling/2.1"));
    assert!(call.token_fingerprint.is_some());
    assert_eq!(
        call.app_id.as_deref(),
        Some("1b730954-1685-4b74-9bfd-dac224a7b894")
    );
}

/// A row's verdict and evidence, or None for another service's call.
type Expected = Option<(Verdict, Evidence)>;

#[test]
fn verdicts_by_what_the_row_holds() {
    let app_only = app_only_token(json!({"idtyp": "app"}));
    // A token APIM received for its own API: not evidence about Partner Center.
    let apim_own = jwt(
        json!({"aud": "api://contoso-apim", "appid": "11111111-2222-4333-8444-555555555555", "idtyp": "app", "tid": TENANT, "ver": "1.0"}),
    );
    let mfa_user = app_user_token(Some(&["pwd", "mfa"]));
    let cases: Vec<(&str, Value, Expected)> = vec![
        (
            "success with an MFA token",
            json!({"BackendResponseCode": 200, "ResponseCode": 200, "BackendResponseBody": "{\"totalCount\":0}",
                   "BackendRequestHeaders": {"Authorization": format!("Bearer {mfa_user}")}}),
            Some((Verdict::Compliant, Evidence::TokenClaims)),
        ),
        (
            "app-only backend token",
            json!({"BackendResponseCode": 200, "BackendResponseBody": null,
                   "BackendRequestHeaders": {"Authorization": format!("Bearer {app_only}")}}),
            Some((Verdict::NotAffected, Evidence::TokenClaims)),
        ),
        (
            "900421 only in what APIM returned to the client",
            json!({"BackendResponseBody": null, "ResponseBody": ERROR_900421, "BackendRequestHeaders": null}),
            Some((Verdict::Broken, Evidence::Error900421)),
        ),
        (
            "no backend headers: the client's token, forwarded (Partner Center audience)",
            json!({"BackendResponseCode": 200, "BackendResponseBody": null, "BackendRequestHeaders": null,
                   "RequestHeaders": {"Authorization": format!("Bearer {mfa_user}")}}),
            Some((Verdict::Compliant, Evidence::TokenClaims)),
        ),
        (
            "no backend headers: the client's token for APIM is not used",
            json!({"BackendResponseCode": 200, "BackendResponseBody": null, "BackendRequestHeaders": null,
                   "RequestHeaders": {"Authorization": format!("Bearer {apim_own}")}}),
            Some((Verdict::Unknown, Evidence::NoToken)),
        ),
        (
            "isMfaCompliant answer in the backend's headers",
            json!({"BackendResponseCode": 200, "BackendResponseBody": null, "BackendRequestHeaders": null,
                   "BackendResponseHeaders": "{\"isMfaCompliant\":\"False\"}"}),
            Some((Verdict::AtRisk, Evidence::ValidateMfaHeader)),
        ),
        (
            "backend is another service, although Url names Partner Center",
            json!({"Url": format!("https://{PC_HOST}/v1/customers"), "BackendUrl": "https://mock.contoso.example/v1/customers"}),
            None,
        ),
        (
            "no backend: APIM answered; its frontend is not Partner Center",
            json!({"BackendUrl": null, "BackendResponseCode": null, "BackendResponseBody": null, "ResponseCode": 429}),
            None,
        ),
        (
            "no backend, frontend Url is Partner Center: read from the client side",
            json!({"BackendUrl": null, "BackendResponseCode": null, "BackendResponseBody": null,
                   "Url": format!("https://{PC_HOST}/v1/customers"), "ResponseBody": ERROR_900421}),
            Some((Verdict::Broken, Evidence::Error900421)),
        ),
        (
            "a 900421 in a successful response is data",
            json!({"BackendResponseCode": 200, "BackendRequestHeaders": null,
                   "BackendResponseBody": "{\"items\":[{\"id\":900421}]}"}),
            Some((Verdict::Unknown, Evidence::NoToken)),
        ),
    ];
    for (name, overrides, want) in cases {
        let got = run(&la_row(overrides)).map(|c| (c.verdict, c.evidence));
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn diagnostic_json_lines_and_la_json_array_read_alike() {
    let token = app_user_token(Some(&["pwd"]));
    let diagnostic = json!({
        "DeploymentVersion": "0.52.1.0", "Level": 4, "isRequestSuccess": false,
        "time": "2026-06-02T08:15:03.1230000Z",
        "operationName": "Microsoft.ApiManagement/GatewayLogs", "category": "GatewayLogs",
        "durationMs": 152, "callerIpAddress": "203.0.113.7",
        "correlationId": "7e1b3c2a-55aa-4f0e-9c1d-2b3a4c5d6e7f", "location": "West Europe",
        "properties": {
            "method": "GET", "url": format!("https://{APIM_HOST}/pc/v1/customers"),
            "backendResponseCode": 401, "responseCode": 401, "cache": "none",
            "apiId": "partner-center", "operationId": "get-customers", "apimSubscriptionId": "billing-sync",
            "backendMethod": "GET", "backendUrl": format!("https://{PC_HOST}/v1/customers"),
            "requestHeaders": {"User-Agent": "ContosoBilling/2.1"},
            "backendRequestHeaders": {"Authorization": format!("Bearer {token}")},
            "backendResponseBody": ERROR_900421
        },
        "resourceId": "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/CONTOSO-APIM"
    })
    .to_string();
    let lines = run(&diagnostic).expect("diagnostic line");
    assert_eq!(lines.format, "apim_gateway_json_lines");
    assert_eq!(lines.verdict, Verdict::Broken);
    assert_eq!(
        lines
            .time
            .map(crate::formats::timestamp::format_iso)
            .as_deref(),
        Some("2026-06-02T08:15:03.123Z")
    );
    // Without an MS-CorrelationId, APIM's correlation id (never its operationId).
    assert_eq!(
        lines.correlation_id.as_deref(),
        Some("7e1b3c2a-55aa-4f0e-9c1d-2b3a4c5d6e7f")
    );
    match parse_record(la_row(json!({})).as_bytes(), AUTO_DOCUMENT) {
        Parsed::Event(obs, label) => {
            assert_eq!(label, "apim_gateway_json_array");
            assert_secret_free(&format!("{obs:?}"));
        }
        Parsed::Reject(reason) => panic!("{reason:?}"),
        Parsed::SideEvidence(..) => panic!("read as side evidence"),
    }
    // Only the APIM reader reads these records, recognised per record.
    assert!(matches!(
        parse_record(diagnostic.as_bytes(), AUTO_LINES),
        Parsed::Event(_, "apim_gateway_json_lines")
    ));
    // A proxy that logs a backend URL alone (Traefik v1) stays a generic gateway.
    let traefik = format!(
        r#"{{"time":"2026-06-02T08:15:03Z","BackendURL":"https://{PC_HOST}/v1/customers","DownstreamStatus":401,"RequestPath":"/v1/customers"}}"#
    );
    assert!(matches!(
        parse_record(traefik.as_bytes(), AUTO_LINES),
        Parsed::Event(_, "gateway_json_lines")
    ));
}
