//! Token stage: reads the claims of a bearer token to tell App+User calls
//! (with or without MFA) from app-only calls.
//!
//! Partner Center rejects App+User calls whose access token's `amr` claim
//! lacks `mfa` (401 / 900421); app-only calls are unaffected. The token's
//! claims say which kind of call a log record shows. The payload is
//! **decoded, never verified**: pcmfa holds no keys and only needs what the
//! caller presented. The token is **never stored**: it lives in a
//! [`BearerToken`] (redacted `Debug`, no `Display`, no `Serialize`) while one
//! record is classified; only its [`fingerprint`](BearerToken::fingerprint)
//! may leave this module. A token that cannot be read yields a
//! [`TokenError`], which callers classify `unknown`, never app-only.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Longest token decoded; longer ones are rejected before any work.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Partner Center's resource (application) id.
pub const PARTNER_CENTER_RESOURCE_ID: &str = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd";

/// Audiences that mean Partner Center (compared case-insensitively, trailing
/// slash ignored; `api://` + resource id is accepted too).
const PARTNER_CENTER_AUDIENCES: [&str; 4] = [
    "https://api.partnercenter.microsoft.com",
    "https://api.partner.microsoft.com",
    "https://partner.partnercenterapi.microsoftonline.cn",
    PARTNER_CENTER_RESOURCE_ID,
];

// base64url without padding is the norm; padded input and the standard
// alphabet (`+/`) are accepted too, as are non-zero trailing bits.
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);

/// A bearer token held in memory while one record is classified.
/// Its `Debug` never shows the token; it has no `Display`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BearerToken(String);

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

/// A token's decoded claims (or why they could not be read) and its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub claims: Result<Claims, TokenError>,
    pub fingerprint: Arc<str>,
}

/// Decodes each distinct token once: a gateway log repeats the same token
/// for every call made in its hour of validity. Held in memory for one
/// worker only, never written. Two generations keep memory bounded without
/// forgetting the tokens in use: when the current one is full it becomes
/// the previous one (the older one is dropped), and a token found in the
/// previous generation moves back into the current one.
#[derive(Default)]
pub struct TokenCache {
    /// Token -> its position in `decoded`: a hit is one lookup by `&str`,
    /// with no copy of the token.
    index: HashMap<Box<str>, usize, BuildHasherDefault<TokenHasher>>,
    decoded: Vec<Decoded>,
    previous: HashMap<Box<str>, Decoded, BuildHasherDefault<TokenHasher>>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TokenCache({} + {} tokens)",
            self.decoded.len(),
            self.previous.len()
        )
    }
}

/// Distinct tokens a generation holds (the cache holds at most twice as
/// many): ~1.4 KB each with its ~1.1 KB key.
const CACHE_CAPACITY: usize = 1024;

impl TokenCache {
    /// The decoded claims and fingerprint of `token`.
    pub fn decode(&mut self, token: &BearerToken) -> &Decoded {
        let key = token.0.as_str();
        if let Some(&at) = self.index.get(key) {
            return &self.decoded[at];
        }
        // Taken out of the previous generation before it may be dropped.
        let kept = self.previous.remove_entry(key);
        if self.decoded.len() >= CACHE_CAPACITY {
            self.retire_current();
        }
        let (key, decoded) = match kept {
            Some(kept) => kept,
            None => {
                let decoded = Decoded {
                    claims: token.claims(),
                    fingerprint: token.fingerprint().into(),
                };
                (Box::from(key), decoded)
            }
        };
        self.index.insert(key, self.decoded.len());
        self.decoded.push(decoded);
        &self.decoded[self.decoded.len() - 1]
    }

    /// The current generation becomes the previous one.
    fn retire_current(&mut self) {
        let mut decoded: Vec<Option<Decoded>> = self.decoded.drain(..).map(Some).collect();
        self.previous.clear();
        for (key, at) in self.index.drain() {
            if let Some(entry) = decoded.get_mut(at).and_then(Option::take) {
                self.previous.insert(key, entry);
            }
        }
    }
}

/// The cache's hash: FxHash-style over 8-byte words of the whole token, in
/// four independent lanes (one multiply chain would make a ~1 KB token wait
/// on ~140 multiplies in a row), then a murmur3 finaliser. Tokens are ~1 KB
/// and looked up once per record, so SipHash's cost shows; the map still
/// compares the full key, so a collision costs time, never a wrong answer.
#[derive(Default)]
struct TokenHasher(u64);

