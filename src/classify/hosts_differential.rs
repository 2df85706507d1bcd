//! The byte-level URL splitting against the `str`-pattern code it replaced
//! (kept here as the oracle), on URLs assembled from the shapes logs write
//! and on arbitrary text over the delimiters: every answer must be the same.

use proptest::prelude::*;

use super::{
    host_span, is_partner_center_host, normalize_host, normalize_host_owned, split_url, UrlParts,
};
use crate::classify::operation::strip_query;

/// The implementation before the byte-level rewrite, verbatim.
mod oracle {
    pub fn strip_query(path: &str) -> &str {
        path.split(['?', '#']).next().unwrap_or(path)
    }

    pub fn is_partner_center_host(host: &str) -> bool {
        host_span(host).is_some_and(|h| {
            super::super::PARTNER_CENTER_HOSTS
                .iter()
                .any(|pc| pc.eq_ignore_ascii_case(h))
        })
    }

    pub fn normalize_host(host: &str) -> Option<String> {
        host_span(host).map(str::to_ascii_lowercase)
    }

    pub fn split_url(url: &str) -> (Option<String>, Option<String>) {
        let url = url.trim();
        if url.is_empty() {
            return (None, None);
        }
        let (authority, rest) = if let Some(after) = url.strip_prefix("//") {
            split_authority(after)
        } else if let Some(after) = strip_scheme(url) {
            split_authority(after)
        } else if url.starts_with('/') {
            return (None, Some(strip_query(url).to_owned()));
        } else {
            let (first, _) = split_authority(url);
            if looks_like_host(first) {
                split_authority(url)
            } else {
                let path = strip_query(url);
                return (None, (!path.is_empty()).then(|| path.to_owned()));
            }
        };
        let host = normalize_host(authority);
        let path = match strip_query(rest) {
            "" => "/",
            p => p,
        };
        (host, Some(path.to_owned()))
    }

    pub fn host_span(text: &str) -> Option<&str> {
        let text = text.trim();
        let text = strip_scheme(text)
            .or_else(|| text.strip_prefix("//"))
            .unwrap_or(text);
        let (authority, _) = split_authority(text);
        let host = if let Some(bracketed) = authority.strip_prefix('[') {
            bracketed.split_once(']').map_or(bracketed, |(h, _)| h)
        } else if authority.bytes().filter(|&b| b == b':').count() == 1 {
            authority.split_once(':').map_or(authority, |(h, _)| h)
        } else {
            authority
        };
        let host = host.strip_suffix('.').unwrap_or(host);
        let valid = !host.is_empty() && !host.bytes().any(|b| b.is_ascii_whitespace() || b < 0x20);
        valid.then_some(host)
    }

    fn split_authority(text: &str) -> (&str, &str) {
        let end = text.find(['/', '?', '#']).unwrap_or(text.len());
        let (mut authority, mut rest) = text.split_at(end);
        if let Some((_, host)) = authority.rsplit_once('@') {
            authority = host;
        } else if has_odd_port(authority) {
            if let Some(at) = rest.find('@') {
                let after = rest.get(at + 1..).unwrap_or_default();
                let end = after.find(['/', '?', '#']).unwrap_or(after.len());
                (authority, rest) = after.split_at(end);
            }
        }
        (authority, rest)
    }

    fn has_odd_port(authority: &str) -> bool {
        match authority.split_once(':') {
            Some((_, port)) => {
                !port.contains(':')
                    && !port.bytes().all(|b| b.is_ascii_digit())
                    && !authority.starts_with('[')
            }
            None => false,
        }
    }

    fn strip_scheme(text: &str) -> Option<&str> {
        let (scheme, after) = text.split_once("://")?;
        let mut bytes = scheme.bytes();
        let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
        let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        (first_ok && rest_ok).then_some(after)
    }

    fn looks_like_host(segment: &str) -> bool {
        let is_version = segment.strip_prefix(['v', 'V']).is_some_and(|v| {
            v.starts_with(|c: char| c.is_ascii_digit())
                && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        });
        segment.contains('.') && !segment.contains(char::is_whitespace) && !is_version
    }
}

