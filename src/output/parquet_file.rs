//! A Parquet file written atomically, with the settings every pcmfa Parquet
//! output shares: zstd, dictionary encoding, row groups of at most
//! [`MAX_ROW_GROUP_ROWS`] rows, and no run-dependent metadata (no time, host
//! or path), so identical rows give byte-identical files that weekly jobs
//! can diff or hash.

use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_writer::ArrowRowGroupWriterFactory;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;

use super::atomic::AtomicFile;
use crate::error::Error;

/// Rows per row group: bounds the writer's memory however large the input.
pub(crate) const MAX_ROW_GROUP_ROWS: usize = 131_072;

pub(crate) struct ParquetFile {
    writer: ArrowWriter<AtomicFile>,
    path: PathBuf,
}

impl ParquetFile {
    /// Starts `dir/name`; the columns of `unique` (values that rarely
    /// repeat) skip the dictionary every other column gets.
    pub(crate) fn create(
        dir: &Path,
        name: &str,
        schema: SchemaRef,
        unique: &[UniqueColumn],
    ) -> Result<ParquetFile, Error> {
        let file = AtomicFile::create(dir, name)?;
        let path = file.path().to_path_buf();
        let writer = ArrowWriter::try_new(file, schema, Some(properties(unique)))
            .map_err(|e| parquet_error(&path, e))?;
        Ok(ParquetFile { writer, path })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn write(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        self.writer
            .write(batch)
            .map_err(|e| parquet_error(&self.path, e))
    }

    /// The file writer and a factory of column writers, for writers that
    /// encode row groups themselves (in parallel).
    pub(crate) fn into_parts(
        self,
    ) -> Result<(SerializedFileWriter<AtomicFile>, ArrowRowGroupWriterFactory), Error> {
        let path = self.path;
        self.writer
            .into_serialized_writer()
            .map_err(|e| parquet_error(&path, e))
    }

    /// Writes the footer, then fsyncs and renames the file into place.
    pub(crate) fn commit(self) -> Result<(), Error> {
        let file = self
            .writer
            .into_inner()
            .map_err(|e| parquet_error(&self.path, e))?;
        file.commit()
    }
}

/// A column whose values rarely repeat, and how it is encoded instead of
/// with a dictionary.
pub(crate) struct UniqueColumn {
    pub name: &'static str,
    /// Differences from the previous value (integers that mostly grow:
    /// record numbers, times), else the values as they are.
    pub delta: bool,
}

/// A dictionary of values that never repeat only costs: every value is
/// hashed into it until it outgrows its page and the column falls back to
/// plain encoding anyway.
fn properties(unique: &[UniqueColumn]) -> WriterProperties {
    let builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_dictionary_enabled(true)
        .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS));
    unique
        .iter()
        .fold(builder, |builder, column| {
            let path = ColumnPath::from(column.name);
            let builder = builder.set_column_dictionary_enabled(path.clone(), false);
            if column.delta {
                builder.set_column_encoding(path, Encoding::DELTA_BINARY_PACKED)
            } else {
                builder
            }
        })
        .build()
}

pub(crate) fn parquet_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