impl Hasher for TokenHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0xf135_7aea_2e62_a9c5;
        let mix = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(SEED);
        let word = |chunk: &[u8]| {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            u64::from_le_bytes(word)
        };
        let mut lanes = [self.0, self.0 ^ 1, self.0 ^ 2, self.0 ^ 3];
        let mut blocks = bytes.chunks_exact(32);
        for block in &mut blocks {
            for (lane, chunk) in lanes.iter_mut().zip(block.chunks_exact(8)) {
                *lane = mix(*lane, word(chunk));
            }
        }
        let mut hash = lanes.into_iter().fold(0, mix);
        let mut words = blocks.remainder().chunks_exact(8);
        for chunk in &mut words {
            hash = mix(hash, word(chunk));
        }
        let tail = words.remainder();
        if !tail.is_empty() {
            hash = mix(hash, word(tail) ^ ((tail.len() as u64) << 59));
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

impl BearerToken {
    /// From an `Authorization` header value: `Bearer <token>` (scheme
    /// case-insensitive, whitespace trimmed, surrounding quotes stripped).
    /// None for other schemes (`Basic`, ...) or an empty token.
    pub fn from_authorization(value: &str) -> Option<BearerToken> {
        let (scheme, token) = unquote(value).split_once(|c: char| c.is_ascii_whitespace())?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        Self::from_token(unquote(token))
    }

    /// From a bare token, as logs that give it without a scheme do (trimmed,
    /// surrounding quotes stripped; a leading `Bearer ` is tolerated).
    /// None when empty.
    pub fn new(raw: &str) -> Option<BearerToken> {
        let raw = unquote(raw);
        match raw.split_once(|c: char| c.is_ascii_whitespace()) {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                Self::from_token(unquote(token))
            }
            _ => Self::from_token(raw),
        }
    }

    fn from_token(token: &str) -> Option<BearerToken> {
        (!token.is_empty()).then(|| BearerToken(token.to_owned()))
    }

    /// The token's length in bytes (what `pcmfa sniff` may say about it).
    pub fn byte_len(&self) -> usize {
        self.0.len()
    }

    /// First 16 lower-case hex digits of SHA-256 of the token: a stable id
    /// for "the same token" that reveals nothing of it.
    pub fn fingerprint(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = Sha256::digest(self.0.as_bytes());
        let mut out = String::with_capacity(16);
        for &b in digest.iter().take(8) {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        out
    }

    /// Decodes the claims (header `alg` and payload only; the signature is
    /// neither decoded nor verified).
    pub fn claims(&self) -> Result<Claims, TokenError> {
        decode_claims(&self.0)
    }
}

/// Why a token's claims could not be read. Every case means `unknown`,
/// never app-only. Messages never contain token text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum TokenError {
    #[error("opaque token (not a JWT)")]
    Opaque,
    #[error("encrypted token (JWE)")]
    Jwe,
    #[error("malformed token (wrong number of segments)")]
    Malformed,
    #[error("token longer than {MAX_TOKEN_LEN} bytes")]
    TooLarge,
    #[error("unsigned token (alg none)")]
    AlgNone,
    #[error("token segment is not valid base64")]
    BadBase64,
    #[error("token header or payload is not a JSON object")]
    NotJson,
    #[error("token claim appears twice")]
    DuplicateClaim,
}

impl TokenError {
    /// Stable snake_case reason, for evidence columns.
    pub fn reason(self) -> &'static str {
        match self {
            TokenError::Opaque => "opaque_token",
            TokenError::Jwe => "jwe_token",
            TokenError::Malformed => "malformed_token",
            TokenError::TooLarge => "token_too_large",
            TokenError::AlgNone => "unsigned_token",
            TokenError::BadBase64 => "bad_base64",
            TokenError::NotJson => "payload_not_json",
            TokenError::DuplicateClaim => "duplicate_claim",
        }
    }
}

/// The claims pcmfa uses. String claims are trimmed; empty ones are absent.
/// The ones a call row keeps are shared (`Arc`): every call of a token
/// takes them from the token cache without copying.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    /// `aud`; from an array, the Partner Center audience if present, else the first.
    pub aud: Option<String>,
    /// `appid` (v1) or `azp` (v2), lower-case.
    pub app_id: Option<Arc<str>>,
    pub idtyp: Option<String>,
    /// `scp` (an array of scopes is joined with spaces).
    pub scp: Option<String>,
    pub roles: Vec<String>,
    /// `upn`, else `unique_name`, else `preferred_username`.
    pub user: Option<Arc<str>>,
    pub oid: Option<Arc<str>>,
    /// Tenant id, lower-case.
    pub tid: Option<Arc<str>>,
    /// `amr` methods; None when absent (or not a string / array of strings).
    pub amr: Option<Arc<[String]>>,
    /// `ver` (`1.0` or `2.0`).
    pub ver: Option<String>,
}

/// What the claims prove about the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAuth {
    AppOnly,
    /// App+User; `mfa` is whether `amr` holds `mfa` (false when `amr` is absent).
    AppUser {
        mfa: bool,
    },
    /// Claims that prove neither (e.g. `idtyp: app` together with `scp`).
    Inconclusive,
}

impl Claims {
    /// App+User when a user is present (`scp`, a user name, or
    /// `idtyp: user`); app-only when `idtyp: app`, or when there is no user
    /// but an app id or roles; otherwise (or on contradiction) inconclusive.
    pub fn auth(&self) -> TokenAuth {
        let idtyp_is = |v: &str| {
            self.idtyp
                .as_deref()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(v))
        };
        let user =
            present(self.scp.as_deref()) || present(self.user.as_deref()) || idtyp_is("user");
        let app = idtyp_is("app");
        match (user, app) {
            (true, true) => TokenAuth::Inconclusive,
            (true, false) => TokenAuth::AppUser {
                mfa: self.has_mfa(),
            },
            (false, true) => TokenAuth::AppOnly,
            // Without `idtyp`, only an app id or roles prove an app-only call.
            (false, false) if present(self.app_id.as_deref()) || !self.roles.is_empty() => {
                TokenAuth::AppOnly
            }
            (false, false) => TokenAuth::Inconclusive,
        }
    }

    /// True when `amr` holds exactly `mfa` (any case); `ngcmfa` alone does not count.
    pub fn has_mfa(&self) -> bool {
        self.amr
            .as_deref()
            .is_some_and(|m| m.iter().any(|x| x.trim().eq_ignore_ascii_case("mfa")))
    }

    /// True when `aud` is Partner Center (URL form or resource GUID).
    pub fn is_partner_center_audience(&self) -> bool {
        self.aud.as_deref().is_some_and(is_partner_center_aud)
    }
}

fn present(s: Option<&str>) -> bool {
    s.is_some_and(|s| !s.trim().is_empty())
}

