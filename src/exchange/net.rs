//! The network transport: the same bundle bytes POSTed to the city's hub (`POST /exchange/bundle`
//! of `recoup serve`), whose answer is the acknowledgement. The semantics are those of the files;
//! a hub that cannot be reached is not an error for the county (the bundle waits for the next try).

use std::time::Duration;

use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;

use crate::error::{ApiError, ErrorCode};

/// The path of the hub's bundle endpoint.
pub const BUNDLE_PATH: &str = "/exchange/bundle";
/// The path where a county asks for its own entries back (a poll in, a recovery file out).
pub const RECOVER_PATH: &str = "/exchange/recover";
/// The most entries one POST carries: a long backlog (a county's first exchange) goes in parts,
/// each acknowledged before the next, so that no request nears the hub's 64 MiB body limit (50,000
/// entries are ~3 MB of synthetic entries, a few times that of real ones).
pub const MAX_ENTRIES: i64 = 50_000;
/// A bundle of 100,000 entries is a few MB; give a slow line time.
const TIMEOUT: Duration = Duration::from_secs(120);

pub enum PostError {
    /// The hub could not be reached (no network, hub down): try again later.
    Offline(String),
    /// The hub answered with a refusal.
    Refused(ApiError),
}

/// The hub address as stored: `http://host:port`, no trailing slash.
pub fn normalize_url(url: &str) -> Option<String> {
    let u = url.trim().trim_end_matches('/');
    let rest = u.strip_prefix("http://")?;
    if rest.is_empty() || rest.contains('/') || rest.contains(char::is_whitespace) {
        return None;
    }
    u.parse::<hyper::Uri>().ok()?;
    Some(u.to_string())
}

/// POST `bundle` to the hub at `url`; the answer's body (the acknowledgement) on success.
pub fn post_bundle(url: &str, bundle: Vec<u8>) -> Result<Vec<u8>, PostError> {
    post(url, BUNDLE_PATH, bundle)
}

/// POST `bytes` to `path` of the hub at `url`; the answer's body on success.
pub fn post(url: &str, path: &str, bundle: Vec<u8>) -> Result<Vec<u8>, PostError> {
    let uri: hyper::Uri = format!("{url}{path}")
        .parse()
        .map_err(|_| PostError::Refused(ApiError::validation("市局服务器地址无效")))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PostError::Offline(e.to_string()))?;
    rt.block_on(async move {
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Full<Bytes>>();
        let req = hyper::Request::post(uri)
            .header(hyper::header::CONTENT_TYPE, "application/octet-stream")
            .body(Full::new(Bytes::from(bundle)))
            .map_err(|e| PostError::Refused(ApiError::internal(e.to_string())))?;
        let resp = match tokio::time::timeout(TIMEOUT, client.request(req)).await {
            Err(_) => return Err(PostError::Offline("连接超时".into())),
            Ok(Err(e)) => return Err(PostError::Offline(e.to_string())),
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        let body = match tokio::time::timeout(TIMEOUT, resp.into_body().collect()).await {
            Ok(Ok(b)) => b.to_bytes().to_vec(),
            _ => return Err(PostError::Offline("未能收到完整的答复".into())),
        };
        if status.is_success() {
            return Ok(body);
        }
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let message = v["message"].as_str().unwrap_or("未说明原因").to_string();
        let code = match v["code"].as_str() {
            Some("CONFLICT") => ErrorCode::Conflict,
            Some("BUSY") => return Err(PostError::Offline(message)),
            _ => ErrorCode::Validation,
        };
        Err(PostError::Refused(ApiError::new(
            code,
            format!("市局服务器拒收：{message}"),
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_addresses_are_http_host_and_port() {
        assert_eq!(
            normalize_url(" http://10.1.2.3:8090/ ").as_deref(),
            Some("http://10.1.2.3:8090")
        );
        assert_eq!(normalize_url("https://hub"), None);
        assert_eq!(normalize_url("http://hub/path"), None);
        assert_eq!(normalize_url("hub:8090"), None);
    }
}
