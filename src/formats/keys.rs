//! Field names as logs spell them: normalised so that `Request_URI`,
//! `requestUri` and `request-uri` are one name.

/// Lower-cases ASCII and drops `_`, `-`, `.`, `:` and spaces.
pub fn normalize_key(key: &str) -> String {
    key.bytes()
        .filter(|b| !matches!(b, b'_' | b'-' | b'.' | b':' | b' '))
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// A key normalised as [`normalize_key`] does, held on the stack when short
/// (every field name is), so that walking a record allocates nothing per key.
pub struct NormalKey {
    short: [u8; NormalKey::INLINE],
    len: usize,
    long: Option<String>,
}

impl NormalKey {
    const INLINE: usize = 64;

    pub fn new(key: &str) -> NormalKey {
        let mut normal = NormalKey {
            short: [0; NormalKey::INLINE],
            len: 0,
            long: None,
        };
        for b in key.bytes() {
            if matches!(b, b'_' | b'-' | b'.' | b':' | b' ') {
                continue;
            }
            if normal.len == NormalKey::INLINE {
                normal.long = Some(normalize_key(key));
                return normal;
            }
            normal.short[normal.len] = b.to_ascii_lowercase();
            normal.len += 1;
        }
        normal
    }

    /// The normalised key. Non-ASCII bytes are kept as they are, where
    /// [`normalize_key`] widens each to a char: both compare alike with the
    /// ASCII names they are matched against (`==`, `ends_with`, `contains`).
    pub fn as_str(&self) -> &str {
        match &self.long {
            Some(long) => long,
            // Dropping ASCII bytes and lower-casing ASCII keeps UTF-8 valid.
            None => std::str::from_utf8(&self.short[..self.len]).unwrap_or(""),
        }
    }
}

/// True when `key` normalises to `normalized` (see [`normalize_key`]),
/// compared without allocating.
pub fn key_is(key: &str, normalized: &str) -> bool {
    let mut kept = key
        .bytes()
        .filter(|b| !matches!(b, b'_' | b'-' | b'.' | b':' | b' '))
        .map(|b| b.to_ascii_lowercase());
    let mut wanted = normalized.bytes();
    loop {
        match (kept.next(), wanted.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// True when `text` holds `needle` as a whole number: not preceded or
/// followed by a letter, digit or `.`.
pub fn contains_number(text: &str, needle: &str) -> bool {
    let bytes = text.as_bytes();
    let needle = needle.as_bytes();
    let Some(&first) = needle.first() else {
        return false;
    };
    let edge = |i: Option<&u8>| i.is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'.'));
    let mut from = 0;
    while let Some(found) = bytes
        .get(from..)
        .and_then(|rest| memchr::memchr(first, rest))
    {
        let start = from + found;
        let end = start + needle.len();
        if bytes.get(start..end) == Some(needle) {
            if edge(start.checked_sub(1).and_then(|i| bytes.get(i))) && edge(bytes.get(end)) {
                return true;
            }
            from = end;
        } else {
            from = start + 1;
        }
    }
    false
}

/// True when `text` contains `needle` ignoring ASCII case (`needle` lower-case).
pub fn contains_ignore_case(text: &str, needle: &str) -> bool {
    let bytes = text.as_bytes();
    let needle = needle.as_bytes();
    let Some(&first) = needle.first() else {
        return true;
    };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let mut from = 0;
    while let Some(found) = bytes
        .get(from..)
        .and_then(|rest| memchr::memchr2(lower, upper, rest))
    {
        let start = from + found;
        if bytes
            .get(start..start + needle.len())
            .is_some_and(|window| window.eq_ignore_ascii_case(needle))
        {
            return true;
        }
        from = start + 1;
    }
    false
}

/// Reads `true`/`false` in any casing, from a JSON bool or string.
pub fn as_bool(value: &serde_json::Value) -> Option<bool> {
    match value {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => match s.trim() {
            t if t.eq_ignore_ascii_case("true") => Some(true),
            t if t.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Reads an HTTP status from a number or a numeric string.
pub fn as_status(value: &serde_json::Value) -> Option<u16> {
    let n = match value {
        serde_json::Value::Number(n) => n.as_u64()?,
        serde_json::Value::String(s) => s.trim().parse::<u64>().ok()?,
        _ => return None,
    };
    (100..=599).contains(&n).then_some(n as u16)
}

/// A non-empty, trimmed string value (numbers rendered as text).
pub fn as_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl super::json_doc::Node<'_> {
    /// A string's text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            super::json_doc::Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// As [`as_bool`].
    pub fn as_bool_text(&self) -> Option<bool> {
        use super::json_doc::Node;
        match self {
            Node::Bool(b) => Some(*b),
            Node::Str(s) => match s.trim() {
                t if t.eq_ignore_ascii_case("true") => Some(true),
                t if t.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// An HTTP status from a number or a numeric string (`as_status` for a `Value`).
    pub fn as_status(&self) -> Option<u16> {
        use super::json_doc::Node;
        let n = match self {
            Node::Number(n) => n.as_u64()?,
            Node::Str(s) => s.trim().parse::<u64>().ok()?,
            _ => return None,
        };
        (100..=599).contains(&n).then_some(n as u16)
    }

    /// As [`as_text`].
    pub fn as_text(&self) -> Option<String> {
        use super::json_doc::Node;
        match self {
            Node::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Node::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// The value of the first of `names` (each already normalised, see
/// [`normalize_key`]) that `map` holds with a non-null value.
pub fn find_key<'a>(
    map: &'a serde_json::Map<String, serde_json::Value>,
    names: &[&str],
) -> Option<&'a serde_json::Value> {
    names.iter().find_map(|name| {
        map.iter()
            .find(|(key, value)| !value.is_null() && key_is(key, name))
            .map(|(_, value)| value)
    })
}

/// True when `map` has a key normalising to `name`, whatever its value.
pub fn has_key(map: &serde_json::Map<String, serde_json::Value>, name: &str) -> bool {
    map.keys().any(|key| key_is(key, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_normalise() {
        for key in [
            "Request_URI",
            "requestUri",
            "request-uri",
            "request.uri",
            "REQUEST URI",
        ] {
            assert_eq!(normalize_key(key), "requesturi");
        }
        assert_eq!(normalize_key(":authority"), "authority");
        assert_eq!(normalize_key("@t"), "@t");
    }

    #[test]
    fn normal_keys_on_the_stack_match_normalize_key() {
        let long = format!("X-{}-Authorization", "Very_Long".repeat(10));
        for key in [
            "Request_URI",
            "MS-CorrelationId",
            ":authority",
            "@t",
            "",
            "é-Authorization",
            &long,
        ] {
            let normal = NormalKey::new(key);
            let widened = normalize_key(key);
            assert_eq!(normal.as_str().is_ascii(), widened.is_ascii(), "{key}");
            if widened.is_ascii() {
                assert_eq!(normal.as_str(), widened, "{key}");
            }
            for name in ["authorization", "requesturi", "authority"] {
                assert_eq!(normal.as_str() == name, widened == name, "{key}");
                assert_eq!(
                    normal.as_str().ends_with(name),
                    widened.ends_with(name),
                    "{key}"
                );
                assert_eq!(
                    normal.as_str().contains(name),
                    widened.contains(name),
                    "{key}"
                );
            }
        }
    }

    #[test]
    fn keys_compare_normalised_without_allocating() {
        assert!(key_is("Request_URI", "requesturi"));
        assert!(key_is("AppId", "appid"));
        assert!(!key_is("AppIds", "appid"));
        assert!(!key_is("App", "appid"));
    }

    #[test]
    fn whole_numbers_only() {
        assert!(contains_number(r#"{"code":900421}"#, "900421"));
        assert!(contains_number(
            r#"{"code":"900421","description":"x"}"#,
            "900421"
        ));
        assert!(contains_number("error 900421", "900421"));
        assert!(!contains_number("1900421", "900421"));
        assert!(!contains_number("9004211", "900421"));
        assert!(!contains_number("amount 900421.50", "900421"));
        assert!(!contains_number("ab900421cd", "900421"));
        assert!(contains_number("x9004210 then 900421", "900421"));
    }

    /// The searches above against the plain sliding-window reading.
    #[test]
    fn searches_match_sliding_windows() {
        let number = |text: &str, needle: &str| {
            let b = text.as_bytes();
            let edge =
                |i: Option<&u8>| i.is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'.'));
            (0..b.len()).any(|s| {
                b[s..].starts_with(needle.as_bytes())
                    && edge(s.checked_sub(1).and_then(|i| b.get(i)))
                    && edge(b.get(s + needle.len()))
            })
        };
        let ignoring_case = |text: &str, needle: &str| {
            text.as_bytes()
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
        };
        let texts = [
            "",
            "9",
            "900421",
            "9900421",
            "900421.",
            "x 900421 y",
            "90042900421",
            "9.900421",
            "{\"code\":900421}",
            "ab900421cd 900421",
            "é900421é",
            "MFA Required",
            "mfa requirem",
            "mmfa required",
            "Mfa rEquired!",
            "mfa  required",
            "é mfa required",
        ];
        for text in texts {
            assert_eq!(
                contains_number(text, "900421"),
                number(text, "900421"),
                "{text}"
            );
            assert_eq!(
                contains_ignore_case(text, "mfa required"),
                ignoring_case(text, "mfa required"),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        /// Random texts over the needles' own bytes read alike too.
        #[test]
        fn searches_match_sliding_windows_on_any_text(
            text in "[9004216.aAmMfFrReEqQuUiIdD é]{0,40}"
        ) {
            let b = text.as_bytes();
            let edge = |i: Option<&u8>| i.is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'.'));
            let number = (0..b.len()).any(|s| {
                b[s..].starts_with(b"900421")
                    && edge(s.checked_sub(1).and_then(|i| b.get(i)))
                    && edge(b.get(s + 6))
            });
            proptest::prop_assert_eq!(contains_number(&text, "900421"), number);
            let ignoring_case = b.windows(12).any(|w| w.eq_ignore_ascii_case(b"mfa required"));
            proptest::prop_assert_eq!(contains_ignore_case(&text, "mfa required"), ignoring_case);
        }
    }

    #[test]
    fn values() {
        use serde_json::json;
        assert_eq!(as_bool(&json!("False")), Some(false));
        assert_eq!(as_bool(&json!(" TRUE ")), Some(true));
        assert_eq!(as_bool(&json!(1)), None);
        assert_eq!(as_status(&json!("401")), Some(401));
        assert_eq!(as_status(&json!(401)), Some(401));
        assert_eq!(as_status(&json!(99)), None);
        assert_eq!(as_status(&json!("ok")), None);
        assert!(contains_ignore_case(
            "401 Unauthorized - MFA Required",
            "mfa required"
        ));
    }
}
