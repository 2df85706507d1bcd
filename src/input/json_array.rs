//! Streams the records of one JSON document that holds an array of them.
//! (Stub: the full module is being written.)

use std::io::Read;

/// One complete element of the record array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// 1-based position in the array.
    pub index: u64,
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

/// Finds the record array (the document itself, or the value of the first
/// key in `paths`, e.g. `records`, `value`, `items`, `entries`, `log.entries`)
/// and yields its elements one at a time without loading the document.
pub struct JsonArrayFramer<R: Read> {
    _reader: R,
}

impl<R: Read> JsonArrayFramer<R> {
    /// `paths`: where the array may sit; `&[]` (empty path) is the document root.
    pub fn new(reader: R, paths: &[&[&str]], max_element_bytes: usize) -> Self {
        let _ = (paths, max_element_bytes);
        JsonArrayFramer { _reader: reader }
    }
}

impl<R: Read> Iterator for JsonArrayFramer<R> {
    type Item = Result<Element, ElementError>;
    fn next(&mut self) -> Option<Self::Item> {
        todo!()
    }
}
