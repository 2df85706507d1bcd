//! Records shaped as each system exports them, run through
//! `formats::parse_record` and `classify`.

use serde_json::{json, Value};

use super::integration_key;
use crate::event::Call;
use crate::formats::test_support::{
    app_only_token, app_user_token, call, jwt, run, run_as, secret, APP, APP_LC, AUTO_DOCUMENT,
    GRAPH_APP, OID, PC_APP, PC_AUD, PC_HOST, TENANT, TENANT_LC, UPN,
};
use crate::formats::timestamp::format_iso;
use crate::vocab::{AuthMode, EventKind, Evidence, MfaClaim, Verdict};

const CUSTOMER: &str = "3b6f0e9a-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
const UA: &str = "PartnerCenterDotNetSDK/3.4.0";

/// A gateway JSON line for `GET .../v1/customers/{id}/subscriptions`:
/// `token` goes in `request.headers.Authorization` (none when None), the
/// response gets `status`, `headers` and `body`.
fn gateway(token: Option<&str>, status: u16, headers: Value, body: Value) -> String {
    let mut request_headers = json!({"User-Agent": UA, "Accept": "application/json"});
    if let Some(token) = token {
        request_headers["Authorization"] = json!(format!("Bearer {token}"));
    }
    json!({
        "timestamp": "2026-06-02T08:15:03.123Z",
        "hostname": "egress-01.contoso.local",
        "request": {
            "method": "get",
            "url": format!("https://API.PartnerCenter.microsoft.com/v1/customers/{CUSTOMER}/subscriptions?size=100"),
            "headers": request_headers
        },
        "response": {"status": status, "headers": headers, "body": body}
    })
    .to_string()
}

fn ok_body() -> Value {
    json!({"totalCount": 0, "items": [], "attributes": {"objectType": "Collection"}})
}

fn pc_error(code: Value) -> Value {
    json!({"code": code, "description": "Authentication failed. The access token is missing the MFA claim.", "data": [], "source": "PartnerFD"})
}

