//! The `serde_json::Value` reading of HTTP records that [`super::http_record`]
//! replaced, kept (tests only) as the oracle the new reading must match.
//! Unchanged from the `Value` reading, except for these lines; the name
//! tables (`field_for`, `side_of`, ...) and small helpers are shared with the
//! fast path, so what the oracle checks is the walk over the record.
//!
//! Nobody standardises gateway log schemas, so fields are found by name at
//! any depth (`url`, `request_uri`, `upstream.host`,
//! `request.headers.Authorization`, `response.status`, `@t`, ...), with names
//! compared case- and separator-insensitively. Header lists in HAR form
//! (`[{"name": .., "value": ..}]`) read like objects, and JSON held as text
//! (a body, a headers column) is read as JSON. When several fields could give
//! a value, the best-known name wins, then the shallower one, then the first.

use serde_json::{Map, Value};

use super::keys::{
    as_bool, as_status, as_text, contains_ignore_case, contains_number, normalize_key,
};
use super::timestamp::{from_epoch_number, parse_timestamp};
use crate::classify::hosts::{is_partner_center_host, split_url};
use crate::event::Observation;
use crate::token::BearerToken;

use super::http_keys::{field_for, side_of, strip_type_suffix, Field, Side};
use super::http_record::{parse_request_line, MAX_NESTED_TEXT, MFA_ERROR_CODE};

/// A candidate value with its rank and depth.
struct Best<T> {
    value: Option<(u8, u16, T)>,
}

impl<T> Default for Best<T> {
    fn default() -> Self {
        Best { value: None }
    }
}

impl<T> Best<T> {
    fn offer(&mut self, rank: u8, depth: u16, value: T) {
        let better = match &self.value {
            None => true,
            Some((r, d, _)) => (rank, depth) < (*r, *d),
        };
        if better {
            self.value = Some((rank, depth, value));
        }
    }
    fn take(self) -> Option<T> {
        self.value.map(|(_, _, v)| v)
    }
}

#[derive(Default)]
struct Finder {
    method: Best<String>,
    url: Best<String>,
    path: Best<String>,
    user_agent: Best<String>,
    correlation: Best<String>,
    request_id: Best<String>,
    status: Best<u16>,
    time: Best<i64>,
    /// Host candidates: (rank, depth, host).
    hosts: Vec<(u8, u16, String)>,
    bearer: Option<BearerToken>,
    error_code: Option<String>,
    legacy_mfa_required: bool,
    is_mfa_compliant: Option<bool>,
    request_line: Option<(String, String)>,
}

/// Reads one HTTP record (a gateway log line or a HAR entry).
pub fn read_http(record: &Map<String, Value>) -> Observation {
    let mut finder = Finder::default();
    finder.walk_object(record, 0, Side::Either);
    finder.finish()
}

impl Finder {
    fn walk_object(&mut self, object: &Map<String, Value>, depth: u16, side: Side) {
        for (key, value) in object {
            self.visit(key, value, depth, side);
        }
    }

