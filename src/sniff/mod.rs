//! `pcmfa sniff`: how pcmfa reads a file, shown record by record.
//!
//! A user whose file was read in a surprising way (skipped, all `other`,
//! `unknown` verdicts) needs to see what pcmfa saw: the format it
//! recognised and why, then for the first records which field fed each
//! column and the verdict and evidence each would get in a scan. This module
//! returns that as data ([`FileSniff`]); the binary prints it. Values that
//! could hold a secret never leave here: a token is described by its size and
//! whether its claims decode, URLs and paths lose their query strings, and
//! bodies and headers are never shown.

pub mod sources;

use std::io::{Cursor, Read};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde_json::Value;

use crate::classify::hosts::split_url;
use crate::classify::{classify_with, Origin};
use crate::event::{Observation, RejectReason};
use crate::formats::csv_record::{parse_csv_record_mapped, row_object, sniff_delimiter, CsvHeader};
use crate::formats::field_map::{Column, FieldMap};
use crate::formats::timestamp::format_iso;
use crate::formats::{
    detect, format_label, not_a_log, parse_record_mapped, Detection, Format, Framing, Parsed,
    RecordKind, DOCUMENT_PATHS, HAR_PATHS,
};
use crate::formats::{is_w3c_directive, parse_w3c_record, StartRule, W3cFields};
use crate::input::json_array::{ElementError, JsonArrayFramer};
use crate::input::{
    discover, open, read_head, replay, split_groups, CsvChunker, GroupFramer, Head, InputFile,
    LineChunker, HEAD_BYTES,
};
use crate::prefilter::Prefilter;
use crate::token::{BearerToken, TokenCache};
use crate::vocab::{AuthMode, Evidence, MfaClaim, Verdict};
pub use sources::Source;

/// Bytes read to recognise a file, as a scan does.
/// Shown values are cut to this many characters.
const MAX_SHOWN: usize = 120;

/// What to sniff and how.
#[derive(Debug, Clone)]
pub struct SniffOptions {
    /// Records shown per file.
    pub records: usize,
    /// Read every input as this format instead of recognising it.
    pub format: Option<Format>,
    pub fields: FieldMap,
    pub max_record_bytes: usize,
}

impl Default for SniffOptions {
    fn default() -> Self {
        SniffOptions {
            records: 5,
            format: None,
            fields: FieldMap::default(),
            max_record_bytes: 16 << 20,
        }
    }
}

/// What sniffing one input found.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSniff {
    pub path: String,
    /// `none`, `gzip` or `zstd`; empty when the input could not be opened.
    pub compression: &'static str,
    pub outcome: FileOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileOutcome {
    /// The input cannot be opened or read.
    Unreadable(String),
    /// Not a format pcmfa reads: a scan lists it under `skipped` with this reason.
    Skipped(String),
    /// Read as `format`.
    Read {
        format: &'static str,
        /// Why this format: what the first bytes showed.
        why: String,
        records: Vec<RecordSniff>,
        /// Set when reading stopped early (a read error, a cut document).
        stopped: Option<String>,
    },
}

/// One record as a scan would read it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSniff {
    /// 1-based line number or array element, as `source_record`.
    pub number: u64,
    pub outcome: RecordOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RecordOutcome {
    /// Not a call but evidence about other records (a token request, a
    /// trace quoting 900421), as a scan reads it.
    SideEvidence { label: &'static str },
    /// A scan lists it in `rejects.csv` with this reason.
    Rejected(RejectReason),
    Read {
        /// The `format` label the record gets.
        label: &'static str,
        /// False when the record carries no Partner Center mark: a scan
        /// counts it as `other` without parsing it.
        marked: bool,
        /// Which field fed each column, and the value (made safe to show).
        columns: Vec<ColumnView>,
        /// The verdict; None when it is not a Partner Center event (`other`).
        judged: Option<Judged>,
    },
}

/// One column of a record: where its value came from and the value as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnView {
    pub column: Column,
    pub source: Source,
    pub shown: String,
}

/// What the classifier made of a Partner Center event.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub verdict: Verdict,
    pub evidence: Evidence,
    pub evidence_detail: Option<&'static str>,
    pub auth_mode: AuthMode,
    pub mfa_claim: MfaClaim,
    pub operation: Option<String>,
    pub integration: String,
}

