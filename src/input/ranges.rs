//! Reads a plain regular file in line-aligned byte ranges, so that every
//! worker reads its own part of one large file straight from the page cache
//! (`pread` into a buffer it reuses), with no reader thread copying bytes.
//!
//! The file is cut into nominal ranges of about the chunk size; a range owns
//! the lines that *start* inside it, reading on past its end to finish its
//! last line. Each range counts the lines it owns, so line numbers are the
//! range's own (1-based) and the caller adds the lines of the ranges before
//! it. The file is read up to its size when opened: bytes appended later are
//! not read; a file that shrinks ends early and says so.
//!
//! Memory per range: the range, plus the end of its last line, capped like
//! every line: a line longer than the cap is reported as [`Line::TooLarge`]
//! after reading at most the cap past its start, and the next lines go on.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// A nominal part `[start, end)` of a file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
    /// The file's size when it was opened.
    pub size: u64,
}

/// Cuts a file of `size` bytes into ranges of `target` bytes (the last shorter).
pub fn split_ranges(size: u64, target: usize) -> impl Iterator<Item = ByteRange> {
    let target = target.max(1) as u64;
    (0..size.div_ceil(target)).map(move |i| ByteRange {
        start: i * target,
        end: ((i + 1) * target).min(size),
        size,
    })
}

/// One line a range owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line without its `\n`.
    Text(&'a [u8]),
    /// Longer than the cap; not read in full.
    TooLarge,
}

/// What reading a range found besides its lines.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RangeEnd {
    /// Lines the range owns, including empty and too-large ones.
    pub lines: u64,
    /// The file ended before its size at open (it shrank while being read).
    pub shrank: bool,
}

