-- The pcmfa job in DuckDB SQL, for scripts/bench/run.sh (which substitutes @INPUT@ and
-- @OUTPUT@). Reads gateway JSON lines (plain or .gz), keeps the calls whose URL host is
-- exactly a Partner Center host, decodes each bearer token's payload (base64url ->
-- base64, padded), reads the claims, classifies each call the way pcmfa does
-- (900421 in a failed response -> broken; app-only -> not_affected; App+User with
-- "mfa" in amr -> compliant, without -> at_risk; else unknown), then ranks the app ids
-- worst first and writes them to a CSV so nothing is optimised away.
COPY (
  WITH raw AS (
    SELECT "timestamp" AS ts,
           request.url AS url,
           request.headers."Authorization" AS auth,
           response.status AS status,
           response.body AS body
    FROM read_json('@INPUT@', format = 'newline_delimited', compression = 'auto',
                   columns = {"timestamp": 'VARCHAR',
                              "request": 'STRUCT(url VARCHAR, headers STRUCT("Authorization" VARCHAR))',
                              "response": 'STRUCT(status INTEGER, body VARCHAR)'})
  ),
  pc AS (
    SELECT ts, status, body,
           nullif(split_part(regexp_extract(auth, '^\s*[Bb]earer\s+(\S+)', 1), '.', 2), '') AS p
    FROM raw
    WHERE rtrim(lower(regexp_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/:?#]+)', 1)), '.')
          IN ('api.partnercenter.microsoft.com', 'api.partner.microsoft.com',
              'partner.partnercenterapi.microsoftonline.cn')
  ),
  decoded AS (
    SELECT ts, status, body,
           try(decode(from_base64(replace(replace(p, '-', '+'), '_', '/')
                                  || repeat('=', (4 - length(p) % 4) % 4)))) AS claims
    FROM pc
  ),
  claims AS (
    SELECT ts, status, body,
           json_extract_string(claims, ['$.appid', '$.azp', '$.idtyp', '$.scp', '$.upn',
                                        '$.unique_name', '$.amr', '$.tid']) AS c
    FROM decoded
  ),
  calls AS (
    SELECT ts,
           lower(coalesce(c[1], c[2])) AS app_id,
           coalesce(c[5], c[6]) AS principal,
           c[8] AS tenant,
           CASE
             WHEN (status IS NULL OR status >= 400) AND body LIKE '%900421%' THEN 'broken'
             WHEN c[3] = 'app' AND c[4] IS NULL THEN 'not_affected'
             WHEN c[4] IS NOT NULL OR c[5] IS NOT NULL OR c[6] IS NOT NULL OR c[3] = 'user' THEN
               CASE WHEN c[7] LIKE '%"mfa"%' THEN 'compliant' ELSE 'at_risk' END
             WHEN coalesce(c[1], c[2]) IS NOT NULL AND c[3] IS NULL THEN 'not_affected'
             ELSE 'unknown'
           END AS verdict
    FROM claims
  ),
  per_app AS (
    SELECT app_id,
           count(*) AS calls,
           count(*) FILTER (verdict = 'broken') AS broken,
           count(*) FILTER (verdict = 'at_risk') AS at_risk,
           count(*) FILTER (verdict = 'compliant') AS compliant,
           count(*) FILTER (verdict = 'not_affected') AS not_affected,
           count(*) FILTER (verdict = 'unknown') AS unknown,
           min(ts) AS first_seen, max(ts) AS last_seen,
           count(DISTINCT principal) AS principals, count(DISTINCT tenant) AS tenants
    FROM calls
    GROUP BY app_id
  )
  SELECT row_number() OVER (ORDER BY severity, broken DESC, at_risk DESC, calls DESC, app_id) AS rank,
         * EXCLUDE (severity)
  FROM (
    SELECT app_id,
           CASE WHEN broken > 0 THEN 'broken' WHEN at_risk > 0 THEN 'at_risk'
                WHEN compliant > 0 THEN 'compliant' WHEN not_affected > 0 THEN 'not_affected'
                ELSE 'unknown' END AS verdict,
           CASE WHEN broken > 0 THEN 1 WHEN at_risk > 0 THEN 2 WHEN compliant > 0 THEN 3
                WHEN not_affected > 0 THEN 4 ELSE 5 END AS severity,
           calls, broken, at_risk, compliant, not_affected, unknown,
           first_seen, last_seen, principals, tenants
    FROM per_app
  )
  ORDER BY rank
) TO '@OUTPUT@' (HEADER, DELIMITER ',');
