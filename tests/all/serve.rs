//! `recoup serve`: the HTTP host answers the same API with the same typed errors, refuses what a
//! foreign page, a huge body or a stalled client could do to it, and keeps serving.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use recoup::api::Core;

/// Nothing in these tests waits longer than this for an answer: only a hang fails on it.
const HANG: Duration = Duration::from_secs(30);

/// A running `recoup serve` on a free port with a UI directory holding an `index.html`.
struct Server {
    /// `127.0.0.1:PORT`
    addr: String,
    /// The per-launch secret, read from the served `index.html`.
    secret: String,
    ui: tempfile::TempDir,
}

fn start() -> Server {
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(
        ui.path().join("index.html"),
        "<!doctype html><html><head><title>医保基金追回</title></head><body>医保基金追回</body></html>",
    )
    .unwrap();
    std::fs::write(ui.path().join("app.js"), "console.log(1)").unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let ui_dir = ui.path().to_path_buf();
    std::thread::spawn(move || {
        let core = Core::open_in_memory().unwrap();
        recoup::serve::serve(core, 0, Some(ui_dir), |ready| {
            tx.send((ready.url.clone(), ready.secret.clone())).unwrap()
        })
        .unwrap();
    });
    let (url, handed) = rx.recv().unwrap();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let page = request(&addr, &format!("GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n"));
    let secret = secret_of(&page.body).expect("index.html carries the secret");
    assert_eq!(
        secret, handed,
        "the page carries the secret handed to the caller"
    );
    Server { addr, secret, ui }
}

fn secret_of(html: &str) -> Option<String> {
    let start = html.find(r#"<meta name="recoup-secret" content=""#)? + 36;
    let len = html[start..].find('"')?;
    Some(html[start..start + len].to_string())
}

struct Answer {
    status: u16,
    /// The head, lower-cased (status line and headers).
    head: String,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(HANG)).unwrap();
    s
}

/// One answer read from `s`: the head, then `Content-Length` bytes (the connection may stay open).
fn read_answer(s: &mut TcpStream) -> Answer {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).expect("an answer before the hang bound");
        assert!(n > 0, "connection closed without an answer: {buf:?}");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = s
            .read(&mut chunk)
            .expect("the whole body before the hang bound");
        assert!(n > 0, "connection closed inside the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    Answer {
        status: head[9..12].parse().unwrap(),
        body: String::from_utf8_lossy(&buf[head_end..head_end + len]).into_owned(),
        head,
    }
}

/// Send `raw` on a new connection and read one answer.
fn request(addr: &str, raw: &str) -> Answer {
    let mut s = connect(addr);
    s.write_all(raw.as_bytes()).unwrap();
    read_answer(&mut s)
}

/// `POST /api/…` with the right Host and secret.
fn post(srv: &Server, path: &str, body: &str) -> (u16, serde_json::Value) {
    let a = post_with(
        srv,
        path,
        body,
        &format!("X-Recoup-Secret: {}\r\n", srv.secret),
    );
    (a.status, a.json())
}

/// `POST` with the right Host and the given extra header lines (each ending in `\r\n`).
/// A POST with the secret and the login session `session` (header `X-Recoup-Session`).
fn post_as(
    srv: &Server,
    path: &str,
    body: &str,
    session: Option<&str>,
) -> (u16, serde_json::Value) {
    let session = session
        .map(|t| format!("X-Recoup-Session: {t}\r\n"))
        .unwrap_or_default();
    let a = post_with(
        srv,
        path,
        body,
        &format!("X-Recoup-Secret: {}\r\n{session}", srv.secret),
    );
    (a.status, a.json())
}

fn post_with(srv: &Server, path: &str, body: &str, headers: &str) -> Answer {
    request(
        &srv.addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\n\r\n{body}",
            srv.addr,
            body.len()
        ),
    )
}

fn get(srv: &Server, path: &str) -> Answer {
    request(
        &srv.addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", srv.addr),
    )
}

/// The server still answers an ordinary call, within the hang bound; returns how long it took.
fn still_answers(srv: &Server) -> Duration {
    let started = Instant::now();
    let (status, body) = post(srv, "/api/office.get", "{}");
    assert_eq!(status, 200, "{body}");
    started.elapsed()
}

