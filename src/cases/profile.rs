//! The rule profile: every value DOMAIN.md marks "(setting)" — provincial or not confirmed — lives
//! here with the default DOMAIN.md gives, editable by the office (`profile.get`, `profile.update`,
//! audited). Every rule reads its value from here; a matter keeps the value in force when its clock
//! started (stored on the row), so that changing the profile never moves a date already notified.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::{now_text, Tx};

use super::rules::{self, Rule, RulePreset, RuleSet};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RuleProfile {
    /// 线索核查: working days to verify a lead (国家医保局令第4号; setting).
    pub lead_check_days: u32,
    /// The one extension of the lead check, working days (setting).
    pub lead_check_extension_days: u32,
    /// 陈述申辩: working days from service of the notice (001 art. 22: 5; some provinces 3).
    pub statement_days: u32,
    /// 听证申请: working days from service to request a hearing (行政处罚法 art. 64: 5).
    pub hearing_request_days: u32,
    /// 听证: a fine on a person at or above this amount must offer a hearing (行政处罚法 art. 63; setting).
    pub hearing_threshold_person: Money,
    /// 听证: a fine on an organisation at or above this amount must offer a hearing (setting).
    pub hearing_threshold_organisation: Money,
    /// 法制审核: working days for the legal review (001 art. 40; setting).
    pub legal_review_days: u32,
    /// 集体讨论: recovery at or above this amount needs a collective review (001 art. 21).
    pub collective_review_threshold: Money,
    /// 作出决定: calendar days from filing (行政处罚法 art. 60).
    pub decision_days: u32,
    /// The one approved extension of the decision period, calendar days (行政处罚法 art. 60).
    pub decision_extension_days: u32,
    /// 送达: working days from the decision (行政处罚法 art. 61).
    pub service_days: u32,
    /// 公告送达: calendar days after publication when the document counts as served.
    pub public_notice_days: u32,
    /// 先行登记保存: working days to decide (001 art. 36; 行政处罚法 art. 85).
    pub evidence_registration_days: u32,
    /// 封存: calendar days (001 art. 36).
    pub sealing_days: u32,
    /// 封存 extension with approval, calendar days (001 art. 36).
    pub sealing_extension_days: u32,
    /// 报市局备案: working days after the agency's breach decision (001 art. 24).
    pub city_report_days: u32,
    /// 缴款凭证: working days after payment to bring the proof (004 art. 9). Used by the ledger.
    pub payment_proof_days: u32,
    /// 罚款缴纳: calendar days from service of the penalty decision (行政处罚法 art. 67). Used by the ledger.
    pub fine_payment_days: u32,
    /// Default of `clock.list`'s `within`: a clock due within this many working days is "due soon".
    pub due_soon_days: u32,
    /// 自动锁定: minutes without any action after which a login session locks (issue 8).
    pub idle_lock_minutes: u32,
    /// 自动备份: how many daily automatic backups are kept (issue 12; the oldest beyond are deleted).
    pub backups_kept: u32,
    /// The preset the office started from (issue 9; `profile.use_preset`).
    pub preset: RulePreset,
    /// When an offset (抵扣) may be set up: a rule the preset decides (天津 on request within the
    /// deadline, seed 004 art. 10; 吉林 after the deadline passed, seed 000 art. 7).
    pub offset_policy: rules::OffsetPolicy,
    /// 险种无法细分时按职工和居民5：5分摊: a rule the preset decides (天津 art. 8); off, the fund
    /// must be named. A profile saved before it was a choice keeps splitting.
    #[serde(default = "rules::split_before_it_was_a_choice")]
    pub unknown_fund_split: bool,
    /// What each rule cites in hints, refusals, clocks and papers: the preset's table, as the office
    /// edited it. A rule missing here cites the national base.
    #[ts(type = "Partial<Record<Rule, string>>")]
    pub citations: BTreeMap<Rule, String>,
}

impl Default for RuleProfile {
    fn default() -> Self {
        RuleProfile {
            lead_check_days: 15,
            lead_check_extension_days: 15,
            statement_days: 5,
            hearing_request_days: 5,
            hearing_threshold_person: Money::yuan(5_000),
            hearing_threshold_organisation: Money::yuan(100_000),
            legal_review_days: 10,
            collective_review_threshold: Money::yuan(50_000),
            decision_days: 90,
            decision_extension_days: 30,
            service_days: 7,
            public_notice_days: 30,
            evidence_registration_days: 7,
            sealing_days: 30,
            sealing_extension_days: 30,
            city_report_days: 3,
            payment_proof_days: 3,
            fine_payment_days: 15,
            due_soon_days: 3,
            idle_lock_minutes: 15,
            backups_kept: 14,
            preset: RulePreset::National,
            offset_policy: rules::OffsetPolicy::default(),
            unknown_fund_split: false,
            citations: rules::national().clone(),
        }
    }
}