fn is_partner_center_aud(aud: &str) -> bool {
    let aud = aud.trim().trim_end_matches('/');
    if let Some(id) = strip_prefix_ignore_case(aud, "api://") {
        return id.eq_ignore_ascii_case(PARTNER_CENTER_RESOURCE_ID);
    }
    PARTNER_CENTER_AUDIENCES
        .iter()
        .any(|pc| aud.eq_ignore_ascii_case(pc))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .and_then(|_| s.get(prefix.len()..))
}

/// Trims, then strips one pair of surrounding `"` or `'`.
fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.trim();
        }
    }
    s
}

fn decode_claims(token: &str) -> Result<Claims, TokenError> {
    // Size first, so a huge token costs nothing.
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::TooLarge);
    }
    match memchr::memchr_iter(b'.', token.as_bytes()).count() {
        0 => return Err(TokenError::Opaque),
        2 => {}
        4 => return Err(TokenError::Jwe),
        _ => return Err(TokenError::Malformed),
    }
    let (header, rest) = token.split_once('.').ok_or(TokenError::Malformed)?;
    // The third segment (signature) is never touched.
    let (payload, _signature) = rest.split_once('.').ok_or(TokenError::Malformed)?;

    // One buffer, sized for the larger segment, serves both decodes.
    let mut buf = Vec::with_capacity(base64::decoded_len_estimate(
        header.len().max(payload.len()),
    ));
    decode_segment(header, &mut buf)?;
    let header = parse_object(&buf, HeaderVisitor)?;
    if header.duplicate {
        return Err(TokenError::DuplicateClaim);
    }
    if header.alg_none {
        return Err(TokenError::AlgNone);
    }
    buf.clear();
    decode_segment(payload, &mut buf)?;
    let raw = parse_object(&buf, ClaimsVisitor)?;
    if raw.duplicate {
        return Err(TokenError::DuplicateClaim);
    }
    Ok(raw.into_claims())
}

fn decode_segment(segment: &str, buf: &mut Vec<u8>) -> Result<(), TokenError> {
    let engine = if segment.bytes().any(|b| b == b'+' || b == b'/') {
        &STANDARD
    } else {
        &URL_SAFE
    };
    engine
        .decode_vec(segment, buf)
        .map_err(|_| TokenError::BadBase64)
}

/// Parses `json` as exactly one JSON object (arrays, scalars, trailing
/// text and invalid UTF-8 are `NotJson`).
fn parse_object<'de, V: Visitor<'de>>(json: &'de [u8], visitor: V) -> Result<V::Value, TokenError> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value = (&mut de)
        .deserialize_map(visitor)
        .map_err(|_| TokenError::NotJson)?;
    de.end().map_err(|_| TokenError::NotJson)?;
    Ok(value)
}

/// A claim value, kept only as far as pcmfa reads it; strings borrow from the
/// decoded payload when they have no escapes.
enum Json<'a> {
    Str(Cow<'a, str>),
    /// The string elements of an array (other elements dropped).
    List(Vec<Cow<'a, str>>),
    /// Any other type: ignored.
    Other,
}

impl<'a> Json<'a> {
    fn into_string(self) -> Option<String> {
        match self {
            Json::Str(s) => owned_trimmed(s),
            _ => None,
        }
    }

    /// A list claim: array of strings, or one string separated by spaces or commas.
    fn into_list(self) -> Option<Vec<String>> {
        match self {
            Json::Str(s) => Some(
                s.split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            Json::List(items) => Some(items.into_iter().filter_map(owned_trimmed).collect()),
            Json::Other => None,
        }
    }

    /// `scp` is a string; an array of scopes is joined so it is not lost.
    fn into_scopes(self) -> Option<String> {
        match self {
            Json::Str(s) => owned_trimmed(s),
            Json::List(items) => {
                let mut joined = String::new();
                for scope in items.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                    if !joined.is_empty() {
                        joined.push(' ');
                    }
                    joined.push_str(scope);
                }
                (!joined.is_empty()).then_some(joined)
            }
            Json::Other => None,
        }
    }

    /// `aud` from an array: the Partner Center one if present, else the first.
    fn into_audience(self) -> Option<String> {
        match self {
            Json::Str(s) => owned_trimmed(s),
            Json::List(items) => {
                let pick = items
                    .iter()
                    .position(|s| is_partner_center_aud(s))
                    .or_else(|| items.iter().position(|s| !s.trim().is_empty()))?;
                items.into_iter().nth(pick).and_then(owned_trimmed)
            }
            Json::Other => None,
        }
    }
}

fn owned_trimmed(s: Cow<'_, str>) -> Option<String> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == s.len() {
        Some(s.into_owned())
    } else {
        Some(trimmed.to_owned())
    }
}

fn ascii_lowercase(mut s: String) -> String {
    s.make_ascii_lowercase();
    s
}

/// Reads any JSON value into [`Json`]; at the top level arrays keep their
/// strings, nested arrays and objects are skipped.
#[derive(Clone, Copy)]
struct JsonSeed {
    top: bool,
}

