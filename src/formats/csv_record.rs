//! CSV exports with a header row (Log Analytics, Application Insights,
//! spreadsheets): recognised by a header naming known columns, each data row
//! read as a record whose fields are the columns.
//!
//! Column names are matched the way JSON field names are (case and `_`, `-`,
//! `.`, space ignored), after dropping Log Analytics' unit suffix
//! (`TimeGenerated [UTC]` is `TimeGenerated`; times are then read as UTC,
//! whatever the bracket says). Cells holding JSON (Log Analytics' dynamic
//! columns: `BackendRequestHeaders`, `Properties`, `Details`) are read as
//! JSON; empty cells are absent fields. The header decides once which reader
//! reads the rows (APIM gateway logs, Application Insights tables, Entra ID
//! sign-in tables, or any other HTTP log). A row with more or fewer cells
//! than the header is rejected as `ragged_row`.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::apim::is_apim_columns;
use super::app_insights::{table_of_columns, Table};
use super::keys::normalize_key;
use super::{read_object, FieldMap, Format, Framing, Parsed, RecordKind};
use crate::event::RejectReason;

/// Cells holding JSON are parsed only below this size.
const MAX_JSON_CELL: usize = 1 << 20;

/// Delimiters pcmfa recognises: comma (Log Analytics, US spreadsheets),
/// semicolon (spreadsheets in locales with a decimal comma), tab.
const DELIMITERS: &[u8] = b",;\t";

/// Columns that say "this table logs HTTP calls" (normalised names).
const KNOWN_COLUMNS: &[&str] = &[
    "timegenerated",
    "timestamp",
    "time",
    "date",
    "datetime",
    "url",
    "requesturl",
    "uri",
    "requesturi",
    "host",
    "path",
    "method",
    "httpmethod",
    "status",
    "statuscode",
    "responsecode",
    "resultcode",
    "httpstatus",
    "backendurl",
    "backendmethod",
    "backendresponsecode",
    "requestheaders",
    "responseheaders",
    "responsebody",
    "apimsubscriptionid",
    "target",
    "data",
    "name",
    "dependencytype",
    "success",
    "durationms",
    "duration",
    "operationid",
    "operationname",
    "correlationid",
    "requestid",
    "useragent",
    "message",
    "severitylevel",
    "outermessage",
    "problemid",
    "approlename",
    "cloudrolename",
    "authorization",
    "appid",
    "resourceidentity",
    "authenticationrequirement",
    "resulttype",
];

/// A CSV file's header row: column names and the reader for its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvHeader {
    /// Column names, unit suffixes dropped.
    pub names: Vec<String>,
    pub delimiter: u8,
    /// How each row is read.
    pub kind: RecordKind,
}

impl CsvHeader {
    /// Reads a header row; `forced` is the record kind `--format` asked for,
    /// or [`RecordKind::Auto`] to decide from the columns.
    pub fn parse(bytes: &[u8], delimiter: u8, forced: RecordKind) -> Option<CsvHeader> {
        let cells = split_record(bytes, delimiter);
        let names: Vec<String> = cells
            .iter()
            .map(|cell| std::str::from_utf8(cell).map(column_name))
            .collect::<Result<_, _>>()
            .ok()?;
        let kind = match forced {
            RecordKind::Auto => kind_of_columns(&names),
            kind => kind,
        };
        Some(CsvHeader {
            names,
            delimiter,
            kind,
        })
    }

    /// The `format` label of this file's rows.
    pub fn label(&self) -> &'static str {
        super::format_label(Framing::Csv, self.kind)
    }
}

/// `TimeGenerated [UTC]` -> `TimeGenerated`; trims spaces and a BOM.
fn column_name(cell: &str) -> String {
    let cell = cell.trim_start_matches('\u{feff}').trim();
    let cell = match cell.rfind(" [") {
        Some(at) if cell.ends_with(']') => &cell[..at],
        _ => cell,
    };
    cell.trim().to_string()
}

