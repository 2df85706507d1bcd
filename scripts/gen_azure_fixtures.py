#!/usr/bin/env python3
"""Writes tests/fixtures/azure/: Azure exports shaped as the portals write them.

API Management gateway logs (Log Analytics CSV and JSON, diagnostic JSON
lines), Application Insights AppDependencies / AppTraces / AppExceptions (CSV
and JSON), and a spreadsheet CSV. The awkward parts are on purpose: a UTF-8
BOM, `TimeGenerated [UTC]` headers, US-locale times (`6/2/2026, 8:15:03.123
AM`), JSON held as text in cells (quotes doubled), quoted cells holding
newlines, a ragged row, a semicolon-separated sheet, and an unclosed quote.

Deterministic: run `python3 scripts/gen_azure_fixtures.py` from the repo root.
Every token and secret is fake.
"""
import csv
import io
import json
import os

from gen_test_fixtures import app_only, app_user, jwt

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "azure")
PC = "api.partnercenter.microsoft.com"
APIM = "contoso-apim.azure-api.net"
WORKSPACE = "3f2e1d0c-9b8a-4765-8432-10fedcba9876"

BROKEN_APP = "aaaaaaaa-1111-4111-8111-111111111111"
RISKY_APP = "bbbbbbbb-2222-4222-8222-222222222222"
GOOD_APP = "cccccccc-3333-4333-8333-333333333333"
DAEMON_APP = "dddddddd-4444-4444-8444-444444444444"

ERROR_900421 = json.dumps({"code": 900421, "description": "MFA claim missing from the access token.",
                           "data": [], "source": "PartnerCenter"})
# As Partner Center pretty-prints it: the cell holds newlines.
ERROR_900421_PRETTY = json.dumps(json.loads(ERROR_900421), indent=2)

APIM_COLUMNS = [
    "TenantId", "TimeGenerated [UTC]", "OperationName", "CorrelationId", "Region", "IsRequestSuccess",
    "Category", "TotalTime", "CallerIpAddress", "Method", "Url", "ClientProtocol", "ResponseCode",
    "BackendMethod", "BackendUrl", "BackendResponseCode", "BackendProtocol", "RequestSize", "ResponseSize",
    "Cache", "CacheTime", "BackendTime", "ClientTime", "ApiId", "OperationId", "ProductId", "UserId",
    "ApimSubscriptionId", "BackendId", "LastErrorElapsed", "LastErrorSource", "LastErrorScope",
    "LastErrorSection", "LastErrorReason", "LastErrorMessage", "ApiRevision", "ClientTlsVersion",
    "RequestHeaders", "ResponseHeaders", "BackendRequestHeaders", "BackendResponseHeaders", "RequestBody",
    "ResponseBody", "BackendRequestBody", "BackendResponseBody", "Errors", "TraceRecords", "SourceSystem",
    "Type", "_ResourceId",
]


def us_time(day, hh, mm, ss, ms):
    """Log Analytics' CSV export: `6/2/2026, 8:15:03.123 AM` (US month/day)."""
    hour12 = hh % 12 or 12
    return f"6/{day}/2026, {hour12}:{mm:02}:{ss:02}.{ms:03} {'AM' if hh < 12 else 'PM'}"


def iso(day, hh, mm, ss, ms):
    return f"2026-06-{day:02}T{hh:02}:{mm:02}:{ss:02}.{ms:03}Z"


