#!/usr/bin/env python3
"""Generates pcmfa's bundled sample corpus under sample-data/.

One week (2026-06-01..2026-06-07, after Partner Center began enforcing MFA on
App+User calls) of exported logs from one fictional CSP partner, Relecloud
CSP, in the formats pcmfa reads: gateway JSON lines (nested and flat, one
gzip-compressed), a gateway export as one JSON document, a HAR capture,
Partner Center `partnerRequests` report pages, Entra ID sign-in logs (Event
Hub JSON lines and a portal "Download JSON" array).

Besides the logs it writes the answers pcmfa must reproduce:
`expected-integrations.csv`, `expected-totals.json`, `planted-secrets.txt`
and `README.md`. The answers come from an oracle in this file that re-reads
every generated record through the classification rules, and every record's
oracle verdict is checked against the verdict the scenario meant it to have.

Deterministic: fixed seeds and times, sorted output, gzip with mtime 0.
Python 3.11 standard library only. Run from anywhere:

    python3 scripts/gen_sample_data.py
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import random
import shutil
import sys
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sample-data"
LOGS = OUT / "logs"
SEED = "pcmfa-sample-2026-06"

UTC = timezone.utc
WEEK_START = datetime(2026, 6, 1, tzinfo=UTC)  # a Monday
DAYS = [WEEK_START + timedelta(days=d) for d in range(7)]

PC_RESOURCE = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"
PC_AUD = "https://api.partnercenter.microsoft.com"
PC_HOSTS = {
    "api.partnercenter.microsoft.com",
    "api.partner.microsoft.com",
    "partner.partnercenterapi.microsoftonline.cn",
}
PC_AUDIENCES = {PC_AUD, PC_RESOURCE}
GRAPH_RESOURCE = "00000003-0000-0000-c000-000000000000"
ARM_RESOURCE = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
KEYVAULT_RESOURCE = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"
AZURE_CLI_APP = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
LOOKALIKE_HOST = "api.partnercenter.microsoft.com.evil.example"

PARTNER_TENANT = "8f3c2a71-5e4b-4d2a-9c1e-6b7d0a3f4e21"
PARTNER_DOMAIN = "relecloudcsp.onmicrosoft.com"
CN_TENANT = "2d7e9b14-0c3a-4f6e-8a51-93b6c0d2e7f8"

VERDICTS = ["broken", "at_risk", "compliant", "not_affected", "unknown"]

MSG_900421 = (
    "The access token does not contain the multi-factor authentication (MFA) claim. "
    "App+User requests to Partner Center require a token issued after MFA."
)
MSG_900420 = (
    "The audience 'https://graph.windows.net' in the token is invalid. "
    "The token audience must be 'https://api.partnercenter.microsoft.com'."
)
REASON_50076 = (
    "Due to a configuration change made by your administrator, or because you moved to a new "
    "location, you must use multi-factor authentication to access '{res}'."
)
REASON_50079 = (
    "Due to a configuration change made by your administrator, or because you moved to a new "
    "location, you must enroll in multi-factor authentication to access '{res}'."
)


# --------------------------------------------------------------------------
# Small deterministic helpers
# --------------------------------------------------------------------------

def rng_for(*parts: object) -> random.Random:
    """A generator seeded by a label: one per file or token, so changing one
    file never reshuffles another. String seeds are hashed with SHA-512 by
    `random`, independent of PYTHONHASHSEED."""
    return random.Random("|".join([SEED, *map(str, parts)]))


def fixed_guid(label: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(f"{SEED}|{label}".encode()).digest()[:16], version=4))


def rand_guid(r: random.Random) -> str:
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def iso_ms(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def iso_7(t: datetime, suffix: str = "Z") -> str:
    """.NET round-trip form with 7 fractional digits (100 ns ticks)."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}{t.microsecond % 7}" + suffix


def iso_s(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def dotnet_trimmed(t: datetime) -> str:
    """`2026-06-02T10:18:35.73`: .NET DateTime without zone, trailing zeros trimmed."""
    frac = f"{t.microsecond // 10000:02d}".rstrip("0")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "")


def epoch_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def jitter(r: random.Random, t: datetime, max_seconds: int) -> datetime:
    return t + timedelta(seconds=r.randint(0, max_seconds), milliseconds=r.randint(0, 999))


def hex_id(r: random.Random, n: int = 32) -> str:
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def client_secret(label: str) -> str:
    """Shaped like an Entra ID client secret value (`xxx8Q~...`, 40 chars)."""
    r = rng_for("secret", label)
    head = "".join(r.choice(SECRET_ALPHABET) for _ in range(3))
    tail = "".join(r.choice(SECRET_ALPHABET + "._-~") for _ in range(34))
    return f"{head}8Q~{tail}"


def refresh_token(label: str) -> str:
    """Shaped like an Entra ID refresh token: opaque, `0.A...`."""
    r = rng_for("refresh", label)
    return "0.AXoA" + b64u(r.randbytes(480)) + "." + b64u(r.randbytes(48))


def customers(n: int = 24) -> list[str]:
    r = rng_for("customers")
    return [rand_guid(r) for _ in range(n)]


CUSTOMERS = customers()
INVOICES = [f"G0{n:08d}" for n in (41177265, 41177266, 42310458, 42310459, 43088120)]


# --------------------------------------------------------------------------
# The integrations
# --------------------------------------------------------------------------

@dataclass
class User:
    given: str
    family: str
    upn: str
    oid: str
    puid: str
    ip: str

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


def make_user(given: str, family: str, local: str, ip: str) -> User:
    r = rng_for("user", local)
    return User(given, family, f"{local}@{PARTNER_DOMAIN}", rand_guid(r),
                "1003" + "".join(r.choice("0123456789ABCDEF") for _ in range(12)), ip)


@dataclass
class App:
    code: str
    name: str           # the display name Entra ID would show
    ua: str | None
    story: str
    app_id: str = ""

    def __post_init__(self) -> None:
        if not self.app_id:
            self.app_id = fixed_guid("app|" + self.code)


APPS = {
    "contoso": App("contoso", "Contoso Billing Sync",
                   "ContosoBillingSync/3.2.1 (.NET 8.0.6; Windows NT 10.0.20348)",
                   "Vendor billing sync; App+User with a password-only refresh token. "
                   "Every Partner Center call is now rejected with 900421."),
    "adatum": App("adatum", "Adatum Usage Reporter",
                  "AdatumUsageReporter/1.8.0 python-requests/2.31.0",
                  "App+User with a federated token (amr [\"fed\"], no mfa). Worked until enforcement "
                  "reached it mid-week (gradual rollout): successes, then more and more 900421."),
    "legacyps": App("legacyps", "Legacy Invoice Export (PowerShell)", None,
                    "Old PowerShell script; seen only in sign-in logs, where Entra ID refuses its "
                    "Partner Center token (AADSTS50079, then AADSTS50076)."),
    "fabrikam": App("fabrikam", "Fabrikam Provisioning Bot",
                    "FabrikamProvisioningBot/5.0.2 (Java 17.0.11; okhttp/4.12.0)",
                    "App+User via the password grant, amr [\"pwd\"]; still succeeds (not yet "
                    "enforced). Also sends two wrong-audience tokens (900420, not MFA)."),
    "litware": App("litware", "Litware Quote Builder",
                   "LitwareQuoteBuilder/2.1.0 (Node.js 20.14.0; axios/1.7.2)",
                   "App+User with a v2.0 token (azp, aud = resource GUID, no amr): no MFA proof."),
    "fourthcoffee": App("fourthcoffee", "Fourth Coffee Admin Console",
                        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0",
                        "A developer's Fiddler capture: ValidateMfa: true answered isMfaCompliant: False "
                        "with a password-only token, then True after signing in again with MFA."),
    "alpine": App("alpine", "Alpine Ski House Quote Portal", None,
                  "Seen only in Partner Center's partnerRequests report, every row mfaCompliant: false."),
    "tailspin": App("tailspin", "Tailspin CSP Automation",
                    "TailspinCspAutomation/4.0.0 (PartnerCenter.NET SDK 3.4.0)",
                    "Secure Application Model: MFA-consented refresh token, amr [\"pwd\",\"mfa\"]. One "
                    "stale staging instance hits AADSTS700082 (refresh token expired)."),
    "coho": App("coho", "Coho Winery Order Desk", None,
                "Seen only in Partner Center's partnerRequests report, every row mfaCompliant: true."),
    "northwind": App("northwind", "Northwind Distributor Connector",
                     "northwind-connector/2.4.0 (go1.22.4)",
                     "App-only (client credentials) token with idtyp: app; also service-principal "
                     "sign-ins, one of them a failed client secret."),
    "wingtip": App("wingtip", "Wingtip License Auditor",
                   "WingtipLicenseAuditor/0.9.3 (PowerShell 7.4.2)",
                   "App-only token WITHOUT idtyp (no scp, no user claims, appid present)."),
    "invoicefetcher": App("invoicefetcher", "", "python-requests/2.32.3",
                          "A script behind a credential-injecting proxy: the log never shows its "
                          "Authorization header. Keyed by its user agent."),
    "proseware": App("proseware", "", "ProsewareSync/1.4.2 (+https://proseware.example/sync)",
                     "Sends an opaque (non-JWT) bearer token: nothing to decode. Keyed by its user agent."),
    "unidentified": App("unidentified", "", None,
                        "A .NET HttpClient with no User-Agent sending an encrypted (JWE, five-segment) "
                        "token: no app id, no name, no user agent."),
    # Not an integration: a phishing relay on a lookalike host.
    "lookalike": App("lookalike", "Lookalike Relay", "python-httpx/0.27.0",
                     "Traffic to api.partnercenter.microsoft.com.evil.example with a real Partner "
                     "Center-audience token: not Partner Center, must not be counted."),
}

USERS = {
    "contoso": make_user("Billing", "Sync", "svc-billing", "20.84.117.9"),
    "adatum": make_user("Usage", "Reporter", "usage.reporter", "20.42.65.88"),
    "legacyps": make_user("Invoice", "Export", "svc-invoice-export", "52.170.14.201"),
    "fabrikam": make_user("Provisioning", "Bot", "provisioning.bot", "40.76.212.5"),
    "litware": make_user("Isaiah", "Langer", "isaiahl", "51.105.77.140"),
    "fourthcoffee": make_user("Alex", "Wilber", "alexw", "85.214.132.17"),
    "alpine": make_user("Diego", "Siciliani", "diegos", "4.231.70.12"),
    "tailspin": make_user("Lee", "Gu", "leeg", "13.69.104.33"),
    "coho": make_user("Johanna", "Lorenz", "johannal", "20.105.88.9"),
    "lookalike": make_user("Provisioning", "Bot", "provisioning.bot", "185.220.101.47"),
}


def app_key(code: str) -> str:
    return APPS[code].app_id


# --------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------

X5T = b64u(rng_for("x5t").randbytes(20))
CN_X5T = b64u(rng_for("x5t-cn").randbytes(20))


def _jwt(header: dict, payload: dict, r: random.Random) -> str:
    return ".".join([b64u(compact(header).encode()), b64u(compact(payload).encode()), b64u(r.randbytes(256))])