#[test]
fn http_host_serves_the_api_and_the_ui() {
    let srv = start();

    let (status, body) = post(&srv, "/api/office.get", "{}");
    assert_eq!((status, body), (200, serde_json::Value::Null));
    let (status, body) = post(
        &srv,
        "/api/office.init",
        r#"{"code":"2201","name":"南关区医疗保障局"}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("VALIDATION"), Some("code"))
    );
    let (status, body) = post(
        &srv,
        "/api/office.init",
        r#"{"code":"220102","name":"南关区医疗保障局","admin":{"username":"admin","display_name":"刘一","password":"first1pass","roles":["Admin","Handler"]}}"#,
    );
    assert_eq!((status, body["code"].as_str()), (200, Some("220102")));
    // Issue 8: the office's data needs a login session, carried in a header.
    let (status, body) = post(&srv, "/api/institution.get", r#"{"id":5}"#);
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("NOT_LOGGED_IN"))
    );
    let (status, body) = post(
        &srv,
        "/api/user.login",
        r#"{"username":"admin","password":"first1pass"}"#,
    );
    assert_eq!(status, 200);
    let token = body["token"].as_str().unwrap().to_string();
    let (status, body) = post_as(&srv, "/api/institution.get", r#"{"id":5}"#, Some(&token));
    assert_eq!((status, body["code"].as_str()), (404, Some("NOT_FOUND")));
    let (status, body) = post_as(&srv, "/api/payment.get", r#"{"id":5}"#, Some("0000"));
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("NOT_LOGGED_IN"))
    );
    // A command of a role the user does not hold: 403, naming the role.
    let (status, body) = post_as(
        &srv,
        "/api/receipt.void",
        r#"{"id":1,"on":"2026-03-01","reason":"x"}"#,
        Some(&token),
    );
    assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));
    assert!(body["message"].as_str().unwrap().contains("财务"), "{body}");
    let (status, _) = post(&srv, "/api/office.get", "{not json");
    assert_eq!(status, 400);
    let (status, body) = post(&srv, "/api/no.such", "{}");
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("UNKNOWN_COMMAND"))
    );
    let a = get(&srv, "/api/office.get");
    assert_eq!(
        (a.status, a.json()["message"].as_str()),
        (400, Some("接口只接受 POST 请求"))
    );

    // Static files, SPA fallback, and no escape from the UI directory.
    let out = get(&srv, "/cases/7");
    assert!(
        out.status == 200 && out.body.contains("医保基金追回"),
        "{}{}",
        out.head,
        out.body
    );
    let out = get(&srv, "/app.js");
    assert!(
        out.status == 200
            && out
                .head
                .contains("content-type: text/javascript; charset=utf-8"),
        "{}",
        out.head
    );
    let out = get(&srv, "/../Cargo.toml");
    assert!(!out.body.contains("[package]"), "{}", out.body);
    assert_eq!((out.status, out.body.as_str()), (403, "禁止访问"));
}

#[test]
fn index_html_carries_a_secret_new_at_every_launch_and_is_never_cached() {
    let srv = start();
    for path in ["/", "/index.html", "/cases/7"] {
        let page = get(&srv, path);
        assert_eq!(page.status, 200);
        assert!(
            page.head.contains("cache-control: no-store"),
            "{}",
            page.head
        );
        assert!(
            page.body.starts_with(&format!(
                r#"<!doctype html><html><head><meta name="recoup-secret" content="{}"><title>"#,
                srv.secret
            )),
            "{}",
            page.body
        );
    }
    assert_eq!(srv.secret.len(), 64);
    assert!(srv.secret.chars().all(|c| c.is_ascii_hexdigit()));
    // Other files are served as they are.
    assert_eq!(get(&srv, "/app.js").body, "console.log(1)");
    let other = start();
    assert_ne!(other.secret, srv.secret);
}

#[test]
fn an_api_call_without_the_secret_is_refused() {
    let srv = start();
    for headers in [
        String::new(),
        "X-Recoup-Secret: \r\n".to_string(),
        "X-Recoup-Secret: 00\r\n".to_string(),
        format!("X-Recoup-Secret: {}0\r\n", srv.secret),
        format!("X-Recoup-Secret: {}\r\n", srv.secret.to_uppercase()),
    ] {
        let a = post_with(&srv, "/api/office.get", "{}", &headers);
        assert_eq!(a.status, 403, "{headers}");
        assert_eq!(a.json()["code"], "FORBIDDEN");
        assert!(
            a.json()["message"].as_str().unwrap().contains("访问口令"),
            "{}",
            a.body
        );
    }
    // With it, and with a session token (read, not used yet), the call runs.
    let a = post_with(
        &srv,
        "/api/office.get",
        "{}",
        &format!(
            "X-Recoup-Secret: {}\r\nX-Recoup-Session: abc\r\n",
            srv.secret
        ),
    );
    assert_eq!((a.status, a.body.as_str()), (200, "null"));
}

