//! Judging a call again with the evidence other records gave.
//!
//! Two lifts, stronger first:
//! - `trace_900421`: an Application Insights trace or exception of the
//!   operation id of an Application Insights dependency call reports
//!   900421, and the call failed with 401 (or, with no status logged, was
//!   `unknown`): `broken`, App+User. It ranks
//!   with `error_900421` above every other signal, so it applies to any such
//!   call not already `broken`. The formats read such a trace as a broken
//!   call of its own ([`rejected_operation`]), the only evidence when the
//!   operation's dependency call is not among the inputs; once its 900421
//!   has lifted onto that call, the trace is evidence, not a second call
//!   (see [`super::held`]).
//! - `token_request`: the call is `unknown` and a token request tells how
//!   its token was obtained. When the request that issued the call's very
//!   token was logged (same `token_fingerprint`, e.g. an opaque or
//!   encrypted token), that request's grant decides and its client id
//!   becomes the call's `app_id` (and integration) if it had none.
//!   Otherwise the app's token requests for Partner Center decide; this is
//!   evidence about the app, not about the call, so it never overrides the
//!   call's own token, header or report: only `unknown` calls take it. With
//!   several grant types the worst decides, so a mix never reads as app-only:
//!   1. a request refused with AADSTS50076 / 50079 -> `broken`;
//!   2. any `password` grant -> `at_risk` (App+User, cannot do MFA);
//!   3. any App+User grant that may carry MFA (`refresh_token`,
//!      `authorization_code`, device code, on-behalf-of) -> still `unknown`,
//!      App+User (`evidence_detail = mfa_not_shown`), or auth mode unknown
//!      when client credentials were seen too (`mixed_grants`);
//!   4. only `client_credentials` -> `not_affected`, app-only.

use std::sync::Arc;

use super::{AppGrants, GrantType, IssuedToken, SideEvidence};
use crate::event::Call;
use crate::formats::MFA_ERROR_CODE;
use crate::vocab::{AuthMode, EventKind, Evidence, MfaClaim, Verdict};

/// Format labels (prefixes) of Application Insights trace and exception records.
const TRACE_FORMATS: &[&str] = &["appinsights_traces", "appinsights_exceptions"];
/// Format label (prefix) of Application Insights dependency records: the
/// calls whose operation id a trace names.
const DEPENDENCY_FORMAT: &str = "appinsights_dependencies";

/// The operation id (lower-case) an Application Insights trace or exception,
/// read as a broken call, reports 900421 for.
pub fn rejected_operation(call: &Call) -> Option<&str> {
    let from_trace = TRACE_FORMATS.iter().any(|t| call.format.starts_with(t));
    (call.event == EventKind::ApiCall && from_trace && call.evidence == Evidence::Error900421)
        .then_some(call.correlation_id.as_deref())
        .flatten()
}

/// True when an operation's 900421 trace may still make this call `broken`.
fn may_take_trace(call: &Call) -> bool {
    call.format.starts_with(DEPENDENCY_FORMAT)
        && call.correlation_id.is_some()
        && call.verdict != Verdict::Broken
        && (call.status == Some(401) || (call.status.is_none() && call.verdict == Verdict::Unknown))
}

/// True when its app's token requests may still decide this call.
fn may_take_token_request(call: &Call) -> bool {
    call.verdict == Verdict::Unknown && (call.app_id.is_some() || call.token_fingerprint.is_some())
}

/// True when evidence from other records could still change this call.
/// Also true for a trace read as a call, which the evidence may consume.
pub fn may_improve(call: &Call) -> bool {
    call.event == EventKind::ApiCall
        && (may_take_trace(call)
            || may_take_token_request(call)
            || rejected_operation(call).is_some())
}

