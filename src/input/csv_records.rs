//! Cuts a CSV byte stream into chunks of whole records for parallel parsing.
//!
//! A CSV record ends at a newline outside quotes: a quoted cell may hold
//! newlines, delimiters and doubled quotes (`""`), as Log Analytics and
//! spreadsheets write JSON and stack traces into cells. The framer follows
//! RFC 4180 quoting (a quote opens a quoted cell only at the start of a cell)
//! without splitting cells; workers split each record. Records are numbered
//! from 0, so the header row is record 0 and data rows count from 1; blank
//! lines are not records. A record longer than the cap is never buffered: it
//! is listed as too large and the records after it are read as usual. The
//! input ending inside a quoted cell cuts that record short.

use std::io::{self, Read};
use std::ops::Range;

/// Whole records: their bytes and numbers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CsvChunk {
    /// The records' bytes, back to back.
    pub data: Vec<u8>,
    /// Each record in order: its number (0 = the first record of the input)
    /// and its bytes in `data` without the line end, or `None` when it was
    /// longer than the cap (its bytes are not kept).
    pub records: Vec<(u64, Option<Range<usize>>)>,
    /// A last record cut short: the input ended inside a quoted cell, or a
    /// read error came before its end. Not in `data`.
    pub cut_short: Option<u64>,
}

/// Where the scanner stands within the current record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    CellStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: either the first of `""` or its end.
    QuoteInQuoted,
}

/// Reads whole-record chunks of about `target_bytes` from a reader.
pub struct CsvChunker<R: Read> {
    reader: R,
    delimiter: u8,
    target_bytes: usize,
    max_record_bytes: usize,
    /// Complete records of the chunk being built, then the current record.
    pending: Vec<u8>,
    records: Vec<(u64, Option<Range<usize>>)>,
    /// Start of the current (unfinished) record in `pending`.
    record_start: usize,
    /// How far `pending` has been scanned.
    scanned: usize,
    state: State,
    /// Number of the current record.
    number: u64,
    /// The current record is over the cap: its bytes are dropped as read.
    skipping: bool,
    at_start: bool,
    done: bool,
    /// A read error to report after the records before it.
    error: Option<io::Error>,
}

