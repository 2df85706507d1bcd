//! Formats: recognise what a file is, and read each of its records into an
//! [`Observation`].
//!
//! A file's format is recognised from its first bytes ([`detect`]), or forced
//! with `--format`. The format says how the bytes are framed (one record per
//! line, the elements of one JSON document's record array, the rows of a
//! CSV file with a header row, lines grouped into multi-line records, or W3C
//! lines under their `#Fields:`) and how each record is read. JSON records
//! whose kind is not forced are recognised one by one by their shape, so a
//! stream mixing gateway lines and sign-in lines reads correctly.

mod access_log;
mod apim;
mod app_insights;
mod azure_access;
pub mod csv_record;
mod detect_text;
mod envoy;
mod examples;
pub mod field_map;
mod http_keys;
mod http_record;
#[cfg(test)]
mod http_record_oracle;
mod iis;
mod json_doc;
mod json_scan;
pub(crate) mod keys;
mod nginx;
mod not_a_log;
mod partner_requests;
mod sign_in;
mod text_log;
pub mod timestamp;
mod walk_path;

use serde_json::Value;

use crate::event::{Observation, RejectReason};
use crate::evidence::{token_request, SideFact};
use http_record::Streamed;

pub use examples::example_of;
pub use field_map::{Column, FieldMap, FieldMapError, FieldPath};
pub use http_record::MFA_ERROR_CODE;
pub use iis::{is_directive as is_w3c_directive, W3cFields};
pub use not_a_log::not_a_log;
pub use text_log::StartRule;

/// How a file's bytes are cut into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One record per line.
    Lines,
    /// The elements of the record array of one JSON document.
    Document,
    /// Lines grouped into multi-line records: a record starts at a line that
    /// opens one ([`StartRule`]), the lines after it continue it.
    LineGroups,
    /// W3C extended log lines, read with the `#Fields:` directive above them;
    /// directive lines are not records.
    W3c,
    /// The rows of a CSV file after its header row (quoted cells may hold newlines).
    Csv,
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
    /// Azure Front Door access log records (JSON).
    FrontDoor,
    /// Azure Application Gateway access log records (JSON).
    AppGateway,
    /// Envoy's default text access log line.
    Envoy,
    /// nginx / Apache access log line.
    Nginx,
    /// IIS W3C extended log line.
    Iis,
    /// Free-text application log record.
    TextLog,
    /// Azure API Management gateway logs.
    Apim,
    /// Application Insights dependencies (outgoing calls).
    AppDependency,
    /// Application Insights traces.
    AppTrace,
    /// Application Insights exceptions.
    AppException,
}

/// A file format: framing plus record kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub framing: Framing,
    pub records: RecordKind,
}

