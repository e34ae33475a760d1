//! `recoup serve`: HTTP serving the built UI and the API (`POST /api/<command>`) on 127.0.0.1, for
//! browser tests and the hub's own clerks, and the city's hub endpoint (`POST /exchange/bundle`) on
//! the address given with `--listen`.
//!
//! The stack: tokio, hyper's HTTP/1 connections driven by our own accept loop (TCP_NODELAY on every
//! accepted socket, hyper's header read timeout, a write stall timeout, a bound on open connections)
//! and axum for the requests. Before a request reaches anything, its Host must be the address served and its Origin,
//! when it has one, that address's origin; preflights are refused and no CORS header is ever sent.
//! An API call must carry the per-launch secret (`X-Recoup-Secret`) that only the served
//! `index.html` holds, so no other web page can call the API. A body is refused by its declared
//! length before anything is allocated, and read with a stall timeout and a total bound.
//!
//! TLS (issue 11, Transports): given a certificate chain and its private key (`recoup serve
//! --tls-cert --tls-key`, PEM files), every connection is HTTPS (rustls with the ring provider,
//! tokio-rustls in the same accept loop; the handshake must complete within `HANDSHAKE_TIMEOUT`).
//! Without them, plain HTTP as before. The bundles are signed and encrypted either way.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Semaphore;
use tower_http::timeout::{TimeoutBody, TimeoutError};

use crate::api::Core;
use crate::error::{ApiError, ErrorCode, Result};

/// Largest request body accepted (an import file in base64).
pub const MAX_BODY: usize = 64 * 1024 * 1024;
/// A client must send a request's whole head within this time (also the idle time of a kept-alive
/// connection before it is closed).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// A body that sends nothing for this long is dropped.
pub const BODY_STALL_TIMEOUT: Duration = Duration::from_secs(5);
/// A body must be complete within this time (64 MiB take well under a second on loopback).
pub const BODY_TOTAL_TIMEOUT: Duration = Duration::from_secs(60);
/// A TLS handshake must complete within this time (a client that opens a connection and stalls
/// holds one of the `MAX_CONNECTIONS` no longer than this).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// A client that reads nothing of an answer for this long is dropped.
pub const WRITE_STALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Open connections at once; the next is accepted when one closes (stalled ones are closed by the
/// timeouts above).
const MAX_CONNECTIONS: usize = 256;
/// Core calls running at once on tokio's blocking pool; further calls wait their turn.
const MAX_CORE_CALLS: usize = 4;

/// The header that carries the per-launch secret on every API call.
pub const SECRET_HEADER: &str = "x-recoup-secret";
/// The header that carries the login session token (the desktop workflow's sessions).
pub const SESSION_HEADER: &str = "x-recoup-session";
/// The name of the `<meta>` of the served `index.html` that holds the secret.
pub const SECRET_META: &str = "recoup-secret";

pub fn http_status(code: ErrorCode) -> u16 {
    match code {
        ErrorCode::Validation => 400,
        ErrorCode::Forbidden => 403,
        ErrorCode::NotFound | ErrorCode::UnknownCommand => 404,
        ErrorCode::Conflict
        | ErrorCode::IllegalStep
        | ErrorCode::NotInitialized
        | ErrorCode::Cancelled => 409,
        ErrorCode::NotLoggedIn | ErrorCode::SessionExpired => 401,
        ErrorCode::PasswordChangeRequired => 403,
        ErrorCode::TooLarge => 413,
        ErrorCode::Busy => 503,
        ErrorCode::SchemaTooNew | ErrorCode::Storage | ErrorCode::Internal => 500,
    }
}

/// The one place a request reaches the core. `session` is the `X-Recoup-Session` header, the login
/// session token (issue 8): the core checks it and the user's roles for every command.
fn call_core(core: &Core, session: Option<String>, command: &str, payload: Value) -> Result<Value> {
    core.call_as(session.as_deref(), command, payload)
}

/// The hub's TLS configuration (`recoup serve --tls-cert --tls-key`): the certificate chain
/// (PEM: the server's certificate first, then any intermediate) and its private key (PEM: PKCS#8,
/// PKCS#1 or SEC1). Errors in Chinese, naming what is wrong.
pub fn tls_config(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> std::result::Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| "证书文件无法读取（应为 PEM 格式）".to_string())?;
    if chain.is_empty() {
        return Err("证书文件中没有证书（应以 -----BEGIN CERTIFICATE----- 开头）".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|_| {
        "私钥文件中没有可用的私钥（应为 PEM 格式，以 -----BEGIN PRIVATE KEY----- 等开头）"
            .to_string()
    })?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|_| "加密组件初始化失败（内部错误）".to_string())?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|_| {
        "证书与私钥不匹配或无法使用：请确认私钥文件是与该证书一起生成的那一份".to_string()
    })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// [`tls_config`] from the two files.
