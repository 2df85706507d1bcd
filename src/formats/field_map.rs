//! Custom schemas: the user says where a JSON gateway log keeps a column.
//!
//! Automatic matching finds fields by well-known names; a gateway that names
//! them its own way (`req.target`, `resp.code`, `req.hdrs.auth`) is told
//! with `--field url=req.target` (repeatable) or a `[fields]` table in a
//! `--config` file. A [`FieldMap`] is applied after automatic matching, on
//! the parsed record: a mapped column that the record holds overrides what
//! matching found; a mapped path missing from a record, and every unmapped
//! column, keep the automatic result. Kept apart from the extractor so that
//! either can change without the other.
//!
//! Path syntax: segments joined by `.`; a segment in double quotes may hold
//! dots (`properties."x.y"`, `\"` and `\\` escape inside quotes); a number
//! indexes an array (`entries.0.url`); a name applied to a HAR-style list of
//! `{"name": .., "value": ..}` pairs picks the pair of that name; JSON kept
//! as text (a body, a headers column) is read when the path goes on into it.
//! Keys match exactly, else ignoring ASCII case.

use std::borrow::Cow;
use std::fmt;

use serde_json::{json, Map, Value};

use super::http_record::read_http_object;
use super::keys::{as_bool, as_status, as_text};
use super::timestamp::{from_epoch_number, parse_timestamp};
use crate::classify::hosts::{normalize_host, split_url};
use crate::event::Observation;
use crate::token::BearerToken;

/// JSON kept as text is followed by a path only below this size.
const MAX_NESTED_TEXT: usize = 1 << 20;

/// A column of the HTTP record reader that `--field` can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Timestamp,
    Url,
    Host,
    Method,
    Path,
    Status,
    Authorization,
    RequestHeaders,
    ResponseHeaders,
    ResponseBody,
    ErrorCode,
    IsMfaCompliant,
    AppId,
    AppName,
    TenantId,
    Principal,
    CorrelationId,
    RequestId,
    UserAgent,
}

impl Column {
    /// Every column, in the order `pcmfa sniff` shows them.
    pub const ALL: &'static [Column] = &[
        Column::Timestamp,
        Column::Url,
        Column::Host,
        Column::Method,
        Column::Path,
        Column::Status,
        Column::Authorization,
        Column::RequestHeaders,
        Column::ResponseHeaders,
        Column::ResponseBody,
        Column::ErrorCode,
        Column::IsMfaCompliant,
        Column::AppId,
        Column::AppName,
        Column::TenantId,
        Column::Principal,
        Column::CorrelationId,
        Column::RequestId,
        Column::UserAgent,
    ];

    /// The name `--field` uses.
    pub fn name(self) -> &'static str {
        match self {
            Column::Timestamp => "timestamp",
            Column::Url => "url",
            Column::Host => "host",
            Column::Method => "method",
            Column::Path => "path",
            Column::Status => "status",
            Column::Authorization => "authorization",
            Column::RequestHeaders => "request_headers",
            Column::ResponseHeaders => "response_headers",
            Column::ResponseBody => "response_body",
            Column::ErrorCode => "error_code",
            Column::IsMfaCompliant => "is_mfa_compliant",
            Column::AppId => "app_id",
            Column::AppName => "app_name",
            Column::TenantId => "tenant_id",
            Column::Principal => "principal",
            Column::CorrelationId => "correlation_id",
            Column::RequestId => "request_id",
            Column::UserAgent => "user_agent",
        }
    }

    /// Looks a column up by its `--field` name.
    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Every name, comma-separated, for messages.
    pub fn names() -> String {
        Column::ALL
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Why a field mapping or a config file is wrong. Messages quote the
/// user's text (a column name or a path), never a record's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldMapError {
    #[error("--field {0:?}: expected NAME=PATH, e.g. --field status=resp.code")]
    NotAnAssignment(String),
    #[error("unknown column {name:?}; valid columns: {valid}")]
    UnknownColumn { name: String, valid: String },
    #[error("path {path:?}: {why}")]
    BadPath { path: String, why: &'static str },
    #[error("{column} is mapped twice ({first:?} and {second:?})")]
    Duplicate {
        column: &'static str,
        first: String,
        second: String,
    },
    #[error("config line {line}: {message}")]
    Config { line: usize, message: String },
}

/// A dotted path into a JSON record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    segments: Vec<String>,
}

