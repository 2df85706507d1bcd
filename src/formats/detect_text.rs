//! Recognising the text formats from a file's first bytes: IIS W3C by its
//! directives, Envoy and nginx by the shape of their lines, text logs by a
//! timestamp or level opening the first line. JSON and CSV are never taken:
//! a JSON value does not open with a timestamp, and a CSV's first cell holds
//! a comma right after it.

use super::envoy::looks_like_envoy;
use super::iis::looks_like_w3c;
use super::nginx::looks_like_nginx;
use super::text_log::looks_like_text_log;
use super::{Format, Framing, RecordKind};

/// Lines checked for an access-log shape (the first may be cut or odd).
const LINES_CHECKED: usize = 5;

/// The text format `head` (BOM and leading blanks removed) is in, if any.
pub fn detect_text(head: &[u8]) -> Option<Format> {
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // The head may end inside a multi-byte character.
        Err(err) => std::str::from_utf8(&head[..err.valid_up_to()]).ok()?,
    };
    if looks_like_w3c(text) {
        return Some(Format {
            framing: Framing::W3c,
            records: RecordKind::Iis,
        });
    }
    // Only complete lines (the head may cut the last one).
    let complete = match text.rfind('\n') {
        Some(end) => &text[..end],
        None => text,
    };
    let lines: Vec<&str> = complete
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .take(LINES_CHECKED)
        .collect();
    let line_format = |records| Format {
        framing: Framing::Lines,
        records,
    };
    if lines.iter().any(|l| looks_like_envoy(l)) {
        return Some(line_format(RecordKind::Envoy));
    }
    if lines.iter().any(|l| looks_like_nginx(l)) {
        return Some(line_format(RecordKind::Nginx));
    }
    looks_like_text_log(head).then_some(Format {
        framing: Framing::LineGroups,
        records: RecordKind::TextLog,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{detect, Detection};
    use super::*;

    /// Heads shaped like each system's export, and the format each must get.
    fn samples() -> Vec<(&'static str, String, Option<RecordKind>)> {
        let envoy = r#"[2026-06-02T08:15:03.123Z] "GET /v1/customers HTTP/1.1" 401 - 0 187 211 209 "10.1.4.22" "PartnerCenterDotNetSDK/3.1.2" "0f3f7c3e-6a8b-4d1e-9c2f-7b6a5d4c3b2a" "api.partnercenter.microsoft.com" "20.190.141.36:443""#;
        let nginx = r#"10.1.4.22 - - [02/Jun/2026:08:15:03 +0000] "GET https://api.partnercenter.microsoft.com/v1/customers HTTP/1.1" 401 164 "-" "curl/8.5.0""#;
        let iis = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-06-02 08:00:00\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken\r\n2026-06-02 08:15:03 10.0.0.4 GET /v1/customers - 443 - 10.1.4.22 curl/8.5.0 - api.partnercenter.microsoft.com 401 0 0 187\r\n";
        let text = "2026-06-02 08:15:03.456 ERROR [BillingSync] GET https://api.partnercenter.microsoft.com/v1/customers returned 401\n   at Contoso.Billing.Sync.RunAsync()\n";
        let serilog = "[08:15:03 ERR] Partner Center call failed\n";
        let gateway = r#"{"@t":"2026-06-02T08:15:03Z","url":"https://api.partnercenter.microsoft.com/v1/customers","status":401}"#;
        let front_door = r#"{"time":"2026-06-02T08:15:03Z","category":"FrontDoorAccessLog","properties":{"requestUri":"https://contoso-pc.azurefd.net:443/v1/customers","httpStatusCode":"401"}}"#;
        vec![
            ("envoy", format!("{envoy}\n{envoy}\n"), Some(RecordKind::Envoy)),
            ("nginx", format!("{nginx}\n{nginx}\n"), Some(RecordKind::Nginx)),
            ("iis", iis.to_string(), Some(RecordKind::Iis)),
            ("iis with BOM", format!("\u{feff}{iis}"), Some(RecordKind::Iis)),
            ("text log", text.to_string(), Some(RecordKind::TextLog)),
            ("serilog", serilog.to_string(), Some(RecordKind::TextLog)),
            ("json lines", format!("{gateway}\n{gateway}\n"), None),
            ("front door json lines", format!("{front_door}\n"), None),
            ("json array", format!("[{gateway}]"), None),
            ("csv", "TimeGenerated [UTC],Target,Data,ResultCode\n6/2/2026, 8:15:03.123 AM,api.partnercenter.microsoft.com,https://api.partnercenter.microsoft.com/v1/customers,401\n".to_string(), None),
            ("csv without header", "2026-06-02T08:15:03Z,api.partnercenter.microsoft.com,401\n".to_string(), None),
            ("prose", "Exported from the egress gateway on 2026-06-03 after the incident.\n".to_string(), None),
        ]
    }

    #[test]
    fn each_sample_is_its_own_format_and_no_other() {
        for (name, head, want) in samples() {
            let got =
                detect_text(head.trim_start_matches('\u{feff}').as_bytes()).map(|f| f.records);
            assert_eq!(got, want, "{name}");
            if let Some(kind) = want {
                match detect(head.as_bytes()) {
                    Detection::Recognised(format) => assert_eq!(format.records, kind, "{name}"),
                    other => panic!("{name}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn json_is_never_taken_for_text() {
        for (name, head, want) in samples() {
            if want.is_none() && (head.starts_with('{') || head.starts_with('[')) {
                match detect(head.as_bytes()) {
                    Detection::Recognised(format) => assert!(
                        matches!(format.framing, Framing::Lines | Framing::Document)
                            && matches!(format.records, RecordKind::Auto),
                        "{name}: {format:?}"
                    ),
                    other => panic!("{name}: {other:?}"),
                }
            }
        }
    }
}
