use super::*;
use crate::evidence::SideFact;
use crate::formats::{parse_record, Format, Framing, Parsed, RecordKind};

const APP: &str = "fc7749e3-a689-49fe-9b84-902e69c4fbf0";
const SECRET: &str = "NBk8Q~ihOIdRnL4i7uu.K.riG_uMTo9oMh-8qpTi";
const PASSWORD: &str = "Spring2026!5238";
const REFRESH: &str = "0.AXoAD16ZR0kux_x0NIbo6QsEPwLJszCMZJ4niR7EgrFcXLaJcrSc1rUFvdqKeTECDp1zlxc9";

/// The access token a logged response issued.
const ISSUED: &str = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln";

const LINES: Format = Format {
    framing: Framing::Lines,
    records: RecordKind::Auto,
};
const HAR: Format = Format {
    framing: Framing::Document,
    records: RecordKind::Har,
};

/// Reads one record; the token request it holds, if any. Checks that no
/// secret of the record reaches what is kept.
fn read(record: &str, format: Format) -> Option<TokenRequest> {
    match parse_record(record.as_bytes(), format) {
        Parsed::SideEvidence(fact, _) => {
            let kept = format!("{fact:?}");
            for secret in [SECRET, PASSWORD, REFRESH, "eyJ"] {
                assert!(!kept.contains(secret), "{kept}");
            }
            match fact {
                Some(SideFact::TokenRequest(request)) => Some(request),
                _ => None,
            }
        }
        Parsed::Event(..) => None,
        Parsed::Reject(reason) => panic!("rejected {reason:?}: {record}"),
    }
}

fn request(grant: GrantType) -> Option<TokenRequest> {
    Some(TokenRequest {
        app_id: APP.into(),
        grant,
        mfa_required: false,
        issued_token: None,
    })
}

