//! The figures a campaign reports (003 二, 四(三): 定期报送专项整治工作数据): per key area the
//! inspections, cases, institutions and fund money recovered (the monthly table's definition of
//! 追回, over the campaign's year) and the self-correction returns; the leads of the year by source,
//! received / verified / outstanding — "线索清仓见底" (003 二(二)) is zero outstanding.

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::monthly::recovered;
use super::records::{campaign_get, Campaign};
use super::settings;
use crate::cases::leads::LeadSource;
use crate::error::Result;
use crate::money::Money;
use crate::vocab::dates::date_text;
use crate::vocab::text::enum_from;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CampaignQuery {
    pub campaign_id: i64,
    /// The last day counted (default: 31 December of the campaign's year).
    #[ts(optional = nullable)]
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AreaFigures {
    pub area_id: i64,
    pub area: String,
    pub inspections: i64,
    pub cases: i64,
    /// Institutions concerned by the area's cases.
    pub institutions: i64,
    /// Fund money recovered on the area's cases and self-corrections in the period.
    pub recovered: Money,
    pub self_corrections: i64,
    /// What the area's self-correction forms declared.
    pub self_corrected: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LeadFigures {
    pub source: LeadSource,
    pub received: i64,
    /// Concluded: a case opened, no case, or referred.
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
}

pub fn figures(conn: &Connection, q: &CampaignQuery) -> Result<CampaignFigures> {
    let campaign = campaign_get(conn, q.campaign_id)?;
    let from = NaiveDate::from_ymd_opt(campaign.year, 1, 1).expect("valid year");
    let to =
        q.to.unwrap_or_else(|| NaiveDate::from_ymd_opt(campaign.year, 12, 31).expect("valid"));
    let (f, t) = (date_text(from), date_text(to));
    let basis = settings::load(conn)?.recovered_basis;
    let count = |sql: &str, area: i64| -> Result<(i64, i64)> {
        Ok(conn
            .prepare_cached(sql)?
            .query_row([area], |r| Ok((r.get(0)?, r.get(1)?)))?)
    };
    // The money of every area in one pass over the period's recoveries.
    let recovered_by_area: std::collections::HashMap<i64, i64> = conn
        .prepare_cached(&format!(
            "SELECT COALESCE(c.campaign_area_id, s.campaign_area_id) AS area, SUM(m.fen) FROM ({}) m
             LEFT JOIN case_file c ON m.k = 'case' AND c.id = m.ref
             LEFT JOIN self_correction s ON m.k = 'self_correction' AND s.id = m.ref
             WHERE area IS NOT NULL GROUP BY area",
            recovered(basis)
        ))?
        .query_map(params![f, t], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut areas = Vec::new();
    for a in &campaign.areas {
        let (inspections, _) = count(
            "SELECT COUNT(*), 0 FROM inspection WHERE campaign_area_id = ?1",
            a.id,
        )?;
        let (cases, institutions) = count(
            "SELECT COUNT(*), COUNT(DISTINCT institution_id) FROM case_file WHERE campaign_area_id = ?1",
            a.id,
        )?;
        let (self_corrections, self_fen) = count(
            "SELECT COUNT(DISTINCT s.id), COALESCE(SUM(l.amount_due_fen), 0) FROM self_correction s
             JOIN self_correction_line l ON l.self_correction_id = s.id WHERE s.campaign_area_id = ?1",
            a.id,
        )?;
        let fen = recovered_by_area.get(&a.id).copied().unwrap_or(0);
        areas.push(AreaFigures {
            area_id: a.id,
            area: a.name.clone(),
            inspections,
            cases,
            institutions,
            recovered: Money::from_fen(fen),
            self_corrections,
            self_corrected: Money::from_fen(self_fen),
        });
    }
    let leads: Vec<LeadFigures> = conn
        .prepare_cached(
            "SELECT source, COUNT(*), SUM(status <> 'Open'), SUM(status = 'Open') FROM lead
             WHERE received_on BETWEEN ?1 AND ?2 GROUP BY source ORDER BY source",
        )?
        .query_map(params![f, t], |r| {
            Ok(LeadFigures {
                source: enum_from(r.get(0)?),
                received: r.get(1)?,
                verified: r.get(2)?,
                outstanding: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(CampaignFigures {
        leads_cleared: leads.iter().all(|l| l.outstanding == 0),
        campaign,
        from,
        to,
        areas,
        leads,
    })
}
