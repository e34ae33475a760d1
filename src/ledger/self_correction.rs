//! Self-correction (自查自纠) intake: the 医疗保障基金自查自纠退回明细单 of an institution
//! (004 附件2) or of an insured person (附件3), feeding the same ledger as a case (004 art. 5(4)(5),
//! art. 7–9, 11).
//!
//! - Institution (附件2): type of self-correction and organiser, institution, then per fund the
//!   amounts 历年 / 当年 住院费·门诊费·门特费·生育津贴; a fund that cannot be told is split 5:5
//!   between the employee and resident basic funds (004 art. 8, last sentence: 自查自纠的定点医药
//!   机构填写《退回明细单》时参照执行), the employee half taking an odd cent (`cases::split_half`).
//! - Insured person (附件3): 参保类别 (employee or resident basic), one amount, payment method
//!   (transfer or bank counter; the APP is the preferred channel, 004 art. 7), optional 代办人.
//!   The form has no current/prior split (art. 8: 参保人员无需填报此项), so the line's year is
//!   unknown and its money is booked as cross-year (004 art. 12).
//!
//! Payments handed in with the form are recorded in the same transaction; proof is due within 3
//! working days of paying as for a notice (004 art. 9(2)).

use rusqlite::{params, Connection, OptionalExtension};

use super::matter::*;
use super::payments;
use super::types::*;
use crate::calendar::WorkCalendar;
use crate::cases::{ExpenseCategory, Fund, PartyKind, YearKind};
use crate::error::{ApiError, Result};
use crate::ids::validate_id_number;
use crate::money::Money;
use crate::store::{now_text, Tx};
use crate::vocab::text::enum_from;

struct NewLine {
    fund: Fund,
    year_kind: Option<YearKind>,
    category: Option<ExpenseCategory>,
    amount: Money,
    split_group: Option<i64>,
}