/// Applies the side evidence to `call`; returns the evidence that changed
/// it, if any.
pub fn lift(call: &mut Call, side: &SideEvidence) -> Option<Evidence> {
    if call.event != EventKind::ApiCall {
        return None;
    }
    if may_take_trace(call)
        && call
            .correlation_id
            .as_ref()
            .is_some_and(|op| side.rejected_operations.contains(op))
    {
        set(
            call,
            AuthMode::AppUser,
            MfaClaim::Absent,
            Verdict::Broken,
            Evidence::Trace900421,
            None,
        );
        call.error_code.get_or_insert_with(|| MFA_ERROR_CODE.into());
        return Some(Evidence::Trace900421);
    }
    if !may_take_token_request(call) {
        return None;
    }
    let issued = call
        .token_fingerprint
        .as_deref()
        .and_then(|f| side.issued_tokens.get(f));
    let judgement = match issued {
        Some(IssuedToken { app_id, grant }) => {
            if call.app_id.is_none() {
                let app_id: Arc<str> = Arc::from(app_id.as_str());
                call.app_id = Some(app_id.clone());
                call.integration = app_id;
            }
            let mut one = AppGrants::default();
            one.requests[grant.index()] = 1;
            judge_grants(&one)
        }
        None => call
            .app_id
            .as_deref()
            .and_then(|app| side.token_grants.get(app))
            .and_then(judge_grants),
    };
    let (auth, mfa, verdict, detail) = judgement?;
    set(call, auth, mfa, verdict, Evidence::TokenRequest, detail);
    Some(Evidence::TokenRequest)
}

/// What an app's token requests say about its calls (see the module docs).
fn judge_grants(grants: &AppGrants) -> Option<(AuthMode, MfaClaim, Verdict, Option<&'static str>)> {
    let user_grants = [
        GrantType::RefreshToken,
        GrantType::AuthorizationCode,
        GrantType::DeviceCode,
        GrantType::OnBehalfOf,
    ]
    .iter()
    .map(|g| grants.count(*g))
    .sum::<u64>();
    let app_only = grants.count(GrantType::ClientCredentials) > 0;
    Some(if grants.mfa_required > 0 {
        (AuthMode::AppUser, MfaClaim::Absent, Verdict::Broken, None)
    } else if grants.count(GrantType::Password) > 0 {
        (AuthMode::AppUser, MfaClaim::Absent, Verdict::AtRisk, None)
    } else if user_grants > 0 && app_only {
        (
            AuthMode::Unknown,
            MfaClaim::Unknown,
            Verdict::Unknown,
            Some("mixed_grants"),
        )
    } else if user_grants > 0 {
        (
            AuthMode::AppUser,
            MfaClaim::Unknown,
            Verdict::Unknown,
            Some("mfa_not_shown"),
        )
    } else if app_only {
        (
            AuthMode::AppOnly,
            MfaClaim::NotApplicable,
            Verdict::NotAffected,
            None,
        )
    } else {
        return None;
    })
}