def _times(r: random.Random, at: datetime) -> tuple[int, int, int]:
    """Tokens are cached per hour: issued shortly before the hour, valid 75-90 minutes."""
    hour = int(at.timestamp()) // 3600 * 3600
    iat = hour - r.randint(60, 900)
    return iat, iat, iat + 3600 + r.randint(1200, 1800)


class Mint:
    """Mints realistic, fake access tokens, one per integration, kind and hour."""

    def __init__(self) -> None:
        self.cache: dict[tuple, str] = {}

    def _get(self, key: tuple, build) -> str:
        if key not in self.cache:
            self.cache[key] = build(rng_for("token", *key))
        return self.cache[key]

    def app_user_v1(self, code: str, at: datetime, amr: list[str], aud: str = PC_AUD,
                    appidacr: str = "0") -> str:
        hour = int(at.timestamp()) // 3600
        user = USERS[code]

        def build(r: random.Random) -> str:
            iat, nbf, exp = _times(r, at)
            payload = {
                "aud": aud,
                "iss": f"https://sts.windows.net/{PARTNER_TENANT}/",
                "iat": iat, "nbf": nbf, "exp": exp,
                "acr": "1",
                "aio": "AVQAq/8" + b64u(r.randbytes(96)),
                "amr": amr,
                "appid": app_key(code),
                "appidacr": appidacr,
                "family_name": user.family,
                "given_name": user.given,
                "ipaddr": user.ip,
                "name": user.name,
                "oid": user.oid,
                "puid": user.puid,
                "rh": "0.AXoA" + b64u(r.randbytes(42)) + ".",
                "scp": "user_impersonation",
                "sub": b64u(r.randbytes(32)),
                "tid": PARTNER_TENANT,
                "unique_name": user.upn,
                "upn": user.upn,
                "uti": b64u(r.randbytes(16)),
                "ver": "1.0",
            }
            return _jwt({"typ": "JWT", "alg": "RS256", "x5t": X5T, "kid": X5T}, payload, r)

        return self._get((code, "v1u", tuple(amr), aud, appidacr, hour), build)

    def app_user_v2(self, code: str, at: datetime) -> str:
        hour = int(at.timestamp()) // 3600
        user = USERS[code]

        def build(r: random.Random) -> str:
            iat, nbf, exp = _times(r, at)
            payload = {
                "aud": PC_RESOURCE,
                "iss": f"https://login.microsoftonline.com/{PARTNER_TENANT}/v2.0",
                "iat": iat, "nbf": nbf, "exp": exp,
                "aio": "AWQAm/8" + b64u(r.randbytes(96)),
                "azp": app_key(code),
                "azpacr": "1",
                "name": user.name,
                "oid": user.oid,
                "preferred_username": user.upn,
                "rh": "0.AXoA" + b64u(r.randbytes(42)) + ".",
                "scp": "user_impersonation",
                "sub": b64u(r.randbytes(32)),
                "tid": PARTNER_TENANT,
                "uti": b64u(r.randbytes(16)),
                "ver": "2.0",
            }
            return _jwt({"typ": "JWT", "alg": "RS256", "kid": X5T}, payload, r)

        return self._get((code, "v2u", hour), build)

    def app_only_v1(self, code: str, at: datetime, aud: str = PC_AUD, idtyp: bool = True,
                    tenant: str = PARTNER_TENANT, issuer: str = "https://sts.windows.net") -> str:
        hour = int(at.timestamp()) // 3600

        def build(r: random.Random) -> str:
            iat, nbf, exp = _times(r, at)
            payload = {
                "aud": aud,
                "iss": f"{issuer}/{tenant}/",
                "iat": iat, "nbf": nbf, "exp": exp,
                "aio": "E2dgYHi" + b64u(r.randbytes(48)),
                "appid": app_key(code),
                "appidacr": "1",
                "idp": f"{issuer}/{tenant}/",
            }
            if idtyp:
                payload["idtyp"] = "app"
            payload.update({
                "oid": fixed_guid("sp|" + code),
                "rh": "0.AXoA" + b64u(r.randbytes(42)) + ".",
                "sub": fixed_guid("sp|" + code),
                "tid": tenant,
                "uti": b64u(r.randbytes(16)),
                "ver": "1.0",
            })
            x5t = CN_X5T if "chinacloudapi" in issuer else X5T
            return _jwt({"typ": "JWT", "alg": "RS256", "x5t": x5t, "kid": x5t}, payload, r)

        return self._get((code, "v1a", aud, idtyp, tenant, hour), build)

    def opaque(self, code: str, at: datetime) -> str:
        hour = int(at.timestamp()) // 3600
        return self._get((code, "opaque", hour),
                         lambda r: "EwB4A8l6BAAU" + base64.b64encode(r.randbytes(660)).decode())

    def jwe(self, code: str, at: datetime) -> str:
        hour = int(at.timestamp()) // 3600

        def build(r: random.Random) -> str:
            header = {"alg": "RSA-OAEP", "enc": "A256GCM", "kid": X5T, "typ": "JWT"}
            return ".".join([b64u(compact(header).encode()), b64u(r.randbytes(256)),
                             b64u(r.randbytes(12)), b64u(r.randbytes(720)), b64u(r.randbytes(16))])

        return self._get((code, "jwe", hour), build)


MINT = Mint()
PLANTED: set[str] = set()


def plant(secret: str) -> str:
    PLANTED.add(secret)
    return secret


def token_request_body(grant: str, app: str, at: datetime, resource: str = PC_AUD, **extra: str) -> str:
    """A logged OAuth token request body; every secret in it is planted."""
    parts = [f"grant_type={grant}"]
    if grant == "refresh_token":
        parts.append("refresh_token=" + plant(refresh_token(f"{app}|{at.isoformat()}")))
    if grant == "password":
        parts.append("username=" + USERS[app].upn.replace("@", "%40"))
        parts.append("password=" + plant(extra.pop("password")))
    for k, v in extra.items():
        parts.append(f"{k}={v}")
    parts.append(f"client_id={app_key(app)}")
    parts.append("client_secret=" + plant(client_secret(app)))
    parts.append("resource=" + resource.replace(":", "%3A").replace("/", "%2F"))
    return "&".join(parts)


# --------------------------------------------------------------------------
# Records and their intended meaning
# --------------------------------------------------------------------------

@dataclass
class Intent:
    """What the scenario means a record to be. None for non-Partner Center."""
    verdict: str
    integration: str


@dataclass
class LogFile:
    path: str            # relative to sample-data/logs
    kind: str            # which oracle reads it
    format_hint: str     # human description
    records: list = field(default_factory=list)
    intents: list = field(default_factory=list)

    def add(self, record: dict, intent: Intent | None, sort_key: object = None) -> None:
        self.records.append((sort_key, len(self.records), record, intent))

    def sorted(self) -> None:
        self.records.sort(key=lambda x: (x[0], x[1]))
        self.intents = [x[3] for x in self.records]
        self.records = [x[2] for x in self.records]


def pc_error_body(code: object, message: str) -> str:
    return compact({"code": code, "description": message, "data": [], "source": "PartnerCenter"})


def realm(r: random.Random) -> str:
    return f"OAuth realm=urn:cpsvc:cpid:{rand_guid(r)}"


def pc_url(path: str, host: str = "api.partnercenter.microsoft.com") -> str:
    return f"https://{host}{path}"


# --------------------------------------------------------------------------
# 1. Nested egress gateway, JSON lines
# --------------------------------------------------------------------------

