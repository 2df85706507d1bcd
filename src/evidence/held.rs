//! Calls held back until the run's side evidence is complete.
//!
//! The writer receives calls in input order and offers each one here. Calls
//! that evidence from other records could still change ([`may_improve`])
//! are kept, up to a limit, and judged again at the end of the run
//! ([`HeldCalls::resolve`]), in input order. The decision is the writer's
//! alone, in input order, so which calls are held never depends on the
//! thread count. Beyond the limit a call is written as it is, without the
//! lift, and counted (`not_held` in `summary.json`): memory stays bounded.
//! Held calls are packed ([`CompactCall`]).
//!
//! An Application Insights trace or exception read as a broken call
//! ([`rejected_operation`]) is held too: when its 900421 lifts onto a
//! dependency call of the same operation, the trace was evidence about that
//! call, not a second call, and it is dropped from the calls (its record
//! then counts as `other`); otherwise it stays a broken call.

use std::collections::BTreeSet;

use super::compact::CompactCall;
use super::lift::{lift, may_improve, rejected_operation};
use super::SideEvidence;
use crate::event::Call;
use crate::vocab::Evidence;

/// Default limit on held calls: at roughly 400 bytes each (packed), about 200 MiB.
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

/// The calls held back, in input order, each with the index of its input file.
#[derive(Debug)]
pub struct HeldCalls {
    calls: Vec<(usize, CompactCall)>,
    limit: usize,
    not_held: u64,
}

/// What judging the held calls again did.
#[derive(Debug, Default)]
pub struct Resolved {
    pub lifted_by_trace: u64,
    pub lifted_by_token_request: u64,
    /// Input file of each trace whose 900421 lifted onto its operation's
    /// call: not a call, so its record counts as `other`.
    pub traces_as_evidence: Vec<usize>,
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

    /// Holds a copy of `call` (read from input `file`) when evidence may
    /// still change it and the limit allows.
    pub fn offer(&mut self, file: usize, call: &Call) -> Offer {
        if !may_improve(call) {
            Offer::Final
        } else if self.calls.len() < self.limit {
            self.calls.push((file, CompactCall::pack(call)));
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

    /// Judges every held call again with the complete evidence and hands
    /// the calls to write to `emit`, in input order.
    pub fn resolve<E>(
        self,
        side: &SideEvidence,
        mut emit: impl FnMut(&Call) -> Result<(), E>,
    ) -> Result<Resolved, E> {
        let mut resolved = Resolved {
            not_held: self.not_held,
            ..Resolved::default()
        };
        // First, which operations' 900421 lifted onto one of their calls.
        let mut lifted_operations = BTreeSet::new();
        if !side.rejected_operations.is_empty() {
            for (_, held) in &self.calls {
                let mut call = held.unpack();
                if rejected_operation(&call).is_none()
                    && lift(&mut call, side) == Some(Evidence::Trace900421)
                {
                    lifted_operations.extend(call.correlation_id);
                }
            }
        }
        for (file, held) in self.calls {
            let mut call = held.unpack();
            match rejected_operation(&call) {
                Some(operation) if lifted_operations.contains(operation) => {
                    resolved.traces_as_evidence.push(file);
                    continue;
                }
                Some(_) => {}
                None => match lift(&mut call, side) {
                    Some(Evidence::Trace900421) => resolved.lifted_by_trace += 1,
                    Some(_) => resolved.lifted_by_token_request += 1,
                    None => {}
                },
            }
            emit(&call)?;
        }
        Ok(resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::SideFact;
    use crate::output::test_support::broken_call;
    use crate::vocab::{AuthMode, MfaClaim, Verdict};

    fn resolve(held: HeldCalls, side: &SideEvidence) -> (Vec<Call>, Resolved) {
        let mut calls = Vec::new();
        let resolved = held
            .resolve(side, |call| {
                calls.push(call.clone());
                Ok::<(), ()>(())
            })
            .expect("emit never fails");
        (calls, resolved)
    }

    fn dependency(record: u64, operation: &str) -> Call {
        Call {
            source_record: record,
            format: "appinsights_dependencies_csv",
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

    fn trace(record: u64, operation: &str) -> Call {
        Call {
            source_record: record,
            format: "appinsights_traces_csv",
            correlation_id: Some(operation.into()),
            ..broken_call()
        }
    }

    #[test]
    fn holds_up_to_the_limit_and_lifts_in_input_order() {
        let mut held = HeldCalls::new(3);
        assert_eq!(held.offer(0, &broken_call()), Offer::Final);
        assert_eq!(held.offer(0, &dependency(1, "op-a")), Offer::Held);
        assert_eq!(held.offer(0, &dependency(2, "op-b")), Offer::Held);
        assert_eq!(held.offer(1, &trace(1, "op-a")), Offer::Held);
        assert_eq!(held.offer(1, &trace(2, "op-c")), Offer::OverLimit);
        assert_eq!(held.len(), 3);
        let mut side = SideEvidence::default();
        side.add(SideFact::RejectedOperation {
            operation_id: "op-a".into(),
        });
        let (calls, resolved) = resolve(held, &side);
        // The trace of op-a lifted onto its dependency: evidence, not a call.
        let records: Vec<(&str, u64)> = calls.iter().map(|c| (c.format, c.source_record)).collect();
        assert_eq!(
            records,
            [
                ("appinsights_dependencies_csv", 1),
                ("appinsights_dependencies_csv", 2)
            ]
        );
        assert_eq!(calls[0].verdict, Verdict::Broken);
        assert_eq!(calls[0].evidence, Evidence::Trace900421);
        assert_eq!(calls[1].verdict, Verdict::Unknown);
        assert_eq!(resolved.traces_as_evidence, [1]);
        assert_eq!(
            (
                resolved.lifted_by_trace,
                resolved.lifted_by_token_request,
                resolved.not_held
            ),
            (1, 0, 1)
        );
    }

    /// Without its operation's dependency call, a 900421 trace stays a broken call.
    #[test]
    fn an_unmatched_trace_stays_a_broken_call() {
        let mut held = HeldCalls::new(10);
        assert_eq!(held.offer(0, &trace(7, "op-z")), Offer::Held);
        let mut side = SideEvidence::default();
        side.add(SideFact::RejectedOperation {
            operation_id: "op-z".into(),
        });
        let (calls, resolved) = resolve(held, &side);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].verdict, Verdict::Broken);
        assert_eq!(calls[0].evidence, Evidence::Error900421);
        assert!(resolved.traces_as_evidence.is_empty());
    }
}
