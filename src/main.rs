//! `recoup`: the command-line host of the core API.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use recoup::api::{self, Core};
use recoup::{ApiError, Money};
use serde_json::{json, Value};

#[derive(Parser)]
#[command(name = "recoup", version, about = "医保基金追回 Recoup：命令行工具")]
struct Cli {
    /// Database file (default: $RECOUP_DB, else the platform data directory).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Log in as this user (default: $RECOUP_USER); the password is read from $RECOUP_PASSWORD,
    /// else asked for on the terminal. Commands on the office's data need a login.
    #[arg(long, global = true, env = "RECOUP_USER")]
    user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Set up this office (行政区划代码, name, level) and its first administrator (管理员), whose
    /// password is read from $RECOUP_PASSWORD, else asked for on the terminal.
    Init {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "county")]
        level: String,
        /// The administrator's username.
        #[arg(long, default_value = "admin")]
        admin_user: String,
        /// The administrator's name (姓名).
        #[arg(long, default_value = "管理员")]
        admin_name: String,
        /// The rule set the office starts from (issue 9): National, Jilin, Tianjin, Jinan, Heyuan
        /// (or its Chinese name); national law when left out.
        #[arg(long)]
        preset: Option<String>,
    },
    /// Money helpers.
    Money {
        #[command(subcommand)]
        command: MoneyCommand,
    },
    /// Working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import institutions or insured persons from a CSV or XLSX file.
    Import {
        /// institutions | insured
        what: String,
        file: PathBuf,
    },
    /// Call any API command with a JSON payload, e.g. `recoup call institution.list '{}'`.
    Call {
        command: String,
        payload: Option<String>,
    },
    /// Serve the UI and the API over HTTP on 127.0.0.1 (and, at the city, the hub's bundle endpoint
    /// on `--listen`).
    Serve {
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The address to listen on: 127.0.0.1 (default), or the city hub's network address (e.g.
        /// 0.0.0.0) so that counties on other machines can send their bundles. The UI and the API
        /// still answer only on this machine (127.0.0.1 / localhost).
        #[arg(long, default_value = "127.0.0.1")]
        listen: std::net::IpAddr,
        /// Directory of the built UI (default: ui/dist next to the current directory, if present).
        #[arg(long)]
        ui: Option<PathBuf>,
        /// Serve HTTPS with this certificate chain (PEM: the server's certificate first); needs
        /// `--tls-key`. Counties then set the hub address as https://… and import the certificate
        /// (or its CA). Without it: plain HTTP.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The private key of `--tls-cert` (PEM; keep it readable by the hub's account only).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Print issued documents into one PDF, with progress (`--case N` for all of a case's, or
    /// `--ids 1,2,3`; `--all` for every issued document).
    PrintBatch {
        #[arg(long, value_delimiter = ',')]
        ids: Vec<i64>,
        #[arg(long)]
        case: Option<i64>,
        #[arg(long)]
        all: bool,
        /// Blank page after a notice with an odd page count (two-sided printing).
        #[arg(long)]
        duplex: bool,
        #[arg(long)]
        out: PathBuf,
    },
    /// Exchange with the city (数据交换): bundles, acknowledgements, pairing, status.
    Exchange {
        #[command(subcommand)]
        command: ExchangeCommand,
    },
    /// Write the TypeScript types of the API to ui/src/api/types.gen.ts (`--check`: fail when stale).
    GenTs {
        #[arg(long)]
        check: bool,
    },
}

#[derive(Subcommand)]
enum MoneyCommand {
    /// Amount in Chinese financial numerals (大写金额).
    Words { amount: String },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// The date N working days after DATE (DATE not counted).
    AddWorkdays { date: String, days: u32 },
    /// The end of a period of N calendar days, rolled to the next working day.
    Deadline { date: String, days: u32 },
    /// Whether DATE is a working day.
    IsWorkingDay { date: String },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain and the audited rows: the entries since the last verify and the rows
    /// they touched, or with --full the whole chain and every row. Progress on stderr.
    Verify {
        /// 全面校验: replay the whole chain and compare every row.
        #[arg(long)]
        full: bool,
    },
}