def gen_nested_gateway() -> LogFile:
    f = LogFile("gateway/egress-gateway-2026-06-01_07.jsonl", "nested",
                "gateway JSON lines, nested request/response objects, headers as a map")
    r = rng_for("nested")

    def rec(t: datetime, method: str, url: str, req_headers: dict, status: int,
            resp_headers: dict | None = None, body: str | None = None, req_body: str | None = None,
            client_ip: str = "10.20.1.14") -> dict:
        corr = req_headers.get("MS-CorrelationId") or req_headers.get("ms-correlationid")
        request = {"method": method, "url": url, "headers": req_headers}
        if req_body is not None:
            request["body"] = req_body
        rh = {"Date": t.strftime("%a, %d %b %Y %H:%M:%S GMT")}
        if "partner" in url:
            rh["MS-RequestId"] = rand_guid(r)
            if corr:
                rh["MS-CorrelationId"] = corr
        rh["Content-Type"] = "application/json; charset=utf-8"
        rh.update(resp_headers or {})
        response: dict = {"status": status, "headers": rh}
        if body is not None:
            response["body"] = body
        return {"timestamp": iso_ms(t), "gateway": "egress-gw-01", "client_ip": client_ip,
                "request": request, "response": response, "duration_ms": r.randint(40, 900)}

    # Contoso Billing Sync: every 4 hours, a refresh-token redemption then two rejected calls.
    c = APPS["contoso"]
    for day in DAYS:
        for hour in range(0, 24, 4):
            t = jitter(r, day + timedelta(hours=hour, minutes=5), 120)
            f.add(rec(t, "POST", f"https://login.microsoftonline.com/{PARTNER_TENANT}/oauth2/token",
                      {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": c.ua,
                       "client-request-id": rand_guid(r)}, 200,
                      req_body=token_request_body("refresh_token", "contoso", t)), None, t)
            cid = r.choice(CUSTOMERS)
            for attempt in range(2):
                t2 = t + timedelta(seconds=1 + attempt * 2, milliseconds=r.randint(0, 999))
                tok = MINT.app_user_v1("contoso", t2, ["pwd"])
                corr = rand_guid(r)
                path = "/v1/customers?size=100" if attempt == 0 or hour % 8 else f"/v1/customers/{cid}/subscriptions"
                code: object = "900421" if r.random() < 0.35 else 900421
                extra = {"WWW-Authenticate": realm(r)} if r.random() < 0.5 else {}
                f.add(rec(t2, "GET", pc_url(path),
                          {"Authorization": f"Bearer {tok}", "Accept": "application/json",
                           "User-Agent": c.ua, "MS-CorrelationId": corr, "MS-RequestId": rand_guid(r),
                           "X-Locale": "en-US"},
                          401, extra, pc_error_body(code, MSG_900421)),
                      Intent("broken", c.app_id), t2)
        # Once a day it also reads Graph (noise).
        t = jitter(r, day + timedelta(hours=9), 600)
        f.add(rec(t, "GET", "https://graph.microsoft.com/v1.0/organization?$select=id,displayName",
                  {"Authorization": "Bearer " + MINT.app_user_v1("contoso", t, ["pwd"], aud="https://graph.microsoft.com"),
                   "User-Agent": c.ua}, 200), None, t)

    # Northwind Distributor Connector: app-only (idtyp app), every 6 hours.
    n = APPS["northwind"]
    for day in DAYS:
        for hour in range(0, 24, 6):
            t = jitter(r, day + timedelta(hours=hour, minutes=29), 60)
            f.add(rec(t, "POST", f"https://login.microsoftonline.com/{PARTNER_TENANT}/oauth2/token",
                      {"content-type": "application/x-www-form-urlencoded", "user-agent": n.ua}, 200,
                      req_body=token_request_body("client_credentials", "northwind", t), client_ip="10.20.3.41"),
                  None, t)
            for i, path in enumerate([f"/v1/customers/{r.choice(CUSTOMERS)}/subscriptions",
                                      "/v1/invoices?size=200&offset=0"]):
                t2 = t + timedelta(seconds=2 + i, milliseconds=r.randint(0, 999))
                f.add(rec(t2, "GET", pc_url(path),
                          {"authorization": "Bearer " + MINT.app_only_v1("northwind", t2, idtyp=True),
                           "accept": "application/json", "user-agent": n.ua,
                           "ms-correlationid": rand_guid(r)}, 200, client_ip="10.20.3.41"),
                      Intent("not_affected", n.app_id), t2)
        # Its 21Vianet instance, every other day.
        if day.day % 2 == 0:
            t = jitter(r, day + timedelta(hours=3, minutes=10), 300)
            tok = MINT.app_only_v1("northwind", t, aud="https://partner.partnercenterapi.microsoftonline.cn",
                                   tenant=CN_TENANT, issuer="https://sts.chinacloudapi.cn")
            f.add(rec(t, "GET", pc_url(f"/v1/customers/{r.choice(CUSTOMERS)}/subscriptions",
                                       "partner.partnercenterapi.microsoftonline.cn"),
                      {"authorization": f"Bearer {tok}", "user-agent": n.ua,
                       "ms-correlationid": rand_guid(r)}, 200, client_ip="10.20.3.41"),
                  Intent("not_affected", n.app_id), t)

    # Tailspin CSP Automation: a daily ValidateMfa self-check.
    ts = APPS["tailspin"]
    for day in DAYS:
        t = jitter(r, day + timedelta(hours=7), 300)
        f.add(rec(t, "GET", pc_url("/v1/customers?size=1"),
                  {"Authorization": "Bearer " + MINT.app_user_v1("tailspin", t, ["pwd", "mfa"], appidacr="1"),
                   "User-Agent": ts.ua, "MS-CorrelationId": rand_guid(r), "ValidateMfa": "true"},
                  200, {"isMfaCompliant": "true"}, client_ip="10.20.2.8"),
              Intent("compliant", ts.app_id), t)

    # Proseware Sync: opaque token, three times a day.
    p = APPS["proseware"]
    for day in DAYS:
        for hour in (10, 14, 18):
            t = jitter(r, day + timedelta(hours=hour, minutes=15), 240)
            f.add(rec(t, "GET", pc_url(f"/v1/customers/{r.choice(CUSTOMERS)}/subscriptions"),
                      {"Authorization": "Bearer " + MINT.opaque("proseware", t), "User-Agent": p.ua,
                       "MS-CorrelationId": rand_guid(r)}, 200, client_ip="10.20.5.23"),
                  Intent("unknown", "ua:" + p.ua), t)

    # Lookalike host with a Partner Center-audience token: not Partner Center.
    lk = APPS["lookalike"]
    for d in (1, 2, 4):
        t = jitter(r, DAYS[d] + timedelta(hours=23, minutes=2), 900)
        f.add(rec(t, "POST", pc_url(f"/v1/customers/{r.choice(CUSTOMERS)}/orders", LOOKALIKE_HOST),
                  {"Authorization": "Bearer " + MINT.app_user_v1("lookalike", t, ["pwd"]),
                   "User-Agent": lk.ua, "MS-CorrelationId": rand_guid(r)}, 201, client_ip="10.20.9.99"),
              None, t)

    # Azure Resource Manager noise.
    for i in range(10):
        t = jitter(r, DAYS[i % 7] + timedelta(hours=11), 3600)
        sub = fixed_guid(f"azsub|{i % 3}")
        f.add(rec(t, "GET", f"https://management.azure.com/subscriptions/{sub}/resourceGroups?api-version=2021-04-01",
                  {"authorization": "Bearer " + MINT.app_only_v1("northwind", t, aud="https://management.azure.com/"),
                   "user-agent": n.ua}, 200, client_ip="10.20.3.41"), None, t)

    f.sorted()
    return f


# --------------------------------------------------------------------------
# 2. Flat edge proxy access log, JSON lines, gzip
# --------------------------------------------------------------------------

def gen_flat_proxy() -> LogFile:
    f = LogFile("gateway/edge-proxy-access-2026-06-01_07.jsonl.gz", "flat",
                "nginx-style flat JSON access log, gzip-compressed, Authorization logged as a field")
    r = rng_for("flat")

    def rec(t: datetime, host: str, method: str, uri: str, status: int, auth: str | None, ua: str,
            proxy: str = "edge-01", remote: str = "10.0.3.7", req_body: str | None = None,
            resp_body: str | None = None, corr: str | None = None) -> dict:
        out = {
            "@t": iso_7(t),
            "proxy": proxy,
            "remote_addr": remote,
            "host": host,
            "method": method,
            "request_uri": uri,
            "server_protocol": "HTTP/1.1",
            "status_code": status,
            "request_time": round(r.uniform(0.03, 1.4), 3),
            "body_bytes_sent": r.randint(180, 48000) if status < 400 else len(resp_body or ""),
            "authorization": f"Bearer {auth}" if auth else "",
            "user_agent": ua,
            "x-request-id": hex_id(r),
            "ms_correlation_id": corr or "",
        }
        if req_body is not None:
            out["request_body"] = req_body
        if resp_body is not None:
            out["resp_body"] = resp_body
        return out

    login = "login.microsoftonline.com"

    # Fabrikam Provisioning Bot: weekdays, every 2 hours 08-18, password grant then two calls.
    fb = APPS["fabrikam"]
    for day in DAYS[:5]:
        for hour in range(8, 19, 2):
            t = jitter(r, day + timedelta(hours=hour, minutes=12), 900)
            f.add(rec(t, login, "POST", f"/{PARTNER_TENANT}/oauth2/token", 200, None, fb.ua,
                      remote="10.0.4.21",
                      req_body=token_request_body("password", "fabrikam", t,
                                                  password=f"Spring2026!{rng_for('pw', t.day).randint(1000, 9999)}")),
                  None, t)
            cid = r.choice(CUSTOMERS)
            calls = [("GET", f"/v1/customers/{cid}", 200),
                     ("POST", f"/v1/customers/{cid}/orders", 201) if r.random() < 0.5
                     else ("GET", f"/v1/customers/{cid}/subscriptions", 200)]
            for i, (method, uri, status) in enumerate(calls):
                t2 = t + timedelta(seconds=1 + i, milliseconds=r.randint(0, 999))
                tok = MINT.app_user_v1("fabrikam", t2, ["pwd"], appidacr="1")
                f.add(rec(t2, "api.partnercenter.microsoft.com", method, uri, status, tok, fb.ua,
                          remote="10.0.4.21", corr=rand_guid(r)),
                      Intent("at_risk", fb.app_id), t2)
        # Referrals on api.partner.microsoft.com, daily.
        t = jitter(r, day + timedelta(hours=9, minutes=40), 600)
        f.add(rec(t, "api.partner.microsoft.com", "GET",
                  "/v1.0/engagements/referrals?$filter=status%20eq%20%27Active%27&$top=50", 200,
                  MINT.app_user_v1("fabrikam", t, ["pwd"], appidacr="1"), fb.ua, remote="10.0.4.21",
                  corr=rand_guid(r)),
              Intent("at_risk", fb.app_id), t)
    # Two wrong-audience calls (900420, not an MFA rejection).
    for k in range(2):
        t = jitter(r, DAYS[1] + timedelta(hours=15, minutes=31 + k), 20)
        tok = MINT.app_user_v1("fabrikam", t, ["pwd"], aud="https://graph.windows.net", appidacr="1")
        f.add(rec(t, "api.partnercenter.microsoft.com", "GET", f"/v1/customers/{CUSTOMERS[3]}/users", 401,
                  tok, fb.ua, remote="10.0.4.21", corr=rand_guid(r),
                  resp_body=pc_error_body("900420", MSG_900420)),
              Intent("at_risk", fb.app_id), t)

    # Tailspin CSP Automation: every 4 hours, Secure Application Model refresh, then two calls.
    ts = APPS["tailspin"]
    host_variants = ["api.partnercenter.microsoft.com"] * 8 + ["api.partnercenter.microsoft.com:443",
                                                               "API.PartnerCenter.Microsoft.com"]
    for day in DAYS:
        for hour in range(2, 24, 4):
            t = jitter(r, day + timedelta(hours=hour, minutes=20), 300)
            f.add(rec(t, login, "POST", f"/{PARTNER_TENANT}/oauth2/token", 200, None, ts.ua,
                      proxy="edge-02", remote="10.0.6.12",
                      req_body=token_request_body("refresh_token", "tailspin", t)), None, t)
            cid = r.choice(CUSTOMERS)
            sid = rand_guid(r)
            for i, uri in enumerate([f"/v1/customers/{cid}/subscriptions",
                                     f"/v1/customers/{cid}/subscriptions/{sid}/usagerecords"]):
                t2 = t + timedelta(seconds=1 + i, milliseconds=r.randint(0, 999))
                tok = MINT.app_user_v1("tailspin", t2, ["pwd", "mfa"], appidacr="1")
                f.add(rec(t2, r.choice(host_variants), "GET", uri, 200, tok, ts.ua, proxy="edge-02",
                          remote="10.0.6.12", corr=rand_guid(r)),
                      Intent("compliant", ts.app_id), t2)

    # Adatum Usage Reporter: every 3 hours; enforcement reaches it during the week.
    ad = APPS["adatum"]
    rollout_start = datetime(2026, 6, 4, 12, tzinfo=UTC)
    rollout_full = datetime(2026, 6, 6, tzinfo=UTC)
    for day in DAYS:
        for hour in range(0, 24, 3):
            t0 = jitter(r, day + timedelta(hours=hour, minutes=45), 300)
            for i, uri in enumerate(["/v1/customers?size=500",
                                     f"/v1/customers/{r.choice(CUSTOMERS)}/usagesummary"]):
                t = t0 + timedelta(seconds=i * 3, milliseconds=r.randint(0, 999))
                tok = MINT.app_user_v1("adatum", t, ["fed"])
                rejected = t >= rollout_full or (t >= rollout_start and r.random() < 0.4)
                if rejected:
                    code: object = 900421 if r.random() < 0.5 else "900421"
                    f.add(rec(t, "api.partnercenter.microsoft.com", "GET", uri, 401, tok, ad.ua,
                              remote="10.0.8.30", corr=rand_guid(r),
                              resp_body=pc_error_body(code, MSG_900421)),
                          Intent("broken", ad.app_id), t)
                else:
                    f.add(rec(t, "api.partnercenter.microsoft.com", "GET", uri, 200, tok, ad.ua,
                              remote="10.0.8.30", corr=rand_guid(r)),
                          Intent("at_risk", ad.app_id), t)

    # Wingtip License Auditor: app-only without idtyp, nightly.
    w = APPS["wingtip"]
    for day in DAYS:
        t = jitter(r, day + timedelta(hours=2, minutes=10), 300)
        f.add(rec(t, login, "POST", f"/{PARTNER_TENANT}/oauth2/token", 200, None, w.ua, remote="10.0.7.3",
                  req_body=token_request_body("client_credentials", "wingtip", t)), None, t)
        inv = r.choice(INVOICES)
        for i, uri in enumerate(["/v1/invoices?size=50",
                                 f"/v1/invoices/{inv}/lineitems?provider=Office&invoicelineitemtype=BillingLineItems",
                                 f"/v1/invoices/{inv}/lineitems?provider=OneTime&invoicelineitemtype=BillingLineItems&currencycode=USD"]):
            t2 = t + timedelta(seconds=1 + i, milliseconds=r.randint(0, 999))
            f.add(rec(t2, "api.partnercenter.microsoft.com", "GET", uri, 200,
                      MINT.app_only_v1("wingtip", t2, idtyp=False), w.ua, remote="10.0.7.3", corr=rand_guid(r)),
                  Intent("not_affected", w.app_id), t2)

    # Invoice fetcher: the proxy injects its credential, so no Authorization is logged.
    fi = APPS["invoicefetcher"]
    for day in DAYS:
        t = jitter(r, day + timedelta(hours=7, minutes=30), 120)
        inv = r.choice(INVOICES)
        for i, uri in enumerate(["/v1/invoices?size=10", f"/v1/invoices/{inv}/documents/statement"]):
            t2 = t + timedelta(seconds=i, milliseconds=r.randint(0, 999))
            f.add(rec(t2, "api.partnercenter.microsoft.com", "GET", uri, 200, None, fi.ua, remote="10.0.9.14"),
                  Intent("unknown", "ua:" + fi.ua), t2)

    # Lookalike host.
    lk = APPS["lookalike"]
    for d in (0, 3, 5):
        t = jitter(r, DAYS[d] + timedelta(hours=22), 3000)
        f.add(rec(t, LOOKALIKE_HOST, "GET", f"/v1/customers/{r.choice(CUSTOMERS)}/users", 200,
                  MINT.app_user_v1("lookalike", t, ["pwd"]), lk.ua, remote="10.0.9.99"), None, t)

    # Graph lookups by the provisioning bot (noise).
    for i in range(10):
        t = jitter(r, DAYS[i % 5] + timedelta(hours=13), 3000)
        f.add(rec(t, "graph.microsoft.com", "GET", "/v1.0/users?$filter=accountEnabled%20eq%20true&$top=999", 200,
                  MINT.app_user_v1("fabrikam", t, ["pwd"], aud="https://graph.microsoft.com", appidacr="1"),
                  fb.ua, remote="10.0.4.21"), None, t)

    f.sorted()
    return f


