//! Office-editable wording of the notices.
//!
//! A template is plain text with named fields in braces: `{party_name}`. Each line is a paragraph
//! (printed with the two-character first-line indent). `{{` and `}}` print a literal brace. Every
//! document kind has a fixed set of fields, filled from its data; a template naming a field the
//! kind does not have is refused with a validation error, so a typo never reaches paper.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ApiError;
pub use crate::vocab::DocumentKind;

impl DocumentKind {
    pub const ALL: [DocumentKind; 10] = [
        DocumentKind::RefundOrder,
        DocumentKind::RecoveryNotice,
        DocumentKind::RecoverySlip,
        DocumentKind::HandlingDecision,
        DocumentKind::PenaltyDecision,
        DocumentKind::SelfRefundInstitution,
        DocumentKind::SelfRefundInsured,
        DocumentKind::OffsetNotice,
        DocumentKind::StatementNotice,
        DocumentKind::ServiceReceipt,
    ];

    /// The Chinese name of the document.
    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::RefundOrder => "责令退款通知书",
            DocumentKind::RecoveryNotice => "关于追回医保基金通知书",
            DocumentKind::RecoverySlip => "医疗保障基金追回通知单",
            DocumentKind::HandlingDecision => "行政处理决定书",
            DocumentKind::PenaltyDecision => "行政处罚决定书",
            DocumentKind::SelfRefundInstitution => "医疗保障基金自查自纠退回明细单",
            DocumentKind::SelfRefundInsured => "医疗保障基金自查自纠退回明细单",
            DocumentKind::OffsetNotice => "抵扣通知书",
            DocumentKind::StatementNotice => "陈述申辩告知书",
            DocumentKind::ServiceReceipt => "送达回证",
        }
    }

    /// The fields a template of this kind may use, with their Chinese description (for the
    /// template editor).
    pub fn fields(self) -> &'static [(&'static str, &'static str)] {
        const PARTY: [(&str, &str); 3] = [
            ("party_name", "当事人名称"),
            ("party_you", "对当事人的称呼（你单位/你）"),
            ("issuer", "发文机关"),
        ];
        match self {
            DocumentKind::RefundOrder => &[
                ("party_name", "当事人名称"),
                ("party_you", "对当事人的称呼（你单位/你）"),
                ("issuer", "发文机关"),
                ("inspection_date", "检查日期"),
                ("inspection_name", "检查名称"),
                ("findings", "违法违规事实"),
                ("violated_provisions", "违反的规定"),
                ("legal_basis", "处理依据"),
                ("amount", "金额（小写）"),
                ("amount_words", "金额（大写）"),
                ("deadline", "退款期限"),
                ("agency_name", "医保经办机构"),
            ],
            DocumentKind::RecoveryNotice => &[
                ("agency_name", "医保经办机构"),
                ("issuer", "发文机关"),
                ("party_name", "当事人名称"),
                ("inspection_date", "检查日期"),
                ("inspection_name", "检查名称"),
                ("findings", "违法违规事实"),
                ("legal_basis", "处理依据"),
                ("amount", "金额（小写）"),
                ("amount_words", "金额（大写）"),
                ("refund_order_number", "责令退款通知书文号"),
                ("deadline", "追回期限"),
                ("report_deadline", "报送期限"),
            ],
            DocumentKind::RecoverySlip => &[
                ("agency_name", "医保经办机构"),
                ("issuer", "开具部门"),
                ("copies", "份数"),
            ],
            DocumentKind::HandlingDecision | DocumentKind::PenaltyDecision => &[
                ("party_name", "当事人名称"),
                ("party_you", "对当事人的称呼（你单位/你）"),
                ("issuer", "作出决定的机关"),
                ("inspection_date", "检查日期"),
                ("inspection_name", "检查名称"),
                ("violated_provisions", "违反的规定"),
                ("legal_basis", "处理处罚依据"),
                ("deadline", "退款期限"),
                ("fine_days", "罚款缴纳期限（日）"),
                ("fine_payment", "罚款缴纳方式"),
                ("government", "行政复议机关（县级人民政府）"),
                ("court", "人民法院"),
                ("agency_name", "医保经办机构"),
            ],
            DocumentKind::SelfRefundInstitution | DocumentKind::SelfRefundInsured => {
                &[("agency_name", "所属医保经办机构")]
            }
            DocumentKind::OffsetNotice => &[
                ("party_name", "当事人名称"),
                ("issuer", "医保经办机构"),
                ("slip_number", "追回通知单编号"),
                ("application_date", "申请日期"),
                ("amount", "金额（小写）"),
                ("amount_words", "金额（大写）"),
                ("start_month", "开始抵扣月份"),
            ],
            DocumentKind::StatementNotice => &[
                ("party_name", "当事人名称"),
                ("party_you", "对当事人的称呼（你单位/你）"),
                ("issuer", "发文机关"),
                ("inspection_date", "检查日期"),
                ("inspection_name", "检查名称"),
                ("findings", "违法违规事实"),
                ("violated_provisions", "违反的规定"),
                ("legal_basis", "拟处理处罚依据"),
                ("reply_days", "陈述申辩期限（工作日）"),
                ("hearing_days", "听证申请期限（工作日）"),
            ],
            DocumentKind::ServiceReceipt => &PARTY,
        }
    }
}

