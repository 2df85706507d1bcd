#!/usr/bin/env python3
"""Writes tests/fixtures/access-logs/ and tests/fixtures/text-logs/: access logs
(Envoy, nginx, IIS W3C, Front Door, Application Gateway) and application text
logs shaped like what those systems export, awkward parts included.

Deterministic: run `python3 scripts/gen_text_fixtures.py` from the repo root.
Every token and secret is fake. tests/text_formats.rs states what pcmfa must
find in each line.
"""
import json
import os

from gen_test_fixtures import app_only, app_user

ROOT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
ACCESS = os.path.join(ROOT, "access-logs")
TEXT = os.path.join(ROOT, "text-logs")

PC = "api.partnercenter.microsoft.com"
BROKEN_APP = "aaaaaaaa-1111-4111-8111-111111111111"
RISKY_APP = "bbbbbbbb-2222-4222-8222-222222222222"
DAEMON_APP = "dddddddd-4444-4444-8444-444444444444"
CUSTOMER = "9a4b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
ERR_900421 = json.dumps({"code": 900421, "description": "Multi-factor authentication is required for this request.",
                         "data": [], "source": "PartnerFD"})
# Planted secrets: none may reach any output.
REFRESH = "0.AXoAFixtureRefreshTokenTextLog-5s9d8f7g6h5j4k3l2"
PASSWORD = "Fixture-Passw0rd-TextLog!"


def write(folder, name, lines, newline="\n", bom=False):
    os.makedirs(folder, exist_ok=True)
    data = newline.join(lines) + newline
    with open(os.path.join(folder, name), "wb") as f:
        if bom:
            f.write(b"\xef\xbb\xbf")
        f.write(data.encode())


def envoy():
    # Envoy's default format; line numbers are the records tests check.
    write(ACCESS, "envoy-egress.log", [
        # 1: a Partner Center call that succeeded: unknown (no token in an access log)
        f'[2026-06-02T08:15:03.123Z] "GET /v1/customers?size=100 HTTP/1.1" 200 - 0 48211 211 209 "10.1.4.22" "PartnerCenterDotNetSDK/3.1.2" "0f3f7c3e-6a8b-4d1e-9c2f-7b6a5d4c3b2a" "{PC}" "20.190.141.36:443"',
        # 2: a 401 from Partner Center: suggestive, still unknown
        f'[2026-06-02T08:15:04.500Z] "GET /v1/customers/{CUSTOMER}/subscriptions HTTP/1.1" 401 - 0 187 95 94 "10.1.4.22" "PartnerCenterDotNetSDK/3.1.2" "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" "{PC}" "20.190.141.36:443"',
        # 3: another service: other
        '[2026-06-02T08:15:05.000Z] "GET /v1.0/users HTTP/2" 200 - 0 5120 80 79 "10.1.4.22" "Microsoft Graph SDK" "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e" "graph.microsoft.com" "20.190.151.68:443"',
        # 4: the client went away: code 0, flag DC, no upstream
        f'[2026-06-02T08:15:06.000Z] "POST /v1/customers/{CUSTOMER}/orders HTTP/1.1" 0 DC 412 0 30001 - "10.1.4.23" "python-requests/2.31.0" "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f" "{PC}" "-"',
        # 5: a lookalike host: other
        f'[2026-06-02T08:15:07.000Z] "GET /v1/customers HTTP/1.1" 200 - 0 311 40 39 "10.1.4.24" "curl/8.5.0" "4d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f8a" "{PC}.evil.example" "203.0.113.50:443"',
        "",
        # 7: a user agent with a stray quote (Envoy does not escape it)
        f'[2026-06-02T08:15:08.000Z] "GET /v1/invoices HTTP/1.1" 200 - 0 911 120 119 "10.1.4.22" "Billing "Nightly" Export/1.0" "5e6f7a8b-9c0d-4e1f-8a3b-4c5d6e7f8a9b" "{PC}" "20.190.141.36:443"',
        # 8: its start lost to a copy-paste, mentions Partner Center: malformed_line
        f'5:09.000Z] "GET /v1/customers HTTP/1.1" 200 - 0 911 120 119 "10.1.4.22" "curl/8.5.0" "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d" "{PC}" "20.190.141.36:443"',
    ])
    # Istio's sidecar format, egress through a ServiceEntry.
    write(ACCESS, "istio-proxy.log", [
        # 1
        f'[2026-06-02T09:00:00.001Z] "GET /v1/customers HTTP/1.1" 401 - via_upstream - "-" 0 164 95 94 "-" "PartnerCenter-PowerShell/3.0" "6f7a8b9c-0d1e-4f2a-9b4c-5d6e7f8a9b0c" "{PC}" 20.190.141.36:443 outbound|443||{PC} 10.1.4.30:51234 20.190.141.36:443 10.1.4.22:40000 {PC} -',
        # 2
        '[2026-06-02T09:00:01.001Z] "GET /healthz HTTP/1.1" 200 - via_upstream - "-" 0 2 1 1 "-" "kube-probe/1.29" "7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d" "billing:8080" 127.0.0.1:8080 inbound|8080|| 127.0.0.6:40111 10.1.4.22:8080 10.1.4.1:51000 - default',
    ])