# --------------------------------------------------------------------------
# 3. Gateway export as one JSON document: {"records": [...]}
# --------------------------------------------------------------------------

def gen_records_export() -> LogFile:
    f = LogFile("gateway/egress-proxy-export-2026-06-05.json", "records",
                "one pretty-printed JSON document {\"records\":[...]} of pino-style proxy records; "
                "epoch-millisecond times, relative URLs, host in a header (or missing)")
    r = rng_for("records")
    day = DAYS[4]

    def rec(t: datetime, method: str, url: str, headers: dict, status: int, body: object = None,
            resp_headers: dict | None = None) -> dict:
        res: dict = {"statusCode": status,
                     "headers": {"content-type": "application/json; charset=utf-8",
                                 "ms-requestid": rand_guid(r), **(resp_headers or {})}}
        if body is not None:
            res["body"] = body
        return {"level": 30 if status < 400 else 40, "time": epoch_ms(t), "pid": 7,
                "hostname": "egress-proxy-5f7d9c8b6-x2kqp", "reqId": f"req-{r.randint(1000, 99999):x}",
                "req": {"method": method, "url": url, "headers": headers,
                        "remoteAddress": f"10.1.{r.randint(0, 3)}.{r.randint(2, 250)}",
                        "remotePort": r.randint(32768, 60999)},
                "res": res, "responseTime": r.randint(35, 1500),
                "msg": "request completed" if status < 400 else "request errored"}

    # Litware Quote Builder: v2 token, hourly 08-18; some records lack the host header.
    lw = APPS["litware"]
    k = 0
    for hour in range(8, 19):
        t0 = jitter(r, day + timedelta(hours=hour), 600)
        for i, url in enumerate([f"/v1/customers/{r.choice(CUSTOMERS)}/subscriptions", "/v1/offers?country=US"]):
            t = t0 + timedelta(seconds=i, milliseconds=r.randint(0, 999))
            h = {} if k % 6 == 5 else {"host": "api.partnercenter.microsoft.com"}
            h.update({"authorization": "Bearer " + MINT.app_user_v2("litware", t), "user-agent": lw.ua,
                      "ms-correlationid": rand_guid(r), "accept": "application/json"})
            f.add(rec(t, "GET", url, h, 200), Intent("at_risk", lw.app_id), t)
            k += 1

    # Adatum Usage Reporter, EU worker: hourly, enforcement rolling out.
    ad = APPS["adatum"]
    for hour in range(6, 21):
        t = jitter(r, day + timedelta(hours=hour, minutes=45), 300)
        h = {} if hour % 5 == 0 else {"host": "api.partnercenter.microsoft.com"}
        h.update({"authorization": "Bearer " + MINT.app_user_v1("adatum", t, ["fed"]), "user-agent": ad.ua,
                  "ms-correlationid": rand_guid(r)})
        url = f"/v1/customers/{r.choice(CUSTOMERS)}/usagesummary"
        if r.random() < 0.45:
            body = {"code": "900421", "description": MSG_900421, "data": [], "source": "PartnerCenter"}
            f.add(rec(t, "GET", url, h, 401, body, {"www-authenticate": realm(r)}),
                  Intent("broken", ad.app_id), t)
        else:
            f.add(rec(t, "GET", url, h, 200), Intent("at_risk", ad.app_id), t)

    # A .NET HttpClient without User-Agent, with an encrypted (JWE) token.
    for hour in (1, 3, 5, 13, 17, 21):
        t = jitter(r, day + timedelta(hours=hour, minutes=2), 60)
        h = {"host": "api.partnercenter.microsoft.com",
             "authorization": "Bearer " + MINT.jwe("unidentified", t),
             "ms-correlationid": rand_guid(r), "accept-encoding": "gzip"}
        f.add(rec(t, "GET", f"/v1/customers/{r.choice(CUSTOMERS)}/subscriptions?entitlements=true", h, 200),
              Intent("unknown", "unidentified"), t)

    # Noise: Graph and ARM with hosts, Graph without host, a health probe without host or token.
    for i in range(8):
        t = jitter(r, day + timedelta(hours=8 + i), 3000)
        f.add(rec(t, "GET", "/v1.0/me/memberOf?$select=displayName",
                  {"host": "graph.microsoft.com",
                   "authorization": "Bearer " + MINT.app_user_v1("litware", t, ["pwd"], aud="https://graph.microsoft.com"),
                   "user-agent": lw.ua}, 200), None, t)
    for i in range(4):
        t = jitter(r, day + timedelta(hours=2 + 5 * i), 3000)
        f.add(rec(t, "GET", f"/subscriptions/{fixed_guid('azsub|0')}/providers/Microsoft.Web/sites?api-version=2023-12-01",
                  {"host": "management.azure.com",
                   "authorization": "Bearer " + MINT.app_only_v1("northwind", t, aud="https://management.azure.com/"),
                   "user-agent": "azsdk-python-mgmt-web/7.3.0 Python/3.11.9"}, 200), None, t)
    for i in range(2):
        t = jitter(r, day + timedelta(hours=10 + 4 * i), 3000)
        f.add(rec(t, "GET", "/v1.0/users?$top=999",
                  {"authorization": "Bearer " + MINT.app_user_v1("litware", t, ["pwd"], aud=GRAPH_RESOURCE),
                   "user-agent": lw.ua}, 200), None, t)
    for i in range(2):
        t = jitter(r, day + timedelta(hours=6 + 9 * i), 3000)
        f.add(rec(t, "GET", "/healthz", {"user-agent": "kube-probe/1.30"}, 200), None, t)

    f.sorted()
    return f


# --------------------------------------------------------------------------
# 4. HAR 1.2 capture (Fiddler)
# --------------------------------------------------------------------------