/// Where the record array may sit in a JSON document, in priority order.
pub const DOCUMENT_PATHS: &[&[&str]] = crate::input::json_array::DEFAULT_PATHS;
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
    FormatInfo {
        name: "front_door_json_lines",
        format: Format { framing: Framing::Lines, records: RecordKind::FrontDoor },
        recognised_by: "Azure Front Door access logs, one per line: category FrontDoorAccessLog (properties.requestUri, httpStatusCode, originUrl; AzureDiagnostics requestUri_s too)",
    },
    FormatInfo {
        name: "front_door_json_array",
        format: Format { framing: Framing::Document, records: RecordKind::FrontDoor },
        recognised_by: "Azure Front Door access logs in one JSON document ({\"records\":[...]} from storage, or a Log Analytics export)",
    },
    FormatInfo {
        name: "app_gateway_json_lines",
        format: Format { framing: Framing::Lines, records: RecordKind::AppGateway },
        recognised_by: "Azure Application Gateway access logs, one per line: category ApplicationGatewayAccessLog (properties.requestUri, host, httpStatus)",
    },
    FormatInfo {
        name: "app_gateway_json_array",
        format: Format { framing: Framing::Document, records: RecordKind::AppGateway },
        recognised_by: "Azure Application Gateway access logs in one JSON document ({\"records\":[...]} or a Log Analytics export)",
    },
    FormatInfo {
        name: "envoy_access",
        format: Format { framing: Framing::Lines, records: RecordKind::Envoy },
        recognised_by: "Envoy's default text access log (and Istio's): [START_TIME] \"METHOD PATH PROTOCOL\" CODE FLAGS ... \"AUTHORITY\" \"UPSTREAM_HOST\"",
    },
    FormatInfo {
        name: "nginx_access",
        format: Format { framing: Framing::Lines, records: RecordKind::Nginx },
        recognised_by: "nginx combined (and Apache common/combined): ADDR - USER [02/Jun/2026:08:15:03 +0000] \"REQUEST\" STATUS ...; a leading $host or added host/upstream fields name the target",
    },
    FormatInfo {
        name: "iis_w3c",
        format: Format { framing: Framing::W3c, records: RecordKind::Iis },
        recognised_by: "IIS / App Service W3C extended logs: #Software/#Version/#Date/#Fields directives, then space-separated values",
    },
    FormatInfo {
        name: "text_log",
        format: Format { framing: Framing::LineGroups, records: RecordKind::TextLog },
        recognised_by: "application text logs: lines opening with a timestamp or level; stack traces and JSON bodies on the lines after join the record",
    },
    FormatInfo {
        name: "gateway_csv",
        format: Format { framing: Framing::Csv, records: RecordKind::Http },
        recognised_by: "CSV with a header row naming known columns, one of them what was called (Url, Host, Path, ...; with Method, Status, TimeGenerated [UTC], ...); comma, semicolon or tab; each row read like a gateway record",
    },
    FormatInfo {
        name: "entra_signin_csv",
        format: Format { framing: Framing::Csv, records: RecordKind::SignIn },
        recognised_by: "Log Analytics SigninLogs (and the other sign-in tables) as CSV: AppId, ResourceIdentity, AuthenticationRequirement or ResultType or Status columns; Status and AuthenticationDetails hold JSON text",
    },
    FormatInfo {
        name: "apim_gateway_json_lines",
        format: Format { framing: Framing::Lines, records: RecordKind::Apim },
        recognised_by: "API Management diagnostic logs, one per line: category GatewayLogs, camelCase fields under properties (backendUrl, backendResponseCode, ...)",
    },
    FormatInfo {
        name: "apim_gateway_json_array",
        format: Format { framing: Framing::Document, records: RecordKind::Apim },
        recognised_by: "Log Analytics ApiManagementGatewayLogs as a JSON array (Type ApiManagementGatewayLogs; ApimSubscriptionId, or BackendUrl with BackendResponseCode)",
    },
    FormatInfo {
        name: "apim_gateway_csv",
        format: Format { framing: Framing::Csv, records: RecordKind::Apim },
        recognised_by: "Log Analytics ApiManagementGatewayLogs as CSV: an ApimSubscriptionId column, or BackendUrl with BackendResponseCode; dynamic columns hold JSON text",
    },
    FormatInfo {
        name: "appinsights_dependencies_json_lines",
        format: Format { framing: Framing::Lines, records: RecordKind::AppDependency },
        recognised_by: "Application Insights dependencies, one per line: target, data, resultCode (or Type AppDependencies / itemType dependency)",
    },
    FormatInfo {
        name: "appinsights_dependencies_json_array",
        format: Format { framing: Framing::Document, records: RecordKind::AppDependency },
        recognised_by: "Application Insights dependencies as a JSON array (AppDependencies or classic dependencies)",
    },
    FormatInfo {
        name: "appinsights_dependencies_csv",
        format: Format { framing: Framing::Csv, records: RecordKind::AppDependency },
        recognised_by: "AppDependencies / dependencies CSV export: Target, Data and ResultCode or DependencyType columns",
    },
    FormatInfo {
        name: "appinsights_traces_json_lines",
        format: Format { framing: Framing::Lines, records: RecordKind::AppTrace },
        recognised_by: "Application Insights traces, one per line: message, severityLevel, operation id (or Type AppTraces / itemType trace)",
    },
    FormatInfo {
        name: "appinsights_traces_json_array",
        format: Format { framing: Framing::Document, records: RecordKind::AppTrace },
        recognised_by: "Application Insights traces as a JSON array (AppTraces or classic traces)",
    },
    FormatInfo {
        name: "appinsights_traces_csv",
        format: Format { framing: Framing::Csv, records: RecordKind::AppTrace },
        recognised_by: "AppTraces / traces CSV export: Message, SeverityLevel and OperationId columns",
    },
    FormatInfo {
        name: "appinsights_exceptions_json_lines",
        format: Format { framing: Framing::Lines, records: RecordKind::AppException },
        recognised_by: "Application Insights exceptions, one per line: problemId or outerMessage, operation id (or Type AppExceptions / itemType exception)",
    },
    FormatInfo {
        name: "appinsights_exceptions_json_array",
        format: Format { framing: Framing::Document, records: RecordKind::AppException },
        recognised_by: "Application Insights exceptions as a JSON array (AppExceptions or classic exceptions)",
    },
    FormatInfo {
        name: "appinsights_exceptions_csv",
        format: Format { framing: Framing::Csv, records: RecordKind::AppException },
        recognised_by: "AppExceptions / exceptions CSV export: ProblemId, OuterMessage or ExceptionType, and OperationId columns",
    },
];

