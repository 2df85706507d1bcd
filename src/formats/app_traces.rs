//! Application Insights traces and exceptions: evidence, not calls.
//!
//! Application Insights dependency records carry no token, so their calls
//! are `unknown`; but the app often logs Partner Center's answer as a trace
//! or an exception of the same operation. Workspace tables (`AppTraces`:
//! `TimeGenerated, Message, SeverityLevel, OperationId, AppRoleName, ...`;
//! `AppExceptions`: `OuterMessage, InnermostMessage, Details, OperationId,
//! ...`, exported as JSON by Log Analytics or `az monitor log-analytics
//! query`) and the classic tables (`traces`, `exceptions`: `message`,
//! `outerMessage`, `details`, `operation_Id`, `itemType`) read alike: a
//! record whose message, exception message or details report 900421 gives
//! its operation id as a [`SideFact::RejectedOperation`].

use serde_json::{Map, Value};

use super::keys::{contains_number, key_is, normalize_key};
use super::MFA_ERROR_CODE;
use crate::evidence::SideFact;

/// `Type` / `itemType` values of trace and exception records.
const TABLE_NAMES: &[&str] = &["apptraces", "appexceptions", "trace", "exception"];

/// Keys that only dependency or request records have.
const CALL_KEYS: &[&str] = &[
    "data",
    "target",
    "url",
    "dependencytype",
    "resultcode",
    "host",
    "request",
];

/// True for a trace or exception record: its `Type` / `itemType` names the
/// table, or it has an operation id and a message but nothing of a call.
pub fn looks_like_trace(record: &Map<String, Value>) -> bool {
    let table = record.iter().find_map(|(key, value)| {
        (key_is(key, "type") || key_is(key, "itemtype"))
            .then(|| value.as_str())
            .flatten()
    });
    if let Some(table) = table {
        if TABLE_NAMES.iter().any(|t| t.eq_ignore_ascii_case(table)) {
            return true;
        }
    }
    let mut operation = false;
    let mut message = false;
    for key in record.keys() {
        let key = normalize_key(key);
        if CALL_KEYS.contains(&key.as_str()) {
            return false;
        }
        operation |= key == "operationid";
        message |= matches!(
            key.as_str(),
            "message" | "outermessage" | "innermostmessage"
        );
    }
    operation && message
}

/// Reads a trace or exception record: the operation it reports 900421 for.
pub fn read_trace(record: &Map<String, Value>) -> Option<SideFact> {
    let operation_id = record.iter().find_map(|(key, value)| {
        key_is(key, "operationid")
            .then(|| value.as_str())
            .flatten()
            .map(str::trim)
            .filter(|id| !id.is_empty())
    })?;
    let reports_900421 = record.iter().any(|(key, value)| {
        let key = normalize_key(key);
        (key.contains("message") || key.contains("detail")) && holds_mfa_error(value)
    });
    reports_900421.then(|| SideFact::RejectedOperation {
        operation_id: operation_id.to_ascii_lowercase(),
    })
}

/// True when any text or number in `value` is the whole number 900421.
fn holds_mfa_error(value: &Value) -> bool {
    match value {
        Value::String(text) => contains_number(text, MFA_ERROR_CODE),
        Value::Number(n) => n.as_u64() == Some(900_421),
        Value::Array(items) => items.iter().any(holds_mfa_error),
        Value::Object(object) => object.values().any(holds_mfa_error),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test records are objects"),
        }
    }

    const OP: &str = "4BF92F3577B34DA6A3CE929D0E0E4736";

    #[test]
    fn workspace_and_classic_records_are_recognised() {
        let traces = [
            json!({"TenantId":"x","TimeGenerated":"2026-06-02T08:15:03.123Z","Message":"PartnerCenter call failed","SeverityLevel":3,"OperationId":OP,"AppRoleName":"billing-sync","Type":"AppTraces"}),
            json!({"TimeGenerated [UTC]":"2026-06-02T08:15:03.123Z","Message":"x","OperationId":OP}),
            json!({"timestamp":"2026-06-02T08:15:03Z","message":"x","severityLevel":3,"itemType":"trace","operation_Id":OP}),
            json!({"TimeGenerated":"2026-06-02T08:15:03Z","OuterMessage":"401","InnermostMessage":"x","OperationId":OP}),
            json!({"timestamp":"2026-06-02T08:15:03Z","outerMessage":"x","itemType":"exception","operation_Id":OP}),
        ];
        for record in traces {
            assert!(looks_like_trace(&object(record.clone())), "{record}");
        }
        let not_traces = [
            // AppDependencies: the call itself.
            json!({"TimeGenerated":"2026-06-02T08:15:03Z","Target":"api.partnercenter.microsoft.com","Data":"https://api.partnercenter.microsoft.com/v1/customers","ResultCode":"401","OperationId":OP,"Type":"AppDependencies"}),
            // A gateway line with a message field.
            json!({"url":"https://api.partnercenter.microsoft.com/v1/customers","message":"upstream 401","operation_id":OP}),
            json!({"time":"2026-06-02T08:15:03Z","category":"SignInLogs","properties":{}}),
        ];
        for record in not_traces {
            assert!(!looks_like_trace(&object(record.clone())), "{record}");
        }
    }

    #[test]
    fn reports_the_operation_whose_message_holds_900421() {
        let op = OP.to_ascii_lowercase();
        let cases = [
            (
                json!({"Message":"Partner Center GET /v1/customers failed: 401 {\"code\":900421,\"description\":\"The MFA claim is missing\"}","OperationId":OP,"SeverityLevel":3}),
                true,
            ),
            (json!({"Message":"code '900421'","OperationId":OP}), true),
            (
                json!({"OuterMessage":"Response status code does not indicate success: 401 (Unauthorized).","InnermostMessage":"x","Details":"[{\"message\":\"Partner Center error 900421\",\"type\":\"PartnerException\"}]","OperationId":OP}),
                true,
            ),
            (
                json!({"outerMessage":"x","details":[{"outerId":"0","message":"{\"code\":900421}"}],"operation_Id":OP}),
                true,
            ),
            (
                json!({"Message":"x","Properties":{"code":900421},"OperationId":OP}),
                false,
            ),
            (
                json!({"Message":"invoice 1900421 paid","OperationId":OP}),
                false,
            ),
            (
                json!({"Message":"amount 900421.50","OperationId":OP}),
                false,
            ),
            (
                json!({"Message":"Partner Center error 900421","OperationId":""}),
                false,
            ),
            (json!({"Message":"Partner Center error 900421"}), false),
        ];
        for (record, rejected) in cases {
            let want = rejected.then(|| SideFact::RejectedOperation {
                operation_id: op.clone(),
            });
            assert_eq!(read_trace(&object(record.clone())), want, "{record}");
        }
    }
}
