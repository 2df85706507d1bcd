//! What a gateway record's field names mean to [`super::http_record`]:
//! each raw key is classified once per thread (normalised, then matched
//! against every name the walk looks for) and the answer kept in a small
//! direct-mapped cache, since a log repeats the same few dozen keys on
//! every line.

use std::cell::RefCell;

use super::keys::NormalKey;

/// What the walk does with a key, from its normalised name alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct KeyInfo {
    /// The side a container under this key belongs to (`request`, `response`, ...).
    pub side: Option<Side>,
    /// `...authorization` (not `proxyauthorization`): a bearer token and nothing else.
    pub authorization: bool,
    /// `ismfacompliant`.
    pub mfa_compliant: bool,
    /// `...headers`: may hold headers as JSON text.
    pub headers: bool,
    /// `code` or `...errorcode`.
    pub code: bool,
    /// A body, error or message text that may hold error signals or JSON.
    pub bodyish: bool,
    /// `request`: may hold an nginx request line.
    pub request: bool,
    /// The field it names, with the name's rank.
    pub field: Option<(Field, u8)>,
    /// At the top level, a sign the record may be of another kind than HTTP
    /// ([`super::SHAPE_KEYS`]).
    pub shape: bool,
}

impl KeyInfo {
    /// Reads `raw_key` as the walk always has: type suffix dropped, normalised.
    fn classify(raw_key: &str) -> KeyInfo {
        let key = NormalKey::new(strip_type_suffix(raw_key));
        let key = key.as_str();
        KeyInfo {
            side: side_of(key),
            authorization: key.ends_with("authorization") && !key.ends_with("proxyauthorization"),
            mfa_compliant: key == "ismfacompliant",
            headers: key.ends_with("headers"),
            code: key == "code" || key.ends_with("errorcode"),
            bodyish: holds(key, "body")
                || holds(key, "error")
                || holds(key, "message")
                || matches!(
                    key,
                    "text" | "content" | "description" | "wwwauthenticate" | "details"
                ),
            request: key == "request",
            field: field_for(key),
            shape: super::SHAPE_KEYS.contains(&key),
        }
    }

    /// A leaf under this key can change nothing.
    pub fn is_inert(&self) -> bool {
        !(self.authorization
            || self.mfa_compliant
            || self.headers
            || self.code
            || self.bodyish
            || self.request
            || self.field.is_some())
    }
}

/// Classified keys, one per slot, a slot chosen by a hash of the key; a
/// key meeting another in its slot replaces it (the cache never grows).
#[derive(Default)]
pub(super) struct KeyInfos {
    slots: Vec<Option<(Box<str>, KeyInfo)>>,
}

const SLOTS: usize = 512;

thread_local! {
    static KEY_INFOS: RefCell<KeyInfos> = RefCell::default();
}

impl KeyInfos {
    /// This thread's cache, lent until [`KeyInfos::give_back`] (a nested
    /// borrower meets an empty one).
    pub fn borrow() -> KeyInfos {
        KEY_INFOS.with_borrow_mut(std::mem::take)
    }

    pub fn give_back(self) {
        KEY_INFOS.with_borrow_mut(|kept| *kept = self);
    }

    pub fn of(&mut self, raw_key: &str) -> KeyInfo {
        if self.slots.is_empty() {
            self.slots.resize(SLOTS, None);
        }
        let slot = &mut self.slots[slot_of(raw_key.as_bytes())];
        match slot {
            Some((key, info)) if **key == *raw_key => *info,
            _ => {
                let info = KeyInfo::classify(raw_key);
                *slot = Some((raw_key.into(), info));
                info
            }
        }
    }
}

/// A slot for `key`, from its length and a few of its bytes (a collision
/// only costs classifying again).
fn slot_of(key: &[u8]) -> usize {
    let byte = |i: usize| u64::from(key.get(i).copied().unwrap_or(0));
    let len = key.len();
    let mix = len as u64
        | byte(0) << 8
        | byte(1) << 16
        | byte(len / 2) << 24
        | byte(len.wrapping_sub(2)) << 32
        | byte(len.wrapping_sub(1)) << 40;
    (mix.wrapping_mul(0x517c_c1b7_2722_0a95) >> 32) as usize % SLOTS
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Time,
    Method,
    Url,
    Path,
    Host,
    Status,
    UserAgent,
    Correlation,
    RequestId,
}

