//! Application text logs: free-text records, possibly spread over several
//! lines (a stack trace, a pretty-printed response body).
//!
//! Framing groups lines into records: a record starts at a line that opens
//! one (a timestamp or a level at the start of the line: `2026-06-02
//! 08:15:03`, `[08:15:03 ERR]`, `ERROR`, .NET's `fail:`), and every other
//! line (`   at ...`, `Caused by: ...`, `{`, `  "code": 900421,`) continues it.
//! A file whose lines open with no such header is read one line per record
//! (indented lines still continue the one above).
//!
//! From a record's text pcmfa reads the Partner Center URL (with or without
//! scheme; a Partner Center URL wins over any other), the method before it,
//! the status (`HTTP/1.1 401`, `status=401`, `StatusCode: 401
//! (Unauthorized)`, `401 Unauthorized`, `(401)`), Partner Center error JSON
//! inline (`{"code":900421,...}`, `"code":"900421"`, also when cut short or
//! escaped), `isMfaCompliant`, correlation, request, app and tenant ids
//! (GUIDs named by the text just before them) and a bearer token (decoded
//! later, never copied). A 900421 error proves the call was App+User and
//! rejected even without a token or a Partner Center URL; a success line
//! proves nothing (`unknown`).

use super::access_log::read_json_record;
use super::http_record::MFA_ERROR_CODE;
use super::keys::contains_number;
use super::timestamp::parse_timestamp;
use crate::classify::hosts::{is_partner_center_host, split_url, PARTNER_CENTER_HOSTS};
use crate::event::Observation;
use crate::token::BearerToken;

/// How a file's lines are grouped into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartRule {
    /// A record starts at a line that opens with a timestamp or a level.
    Headers,
    /// Every line starts a record, unless indented or an obvious continuation.
    EachLine,
}

impl StartRule {
    /// Chooses the rule from a file's first bytes: headers when one of its
    /// first lines opens with one.
    pub fn sniff(head: &[u8]) -> StartRule {
        let any_header = head
            .split(|b| *b == b'\n')
            .take(50)
            .any(|line| has_record_header(strip_bom(line)));
        if any_header {
            StartRule::Headers
        } else {
            StartRule::EachLine
        }
    }

    /// True when `line` (without its newline) starts a new record.
    pub fn starts_record(self, line: &[u8]) -> bool {
        match self {
            StartRule::Headers => has_record_header(line),
            StartRule::EachLine => {
                let continues = line.first().is_none_or(|b| b.is_ascii_whitespace())
                    || line.starts_with(b"}")
                    || line.starts_with(b"]")
                    || line.starts_with(b"Caused by")
                    || line.starts_with(b"---");
                !continues
            }
        }
    }
}

fn strip_bom(line: &[u8]) -> &[u8] {
    line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
}

/// Upper-case level words, and .NET console logger's lower-case prefixes.
const LEVELS: &[&[u8]] = &[
    b"TRACE",
    b"DEBUG",
    b"INFORMATION",
    b"INFO",
    b"NOTICE",
    b"WARNING",
    b"WARN",
    b"ERROR",
    b"ERR",
    b"FATAL",
    b"CRITICAL",
    b"CRIT",
    b"SEVERE",
    b"VERBOSE",
    b"VRB",
    b"DBG",
    b"INF",
    b"WRN",
    b"FTL",
    b"EMERG",
    b"ALERT",
];
const DOTNET_LEVELS: &[&[u8]] = &[
    b"trce: ", b"dbug: ", b"info: ", b"warn: ", b"fail: ", b"crit: ",
];

/// True when `line` opens with a timestamp or a level, bare or in brackets.
pub fn has_record_header(line: &[u8]) -> bool {
    if DOTNET_LEVELS.iter().any(|l| line.starts_with(l)) {
        return true;
    }
    let inner = match line.strip_prefix(b"[") {
        Some(rest) => rest.trim_ascii_start(),
        None => line,
    };
    starts_with_time(inner) || starts_with_level(inner)
}

fn starts_with_level(text: &[u8]) -> bool {
    LEVELS.iter().any(|level| {
        text.starts_with(level)
            && text
                .get(level.len())
                .is_none_or(|b| matches!(b, b' ' | b':' | b']' | b'|' | b'\t' | b'-'))
    })
}

