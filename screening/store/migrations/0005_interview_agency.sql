-- Schema version 5: the agency an interview was made for, stored with the interview (#15,
-- review): a packet names the interviewing officer's agency as it was on the day, not the
-- agency of whoever holds the case when the packet is written.

ALTER TABLE interviews ADD COLUMN agency TEXT;

-- A received case's interview was made by the sender's agency (as the packet stated it).
-- Interviews made here before this version keep NULL: a packet falls back to this store's
-- officer profile for them (never for a received one).
UPDATE interviews
SET agency = (SELECT nullif(r.sender_agency, '') FROM received_referrals r
              WHERE r.case_id = interviews.case_id)
WHERE case_id IN (SELECT case_id FROM received_referrals);