/// Sniffs every input the arguments name (files, folders, globs, `-`), in
/// the order a scan reads them; arguments that name nothing are `Unreadable`.
pub fn sniff(inputs: &[String], options: &SniffOptions) -> Vec<FileSniff> {
    let discovery = discover(inputs, None);
    let mut out: Vec<FileSniff> = discovery
        .unreadable
        .into_iter()
        .map(|(path, reason)| FileSniff {
            path,
            compression: "",
            outcome: FileOutcome::Unreadable(reason),
        })
        .collect();
    out.extend(discovery.files.iter().map(|file| sniff_file(file, options)));
    out
}

/// Sniffs one input.
pub fn sniff_file(input: &InputFile, options: &SniffOptions) -> FileSniff {
    let path = input.display.to_string();
    let mut opened = match open(input, Arc::new(AtomicU64::new(0))) {
        Ok(opened) => opened,
        Err(err) => {
            return FileSniff {
                path,
                compression: "",
                outcome: FileOutcome::Unreadable(err.to_string()),
            }
        }
    };
    let compression = opened.compression.as_str();
    let done = |outcome| FileSniff {
        path: path.clone(),
        compression,
        outcome,
    };
    let Head {
        bytes: head,
        error,
        utf16,
    } = read_head(&mut opened.reader);
    if let (Some(err), true) = (&error, head.is_empty()) {
        return done(FileOutcome::Unreadable(err.to_string()));
    }
    let forced = options.format.filter(|_| not_a_log(&head).is_none());
    let (format, why) = match forced {
        Some(format) => (format, "forced with --format".to_string()),
        None => match detect(&head) {
            Detection::Recognised(format) => (format, explain(&head, format)),
            Detection::Unrecognised(reason) => {
                return done(FileOutcome::Skipped(reason.to_string()))
            }
        },
    };
    let delimiter = sniff_delimiter(&head);
    let why = match format.framing {
        Framing::Csv if forced.is_none() => explain_csv(&head, delimiter),
        _ => why,
    };
    let why = if utf16 {
        format!("UTF-16 text, transcoded; {why}")
    } else {
        why
    };
    // Kept for framing: a text log's first lines choose how lines group.
    let rule_head = head.clone();
    let head = Head {
        bytes: head,
        error,
        utf16,
    };
    let stream = replay(head, opened.reader);
    let framed = match first_records(&rule_head, stream, format, delimiter, options) {
        Ok(framed) => framed,
        Err(reason) => return done(FileOutcome::Skipped(reason)),
    };
    let prefilter = Prefilter::new();
    let mut tokens = TokenCache::default();
    let records: Vec<RecordSniff> = framed
        .records
        .into_iter()
        .map(|(number, bytes, w3c)| RecordSniff {
            number,
            outcome: match bytes {
                Err(reason) => RecordOutcome::Rejected(reason),
                Ok(bytes) => sniff_record(
                    &path,
                    number,
                    &bytes,
                    Reading {
                        format,
                        csv: framed.csv.as_ref(),
                        w3c: w3c.as_deref(),
                    },
                    options,
                    &prefilter,
                    &mut tokens,
                ),
            },
        })
        .collect();
    // As in summary.json: the file's format is its first record's label.
    let first_label = records.iter().find_map(|r: &RecordSniff| match r.outcome {
        RecordOutcome::Read { label, .. } => Some(label),
        RecordOutcome::Rejected(_) | RecordOutcome::SideEvidence { .. } => None,
    });
    done(FileOutcome::Read {
        format: first_label.unwrap_or(format_label(format.framing, resolved(format.records))),
        why,
        records,
        stopped: framed.stopped,
    })
}

fn resolved(kind: RecordKind) -> RecordKind {
    match kind {
        RecordKind::Auto => RecordKind::Http,
        kind => kind,
    }
}

/// How a record is read: its format, and a CSV file's header or the W3C
/// `#Fields:` in force.
struct Reading<'a> {
    format: Format,
    csv: Option<&'a CsvHeader>,
    w3c: Option<&'a W3cFields>,
}

