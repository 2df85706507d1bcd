//! Deterministic synthetic inputs shared by the benches.
//!
//! Everything here is generated from a seed with a small xorshift generator,
//! so every run measures the same bytes. The records imitate what pcmfa
//! reads in the field: gateway JSON lines (nested request/response, headers
//! with a realistic Entra ID v1 access token, a mix of Partner Center and
//! other Microsoft hosts, some 401 bodies with code 900421), the same records
//! wrapped in a `{"records":[...]}` document, and Entra sign-in lines.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::time::Duration;

use criterion::Criterion;

/// The criterion settings every bench uses: small samples so that the whole
/// `cargo bench` run takes a few minutes.
pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

/// Partner Center shares (percent of records) the benches are run at.
pub const PC_SHARES: [u32; 2] = [10, 100];

/// 2026-04-01T00:00:00Z, when MFA enforcement started.
const BASE_EPOCH: i64 = 1_775_001_600;

const PARTNER_CENTER_AUD: &str = "https://api.partnercenter.microsoft.com";
const PARTNER_CENTER_RESOURCE: &str = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd";
const GRAPH_RESOURCE: &str = "00000003-0000-0000-c000-000000000000";

/// xorshift64: tiny, fast and good enough to vary synthetic records.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so small seeds still start well mixed.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u32) -> bool {
        self.below(100) < u64::from(percent)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A lower-case GUID.
    pub fn guid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            0x4000 | (a & 0x0fff),
            0x8000 | (b >> 48 & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// `n` random lower-case hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        let mut out = String::with_capacity(n);
        while out.len() < n {
            let _ = write!(out, "{:016x}", self.next_u64());
        }
        out.truncate(n);
        out
    }

    /// `n` random bytes, base64url encoded without padding.
    pub fn b64(&mut self, n: usize) -> String {
        let bytes: Vec<u8> = (0..n).map(|_| self.next_u64() as u8).collect();
        base64url(&bytes)
    }
}

/// base64url without padding, as JWT segments use.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=group.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// `2026-04-01T12:34:56.789Z` from seconds and milliseconds since the epoch.
pub fn iso_time(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// How a token authenticates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Auth {
    /// App+User with `mfa` in `amr`.
    UserMfa,
    /// App+User with a password-only `amr`: Partner Center answers 401/900421.
    UserNoMfa,
    /// App-only (client credentials).
    AppOnly,
}

/// One calling integration: an app registration and how it signs in.
struct App {
    id: String,
    name: &'static str,
    user_agent: &'static str,
    service: &'static str,
    auth: Auth,
}

const APP_PROFILES: &[(&str, &str, &str, Auth)] = &[
    (
        "Contoso Billing Sync",
        "ContosoBilling/4.2.1 (.NET 8.0.11; Linux)",
        "billing-sync",
        Auth::UserMfa,
    ),
    (
        "Fabrikam CSP Portal",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
        "csp-portal",
        Auth::UserNoMfa,
    ),
    (
        "Northwind Reconciler",
        "PartnerCenter.Sdk/3.4.0 (Windows NT 10.0.20348)",
        "reconciler",
        Auth::AppOnly,
    ),
    (
        "Tailspin Provisioning",
        "python-requests/2.32.3",
        "provisioning",
        Auth::UserNoMfa,
    ),
    (
        "Woodgrove Invoicing",
        "Go-http-client/2.0",
        "invoicing",
        Auth::UserMfa,
    ),
    (
        "Adatum License Manager",
        "PowerShell/7.4.2 PartnerCenter/3.0.10",
        "license-mgr",
        Auth::AppOnly,
    ),
    (
        "Litware Usage Exporter",
        "azsdk-net-Identity/1.11.4 (.NET 6.0.29; Microsoft Windows 10.0.17763)",
        "usage-export",
        Auth::UserMfa,
    ),
    (
        "Proseware Renewals",
        "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
        "renewals",
        Auth::UserNoMfa,
    ),
];

const GIVEN: &[&str] = &[
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Frances", "Niklaus",
];
const FAMILY: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Allen", "Wirth",
];
const DOMAINS: &[&str] = &[
    "contoso.onmicrosoft.com",
    "fabrikam.com",
    "northwindtraders.com",
];

