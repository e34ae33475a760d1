//! What the city sends down besides its answers and assigned leads (issue 11, "Downward": "registry
//! updates for the county's institutions, next year's holiday calendar, provincial rule-profile
//! values. The county applies them idempotently by (origin, seq); city-owned rows are read-only
//! there." — "institutions are identified by their national 机构编码 … City registry updates reach the
//! county as changes it sees and applies; provincial profile values arrive as a new preset version
//! the office adopts — the county's own edits stay its own."). A county of 济南 and its city, both
//! on the 济南 preset, in two databases, the acknowledgements passed between them as bytes.

use std::path::Path;

use recoup::api::Core;
use serde_json::{json, Value};

use crate::common::*;

const COUNTY: &str = "370102";
const CITY: &str = "370100";
const HOSPITAL: &str = "H37010200009";
const PHARMACY: &str = "P37010200077";

fn county_at(db: &Path) -> Office {
    OfficeBuilder::new(COUNTY, "历下区医疗保障局")
        .preset("Jinan")
        .init(Core::open(db).unwrap())
}

fn city_at(db: &Path) -> Office {
    OfficeBuilder::new(CITY, "市医疗保障局")
        .level(Some("city"))
        .preset("Jinan")
        .init(Core::open(db).unwrap())
}

fn institution(c: &Core, code: &str) -> Option<Value> {
    call(c, "institution.list", json!({"query": code, "limit": 10}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .cloned()
}

fn pending(c: &Core) -> Vec<Value> {
    call(c, "down.list", json!({})).as_array().unwrap().clone()
}

fn item<'a>(list: &'a [Value], kind: &str, key: &str) -> &'a Value {
    list.iter()
        .find(|i| i["kind"] == kind && i["key"] == key)
        .unwrap_or_else(|| panic!("{kind} {key} in {list:?}"))
}

fn change<'a>(i: &'a Value, field: &str) -> &'a Value {
    i["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == field)
        .unwrap_or_else(|| panic!("{field} in {i}"))
}

fn ack_for_county(city: &Core) -> Vec<u8> {
    b64(&call(city, "exchange.ack", json!({"code": COUNTY})))
}

