//! Operation templates: `GET /v1/customers/{id}/subscriptions`.
//!
//! Calls are grouped by operation, not by URL: a template keeps the literal
//! words of a path (lower-cased) and replaces every identifier (GUID, number,
//! UPN, domain, invoice or product id, partnerRequests placeholder) with
//! `{id}`, so the same API called for a thousand customers is one row. Version
//! segments (`v1`, `v1.0`) stay, since they tell APIs apart. No regex: this
//! runs once per event.

/// Strips the query string and fragment: cuts at the first `?` or `#`.
pub fn strip_query(path: &str) -> &str {
    match memchr::memchr2(b'?', b'#', path.as_bytes()) {
        Some(end) => &path[..end],
        None => path,
    }
}

/// Method (upper-cased) + path template with identifiers replaced by `{id}`:
/// `GET /v1/customers/{id}/subscriptions`; just the template when the method
/// is None or blank.
///
/// The query is dropped, empty segments vanish (an empty path gives `/`),
/// literal segments are lower-cased and partnerRequests' `v{version}` becomes
/// `v1`. `path` must be a path, not a full URL (see `hosts::split_url`).
pub fn operation_template(method: Option<&str>, path: &str) -> String {
    let path = strip_query(path.trim());
    let mut out = String::with_capacity(path.len() + 8);
    if let Some(method) = method.map(str::trim).filter(|m| !m.is_empty()) {
        out.push_str(method);
        out.make_ascii_uppercase();
        out.push(' ');
    }
    let start = out.len();
    for segment in segments(path) {
        out.push('/');
        match classify(segment) {
            Segment::Id => out.push_str("{id}"),
            Segment::VersionPlaceholder => out.push_str("v1"),
            Segment::Literal => {
                let from = out.len();
                out.push_str(segment);
                out[from..].make_ascii_lowercase();
            }
        }
    }
    if out.len() == start {
        out.push('/');
    }
    out
}

/// The non-empty segments between `/`s. A byte loop: segments are short,
/// so a `memchr` set-up per segment costs more than it saves.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = path;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let end = rest.bytes().position(|b| b == b'/').unwrap_or(rest.len());
        let (segment, tail) = rest.split_at(end);
        rest = tail.strip_prefix('/').unwrap_or(tail);
        if !segment.is_empty() {
            return Some(segment);
        }
    })
}

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    /// A word or version, kept lower-cased.
    Literal,
    /// `v{version}` (partnerRequests), written as `v1`.
    VersionPlaceholder,
    /// Anything naming one object rather than an API.
    Id,
}

fn classify(segment: &str) -> Segment {
    let b = segment.as_bytes();
    if is_version(b) {
        return Segment::Literal;
    }
    if let Some(rest) = b.strip_prefix(b"v").or_else(|| b.strip_prefix(b"V")) {
        if is_placeholder(rest) {
            return Segment::VersionPlaceholder;
        }
    }
    if is_identifier(b) {
        Segment::Id
    } else {
        Segment::Literal
    }
}

/// `v` or `V`, then a digit, then digits and dots: `v1`, `v1.0`, `V2`.
fn is_version(b: &[u8]) -> bool {
    match b {
        [b'v' | b'V', first, rest @ ..] => {
            first.is_ascii_digit() && rest.iter().all(|&c| c.is_ascii_digit() || c == b'.')
        }
        _ => false,
    }
}

