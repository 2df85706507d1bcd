//! Which field of a JSON record fed each column of its observation.
//!
//! The extractor does not record where it found a value (it is the hot path
//! of a scan); `pcmfa sniff` looks back instead: it lists every leaf of the
//! record (into JSON kept as text and HAR name/value lists too) and, for each
//! column the observation holds, names the leaf that gives that value, one
//! whose key looks like the column first. A mapped column names its path.

use serde_json::{Map, Value};

use crate::classify::hosts::{normalize_host, split_url};
use crate::event::Observation;
use crate::formats::field_map::{Column, FieldMap, FieldPath};
use crate::formats::keys::{as_bool, as_status, as_text, contains_number, normalize_key};
use crate::formats::timestamp::{from_epoch_number, parse_timestamp};
use crate::token::BearerToken;

/// JSON kept as text is looked into only below this size.
const MAX_NESTED_TEXT: usize = 1 << 20;
/// Leaves listed per record at most (a sniff, not a scan).
const MAX_LEAVES: usize = 10_000;

/// Where a column's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The path the user mapped with `--field`.
    Mapped(String),
    /// Found by automatic matching at this path.
    Found(String),
    /// Taken from the URL at this path.
    FromUrl(String),
    /// Taken from the request line (`GET /path HTTP/1.1`) at this path.
    FromRequestLine(String),
    /// The value is there but no single field gives it as is.
    Derived,
    /// Read from a record that is not JSON (a text or CSV line).
    Text,
}

/// One leaf of a record: its path (as `--field` would write it), its
/// normalised key and its value.
struct Leaf {
    path: String,
    key: String,
    value: Value,
}

/// Names the source of every column `obs` holds. Columns the record maps
/// but does not hold are not listed.
pub fn column_sources(
    record: &Map<String, Value>,
    obs: &Observation,
    fields: &FieldMap,
) -> Vec<(Column, Source)> {
    let mut leaves = Vec::new();
    collect(record, &mut Vec::new(), &mut leaves);
    let mut out = Vec::new();
    for &column in Column::ALL {
        if let Some(path) = fields.path_of(column) {
            if path.resolve(record).is_some() {
                out.push((column, Source::Mapped(path.to_string())));
                continue;
            }
        }
        if let Some(source) = find_source(column, obs, &leaves) {
            out.push((column, source));
        }
    }
    out
}

