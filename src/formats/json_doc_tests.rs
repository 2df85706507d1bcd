//! `Doc` against `serde_json::Value`, the oracle: same texts accepted, same values.

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
            // Number kinds and float bits too (`-0.0 == 0.0`, `1 != 1.0`).
            assert_eq!(
                serde_json::to_string(&rebuilt).ok(),
                serde_json::to_string(&value).ok(),
                "{}",
                String::from_utf8_lossy(text)
            );
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

/// Texts at every edge of the grammar: escapes, surrogates, control
/// characters, numbers, literals, nesting, whitespace, BOM, trailing bytes.
#[test]
fn edges_read_like_serde_json_value() {
    let mut texts: Vec<Vec<u8>> = [
        // Strings and escapes.
        r#""""#,
        r#""\"\\\/\b\f\n\r\t""#,
        r#""\u0000\u001f\u007F\u00e9\u20AC\uFFFF""#,
        r#""\ud83d\ude00""#,
        r#""\uD83D\uDE00 tail""#,
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        r#""\ud800\ud800""#,
        r#""\ud800\n""#,
        r#""\ud800\""#,
        r#""\ud800\u""#,
        r#""\ud800x""#,
        r#""\u12""#,
        r#""\u12g4""#,
        r#""\x41""#,
        r#""\'""#,
        r#""\"#,
        r#""abc"#,
        r#""a\\"#,
        "\"tab\tinside\"",
        "\"nl\ninside\"",
        "\"del\u{7f}inside\"",
        "\"\u{e9}\u{1F600}\"",
        "\t\n\r {\"a\" \t:\n\"b\"\r}\n",
        // Numbers.
        "0",
        "-0",
        "00",
        "01",
        "-01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "1E-3",
        "2e+5",
        "-0.0",
        "0.0",
        "1.5e300",
        "1e400",
        "-1e400",
        "1e-400",
        "123456789012345678",
        "1234567890123456789",
        "9999999999999999999",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "0.1",
        "3.141592653589793238462643383279",
        "1e-5",
        "1.0e+0",
        "1-2",
        "1..2",
        "1ee2",
        "[1,-2,3.5e1]",
        "[1 2]",
        "{\"n\":1e999}",
        "{\"n\":-}",
        // Literals.
        "true",
        "false",
        "null",
        "tru",
        "nul",
        "truex",
        "[true,false,null]",
        "True",
        "NULL",
        // Containers.
        "{}",
        "[]",
        "{ }",
        "[ ]",
        "{,}",
        "[,]",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\"}",
        "{\"a\":}",
        "{a:1}",
        "{\"a\" 1}",
        "{\"a\":1 \"b\":2}",
        "[1}",
        "{\"a\":1]",
        "{",
        "[",
        "}",
        "]",
        "{\"a\":1,\"a\":2,\"b\":[],\"a\":{\"c\":3}}",
        "{\"b\":1,\"a\":2,\"\":0}",
        // Around the value.
        "",
        " ",
        "{} {}",
        "{}x",
        "{}\u{0}",
        "1 2",
        "\u{feff}{}",
        "{}\u{feff}",
        "\u{0}{}",
        "\u{b}{}",
        "\u{c}{}",
    ]
    .iter()
    .map(|t| t.as_bytes().to_vec())
    .collect();
    // Not UTF-8, inside and outside strings.
    texts.extend([
        b"\"\xff\"".to_vec(),
        b"\"\xc3\"".to_vec(),
        b"\"\xed\xa0\x80\"".to_vec(),
        b"{}\xff".to_vec(),
        b"\xef\xbb\xbf{}".to_vec(),
        b"[\"a\",\xe9]".to_vec(),
    ]);
    // serde_json's recursion limit: 127 levels read, 128 refused.
    for depth in [126, 127, 128, 129] {
        texts.push(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes());
        texts.push(format!("{}1{}", "[".repeat(depth), "]".repeat(depth)).into_bytes());
        texts.push(format!("{}{}", "{\"a\":".repeat(depth), "}".repeat(depth)).into_bytes());
        texts.push(format!("{}0{}", "{\"a\":".repeat(depth), "}".repeat(depth)).into_bytes());
    }
    for text in texts {
        same_as_value(&text);
    }
}

