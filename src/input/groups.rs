//! Cuts a byte stream into chunks of whole multi-line records (a log line
//! and its stack trace), so that no record is split between two chunks.
//!
//! Built on [`LineChunker`]: each chunk of lines is cut before the last line
//! that starts a record, and the lines from there on are carried into the
//! next chunk, where the rest of that record arrives. Memory stays bounded:
//! a record whose carried lines pass the cap is dropped (its first line is
//! listed in [`GroupChunk::too_large`]) and the lines continuing it are
//! skipped until the next record starts.

use std::io::{self, Read};

use super::lines::LineChunker;

/// Whole records of lines, and the records dropped for size.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GroupChunk {
    /// 1-based number of the first line in `data`.
    pub first_line: u64,
    /// Complete records, each line ending in `\n`; the first line starts a
    /// record (or is the first line of the input).
    pub data: Vec<u8>,
    /// Lines (1-based) in `data` that stand for a line over the line cap:
    /// the record holding one is too large.
    pub long_lines: Vec<u64>,
    /// First lines (1-based) of records over the cap, not in `data`.
    pub too_large: Vec<u64>,
    /// A last line (1-based) cut short by a read error; not in `data`.
    pub cut_short: Option<u64>,
}

/// Reads chunks of whole records, a record starting at each line for which
/// `starts` is true.
pub struct GroupFramer<R: Read, F: Fn(&[u8]) -> bool> {
    lines: LineChunker<R>,
    starts: F,
    max_record_bytes: usize,
    /// The record still being read: its lines so far.
    carry: Vec<u8>,
    carry_first_line: u64,
    carry_long_lines: Vec<u64>,
    /// Dropping the lines of a record over the cap until the next one starts.
    skipping: bool,
    /// An error to hand out after the carried record.
    error: Option<io::Error>,
    done: bool,
}

impl<R: Read, F: Fn(&[u8]) -> bool> GroupFramer<R, F> {
    pub fn new(reader: R, starts: F, target_bytes: usize, max_record_bytes: usize) -> Self {
        GroupFramer {
            lines: LineChunker::new(reader, target_bytes, max_record_bytes),
            starts,
            max_record_bytes: max_record_bytes.max(1),
            carry: Vec::new(),
            carry_first_line: 1,
            carry_long_lines: Vec::new(),
            skipping: false,
            error: None,
            done: false,
        }
    }

    /// The next chunk; `None` at the end. A read error comes after the
    /// records before it, as in [`LineChunker::next_chunk`].
    pub fn next_chunk(&mut self) -> Option<io::Result<GroupChunk>> {
        loop {
            if self.done {
                return self.error.take().map(Err);
            }
            let lines = match self.lines.next_chunk() {
                None => {
                    self.done = true;
                    return self.flush_carry(None);
                }
                Some(Err(err)) => {
                    self.done = true;
                    self.error = Some(err);
                    if let Some(chunk) = self.flush_carry(None) {
                        return Some(chunk);
                    }
                    continue;
                }
                Some(Ok(lines)) => lines,
            };
            let mut data = lines.data;
            let mut first_line = lines.first_line;
            let mut long_lines = lines.too_large;
            if self.skipping {
                // Drop the rest of an over-cap record, up to the next start.
                match self.first_start(&data) {
                    Some((offset, skipped)) => {
                        data.drain(..offset);
                        first_line += skipped;
                        long_lines.retain(|n| *n >= first_line);
                        self.skipping = false;
                    }
                    None => data.clear(),
                }
            }
            // The carried lines hold no record start after their first line:
            // only the new lines need looking at.
            let mut scan_from = 0;
            if !data.is_empty() && !self.carry.is_empty() {
                scan_from = self.carry.len();
                let mut joined = std::mem::take(&mut self.carry);
                joined.extend_from_slice(&data);
                data = joined;
                first_line = self.carry_first_line;
                let mut joined_long = std::mem::take(&mut self.carry_long_lines);
                joined_long.extend(long_lines);
                long_lines = joined_long;
            } else if data.is_empty() && !self.carry.is_empty() {
                // Nothing new for the record in progress.
                data = std::mem::take(&mut self.carry);
                first_line = self.carry_first_line;
                long_lines = std::mem::take(&mut self.carry_long_lines);
            }
            let mut chunk = GroupChunk {
                first_line,
                cut_short: lines.cut_short,
                ..GroupChunk::default()
            };
            if lines.cut_short.is_some() {
                // The input ends here: every record read so far is complete.
                chunk.data = data;
                chunk.long_lines = long_lines;
                return Some(Ok(chunk));
            }
            // Carry the last record: more of its lines may follow.
            let split = self.last_start(&data, scan_from);
            let tail = data.split_off(split);
            let tail_first = first_line + count_lines(&data);
            let tail_long: Vec<u64> = long_lines
                .iter()
                .copied()
                .filter(|n| *n >= tail_first)
                .collect();
            long_lines.retain(|n| *n < tail_first);
            if tail.len() > self.max_record_bytes {
                chunk.too_large.push(tail_first);
                self.skipping = true;
            } else {
                self.carry = tail;
                self.carry_first_line = tail_first;
                self.carry_long_lines = tail_long;
            }
            chunk.data = data;
            chunk.long_lines = long_lines;
            if !chunk.data.is_empty() || !chunk.too_large.is_empty() {
                return Some(Ok(chunk));
            }
        }
    }

