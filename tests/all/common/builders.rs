//! Builders for the scenario tests: an office with its officers, the institutions and insured
//! persons it deals with, and a case taken step by step through the procedure, e.g.
//!
//! ```ignore
//! let o = Office::tianjin();
//! let inst = o.institution("H12010100001", "和平区某医院");
//! let case = CaseBuilder::agreement(&o, inst)
//!     .filed("2026-01-05")
//!     .finding("虚记住院费用", "服务协议第二十条", "0")
//!     .evidence("电子数据", "结算数据导出", "2026-01-05")
//!     .line(json!({"fund": "职工基本医保", "year_kind": "历年", "amount_due": "1000"}))
//!     .notified("2026-01-12")
//!     .served("2026-01-13")
//!     .waived("2026-01-14")
//!     .decided("2026-01-20", "2026-03-06");
//! ```
//!
//! Everything goes through `Core::call` with the JSON a host sends, each step at once (so a test
//! can stop anywhere, look, and go on). The defaults are what the scenario tests spelt out by hand;
//! the builders and the steps with defaults (notified, served, waived, legal_reviewed, decided,
//! decision_served) take extra fields (`with`, `…_with`) that replace them (`null` removes one);
//! the other steps take every value as an argument.

use recoup::api::Core;
use serde_json::{json, Value};

use super::{call, id};

/// `base` (an object) with the fields of `extra` (an object or null) set; a null field removes it.
pub fn merged(mut base: Value, extra: Value) -> Value {
    let fields = base.as_object_mut().expect("a JSON object");
    match extra {
        Value::Null => {}
        Value::Object(extra) => {
            for (k, v) in extra {
                if v.is_null() {
                    fields.remove(&k);
                } else {
                    fields.insert(k, v);
                }
            }
        }
        other => panic!("extra fields must be a JSON object: {other}"),
    }
    base
}

// ---------------------------------------------------------------------------------------------
// Office and officers

/// The officers a case needs (001 art. 32; the sign-off rows of 004 附件1; 001 art. 40).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Post {
    /// 承办人 (the case's handler, first signature).
    Handler,
    /// The second officer of an administrative case (001 art. 32(二)).
    CoHandler,
    /// 复核人 (second signature).
    Reviewer,
    /// 审批人 (third signature; chairs the collective review).
    Approver,
    /// 法制审核人员: a reviewer outside the investigation (行政处罚法 art. 58; 001 art. 40).
    Legal,
}

struct Officer {
    post: Post,
    username: String,
    display_name: String,
    roles: Value,
}

/// The username of the first administrator every built office has (all five roles).
pub const ADMIN: &str = "admin";

/// Builds an [`Office`]: `office.init` (with its administrator, logged in), then one `user.create`
/// per officer, in order.
pub struct OfficeBuilder {
    code: String,
    name: String,
    level: Option<String>,
    password: String,
    officers: Vec<Officer>,
    stem: String,
    address: String,
    phone: String,
    preset: Option<String>,
}

/// An office set up through the API, with the ids of its officers (0 for a post the office was
/// built without).
pub struct Office {
    pub core: Core,
    pub handler: i64,
    pub co_handler: i64,
    pub reviewer: i64,
    pub approver: i64,
    pub legal: i64,
    /// 机关代字 stem of the default document numbers (和医保 → 和医保协告〔2026〕1号).
    pub stem: String,
    /// Address and phone of the institutions made by [`Office::institution`].
    pub address: String,
    pub phone: String,
}

impl OfficeBuilder {
    /// A county office with the usual five officers: 张三 (handler), 李四 (co-handler), 王五
    /// (reviewer), 赵六 (approver) and 钱七 (legal reviewer, role Reviewer); password secret123.
    pub fn new(code: &str, name: &str) -> Self {
        let officer = |post, username: &str, display_name: &str, role: &str| Officer {
            post,
            username: username.into(),
            display_name: display_name.into(),
            roles: json!([role]),
        };
        OfficeBuilder {
            code: code.into(),
            name: name.into(),
            level: Some("county".into()),
            password: "secret123".into(),
            officers: vec![
                officer(Post::Handler, "zhang", "张三", "Handler"),
                officer(Post::CoHandler, "li", "李四", "Handler"),
                officer(Post::Reviewer, "wang", "王五", "Reviewer"),
                officer(Post::Approver, "zhao", "赵六", "Approver"),
                officer(Post::Legal, "qian", "钱七", "Reviewer"),
            ],
            stem: "医保".into(),
            address: String::new(),
            phone: String::new(),
            preset: None,
        }
    }