pub fn tls_config_from_files(
    cert: &Path,
    key: &Path,
) -> std::result::Result<Arc<rustls::ServerConfig>, String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("无法读取 {}：{e}", p.display()));
    tls_config(&read(cert)?, &read(key)?)
}

/// What `serve` hands its caller once it listens.
pub struct Ready {
    /// The served address, `http://127.0.0.1:PORT/` (`https://` with TLS).
    pub url: String,
    /// This launch's secret, for a caller in the same process that calls the API without reading
    /// the served `index.html` (the scale benchmark). Never print it.
    pub secret: String,
}

/// Bind 127.0.0.1:`port` (0: any free port) and serve until the process ends. `on_ready` is called
/// once the socket listens.
pub fn serve(
    core: Core,
    port: u16,
    ui_dir: Option<PathBuf>,
    on_ready: impl FnOnce(&Ready),
) -> std::io::Result<()> {
    serve_on(
        core,
        SocketAddr::from(([127, 0, 0, 1], port)),
        ui_dir,
        on_ready,
    )
}

/// Serve on `addr`: the city's hub listens on its network address (`recoup serve --listen`) so that
/// counties on other machines reach `POST /exchange/bundle`; the UI and the API still answer only
/// requests addressed to 127.0.0.1 or localhost (the hub's own clerks, on the hub's machine).
/// A county's program also runs its background exchange with its hub from here.
pub fn serve_on(
    core: Core,
    addr: SocketAddr,
    ui_dir: Option<PathBuf>,
    on_ready: impl FnOnce(&Ready),
) -> std::io::Result<()> {
    serve_with(core, addr, ui_dir, None, on_ready)
}

/// [`serve_on`], over TLS when `tls` is given ([`tls_config`]): HTTPS for the counties and the
/// hub's own clerks alike.
pub fn serve_with(
    core: Core,
    addr: SocketAddr,
    ui_dir: Option<PathBuf>,
    tls: Option<Arc<rustls::ServerConfig>>,
    on_ready: impl FnOnce(&Ready),
) -> std::io::Result<()> {
    // The daily backup (issue 12), before the first request; a failure does not stop the server.
    if let Err(e) = core.daily_backup() {
        eprintln!("自动备份未完成：{}", e.message);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("recoup-serve")
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let port = listener.local_addr()?.port();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let host = Arc::new(Host::new(core, ui_dir, port, scheme)?);
        Core::spawn_auto_sync(host.core.clone());
        on_ready(&Ready {
            url: format!("{scheme}://127.0.0.1:{port}/"),
            secret: host.secret.clone(),
        });
        accept_loop(listener, host, tls.map(tokio_rustls::TlsAcceptor::from)).await
    })
}

/// What every request is served with.
struct Host {
    core: Arc<Core>,
    ui: Option<PathBuf>,
    /// 32 random bytes in hex, new at every start.
    secret: String,
    /// `127.0.0.1:PORT` and `localhost:PORT`.
    hosts: [String; 2],
    /// `http://` (`https://` with TLS) + each of `hosts`.
    origins: [String; 2],
    core_calls: Semaphore,
}

