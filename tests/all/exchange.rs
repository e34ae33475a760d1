//! Exchange with the city (issue 11): two databases in one process, a county and its city, the
//! files passed between them as bytes (what a USB stick carries).

use std::path::Path;

use recoup::api::Core;
use recoup::exchange::bundle::{self, Manifest, WireEntry};
use recoup::ErrorCode;
use serde_json::{json, Value};

use crate::common::*;

pub(crate) const COUNTY: &str = "220102";
const CITY: &str = "220100";

pub(crate) fn county_at(db: &Path) -> Office {
    OfficeBuilder::new(COUNTY, "长春市南关区医疗保障局").init(Core::open(db).unwrap())
}

pub(crate) fn city_at(db: &Path) -> Office {
    OfficeBuilder::new(CITY, "长春市医疗保障局")
        .level(Some("city"))
        .init(Core::open(db).unwrap())
}

/// Pair `county` with `city` and register it there by its public key (from the slip).
pub(crate) fn pair(county: &Core, code: &str, city: &Core) {
    pair_as(county, code, "县级单位", city);
}

/// Everything the city holds about counties, as a digest: replica entries, bundles, peers, and
/// the city's own audit log head.
pub(crate) fn city_dump(c: &Core) -> String {
    rows_digest(
        c,
        &[
            "SELECT origin, seq, at, actor, command, hex(changes), masked, hex(hash), bundle_id FROM replica_entry ORDER BY origin, seq",
            "SELECT id, origin, first_seq, last_seq, applied, manifest, hex(signature), imported_at FROM replica_bundle ORDER BY id",
            "SELECT id, code, name, role, fingerprint, sign_key, recipient, registered_at, revoked_at, head_seq, head_hash, last_import_at FROM exchange_peer ORDER BY id",
            "SELECT seq, hex(hash) FROM audit_log ORDER BY seq",
        ],
    )
}

pub(crate) fn replica_count(c: &Core, origin: &str) -> i64 {
    c.store()
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) FROM replica_entry WHERE origin = ?1",
                [origin],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

/// A valid 公民身份号码 from its first 17 digits (GB 11643 check character).
fn id_number(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!(
        "{first17}{}",
        ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
    )
}

pub(crate) fn head(c: &Core) -> i64 {
    audit_entries(c)
}

/// A copy of a file-based office (database and key file), as a backup would keep it.
fn snapshot(c: &Core, dir: &Path, name: &str) -> std::path::PathBuf {
    let db = dir.join(format!("{name}.db"));
    c.store()
        .read(|conn| {
            conn.execute("VACUUM INTO ?1", [db.to_str().unwrap()])?;
            Ok(())
        })
        .unwrap();
    let key = c.store().path().unwrap().with_extension("key");
    std::fs::copy(key, db.with_extension("key")).unwrap();
    db
}

#[test]
fn the_office_key_lives_next_to_the_database_private_and_is_shown_by_its_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("recoup.db");
    let o = county_at(&db);
    let status = call(&o.core, "exchange.status", json!({}));
    let fp = status["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(fp.split(' ').count(), 10, "{fp}");
    let key = dir.path().join("recoup.key");
    let text = std::fs::read_to_string(&key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Never in the database: the secret seed appears in no table.
    let seed = text
        .lines()
        .find_map(|l| l.strip_prefix("signing "))
        .unwrap();
    drop(o);
    let c = Core::open(&db).unwrap();
    c.login(ADMIN, "secret123").unwrap();
    let dump: String = c
        .store()
        .read(|conn| {
            let mut out = String::new();
            for t in ["office", "exchange_peer", "audit_log"] {
                let mut stmt = conn.prepare(&format!("SELECT * FROM {t}"))?;
                let n = stmt.column_count();
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    for i in 0..n {
                        let v: rusqlite::types::Value = r.get(i)?;
                        out.push_str(&format!("{v:?}"));
                    }
                }
            }
            Ok(out)
        })
        .unwrap();
    assert!(!dump.contains(seed));
    // Read back, not made again.
    assert_eq!(
        call(&c, "exchange.status", json!({}))["fingerprint"],
        json!(fp)
    );
    let slip = String::from_utf8(b64(&call(&c, "exchange.registration", json!({})))).unwrap();
    assert!(slip.contains(&fp) && slip.contains(COUNTY), "{slip}");

    // `recoup init` makes the key at once and prints its fingerprint.
    let db2 = dir.path().join("other.db");
    cli_init(&db2, "220103", "长春市朝阳区医疗保障局");
    assert!(dir.path().join("other.key").is_file());
}

