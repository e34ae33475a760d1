//! The network transport: the same bundle bytes POSTed to the city's hub (`POST /exchange/bundle`
//! of `recoup serve`), whose answer is the acknowledgement. The semantics are those of the files;
//! a hub that cannot be reached is not an error for the county (the bundle waits for the next try).
//!
//! TLS (issue 11, Transports): a hub address may be `https://host:port`. The county then trusts
//! the certificate the city gave it (PEM, kept with the paired city: a self-signed certificate or
//! the city's own CA), or, when it was given none, the web PKI's roots (`webpki-roots`). rustls with
//! the ring provider. A certificate that is not trusted or not made out to the address is a refusal
//! naming the problem (shown in the status), never "offline". TLS only hides the transfer: the
//! bundle is signed and encrypted either way, and every check of the bundle is unchanged.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, RootCertStore};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite};

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
    /// The hub answered with a refusal, or its certificate is not trusted.
    Refused(ApiError),
}

/// The hub address as stored: `http://host:port` or `https://host:port`, no trailing slash.
pub fn normalize_url(url: &str) -> Option<String> {
    let u = url.trim().trim_end_matches('/');
    let rest = u
        .strip_prefix("http://")
        .or_else(|| u.strip_prefix("https://"))?;
    if rest.is_empty() || rest.contains(['/', '@']) || rest.contains(char::is_whitespace) {
        return None;
    }
    let uri = u.parse::<hyper::Uri>().ok()?;
    uri.host().filter(|h| !h.is_empty())?;
    // A port, when written, is a number (`[::1]:8443`: the colons inside the brackets do not count).
    let after_host = rest.rsplit_once(']').map_or(rest, |(_, r)| r);
    if after_host.contains(':') && uri.port_u16().is_none() {
        return None;
    }
    Some(u.to_string())
}

/// Whether the hub at `url` is reached over TLS.
pub fn is_encrypted(url: &str) -> bool {
    url.trim().starts_with("https://")
}

/// The rustls provider of the project: ring (builds with the C compiler alone).
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificates of a PEM text the city gave (one or more `CERTIFICATE` sections: its
/// self-signed certificate, or its CA). A private key is refused (it must never leave the hub).
pub fn parse_certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut certs = Vec::new();
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem.as_bytes()) {
        match section {
            Ok((SectionKind::Certificate, der)) => certs.push(CertificateDer::from(der)),
            Ok((
                SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey,
                _,
            )) => {
                return Err(
                    "这是私钥，不是证书：私钥只能留在市局服务器上，请改用市局提供的证书（以 -----BEGIN CERTIFICATE----- 开头）"
                        .into(),
                )
            }
            Ok(_) => {}
            Err(_) => return Err("证书内容无法读取（应为 PEM 格式的文本）".into()),
        }
    }
    if certs.is_empty() {
        return Err("没有找到证书：应为以 -----BEGIN CERTIFICATE----- 开头的 PEM 文本".into());
    }
    Ok(certs)
}

/// The trust anchors made of the city's certificate text (each certificate must be usable as one).
fn roots_of(pem: &str) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    for der in parse_certificates(pem)? {
        roots
            .add(der)
            .map_err(|_| "证书无法识别（不是有效的 X.509 证书）".to_string())?;
    }
    Ok(roots)
}

/// Check the city's certificate text as the office keys it in (`exchange.set_hub`).
pub fn check_certificate(pem: &str) -> Result<(), String> {
    roots_of(pem).map(|_| ())
}