impl<'de> DeserializeSeed<'de> for JsonSeed {
    type Value = Json<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonSeed {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Json<'de>, E> {
        Ok(Json::Other)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Json<'de>, E> {
        Ok(Json::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Json<'de>, E> {
        Ok(Json::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Json<'de>, E> {
        Ok(Json::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json<'de>, E> {
        Ok(Json::Other)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json<'de>, E> {
        Ok(Json::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        if !self.top {
            return IgnoredAny.visit_seq(seq).map(|_| Json::Other);
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(JsonSeed { top: false })? {
            if let Json::Str(s) = item {
                items.push(s);
            }
        }
        Ok(Json::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Json<'de>, A::Error> {
        IgnoredAny.visit_map(map).map(|_| Json::Other)
    }
}

/// Header: only `alg` is read.
#[derive(Deserialize, PartialEq, Eq)]
#[serde(field_identifier, rename_all = "lowercase")]
enum HeaderKey {
    Alg,
    #[serde(other)]
    Other,
}

struct Header {
    alg_none: bool,
    duplicate: bool,
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = Header;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        let mut header = Header {
            alg_none: false,
            duplicate: false,
        };
        let mut seen_alg = false;
        while let Some(key) = map.next_key::<HeaderKey>()? {
            if key == HeaderKey::Other {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            header.duplicate |= seen_alg;
            seen_alg = true;
            if let Json::Str(alg) = map.next_value_seed(JsonSeed { top: false })? {
                header.alg_none |= alg.trim().eq_ignore_ascii_case("none");
            }
        }
        Ok(header)
    }
}

/// Payload claims pcmfa reads; all others are skipped unparsed.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    Aud,
    Appid,
    Azp,
    Idtyp,
    Scp,
    Roles,
    Upn,
    UniqueName,
    PreferredUsername,
    Oid,
    Tid,
    Amr,
    Ver,
    #[serde(other)]
    Other,
}

#[derive(Default)]
struct RawClaims<'a> {
    aud: Option<Json<'a>>,
    appid: Option<Json<'a>>,
    azp: Option<Json<'a>>,
    idtyp: Option<Json<'a>>,
    scp: Option<Json<'a>>,
    roles: Option<Json<'a>>,
    upn: Option<Json<'a>>,
    unique_name: Option<Json<'a>>,
    preferred_username: Option<Json<'a>>,
    oid: Option<Json<'a>>,
    tid: Option<Json<'a>>,
    amr: Option<Json<'a>>,
    ver: Option<Json<'a>>,
    /// A claim above appeared twice (serde would reject it; we report it).
    duplicate: bool,
}

impl RawClaims<'_> {
    fn into_claims(self) -> Claims {
        let string = |j: Option<Json<'_>>| j.and_then(Json::into_string);
        Claims {
            aud: self.aud.and_then(Json::into_audience),
            app_id: string(self.appid)
                .or_else(|| string(self.azp))
                .map(ascii_lowercase)
                .map(Arc::from),
            idtyp: string(self.idtyp),
            scp: self.scp.and_then(Json::into_scopes),
            roles: self.roles.and_then(Json::into_list).unwrap_or_default(),
            user: string(self.upn)
                .or_else(|| string(self.unique_name))
                .or_else(|| string(self.preferred_username))
                .map(Arc::from),
            oid: string(self.oid).map(Arc::from),
            tid: string(self.tid).map(ascii_lowercase).map(Arc::from),
            amr: self.amr.and_then(Json::into_list).map(Arc::from),
            ver: string(self.ver),
        }
    }
}

struct ClaimsVisitor;

impl<'de> Visitor<'de> for ClaimsVisitor {
    type Value = RawClaims<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawClaims<'de>, A::Error> {
        let mut raw = RawClaims::default();
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Aud => &mut raw.aud,
                Key::Appid => &mut raw.appid,
                Key::Azp => &mut raw.azp,
                Key::Idtyp => &mut raw.idtyp,
                Key::Scp => &mut raw.scp,
                Key::Roles => &mut raw.roles,
                Key::Upn => &mut raw.upn,
                Key::UniqueName => &mut raw.unique_name,
                Key::PreferredUsername => &mut raw.preferred_username,
                Key::Oid => &mut raw.oid,
                Key::Tid => &mut raw.tid,
                Key::Amr => &mut raw.amr,
                Key::Ver => &mut raw.ver,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if slot.is_some() {
                // Keep parsing so the object is still checked to be JSON.
                map.next_value::<IgnoredAny>()?;
                raw.duplicate = true;
                continue;
            }
            *slot = Some(map.next_value_seed(JsonSeed { top: true })?);
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD as B64_STD, URL_SAFE_NO_PAD};
    use std::time::{Duration, Instant};

    const HEADER: &str = r#"{"typ":"JWT","alg":"RS256","x5t":"kWbkaa6qs8wsTnBwiiNYOhHbnAw","kid":"kWbkaa6qs8wsTnBwiiNYOhHbnAw"}"#;
    const SIG: &str = "Zm9vYmFyLXNpZ25hdHVyZS1ub3QtdmVyaWZpZWQ";
    const APP: &str = "1b730954-1685-4b74-9bfd-dac224a7b894";
    const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    /// base64url(header) . base64url(payload) . fake signature
    fn jwt(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.{SIG}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    fn claims_of(token: &str) -> Result<Claims, TokenError> {
        BearerToken::new(token).ok_or(TokenError::Opaque)?.claims()
    }

    /// A v1 App+User Partner Center token; `amr` is a JSON fragment
    /// (`"amr":[...],`) or empty.
    fn v1_user(amr: &str) -> String {
        let payload = format!(
            r#"{{"aud":"https://api.partnercenter.microsoft.com","iss":"https://sts.windows.net/{TID}/","iat":1775001600,"nbf":1775001600,"exp":1775005500,"acr":"1",{amr}"appid":"1B730954-1685-4B74-9BFD-DAC224A7B894","appidacr":"0","family_name":"Doe","given_name":"Jane","ipaddr":"203.0.113.7","name":"Jane Doe","oid":"0b8d1c7e-5f6a-4b3c-9d2e-1f0a9b8c7d6e","puid":"10032001A2B3C4D5","scp":"user_impersonation","sub":"q1w2e3r4t5y6u7i8o9p0","tid":"72F988BF-86F1-41AF-91AB-2D7CD011DB47","unique_name":"jane@contoso.onmicrosoft.com","upn":"jane@contoso.onmicrosoft.com","uti":"AbCdEfGhIjKlMnOpQrStAA","ver":"1.0"}}"#
        );
        jwt(HEADER, &payload)
    }

    #[test]
    fn v1_app_user_amr_table() {
        let cases: &[(&str, &str, Option<&[&str]>, bool)] = &[
            ("pwd", r#""amr":["pwd"],"#, Some(&["pwd"]), false),
            (
                "pwd+mfa",
                r#""amr":["pwd","mfa"],"#,
                Some(&["pwd", "mfa"]),
                true,
            ),
            ("fed", r#""amr":["fed"],"#, Some(&["fed"]), false),
            (
                "rsa+mfa",
                r#""amr":["rsa","mfa"],"#,
                Some(&["rsa", "mfa"]),
                true,
            ),
            (
                "ngcmfa+mfa",
                r#""amr":["ngcmfa","mfa"],"#,
                Some(&["ngcmfa", "mfa"]),
                true,
            ),
            (
                "ngcmfa alone",
                r#""amr":["ngcmfa"],"#,
                Some(&["ngcmfa"]),
                false,
            ),
            ("wia", r#""amr":["wia"],"#, Some(&["wia"]), false),
            (
                "MFA upper",
                r#""amr":["pwd","MFA"],"#,
                Some(&["pwd", "MFA"]),
                true,
            ),
            ("single string", r#""amr":"mfa","#, Some(&["mfa"]), true),
            (
                "space separated",
                r#""amr":"pwd mfa","#,
                Some(&["pwd", "mfa"]),
                true,
            ),
            (
                "comma separated",
                r#""amr":"pwd, mfa","#,
                Some(&["pwd", "mfa"]),
                true,
            ),
            ("string pwd", r#""amr":"pwd","#, Some(&["pwd"]), false),
            ("empty array", r#""amr":[],"#, Some(&[]), false),
            (
                "mixed types",
                r#""amr":[1,"mfa",null],"#,
                Some(&["mfa"]),
                true,
            ),
            ("absent", "", None, false),
            ("number ignored", r#""amr":42,"#, None, false),
            ("null ignored", r#""amr":null,"#, None, false),
            ("object ignored", r#""amr":{"m":"mfa"},"#, None, false),
        ];
        for &(name, amr, want_amr, mfa) in cases {
            let c = claims_of(&v1_user(amr)).unwrap_or_else(|e| panic!("{name}: {e}"));
            let want_amr =
                want_amr.map(|a| a.iter().map(|s| s.to_string()).collect::<Arc<[String]>>());
            assert_eq!(c.amr, want_amr, "{name}");
            assert_eq!(c.auth(), TokenAuth::AppUser { mfa }, "{name}");
        }
    }

    #[test]
    fn v1_claims_are_extracted() {
        let c = claims_of(&v1_user(r#""amr":["pwd","mfa"],"#)).unwrap();
        assert_eq!(
            c,
            Claims {
                aud: Some("https://api.partnercenter.microsoft.com".into()),
                app_id: Some(APP.into()),
                idtyp: None,
                scp: Some("user_impersonation".into()),
                roles: vec![],
                user: Some("jane@contoso.onmicrosoft.com".into()),
                oid: Some("0b8d1c7e-5f6a-4b3c-9d2e-1f0a9b8c7d6e".into()),
                tid: Some(TID.into()),
                amr: Some(Arc::from(["pwd".to_string(), "mfa".to_string()])),
                ver: Some("1.0".into()),
            }
        );
        assert!(c.is_partner_center_audience());
    }

    #[test]
    fn v2_token() {
        let payload = format!(
            r#"{{"aud":"fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd","iss":"https://login.microsoftonline.com/{TID}/v2.0","iat":1775001600,"nbf":1775001600,"exp":1775005500,"azp":"1B730954-1685-4B74-9BFD-DAC224A7B894","azpacr":"0","name":"Jane Doe","oid":"0b8d1c7e-5f6a-4b3c-9d2e-1f0a9b8c7d6e","preferred_username":"jane@contoso.com","rh":"0.AXkA","scp":"user_impersonation","sub":"q1w2e3","tid":"{TID}","uti":"AbCd","ver":"2.0"}}"#
        );
        let c = claims_of(&jwt(HEADER, &payload)).unwrap();
        assert_eq!(c.app_id.as_deref(), Some(APP));
        assert_eq!(c.user.as_deref(), Some("jane@contoso.com"));
        assert_eq!(c.ver.as_deref(), Some("2.0"));
        assert_eq!(c.amr, None);
        assert!(c.is_partner_center_audience());
        assert_eq!(c.auth(), TokenAuth::AppUser { mfa: false });
    }

    #[test]
    fn auth_table() {
        let cases: &[(&str, String, TokenAuth)] = &[
            (
                "app-only with idtyp",
                format!(
                    r#"{{"aud":"https://api.partnercenter.microsoft.com","appid":"{APP}","appidacr":"1","idtyp":"app","oid":"9a8b7c6d","roles":[],"sub":"9a8b7c6d","tid":"{TID}","ver":"1.0"}}"#
                ),
                TokenAuth::AppOnly,
            ),
            (
                "app-only roles, no idtyp",
                format!(
                    r#"{{"aud":"https://api.partnercenter.microsoft.com","appid":"{APP}","appidacr":"2","roles":["Partner.Read.All"],"tid":"{TID}","ver":"1.0"}}"#
                ),
                TokenAuth::AppOnly,
            ),
            (
                "app-only appid only",
                format!(
                    r#"{{"aud":"https://api.partnercenter.microsoft.com","appid":"{APP}","appidacr":"1","oid":"9a8b7c6d","tid":"{TID}","ver":"1.0"}}"#
                ),
                TokenAuth::AppOnly,
            ),
            (
                "roles only (no app id)",
                r#"{"aud":"https://api.partnercenter.microsoft.com","roles":"Partner.Read.All"}"#
                    .into(),
                TokenAuth::AppOnly,
            ),
            (
                "neither app id nor user",
                format!(
                    r#"{{"aud":"https://api.partnercenter.microsoft.com","tid":"{TID}","ver":"1.0"}}"#
                ),
                TokenAuth::Inconclusive,
            ),
            (
                "idtyp app + scp",
                format!(r#"{{"appid":"{APP}","idtyp":"app","scp":"user_impersonation"}}"#),
                TokenAuth::Inconclusive,
            ),
            (
                "idtyp app + upn",
                format!(r#"{{"appid":"{APP}","idtyp":"app","upn":"a@b.c"}}"#),
                TokenAuth::Inconclusive,
            ),
            (
                "idtyp user only",
                r#"{"idtyp":"user","amr":["pwd","mfa"]}"#.into(),
                TokenAuth::AppUser { mfa: true },
            ),
            (
                "unique_name only",
                format!(r#"{{"appid":"{APP}","unique_name":"a@b.c","amr":["pwd"]}}"#),
                TokenAuth::AppUser { mfa: false },
            ),
            (
                "empty scp and user do not count",
                format!(r#"{{"appid":"{APP}","scp":"  ","upn":""}}"#),
                TokenAuth::AppOnly,
            ),
            (
                "scp as array",
                format!(r#"{{"appid":"{APP}","scp":["a","b"]}}"#),
                TokenAuth::AppUser { mfa: false },
            ),
            (
                "scp wrong type ignored",
                r#"{"scp":7}"#.into(),
                TokenAuth::Inconclusive,
            ),
            ("empty object", "{}".into(), TokenAuth::Inconclusive),
        ];
        for (name, payload, want) in cases {
            let c = claims_of(&jwt(HEADER, payload)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.auth(), *want, "{name}");
        }
    }

    #[test]
    fn error_table() {
        let b = |s: &str| URL_SAFE_NO_PAD.encode(s);
        let payload = format!(r#"{{"appid":"{APP}","idtyp":"app"}}"#);
        let cases: Vec<(&str, String, TokenError)> = vec![
            (
                "jwe",
                format!(
                    "{}.ZW5jcnlwdGVka2V5.aXY.Y2lwaGVydGV4dA.dGFn",
                    b(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)
                ),
                TokenError::Jwe,
            ),
            (
                "opaque",
                "EwBwA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAQ".into(),
                TokenError::Opaque,
            ),
            ("garbage", "abc.def.ghi".into(), TokenError::NotJson),
            ("bad base64", "ab$c.def.ghi".into(), TokenError::BadBase64),
            (
                "bad base64 payload",
                format!("{}.@@@.sig", b(HEADER)),
                TokenError::BadBase64,
            ),
            (
                "mixed alphabets",
                format!("{}.a-b/.sig", b(HEADER)),
                TokenError::BadBase64,
            ),
            (
                "payload not json",
                format!("{}.{}.sig", b(HEADER), b("hello")),
                TokenError::NotJson,
            ),
            (
                "payload array",
                format!("{}.{}.sig", b(HEADER), b(r#"["appid"]"#)),
                TokenError::NotJson,
            ),
            (
                "payload string",
                format!("{}.{}.sig", b(HEADER), b(r#""x""#)),
                TokenError::NotJson,
            ),
            (
                "trailing text",
                format!("{}.{}.sig", b(HEADER), b("{} {}")),
                TokenError::NotJson,
            ),
            (
                "empty payload",
                format!("{}..sig", b(HEADER)),
                TokenError::NotJson,
            ),
            (
                "invalid utf-8",
                format!(
                    "{}.{}.sig",
                    b(HEADER),
                    URL_SAFE_NO_PAD.encode(b"{\"upn\":\"\xff\"}")
                ),
                TokenError::NotJson,
            ),
            ("header array", jwt("[1]", &payload), TokenError::NotJson),
            (
                "alg none",
                jwt(r#"{"alg":"none","typ":"JWT"}"#, &payload),
                TokenError::AlgNone,
            ),
            (
                "alg NONE",
                jwt(r#"{"typ":"JWT","alg":"NONE"}"#, &payload),
                TokenError::AlgNone,
            ),
            (
                "alg none, empty sig",
                format!("{}.{}.", b(r#"{"alg":"None"}"#), b(&payload)),
                TokenError::AlgNone,
            ),
            (
                "duplicate alg",
                jwt(r#"{"alg":"RS256","alg":"none"}"#, &payload),
                TokenError::DuplicateClaim,
            ),
            (
                "two segments",
                format!("{}.{}", b(HEADER), b(&payload)),
                TokenError::Malformed,
            ),
            (
                "four segments",
                format!("{}.a", jwt(HEADER, &payload)),
                TokenError::Malformed,
            ),
            ("six segments", "a.b.c.d.e.f".into(), TokenError::Malformed),
            (
                "duplicate amr",
                jwt(
                    HEADER,
                    r#"{"upn":"a@b.c","amr":["pwd"],"scp":"x","amr":["pwd","mfa"]}"#,
                ),
                TokenError::DuplicateClaim,
            ),
            (
                "duplicate via escape",
                jwt(
                    HEADER,
                    r#"{"upn":"a@b.c","amr":["pwd"],"\u0061mr":["mfa"]}"#,
                ),
                TokenError::DuplicateClaim,
            ),
            (
                "duplicate idtyp",
                jwt(HEADER, r#"{"idtyp":"app","idtyp":"user"}"#),
                TokenError::DuplicateClaim,
            ),
            (
                "too large",
                "a".repeat(MAX_TOKEN_LEN + 1),
                TokenError::TooLarge,
            ),
        ];
        for (name, token, want) in &cases {
            assert_eq!(claims_of(token), Err(*want), "{name}");
        }
    }

    #[test]
    fn huge_token_is_rejected_fast() {
        let segment = "A".repeat(512 * 1024);
        let token = format!("{segment}.{segment}.sig");
        let bearer = BearerToken::new(&token).unwrap();
        let start = Instant::now();
        assert_eq!(bearer.claims(), Err(TokenError::TooLarge));
        assert!(start.elapsed() < Duration::from_millis(50));
    }

    #[test]
    fn duplicates_of_unread_claims_and_aliases_are_fine() {
        let payload = format!(
            r#"{{"exp":1,"exp":2,"appid":"{APP}","azp":"other","upn":"a@b.c","unique_name":"x@y.z","scp":"s"}}"#
        );
        let c = claims_of(&jwt(HEADER, &payload)).unwrap();
        assert_eq!(c.app_id.as_deref(), Some(APP));
        assert_eq!(c.user.as_deref(), Some("a@b.c"));
    }

    #[test]
    fn padded_and_standard_alphabet() {
        // `???>>>` makes the standard encoding use `/` and `+`.
        let payload = r#"{"upn":"a@b.c","scp":"s","amr":["pwd","mfa"],"x":"???>>>"}"#;
        let std = format!("{}.{}.sig", B64_STD.encode(HEADER), B64_STD.encode(payload));
        assert!(
            std.contains('+') || std.contains('/'),
            "needs standard-alphabet chars"
        );
        let padded = format!(
            "{}.{}.sig",
            base64::engine::general_purpose::URL_SAFE.encode(HEADER),
            base64::engine::general_purpose::URL_SAFE.encode(payload)
        );
        assert!(padded.contains('='), "needs padding");
        let plain = jwt(HEADER, payload);
        let want = claims_of(&plain).unwrap();
        assert_eq!(want.auth(), TokenAuth::AppUser { mfa: true });
        for token in [std, padded] {
            assert_eq!(claims_of(&token), Ok(want.clone()));
        }
    }

    #[test]
    fn wrong_types_and_audience_arrays() {
        let cases: &[(&str, Option<&str>, bool)] = &[
            (r#"{"aud":42}"#, None, false),
            (
                r#"{"aud":["https://graph.microsoft.com","https://api.partnercenter.microsoft.com/"]}"#,
                Some("https://api.partnercenter.microsoft.com/"),
                true,
            ),
            (
                r#"{"aud":["https://graph.microsoft.com","https://management.azure.com"]}"#,
                Some("https://graph.microsoft.com"),
                false,
            ),
            (
                r#"{"aud":[1,"","api://fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"]}"#,
                Some("api://fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"),
                true,
            ),
            (r#"{"aud":[]}"#, None, false),
        ];
        for &(payload, aud, pc) in cases {
            let c = claims_of(&jwt(HEADER, payload)).unwrap();
            assert_eq!(c.aud.as_deref(), aud, "{payload}");
            assert_eq!(c.is_partner_center_audience(), pc, "{payload}");
        }
        let c = claims_of(&jwt(
            HEADER,
            r#"{"appid":5,"azp":"ABC","tid":true,"roles":"A B","upn":[],"ver":2}"#,
        ))
        .unwrap();
        assert_eq!(c.app_id.as_deref(), Some("abc"));
        assert_eq!(c.tid, None);
        assert_eq!(c.roles, vec!["A".to_string(), "B".to_string()]);
        assert_eq!(c.user, None);
        assert_eq!(c.ver, None);
        // Missing `alg` and unknown nested claims are tolerated.
        let c = claims_of(&jwt(
            r#"{"typ":"JWT"}"#,
            r#"{"x":{"y":[1,{"z":null}]},"idtyp":"app"}"#,
        ))
        .unwrap();
        assert_eq!(c.auth(), TokenAuth::AppOnly);
    }

    #[test]
    fn partner_center_audiences() {
        let cases: &[(&str, bool)] = &[
            ("https://api.partnercenter.microsoft.com", true),
            ("https://api.partnercenter.microsoft.com/", true),
            ("HTTPS://API.PartnerCenter.Microsoft.com", true),
            ("https://api.partner.microsoft.com", true),
            ("https://partner.partnercenterapi.microsoftonline.cn/", true),
            ("fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd", true),
            ("FA3D9A0C-3FB0-42CC-9193-47C7ECD2EDBD", true),
            ("api://fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd", true),
            ("api://https://api.partnercenter.microsoft.com", false),
            ("https://api.partnercenter.microsoft.com/v1", false),
            ("https://graph.microsoft.com", false),
            ("00000003-0000-0000-c000-000000000000", false),
            ("", false),
        ];
        for &(aud, want) in cases {
            let c = Claims {
                aud: Some(aud.into()),
                ..Claims::default()
            };
            assert_eq!(c.is_partner_center_audience(), want, "{aud}");
        }
        assert!(!Claims::default().is_partner_center_audience());
    }

    #[test]
    fn from_authorization_table() {
        let tok = jwt(HEADER, r#"{"idtyp":"app"}"#);
        let cases: Vec<(String, Option<&str>)> = vec![
            (format!("Bearer {tok}"), Some(&tok)),
            (format!("bearer {tok}"), Some(&tok)),
            (format!("BEARER\t{tok}"), Some(&tok)),
            (format!("  Bearer   {tok}  "), Some(&tok)),
            (format!("\"Bearer {tok}\""), Some(&tok)),
            (format!("Bearer \"{tok}\""), Some(&tok)),
            ("Bearer opaque-token".into(), Some("opaque-token")),
            ("Basic dXNlcjpwYXNz".into(), None),
            ("Bearer".into(), None),
            ("Bearer   ".into(), None),
            ("Bearer \"\"".into(), None),
            ("".into(), None),
            (tok.clone(), None),
            ("Bearerx abc".into(), None),
        ];
        for (value, want) in &cases {
            let got = BearerToken::from_authorization(value);
            assert_eq!(got, want.and_then(BearerToken::from_token), "{value:?}");
        }
        // Bare tokens.
        assert_eq!(BearerToken::new(&tok), BearerToken::from_token(&tok));
        assert_eq!(
            BearerToken::new(&format!(" '{tok}' ")),
            BearerToken::from_token(&tok)
        );
        assert_eq!(
            BearerToken::new(&format!("Bearer {tok}")),
            BearerToken::from_token(&tok)
        );
        assert_eq!(BearerToken::new("  "), None);
        assert_eq!(BearerToken::new("\"\""), None);
    }

    #[test]
    fn fingerprint_is_16_hex_and_stable() {
        let t = BearerToken::new("abc").unwrap();
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223...
        assert_eq!(t.fingerprint(), "ba7816bf8f01cfea");
        let tok = BearerToken::new(&v1_user("")).unwrap();
        let fp = tok.fingerprint();
        assert_eq!(fp.len(), 16);
        assert!(fp
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(fp, tok.clone().fingerprint());
        assert_ne!(fp, t.fingerprint());
    }

    #[test]
    fn nothing_prints_the_token() {
        let raw = v1_user(r#""amr":["pwd"],"#);
        let tok = BearerToken::new(&raw).unwrap();
        let debug = format!("{tok:?} {:?}", Some(&tok));
        assert_eq!(
            debug,
            "BearerToken(<redacted>) Some(BearerToken(<redacted>))"
        );
        let (head, _) = raw.split_once('.').unwrap();
        assert!(!debug.contains(head));
        let errs = [
            TokenError::Opaque,
            TokenError::Jwe,
            TokenError::Malformed,
            TokenError::TooLarge,
            TokenError::AlgNone,
            TokenError::BadBase64,
            TokenError::NotJson,
            TokenError::DuplicateClaim,
        ];
        let reasons: Vec<_> = errs.iter().map(|e| e.reason()).collect();
        assert_eq!(
            reasons,
            [
                "opaque_token",
                "jwe_token",
                "malformed_token",
                "token_too_large",
                "unsigned_token",
                "bad_base64",
                "payload_not_json",
                "duplicate_claim"
            ]
        );
        for e in errs {
            assert!(!e.to_string().contains("eyJ"));
        }
    }

    #[test]
    fn truncations_never_panic() {
        let tok = v1_user(r#""amr":["pwd","mfa"],"#);
        for end in 0..=tok.len() {
            if let Some(t) = tok.get(..end).and_then(BearerToken::new) {
                let _ = t.claims();
            }
        }
        for (i, _) in tok.char_indices() {
            let mut s = tok.clone();
            s.replace_range(i..=i, "%");
            let _ = BearerToken::new(&s).map(|t| t.claims());
        }
    }

    #[test]
    fn the_cache_decodes_once_and_answers_the_same() {
        let token = BearerToken::new("abc.def.ghi").expect("token");
        let mut cache = TokenCache::default();
        let first = cache.decode(&token).clone();
        assert_eq!(first.claims, token.claims());
        assert_eq!(*first.fingerprint, token.fingerprint());
        assert_eq!(cache.decode(&token), &first);
        let others: Vec<BearerToken> = (0..3 * CACHE_CAPACITY)
            .map(|i| BearerToken::new(&format!("t{i}.p.s")).expect("token"))
            .collect();
        for (i, other) in others.iter().enumerate() {
            cache.decode(other);
            // A token in use survives every change of generation.
            if i % 100 == 0 {
                assert_eq!(cache.decode(&token), &first);
            }
            assert!(cache.index.len() <= CACHE_CAPACITY);
            assert!(cache.previous.len() <= CACHE_CAPACITY);
            assert_eq!(cache.index.len(), cache.decoded.len());
        }
        // The oldest were dropped; any token still decodes the same.
        assert!(cache.index.len() + cache.previous.len() <= 2 * CACHE_CAPACITY);
        assert!(!cache.previous.contains_key("t0.p.s") && !cache.index.contains_key("t0.p.s"));
        assert_eq!(cache.decode(&others[0]).claims, others[0].claims());
        assert_eq!(
            *cache.decode(&others[0]).fingerprint,
            others[0].fingerprint()
        );
        assert!(!format!("{cache:?}").contains("abc"));
    }

    /// Tokens alike but for a few bytes (same issuer, header and signature
    /// length) land on distinct hashes, so the cache stays one probe deep.
    #[test]
    fn the_cache_hash_tells_similar_tokens_apart() {
        use std::hash::BuildHasher;
        let build = BuildHasherDefault::<TokenHasher>::default();
        let base = v1_user(r#""amr":["pwd"],"#);
        let mut seen = std::collections::HashSet::new();
        for i in 0..base.len() {
            let mut variant = base.clone().into_bytes();
            variant[i] = if variant[i] == b'A' { b'B' } else { b'A' };
            let variant = String::from_utf8(variant).expect("ASCII");
            assert!(seen.insert(build.hash_one(variant.as_str())), "byte {i}");
        }
        for n in 0..10_000 {
            assert!(
                seen.insert(build.hash_one(format!("{base}{n}").as_str())),
                "{n}"
            );
        }
    }
}