/// Every entry point gives what the oracle gives for `text`.
fn same(text: &str) {
    assert_eq!(
        split_url(text),
        oracle::split_url(text),
        "split_url {text:?}"
    );
    assert_eq!(
        normalize_host(text),
        oracle::normalize_host(text),
        "normalize_host {text:?}"
    );
    assert_eq!(
        normalize_host_owned(text.to_string()),
        oracle::normalize_host(text),
        "normalize_host_owned {text:?}"
    );
    // As the record reader uses it: on `split_url`'s host.
    if let (Some(host), _) = split_url(text) {
        assert_eq!(
            normalize_host_owned(host.clone()),
            oracle::normalize_host(&host),
            "normalize_host_owned of the host of {text:?}"
        );
    }
    assert_eq!(
        host_span(text),
        oracle::host_span(text),
        "host_span {text:?}"
    );
    assert_eq!(
        is_partner_center_host(text),
        oracle::is_partner_center_host(text),
        "is_partner_center_host {text:?}"
    );
    assert_eq!(
        strip_query(text),
        oracle::strip_query(text),
        "strip_query {text:?}"
    );
    // The borrowed parts are `split_url`'s before lower-casing and copying,
    // and checking the borrowed host is checking the normalised one.
    let parts = UrlParts::parse(text);
    let (host, _) = oracle::split_url(text);
    assert_eq!(
        parts.host().map(str::to_ascii_lowercase),
        host,
        "UrlParts {text:?}"
    );
    assert_eq!(
        parts.host().is_some_and(is_partner_center_host),
        host.as_deref().is_some_and(oracle::is_partner_center_host),
        "UrlParts host check {text:?}"
    );
}

/// The pieces logs write URLs with, edge cases included.
const SCHEMES: &[&str] = &[
    "",
    "https://",
    "HTTP://",
    "//",
    "a+b.c-d://",
    "1http://",
    "x:y://",
    ":/",
];
const USERINFO: &[&str] = &["", "user:pw@", "u:p/w@", "u:p?w@", "a@b@"];
const HOSTS: &[&str] = &[
    "api.partnercenter.microsoft.com",
    "API.PartnerCenter.Microsoft.COM.",
    "api.partnercenter.microsoft.com..",
    "[2001:db8::1]",
    "[2001:db8::1",
    "2001:db8::1",
    "",
    " h.example ",
    "h\u{e9}llo.example",
    "v1.0",
    "a\tb.example",
];
const PORTS: &[&str] = &["", ":443", ":abc", ":1:2"];
const PATHS: &[&str] = &["", "/", "/v1/Customers", "/a@b", "//x", "x/y"];
const QUERIES: &[&str] = &["", "?a=1#f", "?x=https://h/p@q"];

/// Every combination of scheme, userinfo, host, port, path and query.
#[test]
fn assembled_urls_split_as_before() {
    let mut checked = 0;
    for scheme in SCHEMES {
        for user in USERINFO {
            for host in HOSTS {
                for port in PORTS {
                    for path in PATHS {
                        for query in QUERIES {
                            same(&format!("{scheme}{user}{host}{port}{path}{query}"));
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    for text in [
        " https://x.example/ ",
        "\u{a0}https://x.example\u{a0}",
        "\u{2003}",
    ] {
        same(text);
    }
    assert_eq!(checked, 8 * 5 * 11 * 4 * 6 * 3);
}

proptest! {
    /// Arbitrary text over the delimiters, letters, digits, spaces and
    /// multi-byte characters.
    #[test]
    fn arbitrary_text_splits_as_before(text in "[a-zA-Z0-9:/?#@\\[\\].% \t\u{e9}\u{a0}+-]{0,40}") {
        same(&text);
    }

    /// The same after `https://` and `http://`, where the plain-URL path
    /// ([`UrlParts::plain`]) starts.
    #[test]
    fn arbitrary_text_after_a_scheme_splits_as_before(text in "[a-zA-Z0-9:/?#@\\[\\].% \t\u{e9}\u{a0}+-]{0,40}") {
        same(&format!("https://{text}"));
        same(&format!("http://{text}"));
    }
}
