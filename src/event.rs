//! The records that flow between stages.
//!
//! A format turns one input record into an [`Observation`]: everything the log
//! said about one HTTP exchange or one sign-in, in raw form. The classifier
//! turns an observation into a [`Call`]: one row of `calls.parquet`, with the
//! verdict and the evidence behind it. Observations may hold a bearer token
//! (wrapped in [`BearerToken`], which never prints); calls never do.

use std::sync::Arc;

use crate::token::BearerToken;
use crate::vocab::{AuthMode, EventKind, Evidence, MfaClaim, Verdict};

/// Microseconds since the Unix epoch, UTC.
pub type Micros = i64;

/// What one input record says, before any judgement.
#[derive(Debug, Default, Clone)]
pub struct Observation {
    pub time: Option<Micros>,
    /// Full URL when the log has one (scheme optional).
    pub url: Option<String>,
    /// Host (or `Host` header / authority), possibly with a port.
    pub host: Option<String>,
    pub method: Option<String>,
    /// Path, possibly with a query string.
    pub path: Option<String>,
    pub status: Option<u16>,
    /// The bearer token from the `Authorization` request header.
    pub bearer: Option<BearerToken>,
    /// Partner Center error code found in the response body or headers.
    pub error_code: Option<String>,
    /// `isMfaCompliant` response header.
    pub is_mfa_compliant: Option<bool>,
    /// True when the body or message says the legacy `MFA required` (10001).
    pub legacy_mfa_required: bool,
    pub app_id: Option<String>,
    pub app_name: Option<String>,
    pub tenant_id: Option<String>,
    pub principal: Option<String>,
    pub correlation_id: Option<String>,
    pub request_id: Option<String>,
    pub user_agent: Option<String>,
    /// The record comes from Partner Center's own `partnerRequests` report,
    /// so it is a Partner Center call whatever its host.
    pub from_partner_center_report: bool,
    /// `mfaCompliant` from a `partnerRequests` report row.
    pub report_mfa_compliant: Option<bool>,
    /// Set for Entra ID sign-in records.
    pub sign_in: Option<SignInFacts>,
}

/// What an Entra ID sign-in record says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SignInFacts {
    /// `category` (SignInLogs, NonInteractiveUserSignInLogs, ...).
    pub category: Option<String>,
    /// Service-principal or managed-identity sign-in: app-only by definition.
    pub service_principal: bool,
    /// Resource application id (`resourceId` / `ResourceIdentity`), lower-case.
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    /// `status.errorCode`; 0 is success.
    pub error_code: Option<u32>,
    /// `authenticationRequirement`.
    pub authentication_requirement: Option<String>,
    /// True when `authenticationDetails` / `mfaDetail` prove an MFA step
    /// (done now or satisfied by a claim in the token).
    pub mfa_satisfied: bool,
}

/// One row of `calls.parquet`: a classified Partner Center event.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub time: Option<Micros>,
    pub source_file: Arc<str>,
    pub source_record: u64,
    pub format: &'static str,
    pub event: EventKind,
    pub host: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub operation: Option<String>,
    pub status: Option<u16>,
    pub error_code: Option<String>,
    pub auth_mode: AuthMode,
    pub mfa_claim: MfaClaim,
    pub verdict: Verdict,
    pub evidence: Evidence,
    /// Why the evidence fell short, for `unknown` rows (e.g. `jwe_token`).
    pub evidence_detail: Option<&'static str>,
    // The claims' values are shared with the token cache (one per distinct
    // token), so a call copies none of them.
    pub app_id: Option<Arc<str>>,
    pub app_name: Option<String>,
    pub tenant_id: Option<Arc<str>>,
    pub principal: Option<Arc<str>>,
    pub amr: Option<Arc<[String]>>,
    pub token_fingerprint: Option<Arc<str>>,
    pub correlation_id: Option<String>,
    pub request_id: Option<String>,
    pub user_agent: Option<String>,
    pub integration: Arc<str>,
}

/// Why a record could not be read. The list is documented in the README;
/// a record is never rejected for being unrelated to Partner Center (that is
/// `other`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectReason {
    /// Not valid UTF-8 (or holds NUL bytes).
    InvalidUtf8,
    /// Not valid JSON in a JSON format.
    InvalidJson,
    /// Valid JSON, but not an object where a record was expected.
    NotAnObject,
    /// A line or element longer than the record size cap.
    TooLarge,
    /// The document ended inside this record (truncated export).
    Truncated,
    /// A line of a text access-log format (Envoy, nginx, IIS W3C) that does
    /// not have that format's shape.
    MalformedLine,
    /// A CSV row with more or fewer cells than the header row.
    RaggedRow,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::InvalidUtf8 => "invalid_utf8",
            RejectReason::InvalidJson => "invalid_json",
            RejectReason::NotAnObject => "not_an_object",
            RejectReason::TooLarge => "too_large",
            RejectReason::Truncated => "truncated",
            RejectReason::MalformedLine => "malformed_line",
            RejectReason::RaggedRow => "ragged_row",
        }
    }
}

/// One line of `rejects.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub source_file: Arc<str>,
    pub source_record: u64,
    pub reason: RejectReason,
}
