//! The rule profile: every value DOMAIN.md marks "(setting)" — provincial or not confirmed — lives
//! here with the default DOMAIN.md gives, editable by the office (`profile.get`, `profile.update`,
//! audited). Every rule reads its value from here; a matter keeps the value in force when its clock
//! started (stored on the row), so that changing the profile never moves a date already notified.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::{now_text, Tx};

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
        }
    }
}

impl RuleProfile {
    fn validate(&self) -> Result<()> {
        let days: &[(&str, &str, u32, u32, u32)] = &[
            (
                "lead_check_days",
                "线索核查期限",
                self.lead_check_days,
                1,
                60,
            ),
            (
                "lead_check_extension_days",
                "线索核查延长期限",
                self.lead_check_extension_days,
                0,
                60,
            ),
            ("statement_days", "陈述申辩期限", self.statement_days, 3, 15),
            (
                "hearing_request_days",
                "听证申请期限",
                self.hearing_request_days,
                3,
                15,
            ),
            (
                "legal_review_days",
                "法制审核期限",
                self.legal_review_days,
                1,
                60,
            ),
            ("decision_days", "作出决定期限", self.decision_days, 30, 365),
            (
                "decision_extension_days",
                "决定延长期限",
                self.decision_extension_days,
                0,
                180,
            ),
            ("service_days", "送达期限", self.service_days, 1, 30),
            (
                "public_notice_days",
                "公告送达期限",
                self.public_notice_days,
                1,
                90,
            ),
            (
                "evidence_registration_days",
                "先行登记保存处理期限",
                self.evidence_registration_days,
                1,
                30,
            ),
            ("sealing_days", "封存期限", self.sealing_days, 1, 90),
            (
                "sealing_extension_days",
                "封存延长期限",
                self.sealing_extension_days,
                0,
                90,
            ),
            (
                "city_report_days",
                "报市局备案期限",
                self.city_report_days,
                1,
                30,
            ),
            (
                "payment_proof_days",
                "缴款凭证送达期限",
                self.payment_proof_days,
                1,
                30,
            ),
            (
                "fine_payment_days",
                "罚款缴纳期限",
                self.fine_payment_days,
                1,
                90,
            ),
            ("due_soon_days", "提前提醒天数", self.due_soon_days, 0, 30),
        ];
        if !(1..=240).contains(&self.idle_lock_minutes) {
            return Err(ApiError::field(
                "idle_lock_minutes",
                "自动锁定时间应在1至240分钟之间",
            ));
        }
        for (field, label, v, lo, hi) in days {
            if v < lo || v > hi {
                return Err(ApiError::field(
                    field,
                    format!("{label}应在{lo}至{hi}天之间"),
                ));
            }
        }
        let amounts: &[(&str, &str, Money)] = &[
            (
                "hearing_threshold_person",
                "个人听证金额标准",
                self.hearing_threshold_person,
            ),
            (
                "hearing_threshold_organisation",
                "单位听证金额标准",
                self.hearing_threshold_organisation,
            ),
            (
                "collective_review_threshold",
                "集体讨论金额标准",
                self.collective_review_threshold,
            ),
        ];
        for (field, label, v) in amounts {
            if v.is_negative() || v.is_zero() {
                return Err(ApiError::field(field, format!("{label}应大于零")));
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
    match data {
        None => Ok(RuleProfile::default()),
        Some(s) => serde_json::from_str(&s)
            .map_err(|e| ApiError::internal(format!("规则配置无法读取：{e}"))),
    }
}

pub fn update(tx: &mut Tx<'_>, p: RuleProfile) -> Result<RuleProfile> {
    p.validate()?;
    let json = serde_json::to_string(&p).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO rule_profile (id, data, updated_at) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        rusqlite::params![json, now_text()],
    )?;
    tx.touch("rule_profile", 1);
    load(tx)
}
