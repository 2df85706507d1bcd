//! Streams the records of one JSON document that holds an array of them.
//!
//! Some exports are a single JSON document: a bare array `[{..},{..}]`, an
//! object wrapping the array under a key (`records`, `value`, `items`,
//! `entries`: Azure Monitor, Log Analytics, Partner Center) or a HAR capture
//! (`{"log":{..,"entries":[..]}}`). These files run to many GB, so they are
//! never parsed as a whole: [`JsonArrayFramer`] reads through a fixed 64 KiB
//! buffer and yields the raw bytes of one array element at a time, leaving
//! the parsing of each record to the caller. Memory is bounded by the largest
//! element (capped by `max_element_bytes`) plus the buffer.
//!
//! It is a byte-level state machine, not a parser: no recursion and no tree.
//! Outside the record array it follows the object keys only along the paths
//! it was asked for and skips every other value by counting brackets. Inside
//! the array a bracket counter plus string/escape state find where each
//! element ends, so brackets, braces and quotes inside strings never confuse
//! it, and a million nested `[` costs a counter, not a stack. String contents
//! are skipped with `memchr`. The JSON itself is not validated: a malformed
//! element is still framed (as best the brackets allow) and the caller's
//! parser rejects it.

use memchr::memchr2;
use std::io::{ErrorKind, Read};

/// Bytes asked of the reader per read.
const READ_CHUNK: usize = 64 * 1024;

/// UTF-8 byte order mark, skipped at the start of the document.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Where record arrays sit in the exports pcmfa knows, in priority order:
/// the root, the usual wrapper keys, and HAR's `log.entries`.
pub const DEFAULT_PATHS: &[&[&str]] = &[
    &[],
    &["records"],
    &["value"],
    &["items"],
    &["entries"],
    &["log", "entries"],
];

/// One complete element of the record array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// 1-based position in the array.
    pub index: u64,
    /// The element's exact bytes, without surrounding whitespace. May be a
    /// scalar (`42`, `"x"`, `null`) or malformed: the caller decides.
    pub bytes: Vec<u8>,
}

/// A problem with one element or with the document's framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementError {
    /// Element `index` is larger than the cap; it was skipped.
    TooLarge { index: u64 },
    /// The document ended inside element `index` (or before the array closed).
    Truncated { index: u64 },
    /// No record array was found where one was expected.
    NoArray,
    /// The underlying reader failed.
    Io(String),
}

impl std::fmt::Display for ElementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ElementError::TooLarge { index } => {
                write!(f, "record {index} exceeds the size limit; skipped")
            }
            ElementError::Truncated { index } => {
                write!(f, "document ends inside record {index} (truncated)")
            }
            ElementError::NoArray => write!(f, "no record array found in the JSON document"),
            ElementError::Io(msg) => write!(f, "read error: {msg}"),
        }
    }
}

impl std::error::Error for ElementError {}

// Byte classes for the structural scans.
const OTHER: u8 = 0;
const WS: u8 = 1;
const QUOTE: u8 = 2;
const OPEN: u8 = 3;
const CLOSE: u8 = 4;
const COMMA: u8 = 5;

static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    t[b' ' as usize] = WS;
    t[b'\t' as usize] = WS;
    t[b'\n' as usize] = WS;
    t[b'\r' as usize] = WS;
    t[b'"' as usize] = QUOTE;
    t[b'[' as usize] = OPEN;
    t[b'{' as usize] = OPEN;
    t[b']' as usize] = CLOSE;
    t[b'}' as usize] = CLOSE;
    t[b',' as usize] = COMMA;
    t
};

#[inline]
fn class(b: u8) -> u8 {
    CLASS[usize::from(b)]
}

/// Finds where one JSON value ends, fed in pieces. Used both to frame
/// elements and to skip values at keys that are not wanted.
#[derive(Debug, Clone, Copy, Default)]
struct Scan {
    /// Open containers (`[` / `{`) not yet closed.
    depth: u64,
    in_str: bool,
    /// The previous byte (maybe in the previous read) was a backslash in a string.
    esc: bool,
    /// A number / literal: ends before whitespace, `,`, `]` or `}`.
    scalar: bool,
}