const READ_BYTES: usize = 256 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<R: Read> CsvChunker<R> {
    pub fn new(reader: R, delimiter: u8, target_bytes: usize, max_record_bytes: usize) -> Self {
        CsvChunker {
            reader,
            delimiter,
            target_bytes: target_bytes.max(1),
            max_record_bytes: max_record_bytes.max(1),
            pending: Vec::new(),
            records: Vec::new(),
            record_start: 0,
            scanned: 0,
            state: State::CellStart,
            number: 0,
            skipping: false,
            at_start: true,
            done: false,
            error: None,
        }
    }

    /// The next chunk; `None` at the end. A read error ends the stream: the
    /// whole records before it come first (the cut one named in
    /// [`CsvChunk::cut_short`]), then the error, then `None`.
    pub fn next_chunk(&mut self) -> Option<io::Result<CsvChunk>> {
        if self.done {
            return self.error.take().map(Err);
        }
        loop {
            if self.record_start >= self.target_bytes {
                return Some(Ok(self.take(None)));
            }
            let old_len = self.pending.len();
            self.pending.resize(old_len + READ_BYTES, 0);
            let n = match self.reader.read(&mut self.pending[old_len..]) {
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {
                    self.pending.truncate(old_len);
                    continue;
                }
                Err(err) => {
                    self.pending.truncate(old_len);
                    self.done = true;
                    let cut = self.skipping || !self.current_is_blank();
                    self.error = Some(err);
                    return Some(Ok(self.take(cut.then_some(self.number))));
                }
            };
            self.pending.truncate(old_len + n);
            if n == 0 {
                self.done = true;
                return self.finish();
            }
            if self.at_start {
                if self.pending.len() < BOM.len() && BOM.starts_with(&self.pending) {
                    continue;
                }
                self.at_start = false;
                if self.pending.starts_with(BOM) {
                    self.pending.drain(..BOM.len());
                }
            }
            self.scan();
        }
    }

    /// The end of the input: the last record may lack its line end.
    fn finish(&mut self) -> Option<io::Result<CsvChunk>> {
        let mut cut = None;
        if matches!(self.state, State::Quoted) {
            // The input ended inside a quoted cell.
            cut = Some(self.number);
        } else if self.skipping {
            self.records.push((self.number, None));
        } else if !self.current_is_blank() {
            let end = self.pending.len();
            self.pending.push(b'\n');
            self.end_record(end);
        }
        if self.records.is_empty() && cut.is_none() {
            return None;
        }
        self.pending.truncate(self.record_start);
        Some(Ok(self.take(cut)))
    }

    fn current_is_blank(&self) -> bool {
        self.pending
            .get(self.record_start..)
            .is_none_or(|rest| rest.iter().all(u8::is_ascii_whitespace))
    }

    /// Advances over the newly read bytes, ending records at newlines outside quotes.
    fn scan(&mut self) {
        let mut at = self.scanned.max(self.record_start);
        while at < self.pending.len() {
            let rest = &self.pending[at..];
            match self.state {
                State::Quoted => match memchr::memchr(b'"', rest) {
                    Some(i) => {
                        at += i + 1;
                        self.state = State::QuoteInQuoted;
                    }
                    None => at = self.pending.len(),
                },
                State::Unquoted => match memchr::memchr2(self.delimiter, b'\n', rest) {
                    Some(i) => {
                        at += i;
                        at = self.after_plain_byte(at);
                    }
                    None => at = self.pending.len(),
                },
                State::CellStart | State::QuoteInQuoted => {
                    let byte = rest[0];
                    if byte == b'"' {
                        // Opens a quoted cell, or is the second quote of `""`.
                        self.state = State::Quoted;
                        at += 1;
                    } else {
                        at = self.after_plain_byte(at);
                    }
                }
            }
        }
        self.scanned = at;
        if !self.skipping && self.pending.len() - self.record_start > self.max_record_bytes {
            self.skipping = true;
        }
        if self.skipping {
            self.pending.truncate(self.record_start);
            self.scanned = self.record_start;
        }
    }

    /// Handles the unquoted byte at `at`; returns where scanning goes on.
    fn after_plain_byte(&mut self, at: usize) -> usize {
        match self.pending[at] {
            b'\n' => self.end_record(at),
            b if b == self.delimiter => {
                self.state = State::CellStart;
                at + 1
            }
            _ => {
                self.state = State::Unquoted;
                at + 1
            }
        }
    }

    /// Ends the current record at the newline at `newline`; returns where
    /// scanning goes on.
    fn end_record(&mut self, newline: usize) -> usize {
        self.state = State::CellStart;
        let start = self.record_start;
        let mut end = newline;
        if end > start && self.pending[end - 1] == b'\r' {
            end -= 1;
        }
        if self.skipping || end - start > self.max_record_bytes {
            self.records.push((self.number, None));
            self.number += 1;
            self.skipping = false;
            self.pending.drain(start..=newline);
            return start;
        }
        if !self.pending[start..end].iter().all(u8::is_ascii_whitespace) {
            self.records.push((self.number, Some(start..end)));
            self.number += 1;
        }
        self.record_start = newline + 1;
        self.record_start
    }

    /// Hands out the complete records, keeping the current one.
    fn take(&mut self, cut_short: Option<u64>) -> CsvChunk {
        let rest = self.pending.split_off(self.record_start);
        let data = std::mem::replace(&mut self.pending, rest);
        self.scanned -= self.record_start.min(self.scanned);
        self.record_start = 0;
        CsvChunk {
            data,
            records: std::mem::take(&mut self.records),
            cut_short,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_readers::{FailAfter, Trickle};

    /// Every record as (number, text or None when too large), and the cut one.
    fn frame(
        data: &[u8],
        step: usize,
        target: usize,
        max: usize,
    ) -> (Vec<(u64, Option<String>)>, Option<u64>) {
        let mut chunker = CsvChunker::new(Trickle { data, step }, b',', target, max);
        let mut records = Vec::new();
        let mut cut = None;
        while let Some(chunk) = chunker.next_chunk() {
            let chunk = chunk.expect("read");
            for (number, range) in chunk.records {
                let text = range.map(|r| String::from_utf8_lossy(&chunk.data[r]).into_owned());
                records.push((number, text));
            }
            cut = cut.or(chunk.cut_short);
        }
        (records, cut)
    }

    #[test]
    fn quoted_newlines_delimiters_and_doubled_quotes_stay_in_their_record() {
        let data = "\u{feff}TimeGenerated [UTC],Message,ResultCode\r\n\
                    \"4/2/2026, 8:15:03.123 AM\",\"line one\r\nline \"\"two\"\", with comma\",401\r\n\
                    \r\n\
                    \"4/2/2026, 8:15:04.000 AM\",\"{\"\"code\"\":900421}\",401\r\n\
                    plain,a\"b,200";
        let want =
            vec![
            (0, Some("TimeGenerated [UTC],Message,ResultCode".to_string())),
            (
                1,
                Some(
                    "\"4/2/2026, 8:15:03.123 AM\",\"line one\r\nline \"\"two\"\", with comma\",401"
                        .to_string(),
                ),
            ),
            (
                2,
                Some("\"4/2/2026, 8:15:04.000 AM\",\"{\"\"code\"\":900421}\",401".to_string()),
            ),
            (3, Some("plain,a\"b,200".to_string())),
        ];
        for step in [1, 2, 3, 7, 1 << 20] {
            for target in [1, 16, 1 << 20] {
                let (records, cut) = frame(data.as_bytes(), step, target, 1000);
                assert_eq!(records, want, "step {step} target {target}");
                assert_eq!(cut, None);
            }
        }
    }

    #[test]
    fn over_long_records_are_dropped_and_the_rest_read() {
        let long = "x".repeat(50);
        let data = format!("h1,h2\nok,1\n\"{long}\n{long}\",2\nok,3\n{long},4\nok,5\n");
        for step in [1, 5, 64, 1 << 20] {
            let (records, cut) = frame(data.as_bytes(), step, 8, 20);
            assert_eq!(
                records,
                vec![
                    (0, Some("h1,h2".into())),
                    (1, Some("ok,1".into())),
                    (2, None),
                    (3, Some("ok,3".into())),
                    (4, None),
                    (5, Some("ok,5".into())),
                ],
                "step {step}"
            );
            assert_eq!(cut, None);
        }
    }

    #[test]
    fn input_ending_inside_quotes_cuts_the_last_record() {
        let (records, cut) = frame(b"a,b\n1,2\n3,\"never closed\n4,5\n", 3, 1 << 20, 100);
        assert_eq!(
            records,
            vec![(0, Some("a,b".into())), (1, Some("1,2".into()))]
        );
        assert_eq!(cut, Some(2));
        // The same, when the unclosed cell is also over the cap.
        let long = format!("a,b\n\"{}", "y".repeat(500));
        let (records, cut) = frame(long.as_bytes(), 7, 1 << 20, 100);
        assert_eq!(records, vec![(0, Some("a,b".into()))]);
        assert_eq!(cut, Some(1));
    }

    #[test]
    fn read_error_keeps_whole_records_then_reports() {
        let mut chunker = CsvChunker::new(FailAfter(b"a,b\n1,\"2\n3"), b',', 1 << 20, 100);
        let chunk = chunker.next_chunk().expect("chunk").expect("records first");
        assert_eq!(chunk.records, vec![(0, Some(0..3))]);
        assert_eq!(chunk.cut_short, Some(1));
        assert!(chunker.next_chunk().expect("error").is_err());
        assert!(chunker.next_chunk().is_none());
    }

    #[test]
    fn empty_input_gives_no_chunk_and_other_delimiters_work() {
        assert_eq!(frame(b"", 1, 8, 10), (Vec::new(), None));
        let mut chunker = CsvChunker::new(&b"a;b\n\"x;\ny\";2\n"[..], b';', 1 << 20, 100);
        let chunk = chunker.next_chunk().expect("chunk").expect("read");
        assert_eq!(chunk.records, vec![(0, Some(0..3)), (1, Some(4..12))]);
    }
}
