//! Which hosts are Partner Center, and pulling host and path out of URLs.
//! (Stub: the full module is being written.)

/// The Partner Center resource (application) id.
pub const PARTNER_CENTER_APP_ID: &str = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd";

/// True for an exact Partner Center API host (any case, optional port and
/// trailing dot); false for lookalikes.
pub fn is_partner_center_host(host: &str) -> bool {
    let _ = host;
    todo!()
}

/// Lower-cases a host and drops port, userinfo, brackets and trailing dot.
pub fn normalize_host(host: &str) -> Option<String> {
    let _ = host;
    todo!()
}

/// Splits a URL (absolute, scheme-relative or host/path without scheme, or a
/// bare path) into (host, path-without-query).
pub fn split_url(url: &str) -> (Option<String>, Option<String>) {
    let _ = url;
    todo!()
}
