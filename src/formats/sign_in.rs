//! Entra ID sign-in logs: storage / Event Hub JSON lines (`properties`
//! holding camelCase fields), the portal's JSON download (camelCase at the
//! top) and Log Analytics exports (PascalCase). A sign-in for the Partner
//! Center resource is a token issuance: it says whether the user did MFA, or
//! that Entra ID refused the token because MFA was required.

use serde_json::{Map, Value};

use super::keys::{as_bool, as_text, contains_ignore_case, normalize_key};
use super::timestamp::{from_epoch_number, parse_timestamp};
use crate::event::{Observation, SignInFacts};

/// `category` values of the sign-in log streams.
pub const CATEGORIES: &[&str] = &[
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
    "ADFSSignInLogs",
];

/// Authentication methods that are a second factor.
const MFA_METHODS: &[&str] = &[
    "authenticator",
    "mobile app",
    "text message",
    "sms",
    "oath",
    "phone call",
    "voice",
    "fido",
    "passkey",
    "windows hello",
];

/// Case- and separator-insensitive lookup of the first present key.
fn get<'a>(map: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|name| map.get(*name)).or_else(|| {
        let wanted: Vec<String> = names.iter().map(|n| normalize_key(n)).collect();
        map.iter()
            .find(|(k, v)| !v.is_null() && wanted.contains(&normalize_key(k)))
            .map(|(_, v)| v)
    })
}

/// Parses JSON kept as text (Log Analytics exports dynamic columns that way).
fn structured(value: &Value) -> Option<Value> {
    match value {
        Value::String(s) if s.trim_start().starts_with(['{', '[']) => serde_json::from_str(s).ok(),
        Value::Object(_) | Value::Array(_) => Some(value.clone()),
        _ => None,
    }
}

/// True for a sign-in record, whichever of the three shapes.
pub fn looks_like_sign_in(record: &Map<String, Value>) -> bool {
    if let Some(Value::String(category)) = get(record, &["category", "Category"]) {
        if CATEGORIES.iter().any(|c| c.eq_ignore_ascii_case(category)) {
            return true;
        }
    }
    let has = |names: &[&str]| get(record, names).is_some();
    has(&["appId", "AppId"])
        && has(&["resourceId", "ResourceIdentity", "resourceAppId"])
        && has(&[
            "createdDateTime",
            "TimeGenerated",
            "status",
            "Status",
            "ResultType",
        ])
}

fn is_guid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Reads one sign-in record.
pub fn read_sign_in(record: &Map<String, Value>) -> Observation {
    let props = match record.get("properties") {
        Some(Value::Object(p)) => p,
        _ => record,
    };
    let field = |names: &[&str]| get(props, names).or_else(|| get(record, names));
    let text = |names: &[&str]| field(names).and_then(as_text);

    let category = text(&["category", "Category", "Type"]);
    let event_types: Vec<String> = match field(&["signInEventTypes"]) {
        Some(Value::Array(items)) => items.iter().filter_map(as_text).collect(),
        _ => Vec::new(),
    };
    let service_principal = category.iter().chain(event_types.iter()).any(|c| {
        contains_ignore_case(c, "serviceprincipal") || contains_ignore_case(c, "managedidentity")
    });

    let resource_id = text(&["resourceId", "ResourceIdentity", "resourceAppId"])
        .filter(|id| is_guid(id))
        .map(|id| id.to_ascii_lowercase());

    let status = field(&["status", "Status"]).and_then(structured);
    let error_code = status
        .as_ref()
        .and_then(|s| s.get("errorCode").or_else(|| s.get("ErrorCode")))
        .and_then(as_text)
        .or_else(|| text(&["resultType", "ResultType"]))
        .and_then(|code| code.trim().parse::<u32>().ok());

    let mfa_satisfied = field(&["authenticationDetails", "AuthenticationDetails"])
        .and_then(structured)
        .is_some_and(|details| details_prove_mfa(&details))
        || field(&["mfaDetail", "MfaDetail"])
            .and_then(structured)
            .and_then(|d| {
                d.get("authMethod")
                    .or_else(|| d.get("AuthMethod"))
                    .and_then(as_text)
            })
            .is_some();

    let time = field(&["time", "createdDateTime", "TimeGenerated"]).and_then(|v| match v {
        Value::String(s) => parse_timestamp(s),
        Value::Number(n) => n.as_f64().and_then(from_epoch_number),
        _ => None,
    });

    Observation {
        time,
        app_id: text(&["appId", "AppId"]).map(|id| id.to_ascii_lowercase()),
        app_name: text(&["appDisplayName", "AppDisplayName"]),
        tenant_id: text(&["tenantId", "homeTenantId", "AADTenantId", "TenantId"])
            .map(|id| id.to_ascii_lowercase()),
        principal: if service_principal {
            None
        } else {
            text(&["userPrincipalName", "UserPrincipalName", "userId", "UserId"])
        },
        correlation_id: text(&["correlationId", "CorrelationId"]).map(|id| id.to_ascii_lowercase()),
        request_id: text(&["id", "Id", "uniqueTokenIdentifier"]),
        user_agent: text(&["userAgent", "UserAgent"]),
        sign_in: Some(SignInFacts {
            category,
            service_principal,
            resource_id,
            resource_name: text(&["resourceDisplayName", "ResourceDisplayName"]),
            error_code,
            authentication_requirement: text(&[
                "authenticationRequirement",
                "AuthenticationRequirement",
            ]),
            mfa_satisfied,
        }),
        ..Observation::default()
    }
}

/// An `authenticationDetails` step that succeeded with a second factor, or
/// whose result says the MFA requirement was met (e.g. by a claim in the token).
fn details_prove_mfa(details: &Value) -> bool {
    let Value::Array(steps) = details else {
        return false;
    };
    steps.iter().any(|step| {
        let succeeded = step
            .get("succeeded")
            .or_else(|| step.get("Succeeded"))
            .and_then(as_bool);
        if succeeded != Some(true) {
            return false;
        }
        let method = step
            .get("authenticationMethod")
            .and_then(as_text)
            .unwrap_or_default();
        let detail = step
            .get("authenticationStepResultDetail")
            .and_then(as_text)
            .unwrap_or_default();
        MFA_METHODS.iter().any(|m| contains_ignore_case(&method, m))
            || contains_ignore_case(&detail, "mfa requirement satisfied")
            || contains_ignore_case(&detail, "mfa successfully completed")
            || contains_ignore_case(&detail, "mfa completed")
    })
}
