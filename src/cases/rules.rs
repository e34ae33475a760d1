//! Rule sets (issue 9): which rules bind the office and what each one cites.
//!
//! National law is the base everywhere (`assets/rules/national.json`: 国务院令第735号, 国家医保局令
//! 第2–5号, 行政处罚法, 行政强制法, 社会保险法 …). A province's or city's document is a **preset** over
//! that base, shipped as data with its full title and 文号 (`assets/rules/<preset>.json`): 吉林
//! (seed 000, 吉医保联〔2021〕9号), 天津 (seed 004), 山东·济南 (seed 002) and 广东·河源 (seed 001, a
//! draft for comment: its numbers serve as defaults, its citations fall back to national law, 令第2/3号
//! and the service agreement). Each preset is one table: rule → values → citation.
//!
//! The invariant: **every citation a user sees comes from the rule set** — the office's
//! (`RuleProfile::citations`, picked at first run and editable, audited) or, for a case, the one in
//! force when it was filed (`case_file.rule_set_id`, migration 0013). Code never spells a regional
//! document; `tests/all/rule_sets.rs` scans the sources for it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::store::{now_text, Tx};

/// Declares the rules once: the enum and `Rule::ALL`, in the same order.
macro_rules! rules {
    ($($rule:ident),* $(,)?) => {
        /// One rule whose citation the office's rule set gives.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
        pub enum Rule {
            $($rule),*
        }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$rule),*];
        }
    };
}

rules! {
    LeadCheck,
    Complaint,
    TwoOfficers,
    Evidence,
    EvidenceRegistration,
    Sealing,
    NoticeFacts,
    StatementRight,
    LegalReview,
    CollectiveReview,
    AgreementCollectiveReview,
    AgreementMeasures,
    TerminationBan,
    CityReport,
    CityApproval,
    RefundOrder,
    RecoveryNotice,
    DecisionDocument,
    RecoveryTerms,
    UnknownFundSplit,
    PaymentProof,
    FiscalReceipt,
    Offset,
    OffsetOnRequest,
    Overdue,
    ErroneousRefund,
    Accounting,
    AppRefund,
    Demand,
    PaymentExtension,
    CrossRegion,
}

impl Rule {
    /// The profile values this rule governs (shown next to it in a preset's table).
    pub fn values(self) -> &'static [&'static str] {
        use Rule::*;
        match self {
            LeadCheck => &["lead_check_days", "lead_check_extension_days"],
            EvidenceRegistration => &["evidence_registration_days"],
            Sealing => &["sealing_days", "sealing_extension_days"],
            StatementRight => &["statement_days"],
            LegalReview => &["legal_review_days"],
            CollectiveReview | AgreementCollectiveReview => &["collective_review_threshold"],
            CityReport => &["city_report_days"],
            PaymentProof => &["payment_proof_days"],
            Offset | OffsetOnRequest => &["offset_policy"],
            UnknownFundSplit => &["unknown_fund_split"],
            _ => &[],
        }
    }
}

crate::labels!(Rule {
    LeadCheck => "线索核查及其期限",
    Complaint => "举报线索的受理和处理",
    TwoOfficers => "两名以上执法人员、出示执法证件",
    Evidence => "证据种类及查证属实",
    EvidenceRegistration => "先行登记保存及处理期限",
    Sealing => "封存及其期限",
    NoticeFacts => "告知拟处理内容及事实、理由、依据",
    StatementRight => "陈述申辩权利及其期限",
    LegalReview => "法制审核",
    CollectiveReview => "集体讨论（行政执法）",
    AgreementCollectiveReview => "集体讨论（协议处理）",
    AgreementMeasures => "协议处理措施（违约金、中止、解除等）",
    TerminationBan => "解除服务协议后不得重新签订",
    CityReport => "协议处理决定报上级备案",
    CityApproval => "重大事项报市级医保部门审批或备案",
    RefundOrder => "责令退款通知书",
    RecoveryNotice => "追回医保基金通知书",
    DecisionDocument => "处理（处罚）决定书",
    RecoveryTerms => "追回通知单载明险种、金额、时限和账户",
    UnknownFundSplit => "险种无法细分时按职工和居民5：5分摊",
    PaymentProof => "缴款及缴款凭证送达期限",
    FiscalReceipt => "以财政票据作为追回的最终凭据",
    Offset => "抵扣结算基金",
    OffsetOnRequest => "抵扣须在退缴时限内申请并经审核同意",
    Overdue => "逾期不退款的处理",
    ErroneousRefund => "退款有误的退还和重新缴款",
    Accounting => "追回基金的账务处理",
    AppRefund => "参保人员通过医保APP退回",
    Demand => "催告及申请人民法院强制执行",
    PaymentExtension => "因不可抗力等特殊情况延长退款期限",
    CrossRegion => "跨省异地就医追回资金返回参保地、冲减异地就医结算费用",
});

