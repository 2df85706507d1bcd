//! A JSON record read once into flat arrays, borrowing its strings from the
//! input: the hot-path replacement for a `serde_json::Value` tree.
//!
//! `Value` allocates every key and string and a tree node per object; field
//! lookup then walks it. A [`Doc`] keeps strings as slices of the record
//! (allocating only those with escapes), objects and arrays as ranges of two
//! arrays. It is read by a scanner of its own ([`super::json_scan`]) that
//! accepts exactly the texts `serde_json::from_slice::<Value>` accepts (UTF-8,
//! escapes and surrogates, control characters, numbers, depth limit, trailing
//! bytes), checked against serde_json in its tests; numbers other than plain
//! small integers are handed to serde_json, so they read as `Value`'s do.
//! Objects read like serde_json's `Map` without `preserve_order`: entries
//! sorted by key, a repeated key keeping its last value; walks over a `Doc`
//! therefore meet fields in the same order as walks over a `Value`.

use std::borrow::Cow;
use std::cell::RefCell;

use serde_json::Number;

pub use super::json_scan::NotJson;
use super::json_scan::Scanner;

/// One JSON value; containers point into their [`Doc`].
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    /// `items[start..start + len]`
    Array {
        start: u32,
        len: u32,
    },
    /// `entries[start..start + len]`, sorted by key, keys unique.
    Object {
        start: u32,
        len: u32,
    },
}

/// A key and its value.
pub type Entry<'a> = (Cow<'a, str>, Node<'a>);

/// A parsed JSON text.
#[derive(Debug, Default)]
pub struct Doc<'a> {
    root: Option<Node<'a>>,
    items: Vec<Node<'a>>,
    entries: Vec<Entry<'a>>,
}

/// Emptied arrays of earlier docs on this thread, so that reading a record
/// allocates only its escaped strings once the arrays have grown.
#[derive(Default)]
struct Spare {
    items: Vec<Vec<Node<'static>>>,
    entries: Vec<Vec<Entry<'static>>>,
}

thread_local! {
    static SPARE: RefCell<Spare> = RefCell::default();
}

/// At most this many arrays of each kind are kept per thread (nested docs
/// are read while their outer doc is alive).
const SPARE_KEPT: usize = 8;

/// An emptied array whose elements may borrow from anything (no element
/// outlives the change: it is empty), reusing its allocation.
fn relabel<T, U>(mut v: Vec<T>, _: fn(T) -> U) -> Vec<U> {
    v.clear();
    // Same size and alignment: collected in place, capacity kept.
    v.into_iter().filter_map(|_| None).collect()
}

fn spare_items<'a>() -> Vec<Node<'a>> {
    SPARE
        .with_borrow_mut(|s| s.items.pop())
        .map(|v| relabel(v, |n: Node<'static>| -> Node<'a> { n }))
        .unwrap_or_default()
}

fn spare_entries<'a>() -> Vec<Entry<'a>> {
    SPARE
        .with_borrow_mut(|s| s.entries.pop())
        .map(|v| relabel(v, |e: Entry<'static>| -> Entry<'a> { e }))
        .unwrap_or_default()
}