def gen_har() -> LogFile:
    f = LogFile("har/fourth-coffee-admin-console-2026-06-03.har", "har",
                "HAR 1.2 exported by Fiddler (local times +02:00), headers as name/value lists")
    r = rng_for("har")
    fc = APPS["fourthcoffee"]
    cest = timezone(timedelta(hours=2))
    t = datetime(2026, 6, 3, 12, 2, 11, 512000, tzinfo=UTC)

    def entry(t: datetime, method: str, url: str, headers: list[tuple[str, str]], status: int,
              resp_headers: list[tuple[str, str]], text: str, post: str | None = None,
              mime: str = "application/json; charset=utf-8") -> dict:
        parts = urlsplit(url)
        query = [{"name": q.split("=", 1)[0], "value": q.split("=", 1)[1] if "=" in q else ""}
                 for q in parts.query.split("&") if q]
        req: dict = {"method": method, "url": url, "httpVersion": "HTTP/1.1",
                     "headers": [{"name": k, "value": v} for k, v in [("Host", parts.hostname), *headers]],
                     "queryString": query, "cookies": [], "headersSize": -1, "bodySize": len(post or "")}
        if post is not None:
            req["postData"] = {"mimeType": "application/x-www-form-urlencoded", "text": post, "params": []}
        wait = r.randint(60, 700)
        return {
            "startedDateTime": iso_7(t.astimezone(cest), "+02:00"),
            "time": wait + 3,
            "request": req,
            "response": {"status": status, "statusText": {200: "OK", 201: "Created", 401: "Unauthorized"}[status],
                         "httpVersion": "HTTP/1.1", "cookies": [],
                         "headers": [{"name": k, "value": v} for k, v in resp_headers],
                         "content": {"size": len(text), "mimeType": mime, "text": text},
                         "redirectURL": "", "headersSize": -1, "bodySize": len(text)},
            "cache": {},
            "timings": {"blocked": 0, "dns": -1, "connect": -1, "ssl": -1, "send": 1, "wait": wait, "receive": 2},
            "serverIPAddress": "", "connection": str(r.randint(1000, 9999)),
        }

    def pc_resp(extra: list[tuple[str, str]], corr: str) -> list[tuple[str, str]]:
        return [("Content-Type", "application/json; charset=utf-8"), ("MS-CorrelationId", corr),
                ("MS-RequestId", rand_guid(r)), *extra, ("Date", t.strftime("%a, %d %b %Y %H:%M:%S GMT"))]

    def pc_headers(tok: str, corr: str, validate: bool) -> list[tuple[str, str]]:
        h = [("Authorization", f"Bearer {tok}"), ("Accept", "application/json"), ("User-Agent", fc.ua),
             ("MS-CorrelationId", corr)]
        if validate:
            h.append(("ValidateMfa", "true"))
        return h

    def step(seconds: float) -> datetime:
        nonlocal t
        t = t + timedelta(seconds=seconds, milliseconds=r.randint(0, 900))
        return t

    def token_response(tok: str, label: str) -> str:
        return compact({"token_type": "Bearer", "scope": "user_impersonation", "expires_in": "4499",
                        "ext_expires_in": "4499", "resource": PC_AUD, "access_token": tok,
                        "refresh_token": plant(refresh_token("fourthcoffee|" + label)),
                        "id_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0." + b64u(
                            compact({"aud": fc.app_id, "tid": PARTNER_TENANT}).encode()) + "."})

    login_url = f"https://login.microsoftonline.com/{PARTNER_TENANT}/oauth2/token"
    cid = CUSTOMERS[5]
    sid = fixed_guid("har-subscription")

    # Password grant: a token without MFA.
    tok = MINT.app_user_v1("fourthcoffee", t, ["pwd"])
    post = token_request_body("password", "fourthcoffee", t, password=plant("Fiddler-Test-Pa55!"))
    f.add(entry(t, "POST", login_url, [("Content-Type", "application/x-www-form-urlencoded"), ("User-Agent", fc.ua)],
                200, [("Content-Type", "application/json; charset=utf-8")], token_response(tok, "pwd"), post), None)
    for url, validate, header, status in [
        ("https://api.partnercenter.microsoft.com/v1/customers?size=20", True, ("isMfaCompliant", "False"), 200),
        (f"https://api.partnercenter.microsoft.com/v1/customers/{cid}/subscriptions", True, ("IsMfaCompliant", "false"), 200),
        (f"https://api.partnercenter.microsoft.com/v1/customers/{cid}/subscriptions/{sid}", False, None, 200),
    ]:
        corr = rand_guid(r)
        at = step(4)
        body = compact({"totalCount": 0, "items": [], "attributes": {"objectType": "Collection"}})
        f.add(entry(at, "GET", url, pc_headers(tok, corr, validate), status,
                    pc_resp([header] if header else [], corr), body), Intent("at_risk", fc.app_id))
    # Unrelated traffic in the same capture.
    at = step(7)
    f.add(entry(at, "GET", "https://graph.microsoft.com/v1.0/organization",
                [("Authorization", "Bearer " + MINT.app_user_v1("fourthcoffee", at, ["pwd"], aud="https://graph.microsoft.com")),
                 ("User-Agent", fc.ua)], 200, [("Content-Type", "application/json")],
                compact({"value": [{"id": PARTNER_TENANT, "displayName": "Relecloud CSP"}]})), None)
    at = step(3)
    f.add(entry(at, "GET", "https://partner.microsoft.com/dashboard/v2/home",
                [("User-Agent", fc.ua), ("Accept", "text/html")], 200,
                [("Content-Type", "text/html; charset=utf-8")], "<!DOCTYPE html><html><head><title>Partner Center</title></head></html>",
                mime="text/html; charset=utf-8"), None)
    # Sign in again, this time with MFA (authorization code + PKCE).
    at = step(95)
    tok = MINT.app_user_v1("fourthcoffee", at, ["pwd", "mfa"])
    post = token_request_body("authorization_code", "fourthcoffee", at,
                              code=plant("0.AXoA" + b64u(rng_for("authcode").randbytes(300))),
                              redirect_uri="http%3A%2F%2Flocalhost%3A5173%2F",
                              code_verifier=plant(b64u(rng_for("pkce").randbytes(32))))
    f.add(entry(at, "POST", login_url, [("Content-Type", "application/x-www-form-urlencoded"), ("User-Agent", fc.ua)],
                200, [("Content-Type", "application/json; charset=utf-8")], token_response(tok, "mfa"), post), None)
    for url, validate, header in [
        ("https://api.partnercenter.microsoft.com/v1/customers?size=20", True, ("ismfacompliant", "True")),
        (f"https://api.partnercenter.microsoft.com/v1/customers/{cid}/subscriptions", False, None),
        ("https://api.partnercenter.microsoft.com/v1/invoices?size=10", False, None),
        ("https://api.partner.microsoft.com/v1.0/engagements/referrals?$top=10", False, None),
    ]:
        corr = rand_guid(r)
        at = step(5)
        body = compact({"totalCount": 0, "items": [], "attributes": {"objectType": "Collection"}})
        f.add(entry(at, "GET", url, pc_headers(tok, corr, validate), 200,
                    pc_resp([header] if header else [], corr), body), Intent("compliant", fc.app_id))
    f.sorted()  # capture order
    return f


# --------------------------------------------------------------------------
# 5. Partner Center partnerRequests report pages
# --------------------------------------------------------------------------

PR_OPERATIONS = [
    "Get /v{version}/customers/{customer_id}/subscriptions",
    "Get /v{version}/customers/{customer_id}",
    "Post /v{version}/customers/{customer_id}/carts",
    "Post /v{version}/customers/{customer_id}/carts/{cart_id}/checkout",
    "Get /v{version}/customers/{customer_id}/subscriptions/{subscription_id}",
    "Get /v{version}/products",
]


def gen_partner_requests() -> list[LogFile]:
    r = rng_for("partnerRequests")
    rows = []
    for code, compliant, n in (("alpine", False, 26), ("coho", True, 31)):
        user = USERS[code]
        for _ in range(n):
            t = WEEK_START + timedelta(seconds=r.randint(8 * 3600, 7 * 86400 - 1), microseconds=r.randint(0, 999999))
            rows.append((t, {
                "requestId": rand_guid(r),
                "correlationId": rand_guid(r),
                "operationName": r.choice(PR_OPERATIONS),
                "requestDateTime": dotnet_trimmed(t),
                "sourceIpAddress": user.ip,
                "objectId": user.oid,
                "tenantId": PARTNER_TENANT,
                "upn": user.upn,
                "applicationId": app_key(code),
                "mfaCompliant": compliant,
            }, Intent("compliant" if compliant else "at_risk", app_key(code))))
    rows.sort(key=lambda x: x[0], reverse=True)  # the report lists the latest first
    pages = [rows[:40], rows[40:]]
    out = []
    for i, page in enumerate(pages, 1):
        f = LogFile(f"partner-center/partnerRequests-2026-06-08-page{i}.json", "partner_requests",
                    "Partner Center GET /v1/partnerRequests response page, saved as JSON")
        doc: dict = {"totalCount": len(page), "items": [x[1] for x in page]}
        if i < len(pages):
            doc["links"] = {"next": {"uri": "/partnerRequests?size=40", "method": "GET",
                                     "headers": [{"key": "MS-ContinuationToken",
                                                  "value": b64u(rng_for("ct").randbytes(48))}]}}
        doc["attributes"] = {"objectType": "Collection"}
        f.records = doc["items"]
        f.intents = [x[2] for x in page]
        f.document = doc  # type: ignore[attr-defined]
        out.append(f)
    return out


# --------------------------------------------------------------------------
# 6. Entra ID sign-in logs: Event Hub JSON lines and portal "Download JSON"
# --------------------------------------------------------------------------

LOCATIONS = {
    "US": {"city": "Redmond", "state": "Washington", "countryOrRegion": "US",
           "geoCoordinates": {"latitude": 47.674, "longitude": -122.122}},
    "DE": {"city": "Berlin", "state": "Berlin", "countryOrRegion": "DE",
           "geoCoordinates": {"latitude": 52.52, "longitude": 13.405}},
}


def auth_step(t: datetime, method: str, detail: str | None, ok: bool, result: str, requirement: str) -> dict:
    return {"authenticationStepDateTime": iso_7(t, "+00:00"), "authenticationMethod": method,
            "authenticationMethodDetail": detail, "succeeded": ok,
            "authenticationStepResultDetail": result, "authenticationStepRequirement": requirement}


def password_step(t: datetime, ok: bool = True, result: str = "Correct password") -> dict:
    return auth_step(t, "Password", "Password in the cloud", ok, result, "Primary authentication")


def mfa_claim_step(t: datetime) -> dict:
    return auth_step(t, "Previously satisfied", None, True, "MFA requirement satisfied by claim in the token",
                     "Multifactor authentication")


def phone_app_steps(t: datetime) -> list[dict]:
    return [password_step(t), auth_step(t + timedelta(seconds=9), "Mobile app notification", None, True,
                                        "MFA successfully completed", "Multifactor authentication")]


@dataclass
class SignIn:
    t: datetime
    category: str
    app: str                     # code in APPS, or a literal (app_id, name) for noise
    resource: tuple[str, str]    # (resourceId, resourceDisplayName)
    error: int = 0
    reason: str | None = None
    details: list = field(default_factory=list)
    requirement: str = "singleFactorAuthentication"
    mfa_detail: dict = field(default_factory=dict)
    incoming: str = "none"
    protocol: str = "none"
    interactive: bool = False
    additional: str | None = None
    user: User | None = None
    intent: Intent | None = None


PC = (PC_RESOURCE, "Microsoft Partner Center")
GRAPH = (GRAPH_RESOURCE, "Microsoft Graph")
ARM = (ARM_RESOURCE, "Windows Azure Service Management API")
KEYVAULT = (KEYVAULT_RESOURCE, "Azure Key Vault")


def app_identity(app: object) -> tuple[str, str]:
    if isinstance(app, tuple):
        return app
    a = APPS[app]
    return a.app_id, a.name


