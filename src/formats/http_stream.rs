//! HTTP records read while they are scanned: the hot path for gateway JSON
//! lines, with no [`Doc`] of the whole record.
//!
//! The walk hands each key and leaf to the [`Finder`] as the scanner meets
//! them, keeping only the open objects' keys (to find a repeated one). Only an
//! object inside an array (a header list in HAR form) is read whole, as a
//! small `Doc`, since its `name` and `value` decide how it reads. JSON held as
//! text (a response body) is checked to be JSON first, building nothing, then
//! streamed the same way.
//!
//! A `Doc` walk meets keys sorted and keeps the last of a repeated key; this
//! walk meets them in the order they were written, so where the first value
//! found wins it keeps the one a sorted walk meets first ([`Place`]). A record
//! with a repeated key (or a key spelled with escapes, or places too deep to
//! order) is handed back ([`Streamed::NeedsDoc`]) to be read as a `Doc`:
//! every record reads exactly as before.
//!
//! [`Place`]: super::super::walk_path::Place

use std::borrow::Cow;

use super::super::http_keys::{KeyInfo, KeyInfos, Side};
use super::super::json_doc::{Doc, Node};
use super::super::json_scan::{NotJson, Scanner, Step, DEPTH_BUDGET};
use super::Finder;
use crate::event::Observation;

/// What reading a record as it is scanned gave.
pub(in crate::formats) enum Streamed {
    /// An HTTP record, read exactly as its `Doc` reads.
    Http(Box<Observation>),
    /// A top-level key hints at another kind of record (asked for with `shaped_stops`).
    Shaped,
    /// Not an object, a repeated key, or candidates that could not be
    /// ordered: read it as a `Doc`.
    NeedsDoc,
}

/// Reads one JSON text as an HTTP record; `Err` when it is not JSON (as
/// serde_json judges). With `shaped_stops`, a top-level key in
/// [`super::super::SHAPE_KEYS`] stops the walk (the record is read another way).
pub(in crate::formats) fn read_http_text(
    text: &str,
    shaped_stops: bool,
) -> Result<Streamed, NotJson> {
    let mut finder = Finder {
        keys: KeyInfos::borrow(),
        text,
        streaming: true,
        ..Finder::default()
    };
    let mut walk = Walk::new(text, false, &mut finder);
    walk.shaped_stops = shaped_stops;
    let flow = match walk.scanner.step() {
        Ok(Step::Object) => walk.object(0, Side::Either, DEPTH_BUDGET - 1),
        Ok(_) => Ok(Flow::ToDoc),
        Err(e) => Err(e),
    };
    let flow = flow.and_then(|flow| {
        if flow == Flow::Done {
            walk.scanner.end()?;
        }
        Ok(flow)
    });
    let (observation, unordered) = finder.finish_in_order();
    Ok(match flow? {
        Flow::Done if !unordered => Streamed::Http(Box::new(observation)),
        Flow::Shaped => Streamed::Shaped,
        _ => Streamed::NeedsDoc,
    })
}

impl Finder<'_> {
    /// JSON held as text (`{` or `[` first), streamed too once checked to be
    /// JSON (a `Doc` walk skips text that is not, and bodies cut short are
    /// common). Where a `Doc` walk would read it differently (a repeated key),
    /// the record is read as a `Doc`.
    pub(super) fn stream_nested(&mut self, text: &str, depth: u16, side: Side) {
        if Scanner::new(text).check_document().is_err() {
            return;
        }
        let mut walk = Walk::new(text, true, self);
        let flow = match walk.scanner.step() {
            Ok(Step::Object) => walk.object(depth, side, DEPTH_BUDGET - 1),
            Ok(Step::Array) => {
                // As a `Doc` walk reads an array at the top: under the key "".
                let key = walk.finder.keys.of("");
                walk.array(&key, depth, key.side.unwrap_or(side), DEPTH_BUDGET - 1)
            }
            _ => Err(NotJson),
        };
        let whole = flow.and_then(|flow| walk.scanner.end().map(|_| flow));
        if whole != Ok(Flow::Done) {
            self.needs_doc = true;
        }
    }
}

/// How a walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Done,
    Shaped,
    /// To be read as a `Doc`: a key repeated in an object, a key spelled
    /// with escapes, more keys open than can be checked, or not an object.
    ToDoc,
}

/// Keys of the objects open at once, checked for repeats; a record with more
/// is read as a `Doc`.
const OPEN_KEYS: usize = 64;

