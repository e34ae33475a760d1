//! Recoup desktop shell: a thin Tauri 2 host around the `recoup` core.
//!
//! The shell has exactly one command, `api`, which forwards `(command, payload, session)` to
//! [`recoup::Core::call_as`]. All rules, storage and documents live in the core; nothing here
//! knows about offices, institutions or cases.

use std::sync::Arc;

use recoup::{ApiError, Core, ErrorCode};
use serde_json::Value;
use tauri::webview::PageLoadEvent;
use tauri::{Builder, Manager, Runtime, State, Webview};

/// The core, or the reason it could not be opened (shown to the user instead of panicking).
pub struct Backend(Result<Arc<Core>, ApiError>);

impl Backend {
    /// Opens the default database ($RECOUP_DB, else the platform data dir), makes the daily backup
    /// and starts the background exchange with the city's hub.
    pub fn open_default() -> Self {
        Backend(Core::open_default().map(|core| {
            // The daily backup (issue 12); a failure does not stop the app.
            if let Err(e) = core.daily_backup() {
                eprintln!("自动备份未完成：{}", e.message);
            }
            let core = Arc::new(core);
            // The background exchange with the city's hub (issue 11), when one is set.
            Core::spawn_auto_sync(core.clone());
            core
        }))
    }

    pub fn from_core(core: Core) -> Self {
        Backend(Ok(Arc::new(core)))
    }

    /// The error that prevented the core from opening, if any.
    pub fn open_error(&self) -> Option<&ApiError> {
        self.0.as_ref().err()
    }

    fn core(&self) -> Result<Arc<Core>, ApiError> {
        self.0.clone()
    }
}

/// The one IPC command: `invoke('api', { command, payload, session })` (`session`: the token of
/// `user.login`; the core checks it and the user's roles).
///
/// Runs the core call on a blocking thread so long operations (imports, PDF generation)
/// never freeze the window.
#[tauri::command]
async fn api(
    backend: State<'_, Backend>,
    command: String,
    payload: Value,
    session: Option<String>,
) -> Result<Value, ApiError> {
    let core = backend.core()?;
    tauri::async_runtime::spawn_blocking(move || {
        core.call_as(session.as_deref(), &command, payload)
    })
    .await
    .map_err(|e| ApiError {
        code: ErrorCode::Internal,
        message: format!("后台任务异常终止：{e}"),
        field: None,
    })?
}

/// Registers the state and the `api` command on any runtime (the real one or `tauri::test`'s mock).
pub fn with_backend<R: Runtime>(builder: Builder<R>, backend: Backend) -> Builder<R> {
    builder
        .manage(backend)
        .invoke_handler(tauri::generate_handler![api])
        .on_page_load(|webview, payload| {
            if payload.event() == PageLoadEvent::Finished {
                show_open_error(webview);
            }
        })
}

/// When the database could not be opened, cover the page with a Chinese error message.
fn show_open_error<R: Runtime>(webview: &Webview<R>) {
    let Some(err) = webview.state::<Backend>().open_error().cloned() else {
        return;
    };
    let hint = if err.code == ErrorCode::Storage {
        "请检查数据目录是否可写、磁盘空间是否充足；如设置了环境变量 RECOUP_DB，请确认其路径正确。\n"
    } else {
        ""
    };
    let text = serde_json::to_string(&format!(
        "无法打开数据库，程序暂时不能使用。\n\n原因：{}\n\n{hint}处理后请重新启动本程序。",
        err.message
    ))
    .unwrap_or_else(|_| "\"无法打开数据库\"".into());
    let js = format!(
        r#"(function () {{
  var d = document.createElement('div');
  d.setAttribute('data-testid', 'fatal-error');
  d.setAttribute('role', 'alert');
  d.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:#fff;color:#c00;' +
    'padding:48px;font:16px/1.8 sans-serif;white-space:pre-wrap;';
  var h = document.createElement('h1');
  h.textContent = '医保基金追回 Recoup：启动失败';
  h.style.cssText = 'font-size:22px;color:#222;margin:0 0 16px';
  d.appendChild(h);
  d.appendChild(document.createTextNode({text}));
  document.body.appendChild(d);
}})();"#
    );
    let _ = webview.eval(js);
}

/// WebKitGTK settings for a lighter window (ARCHITECTURE "Desktop memory"). The app is one local page
/// of forms and tables: it needs no GPU compositing (under software GL it cost ~90 MB in the web
/// process and slowed the first paint), no back/forward page cache and no memory caches sized for
/// browsing, no WebGL and no Web Audio.
///
/// Except under WebDriver (tauri-driver allows automation on the web context): without compositing,
/// WebKit's snapshot never completes, so the desktop smoke test could take no screenshot. There the
/// window keeps WebKit's default compositing; every other setting applies.
#[cfg(target_os = "linux")]
fn lighter_webkit(webview: &webkit2gtk::WebView) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let mut automation = false;
    if let Some(context) = webview.context() {
        context.set_cache_model(CacheModel::DocumentViewer);
        automation = context.is_automation_allowed();
    }
    if let Some(settings) = WebViewExt::settings(webview) {
        if !automation {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
        settings.set_enable_page_cache(false);
        settings.set_enable_webgl(false);
        settings.set_enable_webaudio(false);
    }
}

/// Starts the desktop app. Called from `main`.
pub fn run() {
    // The web process inherits this environment, so it is set first, before any thread reads it
    // (ARCHITECTURE "Desktop memory"; scripts/desktop_mem.sh on the first-run screen, measured back to
    // back on one machine: 274.5 MB PSS with neither, 255 MB with the first, 246 MB with both):
    // - JavaScriptCore without its JIT compilers (LLInt only): the window is forms and tables, and
    //   the JIT's code and profiling memory cost ~17 MB;
    // - WebKit's DMA-BUF renderer off (~10 MB, and the known cure for blank windows on some GPU
    //   drivers; the window draws without GPU acceleration anyway, see `lighter_webkit`). Not under
    //   WebDriver (tauri-driver sets TAURI_WEBVIEW_AUTOMATION): there WebKit's snapshot never
    //   completes without it, so the desktop smoke test could take no screenshot.
    // Either can be set the other way from outside (a support person: JSC_useJIT=1).
    #[cfg(target_os = "linux")]
    {
        if std::env::var_os("JSC_useJIT").is_none() {
            std::env::set_var("JSC_useJIT", "0");
        }
        let automation = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
        if !automation && std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
            std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        }
    }
    let backend = Backend::open_default();
    if let Some(e) = backend.open_error() {
        eprintln!("recoup-app: 无法打开数据库：{}", e.message);
    }
    let builder = tauri::Builder::default()
        // First: a second launch brings the running window forward instead of opening another
        // window on the same database.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        // A log file (recoup.log) in the app's log folder that a support person can ask for.
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                .target(tauri_plugin_log::Target::new(
                    tauri_plugin_log::TargetKind::LogDir {
                        file_name: Some("recoup".into()),
                    },
                ))
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_fs::init());
    let result = with_backend(builder, backend)
        .setup(|app| {
            log::info!(
                "医保基金追回 {} 启动，数据库：{}",
                env!("CARGO_PKG_VERSION"),
                recoup::api::default_db_path().display()
            );
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                window.with_webview(|webview| lighter_webkit(&webview.inner()))?;
            }
            #[cfg(not(target_os = "linux"))]
            let _ = app;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("recoup-app: 无法启动应用：{e}");
        std::process::exit(1);
    }
}