impl FieldPath {
    /// Parses `a.b.0."x.y"`; see the module docs.
    pub fn parse(text: &str) -> Result<FieldPath, FieldMapError> {
        let bad = |why| FieldMapError::BadPath {
            path: text.to_string(),
            why,
        };
        let mut segments = Vec::new();
        let mut chars = text.chars().peekable();
        loop {
            let mut segment = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err(bad("a quote is not closed")),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => segment.push(c),
                            _ => return Err(bad("only \\\" and \\\\ escape inside quotes")),
                        },
                        Some(c) => segment.push(c),
                    }
                }
                if !matches!(chars.peek(), None | Some('.')) {
                    return Err(bad("a quoted segment must end at a dot"));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    if c == '"' {
                        return Err(bad("quote a whole segment: a.\"x.y\".c"));
                    }
                    segment.push(c);
                    chars.next();
                }
                if segment.trim().is_empty() {
                    return Err(bad("empty segment"));
                }
            }
            segments.push(segment);
            match chars.next() {
                None => return Ok(FieldPath { segments }),
                Some(_dot) if chars.peek().is_none() => return Err(bad("ends with a dot")),
                Some(_dot) => {}
            }
        }
    }

    /// A path of these segments (taken as they are, no quoting needed).
    pub fn from_segments(segments: Vec<String>) -> FieldPath {
        FieldPath { segments }
    }

    /// The value at this path, when the record holds a non-null one there.
    pub fn resolve<'v>(&self, record: &'v Map<String, Value>) -> Option<Cow<'v, Value>> {
        let (first, rest) = self.segments.split_first()?;
        let mut current = Cow::Borrowed(member(record, first)?);
        for segment in rest {
            current = match current {
                Cow::Borrowed(value) => child(value, segment)?,
                Cow::Owned(value) => Cow::Owned(child(&value, segment)?.into_owned()),
            };
        }
        (!current.is_null()).then_some(current)
    }
}

impl fmt::Display for FieldPath {
    /// The path as written, quoting only the segments that need it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            if segment.contains(['.', '"']) || segment.trim().is_empty() {
                let escaped = segment.replace('\\', "\\\\").replace('"', "\\\"");
                write!(f, "\"{escaped}\"")?;
            } else {
                f.write_str(segment)?;
            }
        }
        Ok(())
    }
}

fn member<'v>(object: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn child<'v>(value: &'v Value, segment: &str) -> Option<Cow<'v, Value>> {
    match value {
        Value::Object(object) => member(object, segment).map(Cow::Borrowed),
        Value::Array(items) => match segment.parse::<usize>() {
            Ok(index) => items.get(index).map(Cow::Borrowed),
            // `[{"name": "Authorization", "value": "Bearer ..."}]`
            Err(_) => items
                .iter()
                .find_map(|item| {
                    let pair = item.as_object()?;
                    let name = pair.get("name")?.as_str()?;
                    name.eq_ignore_ascii_case(segment)
                        .then(|| pair.get("value"))
                        .flatten()
                })
                .map(Cow::Borrowed),
        },
        Value::String(text) => {
            let text = text.trim();
            if text.len() >= MAX_NESTED_TEXT || !(text.starts_with('{') || text.starts_with('[')) {
                return None;
            }
            let nested: Value = serde_json::from_str(text).ok()?;
            child(&nested, segment).map(|v| Cow::Owned(v.into_owned()))
        }
        _ => None,
    }
}

/// Which path fills which column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMap {
    entries: Vec<(Column, FieldPath)>,
}

impl FieldMap {
    /// No mapping: automatic matching only.
    pub const EMPTY: FieldMap = FieldMap {
        entries: Vec::new(),
    };

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The mapped columns and their paths, in the order given.
    pub fn entries(&self) -> &[(Column, FieldPath)] {
        &self.entries
    }