/// A user of an App+User integration.
struct User {
    upn: String,
    name: String,
    oid: String,
}

/// The population records are drawn from: apps, users, tenants.
struct Population {
    apps: Vec<App>,
    users: Vec<User>,
    tenants: Vec<String>,
    customers: Vec<String>,
    kid: String,
}

impl Population {
    fn new(rng: &mut Rng) -> Population {
        let apps = APP_PROFILES
            .iter()
            .map(|&(name, user_agent, service, auth)| App {
                id: rng.guid(),
                name,
                user_agent,
                service,
                auth,
            })
            .collect();
        let users = (0..24)
            .map(|i| {
                let given = GIVEN[i % GIVEN.len()];
                let family = FAMILY[(i / GIVEN.len() + i) % FAMILY.len()];
                let domain = DOMAINS[i % DOMAINS.len()];
                User {
                    upn: format!(
                        "{}.{}@{domain}",
                        given.to_lowercase(),
                        family.to_lowercase()
                    ),
                    name: format!("{given} {family}"),
                    oid: rng.guid(),
                }
            })
            .collect();
        Population {
            apps,
            users,
            tenants: (0..3).map(|_| rng.guid()).collect(),
            customers: (0..200).map(|_| rng.guid()).collect(),
            kid: rng.b64(20),
        }
    }
}

/// A realistic Entra ID v1 access token (RS256: header, claims, 256-byte
/// signature) for `aud`.
fn jwt(rng: &mut Rng, pop: &Population, app: &App, aud: &str, auth: Auth, iat: i64) -> String {
    let tid = rng.pick(&pop.tenants).clone();
    let header = format!(
        r#"{{"typ":"JWT","alg":"RS256","x5t":"{kid}","kid":"{kid}"}}"#,
        kid = pop.kid
    );
    let mut payload = format!(
        r#"{{"aud":"{aud}","iss":"https://sts.windows.net/{tid}/","iat":{iat},"nbf":{iat},"exp":{exp},"#,
        exp = iat + 3600 + rng.below(1200) as i64
    );
    match auth {
        Auth::UserMfa | Auth::UserNoMfa => {
            let user = rng.pick(&pop.users);
            let amr = if auth == Auth::UserMfa {
                r#"["pwd","mfa"]"#
            } else {
                r#"["pwd"]"#
            };
            let _ = write!(
                payload,
                r#""acr":"1","aio":"{aio}","amr":{amr},"appid":"{appid}","appidacr":"1","idtyp":"user","ipaddr":"203.0.113.{ip}","name":"{name}","oid":"{oid}","scp":"user_impersonation","sub":"{sub}","tid":"{tid}","unique_name":"{upn}","upn":"{upn}","uti":"{uti}","ver":"1.0"}}"#,
                aio = rng.b64(42),
                appid = app.id,
                ip = rng.below(254) + 1,
                name = user.name,
                oid = user.oid,
                sub = rng.b64(32),
                upn = user.upn,
                uti = rng.b64(16),
            );
        }
        Auth::AppOnly => {
            let _ = write!(
                payload,
                r#""aio":"{aio}","appid":"{appid}","appidacr":"1","idp":"https://sts.windows.net/{tid}/","idtyp":"app","oid":"{oid}","sub":"{oid}","tid":"{tid}","uti":"{uti}","ver":"1.0"}}"#,
                aio = rng.b64(42),
                appid = app.id,
                oid = rng.guid(),
                uti = rng.b64(16),
            );
        }
    }
    format!(
        "{}.{}.{}",
        base64url(header.as_bytes()),
        base64url(payload.as_bytes()),
        rng.b64(256)
    )
}

/// Partner Center operations: method and path (`{c}` is a customer id).
const PC_OPERATIONS: &[(&str, &str)] = &[
    ("GET", "/v1/customers?size=500"),
    ("GET", "/v1/customers/{c}"),
    ("GET", "/v1/customers/{c}/subscriptions"),
    ("GET", "/v1/customers/{c}/subscriptions/{s}"),
    ("PATCH", "/v1/customers/{c}/subscriptions/{s}"),
    ("GET", "/v1/customers/{c}/orders"),
    ("POST", "/v1/customers/{c}/orders"),
    ("GET", "/v1/customers/{c}/users"),
    ("GET", "/v1/invoices?size=100&offset=0"),
    (
        "GET",
        "/v1/invoices/{s}/lineitems/OneTime/BillingLineItems?size=2000",
    ),
    ("GET", "/v1/profiles/mpn"),
    ("POST", "/v1/customers/{c}/carts"),
];