/// Looks a format up by name.
pub fn format_by_name(name: &str) -> Option<Format> {
    FORMATS.iter().find(|f| f.name == name).map(|f| f.format)
}

/// The `format` column for a record of `kind` read with `framing`.
pub fn format_label(framing: Framing, kind: RecordKind) -> &'static str {
    use Framing::{Csv, Document, LineGroups, Lines, W3c};
    use RecordKind::*;
    match (framing, kind) {
        (_, Har) => "har",
        (_, PartnerRequest) => "partner_requests",
        (_, Envoy) => "envoy_access",
        (_, Nginx) => "nginx_access",
        (_, Iis) => "iis_w3c",
        (_, TextLog) => "text_log",
        (Document, SignIn) => "entra_signin_json_array",
        (Csv, SignIn) => "entra_signin_csv",
        (_, SignIn) => "entra_signin_json_lines",
        (Document, FrontDoor) => "front_door_json_array",
        (_, FrontDoor) => "front_door_json_lines",
        (Document, AppGateway) => "app_gateway_json_array",
        (_, AppGateway) => "app_gateway_json_lines",
        (Lines, Apim) => "apim_gateway_json_lines",
        (Document, Apim) => "apim_gateway_json_array",
        (Csv, Apim) => "apim_gateway_csv",
        (Lines, AppDependency) => "appinsights_dependencies_json_lines",
        (Document, AppDependency) => "appinsights_dependencies_json_array",
        (Csv, AppDependency) => "appinsights_dependencies_csv",
        (Lines, AppTrace) => "appinsights_traces_json_lines",
        (Document, AppTrace) => "appinsights_traces_json_array",
        (Csv, AppTrace) => "appinsights_traces_csv",
        (Lines, AppException) => "appinsights_exceptions_json_lines",
        (Document, AppException) => "appinsights_exceptions_json_array",
        (Csv, AppException) => "appinsights_exceptions_csv",
        (Csv, _) => "gateway_csv",
        (Document, _) => "gateway_json_array",
        (Lines | LineGroups | W3c, _) => "gateway_json_lines",
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
    // Images, archives, documents, binaries.
    if let Some(what) = not_a_log(head) {
        return Detection::Unrecognised(what);
    }
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Detection::Unrecognised("empty");
    };
    let body = &head[start..];
    let document = Format {
        framing: Framing::Document,
        records: RecordKind::Auto,
    };
    if let Some(text) = detect_text::detect_text(body) {
        return Detection::Recognised(text);
    }
    match body[0] {
        b'[' => Detection::Recognised(document),
        b'{' => {
            // Only the first object's own keys count: a gateway line whose
            // logged response body holds `"items": [...]` is still a line.
            let top = scan_top_level(body);
            let has_key = |names: &[&str], opens: u8| {
                top.keys.iter().any(|(key, first)| {
                    *first == opens && names.iter().any(|n| n.as_bytes() == *key)
                })
            };
            let lines = Detection::Recognised(Format {
                framing: Framing::Lines,
                records: RecordKind::Auto,
            });
            if has_key(&["log"], b'{') && looks_like_har(body) {
                Detection::Recognised(Format {
                    framing: Framing::Document,
                    records: RecordKind::Har,
                })
            } else if has_key(&["records", "value", "items", "entries"], b'[') {
                Detection::Recognised(document)
            } else if top.complete {
                let first_line = match memchr::memchr(b'\n', body) {
                    Some(end) => &body[..end],
                    None => body,
                };
                if serde_json::from_slice::<serde::de::IgnoredAny>(first_line).is_ok() {
                    lines
                } else if later_line_is_record(body) {
                    // A broken first line (an export cut mid-record) in JSON lines.
                    lines
                } else {
                    // A pretty-printed document.
                    Detection::Recognised(document)
                }
            } else if memchr::memchr(b'\n', body).is_none() || later_line_is_record(body) {
                // The head ends inside a first line longer than the head, or
                // the first line is cut short but the next ones are records.
                lines
            } else {
                Detection::Recognised(document)
            }
        }
        _ if csv_record::looks_like_csv(body) => Detection::Recognised(Format {
            framing: Framing::Csv,
            records: RecordKind::Auto,
        }),
        _ => Detection::Unrecognised(NOT_A_LOG),
    }
}