impl Host {
    fn new(core: Core, ui: Option<PathBuf>, port: u16, scheme: &str) -> std::io::Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| std::io::Error::other(format!("无法生成本次启动的访问口令：{e}")))?;
        let hosts = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
        let origins = hosts.clone().map(|h| format!("{scheme}://{h}"));
        Ok(Host {
            core: Arc::new(core),
            ui,
            secret: hex::encode(bytes),
            hosts,
            origins,
            core_calls: Semaphore::new(MAX_CORE_CALLS),
        })
    }

    /// Host and Origin of any request, before anything else. A bundle comes from a county's program
    /// (never a web page: no Origin) addressed to whatever name the hub has on the network; the
    /// bundle authenticates itself. Everything else must be addressed to this machine's loopback.
    fn admit(&self, method: &Method, headers: &HeaderMap, bundle: bool) -> Result<()> {
        if bundle {
            if headers.contains_key(header::ORIGIN) || method == Method::OPTIONS {
                return Err(forbidden(
                    "拒绝访问：数据包只接受本软件直接发送，不接受网页发来的请求",
                ));
            }
            return Ok(());
        }
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        if !host.is_some_and(|h| self.hosts.iter().any(|a| a.eq_ignore_ascii_case(h))) {
            return Err(forbidden(format!(
                "拒绝访问：请求的主机名不是本服务的地址（应为 {} 或 {}）",
                self.hosts[0], self.hosts[1]
            )));
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            if !self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
                return Err(forbidden("拒绝访问：本服务不接受其他网页发来的请求"));
            }
        }
        if method == Method::OPTIONS {
            return Err(forbidden("拒绝访问：本服务不接受跨域请求"));
        }
        Ok(())
    }

    fn secret_matches(&self, headers: &HeaderMap) -> bool {
        headers
            .get(SECRET_HEADER)
            .is_some_and(|v| same_bytes(v.as_bytes(), self.secret.as_bytes()))
    }
}

/// Equal without an early exit (the comparison's time does not tell how much of a guess was right).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, message)
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    host: Arc<Host>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> std::io::Result<()> {
    let app: Router = Router::new().fallback(dispatch).with_state(host);
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = connections
            .clone()
            .acquire_owned()
            .await
            .expect("the connection semaphore is never closed");
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors or a connection reset before it was accepted: go on shortly.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Answers leave at once instead of waiting for the client's delayed ACK (~40 ms, issue 13).
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(stream, app).await,
                // The handshake runs in the connection's own task, bounded in time, so a client
                // that stalls in it holds only its own connection.
                Some(acceptor) => {
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    {
                        serve_connection(stream, app).await;
                    }
                }
            }
            drop(permit);
        });
    }
}

/// Serve the requests of one connection (plain or TLS) with hyper's header read timeout and the
/// write stall timeout.
async fn serve_connection<S>(stream: S, app: Router)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let io = TokioIo::new(StallGuard {
        io: stream,
        stalled: None,
    });
    let _ = http
        .serve_connection(io, TowerToHyperService::new(app))
        .await;
}

