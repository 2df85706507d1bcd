//! Timestamps as logs write them, to microseconds since the epoch (UTC).
//! (Stub: the full module is being written.)

use crate::event::Micros;

/// Parses a textual timestamp. Returns None when the text is not one.
pub fn parse_timestamp(text: &str) -> Option<Micros> {
    let _ = text;
    todo!()
}

/// Interprets a JSON number as epoch seconds, milliseconds, microseconds or
/// nanoseconds, by magnitude.
pub fn from_epoch_number(value: f64) -> Option<Micros> {
    let _ = value;
    todo!()
}

/// Formats as ISO 8601 UTC with microseconds trimmed when zero: `2026-04-02T08:15:03Z`.
pub fn format_iso(micros: Micros) -> String {
    let _ = micros;
    todo!()
}
