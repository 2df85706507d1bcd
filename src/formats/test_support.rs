//! Helpers for the formats and classify unit tests: realistic bearer tokens,
//! running one record through parse + classify, and checking that no token
//! text survives into anything a test builds.

use std::cell::RefCell;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::{parse_record, Format, Framing, Parsed, RecordKind};
use crate::classify::{classify, Origin};
use crate::event::{Call, Observation};

pub const PC_HOST: &str = "api.partnercenter.microsoft.com";
pub const PC_AUD: &str = "https://api.partnercenter.microsoft.com";
pub const PC_APP: &str = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd";
pub const GRAPH_APP: &str = "00000003-0000-0000-c000-000000000000";
/// The integration's client id, upper-case as some logs write it.
pub const APP: &str = "1B730954-1685-4B74-9BFD-DAC224A7B894";
pub const APP_LC: &str = "1b730954-1685-4b74-9bfd-dac224a7b894";
pub const TENANT: &str = "72F988BF-86F1-41AF-91AB-2D7CD011DB47";
pub const TENANT_LC: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const UPN: &str = "admin@contoso.onmicrosoft.com";
pub const OID: &str = "4c3b9f1e-2a6d-4e8f-9b0a-1d2c3e4f5a6b";

/// Every JSON-lines record, kind recognised by shape.
pub const AUTO_LINES: Format = Format {
    framing: Framing::Lines,
    records: RecordKind::Auto,
};
/// Elements of one JSON document, kind recognised by shape.
pub const AUTO_DOCUMENT: Format = Format {
    framing: Framing::Document,
    records: RecordKind::Auto,
};

thread_local! {
    static SECRETS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Remembers `text` as a secret that no Debug output may contain.
pub fn secret(text: &str) -> String {
    SECRETS.with(|s| s.borrow_mut().push(text.to_string()));
    text.to_string()
}

/// A JWT (`header.payload.signature`, base64url without padding) with these
/// claims. Registered as a secret.
pub fn jwt(claims: Value) -> String {
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let header = json!({"typ": "JWT", "alg": "RS256", "x5t": "nOo3ZDrODXEK1jKWhXslHR_KXEg", "kid": "nOo3ZDrODXEK1jKWhXslHR_KXEg"});
    let token = format!(
        "{}.{}.{}",
        b64(&header),
        b64(&claims),
        URL_SAFE_NO_PAD.encode(b"not-a-real-signature-0123456789")
    );
    // The payload alone is as secret as the whole token.
    secret(token.split('.').nth(1).unwrap_or_default());
    secret(&token)
}

/// The documented v1 App+User Partner Center token, with `amr` as given
/// (omitted when None).
pub fn app_user_token(amr: Option<&[&str]>) -> String {
    let mut claims = json!({
        "aud": PC_AUD,
        "iss": format!("https://sts.windows.net/{TENANT_LC}/"),
        "iat": 1_775_030_400, "nbf": 1_775_030_400, "exp": 1_775_034_300,
        "appid": APP, "appidacr": "0",
        "scp": "user_impersonation",
        "upn": UPN, "unique_name": UPN, "name": "Contoso Admin",
        "oid": OID, "tid": TENANT, "uti": "Zt1Qb0QyP0uBqAmC8wIXAA", "ver": "1.0"
    });
    if let Some(amr) = amr {
        claims["amr"] = json!(amr);
    }
    jwt(claims)
}

/// A client-credentials token; `extra` claims are merged in.
pub fn app_only_token(extra: Value) -> String {
    let mut claims = json!({
        "aud": PC_AUD,
        "iss": format!("https://sts.windows.net/{TENANT_LC}/"),
        "iat": 1_775_030_400, "exp": 1_775_034_300,
        "appid": APP, "appidacr": "1",
        "oid": "9d0b6a3c-5e7f-4a1b-8c2d-3e4f5a6b7c8d", "sub": "9d0b6a3c-5e7f-4a1b-8c2d-3e4f5a6b7c8d",
        "tid": TENANT, "ver": "1.0"
    });
    if let (Some(claims), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        claims.extend(extra);
    }
    jwt(claims)
}

/// Panics when `text` holds any registered secret, or anything shaped like a
/// JWT (`eyJ` is base64 of `{"`).
pub fn assert_secret_free(text: &str) {
    SECRETS.with(|s| {
        for secret in s.borrow().iter() {
            assert!(!text.contains(secret.as_str()), "secret leaked into {text}");
        }
    });
    assert!(!text.contains("eyJ"), "token-like text leaked into {text}");
}

/// Reads one record; panics on a reject. Checks the Observation's Debug.
pub fn observe(record: &str, format: Format) -> (Observation, &'static str) {
    match parse_record(record.as_bytes(), format) {
        Parsed::Event(obs, label) => {
            assert_secret_free(&format!("{obs:?}"));
            (*obs, label)
        }
        Parsed::Reject(reason) => panic!("rejected ({reason:?}): {record}"),
        Parsed::SideEvidence(..) => panic!("read as side evidence: {record}"),
    }
}

pub fn origin(format: &'static str) -> Origin {
    Origin {
        source_file: Arc::from("logs/egress/2026-06-02.jsonl"),
        source_record: 42,
        format,
    }
}

/// Parses one record with `format` and classifies it; checks both Debug forms.
pub fn run_as(record: &str, format: Format) -> Option<Call> {
    let (obs, label) = observe(record, format);
    let call = classify(obs, &origin(label));
    assert_secret_free(&format!("{call:?}"));
    call
}

/// [`run_as`] with JSON lines recognised per record.
pub fn run(record: &str) -> Option<Call> {
    run_as(record, AUTO_LINES)
}

/// [`run`], which must yield a Partner Center event.
pub fn call(record: &str) -> Call {
    run(record).unwrap_or_else(|| panic!("not a Partner Center event: {record}"))
}