/// `2026-06-02`, `2026/06/02`, `02/Jun/2026`, `6/2/2026`, `08:15:03`,
/// syslog's `Jun  2 08:15:03`.
fn starts_with_time(t: &[u8]) -> bool {
    let digit = |i: usize| t.get(i).is_some_and(u8::is_ascii_digit);
    let is = |i: usize, c: u8| t.get(i) == Some(&c);
    let alpha = |i: usize| t.get(i).is_some_and(u8::is_ascii_alphabetic);
    let iso = (0..4).all(digit)
        && (is(4, b'-') || is(4, b'/'))
        && digit(5)
        && digit(6)
        && t.get(7) == t.get(4)
        && digit(8)
        && digit(9);
    let clf =
        digit(0) && digit(1) && is(2, b'/') && alpha(3) && alpha(4) && alpha(5) && is(6, b'/');
    let us = {
        let month = t.iter().take_while(|b| b.is_ascii_digit()).count();
        let day_at = month + 1;
        let day = t
            .iter()
            .skip(day_at)
            .take_while(|b| b.is_ascii_digit())
            .count();
        (1..=2).contains(&month)
            && is(month, b'/')
            && (1..=2).contains(&day)
            && is(day_at + day, b'/')
            && (0..4).all(|i| digit(day_at + day + 1 + i))
    };
    let clock = digit(0) && digit(1) && is(2, b':') && digit(3) && digit(4) && is(5, b':');
    let syslog = alpha(0)
        && alpha(1)
        && alpha(2)
        && is(3, b' ')
        && (digit(4) || is(4, b' '))
        && digit(5)
        && is(6, b' ')
        && digit(7)
        && digit(8)
        && is(9, b':');
    iso || clf || us || clock || syslog
}

/// True when a file's head is a text log: its first non-blank line opens
/// with a record header, and its first word is not a CSV cell.
pub fn looks_like_text_log(head: &[u8]) -> bool {
    let Some(first) = head
        .split(|b| *b == b'\n')
        .map(|l| strip_bom(l).trim_ascii_end())
        .find(|l| !l.is_empty())
    else {
        return false;
    };
    let first_word = first
        .split(|b| b.is_ascii_whitespace())
        .next()
        .unwrap_or(first);
    has_record_header(first) && !first_word.contains(&b',') && !first_word.contains(&b';')
}

/// Reads one record's text.
pub fn read_text_log(text: &str) -> Observation {
    let lower = text.to_ascii_lowercase();
    let mut obs = Observation {
        time: leading_time(text),
        ..Observation::default()
    };
    let urls = find_urls(text, &lower);
    let mut pc_url = urls.iter().any(|(_, u)| names_partner_center(u));
    let chosen = urls
        .iter()
        .find(|(_, u)| names_partner_center(u))
        .or(urls.first());
    if let Some((at, url)) = chosen {
        obs.method = method_before(text, *at);
        obs.url = Some(url.clone());
        // A bare host (nginx's error log: `request: "GET /v1/... HTTP/1.1",
        // host: "api.partnercenter.microsoft.com"`): the request line gives the path.
        if split_url(url).1.is_none_or(|p| p == "/") {
            if let Some((method, path)) = request_line_in(text) {
                obs.host = split_url(url).0;
                obs.url = None;
                obs.method = Some(method.to_string());
                obs.path = Some(path.to_string());
            }
        }
    }
    obs.status = find_status(&lower);

    // Inline JSON: a Partner Center error body, a logged request or response.
    let mut structured_target = false;
    for inner in json_objects(text) {
        // A logged request object names its target better than running text.
        let inner_pc = inner.host.as_deref().is_some_and(is_partner_center_host)
            || inner.url.as_deref().is_some_and(names_partner_center);
        if inner_pc && !structured_target && (inner.path.is_some() || inner.url.is_some()) {
            structured_target = true;
            pc_url = true;
            obs.url = inner.url;
            obs.host = inner.host;
            obs.path = inner.path;
            obs.method = inner.method.or(obs.method.take());
            obs.user_agent = inner.user_agent;
        }
        if inner.error_code.as_deref() == Some(MFA_ERROR_CODE) || obs.error_code.is_none() {
            obs.error_code = inner.error_code.or(obs.error_code.take());
        }
        obs.is_mfa_compliant = obs.is_mfa_compliant.or(inner.is_mfa_compliant);
        obs.correlation_id = obs.correlation_id.take().or(inner.correlation_id);
        obs.request_id = obs.request_id.take().or(inner.request_id);
        obs.status = obs.status.or(inner.status);
    }
    // The code also counts when the body was cut short or escaped.
    if mentions_mfa_error(&lower) {
        obs.error_code = Some(MFA_ERROR_CODE.to_string());
    }
    if obs.status.is_some_and(|s| s < 400) {
        // A code in a successful response is data, not an error.
        obs.error_code = None;
    }
    obs.legacy_mfa_required =
        matches!(obs.status, Some(401 | 403)) && lower.contains("mfa required");
    obs.is_mfa_compliant = obs.is_mfa_compliant.or_else(|| mfa_compliant_text(&lower));
    if obs.error_code.as_deref() == Some(MFA_ERROR_CODE) && !pc_url {
        // Partner Center's 900421 names the API that answered; another URL
        // in the message is the caller's own endpoint, not the target.
        obs.url = None;
        obs.method = None;
    }
    label_guids(text, &mut obs);
    obs.bearer = find_bearer(text, &lower);
    obs
}