#[test]
fn a_county_month_goes_up_is_acknowledged_and_the_next_export_starts_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);

    // Pairing is audited on both sides; a county cannot export before it.
    illegal(cc, "exchange.export", json!({}), "尚未与市局配对");
    let before = head(cc);
    pair(cc, COUNTY, ci);
    assert_eq!(head(cc), before + 1, "the pairing is an audit entry");
    let st = call(cc, "exchange.status", json!({}));
    assert_eq!(st["city"]["code"], json!(CITY));
    assert_eq!(
        st["city"]["fingerprint"],
        call(ci, "exchange.status", json!({}))["fingerprint"]
    );

    // A month of work: an institution, an insured person with ID number and phone.
    county.institution("H22010200001", "南关区人民医院");
    InsuredBuilder::new().phone("13812345678").create(cc);
    let n = head(cc);

    let f = call(cc, "exchange.export", json!({}));
    assert_eq!(
        f["file_name"],
        json!(format!("{COUNTY}-000001-{n:06}.recoup"))
    );
    assert_eq!(head(cc), n, "an export appends no entry");
    let bytes = b64(&f);
    // Encrypted: the ID number, the phone and the institution's name are not in the file.
    for needle in ["11010519491231002X", "13812345678", "南关区人民医院"] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()));
    }

    // Preview at the city: what the file holds, nothing written.
    let dump = city_dump(ci);
    let p = call(ci, "exchange.preview", payload(&bytes));
    assert_eq!(p["entries"], json!(n));
    assert_eq!(p["new_entries"], json!(n));
    assert!(p["masked_entries"].as_i64().unwrap() >= 1);
    assert!(p["commands"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["command"] == "insured.create"));
    assert_eq!(city_dump(ci), dump);

    let r = call(ci, "exchange.import", payload(&bytes));
    assert_eq!(r["applied"], json!(n));
    assert_eq!(replica_count(ci, COUNTY), n);
    let counties = call(ci, "exchange.status", json!({}))["counties"].clone();
    assert_eq!(counties[0]["head_seq"], json!(n));

    // Minimum necessary: the city's replica holds the insured person masked, the entry's hash
    // still the county's.
    let replica = ci
        .store()
        .read(|c| recoup::exchange::replica_entries(c, COUNTY, 0))
        .unwrap();
    let insured = replica
        .iter()
        .find(|e| e.command == "insured.create")
        .unwrap();
    assert!(insured.masked);
    assert!(
        insured.changes.contains("110105********002X"),
        "{}",
        insured.changes
    );
    assert!(insured.changes.contains("138****5678"));
    assert!(!replica
        .iter()
        .any(|e| e.changes.contains("11010519491231002X")));
    let local: Vec<Value> =
        serde_json::from_value(call(cc, "audit.list", json!({"limit": 1000}))["items"].clone())
            .unwrap();
    for e in &replica {
        let l = local.iter().find(|l| l["seq"] == json!(e.seq)).unwrap();
        assert_eq!(l["hash"], json!(e.hash));
        // Links are stored on neither side (0030): both read the entry before's hash.
        assert_eq!(l["prev_hash"], json!(e.prev_hash));
        if !e.masked {
            assert_eq!(l["changes"], json!(e.changes));
        }
    }

    // A replay changes nothing.
    let dump = city_dump(ci);
    let again = call(ci, "exchange.import", payload(&bytes));
    assert_eq!(again["applied"], json!(0));
    assert!(again["summary"].as_str().unwrap().contains("重复导入"));
    assert_eq!(city_dump(ci), dump);

    // Before the acknowledgement the county exports from 1 again (the city skips what it holds).
    InsuredBuilder::new()
        .with(json!({"id_number": id_number("22010219900101123"), "name": "李某"}))
        .create(cc);
    let n2 = head(cc);
    let f2 = call(cc, "exchange.export", json!({}));
    assert_eq!(
        f2["file_name"],
        json!(format!("{COUNTY}-000001-{n2:06}.recoup"))
    );

    // The acknowledgement: the county keeps the witnessed head and exports after it.
    let ack = b64(&r["ack"]);
    let p = call(cc, "exchange.preview", payload(&ack));
    assert_eq!(p["kind"], json!("Ack"));
    assert_eq!(p["last_seq"], json!(n));
    let h = head(cc);
    call(cc, "exchange.import", payload(&ack));
    assert_eq!(head(cc), h, "an acknowledgement appends no entry");
    let st = call(cc, "exchange.status", json!({}));
    assert_eq!(st["witness"]["witnessed_seq"], json!(n));
    assert_eq!(st["witness"]["past"], json!(n2 - n));
    assert_eq!(st["witness"]["consistent"], json!(true));
    assert_eq!(st["last_export"]["last_seq"], json!(n2));
    let w = cc.store().read(recoup::exchange::witness).unwrap();
    assert_eq!((w.witnessed_seq, w.local_head, w.past), (n, n2, n2 - n));
    let f3 = call(cc, "exchange.export", json!({}));
    assert_eq!(
        f3["file_name"],
        json!(format!("{COUNTY}-{:06}-{n2:06}.recoup", n + 1))
    );
    // The same acknowledgement again: nothing to do.
    let r = call(cc, "exchange.import", payload(&ack));
    assert!(r["summary"].as_str().unwrap().contains("无需处理"));

    // The overlapping bundle (1..n2) and the later one (n+1..n2) both apply once.
    let r2 = call(ci, "exchange.import", payload(&b64(&f2)));
    assert_eq!(r2["applied"], json!(n2 - n));
    let r3 = call(ci, "exchange.import", payload(&b64(&f3)));
    assert_eq!(r3["applied"], json!(0));
    assert_eq!(replica_count(ci, COUNTY), n2);
    call(cc, "exchange.import", payload(&b64(&r3["ack"])));
    assert_eq!(
        call(cc, "exchange.status", json!({}))["witness"]["past"],
        json!(0)
    );
    let e = refuse(cc, "exchange.export", json!({}));
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.message.contains("没有新的记录"), "{}", e.message);
    // The city's history of the county's deliveries: two bundles added entries (replays add none).
    let h = call(ci, "exchange.history", json!({"code": COUNTY}));
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(
        (h[0]["first_seq"].as_i64(), h[0]["applied"].as_i64()),
        (Some(1), Some(n2 - n))
    );
    assert_eq!(
        (h[1]["last_seq"].as_i64(), h[1]["applied"].as_i64()),
        (Some(n), Some(n))
    );
    assert!(h[1]["masked_entries"].as_i64().unwrap() >= 1);
    // The lost acknowledgement can be issued again.
    let again = call(ci, "exchange.ack", json!({"code": COUNTY}));
    assert_eq!(
        again["file_name"],
        json!(format!("{COUNTY}-ack-{n2:06}.recoup"))
    );
}

#[test]
fn unknown_revoked_foreign_and_misdelivered_bundles_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, COUNTY, ci);
    county.institution("H22010200001", "南关区人民医院");
    let bytes = b64(&call(cc, "exchange.export", json!({})));

    // Registered by a fingerprint that is not the county's key.
    call(
        ci,
        "exchange.register",
        json!({"code": COUNTY, "name": "南关区", "fingerprint": "0000 1111 2222 3333 4444 5555 6666 7777 8888 9999"}),
    );
    let dump = city_dump(ci);
    let e = refuse(ci, "exchange.import", payload(&bytes));
    assert!(e.message.contains("公钥指纹不符"), "{}", e.message);
    assert_eq!(city_dump(ci), dump);

    // Registered by the fingerprint keyed in from the slip: accepted, the key kept from then on.
    let fp = call(cc, "exchange.status", json!({}))["fingerprint"].clone();
    call(
        ci,
        "exchange.register",
        json!({"code": COUNTY, "name": "南关区", "fingerprint": fp.as_str().unwrap().to_uppercase()}),
    );
    // Revoked: refused.
    call(ci, "exchange.revoke", json!({"code": COUNTY}));
    let dump = city_dump(ci);
    let e = refuse(ci, "exchange.import", payload(&bytes));
    assert!(e.message.contains("停用"), "{}", e.message);
    assert_eq!(city_dump(ci), dump);
    call(
        ci,
        "exchange.register",
        json!({"code": COUNTY, "name": "南关区", "fingerprint": fp}),
    );
    assert_eq!(
        call(ci, "exchange.import", payload(&bytes))["applied"]
            .as_i64()
            .unwrap()
            > 0,
        true
    );

    // A second county, paired with another city: its bundle is not for this city.
    let other_city = OfficeBuilder::new("220200", "吉林市医疗保障局")
        .level(Some("city"))
        .open();
    let county2 = OfficeBuilder::new("220103", "长春市朝阳区医疗保障局").open();
    pair(&county2.core, "220103", &other_city.core);
    county2.institution("H22010300001", "朝阳区人民医院");
    let foreign = b64(&call(&county2.core, "exchange.export", json!({})));
    let dump = city_dump(ci);
    let e = refuse(ci, "exchange.import", payload(&foreign));
    assert!(e.message.contains("不是发给本单位"), "{}", e.message);
    // Paired with this city but never registered here.
    call(
        &county2.core,
        "exchange.pair",
        json!({"data": call(ci, "exchange.pairing_file", json!({}))["data"]}),
    );
    let unregistered = b64(&call(&county2.core, "exchange.export", json!({})));
    let e = refuse(ci, "exchange.import", payload(&unregistered));
    assert!(e.message.contains("未登记"), "{}", e.message);
    assert_eq!(city_dump(ci), dump);

    // Not an exchange file at all; a county cannot import a bundle; only the city registers.
    field(ci, "exchange.import", payload(b"hello"), "data");
    illegal(cc, "exchange.import", payload(&bytes), "市级");
    illegal(
        cc,
        "exchange.register",
        json!({"code": "220104", "name": "x", "fingerprint": fp}),
        "市级",
    );
    illegal(
        ci,
        "exchange.pair",
        json!({"data": call(ci, "exchange.pairing_file", json!({}))["data"]}),
        "市级单位",
    );
    field(
        ci,
        "exchange.register",
        json!({"code": "220104", "name": "宽城区"}),
        "fingerprint",
    );
    field(
        ci,
        "exchange.register",
        json!({"code": "220104", "name": "宽城区", "public_key": "abc"}),
        "public_key",
    );
    // An acknowledgement signed by someone else than the paired city.
    call(&other_city.core, "exchange.import", payload(&foreign));
    let foreign_ack = call(&other_city.core, "exchange.ack", json!({"code": "220103"}));
    let e = refuse(
        &county2.core,
        "exchange.import",
        payload(&b64(&foreign_ack)),
    );
    assert!(e.message.contains("签名无效"), "{}", e.message);
}