/// SHA-256 of the first certificate's DER, as pairs of hex digits (what the city reads out to
/// compare with its own).
pub fn certificate_fingerprint(pem: &str) -> Option<String> {
    let der = parse_certificates(pem).ok()?.into_iter().next()?;
    let digest = Sha256::digest(der.as_ref());
    Some(
        digest
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}

/// The client's TLS configuration: the city's certificate as the only trust anchors when given,
/// else the web PKI's roots.
fn client_config(certificate: Option<&str>) -> Result<rustls::ClientConfig, String> {
    let roots = match certificate {
        Some(pem) => roots_of(pem)?,
        None => RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|_| "加密组件初始化失败（内部错误）".to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// POST `bundle` to the hub at `url` (trusting `certificate` for https); the answer's body (the
/// acknowledgement) on success.
pub fn post_bundle(
    url: &str,
    certificate: Option<&str>,
    bundle: Vec<u8>,
) -> Result<Vec<u8>, PostError> {
    post(url, BUNDLE_PATH, certificate, bundle)
}

/// POST `bundle` to `path` of the hub at `url` (trusting `certificate` for https); the answer's
/// body on success.
pub fn post(
    url: &str,
    path: &str,
    certificate: Option<&str>,
    bundle: Vec<u8>,
) -> Result<Vec<u8>, PostError> {
    let invalid = || PostError::Refused(ApiError::validation("市局服务器地址无效"));
    let uri: hyper::Uri = format!("{url}{path}").parse().map_err(|_| invalid())?;
    let tls = uri.scheme_str() == Some("https");
    let host = uri.host().ok_or_else(invalid)?.to_string();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let authority = uri.authority().ok_or_else(invalid)?.to_string();
    let config = if tls {
        let config = client_config(certificate).map_err(|why| {
            PostError::Refused(ApiError::validation(format!(
                "市局服务器的证书无法使用：{why}。请由管理员在“市局服务器地址”中重新导入市局提供的证书"
            )))
        })?;
        Some(Arc::new(config))
    } else {
        None
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PostError::Offline(e.to_string()))?;
    rt.block_on(async move {
        let exchange = async {
            let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
                .await
                .map_err(|e| PostError::Offline(e.to_string()))?;
            let _ = tcp.set_nodelay(true);
            match config {
                None => request(tcp, &uri, &authority, bundle).await,
                Some(config) => {
                    // `[::1]` is an IP address, not a DNS name.
                    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_string())
                        .map_err(|_| invalid())?;
                    let stream = tokio_rustls::TlsConnector::from(config)
                        .connect(name, tcp)
                        .await
                        .map_err(|e| handshake_error(&e, &host))?;
                    request(stream, &uri, &authority, bundle).await
                }
            }
        };
        match tokio::time::timeout(TIMEOUT, exchange).await {
            Err(_) => Err(PostError::Offline("连接超时".into())),
            Ok(r) => r,
        }
    })
}

/// One request on a connection made (plain or TLS).
async fn request<S>(
    io: S,
    uri: &hyper::Uri,
    authority: &str,
    bundle: Vec<u8>,
) -> Result<Vec<u8>, PostError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| PostError::Offline(e.to_string()))?;
    tokio::spawn(connection);
    let req = hyper::Request::post(uri.path())
        .header(hyper::header::HOST, authority)
        .header(hyper::header::CONTENT_TYPE, "application/octet-stream")
        .body(Full::new(Bytes::from(bundle)))
        .map_err(|e| PostError::Refused(ApiError::internal(e.to_string())))?;
    let resp = sender.send_request(req).await.map_err(|e| {
        if e.is_parse() {
            // An answer that is not HTTP: most likely a hub with TLS addressed as http://.
            PostError::Refused(ApiError::validation(
                "市局服务器的答复无法识别：若市局服务器启用了加密连接，服务器地址应以 https:// 开头，请向市局核实",
            ))
        } else {
            PostError::Offline(e.to_string())
        }
    })?;
    let status = resp.status();
    let body = match resp.into_body().collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => return Err(PostError::Offline("未能收到完整的答复".into())),
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
}

/// A failed TLS handshake: a certificate problem is a refusal naming it (trying again changes
/// nothing until the office or the city acts); a hub that does not speak TLS, or anything else
/// rustls refuses, is a refusal too; a connection lost during the handshake is offline.
fn handshake_error(e: &std::io::Error, host: &str) -> PostError {
    let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return PostError::Offline(e.to_string());
    };
    let refuse = |message: String| PostError::Refused(ApiError::validation(message));
    match tls {
        rustls::Error::InvalidCertificate(c) => refuse(certificate_problem(c, host)),
        rustls::Error::InvalidMessage(_)
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => refuse(
            "市局服务器没有以加密连接（https）应答：请向市局核实服务器地址，未启用证书的服务器地址应以 http:// 开头"
                .into(),
        ),
        // Anything else rustls refused (an alert, incompatible or misbehaving peer) does not go
        // away by trying again.
        _ => refuse(
            "无法与市局服务器建立加密连接（双方的加密设置不兼容），请联系市局核实服务器的证书设置"
                .into(),
        ),
    }
}

