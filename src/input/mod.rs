//! Input: finding files, decompressing, framing records.
pub mod json_array;