/// The reader for rows with these columns.
fn kind_of_columns(names: &[String]) -> RecordKind {
    let normalised: Vec<String> = names.iter().map(|n| normalize_key(n)).collect();
    let has = |name: &str| normalised.iter().any(|n| n == name);
    if is_apim_columns(has) {
        return RecordKind::Apim;
    }
    match table_of_columns(has) {
        Some(Table::Dependencies) => RecordKind::AppDependency,
        Some(Table::Traces) => RecordKind::AppTrace,
        Some(Table::Exceptions) => RecordKind::AppException,
        // Log Analytics `SigninLogs` (and its siblings): checked after the
        // Application Insights tables, whose classic form also has `appId`.
        None if has("appid")
            && (has("resourceidentity") || has("resourcedisplayname"))
            && (has("authenticationrequirement") || has("resulttype") || has("status")) =>
        {
            RecordKind::SignIn
        }
        None => RecordKind::Http,
    }
}

/// The delimiter of a CSV head: the one whose first line names the most
/// known columns (comma on a tie).
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = first_line(head);
    DELIMITERS
        .iter()
        .copied()
        .max_by_key(|&d| {
            let known = header_cells(line, d).map_or(0, |cells| known_count(&cells));
            // Prefer the earlier delimiter on a tie.
            (
                known,
                std::cmp::Reverse(DELIMITERS.iter().position(|x| *x == d)),
            )
        })
        .unwrap_or(b',')
}

/// Known columns that say what was called or what happened (a spreadsheet
/// with only `Name` and `Date` is not a log).
const LOCATOR_COLUMNS: &[&str] = &[
    "url",
    "requesturl",
    "uri",
    "requesturi",
    "host",
    "path",
    "backendurl",
    "target",
    "data",
    "message",
    "outermessage",
    "authorization",
    "resourceidentity",
];

/// True when the head starts with a CSV header row: at least two name-like
/// cells, two of which are columns pcmfa knows, one of them naming what was
/// called or what happened.
pub fn looks_like_csv(head: &[u8]) -> bool {
    let line = first_line(head);
    let delimiter = sniff_delimiter(head);
    header_cells(line, delimiter).is_some_and(|cells| {
        let locator = cells
            .iter()
            .any(|n| LOCATOR_COLUMNS.contains(&normalize_key(n).as_str()));
        cells.len() >= 2 && known_count(&cells) >= 2 && locator
    })
}

fn first_line(head: &[u8]) -> &[u8] {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let line = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The cells of a header line when every one looks like a column name
/// (letters, digits, `_ - . @ :`, spaces, an optional ` [unit]` suffix).
fn header_cells(line: &[u8], delimiter: u8) -> Option<Vec<String>> {
    let cells = split_record(line, delimiter);
    let mut names = Vec::with_capacity(cells.len());
    for cell in cells.iter() {
        let name = column_name(std::str::from_utf8(cell).ok()?);
        let name_like = !name.is_empty()
            && name.len() <= 100
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '@')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | ':' | ' '));
        if !name_like {
            return None;
        }
        names.push(name);
    }
    Some(names)
}

fn known_count(names: &[String]) -> usize {
    names
        .iter()
        .filter(|n| KNOWN_COLUMNS.contains(&normalize_key(n).as_str()))
        .count()
}

/// The cells of one CSV record (quotes removed, `""` unescaped).
///
/// Same rules as the framer (RFC 4180): a quote opens a quoted cell only at
/// the cell's start, `""` inside it is one quote, and text after its closing
/// quote belongs to the cell. Cells without escapes are borrowed.
fn split_record(bytes: &[u8], delimiter: u8) -> Vec<Cow<'_, [u8]>> {
    let mut cells = Vec::new();
    let mut at = 0;
    loop {
        let end = if bytes.get(at) == Some(&b'"') {
            let (cell, after) = quoted_cell(bytes, at + 1);
            let end = memchr::memchr(delimiter, &bytes[after..]).map_or(bytes.len(), |d| after + d);
            cells.push(match cell {
                Cow::Borrowed(inner) if end == after => Cow::Borrowed(inner),
                cell => {
                    let mut owned = cell.into_owned();
                    owned.extend_from_slice(&bytes[after..end]);
                    Cow::Owned(owned)
                }
            });
            end
        } else {
            let end = memchr::memchr(delimiter, &bytes[at..]).map_or(bytes.len(), |d| at + d);
            cells.push(Cow::Borrowed(&bytes[at..end]));
            end
        };
        if end >= bytes.len() {
            return cells;
        }
        at = end + 1;
        if at == bytes.len() {
            // A trailing delimiter ends an empty last cell.
            cells.push(Cow::Borrowed(&[]));
            return cells;
        }
    }
}

