//! Classification: is an observation a Partner Center event, and if so, how
//! does it authenticate and what is its verdict.
//!
//! The rules follow the output contract. The strongest signal decides, in
//! this order: Partner Center's own 900421 rejection (or the legacy `MFA
//! required`), its `isMfaCompliant` answer, the decoded token claims, its
//! `partnerRequests` report; for sign-ins, Entra ID's MFA errors, the
//! service-principal category, then the authentication requirement and
//! details. Without decisive evidence the verdict is `unknown`, never
//! `compliant` or `not_affected`: a false all-clear is the worst error.

pub mod hosts;
pub mod operation;

use std::sync::Arc;

use crate::event::{Call, Observation, SignInFacts};
use crate::formats::MFA_ERROR_CODE;
use crate::token::{Claims, TokenAuth, TokenCache};
use crate::vocab::{AuthMode, EventKind, Evidence, MfaClaim, Verdict};
use hosts::{is_partner_center_host, UrlParts, PARTNER_CENTER_APP_ID};

/// Display names of the Partner Center resource in sign-in logs.
const PARTNER_CENTER_RESOURCE_NAMES: &[&str] = &["Microsoft Partner Center", "Partner Center"];

/// Where a record came from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub source_file: Arc<str>,
    pub source_record: u64,
    pub format: &'static str,
}

/// Verdict and the evidence behind it.
struct Judgement {
    auth_mode: AuthMode,
    mfa_claim: MfaClaim,
    verdict: Verdict,
    evidence: Evidence,
    detail: Option<&'static str>,
}

impl Judgement {
    fn app_user(mfa: bool, evidence: Evidence) -> Judgement {
        Judgement {
            auth_mode: AuthMode::AppUser,
            mfa_claim: if mfa {
                MfaClaim::Present
            } else {
                MfaClaim::Absent
            },
            verdict: if mfa {
                Verdict::Compliant
            } else {
                Verdict::AtRisk
            },
            evidence,
            detail: None,
        }
    }
    fn broken(evidence: Evidence) -> Judgement {
        Judgement {
            verdict: Verdict::Broken,
            ..Judgement::app_user(false, evidence)
        }
    }
    fn app_only(evidence: Evidence) -> Judgement {
        Judgement {
            auth_mode: AuthMode::AppOnly,
            mfa_claim: MfaClaim::NotApplicable,
            verdict: Verdict::NotAffected,
            evidence,
            detail: None,
        }
    }
    fn unknown(evidence: Evidence, detail: Option<&'static str>) -> Judgement {
        Judgement {
            auth_mode: AuthMode::Unknown,
            mfa_claim: MfaClaim::Unknown,
            verdict: Verdict::Unknown,
            evidence,
            detail,
        }
    }
}

/// Classifies one observation; `None` when it is not a Partner Center event.
pub fn classify(obs: Observation, origin: &Origin) -> Option<Call> {
    classify_with(obs, origin, &mut TokenCache::default())
}

/// [`classify`], decoding each distinct token once through `tokens`.
pub fn classify_with(
    mut obs: Observation,
    origin: &Origin,
    tokens: &mut TokenCache,
) -> Option<Call> {
    match obs.sign_in.take() {
        Some(facts) => classify_sign_in(obs, facts, origin),
        None => classify_api_call(obs, origin, tokens),
    }
}

fn classify_sign_in(obs: Observation, facts: SignInFacts, origin: &Origin) -> Option<Call> {
    let for_partner_center = match &facts.resource_id {
        Some(id) => id == PARTNER_CENTER_APP_ID,
        None => facts.resource_name.as_deref().is_some_and(|name| {
            PARTNER_CENTER_RESOURCE_NAMES
                .iter()
                .any(|n| n.eq_ignore_ascii_case(name))
        }),
    };
    if !for_partner_center {
        return None;
    }
    let code = facts.error_code.unwrap_or(0);
    let judgement = if matches!(code, 50076 | 50079) {
        Judgement::broken(Evidence::SignInMfaRequired)
    } else if facts.service_principal {
        Judgement::app_only(Evidence::ServicePrincipalSignIn)
    } else if code != 0 {
        Judgement::unknown(Evidence::SignInFailed, None)
    } else if facts.mfa_satisfied
        || facts
            .authentication_requirement
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("multiFactorAuthentication"))
    {
        Judgement::app_user(true, Evidence::SignInLog)
    } else if facts
        .authentication_requirement
        .as_deref()
        .is_some_and(|r| r.eq_ignore_ascii_case("singleFactorAuthentication"))
    {
        Judgement::app_user(false, Evidence::SignInLog)
    } else {
        Judgement::unknown(Evidence::SignInLog, Some("no_authentication_requirement"))
    };
    let error_code = (code != 0).then(|| format!("AADSTS{code}"));
    Some(build_call(
        obs,
        origin,
        EventKind::SignIn,
        judgement,
        None,
        error_code,
        None,
        None,
    ))
}

