//! Token requests: `POST login.microsoftonline.com/{tenant}/oauth2/token`
//! (v1, `resource=`) or `/oauth2/v2.0/token` (v2, `scope=`) for the Partner
//! Center resource, as gateways, proxies and HAR captures log them.
//!
//! The grant type tells how the requesting app gets its Partner Center
//! tokens: `client_credentials` is app-only; `password` is App+User and
//! cannot do MFA; `refresh_token`, `authorization_code`, device code and
//! on-behalf-of are App+User whose MFA the request does not show. The client
//! id comes from the form body (`client_id=`) or the `Basic` authorization
//! header. Only the grant type, the client id (a GUID), whether Entra ID
//! answered AADSTS50076 / 50079 (MFA required) and, when the response was
//! logged, the fingerprint of the access token it issued (the same
//! `token_fingerprint` calls carry, so a call whose token cannot be decoded
//! is still tied to the request that issued it) are kept: the refresh
//! token, client secret, password, code and the tokens of the response are
//! read past, never copied.
//!
//! [`from_json_record`] reads a JSON record (gateway line, HAR entry, CSV
//! row); [`from_text_record`] a text or access log record whose reader found
//! the URL; [`read_token_request`] reads the parts any other reader has.

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::classify::hosts::{host_span, is_partner_center_host, UrlParts};
use crate::classify::operation::strip_query;
use crate::event::Observation;
use crate::formats::keys::normalize_key;
use crate::token::{BearerToken, PARTNER_CENTER_RESOURCE_ID};

/// Entra ID token endpoint hosts (public cloud, US Government, 21Vianet).
const LOGIN_HOSTS: &[&str] = &[
    "login.microsoftonline.com",
    "login.windows.net",
    "login.microsoft.com",
    "sts.windows.net",
    "login.microsoftonline.us",
    "login.partner.microsoftonline.cn",
    "login.chinacloudapi.cn",
];

/// How an app asked for its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GrantType {
    /// App-only.
    ClientCredentials,
    /// Resource owner password (ROPC): App+User, cannot do MFA.
    Password,
    /// App+User, e.g. the Secure Application Model.
    RefreshToken,
    /// App+User, interactive sign-in.
    AuthorizationCode,
    /// App+User, device code flow.
    DeviceCode,
    /// App+User, on-behalf-of (`jwt-bearer`).
    OnBehalfOf,
}

impl GrantType {
    pub const COUNT: usize = 6;

    pub fn index(self) -> usize {
        self as usize
    }

    /// From a `grant_type` value.
    pub fn parse(value: &str) -> Option<GrantType> {
        Some(match value.trim() {
            "client_credentials" => GrantType::ClientCredentials,
            "password" => GrantType::Password,
            "refresh_token" => GrantType::RefreshToken,
            "authorization_code" => GrantType::AuthorizationCode,
            "device_code" | "urn:ietf:params:oauth:grant-type:device_code" => GrantType::DeviceCode,
            "urn:ietf:params:oauth:grant-type:jwt-bearer" => GrantType::OnBehalfOf,
            _ => return None,
        })
    }
}

/// One token request for Partner Center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The requesting app's client id, lower-case.
    pub app_id: String,
    pub grant: GrantType,
    /// Entra ID refused it because MFA was required (AADSTS50076 / 50079).
    pub mfa_required: bool,
    /// Fingerprint of the access token the response issued, when logged.
    pub issued_token: Option<String>,
}

/// True for an Entra ID token endpoint: a login host (or none logged) and a
/// path ending in `/oauth2/token` or `/oauth2/v2.0/token` (any case). The
/// path is tested first: it rejects a Partner Center call in a few bytes.
pub fn is_token_endpoint(host: Option<&str>, path: &str) -> bool {
    is_token_path(path) && host.is_none_or(is_login_host)
}

