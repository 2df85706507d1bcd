//! pcmfa finds the Partner Center integrations that MFA enforcement breaks.
//!
//! Since 1 April 2026 Partner Center rejects App+User calls whose token lacks
//! the MFA claim with HTTP 401 and error code 900421. pcmfa reads exported
//! logs, finds every Partner Center event, decodes bearer-token claims
//! (never verifying or storing the token), classifies each event and ranks
//! the integrations behind them, worst first.
//!
//! The stages, each a module:
//! [`input`] (discovery, decompression, framing) ->
//! [`formats`] (one parser per log source, each producing an [`event::Observation`]) ->
//! [`token`] (claims) -> [`classify`] (verdict and evidence) ->
//! [`aggregate`] (mergeable per-integration state) -> [`output`] (one writer
//! per contract file; [`report`] renders the HTML and Markdown reports).
//! [`pipeline`] wires them together in parallel; [`sniff`] shows how the
//! first records of a file are read, for a person. [`diff`] compares two
//! earlier runs' outputs.
//!
//! Beyond one run: [`shard`] splits a manifest of inputs across N scans,
//! and [`rollup`] reads the calls that runs and shards wrote back into the
//! same aggregates (`pcmfa report`).

pub mod aggregate;
pub mod classify;
pub mod diff;
pub mod error;
pub mod event;
pub mod evidence;
pub mod formats;
pub mod input;
pub mod output;
pub mod pipeline;
pub mod prefilter;
pub mod redact;
pub mod report;
pub mod rollup;
pub mod shard;
pub mod sniff;
pub mod token;
pub mod vocab;

pub use error::Error;
