//! HTTP records with no fixed schema: gateway and proxy JSON, HAR entries.
//!
//! Nobody standardises gateway log schemas, so fields are found by name at
//! any depth (`url`, `request_uri`, `upstream.host`,
//! `request.headers.Authorization`, `response.status`, `@t`, ...), with names
//! compared case- and separator-insensitively. Header lists in HAR form
//! (`[{"name": .., "value": ..}]`) read like objects, and JSON held as text
//! (a body, a headers column) is read as JSON. When several fields could give
//! a value, the best-known name wins, then the shallower one, then the first
//! (in serde_json `Map` order: keys sorted).
//!
//! A JSON record is read while it is scanned ([`stream`]: no tree of the
//! record, keys normalised on the stack); one held as a `serde_json` object,
//! or one the stream hands back (a repeated key), is read as a [`Doc`]. Both
//! walks give the same answers: the `Doc` walk is the reference the stream is
//! tested against.

use super::http_keys::{Field, KeyInfo, KeyInfos, Side};
use super::json_doc::{Doc, Node};
use super::keys::{contains_ignore_case, contains_number};
use super::timestamp::{from_epoch_number, parse_timestamp};
use super::walk_path::{Best, Place};
use crate::classify::hosts::{is_partner_center_host, normalize_host_owned, UrlParts};
use crate::event::Observation;
use crate::token::BearerToken;

/// The Partner Center error code for "MFA claim missing".
pub const MFA_ERROR_CODE: &str = "900421";

/// JSON nested as text is read only below this size.
pub(super) const MAX_NESTED_TEXT: usize = 1 << 20;

#[derive(Default)]
struct Finder<'t> {
    /// Field names already classified on this thread.
    keys: KeyInfos,
    /// The record's text, which [`Place`]s point into.
    text: &'t str,
    /// Where the walk is (kept by a walk that meets keys as written, to
    /// choose between candidates as a sorted walk would; a sorted walk leaves
    /// it at the top, so the first candidate met wins).
    place: Place,
    method: Best<String>,
    url: Best<String>,
    path: Best<String>,
    user_agent: Best<String>,
    correlation: Best<String>,
    request_id: Best<String>,
    status: Best<u16>,
    time: Best<i64>,
    /// Host candidates: (rank, depth, place, host).
    hosts: Vec<(u8, u16, Place, String)>,
    bearer: Best<BearerToken>,
    /// 900421 was found (it wins over any other code).
    mfa_error: bool,
    /// Otherwise the first error code found.
    error_code: Best<String>,
    legacy_mfa_required: bool,
    is_mfa_compliant: Best<bool>,
    request_line: Best<(String, String)>,
    /// Read by [`stream`]: JSON held as text is streamed too.
    streaming: bool,
    /// The record must be read as a `Doc` after all (JSON held as text that
    /// a stream could not read as a `Doc` walk would).
    needs_doc: bool,
}

/// Reads one HTTP record (a gateway log line or a HAR entry): `object` of `doc`.
pub fn read_http(doc: &Doc<'_>, object: &Node<'_>) -> Observation {
    let mut finder = Finder {
        keys: KeyInfos::borrow(),
        ..Finder::default()
    };
    finder.walk_object(doc, object, 0, Side::Either);
    finder.finish()
}

/// Reads an HTTP record held as a `serde_json` object (a CSV row, a record
/// first read as a `Value` to recognise its kind), re-read as a `Doc`: objects
/// iterate in the same (sorted) order, so it reads exactly alike.
pub fn read_http_object(record: &serde_json::Map<String, serde_json::Value>) -> Observation {
    let text = serde_json::to_vec(record).unwrap_or_default();
    let observation = match Doc::parse(&text) {
        Ok(doc) => read_http(&doc, doc.root()),
        Err(_) => Observation::default(),
    };
    observation
}

