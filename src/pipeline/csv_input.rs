//! Reading a CSV input: its header row first, then chunks of rows handed to
//! the pool with the header shared.

use std::io::Read;
use std::sync::Arc;

use super::{Message, Reader, Work};
use crate::formats::csv_record::CsvHeader;
use crate::formats::Format;
use crate::input::CsvChunker;

impl Reader<'_> {
    /// Reads one CSV input; false when the writer has stopped.
    pub(super) fn read_csv(
        &mut self,
        file: usize,
        source: &Arc<str>,
        format: Format,
        stream: Box<dyn Read + Send>,
        delimiter: u8,
        report_bytes: &mut dyn FnMut(&mut Self),
    ) -> bool {
        let mut chunker = CsvChunker::new(
            stream,
            delimiter,
            self.config.chunk_bytes,
            self.config.max_record_bytes,
        );
        let mut header: Option<Arc<CsvHeader>> = None;
        let mut cut_short = false;
        while let Some(next) = chunker.next_chunk() {
            report_bytes(self);
            let mut chunk = match next {
                Ok(chunk) => chunk,
                Err(err) => {
                    return self.send(Message::Failed {
                        file,
                        reason: super::describe_read_error(&err),
                    })
                }
            };
            let header = match &header {
                Some(header) => header.clone(),
                None => {
                    // Record 0 is the header row.
                    let first = match chunk.records.first() {
                        Some((0, range)) => range.clone(),
                        _ => None,
                    };
                    let parsed = first
                        .and_then(|r| chunk.data.get(r))
                        .and_then(|bytes| CsvHeader::parse(bytes, delimiter, format.records));
                    let Some(parsed) = parsed else {
                        return self.send(Message::Skipped {
                            file,
                            reason: "CSV without a readable header row".into(),
                        });
                    };
                    chunk.records.remove(0);
                    header.insert(Arc::new(parsed)).clone()
                }
            };
            cut_short |= chunk.cut_short.is_some();
            if (!chunk.records.is_empty() || chunk.cut_short.is_some())
                && !self.dispatch(file, source, format, Work::Csv(chunk, header))
            {
                return false;
            }
        }
        // A read error was reported above; otherwise a quote was never closed.
        !cut_short
            || self.send(Message::Failed {
                file,
                reason: "CSV ends inside a quoted cell (truncated)".into(),
            })
    }
}
