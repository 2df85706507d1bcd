//! Bearer-token claims: decoded, never verified, never stored.
//! (Stub: the full module is being written.)

/// A bearer token held in memory while one record is classified.
/// Its `Debug` never shows the token; it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

impl BearerToken {
    /// From an `Authorization` header value: `Bearer <token>` (scheme
    /// case-insensitive). None for other schemes or an empty token.
    pub fn from_authorization(value: &str) -> Option<BearerToken> {
        let _ = value;
        todo!()
    }
    /// First 16 hex digits of SHA-256 of the token.
    pub fn fingerprint(&self) -> String {
        todo!()
    }
    /// Decodes the claims (payload only, no verification).
    pub fn claims(&self) -> Result<Claims, TokenError> {
        todo!()
    }
}

/// Why a token's claims could not be read. Every case means `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("opaque token (not a JWT)")]
    Opaque,
}

/// The claims pcmfa uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    pub aud: Option<String>,
    /// `appid` (v1) or `azp` (v2), lower-case.
    pub app_id: Option<String>,
    pub idtyp: Option<String>,
    pub scp: Option<String>,
    pub roles: Vec<String>,
    /// `upn`, else `unique_name`, else `preferred_username`.
    pub user: Option<String>,
    pub oid: Option<String>,
    pub tid: Option<String>,
    pub amr: Option<Vec<String>>,
}

/// What the claims prove about the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAuth {
    AppOnly,
    /// App+User; `mfa` is whether `amr` holds `mfa` (false when `amr` is absent).
    AppUser { mfa: bool },
    /// Claims that prove neither (e.g. `idtyp: app` together with `scp`).
    Inconclusive,
}

impl Claims {
    pub fn auth(&self) -> TokenAuth {
        todo!()
    }
    /// True when `aud` is Partner Center (URL form or resource GUID).
    pub fn is_partner_center_audience(&self) -> bool {
        todo!()
    }
}
