//! Where a value sits in a JSON record, and the order in which a walk over
//! the record sorted by key (serde_json's `Map` order, the order a
//! [`super::json_doc::Doc`] keeps) meets two values.
//!
//! A walk that reads a record as written meets values in another order than
//! a sorted walk; where the first value found wins, it decides between two
//! candidates by their places instead, so both walks keep the same one.

use std::cmp::Ordering;

/// Keys (and array items) from the record's top down to a value. Keys are
/// byte ranges of the record's text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Place {
    /// How deep the value is (may exceed the entries kept).
    len: u8,
    entries: [Step; KEPT],
}

/// Steps kept per place; two values that differ only deeper cannot be ordered.
const KEPT: usize = 8;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Step {
    /// An unused slot, or a step that cannot be told apart (an offset past
    /// 4 GiB): orders nothing, not even against itself.
    #[default]
    Unknown,
    /// A key: its byte range in the record's text.
    Key { start: u32, len: u32 },
    /// A key of JSON the record holds as text (a body): where it starts in
    /// that text, and its first bytes (the text is gone by the time places
    /// are compared).
    Inner { start: u32, head: u64 },
    /// An array item.
    Item(u32),
}

impl Place {
    /// One level down, under the key at `start..start + len` of the text.
    pub fn push_key(&mut self, start: usize, len: usize) {
        let step = match (u32::try_from(start), u32::try_from(len)) {
            (Ok(start), Ok(len)) => Step::Key { start, len },
            _ => Step::Unknown,
        };
        self.push(step);
    }

    /// One level down, under `key` starting at `start` of JSON held as text.
    pub fn push_inner_key(&mut self, start: usize, key: &str) {
        // Big-endian, zero-padded: ordered as the keys' first 8 bytes are
        // (JSON keys hold no raw NUL byte).
        let mut head = [0u8; 8];
        let len = key.len().min(8);
        head[..len].copy_from_slice(&key.as_bytes()[..len]);
        let step = match u32::try_from(start) {
            Ok(start) => Step::Inner {
                start,
                head: u64::from_be_bytes(head),
            },
            Err(_) => Step::Unknown,
        };
        self.push(step);
    }

    /// One level down, at item `index` of an array.
    pub fn push_item(&mut self, index: usize) {
        self.push(u32::try_from(index).map_or(Step::Unknown, Step::Item));
    }

    fn push(&mut self, step: Step) {
        if let Some(slot) = self.entries.get_mut(usize::from(self.len)) {
            *slot = step;
        }
        self.len = self.len.saturating_add(1);
    }

    pub fn pop(&mut self) {
        self.len = self.len.saturating_sub(1);
        if let Some(slot) = self.entries.get_mut(usize::from(self.len)) {
            *slot = Step::Unknown;
        }
    }

    /// Which of `self` and `other` (both places in `text`) a sorted walk
    /// meets first: `Less` if `self`. `Equal` when one holds the other (a
    /// walk meets values there in the same order whichever way it reads the
    /// record); `None` when the steps kept cannot tell.
    pub fn order(&self, other: &Place, text: &str) -> Option<Ordering> {
        let shared = usize::from(self.len.min(other.len));
        for (a, b) in self
            .entries
            .iter()
            .zip(&other.entries)
            .take(shared.min(KEPT))
        {
            if a == b && *a != Step::Unknown {
                continue;
            }
            return match (a, b) {
                (Step::Key { start: s, len: l }, Step::Key { start: t, len: m }) => {
                    let key = |start: &u32, len: &u32| {
                        let start = *start as usize;
                        text.get(start..start + *len as usize)
                    };
                    Some(key(s, l)?.cmp(key(t, m)?))
                }
                // Keys of one text sharing their first 8 bytes: unordered.
                (Step::Inner { head: h, .. }, Step::Inner { head: k, .. }) if h != k => {
                    Some(h.cmp(k))
                }
                (Step::Item(i), Step::Item(j)) => Some(i.cmp(j)),
                _ => None,
            };
        }
        if shared > KEPT {
            None
        } else {
            Some(Ordering::Equal)
        }
    }
}

