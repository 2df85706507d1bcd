//! Azure Front Door and Application Gateway access logs: JSON records read
//! by the gateway machinery ([`super::http_record`]), recognised by their
//! `category` so that the `format` column names them.
//!
//! Front Door (`FrontDoorAccessLog`, classic `FrontdoorAccessLog`) keeps the
//! request under `properties`: `requestUri` (a full URL on the Front Door
//! endpoint), `httpMethod`, `httpStatusCode` (text), `userAgent`,
//! `trackingReference`, and the origin it forwarded to (`originUrl`,
//! `originName`, classic `backendHostname`). Application Gateway
//! (`ApplicationGatewayAccessLog`) has `requestUri` (a path), `host`,
//! `originalHost`, `httpMethod`, `httpStatus`, the backend's `serverStatus`
//! and `transactionId`. Both come as JSON lines, as `{"records":[...]}`
//! documents from a storage account, or from Log Analytics' `AzureDiagnostics`
//! table with typed suffixes (`requestUri_s`, `httpStatus_d`).

use serde_json::{Map, Value};

use super::keys::key_is;
use super::RecordKind;

/// The access-log kind a record's `category` names, if any.
pub fn access_log_kind(record: &Map<String, Value>) -> Option<RecordKind> {
    let category = record
        .iter()
        .find(|(key, _)| key_is(key, "category"))
        .and_then(|(_, value)| value.as_str())?;
    if category.eq_ignore_ascii_case("FrontDoorAccessLog") {
        Some(RecordKind::FrontDoor)
    } else if category.eq_ignore_ascii_case("ApplicationGatewayAccessLog") {
        Some(RecordKind::AppGateway)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_by_category() {
        let kind = |v: Value| access_log_kind(v.as_object().expect("object"));
        assert_eq!(
            kind(json!({"category": "FrontDoorAccessLog"})),
            Some(RecordKind::FrontDoor)
        );
        assert_eq!(
            kind(json!({"Category": "FrontdoorAccessLog"})),
            Some(RecordKind::FrontDoor)
        );
        assert_eq!(
            kind(json!({"category": "ApplicationGatewayAccessLog"})),
            Some(RecordKind::AppGateway)
        );
        assert_eq!(
            kind(json!({"category": "ApplicationGatewayFirewallLog"})),
            None
        );
        assert_eq!(kind(json!({"category": "SignInLogs"})), None);
        assert_eq!(kind(json!({"url": "https://x"})), None);
    }
}
