//! The analysts' view: calls.parquet read back with polars, checked for the
//! contract's types and values, and the integrations ranking recomputed
//! independently with polars expressions.

mod common;

use polars::prelude::*;

use common::{analyst::read_calls, analyst::read_parquet, read_csv, scan};

fn dtype_of(df: &DataFrame, name: &str) -> DataType {
    df.column(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .dtype()
        .clone()
}

#[test]
fn calls_parquet_has_the_contract_types_and_values() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&["sample-data/logs"], out.path(), &[], 0);
    let df = read_calls(out.path());
    assert_eq!(df.height(), 658);

    let contract = [
        "time",
        "source_file",
        "source_record",
        "format",
        "event",
        "host",
        "method",
        "path",
        "operation",
        "status",
        "error_code",
        "auth_mode",
        "mfa_claim",
        "verdict",
        "evidence",
        "app_id",
        "app_name",
        "tenant_id",
        "principal",
        "amr",
        "token_fingerprint",
        "correlation_id",
        "request_id",
        "user_agent",
        "integration",
    ];
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(
        &names[..contract.len()],
        &contract[..],
        "contract columns, in order"
    );

    match dtype_of(&df, "time") {
        DataType::Datetime(TimeUnit::Microseconds, Some(tz)) => assert_eq!(tz.as_str(), "UTC"),
        other => panic!("time is {other:?}"),
    }
    assert_eq!(dtype_of(&df, "source_record"), DataType::UInt64);
    assert_eq!(dtype_of(&df, "status"), DataType::UInt16);
    assert_eq!(
        dtype_of(&df, "amr"),
        DataType::List(Box::new(DataType::String))
    );
    for name in [
        "source_file",
        "format",
        "event",
        "host",
        "operation",
        "verdict",
        "evidence",
        "app_id",
        "integration",
    ] {
        assert_eq!(dtype_of(&df, name), DataType::String, "{name}");
    }

    // Vocabulary only.
    let distinct = |name: &str| -> Vec<String> {
        let col = df.column(name).expect("col").str().expect("str").clone();
        let mut values: Vec<String> = col.iter().flatten().map(str::to_string).collect();
        values.sort();
        values.dedup();
        values
    };
    assert_eq!(
        distinct("verdict"),
        ["at_risk", "broken", "compliant", "not_affected", "unknown"]
    );
    assert_eq!(distinct("event"), ["api_call", "sign_in"]);
    assert_eq!(distinct("auth_mode"), ["app_only", "app_user", "unknown"]);
    for host in distinct("host") {
        assert!(
            [
                "api.partnercenter.microsoft.com",
                "api.partner.microsoft.com",
                "partner.partnercenterapi.microsoftonline.cn"
            ]
            .contains(&host.as_str()),
            "host {host}"
        );
    }
    assert!(distinct("format").contains(&"har".to_string()));

    // One known row: Contoso's first 900421 rejection.
    let broken = df
        .clone()
        .lazy()
        .filter(
            col("evidence")
                .eq(lit("error_900421"))
                .and(col("app_id").eq(lit("39441d62-a8e1-4810-a850-20bf12239031"))),
        )
        .collect()
        .expect("filter");
    assert_eq!(broken.height(), 84);
    let row = broken.slice(0, 1);
    assert_eq!(
        row.column("status")
            .expect("status")
            .u16()
            .expect("u16")
            .get(0),
        Some(401)
    );
    assert_eq!(
        row.column("error_code")
            .expect("code")
            .str()
            .expect("str")
            .get(0),
        Some("900421")
    );
    assert_eq!(
        row.column("auth_mode")
            .expect("mode")
            .str()
            .expect("str")
            .get(0),
        Some("app_user")
    );
    assert_eq!(
        row.column("mfa_claim")
            .expect("mfa")
            .str()
            .expect("str")
            .get(0),
        Some("absent")
    );
    let fp = row
        .column("token_fingerprint")
        .expect("fp")
        .str()
        .expect("str")
        .get(0)
        .expect("fingerprint");
    assert!(
        fp.len() == 16 && fp.bytes().all(|b| b.is_ascii_hexdigit()),
        "{fp}"
    );
    let amr = row
        .column("amr")
        .expect("amr")
        .list()
        .expect("list")
        .get_as_series(0)
        .expect("amr value");
    let amr: Vec<&str> = amr.str().expect("str").iter().flatten().collect();
    assert_eq!(amr, ["pwd"]);
    let times = row
        .column("time")
        .expect("time")
        .datetime()
        .expect("datetime")
        .physical()
        .get(0);
    // 2026-06-01 or later, microseconds since the epoch.
    assert!(
        times.is_some_and(|t| t >= 1_780_272_000_000_000),
        "{times:?}"
    );
}