fn keep_items(v: Vec<Node<'_>>) {
    if v.capacity() > 0 {
        let v = relabel(v, |_: Node<'_>| Node::Null);
        SPARE.with_borrow_mut(|s| {
            if s.items.len() < SPARE_KEPT {
                s.items.push(v)
            }
        });
    }
}

fn keep_entries(v: Vec<Entry<'_>>) {
    if v.capacity() > 0 {
        let v = relabel(v, |_: Entry<'_>| (Cow::Borrowed(""), Node::Null));
        SPARE.with_borrow_mut(|s| {
            if s.entries.len() < SPARE_KEPT {
                s.entries.push(v)
            }
        });
    }
}

impl Drop for Doc<'_> {
    fn drop(&mut self) {
        keep_items(std::mem::take(&mut self.items));
        keep_entries(std::mem::take(&mut self.entries));
    }
}

impl<'a> Doc<'a> {
    /// Parses `bytes` as one JSON text; accepts what `serde_json::from_slice`
    /// accepts.
    pub fn parse(bytes: &'a [u8]) -> Result<Doc<'a>, NotJson> {
        // Validated once here, so strings are sliced without checking again
        // (serde_json rejects any text that is not UTF-8 as a whole).
        let text = std::str::from_utf8(bytes).map_err(|_| NotJson)?;
        Doc::parse_str(text)
    }

    /// Parses JSON held in a string.
    pub fn parse_str(text: &'a str) -> Result<Doc<'a>, NotJson> {
        Doc::build(|builder| Scanner::new(text).document(builder))
    }

    /// The value `scanner` is at, read whole with `budget` levels of nesting
    /// left (a container met by a walk that reads the rest as it goes).
    pub(super) fn read_value(scanner: &mut Scanner<'a>, budget: u8) -> Result<Doc<'a>, NotJson> {
        Doc::build(|builder| scanner.value_into(builder, budget))
    }

    fn build(
        read: impl FnOnce(&mut Builder<'a>) -> Result<Node<'a>, NotJson>,
    ) -> Result<Doc<'a>, NotJson> {
        let mut builder = Builder {
            items: spare_items(),
            entries: spare_entries(),
            open_items: spare_items(),
            open_entries: spare_entries(),
        };
        let root = read(&mut builder);
        let Builder {
            items,
            entries,
            open_items,
            open_entries,
        } = builder;
        keep_items(open_items);
        keep_entries(open_entries);
        // Built before `?`, so that a failed parse also returns its arrays.
        let mut doc = Doc {
            root: None,
            items,
            entries,
        };
        doc.root = Some(root?);
        Ok(doc)
    }

    pub fn root(&self) -> &Node<'a> {
        self.root.as_ref().unwrap_or(&Node::Null)
    }

    /// An object's entries (empty for anything else).
    pub fn entries(&self, node: &Node<'a>) -> &[Entry<'a>] {
        match node {
            Node::Object { start, len } => self
                .entries
                .get(*start as usize..(*start + *len) as usize)
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// An array's items (empty for anything else).
    pub fn items(&self, node: &Node<'a>) -> &[Node<'a>] {
        match node {
            Node::Array { start, len } => self
                .items
                .get(*start as usize..(*start + *len) as usize)
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// An object's value for `key` (exact match).
    pub fn get<'d>(&'d self, object: &Node<'a>, key: &str) -> Option<&'d Node<'a>> {
        let entries = self.entries(object);
        entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &entries[i].1)
    }
}

/// Finished containers, and the ones still being read (a container's
/// children are stacked until it closes, then moved into place together).
pub(super) struct Builder<'a> {
    items: Vec<Node<'a>>,
    entries: Vec<Entry<'a>>,
    open_items: Vec<Node<'a>>,
    open_entries: Vec<Entry<'a>>,
}

impl<'a> Builder<'a> {
    /// Where the children of a container opening now start on the stacks.
    pub(super) fn marks(&self) -> (usize, usize) {
        (self.open_items.len(), self.open_entries.len())
    }

    pub(super) fn push_item(&mut self, item: Node<'a>) {
        self.open_items.push(item);
    }

    pub(super) fn push_entry(&mut self, key: Cow<'a, str>, value: Node<'a>) {
        self.open_entries.push((key, value));
    }

    /// Closes the array whose items were stacked from `mark`.
    pub(super) fn close_array(&mut self, mark: usize) -> Node<'a> {
        let start = self.items.len();
        self.items.extend(self.open_items.drain(mark..));
        Node::Array {
            start: start as u32,
            len: (self.items.len() - start) as u32,
        }
    }

    /// Closes the object whose entries were stacked from `mark`.
    pub(super) fn close_object(&mut self, mark: usize) -> Node<'a> {
        // serde_json's `Map` (a BTreeMap): sorted by key, the last of equal keys kept.
        let open = &mut self.open_entries[mark..];
        if !open.is_sorted_by(|a, b| key_order(&a.0, &b.0).is_lt()) {
            open.sort_by(|a, b| key_order(&a.0, &b.0));
        }
        let start = self.entries.len();
        let mut open = self.open_entries.drain(mark..).peekable();
        while let Some(entry) = open.next() {
            if open.peek().is_some_and(|next| next.0 == entry.0) {
                continue;
            }
            self.entries.push(entry);
        }
        Node::Object {
            start: start as u32,
            len: (self.entries.len() - start) as u32,
        }
    }
}

/// `a.cmp(b)`, deciding on the first bytes without a `memcmp` call when
/// they differ (as most keys of an object do).
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
#[path = "json_doc_tests.rs"]
pub(super) mod tests;
