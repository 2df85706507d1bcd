//! nginx access logs: `combined` and the variants people configure (Apache's
//! common and combined read the same way).
//!
//! `combined` is `$remote_addr - $remote_user [$time_local] "$request"
//! $status $body_bytes_sent "$http_referer" "$http_user_agent"`. Common
//! variants put `$host` (or `$host:$server_port`) first, or append
//! `"$http_x_forwarded_for"`, `"$host"`, `$upstream_addr`, `$request_time`,
//! `$upstream_response_time`, or `key=value` pairs (`host=$host
//! upstream=$upstream_addr rt=$request_time request_id=$request_id`).
//!
//! combined names no host: a line is Partner Center only when the request
//! line holds an absolute URL (nginx as a forward proxy), or an added host
//! field, upstream name or `key=value` host is a Partner Center host. A
//! relative path with no host is `other`, however familiar it looks.

use super::access_log::{
    looks_like_host, parse_request_line, parse_status, set_target, split_fields, Field,
};
use super::timestamp::parse_timestamp;
use crate::event::Observation;

/// The fields up to the status: `[prefix...] [time] "request" status`.
struct Head<'a> {
    /// Bare fields before the time: remote address, `-`, remote user, and
    /// possibly a leading `$host`.
    prefix: &'a [Field<'a>],
    time: &'a str,
    request: &'a str,
    status: Option<u16>,
    /// Everything after the status.
    rest: &'a [Field<'a>],
}

