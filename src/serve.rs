//! `recoup serve`: HTTP on 127.0.0.1 serving the built UI and the API (`POST /api/<command>`), for
//! browser tests and, later, the city server.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response, Server};

use crate::api::Core;
use crate::error::{ApiError, ErrorCode};

/// Largest request body accepted (an import file in base64).
const MAX_BODY: u64 = 64 * 1024 * 1024;

pub fn http_status(code: ErrorCode) -> u16 {
    match code {
        ErrorCode::Validation => 400,
        ErrorCode::NotFound | ErrorCode::UnknownCommand => 404,
        ErrorCode::Conflict | ErrorCode::IllegalStep | ErrorCode::NotInitialized => 409,
        ErrorCode::NotLoggedIn | ErrorCode::SessionExpired => 401,
        ErrorCode::PasswordChangeRequired | ErrorCode::Forbidden => 403,
        ErrorCode::SchemaTooNew | ErrorCode::Storage | ErrorCode::Internal => 500,
    }
}

/// Bind and serve until the process ends. `on_ready` receives the bound address.
pub fn serve(
    core: Core,
    port: u16,
    ui_dir: Option<PathBuf>,
    on_ready: impl FnOnce(&str),
) -> std::io::Result<()> {
    let server = Server::from_listener(listener(port)?, None).map_err(std::io::Error::other)?;
    let addr = server
        .server_addr()
        .to_ip()
        .map(|a| a.to_string())
        .unwrap_or_default();
    on_ready(&format!("http://{addr}/"));
    let core = Arc::new(core);
    let workers = 4;
    let server = Arc::new(server);
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let server = server.clone();
            let core = core.clone();
            let ui = ui_dir.clone();
            std::thread::spawn(move || {
                for req in server.incoming_requests() {
                    handle(&core, ui.as_deref(), req);
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    Ok(())
}

/// The listening socket, with Nagle's algorithm off: tiny_http writes an answer's head and body
/// separately, and with Nagle on, the body waited for the client's delayed ACK of the head (about
/// 40 ms on every answer, issue 13). Accepted connections inherit TCP_NODELAY on Linux.
fn listener(port: u16) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    socket.listen(128)?;
    Ok(socket.into())
}

fn json_header() -> Header {
    Header::from_bytes("Content-Type", "application/json; charset=utf-8").expect("static header")
}

fn handle(core: &Core, ui: Option<&Path>, mut req: Request) {
    let url = req.url().split('?').next().unwrap_or("/").to_string();
    let resp = if let Some(command) = url.strip_prefix("/api/") {
        if *req.method() != Method::Post {
            error_response(ApiError::validation("接口只接受 POST 请求"))
        } else {
            let mut body = String::new();
            let read = req.as_reader().take(MAX_BODY).read_to_string(&mut body);
            match read {
                Err(_) => error_response(ApiError::validation("请求内容不是有效的 UTF-8 文本")),
                Ok(_) => {
                    let payload = if body.trim().is_empty() {
                        Ok(serde_json::Value::Null)
                    } else {
                        serde_json::from_str(&body)
                            .map_err(|_| ApiError::validation("请求内容不是有效的 JSON"))
                    };
                    let session = req
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("X-Recoup-Session"))
                        .map(|h| h.value.as_str().to_string());
                    match payload.and_then(|p| core.call_as(session.as_deref(), command, p)) {
                        Ok(v) => Response::from_data(v.to_string().into_bytes())
                            .with_header(json_header()),
                        Err(e) => error_response(e),
                    }
                }
            }
        }
    } else {
        static_file(ui, &url)
    };
    let _ = req.respond(resp);
}

fn error_response(e: ApiError) -> Response<std::io::Cursor<Vec<u8>>> {
    let body = serde_json::to_vec(&e).unwrap_or_default();
    Response::from_data(body)
        .with_status_code(http_status(e.code))
        .with_header(json_header())
}

fn static_file(ui: Option<&Path>, url: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let Some(root) = ui else {
        return Response::from_string("未配置界面目录（--ui）").with_status_code(404);
    };
    let rel = url.trim_start_matches('/');
    // Refuse any path that climbs out of the UI directory.
    if rel.split('/').any(|p| p == ".." || p.contains('\\')) {
        return Response::from_string("禁止访问").with_status_code(403);
    }
    let mut path = root.join(if rel.is_empty() { "index.html" } else { rel });
    if !path.is_file() {
        // Single-page app: unknown paths get index.html.
        path = root.join("index.html");
    }
    match std::fs::read(&path) {
        Ok(bytes) => {
            let mime = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
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
            };
            Response::from_data(bytes)
                .with_header(Header::from_bytes("Content-Type", mime).expect("static header"))
        }
        Err(_) => Response::from_string("界面文件不存在，请先构建界面（cd ui && npm run build）")
            .with_status_code(404),
    }
}
