//! The figures a campaign reports (003 二, 四(三): 定期报送专项整治工作数据): per key area the
//! inspections, cases, institutions and fund money recovered (the monthly table's definition of
//! 追回) and the self-correction returns; the leads by source, received / verified / outstanding —
//! "线索清仓见底" (003 二(二)) is zero outstanding.
//!
//! Every figure is ONE member query ([`members`]): the rows `(grp, k, ref, fen)` behind it, `grp`
//! being the key area (or the lead source). The figures are those rows counted or summed per
//! `grp` ([`figures`]); the drill-down ([`drill`]) pages the rows of one `grp` through
//! `monthly::page_of` — the same query, no second implementation. Every figure counts the period
//! `from`–`to` (default: the campaign's year), each by the date written in [`notes`].

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::export::{encode, landscape, ReportFile};
use super::monthly::{page_of, recovered, DrillItem};
use super::records::{campaign_get, Campaign};
use super::settings::{self, RecoveredBasis};
use super::sheet::{column, period_text, yuan_text, CellFormat, Sheet, SheetCell, SheetKind};
use super::sheet::{SheetRow, SheetTable};
use crate::cases::leads::LeadSource;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::query::Page;
use crate::vocab::dates::date_text;
use crate::vocab::text::{enum_from, enum_text};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CampaignQuery {
    pub campaign_id: i64,
    /// The first day counted (default: 1 January of the campaign's year).
    #[ts(optional = nullable)]
    pub from: Option<NaiveDate>,
    /// The last day counted (default: 31 December of the campaign's year).
    #[ts(optional = nullable)]
    pub to: Option<NaiveDate>,
}

impl CampaignQuery {
    /// The period counted: the request's days, else the campaign's year (a campaign plan runs
    /// within its year, 003 三: 总结上报 by the end of December).
    pub fn period(&self, campaign: &Campaign) -> Result<(NaiveDate, NaiveDate)> {
        let from = self
            .from
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(campaign.year, 1, 1).expect("valid year"));
        let to = self
            .to
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(campaign.year, 12, 31).expect("valid year"));
        if from > to {
            return Err(ApiError::field("from", "起始日期不能晚于截止日期"));
        }
        Ok((from, to))
    }
}

/// The figures of the campaign page, each opening the matters behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum CampaignFigure {
    Inspections,
    Cases,
    Institutions,
    Recovered,
    SelfCorrections,
    SelfCorrected,
    LeadsReceived,
    LeadsVerified,
    LeadsOutstanding,
}

crate::labels!(CampaignFigure {
    Inspections => "检查次数",
    Cases => "案件数",
    Institutions => "涉及机构数",
    Recovered => "追回医保基金",
    SelfCorrections => "自查自纠份数",
    SelfCorrected => "自查自纠退回",
    LeadsReceived => "收到线索",
    LeadsVerified => "已核查线索",
    LeadsOutstanding => "未核查完毕线索",
});

