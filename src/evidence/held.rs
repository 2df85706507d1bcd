//! Calls held back until the run's side evidence is complete.
//!
//! The writer receives calls in input order and offers each one here. Calls
//! that evidence from other records could still change ([`may_improve`])
//! are kept, up to a limit, and judged again at the end of the run
//! ([`HeldCalls::resolve`]), in input order. The decision is the writer's
//! alone, in input order, so which calls are held never depends on the
//! thread count. Beyond the limit a call is written as it is, without the
//! lift, and counted (`not_held` in `summary.json`): memory stays bounded.

use super::lift::{lift, may_improve};
use super::SideEvidence;
use crate::event::Call;
use crate::vocab::Evidence;

/// Default limit on held calls: at roughly 0.5 KiB each, about 250 MiB.
pub const DEFAULT_MAX_HELD_CALLS: usize = 500_000;

/// What [`HeldCalls::offer`] did with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Evidence cannot change it: write it now.
    Final,
    /// Held for the end of the run.
    Held,
    /// It could change, but the limit is reached: write it now, as it is.
    OverLimit,
}

/// The calls held back, in input order.
#[derive(Debug)]
pub struct HeldCalls {
    calls: Vec<Call>,
    limit: usize,
    not_held: u64,
}

/// The held calls judged again.
#[derive(Debug, Default)]
pub struct Resolved {
    /// In input order.
    pub calls: Vec<Call>,
    pub lifted_by_trace: u64,
    pub lifted_by_token_request: u64,
    /// Calls that could have been lifted but were written before the end
    /// because the limit was reached.
    pub not_held: u64,
}

impl HeldCalls {
    pub fn new(limit: usize) -> HeldCalls {
        HeldCalls {
            calls: Vec::new(),
            limit,
            not_held: 0,
        }
    }

    /// Holds a copy of `call` when evidence may still change it and the
    /// limit allows.
    pub fn offer(&mut self, call: &Call) -> Offer {
        if !may_improve(call) {
            Offer::Final
        } else if self.calls.len() < self.limit {
            self.calls.push(call.clone());
            Offer::Held
        } else {
            self.not_held += 1;
            Offer::OverLimit
        }
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Judges every held call again with the complete evidence.
    pub fn resolve(self, side: &SideEvidence) -> Resolved {
        let mut resolved = Resolved {
            not_held: self.not_held,
            ..Resolved::default()
        };
        resolved.calls = self.calls;
        for call in &mut resolved.calls {
            match lift(call, side) {
                Some(Evidence::Trace900421) => resolved.lifted_by_trace += 1,
                Some(_) => resolved.lifted_by_token_request += 1,
                None => {}
            }
        }
        resolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::SideFact;
    use crate::output::test_support::broken_call;
    use crate::vocab::{AuthMode, MfaClaim, Verdict};

    fn unknown_call(record: u64, operation: &str) -> Call {
        Call {
            source_record: record,
            status: Some(401),
            error_code: None,
            auth_mode: AuthMode::Unknown,
            mfa_claim: MfaClaim::Unknown,
            verdict: Verdict::Unknown,
            evidence: Evidence::NoToken,
            app_id: None,
            correlation_id: Some(operation.into()),
            ..broken_call()
        }
    }

    #[test]
    fn holds_up_to_the_limit_and_lifts_in_input_order() {
        let mut held = HeldCalls::new(2);
        assert_eq!(held.offer(&broken_call()), Offer::Final);
        assert_eq!(held.offer(&unknown_call(1, "op-a")), Offer::Held);
        assert_eq!(held.offer(&unknown_call(2, "op-b")), Offer::Held);
        assert_eq!(held.offer(&unknown_call(3, "op-a")), Offer::OverLimit);
        assert_eq!(held.len(), 2);
        let mut side = SideEvidence::default();
        side.add(SideFact::RejectedOperation {
            operation_id: "op-a".into(),
        });
        let resolved = held.resolve(&side);
        let records: Vec<u64> = resolved.calls.iter().map(|c| c.source_record).collect();
        assert_eq!(records, [1, 2]);
        assert_eq!(resolved.calls[0].verdict, Verdict::Broken);
        assert_eq!(resolved.calls[1].verdict, Verdict::Unknown);
        assert_eq!(
            (
                resolved.lifted_by_trace,
                resolved.lifted_by_token_request,
                resolved.not_held
            ),
            (1, 0, 1)
        );
    }
}
