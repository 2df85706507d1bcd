//! Which hosts are Partner Center, and pulling host and path out of URLs.
//!
//! Logs write hosts every way: with scheme, port, userinfo, brackets, a
//! trailing dot, any case. A host is Partner Center only on an exact match
//! after normalisation, so lookalikes (`api.partnercenter.microsoft.com.evil.example`)
//! never count. Userinfo is always dropped: credentials must never reach the
//! output. Matching runs per event, so it compares in place without allocating.

use super::operation::strip_query;

/// The Partner Center resource (application) id.
pub const PARTNER_CENTER_APP_ID: &str = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd";

/// The Partner Center API hosts (lower case): global and US Government,
/// pricing and referrals, and 21Vianet (China).
pub const PARTNER_CENTER_HOSTS: &[&str] = &[
    "api.partnercenter.microsoft.com",
    "api.partner.microsoft.com",
    "partner.partnercenterapi.microsoftonline.cn",
];

/// True for an exact Partner Center API host (any case, optional scheme,
/// userinfo, port and trailing dot); false for lookalikes. Does not allocate.
pub fn is_partner_center_host(host: &str) -> bool {
    host_span(host).is_some_and(|h| {
        PARTNER_CENTER_HOSTS
            .iter()
            .any(|pc| pc.eq_ignore_ascii_case(h))
    })
}

/// Lower-cases a host and drops `scheme://`, userinfo, port, IPv6 brackets,
/// anything from the first `/`, `?` or `#`, and one trailing dot. None when
/// nothing is left or the text holds whitespace (not a host).
pub fn normalize_host(host: &str) -> Option<String> {
    host_span(host).map(str::to_ascii_lowercase)
}

/// [`normalize_host`] of an owned host, kept as it is when it is already
/// normalised (no copy).
pub fn normalize_host_owned(host: String) -> Option<String> {
    match host_span(&host) {
        // A span as long as the host is the whole host.
        Some(span) if span.len() == host.len() && !span.bytes().any(|b| b.is_ascii_uppercase()) => {
            Some(host)
        }
        span => span.map(str::to_ascii_lowercase),
    }
}

/// Splits a URL (absolute, scheme-relative or host/path without scheme, or a
/// bare path) into (normalised host, path without query or fragment).
///
/// A text without scheme or leading `/` starts with a host only when its first
/// segment contains a dot, no whitespace, and is not a version (`v1.0`).
/// A host with nothing after it has path `/`. Percent-encoding is kept.
/// [`UrlParts::parse`] gives the same parts without allocating.
pub fn split_url(url: &str) -> (Option<String>, Option<String>) {
    let parts = UrlParts::parse(url);
    (
        parts.host().map(str::to_ascii_lowercase),
        parts.path.map(str::to_owned),
    )
}

/// A URL split once, in place: what [`split_url`] gives, borrowed. The host
/// is found on demand ([`UrlParts::host`]) and not lower-cased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// The authority without userinfo, when the URL has one.
    authority: Option<&'a str>,
    /// The path without query or fragment (`/` when only a host is given).
    pub path: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    /// Splits `url`; see [`split_url`] for the shapes it reads.
    pub fn parse(url: &'a str) -> UrlParts<'a> {
        let url = url.trim();
        if url.is_empty() {
            return UrlParts::default();
        }
        if let Some(parts) = Self::plain(url) {
            return parts;
        }
        let (authority, rest) = if let Some(after) = url.strip_prefix("//") {
            split_authority(after)
        } else if let Some(after) = strip_scheme(url) {
            split_authority(after)
        } else if url.starts_with('/') {
            return UrlParts {
                authority: None,
                path: Some(strip_query(url)),
            };
        } else {
            let (first, rest) = split_authority(url);
            if looks_like_host(first) {
                (first, rest)
            } else {
                let path = strip_query(url);
                return UrlParts {
                    authority: None,
                    path: (!path.is_empty()).then_some(path),
                };
            }
        };
        let path = match strip_query(rest) {
            "" => "/",
            p => p,
        };
        UrlParts {
            authority: Some(authority),
            path: Some(path),
        }
    }

    /// The usual URL, split without searching for userinfo or a port:
    /// `https://` or `http://`, a plain host ([`is_plain_host`]'s bytes), then
    /// the end, `/`, `?` or `#`. None for any other shape.
    fn plain(url: &'a str) -> Option<UrlParts<'a>> {
        let after = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let host_len = after
            .bytes()
            .position(|b| !PLAIN_HOST_BYTE[b as usize])
            .unwrap_or(after.len());
        let (host, rest) = after.split_at(host_len);
        if !matches!(rest.bytes().next(), None | Some(b'/' | b'?' | b'#')) {
            return None;
        }
        let path = match strip_query(rest) {
            "" => "/",
            p => p,
        };
        Some(UrlParts {
            authority: Some(host),
            path: Some(path),
        })
    }

    /// The host as [`split_url`] gives it, not lower-cased (compare it with
    /// `eq_ignore_ascii_case`).
    pub fn host(&self) -> Option<&'a str> {
        self.authority.and_then(host_span)
    }
}

