//! Drives the `api` command through Tauri's IPC layer on the mock runtime (no display needed).

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    command: &str,
    payload: Value,
) -> Result<Value, Value> {
    invoke_as(webview, None, command, payload)
}

/// `invoke('api', { command, payload, session })`: the session token of `user.login`.
fn invoke_as(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    session: Option<&str>,
    command: &str,
    payload: Value,
) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: "api".into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(
            json!({ "command": command, "payload": payload, "session": session }),
        ),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, request).map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn api_command_round_trips_through_ipc() {
    let dir = std::env::temp_dir().join(format!("recoup-app-ipc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("recoup.db");
    // The only test in this binary, so setting the variable cannot race another test.
    std::env::set_var("RECOUP_DB", &db);
    let backend = recoup_app::Backend::open_default();
    assert!(
        backend.open_error().is_none(),
        "open failed: {:?}",
        backend.open_error()
    );
    assert!(db.exists(), "RECOUP_DB was not used");

    let app = recoup_app::with_backend(mock_builder(), backend)
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();

    // Unknown commands come back as a typed error, not a panic or a transport error.
    let err = invoke(&webview, "no.such.command", json!({})).unwrap_err();
    assert_eq!(err["code"], "UNKNOWN_COMMAND", "{err}");
    assert!(
        err["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{err}"
    );

    // A fresh database has no office yet.
    let office = invoke(&webview, "office.get", json!({})).unwrap();
    assert!(
        office.is_null(),
        "fresh database already has an office: {office}"
    );

    // A write goes through and is read back.
    let created = invoke(
        &webview,
        "office.init",
        json!({ "code": "220102", "name": "长春市南关区医疗保障局", "level": "county",
                "admin": { "username": "admin", "display_name": "刘一", "password": "first1pass", "roles": ["Admin"] } }),
    )
    .unwrap();
    assert_eq!(created["name"], "长春市南关区医疗保障局", "{created}");
    let office = invoke(&webview, "office.get", json!({})).unwrap();
    assert_eq!(office["code"], "220102", "{office}");

    // The office's data needs the session of a login, carried on every call.
    let err = invoke(&webview, "user.list", json!({})).unwrap_err();
    assert_eq!(err["code"], "NOT_LOGGED_IN", "{err}");
    let login = invoke(
        &webview,
        "user.login",
        json!({ "username": "admin", "password": "first1pass" }),
    )
    .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let users = invoke_as(&webview, Some(&token), "user.list", json!({})).unwrap();
    assert_eq!(users["items"][0]["display_name"], "刘一", "{users}");

    // A rejected write (bad code, office already set up) comes back as a typed error.
    let err = invoke(
        &webview,
        "office.init",
        json!({ "code": "22", "name": "x", "level": "county" }),
    )
    .unwrap_err();
    assert!(
        err["code"].is_string() && err["message"].is_string(),
        "{err}"
    );

    drop(webview);
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
