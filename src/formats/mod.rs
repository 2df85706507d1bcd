//! Formats: one parser per log source.
pub mod timestamp;