/// The host inside `text`, not yet lower-cased; see [`normalize_host`].
/// Compares bytes only: every delimiter it looks for is ASCII.
pub fn host_span(text: &str) -> Option<&str> {
    if is_plain_host(text) {
        return Some(text);
    }
    let text = trim(text);
    let text = strip_scheme(text)
        .or_else(|| text.strip_prefix("//"))
        .unwrap_or(text);
    let (authority, _) = split_authority(text);
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        // IPv6 literal: `[::1]:8080`.
        match memchr::memchr(b']', bracketed.as_bytes()) {
            Some(end) => &bracketed[..end],
            None => bracketed,
        }
    } else {
        let bytes = authority.as_bytes();
        match bytes.iter().position(|&b| b == b':') {
            // One colon: a port.
            Some(colon) if !bytes[colon + 1..].contains(&b':') => &authority[..colon],
            // No port, or a bare IPv6 address whose colons are not a port.
            _ => authority,
        }
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    // Not empty, no whitespace or control byte (all are at most b' '); `min`
    // runs without branches.
    host.bytes()
        .min()
        .is_some_and(|least| least > b' ')
        .then_some(host)
}

/// Letters, digits, dots and dashes, not ending in a dot: a host as logs
/// usually give it (and as [`normalize_host`] leaves it), which is its own
/// span: no scheme, userinfo, port, path or whitespace to take off.
fn is_plain_host(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.last().is_some_and(|&b| b != b'.') && bytes.iter().all(|&b| PLAIN_HOST_BYTE[b as usize])
}

/// The bytes of [`is_plain_host`], as a table: one load per byte.
const PLAIN_HOST_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-';
        b += 1;
    }
    table
};