impl RuleProfile {
    /// A preset's profile: the defaults, the preset's values over them, its citation table.
    pub fn from_preset(p: RulePreset) -> RuleProfile {
        let mut json = serde_json::to_value(RuleProfile::default()).unwrap_or_default();
        if let Some(obj) = json.as_object_mut() {
            for (k, v) in rules::preset_values(p) {
                obj.insert(k.clone(), v.clone());
            }
        }
        let mut profile: RuleProfile =
            serde_json::from_value(json).expect("assets/rules: preset values fit the profile");
        profile.preset = p;
        profile.citations = rules::preset_citations(p);
        profile
    }

    /// The citations of this profile as a rule set (national text for a rule it lacks).
    pub fn rule_set(&self) -> RuleSet {
        let mut citations = rules::national().clone();
        citations.extend(self.citations.clone());
        RuleSet {
            preset: self.preset,
            offset_policy: self.offset_policy,
            unknown_fund_split: self.unknown_fund_split,
            citations,
        }
    }
}

/// How a profile value is counted (设置 · 规则配置 shows it next to the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum ProfileUnit {
    WorkingDays,
    Days,
    Yuan,
    Minutes,
    Copies,
}

crate::labels!(ProfileUnit { WorkingDays => "个工作日", Days => "日", Yuan => "元", Minutes => "分钟", Copies => "份" });

/// One value of the profile as the settings page shows it: what it is, its unit, the range the
/// core accepts, and where it comes from (`profile.describe`).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ProfileField {
    pub name: &'static str,
    pub label: &'static str,
    pub unit: ProfileUnit,
    /// Smallest and largest accepted value (for amounts: more than zero, no upper bound).
    #[ts(optional = nullable)]
    pub min: Option<u32>,
    #[ts(optional = nullable)]
    pub max: Option<u32>,
    /// The law that fixes the default, or that the office sets it.
    pub source: &'static str,
}

type Count = fn(&RuleProfile) -> u32;
type Amount = fn(&RuleProfile) -> Money;

/// How a value is read from the profile: a count with its range, or an amount above zero.
enum Value {
    Count(Count, u32, u32),
    Amount(Amount),
}

const OWN: &str = "本单位设置";

/// Every value of the profile, in the order of the settings page. The one table of ranges: the
/// core validates against it and the page shows it.
const SPECS: &[(&str, &str, ProfileUnit, Value, &str)] = {
    use ProfileUnit::*;
    &[
        (
            "lead_check_days",
            "线索核查期限",
            WorkingDays,
            Value::Count(|p| p.lead_check_days, 1, 60),
            OWN,
        ),
        (
            "lead_check_extension_days",
            "线索核查延长期限（一次）",
            WorkingDays,
            Value::Count(|p| p.lead_check_extension_days, 0, 60),
            OWN,
        ),
        (
            "statement_days",
            "陈述申辩期限",
            WorkingDays,
            Value::Count(|p| p.statement_days, 3, 15),
            "本单位设置（各地为3至5个工作日）",
        ),
        (
            "hearing_request_days",
            "听证申请期限",
            WorkingDays,
            Value::Count(|p| p.hearing_request_days, 3, 15),
            "《中华人民共和国行政处罚法》第六十四条",
        ),
        (
            "hearing_threshold_person",
            "个人听证金额标准（较大数额罚款）",
            Yuan,
            Value::Amount(|p| p.hearing_threshold_person),
            "本单位设置（按省级规定的较大数额标准）",
        ),
        (
            "hearing_threshold_organisation",
            "单位听证金额标准（较大数额罚款）",
            Yuan,
            Value::Amount(|p| p.hearing_threshold_organisation),
            "本单位设置（按省级规定的较大数额标准）",
        ),
        (
            "legal_review_days",
            "法制审核期限",
            WorkingDays,
            Value::Count(|p| p.legal_review_days, 1, 60),
            OWN,
        ),
        (
            "collective_review_threshold",
            "集体讨论金额标准",
            Yuan,
            Value::Amount(|p| p.collective_review_threshold),
            OWN,
        ),
        (
            "decision_days",
            "作出决定期限（自立案之日起）",
            Days,
            Value::Count(|p| p.decision_days, 30, 365),
            "《中华人民共和国行政处罚法》第六十条",
        ),
        (
            "decision_extension_days",
            "决定期限经批准延长",
            Days,
            Value::Count(|p| p.decision_extension_days, 0, 180),
            OWN,
        ),
        (
            "service_days",
            "决定书送达期限",
            WorkingDays,
            Value::Count(|p| p.service_days, 1, 30),
            "《中华人民共和国行政处罚法》第六十一条",
        ),
        (
            "public_notice_days",
            "公告送达视为送达",
            Days,
            Value::Count(|p| p.public_notice_days, 1, 90),
            "《中华人民共和国民事诉讼法》第九十五条",
        ),
        (
            "evidence_registration_days",
            "先行登记保存处理期限",
            WorkingDays,
            Value::Count(|p| p.evidence_registration_days, 1, 30),
            "《中华人民共和国行政处罚法》第五十六条",
        ),
        (
            "sealing_days",
            "封存期限",
            Days,
            Value::Count(|p| p.sealing_days, 1, 90),
            OWN,
        ),
        (
            "sealing_extension_days",
            "封存期限经批准延长",
            Days,
            Value::Count(|p| p.sealing_extension_days, 0, 90),
            OWN,
        ),
        (
            "city_report_days",
            "报市局备案期限",
            WorkingDays,
            Value::Count(|p| p.city_report_days, 1, 30),
            OWN,
        ),
        (
            "payment_proof_days",
            "缴款凭证送达期限",
            WorkingDays,
            Value::Count(|p| p.payment_proof_days, 1, 30),
            OWN,
        ),
        (
            "fine_payment_days",
            "罚款缴纳期限",
            Days,
            Value::Count(|p| p.fine_payment_days, 1, 90),
            "《中华人民共和国行政处罚法》第六十七条",
        ),
        (
            "due_soon_days",
            "提前提醒天数（工作台“即将到期”）",
            WorkingDays,
            Value::Count(|p| p.due_soon_days, 0, 30),
            OWN,
        ),
        (
            "idle_lock_minutes",
            "无操作自动锁定",
            Minutes,
            Value::Count(|p| p.idle_lock_minutes, 1, 240),
            OWN,
        ),
        (
            "backups_kept",
            "自动备份保留份数",
            Copies,
            Value::Count(|p| p.backups_kept, 1, 365),
            OWN,
        ),
    ]
};

