//! Azure API Management gateway logs: the Log Analytics
//! `ApiManagementGatewayLogs` table exported as a JSON array or as CSV
//! (PascalCase columns; the dynamic columns `RequestHeaders`,
//! `BackendResponseBody`, ... hold JSON, as text in CSV), and the older
//! diagnostic JSON lines (`category: "GatewayLogs"`, camelCase fields under
//! `properties`).
//!
//! Where APIM fronts Partner Center, the client calls APIM (`Url`) and APIM
//! calls Partner Center (`BackendUrl`): the backend leg is the Partner Center
//! call. So when the record names a backend, the call is the backend's: its
//! URL, method, `BackendResponseCode`, the `Authorization` of
//! `BackendRequestHeaders`, and 900421 or `isMfaCompliant` in the backend's
//! response (falling back to what APIM returned to the client, which passes
//! Partner Center's answer through). A backend that is not Partner Center
//! makes the record another service's call even when `Url` names Partner
//! Center (a mock, a cache or a rewrite answered; Partner Center never saw
//! it). A record without a backend (APIM answered itself: cache, policy,
//! error) is read from its client side. The client's own `Authorization`
//! is used for the backend call only when its audience is Partner Center,
//! which means APIM forwarded it unchanged.

use serde_json::{Map, Value};

use super::keys::{
    as_bool, as_status, as_text, contains_ignore_case, contains_number, find_key, has_key, key_is,
};
use super::timestamp::{from_epoch_number, parse_timestamp};
use super::MFA_ERROR_CODE;
use crate::event::Observation;
use crate::token::BearerToken;

/// Headers or bodies kept as JSON text are read only below this size.
const MAX_NESTED_TEXT: usize = 1 << 20;

/// True when a table's columns (normalised names) are APIM gateway logs:
/// `ApimSubscriptionId`, or both `BackendUrl` and `BackendResponseCode` (a
/// proxy that only logs a backend URL, such as Traefik's `BackendURL`, is
/// read as a generic gateway).
pub fn is_apim_columns(has: impl Fn(&str) -> bool) -> bool {
    has("apimsubscriptionid") || (has("backendurl") && has("backendresponsecode"))
}

/// True for an APIM gateway log record, Log Analytics or diagnostic form.
pub fn looks_like_apim(record: &Map<String, Value>) -> bool {
    let named = |names: &[&str], wanted: &str| {
        find_key(record, names)
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(wanted))
    };
    if named(&["category"], "GatewayLogs") || named(&["type"], "ApiManagementGatewayLogs") {
        return true;
    }
    let props = properties(record);
    is_apim_columns(|name| has_key(props, name))
}

/// Diagnostic records keep their fields under `properties`.
fn properties(record: &Map<String, Value>) -> &Map<String, Value> {
    match find_key(record, &["properties"]) {
        Some(Value::Object(props)) => props,
        _ => record,
    }
}

/// Which side of APIM a field describes.
struct Leg<'a> {
    url: String,
    method: Option<String>,
    status: Option<u16>,
    request_headers: Option<Map<String, Value>>,
    response_headers: Option<Map<String, Value>>,
    body: Option<&'a Value>,
}

