//! What the text formats (Envoy, nginx, IIS, text logs) share: cutting a
//! line into fields, reading the request line, choosing the host, and
//! handing JSON found in the text to the gateway record reader.
//!
//! Access logs hold no token and no response body: at best they say that a
//! call reached Partner Center, with its method, path, status and time. Such
//! events are `unknown` (`no_token`) unless something else on the line
//! decides, and a 401 alone is not taken for 900421 (the classifier treats
//! a 401 without a body the same way for every format). A line whose only
//! target is a relative path, with no host, proves nothing about Partner
//! Center: it is `other`.

use super::http_record::read_http_object;
use crate::classify::hosts::{is_partner_center_host, normalize_host, split_url};
use crate::event::Observation;

/// Reads JSON text holding one object as a gateway record (fields found by
/// name at any depth); `None` when it is not a JSON object.
pub fn read_json_record(text: &str) -> Option<Observation> {
    match serde_json::from_str(text) {
        Ok(serde_json::Value::Object(record)) => Some(read_http_object(&record)),
        _ => None,
    }
}

/// One field of an access-log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<'a> {
    /// `"..."`, without the quotes.
    Quoted(&'a str),
    /// `[...]`, without the brackets.
    Bracketed(&'a str),
    /// A run of non-blank characters.
    Bare(&'a str),
}

impl<'a> Field<'a> {
    /// The text, whatever the delimiters; `None` for nginx's and Envoy's `-`.
    pub fn value(self) -> Option<&'a str> {
        let text = match self {
            Field::Quoted(t) | Field::Bracketed(t) | Field::Bare(t) => t.trim(),
        };
        (!text.is_empty() && text != "-").then_some(text)
    }

    pub fn bare(self) -> Option<&'a str> {
        match self {
            Field::Bare(t) => Some(t),
            _ => None,
        }
    }
}

/// Cuts a line into quoted, bracketed and bare fields.
///
/// A quoted field ends at a `"` that the next field or the end of the line
/// follows ([`closes_quote`]), so a stray quote inside a user agent (Envoy
/// does not escape them) does not shift the fields after it; nginx's `\x22`
/// escapes stay as they are.
pub fn split_fields(line: &str) -> Vec<Field<'_>> {
    let bytes = line.as_bytes();
    let mut fields = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b' ' | b'\t' => at += 1,
            b'"' => {
                let start = at + 1;
                let quote_at = |closes: &dyn Fn(&[u8]) -> bool| {
                    (start..bytes.len()).find(|&i| bytes[i] == b'"' && closes(&bytes[i + 1..]))
                };
                // Failing a clear end, the first quote a blank follows.
                let end = quote_at(&closes_quote)
                    .or_else(|| {
                        quote_at(&|after| after.first().is_none_or(|b| *b == b' ' || *b == b'\t'))
                    })
                    .unwrap_or(bytes.len());
                fields.push(Field::Quoted(&line[start..end]));
                at = end + 1;
            }
            b'[' => {
                let start = at + 1;
                let end = memchr::memchr(b']', &bytes[start..]).map_or(bytes.len(), |i| start + i);
                fields.push(Field::Bracketed(&line[start..end]));
                at = end + 1;
            }
            _ => {
                let start = at;
                while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t') {
                    at += 1;
                }
                fields.push(Field::Bare(&line[start..at]));
            }
        }
    }
    fields
}

/// True when a `"` followed by `after` closes a quoted field: the line ends,
/// or the next field opens (a quote, bracket, `-`, a number, or `key=`).
/// A quote inside a user agent (`"Billing "Nightly" Export/1.0"`) is
/// followed by a word and does not close it.
fn closes_quote(after: &[u8]) -> bool {
    let Some((&first, _)) = after.split_first() else {
        return true;
    };
    if !matches!(first, b' ' | b'\t') {
        return false;
    }
    let next = after.trim_ascii_start();
    match next.first() {
        None => true,
        Some(b'"' | b'[' | b'-') => true,
        Some(b) if b.is_ascii_digit() => true,
        Some(_) => {
            let word = next
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            word > 0 && next.get(word) == Some(&b'=')
        }
    }
}

/// The parts of `GET /v1/customers HTTP/1.1` (nginx `$request`, Envoy's
/// method, path and protocol).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    pub method: String,
    /// The request target as logged: a path, or an absolute URL when the
    /// client spoke to a forward proxy.
    pub target: String,
}

/// Reads a request line; `None` for `-`, TLS garbage and other non-requests.
pub fn parse_request_line(line: &str) -> Option<RequestLine> {
    let mut parts = line.split_ascii_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    let is_method =
        (3..=10).contains(&method.len()) && method.bytes().all(|b| b.is_ascii_uppercase());
    let is_target = target.starts_with('/') || target.contains("://") || target.contains('.');
    (is_method && is_target).then(|| RequestLine {
        method: method.to_string(),
        target: target.to_string(),
    })
}

/// Reads a status code field: `Some(Some(401))`; `Some(None)` for Envoy's
/// `0` (the client went away before any response); `None` when the field
/// is no status at all.
pub fn parse_status(text: &str) -> Option<Option<u16>> {
    if text == "0" {
        return Some(None);
    }
    if text.len() != 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code: u16 = text.parse().ok()?;
    (100..=599).contains(&code).then_some(Some(code))
}

