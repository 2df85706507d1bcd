//! IIS (and Azure App Service) W3C extended logs.
//!
//! A file starts with directives: `#Software:`, `#Version:`, `#Date:` and
//! `#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port
//! cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus
//! sc-win32-status time-taken`; each later line holds one value per field,
//! separated by spaces, `-` when empty and `+` for a space inside a value (a
//! user agent). IIS writes a new directive block when it restarts, and the
//! field list may change there, so each line is read with the `#Fields:` in
//! force above it (lines before any `#Fields:` use IIS's default list).
//! Directive lines are headers, not records.
//!
//! Each line becomes a JSON-like record read by the gateway machinery, so
//! custom header fields read like headers anywhere else: `cs(Authorization)`
//! gives the bearer token, `sc(MS-CorrelationId)` the correlation id.
//! `cs-uri-query`, `cs(Cookie)` and `cs(Referer)` are never read. As a
//! reverse proxy (ARR) IIS names Partner Center in `cs-host`; without a host
//! a line is `other`.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::access_log::read_json_record;
use crate::event::Observation;

/// The `#Fields:` IIS writes by default.
pub const DEFAULT_FIELDS: &str = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";

/// The field names in force for the lines below a `#Fields:` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct W3cFields {
    names: Vec<String>,
}

impl W3cFields {
    /// IIS's default fields, for lines before any `#Fields:`.
    pub fn iis_default() -> &'static W3cFields {
        static DEFAULT: std::sync::LazyLock<W3cFields> =
            std::sync::LazyLock::new(|| W3cFields::parse(DEFAULT_FIELDS));
        &DEFAULT
    }

    /// Reads the names after `#Fields:`.
    pub fn parse(list: &str) -> W3cFields {
        W3cFields {
            names: list.split_ascii_whitespace().map(str::to_string).collect(),
        }
    }

    /// The fields a directive line sets, if it is a `#Fields:` line.
    pub fn from_directive(line: &[u8]) -> Option<Arc<W3cFields>> {
        let rest = line.strip_prefix(b"#Fields:")?;
        let text = std::str::from_utf8(rest).ok()?;
        Some(Arc::new(W3cFields::parse(text)))
    }

    /// The last `#Fields:` directive among the lines of `data`.
    pub fn last_in(data: &[u8]) -> Option<Arc<W3cFields>> {
        let finder = memchr::memmem::FinderRev::new(b"#Fields:");
        let mut end = data.len();
        while let Some(at) = finder.rfind(&data[..end]) {
            if at == 0 || data[at - 1] == b'\n' {
                let line_end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
                let line = &data[at..line_end];
                return W3cFields::from_directive(line.strip_suffix(b"\r").unwrap_or(line));
            }
            end = at;
        }
        None
    }
}

/// True for a W3C directive line (`#Software:`, `#Fields:`, ...).
pub fn is_directive(line: &[u8]) -> bool {
    line.first() == Some(&b'#')
}

/// True when the head of a file is a W3C extended log: it opens with a
/// directive and names its fields.
pub fn looks_like_w3c(head: &str) -> bool {
    let first = head.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    ["#Software:", "#Version:", "#Date:", "#Fields:", "#Remark:"]
        .iter()
        .any(|d| first.starts_with(d))
        && head.lines().any(|l| l.starts_with("#Fields:"))
}