pub fn create(
    tx: &mut Tx<'_>,
    cal: &WorkCalendar,
    r: &SelfCorrectionInput,
) -> Result<SelfCorrection> {
    let form_number = required_text(&r.form_number, "form_number", "退回明细单编号", 60)?;
    let party_kind = need(
        r.party_kind,
        "party_kind",
        "自查自纠主体（定点医药机构或参保人员）",
    )?;
    let agency = required_text(&r.agency, "agency", "属地医保经办机构", 100)?;
    let submitted_on = past_date(r.submitted_on, "submitted_on", "提交日期")?;
    let contact = bounded_text(&r.contact, "contact", "联系人", 50)?;
    let phone = bounded_text(&r.phone, "phone", "联系电话", 50)?;
    let note = bounded_text(&r.note, "note", "备注", 500)?;
    let organizer_name = bounded_text(&r.organizer_name, "organizer_name", "组织部门名称", 100)?;

    let mut lines: Vec<NewLine> = Vec::new();
    let (institution_id, insured_id, organizer, scheme, agent_name, agent_id) = match party_kind {
        PartyKind::Institution => {
            let id = need(r.institution_id, "institution_id", "定点医药机构")?;
            exists(tx, "institution", id, "定点医药机构")?;
            // 附件2: 自查自纠类型（必填）.
            let organizer = need(r.organizer, "organizer", "自查自纠类型")?;
            if r.insured_id.is_some() || r.scheme.is_some() || r.amount.is_some() {
                return Err(ApiError::field(
                    "lines",
                    "定点医药机构的退回明细单按险种、年度和费用类别分项填写，请使用“明细”",
                ));
            }
            if r.lines.is_empty() {
                return Err(ApiError::field("lines", "请至少填写一项应退回金额"));
            }
            let mut group = 0;
            for (n, l) in r.lines.iter().enumerate() {
                let at = format!("第{}项", n + 1);
                let amount = positive(l.amount, "lines", &format!("{at}的应退回金额"))?;
                // 附件2: 所属年份（至少选择一项）.
                let year = need(
                    l.year_kind,
                    "lines",
                    &format!("{at}的所属年份（当年或历年）"),
                )?;
                match (year, l.category) {
                    (YearKind::CurrentYear, None) => {
                        return Err(ApiError::field(
                            "lines",
                            format!(
                            "{at}是当年基金，请选择费用类别（住院费、门诊费、门特费或生育津贴）"
                        ),
                        ))
                    }
                    (YearKind::PriorYears, Some(_)) => {
                        return Err(ApiError::field(
                            "lines",
                            format!("{at}是历年基金，不分费用类别"),
                        ))
                    }
                    (_, Some(ExpenseCategory::LiquidatedDamages)) => {
                        return Err(ApiError::field(
                            "lines",
                            format!("{at}：自查自纠退回明细单不含违约金"),
                        ))
                    }
                    _ => {}
                }
                match l.fund {
                    Some(fund) => lines.push(NewLine {
                        fund,
                        year_kind: Some(year),
                        category: l.category,
                        amount,
                        split_group: None,
                    }),
                    None => {
                        // 004 art. 8: fund unknown → employee : resident = 5 : 5, where the
                        // office's rule set has the split.
                        group += 1;
                        let (employee, resident) = crate::cases::rules::office(tx)?
                            .split_unknown_fund(amount, "lines")
                            .map_err(|e| {
                                ApiError::field("lines", format!("{at}：{}", e.message))
                            })?;
                        for (fund, half) in [
                            (Fund::EmployeeBasic, employee),
                            (Fund::ResidentBasic, resident),
                        ] {
                            if !half.is_zero() {
                                lines.push(NewLine {
                                    fund,
                                    year_kind: Some(year),
                                    category: l.category,
                                    amount: half,
                                    split_group: Some(group),
                                });
                            }
                        }
                    }
                }
            }
            if organizer != Organizer::SelfInitiated && organizer_name.is_empty() {
                return Err(ApiError::field(
                    "organizer_name",
                    "请填写组织自查自纠的部门名称",
                ));
            }
            (
                Some(id),
                None,
                organizer,
                None,
                String::new(),
                String::new(),
            )
        }
        PartyKind::Insured => {
            let id = need(r.insured_id, "insured_id", "参保人员")?;
            exists(tx, "insured", id, "参保人员")?;
            if r.institution_id.is_some() || !r.lines.is_empty() {
                return Err(ApiError::field(
                    "lines",
                    "参保人员的退回明细单只填写参保类别和缴款金额",
                ));
            }
            // 附件3: 参保类别（必选）: 职工基本医疗保险 / 居民基本医疗保险.
            let scheme = need(r.scheme, "scheme", "参保类别")?;
            if !matches!(scheme, Fund::EmployeeBasic | Fund::ResidentBasic) {
                return Err(ApiError::field(
                    "scheme",
                    "参保类别应为职工基本医疗保险或居民基本医疗保险",
                ));
            }
            let amount = positive(r.amount, "amount", "缴款金额")?;
            lines.push(NewLine {
                fund: scheme,
                year_kind: None,
                category: None,
                amount,
                split_group: None,
            });
            let agent_name = bounded_text(&r.agent_name, "agent_name", "代办人姓名", 50)?;
            let agent_id = if r.agent_id_number.trim().is_empty() {
                if !agent_name.is_empty() {
                    return Err(ApiError::field("agent_id_number", "请填写代办人身份证号码"));
                }
                String::new()
            } else {
                if agent_name.is_empty() {
                    return Err(ApiError::field("agent_name", "请填写代办人姓名"));
                }
                validate_id_number(&r.agent_id_number)
                    .map_err(|e| e.in_field("agent_id_number", "代办人身份证号码"))?
            };
            let organizer = r.organizer.unwrap_or(Organizer::SelfInitiated);
            (
                None,
                Some(id),
                organizer,
                Some(scheme),
                agent_name,
                agent_id,
            )
        }
    };
    if tx
        .query_row(
            "SELECT 1 FROM self_correction WHERE form_number = ?1",
            [&form_number],
            |_| Ok(()),
        )
        .optional()?
        .is_some()
    {
        return Err(
            ApiError::conflict(format!("退回明细单编号“{form_number}”已登记过"))
                .in_field("form_number", "退回明细单编号"),
        );
    }
    let (id, uid) = next_uid(tx, "self_correction", "SC")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO self_correction (id, uid, form_number, party_kind, institution_id, insured_id, organizer,
                                      organizer_name, scheme, agency, submitted_on, contact, phone, agent_name,
                                      agent_id_number, note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
        params![
            id,
            uid,
            form_number,
            enum_text(&party_kind),
            institution_id,
            insured_id,
            enum_text(&organizer),
            organizer_name,
            scheme.map(|s| enum_text(&s)),
            agency,
            date_text(submitted_on),
            contact,
            phone,
            agent_name,
            agent_id,
            note,
            now
        ],
    )?;
    tx.touch("self_correction", id);
    for l in &lines {
        tx.execute(
            "INSERT INTO self_correction_line (self_correction_id, fund, year_kind, category, amount_due_fen, split_group)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                enum_text(&l.fund),
                l.year_kind.map(|y| enum_text(&y)),
                l.category.map(|c| enum_text(&c)),
                l.amount.fen(),
                l.split_group
            ],
        )?;
        let lid = last_id(tx);
        tx.touch("self_correction_line", lid);
    }
    for (n, p) in r.payments.iter().enumerate() {
        let input = PaymentInput {
            self_correction_id: Some(id),
            paid_on: p.paid_on,
            amount: p.amount,
            method: p.method,
            voucher: p.voucher.clone(),
            fund: p.fund,
            arrived_on: p.arrived_on,
            // The form and the voucher copy come in together (004 art. 9(2)).
            proof_received_on: Some(submitted_on).filter(|s| p.paid_on.is_some_and(|d| d <= *s)),
            ..PaymentInput::default()
        };
        payments::record(tx, cal, &input).map_err(|e| ApiError {
            message: format!("第{}笔缴款：{}", n + 1, e.message),
            field: Some("payments".into()),
            ..e
        })?;
    }
    get(tx, id)
}