/// True when `text` names a host (`api.partnercenter.microsoft.com`,
/// `api.partnercenter.microsoft.com:443`): letters and dots, not an address
/// list, a number or a path.
pub fn looks_like_host(text: &str) -> bool {
    let host = text.rsplit_once(':').map_or(text, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            text
        }
    });
    host.contains('.')
        && host.bytes().any(|b| b.is_ascii_alphabetic())
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// Fills an observation's target from a request line and host candidates
/// (in order of preference): a Partner Center host wins over any other, an
/// absolute URL in the request line over a relative path.
pub fn set_target(obs: &mut Observation, request: Option<RequestLine>, hosts: &[&str]) {
    if let Some(request) = request {
        if request.method == "CONNECT" {
            // A tunnel: the calls inside it are not visible; nothing to read.
            return;
        }
        obs.method = Some(request.method);
        if request.target.starts_with('/') {
            obs.path = Some(request.target);
        } else {
            obs.url = Some(request.target);
        }
    }
    let url_host = obs.url.as_deref().and_then(|u| split_url(u).0);
    let mut candidates = url_host
        .iter()
        .map(String::as_str)
        .chain(hosts.iter().copied());
    let chosen = candidates
        .clone()
        .find(|h| is_partner_center_host(h))
        .or_else(|| candidates.next());
    obs.host = chosen.and_then(normalize_host);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_on_quotes_brackets_and_blanks() {
        let line = r#"10.0.0.7 - - [02/Jun/2026:08:15:03 +0000] "GET /v1/customers HTTP/1.1" 401 0 "-" "Mozilla/5.0 (X11; "odd") x" "Billing "Nightly" Export/1.0" rt=0.1"#;
        let fields = split_fields(line);
        assert_eq!(
            fields,
            vec![
                Field::Bare("10.0.0.7"),
                Field::Bare("-"),
                Field::Bare("-"),
                Field::Bracketed("02/Jun/2026:08:15:03 +0000"),
                Field::Quoted("GET /v1/customers HTTP/1.1"),
                Field::Bare("401"),
                Field::Bare("0"),
                Field::Quoted("-"),
                Field::Quoted(r#"Mozilla/5.0 (X11; "odd") x"#),
                Field::Quoted(r#"Billing "Nightly" Export/1.0"#),
                Field::Bare("rt=0.1"),
            ]
        );
        assert_eq!(fields[7].value(), None);
        // A bare field after a quoted one.
        assert_eq!(
            split_fields(r#""curl/8.5.0" api.partnercenter.microsoft.com"#),
            vec![
                Field::Quoted("curl/8.5.0"),
                Field::Bare("api.partnercenter.microsoft.com")
            ]
        );
        // An unterminated quote runs to the end of the line.
        assert_eq!(
            split_fields(r#"a "b c"#),
            vec![Field::Bare("a"), Field::Quoted("b c")]
        );
    }

    #[test]
    fn request_lines() {
        assert_eq!(
            parse_request_line("GET /v1/customers?size=10 HTTP/1.1"),
            Some(RequestLine {
                method: "GET".into(),
                target: "/v1/customers?size=10".into()
            })
        );
        assert_eq!(
            parse_request_line("POST https://api.partnercenter.microsoft.com/v1/customers HTTP/2")
                .map(|r| r.target),
            Some("https://api.partnercenter.microsoft.com/v1/customers".into())
        );
        for junk in ["-", "\\x16\\x03\\x01\\x02\\x00", "get /x HTTP/1.1", "GET"] {
            assert_eq!(parse_request_line(junk), None, "{junk}");
        }
    }

    #[test]
    fn statuses_and_hosts() {
        assert_eq!(parse_status("401"), Some(Some(401)));
        assert_eq!(parse_status("0"), Some(None));
        assert_eq!(parse_status("-"), None);
        assert_eq!(parse_status("4010"), None);
        assert_eq!(parse_status("2"), None);
        assert_eq!(parse_status("999"), None);
        assert!(looks_like_host("api.partnercenter.microsoft.com:443"));
        assert!(looks_like_host("api.partnercenter.microsoft.com"));
        for not_host in [
            "10.0.0.7:443",
            "0.123",
            "10.0.0.1, 10.0.0.2",
            "/v1/x",
            "-",
            "v1",
        ] {
            assert!(!looks_like_host(not_host), "{not_host}");
        }
    }

    #[test]
    fn partner_center_host_wins_and_connect_reads_nothing() {
        let request = parse_request_line("GET /v1/customers HTTP/1.1");
        let mut obs = Observation::default();
        set_target(
            &mut obs,
            request,
            &[
                "proxy.contoso.internal",
                "API.PartnerCenter.Microsoft.com:443",
            ],
        );
        assert_eq!(obs.host.as_deref(), Some("api.partnercenter.microsoft.com"));
        assert_eq!(obs.path.as_deref(), Some("/v1/customers"));

        let mut tunnel = Observation::default();
        set_target(
            &mut tunnel,
            parse_request_line("CONNECT api.partnercenter.microsoft.com:443 HTTP/1.1"),
            &[],
        );
        assert!(tunnel.host.is_none() && tunnel.path.is_none() && tunnel.url.is_none());
    }
}
