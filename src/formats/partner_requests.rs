//! Partner Center's own `partnerRequests` report: one item per recent
//! App+User request, with `mfaCompliant` saying whether its token had MFA.

use serde_json::{Map, Value};

use super::keys::{as_bool, as_text};
use super::timestamp::parse_timestamp;
use crate::event::Observation;

/// True for a report item: it has both `operationName` and `mfaCompliant`.
pub fn looks_like_report_item(record: &Map<String, Value>) -> bool {
    record.contains_key("mfaCompliant") && record.contains_key("operationName")
}

/// Reads one report item.
pub fn read_report_item(record: &Map<String, Value>) -> Observation {
    let text = |key: &str| record.get(key).and_then(as_text);
    // `Get /v{version}/customers/{customer_id}/subscriptions?...`
    let (method, path) = match text("operationName") {
        Some(op) => match op.split_once(' ') {
            Some((m, p)) => (
                Some(m.trim().to_ascii_uppercase()),
                Some(p.trim().to_string()),
            ),
            None => (None, Some(op)),
        },
        None => (None, None),
    };
    Observation {
        time: text("requestDateTime").as_deref().and_then(parse_timestamp),
        method,
        path,
        app_id: text("applicationId").map(|id| id.to_ascii_lowercase()),
        tenant_id: text("tenantId").map(|id| id.to_ascii_lowercase()),
        principal: text("upn").or_else(|| text("objectId")),
        correlation_id: text("correlationId").map(|id| id.to_ascii_lowercase()),
        request_id: text("requestId"),
        from_partner_center_report: true,
        report_mfa_compliant: record.get("mfaCompliant").and_then(as_bool),
        ..Observation::default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;
    use crate::formats::timestamp::format_iso;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn reads_documented_item() {
        let item = object(json!({
            "requestId": "e1a2b3c4-d5e6-47f8-9a0b-1c2d3e4f5a6b",
            "correlationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A",
            "operationName": "Get /v{version}/customers/{customer_id}/subscriptions?...",
            "requestDateTime": "2020-05-21T22:18:35.73",
            "sourceIpAddress": "203.0.113.7",
            "objectId": "4c3b9f1e-2a6d-4e8f-9b0a-1d2c3e4f5a6b",
            "tenantId": "72F988BF-86F1-41AF-91AB-2D7CD011DB47",
            "upn": "admin@contoso.onmicrosoft.com",
            "applicationId": "1B730954-1685-4B74-9BFD-DAC224A7B894",
            "mfaCompliant": false
        }));
        assert!(looks_like_report_item(&item));
        let obs = read_report_item(&item);
        assert!(obs.from_partner_center_report);
        assert_eq!(obs.report_mfa_compliant, Some(false));
        assert_eq!(obs.method.as_deref(), Some("GET"));
        assert_eq!(
            obs.path.as_deref(),
            Some("/v{version}/customers/{customer_id}/subscriptions?...")
        );
        assert_eq!(
            obs.time.map(format_iso).as_deref(),
            Some("2020-05-21T22:18:35.730Z")
        );
        assert_eq!(
            obs.app_id.as_deref(),
            Some("1b730954-1685-4b74-9bfd-dac224a7b894")
        );
        assert_eq!(
            obs.tenant_id.as_deref(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
        assert_eq!(
            obs.principal.as_deref(),
            Some("admin@contoso.onmicrosoft.com")
        );
        assert_eq!(
            obs.correlation_id.as_deref(),
            Some("5e2b0c7a-9d4f-4b1e-8c3a-6f7e8d9c0b1a")
        );
        assert_eq!(obs.bearer, None);
        assert_eq!(obs.host, None);
    }

    #[test]
    fn recognition_and_fallbacks() {
        let cases = [
            (
                json!({"operationName": "Get /v1/customers", "mfaCompliant": true}),
                true,
            ),
            // A sign-in record has an operationName too, but no mfaCompliant.
            (
                json!({"operationName": "Sign-in activity", "category": "SignInLogs"}),
                false,
            ),
            (json!({"mfaCompliant": true}), false),
        ];
        for (record, want) in cases {
            assert_eq!(
                looks_like_report_item(&object(record.clone())),
                want,
                "{record}"
            );
        }
        let item = object(
            json!({"operationName": "post  /v1/customers ", "objectId": "4c3b", "mfaCompliant": "TRUE"}),
        );
        let obs = read_report_item(&item);
        assert_eq!(
            (obs.method.as_deref(), obs.path.as_deref()),
            (Some("POST"), Some("/v1/customers"))
        );
        assert_eq!(obs.principal.as_deref(), Some("4c3b"));
        assert_eq!(obs.report_mfa_compliant, Some(true));
        assert_eq!(obs.time, None);
    }
}
