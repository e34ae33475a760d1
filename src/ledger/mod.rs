//! The money side of a recovery (part B of the lifecycle issue): payments and their allocation to
//! recovery lines, proof of payment, offsets against monthly settlements, fiscal receipts, refunds
//! of erroneous payments, fines on their own ledger with the late surcharge, referrals, the
//! self-correction intake, the accounting view and the monthly reconciliation.
//!
//! Sources: 天津市医疗保障基金追回流程管理办法（试行）(seed 004) arts. 5–15 and 附件1–3;
//! 吉林 吉医保联〔2021〕9号 (seed 000) arts. 4, 7; 河源 (seed 001) arts. 13, 23, 47;
//! 行政处罚法 arts. 67, 72, 85; 行政强制法 arts. 53–55.
//!
//! The pure rules live in [`book`], [`fine`], [`offset`], [`accounting`]; they need no database.

pub mod accounting;
pub mod book;
pub mod fine;
pub mod offset;