fn head<'a>(fields: &'a [Field<'a>]) -> Option<Head<'a>> {
    let time_at = fields
        .iter()
        .position(|f| matches!(f, Field::Bracketed(_)))?;
    if !(3..=4).contains(&time_at) || !fields[..time_at].iter().all(|f| f.bare().is_some()) {
        return None;
    }
    let (Field::Bracketed(time), Some(Field::Quoted(request)), Some(Field::Bare(code))) = (
        fields[time_at],
        fields.get(time_at + 1),
        fields.get(time_at + 2),
    ) else {
        return None;
    };
    Some(Head {
        prefix: &fields[..time_at],
        time,
        request,
        status: parse_status(code)?,
        rest: &fields[time_at + 3..],
    })
}

/// True when `line` is an nginx (or Apache) access-log line.
pub fn looks_like_nginx(line: &str) -> bool {
    let fields = split_fields(line);
    // `$time_local` (`02/Jun/2026:08:15:03 +0000`) or `$time_iso8601`.
    head(&fields).is_some_and(|h| parse_timestamp(h.time).is_some())
}

/// Reads one nginx line; `None` when it is not one.
pub fn read_nginx(line: &str) -> Option<Observation> {
    let fields = split_fields(line);
    let head = head(&fields)?;
    let mut obs = Observation {
        time: parse_timestamp(head.time),
        status: head.status,
        ..Observation::default()
    };
    // Host candidates, best first: `key=value` hosts, a leading `$host`,
    // then added fields that name a host (`"$host"`, `$upstream_addr`).
    let mut named_hosts = Vec::new();
    let mut other_hosts = Vec::new();
    if head.prefix.len() == 4 {
        other_hosts.extend(head.prefix[0].value().filter(|h| looks_like_host(h)));
    }
    // After the status: bytes sent, "referer", "user agent", then additions.
    let mut quoted_seen = 0;
    for field in head.rest.iter().skip(1) {
        if let Field::Quoted(_) = field {
            quoted_seen += 1;
            // The referer is the page that linked here, not the target.
            if quoted_seen == 2 {
                obs.user_agent = field.value().map(str::to_string);
            }
            if quoted_seen <= 2 {
                continue;
            }
        }
        let Some(text) = field.value() else {
            continue;
        };
        let pair = text.split_once('=').filter(|(key, _)| {
            !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if let Some((key, value)) = pair {
            let value = value.trim_matches('"');
            match key.to_ascii_lowercase().replace('-', "_").as_str() {
                "host" | "http_host" | "upstream" | "upstream_addr" | "proxy_host"
                | "upstream_host"
                    if looks_like_host(value) =>
                {
                    named_hosts.push(value)
                }
                "request_id" | "req_id" | "x_request_id" => {
                    obs.request_id = Some(value.to_string())
                }
                "correlation_id" | "ms_correlation_id" | "ms_correlationid" | "cid" => {
                    obs.correlation_id = Some(value.to_ascii_lowercase())
                }
                _ => {}
            }
            continue;
        }
        // `$upstream_addr` may list several: `10.0.0.1:443, api.partnercenter.microsoft.com:443`.
        for part in text.split(',').map(str::trim) {
            if looks_like_host(part) {
                other_hosts.push(part);
            }
        }
    }
    let hosts: Vec<&str> = named_hosts.into_iter().chain(other_hosts).collect();
    set_target(&mut obs, parse_request_line(head.request), &hosts);
    Some(obs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_path_status(line: &str) -> (Option<String>, Option<String>, Option<u16>) {
        let obs = read_nginx(line).expect("nginx line");
        let path = obs.path.or(obs.url);
        (obs.host, path, obs.status)
    }

    #[test]
    fn combined_with_a_relative_path_names_no_host() {
        let line = r#"10.1.4.22 - - [02/Jun/2026:08:15:03 +0000] "GET /v1/customers HTTP/1.1" 401 164 "-" "PartnerCenterDotNetSDK/3.1.2""#;
        assert!(looks_like_nginx(line));
        assert_eq!(
            host_path_status(line),
            (None, Some("/v1/customers".into()), Some(401))
        );
        let obs = read_nginx(line).expect("line");
        assert_eq!(
            obs.user_agent.as_deref(),
            Some("PartnerCenterDotNetSDK/3.1.2")
        );
        assert_eq!(obs.time, parse_timestamp("2026-06-02T08:15:03Z"));
    }

    #[test]
    fn forward_proxy_absolute_url() {
        let line = r#"10.1.4.22 - svc-billing [02/Jun/2026:10:15:03 +0200] "GET https://api.partnercenter.microsoft.com/v1/invoices HTTP/1.1" 200 5120 "-" "curl/8.5.0""#;
        assert_eq!(
            host_path_status(line),
            (
                Some("api.partnercenter.microsoft.com".into()),
                Some("https://api.partnercenter.microsoft.com/v1/invoices".into()),
                Some(200)
            )
        );
        assert_eq!(
            read_nginx(line).and_then(|o| o.time),
            parse_timestamp("2026-06-02T08:15:03Z")
        );
    }

    #[test]
    fn variants_that_add_a_host() {
        let cases = [
            // vhost first
            r#"api.partnercenter.microsoft.com 10.1.4.22 - - [02/Jun/2026:08:15:03 +0000] "GET /v1/customers HTTP/1.1" 200 512 "-" "curl/8.5.0""#,
            // "$http_x_forwarded_for" "$host" $request_time
            r#"10.1.4.22 - - [02/Jun/2026:08:15:03 +0000] "GET /v1/customers HTTP/1.1" 200 512 "-" "curl/8.5.0" "203.0.113.9" "api.partnercenter.microsoft.com" 0.153"#,
            // key=value additions
            r#"10.1.4.22 - - [02/Jun/2026:08:15:03 +0000] "GET /v1/customers HTTP/1.1" 200 512 "-" "curl/8.5.0" rt=0.153 host=egress.contoso.internal upstream=api.partnercenter.microsoft.com:443 request_id=6a1f"#,
            // $upstream_addr with a name after an address
            r#"10.1.4.22 - - [02/Jun/2026:08:15:03 +0000] "GET /v1/customers HTTP/1.1" 200 512 "-" "curl/8.5.0" "-" 10.0.0.9:443, api.partnercenter.microsoft.com:443 0.153 0.150"#,
        ];
        for line in cases {
            assert!(looks_like_nginx(line), "{line}");
            assert_eq!(
                host_path_status(line).0.as_deref(),
                Some("api.partnercenter.microsoft.com"),
                "{line}"
            );
        }
    }

    #[test]
    fn iso_time_variant() {
        let line = r#"10.1.4.22 - - [2026-06-02T08:15:03+02:00] "GET https://api.partnercenter.microsoft.com/v1/customers HTTP/1.1" 401 164 "-" "curl/8.5.0""#;
        assert!(looks_like_nginx(line));
        assert_eq!(
            read_nginx(line).and_then(|o| o.time),
            parse_timestamp("2026-06-02T06:15:03Z")
        );
    }

    #[test]
    fn referer_and_forwarded_addresses_are_not_targets() {
        let line = r#"10.1.4.22 - - [02/Jun/2026:08:15:03 +0000] "GET /v1/customers HTTP/1.1" 200 512 "https://portal.contoso.example/billing?a=b" "curl/8.5.0" "203.0.113.9, 10.0.0.1" 0.153"#;
        assert_eq!(host_path_status(line).0, None);
        assert_eq!(
            read_nginx(line).and_then(|o| o.user_agent).as_deref(),
            Some("curl/8.5.0")
        );
    }

    #[test]
    fn other_lines_are_not_nginx() {
        for line in [
            r#"[2026-06-02T08:15:03.123Z] "GET /v1/customers HTTP/1.1" 401 - 0 187 211 209 "-" "x" "-" "api.partnercenter.microsoft.com" "-""#,
            "2026-06-02 08:15:03 10.0.0.4 GET /v1/customers - 443 - 10.1.4.22 curl/8.5.0 - 401 0 0 15",
            "2026-06-02 08:15:03 [02/Jun/2026:08:15:03 +0000] text",
        ] {
            assert!(!looks_like_nginx(line), "{line}");
        }
    }
}