/// Reads one APIM gateway record.
pub fn read_apim(record: &Map<String, Value>) -> Observation {
    let props = properties(record);
    let field = |names: &[&str]| find_key(props, names).or_else(|| find_key(record, names));
    let text = |names: &[&str]| field(names).and_then(as_text);
    let headers = |names: &[&str]| field(names).and_then(header_map);

    let client_request = headers(&["requestheaders"]);
    let client_response = headers(&["responseheaders"]);
    let client_body = field(&["responsebody"]);
    let client_bearer = client_request.as_ref().and_then(bearer_of);

    let (leg, bearer) = match text(&["backendurl"]) {
        Some(url) => {
            let request_headers = headers(&["backendrequestheaders"]);
            let bearer = request_headers
                .as_ref()
                .and_then(bearer_of)
                .or_else(|| client_bearer.filter(for_partner_center));
            let leg = Leg {
                url,
                method: text(&["backendmethod"]).or_else(|| text(&["method"])),
                status: field(&["backendresponsecode"]).and_then(as_status),
                request_headers,
                response_headers: headers(&["backendresponseheaders"]).or(client_response),
                body: field(&["backendresponsebody"]).or(client_body),
            };
            (leg, bearer)
        }
        None => {
            let leg = Leg {
                url: text(&["url"]).unwrap_or_default(),
                method: text(&["method"]),
                status: field(&["responsecode"]).and_then(as_status),
                request_headers: None,
                response_headers: client_response,
                body: client_body,
            };
            (leg, client_bearer)
        }
    };

    let response_header = |name: &str| leg.response_headers.as_ref().and_then(|h| header(h, name));
    let request_header = |name: &str| {
        leg.request_headers
            .as_ref()
            .and_then(|h| header(h, name))
            .or_else(|| client_request.as_ref().and_then(|h| header(h, name)))
    };
    let body = leg.body.map(body_text).unwrap_or_default();
    let failed = leg.status.is_none_or(|s| s >= 400);
    let error_code = error_code_of(&body).filter(|_| failed);
    let time = field(&["timegenerated", "time", "timestamp"]).and_then(|v| match v {
        Value::String(s) => parse_timestamp(s),
        Value::Number(n) => n.as_f64().and_then(from_epoch_number),
        _ => None,
    });
    let correlation_id = response_header("mscorrelationid")
        .or_else(|| request_header("mscorrelationid"))
        .and_then(as_text)
        .or_else(|| text(&["correlationid"]));
    Observation {
        time,
        url: (!leg.url.is_empty()).then_some(leg.url),
        method: leg.method,
        status: leg.status,
        bearer,
        error_code,
        is_mfa_compliant: response_header("ismfacompliant").and_then(as_bool),
        legacy_mfa_required: contains_ignore_case(&body, "mfa required")
            && matches!(leg.status, Some(401 | 403)),
        correlation_id: correlation_id.map(|c| c.to_ascii_lowercase()),
        request_id: response_header("msrequestid").and_then(as_text),
        user_agent: client_request
            .as_ref()
            .and_then(|h| header(h, "useragent"))
            .or_else(|| request_header("useragent"))
            .and_then(as_text),
        ..Observation::default()
    }
}

/// A headers value: an object, JSON text of one, or a `[{name, value}]` list.
pub(super) fn header_map(value: &Value) -> Option<Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map.clone()),
        Value::String(text) => {
            let text = text.trim();
            if text.len() >= MAX_NESTED_TEXT || !text.starts_with(['{', '[']) {
                return None;
            }
            header_map(&serde_json::from_str::<Value>(text).ok()?)
        }
        Value::Array(pairs) => Some(
            pairs
                .iter()
                .filter_map(|pair| {
                    let name = pair.get("name")?.as_str()?;
                    Some((name.to_string(), pair.get("value")?.clone()))
                })
                .collect(),
        ),
        _ => None,
    }
}

/// A header by normalised name; a list value (`["v"]`) gives its first item.
pub(super) fn header<'a>(headers: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    let value = headers
        .iter()
        .find(|(key, _)| key_is(key, name))
        .map(|(_, v)| v)?;
    match value {
        Value::Array(items) => items.first(),
        other => Some(other),
    }
}

/// The bearer token of a request's `Authorization` header. Its value goes
/// nowhere but the token decoder.
fn bearer_of(headers: &Map<String, Value>) -> Option<BearerToken> {
    match header(headers, "authorization")? {
        Value::String(text) => BearerToken::from_authorization(text),
        _ => None,
    }
}

/// True when the token was issued for Partner Center.
fn for_partner_center(token: &BearerToken) -> bool {
    token
        .claims()
        .is_ok_and(|claims| claims.is_partner_center_audience())
}

/// A body as text (an object or array logged as JSON is rendered back).
fn body_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Partner Center's error code in a response body: 900421 anywhere as a
/// whole number, else the `code` (or `error.code`) of a JSON body.
pub(super) fn error_code_of(body: &str) -> Option<String> {
    if contains_number(body, MFA_ERROR_CODE) {
        return Some(MFA_ERROR_CODE.to_string());
    }
    let body = body.trim();
    if body.len() >= MAX_NESTED_TEXT || !body.starts_with('{') {
        return None;
    }
    let value: Value = serde_json::from_str(body).ok()?;
    let code = value
        .get("code")
        .or_else(|| value.get("error").and_then(|e| e.get("code")))?;
    as_text(code).filter(|c| c.len() <= 32)
}

#[cfg(test)]
#[path = "apim_tests.rs"]
mod tests;