struct Walk<'a, 'f, 't> {
    text: &'a str,
    /// Walking JSON held as text inside the record.
    inner: bool,
    scanner: Scanner<'a>,
    finder: &'f mut Finder<'t>,
    shaped_stops: bool,
    open_keys: [&'a str; OPEN_KEYS],
    open: usize,
}

impl<'a, 'f, 't> Walk<'a, 'f, 't> {
    fn new(text: &'a str, inner: bool, finder: &'f mut Finder<'t>) -> Walk<'a, 'f, 't> {
        Walk {
            text,
            inner,
            scanner: Scanner::new(text),
            finder,
            shaped_stops: false,
            open_keys: [""; OPEN_KEYS],
            open: 0,
        }
    }

    /// After `{`, with `budget` levels of nesting left (none: not JSON).
    fn object(&mut self, depth: u16, side: Side, budget: u8) -> Result<Flow, NotJson> {
        if budget == 0 {
            return Err(NotJson);
        }
        let first = self.open;
        let mut seen = 0u64;
        let mut next = self.scanner.first_key()?;
        while let Some(raw_key) = next {
            let Cow::Borrowed(raw_key) = raw_key else {
                // Escaped: two spellings may name one key.
                return Ok(Flow::ToDoc);
            };
            if !self.remember(raw_key, first, &mut seen) {
                return Ok(Flow::ToDoc);
            }
            let key = self.finder.keys.of(raw_key);
            if depth == 0 && key.shape && self.shaped_stops {
                return Ok(Flow::Shaped);
            }
            let start = raw_key.as_ptr() as usize - self.text.as_ptr() as usize;
            if self.inner {
                self.finder.place.push_inner_key(start, raw_key);
            } else {
                self.finder.place.push_key(start, raw_key.len());
            }
            let flow = self.member(&key, depth, key.side.unwrap_or(side), budget)?;
            self.finder.place.pop();
            if flow != Flow::Done {
                return Ok(flow);
            }
            next = self.scanner.next_key()?;
        }
        self.open = first;
        Ok(Flow::Done)
    }

    /// Notes `key` among its object's keys (from `first`); false if it is
    /// there already or there is no room to check.
    fn remember(&mut self, key: &'a str, first: usize, seen: &mut u64) -> bool {
        let bytes = key.as_bytes();
        let sign = bytes.len()
            ^ usize::from(bytes.first().copied().unwrap_or(0)) << 1
            ^ usize::from(bytes.last().copied().unwrap_or(0)) << 2;
        let bit = 1u64 << (sign % 64);
        if *seen & bit != 0 && self.open_keys[first..self.open].contains(&key) {
            return false;
        }
        *seen |= bit;
        let Some(slot) = self.open_keys.get_mut(self.open) else {
            return false;
        };
        *slot = key;
        self.open += 1;
        true
    }

    /// The value of `key`; `side` is the one its contents belong to.
    fn member(
        &mut self,
        key: &KeyInfo,
        depth: u16,
        side: Side,
        budget: u8,
    ) -> Result<Flow, NotJson> {
        match self.scanner.step()? {
            Step::Object => self.object(depth + 1, side, budget - 1),
            Step::Array => self.array(key, depth, side, budget - 1),
            Step::Leaf(Node::Null) => Ok(Flow::Done),
            Step::Leaf(leaf) => {
                self.finder.leaf(key, &leaf, depth, side);
                Ok(Flow::Done)
            }
        }
    }

    /// After `[`: leaves read under the array's key, objects as in HAR
    /// header lists, arrays in arrays only checked.
    fn array(
        &mut self,
        key: &KeyInfo,
        depth: u16,
        side: Side,
        budget: u8,
    ) -> Result<Flow, NotJson> {
        if budget == 0 {
            return Err(NotJson);
        }
        if !self.scanner.first_item() {
            return Ok(Flow::Done);
        }
        for index in 0.. {
            match self.scanner.peek_value() {
                Some(b'{') => {
                    let item = Doc::read_value(&mut self.scanner, budget)?;
                    self.finder.place.push_item(index);
                    self.finder.array_object(&item, item.root(), depth, side);
                    self.finder.place.pop();
                }
                Some(b'[') => {
                    Doc::read_value(&mut self.scanner, budget)?;
                }
                _ => {
                    if let Step::Leaf(leaf @ (Node::Str(_) | Node::Number(_) | Node::Bool(_))) =
                        self.scanner.step()?
                    {
                        self.finder.leaf(key, &leaf, depth, side)
                    }
                }
            }
            if !self.scanner.next_item()? {
                break;
            }
        }
        Ok(Flow::Done)
    }
}

#[cfg(test)]
#[path = "http_stream_tests.rs"]
mod tests;
