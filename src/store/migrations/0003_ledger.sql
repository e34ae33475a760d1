-- 0003: the money ledger (part B): collection terms of a case's 通知单, self-correction forms,
-- payments and their allocation to recovery lines, offsets against monthly settlements, fiscal
-- receipts, refunds of erroneous payments, fines and confiscations (their own ledger, to the
-- treasury), referrals. Money is integer 分; dates are ISO text; enums are English identifiers.
-- Amounts per line are never stored as running balances: a balance is always due − allocations.

-- The 缴费信息 of a case's 追回通知单 (004 art. 8–9, 附件1): which agency receives the money and
-- the proof, on which account. One row per case.
CREATE TABLE collection (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL UNIQUE REFERENCES case_file(id),
    notice_number   TEXT NOT NULL DEFAULT '',   -- 通知单号
    issued_on       TEXT,                       -- date the 通知单 was issued
    agency          TEXT NOT NULL,              -- 经办机构名称
    agency_address  TEXT NOT NULL DEFAULT '',
    account_name    TEXT NOT NULL DEFAULT '',   -- 开户名称 / 收款人名称
    bank            TEXT NOT NULL DEFAULT '',   -- 开户银行
    account_number  TEXT NOT NULL DEFAULT '',
    bank_code       TEXT NOT NULL DEFAULT '',   -- 开户银行交换行行号
    updated_at      TEXT NOT NULL
);

-- 医疗保障基金自查自纠退回明细单 (004 art. 7–9, 附件2 institution / 附件3 insured person).
CREATE TABLE self_correction (
    id               INTEGER PRIMARY KEY,
    uid              TEXT NOT NULL UNIQUE,
    form_number      TEXT NOT NULL UNIQUE,
    party_kind       TEXT NOT NULL CHECK (party_kind IN ('Institution', 'Insured')),
    institution_id   INTEGER REFERENCES institution(id),
    insured_id       INTEGER REFERENCES insured(id),
    organizer        TEXT NOT NULL CHECK (organizer IN ('Bureau', 'Agency', 'SelfInitiated')),
    organizer_name   TEXT NOT NULL DEFAULT '',
    scheme           TEXT,                      -- insured person: 参保类别 EmployeeBasic | ResidentBasic
    agency           TEXT NOT NULL,             -- 属地医保经办机构 receiving form and proof
    submitted_on     TEXT NOT NULL,
    contact          TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    agent_name       TEXT NOT NULL DEFAULT '',  -- 代办人 (附件3)
    agent_id_number  TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((party_kind = 'Institution') = (institution_id IS NOT NULL)),
    CHECK ((party_kind = 'Insured') = (insured_id IS NOT NULL))
);

-- What a self-correction form declares, per fund × year × category. year_kind NULL: the form does
-- not say (附件3: 参保人员无需填报此项), booked as cross-year (004 art. 12).
CREATE TABLE self_correction_line (
    id                  INTEGER PRIMARY KEY,
    self_correction_id  INTEGER NOT NULL REFERENCES self_correction(id),
    fund                TEXT NOT NULL,
    year_kind           TEXT CHECK (year_kind IN ('CurrentYear', 'PriorYears')),
    category            TEXT,
    amount_due_fen      INTEGER NOT NULL CHECK (amount_due_fen > 0),
    split_group         INTEGER,
    CHECK (year_kind = 'CurrentYear' OR category IS NULL)
);
CREATE INDEX self_correction_line_form ON self_correction_line(self_correction_id);

