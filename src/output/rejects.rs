//! `rejects.csv`: `source_file, source_record, reason` for every record that
//! could not be read, streamed row by row. Never the record's raw text (it
//! may hold a token). The header is written even when nothing was rejected,
//! so a reader always finds the columns.

use std::path::Path;

use super::csv_file::{Cell, CsvFile};
use crate::error::Error;
use crate::event::Reject;

pub const REJECTS_CSV: &str = "rejects.csv";

/// Streams `rejects.csv`. Dropping it without [`finish`](Self::finish)
/// leaves no `rejects.csv` behind.
pub struct RejectsCsvWriter {
    csv: CsvFile,
    rows: u64,
}

impl RejectsCsvWriter {
    /// Starts `dir/rejects.csv` (under a temporary name). `dir` must exist.
    pub fn create(dir: &Path) -> Result<RejectsCsvWriter, Error> {
        let header = ["source_file", "source_record", "reason"];
        Ok(RejectsCsvWriter {
            csv: CsvFile::create(dir, REJECTS_CSV, &header)?,
            rows: 0,
        })
    }

    pub fn write(&mut self, reject: &Reject) -> Result<(), Error> {
        self.csv.row(&[
            Cell::Text(&reject.source_file),
            Cell::Count(reject.source_record),
            Cell::Text(reject.reason.as_str()),
        ])?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes and renames into place. Returns the rows written.
    pub fn finish(self) -> Result<u64, Error> {
        self.csv.commit()?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::Arc;

    use super::*;
    use crate::event::RejectReason;
    use crate::output::test_support::file_names;

    fn reject(file: &str, record: u64, reason: RejectReason) -> Reject {
        Reject {
            source_file: Arc::from(file),
            source_record: record,
            reason,
        }
    }

    #[test]
    fn rows_are_streamed_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RejectsCsvWriter::create(dir.path()).unwrap();
        w.write(&reject("logs/app.jsonl", 7, RejectReason::InvalidJson))
            .unwrap();
        w.write(&reject("logs/a,b.har", 2, RejectReason::Truncated))
            .unwrap();
        w.write(&reject("=cmd|' /C calc'!A0", 1, RejectReason::InvalidUtf8))
            .unwrap();
        assert_eq!(w.finish().unwrap(), 3);
        assert_eq!(
            fs::read_to_string(dir.path().join(REJECTS_CSV))
                .unwrap()
                .replacen('\u{feff}', "", 1),
            "source_file,source_record,reason\n\
             logs/app.jsonl,7,invalid_json\n\
             \"logs/a,b.har\",2,truncated\n\
             '=cmd|' /C calc'!A0,1,invalid_utf8\n"
        );
        assert_eq!(file_names(dir.path()), vec![REJECTS_CSV]);
    }

    #[test]
    fn empty_run_still_has_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let w = RejectsCsvWriter::create(dir.path()).unwrap();
        assert_eq!(w.finish().unwrap(), 0);
        assert_eq!(
            fs::read_to_string(dir.path().join(REJECTS_CSV))
                .unwrap()
                .replacen('\u{feff}', "", 1),
            "source_file,source_record,reason\n"
        );
    }

    #[test]
    fn dropped_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RejectsCsvWriter::create(dir.path()).unwrap();
        w.write(&reject("a.log", 1, RejectReason::TooLarge))
            .unwrap();
        drop(w);
        assert!(file_names(dir.path()).is_empty());
    }
}