fn sniff_record(
    path: &str,
    number: u64,
    bytes: &[u8],
    reading: Reading<'_>,
    options: &SniffOptions,
    prefilter: &Prefilter,
    tokens: &mut TokenCache,
) -> RecordOutcome {
    let marked = prefilter.may_be_partner_center(bytes);
    let Reading { format, csv, w3c } = reading;
    let parsed = match (csv, w3c) {
        (Some(header), _) => parse_csv_record_mapped(bytes, header, &options.fields),
        (None, Some(fields)) => parse_w3c_record(bytes, fields),
        (None, None) => parse_record_mapped(bytes, format, &options.fields),
    };
    let (observation, label) = match parsed {
        Parsed::Reject(reason) if marked => return RecordOutcome::Rejected(reason),
        Parsed::Reject(_) => {
            // Unreadable but unmarked: a scan counts it as `other` unparsed.
            return RecordOutcome::Read {
                label: format_label(format.framing, resolved(format.records)),
                marked,
                columns: Vec::new(),
                judged: None,
            };
        }
        Parsed::Event(observation, label) => (*observation, label),
        // A token request or a trace quoting 900421: evidence about other calls.
        Parsed::SideEvidence(_, label) => return RecordOutcome::SideEvidence { label },
    };
    let record = match csv {
        Some(header) => row_object(bytes, header).ok(),
        None => match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(record)) => Some(record),
            _ => None,
        },
    };
    let sources = match record {
        Some(record) => sources::column_sources(&record, &observation, &options.fields),
        // A text record: its reader split it; no JSON path to name.
        _ => Column::ALL.iter().map(|&c| (c, Source::Text)).collect(),
    };
    let columns = sources
        .into_iter()
        .filter_map(|(column, source)| {
            shown(column, &observation).map(|shown| ColumnView {
                column,
                source,
                shown,
            })
        })
        .collect();
    let origin = Origin {
        source_file: Arc::from(path),
        source_record: number,
        format: label,
    };
    let judged = classify_with(observation, &origin, tokens).map(|call| Judged {
        verdict: call.verdict,
        evidence: call.evidence,
        evidence_detail: call.evidence_detail,
        auth_mode: call.auth_mode,
        mfa_claim: call.mfa_claim,
        operation: call.operation,
        integration: safe(&call.integration),
    });
    RecordOutcome::Read {
        label,
        marked,
        columns,
        judged,
    }
}

/// A column's value as sniff may show it; None when the observation lacks it.
fn shown(column: Column, obs: &Observation) -> Option<String> {
    let text = |value: &Option<String>| value.as_deref().map(safe);
    Some(match column {
        Column::Timestamp => format_iso(obs.time?),
        Column::Url => without_query(obs.url.as_deref()?),
        Column::Host => text(&obs.host)?,
        Column::Method => text(&obs.method)?,
        Column::Path => without_query(obs.path.as_deref()?),
        Column::Status => obs.status?.to_string(),
        Column::Authorization => describe_token(obs.bearer.as_ref()?),
        Column::ErrorCode => text(&obs.error_code)?,
        Column::IsMfaCompliant => obs.is_mfa_compliant?.to_string(),
        Column::AppId => text(&obs.app_id)?,
        Column::AppName => text(&obs.app_name)?,
        Column::TenantId => text(&obs.tenant_id)?,
        Column::Principal => text(&obs.principal)?,
        Column::CorrelationId => text(&obs.correlation_id)?,
        Column::RequestId => text(&obs.request_id)?,
        Column::UserAgent => text(&obs.user_agent)?,
        Column::RequestHeaders | Column::ResponseHeaders | Column::ResponseBody => return None,
    })
}

/// `<bearer token: 1234 bytes, claims decoded>`: never the token.
fn describe_token(token: &BearerToken) -> String {
    match token.claims() {
        Ok(_) => format!("<bearer token: {} bytes, claims decoded>", token.byte_len()),
        Err(err) => format!(
            "<bearer token: {} bytes, claims not readable: {}>",
            token.byte_len(),
            err.reason()
        ),
    }
}

/// Host and path of a URL; the query string (which may hold a secret) and
/// any user info are dropped.
fn without_query(url: &str) -> String {
    let (host, path) = split_url(url);
    let had_query = url.contains('?');
    let mut out = format!("{}{}", host.unwrap_or_default(), path.unwrap_or_default());
    if had_query {
        out.push_str("?<query hidden>");
    }
    safe(&out)
}

/// Control characters replaced (no terminal escapes), cut to [`MAX_SHOWN`].
fn safe(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(MAX_SHOWN)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().count() > MAX_SHOWN {
        out.push('…');
    }
    out
}