    /// The rule set the office picks at first run (`office.init`'s `preset`; none: national base).
    pub fn preset(mut self, preset: &str) -> Self {
        self.preset = Some(preset.into());
        self
    }

    /// 天津市和平区医疗保障局 (120101); institutions on 南京路, numbers 和医保….
    pub fn tianjin() -> Self {
        Self::new("120101", "天津市和平区医疗保障局")
            .preset("Tianjin")
            .numbers("和医保")
            .institutions_at("天津市和平区南京路1号", "022-23333333")
    }

    /// 河源市源城区医疗保障局 (441602); numbers 源医保….
    pub fn heyuan() -> Self {
        Self::new("441602", "河源市源城区医疗保障局")
            .preset("Heyuan")
            .numbers("源医保")
            .institutions_at("河源市源城区1号", "0762-3333333")
    }

    /// The `level` of `office.init` (county by default; None leaves it out).
    pub fn level(mut self, level: Option<&str>) -> Self {
        self.level = level.map(Into::into);
        self
    }

    pub fn password(mut self, password: &str) -> Self {
        self.password = password.into();
        self
    }

    /// Only these posts get an officer (in the order of [`OfficeBuilder::new`]).
    pub fn only(mut self, posts: &[Post]) -> Self {
        self.officers.retain(|o| posts.contains(&o.post));
        self
    }

    /// Another officer for `post` (in its place), or one more at the end if the post was left out.
    pub fn officer(mut self, post: Post, username: &str, display_name: &str, roles: Value) -> Self {
        let officer = Officer {
            post,
            username: username.into(),
            display_name: display_name.into(),
            roles,
        };
        match self.officers.iter_mut().find(|o| o.post == post) {
            Some(o) => *o = officer,
            None => self.officers.push(officer),
        }
        self
    }

    /// The stem of the default document numbers.
    pub fn numbers(mut self, stem: &str) -> Self {
        self.stem = stem.into();
        self
    }

    /// Address and phone of the institutions made by [`Office::institution`].
    pub fn institutions_at(mut self, address: &str, phone: &str) -> Self {
        self.address = address.into();
        self.phone = phone.into();
        self
    }

    /// In a fresh in-memory database.
    pub fn open(self) -> Office {
        self.init(Core::open_in_memory().unwrap())
    }

    /// In `core` (a database file, say).
    pub fn init(self, core: Core) -> Office {
        let mut office = json!({"code": self.code, "name": self.name});
        if let Some(level) = &self.level {
            office["level"] = json!(level);
        }
        if let Some(preset) = &self.preset {
            office["preset"] = json!(preset);
        }
        // The tests act as the first administrator, who here holds every role (a small office's
        // clerk of all trades); the officers below are the people who sign.
        super::init_office(&core, office, &self.password);
        let mut o = Office {
            core,
            handler: 0,
            co_handler: 0,
            reviewer: 0,
            approver: 0,
            legal: 0,
            stem: self.stem,
            address: self.address,
            phone: self.phone,
        };
        for officer in self.officers {
            let user = id(&call(
                &o.core,
                "user.create",
                json!({"username": officer.username, "display_name": officer.display_name,
                       "roles": officer.roles, "password": self.password,
                       "cert_no": format!("执法证{}", officer.username),
                       "cert_expires": super::CERT_EXPIRES}),
            ));
            *match officer.post {
                Post::Handler => &mut o.handler,
                Post::CoHandler => &mut o.co_handler,
                Post::Reviewer => &mut o.reviewer,
                Post::Approver => &mut o.approver,
                Post::Legal => &mut o.legal,
            } = user;
        }
        o
    }
}

impl Office {
    /// [`OfficeBuilder::tianjin`], opened.
    pub fn tianjin() -> Office {
        OfficeBuilder::tianjin().open()
    }

    /// The three signatures: handler, reviewer, approver (GLOSSARY; 004 附件1).
    pub fn signoff(&self) -> Value {
        json!({"handler_id": self.handler, "reviewer_id": self.reviewer, "approver_id": self.approver})
    }

