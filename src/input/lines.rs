//! Cuts a byte stream into chunks of whole lines for parallel parsing.
//!
//! A chunk holds complete lines only, so a worker can parse it without
//! looking at its neighbours; its first line number lets every record keep
//! its 1-based line number. A line longer than the cap is never buffered: it
//! is replaced by an empty line and listed in [`LineChunk::too_large`], and
//! the lines after it are read as usual.

use std::io::{self, Read};

/// Whole lines, and the numbers of lines dropped for size.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LineChunk {
    /// 1-based number of the first line in `data`.
    pub first_line: u64,
    /// Complete lines, each ending in `\n`.
    pub data: Vec<u8>,
    /// Lines (1-based) longer than the cap; each stands as an empty line in `data`.
    pub too_large: Vec<u64>,
    /// A last line (1-based) cut short by a read error; not in `data`.
    pub cut_short: Option<u64>,
}

/// Reads whole-line chunks of about `target_bytes` from a reader.
pub struct LineChunker<R: Read> {
    reader: R,
    target_bytes: usize,
    max_line_bytes: usize,
    /// Lines handed out in earlier chunks.
    lines_before: u64,
    /// Bytes read but not yet handed out.
    pending: Vec<u8>,
    /// Dropping the rest of an over-long line until its newline.
    skipping: bool,
    /// Start of the unfinished last line within `pending`.
    line_start: usize,
    /// Newlines in `pending[..line_start]`.
    pending_lines: u64,
    too_large: Vec<u64>,
    at_start: bool,
    done: bool,
    /// A read error to report after the lines before it.
    error: Option<io::Error>,
}

