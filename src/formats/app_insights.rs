//! Application Insights telemetry, as Log Analytics and the classic
//! resource export it: `AppDependencies` (workspace tables, PascalCase:
//! `Target`, `Data`, `Name`, `ResultCode` as text, `OperationId`,
//! `AppRoleName`) or `dependencies` (classic: `target`, `data`, `resultCode`,
//! `success`, `operation_Id`, `cloud_RoleName`), and the `AppTraces` /
//! `AppExceptions` (`traces` / `exceptions`) that the same operation wrote.
//!
//! A dependency is an outgoing call: with Partner Center as its target it is
//! a Partner Center call. Application Insights logs no token, so its verdict
//! stays `unknown` unless other evidence exists. A trace or exception counts
//! only when its text quotes Partner Center's rejection (900421, or the legacy
//! "MFA required" with a 401): it is then a broken call, with the Partner
//! Center URL its text names, if any. Every record keeps its operation id as
//! `correlation_id`, which ties a trace or exception to the dependency call of
//! the same operation.
//!
//! The classic tables' `appId` / `appName` name the Application Insights
//! resource, not the Entra application, so they are never read as `app_id`;
//! the calling service's role name (`AppRoleName`, `cloud_RoleName`) is its
//! `app_name`.

use serde_json::{Map, Value};

use super::keys::{as_status, as_text, contains_ignore_case, contains_number, find_key, has_key};
use super::timestamp::{from_epoch_number, parse_timestamp};
use super::MFA_ERROR_CODE;
use crate::classify::hosts::{is_partner_center_host, normalize_host, split_url};
use crate::event::Observation;

/// Which Application Insights table a record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Dependencies,
    Traces,
    Exceptions,
}

/// The table a set of columns (normalised names) belongs to, if any.
pub fn table_of_columns(has: impl Fn(&str) -> bool) -> Option<Table> {
    let operation = has("operationid");
    if has("target") && has("data") && (has("resultcode") || has("dependencytype")) {
        Some(Table::Dependencies)
    } else if operation && (has("problemid") || has("outermessage") || has("exceptiontype")) {
        Some(Table::Exceptions)
    } else if operation && has("message") && has("severitylevel") {
        Some(Table::Traces)
    } else {
        None
    }
}

/// The table of one record: its `Type` / `itemType` value, else its shape.
pub fn table_of(record: &Map<String, Value>) -> Option<Table> {
    let named = find_key(record, &["type", "itemtype"])
        .and_then(Value::as_str)
        .and_then(|name| match name.to_ascii_lowercase().as_str() {
            "appdependencies" | "dependency" | "dependencies" => Some(Table::Dependencies),
            "apptraces" | "trace" | "traces" => Some(Table::Traces),
            "appexceptions" | "exception" | "exceptions" => Some(Table::Exceptions),
            _ => None,
        });
    named.or_else(|| table_of_columns(|name| has_key(record, name)))
}

/// Reads one record of `table`.
pub fn read_app_insights(record: &Map<String, Value>, table: Table) -> Observation {
    let field = |names: &[&str]| find_key(record, names);
    let text = |names: &[&str]| field(names).and_then(as_text);
    let common = Observation {
        time: field(&["timegenerated", "timestamp", "time"]).and_then(|v| match v {
            Value::String(s) => parse_timestamp(s),
            Value::Number(n) => n.as_f64().and_then(from_epoch_number),
            _ => None,
        }),
        correlation_id: text(&["operationid"]).map(|id| id.to_ascii_lowercase()),
        app_name: text(&["approlename", "cloudrolename"]),
        ..Observation::default()
    };
    match table {
        Table::Dependencies => read_dependency(record, common),
        Table::Traces | Table::Exceptions => read_message(record, common),
    }
}

/// A dependency: `Data` is the full URL of an HTTP call, `Target` its host
/// (sometimes with a port or ` | cid-v1:...`), `Name` `GET /path`.
fn read_dependency(record: &Map<String, Value>, common: Observation) -> Observation {
    let text = |names: &[&str]| find_key(record, names).and_then(as_text);
    let name = text(&["name"]);
    let (name_method, name_path) = match name.as_deref().and_then(|n| n.split_once(' ')) {
        Some((method, path)) if is_method(method) => (
            Some(method.to_ascii_uppercase()),
            Some(path.trim().to_string()),
        ),
        _ => (None, None),
    };
    let url = text(&["data"]).filter(|data| split_url(data).0.is_some());
    let host = match &url {
        Some(_) => None,
        None => text(&["target"]).and_then(|t| normalize_host(t.split(" | ").next()?)),
    };
    Observation {
        url,
        host,
        method: name_method,
        path: name_path,
        status: find_key(record, &["resultcode"]).and_then(as_status),
        ..common
    }
}

/// A trace or exception: evidence only when its text quotes Partner
/// Center's rejection.
fn read_message(record: &Map<String, Value>, common: Observation) -> Observation {
    let texts: Vec<String> = [
        "message",
        "outermessage",
        "innermostmessage",
        "details",
        "properties",
        "customdimensions",
    ]
    .iter()
    .filter_map(|name| find_key(record, &[name]))
    .map(|value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    })
    .collect();
    let quotes_900421 = texts.iter().any(|t| contains_number(t, MFA_ERROR_CODE));
    let legacy = texts.iter().any(|t| {
        contains_ignore_case(t, "mfa required")
            && (contains_number(t, "401") || contains_ignore_case(t, "unauthorized"))
    });
    if !quotes_900421 && !legacy {
        // Not evidence about a Partner Center call: read as `other`.
        return Observation {
            correlation_id: common.correlation_id,
            ..Observation::default()
        };
    }
    let (method, url) = texts
        .iter()
        .find_map(|t| partner_center_url_in(t))
        .map_or((None, None), |(m, u)| (m, Some(u)));
    Observation {
        url,
        method,
        error_code: quotes_900421.then(|| MFA_ERROR_CODE.to_string()),
        legacy_mfa_required: legacy,
        status: legacy.then_some(401),
        ..common
    }
}

/// The first Partner Center URL in free text, with the HTTP method written
/// just before it (`GET https://...`), if any.
fn partner_center_url_in(text: &str) -> Option<(Option<String>, String)> {
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|rest| rest.find("://")) {
        let at = from + found;
        let start = text[..at]
            .rfind(|c: char| !c.is_ascii_alphanumeric())
            .map_or(0, |i| i + 1);
        let end = text[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | ','))
            .map_or(text.len(), |i| at + i);
        let url = &text[start..end];
        if split_url(url)
            .0
            .as_deref()
            .is_some_and(is_partner_center_host)
        {
            let method = text[..start]
                .split_whitespace()
                .next_back()
                .filter(|w| is_method(w))
                .map(str::to_ascii_uppercase);
            return Some((method, url.to_string()));
        }
        from = at + 3;
    }
    None
}

fn is_method(word: &str) -> bool {
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(word))
}

#[cfg(test)]
#[path = "app_insights_tests.rs"]
mod tests;