    /// The path mapped to `column`, if any.
    pub fn path_of(&self, column: Column) -> Option<&FieldPath> {
        self.entries
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, p)| p)
    }

    /// Maps `column` to `path`, replacing an earlier mapping (a `--field`
    /// overrides the config file).
    pub fn set(&mut self, column: Column, path: FieldPath) {
        match self.entries.iter_mut().find(|(c, _)| *c == column) {
            Some(entry) => entry.1 = path,
            None => self.entries.push((column, path)),
        }
    }

    /// Parses one `NAME=PATH` argument.
    pub fn parse_assignment(arg: &str) -> Result<(Column, FieldPath), FieldMapError> {
        let (name, path) = arg
            .split_once('=')
            .ok_or_else(|| FieldMapError::NotAnAssignment(arg.to_string()))?;
        let column = column_named(name.trim())?;
        Ok((column, FieldPath::parse(path.trim())?))
    }

    /// Builds a map from `NAME=PATH` arguments; a column given twice is an error.
    pub fn from_assignments<S: AsRef<str>>(args: &[S]) -> Result<FieldMap, FieldMapError> {
        let mut map = FieldMap::default();
        for arg in args {
            let (column, path) = FieldMap::parse_assignment(arg.as_ref())?;
            if let Some(first) = map.path_of(column) {
                return Err(FieldMapError::Duplicate {
                    column: column.name(),
                    first: first.to_string(),
                    second: path.to_string(),
                });
            }
            map.set(column, path);
        }
        Ok(map)
    }

    /// Parses a config file: a TOML subset, so that it reads as TOML too.
    ///
    /// ```text
    /// # where our gateway keeps things
    /// [fields]
    /// url = "req.target"
    /// status = "resp.code"
    /// authorization = 'req.hdrs."x.auth"'   # literal string: no escapes
    /// ```
    ///
    /// Blank lines and `#` comments are ignored; the only table is
    /// `[fields]`; values are quoted strings (`"..."` with `\"` and `\\`
    /// escapes, or `'...'` taken literally).
    pub fn from_config(text: &str) -> Result<FieldMap, FieldMapError> {
        let mut map = FieldMap::default();
        let mut in_fields = false;
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let err = |message: String| FieldMapError::Config {
                line: line_no,
                message,
            };
            let line = raw.trim_start_matches('\u{feff}').trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(table) = line.strip_prefix('[') {
                let name = strip_comment(table.trim_end())
                    .strip_suffix(']')
                    .map(str::trim)
                    .ok_or_else(|| err("a table header reads [fields]".into()))?;
                if name != "fields" {
                    return Err(err(format!(
                        "unknown table [{name}]; the only table is [fields]"
                    )));
                }
                in_fields = true;
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| err("expected NAME = \"PATH\"".into()))?;
            let key = key.trim().trim_matches('"');
            if !in_fields {
                return Err(err(format!(
                    "{key:?} is outside a table; put field mappings under [fields]"
                )));
            }
            let column = column_named(key).map_err(|e| err(e.to_string()))?;
            let path = parse_toml_string(value.trim()).ok_or_else(|| {
                err(format!(
                    "put the path in quotes: {key} = \"{}\"",
                    value.trim()
                ))
            })?;
            let path = FieldPath::parse(&path).map_err(|e| err(e.to_string()))?;
            if let Some(first) = map.path_of(column) {
                return Err(err(FieldMapError::Duplicate {
                    column: column.name(),
                    first: first.to_string(),
                    second: path.to_string(),
                }
                .to_string()));
            }
            map.set(column, path);
        }
        Ok(map)
    }

    /// Applies the mapping to an observation read from `record`: every
    /// mapped column the record holds overrides the automatic result.
    pub fn apply(&self, record: &Map<String, Value>, obs: &mut Observation) {
        if self.is_empty() {
            return;
        }
        let get = |column| self.path_of(column).and_then(|p| p.resolve(record));
        let text = |column| get(column).and_then(|v| as_text(&v));
        if let Some(status) = get(Column::Status).and_then(|v| as_status(&v)) {
            obs.status = Some(status);
        }
        let status = obs.status;
        if let Some(value) = get(Column::Timestamp) {
            let micros = match &*value {
                Value::String(s) => parse_timestamp(s),
                Value::Number(n) => n.as_f64().and_then(from_epoch_number),
                _ => None,
            };
            if micros.is_some() {
                obs.time = micros;
            }
        }
        if let Some(url) = text(Column::Url) {
            if let (Some(host), _) = split_url(&url) {
                obs.host = Some(host);
            }
            obs.url = Some(url);
        }
        if let Some(host) = text(Column::Host).and_then(|h| normalize_host(&h)) {
            obs.host = Some(host);
        }
        if let Some(method) = text(Column::Method) {
            obs.method = Some(method.to_ascii_uppercase());
        }
        for column in [
            Column::RequestHeaders,
            Column::ResponseHeaders,
            Column::ResponseBody,
        ] {
            if let Some(value) = get(column) {
                read_like_automatic(column, value.into_owned(), status, obs);
            }
        }
        if let Some(Value::String(value)) = get(Column::Authorization).as_deref() {
            // `Bearer <token>`, or a bare token as some gateways log it.
            let token = BearerToken::from_authorization(value).or_else(|| {
                (!value.trim().contains(char::is_whitespace))
                    .then(|| BearerToken::new(value))
                    .flatten()
            });
            if token.is_some() {
                obs.bearer = token;
            }
        }
        if let Some(code) = text(Column::ErrorCode) {
            obs.error_code = Some(code);
        }
        if let Some(compliant) = get(Column::IsMfaCompliant).and_then(|v| as_bool(&v)) {
            obs.is_mfa_compliant = Some(compliant);
        }
        let lower = |column| text(column).map(|t| t.to_ascii_lowercase());
        for (slot, value) in [
            (&mut obs.path, text(Column::Path)),
            (&mut obs.app_id, lower(Column::AppId)),
            (&mut obs.app_name, text(Column::AppName)),
            (&mut obs.tenant_id, lower(Column::TenantId)),
            (&mut obs.principal, text(Column::Principal)),
            (&mut obs.correlation_id, lower(Column::CorrelationId)),
            (&mut obs.request_id, text(Column::RequestId)),
            (&mut obs.user_agent, text(Column::UserAgent)),
        ] {
            if value.is_some() {
                *slot = value;
            }
        }
        // As automatic matching does: a code in a successful response is
        // data, and the legacy text counts only on a 401 or 403.
        if status.is_some_and(|s| s < 400) {
            obs.error_code = None;
        }
        if !matches!(status, Some(401 | 403)) {
            obs.legacy_mfa_required = false;
        }
    }
}

