//! The byte-level prefilter: decides, before any JSON parsing, whether a
//! record could be a Partner Center event at all. Most gateway traffic is
//! not Partner Center, so most records are counted as `other` after one
//! SIMD multi-pattern scan instead of a parse.
//!
//! It has no false negatives for what pcmfa recognises: every Partner Center
//! signal the formats read leaves one of these marks in the raw bytes, the
//! plain ones in any ASCII casing:
//! - `partner` (the hosts `api.partnercenter.microsoft.com`,
//!   `api.partner.microsoft.com`, `partner.partnercenterapi.microsoftonline.cn`,
//!   the resource name "Microsoft Partner Center");
//! - the resource id `fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd`;
//! - `900421`; `compliant` (`mfaCompliant`, `isMfaCompliant`);
//! - a bearer token whose payload names Partner Center: the base64url (and
//!   base64) spellings of `partner` hosts and of the resource id, at each of
//!   the three byte alignments, for records that log no host at all (base64
//!   is case-sensitive: these match exactly).
//!
//! Token requests for Partner Center (cross-record evidence) carry the
//! resource or scope in their form body: `resource=https%3A%2F%2Fapi.partnercenter...`
//! (percent-encoding never touches the letters of `partner`), the scope
//! `https://api.partnercenter.microsoft.com/.default` or the resource id;
//! Application Insights traces that report the rejection carry `900421`.
//!
//! A record that carries none of them cannot become a Partner Center event,
//! so it is `other` without being parsed (even when it is not valid JSON).
//!
//! How: one pass of a packed (Teddy) multi-pattern searcher over short
//! anchors (every ASCII casing of a 3-4 byte piece of each plain mark, and a
//! 4-character piece of each base64 mark that is the same in both
//! alphabets); each hit is confirmed by comparing the whole mark (or marks)
//! around it, ignoring case for the plain marks. The anchors are kept to 32
//! or fewer, so the searcher is slim Teddy, which scans twice as many bytes
//! per step as the fat Teddy that more patterns need.

use aho_corasick::packed::{Config, MatchKind, Searcher};
use aho_corasick::Span;
use base64::Engine;

/// Plain-text marks, matched in any ASCII casing, each with the offset and
/// length of the anchor piece the searcher looks for.
const PLAIN: &[(&str, usize, usize)] = &[
    ("artner", 2, 3),   // "rtn": 8 casings
    ("fa3d9a0c", 2, 4), // "3d9a": 4 casings
    ("900421", 0, 6),   // digits: one casing
    // "lia", not "pli": every HTTP log line says `application/json`.
    ("ompliant", 4, 3), // "lia": 8 casings
];

/// Length of the piece of a base64 mark the searcher looks for.
const BASE64_ANCHOR_LEN: usize = 4;

/// Texts whose base64 forms mark a Partner Center token payload.
const IN_TOKENS: &[&str] = &[
    "partnercenter",
    "partner.microsoft",
    "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd",
];

/// What a searcher pattern stands for: a mark, where the anchor sits in it,
/// and whether case is ignored when the mark is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Anchor {
    mark: Vec<u8>,
    offset: usize,
    ignore_case: bool,
}

/// The marks' searcher, built once per run.
pub struct Prefilter {
    searcher: Searcher,
    /// By searcher pattern id: the marks a hit of that pattern may belong to.
    anchors: Vec<Vec<Anchor>>,
}

impl Default for Prefilter {
    fn default() -> Self {
        Prefilter::new()
    }
}

