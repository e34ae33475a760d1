//! `recoup serve`: the HTTP host answers the same API with the same typed errors.

use std::io::{Read, Write};
use std::net::TcpStream;

use recoup::api::Core;

fn post(addr: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    post_as(addr, path, body, None)
}

/// A POST carrying the login session `session` (header `X-Recoup-Session`).
fn post_as(addr: &str, path: &str, body: &str, session: Option<&str>) -> (u16, serde_json::Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    let session = session
        .map(|t| format!("X-Recoup-Session: {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{session}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status: u16 = out[9..12].parse().unwrap();
    let json = out.split("\r\n\r\n").nth(1).unwrap_or("");
    (
        status,
        serde_json::from_str(json).unwrap_or(serde_json::Value::Null),
    )
}

#[test]
fn http_host_serves_the_api_and_the_ui() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(ui.path().join("index.html"), "<html>医保基金追回</html>").unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let ui_dir = ui.path().to_path_buf();
    std::thread::spawn(move || {
        let core = Core::open_in_memory().unwrap();
        recoup::serve::serve(core, 0, Some(ui_dir), |url| {
            tx.send(url.to_string()).unwrap()
        })
        .unwrap();
    });
    let url = rx.recv().unwrap();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();

    let (status, body) = post(&addr, "/api/office.get", "{}");
    assert_eq!((status, body), (200, serde_json::Value::Null));
    let (status, body) = post(
        &addr,
        "/api/office.init",
        r#"{"code":"2201","name":"南关区医疗保障局"}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        (body["code"].as_str(), body["field"].as_str()),
        (Some("VALIDATION"), Some("code"))
    );
    let (status, body) = post(
        &addr,
        "/api/office.init",
        r#"{"code":"220102","name":"南关区医疗保障局","admin":{"username":"admin","display_name":"刘一","password":"first1pass","roles":["Admin","Handler"]}}"#,
    );
    assert_eq!((status, body["code"].as_str()), (200, Some("220102")));
    // Issue 8: the office's data needs a login session, carried in a header.
    let (status, body) = post(&addr, "/api/institution.get", r#"{"id":5}"#);
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("NOT_LOGGED_IN"))
    );
    let (status, body) = post(
        &addr,
        "/api/user.login",
        r#"{"username":"admin","password":"first1pass"}"#,
    );
    assert_eq!(status, 200);
    let token = body["token"].as_str().unwrap().to_string();
    let (status, body) = post_as(&addr, "/api/institution.get", r#"{"id":5}"#, Some(&token));
    assert_eq!((status, body["code"].as_str()), (404, Some("NOT_FOUND")));
    let (status, body) = post_as(&addr, "/api/payment.get", r#"{"id":5}"#, Some("0000"));
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("NOT_LOGGED_IN"))
    );
    // A command of a role the user does not hold: 403, naming the role.
    let (status, body) = post_as(
        &addr,
        "/api/receipt.void",
        r#"{"id":1,"on":"2026-03-01","reason":"x"}"#,
        Some(&token),
    );
    assert_eq!((status, body["code"].as_str()), (403, Some("FORBIDDEN")));
    assert!(body["message"].as_str().unwrap().contains("财务"), "{body}");
    let (status, _) = post(&addr, "/api/office.get", "{not json");
    assert_eq!(status, 400);

    // Static files, SPA fallback, and no escape from the UI directory.
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET /cases/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(
        out.starts_with("HTTP/1.1 200") && out.contains("医保基金追回"),
        "{out}"
    );
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET /../Cargo.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(!out.contains("[package]"), "{out}");
}
