//! Application Insights records: dependencies are calls without a token;
//! traces and exceptions count only when they quote Partner Center's rejection.

use serde_json::json;

use crate::formats::test_support::{run, run_as, AUTO_DOCUMENT, PC_HOST};
use crate::formats::timestamp::format_iso;
use crate::vocab::{AuthMode, Evidence, Verdict};

const OPERATION: &str = "4BF92F3577B34DA6A3CE929D0E0E4736";

#[test]
fn workspace_dependency_is_an_unknown_partner_center_call() {
    let row = json!({
        "TenantId": "a1b2c3d4-0000-4000-8000-000000000001",
        "TimeGenerated": "2026-06-02T08:15:03.123Z",
        "Id": "00f067aa0ba902b7", "Target": PC_HOST, "DependencyType": "HTTP",
        "Name": "GET /v1/customers/7c1a0e3b-9f7d-4f5e-a1d2-3b4c5d6e7f80/subscriptions",
        "Data": format!("https://{PC_HOST}/v1/customers/7c1a0e3b-9f7d-4f5e-a1d2-3b4c5d6e7f80/subscriptions?size=100"),
        "Success": false, "ResultCode": "401", "DurationMs": 231.5,
        "Properties": {"AspNetCoreEnvironment": "Production"},
        "OperationName": "POST /sync", "OperationId": OPERATION, "ParentId": "53995c3f42cd8ad8",
        "AppRoleName": "contoso-billing-sync", "AppRoleInstance": "vm-01",
        "Type": "AppDependencies"
    });
    let call = run_as(&row.to_string(), AUTO_DOCUMENT).expect("Partner Center call");
    assert_eq!(call.format, "appinsights_dependencies_json_array");
    assert_eq!(
        call.operation.as_deref(),
        Some("GET /v1/customers/{id}/subscriptions")
    );
    assert_eq!(call.status, Some(401));
    assert_eq!(
        (call.auth_mode, call.verdict, call.evidence),
        (AuthMode::Unknown, Verdict::Unknown, Evidence::NoToken)
    );
    assert_eq!(
        call.correlation_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    assert_eq!(call.app_name.as_deref(), Some("contoso-billing-sync"));
    assert_eq!(call.app_id, None);
    assert_eq!(&*call.integration, "name:contoso-billing-sync");
}

#[test]
fn classic_dependency_reads_lower_case_fields_and_never_takes_the_resource_app_id() {
    let classic = json!({
        "timestamp": "2026-06-02T08:15:03.123Z", "id": "|abc.1.", "target": format!("{PC_HOST}:443"),
        "type": "Http", "name": "POST /v1/customers/7c1a0e3b-9f7d-4f5e-a1d2-3b4c5d6e7f80/orders",
        "data": "", "success": "False", "resultCode": "401", "duration": 120.1,
        "operation_Id": OPERATION, "cloud_RoleName": "provisioning-bot",
        "appId": "9e8d7c6b-5a49-4838-a271-605f4e3d2c1b", "appName": "contoso-ai", "itemType": "dependency"
    });
    let call = run(&classic.to_string()).expect("Partner Center call");
    assert_eq!(call.format, "appinsights_dependencies_json_lines");
    assert_eq!(call.host.as_deref(), Some(PC_HOST));
    assert_eq!(call.method.as_deref(), Some("POST"));
    assert_eq!(
        call.operation.as_deref(),
        Some("POST /v1/customers/{id}/orders")
    );
    assert_eq!(
        call.app_id, None,
        "appId names the Application Insights resource"
    );
    assert_eq!(
        call.time.map(format_iso).as_deref(),
        Some("2026-06-02T08:15:03.123Z")
    );
    // Another service's dependency is `other`.
    let graph = json!({"timestamp": "2026-06-02T08:15:03Z", "target": "graph.microsoft.com", "data": "https://graph.microsoft.com/v1.0/me",
                       "resultCode": "200", "operation_Id": OPERATION, "itemType": "dependency"});
    assert!(run(&graph.to_string()).is_none());
}

#[test]
fn traces_and_exceptions_count_only_when_they_quote_the_rejection() {
    let trace = |message: &str| {
        json!({"TimeGenerated": "2026-06-02T08:15:03.200Z", "Message": message, "SeverityLevel": 3,
               "OperationId": OPERATION, "AppRoleName": "contoso-billing-sync", "Type": "AppTraces"})
        .to_string()
    };
    let broken = run(&trace(&format!(
        "Partner Center call GET https://{PC_HOST}/v1/customers?size=50 failed: 401 {{\"code\":900421,\"description\":\"MFA claim missing\"}}"
    )))
    .expect("evidence");
    assert_eq!(broken.format, "appinsights_traces_json_lines");
    assert_eq!(
        (broken.verdict, broken.evidence),
        (Verdict::Broken, Evidence::Error900421)
    );
    assert_eq!(broken.operation.as_deref(), Some("GET /v1/customers"));
    assert_eq!(
        broken.correlation_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    // Without a URL, Partner Center's own code still says whose API answered.
    let bare = run(&trace("Request failed with code 900421")).expect("evidence");
    assert_eq!((bare.host, bare.verdict), (None, Verdict::Broken));
    // A trace that merely mentions a Partner Center URL is not a second call.
    assert!(run(&trace(&format!("Calling https://{PC_HOST}/v1/customers"))).is_none());

    let legacy = run(&trace(&format!(
        "GET https://{PC_HOST}/v1/customers returned 401 Unauthorized - MFA required"
    )))
    .expect("legacy MFA required");
    assert_eq!(legacy.evidence, Evidence::LegacyMfaRequired);

    let exception = json!({
        "timestamp": "2026-06-02T08:15:03.300Z", "problemId": "PartnerException at SyncJob.Run",
        "type": "Microsoft.Store.PartnerCenter.Exceptions.PartnerException",
        "outerMessage": "Partner Center returned Unauthorized", "severityLevel": 3,
        "details": [{"message": "{\"code\":\"900421\",\"description\":\"MFA claim missing\"}", "type": "PartnerException", "parsedStack": []}],
        "operation_Id": OPERATION, "cloud_RoleName": "legacy-invoice-export", "itemType": "exception"
    });
    let broken = run(&exception.to_string()).expect("900421 in the details");
    assert_eq!(broken.format, "appinsights_exceptions_json_lines");
    assert_eq!(broken.evidence, Evidence::Error900421);
    assert_eq!(broken.app_name.as_deref(), Some("legacy-invoice-export"));
}