#[test]
fn gaps_and_forks_are_refused_naming_the_range_and_a_restored_county_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, COUNTY, ci);
    county.institution("H22010200001", "南关区人民医院");
    let city_before = snapshot(ci, dir.path(), "city_before");
    let a = b64(&call(cc, "exchange.export", json!({})));
    let n = head(cc);
    let r = call(ci, "exchange.import", payload(&a));
    call(cc, "exchange.import", payload(&b64(&r["ack"])));
    let county_backup = snapshot(cc, dir.path(), "county_backup");

    county.institution("H22010200002", "南关区中医院");
    county.institution("H22010200003", "南关区妇幼保健院");
    let b = b64(&call(cc, "exchange.export", json!({})));
    let n2 = head(cc);

    // A city that missed the first bundle: the gap is named.
    let old_city = Core::open(&city_before).unwrap();
    old_city.login(ADMIN, "secret123").unwrap();
    let dump = city_dump(&old_city);
    let e = refuse(&old_city, "exchange.import", payload(&b));
    assert!(
        e.message.contains(&format!("缺少第1至{n}条")),
        "{}",
        e.message
    );
    assert_eq!(city_dump(&old_city), dump);
    drop(old_city);

    call(ci, "exchange.import", payload(&b));
    assert_eq!(replica_count(ci, COUNTY), n2);

    // The county restored from its backup works on: its new entries fork from the city's.
    let restored = Core::open(&county_backup).unwrap();
    restored.login(ADMIN, "secret123").unwrap();
    let w = restored.store().read(recoup::exchange::witness).unwrap();
    assert_eq!((w.witnessed_seq, w.past, w.consistent), (n, 0, true));
    // The city's later acknowledgement tells it that its log went back.
    let ack = b64(&call(ci, "exchange.ack", json!({"code": COUNTY})));
    let e = refuse(&restored, "exchange.import", payload(&ack));
    assert!(e.message.contains("旧备份"), "{}", e.message);
    InstitutionBuilder::new("H22010200009", "另一家医院").create(&restored);
    let forked = b64(&call(&restored, "exchange.export", json!({})));
    let dump = city_dump(ci);
    let e = refuse(ci, "exchange.import", payload(&forked));
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(
        e.message.contains("记录分叉") && e.message.contains(&format!("第{}条", n + 1)),
        "{}",
        e.message
    );
    assert_eq!(city_dump(ci), dump);
}

// ---------------------------------------------------------------------------------------------
// Adversarial: mutated bundles

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What the adversarial run counted.
#[derive(Default, Debug)]
pub struct Tally {
    pub tried: usize,
    pub refused: usize,
    pub replays_unchanged: usize,
    pub partial: usize,
    pub by_kind: std::collections::BTreeMap<&'static str, usize>,
}

