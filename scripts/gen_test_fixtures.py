#!/usr/bin/env python3
"""Writes tests/fixtures/: small hand-shaped inputs for pcmfa's edge cases.

Deterministic: run `python3 scripts/gen_test_fixtures.py` from the repo root.
Every token and secret is fake.
"""
import base64
import csv
import io
import json
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
TENANT = "0c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict, sig_seed: int) -> str:
    header = {"typ": "JWT", "alg": "RS256", "kid": "fixture-key"}
    sig = bytes((sig_seed * 37 + i * 11) % 256 for i in range(256))
    return ".".join([b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), b64(sig)])


def app_user(app_id, amr, upn, seed):
    return jwt({"aud": "https://api.partnercenter.microsoft.com", "iss": f"https://sts.windows.net/{TENANT}/",
                "iat": 1780300000, "exp": 1780303600, "amr": amr, "appid": app_id, "appidacr": "0",
                "scp": "user_impersonation", "tid": TENANT, "upn": upn, "oid": "5f4e3d2c-1b0a-4987-a6b5-c4d3e2f1a0b9",
                "ver": "1.0"}, seed)


def app_only(app_id, seed):
    return jwt({"aud": "https://api.partnercenter.microsoft.com", "iat": 1780300000, "exp": 1780303600,
                "appid": app_id, "appidacr": "1", "idtyp": "app", "tid": TENANT,
                "oid": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "ver": "1.0"}, seed)