/// An accepted socket whose writes may wait at most `WRITE_STALL_TIMEOUT` for the client to read: a
/// client that stops reading an answer fails its connection instead of holding it (and one of the
/// `MAX_CONNECTIONS`) forever. Reads are timed by hyper (head) and `read_body` (body).
struct StallGuard<S> {
    io: S,
    /// Running while a write waits.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S: AsyncWrite + Unpin> StallGuard<S> {
    /// `inner` was not ready: start or check the stall timer.
    fn pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<T>> {
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_STALL_TIMEOUT)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn timed<T>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnOnce(Pin<&mut S>, &mut Context<'_>) -> Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        match op(Pin::new(&mut self.io), cx) {
            Poll::Pending => self.pending(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for StallGuard<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallGuard<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.timed(cx, |io, cx| io.poll_write(cx, buf))
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.timed(cx, |io, cx| io.poll_write_vectored(cx, bufs))
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.timed(cx, |io, cx| io.poll_flush(cx))
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.timed(cx, |io, cx| io.poll_shutdown(cx))
    }
}

async fn dispatch(State(host): State<Arc<Host>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let recover = path == crate::exchange::net::RECOVER_PATH;
    let bundle = recover || path == crate::exchange::net::BUNDLE_PATH;
    if let Err(e) = host.admit(req.method(), req.headers(), bundle) {
        return error_response(e);
    }
    if bundle {
        return exchange_bundle(&host, req, recover).await;
    }
    match path.strip_prefix("/api/") {
        Some(command) => {
            let command = command.to_string();
            api(&host, command, req).await
        }
        None => static_file(&host, &path).await,
    }
}

async fn api(host: &Arc<Host>, command: String, req: Request) -> Response {
    if req.method() != Method::POST {
        return error_response(ApiError::validation("接口只接受 POST 请求"));
    }
    if !host.secret_matches(req.headers()) {
        return error_response(forbidden(
            "拒绝访问：请求缺少本次启动的访问口令，请刷新页面后重试",
        ));
    }
    let session = req
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match read_request_body(req).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let payload = match std::str::from_utf8(&body) {
        Err(_) => Err(ApiError::validation("请求内容不是有效的 UTF-8 文本")),
        Ok(text) if text.trim().is_empty() => Ok(Value::Null),
        Ok(text) => {
            serde_json::from_str(text).map_err(|_| ApiError::validation("请求内容不是有效的 JSON"))
        }
    };
    let payload = match payload {
        Ok(p) => p,
        Err(e) => return error_response(e),
    };
    let Ok(_turn) = host.core_calls.acquire().await else {
        return error_response(ApiError::internal("服务正在关闭"));
    };
    let core = host.core.clone();
    let answer =
        tokio::task::spawn_blocking(move || call_core(&core, session, &command, payload)).await;
    match answer {
        Ok(Ok(value)) => json_response(StatusCode::OK, value.to_string().into_bytes()),
        Ok(Err(e)) => error_response(e),
        Err(_) => error_response(ApiError::internal("命令执行意外中断（内部错误）")),
    }
}

/// `POST /exchange/bundle` (the city's hub, issue 11): a county's bundle as raw bytes, answered with
/// the acknowledgement's bytes; `POST /exchange/recover` (`recover`): a county's poll, answered with
/// its own entries held here (a recovery file, encrypted to it). No per-launch secret: the bundle
/// authenticates itself (signed by a registered county, encrypted to this office), and nothing but
/// a bundle is accepted here.
async fn exchange_bundle(host: &Arc<Host>, req: Request, recover: bool) -> Response {
    if req.method() != Method::POST {
        return error_response(ApiError::validation("接口只接受 POST 请求"));
    }
    let body = match read_request_body(req).await {
        Ok(body) => body,
        Err(response) => return response,
    };
    let Ok(_turn) = host.core_calls.acquire().await else {
        return error_response(ApiError::internal("服务正在关闭"));
    };
    let core = host.core.clone();
    let answer = move || {
        if recover {
            core.answer_recovery(&body)
        } else {
            core.receive_bundle(&body)
        }
    };
    match tokio::task::spawn_blocking(answer).await {
        Ok(Ok(ack)) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            )],
            ack,
        )
            .into_response(),
        Ok(Err(e)) => error_response(e),
        Err(_) => error_response(ApiError::internal("命令执行意外中断（内部错误）")),
    }
}

/// The request's body: refused before reading when its declared length is above `MAX_BODY`, then
/// read as [`read_body`] does.
async fn read_request_body(req: Request) -> std::result::Result<Bytes, Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    read_body(req.into_body()).await
}