/// `profile.describe`: every value with its unit, range and source.
pub fn describe() -> Vec<ProfileField> {
    SPECS
        .iter()
        .map(|(name, label, unit, value, source)| {
            let (min, max) = match value {
                Value::Count(_, lo, hi) => (Some(*lo), Some(*hi)),
                Value::Amount(_) => (None, None),
            };
            ProfileField {
                name,
                label,
                unit: *unit,
                min,
                max,
                source,
            }
        })
        .collect()
}

impl RuleProfile {
    fn validate(&self) -> Result<()> {
        for (rule, text) in &self.citations {
            let label = crate::vocab::Labeled::label(rule);
            if text.chars().count() > 300 {
                return Err(ApiError::field(
                    "citations",
                    format!("“{label}”的依据过长（最多300个字）"),
                ));
            }
            // A draft for comment binds nobody (issue 9): it is never cited.
            if text.contains("征求意见稿") {
                return Err(ApiError::field(
                    "citations",
                    format!("“{label}”的依据不能引用征求意见稿：征求意见稿尚未生效，请引用现行有效的法律法规或本地正式文件"),
                ));
            }
        }
        for (field, label, unit, value, _) in SPECS {
            match value {
                Value::Count(get, lo, hi) => {
                    let v = get(self);
                    if v < *lo || v > *hi {
                        let unit = match unit {
                            ProfileUnit::Minutes => "分钟",
                            _ => "天",
                        };
                        return Err(ApiError::field(
                            field,
                            format!("{label}应在{lo}至{hi}{unit}之间"),
                        ));
                    }
                }
                Value::Amount(get) => {
                    let v = get(self);
                    if v.is_negative() || v.is_zero() {
                        return Err(ApiError::field(field, format!("{label}应大于零")));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The profile in force (the defaults until the office edits it).
pub fn load(conn: &Connection) -> Result<RuleProfile> {
    let data: Option<String> = conn
        .query_row("SELECT data FROM rule_profile WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    let mut profile: RuleProfile = match data {
        None => RuleProfile::default(),
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| ApiError::internal(format!("规则配置无法读取：{e}")))?,
    };
    // A profile saved before a rule existed cites the national base for it.
    for (r, t) in rules::national() {
        profile.citations.entry(*r).or_insert_with(|| t.clone());
    }
    Ok(profile)
}

/// `profile.use_preset`: the office switches to a preset (first run, or later on the profile page;
/// audited like every write). The preset's values and citations replace the legal ones; the office's
/// own working settings (reminder days, idle lock) stay. Matters already filed keep their rule set.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UsePreset {
    pub preset: RulePreset,
}

pub fn use_preset(tx: &mut Tx<'_>, r: &UsePreset) -> Result<RuleProfile> {
    let old = load(tx)?;
    let mut p = RuleProfile::from_preset(r.preset);
    p.due_soon_days = old.due_soon_days;
    p.idle_lock_minutes = old.idle_lock_minutes;
    p.backups_kept = old.backups_kept;
    update(tx, p)
}

pub fn update(tx: &mut Tx<'_>, p: RuleProfile) -> Result<RuleProfile> {
    p.validate()?;
    let json = serde_json::to_string(&p).map_err(|e| ApiError::internal(e.to_string()))?;
    // Saving the profile as it stands changes nothing (and so appends no audit entry; issue 12).
    let stored: Option<String> = tx
        .query_row("SELECT data FROM rule_profile WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    if stored.as_deref() == Some(json.as_str()) {
        return load(tx);
    }
    tx.execute(
        "INSERT INTO rule_profile (id, data, updated_at) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        rusqlite::params![json, now_text()],
    )?;
    tx.touch("rule_profile", 1);
    load(tx)
}
