//! Envoy's default text access log, and Istio's longer variant of it.
//!
//! Envoy's default format string is
//! `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
//! %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
//! %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
//! "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"`: missing values
//! are `-`, a request the client abandoned has code `0`, and the upstream host
//! is an address (`20.190.1.2:443`), so the authority names the target.
//! Istio's default adds response-code details, termination details and the
//! transport failure reason after the flags, and ends with bare upstream host,
//! cluster (`outbound|443||api.partnercenter.microsoft.com`) and addresses.

use super::access_log::{parse_request_line, parse_status, set_target, split_fields, Field};
use super::timestamp::parse_timestamp;
use crate::event::Observation;

/// True when `line` is an Envoy access-log line: `[time] "METHOD target PROTO" code`.
pub fn looks_like_envoy(line: &str) -> bool {
    let fields = split_fields(line);
    matches!(
        fields.as_slice(),
        [Field::Bracketed(time), Field::Quoted(request), Field::Bare(code), ..]
            if line.starts_with('[')
                && time.contains('T')
                && parse_timestamp(time).is_some()
                && parse_request_line(request).is_some()
                && parse_status(code).is_some()
    )
}

/// Reads one Envoy line; `None` when it is not one.
pub fn read_envoy(line: &str) -> Option<Observation> {
    let fields = split_fields(line);
    let [Field::Bracketed(time), Field::Quoted(request), Field::Bare(code), rest @ ..] =
        fields.as_slice()
    else {
        return None;
    };
    let status = parse_status(code)?;
    if request.starts_with("CONNECT ") {
        // A tunnel (`CONNECT - HTTP/1.1`): the calls inside are not visible.
        return Some(Observation::default());
    }
    // Bare fields between the code and the first quoted one: 5 in Envoy's
    // default (flags, bytes in, bytes out, duration, upstream time), 3 in
    // Istio's (flags, code details, termination details).
    let bare = rest
        .iter()
        .take_while(|f| matches!(f, Field::Bare(_)))
        .count();
    let quoted: Vec<Field> = rest[bare..]
        .iter()
        .copied()
        .filter(|f| matches!(f, Field::Quoted(_)))
        .collect();
    let named = match bare {
        // transport failure reason, then the same four as the default.
        3 => quoted.get(1..5),
        _ => quoted.get(..5),
    };
    let (user_agent, request_id, authority) = match named {
        Some([_, ua, id, authority, ..]) => (ua.value(), id.value(), authority.value()),
        _ => (None, None, None),
    };
    // Istio's cluster names the service: `outbound|443||api.partnercenter.microsoft.com`.
    let cluster_host = rest
        .iter()
        .filter_map(|f| f.bare())
        .find_map(|f| f.strip_prefix("outbound|"))
        .and_then(|c| c.rsplit('|').next());
    let mut obs = Observation {
        time: parse_timestamp(time),
        status,
        user_agent: user_agent.map(str::to_string),
        request_id: request_id.map(str::to_string),
        ..Observation::default()
    };
    let hosts: Vec<&str> = authority.into_iter().chain(cluster_host).collect();
    set_target(&mut obs, parse_request_line(request), &hosts);
    Some(obs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT: &str = r#"[2026-06-02T08:15:03.123Z] "GET /v1/customers?size=20 HTTP/1.1" 401 - 0 187 211 209 "10.1.4.22" "PartnerCenterDotNetSDK/3.1.2" "0f3f7c3e-6a8b-4d1e-9c2f-7b6a5d4c3b2a" "api.partnercenter.microsoft.com" "20.190.141.36:443""#;
    const ISTIO: &str = r#"[2026-06-02T08:15:04.500Z] "POST /v1/customers/7b1f0e8c-1d2e-4f3a-9b8c-0d1e2f3a4b5c/orders HTTP/1.1" 201 - via_upstream - "-" 412 1380 642 640 "-" "python-requests/2.31.0" "a9d2c1b0-5e4f-4a3b-8c7d-6e5f4a3b2c1d" "api.partnercenter.microsoft.com" 20.190.141.36:443 outbound|443||api.partnercenter.microsoft.com 10.1.4.30:51234 20.190.141.36:443 10.1.4.22:40000 api.partnercenter.microsoft.com -"#;

    #[test]
    fn default_format() {
        assert!(looks_like_envoy(DEFAULT));
        let obs = read_envoy(DEFAULT).expect("envoy");
        assert_eq!(obs.host.as_deref(), Some("api.partnercenter.microsoft.com"));
        assert_eq!(obs.method.as_deref(), Some("GET"));
        assert_eq!(obs.path.as_deref(), Some("/v1/customers?size=20"));
        assert_eq!(obs.status, Some(401));
        assert_eq!(
            obs.user_agent.as_deref(),
            Some("PartnerCenterDotNetSDK/3.1.2")
        );
        assert_eq!(
            obs.request_id.as_deref(),
            Some("0f3f7c3e-6a8b-4d1e-9c2f-7b6a5d4c3b2a")
        );
        assert_eq!(obs.time, parse_timestamp("2026-06-02T08:15:03.123Z"));
        assert!(obs.bearer.is_none() && obs.error_code.is_none());
    }

    #[test]
    fn istio_format() {
        assert!(looks_like_envoy(ISTIO));
        let obs = read_envoy(ISTIO).expect("istio");
        assert_eq!(obs.host.as_deref(), Some("api.partnercenter.microsoft.com"));
        assert_eq!(obs.method.as_deref(), Some("POST"));
        assert_eq!(obs.status, Some(201));
        assert_eq!(obs.user_agent.as_deref(), Some("python-requests/2.31.0"));
    }

    #[test]
    fn abandoned_requests_and_missing_values() {
        let line = r#"[2026-06-02T08:15:05.000Z] "GET /v1/invoices HTTP/1.1" 0 DC 0 0 30001 - "-" "-" "-" "api.partnercenter.microsoft.com" "-""#;
        let obs = read_envoy(line).expect("line");
        assert_eq!(obs.status, None);
        assert_eq!(obs.user_agent, None);
        assert_eq!(obs.host.as_deref(), Some("api.partnercenter.microsoft.com"));
    }

    #[test]
    fn tunnels_name_no_call() {
        let line = r#"[2026-06-02T08:15:05.000Z] "CONNECT - HTTP/1.1" 200 - 0 0 30001 - "-" "-" "-" "api.partnercenter.microsoft.com:443" "20.190.141.36:443""#;
        let obs = read_envoy(line).expect("line");
        assert!(obs.host.is_none() && obs.path.is_none() && obs.method.is_none());
    }

    #[test]
    fn other_lines_are_not_envoy() {
        for line in [
            r#"10.0.0.7 - - [02/Jun/2026:08:15:03 +0000] "GET /v1/customers HTTP/1.1" 401 0 "-" "curl/8.5.0""#,
            "[2026-06-02T08:15:03Z] ERROR call failed",
            r#"[{"a":1}]"#,
            "#Fields: date time cs-method",
        ] {
            assert!(!looks_like_envoy(line), "{line}");
        }
    }
}