#[test]
fn a_foreign_host_or_origin_is_refused_and_cors_stays_closed() {
    let srv = start();
    let port = srv.addr.rsplit(':').next().unwrap().to_string();
    let secret = format!("X-Recoup-Secret: {}\r\n", srv.secret);
    // DNS rebinding: a foreign name that resolves to 127.0.0.1. Also a missing Host.
    for host in [
        format!("Host: evil.example:{port}\r\n"),
        "Host: 127.0.0.1\r\n".to_string(),
        format!("Host: 127.0.0.1:{}\r\n", port.parse::<u32>().unwrap() + 1),
        String::new(),
    ] {
        for raw in [
            format!("GET / HTTP/1.1\r\n{host}\r\n"),
            format!("POST /api/office.get HTTP/1.1\r\n{host}{secret}Content-Length: 2\r\n\r\n{{}}"),
        ] {
            let a = request(&srv.addr, &raw);
            assert_eq!(a.status, 403, "{raw}");
            assert_eq!(a.json()["code"], "FORBIDDEN");
            assert!(a.json()["message"].as_str().unwrap().contains("主机名"));
        }
    }
    // localhost:PORT is the same server.
    let a = request(
        &srv.addr,
        &format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"),
    );
    assert_eq!(a.status, 200);

    // Another web page's simple request (text/plain, no preflight) to create an administrator.
    let (status, _) = post(
        &srv,
        "/api/office.init",
        r#"{"code":"220102","name":"南关区医疗保障局","admin":{"username":"admin","display_name":"刘一","password":"first1pass"}}"#,
    );
    assert_eq!(status, 200);
    let create = r#"{"username":"mallory","display_name":"某某","roles":["Admin"],"password":"secret-123456"}"#;
    for origin in [
        "http://evil.example",
        &format!("http://evil.example:{port}"),
        &format!("https://127.0.0.1:{port}"),
        "null",
    ] {
        let a = request(
            &srv.addr,
            &format!(
                "POST /api/user.create HTTP/1.1\r\nHost: {}\r\nOrigin: {origin}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{create}",
                srv.addr,
                create.len()
            ),
        );
        assert_eq!(a.status, 403, "{origin}");
        assert!(a.json()["message"].as_str().unwrap().contains("其他网页"));
        // Even a page that somehow had the secret is refused by its Origin.
        let a = post_with(
            &srv,
            "/api/user.create",
            create,
            &format!("Origin: {origin}\r\n{secret}"),
        );
        assert_eq!(a.status, 403, "{origin}");
        assert!(!a.head.contains("access-control-"), "{}", a.head);
    }
    // Nobody was added: only the administrator of the set-up.
    let (_, login) = post(
        &srv,
        "/api/user.login",
        r#"{"username":"admin","password":"first1pass"}"#,
    );
    let token = login["token"].as_str().unwrap();
    let (_, users) = post_as(&srv, "/api/user.list", "{}", Some(token));
    assert_eq!(users["total"], 1, "{users}");
    // The UI's own origin is accepted.
    for origin in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        let a = post_with(
            &srv,
            "/api/office.get",
            "{}",
            &format!("Origin: {origin}\r\n{secret}"),
        );
        assert_eq!(a.status, 200, "{origin}");
        assert!(!a.head.contains("access-control-"), "{}", a.head);
    }
    // Preflights are refused, without any CORS header.
    let a = request(
        &srv.addr,
        &format!(
            "OPTIONS /api/user.create HTTP/1.1\r\nHost: {}\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: x-recoup-secret\r\n\r\n",
            srv.addr
        ),
    );
    assert_eq!(a.status, 403);
    assert!(!a.head.contains("access-control-"), "{}", a.head);
    let a = request(
        &srv.addr,
        &format!(
            "OPTIONS /api/office.get HTTP/1.1\r\nHost: {}\r\n\r\n",
            srv.addr
        ),
    );
    assert_eq!(a.status, 403);
}