-- 缴款 (004 art. 9): one bank payment or transfer, for a case or a self-correction form.
CREATE TABLE payment (
    id                  INTEGER PRIMARY KEY,
    uid                 TEXT NOT NULL UNIQUE,
    case_id             INTEGER REFERENCES case_file(id),
    self_correction_id  INTEGER REFERENCES self_correction(id),
    paid_on             TEXT NOT NULL,
    amount_fen          INTEGER NOT NULL CHECK (amount_fen > 0),
    method              TEXT NOT NULL CHECK (method IN ('BankTransfer', 'BankCounter', 'App')),
    voucher             TEXT NOT NULL,          -- 缴款凭证号 / 银行流水号
    payer               TEXT NOT NULL DEFAULT '',
    fund                TEXT,                   -- fund account paid into; NULL: any line
    agency              TEXT NOT NULL,          -- 经办机构 whose 基金支出户 received it
    credit_fen          INTEGER NOT NULL DEFAULT 0 CHECK (credit_fen >= 0),  -- over-payment at recording
    proof_due_on        TEXT NOT NULL,          -- paid_on + 3 working days (004 art. 9)
    proof_received_on   TEXT,
    arrived_on          TEXT,                   -- 到账确认 (004 art. 11)
    cancelled_on        TEXT,                   -- recorded but never arrived
    cancel_reason       TEXT NOT NULL DEFAULT '',
    note                TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CHECK ((case_id IS NULL) <> (self_correction_id IS NULL)),
    CHECK (arrived_on IS NULL OR cancelled_on IS NULL)
);
CREATE INDEX payment_case ON payment(case_id);
CREATE INDEX payment_self_correction ON payment(self_correction_id);

-- How a payment was spread over lines (seq = allocation order).
CREATE TABLE payment_allocation (
    id                       INTEGER PRIMARY KEY,
    payment_id               INTEGER NOT NULL REFERENCES payment(id),
    seq                      INTEGER NOT NULL,
    recovery_line_id         INTEGER REFERENCES recovery_line(id),
    self_correction_line_id  INTEGER REFERENCES self_correction_line(id),
    amount_fen               INTEGER NOT NULL CHECK (amount_fen > 0),
    CHECK ((recovery_line_id IS NULL) <> (self_correction_line_id IS NULL))
);
CREATE INDEX payment_allocation_payment ON payment_allocation(payment_id);

-- 抵扣通知书 (004 art. 10): an approved offset of a case against later monthly settlements.
CREATE TABLE offset_plan (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    case_id         INTEGER NOT NULL REFERENCES case_file(id),
    notice_number   TEXT NOT NULL UNIQUE,      -- 抵扣通知书 文号
    requested_on    TEXT NOT NULL,
    approved_on     TEXT NOT NULL,
    served_on       TEXT,
    agency          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('Active', 'Completed', 'Cancelled')),
    closed_on       TEXT,
    close_reason    TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX offset_plan_case ON offset_plan(case_id);