/// Bytes read past a range's end in the first read, to finish its last line.
const SLACK: u64 = 64 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads the lines `range` owns into `buf` (reused between calls) and hands
/// each to `each` with its 1-based number within the range.
pub fn read_range_lines(
    file: &File,
    range: ByteRange,
    max_line: usize,
    buf: &mut Vec<u8>,
    mut each: impl FnMut(u64, Line<'_>),
) -> io::Result<RangeEnd> {
    let mut end = RangeEnd::default();
    // One byte before the range says whether a line starts at its first byte.
    let from = range.start.saturating_sub(1);
    let want = (range.end.saturating_add(SLACK)).min(range.size) - from;
    let mut filled = read_at_most(file, buf, 0, from, want as usize)?;
    end.shrank = (filled as u64) < want;
    let owned_end = (range.end - from) as usize; // lines must start before this
    let mut pos = if range.start == 0 {
        if buf[..filled].starts_with(BOM) {
            BOM.len()
        } else {
            0
        }
    } else {
        match memchr::memchr(b'\n', &buf[..filled.min(owned_end)]) {
            Some(newline) => newline + 1,
            None => return Ok(end),
        }
    };
    // Where the file's bytes (as far as they go) end, relative to `from`.
    let mut file_end = if end.shrank {
        filled
    } else {
        (range.size - from) as usize
    };
    // The first range owns the first line even when a BOM pushes it past the range.
    let mut first = range.start == 0;
    while (first || pos < owned_end) && pos < file_end {
        first = false;
        end.lines += 1;
        let number = end.lines;
        if let Some(newline) = memchr::memchr(b'\n', &buf[pos..filled]) {
            let line = &buf[pos..pos + newline];
            each(number, capped(line, max_line));
            pos += newline + 1;
            continue;
        }
        // The last line the range owns runs past what was read.
        if filled < file_end {
            let (found, shrank) =
                finish_line(file, buf, &mut filled, from, pos, file_end, max_line)?;
            if shrank {
                end.shrank = true;
                file_end = filled;
            }
            match found {
                Some(newline) => {
                    each(number, capped(&buf[pos..newline], max_line));
                    pos = newline + 1;
                    continue;
                }
                None if filled - pos > max_line => {
                    each(number, Line::TooLarge);
                    break;
                }
                None => {}
            }
        }
        // The file's last line, without a newline.
        each(number, capped(&buf[pos..filled], max_line));
        break;
    }
    Ok(end)
}

/// The lines `range` owns, from `bytes`: the file's bytes from the byte
/// before the range (see [`read_range_lines`]) up to `range.end + max_line + 1`
/// or the file's end, whichever is first. Gives exactly what
/// [`read_range_lines`] gives for a file that does not change; returns the
/// number of lines the range owns.
pub(super) fn slice_range_lines(
    bytes: &[u8],
    range: ByteRange,
    max_line: usize,
    mut each: impl FnMut(u64, Line<'_>),
) -> u64 {
    let from = range.start.saturating_sub(1);
    let ends_file = from.saturating_add(bytes.len() as u64) >= range.size;
    let owned_end = (range.end - from) as usize; // lines must start before this
    let mut pos = if range.start == 0 {
        if bytes.starts_with(BOM) {
            BOM.len()
        } else {
            0
        }
    } else {
        match memchr::memchr(b'\n', &bytes[..owned_end.min(bytes.len())]) {
            Some(newline) => newline + 1,
            None => return 0,
        }
    };
    let mut lines = 0;
    // The first range owns the first line even when a BOM pushes it past the range.
    let mut first = range.start == 0;
    while (first || pos < owned_end) && pos < bytes.len() {
        first = false;
        lines += 1;
        // Enough to decide: one byte past the cap.
        let window_end = bytes
            .len()
            .min(pos.saturating_add(max_line).saturating_add(1));
        match memchr::memchr(b'\n', &bytes[pos..window_end]) {
            Some(newline) => {
                each(lines, Line::Text(&bytes[pos..pos + newline]));
                pos += newline + 1;
            }
            // The file's last line, without a newline.
            None if window_end == bytes.len() && ends_file => {
                each(lines, capped(&bytes[pos..], max_line));
                break;
            }
            None => {
                each(lines, Line::TooLarge);
                // The next line is the range's only if it starts in the range.
                let rest = &bytes[window_end..owned_end.clamp(window_end, bytes.len())];
                match memchr::memchr(b'\n', rest) {
                    Some(newline) => pos = window_end + newline + 1,
                    None => break,
                }
            }
        }
    }
    lines
}

fn capped(line: &[u8], max_line: usize) -> Line<'_> {
    if line.len() > max_line {
        Line::TooLarge
    } else {
        Line::Text(line)
    }
}

/// Reads on from `filled` until the line starting at `pos` ends, the file
/// ends, or the line is over the cap. Returns where its newline is (if read)
/// and whether the file turned out shorter than its size at open.
fn finish_line(
    file: &File,
    buf: &mut Vec<u8>,
    filled: &mut usize,
    from: u64,
    pos: usize,
    file_end: usize,
    max_line: usize,
) -> io::Result<(Option<usize>, bool)> {
    loop {
        // Enough to decide: one byte past the cap.
        let limit = file_end.min(pos.saturating_add(max_line).saturating_add(1));
        if *filled >= limit {
            return Ok((None, false));
        }
        let step = (limit - *filled).min(SLACK as usize * 4);
        let got = read_at_most(file, buf, *filled, from + *filled as u64, step)?;
        let searched = *filled;
        *filled += got;
        if let Some(newline) = memchr::memchr(b'\n', &buf[searched..*filled]) {
            return Ok((Some(searched + newline), false));
        }
        if got < step {
            return Ok((None, true));
        }
    }
}

/// Reads up to `len` bytes at file offset `offset` into `buf[at..]`, growing
/// `buf` as needed (its bytes are zeroed only the first time it grows that
/// far); fewer only at the end of the file.
fn read_at_most(
    file: &File,
    buf: &mut Vec<u8>,
    at: usize,
    offset: u64,
    len: usize,
) -> io::Result<usize> {
    if buf.len() < at + len {
        if at == 0 {
            // A range's first read: exactly, as the second range needs one byte
            // more than the first (the byte before it), and doubling the buffer
            // for that byte would hold twice the memory. Lines read on past a
            // range grow it as usual.
            buf.reserve_exact(at + len - buf.len());
        }
        buf.resize(at + len, 0);
    }
    let mut got = 0;
    while got < len {
        match file.read_at(&mut buf[at + got..at + len], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// (number across the file, line) for every line, read range by range.
    fn read_all(data: &[u8], target: usize, max_line: usize) -> Vec<(u64, Option<String>)> {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(data).expect("write");
        let mut buf = Vec::new();
        let mut out = Vec::new();
        let mut before = 0;
        for range in split_ranges(data.len() as u64, target) {
            let end = read_range_lines(&file, range, max_line, &mut buf, |n, line| {
                let text = match line {
                    Line::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                    Line::TooLarge => None,
                };
                out.push((before + n, text));
            })
            .expect("read");
            assert!(!end.shrank);
            before += end.lines;
        }
        out
    }

    /// The same lines as the stream chunker, numbered alike, however the file is cut.
    #[test]
    fn ranges_give_every_line_once_in_order() {
        let data = b"\xEF\xBB\xBFa\nbb\n\nccc\r\n\n\nlast";
        let expected: Vec<(u64, Option<String>)> = vec![
            (1, Some("a".into())),
            (2, Some("bb".into())),
            (3, Some("".into())),
            (4, Some("ccc\r".into())),
            (5, Some("".into())),
            (6, Some("".into())),
            (7, Some("last".into())),
        ];
        for target in 1..=data.len() + 1 {
            assert_eq!(read_all(data, target, 100), expected, "target {target}");
        }
        let mut with_newline = data.to_vec();
        with_newline.push(b'\n');
        for target in 1..=with_newline.len() + 1 {
            assert_eq!(
                read_all(&with_newline, target, 100),
                expected,
                "target {target}"
            );
        }
    }

    #[test]
    fn over_long_lines_are_reported_and_the_rest_read() {
        let long = "x".repeat(50);
        let data = format!("ok1\n{long}\nok3\n{long}{long}\nok5\n{long}");
        for target in [1, 3, 8, 64, 1 << 20] {
            let lines = read_all(data.as_bytes(), target, 10);
            assert_eq!(
                lines,
                vec![
                    (1, Some("ok1".into())),
                    (2, None),
                    (3, Some("ok3".into())),
                    (4, None),
                    (5, Some("ok5".into())),
                    (6, None),
                ],
                "target {target}"
            );
        }
    }

    /// A line longer than the read-ahead is finished by further reads.
    #[test]
    fn long_last_line_of_a_range_is_read_to_its_end() {
        let long = "y".repeat(300_000);
        let data = format!("a\n{long}\nb\n");
        let lines = read_all(data.as_bytes(), 4, 1 << 20);
        assert_eq!(
            lines,
            vec![
                (1, Some("a".into())),
                (2, Some(long)),
                (3, Some("b".into()))
            ]
        );
        let capped = read_all(data.as_bytes(), 4, 100_000);
        assert_eq!(
            capped,
            vec![(1, Some("a".into())), (2, None), (3, Some("b".into()))]
        );
    }

    #[test]
    fn a_file_that_shrank_ends_early_and_says_so() {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(b"one\ntwo\n").expect("write");
        let range = ByteRange {
            start: 0,
            end: 100,
            size: 100,
        };
        let mut lines = Vec::new();
        let end = read_range_lines(&file, range, 100, &mut Vec::new(), |n, line| {
            lines.push((n, line == Line::Text(b"two")))
        })
        .expect("read");
        assert!(end.shrank);
        assert_eq!(lines, vec![(1, false), (2, true)]);
    }
}