/// The default wording per kind. One line = one paragraph. Lines starting with `?field|` are
/// printed only when `field` is not empty (e.g. the hearing paragraph).
pub fn default_template(kind: DocumentKind) -> &'static str {
    match kind {
        // 000 附件1: the bureau orders the party to refund; payment goes through the agency's
        // 追回通知单 (000 art. 3, 6).
        DocumentKind::RefundOrder => "\
{inspection_date}，{issuer}在{inspection_name}中发现，{party_you}存在以下违法违规使用医疗保障基金的行为：{findings}
上述行为违反了{violated_provisions}的规定。依据{legal_basis}的规定，现责令{party_you}退回违法违规使用的医疗保障基金共计人民币{amount_words}（¥{amount}），明细见下表。
请{party_you}于{deadline}前，按照{agency_name}出具的《医疗保障基金追回通知单》载明的缴款方式，将上述款项足额退回至医保经办机构基金支出户，并在缴款后3个工作日内将缴款凭证复印件送至{agency_name}。逾期不退回的，我局将依法依规作进一步处理。",
        // 000 附件2: the bureau tells the agency to recover (000 art. 2, 3, 6).
        DocumentKind::RecoveryNotice => "\
{inspection_date}，{issuer}在{inspection_name}中发现，{party_name}存在以下违法违规使用医疗保障基金的行为：{findings}
依据{legal_basis}的规定，我局已向{party_name}下达《责令退款通知书》（{refund_order_number}），责令其退回医疗保障基金共计人民币{amount_words}（¥{amount}），明细见下表。
请你单位依据上述通知书，向{party_name}开具《医疗保障基金追回通知单》，明确退缴时限和退回路径，于{deadline}前将上述基金按原拨付渠道追回至基金支出户，并于{report_deadline}前将追回情况书面报送我局。",
        // 004 附件1 备注 and the closing line.
        DocumentKind::RecoverySlip => "\
银行缴款或者转账汇款时必须备注医药机构名称或者参保人员姓名、基金追回通知单号，并在缴款后3个工作日内将缴款凭证复印件送至以下指定医保经办机构。
本文书一式{copies}份，一份送达本人（单位），一份送达医保经办机构，一份开具《通知单》的医保部门存档。",
        // 000 附件4 with 行政处罚法 art. 59 (一)–(六); appeal to the county people's government
        // (行政复议法 2023 art. 24), lawsuit within 6 months (行政诉讼法 art. 46).
        DocumentKind::HandlingDecision => "\
一、违法事实和证据
{inspection_date}，{issuer}在{inspection_name}中，对{party_you}使用医疗保障基金的情况进行了检查。经查，{party_you}存在以下违法违规行为：
#facts
上述事实有以下证据证明：
#evidence
二、陈述申辩情况
#statement
三、处理依据和内容
{party_you}的上述行为违反了{violated_provisions}的规定。依据{legal_basis}的规定，我局决定作出如下处理：
#measures
四、履行方式和期限
{party_you}应于{deadline}前，按照{agency_name}出具的《医疗保障基金追回通知单》将上述款项退回至医保经办机构基金支出户。逾期不退回的，我局将依法申请人民法院强制执行。
五、救济途径和期限
{party_you}如不服本决定，可以在收到本决定书之日起六十日内向{government}申请行政复议，或者在六个月内直接向{court}提起行政诉讼。行政复议和行政诉讼期间，本决定不停止执行。",
        DocumentKind::PenaltyDecision => "\
一、违法事实和证据
{inspection_date}，{issuer}在{inspection_name}中，对{party_you}使用医疗保障基金的情况进行了检查。经查，{party_you}存在以下违法违规行为：
#facts
上述事实有以下证据证明：
#evidence
二、陈述申辩情况
#statement
三、处罚依据和内容
{party_you}的上述行为违反了{violated_provisions}的规定。依据{legal_basis}的规定，我局决定给予如下行政处理和行政处罚：
#measures
四、履行方式和期限
应退回的医疗保障基金，请于{deadline}前按照{agency_name}出具的《医疗保障基金追回通知单》退回至医保经办机构基金支出户。罚款请于收到本决定书之日起{fine_days}日内{fine_payment}。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额。
五、救济途径和期限
{party_you}如不服本处罚决定，可以在收到本决定书之日起六十日内向{government}申请行政复议，或者在六个月内直接向{court}提起行政诉讼。行政复议和行政诉讼期间，本决定不停止执行。逾期不申请行政复议、不提起行政诉讼又不履行本决定的，我局将依法申请人民法院强制执行。",
        DocumentKind::SelfRefundInstitution => "\
本文书由自查自纠主体填写，并在缴款后3个工作日内连同缴款凭证一并提交{agency_name}。
自查自纠通知应作为本文书附件附后。
如需其他险种开户行账号，请向{agency_name}咨询。",
        DocumentKind::SelfRefundInsured => "\
银行临柜现金缴款时需到上述开户银行办理。
本文书由自查自纠主体填写，并在缴款后3个工作日内连同缴款凭证一并提交{agency_name}。
如需其他险种开户行账号，请向{agency_name}咨询。",
        // 004 art. 10: offset against later monthly settlements until fully covered.
        DocumentKind::OffsetNotice => "\
{party_name}于{application_date}提出以结算基金抵扣方式退回《医疗保障基金追回通知单》（{slip_number}）所列应追回基金的申请。经审核，{issuer}同意抵扣，抵扣金额共计人民币{amount_words}（¥{amount}），明细见下表。
自{start_month}起，{issuer}在向你单位拨付医保结算费用时，按险种扣除上表所列金额后再行拨付；当月结算金额不足抵扣的，在下月结算金额中继续抵扣，直至足额抵扣。抵扣期间你单位无需另行缴款。",
        // 001 art. 22; 行政处罚法 art. 44, 45, 63, 64.
        DocumentKind::StatementNotice => "\
{inspection_date}，{issuer}在{inspection_name}中发现，{party_you}存在以下违法违规使用医疗保障基金的行为：{findings}
上述行为违反了{violated_provisions}的规定。依据{legal_basis}的规定，我局拟对{party_you}作出如下行政处理（处罚）：
#measures
根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，{party_you}享有陈述和申辩的权利。请于收到本告知书之日起{reply_days}个工作日内向我局提出陈述、申辩意见；逾期未提出的，视为放弃陈述、申辩的权利。我局不因{party_you}的陈述、申辩而加重处罚。
?hearing_days|根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，{party_you}有权要求举行听证。要求听证的，请于收到本告知书之日起{hearing_days}个工作日内向我局提出；逾期未提出的，视为放弃听证的权利。",
        DocumentKind::ServiceReceipt => "",
    }
}