/// What the first bytes showed, for a recognised format.
fn explain(head: &[u8], format: Format) -> String {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match (format.framing, format.records) {
        (Framing::Csv, _) => "a CSV file with a header row".to_string(),
        (Framing::W3c, _) => {
            "W3C extended log: lines read with the #Fields: directive above them".to_string()
        }
        (Framing::LineGroups, _) => match StartRule::sniff(head) {
            StartRule::Headers => "text log: a record starts at a line opening with a timestamp or level, the lines after it join it".to_string(),
            StartRule::EachLine => "text log: one record per line, indented lines joining the one above".to_string(),
        },
        (Framing::Lines, kind) if is_text_kind(kind) => {
            format!("text access log lines ({})", format_label(Framing::Lines, kind))
        }
        (Framing::Document, RecordKind::Har) => {
            "a JSON document with log.version and log.entries[] (HAR)".to_string()
        }
        (Framing::Document, _) => {
            let at = DOCUMENT_PATHS.iter().find(|path| {
                let framer = JsonArrayFramer::new(Cursor::new(head), &[*path], usize::MAX);
                matches!(
                    framer.into_iter().next(),
                    Some(Ok(_) | Err(ElementError::Truncated { .. }))
                )
            });
            match at {
                Some([]) => "a JSON document that is an array of records".into(),
                Some(path) => format!("a JSON document with its records in {}[]", path.join(".")),
                None => "a JSON document (its record array is past the first 64 KiB)".into(),
            }
        }
        (Framing::Lines, _) => {
            let first = head
                .split(|b| *b == b'\n')
                .find(|line| !line.trim_ascii().is_empty())
                .unwrap_or_default();
            match serde_json::from_slice::<Value>(first.trim_ascii()) {
                Ok(Value::Object(record)) => {
                    let keys: Vec<String> = record.keys().take(12).map(|k| safe(k)).collect();
                    let more = if record.len() > keys.len() {
                        ", ..."
                    } else {
                        ""
                    };
                    format!(
                        "one JSON object per line; the first has keys {}{more}",
                        keys.join(", ")
                    )
                }
                _ => "one JSON object per line (the first line is not one)".into(),
            }
        }
    }
}

/// Record kinds read from text lines, not JSON.
fn is_text_kind(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Envoy | RecordKind::Nginx | RecordKind::Iis | RecordKind::TextLog
    )
}

/// What a CSV head's header row shows.
fn explain_csv(head: &[u8], delimiter: u8) -> String {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let header = CsvHeader::parse(first.trim_ascii_end(), delimiter, RecordKind::Auto);
    let names = header.map_or_else(Vec::new, |h| h.names);
    let shown: Vec<String> = names.iter().take(12).map(|n| safe(n)).collect();
    let more = if names.len() > shown.len() {
        ", ..."
    } else {
        ""
    };
    let delimiter = match delimiter {
        b'\t' => "tab".to_string(),
        d => format!("'{}'", d as char),
    };
    format!(
        "CSV with a header row naming known columns (delimiter {delimiter}): {}{more}",
        shown.join(", ")
    )
}

/// The first records of a stream, framed as a scan frames them.
struct Framed {
    records: Vec<FramedRecord>,
    stopped: Option<String>,
    /// A CSV file's header row.
    csv: Option<CsvHeader>,
}

/// A record's number and bytes (or why it cannot be read), with the W3C
/// `#Fields:` in force for a W3C line.
type FramedRecord = (u64, Result<Vec<u8>, RejectReason>, Option<Arc<W3cFields>>);