/// Mutate the next (unapplied) bundle `next` and replay the applied one `old` `count` times
/// against the city; every mutation must be refused and leave the city's tables as they were.
fn adversarial(count: usize) -> Tally {
    let county = OfficeBuilder::new(COUNTY, "长春市南关区医疗保障局").open();
    let city = OfficeBuilder::new(CITY, "长春市医疗保障局")
        .level(Some("city"))
        .open();
    let intruder = OfficeBuilder::new("220103", "长春市朝阳区医疗保障局").open();
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, COUNTY, ci);
    pair(&intruder.core, "220103", ci);
    county.institution("H22010200001", "南关区人民医院");
    let old = b64(&call(cc, "exchange.export", json!({})));
    call(ci, "exchange.import", payload(&old));
    for i in 0..6 {
        county.institution(&format!("H2201020001{i}"), &format!("南关区第{i}医院"));
        InsuredBuilder::new()
            .with(json!({"id_number": id_number(&format!("22010219900101{i:03}")), "name": format!("参保人{i}")}))
            .create(cc);
    }
    let next = b64(&call(cc, "exchange.export", json!({})));

    let city_keys = ci.office_keys().unwrap();
    let county_keys = cc.office_keys().unwrap();
    let intruder_keys = intruder.core.office_keys().unwrap();
    let recipient = city_keys.recipient();
    let inner = age::decrypt(city_keys.identity(), &next).unwrap();
    let opened = bundle::split(&inner).unwrap();
    let manifest: Manifest = opened.manifest.clone();
    let entries: Vec<WireEntry> = opened.entries().unwrap();

    let reseal = |keys: &recoup::exchange::keys::OfficeKeys, m: Manifest, e: &[WireEntry]| {
        bundle::seal(keys, &recipient, m, e).unwrap()
    };
    let dump = city_dump(ci);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut t = Tally::default();
    for i in 0..count {
        let (kind, file): (&'static str, Vec<u8>) = match i % 12 {
            0 => {
                let mut f = next.clone();
                let p = rng.below(f.len());
                f[p] ^= 1 << rng.below(8);
                ("bit flip (file)", f)
            }
            1 => {
                let mut f = next.clone();
                f.truncate(rng.below(f.len()));
                ("truncated (file)", f)
            }
            2 => {
                let mut x = inner.clone();
                let p = rng.below(x.len());
                x[p] ^= 1 << rng.below(8);
                (
                    "bit flip (inside, re-encrypted)",
                    bundle::encrypt(&recipient, &x).unwrap(),
                )
            }
            3 => {
                let mut x = inner.clone();
                x.truncate(rng.below(x.len()));
                (
                    "truncated (inside, re-encrypted)",
                    bundle::encrypt(&recipient, &x).unwrap(),
                )
            }
            4 => {
                // Reordered entries, re-signed by the county's own key.
                let mut e = entries.clone();
                let a = rng.below(e.len());
                let b = (a + 1 + rng.below(e.len() - 1)) % e.len();
                e.swap(a, b);
                (
                    "reordered entries",
                    reseal(&county_keys, manifest.clone(), &e),
                )
            }
            5 => {
                // A dropped entry, the manifest made to agree, re-signed by the county's key.
                // (Dropping the last one would be a shorter genuine bundle: drop one before it.)
                let mut e = entries.clone();
                let k = rng.below(e.len() - 1);
                e.remove(k);
                let mut m = manifest.clone();
                m.entries -= 1;
                ("dropped entry", reseal(&county_keys, m, &e))
            }
            6 => {
                // An entry's content changed (a name, an amount), re-signed by the county's key.
                // (The county vouches for masked entries by its signature alone: change an unmasked one.)
                let mut e = entries.clone();
                let unmasked: Vec<usize> = (0..e.len()).filter(|&k| !e[k].masked).collect();
                let k = unmasked[rng.below(unmasked.len())];
                let at = rng.below(e[k].changes.len());
                let at = (0..=at)
                    .rev()
                    .find(|&p| e[k].changes.is_char_boundary(p))
                    .unwrap();
                e[k].changes.insert(at, ' ');
                ("changed entry", reseal(&county_keys, manifest.clone(), &e))
            }
            7 => {
                // A forged manifest field, the old signature kept.
                let mut x = inner.clone();
                let len = u32::from_be_bytes(x[4..8].try_into().unwrap()) as usize;
                let text = String::from_utf8(x[8..8 + len].to_vec()).unwrap();
                let forged = match rng.below(4) {
                    0 => text.replacen(
                        &format!("\"to_office\":\"{CITY}\""),
                        "\"to_office\":\"220200\"",
                        1,
                    ),
                    1 => text.replacen(
                        &format!("\"first_seq\":{}", manifest.first_seq),
                        &format!("\"first_seq\":{}", manifest.first_seq + 1),
                        1,
                    ),
                    2 => text.replacen(
                        &format!("\"schema_version\":{}", manifest.schema_version),
                        &format!("\"schema_version\":{}", manifest.schema_version + 1),
                        1,
                    ),
                    _ => text.replacen(
                        &format!("\"entries\":{}", manifest.entries),
                        &format!("\"entries\":{}", manifest.entries + 1),
                        1,
                    ),
                };
                assert_ne!(forged, text);
                let mut y = x[..4].to_vec();
                y.extend_from_slice(&(forged.len() as u32).to_be_bytes());
                y.extend_from_slice(forged.as_bytes());
                y.extend_from_slice(&x.split_off(8 + len));
                ("forged manifest", bundle::encrypt(&recipient, &y).unwrap())
            }
            8 => {
                // Another (registered) county's key claiming to be this county.
                (
                    "another county's key",
                    reseal(&intruder_keys, manifest.clone(), &entries),
                )
            }
            9 => {
                // Encrypted to another office (the county itself), not to the city.
                let x = bundle::encrypt(&county_keys.recipient(), &inner).unwrap();
                ("wrong recipient", x)
            }
            10 => {
                // A manifest whose chain start was moved (continuity), signed by the county's key.
                let mut m = manifest.clone();
                m.prev_hash = "1".repeat(64);
                let mut e = entries.clone();
                e[0].prev_hash = m.prev_hash.clone();
                ("broken continuity", reseal(&county_keys, m, &e))
            }
            _ => ("replay of an applied bundle", old.clone()),
        };
        t.tried += 1;
        *t.by_kind.entry(kind).or_default() += 1;
        let before = audit_entries(ci);
        match ci.call("exchange.import", payload(&file)) {
            Err(_) => t.refused += 1,
            Ok(v) if kind.starts_with("replay") && v["applied"] == json!(0) => {
                t.replays_unchanged += 1
            }
            Ok(v) => panic!("{kind}: accepted: {v}"),
        }
        if audit_entries(ci) != before || (i % 50 == 0 && city_dump(ci) != dump) {
            t.partial += 1;
        }
    }
    assert_eq!(city_dump(ci), dump, "nothing partial");
    // The genuine bundle still applies after all that.
    let r = call(ci, "exchange.import", payload(&next));
    assert!(r["applied"].as_i64().unwrap() > 0);
    assert_eq!(replica_count(ci, COUNTY), manifest.last_seq);
    t
}

#[test]
fn mutated_bundles_are_all_refused_and_nothing_partial_is_kept() {
    let count = std::env::var("RECOUP_ADVERSARIAL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let started = std::time::Instant::now();
    let t = adversarial(count);
    println!(
        "adversarial: {} mutated bundles, {} refused, {} replays left unchanged, {} partial imports, {:.1} s",
        t.tried,
        t.refused,
        t.replays_unchanged,
        t.partial,
        started.elapsed().as_secs_f64()
    );
    for (k, n) in &t.by_kind {
        println!("  {k}: {n}");
    }
    assert_eq!(t.refused + t.replays_unchanged, t.tried);
    assert_eq!(t.partial, 0);
}

#[test]
fn the_cli_pairs_exports_imports_and_acknowledges_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let (county_db, city_db) = (dir.path().join("county.db"), dir.path().join("city.db"));
    cli_init(&county_db, COUNTY, "长春市南关区医疗保障局");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_recoup"))
        .arg("--db")
        .arg(&city_db)
        .args([
            "init",
            "--code",
            CITY,
            "--name",
            "长春市医疗保障局",
            "--level",
            "city",
            "--admin-user",
            ADMIN,
        ])
        .env("RECOUP_PASSWORD", "secret123")
        .env_remove("RECOUP_USER")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("本单位公钥指纹"));
    let run = |db: &Path, args: &[&str]| {
        let out = cli(db).arg("exchange").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let d = dir.path().to_str().unwrap();
    run(&city_db, &["pair", "--out", d]);
    let pairing = dir.path().join(format!("{CITY}-pairing.json"));
    assert!(run(&county_db, &["pair", pairing.to_str().unwrap()]).contains("已与长春市医疗保障局"));
    run(&county_db, &["registration", "--out", d]);
    let slip = std::fs::read_to_string(dir.path().join(format!("{COUNTY}-登记单.txt"))).unwrap();
    let key = slip
        .lines()
        .find_map(|l| l.strip_prefix("签名公钥："))
        .unwrap();
    run(
        &city_db,
        &[
            "register",
            "--code",
            COUNTY,
            "--name",
            "南关区",
            "--public-key",
            key,
        ],
    );

    let said = run(&county_db, &["export", "--out", d]);
    let bundle = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "recoup"))
        .unwrap();
    assert!(
        said.contains(bundle.file_name().unwrap().to_str().unwrap()),
        "{said}"
    );
    assert!(run(&city_db, &["import", bundle.to_str().unwrap(), "--preview"]).contains("条是新的"));
    let said = run(&city_db, &["import", bundle.to_str().unwrap()]);
    assert!(said.contains("确认回执已写入"), "{said}");
    let ack = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().contains("-ack-"))
        .unwrap();
    assert!(run(&county_db, &["import", ack.to_str().unwrap()]).contains("已确认收到"));
    let status: Value = serde_json::from_str(&run(&county_db, &["status"])).unwrap();
    assert_eq!(status["witness"]["past"], json!(0));
    assert!(status["witness"]["witnessed_seq"].as_i64().unwrap() > 0);
}