impl Finder<'_> {
    fn walk_object(&mut self, doc: &Doc<'_>, object: &Node<'_>, depth: u16, side: Side) {
        for (key, value) in doc.entries(object) {
            self.visit(doc, key, value, depth, side);
        }
    }

    fn visit(&mut self, doc: &Doc<'_>, raw_key: &str, value: &Node<'_>, depth: u16, side: Side) {
        let key = self.keys.of(raw_key);
        let inner = key.side.unwrap_or(side);
        match value {
            Node::Object { .. } => self.walk_object(doc, value, depth + 1, inner),
            Node::Array { .. } => {
                for item in doc.items(value) {
                    match item {
                        Node::Object { .. } => {
                            // `[{"name": "Authorization", "value": "Bearer ..."}]`
                            self.array_object(doc, item, depth, inner)
                        }
                        // Go-style headers (`{"Authorization": ["Bearer ..."]}`, Caddy).
                        Node::Str(_) | Node::Number(_) | Node::Bool(_) => {
                            self.leaf(&key, item, depth, inner)
                        }
                        _ => {}
                    }
                }
            }
            Node::Null => {}
            leaf => self.leaf(&key, leaf, depth, inner),
        }
    }

    /// An object in an array: a header in HAR form, or any other object.
    fn array_object(&mut self, doc: &Doc<'_>, item: &Node<'_>, depth: u16, side: Side) {
        match (doc.get(item, "name"), doc.get(item, "value")) {
            (Some(Node::Str(name)), Some(v)) => self.visit(doc, name, v, depth + 1, side),
            _ => self.walk_object(doc, item, depth + 1, side),
        }
    }

    fn leaf(&mut self, key: &KeyInfo, value: &Node<'_>, depth: u16, side: Side) {
        if key.is_inert() {
            return;
        }
        if key.authorization {
            if let Some(token) = value.as_str().and_then(BearerToken::from_authorization) {
                self.bearer.offer(0, 0, &self.place, self.text, token);
            }
            // Never read an Authorization value as anything else.
            return;
        }
        if key.mfa_compliant {
            if let Some(b) = value.as_bool_text() {
                self.is_mfa_compliant.offer(0, 0, &self.place, self.text, b);
            }
            return;
        }
        if key.headers {
            // A headers column kept as JSON text (APIM, Log Analytics exports).
            if let Node::Str(text) = value {
                self.nested_text(text, depth, side);
            }
        }
        if side != Side::Request {
            self.error_signals(key, value, depth, side);
        }
        if key.request {
            if let Some(request) = value.as_str().and_then(parse_request_line) {
                self.request_line
                    .offer(0, 0, &self.place, self.text, request);
            }
            return;
        }
        let Some((field, rank)) = key.field else {
            return;
        };
        match field {
            Field::Status => {
                if side != Side::Request {
                    if let Some(status) = value.as_status() {
                        self.status
                            .offer(rank, depth, &self.place, self.text, status);
                    }
                }
            }
            Field::Time => {
                let micros = match value {
                    Node::Str(s) => parse_timestamp(s),
                    Node::Number(n) => n.as_f64().and_then(from_epoch_number),
                    _ => None,
                };
                if let Some(micros) = micros {
                    self.time.offer(rank, depth, &self.place, self.text, micros);
                }
            }
            Field::Host => {
                if let Some(text) = value.as_text() {
                    self.hosts.push((rank, depth, self.place, text));
                }
            }
            Field::Url => {
                if let Some(text) = value.as_text() {
                    // `split_url`'s host, without copying out the path.
                    if let Some(host) = UrlParts::parse(&text).host() {
                        self.hosts
                            .push((rank, depth, self.place, host.to_ascii_lowercase()));
                    }
                    self.url.offer(rank, depth, &self.place, self.text, text);
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
                if let Some(text) = value.as_text() {
                    slot.offer(rank, depth, &self.place, self.text, text);
                }
            }
        }
    }

    /// Looks for Partner Center error signals in bodies, codes and headers.
    fn error_signals(&mut self, key: &KeyInfo, value: &Node<'_>, depth: u16, side: Side) {
        let is_code_key = key.code;
        match value {
            Node::Number(n) if is_code_key => self.note_code(&n.to_string()),
            Node::Str(text) => {
                if is_code_key {
                    self.note_code(text.trim());
                }
                if !key.bodyish {
                    return;
                }
                if contains_number(text, MFA_ERROR_CODE) {
                    self.mfa_error = true;
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
            if self.streaming {
                self.stream_nested(trimmed, depth + 1, side);
            } else if let Ok(nested) = Doc::parse_str(trimmed) {
                self.visit_nested(&nested, depth + 1, side);
            }
        }
    }

    /// JSON that a log kept as text (a body, a headers column).
    fn visit_nested(&mut self, doc: &Doc<'_>, depth: u16, side: Side) {
        let root = doc.root();
        match root {
            Node::Object { .. } => self.walk_object(doc, root, depth, side),
            Node::Array { .. } => self.visit(doc, "", root, depth, side),
            _ => {}
        }
    }

    fn note_code(&mut self, code: &str) {
        if code.is_empty() || code.len() > 32 {
            return;
        }
        // 900421 wins over any other code; otherwise the first code stays.
        if code == MFA_ERROR_CODE {
            self.mfa_error = true;
        } else {
            self.error_code
                .offer(0, 0, &self.place, self.text, code.to_string());
        }
    }

    fn finish(self) -> Observation {
        self.finish_in_order().0
    }

    /// The observation, and whether two of its candidates could not be
    /// ordered as a sorted walk meets them.
    fn finish_in_order(self) -> (Observation, bool) {
        self.keys.give_back();
        let mut unordered = self.needs_doc
            || self.method.unordered
            || self.url.unordered
            || self.path.unordered
            || self.user_agent.unordered
            || self.correlation.unordered
            || self.request_id.unordered
            || self.status.unordered
            || self.time.unordered
            || self.bearer.unordered
            || self.error_code.unordered
            || self.is_mfa_compliant.unordered
            || self.request_line.unordered;
        let url = self.url.take();
        let mut method = self.method.take();
        let mut path = self.path.take();
        if let Some((m, p)) = self.request_line.take() {
            method.get_or_insert(m);
            path.get_or_insert(p);
        }
        // The Partner Center host wins; otherwise the best-known name.
        let mut hosts = self.hosts;
        if hosts.len() > 1 {
            let text = self.text;
            hosts.sort_by(|(r, d, p, _), (s, e, q, _)| {
                (r, d).cmp(&(s, e)).then_with(|| {
                    p.order(q, text).unwrap_or_else(|| {
                        unordered = true;
                        std::cmp::Ordering::Equal
                    })
                })
            });
        }
        // One host (the usual case) is chosen whatever it names.
        let chosen = match hosts.len() {
            0 => None,
            1 => Some(0),
            _ => hosts
                .iter()
                .position(|(_, _, _, h)| is_partner_center_host(h))
                .or(Some(0)),
        };
        let host = chosen.and_then(|i| normalize_host_owned(hosts.swap_remove(i).3));
        let status = self.status.take();
        let observation = Observation {
            time: self.time.take(),
            url,
            host,
            method,
            path,
            status,
            bearer: self.bearer.take(),
            // A code in a successful response is data, not an error.
            error_code: if self.mfa_error {
                Some(MFA_ERROR_CODE.to_string())
            } else {
                self.error_code.take()
            }
            .filter(|_| status.is_none_or(|s| s >= 400)),
            is_mfa_compliant: self.is_mfa_compliant.take(),
            legacy_mfa_required: self.legacy_mfa_required && matches!(status, Some(401 | 403)),
            correlation_id: self.correlation.take().map(|mut c| {
                c.make_ascii_lowercase();
                c
            }),
            request_id: self.request_id.take(),
            user_agent: self.user_agent.take(),
            ..Observation::default()
        };
        (observation, unordered)
    }
}

/// `GET /v1/customers HTTP/1.1` (nginx `$request`) -> (method, path).
pub(super) fn parse_request_line(line: &str) -> Option<(String, String)> {
    let mut parts = line.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    if !method.bytes().all(|b| b.is_ascii_alphabetic()) || method.len() > 10 {
        return None;
    }
    Some((method.to_ascii_uppercase(), target.to_string()))
}

#[path = "http_stream.rs"]
mod stream;
pub(super) use stream::{read_http_text, Streamed};

#[cfg(test)]
#[path = "http_record_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "http_record_differential.rs"]
mod differential;
