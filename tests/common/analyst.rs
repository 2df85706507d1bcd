//! Reading pcmfa's Parquet the way an analyst's notebook does: with polars.

use std::path::Path;

use polars::prelude::*;

/// calls.parquet as a polars DataFrame.
pub fn read_calls(out: &Path) -> DataFrame {
    read_parquet(&out.join("calls.parquet"))
}

/// Any Parquet file as a polars DataFrame.
pub fn read_parquet(path: &Path) -> DataFrame {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(file)
        .finish()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