/// `str::trim`, with a shortcut for the usual text that has nothing to trim.
fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let plain = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b.is_ascii());
    if plain(bytes.first()) && plain(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// Where the authority ends: the first `/`, `?` or `#`, else the end.
fn authority_end(text: &str) -> usize {
    memchr::memchr3(b'/', b'?', b'#', text.as_bytes()).unwrap_or(text.len())
}

/// Splits text starting at the authority into (authority without userinfo,
/// rest from the first `/`, `?` or `#`).
fn split_authority(text: &str) -> (&str, &str) {
    let (mut authority, mut rest) = text.split_at(authority_end(text));
    if let Some(at) = memchr::memrchr(b'@', authority.as_bytes()) {
        authority = &authority[at + 1..];
    } else if has_odd_port(authority) {
        // `user:pa/ss@host`: an unencoded delimiter inside a password. Skip
        // to the `@` so no part of the password survives as host or path.
        if let Some(at) = memchr::memchr(b'@', rest.as_bytes()) {
            let after = &rest[at + 1..];
            (authority, rest) = after.split_at(authority_end(after));
        }
    }
    (authority, rest)
}

/// True when the authority has a single `:` followed by something other than
/// digits: not a port, so probably `user:password` cut short.
fn has_odd_port(authority: &str) -> bool {
    let bytes = authority.as_bytes();
    match memchr::memchr(b':', bytes) {
        Some(colon) => {
            let port = &bytes[colon + 1..];
            !port.contains(&b':') && !port.iter().all(u8::is_ascii_digit) && bytes[0] != b'['
        }
        None => false,
    }
}

/// The text after `scheme://`, when it starts with a URI scheme (a letter,
/// then letters, digits, `+`, `-`, `.`). A scheme holds no `:`, so it can
/// only end at the first `:` of the text.
fn strip_scheme(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let colon = memchr::memchr(b':', bytes)?;
    let (scheme, after) = (&bytes[..colon], &bytes[colon..]);
    let valid = after.starts_with(b"://")
        && scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    valid.then(|| &text[colon + 3..])
}

/// A first segment that reads as a host: has a dot, no whitespace, and is not
/// a version segment such as `v1.0`.
fn looks_like_host(segment: &str) -> bool {
    let is_version = segment.strip_prefix(['v', 'V']).is_some_and(|v| {
        v.starts_with(|c: char| c.is_ascii_digit())
            && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    });
    memchr::memchr(b'.', segment.as_bytes()).is_some()
        && !segment.contains(char::is_whitespace)
        && !is_version
}

#[cfg(test)]
#[path = "hosts_differential.rs"]
mod differential;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_url_parts_borrow_without_lower_casing() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                "HTTPS://Alice:pw@API.PartnerCenter.Microsoft.com.:443/V1/Customers?Size=1#Top",
                Some("API.PartnerCenter.Microsoft.com"),
                Some("/V1/Customers"),
            ),
            ("https://[2001:DB8::1]:8443", Some("2001:DB8::1"), Some("/")),
            (
                "Login.MicrosoftOnline.com/Contoso.onmicrosoft.com/OAuth2/V2.0/Token",
                Some("Login.MicrosoftOnline.com"),
                Some("/Contoso.onmicrosoft.com/OAuth2/V2.0/Token"),
            ),
            (
                "//h.example/users/jane%40contoso.com?x",
                Some("h.example"),
                Some("/users/jane%40contoso.com"),
            ),
            ("/v1/customers?x=1", None, Some("/v1/customers")),
            ("v1.0/sales", None, Some("v1.0/sales")),
            ("https://", None, Some("/")),
            ("?x", None, None),
            ("", None, None),
        ];
        for &(url, host, path) in cases {
            let parts = UrlParts::parse(url);
            assert_eq!((parts.host(), parts.path), (host, path), "{url:?}");
        }
    }

    #[test]
    fn hosts_span_edge_cases() {
        let cases: &[(&str, Option<&str>)] = &[
            ("a+b.c-d://Host.Example:80/p", Some("Host.Example")),
            // Not a scheme: the `://` comes after a character no scheme has.
            ("x:y://host.example", Some("x:y:")),
            ("1http://host.example", Some("1http")),
            ("[2001:db8::1", Some("2001:db8::1")),
            ("host.example:1:2", Some("host.example:1:2")),
            ("a@b@host.example", Some("host.example")),
            ("u:p/w@host.example/x", Some("host.example")),
            ("host.example..", Some("host.example.")),
            ("h\u{0b}st.example", None),
            ("héllo.example", Some("héllo.example")),
        ];
        for &(text, want) in cases {
            assert_eq!(host_span(text), want, "{text:?}");
        }
    }

    #[test]
    fn hosts_partner_center_exact_only() {
        let yes = [
            "api.partnercenter.microsoft.com",
            "API.PartnerCenter.Microsoft.com",
            "api.partnercenter.microsoft.com:443",
            "api.partnercenter.microsoft.com.",
            "api.partnercenter.microsoft.com.:443",
            "  api.partnercenter.microsoft.com  ",
            "https://api.partnercenter.microsoft.com",
            "https://api.partnercenter.microsoft.com/v1/customers",
            "user:secret@api.partnercenter.microsoft.com",
            "api.partner.microsoft.com",
            "partner.partnercenterapi.microsoftonline.cn",
        ];
        for host in yes {
            assert!(is_partner_center_host(host), "{host:?}");
        }
        let no = [
            "",
            "   ",
            "api.partnercenter.microsoft.com.evil.example",
            "evilapi.partnercenter.microsoft.com",
            "api-partnercenter.microsoft.com",
            "partnercenter.microsoft.com",
            "x.api.partnercenter.microsoft.com",
            "api.partnercenter.microsoft.co",
            "api.partnercenter.microsoft.com..",
            "api.partnercenter.microsoft.com@evil.example",
            "evil.example/api.partnercenter.microsoft.com",
            "login.microsoftonline.com",
            "api.partnercenter.microsoft.com evil",
        ];
        for host in no {
            assert!(!is_partner_center_host(host), "{host:?}");
        }
    }

    #[test]
    fn hosts_normalize() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "API.PartnerCenter.Microsoft.com",
                Some("api.partnercenter.microsoft.com"),
            ),
            (" example.com:8443 ", Some("example.com")),
            ("example.com.", Some("example.com")),
            ("https://Example.com:443/path?q=1", Some("example.com")),
            ("user:pass@example.com:80", Some("example.com")),
            ("user@example.com", Some("example.com")),
            ("[2001:db8::1]:443", Some("2001:db8::1")),
            ("[2001:DB8::1]", Some("2001:db8::1")),
            ("2001:db8::1", Some("2001:db8::1")),
            ("10.0.0.1:8080", Some("10.0.0.1")),
            ("localhost", Some("localhost")),
            ("", None),
            ("   ", None),
            (".", None),
            (":443", None),
            ("user:pass@", None),
            ("https://", None),
            ("two words", None),
        ];
        for &(input, want) in cases {
            assert_eq!(normalize_host(input).as_deref(), want, "{input:?}");
        }
    }

    #[test]
    fn hosts_split_url() {
        let pc = Some("api.partnercenter.microsoft.com");
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                "https://API.PartnerCenter.microsoft.com:443/v1/customers?size=10",
                pc,
                Some("/v1/customers"),
            ),
            (
                "http://api.partnercenter.microsoft.com/v1/x#frag",
                pc,
                Some("/v1/x"),
            ),
            (
                "//api.partnercenter.microsoft.com/v1/customers",
                pc,
                Some("/v1/customers"),
            ),
            (
                "api.partnercenter.microsoft.com/v1/customers",
                pc,
                Some("/v1/customers"),
            ),
            (
                "api.partnercenter.microsoft.com:443/v1/customers?a=b",
                pc,
                Some("/v1/customers"),
            ),
            ("api.partnercenter.microsoft.com", pc, Some("/")),
            ("https://api.partnercenter.microsoft.com", pc, Some("/")),
            ("https://api.partnercenter.microsoft.com?x=1", pc, Some("/")),
            ("https://api.partnercenter.microsoft.com/", pc, Some("/")),
            ("/v1/customers?x=1", None, Some("/v1/customers")),
            ("/v1/customers#top", None, Some("/v1/customers")),
            ("/", None, Some("/")),
            ("v1.0/sales/referrals", None, Some("v1.0/sales/referrals")),
            ("customers/x", None, Some("customers/x")),
            ("", None, None),
            ("   ", None, None),
            ("?x=1", None, None),
            (
                "https://user:secret@api.partnercenter.microsoft.com/v1/customers",
                pc,
                Some("/v1/customers"),
            ),
            (
                "user:secret@api.partnercenter.microsoft.com/v1/customers",
                pc,
                Some("/v1/customers"),
            ),
            (
                "https://user:se/cret@example.com/v1",
                Some("example.com"),
                Some("/v1"),
            ),
            (
                "https://user:se?cret@example.com/v1",
                Some("example.com"),
                Some("/v1"),
            ),
            (
                "https://example.com/v1/users/jane%40contoso.com?x",
                Some("example.com"),
                Some("/v1/users/jane%40contoso.com"),
            ),
            (
                "https://example.com:443/users/jane@contoso.com",
                Some("example.com"),
                Some("/users/jane@contoso.com"),
            ),
            (
                "https://[2001:db8::1]:8443/p",
                Some("2001:db8::1"),
                Some("/p"),
            ),
            ("https:///p", None, Some("/p")),
        ];
        for &(url, host, path) in cases {
            let (h, p) = split_url(url);
            assert_eq!((h.as_deref(), p.as_deref()), (host, path), "{url:?}");
        }
    }

    #[test]
    fn hosts_never_leak_userinfo() {
        let urls = [
            "https://alice:S3cretPw@api.partnercenter.microsoft.com/v1/customers",
            "alice:S3cretPw@api.partnercenter.microsoft.com/v1",
            "//alice:S3cretPw@example.com",
            "https://alice:S3c/retPw@example.com/v1",
            "https://alice:S3c#retPw@example.com/v1",
        ];
        for url in urls {
            let (h, p) = split_url(url);
            for part in [h.as_deref(), p.as_deref(), normalize_host(url).as_deref()] {
                let part = part.unwrap_or_default();
                assert!(
                    !part.contains("S3c") && !part.contains("alice"),
                    "{url:?} -> {part:?}"
                );
            }
        }
    }
}