/// Other hosts a gateway sees: (host, audience, method, path).
const OTHER_OPERATIONS: &[(&str, &str, &str, &str)] = &[
    (
        "graph.microsoft.com",
        "https://graph.microsoft.com",
        "GET",
        "/v1.0/users?$top=100",
    ),
    (
        "graph.microsoft.com",
        "https://graph.microsoft.com",
        "GET",
        "/v1.0/contracts",
    ),
    (
        "graph.microsoft.com",
        "https://graph.microsoft.com",
        "POST",
        "/v1.0/$batch",
    ),
    (
        "management.azure.com",
        "https://management.azure.com/",
        "GET",
        "/subscriptions?api-version=2022-12-01",
    ),
    (
        "management.azure.com",
        "https://management.azure.com/",
        "GET",
        "/providers/Microsoft.Billing/billingAccounts?api-version=2024-04-01",
    ),
    (
        "api.contoso-crm.example",
        "api://contoso-crm",
        "GET",
        "/api/v2/accounts?page=3",
    ),
];

const MFA_BODY_TEXT: &str = r#"{\"code\":900421,\"description\":\"Multi-factor authentication is required for this operation. Please sign in with MFA and try again.\",\"data\":[],\"source\":\"PartnerFD\"}"#;
const MFA_BODY_OBJECT: &str = r#"{"code":900421,"description":"Multi-factor authentication is required for this operation. Please sign in with MFA and try again.","data":[],"source":"PartnerFD"}"#;

/// Generates gateway JSON records one at a time.
pub struct GatewayGen {
    rng: Rng,
    pop: Population,
    pc_percent: u32,
    secs: i64,
}

impl GatewayGen {
    /// Records of which `pc_percent` percent go to Partner Center.
    pub fn new(seed: u64, pc_percent: u32) -> GatewayGen {
        let mut rng = Rng::new(seed);
        let pop = Population::new(&mut rng);
        GatewayGen {
            rng,
            pop,
            pc_percent,
            secs: BASE_EPOCH,
        }
    }

