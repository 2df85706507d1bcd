//! A JSON record read once into flat arrays, borrowing its strings from the
//! input: the hot-path replacement for a `serde_json::Value` tree.
//!
//! `Value` allocates every key and string and a tree node per object; field
//! lookup then walks it. A [`Doc`] keeps strings as slices of the record
//! (allocating only those with escapes), objects and arrays as ranges of two
//! arrays, and parses with serde_json itself, so exactly the records
//! `Value` accepts are accepted (UTF-8, numbers, depth limit, trailing bytes).
//! Objects read like serde_json's `Map` without `preserve_order`: entries
//! sorted by key, a repeated key keeping its last value; walks over a `Doc`
//! therefore meet fields in the same order as walks over a `Value`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

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
    /// Parses `bytes` as one JSON text, as `serde_json::from_slice` would.
    pub fn parse(bytes: &'a [u8]) -> serde_json::Result<Doc<'a>> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let mut builder = Builder {
            items: spare_items(),
            entries: spare_entries(),
            open_items: spare_items(),
            open_entries: spare_entries(),
        };
        let root = NodeSeed {
            builder: &mut builder,
        }
        .deserialize(&mut de)
        .and_then(|root| de.end().map(|()| root));
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

    /// Parses JSON held in a string.
    pub fn parse_str(text: &'a str) -> serde_json::Result<Doc<'a>> {
        Doc::parse(text.as_bytes())
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
struct Builder<'a> {
    items: Vec<Node<'a>>,
    entries: Vec<Entry<'a>>,
    open_items: Vec<Node<'a>>,
    open_entries: Vec<Entry<'a>>,
}

struct NodeSeed<'b, 'a> {
    builder: &'b mut Builder<'a>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, 'de> {
    type Value = Node<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, 'de> {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        // As `Value` does: a non-finite float is null.
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let builder = self.builder;
        let mark = builder.open_items.len();
        while let Some(item) = seq.next_element_seed(NodeSeed {
            builder: &mut *builder,
        })? {
            builder.open_items.push(item);
        }
        let start = builder.items.len();
        builder.items.extend(builder.open_items.drain(mark..));
        Ok(Node::Array {
            start: start as u32,
            len: (builder.items.len() - start) as u32,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let builder = self.builder;
        let mark = builder.open_entries.len();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(NodeSeed {
                builder: &mut *builder,
            })?;
            builder.open_entries.push((key, value));
        }
        // serde_json's `Map` (a BTreeMap): sorted by key, the last of equal keys kept.
        builder.open_entries[mark..].sort_by(|a, b| a.0.cmp(&b.0));
        let start = builder.entries.len();
        let mut open = builder.open_entries.drain(mark..).peekable();
        while let Some(entry) = open.next() {
            if open.peek().is_some_and(|next| next.0 == entry.0) {
                continue;
            }
            builder.entries.push(entry);
        }
        Ok(Node::Object {
            start: start as u32,
            len: (builder.entries.len() - start) as u32,
        })
    }
}

/// An object key, borrowed when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Rebuilds a `Value` from a `Doc`, to compare with serde_json's own.
    fn to_value(doc: &Doc, node: &Node) -> Value {
        match node {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::Str(s) => Value::String(s.to_string()),
            Node::Array { .. } => {
                Value::Array(doc.items(node).iter().map(|n| to_value(doc, n)).collect())
            }
            Node::Object { .. } => Value::Object(
                doc.entries(node)
                    .iter()
                    .map(|(k, v)| (k.to_string(), to_value(doc, v)))
                    .collect(),
            ),
        }
    }

    /// Same answer as `Value`, entry order included.
    fn same_as_value(text: &[u8]) {
        let value = serde_json::from_slice::<Value>(text);
        let doc = Doc::parse(text);
        match (value, doc) {
            (Ok(value), Ok(doc)) => {
                let rebuilt = to_value(&doc, doc.root());
                assert_eq!(rebuilt, value, "{}", String::from_utf8_lossy(text));
                if let (Value::Object(map), Node::Object { .. }) = (&value, doc.root()) {
                    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                    let doc_keys: Vec<&str> = doc
                        .entries(doc.root())
                        .iter()
                        .map(|(k, _)| k.as_ref())
                        .collect();
                    assert_eq!(doc_keys, keys);
                }
            }
            (Err(_), Err(_)) => {}
            (value, doc) => panic!(
                "{}: Value {:?}, Doc {:?}",
                String::from_utf8_lossy(text),
                value.is_ok(),
                doc.is_ok()
            ),
        }
    }

    #[test]
    fn reads_like_serde_json_value() {
        for text in [
            &br#"{"b":1,"a":{"y":[1,2.5,-3,true,null,"s"],"x":"e\"sc"},"a":{"z":1}}"#[..],
            br#"[{"name":"Authorization","value":"Bearer x"},[],{}]"#,
            br#"{"n":18446744073709551615,"f":1e400,"neg":-9223372036854775808}"#,
            br#"{"\u00e9":"\ud83d\ude00","k\"":"v"}"#,
            br#"{"a":1} trailing"#,
            br#"{"a":1,}"#,
            br#"{"a":"\ud800"}"#,
            b"{\"a\":\"\xff\"}",
            b"  \"just a string\"  ",
            b"",
            b"{\"a\":\"ctl\x01\"}",
        ] {
            same_as_value(text);
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        same_as_value(deep.as_bytes());
    }

    /// Arrays handed back by one doc serve the next, allocation kept.
    #[test]
    fn arrays_are_reused_between_docs() {
        let text = br#"{"a":[1,2,3],"b":{"c":"d"}}"#;
        let first = Doc::parse(text).expect("json");
        let capacity = first.entries.capacity();
        assert!(capacity > 0);
        drop(first);
        let second = Doc::parse(br#"{"x":1}"#).expect("json");
        assert_eq!(second.entries.capacity(), capacity);
        assert_eq!(second.entries(second.root()).len(), 1);
    }

    proptest::proptest! {
        /// Arbitrary JSON-ish texts: accepted alike, read alike.
        #[test]
        fn any_text_reads_like_value(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "{", "}", "[", "]", ",", ":", "\"a\"", "\"b\"", "\"A\"", "\"a\\\"\"", "1", "-2.5e3",
                    "true", "null", "\"x\\u00e9\"", " ", "\"\\ud800\"",
                ]),
                0..24,
            )
        ) {
            same_as_value(pieces.concat().as_bytes());
        }
    }
}