/// auth_mode, mfa_claim, verdict, evidence, evidence_detail.
type Judged = (AuthMode, MfaClaim, Verdict, Evidence, Option<&'static str>);

fn judged(c: &Call) -> Judged {
    (
        c.auth_mode,
        c.mfa_claim,
        c.verdict,
        c.evidence,
        c.evidence_detail,
    )
}

const BROKEN_900421: Judged = (
    AuthMode::AppUser,
    MfaClaim::Absent,
    Verdict::Broken,
    Evidence::Error900421,
    None,
);
const AT_RISK_CLAIMS: Judged = (
    AuthMode::AppUser,
    MfaClaim::Absent,
    Verdict::AtRisk,
    Evidence::TokenClaims,
    None,
);
const COMPLIANT_CLAIMS: Judged = (
    AuthMode::AppUser,
    MfaClaim::Present,
    Verdict::Compliant,
    Evidence::TokenClaims,
    None,
);
const APP_ONLY_CLAIMS: Judged = (
    AuthMode::AppOnly,
    MfaClaim::NotApplicable,
    Verdict::NotAffected,
    Evidence::TokenClaims,
    None,
);

fn unknown(evidence: Evidence, detail: Option<&'static str>) -> Judged {
    (
        AuthMode::Unknown,
        MfaClaim::Unknown,
        Verdict::Unknown,
        evidence,
        detail,
    )
}

fn validate_mfa(compliant: bool) -> Judged {
    (
        AuthMode::AppUser,
        if compliant {
            MfaClaim::Present
        } else {
            MfaClaim::Absent
        },
        if compliant {
            Verdict::Compliant
        } else {
            Verdict::AtRisk
        },
        Evidence::ValidateMfaHeader,
        None,
    )
}

#[test]
fn api_call_rules_in_priority_order() {
    let pwd = app_user_token(Some(&["pwd"]));
    let mfa = app_user_token(Some(&["pwd", "mfa"]));
    let rsa_mfa = app_user_token(Some(&["rsa", "mfa"]));
    let ngcmfa_only = app_user_token(Some(&["ngcmfa"]));
    let app_only_idtyp = app_only_token(json!({"idtyp": "app", "roles": ["Partner.Read.All"]}));
    let app_only_roles = app_only_token(json!({"roles": ["Partner.Read.All"]}));
    let app_only_appid = app_only_token(json!({}));
    let v2_no_amr = jwt(json!({
        "aud": PC_APP, "iss": format!("https://login.microsoftonline.com/{TENANT_LC}/v2.0"),
        "azp": APP, "azpacr": "1", "scp": "user_impersonation",
        "preferred_username": UPN, "oid": OID, "tid": TENANT, "ver": "2.0"
    }));
    let contradictory = app_only_token(json!({"idtyp": "app", "scp": "user_impersonation"}));
    let jwe = secret("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGeipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDbSv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaVmqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je81860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi6UklfCpIMfIjf7iGdXKHzg.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ");
    let opaque = secret("EwBwA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAV1zN0pTLGhNqjD4ClpwWiC7nWYFlnqJ");
    let two_segments = secret("eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ");
    let not_json = secret("bm90IGpzb24.bm90IGpzb24gZWl0aGVy.c2ln");
    let alg_none = secret(&format!(
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
        app_user_token(Some(&["pwd"]))
            .split('.')
            .nth(1)
            .unwrap_or_default()
    ));
    let no_headers = json!({});
    let cases: Vec<(&str, String, Judged)> = vec![
        (
            "900421 wins even over an MFA token",
            gateway(Some(&mfa), 401, no_headers.clone(), pc_error(json!(900421))),
            BROKEN_900421,
        ),
        (
            "900421 as a string code, no token",
            gateway(None, 401, no_headers.clone(), pc_error(json!("900421"))),
            BROKEN_900421,
        ),
        (
            "900421 wins over isMfaCompliant true",
            gateway(
                Some(&pwd),
                401,
                json!({"isMfaCompliant": "true"}),
                pc_error(json!(900421)),
            ),
            BROKEN_900421,
        ),
        (
            "legacy MFA required 401",
            gateway(
                Some(&mfa),
                401,
                no_headers.clone(),
                json!("Authentication failed. MFA required. (10001)"),
            ),
            (
                AuthMode::AppUser,
                MfaClaim::Absent,
                Verdict::Broken,
                Evidence::LegacyMfaRequired,
                None,
            ),
        ),
        (
            "900420 is not an MFA rejection: the claims decide",
            gateway(
                Some(&mfa),
                401,
                no_headers.clone(),
                pc_error(json!("900420")),
            ),
            COMPLIANT_CLAIMS,
        ),
        (
            "isMfaCompliant false beats an MFA token",
            gateway(
                Some(&mfa),
                200,
                json!({"isMfaCompliant": "false"}),
                ok_body(),
            ),
            validate_mfa(false),
        ),
        (
            "an app-only token beats IsMfaCompliant True (a daemon stays app-only)",
            gateway(
                Some(&app_only_idtyp),
                200,
                json!({"IsMfaCompliant": "True"}),
                ok_body(),
            ),
            APP_ONLY_CLAIMS,
        ),
        (
            "ISMFACOMPLIANT FALSE, no token",
            gateway(None, 200, json!({"ISMFACOMPLIANT": "FALSE"}), ok_body()),
            validate_mfa(false),
        ),
        (
            "isMfaCompliant in a HAR list",
            gateway(
                None,
                200,
                json!([{"name": "ismfacompliant", "value": "true"}]),
                ok_body(),
            ),
            validate_mfa(true),
        ),
        (
            "App+User amr [pwd]",
            gateway(Some(&pwd), 200, no_headers.clone(), ok_body()),
            AT_RISK_CLAIMS,
        ),
        (
            "App+User amr [pwd, mfa]",
            gateway(Some(&mfa), 200, no_headers.clone(), ok_body()),
            COMPLIANT_CLAIMS,
        ),
        (
            "App+User amr [rsa, mfa]",
            gateway(Some(&rsa_mfa), 200, no_headers.clone(), ok_body()),
            COMPLIANT_CLAIMS,
        ),
        (
            "ngcmfa alone is not mfa",
            gateway(Some(&ngcmfa_only), 200, no_headers.clone(), ok_body()),
            AT_RISK_CLAIMS,
        ),
        (
            "App+User without amr",
            gateway(
                Some(&app_user_token(None)),
                200,
                no_headers.clone(),
                ok_body(),
            ),
            AT_RISK_CLAIMS,
        ),
        (
            "v2 token without amr",
            gateway(Some(&v2_no_amr), 200, no_headers.clone(), ok_body()),
            AT_RISK_CLAIMS,
        ),
        (
            "app-only, idtyp app",
            gateway(Some(&app_only_idtyp), 200, no_headers.clone(), ok_body()),
            APP_ONLY_CLAIMS,
        ),
        (
            "app-only, roles, no idtyp",
            gateway(Some(&app_only_roles), 200, no_headers.clone(), ok_body()),
            APP_ONLY_CLAIMS,
        ),
        (
            "app-only, only appid",
            gateway(Some(&app_only_appid), 200, no_headers.clone(), ok_body()),
            APP_ONLY_CLAIMS,
        ),
        (
            "app-only token on a 401 without 900421",
            gateway(
                Some(&app_only_idtyp),
                401,
                no_headers.clone(),
                pc_error(json!(600012)),
            ),
            APP_ONLY_CLAIMS,
        ),
        (
            "idtyp app with scp",
            gateway(Some(&contradictory), 200, no_headers.clone(), ok_body()),
            unknown(Evidence::InconclusiveClaims, None),
        ),
        (
            "JWE",
            gateway(Some(&jwe), 200, no_headers.clone(), ok_body()),
            unknown(Evidence::UndecodableToken, Some("jwe_token")),
        ),
        (
            "opaque",
            gateway(Some(&opaque), 200, no_headers.clone(), ok_body()),
            unknown(Evidence::UndecodableToken, Some("opaque_token")),
        ),
        (
            "two segments",
            gateway(Some(&two_segments), 200, no_headers.clone(), ok_body()),
            unknown(Evidence::UndecodableToken, Some("malformed_token")),
        ),
        (
            "garbage segments",
            gateway(Some(&not_json), 200, no_headers.clone(), ok_body()),
            unknown(Evidence::UndecodableToken, Some("payload_not_json")),
        ),
        (
            "alg none",
            gateway(Some(&alg_none), 200, no_headers.clone(), ok_body()),
            unknown(Evidence::UndecodableToken, Some("unsigned_token")),
        ),
        (
            "no token",
            gateway(None, 200, no_headers.clone(), ok_body()),
            unknown(Evidence::NoToken, None),
        ),
        (
            "a 401 with another code and no token",
            gateway(None, 401, no_headers.clone(), pc_error(json!(600012))),
            unknown(Evidence::NoToken, None),
        ),
    ];
    for (name, record, want) in cases {
        let c = call(&record);
        assert_eq!(judged(&c), want, "{name}");
        assert_eq!(c.event, EventKind::ApiCall, "{name}");
        if c.auth_mode == AuthMode::AppOnly {
            assert_eq!(c.principal, None, "{name}: app-only has no principal");
        }
    }
}

#[test]
fn api_call_fields() {
    let token = app_user_token(Some(&["pwd"]));
    let record = json!({
        "timestamp": "2026-06-02T08:15:03.123Z",
        "hostname": "egress-01.contoso.local",
        "request": {
            "method": "get",
            "url": format!("https://API.PartnerCenter.microsoft.com:443/v1/customers/{CUSTOMER}/subscriptions?size=100"),
            "headers": {"Authorization": format!("Bearer {token}"), "User-Agent": UA}
        },
        "response": {
            "status": 401,
            "headers": {"MS-CorrelationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A", "MS-RequestId": "7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"},
            "body": pc_error(json!(900421)).to_string()
        }
    })
    .to_string();
    let c = call(&record);
    assert_eq!(c.event, EventKind::ApiCall);
    assert_eq!(
        c.time.map(format_iso).as_deref(),
        Some("2026-06-02T08:15:03.123Z")
    );
    assert_eq!(&*c.source_file, "logs/egress/2026-06-02.jsonl");
    assert_eq!(c.source_record, 42);
    assert_eq!(c.format, "gateway_json_lines");
    assert_eq!(c.host.as_deref(), Some(PC_HOST));
    assert_eq!(c.method.as_deref(), Some("GET"));
    assert_eq!(
        c.path.as_deref(),
        Some(format!("/v1/customers/{CUSTOMER}/subscriptions").as_str())
    );
    assert_eq!(
        c.operation.as_deref(),
        Some("GET /v1/customers/{id}/subscriptions")
    );
    assert_eq!(c.status, Some(401));
    assert_eq!(c.error_code.as_deref(), Some("900421"));
    assert_eq!(judged(&c), BROKEN_900421);
    assert_eq!(c.app_id.as_deref(), Some(APP_LC));
    assert_eq!(c.app_name, None);
    assert_eq!(c.tenant_id.as_deref(), Some(TENANT_LC));
    assert_eq!(c.principal.as_deref(), Some(UPN));
    assert_eq!(c.amr.as_deref(), Some(&["pwd".to_string()][..]));
    let fingerprint = c.token_fingerprint.clone().unwrap_or_default();
    assert_eq!(fingerprint.len(), 16);
    assert!(fingerprint
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert!(!token.contains(&*fingerprint));
    assert_eq!(
        c.correlation_id.as_deref(),
        Some("5e2b0c7a-9d4f-4b1e-8c3a-6f7e8d9c0b1a")
    );
    assert_eq!(
        c.request_id.as_deref(),
        Some("7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")
    );
    assert_eq!(c.user_agent.as_deref(), Some(UA));
    assert_eq!(&*c.integration, APP_LC);

    // The same token gives the same fingerprint; another token another one.
    let again = call(&gateway(Some(&token), 200, json!({}), ok_body()));
    assert_eq!(again.token_fingerprint.as_deref(), Some(&*fingerprint));
    let other = call(&gateway(
        Some(&app_user_token(Some(&["pwd", "mfa"]))),
        200,
        json!({}),
        ok_body(),
    ));
    assert_ne!(other.token_fingerprint.as_deref(), Some(&*fingerprint));
    // No token, no fingerprint, no amr.
    let none = call(&gateway(None, 200, json!({}), ok_body()));
    assert_eq!((none.token_fingerprint, none.amr), (None, None));
}

#[test]
fn api_call_principal_and_tenant() {
    let v2 = jwt(json!({
        "aud": PC_APP, "azp": APP, "scp": "user_impersonation",
        "preferred_username": UPN, "oid": OID, "tid": TENANT, "ver": "2.0", "amr": ["pwd", "mfa"]
    }));
    let oid_only = jwt(json!({
        "aud": PC_AUD, "appid": APP, "scp": "user_impersonation", "oid": OID, "tid": TENANT, "amr": ["pwd"]
    }));
    let app_only = app_only_token(json!({"idtyp": "app"}));
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("v2 preferred_username", &v2, Some(UPN)),
        ("App+User with only oid", &oid_only, Some(OID)),
        ("app-only: no principal", &app_only, None),
    ];
    for &(name, token, principal) in cases {
        let c = call(&gateway(Some(token), 200, json!({}), ok_body()));
        assert_eq!(c.principal.as_deref(), principal, "{name}");
        assert_eq!(c.tenant_id.as_deref(), Some(TENANT_LC), "{name}");
        assert_eq!(c.app_id.as_deref(), Some(APP_LC), "{name}");
        assert_eq!(&*c.integration, APP_LC, "{name}");
    }
    let app_only_call = call(&gateway(Some(&app_only), 200, json!({}), ok_body()));
    assert_eq!(app_only_call.amr, None);
    assert_eq!(app_only_call.mfa_claim, MfaClaim::NotApplicable);
}

#[test]
fn partner_center_or_not() {
    let pc_user = app_user_token(Some(&["pwd"]));
    let pc_app = app_only_token(json!({"idtyp": "app"}));
    let graph = jwt(
        json!({"aud": "https://graph.microsoft.com", "appid": APP, "scp": "User.Read", "upn": UPN, "amr": ["pwd"]}),
    );
    let bearer = |t: &str| format!("Bearer {t}");
    let no_host = |t: Option<&str>| {
        let mut record = json!({"@t": "2026-06-02T08:15:03Z", "hostname": "worker-7", "method": "GET", "path": "/v1/customers", "status": 200});
        if let Some(t) = t {
            record["authorization"] = json!(bearer(t));
        }
        record.to_string()
    };
    let cases: Vec<(&str, String, Option<Verdict>)> = vec![
        ("Partner Center host", json!({"url": "https://api.partnercenter.microsoft.com/v1/customers", "status": 200}).to_string(), Some(Verdict::Unknown)),
        ("pricing host", json!({"url": "https://api.partner.microsoft.com/v1.0/sales/referrals", "authorization": bearer(&pc_user)}).to_string(), Some(Verdict::AtRisk)),
        ("21Vianet host", json!({"host": "partner.partnercenterapi.microsoftonline.cn", "path": "/v1/customers"}).to_string(), Some(Verdict::Unknown)),
        (
            "lookalike host, Partner Center token",
            json!({"url": "https://api.partnercenter.microsoft.com.evil.example/v1/customers", "authorization": bearer(&pc_user), "status": 401}).to_string(),
            None,
        ),
        ("Graph call", json!({"url": "https://graph.microsoft.com/v1.0/me", "authorization": bearer(&pc_user)}).to_string(), None),
        ("no host, Partner Center App+User token", no_host(Some(&pc_user)), Some(Verdict::AtRisk)),
        ("no host, Partner Center app-only token", no_host(Some(&pc_app)), Some(Verdict::NotAffected)),
        ("no host, Graph token", no_host(Some(&graph)), None),
        ("no host, no token", no_host(None), None),
        ("no host, opaque token", no_host(Some(&secret("EwBwA8l6BAAUO9chh8cJscQLmU"))), None),
        ("token request to Entra ID", json!({"url": format!("https://login.microsoftonline.com/{TENANT_LC}/oauth2/token"), "method": "POST", "status": 200}).to_string(), None),
    ];
    for (name, record, want) in cases {
        assert_eq!(run(&record).map(|c| c.verdict), want, "{name}");
    }
    let c = call(&no_host(Some(&pc_user)));
    assert_eq!((c.host, c.path.as_deref()), (None, Some("/v1/customers")));
    assert_eq!(c.operation.as_deref(), Some("GET /v1/customers"));
}

#[test]
fn nginx_request_line_gives_method_and_path() {
    let token = app_user_token(Some(&["pwd", "mfa"]));
    let record = json!({
        "time_local": "02/Jun/2026:08:15:03 +0000", "remote_addr": "10.1.2.3",
        "hostname": "egress-01", "host": PC_HOST,
        "request": format!("POST /v1/customers/{CUSTOMER}/orders?x=1 HTTP/1.1"),
        "status": 201, "http_user_agent": UA, "http_authorization": format!("Bearer {token}")
    })
    .to_string();
    let c = call(&record);
    assert_eq!(c.method.as_deref(), Some("POST"));
    assert_eq!(
        c.path.as_deref(),
        Some(format!("/v1/customers/{CUSTOMER}/orders").as_str())
    );
    assert_eq!(
        c.operation.as_deref(),
        Some("POST /v1/customers/{id}/orders")
    );
    assert_eq!(c.status, Some(201));
    assert_eq!(
        c.time.map(format_iso).as_deref(),
        Some("2026-06-02T08:15:03.000Z")
    );
    assert_eq!(judged(&c), COMPLIANT_CLAIMS);
}

#[test]
fn har_entry() {
    let token = app_user_token(Some(&["pwd"]));
    let entry = json!({
        "startedDateTime": "2026-06-02T08:15:03.123Z", "time": 187.3,
        "request": {
            "method": "GET", "url": format!("https://api.partnercenter.microsoft.com/v1/customers/{CUSTOMER}?x=1"),
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Authorization", "value": format!("Bearer {token}")}, {"name": "ValidateMfa", "value": "true"}],
            "queryString": [{"name": "x", "value": "1"}], "cookies": []
        },
        "response": {
            "status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
            "headers": [{"name": "isMfaCompliant", "value": "False"}, {"name": "MS-CorrelationId", "value": "ABC-1"}],
            "content": {"size": 2, "mimeType": "application/json", "text": "{}"}
        },
        "timings": {"send": 0, "wait": 180, "receive": 7}
    })
    .to_string();
    let forced = crate::formats::Format {
        framing: crate::formats::Framing::Document,
        records: crate::formats::RecordKind::Har,
    };
    for format in [forced, AUTO_DOCUMENT] {
        let c = run_as(&entry, format).unwrap_or_else(|| panic!("{format:?}"));
        assert_eq!(judged(&c), validate_mfa(false));
        assert_eq!(c.operation.as_deref(), Some("GET /v1/customers/{id}"));
        assert_eq!(
            c.time.map(format_iso).as_deref(),
            Some("2026-06-02T08:15:03.123Z")
        );
        assert_eq!(c.correlation_id.as_deref(), Some("abc-1"));
        assert_eq!(c.amr.as_deref(), Some(&["pwd".to_string()][..]));
    }
}

#[test]
fn integration_key_fallbacks() {
    // (app id, app name, user agent) -> integration
    type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, &'a str);
    let cases: &[Case] = &[
        (Some(APP_LC), Some("Contoso"), Some(UA), APP_LC),
        (
            None,
            Some("Contoso Billing"),
            Some(UA),
            "name:Contoso Billing",
        ),
        (None, None, Some(UA), "ua:PartnerCenterDotNetSDK/3.4.0"),
        (None, None, None, "unidentified"),
    ];
    for &(app, name, ua, want) in cases {
        assert_eq!(integration_key(app, name, ua), want);
    }
    // Through classify: an undecodable token leaves the user agent.
    let opaque = secret("EwBwA8l6BAAUO9chh8cJscQLmU");
    assert_eq!(
        *call(&gateway(Some(&opaque), 200, json!({}), ok_body())).integration,
        format!("ua:{UA}")
    );
    let bare = json!({"url": "https://api.partnercenter.microsoft.com/v1/customers"}).to_string();
    assert_eq!(&*call(&bare).integration, "unidentified");
}

// ---------------------------------------------------------------- sign-ins

/// An Entra ID sign-in in Event Hub / storage form: the top-level
/// `resourceId` is the tenant's resource path, `properties.resourceId` the
/// resource app. `props` is merged over a successful Partner Center sign-in.
fn event_hub(category: &str, props: Value) -> String {
    let mut properties = json!({
        "id": "d5e8a0b2-1f3c-4e6d-9a7b-8c9d0e1f2a3b",
        "createdDateTime": "2026-06-02T08:15:03.1234567+00:00",
        "userDisplayName": "Contoso Admin", "userPrincipalName": UPN, "userId": OID,
        "appId": APP, "appDisplayName": "Contoso CSP Billing Sync",
        "ipAddress": "203.0.113.7", "clientAppUsed": "Mobile Apps and Desktop clients",
        "userAgent": "python-requests/2.31.0",
        "correlationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A",
        "conditionalAccessStatus": "notApplied",
        "status": {"errorCode": 0},
        "resourceDisplayName": "Microsoft Partner Center", "resourceId": PC_APP,
        "resourceTenantId": TENANT_LC, "homeTenantId": TENANT_LC,
        "authenticationDetails": [], "authenticationProcessingDetails": [{"key": "Root Key Type", "value": "Unknown"}],
        "mfaDetail": {}, "incomingTokenType": "refreshToken",
        "uniqueTokenIdentifier": "Zt1Qb0QyP0uBqAmC8wIXAA", "signInEventTypes": ["nonInteractiveUser"],
        "isInteractive": false
    });
    // `null` in `props` drops the field.
    if let (Some(base), Value::Object(extra)) = (properties.as_object_mut(), props) {
        for (key, value) in extra {
            if value.is_null() {
                base.remove(&key);
            } else {
                base.insert(key, value);
            }
        }
    }
    let result_type = properties["status"]["errorCode"].to_string();
    json!({
        "time": "2026-06-02T08:15:03.1234567Z",
        "resourceId": format!("/tenants/{TENANT_LC}/providers/Microsoft.aadiam"),
        "operationName": "Sign-in activity", "operationVersion": "1.0",
        "category": category, "tenantId": TENANT_LC,
        "resultType": result_type, "resultSignature": "None", "durationMs": 0,
        "callerIpAddress": "203.0.113.7", "correlationId": "5e2b0c7a-9d4f-4b1e-8c3a-6f7e8d9c0b1a",
        "identity": "Contoso Admin", "Level": 4, "location": "DE",
        "properties": properties
    })
    .to_string()
}

fn failed(code: u32, reason: &str) -> Value {
    json!({"status": {"errorCode": code, "failureReason": reason, "additionalDetails": "MFA required in Azure AD"}})
}

const PASSWORD_STEP: &str = r#"{"authenticationStepDateTime":"2026-06-02T08:15:01Z","authenticationMethod":"Password","authenticationMethodDetail":"Password Hash Sync","succeeded":true,"authenticationStepResultDetail":"Correct password","authenticationStepRequirement":"Primary authentication"}"#;

fn steps(extra: &[Value]) -> Value {
    let mut all = vec![serde_json::from_str::<Value>(PASSWORD_STEP).unwrap_or_default()];
    all.extend_from_slice(extra);
    Value::Array(all)
}

const BROKEN_SIGN_IN: Judged = (
    AuthMode::AppUser,
    MfaClaim::Absent,
    Verdict::Broken,
    Evidence::SignInMfaRequired,
    None,
);
const COMPLIANT_SIGN_IN: Judged = (
    AuthMode::AppUser,
    MfaClaim::Present,
    Verdict::Compliant,
    Evidence::SignInLog,
    None,
);
const AT_RISK_SIGN_IN: Judged = (
    AuthMode::AppUser,
    MfaClaim::Absent,
    Verdict::AtRisk,
    Evidence::SignInLog,
    None,
);
const SERVICE_PRINCIPAL: Judged = (
    AuthMode::AppOnly,
    MfaClaim::NotApplicable,
    Verdict::NotAffected,
    Evidence::ServicePrincipalSignIn,
    None,
);

#[test]
fn sign_in_verdicts() {
    let mfa_step = json!({"authenticationMethod": "Mobile app notification", "succeeded": true, "authenticationStepResultDetail": "MFA successfully completed", "authenticationStepRequirement": "Secondary authentication"});
    let failed_mfa_step = json!({"authenticationMethod": "Mobile app notification", "succeeded": false, "authenticationStepResultDetail": "MFA denied; user declined the authentication"});
    let by_claim = json!({"authenticationMethod": "Previously satisfied", "succeeded": true, "authenticationStepResultDetail": "MFA requirement satisfied by claim in the token"});
    let first_factor_by_claim = json!({"authenticationMethod": "Previously satisfied", "succeeded": true, "authenticationStepResultDetail": "First factor requirement satisfied by claim in the token"});
    let single = json!("singleFactorAuthentication");
    let cases: Vec<(&str, String, Judged, Option<&str>)> = vec![
        (
            "50076",
            event_hub("NonInteractiveUserSignInLogs", json!({"status": {"errorCode": 50076, "failureReason": "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd'."}, "authenticationRequirement": single})),
            BROKEN_SIGN_IN,
            Some("AADSTS50076"),
        ),
        ("50079", event_hub("SignInLogs", failed(50079, "Due to a configuration change ... user is required to use multi-factor authentication.")), BROKEN_SIGN_IN, Some("AADSTS50079")),
        (
            "service principal with a failure code",
            event_hub("ServicePrincipalSignInLogs", json!({"status": {"errorCode": 7000215, "failureReason": "Invalid client secret provided."}, "servicePrincipalId": OID, "servicePrincipalName": "Contoso CSP Billing Sync", "userPrincipalName": null})),
            SERVICE_PRINCIPAL,
            Some("AADSTS7000215"),
        ),
        (
            "managed identity with a failure code",
            event_hub("ManagedIdentitySignInLogs", failed(500011, "The resource principal was not found in the tenant.")),
            SERVICE_PRINCIPAL,
            Some("AADSTS500011"),
        ),
        (
            "MFA step succeeded",
            event_hub("SignInLogs", json!({"authenticationRequirement": single, "authenticationDetails": steps(&[mfa_step])})),
            COMPLIANT_SIGN_IN,
            None,
        ),
        (
            "MFA satisfied by claim in the token",
            event_hub("NonInteractiveUserSignInLogs", json!({"authenticationRequirement": single, "authenticationDetails": [by_claim]})),
            COMPLIANT_SIGN_IN,
            None,
        ),
        (
            "mfaDetail.authMethod",
            event_hub("SignInLogs", json!({"mfaDetail": {"authMethod": "PhoneAppNotification", "authDetail": null}})),
            COMPLIANT_SIGN_IN,
            None,
        ),
        (
            "multiFactorAuthentication requirement",
            event_hub("SignInLogs", json!({"authenticationRequirement": "multiFactorAuthentication"})),
            COMPLIANT_SIGN_IN,
            None,
        ),
        (
            "single factor",
            event_hub("NonInteractiveUserSignInLogs", json!({"authenticationRequirement": single, "authenticationDetails": steps(&[])})),
            AT_RISK_SIGN_IN,
            None,
        ),
        (
            "single factor, first factor by claim, MFA step failed",
            event_hub("SignInLogs", json!({"authenticationRequirement": single, "authenticationDetails": [first_factor_by_claim, failed_mfa_step]})),
            AT_RISK_SIGN_IN,
            None,
        ),
        (
            "refresh token expired",
            event_hub("NonInteractiveUserSignInLogs", failed(700082, "The refresh token has expired due to inactivity.")),
            unknown(Evidence::SignInFailed, None),
            Some("AADSTS700082"),
        ),
        (
            "no requirement, no details",
            event_hub("SignInLogs", json!({})),
            unknown(Evidence::SignInLog, Some("no_authentication_requirement")),
            None,
        ),
    ];
    for (name, record, want, error_code) in cases {
        let c = call(&record);
        assert_eq!(judged(&c), want, "{name}");
        assert_eq!(c.error_code.as_deref(), error_code, "{name}");
        assert_eq!(c.event, EventKind::SignIn, "{name}");
        assert_eq!(c.format, "entra_signin_json_lines", "{name}");
        assert_eq!(
            (c.host.as_deref(), c.path.as_deref(), c.operation.as_deref()),
            (None, None, None),
            "{name}"
        );
        assert_eq!(c.app_id.as_deref(), Some(APP_LC), "{name}");
        let principal = (c.auth_mode != AuthMode::AppOnly).then_some(UPN);
        assert_eq!(c.principal.as_deref(), principal, "{name}");
    }
}

#[test]
fn sign_in_fields_and_resource() {
    let c = call(&event_hub(
        "SignInLogs",
        json!({"authenticationRequirement": "multiFactorAuthentication"}),
    ));
    assert_eq!(
        c.time.map(format_iso).as_deref(),
        Some("2026-06-02T08:15:03.123Z")
    );
    assert_eq!(c.app_name.as_deref(), Some("Contoso CSP Billing Sync"));
    assert_eq!(c.tenant_id.as_deref(), Some(TENANT_LC));
    assert_eq!(
        c.correlation_id.as_deref(),
        Some("5e2b0c7a-9d4f-4b1e-8c3a-6f7e8d9c0b1a")
    );
    assert_eq!(&*c.integration, APP_LC);
    assert_eq!((c.amr, c.token_fingerprint, c.status), (None, None, None));

    // Another resource is not Partner Center, even with the MFA error.
    for props in [
        json!({"resourceId": GRAPH_APP, "resourceDisplayName": "Microsoft Graph"}),
        json!({"resourceId": GRAPH_APP, "resourceDisplayName": "Microsoft Graph", "status": {"errorCode": 50076}}),
        // The display name alone does not beat a resource id.
        json!({"resourceId": GRAPH_APP}),
    ] {
        assert!(
            run(&event_hub("SignInLogs", props.clone())).is_none(),
            "{props}"
        );
    }
    // Without a resource id, the display name decides.
    let by_name = event_hub(
        "SignInLogs",
        json!({"resourceId": null, "authenticationRequirement": "multiFactorAuthentication"}),
    );
    assert_eq!(call(&by_name).verdict, Verdict::Compliant);
    let neither = event_hub(
        "SignInLogs",
        json!({"resourceId": null, "resourceDisplayName": "Windows Azure Service Management API"}),
    );
    assert!(run(&neither).is_none());
}

#[test]
fn sign_in_portal_and_log_analytics_shapes() {
    // The portal's "Download JSON": camelCase at the top, no category.
    let portal = json!({
        "id": "d5e8a0b2-1f3c-4e6d-9a7b-8c9d0e1f2a3b", "createdDateTime": "2026-06-02T08:15:03Z",
        "userDisplayName": "Contoso Admin", "userPrincipalName": UPN, "userId": OID,
        "appId": APP, "appDisplayName": "Contoso CSP Billing Sync", "ipAddress": "203.0.113.7",
        "clientAppUsed": "Browser", "correlationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A",
        "conditionalAccessStatus": "success", "isInteractive": true,
        "resourceDisplayName": "Microsoft Partner Center", "resourceId": PC_APP,
        "status": {"errorCode": 0, "failureReason": "Other.", "additionalDetails": null},
        "authenticationRequirement": "multiFactorAuthentication",
        "authenticationDetails": steps(&[json!({"authenticationMethod": "Mobile app notification", "succeeded": true, "authenticationStepResultDetail": "MFA successfully completed"})]),
        "mfaDetail": {"authMethod": "Mobile app notification", "authDetail": null},
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
    });
    let c = run_as(&portal.to_string(), AUTO_DOCUMENT).unwrap_or_else(|| panic!("portal"));
    assert_eq!(judged(&c), COMPLIANT_SIGN_IN);
    assert_eq!(c.format, "entra_signin_json_array");
    assert_eq!(c.app_id.as_deref(), Some(APP_LC));
    assert_eq!(c.principal.as_deref(), Some(UPN));

    // Log Analytics: PascalCase, ResultType a string, dynamic columns as JSON
    // text, and `ResourceId` the tenant path next to `ResourceIdentity`.
    let log_analytics = |result: &str,
                         status: &str,
                         requirement: &str,
                         details: &str,
                         mfa: &str| {
        json!({
            "TenantId": TENANT_LC, "SourceSystem": "Azure AD", "TimeGenerated": "2026-06-02T08:15:03.123Z",
            "ResourceId": format!("/tenants/{TENANT_LC}/providers/Microsoft.aadiam"),
            "OperationName": "Sign-in activity", "Category": "SignInLogs",
            "ResultType": result, "ResultDescription": "", "Identity": "Contoso Admin",
            "AppDisplayName": "Contoso CSP Billing Sync", "AppId": APP,
            "AuthenticationDetails": details, "AuthenticationRequirement": requirement,
            "CorrelationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A", "MfaDetail": mfa,
            "ResourceDisplayName": "Microsoft Partner Center", "ResourceIdentity": PC_APP.to_ascii_uppercase(),
            "Status": status, "UserAgent": "python-requests/2.31.0", "UserPrincipalName": UPN,
            "Type": "SigninLogs"
        })
        .to_string()
    };
    let mfa_details = format!("[{PASSWORD_STEP},{{\"authenticationMethod\":\"OATH verification code\",\"succeeded\":true,\"authenticationStepResultDetail\":\"MFA completed in Azure AD\"}}]");
    let cases: Vec<(&str, String, Judged, Option<&str>)> = vec![
        (
            "50076",
            log_analytics(
                "50076",
                r#"{"errorCode":50076,"failureReason":"Due to a configuration change ... you must use multi-factor authentication","additionalDetails":"MFA required in Azure AD"}"#,
                "singleFactorAuthentication",
                "[]",
                "{}",
            ),
            BROKEN_SIGN_IN,
            Some("AADSTS50076"),
        ),
        (
            "50076 in ResultType only",
            log_analytics("50076", "{}", "singleFactorAuthentication", "[]", "{}"),
            BROKEN_SIGN_IN,
            Some("AADSTS50076"),
        ),
        (
            "MFA in AuthenticationDetails text",
            log_analytics(
                "0",
                r#"{"errorCode":0}"#,
                "singleFactorAuthentication",
                &mfa_details,
                "{}",
            ),
            COMPLIANT_SIGN_IN,
            None,
        ),
        (
            "MfaDetail text",
            log_analytics(
                "0",
                r#"{"errorCode":0}"#,
                "",
                "[]",
                r#"{"authMethod":"Text message"}"#,
            ),
            COMPLIANT_SIGN_IN,
            None,
        ),
        (
            "single factor",
            log_analytics(
                "0",
                r#"{"errorCode":0}"#,
                "singleFactorAuthentication",
                &format!("[{PASSWORD_STEP}]"),
                "{}",
            ),
            AT_RISK_SIGN_IN,
            None,
        ),
    ];
    for (name, record, want, error_code) in cases {
        let c = call(&record);
        assert_eq!(judged(&c), want, "{name}");
        assert_eq!(c.error_code.as_deref(), error_code, "{name}");
        assert_eq!(c.app_id.as_deref(), Some(APP_LC), "{name}");
        assert_eq!(
            c.time.map(format_iso).as_deref(),
            Some("2026-06-02T08:15:03.123Z"),
            "{name}"
        );
        assert_eq!(
            c.correlation_id.as_deref(),
            Some("5e2b0c7a-9d4f-4b1e-8c3a-6f7e8d9c0b1a"),
            "{name}"
        );
    }
    let service_principal = json!({
        "TimeGenerated": "2026-06-02T08:15:03Z", "Category": "ServicePrincipalSignInLogs",
        "Type": "AADServicePrincipalSignInLogs", "AppId": APP, "ServicePrincipalId": OID,
        "ServicePrincipalName": "Contoso CSP Billing Sync", "ResourceIdentity": PC_APP,
        "ResourceDisplayName": "Microsoft Partner Center", "ResultType": "7000222",
        "Status": "{\"errorCode\":7000222}"
    });
    let c = call(&service_principal.to_string());
    assert_eq!(judged(&c), SERVICE_PRINCIPAL);
    assert_eq!(c.principal, None);
    let graph = log_analytics("50076", "{}", "singleFactorAuthentication", "[]", "{}")
        .replace(&PC_APP.to_ascii_uppercase(), GRAPH_APP);
    assert!(run(&graph).is_none());
}

// ------------------------------------------------------- partnerRequests

#[test]
fn partner_requests_items() {
    let item = |compliant: Value| {
        json!({
            "requestId": "e1a2b3c4-d5e6-47f8-9a0b-1c2d3e4f5a6b",
            "correlationId": "5E2B0C7A-9D4F-4B1E-8C3A-6F7E8D9C0B1A",
            "operationName": "Get /v{version}/customers/{customer_id}/subscriptions?size={size}",
            "requestDateTime": "2020-05-21T22:18:35.73",
            "sourceIpAddress": "203.0.113.7", "objectId": OID, "tenantId": TENANT,
            "upn": UPN, "applicationId": APP, "mfaCompliant": compliant
        })
        .to_string()
    };
    let report = |compliant| {
        (
            AuthMode::AppUser,
            if compliant {
                MfaClaim::Present
            } else {
                MfaClaim::Absent
            },
            if compliant {
                Verdict::Compliant
            } else {
                Verdict::AtRisk
            },
            Evidence::PartnerRequestsReport,
            None,
        )
    };
    let cases: &[(Value, Judged)] = &[
        (json!(false), report(false)),
        (json!(true), report(true)),
        (json!("False"), report(false)),
        (
            json!(null),
            unknown(
                Evidence::PartnerRequestsReport,
                Some("no_mfa_compliant_value"),
            ),
        ),
    ];
    for (compliant, want) in cases {
        let c = run_as(&item(compliant.clone()), AUTO_DOCUMENT)
            .unwrap_or_else(|| panic!("{compliant}"));
        assert_eq!(judged(&c), *want, "{compliant}");
        assert_eq!(c.format, "partner_requests");
        assert_eq!(c.event, EventKind::ApiCall);
        assert_eq!(c.host, None);
        assert_eq!(c.method.as_deref(), Some("GET"));
        assert_eq!(
            c.path.as_deref(),
            Some("/v{version}/customers/{customer_id}/subscriptions")
        );
        assert_eq!(
            c.operation.as_deref(),
            Some("GET /v1/customers/{id}/subscriptions")
        );
        assert_eq!(
            c.time.map(format_iso).as_deref(),
            Some("2020-05-21T22:18:35.730Z")
        );
        assert_eq!(c.app_id.as_deref(), Some(APP_LC));
        assert_eq!(&*c.integration, APP_LC);
        assert_eq!(c.tenant_id.as_deref(), Some(TENANT_LC));
        assert_eq!(c.principal.as_deref(), Some(UPN));
        assert_eq!(
            c.correlation_id.as_deref(),
            Some("5e2b0c7a-9d4f-4b1e-8c3a-6f7e8d9c0b1a")
        );
        assert_eq!(
            c.request_id.as_deref(),
            Some("e1a2b3c4-d5e6-47f8-9a0b-1c2d3e4f5a6b")
        );
        assert_eq!(
            (c.status, c.error_code, c.token_fingerprint),
            (None, None, None)
        );
    }
}