#[test]
fn over_the_network_the_same_bundle_reaches_the_hub_and_offline_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city_db = dir.path().join("city.db");
    let city = city_at(&city_db);
    let cc = &county.core;
    pair(cc, COUNTY, &city.core);
    illegal(cc, "exchange.sync", json!({}), "尚未设置市局服务器地址");
    field(
        cc,
        "exchange.set_hub",
        json!({"hub_url": "ftp://hub:8090"}),
        "hub_url",
    );

    // The hub is down: an answer, not an error, and nothing changes.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": format!("http://127.0.0.1:{port}/")}),
    );
    let before = head(cc);
    let r = call(cc, "exchange.sync", json!({}));
    assert_eq!(
        (r["sent"].as_bool(), r["offline"].as_bool()),
        (Some(false), Some(true)),
        "{r}"
    );
    assert!(r["summary"].as_str().unwrap().contains("稍后再同步"));
    assert_eq!(head(cc), before);
    assert_eq!(
        call(cc, "exchange.status", json!({}))["witness"]["witnessed_seq"],
        json!(0)
    );

    // The city's hub: `recoup serve` on its database.
    let acks_for_later = call(&city.core, "exchange.pairing_file", json!({}));
    let core = city.core;
    let url = serve_in_thread(core);
    call(cc, "exchange.set_hub", json!({"hub_url": url}));
    let r = call(cc, "exchange.sync", json!({}));
    assert_eq!(r["sent"], json!(true), "{r}");
    let n = head(cc);
    let st = call(cc, "exchange.status", json!({}));
    assert_eq!(st["witness"]["witnessed_seq"], json!(n));
    assert_eq!(st["city"]["hub_url"], json!(url.trim_end_matches('/')));
    let reader = Core::open(&city_db).unwrap();
    assert_eq!(replica_count(&reader, COUNTY), n);

    // Nothing new: nothing sent. More work: only the new entries go.
    let r = call(cc, "exchange.sync", json!({}));
    assert_eq!(r["sent"], json!(false));
    assert!(r["summary"].as_str().unwrap().contains("没有新的记录"));
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

    // The hub takes nothing but bundles.
    let e = reader.receive_bundle(&b64(&acks_for_later)).unwrap_err();
    assert!(e.message.contains("只接收数据包"), "{}", e.message);
}

/// `audit.verify` checks the log against the city's signed acknowledgement (issue 12: the outside
/// witness): a log re-hashed up to the witnessed entry, a log cut below it, or an acknowledgement
/// edited in the database fails the report; before any acknowledgement there is nothing to check.
#[test]
fn audit_verify_checks_the_log_against_the_citys_signed_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    let verify = |c: &Core| call(c, "audit.verify", json!({"full": true}));
    let tamper = |sql: &str| {
        cc.store().read(|conn| Ok(conn.execute(sql, [])?)).unwrap();
    };
    pair(cc, COUNTY, ci);
    let r = verify(cc);
    assert_eq!(
        (r["ok"].clone(), r["witness"].clone()),
        (json!(true), Value::Null)
    );
    county.institution("H22010200001", "长春市南关区中心医院");
    let f = call(cc, "exchange.export", json!({}));
    let r = call(ci, "exchange.import", payload(&b64(&f)));
    call(cc, "exchange.import", payload(&b64(&r["ack"])));
    let n = head(cc);
    county.institution("H22010200002", "长春市南关区康民大药房");
    let r = verify(cc);
    assert_eq!(r["ok"], json!(true), "{r}");
    assert_eq!(r["witness"]["seq"], json!(n));
    assert_eq!(r["witness"]["past"], json!(head(cc) - n));
    assert_eq!(r["witness"]["consistent"], json!(true));
    let reasons = |r: &Value| -> String {
        r["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["reason"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };

    // The acknowledgement's hash edited in the database: its signature no longer covers it.
    let hash: String = cc
        .store()
        .read(|c| Ok(c.query_row("SELECT hash FROM exchange_ack", [], |r| r.get(0))?))
        .unwrap();
    tamper("UPDATE exchange_ack SET hash = '00' || substr(hash, 3)");
    let r = verify(cc);
    assert_eq!(r["ok"], json!(false));
    assert_eq!(r["witness"]["consistent"], json!(false));
    assert!(reasons(&r).contains("与其签名不符"), "{}", reasons(&r));
    tamper(&format!("UPDATE exchange_ack SET hash = '{hash}'"));
    assert_eq!(verify(cc)["ok"], json!(true));

    // The witnessed entry's hash rewritten (as a log re-hashed after an edit would be).
    tamper(&format!(
        "UPDATE audit_log SET hash = zeroblob(32) WHERE seq = {n}"
    ));
    let r = verify(cc);
    assert_eq!(r["ok"], json!(false));
    assert!(reasons(&r).contains("与市局确认的不同"), "{}", reasons(&r));

    // The log cut below the witnessed entry.
    tamper(&format!("DELETE FROM audit_log WHERE seq >= {n}"));
    let r = verify(cc);
    assert_eq!(r["ok"], json!(false));
    assert!(r["witness"]["past"].as_i64().unwrap() < 0, "{r}");
    assert!(reasons(&r).contains("被截短"), "{}", reasons(&r));
}

/// Issue 11 "Transports": with a hub address set, the county's program tries by itself every N
/// minutes; offline is normal — no error, retried after 1, 2, 4 … minutes (never more than N); a
/// corrected address is tried at once; 0 switches the background attempts off.
#[test]
fn the_background_exchange_retries_with_back_off_and_reaches_the_hub_by_itself() {
    assert_eq!(
        (1..=6)
            .map(|f| recoup::exchange::retry_minutes(f, 10))
            .collect::<Vec<_>>(),
        vec![1, 2, 4, 8, 10, 10]
    );
    assert_eq!(recoup::exchange::retry_minutes(0, 10), 10);

    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city_db = dir.path().join("city.db");
    let city = city_at(&city_db);
    let cc = &county.core;
    pair(cc, COUNTY, &city.core);
    // No hub: nothing to do.
    assert!(cc.sync_tick().is_none());

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    field(
        cc,
        "exchange.set_hub",
        json!({"hub_url": dead, "sync_minutes": 5000}),
        "sync_minutes",
    );
    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": dead, "sync_minutes": 10}),
    );
    let before = head(cc);
    let out = cc.sync_tick().expect("due at once");
    assert!(out.offline && !out.sent, "{out:?}");
    assert_eq!(head(cc), before, "offline changes nothing");
    let st = call(cc, "exchange.status", json!({}));
    assert_eq!(st["city"]["sync_minutes"], json!(10));
    assert_eq!(st["auto_sync"]["failures"], json!(1), "{st}");
    assert_eq!(st["auto_sync"]["next_in_minutes"], json!(1));
    assert!(cc.sync_tick().is_none(), "not due again for a minute");

    // The hub comes up; the office corrects the address: tried at once, sent, acknowledged.
    let core = city.core;
    let url = serve_in_thread(core);
    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": url, "sync_minutes": 10}),
    );
    let out = cc.sync_tick().expect("a new address is tried at once");
    assert!(out.sent, "{out:?}");
    let st = call(cc, "exchange.status", json!({}));
    assert_eq!(st["auto_sync"]["failures"], json!(0));
    assert_eq!(st["auto_sync"]["next_in_minutes"], json!(10));
    let n = st["witness"]["witnessed_seq"].as_i64().unwrap();
    assert!(n > 0);
    let reader = Core::open(&city_db).unwrap();
    assert_eq!(replica_count(&reader, COUNTY), n);
    // What went is what an export records (exports and acknowledgements append no audit entry).
    assert_eq!(st["last_export"]["last_seq"], json!(n), "{st}");

    // 0: only 立即同步.
    call(
        cc,
        "exchange.set_hub",
        json!({"hub_url": url, "sync_minutes": 0}),
    );
    assert!(cc.sync_tick().is_none());
}