fn exists(conn: &Connection, table: &str, id: i64, label: &str) -> Result<()> {
    conn.query_row(
        &format!("SELECT 1 FROM {table} WHERE id = ?1"),
        [id],
        |_| Ok(()),
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found(label))
}

pub fn get(conn: &Connection, id: i64) -> Result<SelfCorrection> {
    let mut sc = conn
        .query_row(
            "SELECT s.uid, s.form_number, s.party_kind, s.institution_id, s.insured_id, COALESCE(i.name, p.name, ''),
                    s.organizer, s.organizer_name, s.scheme, s.agency, s.submitted_on, s.contact, s.phone,
                    s.agent_name, s.agent_id_number, s.note
             FROM self_correction s LEFT JOIN institution i ON i.id = s.institution_id
             LEFT JOIN insured p ON p.id = s.insured_id WHERE s.id = ?1",
            [id],
            |r| {
                Ok(SelfCorrection {
                    id,
                    uid: r.get(0)?,
                    form_number: r.get(1)?,
                    party_kind: enum_from(r.get(2)?),
                    institution_id: r.get(3)?,
                    insured_id: r.get(4)?,
                    party: r.get(5)?,
                    organizer: enum_from(r.get(6)?),
                    organizer_name: r.get(7)?,
                    scheme: r.get::<_, Option<String>>(8)?.map(enum_from),
                    agency: r.get(9)?,
                    submitted_on: parse_stored_date(&r.get::<_, String>(10)?)?,
                    contact: r.get(11)?,
                    phone: r.get(12)?,
                    agent_name: r.get(13)?,
                    agent_id_number: r.get(14)?,
                    note: r.get(15)?,
                    lines: Vec::new(),
                    totals: LedgerTotals::default(),
                    payments: Vec::new(),
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("自查自纠退回明细单"))?;
    let m = Matter::SelfCorrection(id);
    let (lines, totals) = ledger_lines(conn, m)?;
    sc.lines = lines;
    sc.totals = totals;
    let loaded = load(conn, m)?;
    sc.payments = payments_of(conn, m)?
        .iter()
        .map(|p| payments::view_in(conn, p, &loaded))
        .collect::<Result<_>>()?;
    Ok(sc)
}

pub fn list(
    conn: &Connection,
    q: &SelfCorrectionQuery,
) -> Result<crate::store::query::Page<SelfCorrectionSummary>> {
    if let (Some(from), Some(to)) = (q.submitted_from, q.submitted_to) {
        if from > to {
            return Err(ApiError::field(
                "submitted_from",
                "提交日期的起始日期晚于截止日期",
            ));
        }
    }
    let mut f = crate::store::query::Filter::default();
    f.search(
        crate::vocab::text::search_text(q.query.as_deref())?,
        &["s.form_number", "i.name", "p.name"],
    )
    .eq("s.institution_id", q.institution_id)
    .eq("s.insured_id", q.insured_id)
    .cmp(
        "s.submitted_on",
        ">=",
        q.submitted_from.map(|d| d.to_string()),
    )
    .cmp(
        "s.submitted_on",
        "<=",
        q.submitted_to.map(|d| d.to_string()),
    )
    .when(
        q.party_kind == Some(PartyKind::Institution),
        "s.institution_id IS NOT NULL",
    )
    .when(
        q.party_kind == Some(PartyKind::Insured),
        "s.insured_id IS NOT NULL",
    );
    const FROM: &str = "FROM self_correction s LEFT JOIN institution i ON i.id = s.institution_id
        LEFT JOIN insured p ON p.id = s.insured_id";
    let total = f.count(conn, FROM)?;
    let order = if q.oldest_first.unwrap_or(false) {
        "s.submitted_on, s.id"
    } else {
        "s.submitted_on DESC, s.id DESC"
    };
    let ids = f.page(
        conn,
        &format!("SELECT s.id {FROM}"),
        order,
        crate::store::query::page_bounds(q.offset, q.limit),
        |r| r.get::<_, i64>(0),
    )?;
    let mut items = Vec::new();
    for id in ids {
        let sc = get(conn, id)?;
        items.push(SelfCorrectionSummary {
            id: sc.id,
            uid: sc.uid,
            form_number: sc.form_number,
            party_kind: sc.party_kind,
            party: sc.party,
            submitted_on: sc.submitted_on,
            agency: sc.agency,
            due: sc.totals.due,
            outstanding: sc.totals.outstanding,
            recovered: sc.totals.recovered,
            // 专项整治 key area (003; `campaign.tag`, migration 0014).
            campaign_area_id: conn.query_row(
                "SELECT campaign_area_id FROM self_correction WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?,
        });
    }
    Ok(crate::store::query::Page { items, total })
}