/// True when `url` is on a Partner Center host.
fn names_partner_center(url: &str) -> bool {
    split_url(url)
        .0
        .as_deref()
        .is_some_and(is_partner_center_host)
}

/// The timestamp that opens the record, if any.
fn leading_time(text: &str) -> Option<i64> {
    let line = text.lines().next()?.trim_start_matches('\u{feff}');
    let mut candidates: Vec<&str> = Vec::with_capacity(4);
    let unbracketed = line.strip_prefix('[');
    if let Some(inner) = unbracketed {
        candidates.extend(inner.find(']').map(|end| &inner[..end]));
    }
    let line = unbracketed.unwrap_or(line).trim_start();
    // The first three, two, then one words: `2026-06-02 08:15:03.123 +02:00`.
    let word_ends: Vec<usize> = line
        .char_indices()
        .zip(line.chars().skip(1).map(Some).chain([None]))
        .filter(|((_, c), next)| !c.is_whitespace() && next.is_none_or(char::is_whitespace))
        .map(|((at, c), _)| at + c.len_utf8())
        .take(3)
        .collect();
    candidates.extend(word_ends.iter().rev().map(|end| &line[..*end]));
    candidates.into_iter().find_map(|c| {
        let c = c.trim_end_matches([']', ':', '|']);
        // Python's logging writes milliseconds after a comma; nginx's error
        // log and Go's log package write the date with slashes.
        let mut c = c.replacen(',', ".", 1);
        if c.as_bytes().get(4) == Some(&b'/') && c.as_bytes().get(7) == Some(&b'/') {
            c = c.replacen('/', "-", 2);
        }
        parse_timestamp(&c)
    })
}

/// Characters that end a URL in running text.
fn ends_url(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\' | b',' | b';' | b')' | b']' | b'}' | b'|'
        )
}

/// URLs in the text, with their offsets: `http(s)://...`, and Partner Center
/// hosts written without a scheme.
fn find_urls(text: &str, lower: &str) -> Vec<(usize, String)> {
    let bytes = text.as_bytes();
    let mut urls = Vec::new();
    let take = |start: usize| {
        let end = bytes[start..]
            .iter()
            .position(|b| ends_url(*b))
            .map_or(bytes.len(), |i| start + i);
        text[start..end].trim_end_matches(['.', ':']).to_string()
    };
    for scheme in ["https://", "http://"] {
        for (at, _) in lower.match_indices(scheme) {
            let url = take(at);
            if url.len() > scheme.len() {
                urls.push((at, url));
            }
        }
    }
    for host in PARTNER_CENTER_HOSTS {
        for (at, _) in lower.match_indices(host) {
            let glued = at.checked_sub(1).map(|i| bytes[i]).is_some_and(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'/' | b'@')
            });
            if !glued {
                urls.push((at, take(at)));
            }
        }
    }
    urls.sort();
    urls
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// `GET` in `GET https://...` or `"GET /v1/..."`.
fn method_before(text: &str, at: usize) -> Option<String> {
    let before = text[..at].trim_end_matches([' ', '"', '\'']);
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(word))
        .map(|m| m.to_string())
}