fn classify_api_call(
    mut obs: Observation,
    origin: &Origin,
    tokens: &mut TokenCache,
) -> Option<Call> {
    // The URL is split once, in place; only a Partner Center call's host and
    // path are copied out.
    let url = obs.url.as_deref().map(UrlParts::parse).unwrap_or_default();
    // Whether the host is Partner Center's; None without a host. The URL's
    // host is checked as `split_url` normalised it.
    let url_host = match obs.host {
        Some(_) => None,
        None => url.host(),
    };
    let partner_center_host = obs.host.as_deref().or(url_host).map(is_partner_center_host);
    // Another service's call: no need to decode its token.
    if !obs.from_partner_center_report && partner_center_host == Some(false) {
        return None;
    }
    let token = obs.bearer.as_ref().map(|token| tokens.decode(token));
    let claims = token.map(|t| &t.claims);
    let decoded: Option<&Claims> = claims.and_then(|c| c.as_ref().ok());
    let rejected_for_mfa = obs.error_code.as_deref() == Some(MFA_ERROR_CODE);
    // Without a host, a Partner Center token audience or Partner Center's own
    // 900421 error says whose API answered.
    let is_partner_center = obs.from_partner_center_report
        || partner_center_host == Some(true)
        || (partner_center_host.is_none()
            && (rejected_for_mfa || decoded.is_some_and(Claims::is_partner_center_audience)));
    if !is_partner_center {
        return None;
    }
    let path = match url.path {
        Some(path) => Some(path.to_owned()),
        None => obs.path.as_deref().map(|p| {
            UrlParts::parse(p)
                .path
                .unwrap_or_else(|| operation::strip_query(p))
                .to_owned()
        }),
    };
    let host = obs
        .host
        .take()
        .or_else(|| url_host.map(str::to_ascii_lowercase));

    let token_auth = decoded.map(Claims::auth);
    // Partner Center's rejection decides; then an app-only token (the header
    // answer does not make a daemon App+User); then Partner Center's own
    // `isMfaCompliant` answer; then the user token's claims.
    let judgement = if rejected_for_mfa {
        Judgement::broken(Evidence::Error900421)
    } else if obs.legacy_mfa_required {
        Judgement::broken(Evidence::LegacyMfaRequired)
    } else if token_auth == Some(TokenAuth::AppOnly) {
        Judgement::app_only(Evidence::TokenClaims)
    } else if let Some(compliant) = obs.is_mfa_compliant {
        Judgement::app_user(compliant, Evidence::ValidateMfaHeader)
    } else if let Some(auth) = token_auth {
        match auth {
            TokenAuth::AppOnly => Judgement::app_only(Evidence::TokenClaims),
            TokenAuth::AppUser { mfa } => Judgement::app_user(mfa, Evidence::TokenClaims),
            TokenAuth::Inconclusive => Judgement::unknown(Evidence::InconclusiveClaims, None),
        }
    } else if let Some(compliant) = obs.report_mfa_compliant {
        Judgement::app_user(compliant, Evidence::PartnerRequestsReport)
    } else if obs.from_partner_center_report {
        Judgement::unknown(
            Evidence::PartnerRequestsReport,
            Some("no_mfa_compliant_value"),
        )
    } else if let Some(Err(err)) = claims {
        Judgement::unknown(Evidence::UndecodableToken, Some(err.reason()))
    } else {
        Judgement::unknown(Evidence::NoToken, None)
    };

    let fingerprint = token.map(|t| t.fingerprint.clone());
    let error_code = obs.error_code.take();
    Some(build_call(
        obs,
        origin,
        EventKind::ApiCall,
        judgement,
        Some((host, path)),
        error_code,
        decoded,
        fingerprint,
    ))
}

#[allow(clippy::too_many_arguments)]
fn build_call(
    obs: Observation,
    origin: &Origin,
    event: EventKind,
    judgement: Judgement,
    target: Option<(Option<String>, Option<String>)>,
    error_code: Option<String>,
    claims: Option<&Claims>,
    token_fingerprint: Option<Arc<str>>,
) -> Call {
    let (host, path) = target.unwrap_or((None, None));
    let method = obs.method.map(|mut method| {
        method.make_ascii_uppercase();
        method
    });
    let operation = path
        .as_deref()
        .map(|p| operation::operation_template(method.as_deref(), p));
    // The claims a call keeps are shared with the token cache, not copied.
    let app_id = claims
        .and_then(|c| c.app_id.clone())
        .or_else(|| obs.app_id.map(Arc::from));
    let principal = match judgement.auth_mode {
        AuthMode::AppOnly => None,
        _ => claims
            .and_then(|c| {
                c.user.clone().or_else(|| {
                    (judgement.auth_mode == AuthMode::AppUser)
                        .then(|| c.oid.clone())
                        .flatten()
                })
            })
            .or_else(|| obs.principal.map(Arc::from)),
    };
    // The app id, shared, where known (as `integration_key` gives it).
    let integration = match &app_id {
        Some(id) => id.clone(),
        None => integration_key(None, obs.app_name.as_deref(), obs.user_agent.as_deref()).into(),
    };
    Call {
        time: obs.time,
        source_file: origin.source_file.clone(),
        source_record: origin.source_record,
        format: origin.format,
        event,
        host,
        method,
        path,
        operation,
        status: obs.status,
        error_code,
        auth_mode: judgement.auth_mode,
        mfa_claim: judgement.mfa_claim,
        verdict: judgement.verdict,
        evidence: judgement.evidence,
        evidence_detail: judgement.detail,
        app_id,
        app_name: obs.app_name,
        tenant_id: claims
            .and_then(|c| c.tid.clone())
            .or_else(|| obs.tenant_id.map(Arc::from)),
        principal,
        amr: claims.and_then(|c| c.amr.clone()),
        token_fingerprint,
        correlation_id: obs.correlation_id,
        request_id: obs.request_id,
        user_agent: obs.user_agent,
        integration,
    }
}

/// The ranking key: the app id where known, else `name:<app name>`, else
/// `ua:<user agent>`, else `unidentified`.
pub fn integration_key(
    app_id: Option<&str>,
    app_name: Option<&str>,
    user_agent: Option<&str>,
) -> String {
    if let Some(id) = app_id {
        id.to_string()
    } else if let Some(name) = app_name {
        format!("name:{name}")
    } else if let Some(ua) = user_agent {
        format!("ua:{ua}")
    } else {
        "unidentified".to_string()
    }
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