/// The presets shipped with Recoup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum RulePreset {
    #[default]
    #[serde(alias = "全国通用（国家法律法规）", alias = "全国通用", alias = "国家")]
    National,
    #[serde(alias = "吉林省", alias = "吉林")]
    Jilin,
    #[serde(alias = "天津市", alias = "天津")]
    Tianjin,
    #[serde(alias = "山东省济南市", alias = "济南市", alias = "济南")]
    Jinan,
    #[serde(alias = "广东省河源市", alias = "河源市", alias = "河源")]
    Heyuan,
}

crate::labels!(RulePreset {
    National => "全国通用（国家法律法规）",
    Jilin => "吉林省",
    Tianjin => "天津市",
    Jinan => "山东省济南市",
    Heyuan => "广东省河源市",
});

/// When the agency may deduct money owed from an institution's later settlements (抵扣): a rule the
/// preset decides (issue 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum OffsetPolicy {
    /// On the institution's request within the refund deadline, once the agency approved (seed 004
    /// art. 10).
    #[default]
    OnRequestWithinDeadline,
    /// When the institution let the deadline pass (无故、恶意拖延), without a request (seed 000
    /// art. 7).
    AfterOverdue,
}

crate::labels!(OffsetPolicy {
    OnRequestWithinDeadline => "退缴时限内经申请并审核同意后抵扣",
    AfterOverdue => "逾期不退（无故、恶意拖延）时抵扣拨付基金",
});

/// The regional document a preset is drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PresetDocument {
    pub title: String,
    /// 文号; empty when the document has none.
    pub number: String,
    pub issuer: String,
    pub date: chrono::NaiveDate,
    /// A draft for comment binds nobody: never cited.
    pub draft: bool,
}

/// A preset as shipped (`assets/rules/*.json`): values over the defaults and citations over the
/// national base.
#[derive(Debug, Clone, Deserialize)]
struct PresetFile {
    preset: RulePreset,
    name: String,
    /// The 行政区划代码 prefixes the preset is made for (省 "22", 市 "3701").
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    document: Option<PresetDocument>,
    note: String,
    values: serde_json::Map<String, serde_json::Value>,
    citations: BTreeMap<Rule, String>,
}

const FILES: &[&str] = &[
    include_str!("../../assets/rules/national.json"),
    include_str!("../../assets/rules/jilin.json"),
    include_str!("../../assets/rules/tianjin.json"),
    include_str!("../../assets/rules/jinan.json"),
    include_str!("../../assets/rules/heyuan.json"),
];

fn files() -> &'static [PresetFile] {
    static PARSED: OnceLock<Vec<PresetFile>> = OnceLock::new();
    PARSED.get_or_init(|| {
        FILES
            .iter()
            .map(|f| serde_json::from_str(f).expect("assets/rules: a preset file does not parse"))
            .collect()
    })
}

fn file(p: RulePreset) -> &'static PresetFile {
    files()
        .iter()
        .find(|f| f.preset == p)
        .expect("assets/rules: every preset has its file")
}