/// Why text that is no format pcmfa knows is skipped.
pub const NOT_A_LOG: &str =
    "not a log format pcmfa recognises (text lines open with no timestamp or level; --format text_log reads them anyway)";

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

/// What a scan of the first top-level object of a head found.
struct TopLevel<'a> {
    /// Its keys, each with the first byte of its value.
    keys: Vec<(&'a [u8], u8)>,
    /// True when the object ends within the text.
    complete: bool,
}

/// Scans the object `text` starts with, as far as `text` goes, following
/// strings (and their escapes) and bracket depth without parsing.
fn scan_top_level(text: &[u8]) -> TopLevel<'_> {
    let skip_ws = |mut at: usize| {
        while text.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        at
    };
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(&byte) = text.get(at) {
        match byte {
            b'"' => {
                let start = at + 1;
                let mut end = start;
                loop {
                    match text.get(end) {
                        None => {
                            return TopLevel {
                                keys,
                                complete: false,
                            }
                        }
                        Some(b'\\') => end += 2,
                        Some(b'"') => break,
                        Some(_) => end += 1,
                    }
                }
                at = end + 1;
                if depth == 1 {
                    let colon = skip_ws(at);
                    if text.get(colon) == Some(&b':') {
                        let value = skip_ws(colon + 1);
                        if let (Some(key), Some(&first)) = (text.get(start..end), text.get(value)) {
                            keys.push((key, first));
                        }
                        at = value;
                    }
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return TopLevel {
                        keys,
                        complete: true,
                    };
                }
            }
            _ => {}
        }
        at += 1;
    }
    TopLevel {
        keys,
        complete: false,
    }
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
    /// A record that is not a Partner Center call but holds evidence about
    /// some (a token request), with its `format` label.
    SideEvidence(Option<SideFact>, &'static str),
    /// A record that cannot be read.
    Reject(RejectReason),
}

/// Reads one record (a line, an array element or a group of lines, without
/// its last newline).
///
/// HTTP records (gateway lines, HAR entries) are read while they are scanned,
/// with no tree of the record; a few are read as a [`json_doc::Doc`] instead
/// (see `Streamed`). A record that may be of another kind than
/// HTTP (it has a top-level key in [`SHAPE_KEYS`]) or is forced to be one is
/// read as a `serde_json::Value`.
pub fn parse_record(bytes: &[u8], format: Format) -> Parsed {
    parse_record_mapped(bytes, format, &FieldMap::EMPTY)
}

/// [`parse_record`], with the user's `--field` mapping applied to HTTP records.
pub fn parse_record_mapped(bytes: &[u8], format: Format, fields: &FieldMap) -> Parsed {
    if matches!(
        format.records,
        RecordKind::Envoy | RecordKind::Nginx | RecordKind::Iis | RecordKind::TextLog
    ) {
        return parse_text_record(bytes, format.records, W3cFields::iis_default());
    }
    if !fields.is_empty() {
        // A mapping reads its paths in a `Value`: the slower path, taken
        // only when the user maps fields.
        return match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(record)) => read_object(&record, format, fields),
            Ok(_) => Parsed::Reject(RejectReason::NotAnObject),
            Err(_) if std::str::from_utf8(bytes).is_err() => {
                Parsed::Reject(RejectReason::InvalidUtf8)
            }
            Err(_) => Parsed::Reject(RejectReason::InvalidJson),
        };
    }
    if matches!(
        format.records,
        RecordKind::Auto | RecordKind::Http | RecordKind::Har
    ) {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Parsed::Reject(RejectReason::InvalidUtf8);
        };
        let kind = match format.records {
            RecordKind::Auto => RecordKind::Http,
            kind => kind,
        };
        match http_record::read_http_text(text, format.records == RecordKind::Auto) {
            Ok(Streamed::Http(observation)) => {
                return http_event(bytes, observation, format_label(format.framing, kind))
            }
            Ok(Streamed::Shaped) => {
                return match serde_json::from_slice::<Value>(bytes) {
                    Ok(Value::Object(record)) => read_object(&record, format, &FieldMap::EMPTY),
                    _ => Parsed::Reject(RejectReason::InvalidJson),
                }
            }
            Ok(Streamed::NeedsDoc) => {}
            Err(_) => return Parsed::Reject(RejectReason::InvalidJson),
        }
    }
    let doc = match json_doc::Doc::parse(bytes) {
        Ok(doc) => doc,
        Err(_) if std::str::from_utf8(bytes).is_err() => {
            return Parsed::Reject(RejectReason::InvalidUtf8)
        }
        Err(_) => return Parsed::Reject(RejectReason::InvalidJson),
    };
    let root = doc.root();
    if !matches!(root, json_doc::Node::Object { .. }) {
        return Parsed::Reject(RejectReason::NotAnObject);
    }
    let may_be_other_kind = format.records == RecordKind::Auto && {
        let mut keys = http_keys::KeyInfos::borrow();
        let shaped = doc.entries(root).iter().any(|(key, _)| keys.of(key).shape);
        keys.give_back();
        shaped
    };
    match format.records {
        RecordKind::Auto if !may_be_other_kind => http_event(
            bytes,
            Box::new(http_record::read_http(&doc, root)),
            format_label(format.framing, RecordKind::Http),
        ),
        RecordKind::Http | RecordKind::Har => http_event(
            bytes,
            Box::new(http_record::read_http(&doc, root)),
            format_label(format.framing, format.records),
        ),
        _ => match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(record)) => read_object(&record, format, &FieldMap::EMPTY),
            // Read as a `Doc` above, so also as a `Value`.
            _ => Parsed::Reject(RejectReason::InvalidJson),
        },
    }
}