-- The amount per fund the plan covers (what the fund's lines owed when approved).
CREATE TABLE offset_plan_fund (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES offset_plan(id),
    fund        TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
    UNIQUE (plan_id, fund)
);

-- One month's settlement of one fund and what was deducted from it; the rest carries on.
CREATE TABLE offset_deduction (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    plan_id         INTEGER NOT NULL REFERENCES offset_plan(id),
    fund            TEXT NOT NULL,
    month           TEXT NOT NULL,              -- YYYY-MM of the settlement
    settled_on      TEXT NOT NULL,              -- date the settlement was paid out, less the deduction
    settlement_fen  INTEGER NOT NULL CHECK (settlement_fen >= 0),
    deducted_fen    INTEGER NOT NULL CHECK (deducted_fen >= 0),
    remaining_fen   INTEGER NOT NULL CHECK (remaining_fen >= 0),  -- of the plan's fund, after this month
    created_at      TEXT NOT NULL,
    UNIQUE (plan_id, fund, month)
);

CREATE TABLE offset_allocation (
    id                INTEGER PRIMARY KEY,
    deduction_id      INTEGER NOT NULL REFERENCES offset_deduction(id),
    seq               INTEGER NOT NULL,
    recovery_line_id  INTEGER NOT NULL REFERENCES recovery_line(id),
    amount_fen        INTEGER NOT NULL CHECK (amount_fen > 0)
);
CREATE INDEX offset_allocation_deduction ON offset_allocation(deduction_id);

-- 财政票据 (004 art. 11): the final proof of recovery, for money that arrived (a payment) or was
-- deducted (an offset). At most one valid receipt per payment or deduction; a voided (冲红) one
-- stays on file.
CREATE TABLE fiscal_receipt (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    receipt_number  TEXT NOT NULL UNIQUE,
    issued_on       TEXT NOT NULL,
    payment_id      INTEGER REFERENCES payment(id),
    deduction_id    INTEGER REFERENCES offset_deduction(id),
    amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
    agency          TEXT NOT NULL,
    voided_on       TEXT,
    void_reason     TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK ((payment_id IS NULL) <> (deduction_id IS NULL))
);
CREATE UNIQUE INDEX fiscal_receipt_valid_payment ON fiscal_receipt(payment_id) WHERE voided_on IS NULL AND payment_id IS NOT NULL;
CREATE UNIQUE INDEX fiscal_receipt_valid_deduction ON fiscal_receipt(deduction_id) WHERE voided_on IS NULL AND deduction_id IS NOT NULL;

-- 退款 of an erroneous or over-payment (004 art. 15): requested, then done by the agency or refused.
CREATE TABLE refund (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    payment_id      INTEGER NOT NULL REFERENCES payment(id),
    amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
    reason          TEXT NOT NULL,
    requested_on    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('Requested', 'Completed', 'Rejected')),
    opinion         TEXT NOT NULL DEFAULT '',   -- 医保部门处理意见
    decided_on      TEXT,
    refunded_on     TEXT,
    from_credit_fen INTEGER NOT NULL DEFAULT 0 CHECK (from_credit_fen >= 0),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX refund_payment ON refund(payment_id);

CREATE TABLE refund_allocation (
    id                       INTEGER PRIMARY KEY,
    refund_id                INTEGER NOT NULL REFERENCES refund(id),
    recovery_line_id         INTEGER REFERENCES recovery_line(id),
    self_correction_line_id  INTEGER REFERENCES self_correction_line(id),
    amount_fen               INTEGER NOT NULL CHECK (amount_fen > 0),
    CHECK ((recovery_line_id IS NULL) <> (self_correction_line_id IS NULL))
);
CREATE INDEX refund_allocation_refund ON refund_allocation(refund_id);

-- 罚款 / 没收违法所得: to the treasury, never into the fund (000 art. 4; 001 art. 47; 004 art. 18).
CREATE TABLE fine (
    id               INTEGER PRIMARY KEY,
    uid              TEXT NOT NULL UNIQUE,
    case_id          INTEGER NOT NULL REFERENCES case_file(id),
    kind             TEXT NOT NULL CHECK (kind IN ('Fine', 'Confiscation')),
    amount_fen       INTEGER NOT NULL CHECK (amount_fen > 0),
    decision_number  TEXT NOT NULL,
    decided_on       TEXT NOT NULL,
    served_on        TEXT,
    due_on           TEXT,                      -- 15 days from service (行政处罚法 art. 67, 85)
    note             TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (case_id, kind)
);

CREATE TABLE fine_payment (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    fine_id        INTEGER NOT NULL REFERENCES fine(id),
    paid_on        TEXT NOT NULL,
    amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
    principal_fen  INTEGER NOT NULL CHECK (principal_fen >= 0),
    surcharge_fen  INTEGER NOT NULL CHECK (surcharge_fen >= 0),
    voucher        TEXT NOT NULL,               -- 非税收入缴款书号 / 银行流水号
    created_at     TEXT NOT NULL,
    CHECK (principal_fen + surcharge_fen = amount_fen)
);
CREATE INDEX fine_payment_fine ON fine_payment(fine_id);

-- 移送: court enforcement (催告 then application, 行政强制法 art. 53–55) or another body.
CREATE TABLE referral (
    id                  INTEGER PRIMARY KEY,
    uid                 TEXT NOT NULL UNIQUE,
    case_id             INTEGER NOT NULL REFERENCES case_file(id),
    fine_id             INTEGER REFERENCES fine(id),
    kind                TEXT NOT NULL CHECK (kind IN ('CourtEnforcement', 'Judicial', 'Discipline', 'Other')),
    to_body             TEXT NOT NULL,
    decision_served_on  TEXT,                   -- court: service of the decision enforced
    demand_issued_on    TEXT,                   -- 催告书
    demand_served_on    TEXT,
    referred_on         TEXT,                   -- application filed / case handed over
    status              TEXT NOT NULL CHECK (status IN ('Demanded', 'Referred', 'Closed')),
    reason              TEXT NOT NULL DEFAULT '',
    outcome             TEXT NOT NULL DEFAULT '',
    closed_on           TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX referral_case ON referral(case_id);
