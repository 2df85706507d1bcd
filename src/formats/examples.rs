//! One example record per format: what `pcmfa formats` and the README show.
//!
//! Each example is a real record (or a whole small document) of its format
//! (a CSV format's is its header row and one data row, on two lines; a W3C
//! log's its `#Fields:` directive and one line),
//! and a test reads each one back: recognised as that format and labelled
//! with its name. Tokens are written `<token>`: an example never holds one.

/// (format name, example), in the order of [`super::FORMATS`].
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "gateway_json_lines",
        r#"{"@t":"2026-06-01T08:15:03Z","host":"api.partnercenter.microsoft.com","request":"GET /v1/customers HTTP/1.1","status_code":401,"authorization":"Bearer <token>","body":"{\"code\":900421}"}"#,
    ),
    (
        "gateway_json_array",
        r#"{"records":[{"time":"2026-06-05T10:00:00Z","url":"https://api.partnercenter.microsoft.com/v1/customers","status":200,"headers":{"authorization":"Bearer <token>"}}]}"#,
    ),
    (
        "har",
        r#"{"log":{"version":"1.2","creator":{"name":"Fiddler","version":"5.0"},"entries":[{"startedDateTime":"2026-06-03T10:02:11+02:00","request":{"method":"GET","url":"https://api.partnercenter.microsoft.com/v1/customers","headers":[{"name":"ValidateMfa","value":"true"}]},"response":{"status":200,"headers":[{"name":"isMfaCompliant","value":"False"}]}}]}}"#,
    ),
    (
        "partner_requests",
        r#"{"totalCount":1,"items":[{"requestId":"5d2b0f6e-1c3a-4e7b-9a8d-2f1e0c9b8a71","operationName":"Get /v{version}/customers/{customer_id}/subscriptions","requestDateTime":"2026-06-08T09:12:44.52","applicationId":"2f6e8b1c-4d3a-4b2e-9c1d-7e6f5a4b3c2d","mfaCompliant":false}],"attributes":{"objectType":"Collection"}}"#,
    ),
    (
        "entra_signin_json_lines",
        r#"{"time":"2026-06-04T07:02:11Z","category":"SignInLogs","properties":{"appId":"3689c65e-e071-43ed-9239-d8b03e0144e6","resourceId":"fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd","status":{"errorCode":50076},"authenticationRequirement":"multiFactorAuthentication"}}"#,
    ),
    (
        "entra_signin_json_array",
        r#"[{"createdDateTime":"2026-06-01T09:00:00Z","appId":"fe162265-865f-43f1-ac0a-ec74610ff784","resourceId":"fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd","status":{"errorCode":0},"authenticationRequirement":"singleFactorAuthentication"}]"#,
    ),
    (
        "front_door_json_lines",
        r#"{"time":"2026-06-02T08:15:03.123Z","category":"FrontDoorAccessLog","properties":{"httpMethod":"GET","requestUri":"https://contoso.azurefd.net:443/v1/customers","originUrl":"https://api.partnercenter.microsoft.com:443/v1/customers","httpStatusCode":"401","userAgent":"ContosoSync/2.1"}}"#,
    ),
    (
        "front_door_json_array",
        r#"{"records":[{"time":"2026-06-02T08:15:03.123Z","category":"FrontDoorAccessLog","properties":{"httpMethod":"GET","requestUri":"https://contoso.azurefd.net:443/v1/customers","originUrl":"https://api.partnercenter.microsoft.com:443/v1/customers","httpStatusCode":"401","userAgent":"ContosoSync/2.1"}}]}"#,
    ),
    (
        "app_gateway_json_lines",
        r#"{"time":"2026-06-02T08:15:03.123Z","category":"ApplicationGatewayAccessLog","properties":{"httpMethod":"GET","requestUri":"/v1/customers","host":"api.partnercenter.microsoft.com","httpStatus":401,"serverStatus":"401","userAgent":"ContosoSync/2.1"}}"#,
    ),
    (
        "app_gateway_json_array",
        r#"{"records":[{"time":"2026-06-02T08:15:03.123Z","category":"ApplicationGatewayAccessLog","properties":{"httpMethod":"GET","requestUri":"/v1/customers","host":"api.partnercenter.microsoft.com","httpStatus":401,"serverStatus":"401","userAgent":"ContosoSync/2.1"}}]}"#,
    ),
    (
        "envoy_access",
        r#"[2026-06-02T08:15:03.123Z] "GET /v1/customers HTTP/1.1" 401 - 0 187 211 209 "10.1.4.22" "PartnerCenterDotNetSDK/3.1.2" "0f3f7c3e-5d2a-4b1c-9e8f-7a6b5c4d3e2f" "api.partnercenter.microsoft.com" "20.190.141.36:443""#,
    ),
    (
        "nginx_access",
        r#"10.1.4.22 - - [02/Jun/2026:10:15:03 +0200] "GET https://api.partnercenter.microsoft.com/v1/customers HTTP/1.1" 401 164 "-" "curl/8.5.0""#,
    ),
    (
        "iis_w3c",
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken\n2026-06-02 08:15:03 10.0.0.4 GET /v1/customers - 443 - 10.1.4.22 PartnerCenter-PowerShell/3.0+(Windows+NT) - api.partnercenter.microsoft.com 401 0 0 187",
    ),
    (
        "text_log",
        r#"2026-06-02 08:15:04,001 ERROR billing_sync: POST https://api.partnercenter.microsoft.com/v1/customers/4f1e2d3c-0000-4000-8000-000000000001/orders returned 401 {"code":900421,"description":"MFA is required","source":"PartnerFD"}"#,
    ),
    (
        "gateway_csv",
        "Date;Request URL;Method;Status Code;User Agent\n2026-06-02 08:15:03;https://api.partnercenter.microsoft.com/v1/customers;GET;401;ContosoSync/2.1",
    ),
    (
        "entra_signin_csv",
        "TimeGenerated [UTC],AppId,AppDisplayName,ResourceIdentity,ResultType,AuthenticationRequirement\n\"6/4/2026, 7:02:11.000 AM\",3689c65e-e071-43ed-9239-d8b03e0144e6,Legacy Invoice Export,fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd,50076,singleFactorAuthentication",
    ),
    (
        "apim_gateway_json_lines",
        r#"{"time":"2026-06-02T08:15:03.123Z","category":"GatewayLogs","properties":{"method":"GET","url":"https://contoso.azure-api.net/partner/v1/customers","responseCode":401,"backendMethod":"GET","backendUrl":"https://api.partnercenter.microsoft.com/v1/customers","backendResponseCode":401,"backendResponseBody":"{\"code\":900421}"}}"#,
    ),
    (
        "apim_gateway_json_array",
        r#"[{"TimeGenerated":"2026-06-02T08:15:03.123Z","Method":"GET","Url":"https://contoso.azure-api.net/partner/v1/customers","ResponseCode":401,"BackendMethod":"GET","BackendUrl":"https://api.partnercenter.microsoft.com/v1/customers","BackendResponseCode":401,"ApimSubscriptionId":"billing-sync"}]"#,
    ),
    (
        "apim_gateway_csv",
        "TimeGenerated [UTC],Method,Url,ResponseCode,BackendMethod,BackendUrl,BackendResponseCode,ApimSubscriptionId\n\"6/2/2026, 8:15:03.123 AM\",GET,https://contoso.azure-api.net/partner/v1/customers,401,GET,https://api.partnercenter.microsoft.com/v1/customers,401,billing-sync",
    ),
    (
        "appinsights_dependencies_json_lines",
        r#"{"time":"2026-06-02T08:15:03.123Z","itemType":"dependency","target":"api.partnercenter.microsoft.com","data":"https://api.partnercenter.microsoft.com/v1/customers","name":"GET /v1/customers","type":"HTTP","resultCode":"401","success":false,"operation_Id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#,
    ),
    (
        "appinsights_dependencies_json_array",
        r#"[{"TimeGenerated":"2026-06-02T08:15:03.123Z","Target":"api.partnercenter.microsoft.com","Data":"https://api.partnercenter.microsoft.com/v1/customers","Name":"GET /v1/customers","DependencyType":"HTTP","ResultCode":"401","OperationId":"4bf92f3577b34da6a3ce929d0e0e4736","AppRoleName":"contoso-billing-sync"}]"#,
    ),
    (
        "appinsights_dependencies_csv",
        "TimeGenerated [UTC],Target,DependencyType,Name,Data,ResultCode,OperationId,AppRoleName\n\"6/2/2026, 8:15:03.123 AM\",api.partnercenter.microsoft.com,HTTP,GET /v1/customers,https://api.partnercenter.microsoft.com/v1/customers,401,4bf92f3577b34da6a3ce929d0e0e4736,contoso-billing-sync",
    ),
    (
        "appinsights_traces_json_lines",
        r#"{"time":"2026-06-02T08:15:03.200Z","itemType":"trace","message":"Partner Center call failed: 401 {\"code\":900421,\"description\":\"MFA is required\"}","severityLevel":3,"operation_Id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#,
    ),
    (
        "appinsights_traces_json_array",
        r#"[{"TimeGenerated":"2026-06-02T08:15:03.200Z","Message":"GET https://api.partnercenter.microsoft.com/v1/customers failed: 401 {\"code\":900421}","SeverityLevel":3,"OperationId":"4bf92f3577b34da6a3ce929d0e0e4736","AppRoleName":"contoso-billing-sync"}]"#,
    ),
    (
        "appinsights_traces_csv",
        "TimeGenerated [UTC],Message,SeverityLevel,OperationId,AppRoleName\n\"6/2/2026, 8:15:03.200 AM\",\"GET https://api.partnercenter.microsoft.com/v1/customers failed: 401 {\"\"code\"\":900421}\",3,4bf92f3577b34da6a3ce929d0e0e4736,contoso-billing-sync",
    ),
    (
        "appinsights_exceptions_json_lines",
        r#"{"time":"2026-06-02T21:30:00Z","itemType":"exception","problemId":"PartnerApiException","outerMessage":"Partner Center returned 401: {\"code\":900421}","operation_Id":"4bf92f3577b34da6a3ce929d0e0e4737"}"#,
    ),
    (
        "appinsights_exceptions_json_array",
        r#"[{"TimeGenerated":"2026-06-02T21:30:00Z","ProblemId":"PartnerApiException","ExceptionType":"PartnerApiException","OuterMessage":"Partner Center returned 401: {\"code\":900421}","OperationId":"4bf92f3577b34da6a3ce929d0e0e4737","AppRoleName":"contoso-billing-sync"}]"#,
    ),
    (
        "appinsights_exceptions_csv",
        "TimeGenerated [UTC],ProblemId,ExceptionType,OuterMessage,OperationId,AppRoleName\n\"6/2/2026, 9:30:00.000 PM\",PartnerApiException,PartnerApiException,\"Partner Center returned 401: {\"\"code\"\":900421}\",4bf92f3577b34da6a3ce929d0e0e4737,contoso-billing-sync",
    ),
];

/// The example of the format called `name`.
pub fn example_of(name: &str) -> Option<&'static str> {
    EXAMPLES.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_one_example_and_no_example_is_orphaned() {
        let names: Vec<&str> = super::super::FORMATS.iter().map(|f| f.name).collect();
        let examples: Vec<&str> = EXAMPLES.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, examples, "EXAMPLES follows FORMATS, one each");
        for (name, example) in EXAMPLES {
            assert!(
                !example.contains("eyJ"),
                "{name}: an example holds no token"
            );
            assert!(
                !example.contains('|'),
                "{name}: a '|' breaks the README table"
            );
            // A CSV example is a header and a row; a W3C one, `#Fields:` and a line.
            let lines = if name.ends_with("_csv") || *name == "iis_w3c" {
                2
            } else {
                1
            };
            assert_eq!(example.lines().count(), lines, "{name}");
        }
    }
}