#[test]
fn a_huge_declared_body_is_refused_before_it_is_read_and_the_server_goes_on() {
    let srv = start();
    for _ in 0..3 {
        let mut s = connect(&srv.addr);
        write!(
            s,
            "POST /api/institution.import HTTP/1.1\r\nHost: {}\r\nX-Recoup-Secret: {}\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{{\"kind\":",
            srv.addr, srv.secret
        )
        .unwrap();
        let a = read_answer(&mut s);
        assert_eq!(a.status, 413, "{}", a.body);
        assert_eq!(a.json()["code"], "TOO_LARGE");
        assert!(
            a.json()["message"]
                .as_str()
                .unwrap()
                .contains("请求内容过大"),
            "{}",
            a.body
        );
        assert!(
            a.head.contains("content-type: application/json"),
            "{}",
            a.head
        );
        still_answers(&srv);
    }
    // Just above the limit is refused, the limit itself is read (and then judged as JSON).
    let limit = recoup::serve::MAX_BODY;
    let mut s = connect(&srv.addr);
    write!(
        s,
        "POST /api/office.get HTTP/1.1\r\nHost: {}\r\nX-Recoup-Secret: {}\r\nContent-Length: {}\r\n\r\n",
        srv.addr,
        srv.secret,
        limit + 1
    )
    .unwrap();
    assert_eq!(read_answer(&mut s).status, 413);
    // A chunked body has no declared length: it is cut off at the limit.
    let mut s = connect(&srv.addr);
    write!(
        s,
        "POST /api/office.get HTTP/1.1\r\nHost: {}\r\nX-Recoup-Secret: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        srv.addr, srv.secret
    )
    .unwrap();
    // The answer is read while the body is still being sent: the server answers at the limit.
    let mut reader = s.try_clone().unwrap();
    let answer = std::thread::spawn(move || read_answer(&mut reader));
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..(limit >> 20) + 2 {
        let sent = write!(s, "{:x}\r\n", chunk.len())
            .and_then(|_| s.write_all(&chunk))
            .and_then(|_| s.write_all(b"\r\n"));
        if sent.is_err() {
            break; // the server answered and closed
        }
    }
    assert_eq!(answer.join().unwrap().status, 413);
    still_answers(&srv);
}