/// Pieces that make valid and broken JSON when strung together.
pub(in crate::formats) const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"a\"",
    "\"b\"",
    "\"A\"",
    "\"a\\\"\"",
    "1",
    "-2.5e3",
    "true",
    "null",
    "\"x\\u00e9\"",
    " ",
    "\"\\ud800\"",
    "\"\\ud83d\\ude00\"",
    "\"\\udc00\"",
    "0",
    "-0",
    "1e400",
    "01",
    "\"\t\"",
    "\n",
    "\"\\/\\b\"",
    "\"é\"",
    "-",
    ".",
    "e5",
    "\"",
    "\\",
    "\u{feff}",
    "18446744073709551616",
];

/// Bytes that break JSON in interesting ways when dropped into it.
pub(in crate::formats) const NOISE: &[u8] =
    b"{}[],:\"\\ \t\n\r0123456789-+.eEtrufalsn\x00\x01\x1f\x7f\xc3\xa9\xff";

/// A generated JSON value, with strings that need escapes.
pub(in crate::formats) fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[a-zA-Z0-9\"\\\\/\u{0}-\u{1f}é😀 ]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 40, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec(("[a-c\"\\\\é]{0,3}", inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// One change to a text: a byte dropped, replaced or inserted, or the text cut.
#[derive(Debug, Clone)]
pub(in crate::formats) enum Mutation {
    Drop(usize),
    Replace(usize, u8),
    Insert(usize, u8),
    Cut(usize),
}

pub(in crate::formats) fn mutate(text: &mut Vec<u8>, mutation: &Mutation) {
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
    match *mutation {
        Mutation::Drop(i) if !text.is_empty() => {
            text.remove(at(i, text.len()));
        }
        Mutation::Replace(i, b) if !text.is_empty() => {
            let i = at(i, text.len());
            text[i] = b;
        }
        Mutation::Insert(i, b) => {
            let i = at(i, text.len() + 1);
            text.insert(i, b);
        }
        Mutation::Cut(i) => text.truncate(at(i, text.len() + 1)),
        _ => {}
    }
}

pub(in crate::formats) fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
    use proptest::prelude::*;
    let noise = proptest::sample::select(NOISE.to_vec());
    prop_oneof![
        any::<usize>().prop_map(Mutation::Drop),
        (any::<usize>(), noise.clone()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (any::<usize>(), noise).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Cut),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Generated JSON (compact or pretty, escapes of every kind, numbers of
    /// every kind) read alike, and still alike after a few random changes.
    #[test]
    fn generated_and_mutated_json_reads_like_value(
        value in json_value(),
        pretty in proptest::prelude::any::<bool>(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let mut text = if pretty {
            serde_json::to_vec_pretty(&value)
        } else {
            serde_json::to_vec(&value)
        }
        .unwrap_or_default();
        same_as_value(&text);
        for mutation in &mutations {
            mutate(&mut text, mutation);
            same_as_value(&text);
        }
    }

    /// Arbitrary JSON-ish texts: accepted alike, read alike.
    #[test]
    fn pieces_read_like_value(
        pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..24)
    ) {
        same_as_value(pieces.concat().as_bytes());
    }

    /// Any bytes at all.
    #[test]
    fn any_bytes_read_like_value(bytes in proptest::collection::vec(
        proptest::sample::select(NOISE.to_vec()), 0..40)
    ) {
        same_as_value(&bytes);
    }
}

proptest::proptest! {
    /// The shortcut on first bytes orders keys exactly as `str::cmp`.
    #[test]
    fn key_order_is_str_order(a in "[a-cA\"é]{0,4}", b in "[a-cA\"é]{0,4}") {
        proptest::prop_assert_eq!(key_order(&a, &b), a.cmp(&b));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

    /// Checking a text accepts exactly what reading it accepts.
    #[test]
    fn checking_accepts_what_reading_accepts(
        value in json_value(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let mut text = serde_json::to_vec(&value).unwrap_or_default();
        for mutation in &mutations {
            mutate(&mut text, mutation);
        }
        if let Ok(text) = std::str::from_utf8(&text) {
            let checked = super::Scanner::new(text).check_document().is_ok();
            proptest::prop_assert_eq!(checked, Doc::parse_str(text).is_ok(), "{}", text);
        }
    }
}

#[test]
fn checking_counts_nesting_as_reading_does() {
    for depth in [126, 127, 128, 129] {
        for (open, close) in [("[", "]"), (r#"{"a":"#, "}")] {
            let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let checked = super::Scanner::new(&text).check_document().is_ok();
            assert_eq!(checked, Doc::parse_str(&text).is_ok(), "{depth} {open}");
        }
    }
}