#[derive(Subcommand)]
enum ExchangeCommand {
    /// County: write the bundle of the entries the city has not acknowledged into DIR.
    Export {
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Import a bundle (city; the acknowledgement is written next to it, or into --ack-out) or an
    /// acknowledgement (county).
    Import {
        file: PathBuf,
        #[arg(long)]
        ack_out: Option<PathBuf>,
        /// Only show what the file holds; change nothing.
        #[arg(long)]
        preview: bool,
    },
    /// This office's key fingerprint, the paired city or the registered counties, the last export
    /// and acknowledgement.
    Status,
    /// County: import the city's pairing file. City: write the pairing file into --out.
    Pair {
        file: Option<PathBuf>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write this office's registration slip (登记单) into DIR.
    Registration {
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// City: register a county from its registration slip (public key or fingerprint).
    Register {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        public_key: Option<String>,
        #[arg(long)]
        fingerprint: Option<String>,
    },
    /// City: stop accepting a county's key.
    Revoke { code: String },
    /// County: send what the city has not acknowledged to the city's hub now (立即同步).
    Sync,
    /// County: set the city's hub address (`http://host:port` or `https://host:port`; empty: files
    /// only).
    Hub {
        url: String,
        /// For an https address: the city's certificate (PEM file: its self-signed certificate or
        /// its CA) to trust; without it, the public roots.
        #[arg(long)]
        cert: Option<PathBuf>,
    },
    /// City: write the acknowledgement of a county's held head into DIR again.
    Ack {
        code: String,
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// City: write a county's own entries held here (after entry AFTER) into DIR, for the county
    /// to import after restoring an old backup (恢复数据包).
    Recovery {
        code: String,
        #[arg(long)]
        after: Option<i64>,
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

/// Write an `ExchangeFile` answer into `dir` (or to the path `dir` when it is not a directory).
fn save_file(dir: &std::path::Path, f: &Value) -> Result<PathBuf, ApiError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(f["data"].as_str().unwrap_or(""))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let path = if dir.is_dir() {
        dir.join(f["file_name"].as_str().unwrap_or("exchange.recoup"))
    } else {
        dir.to_path_buf()
    };
    recoup::files::write_atomic(&path, &bytes, false)?;
    Ok(path)
}

fn file_payload(file: &std::path::Path) -> Result<Value, ApiError> {
    use base64::Engine;
    let bytes = std::fs::read(file)?;
    Ok(json!({
        "file_name": file.file_name().and_then(|n| n.to_str()).unwrap_or(""),
        "data": base64::engine::general_purpose::STANDARD.encode(bytes),
    }))
}

fn exchange(core: &Core, command: ExchangeCommand) -> Result<(), ApiError> {
    match command {
        ExchangeCommand::Export { out } => {
            let f = core.call("exchange.export", json!({}))?;
            let path = save_file(&out, &f)?;
            println!(
                "已导出 {}：{}",
                path.display(),
                f["summary"].as_str().unwrap_or("")
            );
        }
        ExchangeCommand::Import {
            file,
            ack_out,
            preview,
        } => {
            let payload = file_payload(&file)?;
            if preview {
                let p = core.call("exchange.preview", payload)?;
                println!("{}", p["summary"].as_str().unwrap_or(""));
                for c in p["commands"].as_array().into_iter().flatten() {
                    println!(
                        "  {}：{}条",
                        c["command"].as_str().unwrap_or(""),
                        c["count"]
                    );
                }
                return Ok(());
            }
            let r = core.call("exchange.import", payload)?;
            println!("{}", r["summary"].as_str().unwrap_or(""));
            if r["ack"].is_object() {
                let dir = ack_out.unwrap_or_else(|| {
                    file.parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .map(PathBuf::from)
                        .unwrap_or_else(|| PathBuf::from("."))
                });
                let path = save_file(&dir, &r["ack"])?;
                println!("确认回执已写入 {}，请交回该县级单位导入", path.display());
            }
        }
        ExchangeCommand::Status => print(&core.call("exchange.status", json!({}))?),
        ExchangeCommand::Sync => {
            let r = core.call("exchange.sync", json!({}))?;
            println!("{}", r["summary"].as_str().unwrap_or(""));
        }
        ExchangeCommand::Hub { url, cert } => {
            let hub_cert = match cert {
                Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
                    ApiError::validation(format!("无法读取证书文件 {}：{e}", path.display()))
                })?),
                None => None,
            };
            let p = core.call(
                "exchange.set_hub",
                json!({ "hub_url": url, "hub_cert": hub_cert }),
            )?;
            match p["hub_url"].as_str() {
                Some(u) if p["hub_encrypted"] == json!(true) => println!(
                    "市局服务器地址：{u}（加密连接{}）",
                    p["hub_cert_fingerprint"]
                        .as_str()
                        .map(|f| format!("，信任证书 SHA-256 {f}"))
                        .unwrap_or_else(|| "，按公共根证书验证".into())
                ),
                Some(u) => println!("市局服务器地址：{u}"),
                None => println!("已清除市局服务器地址，只用U盘交换"),
            }
        }
        ExchangeCommand::Pair { file, out } => match file {
            Some(file) => {
                let r = core.call("exchange.pair", file_payload(&file)?)?;
                println!("{}", r["summary"].as_str().unwrap_or(""));
            }
            None => {
                let f = core.call("exchange.pairing_file", json!({}))?;
                let path = save_file(&out.unwrap_or_else(|| PathBuf::from(".")), &f)?;
                println!(
                    "已写入配对文件 {}：{}",
                    path.display(),
                    f["summary"].as_str().unwrap_or("")
                );
            }
        },
        ExchangeCommand::Registration { out } => {
            let f = core.call("exchange.registration", json!({}))?;
            let path = save_file(&out, &f)?;
            println!(
                "已写入登记单 {}：{}",
                path.display(),
                f["summary"].as_str().unwrap_or("")
            );
        }
        ExchangeCommand::Register {
            code,
            name,
            public_key,
            fingerprint,
        } => {
            let p = core.call(
                "exchange.register",
                json!({"code": code, "name": name, "public_key": public_key, "fingerprint": fingerprint}),
            )?;
            println!(
                "已登记{}（{}），公钥指纹 {}",
                p["name"].as_str().unwrap_or(""),
                p["code"].as_str().unwrap_or(""),
                p["fingerprint"].as_str().unwrap_or("")
            );
        }
        ExchangeCommand::Revoke { code } => {
            let p = core.call("exchange.revoke", json!({ "code": code }))?;
            println!("已停用{}的密钥", p["name"].as_str().unwrap_or(""));
        }
        ExchangeCommand::Ack { code, out } => {
            let f = core.call("exchange.ack", json!({ "code": code }))?;
            let path = save_file(&out, &f)?;
            println!(
                "已写入确认回执 {}：{}",
                path.display(),
                f["summary"].as_str().unwrap_or("")
            );
        }
        ExchangeCommand::Recovery { code, after, out } => {
            let f = core.call("exchange.recovery", json!({ "code": code, "after": after }))?;
            let path = save_file(&out, &f)?;
            println!(
                "已写入恢复数据包 {}：{}",
                path.display(),
                f["summary"].as_str().unwrap_or("")
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误（{}）：{}", e.code.as_str(), e.message);
            ExitCode::from(2)
        }
    }
}

fn open(db: &Option<PathBuf>) -> Result<Core, ApiError> {
    match db {
        Some(p) => Core::open(p),
        None => Core::open_default(),
    }
}

/// `$RECOUP_PASSWORD`, else typed on the terminal without echo.
fn password(prompt: &str) -> Result<String, ApiError> {
    if let Some(p) = std::env::var_os("RECOUP_PASSWORD") {
        return Ok(p.to_string_lossy().into_owned());
    }
    rpassword::prompt_password(prompt).map_err(|e| {
        ApiError::validation(format!(
            "无法读取密码：{e}（可设置环境变量 RECOUP_PASSWORD）"
        ))
    })
}

/// The database, logged in as `--user` when one is given (else only public commands run).
fn open_as(cli_db: &Option<PathBuf>, user: &Option<String>) -> Result<Core, ApiError> {
    let core = open(cli_db)?;
    if let Some(u) = user.as_deref().filter(|u| !u.is_empty()) {
        core.login(u, &password(&format!("用户 {u} 的密码："))?)?;
    }
    Ok(core)
}

fn print(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

fn run(cli: Cli) -> Result<ExitCode, ApiError> {
    match cli.command {
        Command::Init {
            code,
            name,
            level,
            admin_user,
            admin_name,
            preset,
        } => {
            let core = open(&cli.db)?;
            let pw = password(&format!(
                "管理员 {admin_user} 的密码（至少8位，含字母和数字）："
            ))?;
            let office = core.call(
                "office.init",
                json!({ "code": code, "name": name, "level": level, "preset": preset,
                        "admin": { "username": admin_user, "display_name": admin_name,
                                   "roles": ["Admin"], "password": pw } }),
            )?;
            println!(
                "已设置本单位：{}（{}）",
                office["name"].as_str().unwrap_or(""),
                office["code"].as_str().unwrap_or("")
            );
            // The office key (exchange with the city), next to the database.
            let keys = core.office_keys()?;
            println!("本单位公钥指纹：{}", keys.fingerprint());
        }
        Command::Exchange { command } => {
            let core = open_as(&cli.db, &cli.user)?;
            exchange(&core, command)?;
        }
        Command::Money {
            command: MoneyCommand::Words { amount },
        } => {
            let m = Money::parse(&amount).map_err(|e| e.in_field("amount", "金额"))?;
            println!("{}", m.in_words());
        }
        Command::Calendar { command } => {
            let core = open(&cli.db)?;
            let (cmd, payload) = match command {
                CalendarCommand::AddWorkdays { date, days } => (
                    "calendar.add_workdays",
                    json!({ "date": date, "days": days }),
                ),
                CalendarCommand::Deadline { date, days } => {
                    ("calendar.deadline", json!({ "date": date, "days": days }))
                }
                CalendarCommand::IsWorkingDay { date } => {
                    ("calendar.is_working_day", json!({ "date": date }))
                }
            };
            let out = core.call(cmd, payload)?;
            match out.get("working") {
                Some(w) => println!(
                    "{}",
                    if w.as_bool() == Some(true) {
                        "工作日"
                    } else {
                        "休息日"
                    }
                ),
                None => println!("{}", out["date"].as_str().unwrap_or("")),
            }
            for w in out["warnings"].as_array().into_iter().flatten() {
                eprintln!("注意：{}", w.as_str().unwrap_or(""));
            }
        }
        Command::Audit {
            command: AuditCommand::Verify { full },
        } => {
            let core = open_as(&cli.db, &cli.user)?;
            let started = std::time::Instant::now();
            let mut shown = false;
            let report = core.audit_verify(
                &recoup::store::audit::AuditVerifyRequest { full: Some(full) },
                &mut |p| {
                    // Only a verify long enough to wait for shows progress.
                    if shown || started.elapsed().as_millis() >= 500 {
                        shown = true;
                        eprint!("\r校验{} {}/{}    ", p.stage.label(), p.done, p.total);
                    }
                },
            )?;
            if shown {
                eprintln!();
            }
            let report =
                serde_json::to_value(&report).map_err(|e| ApiError::internal(e.to_string()))?;
            if report["ok"].as_bool() == Some(true) {
                if report["full"].as_bool() == Some(true) {
                    println!(
                        "审计日志完整（全面校验）：共{}条记录，数据与记录一致",
                        report["entries"]
                    );
                } else {
                    println!(
                        "审计日志完整（增量校验）：共{}条记录，本次校验上次校验后的{}条记录及其涉及的数据，与记录一致（全面校验请加 --full）",
                        report["entries"], report["checked"]
                    );
                }
                let head = &report["signed_head"];
                if head.is_object() {
                    println!(
                        "本机签名确认到第{}条记录（{}），之后新增{}条",
                        head["seq"],
                        head["signed_at"].as_str().unwrap_or("").replace('T', " "),
                        head["past"]
                    );
                }
                let witness = &report["witness"];
                if witness.is_object() {
                    println!(
                        "市局已确认到第{}条记录，之后{}条尚待市局确认",
                        witness["seq"], witness["past"]
                    );
                }
            } else {
                println!(
                    "审计日志校验失败：{}",
                    report["first_broken"]["reason"].as_str().unwrap_or("")
                );
                for p in report["problems"].as_array().into_iter().flatten().skip(1) {
                    println!("  另：{}", p["reason"].as_str().unwrap_or(""));
                }
                return Ok(ExitCode::from(1));
            }
        }
        Command::Import { what, file } => {
            let command = match what.as_str() {
                "institutions" | "institution" => "institution.import",
                "insured" => "insured.import",
                _ => {
                    return Err(ApiError::field(
                        "what",
                        "只能导入 institutions（定点医药机构）或 insured（参保人员）",
                    ))
                }
            };
            let bytes = std::fs::read(&file)?;
            use base64::Engine;
            let payload = json!({
                "file_name": file.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
            });
            let core = open_as(&cli.db, &cli.user)?;
            let r = core.call(command, payload)?;
            println!(
                "共{}行：新增{}，更新{}，未变{}，错误{}",
                r["total_rows"],
                r["created"],
                r["updated"],
                r["unchanged"],
                r["errors"].as_array().map(Vec::len).unwrap_or(0)
            );
            for e in r["errors"].as_array().into_iter().flatten() {
                println!(
                    "  第{}行：{}",
                    e["row"],
                    e["message"].as_str().unwrap_or("")
                );
            }
        }
        Command::Call { command, payload } => {
            let payload: Value = match payload.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(p) => serde_json::from_str(p)
                    .map_err(|e| ApiError::validation(format!("参数不是有效的 JSON：{e}")))?,
                None => Value::Null,
            };
            let core = open_as(&cli.db, &cli.user)?;
            match core.call(&command, payload) {
                Ok(v) => print(&v),
                Err(e) => {
                    print(&serde_json::to_value(&e).unwrap_or_default());
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::Serve {
            port,
            ui,
            listen,
            tls_cert,
            tls_key,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(
                    recoup::serve::tls_config_from_files(&cert, &key).map_err(|e| {
                        ApiError::validation(format!("无法启用加密连接（HTTPS）：{e}"))
                    })?,
                ),
                _ => None,
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            let core = open(&cli.db)?;
            let ui = ui.or_else(|| {
                Some(PathBuf::from("ui/dist")).filter(|p| p.join("index.html").is_file())
            });
            let addr = std::net::SocketAddr::new(listen, port);
            recoup::serve::serve_with(core, addr, ui, tls, |ready| {
                println!("Recoup 已启动：{}", ready.url);
                if !listen.is_loopback() {
                    println!(
                        "市局数据交换服务：各县区把服务器地址设为 {scheme}://本机地址:{}",
                        ready
                            .url
                            .rsplit(':')
                            .next()
                            .unwrap_or("")
                            .trim_end_matches('/')
                    );
                }
            })?;
        }
        Command::PrintBatch {
            mut ids,
            case,
            all,
            duplex,
            out,
        } => {
            let core = open_as(&cli.db, &cli.user)?;
            if case.is_some() || all {
                let list = core.call("document.list", json!({ "case_id": case }))?;
                ids.extend(
                    list.as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|d| d["id"].as_i64()),
                );
            }
            let started = std::time::Instant::now();
            let r = core.print_batch(
                &recoup::docs::issue::BatchRequest {
                    ids,
                    duplex,
                    job: None,
                },
                &mut |done, total| {
                    // The last step is writing the file.
                    if done % 50 == 0 || done + 1 >= total {
                        eprint!("\r已排版 {}/{}", done.min(total - 1), total - 1);
                    }
                    Ok(())
                },
            )?;
            eprintln!();
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&r.pdf_base64)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            std::fs::write(&out, bytes)?;
            println!(
                "已输出 {}：{}份文书，共{}页，用时{:.1}秒",
                out.display(),
                r.count,
                r.pages,
                started.elapsed().as_secs_f64()
            );
        }
        Command::GenTs { check } => {
            let path = api::typescript_path();
            let fresh = api::typescript();
            if check {
                let current = std::fs::read_to_string(&path).unwrap_or_default();
                if current != fresh {
                    eprintln!(
                        "{} 已过期：请运行 `cargo run -p recoup -- gen-ts` 并提交",
                        path.display()
                    );
                    return Ok(ExitCode::from(1));
                }
                println!("TypeScript 类型是最新的");
            } else {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(&path, fresh)?;
                println!("已写入 {}", path.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
