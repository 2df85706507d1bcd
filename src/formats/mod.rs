//! Formats: recognise what a file is, and read each of its records into an
//! [`Observation`].
//!
//! A file's format is recognised from its first bytes ([`detect`]), or forced
//! with `--format`. The format says how the bytes are framed (one record per
//! line, or the elements of one JSON document's record array) and how each
//! record is read. JSON records whose kind is not forced are recognised one
//! by one by their shape, so a stream mixing gateway lines and sign-in lines
//! reads correctly.

mod http_record;
mod keys;
mod partner_requests;
mod sign_in;
pub mod timestamp;

use serde_json::Value;

use crate::event::{Observation, RejectReason};

pub use http_record::MFA_ERROR_CODE;

/// How a file's bytes are cut into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One record per line.
    Lines,
    /// The elements of the record array of one JSON document.
    Document,
}

/// How each record is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// Recognised per record by its shape.
    Auto,
    Http,
    Har,
    SignIn,
    PartnerRequest,
}

/// A file format: framing plus record kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub framing: Framing,
    pub records: RecordKind,
}

/// Where the record array may sit in a JSON document, in priority order.
pub const DOCUMENT_PATHS: &[&[&str]] = &[
    &[],
    &["records"],
    &["value"],
    &["items"],
    &["entries"],
    &["log", "entries"],
];
/// Where HAR keeps its entries.
pub const HAR_PATHS: &[&[&str]] = &[&["log", "entries"]];

/// A named format, as `--format` and `pcmfa formats` know it.
pub struct FormatInfo {
    pub name: &'static str,
    pub format: Format,
    pub recognised_by: &'static str,
}

/// Every format, by the name that also fills the `format` column.
pub const FORMATS: &[FormatInfo] = &[
    FormatInfo {
        name: "gateway_json_lines",
        format: Format { framing: Framing::Lines, records: RecordKind::Http },
        recognised_by: "one JSON object per line; fields found by name at any depth (url, host, upstream.host, request.headers.Authorization, response.status, @t, ...)",
    },
    FormatInfo {
        name: "gateway_json_array",
        format: Format { framing: Framing::Document, records: RecordKind::Http },
        recognised_by: "one JSON document: an array of gateway records, bare or under records/value/items/entries",
    },
    FormatInfo {
        name: "har",
        format: Format { framing: Framing::Document, records: RecordKind::Har },
        recognised_by: "a JSON document with log.entries (HAR 1.2 from a browser or Fiddler)",
    },
    FormatInfo {
        name: "partner_requests",
        format: Format { framing: Framing::Document, records: RecordKind::PartnerRequest },
        recognised_by: "Partner Center partnerRequests pages: items[] with operationName and mfaCompliant",
    },
    FormatInfo {
        name: "entra_signin_json_lines",
        format: Format { framing: Framing::Lines, records: RecordKind::SignIn },
        recognised_by: "Entra ID sign-in records, one per line (category SignInLogs, NonInteractiveUserSignInLogs, ServicePrincipalSignInLogs, ...)",
    },
    FormatInfo {
        name: "entra_signin_json_array",
        format: Format { framing: Framing::Document, records: RecordKind::SignIn },
        recognised_by: "the Entra portal's sign-in JSON download: an array of sign-in records",
    },
];

/// Looks a format up by name.
pub fn format_by_name(name: &str) -> Option<Format> {
    FORMATS.iter().find(|f| f.name == name).map(|f| f.format)
}

/// The `format` column for a record of `kind` read with `framing`.
pub fn format_label(framing: Framing, kind: RecordKind) -> &'static str {
    match (framing, kind) {
        (_, RecordKind::Har) => "har",
        (_, RecordKind::PartnerRequest) => "partner_requests",
        (Framing::Lines, RecordKind::SignIn) => "entra_signin_json_lines",
        (Framing::Document, RecordKind::SignIn) => "entra_signin_json_array",
        (Framing::Lines, _) => "gateway_json_lines",
        (Framing::Document, _) => "gateway_json_array",
    }
}

/// What the first bytes of a file say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detection {
    Recognised(Format),
    /// Not a format pcmfa reads (binary, text, other JSON); the reason.
    Unrecognised(&'static str),
}