/// Reads a mapped headers or body value the way automatic matching reads
/// one under `request` / `response`, and takes what it finds into `obs`.
fn read_like_automatic(column: Column, value: Value, status: Option<u16>, obs: &mut Observation) {
    let mut inner = Map::new();
    let (side, key) = match column {
        Column::RequestHeaders => ("request", "headers"),
        Column::ResponseHeaders => ("response", "response_headers"),
        _ => ("response", "body"),
    };
    if side == "response" {
        inner.insert("status".into(), json!(status));
    }
    inner.insert(key.into(), value);
    let mut synthetic = Map::new();
    synthetic.insert(side.into(), Value::Object(inner));
    let found = read_http_object(&synthetic);
    if found.bearer.is_some() {
        obs.bearer = found.bearer;
    }
    if found.error_code.is_some() {
        obs.error_code = found.error_code;
    }
    if found.is_mfa_compliant.is_some() {
        obs.is_mfa_compliant = found.is_mfa_compliant;
    }
    obs.legacy_mfa_required |= found.legacy_mfa_required;
    for (slot, value) in [
        (&mut obs.correlation_id, found.correlation_id),
        (&mut obs.request_id, found.request_id),
        (&mut obs.user_agent, found.user_agent),
    ] {
        if value.is_some() {
            *slot = value;
        }
    }
}

fn column_named(name: &str) -> Result<Column, FieldMapError> {
    Column::from_name(name).ok_or_else(|| FieldMapError::UnknownColumn {
        name: name.to_string(),
        valid: Column::names(),
    })
}

/// Drops a trailing `# comment` (outside any quotes).
fn strip_comment(text: &str) -> &str {
    let mut quote = None;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), c) if c == q && !escaped => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => return text[..at].trim_end(),
            _ => {}
        }
        escaped = false;
    }
    text.trim_end()
}

/// A TOML basic (`"..."`) or literal (`'...'`) string, then an optional comment.
fn parse_toml_string(text: &str) -> Option<String> {
    let text = strip_comment(text);
    if let Some(inner) = text.strip_prefix('\'') {
        let inner = inner.strip_suffix('\'')?;
        return (!inner.contains('\'')).then(|| inner.to_string());
    }
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                c @ ('"' | '\\') => out.push(c),
                _ => return None,
            },
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
#[path = "field_map_tests.rs"]
mod tests;