def gateway(t, host, path, status, token=None, body=None, ua="FixtureClient/1.0"):
    headers = {"User-Agent": ua, "Cookie": "session=fixtureCookieSecret0123456789; theme=dark"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    rec = {"timestamp": t, "request": {"method": "GET", "url": f"https://{host}{path}", "headers": headers},
           "response": {"status": status}}
    if body is not None:
        rec["response"]["body"] = body
    return json.dumps(rec)


def main():
    os.makedirs(OUT, exist_ok=True)
    broken_app = "aaaaaaaa-1111-4111-8111-111111111111"
    risky_app = "bbbbbbbb-2222-4222-8222-222222222222"
    good_app = "cccccccc-3333-4333-8333-333333333333"
    daemon_app = "dddddddd-4444-4444-8444-444444444444"
    err = json.dumps({"code": 900421, "description": "MFA claim missing from the access token.", "data": [],
                      "source": "PartnerCenter"})
    lines = [
        gateway("2026-06-02T08:00:00Z", "api.partnercenter.microsoft.com", "/v1/customers?size=10", 401,
                app_user(broken_app, ["pwd"], "ops@fixture.example", 1), err),
        gateway("2026-06-02T08:00:01Z", "api.partnercenter.microsoft.com.evil.example", "/v1/customers", 200,
                app_user(broken_app, ["pwd"], "ops@fixture.example", 2)),
        '{"timestamp":"2026-06-02T08:00:02Z","request":{"method":"GET","url":"https://api.partnercenter.microsoft.com/v1/cust',
        gateway("2026-06-02T08:00:03Z", "api.partnercenter.microsoft.com", "/v1/customers/5b6c7d8e-0000-4000-8000-000000000001/subscriptions",
                200, app_user(risky_app, ["pwd"], "bot@fixture.example", 3)),
        '["api.partnercenter.microsoft.com", 401]',
        gateway("2026-06-02T08:00:05Z", "api.partnercenter.microsoft.com", "/v1/invoices", 200,
                "opaque-Zm9vYmFyYmF6cXV4-0123456789", ua="OpaqueClient/2.0"),
    ]
    data = "\n".join(lines).encode() + b"\n"
    data += b'{"timestamp":"2026-06-02T08:00:06Z","host":"api.partnercenter.microsoft.com","msg":"caf\xe9 \xff\xfe"}\n'
    data += gateway("2026-06-02T08:00:07Z", "API.PartnerCenter.Microsoft.com:443", "/v1/customers", 200,
                    app_user(good_app, ["pwd", "mfa"], "admin@fixture.example", 4)).encode() + b"\r\n"
    with open(os.path.join(OUT, "messy-gateway.jsonl"), "wb") as f:
        f.write(data)

    first = json.loads(gateway("2026-06-03T09:00:00Z", "api.partnercenter.microsoft.com", "/v1/customers", 200,
                               app_only(daemon_app, 5)))
    second = json.loads(gateway("2026-06-03T09:00:01Z", "api.partner.microsoft.com", "/v1.0/sales/referrals", 200,
                                app_user(risky_app, ["pwd"], "bot@fixture.example", 6)))
    third = gateway("2026-06-03T09:00:02Z", "api.partnercenter.microsoft.com", "/v1/customers", 200,
                    app_user(good_app, ["pwd", "mfa"], "admin@fixture.example", 7))
    doc = '{\n  "value": [\n    ' + json.dumps(first) + ',\n    ' + json.dumps(second) + ',\n    ' + third[: len(third) // 2]
    with open(os.path.join(OUT, "cut-export.json"), "w") as f:
        f.write(doc)

    with open(os.path.join(OUT, "notes.txt"), "w") as f:
        f.write("Exported from the egress gateway on 2026-06-03 after the incident.\n")

    cross_record(os.path.join(OUT, "cross-record"))


# Cross-record evidence: token requests whose grant decides the calls made
# with the token they issued, and Application Insights traces / exceptions
# whose 900421 breaks the dependency calls of the same operation.
CR_TENANT = "8f3c2a71-5e4b-4d2a-9c1e-6b7d0a3f4e21"
CR_DAEMON = "5d1c9e0a-7b3f-4e2d-9a8c-1f0e2d3c4b5a"     # client credentials
CR_ROPC = "6e2d0f1b-8c4a-4f3e-8b9d-2a1f3e4d5c6b"       # password grant
CR_SAM = "7f3e1a2c-9d5b-4a4f-9cae-3b2a4f5e6d7c"        # refresh token (Secure Application Model)
CR_SECRETS = {
    "daemon_secret": "Qm78Q~daemonFixtureSecret.0123456789abcdef",
    "ropc_secret": "Xy48Q~ropcFixtureSecret.fedcba9876543210",
    "ropc_password": "Winter2026!fixture-7731",
    "sam_secret": "Zt28Q~samFixtureSecret.00112233445566778899",
    "sam_refresh_in": "0.AXoAfixtureRefreshTokenIn-" + "r" * 40 + ".SAMin",
    "sam_refresh_out": "0.AXoAfixtureRefreshTokenOut-" + "s" * 40 + ".SAMout",
    "ropc_refresh_out": "0.AXoAfixtureRopcRefreshOut-" + "p" * 40 + ".ROPCout",
    # Access tokens Partner Center cannot be judged by: encrypted (JWE) or opaque.
    "daemon_token": "eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiZml4dHVyZSJ9."
                    "T2xkRW5jcnlwdGVkS2V5Rml4dHVyZTAxMjM0NTY3ODk.aXZGaXh0dXJlMDEy."
                    "Q2lwaGVydGV4dEZpeHR1cmVEYWVtb24wMTIzNDU2Nzg5YWJjZGVm.dGFnRml4dHVyZTAx",
    "ropc_token": "PAQABAAEAAADnfolhJpSnRYB1SVj-Hgd8ropcOpaqueFixtureToken0123456789abcdefGHIJ",
    "sam_token": "PAQABAAEAAADnfolhJpSnRYB1SVj-Hgd8samOpaqueFixtureTokenZYXWVUTSRQPONMLKJIH",
    "stray_token": "PAQABAAEAAADnfolhJpSnRYB1SVj-Hgd8strayOpaqueFixtureToken5555555555aaaaa",
}


def cr_gateway(t, method, url, status, headers=None, body=None, response_body=None, ua="FixtureClient/1.0"):
    request = {"method": method, "url": url, "headers": {"User-Agent": ua, **(headers or {})}}
    if body is not None:
        request["body"] = body
    response = {"status": status, "headers": {"Content-Type": "application/json; charset=utf-8"}}
    if response_body is not None:
        response["body"] = response_body
    return json.dumps({"timestamp": t, "gateway": "egress-gw-02", "request": request, "response": response,
                       "duration_ms": 212})


def token_response(access_token, refresh_token=None, resource="https://api.partnercenter.microsoft.com"):
    body = {"token_type": "Bearer", "scope": "user_impersonation", "expires_in": "3599",
            "ext_expires_in": "3599", "expires_on": "1780406400", "not_before": "1780402500",
            "resource": resource, "access_token": access_token}
    if refresh_token:
        body["refresh_token"] = refresh_token
    return json.dumps(body)


def cross_record(out):
    os.makedirs(out, exist_ok=True)
    s = CR_SECRETS
    login = f"https://login.microsoftonline.com/{CR_TENANT}/oauth2/token"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    pc = "https://api.partnercenter.microsoft.com"
    resource = "resource=https%3A%2F%2Fapi.partnercenter.microsoft.com"
    bearer = lambda token: {"Authorization": f"Bearer {token}"}
    basic = base64.b64encode(f"{CR_SAM}:{s['sam_secret']}".encode()).decode()
    lines = [
        # 1: the daemon's client-credentials request; the response (logged) issues an encrypted token.
        cr_gateway("2026-06-02T07:00:00.100Z", "POST", login, 200, form,
                   f"grant_type=client_credentials&client_id={CR_DAEMON}&client_secret={s['daemon_secret']}&{resource}",
                   token_response(s["daemon_token"]), ua="daemon/1.0"),
        # 2-3: its Partner Center calls with that token: undecodable, then app-only by the request.
        cr_gateway("2026-06-02T07:00:01.000Z", "GET", f"{pc}/v1/customers?size=100", 200, bearer(s["daemon_token"]),
                   ua="daemon/1.0"),
        cr_gateway("2026-06-02T07:00:02.000Z", "GET", f"{pc}/v1/invoices", 200, bearer(s["daemon_token"]),
                   ua="daemon/1.0"),
        # 4: a password-grant request (ROPC): App+User that cannot do MFA.
        cr_gateway("2026-06-02T07:05:00.000Z", "POST", login, 200, form,
                   f"grant_type=password&username=ops%40fixture.example&password={s['ropc_password']}"
                   f"&client_id={CR_ROPC}&client_secret={s['ropc_secret']}&{resource}",
                   token_response(s["ropc_token"], s["ropc_refresh_out"]), ua="ropc-sync/2.1"),
        # 5: Graph noise: a token request for another resource is `other`, not evidence.
        cr_gateway("2026-06-02T07:05:30.000Z", "POST", f"https://login.microsoftonline.com/{CR_TENANT}/oauth2/v2.0/token",
                   200, form,
                   f"grant_type=client_credentials&client_id={CR_ROPC}&client_secret={s['ropc_secret']}"
                   "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
                   token_response("PAQABAAEAAADgraphNoiseToken000111222333444555666777", resource="https://graph.microsoft.com"),
                   ua="ropc-sync/2.1"),
        # 6: the ROPC app's call with its opaque token: at risk by the request.
        cr_gateway("2026-06-02T07:06:00.000Z", "GET", f"{pc}/v1/customers/5b6c7d8e-0000-4000-8000-000000000001/subscriptions",
                   200, bearer(s["ropc_token"]), ua="ropc-sync/2.1"),
        # 7: a call with a token no logged request issued: stays unknown.
        cr_gateway("2026-06-02T07:07:00.000Z", "GET", f"{pc}/v1/customers", 200, bearer(s["stray_token"]),
                   ua="stray-client/0.1"),
        # 8: v2 refresh-token request, client authenticated with Basic; MFA not shown.
        cr_gateway("2026-06-02T07:10:00.000Z", "POST",
                   f"https://login.microsoftonline.com/{CR_TENANT}/oauth2/v2.0/token", 200,
                   {**form, "Authorization": f"Basic {basic}"},
                   f"grant_type=refresh_token&refresh_token={s['sam_refresh_in']}"
                   "&scope=https%3A%2F%2Fapi.partnercenter.microsoft.com%2Fuser_impersonation+offline_access",
                   token_response(s["sam_token"], s["sam_refresh_out"]), ua="sam-worker/3.0"),
    ]
    # The calls come first in their own file, the requests after: order must not matter.
    calls = [
        # 1: the SAM app's call with its opaque token: App+User, MFA unknown.
        cr_gateway("2026-06-02T07:10:01.000Z", "GET", f"{pc}/v1/customers?size=20", 200, bearer(s["sam_token"]),
                   ua="sam-worker/3.0"),
        # 2: the daemon again, in another file.
        cr_gateway("2026-06-02T07:10:02.000Z", "GET", f"{pc}/v1/customers", 200, bearer(s["daemon_token"]),
                   ua="daemon/1.0"),
    ]
    requests = os.path.join(out, "token-requests")
    os.makedirs(requests, exist_ok=True)
    with open(os.path.join(requests, "a-egress-calls.jsonl"), "w") as f:
        f.write("\n".join(calls) + "\n")
    with open(os.path.join(requests, "b-egress-token-requests.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(os.path.dirname(out), "..", "fixture-secrets.txt"), "w") as f:
        f.write("".join(v + "\n" for v in s.values()))
    app_insights(os.path.join(out, "app-insights"))


AI_TENANT = "3f2e1d0c-9b8a-4765-8432-10fedcba9876"
AI_RESOURCE = "/subscriptions/00000000/resourcegroups/rg-billing/providers/microsoft.insights/components/billing-ai"
PC_ERROR = json.dumps({"code": 900421, "description": "MFA claim missing from the access token.", "data": [],
                       "source": "PartnerCenter"})


def write_csv(path, columns, rows):
    """A Log Analytics "Export to CSV (all columns)": BOM, header, CRLF, quoted where needed."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write(buf.getvalue())


def app_insights(out):
    """Dependencies of one service (no token: unknown) and the traces and
    exceptions of the same operations, some quoting Partner Center's 900421."""
    os.makedirs(out, exist_ok=True)
    op = {k: f"7c1e4d2a9b3f4e5d8a6b0c2d4e6f80{n:02d}" for n, k in enumerate("ABCDEFG")}
    role = "billing-sync-worker"
    pc = "https://api.partnercenter.microsoft.com"
    dep_columns = ["TenantId", "TimeGenerated [UTC]", "Id", "Target", "DependencyType", "Name", "Data", "Success",
                   "ResultCode", "DurationMs", "PerformanceBucket", "Properties", "OperationName", "OperationId",
                   "ParentId", "AppRoleName", "AppRoleInstance", "SDKVersion", "ItemCount", "Type", "_ResourceId"]

    def dep(time, dep_id, method, url, status, operation):
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3].split("?")[0]
        return [AI_TENANT, time, dep_id, host, "HTTP", f"{method} {path}", url, "True" if status < 400 else "False",
                str(status), "231.5", "100ms-250ms", json.dumps({"AspNetCoreEnvironment": "Production"}),
                "POST /jobs/sync", operation, "53995c3f42cd8ad8", role, "vm-02", "dotnetc:2.22.0", "1",
                "AppDependencies", AI_RESOURCE]

    deps = [
        # 1: rejected; a trace of op A quotes 900421 -> broken (trace_900421).
        dep("6/2/2026, 9:00:01.100 AM", "a1b2c3d4e5f60001", "GET", f"{pc}/v1/customers?size=50", 401, op["A"]),
        # 2: same operation, succeeded: not the rejected call -> unknown.
        dep("6/2/2026, 9:00:01.400 AM", "a1b2c3d4e5f60002", "GET",
            f"{pc}/v1/customers/5b6c7d8e-0000-4000-8000-000000000001/subscriptions", 200, op["A"]),
        # 3: 401 without any trace saying why -> unknown.
        dep("6/2/2026, 9:05:00.000 AM", "a1b2c3d4e5f60003", "GET", f"{pc}/v1/invoices", 401, op["B"]),
        # 4: rejected; an exception of op C quotes 900421 -> broken.
        dep("6/2/2026, 9:10:00.000 AM", "a1b2c3d4e5f60004", "POST",
            f"{pc}/v1/customers/5b6c7d8e-0000-4000-8000-000000000001/orders", 401, op["C"]),
        # 5: a 500; the trace of op D quotes 900421 but this call was not the 401 -> unknown.
        dep("6/2/2026, 9:15:00.000 AM", "a1b2c3d4e5f60005", "GET", f"{pc}/v1/offers?country=US", 500, op["D"]),
        # 6: Graph: not Partner Center.
        dep("6/2/2026, 9:16:00.000 AM", "a1b2c3d4e5f60006", "GET", "https://graph.microsoft.com/v1.0/organization",
            200, op["D"]),
    ]
    write_csv(os.path.join(out, "AppDependencies.csv"), dep_columns, deps)

    trace_columns = ["TenantId", "TimeGenerated [UTC]", "Message", "SeverityLevel", "Properties", "OperationName",
                     "OperationId", "ParentId", "AppRoleName", "AppRoleInstance", "Type"]

    def trace(time, message, level, operation):
        return [AI_TENANT, time, message, str(level),
                json.dumps({"CategoryName": "Relecloud.Billing.PartnerCenterClient"}), "POST /jobs/sync", operation,
                "53995c3f42cd8ad8", role, "vm-02", "AppTraces"]

    traces = [
        # 1: lifts onto dependency 1, then counts as other.
        trace("6/2/2026, 9:00:01.150 AM",
              f"Partner Center call GET {pc}/v1/customers?size=50 failed: 401 Unauthorized\n{PC_ERROR}", 3, op["A"]),
        # 2: no 900421: other.
        trace("6/2/2026, 9:05:00.050 AM", "Partner Center call failed: 401 Unauthorized (retrying)", 2, op["B"]),
        # 3: op D's dependency was a 500, not this rejection: stays a broken call of its own.
        trace("6/2/2026, 9:15:00.050 AM", f"Partner Center rejected the token: {PC_ERROR}", 3, op["D"]),
        # 4: its operation's dependency is not among the inputs: a broken call of its own.
        trace("6/2/2026, 9:20:00.000 AM",
              f"Partner Center call GET {pc}/v1/customers/5b6c7d8e-0000-4000-8000-000000000001 failed: 401 {PC_ERROR}",
              3, op["E"]),
    ]
    write_csv(os.path.join(out, "AppTraces.csv"), trace_columns, traces)

    # AppExceptions as `az monitor log-analytics query` writes it: every value a string.
    exceptions = [{
        "TenantId": AI_TENANT, "TimeGenerated": "2026-06-02T09:10:00.2000000Z",
        "ProblemId": "PartnerException at Relecloud.Billing.OrderSync.Run",
        "HandledAt": "UserCode", "ExceptionType": "Microsoft.Store.PartnerCenter.Exceptions.PartnerException",
        "Assembly": "Microsoft.Store.PartnerCenter, Version=3.4.0.0", "Method": "Relecloud.Billing.OrderSync.Run",
        "OuterType": "Microsoft.Store.PartnerCenter.Exceptions.PartnerException",
        "OuterMessage": "Partner Center returned Unauthorized",
        "InnermostType": "Microsoft.Store.PartnerCenter.Exceptions.PartnerException",
        "InnermostMessage": "Partner Center returned Unauthorized",
        "SeverityLevel": "3",
        "Details": json.dumps([{"outerId": "0", "message": PC_ERROR,
                                "type": "Microsoft.Store.PartnerCenter.Exceptions.PartnerException",
                                "id": "47112225", "parsedStack": []}]),
        "OperationName": "POST /jobs/sync", "OperationId": op["C"], "ParentId": "53995c3f42cd8ad8",
        "AppRoleName": role, "AppRoleInstance": "vm-02", "Type": "AppExceptions", "_ResourceId": AI_RESOURCE,
        "TableName": "PrimaryResult",
    }]
    with open(os.path.join(out, "AppExceptions.json"), "w") as f:
        json.dump(exceptions, f, indent=2)


if __name__ == "__main__":
    main()