fn due(c: &Core, from: &str, days: u32) -> String {
    call(
        c,
        "calendar.add_workdays",
        json!({"date": from, "days": days}),
    )["date"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_city_sends_down_institutions_a_calendar_and_a_profile_version_and_the_county_applies_each_once(
) {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair_as(cc, COUNTY, "历下区医疗保障局", ci);
    // The county holds the hospital, with its own telephone number typed in.
    let hospital = county.institution(HOSPITAL, "历下区某医院");
    let mut own = call(cc, "institution.get", json!({"id": hospital}));
    own["contact"] = json!("0531-11111111");
    call(cc, "institution.update", own);
    // Its own rule profile: it set the legal review to 12 working days itself (seed 001 art. 40
    // leaves the period to the office).
    let mut p = call(cc, "profile.get", json!({}));
    p["legal_review_days"] = json!(12);
    call(cc, "profile.update", p);
    // The city acknowledges only what it received: one bundle up first.
    let f = call(cc, "exchange.export", json!({}));
    call(ci, "exchange.import", payload(&b64(&f)));

    // --- At the city: its registry, next year's holidays, its profile values.
    city.institution_with(
        HOSPITAL,
        "历下区某医院",
        json!({"address": "历下区新址路1号", "contact": "0531-22222222"}),
    );
    InstitutionBuilder::new(PHARMACY, "历下区某大药房")
        .with(json!({"kind": "RetailPharmacy", "address": "历下区某路2号", "legal_rep": "刘某"}))
        .create(ci);
    // Only a city publishes; only what it holds.
    let e = refuse(cc, "down.publish", json!({"kind": "Institution"}));
    assert!(e.message.contains("市级"), "{}", e.message);
    field(
        ci,
        "down.publish",
        json!({"kind": "Institution", "codes": ["H00000000000"]}),
        "codes",
    );
    field(
        ci,
        "down.publish",
        json!({"kind": "Institution", "counties": ["370199"]}),
        "counties",
    );
    field(
        ci,
        "down.publish",
        json!({"kind": "Calendar", "year": 2029}),
        "year",
    );
    let before = audit_entries(ci);
    let out = call(ci, "down.publish", json!({"kind": "Institution"}));
    assert_eq!(out["published"].as_array().unwrap().len(), 2, "{out}");
    assert_eq!(audit_entries(ci), before + 1, "a publication is audited");
    // Nothing changed since: nothing to send again.
    illegal(
        ci,
        "down.publish",
        json!({"kind": "Institution"}),
        "没有变更",
    );
    // 2027: 元旦 and 春节 off, a Saturday worked (test data in the State Council's form).
    call(
        ci,
        "calendar.set_year",
        json!({"year": 2027, "data": {"source": "国务院办公厅关于2027年部分节假日安排的通知",
               "holidays": [["2027-01-01", "2027-01-03"], ["2027-02-06", "2027-02-14"]],
               "workdays": ["2027-02-20"]}}),
    );
    call(
        ci,
        "down.publish",
        json!({"kind": "Calendar", "year": 2027}),
    );
    // 2028, which the county has entered itself (differently).
    call(
        ci,
        "calendar.set_year",
        json!({"year": 2028, "data": {"source": "国务院办公厅关于2028年部分节假日安排的通知",
               "holidays": [["2028-01-01", "2028-01-03"]], "workdays": []}}),
    );
    call(
        ci,
        "down.publish",
        json!({"kind": "Calendar", "year": 2028}),
    );
    call(
        cc,
        "calendar.set_year",
        json!({"year": 2028, "data": {"source": "本局暂按元旦一天录入", "holidays": [["2028-01-01", "2028-01-01"]], "workdays": []}}),
    );
    // The city's values: 陈述申辩 3 working days, legal review 15.
    let mut p = call(ci, "profile.get", json!({}));
    p["statement_days"] = json!(3);
    p["legal_review_days"] = json!(15);
    call(ci, "profile.update", p);
    let v = call(ci, "down.publish", json!({"kind": "Profile"}));
    assert_eq!(v["published"][0]["version"], 1);
    assert_eq!(v["published"][0]["title"], "市局规则配置（第1版）");
    assert_eq!(
        call(ci, "down.published", json!({}))
            .as_array()
            .unwrap()
            .len(),
        5
    );

    // --- At the county, before: 2027 counted by weekends alone; the profile its own.
    assert_eq!(due(cc, "2027-02-05", 5), "2027-02-12");
    let profile_before = call(cc, "profile.get", json!({}));
    let ack1 = ack_for_county(ci);
    // Encrypted to the county: the city's registry text is not readable on the stick.
    let needle = "历下区新址路1号".as_bytes();
    assert!(!ack1.windows(needle.len()).any(|w| w == needle));
    let p = call(cc, "exchange.preview", payload(&ack1));
    assert!(
        p["summary"].as_str().unwrap().contains("下发事项5项"),
        "{p}"
    );

    let before = audit_entries(cc);
    let r = call(cc, "exchange.import", payload(&ack1));
    assert_eq!(audit_entries(cc), before + 1, "one audited write: {r}");
    assert!(
        r["summary"]
            .as_str()
            .unwrap()
            .contains("收到市局下发事项5项"),
        "{r}"
    );
    // The pharmacy the county did not hold is added, with the city's fields.
    let added = institution(cc, PHARMACY).expect("added");
    assert_eq!(added["name"], "历下区某大药房");
    assert_eq!(added["kind"], "RetailPharmacy");
    assert_eq!(added["legal_rep"], "刘某");
    // 2027, which the county had no data for, is applied: the deadline moves past 春节.
    assert_eq!(due(cc, "2027-02-05", 5), "2027-02-19");
    // The profile is not touched before the county adopts the version.
    assert_eq!(call(cc, "profile.get", json!({})), profile_before);

    // Pending: the hospital (old → new per field), 2028, the profile version.
    let list = pending(cc);
    assert_eq!(list.len(), 3, "{list:?}");
    let h = item(&list, "Institution", HOSPITAL);
    assert_eq!(h["status"], "Pending");
    let c = change(h, "contact");
    assert_eq!(
        (c["old"].as_str(), c["new"].as_str()),
        (Some("0531-11111111"), Some("0531-22222222"))
    );
    assert_eq!(c["label"], "联系电话");
    let a = change(h, "address");
    assert_eq!(a["new"], "历下区新址路1号");
    let y = item(&list, "Calendar", "2028");
    assert_eq!(change(y, "holidays")["old"], "1月1日");
    assert_eq!(change(y, "holidays")["new"], "1月1日至1月3日");
    let pv = item(&list, "Profile", "profile");
    let s = change(pv, "statement_days");
    assert_eq!(
        (s["old"].as_str(), s["new"].as_str(), s["own"].as_bool()),
        (Some("5"), Some("3"), Some(false))
    );
    // The county's own legal-review period is marked as its own: adopting keeps it.
    assert_eq!(change(pv, "legal_review_days")["own"], true);

    // The same acknowledgement again changes nothing (every table equal, no audit entry).
    let snap = dump(cc);
    call(cc, "exchange.import", payload(&ack1));
    assert_eq!(dump(cc), snap, "the same acknowledgement twice");

    // The hospital: the county takes the city's address and keeps its own telephone number.
    let before = audit_entries(cc);
    let done = call(
        cc,
        "down.apply",
        json!({"id": h["id"], "fields": ["address"]}),
    );
    assert_eq!(audit_entries(cc), before + 1);
    assert_eq!(done["status"], "Applied");
    assert!(
        done["outcome"]
            .as_str()
            .unwrap()
            .contains("保留本单位的：联系电话"),
        "{done}"
    );
    let now = call(cc, "institution.get", json!({"id": hospital}));
    assert_eq!(now["address"], "历下区新址路1号");
    assert_eq!(now["contact"], "0531-11111111");
    // Decided: read-only from now on.
    illegal(cc, "down.apply", json!({"id": h["id"]}), "已处理");
    illegal(cc, "down.keep", json!({"id": h["id"]}), "已处理");
    // A field the city does not send is refused.
    field(
        cc,
        "down.apply",
        json!({"id": pv["id"], "fields": ["nonsense"]}),
        "fields",
    );
    field(
        cc,
        "down.apply",
        json!({"id": pv["id"], "fields": ["statement_days"]}),
        "fields",
    );

    // 2028: the county sees the difference and adopts the city's year.
    assert_eq!(due(cc, "2027-12-31", 1), "2028-01-03");
    call(cc, "down.apply", json!({"id": y["id"]}));
    assert_eq!(due(cc, "2027-12-31", 1), "2028-01-04");

    // The profile version, adopted explicitly: the city's 陈述申辩 period, the county's own review.
    let before = audit_entries(cc);
    let adopted = call(cc, "down.apply", json!({"id": pv["id"]}));
    assert_eq!(audit_entries(cc), before + 1);
    assert!(
        adopted["outcome"]
            .as_str()
            .unwrap()
            .contains("保留本单位自行修改的"),
        "{adopted}"
    );
    let p = call(cc, "profile.get", json!({}));
    assert_eq!(p["statement_days"], 3);
    assert_eq!(p["legal_review_days"], 12);
    assert_eq!(p["preset"], "Jinan");
    assert!(pending(cc).is_empty());

    // --- Later changes at the city: the pharmacy renamed (the county keeps its own name); the
    // hospital's 法定代表人 changed (the county's own telephone, kept before, stays its own).
    let mut h2 = institution(ci, HOSPITAL).unwrap();
    h2["legal_rep"] = json!("王某");
    call(ci, "institution.update", h2);
    call(
        ci,
        "down.publish",
        json!({"kind": "Institution", "codes": [HOSPITAL]}),
    );
    let pharmacy = institution(ci, PHARMACY).unwrap();
    let mut renamed = pharmacy.clone();
    renamed["name"] = json!("历下区某连锁大药房");
    call(ci, "institution.update", renamed);
    call(
        ci,
        "down.publish",
        json!({"kind": "Institution", "codes": [PHARMACY], "counties": [COUNTY]}),
    );
    let ack2 = ack_for_county(ci);
    call(cc, "exchange.import", payload(&ack2));
    let list = pending(cc);
    assert_eq!(list.len(), 2, "only the two changes are new: {list:?}");
    let h = item(&list, "Institution", HOSPITAL);
    assert_eq!(change(h, "legal_rep")["own"], false);
    assert_eq!(change(h, "contact")["own"], true, "{h}");
    assert!(h["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["field"] != "address"));
    call(cc, "down.apply", json!({"id": h["id"]}));
    let now = call(cc, "institution.get", json!({"id": hospital}));
    assert_eq!(now["legal_rep"], "王某");
    assert_eq!(now["contact"], "0531-11111111");
    let k = item(&list, "Institution", PHARMACY);
    assert_eq!(change(k, "name")["new"], "历下区某连锁大药房");
    let kept = call(
        cc,
        "down.keep",
        json!({"id": k["id"], "note": "以本局核实的名称为准"}),
    );
    assert_eq!(kept["status"], "Kept");
    assert_eq!(institution(cc, PHARMACY).unwrap()["name"], "历下区某大药房");

    // Replays: the newer acknowledgement again, and the older one after it, change nothing.
    let snap = dump(cc);
    let entries = audit_entries(cc);
    call(cc, "exchange.import", payload(&ack2));
    call(cc, "exchange.import", payload(&ack1));
    assert_eq!(
        dump(cc),
        snap,
        "a replay or an older acknowledgement changes nothing"
    );
    assert_eq!(audit_entries(cc), entries);
    // Everything the county decided is in its log, and the log verifies.
    let all = call(cc, "down.list", json!({"all": true}));
    assert_eq!(all.as_array().unwrap().len(), 7);
    let v = call(cc, "audit.verify", json!({"full": true}));
    assert_eq!(v["ok"], true, "{v}");

    // The county's decisions go up with its next bundle; the city reads them in its replica.
    let f = call(cc, "exchange.export", json!({}));
    call(ci, "exchange.import", payload(&b64(&f)));
    let seen = call(
        ci,
        "county.read",
        json!({"code": COUNTY, "command": "down.list", "payload": {"all": true}}),
    );
    let seen = seen.as_array().unwrap();
    assert_eq!(seen.len(), 7);
    let rename = seen.iter().find(|i| i["status"] == "Kept").unwrap();
    assert!(rename["outcome"]
        .as_str()
        .unwrap()
        .contains("以本局核实的名称为准"));
}

#[test]
fn publications_reach_only_the_counties_addressed_and_an_older_acknowledgement_after_a_newer_one_changes_nothing(
) {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let other = OfficeBuilder::new("370103", "市中区医疗保障局")
        .preset("Jinan")
        .init(Core::open(&dir.path().join("other.db")).unwrap());
    let city = city_at(&dir.path().join("city.db"));
    let ci = &city.core;
    pair_as(&county.core, COUNTY, "历下区医疗保障局", ci);
    pair_as(&other.core, "370103", "市中区医疗保障局", ci);
    for c in [&county.core, &other.core] {
        let f = call(c, "exchange.export", json!({}));
        call(ci, "exchange.import", payload(&b64(&f)));
    }
    city.institution("H37010300001", "市中区某医院");
    call(
        ci,
        "down.publish",
        json!({"kind": "Institution", "counties": ["370103"]}),
    );
    // This county's acknowledgement carries nothing down (and stays a plain acknowledgement).
    let ack = ack_for_county(ci);
    let r = call(&county.core, "exchange.import", payload(&ack));
    assert!(!r["summary"].as_str().unwrap().contains("下发"), "{r}");
    assert!(institution(&county.core, "H37010300001").is_none());
    // The other county's does.
    let ack = b64(&call(ci, "exchange.ack", json!({"code": "370103"})));
    call(&other.core, "exchange.import", payload(&ack));
    assert!(institution(&other.core, "H37010300001").is_some());
    // Not addressed: the 机构编码 names its county (H + 行政区划代码 + sequence), so it goes there only.
    city.institution("H37010300002", "市中区另一医院");
    let out = call(
        ci,
        "down.publish",
        json!({"kind": "Institution", "codes": ["H37010300002"]}),
    );
    assert!(
        out["summary"].as_str().unwrap().contains("机构编码所属"),
        "{out}"
    );
    call(
        &county.core,
        "exchange.import",
        payload(&ack_for_county(ci)),
    );
    assert!(institution(&county.core, "H37010300002").is_none());
    let ack = b64(&call(ci, "exchange.ack", json!({"code": "370103"})));
    call(&other.core, "exchange.import", payload(&ack));
    assert!(institution(&other.core, "H37010300002").is_some());

    // Reordered delivery: an institution sent to every county (acknowledgement A), then renamed and
    // sent again (B). This county gets B first: the renamed one is added; A afterwards is older
    // for that 机构编码 and changes nothing.
    let cc = &county.core;
    city.institution("H37010200031", "历下区某卫生院");
    call(
        ci,
        "down.publish",
        json!({"kind": "Institution", "codes": ["H37010200031"]}),
    );
    let a = ack_for_county(ci);
    let mut renamed = institution(ci, "H37010200031").unwrap();
    renamed["name"] = json!("历下区某社区卫生服务中心");
    call(ci, "institution.update", renamed);
    call(
        ci,
        "down.publish",
        json!({"kind": "Institution", "codes": ["H37010200031"]}),
    );
    let b = ack_for_county(ci);
    call(cc, "exchange.import", payload(&b));
    assert_eq!(
        institution(cc, "H37010200031").unwrap()["name"],
        "历下区某社区卫生服务中心"
    );
    let snap = dump(cc);
    let entries = audit_entries(cc);
    let r = call(cc, "exchange.import", payload(&a));
    assert_eq!(r["applied"], 0, "{r}");
    assert_eq!(
        dump(cc),
        snap,
        "the older acknowledgement after the newer one"
    );
    assert_eq!(audit_entries(cc), entries);
    assert!(pending(cc).is_empty());
}