    fn visit(&mut self, raw_key: &str, value: &Value, depth: u16, side: Side) {
        let key = normalize_key(strip_type_suffix(raw_key));
        let inner = side_of(&key).unwrap_or(side);
        match value {
            Value::Object(object) => self.walk_object(object, depth + 1, inner),
            Value::Array(items) => {
                for item in items {
                    match item {
                        // `[{"name": "Authorization", "value": "Bearer ..."}]`
                        Value::Object(pair)
                            if pair.get("name").is_some_and(Value::is_string)
                                && pair.contains_key("value") =>
                        {
                            if let (Some(Value::String(name)), Some(v)) =
                                (pair.get("name"), pair.get("value"))
                            {
                                self.visit(name, v, depth + 1, inner);
                            }
                        }
                        Value::Object(object) => self.walk_object(object, depth + 1, inner),
                        // Go-style headers (`{"Authorization": ["Bearer ..."]}`, Caddy).
                        Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                            self.leaf(&key, item, depth, inner)
                        }
                        _ => {}
                    }
                }
            }
            Value::Null => {}
            leaf => self.leaf(&key, leaf, depth, inner),
        }
    }

    fn leaf(&mut self, key: &str, value: &Value, depth: u16, side: Side) {
        if key.ends_with("authorization") && !key.ends_with("proxyauthorization") {
            if let Value::String(text) = value {
                if self.bearer.is_none() {
                    self.bearer = BearerToken::from_authorization(text);
                }
            }
            // Never read an Authorization value as anything else.
            return;
        }
        if key == "ismfacompliant" {
            if let Some(b) = as_bool(value) {
                self.is_mfa_compliant.get_or_insert(b);
            }
            return;
        }
        if key.ends_with("headers") {
            // A headers column kept as JSON text (APIM, Log Analytics exports).
            if let Value::String(text) = value {
                self.nested_text(text, depth, side);
            }
        }
        if side != Side::Request {
            self.error_signals(key, value, depth, side);
        }
        if key == "request" {
            if let Value::String(line) = value {
                self.request_line = self
                    .request_line
                    .take()
                    .or_else(|| parse_request_line(line));
            }
            return;
        }
        let Some((field, rank)) = field_for(key) else {
            return;
        };
        match field {
            Field::Status => {
                if side != Side::Request {
                    if let Some(status) = as_status(value) {
                        self.status.offer(rank, depth, status);
                    }
                }
            }
            Field::Time => {
                let micros = match value {
                    Value::String(s) => parse_timestamp(s),
                    Value::Number(n) => n.as_f64().and_then(from_epoch_number),
                    _ => None,
                };
                if let Some(micros) = micros {
                    self.time.offer(rank, depth, micros);
                }
            }
            Field::Host => {
                if let Some(text) = as_text(value) {
                    self.hosts.push((rank, depth, text));
                }
            }
            Field::Url => {
                if let Some(text) = as_text(value) {
                    if let (Some(host), _) = split_url(&text) {
                        self.hosts.push((rank, depth, host));
                    }
                    self.url.offer(rank, depth, text);
                }
            }
            Field::Method
            | Field::Path
            | Field::UserAgent
            | Field::Correlation
            | Field::RequestId => {
                let slot = match field {
                    Field::Method => &mut self.method,
                    Field::Path => &mut self.path,
                    Field::UserAgent => &mut self.user_agent,
                    Field::Correlation => &mut self.correlation,
                    _ => &mut self.request_id,
                };
                if let Some(text) = as_text(value) {
                    slot.offer(rank, depth, text);
                }
            }
        }
    }

    /// Looks for Partner Center error signals in bodies, codes and headers.
    fn error_signals(&mut self, key: &str, value: &Value, depth: u16, side: Side) {
        let is_code_key = key == "code" || key.ends_with("errorcode");
        match value {
            Value::Number(n) if is_code_key => self.note_code(&n.to_string()),
            Value::String(text) => {
                if is_code_key {
                    self.note_code(text.trim());
                }
                let bodyish = key.contains("body")
                    || key.contains("error")
                    || key.contains("message")
                    || matches!(
                        key,
                        "text" | "content" | "description" | "wwwauthenticate" | "details"
                    );
                if !bodyish {
                    return;
                }
                if contains_number(text, MFA_ERROR_CODE) {
                    self.error_code = Some(MFA_ERROR_CODE.to_string());
                }
                if contains_ignore_case(text, "mfa required") {
                    self.legacy_mfa_required = true;
                }
                self.nested_text(text, depth, side);
            }
            _ => {}
        }
    }

    /// Reads `text` as JSON when it holds an object or array.
    fn nested_text(&mut self, text: &str, depth: u16, side: Side) {
        let trimmed = text.trim();
        if trimmed.len() < MAX_NESTED_TEXT && (trimmed.starts_with('{') || trimmed.starts_with('['))
        {
            if let Ok(nested) = serde_json::from_str::<Value>(trimmed) {
                self.visit_nested(&nested, depth + 1, side);
            }
        }
    }

    /// JSON that a log kept as text (a body, a headers column).
    fn visit_nested(&mut self, value: &Value, depth: u16, side: Side) {
        match value {
            Value::Object(object) => self.walk_object(object, depth, side),
            Value::Array(_) => self.visit("", value, depth, side),
            _ => {}
        }
    }

    fn note_code(&mut self, code: &str) {
        if code.is_empty() || code.len() > 32 {
            return;
        }
        // 900421 wins over any other code; otherwise the first code stays.
        if code == MFA_ERROR_CODE || self.error_code.is_none() {
            self.error_code = Some(code.to_string());
        }
    }

    fn finish(self) -> Observation {
        let url = self.url.take();
        let mut method = self.method.take();
        let mut path = self.path.take();
        if let Some((m, p)) = self.request_line {
            method.get_or_insert(m);
            path.get_or_insert(p);
        }
        // The Partner Center host wins; otherwise the best-known name.
        let mut hosts = self.hosts;
        hosts.sort_by_key(|(rank, depth, _)| (*rank, *depth));
        let host = hosts
            .iter()
            .find(|(_, _, h)| is_partner_center_host(h))
            .or(hosts.first())
            .and_then(|(_, _, h)| crate::classify::hosts::normalize_host(h));
        let status = self.status.take();
        Observation {
            time: self.time.take(),
            url,
            host,
            method,
            path,
            status,
            bearer: self.bearer,
            // A code in a successful response is data, not an error.
            error_code: self.error_code.filter(|_| status.is_none_or(|s| s >= 400)),
            is_mfa_compliant: self.is_mfa_compliant,
            legacy_mfa_required: self.legacy_mfa_required && matches!(status, Some(401 | 403)),
            correlation_id: self.correlation.take().map(|c| c.to_ascii_lowercase()),
            request_id: self.request_id.take(),
            user_agent: self.user_agent.take(),
            ..Observation::default()
        }
    }
}