/// The preset made for the region of this 行政区划代码 (the longest prefix that matches), if any:
/// what the first-run set-up suggests (issue 9). The office still chooses.
pub fn suggest(code: &str) -> Option<RulePreset> {
    files()
        .iter()
        .flat_map(|f| f.regions.iter().map(move |r| (r, f.preset)))
        .filter(|(r, _)| code.trim().starts_with(r.as_str()))
        .max_by_key(|(r, _)| r.len())
        .map(|(_, p)| p)
}

/// The national citation table: every rule, "" where no national text fixes it.
pub fn national() -> &'static BTreeMap<Rule, String> {
    &file(RulePreset::National).citations
}

/// A preset's full citation table (national base, then the preset's own lines).
pub fn preset_citations(p: RulePreset) -> BTreeMap<Rule, String> {
    let mut c = national().clone();
    c.extend(file(p).citations.clone());
    c
}

/// A preset's values over `base` (the JSON of a `RuleProfile`).
pub fn preset_values(p: RulePreset) -> &'static serde_json::Map<String, serde_json::Value> {
    &file(p).values
}

/// One line of a preset's table: rule → values → citation.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PresetRow {
    pub rule: Rule,
    /// `name=value` of the profile values the rule governs, in the preset.
    pub values: Vec<PresetValue>,
    /// Empty: no text fixes it; the office's own rule.
    pub citation: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PresetValue {
    pub name: String,
    pub value: String,
}

/// `profile.presets`: every preset with its document and its table.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PresetInfo {
    pub preset: RulePreset,
    pub name: String,
    #[ts(optional = nullable)]
    pub document: Option<PresetDocument>,
    pub note: String,
    pub rows: Vec<PresetRow>,
}