/// Fill `template` with `fields`. Unknown placeholders and unbalanced braces are validation errors.
pub fn fill(template: &str, fields: &BTreeMap<&str, String>) -> Result<String, ApiError> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(ch) => name.push(ch),
                        None => {
                            return Err(ApiError::field(
                                "template",
                                format!("模板中“{{{name}”缺少右括号“}}”"),
                            ))
                        }
                    }
                }
                let key = name.trim();
                match fields.get(key) {
                    Some(v) => out.push_str(v),
                    None => {
                        let known: Vec<&str> = fields.keys().copied().collect();
                        return Err(ApiError::field(
                            "template",
                            format!(
                                "模板中的占位符{{{key}}}不存在，可用的有：{}",
                                known.join("、")
                            ),
                        ));
                    }
                }
            }
            '}' => {
                return Err(ApiError::field(
                    "template",
                    "模板中有多余的右括号“}”，如需打印括号请写“}}”",
                ))
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// Check an office's template against the fields of its kind, without data.
pub fn validate(kind: DocumentKind, template: &str) -> Result<(), ApiError> {
    let fields: BTreeMap<&str, String> = kind
        .fields()
        .iter()
        .map(|(k, _)| (*k, String::new()))
        .collect();
    for line in template.lines() {
        let line = match line.strip_prefix('?') {
            Some(rest) => {
                let (cond, body) = rest.split_once('|').ok_or_else(|| {
                    ApiError::field("template", "条件段落应写成“?字段名|段落内容”")
                })?;
                if !fields.contains_key(cond.trim()) {
                    return Err(ApiError::field(
                        "template",
                        format!("条件段落中的字段“{}”不存在", cond.trim()),
                    ));
                }
                body
            }
            None => line,
        };
        fill(line, &fields)?;
    }
    Ok(())
}

/// The office's overrides of the default wording, by kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Templates {
    #[serde(default)]
    pub overrides: BTreeMap<DocumentKind, String>,
}