impl Scan {
    /// Starts a value whose first byte, `first`, has been consumed.
    fn begin(first: u8) -> Self {
        match class(first) {
            QUOTE => Scan {
                in_str: true,
                ..Scan::default()
            },
            OPEN => Scan {
                depth: 1,
                ..Scan::default()
            },
            _ => Scan {
                scalar: true,
                ..Scan::default()
            },
        }
    }

    /// Scans the next piece of the value. Returns how many bytes of `data`
    /// belong to it once its end is found (the delimiter after a scalar is
    /// not included), or `None` if all of `data` does and the value goes on.
    fn run(&mut self, data: &[u8]) -> Option<usize> {
        if self.scalar {
            return data
                .iter()
                .position(|&b| matches!(class(b), WS | COMMA | CLOSE));
        }
        let mut i = 0;
        loop {
            let rest = data.get(i..)?;
            if self.in_str {
                if self.esc {
                    // Skip the escaped byte: `\"` and `\\` must not count.
                    if rest.is_empty() {
                        return None;
                    }
                    self.esc = false;
                    i += 1;
                    continue;
                }
                let k = memchr2(b'"', b'\\', rest)?;
                i += k + 1;
                if rest.get(k) == Some(&b'\\') {
                    self.esc = true;
                } else {
                    self.in_str = false;
                    if self.depth == 0 {
                        return Some(i); // the value was a lone string
                    }
                }
            } else {
                let mut quote_at = None;
                for (k, &b) in rest.iter().enumerate() {
                    match class(b) {
                        QUOTE => {
                            quote_at = Some(k);
                            break;
                        }
                        OPEN => self.depth += 1,
                        CLOSE => {
                            self.depth = self.depth.saturating_sub(1);
                            if self.depth == 0 {
                                return Some(i + k + 1);
                            }
                        }
                        _ => {}
                    }
                }
                let k = quote_at?;
                self.in_str = true;
                i += k + 1;
            }
        }
    }
}

/// Appends to the current key, or marks it too long to match any path.
fn push_key_bytes(key: &mut Vec<u8>, key_long: &mut bool, max_key: usize, bytes: &[u8]) {
    if *key_long {
        return;
    }
    if key.len() + bytes.len() > max_key {
        *key_long = true;
        key.clear();
    } else {
        key.extend_from_slice(bytes);
    }
}

/// Where the framer is in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first value: BOM and whitespace.
    Start,
    /// In an object on a wanted path, expecting a key or `}`.
    ObjKey,
    /// Inside a key string.
    Key,
    /// After a key, expecting `:`.
    Colon,
    /// After `:`, expecting the value.
    Value,
    /// Skipping a value at a key that is not wanted.
    SkipValue,
    /// After a value in an object, expecting `,` or `}`.
    AfterValue,
    /// In the record array, between elements.
    Between,
    /// Collecting an element.
    Element,
    /// Skipping the rest of an element that was too large.
    SkipElement,
    /// Finished: array closed, or an error was reported.
    Done,
}

/// Finds the record array (the document itself, or the value of the first
/// key in `paths`, e.g. `records`, `value`, `items`, `entries`, `log.entries`)
/// and yields its elements one at a time without loading the document.
///
/// Yields `Ok(Element)` per element; `Err(TooLarge)` for an oversized one
/// (then goes on); and ends after `]` (the rest is ignored) or after a final
/// `Err(Truncated)`, `Err(NoArray)` or `Err(Io)`. Once it returns `None` it
/// keeps returning `None`.
pub struct JsonArrayFramer<R: Read> {
    reader: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    bytes_read: u64,
    /// Wanted key paths, as bytes.
    paths: Vec<Vec<Vec<u8>>>,
    /// The empty path is wanted: a root array is the record array.
    root_array: bool,
    /// Longest key in `paths`; longer keys cannot match and are not kept.
    max_key: usize,
    max_element_bytes: usize,
    state: State,
    /// BOM bytes matched so far; 3 once past the start.
    bom: usize,
    /// Keys of the objects entered on the way to the array (the root object
    /// has none). Never deeper than the longest path.
    stack: Vec<Vec<u8>>,
    /// The current key (raw bytes, escapes not decoded).
    key: Vec<u8>,
    key_esc: bool,
    key_long: bool,
    scan: Scan,
    /// Index of the last element started (0 before the first).
    index: u64,
    elem: Vec<u8>,
}

