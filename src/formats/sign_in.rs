//! Entra ID sign-in logs: storage / Event Hub JSON lines (`properties`
//! holding camelCase fields), the portal's JSON download (camelCase at the
//! top) and Log Analytics exports (PascalCase). A sign-in for the Partner
//! Center resource is a token issuance: it says whether the user did MFA, or
//! that Entra ID refused the token because MFA was required.

use serde_json::{Map, Value};

use super::keys::{as_bool, as_text, contains_ignore_case, key_is, normalize_key};
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
        // `names` are written as logs spell them; compare normalised forms.
        let wanted: Vec<String> = names.iter().map(|n| normalize_key(n)).collect();
        map.iter()
            .find(|(k, v)| !v.is_null() && wanted.iter().any(|w| key_is(k, w)))
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;
    use crate::formats::test_support::{APP, APP_LC, PC_APP, TENANT_LC, UPN};

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    /// The same refused sign-in in the three shapes users export.
    fn shapes() -> Vec<(&'static str, Value)> {
        let status = json!({"errorCode": 50076, "failureReason": "you must use multi-factor authentication", "additionalDetails": "MFA required in Azure AD"});
        let details = json!([{"authenticationMethod": "Password", "succeeded": true, "authenticationStepResultDetail": "Correct password"}]);
        vec![
            (
                "event hub",
                json!({
                    "time": "2026-06-02T08:15:03.123Z",
                    "resourceId": format!("/tenants/{TENANT_LC}/providers/Microsoft.aadiam"),
                    "operationName": "Sign-in activity", "category": "NonInteractiveUserSignInLogs",
                    "tenantId": TENANT_LC, "resultType": "50076",
                    "correlationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A",
                    "properties": {
                        "id": "d5e8", "createdDateTime": "2026-06-02T08:15:03.123+00:00",
                        "userPrincipalName": UPN, "appId": APP, "appDisplayName": "Contoso Sync",
                        "correlationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A", "status": status,
                        "resourceDisplayName": "Microsoft Partner Center", "resourceId": PC_APP,
                        "homeTenantId": TENANT_LC, "authenticationRequirement": "singleFactorAuthentication",
                        "authenticationDetails": details, "mfaDetail": {}, "userAgent": "python-requests/2.31.0"
                    }
                }),
            ),
            (
                "portal download",
                json!({
                    "id": "d5e8", "createdDateTime": "2026-06-02T08:15:03.123Z",
                    "userPrincipalName": UPN, "appId": APP, "appDisplayName": "Contoso Sync",
                    "correlationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A", "status": status,
                    "resourceDisplayName": "Microsoft Partner Center", "resourceId": PC_APP,
                    "homeTenantId": TENANT_LC, "authenticationRequirement": "singleFactorAuthentication",
                    "authenticationDetails": details, "mfaDetail": null, "userAgent": "python-requests/2.31.0"
                }),
            ),
            (
                "log analytics",
                json!({
                    "TenantId": TENANT_LC, "TimeGenerated": "2026-06-02T08:15:03.123Z",
                    "ResourceId": format!("/tenants/{TENANT_LC}/providers/Microsoft.aadiam"),
                    "Category": "NonInteractiveUserSignInLogs", "Type": "AADNonInteractiveUserSignInLogs",
                    "ResultType": "50076", "Id": "d5e8",
                    "UserPrincipalName": UPN, "AppId": APP, "AppDisplayName": "Contoso Sync",
                    "CorrelationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A", "Status": status.to_string(),
                    "ResourceDisplayName": "Microsoft Partner Center", "ResourceIdentity": PC_APP,
                    "AuthenticationRequirement": "singleFactorAuthentication",
                    "AuthenticationDetails": details.to_string(), "MfaDetail": "{}",
                    "UserAgent": "python-requests/2.31.0"
                }),
            ),
        ]
    }

    #[test]
    fn three_shapes_read_alike() {
        for (name, record) in shapes() {
            let record = object(record);
            assert!(looks_like_sign_in(&record), "{name}");
            let obs = read_sign_in(&record);
            let facts = obs.sign_in.clone().unwrap_or_default();
            assert_eq!(facts.resource_id.as_deref(), Some(PC_APP), "{name}");
            assert_eq!(
                facts.resource_name.as_deref(),
                Some("Microsoft Partner Center"),
                "{name}"
            );
            assert_eq!(facts.error_code, Some(50076), "{name}");
            assert!(!facts.service_principal && !facts.mfa_satisfied, "{name}");
            assert_eq!(
                facts.authentication_requirement.as_deref(),
                Some("singleFactorAuthentication"),
                "{name}"
            );
            assert_eq!(obs.app_id.as_deref(), Some(APP_LC), "{name}");
            assert_eq!(obs.app_name.as_deref(), Some("Contoso Sync"), "{name}");
            assert_eq!(obs.principal.as_deref(), Some(UPN), "{name}");
            assert_eq!(obs.tenant_id.as_deref(), Some(TENANT_LC), "{name}");
            assert_eq!(
                obs.correlation_id.as_deref(),
                Some("5e2b0c7a-9d4f-4b1e-8c3a-6f7e8d9c0b1a"),
                "{name}"
            );
            assert_eq!(obs.request_id.as_deref(), Some("d5e8"), "{name}");
            assert_eq!(
                obs.user_agent.as_deref(),
                Some("python-requests/2.31.0"),
                "{name}"
            );
            assert_eq!(
                obs.time
                    .map(crate::formats::timestamp::format_iso)
                    .as_deref(),
                Some("2026-06-02T08:15:03.123Z"),
                "{name}"
            );
        }
    }

    #[test]
    fn recognition() {
        let cases = [
            (json!({"category": "SignInLogs"}), true),
            (json!({"category": "managedidentitysigninlogs"}), true),
            (
                json!({"Category": "ServicePrincipalSignInLogs", "AppId": "a"}),
                true,
            ),
            (
                json!({"appId": "a", "resourceId": PC_APP, "createdDateTime": "2026-06-02T08:15:03Z"}),
                true,
            ),
            (
                json!({"AppId": "a", "ResourceIdentity": PC_APP, "ResultType": "0"}),
                true,
            ),
            // Other Azure diagnostics with `category` are not sign-ins.
            (
                json!({"category": "GatewayLogs", "properties": {"appId": "a"}}),
                false,
            ),
            (
                json!({"category": "AuditLogs", "properties": {"appId": "a"}}),
                false,
            ),
            (
                json!({"url": "https://api.partnercenter.microsoft.com/v1/customers", "status": 200}),
                false,
            ),
            (json!({"appId": "a", "status": 200}), false),
        ];
        for (record, want) in cases {
            assert_eq!(
                looks_like_sign_in(&object(record.clone())),
                want,
                "{record}"
            );
        }
    }

    #[test]
    fn mfa_proofs() {
        let step = |method: &str, ok: Value, detail: &str| json!([{"authenticationMethod": method, "succeeded": ok, "authenticationStepResultDetail": detail}]);
        let cases = [
            (
                step(
                    "Mobile app notification",
                    json!(true),
                    "MFA successfully completed",
                ),
                true,
            ),
            (
                step("Text message", json!(true), "MFA completed in Azure AD"),
                true,
            ),
            (step("OATH verification code", json!("True"), ""), true),
            (step("FIDO2 security key", json!(true), ""), true),
            (step("Windows Hello for Business", json!(true), ""), true),
            (
                step(
                    "Previously satisfied",
                    json!(true),
                    "MFA requirement satisfied by claim in the token",
                ),
                true,
            ),
            (step("Password", json!(true), "Correct password"), false),
            (
                step(
                    "Previously satisfied",
                    json!(true),
                    "First factor requirement satisfied by claim in the token",
                ),
                false,
            ),
            (
                step(
                    "Mobile app notification",
                    json!(false),
                    "MFA denied; user declined the authentication",
                ),
                false,
            ),
            (
                step(
                    "Phone call approval (Authentication phone)",
                    json!(null),
                    "",
                ),
                false,
            ),
            (json!({}), false),
            (json!([]), false),
        ];
        for (details, want) in cases {
            assert_eq!(details_prove_mfa(&details), want, "{details}");
        }
    }

    #[test]
    fn service_principal_and_resource_id() {
        let record = object(json!({
            "time": "2026-06-02T08:15:03Z", "category": "ServicePrincipalSignInLogs",
            "resourceId": format!("/tenants/{TENANT_LC}/providers/Microsoft.aadiam"),
            "properties": {"appId": APP, "servicePrincipalId": "x", "servicePrincipalName": "Sync",
                "resourceId": PC_APP.to_ascii_uppercase(), "status": {"errorCode": 7000215},
                "userPrincipalName": "should-not-be-kept@contoso.com"}
        }));
        let obs = read_sign_in(&record);
        let facts = obs.sign_in.unwrap_or_default();
        assert!(facts.service_principal);
        assert_eq!(facts.resource_id.as_deref(), Some(PC_APP));
        assert_eq!(facts.error_code, Some(7000215));
        assert_eq!(obs.principal, None);
        // Only the tenant path: no resource id at all.
        let record = object(json!({
            "category": "SignInLogs",
            "resourceId": format!("/tenants/{TENANT_LC}/providers/Microsoft.aadiam"),
            "properties": {"appId": APP, "resourceDisplayName": "Microsoft Partner Center"}
        }));
        let facts = read_sign_in(&record).sign_in.unwrap_or_default();
        assert_eq!(facts.resource_id, None);
        assert_eq!(
            facts.resource_name.as_deref(),
            Some("Microsoft Partner Center")
        );
        // Non-interactive service-principal event types, without a category.
        let record = object(
            json!({"appId": APP, "resourceId": PC_APP, "createdDateTime": "2026-06-02T08:15:03Z",
            "signInEventTypes": ["servicePrincipal"], "status": {"errorCode": 0}}),
        );
        assert!(
            read_sign_in(&record)
                .sign_in
                .unwrap_or_default()
                .service_principal
        );
    }
}
