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