def apim_row(n, when, path, backend_host, status, token=None, body="", client_token=None,
             backend_response_headers=None, response_code=None):
    """One ApiManagementGatewayLogs row; dynamic columns as JSON text."""
    backend_url = f"https://{backend_host}{path}" if backend_host else ""
    request_headers = {"User-Agent": "ContosoBilling/2.1", "Accept": "application/json"}
    if client_token:
        request_headers["Authorization"] = f"Bearer {client_token}"
    backend_request_headers = {"Authorization": f"Bearer {token}"} if token else {}
    backend_response_headers = backend_response_headers or {}
    if backend_host == PC:
        backend_response_headers = {"MS-CorrelationId": f"0c0ffee0-0000-4000-8000-00000000000{n}",
                                    "MS-RequestId": f"5e1f0000-0000-4000-8000-00000000000{n}",
                                    **backend_response_headers}
    response_code = response_code if response_code is not None else (status or 500)
    row = {
        "TenantId": WORKSPACE, "TimeGenerated": when, "OperationName": "Microsoft.ApiManagement/GatewayLogs",
        "CorrelationId": f"7e1b3c2a-55aa-4f0e-9c1d-2b3a4c5d6e7{n}", "Region": "West Europe",
        "IsRequestSuccess": "True" if response_code < 400 else "False", "Category": "GatewayLogs",
        "TotalTime": "152", "CallerIpAddress": "203.0.113.7", "Method": "GET",
        "Url": f"https://{APIM}/partnercenter{path}", "ClientProtocol": "HTTP/1.1",
        "ResponseCode": str(response_code), "BackendMethod": "GET" if backend_host else "",
        "BackendUrl": backend_url, "BackendResponseCode": str(status) if status else "",
        "BackendProtocol": "HTTP/1.1" if backend_host else "", "RequestSize": "912", "ResponseSize": "1533",
        "Cache": "none", "CacheTime": "0", "BackendTime": "140", "ClientTime": "2", "ApiId": "partner-center",
        "OperationId": "get-customers", "ProductId": "integrations", "UserId": "1",
        "ApimSubscriptionId": "billing-sync", "BackendId": "",
        "LastErrorElapsed": "", "LastErrorSource": "", "LastErrorScope": "", "LastErrorSection": "",
        "LastErrorReason": "", "LastErrorMessage": "", "ApiRevision": "1", "ClientTlsVersion": "1.2",
        "RequestHeaders": json.dumps(request_headers),
        "ResponseHeaders": json.dumps({"Content-Type": "application/json"}),
        "BackendRequestHeaders": json.dumps(backend_request_headers) if backend_host else "",
        "BackendResponseHeaders": json.dumps(backend_response_headers) if backend_host else "",
        "RequestBody": "", "ResponseBody": body, "BackendRequestBody": "",
        "BackendResponseBody": body if backend_host else "", "Errors": "[]",
        "TraceRecords": json.dumps([{"message": "forwarded", "severity": "Information"}]),
        "SourceSystem": "Azure", "Type": "ApiManagementGatewayLogs",
        "_ResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/"
                       "microsoft.apimanagement/service/contoso-apim",
    }
    return row


def apim_rows(time_of):
    """(row, expected verdict) for the APIM exports; `time_of` formats times."""
    return [
        apim_row(1, time_of(2, 8, 15, 3, 123), "/v1/customers?size=50", PC, 401,
                 token=app_user(BROKEN_APP, ["pwd"], "ops@fixture.example", 11), body=ERROR_900421_PRETTY),
        apim_row(2, time_of(2, 8, 16, 0, 5), "/v1/customers/5b6c7d8e-0000-4000-8000-000000000001/subscriptions",
                 PC, 200, token=app_user(GOOD_APP, ["pwd", "mfa"], "admin@fixture.example", 12),
                 body='{"totalCount":0,"items":[]}'),
        apim_row(3, time_of(2, 13, 1, 2, 300), "/v1/invoices", PC, 200, token=app_only(DAEMON_APP, 13)),
        # Another backend: not Partner Center, whatever the frontend says.
        apim_row(4, time_of(2, 13, 2, 0, 0), "/v1.0/me", "graph.microsoft.com", 200,
                 token=app_user(RISKY_APP, ["pwd"], "bot@fixture.example", 14)),
        # APIM answered itself (rate limit): no backend call.
        apim_row(5, time_of(2, 13, 3, 0, 0), "/v1/customers", None, None, response_code=429),
        # Backend headers not logged; the client's Partner Center token was forwarded.
        apim_row(6, time_of(3, 9, 0, 0, 0), "/v1/customers", PC, 200,
                 client_token=app_user(RISKY_APP, ["pwd"], "bot@fixture.example", 15)),
        # No token logged at all; Partner Center's isMfaCompliant answer decides.
        apim_row(7, time_of(3, 9, 0, 1, 0), "/v1/customers", PC, 200,
                 backend_response_headers={"isMfaCompliant": "False"}),
    ]


APIM_VERDICTS = ["broken", "compliant", "not_affected", "other", "other", "at_risk", "at_risk"]


def write_csv(path, columns, rows, bom=True, delimiter=","):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        f.write(buf.getvalue())


