-- Issue 12: a payment whose voucher number is already recorded is refused until the clerk confirms it
-- is another payment; the lookup by voucher must not scan every payment of the office.
CREATE INDEX payment_voucher ON payment(voucher);