impl<R: Read> JsonArrayFramer<R> {
    /// `paths`: where the array may sit; `&[]` (empty path) is the document root.
    /// Keys match case-sensitively, byte for byte as they appear in the file.
    /// When the root is an object, the first array (in document order) at any
    /// of the paths is the record array.
    pub fn new(reader: R, paths: &[&[&str]], max_element_bytes: usize) -> Self {
        let paths: Vec<Vec<Vec<u8>>> = paths
            .iter()
            .map(|p| p.iter().map(|k| k.as_bytes().to_vec()).collect())
            .collect();
        let root_array = paths.iter().any(|p| p.is_empty());
        let max_key = paths.iter().flatten().map(Vec::len).max().unwrap_or(0);
        JsonArrayFramer {
            reader,
            buf: vec![0; READ_CHUNK].into_boxed_slice(),
            pos: 0,
            end: 0,
            bytes_read: 0,
            paths,
            root_array,
            max_key,
            max_element_bytes,
            state: State::Start,
            bom: 0,
            stack: Vec::new(),
            key: Vec::new(),
            key_esc: false,
            key_long: false,
            scan: Scan::default(),
            index: 0,
            elem: Vec::new(),
        }
    }

    /// Bytes read from the reader so far (for progress reporting).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Refills the buffer; `Ok(false)` at end of input.
    fn fill(&mut self) -> std::io::Result<bool> {
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.pos = 0;
                    self.end = n.min(self.buf.len());
                    self.bytes_read += self.end as u64;
                    return Ok(true);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reports a final error and stops.
    fn fail(&mut self, err: ElementError) -> Option<Result<Element, ElementError>> {
        self.state = State::Done;
        Some(Err(err))
    }

    /// Skips whitespace in the buffer; returns the next byte (not consumed).
    #[inline]
    fn peek_non_ws(&mut self) -> Option<u8> {
        while let Some(&b) = self.buf.get(self.pos..self.end)?.first() {
            if class(b) != WS {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// The current key completes a wanted path.
    fn key_ends_path(&self) -> bool {
        !self.key_long
            && self.paths.iter().any(|p| {
                p.split_last()
                    .is_some_and(|(last, init)| *last == self.key && init == self.stack.as_slice())
            })
    }

    /// The current key leads further down a wanted path.
    fn key_leads_to_path(&self) -> bool {
        let d = self.stack.len();
        !self.key_long
            && self.paths.iter().any(|p| {
                p.len() > d + 1 && p.starts_with(&self.stack) && p.get(d) == Some(&self.key)
            })
    }

    /// `}` of an object on the path: back to its parent, or no array at all.
    fn close_object(&mut self) -> Option<Result<Element, ElementError>> {
        if self.stack.pop().is_some() {
            self.state = State::AfterValue;
            None
        } else {
            self.fail(ElementError::NoArray)
        }
    }

    /// Processes buffered bytes until an item is ready or the buffer is empty.
    fn step(&mut self) -> Option<Result<Element, ElementError>> {
        while self.pos < self.end {
            match self.state {
                State::Done => return None,
                State::Start => {
                    let b = *self.buf.get(self.pos)?;
                    if self.bom < BOM.len() {
                        if BOM.get(self.bom) == Some(&b) {
                            self.bom += 1;
                            self.pos += 1;
                            continue;
                        }
                        if self.bom > 0 {
                            return self.fail(ElementError::NoArray);
                        }
                        self.bom = BOM.len();
                    }
                    self.pos += 1;
                    match b {
                        b' ' | b'\t' | b'\n' | b'\r' => {}
                        b'[' if self.root_array => self.state = State::Between,
                        b'{' => self.state = State::ObjKey,
                        _ => return self.fail(ElementError::NoArray),
                    }
                }
                State::ObjKey => {
                    let b = self.peek_non_ws()?;
                    self.pos += 1;
                    match b {
                        b'"' => {
                            self.key.clear();
                            self.key_esc = false;
                            self.key_long = false;
                            self.state = State::Key;
                        }
                        b'}' => {
                            if let Some(item) = self.close_object() {
                                return Some(item);
                            }
                        }
                        _ => return self.fail(ElementError::NoArray),
                    }
                }
                State::Key => {
                    let data = self.buf.get(self.pos..self.end)?;
                    let (key, long, max) = (&mut self.key, &mut self.key_long, self.max_key);
                    if self.key_esc {
                        // The byte after a backslash never ends the key.
                        push_key_bytes(key, long, max, data.get(..1)?);
                        self.key_esc = false;
                        self.pos += 1;
                        continue;
                    }
                    match memchr2(b'"', b'\\', data) {
                        None => {
                            push_key_bytes(key, long, max, data);
                            self.pos = self.end;
                        }
                        Some(k) => {
                            // Keep the backslash: keys are matched raw.
                            let is_esc = data.get(k) == Some(&b'\\');
                            push_key_bytes(key, long, max, data.get(..k + usize::from(is_esc))?);
                            self.pos += k + 1;
                            if is_esc {
                                self.key_esc = true;
                            } else {
                                self.state = State::Colon;
                            }
                        }
                    }
                }
                State::Colon => {
                    let b = self.peek_non_ws()?;
                    self.pos += 1;
                    if b != b':' {
                        return self.fail(ElementError::NoArray);
                    }
                    self.state = State::Value;
                }
                State::Value => {
                    let b = self.peek_non_ws()?;
                    self.pos += 1;
                    if b == b'[' && self.key_ends_path() {
                        self.state = State::Between;
                    } else if b == b'{' && self.key_leads_to_path() {
                        self.stack.push(std::mem::take(&mut self.key));
                        self.state = State::ObjKey;
                    } else {
                        self.scan = Scan::begin(b);
                        self.state = State::SkipValue;
                    }
                }
                State::SkipValue => {
                    let data = self.buf.get(self.pos..self.end)?;
                    match self.scan.run(data) {
                        Some(n) => {
                            self.pos += n;
                            self.state = State::AfterValue;
                        }
                        None => self.pos = self.end,
                    }
                }
                State::AfterValue => {
                    let b = self.peek_non_ws()?;
                    self.pos += 1;
                    match b {
                        b',' => self.state = State::ObjKey,
                        b'}' => {
                            if let Some(item) = self.close_object() {
                                return Some(item);
                            }
                        }
                        _ => return self.fail(ElementError::NoArray),
                    }
                }
                State::Between => {
                    let b = self.peek_non_ws()?;
                    self.pos += 1;
                    match b {
                        b',' => {}
                        b']' => {
                            self.state = State::Done;
                            return None;
                        }
                        _ => {
                            self.index += 1;
                            self.elem.clear();
                            self.elem.push(b);
                            self.scan = Scan::begin(b);
                            self.state = State::Element;
                        }
                    }
                }
                State::Element => {
                    let data = self.buf.get(self.pos..self.end)?;
                    let (n, done) = match self.scan.run(data) {
                        Some(n) => (n, true),
                        None => (data.len(), false),
                    };
                    self.pos += n;
                    if self.elem.len() + n > self.max_element_bytes {
                        // Free the partial element; skip the rest unbuffered.
                        self.elem = Vec::new();
                        self.state = if done {
                            State::Between
                        } else {
                            State::SkipElement
                        };
                        return Some(Err(ElementError::TooLarge { index: self.index }));
                    }
                    self.elem.extend_from_slice(data.get(..n)?);
                    if done {
                        self.state = State::Between;
                        return Some(Ok(Element {
                            index: self.index,
                            bytes: std::mem::take(&mut self.elem),
                        }));
                    }
                }
                State::SkipElement => {
                    let data = self.buf.get(self.pos..self.end)?;
                    match self.scan.run(data) {
                        Some(n) => {
                            self.pos += n;
                            self.state = State::Between;
                        }
                        None => self.pos = self.end,
                    }
                }
            }
        }
        None
    }

    /// The input ended in the current state.
    fn at_eof(&mut self) -> Option<Result<Element, ElementError>> {
        let err = match self.state {
            State::Done => return None,
            State::Between => ElementError::Truncated {
                index: self.index + 1,
            },
            State::Element | State::SkipElement => ElementError::Truncated { index: self.index },
            _ => ElementError::NoArray,
        };
        self.elem = Vec::new();
        self.fail(err)
    }
}

impl<R: Read> Iterator for JsonArrayFramer<R> {
    type Item = Result<Element, ElementError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.state == State::Done {
                return None;
            }
            if self.pos >= self.end {
                match self.fill() {
                    Ok(true) => {}
                    Ok(false) => return self.at_eof(),
                    Err(e) => {
                        self.elem = Vec::new();
                        return self.fail(ElementError::Io(e.to_string()));
                    }
                }
            }
            if let Some(item) = self.step() {
                return Some(item);
            }
        }
    }
}

impl<R: Read> std::iter::FusedIterator for JsonArrayFramer<R> {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{self, Cursor};
    use std::time::{Duration, Instant};

    const BIG: usize = 1 << 20;

    /// Returns at most `n` bytes per read.
    struct Trickle<'a> {
        data: &'a [u8],
        n: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let k = self.n.min(out.len()).min(self.data.len());
            let (head, tail) = self.data.split_at(k);
            out[..k].copy_from_slice(head);
            self.data = tail;
            Ok(k)
        }
    }