    /// A medical institution with an active agreement, at the office's address (legal
    /// representative 陈某).
    pub fn institution(&self, code: &str, name: &str) -> i64 {
        self.institution_with(code, name, Value::Null)
    }

    pub fn institution_with(&self, code: &str, name: &str, extra: Value) -> i64 {
        InstitutionBuilder::new(code, name)
            .with(
                json!({"address": self.address, "legal_rep": "陈某", "contact": self.phone,
                         "agreement_status": "Active"}),
            )
            .with(extra)
            .create(&self.core)
    }
}

// ---------------------------------------------------------------------------------------------
// Parties

/// `institution.create`: a medical institution (统一社会信用代码 91350100M000100Y43); the other
/// fields are left out unless set (the API takes them as empty, the agreement as active).
pub struct InstitutionBuilder {
    payload: Value,
}

impl InstitutionBuilder {
    pub fn new(code: &str, name: &str) -> Self {
        InstitutionBuilder {
            payload: json!({"code": code, "name": name, "kind": "MedicalInstitution",
                            "credit_code": "91350100M000100Y43"}),
        }
    }

    pub fn with(mut self, extra: Value) -> Self {
        self.payload = merged(self.payload, extra);
        self
    }

    /// The request, for `institution.update` or an import.
    pub fn payload(&self) -> Value {
        self.payload.clone()
    }

    pub fn create(self, c: &Core) -> i64 {
        id(&call(c, "institution.create", self.payload))
    }
}

/// `insured.create`: 王某, 11010519491231002X, unless set otherwise.
pub struct InsuredBuilder {
    payload: Value,
}

impl InsuredBuilder {
    pub fn new() -> Self {
        InsuredBuilder {
            payload: json!({"id_number": "11010519491231002X", "name": "王某"}),
        }
    }

    /// 参保类别 (居民, 职工, …).
    pub fn scheme(self, scheme: &str) -> Self {
        self.with(json!({ "scheme": scheme }))
    }

    pub fn phone(self, phone: &str) -> Self {
        self.with(json!({ "phone": phone }))
    }

    pub fn address(self, address: &str) -> Self {
        self.with(json!({ "address": address }))
    }

    pub fn with(mut self, extra: Value) -> Self {
        self.payload = merged(self.payload, extra);
        self
    }

    pub fn create(self, c: &Core) -> i64 {
        id(&call(c, "insured.create", self.payload))
    }
}

/// Whom a case is against.
#[derive(Debug, Clone, Copy)]
pub enum Party {
    Institution(i64),
    Insured(i64),
}

/// An insured person's id, as the party of a case.
#[derive(Debug, Clone, Copy)]
pub struct Insured(pub i64);

impl From<i64> for Party {
    fn from(institution: i64) -> Party {
        Party::Institution(institution)
    }
}

impl From<Insured> for Party {
    fn from(person: Insured) -> Party {
        Party::Insured(person.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Cases

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Track {
    Agreement,
    Administrative,
}

/// A case before it is filed: `case.create`'s request.
pub struct CaseBuilder<'o> {
    office: &'o Office,
    track: Track,
    payload: Value,
}

impl<'o> CaseBuilder<'o> {
    /// 协议处理 against an institution: source 审核结算, summary 虚记住院费用, one officer (the
    /// handler).
    pub fn agreement(office: &'o Office, institution: i64) -> Self {
        CaseBuilder {
            office,
            track: Track::Agreement,
            payload: json!({"track": "协议处理", "institution_id": institution, "source": "审核结算",
                            "summary": "虚记住院费用", "handler_id": office.handler}),
        }
    }

    /// 行政执法 against an institution or an insured person (`Insured(id)`): source 监督检查,
    /// summary 串换药品, two officers (001 art. 32(二)).
    pub fn administrative(office: &'o Office, party: impl Into<Party>) -> Self {
        let mut payload = json!({"track": "行政执法", "source": "监督检查", "summary": "串换药品",
                                 "handler_id": office.handler, "co_handler_id": office.co_handler});
        match party.into() {
            Party::Institution(i) => payload["institution_id"] = json!(i),
            Party::Insured(p) => payload["insured_id"] = json!(p),
        }
        CaseBuilder {
            office,
            track: Track::Administrative,
            payload,
        }
    }

    pub fn source(self, source: &str) -> Self {
        self.with(json!({ "source": source }))
    }

    pub fn summary(self, summary: &str) -> Self {
        self.with(json!({ "summary": summary }))
    }

    /// Other fields of `case.create` (a lead, another handler, …).
    pub fn with(mut self, extra: Value) -> Self {
        self.payload = merged(self.payload, extra);
        self
    }

    /// `case.create`, filed on `filed_on`.
    pub fn filed(self, filed_on: &str) -> Case<'o> {
        let payload = merged(self.payload, json!({ "filed_on": filed_on }));
        let detail = call(&self.office.core, "case.create", payload);
        Case {
            office: self.office,
            track: self.track,
            id: id(&detail["case"]),
            detail,
            notice_service: None,
            decision_service: None,
        }
    }
}

/// A filed case. Each step is one call, made at once; `detail` is the answer of the last one.
pub struct Case<'o> {
    pub office: &'o Office,
    track: Track,
    pub id: i64,
    pub detail: Value,
    notice_service: Option<Value>,
    decision_service: Option<Value>,
}

