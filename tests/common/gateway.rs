//! Realistic gateway JSON lines with bearer tokens, written by tests that
//! need a particular app to be broken, at risk, compliant or app-only.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// A signed-looking JWT with these claims (pcmfa never verifies signatures).
pub fn jwt(claims: serde_json::Value) -> String {
    let part = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": "test-key"});
    format!(
        "{}.{}.{}",
        part(&header),
        part(&claims),
        URL_SAFE_NO_PAD.encode([7u8; 64])
    )
}

/// An App+User token for `app`; `mfa` adds the MFA claim to `amr`.
pub fn user_token(app: &str, mfa: bool) -> String {
    let amr = if mfa { vec!["pwd", "mfa"] } else { vec!["pwd"] };
    jwt(serde_json::json!({
        "aud": "https://api.partnercenter.microsoft.com",
        "iss": "https://sts.windows.net/8f3c2a71-5e4b-4d2a-9c1e-6b7d0a3f4e21/",
        "appid": app, "appidacr": "1", "scp": "user_impersonation",
        "upn": "ops@relecloudcsp.onmicrosoft.com", "amr": amr,
        "tid": "8f3c2a71-5e4b-4d2a-9c1e-6b7d0a3f4e21", "ver": "1.0"
    }))
}

/// An app-only (client credentials) token for `app`.
pub fn app_token(app: &str) -> String {
    jwt(serde_json::json!({
        "aud": "https://api.partnercenter.microsoft.com",
        "iss": "https://sts.windows.net/8f3c2a71-5e4b-4d2a-9c1e-6b7d0a3f4e21/",
        "appid": app, "appidacr": "1", "idtyp": "app", "roles": [],
        "tid": "8f3c2a71-5e4b-4d2a-9c1e-6b7d0a3f4e21", "ver": "1.0"
    }))
}

/// `n` gateway lines on `day` of June 2026 sending `token`; `rejected`
/// answers 401 with error 900421, else 200.
pub fn gateway_lines(day: u32, token: &str, n: usize, rejected: bool) -> String {
    (0..n)
        .map(|i| {
            let response = if rejected {
                r#"{"status": 401, "body": "{\"code\": 900421, \"description\": \"MFA claim missing from the access token.\"}"}"#
            } else {
                r#"{"status": 200}"#
            };
            format!(
                r#"{{"timestamp": "2026-06-{day:02}T09:{i:02}:00Z", "request": {{"method": "GET", "url": "https://api.partnercenter.microsoft.com/v1/customers/{i}/subscriptions", "headers": {{"User-Agent": "WeeklyJob/1.0", "Authorization": "Bearer {token}"}}}}, "response": {response}}}"#
            ) + "\n"
        })
        .collect()
}