    /// Serves `data`, then fails.
    struct Failing<'a> {
        data: &'a [u8],
    }

    impl Read for Failing<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.data.is_empty() {
                return Err(io::Error::other("disk on fire"));
            }
            let k = out.len().min(self.data.len());
            let (head, tail) = self.data.split_at(k);
            out[..k].copy_from_slice(head);
            self.data = tail;
            Ok(k)
        }
    }

    /// Renders the items as strings: `"3:{...}"` for elements, `Debug` for errors.
    /// Also checks that the iterator stays finished.
    fn render<R: Read>(mut framer: JsonArrayFramer<R>) -> Vec<String> {
        let mut out = Vec::new();
        for item in framer.by_ref() {
            out.push(match item {
                Ok(e) => format!("{}:{}", e.index, String::from_utf8_lossy(&e.bytes)),
                Err(e) => format!("{e:?}"),
            });
        }
        assert!(framer.next().is_none() && framer.next().is_none());
        out
    }

    /// Frames `input` with whole, 1-byte and 7-byte reads; all must agree.
    fn frame_with(input: &[u8], paths: &[&[&str]], max: usize) -> Vec<String> {
        let whole = render(JsonArrayFramer::new(Cursor::new(input), paths, max));
        for n in [1, 7] {
            let split = render(JsonArrayFramer::new(Trickle { data: input, n }, paths, max));
            assert_eq!(
                whole,
                split,
                "{n}-byte reads differ for {:?}",
                String::from_utf8_lossy(input)
            );
        }
        whole
    }

    fn frame(input: &str) -> Vec<String> {
        frame_with(input.as_bytes(), DEFAULT_PATHS, BIG)
    }

    fn check(cases: &[(&str, &[&str])]) {
        for (input, want) in cases {
            assert_eq!(frame(input), *want, "input: {input}");
        }
    }

    #[test]
    fn bare_array() {
        check(&[
            (r#"[{"a":1},{"b":2}]"#, &[r#"1:{"a":1}"#, r#"2:{"b":2}"#]),
            (r#"[{"a":1}]"#, &[r#"1:{"a":1}"#]),
        ]);
    }

    #[test]
    fn wrapper_keys() {
        for key in ["records", "value", "items", "entries"] {
            let doc = format!(r#"{{"{key}":[{{"a":1}},{{"b":[2]}}]}}"#);
            assert_eq!(frame(&doc), [r#"1:{"a":1}"#, r#"2:{"b":[2]}"#], "{doc}");
        }
        check(&[
            (r#"{"log":{"entries":[{"x":1}]}}"#, &[r#"1:{"x":1}"#]),
            // Keys are case-sensitive and matched only at their path.
            (r#"{"Records":[1]}"#, &["NoArray"]),
            (r#"{"meta":{"items":[1]}}"#, &["NoArray"]),
            (r#"{"entries":{"log":[1]}}"#, &["NoArray"]),
        ]);
        // Custom paths.
        let out = frame_with(br#"{"a":{"b":{"c":[7,8]}}}"#, &[&["a", "b", "c"]], BIG);
        assert_eq!(out, ["1:7", "2:8"]);
        // A root array is not wanted unless the empty path is listed.
        assert_eq!(frame_with(b"[1,2]", &[&["records"]], BIG), ["NoArray"]);
    }

    #[test]
    fn other_keys_before_target() {
        check(&[
            (
                r#"{"totalCount":2,"items":[{"a":1},{"a":2}],"attributes":{"objectType":"Collection"}}"#,
                &[r#"1:{"a":1}"#, r#"2:{"a":2}"#],
            ),
            (
                r#"{"meta":{"items":[9],"x":"]}"},"other":[[1],{"records":[2]}],"n":null,"t":true,"s":"[{","value":[3]}"#,
                &["1:3"],
            ),
            // The first wanted array in document order wins.
            (r#"{"value":[1],"records":[2]}"#, &["1:1"]),
            // A wanted key whose value is not an array is skipped.
            (r#"{"value":"x","records":{"a":[1]},"items":[5]}"#, &["1:5"]),
            // Escaped keys are compared raw, so they do not match.
            (
                r#"{"it\u0065ms":[1],"a\"b":2,"k\\":3,"items":[4]}"#,
                &["1:4"],
            ),
            // The rest of the document after the array is ignored.
            (r#"{"items":[1]},"garbage"[[["#, &["1:1"]),
        ]);
    }

    #[test]
    fn har() {
        let har = r#"{
  "log": {
    "version": "1.2",
    "creator": {"name": "WebInspector", "version": "537.36"},
    "pages": [{"startedDateTime": "2026-04-01T00:00:00Z", "id": "page_1", "title": "x", "pageTimings": {}}],
    "entries": [
      {"request": {"method": "GET", "url": "https://api.partnercenter.microsoft.com/v1/customers"}, "response": {"status": 401}},
      {"request": {"method": "POST", "url": "https://x/y"}, "response": {"status": 200, "content": {"text": "[{\"a\":\"}\"}]"}}}
    ]
  }
}"#;
        let out = frame(har);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(
            out[0].starts_with(r#"1:{"request": {"method": "GET""#),
            "{out:?}"
        );
        assert!(out[1].ends_with(r#""[{\"a\":\"}\"}]"}}}"#), "{out:?}");
    }

    #[test]
    fn strings_with_structural_bytes() {
        check(&[
            (
                r#"[{"a":"x]}\"[{"},{"b":"c:\\"},"\\","]",{"k\"}":"\\\""}]"#,
                &[
                    r#"1:{"a":"x]}\"[{"}"#,
                    r#"2:{"b":"c:\\"}"#,
                    r#"3:"\\""#,
                    r#"4:"]""#,
                    r#"5:{"k\"}":"\\\""}"#,
                ],
            ),
            (
                r#"{"items":["{","}","[","]"]}"#,
                &[r#"1:"{""#, r#"2:"}""#, r#"3:"[""#, r#"4:"]""#],
            ),
        ]);
    }

    #[test]
    fn nested_containers_in_elements() {
        check(&[(
            r#"[{"a":[1,[2,{"b":{}}]],"c":{"d":[]}},[[],[{}]],{}]"#,
            &[
                r#"1:{"a":[1,[2,{"b":{}}]],"c":{"d":[]}}"#,
                "2:[[],[{}]]",
                "3:{}",
            ],
        )]);
    }

    #[test]
    fn empty_arrays() {
        check(&[
            ("[]", &[]),
            (" [ \n ] ", &[]),
            (r#"{"value":[]}"#, &[]),
            (r#"{"log":{"entries":[ ]}}"#, &[]),
        ]);
    }

    #[test]
    fn whitespace_and_bom() {
        check(&[
            (
                "\r\n[\r\n  {\"a\" : 1} ,\r\n\t{\"b\":2}\r\n]\r\n",
                &[r#"1:{"a" : 1}"#, r#"2:{"b":2}"#],
            ),
            ("\u{feff}[{\"a\":1}]", &[r#"1:{"a":1}"#]),
            ("\u{feff}\n{ \"records\" :\n[ 1 ] }", &["1:1"]),
        ]);
        // A partial BOM is not JSON.
        assert_eq!(frame_with(b"\xEF\xBB[1]", DEFAULT_PATHS, BIG), ["NoArray"]);
    }

    #[test]
    fn scalar_elements() {
        check(&[(
            r#"[1, -2.5e3 ,"s",true,false,null,{"o":1}]"#,
            &[
                "1:1",
                "2:-2.5e3",
                r#"3:"s""#,
                "4:true",
                "5:false",
                "6:null",
                r#"7:{"o":1}"#,
            ],
        )]);
    }

    #[test]
    fn no_array() {
        check(&[
            ("", &["NoArray"]),
            ("   \n", &["NoArray"]),
            ("42", &["NoArray"]),
            (r#""[1]""#, &["NoArray"]),
            ("{}", &["NoArray"]),
            (r#"{"a":1,"b":[1,2],"c":{"items":[3]}}"#, &["NoArray"]),
            (r#"{"a":1} [1]"#, &["NoArray"]),
            // Ends before the array is found.
            (r#"{"a":{"b":[1,"#, &["NoArray"]),
            (r#"{"log":{"creator":{},"entr"#, &["NoArray"]),
            // Malformed before the array.
            (r#"{"a" 1,"items":[1]}"#, &["NoArray"]),
            (r#"{a:1}"#, &["NoArray"]),
        ]);
    }

    #[test]
    fn truncated() {
        check(&[
            // Inside an element.
            (
                r#"[{"a":1},{"b":"#,
                &[r#"1:{"a":1}"#, "Truncated { index: 2 }"],
            ),
            (
                r#"[{"a":1},{"b":"x\"#,
                &[r#"1:{"a":1}"#, "Truncated { index: 2 }"],
            ),
            (r#"{"items":[1,"abc"#, &["1:1", "Truncated { index: 2 }"]),
            // A scalar at the very end may be cut too.
            ("[1,23", &["1:1", "Truncated { index: 2 }"]),
            // Between elements.
            (r#"[{"a":1},"#, &[r#"1:{"a":1}"#, "Truncated { index: 2 }"]),
            (r#"[{"a":1}"#, &[r#"1:{"a":1}"#, "Truncated { index: 2 }"]),
            ("[", &["Truncated { index: 1 }"]),
            // The wrapper object's end is not needed.
            (r#"{"value":[1]"#, &["1:1"]),
        ]);
    }

    #[test]
    fn too_large_elements_are_skipped() {
        let doc = r#"[{"a":"0123456789"},{"b":1},"long string here",{"c":[1,2,3,4,5,6,7,8,9]},7]"#;
        let out = frame_with(doc.as_bytes(), DEFAULT_PATHS, 10);
        assert_eq!(
            out,
            [
                "TooLarge { index: 1 }",
                r#"2:{"b":1}"#,
                "TooLarge { index: 3 }",
                "TooLarge { index: 4 }",
                "5:7",
            ]
        );
        // Exactly at the cap is fine; one byte over is not.
        assert_eq!(
            frame_with(br#"[{"b":12}]"#, DEFAULT_PATHS, 8),
            [r#"1:{"b":12}"#]
        );
        assert_eq!(
            frame_with(br#"[{"b":123}]"#, DEFAULT_PATHS, 8),
            ["TooLarge { index: 1 }"]
        );
        // A cut oversized element is reported as both.
        assert_eq!(
            frame_with(br#"[{"a":"0123456789"#, DEFAULT_PATHS, 5),
            ["TooLarge { index: 1 }", "Truncated { index: 1 }"]
        );
        // A multi-MB element spanning many reads, with brackets in its strings.
        let mut big = String::from(r#"{"records":[{"blob":""#);
        for _ in 0..200_000 {
            big.push_str(r#"]}[{\"\\ "#);
        }
        big.push_str(r#""},{"ok":true}]}"#);
        let out = render(JsonArrayFramer::new(
            Cursor::new(big.as_bytes()),
            DEFAULT_PATHS,
            1000,
        ));
        assert_eq!(out, ["TooLarge { index: 1 }", r#"2:{"ok":true}"#]);
    }

    #[test]
    fn deep_nesting_inside_element() {
        let depth = 100_000;
        let deep = format!("{}{}", "[{\"a\":".repeat(depth), "0}]".repeat(depth));
        let doc = format!("[{deep}, {{\"next\":1}}]");
        let out = frame_with(doc.as_bytes(), DEFAULT_PATHS, usize::MAX);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0], format!("1:{deep}"));
        assert_eq!(out[1], r#"2:{"next":1}"#);
        // Deep values at skipped keys are skipped too.
        let doc = format!(r#"{{"x":{deep},"items":[1]}}"#);
        assert_eq!(frame(&doc), ["1:1"]);
    }

    #[test]
    fn million_deep_garbage_is_fast() {
        let started = Instant::now();
        let opens = vec![b'['; 1_000_000];
        let run =
            |doc: &[u8], max| render(JsonArrayFramer::new(Cursor::new(doc), DEFAULT_PATHS, max));
        assert_eq!(run(&opens, BIG), ["Truncated { index: 1 }"]);
        assert_eq!(
            run(&opens, 100),
            ["TooLarge { index: 1 }", "Truncated { index: 1 }"]
        );
        let mut wrapped = br#"{"items":[1],"#.to_vec();
        wrapped.extend_from_slice(&opens);
        assert_eq!(run(&wrapped, BIG), ["1:1"]);
        let mut skipped = br#"{"x":"#.to_vec();
        skipped.extend_from_slice(&opens);
        assert_eq!(run(&skipped, BIG), ["NoArray"]);
        let braces = "{\"log\":".repeat(200_000);
        assert_eq!(run(braces.as_bytes(), BIG), ["NoArray"]);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn one_byte_reader_matches_whole_reads() {
        let mut doc =
            String::from("\u{feff}{\"log\":{\"version\":\"1.2\",\"pages\":[[\"]\"]],\"entries\":[");
        for i in 0..300 {
            doc.push_str(&format!(
                "{{\"i\":{i},\"s\":\"q\\\"\\\\{{[\",\"n\":[[{{}}],{i}]}},\r\n"
            ));
        }
        doc.push_str("\"end\"]}}");
        for max in [BIG, 20, 30] {
            let whole = render(JsonArrayFramer::new(
                Cursor::new(doc.as_bytes()),
                DEFAULT_PATHS,
                max,
            ));
            let trickled = render(JsonArrayFramer::new(
                Trickle {
                    data: doc.as_bytes(),
                    n: 1,
                },
                DEFAULT_PATHS,
                max,
            ));
            assert_eq!(whole, trickled);
            assert_eq!(whole.len(), 301);
        }
        // Every cut point of a small document gives the same items both ways.
        let small = br#"{"a":[1],"value":[{"x":"]\\"},[2],"s\"",3]}"#;
        for cut in 0..=small.len() {
            frame_with(&small[..cut], DEFAULT_PATHS, BIG);
        }
    }

    #[test]
    fn reader_error() {
        let framer = JsonArrayFramer::new(
            Failing {
                data: b"[1,{\"a\":",
            },
            DEFAULT_PATHS,
            BIG,
        );
        assert_eq!(render(framer), ["1:1", "Io(\"disk on fire\")"]);
        let framer = JsonArrayFramer::new(Failing { data: b"" }, DEFAULT_PATHS, BIG);
        assert_eq!(render(framer), ["Io(\"disk on fire\")"]);
    }

    #[test]
    fn counts_bytes_read() {
        let doc = b"[1,2,3] trailing";
        let mut framer = JsonArrayFramer::new(Cursor::new(&doc[..]), DEFAULT_PATHS, BIG);
        assert_eq!(framer.by_ref().count(), 3);
        assert_eq!(framer.bytes_read(), doc.len() as u64);
    }

    /// Throughput on a synthetic log export:
    /// `cargo test --release --lib json_array::tests::throughput -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn throughput() {
        let mut doc = String::from("{\"value\":[");
        let mut i = 0u64;
        while doc.len() < 256 << 20 {
            doc.push_str(&format!(
                r#"{{"TimeGenerated":"2026-04-01T12:00:{:02}Z","OperationName":"GET /v1/customers/{i}/subscriptions","ResultCode":401,"Properties":{{"error":"{{\"code\":\"900421\",\"message\":\"MFA required [x]\"}}","tags":["a","b",{{"k":[1,2,3]}}]}},"Authorization":"Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJl"}},"#,
                i % 60
            ));
            i += 1;
        }
        doc.push_str("{}]}");
        let started = Instant::now();
        let framer = JsonArrayFramer::new(Cursor::new(doc.as_bytes()), DEFAULT_PATHS, BIG);
        let (mut n, mut bytes) = (0u64, 0usize);
        for item in framer {
            n += 1;
            bytes += item.map(|e| e.bytes.len()).unwrap_or(0);
        }
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(n, i + 1);
        println!(
            "{n} elements, {bytes} element bytes, {:.0} MB/s",
            doc.len() as f64 / secs / 1e6
        );
    }
}