/// The best candidate for a field: lowest rank, then shallowest, then the
/// first a sorted walk meets.
pub(super) struct Best<T> {
    kept: Option<(u8, u16, Place, T)>,
    /// Two candidates could not be ordered.
    pub unordered: bool,
}

impl<T> Default for Best<T> {
    fn default() -> Self {
        Best {
            kept: None,
            unordered: false,
        }
    }
}

impl<T> Best<T> {
    /// Offers `value`, found at `place` of `text`.
    pub fn offer(&mut self, rank: u8, depth: u16, place: &Place, text: &str, value: T) {
        let better = match &self.kept {
            None => true,
            Some((r, d, kept_place, _)) => match (rank, depth).cmp(&(*r, *d)) {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => match place.order(kept_place, text) {
                    Some(order) => order.is_lt(),
                    None => {
                        self.unordered = true;
                        false
                    }
                },
            },
        };
        if better {
            self.kept = Some((rank, depth, *place, value));
        }
    }

    pub fn take(self) -> Option<T> {
        self.kept.map(|(_, _, _, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(text: &str, keys: &[&str]) -> Place {
        let mut place = Place::default();
        let mut from = 0;
        for key in keys {
            let start = from + text[from..].find(&format!("\"{key}\"")).unwrap_or(0) + 1;
            place.push_key(start, key.len());
            from = start;
        }
        place
    }

    #[test]
    fn places_order_by_their_first_differing_key() {
        let text = r#"{"response":{"headers":{"id":"2"}},"request":{"headers":{"id":"1"}}}"#;
        let response = place(text, &["response", "headers", "id"]);
        let request = place(text, &["request", "headers", "id"]);
        assert_eq!(request.order(&response, text), Some(Ordering::Less));
        assert_eq!(response.order(&request, text), Some(Ordering::Greater));
        assert_eq!(request.order(&request, text), Some(Ordering::Equal));
        // One place inside the other: met in one order by any walk.
        let outer = place(text, &["request"]);
        assert_eq!(outer.order(&request, text), Some(Ordering::Equal));
        let mut best = Best::default();
        best.offer(0, 2, &response, text, "2");
        best.offer(0, 2, &request, text, "1");
        best.offer(0, 3, &outer, text, "deeper");
        assert_eq!(best.take(), Some("1"));
    }

    #[test]
    fn keys_of_json_held_as_text_order_by_their_first_bytes() {
        let inner = |start: usize, key: &str| {
            let mut place = Place::default();
            place.push_key(0, 4);
            place.push_inner_key(start, key);
            place
        };
        let text = "body";
        let code = inner(2, "code");
        assert_eq!(code.order(&inner(20, "codes"), text), Some(Ordering::Less));
        assert_eq!(code.order(&inner(20, "cod"), text), Some(Ordering::Greater));
        assert_eq!(
            code.order(&inner(20, "description"), text),
            Some(Ordering::Less)
        );
        assert_eq!(code.order(&code, text), Some(Ordering::Equal));
        // Same first 8 bytes, other keys: cannot tell.
        let long = inner(2, "description1");
        assert_eq!(long.order(&inner(30, "description2"), text), None);
    }

    #[test]
    fn items_keep_their_order_and_deep_places_are_unordered() {
        let mut a = Place::default();
        let mut b = Place::default();
        a.push_item(1);
        b.push_item(2);
        assert_eq!(a.order(&b, ""), Some(Ordering::Less));
        let mut deep = Place::default();
        for _ in 0..KEPT + 1 {
            deep.push_item(0);
        }
        assert_eq!(deep.order(&deep.clone(), ""), None);
        deep.pop();
        assert_eq!(deep.order(&deep.clone(), ""), Some(Ordering::Equal));
        // Offsets past 4 GiB cannot be told apart, so they order nothing.
        let mut far = Place::default();
        far.push_key(1 << 33, 3);
        assert_eq!(far.order(&far.clone(), ""), None);
        let mut best = Best::default();
        let mut deeper = deep;
        deeper.push_item(0);
        best.offer(0, 0, &deeper, "", 1);
        best.offer(0, 0, &deeper, "", 2);
        assert!(best.unordered);
        assert_eq!(best.take(), Some(1));
    }
}
