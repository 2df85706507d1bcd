//! CSV header rows and data rows: names, kinds, cells holding JSON, rejects.

use super::*;
use crate::classify::classify;
use crate::formats::test_support::{app_user_token, assert_secret_free, origin, PC_HOST};
use crate::vocab::{Evidence, Verdict};

fn header(line: &str) -> CsvHeader {
    let delimiter = sniff_delimiter(line.as_bytes());
    CsvHeader::parse(line.as_bytes(), delimiter, RecordKind::Auto).expect("header")
}

/// CSV-quotes a cell the way Log Analytics does.
fn quoted(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

#[test]
fn headers_name_their_reader() {
    let cases: &[(&str, RecordKind, &str)] = &[
        (
            "TenantId,TimeGenerated [UTC],CorrelationId,Method,Url,BackendUrl,ResponseCode,BackendResponseCode,BackendRequestHeaders,BackendResponseBody,ApimSubscriptionId",
            RecordKind::Apim,
            "apim_gateway_csv",
        ),
        (
            "\u{feff}TimeGenerated [UTC],Id,Target,DependencyType,Name,Data,Success,ResultCode,DurationMs,OperationId,AppRoleName",
            RecordKind::AppDependency,
            "appinsights_dependencies_csv",
        ),
        (
            "timestamp [UTC],id,target,type,name,data,success,resultCode,duration,operation_Id,cloud_RoleName",
            RecordKind::AppDependency,
            "appinsights_dependencies_csv",
        ),
        (
            "TimeGenerated [UTC],Message,SeverityLevel,OperationId,AppRoleName",
            RecordKind::AppTrace,
            "appinsights_traces_csv",
        ),
        (
            "TimeGenerated [UTC],ProblemId,ExceptionType,OuterMessage,Details,OperationId",
            RecordKind::AppException,
            "appinsights_exceptions_csv",
        ),
        (
            "TenantId,TimeGenerated [UTC],ResultType,CorrelationId,AppDisplayName,AppId,ResourceDisplayName,ResourceIdentity,UserPrincipalName,Status,AuthenticationRequirement,AuthenticationDetails,Category",
            RecordKind::SignIn,
            "entra_signin_csv",
        ),
        ("Date;Request URL;Status Code;User Agent", RecordKind::Http, "gateway_csv"),
        ("time\thost\tpath\tstatus", RecordKind::Http, "gateway_csv"),
    ];
    for &(line, kind, label) in cases {
        let h = header(line);
        assert_eq!((h.kind, h.label()), (kind, label), "{line}");
        assert!(looks_like_csv(line.as_bytes()), "{line}");
        assert!(h
            .names
            .iter()
            .all(|n| !n.contains('[') && !n.starts_with('\u{feff}')));
    }
    assert_eq!(header("Date;Request URL;Status Code").delimiter, b';');
    // A forced kind is not second-guessed.
    let forced = CsvHeader::parse(b"Url,Status", b',', RecordKind::Apim).expect("header");
    assert_eq!(forced.kind, RecordKind::Apim);
}

#[test]
fn apim_row_with_json_text_cells_reads_end_to_end() {
    let token = app_user_token(Some(&["pwd"]));
    let h = header("TimeGenerated [UTC],CorrelationId,Method,Url,BackendUrl,ResponseCode,BackendResponseCode,RequestHeaders,BackendRequestHeaders,BackendResponseBody,ApimSubscriptionId,IsRequestSuccess");
    let request_headers = r#"{"User-Agent":"ContosoBilling/2.1","Accept":"application/json"}"#;
    let backend_headers = format!(r#"{{"Authorization":"Bearer {token}"}}"#);
    let body = "{\"code\":900421,\n\"description\":\"MFA claim missing\"}";
    let row = [
        "\"6/2/2026, 8:15:03.123 AM\"".to_string(),
        "7e1b3c2a-55aa-4f0e-9c1d-2b3a4c5d6e7f".to_string(),
        "GET".to_string(),
        "https://contoso-apim.azure-api.net/pc/v1/customers".to_string(),
        format!("https://{PC_HOST}/v1/customers"),
        "401".to_string(),
        "401".to_string(),
        quoted(request_headers),
        quoted(&backend_headers),
        quoted(body),
        "billing-sync".to_string(),
        "False".to_string(),
    ]
    .join(",");
    let (obs, label) = match parse_csv_record(row.as_bytes(), &h) {
        Parsed::Event(obs, label) => (obs, label),
        Parsed::Reject(reason) => panic!("{reason:?}"),
        Parsed::SideEvidence(..) => panic!("read as side evidence"),
    };
    assert_secret_free(&format!("{obs:?}"));
    assert_eq!(label, "apim_gateway_csv");
    let call = classify(*obs, &origin(label)).expect("Partner Center call");
    assert_secret_free(&format!("{call:?}"));
    assert_eq!(
        (call.verdict, call.evidence),
        (Verdict::Broken, Evidence::Error900421)
    );
    assert_eq!(
        call.time
            .map(crate::formats::timestamp::format_iso)
            .as_deref(),
        Some("2026-06-02T08:15:03.123Z")
    );
    assert_eq!(call.user_agent.as_deref(), Some("ContosoBilling/2.1"));
    assert!(call.token_fingerprint.is_some());
}

/// Log Analytics' SigninLogs CSV: `Status` holds JSON text, the reader is Entra's.
#[test]
fn sign_in_table_rows_read_as_sign_ins() {
    let h = header("TimeGenerated [UTC],ResultType,CorrelationId,AppDisplayName,AppId,ResourceDisplayName,ResourceIdentity,UserPrincipalName,Status,AuthenticationRequirement,Category");
    let status = r#"{"errorCode":50076,"failureReason":"Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd'."}"#;
    let row = [
        "\"6/2/2026, 7:59:58.000 AM\"".to_string(),
        "50076".to_string(),
        "0B6C7D8E-1111-4222-8333-444455556666".to_string(),
        "Contoso Billing Sync".to_string(),
        "aaaaaaaa-1111-4111-8111-111111111111".to_string(),
        "Microsoft Partner Center".to_string(),
        "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd".to_string(),
        "ops@contoso.example".to_string(),
        quoted(status),
        "singleFactorAuthentication".to_string(),
        "NonInteractiveUserSignInLogs".to_string(),
    ]
    .join(",");
    let Parsed::Event(obs, label) = parse_csv_record(row.as_bytes(), &h) else {
        panic!("rejected");
    };
    assert_eq!(label, "entra_signin_csv");
    let call = classify(*obs, &origin(label)).expect("a Partner Center sign-in");
    assert_eq!(
        (call.verdict, call.evidence, call.error_code.as_deref()),
        (
            Verdict::Broken,
            Evidence::SignInMfaRequired,
            Some("AADSTS50076")
        )
    );
    assert_eq!(call.app_name.as_deref(), Some("Contoso Billing Sync"));
}

#[test]
fn bad_rows_are_rejected_with_their_reason() {
    let h = header("Url,Status Code,User Agent");
    let cases: &[(&[u8], RejectReason)] = &[
        (
            b"https://api.partnercenter.microsoft.com/v1/customers,401",
            RejectReason::RaggedRow,
        ),
        (
            b"https://api.partnercenter.microsoft.com/v1/customers,401,ua,extra",
            RejectReason::RaggedRow,
        ),
        (
            b"https://api.partnercenter.microsoft.com/v1/customers,401,\xff\xfe",
            RejectReason::InvalidUtf8,
        ),
    ];
    for (row, want) in cases {
        match parse_csv_record(row, &h) {
            Parsed::Reject(reason) => assert_eq!(reason, *want),
            Parsed::Event(..) | Parsed::SideEvidence(..) => {
                panic!("accepted {}", String::from_utf8_lossy(row))
            }
        }
    }
    // Empty cells are absent fields, not errors.
    let ok = format!("https://{PC_HOST}/v1/customers,,");
    assert!(matches!(
        parse_csv_record(ok.as_bytes(), &h),
        Parsed::Event(_, "gateway_csv")
    ));
}

#[test]
fn cells_split_like_rfc_4180() {
    let cases: &[(&str, &[&str])] = &[
        ("a,b,c", &["a", "b", "c"]),
        ("a,,c,", &["a", "", "c", ""]),
        (r#""a,1","b""q""",c"#, &["a,1", r#"b"q""#, "c"]),
        ("\"line\r\nbreak\",x", &["line\r\nbreak", "x"]),
        (r#"a"b,c"#, &[r#"a"b"#, "c"]),
        (r#""q"tail,c"#, &["qtail", "c"]),
        (r#""""#, &[""]),
        (r#""""x""",y"#, &[r#""x""#, "y"]),
        (r#""never closed,x"#, &["never closed,x"]),
    ];
    for &(row, want) in cases {
        let got: Vec<String> = split_record(row.as_bytes(), b',')
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        assert_eq!(got, want, "{row}");
    }
}

#[test]
fn not_csv() {
    for head in [
        "2026-06-02 08:15:03, GET https://api.partnercenter.microsoft.com/v1/customers, 401\n",
        "#Fields: date time cs-method cs-uri-stem sc-status\n",
        "Url\nhttps://x\n",
        "Name,Date,Amount\nContoso,2026-06-02,12.50\n",
        "127.0.0.1 - - [02/Jun/2026:08:15:03 +0000] \"GET /v1/customers HTTP/1.1\" 401 0\n",
        "",
    ] {
        assert!(!looks_like_csv(head.as_bytes()), "{head}");
    }
}