fn find_source(column: Column, obs: &Observation, leaves: &[Leaf]) -> Option<Source> {
    let text_eq = |want: &Option<String>| {
        let want = want.clone()?;
        Some(move |leaf: &Leaf| as_text(&leaf.value).is_some_and(|t| t.eq_ignore_ascii_case(&want)))
    };
    let found = |hints: &[&str], matches: &dyn Fn(&Leaf) -> bool| {
        pick(leaves, hints, matches).map(|leaf| Source::Found(leaf.path.clone()))
    };
    let or_derived = |source: Option<Source>| Some(source.unwrap_or(Source::Derived));
    match column {
        Column::Timestamp => {
            let want = obs.time?;
            or_derived(found(&["time", "@t", "date", "ts"], &|leaf| {
                let micros = match &leaf.value {
                    Value::String(s) => parse_timestamp(s),
                    Value::Number(n) => n.as_f64().and_then(from_epoch_number),
                    _ => None,
                };
                micros == Some(want)
            }))
        }
        Column::Url => or_derived(found(&["url", "uri"], &text_eq(&obs.url)?)),
        Column::Host => {
            let want = obs.host.clone()?;
            let same_host = |leaf: &Leaf| {
                as_text(&leaf.value)
                    .and_then(|t| normalize_host(&t))
                    .as_deref()
                    == Some(&want)
            };
            if let Some(leaf) = pick(leaves, &["host", "authority"], &|leaf| {
                same_host(leaf) && (leaf.key.contains("host") || leaf.key.contains("authority"))
            }) {
                return Some(Source::Found(leaf.path.clone()));
            }
            let in_url = |leaf: &Leaf| {
                as_text(&leaf.value).is_some_and(|t| split_url(&t).0.as_deref() == Some(&want))
            };
            or_derived(
                pick(leaves, &["url", "uri"], &in_url)
                    .map(|leaf| Source::FromUrl(leaf.path.clone()))
                    .or_else(|| found(&[], &same_host)),
            )
        }
        Column::Method | Column::Path => {
            let want = if column == Column::Method {
                obs.method.clone()?
            } else {
                obs.path.clone()?
            };
            let hints: &[&str] = if column == Column::Method {
                &["method", "verb"]
            } else {
                &["path", "uri"]
            };
            if let Some(source) = found(hints, &text_eq(&Some(want.clone()))?) {
                return Some(source);
            }
            let in_request_line = |leaf: &Leaf| {
                leaf.key == "request"
                    && as_text(&leaf.value).is_some_and(|line| {
                        line.split_whitespace()
                            .any(|part| part.eq_ignore_ascii_case(&want))
                    })
            };
            or_derived(
                pick(leaves, &[], &in_request_line)
                    .map(|leaf| Source::FromRequestLine(leaf.path.clone())),
            )
        }
        Column::Status => {
            let want = obs.status?;
            or_derived(found(&["status", "code"], &|leaf| {
                as_status(&leaf.value) == Some(want)
            }))
        }
        Column::Authorization => {
            let want = obs.bearer.clone()?;
            or_derived(found(&["authorization"], &|leaf| match &leaf.value {
                Value::String(text) => {
                    BearerToken::from_authorization(text).or_else(|| BearerToken::new(text))
                        == Some(want.clone())
                }
                _ => false,
            }))
        }
        Column::ErrorCode => {
            let want = obs.error_code.clone()?;
            or_derived(found(
                &["code", "error", "body", "message"],
                &|leaf| match &leaf.value {
                    Value::Number(n) => n.to_string() == want,
                    Value::String(text) => {
                        text.trim() == want
                            || (want.bytes().all(|b| b.is_ascii_digit())
                                && contains_number(text, &want))
                    }
                    _ => false,
                },
            ))
        }
        Column::IsMfaCompliant => {
            let want = obs.is_mfa_compliant?;
            or_derived(found(&[], &|leaf| {
                leaf.key == "ismfacompliant" && as_bool(&leaf.value) == Some(want)
            }))
        }
        Column::AppId => or_derived(found(&["appid", "applicationid"], &text_eq(&obs.app_id)?)),
        Column::AppName => or_derived(found(&["name"], &text_eq(&obs.app_name)?)),
        Column::TenantId => or_derived(found(&["tenant", "tid"], &text_eq(&obs.tenant_id)?)),
        Column::Principal => or_derived(found(
            &["upn", "principal", "user"],
            &text_eq(&obs.principal)?,
        )),
        Column::CorrelationId => or_derived(found(
            &["correlation", "operationid"],
            &text_eq(&obs.correlation_id)?,
        )),
        Column::RequestId => or_derived(found(&["requestid"], &text_eq(&obs.request_id)?)),
        Column::UserAgent => or_derived(found(&["useragent", "ua"], &text_eq(&obs.user_agent)?)),
        // Inputs of a mapping only: their effect shows in other columns.
        Column::RequestHeaders | Column::ResponseHeaders | Column::ResponseBody => None,
    }
}

/// The first leaf that matches, preferring one whose key holds a hint.
fn pick<'l>(
    leaves: &'l [Leaf],
    hints: &[&str],
    matches: &dyn Fn(&Leaf) -> bool,
) -> Option<&'l Leaf> {
    let hinted = |leaf: &&Leaf| hints.iter().any(|h| leaf.key.contains(h));
    leaves
        .iter()
        .filter(|leaf| matches(leaf))
        .find(hinted)
        .or_else(|| leaves.iter().find(|leaf| matches(leaf)))
}

/// Lists the leaves under `object`, depth first, in record order.
fn collect(object: &Map<String, Value>, path: &mut Vec<String>, out: &mut Vec<Leaf>) {
    for (key, value) in object {
        path.push(key.clone());
        visit(key, value, path, out);
        path.pop();
    }
}

fn visit(key: &str, value: &Value, path: &mut Vec<String>, out: &mut Vec<Leaf>) {
    if out.len() >= MAX_LEAVES {
        return;
    }
    match value {
        Value::Object(object) => collect(object, path, out),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                // `[{"name": "Authorization", "value": ..}]` reads as a map.
                let pair = item
                    .as_object()
                    .and_then(|o| Some((o.get("name")?.as_str()?, o.get("value")?)));
                match pair {
                    Some((name, value)) => {
                        path.push(name.to_string());
                        visit(name, value, path, out);
                    }
                    None => {
                        path.push(index.to_string());
                        visit(key, item, path, out);
                    }
                }
                path.pop();
            }
        }
        Value::Null => {}
        Value::String(text) => {
            let trimmed = text.trim();
            let nested = (trimmed.len() < MAX_NESTED_TEXT
                && (trimmed.starts_with('{') || trimmed.starts_with('[')))
            .then(|| serde_json::from_str::<Value>(trimmed).ok())
            .flatten();
            out.push(Leaf {
                path: render(path),
                key: normalize_key(key),
                value: value.clone(),
            });
            if let Some(nested) = nested {
                visit(key, &nested, path, out);
            }
        }
        leaf => out.push(Leaf {
            path: render(path),
            key: normalize_key(key),
            value: leaf.clone(),
        }),
    }
}

/// A path as `--field` takes it.
fn render(path: &[String]) -> String {
    FieldPath::from_segments(path.to_vec()).to_string()
}
