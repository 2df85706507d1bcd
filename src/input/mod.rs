//! Input: find the files to read, undo their compression, and cut their
//! bytes into records.
//!
//! Discovery expands the command line into an ordered list of inputs
//! ([`discover`]); [`open`] recognises gzip and zstd by their magic bytes and
//! hands back plain bytes; [`LineChunker`] (streams),
//! [`read_mapped_range_lines`] and [`read_range_lines`] (ranges of a plain
//! regular file, mapped or read by the workers themselves),
//! [`GroupFramer`] (multi-line records), [`CsvChunker`] and
//! [`json_array::JsonArrayFramer`] frame those bytes into records, in chunks
//! that workers parse in parallel.
//! A record too large or cut short is reported here as a value; a stream that
//! breaks stops that input, not the run.

mod csv_records;
mod decompress;
mod discover;
mod groups;
mod head;
pub mod json_array;
mod lines;
mod mapped;
mod ranges;
#[cfg(test)]
mod test_readers;
mod utf16;

pub use csv_records::{CsvChunk, CsvChunker};
pub use decompress::{open, Compression, Opened};
pub use discover::{discover, Discovery, InputFile, Source};
pub use groups::{split_groups, GroupChunk, GroupFramer};
pub use head::{read_head, replay, Head, HEAD_BYTES};
pub use lines::{LineChunk, LineChunker};
pub use mapped::{
    mapping_faults, read_mapped_range_lines, set_after_mapping_hook, set_memory_mapping,
};
pub use ranges::{read_range_lines, split_ranges, ByteRange, Line, RangeEnd};
pub use utf16::{utf16_bom, Utf16Reader};