def signin_properties(s: SignIn, r: random.Random, camel_portal: bool) -> dict:
    app_id, app_name = app_identity(s.app)
    status: dict = {"errorCode": s.error}
    if s.reason:
        status["failureReason"] = s.reason
    if s.additional:
        status["additionalDetails"] = s.additional
    corr = rand_guid(r)
    loc = LOCATIONS["DE" if s.user and s.user.ip.startswith("85.") else "US"]
    ip = s.user.ip if s.user else f"20.{r.randint(40, 190)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    sp = s.category in ("ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs")
    p: dict = {
        "id": rand_guid(r),
        "createdDateTime": iso_s(s.t) if camel_portal else iso_7(s.t, "+00:00"),
    }
    if not sp:
        assert s.user is not None
        p.update({"userDisplayName": s.user.name, "userPrincipalName": s.user.upn, "userId": s.user.oid})
    p.update({"appId": app_id, "appDisplayName": app_name, "ipAddress": ip})
    if not sp:
        p.update({"clientAppUsed": "Mobile Apps and Desktop clients", "correlationId": corr,
                  "conditionalAccessStatus": "failure" if s.error in (50076, 50079) else "success" if s.requirement == "multiFactorAuthentication" else "notApplied",
                  "isInteractive": s.interactive, "riskDetail": "none", "riskLevelAggregated": "none",
                  "riskLevelDuringSignIn": "none", "riskState": "none", "riskEventTypes": [], "riskEventTypes_v2": []})
    else:
        p.update({"correlationId": corr, "servicePrincipalId": fixed_guid("sp|" + str(s.app)),
                  "servicePrincipalName": app_name,
                  "clientCredentialType": "managedIdentity" if s.category == "ManagedIdentitySignInLogs" else "clientSecret",
                  "servicePrincipalCredentialKeyId": fixed_guid("spkey|" + str(s.app)),
                  "servicePrincipalCredentialThumbprint": "", "conditionalAccessStatus": "notApplied"})
    p.update({"resourceDisplayName": s.resource[1], "resourceId": s.resource[0], "status": status})
    if not sp:
        p.update({
            "deviceDetail": {"deviceId": "", "displayName": "", "operatingSystem": "Windows10" if s.interactive else "",
                             "browser": "Edge 125.0.0" if s.interactive else "", "isCompliant": False,
                             "isManaged": False, "trustType": ""},
            "location": loc,
            "appliedConditionalAccessPolicies": [] if s.requirement == "singleFactorAuthentication" else [
                {"id": fixed_guid("ca|mfa-partner-center"), "displayName": "Require MFA for Partner Center",
                 "enforcedGrantControls": ["Mfa"], "enforcedSessionControls": [],
                 "result": "failure" if s.error in (50076, 50079) else "success"}],
            "authenticationRequirement": s.requirement,
            "authenticationDetails": s.details,
            "mfaDetail": s.mfa_detail,
        })
        if not camel_portal:
            p.update({
                "authenticationProcessingDetails": [{"key": "Legacy TLS (TLS 1.0, 1.1, 3DES)", "value": "False"},
                                                    {"key": "Oauth Scope Info", "value": "[\"user_impersonation\"]"}],
                "authenticationProtocol": s.protocol,
                "incomingTokenType": s.incoming,
                "tokenIssuerType": "AzureAD", "tokenIssuerName": "",
                "homeTenantId": PARTNER_TENANT, "resourceTenantId": PARTNER_TENANT,
                "userType": "Member", "uniqueTokenIdentifier": b64u(r.randbytes(16)),
                "userAgent": APPS[s.app].ua or "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.20348.2400"
                if isinstance(s.app, str) else "",
            })
    else:
        p.update({"location": LOCATIONS["US"], "resourceServicePrincipalId": fixed_guid("sp|resource|" + s.resource[0]),
                  "authenticationProcessingDetails": [], "uniqueTokenIdentifier": b64u(r.randbytes(16)),
                  "homeTenantId": PARTNER_TENANT, "resourceTenantId": PARTNER_TENANT})
    return p


def gen_signins() -> tuple[LogFile, LogFile]:
    r = rng_for("signins")
    eh: list[SignIn] = []      # Event Hub stream (diagnostic setting enabled on 2026-06-04)
    portal: list[SignIn] = []  # portal download of interactive sign-ins, 2026-06-01..03
    U = USERS
    contoso, tailspin, northwind, legacy = (app_key(c) for c in ("contoso", "tailspin", "northwind", "legacyps"))
    fabrikam, fourth = app_key("fabrikam"), app_key("fourthcoffee")

    for day in DAYS[3:]:
        # Contoso redeems its password-only refresh token every 4 hours: issued, single factor.
        for hour in range(0, 24, 4):
            t = jitter(r, day + timedelta(hours=hour, minutes=5), 120)
            eh.append(SignIn(t, "NonInteractiveUserSignInLogs", "contoso", PC, incoming="refreshToken",
                             user=U["contoso"], intent=Intent("at_risk", contoso)))
        t = jitter(r, day + timedelta(hours=9), 600)
        eh.append(SignIn(t, "NonInteractiveUserSignInLogs", "contoso", GRAPH, incoming="refreshToken", user=U["contoso"]))
        # Tailspin's Secure Application Model redemptions: MFA satisfied by the claim in the token.
        for i, hour in enumerate(range(2, 24, 4)):
            t = jitter(r, day + timedelta(hours=hour, minutes=20), 300)
            req = "multiFactorAuthentication" if (i + day.day) % 2 else "singleFactorAuthentication"
            eh.append(SignIn(t, "NonInteractiveUserSignInLogs", "tailspin", PC, details=[mfa_claim_step(t)],
                             requirement=req, incoming="refreshToken",
                             additional="MFA requirement satisfied by claim in the token",
                             user=U["tailspin"], intent=Intent("compliant", tailspin)))
        # Legacy script: Entra ID refuses the Partner Center token (MFA required), every morning.
        t = jitter(r, day + timedelta(hours=6), 60)
        eh.append(SignIn(t, "NonInteractiveUserSignInLogs", "legacyps", PC, 50076, REASON_50076.format(res=PC_RESOURCE),
                         details=[password_step(t)], requirement="multiFactorAuthentication", incoming="refreshToken",
                         user=U["legacyps"], intent=Intent("broken", legacy)))
        t2 = t + timedelta(seconds=41, milliseconds=r.randint(0, 999))
        eh.append(SignIn(t2, "SignInLogs", "legacyps", PC, 50076, REASON_50076.format(res=PC_RESOURCE),
                         details=[password_step(t2)], requirement="multiFactorAuthentication", protocol="ropc",
                         interactive=True, user=U["legacyps"], intent=Intent("broken", legacy)))
        # ...and its Graph sign-in fails the same way: not Partner Center, must not count.
        t3 = t2 + timedelta(seconds=12)
        eh.append(SignIn(t3, "SignInLogs", "legacyps", GRAPH, 50076, REASON_50076.format(res=GRAPH_RESOURCE),
                         details=[password_step(t3)], requirement="multiFactorAuthentication", protocol="ropc",
                         interactive=True, user=U["legacyps"]))
        # Northwind's service principal, every 6 hours, and its Graph token.
        for hour in range(0, 24, 6):
            t = jitter(r, day + timedelta(hours=hour, minutes=29), 60)
            eh.append(SignIn(t, "ServicePrincipalSignInLogs", "northwind", PC, intent=Intent("not_affected", northwind)))
        t = jitter(r, day + timedelta(hours=12), 600)
        eh.append(SignIn(t, "ServicePrincipalSignInLogs", "northwind", GRAPH))
        # Managed identity reading Key Vault (noise).
        t = jitter(r, day + timedelta(hours=1), 600)
        eh.append(SignIn(t, "ManagedIdentitySignInLogs", (fixed_guid("mi|kv-reader"), "func-relecloud-billing"), KEYVAULT))
    # Northwind: a rotated-out client secret still deployed somewhere (service principal: app-only).
    t = datetime(2026, 6, 5, 16, 44, 9, 311000, tzinfo=UTC)
    eh.append(SignIn(t, "ServicePrincipalSignInLogs", "northwind", PC, 7000215,
                     f"Invalid client secret provided. Ensure the secret being sent in the request is the client "
                     f"secret value, not the client secret ID, for a secret added to app '{northwind}'.",
                     intent=Intent("not_affected", northwind)))
    # Tailspin: a forgotten staging instance with a refresh token idle for 90 days.
    t = datetime(2026, 6, 6, 9, 12, 44, 870000, tzinfo=UTC)
    eh.append(SignIn(t, "NonInteractiveUserSignInLogs", "tailspin", PC, 700082,
                     "The refresh token has expired due to inactivity. The token was issued on "
                     "2026-03-07T09:10:02.1170000Z and was inactive for 90.00:00:00.",
                     incoming="refreshToken", user=U["tailspin"], intent=Intent("unknown", tailspin)))
    # ...then an admin re-consents interactively with MFA.
    t = datetime(2026, 6, 6, 9, 31, 2, 15000, tzinfo=UTC)
    eh.append(SignIn(t, "SignInLogs", "tailspin", PC, details=phone_app_steps(t), requirement="multiFactorAuthentication",
                     mfa_detail={"authMethod": "Mobile app notification", "authDetail": None},
                     interactive=True, protocol="none", user=U["tailspin"], intent=Intent("compliant", tailspin)))
    # Fabrikam's bot account: password expired, then reset (still single factor).
    t = datetime(2026, 6, 5, 8, 12, 30, 404000, tzinfo=UTC)
    eh.append(SignIn(t, "SignInLogs", "fabrikam", PC, 50055, "The password is expired.",
                     details=[password_step(t, False, "Password expired")], protocol="ropc", interactive=True,
                     user=U["fabrikam"], intent=Intent("unknown", fabrikam)))
    t = datetime(2026, 6, 5, 9, 58, 3, 120000, tzinfo=UTC)
    eh.append(SignIn(t, "SignInLogs", "fabrikam", PC, details=[password_step(t)], protocol="ropc", interactive=True,
                     user=U["fabrikam"], intent=Intent("at_risk", fabrikam)))
    # An admin using Azure CLI (noise).
    for d in (4, 5, 6):
        t = jitter(r, DAYS[d] + timedelta(hours=15), 3000)
        eh.append(SignIn(t, "SignInLogs", (AZURE_CLI_APP, "Microsoft Azure CLI"), ARM, details=phone_app_steps(t),
                         requirement="multiFactorAuthentication", mfa_detail={"authMethod": "Mobile app notification"},
                         interactive=True, user=U["tailspin"]))

    # Portal download: interactive sign-ins 2026-06-01..03.
    for day in DAYS[:3]:
        t = jitter(r, day + timedelta(hours=6, minutes=1), 60)
        portal.append(SignIn(t, "", "legacyps", PC, 50079, REASON_50079.format(res=PC_RESOURCE),
                             details=[password_step(t)], requirement="multiFactorAuthentication",
                             interactive=True, user=U["legacyps"], intent=Intent("broken", legacy)))
        t = jitter(r, day + timedelta(hours=8), 3000)
        portal.append(SignIn(t, "", ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"), ARM,
                             details=phone_app_steps(t), requirement="multiFactorAuthentication",
                             mfa_detail={"authMethod": "Mobile app notification"}, interactive=True, user=U["tailspin"]))
        t = jitter(r, day + timedelta(hours=10), 3000)
        portal.append(SignIn(t, "", ("de8bc8b5-d9f9-48b1-a8ad-b748da725064", "Graph Explorer"), GRAPH,
                             details=[password_step(t)], interactive=True, user=U["fourthcoffee"]))
    t = datetime(2026, 6, 3, 12, 2, 10, 230000, tzinfo=UTC)
    portal.append(SignIn(t, "", "fourthcoffee", PC, details=[password_step(t)], interactive=True,
                         user=U["fourthcoffee"], intent=Intent("at_risk", fourth)))
    t = datetime(2026, 6, 3, 12, 4, 9, 702000, tzinfo=UTC)
    portal.append(SignIn(t, "", "fourthcoffee", PC, details=phone_app_steps(t), requirement="multiFactorAuthentication",
                         mfa_detail={"authMethod": "Mobile app notification", "authDetail": None}, interactive=True,
                         user=U["fourthcoffee"], intent=Intent("compliant", fourth)))

    ehf = LogFile("entra/signin-logs-eventhub-2026-06-04_07.jsonl", "signin_eventhub",
                  "Entra ID sign-in logs, Event Hub / storage form: one JSON record per line, fields under properties")
    for s in sorted(eh, key=lambda s: s.t):
        props = signin_properties(s, r, camel_portal=False)
        err = s.error
        record = {
            "time": iso_7(s.t),
            "resourceId": f"/tenants/{PARTNER_TENANT}/providers/Microsoft.aadiam",
            "operationName": "Sign-in activity",
            "operationVersion": "1.0",
            "category": s.category,
            "tenantId": PARTNER_TENANT,
            "resultType": str(err),
            "resultSignature": "None",
            "resultDescription": s.reason or "",
            "durationMs": 0,
            "callerIpAddress": props["ipAddress"],
            "correlationId": props["correlationId"],
            "identity": props.get("userDisplayName") or props.get("servicePrincipalName"),
            "Level": 4,
            "location": props["location"]["countryOrRegion"],
            "properties": props,
        }
        ehf.add(record, s.intent)
    ehf.sorted()

    pf = LogFile("entra/InteractiveSignIns_2026-06-01_2026-06-03.json", "signin_portal",
                 "Entra ID portal \"Download JSON\": a bare JSON array of camelCase sign-in records")
    for s in sorted(portal, key=lambda s: s.t):
        pf.add(signin_properties(s, r, camel_portal=True), s.intent)
    pf.sorted()
    return ehf, pf


