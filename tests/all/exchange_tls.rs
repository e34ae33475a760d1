//! Issue 11, Transports: "TLS via rustls where the city provides a certificate — security of the
//! content never depends on the transport". The city's hub (`recoup serve --tls-cert --tls-key`)
//! serves HTTPS; a county sets `https://host:port` with the certificate the city gave it and its
//! bundles and the acknowledgements travel as before. A certificate the county does not trust is a
//! refusal in Chinese naming the problem, shown in the status, and changes nothing on either side.
//! The certificates are made here with rcgen (self-signed, for 127.0.0.1 and localhost).

use std::io::Read;
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use recoup::api::Core;
use recoup::ErrorCode;
use serde_json::{json, Value};

use crate::common::*;
use crate::exchange::{city_at, city_dump, county_at, head, pair, replica_count, COUNTY};

struct Cert {
    pem: String,
    key: String,
}

/// A self-signed certificate for `names` (IP addresses become IP names).
fn self_signed(names: &[&str]) -> Cert {
    let c =
        rcgen::generate_simple_self_signed(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    Cert {
        pem: c.cert.pem(),
        key: c.signing_key.serialize_pem(),
    }
}

/// `recoup serve` on the city's database at 127.0.0.1 on a free port, over TLS with `cert` (None:
/// plain HTTP); the served URL without its trailing slash.
fn hub(city_db: &Path, cert: Option<&Cert>) -> String {
    hub_and_secret(city_db, cert).0
}

/// [`hub`] and its per-launch secret.
fn hub_and_secret(city_db: &Path, cert: Option<&Cert>) -> (String, String) {
    let tls = cert.map(|c| recoup::serve::tls_config(c.pem.as_bytes(), c.key.as_bytes()).unwrap());
    let core = Core::open(city_db).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        recoup::serve::serve_with(
            core,
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            None,
            tls,
            |ready| tx.send((ready.url.clone(), ready.secret.clone())).unwrap(),
        )
        .unwrap();
    });
    let (url, secret) = rx.recv().unwrap();
    (url.trim_end_matches('/').to_string(), secret)
}