pub fn presets() -> Vec<PresetInfo> {
    files()
        .iter()
        .map(|f| {
            let profile = super::profile::RuleProfile::from_preset(f.preset);
            let json = serde_json::to_value(&profile).unwrap_or_default();
            let citations = preset_citations(f.preset);
            PresetInfo {
                preset: f.preset,
                name: f.name.clone(),
                document: f.document.clone(),
                note: f.note.clone(),
                rows: Rule::ALL
                    .iter()
                    .map(|r| PresetRow {
                        rule: *r,
                        values: r
                            .values()
                            .iter()
                            .map(|n| PresetValue {
                                name: n.to_string(),
                                value: match &json[*n] {
                                    // An enum value is shown by its label, never its identifier.
                                    v if *n == "offset_policy" => {
                                        serde_json::from_value::<OffsetPolicy>(v.clone())
                                            .map(|p| crate::vocab::Labeled::label(&p).to_string())
                                            .unwrap_or_default()
                                    }
                                    serde_json::Value::String(s) => s.clone(),
                                    serde_json::Value::Bool(b) => {
                                        if *b { "适用" } else { "不适用" }.to_string()
                                    }
                                    v => v.to_string(),
                                },
                            })
                            .collect(),
                        citation: citations.get(r).cloned().unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The rule set a matter is handled under: the preset it came from and every rule's citation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RuleSet {
    pub preset: RulePreset,
    /// When an offset may be set up (a rule of the preset).
    #[serde(default)]
    pub offset_policy: OffsetPolicy,
    /// Money whose fund cannot be told is split 5:5 between the employee and resident funds (天津
    /// art. 8); without the rule the fund must be named. Rule sets stored before the rule was a
    /// choice split, as every office did then.
    #[serde(default = "split_before_it_was_a_choice")]
    pub unknown_fund_split: bool,
    #[ts(type = "Partial<Record<Rule, string>>")]
    pub citations: BTreeMap<Rule, String>,
}

/// Rule sets and profiles saved before the 5:5 split was a rule of the preset split.
pub fn split_before_it_was_a_choice() -> bool {
    true
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            preset: RulePreset::National,
            offset_policy: OffsetPolicy::default(),
            unknown_fund_split: false,
            citations: national().clone(),
        }
    }
}

impl RuleSet {
    /// The two halves of money whose fund cannot be told (employee, resident), when the rule set
    /// splits it; else the refusal asking for the fund, naming where the rule is switched on.
    pub fn split_unknown_fund(
        &self,
        amount: crate::money::Money,
        field: &str,
    ) -> Result<(crate::money::Money, crate::money::Money)> {
        if self.unknown_fund_split {
            return Ok(super::split_half(amount));
        }
        Err(ApiError::field(
            field,
            "请选择险种：本单位适用的规则未规定险种无法细分时的分摊办法（如本地规定按职工和居民医保基金5：5分摊，可由管理员在“设置 · 规则配置”中开启）",
        ))
    }
}

impl RuleSet {
    /// The citation of a rule, "" when the rule set gives none.
    pub fn text(&self, r: Rule) -> &str {
        self.citations
            .get(&r)
            .or_else(|| national().get(&r))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    /// `（citation）` to close a sentence, or nothing when the rule set cites no text.
    pub fn cite(&self, r: Rule) -> String {
        match self.text(r) {
            "" => String::new(),
            t => format!("（{t}）"),
        }
    }

    /// `（citation：explanation）`, or `（explanation）` without a citation.
    pub fn cite_with(&self, r: Rule, why: &str) -> String {
        match self.text(r) {
            "" => format!("（{why}）"),
            t => format!("（{t}：{why}）"),
        }
    }

    /// The legal review's citation: 行政处罚法 art. 58 binds the administrative track only; an
    /// agreement matter's review (before a termination) is the office's own rule, cited by nothing.
    pub fn cite_legal_review(&self, track: crate::vocab::Track) -> String {
        match track {
            crate::vocab::Track::Administrative => self.cite(Rule::LegalReview),
            crate::vocab::Track::Agreement => String::new(),
        }
    }

    /// Citations of several rules joined by "；", skipping empty ones, in brackets (or nothing).
    pub fn cite_all(&self, rules: &[Rule]) -> String {
        match self.joined(rules) {
            j if j.is_empty() => j,
            j => format!("（{j}）"),
        }
    }

    /// The citations of `rules`, joined: articles of one document run on after its title once
    /// (《天津…》第九条、第十一条), different documents are separated by "；".
    fn joined(&self, rules: &[Rule]) -> String {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for t in rules
            .iter()
            .map(|r| self.text(*r))
            .filter(|t| !t.is_empty())
        {
            // "《title》（文号）" + "第…条": split where the articles of a single document begin.
            let split = t
                .rfind('》')
                .and_then(|i| t[i..].find('第').map(|j| i + j))
                .filter(|_| !t.contains('；'));
            match split {
                Some(at) => {
                    let (title, article) = t.split_at(at);
                    match out.last_mut() {
                        Some((last, articles)) if last == title && !articles.is_empty() => {
                            if !articles.iter().any(|a| a == article) {
                                articles.push(article.to_string());
                            }
                        }
                        _ => out.push((title.to_string(), vec![article.to_string()])),
                    }
                }
                None => {
                    if !out.iter().any(|(whole, a)| a.is_empty() && whole == t) {
                        out.push((t.to_string(), Vec::new()));
                    }
                }
            }
        }
        out.into_iter()
            .map(|(title, articles)| format!("{title}{}", articles.join("、")))
            .collect::<Vec<_>>()
            .join("；")
    }

    /// The basis of a clock from several rules (joined by "；"), or that the office set it.
    pub fn basis_all(&self, rules: &[Rule]) -> String {
        match self.joined(rules) {
            j if j.is_empty() => "本单位规则配置".to_string(),
            j => j,
        }
    }

    /// The basis of a clock: the citation, or that the office set the rule itself.
    pub fn basis(&self, r: Rule) -> String {
        match self.text(r) {
            "" => "本单位规则配置".to_string(),
            t => t.to_string(),
        }
    }
}

/// The office's rule set now.
pub fn office(conn: &Connection) -> Result<RuleSet> {
    Ok(super::profile::load(conn)?.rule_set())
}

/// The rule set a case was filed under (0013); a case filed before rule sets existed follows the
/// office's current one.
pub fn for_case(conn: &Connection, case_id: i64) -> Result<RuleSet> {
    let data: Option<String> = conn
        .query_row(
            "SELECT r.data FROM case_file c JOIN rule_set r ON r.id = c.rule_set_id WHERE c.id = ?1",
            [case_id],
            |r| r.get(0),
        )
        .optional()?;
    match data {
        Some(d) => parse_stored(&d),
        None => office(conn),
    }
}

/// A stored rule set (0013) by its id.
pub fn stored(conn: &Connection, id: i64) -> Result<RuleSet> {
    let data: String = conn.query_row("SELECT data FROM rule_set WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    parse_stored(&data)
}

/// A stored rule set, with the national citations it did not carry yet.
fn parse_stored(data: &str) -> Result<RuleSet> {
    let mut set: RuleSet = serde_json::from_str(data)
        .map_err(|e| ApiError::internal(format!("案件的规则集无法读取：{e}")))?;
    for (r, t) in national() {
        set.citations.entry(*r).or_insert_with(|| t.clone());
    }
    Ok(set)
}

/// The stored id of the office's rule set in force (one row per distinct rule set), for a new case.
pub fn snapshot(tx: &mut Tx<'_>) -> Result<i64> {
    let set = office(tx)?;
    let data = serde_json::to_string(&set).map_err(|e| ApiError::internal(e.to_string()))?;
    let digest = hex::encode(Sha256::digest(data.as_bytes()));
    if let Some(id) = tx
        .query_row(
            "SELECT id FROM rule_set WHERE digest = ?1",
            [&digest],
            |r| r.get(0),
        )
        .optional()?
    {
        return Ok(id);
    }
    let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM rule_set", [], |r| {
        r.get(0)
    })?;
    tx.execute(
        "INSERT INTO rule_set (id, digest, data, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, digest, data, now_text()],
    )?;
    tx.touch("rule_set", id);
    Ok(id)
}

/// The rule sets of the cases a list touches, each read once (clock sources over many cases).
#[derive(Default)]
pub struct Cache(std::collections::HashMap<i64, RuleSet>);

impl Cache {
    pub fn get(&mut self, conn: &Connection, case_id: i64) -> Result<&RuleSet> {
        if !self.0.contains_key(&case_id) {
            let set = for_case(conn, case_id)?;
            self.0.insert(case_id, set);
        }
        Ok(&self.0[&case_id])
    }

    /// [`RuleSet::basis`] of the case's rule set.
    pub fn basis(&mut self, conn: &Connection, case_id: i64, r: Rule) -> Result<String> {
        Ok(self.get(conn, case_id)?.basis(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_of_one_document_run_on_after_its_title() {
        let tianjin = RuleSet {
            preset: RulePreset::Tianjin,
            offset_policy: OffsetPolicy::default(),
            unknown_fund_split: true,
            citations: preset_citations(RulePreset::Tianjin),
        };
        assert_eq!(
            tianjin.cite_all(&[Rule::PaymentProof, Rule::FiscalReceipt]),
            "（《天津市医疗保障基金追回流程管理办法（试行）》第九条、第十一条）"
        );
        // Different documents stay apart; a document cited twice for the same article once.
        assert_eq!(
            tianjin.basis_all(&[Rule::LeadCheck, Rule::Complaint, Rule::Offset, Rule::OffsetOnRequest]),
            "《医疗保障行政处罚程序暂行规定》（国家医疗保障局令第4号）；《医疗保障基金使用监督管理举报处理暂行办法》（国家医疗保障局令第5号）；《天津市医疗保障基金追回流程管理办法（试行）》第十条"
        );
        assert_eq!(
            RuleSet::default().cite_all(&[Rule::PaymentProof, Rule::FiscalReceipt]),
            ""
        );
        assert_eq!(
            RuleSet::default().basis_all(&[Rule::PaymentProof]),
            "本单位规则配置"
        );
    }
}
