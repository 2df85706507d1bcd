use std::fs;

use arrow::array::{Array, StringArray, TimestampMicrosecondArray, UInt32Array, UInt64Array};

use super::*;
use crate::output::test_support::{file_names, read_parquet};

const DAY: Micros = 86_400_000_000;
/// 2026-04-02T00:00:00Z
const APRIL_2: Micros = 1_775_088_000_000_000;

fn counts(
    broken: u64,
    at_risk: u64,
    compliant: u64,
    not_affected: u64,
    unknown: u64,
) -> VerdictCounts {
    VerdictCounts([broken, at_risk, compliant, not_affected, unknown])
}

fn integration_rows() -> Vec<IntegrationRow> {
    vec![
        IntegrationRow {
            rank: 1,
            integration: "1b2c3d4e-0000-4000-8000-00000000000a".into(),
            app_id: Some("1b2c3d4e-0000-4000-8000-00000000000a".into()),
            app_name: Some("Contoso, \"Billing\"".into()),
            verdict: Verdict::Broken,
            counts: counts(5, 2, 1, 0, 1),
            first_seen: Some(APRIL_2 + 30_015_623),
            last_seen: Some(APRIL_2 + DAY + 1_000),
            last_broken: Some(APRIL_2 + 3_600_000_000),
            principals: 3,
            tenants: 2,
            operations: 4,
            top_operations: vec![
                "GET /v1/customers/{id}/subscriptions".into(),
                "POST /v1/customers".into(),
            ],
            action: "Fix now.".into(),
        },
        IntegrationRow {
            rank: 2,
            integration: "-unattributed".into(),
            app_id: None,
            app_name: Some("@evil".into()),
            verdict: Verdict::Unknown,
            counts: counts(0, 0, 0, 0, 7),
            first_seen: None,
            last_seen: None,
            last_broken: None,
            principals: 0,
            tenants: 0,
            operations: 0,
            top_operations: vec![],
            action: "Investigate.".into(),
        },
    ]
}

/// The CSV text after its byte-order mark (which every CSV must start with).
fn read(dir: &Path, name: &str) -> String {
    let text = fs::read_to_string(dir.join(name)).unwrap();
    text.strip_prefix('\u{feff}')
        .expect("CSV starts with a UTF-8 BOM")
        .to_string()
}

#[test]
fn integrations_csv_text() {
    let dir = tempfile::tempdir().unwrap();
    write_integrations(dir.path(), &integration_rows(), None).unwrap();
    assert_eq!(
        read(dir.path(), INTEGRATIONS_CSV),
        "rank,integration,app_id,app_name,verdict,calls,broken,at_risk,compliant,not_affected,unknown,\
first_seen,last_seen,last_broken,principals,tenants,operations,top_operations,action,\
catalog_name,owner,contact,catalog_notes\n\
1,1b2c3d4e-0000-4000-8000-00000000000a,1b2c3d4e-0000-4000-8000-00000000000a,\"Contoso, \"\"Billing\"\"\",\
broken,9,5,2,1,0,1,2026-04-02T00:00:30.015Z,2026-04-03T00:00:00.001Z,2026-04-02T01:00:00.000Z,\
3,2,4,GET /v1/customers/{id}/subscriptions; POST /v1/customers,Fix now.,,,,\n\
2,'-unattributed,,'@evil,unknown,7,0,0,0,0,7,,,,0,0,0,,Investigate.,,,,\n"
    );
    assert_eq!(
        file_names(dir.path()),
        vec![INTEGRATIONS_CSV, INTEGRATIONS_PARQUET]
    );
}

/// The catalog's columns are filled by app id (or by the ranking key), and
/// its text is as spreadsheet-safe as the logs'.
#[test]
fn catalog_columns_join_by_app_id() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = crate::report::Catalog::from_bytes(
        Path::new("apps.csv"),
        b"app_id,name,owner,contact,notes\n\
          1B2C3D4E-0000-4000-8000-00000000000A,Contoso Billing Sync,Billing team,=HYPERLINK(\"x\"),weekly\n",
    )
    .unwrap();
    write_integrations(dir.path(), &integration_rows(), Some(&catalog)).unwrap();
    let text = read(dir.path(), INTEGRATIONS_CSV);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].ends_with(
            ",Fix now.,Contoso Billing Sync,Billing team,\"'=HYPERLINK(\"\"x\"\")\",weekly"
        ),
        "{}",
        lines[1]
    );
    assert!(lines[2].ends_with(",Investigate.,,,,"));
    let (_, batches) = read_parquet(&dir.path().join(INTEGRATIONS_PARQUET));
    let owner = batches[0].column_by_name("owner").unwrap().clone();
    let owner = owner.as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(owner.value(0), "Billing team");
    assert!(owner.is_null(1));
    let contact = batches[0].column_by_name("contact").unwrap().clone();
    let contact = contact.as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(
        contact.value(0),
        "=HYPERLINK(\"x\")",
        "Parquet keeps the true value"
    );
}

