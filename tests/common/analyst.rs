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

/// Every string value of every column (lists flattened) of a Parquet file.
pub fn string_cells(path: &Path) -> Vec<String> {
    let df = read_parquet(path);
    let mut values = Vec::new();
    for column in df.columns() {
        let series = column.as_materialized_series();
        let series = match series.dtype() {
            DataType::List(_) => series
                .explode(ExplodeOptions {
                    empty_as_null: true,
                    keep_nulls: true,
                })
                .expect("explode"),
            _ => series.clone(),
        };
        if let Ok(strings) = series.str() {
            values.extend(strings.iter().flatten().map(str::to_string));
        }
    }
    values
}