#[test]
fn token_requests_as_gateways_and_har_log_them() {
    let v1_resource = "resource=https%3A%2F%2Fapi.partnercenter.microsoft.com";
    let cases: Vec<(&str, String, Format, Option<TokenRequest>)> = vec![
        (
            "nested request.body, v1 resource percent-encoded",
            format!(r#"{{"timestamp":"2026-06-01T00:06:09.313Z","request":{{"method":"POST","url":"https://login.microsoftonline.com/8f3c2a71-5e4b-4d2a-9c1e-6b7d0a3f4e21/oauth2/token","headers":{{"Content-Type":"application/x-www-form-urlencoded"}},"body":"grant_type=password&username=bot%40contoso.onmicrosoft.com&password={PASSWORD}&client_id={APP}&client_secret={SECRET}&{v1_resource}"}},"response":{{"status":200}}}}"#),
            LINES,
            request(GrantType::Password),
        ),
        (
            "flat nginx record, request_body, upper-case escapes",
            format!(r#"{{"@t":"2026-06-01T02:11:02Z","host":"login.microsoftonline.com","method":"POST","request_uri":"/8f3c2a71-5e4b-4d2a-9c1e-6b7d0a3f4e21/oauth2/token","status_code":200,"request_body":"grant_type=client_credentials&client_id={}&client_secret={SECRET}&resource=https%3a%2f%2fapi.partnercenter.microsoft.com%2f"}}"#, APP.to_ascii_uppercase()),
            LINES,
            request(GrantType::ClientCredentials),
        ),
        (
            "v2 scope, Basic client authentication",
            format!(r#"{{"request":{{"method":"POST","url":"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token","headers":{{"Authorization":"Basic {}"}},"body":"grant_type=refresh_token&refresh_token={REFRESH}&scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2F.default+offline_access"}},"response":{{"status":200,"body":"{{\"token_type\":\"Bearer\",\"access_token\":\"{ISSUED}\",\"refresh_token\":\"{REFRESH}\"}}"}}}}"#,
                base64::engine::general_purpose::STANDARD.encode(format!("{APP}:{SECRET}"))),
            LINES,
            Some(TokenRequest {
                issued_token: BearerToken::new(ISSUED).map(|t| t.fingerprint()),
                ..request(GrantType::RefreshToken).unwrap()
            }),
        ),
        (
            "v2 scope by resource id, plain",
            format!(r#"{{"url":"https://login.microsoftonline.com/common/oauth2/v2.0/token","method":"POST","body":"client_id={APP}&grant_type=authorization_code&code=0.AXoA-code&scope=fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd/user_impersonation openid"}}"#),
            LINES,
            request(GrantType::AuthorizationCode),
        ),
        (
            "HAR entry, postData.text and a refused refresh (AADSTS50076)",
            format!(r#"{{"startedDateTime":"2026-06-03T10:02:11.120+02:00","request":{{"method":"POST","url":"https://login.microsoftonline.com/organizations/oauth2/token","headers":[{{"name":"Content-Type","value":"application/x-www-form-urlencoded"}}],"postData":{{"mimeType":"application/x-www-form-urlencoded","text":"grant_type=refresh_token&client_id={APP}&refresh_token={REFRESH}&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com"}}}},"response":{{"status":400,"headers":[],"content":{{"mimeType":"application/json","text":"{{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd'.\",\"error_codes\":[50076]}}"}}}}}}"#),
            HAR,
            Some(TokenRequest { app_id: APP.into(), grant: GrantType::RefreshToken, mfa_required: true, issued_token: None }),
        ),
        (
            "HAR entry, postData.params",
            format!(r#"{{"startedDateTime":"2026-06-03T10:02:11Z","request":{{"method":"POST","url":"https://login.microsoftonline.com/organizations/oauth2/token","headers":[],"postData":{{"mimeType":"application/x-www-form-urlencoded","params":[{{"name":"grant_type","value":"password"}},{{"name":"client_id","value":"{APP}"}},{{"name":"password","value":"{PASSWORD}"}},{{"name":"resource","value":"https://api.partnercenter.microsoft.com"}}]}}}},"response":{{"status":200,"headers":[]}}}}"#),
            HAR,
            request(GrantType::Password),
        ),
        (
            "form body logged as an object",
            format!(r#"{{"url":"https://login.microsoftonline.us/x/oauth2/token","body":{{"grant_type":"client_credentials","client_id":"{APP}","client_secret":"{SECRET}","resource":"https://api.partnercenter.microsoft.com"}}}}"#),
            LINES,
            request(GrantType::ClientCredentials),
        ),
        // Not for Partner Center: Graph, a lookalike, no resource at all.
        (
            "Graph",
            format!(r#"{{"url":"https://login.microsoftonline.com/x/oauth2/v2.0/token","partner":"x","body":"grant_type=client_credentials&client_id={APP}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"}}"#),
            LINES,
            None,
        ),
        (
            "lookalike resource",
            format!(r#"{{"url":"https://login.microsoftonline.com/x/oauth2/token","body":"grant_type=password&client_id={APP}&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com.evil.example"}}"#),
            LINES,
            None,
        ),
        (
            "refresh without resource",
            format!(r#"{{"url":"https://login.microsoftonline.com/x/oauth2/token","partner":1,"body":"grant_type=refresh_token&client_id={APP}&refresh_token={REFRESH}"}}"#),
            LINES,
            None,
        ),
        (
            "no client id",
            r#"{"url":"https://login.microsoftonline.com/x/oauth2/token","body":"grant_type=client_credentials&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com"}"#.to_string(),
            LINES,
            None,
        ),
        (
            "not a token endpoint",
            format!(r#"{{"url":"https://login.microsoftonline.com.evil.example/x/oauth2/token","body":"grant_type=password&client_id={APP}&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com"}}"#),
            LINES,
            None,
        ),
    ];
    for (name, record, format, want) in cases {
        assert_eq!(read(&record, format), want, "{name}");
    }
}

#[test]
fn a_token_request_is_never_a_partner_center_call() {
    let record = format!(
        r#"{{"url":"https://login.microsoftonline.com/x/oauth2/token","body":"grant_type=password&client_id={APP}&password={PASSWORD}&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com"}}"#
    );
    assert!(matches!(
        parse_record(record.as_bytes(), LINES),
        Parsed::SideEvidence(Some(_), "gateway_json_lines")
    ));
}

/// The entry point text and access log readers call with the parts they have.
#[test]
fn parts_from_text_logs() {
    let body = format!(
        "grant_type=client_credentials&client_id={APP}&client_secret={SECRET}&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com"
    );
    assert_eq!(
        read_token_request(
            Some("login.microsoftonline.com:443"),
            "/tenant/oauth2/token",
            Some(&body),
            None,
            None
        ),
        request(GrantType::ClientCredentials)
    );
    // No host logged: the path and the body are enough.
    assert_eq!(
        read_token_request(None, "/tenant/OAuth2/Token/", Some(&body), None, None),
        request(GrantType::ClientCredentials)
    );
    assert_eq!(
        read_token_request(
            Some("graph.microsoft.com"),
            "/tenant/oauth2/token",
            Some(&body),
            None,
            None
        ),
        None
    );
    assert_eq!(
        read_token_request(
            Some("login.microsoftonline.com"),
            "/tenant/oauth2/authorize",
            Some(&body),
            None,
            None
        ),
        None
    );
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{APP}:{SECRET}"))
    );
    let v2 = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&requested_token_use=on_behalf_of&assertion=eyJ0.eyJ1.c2&scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2Fuser_impersonation";
    assert_eq!(
        read_token_request(
            Some("login.microsoftonline.com"),
            "/tenant/oauth2/v2.0/token",
            Some(v2),
            Some(&basic),
            Some("{\"error_codes\":[50079],\"error_description\":\"AADSTS50079: ...\"}")
        ),
        Some(TokenRequest {
            app_id: APP.into(),
            grant: GrantType::OnBehalfOf,
            mfa_required: true,
            issued_token: None,
        })
    );
}

#[test]
fn helpers() {
    // Multi-byte text just before where the suffix would start.
    assert!(!is_token_endpoint(None, "/é/oauth2/tokeé"));
    assert!(!is_token_endpoint(None, "é"));
    assert!(is_token_endpoint(None, "/é/oauth2/token"));
    assert_eq!(percent_decode("a%2Fb+c%zz%4"), "a/b c%zz%4");
    assert_eq!(
        as_guid(" FC7749E3-A689-49FE-9B84-902E69C4FBF0 "),
        Some(APP.into())
    );
    assert_eq!(as_guid("fc7749e3a68949fe9b84902e69c4fbf0"), None);
    assert_eq!(as_guid("my-client"), None);
    assert!(names_partner_center(
        "https://api.partnercenter.microsoft.com/.default"
    ));
    assert!(names_partner_center(
        "offline_access FA3D9A0C-3FB0-42CC-9193-47C7ECD2EDBD/.default"
    ));
    assert!(names_partner_center(
        "api.partner.microsoft.com/user_impersonation"
    ));
    assert!(!names_partner_center(
        "https://graph.microsoft.com/.default openid"
    ));
}

/// Text logs: the reader finds the URL, the form body is the word holding
/// `grant_type=`; the client may authenticate with `Basic`.
#[test]
fn token_requests_in_text_logs() {
    let text = Format {
        framing: Framing::LineGroups,
        records: RecordKind::TextLog,
    };
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{APP}:{SECRET}"));
    let cases = [
        (
            format!("2026-06-02 08:15:03,120 DEBUG token: POST https://login.microsoftonline.com/t/oauth2/token body=\"grant_type=password&username=ops%40x.example&password={PASSWORD}&client_id={APP}&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com\" -> 200"),
            request(GrantType::Password),
        ),
        (
            format!("2026-06-02 08:15:03 INFO POST https://login.microsoftonline.com/t/oauth2/v2.0/token Authorization: Basic {basic} grant_type=client_credentials&scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2F.default"),
            request(GrantType::ClientCredentials),
        ),
        (
            format!("2026-06-02 08:15:03 WARN POST https://login.microsoftonline.com/t/oauth2/token grant_type=refresh_token&client_id={APP}&refresh_token={REFRESH}&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com failed: 400 AADSTS50076: you must use multi-factor authentication"),
            Some(TokenRequest { mfa_required: true, ..request(GrantType::RefreshToken).unwrap() }),
        ),
        (
            format!("2026-06-02 08:15:03 INFO GET https://api.partnercenter.microsoft.com/v1/customers grant_type=password&client_id={APP} 200"),
            None,
        ),
    ];
    for (line, want) in cases {
        assert_eq!(read(&line, text), want, "{line}");
    }
}

/// Token endpoints: v1 and v2, any casing, with or without a login host,
/// and what is not one.
#[test]
fn token_endpoints_any_casing() {
    let yes: &[(Option<&str>, &str)] = &[
        (None, "/contoso.onmicrosoft.com/oauth2/token"),
        (None, "/common/OAuth2/V2.0/Token"),
        (None, "/{tenant}/OAUTH2/TOKEN/?x=1"),
        (Some("login.microsoftonline.com"), "/t/oauth2/v2.0/token"),
        (Some("LOGIN.MicrosoftOnline.US:443"), "/t/oauth2/token#f"),
        (Some("https://login.windows.net."), "/t/oauth2/token//"),
        (Some("user@sts.windows.net"), "/t/oauth2/token"),
    ];
    for &(host, path) in yes {
        assert!(is_token_endpoint(host, path), "{host:?} {path:?}");
    }
    let no: &[(Option<&str>, &str)] = &[
        (None, "/t/oauth2/authorize"),
        (None, "/t/oauth2/v2.0/token/extra"),
        (None, "/t/oauth2/v1.0/token"),
        (None, "/t/oauth2/token-x"),
        (None, "oauth2/token"),
        (Some("api.partnercenter.microsoft.com"), "/t/oauth2/token"),
        (
            Some("login.microsoftonline.com.evil.example"),
            "/t/oauth2/token",
        ),
        (Some("login.microsoftonline.com"), "/v1/customers"),
    ];
    for &(host, path) in no {
        assert!(!is_token_endpoint(host, path), "{host:?} {path:?}");
    }
}

/// The borrowed target (URL split once, host not lower-cased) answers as
/// the copied one did: normalised host and path from `split_url`.
#[test]
fn targets_token_endpoint_as_before() {
    use crate::classify::hosts::{normalize_host, split_url};
    let before = |obs: &Observation| -> bool {
        let (url_host, url_path) = obs.url.as_deref().map(split_url).unwrap_or((None, None));
        let host = obs.host.clone().or(url_host);
        let Some(path) = url_path.or_else(|| {
            obs.path
                .as_deref()
                .map(|p| split_url(p).1.unwrap_or_default())
        }) else {
            return false;
        };
        let host_ok = host
            .as_deref()
            .is_none_or(|h| normalize_host(h).is_some_and(|h| LOGIN_HOSTS.contains(&h.as_str())));
        let path = path.split(['?', '#']).next().unwrap_or(&path);
        let path = path.trim_end_matches('/').to_ascii_lowercase();
        host_ok && (path.ends_with("/oauth2/token") || path.ends_with("/oauth2/v2.0/token"))
    };
    let urls = [
        None,
        Some("https://LOGIN.microsoftonline.com/t/oauth2/v2.0/token?x"),
        Some("https://login.microsoftonline.com../t/oauth2/token"),
        Some("https://api.partnercenter.microsoft.com/v1/customers"),
        Some("//user:pw@login.windows.net:443/t/OAuth2/Token/"),
        Some("login.microsoftonline.com/t/oauth2/token"),
        Some("/t/oauth2/token"),
        Some("?x"),
        Some(""),
    ];
    let hosts = [None, Some("Login.Windows.Net:443"), Some("example.com")];
    let paths = [
        None,
        Some("/t/oauth2/token?grant_type=x"),
        Some("v1/customers"),
        Some("?x"),
    ];
    for url in urls {
        for host in hosts {
            for path in paths {
                let obs = Observation {
                    url: url.map(str::to_owned),
                    host: host.map(str::to_owned),
                    path: path.map(str::to_owned),
                    ..Observation::default()
                };
                assert_eq!(
                    targets_token_endpoint(&obs),
                    before(&obs),
                    "{url:?} {host:?} {path:?}"
                );
            }
        }
    }
}