impl<'o> Case<'o> {
    fn core(&self) -> &'o Core {
        &self.office.core
    }

    fn step(mut self, cmd: &str, payload: Value) -> Self {
        self.detail = call(self.core(), cmd, payload);
        self
    }

    /// A document number of the office's style, numbered with the case id: `kind` 协告 gives
    /// 和医保协告〔2026〕1号 for case 1 notified in 2026.
    fn number(&self, kind: &str, on: &str) -> String {
        format!("{}{kind}〔{}〕{}号", self.office.stem, &on[..4], self.id)
    }

    /// `finding.add`: the violation found (001 art. 22: facts, reasons and basis).
    pub fn finding(self, description: &str, rule_broken: &str, amount: &str) -> Self {
        let payload = json!({"case_id": self.id, "description": description,
                             "rule_broken": rule_broken, "amount": amount});
        self.step("finding.add", payload)
    }

    /// `evidence.add` (001 art. 37: one of the eight kinds).
    pub fn evidence(self, kind: &str, description: &str, collected_on: &str) -> Self {
        let payload = json!({"case_id": self.id, "kind": kind, "description": description,
                             "collected_on": collected_on});
        self.step("evidence.add", payload)
    }

    /// `recovery.add_line` with these fields (fund, year_kind, category, amount_due).
    pub fn line(self, line: Value) -> Self {
        let payload = merged(line, json!({"case_id": self.id}));
        self.step("recovery.add_line", payload)
    }

    /// `case.notify` (告知书, 001 art. 22) issued on `issued_on`, signed by the office's three
    /// officers, numbered …协告〔year〕<case id>号 (agreement, no measures proposed) or
    /// …告〔year〕<case id>号 (administrative).
    pub fn notified(self, issued_on: &str) -> Self {
        self.notified_with(issued_on, Value::Null)
    }

    pub fn notified_with(self, issued_on: &str, extra: Value) -> Self {
        let mut payload = json!({"case_id": self.id, "issued_on": issued_on,
                                 "signoff": self.office.signoff()});
        match self.track {
            Track::Agreement => {
                payload["document_number"] = json!(self.number("协告", issued_on));
                payload["proposed_measures"] = json!([]);
            }
            Track::Administrative => {
                payload["document_number"] = json!(self.number("告", issued_on));
            }
        }
        let mut case = self.step("case.notify", merged(payload, extra));
        case.notice_service = Some(case.detail["notification"]["service_id"].clone());
        case
    }

    /// `case.serve` of the 告知书: served in person (直接送达) on 陈某.
    pub fn served(self, served_on: &str) -> Self {
        self.served_with(served_on, Value::Null)
    }

    pub fn served_with(self, served_on: &str, extra: Value) -> Self {
        let service = match &self.notice_service {
            Some(s) => s.clone(),
            None => call(self.core(), "case.get", json!({"id": self.id}))["notification"]
                ["service_id"]
                .clone(),
        };
        self.serve(service, served_on, extra)
    }

    fn serve(self, service: Value, served_on: &str, extra: Value) -> Self {
        let payload = json!({"service_id": service, "method": "Direct", "served_on": served_on,
                             "recipient": "陈某"});
        self.step("case.serve", merged(payload, extra))
    }

    /// `case.statement`: the party waives its statement in writing (放弃, 001 art. 22).
    pub fn waived(self, on: &str) -> Self {
        self.waived_with(on, Value::Null)
    }

    pub fn waived_with(self, on: &str, extra: Value) -> Self {
        let payload =
            json!({"case_id": self.id, "kind": "放弃", "on": on, "summary": "书面放弃陈述申辩"});
        self.step("case.statement", merged(payload, extra))
    }

    /// `case.statement`: the party's statement and defence (陈述申辩, 001 art. 22).
    pub fn stated(self, on: &str, summary: &str) -> Self {
        let payload = json!({"case_id": self.id, "kind": "陈述申辩", "on": on, "summary": summary});
        self.step("case.statement", payload)
    }

    /// `case.submit_legal_review` by the handler (001 art. 40).
    pub fn submitted_for_legal_review(self, on: &str) -> Self {
        let payload = json!({"case_id": self.id, "on": on, "actor_id": self.office.handler});
        self.step("case.submit_legal_review", payload)
    }

    /// `case.legal_review` passed (同意) by the office's legal reviewer (001 art. 40).
    pub fn legal_reviewed(self, on: &str) -> Self {
        self.legal_reviewed_with(on, Value::Null)
    }

    pub fn legal_reviewed_with(self, on: &str, extra: Value) -> Self {
        let payload = json!({"case_id": self.id, "reviewer_id": self.office.legal, "on": on,
                             "passed": true, "opinion": "同意"});
        self.step("case.legal_review", merged(payload, extra))
    }

    /// `case.collective_review` (集体讨论, 001 art. 21) chaired by the approver with 赵六, 王五 and
    /// 孙八, agreeing.
    pub fn collectively_reviewed(self, on: &str, conclusion: &str, minutes_ref: &str) -> Self {
        let payload = json!({"case_id": self.id, "on": on, "chair_id": self.office.approver,
                             "participants": ["赵六", "王五", "孙八"], "conclusion": conclusion,
                             "agreed": true, "minutes_ref": minutes_ref});
        self.step("case.collective_review", payload)
    }

    /// `case.decide` on `decided_on`, to be paid by `payment_due`, signed by the three officers:
    /// a 协议处理决定 numbered …协决〔year〕<case id>号 with no measures, or a 行政处罚决定
    /// numbered …罚〔year〕<case id>号.
    pub fn decided(self, decided_on: &str, payment_due: &str) -> Self {
        self.decided_with(decided_on, json!({ "payment_due": payment_due }))
    }

    /// `case.decide` with these fields besides the date, kind, number and sign-off (no
    /// `payment_due` unless given).
    pub fn decided_with(self, decided_on: &str, extra: Value) -> Self {
        let mut payload = json!({"case_id": self.id, "decided_on": decided_on,
                                 "signoff": self.office.signoff()});
        match self.track {
            Track::Agreement => {
                payload["kind"] = json!("协议处理决定");
                payload["document_number"] = json!(self.number("协决", decided_on));
                payload["measures"] = json!([]);
            }
            Track::Administrative => {
                payload["kind"] = json!("行政处罚决定");
                payload["document_number"] = json!(self.number("罚", decided_on));
            }
        }
        let mut case = self.step("case.decide", merged(payload, extra));
        let kind = case.detail["decision"]["kind"].clone();
        case.decision_service = Some(case.service(kind.as_str().expect("decision kind")));
        case
    }

    /// `case.serve` of the decision (决定书): in person, on 陈某.
    pub fn decision_served(self, served_on: &str) -> Self {
        self.decision_served_with(served_on, Value::Null)
    }

    pub fn decision_served_with(self, served_on: &str, extra: Value) -> Self {
        let service = self
            .decision_service
            .clone()
            .expect("decided through the builder");
        self.serve(service, served_on, extra)
    }

    /// `case.report_city`: the agency's decision reported to the city bureau (001 art. 24).
    pub fn reported(self, on: &str) -> Self {
        let payload = json!({"case_id": self.id, "on": on});
        self.step("case.report_city", payload)
    }

    /// The service id of `document` (StatementNotice, PenaltyDecision, …) in the last answer.
    pub fn service(&self, document: &str) -> Value {
        service_of(&self.detail, document)
    }
}

/// The service id of `document` in a case detail.
pub fn service_of(detail: &Value, document: &str) -> Value {
    detail["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["document"] == document)
        .unwrap_or_else(|| panic!("no {document} to serve in {detail}"))["id"]
        .clone()
}