    /// Appends one record (one line, no newline) to `out`.
    pub fn record(&mut self, out: &mut String) {
        let rng = &mut self.rng;
        self.secs += rng.below(3) as i64;
        let millis = rng.below(1000) as u32;
        let app = &self.pop.apps[rng.below(self.pop.apps.len() as u64) as usize];
        let partner_center = rng.percent(self.pc_percent);
        let (host, aud, method, path) = if partner_center {
            let &(method, template) = rng.pick(PC_OPERATIONS);
            let customer = rng.pick(&self.pop.customers).clone();
            let path = template
                .replace("{c}", &customer)
                .replace("{s}", &rng.guid());
            (
                "api.partnercenter.microsoft.com",
                PARTNER_CENTER_AUD,
                method,
                path,
            )
        } else {
            let &(host, aud, method, path) = rng.pick(OTHER_OPERATIONS);
            (host, aud, method, path.to_string())
        };
        let iat = self.secs - rng.below(3000) as i64;
        let token = jwt(rng, &self.pop, app, aud, app.auth, iat);

        // App+User without MFA is refused by Partner Center most of the time.
        let mfa_refused = partner_center && app.auth == Auth::UserNoMfa && rng.percent(80);
        let status = if mfa_refused {
            401
        } else {
            match rng.below(100) {
                0..=1 => 429,
                2..=3 => 404,
                4 => 500,
                _ if method == "POST" => 201,
                _ => 200,
            }
        };
        let correlation = rng.guid();
        let request_id = rng.guid();
        let _ = write!(
            out,
            r#"{{"@t":"{time}","level":"Information","service":"{service}","hostname":"{service}-{pod}","traceId":"{trace}","spanId":"{span}","#,
            time = iso_time(self.secs, millis),
            service = app.service,
            pod = rng.hex(5),
            trace = rng.hex(32),
            span = rng.hex(16),
        );
        let _ = write!(
            out,
            r#""request":{{"method":"{method}","url":"https://{host}{path}","headers":{{"Host":"{host}","Authorization":"Bearer {token}","User-Agent":"{ua}","Accept":"application/json","MS-CorrelationId":"{correlation}","MS-RequestId":"{request_id}","X-Locale":"en-US"}}}},"#,
            ua = app.user_agent,
        );
        let _ = write!(
            out,
            r#""response":{{"status":{status},"headers":{{"Content-Type":"application/json; charset=utf-8","Date":"{date}","MS-CV":"{cv}","Request-Id":"{request_id}"}},"#,
            date = iso_time(self.secs, 0),
            cv = rng.b64(16),
        );
        if mfa_refused {
            if rng.percent(70) {
                let _ = write!(out, r#""body":"{MFA_BODY_TEXT}","#);
            } else {
                let _ = write!(out, r#""body":{MFA_BODY_OBJECT},"#);
            }
        } else {
            let _ = write!(out, r#""bodySize":{},"#, 200 + rng.below(60_000));
        }
        let _ = write!(
            out,
            r#""elapsedMs":{}}},"upstream":{{"cluster":"egress-{host}","attempt":1}}}}"#,
            5 + rng.below(900)
        );
    }

    /// Records as separate strings.
    pub fn records(&mut self, count: usize) -> Vec<String> {
        (0..count)
            .map(|_| {
                let mut line = String::with_capacity(1600);
                self.record(&mut line);
                line
            })
            .collect()
    }

    /// Newline-terminated lines, at least `target_bytes` in all.
    pub fn lines(&mut self, target_bytes: usize) -> Vec<u8> {
        let mut out = String::with_capacity(target_bytes + 4096);
        while out.len() < target_bytes {
            self.record(&mut out);
            out.push('\n');
        }
        out.into_bytes()
    }

    /// A `{"records":[...]}` document of at least `target_bytes`, one
    /// element per line as Azure Monitor exports write them.
    pub fn records_document(&mut self, target_bytes: usize) -> Vec<u8> {
        let mut out = String::with_capacity(target_bytes + 4096);
        out.push_str("{\"records\":[\n");
        let mut first = true;
        while out.len() < target_bytes {
            if !first {
                out.push_str(",\n");
            }
            first = false;
            self.record(&mut out);
        }
        out.push_str("\n]}\n");
        out.into_bytes()
    }
}

/// Realistic bearer tokens of every kind, for Partner Center and others.
pub fn tokens(seed: u64, count: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let pop = Population::new(&mut rng);
    (0..count)
        .map(|i| {
            let app = &pop.apps[i % pop.apps.len()];
            let aud = if rng.percent(80) {
                PARTNER_CENTER_AUD
            } else {
                "https://graph.microsoft.com"
            };
            let iat = BASE_EPOCH + i as i64;
            jwt(&mut rng, &pop, app, aud, app.auth, iat)
        })
        .collect()
}

/// Entra ID sign-in records as Event Hub / storage export lines
/// (`properties` holding the camelCase fields); most are for Partner Center.
pub fn sign_in_lines(seed: u64, count: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let pop = Population::new(&mut rng);
    let mut secs = BASE_EPOCH;
    (0..count)
        .map(|_| {
            secs += rng.below(5) as i64;
            let app = &pop.apps[rng.below(pop.apps.len() as u64) as usize];
            let tid = rng.pick(&pop.tenants).clone();
            let (resource_id, resource_name) = if rng.percent(75) {
                (PARTNER_CENTER_RESOURCE, "Microsoft Partner Center")
            } else {
                (GRAPH_RESOURCE, "Microsoft Graph")
            };
            let time = iso_time(secs, rng.below(1000) as u32);
            let correlation = rng.guid();
            let id = rng.guid();
            if app.auth == Auth::AppOnly {
                return format!(
                    r#"{{"time":"{time}","resourceId":"/tenants/{tid}/providers/Microsoft.aadiam","operationName":"Sign-in activity","operationVersion":"1.0","category":"ServicePrincipalSignInLogs","tenantId":"{tid}","resultType":"0","resultSignature":"None","durationMs":0,"callerIpAddress":"198.51.100.{ip}","correlationId":"{correlation}","Level":4,"location":"US","properties":{{"id":"{id}","createdDateTime":"{time}","appId":"{appid}","appDisplayName":"{app}","ipAddress":"198.51.100.{ip}","correlationId":"{correlation}","status":{{"errorCode":0}},"servicePrincipalId":"{sp}","servicePrincipalName":"{app}","resourceDisplayName":"{resource_name}","resourceId":"{resource_id}","resourceTenantId":"{tid}","homeTenantId":"{tid}","clientCredentialType":"clientSecret","uniqueTokenIdentifier":"{uti}","signInEventTypes":["servicePrincipal"],"location":{{"city":"Redmond","state":"Washington","countryOrRegion":"US"}}}}}}"#,
                    ip = rng.below(254) + 1,
                    appid = app.id,
                    app = app.name,
                    sp = rng.guid(),
                    uti = rng.b64(16),
                );
            }
            let user = rng.pick(&pop.users);
            let mfa = app.auth == Auth::UserMfa;
            let error_code = if !mfa && rng.percent(30) { 50076 } else { 0 };
            let (requirement, details) = if mfa {
                (
                    "multiFactorAuthentication",
                    r#"[{"authenticationStepDateTime":"2026-04-01T00:00:00Z","authenticationMethod":"Previously satisfied","succeeded":true,"authenticationStepResultDetail":"First factor requirement satisfied by claim in the token"},{"authenticationStepDateTime":"2026-04-01T00:00:00Z","authenticationMethod":"Previously satisfied","succeeded":true,"authenticationStepResultDetail":"MFA requirement satisfied by claim in the token"}]"#,
                )
            } else {
                (
                    "singleFactorAuthentication",
                    r#"[{"authenticationStepDateTime":"2026-04-01T00:00:00Z","authenticationMethod":"Password","succeeded":true,"authenticationStepResultDetail":"Correct password"}]"#,
                )
            };
            format!(
                r#"{{"time":"{time}","resourceId":"/tenants/{tid}/providers/Microsoft.aadiam","operationName":"Sign-in activity","operationVersion":"1.0","category":"NonInteractiveUserSignInLogs","tenantId":"{tid}","resultType":"{error_code}","resultSignature":"None","durationMs":0,"callerIpAddress":"203.0.113.{ip}","correlationId":"{correlation}","identity":"{name}","Level":4,"location":"US","properties":{{"id":"{id}","createdDateTime":"{time}","userDisplayName":"{name}","userPrincipalName":"{upn}","userId":"{oid}","appId":"{appid}","appDisplayName":"{app}","ipAddress":"203.0.113.{ip}","status":{{"errorCode":{error_code}}},"clientAppUsed":"Mobile Apps and Desktop clients","userAgent":"{ua}","deviceDetail":{{"deviceId":"","operatingSystem":"Windows10","browser":"Rich Client 4.61.0.0"}},"location":{{"city":"Seattle","state":"Washington","countryOrRegion":"US","geoCoordinates":{{"latitude":47.6,"longitude":-122.3}}}},"correlationId":"{correlation}","conditionalAccessStatus":"notApplied","appliedConditionalAccessPolicies":[],"authenticationDetails":{details},"authenticationRequirement":"{requirement}","isInteractive":false,"tokenIssuerType":"AzureAD","resourceDisplayName":"{resource_name}","resourceId":"{resource_id}","resourceTenantId":"{tid}","homeTenantId":"{tid}","uniqueTokenIdentifier":"{uti}","signInEventTypes":["nonInteractiveUser"]}}}}"#,
                ip = rng.below(254) + 1,
                name = user.name,
                upn = user.upn,
                oid = user.oid,
                appid = app.id,
                app = app.name,
                ua = app.user_agent,
                uti = rng.b64(16),
            )
        })
        .collect()
}

/// Total bytes of `records` (plus one newline each, as in a file).
pub fn total_bytes(records: &[String]) -> u64 {
    records.iter().map(|r| r.len() as u64 + 1).sum()
}
