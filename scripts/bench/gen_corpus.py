#!/usr/bin/env python3
"""Generate a large, deterministic corpus of egress-gateway JSON lines for the
end-to-end benchmark (scripts/bench/run.sh).

    gen_corpus.py --size-mib 1024 --pc-share 0.10 --out target/bench/gw-1024-pc10.jsonl
    gen_corpus.py --size-mib 1024 --pc-share 0.10 --out gw.jsonl.gz --gzip

Each line is one HTTP call seen by an egress gateway, about 1.5-1.9 KB (a v1 access
token alone is ~1.1 KB; token requests and SAS-signed storage calls carry none):

    {"timestamp":"2026-06-01T08:15:03.123Z","client_ip":"10.20.3.14",
     "request":{"method":"GET","url":"https://api.partnercenter.microsoft.com/v1/customers/<guid>/subscriptions?size=100",
                "headers":{"Authorization":"Bearer <jwt>","Accept":"application/json",
                           "User-Agent":"...","MS-CorrelationId":"<guid>"}},
     "response":{"status":200,"headers":{"Content-Type":"...","MS-RequestId":"<guid>"},"body":"..."},
     "duration_ms":182}

A share --pc-share of the lines call Partner Center (api.partnercenter.microsoft.com)
from 20 integrations, each with its own app id and auth flow: app-only (v1 token with
idtyp app + roles), App+User with MFA (scp + upn + amr ["pwd","mfa"]), App+User without
MFA (amr ["pwd"]): some of those calls are already rejected with 401 and body
{"code":900421,...}. The rest go to graph.microsoft.com, management.azure.com,
login.microsoftonline.com and blob storage, with tokens for those audiences (plus a few
token requests whose scope names Partner Center, and a lookalike host, so that a filter
on the raw bytes alone is not enough).

Speed: the script builds a pool of a few thousand pre-rendered line templates (every
field fixed except the bearer token, the timestamp and the two correlation ids), then
writes lines in a seeded random order, patching the timestamp (monotonic over
2026-06-01..07), the token of the principal for that hour (tokens rotate hourly; each is
built once, when first used) and fresh correlation/request ids. Stdlib only; 1 GiB takes
~15 s on one core. The output is a function of (--seed, --pc-share,
--size-mib) only: the same arguments give the same bytes, gzipped or not.
"""

import argparse
import base64
import gzip
import json
import random
import sys

PC_HOST = "api.partnercenter.microsoft.com"
PC_AUD = "https://api.partnercenter.microsoft.com"
START = 1780272000  # 2026-06-01T00:00:00Z
DAYS = 7
SPAN = DAYS * 86400
HOURS = DAYS * 24

JWT_KEYS = [  # (x5t, kid) of the two signing keys in rotation
    "kWbkaa6qs8wsTnBwiiNYOhHbnAw",
    "JYhAcTPMZ_LX6DBlOWQ7Hn0NeXE",
]

FIRST = ["alex", "maria", "chen", "fatima", "john", "priya", "lukas", "sofia", "omar",
         "yuki", "david", "elena", "samir", "anna", "kofi", "ines", "tom", "mei"]
LAST = ["smith", "garcia", "wang", "khan", "mueller", "rossi", "novak", "tanaka",
        "okafor", "silva", "jensen", "dubois", "kowalski", "haddad"]