def nginx():
    # nginx as a forward proxy to Partner Center, log_format combined.
    write(ACCESS, "nginx-combined.log", [
        # 1: absolute URL: Partner Center
        f'10.1.4.22 - - [02/Jun/2026:10:15:03 +0200] "GET https://{PC}/v1/customers?size=100 HTTP/1.1" 200 48211 "-" "PartnerCenterDotNetSDK/3.1.2"',
        # 2: a relative path with no host proves nothing: other
        '10.1.4.22 - - [02/Jun/2026:10:15:04 +0200] "GET /v1/customers HTTP/1.1" 401 164 "-" "PartnerCenterDotNetSDK/3.1.2"',
        # 3: an HTTPS tunnel: the calls inside are not visible: other
        f'10.1.4.22 - - [02/Jun/2026:10:15:05 +0200] "CONNECT {PC}:443 HTTP/1.1" 200 0 "-" "python-requests/2.31.0"',
        # 4: TLS spoken to the plain port
        '10.1.4.99 - - [02/Jun/2026:10:15:06 +0200] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03" 400 157 "-" "-"',
        # 5: a 401 from Partner Center, a query string with a secret (never copied)
        f'10.1.4.23 - svc-billing [02/Jun/2026:10:15:07 +0200] "POST https://{PC}/v1/customers/{CUSTOMER}/orders?refresh_token={REFRESH} HTTP/1.1" 401 187 "https://portal.contoso.example/billing?password={PASSWORD}" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) PowerShell/7.4.1"',
        # 6: a lookalike: other
        f'10.1.4.24 - - [02/Jun/2026:10:15:08 +0200] "GET https://{PC}.evil.example/v1/customers HTTP/1.1" 200 311 "-" "curl/8.5.0"',
    ])
    # log_format main with "$http_x_forwarded_for" "$host" $upstream_addr $request_time $upstream_response_time
    write(ACCESS, "nginx-upstream.log", [
        # 1: relative path, but the added "$host" is Partner Center
        f'10.1.4.22 - - [02/Jun/2026:08:20:00 +0000] "GET /v1/invoices HTTP/1.1" 200 911 "-" "curl/8.5.0" "203.0.113.9" "{PC}" 20.190.141.36:443 0.153 0.150',
        # 2: another upstream: other
        '10.1.4.22 - - [02/Jun/2026:08:20:01 +0000] "GET /v1.0/me HTTP/1.1" 200 411 "-" "curl/8.5.0" "-" "graph.microsoft.com" 20.190.151.68:443 0.053 0.050',
        # 3: the upstream failed over: two addresses, the second a name
        f'10.1.4.22 - - [02/Jun/2026:08:20:02 +0000] "GET /v1/customers HTTP/1.1" 502 157 "-" "curl/8.5.0" "-" "egress.contoso.internal" 10.0.0.9:443, {PC}:443 5.001 5.000, 0.100',
    ])
    # vhost_combined-style: $host first.
    write(ACCESS, "nginx-vhost.log", [
        f'{PC} 10.1.4.22 - - [02/Jun/2026:08:25:00 +0000] "GET /v1/customers/{CUSTOMER} HTTP/1.1" 401 164 "-" "PartnerCenter-PowerShell/3.0"',
        'portal.contoso.example 10.1.4.22 - - [02/Jun/2026:08:25:01 +0000] "GET /v1/customers HTTP/1.1" 200 912 "-" "Mozilla/5.0"',
    ])