/// Reads one W3C line with the fields in force; `None` when the number of
/// values does not match the fields.
pub fn read_w3c(line: &str, fields: &W3cFields) -> Option<Observation> {
    let values: Vec<&str> = line.split_ascii_whitespace().collect();
    if values.len() != fields.names.len() {
        return None;
    }
    let mut record = Map::new();
    let mut request_headers = Map::new();
    let mut response_headers = Map::new();
    let (mut date, mut time) = (None, None);
    for (name, value) in fields.names.iter().zip(values) {
        if value == "-" {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "date" => date = Some(value),
            "time" => time = Some(value),
            // Query strings and cookies may hold secrets; referers are not targets.
            "cs-uri-query" | "cs(cookie)" | "cs(referer)" | "cs-username" => {}
            "cs-method" | "cs-uri-stem" | "cs-host" | "sc-status" => {
                record.insert(lower, Value::String(value.to_string()));
            }
            "cs(user-agent)" => {
                record.insert("user_agent".into(), Value::String(value.replace('+', " ")));
            }
            _ => {
                let header = |prefix: &str| {
                    lower
                        .strip_prefix(prefix)
                        .and_then(|rest| rest.strip_suffix(')'))
                        .map(|_| name[prefix.len()..name.len() - 1].to_string())
                };
                if let Some(header) = header("cs(").or_else(|| header("sr(")) {
                    request_headers.insert(header, Value::String(header_value(value)));
                } else if let Some(header) = header("sc(").or_else(|| header("rs(")) {
                    response_headers.insert(header, Value::String(header_value(value)));
                }
            }
        }
    }
    match (date, time) {
        (Some(date), Some(time)) => {
            record.insert("timestamp".into(), Value::String(format!("{date} {time}")));
        }
        (None, Some(time)) if time.contains('-') => {
            record.insert("timestamp".into(), Value::String(time.to_string()));
        }
        _ => {}
    }
    if !request_headers.is_empty() {
        record.insert(
            "request".into(),
            Value::Object(Map::from_iter([(
                "headers".into(),
                Value::Object(request_headers),
            )])),
        );
    }
    if !response_headers.is_empty() {
        record.insert(
            "response".into(),
            Value::Object(Map::from_iter([(
                "headers".into(),
                Value::Object(response_headers),
            )])),
        );
    }
    read_json_record(&Value::Object(record).to_string())
}

/// A header value as IIS writes it, `+` standing for a space. A bearer
/// token's own characters are left alone: only the space after the scheme
/// is restored.
fn header_value(value: &str) -> String {
    match value.split_once('+') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            format!("{scheme} {token}")
        }
        _ => value.replace('+', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{jwt, PC_AUD};
    use crate::formats::timestamp::parse_timestamp;

    const FIELDS: &str = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken";

    #[test]
    fn reads_a_line_with_its_fields() {
        let fields = W3cFields::parse(FIELDS);
        let line = "2026-06-02 08:15:03 10.0.0.4 GET /v1/customers size=20&token=s3cret 443 - 10.1.4.22 PartnerCenter-PowerShell/3.0+(Windows+NT) - api.partnercenter.microsoft.com 401 0 0 187";
        let obs = read_w3c(line, &fields).expect("line");
        assert_eq!(obs.host.as_deref(), Some("api.partnercenter.microsoft.com"));
        assert_eq!(obs.method.as_deref(), Some("GET"));
        assert_eq!(obs.path.as_deref(), Some("/v1/customers"));
        assert_eq!(obs.status, Some(401));
        assert_eq!(
            obs.user_agent.as_deref(),
            Some("PartnerCenter-PowerShell/3.0 (Windows NT)")
        );
        assert_eq!(obs.time, parse_timestamp("2026-06-02T08:15:03Z"));
        assert!(!format!("{obs:?}").contains("s3cret"));
        // A line that does not fit its fields is not read.
        assert!(read_w3c("2026-06-02 08:15:03 GET", &fields).is_none());
    }

    #[test]
    fn custom_header_fields_read_like_headers() {
        let token = jwt(
            serde_json::json!({"aud": PC_AUD, "appid": "a", "scp": "user_impersonation", "upn": "u@x", "amr": ["pwd"]}),
        );
        let fields =
            W3cFields::parse("date time cs-method cs-uri-stem cs-host sc-status cs(Authorization) sc(MS-CorrelationId)");
        let line = format!(
            "2026-06-02 08:15:03 GET /v1/customers api.partnercenter.microsoft.com 200 Bearer+{token} 5B1F0E8C-1D2E-4F3A-9B8C-0D1E2F3A4B5C"
        );
        let obs = read_w3c(&line, &fields).expect("line");
        assert!(obs.bearer.is_some());
        assert_eq!(
            obs.correlation_id.as_deref(),
            Some("5b1f0e8c-1d2e-4f3a-9b8c-0d1e2f3a4b5c")
        );
    }

    #[test]
    fn directives_and_detection() {
        let data = b"#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time\r\nx\n#Fields: date time cs-host\nline\n";
        assert_eq!(
            W3cFields::last_in(data).as_deref(),
            Some(&W3cFields::parse("date time cs-host"))
        );
        assert_eq!(W3cFields::last_in(b"a #Fields: x\n"), None);
        assert!(looks_like_w3c(
            "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-06-02 00:00:00\n#Fields: date time\n"
        ));
        assert!(!looks_like_w3c("# notes\nplain text\n"));
        assert_eq!(W3cFields::iis_default().names.len(), 15);
    }
}