/// polars recomputes the ranking from calls.parquet and must agree with integrations.csv.
#[test]
fn polars_recomputes_the_integrations_ranking() {
    let out = tempfile::tempdir().expect("tempdir");
    scan(&["sample-data/logs", "tests/fixtures"], out.path(), &[], 3);
    let count = |verdict: &str| {
        col("verdict")
            .eq(lit(verdict))
            .cast(DataType::UInt64)
            .sum()
            .alias(verdict)
    };
    let ranked = read_calls(out.path())
        .lazy()
        .group_by([col("integration")])
        .agg([
            len().cast(DataType::UInt64).alias("calls"),
            count("broken"),
            count("at_risk"),
            count("compliant"),
            count("not_affected"),
            count("unknown"),
        ])
        .with_column(
            when(col("broken").gt(lit(0)))
                .then(lit(0))
                .when(col("at_risk").gt(lit(0)))
                .then(lit(1))
                .when(col("compliant").gt(lit(0)))
                .then(lit(2))
                .when(col("not_affected").gt(lit(0)))
                .then(lit(3))
                .otherwise(lit(4))
                .alias("severity"),
        )
        .sort_by_exprs(
            [
                col("severity"),
                col("broken"),
                col("at_risk"),
                col("calls"),
                col("integration"),
            ],
            SortMultipleOptions::default()
                .with_order_descending_multi([false, true, true, true, false]),
        )
        .collect()
        .expect("polars ranking");

    let ours = read_csv(&out.path().join("integrations.csv"));
    assert_eq!(ranked.height(), ours.len());
    let names = ["broken", "at_risk", "compliant", "not_affected", "unknown"];
    let integration = ranked
        .column("integration")
        .expect("col")
        .str()
        .expect("str")
        .clone();
    let calls = ranked
        .column("calls")
        .expect("col")
        .u64()
        .expect("u64")
        .clone();
    let severity = ranked
        .column("severity")
        .expect("col")
        .i32()
        .expect("i32")
        .clone();
    for (i, row) in ours.iter().enumerate() {
        assert_eq!(
            integration.get(i),
            Some(row["integration"].as_str()),
            "rank {}",
            i + 1
        );
        assert_eq!(
            calls.get(i).map(|c| c.to_string()),
            Some(row["calls"].clone())
        );
        let verdict = severity.get(i).and_then(|s| names.get(s as usize)).copied();
        assert_eq!(verdict, Some(row["verdict"].as_str()));
        for name in names {
            let n = ranked.column(name).expect("col").u64().expect("u64").get(i);
            assert_eq!(
                n.map(|c| c.to_string()),
                Some(row[name].clone()),
                "{name} of {}",
                row["integration"]
            );
        }
    }

    // integrations.parquet holds the same table with typed columns.
    let table = read_parquet(&out.path().join("integrations.parquet"));
    assert_eq!(table.height(), ours.len());
    assert_eq!(dtype_of(&table, "rank"), DataType::UInt32);
    assert_eq!(dtype_of(&table, "calls"), DataType::UInt64);
    assert!(matches!(
        dtype_of(&table, "last_seen"),
        DataType::Datetime(TimeUnit::Microseconds, Some(_))
    ));
}