/// A path ending in `/oauth2/token` or `/oauth2/v2.0/token` (any case,
/// query, fragment and trailing slashes ignored).
fn is_token_path(path: &str) -> bool {
    let path = strip_query(path).trim_end_matches('/');
    let ends = |suffix: &str| {
        // Bytes, not characters: a path may hold multi-byte text.
        let path = path.as_bytes();
        path.len() >= suffix.len()
            && path[path.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    ends("/oauth2/token") || ends("/oauth2/v2.0/token")
}

/// True for an Entra ID login host (normalised as `normalize_host` does).
fn is_login_host(host: &str) -> bool {
    host_span(host).is_some_and(|h| {
        LOGIN_HOSTS
            .iter()
            .any(|login| login.eq_ignore_ascii_case(h))
    })
}

/// Reads a token request from the parts a log gives: host (if any), path,
/// the form-encoded request body, the `Authorization` header value and the
/// response text. None unless it is a token request for Partner Center
/// with a known grant type and client id.
pub fn read_token_request(
    host: Option<&str>,
    path: &str,
    form_body: Option<&str>,
    authorization: Option<&str>,
    response_text: Option<&str>,
) -> Option<TokenRequest> {
    if !is_token_endpoint(host, path) {
        return None;
    }
    let mut params = Params::default();
    if let Some(body) = form_body {
        params.read_form(body);
    }
    if let Some(value) = authorization {
        params.read_authorization(value);
    }
    if let Some(text) = response_text {
        params.read_response_text(text);
    }
    params.finish()
}

/// The parts of an observation's target: its URL split in place, the host
/// found only when asked (most records fail the path test first).
struct Target<'a> {
    url: UrlParts<'a>,
    host: Option<&'a str>,
    path: &'a str,
}

impl<'a> Target<'a> {
    /// The path the URL or else the path field gives; None without either.
    fn of(obs: &'a Observation) -> Option<Target<'a>> {
        let url = obs.url.as_deref().map(UrlParts::parse).unwrap_or_default();
        let path = match url.path {
            Some(path) => path,
            None => UrlParts::parse(obs.path.as_deref()?)
                .path
                .unwrap_or_default(),
        };
        Some(Target {
            url,
            host: obs.host.as_deref(),
            path,
        })
    }

    /// The host field, else the URL's host (not lower-cased:
    /// [`is_token_endpoint`] compares it case-insensitively).
    fn host(&self) -> Option<&'a str> {
        self.host.or_else(|| self.url.host())
    }

    fn is_token_endpoint(&self) -> bool {
        is_token_path(self.path) && self.host().is_none_or(is_login_host)
    }
}

/// True when an HTTP record went to an Entra ID token endpoint: only then
/// is it worth reading as a token request.
pub fn targets_token_endpoint(obs: &Observation) -> bool {
    // A host field that is not Entra ID's settles it without splitting the
    // URL: every Partner Center call of a gateway log has one.
    if obs.host.as_deref().is_some_and(|host| !is_login_host(host)) {
        return false;
    }
    Target::of(obs).is_some_and(|target| target.is_token_endpoint())
}

/// Reads a token request from a JSON record whose host and path `obs` holds
/// (a gateway line, a HAR entry).
pub fn from_json_record(record: &Map<String, Value>, obs: &Observation) -> Option<TokenRequest> {
    if !targets_token_endpoint(obs) {
        return None;
    }
    let mut params = Params::default();
    params.walk(record, false);
    params.finish()
}

/// Reads a token request from a text or access log record whose reader put
/// the URL (or host and path) in `obs`: the form body is the first word
/// holding `grant_type=`, the client may authenticate with `Basic`.
pub fn from_text_record(text: &str, obs: &Observation) -> Option<TokenRequest> {
    let target = Target::of(obs)?;
    if !target.is_token_endpoint() {
        return None;
    }
    let (host, path) = (target.host(), target.path);
    let mut words = text.split_whitespace();
    let form = words
        .clone()
        .find(|w| w.contains("grant_type="))
        .map(|w| unquote(w.get(w.find("grant_type=").unwrap_or(0)..).unwrap_or(w)));
    let authorization = words
        .by_ref()
        .position(|w| w.eq_ignore_ascii_case("basic"))
        .and_then(|_| words.next())
        .map(|credentials| format!("Basic {}", unquote(credentials)));
    read_token_request(host, path, form, authorization.as_deref(), Some(text))
}

/// A word without the quotes and separators logs put around it.
fn unquote(word: &str) -> &str {
    word.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | ';'))
}

/// The few parameters kept from a token request.
#[derive(Default)]
struct Params {
    grant: Option<GrantType>,
    client_id: Option<String>,
    for_partner_center: bool,
    mfa_required: bool,
    issued_token: Option<String>,
}

impl Params {
    fn finish(self) -> Option<TokenRequest> {
        if !self.for_partner_center {
            return None;
        }
        Some(TokenRequest {
            app_id: self.client_id?,
            grant: self.grant?,
            mfa_required: self.mfa_required,
            issued_token: self.issued_token,
        })
    }

    /// One request parameter; every other one (secrets included) is ignored.
    fn param(&mut self, name: &str, value: &str) {
        match name {
            "grant_type" | "granttype" if self.grant.is_none() => {
                self.grant = GrantType::parse(value);
            }
            "client_id" | "clientid" if self.client_id.is_none() => {
                self.client_id = as_guid(value);
            }
            "resource" | "scope" if names_partner_center(value) => {
                self.for_partner_center = true;
            }
            _ => {}
        }
    }

