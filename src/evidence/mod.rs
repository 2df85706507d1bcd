//! Cross-record evidence: facts about a Partner Center call that arrive in
//! other records, possibly in other files, in any order.
//!
//! Two sources feed it:
//! - Application Insights traces and exceptions (`AppTraces`,
//!   `AppExceptions`) whose message reports error 900421: the dependency
//!   calls of the same operation id were rejected for MFA. The formats read
//!   such a trace as a broken call; the pipeline turns it into a
//!   [`SideFact::RejectedOperation`] too ([`lift::rejected_operation`]).
//! - Token requests to Entra ID for the Partner Center resource or scope
//!   ([`token_request`]): the grant type says how an app gets its Partner
//!   Center tokens (client credentials = app-only, password = App+User that
//!   cannot do MFA, ...).
//!
//! Workers turn such records into [`SideFact`]s and fold them into their own
//! [`SideEvidence`], merged at the end of the run like the aggregates: every
//! field merges by set union or sums, so any order gives the same state.
//! Calls that such evidence could still change ([`lift::may_improve`]) are
//! held back by the writer ([`held::HeldCalls`]), then judged again with the
//! complete evidence ([`lift::lift`]) before they are written and counted.
//! Token requests are evidence, not Partner Center calls: they count as
//! `other` in the accounting; so does a trace whose 900421 lifted onto its
//! operation's call (an unmatched one stays a broken call of its own).

pub mod compact;
pub mod held;
pub mod lift;
pub mod token_request;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use token_request::{GrantType, TokenRequest};

/// One fact found in a record that is not itself a Partner Center call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideFact {
    /// An Application Insights trace or exception of this operation id
    /// (lower-case) reports Partner Center error 900421.
    RejectedOperation { operation_id: String },
    /// A token request for the Partner Center resource.
    TokenRequest(TokenRequest),
}

/// What one app's token requests for Partner Center showed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppGrants {
    /// Requests per grant type, indexed by [`GrantType::index`].
    pub requests: [u64; GrantType::COUNT],
    /// Requests that Entra ID refused because MFA was required (AADSTS50076 / 50079).
    pub mfa_required: u64,
}

impl AppGrants {
    pub fn count(&self, grant: GrantType) -> u64 {
        self.requests[grant.index()]
    }

    fn add(&mut self, request: &TokenRequest) {
        self.requests[request.grant.index()] += 1;
        if request.mfa_required {
            self.mfa_required += 1;
        }
    }

    fn merge(&mut self, other: &AppGrants) {
        for (mine, theirs) in self.requests.iter_mut().zip(other.requests) {
            *mine += theirs;
        }
        self.mfa_required += other.mfa_required;
    }
}

/// The mergeable state of every side fact of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideEvidence {
    /// Operation ids whose traces or exceptions report 900421.
    pub rejected_operations: BTreeSet<String>,
    /// Trace and exception records that report 900421.
    pub rejection_traces: u64,
    /// Token requests for Partner Center, per requesting app id (lower-case).
    pub token_grants: HashMap<String, AppGrants>,
    /// Token request records for Partner Center.
    pub token_requests: u64,
    /// Fingerprints of the access tokens whose issuing request was logged,
    /// with that request's app id and grant (on a clash, the least wins).
    pub issued_tokens: BTreeMap<String, IssuedToken>,
}

/// Who asked for a token, and how.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IssuedToken {
    pub app_id: String,
    pub grant: GrantType,
}

fn keep_least(map: &mut BTreeMap<String, IssuedToken>, fingerprint: String, issued: IssuedToken) {
    map.entry(fingerprint)
        .and_modify(|kept| {
            if issued < *kept {
                *kept = issued.clone();
            }
        })
        .or_insert(issued);
}

impl SideEvidence {
    pub fn add(&mut self, fact: SideFact) {
        match fact {
            SideFact::RejectedOperation { operation_id } => {
                self.rejection_traces += 1;
                self.rejected_operations.insert(operation_id);
            }
            SideFact::TokenRequest(request) => {
                self.token_requests += 1;
                if let Some(fingerprint) = &request.issued_token {
                    let issued = IssuedToken {
                        app_id: request.app_id.clone(),
                        grant: request.grant,
                    };
                    keep_least(&mut self.issued_tokens, fingerprint.clone(), issued);
                }
                self.token_grants
                    .entry(request.app_id.clone())
                    .or_default()
                    .add(&request);
            }
        }
    }

    /// Folds `other` in. Order-free: unions and sums.
    pub fn merge(&mut self, other: SideEvidence) {
        self.rejected_operations.extend(other.rejected_operations);
        self.rejection_traces += other.rejection_traces;
        for (app, grants) in other.token_grants {
            self.token_grants.entry(app).or_default().merge(&grants);
        }
        self.token_requests += other.token_requests;
        for (fingerprint, issued) in other.issued_tokens {
            keep_least(&mut self.issued_tokens, fingerprint, issued);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rejection_traces == 0 && self.token_requests == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Vec<SideFact> {
        let request = |app: &str, grant, mfa_required| {
            SideFact::TokenRequest(TokenRequest {
                app_id: app.to_string(),
                grant,
                mfa_required,
                issued_token: Some(format!("{app}-{grant:?}")),
            })
        };
        vec![
            SideFact::RejectedOperation {
                operation_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
            },
            request("a", GrantType::Password, false),
            request("b", GrantType::ClientCredentials, false),
            SideFact::RejectedOperation {
                operation_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
            },
            request("a", GrantType::RefreshToken, true),
            SideFact::RejectedOperation {
                operation_id: "00f067aa0ba902b7".into(),
            },
        ]
    }

    /// Any split of the facts, merged in any order, gives one state.
    #[test]
    fn merge_is_order_free() {
        let all = facts();
        let mut sequential = SideEvidence::default();
        for fact in all.clone() {
            sequential.add(fact);
        }
        for split in 0..=all.len() {
            let (left, right) = all.split_at(split);
            let fold = |part: &[SideFact]| {
                let mut state = SideEvidence::default();
                for fact in part {
                    state.add(fact.clone());
                }
                state
            };
            let mut ab = fold(left);
            ab.merge(fold(right));
            let mut ba = fold(right);
            ba.merge(fold(left));
            assert_eq!(ab, sequential, "split {split}");
            assert_eq!(ba, sequential, "split {split}, reversed");
        }
        assert_eq!(sequential.rejection_traces, 3);
        assert_eq!(sequential.rejected_operations.len(), 2);
        assert_eq!(sequential.token_requests, 3);
        let a = sequential.token_grants["a"];
        assert_eq!(a.count(GrantType::Password), 1);
        assert_eq!(a.count(GrantType::RefreshToken), 1);
        assert_eq!(a.mfa_required, 1);
        assert_eq!(sequential.issued_tokens.len(), 3);
    }
}