def iis():
    fields_1 = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
                "cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken")
    fields_2 = ("date time cs-method cs-uri-stem cs-uri-query s-port c-ip cs(User-Agent) cs(Cookie) cs-host "
                "sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken")
    write(ACCESS, "u_ex260602.log", [
        "#Software: Microsoft Internet Information Services 10.0",  # 1
        "#Version: 1.0",  # 2
        "#Date: 2026-06-02 08:00:00",  # 3
        f"#Fields: {fields_1}",  # 4
        # 5: ARR reverse proxy to Partner Center, 401
        f"2026-06-02 08:15:03 10.0.0.4 GET /v1/customers size=100&refresh_token={REFRESH} 443 - 10.1.4.22 "
        f"PartnerCenter-PowerShell/3.0+(Windows+NT+10.0;+Win64;+x64) - {PC} 401 0 0 187",
        # 6: another site: other
        "2026-06-02 08:15:04 10.0.0.4 GET /api/health - 443 - 10.1.4.1 kube-probe/1.29 - billing.contoso.example 200 0 0 2",
        # 7: no host logged, a Partner Center-looking path: other
        "2026-06-02 08:15:05 10.0.0.4 GET /v1/customers/partnercenter-sync - 443 - 10.1.4.22 curl/8.5.0 - - 200 0 0 15",
        # 8: a value with a raw space (not W3C): malformed_line
        f"2026-06-02 08:15:06 10.0.0.4 GET /v1/invoices - 443 - 10.1.4.22 Bad Agent - {PC} 200 0 0 20",
        # IIS restarted with other fields.
        "#Software: Microsoft Internet Information Services 10.0",  # 9
        "#Version: 1.0",  # 10
        "#Date: 2026-06-02 09:00:00",  # 11
        f"#Fields: {fields_2}",  # 12
        # 13: read with the new fields; the cookie is never copied
        f"2026-06-02 09:00:01 POST /v1/customers/{CUSTOMER}/orders - 443 10.1.4.23 python-requests/2.31.0 "
        f"session=CookieSecret0123456789;+password={PASSWORD} {PC} 201 0 0 1380 412 640",
    ], newline="\r\n")


def front_door():
    def record(t, status, uri, origin, ua, ref):
        return {"time": t, "resourceId": "/SUBSCRIPTIONS/0C1D2E3F-4A5B-4C6D-8E7F-90A1B2C3D4E5/RESOURCEGROUPS/EDGE/PROVIDERS/MICROSOFT.CDN/PROFILES/CONTOSO-FD",
                "category": "FrontDoorAccessLog", "operationName": "Microsoft.Cdn/Profiles/AccessLog/Write",
                "properties": {"trackingReference": ref, "httpMethod": "GET", "httpVersion": "1.1.0.0",
                               "requestUri": uri, "hostName": "contoso-pc.azurefd.net", "requestBytes": "412",
                               "responseBytes": "1193", "userAgent": ua, "clientIp": "203.0.113.9",
                               "clientPort": "55224", "socketIp": "203.0.113.9", "timeToFirstByte": "0.187",
                               "timeTaken": "0.188", "requestProtocol": "HTTPS", "securityProtocol": "TLS 1.2",
                               "rulesEngineMatchNames": [], "httpStatusCode": str(status),
                               "httpStatusDetails": str(status), "pop": "AMS", "cacheStatus": "CONFIG_NOCACHE",
                               "errorInfo": "NoError", "ErrorInfo": "NoError", "result": "N/A",
                               "endpoint": "contoso-pc.azurefd.net", "routingRuleName": "pc-route",
                               "originUrl": origin, "originIp": "20.190.141.36:443",
                               "originName": origin.split("/")[2] if origin != "N/A" else "N/A",
                               "referer": "", "clientCountry": "Netherlands", "domain": "contoso-pc.azurefd.net:443",
                               "isReceivedFromClient": True}}
    lines = [
        # 1: routed to Partner Center, 401
        record("2026-06-02T08:15:03.1234567Z", 401, "https://contoso-pc.azurefd.net:443/v1/customers?size=100",
               f"https://{PC}:443/v1/customers?size=100", "PartnerCenterDotNetSDK/3.1.2", "0Hkt9ZwAAAAB7TXzIJ3ePQK2hcJFo0fpFQU1TMDFFREdFMDYxOAA2YWI"),
        # 2: routed to the partner's own app: other
        record("2026-06-02T08:15:04.1234567Z", 200, "https://contoso-pc.azurefd.net:443/status",
               "https://contoso-billing.azurewebsites.net:443/status", "kube-probe/1.29", "0Hkt9ZwAAAAC7TXzIJ3ePQK2hcJFo0fpFQU1TMDFFREdFMDYxOAA2YWI"),
    ]
    write(os.path.join(ACCESS, "front-door"), "PT1H.json", [json.dumps(r) for r in lines])
    # Log Analytics AzureDiagnostics rows exported as a JSON array (typed suffixes).
    rows = [{"TenantId": "0c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5", "TimeGenerated": "2026-06-02T08:16:00.000Z",
             "ResourceId": "/SUBSCRIPTIONS/0C1D2E3F-4A5B-4C6D-8E7F-90A1B2C3D4E5/RESOURCEGROUPS/EDGE/PROVIDERS/MICROSOFT.CDN/PROFILES/CONTOSO-FD",
             "Category": "FrontDoorAccessLog", "ResourceProvider": "MICROSOFT.CDN", "OperationName": "Microsoft.Cdn/Profiles/AccessLog/Write",
             "httpMethod_s": "POST", "requestUri_s": f"https://contoso-pc.azurefd.net:443/v1/customers/{CUSTOMER}/orders",
             "originUrl_s": f"https://{PC}:443/v1/customers/{CUSTOMER}/orders", "httpStatusCode_s": "201",
             "userAgent_s": "python-requests/2.31.0", "trackingReference_s": "0Hkt9ZwAAAAD7TXzIJ3ePQK2hcJFo0fpFQU1TMDFFREdFMDYxOAA2YWI",
             "timeTaken_s": "0.641", "pop_s": "AMS", "Type": "AzureDiagnostics"}]
    with open(os.path.join(ACCESS, "front-door", "azurediagnostics-export.json"), "w") as f:
        json.dump(rows, f, indent=2)


