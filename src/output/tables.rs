//! The small roll-up tables: `integrations.csv` + `integrations.parquet`,
//! `operations.csv` and `daily.csv`.
//!
//! Each is written whole from rows the aggregate stage has already ranked.
//! CSV times are ISO 8601 UTC with milliseconds, absent values are empty
//! cells, and `top_operations` is joined with `"; "`. The integrations
//! Parquet file holds the same rows with typed columns (UTC timestamps,
//! unsigned counts) for notebooks.

use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray, TimestampMicrosecondArray, UInt32Array, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;

use super::csv_file::{Cell, CsvFile};
use super::parquet_file::{parquet_error, ParquetFile};
use crate::aggregate::{DailyRow, IntegrationRow, OperationRow, VerdictCounts};
use crate::error::Error;
use crate::event::Micros;
use crate::formats::timestamp::{format_date, format_iso};
use crate::report::Catalog;
use crate::vocab::Verdict;

pub const INTEGRATIONS_CSV: &str = "integrations.csv";
pub const INTEGRATIONS_PARQUET: &str = "integrations.parquet";
pub const OPERATIONS_CSV: &str = "operations.csv";
pub const DAILY_CSV: &str = "daily.csv";

/// Separator of `top_operations` entries (CSV and Parquet alike).
pub const TOP_OPERATIONS_SEPARATOR: &str = "; ";

const INTEGRATION_COLUMNS: [&str; 23] = [
    "rank",
    "integration",
    "app_id",
    "app_name",
    "verdict",
    "calls",
    "broken",
    "at_risk",
    "compliant",
    "not_affected",
    "unknown",
    "first_seen",
    "last_seen",
    "last_broken",
    "principals",
    "tenants",
    "operations",
    "top_operations",
    "action",
    "catalog_name",
    "owner",
    "contact",
    "catalog_notes",
];

/// `calls` then the five verdict columns, in contract order.
fn count_cells(counts: &VerdictCounts) -> [Cell<'static>; 6] {
    [
        Cell::Count(counts.total()),
        Cell::Count(counts.get(Verdict::Broken)),
        Cell::Count(counts.get(Verdict::AtRisk)),
        Cell::Count(counts.get(Verdict::Compliant)),
        Cell::Count(counts.get(Verdict::NotAffected)),
        Cell::Count(counts.get(Verdict::Unknown)),
    ]
}

/// `top_operations` as one text; None when the list is empty.
fn top_operations(row: &IntegrationRow) -> Option<String> {
    (!row.top_operations.is_empty()).then(|| row.top_operations.join(TOP_OPERATIONS_SEPARATOR))
}

/// The catalog's `name, owner, contact, notes` for a row (all None when the
/// catalog does not list it, or without a catalog).
fn catalog_fields<'a>(catalog: Option<&'a Catalog>, row: &IntegrationRow) -> [Option<&'a str>; 4] {
    match catalog.and_then(|c| c.lookup(row)) {
        None => [None; 4],
        Some(e) => [
            e.name.as_deref(),
            e.owner.as_deref(),
            e.contact.as_deref(),
            e.notes.as_deref(),
        ],
    }
}

/// Writes `integrations.csv` and `integrations.parquet`, with the catalog's
/// columns filled where it lists the integration.
pub fn write_integrations(
    dir: &Path,
    rows: &[IntegrationRow],
    catalog: Option<&Catalog>,
) -> Result<(), Error> {
    write_integrations_csv(dir, rows, catalog)?;
    write_integrations_parquet(dir, rows, catalog)
}

fn write_integrations_csv(
    dir: &Path,
    rows: &[IntegrationRow],
    catalog: Option<&Catalog>,
) -> Result<(), Error> {
    let mut csv = CsvFile::create(dir, INTEGRATIONS_CSV, &INTEGRATION_COLUMNS)?;
    for row in rows {
        let iso = |t: Option<Micros>| t.map(format_iso);
        let (first, last, broken) = (
            iso(row.first_seen),
            iso(row.last_seen),
            iso(row.last_broken),
        );
        let top = top_operations(row);
        let mut cells = vec![
            Cell::Count(u64::from(row.rank)),
            Cell::Text(&row.integration),
            Cell::from(row.app_id.as_deref()),
            Cell::from(row.app_name.as_deref()),
            Cell::Text(row.verdict.as_str()),
        ];
        cells.extend(count_cells(&row.counts));
        cells.extend([
            Cell::from(first.as_deref()),
            Cell::from(last.as_deref()),
            Cell::from(broken.as_deref()),
            Cell::Count(row.principals),
            Cell::Count(row.tenants),
            Cell::Count(row.operations),
            Cell::from(top.as_deref()),
            Cell::Text(&row.action),
        ]);
        cells.extend(catalog_fields(catalog, row).map(Cell::from));
        csv.row(&cells)?;
    }
    csv.commit()
}

