//! A CSV file written atomically, with every text cell made spreadsheet-safe.
//!
//! Cells are typed ([`Cell`]) so that only text goes through
//! [`neutralise`](super::csv_safe::neutralise): a count is never prefixed.
//! Quoting follows RFC 4180 (fields holding `,`, `"`, CR or LF are quoted);
//! lines end with `\n`; the file is UTF-8 and starts with a byte-order mark so
//! that Excel opens it as UTF-8 (pandas, polars, DuckDB and the csv crate skip it).

use std::io;
use std::path::{Path, PathBuf};

use super::atomic::AtomicFile;
use super::csv_safe::neutralise;
use crate::error::Error;

/// Tells Excel the file is UTF-8.
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One CSV cell.
pub(crate) enum Cell<'a> {
    Text(&'a str),
    /// Absent value: an empty cell.
    Null,
    Count(u64),
    /// A signed integer (a change: `-12`), never taken for a formula.
    Signed(i64),
    /// A decimal written with one digit after the point (`-12.5`).
    Decimal1(f64),
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(text: Option<&'a str>) -> Cell<'a> {
        text.map_or(Cell::Null, Cell::Text)
    }
}

pub(crate) struct CsvFile {
    writer: csv::Writer<AtomicFile>,
    path: PathBuf,
}

impl CsvFile {
    /// Creates `dir/name` (under a temp name) and writes the header row.
    pub(crate) fn create(dir: &Path, name: &str, header: &[&str]) -> Result<CsvFile, Error> {
        let mut file = AtomicFile::create(dir, name)?;
        let path = file.path().to_path_buf();
        io::Write::write_all(&mut file, UTF8_BOM).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(file);
        let mut csv = CsvFile { writer, path };
        let header: Vec<Cell> = header.iter().map(|h| Cell::Text(h)).collect();
        csv.row(&header)?;
        Ok(csv)
    }

    /// Writes one record.
    pub(crate) fn row(&mut self, cells: &[Cell]) -> Result<(), Error> {
        for cell in cells {
            let written = match cell {
                Cell::Text(text) => self.writer.write_field(neutralise(text).as_bytes()),
                Cell::Null => self.writer.write_field(b""),
                Cell::Count(n) => self.writer.write_field(n.to_string()),
                Cell::Signed(n) => self.writer.write_field(n.to_string()),
                Cell::Decimal1(x) => self.writer.write_field(format!("{x:.1}")),
            };
            written.map_err(|e| self.error(e))?;
        }
        // An empty record ends the current one.
        self.writer
            .write_record(None::<&[u8]>)
            .map_err(|e| self.error(e))
    }

    /// Flushes and renames the file into place.
    pub(crate) fn commit(self) -> Result<(), Error> {
        let path = self.path;
        let file = self.writer.into_inner().map_err(|e| Error::Write {
            path,
            source: io::Error::new(e.error().kind(), e.error().to_string()),
        })?;
        file.commit()
    }

    fn error(&self, e: csv::Error) -> Error {
        let source = match e.into_kind() {
            csv::ErrorKind::Io(source) => source,
            other => io::Error::other(format!("{other:?}")),
        };
        Error::Write {
            path: self.path.clone(),
            source,
        }
    }
}