impl Prefilter {
    pub fn new() -> Prefilter {
        let mut anchors: Vec<(Vec<u8>, Anchor)> = Vec::new();
        for (mark, offset, len) in PLAIN {
            let piece = &mark.as_bytes()[*offset..offset + len];
            for casing in ascii_casings(piece) {
                anchors.push((
                    casing,
                    Anchor {
                        mark: mark.as_bytes().to_vec(),
                        offset: *offset,
                        ignore_case: true,
                    },
                ));
            }
        }
        for text in IN_TOKENS {
            for (url_safe, standard) in base64_marks(text.as_bytes()) {
                // A piece without `-`/`_` reads the same in both alphabets.
                let Some(offset) = url_safe
                    .windows(BASE64_ANCHOR_LEN)
                    .position(|w| !w.iter().any(|b| matches!(b, b'-' | b'_')))
                else {
                    // No such piece: the whole marks are the anchors.
                    for mark in [url_safe, standard] {
                        anchors.push((mark.clone(), Anchor::exact(mark, 0)));
                    }
                    continue;
                };
                let piece = url_safe[offset..offset + BASE64_ANCHOR_LEN].to_vec();
                anchors.push((piece.clone(), Anchor::exact(url_safe, offset)));
                anchors.push((piece, Anchor::exact(standard, offset)));
            }
        }
        anchors.sort_by(|a, b| a.0.cmp(&b.0));
        // One searcher pattern per distinct piece, with every mark it anchors.
        let mut patterns: Vec<(Vec<u8>, Vec<Anchor>)> = Vec::new();
        for (piece, anchor) in anchors {
            match patterns.last_mut() {
                Some((last, marks)) if *last == piece => {
                    if !marks.contains(&anchor) {
                        marks.push(anchor);
                    }
                }
                _ => patterns.push((piece, vec![anchor])),
            }
        }
        let mut config = Config::new();
        config.match_kind(MatchKind::LeftmostFirst);
        let mut builder = config.builder();
        for (pattern, _) in &patterns {
            builder.add(pattern);
        }
        let searcher = builder
            .build()
            .or_else(|| {
                // Teddy needs SSSE3/AVX2 or NEON; Rabin-Karp works everywhere.
                let mut config = Config::new();
                config.only_rabin_karp(true);
                let mut builder = config.builder();
                builder.extend(patterns.iter().map(|(p, _)| p));
                builder.build()
            })
            .unwrap_or_else(|| unreachable!("Rabin-Karp accepts any non-empty patterns"));
        Prefilter {
            searcher,
            anchors: patterns.into_iter().map(|(_, a)| a).collect(),
        }
    }

    /// True when `record` could be a Partner Center event.
    pub fn may_be_partner_center(&self, record: &[u8]) -> bool {
        let mut from = 0;
        while from < record.len() {
            let Some(hit) = self
                .searcher
                .find_in(record, Span::from(from..record.len()))
            else {
                return false;
            };
            if let Some(marks) = self.anchors.get(hit.pattern().as_usize()) {
                if marks.iter().any(|m| m.confirmed_at(record, hit.start())) {
                    return true;
                }
            }
            from = hit.start() + 1;
        }
        false
    }
}

impl Anchor {
    /// A mark matched exactly (base64), its anchor `offset` bytes in.
    fn exact(mark: Vec<u8>, offset: usize) -> Anchor {
        Anchor {
            mark,
            offset,
            ignore_case: false,
        }
    }

    /// True when the whole mark surrounds an anchor found at `at`.
    fn confirmed_at(&self, record: &[u8], at: usize) -> bool {
        let Some(start) = at.checked_sub(self.offset) else {
            return false;
        };
        match record.get(start..start + self.mark.len()) {
            Some(found) if self.ignore_case => found.eq_ignore_ascii_case(&self.mark),
            Some(found) => found == self.mark.as_slice(),
            None => false,
        }
    }
}

/// Every ASCII casing of `piece` (2^letters of them).
fn ascii_casings(piece: &[u8]) -> Vec<Vec<u8>> {
    let mut casings = vec![Vec::with_capacity(piece.len())];
    for &byte in piece {
        let variants: &[u8] = if byte.is_ascii_alphabetic() {
            &[byte.to_ascii_lowercase(), byte.to_ascii_uppercase()]
        } else {
            std::slice::from_ref(&byte)
        };
        casings = casings
            .into_iter()
            .flat_map(|prefix| {
                variants.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(*v);
                    next
                })
            })
            .collect();
    }
    casings
}