#[test]
fn stalled_clients_are_dropped_and_do_not_stop_other_requests() {
    let srv = start();
    let started = Instant::now();
    // Six stall inside their headers, six inside their bodies (headers complete, 10 of 100 bytes).
    let mut in_headers: Vec<TcpStream> = (0..6)
        .map(|_| {
            let mut s = connect(&srv.addr);
            write!(
                s,
                "POST /api/office.get HTTP/1.1\r\nHost: {}\r\nContent-Le",
                srv.addr
            )
            .unwrap();
            s
        })
        .collect();
    let mut in_body: Vec<TcpStream> = (0..6)
        .map(|_| {
            let mut s = connect(&srv.addr);
            write!(
                s,
                "POST /api/office.get HTTP/1.1\r\nHost: {}\r\nX-Recoup-Secret: {}\r\nContent-Length: 100\r\n\r\n{{\"a\":\"bcd",
                srv.addr, srv.secret
            )
            .unwrap();
            s
        })
        .collect();
    // Two more that opened and said nothing at all.
    let mut silent: Vec<TcpStream> = (0..2).map(|_| connect(&srv.addr)).collect();

    // Meanwhile the server answers others at once, many times over.
    for _ in 0..5 {
        let took = still_answers(&srv);
        assert!(took < HANG);
    }
    let page = get(&srv, "/");
    assert_eq!(page.status, 200);
    println!(
        "with 14 stalled connections open, 5 calls and a page answered within {:?}",
        started.elapsed()
    );

    // Each stalled client is dropped by the server after a few seconds (a body gets a 408 first).
    for s in in_headers.iter_mut().chain(silent.iter_mut()) {
        let mut rest = Vec::new();
        let read = s.read_to_end(&mut rest);
        assert!(
            read.is_ok()
                || !matches!(
                    read.as_ref().unwrap_err().kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
            "a client stalled in its headers was not dropped: {read:?}"
        );
    }
    for s in &mut in_body {
        let a = read_answer(s);
        assert_eq!(a.status, 408, "{}", a.body);
        assert!(a.json()["message"].as_str().unwrap().contains("超时"));
        let mut rest = Vec::new();
        let read = s.read_to_end(&mut rest);
        assert!(
            read.is_ok()
                || !matches!(
                    read.as_ref().unwrap_err().kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
            "a client stalled in its body was not dropped: {read:?}"
        );
    }
    println!(
        "stalled connections dropped after {:?} (header timeout {:?}, body stall timeout {:?})",
        started.elapsed(),
        recoup::serve::HEADER_TIMEOUT,
        recoup::serve::BODY_STALL_TIMEOUT
    );
    still_answers(&srv);
}

#[test]
fn a_client_that_stops_reading_an_answer_is_dropped() {
    let srv = start();
    // Larger than what the two sockets' buffers can hold on loopback.
    let size = 64 << 20;
    std::fs::write(srv.ui.path().join("big.pdf"), vec![b'%'; size]).unwrap();
    let mut s = connect(&srv.addr);
    write!(s, "GET /big.pdf HTTP/1.1\r\nHost: {}\r\n\r\n", srv.addr).unwrap();
    // Nothing is read while the server's writes wait; others are answered meanwhile.
    std::thread::sleep(Duration::from_secs(1));
    still_answers(&srv);
    std::thread::sleep(recoup::serve::WRITE_STALL_TIMEOUT + Duration::from_secs(3));
    // What the socket buffers held arrives, then the server's close: not the whole file (had the
    // server kept waiting, it would send the rest now).
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(
        got.len() < size,
        "the whole answer arrived: the server waited for the client"
    );
    println!(
        "a client that read nothing was dropped with {} of {} bytes sent",
        got.len(),
        size
    );
    still_answers(&srv);
}

#[test]
fn answers_on_a_kept_alive_connection_do_not_wait_for_a_delayed_ack() {
    // With Nagle on, an answer written in two segments waited ~40 ms for the client's delayed ACK
    // (issue 13). Printed, not judged: the machine may be busy.
    let srv = start();
    let mut s = connect(&srv.addr);
    s.set_nodelay(true).unwrap();
    let mut times = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        write!(
            s,
            "POST /api/office.get HTTP/1.1\r\nHost: {}\r\nX-Recoup-Secret: {}\r\nContent-Length: 2\r\n\r\n{{}}",
            srv.addr, srv.secret
        )
        .unwrap();
        let a = read_answer(&mut s);
        assert_eq!(a.status, 200);
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "20 calls on one kept-alive connection: median {:?}, max {:?} (a delayed-ACK stall would be ~40 ms each)",
        times[10], times[19]
    );
}

/// Issue 11: the city's hub listens on its network address (`recoup serve --listen 0.0.0.0`) so that
/// counties on other machines reach `POST /exchange/bundle` under whatever name the hub has there;
/// the UI and the API still answer only requests addressed to this machine's loopback, and a web
/// page cannot send a bundle.
#[test]
fn the_hub_takes_bundles_under_its_network_name_and_keeps_the_api_on_loopback() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let core = Core::open_in_memory().unwrap();
        recoup::serve::serve_on(core, "0.0.0.0:0".parse().unwrap(), None, |ready| {
            tx.send(ready.url.clone()).unwrap()
        })
        .unwrap();
    });
    let url = rx.recv().unwrap();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let port = addr.rsplit(':').next().unwrap();
    let lan = format!("10.22.1.5:{port}");
    let raw = |path: &str, host: &str, extra: &str| {
        request(
            &addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Type: application/octet-stream\r\nContent-Length: 4\r\n\r\njunk"
            ),
        )
    };
    // A bundle under the LAN name reaches the core (which refuses what is not a bundle, in words).
    let a = raw("/exchange/bundle", &lan, "");
    assert_ne!(a.status, 403, "{}", a.body);
    assert!(a.body.contains("数据包"), "{}", a.body);
    // From a web page: refused before the core.
    let a = raw("/exchange/bundle", &lan, "Origin: http://evil.example\r\n");
    assert_eq!(a.status, 403, "{}", a.body);
    // The API and the UI under the LAN name: refused.
    assert_eq!(raw("/api/office.get", &lan, "").status, 403);
    let a = request(&addr, &format!("GET / HTTP/1.1\r\nHost: {lan}\r\n\r\n"));
    assert_eq!(a.status, 403);
    // On loopback, the API answers as ever (here: without the page's secret, refused for that).
    let a = raw("/api/office.get", &format!("127.0.0.1:{port}"), "");
    assert!(a.body.contains("访问口令"), "{}", a.body);
}