# --------------------------------------------------------------------------
# The oracle: re-reads every generated record and applies pcmfa's rules
# --------------------------------------------------------------------------

@dataclass
class Event:
    verdict: str
    integration: str
    app_name: str | None
    kind: str   # api_call | sign_in


def normalize_host(host: str | None) -> str | None:
    if not host:
        return None
    return urlsplit("//" + host).hostname.rstrip(".").lower()


def decode_claims(token: str | None) -> dict | None:
    if not token:
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(b64u_decode(parts[1]))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def bearer(value: str | None) -> str | None:
    if not value or not value.lower().startswith("bearer "):
        return None
    return value[7:].strip() or None


def body_has_900421(body: object) -> bool:
    if body is None:
        return False
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return False
    return isinstance(body, dict) and body.get("code") in (900421, "900421")


def classify_api(host: str | None, auth: str | None, ua: str | None, resp_headers: dict, body: object
                 ) -> Event | None:
    token = bearer(auth)
    claims = decode_claims(token)
    host = normalize_host(host)
    if host is not None:
        if host not in PC_HOSTS:
            return None
    elif not (claims and claims.get("aud") in PC_AUDIENCES):
        return None
    app_id = (claims or {}).get("appid") or (claims or {}).get("azp")
    key = app_id.lower() if app_id else ("ua:" + ua if ua else "unidentified")
    rh = {k.lower(): v for k, v in resp_headers.items()}
    if body_has_900421(body) or any("900421" in str(v) for v in rh.values()):
        return Event("broken", key, None, "api_call")
    if "ismfacompliant" in rh:
        return Event("compliant" if rh["ismfacompliant"].lower() == "true" else "at_risk", key, None, "api_call")
    if claims is not None:
        user = claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username")
        if claims.get("idtyp") == "app" or (not claims.get("scp") and not user and app_id):
            return Event("not_affected", key, None, "api_call")
        if claims.get("scp") or user:
            return Event("compliant" if "mfa" in (claims.get("amr") or []) else "at_risk", key, None, "api_call")
    return Event("unknown", key, None, "api_call")


MFA_METHODS = {"Mobile app notification", "Text message", "OATH verification code", "Phone call",
               "FIDO2 security key", "Windows Hello for Business", "Passkey (Microsoft Authenticator)"}


def classify_signin(p: dict, category: str | None) -> Event | None:
    if (p.get("resourceId") or "").lower() != PC_RESOURCE:
        return None
    key = p["appId"].lower()
    name = p.get("appDisplayName") or None
    err = p["status"]["errorCode"]
    if err in (50076, 50079):
        verdict = "broken"
    elif category in ("ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs"):
        verdict = "not_affected"
    elif err == 0:
        proven = any(step.get("succeeded") and (
            "MFA requirement satisfied" in (step.get("authenticationStepResultDetail") or "")
            or step.get("authenticationMethod") in MFA_METHODS) for step in p.get("authenticationDetails") or [])
        proven = proven or bool((p.get("mfaDetail") or {}).get("authMethod"))
        proven = proven or p.get("authenticationRequirement") == "multiFactorAuthentication"
        if proven:
            verdict = "compliant"
        elif p.get("authenticationRequirement") == "singleFactorAuthentication":
            verdict = "at_risk"
        else:
            verdict = "unknown"
    else:
        verdict = "unknown"
    return Event(verdict, key, name, "sign_in")


def har_headers(items: list[dict]) -> dict:
    return {h["name"]: h["value"] for h in items}


def ci_get(d: dict, name: str) -> str | None:
    for k, v in d.items():
        if k.lower() == name:
            return v
    return None


def oracle(f: LogFile) -> list[Event | None]:
    out: list[Event | None] = []
    for rec in f.records:
        if f.kind == "nested":
            req, res = rec["request"], rec["response"]
            h = req["headers"]
            out.append(classify_api(urlsplit(req["url"]).netloc, ci_get(h, "authorization"),
                                    ci_get(h, "user-agent"), res["headers"], res.get("body")))
        elif f.kind == "flat":
            out.append(classify_api(rec["host"], rec.get("authorization"), rec.get("user_agent"), {},
                                    rec.get("resp_body")))
        elif f.kind == "records":
            h = rec["req"]["headers"]
            out.append(classify_api(h.get("host"), h.get("authorization"), h.get("user-agent"),
                                    rec["res"]["headers"], rec["res"].get("body")))
        elif f.kind == "har":
            h = har_headers(rec["request"]["headers"])
            out.append(classify_api(urlsplit(rec["request"]["url"]).netloc, ci_get(h, "authorization"),
                                    ci_get(h, "user-agent"), har_headers(rec["response"]["headers"]),
                                    rec["response"]["content"].get("text")))
        elif f.kind == "partner_requests":
            out.append(Event("compliant" if rec["mfaCompliant"] else "at_risk", rec["applicationId"].lower(),
                             None, "api_call"))
        elif f.kind == "signin_eventhub":
            out.append(classify_signin(rec["properties"], rec["category"]))
        elif f.kind == "signin_portal":
            out.append(classify_signin(rec, None))
        else:
            raise ValueError(f.kind)
    return out


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def serialize(f: LogFile) -> bytes:
    if f.kind in ("nested", "flat", "signin_eventhub"):
        data = "".join(compact(rec) + "\n" for rec in f.records).encode()
        return gzip.compress(data, compresslevel=9, mtime=0) if f.path.endswith(".gz") else data
    if f.kind == "records":
        return (json.dumps({"records": f.records}, indent=2) + "\n").encode()
    if f.kind == "har":
        doc = {"log": {"version": "1.2",
                       "creator": {"name": "Fiddler", "version": "5.0.20242.10753", "comment": ""},
                       "comment": "Fourth Coffee Admin Console, dev session 2026-06-03",
                       "entries": f.records}}
        return (json.dumps(doc, indent=2) + "\n").encode()
    if f.kind == "partner_requests":
        return (json.dumps(f.document, indent=2) + "\n").encode()  # type: ignore[attr-defined]
    if f.kind == "signin_portal":
        return (json.dumps(f.records, indent=2) + "\n").encode()
    raise ValueError(f.kind)


def rank(events: list[Event]) -> list[dict]:
    by: dict[str, Counter] = defaultdict(Counter)
    names: dict[str, Counter] = defaultdict(Counter)
    for e in events:
        by[e.integration][e.verdict] += 1
        if e.app_name:
            names[e.integration][e.app_name] += 1
    rows = []
    for key, c in by.items():
        verdict = next((v for v in VERDICTS[:4] if c[v]), "unknown")
        name = min(names[key].items(), key=lambda kv: (-kv[1], kv[0]))[0] if names[key] else ""
        rows.append({"integration": key, "app_name": name, "verdict": verdict, "calls": sum(c.values()),
                     **{v: c[v] for v in VERDICTS}})
    rows.sort(key=lambda x: (VERDICTS.index(x["verdict"]), -x["broken"], -x["at_risk"], -x["calls"], x["integration"]))
    # The ranking must not hinge on the key tie-break.
    sig = Counter((x["verdict"], x["broken"], x["at_risk"], x["calls"]) for x in rows)
    assert all(n == 1 for n in sig.values()), f"ambiguous ranking: {sig}"
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