# The 20 Partner Center integrations: (name, flow, share of PC calls, share of their
# no-MFA calls already rejected with 900421, user agent).
# flow: app = app-only; mfa = App+User with MFA; nomfa = App+User without MFA;
#       mixed = App+User, some users with MFA and some without.
INTEGRATIONS = [
    ("Contoso Billing Sync", "nomfa", 9.0, 0.80, "ContosoBillingSync/3.4.1 (+dotnet 8.0.6)"),
    ("Legacy Invoice Export", "nomfa", 2.0, 1.00, "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.17763.2931"),
    ("Fabrikam Provisioning Bot", "nomfa", 6.0, 0.0, "FabrikamBot/2.0 python-requests/2.31.0"),
    ("Northwind Usage Collector", "app", 14.0, 0.0, "NorthwindUsage/1.9.0 (Java 17; okhttp/4.12.0)"),
    ("Tailspin CSP Automation", "mfa", 7.0, 0.0, "Tailspin.CspAutomation/5.2.0 PartnerCenterSDK/3.1.2"),
    ("Adatum Reseller Portal", "mixed", 8.0, 0.35, "AdatumPortal/2024.11 (node 20.11.1; axios 1.6.7)"),
    ("Woodgrove Licensing Sync", "app", 10.0, 0.0, "WoodgroveLicensing/4.0.3 PartnerCenterSDK/3.1.2"),
    ("Litware Invoice Reconciler", "nomfa", 3.0, 0.50, "LitwareRecon/0.9.7 python-requests/2.32.3"),
    ("Fourth Coffee Admin Console", "mixed", 2.5, 0.0, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"),
    ("Proseware Order Desk", "mfa", 4.0, 0.0, "ProsewareOrderDesk/7.1.0 (dotnet 6.0.31)"),
    ("Wide World Price Importer", "app", 5.0, 0.0, "WWIPriceImporter/2.2.0 (Go-http-client/2.0)"),
    ("Trey Research Churn Model", "app", 3.0, 0.0, "TreyChurn/1.0 (python-httpx/0.27.0)"),
    ("Lucerne Support Desk", "nomfa", 2.0, 0.0, "LucerneSupportDesk/12.4 (Windows; dotnet 4.8)"),
    ("Margie's Travel Billing", "mixed", 3.5, 0.60, "MargiesBilling/3.0.0 PartnerCenterSDK/2.0.1"),
    ("Coho Winery Subscriptions", "mfa", 2.0, 0.0, "CohoSubs/1.4.2 (node 18.19.0; got 12.6)"),
    ("Alpine Ski Tenant Onboarding", "app", 4.5, 0.0, "AlpineOnboarding/2.7 (PowerShell 7.4.2; PartnerCenter 3.0.10)"),
    ("Bellows College Renewals", "nomfa", 1.5, 0.20, "BellowsRenewals/1.1 curl/8.5.0"),
    ("Graphic Design Institute Seats", "app", 3.0, 0.0, "GDISeats/3.3.0 (Java 21; Apache-HttpClient/5.3)"),
    ("VanArsdel Quote Engine", "mfa", 4.0, 0.0, "VanArsdelQuotes/6.0.2 (dotnet 8.0.4)"),
    ("Relecloud Audit Export", "app", 6.0, 0.0, "RelecloudAudit/1.2.0 (python-requests/2.28.1)"),
]

PC_OPERATIONS = [  # (method, path template, query, ok status, response body kind)
    ("GET", "/v1/customers", "?size=100", 200, "collection"),
    ("GET", "/v1/customers/{c}", "", 200, "customer"),
    ("GET", "/v1/customers/{c}/subscriptions", "?size=100", 200, "collection"),
    ("GET", "/v1/customers/{c}/subscriptions/{s}", "", 200, "subscription"),
    ("PATCH", "/v1/customers/{c}/subscriptions/{s}", "", 200, "subscription"),
    ("POST", "/v1/customers/{c}/orders", "", 201, "order"),
    ("POST", "/v1/customers/{c}/carts", "", 201, "cart"),
    ("POST", "/v1/customers/{c}/carts/{s}/checkout", "", 200, "order"),
    ("GET", "/v1/customers/{c}/usagesummary", "", 200, "usage"),
    ("GET", "/v1/customers/{c}/subscriptions/{s}/usagerecords/resources", "", 200, "collection"),
    ("GET", "/v1/customers/{c}/users", "?size=500", 200, "collection"),
    ("GET", "/v1/invoices", "", 200, "collection"),
    ("GET", "/v1/invoices/G{n}/lineitems", "?provider=OneTime&invoicelineitemtype=billinglineitems&currencycode=USD&size=2000", 200, "collection"),
    ("GET", "/v1/offers", "?country=US", 200, "collection"),
    ("GET", "/v1/products", "?country=US&targetView=AzureAzureSubscriptions", 200, "collection"),
    ("GET", "/v1/productUpgrades/{s}/status", "", 200, "usage"),
]

OTHER_APPS = 30  # non-Partner-Center client applications


class Guids:
    def __init__(self, rng):
        self.rng = rng

    def __call__(self):
        h = "%032x" % self.rng.getrandbits(128)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64rand(rng, n):
    return b64url(rng.randbytes(n))


class Principal:
    """One token subject: an app (app-only) or a user in an app (App+User)."""

    def __init__(self, rng, guid, aud, appid, tid, user=None, mfa=None, roles=None, scp=None):
        self.aud, self.appid, self.tid = aud, appid, tid
        self.user, self.mfa, self.roles, self.scp = user, mfa, roles, scp
        self.oid = guid()
        self.ipaddr = "203.0.113.%d" % rng.randrange(2, 250)
        self.kid = rng.choice(JWT_KEYS)
        self.tokens = {}
        self.seed = rng.getrandbits(64)

    def token(self, hour):
        t = self.tokens.get(hour)
        if t is None:
            t = self.tokens[hour] = self._make(hour)
        return t

    def _make(self, hour):
        rng = random.Random(self.seed * 1000 + hour)
        iat = START + hour * 3600 - rng.randrange(60, 300)
        header = {"typ": "JWT", "alg": "RS256", "x5t": self.kid, "kid": self.kid}
        p = {"aud": self.aud, "iss": f"https://sts.windows.net/{self.tid}/",
             "iat": iat, "exp": iat + 3600 + rng.randrange(300, 1500)}
        if self.user:
            p["acr"] = "1"
            p["amr"] = ["pwd", "mfa"] if self.mfa else ["pwd"]
            p["appid"] = self.appid
            p["appidacr"] = "1"
            p["idtyp"] = "user"
            p["oid"] = self.oid
            p["scp"] = self.scp
            p["tid"] = self.tid
            p["upn"] = self.user[0]
            p["uti"] = b64rand(rng, 16)
            p["ver"] = "1.0"
        else:
            p["appid"] = self.appid
            p["appidacr"] = "1"
            p["idp"] = f"https://sts.windows.net/{self.tid}/"
            p["idtyp"] = "app"
            p["oid"] = self.oid
            if self.roles:
                p["roles"] = self.roles
            p["tid"] = self.tid
            p["uti"] = b64rand(rng, 16)
            p["ver"] = "1.0"
        h = b64url(json.dumps(header, separators=(",", ":")).encode())
        b = b64url(json.dumps(p, separators=(",", ":")).encode())
        return f"{h}.{b}.{b64rand(rng, 256)}"


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


# Sentinels replaced at write time; a template is split on them.
TOK, CORR, REQ = "@@TOKEN@@", "@@CORR@@", "@@REQ@@"


def render(rng, guid, method, url, principal, ua, status, resp_headers, body, extra_req=None, req_body=None):
    req_headers = {}
    if principal is not None:
        req_headers["Authorization"] = "Bearer " + TOK
    req_headers["Accept"] = "application/json"
    req_headers["User-Agent"] = ua
    req_headers["MS-CorrelationId"] = CORR
    if extra_req:
        req_headers.update(extra_req)
    request = {"method": method, "url": url, "headers": req_headers}
    if req_body is not None:
        request["body"] = req_body
    response = {"status": status, "headers": resp_headers, "body": body}
    rest = {
        "client_ip": "10.%d.%d.%d" % (rng.randrange(16, 40), rng.randrange(256), rng.randrange(2, 255)),
        "request": request,
        "response": response,
        "duration_ms": int(rng.lognormvariate(4.8, 0.7)) + 3,
    }
    text = '",' + dumps(rest)[1:] + "\n"
    # Split into [prefix-before-token, token-slot?, ...]: the parts between sentinels.
    parts = []
    slots = []
    pos = 0
    while True:
        nxt = [(text.find(s, pos), s) for s in (TOK, CORR, REQ)]
        nxt = [(i, s) for i, s in nxt if i >= 0]
        if not nxt:
            parts.append(text[pos:])
            break
        i, s = min(nxt)
        parts.append(text[pos:i])
        slots.append(s)
        pos = i + len(s)
    return principal, tuple(parts), tuple(slots)


def user_of(rng, domain):
    f, l = rng.choice(FIRST), rng.choice(LAST)
    return (f"{f}.{l}@{domain}", f"{f.title()} {l.title()}")


def build_pc_pool(rng, guid):
    """Templates for Partner Center calls, with their cumulative weights."""
    partner_tids = [guid() for _ in range(6)]
    customers = [guid() for _ in range(400)]
    pool, weights = [], []
    for idx, (name, flow, share, rejected, ua) in enumerate(INTEGRATIONS):
        appid = guid()
        # Most integrations run in the partner's main tenant; a few ISV tools in several.
        tids = [partner_tids[0]] if idx % 4 else partner_tids[: 1 + idx % 3 + (idx % 5 == 0) * 2]
        principals = []
        if flow == "app":
            for tid in tids:
                principals.append(Principal(rng, guid, PC_AUD, appid, tid,
                                            roles=["Partner.Read.All"] if idx % 2 else None))
        else:
            domain = rng.choice(["contoso.onmicrosoft.com", "fabrikam.com", "adatum.onmicrosoft.com", "wingtip.example"])
            for tid in tids:
                for k in range(rng.randrange(1, 5)):
                    if flow == "mfa":
                        mfa = True
                    elif flow == "nomfa":
                        mfa = False
                    else:
                        mfa = k % 2 == 0
                    principals.append(Principal(rng, guid, PC_AUD, appid, tid, user=user_of(rng, domain),
                                                mfa=mfa, scp="user_impersonation"))
        ops = rng.sample(PC_OPERATIONS, rng.randrange(2, 6))
        n_templates = max(20, int(share * 40))
        for _ in range(n_templates):
            pr = rng.choice(principals)
            method, path, query, ok, kind = rng.choice(ops)
            c, s = rng.choice(customers), guid()
            url = "https://" + PC_HOST + path.format(c=c, s=s, n=rng.randrange(100000000, 999999999)) + query
            rid = guid()
            if pr.user and not pr.mfa and rng.random() < rejected:
                status = 401
                body = dumps({"code": 900421, "description": "Multi-factor authentication is required for this operation. "
                              "Please sign in again using MFA.", "data": [], "source": "PartnerFD"})
                ctype = "application/json; charset=utf-8"
            else:
                status = ok
                body = {
                    "collection": '{"totalCount":%d,"items":[...],"links":{"self":{"uri":"%s","method":"GET","headers":[]}},"attributes":{"objectType":"Collection"}}' % (rng.randrange(0, 250), path.format(c=c, s=s, n=0)),
                    "customer": '{"id":"%s","companyProfile":{"tenantId":"%s","domain":"cust%d.onmicrosoft.com"},"relationshipToPartner":"reseller","attributes":{"objectType":"Customer"}}' % (c, c, rng.randrange(1000)),
                    "subscription": '{"id":"%s","offerId":"CFQ7TTC0LF8R:0001","quantity":%d,"status":"active","autoRenewEnabled":true,"billingCycle":"monthly","attributes":{"objectType":"Subscription"}}' % (s, rng.randrange(1, 300)),
                    "order": '{"id":"%s","status":"completed","lineItems":[{"lineItemNumber":0,"offerId":"CFQ7TTC0LH18:0001","quantity":%d}],"attributes":{"objectType":"Order"}}' % (guid(), rng.randrange(1, 50)),
                    "cart": '{"id":"%s","status":"Active","lineItems":[{"id":0,"catalogItemId":"DZH318Z0BQ3Q:0007:DZH318Z0BQ7S","quantity":%d}],"attributes":{"objectType":"Cart"}}' % (s, rng.randrange(1, 50)),
                    "usage": '{"resourceId":"%s","totalCost":%d.%02d,"currencyCode":"USD","attributes":{"objectType":"CustomerUsageSummary"}}' % (c, rng.randrange(0, 90000), rng.randrange(100)),
                }[kind]
                ctype = "application/json; charset=utf-8"
            resp_headers = {"Content-Type": ctype, "MS-RequestId": REQ}
            pool.append(render(rng, guid, method, url, pr, ua, status, resp_headers, body))
            weights.append(share / n_templates * (1.8 if method == "GET" else 0.6))
    return pool, weights


def build_other_pool(rng, guid):
    """Templates for the rest of the egress traffic."""
    tenants = [guid() for _ in range(4)]
    pool, weights = [], []
    graph_paths = ["/v1.0/users?$top=100&$select=id,displayName,userPrincipalName", "/v1.0/groups/{g}/members",
                   "/v1.0/me", "/v1.0/applications?$top=50", "/v1.0/servicePrincipals?$filter=appId eq '{g}'",
                   "/v1.0/users/{g}/memberOf", "/beta/reports/getOffice365ActiveUserDetail(period='D7')",
                   "/v1.0/subscribedSkus", "/v1.0/organization", "/v1.0/auditLogs/signIns?$top=999"]
    arm_paths = ["/subscriptions/{g}/resourceGroups?api-version=2021-04-01",
                 "/subscriptions/{g}/providers/Microsoft.Compute/virtualMachines?api-version=2023-03-01",
                 "/providers/Microsoft.Billing/billingAccounts?api-version=2020-05-01",
                 "/subscriptions/{g}/providers/Microsoft.CostManagement/query?api-version=2023-03-01",
                 "/subscriptions?api-version=2022-12-01",
                 "/subscriptions/{g}/resourceGroups/rg-prod/providers/Microsoft.Web/sites?api-version=2022-03-01"]
    uas = ["Azure-SDK-For-Python azure-mgmt-resource/23.0.1 Python/3.11.7 (Linux-6.1.0-x86_64)",
           "azsdk-net-Identity/1.11.4 (.NET 8.0.6; Microsoft Windows 10.0.20348)",
           "Microsoft Graph PowerShell SDK/2.19.0 (PowerShell 7.4.2)",
           "msgraph-sdk-java/6.4.0 (featureUsage=0)", "python-requests/2.31.0",
           "Go-http-client/2.0", "Terraform/1.8.3 terraform-provider-azurerm/3.105.0",
           "okhttp/4.12.0", "curl/8.5.0", "kube-state-exporter/0.9 (linux/amd64)"]
    graph_aud = ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"]
    apps = []
    for i in range(OTHER_APPS):
        appid, tid = guid(), rng.choice(tenants)
        kind = rng.choices(["graph", "arm", "storage"], [4, 3, 3])[0]
        aud = {"graph": rng.choice(graph_aud), "arm": "https://management.azure.com/",
               "storage": "https://storage.azure.com"}[kind]
        if rng.random() < 0.5:
            prs = [Principal(rng, guid, aud, appid, tid, roles=["User.Read.All", "Directory.Read.All"] if kind == "graph" else None)]
        else:
            dom = rng.choice(["contoso.onmicrosoft.com", "fabrikam.com"])
            prs = [Principal(rng, guid, aud, appid, tid, user=user_of(rng, dom), mfa=rng.random() < 0.7,
                             scp="User.Read Directory.Read.All" if kind == "graph" else "user_impersonation")
                   for _ in range(rng.randrange(1, 4))]
        apps.append((kind, prs, rng.choice(uas), rng.uniform(0.5, 3.0)))
    for kind, prs, ua, w in apps:
        for _ in range(60):
            pr = rng.choice(prs)
            g = guid()
            status = rng.choices([200, 200, 200, 201, 204, 403, 404, 429], [50, 20, 10, 2, 2, 2, 3, 1])[0]
            if kind == "graph":
                path = rng.choice(graph_paths).replace("{g}", g)
                url, method = "https://graph.microsoft.com" + path, "GET"
                body = '{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#directoryObjects","value":[...]}'
                rh = {"Content-Type": "application/json;odata.metadata=minimal;charset=utf-8", "request-id": REQ}
            elif kind == "arm":
                path = rng.choice(arm_paths).replace("{g}", g)
                url = "https://management.azure.com" + path
                method = "POST" if "query" in path else "GET"
                body = '{"value":[{"id":"/subscriptions/%s/resourceGroups/rg-%d","location":"westeurope"}]}' % (g, rng.randrange(100))
                rh = {"Content-Type": "application/json; charset=utf-8", "x-ms-request-id": REQ}
            else:
                acct = "st%sdata%02d" % (rng.choice(["prod", "logs", "bill"]), rng.randrange(20))
                url = "https://%s.blob.core.windows.net/exports/%s/part-%05d.csv.gz" % (acct, g, rng.randrange(5000))
                if rng.random() < 0.6:  # a SAS URL: no bearer token
                    url += "?sv=2023-11-03&ss=b&srt=co&sp=rl&se=2026-07-01T00:00:00Z&sig=[redacted]"
                    pr = None
                method = rng.choice(["GET", "PUT", "GET", "HEAD"])
                body = ""
                rh = {"Content-Type": "application/octet-stream", "x-ms-request-id": REQ,
                      "Content-Length": str(rng.randrange(1000, 9000000))}
            pool.append(render(rng, guid, method, url, pr, ua, status, rh, body,
                               extra_req={"x-ms-version": "2023-11-03"} if kind == "storage" else None))
            weights.append(w / 60)
    # Token requests (no bearer; gateways redact the response): some for Partner Center.
    for i in range(80):
        tid = rng.choice(tenants)
        scope = rng.choice(["https://graph.microsoft.com/.default", "https://management.azure.com/.default",
                            "https://api.partnercenter.microsoft.com/user_impersonation offline_access",
                            "https://api.partnercenter.microsoft.com/.default", "https://storage.azure.com/.default"])
        grant = "refresh_token" if "user_impersonation" in scope else "client_credentials"
        status = rng.choices([200, 400, 401], [90, 7, 3])[0]
        body = ('{"token_type":"Bearer","scope":"%s","expires_in":%d,"ext_expires_in":%d,"access_token":"[redacted]"}'
                % (scope, 3599 - rng.randrange(900), 3599) if status == 200 else
                '{"error":"invalid_grant","error_description":"AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.","error_codes":[70008],"timestamp":"2026-06-01 08:15:03Z","trace_id":"%s","correlation_id":"%s"}' % (guid(), guid()))
        url = "https://login.microsoftonline.com/%s/oauth2/v2.0/token" % tid
        rh = {"Content-Type": "application/json; charset=utf-8", "x-ms-request-id": REQ}
        pool.append(render(rng, guid, "POST", url, None, rng.choice(uas), status, rh, body,
                           extra_req={"Content-Type": "application/x-www-form-urlencoded",
                                      "x-client-SKU": "MSAL.Python", "x-client-Ver": "1.28.0"},
                           req_body="client_id=%s&grant_type=%s&scope=%s&client_secret=[redacted]"
                           % (guid(), grant, scope.replace(":", "%3A").replace("/", "%2F").replace(" ", "+"))))
        weights.append(0.02)  # token requests: ~3% of the other lines (tokens are cached for an hour)
    # A lookalike host (not Partner Center: pcmfa and the SQL both must leave it out).
    look = Principal(rng, guid, "https://graph.microsoft.com", guid(), rng.choice(tenants), roles=None)
    for i in range(4):
        url = "https://api.partnercenter.microsoft.com.evil.example/v1/customers?size=100"
        pool.append(render(rng, guid, "GET", url, look, "python-requests/2.31.0", 404,
                           {"Content-Type": "text/html"}, "<html><body>Not Found</body></html>"))
        weights.append(0.002)
    return pool, weights


def cumulative(ws):
    out, acc = [], 0.0
    for w in ws:
        acc += w
        out.append(acc)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mib", type=float, required=True, help="uncompressed size to write, MiB")
    ap.add_argument("--pc-share", type=float, required=True, help="share of lines that call Partner Center, 0..1")
    ap.add_argument("--out", required=True)
    ap.add_argument("--gzip", action="store_true", help="write gzip (level 6)")
    ap.add_argument("--seed", type=int, default=20260601)
    args = ap.parse_args()
    if not 0.0 <= args.pc_share <= 1.0:
        ap.error("--pc-share must be within 0..1")

    rng = random.Random(args.seed)
    guid = Guids(rng)
    pc_pool, pc_w = build_pc_pool(rng, guid)
    other_pool, other_w = build_other_pool(rng, guid)
    pc_cw, other_cw = cumulative(pc_w), cumulative(other_w)

    target = int(args.size_mib * 1024 * 1024)
    # Mean line length (for the timestamp spacing), from the templates and hour-0 tokens.
    def mean_len(pool, ws):
        tot = sum(ws)
        return sum(w * (24 + sum(map(len, parts)) + sum(36 for s in slots if s is not TOK)
                        + (len(pr.token(0)) if TOK in slots else 0))
                   for (pr, parts, slots), w in zip(pool, ws)) / tot
    est_len = args.pc_share * mean_len(pc_pool, pc_w) + (1 - args.pc_share) * mean_len(other_pool, other_w)
    step = SPAN / max(1.0, target / est_len)

    # The writing loop uses its own stream so the pool does not depend on the size.
    wr = random.Random(args.seed ^ 0x5EED)
    wguid = Guids(wr)
    out = gzip.open(args.out, "wb", compresslevel=6) if args.gzip else open(args.out, "wb")
    written = 0
    lines = 0
    t = 0.0
    batch = 20000
    day_prefix = ["2026-06-%02dT" % (d + 1) for d in range(DAYS + 1)]
    share = args.pc_share
    rand = wr.random
    while written < target:
        n_pc = sum(1 for _ in range(batch) if rand() < share)
        picks = wr.choices(pc_pool, cum_weights=pc_cw, k=n_pc) if n_pc else []
        picks += wr.choices(other_pool, cum_weights=other_cw, k=batch - n_pc) if batch - n_pc else []
        wr.shuffle(picks)
        buf = []
        for principal, parts, slots in picks:
            t += step * (0.2 + 1.6 * rand())
            s = min(int(t), SPAN - 1)
            d, r = divmod(s, 86400)
            hh, r = divmod(r, 3600)
            mm, ss = divmod(r, 60)
            ts = '{"timestamp":"%s%02d:%02d:%02d.%03dZ' % (day_prefix[d], hh, mm, ss, int(t * 1000) % 1000)
            corr = wguid()
            pieces = [ts, parts[0]]
            for slot, part in zip(slots, parts[1:]):
                if slot is TOK:
                    pieces.append(principal.token(s // 3600))
                elif slot is CORR:
                    pieces.append(corr)
                else:
                    pieces.append(wguid())
                pieces.append(part)
            line = "".join(pieces)
            buf.append(line)
            written += len(line)
            lines += 1
            if written >= target:
                break
        out.write("".join(buf).encode("ascii"))
    out.close()
    print(f"{args.out}: {lines} lines, {written} bytes uncompressed ({written / lines:.0f} B/line), "
          f"pc share {args.pc_share}", file=sys.stderr)


if __name__ == "__main__":
    main()