fn set(
    call: &mut Call,
    auth: AuthMode,
    mfa: MfaClaim,
    verdict: Verdict,
    evidence: Evidence,
    detail: Option<&'static str>,
) {
    call.auth_mode = auth;
    call.mfa_claim = mfa;
    call.verdict = verdict;
    call.evidence = evidence;
    call.evidence_detail = detail;
    if auth == AuthMode::AppOnly {
        call.principal = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{SideFact, TokenRequest};
    use std::sync::Arc;

    const APP: &str = "1b730954-1685-4b74-9bfd-dac224a7b894";
    const OP: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    /// An App Insights dependency call: no token, operation id kept as the correlation id.
    fn dependency(status: Option<u16>) -> Call {
        Call {
            time: None,
            source_file: Arc::from("AppDependencies.json"),
            source_record: 1,
            format: "appinsights_dependencies_json_array",
            event: EventKind::ApiCall,
            host: Some("api.partnercenter.microsoft.com".into()),
            method: Some("GET".into()),
            path: Some("/v1/customers".into()),
            operation: Some("GET /v1/customers".into()),
            status,
            error_code: None,
            auth_mode: AuthMode::Unknown,
            mfa_claim: MfaClaim::Unknown,
            verdict: Verdict::Unknown,
            evidence: Evidence::NoToken,
            evidence_detail: None,
            app_id: None,
            app_name: None,
            tenant_id: None,
            principal: None,
            amr: None,
            token_fingerprint: None,
            correlation_id: Some(OP.into()),
            request_id: None,
            user_agent: None,
            integration: "unidentified".into(),
        }
    }

    fn side(facts: Vec<SideFact>) -> SideEvidence {
        let mut side = SideEvidence::default();
        for fact in facts {
            side.add(fact);
        }
        side
    }

    fn grants(list: &[(GrantType, bool)]) -> SideEvidence {
        side(
            list.iter()
                .map(|(grant, mfa_required)| {
                    SideFact::TokenRequest(TokenRequest {
                        app_id: APP.into(),
                        grant: *grant,
                        mfa_required: *mfa_required,
                        issued_token: None,
                    })
                })
                .collect(),
        )
    }

    #[test]
    fn a_900421_trace_breaks_the_failed_calls_of_its_operation() {
        let traces = side(vec![SideFact::RejectedOperation {
            operation_id: OP.into(),
        }]);
        let mut failed = dependency(Some(401));
        assert!(may_improve(&failed));
        assert_eq!(lift(&mut failed, &traces), Some(Evidence::Trace900421));
        assert_eq!(
            (failed.verdict, failed.auth_mode, failed.mfa_claim),
            (Verdict::Broken, AuthMode::AppUser, MfaClaim::Absent)
        );
        assert_eq!(failed.error_code.as_deref(), Some("900421"));

        // A success in the same operation was not the rejected call.
        let mut ok = dependency(Some(200));
        assert!(!may_improve(&ok));
        assert_eq!(lift(&mut ok, &traces), None);
        assert_eq!(ok.verdict, Verdict::Unknown);

        // A gateway call's correlation id is not an App Insights operation.
        let mut gateway = dependency(Some(401));
        gateway.format = "gateway_json_lines";
        assert_eq!(lift(&mut gateway, &traces), None);

        // Another operation's trace says nothing about this call.
        let mut other = dependency(Some(401));
        other.correlation_id = Some("0af7651916cd43dd8448eb211c80319c".into());
        assert_eq!(lift(&mut other, &traces), None);

        // 900421 outranks a token's own claims.
        let mut at_risk = dependency(Some(401));
        at_risk.verdict = Verdict::AtRisk;
        at_risk.evidence = Evidence::TokenClaims;
        assert_eq!(lift(&mut at_risk, &traces), Some(Evidence::Trace900421));
        assert_eq!(at_risk.verdict, Verdict::Broken);
    }

    #[test]
    fn token_requests_decide_only_unknown_calls_of_their_app() {
        // (grants seen, mfa refused) -> verdict, auth mode, detail.
        type Case<'a> = (&'a [(GrantType, bool)], Verdict, AuthMode, Option<&'a str>);
        let cases: &[Case] = &[
            (
                &[(GrantType::ClientCredentials, false)],
                Verdict::NotAffected,
                AuthMode::AppOnly,
                None,
            ),
            (
                &[(GrantType::Password, false)],
                Verdict::AtRisk,
                AuthMode::AppUser,
                None,
            ),
            (
                &[(GrantType::RefreshToken, false)],
                Verdict::Unknown,
                AuthMode::AppUser,
                Some("mfa_not_shown"),
            ),
            (
                &[(GrantType::AuthorizationCode, false)],
                Verdict::Unknown,
                AuthMode::AppUser,
                Some("mfa_not_shown"),
            ),
            // A mix never reads as app-only.
            (
                &[
                    (GrantType::ClientCredentials, false),
                    (GrantType::RefreshToken, false),
                ],
                Verdict::Unknown,
                AuthMode::Unknown,
                Some("mixed_grants"),
            ),
            (
                &[
                    (GrantType::ClientCredentials, false),
                    (GrantType::Password, false),
                ],
                Verdict::AtRisk,
                AuthMode::AppUser,
                None,
            ),
            (
                &[
                    (GrantType::Password, false),
                    (GrantType::RefreshToken, true),
                ],
                Verdict::Broken,
                AuthMode::AppUser,
                None,
            ),
        ];
        for (list, verdict, auth, detail) in cases {
            let mut call = dependency(Some(200));
            call.correlation_id = None;
            call.app_id = Some(APP.into());
            assert!(may_improve(&call));
            assert_eq!(
                lift(&mut call, &grants(list)),
                Some(Evidence::TokenRequest),
                "{list:?}"
            );
            assert_eq!(
                (call.verdict, call.auth_mode, call.evidence_detail),
                (*verdict, *auth, *detail),
                "{list:?}"
            );
        }
        // The call's own token decides when it can.
        let mut decided = dependency(Some(200));
        decided.app_id = Some(APP.into());
        decided.verdict = Verdict::Compliant;
        decided.evidence = Evidence::TokenClaims;
        assert!(!may_improve(&decided));
        assert_eq!(
            lift(&mut decided, &grants(&[(GrantType::Password, false)])),
            None
        );
        // Another app's requests say nothing.
        let mut stranger = dependency(Some(200));
        stranger.app_id = Some("61a655f9-7aaf-4657-8a95-92424a32df6d".into());
        assert_eq!(
            lift(&mut stranger, &grants(&[(GrantType::Password, false)])),
            None
        );
        assert_eq!(stranger.verdict, Verdict::Unknown);
    }

    /// Only an Application Insights trace or exception read as a 900421
    /// call names a rejected operation.
    #[test]
    fn rejected_operations_come_from_traces_only() {
        let mut trace = dependency(None);
        trace.format = "appinsights_exceptions_json_array";
        trace.verdict = Verdict::Broken;
        trace.evidence = Evidence::Error900421;
        assert_eq!(rejected_operation(&trace), Some(OP));
        assert!(may_improve(&trace));
        let mut gateway = trace.clone();
        gateway.format = "gateway_json_lines";
        assert_eq!(rejected_operation(&gateway), None);
        let mut legacy = trace.clone();
        legacy.evidence = Evidence::LegacyMfaRequired;
        assert_eq!(rejected_operation(&legacy), None);
        let mut no_operation = trace;
        no_operation.correlation_id = None;
        assert_eq!(rejected_operation(&no_operation), None);
    }

    /// A call whose undecodable token was issued by a logged request takes
    /// that request's grant and client id, whatever else the app does.
    #[test]
    fn the_request_that_issued_the_token_decides() {
        let mut evidence = grants(&[(GrantType::Password, false)]);
        evidence.add(SideFact::TokenRequest(TokenRequest {
            app_id: APP.into(),
            grant: GrantType::ClientCredentials,
            mfa_required: false,
            issued_token: Some("0123456789abcdef".into()),
        }));
        let mut call = dependency(Some(200));
        call.correlation_id = None;
        call.evidence = Evidence::UndecodableToken;
        call.evidence_detail = Some("jwe_token");
        call.token_fingerprint = Some("0123456789abcdef".into());
        call.user_agent = Some("Fabrikam/1.0".into());
        call.integration = "ua:Fabrikam/1.0".into();
        assert!(may_improve(&call));
        assert_eq!(lift(&mut call, &evidence), Some(Evidence::TokenRequest));
        assert_eq!(call.verdict, Verdict::NotAffected);
        assert_eq!(call.evidence_detail, None);
        assert_eq!(call.app_id.as_deref(), Some(APP));
        assert_eq!(&*call.integration, APP);

        // Another token of no app: nothing to say.
        let mut stranger = dependency(Some(200));
        stranger.correlation_id = None;
        stranger.token_fingerprint = Some("fedcba9876543210".into());
        assert_eq!(lift(&mut stranger, &evidence), None);
        assert_eq!(&*stranger.integration, "unidentified");
    }
}