const READ_BYTES: usize = 256 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<R: Read> LineChunker<R> {
    pub fn new(reader: R, target_bytes: usize, max_line_bytes: usize) -> Self {
        LineChunker {
            reader,
            target_bytes: target_bytes.max(1),
            max_line_bytes: max_line_bytes.max(1),
            lines_before: 0,
            pending: Vec::new(),
            skipping: false,
            line_start: 0,
            pending_lines: 0,
            too_large: Vec::new(),
            at_start: true,
            done: false,
            error: None,
        }
    }

    /// Lines handed out so far (including dropped ones).
    pub fn lines_read(&self) -> u64 {
        self.lines_before
    }

    /// The next chunk; `None` at the end. A read error ends the stream: the
    /// whole lines before it come first (with the cut last line named in
    /// [`LineChunk::cut_short`]), then the error, then `None`.
    pub fn next_chunk(&mut self) -> Option<io::Result<LineChunk>> {
        if self.done {
            return self.error.take().map(Err);
        }
        loop {
            if self.line_start >= self.target_bytes {
                return Some(Ok(self.take(self.line_start)));
            }
            let old_len = self.pending.len();
            self.pending.resize(old_len + READ_BYTES, 0);
            let read = self.reader.read(&mut self.pending[old_len..]);
            let n = match read {
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {
                    self.pending.truncate(old_len);
                    continue;
                }
                Err(err) => {
                    self.pending.truncate(old_len);
                    self.done = true;
                    let cut = !self.skipping && self.line_start < self.pending.len();
                    let number = self.lines_before + self.pending_lines + 1;
                    self.pending.truncate(self.line_start);
                    let mut chunk = self.take(self.line_start);
                    if cut {
                        chunk.cut_short = Some(number);
                        self.lines_before += 1;
                    }
                    self.error = Some(err);
                    return Some(Ok(chunk));
                }
            };
            self.pending.truncate(old_len + n);
            if n == 0 {
                self.done = true;
                if !self.skipping && self.line_start < self.pending.len() {
                    self.pending.push(b'\n');
                    self.pending_lines += 1;
                    self.line_start = self.pending.len();
                }
                if self.line_start == 0 && self.too_large.is_empty() {
                    return None;
                }
                let end = self.line_start;
                return Some(Ok(self.take(end)));
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
            self.scan_new_bytes(old_len.min(self.pending.len()));
        }
    }

    /// Advances `line_start` over the newly read bytes, dropping over-long lines.
    fn scan_new_bytes(&mut self, from: usize) {
        let mut pos = from.max(self.line_start);
        loop {
            if self.skipping {
                match memchr::memchr(b'\n', &self.pending[pos..]) {
                    Some(i) => {
                        // The placeholder newline is already in place.
                        self.pending.drain(self.line_start..pos + i + 1);
                        self.skipping = false;
                        pos = self.line_start;
                    }
                    None => {
                        self.pending.truncate(self.line_start);
                        return;
                    }
                }
            }
            match memchr::memchr(b'\n', &self.pending[pos..]) {
                Some(i) if pos + i - self.line_start <= self.max_line_bytes => {
                    pos += i + 1;
                    self.line_start = pos;
                    self.pending_lines += 1;
                }
                _ => {
                    if self.pending.len() - self.line_start > self.max_line_bytes {
                        self.drop_current_line();
                        pos = self.line_start;
                        continue;
                    }
                    return;
                }
            }
        }
    }

    /// Replaces the current (over-long) line with an empty one; when its end
    /// has not arrived yet, the rest is dropped as it is read.
    fn drop_current_line(&mut self) {
        self.too_large
            .push(self.lines_before + self.pending_lines + 1);
        match memchr::memchr(b'\n', &self.pending[self.line_start..]) {
            Some(i) => {
                // Keep the line's own newline as the placeholder.
                self.pending.drain(self.line_start..self.line_start + i);
            }
            None => {
                self.pending.truncate(self.line_start);
                self.pending.push(b'\n');
                self.skipping = true;
            }
        }
        self.line_start += 1;
        self.pending_lines += 1;
    }

    fn take(&mut self, end: usize) -> LineChunk {
        let rest = self.pending.split_off(end);
        let data = std::mem::replace(&mut self.pending, rest);
        let chunk = LineChunk {
            first_line: self.lines_before + 1,
            data,
            too_large: std::mem::take(&mut self.too_large),
            cut_short: None,
        };
        self.lines_before += self.pending_lines;
        self.pending_lines = 0;
        self.line_start = 0;
        chunk
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::test_readers::{FailAfter, Trickle};

    /// (line number, text) of every line, and the dropped line numbers.
    fn frame(
        data: &[u8],
        step: usize,
        target: usize,
        max: usize,
    ) -> (Vec<(u64, String)>, Vec<u64>) {
        let mut chunker = LineChunker::new(Trickle { data, step }, target, max);
        let mut lines = Vec::new();
        let mut dropped = Vec::new();
        while let Some(chunk) = chunker.next_chunk() {
            let chunk = chunk.expect("read");
            assert!(chunk.data.is_empty() || chunk.data.ends_with(b"\n"));
            for (i, line) in chunk.data.split_inclusive(|b| *b == b'\n').enumerate() {
                let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
                lines.push((chunk.first_line + i as u64, text));
            }
            dropped.extend(chunk.too_large);
        }
        (lines, dropped)
    }

    #[test]
    fn numbers_lines_across_chunks_and_reads() {
        let data = b"\xEF\xBB\xBFa\nbb\n\nccc\r\nlast";
        for step in [1, 2, 3, 7, 1 << 20] {
            for target in [1, 4, 1 << 20] {
                let (lines, dropped) = frame(data, step, target, 100);
                let expected: Vec<(u64, String)> = vec![
                    (1, "a".into()),
                    (2, "bb".into()),
                    (3, "".into()),
                    (4, "ccc\r".into()),
                    (5, "last".into()),
                ];
                assert_eq!(lines, expected, "step {step} target {target}");
                assert!(dropped.is_empty());
            }
        }
    }

    #[test]
    fn over_long_lines_are_dropped_and_the_rest_read() {
        let long = "x".repeat(50);
        let data = format!("ok1\n{long}\nok3\n{long}{long}\nok5\n{long}");
        for step in [1, 5, 64, 1 << 20] {
            let (lines, dropped) = frame(data.as_bytes(), step, 8, 10);
            assert_eq!(dropped, vec![2, 4, 6], "step {step}");
            let kept: Vec<_> = lines
                .iter()
                .filter(|(_, t)| !t.is_empty())
                .cloned()
                .collect();
            assert_eq!(
                kept,
                vec![(1, "ok1".into()), (3, "ok3".into()), (5, "ok5".into())],
                "step {step}"
            );
        }
    }

    #[test]
    fn read_error_keeps_whole_lines_then_reports() {
        let mut chunker = LineChunker::new(FailAfter(b"one\ntwo\nthr"), 1 << 20, 100);
        let chunk = chunker.next_chunk().expect("chunk").expect("lines first");
        assert_eq!(
            (chunk.first_line, chunk.data.as_slice(), chunk.cut_short),
            (1, &b"one\ntwo\n"[..], Some(3))
        );
        assert!(chunker.next_chunk().expect("error").is_err());
        assert!(chunker.next_chunk().is_none());
    }

    #[test]
    fn empty_input_gives_no_chunk() {
        let (lines, dropped) = frame(b"", 1, 8, 10);
        assert!(lines.is_empty() && dropped.is_empty());
    }
}