#[test]
fn integrations_parquet_types_and_values() {
    let dir = tempfile::tempdir().unwrap();
    write_integrations(dir.path(), &integration_rows(), None).unwrap();
    let (schema, batches) = read_parquet(&dir.path().join(INTEGRATIONS_PARQUET));
    assert_eq!(schema.as_ref(), integrations_schema().as_ref());
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, INTEGRATION_COLUMNS);
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    for (name, data_type, nullable) in [
        ("rank", DataType::UInt32, false),
        ("calls", DataType::UInt64, false),
        ("unknown", DataType::UInt64, false),
        ("tenants", DataType::UInt64, false),
        ("first_seen", ts.clone(), true),
        ("last_broken", ts, true),
        ("app_id", DataType::Utf8, true),
        ("top_operations", DataType::Utf8, true),
        ("action", DataType::Utf8, false),
    ] {
        let field = schema.field_with_name(name).unwrap();
        assert_eq!(
            (field.data_type(), field.is_nullable()),
            (&data_type, nullable),
            "{name}"
        );
    }

    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    let col = |name: &str| b.column_by_name(name).unwrap().clone();
    let rank = col("rank");
    let rank = rank.as_any().downcast_ref::<UInt32Array>().unwrap();
    assert_eq!(rank.values().to_vec(), vec![1, 2]);
    let calls = col("calls");
    let calls = calls.as_any().downcast_ref::<UInt64Array>().unwrap();
    assert_eq!(calls.values().to_vec(), vec![9, 7]);
    let first = col("first_seen");
    let first = first
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .unwrap();
    assert_eq!(first.timezone(), Some("UTC"));
    assert_eq!(
        first.iter().collect::<Vec<_>>(),
        vec![Some(APRIL_2 + 30_015_623), None]
    );
    let strings = |name: &str| -> Vec<Option<String>> {
        let c = col(name);
        let c = c.as_any().downcast_ref::<StringArray>().unwrap();
        c.iter().map(|v| v.map(str::to_string)).collect()
    };
    // True values in Parquet: no spreadsheet prefix.
    assert_eq!(strings("integration")[1].as_deref(), Some("-unattributed"));
    assert_eq!(strings("app_id")[1], None);
    assert_eq!(
        strings("top_operations"),
        vec![
            Some("GET /v1/customers/{id}/subscriptions; POST /v1/customers".to_string()),
            None
        ]
    );
}

#[test]
fn no_integrations_gives_header_and_empty_parquet() {
    let dir = tempfile::tempdir().unwrap();
    write_integrations(dir.path(), &[], None).unwrap();
    assert_eq!(
        read(dir.path(), INTEGRATIONS_CSV),
        format!("{}\n", INTEGRATION_COLUMNS.join(","))
    );
    let (schema, batches) = read_parquet(&dir.path().join(INTEGRATIONS_PARQUET));
    assert_eq!(schema.as_ref(), integrations_schema().as_ref());
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
}

#[test]
fn integrations_parquet_is_deterministic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_integrations(a.path(), &integration_rows(), None).unwrap();
    write_integrations(b.path(), &integration_rows(), None).unwrap();
    let bytes = |d: &Path| fs::read(d.join(INTEGRATIONS_PARQUET)).unwrap();
    assert_eq!(bytes(a.path()), bytes(b.path()));
}

#[test]
fn operations_csv_text() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        OperationRow {
            operation: "GET /v1/customers/{id}/subscriptions".into(),
            counts: counts(5, 2, 1, 0, 0),
            integrations: 2,
        },
        OperationRow {
            operation: "+POST /v1/customers".into(),
            counts: counts(0, 0, 0, 3, 0),
            integrations: 1,
        },
    ];
    write_operations(dir.path(), &rows).unwrap();
    assert_eq!(
        read(dir.path(), OPERATIONS_CSV),
        "operation,calls,broken,at_risk,compliant,not_affected,unknown,integrations\n\
GET /v1/customers/{id}/subscriptions,8,5,2,1,0,0,2\n\
'+POST /v1/customers,3,0,0,0,3,0,1\n"
    );
    assert_eq!(file_names(dir.path()), vec![OPERATIONS_CSV]);
}

#[test]
fn daily_csv_text() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        DailyRow {
            day_start: APRIL_2,
            counts: counts(1, 0, 2, 0, 0),
            integrations: 2,
        },
        DailyRow {
            day_start: APRIL_2 + DAY,
            counts: counts(0, 4, 0, 0, 1),
            integrations: 1,
        },
    ];
    write_daily(dir.path(), &rows).unwrap();
    assert_eq!(
        read(dir.path(), DAILY_CSV),
        "date,calls,broken,at_risk,compliant,not_affected,unknown,integrations\n\
2026-04-02,3,1,0,2,0,0,2\n\
2026-04-03,5,0,4,0,0,1,1\n"
    );
}

#[test]
fn unwritable_folder_is_an_error_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("file"), b"").unwrap();
    let bad = dir.path().join("file");
    assert!(matches!(
        write_integrations(&bad, &integration_rows(), None),
        Err(Error::Write { .. })
    ));
    assert!(matches!(
        write_operations(&bad, &[]),
        Err(Error::Write { .. })
    ));
    assert!(matches!(write_daily(&bad, &[]), Err(Error::Write { .. })));
    assert_eq!(file_names(dir.path()), vec!["file"]);
}
