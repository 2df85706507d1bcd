//! Operation templates: `GET /v1/customers/{id}/subscriptions`.
//! (Stub: the full module is being written.)

/// Strips the query string and fragment.
pub fn strip_query(path: &str) -> &str {
    let _ = path;
    todo!()
}

/// Method (upper-cased) + path template with identifiers replaced by `{id}`.
pub fn operation_template(method: Option<&str>, path: &str) -> String {
    let _ = (method, path);
    todo!()
}