/// Normalised name -> (field, rank); a lower rank is a better-known name.
pub(super) fn field_for(key: &str) -> Option<(Field, u8)> {
    use Field::*;
    Some(match key {
        "timestamp" | "@timestamp" | "@t" | "starteddatetime" | "timegenerated" | "timeiso8601" => {
            (Time, 1)
        }
        "time" | "starttime" | "requestdatetime" | "createddatetime" | "timelocal"
        | "eventtime" => (Time, 2),
        "ts" | "datetime" | "logtime" => (Time, 3),
        "date" => (Time, 4),
        "method" | "httpmethod" | "requestmethod" | "csmethod" => (Method, 1),
        "verb" => (Method, 2),
        // The URL that reached the backend: APIM, Front Door's origin.
        "backendurl" | "originurl" => (Url, 0),
        "url" | "requesturl" | "fullurl" => (Url, 1),
        "uri" | "requesturi" | "originalurl" => (Url, 2),
        "xenvoyoriginalpath" => (Path, 0),
        "path" | "requestpath" | "urlpath" | "csuristem" => (Path, 1),
        "host" | "authority" | "cshost" => (Host, 1),
        // Not `hostname` or `server_name`: loggers (pino, nginx `$hostname`)
        // use them for the machine that wrote the log, not the request's target.
        "targethost" | "destinationhost" => (Host, 2),
        // Where Front Door and Application Gateway forwarded the request.
        "originname" | "backendhostname" | "originalhost" => (Host, 2),
        "xforwardedhost" => (Host, 3),
        // The backend's own answer (APIM, Application Gateway).
        "backendresponsecode" | "serverstatus" => (Status, 0),
        "status" | "statuscode" | "responsecode" | "responsestatus" | "httpstatus"
        | "httpstatuscode" | "scstatus" => (Status, 1),
        "resultcode" => (Status, 2),
        "useragent" | "httpuseragent" | "csuseragent" => (UserAgent, 1),
        "ua" => (UserAgent, 3),
        "mscorrelationid" => (Correlation, 0),
        "correlationid" | "xmscorrelationid" => (Correlation, 1),
        "xcorrelationid" => (Correlation, 2),
        "operationid" => (Correlation, 3),
        "msrequestid" => (RequestId, 0),
        "requestid" | "xmsrequestid" => (RequestId, 1),
        "xrequestid" => (RequestId, 2),
        "trackingreference" | "transactionid" => (RequestId, 3),
        _ => return None,
    })
}

/// Where in the record a value sits: the request side's `status` or body is
/// not the response's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Either,
    Request,
    Response,
}

pub(super) fn side_of(key: &str) -> Option<Side> {
    match key {
        "request"
        | "req"
        | "httprequest"
        | "requestheaders"
        | "reqheaders"
        | "backendrequestheaders"
        | "requestbody"
        | "backendrequestbody" => Some(Side::Request),
        "response"
        | "res"
        | "resp"
        | "httpresponse"
        | "responseheaders"
        | "respheaders"
        | "backendresponse"
        | "backendresponseheaders"
        | "upstreamresponse"
        | "responsebody"
        | "backendresponsebody" => Some(Side::Response),
        _ => None,
    }
}

/// `key.contains(part)` for short keys, without setting up a substring searcher per call.
fn holds(key: &str, part: &str) -> bool {
    key.as_bytes()
        .windows(part.len())
        .any(|window| window == part.as_bytes())
}

/// Log Analytics' `AzureDiagnostics` table types custom columns with a
/// suffix (`requestUri_s`, `httpStatus_d`, `transactionId_g`): drops it from
/// a camelCase name so the column reads like the field it holds.
pub(super) fn strip_type_suffix(key: &str) -> &str {
    let at = key.len().saturating_sub(2);
    match (key.get(..at), key.get(at..)) {
        (Some(name), Some("_s" | "_d" | "_g" | "_b" | "_t"))
            if !name.is_empty() && !name.contains('_') =>
        {
            name
        }
        _ => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cache answers what classifying the key again answers, also when
    /// keys crowd each other out of their slots.
    #[test]
    fn cached_answers_match_fresh_ones() {
        let mut keys: Vec<String> = [
            "Authorization",
            "Proxy-Authorization",
            "x-ms-authorization",
            "isMfaCompliant",
            "requestHeaders",
            "errorCode",
            "code",
            "responseBody",
            "error_message",
            "WWW-Authenticate",
            "request",
            "request_uri",
            "requestUri_s",
            "httpStatus_d",
            "status_code_s",
            "backendResponseCode",
            "MS-CorrelationId",
            "client_ip",
            "",
            "é-Authorization",
        ]
        .iter()
        .map(|k| k.to_string())
        .collect();
        keys.extend((0..3 * SLOTS).map(|i| format!("field{i}")));
        let mut cache = KeyInfos::default();
        for _ in 0..2 {
            for key in &keys {
                assert_eq!(cache.of(key), KeyInfo::classify(key), "{key}");
            }
        }
        let auth = cache.of("Authorization");
        assert!(auth.authorization && !cache.of("Proxy-Authorization").authorization);
        assert_eq!(cache.of("requestUri_s").field, field_for("requesturi"));
        assert_eq!(cache.of("responseBody").side, Some(Side::Response));
        assert!(cache.of("client_ip").is_inert() && !cache.of("error_message").is_inert());
        assert!(cache.of("Category").shape && cache.of("app_id").shape && !cache.of("url").shape);
    }
}