/// `{...}`: a placeholder as in partnerRequests' `{customer_id}`.
fn is_placeholder(b: &[u8]) -> bool {
    b.len() >= 2 && b.starts_with(b"{") && b.ends_with(b"}")
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex, any case.
fn is_guid(b: &[u8]) -> bool {
    b.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b.iter().filter(|&&c| c == b'-').count() == 4
        && b.iter().all(|&c| c.is_ascii_hexdigit() || c == b'-')
}

/// True for segments that name one object (callers rule out versions first).
/// One pass over the bytes gathers what the shapes below look at.
fn is_identifier(b: &[u8]) -> bool {
    if is_guid(b) || is_placeholder(b) {
        return true;
    }
    let (mut all_digits, mut has_digit, mut has_letter, mut has_dash, mut has_percent) =
        (true, false, false, false, false);
    for &c in b {
        match c {
            // UPNs (`jane@contoso.com`) and domains (`contoso.onmicrosoft.com`).
            b'@' | b'.' => return true,
            b'0'..=b'9' => {
                has_digit = true;
                continue;
            }
            b'%' => has_percent = true,
            b'-' => has_dash = true,
            c if c.is_ascii_alphabetic() => has_letter = true,
            _ => {}
        }
        all_digits = false;
    }
    // Numbers; percent-encoded text (`jane%40contoso.com`, `%7Bid%7D`).
    if all_digits || (has_digit && has_percent) {
        return true;
    }
    // Invoice `G000024135`, product `DZH318Z0BQ3Q`, period `2024-01`.
    b.len() >= 6 && has_digit && (has_letter || has_dash) && !is_numbered_word(b)
}

/// A lower-case word ending in a single digit (`oauth2`): part of an API name
/// (`/{tenant}/oauth2/v2.0/token`), not an id.
fn is_numbered_word(b: &[u8]) -> bool {
    match b.split_last() {
        Some((last, word)) => {
            last.is_ascii_digit() && word.len() >= 3 && word.iter().all(u8::is_ascii_lowercase)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_strip_query() {
        let cases = [
            ("/v1/customers?size=10", "/v1/customers"),
            ("/v1/customers#frag", "/v1/customers"),
            ("/v1/customers#a?b", "/v1/customers"),
            ("/v1/customers?a#b", "/v1/customers"),
            ("/v1/customers", "/v1/customers"),
            ("?x", ""),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(strip_query(input), want, "{input:?}");
        }
    }

    #[test]
    fn operation_templates() {
        let cases: &[(Option<&str>, &str, &str)] = &[
            (
                Some("get"),
                "/v1/customers/4c9e2a77-0e1b-4b9a-9c1d-6a3f0e1b2c3d/subscriptions?size=100",
                "GET /v1/customers/{id}/subscriptions",
            ),
            (
                Some("GET"),
                "/v1/invoices/G000024135/lineitems/Azure/BillingLineItems",
                "GET /v1/invoices/{id}/lineitems/azure/billinglineitems",
            ),
            (
                Some("Get"),
                "/v{version}/customers/{customer_id}/subscriptions?size={size}",
                "GET /v1/customers/{id}/subscriptions",
            ),
            (
                Some("POST"),
                "/v1.0/sales/referrals",
                "POST /v1.0/sales/referrals",
            ),
            (
                None,
                "/webhooks/v1/registration",
                "/webhooks/v1/registration",
            ),
            (
                Some("GET"),
                "/v1/customers/contoso.onmicrosoft.com/users/jane@contoso.com",
                "GET /v1/customers/{id}/users/{id}",
            ),
            // Shapes of identifiers
            (
                Some("GET"),
                "/v1/customers/4C9E2A77-0E1B-4B9A-9C1D-6A3F0E1B2C3D",
                "GET /v1/customers/{id}",
            ),
            (
                Some("GET"),
                "/v1/customers/abcdefab-abcd-abcd-abcd-abcdefabcdef",
                "GET /v1/customers/{id}",
            ),
            (Some("GET"), "/v1/orders/12345", "GET /v1/orders/{id}"),
            (Some("GET"), "/v1/orders/7", "GET /v1/orders/{id}"),
            (
                Some("GET"),
                "/v1/products/DZH318Z0BQ3Q/skus/0001",
                "GET /v1/products/{id}/skus/{id}",
            ),
            (
                Some("GET"),
                "/v1/customers/{customer-tenant-id}/servicecosts/2024-01",
                "GET /v1/customers/{id}/servicecosts/{id}",
            ),
            (
                Some("GET"),
                "/v1/users/jane%40contoso.com",
                "GET /v1/users/{id}",
            ),
            (Some("GET"), "/v1/users/%7Bid%7D", "GET /v1/users/{id}"),
            (
                Some("POST"),
                "/contoso.onmicrosoft.com/oauth2/v2.0/token",
                "POST /{id}/oauth2/v2.0/token",
            ),
            (
                Some("POST"),
                "/4c9e2a77-0e1b-4b9a-9c1d-6a3f0e1b2c3d/oauth2/token",
                "POST /{id}/oauth2/token",
            ),
            // Literals and versions
            (Some("GET"), "/V1/Customers", "GET /v1/customers"),
            (Some("GET"), "/v2/usagerecords", "GET /v2/usagerecords"),
            (Some("POST"), "/generatetoken", "POST /generatetoken"),
            (Some("POST"), "/v1/$batch", "POST /v1/$batch"),
            (
                Some("GET"),
                "/v1/customers/{id}/subscriptions/{id}/azureentitlements",
                "GET /v1/customers/{id}/subscriptions/{id}/azureentitlements",
            ),
            (
                Some("GET"),
                "/accountenrollments/v1/testinvoices",
                "GET /accountenrollments/v1/testinvoices",
            ),
            (Some("GET"), "/v1/m365", "GET /v1/m365"),
            // Slashes, empties, whitespace
            (Some("GET"), "//v1//customers///", "GET /v1/customers"),
            (Some("GET"), "", "GET /"),
            (Some("GET"), "/", "GET /"),
            (Some("GET"), "?x=1", "GET /"),
            (None, "", "/"),
            (Some("  "), "/v1/customers", "/v1/customers"),
            (Some(" patch "), " /v1/customers ", "PATCH /v1/customers"),
            (Some("GET"), "v1/customers", "GET /v1/customers"),
        ];
        for &(method, path, want) in cases {
            assert_eq!(
                operation_template(method, path),
                want,
                "{method:?} {path:?}"
            );
        }
    }

    #[test]
    fn operation_segment_classes() {
        let cases = [
            ("v1", Segment::Literal),
            ("v1.0", Segment::Literal),
            ("V2", Segment::Literal),
            ("v{version}", Segment::VersionPlaceholder),
            ("{customer_id}", Segment::Id),
            ("{}", Segment::Id),
            ("customers", Segment::Literal),
            ("subscriptions", Segment::Literal),
            ("generatetoken", Segment::Literal),
            ("$batch", Segment::Literal),
            ("oauth2", Segment::Literal),
            ("billing-period", Segment::Literal),
            ("G000024135", Segment::Id),
            ("DZH318Z0BQ3Q", Segment::Id),
            ("2024-01", Segment::Id),
            ("ab1", Segment::Literal),
            ("12", Segment::Id),
            ("v", Segment::Literal),
            ("vx.1", Segment::Id),
            ("jane@contoso.com", Segment::Id),
            ("contoso.onmicrosoft.com", Segment::Id),
        ];
        for (segment, want) in cases {
            assert_eq!(classify(segment), want, "{segment:?}");
        }
    }

    /// The one-pass identifier test against the multi-pass one it replaced.
    fn is_identifier_before(b: &[u8]) -> bool {
        if is_guid(b) || is_placeholder(b) || b.iter().all(u8::is_ascii_digit) {
            return true;
        }
        if b.contains(&b'@') || b.contains(&b'.') {
            return true;
        }
        let has_digit = b.iter().any(u8::is_ascii_digit);
        if has_digit && b.contains(&b'%') {
            return true;
        }
        let has_letter = b.iter().any(u8::is_ascii_alphabetic);
        let has_dash = b.contains(&b'-');
        b.len() >= 6 && has_digit && (has_letter || has_dash) && !is_numbered_word(b)
    }

    fn is_guid_before(b: &[u8]) -> bool {
        b.len() == 36
            && b.iter().enumerate().all(|(i, &c)| match i {
                8 | 13 | 18 | 23 => c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
    }

    /// The template as built before segments were split by hand.
    fn template_before(method: Option<&str>, path: &str) -> String {
        let path = strip_query(path.trim());
        let mut out = String::new();
        if let Some(method) = method.map(str::trim).filter(|m| !m.is_empty()) {
            out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
            out.push(' ');
        }
        let start = out.len();
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            out.push('/');
            match classify(segment) {
                Segment::Id => out.push_str("{id}"),
                Segment::VersionPlaceholder => out.push_str("v1"),
                Segment::Literal => out.extend(segment.chars().map(|c| c.to_ascii_lowercase())),
            }
        }
        if out.len() == start {
            out.push('/');
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn operation_guid_as_before(segment in "[0-9a-fA-Fg-]{36}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9A-F]{4}-[0-9a-f]{4}-[0-9a-f]{12}") {
            proptest::prop_assert_eq!(
                is_guid(segment.as_bytes()),
                is_guid_before(segment.as_bytes()),
                "{:?}", segment
            );
        }

        #[test]
        fn operation_template_as_before(
            method in proptest::option::of("[ a-zA-Z\u{e9}]{0,7}"),
            path in "[ /a-zA-Z0-9%.@{}?#\u{e9}-]{0,60}",
        ) {
            proptest::prop_assert_eq!(
                operation_template(method.as_deref(), &path),
                template_before(method.as_deref(), &path)
            );
        }

        #[test]
        fn operation_identifier_as_before(segment in "[a-zA-Z0-9@.%{}_$-]{0,14}|[0-9a-fA-F-]{36}") {
            proptest::prop_assert_eq!(
                is_identifier(segment.as_bytes()),
                is_identifier_before(segment.as_bytes()),
                "{:?}", segment
            );
        }

        #[test]
        fn operation_template_one_lower_case_slot_per_segment(path in "(/[a-zA-Z0-9%.@{}-]{0,8}){0,5}") {
            let template = operation_template(Some("Get"), &path);
            proptest::prop_assert!(template.starts_with("GET /"), "{}", template);
            proptest::prop_assert!(!template[4..].bytes().any(|b| b.is_ascii_uppercase()), "{}", template);
            let want = path.split('/').filter(|s| !s.is_empty()).count().max(1);
            proptest::prop_assert_eq!(template.matches('/').count(), want, "{}", template);
        }
    }
}