/// The content of the quoted cell starting at `from` (just after its opening
/// quote), and the position after its closing quote (the end if none).
fn quoted_cell(bytes: &[u8], from: usize) -> (Cow<'_, [u8]>, usize) {
    let mut owned: Option<Vec<u8>> = None;
    let mut at = from;
    loop {
        let Some(found) = memchr::memchr(b'"', &bytes[at..]) else {
            // Never closed: the framer cuts such records short; be lenient here.
            return match owned {
                Some(mut cell) => {
                    cell.extend_from_slice(&bytes[at..]);
                    (Cow::Owned(cell), bytes.len())
                }
                None => (Cow::Borrowed(&bytes[from..]), bytes.len()),
            };
        };
        let quote = at + found;
        if bytes.get(quote + 1) == Some(&b'"') {
            // `""`: one literal quote.
            owned
                .get_or_insert_with(|| bytes[from..at].to_vec())
                .extend_from_slice(&bytes[at..=quote]);
            at = quote + 2;
            continue;
        }
        return match owned {
            Some(mut cell) => {
                cell.extend_from_slice(&bytes[at..quote]);
                (Cow::Owned(cell), quote + 1)
            }
            None => (Cow::Borrowed(&bytes[from..quote]), quote + 1),
        };
    }
}

/// Reads one data row of a file with this header.
pub fn parse_csv_record(bytes: &[u8], header: &CsvHeader) -> Parsed {
    parse_csv_record_mapped(bytes, header, &FieldMap::EMPTY)
}

/// [`parse_csv_record`], with the user's `--field` mapping (paths start at
/// a column's name) applied to HTTP rows.
pub fn parse_csv_record_mapped(bytes: &[u8], header: &CsvHeader, fields: &FieldMap) -> Parsed {
    match row_object(bytes, header) {
        Ok(record) => read_object(
            &record,
            Format {
                framing: Framing::Csv,
                records: header.kind,
            },
            fields,
        ),
        Err(reason) => Parsed::Reject(reason),
    }
}

/// A data row as a JSON object: column name -> cell (empty cells left out,
/// cells holding JSON parsed).
pub fn row_object(bytes: &[u8], header: &CsvHeader) -> Result<Map<String, Value>, RejectReason> {
    let cells = split_record(bytes, header.delimiter);
    if cells.len() != header.names.len() {
        return Err(RejectReason::RaggedRow);
    }
    let mut record = Map::new();
    for (name, cell) in header.names.iter().zip(cells.iter()) {
        let Ok(text) = std::str::from_utf8(cell) else {
            return Err(RejectReason::InvalidUtf8);
        };
        if text.contains('\0') {
            return Err(RejectReason::InvalidUtf8);
        }
        if text.trim().is_empty() {
            continue;
        }
        record.insert(name.clone(), cell_value(text));
    }
    Ok(record)
}

/// A cell as a JSON value: JSON objects and arrays kept as text are parsed.
fn cell_value(text: &str) -> Value {
    let trimmed = text.trim();
    if trimmed.len() < MAX_JSON_CELL && (trimmed.starts_with('{') || trimmed.starts_with('[')) {
        if let Ok(value @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str(trimmed) {
            return value;
        }
    }
    Value::String(text.to_string())
}

#[cfg(test)]
#[path = "csv_record_tests.rs"]
mod tests;