def app_gateway():
    def record(t, host, uri, status, server_status, ua, txn):
        return {"timeStamp": t, "resourceId": "/SUBSCRIPTIONS/0C1D2E3F-4A5B-4C6D-8E7F-90A1B2C3D4E5/RESOURCEGROUPS/EDGE/PROVIDERS/MICROSOFT.NETWORK/APPLICATIONGATEWAYS/EGRESS-AGW",
                "listenerName": "pc-listener", "ruleName": "pc-rule", "backendPoolName": "partnercenter",
                "backendSettingName": "pc-https", "operationName": "ApplicationGatewayAccess",
                "category": "ApplicationGatewayAccessLog",
                "properties": {"instanceId": "appgw_1", "clientIP": "10.1.4.22", "clientPort": 45057,
                               "httpMethod": "GET", "originalRequestUriWithArgs": uri, "requestUri": uri.split("?")[0],
                               "requestQuery": uri.split("?")[1] if "?" in uri else "", "userAgent": ua,
                               "httpStatus": status, "httpVersion": "HTTP/1.1", "receivedBytes": 184, "sentBytes": 466,
                               "clientResponseTime": 0, "timeTaken": 0.191, "WAFEvaluationTime": "0", "WAFMode": "Detection",
                               "transactionId": txn, "sslEnabled": "on", "sslCipher": "ECDHE-RSA-AES256-GCM-SHA384",
                               "sslProtocol": "TLSv1.2", "serverRouted": "20.190.141.36:443", "serverStatus": server_status,
                               "serverResponseLatency": "0.187", "upstreamSourcePort": "21564", "originalHost": host,
                               "host": host, "error_info": "ERRORINFO_NO_ERROR", "contentType": "application/json"}}
    doc = {"records": [
        # 1: Partner Center answered 401
        record("2026-06-02T08:15:03+00:00", PC, "/v1/customers?size=100", 401, "401", "PartnerCenterDotNetSDK/3.1.2",
               "592d1649f75a8d2b8f85c09ac5d1cc4f"),
        # 2: another host: other
        record("2026-06-02T08:15:04+00:00", "billing.contoso.example", "/", 200, "200", "Mozilla/5.0",
               "692d1649f75a8d2b8f85c09ac5d1cc4f"),
    ]}
    os.makedirs(os.path.join(ACCESS, "app-gateway"), exist_ok=True)
    with open(os.path.join(ACCESS, "app-gateway", "PT1H.json"), "w") as f:
        json.dump(doc, f)