/// The `integrations.parquet` schema (same columns as the CSV).
pub fn integrations_schema() -> SchemaRef {
    let time = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let count = |name: &str| Field::new(name, DataType::UInt64, false);
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        Field::new("rank", DataType::UInt32, false),
        text("integration", false),
        text("app_id", true),
        text("app_name", true),
        text("verdict", false),
        count("calls"),
        count("broken"),
        count("at_risk"),
        count("compliant"),
        count("not_affected"),
        count("unknown"),
        Field::new("first_seen", time.clone(), true),
        Field::new("last_seen", time.clone(), true),
        Field::new("last_broken", time, true),
        count("principals"),
        count("tenants"),
        count("operations"),
        text("top_operations", true),
        text("action", false),
        text("catalog_name", true),
        text("owner", true),
        text("contact", true),
        text("catalog_notes", true),
    ]))
}

fn write_integrations_parquet(
    dir: &Path,
    rows: &[IntegrationRow],
    catalog: Option<&Catalog>,
) -> Result<(), Error> {
    let schema = integrations_schema();
    let mut file = ParquetFile::create(dir, INTEGRATIONS_PARQUET, schema.clone(), &[])?;
    let u64s = |f: fn(&IntegrationRow) -> u64| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<UInt64Array>())
    };
    let texts = |f: fn(&IntegrationRow) -> Option<&str>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    };
    let times = |f: fn(&IntegrationRow) -> Option<Micros>| -> ArrayRef {
        Arc::new(
            rows.iter()
                .map(f)
                .collect::<TimestampMicrosecondArray>()
                .with_timezone("UTC"),
        )
    };
    let by = |v: Verdict| -> ArrayRef {
        Arc::new(
            rows.iter()
                .map(|r| r.counts.get(v))
                .collect::<UInt64Array>(),
        )
    };
    let top: Vec<Option<String>> = rows.iter().map(top_operations).collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(rows.iter().map(|r| r.rank).collect::<UInt32Array>()),
        texts(|r| Some(r.integration.as_str())),
        texts(|r| r.app_id.as_deref()),
        texts(|r| r.app_name.as_deref()),
        texts(|r| Some(r.verdict.as_str())),
        u64s(|r| r.counts.total()),
        by(Verdict::Broken),
        by(Verdict::AtRisk),
        by(Verdict::Compliant),
        by(Verdict::NotAffected),
        by(Verdict::Unknown),
        times(|r| r.first_seen),
        times(|r| r.last_seen),
        times(|r| r.last_broken),
        u64s(|r| r.principals),
        u64s(|r| r.tenants),
        u64s(|r| r.operations),
        Arc::new(top.iter().map(Option::as_deref).collect::<StringArray>()),
        texts(|r| Some(r.action.as_str())),
    ];
    let joined: Vec<[Option<&str>; 4]> = rows.iter().map(|r| catalog_fields(catalog, r)).collect();
    let mut columns = columns;
    for field in 0..4 {
        columns.push(Arc::new(
            joined.iter().map(|f| f[field]).collect::<StringArray>(),
        ));
    }
    let batch = RecordBatch::try_new(schema, columns).map_err(|e| parquet_error(file.path(), e))?;
    if batch.num_rows() > 0 {
        file.write(&batch)?;
    }
    file.commit()
}

/// Writes `operations.csv`.
pub fn write_operations(dir: &Path, rows: &[OperationRow]) -> Result<(), Error> {
    let header = [
        "operation",
        "calls",
        "broken",
        "at_risk",
        "compliant",
        "not_affected",
        "unknown",
        "integrations",
    ];
    let mut csv = CsvFile::create(dir, OPERATIONS_CSV, &header)?;
    for row in rows {
        let mut cells = vec![Cell::Text(&row.operation)];
        cells.extend(count_cells(&row.counts));
        cells.push(Cell::Count(row.integrations));
        csv.row(&cells)?;
    }
    csv.commit()
}

/// Writes `daily.csv`.
pub fn write_daily(dir: &Path, rows: &[DailyRow]) -> Result<(), Error> {
    let header = [
        "date",
        "calls",
        "broken",
        "at_risk",
        "compliant",
        "not_affected",
        "unknown",
        "integrations",
    ];
    let mut csv = CsvFile::create(dir, DAILY_CSV, &header)?;
    for row in rows {
        let date = format_date(row.day_start);
        let mut cells = vec![Cell::Text(&date)];
        cells.extend(count_cells(&row.counts));
        cells.push(Cell::Count(row.integrations));
        csv.row(&cells)?;
    }
    csv.commit()
}

#[cfg(test)]
#[path = "tables_tests.rs"]
mod tests;