def readme(files: list[LogFile], rows: list[dict], totals: dict) -> str:
    by_code = {a.app_id: a for a in APPS.values()}
    by_code.update({"ua:" + a.ua: a for a in APPS.values() if a.ua and not a.name})
    by_code["unidentified"] = APPS["unidentified"]

    def who(key: str) -> str:
        a = by_code[key]
        return a.name or {"invoicefetcher": "invoice fetcher script", "proseware": "Proseware Sync",
                          "unidentified": "unidentified .NET client"}[a.code]

    lines = [
        "# pcmfa sample corpus",
        "",
        "One week (2026-06-01 to 2026-06-07, after Partner Center began rejecting App+User calls",
        "without MFA) of exported logs from a fictional CSP partner, **Relecloud CSP**",
        f"(tenant `{PARTNER_TENANT}`). Every name, id, address, token and secret is made up.",
        "",
        "```sh",
        "pcmfa scan sample-data/logs --out out",
        "```",
        "",
        "should report the ranking in [`expected-integrations.csv`](expected-integrations.csv) and the",
        "counts in [`expected-totals.json`](expected-totals.json). Scan `sample-data/logs`, not",
        "`sample-data`: the files at this level are answers, not logs.",
        "",
        "Everything here is generated; do not edit by hand. To regenerate (byte-identical on every run):",
        "",
        "```sh",
        "python3 scripts/gen_sample_data.py",
        "```",
        "",
        "## Planted secrets: never let them out",
        "",
        "The logs hold **fake credentials on purpose**: refresh tokens, client secrets, passwords, an",
        "authorization code and a PKCE verifier in logged token-request bodies",
        "(`grant_type=refresh_token&refresh_token=...&client_secret=...`, `grant_type=password&...`)",
        "and in the HAR's token responses, plus a bearer token in almost every `Authorization` header.",
        "None of them may appear in any pcmfa output, message or log line, in any column.",
        "[`planted-secrets.txt`](planted-secrets.txt) lists every planted non-bearer secret, one a line;",
        "a leak test should grep every output file for each line and for `eyJ` (the start of every",
        "JWT here). They are fake, but treat the files as you would real exports.",
        "",
        "## Files",
        "",
        "| file | records | Partner Center events | format | what it shows |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    shows = {
        "nested": "Contoso Billing Sync rejected with 900421 (`code` as number and as string, some with "
                  "`WWW-Authenticate: OAuth realm=urn:cpsvc:cpid:...`); Northwind app-only calls (lower-case "
                  "header names, three to the 21Vianet host); Tailspin's daily `ValidateMfa: true` answered "
                  "`isMfaCompliant: true`; Proseware's opaque token. Noise: token requests with planted "
                  "secrets, Graph, ARM, and the lookalike host `api.partnercenter.microsoft.com.evil.example` "
                  "with a Partner Center-audience token (not Partner Center).",
        "flat": "Fabrikam's password-grant App+User calls (also on `api.partner.microsoft.com`; two 401s with "
                "code `900420`, wrong audience, which is **not** an MFA rejection); Tailspin's Secure "
                "Application Model calls (host sometimes `...:443` or mixed case); Adatum's gradual rollout "
                "(200s, then some, then all 900421); Wingtip's app-only token without `idtyp`; an invoice "
                "script whose `authorization` is empty (credential injected by the proxy). Noise: token "
                "requests with planted passwords, secrets and refresh tokens, Graph, the lookalike host.",
        "records": "Litware's v2.0 token (`azp`, `aud` = resource GUID, no `amr`); Adatum's EU worker "
                   "(900421 with the body as a JSON object); some records have **no host at all** and "
                   "count only because the token's audience is Partner Center; a .NET client with no "
                   "User-Agent and an encrypted five-segment (JWE) token. Noise: Graph (one without host), "
                   "ARM, a health probe.",
        "har": "A developer's session: password-grant token, `ValidateMfa: true` answered `isMfaCompliant: False` "
               "and `IsMfaCompliant: false`, then a new sign-in with MFA and `ismfacompliant: True`. Token "
               "responses in `content.text` and request bodies in `postData.text` hold planted secrets. "
               "Also Graph and the Partner Center portal (`partner.microsoft.com`, not an API host).",
        "partner_requests": "Rows of Partner Center's own per-request report: Alpine Ski House "
                            "(`mfaCompliant: false`) and Coho Winery (`true`). `requestDateTime` has no zone "
                            "(UTC) and a trimmed fraction.",
        "signin_eventhub": "Categories SignInLogs, NonInteractiveUserSignInLogs, ServicePrincipalSignInLogs, "
                           "ManagedIdentitySignInLogs. Legacy script AADSTS50076; Contoso's single-factor "
                           "refresh; Tailspin's \"MFA requirement satisfied by claim in the token\" (half of them "
                           "with `authenticationRequirement: singleFactorAuthentication`), its AADSTS700082 and an "
                           "MFA re-consent; Northwind's service principal (one AADSTS7000215); Fabrikam's "
                           "expired password (50055) and single-factor sign-in. Noise: Graph (including a "
                           "50076 that must not count), Key Vault, ARM. The top-level `resourceId` is the "
                           "tenant path; the resource app is `properties.resourceId`.",
        "signin_portal": "Legacy script AADSTS50079 (MFA registration required); Fourth Coffee's developer "
                         "signing in with a password, then with MFA. Noise: Azure Portal, Graph Explorer.",
    }
    for f in files:
        ft = totals["files"][f"sample-data/logs/{f.path}"]
        text = shows[f.kind] if not f.path.endswith("page2.json") else \
            "Second page of the same report (the first page carries `links.next`)."
        lines.append(f"| `logs/{f.path}` | {ft['records']} | {ft['partner_center']} | {f.format_hint} | {text} |")
    lines += [
        "",
        "A record is one line of a JSON-lines file (after decompression), one element of a JSON array,",
        "one `records[]` element, one HAR `log.entries[]` element, or one `items[]` element of a",
        "`partnerRequests` page. No record here is malformed: `rejected` is 0.",
        "",
        "## Integrations",
        "",
        "| integration | key | expected | story |",
        "| --- | --- | --- | --- |",
    ]
    for row in rows:
        a = by_code[row["integration"]]
        lines.append(f"| {who(row['integration'])} | `{row['integration']}` | {row['verdict']} | {a.story} |")
    lines += [
        "",
        "The lookalike relay (`api.partnercenter.microsoft.com.evil.example`) is not an integration: its",
        "records are `other`. If it shows up in the ranking, host matching is wrong.",
        "",
        "## Expected ranking",
        "",
        "| rank | integration | app_name | verdict | calls | broken | at_risk | compliant | not_affected | unknown |",
        "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(f"| {row['rank']} | `{row['integration']}` | {row['app_name']} | {row['verdict']} | {row['calls']} | "
                     f"{row['broken']} | {row['at_risk']} | {row['compliant']} | {row['not_affected']} | {row['unknown']} |")
    v = totals["verdicts"]
    lines += [
        "",
        f"Totals: {totals['totals']['records']} records, {totals['totals']['partner_center']} Partner Center events "
        f"({totals['totals']['api_calls']} API calls, {totals['totals']['sign_ins']} sign-ins), "
        f"{totals['totals']['other']} other. By verdict: " + ", ".join(f"{k} {v[k]}" for k in VERDICTS) + ".",
        "",
        "## Rules the expected results follow",
        "",
        "- Partner Center API call: host exactly `api.partnercenter.microsoft.com`, `api.partner.microsoft.com` or",
        "  `partner.partnercenterapi.microsoftonline.cn` (any case, port ignored); or no host at all and a token",
        f"  whose `aud` is `{PC_AUD}` or `{PC_RESOURCE}`. A Partner Center sign-in has",
        f"  `resourceId` `{PC_RESOURCE}`.",
        "- API call, first match: 900421 in the error body (`code` number or string) -> broken;",
        "  `isMfaCompliant` response header (any name or value casing) -> compliant / at_risk; decodable JWT:",
        "  app-only (`idtyp: app`, or no `scp` and no user claim but `appid`/`azp`) -> not_affected, App+User with",
        "  `mfa` in `amr` -> compliant, without (or no `amr`) -> at_risk; `partnerRequests` row ->",
        "  `mfaCompliant`; otherwise (no/empty Authorization, opaque or JWE token) -> unknown.",
        "- Sign-in, first match: errorCode 50076/50079 -> broken; service-principal or managed-identity category",
        "  -> not_affected (whatever the errorCode); errorCode 0 with MFA proven -> compliant; errorCode 0 with",
        "  singleFactorAuthentication -> at_risk; any other error -> unknown.",
        "- Key: app id (lower case) from `appid`/`azp`, `appId`, `applicationId`; else `ua:<User-Agent>`; else",
        "  `unidentified`. `app_name` is the sign-in `appDisplayName` (the only log here that names apps).",
        "- Ranking: verdict (broken, at_risk, compliant, not_affected, unknown), then broken, at_risk and",
        "  calls descending, then key. No two rows tie before the key.",
        "",
        "## What a reader of these logs must honour",
        "",
        "Each point is exercised by at least one record; getting it wrong changes the expected numbers.",
        "",
        "- `\"authorization\": \"\"` (nginx with `escape=json`) means no Authorization header.",
        "- A response body may be a JSON string (nested gateway, flat `resp_body`, HAR `content.text`) or an",
        "  already-parsed object (`res.body` in the records export); `code` may be `900421` or `\"900421\"`.",
        "  `900420` (wrong audience) is not an MFA rejection.",
        "- The host comes from the URL, a `host` field or a `host`/`Host` header; it may carry `:443` or mixed",
        "  case. Records with no host anywhere count only when the token's `aud` is Partner Center (URL or GUID).",
        "- Header names vary in case (`Authorization`/`authorization`, `isMfaCompliant`/`IsMfaCompliant`/",
        "  `ismfacompliant`), and so do values (`True`, `false`).",
        "- Times: ISO with `Z` and 3 or 7 fractional digits, ISO with `+02:00` (HAR), epoch milliseconds",
        "  (records export), and zone-less `2026-06-02T10:18:35.73` (partnerRequests, read as UTC).",
        "- A five-segment (JWE) or dot-less token is undecodable: unknown, never app-only.",
        "- Sign-ins: only `properties.resourceId` (or the array element's `resourceId`) says which resource;",
        "  the Event Hub record's top-level `resourceId` is the tenant path. The portal array has no",
        "  `category`: its records are user sign-ins. Service-principal records carry `appDisplayName` too.",
        "- MFA is proven by a succeeded `authenticationDetails` step whose `authenticationStepResultDetail`",
        "  says \"MFA requirement satisfied by claim in the token\" or whose method is an MFA method (here only",
        "  \"Mobile app notification\"), by a non-empty `mfaDetail.authMethod`, or by",
        "  `authenticationRequirement: multiFactorAuthentication`; proof wins over `singleFactorAuthentication`.",
        "- Events are not de-duplicated across files: no request appears in two files.",
        "",
        "`.gz` output is byte-identical as long as Python's zlib is the same library version.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    files: list[LogFile] = [gen_nested_gateway(), gen_flat_proxy(), gen_records_export(), gen_har(),
                            *gen_partner_requests(), *gen_signins()]
    files.sort(key=lambda f: f.path)

    all_events: list[Event] = []
    totals: dict = {"schema_version": 1, "scan": "pcmfa scan sample-data/logs --out out",
                    "files": {}, "totals": {}, "verdicts": {}}
    if LOGS.exists():
        shutil.rmtree(LOGS)
    for f in files:
        events = oracle(f)
        assert len(events) == len(f.intents) == len(f.records), f.path
        for i, (e, want) in enumerate(zip(events, f.intents), 1):
            got = (e.verdict, e.integration) if e else None
            exp = (want.verdict, want.integration) if want else None
            assert got == exp, f"{f.path} record {i}: oracle {got}, scenario {exp}"
        pc = [e for e in events if e]
        all_events += pc
        data = serialize(f)
        path = LOGS / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        vc = Counter(e.verdict for e in pc)
        totals["files"][f"sample-data/logs/{f.path}"] = {
            "format": f.format_hint,
            "bytes": len(data),
            "records": len(f.records),
            "partner_center": len(pc),
            "other": len(f.records) - len(pc),
            "rejected": 0,
            "api_calls": sum(e.kind == "api_call" for e in pc),
            "sign_ins": sum(e.kind == "sign_in" for e in pc),
            "verdicts": {v: vc[v] for v in VERDICTS},
        }
    ft = totals["files"].values()
    totals["totals"] = {k: sum(x[k] for x in ft) for k in
                        ("records", "partner_center", "other", "rejected", "api_calls", "sign_ins")}
    vc = Counter(e.verdict for e in all_events)
    totals["verdicts"] = {v: vc[v] for v in VERDICTS}
    rows = rank(all_events)
    totals["integrations"] = len(rows)

    # Secrets must appear in the logs (planted) and never in the answers.
    blob = b"".join(gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
                    for p in sorted(LOGS.rglob("*")) if p.is_file())
    for s in PLANTED:
        assert s.encode() in blob, "planted secret missing from the logs"

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = ["rank", "integration", "app_name", "verdict", "calls", *VERDICTS]
    w.writerow(cols)
    for row in rows:
        w.writerow([row[c] for c in cols])
    (OUT / "expected-integrations.csv").write_text(buf.getvalue())
    (OUT / "expected-totals.json").write_text(json.dumps(totals, indent=2) + "\n")
    (OUT / "planted-secrets.txt").write_text("".join(s + "\n" for s in sorted(PLANTED)))
    (OUT / "README.md").write_text(readme(files, rows, totals))

    total_bytes = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    for row in rows:
        print(f"{row['rank']:>2} {row['verdict']:<12} {row['calls']:>4} b={row['broken']:<3} r={row['at_risk']:<3} "
              f"{row['integration']}  {row['app_name']}")
    print(f"{totals['totals']} {totals['verdicts']} bytes={total_bytes}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