impl CampaignFigure {
    fn is_lead(self) -> bool {
        matches!(
            self,
            CampaignFigure::LeadsReceived
                | CampaignFigure::LeadsVerified
                | CampaignFigure::LeadsOutstanding
        )
    }
    fn is_money(self) -> bool {
        matches!(
            self,
            CampaignFigure::Recovered | CampaignFigure::SelfCorrected
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AreaFigures {
    pub area_id: i64,
    pub area: String,
    /// Inspections of the area started in the period.
    pub inspections: i64,
    /// The area's cases filed in the period.
    pub cases: i64,
    /// Institutions concerned by those cases.
    pub institutions: i64,
    /// Fund money recovered in the period on the area's cases and self-corrections.
    pub recovered: Money,
    /// The area's self-correction forms submitted in the period.
    pub self_corrections: i64,
    /// What those forms declared.
    pub self_corrected: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LeadFigures {
    pub source: LeadSource,
    /// Received in the period.
    pub received: i64,
    /// Of those, concluded by the period's last day: a case opened, no case, or referred.
    pub verified: i64,
    pub outstanding: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CampaignFigures {
    pub campaign: Campaign,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub areas: Vec<AreaFigures>,
    pub leads: Vec<LeadFigures>,
    /// 清仓见底: no lead of the period is still being verified.
    pub leads_cleared: bool,
    /// Which date each figure counts by, printed under the tables.
    pub notes: Vec<String>,
}

/// `report.campaign_drill`: the matters behind one figure — of a key area (`area_id`) or, for the
/// leads, of a source (`source`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CampaignDrill {
    pub query: CampaignQuery,
    pub figure: CampaignFigure,
    #[ts(optional = nullable)]
    pub area_id: Option<i64>,
    #[ts(optional = nullable)]
    pub source: Option<LeadSource>,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

/// The rows `(grp, k, ref, fen)` behind a figure; `?1` = the first day, `?2` = the last day.
/// `grp` is the campaign area (ids of this campaign only) or, for the leads, the source.
pub fn members(figure: CampaignFigure, campaign_id: i64, basis: RecoveredBasis) -> String {
    use CampaignFigure::*;
    // Through the partial indexes on campaign_area_id (0014): only tagged rows are read.
    let areas = format!("(SELECT id FROM campaign_area WHERE campaign_id = {campaign_id})");
    const VERIFIED: &str = "l.status <> 'Open' AND l.outcome_on <= ?2";
    match figure {
        Inspections => format!(
            "SELECT x.campaign_area_id AS grp, 'inspection' AS k, x.id AS ref, 0 AS fen FROM inspection x
             WHERE x.campaign_area_id IN {areas} AND x.started_on BETWEEN ?1 AND ?2"
        ),
        Cases => format!(
            "SELECT c.campaign_area_id AS grp, 'case' AS k, c.id AS ref, 0 AS fen FROM case_file c
             WHERE c.campaign_area_id IN {areas} AND c.filed_on BETWEEN ?1 AND ?2"
        ),
        Institutions => format!(
            "SELECT c.campaign_area_id AS grp, 'institution' AS k, c.institution_id AS ref, 0 AS fen
             FROM case_file c WHERE c.campaign_area_id IN {areas} AND c.filed_on BETWEEN ?1 AND ?2
               AND c.institution_id IS NOT NULL"
        ),
        // The monthly table's 追回 (by receipt or arrival date, the setting), of the tagged matters.
        Recovered => format!(
            "SELECT grp, k, ref, fen FROM (
               SELECT COALESCE(c.campaign_area_id, s.campaign_area_id) AS grp, m.k AS k, m.ref AS ref, m.fen AS fen
               FROM ({}) m
               LEFT JOIN case_file c ON m.k = 'case' AND c.id = m.ref
               LEFT JOIN self_correction s ON m.k = 'self_correction' AND s.id = m.ref)
             WHERE grp IN {areas}",
            recovered(basis)
        ),
        SelfCorrections => format!(
            "SELECT s.campaign_area_id AS grp, 'self_correction' AS k, s.id AS ref, 0 AS fen
             FROM self_correction s
             WHERE s.campaign_area_id IN {areas} AND s.submitted_on BETWEEN ?1 AND ?2"
        ),
        SelfCorrected => format!(
            "SELECT s.campaign_area_id AS grp, 'self_correction' AS k, s.id AS ref, l.amount_due_fen AS fen
             FROM self_correction s JOIN self_correction_line l ON l.self_correction_id = s.id
             WHERE s.campaign_area_id IN {areas} AND s.submitted_on BETWEEN ?1 AND ?2"
        ),
        LeadsReceived => "SELECT l.source AS grp, 'lead' AS k, l.id AS ref, 0 AS fen FROM lead l
             WHERE l.received_on BETWEEN ?1 AND ?2"
            .to_string(),
        LeadsVerified => format!(
            "SELECT l.source AS grp, 'lead' AS k, l.id AS ref, 0 AS fen FROM lead l
             WHERE l.received_on BETWEEN ?1 AND ?2 AND {VERIFIED}"
        ),
        LeadsOutstanding => format!(
            "SELECT l.source AS grp, 'lead' AS k, l.id AS ref, 0 AS fen FROM lead l
             WHERE l.received_on BETWEEN ?1 AND ?2 AND NOT ({VERIFIED} IS TRUE)"
        ),
    }
}

/// Per `grp`: the count of distinct matters and the sum of their 分 (as `monthly::aggregate`).
fn per_group(
    conn: &Connection,
    sql: &str,
    f: &str,
    t: &str,
) -> Result<std::collections::HashMap<String, (i64, i64)>> {
    let q = format!(
        "SELECT CAST(grp AS TEXT), COUNT(*), COALESCE(SUM(fen), 0)
         FROM (SELECT grp, k, ref, SUM(fen) AS fen FROM ({sql}) GROUP BY grp, k, ref) GROUP BY grp"
    );
    Ok(conn
        .prepare_cached(&q)?
        .query_map(params![f, t], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Which date each figure counts by (printed on the page and under the tables).
pub fn notes(from: NaiveDate, to: NaiveDate, basis: RecoveredBasis) -> Vec<String> {
    let recovered = match basis {
        RecoveredBasis::Receipted => "按开具财政票据的日期统计（票据在期末前冲红的不计）",
        RecoveredBasis::Arrived => "按资金到账和抵扣完成的日期统计（扣除已退还的误缴款）",
    };
    vec![
        format!(
            "1．统计期间为{}，各项数字均只统计该期间内的记录，按重点领域归集已标注该领域的检查、案件和自查自纠。",
            period_text(from, to).trim_start_matches("统计期间：")
        ),
        "2．检查次数按检查开始日期统计；案件数按立案日期统计，涉及机构数为这些案件涉及的定点医药机构（同一机构计一家）。".to_string(),
        format!("3．追回医保基金为该领域案件和自查自纠追回的医保基金，口径同月度统计表，{recovered}，不含上缴国库的罚款和没收违法所得。"),
        "4．自查自纠份数和自查自纠退回（明细单申报的应退回金额）按明细单提交日期统计。".to_string(),
        "5．线索为统计期间内收到的全部线索（不分重点领域），按收到日期统计；已核查指截至期末已有核查结论（立案、不予立案或移送）的线索，未核查完毕＝收到－已核查，为零即“清仓见底”。".to_string(),
    ]
}

pub fn figures(conn: &Connection, q: &CampaignQuery) -> Result<CampaignFigures> {
    let campaign = campaign_get(conn, q.campaign_id)?;
    let (from, to) = q.period(&campaign)?;
    let (f, t) = (date_text(from), date_text(to));
    let basis = settings::load(conn)?.recovered_basis;
    let of = |figure| per_group(conn, &members(figure, campaign.id, basis), &f, &t);
    use CampaignFigure::*;
    let [inspections, cases, institutions, recovered, self_corrections, self_corrected] = [
        Inspections,
        Cases,
        Institutions,
        Recovered,
        SelfCorrections,
        SelfCorrected,
    ]
    .map(of);
    let (inspections, cases, institutions, recovered, self_corrections, self_corrected) = (
        inspections?,
        cases?,
        institutions?,
        recovered?,
        self_corrections?,
        self_corrected?,
    );
    let get = |m: &std::collections::HashMap<String, (i64, i64)>, g: &str| {
        m.get(g).copied().unwrap_or((0, 0))
    };
    let areas = campaign
        .areas
        .iter()
        .map(|a| {
            let g = a.id.to_string();
            AreaFigures {
                area_id: a.id,
                area: a.name.clone(),
                inspections: get(&inspections, &g).0,
                cases: get(&cases, &g).0,
                institutions: get(&institutions, &g).0,
                recovered: Money::from_fen(get(&recovered, &g).1),
                self_corrections: get(&self_corrections, &g).0,
                self_corrected: Money::from_fen(get(&self_corrected, &g).1),
            }
        })
        .collect();
    let (received, verified, outstanding) = (
        of(LeadsReceived)?,
        of(LeadsVerified)?,
        of(LeadsOutstanding)?,
    );
    let mut sources: Vec<&String> = received.keys().collect();
    sources.sort();
    let leads: Vec<LeadFigures> = sources
        .into_iter()
        .map(|s| LeadFigures {
            source: enum_from(s.clone()),
            received: get(&received, s).0,
            verified: get(&verified, s).0,
            outstanding: get(&outstanding, s).0,
        })
        .collect();
    Ok(CampaignFigures {
        leads_cleared: leads.iter().all(|l| l.outstanding == 0),
        notes: notes(from, to, basis),
        campaign,
        from,
        to,
        areas,
        leads,
    })
}

/// `report.campaign_drill`: a page of the matters behind one figure, from its member query.
pub fn drill(conn: &Connection, d: &CampaignDrill) -> Result<Page<DrillItem>> {
    let campaign = campaign_get(conn, d.query.campaign_id)?;
    let (from, to) = d.query.period(&campaign)?;
    let basis = settings::load(conn)?.recovered_basis;
    // The group as an SQL literal: an area of this campaign (an integer) or a source's stored
    // name (the enum's own text), never the client's text.
    let grp = if d.figure.is_lead() {
        let source = d
            .source
            .ok_or_else(|| ApiError::field("source", "请选择线索来源"))?;
        format!("'{}'", enum_text(&source))
    } else {
        let area = d
            .area_id
            .filter(|a| campaign.areas.iter().any(|x| x.id == *a))
            .ok_or_else(|| ApiError::field("area_id", "该专项整治没有这个重点领域"))?;
        area.to_string()
    };
    let sql = format!(
        "SELECT k, ref, fen FROM ({}) WHERE grp = {grp}",
        members(d.figure, campaign.id, basis)
    );
    page_of(conn, &sql, from, to, d.figure.is_money(), d.offset, d.limit)
}

/// The figures as a sheet: the page's two tables and its notes, for the XLSX and the PDF.
pub fn sheet(conn: &Connection, f: &CampaignFigures) -> Sheet {
    let s = settings::load(conn).unwrap_or_default();
    let count = |n: i64| SheetCell::text(n.to_string());
    let money = |m: &Money| SheetCell::text(yuan_text(m.fen()));
    let areas = SheetTable {
        title: "一、重点领域".to_string(),
        columns: vec![
            column("重点领域", CellFormat::Text, 3.0),
            column("检查次数", CellFormat::Count, 1.5),
            column("案件数", CellFormat::Count, 1.5),
            column("涉及机构数", CellFormat::Count, 1.5),
            column("追回医保基金（元）", CellFormat::Yuan, 2.5),
            column("自查自纠份数", CellFormat::Count, 1.5),
            column("自查自纠退回（元）", CellFormat::Yuan, 2.5),
        ],
        rows: f
            .areas
            .iter()
            .map(|a| SheetRow {
                cells: vec![
                    SheetCell::text(a.area.clone()),
                    count(a.inspections),
                    count(a.cases),
                    count(a.institutions),
                    money(&a.recovered),
                    count(a.self_corrections),
                    money(&a.self_corrected),
                ],
                total: false,
            })
            .collect(),
    };
    let leads = SheetTable {
        title: format!(
            "二、线索核查（{}）",
            if f.leads_cleared {
                "已清仓见底"
            } else {
                "尚有线索未核查完毕"
            }
        ),
        columns: vec![
            column("线索来源", CellFormat::Text, 3.0),
            column("收到", CellFormat::Count, 1.5),
            column("已核查", CellFormat::Count, 1.5),
            column("未核查完毕", CellFormat::Count, 1.5),
        ],
        rows: f
            .leads
            .iter()
            .map(|l| SheetRow {
                cells: vec![
                    SheetCell::text(l.source.label()),
                    count(l.received),
                    count(l.verified),
                    count(l.outstanding),
                ],
                total: false,
            })
            .collect(),
    };
    Sheet {
        kind: SheetKind::Campaign,
        title: format!("{}工作情况统计表", f.campaign.name),
        office: super::sheet::office_name(conn),
        from: f.from,
        to: f.to,
        period: period_text(f.from, f.to),
        addressee: String::new(),
        tables: vec![areas, leads],
        notes: f.notes.clone(),
        preparer: s.preparer,
        checker: s.checker,
    }
}

/// `report.campaign_xlsx`.
pub fn campaign_xlsx(conn: &Connection, q: &CampaignQuery) -> Result<ReportFile> {
    let s = sheet(conn, &figures(conn, q)?);
    Ok(ReportFile {
        file_name: format!("{}.xlsx", super::sheet::file_stem(&s)),
        content_base64: encode(&super::sheet::xlsx(&s)?),
        pages: 0,
    })
}

/// `report.campaign_pdf`.
pub fn campaign_pdf(conn: &Connection, q: &CampaignQuery) -> Result<ReportFile> {
    let s = sheet(conn, &figures(conn, q)?);
    let pdf = crate::docs::render_blocks(&super::sheet::pdf_blocks(&s), landscape(), &s.title)?;
    Ok(ReportFile {
        file_name: format!("{}.pdf", super::sheet::file_stem(&s)),
        content_base64: encode(&pdf.bytes),
        pages: pdf.pages as i64,
    })
}