/// The base64 characters that encode `text` whatever bytes surround it: for
/// each of the three alignments, the encoding minus the groups that also
/// hold neighbouring bits; in the URL-safe and the standard alphabet.
fn base64_marks(text: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut marks = Vec::new();
    for offset in 0..3 {
        let mut padded = vec![0u8; offset];
        padded.extend_from_slice(text);
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&padded);
        // Characters fully inside `text`: start after the prefix bits, stop
        // before the last character, which may share bits with what follows.
        let start = (offset * 8).div_ceil(6);
        let end = ((offset + text.len()) * 8) / 6;
        if let Some(stable) = encoded.as_bytes().get(start..end) {
            let standard: Vec<u8> = stable
                .iter()
                .map(|b| match b {
                    b'-' => b'+',
                    b'_' => b'/',
                    other => *other,
                })
                .collect();
            marks.push((stable.to_vec(), standard));
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    #[test]
    fn plain_marks_in_any_casing() {
        let p = Prefilter::new();
        for hit in [
            &br#"{"host":"api.partnercenter.microsoft.com"}"#[..],
            br#"{"Host":"API.PARTNERCENTER.MICROSOFT.COM"}"#,
            br#"{"url":"https://Api.PartnerCenter.Microsoft.com/v1"}"#,
            br#"{"url":"https://api.partner.microsoft.com/v1.0/x"}"#,
            br#"{"properties":{"resourceId":"fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"}}"#,
            br#"{"ResourceIdentity":"FA3D9A0C-3FB0-42CC-9193-47C7ECD2EDBD"}"#,
            br#"{"body":"{\"code\":900421}"}"#,
            br#"{"IsMfaCompliant":"True"}"#,
            br#"{"items":[{"mfaCompliant":false}]}"#,
        ] {
            assert!(
                p.may_be_partner_center(hit),
                "{}",
                String::from_utf8_lossy(hit)
            );
        }
        for miss in [
            &br#"{"host":"graph.microsoft.com","status":200}"#[..],
            br#"{"resourceId":"00000003-0000-0000-c000-000000000000"}"#,
            b"not json at all",
        ] {
            assert!(!p.may_be_partner_center(miss));
        }
    }

    /// Token requests for Partner Center, however their body encodes the
    /// resource or scope, and traces quoting 900421, are kept.
    #[test]
    fn token_requests_and_rejection_traces_pass() {
        let p = Prefilter::new();
        for hit in [
            "grant_type=client_credentials&client_id=x&client_secret=y&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com",
            "grant_type=password&client_id=x&resource=https%3a%2f%2fapi%2epartnercenter%2emicrosoft%2ecom",
            "grant_type=refresh_token&scope=https%253A%252F%252Fapi.partnercenter.microsoft.com%252F.default",
            "grant_type=refresh_token&scope=https%3A%2F%2FAPI.PARTNERCENTER.MICROSOFT.COM%2Fuser_impersonation+offline_access",
            "grant_type=client_credentials&scope=fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd%2F.default",
            "grant_type=client_credentials&scope=FA3D9A0C-3FB0-42CC-9193-47C7ECD2EDBD/.default",
            r#"{"postData":{"params":[{"name":"resource","value":"https://api.partnercenter.microsoft.com"}]}}"#,
            r#"{"Message":"PartnerCenterException: code 900421","OperationId":"4bf92f35"}"#,
        ] {
            let record = format!(r#"{{"url":"https://login.microsoftonline.com/t/oauth2/token","body":"{hit}"}}"#);
            assert!(p.may_be_partner_center(record.as_bytes()), "{hit}");
        }
        let graph = r#"{"url":"https://login.microsoftonline.com/t/oauth2/v2.0/token","body":"grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"}"#;
        assert!(!p.may_be_partner_center(graph.as_bytes()));
    }

    /// The text formats' Partner Center records carry a mark: the host in
    /// an access log's authority, `cs-host`, request line or origin, the
    /// URL or the 900421 body in a text log.
    #[test]
    fn text_format_records_carry_a_mark() {
        let p = Prefilter::new();
        for hit in [
            &br#"[2026-06-02T08:15:03.123Z] "GET /v1/customers HTTP/1.1" 401 - 0 187 211 209 "10.1.4.22" "sdk" "0f3f" "api.partnercenter.microsoft.com" "20.190.141.36:443""#[..],
            br#"10.1.4.22 - - [02/Jun/2026:10:15:03 +0200] "GET https://api.partnercenter.microsoft.com/v1/customers HTTP/1.1" 200 1 "-" "curl""#,
            b"2026-06-02 08:15:03 10.0.0.4 GET /v1/customers - 443 - 10.1.4.22 curl - API.PARTNERCENTER.MICROSOFT.COM 401 0 0 187",
            br#"fail: Worker[0] upstream said {"code":"900421"}"#,
            b"2026-06-02 08:15:03 ERROR GET api.partner.microsoft.com/v1.0/sales 401 Unauthorized - MFA required",
        ] {
            assert!(
                p.may_be_partner_center(hit),
                "{}",
                String::from_utf8_lossy(hit)
            );
        }
    }

    /// A token's payload names Partner Center at any offset, in either alphabet.
    #[test]
    fn tokens_naming_partner_center_pass_at_every_alignment() {
        let p = Prefilter::new();
        for aud in [
            "https://api.partnercenter.microsoft.com",
            "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd",
            "https://api.partner.microsoft.com",
        ] {
            for pad in 0..6 {
                let payload = format!(r#"{{"{}":"{aud}","appid":"x"}}"#, "a".repeat(pad));
                for encoded in [URL_SAFE_NO_PAD.encode(&payload), STANDARD.encode(&payload)] {
                    let record = format!(
                        r#"{{"path":"/v1/customers","authorization":"Bearer eyJ0.{encoded}.sig"}}"#
                    );
                    assert!(
                        p.may_be_partner_center(record.as_bytes()),
                        "{aud} pad {pad}"
                    );
                }
            }
        }
        let graph = URL_SAFE_NO_PAD.encode(r#"{"aud":"https://graph.microsoft.com","appid":"x"}"#);
        let record = format!(r#"{{"path":"/v1.0/me","authorization":"Bearer eyJ0.{graph}.sig"}}"#);
        assert!(!p.may_be_partner_center(record.as_bytes()));
    }

    /// Mixed casings the old per-casing marks missed pass too.
    #[test]
    fn plain_marks_in_mixed_casing() {
        let p = Prefilter::new();
        for hit in [
            &br#"{"host":"api.pArTnErcenter.microsoft.com"}"#[..],
            br#"{"id":"Fa3D9a0C-3fb0-42cc-9193-47c7ecd2edbd"}"#,
            br#"{"IsMfaCoMpLiAnT":"true"}"#,
            b"partner",
            b"PARTNER",
        ] {
            assert!(
                p.may_be_partner_center(hit),
                "{}",
                String::from_utf8_lossy(hit)
            );
        }
        // An anchor alone is not a mark: "rtn" without "pa..er", "3d9a" elsewhere.
        for miss in [&b"heartnet 3d9a mplify"[..], b"rtn", b"", b"x"] {
            assert!(
                !p.may_be_partner_center(miss),
                "{}",
                String::from_utf8_lossy(miss)
            );
        }
    }

    /// Slim Teddy takes at most 32 patterns; more would halve its speed.
    #[test]
    fn few_enough_patterns_for_slim_teddy() {
        let p = Prefilter::new();
        assert!(p.anchors.len() <= 32, "{} patterns", p.anchors.len());
        assert!(p.searcher.minimum_len() >= 3);
    }

    /// The straightforward definition: a plain mark in any casing, or a
    /// base64 mark exactly.
    fn oracle(record: &[u8]) -> bool {
        let lower = record.to_ascii_lowercase();
        let plain = ["artner", "fa3d9a0c", "900421", "ompliant"];
        plain
            .iter()
            .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
            || IN_TOKENS.iter().any(|text| {
                base64_marks(text.as_bytes())
                    .iter()
                    .any(|(url_safe, standard)| {
                        [url_safe, standard]
                            .iter()
                            .any(|m| memchr::memmem::find(record, m).is_some())
                    })
            })
    }

    proptest::proptest! {
        /// The one-pass search agrees with the definition on records built
        /// from pieces of marks, anchors and noise, at every position.
        #[test]
        fn search_agrees_with_the_definition(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "artner", "ARTNER", "aRtNeR", "rtn", "RTN", "partne", "fa3d9a0c", "3d9a", "FA3D9A",
                    "900421", "90042", "ompliant", "OmPlIaNt", "mpli", "YXBpLnBhcnRuZXJjZW50ZXI",
                    "cGFydG5lcmNlbnRlc", "ZmEzZDlhMGMtM2ZiMC00MmNjLTkxOTMtNDdjN2VjZDJlZGJk",
                    "{\"url\":\"", "x", " ", "é", "\n",
                ]),
                0..12,
            )
        ) {
            let record = pieces.concat();
            proptest::prop_assert_eq!(
                Prefilter::new().may_be_partner_center(record.as_bytes()),
                oracle(record.as_bytes()),
                "{}", record
            );
        }
    }
}