    /// The carried record as a last chunk.
    fn flush_carry(&mut self, cut_short: Option<u64>) -> Option<io::Result<GroupChunk>> {
        if self.carry.is_empty() {
            return None;
        }
        Some(Ok(GroupChunk {
            first_line: self.carry_first_line,
            data: std::mem::take(&mut self.carry),
            long_lines: std::mem::take(&mut self.carry_long_lines),
            too_large: Vec::new(),
            cut_short,
        }))
    }

    /// Offset of the last line of `data` that starts a record (0 when none
    /// after the first line does), looking at the lines from `from` on.
    fn last_start(&self, data: &[u8], from: usize) -> usize {
        let mut end = data.len();
        while end > 0 {
            let start = memchr::memrchr(b'\n', &data[..end - 1]).map_or(0, |i| i + 1);
            if start == 0 || start < from {
                return 0;
            }
            if (self.starts)(trim_newline(&data[start..end])) {
                return start;
            }
            end = start;
        }
        0
    }

    /// Offset of the first line of `data` that starts a record, and the
    /// number of lines before it.
    fn first_start(&self, data: &[u8]) -> Option<(usize, u64)> {
        let mut offset = 0;
        for (skipped, line) in data.split_inclusive(|b| *b == b'\n').enumerate() {
            if (self.starts)(trim_newline(line)) {
                return Some((offset, skipped as u64));
            }
            offset += line.len();
        }
        None
    }
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn count_lines(data: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', data).count() as u64
}

/// Splits a chunk's data into records: (first line number, bytes). A record
/// starts at the chunk's first line and at every line for which `starts` is
/// true; lines of blanks before the first record are not records.
pub fn split_groups(
    chunk_first_line: u64,
    data: &[u8],
    starts: impl Fn(&[u8]) -> bool,
) -> Vec<(u64, &[u8])> {
    let mut groups: Vec<(u64, &[u8])> = Vec::new();
    let mut open: Option<(u64, usize)> = None;
    let mut offset = 0;
    for (index, line) in data.split_inclusive(|b| *b == b'\n').enumerate() {
        let number = chunk_first_line + index as u64;
        let blank = line.iter().all(u8::is_ascii_whitespace);
        let begins = match open {
            None => !blank,
            Some(_) => starts(trim_newline(line)),
        };
        if begins {
            if let Some((first, start)) = open {
                groups.push((first, &data[start..offset]));
            }
            open = Some((number, offset));
        }
        offset += line.len();
    }
    if let Some((first, start)) = open {
        groups.push((first, &data[start..]));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_readers::Trickle;

    fn starts(line: &[u8]) -> bool {
        line.first().is_some_and(u8::is_ascii_digit)
    }

    /// (first line, text) of every record, and the dropped records' first lines.
    fn frame(
        data: &[u8],
        step: usize,
        target: usize,
        max: usize,
    ) -> (Vec<(u64, String)>, Vec<u64>) {
        let mut framer = GroupFramer::new(Trickle { data, step }, starts, target, max);
        let mut records = Vec::new();
        let mut dropped = Vec::new();
        while let Some(chunk) = framer.next_chunk() {
            let chunk = chunk.expect("read");
            if let Some((_, first)) = split_groups(chunk.first_line, &chunk.data, starts).first() {
                assert!(
                    chunk.first_line == 1 || starts(first),
                    "a chunk starts at a record"
                );
            }
            for (line, bytes) in split_groups(chunk.first_line, &chunk.data, starts) {
                // As the pipeline does: a whole record within one chunk may
                // still be over the cap.
                if bytes.len() > max {
                    dropped.push(line);
                } else {
                    records.push((line, String::from_utf8_lossy(bytes).into_owned()));
                }
            }
            dropped.extend(chunk.too_large);
        }
        (records, dropped)
    }

    #[test]
    fn records_are_never_split_between_chunks() {
        let data = b"  lead\n1 first\n  at a\n  at b\n\n2 second\n3 third\n{\n  \"code\": 900421\n}\n4 last";
        let want = vec![
            (1, "  lead\n".to_string()),
            (2, "1 first\n  at a\n  at b\n\n".to_string()),
            (6, "2 second\n".to_string()),
            (7, "3 third\n{\n  \"code\": 900421\n}\n".to_string()),
            (11, "4 last\n".to_string()),
        ];
        for step in [1, 3, 8, 1 << 20] {
            for target in [1, 5, 16, 1 << 20] {
                let (records, dropped) = frame(data, step, target, 1 << 20);
                assert_eq!(records, want, "step {step} target {target}");
                assert!(dropped.is_empty());
            }
        }
    }

    #[test]
    fn records_over_the_cap_are_dropped_and_the_rest_read() {
        let trace = "  at frame\n".repeat(20);
        let data = format!("1 ok\n2 huge\n{trace}3 ok\n{trace}4 ok\n");
        for step in [1, 7, 1 << 20] {
            for target in [1, 16, 1 << 20] {
                let (records, mut dropped) = frame(data.as_bytes(), step, target, 64);
                dropped.sort();
                assert_eq!(dropped, vec![2, 23], "step {step} target {target}");
                let starts: Vec<_> = records
                    .iter()
                    .map(|(n, t)| (*n, t.lines().next().unwrap_or("").to_string()))
                    .collect();
                assert_eq!(
                    starts,
                    vec![(1, "1 ok".into()), (44, "4 ok".into())],
                    "step {step} target {target}"
                );
            }
        }
    }

    #[test]
    fn blank_input_gives_no_record() {
        assert_eq!(frame(b"", 1, 8, 64), (vec![], vec![]));
        assert_eq!(frame(b"\n\n", 1, 8, 64), (vec![], vec![]));
    }
}
