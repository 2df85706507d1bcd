//! The contract's vocabulary: the closed sets of values that `calls.parquet`
//! and every report use. Each enum renders as the exact string the output
//! contract promises (`docs/output-contract.md`), so no writer spells a value
//! by hand.

use std::fmt;

/// What kind of Partner Center event a row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// A call to a Partner Center API.
    ApiCall,
    /// An Entra ID token issuance for the Partner Center resource.
    SignIn,
}

/// App-only (client credentials) or App+User (delegated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthMode {
    AppOnly,
    AppUser,
    Unknown,
}

/// Whether the token carried the MFA claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MfaClaim {
    Present,
    Absent,
    NotApplicable,
    Unknown,
}

/// The verdict on one event or one integration. The derived order is by
/// severity, worst first: `Broken < AtRisk < ... < Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    Broken,
    AtRisk,
    Compliant,
    NotAffected,
    Unknown,
}

impl Verdict {
    /// Every verdict, worst first.
    pub const ALL: [Verdict; 5] = [
        Verdict::Broken,
        Verdict::AtRisk,
        Verdict::Compliant,
        Verdict::NotAffected,
        Verdict::Unknown,
    ];

    /// Position in [`Verdict::ALL`], for counters indexed by verdict.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The signal that decided a row's verdict (an open list in the contract;
/// these are the values pcmfa emits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Evidence {
    /// Partner Center answered with error code 900421.
    Error900421,
    /// An Application Insights trace or exception of the call's operation
    /// reports 900421 (cross-record evidence).
    Trace900421,
    /// Entra ID refused the token: AADSTS50076 / AADSTS50079.
    SignInMfaRequired,
    /// Legacy rejection: `MFA required` / error 10001.
    LegacyMfaRequired,
    /// The `isMfaCompliant` response header to a `ValidateMfa: true` request.
    ValidateMfaHeader,
    /// Decoded bearer-token claims.
    TokenClaims,
    /// A row of Partner Center's own `partnerRequests` report.
    PartnerRequestsReport,
    /// A service-principal or managed-identity sign-in (app-only by definition).
    ServicePrincipalSignIn,
    /// A user sign-in's authentication requirement and details.
    SignInLog,
    /// The grant types of the app's token requests for Partner Center
    /// (cross-record evidence about the app, not the call).
    TokenRequest,
    /// A sign-in that failed for a reason other than MFA: no token was issued.
    SignInFailed,
    /// No Authorization header (or no token) in the record.
    NoToken,
    /// A token that is not a JWT (opaque, JWE, garbage): the reason is kept.
    UndecodableToken,
    /// Decoded claims that neither prove App+User nor app-only.
    InconclusiveClaims,
}

macro_rules! as_str_impl {
    ($ty:ty { $($variant:path => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The contract's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($variant => $text),+ }
            }
            /// Parses the contract's spelling back.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($variant),)+ _ => None }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

as_str_impl!(EventKind { EventKind::ApiCall => "api_call", EventKind::SignIn => "sign_in" });
as_str_impl!(AuthMode {
    AuthMode::AppOnly => "app_only",
    AuthMode::AppUser => "app_user",
    AuthMode::Unknown => "unknown",
});
as_str_impl!(MfaClaim {
    MfaClaim::Present => "present",
    MfaClaim::Absent => "absent",
    MfaClaim::NotApplicable => "not_applicable",
    MfaClaim::Unknown => "unknown",
});
as_str_impl!(Verdict {
    Verdict::Broken => "broken",
    Verdict::AtRisk => "at_risk",
    Verdict::Compliant => "compliant",
    Verdict::NotAffected => "not_affected",
    Verdict::Unknown => "unknown",
});
as_str_impl!(Evidence {
    Evidence::Error900421 => "error_900421",
    Evidence::Trace900421 => "trace_900421",
    Evidence::SignInMfaRequired => "sign_in_mfa_required",
    Evidence::LegacyMfaRequired => "legacy_mfa_required",
    Evidence::ValidateMfaHeader => "validate_mfa_header",
    Evidence::TokenClaims => "token_claims",
    Evidence::PartnerRequestsReport => "partner_requests_report",
    Evidence::ServicePrincipalSignIn => "service_principal_sign_in",
    Evidence::SignInLog => "sign_in_log",
    Evidence::TokenRequest => "token_request",
    Evidence::SignInFailed => "sign_in_failed",
    Evidence::NoToken => "no_token",
    Evidence::UndecodableToken => "undecodable_token",
    Evidence::InconclusiveClaims => "inconclusive_claims",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_order_is_severity() {
        let mut v = vec![Verdict::Unknown, Verdict::Compliant, Verdict::Broken];
        v.sort();
        assert_eq!(
            v,
            vec![Verdict::Broken, Verdict::Compliant, Verdict::Unknown]
        );
        assert_eq!(Verdict::parse("at_risk"), Some(Verdict::AtRisk));
        assert_eq!(
            Verdict::ALL[Verdict::NotAffected.index()],
            Verdict::NotAffected
        );
    }
}