/// An HTTP record read on the fast path: a Partner Center call, or a token
/// request to Entra ID (evidence about an app, not a call), read again as a
/// `Value` for its body: token requests are few.
fn http_event(bytes: &[u8], observation: Box<Observation>, label: &'static str) -> Parsed {
    if token_request::targets_token_endpoint(&observation) {
        if let Ok(Value::Object(record)) = serde_json::from_slice::<Value>(bytes) {
            if let Some(request) = token_request::from_json_record(&record, &observation) {
                return Parsed::SideEvidence(Some(SideFact::TokenRequest(request)), label);
            }
        }
    }
    Parsed::Event(observation, label)
}

/// Every top-level key (normalised) that [`recognise`] looks at: a record
/// without any of them is an HTTP record, read from its `Doc` without a
/// `Value`. A recogniser that starts looking at another key adds it here
/// (`formats::tests::fast_path_reads_like_value_path` checks the fixtures).
const SHAPE_KEYS: &[&str] = &[
    // partner_requests::looks_like_report_item
    "mfacompliant",
    // apim::looks_like_apim (also inside `properties`)
    "category",
    "type",
    "properties",
    "apimsubscriptionid",
    "backendurl",
    // app_insights::table_of
    "itemtype",
    "target",
    "operationid",
    // sign_in::looks_like_sign_in ("category" too)
    "appid",
    // azure_access::access_log_kind: "category", above
];

/// Reads one record already held as a JSON object (a JSON record, a CSV row);
/// `fields` applies to HTTP records.
fn read_object(
    record: &serde_json::Map<String, Value>,
    format: Format,
    fields: &FieldMap,
) -> Parsed {
    let kind = match format.records {
        RecordKind::Auto => recognise(record),
        kind => kind,
    };
    let label = format_label(format.framing, kind);
    let observation = match kind {
        RecordKind::SignIn => sign_in::read_sign_in(record),
        RecordKind::PartnerRequest => partner_requests::read_report_item(record),
        RecordKind::Apim => apim::read_apim(record),
        RecordKind::AppDependency => {
            app_insights::read_app_insights(record, app_insights::Table::Dependencies)
        }
        RecordKind::AppTrace => {
            app_insights::read_app_insights(record, app_insights::Table::Traces)
        }
        RecordKind::AppException => {
            app_insights::read_app_insights(record, app_insights::Table::Exceptions)
        }
        _ => {
            let mut observation = http_record::read_http_object(record);
            fields.apply(record, &mut observation);
            // A token request is evidence about an app, not a Partner Center call.
            if let Some(request) = token_request::from_json_record(record, &observation) {
                return Parsed::SideEvidence(Some(SideFact::TokenRequest(request)), label);
            }
            observation
        }
    };
    Parsed::Event(Box::new(observation), label)
}

/// Reads one W3C line with the `#Fields:` in force above it.
pub fn parse_w3c_record(bytes: &[u8], fields: &W3cFields) -> Parsed {
    parse_text_record(bytes, RecordKind::Iis, fields)
}

/// Reads a record of a text format.
fn parse_text_record(bytes: &[u8], kind: RecordKind, fields: &W3cFields) -> Parsed {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Parsed::Reject(RejectReason::InvalidUtf8);
    };
    if text.contains('\0') {
        return Parsed::Reject(RejectReason::InvalidUtf8);
    }
    let line = text.trim_end_matches(['\r', '\n']);
    let observation = match kind {
        RecordKind::Envoy => envoy::read_envoy(line),
        RecordKind::Nginx => nginx::read_nginx(line),
        RecordKind::Iis => iis::read_w3c(line, fields),
        _ => Some(text_log::read_text_log(text)),
    };
    let label = format_label(Framing::Lines, kind);
    match observation {
        Some(observation) => match token_request::from_text_record(text, &observation) {
            Some(request) => Parsed::SideEvidence(Some(SideFact::TokenRequest(request)), label),
            None => Parsed::Event(Box::new(observation), label),
        },
        None => Parsed::Reject(RejectReason::MalformedLine),
    }
}

