//! The byte-level prefilter: decides, before any JSON parsing, whether a
//! record could be a Partner Center event at all. Most gateway traffic is
//! not Partner Center, so most records are counted as `other` after a few
//! SIMD substring scans instead of a parse.
//!
//! It has no false negatives for what pcmfa recognises: every Partner Center
//! signal the formats read leaves one of these marks in the raw bytes, in any
//! ASCII case where logs vary it:
//! - `partner` (the hosts `api.partnercenter.microsoft.com`,
//!   `api.partner.microsoft.com`, `partner.partnercenterapi.microsoftonline.cn`,
//!   the resource name "Microsoft Partner Center");
//! - the resource id `fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd`;
//! - `900421`; `compliant` (`mfaCompliant`, `isMfaCompliant`);
//! - a bearer token whose payload names Partner Center: the base64url (and
//!   base64) spellings of `partner` hosts and of the resource id, at each of
//!   the three byte alignments, for records that log no host at all.
//!
//! A record that carries none of them cannot become a Partner Center event,
//! so it is `other` without being parsed (even when it is not valid JSON).

use base64::Engine;
use memchr::memmem::Finder;

/// Plain-text marks, each listed in the casings logs use.
const PLAIN: &[&str] = &[
    "artner", "ARTNER", "fa3d9a0c", "FA3D9A0C", "900421", "ompliant", "OMPLIANT",
];

/// Texts whose base64 forms mark a Partner Center token payload.
const IN_TOKENS: &[&str] = &[
    "partnercenter",
    "partner.microsoft",
    "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd",
];

/// Substring finders built once per run.
pub struct Prefilter {
    finders: Vec<Finder<'static>>,
}

impl Default for Prefilter {
    fn default() -> Self {
        Prefilter::new()
    }
}

impl Prefilter {
    pub fn new() -> Prefilter {
        let mut needles: Vec<Vec<u8>> = PLAIN.iter().map(|n| n.as_bytes().to_vec()).collect();
        for text in IN_TOKENS {
            needles.extend(base64_marks(text.as_bytes()));
        }
        needles.sort();
        needles.dedup();
        Prefilter {
            finders: needles
                .into_iter()
                .map(|n| Finder::new(&n).into_owned())
                .collect(),
        }
    }

    /// True when `record` could be a Partner Center event.
    pub fn may_be_partner_center(&self, record: &[u8]) -> bool {
        self.finders.iter().any(|f| f.find(record).is_some())
    }
}

/// The base64 characters that encode `text` whatever bytes surround it: for
/// each of the three alignments, the encoding minus the groups that also
/// hold neighbouring bits; in both the URL-safe and the standard alphabet.
fn base64_marks(text: &[u8]) -> Vec<Vec<u8>> {
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
            marks.push(stable.to_vec());
            let standard: Vec<u8> = stable
                .iter()
                .map(|b| match b {
                    b'-' => b'+',
                    b'_' => b'/',
                    other => *other,
                })
                .collect();
            marks.push(standard);
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
}