    /// `grant_type=password&username=...&client_id=...&resource=...`.
    fn read_form(&mut self, body: &str) {
        for pair in body.trim().split('&') {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let name = percent_decode(name);
            if matches!(
                name.as_str(),
                "grant_type" | "client_id" | "resource" | "scope"
            ) {
                self.param(&name, &percent_decode(value));
            }
        }
    }

    /// `Basic base64(client_id:secret)`: the client id only.
    fn read_authorization(&mut self, value: &str) {
        let value = value.trim();
        let Some((scheme, credentials)) = value.split_once(' ') else {
            return;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return;
        }
        let Ok(decoded) =
            base64::engine::general_purpose::STANDARD.decode(credentials.trim().as_bytes())
        else {
            return;
        };
        let user = decoded.split(|b| *b == b':').next().unwrap_or_default();
        if let Ok(user) = std::str::from_utf8(user) {
            self.param("client_id", &percent_decode(user));
        }
    }

    fn read_response_text(&mut self, text: &str) {
        if text.contains("AADSTS50076") || text.contains("AADSTS50079") {
            self.mfa_required = true;
        }
        let trimmed = text.trim();
        if trimmed.starts_with('{') && text.contains("access_token") {
            if let Ok(Value::Object(body)) = serde_json::from_str::<Value>(trimmed) {
                if let Some(Value::String(token)) = body.get("access_token") {
                    self.issue(token);
                }
            }
        }
    }

    /// Keeps the fingerprint of an issued access token, never the token.
    fn issue(&mut self, token: &str) {
        if self.issued_token.is_none() {
            self.issued_token = BearerToken::new(token).map(|t| t.fingerprint());
        }
    }

    /// Walks a JSON record: form bodies and parameters on the request side,
    /// a `Basic` authorization header, MFA refusals on the response side.
    fn walk(&mut self, object: &Map<String, Value>, response: bool) {
        for (key, value) in object {
            self.visit(&normalize_key(key), value, response);
        }
    }

    fn visit(&mut self, key: &str, value: &Value, response: bool) {
        let response = response || is_response_key(key);
        match value {
            Value::Object(object) => self.walk(object, response),
            Value::Array(items) => {
                for item in items {
                    match item {
                        // HAR `postData.params` and header lists: `[{"name": .., "value": ..}]`.
                        Value::Object(pair)
                            if pair.get("name").is_some_and(Value::is_string)
                                && pair.contains_key("value") =>
                        {
                            if let (Some(Value::String(name)), Some(v)) =
                                (pair.get("name"), pair.get("value"))
                            {
                                self.visit(&normalize_key(name), v, response);
                            }
                        }
                        Value::Object(object) => self.walk(object, response),
                        other => self.visit(key, other, response),
                    }
                }
            }
            Value::String(token) if response && key == "accesstoken" => self.issue(token),
            Value::String(text) if response => self.read_response_text(text),
            Value::Number(n) if response && key.contains("error") => {
                if matches!(n.as_u64(), Some(50076 | 50079)) {
                    self.mfa_required = true;
                }
            }
            Value::String(text) => {
                if key.ends_with("authorization") {
                    self.read_authorization(text);
                } else if text.contains("grant_type=") {
                    self.read_form(text);
                } else {
                    self.param(key, text);
                }
            }
            _ => {}
        }
    }
}

/// Keys under which a record keeps the response.
fn is_response_key(key: &str) -> bool {
    matches!(
        key,
        "response"
            | "res"
            | "resp"
            | "httpresponse"
            | "responsebody"
            | "responseheaders"
            | "backendresponse"
            | "backendresponsebody"
            | "upstreamresponse"
    )
}

/// A `resource` or `scope` value that names Partner Center: its resource id,
/// or a URL on a Partner Center host (`https://api.partnercenter.microsoft.com/.default`).
fn names_partner_center(value: &str) -> bool {
    value.split([' ', ',', '+']).any(|item| {
        let item = item.trim();
        item.get(..PARTNER_CENTER_RESOURCE_ID.len())
            .is_some_and(|id| id.eq_ignore_ascii_case(PARTNER_CENTER_RESOURCE_ID))
            || UrlParts::parse(item)
                .host()
                .is_some_and(is_partner_center_host)
    })
}

/// A GUID (8-4-4-4-12 hex digits), lower-cased.
fn as_guid(text: &str) -> Option<String> {
    let text = text.trim();
    let groups: Vec<&str> = text.split('-').collect();
    let shape_ok = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    shape_ok.then(|| text.to_ascii_lowercase())
}

/// Decodes `%XX` and `+` (form encoding); invalid escapes stay as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|c| (*c as char).to_digit(16));
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                if let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                out.push(b);
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[path = "token_request_tests.rs"]
mod tests;