/// The first `METHOD /path HTTP/x` in the text.
fn request_line_in(text: &str) -> Option<(&str, &str)> {
    text.match_indices(" HTTP/").find_map(|(at, _)| {
        let before = &text[..at];
        let path_start = before.rfind(' ')?;
        let path = &before[path_start + 1..];
        // Just past the last character that is not an upper-case letter
        // (which may be several bytes long).
        let method_start = before[..path_start]
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_ascii_uppercase())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let method = &before[method_start..path_start];
        (path.starts_with('/') && METHODS.contains(&method)).then_some((method, path))
    })
}

/// A three-digit HTTP status at `at`, not part of a longer number.
fn status_at(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at..at + 3)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_digit() || *b == b'.');
    if glued(bytes.get(at + 3)) || glued(at.checked_sub(1).and_then(|i| bytes.get(i))) {
        return None;
    }
    let code: u16 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    (100..=599).contains(&code).then_some(code)
}

/// Names after which a status follows (`status=401`, `StatusCode: 401`).
const STATUS_KEYS: &[&str] = &[
    "statuscode",
    "status code",
    "status_code",
    "status-code",
    "http status",
    "httpstatus",
    "http_status",
    "response code",
    "responsecode",
    "response status",
    "status",
    "returned",
    "responded with",
];
/// Reason phrases that follow a status (`401 Unauthorized`, `401 (Unauthorized)`).
const REASONS: &[&str] = &[
    "unauthorized",
    "forbidden",
    "ok",
    "created",
    "accepted",
    "no content",
    "bad request",
    "not found",
    "conflict",
    "too many requests",
    "internal server error",
    "bad gateway",
    "service unavailable",
    "gateway timeout",
    "client error",
    "server error",
];

/// The response status the text (lower-cased) states.
fn find_status(lower: &str) -> Option<u16> {
    let bytes = lower.as_bytes();
    // `HTTP/1.1 401`, `HTTP/2 401`.
    for (at, _) in lower.match_indices("http/") {
        let version = bytes[at + 5..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .count();
        if version > 0 && bytes.get(at + 5 + version) == Some(&b' ') {
            if let Some(code) = status_at(bytes, at + 6 + version) {
                return Some(code);
            }
        }
    }
    // `status=401`, `"statusCode": 401`, `StatusCode: 401 (Unauthorized)`.
    let mut best: Option<(usize, u16)> = None;
    for key in STATUS_KEYS {
        for (at, _) in lower.match_indices(key) {
            let mut i = at + key.len();
            while bytes
                .get(i)
                .is_some_and(|b| matches!(b, b' ' | b':' | b'=' | b'"' | b'\'' | b'(' | b'\t'))
            {
                i += 1;
            }
            if let Some(code) = status_at(bytes, i) {
                if best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, code));
                }
            }
        }
    }
    if let Some((_, code)) = best {
        return Some(code);
    }
    // `401 Unauthorized`, `401 (Unauthorized)`, `(401) Unauthorized`.
    for at in 0..bytes.len().saturating_sub(3) {
        let Some(code) = status_at(bytes, at) else {
            continue;
        };
        let after = lower[at + 3..].trim_start_matches([' ', '(', ')', '-']);
        if REASONS.iter().any(|r| {
            after.starts_with(r) && !after[r.len()..].starts_with(|c: char| c.is_ascii_alphabetic())
        }) {
            return Some(code);
        }
    }
    None
}

/// True when the text states error code 900421: the number with `code` or
/// `error` just before it (`"code":900421`, `\"code\":\"900421\"`, `error
/// code 900421`), so an unrelated number never reads as the MFA error.
fn mentions_mfa_error(lower: &str) -> bool {
    if !contains_number(lower, MFA_ERROR_CODE) {
        return false;
    }
    let bytes = lower.as_bytes();
    lower.match_indices(MFA_ERROR_CODE).any(|(at, _)| {
        // Bytes, not text: the window may start inside a multi-byte character.
        let window = &bytes[at.saturating_sub(24)..at];
        let has = |word: &[u8]| memchr::memmem::find(window, word).is_some();
        let edge = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_digit());
        edge(bytes.get(at + 6))
            && edge(at.checked_sub(1).and_then(|i| bytes.get(i)))
            && (has(b"code") || has(b"error"))
    })
}