/// The kind of one record, by its shape.
fn recognise(record: &serde_json::Map<String, Value>) -> RecordKind {
    if partner_requests::looks_like_report_item(record) {
        RecordKind::PartnerRequest
    } else if apim::looks_like_apim(record) {
        RecordKind::Apim
    } else if let Some(table) = app_insights::table_of(record) {
        match table {
            app_insights::Table::Dependencies => RecordKind::AppDependency,
            app_insights::Table::Traces => RecordKind::AppTrace,
            app_insights::Table::Exceptions => RecordKind::AppException,
        }
    } else if sign_in::looks_like_sign_in(record) {
        RecordKind::SignIn
    } else if let Some(kind) = azure_access::access_log_kind(record) {
        kind
    } else {
        RecordKind::Http
    }
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests {
    use super::test_support::{AUTO_DOCUMENT, AUTO_LINES};
    use super::*;

    const LINES: Detection = Detection::Recognised(Format {
        framing: Framing::Lines,
        records: RecordKind::Auto,
    });
    const DOCUMENT: Detection = Detection::Recognised(Format {
        framing: Framing::Document,
        records: RecordKind::Auto,
    });
    const CSV: Detection = Detection::Recognised(Format {
        framing: Framing::Csv,
        records: RecordKind::Auto,
    });
    const HAR: Detection = Detection::Recognised(Format {
        framing: Framing::Document,
        records: RecordKind::Har,
    });

    /// `parse_record` as it was before the `Doc` fast path: everything through `Value`.
    fn through_value(bytes: &[u8], format: Format) -> Parsed {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(record)) => read_object(&record, format, &FieldMap::EMPTY),
            Ok(_) => Parsed::Reject(RejectReason::NotAnObject),
            Err(_) if std::str::from_utf8(bytes).is_err() => {
                Parsed::Reject(RejectReason::InvalidUtf8)
            }
            Err(_) => Parsed::Reject(RejectReason::InvalidJson),
        }
    }

    fn text_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                text_files(&path, out);
            } else if path.extension().is_some_and(|e| {
                ["json", "jsonl", "ndjson", "log", "txt"].contains(&e.to_str().unwrap_or(""))
            }) {
                out.push(path);
            }
        }
    }

    /// Every line of every fixture and sample log (all kinds: gateway, HAR,
    /// sign-in, report, APIM, Application Insights, broken ones) reads the
    /// same through the `Doc` fast path as through `Value`.
    #[test]
    fn fast_path_reads_like_value_path() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        text_files(&root.join("tests/fixtures"), &mut files);
        text_files(&root.join("sample-data/logs"), &mut files);
        assert!(files.len() > 10, "fixtures found: {files:?}");
        let mut lines = 0;
        for file in files {
            let bytes = std::fs::read(&file).expect("fixture");
            for line in bytes.split(|b| *b == b'\n') {
                let line = line.trim_ascii();
                if line.is_empty() {
                    continue;
                }
                lines += 1;
                for format in [AUTO_LINES, AUTO_DOCUMENT] {
                    let (fast, slow) = (parse_record(line, format), through_value(line, format));
                    let same = match (&fast, &slow) {
                        (Parsed::Event(a, la), Parsed::Event(b, lb)) => {
                            la == lb && format!("{a:?}") == format!("{b:?}") && a.bearer == b.bearer
                        }
                        (Parsed::Reject(a), Parsed::Reject(b)) => a == b,
                        (Parsed::SideEvidence(a, la), Parsed::SideEvidence(b, lb)) => {
                            a == b && la == lb
                        }
                        _ => false,
                    };
                    assert!(
                        same,
                        "{}: {}: {fast:?} / {slow:?}",
                        file.display(),
                        String::from_utf8_lossy(line)
                    );
                }
            }
        }
        assert!(lines > 100, "{lines} lines");
    }

    #[test]
    fn detect_recognises_framing() {
        let gateway = r#"{"@t":"2026-06-02T08:15:03.123Z","url":"https://api.partnercenter.microsoft.com/v1/customers","status":200}"#;
        let page = r#"{"totalCount":2,"items":[{"requestId":"a","operationName":"Get /v1/customers","mfaCompliant":false},{"requestId":"b","operationName":"Get /v1/invoices","mfaCompliant":true}],"attributes":{"objectType":"Collection"}}"#;
        let har = r#"{"log":{"version":"1.2","creator":{"name":"Fiddler","version":"5.0"},"entries":[{"startedDateTime":"2026-06-02T08:15:03.123Z","request":{"method":"GET","url":"https://api.partnercenter.microsoft.com/v1/customers","headers":[]},"response":{"status":200,"headers":[]}}]}}"#;
        // A gateway line that logged a Partner Center collection response as
        // an object: its nested `items` array is data, not the record array.
        let nested_items = r#"{"url":"https://api.partnercenter.microsoft.com/v1/customers","response":{"status":200,"body":{"totalCount":1,"items":[{"id":"x"}],"links":{},"attributes":{"objectType":"Collection"}}}}"#;
        let nested_har_like = r#"{"time":"2026-06-02T08:15:03Z","log":"proxy","msg":{"entries":[1],"version":2},"status":200}"#;
        let docker = r#"{"log":"GET /v1/customers 401\n","stream":"stdout","time":"2026-06-02T08:15:03.1Z"}"#;
        let long_line = format!(
            r#"{{"url":"https://api.partnercenter.microsoft.com/v1/customers","body":"{}"#,
            "x".repeat(70_000)
        );
        let cases: Vec<(&str, String, Detection)> = vec![
            ("json lines", format!("{gateway}\n{gateway}\n"), LINES),
            ("one json line, no newline", gateway.to_string(), LINES),
            ("json lines, CRLF", format!("{gateway}\r\n{gateway}\r\n"), LINES),
            ("json lines, nested items", format!("{nested_items}\n{gateway}\n"), LINES),
            ("json lines, nested log/entries", format!("{nested_har_like}\n"), LINES),
            ("docker json-file", format!("{docker}\n{docker}\n"), LINES),
            ("first line longer than the head", long_line[..65_536].to_string(), LINES),
            ("bare array", format!("[{gateway},{gateway}]"), DOCUMENT),
            ("bare array after blank lines", format!("\n\n  [\n  {gateway}\n]"), DOCUMENT),
            ("records", format!(r#"{{"records":[{gateway}]}}"#), DOCUMENT),
            ("value", format!(r#"{{"@odata.context":"x","value":[{gateway}]}}"#), DOCUMENT),
            ("value, spaced", format!(r#"{{ "value" : [ {gateway} ] }}"#), DOCUMENT),
            ("partnerRequests page", page.to_string(), DOCUMENT),
            ("partnerRequests page, then more", format!("{page}\n"), DOCUMENT),
            (
                "pretty-printed",
                "{\n  \"records\": [\n    {\n      \"time\": \"2026-06-02T08:15:03Z\"\n    }\n  ]\n}\n".to_string(),
                DOCUMENT,
            ),
            (
                "pretty-printed, array key past the head's first lines",
                format!("{{\n  \"totalCount\": 2,\n  \"items\": [\n    {gateway}"),
                DOCUMENT,
            ),
            ("HAR", har.to_string(), HAR),
            (
                "HAR, pretty-printed",
                "{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": {\"name\": \"WebInspector\", \"version\": \"537.36\"},\n    \"pages\": [],\n    \"entries\": [\n".to_string(),
                HAR,
            ),
            ("BOM + json lines", format!("\u{feff}{gateway}\n"), LINES),
            ("BOM + array", format!("\u{feff}[{gateway}]"), DOCUMENT),
            ("empty", String::new(), Detection::Unrecognised("empty")),
            ("blank", " \r\n\t\n".to_string(), Detection::Unrecognised("empty")),
            ("BOM only", "\u{feff}".to_string(), Detection::Unrecognised("empty")),
            (
                "binary",
                "{\"a\":1}\0\0\u{1}".to_string(),
                Detection::Unrecognised("binary content"),
            ),
            (
                "text log",
                "2026-06-02 08:15:03 GET https://api.partnercenter.microsoft.com/v1/customers 401\n".to_string(),
                Detection::Recognised(Format {
                    framing: Framing::LineGroups,
                    records: RecordKind::TextLog,
                }),
            ),
            (
                "prose",
                "Exported from the egress gateway on 2026-06-03.\n".to_string(),
                Detection::Unrecognised(NOT_A_LOG),
            ),
            ("csv", "TimeGenerated [UTC],Target,ResultCode\n".to_string(), CSV),
            (
                "csv, BOM, semicolons, quoted header",
                "\u{feff}\"Url\";\"Status Code\";\"Authorization\"\r\nhttps://x;200;\r\n".to_string(),
                CSV,
            ),
            (
                "text with commas: a text log, not CSV",
                "2026-06-02 08:15:03, GET https://api.partnercenter.microsoft.com/v1/customers, 401\n".to_string(),
                Detection::Recognised(Format {
                    framing: Framing::LineGroups,
                    records: RecordKind::TextLog,
                }),
            ),
            (
                "one known column",
                "Url\nhttps://api.partnercenter.microsoft.com/v1/customers\n".to_string(),
                Detection::Unrecognised(NOT_A_LOG),
            ),
            (
                "prose",
                "Name, date and time of the export\n".to_string(),
                Detection::Unrecognised(NOT_A_LOG),
            ),
        ];
        for (name, head, want) in cases {
            assert_eq!(detect(head.as_bytes()), want, "{name}");
        }
        // UTF-16 (NULs) is binary to pcmfa.
        let utf16: Vec<u8> = "{\"a\":1}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(detect(&utf16), Detection::Unrecognised("binary content"));
    }

    #[test]
    fn parse_record_rejects_what_is_not_a_record() {
        let cases: &[(&[u8], RejectReason)] = &[
            (b"{\"url\":", RejectReason::InvalidJson),
            (b"GET /v1/customers 401", RejectReason::InvalidJson),
            (b"\xff\xfe{}", RejectReason::InvalidUtf8),
            (b"[1,2]", RejectReason::NotAnObject),
            (b"\"text\"", RejectReason::NotAnObject),
            (b"null", RejectReason::NotAnObject),
        ];
        for (bytes, want) in cases {
            match parse_record(bytes, AUTO_LINES) {
                Parsed::Reject(reason) => assert_eq!(reason, *want, "{bytes:?}"),
                Parsed::Event(..) | Parsed::SideEvidence(..) => panic!("accepted {bytes:?}"),
            }
        }
    }

    #[test]
    fn parse_record_recognises_kind_and_labels_format() {
        let gateway =
            r#"{"url":"https://api.partnercenter.microsoft.com/v1/customers","status":401}"#;
        let sign_in = r#"{"time":"2026-06-02T08:15:03Z","category":"SignInLogs","properties":{"appId":"a","resourceId":"fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"}}"#;
        let portal = r#"{"createdDateTime":"2026-06-02T08:15:03Z","appId":"a","resourceId":"fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd","status":{"errorCode":0}}"#;
        let report = r#"{"requestId":"r","operationName":"Get /v1/customers","mfaCompliant":true}"#;
        let har_entry = r#"{"startedDateTime":"2026-06-02T08:15:03Z","request":{"method":"GET","url":"https://api.partnercenter.microsoft.com/v1/customers"},"response":{"status":200}}"#;
        let forced = |records| Format {
            framing: Framing::Document,
            records,
        };
        let cases: &[(&str, Format, &str, bool)] = &[
            (gateway, AUTO_LINES, "gateway_json_lines", false),
            (gateway, AUTO_DOCUMENT, "gateway_json_array", false),
            (sign_in, AUTO_LINES, "entra_signin_json_lines", true),
            (portal, AUTO_DOCUMENT, "entra_signin_json_array", true),
            (report, AUTO_DOCUMENT, "partner_requests", false),
            (har_entry, forced(RecordKind::Har), "har", false),
            // A forced kind is not second-guessed.
            (
                sign_in,
                forced(RecordKind::Http),
                "gateway_json_array",
                false,
            ),
        ];
        for &(record, format, label, is_sign_in) in cases {
            match parse_record(record.as_bytes(), format) {
                Parsed::Event(obs, got) => {
                    assert_eq!(got, label, "{record}");
                    assert_eq!(obs.sign_in.is_some(), is_sign_in, "{record}");
                    assert_eq!(
                        obs.from_partner_center_report,
                        label == "partner_requests",
                        "{record}"
                    );
                }
                Parsed::SideEvidence(..) => panic!("{record}: read as side evidence"),
                Parsed::Reject(reason) => panic!("{record}: {reason:?}"),
            }
        }
    }

    #[test]
    fn format_names_round_trip() {
        for info in FORMATS {
            assert_eq!(format_by_name(info.name), Some(info.format));
            let kind = match info.format.records {
                RecordKind::Auto => RecordKind::Http,
                kind => kind,
            };
            assert_eq!(format_label(info.format.framing, kind), info.name);
        }
        assert_eq!(format_by_name("csv"), None);
    }
}