/// Recognises a file from its first bytes (after decompression).
pub fn detect(head: &[u8]) -> Detection {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Detection::Unrecognised("UTF-16 text: convert it to UTF-8 first");
    }
    if head.is_empty() {
        return Detection::Unrecognised("empty");
    }
    // NUL bytes in the first line mean binary (an image, an archive); one bad
    // line further down is a reject, not a reason to skip the file.
    let first_line = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len()).min(8192)];
    if first_line.contains(&0) {
        return Detection::Unrecognised("binary content");
    }
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Detection::Unrecognised("empty");
    };
    let body = &head[start..];
    let document = Format {
        framing: Framing::Document,
        records: RecordKind::Auto,
    };
    match body[0] {
        b'[' => Detection::Recognised(document),
        b'{' => {
            let first_line = match memchr::memchr(b'\n', body) {
                Some(end) => &body[..end],
                None => body,
            };
            let line_is_record =
                serde_json::from_slice::<serde::de::IgnoredAny>(first_line).is_ok();
            if line_is_record && !has_record_array_key(first_line) {
                return Detection::Recognised(Format {
                    framing: Framing::Lines,
                    records: RecordKind::Auto,
                });
            }
            if looks_like_har(body) {
                Detection::Recognised(Format {
                    framing: Framing::Document,
                    records: RecordKind::Har,
                })
            } else if has_record_array_key(body) {
                Detection::Recognised(document)
            } else if line_is_record || later_line_is_record(body) {
                // JSON lines whose first line is cut or broken (an export that
                // starts mid-record) are still JSON lines.
                Detection::Recognised(Format {
                    framing: Framing::Lines,
                    records: RecordKind::Auto,
                })
            } else {
                Detection::Recognised(document)
            }
        }
        _ => Detection::Unrecognised("not JSON (text formats are not read yet)"),
    }
}

/// One of the next few complete lines is a JSON object on its own.
fn later_line_is_record(body: &[u8]) -> bool {
    let pieces: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
    // Skip the first line; the last piece may be cut by the end of the head.
    let complete = pieces.get(1..pieces.len().saturating_sub(1)).unwrap_or(&[]);
    complete.iter().take(10).any(|line| {
        let line = line.trim_ascii();
        line.starts_with(b"{") && serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok()
    })
}

/// A top-level-looking `"records": [` (or value/items/entries) in the text.
fn has_record_array_key(text: &[u8]) -> bool {
    ["\"records\"", "\"value\"", "\"items\"", "\"entries\""]
        .iter()
        .any(|key| {
            memchr::memmem::find_iter(text, key.as_bytes()).any(|at| {
                let rest = &text[at + key.len()..];
                let rest = rest.iter().skip_while(|b| b.is_ascii_whitespace());
                let mut rest = rest
                    .skip_while(|b| **b == b':')
                    .skip_while(|b| b.is_ascii_whitespace());
                rest.next() == Some(&b'[')
            })
        })
}

fn looks_like_har(text: &[u8]) -> bool {
    let has = |needle: &str| memchr::memmem::find(text, needle.as_bytes()).is_some();
    has("\"log\"")
        && (has("\"entries\"") || has("\"creator\""))
        && (has("\"version\"") || has("\"creator\""))
}

/// The outcome of reading one record.
#[derive(Debug)]
pub enum Parsed {
    /// An event worth classifying, with its `format` label.
    Event(Box<Observation>, &'static str),
    /// A record that cannot be read.
    Reject(RejectReason),
}

/// Reads one record (a line or an array element, without its newline).
pub fn parse_record(bytes: &[u8], format: Format) -> Parsed {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(_) if std::str::from_utf8(bytes).is_err() => {
            return Parsed::Reject(RejectReason::InvalidUtf8)
        }
        Err(_) => return Parsed::Reject(RejectReason::InvalidJson),
    };
    let Value::Object(record) = value else {
        return Parsed::Reject(RejectReason::NotAnObject);
    };
    let kind = match format.records {
        RecordKind::Auto if partner_requests::looks_like_report_item(&record) => {
            RecordKind::PartnerRequest
        }
        RecordKind::Auto if sign_in::looks_like_sign_in(&record) => RecordKind::SignIn,
        RecordKind::Auto => RecordKind::Http,
        kind => kind,
    };
    let observation = match kind {
        RecordKind::SignIn => sign_in::read_sign_in(&record),
        RecordKind::PartnerRequest => partner_requests::read_report_item(&record),
        _ => http_record::read_http(&record),
    };
    Parsed::Event(Box::new(observation), format_label(format.framing, kind))
}