/// `isMfaCompliant: false` as text (lower-cased).
fn mfa_compliant_text(lower: &str) -> Option<bool> {
    let at = lower.find("ismfacompliant")? + "ismfacompliant".len();
    let rest = lower[at..].trim_start_matches([' ', ':', '=', '"', '\'']);
    if rest.starts_with("true") {
        Some(true)
    } else if rest.starts_with("false") {
        Some(false)
    } else {
        None
    }
}

/// JSON objects written inline, outermost first (at most a few, each under
/// 1 MiB), each read as an HTTP record.
fn json_objects(text: &str) -> Vec<Observation> {
    const MAX_OBJECTS: usize = 8;
    const MAX_OBJECT_BYTES: usize = 1 << 20;
    let bytes = text.as_bytes();
    let mut objects = Vec::new();
    let mut at = 0;
    while objects.len() < MAX_OBJECTS {
        let Some(open) = memchr::memchr(b'{', &bytes[at..]).map(|i| at + i) else {
            break;
        };
        match balanced_end(&bytes[open..bytes.len().min(open + MAX_OBJECT_BYTES)]) {
            Some(len) => {
                if let Some(object) = read_json_record(&text[open..open + len]) {
                    objects.push(object);
                    at = open + len;
                    continue;
                }
                at = open + 1;
            }
            None => at = open + 1,
        }
    }
    objects
}

/// Length of the `{...}` that `text` starts with, following strings.
fn balanced_end(text: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in text.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Fills correlation, request, app and tenant ids from the GUIDs in the
/// text, each named by the words just before it (`MS-CorrelationId: ...`,
/// `requestId=...`, `client_id ...`). GUIDs in URL paths name no id.
fn label_guids(text: &str, obs: &mut Observation) {
    let bytes = text.as_bytes();
    let mut from = 0;
    let mut last_end = 0;
    while let Some((start, guid)) = next_guid(text, from) {
        from = start + 36;
        if bytes.get(start.wrapping_sub(1)) == Some(&b'/') {
            last_end = from;
            continue;
        }
        let window_start = start.saturating_sub(32).max(last_end);
        let window: String = bytes[window_start..start]
            .iter()
            .copied()
            .filter(u8::is_ascii_alphabetic)
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
        last_end = from;
        let guid = guid.to_ascii_lowercase();
        let slot = if window.ends_with("correlationid") || window.ends_with("operationid") {
            &mut obs.correlation_id
        } else if window.ends_with("requestid") {
            &mut obs.request_id
        } else if ["appid", "applicationid", "clientid", "azp"]
            .iter()
            .any(|k| window.ends_with(k))
        {
            &mut obs.app_id
        } else if window.ends_with("tenantid")
            || window.ends_with("tid")
            || window.ends_with("tenant")
        {
            &mut obs.tenant_id
        } else {
            continue;
        };
        slot.get_or_insert(guid);
    }
}

/// The next GUID (8-4-4-4-12 hex digits, not glued to other hex) at or after `from`.
fn next_guid(text: &str, from: usize) -> Option<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut at = from;
    while at + 36 <= bytes.len() {
        let candidate = &bytes[at..at + 36];
        let shaped = candidate.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
        let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-');
        if shaped
            && !glued(bytes.get(at + 36))
            && !glued(at.checked_sub(1).and_then(|i| bytes.get(i)))
        {
            return Some((at, &text[at..at + 36]));
        }
        at += 1;
    }
    None
}

/// A bearer token written in the text (`Authorization: Bearer eyJ...`).
fn find_bearer(text: &str, lower: &str) -> Option<BearerToken> {
    lower.match_indices("bearer").find_map(|(at, _)| {
        let rest = &text[at + 6..];
        let rest = rest.strip_prefix([' ', '+', '\t'])?.trim_start();
        let end = rest
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '~' | '+' | '/' | '='))
            })
            .unwrap_or(rest.len());
        let token = &rest[..end];
        (token.len() >= 16)
            .then(|| BearerToken::new(token))
            .flatten()
    })
}

#[cfg(test)]
#[path = "text_log_tests.rs"]
mod tests;