/// The whole body, at most `MAX_BODY` bytes (a chunked body is cut off there too), with no stall
/// longer than `BODY_STALL_TIMEOUT` and done within `BODY_TOTAL_TIMEOUT`.
async fn read_body(body: Body) -> std::result::Result<Bytes, Response> {
    let body = Limited::new(TimeoutBody::new(BODY_STALL_TIMEOUT, body), MAX_BODY);
    match tokio::time::timeout(BODY_TOTAL_TIMEOUT, body.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(e)) if e.downcast_ref::<TimeoutError>().is_none() => Err(error_response(
            ApiError::validation("请求内容未能完整接收，请重试"),
        )),
        _ => Err(error_response_with(
            StatusCode::REQUEST_TIMEOUT,
            ApiError::validation("请求内容接收超时，请重试"),
        )),
    }
}

fn too_large() -> Response {
    error_response(ApiError::new(
        ErrorCode::TooLarge,
        format!("请求内容过大：超过 {} MB 的上限", MAX_BODY / (1024 * 1024)),
    ))
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

fn error_response(e: ApiError) -> Response {
    let status =
        StatusCode::from_u16(http_status(e.code)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_response_with(status, e)
}

fn error_response_with(status: StatusCode, e: ApiError) -> Response {
    json_response(status, serde_json::to_vec(&e).unwrap_or_default())
}

fn text_response(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

async fn static_file(host: &Host, url: &str) -> Response {
    let Some(root) = host.ui.as_deref() else {
        return text_response(StatusCode::NOT_FOUND, "未配置界面目录（--ui）");
    };
    let rel = url.trim_start_matches('/');
    // Refuse any path that climbs out of the UI directory.
    if rel.split('/').any(|p| p == ".." || p.contains('\\')) {
        return text_response(StatusCode::FORBIDDEN, "禁止访问");
    }
    let mut path = root.join(if rel.is_empty() { "index.html" } else { rel });
    if !tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_file()) {
        // Single-page app: unknown paths get index.html.
        path = root.join("index.html");
    }
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return text_response(
            StatusCode::NOT_FOUND,
            "界面文件不存在，请先构建界面（cd ui && npm run build）",
        );
    };
    let mime = mime_type(&path);
    if path.file_name().is_some_and(|n| n == "index.html") {
        // The page that holds this launch's secret: never cached (a cached copy would hold the
        // secret of an earlier launch).
        return (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            with_secret(&bytes, &host.secret),
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(mime))],
        bytes,
    )
        .into_response()
}

fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// `index.html` with `<meta name="recoup-secret" content="…">` as the first element of its head
/// (at the very start when it has no `<head>`).
fn with_secret(html: &[u8], secret: &str) -> Vec<u8> {
    let meta = format!(r#"<meta name="{SECRET_META}" content="{secret}">"#);
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(5)
        .position(|w| w == b"<head")
        .and_then(|start| {
            lower[start..]
                .iter()
                .position(|&b| b == b'>')
                .map(|end| start + end + 1)
        })
        .unwrap_or(0);
    let mut out = Vec::with_capacity(html.len() + meta.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(meta.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_goes_first_into_the_head() {
        let html =
            br#"<!doctype html><html lang="zh-CN"><HEAD data-x="1"><title>t</title></HEAD></html>"#;
        let out = String::from_utf8(with_secret(html, "ab12")).unwrap();
        assert_eq!(
            out,
            r#"<!doctype html><html lang="zh-CN"><HEAD data-x="1"><meta name="recoup-secret" content="ab12"><title>t</title></HEAD></html>"#
        );
        let out = String::from_utf8(with_secret(b"<p>x</p>", "ab12")).unwrap();
        assert!(
            out.starts_with(r#"<meta name="recoup-secret" content="ab12"><p>"#),
            "{out}"
        );
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_bytes(b"abc", b"abc"));
        assert!(!same_bytes(b"abc", b"abd"));
        assert!(!same_bytes(b"abc", b"ab"));
        assert!(!same_bytes(b"", b"a"));
    }
}