/// One raw HTTP/1.1 request over TLS to `addr` (`127.0.0.1:PORT`), trusting `cert` alone; the
/// status line's code and the answer's text.
fn https_request(addr: &str, cert: &Cert, raw: &str) -> (u16, String) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    use std::io::Write;
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(cert.pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    tls.write_all(raw.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn witnessed(c: &Core) -> Value {
    call(c, "exchange.status", json!({}))["witness"]["witnessed_seq"].clone()
}

/// A sync the county refuses to complete: a refusal (not offline), in Chinese, naming `needle`,
/// with nothing changed at the county or the city.
fn refused_sync(county: &Core, city_reader: &Core, needle: &str) -> String {
    let (before, city_before, witness_before) =
        (head(county), city_dump(city_reader), witnessed(county));
    let e = county
        .call("exchange.sync", json!({}))
        .expect_err("the sync should be refused");
    assert_eq!(e.code, ErrorCode::Validation, "{e:?}");
    assert!(
        e.message.contains(needle),
        "{:?} lacks {needle:?}",
        e.message
    );
    for raw in [
        "invalid peer certificate",
        "UnknownIssuer",
        "NotValidForName",
        "rustls",
    ] {
        assert!(
            !e.message.contains(raw),
            "raw TLS text shown: {:?}",
            e.message
        );
    }
    assert_eq!(head(county), before, "nothing changes at the county");
    assert_eq!(witnessed(county), witness_before);
    assert_eq!(
        city_dump(city_reader),
        city_before,
        "nothing changes at the city"
    );
    e.message
}

/// Issue 11, Transports: the county keys in the city's certificate with the `https://` address;
/// the bundle arrives at the hub over TLS and the acknowledgement comes back. Content checks are
/// those of the files (the same bytes).
#[test]
fn over_tls_the_county_trusts_the_citys_certificate_and_the_bundle_and_its_ack_go_through() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city_db = dir.path().join("city.db");
    let city = city_at(&city_db);
    let cc = &county.core;
    pair(cc, COUNTY, &city.core);
    drop(city);
    let cert = self_signed(&["127.0.0.1", "localhost"]);
    let url = hub(&city_db, Some(&cert));
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let reader = Core::open(&city_db).unwrap();

    // An https address without the city's certificate: the public roots do not know a self-signed
    // one; refused, not offline.
    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": url, "sync_minutes": 0}),
    );
    let st = call(cc, "exchange.status", json!({}));
    assert_eq!(st["city"]["hub_encrypted"], json!(true));
    assert_eq!(st["city"]["hub_cert"], Value::Null);
    refused_sync(cc, &reader, "市局服务器的证书不受信任");

    // With the city's certificate.
    let p = call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": format!("{url}/"), "hub_cert": cert.pem, "sync_minutes": 0}),
    );
    assert_eq!(p["hub_url"], json!(url));
    assert_eq!(p["hub_encrypted"], json!(true));
    assert_eq!(p["hub_cert"].as_str().unwrap().trim(), cert.pem.trim());
    let fp = p["hub_cert_fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 32 * 3 - 1, "{fp}");
    let r = call(cc, "exchange.sync", json!({}));
    assert_eq!(
        (r["sent"].clone(), r["offline"].clone()),
        (json!(true), json!(false)),
        "{r}"
    );
    let n = head(cc);
    assert_eq!(witnessed(cc), json!(n), "the acknowledgement came back");
    assert_eq!(replica_count(&reader, COUNTY), n, "the bundle arrived");

    // More work: only the new entries go, over the same encrypted connection.
    county.institution("H22010200001", "南关区人民医院");
    let r = call(cc, "exchange.sync", json!({}));
    assert!(
        r["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("第{}至{}条", n + 1, head(cc))),
        "{r}"
    );
    assert_eq!(replica_count(&reader, COUNTY), head(cc));
    assert_eq!(witnessed(cc), json!(head(cc)));
    // The certificate is kept with the paired city, in the audited row (its image verifies).
    let r = call(cc, "audit.verify", json!({"full": true}));
    assert_eq!(r["ok"], json!(true), "{r}");

    // Keyed in wrongly: refused at once, naming the field.
    let e = field(
        cc,
        "exchange.set_hub",
        json!({"hub_url": url, "hub_cert": cert.key}),
        "hub_cert",
    );
    assert!(e.message.contains("私钥"), "{}", e.message);
    let e = field(
        cc,
        "exchange.set_hub",
        json!({"hub_url": url, "hub_cert": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}),
        "hub_cert",
    );
    assert!(e.message.contains("证书"), "{}", e.message);
    field(
        cc,
        "exchange.set_hub",
        json!({"hub_url": url, "hub_cert": "市局的证书"}),
        "hub_cert",
    );
    let e = field(
        cc,
        "exchange.set_hub",
        json!({"hub_url": url.replace("https://", "http://"), "hub_cert": cert.pem}),
        "hub_cert",
    );
    assert!(e.message.contains("https://"), "{}", e.message);
}

/// Issue 11, Transports: a certificate other than the hub's (or one not made out to the address)
/// is refused with a Chinese sentence naming the problem, nothing changes at either side, and the
/// background exchange shows it as a refusal — not as "offline", retried silently.
#[test]
fn a_county_trusting_another_certificate_is_refused_in_chinese_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city_db = dir.path().join("city.db");
    let city = city_at(&city_db);
    let cc = &county.core;
    pair(cc, COUNTY, &city.core);
    drop(city);
    let cert = self_signed(&["127.0.0.1", "localhost"]);
    let url = hub(&city_db, Some(&cert));
    let reader = Core::open(&city_db).unwrap();

    // Another certificate for the same names (an impostor's, or an outdated one).
    let other = self_signed(&["127.0.0.1", "localhost"]);
    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": url, "hub_cert": other.pem, "sync_minutes": 10}),
    );
    let m = refused_sync(cc, &reader, "市局服务器的证书不受信任");
    assert!(
        m.contains("不是本单位导入的市局证书"),
        "names the problem: {m}"
    );
    assert!(m.contains("重新导入"), "says what to do: {m}");

    // The background attempt: a refusal shown in the status, not counted as offline.
    let dump = city_dump(&reader);
    let out = cc.sync_tick().expect("due at once");
    assert!(!out.sent && !out.offline, "{out:?}");
    let st = call(cc, "exchange.status", json!({}));
    assert_eq!(st["auto_sync"]["refused"], json!(true), "{st}");
    assert_eq!(st["auto_sync"]["offline"], json!(false));
    assert_eq!(st["auto_sync"]["failures"], json!(0));
    assert_eq!(st["auto_sync"]["next_in_minutes"], json!(10));
    assert!(
        st["auto_sync"]["summary"]
            .as_str()
            .unwrap()
            .contains("证书不受信任"),
        "{st}"
    );
    assert_eq!(city_dump(&reader), dump);
    assert_eq!(witnessed(cc), json!(0));

    // The hub's own certificate, but the address is not a name it was made out to.
    let port = url.rsplit(':').next().unwrap();
    let elsewhere = self_signed(&["hub.example.cn"]);
    let hub2 = hub(&city_db, Some(&elsewhere));
    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": hub2, "hub_cert": elsewhere.pem, "sync_minutes": 0}),
    );
    let m = refused_sync(cc, &reader, "证书与地址不符");
    assert!(
        m.contains("不是为 127.0.0.1 签发的（证书上的名称：hub.example.cn）"),
        "{m}"
    );

    // The address without TLS to a TLS hub: refused, naming the likely cause.
    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": format!("http://127.0.0.1:{port}"), "sync_minutes": 0}),
    );
    refused_sync(cc, &reader, "https://");

    // The right certificate, changed: the next background attempt is made at once and goes through.
    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": url, "hub_cert": cert.pem, "sync_minutes": 10}),
    );
    let out = cc.sync_tick().expect("a new certificate is tried at once");
    assert!(out.sent, "{out:?}");
    assert_eq!(witnessed(cc), json!(head(cc)));
    assert_eq!(replica_count(&reader, COUNTY), head(cc));
    let st = call(cc, "exchange.status", json!({}));
    assert_eq!(st["auto_sync"]["refused"], json!(false), "{st}");
}