/// Frames up to `options.records` records; `Err` with a skip reason when the
/// document turns out to hold no records.
fn first_records(
    head: &[u8],
    stream: Box<dyn Read>,
    format: Format,
    delimiter: u8,
    options: &SniffOptions,
) -> Result<Framed, String> {
    let want = options.records;
    let mut framed = Framed {
        records: Vec::new(),
        stopped: None,
        csv: None,
    };
    match format.framing {
        Framing::LineGroups => {
            let rule = StartRule::sniff(head);
            let starts = move |line: &[u8]| rule.starts_record(line);
            let mut framer = GroupFramer::new(stream, starts, HEAD_BYTES, options.max_record_bytes);
            while framed.records.len() < want {
                let chunk = match framer.next_chunk() {
                    None => break,
                    Some(Err(err)) => {
                        framed.stopped = Some(err.to_string());
                        break;
                    }
                    Some(Ok(chunk)) => chunk,
                };
                for (first, bytes) in split_groups(chunk.first_line, &chunk.data, starts) {
                    let last =
                        first + memchr::memchr_iter(b'\n', bytes).count().saturating_sub(1) as u64;
                    let long = chunk.long_lines.iter().any(|n| (first..=last).contains(n));
                    let record = if bytes.len() > options.max_record_bytes || long {
                        Err(RejectReason::TooLarge)
                    } else {
                        Ok(bytes.trim_ascii_end().to_vec())
                    };
                    framed.records.push((first, record, None));
                    if framed.records.len() == want {
                        break;
                    }
                }
            }
        }
        Framing::W3c => {
            let mut chunker = LineChunker::new(stream, HEAD_BYTES, options.max_record_bytes);
            let mut fields: Arc<W3cFields> = Arc::new(W3cFields::iis_default().clone());
            while framed.records.len() < want {
                let chunk = match chunker.next_chunk() {
                    None => break,
                    Some(Err(err)) => {
                        framed.stopped = Some(err.to_string());
                        break;
                    }
                    Some(Ok(chunk)) => chunk,
                };
                for (offset, line) in chunk.data.split_inclusive(|b| *b == b'\n').enumerate() {
                    let number = chunk.first_line + offset as u64;
                    let line = line.trim_ascii_end();
                    if chunk.too_large.contains(&number) {
                        framed
                            .records
                            .push((number, Err(RejectReason::TooLarge), None));
                    } else if is_w3c_directive(line) {
                        // Directives are headers, not records.
                        if let Some(set) = W3cFields::from_directive(line) {
                            fields = set;
                        }
                    } else if !line.is_empty() {
                        framed
                            .records
                            .push((number, Ok(line.to_vec()), Some(fields.clone())));
                    }
                    if framed.records.len() == want {
                        break;
                    }
                }
            }
        }
        Framing::Csv => {
            let mut chunker =
                CsvChunker::new(stream, delimiter, HEAD_BYTES, options.max_record_bytes);
            while framed.records.len() < want {
                let chunk = match chunker.next_chunk() {
                    None => break,
                    Some(Err(err)) => {
                        framed.stopped = Some(err.to_string());
                        break;
                    }
                    Some(Ok(chunk)) => chunk,
                };
                for (number, range) in &chunk.records {
                    let bytes = range.clone().and_then(|r| chunk.data.get(r));
                    if framed.csv.is_none() {
                        let header =
                            bytes.and_then(|b| CsvHeader::parse(b, delimiter, format.records));
                        match header {
                            Some(header) => framed.csv = Some(header),
                            None => return Err("CSV without a readable header row".into()),
                        }
                        continue;
                    }
                    let record = bytes.map(<[u8]>::to_vec).ok_or(RejectReason::TooLarge);
                    framed.records.push((*number, record, None));
                    if framed.records.len() == want {
                        break;
                    }
                }
                if let (Some(number), true) = (chunk.cut_short, framed.records.len() < want) {
                    framed
                        .records
                        .push((number, Err(RejectReason::Truncated), None));
                    framed.stopped = Some("CSV ends inside a quoted cell (truncated)".into());
                }
            }
        }
        Framing::Lines => {
            let mut chunker = LineChunker::new(stream, HEAD_BYTES, options.max_record_bytes);
            while framed.records.len() < want {
                let chunk = match chunker.next_chunk() {
                    None => break,
                    Some(Err(err)) => {
                        framed.stopped = Some(err.to_string());
                        break;
                    }
                    Some(Ok(chunk)) => chunk,
                };
                for (offset, line) in chunk.data.split_inclusive(|b| *b == b'\n').enumerate() {
                    let number = chunk.first_line + offset as u64;
                    if chunk.too_large.contains(&number) {
                        framed
                            .records
                            .push((number, Err(RejectReason::TooLarge), None));
                    } else {
                        let line = line.strip_suffix(b"\n").unwrap_or(line);
                        let line = line.strip_suffix(b"\r").unwrap_or(line);
                        if !line.iter().all(u8::is_ascii_whitespace) {
                            framed.records.push((number, Ok(line.to_vec()), None));
                        }
                    }
                    if framed.records.len() == want {
                        break;
                    }
                }
                if let (Some(number), true) = (chunk.cut_short, framed.records.len() < want) {
                    framed
                        .records
                        .push((number, Err(RejectReason::Truncated), None));
                }
            }
        }
        Framing::Document => {
            let paths = if format.records == RecordKind::Har {
                HAR_PATHS
            } else {
                DOCUMENT_PATHS
            };
            let framer = JsonArrayFramer::new(stream, paths, options.max_record_bytes);
            for item in framer.take(want) {
                match item {
                    Ok(element)
                        if framed.records.is_empty() && !element.bytes.starts_with(b"{") =>
                    {
                        return Err("JSON array of non-records".into())
                    }
                    Ok(element) => framed
                        .records
                        .push((element.index, Ok(element.bytes), None)),
                    Err(ElementError::TooLarge { index }) => {
                        framed
                            .records
                            .push((index, Err(RejectReason::TooLarge), None))
                    }
                    Err(ElementError::Truncated { index }) => {
                        framed
                            .records
                            .push((index, Err(RejectReason::Truncated), None));
                        framed.stopped = Some("document ends early (truncated)".into());
                    }
                    Err(ElementError::NoArray) => return Err("JSON without a record array".into()),
                    Err(ElementError::Io(message)) => framed.stopped = Some(message),
                }
            }
        }
    }
    Ok(framed)
}

#[cfg(test)]
mod tests;