def main():
    os.makedirs(OUT, exist_ok=True)

    # 1. ApiManagementGatewayLogs, Log Analytics "Export to CSV (all columns)".
    rows = apim_rows(us_time)
    table = [[r["TimeGenerated" if c == "TimeGenerated [UTC]" else c] for c in APIM_COLUMNS] for r in rows]
    # A ragged row (a cell lost): rejected, the rest goes on.
    table.insert(3, table[0][:-1])
    write_csv(os.path.join(OUT, "ApiManagementGatewayLogs.csv"), APIM_COLUMNS, table)

    # 2. The same table as a JSON array (Log Analytics query API / az CLI):
    #    dynamic columns as JSON text, numbers as numbers.
    records = []
    for r in apim_rows(iso):
        rec = dict(r)
        for key in ("ResponseCode", "BackendResponseCode", "TotalTime", "RequestSize", "ResponseSize"):
            rec[key] = int(rec[key]) if rec[key] else None
        rec["IsRequestSuccess"] = rec["IsRequestSuccess"] == "True"
        records.append(rec)
    with open(os.path.join(OUT, "apim-gateway-logs.json"), "w") as f:
        json.dump(records, f, indent=2)

    # 3. The older diagnostic logs in a storage account (PT1H.json): JSON lines,
    #    camelCase under `properties`, headers as objects.
    lines = []
    for r in apim_rows(lambda d, h, m, s, ms: f"2026-06-{d:02}T{h:02}:{m:02}:{s:02}.{ms:03}0000Z"):
        props = {
            "method": r["Method"], "url": r["Url"], "backendResponseCode": int(r["BackendResponseCode"] or 0),
            "responseCode": int(r["ResponseCode"]), "responseSize": 1533, "cache": "none", "backendTime": 140,
            "requestSize": 912, "apiId": r["ApiId"], "operationId": r["OperationId"],
            "apimSubscriptionId": r["ApimSubscriptionId"], "clientTime": 2, "clientProtocol": "HTTP/1.1",
            "backendProtocol": r["BackendProtocol"], "apiRevision": "1", "clientTlsVersion": "1.2",
            "backendMethod": r["BackendMethod"], "backendUrl": r["BackendUrl"],
            "requestHeaders": json.loads(r["RequestHeaders"]),
        }
        if r["BackendRequestHeaders"]:
            props["backendRequestHeaders"] = json.loads(r["BackendRequestHeaders"])
            props["backendResponseHeaders"] = json.loads(r["BackendResponseHeaders"])
        if r["BackendResponseBody"]:
            props["backendResponseBody"] = r["BackendResponseBody"]
        lines.append(json.dumps({
            "DeploymentVersion": "0.52.1.0", "Level": 4, "isRequestSuccess": r["IsRequestSuccess"] == "True",
            "time": r["TimeGenerated"], "operationName": "Microsoft.ApiManagement/GatewayLogs",
            "category": "GatewayLogs", "durationMs": 152, "callerIpAddress": "203.0.113.7",
            "correlationId": r["CorrelationId"], "location": "West Europe", "properties": props,
            "resourceId": "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG/PROVIDERS/"
                          "MICROSOFT.APIMANAGEMENT/SERVICE/CONTOSO-APIM",
        }))
    with open(os.path.join(OUT, "apim-diagnostics-PT1H.json"), "w") as f:
        f.write("\n".join(lines) + "\n")

    # 4. AppDependencies, "Export to CSV (all columns)".
    op = ["4bf92f3577b34da6a3ce929d0e0e473{}".format(i) for i in range(6)]
    dep_columns = ["TenantId", "TimeGenerated [UTC]", "Id", "Target", "DependencyType", "Name", "Data",
                   "Success", "ResultCode", "DurationMs", "PerformanceBucket", "Properties", "Measurements",
                   "OperationName", "OperationId", "ParentId", "SyntheticSource", "SessionId", "UserId",
                   "UserAuthenticatedId", "UserAccountId", "AppVersion", "AppRoleName", "AppRoleInstance",
                   "ClientType", "ClientIP", "ResourceGUID", "IKey", "SDKVersion", "ItemCount", "SourceSystem",
                   "Type", "_ResourceId"]

    def dep(when, target, dep_type, name, data, success, code, operation, role):
        return [WORKSPACE, when, "00f067aa0ba902b7", target, dep_type, name, data, success, code, "231.5",
                "100ms-250ms", json.dumps({"AspNetCoreEnvironment": "Production", "_MS.ProcessedByMetricExtractors":
                                           "(Name:'Dependencies', Ver:'1.1')"}), "", "POST /jobs/sync",
                operation, "53995c3f42cd8ad8", "", "", "", "", "", "2.1.0", role, "vm-01", "PC", "0.0.0.0",
                "9e8d7c6b-5a49-4838-a271-605f4e3d2c1b", "6b1f0e0a-0000-4000-8000-000000000000", "dotnetc:2.22.0",
                "1", "Azure", "AppDependencies", "/subscriptions/00000000/resourcegroups/rg/providers/"
                "microsoft.insights/components/contoso-ai"]

    dep_rows = [
        dep(us_time(2, 8, 15, 3, 123), PC, "HTTP", "GET /v1/customers",
            f"https://{PC}/v1/customers?size=50&filter=%7B%22Field%22%3A%22Domain%22%7D", "False", "401",
            op[0], "contoso-billing-sync"),
        dep(us_time(2, 20, 15, 4, 0), PC, "HTTP",
            "GET /v1/customers/5b6c7d8e-0000-4000-8000-000000000001/subscriptions",
            f"https://{PC}/v1/customers/5b6c7d8e-0000-4000-8000-000000000001/subscriptions", "True", "200",
            op[1], "contoso-billing-sync"),
        dep(us_time(2, 20, 15, 5, 0), "sql-prod.database.windows.net | contoso", "SQL", "contoso",
            "SELECT TOP 10 * FROM dbo.PartnerInvoices", "True", "0", op[1], "contoso-billing-sync"),
        dep(us_time(3, 0, 0, 1, 0), "graph.microsoft.com", "HTTP", "GET /v1.0/users",
            "https://graph.microsoft.com/v1.0/users?$filter=startswith(displayName,'partner')", "True", "200",
            op[2], "contoso-billing-sync"),
    ]
    write_csv(os.path.join(OUT, "AppDependencies.csv"), dep_columns, dep_rows)

    # 5. AppTraces, CSV: a message with a newline and Partner Center's error inline.
    trace_columns = ["TenantId", "TimeGenerated [UTC]", "Message", "SeverityLevel", "Properties",
                     "OperationName", "OperationId", "ParentId", "AppRoleName", "AppRoleInstance", "Type"]
    trace_rows = [
        [WORKSPACE, us_time(2, 8, 15, 3, 200),
         f"Partner Center call GET https://{PC}/v1/customers?size=50 failed: 401 Unauthorized\n{ERROR_900421}",
         "3", json.dumps({"CategoryName": "Contoso.Billing.PartnerCenterClient"}), "POST /jobs/sync", op[0],
         "53995c3f42cd8ad8", "contoso-billing-sync", "vm-01", "AppTraces"],
        [WORKSPACE, us_time(2, 8, 15, 3, 250), "Sync job finished with 1 error", "1", "{}", "POST /jobs/sync",
         op[0], "53995c3f42cd8ad8", "contoso-billing-sync", "vm-01", "AppTraces"],
    ]
    write_csv(os.path.join(OUT, "AppTraces.csv"), trace_columns, trace_rows)

    # 5b. AppExceptions, CSV: `Details` is JSON text quoting Partner Center's error.
    exception_columns = ["TenantId", "TimeGenerated [UTC]", "ProblemId", "HandledAt", "ExceptionType",
                         "Assembly", "Method", "OuterType", "OuterMessage", "OuterAssembly", "OuterMethod",
                         "InnermostType", "InnermostMessage", "SeverityLevel", "Details", "Properties",
                         "OperationName", "OperationId", "AppRoleName", "Type"]
    partner_exception = "Microsoft.Store.PartnerCenter.Exceptions.PartnerException"
    exception_rows = [
        [WORKSPACE, us_time(2, 21, 30, 0, 0), "PartnerException at CustomerSync.Run", "UserCode",
         partner_exception, "Microsoft.Store.PartnerCenter, Version=3.4.0.0", "CustomerSync.Run",
         partner_exception, "Partner Center returned Unauthorized", "Microsoft.Store.PartnerCenter",
         "CustomerSync.Run", partner_exception, "Partner Center returned Unauthorized", "3",
         json.dumps([{"outerId": "0", "message": "Partner Center returned Unauthorized\n" + ERROR_900421,
                      "type": partner_exception, "id": "47112225",
                      "parsedStack": [{"level": 0, "method": "CustomerSync.Run", "line": 42}]}]),
         "{}", "POST /jobs/sync", op[4], "contoso-billing-sync", "AppExceptions"],
        [WORKSPACE, us_time(2, 21, 31, 0, 0), "TimeoutException at CustomerSync.Run", "UserCode",
         "System.TimeoutException", "System.Private.CoreLib", "CustomerSync.Run", "System.TimeoutException",
         "The operation has timed out.", "System.Private.CoreLib", "CustomerSync.Run",
         "System.TimeoutException", "The operation has timed out.", "3", "[]", "{}", "POST /jobs/sync", op[5],
         "contoso-billing-sync", "AppExceptions"],
    ]
    write_csv(os.path.join(OUT, "AppExceptions.csv"), exception_columns, exception_rows)

    # 6. Classic `exceptions` and `dependencies` as a JSON array (query API).
    exceptions = [{
        "timestamp": iso(4, 10, 0, 0, 0), "problemId": "PartnerException at InvoiceExport.Run",
        "handledAt": "UserCode", "type": "Microsoft.Store.PartnerCenter.Exceptions.PartnerException",
        "message": "Partner Center returned Unauthorized",
        "assembly": "Microsoft.Store.PartnerCenter, Version=3.4.0.0", "method": "InvoiceExport.Run",
        "outerType": "Microsoft.Store.PartnerCenter.Exceptions.PartnerException",
        "outerMessage": "Partner Center returned Unauthorized", "severityLevel": 3,
        "details": json.dumps([{"outerId": "0", "message": ERROR_900421,
                                "type": "Microsoft.Store.PartnerCenter.Exceptions.PartnerException",
                                "id": "47112225", "parsedStack": []}]),
        "customDimensions": json.dumps({"Authorization": "Bearer " + app_user(BROKEN_APP, ["pwd"],
                                                                             "ops@fixture.example", 16)}),
        "operation_Name": "InvoiceExport", "operation_Id": op[3], "cloud_RoleName": "legacy-invoice-export",
        "appId": "9e8d7c6b-5a49-4838-a271-605f4e3d2c1b", "appName": "contoso-ai", "itemType": "exception",
    }]
    with open(os.path.join(OUT, "exceptions.json"), "w") as f:
        json.dump(exceptions, f, indent=2)
    dependencies = [{
        "timestamp": iso(4, 10, 0, 0, 0), "id": "|9f2b.1.", "target": f"{PC}:443", "type": "Http",
        "name": "GET /v1/invoices", "data": f"https://{PC}/v1/invoices", "success": "False",
        "resultCode": "401", "duration": 88.1, "operation_Id": op[3], "cloud_RoleName": "legacy-invoice-export",
        "appId": "9e8d7c6b-5a49-4838-a271-605f4e3d2c1b", "appName": "contoso-ai", "itemType": "dependency",
    }]
    with open(os.path.join(OUT, "dependencies.json"), "w") as f:
        json.dump(dependencies, f, indent=2)

    # 7. A spreadsheet someone saved from a proxy export: semicolons, no BOM,
    #    the Authorization column included, and a quote never closed at the end.
    sheet_columns = ["Date", "Request URL", "Method", "Status Code", "Authorization", "Response Body"]
    sheet = [
        ["2026-06-05 07:00:00", f"https://{PC}/v1/customers", "GET", "200",
         "Bearer " + app_user(RISKY_APP, ["pwd"], "bot@fixture.example", 17), ""],
        ["2026-06-05 07:00:01", "https://management.azure.com/subscriptions", "GET", "200", "", ""],
    ]
    write_csv(os.path.join(OUT, "proxy-sheet.csv"), sheet_columns, sheet, bom=False, delimiter=";")
    with open(os.path.join(OUT, "proxy-sheet.csv"), "a", newline="") as f:
        f.write(f'2026-06-05 07:00:02;https://{PC}/v1/orders;GET;401;;"{{""code"":900421,')


if __name__ == "__main__":
    main()