impl Templates {
    pub fn get(&self, kind: DocumentKind) -> &str {
        self.overrides
            .get(&kind)
            .map(String::as_str)
            .unwrap_or_else(|| default_template(kind))
    }

    /// Set an override after validating it.
    pub fn set(&mut self, kind: DocumentKind, text: String) -> Result<(), ApiError> {
        validate(kind, &text)?;
        self.overrides.insert(kind, text);
        Ok(())
    }
}

/// A template line after filling: plain text, or a marker (`#facts`) where the document inserts
/// its structured part (lists, tables).
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateLine {
    Text(String),
    Marker(String),
}

/// Fill every line of the kind's template; conditional lines whose field is empty are dropped.
pub fn expand(
    kind: DocumentKind,
    templates: &Templates,
    fields: &BTreeMap<&str, String>,
) -> Result<Vec<TemplateLine>, ApiError> {
    let mut out = Vec::new();
    for line in templates.get(kind).lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if let Some(m) = line.strip_prefix('#') {
            out.push(TemplateLine::Marker(m.trim().to_string()));
            continue;
        }
        let body = match line.strip_prefix('?') {
            Some(rest) => {
                let (cond, body) = rest.split_once('|').ok_or_else(|| {
                    ApiError::field("template", "条件段落应写成“?字段名|段落内容”")
                })?;
                match fields.get(cond.trim()) {
                    Some(v) if !v.is_empty() => body,
                    Some(_) => continue,
                    None => {
                        return Err(ApiError::field(
                            "template",
                            format!("条件段落中的字段“{}”不存在", cond.trim()),
                        ))
                    }
                }
            }
            None => line,
        };
        out.push(TemplateLine::Text(fill(body, fields)?));
    }
    Ok(out)
}