/// Issue 11, Transports: plain HTTP stays the default and still works; an `https://` address to a
/// hub without TLS is refused naming the cause; a key that is not the certificate's stops the
/// server's configuration; over TLS the hub's own clerks still reach the API on loopback (Origin
/// `https://127.0.0.1:PORT`); a TLS hub drops a client that stalls in the handshake (the handshake
/// has its own timeout, like the request head).
#[test]
fn plain_http_still_works_and_tls_is_refused_or_timed_where_it_does_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city_db = dir.path().join("city.db");
    let city = city_at(&city_db);
    let cc = &county.core;
    pair(cc, COUNTY, &city.core);
    drop(city);
    let plain = hub(&city_db, None);
    assert!(plain.starts_with("http://127.0.0.1:"), "{plain}");
    let reader = Core::open(&city_db).unwrap();

    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": plain.replace("http://", "https://"), "sync_minutes": 0}),
    );
    refused_sync(cc, &reader, "没有以加密连接");

    let p = call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": plain, "sync_minutes": 0}),
    );
    assert_eq!(p["hub_encrypted"], json!(false));
    let r = call(cc, "exchange.sync", json!({}));
    assert_eq!(r["sent"], json!(true), "{r}");
    assert_eq!(replica_count(&reader, COUNTY), head(cc));

    // The server's configuration: a key that does not belong to the certificate is refused.
    let (a, b) = (
        self_signed(&["127.0.0.1", "localhost"]),
        self_signed(&["localhost"]),
    );
    let e = recoup::serve::tls_config(a.pem.as_bytes(), b.key.as_bytes()).unwrap_err();
    assert!(e.contains("不匹配"), "{e}");
    let e = recoup::serve::tls_config(a.pem.as_bytes(), a.pem.as_bytes()).unwrap_err();
    assert!(e.contains("私钥"), "{e}");

    // Over TLS the hub's own clerks reach the API on loopback as before: its Origin is now
    // https://127.0.0.1:PORT, and the http:// one is a foreign page.
    let (tls, secret) = hub_and_secret(&city_db, Some(&a));
    let addr = tls.trim_start_matches("https://");
    let api = |origin: &str| {
        https_request(
            addr,
            &a,
            &format!(
                "POST /api/exchange.status HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\nX-Recoup-Secret: {secret}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            ),
        )
    };
    let (status, text) = api(&format!("https://{addr}"));
    assert_ne!(status, 0, "{text}");
    assert_ne!(status, 403, "{text}");
    let (status, text) = api(&format!("http://{addr}"));
    assert_eq!(status, 403, "{text}");

    // A client that connects to the TLS hub and never starts the handshake is dropped.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 16];
    let n = s.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "closed without an answer");
    let waited = t.elapsed();
    assert!(
        waited >= recoup::serve::HANDSHAKE_TIMEOUT - Duration::from_millis(500)
            && waited < recoup::serve::HANDSHAKE_TIMEOUT + Duration::from_secs(10),
        "{waited:?}"
    );
}
