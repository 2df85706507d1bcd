-- integrations.csv rebuilt from pcmfa's calls Parquet, in DuckDB.
--
-- Run it from a folder holding the shards' Hive tree calls/date=YYYY-MM-DD/*.parquet
-- (for one run's calls.parquet, change the read_parquet path). It returns the
-- columns, values and order of pcmfa's integrations.csv, CSV-safe cells included;
-- the scale-out test runs it and compares the result with pcmfa's file cell for cell.
-- See docs/scale-out.md.

-- CSV cells starting with = + - @ tab CR LF get a leading ' (spreadsheet safety).
CREATE OR REPLACE TEMP MACRO csv_safe(x) AS
  CASE WHEN regexp_matches(x, '^[=+\-@\t\r\n]') THEN '''' || x ELSE x END;
-- ISO 8601 UTC with milliseconds (truncated), e.g. 2026-06-01T08:15:03.123Z.
CREATE OR REPLACE TEMP MACRO iso_utc(t) AS
  strftime(timezone('UTC', t), '%Y-%m-%dT%H:%M:%S.%gZ');

WITH calls AS (
  SELECT "time", verdict, integration, app_id, app_name, tenant_id, principal, operation
  FROM read_parquet('calls/**/*.parquet', hive_partitioning = true)
),
per_integration AS (
  SELECT integration,
         count(*) AS calls,
         count(*) FILTER (verdict = 'broken') AS broken,
         count(*) FILTER (verdict = 'at_risk') AS at_risk,
         count(*) FILTER (verdict = 'compliant') AS compliant,
         count(*) FILTER (verdict = 'not_affected') AS not_affected,
         count(*) FILTER (verdict = 'unknown') AS unknown,
         min("time") AS first_seen,
         max("time") AS last_seen,
         max("time") FILTER (verdict = 'broken') AS last_broken,
         count(DISTINCT principal) AS principals,
         count(DISTINCT tenant_id) AS tenants,
         count(DISTINCT operation) AS operations
  FROM calls
  GROUP BY integration
),
-- The most frequent app_id and app_name of each integration, ties to the smallest.
app_ids AS (
  SELECT integration, app_id,
         row_number() OVER (PARTITION BY integration ORDER BY count(*) DESC, app_id) AS pick
  FROM calls WHERE app_id IS NOT NULL GROUP BY integration, app_id
),
app_names AS (
  SELECT integration, app_name,
         row_number() OVER (PARTITION BY integration ORDER BY count(*) DESC, app_name) AS pick
  FROM calls WHERE app_name IS NOT NULL GROUP BY integration, app_name
),
-- Up to three broken or at-risk operations, most frequent first, ties by name.
failing AS (
  SELECT integration, operation, count(*) AS n,
         row_number() OVER (PARTITION BY integration ORDER BY count(*) DESC, operation) AS pick
  FROM calls
  WHERE verdict IN ('broken', 'at_risk') AND operation IS NOT NULL
  GROUP BY integration, operation
),
top_operations AS (
  SELECT integration, string_agg(operation, '; ' ORDER BY pick) AS top_operations
  FROM failing WHERE pick <= 3 GROUP BY integration
),
judged AS (
  SELECT p.*,
         CASE WHEN broken > 0 THEN 'broken' WHEN at_risk > 0 THEN 'at_risk'
              WHEN compliant > 0 THEN 'compliant' WHEN not_affected > 0 THEN 'not_affected'
              ELSE 'unknown' END AS verdict,
         CASE WHEN broken > 0 THEN 1 WHEN at_risk > 0 THEN 2 WHEN compliant > 0 THEN 3
              WHEN not_affected > 0 THEN 4 ELSE 5 END AS severity
  FROM per_integration p
)
SELECT row_number() OVER (ORDER BY severity, broken DESC, at_risk DESC, calls DESC, j.integration) AS rank,
       csv_safe(j.integration) AS integration,
       csv_safe(i.app_id) AS app_id,
       csv_safe(n.app_name) AS app_name,
       j.verdict,
       calls, broken, at_risk, compliant, not_affected, unknown,
       iso_utc(first_seen) AS first_seen,
       iso_utc(last_seen) AS last_seen,
       iso_utc(last_broken) AS last_broken,
       principals, tenants, operations,
       csv_safe(t.top_operations) AS top_operations,
       CASE
         WHEN j.verdict = 'broken' THEN 'Fix now: Partner Center rejects its App+User calls (900421); redeem tokens through the Secure Application Model with an MFA-consented refresh token.'
         WHEN j.verdict = 'at_risk' THEN 'Fix before enforcement reaches it: it calls Partner Center as App+User without MFA; move to the Secure Application Model or app-only where the API allows.'
         WHEN j.verdict = 'compliant' AND unknown > 0 THEN 'Compliant where seen; confirm the calls pcmfa could not classify.'
         WHEN j.verdict = 'compliant' THEN 'No action: its App+User tokens carry the MFA claim; keep its refresh token in use so it does not expire.'
         WHEN j.verdict = 'not_affected' AND unknown > 0 THEN 'App-only where seen (not affected); confirm the calls pcmfa could not classify.'
         WHEN j.verdict = 'not_affected' THEN 'No action: app-only calls are not affected by MFA enforcement.'
         ELSE 'Investigate: no evidence shows how it authenticates; capture its Authorization header claims or Partner Center responses.'
       END AS action,
       -- pcmfa fills these from --catalog; empty without one (join your own catalog here).
       NULL::VARCHAR AS catalog_name, NULL::VARCHAR AS owner,
       NULL::VARCHAR AS contact, NULL::VARCHAR AS catalog_notes
FROM judged j
LEFT JOIN app_ids i ON i.integration = j.integration AND i.pick = 1
LEFT JOIN app_names n ON n.integration = j.integration AND n.pick = 1
LEFT JOIN top_operations t ON t.integration = j.integration
ORDER BY rank;