/// `DnsName("hub.example.cn")` (rustls' rendering of a presented name) as `hub.example.cn`.
fn plain_name(presented: &str) -> &str {
    match (presented.find('('), presented.rfind(')')) {
        (Some(a), Some(b)) if a < b => presented[a + 1..b].trim_matches('"'),
        _ => presented,
    }
}

/// The Chinese sentence for a certificate the county does not accept.
fn certificate_problem(c: &CertificateError, host: &str) -> String {
    let redo = "请核对市局提供的证书，由管理员在“市局服务器地址”中重新导入";
    match c {
        CertificateError::NotValidForName => format!(
            "市局服务器的证书与地址不符：证书不是为 {host} 签发的。请改用证书上的服务器名称或地址（向市局核实），或重新导入市局提供的证书"
        ),
        CertificateError::NotValidForNameContext { presented, .. } => format!(
            "市局服务器的证书与地址不符：证书不是为 {host} 签发的（证书上的名称：{}）。请改用证书上的服务器名称或地址（向市局核实），或重新导入市局提供的证书",
            if presented.is_empty() {
                "无".to_string()
            } else {
                presented.iter().map(|p| plain_name(p)).collect::<Vec<_>>().join("、")
            }
        ),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("市局服务器的证书不受信任：证书已过期，请市局更换证书后，{redo}")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "市局服务器的证书不受信任：证书尚未生效，请核对本机的日期和时间".to_string()
        }
        CertificateError::Revoked => {
            format!("市局服务器的证书不受信任：证书已被吊销，{redo}")
        }
        // Another self-signed certificate under the same name fails on its signature; one from an
        // unknown CA on its issuer: either way not the certificate this office imported.
        CertificateError::UnknownIssuer | CertificateError::BadSignature => format!(
            "市局服务器的证书不受信任：它不是本单位导入的市局证书（或其签发机构签发的证书），连接可能被他人冒充。{redo}"
        ),
        _ => format!("市局服务器的证书不受信任：证书无法验证。{redo}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11, Transports: the hub address is `http://` or `https://` host and port, nothing else.
    #[test]
    fn hub_addresses_are_http_or_https_host_and_port() {
        assert_eq!(
            normalize_url(" http://10.1.2.3:8090/ ").as_deref(),
            Some("http://10.1.2.3:8090")
        );
        assert_eq!(
            normalize_url("https://hub.ccyb.gov.cn:8443/").as_deref(),
            Some("https://hub.ccyb.gov.cn:8443")
        );
        assert_eq!(
            normalize_url("https://127.0.0.1:9443").as_deref(),
            Some("https://127.0.0.1:9443")
        );
        assert_eq!(normalize_url("https://hub").as_deref(), Some("https://hub"));
        assert_eq!(normalize_url("https://"), None);
        assert_eq!(normalize_url("https://hub/path"), None);
        assert_eq!(normalize_url("http://hub/path"), None);
        assert_eq!(normalize_url("hub:8090"), None);
        assert_eq!(normalize_url("ftp://hub:21"), None);
        assert_eq!(normalize_url("https://user@hub:8443"), None);
        assert_eq!(normalize_url("https://hub:port"), None);
        assert_eq!(normalize_url("https://hub:99999"), None);
        assert_eq!(
            normalize_url("https://[::1]:8443").as_deref(),
            Some("https://[::1]:8443")
        );
        assert!(is_encrypted("https://hub:8443"));
        assert_eq!(plain_name(r#"DnsName("hub.example.cn")"#), "hub.example.cn");
        assert_eq!(plain_name("IpAddress(10.22.1.5)"), "10.22.1.5");
        assert_eq!(plain_name("hub"), "hub");
        assert!(!is_encrypted("http://hub:8090"));
    }

    #[test]
    fn a_certificate_text_must_hold_certificates_and_no_private_key() {
        assert!(parse_certificates("").unwrap_err().contains("没有找到证书"));
        assert!(parse_certificates(
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"
        )
        .unwrap_err()
        .contains("私钥"));
        // Well-formed PEM whose content is not a certificate.
        assert!(check_certificate(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        )
        .unwrap_err()
        .contains("无法识别"));
    }
}