def text_logs():
    risky = app_user(RISKY_APP, ["pwd"], "bot@fixture.example", 21)
    daemon = app_only(DAEMON_APP, 22)
    write(TEXT, "billing-sync.log", [
        # 1: nothing about Partner Center: other
        "2026-06-02 08:15:03,001 INFO billing_sync: starting nightly run",
        # 2: a bare success: unknown
        f"2026-06-02 08:15:03,456 INFO billing_sync: GET https://{PC}/v1/customers?size=100 -> 200 OK "
        "(correlationId=5b1f0e8c-1d2e-4f3a-9b8c-0d1e2f3a4b5c)",
        # 3-10: one record: the traceback and the response body join the ERROR line: broken
        "2026-06-02 08:15:04,001 ERROR billing_sync: Partner Center call failed",
        "Traceback (most recent call last):",
        '  File "/app/billing_sync.py", line 88, in fetch_subscriptions',
        "    resp.raise_for_status()",
        '  File "/usr/lib/python3/dist-packages/requests/models.py", line 1021, in raise_for_status',
        "    raise HTTPError(http_error_msg, response=self)",
        f"requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://{PC}/v1/customers/{CUSTOMER}/subscriptions",
        f"Response body: {ERR_900421}",
        # 11: request headers dumped at DEBUG, an App+User token without MFA: at_risk
        f"2026-06-02 08:15:05,000 DEBUG billing_sync: request headers {{'Authorization': 'Bearer {risky}', "
        "'MS-CorrelationId': '6c2f1e9d-2e3f-4a4b-8c9d-1e2f3a4b5c6d', 'Accept': 'application/json'}",
        # 12: secrets on a line that never mentions Partner Center: other, never copied
        f"2026-06-02 08:15:05,200 INFO billing_sync: token refreshed refresh_token={REFRESH} password={PASSWORD}",
        # 13: a daemon's call with its app-only token: not_affected
        f"2026-06-02 08:15:06,000 DEBUG billing_sync: GET https://{PC}/v1/invoices Authorization: Bearer {daemon} -> HTTP/1.1 200 OK",
        # 14: a lookalike host: other
        f"2026-06-02 08:15:07,000 INFO billing_sync: GET https://{PC}.evil.example/v1/customers -> 200 OK",
    ])
    write(TEXT, "provisioning-worker.log", [
        # 1-2: .NET console logger: the message is on the indented line: unknown
        "info: System.Net.Http.HttpClient.PartnerCenter.LogicalHandler[100]",
        f"      Start processing HTTP request GET https://{PC}/v1/customers/{CUSTOMER}/subscriptions",
        # 3-4: no URL, no 900421: other
        "info: System.Net.Http.HttpClient.PartnerCenter.LogicalHandler[101]",
        "      End processing HTTP request after 187.3ms - 401",
        # 5-10: the error with the code as a string and a stack trace: broken
        "fail: Contoso.Provisioning.Worker[0]",
        f"      Partner Center rejected POST https://{PC}/v1/customers/{CUSTOMER}/orders (MS-RequestId: 0c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f)",
        '      {"code":"900421","description":"Multi-factor authentication is required for this request.","data":[],"source":"PartnerFD"}',
        "      System.Net.Http.HttpRequestException: Response status code does not indicate success: 401 (Unauthorized).",
        "         at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()",
        "         at Contoso.Provisioning.Worker.PlaceOrderAsync(Order order) in /src/Worker.cs:line 57",
        # 11: the legacy rejection: broken (legacy_mfa_required)
        f"warn: Contoso.Provisioning.Worker[0]",
        f"      GET https://{PC}/v1/customers returned 401 Unauthorized - MFA required",
    ])
    # A Java service: logback with a pretty-printed body and a cause chain, CRLF line ends.
    write(TEXT, "invoice-export.log", [
        # 1-11: broken
        f"2026-06-02 08:30:00.101 ERROR 4242 --- [pool-1-thread-3] c.c.i.PartnerCenterClient : GET https://{PC}/v1/invoices failed with HTTP 401",
        "{",
        '  "code" : 900421,',
        '  "description" : "Multi-factor authentication is required for this request.",',
        '  "data" : [ ],',
        '  "source" : "PartnerFD"',
        "}",
        "com.contoso.invoice.PartnerCenterException: 401 Unauthorized",
        "\tat com.contoso.invoice.PartnerCenterClient.get(PartnerCenterClient.java:88)",
        "Caused by: org.springframework.web.client.HttpClientErrorException$Unauthorized: 401 Unauthorized",
        "\t... 12 common frames omitted",
        # 12: unrelated: other
        "2026-06-02 08:30:01.000  INFO 4242 --- [main] c.c.i.Application : Started in 3.2 seconds",
    ], newline="\r\n")


def main():
    envoy()
    nginx()
    iis()
    front_door()
    app_gateway()
    text_logs()


if __name__ == "__main__":
    main()