/// A `recoup serve` process on `db`; killed when dropped.
struct Served {
    child: std::process::Child,
    url: String,
}

impl Served {
    fn start(db: &Path) -> Served {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_recoup"))
            .arg("--db")
            .arg(db)
            .args(["serve", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let url = lines
            .find_map(|l| {
                l.ok()?
                    .strip_prefix("Recoup 已启动：")
                    .map(|u| u.trim_end_matches('/').to_string())
            })
            .expect("recoup serve prints its address");
        Served { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait (at most a minute) until `done` holds.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "timed out: {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

/// Issue 11 "Tests and measurements": three real processes — two counties and the city's hub, each a
/// `recoup serve` on 127.0.0.1 — exchanging over the network by themselves and over files by the CLI.
/// Work filed in a county appears at the city without anyone pressing a button; a lead the city
/// assigns arrives and its outcome goes back; a duplicated, a
/// reordered and a lost delivery (the acknowledgement never reaches the county) converge to the same
/// state: the city holds exactly each county's log, and each county knows it.
#[test]
fn three_processes_two_counties_and_the_hub_converge_over_the_network_and_files() {
    const OTHER: &str = "220103";
    let dir = tempfile::tempdir().unwrap();
    let city_db = dir.path().join("city.db");
    let a_db = dir.path().join("a.db");
    let b_db = dir.path().join("b.db");
    let city = city_at(&city_db);
    let a = county_at(&a_db);
    let b = OfficeBuilder::new(OTHER, "长春市朝阳区医疗保障局").init(Core::open(&b_db).unwrap());
    pair(&a.core, COUNTY, &city.core);
    pair(&b.core, OTHER, &city.core);
    a.institution("H22010200001", "南关区人民医院");
    b.institution("H22010300001", "朝阳区中心医院");
    drop(city);

    let hub = Served::start(&city_db);
    let reader = Core::open(&city_db).unwrap();
    reader.login(ADMIN, "secret123").unwrap();
    // County A works online: its hub is set, and its own `recoup serve` sends by itself.
    call(
        &a.core,
        "exchange.set_hub",
        json!({"hub_url": hub.url, "sync_minutes": 1}),
    );
    let a_head = head(&a.core);
    let a_proc = Served::start(&a_db);
    eventually("county A's work reaches the hub by itself", || {
        replica_count(&reader, COUNTY) == a_head
    });
    eventually("county A applies the hub's acknowledgement", || {
        call(&a.core, "exchange.status", json!({}))["witness"]["witnessed_seq"] == json!(a_head)
    });
    // More work while its program runs (two processes on one database): 立即同步 from the CLI.
    a.institution("H22010200002", "南关区中医院");
    let out = cli(&a_db).args(["exchange", "sync"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(replica_count(&reader, COUNTY), head(&a.core));

    // The city assigns a lead to county A (线索交办); it goes down with A's next exchange, and A's
    // outcome goes back up with the one after.
    let given = call(
        &reader,
        "assignment.create",
        json!({"county": COUNTY, "summary": "举报虚记住院费用", "institution_code": "H22010200001",
               "party": "南关区人民医院", "assigned_on": "2026-03-02", "due_on": "2026-04-15"}),
    );
    assert_eq!(given["assignment"]["status"], json!("县局未接收"));
    a.institution("H22010200003", "南关区妇幼保健院");
    let out = cli(&a_db).args(["exchange", "sync"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lead = call(&a.core, "lead.list", json!({"limit": 100}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["source"] == json!("AssignedFromAbove"))
        .cloned()
        .expect("the assigned lead arrived at the county");
    assert_eq!(lead["check_due"], json!("2026-04-15"));
    call(
        &a.core,
        "lead.conclude",
        json!({"id": id(&lead), "outcome": "不予立案", "on": "2026-03-12", "note": "经核查未发现虚记"}),
    );
    let out = cli(&a_db).args(["exchange", "sync"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = call(&reader, "assignment.list", json!({"code": COUNTY}));
    assert_eq!(back[0]["status"], json!("不予立案"), "{back}");
    assert_eq!(back[0]["outcome_note"], json!("经核查未发现虚记"));

    // County B works offline, by files; the city imports with its CLI while the hub runs.
    let run = |db: &Path, args: &[&str]| {
        let out = cli(db).arg("exchange").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let out1 = dir.path().join("b1");
    let out2 = dir.path().join("b2");
    std::fs::create_dir_all(&out1).unwrap();
    std::fs::create_dir_all(&out2).unwrap();
    run(&b_db, &["export", "--out", out1.to_str().unwrap()]);
    b.institution("H22010300002", "朝阳区妇幼保健院");
    // Not acknowledged yet: the second file starts where the first did (overlapping).
    run(&b_db, &["export", "--out", out2.to_str().unwrap()]);
    let first = std::fs::read_dir(&out1)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let second = std::fs::read_dir(&out2)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    // Reordered: the second arrives first; then the first (nothing new), then the second again
    // (duplicated). The acknowledgements are lost: the county never imports them.
    run(&city_db, &["import", second.to_str().unwrap()]);
    assert_eq!(replica_count(&reader, OTHER), head(&b.core));
    let dump = city_dump(&reader);
    run(&city_db, &["import", first.to_str().unwrap()]);
    run(&city_db, &["import", second.to_str().unwrap()]);
    assert_eq!(city_dump(&reader), dump, "a replay changes nothing");
    // County B goes online later: its next bundle starts after the last acknowledgement it has
    // (none), the hub skips what it holds and acknowledges the head; B now knows.
    b.institution("H22010300003", "朝阳区康复医院");
    call(
        &b.core,
        "exchange.set_hub",
        json!({"hub_url": hub.url, "sync_minutes": 1}),
    );
    let b_head = head(&b.core);
    let b_proc = Served::start(&b_db);
    eventually("county B's program reaches the hub by itself", || {
        call(&b.core, "exchange.status", json!({}))["witness"]["witnessed_seq"] == json!(b_head)
    });
    assert_eq!(replica_count(&reader, OTHER), b_head);
    assert_eq!(replica_count(&reader, COUNTY), head(&a.core));
    // The city sees both counties with their heads.
    let st = call(&reader, "exchange.status", json!({}));
    let heads: std::collections::BTreeMap<String, i64> = st["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_string(),
                p["head_seq"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(heads[COUNTY], head(&a.core));
    assert_eq!(heads[OTHER], b_head);
    drop((a_proc, b_proc, hub));
}

/// The county's tables that carry its work (what a recovery must give back), as a digest.
fn county_rows(c: &Core) -> String {
    rows_digest(
        c,
        &[
            "SELECT * FROM institution ORDER BY id",
            "SELECT * FROM insured ORDER BY id",
            "SELECT seq, at, actor, command, hex(hash) FROM audit_log ORDER BY seq",
        ],
    )
}

fn insured_numbers(c: &Core) -> Vec<String> {
    c.store()
        .read(|conn| {
            let mut stmt = conn.prepare("SELECT id_number FROM insured ORDER BY id")?;
            let v = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(v)
        })
        .unwrap()
}

/// Issue 11, Tests: "a county restored from an old backup is detected (its sequence went back)
/// and recovers by pulling its own entries back from the hub up to the last acknowledged head".
/// The personal numbers the county masked on the way up (`001` art. 38, minimum necessary) come
/// back whole: the county sealed their originals to itself.
#[test]
fn a_county_restored_from_an_old_backup_pulls_its_own_entries_back_from_the_city() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, COUNTY, ci);
    county.institution("H22010200001", "南关区人民医院");
    InsuredBuilder::new().phone("13812345678").create(cc);
    let sent = |c: &Core| {
        let f = b64(&call(c, "exchange.export", json!({})));
        let r = call(ci, "exchange.import", payload(&f));
        call(c, "exchange.import", payload(&b64(&r["ack"])));
    };
    sent(cc);
    let backup = call(cc, "backup.create", json!({}));
    let backup_path = backup["path"].as_str().unwrap().to_string();
    let at_backup = head(cc);

    // The month goes on and reaches the city: another person (masked on the way), an institution.
    let second = id_number("22010219800101123");
    InsuredBuilder::new()
        .with(json!({"id_number": second, "name": "李某"}))
        .phone("13900001111")
        .create(cc);
    county.institution("H22010200002", "南关区中医院");
    sent(cc);
    let acknowledged = head(cc);
    let before = county_rows(cc);
    let numbers = insured_numbers(cc);
    assert!(numbers.contains(&second), "{numbers:?}");

    // The disk fails; the office restores last week's backup (the restore is its next entry).
    let r = call(cc, "backup.restore", json!({"path": backup_path}));
    assert_eq!(r["entries"].as_i64(), Some(at_backup));
    cc.login(ADMIN, "secret123").unwrap();
    assert_eq!(head(cc), at_backup + 1);
    assert_eq!(insured_numbers(cc).len(), 1);

    // Detected: the city's acknowledgement names an entry the county no longer has, and the
    // county's next bundle forks from what the city holds at the restore's number.
    let ack = b64(&call(ci, "exchange.ack", json!({"code": COUNTY})));
    let e = refuse(cc, "exchange.import", payload(&ack));
    assert!(e.message.contains("旧备份"), "{}", e.message);
    let forked = b64(&call(cc, "exchange.export", json!({})));
    let e = refuse(ci, "exchange.import", payload(&forked));
    assert!(e.message.contains("记录分叉"), "{}", e.message);

    // The city gives the county its own entries back, encrypted to it.
    let dump = city_dump(ci);
    let file = call(ci, "exchange.recovery", json!({"code": COUNTY}));
    assert_eq!(file["kind"], json!("Recovery"));
    assert_eq!(
        city_dump(ci),
        dump,
        "making the file changes nothing at the city"
    );
    let bytes = b64(&file);
    assert!(!bytes.windows(second.len()).any(|w| w == second.as_bytes()));
    // Only the county can open it.
    let e = refuse(ci, "exchange.preview", payload(&bytes));
    assert!(e.message.contains("不是"), "{}", e.message);

    let preview = call(cc, "exchange.preview", payload(&bytes));
    assert_eq!(preview["kind"], json!("Recovery"));
    assert_eq!(preview["first_seq"], json!(at_backup + 1));
    assert_eq!(preview["last_seq"], json!(acknowledged));
    assert!(
        preview["summary"].as_str().unwrap().contains(&format!(
            "改为第{}至{}条",
            acknowledged + 1,
            acknowledged + 1
        )),
        "{preview}"
    );
    // A damaged or cut file changes nothing (every byte is under the city's signature, inside
    // the encryption to the county).
    let rows = county_rows(cc);
    let mut rng = Rng(0x5eed_2026);
    for i in 0..200 {
        let mut bad = bytes.clone();
        if i % 4 == 0 {
            bad.truncate(rng.below(bytes.len()));
        } else {
            let at = rng.below(bad.len());
            bad[at] ^= 1 << rng.below(8);
        }
        assert!(
            cc.call("exchange.import", payload(&bad)).is_err(),
            "mutation {i}"
        );
    }
    assert_eq!(county_rows(cc), rows);

    let out = call(cc, "exchange.import", payload(&bytes));
    assert_eq!(out["applied"], json!(acknowledged - at_backup), "{out}");

    // The county has its log and its rows back as they were, unmasked; the restore follows.
    assert_eq!(head(cc), acknowledged + 1);
    let numbers_back = insured_numbers(cc);
    assert_eq!(numbers_back, numbers);
    let restored_rows = county_rows(cc);
    assert_ne!(
        restored_rows, before,
        "the restore record follows the entries"
    );
    let entries = call(cc, "audit.list", json!({"limit": 3}));
    assert_eq!(
        entries["items"][0]["command"],
        json!("backup.restore"),
        "{entries}"
    );
    let v = call(cc, "audit.verify", json!({"full": true}));
    assert_eq!(v["ok"], json!(true), "{v}");
    let held = ci
        .store()
        .read(|c| recoup::exchange::replica_entries(c, COUNTY, 0))
        .unwrap();
    for e in &held {
        let local = cc
            .store()
            .read(|c| recoup::store::audit::hash_at(c, e.seq))
            .unwrap();
        assert_eq!(local.as_deref(), Some(e.hash.as_str()), "entry {}", e.seq);
    }
    let names: Vec<String> = call(cc, "institution.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // The same file again: nothing left to fetch, nothing changes.
    let out = call(cc, "exchange.import", payload(&bytes));
    assert_eq!(out["applied"], json!(0), "{out}");
    assert_eq!(county_rows(cc), restored_rows);

    // And the exchange goes on: the restore record goes up, the acknowledgement comes back.
    sent(cc);
    let w = cc.store().read(recoup::exchange::witness).unwrap();
    assert_eq!(
        (w.witnessed_seq, w.past, w.consistent),
        (acknowledged + 1, 0, true)
    );
}

/// A county that did work after the restore on a row the city's entries also wrote is not merged
/// blindly: the recovery is refused in words and nothing changes. A log that parts ways with the
/// city without a restore is not "recovered" either.
#[test]
fn a_recovery_that_would_overwrite_work_done_since_the_restore_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, COUNTY, ci);
    let first = county.institution("H22010200001", "南关区人民医院");
    let exchange = |c: &Core| {
        let f = b64(&call(c, "exchange.export", json!({})));
        let r = call(ci, "exchange.import", payload(&f));
        call(c, "exchange.import", payload(&b64(&r["ack"])));
    };
    exchange(cc);
    let backup = call(cc, "backup.create", json!({}))["path"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        cc,
        "institution.update",
        json!({"id": first, "name": "南关区人民医院（总院）"}),
    );
    exchange(cc);
    call(cc, "backup.restore", json!({"path": backup}));
    cc.login(ADMIN, "secret123").unwrap();
    // Since the restore, the same institution was changed again here.
    call(
        cc,
        "institution.update",
        json!({"id": first, "name": "南关区人民医院（新院区）"}),
    );
    let rows = county_rows(cc);
    let file = b64(&call(ci, "exchange.recovery", json!({"code": COUNTY})));
    let e = refuse(cc, "exchange.import", payload(&file));
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.message.contains("不能自动合并"), "{}", e.message);
    assert_eq!(county_rows(cc), rows);

    // Another county's recovery file cannot be opened here.
    let other_dir = tempfile::tempdir().unwrap();
    let other = OfficeBuilder::new("220103", "长春市朝阳区医疗保障局")
        .init(Core::open(&other_dir.path().join("b.db")).unwrap());
    pair_as(&other.core, "220103", "朝阳区", ci);
    let e = refuse(&other.core, "exchange.import", payload(&file));
    assert!(e.message.contains("不是发给本单位的"), "{}", e.message);
}

/// Over the network the recovery happens by itself (issue 11: "the semantics are identical to
/// files"): the hub (`recoup serve`, its own process) refuses the restored county's bundle as a
/// fork, the county's 立即同步 (`recoup exchange sync`, another process) asks for its entries
/// back, applies them, and sends what followed the restore.
#[test]
fn over_the_network_a_restored_county_gets_its_entries_back_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let county_db = dir.path().join("county.db");
    let city_db = dir.path().join("city.db");
    let county = county_at(&county_db);
    let city = city_at(&city_db);
    let cc = &county.core;
    pair(cc, COUNTY, &city.core);
    drop(city);
    let hub = Served::start(&city_db);
    let reader = Core::open(&city_db).unwrap();
    call(cc, "exchange.set_hub", json!({"hub_url": hub.url}));
    county.institution("H22010200001", "南关区人民医院");
    call(cc, "exchange.sync", json!({}));
    let backup = call(cc, "backup.create", json!({}))["path"]
        .as_str()
        .unwrap()
        .to_string();
    InsuredBuilder::new().phone("13812345678").create(cc);
    county.institution("H22010200002", "南关区中医院");
    call(cc, "exchange.sync", json!({}));
    let acknowledged = head(cc);
    assert_eq!(replica_count(&reader, COUNTY), acknowledged);
    let numbers = insured_numbers(cc);

    call(cc, "backup.restore", json!({"path": backup}));
    cc.login(ADMIN, "secret123").unwrap();
    assert!(head(cc) < acknowledged);
    let out = cli(&county_db).args(["exchange", "sync"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("取回本单位第"), "{said}");
    assert_eq!(head(cc), acknowledged + 1);
    assert_eq!(insured_numbers(cc), numbers);
    assert_eq!(replica_count(&reader, COUNTY), acknowledged + 1);
    let w = cc.store().read(recoup::exchange::witness).unwrap();
    assert_eq!((w.witnessed_seq, w.consistent), (acknowledged + 1, true));
    let v = call(cc, "audit.verify", json!({"full": true}));
    assert_eq!(v["ok"], json!(true), "{v}");
    drop(hub);
}

/// A long backlog goes up in parts over the network (each under the hub's request limit, each
/// acknowledged before the next): issue 11, a county's first exchange after years of work.
#[test]
fn over_the_network_a_long_backlog_goes_in_acknowledged_parts() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city_db = dir.path().join("city.db");
    let city = city_at(&city_db);
    let cc = &county.core;
    pair(cc, COUNTY, &city.core);
    for i in 1..=7 {
        county.institution(&format!("H2201020000{i}"), &format!("南关区第{i}卫生院"));
    }
    let core = city.core;
    let url = serve_in_thread(core);
    call(cc, "exchange.set_hub", json!({"hub_url": url}));
    let n = head(cc);
    let part = 4;
    let out = cc
        .exchange_sync_in_parts(recoup::api::AUTO_SYNC_ACTOR, part)
        .unwrap();
    let parts = (n + part - 1) / part;
    assert!(
        out.summary.starts_with(&format!("分{parts}次发送")),
        "{}",
        out.summary
    );
    let reader = Core::open(&city_db).unwrap();
    assert_eq!(replica_count(&reader, COUNTY), head(cc));
    let history = reader
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*), MAX(last_seq - first_seq + 1) FROM replica_bundle WHERE origin = ?1",
                [COUNTY],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(history, (parts, part));
    let w = cc.store().read(recoup::exchange::witness).unwrap();
    assert_eq!((w.witnessed_seq, w.past), (head(cc), 0));
}

/// Two persons of one district whose 身份证号 share the first 6 and last 4 characters look the same
/// once masked (`001` art. 38): the city's replica of the county still holds both (the replica's
/// copy of the table has no unique 身份证号), and the county's data reads there.
#[test]
fn persons_alike_once_masked_both_reach_the_citys_replica() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, COUNTY, ci);
    let first = id_number("22010219800101123");
    let tail = &first[first.len() - 4..];
    let second = (1..=28)
        .map(|d| id_number(&format!("220102198002{d:02}123")))
        .find(|n| n.ends_with(tail) && *n != first)
        .expect("a second number with the same last four");
    for (n, name) in [(&first, "王某"), (&second, "李某")] {
        InsuredBuilder::new()
            .with(json!({"id_number": n, "name": name}))
            .create(cc);
    }
    county.institution("H22010200001", "南关区人民医院");
    let f = b64(&call(cc, "exchange.export", json!({})));
    call(ci, "exchange.import", payload(&f));
    let read = call(
        ci,
        "county.read",
        json!({"code": COUNTY, "command": "institution.list", "payload": {}}),
    );
    assert_eq!(read["total"], json!(1), "{read}");
    let replica = dir
        .path()
        .join("city.db.replicas")
        .join(format!("{COUNTY}.sqlite"));
    let conn = rusqlite::Connection::open(replica).unwrap();
    let masked: Vec<String> = conn
        .prepare("SELECT id_number FROM insured ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(masked.len(), 2);
    assert_eq!(masked[0], masked[1], "{masked:?}");
    assert!(masked[0].contains("********"), "{masked:?}");
}
