#!/usr/bin/env python3
"""Writes tests/fixtures/: small hand-shaped inputs for pcmfa's edge cases.

Deterministic: run `python3 scripts/gen_test_fixtures.py` from the repo root.
Every token and secret is fake.
"""
import base64
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


if __name__ == "__main__":
    main()
